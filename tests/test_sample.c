/* test_sample: the /proc parsers of sample_proc and sample_sys, and the
 * sampler's discovery of new processes on the live system. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
	CHECK_I64(f.vm_size_bytes, 250000LL * 1024);
	CHECK_I64(f.vm_data_bytes, 220000LL * 1024);
	CHECK_I64(f.vm_stk_bytes, 132LL * 1024);
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
	int64_t rss = -1, shared = -1, size = -1, data = -1;

	CHECK(sample_parse_statm("62500 51200 1200 699 0 55000 0\n", 4096, &rss, &shared, &size, &data) == 0);
	CHECK_I64(rss, 51200LL * 4096);
	CHECK_I64(shared, 1200LL * 4096);
	CHECK_I64(size, 62500LL * 4096);
	CHECK_I64(data, 55000LL * 4096);
	/* Truncated after the third column: VmSize yes, data absent. */
	CHECK(sample_parse_statm("62500 51200 1200", 4096, &rss, &shared, &size, &data) == 0);
	CHECK_I64(size, 62500LL * 4096);
	CHECK_I64(data, MS_ABSENT);
	/* Zombies and kernel threads: all zeros means no mm, i.e. absent. */
	CHECK(sample_parse_statm("0 0 0 0 0 0 0\n", 4096, &rss, &shared, NULL, NULL) == -1);
	CHECK(sample_parse_statm("", 4096, &rss, &shared, NULL, NULL) == -1);
	CHECK(sample_parse_statm("12 x", 4096, &rss, &shared, NULL, NULL) == -1);
	CHECK(sample_parse_statm("10 5 9\n", 4096, &rss, &shared, NULL, NULL) == -1); /* shared > resident */
	CHECK(sample_parse_statm("99999999999999999999999 1 1", 4096, &rss, &shared, NULL, NULL) == -1);
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
	s.commit_limit_bytes = s.committed_as_bytes = MS_ABSENT;
	CHECK(sample_sys_parse_meminfo("CommitLimit:    12342048 kB\nCommitted_AS:    5000000 kB\n", &s) == 0);
	CHECK_I64(s.commit_limit_bytes, 12342048LL * 1024);
	CHECK_I64(s.committed_as_bytes, 5000000LL * 1024);
}

