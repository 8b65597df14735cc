/* test_gpu: the GPU sampler against the stand-in NVML (tests/nvml_standin.c),
 * scripted through MEMSLOPE_NVML_SCRIPT: cards, processes growing, appearing
 * and vanishing, errors, a process list longer than the sampler's buffer, an
 * old driver without the newer entry points, PID namespace mapping against
 * fixture /proc trees, and loading by name through LD_LIBRARY_PATH. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "model.h"
#include "sample_gpu.h"
#include "update_gpu.h"
#include "canvas.h"
#include "view.h"
#include "view_screen.h"
#include "util.h"

#define MiB (1024LL * 1024)
#define GiB (1024 * MiB)

static char dir[256];     /* temp directory */
static char script[300];  /* the stand-in's script */
static char calls[300];   /* the stand-in's call log */
static char lib_new[512], lib_old[512];
static char hostview[300]; /* a fixture /proc of the init PID namespace */

static void write_file(const char *path, const char *text)
{
	char tmp[600];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
		perror(path);
		exit(1);
	}
}

/* Replace the script (rename: the stand-in sees a new inode). */
static void script_set(const char *text)
{
	write_file(script, text);
}

static int count_calls(const char *name)
{
	char *log = util_read_file(calls, NULL), *p;
	size_t n = strlen(name);
	int k = 0;

	for (p = log; p && (p = strstr(p, name)); p += n)
		if ((p == log || p[-1] == '\n') && p[n] == '\n')
			k++;
	free(log);
	return k;
}

static struct sample_gpu *open_lib(const char *lib, int64_t period_ms)
{
	struct sample_gpu_config cfg = {.library = lib, .proc_dir = hostview, .period_ms = period_ms};
	char *why = NULL;
	struct sample_gpu *g = sample_gpu_open(&cfg, &why);

	if (!g)
		fprintf(stderr, "open %s: %s\n", lib, why ? why : "?");
	free(why);
	return g;
}

static const struct gpu_proc *find_one(const struct gpu_sample *s, pid_t pid, unsigned card)
{
	size_t n;
	const struct gpu_proc *p = sample_gpu_find(s, pid, &n);

	for (size_t i = 0; i < n; i++)
		if (p[i].card == card)
			return &p[i];
	return NULL;
}

static void test_absent(void)
{
	struct sample_gpu_config cfg = {.library = "libnvidia-ml-not-here.so.1"};
	char *why = NULL;

	CHECK(sample_gpu_open(&cfg, &why) == NULL);
	CHECK(why != NULL && strstr(why, "libnvidia-ml-not-here") != NULL);
	free(why);
	sample_gpu_close(NULL);
}

static void test_unusable(void)
{
	char *why = NULL;
	struct sample_gpu_config cfg = {.library = lib_new};

	script_set("init_error 9\ngpu 0 1000 X\n");
	CHECK(sample_gpu_open(&cfg, &why) == NULL);
	CHECK(why && strstr(why, "nvmlInit") != NULL);
	free(why);
	script_set("# no card\n");
	CHECK(sample_gpu_open(&cfg, &why) == NULL);
	CHECK_STR(why, "no GPU");
	free(why);
}

