/* test_trend: the growth verdict, TTL and OOM-IMMINENT of src/trend.c on
 * seeded synthetic series (LEAK-DETECTION.md, "Test it"), then edge cases.
 *
 * Every kind of series is generated at 1 Hz (+-100 ms jitter, values in
 * bytes rounded to 4 KiB pages, levels 50 MB - 2 GB, AR(1) noise with rare
 * spikes) from a fixed seed per run, so a failure names a reproducible seed.
 * The acceptance criteria are asserted per kind: (a) no `leak` on a
 * no-leak kind, heavy noise included; (b) >= 1 MB/s `growing` within 60 s;
 * (c) >= 10 MB/min `leak` within 11 min; (d) the TTL band holds the true time
 * to the limit at >= 90 % of checkpoints; (e) OOM-IMMINENT before the limit.
 * Slow and sawtooth leaks get the bounds the method can honestly meet. The
 * summary table printed here is the one in docs/leak-detection-results.md.
 * MB here is 10^6 bytes. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trend.h"
#include "util.h"

#define MB 1e6
#define MAX_SAMPLES (4 * 3600 + 8)
#define MAX_RUNS 400
#define TWO_PI 6.283185307179586

/* splitmix64: small, fast, good enough for test series. */
struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double rng_u01(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static double rng_uniform(struct rng *r, double a, double b)
{
	return a + (b - a) * rng_u01(r);
}

static double rng_logu(struct rng *r, double a, double b)
{
	return exp(rng_uniform(r, log(a), log(b)));
}

static double rng_norm(struct rng *r)
{
	double u1 = 1.0 - rng_u01(r), u2 = rng_u01(r);

	return sqrt(-2.0 * log(u1)) * cos(TWO_PI * u2);
}

/* One generated series; limits are constant per run. */
struct series {
	int n;
	int64_t t_ms[MAX_SAMPLES];
	int64_t x_bytes[MAX_SAMPLES];
	int64_t limit_bytes, high_bytes;
	double onset_s;          /* leak (or decline) onset after the first sample; NAN: none */
	double level_bytes;      /* base level */
	double rate_bytes_per_s; /* leak rate, 0 for no-leak kinds */
	double amp_bytes;        /* sawtooth amplitude, 0: none */
	double machine_avail_bytes; /* > 0: limit = level + this (no cgroup limit) */
	double noise_sigma, noise_phi;
	bool heavy_noise;        /* set by the kind before generation */
};

/* Measurement noise: AR(1) with stationary sd sigma, plus rare short
 * spikes (temporary buffers) on the kinds that ask for them. Base noise: sigma
 * 0.05-0.5 % of the level, phi 0-0.8. Heavy noise (the "heavy" kinds): sigma
 * 0.5-2 %, phi 0-0.95, i.e. a floor that wanders by several sigma a minute. */
struct noise {
	double sigma, phi, e;
	double spike_p, spike_rel;
	int spike_left;
	double spike_bytes;
};

static void noise_init(struct noise *nz, struct rng *r, struct series *s, bool spikes)
{
	double level = s->level_bytes;

	nz->sigma = level * (s->heavy_noise ? rng_logu(r, 0.005, 0.02) : rng_logu(r, 0.0005, 0.005));
	nz->phi = rng_uniform(r, 0.0, s->heavy_noise ? 0.95 : 0.8);
	s->noise_sigma = nz->sigma;
	s->noise_phi = nz->phi;
	nz->e = nz->sigma * rng_norm(r);
	nz->spike_p = spikes ? 0.005 : 0;
	nz->spike_rel = rng_uniform(r, 0.01, 0.1);
	nz->spike_left = 0;
	nz->spike_bytes = 0;
}

static double noise_next(struct noise *nz, struct rng *r, double level)
{
	double v;

	nz->e = nz->phi * nz->e + sqrt(1 - nz->phi * nz->phi) * nz->sigma * rng_norm(r);
	v = nz->e;
	if (nz->spike_left > 0) {
		nz->spike_left--;
		v += nz->spike_bytes;
	} else if (rng_u01(r) < nz->spike_p) {
		nz->spike_left = (int)rng_uniform(r, 1, 6);
		nz->spike_bytes = level * nz->spike_rel * rng_uniform(r, 0.5, 1.0);
	}
	return v;
}

/* Sampling clock: 1 Hz with jitter, from an arbitrary monotonic origin. The
 * jitter has its own stream, so a kind's duration does not change the
 * parameters drawn after this. The limit: none (MS_UNLIMITED or MS_ABSENT)
 * or, as main.c passes for a process outside any cgroup limit, the level
 * plus MemAvailable (2-60 GB here); set once the level is known. */
static void series_begin(struct series *s, struct rng *r, int duration_s)
{
	struct rng jitter = { rng_next(r) };
	int64_t t0 = (int64_t)rng_uniform(r, 0, 1e12);

	s->n = duration_s;
	for (int i = 0; i < s->n; i++)
		s->t_ms[i] = t0 + (int64_t)i * 1000 + (int64_t)rng_uniform(&jitter, -100, 100);
	s->limit_bytes = rng_u01(r) < 0.5 ? MS_UNLIMITED : MS_ABSENT;
	s->machine_avail_bytes = rng_u01(r) < 0.4 ? rng_logu(r, 2000 * MB, 60000 * MB) : 0;
	s->high_bytes = MS_ABSENT;
	s->onset_s = NAN;
	s->rate_bytes_per_s = 0;
	s->amp_bytes = 0;
}

static double series_t_s(const struct series *s, int i)
{
	return (s->t_ms[i] - s->t_ms[0]) / 1000.0;
}

static void series_set(struct series *s, int i, double v)
{
	int64_t pages = (int64_t)llround(v / 4096.0);

	s->x_bytes[i] = pages > 0 ? pages * 4096 : 0;
}

/* No-leak kinds get a limit in half the runs (so the 1 %-of-limit rule,
 * TTL and OOM paths are exercised), 10 % - 200 % above their maximum. */
static void maybe_limit(struct series *s, struct rng *r)
{
	int64_t mx = 0;

	for (int i = 0; i < s->n; i++)
		if (s->x_bytes[i] > mx)
			mx = s->x_bytes[i];
	if (rng_u01(r) < 0.5)
		s->limit_bytes = (int64_t)(mx * rng_uniform(r, 1.1, 3.0));
}

/* Kind parameters: p[0..2] meaning per generator. */
struct kind;
typedef void (*gen_fn)(struct series *s, struct rng *r, const struct kind *k);

enum expect { EXPECT_NO_LEAK, EXPECT_LEAK, EXPECT_SHRINK, EXPECT_RACE, EXPECT_RACE_FAST };

struct kind {
	const char *name;
	int runs, duration_s;
	gen_fn gen;
	double p[3];
	enum expect expect;
	double grow_within_s; /* (b): every run `growing` within this after onset; 0: not asserted */
	double leak_within_s; /* (c): every run `leak` within this after onset; 0: not asserted */
	bool (*leak_assert_if)(const struct series *s); /* runs leak_within_s applies to; NULL: all */
	bool heavy_noise;
};

static void gen_flat(struct series *s, struct rng *r, const struct kind *k)
{
	struct noise nz;

	series_begin(s, r, k->duration_s);
	s->level_bytes = rng_logu(r, 50 * MB, 2000 * MB);
	noise_init(&nz, r, s, true);
	for (int i = 0; i < s->n; i++)
		series_set(s, i, s->level_bytes + noise_next(&nz, r, s->level_bytes));
	maybe_limit(s, r);
}

/* GC sawtooth: linear rise by A over ~P (+-10 %), instant drop to a trough
 * near the level; p[0] = P in s, p[1] = leak rate under it (bytes/s). */
static void gen_sawtooth(struct series *s, struct rng *r, const struct kind *k)
{
	struct noise nz;
	double amp, cyc_start = 0, cyc_len, cyc_amp, trough;

	series_begin(s, r, k->duration_s);
	s->level_bytes = rng_logu(r, 50 * MB, 2000 * MB);
	s->rate_bytes_per_s = k->p[1] > 0 ? k->p[1] * rng_uniform(r, 1.0, 3.0) : 0;
	s->onset_s = k->p[1] > 0 ? 0 : NAN;
	amp = fmax(4 * MB, s->level_bytes * rng_logu(r, 0.03, 1.0));
	s->amp_bytes = amp;
	noise_init(&nz, r, s, false);
	nz.sigma = fmin(nz.sigma, 0.05 * amp);
	cyc_start = -rng_uniform(r, 0, k->p[0]);
	cyc_len = k->p[0] * rng_uniform(r, 0.9, 1.1);
	cyc_amp = amp * rng_uniform(r, 0.9, 1.1);
	trough = s->level_bytes;
	for (int i = 0; i < s->n; i++) {
		double t = series_t_s(s, i);

		while (t >= cyc_start + cyc_len) {
			cyc_start += cyc_len;
			cyc_len = k->p[0] * rng_uniform(r, 0.9, 1.1);
			cyc_amp = amp * rng_uniform(r, 0.9, 1.1);
			trough = s->level_bytes + amp * rng_uniform(r, -0.02, 0.02);
		}
		series_set(s, i, trough + cyc_amp * (t - cyc_start) / cyc_len +
				      s->rate_bytes_per_s * t + noise_next(&nz, r, s->level_bytes));
	}
	if (k->p[1] == 0)
		maybe_limit(s, r);
}

/* Warm-up ramp that levels off: level + A (1 - exp(-t / tau)); p[0] = tau. */
static void gen_warmup(struct series *s, struct rng *r, const struct kind *k)
{
	struct noise nz;
	double amp;

	series_begin(s, r, k->duration_s);
	s->level_bytes = rng_logu(r, 50 * MB, 2000 * MB);
	amp = s->level_bytes * rng_uniform(r, 0.2, 2.0) + 10 * MB;
	noise_init(&nz, r, s, false);
	for (int i = 0; i < s->n; i++) {
		double t = series_t_s(s, i);

		series_set(s, i, s->level_bytes + amp * (1 - exp(-t / k->p[0])) +
				      noise_next(&nz, r, s->level_bytes));
	}
	maybe_limit(s, r);
}

/* p[0] one-off steps (cache fills) of 5-100 % over 0-10 s, at least 10
 * min apart: a cache filling once (or a second cache much later). Steps
 * closer together are a staircase, which a leak can also be. */
static void gen_step(struct series *s, struct rng *r, const struct kind *k)
{
	struct noise nz;
	double at[3], size[3], len[3];
	int steps = (int)k->p[0];

	series_begin(s, r, k->duration_s);
	s->level_bytes = rng_logu(r, 50 * MB, 2000 * MB);
	for (int j = 0; j < steps; j++) {
		double span = (k->duration_s - 120 - 600.0 * (steps - 1)) / steps;

		at[j] = 30 + j * (span + 600) + rng_uniform(r, 0, span);
		size[j] = s->level_bytes * rng_uniform(r, 0.05, 1.0) + 5 * MB;
		len[j] = rng_uniform(r, 0, 10);
	}
	noise_init(&nz, r, s, false);
	for (int i = 0; i < s->n; i++) {
		double t = series_t_s(s, i), v = s->level_bytes;

		for (int j = 0; j < steps; j++)
			v += size[j] * fmin(1, fmax(0, len[j] > 0 ? (t - at[j]) / len[j] : t >= at[j]));
		series_set(s, i, v + noise_next(&nz, r, s->level_bytes));
	}
	maybe_limit(s, r);
}

/* Bounded buffer: linear fill of 10-100 % (+10 MB) over 30-300 s, then flat. */
static void gen_plateau(struct series *s, struct rng *r, const struct kind *k)
{
	struct noise nz;
	double start, fill_s, grow;

	series_begin(s, r, k->duration_s);
	s->level_bytes = rng_logu(r, 50 * MB, 2000 * MB);
	start = rng_uniform(r, 0, 120);
	fill_s = rng_uniform(r, 30, 300);
	grow = s->level_bytes * rng_uniform(r, 0.1, 1.0) + 10 * MB;
	noise_init(&nz, r, s, false);
	for (int i = 0; i < s->n; i++) {
		double t = series_t_s(s, i);

		series_set(s, i, s->level_bytes + grow * fmin(1, fmax(0, (t - start) / fill_s)) +
				      noise_next(&nz, r, s->level_bytes));
	}
	maybe_limit(s, r);
}

/* Linear leak from onset: p[0]..p[1] = rate range (bytes/s, log-uniform),
 * p[2] = onset range upper end (s; 0: from the start). Level p-dependent. */
static void gen_linear(struct series *s, struct rng *r, const struct kind *k)
{
	struct noise nz;

	series_begin(s, r, k->duration_s);
	s->level_bytes = rng_logu(r, 50 * MB, 2000 * MB);
	s->rate_bytes_per_s = rng_logu(r, k->p[0], k->p[1]);
	s->onset_s = k->p[2] > 0 ? rng_uniform(r, 300, k->p[2]) : 0;
	noise_init(&nz, r, s, true);
	for (int i = 0; i < s->n; i++) {
		double t = series_t_s(s, i);

		series_set(s, i, s->level_bytes + s->rate_bytes_per_s * fmax(0, t - s->onset_s) +
				      noise_next(&nz, r, s->level_bytes));
	}
}

/* Linear leak racing to a limit: p[0]..p[1] rate range (bytes/s), limit
 * reached after p[2]..4 p[2] seconds; the run stops at the limit. */
static void gen_race(struct series *s, struct rng *r, const struct kind *k)
{
	struct noise nz;
	double t_hit_s;

	series_begin(s, r, k->duration_s);
	s->level_bytes = rng_logu(r, 50 * MB, 1000 * MB);
	s->rate_bytes_per_s = rng_logu(r, k->p[0], k->p[1]);
	s->onset_s = 0;
	t_hit_s = rng_uniform(r, k->p[2], 4 * k->p[2]);
	s->limit_bytes = (int64_t)(s->level_bytes + s->rate_bytes_per_s * t_hit_s);
	noise_init(&nz, r, s, false);
	for (int i = 0; i < s->n; i++) {
		double t = series_t_s(s, i);

		series_set(s, i, s->level_bytes + s->rate_bytes_per_s * t +
				      noise_next(&nz, r, s->level_bytes));
		if (s->x_bytes[i] >= s->limit_bytes) {
			s->n = i + 1; /* the OOM killer ends the series */
			break;
		}
	}
}

/* A leak under a GC sawtooth racing to a limit: p[0] = period (s), leak
 * p[1]..p[2] bytes/s, amplitude 5-30 % of the level (drops are detected,
 * so OOM-IMMINENT must come from the tier path); the limit is met by a peak
 * after 15-40 min and the run stops there. */
static void gen_race_saw(struct series *s, struct rng *r, const struct kind *k)
{
	struct noise nz;
	double amp, cyc_start, cyc_len, t_hit_s;

	series_begin(s, r, k->duration_s);
	s->level_bytes = rng_logu(r, 100 * MB, 1000 * MB);
	s->rate_bytes_per_s = rng_logu(r, k->p[1], k->p[2]);
	s->onset_s = 0;
	amp = s->level_bytes * rng_uniform(r, 0.05, 0.3) + 10 * MB;
	s->amp_bytes = amp;
	t_hit_s = rng_uniform(r, 900, 2400);
	s->limit_bytes = (int64_t)(s->level_bytes + amp + s->rate_bytes_per_s * t_hit_s);
	noise_init(&nz, r, s, false);
	cyc_start = -rng_uniform(r, 0, k->p[0]);
	cyc_len = k->p[0];
	for (int i = 0; i < s->n; i++) {
		double t = series_t_s(s, i);

		while (t >= cyc_start + cyc_len) {
			cyc_start += cyc_len;
			cyc_len = k->p[0] * rng_uniform(r, 0.9, 1.1);
		}
		series_set(s, i, s->level_bytes + amp * (t - cyc_start) / cyc_len +
				      s->rate_bytes_per_s * t + noise_next(&nz, r, s->level_bytes));
		if (s->x_bytes[i] >= s->limit_bytes) {
			s->n = i + 1;
			break;
		}
	}
}

/* Gradual release (the mirror of a leak): 30-60 % of the level freed
 * steadily over p[0]..p[1] seconds, then flat. */
static void gen_release(struct series *s, struct rng *r, const struct kind *k)
{
	struct noise nz;
	double drop;

	series_begin(s, r, k->duration_s);
	s->level_bytes = rng_logu(r, 300 * MB, 2000 * MB);
	s->onset_s = rng_uniform(r, 60, 300);
	drop = s->level_bytes * rng_uniform(r, 0.3, 0.6);
	s->rate_bytes_per_s = drop / rng_uniform(r, k->p[0], k->p[1]);
	noise_init(&nz, r, s, false);
	for (int i = 0; i < s->n; i++) {
		double t = series_t_s(s, i);
		double d = fmin(drop, s->rate_bytes_per_s * fmax(0, t - s->onset_s));

		series_set(s, i, s->level_bytes - d + noise_next(&nz, r, s->level_bytes));
	}
}

/* What one run showed. */
struct run_out {
	double grow_s, leak_s, shrink_s, oom_s; /* first time after onset (or start); NAN: never */
	long samples, growing_samples, oom_samples;
	long ttl_checks, ttl_inside;
	double hit_s; /* first sample at or above the limit, NAN: none */
};

static void run_series(const struct series *s, struct trend *tr, struct run_out *o)
{
	double onset = isnan(s->onset_s) ? 0 : s->onset_s, next_check = 0;

	memset(o, 0, sizeof(*o));
	o->grow_s = o->leak_s = o->shrink_s = o->oom_s = o->hit_s = NAN;
	for (int i = 0; i < s->n; i++)
		if (s->x_bytes[i] >= s->limit_bytes) {
			o->hit_s = series_t_s(s, i);
			break;
		}
	trend_init(tr);
	for (int i = 0; i < s->n; i++) {
		const struct trend_result *res;
		double t = series_t_s(s, i);

		trend_push(tr, s->t_ms[i], s->x_bytes[i], s->limit_bytes, s->high_bytes);
		res = trend_get(tr);
		o->samples++;
		if (res->verdict == TREND_GROWING || res->verdict == TREND_LEAK) {
			o->growing_samples++;
			if (isnan(o->grow_s))
				o->grow_s = t - onset;
		}
		if (res->verdict == TREND_LEAK && isnan(o->leak_s))
			o->leak_s = t - onset;
		if (res->verdict == TREND_SHRINKING && isnan(o->shrink_s))
			o->shrink_s = t - onset;
		if (res->oom_imminent) {
			o->oom_samples++;
			if (isnan(o->oom_s))
				o->oom_s = t - onset;
		}
		/* (d): every 10 s with a TTL shown before the limit is hit. */
		if (!isnan(o->hit_s) && t >= next_check && t < o->hit_s && isfinite(res->ttl_s)) {
			double truth = o->hit_s - t;

			next_check = t + 10;
			o->ttl_checks++;
			if (res->ttl_lo_s <= truth && truth <= res->ttl_hi_s)
				o->ttl_inside++;
		}
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of the finite values, NAN if none; compacts and sorts v. */
static double median_finite(double *v, int n)
{
	int m = 0;

	for (int i = 0; i < n; i++)
		if (isfinite(v[i]))
			v[m++] = v[i];
	if (!m)
		return NAN;
	qsort(v, (size_t)m, sizeof(*v), cmp_double);
	return m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
}

static double max_finite(const double *v, int n)
{
	double m = NAN;

	for (int i = 0; i < n; i++)
		if (isfinite(v[i]) && !(v[i] <= m))
			m = v[i];
	return m;
}

static double min_finite(const double *v, int n)
{
	double m = NAN;

	for (int i = 0; i < n; i++)
		if (isfinite(v[i]) && !(v[i] >= m))
			m = v[i];
	return m;
}

static void print_delay(double s)
{
	if (isfinite(s))
		printf(" %8.0f", s);
	else
		printf(" %8s", "-");
}

/* Run all runs of one kind, print its table row, assert its criteria. */
static void run_kind(const struct kind *k, uint64_t seed_base, struct series *s,
		     struct trend *tr)
{
	static const int show_max = 3;
	double grow[MAX_RUNS], leak[MAX_RUNS], lead[MAX_RUNS];
	int grew = 0, leaked = 0, shrank = 0, oomed = 0, shown = 0, bounded = 0;
	int miss_grow = 0, miss_leak = 0, false_leak = 0, miss_oom = 0, miss_shrink = 0;
	long samples = 0, growing = 0, oom_samples = 0, checks = 0, inside = 0;

	if (k->runs > MAX_RUNS) {
		CHECK(k->runs <= MAX_RUNS);
		return;
	}

	for (int run = 0; run < k->runs; run++) {
		struct rng r = { seed_base + (uint64_t)run * 7919 };
		struct run_out o;
		bool bad = false;

		s->heavy_noise = k->heavy_noise;
		k->gen(s, &r, k);
		if (s->machine_avail_bytes > 0 && (s->limit_bytes == MS_UNLIMITED ||
						   s->limit_bytes == MS_ABSENT))
			s->limit_bytes = (int64_t)(s->level_bytes + s->machine_avail_bytes);
		if (k->leak_within_s > 0 && !k->leak_assert_if &&
		    s->onset_s + k->leak_within_s + 30 < s->n)
			s->n = (int)(s->onset_s + k->leak_within_s + 30); /* decided by then */
		run_series(s, tr, &o);
		grow[run] = o.grow_s;
		leak[run] = o.leak_s;
		lead[run] = o.hit_s - (s->onset_s + o.oom_s);
		grew += isfinite(o.grow_s);
		leaked += isfinite(o.leak_s);
		shrank += isfinite(o.shrink_s);
		oomed += isfinite(o.oom_s);
		samples += o.samples;
		growing += o.growing_samples;
		oom_samples += o.oom_samples;
		checks += o.ttl_checks;
		inside += o.ttl_inside;
		if (k->expect == EXPECT_NO_LEAK && isfinite(o.leak_s)) {
			false_leak++; /* (a) */
			bad = true;
		}
		if (k->grow_within_s > 0 && !(o.grow_s <= k->grow_within_s)) {
			miss_grow++; /* (b) */
			bad = true;
		}
		if (k->leak_within_s > 0 && (!k->leak_assert_if || k->leak_assert_if(s))) {
			bounded++;
			if (!(o.leak_s <= k->leak_within_s)) {
				miss_leak++; /* (c) */
				bad = true;
			}
		}
		if (k->expect == EXPECT_RACE_FAST && !(s->onset_s + o.oom_s < o.hit_s)) {
			miss_oom++; /* (e) */
			bad = true;
		}
		if (k->expect == EXPECT_SHRINK && !(isfinite(o.shrink_s) && isnan(o.leak_s))) {
			miss_shrink++;
			bad = true;
		}
		if (bad && shown++ < show_max)
			fprintf(stderr,
				"  %s seed %llu: level %.0f MB rate %.3f MB/s noise %.2f MB phi %.2f "
				"limit %lld: grow %.0f leak %.0f shrink %.0f oom %.0f hit %.0f\n",
				k->name, (unsigned long long)(seed_base + (uint64_t)run * 7919),
				s->level_bytes / MB, s->rate_bytes_per_s / MB, s->noise_sigma / MB,
				s->noise_phi, (long long)s->limit_bytes, o.grow_s, o.leak_s, o.shrink_s,
				o.oom_s, o.hit_s);
	}
	printf("%-22s %4d %5.1f%% %5.1f%% %6.2f%%", k->name, k->runs, 100.0 * grew / k->runs,
	       100.0 * leaked / k->runs, samples ? 100.0 * growing / samples : 0);
	print_delay(median_finite(grow, k->runs));
	print_delay(median_finite(leak, k->runs));
	print_delay(max_finite(leak, k->runs));
	printf(" %5.1f%% %5.1f%% %5.2f%%", 100.0 * shrank / k->runs, 100.0 * oomed / k->runs,
	       samples ? 100.0 * oom_samples / samples : 0);
	if (checks)
		printf(" %5.1f%%", 100.0 * inside / checks);
	else
		printf(" %6s", "-");
	if (k->expect == EXPECT_RACE_FAST) {
		double lead_min = min_finite(lead, k->runs);

		printf("  oom lead: min %.0f s, median %.0f s", lead_min,
		       median_finite(lead, k->runs));
	}
	if (k->leak_assert_if)
		printf("  leak bound asserted on %d runs", bounded);
	printf("\n");

	if (false_leak + miss_grow + miss_leak + miss_oom + miss_shrink)
		fprintf(stderr, "  %s: false leak %d, growing late %d, leak late %d of %d, "
			"oom late %d, shrinking missed %d\n", k->name, false_leak, miss_grow,
			miss_leak, bounded, miss_oom, miss_shrink);
	CHECK(false_leak == 0);  /* (a) no `leak` on a no-leak kind */
	CHECK(miss_grow == 0);   /* (b) */
	CHECK(miss_leak == 0);   /* (c) and the honest bounds of the slow kinds */
	CHECK(miss_oom == 0);    /* (e) */
	CHECK(miss_shrink == 0);
	if (k->expect == EXPECT_RACE || k->expect == EXPECT_RACE_FAST) {
		CHECK(checks >= k->runs);      /* a TTL was shown in every run, on average */
		CHECK(inside >= 0.9 * checks); /* (d) */
	}
	if (k->expect == EXPECT_NO_LEAK) {
		CHECK(shrank == 0);
		/* OOM-IMMINENT on a no-leak series only while it ramps fast
		 * toward a near limit (warm-up, cache fill): rare, brief. */
		CHECK(oom_samples <= 0.01 * samples);
	}
}

/* ~1 MB/min: only tier 2 can see it (64 s cover, 60 MB in its 1 h
 * window), where its 32 MiB floor dominates 5 % of the level, i.e. up to
 * ~640 MiB; above ~1.2 GB it is beyond the method within 90 min. */
static bool slow_leak_visible(const struct series *s)
{
	return s->level_bytes <= 600 * MB;
}

/* Under a sawtooth, LEAK waits (by design) for growth over the window of at
 * least 1/4 of the drops: assert the 40 min bound where 25 min of leak
 * exceed 0.3 x the amplitude. */
static bool saw_leak_visible(const struct series *s)
{
	return s->rate_bytes_per_s * 1500 >= 0.3 * s->amp_bytes;
}

#define MBS(x) ((x) * MB)          /* MB/s -> bytes/s */
#define MBMIN(x) ((x) * MB / 60.0) /* MB/min -> bytes/s */

/* The table of kinds. No-leak kinds run 40 min (tier 2 first evaluates at
 * 23.5 min), the long ones 4 h (tier 3 at 3.1 h). */
#define NO_LEAK(nm, n, dur, g, ...) \
	{ .name = nm, .runs = n, .duration_s = dur, .gen = g, .p = { __VA_ARGS__ }, \
	  .expect = EXPECT_NO_LEAK }
static const struct kind kinds[] = {
	NO_LEAK("noisy flat", 200, 2400, gen_flat, 0),
	NO_LEAK("sawtooth 5 s", 150, 2400, gen_sawtooth, 5, 0),
	NO_LEAK("sawtooth 20 s", 150, 2400, gen_sawtooth, 20, 0),
	NO_LEAK("sawtooth 60 s", 150, 2400, gen_sawtooth, 60, 0),
	NO_LEAK("sawtooth 180 s", 150, 2400, gen_sawtooth, 180, 0),
	NO_LEAK("warm-up tau 30 s", 200, 2400, gen_warmup, 30),
	NO_LEAK("warm-up tau 100 s", 200, 2400, gen_warmup, 100),
	NO_LEAK("warm-up tau 300 s", 200, 2400, gen_warmup, 300),
	NO_LEAK("one-off step", 200, 2400, gen_step, 1),
	NO_LEAK("two steps >= 10 min", 200, 2400, gen_step, 2),
	NO_LEAK("bounded plateau", 200, 2400, gen_plateau, 0),
	NO_LEAK("noisy flat 4 h", 20, 4 * 3600, gen_flat, 0),
	NO_LEAK("sawtooth 180 s 4 h", 20, 4 * 3600, gen_sawtooth, 180, 0),
	{ .name = "heavy noise flat", .runs = 200, .duration_s = 2400, .gen = gen_flat,
	  .expect = EXPECT_NO_LEAK, .heavy_noise = true },
	{ .name = "heavy warm-up tau 300", .runs = 100, .duration_s = 2400, .gen = gen_warmup,
	  .p = { 300 }, .expect = EXPECT_NO_LEAK, .heavy_noise = true },
	{ .name = "heavy noise saw 60 s", .runs = 150, .duration_s = 2400, .gen = gen_sawtooth,
	  .p = { 60, 0 }, .expect = EXPECT_NO_LEAK, .heavy_noise = true },
	/* (b) and (c): every run within 60 s / 11 min of onset. */
	{ .name = "leak 1-4 MB/s", .runs = 200, .duration_s = 700, .gen = gen_linear,
	  .p = { MBS(1), MBS(4), 0 }, .expect = EXPECT_LEAK, .grow_within_s = 60,
	  .leak_within_s = 660 },
	{ .name = "leak 10-60 MB/min", .runs = 200, .duration_s = 700, .gen = gen_linear,
	  .p = { MBMIN(10), MBMIN(60), 0 }, .expect = EXPECT_LEAK, .leak_within_s = 660 },
	{ .name = "late leak 1-4 MB/s", .runs = 200, .duration_s = 1900, .gen = gen_linear,
	  .p = { MBS(1), MBS(4), 1200 }, .expect = EXPECT_LEAK, .grow_within_s = 60,
	  .leak_within_s = 660 },
	{ .name = "late leak 10-60 MB/min", .runs = 200, .duration_s = 1900, .gen = gen_linear,
	  .p = { MBMIN(10), MBMIN(60), 1200 }, .expect = EXPECT_LEAK, .leak_within_s = 660 },
	{ .name = "slow leak ~1 MB/min", .runs = 100, .duration_s = 5400, .gen = gen_linear,
	  .p = { MBMIN(0.8), MBMIN(1.2), 0 }, .expect = EXPECT_LEAK, .leak_within_s = 3600,
	  .leak_assert_if = slow_leak_visible },
	/* 10-30 MB/min under a sawtooth of 3-100 % of the level. */
	{ .name = "leak+sawtooth 5 s", .runs = 100, .duration_s = 2400, .gen = gen_sawtooth,
	  .p = { 5, MBMIN(10) }, .expect = EXPECT_LEAK, .leak_within_s = 2400,
	  .leak_assert_if = saw_leak_visible },
	{ .name = "leak+sawtooth 20 s", .runs = 100, .duration_s = 2400, .gen = gen_sawtooth,
	  .p = { 20, MBMIN(10) }, .expect = EXPECT_LEAK, .leak_within_s = 2400,
	  .leak_assert_if = saw_leak_visible },
	{ .name = "leak+sawtooth 60 s", .runs = 100, .duration_s = 2400, .gen = gen_sawtooth,
	  .p = { 60, MBMIN(10) }, .expect = EXPECT_LEAK, .leak_within_s = 2400,
	  .leak_assert_if = saw_leak_visible },
	/* Heavy noise: looser, honest bounds (the floor wanders by several
	 * sigma a minute: 1 MB/s against 20-40 MB of noise is no 60 s call). */
	{ .name = "heavy noise leak 1-4/s", .runs = 100, .duration_s = 700, .gen = gen_linear,
	  .p = { MBS(1), MBS(4), 0 }, .expect = EXPECT_LEAK, .leak_within_s = 660,
	  .heavy_noise = true },
	{ .name = "heavy noise 10-60/min", .runs = 100, .duration_s = 1200, .gen = gen_linear,
	  .p = { MBMIN(10), MBMIN(60), 0 }, .expect = EXPECT_LEAK, .leak_within_s = 1200,
	  .heavy_noise = true },
	/* (d) TTL band and (e) OOM-IMMINENT. */
	{ .name = "race to limit", .runs = 100, .duration_s = 4 * 3600, .gen = gen_race,
	  .p = { MBMIN(10), MBS(4), 600 }, .expect = EXPECT_RACE },
	{ .name = "race fast 2-20 MB/s", .runs = 200, .duration_s = 1500, .gen = gen_race,
	  .p = { MBS(2), MBS(20), 60 }, .expect = EXPECT_RACE_FAST },
	{ .name = "race+sawtooth 20 s", .runs = 100, .duration_s = 2700, .gen = gen_race_saw,
	  .p = { 20, MBMIN(30), MBMIN(120) }, .expect = EXPECT_RACE_FAST },
	/* Shrinking is tier 1's: a decline over 5-15 min. */
	{ .name = "release over 5-15 min", .runs = 100, .duration_s = 1500, .gen = gen_release,
	  .p = { 300, 900 }, .expect = EXPECT_SHRINK },
};

static void test_synthetic(void)
{
	struct series *s = malloc(sizeof(*s));
	struct trend *tr = malloc(sizeof(*tr));

	if (!s || !tr) {
		CHECK(!"out of memory");
		free(s);
		free(tr);
		return;
	}
	printf("grow/leak/shrink/oom: share of runs ever so; %%t: share of samples; grow@s, leak@s:\n"
	       "median delay from onset (s); leakmax: slowest; ttl-in: TTL checkpoints (every 10 s)\n"
	       "whose band held the true time to the limit\n");
	printf("%-22s %4s %6s %6s %7s %8s %8s %8s %6s %6s %6s %6s\n", "kind", "runs", "grow",
	       "leak", "%t grow", "grow@s", "leak@s", "leakmax", "shrink", "oom", "%t oom",
	       "ttl-in");
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		run_kind(&kinds[i], 1000003ULL * (i + 1), s, tr);
	free(s);
	free(tr);
}

/* Push x(t) = x0 + rate * t at a fixed interval from t0_ms for dur_s. */
static void push_linear(struct trend *t, int64_t t0_ms, double from_s, double dur_s,
			double interval_s, double x0_bytes, double rate_bytes_per_s,
			int64_t limit_bytes, int64_t high_bytes)
{
	for (double s = from_s; s < from_s + dur_s; s += interval_s)
		trend_push(t, t0_ms + (int64_t)llround(s * 1000), (int64_t)(x0_bytes + rate_bytes_per_s * s),
			   limit_bytes, high_bytes);
}

static bool result_all_nan(const struct trend_result *r)
{
	return isnan(r->slope_bytes_per_s) && isnan(r->slope_lo_bytes_per_s) &&
	       isnan(r->slope_hi_bytes_per_s) && isnan(r->window_s) && isnan(r->mk_z) &&
	       isnan(r->mk_s_frac) && isnan(r->r2) && isnan(r->ttl_s) && isnan(r->ttl_lo_s) &&
	       isnan(r->ttl_hi_s) && isnan(r->ttl_max_s);
}

static void test_empty_and_one_point(void)
{
	struct trend t;
	const struct trend_result *r;

	trend_init(&t);
	r = trend_get(&t);
	CHECK(r->verdict == TREND_UNKNOWN);
	CHECK_STR(trend_verdict_name(r->verdict), "unknown");
	CHECK(result_all_nan(r));
	CHECK_I64(r->tier, -1);
	CHECK(r->ttl_target == TTL_NONE);
	CHECK(!r->oom_imminent);

	trend_push(&t, 123456, 100 * 1000 * 1000, 2000LL * 1000 * 1000, MS_ABSENT);
	r = trend_get(&t);
	CHECK(r->verdict == TREND_UNKNOWN);
	CHECK(result_all_nan(r));
	CHECK(!r->oom_imminent);

	/* An absent sample is no observation. */
	trend_push(&t, 124456, MS_ABSENT, MS_ABSENT, MS_ABSENT);
	CHECK_I64(t.t_last_ms, 123456);

	/* Unknown until tier 0 has 8 envelope points: 15 closed buckets. */
	push_linear(&t, 123456, 1, 28, 1, 100e6, 0, MS_ABSENT, MS_ABSENT);
	CHECK(trend_get(&t)->verdict == TREND_UNKNOWN);
	push_linear(&t, 123456, 29, 10, 1, 100e6, 0, MS_ABSENT, MS_ABSENT);
	CHECK(trend_get(&t)->verdict == TREND_STABLE);
	CHECK_I64(trend_get(&t)->tier, 0);
}

static void test_names(void)
{
	CHECK_STR(trend_verdict_name(TREND_STABLE), "stable");
	CHECK_STR(trend_verdict_name(TREND_GROWING), "growing");
	CHECK_STR(trend_verdict_name(TREND_LEAK), "leak");
	CHECK_STR(trend_verdict_name(TREND_SHRINKING), "shrinking");
	CHECK_STR(trend_verdict_name(TREND_UNKNOWN), "unknown");
	CHECK_STR(trend_verdict_name((enum trend_verdict)42), "unknown");
}

/* A noise-free 1 MB/s leak: exact slope, full monotonicity, TTL to the
 * limit and to memory.high inside their bands. */
static void test_linear_exact(void)
{
	struct trend t;
	const struct trend_result *r;
	const double rate = 1e6, x0 = 100e6;
	const int64_t limit = 2000LL * 1000 * 1000, high = 1500LL * 1000 * 1000;
	double truth;

	trend_init(&t);
	push_linear(&t, 5000, 0, 301, 1, x0, rate, limit, MS_ABSENT);
	r = trend_get(&t);
	CHECK(r->verdict == TREND_GROWING); /* < 600 s of history: not yet LEAK */
	CHECK_I64(r->tier, 0);
	CHECK_NEAR(r->slope_bytes_per_s, rate, 0.01 * rate);
	CHECK(r->slope_lo_bytes_per_s <= r->slope_bytes_per_s);
	CHECK(r->slope_hi_bytes_per_s >= r->slope_bytes_per_s);
	CHECK_NEAR(r->mk_s_frac, 1.0, 1e-6);
	CHECK(r->mk_z > 2.326);
	CHECK(r->r2 > 0.999);
	CHECK_NEAR(r->window_s, 48, 1e-6); /* 25 envelope points, 2 s apart */
	truth = (limit - (x0 + rate * 300)) / rate;
	CHECK(r->ttl_target == TTL_MAX);
	CHECK_NEAR(r->ttl_s, truth, 4);
	CHECK(r->ttl_lo_s <= truth && truth <= r->ttl_hi_s);
	CHECK_NEAR(r->ttl_max_s, r->ttl_s, 1e-9);
	CHECK(!r->oom_imminent);

	push_linear(&t, 5000, 301, 400, 1, x0, rate, limit, high);
	r = trend_get(&t);
	CHECK(r->verdict == TREND_LEAK);
	CHECK(r->ttl_target == TTL_HIGH);
	truth = (high - (x0 + rate * 700)) / rate;
	CHECK_NEAR(r->ttl_s, truth, 4);
	CHECK(r->ttl_lo_s <= truth && truth <= r->ttl_hi_s);
	truth = (limit - (x0 + rate * 700)) / rate;
	CHECK_NEAR(r->ttl_max_s, truth, 4);
	CHECK(!r->oom_imminent);

	/* memory.high at or above the limit: the limit is the target. */
	trend_push(&t, 5000 + 701000, (int64_t)(x0 + rate * 701), limit, limit);
	CHECK(trend_get(&t)->ttl_target == TTL_MAX);
	/* memory.high already exceeded: the limit is the next target. */
	trend_push(&t, 5000 + 702000, (int64_t)(x0 + rate * 702), limit, 500LL * 1000 * 1000);
	CHECK(trend_get(&t)->ttl_target == TTL_MAX);

	/* Between closes the TTL counts down with the clock. */
	{
		double before = trend_get(&t)->ttl_s;

		trend_push(&t, 5000 + 702500, (int64_t)(x0 + rate * 702.5), limit, MS_ABSENT);
		CHECK_NEAR(trend_get(&t)->ttl_s, before - 0.5, 1e-6);
	}

	/* Racing on: OOM-IMMINENT before the limit. */
	push_linear(&t, 5000, 703, 1300, 1, x0, rate, limit, MS_ABSENT);
	r = trend_get(&t);
	CHECK(r->oom_imminent);
	CHECK(r->ttl_s <= 120);
}

/* No limit known: verdicts work, no TTL, no OOM. */
static void test_absent_limit(void)
{
	const int64_t limits[] = { MS_ABSENT, MS_UNLIMITED, 0 };

	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		struct trend t;
		const struct trend_result *r;

		trend_init(&t);
		push_linear(&t, 0, 0, 700, 1, 300e6, 1e6, limits[i], MS_ABSENT);
		r = trend_get(&t);
		CHECK(r->verdict == TREND_LEAK);
		CHECK(isfinite(r->slope_bytes_per_s));
		CHECK(isnan(r->ttl_s) && isnan(r->ttl_lo_s) && isnan(r->ttl_hi_s));
		CHECK(isnan(r->ttl_max_s));
		CHECK(r->ttl_target == TTL_NONE);
		CHECK(!r->oom_imminent);
		/* memory.high alone is still a target. */
		trend_push(&t, 700000, (int64_t)(300e6 + 700e6), limits[i], 3000LL * 1000 * 1000);
		r = trend_get(&t);
		CHECK(r->ttl_target == TTL_HIGH);
		CHECK_NEAR(r->ttl_s, 2000, 4);
		CHECK(isnan(r->ttl_max_s));
	}
}

/* Samples out of order are ignored and change nothing. */
static void test_clock_backwards(void)
{
	struct trend t;
	struct trend_result before;

	trend_init(&t);
	push_linear(&t, 1000000, 0, 120, 1, 200e6, 1e6, MS_ABSENT, MS_ABSENT);
	before = *trend_get(&t);
	CHECK(before.verdict == TREND_GROWING);
	trend_push(&t, 1000000 + 60000, 5000LL * 1000 * 1000, MS_ABSENT, MS_ABSENT);
	trend_push(&t, INT64_MIN + 1, 0, MS_ABSENT, MS_ABSENT);
	CHECK(memcmp(&before, trend_get(&t), sizeof(before)) == 0);
	CHECK_I64(t.t_last_ms, 1000000 + 119000);
	/* The same timestamp again is a sample, not a step back. */
	trend_push(&t, 1000000 + 119000, (int64_t)(200e6 + 119e6), MS_ABSENT, MS_ABSENT);
	push_linear(&t, 1000000, 120, 60, 1, 200e6, 1e6, MS_ABSENT, MS_ABSENT);
	CHECK(trend_get(&t)->verdict == TREND_GROWING);
}

/* Gaps: a 5 min gap keeps tier 1; 10 h empties every ring (unknown, not a
 * stale LEAK); extreme origins and jumps do not overflow. */
static void test_gaps(void)
{
	struct trend t;
	const struct trend_result *r;

	trend_init(&t);
	push_linear(&t, 0, 0, 700, 1, 300e6, 1e6, MS_ABSENT, MS_ABSENT);
	CHECK(trend_get(&t)->verdict == TREND_LEAK);
	push_linear(&t, 0, 1000, 60, 1, 300e6, 1e6, MS_ABSENT, MS_ABSENT);
	CHECK(trend_get(&t)->verdict == TREND_LEAK);

	/* 10 h suspended (the process frozen too): it resumes where it was. */
	push_linear(&t, 0, 1060 + 36000, 1, 1, 1360e6 - 37060e6, 1e6, MS_ABSENT, MS_ABSENT);
	r = trend_get(&t);
	CHECK(r->verdict == TREND_UNKNOWN);
	CHECK(result_all_nan(r));
	push_linear(&t, 0, 1060 + 36001, 700, 1, 1360e6 - 37060e6, 1e6, MS_ABSENT, MS_ABSENT);
	CHECK(trend_get(&t)->verdict == TREND_LEAK);

	trend_init(&t);
	push_linear(&t, INT64_MIN + 1, 0, 100, 1, 300e6, 0, MS_ABSENT, MS_ABSENT);
	CHECK(trend_get(&t)->verdict == TREND_STABLE);
	trend_push(&t, INT64_MAX, 300000000, MS_ABSENT, MS_ABSENT);
	trend_push(&t, INT64_MAX, 300000000, MS_ABSENT, MS_ABSENT);
	r = trend_get(&t);
	CHECK(r->verdict == TREND_UNKNOWN);
	CHECK(!r->oom_imminent);
}

/* x = 0 throughout: stable with a zero slope, nothing divides by zero;
 * then growth from 0 is flagged. */
static void test_zero(void)
{
	struct trend t;
	const struct trend_result *r;

	trend_init(&t);
	push_linear(&t, 0, 0, 1800, 1, 0, 0, 1000LL * 1000 * 1000, MS_ABSENT);
	r = trend_get(&t);
	CHECK(r->verdict == TREND_STABLE);
	CHECK_NEAR(r->slope_bytes_per_s, 0, 0);
	CHECK(isnan(r->ttl_s));
	CHECK(!r->oom_imminent);
	for (int i = 0; i < 60; i++)
		trend_push(&t, (1800 + i) * 1000LL, (int64_t)(1e6 * (i + 1)), 1000LL * 1000 * 1000,
			   MS_ABSENT);
	CHECK(trend_get(&t)->verdict == TREND_GROWING);
}

/* Other sampling intervals: 5 s (tier 0 has gaps) and 0.1 s. */
static void test_intervals(void)
{
	struct trend t;
	int64_t t_ms = 0;
	double grow_s = NAN;

	trend_init(&t);
	for (double s = 0; s < 700; s += 5) {
		trend_push(&t, (int64_t)(s * 1000), (int64_t)(300e6 + 2e6 * s), MS_ABSENT, MS_ABSENT);
		if (isnan(grow_s) && trend_get(&t)->verdict == TREND_GROWING)
			grow_s = s;
	}
	CHECK(grow_s <= 90);
	CHECK(trend_get(&t)->verdict == TREND_LEAK);

	trend_init(&t);
	grow_s = NAN;
	for (int i = 0; i < 1200; i++, t_ms += 100) {
		trend_push(&t, t_ms, (int64_t)(300e6 + 1e6 * t_ms / 1000.0), MS_ABSENT, MS_ABSENT);
		if (isnan(grow_s) && trend_get(&t)->verdict == TREND_GROWING)
			grow_s = t_ms / 1000.0;
	}
	CHECK(grow_s <= 60);
}

/* A leak that stops is released from LEAK; a gradual release shrinks. */
static void test_stop_and_shrink(void)
{
	struct trend t;

	trend_init(&t);
	push_linear(&t, 0, 0, 700, 1, 300e6, 1e6, MS_ABSENT, MS_ABSENT);
	CHECK(trend_get(&t)->verdict == TREND_LEAK);
	push_linear(&t, 0, 700, 600, 1, 1000e6, 0, MS_ABSENT, MS_ABSENT);
	CHECK(trend_get(&t)->verdict == TREND_STABLE);

	trend_init(&t);
	push_linear(&t, 0, 0, 600, 1, 1000e6, 0, MS_ABSENT, MS_ABSENT);
	push_linear(&t, 0, 600, 500, 1, 1000e6 + 600 * 0.5e6, -0.5e6, MS_ABSENT, MS_ABSENT);
	CHECK(trend_get(&t)->verdict == TREND_SHRINKING);
	CHECK(trend_get(&t)->slope_bytes_per_s < 0);
	CHECK(isnan(trend_get(&t)->ttl_s));
}

/* Issue 14 items 5 and 6: a TTL (and oom_imminent) only while the series
 * is growing, with the verdict and slope of the fit that produced it: an
 * oom_imminent hook got verdict unknown, no slope and a TTL; a series
 * that stopped growing near its limit kept a TTL. Checked after every
 * push of a cold-start race to the limit (the fast path fires before
 * tier 0 has a verdict), and of a climb that stops below the limit. */
static int ttl_inconsistent(const struct trend_result *r)
{
	bool growing = r->verdict == TREND_GROWING || r->verdict == TREND_LEAK;

	if ((isfinite(r->ttl_s) || r->oom_imminent) && (!growing || !isfinite(r->slope_bytes_per_s)))
		return 1;
	return r->oom_imminent && !isfinite(r->ttl_s);
}

static void test_ttl_consistent(void)
{
	const int64_t limit = 600LL << 20;
	struct trend t;
	int bad = 0, oom = 0, ttl_at_end;

	trend_init(&t);
	for (int i = 0; i < 60; i++) {
		int64_t x = (100LL << 20) + (int64_t)i * (12LL << 20);

		if (x >= limit)
			break;
		trend_push(&t, 1000 + i * 500, x, limit, MS_ABSENT);
		bad += ttl_inconsistent(trend_get(&t));
		oom += trend_get(&t)->oom_imminent;
	}
	CHECK(oom > 0);
	CHECK_I64(bad, 0);

	/* 2 MB/s for 4 min, then flat at 95 % of the limit for 10 min. */
	trend_init(&t);
	bad = 0;
	push_linear(&t, 0, 0, 240, 1, 100e6, 2e6, (int64_t)(580e6 / 0.95), MS_ABSENT);
	CHECK(isfinite(trend_get(&t)->ttl_s));
	for (int s = 240; s < 840; s++) {
		trend_push(&t, (int64_t)s * 1000, (int64_t)580e6 + (s % 7) * 4096, (int64_t)(580e6 / 0.95),
			   MS_ABSENT);
		bad += ttl_inconsistent(trend_get(&t));
	}
	ttl_at_end = isfinite(trend_get(&t)->ttl_s);
	CHECK(trend_get(&t)->verdict == TREND_STABLE);
	CHECK_I64(ttl_at_end, 0);
	CHECK_I64(bad, 0);
}

static void test_size(void)
{
	printf("sizeof(struct trend) = %zu bytes\n", sizeof(struct trend));
	CHECK(sizeof(struct trend) <= 1800);
}

int main(void)
{
	test_empty_and_one_point();
	test_names();
	test_linear_exact();
	test_absent_limit();
	test_clock_backwards();
	test_gaps();
	test_zero();
	test_intervals();
	test_stop_and_shrink();
	test_ttl_consistent();
	test_size();
	test_synthetic();
	return check_done("test_trend");
}
