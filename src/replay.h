/* replay: a recorded NDJSON log as a sampler (sample stage, for --replay).
 *
 * The log out_ndjson.c writes is also the replay input: replay_open indexes
 * the lines of a file (offset, time, snapshot or delta) and replay_seek
 * rebuilds the model as it stood at any line — entities and their values,
 * trend results as recorded (verdicts are not recomputed), histories and
 * events — so the TUI shows a replayed model exactly as it shows a live one.
 * Times in a replayed model are wall clock: mono_ms == time_ms.
 *
 * Opening reads the whole log once, onto a scratch model, and keeps: an
 * index of the lines (offset, time), every history point (16 bytes each,
 * up to 64 MiB) and a checkpoint of the model every 64 lines (a snapshot
 * line with all events, up to 64 MiB in all). A seek then starts from the
 * nearest checkpoint, applies at most 64 lines read back with pread, and
 * fills histories from the points: about 2 ms on a 3600-line log. The file
 * must not be rewritten while it is replayed. */
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

/* Read and index the file. NULL with *err (one line, caller frees) when it
 * cannot be read, is empty, or holds a line that is not a memslope/1 log
 * line (the message names the line). An incomplete last line (no newline,
 * not whole JSON) is skipped and told by replay_note. */
struct replay *replay_open(const char *path, char **err);
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
/* What was skipped while opening (an incomplete last line), or NULL. Valid
 * until replay_free. */
const char *replay_note(const struct replay *r);

/* Rebuild m (from model_new) as of line idx (clamped to the last line):
 * entities, values, trend results, histories of the last REPLAY_HISTORY_MS
 * of lines, the last MODEL_EVENTS_MAX events up to the line; m->time_ms and
 * m->mono_ms are the line's time_ms. On the model of the previous seek a
 * short step forward applies just the lines in between. A history series
 * is keyed by pid and start time (process), root PID (tree) or path
 * (cgroup). 0, or -1 when a line cannot be read back (the file changed):
 * m then holds what could be read. */
int replay_seek(struct replay *r, size_t idx, struct model *m);
/* Index of the first line at or after time_ms; the last line when none is. */
size_t replay_find_time(const struct replay *r, int64_t time_ms);

/* Apply one log line (snapshot or delta) to m, as replay_seek does for each
 * line: pure, for tests and fuzzers. Any bytes are safe. 0, or -1 when the
 * text is not a memslope/1 log line (m is then unchanged). */
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
/* The log as recorded up to the last line. */
const struct model *replay_feed_recorded(const struct replay_feed *f);
/* update_cgroup_reader over the recorded cgroups (ctx: the feed). */
void replay_feed_cgroup_read(void *ctx, const char *path, struct cgroup_sample *out);
/* After update_tick: what the live run put in the model besides the
 * analysis (host, interval, memslope's own cost, the alert hooks' events). */
void replay_feed_after(const struct replay_feed *f, struct model *m);
/* The whole re-analysis: every line replay_open kept (bad lines are
 * skipped as for the TUI: replay_note tells them) through the update
 * stage, each result written to log. warn_pct/crit_pct apply when the log
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
