/* test_update: the update stage on scripted samples, table-driven.
 *
 * A script is a table of ticks; each tick lists the processes a sampler
 * would hand over (pid, start, parent, name, cgroup, values) and the
 * cgroups a reader would find. The harness turns a table into what
 * sample_proc gives update_tick — the same entry for the same (pid, start),
 * identity_changed when the name changes (execve), cgroup_changed on a
 * move, the entries that vanished as exited — so each case checks one rule:
 * PID reuse, execve, a cgroup move, tree sums as children come and go,
 * exits and retention, a cgroup removed, absent values; events; the --check
 * gate; and that the TUI's and the headless settings, and a log re-read by
 * replay's sampler, give the same verdict timeline. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "events.h"
#include "model.h"
#include "out_json.h"
#include "replay.h"
#include "update.h"
#include "util.h"

#define MB (1024LL * 1024)
#define T0 1000000LL /* mono ms of the first tick */
#define NONE MS_ABSENT
#define MAXP 8
#define MAXC 4

struct sproc {
	pid_t pid;
	uint64_t start;
	pid_t ppid;
	const char *name;
	const char *cgroup;
	int64_t rss_mb, anon_mb; /* NONE: absent */
	bool selected;
	int64_t pss_mb;          /* 0: absent */
};

struct scg {
	const char *path;
	bool exists;
	int64_t current_mb, limit_mb; /* limit NONE: unlimited */
};

struct tick {
	int64_t t_ms;            /* after T0 */
	struct sproc p[MAXP];
	struct scg c[MAXC];
};

/* ---- the harness: a scripted sampler ---- */

struct harness {
	struct model *m;
	struct update u;
	struct proc_sample *live[64];
	size_t n_live;
	struct proc_sample *gone[64];
	size_t n_gone;
	const struct tick *cur;
};

static void cg_read(void *ctx, const char *path, struct cgroup_sample *out)
{
	const struct harness *h = ctx;

	cgroup_sample_gone(out, CGROUP_V2, path);
	for (int i = 0; i < MAXC && h->cur->c[i].path; i++) {
		const struct scg *c = &h->cur->c[i];

		if (strcmp(c->path, path) != 0 || !c->exists)
			continue;
		out->exists = true;
		out->current_bytes = out->working_set_bytes = c->current_mb * MB;
		out->swap_current_bytes = 0;
		out->ev_low = out->ev_high = out->ev_max = out->ev_oom = out->ev_oom_kill = 0;
		out->effective_limit_bytes = c->limit_mb == NONE ? MS_UNLIMITED : c->limit_mb * MB;
		out->effective_limit_source = c->limit_mb == NONE ? NULL : xstrdup(path);
		out->effective_high_bytes = MS_UNLIMITED;
	}
}

static void h_init(struct harness *h, bool all, bool trees, bool tui)
{
	memset(h, 0, sizeof(*h));
	h->m = model_new("test", 1000);
	h->m->sys.mem_total_bytes = 1000 * MB;
	h->m->sys.mem_available_bytes = 500 * MB;
	h->m->no_history = !tui;
	h->m->pss_enabled = tui;
	update_init(&h->u, h->m, &(struct update_config){
		.all = all, .trees = trees, .cgroup_read = cg_read, .cgroup_ctx = h});
}

static void sample_free(struct proc_sample *s)
{
	free(s->user);
	free(s->name);
	free(s->cmdline);
	free(s->cgroup);
	free(s);
}

static void h_done(struct harness *h)
{
	for (size_t i = 0; i < h->n_live; i++)
		sample_free(h->live[i]);
	for (size_t i = 0; i < h->n_gone; i++)
		sample_free(h->gone[i]);
	update_done(&h->u);
	model_free(h->m);
}

static int64_t mb(int64_t v)
{
	return v == NONE ? MS_ABSENT : v * MB;
}

