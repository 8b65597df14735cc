/* /proc/self/mountinfo -> cgroup_parse_mountinfo: on success an absolute
 * mount point and root without trailing slashes (but "/"), version v1 or
 * v2; on failure nothing allocated. */
#include "fuzz.h"
#include "cgroup.h"

static void check_path(const char *p)
{
	size_t n;

	FUZZ_ASSERT(p && p[0] == '/');
	n = strlen(p);
	FUZZ_ASSERT(n == 1 || p[n - 1] != '/');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct cgroup_fs fs;
	int rc = cgroup_parse_mountinfo(text, &fs);

	if (rc == 0) {
		FUZZ_ASSERT(fs.version == CGROUP_V1 || fs.version == CGROUP_V2);
		check_path(fs.mount_dir);
		check_path(fs.mount_root);
		FUZZ_ASSERT(strlen(fs.mount_dir) <= size && strlen(fs.mount_root) <= size);
		cgroup_fs_done(&fs);
	} else {
		FUZZ_ASSERT(rc == -1 && fs.version == CGROUP_NONE && !fs.mount_dir && !fs.mount_root);
	}
	free(text);
	return 0;
}
