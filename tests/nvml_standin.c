/* nvml_standin: a stand-in libnvidia-ml.so.1 for tests on machines without an
 * NVIDIA GPU. Built by `make check` as tests/nvml/libnvidia-ml.so.1 (every
 * entry point memslope may look up) and, with -DNVML_STANDIN_OLD, as
 * tests/nvml-old/libnvidia-ml.so.1 (an old driver: the unversioned v1 entry
 * points only). Never linked into memslope: loaded through LD_LIBRARY_PATH.
 *
 * The file named by MEMSLOPE_NVML_SCRIPT scripts it; it is read again
 * whenever it changes (tests replace it with rename), one line each:
 *   init_error CODE                     nvmlInit fails with CODE
 *   gpu INDEX TOTAL_BYTES NAME...       a card; its used memory is RESERVED
 *                                       plus the sum of its processes
 *   reserved INDEX BYTES                driver-reserved memory on a card
 *   proc INDEX PID compute|graphics BYTES|na [rate=B/s] [from=S] [until=S]
 *                                       a process on a card, growing RATE
 *                                       bytes a second from the library's
 *                                       first nvmlInit, present from S until S
 *   error INDEX memory|compute|graphics|name CODE
 *                                       that call on that card fails
 *   error INDEX memory2|list3 CODE      only nvmlDeviceGetMemoryInfo_v2, or
 *                                       only the _v3 process lists, fail
 * MEMSLOPE_NVML_LOG, when set, names a file each call appends its name to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define STANDIN_CARDS 8
#define STANDIN_PROCS 64
#define NOT_AVAILABLE (~0ULL)

enum { OK = 0, ERR_INVALID_ARGUMENT = 2, ERR_INSUFFICIENT_SIZE = 7, ERR_UNKNOWN = 999 };
enum { CALL_MEMORY, CALL_COMPUTE, CALL_GRAPHICS, CALL_NAME, CALL_MEMORY2, CALL_LIST3, CALL_COUNT };

struct standin_card {
	int present;
	unsigned long long total, reserved;
	char name[96];
	int error[CALL_COUNT];
};

struct standin_proc {
	unsigned card, pid;
	int graphics, na;
	double bytes, rate, from_s, until_s;
};

/* An opaque device handle is a pointer to the card's slot. */
typedef struct standin_card *nvmlDevice_t;

struct info_v1 {
	unsigned int pid;
	unsigned long long usedGpuMemory;
};
struct info_v2 {
	unsigned int pid;
	unsigned long long usedGpuMemory;
	unsigned int gpuInstanceId, computeInstanceId;
};
struct memory_v1 {
	unsigned long long total, free, used;
};
struct memory_v2 {
	unsigned int version;
	unsigned long long total, reserved, free, used;
};

static struct standin_card cards[STANDIN_CARDS];
static struct standin_proc procs[STANDIN_PROCS];
static unsigned n_procs;
static int init_error;
static int initialised;
static struct timespec t0;
static struct stat script_st;

/* Every exported function is part of the stand-in's ABI. */
#define EXPORT __attribute__((visibility("default")))

static void note_call(const char *name)
{
	const char *path = getenv("MEMSLOPE_NVML_LOG");
	FILE *f;

	if (!path || !(f = fopen(path, "a")))
		return;
	fprintf(f, "%s\n", name);
	fclose(f);
}

static double since_init_s(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
}

static int call_of(const char *word)
{
	static const char *const names[CALL_COUNT] = {"memory", "compute", "graphics", "name", "memory2", "list3"};

	for (int i = 0; i < CALL_COUNT; i++)
		if (strcmp(word, names[i]) == 0)
			return i;
	return -1;
}