static void h_tick(struct harness *h, const struct tick *t)
{
	struct proc_sample *v[MAXP];
	struct update_input in = {.mono_ms = T0 + t->t_ms, .time_ms = 1700000000000LL + t->t_ms};
	bool seen[64] = {false};
	size_t n = 0, j = 0;

	h->cur = t;
	in.sys = h->m->sys;
	for (size_t i = 0; i < h->n_gone; i++)
		sample_free(h->gone[i]);
	h->n_gone = 0;
	for (int i = 0; i < MAXP && t->p[i].pid; i++) {
		const struct sproc *sp = &t->p[i];
		struct proc_sample *s = NULL;

		for (size_t k = 0; k < h->n_live && !s; k++)
			if (h->live[k]->pid == sp->pid && h->live[k]->start_ticks == sp->start) {
				s = h->live[k];
				seen[k] = true;
			}
		if (!s) {
			s = xcalloc(1, sizeof(*s));
			s->pid = sp->pid;
			s->start_ticks = sp->start;
			s->user = xstrdup("u");
			s->name = xstrdup(sp->name);
			s->cmdline = xstrdup(sp->name);
			s->cgroup = sp->cgroup ? xstrdup(sp->cgroup) : NULL;
			seen[h->n_live] = true;
			h->live[h->n_live++] = s;
		} else {
			if (strcmp(s->name, sp->name) != 0) {
				model_set_str(&s->name, sp->name);
				model_set_str(&s->cmdline, sp->name);
				s->identity_changed = true;
			}
			if (sp->cgroup && (!s->cgroup || strcmp(s->cgroup, sp->cgroup) != 0)) {
				model_set_str(&s->cgroup, sp->cgroup);
				s->cgroup_changed = true;
			}
		}
		s->ppid = sp->ppid;
		s->selected = sp->selected;
		s->alive = s->tracked = true;
		s->state = 'S';
		s->rss_bytes = mb(sp->rss_mb);
		s->rss_anon_bytes = mb(sp->anon_mb);
		s->swap_bytes = sp->anon_mb == NONE ? MS_ABSENT : 0;
		s->rss_file_bytes = s->rss_shmem_bytes = s->peak_rss_bytes = s->uss_bytes = MS_ABSENT;
		s->pss_bytes = sp->pss_mb ? sp->pss_mb * MB : MS_ABSENT;
		s->threads = 1;
		s->oom_score = s->oom_score_adj = 0;
		v[n++] = s;
	}
	for (size_t k = 0; k < h->n_live; k++) {
		if (seen[k]) {
			h->live[j++] = h->live[k];
		} else {
			h->live[k]->alive = false; /* as sample_proc hands over the exited */
			h->gone[h->n_gone++] = h->live[k];
		}
	}
	h->n_live = j;
	in.procs = v;
	in.n_procs = n;
	in.exited = h->gone;
	in.n_exited = h->n_gone;
	update_tick(&h->u, &in);
}

static void h_run(struct harness *h, const struct tick *ticks, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h_tick(h, &ticks[i]);
}

/* Events of the last tick whose message contains s and s2. */
static int events_with2(const struct model *m, enum event_kind k, const char *s, const char *s2)
{
	const struct event *first;
	size_t n = model_events_this_tick(m, &first);
	int hits = 0;

	for (size_t i = 0; i < n; i++) {
		const struct event *e = model_event_at(m, m->ev_len - n + i);

		if (getenv("TEST_UPDATE_EVENTS") && k == EV_INFO)
			printf("%lld %s\n", (long long)(e->time_ms - 1700000000000LL), e->message);
		hits += e->kind == k && strstr(e->message, s) != NULL && strstr(e->message, s2) != NULL;
	}
	return hits;
}

static int events_with(const struct model *m, enum event_kind k, const char *s)
{
	return events_with2(m, k, s, "");
}

static int procs_with_pid(const struct model *m, pid_t pid)
{
	int n = 0;

	for (size_t i = 0; i < m->n_procs; i++)
		n += m->procs[i]->pid == pid;
	return n;
}

