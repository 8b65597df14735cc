/* model: what memslope knows right now (model stage).
 *
 * The model holds every watched entity — processes, process trees, cgroups —
 * with its latest values, its history and its trend, plus the system figures
 * and a bounded list of recent events. main.c feeds it from the samplers each
 * tick; the outputs (JSON, NDJSON, Prometheus, TUI views) only read it, so
 * they can never disagree. Values that could not be read are MS_ABSENT;
 * unset limits are MS_UNLIMITED. Pointers into the model are valid until the
 * next model_tick_end(). */
#ifndef MEMSLOPE_MODEL_H
#define MEMSLOPE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "container.h"
#include "history.h"
#include "limit.h"
#include "trend.h"

struct system_sample {
	int64_t mem_total_bytes, mem_available_bytes, mem_free_bytes;
	int64_t swap_total_bytes, swap_free_bytes;
	int64_t commit_limit_bytes, committed_as_bytes; /* CommitLimit, Committed_AS */
	int overcommit_mode;     /* vm.overcommit_memory (2: strict), -1 unknown */
	struct cgroup_psi pressure; /* /proc/pressure/memory; present=false if none */
};

/* What main.c last reported about an entity, to raise events on change. */
struct entity_marks {
	enum trend_verdict verdict;
	int level;               /* 0 below warn, 1 warn, 2 crit */
	bool oom_imminent;
	uint8_t limits_imminent; /* bit per enum limit_kind: limit_imminent reported */
};

/* The series core every series of every entity shares (a process's or a
 * tree's memory, a cgroup's working set, a GPU series): the limit it is
 * measured against, its usage of it, its trend, and the marks events compare
 * with. Entities embed it as MODEL_SERIES_CORE: the fields are reachable by
 * name (p->trend, c->usage_pct) and the whole as ->core, which is what the
 * series walk (model_series_walk) hands out. */
#define MODEL_SERIES_FIELDS \
	int64_t limit_bytes;      /* what it can grow to; MS_ABSENT unknown */ \
	char *limit_source;       /* owned: a cgroup path, "machine", or NULL */ \
	double usage_pct;         /* value / limit, NAN when unknown */ \
	struct trend trend; \
	struct entity_marks marks;
struct series_core {
	MODEL_SERIES_FIELDS
};
#define MODEL_SERIES_CORE union { struct series_core core; struct { MODEL_SERIES_FIELDS }; }

/* GPU memory of a process or a tree (NVML, sample_gpu.c): allocated when it
 * is first seen on a GPU, so processes that never use one cost nothing. */
#define GPU_SERIES_CARDS 8
struct gpu_series {
	int64_t bytes;           /* summed over its GPUs; MS_ABSENT when a list failed */
	int64_t peak_bytes;
	/* limit_bytes: what it can grow to, its own use plus the free memory of
	 * its GPUs (each card's total minus what everyone else uses);
	 * usage_pct: bytes / limit. */
	MODEL_SERIES_CORE;
	size_t n_cards;          /* per GPU (the first GPU_SERIES_CARDS) */
	struct gpu_share {
		unsigned index;
		int64_t bytes;
	} cards[GPU_SERIES_CARDS];
	int64_t t_ms;            /* mono time of the reading */
	int64_t last_bytes, last_limit_bytes; /* the last reading holding GPU memory */
	struct history hist;
};

/* One GPU as last read. */
struct gpu_card_state {
	unsigned index;
	char *name;              /* sanitised by the sampler */
	int64_t used_bytes, total_bytes, free_bytes;
};

