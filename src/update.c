/* update: samples folded into entities, history, trend and events. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "update.h"
#include "update_gpu.h"
#include "util.h"

static double pct_of(int64_t v, int64_t limit)
{
	if (!ms_has(v) || !ms_has(limit) || limit == MS_UNLIMITED || limit <= 0)
		return NAN;
	return 100.0 * (double)v / (double)limit;
}

static int64_t add_abs(int64_t a, int64_t b)
{
	if (!ms_has(a))
		return b;
	if (!ms_has(b))
		return a;
	return a + b;
}

/* The machine's limit when no cgroup sets one. */
static void machine_limit(const struct model *m, int64_t *limit, char **source)
{
	*limit = m->sys.mem_total_bytes;
	model_set_str(source, "machine");
}

/* An ended cgroup within its retention (model.h). */
static bool cgroup_retained(const struct model *m, const struct cgroup_entity *c)
{
	return c->ended_ms >= 0 && m->mono_ms - c->ended_ms < UPDATE_CGROUP_RETENTION_MS;
}

/* Which cgroups hold a live process (in them or below them: a -c cgroup's
 * processes may sit in its children) and which ended this tick: an ended
 * cgroup's trend is stopped and no longer fed, whatever its memory still
 * holds (page cache, a kernel's slow release). */
static void cgroups_mark_ended(struct model *m)
{
	for (size_t i = 0; i < m->n_cgroups; i++)
		m->cgroups[i]->live = false;
	for (size_t i = 0; i < m->n_procs; i++) {
		struct proc_entity *e = m->procs[i];
		struct cgroup_entity *c;
		char *path, *slash;

		if (!e->alive || !(c = model_proc_cgroup(m, e)) || c->live)
			continue;
		c->live = true;
		path = xstrdup(c->s.path);
		while ((slash = strrchr(path, '/')) && slash != path) {
			*slash = '\0';
			if ((c = model_cgroup_find(m, path)) && !c->live)
				c->live = true;
			else if (c)
				break;
		}
		if (strcmp(path, "/") != 0 && (c = model_cgroup_find(m, "/")))
			c->live = true;
		free(path);
	}
	for (size_t i = 0; i < m->n_cgroups; i++) {
		struct cgroup_entity *c = m->cgroups[i];
		bool ended = !c->live || !c->s.exists;

		if (ended && c->ended_ms < 0) {
			c->ended_ms = m->mono_ms;
			trend_stop(&c->trend);
		} else if (!ended) {
			c->ended_ms = -1;
		}
	}
}

struct cgroup_entity *update_cgroup_get(struct update *u, const char *path, bool selected)
{
	struct cgroup_entity *c = model_cgroup_find(u->m, path);

	if (!c) {
		c = model_cgroup_add(u->m, path);
		if (u->cfg.container_name && c->container.runtime[0])
			u->cfg.container_name(&c->container);
	}
	if (selected)
		c->selected = true;
	c->seen_this_tick = true;
	return c;
}

static void cgroup_update(struct update *u, struct cgroup_entity *c)
{
	struct model *m = u->m;
	int64_t x;
	bool existed = c->s.exists || c->s.version == CGROUP_NONE;
	struct cgroup_sample ns;

	u->cfg.cgroup_read(u->cfg.cgroup_ctx, c->s.path, &ns);
	if (!ns.exists && c->s.version != CGROUP_NONE) {
		/* Gone: its last reading stays, marked gone (exists false),
		 * so the counters of a cgroup removed after an OOM kill can
		 * still be seen where the kill happened. */
		cgroup_sample_done(&ns);
		if (c->s.exists)
			events_cgroup_gone(m, c);
		c->s.exists = false;
		if (c->ended_ms < 0)
			c->ended_ms = m->mono_ms;
		trend_stop(&c->trend);
		return;
	}
	cgroup_sample_done(&c->s);
	c->s = ns;
	if (!c->s.exists) {
		if (existed)
			events_cgroup_gone(m, c);
		c->usage_pct = NAN;
		c->limit_bytes = MS_ABSENT;
		model_set_str(&c->limit_source, NULL);
		return;
	}
	if (c->s.effective_limit_bytes != MS_UNLIMITED && ms_has(c->s.effective_limit_bytes)) {
		c->limit_bytes = c->s.effective_limit_bytes;
		model_set_str(&c->limit_source,
			      c->s.effective_limit_source ? c->s.effective_limit_source : c->s.path);
	} else {
		machine_limit(m, &c->limit_bytes, &c->limit_source);
	}
	c->usage_pct = pct_of(c->s.current_bytes, c->limit_bytes);
	if (!m->no_history)
		history_push(&c->hist_current, m->mono_ms, c->s.current_bytes);

	/* The trend series is the working set (+ swap): page cache that can be
	 * reclaimed is not growth toward an OOM kill. */
	x = add_abs(c->s.working_set_bytes, c->s.swap_current_bytes);
	if (ms_has(x) && c->ended_ms < 0) {
		/* A drop of more than half is a restart: start over (Coroot). */
		if (ms_has(c->last_working_set_bytes) && x < c->last_working_set_bytes / 2)
			trend_init(&c->trend);
		trend_push(&c->trend, m->mono_ms, x, c->limit_bytes, c->s.effective_high_bytes);
		c->last_working_set_bytes = x;
	}

	events_cgroup_counters(m, c);
}

