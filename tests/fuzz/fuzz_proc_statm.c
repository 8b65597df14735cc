/* /proc/PID/statm -> sample_parse_statm: RSS is whole pages, shared <= RSS,
 * an all-zero statm (zombie, kernel thread) is absent, never 0 bytes. The
 * first input byte picks the page size. */
#include "fuzz.h"
#include "sample_proc.h"
#include "util.h"

#define UNSET (INT64_MIN + 7)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long pages[] = { 4096, 16384, 65536, 1 << 21 };
	long page = size ? pages[data[0] % 4] : 4096;
	char *text = fuzz_text(size ? data + 1 : data, size ? size - 1 : 0);
	int64_t rss = UNSET, shared = UNSET, vsize = UNSET, vdata = UNSET;
	int rc = sample_parse_statm(text, page, &rss, &shared, &vsize, &vdata);

	if (rc == 0) {
		FUZZ_ASSERT(rss >= 0 && shared >= 0 && shared <= rss);
		FUZZ_ASSERT(rss % page == 0 && shared % page == 0);
		/* "0 0 0" is a process without memory: must not be a 0 sample. */
		FUZZ_ASSERT(strtoull(text, NULL, 10) != 0);
		FUZZ_ASSERT(vsize == MS_ABSENT || (vsize > 0 && vsize % page == 0));
		FUZZ_ASSERT(vdata == MS_ABSENT || (vdata >= 0 && vdata % page == 0));
	} else {
		FUZZ_ASSERT(rc == -1 && rss == UNSET && shared == UNSET && vsize == UNSET && vdata == UNSET);
	}
	free(text);
	return 0;
}