static void test_cards_and_processes(void)
{
	struct gpu_sample s;
	struct sample_gpu *g;
	const struct gpu_proc *p;
	size_t n;

	script_set("gpu 0 85899345920 NVIDIA H200\n"
		   "gpu 1 25769803776 Evil\x1b[2JCard\n"
		   "reserved 0 536870912\n"
		   "proc 0 100 compute 1073741824\n"
		   "proc 1 100 graphics 536870912\n"
		   "proc 0 200 compute 268435456\n"
		   "proc 0 200 graphics 268435456\n"
		   "proc 1 300 compute na\n");
	unlink(calls);
	g = open_lib(lib_new, 1000);
	CHECK(g != NULL);
	if (!g)
		return;
	CHECK_I64(sample_gpu_api_version(g), 3);
	sample_gpu_read(g, 0, &s);
	CHECK(s.fresh);
	CHECK_I64(s.pid_map, GPU_PIDS_HOST);
	CHECK_I64(s.n_cards, 2);
	CHECK_STR(s.cards[0].name, "NVIDIA H200");
	CHECK(strchr(s.cards[1].name, '\x1b') == NULL);
	CHECK_I64(s.cards[0].total_bytes, 80 * GiB);
	/* used = reserved + the processes (200's two contexts are one allocation in the
	 * stand-in's sum: 1 GiB + 256 MiB + 256 MiB + 512 MiB reserved). */
	CHECK_I64(s.cards[0].used_bytes, 2 * GiB);
	CHECK_I64(s.cards[0].free_bytes, 78 * GiB);
	CHECK_I64(s.cards[1].total_bytes, 24 * GiB);
	CHECK(s.cards[0].procs_ok && s.cards[1].procs_ok);
	CHECK_I64(s.n_procs, 4); /* 100 on two cards, 200 merged, 300 */
	for (size_t i = 1; i < s.n_procs; i++)
		CHECK(s.procs[i - 1].pid < s.procs[i].pid ||
		      (s.procs[i - 1].pid == s.procs[i].pid && s.procs[i - 1].card < s.procs[i].card));
	p = sample_gpu_find(&s, 100, &n);
	CHECK_I64(n, 2);
	CHECK(p && p[0].card == 0 && p[0].used_bytes == GiB && p[0].kind == GPU_KIND_COMPUTE);
	CHECK(p && p[1].card == 1 && p[1].used_bytes == 512 * MiB && p[1].kind == GPU_KIND_GRAPHICS);
	p = find_one(&s, 200, 0);
	CHECK(p && p->used_bytes == 256 * MiB && p->kind == (GPU_KIND_COMPUTE | GPU_KIND_GRAPHICS));
	p = find_one(&s, 300, 1);
	CHECK(p && !ms_has(p->used_bytes)); /* NVML_VALUE_NOT_AVAILABLE is absent, not a number */
	CHECK(sample_gpu_find(&s, 999, &n) == NULL && n == 0);
	CHECK(count_calls("nvmlInit_v2") == 1);
	CHECK(count_calls("nvmlDeviceGetMemoryInfo_v2") == 2);
	CHECK(count_calls("nvmlDeviceGetComputeRunningProcesses_v3") == 2);
	CHECK(count_calls("nvmlDeviceGetGraphicsRunningProcesses_v3") == 2);
	CHECK(count_calls("nvmlDeviceGetComputeRunningProcesses") == 0);

	/* Cadence: within the period the last reading is returned, NVML is not called. */
	sample_gpu_read(g, 500, &s);
	CHECK(!s.fresh && s.t_ms == 0 && s.n_procs == 4);
	CHECK(count_calls("nvmlDeviceGetMemoryInfo_v2") == 2);
	sample_gpu_read(g, 1000, &s);
	CHECK(s.fresh && s.t_ms == 1000);
	CHECK(count_calls("nvmlDeviceGetMemoryInfo_v2") == 4);
	sample_gpu_close(g);
	CHECK(count_calls("nvmlShutdown") == 1);
}