/* ---- processes ---- */

static void proc_copy_identity(struct proc_entity *e, const struct proc_sample *s)
{
	e->start_time_ms = s->start_time_ms;
	e->uid = s->uid;
	e->user = xstrdup(s->user);
	e->name = xstrdup(s->name);
	e->cmdline = xstrdup(s->cmdline);
	e->cgroup = s->cgroup ? xstrdup(s->cgroup) : NULL;
	e->selected = s->selected;
}

static void proc_copy_values(struct proc_entity *e, const struct proc_sample *s)
{
#define COPY(f) e->f = s->f;
	UPDATE_PROC_VALUES(COPY)
#undef COPY
}

/* The limit a series x inside cgroup c can grow to: x plus the headroom
 * left (effective limit minus the cgroup's working set), or plus
 * MemAvailable when no cgroup limit applies. */
static void series_limits(const struct model *m, const struct cgroup_entity *c, int64_t x,
			  int64_t *limit, int64_t *high)
{
	*limit = *high = MS_ABSENT;
	if (!ms_has(x))
		return;
	if (c && c->s.exists && ms_has(c->s.effective_limit_bytes) &&
	    c->s.effective_limit_bytes != MS_UNLIMITED) {
		int64_t used = ms_has(c->s.working_set_bytes) ? c->s.working_set_bytes : c->s.current_bytes;

		if (ms_has(used))
			*limit = x + (c->s.effective_limit_bytes - used > 0 ? c->s.effective_limit_bytes - used : 0);
		if (ms_has(c->s.effective_high_bytes) && c->s.effective_high_bytes != MS_UNLIMITED &&
		    ms_has(used))
			*high = x + (c->s.effective_high_bytes - used > 0 ? c->s.effective_high_bytes - used : 0);
	} else if (ms_has(m->sys.mem_available_bytes)) {
		*limit = x + m->sys.mem_available_bytes;
	}
}

/* The process carries its cgroup's container and unit: the cgroup
 * entity's, names and all, once there is one; until then the path's. */
static void proc_container(struct proc_entity *e, const struct cgroup_entity *c)
{
	if (e->container_set && (e->container_from_entity || !c))
		return;
	container_done(&e->container);
	if (c)
		container_copy(&e->container, &c->container);
	else
		container_parse(e->cgroup, &e->container);
	e->container_set = true;
	e->container_from_entity = c != NULL;
}

/* Every limit that can end e (limit.h): its cgroup's memory.max and
 * memory.high against the cgroup's charged usage (its working set: page
 * cache is reclaimed first), or the machine's RAM + swap against its RSS +
 * swap, and its RLIMIT_AS, RLIMIT_DATA, strict-overcommit commit and
 * 32-bit limits, and its GPUs' memory; TTLs from its own trend, the
 * machine's Committed_AS trend and its GPU series' trend, and the binding
 * limit. */
