/* replay: a recorded NDJSON log as a sampler (sample stage, for --replay).
 *
 * A log line becomes the samples of its tick (replay_feed) and goes through
 * the same update stage as a live run: nothing recorded about the analysis
 * (verdicts, trends, TTLs, limits' states, events, what went) is used. Two
 * users: --replay FILE --log OUT (replay_relog) writes the re-analysis as a
 * log; the browser (--replay FILE in the TUI) shows the re-analysed model
 * at any line — what replay_relog writes for that line, by construction.
 * Times in a browsed model are wall clock: mono_ms == time_ms.
 *
 * For the browser, opening runs the analysis over the whole log once and
 * keeps: each re-analysed line (as --replay --log - writes it) in an
 * unlinked temporary file, an index of the lines (offset, time, what the
 * update stage dropped at it), every history point (16 bytes each, up to
 * 64 MiB) and a checkpoint of the model every 16 lines (a snapshot line
 * with all events, up to 64 MiB in all). A seek then starts from the
 * nearest checkpoint, applies the (at most 15; more where checkpoints
 * were spaced wider to stay in budget) re-analysed lines after it, read
 * back with pread, and fills histories from the points. The file must not be
 * rewritten while it is replayed. */
#ifndef MEMSLOPE_REPLAY_H
#define MEMSLOPE_REPLAY_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "out_ndjson.h"
#include "update.h"

/* How far back a seek rebuilds histories. */
#define REPLAY_HISTORY_MS (2 * 3600 * 1000)

struct replay;

/* index_only: for replay_relog (no analysis at open, no seeks);
 * warn_pct/crit_pct: the thresholds when the log does not record them (0:
 * the model's defaults). */
struct replay_open_opts {
	bool index_only;
	int warn_pct, crit_pct;
};
/* Read and index the file (o NULL: for the browser, default thresholds).
 * NULL with *err (one line, caller frees) when it cannot be read, is empty,
 * holds no memslope/1 log line (the message names the first bad line), or
 * the re-analysis cannot be kept in a temporary file. Bad lines (an
 * incomplete last line: no newline, not whole JSON) are skipped and told by
 * replay_note. */
struct replay *replay_open(const char *path, const struct replay_open_opts *o, char **err);
/* NULL is a no-op. */
void replay_free(struct replay *r);
/* The file's name, as given. */
const char *replay_path(const struct replay *r);
/* Number of valid lines (>= 1 for an open replay). */
size_t replay_len(const struct replay *r);
/* The line of the last successful seek (0 before the first). */
size_t replay_pos(const struct replay *r);
/* time_ms of line idx (clamped). */
int64_t replay_time_ms(const struct replay *r, size_t idx);
/* What opening found, or NULL: lines on which a recorded verdict differs
 * from the re-analysis (the first told: a log of an older memslope), and
 * the bad lines skipped. Valid until replay_free. */
const char *replay_note(const struct replay *r);

/* Rebuild m (from model_new) as the update stage left it at line idx
 * (clamped to the last line): entities, values, trend results, the
 * analysis' warn/crit thresholds, histories of the last REPLAY_HISTORY_MS
 * of lines, the last MODEL_EVENTS_MAX events up to the line; m->time_ms
 * and m->mono_ms are the line's time_ms. On the model of the previous seek
 * a short step forward applies just the lines in between. A history series
 * is keyed by pid and start time (process), root PID (tree) or path
 * (cgroup). 0, or -1 when a line cannot be read back (the temporary file
 * went): m then holds what could be read. Not for index_only. */
int replay_seek(struct replay *r, size_t idx, struct model *m);
/* Index of the first line at or after time_ms; the last line when none is. */
size_t replay_find_time(const struct replay *r, int64_t time_ms);

/* Apply one log line to m: its entities' fields (a snapshot line also
 * drops what it lacks), as replay_seek applies a line of the re-analysis
 * (without what went, which a delta does not say): pure, for tests and
 * fuzzers. Any bytes are safe. 0, or -1 when the text is not a memslope/1
 * log line (m is then unchanged). */
int replay_parse_line(const char *text, size_t len, struct model *m);

/* ---- re-analysis (--replay FILE --log OUT): the log as a sampler ----
 *
 * Each line becomes the samples a live run read at that tick — the live
 * processes with their values (exits, PID reuse, execve and cgroup moves
 * told by the differences between lines), the system figures, a cgroup
 * reader over the recorded cgroups, the tick's monotonic time — and goes
 * through the same update stage (update_tick), so re-analysis is the live
 * analysis by construction. Nothing recorded about the analysis (verdicts,
 * trends, limits, events) is used, except the alert hooks' events. */
struct replay_feed;
/* The settings the line records ("analysis"), known false for old logs. */
struct replay_settings {
	bool known, all, trees;
	pid_t keep_pid;
	int warn_pct, crit_pct;   /* -1: not recorded */
	int64_t mono_ms;          /* the line's, or its time_ms when not recorded */
};
struct replay_feed *replay_feed_new(void);
void replay_feed_free(struct replay_feed *f);
/* One line as this tick's samples in *in (valid until the next call); 0,
 * or -1 when the text is not a memslope log line (nothing changes). */
int replay_feed_line(struct replay_feed *f, const char *text, size_t len, struct update_input *in);
const struct replay_settings *replay_feed_settings(const struct replay_feed *f);
/* The log as recorded up to the last line, as a sampler keeps it: the live
 * processes, and the cgroups and trees the update stage still holds, with
 * their recorded values and verdicts (replay_open compares those). */
const struct model *replay_feed_recorded(const struct replay_feed *f);
/* update_cgroup_reader over the recorded cgroups (ctx: the feed). */
void replay_feed_cgroup_read(void *ctx, const char *path, struct cgroup_sample *out);
/* After update_tick: what the live run put in the model besides the
 * analysis (host, interval, memslope's own cost, the alert hooks' events);
 * the sampler then keeps only the cgroups and trees m holds (a delta line
 * does not say what went: the update stage decided it). */
void replay_feed_after(struct replay_feed *f, struct model *m);
/* The whole re-analysis (r opened index_only): every line replay_open kept
 * (bad lines are skipped as for the TUI: replay_note tells them) through
 * the update stage, each result written to log. warn_pct/crit_pct apply when the log
 * does not record them. 0, or -1 with *err (NULL when the reader of the
 * output went away). */
int replay_relog(struct replay *r, struct ndjson_log *log, int warn_pct, int crit_pct, char **err);

/* ---- the browser (replay_tui.c) ---- */
struct replay_browse_opts {
	bool ascii, no_color;
	volatile sig_atomic_t *stop, *usr1; /* signal flags: quit; export a snapshot */
	char *(*export)(void *ctx, char **err); /* the 'e' key: the path written, or NULL */
	void *export_ctx;
};
/* The TUI over the log, from its last line; returns the exit status. */
int replay_browse(struct replay *r, struct model *m, const struct replay_browse_opts *o);

#endif
