/* out_json: the model as JSON documents (output stage).
 *
 * The one file that knows the JSON field names (schema "memslope/1", see
 * schema/memslope.schema.json), but for each series' keys, which are its
 * row in the series table (series.h) and are written by walking it. Built with jansson, never by hand: the log
 * writer joins jansson's text of the header and of each entity into the
 * arrays, and reuses an entity's text while its values stay the same. Absent
 * values are null; limits that are not set are the string "max". */
#include "out_json.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "launch.h"
#include "series.h"
#include "limit.h"
#include "update_gpu.h"
#include "util.h"

static json_t *j_bytes(int64_t v)
{
	if (v == MS_ABSENT)
		return json_null();
	if (v == MS_UNLIMITED)
		return json_string("max");
	return json_integer(v);
}

static json_t *j_int(int64_t v)
{
	return v == MS_ABSENT ? json_null() : json_integer(v);
}

static json_t *j_num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *j_str(const char *s)
{
	/* jansson rejects invalid UTF-8; process names can hold any bytes. */
	json_t *j;

	if (!s)
		return json_null();
	j = json_string(s);
	if (!j) {
		char *clean = util_sanitize(s);

		j = json_string(clean);
		free(clean);
	}
	return j ? j : json_null();
}

static void set(json_t *o, const char *k, json_t *v)
{
	json_object_set_new(o, k, v ? v : json_null());
}

void out_json_time(int64_t time_ms, char *buf, size_t cap)
{
	time_t s = (time_t)(time_ms / 1000);
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(time_ms % 1000));
}

static json_t *j_pair(double lo, double hi, bool hi_open)
{
	json_t *a;

	if (!isfinite(lo) && !(hi_open && isinf(hi)))
		return json_null();
	a = json_array();
	json_array_append_new(a, j_num(lo));
	json_array_append_new(a, j_num(hi));
	return a;
}

/* Entities are described once, as a list of fields (process_body,
 * tree_body, cgroup_body, then trend_body), and that list is walked in one of two ways:
 * to build the jansson object, or to fold every value that goes into it into
 * a 64-bit signature. The log writer (out_json_line) keeps the jansson text
 * of each entity's body (every field but the trend, which comes last) and of
 * its trend, each with its signature, and serialises a part again only when
 * its signature changes; an idle process's texts are reused as they are, and
 * equal trends are serialised once (struct tmemo).
 *
 * The signature step x -> rotl((x ^ v) * K, 29) is a bijection of x for
 * each value v and differs for different v, so one changed value (with the
 * others equal) always changes the signature; several values changing at
 * once collide with odds of about 2^-64. */
struct fw {
	json_t *o;   /* building: the object the fields go into */
	uint64_t h;  /* hashing (o == NULL): the signature so far */
};

/* The field walkers are inlined into the signature functions, where o is a
 * constant NULL and every branch on it folds away. */
#define FW_INLINE static inline __attribute__((always_inline))

FW_INLINE void mix(struct fw *w, uint64_t v)
{
	uint64_t x = (w->h ^ v) * 0x9E3779B97F4A7C15ULL;

	w->h = (x << 29) | (x >> 35);
}

FW_INLINE void mix_bytes(struct fw *w, const char *s, size_t n)
{
	uint64_t v;

	mix(w, (uint64_t)n);
	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&v, s, 8);
		mix(w, v);
	}
	if (n) { /* the last 1-7 bytes, zero-padded */
		v = 0;
		memcpy(&v, s, n);
		mix(w, v);
	}
}

FW_INLINE void mix_double(struct fw *w, double d)
{
	uint64_t v;

	if (!isfinite(d)) {
		mix(w, isinf(d) ? (d > 0 ? 1 : 2) : 3);
		return;
	}
	memcpy(&v, &d, sizeof(v));
	mix(w, v ^ 0x5555555555555555ULL);
}

FW_INLINE void f_bytes(struct fw *w, const char *k, int64_t v)
{
	if (w->o)
		set(w->o, k, j_bytes(v));
	else
		mix(w, (uint64_t)v);
}

FW_INLINE void f_int(struct fw *w, const char *k, int64_t v)
{
	if (w->o)
		set(w->o, k, j_int(v));
	else
		mix(w, (uint64_t)v);
}

FW_INLINE void f_num(struct fw *w, const char *k, double v)
{
	if (w->o)
		set(w->o, k, j_num(v));
	else
		mix_double(w, v);
}

FW_INLINE void f_bool(struct fw *w, const char *k, bool v)
{
	if (w->o)
		set(w->o, k, json_boolean(v));
	else
		mix(w, v ? 0xb1 : 0xb0);
}

/* s may be NULL (null). */
FW_INLINE void f_str(struct fw *w, const char *k, const char *s)
{
	if (w->o)
		set(w->o, k, j_str(s));
	else if (!s)
		mix(w, 0xdeadULL << 32);
	else
		mix_bytes(w, s, strlen(s));
}

/* [lo, hi], or null when lo is not known (unless the band is open above). */
FW_INLINE void f_pair(struct fw *w, const char *k, bool present, double lo, double hi, bool hi_open)
{
	if (w->o) {
		set(w->o, k, present ? j_pair(lo, hi, hi_open) : json_null());
		return;
	}
	mix(w, present);
	mix_double(w, lo);
	mix_double(w, hi);
	mix(w, hi_open);
}

