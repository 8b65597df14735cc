/* limit: the limit set of a process, its binding limit and the likely
 * cause of a launched command's end. See limit.h. */
#include "limit.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "util.h"

static const struct {
	const char *name, *tag;
	bool refuses;
} kinds[LIMIT_KINDS] = {
	[LIMIT_CGROUP_MAX] = {"cgroup_max", "max", false},
	[LIMIT_CGROUP_HIGH] = {"cgroup_high", "high", false},
	[LIMIT_MACHINE] = {"machine", "mem", false},
	[LIMIT_RLIMIT_AS] = {"rlimit_as", "AS", true},
	[LIMIT_RLIMIT_DATA] = {"rlimit_data", "DATA", true},
	[LIMIT_COMMIT] = {"commit", "CMT", true},
	[LIMIT_ADDRESS_SPACE] = {"address_space", "32b", true},
	/* cudaMalloc refused: CUDA out of memory. */
	[LIMIT_GPU] = {"gpu", "GP", true},
};

const char *limit_kind_name(enum limit_kind k)
{
	assert(k < LIMIT_KINDS);
	return kinds[k].name;
}

const char *limit_kind_tag(enum limit_kind k)
{
	assert(k < LIMIT_KINDS);
	return kinds[k].tag;
}

int limit_kind_parse(const char *name)
{
	for (int k = 0; k < LIMIT_KINDS; k++)
		if (strcmp(name, kinds[k].name) == 0)
			return k;
	return -1;
}

bool limit_kind_refuses(enum limit_kind k)
{
	assert(k < LIMIT_KINDS);
	return kinds[k].refuses;
}

/* One column of a limits line: "unlimited" or a decimal count. */
static int rlimit_value(const char **s, int64_t *v)
{
	const char *p = *s;
	unsigned long long n;
	char *end;

	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "unlimited", 9) == 0) {
		*v = MS_UNLIMITED;
		*s = p + 9;
		return 0;
	}
	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	n = strtoull(p, &end, 10);
	if (errno)
		return -1;
	/* RLIM_INFINITY is printed as "unlimited"; a value past int64 is as
	 * good as none. */
	*v = n >= (unsigned long long)INT64_MAX ? MS_UNLIMITED : (int64_t)n;
	*s = end;
	return 0;
}

int limit_parse_rlimits(const char *text, struct limit_rlimits *out)
{
	static const struct {
		const char *key;
		size_t soft, hard;
	} keys[] = {
		{"Max address space", offsetof(struct limit_rlimits, as_soft_bytes),
		 offsetof(struct limit_rlimits, as_hard_bytes)},
		{"Max data size", offsetof(struct limit_rlimits, data_soft_bytes),
		 offsetof(struct limit_rlimits, data_hard_bytes)},
	};
	const char *line = text;
	int found = 0;

	out->as_soft_bytes = out->as_hard_bytes = MS_ABSENT;
	out->data_soft_bytes = out->data_hard_bytes = MS_ABSENT;
	while (line && *line) {
		const char *nl = strchr(line, '\n');

		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			size_t kl = strlen(keys[i].key);
			const char *s = line + kl;
			int64_t soft, hard;

			/* The name column is padded with spaces; "Max address
			 * space" must not match a longer name. */
			if (strncmp(line, keys[i].key, kl) != 0 || (*s != ' ' && *s != '\t'))
				continue;
			if (rlimit_value(&s, &soft) < 0 || rlimit_value(&s, &hard) < 0)
				continue;
			*(int64_t *)((char *)out + keys[i].soft) = soft;
			*(int64_t *)((char *)out + keys[i].hard) = hard;
			found++;
		}
		line = nl ? nl + 1 : NULL;
	}
	return found ? 0 : -1;
}

int limit_elf_bits(const unsigned char *head, size_t n)
{
	if (n < 5 || memcmp(head, "\177ELF", 4) != 0)
		return 0;
	return head[4] == 1 ? 32 : head[4] == 2 ? 64 : 0;
}