#define P(pid, start, ppid, name, cg, rss, anon, sel) {pid, start, ppid, name, cg, rss, anon, sel, 0}
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- cases ---- */

static void test_pid_reuse(void)
{
	static const struct tick script[] = {
		{0, {P(100, 1, 1, "old", NULL, 10, 8, true)}, {{0}}},
		{1000, {P(100, 1, 1, "old", NULL, 10, 8, true)}, {{0}}},
		/* Same PID, another start time: another process. */
		{2000, {P(100, 2, 1, "new", NULL, 20, 18, true)}, {{0}}},
	};
	struct harness h;

	h_init(&h, false, false, false);
	h_run(&h, script, 2);
	CHECK_I64(procs_with_pid(h.m, 100), 1);
	h_tick(&h, &script[2]);
	CHECK_I64(procs_with_pid(h.m, 100), 2);
	CHECK_STR(model_proc_find(h.m, 100)->name, "new");
	CHECK(model_proc_find(h.m, 100)->alive);
	CHECK_I64(model_proc_find(h.m, 100)->start_ticks, 2);
	CHECK_I64(model_proc_find(h.m, 100)->rss_bytes, 20 * MB);
	CHECK_I64(events_with(h.m, EV_PROC_EXIT, "exited: process 100 (old)"), 1);
	CHECK_I64(events_with(h.m, EV_PROC_START, "started: process 100 (new)"), 1);
	/* The new one's trend starts from its own first point. */
	CHECK_I64(model_proc_find(h.m, 100)->trend.t_first_ms, T0 + 2000);
	h_done(&h);
}

static void test_execve(void)
{
	struct tick script[40];
	struct harness h;

	memset(script, 0, sizeof(script));
	for (int i = 0; i < 40; i++) {
		script[i].t_ms = i * 1000;
		script[i].p[0] = (struct sproc)P(200, 7, 1, i < 30 ? "sh" : "python3", NULL, 10 + i, 8 + i, true);
	}
	h_init(&h, false, false, false);
	h_run(&h, script, 30);
	CHECK_I64(h.m->procs[0]->trend.t_first_ms, T0);
	h_tick(&h, &script[30]);
	/* execve: the same entity, the new name, a trend judged afresh. */
	CHECK_I64(h.m->n_procs, 1);
	CHECK_STR(h.m->procs[0]->name, "python3");
	CHECK_I64(h.m->procs[0]->trend.t_first_ms, T0 + 30000);
	CHECK_I64(events_with(h.m, EV_PROC_START, ""), 0);
	CHECK_I64(events_with(h.m, EV_PROC_EXIT, ""), 0);
	h_done(&h);
}

static void test_cgroup_move(void)
{
	static const struct tick script[] = {
		{0, {P(300, 1, 1, "job", "/a", 50, 40, true)},
		 {{"/a", true, 100, 100}, {"/b", true, 10, 400}}},
		{1000, {P(300, 1, 1, "job", "/b", 50, 40, true)},
		 {{"/a", true, 50, 100}, {"/b", true, 60, 400}}},
		{2000, {P(300, 1, 1, "job", "/b", 50, 40, true)},
		 {{"/a", true, 50, 100}, {"/b", true, 60, 400}}},
		{1000 + UPDATE_CGROUP_RETENTION_MS, {P(300, 1, 1, "job", "/b", 50, 40, true)},
		 {{"/a", true, 50, 100}, {"/b", true, 60, 400}}},
	};
	struct harness h;
	struct proc_entity *p;

	h_init(&h, false, false, false);
	h_tick(&h, &script[0]);
	p = model_proc_find(h.m, 300);
	CHECK_STR(p->cgroup, "/a");
	CHECK_I64(p->limit_bytes, 100 * MB);
	CHECK_STR(p->limit_source, "/a");
	/* Like with like: the cgroup's charged usage (100 of 100 MB), not
	 * the process's RSS (50 MB), against the cgroup's limit. */
	CHECK_NEAR(p->usage_pct, 100.0, 1e-9);
	CHECK_STR(p->usage_basis, "cgroup");
	CHECK(model_cgroup_find(h.m, "/a") != NULL);
	h_tick(&h, &script[1]);
	p = model_proc_find(h.m, 300);
	CHECK_STR(p->cgroup, "/b");
	CHECK_I64(p->limit_bytes, 400 * MB);
	CHECK_STR(p->limit_source, "/b");
	CHECK_NEAR(p->usage_pct, 15.0, 1e-9);
	/* Nobody watched is in /a any more: it is kept, ended, for
	 * UPDATE_CGROUP_RETENTION_MS, then goes. */
	h_tick(&h, &script[2]);
	CHECK(model_cgroup_find(h.m, "/a") != NULL && model_cgroup_find(h.m, "/a")->ended_ms == T0 + 1000);
	CHECK(model_cgroup_find(h.m, "/b")->ended_ms < 0);
	h_tick(&h, &script[3]);
	CHECK(model_cgroup_find(h.m, "/a") == NULL);
	CHECK(model_cgroup_find(h.m, "/b") != NULL);
	CHECK_I64(model_cgroup_find(h.m, "/b")->s.current_bytes, 60 * MB);
	h_done(&h);
}