/* A nested object: fields go into sub until f_end. */
FW_INLINE void f_begin(struct fw *w, struct fw *sub)
{
	sub->o = w->o ? json_object() : NULL;
	sub->h = w->h;
}

FW_INLINE void f_end(struct fw *w, const char *k, struct fw *sub)
{
	if (w->o)
		set(w->o, k, sub->o);
	else
		w->h = sub->h;
}

FW_INLINE void f_null(struct fw *w, const char *k)
{
	if (w->o)
		set(w->o, k, json_null());
	else
		mix(w, 0x4e554c4cULL);
}

/* The fields of a present PSI object. */
FW_INLINE void psi_body(struct fw *s, const struct cgroup_psi *p)
{
	f_num(s, "some_avg10", p->some_avg10);
	f_num(s, "some_avg60", p->some_avg60);
	f_num(s, "some_avg300", p->some_avg300);
	f_int(s, "some_total_us", p->some_total_us);
	f_num(s, "full_avg10", p->full_avg10);
	f_num(s, "full_avg60", p->full_avg60);
	f_num(s, "full_avg300", p->full_avg300);
	f_int(s, "full_total_us", p->full_total_us);
}

FW_INLINE void psi_fields(struct fw *w, const char *k, const struct cgroup_psi *p)
{
	struct fw s;

	if (!p || !p->present) {
		f_null(w, k);
		return;
	}
	f_begin(w, &s);
	psi_body(&s, p);
	f_end(w, k, &s);
}

json_t *out_json_psi(const struct cgroup_psi *p)
{
	struct fw s = {NULL, 0};

	if (!p || !p->present)
		return json_null();
	s.o = json_object();
	psi_body(&s, p);
	return s.o;
}

FW_INLINE void trend_body(struct fw *s, const struct trend_result *r)
{
	bool has_slope = isfinite(r->slope_bytes_per_s);

	f_str(s, "verdict", trend_verdict_name(r->verdict));
	f_num(s, "slope_bytes_per_s", r->slope_bytes_per_s);
	f_pair(s, "slope_ci_bytes_per_s", has_slope, r->slope_lo_bytes_per_s,
	       r->slope_hi_bytes_per_s, false);
	f_num(s, "window_s", r->window_s);
	f_num(s, "mk_z", r->mk_z);
	f_num(s, "r2", r->r2);
	f_num(s, "ttl_s", r->ttl_s);
	f_pair(s, "ttl_band_s", isfinite(r->ttl_s), r->ttl_lo_s, r->ttl_hi_s, true);
	f_str(s, "ttl_target", r->ttl_target == TTL_MAX ? "max" : r->ttl_target == TTL_HIGH ? "high" : NULL);
	f_bool(s, "oom_imminent", r->oom_imminent);
}

json_t *out_json_trend(const struct trend_result *r)
{
	struct fw s = {json_object(), 0};

	trend_body(&s, r);
	return s.o;
}

/* Per GPU: [{"index", "used_bytes"}]. */
FW_INLINE void f_gpu_shares(struct fw *w, const char *k, const struct gpu_series *g)
{
	if (w->o) {
		json_t *a = json_array();

		for (size_t i = 0; i < g->n_cards; i++) {
			json_t *o = json_object();

			set(o, "index", json_integer(g->cards[i].index));
			set(o, "used_bytes", j_bytes(g->cards[i].bytes));
			json_array_append_new(a, o);
		}
		set(w->o, k, a);
		return;
	}
	mix(w, g->n_cards);
	for (size_t i = 0; i < g->n_cards; i++) {
		mix(w, g->cards[i].index);
		mix(w, (uint64_t)g->cards[i].bytes);
	}
}

/* Every series of an entity, as the series table (series.h) names its
 * keys; a series the entity does not have (never on a GPU) writes nothing.
 * The main series' trend is written apart, last (entity_json). */
FW_INLINE void series_fields(struct fw *w, char kind, const void *entity)
{
	for (int k = 0; k < SERIES_N; k++) {
		const struct series_desc *d = &series_table[k];
		const struct series_core *s;
		struct fw tr;

		if (d->kind != kind || !(s = d->core(entity)))
			continue;
		if (d->json.value)
			f_bytes(w, d->json.value, d->value(entity));
		if (d->json.per_gpu) /* only a GPU series has per-card shares */
			f_gpu_shares(w, d->json.per_gpu, (const struct gpu_series *)((const char *)s - offsetof(struct gpu_series, core)));
		if (d->json.peak)
			f_bytes(w, d->json.peak, d->peak(entity));
		if (d->json.limit)
			f_bytes(w, d->json.limit, s->limit_bytes);
		if (d->json.source)
			f_str(w, d->json.source, s->limit_source);
		if (d->json.usage)
			f_num(w, d->json.usage, s->usage_pct);
		if (d->json.trend && !d->main) {
			f_begin(w, &tr);
			trend_body(&tr, trend_get(&s->trend));
			f_end(w, d->json.trend, &tr);
		}
	}
}