/* Growth, a process appearing and vanishing, errors on one card. */
static void test_changes(void)
{
	struct gpu_sample s;
	struct sample_gpu *g;
	const struct gpu_proc *p;
	int64_t before;

	script_set("gpu 0 1073741824 A\ngpu 1 1073741824 B\nproc 0 100 compute 104857600\n");
	g = open_lib(lib_new, 100);
	if (!(g))
		return;
	sample_gpu_read(g, 0, &s);
	CHECK_I64(s.n_procs, 1);
	script_set("gpu 0 1073741824 A\ngpu 1 1073741824 B\nproc 0 100 compute 209715200\n"
		   "proc 1 400 compute 1048576\n");
	sample_gpu_read(g, 100, &s);
	p = find_one(&s, 100, 0);
	CHECK(p && p->used_bytes == 200 * MiB);
	CHECK(find_one(&s, 400, 1) != NULL); /* appeared */
	script_set("gpu 0 1073741824 A\ngpu 1 1073741824 B\nproc 0 100 compute 314572800\n");
	sample_gpu_read(g, 200, &s);
	CHECK(find_one(&s, 400, 1) == NULL); /* vanished */
	CHECK_I64(s.n_procs, 1);
	CHECK(s.cards[1].procs_ok);

	/* Growth by rate, in the stand-in's own time. */
	script_set("gpu 0 1073741824 A\ngpu 1 1073741824 B\nproc 0 100 compute 0 rate=1e9\n");
	sample_gpu_read(g, 300, &s);
	before = find_one(&s, 100, 0) ? find_one(&s, 100, 0)->used_bytes : 0;
	nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
	sample_gpu_read(g, 400, &s);
	p = find_one(&s, 100, 0);
	CHECK(p && p->used_bytes >= before + 40 * 1000 * 1000);

	/* A lost card's memory is absent; a failed process list makes the card's
	 * processes unknown (procs_ok false), not zero. The other card is intact. */
	script_set("gpu 0 1073741824 A\ngpu 1 1073741824 B\nproc 0 100 compute 1048576\n"
		   "proc 1 500 compute 2097152\nerror 0 memory 15\nerror 1 compute 999\n");
	sample_gpu_read(g, 500, &s);
	CHECK(!ms_has(s.cards[0].total_bytes) && !ms_has(s.cards[0].used_bytes));
	CHECK(s.cards[0].procs_ok && find_one(&s, 100, 0) != NULL);
	CHECK_I64(s.cards[1].total_bytes, GiB);
	CHECK(!s.cards[1].procs_ok && find_one(&s, 500, 1) == NULL);
	/* The card comes back. */
	script_set("gpu 0 1073741824 A\ngpu 1 1073741824 B\nproc 1 500 compute 2097152\n");
	sample_gpu_read(g, 600, &s);
	CHECK(ms_has(s.cards[0].total_bytes) && s.cards[1].procs_ok && find_one(&s, 500, 1) != NULL);
	sample_gpu_close(g);
}

/* More processes than the sampler's first buffer: NVML's INSUFFICIENT_SIZE is retried. */
static void test_many(void)
{
	char text[8192];
	size_t len = 0;
	struct gpu_sample s;
	struct sample_gpu *g;
	bool all = true;

	len += (size_t)snprintf(text + len, sizeof(text) - len, "gpu 0 85899345920 A\n");
	for (int i = 0; i < 40; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "proc 0 %d compute %d\n", 1000 + i,
					(i + 1) * 1048576);
	script_set(text);
	g = open_lib(lib_new, 100);
	if (!g)
		return;
	sample_gpu_read(g, 0, &s);
	CHECK_I64(s.n_procs, 40);
	for (int i = 0; i < 40; i++) {
		const struct gpu_proc *p = find_one(&s, 1000 + i, 0);

		all &= p && p->used_bytes == (i + 1) * MiB;
	}
	CHECK(all);
	sample_gpu_close(g);
}

/* An old driver: nvmlInit, the v1 process lists (16-byte entries) and
 * nvmlDeviceGetMemoryInfo only. */
static void test_old_driver(void)
{
	struct gpu_sample s;
	struct sample_gpu *g;
	const struct gpu_proc *p;

	script_set("gpu 0 17179869184 Tesla K80\nreserved 0 104857600\n"
		   "proc 0 100 compute 1073741824\nproc 0 101 compute 2147483648\n"
		   "proc 0 102 graphics 3221225472\n");
	unlink(calls);
	g = open_lib(lib_old, 100);
	if (!g)
		return;
	CHECK_I64(sample_gpu_api_version(g), 1);
	sample_gpu_read(g, 0, &s);
	CHECK_I64(s.n_procs, 3);
	p = find_one(&s, 101, 0);
	CHECK(p && p->used_bytes == 2 * GiB);
	p = find_one(&s, 102, 0);
	CHECK(p && p->used_bytes == 3 * GiB && p->kind == GPU_KIND_GRAPHICS);
	CHECK_I64(s.cards[0].used_bytes, 6 * GiB + 100 * MiB);
	CHECK(count_calls("nvmlInit") == 1 && count_calls("nvmlInit_v2") == 0);
	CHECK(count_calls("nvmlDeviceGetComputeRunningProcesses") == 1);
	CHECK(count_calls("nvmlDeviceGetMemoryInfo") == 1);
	sample_gpu_close(g);
}

