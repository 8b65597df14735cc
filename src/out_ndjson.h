/* out_ndjson: the NDJSON log (output stage). One line per interval, written
 * with a single write and flushed; a line that cannot be written whole is cut
 * back off the file (ftruncate to the previous end), so the log only ever
 * holds whole lines — also when the disk is full. Size-based rotation renames
 * FILE -> FILE.1 -> ... -> FILE.keep. The log is also the replay format. */
#ifndef MEMSLOPE_OUT_NDJSON_H
#define MEMSLOPE_OUT_NDJSON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "model.h"

enum ndjson_format { NDJSON_SNAPSHOT, NDJSON_DELTA };

struct ndjson_log;

/* path "-" is stdout. max_bytes 0: no rotation. A file memslope creates
 * is 0600, or 0640 with group gid ((gid_t)-1: none). NULL with *err on
 * failure (e.g. the directory is not writable). */
struct ndjson_log *ndjson_open(const char *path, enum ndjson_format fmt, int64_t max_bytes,
			       int keep, gid_t gid, char **err);
/* Append one line for the model's current tick. 0, or -1 with *err: the
 * line was not written and the file holds only whole lines. A closed
 * reader on a pipe (EPIPE) is -1 with *err = NULL. */
int ndjson_write(struct ndjson_log *l, const struct model *m, char **err);
/* What opening the file repaired (a partial last line cut back), for the
 * user to read, or NULL. Valid until ndjson_close. */
const char *ndjson_note(const struct ndjson_log *l);
void ndjson_close(struct ndjson_log *l);

#endif
