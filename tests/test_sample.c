/* test_sample: the /proc parsers of sample_proc and sample_sys. */
#include <stdlib.h>

#include "check.h"
#include "sample_proc.h"
#include "sample_sys.h"
#include "util.h"

static const char status_text[] =
	"Name:\tpython3\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\nNgid:\t0\n"
	"Pid:\t4242\nPPid:\t17\nTracerPid:\t0\nUid:\t1000\t1000\t1000\t1000\n"
	"Gid:\t1000\t1000\t1000\t1000\nFDSize:\t64\nVmPeak:\t  300000 kB\nVmSize:\t  250000 kB\n"
	"VmLck:\t       0 kB\nVmPin:\t       0 kB\nVmHWM:\t  210000 kB\nVmRSS:\t  204800 kB\n"
	"RssAnon:\t  200000 kB\nRssFile:\t    4000 kB\nRssShmem:\t     800 kB\nVmData:\t  220000 kB\n"
	"VmStk:\t     132 kB\nVmExe:\t    2796 kB\nVmLib:\t    6000 kB\nVmPTE:\t     460 kB\n"
	"VmSwap:\t    1024 kB\nHugetlbPages:\t       0 kB\nThreads:\t3\n";

static void test_status(void)
{
	struct status_fields f = {.rss_bytes = MS_ABSENT, .swap_bytes = MS_ABSENT, .threads = MS_ABSENT};

	CHECK(sample_parse_status(status_text, &f) == 0);
	CHECK_I64(f.rss_bytes, 204800LL * 1024);
	CHECK_I64(f.rss_anon_bytes, 200000LL * 1024);
	CHECK_I64(f.rss_file_bytes, 4000LL * 1024);
	CHECK_I64(f.rss_shmem_bytes, 800LL * 1024);
	CHECK_I64(f.swap_bytes, 1024LL * 1024);
	CHECK_I64(f.peak_rss_bytes, 210000LL * 1024);
	CHECK_I64(f.threads, 3);
	CHECK_I64(f.ppid, 17);
	CHECK_I64(f.uid, 1000);
	CHECK(f.state == 'S');
	CHECK_STR(f.name, "python3");
	/* Names are escaped by the kernel: "\\\\" and "\\n" come back raw. */
	CHECK(sample_parse_status("Name:\twe\"ird\\\\name\\nx\nState:\tS (sleeping)\n", &f) == 0);
	CHECK_STR(f.name, "we\"ird\\name\nx");
}

/* A zombie's status has no Vm lines: they stay absent, never 0. */
static void test_status_zombie(void)
{
	struct status_fields f = {.rss_bytes = MS_ABSENT, .swap_bytes = MS_ABSENT};

	CHECK(sample_parse_status("Name:\tdefunct\nState:\tZ (zombie)\nPPid:\t1\nThreads:\t1\n", &f) == 0);
	CHECK_I64(f.rss_bytes, MS_ABSENT);
	CHECK_I64(f.swap_bytes, MS_ABSENT);
	CHECK(f.state == 'Z');
	CHECK(sample_parse_status("", &f) == -1);
	CHECK(sample_parse_status("garbage without keys", &f) == -1);
	CHECK(sample_parse_status("VmRSS:\tlots kB\n", &f) == -1);
}

static void test_statm(void)
{
	int64_t rss = -1, shared = -1;

	CHECK(sample_parse_statm("62500 51200 1200 699 0 55000 0\n", 4096, &rss, &shared) == 0);
	CHECK_I64(rss, 51200LL * 4096);
	CHECK_I64(shared, 1200LL * 4096);
	/* Zombies and kernel threads: all zeros means no mm, i.e. absent. */
	CHECK(sample_parse_statm("0 0 0 0 0 0 0\n", 4096, &rss, &shared) == -1);
	CHECK(sample_parse_statm("", 4096, &rss, &shared) == -1);
	CHECK(sample_parse_statm("12 x", 4096, &rss, &shared) == -1);
	CHECK(sample_parse_statm("10 5 9\n", 4096, &rss, &shared) == -1); /* shared > resident */
	CHECK(sample_parse_statm("99999999999999999999999 1 1", 4096, &rss, &shared) == -1);
}

static void test_smaps(void)
{
	int64_t pss = -1, uss = -1;
	const char *t = "55a59cd84000-7ffdee4cd000 ---p 00000000 00:00 0 [rollup]\nRss:  1764 kB\n"
			"Pss:  780 kB\nPss_Anon: 112 kB\nShared_Clean: 1548 kB\nShared_Dirty: 0 kB\n"
			"Private_Clean: 104 kB\nPrivate_Dirty: 112 kB\nSwap: 0 kB\n";

	CHECK(sample_parse_smaps_rollup(t, &pss, &uss) == 0);
	CHECK_I64(pss, 780 * 1024);
	CHECK_I64(uss, 216 * 1024);
	CHECK(sample_parse_smaps_rollup("Rss: 5 kB\n", &pss, &uss) == -1);
}

static void test_meminfo(void)
{
	struct system_sample s = {.mem_total_bytes = MS_ABSENT, .mem_available_bytes = MS_ABSENT,
				  .swap_total_bytes = MS_ABSENT, .swap_free_bytes = MS_ABSENT};

	CHECK(sample_sys_parse_meminfo("MemTotal:       24684096 kB\nMemFree:        23884096 kB\n"
				       "MemAvailable:   24116580 kB\nSwapTotal:      0 kB\nSwapFree: 0 kB\n",
				       &s) == 0);
	CHECK_I64(s.mem_total_bytes, 24684096LL * 1024);
	CHECK_I64(s.mem_available_bytes, 24116580LL * 1024);
	CHECK_I64(s.swap_total_bytes, 0);
	/* An old kernel without MemAvailable: absent, not 0. */
	s.mem_available_bytes = MS_ABSENT;
	CHECK(sample_sys_parse_meminfo("MemTotal: 100 kB\n", &s) == 0);
	CHECK_I64(s.mem_available_bytes, MS_ABSENT);
}

int main(void)
{
	test_status();
	test_status_zombie();
	test_statm();
	test_smaps();
	test_meminfo();
	return check_done("test_sample");
}
