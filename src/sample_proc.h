/* sample_proc: reads processes from /proc (sample stage).
 *
 * The one file that talks to libproc2. Each tick: new PIDs are found by
 * readdir(/proc) (or, when only a few were handed out since the last tick,
 * by looking each of them up); a PID not seen before gets its identity (name, command line, user, start
 * time, flags) through libproc2 once, and is matched against the selection;
 * selected processes keep /proc/PID/statm, status (and smaps_rollup when PSS
 * is wanted) open, and every tick pread them — about 1.5 us for statm versus
 * ~9 us for open/read/close. A kept descriptor of a reaped process fails with
 * ESRCH, so a reused PID is never misread: it is a new entry (new start time).
 * Values that cannot be read are MS_ABSENT. */
#ifndef MEMSLOPE_SAMPLE_PROC_H
#define MEMSLOPE_SAMPLE_PROC_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "limit.h"

/* What to watch. Empty selection (no pids, no regex, no users, no cgroups,
 * no launch pid) means every process (kernel threads excluded). */
struct sample_select {
	pid_t *pids; size_t n_pids;
	regex_t *name_re;         /* -n: matched on name and full command line */
	uid_t *uids; size_t n_uids;
	char **cgroups; size_t n_cgroups; /* -c: paths relative to the cgroup root */
	bool tree;                /* -t: descendants of selected processes too */
	bool all;                 /* computed: nothing given */
};

enum pss_mode { PSS_AUTO, PSS_ON, PSS_OFF };

struct proc_sample {
	pid_t pid, ppid;
	uint64_t start_ticks;
	int64_t start_time_ms;    /* epoch ms */
	uid_t uid;
	char *user, *name, *cmdline, *cgroup;
	char state;
	bool kthread;
	bool selected;            /* matched -p/-n/-u/-c (not merely a descendant) */
	bool tracked;             /* sampled each tick (selected or descendant) */
	bool is_new;              /* first tick this entry is tracked */
	bool identity_changed;    /* name/cmdline changed (execve under the same PID) */
	bool cgroup_changed;      /* moved to another cgroup */
	bool alive;
	int64_t threads;
	int64_t rss_bytes, rss_anon_bytes, rss_file_bytes, rss_shmem_bytes;
	int64_t swap_bytes, peak_rss_bytes, pss_bytes, uss_bytes;
	int64_t oom_score, oom_score_adj;
	/* For the address-space and data limits: VmSize and VmData every
	 * tick from statm (VmData as statm's data less the last VmStk; exact
	 * when status was read this tick), RLIMIT_AS/RLIMIT_DATA from
	 * /proc/PID/limits (see LIMITS_MS) and the executable's ELF class
	 * (32, 64, 0 unknown: /proc/PID/exe needs ptrace access), read once
	 * and again after an execve. */
	int64_t vm_size_bytes, vm_data_bytes;
	struct limit_rlimits rl;
	int address_bits;
	int64_t pss_read_ms;      /* mono time of the last smaps_rollup read */
	void *owner;              /* the model's entity; set by main.c */
	/* private */
	int fd_statm, fd_status, fd_smaps;
	int64_t next_slow_ms;     /* next read of status (swap, file/shmem, threads, peak) */
	int64_t next_oom_ms;      /* next read of oom_score and oom_score_adj (safety period) */
	int64_t oom_basis_bytes;  /* RSS + swap when oom_score was last read */
	int64_t pss_rss_bytes;    /* RSS when smaps_rollup was last read */
	int64_t next_vis_ms;      /* next refresh as a visible row (status, cgroup, oom_score_adj) */
	int64_t limits_read_ms;   /* last read of /proc/PID/limits (-1: read at once) */
	int64_t vm_stk_bytes;     /* VmStk of the last status read */
	bool exe_read;            /* address_bits is current */
	uint32_t gen;             /* tick generation last seen by readdir */
	uint32_t oom_gen;         /* machine size generation of the last oom_score read */
	bool want_pss;            /* asked for by the TUI this tick */
	bool focus;               /* the TUI's detail view shows it: sampled as if watched */
	struct proc_sample *hnext; /* hash chain */
};

struct sample_proc;

/* cgfs may be NULL (no memory controller). self_pid is excluded from
 * "all" only when exclude_self is set. Returns NULL with *err on failure. */
struct sample_proc *sample_proc_new(const struct sample_select *sel, const struct cgroup_fs *cgfs,
				    enum pss_mode pss, char **err);
void sample_proc_free(struct sample_proc *sp);

/* Watch this PID and its descendants as selected (launch mode). */
void sample_proc_add_pid(struct sample_proc *sp, pid_t pid);

/* One tick at mono_ms: discover, read, and report. After the call,
 * sample_proc_tracked() lists live tracked processes and
 * sample_proc_exited() those that vanished this tick (their last values
 * kept, alive = false; freed at the next tick). */
void sample_proc_tick(struct sample_proc *sp, int64_t mono_ms);
size_t sample_proc_tracked(const struct sample_proc *sp, struct proc_sample ***out);
size_t sample_proc_exited(const struct sample_proc *sp, struct proc_sample ***out);

/* Ask for PSS/USS of this entry at the next tick (visible or focused rows). */
void sample_proc_want_pss(struct sample_proc *sp, pid_t pid);
/* The process the TUI's detail view shows: at the next tick it is read like
 * a watched process (status, cgroup and oom_score every tick, PSS at the
 * watched rate), not at a visible row's 5 s refresh. */
void sample_proc_want_focus(struct sample_proc *sp, pid_t pid);
/* Cost of the last tick: microseconds per tracked process, and the number
 * of descriptors held. */
double sample_proc_cost_us(const struct sample_proc *sp);
size_t sample_proc_fds(const struct sample_proc *sp);
/* Full walks of /proc so far (tests and benchmarks). */
unsigned long sample_proc_walks(const struct sample_proc *sp);

/* Pure parsers (tests and fuzzers): each fills what it finds and leaves
 * the rest untouched; return 0 or -1 when the text is not of that format. */
/* statm: RSS and its shared part; size_bytes (VmSize) and data_bytes
 * (VmData + VmStk) when not NULL, MS_ABSENT when unreadable. */
int sample_parse_statm(const char *text, long page_bytes, int64_t *rss_bytes, int64_t *shared_bytes,
		       int64_t *size_bytes, int64_t *data_bytes);
struct status_fields {
	int64_t rss_bytes, rss_anon_bytes, rss_file_bytes, rss_shmem_bytes;
	int64_t swap_bytes, peak_rss_bytes, threads;
	int64_t vm_size_bytes, vm_data_bytes, vm_stk_bytes;
	pid_t ppid;
	char state;
	uid_t uid;
	bool have_uid, have_ppid;
	char name[64];            /* "Name:" as the kernel escapes it; "" if none */
};
int sample_parse_status(const char *text, struct status_fields *f);
int sample_parse_smaps_rollup(const char *text, int64_t *pss_bytes, int64_t *uss_bytes);

#endif
