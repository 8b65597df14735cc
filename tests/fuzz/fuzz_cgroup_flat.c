/* Flat-keyed cgroup files (memory.events, memory.oom_control, v1
 * memory.stat lookups) -> cgroup_parse_flat_key. The first byte picks a
 * key, or (>= 0x80) takes the key from the input up to the first '\n'. */
#include "fuzz.h"
#include "cgroup.h"
#include "util.h"

#define UNSET (INT64_MIN + 7)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {
		"low", "high", "max", "oom", "oom_kill", "oom_group_kill", "under_oom",
		"oom_kill_disable", "total_inactive_file", "inactive_file", "hierarchical_memory_limit", "",
	};
	char *text, *body, *key;
	int64_t v = UNSET;
	int rc;

	if (size == 0)
		return 0;
	text = fuzz_text(data + 1, size - 1);
	if (data[0] >= 0x80) {
		char *nl = strchr(text, '\n');

		if (!nl) {
			free(text);
			return 0;
		}
		*nl = '\0';
		key = text;
		body = nl + 1;
	} else {
		key = (char *)keys[data[0] % (sizeof(keys) / sizeof(keys[0]))];
		body = text;
	}
	rc = cgroup_parse_flat_key(body, key, &v);
	if (rc == 0)
		FUZZ_ASSERT(*key && (v == MS_UNLIMITED || (v >= 0 && v < (INT64_C(1) << 62))));
	else
		FUZZ_ASSERT(rc == -1 && v == UNSET);
	free(text);
	return 0;
}
