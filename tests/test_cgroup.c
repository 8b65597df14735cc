/* test_cgroup: the cgroup module against text tables and the fixture trees
 * in tests/fixtures/cgroup (v2 nested limits, v2 unlimited, v1 with the
 * unlimited sentinel, mountinfo samples of v2, v1, hybrid, containers and
 * escaped mount points). Fixtures are found under $srcdir (automake), else
 * the current directory. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "check.h"
#include "util.h"

#define M (INT64_C(1) << 20)
#define CID "3f9a1c0e7b2d4a58c6e1f0b9d8a7c6e5f4d3c2b1a0918273645546372819a0b1"

static char *fixture(const char *base, const char *rel)
{
	return xasprintf("%s/tests/fixtures/cgroup/%s", base, rel);
}

static void test_parse_value(void)
{
	static const struct {
		const char *text;
		int rc;
		int64_t v;
	} cases[] = {
		{ "123\n", 0, 123 },
		{ "0\n", 0, 0 },
		{ "max\n", 0, MS_UNLIMITED },
		{ "max", 0, MS_UNLIMITED },
		{ " 42 \n", 0, 42 },
		{ "9223372036854771712\n", 0, MS_UNLIMITED }, /* v1 sentinel, 4 KiB pages */
		{ "9223372036854710272\n", 0, MS_UNLIMITED }, /* 64 KiB pages */
		{ "4611686018427387904\n", 0, MS_UNLIMITED }, /* 2^62 */
		{ "4611686018427387903\n", 0, INT64_C(4611686018427387903) },
		{ "9223372036854775807\n", 0, MS_UNLIMITED },
		{ "9223372036854775808\n", -1, 0 },
		{ "18446744073709551615\n", -1, 0 },
		{ "99999999999999999999999999999\n", -1, 0 },
		{ "", -1, 0 },
		{ "\n", -1, 0 },
		{ "-1\n", -1, 0 },
		{ "12 34\n", -1, 0 },
		{ "12abc\n", -1, 0 },
		{ "maxx\n", -1, 0 },
		{ "ma\n", -1, 0 },
		{ "1\n2\n", -1, 0 },
		{ "0x10\n", -1, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = -7;
		int rc = cgroup_parse_value(cases[i].text, &v);

		CHECK_I64(rc, cases[i].rc);
		CHECK_I64(v, cases[i].rc == 0 ? cases[i].v : -7);
	}
	CHECK(cgroup_parse_value(NULL, &(int64_t){ 0 }) == -1);
}