/* A limit counts when it is known and set. */
static bool set(int64_t v)
{
	return ms_has(v) && v != MS_UNLIMITED && v >= 0;
}

static void put(struct limit *out, size_t *n, enum limit_kind k, int64_t limit_bytes,
		int64_t used_bytes, const char *source)
{
	struct limit *l = &out[(*n)++];

	assert(*n <= LIMIT_KINDS);
	l->kind = k;
	l->limit_bytes = limit_bytes;
	l->used_bytes = used_bytes;
	l->source = source;
	l->ttl_s = l->ttl_lo_s = l->ttl_hi_s = NAN;
	l->imminent = false;
}

size_t limit_build(const struct limit_input *in, struct limit *out)
{
	size_t n = 0;

	if (set(in->cgroup_max_bytes))
		put(out, &n, LIMIT_CGROUP_MAX, in->cgroup_max_bytes, in->cgroup_used_bytes,
		    in->cgroup_max_source ? in->cgroup_max_source : "cgroup");
	/* memory.high at or above memory.max never throttles. */
	if (set(in->cgroup_high_bytes) &&
	    !(set(in->cgroup_max_bytes) && in->cgroup_high_bytes >= in->cgroup_max_bytes))
		put(out, &n, LIMIT_CGROUP_HIGH, in->cgroup_high_bytes, in->cgroup_used_bytes,
		    in->cgroup_high_source ? in->cgroup_high_source : "cgroup");
	if (!set(in->cgroup_max_bytes) && set(in->machine_bytes))
		put(out, &n, LIMIT_MACHINE, in->machine_bytes, in->machine_used_bytes, "machine");
	if (set(in->rl.as_soft_bytes))
		put(out, &n, LIMIT_RLIMIT_AS, in->rl.as_soft_bytes, in->vm_size_bytes, "rlimit");
	if (set(in->rl.data_soft_bytes))
		put(out, &n, LIMIT_RLIMIT_DATA, in->rl.data_soft_bytes, in->vm_data_bytes, "rlimit");
	if (in->overcommit_mode == LIMIT_OVERCOMMIT_NEVER && set(in->commit_limit_bytes))
		put(out, &n, LIMIT_COMMIT, in->commit_limit_bytes, in->committed_as_bytes, "sysctl");
	/* An RLIMIT_AS below 4 GiB already says more. */
	if (in->address_bits == 32 &&
	    !(set(in->rl.as_soft_bytes) && in->rl.as_soft_bytes <= LIMIT_AS32_BYTES))
		put(out, &n, LIMIT_ADDRESS_SPACE, LIMIT_AS32_BYTES, in->vm_size_bytes, "elf32");
	if (set(in->gpu_limit_bytes) && ms_has(in->gpu_used_bytes) && in->gpu_used_bytes > 0)
		put(out, &n, LIMIT_GPU, in->gpu_limit_bytes, in->gpu_used_bytes,
		    in->gpu_source ? in->gpu_source : "nvml");
	return n;
}

double limit_used_pct(const struct limit *l)
{
	if (!ms_has(l->used_bytes) || !(l->limit_bytes > 0))
		return NAN;
	return 100.0 * (double)l->used_bytes / (double)l->limit_bytes;
}

int limit_binding(const struct limit *v, size_t n)
{
	int best = -1;
	double best_ttl = INFINITY, best_pct = -1;

	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i].ttl_s) && v[i].ttl_s < best_ttl) {
			best_ttl = v[i].ttl_s;
			best = (int)i;
		}
	if (best >= 0)
		return best;
	for (size_t i = 0; i < n; i++) {
		double pct = limit_used_pct(&v[i]);

		if (!isnan(pct) && pct > best_pct) {
			best_pct = pct;
			best = (int)i;
		}
	}
	return best;
}

void limit_state_init(struct limit_state *st)
{
	memset(st, 0, sizeof(*st));
	st->binding = -1;
}

