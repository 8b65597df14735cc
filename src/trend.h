/* trend: the growth verdict and time to limit for one series (analysis stage).
 *
 * Pure: never opens a file, never reads a clock; time comes in as t_ms
 * (CLOCK_MONOTONIC milliseconds, any origin). Implements LEAK-DETECTION.md:
 * four tiers of min/max buckets (2 s, 16 s, 128 s, 1024 s), floor/peak
 * envelopes, an O(n) OLS screen, then Mann-Kendall with AR(1) correction and
 * Theil-Sen slope with a 90 % CI, gated against noise, tiny creep, warm-up
 * ramps, one-off steps and GC sawtooth. State is fixed-size (about 1.8 KB) and
 * a push is O(1) except when a bucket closes and the screen says "rising". */
#ifndef MEMSLOPE_TREND_H
#define MEMSLOPE_TREND_H

#include <stdbool.h>
#include <stdint.h>

enum trend_verdict {
	TREND_UNKNOWN = 0, /* not enough history yet */
	TREND_STABLE,
	TREND_GROWING,     /* suspect: a tier is active */
	TREND_LEAK,        /* confirmed: tier >= 1 passing now, >= 600 s history */
	TREND_SHRINKING,
};

enum trend_ttl_target { TTL_NONE = 0, TTL_MAX, TTL_HIGH };

/* What the outputs show. Doubles are NAN where not known (null in JSON);
 * ttl_hi_s may be INFINITY (band open above). */
struct trend_result {
	enum trend_verdict verdict;
	double slope_bytes_per_s;
	double slope_lo_bytes_per_s, slope_hi_bytes_per_s; /* 90 % CI */
	double window_s; /* evidence window the slope was measured on */
	double mk_z;     /* Mann-Kendall Z after autocorrelation correction */
	double mk_s_frac; /* S / (n(n-1)/2): "monotonicity", 0..1 */
	double r2;       /* OLS R^2 of the floor fit */
	int tier;        /* tier the verdict comes from, -1 if none; the numbers
			  * above are that tier's: for growing/leak the finest
			  * active tier (also the TTL's), for stable the finest
			  * tier that could evaluate, for shrinking tier 1 */
	double ttl_s, ttl_lo_s, ttl_hi_s;
	enum trend_ttl_target ttl_target;
	bool oom_imminent; /* also sets a TTL when no tier is active yet */
	double ttl_max_s; /* time to the limit itself, also when ttl_s is to memory.high */
};

/* The per-entity state. Embedded by the model; internals are private to
 * trend.c but sized here so no allocation is needed (about 1.8 KB). */
