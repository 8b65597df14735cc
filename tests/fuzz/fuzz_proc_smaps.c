/* /proc/PID/smaps_rollup -> sample_parse_smaps_rollup: PSS >= 0; USS is
 * Private_Clean + Private_Dirty or absent; nothing is set on failure. */
#include "fuzz.h"
#include "sample_proc.h"
#include "util.h"

#define UNSET (INT64_MIN + 7)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	int64_t pss = UNSET, uss = UNSET;
	int rc = sample_parse_smaps_rollup(text, &pss, &uss);

	if (rc == 0) {
		FUZZ_ASSERT(pss >= 0 && pss % 1024 == 0);
		FUZZ_ASSERT(uss == MS_ABSENT || (uss >= 0 && uss % 1024 == 0));
	} else {
		FUZZ_ASSERT(rc == -1 && pss == UNSET && uss == UNSET);
	}
	free(text);
	return 0;
}
