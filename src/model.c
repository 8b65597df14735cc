/* model: entity tables, events, lookups. See model.h. */
#include "model.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim */
#endif

#include "series.h"
#include "util.h"

/* Every process's cgroup is looked up three times a tick; on a host with a
 * cgroup per service a scan of all of them for each would cost more than
 * the sampling itself. The index holds positions in m->cgroups (plus one;
 * 0 is empty) by path hash. It is rebuilt when the number of cgroups
 * changed since it was built, and every hit is confirmed by comparing the
 * path, so an index left stale by a reordering can only miss: a miss is
 * confirmed by a scan, which rebuilds the index when it finds the path. */
struct cgroup_index {
	uint32_t *slot;
	size_t cap, built_n;
};

struct model *model_new(const char *host, int64_t interval_ms)
{
	struct model *m = xcalloc(1, sizeof(*m));

	m->host = xstrdup(host);
	m->cg_index = xcalloc(1, sizeof(*m->cg_index));
	m->cg_epoch = 1;
	m->interval_ms = interval_ms;
	m->warn_pct = 80;
	m->crit_pct = 90;
	m->sys.mem_total_bytes = m->sys.mem_available_bytes = m->sys.mem_free_bytes = MS_ABSENT;
	m->sys.swap_total_bytes = m->sys.swap_free_bytes = MS_ABSENT;
	m->sys.commit_limit_bytes = m->sys.committed_as_bytes = MS_ABSENT;
	m->sys.overcommit_mode = -1;
	trend_init(&m->commit_trend);
	m->self.cpu_pct = NAN;
	m->self.rss_bytes = MS_ABSENT;
	m->self.sample_cost_us_per_process = NAN;
	return m;
}

struct gpu_series *model_gpu_series_new(void)
{
	struct gpu_series *g = xcalloc(1, sizeof(*g));

	g->bytes = g->peak_bytes = g->limit_bytes = g->last_bytes = g->last_limit_bytes = MS_ABSENT;
	g->usage_pct = NAN;
	history_init(&g->hist);
	trend_init(&g->trend);
	return g;
}

/* ---- the series walk (the table is series.c's) ---- */

const struct series_core *model_series_of(enum series_id id, const void *entity)
{
	assert(id < SERIES_N && series_table[id].core);
	return series_table[id].core(entity);
}

void model_series_walk(struct model *m, model_series_fn *fn, void *ctx)
{
	for (size_t k = 0; k < SERIES_N; k++) {
		const struct series_desc *sk = &series_table[k];
		size_t n = sk->kind == 'p' ? m->n_procs : sk->kind == 't' ? m->n_trees : m->n_cgroups;

		for (size_t i = 0; i < n; i++) {
			void *e = sk->kind == 'p' ? (void *)m->procs[i]
				  : sk->kind == 't' ? (void *)m->trees[i] : (void *)m->cgroups[i];
			struct model_series_ref r = {.kind = sk->kind, .suffix = sk->suffix, .entity = e,
						     .s = sk->core(e)};

			if (!r.s)
				continue;
			if (sk->kind == 'p') {
				r.alive = m->procs[i]->alive;
				r.pid = m->procs[i]->pid;
			} else if (sk->kind == 't') {
				r.alive = m->trees[i]->alive;
				r.pid = m->trees[i]->root_pid;
			} else {
				r.alive = m->cgroups[i]->s.exists;
				r.cgroup = m->cgroups[i]->s.path;
			}
			fn(ctx, &r);
		}
	}
}

void model_gpu_series_free(struct gpu_series *g)
{
	if (!g)
		return;
	history_done(&g->hist);
	free(g->limit_source); /* owned by every series core, none set yet */
	free(g);
}

void model_proc_free(struct proc_entity *p)
{
	if (!p)
		return;
	free(p->user);
	free(p->name);
	free(p->cmdline);
	free(p->cgroup);
	container_done(&p->container);
	free(p->limit_source);
	history_done(&p->hist_rss);
	model_gpu_series_free(p->gpu);
	limit_state_done(&p->limits);
	history_done(&p->hist_limit);
	free(p);
}

void model_tree_free(struct tree_entity *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->pids);
	free(t->limit_source);
	history_done(&t->hist_rss);
	model_gpu_series_free(t->gpu);
	free(t);
}

void model_cgroup_free(struct model *m, struct cgroup_entity *c)
{
	m->cg_epoch++;
	if (!c)
		return;
	cgroup_sample_done(&c->s);
	container_done(&c->container);
	free(c->limit_source);
	history_done(&c->hist_current);
	free(c);
}

void model_free(struct model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_procs; i++)
		model_proc_free(m->procs[i]);
	for (size_t i = 0; i < m->n_trees; i++)
		model_tree_free(m->trees[i]);
	for (size_t i = 0; i < m->n_cgroups; i++)
		model_cgroup_free(m, m->cgroups[i]);
	for (size_t i = 0; i < m->n_gpus; i++)
		free(m->gpus[i].name);
	free(m->gpus);
	for (size_t i = 0; i < m->ev_len; i++) {
		struct event *e = &m->events[(m->ev_head + i) % MODEL_EVENTS_MAX];

		free(e->cgroup);
		free(e->message);
	}
	free(m->procs);
	free(m->trees);
	free(m->cgroups);
	if (m->cg_index)
		free(m->cg_index->slot);
	free(m->cg_index);
	free(m->host);
	free(m);
}

