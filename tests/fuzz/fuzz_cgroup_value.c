/* Single-value cgroup files (memory.current, memory.max: "123\n", "max\n")
 * -> cgroup_parse_value: a count >= 0 below the v1 "unlimited" sentinel
 * (2^62), or MS_UNLIMITED; untouched on failure. */
#include "fuzz.h"
#include "cgroup.h"
#include "util.h"

#define UNSET (INT64_MIN + 7)

static void check_value(int rc, int64_t v)
{
	if (rc == 0)
		FUZZ_ASSERT(v == MS_UNLIMITED || (v >= 0 && v < (INT64_C(1) << 62)));
	else
		FUZZ_ASSERT(rc == -1 && v == UNSET);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	int64_t v = UNSET;

	check_value(cgroup_parse_value(text, &v), v);
	free(text);
	return 0;
}
