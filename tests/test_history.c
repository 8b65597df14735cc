/* test_history: bounded multi-resolution history. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "history.h"
#include "util.h"

static void test_empty(void)
{
	struct history h;
	struct history_point out[4];

	history_init(&h);
	CHECK_I64(history_window(&h, 0, 1000000, out, 4), 0);
	CHECK_I64(history_last(&h), MS_ABSENT);
	history_push(&h, 1000, MS_ABSENT);
	CHECK_I64(history_window(&h, 0, 1000000, out, 4), 0);
	history_done(&h);
	history_done(&h);
}

static void test_recent_raw(void)
{
	struct history h;
	struct history_point out[200];
	size_t n;

	history_init(&h);
	for (int i = 0; i < 50; i++)
		history_push(&h, 1000 + i * 1000, (int64_t)(i + 1) << 20);
	n = history_window(&h, 0, INT64_MAX / 2, out, 200);
	CHECK_I64(n, 50);
	CHECK_I64(out[0].t_ms, 1000);
	CHECK_I64(out[0].mean_bytes, 1 << 20);
	CHECK_I64(out[49].max_bytes, 50LL << 20);
	CHECK_I64(out[49].width_ms, 0);
	CHECK_I64(history_last(&h), 50LL << 20);
	/* A clock going backwards is ignored. */
	history_push(&h, 500, 1);
	CHECK_I64(history_last(&h), 50LL << 20);
	/* Window selection. */
	n = history_window(&h, 10000, 19999, out, 200);
	CHECK_I64(n, 10);
	history_done(&h);
}

/* A day at 1 Hz: memory stays the fixed block, time is covered in order,
 * and buckets keep the true min / max. */
static void test_long_run(void)
{
	struct history h;
	struct history_point *out = calloc(2000, sizeof(*out));
	size_t n;
	int64_t prev = -1;
	int ordered = 1;

	history_init(&h);
	for (int64_t t = 0; t < 86400; t++)
		history_push(&h, t * 1000, ((t % 100) + 100) << 20);
	n = history_window(&h, 0, INT64_MAX / 2, out, 2000);
	CHECK(n > 200 && n < 2000);
	for (size_t i = 0; i < n; i++) {
		if (out[i].t_ms <= prev)
			ordered = 0;
		prev = out[i].t_ms;
		CHECK(out[i].min_bytes >= 100LL << 20 && out[i].max_bytes <= 199LL << 20);
	}
	CHECK(ordered);
	/* Oldest point is within the last 24 h, newest is the last sample. */
	CHECK(out[0].t_ms < (86400 - 20 * 3600) * 1000LL);
	CHECK_I64(out[n - 1].t_ms, 86399000);
	/* A 10-minute bucket over a 100 s cycle sees the whole range. */
	CHECK_I64(out[0].min_bytes, 100LL << 20);
	CHECK_I64(out[0].max_bytes, 199LL << 20);
	CHECK(history_bytes_per_series() < 8192);
	free(out);
	history_done(&h);
}

static void test_gaps(void)
{
	struct history h;
	struct history_point out[500];
	size_t n;

	history_init(&h);
	for (int i = 0; i < 300; i++)
		history_push(&h, i * 1000, 10 << 20);
	/* Two hours of silence (suspended laptop, paused sampling). */
	for (int i = 0; i < 300; i++)
		history_push(&h, 7200000 + i * 1000, 20 << 20);
	n = history_window(&h, 0, INT64_MAX / 2, out, 500);
	CHECK(n > 0);
	for (size_t i = 0; i < n; i++)
		CHECK(out[i].t_ms < 300000 || out[i].t_ms >= 7200000 - 600000);
	CHECK_I64(out[n - 1].mean_bytes, 20 << 20);
	history_done(&h);
}

/* ---- the sparse form ----------------------------------------------------
 * Each case pushes the same samples into a series that starts sparse and a
 * reference series kept in the full form from its first push
 * (history_set_sparse(false) before that push), then compares windows. */

#define WIN_MAX 800

struct pair {
	struct history sp, ref;
	struct history_point a[WIN_MAX], b[WIN_MAX];
};

static void pair_init(struct pair *q)
{
	history_init(&q->sp);
	history_init(&q->ref);
}

static void pair_push(struct pair *q, int64_t t_ms, int64_t v)
{
	if (q->ref.n_samples == 0)
		history_set_sparse(false);
	history_push(&q->ref, t_ms, v);
	history_set_sparse(true);
	history_push(&q->sp, t_ms, v);
}

static void pair_done(struct pair *q)
{
	history_done(&q->sp);
	history_done(&q->ref);
}

