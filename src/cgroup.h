/* cgroup: the one module that knows cgroup file names and formats.
 *
 * Sits in the "sample" stage: finds the memory controller (v2, v1, or v1
 * beside a v2 mount on hybrid hosts), maps a PID to its memory cgroup, and
 * reads one cgroup's counters into a struct cgroup_sample. Every value that
 * cannot be read is MS_ABSENT; a limit written as "max" (v2) or the v1
 * "unlimited" sentinel (>= 2^62) is MS_UNLIMITED. Never fails the program.
 *
 * The parsers are exported separately (pure functions on text) so the tests
 * and fuzzers can drive them without a filesystem. */
#ifndef MEMSLOPE_CGROUP_H
#define MEMSLOPE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum cgroup_version { CGROUP_NONE = 0, CGROUP_V1 = 1, CGROUP_V2 = 2 };

/* Where the memory controller is mounted. */
struct cgroup_fs {
	enum cgroup_version version;
	char *mount_dir;  /* e.g. "/sys/fs/cgroup" or "/sys/fs/cgroup/memory" */
	char *mount_root; /* mountinfo's root field: the cgroup path the mount shows as "/" */
};

/* Find the memory controller from a mountinfo file (normally
 * "/proc/self/mountinfo"): a v1 "memory" mount wins over a v2 mount (hybrid
 * hosts keep the memory controller in v1). 0 on success; -1 with *err (caller
 * frees) when no memory controller is mounted. */
int cgroup_fs_discover(struct cgroup_fs *fs, const char *mountinfo_path, char **err);
/* --cgroup-root DIR: use DIR as the root, told v2 from v1 by its files
 * (cgroup.controllers / memory.current vs memory.usage_in_bytes). */
int cgroup_fs_open_root(struct cgroup_fs *fs, const char *dir, char **err);
void cgroup_fs_done(struct cgroup_fs *fs);

/* Pure parser: from mountinfo text, fill fs (same rules as discover). */
int cgroup_parse_mountinfo(const char *text, struct cgroup_fs *fs);
/* Pure parser: from /proc/PID/cgroup text, the memory cgroup path relative to
 * fs->mount_dir ("/" for the root), or NULL. Caller frees. */
char *cgroup_parse_proc_cgroup(const struct cgroup_fs *fs, const char *text);
/* Read /proc/PID/cgroup and map it as above. NULL when unreadable. */
char *cgroup_path_of_pid(const struct cgroup_fs *fs, pid_t pid);

/* Pure parsers for cgroup file formats. Each returns 0 or -1 (malformed). */
int cgroup_parse_value(const char *text, int64_t *v);  /* "123\n", "max\n" */
/* Flat-keyed ("key value\n"...): find key's value. -1 when absent. */
int cgroup_parse_flat_key(const char *text, const char *key, int64_t *v);

struct cgroup_psi {
	bool present;
	double some_avg10, some_avg60, some_avg300;
	int64_t some_total_us;
	double full_avg10, full_avg60, full_avg300;
	int64_t full_total_us;
};
/* Nested-keyed PSI ("some avg10=.. avg60=.. avg300=.. total=..\nfull ...").
 * "full" is optional; what is missing is NAN / MS_ABSENT, present is false
 * on -1. */
int cgroup_parse_psi(const char *text, struct cgroup_psi *psi);

struct cgroup_kv {
	char *key;
	int64_t value;
};

/* Pure parser for memory.stat ("key value\n"...): every well-formed line, in
 * file order, into *kv (n entries; free with cgroup_kv_free), keys limited to
 * [A-Za-z0-9_]. Malformed lines are skipped and make the result -1; blank
 * lines are ignored. */
int cgroup_parse_stat(const char *text, struct cgroup_kv **kv, size_t *n);
void cgroup_kv_free(struct cgroup_kv *kv, size_t n);

struct cgroup_sample {
	char *path; /* relative to the root, "/" for the root itself */
	enum cgroup_version version;
	bool exists; /* false: the directory is gone (cgroup removed) */
	/* v2 names. v1 is mapped: usage_in_bytes -> current, limit_in_bytes ->
	 * max, max_usage_in_bytes -> peak, memsw.usage - usage -> swap_current,
	 * memsw.limit -> swap_max; v1 has no high/low/min (absent). */
	int64_t current_bytes, max_bytes, high_bytes, low_bytes, min_bytes, peak_bytes;
	int64_t swap_current_bytes, swap_max_bytes;
	/* memory.events (v2). v1: max = failcnt, oom = under_oom transitions are
	 * not counted (absent), oom_kill from memory.oom_control. */
	int64_t ev_low, ev_high, ev_max, ev_oom, ev_oom_kill, ev_oom_group_kill;
	/* memory.events.local oom_kill: kills of this cgroup's own processes,
	 * where memory.events counts the whole subtree's (v2, 5.2+; else absent). */
	int64_t ev_oom_kill_local;
	int64_t v1_failcnt;        /* v1 only, else absent */
	int64_t v1_under_oom;      /* v1 only */
	int64_t v1_oom_kill_disable; /* v1 only */
	struct cgroup_kv *stat;    /* every memory.stat line, in file order */
	size_t n_stat;
	struct cgroup_psi pressure; /* memory.pressure (v2) */
	/* Working set for the trend: v2 current - inactive_file, v1 usage -
	 * total_inactive_file; absent if current is absent. */
	int64_t working_set_bytes;
	/* Tightest limit over this cgroup and every ancestor (v1: also
	 * hierarchical_memory_limit). MS_UNLIMITED when none is set; the
	 * caller then applies MemTotal. source: path of the cgroup setting it,
	 * NULL when unlimited. Same for memory.high (v2 only). */
	int64_t effective_limit_bytes;
	char *effective_limit_source;
	int64_t effective_high_bytes;
	char *effective_high_source;
};

/* Read the cgroup at path (relative to fs->mount_dir) and its ancestors'
 * limits. Never fails: unreadable values are MS_ABSENT; a missing directory
 * gives exists = false. Free with cgroup_sample_done. */
void cgroup_read(const struct cgroup_fs *fs, const char *path, struct cgroup_sample *out);
void cgroup_sample_done(struct cgroup_sample *s);
/* What cgroup_read gives for a directory that is not there (exists false,
 * every value absent). */
void cgroup_sample_gone(struct cgroup_sample *out, enum cgroup_version version, const char *path);
/* Look up a memory.stat key in a read sample; MS_ABSENT when missing. */
int64_t cgroup_stat_get(const struct cgroup_sample *s, const char *key);
/* True when path names an existing cgroup directory under the root. */
bool cgroup_exists(const struct cgroup_fs *fs, const char *path);
/* Every cgroup below the root, parents first, as a path relative to the
 * root ("/system.slice"); visit returns true to skip what is below. */
typedef bool cgroup_visit(const char *path, void *ctx);
void cgroup_walk(const struct cgroup_fs *fs, cgroup_visit *visit, void *ctx);
/* PIDs in the cgroup and all below it (cgroup.procs, recursively). Returns
 * count; *pids is allocated (caller frees), NULL when none. Sorted, unique. */
size_t cgroup_pids_recursive(const struct cgroup_fs *fs, const char *path, pid_t **pids);

#endif
