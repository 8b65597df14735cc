/* history: fixed-size multi-resolution storage of one series.
 *
 * Invariant: the block holds HISTORY_RAW raw samples and, per tier, the last
 * N closed buckets plus the open one; a series allocates it at most once, so
 * a run of any length costs at most history_bytes_per_series().
 *
 * Sparse form (h->s == NULL, n_samples > 0): every sample so far had the
 * value min_bytes == max_bytes, and consecutive samples were never a whole
 * 10 s bucket apart, so every bucket of every tier from first_ms to last_ms
 * holds at least one sample and all of them are (value, value, value); the
 * only state the full form has beyond that is each open bucket's sample
 * count (open_n) and the raw ring. store_fill rebuilds the full form's
 * tiers exactly from that; its raw ring gets the samples whose times are
 * known (the last, and the first while no 10 s bucket has closed). */
#include "history.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define GAP UINT32_MAX

struct raw_point {
	uint32_t t_cs; /* centiseconds since first_ms: 497 days of range */
	uint32_t v_kib;
};

struct bucket {
	uint32_t mn, mx, mean; /* KiB; mn == GAP marks an empty slot */
};

struct tier {
	int64_t w_ms;
	int n;
	struct bucket *ring;
	int64_t newest_idx; /* newest closed bucket index, -1 none */
	int64_t open_idx;   /* -1 when no open bucket */
	uint32_t omin, omax;
	uint64_t osum;
	uint32_t ocount;
};

struct history_store {
	struct raw_point raw[HISTORY_RAW];
	int raw_head, raw_len; /* head: next slot to write */
	struct tier tier[HISTORY_TIERS];
	struct bucket buckets[HISTORY_T1_N + HISTORY_T2_N + HISTORY_T3_N];
};

static uint32_t to_kib(int64_t bytes)
{
	int64_t k = (bytes + 512) / 1024;

	if (k < 0)
		return 0;
	return k >= GAP ? GAP - 1 : (uint32_t)k;
}

static int64_t to_bytes(uint32_t kib)
{
	return (int64_t)kib * 1024;
}

void history_init(struct history *h)
{
	memset(h, 0, sizeof(*h));
	h->first_ms = h->last_ms = -1;
	h->min_bytes = h->max_bytes = MS_ABSENT;
}

void history_done(struct history *h)
{
	if (!h)
		return;
	free(h->s);
	h->s = NULL;
}

size_t history_bytes_per_series(void)
{
	return sizeof(struct history_store) + sizeof(struct history);
}

static const int64_t tier_w[HISTORY_TIERS] = {HISTORY_T1_W_MS, HISTORY_T2_W_MS, HISTORY_T3_W_MS};
static const int tier_n[HISTORY_TIERS] = {HISTORY_T1_N, HISTORY_T2_N, HISTORY_T3_N};
static bool sparse_on = true;

void history_set_sparse(bool on)
{
	sparse_on = on;
}

bool history_is_dense(const struct history *h)
{
	return h->s != NULL;
}

/* An empty store in s (all slots gaps, no raw point). */
static void store_init(struct history_store *s)
{
	struct bucket *b = s->buckets;

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < HISTORY_TIERS; i++) {
		s->tier[i].w_ms = tier_w[i];
		s->tier[i].n = tier_n[i];
		s->tier[i].ring = b;
		s->tier[i].newest_idx = -1;
		s->tier[i].open_idx = -1;
		for (int j = 0; j < tier_n[i]; j++)
			b[j].mn = GAP;
		b += tier_n[i];
	}
}

static void raw_add(struct history_store *s, int64_t rel, uint32_t kib)
{
	s->raw[s->raw_head].t_cs = (uint32_t)(rel / 10);
	s->raw[s->raw_head].v_kib = kib;
	s->raw_head = (s->raw_head + 1) % HISTORY_RAW;
	if (s->raw_len < HISTORY_RAW)
		s->raw_len++;
}