static void test_parse_flat_key(void)
{
	static const char events[] = "low 0\nhigh 12\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n";
	static const struct {
		const char *text, *key;
		int rc;
		int64_t v;
	} cases[] = {
		{ events, "low", 0, 0 },
		{ events, "high", 0, 12 },
		{ events, "max", 0, 3 },
		{ events, "oom", 0, 1 },
		{ events, "oom_kill", 0, 1 },
		{ events, "oom_group_kill", 0, 0 },
		{ events, "oom_gr", -1, 0 },
		{ events, "kill", -1, 0 },
		{ "oom_kill 5\noom 2\n", "oom", 0, 2 },
		{ "hierarchical_memory_limit 9223372036854771712\n", "hierarchical_memory_limit", 0,
		  MS_UNLIMITED },
		{ "a 1\na 2\n", "a", 0, 1 },
		{ "a  7\n", "a", 0, 7 },
		{ "a 1 2\n", "a", -1, 0 },
		{ "a x\nb 2\n", "a", -1, 0 },
		{ "a x\nb 2\n", "b", 0, 2 },
		{ "a\n", "a", -1, 0 },
		{ "a 99999999999999999999\n", "a", -1, 0 },
		{ "", "a", -1, 0 },
		{ "a 1", "a", 0, 1 },
		{ "a 1", "", -1, 0 },
		{ "x a 1\n", "a", -1, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = -7;
		int rc = cgroup_parse_flat_key(cases[i].text, cases[i].key, &v);

		CHECK_I64(rc, cases[i].rc);
		CHECK_I64(v, cases[i].rc == 0 ? cases[i].v : -7);
	}
}

static void test_parse_psi(void)
{
	static const struct {
		const char *text;
		int rc;
		double some10, some300, full60;
		int64_t some_total_us, full_total_us;
	} cases[] = {
		{ "some avg10=1.25 avg60=0.40 avg300=0.08 total=1234567\n"
		  "full avg10=0.50 avg60=0.10 avg300=0.02 total=654321\n",
		  0, 1.25, 0.08, 0.10, 1234567, 654321 },
		{ "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", 0, 0, 0, NAN, 0, MS_ABSENT },
		{ "some total=9 avg300=3.5 avg60=2 avg10=100.00\n", 0, 100, 3.5, NAN, 9, MS_ABSENT },
		{ "some avg10=1.00 avg60=1.00 avg300=1.00 avg1200=4.00 total=5\n", 0, 1, 1, NAN, 5,
		  MS_ABSENT },
		{ "full avg10=0.50 avg60=0.10 avg300=0.02 total=1\n", -1, NAN, NAN, NAN, MS_ABSENT,
		  MS_ABSENT },
		{ "some avg10=1,25 avg60=0.40 avg300=0.08 total=1\n", -1, NAN, NAN, NAN, MS_ABSENT,
		  MS_ABSENT },
		{ "some avg10=x avg60=0.40 avg300=0.08 total=1\n", -1, NAN, NAN, NAN, MS_ABSENT,
		  MS_ABSENT },
		{ "some avg10=1. avg60=0.40 avg300=0.08 total=1\n", -1, NAN, NAN, NAN, MS_ABSENT,
		  MS_ABSENT },
		{ "some avg10=1.0 avg60=0.40 total=1\n", -1, NAN, NAN, NAN, MS_ABSENT, MS_ABSENT },
		{ "some avg10=1.0 avg60=0.4 avg300=0.1 total=99999999999999999999\n", -1, NAN, NAN,
		  NAN, MS_ABSENT, MS_ABSENT },
		{ "some avg10=1.0 avg60=0.4 avg300=0.1 total=1\nfull avg10=1\n", -1, NAN, NAN, NAN,
		  MS_ABSENT, MS_ABSENT },
		{ "", -1, NAN, NAN, NAN, MS_ABSENT, MS_ABSENT },
		{ "garbage\n", -1, NAN, NAN, NAN, MS_ABSENT, MS_ABSENT },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cgroup_psi psi;
		int rc = cgroup_parse_psi(cases[i].text, &psi);

		CHECK_I64(rc, cases[i].rc);
		CHECK(psi.present == (cases[i].rc == 0));
		CHECK_I64(psi.some_total_us, cases[i].some_total_us);
		CHECK_I64(psi.full_total_us, cases[i].full_total_us);
		if (isnan(cases[i].some10))
			CHECK(isnan(psi.some_avg10));
		else
			CHECK_NEAR(psi.some_avg10, cases[i].some10, 1e-9);
		if (isnan(cases[i].some300))
			CHECK(isnan(psi.some_avg300));
		else
			CHECK_NEAR(psi.some_avg300, cases[i].some300, 1e-9);
		if (isnan(cases[i].full60))
			CHECK(isnan(psi.full_avg60));
		else
			CHECK_NEAR(psi.full_avg60, cases[i].full60, 1e-9);
	}
}

static void test_parse_stat(void)
{
	static const struct {
		const char *text;
		int rc;
		size_t n;
		const char *key;
		int64_t v;
	} cases[] = {
		{ "anon 4096\nfile 8192\ninactive_file 1024\n", 0, 3, "inactive_file", 1024 },
		{ "anon 4096\nfile -1\nbad key 7\ninactive_file 1024\n", -1, 2, "inactive_file", 1024 },
		{ "anon 4096\n\n\nfile 1", 0, 2, "file", 1 },
		{ "hierarchical_memory_limit 9223372036854771712\n", 0, 1, "hierarchical_memory_limit",
		  MS_UNLIMITED },
		{ "k\x1b[2J 1\nok 2\n", -1, 1, "ok", 2 },
		{ " anon 1\n", -1, 0, NULL, 0 },
		{ "anon 1 2\n", -1, 0, NULL, 0 },
		{ "", 0, 0, NULL, 0 },
	};
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cgroup_kv *kv;
		size_t n;
		int rc = cgroup_parse_stat(cases[i].text, &kv, &n);

		CHECK_I64(rc, cases[i].rc);
		CHECK_I64((int64_t)n, (int64_t)cases[i].n);
		CHECK((n == 0) == (kv == NULL));
		if (cases[i].key) {
			int64_t v = MS_ABSENT;

			for (j = 0; j < n; j++) {
				if (strcmp(kv[j].key, cases[i].key) == 0) {
					v = kv[j].value;
					break;
				}
			}
			CHECK_I64(v, cases[i].v);
		}
		cgroup_kv_free(kv, n);
	}
}

