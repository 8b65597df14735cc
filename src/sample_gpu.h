/* sample_gpu: GPU memory per card and per process (sample stage), read from
 * NVIDIA's management library (NVML), which is loaded at run time with
 * dlopen: memslope has no build dependency on it, and where it cannot be
 * loaded (no driver, no GPU) the sampler is simply absent.
 *
 * NVML reports PIDs in the host's PID namespace. They are turned into the
 * PIDs memslope sees (its /proc) where that can be done: on the host they
 * are the same; inside a PID namespace only through the host's /proc (the
 * NSpid line of its /proc/PID/status, checked by start time). Where it
 * cannot be done the processes are counted as unmapped, never guessed. */
#ifndef MEMSLOPE_SAMPLE_GPU_H
#define MEMSLOPE_SAMPLE_GPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define GPU_NAME_MAX 96
#define GPU_KIND_COMPUTE 1u
#define GPU_KIND_GRAPHICS 2u

/* How NVML's PIDs become memslope's. */
enum gpu_pid_map {
	GPU_PIDS_HOST,     /* memslope's /proc is the host's: the same PIDs */
	GPU_PIDS_NSPID,    /* through the host's /proc and NSpid */
	GPU_PIDS_UNMAPPED, /* in a PID namespace without the host's /proc */
};

struct gpu_card {
	unsigned index;            /* NVML's device index */
	char name[GPU_NAME_MAX];   /* sanitised; "" when unreadable */
	int64_t total_bytes;       /* MS_ABSENT when unreadable (e.g. GPU lost) */
	int64_t used_bytes;        /* total - free: driver reservations included */
	int64_t free_bytes;
	bool procs_ok;             /* its process lists were read this time */
};

struct gpu_proc {
	pid_t pid;          /* as memslope sees it */
	unsigned card;      /* index into gpu_sample.cards */
	int64_t used_bytes; /* MS_ABSENT where NVML cannot say (MIG, permissions) */
	unsigned kind;      /* GPU_KIND_COMPUTE | GPU_KIND_GRAPHICS */
};

/* One reading. Arrays are owned by the sampler, valid until the next read. */
struct gpu_sample {
	size_t n_cards;
	const struct gpu_card *cards;
	size_t n_procs;
	const struct gpu_proc *procs; /* sorted by pid, then card */
	size_t n_unmapped;            /* listed by NVML, not placed in memslope's view */
	enum gpu_pid_map pid_map;
	int64_t t_ms;                 /* monotonic time of the reading */
	bool fresh;                   /* read by this call (not the previous reading) */
};

struct sample_gpu_config {
	const char *library;  /* NULL: "libnvidia-ml.so.1" (found as dlopen finds it) */
	const char *proc_dir; /* NULL: "/proc" (memslope's view) */
	const char *host_proc_dir; /* the host's /proc seen from a container, or NULL */
	int64_t period_ms;    /* at most one reading per period; <= 0: 1000 */
};

struct sample_gpu;

/* Load NVML and list its cards. NULL when it cannot be used (library
 * absent, init failed, no card); then *why (if why is not NULL) gets a
 * malloc'd reason the caller frees. Costs one dlopen attempt when absent. */
struct sample_gpu *sample_gpu_open(const struct sample_gpu_config *cfg, char **why);
/* Read cards and processes if a period has passed since the last reading,
 * else return the last one (fresh = false). Never fails: unreadable values
 * are MS_ABSENT and a card whose lists failed has procs_ok = false. */
void sample_gpu_read(struct sample_gpu *g, int64_t now_ms, struct gpu_sample *out);
/* The entries of pid (one per card) in s: returns the first, n set to how
 * many (0 and NULL when the process uses no GPU). */
const struct gpu_proc *sample_gpu_find(const struct gpu_sample *s, pid_t pid, size_t *n);
/* Which process-list entry point is in use: 3, 2 or 1 (tests, --version). */
int sample_gpu_api_version(const struct sample_gpu *g);
const char *sample_gpu_pid_map_name(enum gpu_pid_map m);
/* Shut NVML down and unload it; NULL is a no-op. */
void sample_gpu_close(struct sample_gpu *g);

/* Pure helpers, exported for tests. The NSpid PIDs of a /proc/PID/status
 * text into out (at most cap), innermost last: returns how many, 0 if none. */
size_t sample_gpu_parse_nspid(const char *status, pid_t *out, size_t cap);
/* The start time (field 22, clock ticks) of a /proc/PID/stat text, -1 if malformed. */
long long sample_gpu_parse_starttime(const char *stat);

#endif