static void test_tree_sums(void)
{
	static const struct tick script[] = {
		{0, {P(10, 1, 1, "root", NULL, 10, 10, true), P(11, 1, 10, "kid", NULL, 20, 20, false),
		     P(12, 1, 11, "grandkid", NULL, 30, 30, false), P(99, 1, 1, "other", NULL, 5, 5, false)},
		 {{0}}},
		/* The kid exits; its child is re-parented to the root. */
		{1000, {P(10, 1, 1, "root", NULL, 10, 10, true), P(12, 1, 10, "grandkid", NULL, 30, 30, false),
			P(99, 1, 1, "other", NULL, 5, 5, false)},
		 {{0}}},
		/* A new child comes. */
		{2000, {P(10, 1, 1, "root", NULL, 10, 10, true), P(12, 1, 10, "grandkid", NULL, 30, 30, false),
			P(13, 1, 10, "new", NULL, NONE, NONE, false), P(14, 1, 10, "new2", NULL, 7, 7, false)},
		 {{0}}},
		/* The root is gone: so is its tree. */
		{3000, {P(12, 1, 1, "grandkid", NULL, 30, 30, false)}, {{0}}},
	};
	struct harness h;
	struct tree_entity *t;

	h_init(&h, false, true, false);
	h_tick(&h, &script[0]);
	CHECK_I64(h.m->n_trees, 1);
	t = model_tree_find(h.m, 10);
	CHECK_I64(t->n_procs, 3);
	CHECK_I64(t->rss_bytes, 60 * MB);
	CHECK_I64(t->anon_swap_bytes, 60 * MB);
	CHECK_I64(t->peak_rss_bytes, 60 * MB);
	CHECK(model_proc_find(h.m, 10)->tree == t);
	h_tick(&h, &script[1]);
	t = model_tree_find(h.m, 10);
	CHECK_I64(t->n_procs, 2);
	CHECK_I64(t->rss_bytes, 40 * MB);
	CHECK_I64(t->peak_rss_bytes, 60 * MB);
	h_tick(&h, &script[2]);
	t = model_tree_find(h.m, 10);
	CHECK_I64(t->n_procs, 4);
	/* A member without values adds nothing, and no bogus zero. */
	CHECK_I64(t->rss_bytes, 47 * MB);
	/* A sum with a member missing PSS would be a bogus low value. */
	CHECK_I64(t->pss_bytes, MS_ABSENT);
	h_tick(&h, &script[3]);
	CHECK_I64(h.m->n_trees, 0);
	h_done(&h);
}

