/* limit: every limit that can end a process, and which one binds (analysis
 * stage).
 *
 * A job dies of one of two deaths: the OOM kill (its cgroup's memory.max or
 * the machine runs out) or a refused allocation — Python's MemoryError, C's
 * ENOMEM — when the address space (RLIMIT_AS, a 32-bit process's 4 GiB),
 * the data segment (RLIMIT_DATA: private writable mappings since Linux 4.7)
 * or, under strict overcommit (vm.overcommit_memory = 2), the machine's
 * CommitLimit is reached while RAM may still look free. Each limit is
 * compared with its own series (charged usage, VmSize, VmData,
 * Committed_AS). Pure: the samplers read the files, this module parses their
 * text, builds a process's limit set, picks the binding limit and names the
 * likely cause of a launched command's end. */
#ifndef MEMSLOPE_LIMIT_H
#define MEMSLOPE_LIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trend.h"

enum limit_kind {
	LIMIT_CGROUP_MAX,       /* memory.max / v1 limit vs charged usage: OOM kill */
	LIMIT_CGROUP_HIGH,      /* memory.high vs charged usage: throttling */
	LIMIT_MACHINE,          /* MemTotal (+ swap) when no cgroup limit: OOM kill */
	LIMIT_RLIMIT_AS,        /* soft RLIMIT_AS vs VmSize: MemoryError */
	LIMIT_RLIMIT_DATA,      /* soft RLIMIT_DATA vs VmData: MemoryError */
	LIMIT_COMMIT,           /* CommitLimit vs Committed_AS, overcommit mode 2 */
	LIMIT_ADDRESS_SPACE,    /* 4 GiB of a 32-bit process vs VmSize */
	LIMIT_GPU,              /* own GPU memory + its cards' free vs GPU memory: CUDA OOM */
	LIMIT_KINDS
};

/* A 32-bit process on a 64-bit kernel may map up to 4 GiB. */
#define LIMIT_AS32_BYTES (INT64_C(4) << 30)
/* vm.overcommit_memory's strict mode. */
#define LIMIT_OVERCOMMIT_NEVER 2

/* "cgroup_max", "rlimit_as", ... (the JSON and Prometheus names). */
const char *limit_kind_name(enum limit_kind k);
/* A short tag for narrow columns: "max", "high", "mem", "AS", "DATA",
 * "CMT", "32b", "GP". */
const char *limit_kind_tag(enum limit_kind k);
/* The inverse of limit_kind_name; -1 when unknown. */
int limit_kind_parse(const char *name);
/* Limits that end a job with a refused allocation rather than a kill. */
bool limit_kind_refuses(enum limit_kind k);

/* RLIMIT_AS and RLIMIT_DATA of /proc/PID/limits, bytes; MS_UNLIMITED when
 * "unlimited", MS_ABSENT when the line is missing. */
struct limit_rlimits {
	int64_t as_soft_bytes, as_hard_bytes;
	int64_t data_soft_bytes, data_hard_bytes;
};
/* Parse /proc/PID/limits text; 0, or -1 when neither line is there. */
int limit_parse_rlimits(const char *text, struct limit_rlimits *out);
/* Address bits of an executable from its first bytes (the ELF header's
 * EI_CLASS): 32, 64, or 0 when not ELF or too short. */
int limit_elf_bits(const unsigned char *head, size_t n);

/* What a process's limit set is built from; MS_ABSENT where unknown,
 * MS_UNLIMITED where not set. Strings are borrowed. */
struct limit_input {
	int64_t cgroup_max_bytes;       /* effective memory.max (MS_UNLIMITED: none) */
	const char *cgroup_max_source;  /* cgroup path that sets it */
	int64_t cgroup_high_bytes;      /* effective memory.high */
	const char *cgroup_high_source;
	int64_t cgroup_used_bytes;      /* the series those two are compared with */
	int64_t machine_bytes;          /* MemTotal (+ swap) */
	int64_t machine_used_bytes;     /* the process's usage when no cgroup limit */
	struct limit_rlimits rl;
	int64_t vm_size_bytes, vm_data_bytes;
	int address_bits;               /* limit_elf_bits; 0 unknown */
	int overcommit_mode;            /* vm.overcommit_memory; -1 unknown */
	int64_t commit_limit_bytes, committed_as_bytes;
	/* GPU memory (update_gpu.c's series): what it can reach on its GPUs
	 * and what it holds; a limit only while it holds some. */
	int64_t gpu_limit_bytes, gpu_used_bytes;
	const char *gpu_source;         /* "nvml:0,1": the GPUs' indexes */
};