/* A process's limits: an array of objects, and the binding one's kind. */
FW_INLINE void limits_fields(struct fw *w, const struct limit_state *st)
{
	const struct limit *b = limit_state_binding(st);
	json_t *a = w->o ? json_array() : NULL;

	if (!w->o)
		mix(w, st->n);
	for (size_t i = 0; i < st->n; i++) {
		const struct limit *l = &st->v[i];
		struct fw s = {a ? json_object() : NULL, w->h};

		f_str(&s, "kind", limit_kind_name(l->kind));
		f_bytes(&s, "limit_bytes", l->limit_bytes);
		f_bytes(&s, "used_bytes", l->used_bytes);
		f_num(&s, "used_pct", limit_used_pct(l));
		f_num(&s, "ttl_s", l->ttl_s);
		f_pair(&s, "ttl_band_s", isfinite(l->ttl_s), l->ttl_lo_s, l->ttl_hi_s, true);
		f_bool(&s, "imminent", l->imminent);
		f_str(&s, "source", l->source);
		if (a)
			json_array_append_new(a, s.o);
		else
			w->h = s.h;
	}
	if (a)
		set(w->o, "limits", a);
	f_str(w, "binding_limit", b ? limit_kind_name(b->kind) : NULL);
}

/* An entity is its body fields and then its trend (entity_json): the log
 * writer keeps the two texts apart (see out_json_line). */
/* "container" (null when the cgroup is in none) and "unit" (null when it
 * is no systemd unit's), on cgroups and on processes through their cgroup. */
FW_INLINE void container_fields(struct fw *w, const struct container *ct)
{
	struct fw co;

	if (ct->runtime && ct->runtime[0]) {
		f_begin(w, &co);
		f_str(&co, "runtime", ct->runtime);
		f_str(&co, "id", ct->id);
		f_str(&co, "name", ct->name);
		f_str(&co, "pod_uid", ct->pod_uid);
		f_str(&co, "qos", ct->qos);
		f_str(&co, "pod_name", ct->pod_name);
		f_str(&co, "pod_namespace", ct->pod_namespace);
		f_end(w, "container", &co);
	} else {
		f_null(w, "container");
	}
	f_str(w, "unit", ct->unit);
}

FW_INLINE void process_body(struct fw *w, const struct proc_entity *p)
{
	char state[2] = {p->state, '\0'};

	f_int(w, "pid", p->pid);
	f_int(w, "ppid", p->ppid);
	f_str(w, "name", p->name);
	f_str(w, "cmdline", p->cmdline);
	f_str(w, "user", p->user);
	f_int(w, "uid", p->uid);
	f_int(w, "start_time_ms", p->start_time_ms);
	f_str(w, "state", p->state && p->state != '?' ? state : NULL);
	f_int(w, "threads", p->threads);
	f_str(w, "cgroup", p->cgroup);
	container_fields(w, &p->container);
	f_bytes(w, "rss_bytes", p->rss_bytes);
	f_bytes(w, "rss_anon_bytes", p->rss_anon_bytes);
	f_bytes(w, "rss_file_bytes", p->rss_file_bytes);
	f_bytes(w, "rss_shmem_bytes", p->rss_shmem_bytes);
	f_bytes(w, "swap_bytes", p->swap_bytes);
	f_bytes(w, "peak_rss_bytes", p->peak_rss_bytes);
	f_bytes(w, "pss_bytes", p->pss_bytes);
	f_bytes(w, "uss_bytes", p->uss_bytes);
	f_int(w, "oom_score", p->oom_score);
	f_int(w, "oom_score_adj", p->oom_score_adj);
	f_str(w, "usage_basis", p->usage_basis);
	f_bytes(w, "vm_size_bytes", p->vm_size_bytes);
	f_bytes(w, "vm_data_bytes", p->vm_data_bytes);
	limits_fields(w, &p->limits);
	f_bool(w, "selected", p->selected);
	f_bool(w, "alive", p->alive);
	series_fields(w, 'p', p);
}

/* An integer under a key that comes from the kernel (memory.stat): the key
 * is part of the value. */
FW_INLINE void f_kv(struct fw *w, const char *k, int64_t v)
{
	if (!w->o)
		mix_bytes(w, k, strlen(k));
	f_int(w, k, v);
}

/* An array of PIDs. */
FW_INLINE void f_pids(struct fw *w, const char *k, const pid_t *pids, size_t n)
{
	if (w->o) {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_integer(pids[i]));
		set(w->o, k, a);
		return;
	}
	mix(w, n);
	for (size_t i = 0; i < n; i++)
		mix(w, (uint64_t)pids[i]);
}

FW_INLINE void tree_body(struct fw *w, const struct tree_entity *t)
{
	f_int(w, "root_pid", t->root_pid);
	f_str(w, "name", t->name);
	f_pids(w, "pids", t->pids, t->n_procs);
	f_int(w, "n_procs", (int64_t)t->n_procs);
	f_bytes(w, "rss_bytes", t->rss_bytes);
	f_bytes(w, "swap_bytes", t->swap_bytes);
	f_bytes(w, "pss_bytes", t->pss_bytes);
	f_bytes(w, "peak_rss_bytes", t->peak_rss_bytes);
	f_bool(w, "alive", t->alive);
	series_fields(w, 't', t);
}

