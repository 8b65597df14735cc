/* leakgen: seeded synthetic memory series (see leakgen.h).
 *
 * Common to every kind: 1 Hz samples with +-100 ms jitter from a random
 * monotonic origin; a level of 50 MB - 2 GB (log-uniform) unless the kind
 * says otherwise; AR(1) noise with sigma 0.05-0.5 % of the level and phi
 * 0-0.8. No-leak kinds get a limit 25 % above their own maximum (never hit:
 * any oom_imminent there is false); leak kinds without a kill get no limit or
 * the level plus 2-60 GB of free memory (a process outside any cgroup limit);
 * kill kinds get the limit their growth meets, and the series ends at the
 * first sample at or over it. */
#include "leakgen.h"

#include <math.h>
#include <string.h>

#include "util.h" /* MS_UNLIMITED */

#define MB LG_MB
#define MBMIN (MB / 60.0)
#define TWO_PI 6.283185307179586

const struct lg_kind_info lg_kinds[LG_KINDS] = {
	[LG_FLAT] = { "flat", 3600, false, false },
	[LG_SPIKY] = { "spiky", 3600, false, false },
	[LG_STEP] = { "step", 3600, false, false },
	[LG_SAW_SHORT] = { "sawtooth 5-20 s", 2400, false, false },
	[LG_SAW_LONG] = { "sawtooth 30-180 s", 3600, false, false },
	[LG_WARMUP] = { "warm-up 30-300 s", 2400, false, false },
	[LG_WARMUP_20MIN] = { "warm-up 20 min", 5400, false, false },
	[LG_FRAG_PLATEAU] = { "fragmentation plateau", 2400, false, false },
	[LG_BOUNDED] = { "bounded buffer", 2400, false, false },
	[LG_CACHE_REBUILD] = { "cache rebuilt /10 min", 5400, false, false },
	[LG_MIX_NOLEAK] = { "mix, no leak", 3600, false, false },
	[LG_LEAK_FAST] = { "leak 1-4 MB/s", 300, true, false },
	[LG_LEAK_FAST_SAW] = { "1-4 MB/s under saw", 300, true, false },
	[LG_MIX_LEAK] = { "mix: 1-4 MB/s + others", 400, true, false },
	[LG_LEAK_SLOW] = { "leak 1-10 MB/min", 3000, true, false },
	[LG_LEAK_SLOW_SAW] = { "1-3 MB/min under saw", 3000, true, false },
	[LG_LEAK_HALF_SAW] = { "0.5 MB/min under saw", 7200, true, false },
	[LG_RACE] = { "race 10 MB/min-20 MB/s", 2700, true, true },
	[LG_RACE_HEADROOM] = { "~1 MB/min, 15-60 MB room", 6000, true, true },
	[LG_RACE_SAW] = { "race under sawtooth", 2700, true, true },
	[LG_RACE_QUAD] = { "race, accelerating", 4000, true, true },
	[LG_RACE_MIX] = { "race, mixed cgroup", 2400, true, true },
};

