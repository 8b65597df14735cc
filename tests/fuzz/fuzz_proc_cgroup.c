/* /proc/PID/cgroup -> cgroup_parse_proc_cgroup, against a v1, a v2 and a
 * container (mount root "/docker/abc") layout picked by the first byte.
 * A result is normalised: absolute, no empty, "." or ".." components, no
 * trailing slash, so it can never name a directory outside the mount. */
#include "fuzz.h"
#include "cgroup.h"

static void check_norm(const char *p)
{
	FUZZ_ASSERT(p[0] == '/');
	if (p[1] == '\0')
		return;
	for (const char *c = p; *c;) {
		size_t len;

		FUZZ_ASSERT(*c == '/');
		c++;
		len = strcspn(c, "/");
		FUZZ_ASSERT(len > 0);
		FUZZ_ASSERT(!(len == 1 && c[0] == '.'));
		FUZZ_ASSERT(!(len == 2 && c[0] == '.' && c[1] == '.'));
		c += len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[] = "/sys/fs/cgroup", root_slash[] = "/", root_docker[] = "/docker/abc";
	struct cgroup_fs fs;
	char *text, *path;

	if (size == 0)
		return 0;
	fs.version = data[0] & 1 ? CGROUP_V1 : CGROUP_V2;
	fs.mount_dir = dir;
	fs.mount_root = data[0] & 2 ? root_docker : root_slash;
	text = fuzz_text(data + 1, size - 1);
	path = cgroup_parse_proc_cgroup(&fs, text);
	if (path) {
		check_norm(path);
		FUZZ_ASSERT(strlen(path) <= size);
		FUZZ_ASSERT(!strchr(path, '\n'));
		free(path);
	}
	free(text);
	return 0;
}