static void test_overcommit(void)
{
	static const struct {
		const char *text;
		int mode;
	} cases[] = {
		{"0\n", 0}, {"1\n", 1}, {"2\n", 2}, {"2", 2}, {"3\n", -1}, {"-1\n", -1},
		{"", -1}, {"x\n", -1}, {"2x\n", -1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_I64(sample_sys_parse_overcommit(cases[i].text), cases[i].mode);
}

static long last_pid(void)
{
	char *t = util_read_file("/proc/loadavg", NULL);
	const char *sp = t ? strrchr(t, ' ') : NULL;
	long v = sp ? strtol(sp + 1, NULL, 10) : -1;

	free(t);
	return v;
}

static int pipe_fd[2];
static volatile pid_t thread_tid;

static void *thread_main(void *arg)
{
	char c;

	(void)arg;
	thread_tid = gettid();
	if (read(pipe_fd[0], &c, 1) < 0)
		return NULL;
	return NULL;
}

static const struct proc_sample *tracked_pid(struct sample_proc *sp, pid_t pid)
{
	struct proc_sample **v;
	size_t n = sample_proc_tracked(sp, &v);

	for (size_t i = 0; i < n; i++)
		if (v[i]->pid == pid)
			return v[i];
	return NULL;
}

/* A process started between two ticks is found by looking its PID up (no
 * walk of /proc when few PIDs were handed out), a new thread is not taken
 * for a process, and the full walk still comes every 10 s. */
static void test_discovery(void)
{
	struct sample_select sel = {.all = true};
	struct sample_proc *sp;
	const struct proc_sample *p;
	char *err = NULL, path[64];
	pthread_t th;
	pid_t child;
	long before, after;
	unsigned long walks;

	sp = sample_proc_new(&sel, NULL, PSS_OFF, &err);
	CHECK(sp != NULL);
	if (!sp)
		return;
	sample_proc_tick(sp, 0);
	walks = sample_proc_walks(sp);
	CHECK_I64(walks, 1);
	before = last_pid();

	CHECK(pipe(pipe_fd) == 0);
	CHECK(pthread_create(&th, NULL, thread_main, NULL) == 0);
	child = fork();
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execlp("sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	CHECK(child > 0);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)child);
	for (int i = 0; i < 200; i++) { /* until the exec is done */
		char *comm = util_read_file(path, NULL);
		bool done = comm && strcmp(comm, "sleep\n") == 0;

		free(comm);
		if (done && thread_tid)
			break;
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	after = last_pid();

	sample_proc_tick(sp, 1000);
	p = tracked_pid(sp, child);
	CHECK(p != NULL);
	if (p)
		CHECK_STR(p->name, "sleep");
	CHECK(thread_tid > 0 && tracked_pid(sp, thread_tid) == NULL);
	CHECK(tracked_pid(sp, getpid()) != NULL);
	/* Other programs may start many processes meanwhile: then a walk is
	 * right. */
	if (before > 0 && after >= before && after - before <= 64)
		CHECK_I64(sample_proc_walks(sp), walks);

	sample_proc_tick(sp, 11000);
	CHECK_I64(sample_proc_walks(sp), walks + 1);
	CHECK(tracked_pid(sp, child) != NULL);
	CHECK(thread_tid > 0 && tracked_pid(sp, thread_tid) == NULL);

	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	CHECK(write(pipe_fd[1], "x", 1) == 1);
	pthread_join(th, NULL);
	close(pipe_fd[0]);
	close(pipe_fd[1]);
	sample_proc_free(sp);
}

/* A watched process's RLIMIT_AS, VmSize, VmData and ELF class: read at its
 * first tick, a prlimit on it seen at the next LIMITS_MS refresh, not
 * before. */
static void test_limits_live(void)
{
	struct sample_select sel = {0};
	struct sample_proc *sp;
	const struct proc_sample *p;
	struct rlimit rl = {256 << 20, 512 << 20};
	char *err = NULL;
	pid_t child;
	int ready[2];
	char c;

	CHECK(pipe(ready) == 0);
	child = fork();
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setrlimit(RLIMIT_AS, &rl);
		close(ready[0]);
		if (write(ready[1], "x", 1) != 1)
			_exit(126);
		execlp("sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	close(ready[1]);
	CHECK(read(ready[0], &c, 1) == 1);
	close(ready[0]);
	for (int i = 0; i < 200; i++) { /* until the exec is done */
		char path[64], *comm;
		bool done;

		snprintf(path, sizeof(path), "/proc/%d/comm", (int)child);
		comm = util_read_file(path, NULL);
		done = comm && strcmp(comm, "sleep\n") == 0;
		free(comm);
		if (done)
			break;
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	sel.pids = &child;
	sel.n_pids = 1;
	sp = sample_proc_new(&sel, NULL, PSS_OFF, &err);
	CHECK(sp != NULL);
	if (!sp)
		return;
	sample_proc_tick(sp, 100000);
	p = tracked_pid(sp, child);
	CHECK(p != NULL);
	if (p) {
		CHECK_I64(p->rl.as_soft_bytes, 256 << 20);
		CHECK_I64(p->rl.as_hard_bytes, 512 << 20);
		CHECK(p->vm_size_bytes > 0 && p->vm_size_bytes <= 256 << 20);
		CHECK(p->vm_data_bytes > 0 && p->vm_data_bytes < p->vm_size_bytes);
		CHECK_I64(p->address_bits, sizeof(void *) * 8);
	}
	rl.rlim_cur = 128 << 20;
	CHECK(prlimit(child, RLIMIT_AS, &rl, NULL) == 0);
	sample_proc_tick(sp, 101000);
	p = tracked_pid(sp, child);
	if (p) {
		char path[64], *text;
		struct status_fields f = {.vm_data_bytes = MS_ABSENT};

		CHECK_I64(p->rl.as_soft_bytes, 256 << 20);
		/* VmData as status says (sleep does not grow). */
		snprintf(path, sizeof(path), "/proc/%d/status", (int)child);
		text = util_read_file(path, NULL);
		CHECK(text && sample_parse_status(text, &f) == 0);
		CHECK_I64(p->vm_data_bytes, f.vm_data_bytes);
		free(text);
	}
	sample_proc_tick(sp, 105000);
	p = tracked_pid(sp, child);
	CHECK(p != NULL);
	if (p)
		CHECK_I64(p->rl.as_soft_bytes, 128 << 20);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	sample_proc_free(sp);
}

int main(void)
{
	test_status();
	test_status_zombie();
	test_statm();
	test_smaps();
	test_meminfo();
	test_overcommit();
	test_discovery();
	test_limits_live();
	return check_done("test_sample");
}