/* One process, keyed by (pid, start_ticks): a reused PID is a new entity. */
struct proc_entity {
	pid_t pid, ppid;
	uint64_t start_ticks;
	int64_t start_time_ms;   /* wall clock, epoch ms */
	uid_t uid;
	char *user;              /* name, or the uid as text */
	char *name;              /* raw from /proc: sanitise before showing */
	char *cmdline;           /* raw, args joined by spaces */
	char *cgroup;            /* memory cgroup path, NULL if unknown */
	/* The container and systemd unit of cgroup: its cgroup entity's (with
	 * the runtime's names) once there is one (container_from_entity), else
	 * parsed from the path; redone when cgroup changes (update.c). */
	struct container container;
	bool container_set, container_from_entity;
	/* model_proc_cgroup's cache: the entity of cgroup (or NULL), valid
	 * while cg_epoch == the model's (0: not looked up since cgroup was set). */
	struct cgroup_entity *cg;
	uint64_t cg_epoch;
	char state;              /* R S D Z T ..., '?' unknown */
	int64_t threads;
	int64_t rss_bytes, rss_anon_bytes, rss_file_bytes, rss_shmem_bytes;
	int64_t swap_bytes, peak_rss_bytes, pss_bytes, uss_bytes;
	int64_t oom_score, oom_score_adj;
	/* Effective limit of the process's cgroup (MemTotal when none), the
	 * cgroup path that sets it ("machine" for MemTotal), rss / limit, and
	 * the trend on RssAnon + VmSwap. */
	MODEL_SERIES_CORE;
	/* What usage_pct compares with limit_bytes: "cgroup", the cgroup's
	 * charged working set (a cgroup limit); "rss", the process's RSS (the
	 * machine's RAM); NULL when unknown. Static strings. */
	const char *usage_basis;
	bool selected;           /* matched a selection (-p/-n/-u/-c, or launch) */
	bool alive;
	bool tagged;             /* TUI: tagged by the user */
	int64_t first_seen_ms, last_seen_ms; /* mono */
	int64_t exit_ms;         /* mono, -1 while alive */
	struct history hist_rss; /* RSS */
	struct gpu_series *gpu;  /* NULL until seen on a GPU */
	/* Every limit that can end it (limit.h), with the binding one; the
	 * table's %LIM and TTL follow the binding limit. */
	int64_t vm_size_bytes, vm_data_bytes;
	struct limit_state limits;
	/* The series of limit_state_refusing's limit (VmSize, VmData or
	 * Committed_AS) for the detail view; restarted when that kind changes. */
	struct history hist_limit;
	int hist_limit_kind;     /* enum limit_kind, -1 none */
	struct tree_entity *tree; /* the tree this process roots, or NULL */
	int depth;               /* tree view: depth under its nearest listed ancestor */
	void *sampler_ref;       /* the sampler's entry; main.c only */
};

/* A selected process and all its descendants, summed ("tree" series). */
struct tree_entity {
	pid_t root_pid;
	uint64_t root_start_ticks;
	char *name;              /* root's name, raw */
	size_t n_procs;          /* live members this tick */
	pid_t *pids;             /* members this tick (n_procs) */
	int64_t rss_bytes, anon_swap_bytes, swap_bytes, pss_bytes;
	int64_t peak_rss_bytes;  /* max of the tree sum seen */
	MODEL_SERIES_CORE;       /* the root's limit; trend on the summed RssAnon + VmSwap */
	bool alive;
	struct history hist_rss;
	struct gpu_series *gpu;  /* the members' GPU memory; NULL until one uses a GPU */
};

struct cgroup_entity {
	struct cgroup_sample s;  /* latest read; s.path is the key */
	struct container container; /* from the path; names filled once by update's namer */
	bool selected;           /* named with -c (vs. holding a watched process) */
	MODEL_SERIES_CORE;       /* effective limit (MemTotal when none); trend on the working set */
	int64_t prev_events[6];  /* last ev_{low,high,max,oom,oom_kill,oom_group_kill} */
	int64_t prev_oom_kill_local; /* last ev_oom_kill_local */
	int64_t last_working_set_bytes;
	struct history hist_current;
	bool seen_this_tick;
	/* Ended: since when (mono) no live watched process is in it or below
	 * it, or it is gone; -1 while one is. An ended cgroup is kept
	 * UPDATE_CGROUP_RETENTION_MS with its last counters (a kill is told
	 * in the cgroup it happened in), its trend stopped (no TTL). */
	int64_t ended_ms;
	bool live;               /* update.c: a live process in it or below, this tick */
	int64_t next_read_ms;    /* mono: cgroups of unselected processes are read less often */
};