void limit_state_done(struct limit_state *st)
{
	for (int k = 0; k < LIMIT_KINDS; k++) {
		free(st->own[k]);
		free(st->source[k]);
	}
	free(st->v);
	limit_state_init(st);
}

/* st->v holds n limits copied from v. */
static void put_all(struct limit_state *st, const struct limit *v, size_t n)
{
	assert(n <= LIMIT_KINDS);
	if (n > st->cap) {
		st->v = xrealloc(st->v, n * sizeof(*st->v));
		st->cap = n;
	}
	if (n)
		memcpy(st->v, v, n * sizeof(*v));
	st->n = n;
}

/* The limit's source into the state's own copy, replaced only when it
 * changed (a strcmp per limit and tick, no allocation). */
static void own_source(struct limit_state *st, struct limit *l)
{
	char **slot = &st->source[l->kind];

	if (!l->source) {
		free(*slot);
		*slot = NULL;
	} else if (!*slot || strcmp(*slot, l->source) != 0) {
		free(*slot);
		*slot = xstrdup(l->source);
	}
	l->source = *slot;
}

void limit_state_stop(struct limit_state *st)
{
	for (size_t i = 0; i < st->n; i++) {
		st->v[i].ttl_s = st->v[i].ttl_lo_s = st->v[i].ttl_hi_s = NAN;
		st->v[i].imminent = false;
	}
	for (int k = 0; k < LIMIT_KINDS; k++)
		if (st->own[k])
			trend_stop(st->own[k]);
}

void limit_state_set(struct limit_state *st, const struct limit *v, size_t n, int binding)
{
	assert(n <= LIMIT_KINDS && binding < (int)n);
	put_all(st, v, n);
	for (size_t i = 0; i < n; i++)
		own_source(st, &st->v[i]);
	st->binding = binding;
}

void limit_state_reset(struct limit_state *st)
{
	for (int k = 0; k < LIMIT_KINDS; k++)
		if (st->own[k])
			trend_init(st->own[k]);
}

/* TTL, band and imminence of l from a trend's result. to_high: the
 * result's TTL to memory.high (cgroup_high) rather than to its limit. */
static void ttl_from(struct limit *l, const struct trend_result *r, bool to_high)
{
	if (!r)
		return;
	if (to_high) {
		if (r->ttl_target == TTL_HIGH) {
			l->ttl_s = r->ttl_s;
			l->ttl_lo_s = r->ttl_lo_s;
			l->ttl_hi_s = r->ttl_hi_s;
		}
		return;
	}
	l->ttl_s = r->ttl_max_s;
	/* The band is the limit's only when the result's TTL is to it. */
	if (r->ttl_target == TTL_MAX) {
		l->ttl_lo_s = r->ttl_lo_s;
		l->ttl_hi_s = r->ttl_hi_s;
	}
	l->imminent = r->oom_imminent;
}

void limit_state_update(struct limit_state *st, const struct limit_input *in,
			const struct limit_trends *tr, int64_t t_ms)
{
	bool has[LIMIT_KINDS] = {false};
	struct limit v[LIMIT_KINDS];

	put_all(st, v, limit_build(in, v));
	for (size_t i = 0; i < st->n; i++) {
		struct limit *l = &st->v[i];

		has[l->kind] = true;
		own_source(st, l);
		switch (l->kind) {
		case LIMIT_CGROUP_MAX:
		case LIMIT_MACHINE:
			ttl_from(l, tr ? tr->proc : NULL, false);
			break;
		case LIMIT_CGROUP_HIGH:
			ttl_from(l, tr ? tr->proc : NULL, true);
			break;
		case LIMIT_COMMIT:
			ttl_from(l, tr ? tr->commit : NULL, false);
			break;
		case LIMIT_GPU:
			ttl_from(l, tr ? tr->gpu : NULL, false);
			break;
		case LIMIT_RLIMIT_AS:
		case LIMIT_RLIMIT_DATA:
		case LIMIT_ADDRESS_SPACE: {
			struct trend **t = &st->own[l->kind];

			if (!*t) {
				*t = xcalloc(1, sizeof(**t));
				trend_init(*t);
			}
			if (ms_has(l->used_bytes))
				trend_push(*t, t_ms, l->used_bytes, l->limit_bytes, MS_ABSENT);
			ttl_from(l, trend_get(*t), false);
			break;
		}
		case LIMIT_KINDS:
		default:
			assert(!"limit kind");
		}
	}
	/* A limit lifted (prlimit to unlimited): its series goes with it. */
	for (int k = 0; k < LIMIT_KINDS; k++)
		if (st->own[k] && !has[k]) {
			free(st->own[k]);
			st->own[k] = NULL;
		}
	st->binding = limit_binding(st->v, st->n);
}

