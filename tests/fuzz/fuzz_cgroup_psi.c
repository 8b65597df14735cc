/* Nested-keyed PSI (memory.pressure, /proc/pressure/memory) ->
 * cgroup_parse_psi: present iff 0 is returned; "some" averages finite and
 * >= 0 with a total >= 0; "full" all there or all absent (NAN). */
#include "fuzz.h"
#include "cgroup.h"
#include "util.h"

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct cgroup_psi p;
	int rc;

	memset(&p, 0x5a, sizeof(p));
	rc = cgroup_parse_psi(text, &p);
	FUZZ_ASSERT(rc == 0 || rc == -1);
	FUZZ_ASSERT(p.present == (rc == 0));
	if (rc == 0) {
		double s[3] = { p.some_avg10, p.some_avg60, p.some_avg300 };
		double f[3] = { p.full_avg10, p.full_avg60, p.full_avg300 };
		bool full = ms_has(p.full_total_us);

		FUZZ_ASSERT(p.some_total_us >= 0);
		for (int i = 0; i < 3; i++) {
			FUZZ_ASSERT(isfinite(s[i]) && s[i] >= 0);
			FUZZ_ASSERT(full ? isfinite(f[i]) && f[i] >= 0 : isnan(f[i]));
		}
		FUZZ_ASSERT(!full || p.full_total_us >= 0);
	} else {
		FUZZ_ASSERT(!ms_has(p.some_total_us) && isnan(p.some_avg10));
	}
	free(text);
	return 0;
}
