/* out_prom: the model as Prometheus text exposition (output stage).
 *
 * For node_exporter's textfile collector: the file is written to a temporary
 * file in the same directory and renamed over PATH, so a scrape never sees
 * half a file. Every name starts with "memslope_" and carries its base unit
 * (_bytes, _seconds, _ratio); no sample has a timestamp (the textfile
 * collector rejects them). Label cardinality is bounded: the --prom-top
 * processes by RSS plus every growing one, all trees and watched cgroups. */
#ifndef MEMSLOPE_OUT_PROM_H
#define MEMSLOPE_OUT_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct out_prom;

/* A writer for path; top_n processes by RSS are exported (plus every
 * growing one). Checks at once that the directory takes a new file, so a
 * bad path is reported before anything starts: NULL and *err (one line,
 * caller frees) on failure. */
struct out_prom *out_prom_new(const char *path, int top_n, char **err);
void out_prom_free(struct out_prom *w);

/* Rewrite the file from the model. 0 on success; -1 on failure, with *err
 * set only for the first failure in a row (NULL while the same problem
 * goes on), so a full disk is reported once, not every interval. */
int out_prom_write(struct out_prom *w, const struct model *m, char **err);

/* Writes tried so far, how many failed, and whether the last one did: a
 * file that fails every interval is reported on, not just once. */
void out_prom_counts(const struct out_prom *w, uint64_t *writes, uint64_t *failed, bool *failing);

/* Write the file for this tick (out_prom_write) and return a line to tell
 * the user, or NULL: a failure at once, then every repeat_ms while it keeps
 * failing, with the count; the recovery once. Caller frees. */
char *out_prom_tick(struct out_prom *w, const struct model *m, int64_t now_ms, int64_t repeat_ms);
/* At the end: "N of M writes failed" when any did (caller frees), else
 * NULL; *still_failing when the last one failed too. */
char *out_prom_summary(const struct out_prom *w, bool *still_failing);
/* The exposition text alone (caller frees); what out_prom_write writes. */
char *out_prom_render(const struct model *m, int top_n);

/* Escape a label value per the text format: backslash, double quote and
 * newline become \\, \" and \n. Caller frees. */
char *out_prom_escape_label(const char *s);

#endif