const struct limit *limit_state_binding(const struct limit_state *st)
{
	return st->binding >= 0 ? &st->v[st->binding] : NULL;
}

const struct limit *limit_state_refusing(const struct limit_state *st)
{
	struct limit v[LIMIT_KINDS];
	size_t n = 0;
	int b;

	for (size_t i = 0; i < st->n; i++)
		if (limit_kind_refuses(st->v[i].kind) && st->v[i].kind != LIMIT_GPU)
			v[n++] = st->v[i];
	b = limit_binding(v, n);
	return b >= 0 ? limit_state_find(st, v[b].kind) : NULL;
}

const struct trend_result *limit_state_trend(const struct limit_state *st, enum limit_kind k)
{
	assert(k < LIMIT_KINDS);
	return st->own[k] ? trend_get(st->own[k]) : NULL;
}

const struct limit *limit_state_find(const struct limit_state *st, enum limit_kind k)
{
	for (size_t i = 0; i < st->n; i++)
		if (st->v[i].kind == k)
			return &st->v[i];
	return NULL;
}

const char *limit_cause_name(enum limit_cause c)
{
	static const char *const names[] = {"exit", "signal", "oom_kill", "memory_error"};

	assert((size_t)c < sizeof(names) / sizeof(names[0]));
	return names[c];
}

/* Within reach of a refusing limit: the headroom left at the last sample
 * is smaller than what one failing request plus a tick's growth can be. */
bool limit_near(const struct limit *l)
{
	int64_t margin;

	if (!limit_kind_refuses(l->kind) || !ms_has(l->used_bytes))
		return false;
	if (l->imminent)
		return true;
	margin = (int64_t)(LIMIT_NEAR_FRAC * (double)l->limit_bytes);
	if (margin < LIMIT_NEAR_MIN_BYTES)
		margin = LIMIT_NEAR_MIN_BYTES;
	return l->limit_bytes - l->used_bytes <= margin;
}

struct limit_verdict limit_cause_of(int status, bool oom_killed, const struct limit *v, size_t n)
{
	struct limit_verdict r = {.cause = CAUSE_EXIT, .likely = false, .limit = -1};
	bool failed = WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0);

	/* The kernel counted a kill in the command's cgroup and the command
	 * failed: it, or a child it waited for (a shell exits 137), was it. */
	if (oom_killed && failed) {
		r.cause = CAUSE_OOM_KILL;
		return r;
	}
	/* SIGKILL is never how a refused allocation ends. */
	if (failed && !(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
		double best = -1;

		/* The nearest refusing limit, by share used. */
		for (size_t i = 0; i < n; i++) {
			double pct = limit_used_pct(&v[i]);

			if (limit_near(&v[i]) && pct > best) {
				best = pct;
				r.limit = (int)i;
			}
		}
		if (r.limit >= 0) {
			r.cause = CAUSE_MEMORY_ERROR;
			r.likely = true;
			return r;
		}
	}
	r.cause = WIFSIGNALED(status) ? CAUSE_SIGNAL : CAUSE_EXIT;
	return r;
}