static void test_exits(void)
{
	static const struct tick script[] = {
		{0, {P(400, 1, 1, "a", NULL, 10, 8, true), P(401, 1, 1, "b", NULL, 10, 8, true)}, {{0}}},
		{1000, {P(401, 1, 1, "b", NULL, 10, 8, true)}, {{0}}},
		{10999, {P(401, 1, 1, "b", NULL, 10, 8, true)}, {{0}}},
		{11000, {P(401, 1, 1, "b", NULL, 10, 8, true)}, {{0}}},
	};
	struct harness h;

	h_init(&h, false, false, false);
	h_tick(&h, &script[0]);
	/* The first tick tells no starts: they were there before memslope. */
	CHECK_I64(events_with(h.m, EV_PROC_START, ""), 0);
	h_tick(&h, &script[1]);
	CHECK_I64(events_with(h.m, EV_PROC_EXIT, "exited: process 400 (a)"), 1);
	CHECK(!model_proc_find(h.m, 400)->alive);
	CHECK_I64(model_proc_find(h.m, 400)->exit_ms, T0 + 1000);
	/* Shown dead for UPDATE_DEAD_RETENTION_MS, then dropped. */
	h_tick(&h, &script[2]);
	CHECK(model_proc_find(h.m, 400) != NULL);
	h_tick(&h, &script[3]);
	CHECK(model_proc_find(h.m, 400) == NULL);
	CHECK_I64(h.m->n_procs, 1);
	h_done(&h);

	/* Watching everything: starts and exits are not events. */
	h_init(&h, true, false, false);
	h_tick(&h, &script[0]);
	h_tick(&h, &script[1]);
	CHECK_I64(events_with(h.m, EV_PROC_EXIT, ""), 0);
	CHECK(!model_proc_find(h.m, 400)->alive);
	h_done(&h);

	/* Launch mode keeps the command for the post-mortem. */
	h_init(&h, false, false, false);
	update_set_keep_pid(&h.u, 400);
	h_run(&h, script, N(script));
	CHECK(model_proc_find(h.m, 400) != NULL);
	h_done(&h);
}

static void test_cgroup_removed(void)
{
	static const struct tick script[] = {
		{0, {P(500, 1, 1, "a", "/gone", 10, 8, true)}, {{"/gone", true, 20, 100}, {"/kept", true, 5, NONE}}},
		/* The process exits and its cgroup is removed (a scope ends). */
		{1000, {{0}}, {{"/gone", false, 0, 0}, {"/kept", false, 0, 0}}},
		{2000, {{0}}, {{0}}},
		{3000, {{0}}, {{0}}},
		{1000 + UPDATE_CGROUP_RETENTION_MS, {{0}}, {{0}}},
	};
	struct harness h;
	struct cgroup_entity *c;

	h_init(&h, false, false, false);
	update_cgroup_get(&h.u, "/kept", true); /* -c /kept */
	h_tick(&h, &script[0]);
	c = model_cgroup_find(h.m, "/kept");
	CHECK(c && c->s.exists);
	/* No limit: the machine's. */
	CHECK_STR(c->limit_source, "machine");
	CHECK_I64(c->limit_bytes, 1000 * MB);
	h_tick(&h, &script[1]);
	CHECK_I64(events_with(h.m, EV_CGROUP_GONE, "gone: cgroup /gone"), 1);
	CHECK_I64(events_with(h.m, EV_CGROUP_GONE, "gone: cgroup /kept"), 1);
	/* A gone cgroup keeps its last reading, marked gone (issue 14 item 2:
	 * the counters of a cgroup removed after its OOM kill). */
	c = model_cgroup_find(h.m, "/kept");
	CHECK(c && !c->s.exists);
	CHECK_I64(c->limit_bytes, 1000 * MB);
	CHECK_I64(c->s.current_bytes, 5 * MB);
	c = model_cgroup_find(h.m, "/gone");
	CHECK(c && !c->s.exists && c->ended_ms == T0 + 1000);
	CHECK_I64(c->s.current_bytes, 20 * MB);
	CHECK(isnan(trend_get(&c->trend)->ttl_s));
	/* Told once, though the dead process still names it for 10 s. */
	for (int i = 2; i < 4; i++) {
		h_tick(&h, &script[i]);
		CHECK(model_cgroup_find(h.m, "/gone") != NULL);
		CHECK_I64(model_cgroup_find(h.m, "/gone")->s.current_bytes, 20 * MB);
		CHECK(model_cgroup_find(h.m, "/kept") != NULL); /* named with -c */
		CHECK_I64(events_with(h.m, EV_CGROUP_GONE, ""), 0);
	}
	CHECK(model_proc_find(h.m, 500) != NULL);
	h_tick(&h, &script[4]);
	CHECK(model_cgroup_find(h.m, "/gone") == NULL);
	CHECK(model_cgroup_find(h.m, "/kept") != NULL);
	CHECK(model_proc_find(h.m, 500) == NULL);
	h_done(&h);
}