static void proc_limits(const struct model *m, struct proc_entity *e, const struct proc_sample *s,
			const struct cgroup_entity *c)
{
	struct limit_input in = {
		.cgroup_max_bytes = MS_UNLIMITED, .cgroup_high_bytes = MS_UNLIMITED,
		.cgroup_used_bytes = MS_ABSENT,
		.machine_bytes = add_abs(m->sys.mem_total_bytes,
					 ms_has(m->sys.mem_total_bytes) ? m->sys.swap_total_bytes : MS_ABSENT),
		.machine_used_bytes = ms_has(e->rss_bytes) ? add_abs(e->rss_bytes, e->swap_bytes) : MS_ABSENT,
		.rl = s->rl, .vm_size_bytes = e->vm_size_bytes, .vm_data_bytes = e->vm_data_bytes,
		.address_bits = s->address_bits, .overcommit_mode = m->sys.overcommit_mode,
		.commit_limit_bytes = m->sys.commit_limit_bytes,
		.committed_as_bytes = m->sys.committed_as_bytes,
	};
	struct limit_trends tr = {trend_get(&e->trend), trend_get(&m->commit_trend),
				  e->gpu ? trend_get(&e->gpu->trend) : NULL};
	char gpus[8 + GPU_SERIES_CARDS * 11];

	in.gpu_limit_bytes = in.gpu_used_bytes = MS_ABSENT;
	if (e->gpu) {
		size_t k = (size_t)snprintf(gpus, sizeof(gpus), "nvml");

		for (size_t i = 0; i < e->gpu->n_cards && k < sizeof(gpus); i++)
			k += (size_t)snprintf(gpus + k, sizeof(gpus) - k, "%c%u", i ? ',' : ':',
					      e->gpu->cards[i].index);
		in.gpu_limit_bytes = e->gpu->limit_bytes;
		in.gpu_used_bytes = e->gpu->bytes;
		in.gpu_source = gpus;
	}
	if (c && c->s.exists) {
		in.cgroup_max_bytes = c->s.effective_limit_bytes;
		in.cgroup_max_source = c->s.effective_limit_source ? c->s.effective_limit_source : c->s.path;
		in.cgroup_high_bytes = c->s.effective_high_bytes;
		in.cgroup_high_source = c->s.effective_high_source ? c->s.effective_high_source : c->s.path;
		in.cgroup_used_bytes = ms_has(c->s.working_set_bytes) ? c->s.working_set_bytes : c->s.current_bytes;
	}
	limit_state_update(&e->limits, &in, &tr, m->mono_ms);
	if (!m->no_history) {
		const struct limit *l = limit_state_refusing(&e->limits);
		int kind = l ? (int)l->kind : -1;

		if (kind != e->hist_limit_kind) {
			history_done(&e->hist_limit);
			history_init(&e->hist_limit);
			e->hist_limit_kind = kind;
		}
		if (l)
			history_push(&e->hist_limit, m->mono_ms, l->used_bytes);
	}
}

/* %LIM like with like (issue 14 item 4): under a cgroup limit, the
 * cgroup's charged working set against it, as the kernel's OOM killer
 * sees it (a process's RSS counts file pages the cgroup may not be
 * charged for: 94 % while the cgroup was at 88 %); with none, the
 * process's RSS against the machine's RAM. */
static void proc_usage(struct proc_entity *e)
{
	const struct limit *l = limit_state_find(&e->limits, LIMIT_CGROUP_MAX);

	if (l && ms_has(l->used_bytes)) {
		e->usage_pct = limit_used_pct(l);
		e->usage_basis = "cgroup";
	} else if (l) {
		e->usage_pct = NAN;
		e->usage_basis = NULL;
	} else {
		e->usage_pct = pct_of(e->rss_bytes, e->limit_bytes);
		e->usage_basis = ms_has(e->rss_bytes) ? "rss" : NULL;
	}
}

