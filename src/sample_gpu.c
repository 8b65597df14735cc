/* sample_gpu: NVML loaded with dlopen, read at most once a period.
 *
 * Entry points are looked up newest first (nvmlInit_v2, the _v3 and _v2
 * process lists, nvmlDeviceGetMemoryInfo_v2) and fall back to the older ones
 * an old driver exports. The structs below are NVML's ABI, declared here so
 * that no header from NVIDIA is needed to build. */
#include "sample_gpu.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define NVML_SUCCESS 0
#define NVML_ERROR_NOT_SUPPORTED 3
#define NVML_ERROR_INSUFFICIENT_SIZE 7
#define NVML_ERROR_FUNCTION_NOT_FOUND 13
#define NVML_ERROR_ARGUMENT_VERSION_MISMATCH 25
#define NVML_VALUE_NOT_AVAILABLE (~0ULL)
/* The init PID namespace's inode (PROC_PID_INIT_INO in the kernel). */
#define PID_NS_INIT_INO 0xEFFFFFFCULL

typedef void *nvml_device;

struct nvml_info_v1 { /* nvmlProcessInfo_v1_t */
	unsigned int pid;
	unsigned long long used_gpu_memory;
};
struct nvml_info_v2 { /* nvmlProcessInfo_t: what _v2 and _v3 both take */
	unsigned int pid;
	unsigned long long used_gpu_memory;
	unsigned int gpu_instance_id, compute_instance_id;
};
struct nvml_memory_v1 {
	unsigned long long total, free, used;
};
struct nvml_memory_v2 {
	unsigned int version; /* sizeof | 2 << 24 */
	unsigned long long total, reserved, free, used;
};

typedef int (*nvml_list_fn)(nvml_device, unsigned *, void *);

/* A process NVML listed whose PID was looked up in the host's /proc. */
struct pid_cache_entry {
	unsigned host_pid;
	pid_t pid; /* memslope's view; -1: not visible to memslope */
	bool seen;
};

struct sample_gpu {
	void *lib;
	int (*shutdown)(void);
	int (*get_memory_v1)(nvml_device, struct nvml_memory_v1 *);
	int (*get_memory_v2)(nvml_device, struct nvml_memory_v2 *);
	nvml_list_fn compute[4], graphics[4]; /* by version, [0] unused */
	int list_version;

	unsigned n_dev;
	nvml_device *dev;
	struct gpu_card *cards;

	unsigned char *buf; /* process-list buffer, cap entries of the v2 size */
	unsigned cap;
	struct gpu_proc *procs;
	size_t n_procs, procs_cap;

	enum gpu_pid_map pid_map;
	char *proc_dir, *host_proc_dir;
	struct pid_cache_entry *cache;
	size_t n_cache, cache_cap;

	int64_t period_ms, last_ms;
	bool have_reading;
	size_t n_unmapped;
};

static void *sym(void *lib, const char *name)
{
	return dlsym(lib, name);
}

/* First of the names the library exports, NULL if none. */
static void *sym_first(void *lib, const char *a, const char *b)
{
	void *p = sym(lib, a);

	return p ? p : (b ? sym(lib, b) : NULL);
}

static char *read_text(const char *dir, const char *pid, const char *file)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s/%s", dir, pid, file) >= (int)sizeof(path))
		return NULL;
	return util_read_file(path, NULL);
}

size_t sample_gpu_parse_nspid(const char *status, pid_t *out, size_t cap)
{
	const char *p = status;
	size_t n = 0;

	while (p && strncmp(p, "NSpid:", 6) != 0) {
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	if (!p)
		return 0;
	p += 6;
	while (n < cap) {
		char *end;
		long v;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p < '0' || *p > '9')
			break;
		errno = 0;
		v = strtol(p, &end, 10);
		if (errno || v <= 0 || v > INT_MAX)
			return 0;
		out[n++] = (pid_t)v;
		p = end;
	}
	return n;
}

long long sample_gpu_parse_starttime(const char *stat)
{
	const char *p = stat ? strrchr(stat, ')') : NULL;
	char *end;
	long long v;

	if (!p)
		return -1;
	/* After "comm)": state is field 3, starttime field 22. */
	for (int field = 2; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -1;
	}
	errno = 0;
	v = strtoll(p + 1, &end, 10);
	return (errno || end == p + 1 || v < 0) ? -1 : v;
}