static void test_absent(void)
{
	static const struct tick script[] = {
		{0, {P(600, 1, 1, "a", NULL, NONE, NONE, true)}, {{0}}},
		{1000, {P(600, 1, 1, "a", NULL, 10, NONE, true)}, {{0}}},
		{2000, {P(600, 1, 1, "a", NULL, 10, 8, true)}, {{0}}},
	};
	struct harness h;
	struct proc_entity *p;

	h_init(&h, false, false, false);
	h_tick(&h, &script[0]);
	p = model_proc_find(h.m, 600);
	CHECK_I64(p->rss_bytes, MS_ABSENT);
	CHECK(isnan(p->usage_pct));
	CHECK(!p->trend.started);
	CHECK_I64(trend_get(&p->trend)->verdict, TREND_UNKNOWN);
	h_tick(&h, &script[1]);
	p = model_proc_find(h.m, 600);
	CHECK_NEAR(p->usage_pct, 1.0, 1e-9);
	CHECK(!p->trend.started); /* the trend series (anon + swap) is absent */
	h_tick(&h, &script[2]);
	CHECK(model_proc_find(h.m, 600)->trend.started);
	h_done(&h);
}

/* A process leaking 1 MB/s toward a 700 MB cgroup limit, at 1 s. */
static void leak_script(struct tick *s, size_t n, int64_t limit_mb)
{
	memset(s, 0, n * sizeof(*s));
	for (size_t i = 0; i < n; i++) {
		s[i].t_ms = (int64_t)i * 1000;
		s[i].p[0] = (struct sproc)P(700, 1, 1, "leaky", "/job", 100 + (int64_t)i, 90 + (int64_t)i, true);
		s[i].c[0] = (struct scg){"/job", true, 100 + (int64_t)i, limit_mb};
	}
}