#define APPEND(arr, n, cap, item)                                              \
	do {                                                                   \
		if ((n) == (cap)) {                                            \
			(cap) = (cap) ? (cap) * 2 : 16;                        \
			(arr) = xrealloc((arr), (cap) * sizeof(*(arr)));       \
		}                                                              \
		(arr)[(n)++] = (item);                                         \
	} while (0)

struct proc_entity *model_proc_add(struct model *m, pid_t pid, uint64_t start_ticks)
{
	struct proc_entity *p = xcalloc(1, sizeof(*p));

	p->pid = pid;
	p->start_ticks = start_ticks;
	p->state = '?';
	p->threads = p->rss_bytes = p->rss_anon_bytes = p->rss_file_bytes = MS_ABSENT;
	p->rss_shmem_bytes = p->swap_bytes = p->peak_rss_bytes = MS_ABSENT;
	p->pss_bytes = p->uss_bytes = p->oom_score = p->oom_score_adj = MS_ABSENT;
	p->limit_bytes = MS_ABSENT;
	p->vm_size_bytes = p->vm_data_bytes = MS_ABSENT;
	limit_state_init(&p->limits);
	history_init(&p->hist_limit);
	p->hist_limit_kind = -1;
	p->usage_pct = NAN;
	p->alive = true;
	p->exit_ms = -1;
	history_init(&p->hist_rss);
	trend_init(&p->trend);
	APPEND(m->procs, m->n_procs, m->cap_procs, p);
	return p;
}

struct tree_entity *model_tree_add(struct model *m, pid_t root_pid, uint64_t root_start_ticks)
{
	struct tree_entity *t = xcalloc(1, sizeof(*t));

	t->root_pid = root_pid;
	t->root_start_ticks = root_start_ticks;
	t->rss_bytes = t->anon_swap_bytes = t->swap_bytes = t->pss_bytes = MS_ABSENT;
	t->peak_rss_bytes = t->limit_bytes = MS_ABSENT;
	t->usage_pct = NAN;
	t->alive = true;
	history_init(&t->hist_rss);
	trend_init(&t->trend);
	APPEND(m->trees, m->n_trees, m->cap_trees, t);
	return t;
}

struct cgroup_entity *model_cgroup_add(struct model *m, const char *path)
{
	struct cgroup_entity *c = xcalloc(1, sizeof(*c));

	c->s.path = xstrdup(path);
	container_parse(path, &c->container);
	c->limit_bytes = MS_ABSENT;
	c->usage_pct = NAN;
	c->last_working_set_bytes = MS_ABSENT;
	for (int i = 0; i < 6; i++)
		c->prev_events[i] = MS_ABSENT;
	c->prev_oom_kill_local = MS_ABSENT;
	c->ended_ms = -1;
	history_init(&c->hist_current);
	trend_init(&c->trend);
	APPEND(m->cgroups, m->n_cgroups, m->cap_cgroups, c);
	m->cg_epoch++;
	return c;
}

void model_set_str(char **slot, const char *value)
{
	if (*slot && value && strcmp(*slot, value) == 0)
		return;
	free(*slot);
	*slot = value ? xstrdup(value) : NULL;
}

void model_procs_compact(struct model *m, bool (*keep)(const struct proc_entity *, void *), void *ctx)
{
	size_t j = 0;

	if (m->n_procs > m->procs_high)
		m->procs_high = m->n_procs;
	for (size_t i = 0; i < m->n_procs; i++) {
		if (keep(m->procs[i], ctx))
			m->procs[j++] = m->procs[i];
		else
			model_proc_free(m->procs[i]);
	}
	m->n_procs = j;
	if (m->procs_high - j >= MODEL_TRIM_PROCS) {
		/* ~2.6 KB a process (entity, sampler entry, strings) left as free
		 * chunks between live ones: glibc keeps them resident otherwise. */
#ifdef __GLIBC__
		malloc_trim(0);
#endif
		m->procs_high = j;
	}
}

void model_event(struct model *m, enum event_kind kind, pid_t pid, const char *cgroup,
		 const char *fmt, ...)
{
	struct event *e;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	if (m->ev_len == MODEL_EVENTS_MAX) {
		e = &m->events[m->ev_head];
		free(e->cgroup);
		free(e->message);
		m->ev_head = (m->ev_head + 1) % MODEL_EVENTS_MAX;
		m->ev_len--;
	}
	e = &m->events[(m->ev_head + m->ev_len) % MODEL_EVENTS_MAX];
	e->time_ms = m->time_ms;
	e->kind = kind;
	e->pid = pid;
	e->cgroup = cgroup ? xstrdup(cgroup) : NULL;
	e->message = msg;
	e->limit = NULL;
	m->ev_len++;
	m->ev_total++;
}