/* The full form of a sparse series (see the top of the file). */
static void store_fill(struct history_store *s, const struct history *h)
{
	int64_t rel_last = h->last_ms - h->first_ms;
	uint32_t kib = to_kib(h->min_bytes);

	store_init(s);
	for (int i = 0; i < HISTORY_TIERS; i++) {
		struct tier *t = &s->tier[i];
		int64_t open = rel_last / t->w_ms;

		for (int64_t idx = open - t->n > 0 ? open - t->n : 0; idx < open; idx++) {
			struct bucket *b = &t->ring[idx % t->n];

			b->mn = b->mx = b->mean = kib;
		}
		t->newest_idx = open - 1; /* -1 when the first bucket is still open */
		t->open_idx = open;
		t->omin = t->omax = kib;
		t->ocount = h->open_n[i];
		t->osum = (uint64_t)kib * h->open_n[i];
	}
	if (rel_last > 0 && rel_last < HISTORY_T1_W_MS)
		raw_add(s, 0, kib);
	raw_add(s, rel_last, kib);
}

/* Whether a sample keeps a series in the sparse form. */
static bool stays_sparse(const struct history *h, int64_t t_ms, int64_t v_bytes)
{
	return v_bytes == h->min_bytes && v_bytes == h->max_bytes &&
	       (t_ms - h->first_ms) / HISTORY_T1_W_MS - (h->last_ms - h->first_ms) / HISTORY_T1_W_MS <= 1;
}

static void tier_close(struct tier *t)
{
	struct bucket *b;

	if (t->open_idx < 0)
		return;
	/* Slots skipped over since the last close become gaps. */
	if (t->newest_idx >= 0) {
		int64_t skipped = t->open_idx - t->newest_idx - 1;

		if (skipped > t->n)
			skipped = t->n;
		for (int64_t i = 1; i <= skipped; i++)
			t->ring[(t->newest_idx + i) % t->n].mn = GAP;
	}
	b = &t->ring[t->open_idx % t->n];
	b->mn = t->omin;
	b->mx = t->omax;
	b->mean = (uint32_t)(t->osum / t->ocount);
	t->newest_idx = t->open_idx;
	t->open_idx = -1;
}

static void tier_push(struct tier *t, int64_t rel_ms, uint32_t kib)
{
	int64_t idx = rel_ms / t->w_ms;

	if (t->open_idx >= 0 && idx != t->open_idx)
		tier_close(t);
	if (t->open_idx < 0) {
		t->open_idx = idx;
		t->omin = t->omax = kib;
		t->osum = 0;
		t->ocount = 0;
	}
	if (kib < t->omin)
		t->omin = kib;
	if (kib > t->omax)
		t->omax = kib;
	t->osum += kib;
	t->ocount++;
}

void history_push(struct history *h, int64_t t_ms, int64_t v_bytes)
{
	struct history_store *s;
	uint32_t kib;
	int64_t rel;

	if (!ms_has(v_bytes) || v_bytes == MS_UNLIMITED)
		return;
	if (h->last_ms >= 0 && t_ms < h->last_ms)
		return;
	if (!h->s && h->n_samples == 0 && sparse_on) {
		h->first_ms = h->last_ms = t_ms;
		h->min_bytes = h->max_bytes = v_bytes;
		h->n_samples = 1;
		for (int i = 0; i < HISTORY_TIERS; i++)
			h->open_n[i] = 1;
		return;
	}
	if (!h->s && h->n_samples > 0 && stays_sparse(h, t_ms, v_bytes)) {
		int64_t rel_last = h->last_ms - h->first_ms;

		rel = t_ms - h->first_ms;
		for (int i = 0; i < HISTORY_TIERS; i++)
			h->open_n[i] = rel / tier_w[i] == rel_last / tier_w[i] ? h->open_n[i] + 1 : 1;
		h->last_ms = t_ms;
		h->n_samples++;
		return;
	}
	if (!h->s) {
		h->s = xmalloc(sizeof(*h->s));
		if (h->n_samples > 0) {
			store_fill(h->s, h);
		} else {
			store_init(h->s);
			h->first_ms = t_ms;
		}
	}
	s = h->s;
	rel = t_ms - h->first_ms;
	kib = to_kib(v_bytes);
	raw_add(s, rel, kib);
	for (int i = 0; i < HISTORY_TIERS; i++)
		tier_push(&s->tier[i], rel, kib);
	h->last_ms = t_ms;
	h->n_samples++;
	if (!ms_has(h->min_bytes) || v_bytes < h->min_bytes)
		h->min_bytes = v_bytes;
	if (!ms_has(h->max_bytes) || v_bytes > h->max_bytes)
		h->max_bytes = v_bytes;
}