static void test_events_and_check(void)
{
	static struct tick s[640];
	struct harness h;
	int growing = 0, leak = 0, warn = 0, crit = 0, imminent = 0;

	leak_script(s, N(s), 700);
	h_init(&h, false, false, false);
	h.u.check.on = true;
	h.u.check.max_usage_pct = 50;
	for (size_t i = 0; i < N(s); i++) {
		h_tick(&h, &s[i]);
		events_with(h.m, EV_INFO, "");
		growing += events_with2(h.m, EV_VERDICT, ": process 700 (leaky)", "-> growing, slope 1.00 MiB/s");
		leak += events_with2(h.m, EV_VERDICT, "growing -> leak", ": process 700 (leaky)");
		warn += events_with2(h.m, EV_THRESHOLD, "usage", "(ok -> warn): process 700 (leaky)");
		crit += events_with2(h.m, EV_THRESHOLD, "usage", "(warn -> crit): process 700 (leaky)");
		imminent += events_with2(h.m, EV_OOM_IMMINENT, "oom_imminent, limit in", ": process 700 (leaky)");
	}
	/* Each change is told once. */
	CHECK_I64(growing, 1);
	CHECK_I64(leak, 1);
	CHECK_I64(warn, 1);
	CHECK_I64(crit, 1);
	CHECK(imminent >= 1);
	CHECK_I64(trend_get(&model_proc_find(h.m, 700)->trend)->verdict, TREND_LEAK);
	/* The gate: every reason once, by entity. */
	{
		bool leak_r = false, oom = false, usage = false;

		for (size_t i = 0; i < h.u.check.n; i++) {
			const char *r = h.u.check.reasons[i];

			leak_r |= strcmp(r, "leak confirmed: process 700 (leaky)") == 0;
			oom |= strcmp(r, "oom_imminent: process 700 (leaky)") == 0;
			usage |= strcmp(r, "usage above --max-usage 50.0%: process 700 (leaky)") == 0;
		}
		CHECK(leak_r);
		CHECK(oom);
		CHECK(usage);
		for (size_t i = 0; i < h.u.check.n; i++)
			for (size_t j = i + 1; j < h.u.check.n; j++)
				CHECK(strcmp(h.u.check.reasons[i], h.u.check.reasons[j]) != 0);
	}
	h_done(&h);

	/* Without --check nothing is collected; a flat process passes. */
	h_init(&h, false, false, false);
	for (size_t i = 0; i < 100; i++)
		h_tick(&h, &s[i]);
	CHECK_I64(h.u.check.n, 0);
	h_done(&h);
	memset(s, 0, sizeof(s));
	for (size_t i = 0; i < 300; i++) {
		s[i].t_ms = (int64_t)i * 1000;
		s[i].p[0] = (struct sproc)P(701, 1, 1, "flat", NULL, 100, 90, true);
	}
	h_init(&h, false, false, false);
	h.u.check.on = true;
	h.u.check.max_growth_bytes_per_s = 1000;
	for (size_t i = 0; i < 300; i++)
		h_tick(&h, &s[i]);
	CHECK_I64(h.u.check.n, 0);
	CHECK_I64(trend_get(&model_proc_find(h.m, 701)->trend)->verdict, TREND_STABLE);
	h_done(&h);
}

/* A per-tick record of what a user is told: verdicts, slopes, TTLs, events. */
static char *timeline_line(const struct model *m)
{
	char *s = xstrdup(""), *t;
	const struct event *first;
	size_t n = model_events_this_tick(m, &first);

	for (size_t i = 0; i < m->n_procs; i++) {
		const struct trend_result *r = trend_get(&m->procs[i]->trend);

		t = xasprintf("%s|%d %s %.6g %.6g", s, (int)m->procs[i]->pid, trend_verdict_name(r->verdict),
			      r->slope_bytes_per_s, r->ttl_s);
		free(s);
		s = t;
	}
	for (size_t i = 0; i < m->n_cgroups; i++) {
		const struct trend_result *r = trend_get(&m->cgroups[i]->trend);

		t = xasprintf("%s|%s %s %.6g", s, m->cgroups[i]->s.path, trend_verdict_name(r->verdict),
			      r->slope_bytes_per_s);
		free(s);
		s = t;
	}
	for (size_t i = 0; i < n; i++) {
		t = xasprintf("%s|%s", s, model_event_at(m, m->ev_len - n + i)->message);
		free(s);
		s = t;
	}
	return s;
}