FW_INLINE void cgroup_body(struct fw *w, const struct cgroup_entity *c)
{
	const struct cgroup_sample *s = &c->s;
	struct fw ev, st, v1;

	f_str(w, "path", s->path);
	container_fields(w, &c->container);
	f_int(w, "version", s->version ? s->version : MS_ABSENT);
	f_bool(w, "exists", s->exists);
	f_str(w, "ended", c->ended_ms < 0 ? NULL : s->exists ? "emptied" : "gone");
	f_bytes(w, "current_bytes", s->current_bytes);
	f_bytes(w, "max_bytes", s->max_bytes);
	f_bytes(w, "high_bytes", s->high_bytes);
	f_bytes(w, "low_bytes", s->low_bytes);
	f_bytes(w, "min_bytes", s->min_bytes);
	f_bytes(w, "peak_bytes", s->peak_bytes);
	f_bytes(w, "swap_current_bytes", s->swap_current_bytes);
	f_bytes(w, "swap_max_bytes", s->swap_max_bytes);
	f_begin(w, &ev);
	f_int(&ev, "low", s->ev_low);
	f_int(&ev, "high", s->ev_high);
	f_int(&ev, "max", s->ev_max);
	f_int(&ev, "oom", s->ev_oom);
	f_int(&ev, "oom_kill", s->ev_oom_kill);
	f_int(&ev, "oom_group_kill", s->ev_oom_group_kill);
	f_end(w, "events", &ev);
	if (s->version == CGROUP_V1) {
		f_begin(w, &v1);
		f_int(&v1, "failcnt", s->v1_failcnt);
		f_int(&v1, "under_oom", s->v1_under_oom);
		f_int(&v1, "oom_kill_disable", s->v1_oom_kill_disable);
		f_end(w, "v1", &v1);
	} else {
		f_null(w, "v1");
	}
	f_begin(w, &st);
	if (!st.o)
		mix(&st, s->n_stat);
	for (size_t i = 0; i < s->n_stat; i++)
		f_kv(&st, s->stat[i].key, s->stat[i].value);
	f_end(w, "stat", &st);
	psi_fields(w, "pressure", &s->pressure);
	f_bytes(w, "working_set_bytes", s->working_set_bytes);
	f_bytes(w, "effective_high_bytes", s->effective_high_bytes);
	f_str(w, "effective_high_source", s->effective_high_source);
	f_bool(w, "selected", c->selected);
	series_fields(w, 'c', c);
}

/* The body of an entity, walked (inlined into both callers, so the
 * signature's walk has no jansson branches). */
FW_INLINE void body_fields(struct fw *w, char kind, const void *entity)
{
	if (kind == 'p')
		process_body(w, entity);
	else if (kind == 't')
		tree_body(w, entity);
	else
		cgroup_body(w, entity);
}

static json_t *body_json(char kind, const void *entity)
{
	struct fw w = {json_object(), 0};

	body_fields(&w, kind, entity);
	return w.o;
}

/* An entity's main series: its trend is written after its body. */
static const struct trend_result *entity_trend(char kind, const void *entity)
{
	return trend_get(&model_series_of(series_main_of(kind), entity)->trend);
}

/* A whole entity: its body, then its trend. */
static json_t *entity_json(char kind, const void *entity)
{
	json_t *o = body_json(kind, entity);

	set(o, series_table[series_main_of(kind)].json.trend, out_json_trend(entity_trend(kind, entity)));
	return o;
}

json_t *out_json_process(const struct proc_entity *p)
{
	return entity_json('p', p);
}

json_t *out_json_tree(const struct tree_entity *t)
{
	return entity_json('t', t);
}

json_t *out_json_cgroup(const struct cgroup_entity *c)
{
	return entity_json('c', c);
}

json_t *out_json_event(const struct event *e)
{
	json_t *o = json_object();
	char when[40];

	out_json_time(e->time_ms, when, sizeof(when));
	set(o, "time_ms", json_integer(e->time_ms));
	set(o, "time", json_string(when));
	set(o, "kind", json_string(model_event_kind_name(e->kind)));
	if (e->pid)
		set(o, "pid", json_integer(e->pid));
	if (e->cgroup)
		set(o, "cgroup", j_str(e->cgroup));
	if (e->limit)
		set(o, "limit", json_string(e->limit));
	set(o, "message", j_str(e->message));
	return o;
}

/* What --replay --log needs to re-run the analysis of a log line. */
static void analysis_fields(json_t *doc, const struct model *m)
{
	json_t *a = json_object();

	set(doc, "mono_ms", json_integer(m->mono_ms));
	set(a, "everything", json_boolean(m->analysis.all));
	set(a, "trees", json_boolean(m->analysis.trees));
	set(a, "launch_pid", m->analysis.keep_pid > 0 ? json_integer(m->analysis.keep_pid) : json_null());
	set(a, "warn_pct", json_integer(m->warn_pct));
	set(a, "crit_pct", json_integer(m->crit_pct));
	set(doc, "analysis", a);
}

