/* The /proc helpers of the GPU sampler (sample_gpu.c): NSpid from a
 * status text and the start time (field 22) from a stat text, on any
 * bytes. At most cap PIDs, each positive; a start time of -1 or more. */
#include "fuzz.h"
#include "sample_gpu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	pid_t pids[4];
	size_t n = sample_gpu_parse_nspid(text, pids, 4);

	FUZZ_ASSERT(n <= 4);
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT(pids[i] > 0);
	FUZZ_ASSERT(sample_gpu_parse_starttime(text) >= -1);
	free(text);
	return 0;
}