static long long starttime_of(const char *dir, pid_t pid)
{
	char name[16], *text;
	long long t;

	snprintf(name, sizeof(name), "%d", (int)pid);
	text = read_text(dir, name, "stat");
	t = sample_gpu_parse_starttime(text);
	free(text);
	return t;
}

/* The inode of a PID namespace from its link text, "pid:[4026531836]". */
static unsigned long long ns_inode(const char *link_path)
{
	char text[64];
	ssize_t n = readlink(link_path, text, sizeof(text) - 1);
	unsigned long long ino;

	if (n <= 0)
		return 0;
	text[n] = '\0';
	return sscanf(text, "pid:[%llu]", &ino) == 1 ? ino : 0;
}

/* memslope's /proc shows the host's PIDs when it belongs to the init PID
 * namespace: either memslope is in it (one NSpid entry, init inode), or
 * the /proc mount is an ancestor's and its PID 1 is in the init namespace. */
static enum gpu_pid_map pid_map_detect(const char *proc_dir, const char *host_proc_dir)
{
	char path[PATH_MAX], *status;
	pid_t nspid[32];
	size_t depth = 0;

	snprintf(path, sizeof(path), "%s/self/ns/pid", proc_dir);
	if ((status = read_text(proc_dir, "self", "status"))) {
		depth = sample_gpu_parse_nspid(status, nspid, 32);
		free(status);
	}
	if (depth <= 1 && ns_inode(path) == PID_NS_INIT_INO)
		return GPU_PIDS_HOST;
	snprintf(path, sizeof(path), "%s/1/ns/pid", proc_dir);
	if (ns_inode(path) == PID_NS_INIT_INO)
		return GPU_PIDS_HOST;
	/* A kernel without PID namespaces (no NSpid line, no ns links) has one set of PIDs. */
	if (depth == 0 && access(path, F_OK) < 0 && errno == ENOENT)
		return GPU_PIDS_HOST;
	return host_proc_dir ? GPU_PIDS_NSPID : GPU_PIDS_UNMAPPED;
}

/* Look up a host PID in the host's /proc: its NSpid entries below the host
 * level are candidates, and the one whose process in memslope's /proc has the
 * same start time is it (a PID alone could be a different process). */
static pid_t nspid_lookup(const struct sample_gpu *g, unsigned host_pid)
{
	char name[16], *status;
	pid_t ns[32];
	size_t n;
	long long start;

	snprintf(name, sizeof(name), "%u", host_pid);
	if (!(status = read_text(g->host_proc_dir, name, "status")))
		return -1;
	n = sample_gpu_parse_nspid(status, ns, 32);
	free(status);
	if (n == 0 || (unsigned)ns[0] != host_pid || (start = starttime_of(g->host_proc_dir, ns[0])) < 0)
		return -1;
	for (size_t i = n; i-- > 1;)
		if (starttime_of(g->proc_dir, ns[i]) == start)
			return ns[i];
	return -1;
}

static pid_t pid_map(struct sample_gpu *g, unsigned nvml_pid)
{
	struct pid_cache_entry *e;

	if (g->pid_map == GPU_PIDS_HOST)
		return nvml_pid <= INT_MAX ? (pid_t)nvml_pid : -1;
	if (g->pid_map == GPU_PIDS_UNMAPPED)
		return -1;
	for (size_t i = 0; i < g->n_cache; i++)
		if (g->cache[i].host_pid == nvml_pid) {
			g->cache[i].seen = true;
			return g->cache[i].pid;
		}
	if (g->n_cache == g->cache_cap) {
		g->cache_cap = g->cache_cap ? 2 * g->cache_cap : 16;
		g->cache = xrealloc(g->cache, g->cache_cap * sizeof(*g->cache));
	}
	e = &g->cache[g->n_cache++];
	e->host_pid = nvml_pid;
	e->pid = nspid_lookup(g, nvml_pid);
	e->seen = true;
	return e->pid;
}