/* A library that exports _v3 but whose driver refuses it: the sampler steps down. */
static void test_runtime_fallback(void)
{
	struct gpu_sample s;
	struct sample_gpu *g;

	script_set("gpu 0 1073741824 A\nproc 0 100 compute 1048576\nproc 0 101 compute 2097152\n"
		   "error 0 list3 13\nerror 0 memory2 25\n");
	g = open_lib(lib_new, 100);
	if (!g)
		return;
	sample_gpu_read(g, 0, &s);
	CHECK_I64(sample_gpu_api_version(g), 2);
	CHECK(s.cards[0].procs_ok && s.n_procs == 2);
	CHECK(find_one(&s, 101, 0) && find_one(&s, 101, 0)->used_bytes == 2 * MiB);
	CHECK_I64(s.cards[0].total_bytes, GiB); /* from nvmlDeviceGetMemoryInfo */
	sample_gpu_close(g);
}

static void mkdirs(const char *path)
{
	char buf[600];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	mkdir(buf, 0755);
}

static void fixture_proc(const char *root, const char *pid, const char *nspid, long long start)
{
	char path[600], text[512];

	snprintf(path, sizeof(path), "%s/%s", root, pid);
	mkdirs(path);
	snprintf(path, sizeof(path), "%s/%s/status", root, pid);
	snprintf(text, sizeof(text), "Name:\tpython3\nNSpid:\t%s\nVmRSS:\t100 kB\n", nspid);
	write_file(path, text);
	snprintf(path, sizeof(path), "%s/%s/stat", root, pid);
	snprintf(text, sizeof(text),
		 "%s (py) (x)) S 1 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 %lld 1000 10\n", pid, start);
	write_file(path, text);
}

/* PID namespaces: NVML's host PIDs placed in a container's view through the
 * host's /proc, checked by start time; unmapped without it. */
static void test_pid_namespace(void)
{
	char ours[400], host[400], link[500];
	struct sample_gpu_config cfg = {.library = lib_new, .period_ms = 100};
	struct gpu_sample s;
	struct sample_gpu *g;
	const struct gpu_proc *p;

	snprintf(ours, sizeof(ours), "%s/ours", dir);
	snprintf(host, sizeof(host), "%s/host", dir);
	fixture_proc(ours, "self", "7", 50);
	mkdirs(strcat(strcpy(link, ours), "/self/ns"));
	strcat(link, "/pid");
	CHECK(symlink("pid:[4026532999]", link) == 0);
	fixture_proc(ours, "12", "12", 777);
	fixture_proc(ours, "13", "13", 800);
	fixture_proc(host, "5000", "5000 12", 777); /* our 12 */
	fixture_proc(host, "5001", "5001 13", 801); /* our 13 is another process */
	fixture_proc(host, "6000", "6000 40 3", 900); /* nested deeper: our 40 */
	fixture_proc(ours, "40", "40 3", 900);
	script_set("gpu 0 1073741824 A\nproc 0 5000 compute 1048576\nproc 0 5001 compute 2097152\n"
		   "proc 0 6000 compute 3145728\nproc 0 7000 compute 4194304\n");
	cfg.proc_dir = ours;
	cfg.host_proc_dir = host;
	g = sample_gpu_open(&cfg, NULL);
	CHECK(g != NULL);
	if (g) {
		sample_gpu_read(g, 0, &s);
		CHECK_I64(s.pid_map, GPU_PIDS_NSPID);
		p = find_one(&s, 12, 0);
		CHECK(p && p->used_bytes == MiB);
		CHECK(find_one(&s, 13, 0) == NULL && find_one(&s, 5001, 0) == NULL);
		p = find_one(&s, 40, 0);
		CHECK(p && p->used_bytes == 3 * MiB);
		CHECK_I64(s.n_procs, 2);
		CHECK_I64(s.n_unmapped, 2); /* 5001 (start time differs), 7000 (not in the host's /proc) */
		/* A reused host PID is looked up again once NVML stopped listing it. */
		script_set("gpu 0 1073741824 A\n");
		sample_gpu_read(g, 100, &s);
		fixture_proc(host, "5000", "5000 13", 800);
		script_set("gpu 0 1073741824 A\nproc 0 5000 compute 1048576\n");
		sample_gpu_read(g, 200, &s);
		CHECK(find_one(&s, 13, 0) != NULL && find_one(&s, 12, 0) == NULL);
		sample_gpu_close(g);
	}
	cfg.host_proc_dir = NULL;
	g = sample_gpu_open(&cfg, NULL);
	if (g) {
		sample_gpu_read(g, 0, &s);
		CHECK_I64(s.pid_map, GPU_PIDS_UNMAPPED);
		CHECK_I64(s.n_procs, 0);
		CHECK_I64(s.n_unmapped, 1);
		CHECK_STR(sample_gpu_pid_map_name(s.pid_map), "unmapped");
		sample_gpu_close(g);
	}
	/* memslope in the init namespace: NVML's PIDs as they are. */
	unlink(link);
	CHECK(symlink("pid:[4026531836]", link) == 0);
	cfg.host_proc_dir = host;
	g = sample_gpu_open(&cfg, NULL);
	if (g) {
		sample_gpu_read(g, 0, &s);
		CHECK_I64(s.pid_map, GPU_PIDS_HOST);
		CHECK(find_one(&s, 5000, 0) != NULL);
		sample_gpu_close(g);
	}
}

