/* memory.stat -> cgroup_parse_stat: every entry has a non-empty
 * [A-Za-z0-9_] key and a value >= 0 (or unlimited), at most one entry per
 * line; cgroup_kv_free releases it all (LeakSanitizer checks). */
#include "fuzz.h"
#include "cgroup.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct cgroup_kv *kv = (struct cgroup_kv *)1;
	size_t n = 12345, lines = 1;
	int rc = cgroup_parse_stat(text, &kv, &n);

	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	FUZZ_ASSERT(rc == 0 || rc == -1);
	FUZZ_ASSERT(n <= lines);
	FUZZ_ASSERT((n == 0) == (kv == NULL));
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(kv[i].key[0] != '\0');
		FUZZ_ASSERT(strspn(kv[i].key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
			    strlen(kv[i].key));
		FUZZ_ASSERT(kv[i].value == MS_UNLIMITED || kv[i].value >= 0);
	}
	cgroup_kv_free(kv, n);
	free(text);
	return 0;
}
