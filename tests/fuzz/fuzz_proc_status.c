/* /proc/PID/status -> sample_parse_status: every value it sets is a real
 * amount (>= 0), never a sentinel; what it does not find stays untouched. */
#include "fuzz.h"
#include "sample_proc.h"
#include "util.h"

#include <ctype.h>

#define UNSET (INT64_MIN + 7)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct status_fields f = {
		.rss_bytes = UNSET, .rss_anon_bytes = UNSET, .rss_file_bytes = UNSET,
		.rss_shmem_bytes = UNSET, .swap_bytes = UNSET, .peak_rss_bytes = UNSET,
		.threads = UNSET, .ppid = -7, .state = 0,
	};
	const int64_t *v[] = { &f.rss_bytes, &f.rss_anon_bytes, &f.rss_file_bytes, &f.rss_shmem_bytes,
			       &f.swap_bytes, &f.peak_rss_bytes };
	int rc = sample_parse_status(text, &f);

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		FUZZ_ASSERT(*v[i] == UNSET || *v[i] >= 0);
		FUZZ_ASSERT(*v[i] == UNSET || *v[i] % 1024 == 0);
	}
	FUZZ_ASSERT(f.threads == UNSET || f.threads > 0);
	FUZZ_ASSERT(f.have_ppid ? f.ppid >= 0 : f.ppid == -7);
	FUZZ_ASSERT(f.state == 0 || isalpha((unsigned char)f.state));
	if (rc < 0) {
		FUZZ_ASSERT(f.rss_bytes == UNSET && f.threads == UNSET && !f.have_ppid && !f.have_uid);
	}
	free(text);
	return 0;
}