/* splitmix64 */
uint64_t lg_next(struct lg_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double lg_u01(struct lg_rng *r)
{
	return (double)(lg_next(r) >> 11) * 0x1.0p-53;
}

double lg_uniform(struct lg_rng *r, double a, double b)
{
	return a + (b - a) * lg_u01(r);
}

double lg_logu(struct lg_rng *r, double a, double b)
{
	return exp(lg_uniform(r, log(a), log(b)));
}

double lg_norm(struct lg_rng *r)
{
	double u1 = 1.0 - lg_u01(r), u2 = lg_u01(r);

	return sqrt(-2.0 * log(u1)) * cos(TWO_PI * u2);
}

/* The components a series is the sum of; a zero size switches one off. */
struct saw {
	double period_s, amp_bytes, start, len, cyc_amp, trough; /* trough: offset */
};

struct comps {
	double level, sigma, phi, e;          /* AR(1) noise */
	double spike_p, spike_rel, spike_bytes;
	int spike_left;
	double rate, onset_s, accel;          /* leak: rate (t - onset) + accel (t - onset)^2 */
	struct saw saw;
	double warm_amp, warm_tau;
	double buf_bytes, buf_start, buf_fill;
	double step_at[2], step_size[2], step_len[2];
	int steps;
	double cache_bytes, cache_rebuild_s, cache_phase; /* dropped every 600 s */
	double frag_rise, frag_start, frag_len, frag_creep, frag_tau;
};

static void saw_init(struct saw *w, struct lg_rng *r, double period_s, double amp_bytes)
{
	w->period_s = period_s;
	w->amp_bytes = amp_bytes;
	w->start = -lg_uniform(r, 0, period_s);
	w->len = period_s * lg_uniform(r, 0.9, 1.1);
	w->cyc_amp = amp_bytes * lg_uniform(r, 0.9, 1.1);
	w->trough = 0;
}

/* A GC cycle: a linear rise by ~A over ~P (+-10 % per cycle), then an
 * instant drop to a trough within +-2 % of A of the base. */
static double saw_at(struct saw *w, struct lg_rng *r, double t)
{
	if (w->amp_bytes <= 0)
		return 0;
	while (t >= w->start + w->len) {
		w->start += w->len;
		w->len = w->period_s * lg_uniform(r, 0.9, 1.1);
		w->cyc_amp = w->amp_bytes * lg_uniform(r, 0.9, 1.1);
		w->trough = w->amp_bytes * lg_uniform(r, -0.02, 0.02);
	}
	return w->trough + w->cyc_amp * (t - w->start) / w->len;
}

static double comps_at(struct comps *c, struct lg_rng *r, double t)
{
	double v = c->level, dt;

	c->e = c->phi * c->e + sqrt(1 - c->phi * c->phi) * c->sigma * lg_norm(r);
	v += c->e;
	if (c->spike_left > 0) {
		c->spike_left--;
		v += c->spike_bytes;
	} else if (c->spike_p > 0 && lg_u01(r) < c->spike_p) {
		c->spike_left = (int)lg_uniform(r, 1, 6);
		c->spike_bytes = c->level * c->spike_rel * lg_uniform(r, 0.5, 1.0);
	}
	dt = t - c->onset_s;
	if (dt > 0)
		v += c->rate * dt + c->accel * dt * dt;
	v += saw_at(&c->saw, r, t);
	if (c->warm_amp > 0)
		v += c->warm_amp * (1 - exp(-t / c->warm_tau));
	if (c->buf_bytes > 0)
		v += c->buf_bytes * fmin(1, fmax(0, (t - c->buf_start) / c->buf_fill));
	for (int j = 0; j < c->steps; j++)
		v += c->step_size[j] * (c->step_len[j] > 0 ? fmin(1, fmax(0, (t - c->step_at[j]) /
									   c->step_len[j]))
						       : (t >= c->step_at[j]));
	if (c->cache_bytes > 0) {
		/* Full except while being rebuilt after each 10-minute drop. */
		double since = fmod(t + c->cache_phase, 600.0);

		v += c->cache_bytes * fmin(1, since / c->cache_rebuild_s);
	}
	if (c->frag_rise > 0 && t > c->frag_start) {
		double s = t - c->frag_start;

		v += c->frag_rise * fmin(1, s / c->frag_len);
		if (s > c->frag_len)
			v += c->frag_creep * (1 - exp(-(s - c->frag_len) / c->frag_tau));
	}
	return v;
}

static void comps_noise(struct comps *c, struct lg_rng *r, bool spikes)
{
	c->sigma = c->level * lg_logu(r, 0.0005, 0.005);
	c->phi = lg_uniform(r, 0, 0.8);
	c->e = c->sigma * lg_norm(r);
	c->spike_p = spikes ? 0.005 : 0;
	c->spike_rel = lg_uniform(r, 0.01, 0.1);
}

/* A cgroup's or tree's other members: a GC sawtooth, a warm-up and a
 * bounded buffer, each 5-25 % of the level (at least 30 MB). */
static void comps_others(struct comps *c, struct lg_rng *r)
{
	saw_init(&c->saw, r, lg_logu(r, 10, 60), fmax(30 * MB, c->level * lg_uniform(r, 0.05, 0.25)));
	c->warm_amp = fmax(30 * MB, c->level * lg_uniform(r, 0.05, 0.25));
	c->warm_tau = lg_logu(r, 30, 300);
	c->buf_bytes = fmax(30 * MB, c->level * lg_uniform(r, 0.05, 0.25));
	c->buf_start = lg_uniform(r, 0, 120);
	c->buf_fill = lg_uniform(r, 60, 300);
}

void lg_generate(struct lg_series *s, enum lg_kind k, uint64_t seed)
{
	struct lg_rng r = { seed }, jitter;
	struct comps c;
	int64_t t0, mx = 0;
	double t_hit = NAN, headroom;

	memset(&c, 0, sizeof(c));
	jitter.s = lg_next(&r);
	t0 = (int64_t)lg_uniform(&r, 0, 1e12);
	s->kind = k;
	s->n = lg_kinds[k].duration_s;
	s->limit_bytes = MS_UNLIMITED;
	s->rate_bytes_per_s = 0;
	s->settle_s = NAN;
	s->period_s = NAN;
	s->amp_bytes = 0;
	s->hit_s = NAN;
	s->killed = false;
	c.level = lg_logu(&r, 50 * MB, 2000 * MB);
	c.onset_s = 0;
	comps_noise(&c, &r, k == LG_FLAT || k == LG_LEAK_FAST || k == LG_LEAK_SLOW || k == LG_RACE);

	switch (k) {
	case LG_FLAT:
		break;
	case LG_SPIKY:
		c.spike_p = lg_uniform(&r, 0.01, 0.05);
		c.spike_rel = lg_uniform(&r, 0.05, 0.3);
		break;
	case LG_STEP:
		c.steps = lg_u01(&r) < 0.5 ? 1 : 2;
		for (int j = 0; j < c.steps; j++) {
			c.step_at[j] = lg_uniform(&r, 30, 1500) + j * 1800;
			c.step_size[j] = c.level * lg_uniform(&r, 0.05, 1.0) + 5 * MB;
			c.step_len[j] = lg_uniform(&r, 0, 10);
		}
		break;
	case LG_SAW_SHORT:
	case LG_SAW_LONG:
		saw_init(&c.saw, &r, k == LG_SAW_SHORT ? lg_logu(&r, 5, 20) : lg_logu(&r, 30, 180),
			 fmax(4 * MB, c.level * lg_logu(&r, 0.03, 1.0)));
		c.sigma = fmin(c.sigma, 0.05 * c.saw.amp_bytes);
		break;
	case LG_WARMUP:
	case LG_WARMUP_20MIN:
		c.warm_amp = c.level * lg_uniform(&r, 0.2, 2.0) + 10 * MB;
		c.warm_tau = k == LG_WARMUP ? lg_logu(&r, 30, 300) : lg_uniform(&r, 300, 500);
		s->settle_s = 3 * c.warm_tau;
		break;
	case LG_FRAG_PLATEAU:
		/* Fast rise (arena growth), a decaying creep as fragmentation
		 * settles, then flat. */
		c.frag_start = lg_uniform(&r, 0, 120);
		c.frag_len = lg_uniform(&r, 10, 60);
		c.frag_rise = c.level * lg_uniform(&r, 0.2, 1.0) + 10 * MB;
		c.frag_creep = c.frag_rise * lg_uniform(&r, 0.05, 0.2);
		c.frag_tau = lg_uniform(&r, 60, 200);
		s->settle_s = c.frag_start + c.frag_len + 3 * c.frag_tau;
		break;
	case LG_BOUNDED:
		c.buf_start = lg_uniform(&r, 0, 120);
		c.buf_fill = lg_uniform(&r, 30, 300);
		c.buf_bytes = c.level * lg_uniform(&r, 0.1, 1.0) + 10 * MB;
		s->settle_s = c.buf_start + 0.95 * c.buf_fill;
		break;
	case LG_CACHE_REBUILD:
		c.cache_bytes = c.level * lg_uniform(&r, 0.2, 1.0) + 10 * MB;
		c.cache_rebuild_s = lg_uniform(&r, 20, 120);
		c.cache_phase = lg_uniform(&r, 0, 600);
		break;
	case LG_MIX_NOLEAK:
		comps_others(&c, &r);
		s->settle_s = fmax(3 * c.warm_tau, c.buf_start + 0.95 * c.buf_fill);
		break;
	case LG_LEAK_FAST:
		c.rate = lg_logu(&r, 1 * MB, 4 * MB);
		break;
	case LG_LEAK_FAST_SAW:
		c.rate = lg_logu(&r, 1 * MB, 4 * MB);
		saw_init(&c.saw, &r, lg_logu(&r, 10, 60), lg_uniform(&r, 20 * MB, 200 * MB));
		break;
	case LG_MIX_LEAK:
		c.rate = lg_logu(&r, 1 * MB, 4 * MB);
		comps_others(&c, &r);
		break;
	case LG_LEAK_SLOW:
		c.rate = lg_logu(&r, 1 * MBMIN, 10 * MBMIN);
		break;
	case LG_LEAK_SLOW_SAW:
	case LG_LEAK_HALF_SAW:
		c.rate = k == LG_LEAK_SLOW_SAW ? lg_logu(&r, 1 * MBMIN, 3 * MBMIN) : 0.5 * MBMIN;
		saw_init(&c.saw, &r, lg_logu(&r, 10, 60),
			 k == LG_LEAK_SLOW_SAW ? lg_uniform(&r, 150 * MB, 200 * MB) : 200 * MB);
		c.sigma = fmin(c.sigma, 0.05 * c.saw.amp_bytes);
		break;
	case LG_RACE:
		c.rate = lg_logu(&r, 10 * MBMIN, 20 * MB);
		t_hit = lg_logu(&r, 60, 2400);
		break;
	case LG_RACE_HEADROOM:
		c.rate = lg_uniform(&r, 0.7 * MBMIN, 1.5 * MBMIN);
		headroom = lg_uniform(&r, 15 * MB, 60 * MB);
		t_hit = headroom / c.rate;
		break;
	case LG_RACE_SAW:
		c.rate = lg_logu(&r, 10 * MBMIN, 4 * MB);
		saw_init(&c.saw, &r, lg_logu(&r, 10, 60), fmax(20 * MB, c.level * lg_uniform(&r, 0.05, 0.3)));
		c.sigma = fmin(c.sigma, 0.05 * c.saw.amp_bytes);
		t_hit = lg_logu(&r, 300, 2400);
		break;
	case LG_RACE_QUAD:
		/* x = level + r0 t + a t^2: a list copied every iteration, a
		 * concat in a loop. The rate at the kill is 3-20x the start's. */
		t_hit = lg_uniform(&r, 600, 3600);
		{
			double growth = c.level * lg_uniform(&r, 0.3, 3.0) + 50 * MB;
			double ratio = lg_logu(&r, 3, 20); /* final rate / initial rate */

			/* r0 t_hit + a t_hit^2 = growth, r0 + 2 a t_hit = ratio r0 */
			c.accel = growth * (ratio - 1) / (t_hit * t_hit * (ratio + 1));
			c.rate = (growth - c.accel * t_hit * t_hit) / t_hit;
		}
		break;
	case LG_RACE_MIX:
		c.rate = lg_logu(&r, 1 * MB, 4 * MB);
		comps_others(&c, &r);
		t_hit = lg_uniform(&r, 240, 1500);
		break;
	case LG_KINDS:
		break;
	}

	for (int i = 0; i < s->n; i++) {
		double t;

		s->t_ms[i] = t0 + (int64_t)i * 1000 + (int64_t)lg_uniform(&jitter, -100, 100);
		t = (s->t_ms[i] - s->t_ms[0]) / 1000.0;
		{
			int64_t pages = (int64_t)llround(comps_at(&c, &r, t) / 4096.0);

			s->x_bytes[i] = pages > 0 ? pages * 4096 : 0;
		}
		if (s->x_bytes[i] > mx)
			mx = s->x_bytes[i];
	}
	s->level_bytes = c.level;
	s->rate_bytes_per_s = c.rate;
	if (c.saw.amp_bytes > 0) {
		s->period_s = c.saw.period_s;
		s->amp_bytes = c.saw.amp_bytes;
	}
	if (!lg_kinds[k].leak) {
		s->limit_bytes = (int64_t)(1.25 * mx);
	} else if (!lg_kinds[k].kill) {
		if (lg_u01(&r) < 0.5)
			s->limit_bytes = (int64_t)(c.level + lg_logu(&r, 2000 * MB, 60000 * MB));
	} else {
		/* The limit the mean growth meets at t_hit; noise and a
		 * sawtooth's peaks may meet it earlier: the kill is the first
		 * sample at or over it. */
		double at_hit = c.level + c.rate * t_hit + c.accel * t_hit * t_hit;

		if (k == LG_RACE_SAW || k == LG_RACE_MIX)
			at_hit += c.saw.amp_bytes + c.warm_amp + c.buf_bytes;
		if (k == LG_RACE_QUAD)
			s->rate_bytes_per_s = c.rate + 2 * c.accel * t_hit;
		s->limit_bytes = (int64_t)at_hit;
	}
	for (int i = 0; i < s->n; i++)
		if (s->x_bytes[i] >= s->limit_bytes) {
			s->hit_s = (s->t_ms[i] - s->t_ms[0]) / 1000.0;
			if (lg_kinds[k].kill) {
				s->n = i + 1; /* the OOM killer ends the series */
				s->killed = true;
			}
			break;
		}
}