/* Forget host PIDs NVML no longer lists (a reused PID is looked up afresh). */
static void pid_cache_sweep(struct sample_gpu *g)
{
	size_t k = 0;

	for (size_t i = 0; i < g->n_cache; i++)
		if (g->cache[i].seen) {
			g->cache[k] = g->cache[i];
			g->cache[k++].seen = false;
		}
	g->n_cache = k;
}

static size_t info_stride(int version)
{
	return version == 1 ? sizeof(struct nvml_info_v1) : sizeof(struct nvml_info_v2);
}

/* A driver whose library exports a newer entry point than it supports says
 * so with one of these: use the older one from then on. */
static bool rc_means_older(int rc)
{
	return rc == NVML_ERROR_FUNCTION_NOT_FOUND || rc == NVML_ERROR_ARGUMENT_VERSION_MISMATCH ||
	       rc == NVML_ERROR_NOT_SUPPORTED;
}

static void proc_add(struct sample_gpu *g, pid_t pid, unsigned card, unsigned long long used, unsigned kind)
{
	int64_t bytes = (used == NVML_VALUE_NOT_AVAILABLE || used > (unsigned long long)INT64_MAX)
				? MS_ABSENT : (int64_t)used;

	/* A process with both a compute and a graphics context is listed twice
	 * with the same memory: one entry, both kinds. */
	for (size_t i = 0; i < g->n_procs; i++) {
		struct gpu_proc *p = &g->procs[i];

		if (p->pid == pid && p->card == card) {
			p->kind |= kind;
			if (!ms_has(p->used_bytes) || (ms_has(bytes) && bytes > p->used_bytes))
				p->used_bytes = bytes;
			return;
		}
	}
	if (g->n_procs == g->procs_cap) {
		g->procs_cap = g->procs_cap ? 2 * g->procs_cap : 16;
		g->procs = xrealloc(g->procs, g->procs_cap * sizeof(*g->procs));
	}
	g->procs[g->n_procs++] = (struct gpu_proc){.pid = pid, .card = card, .used_bytes = bytes, .kind = kind};
}

/* Step down to the newest older process-list version the library exports. */
static bool list_older(struct sample_gpu *g)
{
	for (int v = g->list_version - 1; v >= 1; v--)
		if (g->compute[v]) {
			g->list_version = v;
			return true;
		}
	return false;
}

/* One process list of one card into g->procs; false if it could not be read. */
static bool read_list(struct sample_gpu *g, nvml_list_fn *fns, unsigned card, unsigned kind)
{
	for (int tries = 0; tries < 8; tries++) {
		nvml_list_fn fn = fns[g->list_version];
		unsigned count = g->cap;
		size_t stride = info_stride(g->list_version);
		int rc;

		/* An old library without a graphics list: the compute list stands alone. */
		if (!fn && kind == GPU_KIND_GRAPHICS)
			return true;
		rc = fn ? fn(g->dev[card], &count, g->buf) : NVML_ERROR_FUNCTION_NOT_FOUND;

		if (rc == NVML_ERROR_INSUFFICIENT_SIZE && count > g->cap && count < 65536) {
			/* Room for the processes that start before the next try. */
			g->cap = count + 8;
			g->buf = xrealloc(g->buf, g->cap * sizeof(struct nvml_info_v2));
			continue;
		}
		if (rc != NVML_SUCCESS && rc_means_older(rc) && list_older(g))
			continue;
		if (rc != NVML_SUCCESS || count > g->cap)
			return false;
		for (unsigned i = 0; i < count; i++) {
			/* v1's pid and memory lie at the same offsets as v2's. */
			const struct nvml_info_v1 *e = (const void *)(g->buf + i * stride);
			pid_t pid = pid_map(g, e->pid);

			if (pid > 0)
				proc_add(g, pid, card, e->used_gpu_memory, kind);
			else
				g->n_unmapped++;
		}
		return true;
	}
	return false;
}

