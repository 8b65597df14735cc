/* Container, pod and unit names from a cgroup path (container.c): any
 * bytes as the path (a hostile process can name its own cgroups). The
 * result stays within its fields, a recognised path has a label, and a
 * copy frees without a leak. */
#include "fuzz.h"
#include "container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_text(data, size), *label;
	struct container c, copy;
	bool found;

	memset(&c, 0, sizeof(c));
	found = container_parse(path, &c);
	FUZZ_ASSERT(!c.unit || strlen(c.unit) <= CONTAINER_UNIT_MAX);
	label = container_label(&c);
	FUZZ_ASSERT(!found || label);
	FUZZ_ASSERT(!label || strlen(label) <= size + 64);
	free(label);
	memset(&copy, 0, sizeof(copy));
	container_copy(&copy, &c);
	container_done(&copy);
	container_done(&c);
	free(path);
	return 0;
}
