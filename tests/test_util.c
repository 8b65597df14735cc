/* test_util: option value parsers, sanitising, formatting. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "util.h"

static void test_sizes(void)
{
	static const struct {
		const char *in;
		int rc;
		int64_t bytes;
	} cases[] = {
		{"512", 0, 512}, {"4K", 0, 4096}, {"10MB", 0, 10 << 20}, {"1.5GiB", 0, 1610612736},
		{"2m", 0, 2 << 20}, {"1T", 0, 1099511627776LL}, {"", -1, 0}, {"-1", -1, 0},
		{"10XB", -1, 0}, {"MB", -1, 0}, {"1e30", -1, 0}, {" 5", -1, 0}, {"5 MB", -1, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t b = -7;
		int rc = util_parse_size(cases[i].in, &b);

		CHECK_I64(rc, cases[i].rc);
		if (rc == 0)
			CHECK_I64(b, cases[i].bytes);
	}
}

static void test_durations(void)
{
	static const struct {
		const char *in;
		int rc;
		int64_t ms;
	} cases[] = {
		{"90s", 0, 90000}, {"10m", 0, 600000}, {"1h", 0, 3600000}, {"250ms", 0, 250},
		{"1.5", 0, 1500}, {"0.1s", 0, 100}, {"2d", 0, 172800000}, {"5min", 0, 300000},
		{"", -1, 0}, {"s", -1, 0}, {"10x", -1, 0}, {"-5s", -1, 0}, {"nan", -1, 0}, {"inf", -1, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t ms = -7;
		int rc = util_parse_duration(cases[i].in, &ms);

		CHECK_I64(rc, cases[i].rc);
		if (rc == 0)
			CHECK_I64(ms, cases[i].ms);
	}
}

static void test_rates(void)
{
	double r;

	CHECK(util_parse_rate("5MB/min", &r) == 0);
	CHECK_NEAR(r, 5.0 * 1048576 / 60, 1e-6);
	CHECK(util_parse_rate("1MiB/s", &r) == 0);
	CHECK_NEAR(r, 1048576, 1e-6);
	CHECK(util_parse_rate("100K/h", &r) == 0);
	CHECK_NEAR(r, 102400.0 / 3600, 1e-6);
	CHECK(util_parse_rate("5MB", &r) == -1);
	CHECK(util_parse_rate("5MB/", &r) == -1);
	CHECK(util_parse_rate("5MB/week", &r) == -1);
	CHECK(util_parse_rate("/s", &r) == -1);
}

static void test_sanitize(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"python3", "python3"},
		{"\033]0;pwned\007x", "?]0;pwned?x"},
		{"a\nb\tc", "a b c"},
		{"caf\xc3\xa9", "caf\xc3\xa9"},              /* valid UTF-8 kept */
		{"bad\xff\xfe", "bad??"},                   /* invalid bytes */
		{"c1\xc2\x9b[2J", "c1?\x9b[2J"},             /* C1 CSI: lead byte replaced */
		{"over\xc0\xaflong", "over??long"},          /* overlong '/' */
		{"del\x7f", "del?"},
		{"", ""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = util_sanitize(cases[i].in);

		/* Whatever else: no byte below 0x20 and no DEL survives. */
		for (const char *p = s; *p; p++)
			CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p != 0x7f);
		if (i != 5)
			CHECK_STR(s, cases[i].out);
		free(s);
	}
}

static void test_format(void)
{
	char b[32];

	CHECK_STR(util_fmt_bytes(MS_ABSENT, b, sizeof(b)), "-");
	CHECK_STR(util_fmt_bytes(MS_UNLIMITED, b, sizeof(b)), "max");
	CHECK_STR(util_fmt_bytes(512, b, sizeof(b)), "512B");
	CHECK_STR(util_fmt_bytes(1536, b, sizeof(b)), "1.5K");
	CHECK_STR(util_fmt_bytes(200LL << 20, b, sizeof(b)), "200M");
	CHECK_STR(util_fmt_bytes(3LL << 30, b, sizeof(b)), "3.0G");
	CHECK_STR(util_fmt_duration(NAN, b, sizeof(b)), "-");
	CHECK_STR(util_fmt_duration(42, b, sizeof(b)), "42s");
	CHECK_STR(util_fmt_duration(292, b, sizeof(b)), "4m52s");
	CHECK_STR(util_fmt_duration(7500, b, sizeof(b)), "2h05m");
	CHECK_STR(util_fmt_duration(INFINITY, b, sizeof(b)), "inf");
	/* Rates: 1024-based, as sizes are shown and read. */
	CHECK_STR(util_fmt_rate(2e6, b, sizeof(b)), "1.91 MiB/s");
	CHECK_STR(util_fmt_rate(-3.0 * 1024 * 1024 / 60, b, sizeof(b)), "-3.00 MiB/min");
	CHECK_STR(util_fmt_rate(NAN, b, sizeof(b)), "-");
}

/* + and - walk a ladder that always leads back to 1 s (halving and
 * doubling did not: 1 s, 0.5, 0.25, 0.125, 0.1, then 0.2, 0.4, 0.8, 1.6). */
static void test_interval_ladder(void)
{
	int64_t ms = 1000;

	for (int i = 0; i < 6; i++)
		ms = util_interval_step_ms(ms, -1);
	CHECK_I64(ms, 100);
	for (int i = 0; i < 4; i++)
		ms = util_interval_step_ms(ms, 1);
	CHECK_I64(ms, 1000);
	for (int i = 0; i < 10; i++)
		ms = util_interval_step_ms(ms, 1);
	CHECK_I64(ms, 60000);
	CHECK_I64(util_interval_step_ms(1500, -1), 1000); /* -d 1.5s */
	CHECK_I64(util_interval_step_ms(1500, 1), 2000);
	CHECK_I64(util_interval_step_ms(50, 1), 100);
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

/* Kernel files keep their descriptor; files on other filesystems (fixture
 * trees that tests rewrite by rename) are read afresh every time. */
static void test_read_kept(void)
{
	char dir[] = "/tmp/memslope-kept-XXXXXX", *path, *tmp, *t;
	int before, fd;

	CHECK(mkdtemp(dir) != NULL);
	path = xasprintf("%s/memory.current", dir);
	tmp = xasprintf("%s/new", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(write(fd, "111\n", 4) == 4);
	close(fd);
	t = util_read_kept(path, NULL);
	CHECK_STR(t, "111\n");
	free(t);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(write(fd, "222\n", 4) == 4);
	close(fd);
	CHECK(rename(tmp, path) == 0);
	t = util_read_kept(path, NULL);
	CHECK_STR(t, "222\n");
	free(t);
	unlink(path);
	t = util_read_kept(path, NULL);
	CHECK(t == NULL);
	rmdir(dir);
	free(path);
	free(tmp);

	before = open_fds();
	t = util_read_kept("/proc/self/statm", NULL);
	CHECK(t != NULL && t[0] >= '1' && t[0] <= '9');
	free(t);
	CHECK_I64(open_fds(), before + 1); /* kept */
	t = util_read_kept("/proc/self/statm", NULL);
	CHECK(t != NULL);
	free(t);
	CHECK_I64(open_fds(), before + 1); /* the same one */
	util_kept_close_all();
	CHECK_I64(open_fds(), before);
	t = util_read_kept("/proc/self/no-such-file", NULL);
	CHECK(t == NULL);
	CHECK_I64(open_fds(), before);
}

int main(void)
{
	test_sizes();
	test_durations();
	test_rates();
	test_sanitize();
	test_format();
	test_interval_ladder();
	test_read_kept();
	return check_done("test_util");
}