static void read_memory(struct sample_gpu *g, unsigned i)
{
	struct gpu_card *c = &g->cards[i];
	unsigned long long total, free_b;
	int rc = -1;

	if (g->get_memory_v2) {
		struct nvml_memory_v2 m = {.version = (unsigned)sizeof(m) | (2u << 24)};

		rc = g->get_memory_v2(g->dev[i], &m);
		if (rc == NVML_SUCCESS) {
			total = m.total;
			free_b = m.free;
		} else if (rc_means_older(rc) && g->get_memory_v1) {
			g->get_memory_v2 = NULL;
		}
	}
	if (rc != NVML_SUCCESS && !g->get_memory_v2 && g->get_memory_v1) {
		struct nvml_memory_v1 m;

		rc = g->get_memory_v1(g->dev[i], &m);
		total = m.total;
		free_b = m.free;
	}
	if (rc != NVML_SUCCESS || total > (unsigned long long)INT64_MAX || free_b > total) {
		c->total_bytes = c->used_bytes = c->free_bytes = MS_ABSENT;
		return;
	}
	c->total_bytes = (int64_t)total;
	c->free_bytes = (int64_t)free_b;
	/* Used as what no process can allocate: v1's used, reserved included. */
	c->used_bytes = (int64_t)(total - free_b);
}

static int proc_cmp(const void *a, const void *b)
{
	const struct gpu_proc *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->card < y->card ? -1 : x->card > y->card;
}

void sample_gpu_read(struct sample_gpu *g, int64_t now_ms, struct gpu_sample *out)
{
	if (!g->have_reading || now_ms - g->last_ms >= g->period_ms || now_ms < g->last_ms) {
		g->n_procs = 0;
		g->n_unmapped = 0;
		for (unsigned i = 0; i < g->n_dev; i++) {
			read_memory(g, i);
			g->cards[i].procs_ok = read_list(g, g->compute, i, GPU_KIND_COMPUTE);
			g->cards[i].procs_ok &= read_list(g, g->graphics, i, GPU_KIND_GRAPHICS);
		}
		if (g->n_procs > 1) /* procs is NULL until a first process */
			qsort(g->procs, g->n_procs, sizeof(*g->procs), proc_cmp);
		if (g->pid_map == GPU_PIDS_NSPID)
			pid_cache_sweep(g);
		g->last_ms = now_ms;
		g->have_reading = true;
		out->fresh = true;
	} else {
		out->fresh = false;
	}
	out->n_cards = g->n_dev;
	out->cards = g->cards;
	out->n_procs = g->n_procs;
	out->procs = g->procs;
	out->n_unmapped = g->n_unmapped;
	out->pid_map = g->pid_map;
	out->t_ms = g->last_ms;
}

const struct gpu_proc *sample_gpu_find(const struct gpu_sample *s, pid_t pid, size_t *n)
{
	size_t lo = 0, hi = s->n_procs, k;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = lo; k < s->n_procs && s->procs[k].pid == pid; k++)
		;
	*n = k - lo;
	return *n ? &s->procs[lo] : NULL;
}

int sample_gpu_api_version(const struct sample_gpu *g)
{
	return g->list_version;
}

const char *sample_gpu_pid_map_name(enum gpu_pid_map m)
{
	switch (m) {
	case GPU_PIDS_HOST:
		return "host";
	case GPU_PIDS_NSPID:
		return "nspid";
	case GPU_PIDS_UNMAPPED:
		return "unmapped";
	}
	return "unmapped";
}

static struct sample_gpu *open_fail(struct sample_gpu *g, char **why, char *reason)
{
	if (why)
		*why = reason;
	else
		free(reason);
	sample_gpu_close(g);
	return NULL;
}

struct sample_gpu *sample_gpu_open(const struct sample_gpu_config *cfg, char **why)
{
	const char *lib_name = cfg && cfg->library ? cfg->library : "libnvidia-ml.so.1";
	int (*init)(void), (*get_count)(unsigned *), (*get_handle)(unsigned, nvml_device *);
	int (*get_name)(nvml_device, char *, unsigned);
	struct sample_gpu *g;
	unsigned n = 0;
	void *lib;
	int rc;