void model_event_limit(struct model *m, enum limit_kind k)
{
	assert(m->ev_len > 0);
	m->events[(m->ev_head + m->ev_len - 1) % MODEL_EVENTS_MAX].limit = limit_kind_name(k);
}

const struct event *model_event_at(const struct model *m, size_t i)
{
	if (i >= m->ev_len)
		return NULL;
	return &m->events[(m->ev_head + i) % MODEL_EVENTS_MAX];
}

size_t model_events_this_tick(const struct model *m, const struct event **first_out)
{
	uint64_t n = m->ev_total - m->ev_tick_first;

	if (n > m->ev_len)
		n = m->ev_len; /* more than the ring holds: the oldest are gone */
	*first_out = n ? model_event_at(m, m->ev_len - (size_t)n) : NULL;
	return (size_t)n;
}

const char *model_event_kind_name(enum event_kind k)
{
	static const char *const names[] = {
		[EV_PROC_START] = "process_start", [EV_PROC_EXIT] = "process_exit",
		[EV_VERDICT] = "verdict", [EV_THRESHOLD] = "threshold",
		[EV_CGROUP_EVENT] = "cgroup_event", [EV_OOM_KILL] = "oom_kill",
		[EV_OOM_IMMINENT] = "oom_imminent", [EV_CGROUP_GONE] = "cgroup_gone",
		[EV_ALERT_HOOK] = "alert_hook", [EV_INFO] = "info",
		[EV_LIMIT_IMMINENT] = "limit_imminent",
	};

	if ((unsigned)k < sizeof(names) / sizeof(names[0]) && names[k])
		return names[k];
	return "info";
}

struct proc_entity *model_proc_find(const struct model *m, pid_t pid)
{
	struct proc_entity *dead = NULL;

	for (size_t i = 0; i < m->n_procs; i++) {
		if (m->procs[i]->pid != pid)
			continue;
		if (m->procs[i]->alive)
			return m->procs[i];
		dead = m->procs[i];
	}
	return dead;
}

static uint64_t path_hash(const char *s)
{
	uint64_t h = 0x243F6A8885A308D3ULL, v;
	size_t n = strlen(s);

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&v, s, 8);
		h = (h ^ v) * 0x9E3779B97F4A7C15ULL;
		h ^= h >> 29;
	}
	v = 0;
	memcpy(&v, s, n);
	h = (h ^ v ^ n) * 0x9E3779B97F4A7C15ULL;
	return h ^ (h >> 32);
}

static void cg_index_build(const struct model *m, struct cgroup_index *x)
{
	size_t want = 16;

	while (want < 2 * m->n_cgroups)
		want *= 2;
	if (want != x->cap) {
		free(x->slot);
		x->slot = xmalloc(want * sizeof(*x->slot));
		x->cap = want;
	}
	memset(x->slot, 0, x->cap * sizeof(*x->slot));
	for (size_t i = 0; i < m->n_cgroups; i++) {
		size_t j = path_hash(m->cgroups[i]->s.path) & (x->cap - 1);

		while (x->slot[j])
			j = (j + 1) & (x->cap - 1);
		x->slot[j] = (uint32_t)(i + 1);
	}
	x->built_n = m->n_cgroups;
}

struct cgroup_entity *model_cgroup_find(const struct model *m, const char *path)
{
	struct cgroup_index *x = m->cg_index;

	if (!path)
		return NULL;
	if (m->n_cgroups < 8 || !x) { /* a scan is as quick */
		for (size_t i = 0; i < m->n_cgroups; i++)
			if (strcmp(m->cgroups[i]->s.path, path) == 0)
				return m->cgroups[i];
		return NULL;
	}
	if (x->built_n != m->n_cgroups)
		cg_index_build(m, x);
	for (size_t j = path_hash(path) & (x->cap - 1); x->slot[j]; j = (j + 1) & (x->cap - 1)) {
		size_t i = x->slot[j] - 1;

		if (i < m->n_cgroups && strcmp(m->cgroups[i]->s.path, path) == 0)
			return m->cgroups[i];
	}
	for (size_t i = 0; i < m->n_cgroups; i++) {
		if (strcmp(m->cgroups[i]->s.path, path) == 0) {
			cg_index_build(m, x);
			return m->cgroups[i];
		}
	}
	return NULL;
}

struct cgroup_entity *model_proc_cgroup(const struct model *m, struct proc_entity *p)
{
	if (p->cg_epoch != m->cg_epoch) {
		p->cg = model_cgroup_find(m, p->cgroup);
		p->cg_epoch = m->cg_epoch;
	}
	return p->cg;
}

struct tree_entity *model_tree_find(const struct model *m, pid_t root_pid)
{
	for (size_t i = 0; i < m->n_trees; i++)
		if (m->trees[i]->root_pid == root_pid)
			return m->trees[i];
	return NULL;
}