static void test_parse_mountinfo(void)
{
	static const struct {
		const char *text;
		int rc;
		enum cgroup_version version;
		const char *dir, *root;
	} cases[] = {
		{ "1 2 3:4 / /m rw - cgroup cgroup rw,memory\n", 0, CGROUP_V1, "/m", "/" },
		{ "1 2 3:4 / /m rw shared:1 master:2 - cgroup cgroup rw,cpu,memory\n", 0, CGROUP_V1,
		  "/m", "/" },
		{ "1 2 3:4 / /m rw - cgroup2 cgroup2 rw", 0, CGROUP_V2, "/m", "/" },
		{ "1 2 3:4 / /m/ rw - cgroup2 cgroup2 rw\n", 0, CGROUP_V2, "/m", "/" },
		{ "1 2 3:4 / /m rw - cgroup cgroup rw,memory_recursiveprot\n", -1, 0, NULL, NULL },
		{ "1 2 3:4 / /m rw - cgroup2 none rw,memory\n", 0, CGROUP_V2, "/m", "/" },
		{ "1 2 3:4 / /a rw - cgroup2 cgroup2 rw\n1 2 3:4 / /b rw - cgroup cgroup memory\n", 0,
		  CGROUP_V1, "/b", "/" },
		{ "1 2 3:4 /x /bind rw - cgroup cgroup rw,memory\n"
		  "1 2 3:4 / /full rw - cgroup cgroup rw,memory\n",
		  0, CGROUP_V1, "/full", "/" },
		{ "1 2 3:4 /x/ /bind rw - cgroup cgroup rw,memory\n", 0, CGROUP_V1, "/bind", "/x" },
		{ "1 2 3:4 / /m\\040x\\011y\\012z\\134w rw - cgroup2 c rw\n", 0, CGROUP_V2,
		  "/m x\ty\nz\\w", "/" },
		{ "1 2 3:4 / /m\\ rw - cgroup2 cgroup2 rw\n", 0, CGROUP_V2, "/m\\", "/" },
		{ "1 2 3:4 / /m\\04 rw - cgroup2 cgroup2 rw\n", 0, CGROUP_V2, "/m\\04", "/" },
		{ "1 2 3:4 / /m\\000x rw - cgroup2 cgroup2 rw\n", -1, 0, NULL, NULL },
		{ "1 2 3:4 / /m\\777 rw - cgroup2 cgroup2 rw\n", -1, 0, NULL, NULL },
		{ "1 2 3:4 / relative rw - cgroup2 cgroup2 rw\n", -1, 0, NULL, NULL },
		{ "1 2 3:4 / /m rw - cgroup cgroup\n", -1, 0, NULL, NULL },
		{ "1 2 3:4 / /m rw cgroup2 cgroup2 rw\n", -1, 0, NULL, NULL },
		{ "- - - - - - - cgroup2 x y\n", -1, 0, NULL, NULL },
		{ "1 - 3:4 / /m - cgroup2 cgroup2 rw\n", -1, 0, NULL, NULL },
		{ "garbage\n\n\n", -1, 0, NULL, NULL },
		{ "", -1, 0, NULL, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cgroup_fs fs;
		int rc = cgroup_parse_mountinfo(cases[i].text, &fs);

		CHECK_I64(rc, cases[i].rc);
		CHECK_I64(fs.version, cases[i].version);
		if (cases[i].rc == 0) {
			CHECK_STR(fs.mount_dir, cases[i].dir);
			CHECK_STR(fs.mount_root, cases[i].root);
		} else {
			CHECK(fs.mount_dir == NULL && fs.mount_root == NULL);
		}
		cgroup_fs_done(&fs);
	}
}

static void test_parse_proc_cgroup(void)
{
	static const struct {
		enum cgroup_version version;
		const char *root, *text, *want;
	} cases[] = {
		{ CGROUP_V1, "/", "4:memory:/process_api/bf1de050\n0::/\n", "/process_api/bf1de050" },
		{ CGROUP_V1, "/", "4:memory,foo:/x\n", "/x" },
		{ CGROUP_V1, "/", "4:foo,memory:/x/y/\n", "/x/y" },
		{ CGROUP_V1, "/", "9:memoryx:/x\n0::/y\n", NULL },
		{ CGROUP_V1, "/", "0::/y\n", NULL },
		{ CGROUP_V1, "/", "4:memory:\n", NULL },
		{ CGROUP_V1, "/", "", NULL },
		{ CGROUP_V2, "/", "0::/\n", "/" },
		{ CGROUP_V2, "/", "1:name=systemd:/a\n0::/b/c\n", "/b/c" },
		{ CGROUP_V2, "/", "0::/gone (deleted)\n", "/gone" },
		{ CGROUP_V2, "/", "0:memory:/x\n", NULL },
		{ CGROUP_V2, "/", "0::relative\n", NULL },
		{ CGROUP_V2, "/", "0::/a/../../etc\n", NULL },
		{ CGROUP_V2, "/", "0::/a//./b\n", "/a/b" },
		{ CGROUP_V2, "/", "0::/a:b\n", "/a:b" },
		{ CGROUP_V2, "/", "garbage\n::\n0::/ok", "/ok" },
		{ CGROUP_V1, "/docker/abc", "3:memory:/docker/abc\n", "/" },
		{ CGROUP_V1, "/docker/abc", "3:memory:/docker/abc/sub\n", "/sub" },
		{ CGROUP_V1, "/docker/abc", "3:memory:/docker/abcdef\n", "/docker/abcdef" },
		{ CGROUP_V1, "/docker/abc", "3:memory:/other\n", "/other" },
		{ CGROUP_V2, "/system.slice/x.scope", "0::/system.slice/x.scope/app\n", "/app" },
		{ CGROUP_NONE, "/", "0::/\n", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cgroup_fs fs = { cases[i].version, (char *)"/sys/fs/cgroup",
					(char *)cases[i].root };
		char *got = cgroup_parse_proc_cgroup(&fs, cases[i].text);

		if (cases[i].want)
			CHECK_STR(got, cases[i].want);
		else
			CHECK(got == NULL);
		free(got);
	}
}

static void test_discover(const char *base)
{
	static const struct {
		const char *name;
		int rc;
		enum cgroup_version version;
		const char *dir, *root, *proc_path;
	} cases[] = {
		{ "hybrid/mountinfo", 0, CGROUP_V1, "/sys/fs/cgroup/memory", "/",
		  "/user.slice/user-1000.slice/session-2.scope" },
		{ "mountinfo/v2.mountinfo", 0, CGROUP_V2, "/sys/fs/cgroup", "/",
		  "/user.slice/user-1000.slice/user@1000.service/app.slice/"
		  "app-org.gnome.Terminal.slice/vte-spawn-4f1c.scope" },
		{ "mountinfo/v1.mountinfo", 0, CGROUP_V1, "/sys/fs/cgroup/memory", "/",
		  "/system.slice/tomcat.service" },
		{ "mountinfo/container-v1.mountinfo", 0, CGROUP_V1, "/sys/fs/cgroup/memory",
		  "/docker/" CID, "/" },
		{ "mountinfo/container-v2.mountinfo", 0, CGROUP_V2, "/sys/fs/cgroup",
		  "/system.slice/docker-" CID ".scope", "/app" },
		{ "mountinfo/escaped.mountinfo", 0, CGROUP_V1, "/mnt/my cgroups/mem\ttab\\x",
		  "/sub dir", "/job 1" },
		{ "mountinfo/none.mountinfo", -1, CGROUP_NONE, NULL, NULL, NULL },
	};
	struct cgroup_fs fs;
	char *err, *path;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *mi = fixture(base, cases[i].name), *pc, *text;
		size_t len = strlen(mi);

		CHECK_I64(cgroup_fs_discover(&fs, mi, &err), cases[i].rc);
		CHECK_I64(fs.version, cases[i].version);
		if (cases[i].rc == 0) {
			CHECK(err == NULL);
			CHECK_STR(fs.mount_dir, cases[i].dir);
			CHECK_STR(fs.mount_root, cases[i].root);
			/* The matching /proc/PID/cgroup sample sits beside it:
			 * "x.mountinfo" -> "x.cgroup", "hybrid/mountinfo" ->
			 * "hybrid/cgroup". */
			if (len > 10 && strcmp(mi + len - 10, ".mountinfo") == 0)
				pc = xasprintf("%.*s.cgroup", (int)(len - 10), mi);
			else
				pc = xasprintf("%.*scgroup", (int)(len - 9), mi);
			text = util_read_file(pc, NULL);
			CHECK(text != NULL);
			path = cgroup_parse_proc_cgroup(&fs, text);
			CHECK_STR(path, cases[i].proc_path);
			free(path);
			free(text);
			free(pc);
		} else {
			CHECK(err && strstr(err, "no cgroup memory controller"));
		}
		free(err);
		cgroup_fs_done(&fs);
		free(mi);
	}
	CHECK_I64(cgroup_fs_discover(&fs, "/nonexistent/mountinfo", &err), -1);
	CHECK(err && strstr(err, "cannot read /nonexistent/mountinfo"));
	free(err);
	cgroup_fs_done(&fs);
	/* A reaped or never-existing PID maps to nothing (pid_max <= 2^22). */
	{
		struct cgroup_fs v2 = { CGROUP_V2, (char *)"/sys/fs/cgroup", (char *)"/" };

		CHECK(cgroup_path_of_pid(&v2, (pid_t)2147483647) == NULL);
	}
}

static void test_open_root(const char *base)
{
	static const struct {
		const char *rel;
		int rc;
		enum cgroup_version version;
		const char *err;
	} cases[] = {
		{ "v2", 0, CGROUP_V2, NULL },
		{ "v2/", 0, CGROUP_V2, NULL },
		{ "v2/a/b", 0, CGROUP_V2, NULL },
		{ "v2-unlimited", 0, CGROUP_V2, NULL },
		{ "v1", 0, CGROUP_V1, NULL },
		{ "v1/app", 0, CGROUP_V1, NULL },
		{ "mountinfo", -1, CGROUP_NONE, "not a cgroup tree" },
		{ "hybrid/unified", -1, CGROUP_NONE, "without the memory controller" },
		{ "hybrid/mountinfo", -1, CGROUP_NONE, "not a directory" },
		{ "no-such-dir", -1, CGROUP_NONE, "No such file" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *dir = fixture(base, cases[i].rel), *err;
		struct cgroup_fs fs;

		CHECK_I64(cgroup_fs_open_root(&fs, dir, &err), cases[i].rc);
		CHECK_I64(fs.version, cases[i].version);
		if (cases[i].rc == 0) {
			size_t len = strlen(dir);

			CHECK(err == NULL);
			if (dir[len - 1] == '/')
				dir[len - 1] = '\0';
			CHECK_STR(fs.mount_dir, dir);
			CHECK_STR(fs.mount_root, "/");
		} else {
			CHECK(err && strstr(err, cases[i].err) && strstr(err, "--cgroup-root"));
		}
		free(err);
		cgroup_fs_done(&fs);
		free(dir);
	}
}

/* Values read from one cgroup; every int64 field, so "absent, never 0" is
 * checked everywhere. */
struct want {
	const char *path, *read_as;
	bool exists;
	int64_t current, max, high, low, min, peak, swap_current, swap_max;
	int64_t ev_low, ev_high, ev_max, ev_oom, ev_oom_kill, ev_oom_group_kill;
	int64_t failcnt, under_oom, oom_kill_disable, working_set;
	int64_t eff_limit;
	const char *eff_limit_source;
	int64_t eff_high;
	const char *eff_high_source;
	bool psi;
	size_t n_stat;
};

#define A MS_ABSENT
#define U MS_UNLIMITED

static void check_sample(const struct cgroup_fs *fs, const struct want *w)
{
	struct cgroup_sample s;

	cgroup_read(fs, w->read_as ? w->read_as : w->path, &s);
	CHECK_STR(s.path, w->path);
	CHECK_I64(s.version, fs->version);
	CHECK(s.exists == w->exists);
	CHECK_I64(s.current_bytes, w->current);
	CHECK_I64(s.max_bytes, w->max);
	CHECK_I64(s.high_bytes, w->high);
	CHECK_I64(s.low_bytes, w->low);
	CHECK_I64(s.min_bytes, w->min);
	CHECK_I64(s.peak_bytes, w->peak);
	CHECK_I64(s.swap_current_bytes, w->swap_current);
	CHECK_I64(s.swap_max_bytes, w->swap_max);
	CHECK_I64(s.ev_low, w->ev_low);
	CHECK_I64(s.ev_high, w->ev_high);
	CHECK_I64(s.ev_max, w->ev_max);
	CHECK_I64(s.ev_oom, w->ev_oom);
	CHECK_I64(s.ev_oom_kill, w->ev_oom_kill);
	CHECK_I64(s.ev_oom_group_kill, w->ev_oom_group_kill);
	CHECK_I64(s.v1_failcnt, w->failcnt);
	CHECK_I64(s.v1_under_oom, w->under_oom);
	CHECK_I64(s.v1_oom_kill_disable, w->oom_kill_disable);
	CHECK_I64(s.working_set_bytes, w->working_set);
	CHECK_I64(s.effective_limit_bytes, w->eff_limit);
	if (w->eff_limit_source)
		CHECK_STR(s.effective_limit_source, w->eff_limit_source);
	else
		CHECK(s.effective_limit_source == NULL);
	CHECK_I64(s.effective_high_bytes, w->eff_high);
	if (w->eff_high_source)
		CHECK_STR(s.effective_high_source, w->eff_high_source);
	else
		CHECK(s.effective_high_source == NULL);
	CHECK(s.pressure.present == w->psi);
	if (!w->psi)
		CHECK(isnan(s.pressure.some_avg10) && s.pressure.some_total_us == MS_ABSENT);
	CHECK_I64((int64_t)s.n_stat, (int64_t)w->n_stat);
	CHECK((s.n_stat == 0) == (s.stat == NULL));
	cgroup_sample_done(&s);
}

static void test_read_v2(const char *base)
{
	/* path, read_as, exists, current, max, high, low, min, peak, swap_current,
	 * swap_max, ev low/high/max/oom/oom_kill/oom_group_kill, failcnt,
	 * under_oom, oom_kill_disable, working_set, effective limit + source,
	 * effective high + source, psi, n_stat */
	static const struct want cases[] = {
		{ "/a/b/c", NULL, true, 200 * M, U, U, 64 * M, 0, 220 * M, M, U,
		  0, 12, 0, 0, 0, 0, A, A, A, 180 * M, 512 * M, "/a", 384 * M, "/a/b", true, 56 },
		{ "/a/b/c", "a/b/c/", true, 200 * M, U, U, 64 * M, 0, 220 * M, M, U,
		  0, 12, 0, 0, 0, 0, A, A, A, 180 * M, 512 * M, "/a", 384 * M, "/a/b", true, 56 },
		{ "/a/b", NULL, true, 250 * M, U, 384 * M, 0, 0, 300 * M, 0, U,
		  0, 12, 0, 0, 0, 0, A, A, A, 220 * M, 512 * M, "/a", 384 * M, "/a/b", true, 56 },
		{ "/a", NULL, true, 300 * M, 512 * M, U, 0, 0, 384 * M, 0, U,
		  0, 0, 3, 1, 1, 0, A, A, A, 260 * M, 512 * M, "/a", U, NULL, true, 56 },
		{ "/a/tight", NULL, true, 40 * M, 256 * M, 192 * M, 0, 0, 41 * M, 0, U,
		  0, 0, 0, 0, 0, 0, A, A, A, 38 * M, 256 * M, "/a/tight", 192 * M, "/a/tight",
		  true, 56 },
		{ "/nofiles", NULL, true, M, U, U, 0, 0, A, A, A,
		  0, 0, 0, 0, 0, 0, A, A, A, M - 128 * 1024, U, NULL, U, NULL, false, 56 },
		/* Garbage in every file: absent, never 0. */
		{ "/broken", NULL, true, A, A, A, A, A, A, A, A,
		  A, A, 4, A, A, A, A, A, A, A, U, NULL, U, NULL, false, 2 },
		/* The v2 root has no memory.current or memory.max. */
		{ "/", NULL, true, A, A, A, A, A, A, A, A,
		  A, A, A, A, A, A, A, A, A, A, U, NULL, U, NULL, true, 56 },
		{ "/", "", true, A, A, A, A, A, A, A, A,
		  A, A, A, A, A, A, A, A, A, A, U, NULL, U, NULL, true, 56 },
		/* Removed (or never created): nothing at all. */
		{ "/a/gone", NULL, false, A, A, A, A, A, A, A, A,
		  A, A, A, A, A, A, A, A, A, A, A, NULL, A, NULL, false, 0 },
		{ "/a/../a", NULL, false, A, A, A, A, A, A, A, A,
		  A, A, A, A, A, A, A, A, A, A, A, NULL, A, NULL, false, 0 },
	};
	char *dir = fixture(base, "v2"), *err;
	struct cgroup_fs fs;
	struct cgroup_sample s;
	size_t i;

	CHECK_I64(cgroup_fs_open_root(&fs, dir, &err), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_sample(&fs, &cases[i]);

	cgroup_read(&fs, "/a/b/c", &s);
	CHECK_I64(cgroup_stat_get(&s, "anon"), 150 * M);
	CHECK_I64(cgroup_stat_get(&s, "file"), 46 * M);
	CHECK_I64(cgroup_stat_get(&s, "inactive_file"), 20 * M);
	CHECK_I64(cgroup_stat_get(&s, "no_such_key"), MS_ABSENT);
	CHECK_STR(s.stat[0].key, "anon");
	CHECK_STR(s.stat[s.n_stat - 1].key, "thp_swpout_fallback");
	CHECK_NEAR(s.pressure.some_avg10, 1.25, 1e-9);
	CHECK_NEAR(s.pressure.some_avg60, 0.40, 1e-9);
	CHECK_NEAR(s.pressure.some_avg300, 0.08, 1e-9);
	CHECK_I64(s.pressure.some_total_us, 1234567);
	CHECK_NEAR(s.pressure.full_avg10, 0.50, 1e-9);
	CHECK_NEAR(s.pressure.full_avg60, 0.10, 1e-9);
	CHECK_NEAR(s.pressure.full_avg300, 0.02, 1e-9);
	CHECK_I64(s.pressure.full_total_us, 654321);
	cgroup_sample_done(&s);
	cgroup_sample_done(&s);
	cgroup_sample_done(NULL);

	/* memory.events.local: the kills of the cgroup's own processes. */
	cgroup_read(&fs, "/a", &s);
	CHECK_I64(s.ev_oom_kill_local, 1);
	cgroup_sample_done(&s);
	cgroup_read(&fs, "/a/b", &s);
	CHECK_I64(s.ev_oom_kill_local, 0);
	cgroup_sample_done(&s);

	cgroup_read(&fs, "/broken", &s);
	CHECK_I64(s.ev_oom_kill_local, MS_ABSENT);
	CHECK_I64(cgroup_stat_get(&s, "anon"), 4096);
	CHECK_I64(cgroup_stat_get(&s, "file"), MS_ABSENT);
	CHECK_I64(cgroup_stat_get(&s, "inactive_file"), 1024);
	cgroup_sample_done(&s);

	CHECK(cgroup_exists(&fs, "/"));
	CHECK(cgroup_exists(&fs, "/a/b/c"));
	CHECK(cgroup_exists(&fs, "a/b/"));
	CHECK(!cgroup_exists(&fs, "/a/gone"));
	CHECK(!cgroup_exists(&fs, "/a/b/c/memory.current"));
	CHECK(!cgroup_exists(&fs, "/a/../.."));
	cgroup_fs_done(&fs);
	free(dir);

	dir = fixture(base, "v2-unlimited");
	CHECK_I64(cgroup_fs_open_root(&fs, dir, &err), 0);
	{
		static const struct want u[] = {
			{ "/x/y", NULL, true, 80 * M, U, U, 0, 0, 85 * M, 0, U,
			  0, 0, 0, 0, 0, 0, A, A, A, 72 * M, U, NULL, U, NULL, true, 56 },
			{ "/x", NULL, true, 90 * M, U, U, 0, 0, 95 * M, 0, U,
			  0, 0, 0, 0, 0, 0, A, A, A, 80 * M, U, NULL, U, NULL, true, 56 },
		};

		for (i = 0; i < sizeof(u) / sizeof(u[0]); i++)
			check_sample(&fs, &u[i]);
	}
	cgroup_fs_done(&fs);
	free(dir);
}

static void test_read_v1(const char *base)
{
	static const struct want cases[] = {
		{ "/app/worker", NULL, true, 500 * M, U, A, A, A, 600 * M, 10 * M, U,
		  A, A, 7, A, 2, A, 7, 0, 0, 420 * M, 1024 * M, "/app", A, NULL, false, 42 },
		{ "/app", NULL, true, 700 * M, 1024 * M, A, A, A, 900 * M, 10 * M, U,
		  A, A, 0, A, 0, A, 0, 0, 0, 600 * M, 1024 * M, "/app", A, NULL, false, 42 },
		/* Only hierarchical_memory_limit knows the limit: named at the leaf. */
		{ "/capped", NULL, true, 100 * M, U, A, A, A, 120 * M, 0, U,
		  A, A, 0, A, 0, A, 0, 0, 0, 90 * M, 256 * M, "/capped", A, NULL, false, 42 },
		/* Pre-4.13 oom_control, no swap accounting. */
		{ "/legacy", NULL, true, 60 * M, 128 * M, A, A, A, 64 * M, A, A,
		  A, A, 2, A, A, A, 2, 0, 0, 56 * M, 128 * M, "/legacy", A, NULL, false, 39 },
		{ "/", NULL, true, 1900 * M, U, A, A, A, 2400 * M, 10 * M, U,
		  A, A, 0, A, 0, A, 0, 0, 0, 1600 * M, U, NULL, A, NULL, false, 42 },
		{ "/app/gone", NULL, false, A, A, A, A, A, A, A, A,
		  A, A, A, A, A, A, A, A, A, A, A, NULL, A, NULL, false, 0 },
	};
	char *dir = fixture(base, "v1"), *err;
	struct cgroup_fs fs;
	struct cgroup_sample s;
	size_t i;

	CHECK_I64(cgroup_fs_open_root(&fs, dir, &err), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_sample(&fs, &cases[i]);
	cgroup_read(&fs, "/app/worker", &s);
	CHECK_I64(cgroup_stat_get(&s, "hierarchical_memory_limit"), 1024 * M);
	CHECK_I64(cgroup_stat_get(&s, "hierarchical_memsw_limit"), MS_UNLIMITED);
	CHECK_I64(cgroup_stat_get(&s, "total_inactive_file"), 80 * M);
	CHECK_I64(cgroup_stat_get(&s, "rss"), 400 * M);
	cgroup_sample_done(&s);
	cgroup_fs_done(&fs);
	free(dir);
}

static void test_pids(const char *base)
{
	static const struct {
		const char *tree, *path;
		size_t n;
		pid_t pids[8];
	} cases[] = {
		{ "v2", "/", 8, { 1, 2, 3, 777, 1234, 1240, 2001, 4321 } },
		{ "v2", "/a", 3, { 1234, 1240, 2001 } },
		{ "v2", "/a/b/c", 2, { 1234, 1240 } },
		{ "v2", "/a/b", 2, { 1234, 1240 } },
		{ "v2", "/a/gone", 0, { 0 } },
		{ "v2", "/a/..", 0, { 0 } },
		{ "v1", "/app", 2, { 4100, 4101 } },
		{ "v1", "/", 6, { 1, 2, 4100, 4101, 5000, 6000 } },
	};
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *dir = fixture(base, cases[i].tree), *err;
		struct cgroup_fs fs;
		pid_t unset, *pids = &unset;
		size_t n;

		CHECK_I64(cgroup_fs_open_root(&fs, dir, &err), 0);
		n = cgroup_pids_recursive(&fs, cases[i].path, &pids);
		CHECK_I64((int64_t)n, (int64_t)cases[i].n);
		CHECK((n == 0) == (pids == NULL));
		for (j = 0; j < n && j < cases[i].n; j++)
			CHECK_I64(pids[j], cases[i].pids[j]);
		free(pids);
		cgroup_fs_done(&fs);
		free(dir);
	}
}

/* Deterministic junk through every parser: no crash, no read past the NUL
 * (run under ASan), and results that keep the module's invariants. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void parse_all(const char *text)
{
	static const struct cgroup_fs fss[] = {
		{ CGROUP_V1, (char *)"/m", (char *)"/" },
		{ CGROUP_V2, (char *)"/m", (char *)"/docker/x" },
	};
	struct cgroup_fs fs;
	struct cgroup_psi psi;
	struct cgroup_kv *kv;
	size_t n, i;
	int64_t v;
	char *p;

	if (cgroup_parse_value(text, &v) == 0)
		CHECK(v >= 0);
	if (cgroup_parse_flat_key(text, "max", &v) == 0)
		CHECK(v >= 0);
	if (cgroup_parse_psi(text, &psi) == 0)
		CHECK(psi.present && psi.some_avg10 >= 0 && psi.some_total_us >= 0);
	else
		CHECK(!psi.present);
	cgroup_parse_stat(text, &kv, &n);
	for (i = 0; i < n; i++)
		CHECK(kv[i].key[0] != '\0' && kv[i].value >= 0);
	cgroup_kv_free(kv, n);
	if (cgroup_parse_mountinfo(text, &fs) == 0)
		CHECK(fs.mount_dir[0] == '/' && fs.mount_root[0] == '/');
	cgroup_fs_done(&fs);
	for (i = 0; i < 2; i++) {
		p = cgroup_parse_proc_cgroup(&fss[i], text);
		if (p)
			CHECK(p[0] == '/' && strstr(p, "/../") == NULL && strstr(p, "//") == NULL);
		free(p);
	}
}

static void test_junk(const char *base)
{
	static const char alphabet[] = "0123456789 :,-=./\\\n\tmaxsomefullavgtotalcgroup2memory";
	static const char *const seeds[] = {
		"hybrid/mountinfo", "hybrid/cgroup", "mountinfo/escaped.mountinfo",
		"mountinfo/container-v1.cgroup", "v2/a/b/c/memory.stat", "v2/a/b/c/memory.pressure",
		"v2/a/memory.events", "v1/app/worker/memory.oom_control",
	};
	uint64_t rng = 0x9e3779b97f4a7c15u;
	char buf[256];
	size_t i, k;
	int round;

	for (round = 0; round < 4000; round++) {
		size_t len = rng_next(&rng) % sizeof(buf);

		for (k = 0; k < len; k++) {
			uint64_t r = rng_next(&rng);

			buf[k] = (r & 0x100) ? alphabet[r % (sizeof(alphabet) - 1)] : (char)(r & 0xff);
			if (buf[k] == '\0')
				buf[k] = '\x01';
		}
		buf[len] = '\0';
		parse_all(buf);
	}
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		char *path = fixture(base, seeds[i]);
		char *text = util_read_file(path, NULL);
		size_t len;

		CHECK(text != NULL);
		if (!text) {
			free(path);
			continue;
		}
		len = strlen(text);
		for (round = 0; round < 500 && len > 0; round++) {
			char *m = xstrdup(text);

			for (k = 0; k < 4; k++) {
				uint64_t r = rng_next(&rng);
				char c = (r & 0x100) ? alphabet[r % (sizeof(alphabet) - 1)]
						     : (char)((r >> 16) & 0xff);

				m[(r >> 24) % len] = c;
			}
			/* A NUL cuts the text short, as a read of a shorter file would. */
			parse_all(m);
			free(m);
		}
		free(text);
		free(path);
	}
}

int main(void)
{
	const char *base = getenv("srcdir");

	if (!base || !*base)
		base = ".";
	test_parse_value();
	test_parse_flat_key();
	test_parse_psi();
	test_parse_stat();
	test_parse_mountinfo();
	test_parse_proc_cgroup();
	test_discover(base);
	test_open_root(base);
	test_read_v2(base);
	test_read_v1(base);
	test_pids(base);
	test_junk(base);
	return check_done("test_cgroup");
}