	if (why)
		*why = NULL;
	/* RTLD_LOCAL: NVML's symbols stay out of memslope's namespace. */
	if (!(lib = dlopen(lib_name, RTLD_LAZY | RTLD_LOCAL)))
		return open_fail(NULL, why, xasprintf("%s", dlerror()));
	g = xcalloc(1, sizeof(*g));
	g->lib = lib;
	init = (int (*)(void))sym_first(lib, "nvmlInit_v2", "nvmlInit");
	g->shutdown = (int (*)(void))sym(lib, "nvmlShutdown");
	get_count = (int (*)(unsigned *))sym_first(lib, "nvmlDeviceGetCount_v2", "nvmlDeviceGetCount");
	get_handle = (int (*)(unsigned, nvml_device *))sym_first(lib, "nvmlDeviceGetHandleByIndex_v2",
								 "nvmlDeviceGetHandleByIndex");
	get_name = (int (*)(nvml_device, char *, unsigned))sym(lib, "nvmlDeviceGetName");
	g->get_memory_v1 = (int (*)(nvml_device, struct nvml_memory_v1 *))sym(lib, "nvmlDeviceGetMemoryInfo");
	g->get_memory_v2 = (int (*)(nvml_device, struct nvml_memory_v2 *))sym(lib, "nvmlDeviceGetMemoryInfo_v2");
	g->compute[1] = (nvml_list_fn)sym(lib, "nvmlDeviceGetComputeRunningProcesses");
	g->compute[2] = (nvml_list_fn)sym(lib, "nvmlDeviceGetComputeRunningProcesses_v2");
	g->compute[3] = (nvml_list_fn)sym(lib, "nvmlDeviceGetComputeRunningProcesses_v3");
	g->graphics[1] = (nvml_list_fn)sym(lib, "nvmlDeviceGetGraphicsRunningProcesses");
	g->graphics[2] = (nvml_list_fn)sym(lib, "nvmlDeviceGetGraphicsRunningProcesses_v2");
	g->graphics[3] = (nvml_list_fn)sym(lib, "nvmlDeviceGetGraphicsRunningProcesses_v3");
	g->list_version = g->compute[3] ? 3 : g->compute[2] ? 2 : 1;
	if (!init || !g->shutdown || !get_count || !get_handle || !g->compute[g->list_version] ||
	    (!g->get_memory_v1 && !g->get_memory_v2)) {
		g->shutdown = NULL; /* never initialised */
		return open_fail(g, why, xasprintf("%s: NVML entry points missing", lib_name));
	}
	if ((rc = init()) != NVML_SUCCESS) {
		g->shutdown = NULL;
		return open_fail(g, why, xasprintf("nvmlInit: error %d", rc));
	}
	if ((rc = get_count(&n)) != NVML_SUCCESS || n == 0)
		return open_fail(g, why, rc ? xasprintf("nvmlDeviceGetCount: error %d", rc) : xstrdup("no GPU"));
	if (n > 64)
		n = 64;
	g->dev = xcalloc(n, sizeof(*g->dev));
	g->cards = xcalloc(n, sizeof(*g->cards));
	/* Cards are listed once: NVML does not see cards added after its init. */
	for (unsigned i = 0; i < n; i++) {
		char name[GPU_NAME_MAX] = "";

		if (get_handle(i, &g->dev[g->n_dev]) != NVML_SUCCESS)
			continue;
		g->cards[g->n_dev].index = i;
		if (get_name && get_name(g->dev[g->n_dev], name, sizeof(name)) == NVML_SUCCESS) {
			char *clean;

			name[sizeof(name) - 1] = '\0';
			clean = util_sanitize(name);
			snprintf(g->cards[g->n_dev].name, GPU_NAME_MAX, "%s", clean);
			free(clean);
		}
		g->n_dev++;
	}
	if (g->n_dev == 0)
		return open_fail(g, why, xstrdup("no GPU handle"));
	g->cap = 16;
	g->buf = xcalloc(g->cap, sizeof(struct nvml_info_v2));
	g->proc_dir = xstrdup(cfg && cfg->proc_dir ? cfg->proc_dir : "/proc");
	g->host_proc_dir = cfg && cfg->host_proc_dir ? xstrdup(cfg->host_proc_dir) : NULL;
	g->pid_map = pid_map_detect(g->proc_dir, g->host_proc_dir);
	g->period_ms = cfg && cfg->period_ms > 0 ? cfg->period_ms : 1000;
	return g;
}

void sample_gpu_close(struct sample_gpu *g)
{
	if (!g)
		return;
	if (g->shutdown)
		g->shutdown();
	dlclose(g->lib);
	free(g->dev);
	free(g->cards);
	free(g->buf);
	free(g->procs);
	free(g->cache);
	free(g->proc_dir);
	free(g->host_proc_dir);
	free(g);
}
