/* /proc/meminfo -> sample_sys_parse_meminfo: values are bytes >= 0 (kB
 * times 1024) or left untouched. */
#include "fuzz.h"
#include "sample_sys.h"
#include "util.h"

#define UNSET (INT64_MIN + 7)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct system_sample s;
	int64_t *v[] = { &s.mem_total_bytes, &s.mem_available_bytes, &s.mem_free_bytes,
			 &s.swap_total_bytes, &s.swap_free_bytes };
	int rc;

	memset(&s, 0, sizeof(s));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		*v[i] = UNSET;
	rc = sample_sys_parse_meminfo(text, &s);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		FUZZ_ASSERT(*v[i] == UNSET || (*v[i] >= 0 && *v[i] % 1024 == 0));
		FUZZ_ASSERT(rc == 0 || *v[i] == UNSET);
	}
	free(text);
	return 0;
}