static void proc_update(struct update *u, struct proc_sample *s)
{
	struct model *m = u->m;
	struct proc_entity *e = s->owner;
	struct cgroup_entity *c;
	int64_t x, limit, high;

	if (!e) {
		e = model_proc_add(m, s->pid, s->start_ticks);
		proc_copy_identity(e, s);
		e->first_seen_ms = m->mono_ms;
		e->sampler_ref = s;
		s->owner = e;
		/* In the everything view, starts and exits of every short-lived
		 * command would drown the events that matter. */
		if (!u->first_tick && !u->cfg.all)
			events_proc_start(m, e);
	}
	if (s->identity_changed) {
		/* execve: another program under the same PID. Its memory has
		 * nothing to do with the old one's: judge it afresh. */
		free(e->name);
		free(e->cmdline);
		e->name = xstrdup(s->name);
		e->cmdline = xstrdup(s->cmdline);
		s->identity_changed = false;
		trend_init(&e->trend);
		limit_state_reset(&e->limits);
	}
	if (s->cgroup_changed) {
		model_set_str(&e->cgroup, s->cgroup);
		e->cg_epoch = 0;
		e->container_set = false;
		s->cgroup_changed = false;
	}
	proc_copy_values(e, s);
	e->last_seen_ms = m->mono_ms;
	c = model_proc_cgroup(m, e);
	proc_container(e, c);
	if (c && c->s.exists) {
		e->limit_bytes = c->limit_bytes;
		model_set_str(&e->limit_source, c->limit_source);
	} else {
		machine_limit(m, &e->limit_bytes, &e->limit_source);
	}
	if (!m->no_history)
		history_push(&e->hist_rss, m->mono_ms, e->rss_bytes);
	/* The trend series: RssAnon + VmSwap (LEAK-DETECTION.md section 1):
	 * file pages follow the page cache, and a leak under pressure moves
	 * to swap while RSS plateaus. */
	x = ms_has(e->rss_anon_bytes) ? add_abs(e->rss_anon_bytes, e->swap_bytes) : MS_ABSENT;
	if (ms_has(x)) {
		series_limits(m, c, x, &limit, &high);
		trend_push(&e->trend, m->mono_ms, x, limit, high);
	}
}

/* The rules of what stays in the model (here only: replay's browser is
 * told what went, by this stage's model): a process while alive, the
 * launched command (keep_pid) always, a dead one UPDATE_DEAD_RETENTION_MS
 * after its exit; a cgroup named with -c, or read this tick, existing and
 * holding a process the model has (seen_this_tick), or ended (emptied or
 * gone, cgroup_entity.ended_ms) less than UPDATE_CGROUP_RETENTION_MS ago. */
static bool update_proc_kept(const struct proc_entity *p, int64_t now_ms, pid_t keep_pid)
{
	if (p->alive)
		return true;
	if (keep_pid > 0 && p->pid == keep_pid)
		return true; /* the post-mortem needs it */
	return now_ms - p->exit_ms < UPDATE_DEAD_RETENTION_MS;
}

static bool update_cgroup_kept(const struct cgroup_entity *c, int64_t now_ms)
{
	return c->selected || (c->seen_this_tick && c->s.exists) ||
	       (c->ended_ms >= 0 && now_ms - c->ended_ms < UPDATE_CGROUP_RETENTION_MS);
}

static bool keep_proc(const struct proc_entity *p, void *ctx)
{
	const struct update *u = ctx;

	return update_proc_kept(p, u->m->mono_ms, u->cfg.keep_pid);
}

/* ---- trees ---- */

struct pid_ent {
	pid_t pid;
	struct proc_entity *e;
};

static int cmp_pid_ent(const void *x, const void *y)
{
	const struct pid_ent *p = x, *q = y;

	return (p->pid > q->pid) - (p->pid < q->pid);
}

static struct proc_entity *pid_lookup(const struct pid_ent *v, size_t n, pid_t pid)
{
	struct pid_ent key = {pid, NULL}, *hit = bsearch(&key, v, n, sizeof(*v), cmp_pid_ent);

	return hit ? hit->e : NULL;
}

/* A tree root is a selected live process with no selected ancestor; its
 * members are every live process below it. */