json_t *out_json_header(const struct model *m, const char *type)
{
	json_t *o = json_object(), *sys = json_object(), *self = json_object();
	char when[40];

	out_json_time(m->time_ms, when, sizeof(when));
	set(o, "schema", json_string(OUT_JSON_SCHEMA_ID));
	if (type)
		set(o, "type", json_string(type));
	set(o, "time", json_string(when));
	set(o, "time_ms", json_integer(m->time_ms));
	set(o, "host", j_str(m->host));
	set(o, "interval_ms", json_integer(m->interval_ms));
	set(o, "cgroup_version", m->cgroup_version ? json_string(m->cgroup_version) : json_null());
	set(sys, "mem_total_bytes", j_bytes(m->sys.mem_total_bytes));
	set(sys, "mem_available_bytes", j_bytes(m->sys.mem_available_bytes));
	set(sys, "swap_total_bytes", j_bytes(m->sys.swap_total_bytes));
	set(sys, "swap_free_bytes", j_bytes(m->sys.swap_free_bytes));
	set(sys, "commit_limit_bytes", j_bytes(m->sys.commit_limit_bytes));
	set(sys, "committed_as_bytes", j_bytes(m->sys.committed_as_bytes));
	set(sys, "overcommit_mode", m->sys.overcommit_mode >= 0 ? json_integer(m->sys.overcommit_mode) : json_null());
	set(sys, "pressure", out_json_psi(&m->sys.pressure));
	set(o, "system", sys);
	set(self, "cpu_pct", j_num(m->self.cpu_pct));
	set(self, "rss_bytes", j_bytes(m->self.rss_bytes));
	set(self, "sample_cost_us_per_process", j_num(m->self.sample_cost_us_per_process));
	set(self, "fds", j_int(m->self.n_fds));
	set(o, "self", self);
	if (m->n_gpus) {
		json_t *gpus = json_array();

		for (size_t i = 0; i < m->n_gpus; i++) {
			json_t *g = json_object();

			set(g, "index", json_integer(m->gpus[i].index));
			set(g, "name", j_str(m->gpus[i].name));
			set(g, "used_bytes", j_bytes(m->gpus[i].used_bytes));
			set(g, "total_bytes", j_bytes(m->gpus[i].total_bytes));
			set(g, "free_bytes", j_bytes(m->gpus[i].free_bytes));
			json_array_append_new(gpus, g);
		}
		set(o, "gpus", gpus);
		set(o, "gpu_pid_map", j_str(m->gpu_pid_map));
		set(o, "gpu_unmapped_processes", json_integer((json_int_t)m->gpu_unmapped));
		/* When the GPUs were read (they are read about once a second,
		 * not every interval): a re-analysis feeds each reading once. */
		set(o, "gpu_mono_ms", json_integer(m->gpu_t_ms));
	}
	analysis_fields(o, m);
	return o;
}

json_t *out_json_snapshot(const struct model *m, bool all_events)
{
	json_t *o = out_json_header(m, NULL);
	json_t *procs = json_array(), *trees = json_array(), *cgs = json_array(), *evs = json_array();
	const struct event *first;
	size_t n;

	for (size_t i = 0; i < m->n_procs; i++)
		json_array_append_new(procs, out_json_process(m->procs[i]));
	for (size_t i = 0; i < m->n_trees; i++)
		json_array_append_new(trees, out_json_tree(m->trees[i]));
	for (size_t i = 0; i < m->n_cgroups; i++)
		json_array_append_new(cgs, out_json_cgroup(m->cgroups[i]));
	if (all_events) {
		for (size_t i = 0; i < m->ev_len; i++)
			json_array_append_new(evs, out_json_event(model_event_at(m, i)));
	} else {
		n = model_events_this_tick(m, &first);
		for (size_t i = 0; i < n; i++)
			json_array_append_new(evs, out_json_event(model_event_at(m, m->ev_len - n + i)));
	}
	set(o, "processes", procs);
	set(o, "trees", trees);
	set(o, "cgroups", cgs);
	set(o, "events", evs);
	return o;
}