static void test_parsers(void)
{
	pid_t ns[4];

	CHECK_I64(sample_gpu_parse_nspid("Name:\tx\nNSpid:\t5000\t12\t3\nNStgid:\t1\n", ns, 4), 3);
	CHECK(ns[0] == 5000 && ns[1] == 12 && ns[2] == 3);
	CHECK_I64(sample_gpu_parse_nspid("Name:\tx\nPid:\t4\n", ns, 4), 0);
	CHECK_I64(sample_gpu_parse_nspid("NSpid:\t1 2 3 4 5\n", ns, 2), 2);
	CHECK_I64(sample_gpu_parse_nspid("NSpid:\t-3\n", ns, 2), 0);
	CHECK_I64(sample_gpu_parse_starttime("5 (a) b) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 4242 9 9"), 4242);
	CHECK_I64(sample_gpu_parse_starttime("5 (a) S 1 1"), -1);
	CHECK_I64(sample_gpu_parse_starttime(NULL), -1);
}

/* The update stage: per process and per tree GPU series, summed over GPUs,
 * limited by the card's total minus the others' use, with a trend. */
static void test_update(void)
{
	struct model *m = model_new("h", 1000);
	struct proc_entity *a = model_proc_add(m, 100, 1), *b = model_proc_add(m, 101, 1);
	struct proc_entity *c = model_proc_add(m, 102, 1);
	struct tree_entity *t = model_tree_add(m, 100, 1);
	struct gpu_card cards[2] = {
		{.index = 0, .name = "A", .total_bytes = 80 * GiB, .used_bytes = 30 * GiB,
		 .free_bytes = 50 * GiB, .procs_ok = true},
		{.index = 1, .name = "B", .total_bytes = 80 * GiB, .used_bytes = 10 * GiB,
		 .free_bytes = 70 * GiB, .procs_ok = true},
	};
	struct gpu_proc procs[3] = {
		{.pid = 100, .card = 0, .used_bytes = 4 * GiB, .kind = GPU_KIND_COMPUTE},
		{.pid = 100, .card = 1, .used_bytes = 2 * GiB, .kind = GPU_KIND_COMPUTE},
		{.pid = 101, .card = 0, .used_bytes = 1 * GiB, .kind = GPU_KIND_COMPUTE},
	};
	struct gpu_sample s = {.n_cards = 2, .cards = cards, .n_procs = 3, .procs = procs,
			       .pid_map = GPU_PIDS_HOST, .fresh = true};
	pid_t members[2] = {100, 101};
	const struct trend_result *r;

	t->pids = xmalloc(sizeof(members));
	memcpy(t->pids, members, sizeof(members));
	t->n_procs = 2;
	update_gpu_procs(m, &s);
	update_gpu_trees(m, &s);
	CHECK_I64(m->n_gpus, 2);
	CHECK_STR(m->gpus[1].name, "B");
	CHECK_I64(m->gpus[0].used_bytes, 30 * GiB);
	CHECK_STR(m->gpu_pid_map, "host");
	CHECK(a->gpu && b->gpu && !c->gpu); /* 102 never used a GPU: no series */
	CHECK_I64(a->gpu->bytes, 6 * GiB);
	CHECK_I64(a->gpu->n_cards, 2);
	CHECK(a->gpu->cards[0].index == 0 && a->gpu->cards[0].bytes == 4 * GiB);
	CHECK(a->gpu->cards[1].index == 1 && a->gpu->cards[1].bytes == 2 * GiB);
	/* Own use plus each card's free memory: 4 + 50 and 2 + 70 GiB. */
	CHECK_I64(a->gpu->limit_bytes, 126 * GiB);
	CHECK_NEAR(a->gpu->usage_pct, 100.0 * 6 / 126, 1e-9);
	CHECK_I64(b->gpu->limit_bytes, 51 * GiB);
	CHECK(t->gpu && t->gpu->bytes == 7 * GiB);
	CHECK(t->gpu->n_cards == 2 && t->gpu->cards[0].bytes == 5 * GiB);
	CHECK_I64(t->gpu->limit_bytes, 7 * GiB + 120 * GiB);

	/* Not fresh: nothing changes. */
	procs[0].used_bytes = 9 * GiB;
	s.fresh = false;
	update_gpu_procs(m, &s);
	CHECK_I64(a->gpu->bytes, 6 * GiB);
	s.fresh = true;

	/* A failed list: the sum is absent, not a smaller number. */
	cards[1].procs_ok = false;
	s.n_procs = 2;
	update_gpu_procs(m, &s);
	CHECK(!ms_has(a->gpu->bytes) && !ms_has(a->gpu->limit_bytes) && isnan(a->gpu->usage_pct));
	CHECK_I64(a->gpu->peak_bytes, 6 * GiB);
	cards[1].procs_ok = true;
	/* Own use and free memory read a moment apart never exceed the card. */
	s.n_procs = 1;
	cards[0].free_bytes = 79 * GiB;
	update_gpu_procs(m, &s);
	CHECK_I64(a->gpu->limit_bytes, 80 * GiB);
	cards[0].free_bytes = 50 * GiB;
	/* Freed every context: 0, which is a value. */
	s.n_procs = 0;
	update_gpu_procs(m, &s);
	CHECK_I64(a->gpu->bytes, 0);

	/* 256 MiB a second on an 80 GiB card: growing, with a time to the card's limit. */
	model_free(m);
	m = model_new("h", 1000);
	a = model_proc_add(m, 100, 1);
	s.n_cards = 1;
	s.n_procs = 1;
	for (int i = 0; i < 60; i++) {
		procs[0] = (struct gpu_proc){.pid = 100, .card = 0, .used_bytes = (int64_t)i * 256 * MiB,
					     .kind = GPU_KIND_COMPUTE};
		cards[0].used_bytes = GiB + procs[0].used_bytes;
		cards[0].free_bytes = 80 * GiB - cards[0].used_bytes;
		s.t_ms = 1000 + (int64_t)i * 1000;
		update_gpu_procs(m, &s);
	}
	r = trend_get(&a->gpu->trend);
	CHECK(r->verdict == TREND_GROWING);
	CHECK_NEAR(r->slope_bytes_per_s, 256.0 * MiB, 0.05 * 256 * MiB);
	/* 79 GiB reachable, 14.75 GiB used: about 257 s left. */
	CHECK(isfinite(r->ttl_s) && r->ttl_s > 200 && r->ttl_s < 300);
	CHECK_I64(a->gpu->limit_bytes, 79 * GiB);
	model_free(m);
}

