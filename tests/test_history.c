/* test_history: bounded multi-resolution history. */
#include <stdlib.h>

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

int main(void)
{
	test_empty();
	test_recent_raw();
	test_long_run();
	test_gaps();
	return check_done("test_history");
}