json_t *out_json_postmortem(const struct launch *l, const struct model *m,
			    const struct check_state *check)
{
	struct proc_entity *p = model_proc_find(m, l->pid);
	struct tree_entity *t = model_tree_find(m, l->pid);
	const struct trend_result *r = t ? trend_get(&t->trend) : p ? trend_get(&p->trend) : NULL;
	json_t *o = json_object(), *cmd = json_array(), *chk;
	char when[40];

	for (char **s = l->argv; *s; s++) {
		/* An argument that is not UTF-8 goes in sanitised. */
		json_t *arg = json_string(*s);

		if (!arg) {
			char *clean = util_sanitize(*s);

			arg = json_string(clean);
			free(clean);
		}
		json_array_append_new(cmd, arg ? arg : json_string("?"));
	}
	out_json_time(m->time_ms, when, sizeof(when));
	json_object_set_new(o, "schema", json_string(OUT_JSON_SCHEMA_ID));
	json_object_set_new(o, "type", json_string("postmortem"));
	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "time_ms", json_integer(m->time_ms));
	json_object_set_new(o, "host", json_string(m->host));
	json_object_set_new(o, "command", cmd);
	json_object_set_new(o, "pid", json_integer(l->pid));
	json_object_set_new(o, "runtime_s", json_real((double)(l->end_mono_ms - l->start_mono_ms) / 1000.0));
	if (WIFEXITED(l->status)) {
		json_object_set_new(o, "exit_status", json_integer(WEXITSTATUS(l->status)));
		json_object_set_new(o, "signal", json_null());
	} else {
		json_object_set_new(o, "exit_status", json_null());
		char sig[32];

		launch_signal_name(l->status, sig, sizeof(sig));
		json_object_set_new(o, "signal", json_string(sig));
	}
	json_object_set_new(o, "peak_rss_bytes", ms_has(l->peak_rss_bytes) ? json_integer(l->peak_rss_bytes) : json_null());
	json_object_set_new(o, "peak_tree_rss_bytes",
			    ms_has(l->peak_tree_rss_bytes) ? json_integer(l->peak_tree_rss_bytes) : json_null());
	json_object_set_new(o, "verdict", json_string(trend_verdict_name(r ? r->verdict : TREND_UNKNOWN)));
	json_object_set_new(o, "slope_bytes_per_s",
			    r && isfinite(r->slope_bytes_per_s) ? json_real(r->slope_bytes_per_s) : json_null());
	json_object_set_new(o, "time_above_high_s", json_real((double)l->above_high_ms / 1000.0));
	json_object_set_new(o, "limit_bytes", p && ms_has(p->limit_bytes) ? json_integer(p->limit_bytes) : json_null());
	json_object_set_new(o, "limit_source", p && p->limit_source ? json_string(p->limit_source) : json_null());
	json_object_set_new(o, "peak_used_bytes", ms_has(l->peak_used_bytes) ? json_integer(l->peak_used_bytes) : json_null());
	json_object_set_new(o, "usage_basis", l->used_basis ? json_string(l->used_basis) : json_null());
	json_object_set_new(o, "oom_killed", json_boolean(l->oom_killed));
	json_object_set_new(o, "oom_imminent_fired", json_boolean(l->oom_imminent_fired));
	if (m->n_gpus) {
		const struct gpu_series *g = t && t->gpu ? t->gpu : p ? p->gpu : NULL;

		json_object_set_new(o, "gpu_peak_bytes", g && ms_has(g->peak_bytes) ? json_integer(g->peak_bytes) : json_null());
		json_object_set_new(o, "gpu_limit_bytes", g && ms_has(g->last_limit_bytes) ? json_integer(g->last_limit_bytes) : json_null());
		json_object_set_new(o, "cuda_oom_likely", json_boolean(update_gpu_oom_likely(g, l->status)));
	}
	json_object_set_new(o, "limit_imminent_fired",
			    l->limit_imminent_kind >= 0 ? json_string(limit_kind_name((enum limit_kind)l->limit_imminent_kind))
							: json_null());
	{
		struct limit lim;
		struct limit_verdict v = launch_cause(l, m, &lim);
		json_t *cl = json_null();

		json_object_set_new(o, "cause", json_string(limit_cause_name(v.cause)));
		json_object_set_new(o, "cause_likely", json_boolean(v.likely));
		if (v.limit >= 0) {
			cl = json_object();
			json_object_set_new(cl, "kind", json_string(limit_kind_name(lim.kind)));
			json_object_set_new(cl, "limit_bytes", json_integer(lim.limit_bytes));
			json_object_set_new(cl, "used_bytes", ms_has(lim.used_bytes) ? json_integer(lim.used_bytes) : json_null());
			json_object_set_new(cl, "source", lim.source ? j_str(lim.source) : json_null());
		}
		json_object_set_new(o, "cause_limit", cl);
	}
	if (check) {
		json_t *reasons = json_array();

		chk = json_object();
		for (size_t i = 0; i < check->n; i++)
			json_array_append_new(reasons, json_string(check->reasons[i]));
		json_object_set_new(chk, "failed", json_boolean(check->n > 0));
		json_object_set_new(chk, "reasons", reasons);
	} else {
		chk = json_null();
	}
	json_object_set_new(o, "check", chk);
	return o;
}

json_t *out_json_checkpoint(const struct model *m)
{
	json_t *doc = out_json_snapshot(m, true), *procs = json_object_get(doc, "processes");

	for (size_t i = 0; i < m->n_procs; i++)
		if (!m->procs[i]->alive && m->procs[i]->exit_ms >= 0)
			json_object_set_new(json_array_get(procs, i), "replay_exit_ms",
					    json_integer(m->procs[i]->exit_ms));
	return doc;
}

char *out_json_export(const struct model *m, const char *dir, gid_t gid, char **err)
{
	char when[40];
	json_t *doc;
	char *path;

	out_json_time(m->time_ms, when, sizeof(when));
	for (char *c = when; *c; c++)
		if (*c == ':')
			*c = '-';
	path = xasprintf("%s/memslope-%s-%s.json", dir, m->host, when);
	doc = out_json_snapshot(m, true);
	if (out_json_write_atomic(doc, path, gid, err) < 0) {
		json_decref(doc);
		free(path);
		return NULL;
	}
	json_decref(doc);
	return path;
}

/* The status line after 'e': the file name first (an 80-column line cuts
 * a long directory), then where it is. */
char *out_json_export_status(const char *path, const char *err)
{
	const char *base;

	if (!path)
		return xasprintf("export failed: %s", err ? err : "unknown error");
	base = strrchr(path, '/');
	if (!base)
		return xasprintf("snapshot written to %s", path);
	return xasprintf("snapshot written to %s in %.*s", base + 1, (int)(base - path), path);
}