enum event_kind {
	EV_PROC_START, EV_PROC_EXIT, EV_VERDICT, EV_THRESHOLD, EV_CGROUP_EVENT,
	EV_OOM_KILL, EV_OOM_IMMINENT, EV_CGROUP_GONE, EV_ALERT_HOOK, EV_INFO,
	EV_LIMIT_IMMINENT,       /* a limit's TTL within the OOM-IMMINENT horizon */
};

struct event {
	int64_t time_ms;         /* wall clock, epoch ms */
	enum event_kind kind;
	pid_t pid;               /* 0 when about a cgroup */
	char *cgroup;            /* NULL when about a process */
	char *message;           /* human readable, raw (sanitise to show) */
	const char *limit;       /* EV_LIMIT_IMMINENT: limit_kind_name; else NULL */
};

#define MODEL_EVENTS_MAX 256

struct model_self {
	double cpu_pct;                 /* memslope's own CPU, % of one core */
	int64_t rss_bytes;
	double sample_cost_us_per_process;
	int64_t n_fds;
};

struct model {
	char *host;
	int64_t time_ms;          /* wall clock of the current sample, epoch ms */
	int64_t mono_ms;          /* monotonic time of the current sample */
	int64_t interval_ms;
	int warn_pct, crit_pct;
	struct system_sample sys;
	/* The machine's Committed_AS against CommitLimit: the commit limit's
	 * trend, shared by every process under strict overcommit. */
	struct trend commit_trend;
	struct model_self self;
	struct proc_entity **procs; size_t n_procs, cap_procs;    /* alive + recently exited */
	size_t procs_high;        /* most processes held since the heap was last trimmed */
	struct tree_entity **trees; size_t n_trees, cap_trees;
	struct cgroup_entity **cgroups; size_t n_cgroups, cap_cgroups;
	struct cgroup_index *cg_index; /* model_cgroup_find's path index (a cache) */
	uint64_t cg_epoch;        /* bumped when a cgroup entity is added or freed */
	struct event events[MODEL_EVENTS_MAX]; /* ring */
	size_t ev_head, ev_len;
	uint64_t ev_total;        /* events ever added: ids for "new since" */
	uint64_t ev_tick_first;   /* ev_total at the start of this tick */
	bool pss_enabled;
	/* GPUs (NVML could be loaded): n_gpus > 0. gpu_pid_map says how NVML's
	 * PIDs were placed ("host", "nspid", "unmapped"), gpu_unmapped how many
	 * processes on a GPU could not be. */
	struct gpu_card_state *gpus; size_t n_gpus;
	const char *gpu_pid_map;
	size_t gpu_unmapped;
	int64_t gpu_t_ms;         /* mono time of the GPU reading (a log's gpu_mono_ms) */
	const char *cgroup_version; /* "v1", "v2" or NULL (no controller) */
	/* The update stage's settings, written in every log line ("analysis")
	 * so that --replay --log re-runs the analysis as it ran. */
	struct {
		bool all;             /* the everything view */
		bool trees;           /* tree series kept */
		pid_t keep_pid;       /* launch mode's command, 0 none */
	} analysis;
	/* Only the TUI's detail view reads the histories (hist_rss,
	 * hist_current); headless runs set this and main.c does not feed them. */
	bool no_history;
};

struct model *model_new(const char *host, int64_t interval_ms);
void model_free(struct model *m);

/* Entity constructors: values start absent, history and trend empty; the
 * model owns the result. */