int64_t history_last(const struct history *h)
{
	const struct history_store *s = h->s;

	if (!s)
		return h->n_samples ? to_bytes(to_kib(h->min_bytes)) : MS_ABSENT;
	if (!s->raw_len)
		return MS_ABSENT;
	return to_bytes(s->raw[(s->raw_head + HISTORY_RAW - 1) % HISTORY_RAW].v_kib);
}

/* Start (relative ms) of the oldest closed bucket a tier still holds, or
 * INT64_MAX when it holds none. */
static int64_t tier_oldest_ms(const struct tier *t)
{
	int64_t oldest;

	if (t->newest_idx < 0)
		return INT64_MAX;
	oldest = t->newest_idx - t->n + 1;
	if (oldest < 0)
		oldest = 0;
	return oldest * t->w_ms;
}

/* Emit a tier's closed buckets with start in [lo, hi) and within the
 * caller's window; returns the new count. */
static size_t tier_emit(const struct history *h, const struct tier *t, int64_t lo, int64_t hi,
			int64_t from_rel, int64_t to_rel, struct history_point *out, size_t n,
			size_t max)
{
	int64_t first;

	if (t->newest_idx < 0)
		return n;
	first = t->newest_idx - t->n + 1;
	if (first < 0)
		first = 0;
	for (int64_t idx = first; idx <= t->newest_idx && n < max; idx++) {
		const struct bucket *b = &t->ring[idx % t->n];
		int64_t start = idx * t->w_ms;

		if (b->mn == GAP || start < lo || start >= hi)
			continue;
		if (start + t->w_ms <= from_rel || start > to_rel)
			continue;
		out[n].t_ms = h->first_ms + start;
		out[n].min_bytes = to_bytes(b->mn);
		out[n].max_bytes = to_bytes(b->mx);
		out[n].mean_bytes = to_bytes(b->mean);
		out[n].width_ms = t->w_ms;
		n++;
	}
	return n;
}

static size_t store_window(const struct history *h, const struct history_store *s, int64_t from_ms,
			   int64_t to_ms, struct history_point *out, size_t max)
{
	int64_t from_rel, to_rel, raw_start, bound[HISTORY_TIERS + 1];
	int first_raw;
	size_t n = 0;

	if (!s || !s->raw_len || max == 0)
		return 0;
	from_rel = from_ms - h->first_ms;
	to_rel = to_ms - h->first_ms;
	first_raw = (s->raw_head + HISTORY_RAW - s->raw_len) % HISTORY_RAW;
	raw_start = (int64_t)s->raw[first_raw].t_cs * 10;
	/* Each tier covers the time before the next finer store begins. */
	bound[0] = raw_start;
	for (int i = 0; i < HISTORY_TIERS; i++) {
		int64_t o = tier_oldest_ms(&s->tier[i]);

		bound[i + 1] = o < bound[i] ? o : bound[i];
	}
	for (int i = HISTORY_TIERS - 1; i >= 0; i--) {
		/* Tier i fills [bound[i+1], bound[i]), only with whole buckets
		 * that end before the finer store starts. */
		int64_t hi = bound[i] - s->tier[i].w_ms + 1;

		n = tier_emit(h, &s->tier[i], bound[i + 1], hi, from_rel, to_rel, out, n, max);
	}
	for (int k = 0; k < s->raw_len && n < max; k++) {
		const struct raw_point *p = &s->raw[(first_raw + k) % HISTORY_RAW];
		int64_t t = (int64_t)p->t_cs * 10;

		if (t < from_rel || t > to_rel)
			continue;
		out[n].t_ms = h->first_ms + t;
		out[n].min_bytes = out[n].max_bytes = out[n].mean_bytes = to_bytes(p->v_kib);
		out[n].width_ms = 0;
		n++;
	}
	return n;
}

size_t history_window(const struct history *h, int64_t from_ms, int64_t to_ms,
		      struct history_point *out, size_t max)
{
	struct history_store tmp;

	if (h->s)
		return store_window(h, h->s, from_ms, to_ms, out, max);
	if (!h->n_samples || max == 0)
		return 0;
	store_fill(&tmp, h);
	return store_window(h, &tmp, from_ms, to_ms, out, max);
}