int out_json_write_atomic(json_t *doc, const char *path, gid_t gid, char **err)
{
	/* mkostemp: a new file (O_EXCL) under a name nobody can guess, in the
	 * target's directory so that rename() is atomic. A planted symbolic
	 * link is never followed. */
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	char *text = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
	size_t len, off = 0;
	int fd, rc = -1;

	if (!text)
		fatal("out of memory (JSON)");
	len = strlen(text);
	fd = mkostemp(tmp, O_CLOEXEC); /* 0600 */
	if (fd < 0 || (gid != (gid_t)-1 && (fchown(fd, (uid_t)-1, gid) < 0 || fchmod(fd, 0640) < 0))) {
		*err = xasprintf("cannot write %s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		goto out;
	}
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			*err = xasprintf("cannot write %s: %s", path, strerror(errno));
			close(fd);
			unlink(tmp);
			goto out;
		}
		off += (size_t)w;
	}
	if (write(fd, "\n", 1) != 1 || fsync(fd) < 0) {
		*err = xasprintf("cannot write %s: %s", path, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		*err = xasprintf("cannot rename %s to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(text);
	free(tmp);
	return rc;
}

/* ---- log lines with per-entity text reuse ---- */

#define SIG_SEED 0x6d656d736c6f7065ULL

static uint64_t body_sig(char kind, const void *entity)
{
	struct fw w = {NULL, SIG_SEED};

	body_fields(&w, kind, entity);
	return w.h;
}

static uint64_t trend_sig(const struct trend_result *r)
{
	struct fw w = {NULL, SIG_SEED ^ 0x7472656e64ULL};

	trend_body(&w, r);
	return w.h;
}

struct jc_entry {
	char kind;        /* 'p' process, 't' tree, 'c' cgroup */
	pid_t pid;        /* process pid, tree root */
	uint64_t start;   /* start ticks */
	char *path;       /* cgroup path */
	uint64_t sig;     /* signature of the body the text was made from */
	char *text;       /* jansson's compact text of the body, without its '}' */
	size_t len;
	uint64_t tsig;    /* signature of the trend ttext was made from */
	char *ttext;      /* jansson's compact text of the trend object */
	size_t tlen;
	uint32_t gen;     /* last call that saw the entity */
};

/* Trend texts by signature, direct-mapped: idle processes all have the same
 * trend (stable, slope 0, the same window), and while the trend windows
 * fill, every process's window_s moves on the same ticks: one jansson
 * object a distinct trend, not one a process. */
#define TMEMO 64
struct tmemo {
	uint64_t sig;
	char *text;
	size_t len;
};

struct out_json_cache {
	struct jc_entry **tab, **old; /* open addressing, linear probing */
	size_t cap, old_cap;
	uint32_t gen;
	char *buf;
	size_t len, size;
	struct tmemo tmemo[TMEMO];
};

struct out_json_cache *out_json_cache_new(void)
{
	return xcalloc(1, sizeof(struct out_json_cache));
}

static void jc_free_entry(struct jc_entry *e)
{
	free(e->path);
	free(e->text);
	free(e->ttext);
	free(e);
}

void out_json_cache_free(struct out_json_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->cap; i++)
		if (c->tab[i])
			jc_free_entry(c->tab[i]);
	for (size_t i = 0; i < TMEMO; i++)
		free(c->tmemo[i].text);
	free(c->tab);
	free(c->old);
	free(c->buf);
	free(c);
}

static uint64_t jc_key(char kind, pid_t pid, uint64_t start, const char *path)
{
	struct fw w = {NULL, (uint64_t)(unsigned char)kind};

	mix(&w, (uint64_t)pid);
	mix(&w, start);
	if (path)
		mix_bytes(&w, path, strlen(path));
	return w.h ^ (w.h >> 31);
}

static bool jc_same(const struct jc_entry *e, char kind, pid_t pid, uint64_t start, const char *path)
{
	if (e->kind != kind || e->pid != pid || e->start != start)
		return false;
	return kind != 'c' || strcmp(e->path, path) == 0;
}

static void buf_reserve(struct out_json_cache *c, size_t n)
{
	if (c->len + n + 1 > c->size) {
		while (c->len + n + 1 > c->size)
			c->size = c->size ? c->size * 2 : 65536;
		c->buf = xrealloc(c->buf, c->size);
	}
}

static void buf_put(struct out_json_cache *c, const char *s, size_t n)
{
	buf_reserve(c, n);
	memcpy(c->buf + c->len, s, n);
	c->len += n;
	c->buf[c->len] = '\0';
}

static char *dump_compact(json_t *v, size_t *len)
{
	char *t = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII);

	if (!t)
		fatal("out of memory (JSON)");
	*len = strlen(t);
	return t;
}

/* The entity's cache entry, brought up to date: found in the previous call's
 * table (or made), its text made again by jansson if its signature changed,
 * and put in this call's table. *changed: new or different since last time. */