/* One limit of one process. ttl_* are filled by the caller from the
 * series' trend (NAN: not predicted); ttl_hi_s may be INFINITY. */
struct limit {
	enum limit_kind kind;
	int64_t limit_bytes;
	int64_t used_bytes;             /* MS_ABSENT when the series is unknown */
	const char *source;             /* cgroup path, "machine", "rlimit", "sysctl", "elf32", "nvml:0" */
	double ttl_s, ttl_lo_s, ttl_hi_s;
	bool imminent;                  /* the trend's OOM-IMMINENT test on this limit */
};

/* The limits that are set, in enum order, into out (room for LIMIT_KINDS);
 * returns how many. TTLs start NAN, imminent false. */
size_t limit_build(const struct limit_input *in, struct limit *out);
/* used / limit, in percent; NAN when either is unknown. */
double limit_used_pct(const struct limit *l);
/* The binding limit: the one predicted to be reached first (smallest
 * ttl_s), else, when nothing is predicted, the nearest (highest used /
 * limit). Index into v, -1 when none has a known use. */
int limit_binding(const struct limit *v, size_t n);

/* A process's limits over time. The address-space and data limits have
 * their own series (VmSize, VmData) and trend here, allocated when the
 * limit is first set; the cgroup and machine limits take their TTL from
 * the process's own trend (its series against the cgroup's headroom), the
 * commit limit from the machine's Committed_AS trend, both handed in. */
struct limit_state {
	struct limit *v;                /* n limits (owned; most processes have one or two) */
	size_t n, cap;
	int binding;                    /* index into v; -1 none */
	struct trend *own[LIMIT_KINDS]; /* by kind: rlimit_as, rlimit_data, address_space */
	char *source[LIMIT_KINDS];      /* by kind: owned copies the v[].source point to */
};
/* The trends kept elsewhere; NULL where there is none. */
struct limit_trends {
	const struct trend_result *proc;   /* cgroup_max, cgroup_high, machine */
	const struct trend_result *commit; /* commit */
	const struct trend_result *gpu;    /* gpu: the GPU series' own trend */
};
void limit_state_init(struct limit_state *st);
void limit_state_done(struct limit_state *st);
/* A new program under the same PID (execve): its series start afresh. */
void limit_state_reset(struct limit_state *st);
/* Rebuild the set from in at t_ms (monotonic ms): push VmSize / VmData to
 * the own trends, fill every limit's TTL, band and imminence, and choose
 * the binding limit. The sources are copied. */
void limit_state_update(struct limit_state *st, const struct limit_input *in,
			const struct limit_trends *tr, int64_t t_ms);
/* The process ended: every limit keeps its use, none its TTL or imminence. */
void limit_state_stop(struct limit_state *st);
/* Set the limits as recorded (replay): v[0..n) copied, sources too. */
void limit_state_set(struct limit_state *st, const struct limit *v, size_t n, int binding);
/* The binding limit, or NULL. */
const struct limit *limit_state_binding(const struct limit_state *st);
/* Among the host limits that refuse allocations, the one predicted first,
 * else the nearest (what the detail view plots; the GPU series has its own
 * plot); NULL when none is set. */
const struct limit *limit_state_refusing(const struct limit_state *st);
/* The own trend of kind k (rlimit_as, rlimit_data, address_space), or NULL. */
const struct trend_result *limit_state_trend(const struct limit_state *st, enum limit_kind k);
/* The limit of kind k, or NULL when not set. */
const struct limit *limit_state_find(const struct limit_state *st, enum limit_kind k);

/* Why a launched command ended. */
enum limit_cause { CAUSE_EXIT, CAUSE_SIGNAL, CAUSE_OOM_KILL, CAUSE_MEMORY_ERROR };
const char *limit_cause_name(enum limit_cause c);

struct limit_verdict {
	enum limit_cause cause;
	bool likely;                    /* inferred (memory_error), not reported by the kernel */
	int limit;                      /* memory_error: index of the limit in v; -1 otherwise */
};
/* A refused allocation leaves no trace in the kernel: the process ends
 * (non-zero exit, or a signal such as SIGABRT) while its last sample sat
 * within this share of a refusing limit, or that limit was imminent. */
#define LIMIT_NEAR_FRAC 0.10
#define LIMIT_NEAR_MIN_BYTES (INT64_C(64) << 20)
/* l refuses allocations and its last sample sat within that margin of
 * it, or it was imminent. */
bool limit_near(const struct limit *l);
/* status: a wait(2) status; oom_killed: the cgroup counted an OOM kill
 * while the command ran; v: the limits as last seen. */
struct limit_verdict limit_cause_of(int status, bool oom_killed, const struct limit *v, size_t n);

#endif