static void parse_proc(char *rest)
{
	struct standin_proc p = {.until_s = 1e18};
	char kind[16], bytes[32];
	int used = 0;
	char *opt;

	if (n_procs >= STANDIN_PROCS ||
	    sscanf(rest, "%u %u %15s %31s%n", &p.card, &p.pid, kind, bytes, &used) != 4 ||
	    p.card >= STANDIN_CARDS)
		return;
	p.graphics = strcmp(kind, "graphics") == 0;
	p.na = strcmp(bytes, "na") == 0;
	p.bytes = p.na ? 0 : strtod(bytes, NULL);
	for (opt = strtok(rest + used, " \t\n"); opt; opt = strtok(NULL, " \t\n")) {
		if (strncmp(opt, "rate=", 5) == 0)
			p.rate = strtod(opt + 5, NULL);
		else if (strncmp(opt, "from=", 5) == 0)
			p.from_s = strtod(opt + 5, NULL);
		else if (strncmp(opt, "until=", 6) == 0)
			p.until_s = strtod(opt + 6, NULL);
	}
	procs[n_procs++] = p;
}

/* Read the script again if it changed since the last call. */
static void script_refresh(void)
{
	const char *path = getenv("MEMSLOPE_NVML_SCRIPT");
	char line[512];
	struct stat st;
	FILE *f;

	if (!path || stat(path, &st) < 0)
		return;
	if (st.st_ino == script_st.st_ino && st.st_mtim.tv_sec == script_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == script_st.st_mtim.tv_nsec && st.st_size == script_st.st_size)
		return;
	if (!(f = fopen(path, "r")))
		return;
	script_st = st;
	memset(cards, 0, sizeof(cards));
	n_procs = 0;
	init_error = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned idx, n;
		unsigned long long v;
		char word[16];
		int code, pos = 0;

		if (sscanf(line, "init_error %d", &code) == 1) {
			init_error = code;
		} else if (sscanf(line, "gpu %u %llu %n", &idx, &v, &pos) == 2 && pos && idx < STANDIN_CARDS) {
			cards[idx].present = 1;
			cards[idx].total = v;
			snprintf(cards[idx].name, sizeof(cards[idx].name), "%s", line + pos);
			n = (unsigned)strcspn(cards[idx].name, "\n");
			cards[idx].name[n] = '\0';
		} else if (sscanf(line, "reserved %u %llu", &idx, &v) == 2 && idx < STANDIN_CARDS) {
			cards[idx].reserved = v;
		} else if (sscanf(line, "error %u %15s %d", &idx, word, &code) == 3 && idx < STANDIN_CARDS &&
			   call_of(word) >= 0) {
			cards[idx].error[call_of(word)] = code;
		} else if (strncmp(line, "proc ", 5) == 0) {
			parse_proc(line + 5);
		}
	}
	fclose(f);
}

static unsigned card_count(void)
{
	unsigned n = 0;

	while (n < STANDIN_CARDS && cards[n].present)
		n++;
	return n;
}

static unsigned long long proc_bytes(const struct standin_proc *p, double t)
{
	double b = p->bytes + p->rate * t;

	return b > 0 ? (unsigned long long)b : 0;
}

static int proc_live(const struct standin_proc *p, double t)
{
	return t >= p->from_s && t < p->until_s;
}

static unsigned long long card_used(const struct standin_card *c)
{
	unsigned long long used = c->reserved;
	double t = since_init_s();

	for (unsigned i = 0; i < n_procs; i++)
		if (&cards[procs[i].card] == c && proc_live(&procs[i], t) && !procs[i].na)
			used += proc_bytes(&procs[i], t);
	return used < c->total ? used : c->total;
}

static int check_device(nvmlDevice_t d)
{
	if (!initialised)
		return 1; /* NVML_ERROR_UNINITIALIZED */
	if (!d || d < cards || d >= cards + STANDIN_CARDS || !d->present)
		return ERR_INVALID_ARGUMENT;
	return OK;
}

/* The process lists: NVML's contract for a short array is to fill in the
 * count needed and return NVML_ERROR_INSUFFICIENT_SIZE. */