/* Both windows over everything are the same, point for point. */
static int pair_same(struct pair *q)
{
	size_t na = history_window(&q->sp, INT64_MIN / 4, INT64_MAX / 4, q->a, WIN_MAX);
	size_t nb = history_window(&q->ref, INT64_MIN / 4, INT64_MAX / 4, q->b, WIN_MAX);

	if (na != nb) {
		fprintf(stderr, "windows differ: %zu vs %zu points\n", na, nb);
		return 0;
	}
	for (size_t i = 0; i < na; i++) {
		if (memcmp(&q->a[i], &q->b[i], sizeof(q->a[i])) != 0) {
			fprintf(stderr, "point %zu differs: t %lld/%lld w %lld/%lld mean %lld/%lld\n", i,
				(long long)q->a[i].t_ms, (long long)q->b[i].t_ms, (long long)q->a[i].width_ms,
				(long long)q->b[i].width_ms, (long long)q->a[i].mean_bytes,
				(long long)q->b[i].mean_bytes);
			return 0;
		}
	}
	return 1;
}

/* Every bucket the sparse window shows is one the full form holds with the
 * same values (or, before the full form's raw ring begins, a finer bucket it
 * covers at a coarser resolution: the value is then the constant one), and
 * every raw point it shows is one of the full form's. */
static int pair_consistent(struct pair *q, int64_t const_v)
{
	size_t na = history_window(&q->sp, INT64_MIN / 4, INT64_MAX / 4, q->a, WIN_MAX);
	size_t nb = history_window(&q->ref, INT64_MIN / 4, INT64_MAX / 4, q->b, WIN_MAX);

	for (size_t i = 0; i < na; i++) {
		int found = 0;

		for (size_t j = 0; j < nb && !found; j++)
			found = memcmp(&q->a[i], &q->b[j], sizeof(q->a[i])) == 0;
		if (!found && q->a[i].width_ms > 0)
			found = q->a[i].min_bytes == const_v && q->a[i].max_bytes == const_v &&
				q->a[i].mean_bytes == const_v;
		if (!found) {
			fprintf(stderr, "sparse point %zu (t %lld w %lld mean %lld) not in the full form\n", i,
				(long long)q->a[i].t_ms, (long long)q->a[i].width_ms,
				(long long)q->a[i].mean_bytes);
			return 0;
		}
	}
	return na > 0;
}

/* A constant series never allocates, and its window is the flat stretch. */
static void test_sparse_constant(void)
{
	struct pair *q = calloc(1, sizeof(*q));
	size_t n;

	pair_init(q);
	pair_push(q, 5000, 12 << 20);
	CHECK(!history_is_dense(&q->sp));
	CHECK(history_is_dense(&q->ref));
	CHECK_I64(history_last(&q->sp), 12 << 20);
	/* A young series (one 10 s bucket): its first and last samples. */
	for (int i = 1; i <= 4; i++)
		pair_push(q, 5000 + i * 1000, 12 << 20);
	n = history_window(&q->sp, 0, INT64_MAX / 4, q->a, WIN_MAX);
	CHECK_I64(n, 2);
	CHECK_I64(q->a[0].t_ms, 5000);
	CHECK_I64(q->a[1].t_ms, 9000);
	CHECK(pair_consistent(q, 12 << 20));
	/* An hour at 1 Hz, with absent values and repeated times among them. */
	for (int i = 5; i <= 3600; i++) {
		pair_push(q, 5000 + i * 1000, 12 << 20);
		if (i % 97 == 0) {
			pair_push(q, 5000 + i * 1000, MS_ABSENT);
			pair_push(q, 5000 + i * 1000, 12 << 20);
		}
		if (i % 89 == 0)
			pair_push(q, 4000 + i * 1000, 13 << 20); /* older than the last: ignored */
	}
	CHECK(!history_is_dense(&q->sp));
	CHECK_I64(q->sp.n_samples, q->ref.n_samples);
	CHECK_I64(q->sp.first_ms, 5000);
	CHECK_I64(q->sp.last_ms, 3605000);
	CHECK_I64(q->sp.max_bytes, 12 << 20);
	CHECK_I64(history_last(&q->sp), 12 << 20);
	CHECK(pair_consistent(q, 12 << 20));
	/* The flat past is covered at bucket resolution from the first sample
	 * to the last, in order, without a hole the plot would not join. */
	n = history_window(&q->sp, 0, INT64_MAX / 4, q->a, WIN_MAX);
	CHECK(n > 3);
	CHECK_I64(q->a[0].t_ms, 5000);
	CHECK_I64(q->a[n - 1].t_ms, 3605000);
	CHECK_I64(q->a[n - 1].width_ms, 0);
	for (size_t i = 1; i < n; i++) {
		CHECK(q->a[i].t_ms >= q->a[i - 1].t_ms + q->a[i - 1].width_ms);
		CHECK(q->a[i].t_ms - (q->a[i - 1].t_ms + q->a[i - 1].width_ms) < 2 * q->a[i - 1].width_ms);
	}
	/* A sub-window, as the detail view's 5-minute zoom asks. */
	n = history_window(&q->sp, 3305000, 3605000, q->a, WIN_MAX);
	CHECK(n >= 30);
	CHECK(q->a[0].t_ms <= 3305000);
	pair_done(q);
	free(q);
}

