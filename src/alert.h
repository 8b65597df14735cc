/* alert: run the user's --on-alert hook when an alert fires (output stage).
 *
 * Reads the model after each tick: an entity (process, tree, cgroup) with a
 * confirmed leak, an oom_imminent prediction or usage at --crit-pct, and
 * every OOM kill event of the tick, fire an alert — at most once per entity
 * and kind per --alert-cooldown. The hook is run with fork + execvp, never a
 * shell; what the alert is about goes only into MEMSLOPE_* environment
 * variables. Nothing here waits: hooks are reaped with WNOHANG each tick,
 * a hook past --alert-timeout gets SIGTERM, then SIGKILL, and each hook's
 * start, exit status and duration become EV_ALERT_HOOK events. */
#ifndef MEMSLOPE_ALERT_H
#define MEMSLOPE_ALERT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "model.h"

struct alert;

/* argv: the hook (NULL-terminated, copied). cooldown_ms and timeout_ms as
 * the options say. quiet: the hook's stdout and stderr go to /dev/null (the
 * TUI owns the terminal); otherwise its stdout goes to memslope's stderr,
 * so it can never mix into an NDJSON stream on stdout. NULL and *err (one
 * line, caller frees) when argv[0] cannot be found or run. */
struct alert *alert_new(char *const *argv, int64_t cooldown_ms, int64_t timeout_ms, bool quiet,
			char **err);
/* Wait for hooks still running, each up to the end of its --alert-timeout
 * (then SIGTERM, and SIGKILL after a grace period), saying so on stderr;
 * reap them, log them in m (may be NULL), free. NULL is a no-op. */
void alert_free(struct alert *al, struct model *m);

/* Once per tick, after the model is updated: reap finished hooks, enforce
 * the timeout, fire new alerts. now_mono_ms is the monotonic clock. */
void alert_tick(struct alert *al, struct model *m, int64_t now_mono_ms);

/* Only reap finished hooks and enforce the timeout (no new alerts): for
 * when no tick happens, e.g. the TUI is paused. */
void alert_poll(struct alert *al, struct model *m, int64_t now_mono_ms);

/* A child was reaped elsewhere (a waitpid(-1) loop): if it was a hook, take
 * its status. Returns true when pid was one of ours. */
bool alert_child_exited(struct alert *al, pid_t pid, int status, int64_t now_mono_ms);

/* Number of hooks running now. */
int alert_running(const struct alert *al);

#endif