static int list_procs(nvmlDevice_t d, unsigned *count, void *infos, size_t stride, int graphics)
{
	double t = since_init_s();
	unsigned n = 0, have;
	int rc;

	script_refresh();
	if ((rc = check_device(d)) != OK)
		return rc;
	if (!count)
		return ERR_INVALID_ARGUMENT;
	if (d->error[graphics ? CALL_GRAPHICS : CALL_COMPUTE])
		return d->error[graphics ? CALL_GRAPHICS : CALL_COMPUTE];
	for (unsigned i = 0; i < n_procs; i++)
		if (&cards[procs[i].card] == d && procs[i].graphics == graphics && proc_live(&procs[i], t))
			n++;
	have = *count;
	*count = n;
	if (n > have || (n && !infos))
		return ERR_INSUFFICIENT_SIZE;
	n = 0;
	for (unsigned i = 0; i < n_procs; i++) {
		struct info_v2 *out;

		if (&cards[procs[i].card] != d || procs[i].graphics != graphics || !proc_live(&procs[i], t))
			continue;
		/* v1's two fields lie at the same offsets as v2's first two. */
		out = (struct info_v2 *)((char *)infos + n++ * stride);
		memset(out, 0xA5, stride);
		out->pid = procs[i].pid;
		out->usedGpuMemory = procs[i].na ? NOT_AVAILABLE : proc_bytes(&procs[i], t);
	}
	return OK;
}

EXPORT int nvmlInit(void);
static int init_any(void)
{
	script_refresh();
	if (init_error)
		return init_error;
	if (!initialised)
		clock_gettime(CLOCK_MONOTONIC, &t0);
	initialised = 1;
	return OK;
}

int nvmlInit(void)
{
	note_call("nvmlInit");
	return init_any();
}

EXPORT int nvmlShutdown(void);
int nvmlShutdown(void)
{
	note_call("nvmlShutdown");
	initialised = 0;
	return OK;
}

EXPORT const char *nvmlErrorString(int rc);
const char *nvmlErrorString(int rc)
{
	return rc == OK ? "Success" : "Stand-in error";
}

EXPORT int nvmlDeviceGetCount(unsigned *n);
int nvmlDeviceGetCount(unsigned *n)
{
	note_call("nvmlDeviceGetCount");
	script_refresh();
	if (!initialised)
		return 1;
	*n = card_count();
	return OK;
}

EXPORT int nvmlDeviceGetHandleByIndex(unsigned i, nvmlDevice_t *d);
int nvmlDeviceGetHandleByIndex(unsigned i, nvmlDevice_t *d)
{
	note_call("nvmlDeviceGetHandleByIndex");
	if (!initialised)
		return 1;
	if (i >= card_count())
		return ERR_INVALID_ARGUMENT;
	*d = &cards[i];
	return OK;
}

EXPORT int nvmlDeviceGetName(nvmlDevice_t d, char *name, unsigned len);
int nvmlDeviceGetName(nvmlDevice_t d, char *name, unsigned len)
{
	int rc;

	note_call("nvmlDeviceGetName");
	if ((rc = check_device(d)) != OK)
		return rc;
	if (d->error[CALL_NAME])
		return d->error[CALL_NAME];
	if (strlen(d->name) >= len)
		return ERR_INSUFFICIENT_SIZE;
	memcpy(name, d->name, strlen(d->name) + 1);
	return OK;
}

EXPORT int nvmlDeviceGetMemoryInfo(nvmlDevice_t d, struct memory_v1 *m);
int nvmlDeviceGetMemoryInfo(nvmlDevice_t d, struct memory_v1 *m)
{
	int rc;

	note_call("nvmlDeviceGetMemoryInfo");
	script_refresh();
	if ((rc = check_device(d)) != OK)
		return rc;
	if (d->error[CALL_MEMORY])
		return d->error[CALL_MEMORY];
	/* v1 counts the driver's reserved memory as used. */
	m->total = d->total;
	m->used = card_used(d);
	m->free = m->total - m->used;
	return OK;
}

EXPORT int nvmlDeviceGetComputeRunningProcesses(nvmlDevice_t d, unsigned *count, struct info_v1 *infos);
int nvmlDeviceGetComputeRunningProcesses(nvmlDevice_t d, unsigned *count, struct info_v1 *infos)
{
	note_call("nvmlDeviceGetComputeRunningProcesses");
	return list_procs(d, count, infos, sizeof(*infos), 0);
}

