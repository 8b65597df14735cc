/* events: event messages, entity marks and the --check reasons. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "util.h"

void events_check_add(struct check_state *c, const char *fmt, ...)
{
	va_list ap;
	char *r;

	va_start(ap, fmt);
	if (vasprintf(&r, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->reasons[i], r) == 0) {
			free(r);
			return;
		}
	}
	c->reasons = xrealloc(c->reasons, (c->n + 1) * sizeof(*c->reasons));
	c->reasons[c->n++] = r;
}

void events_check_print(const struct check_state *c, FILE *f)
{
	if (!c->on)
		return;
	if (c->n == 0) {
		fprintf(f, "memslope: check passed\n");
		return;
	}
	for (size_t i = 0; i < c->n; i++) {
		char *r = util_sanitize(c->reasons[i]);

		fprintf(f, "memslope: check failed: %s\n", r);
		free(r);
	}
}

void events_check_done(struct check_state *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->reasons[i]);
	free(c->reasons);
	c->reasons = NULL;
	c->n = 0;
}

int events_level(const struct model *m, double pct)
{
	if (!isfinite(pct))
		return 0;
	return pct >= m->crit_pct ? 2 : pct >= m->warn_pct ? 1 : 0;
}

void events_proc_start(struct model *m, const struct proc_entity *p)
{
	model_event(m, EV_PROC_START, p->pid, NULL, "started: process %d (%s)", (int)p->pid, p->name);
}

void events_proc_exit(struct model *m, const struct proc_entity *p)
{
	model_event(m, EV_PROC_EXIT, p->pid, NULL, "exited: process %d (%s)", (int)p->pid, p->name);
}

void events_cgroup_gone(struct model *m, const struct cgroup_entity *c)
{
	model_event(m, EV_CGROUP_GONE, 0, c->s.path, "gone: cgroup %s", c->s.path);
}

void events_cgroup_counters(struct model *m, struct cgroup_entity *c)
{
	static const char *const ev_names[6] = {"low", "high", "max", "oom", "oom_kill", "oom_group_kill"};
	const int64_t ev[6] = {c->s.ev_low, c->s.ev_high, c->s.ev_max,
			       c->s.ev_oom, c->s.ev_oom_kill, c->s.ev_oom_group_kill};
	/* memory.events counts a kill in every ancestor too: on v2 the OOM kill
	 * is this cgroup's only when memory.events.local counts it. */
	const bool own_kill = !ms_has(c->s.ev_oom_kill_local) ||
			      (ms_has(c->prev_oom_kill_local) && c->s.ev_oom_kill_local > c->prev_oom_kill_local);

	for (int i = 0; i < 6; i++) {
		if (ms_has(ev[i]) && ms_has(c->prev_events[i]) && ev[i] > c->prev_events[i]) {
			enum event_kind k = i == 4 && own_kill ? EV_OOM_KILL : EV_CGROUP_EVENT;

			model_event(m, k, 0, c->s.path, "memory.events %s +%lld (now %lld)%s: cgroup %s",
				    ev_names[i], (long long)(ev[i] - c->prev_events[i]), (long long)ev[i],
				    i == 4 && !own_kill ? ", in a cgroup below" : "", c->s.path);
		}
		c->prev_events[i] = ev[i];
	}
	c->prev_oom_kill_local = c->s.ev_oom_kill_local;
}

void events_marks(struct model *m, struct check_state *check, struct entity_marks *mk,
		  const struct trend_result *r, double usage_pct, pid_t pid, const char *cgroup,
		  const char *what)
{
	int level = events_level(m, usage_pct);
	char rate[32], ttl[32], lo[32], hi[32];

	/* The news first, then whom it is about: a TUI line cut at 80
	 * columns keeps what happened. */
	if (r->verdict != mk->verdict && r->verdict != TREND_UNKNOWN) {
		util_fmt_rate(r->slope_bytes_per_s, rate, sizeof(rate));
		model_event(m, EV_VERDICT, pid, cgroup, "%s -> %s%s%s: %s", trend_verdict_name(mk->verdict),
			    trend_verdict_name(r->verdict), isfinite(r->slope_bytes_per_s) ? ", slope " : "",
			    isfinite(r->slope_bytes_per_s) ? rate : "", what);
		mk->verdict = r->verdict;
	}
	if (level != mk->level) {
		static const char *const names[] = {"ok", "warn", "crit"};

		model_event(m, EV_THRESHOLD, pid, cgroup, "usage %.1f%% of limit (%s -> %s): %s", usage_pct,
			    names[mk->level], names[level], what);
		mk->level = level;
	}
	if (r->oom_imminent && !mk->oom_imminent)
		model_event(m, EV_OOM_IMMINENT, pid, cgroup, "oom_imminent, limit in %s [%s-%s]: %s",
			    util_fmt_duration(r->ttl_s, ttl, sizeof(ttl)),
			    util_fmt_duration(r->ttl_lo_s, lo, sizeof(lo)),
			    util_fmt_duration(r->ttl_hi_s, hi, sizeof(hi)), what);
	mk->oom_imminent = r->oom_imminent;

	if (check->on) {
		if (r->verdict == TREND_LEAK)
			events_check_add(check, "leak confirmed: %s", what);
		if (r->oom_imminent)
			events_check_add(check, "oom_imminent: %s", what);
		if (check->max_growth_bytes_per_s > 0 &&
		    (r->verdict == TREND_GROWING || r->verdict == TREND_LEAK) &&
		    r->slope_bytes_per_s > check->max_growth_bytes_per_s)
			events_check_add(check, "growth above --max-growth %s: %s",
					 check->max_growth_arg ? check->max_growth_arg : "(set)", what);
		if (check->max_usage_pct > 0 && isfinite(usage_pct) && usage_pct > check->max_usage_pct)
			events_check_add(check, "usage above --max-usage %.1f%%: %s", check->max_usage_pct, what);
	}
}