struct proc_entity *model_proc_add(struct model *m, pid_t pid, uint64_t start_ticks);
struct tree_entity *model_tree_add(struct model *m, pid_t root_pid, uint64_t root_start_ticks);
struct cgroup_entity *model_cgroup_add(struct model *m, const char *path);
void model_proc_free(struct proc_entity *p);
/* A GPU series with values absent, history and trend empty; free of NULL is a no-op. */
struct gpu_series *model_gpu_series_new(void);

/* Every series of the model, one kind after another as listed in
 * model.c's series table (processes' memory, processes' GPU memory, trees',
 * trees' GPU memory, cgroups'): the one place a new kind of series is
 * listed for the analysis events and the --check gate. */
enum series_id {
	SERIES_PROC,     /* a process's memory (RssAnon+VmSwap against its limit) */
	SERIES_PROC_GPU, /* a process's GPU memory */
	SERIES_TREE,     /* a tree's summed memory */
	SERIES_TREE_GPU, /* a tree's summed GPU memory */
	SERIES_CGROUP,   /* a cgroup's working set plus swap */
	SERIES_N
};
/* The core of series id of entity (of that id's entity kind); NULL when the
 * entity has none (never seen on a GPU). The outputs find series here. */
const struct series_core *model_series_of(enum series_id id, const void *entity);
struct model_series_ref {
	char kind;               /* 'p' process, 't' tree, 'c' cgroup */
	const char *suffix;      /* what it is after the entity's label: "" or " GPU memory" */
	void *entity;
	struct series_core *s;
	bool alive;              /* the entity is live (a cgroup: exists) */
	pid_t pid;               /* the process's, the tree's root, 0 for a cgroup */
	const char *cgroup;      /* the cgroup's path, NULL otherwise */
};
typedef void model_series_fn(void *ctx, const struct model_series_ref *r);
void model_series_walk(struct model *m, model_series_fn *fn, void *ctx);
void model_gpu_series_free(struct gpu_series *g);
/* Replace an owned string if it differs (NULL allowed). */
void model_set_str(char **slot, const char *value);
void model_tree_free(struct tree_entity *t);
/* Frees a cgroup entity the caller has taken out of m->cgroups (or is about
 * to); bumps m->cg_epoch. */
void model_cgroup_free(struct model *m, struct cgroup_entity *c);
/* Drop (and free) the processes for which keep() says false. After a burst
 * of processes has gone (MODEL_TRIM_PROCS fewer than the most held since
 * the last time), the heap's free pages go back to the kernel (glibc
 * malloc_trim), so RSS follows the processes watched now, not the peak. */
#define MODEL_TRIM_PROCS 128
void model_procs_compact(struct model *m, bool (*keep)(const struct proc_entity *, void *), void *ctx);

/* Events: add one (the message is copied). */
void model_event(struct model *m, enum event_kind kind, pid_t pid, const char *cgroup,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Name the limit of the event just added (EV_LIMIT_IMMINENT). */
void model_event_limit(struct model *m, enum limit_kind k);
/* i-th event, oldest first (i < m->ev_len). */
const struct event *model_event_at(const struct model *m, size_t i);
/* Events added during the current tick. */
size_t model_events_this_tick(const struct model *m, const struct event **first_out);
const char *model_event_kind_name(enum event_kind k);

/* Find, by identity; NULL when not known. */
struct proc_entity *model_proc_find(const struct model *m, pid_t pid);
struct cgroup_entity *model_cgroup_find(const struct model *m, const char *path);
/* model_cgroup_find(m, p->cgroup), remembered in p until a cgroup entity is
 * added or freed; whoever changes p->cgroup sets p->cg_epoch = 0. */
struct cgroup_entity *model_proc_cgroup(const struct model *m, struct proc_entity *p);
struct tree_entity *model_tree_find(const struct model *m, pid_t root_pid);

#endif