/* The screens as text: the GPU header line and column, the row's verdict and
 * TTL taken by a more urgent GPU trend, the detail view's per GPU figures
 * and limit line; and none of it without GPUs. */
static void test_screens(void)
{
	struct model *m = model_new("h", 1000);
	struct proc_entity *a = model_proc_add(m, 100, 1), *b = model_proc_add(m, 101, 1);
	struct gpu_card cards[2] = {
		{.index = 0, .name = "NVIDIA H200", .total_bytes = 80 * GiB, .used_bytes = 30 * GiB,
		 .free_bytes = 50 * GiB, .procs_ok = true},
		{.index = 1, .name = "NVIDIA H200", .total_bytes = 80 * GiB, .used_bytes = 10 * GiB,
		 .free_bytes = 70 * GiB, .procs_ok = true},
	};
	struct gpu_proc procs[2];
	struct gpu_sample s = {.n_cards = 2, .cards = cards, .n_procs = 2, .procs = procs, .fresh = true};
	struct canvas *c = canvas_new(100, 30);
	struct view_state vs;
	char *text;

	for (size_t i = 0; i < m->n_procs; i++) {
		struct proc_entity *p = m->procs[i];

		p->name = xstrdup(p == a ? "python3" : "bash");
		p->cmdline = xstrdup(p == a ? "python3 train.py" : "bash");
		p->user = xstrdup("u");
		p->rss_bytes = p->rss_anon_bytes = 100 * MiB;
		p->limit_bytes = 64 * GiB;
		p->usage_pct = 0.2;
		p->selected = true;
	}
	m->mono_ms = m->time_ms = 61000;
	view_state_init(&vs, GLYPHS_ASCII);
	view_screen_draw(c, m, &vs);
	text = canvas_to_text(c);
	CHECK(strstr(text, "GPU") == NULL); /* no GPU, no GPU anything */
	free(text);

	/* python3 grows 256 MiB/s on GPU 0 and holds 2 GiB on GPU 1. */
	for (int i = 0; i < 60; i++) {
		procs[0] = (struct gpu_proc){.pid = 100, .card = 0, .used_bytes = 4 * GiB + (int64_t)i * 256 * MiB};
		procs[1] = (struct gpu_proc){.pid = 100, .card = 1, .used_bytes = 2 * GiB};
		cards[0].used_bytes = 26 * GiB + procs[0].used_bytes;
		cards[0].free_bytes = 80 * GiB - cards[0].used_bytes;
		s.t_ms = 1000 + (int64_t)i * 1000;
		m->mono_ms = m->time_ms = s.t_ms;
		update_gpu_procs(m, &s);
	}
	(void)b;
	canvas_resize(c, 100, 30);
	view_screen_draw(c, m, &vs);
	text = canvas_to_text(c);
	CHECK(strstr(text, "\nGPU 0 ") != NULL && strstr(text, "/80.0G") != NULL);
	CHECK(strstr(text, " GPU ") != NULL);           /* the column */
	CHECK(strstr(text, "G:growing") != NULL);      /* python3's row */
	{
		/* its TTL cell, marked G: "G6-8m" */
		const char *row = strstr(text, "G:growing"), *end = row ? strchr(row, '\n') : NULL, *g = row;
		bool ttl = false;

		while (g && (g = strstr(g + 1, " G")) && (!end || g < end))
			ttl |= g[2] >= '0' && g[2] <= '9';
		CHECK(ttl);
	}
	if (!strstr(text, "G:growing"))
		fprintf(stderr, "%s\n", text);
	free(text);

	vs.view = VIEW_DETAIL;
	vs.detail_pid = 100;
	view_screen_draw(c, m, &vs);
	text = canvas_to_text(c);
	CHECK(strstr(text, "(0: 18.8G 1: 2.0G)") != NULL); /* per GPU */
	CHECK(strstr(text, "GPU GROWING") != NULL || strstr(text, "GPU growing") != NULL);
	/* the limit line (own + free on each card: 54 + 72 GiB) and its legend */
	CHECK(strstr(text, "=GPU 126G") != NULL && strstr(text, "TTL->126G") != NULL);
	if (!strstr(text, "(0: 18.8G 1: 2.0G)") || !strstr(text, "=GPU 126G"))
		fprintf(stderr, "%s\n", text);
	free(text);
	view_state_done(&vs);
	canvas_free(c);
	model_free(m);
}