#define TREND_K 32
#define TREND_TIERS 4
#define TREND_TROUGHS 8
struct trend_fit {                         /* a tier's evidence, compact */
	float slope, slope_lo, slope_hi;   /* bytes/s; lo/hi NAN: screen only */
	float mk_z, mk_s_frac, r2, window_s;
	float accel, accel_se;             /* curvature: d2x/dt2 (bytes/s^2) and its SE; 0 unknown */
	int32_t end_idx;                   /* newest bucket of the fit (its tier's W) */
	uint32_t floor_kib, amp_med_kib, amp_max_kib; /* at end_idx; median/max amplitude */
};
struct trend_tier {
	uint32_t mn[TREND_K], mx[TREND_K]; /* KiB ring; UINT32_MAX = gap */
	int32_t newest_idx;                /* bucket index (t / W) of newest accounted */
	int32_t open_idx;                  /* bucket index of the open bucket, -1 none */
	uint32_t cmin, cmax;               /* open bucket */
	uint8_t n, passes, fails, active;
	uint8_t last_pass;                 /* last 2 evaluations as bits */
	uint8_t last_shrink;               /* same, for the shrinking test */
	uint8_t evaluable;                 /* last attempt had >= 8 envelope points */
	uint8_t near;                      /* near the limit: rising without the size gates */
	uint8_t stalled;                   /* switched off by stall_check: fresh rise needed */
	struct trend_fit fit;              /* last passing fit while active, else latest */
};
struct trend {
	struct trend_tier tier[TREND_TIERS];
	int64_t t_first_ms, t_last_ms;
	int64_t last_rel_ms;        /* t_last_ms - t_first_ms, clamped (< 2^40) */
	int32_t gap_ms;             /* time since the previous sample */
	uint32_t x_first_kib;
	uint32_t floor_first_kib;   /* min of the first 16 s (lifetime rate) */
	uint32_t peak_kib;          /* sawtooth guard: peak since last drop */
	int64_t last_drop_rel_ms;   /* relative to t_first_ms */
	int64_t ramp_start_rel_ms;  /* start of the current rise: the last drop after a ramp >= 8 s */
	uint16_t interval_s[4];     /* period estimates of the last drops, newest first */
	uint32_t drop_kib[4];       /* last drop sizes, newest first */
	uint32_t drop_peak_kib, trough_kib; /* the drop in progress */
	uint8_t n_drops, in_drop;
	uint8_t n_troughs, saw_rising; /* trough test (trough_test) */
	int32_t trough_at_s;        /* time of the drop in progress's lowest sample */
	uint32_t trough_kib_ring[TREND_TROUGHS]; /* last troughs, newest first */
	int32_t trough_s_ring[TREND_TROUGHS];    /* their times, s since the first sample */
	float saw_slope, saw_window_s; /* the troughs' Sen slope (bytes/s) and span */
	uint32_t seg_min_kib;       /* envelope test (env_update): min since the last trough */
	uint32_t pre_min_kib;       /* ... and that min before the drop in progress/last drop */
	uint32_t prev_kib;          /* the previous sample */
	uint32_t seg_fall_kib, pre_fall_kib; /* largest one-sample fall since the last trough; before the drop */
	int32_t env_at_s;           /* last time the envelope test fired, s; -1 never */
	float env_slope, env_window_s; /* its rate estimate (bytes/s) and span */
	uint8_t env_over;           /* consecutive samples above the last peak's margin */
	uint8_t env_ramp;           /* the last drop ended a ramp >= RAMP_MIN_S (no spike) */
	uint8_t started;
	int8_t leak_tier;           /* tier that confirmed LEAK, -1 none */
	uint8_t oom_fast;           /* step 7 fast path fired at the last 2 s bucket */
	uint8_t env_jump;           /* the last drop ended a jump (a spike), not a ramp */
	uint32_t peak16_kib;        /* max of the last 8 tier-0 bucket maxima */
	uint32_t seg_rise_kib;      /* largest one-sample rise since the last trough */
	double stall_hi;            /* upper bound of the rate over the last 16 s (stall_check) */
	double stall_rate;          /* its estimate */
	double flat_hi;             /* the same bound over the last 64 s (flat_update) */
	int32_t stall_idx;          /* tier-0 bucket stall_hi/stall_rate were computed at */
	int32_t flat_idx;
	struct trend_fit oom_fit;   /* fast-path fit of the maxima (amp = 0) */
	float tail_rate;            /* the last growing episode's rate (bytes/s), 0 none (tail rule) */
	int64_t oom_onset_rel_ms;   /* fast path: start of the rise it saw (oom_onset) */
	uint32_t tail_floor_kib, tail_growth_kib; /* the floor it ended at, the growth it showed */
	int64_t tail_at_ms;         /* when it ended, relative to t_first_ms */
	int64_t limit_bytes, high_bytes; /* last limits given, for TTL */
	struct trend_result result;
};

void trend_init(struct trend *t);
/* Feed one observation: x_bytes (the series value, >= 0) at t_ms. limit_bytes
 * is the limit this series can grow to (MS_UNLIMITED / MS_ABSENT: none known),
 * high_bytes likewise for memory.high. A t_ms older than the last one is
 * ignored (clock going backwards); a > 50 % drop of a cgroup series is the
 * caller's business (call trend_init to reset). Updates t->result. */
void trend_push(struct trend *t, int64_t t_ms, int64_t x_bytes, int64_t limit_bytes,
		int64_t high_bytes);
/* The series ended (its process exited, its cgroup emptied or went): the
 * result keeps the verdict and slope last seen, but no TTL and no
 * oom_imminent, until the next push. */
void trend_stop(struct trend *t);
/* The current verdict and numbers; valid until the next push. */
const struct trend_result *trend_get(const struct trend *t);
/* The evidence to show for the verdict: the result, except that a LEAK
 * carries the slope, CI, Mann-Kendall Z, R² and window of the tier that
 * confirmed it (>= 8.5 min) rather than of the finest active tier (whose
 * slope the TTL uses). Fills *out and returns it. */
const struct trend_result *trend_evidence(const struct trend *t, struct trend_result *out);
/* "stable", "growing", "leak", "shrinking", "unknown". */
const char *trend_verdict_name(enum trend_verdict v);

#endif