static void trees_update(struct update *u)
{
	struct model *m = u->m;
	struct pid_ent *v;
	size_t n = 0;

	if (!u->cfg.trees)
		return;
	v = xmalloc((m->n_procs + 1) * sizeof(*v));
	for (size_t i = 0; i < m->n_procs; i++)
		if (m->procs[i]->alive)
			v[n++] = (struct pid_ent){m->procs[i]->pid, m->procs[i]};
	qsort(v, n, sizeof(*v), cmp_pid_ent);
	for (size_t i = 0; i < m->n_trees; i++) {
		m->trees[i]->n_procs = 0;
		m->trees[i]->alive = false;
	}
	for (size_t i = 0; i < n; i++) {
		struct proc_entity *p = v[i].e, *root = NULL, *q = p;
		struct tree_entity *t;

		for (int depth = 0; q && depth < 64; depth++) {
			if (q->selected)
				root = q;
			q = q->ppid > 0 && q->ppid != q->pid ? pid_lookup(v, n, q->ppid) : NULL;
		}
		if (!root)
			continue;
		t = model_tree_find(m, root->pid);
		if (t && t->root_start_ticks != root->start_ticks) {
			/* PID reuse: the old tree's series ends here. */
			t->root_pid = -1;
			t = NULL;
		}
		if (!t) {
			t = model_tree_add(m, root->pid, root->start_ticks);
			t->name = xstrdup(root->name);
		}
		if (t->n_procs == 0) {
			t->rss_bytes = t->anon_swap_bytes = t->swap_bytes = t->pss_bytes = 0;
		}
		root->tree = t;
		t->alive = true;
		t->pids = xrealloc(t->pids, (t->n_procs + 1) * sizeof(*t->pids));
		t->pids[t->n_procs++] = p->pid;
		t->rss_bytes = add_abs(t->rss_bytes, p->rss_bytes);
		t->swap_bytes = add_abs(t->swap_bytes, p->swap_bytes);
		t->anon_swap_bytes = add_abs(t->anon_swap_bytes, add_abs(p->rss_anon_bytes, p->swap_bytes));
		/* A sum with a member missing PSS would be a bogus low value. */
		t->pss_bytes = ms_has(t->pss_bytes) && ms_has(p->pss_bytes) ? t->pss_bytes + p->pss_bytes
									    : MS_ABSENT;
	}
	for (size_t i = 0; i < m->n_trees; i++) {
		struct tree_entity *t = m->trees[i];
		struct proc_entity *root = t->alive ? pid_lookup(v, n, t->root_pid) : NULL;
		struct cgroup_entity *c = root && root->cgroup ? model_cgroup_find(m, root->cgroup) : NULL;
		int64_t limit, high;

		if (!t->alive) {
			t->n_procs = 0;
			continue;
		}
		if (!ms_has(t->peak_rss_bytes) || t->rss_bytes > t->peak_rss_bytes)
			t->peak_rss_bytes = t->rss_bytes;
		if (root) {
			t->limit_bytes = root->limit_bytes;
			model_set_str(&t->limit_source, root->limit_source);
			if (root->name && (!t->name || strcmp(t->name, root->name) != 0))
				model_set_str(&t->name, root->name); /* the root called execve */
		}
		t->usage_pct = pct_of(t->rss_bytes, t->limit_bytes);
		if (!m->no_history)
			history_push(&t->hist_rss, m->mono_ms, t->rss_bytes);
		series_limits(m, c, t->anon_swap_bytes, &limit, &high);
		trend_push(&t->trend, m->mono_ms, t->anon_swap_bytes, limit, high);
	}
	free(v);
	/* Trees whose root is gone are dropped with their root. */
	{
		size_t j = 0;

		for (size_t i = 0; i < m->n_trees; i++) {
			struct tree_entity *t = m->trees[i];
			bool keep = t->alive || (u->cfg.keep_pid > 0 && t->root_pid == u->cfg.keep_pid);

			if (keep) {
				m->trees[j++] = t;
			} else {
				for (size_t k = 0; k < m->n_procs; k++)
					if (m->procs[k]->tree == t)
						m->procs[k]->tree = NULL;
				model_tree_free(t);
			}
		}
		m->n_trees = j;
	}
}

/* ---- the tick ---- */

void update_init(struct update *u, struct model *m, const struct update_config *cfg)
{
	memset(u, 0, sizeof(*u));
	u->m = m;
	u->cfg = *cfg;
	u->first_tick = true;
	update_set_keep_pid(u, cfg->keep_pid);
	m->analysis.all = cfg->all;
	m->analysis.trees = cfg->trees;
}

void update_set_keep_pid(struct update *u, pid_t pid)
{
	u->cfg.keep_pid = pid;
	u->m->analysis.keep_pid = pid;
}

void update_done(struct update *u)
{
	events_check_done(&u->check);
}