/* The post-mortem's CUDA OOM judgement. */
static void test_oom_likely(void)
{
	struct gpu_series *g = model_gpu_series_new();
	const int exit1 = 1 << 8, exit0 = 0, killed = SIGKILL, aborted = SIGABRT;

	CHECK(!update_gpu_oom_likely(NULL, exit1));
	CHECK(!update_gpu_oom_likely(g, exit1)); /* no reading */
	g->last_bytes = 70 * GiB;
	g->last_limit_bytes = 79 * GiB;
	CHECK(!update_gpu_oom_likely(g, exit1)); /* 9 GiB free: not near */
	g->last_bytes = 75 * GiB;
	CHECK(update_gpu_oom_likely(g, exit1));
	CHECK(update_gpu_oom_likely(g, aborted));
	CHECK(!update_gpu_oom_likely(g, exit0));
	CHECK(!update_gpu_oom_likely(g, killed)); /* the host's OOM killer, not CUDA */
	/* A small job: 64 MiB is near whatever the share. */
	g->last_bytes = 200 * MiB;
	g->last_limit_bytes = 250 * MiB;
	CHECK(update_gpu_oom_likely(g, exit1));
	model_gpu_series_free(g);
}

/* Loaded by its ordinary name, found through LD_LIBRARY_PATH (run in a child
 * process: the dynamic loader reads LD_LIBRARY_PATH once, at start). */