/* A change after a constant stretch: the block then holds exactly what the
 * full form holds, buckets first and, once the raw ring has moved past the
 * change, everything. */
static void check_change_after(int64_t const_s, int64_t step_ms)
{
	struct pair *q = calloc(1, sizeof(*q));
	int64_t t = 1234567, v = 300 << 20;

	pair_init(q);
	for (int64_t i = 0; i == 0 || i * step_ms < const_s * 1000; i++, t += step_ms)
		pair_push(q, t, v);
	CHECK(!history_is_dense(&q->sp));
	/* The change, mid-bucket in every tier. */
	pair_push(q, t, v + (5 << 20));
	t += step_ms;
	CHECK(history_is_dense(&q->sp));
	CHECK(pair_consistent(q, v));
	CHECK_I64(history_last(&q->sp), v + (5 << 20));
	CHECK_I64(q->sp.min_bytes, q->ref.min_bytes);
	CHECK_I64(q->sp.max_bytes, q->ref.max_bytes);
	/* Twelve minutes of change later every bucket touching the constant
	 * stretch is closed (the 10-minute one too) and the raw rings agree. */
	for (int64_t i = 0; i * step_ms < 720000; i++, t += step_ms)
		pair_push(q, t, v + ((i % 7) << 20));
	CHECK(pair_same(q));
	pair_done(q);
	free(q);
}

static void test_sparse_change(void)
{
	check_change_after(0, 1000);     /* the second sample differs */
	check_change_after(7, 1000);     /* within the first 10 s bucket */
	check_change_after(65, 1000);    /* after a minute */
	check_change_after(3605, 1000);  /* after an hour */
	check_change_after(3605, 100);   /* an hour at 100 ms: open-bucket counts */
	check_change_after(3605, 2700);  /* slower than 1 s, bucket edges not aligned */
	check_change_after(90000, 5000); /* longer than the 24 h tier holds */
}

/* Gaps: a whole 10 s bucket without a sample leaves the sparse form (the
 * full form keeps that hole), a shorter one does not. */
static void test_sparse_gaps(void)
{
	struct pair *q = calloc(1, sizeof(*q));
	int64_t t = 0, v = 40 << 20;

	pair_init(q);
	for (int i = 0; i < 100; i++, t += 1000)
		pair_push(q, t, v);
	t += 15000; /* from bucket 9 to bucket 11: bucket 10 is empty */
	pair_push(q, t, v);
	CHECK(history_is_dense(&q->sp));
	CHECK(pair_consistent(q, v));
	for (int i = 0; i < 700; i++) {
		t += 1000;
		pair_push(q, t, v + ((i % 3) << 20));
	}
	CHECK(pair_same(q));
	pair_done(q);

	/* 19 s between two samples in neighbouring buckets: still sparse; an
	 * hour of silence: not. */
	pair_init(q);
	pair_push(q, 10000, v);
	pair_push(q, 29000, v);
	CHECK(!history_is_dense(&q->sp));
	pair_push(q, 29000 + 3600000, v);
	CHECK(history_is_dense(&q->sp));
	for (int i = 1; i <= 700; i++)
		pair_push(q, 29000 + 3600000 + i * 1000, v + ((i % 5) << 20));
	CHECK(pair_same(q));
	pair_done(q);

	/* Only absent values: empty. */
	pair_init(q);
	pair_push(q, 1000, MS_ABSENT);
	pair_push(q, 2000, MS_UNLIMITED);
	CHECK(!history_is_dense(&q->sp));
	CHECK_I64(history_window(&q->sp, 0, INT64_MAX / 4, q->a, WIN_MAX), 0);
	CHECK_I64(history_last(&q->sp), MS_ABSENT);
	pair_done(q);
	free(q);
}

int main(void)
{
	test_empty();
	test_recent_raw();
	test_long_run();
	test_gaps();
	test_sparse_constant();
	test_sparse_change();
	test_sparse_gaps();
	return check_done("test_history");
}