static void test_same_timeline(void)
{
	static struct tick s[700];
	struct harness tui, headless;
	struct replay_feed *feed = replay_feed_new();
	struct out_json_cache *cache = out_json_cache_new();
	struct model *rm = model_new("test", 1000);
	struct update ru;
	size_t same = 0, same_replay = 0, lines = 0;

	/* A leak, a sawtooth, and a process that exits, in one cgroup. */
	leak_script(s, N(s), 2000);
	for (size_t i = 0; i < N(s); i++) {
		s[i].p[1] = (struct sproc)P(800, 1, 1, "saw", "/job", 200 + (int64_t)(i % 60) * 3,
					    190 + (int64_t)(i % 60) * 3, true);
		if (i < 400)
			s[i].p[2] = (struct sproc)P(801, 1, 1, "brief", "/job", 50, 40, true);
	}
	h_init(&tui, false, false, true);
	h_init(&headless, false, false, false);
	rm->no_history = true;
	update_init(&ru, rm, &(struct update_config){
		.cgroup_read = replay_feed_cgroup_read, .cgroup_ctx = feed});
	for (size_t i = 0; i < N(s); i++) {
		struct update_input in;
		const char *line;
		size_t len;
		char *a, *b, *c;

		h_tick(&tui, &s[i]);
		h_tick(&headless, &s[i]);
		a = timeline_line(tui.m);
		b = timeline_line(headless.m);
		same += strcmp(a, b) == 0;
		/* The headless run's log line, read back by replay's sampler
		 * into a third update stage. */
		line = out_json_line(cache, headless.m, false, &len);
		if (replay_feed_line(feed, line, len, &in) == 0) {
			update_tick(&ru, &in);
			c = timeline_line(rm);
			same_replay += strcmp(b, c) == 0;
			lines++;
			free(c);
		}
		free(a);
		free(b);
	}
	CHECK_I64(same, N(s));
	CHECK_I64(lines, N(s));
	CHECK_I64(same_replay, N(s));
	/* ...and the timeline says something. */
	CHECK_I64(trend_get(&model_proc_find(tui.m, 700)->trend)->verdict, TREND_LEAK);
	CHECK_I64(trend_get(&model_proc_find(rm, 700)->trend)->verdict, TREND_LEAK);
	update_done(&ru);
	model_free(rm);
	out_json_cache_free(cache);
	replay_feed_free(feed);
	h_done(&tui);
	h_done(&headless);
}

/* Issue 14 item 5: no TTL unless the series grows now and is alive. A
 * job grows 2 MB/s in /g (limit 1000 MB) until both it and /g's TTL are
 * known, then exits: its row and the emptied cgroup keep no TTL, and the
 * cgroup's counters stay readable, marked ended. */
static void test_ttl_ends(void)
{
	struct harness h;
	struct tick t;
	struct proc_entity *p;
	struct cgroup_entity *c;
	const struct limit *bl;

	h_init(&h, false, false, false);
	for (int s = 0; s <= 180; s++) {
		memset(&t, 0, sizeof(t));
		t.t_ms = s * 1000LL;
		t.p[0] = (struct sproc)P(700, 1, 1, "job", "/g", 100 + 2 * s, 100 + 2 * s, true);
		t.c[0] = (struct scg){"/g", true, 100 + 2 * s, 1000};
		h_tick(&h, &t);
	}
	p = model_proc_find(h.m, 700);
	c = model_cgroup_find(h.m, "/g");
	CHECK(p && c);
	CHECK(isfinite(trend_get(&p->trend)->ttl_s));
	CHECK(isfinite(trend_get(&c->trend)->ttl_s));
	CHECK(c->ended_ms < 0);
	/* The job exits; /g stays, emptied, at what it held. */
	for (int s = 181; s <= 183; s++) {
		memset(&t, 0, sizeof(t));
		t.t_ms = s * 1000LL;
		t.c[0] = (struct scg){"/g", true, 460, 1000};
		h_tick(&h, &t);
	}
	p = model_proc_find(h.m, 700);
	c = model_cgroup_find(h.m, "/g");
	CHECK(p && !p->alive);
	CHECK(isnan(trend_get(&p->trend)->ttl_s) && !trend_get(&p->trend)->oom_imminent);
	bl = limit_state_binding(&p->limits);
	CHECK(!bl || isnan(bl->ttl_s));
	CHECK(c && c->s.exists && c->ended_ms == T0 + 181000);
	CHECK(isnan(trend_get(&c->trend)->ttl_s) && !trend_get(&c->trend)->oom_imminent);
	CHECK_I64(c->s.current_bytes, 460 * MB);
	h_done(&h);
}

int main(void)
{
	test_pid_reuse();
	test_execve();
	test_cgroup_move();
	test_tree_sums();
	test_exits();
	test_cgroup_removed();
	test_ttl_ends();
	test_absent();
	test_events_and_check();
	test_same_timeline();
	return check_done("test_update");
}
