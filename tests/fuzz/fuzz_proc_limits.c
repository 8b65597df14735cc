/* /proc/PID/limits -> limit_parse_rlimits: every value is a byte count
 * >= 0, MS_UNLIMITED or MS_ABSENT; soft and hard come in pairs; -1 leaves
 * all four absent. */
#include "fuzz.h"
#include "limit.h"
#include "util.h"

static bool valid(int64_t v)
{
	return v == MS_ABSENT || v == MS_UNLIMITED || v >= 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct limit_rlimits rl;
	int rc = limit_parse_rlimits(text, &rl);

	FUZZ_ASSERT(valid(rl.as_soft_bytes) && valid(rl.as_hard_bytes));
	FUZZ_ASSERT(valid(rl.data_soft_bytes) && valid(rl.data_hard_bytes));
	FUZZ_ASSERT((rl.as_soft_bytes == MS_ABSENT) == (rl.as_hard_bytes == MS_ABSENT));
	FUZZ_ASSERT((rl.data_soft_bytes == MS_ABSENT) == (rl.data_hard_bytes == MS_ABSENT));
	FUZZ_ASSERT(rc == 0 || (rl.as_soft_bytes == MS_ABSENT && rl.data_soft_bytes == MS_ABSENT));
	FUZZ_ASSERT(limit_elf_bits(data, size) == 0 || limit_elf_bits(data, size) == 32 ||
		    limit_elf_bits(data, size) == 64);
	free(text);
	return 0;
}
