/* out_json: the model as jansson objects, and atomic snapshot files.
 * Every returned json_t is a new reference the caller must json_decref. */
#ifndef MEMSLOPE_OUT_JSON_H
#define MEMSLOPE_OUT_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "model.h"

/* The schema id of every document memslope writes (and replay reads). */
#define OUT_JSON_SCHEMA_ID "memslope/1"

/* RFC 3339 UTC with milliseconds, e.g. "2026-11-21T15:30:00.123Z". */
void out_json_time(int64_t time_ms, char *buf, size_t cap);
/* The top-level fields without entity arrays; type may be NULL. */
json_t *out_json_header(const struct model *m, const char *type);
/* A whole snapshot: every entity, and the events of this tick (or every
 * event still held when all_events). */
json_t *out_json_snapshot(const struct model *m, bool all_events);
json_t *out_json_process(const struct proc_entity *p);
json_t *out_json_tree(const struct tree_entity *t);
json_t *out_json_cgroup(const struct cgroup_entity *c);
json_t *out_json_event(const struct event *e);
json_t *out_json_trend(const struct trend_result *r);
json_t *out_json_psi(const struct cgroup_psi *p);
/* A replay checkpoint: the snapshot with every event held and each dead
 * process's exit time ("replay_exit_ms"), which a snapshot does not carry. */
json_t *out_json_checkpoint(const struct model *m);
/* The post-mortem of launch mode (type "postmortem"); check: the --check
 * state, NULL without --check. */
struct launch;
struct check_state;
json_t *out_json_postmortem(const struct launch *l, const struct model *m, const struct check_state *check);
/* Log lines. The cache keeps, for each entity, the jansson text it was last
 * serialised to and a signature of the values it was made from; a line is the
 * header (with this tick's events) serialised by jansson, and the entity
 * texts joined into its "processes", "trees" and "cgroups" arrays. Only an
 * entity whose values changed since the previous call is serialised again.
 * With delta, the arrays hold only those changed (or new) entities. The text
 * (no newline) is valid until the next call; *len is its length. */
struct out_json_cache;
struct out_json_cache *out_json_cache_new(void);
void out_json_cache_free(struct out_json_cache *c);
const char *out_json_line(struct out_json_cache *c, const struct model *m, bool delta, size_t *len);
/* Write doc to path through a temporary file and rename(2), so readers see
 * the old file or the whole new one. The file is 0600, or 0640 with group
 * gid ((gid_t)-1: none). 0, or -1 with *err (caller frees). */
int out_json_write_atomic(json_t *doc, const char *path, gid_t gid, char **err);
/* A full snapshot (every event held) exported to DIR/memslope-HOST-TIME.json
 * (made as out_json_write_atomic makes it), for SIGUSR1 and the TUI's 'e'.
 * The path written, or NULL with *err. */
char *out_json_export(const struct model *m, const char *dir, gid_t gid, char **err);
/* The status line after an export (path NULL: it failed with err): the
 * file name first (an 80-column line cuts a long directory), then where. */
char *out_json_export_status(const char *path, const char *err);

#endif
