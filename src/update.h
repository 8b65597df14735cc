/* update: one tick's samples folded into the model (update stage).
 *
 *   samplers (live /proc + cgroupfs, or a recorded log) -> update -> model
 *
 * update_tick takes what the samplers read this tick — system figures, the
 * tracked processes and those that exited, and a reader for cgroups — and
 * folds it into the model's entities: identity (a reused PID is a new
 * entity, execve starts the trend afresh, a move changes the cgroup),
 * values, limits, history, trend, tree sums, retention of the dead, and the
 * events and --check reasons (events.c). Every mode (TUI, headless, launch)
 * goes through here, so they cannot disagree. Nothing here reads the
 * system: the inputs are handed in. */
#ifndef MEMSLOPE_UPDATE_H
#define MEMSLOPE_UPDATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "events.h"
#include "model.h"
#include "sample_gpu.h"
#include "sample_proc.h"

/* Exited processes stay in the model (marked dead) this long. */
#define UPDATE_DEAD_RETENTION_MS 10000
/* A cgroup no live watched process is in any more, or that is gone, stays
 * this long with its last counters (model.h, cgroup_entity.ended_ms). */
#define UPDATE_CGROUP_RETENTION_MS 60000
/* Cgroups that only hold unselected processes (the "everything" view) are
 * re-read this often: their limits rarely change and reading ~10 files per
 * cgroup per second would cost more than sampling all processes. */
#define UPDATE_CGROUP_SLOW_MS 5000

/* Fills *out (zeroed by the caller) with the cgroup at path. */
typedef void update_cgroup_reader(void *ctx, const char *path, struct cgroup_sample *out);
/* Adds the runtime's names to a container parsed from a new cgroup's path
 * (container_lookup: reads its state files). */
typedef void update_container_namer(struct container *c);

/* The values a process sample carries into its entity (same names in
 * struct proc_sample and struct proc_entity), copied each tick; replay's
 * sampler copies them back from a recorded entity. A new per-process value
 * is added here. */
#define UPDATE_PROC_VALUES(X) \
	X(ppid) X(state) X(threads) X(rss_bytes) X(rss_anon_bytes) X(rss_file_bytes) \
	X(rss_shmem_bytes) X(swap_bytes) X(peak_rss_bytes) X(pss_bytes) X(uss_bytes) \
	X(oom_score) X(oom_score_adj) X(vm_size_bytes) X(vm_data_bytes)

struct update_config {
	bool all;            /* the everything view: no start/exit events, slow cgroups */
	bool trees;          /* keep tree series (--tree, launch mode) */
	pid_t keep_pid;      /* kept after it exits, with its tree (launch's post-mortem); 0: none */
	update_cgroup_reader *cgroup_read; /* NULL: no memory controller */
	void *cgroup_ctx;
	update_container_namer *container_name; /* NULL: the path's names only */
};

struct update {
	struct model *m;
	struct update_config cfg;
	struct check_state check; /* --check: rules set by the caller, reasons found here */
	uint64_t ticks;
	bool first_tick;
};

/* One tick's samples. The proc_sample entries are the sampler's: update
 * sets their owner (the entity) and clears identity_changed and
 * cgroup_changed once folded in. */
struct update_input {
	int64_t mono_ms, time_ms;
	struct system_sample sys;
	struct proc_sample **procs; size_t n_procs;    /* tracked and alive */
	struct proc_sample **exited; size_t n_exited;  /* vanished this tick */
	const struct gpu_sample *gpu;                  /* NULL: no GPU (NVML not loaded) */
};

void update_init(struct update *u, struct model *m, const struct update_config *cfg);
void update_done(struct update *u);
void update_tick(struct update *u, const struct update_input *in);
/* Launch mode: the command's PID, once started. */
void update_set_keep_pid(struct update *u, pid_t pid);
/* The entity of cgroup path, added when new; selected: named with -c. */
struct cgroup_entity *update_cgroup_get(struct update *u, const char *path, bool selected);

#endif