void update_tick(struct update *u, const struct update_input *in)
{
	struct model *m = u->m;
	struct proc_sample **v = in->procs;
	size_t n = in->n_procs;

	m->ev_tick_first = m->ev_total;
	m->mono_ms = in->mono_ms;
	m->time_ms = in->time_ms;
	m->sys = in->sys;
	/* Committed_AS against CommitLimit: one series for the machine, the
	 * commit limit of every process under strict overcommit (kept in
	 * every mode, so a switch to mode 2 finds it warm). */
	if (ms_has(m->sys.committed_as_bytes))
		trend_push(&m->commit_trend, m->mono_ms, m->sys.committed_as_bytes,
			   m->sys.commit_limit_bytes, MS_ABSENT);

	/* Cgroups first: processes take their limits from them. */
	for (size_t i = 0; i < m->n_cgroups; i++)
		m->cgroups[i]->seen_this_tick = m->cgroups[i]->selected;
	if (u->cfg.cgroup_read) {
		/* New processes and processes that moved (the others are in
		 * m->procs, below, under the same cgroup). */
		for (size_t i = 0; i < n; i++)
			if (v[i]->cgroup && (!v[i]->owner || v[i]->cgroup_changed))
				update_cgroup_get(u, v[i]->cgroup, false);
		/* Processes that just exited are still shown (and a launched
		 * command's post-mortem needs its cgroup's last oom_kill count).
		 * A cgroup gone since is not looked up again for a dead process:
		 * that told "cgroup X is gone" every tick of its retention. */
		for (size_t i = 0; i < m->n_procs; i++) {
			struct proc_entity *e = m->procs[i];
			struct cgroup_entity *c = model_proc_cgroup(m, e);

			if (c)
				c->seen_this_tick = true;
			else if (e->cgroup && e->alive)
				update_cgroup_get(u, e->cgroup, false);
		}
		for (size_t i = 0; i < m->n_cgroups; i++) {
			struct cgroup_entity *c = m->cgroups[i];
			bool hot = c->selected || !u->cfg.all;

			if (!c->seen_this_tick && !cgroup_retained(m, c))
				continue;
			/* A gone cgroup keeps its last reading (unless named with
			 * -c: it may come back). */
			if (!c->s.exists && c->s.version != CGROUP_NONE && !c->selected)
				continue;
			if (hot || m->mono_ms >= c->next_read_ms || u->first_tick) {
				cgroup_update(u, c);
				c->next_read_ms = m->mono_ms + UPDATE_CGROUP_SLOW_MS;
			}
		}
		/* Cgroups no watched process is in any more, and cgroups of
		 * processes that are not under the root (--cgroup-root of another
		 * tree), unless named with -c. */
		size_t j = 0;

		for (size_t i = 0; i < m->n_cgroups; i++) {
			struct cgroup_entity *c = m->cgroups[i];

			if (update_cgroup_kept(c, m->mono_ms))
				m->cgroups[j++] = m->cgroups[i];
			else
				model_cgroup_free(m, m->cgroups[i]);
		}
		m->n_cgroups = j;
	}

	for (size_t i = 0; i < n; i++)
		proc_update(u, v[i]);
	v = in->exited;
	n = in->n_exited;
	for (size_t i = 0; i < n; i++) {
		struct proc_entity *e = v[i]->owner;

		if (!e)
			continue;
		e->alive = false;
		e->exit_ms = m->mono_ms;
		e->sampler_ref = NULL;
		/* No TTL for what no longer grows (issue 14 item 5). */
		trend_stop(&e->trend);
		limit_state_stop(&e->limits);
		if (e->gpu)
			trend_stop(&e->gpu->trend);
		v[i]->owner = NULL;
	}
	/* Exits told in the model's order, not the sampler's (hash order):
	 * a replayed log tells them in the same order. */
	for (size_t i = 0; i < m->n_procs && n && !u->cfg.all; i++)
		if (!m->procs[i]->alive && m->procs[i]->exit_ms == m->mono_ms)
			events_proc_exit(m, m->procs[i]);
	model_procs_compact(m, keep_proc, u);
	update_gpu_procs(m, in->gpu);
	/* The limits once the tick's GPU reading is in: the GPU limit of a
	 * log line is the GPU memory written beside it. */
	for (size_t i = 0; i < in->n_procs; i++) {
		struct proc_entity *e = in->procs[i]->owner;

		if (e) {
			proc_limits(m, e, in->procs[i], model_proc_cgroup(m, e));
			proc_usage(e);
		}
	}
	trees_update(u);
	update_gpu_trees(m, in->gpu);
	cgroups_mark_ended(m);
	events_tick(m, &u->check);
	u->ticks++;
	u->first_tick = false;
}