static int child_by_name(void)
{
	struct gpu_sample s;
	struct sample_gpu *g = open_lib(NULL, 100);

	CHECK(g != NULL);
	if (g) {
		sample_gpu_read(g, 0, &s);
		CHECK_I64(s.n_cards, 1);
		CHECK_STR(s.cards[0].name, "By Name");
		sample_gpu_close(g);
	}
	return check_done("test_gpu (by name)");
}

static void test_by_name(const char *self)
{
	char *const argv[] = {(char *)self, NULL};
	const char *libdir = getenv("NVML_STANDIN_DIR");
	int status = 0;
	pid_t pid;

	script_set("gpu 0 1073741824 By Name\n");
	pid = fork();
	if (pid == 0) {
		setenv("LD_LIBRARY_PATH", libdir, 1);
		setenv("TEST_GPU_CHILD", "1", 1);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(int argc, char **argv)
{
	const char *libdir = getenv("NVML_STANDIN_DIR");

	(void)argc;
	if (getenv("TEST_GPU_CHILD"))
		return child_by_name();
	if (!libdir) {
		printf("SKIP: NVML_STANDIN_DIR unset (run through make check)\n");
		return 77;
	}
	snprintf(lib_new, sizeof(lib_new), "%s/libnvidia-ml.so.1", libdir);
	snprintf(lib_old, sizeof(lib_old), "%s-old/libnvidia-ml.so.1", libdir);
	snprintf(dir, sizeof(dir), "%s/test_gpu.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(script, sizeof(script), "%s/script", dir);
	snprintf(calls, sizeof(calls), "%s/calls", dir);
	setenv("MEMSLOPE_NVML_SCRIPT", script, 1);
	setenv("MEMSLOPE_NVML_LOG", calls, 1);

	snprintf(hostview, sizeof(hostview), "%s/hostview", dir);
	fixture_proc(hostview, "self", "4321", 10);
	{
		char link[400];

		snprintf(link, sizeof(link), "%s/self/ns", hostview);
		mkdirs(link);
		strcat(link, "/pid");
		if (symlink("pid:[4026531836]", link) != 0) {
			perror(link);
			return 1;
		}
	}
	test_parsers();
	test_absent();
	test_unusable();
	test_cards_and_processes();
	test_changes();
	test_many();
	test_old_driver();
	test_runtime_fallback();
	test_pid_namespace();
	test_update();
	test_oom_likely();
	test_screens();
	test_by_name(argv[0]);
	{
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return check_done("test_gpu");
}
