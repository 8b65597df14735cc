/* leakgen: seeded synthetic memory series for the leak detector's goals
 * (issue 16). A series is a sum of components — a noisy level, a linear or
 * accelerating leak, GC sawtooths, a warm-up, a bounded buffer, cache fills,
 * a cache rebuilt on a timer — sampled at 1 Hz with jitter, in bytes rounded
 * to 4 KiB pages, optionally ended by an OOM kill at a limit. Every draw comes
 * from the run's seed, so a failing run is reproducible from its number.
 * MB is 10^6 bytes here. */
#ifndef MEMSLOPE_LEAKGEN_H
#define MEMSLOPE_LEAKGEN_H

#include <stdbool.h>
#include <stdint.h>

#define LG_MB 1e6
#define LG_MAX_SAMPLES (3 * 3600 + 8)

struct lg_rng {
	uint64_t s;
};

uint64_t lg_next(struct lg_rng *r);
double lg_u01(struct lg_rng *r);
double lg_uniform(struct lg_rng *r, double a, double b);
double lg_logu(struct lg_rng *r, double a, double b);
double lg_norm(struct lg_rng *r);

/* The kinds of series (see leakgen.c for each one's parameter ranges). */
enum lg_kind {
	LG_FLAT,          /* noisy flat with rare allocation spikes */
	LG_SPIKY,         /* flat with frequent large spikes */
	LG_STEP,          /* one or two one-off cache fills */
	LG_SAW_SHORT,     /* GC sawtooth, period 5-20 s, 3-100 % of the level */
	LG_SAW_LONG,      /* GC sawtooth, period 30-180 s */
	LG_WARMUP,        /* level + A (1 - e^(-t/tau)), tau 30-300 s */
	LG_WARMUP_20MIN,  /* a 20-minute warm-up (tau 300-500 s) */
	LG_FRAG_PLATEAU,  /* fast rise, a decaying creep, then flat */
	LG_BOUNDED,       /* bounded buffer: linear fill over 30-300 s, then flat */
	LG_CACHE_REBUILD, /* cache dropped and rebuilt every 10 min */
	LG_MIX_NOLEAK,    /* sawtooth + warm-up + bounded buffer, no leak */
	LG_LEAK_FAST,     /* linear leak 1-4 MB/s */
	LG_LEAK_FAST_SAW, /* 1-4 MB/s under a sawtooth of period 10-60 s */
	LG_MIX_LEAK,      /* 1-4 MB/s + others' sawtooth, warm-up, bounded buffer */
	LG_LEAK_SLOW,     /* linear leak 1-10 MB/min */
	LG_LEAK_SLOW_SAW, /* 1-3 MB/min under a 150-200 MB sawtooth */
	LG_LEAK_HALF_SAW, /* 0.5 MB/min under a 200 MB sawtooth, 2 h */
	LG_RACE,          /* linear leak 10 MB/min - 20 MB/s killed at its limit */
	LG_RACE_HEADROOM, /* ~1 MB/min with the limit 15-60 MB above the start */
	LG_RACE_SAW,      /* leak under a sawtooth killed at a peak */
	LG_RACE_QUAD,     /* accelerating (quadratic) growth killed at its limit */
	LG_RACE_MIX,      /* the mixed cgroup racing to its limit */
	LG_KINDS
};

struct lg_series {
	enum lg_kind kind;
	int n;
	int64_t t_ms[LG_MAX_SAMPLES];
	int64_t x_bytes[LG_MAX_SAMPLES];
	int64_t limit_bytes;   /* MS_UNLIMITED / MS_ABSENT when none */
	double level_bytes;
	double rate_bytes_per_s; /* leak rate (at the kill for accelerating growth) */
	double period_s;       /* the sawtooth's period, NAN: none */
	double amp_bytes;      /* the sawtooth's amplitude, 0: none */
	double settle_s;       /* no-leak kinds: when the last ramp reached 95 %; NAN none */
	double hit_s;          /* first sample at or over the limit; NAN: never hit */
	bool killed;           /* the series ends at hit_s (an OOM kill) */
};

struct lg_kind_info {
	const char *name;
	int duration_s;
	bool leak;   /* a real leak (else a no-leak kind) */
	bool kill;   /* ends at its limit */
};

extern const struct lg_kind_info lg_kinds[LG_KINDS];

/* Generate run `seed` of kind k into s. */
void lg_generate(struct lg_series *s, enum lg_kind k, uint64_t seed);

#endif