/* True when events_marks would neither fire an event nor change a mark:
 * then the entity's label need not be built (a malloc and a snprintf per
 * process per tick otherwise). */
bool events_marks_quiet(const struct model *m, const struct check_state *check,
			const struct entity_marks *mk, const struct trend_result *r, double usage_pct)
{
	return !check->on && (r->verdict == mk->verdict || r->verdict == TREND_UNKNOWN) &&
	       events_level(m, usage_pct) == mk->level && r->oom_imminent == mk->oom_imminent;
}

/* limit_imminent: a limit that refuses allocations (address space, data,
 * commit, 32-bit) predicted within the OOM-IMMINENT horizon, one event per
 * limit as it becomes imminent; the cgroup and machine limits are
 * oom_imminent's. With --check each imminent limit is a reason. */
static void limit_marks(struct model *m, struct check_state *check, struct proc_entity *p)
{
	const struct limit_state *st = &p->limits;
	uint8_t now = 0;
	char what[160], ttl[32], lo[32], hi[32], used[32], lim[32];
	char *name;

	for (size_t i = 0; i < st->n; i++)
		if (st->v[i].imminent && limit_kind_refuses(st->v[i].kind))
			now |= (uint8_t)(1u << st->v[i].kind);
	if (!now) {
		p->marks.limits_imminent = 0;
		return;
	}
	if (now == p->marks.limits_imminent && !check->on)
		return;
	name = util_sanitize(p->name);
	snprintf(what, sizeof(what), "process %d (%s)", (int)p->pid, name);
	free(name);
	for (size_t i = 0; i < st->n; i++) {
		const struct limit *l = &st->v[i];
		uint8_t bit = (uint8_t)(1u << l->kind);

		if (!(now & bit))
			continue;
		if (!(p->marks.limits_imminent & bit)) {
			model_event(m, EV_LIMIT_IMMINENT, p->pid, NULL,
				    "limit_imminent %s (%s of %s), allocations refused in %s [%s-%s]: %s",
				    limit_kind_name(l->kind), util_fmt_bytes(l->used_bytes, used, sizeof(used)),
				    util_fmt_bytes(l->limit_bytes, lim, sizeof(lim)),
				    util_fmt_duration(l->ttl_s, ttl, sizeof(ttl)),
				    util_fmt_duration(l->ttl_lo_s, lo, sizeof(lo)),
				    util_fmt_duration(l->ttl_hi_s, hi, sizeof(hi)), what);
			model_event_limit(m, l->kind);
		}
		if (check->on)
			events_check_add(check, "limit_imminent %s: %s", limit_kind_name(l->kind), what);
	}
	p->marks.limits_imminent = now;
}

struct tick_ctx {
	struct model *m;
	struct check_state *check;
};

/* One series: its label is built only when something is to be told. */
static void series_events(void *ctx, const struct model_series_ref *r)
{
	struct tick_ctx *tc = ctx;
	struct series_core *s = r->s;
	const struct trend_result *tr = trend_get(&s->trend);
	char what[160], *name;

	if (!r->alive)
		return;
	if (r->kind == 'p' && !*r->suffix)
		limit_marks(tc->m, tc->check, r->entity); /* the process's limits, beside its memory */
	if (events_marks_quiet(tc->m, tc->check, &s->marks, tr, s->usage_pct))
		return;
	if (r->kind == 'p') {
		name = util_sanitize(((const struct proc_entity *)r->entity)->name);
		snprintf(what, sizeof(what), "process %d (%s)%s", (int)r->pid, name, r->suffix);
	} else if (r->kind == 't') {
		const struct tree_entity *t = r->entity;

		name = util_sanitize(t->name);
		snprintf(what, sizeof(what), "tree %d (%s, %zu process%s)%s", (int)t->root_pid, name, t->n_procs,
			 t->n_procs == 1 ? "" : "es", r->suffix);
	} else {
		name = util_sanitize(r->cgroup);
		snprintf(what, sizeof(what), "cgroup %s%s", name, r->suffix);
	}
	free(name);
	events_marks(tc->m, tc->check, &s->marks, tr, s->usage_pct, r->pid, r->cgroup, what);
}

void events_tick(struct model *m, struct check_state *check)
{
	struct tick_ctx tc = {m, check};

	/* Every series of every entity, through the model's series table. */
	model_series_walk(m, series_events, &tc);
}
