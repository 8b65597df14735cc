/* history: the bounded memory of one series (history stage).
 *
 * Recent samples are kept at full resolution in a ring; every sample also
 * feeds three tiers of min/max/mean buckets (10 s, 60 s, 600 s wide), each a
 * ring. Storage is one fixed block per series, history_bytes_per_series()
 * bytes whatever the run length. Values are kept in KiB (uint32: up to 4 TiB),
 * times as bucket indexes, so a point costs 8 bytes and a bucket 12.
 *
 * Sparse form: while every sample equals the first and no 10 s bucket was
 * skipped, a series is only the struct below (first_ms, last_ms, the value
 * in min/max_bytes, and the sample count of each tier's open bucket); the
 * block is allocated at the first different value (or the first skipped
 * bucket) and filled with exactly the buckets the full form would hold
 * (min = max = mean = the value), its raw ring holding the last constant
 * sample. Most processes keep a constant RSS for hours, so most series
 * never allocate. history_window reads both forms the same way. */
#ifndef MEMSLOPE_HISTORY_H
#define MEMSLOPE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HISTORY_RAW 120          /* 2 min at 1 s */
#define HISTORY_TIERS 3
#define HISTORY_T1_W_MS 10000    /* 10 s x 60 = 10 min */
#define HISTORY_T1_N 60
#define HISTORY_T2_W_MS 60000    /* 1 min x 90 = 90 min */
#define HISTORY_T2_N 90
#define HISTORY_T3_W_MS 600000   /* 10 min x 144 = 24 h */
#define HISTORY_T3_N 144

struct history_point {
	int64_t t_ms;         /* sample time, or a bucket's start */
	int64_t min_bytes, max_bytes, mean_bytes;
	int64_t width_ms;     /* 0 for a raw sample */
};

struct history_store; /* the allocated block, private */

struct history {
	struct history_store *s;
	int64_t first_ms, last_ms; /* first and last sample time; -1 when empty */
	int64_t min_bytes, max_bytes; /* over the whole run */
	uint64_t n_samples;
	uint32_t open_n[HISTORY_TIERS]; /* sparse form: samples in each tier's open bucket */
};

void history_init(struct history *h);
void history_done(struct history *h);
/* Add a sample. MS_ABSENT values and times older than the last are ignored
 * (gaps simply leave holes). */
void history_push(struct history *h, int64_t t_ms, int64_t v_bytes);
/* Points between from_ms and to_ms (inclusive), oldest first, at the finest
 * resolution that still holds each stretch of time. Writes at most max
 * points into out; returns the number written. */
size_t history_window(const struct history *h, int64_t from_ms, int64_t to_ms,
		      struct history_point *out, size_t max);
/* Bytes one series costs at most (its block plus the struct); a series in
 * the sparse form costs sizeof(struct history). */
size_t history_bytes_per_series(void);
/* Whether the series holds its block (false: empty or sparse). */
bool history_is_dense(const struct history *h);
/* Tests and the footprint program: false makes every series allocate its
 * block at the first push (the full form only). Default true. */
void history_set_sparse(bool on);
/* The latest value, MS_ABSENT when empty. */
int64_t history_last(const struct history *h);

#endif