static struct jc_entry *jc_get(struct out_json_cache *c, char kind, pid_t pid, uint64_t start,
			       const char *path, const void *entity, bool *changed)
{
	uint64_t key = jc_key(kind, pid, start, path);
	struct jc_entry *e = NULL;
	const struct trend_result *r;
	uint64_t sig, tsig;

	if (c->old_cap) {
		for (size_t i = key & (c->old_cap - 1);; i = (i + 1) & (c->old_cap - 1)) {
			if (!c->old[i])
				break;
			if (jc_same(c->old[i], kind, pid, start, path)) {
				e = c->old[i];
				break;
			}
		}
	}
	sig = body_sig(kind, entity);
	r = entity_trend(kind, entity);
	tsig = trend_sig(r);
	*changed = !e || !e->text || e->sig != sig || e->tsig != tsig;
	if (!e) {
		e = xcalloc(1, sizeof(*e));
		e->kind = kind;
		e->pid = pid;
		e->start = start;
		e->path = path ? xstrdup(path) : NULL;
	}
	if (!e->text || e->sig != sig) {
		json_t *o = body_json(kind, entity);

		free(e->text);
		e->text = dump_compact(o, &e->len);
		e->len--; /* without the closing brace: the trend follows */
		json_decref(o);
		e->sig = sig;
	}
	if (!e->ttext || e->tsig != tsig) {
		struct tmemo *t = &c->tmemo[tsig & (TMEMO - 1)];

		if (!t->text || t->sig != tsig) {
			json_t *o = out_json_trend(r);

			free(t->text);
			t->text = dump_compact(o, &t->len);
			t->sig = tsig;
			json_decref(o);
		}
		free(e->ttext);
		e->ttext = xmalloc(t->len + 1);
		memcpy(e->ttext, t->text, t->len + 1);
		e->tlen = t->len;
		e->tsig = tsig;
	}
	if (e->gen != c->gen) { /* not yet in this call's table */
		size_t i = key & (c->cap - 1);

		while (c->tab[i])
			i = (i + 1) & (c->cap - 1);
		c->tab[i] = e;
		e->gen = c->gen;
	}
	return e;
}

/* [","] body ",\"trend\":" trend "}" */
static void jc_append(struct out_json_cache *c, const struct jc_entry *e, bool *first)
{
	static const char tkey[] = ",\"trend\":";
	char *d;

	buf_reserve(c, 1 + e->len + sizeof(tkey) - 1 + e->tlen + 1);
	d = c->buf + c->len;
	if (!*first)
		*d++ = ',';
	*first = false;
	memcpy(d, e->text, e->len);
	d += e->len;
	memcpy(d, tkey, sizeof(tkey) - 1);
	d += sizeof(tkey) - 1;
	memcpy(d, e->ttext, e->tlen);
	d += e->tlen;
	*d++ = '}';
	*d = '\0';
	c->len = (size_t)(d - c->buf);
}

const char *out_json_line(struct out_json_cache *c, const struct model *m, bool delta, size_t *len)
{
	size_t n = m->n_procs + m->n_trees + m->n_cgroups, want = 64, hlen, tcap;
	json_t *doc = out_json_header(m, delta ? "delta" : "snapshot"), *evs = json_array();
	const struct event *first_ev;
	struct jc_entry **t;
	bool changed, first;
	char *head;

	/* This call's table: twice the entities, a power of two. */
	while (want < 2 * n)
		want *= 2;
	t = c->old;
	tcap = c->old_cap;
	c->old = c->tab;
	c->old_cap = c->cap;
	if (tcap != want)
		t = xrealloc(t, want * sizeof(*t));
	memset(t, 0, want * sizeof(*t));
	c->tab = t;
	c->cap = want;
	c->gen++;

	/* The header and this tick's events, by jansson; the entity arrays are
	 * joined onto it before its closing brace. */
	for (size_t i = 0, ne = model_events_this_tick(m, &first_ev); i < ne; i++)
		json_array_append_new(evs, out_json_event(model_event_at(m, m->ev_len - ne + i)));
	set(doc, "events", evs);
	head = dump_compact(doc, &hlen);
	json_decref(doc);
	c->len = 0;
	buf_put(c, head, hlen - 1); /* without the final '}' */
	free(head);

	buf_put(c, ",\"processes\":[", 14);
	first = true;
	for (size_t i = 0; i < m->n_procs; i++) {
		const struct proc_entity *p = m->procs[i];
		struct jc_entry *e = jc_get(c, 'p', p->pid, p->start_ticks, NULL, p, &changed);

		if (!delta || changed)
			jc_append(c, e, &first);
	}
	buf_put(c, "],\"trees\":[", 11);
	first = true;
	for (size_t i = 0; i < m->n_trees; i++) {
		const struct tree_entity *tr = m->trees[i];
		struct jc_entry *e = jc_get(c, 't', tr->root_pid, tr->root_start_ticks, NULL, tr, &changed);

		if (!delta || changed)
			jc_append(c, e, &first);
	}
	buf_put(c, "],\"cgroups\":[", 13);
	first = true;
	for (size_t i = 0; i < m->n_cgroups; i++) {
		const struct cgroup_entity *cg = m->cgroups[i];
		struct jc_entry *e = jc_get(c, 'c', 0, 0, cg->s.path ? cg->s.path : "", cg, &changed);

		if (!delta || changed)
			jc_append(c, e, &first);
	}
	buf_put(c, "]}", 2);

	/* Entities gone since the previous call. */
	for (size_t i = 0; i < c->old_cap; i++)
		if (c->old[i] && c->old[i]->gen != c->gen)
			jc_free_entry(c->old[i]);
	*len = c->len;
	return c->buf;
}