EXPORT int nvmlDeviceGetGraphicsRunningProcesses(nvmlDevice_t d, unsigned *count, struct info_v1 *infos);
int nvmlDeviceGetGraphicsRunningProcesses(nvmlDevice_t d, unsigned *count, struct info_v1 *infos)
{
	note_call("nvmlDeviceGetGraphicsRunningProcesses");
	return list_procs(d, count, infos, sizeof(*infos), 1);
}

#ifndef NVML_STANDIN_OLD
EXPORT int nvmlInit_v2(void);
int nvmlInit_v2(void)
{
	note_call("nvmlInit_v2");
	return init_any();
}

EXPORT int nvmlDeviceGetCount_v2(unsigned *n);
int nvmlDeviceGetCount_v2(unsigned *n)
{
	return nvmlDeviceGetCount(n);
}

EXPORT int nvmlDeviceGetHandleByIndex_v2(unsigned i, nvmlDevice_t *d);
int nvmlDeviceGetHandleByIndex_v2(unsigned i, nvmlDevice_t *d)
{
	return nvmlDeviceGetHandleByIndex(i, d);
}

EXPORT int nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t d, struct memory_v2 *m);
int nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t d, struct memory_v2 *m)
{
	int rc;

	note_call("nvmlDeviceGetMemoryInfo_v2");
	script_refresh();
	if ((rc = check_device(d)) != OK)
		return rc;
	if (d->error[CALL_MEMORY] || d->error[CALL_MEMORY2])
		return d->error[CALL_MEMORY] ? d->error[CALL_MEMORY] : d->error[CALL_MEMORY2];
	/* The struct version is its size and 2 << 24, as nvml.h's NVML_STRUCT_VERSION. */
	if (m->version != ((unsigned)sizeof(*m) | (2u << 24)))
		return 25; /* NVML_ERROR_ARGUMENT_VERSION_MISMATCH */
	m->total = d->total;
	m->reserved = d->reserved;
	m->free = d->total - card_used(d);
	m->used = card_used(d) - d->reserved;
	return OK;
}

EXPORT int nvmlDeviceGetComputeRunningProcesses_v2(nvmlDevice_t d, unsigned *count, struct info_v2 *infos);
int nvmlDeviceGetComputeRunningProcesses_v2(nvmlDevice_t d, unsigned *count, struct info_v2 *infos)
{
	note_call("nvmlDeviceGetComputeRunningProcesses_v2");
	return list_procs(d, count, infos, sizeof(*infos), 0);
}

EXPORT int nvmlDeviceGetGraphicsRunningProcesses_v2(nvmlDevice_t d, unsigned *count, struct info_v2 *infos);
int nvmlDeviceGetGraphicsRunningProcesses_v2(nvmlDevice_t d, unsigned *count, struct info_v2 *infos)
{
	note_call("nvmlDeviceGetGraphicsRunningProcesses_v2");
	return list_procs(d, count, infos, sizeof(*infos), 1);
}

/* _v3 takes the same four-field struct as _v2 in the drivers' nvml.h. */
EXPORT int nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned *count, struct info_v2 *infos);
int nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned *count, struct info_v2 *infos)
{
	note_call("nvmlDeviceGetComputeRunningProcesses_v3");
	if (check_device(d) == OK && d->error[CALL_LIST3])
		return d->error[CALL_LIST3];
	return list_procs(d, count, infos, sizeof(*infos), 0);
}

EXPORT int nvmlDeviceGetGraphicsRunningProcesses_v3(nvmlDevice_t d, unsigned *count, struct info_v2 *infos);
int nvmlDeviceGetGraphicsRunningProcesses_v3(nvmlDevice_t d, unsigned *count, struct info_v2 *infos)
{
	note_call("nvmlDeviceGetGraphicsRunningProcesses_v3");
	if (check_device(d) == OK && d->error[CALL_LIST3])
		return d->error[CALL_LIST3];
	return list_procs(d, count, infos, sizeof(*infos), 1);
}
#endif
