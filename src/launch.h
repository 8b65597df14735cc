/* launch: `memslope -- COMMAND`: start the command, follow it, reap it,
 * and tell its post-mortem (launch mode).
 *
 * launch_start forks and execs the command (an exec failure is reported
 * before the screen is taken) and hands its PID to the sampler as
 * selected; launch_reap collects exit statuses after SIGCHLD (alert hooks'
 * too, which waitpid(-1) also takes); launch_track keeps, each tick, the
 * command's peaks, time above memory.high, OOM kills and whether an OOM was
 * forecast; the post-mortem is printed as text and, with --json, JSON. */
#ifndef MEMSLOPE_LAUNCH_H
#define MEMSLOPE_LAUNCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "alert.h"
#include "events.h"
#include "model.h"
#include "sample_proc.h"

struct launch {
	char **argv;            /* the command (not owned) */
	pid_t pid;
	bool running;
	int status;             /* wait status */
	int64_t start_mono_ms, end_mono_ms;
	int64_t peak_rss_bytes, peak_tree_rss_bytes;
	/* Peak of what the command's kill limit is compared with (its
	 * process's usage_basis: the cgroup's charged working set, or RSS). */
	int64_t peak_used_bytes;
	const char *used_basis;
	int64_t above_high_ms;
	int64_t oom_kill_start; /* the cgroup's oom_kill counter when first seen */
	char *oom_cgroup;       /* ...and which cgroup that was (the job may move) */
	bool oom_killed, oom_imminent_fired;
	int limit_imminent_kind; /* first refusing limit predicted imminent; -1 none */
	/* By kind: the command's refusing limit when last seen near (its
	 * sample, limit_near), and when: a job that hits RLIMIT_AS frees its
	 * memory while it unwinds, so its very last sample may look far. */
	struct limit near[LIMIT_KINDS];
	int64_t near_ms[LIMIT_KINDS];   /* mono; -1 never */
};
/* How long before the end a limit seen near still explains it. */
#define LAUNCH_NEAR_RECENT_MS 5000

struct capture;

/* Whose input and output the command gets. Headless, memslope's own stdin,
 * stdout and stderr, except that stdout goes to stderr when memslope's own
 * output claims stdout (--log -, --json without -o). Under the TUI, the
 * capture's pseudo-terminal for all three. */
struct launch_io {
	struct capture *capture;  /* NULL: memslope's descriptors */
	bool stdout_to_stderr;
};

/* Start argv; 0, or -1 with *err when it cannot be run (exec failed). */
int launch_start(struct launch *l, char **argv, const struct launch_io *io, struct sample_proc *sp, char **err);
/* Collect every exited child: the command's status is kept, the alert
 * hooks' handed to alert (may be NULL). */
void launch_reap(struct launch *l, struct alert *alert);
/* After each tick. */
void launch_track(struct launch *l, const struct model *m, int64_t interval_ms);
/* The exit status memslope passes on: the command's, 128+N for signal N. */
int launch_exit_code(const struct launch *l);
/* Why it ended (after it did): oom_kill, memory_error (likely, naming the
 * limit: *lim is set when the verdict's limit >= 0), signal, exit. */
struct limit_verdict launch_cause(const struct launch *l, const struct model *m, struct limit *lim);
/* "SIGX" (or "signal N", "unknown") for a status that is not an exit. */
void launch_signal_name(int status, char *buf, size_t cap);
/* "exit status N" or "killed by SIGX". */
void launch_how(const struct launch *l, char *buf, size_t cap);
void launch_postmortem_print(const struct launch *l, const struct model *m, FILE *f);
/* How the run ends for the command: the post-mortem to -o FILE (JSON with
 * json; made under an unguessable name and renamed, 0600 or 0640 with
 * file_gid), else JSON on stdout (json) and text on stderr; the --check
 * lines; and the exit status: check_exit when --check failed, else the
 * command's — said on stderr with --check, so the two cannot be confused. */
struct launch_end {
	const char *output_path;  /* -o, NULL: none */
	bool json;
	gid_t file_gid;           /* (gid_t)-1: none */
	const struct check_state *check; /* NULL without --check */
	int check_exit;
};
/* Before the launch: -o FILE can be written (its directory exists and is
 * writable; FILE, if there, is a regular file). 0, or -1 with *err. */
int launch_output_check(const char *path, char **err);
int launch_finish(const struct launch *l, const struct model *m, const struct launch_end *e);

void launch_done(struct launch *l);

#endif
