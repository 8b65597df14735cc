/* replay: a recorded NDJSON log as a sampler, and the browser over its
 * re-analysis. See replay.h.
 *
 * A log line is a snapshot (every entity) or a delta (only the entities
 * whose JSON changed since the last line; the first line of every file is a
 * snapshot). Applying a line updates only the fields present; a snapshot
 * line also says what went (what it lacks). What a delta cannot say — that
 * an entity went away — is never guessed here: the update stage decides it.
 * The sampler (replay_feed) keeps only what a sampler reads (live processes,
 * and the cgroups and trees the update stage still holds); the browser
 * applies, with each line of the re-analysis, the entities the update stage
 * dropped at that tick (recorded at open).
 *
 * replay_open runs the analysis once over the whole log: each line through
 * replay_feed and update_tick (as --replay --log does), the result written
 * as a log line (out_json_line, the lines --replay --log - writes) to an
 * unlinked temporary file, and kept: an index of those lines with what
 * the update stage dropped at each, every history point and a checkpoint
 * of the update stage's model every 16 lines, written by out_json as snapshot lines — the log format is also
 * the checkpoint format — plus the exit time of an exited process
 * ("replay_exit_ms"), so that a model rebuilt from a checkpoint is the
 * model stepped to line by line (tests/test_replay.c). */
#include "replay.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out_json.h"
#include "update.h"
#include "util.h"

/* A line longer than this is not one memslope wrote (a snapshot of 10 000
 * processes is about 10 MB). */
#define LINE_MAX_BYTES (64u << 20)
/* Bounds on what a (hostile) log can make the model hold. */
#define PROCS_MAX 16384
#define TREES_MAX 4096
#define CGROUPS_MAX 4096
#define TREE_PIDS_MAX 65536
#define STAT_KEYS_MAX 512
/* Checkpoints: the model every CHECKPOINT_EVERY lines as a snapshot line,
 * spaced wider (by doubling) when they would take more than this. */
#define CHECKPOINT_EVERY 16
#define CHECKPOINT_BYTES_MAX (64u << 20)
/* History points recorded at open (16 bytes each); past this, seeks into
 * the rest of the log rebuild histories by re-reading lines. */
#define POINTS_MAX (4u << 20)

struct line_ref {
	off_t off;           /* browse: of the re-analysed line, in the temporary file */
	uint32_t len;        /* bytes, without the newline */
	bool snapshot;
	size_t lineno;       /* 1-based, in the file */
	int64_t time_ms;
	size_t pt_off;       /* its history points: pts[pt_off .. pt_off + n_pts) */
	uint32_t n_pts;
	size_t gone_off;     /* the series the update stage dropped at this line: */
	uint32_t n_gone;     /* gone[gone_off .. gone_off + n_gone) */
};

/* One history series: a process (pid, start), a tree (root) or a cgroup. */
struct series {
	char kind;           /* 'p', 't', 'c' */
	pid_t pid;
	int64_t start_ms;
	char *path;
};

/* A value pushed to a series' history at a line. */
struct point {
	int64_t bytes;
	uint32_t series;
};

struct checkpoint {
	size_t idx;          /* the model as of this line */
	char *text;          /* a snapshot line, with all events */
	size_t len;
};

/* The update stage over the log's lines (--replay --log, and the browser's
 * pass at open). */
struct analysis {
	struct replay_feed *f;
	struct model *m;             /* NULL before the first line */
	struct update u;
	int warn_pct, crit_pct;      /* when the log does not record them */
};

struct replay {
	char *path;
	int fd;                    /* the log */
	bool browse;               /* re-analysed at open, for the browser */
	int dfd;                   /* browse: the re-analysed lines (unlinked temporary file) */
	off_t dlen;
	struct analysis an;        /* browse: only while opening */
	struct out_json_cache *cache;
	int warn_pct, crit_pct;    /* the analysis' thresholds, for the model browsed */
	/* Lines on which a recorded verdict differs from the re-analysis. */
	size_t n_differ;
	char *first_differ;
	struct line_ref *lines;
	size_t n_lines, cap_lines;
	size_t pos;
	const struct model *built; /* the model of the last seek, NULL if none */
	char *buf;                 /* one line read back, NUL-terminated */
	size_t cap_buf;
	char *note;
	char *fatal;               /* opening failed (the temporary file) */
	/* Lines that are not memslope/1 log lines are skipped and counted; the
	 * first one's reason is kept for the note (or the error when no line
	 * is usable). */
	size_t n_bad, bad_lineno;
	char *first_bad;
	bool last_incomplete;
	/* Made at open by the pass over the log, so that a seek applies at
	 * most cp_every lines and takes histories from pts. */
	struct checkpoint *cps;
	size_t n_cps, cap_cps, cp_every, cp_bytes;
	struct series *series;
	size_t n_series, cap_series;
	uint32_t *hash;            /* open addressing into series, UINT32_MAX empty */
	size_t cap_hash;
	struct point *pts;
	size_t n_pts, cap_pts;
	size_t n_recorded;         /* lines 0 .. n_recorded - 1 have their points */
	uint32_t *gone;            /* series ids, per line (line_ref.gone_off) */
	size_t n_gone, cap_gone;
	/* While opening: the series the update stage's model held at the last
	 * line, and per series id the line (+1) it was last held at. */
	uint32_t *held;
	size_t n_held;
	size_t *mark, cap_mark;
};

/* ---- JSON values into model fields: a missing key leaves the field ---- */

static bool has(json_t *o, const char *k, json_t **v)
{
	*v = json_object_get(o, k);
	return *v != NULL;
}

/* Bytes: an integer >= 0, "max" (unlimited), anything else absent. */
static void upd_bytes(json_t *o, const char *k, int64_t *dst)
{
	json_t *v;

	if (!has(o, k, &v))
		return;
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		*dst = json_integer_value(v);
	else if (json_is_string(v) && strcmp(json_string_value(v), "max") == 0)
		*dst = MS_UNLIMITED;
	else
		*dst = MS_ABSENT;
}

static void upd_count(json_t *o, const char *k, int64_t *dst)
{
	json_t *v;

	if (has(o, k, &v))
		*dst = json_is_integer(v) && json_integer_value(v) >= 0 ? json_integer_value(v) : MS_ABSENT;
}

static void upd_int(json_t *o, const char *k, int64_t *dst)
{
	json_t *v;

	if (has(o, k, &v))
		*dst = json_is_integer(v) ? json_integer_value(v) : MS_ABSENT;
}

static void upd_num(json_t *o, const char *k, double *dst)
{
	json_t *v;

	if (has(o, k, &v))
		*dst = json_is_number(v) && isfinite(json_number_value(v)) ? json_number_value(v) : NAN;
}

static void upd_bool(json_t *o, const char *k, bool *dst)
{
	json_t *v;

	if (has(o, k, &v) && json_is_boolean(v))
		*dst = json_is_true(v);
}

static void upd_str(json_t *o, const char *k, char **dst)
{
	json_t *v;

	if (!has(o, k, &v) || !(json_is_string(v) || json_is_null(v)))
		return;
	free(*dst);
	*dst = json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

/* An integer in [lo, hi], else false. */
static bool get_range(json_t *o, const char *k, int64_t lo, int64_t hi, int64_t *out)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return false;
	*out = json_integer_value(v);
	return true;
}

static void pair(json_t *a, double *lo, double *hi, bool hi_open)
{
	json_t *l = json_array_get(a, 0), *h = json_array_get(a, 1);

	*lo = json_is_number(l) ? json_number_value(l) : NAN;
	*hi = json_is_number(h) ? json_number_value(h) : NAN;
	/* out_json writes an open upper end (INFINITY) as null. */
	if (hi_open && json_is_array(a) && json_is_null(h) && isfinite(*lo))
		*hi = INFINITY;
}

static void trend_from_json(json_t *o, struct trend_result *r)
{
	json_t *v;

	if (!json_is_object(o))
		return;
	memset(r, 0, sizeof(*r));
	r->verdict = TREND_UNKNOWN;
	r->slope_bytes_per_s = r->slope_lo_bytes_per_s = r->slope_hi_bytes_per_s = NAN;
	r->window_s = r->mk_z = r->mk_s_frac = r->r2 = NAN;
	r->tier = -1;
	r->ttl_s = r->ttl_lo_s = r->ttl_hi_s = r->ttl_max_s = NAN;
	r->ttl_target = TTL_NONE;
	v = json_object_get(o, "verdict");
	for (int i = TREND_UNKNOWN; i <= TREND_SHRINKING && json_is_string(v); i++)
		if (strcmp(json_string_value(v), trend_verdict_name((enum trend_verdict)i)) == 0)
			r->verdict = (enum trend_verdict)i;
	upd_num(o, "slope_bytes_per_s", &r->slope_bytes_per_s);
	pair(json_object_get(o, "slope_ci_bytes_per_s"), &r->slope_lo_bytes_per_s,
	     &r->slope_hi_bytes_per_s, false);
	upd_num(o, "window_s", &r->window_s);
	upd_num(o, "mk_z", &r->mk_z);
	upd_num(o, "r2", &r->r2);
	upd_num(o, "ttl_s", &r->ttl_s);
	pair(json_object_get(o, "ttl_band_s"), &r->ttl_lo_s, &r->ttl_hi_s, true);
	v = json_object_get(o, "ttl_target");
	if (json_is_string(v) && strcmp(json_string_value(v), "max") == 0)
		r->ttl_target = TTL_MAX;
	else if (json_is_string(v) && strcmp(json_string_value(v), "high") == 0)
		r->ttl_target = TTL_HIGH;
	if (r->ttl_target == TTL_MAX)
		r->ttl_max_s = r->ttl_s;
	upd_bool(o, "oom_imminent", &r->oom_imminent);
}

static void psi_from_json(json_t *o, const char *k, struct cgroup_psi *p)
{
	json_t *v;

	if (!has(o, k, &v))
		return;
	memset(p, 0, sizeof(*p));
	p->some_avg10 = p->some_avg60 = p->some_avg300 = NAN;
	p->full_avg10 = p->full_avg60 = p->full_avg300 = NAN;
	p->some_total_us = p->full_total_us = MS_ABSENT;
	if (!json_is_object(v))
		return;
	p->present = true;
	upd_num(v, "some_avg10", &p->some_avg10);
	upd_num(v, "some_avg60", &p->some_avg60);
	upd_num(v, "some_avg300", &p->some_avg300);
	upd_count(v, "some_total_us", &p->some_total_us);
	upd_num(v, "full_avg10", &p->full_avg10);
	upd_num(v, "full_avg60", &p->full_avg60);
	upd_num(v, "full_avg300", &p->full_avg300);
	upd_count(v, "full_total_us", &p->full_total_us);
}

/* ---- entities ---- */

/* "container" and "unit" as a live run wrote them: the path gives the
 * kinds and ids again, the log adds the names that came from the runtime's
 * state (and the runtime a bare Kubernetes id turned out to be). */
static void upd_container(json_t *o, const char *path, struct container *c)
{
	json_t *co;

	if (!has(o, "container", &co) && !has(o, "cgroup", &co) && !has(o, "path", &co))
		return;
	container_done(c);
	container_parse(path, c);
	co = json_object_get(o, "container");
	if (!json_is_object(co))
		return;
	c->runtime = container_runtime_known(json_string_value(json_object_get(co, "runtime")), c->runtime);
	upd_str(co, "name", &c->name);
	upd_str(co, "pod_name", &c->pod_name);
	upd_str(co, "pod_namespace", &c->pod_namespace);
	free(c->label);
	c->label = container_label(c);
}

static void cgroup_apply(struct cgroup_entity *c, json_t *o, int64_t t_ms)
{
	struct cgroup_sample *s = &c->s;
	json_t *v;

	if (has(o, "version", &v))
		s->version = json_is_integer(v) && json_integer_value(v) == 1   ? CGROUP_V1
			     : json_is_integer(v) && json_integer_value(v) == 2 ? CGROUP_V2
										 : CGROUP_NONE;
	upd_bool(o, "exists", &s->exists);
	if (has(o, "ended", &v))
		c->ended_ms = !json_is_string(v) ? -1 : c->ended_ms >= 0 ? c->ended_ms : t_ms;
	upd_bytes(o, "current_bytes", &s->current_bytes);
	upd_bytes(o, "max_bytes", &s->max_bytes);
	upd_bytes(o, "high_bytes", &s->high_bytes);
	upd_bytes(o, "low_bytes", &s->low_bytes);
	upd_bytes(o, "min_bytes", &s->min_bytes);
	upd_bytes(o, "peak_bytes", &s->peak_bytes);
	upd_bytes(o, "swap_current_bytes", &s->swap_current_bytes);
	upd_bytes(o, "swap_max_bytes", &s->swap_max_bytes);
	if (has(o, "events", &v)) {
		s->ev_low = s->ev_high = s->ev_max = MS_ABSENT;
		s->ev_oom = s->ev_oom_kill = s->ev_oom_group_kill = MS_ABSENT;
		if (json_is_object(v)) {
			upd_count(v, "low", &s->ev_low);
			upd_count(v, "high", &s->ev_high);
			upd_count(v, "max", &s->ev_max);
			upd_count(v, "oom", &s->ev_oom);
			upd_count(v, "oom_kill", &s->ev_oom_kill);
			upd_count(v, "oom_group_kill", &s->ev_oom_group_kill);
		}
	}
	if (has(o, "v1", &v)) {
		s->v1_failcnt = s->v1_under_oom = s->v1_oom_kill_disable = MS_ABSENT;
		if (json_is_object(v)) {
			upd_count(v, "failcnt", &s->v1_failcnt);
			upd_count(v, "under_oom", &s->v1_under_oom);
			upd_count(v, "oom_kill_disable", &s->v1_oom_kill_disable);
		}
	}
	if (has(o, "stat", &v)) {
		const char *key;
		json_t *val;

		cgroup_kv_free(s->stat, s->n_stat);
		s->stat = NULL;
		s->n_stat = 0;
		if (json_is_object(v))
			s->stat = xcalloc(json_object_size(v) < STAT_KEYS_MAX ? json_object_size(v) + 1
									  : STAT_KEYS_MAX,
					  sizeof(*s->stat));
		json_object_foreach(v, key, val) {
			/* Keys as cgroup_parse_stat accepts them. */
			if (s->n_stat == STAT_KEYS_MAX || !*key || strspn(key,
			    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(key))
				continue;
			s->stat[s->n_stat].key = xstrdup(key);
			s->stat[s->n_stat].value = json_is_integer(val) ? json_integer_value(val) : MS_ABSENT;
			s->n_stat++;
		}
	}
	psi_from_json(o, "pressure", &s->pressure);
	upd_bytes(o, "working_set_bytes", &s->working_set_bytes);
	upd_bytes(o, "effective_high_bytes", &s->effective_high_bytes);
	upd_str(o, "effective_high_source", &s->effective_high_source);
	upd_bytes(o, "effective_limit_bytes", &c->limit_bytes);
	upd_str(o, "effective_limit_source", &c->limit_source);
	/* The cgroup's own limit and its setter; "machine": none was set. */
	if (c->limit_source && strcmp(c->limit_source, "machine") == 0) {
		s->effective_limit_bytes = MS_UNLIMITED;
		model_set_str(&s->effective_limit_source, NULL);
	} else {
		s->effective_limit_bytes = c->limit_bytes;
		model_set_str(&s->effective_limit_source, c->limit_source);
	}
	upd_num(o, "usage_pct", &c->usage_pct);
	upd_bool(o, "selected", &c->selected);
	upd_container(o, c->s.path, &c->container);
	trend_from_json(json_object_get(o, "trend"), &c->trend.result);
}

static struct cgroup_entity *cgroup_new(struct model *m, const char *path)
{
	struct cgroup_entity *c = model_cgroup_add(m, path);
	struct cgroup_sample *s = &c->s;

	s->exists = true;
	s->current_bytes = s->max_bytes = s->high_bytes = s->low_bytes = MS_ABSENT;
	s->min_bytes = s->peak_bytes = s->swap_current_bytes = s->swap_max_bytes = MS_ABSENT;
	s->ev_low = s->ev_high = s->ev_max = s->ev_oom = s->ev_oom_kill = s->ev_oom_group_kill = MS_ABSENT;
	s->v1_failcnt = s->v1_under_oom = s->v1_oom_kill_disable = MS_ABSENT;
	s->working_set_bytes = s->effective_limit_bytes = s->effective_high_bytes = MS_ABSENT;
	return c;
}

/* A process's or tree's GPU fields (present where NVML was loaded and it
 * was seen on a GPU). */
static void gpu_series_apply(struct gpu_series **slot, json_t *o)
{
	struct gpu_series *g;
	json_t *v;

	if (!json_object_get(o, "gpu_memory_bytes"))
		return;
	if (!*slot)
		*slot = model_gpu_series_new();
	g = *slot;
	upd_bytes(o, "gpu_memory_bytes", &g->bytes);
	upd_bytes(o, "gpu_peak_bytes", &g->peak_bytes);
	upd_bytes(o, "gpu_limit_bytes", &g->limit_bytes);
	upd_num(o, "gpu_usage_pct", &g->usage_pct);
	if (has(o, "gpu_memory_per_gpu", &v) && json_is_array(v)) {
		g->n_cards = 0;
		for (size_t i = 0; i < json_array_size(v) && g->n_cards < GPU_SERIES_CARDS; i++) {
			json_t *e = json_array_get(v, i);
			int64_t idx;

			if (!get_range(e, "index", 0, UINT32_MAX, &idx))
				continue;
			g->cards[g->n_cards].index = (unsigned)idx;
			g->cards[g->n_cards].bytes = MS_ABSENT;
			upd_bytes(e, "used_bytes", &g->cards[g->n_cards].bytes);
			g->n_cards++;
		}
	}
	trend_from_json(json_object_get(o, "gpu_trend"), &g->trend.result);
}

/* The header's GPUs. */
static void gpus_apply(struct model *m, json_t *doc)
{
	static const char *const maps[] = {"host", "nspid", "unmapped"};
	json_t *v = json_object_get(doc, "gpus");
	int64_t n;

	if (!json_is_array(v))
		return;
	for (size_t i = 0; i < m->n_gpus; i++)
		free(m->gpus[i].name);
	m->n_gpus = 0;
	m->gpus = xrealloc(m->gpus, (json_array_size(v) + 1) * sizeof(*m->gpus));
	for (size_t i = 0; i < json_array_size(v); i++) {
		json_t *e = json_array_get(v, i), *name = json_object_get(e, "name");
		struct gpu_card_state *k = &m->gpus[m->n_gpus];
		int64_t idx;

		if (!get_range(e, "index", 0, UINT32_MAX, &idx))
			continue;
		k->index = (unsigned)idx;
		k->name = xstrdup(json_is_string(name) ? json_string_value(name) : "");
		k->used_bytes = k->total_bytes = k->free_bytes = MS_ABSENT;
		upd_bytes(e, "used_bytes", &k->used_bytes);
		upd_bytes(e, "total_bytes", &k->total_bytes);
		upd_bytes(e, "free_bytes", &k->free_bytes);
		m->n_gpus++;
	}
	v = json_object_get(doc, "gpu_pid_map");
	for (size_t i = 0; i < 3; i++)
		if (json_is_string(v) && strcmp(json_string_value(v), maps[i]) == 0)
			m->gpu_pid_map = maps[i];
	if (get_range(doc, "gpu_unmapped_processes", 0, INT32_MAX, &n))
		m->gpu_unmapped = (size_t)n;
	if (get_range(doc, "gpu_mono_ms", INT64_MIN / 2, INT64_MAX / 2, &n))
		m->gpu_t_ms = n;
}

/* A process's "limits" array and "binding_limit" as recorded; entries of
 * an unknown or repeated kind, or without a limit, are dropped. */
static void limits_from_json(json_t *o, struct limit_state *st)
{
	json_t *a = json_object_get(o, "limits"), *b = json_object_get(o, "binding_limit");
	struct limit v[LIMIT_KINDS];
	bool seen[LIMIT_KINDS] = {false};
	size_t n = 0;
	int binding = -1;

	if (!json_is_array(a))
		return;
	for (size_t i = 0; i < json_array_size(a) && n < LIMIT_KINDS; i++) {
		json_t *e = json_array_get(a, i);
		const char *kind = json_string_value(json_object_get(e, "kind"));
		int k = kind ? limit_kind_parse(kind) : -1;
		struct limit *l = &v[n];

		if (k < 0 || seen[k])
			continue;
		l->kind = (enum limit_kind)k;
		l->limit_bytes = l->used_bytes = MS_ABSENT;
		upd_bytes(e, "limit_bytes", &l->limit_bytes);
		upd_bytes(e, "used_bytes", &l->used_bytes);
		if (!ms_has(l->limit_bytes) || l->limit_bytes == MS_UNLIMITED)
			continue;
		l->ttl_s = NAN;
		upd_num(e, "ttl_s", &l->ttl_s);
		pair(json_object_get(e, "ttl_band_s"), &l->ttl_lo_s, &l->ttl_hi_s, true);
		l->imminent = false;
		upd_bool(e, "imminent", &l->imminent);
		l->source = json_string_value(json_object_get(e, "source"));
		seen[k] = true;
		if (json_is_string(b) && strcmp(json_string_value(b), kind) == 0)
			binding = (int)n;
		n++;
	}
	limit_state_set(st, v, n, binding);
}

static void proc_apply(struct proc_entity *p, json_t *o, int64_t t_ms)
{
	int64_t v64;
	json_t *v;
	bool alive = p->alive;

	if (get_range(o, "ppid", 0, INT_MAX, &v64))
		p->ppid = (pid_t)v64;
	upd_str(o, "name", &p->name);
	upd_str(o, "cmdline", &p->cmdline);
	upd_str(o, "user", &p->user);
	if (get_range(o, "uid", 0, UINT32_MAX - 1, &v64))
		p->uid = (uid_t)v64;
	upd_str(o, "cgroup", &p->cgroup);
	upd_container(o, p->cgroup, &p->container);
	if (has(o, "state", &v)) {
		const char *s = json_string_value(v);

		/* One letter, as /proc writes it: nothing else reaches the screen. */
		p->state = s && strlen(s) == 1 && ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) ? *s : '?';
	}
	upd_count(o, "threads", &p->threads);
	upd_bytes(o, "rss_bytes", &p->rss_bytes);
	upd_bytes(o, "rss_anon_bytes", &p->rss_anon_bytes);
	upd_bytes(o, "rss_file_bytes", &p->rss_file_bytes);
	upd_bytes(o, "rss_shmem_bytes", &p->rss_shmem_bytes);
	upd_bytes(o, "swap_bytes", &p->swap_bytes);
	upd_bytes(o, "peak_rss_bytes", &p->peak_rss_bytes);
	upd_bytes(o, "pss_bytes", &p->pss_bytes);
	upd_bytes(o, "uss_bytes", &p->uss_bytes);
	upd_int(o, "oom_score", &p->oom_score);
	upd_int(o, "oom_score_adj", &p->oom_score_adj);
	upd_bytes(o, "limit_bytes", &p->limit_bytes);
	upd_str(o, "limit_source", &p->limit_source);
	upd_num(o, "usage_pct", &p->usage_pct);
	if (has(o, "usage_basis", &v))
		p->usage_basis = !json_is_string(v) ? NULL
				 : strcmp(json_string_value(v), "cgroup") == 0 ? "cgroup"
				 : strcmp(json_string_value(v), "rss") == 0 ? "rss" : NULL;
	upd_bytes(o, "vm_size_bytes", &p->vm_size_bytes);
	upd_bytes(o, "vm_data_bytes", &p->vm_data_bytes);
	limits_from_json(o, &p->limits);
	upd_bool(o, "selected", &p->selected);
	upd_bool(o, "alive", &p->alive);
	if (alive && !p->alive)
		p->exit_ms = t_ms;
	else if (p->alive)
		p->exit_ms = -1;
	/* Written into checkpoints only: when the process exited. */
	if (!p->alive && get_range(o, "replay_exit_ms", 0, INT64_MAX / 2, &v64))
		p->exit_ms = v64;
	trend_from_json(json_object_get(o, "trend"), &p->trend.result);
	gpu_series_apply(&p->gpu, o);
}

static void tree_apply(struct tree_entity *t, json_t *o)
{
	json_t *v;

	upd_str(o, "name", &t->name);
	if (has(o, "pids", &v) && json_is_array(v)) {
		size_t n = json_array_size(v);

		free(t->pids);
		t->pids = xmalloc((n < TREE_PIDS_MAX ? n : TREE_PIDS_MAX) * sizeof(*t->pids) + 1);
		t->n_procs = 0;
		for (size_t i = 0; i < n && t->n_procs < TREE_PIDS_MAX; i++) {
			json_t *e = json_array_get(v, i);

			if (json_is_integer(e) && json_integer_value(e) > 0 && json_integer_value(e) <= INT_MAX)
				t->pids[t->n_procs++] = (pid_t)json_integer_value(e);
		}
	}
	upd_bytes(o, "rss_bytes", &t->rss_bytes);
	upd_bytes(o, "anon_swap_bytes", &t->anon_swap_bytes);
	upd_bytes(o, "swap_bytes", &t->swap_bytes);
	upd_bytes(o, "pss_bytes", &t->pss_bytes);
	upd_bytes(o, "peak_rss_bytes", &t->peak_rss_bytes);
	upd_bytes(o, "limit_bytes", &t->limit_bytes);
	upd_str(o, "limit_source", &t->limit_source);
	upd_num(o, "usage_pct", &t->usage_pct);
	upd_bool(o, "alive", &t->alive);
	trend_from_json(json_object_get(o, "trend"), &t->trend.result);
	gpu_series_apply(&t->gpu, o);
}

/* ---- lookups for one line ---- */

struct pid_idx {
	pid_t pid;
	size_t i;
};

static int cmp_pid_idx(const void *x, const void *y)
{
	const struct pid_idx *a = x, *b = y;

	if (a->pid != b->pid)
		return (a->pid > b->pid) - (a->pid < b->pid);
	return (a->i > b->i) - (a->i < b->i);
}

/* The entity for (pid, start_time_ms) among the n0 sorted entries of idx;
 * start_ms < 0: any, the live one first. SIZE_MAX when none; *other is a
 * live entity with that PID and another start (PID reuse). */
static size_t proc_lookup(const struct model *m, const struct pid_idx *idx, size_t n0, pid_t pid,
			  int64_t start_ms, size_t *other)
{
	size_t lo = 0, hi = n0, hit = SIZE_MAX;

	*other = SIZE_MAX;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (idx[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n0 && idx[lo].pid == pid; lo++) {
		const struct proc_entity *p = m->procs[idx[lo].i];

		if (start_ms < 0 || p->start_time_ms == start_ms) {
			if (hit == SIZE_MAX || p->alive)
				hit = idx[lo].i;
		} else if (p->alive) {
			*other = idx[lo].i;
		}
	}
	return hit;
}

/* ---- one line ---- */

static const char *line_check(json_t *doc, int64_t *time_ms, bool *snapshot)
{
	json_t *v;

	if (!json_is_object(doc))
		return "not a JSON object";
	v = json_object_get(doc, "schema");
	if (!json_is_string(v) || strcmp(json_string_value(v), OUT_JSON_SCHEMA_ID) != 0)
		return "no \"schema\": \"" OUT_JSON_SCHEMA_ID "\"";
	v = json_object_get(doc, "type");
	if (!v || (json_is_string(v) && strcmp(json_string_value(v), "snapshot") == 0))
		*snapshot = true;
	else if (json_is_string(v) && strcmp(json_string_value(v), "delta") == 0)
		*snapshot = false;
	else
		return "\"type\" is neither \"snapshot\" nor \"delta\"";
	if (!get_range(doc, "time_ms", 0, INT64_MAX / 2, time_ms))
		return "no \"time_ms\"";
	return NULL;
}

static void events_apply(struct model *m, json_t *doc)
{
	json_t *evs = json_object_get(doc, "events");
	size_t n = json_array_size(evs);

	/* Only the last MODEL_EVENTS_MAX can stay in the ring. */
	for (size_t i = n > MODEL_EVENTS_MAX ? n - MODEL_EVENTS_MAX : 0; i < n; i++) {
		json_t *e = json_array_get(evs, i), *v;
		enum event_kind kind = EV_INFO;
		int64_t pid = 0, t = m->time_ms;
		const char *msg;

		if (!json_is_object(e))
			continue;
		v = json_object_get(e, "kind");
		for (int k = EV_PROC_START; k <= EV_LIMIT_IMMINENT && json_is_string(v); k++)
			if (strcmp(json_string_value(v), model_event_kind_name((enum event_kind)k)) == 0)
				kind = (enum event_kind)k;
		if (!get_range(e, "pid", 0, INT_MAX, &pid))
			pid = 0;
		get_range(e, "time_ms", 0, INT64_MAX / 2, &t);
		msg = json_string_value(json_object_get(e, "message"));
		model_event(m, kind, (pid_t)pid, json_string_value(json_object_get(e, "cgroup")), "%s",
			    msg ? msg : "");
		v = json_object_get(e, "limit");
		if (json_is_string(v) && limit_kind_parse(json_string_value(v)) >= 0)
			model_event_limit(m, (enum limit_kind)limit_kind_parse(json_string_value(v)));
		m->events[(m->ev_head + m->ev_len - 1) % MODEL_EVENTS_MAX].time_ms = t;
	}
}

static void header_apply(struct model *m, json_t *doc, int64_t t_ms)
{
	json_t *v, *sys = json_object_get(doc, "system"), *self = json_object_get(doc, "self");
	int64_t iv;

	m->time_ms = m->mono_ms = t_ms;
	v = json_object_get(doc, "host");
	if (json_is_string(v)) {
		free(m->host);
		m->host = xstrdup(json_string_value(v));
	}
	if (get_range(doc, "interval_ms", 1, 86400000, &iv))
		m->interval_ms = iv;
	v = json_object_get(doc, "analysis");
	if (json_is_object(v)) {
		m->analysis.all = json_is_true(json_object_get(v, "everything"));
		m->analysis.trees = json_is_true(json_object_get(v, "trees"));
		m->analysis.keep_pid = get_range(v, "launch_pid", 1, INT_MAX, &iv) ? (pid_t)iv : 0;
	}
	if (has(doc, "cgroup_version", &v)) {
		const char *s = json_string_value(v);

		m->cgroup_version = s && strcmp(s, "v1") == 0 ? "v1" : s && strcmp(s, "v2") == 0 ? "v2" : NULL;
	}
	if (json_is_object(sys)) {
		upd_bytes(sys, "mem_total_bytes", &m->sys.mem_total_bytes);
		upd_bytes(sys, "mem_available_bytes", &m->sys.mem_available_bytes);
		upd_bytes(sys, "swap_total_bytes", &m->sys.swap_total_bytes);
		upd_bytes(sys, "swap_free_bytes", &m->sys.swap_free_bytes);
		upd_bytes(sys, "commit_limit_bytes", &m->sys.commit_limit_bytes);
		upd_bytes(sys, "committed_as_bytes", &m->sys.committed_as_bytes);
		if (get_range(sys, "overcommit_mode", 0, 2, &iv))
			m->sys.overcommit_mode = (int)iv;
		psi_from_json(sys, "pressure", &m->sys.pressure);
	}
	if (json_is_object(self)) {
		upd_num(self, "cpu_pct", &m->self.cpu_pct);
		upd_bytes(self, "rss_bytes", &m->self.rss_bytes);
		upd_num(self, "sample_cost_us_per_process", &m->self.sample_cost_us_per_process);
		upd_count(self, "fds", &m->self.n_fds);
	}
	gpus_apply(m, doc);
}

static void cgroups_apply(struct model *m, json_t *doc, bool snapshot)
{
	json_t *a = json_object_get(doc, "cgroups");
	size_t n = json_array_size(a);

	for (size_t i = 0; i < m->n_cgroups; i++)
		m->cgroups[i]->seen_this_tick = false;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(a, i);
		const char *path = json_string_value(json_object_get(o, "path"));
		struct cgroup_entity *c;

		if (!path || !*path)
			continue;
		c = model_cgroup_find(m, path);
		if (!c && m->n_cgroups >= CGROUPS_MAX)
			continue;
		if (!c)
			c = cgroup_new(m, path);
		cgroup_apply(c, o, m->mono_ms);
		c->seen_this_tick = true;
	}
	if (!snapshot)
		return;
	for (size_t i = 0; i < m->n_cgroups;) {
		struct cgroup_entity *c = m->cgroups[i];

		if (c->seen_this_tick) {
			i++;
			continue;
		}
		memmove(&m->cgroups[i], &m->cgroups[i + 1], (m->n_cgroups - i - 1) * sizeof(*m->cgroups));
		m->n_cgroups--;
		model_cgroup_free(m, c);
	}
}

/* sampler: m is replay_feed's, which holds what a sampler reads — live
 * processes only, one per PID. */
static void procs_apply(struct model *m, json_t *doc, bool snapshot, int64_t t_ms, bool sampler)
{
	json_t *a = json_object_get(doc, "processes");
	size_t n = json_array_size(a), n0 = m->n_procs;
	struct pid_idx *idx = xmalloc((n0 + 1) * sizeof(*idx));
	bool *seen = xcalloc(n0 + 1, sizeof(*seen));

	for (size_t i = 0; i < n0; i++)
		idx[i] = (struct pid_idx){m->procs[i]->pid, i};
	qsort(idx, n0, sizeof(*idx), cmp_pid_idx);
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(a, i);
		int64_t pid, start = -1;
		size_t at, other;
		struct proc_entity *p;

		if (!get_range(o, "pid", 1, INT_MAX, &pid))
			continue;
		get_range(o, "start_time_ms", 0, INT64_MAX / 2, &start);
		at = proc_lookup(m, idx, n0, (pid_t)pid, start, &other);
		if (sampler && at == SIZE_MAX && other != SIZE_MAX && !json_is_false(json_object_get(o, "alive"))) {
			/* The PID was reused: the old process is no longer there. */
			m->procs[other]->alive = false;
			m->procs[other]->exit_ms = t_ms;
		}
		if (at != SIZE_MAX) {
			p = m->procs[at];
			seen[at] = true;
		} else if (m->n_procs < PROCS_MAX) {
			p = model_proc_add(m, (pid_t)pid, start >= 0 ? (uint64_t)start : 0);
			p->start_time_ms = start >= 0 ? start : 0;
			p->first_seen_ms = t_ms;
		} else {
			continue;
		}
		proc_apply(p, o, t_ms);
		if (p->alive)
			p->last_seen_ms = t_ms;
	}
	/* What goes: on a snapshot, whatever it lacks; for the sampler, the
	 * dead. (The browser drops what the update stage dropped: gone_apply.) */
	{
		size_t j = 0;

		for (size_t i = 0; i < m->n_procs; i++) {
			struct proc_entity *p = m->procs[i];
			bool keep = (!snapshot || i >= n0 || seen[i]) && (!sampler || p->alive);

			if (keep)
				m->procs[j++] = p;
			else
				model_proc_free(p);
		}
		m->n_procs = j;
	}
	free(seen);
	free(idx);
}

static void trees_apply(struct model *m, json_t *doc, bool snapshot)
{
	json_t *a = json_object_get(doc, "trees");
	size_t n = json_array_size(a), n0 = m->n_trees, j = 0;
	bool *seen = xcalloc(n0 + 1, sizeof(*seen));

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(a, i);
		struct tree_entity *t = NULL;
		int64_t pid;

		if (!get_range(o, "root_pid", 1, INT_MAX, &pid))
			continue;
		for (size_t k = 0; k < m->n_trees && !t; k++) {
			if (m->trees[k]->root_pid == (pid_t)pid) {
				t = m->trees[k];
				if (k < n0)
					seen[k] = true;
			}
		}
		if (!t && m->n_trees >= TREES_MAX)
			continue;
		if (!t)
			t = model_tree_add(m, (pid_t)pid, 0);
		tree_apply(t, o);
	}
	/* A snapshot says what went; a delta does not (gone_apply). */
	for (size_t i = 0; i < m->n_trees; i++) {
		struct tree_entity *t = m->trees[i];

		if (!snapshot || i >= n0 || seen[i])
			m->trees[j++] = t;
		else
			model_tree_free(t);
	}
	m->n_trees = j;
	free(seen);
}

/* What every line ends with: links, names the views need, histories
 * (unless push is false: a seek then fills them from the points). */
static void line_finish(struct model *m, int64_t t_ms, bool push)
{
	m->pss_enabled = false;
	for (size_t i = 0; i < m->n_procs; i++) {
		struct proc_entity *p = m->procs[i];

		p->tree = NULL;
		if (!p->name)
			p->name = xstrdup("?");
		if (!p->cmdline)
			p->cmdline = xstrdup("");
		if (!p->user)
			p->user = xasprintf("%u", (unsigned)p->uid);
		if (ms_has(p->pss_bytes))
			m->pss_enabled = true;
		if (p->alive && push)
			history_push(&p->hist_rss, t_ms, p->rss_bytes);
	}
	for (size_t i = 0; i < m->n_trees; i++) {
		struct tree_entity *t = m->trees[i];
		struct proc_entity *root = model_proc_find(m, t->root_pid);

		if (!t->name)
			t->name = xstrdup(root && root->name ? root->name : "?");
		if (root)
			root->tree = t;
		if (t->alive && push)
			history_push(&t->hist_rss, t_ms, t->rss_bytes);
	}
	for (size_t i = 0; i < m->n_cgroups && push; i++)
		if (m->cgroups[i]->s.exists)
			history_push(&m->cgroups[i]->hist_current, t_ms, m->cgroups[i]->s.current_bytes);
}

/* The line's header, entities and events; the caller drops what went
 * (gone_apply) and ends the line (line_finish). */
static void line_apply(struct model *m, json_t *doc, bool snapshot, int64_t t_ms, bool sampler)
{
	m->ev_tick_first = m->ev_total;
	header_apply(m, doc, t_ms);
	/* Cgroups first: processes take their limit sources from them. */
	cgroups_apply(m, doc, snapshot);
	procs_apply(m, doc, snapshot, t_ms, sampler);
	trees_apply(m, doc, snapshot);
	events_apply(m, doc);
}

int replay_parse_line(const char *text, size_t len, struct model *m)
{
	json_error_t jerr;
	json_t *doc;
	int64_t t_ms;
	bool snapshot;

	if (!text)
		return -1;
	doc = json_loadb(text, len, 0, &jerr);
	if (!doc)
		return -1;
	if (line_check(doc, &t_ms, &snapshot)) {
		json_decref(doc);
		return -1;
	}
	line_apply(m, doc, snapshot, t_ms, false);
	line_finish(m, t_ms, true);
	json_decref(doc);
	return 0;
}

/* ---- what the pass at open keeps: history points and checkpoints ---- */

static uint64_t series_hash(char kind, pid_t pid, int64_t start_ms, const char *path)
{
	uint64_t h = 1469598103934665603ULL ^ (unsigned char)kind;

	h = (h ^ (uint64_t)(uint32_t)pid) * 1099511628211ULL;
	h = (h ^ (uint64_t)start_ms) * 1099511628211ULL;
	for (const char *c = path; c && *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	return h ^ (h >> 29);
}

static bool series_is(const struct series *e, char kind, pid_t pid, int64_t start_ms, const char *path)
{
	return e->kind == kind && e->pid == pid && e->start_ms == start_ms &&
	       (!path || strcmp(e->path, path) == 0);
}

static void series_rehash(struct replay *r)
{
	r->cap_hash = r->cap_hash ? r->cap_hash * 2 : 256;
	free(r->hash);
	r->hash = xmalloc(r->cap_hash * sizeof(*r->hash));
	memset(r->hash, 0xff, r->cap_hash * sizeof(*r->hash));
	for (size_t i = 0; i < r->n_series; i++) {
		const struct series *e = &r->series[i];
		size_t b = series_hash(e->kind, e->pid, e->start_ms, e->path) & (r->cap_hash - 1);

		while (r->hash[b] != UINT32_MAX)
			b = (b + 1) & (r->cap_hash - 1);
		r->hash[b] = (uint32_t)i;
	}
}

/* The series id of an entity; added when add is true. UINT32_MAX: none. */
static uint32_t series_id(struct replay *r, char kind, pid_t pid, int64_t start_ms, const char *path,
			  bool add)
{
	size_t b;

	if (r->cap_hash == 0 && !add)
		return UINT32_MAX;
	if (add && (r->n_series + 1) * 2 > r->cap_hash)
		series_rehash(r);
	b = series_hash(kind, pid, start_ms, path) & (r->cap_hash - 1);
	while (r->hash[b] != UINT32_MAX) {
		if (series_is(&r->series[r->hash[b]], kind, pid, start_ms, path))
			return r->hash[b];
		b = (b + 1) & (r->cap_hash - 1);
	}
	if (!add)
		return UINT32_MAX;
	if (r->n_series == r->cap_series) {
		r->cap_series = r->cap_series ? r->cap_series * 2 : 64;
		r->series = xrealloc(r->series, r->cap_series * sizeof(*r->series));
	}
	r->series[r->n_series] = (struct series){kind, pid, start_ms, path ? xstrdup(path) : NULL};
	r->hash[b] = (uint32_t)r->n_series;
	return (uint32_t)r->n_series++;
}

static void point_add(struct replay *r, char kind, pid_t pid, int64_t start_ms, const char *path,
		      int64_t bytes)
{
	if (!ms_has(bytes))
		return; /* history_push ignores it too */
	if (r->n_pts == r->cap_pts) {
		r->cap_pts = r->cap_pts ? r->cap_pts * 2 : 1024;
		r->pts = xrealloc(r->pts, r->cap_pts * sizeof(*r->pts));
	}
	r->pts[r->n_pts++] = (struct point){bytes, series_id(r, kind, pid, start_ms, path, true)};
}

/* The points of the last line: what line_finish pushes when the browsed
 * model takes it (m: the update stage's model at that line). */
static void line_record(struct replay *r, struct line_ref *ref, const struct model *m)
{
	if (r->n_recorded + 1 != r->n_lines || r->n_pts >= POINTS_MAX)
		return; /* over budget: later seeks re-read lines for histories */
	ref->pt_off = r->n_pts;
	for (size_t i = 0; i < m->n_procs; i++)
		if (m->procs[i]->alive)
			point_add(r, 'p', m->procs[i]->pid, m->procs[i]->start_time_ms, NULL,
				  m->procs[i]->rss_bytes);
	for (size_t i = 0; i < m->n_trees; i++)
		if (m->trees[i]->alive)
			point_add(r, 't', m->trees[i]->root_pid, 0, NULL, m->trees[i]->rss_bytes);
	for (size_t i = 0; i < m->n_cgroups; i++)
		if (m->cgroups[i]->s.exists)
			point_add(r, 'c', 0, 0, m->cgroups[i]->s.path, m->cgroups[i]->s.current_bytes);
	ref->n_pts = (uint32_t)(r->n_pts - ref->pt_off);
	r->n_recorded++;
}

/* The update stage's model as a snapshot line, with all its events and
 * the exit times a snapshot does not carry (on the browsed model's clock,
 * the wall clock). */
static void checkpoint_add(struct replay *r, size_t idx, struct model *m)
{
	int64_t wall = m->time_ms - m->mono_ms;
	struct checkpoint cp = {.idx = idx};
	json_t *doc;

	for (size_t i = 0; i < m->n_procs; i++)
		if (!m->procs[i]->alive)
			m->procs[i]->exit_ms += wall;
	doc = out_json_checkpoint(m);
	for (size_t i = 0; i < m->n_procs; i++)
		if (!m->procs[i]->alive)
			m->procs[i]->exit_ms -= wall;

	cp.text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!cp.text)
		fatal("out of memory (JSON)");
	cp.len = strlen(cp.text);
	if (r->n_cps == r->cap_cps) {
		r->cap_cps = r->cap_cps ? r->cap_cps * 2 : 16;
		r->cps = xrealloc(r->cps, r->cap_cps * sizeof(*r->cps));
	}
	r->cps[r->n_cps++] = cp;
	r->cp_bytes += cp.len;
	/* Over budget: keep every other one, and make them half as often. */
	while (r->cp_bytes > CHECKPOINT_BYTES_MAX && r->n_cps > 1) {
		size_t j = 0;

		r->cp_every *= 2;
		r->cp_bytes = 0;
		for (size_t i = 0; i < r->n_cps; i++) {
			if (r->cps[i].idx % r->cp_every == 0) {
				r->cps[j++] = r->cps[i];
				r->cp_bytes += r->cps[i].len;
			} else {
				free(r->cps[i].text);
			}
		}
		r->n_cps = j;
	}
}

/* Push the recorded points of lines first..last into the histories of the
 * entities m holds now. */
static void history_fill(struct replay *r, struct model *m, size_t first, size_t last)
{
	struct history **of = xcalloc(r->n_series + 1, sizeof(*of));
	uint32_t id;

	for (size_t i = 0; i < m->n_procs; i++)
		if ((id = series_id(r, 'p', m->procs[i]->pid, m->procs[i]->start_time_ms, NULL, false)) !=
		    UINT32_MAX)
			of[id] = &m->procs[i]->hist_rss;
	for (size_t i = 0; i < m->n_trees; i++)
		if ((id = series_id(r, 't', m->trees[i]->root_pid, 0, NULL, false)) != UINT32_MAX)
			of[id] = &m->trees[i]->hist_rss;
	for (size_t i = 0; i < m->n_cgroups; i++)
		if ((id = series_id(r, 'c', 0, 0, m->cgroups[i]->s.path, false)) != UINT32_MAX)
			of[id] = &m->cgroups[i]->hist_current;
	for (size_t k = first; k <= last; k++) {
		const struct line_ref *l = &r->lines[k];

		for (size_t j = l->pt_off; j < l->pt_off + l->n_pts; j++)
			if (of[r->pts[j].series])
				history_push(of[r->pts[j].series], l->time_ms, r->pts[j].bytes);
	}
	free(of);
}

/* ---- the file ---- */

static bool blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

static void skip_line(struct replay *r, size_t lineno, const char *why, bool whole)
{
	r->bad_lineno = lineno;
	if (r->n_bad++ == 0)
		r->first_bad = xasprintf("line %zu is not a " OUT_JSON_SCHEMA_ID " log line (%s)", lineno, why);
	r->last_incomplete = !whole;
}

/* The note after indexing: what was skipped. */
static void skip_note(struct replay *r)
{
	if (r->n_bad == 1 && r->last_incomplete)
		r->note = xasprintf("line %zu is incomplete: skipped", r->bad_lineno);
	else if (r->n_bad > 0)
		r->note = xasprintf("%zu bad line%s skipped, first: %s", r->n_bad, r->n_bad == 1 ? "" : "s",
				    r->first_bad);
}

/* Index one line. whole: it ended with a newline. */
/* Take what the update stage no longer holds out of m, in order. kind:
 * 'p' (pid, start_ms), 't' (root pid), 'c' (path). */
static void entity_drop(struct model *m, const struct series *e)
{
	size_t j = 0;

	if (e->kind == 'p') {
		for (size_t i = 0; i < m->n_procs; i++) {
			struct proc_entity *p = m->procs[i];

			if (p->pid == e->pid && p->start_time_ms == e->start_ms)
				model_proc_free(p);
			else
				m->procs[j++] = p;
		}
		m->n_procs = j;
	} else if (e->kind == 't') {
		for (size_t i = 0; i < m->n_trees; i++) {
			if (m->trees[i]->root_pid == e->pid)
				model_tree_free(m->trees[i]);
			else
				m->trees[j++] = m->trees[i];
		}
		m->n_trees = j;
	} else {
		struct cgroup_entity *c = model_cgroup_find(m, e->path);

		for (size_t i = 0; c && i < m->n_cgroups; i++)
			if (m->cgroups[i] != c)
				m->cgroups[j++] = m->cgroups[i];
		if (c) {
			m->n_cgroups = j;
			model_cgroup_free(m, c);
		}
	}
}

/* What the update stage dropped at line idx, dropped from m. */
static void gone_apply(const struct replay *r, struct model *m, size_t idx)
{
	const struct line_ref *l = &r->lines[idx];

	for (size_t i = l->gone_off; i < l->gone_off + l->n_gone; i++)
		entity_drop(m, &r->series[r->gone[i]]);
}

/* What the update stage dropped at line idx: the series its model held at
 * the line before and holds no longer (a delta line cannot say it). */
static void gone_track(struct replay *r, size_t idx, const struct model *a)
{
	struct line_ref *l = &r->lines[idx];
	uint32_t *now = xmalloc((a->n_procs + a->n_trees + a->n_cgroups + 1) * sizeof(*now));
	size_t n = 0;

	for (size_t i = 0; i < a->n_procs; i++)
		now[n++] = series_id(r, 'p', a->procs[i]->pid, a->procs[i]->start_time_ms, NULL, true);
	for (size_t i = 0; i < a->n_trees; i++)
		now[n++] = series_id(r, 't', a->trees[i]->root_pid, 0, NULL, true);
	for (size_t i = 0; i < a->n_cgroups; i++)
		now[n++] = series_id(r, 'c', 0, 0, a->cgroups[i]->s.path, true);
	if (r->cap_mark < r->n_series) {
		size_t cap = r->n_series * 2;

		r->mark = xrealloc(r->mark, cap * sizeof(*r->mark));
		memset(r->mark + r->cap_mark, 0, (cap - r->cap_mark) * sizeof(*r->mark));
		r->cap_mark = cap;
	}
	for (size_t i = 0; i < n; i++)
		r->mark[now[i]] = idx + 1;
	l->gone_off = r->n_gone;
	for (size_t i = 0; i < r->n_held; i++) {
		if (r->mark[r->held[i]] == idx + 1)
			continue;
		if (r->n_gone == r->cap_gone) {
			r->cap_gone = r->cap_gone ? r->cap_gone * 2 : 256;
			r->gone = xrealloc(r->gone, r->cap_gone * sizeof(*r->gone));
		}
		r->gone[r->n_gone++] = r->held[i];
	}
	l->n_gone = (uint32_t)(r->n_gone - l->gone_off);
	free(r->held);
	r->held = now;
	r->n_held = n;
}

/* Where a recorded verdict (the feed's model: the log as written) differs
 * from the re-analysis at this line: the first is told, lines counted. */
static void differ_check(struct replay *r, const struct line_ref *ref)
{
	const struct model *rec = replay_feed_recorded(r->an.f), *a = r->an.m;
	enum trend_verdict was = TREND_UNKNOWN, now = TREND_UNKNOWN;
	char what[64] = "";

	for (size_t i = 0; i < a->n_procs && !*what; i++) {
		const struct proc_entity *p = a->procs[i], *q = model_proc_find(rec, p->pid);

		if (p->alive && q && q->start_time_ms == p->start_time_ms &&
		    trend_get(&q->trend)->verdict != trend_get(&p->trend)->verdict) {
			snprintf(what, sizeof(what), "process %d", (int)p->pid);
			was = trend_get(&q->trend)->verdict;
			now = trend_get(&p->trend)->verdict;
		}
	}
	for (size_t i = 0; i < a->n_trees && !*what; i++) {
		const struct tree_entity *t = a->trees[i], *q = model_tree_find(rec, t->root_pid);

		if (q && trend_get(&q->trend)->verdict != trend_get(&t->trend)->verdict) {
			snprintf(what, sizeof(what), "tree %d", (int)t->root_pid);
			was = trend_get(&q->trend)->verdict;
			now = trend_get(&t->trend)->verdict;
		}
	}
	for (size_t i = 0; i < a->n_cgroups && !*what; i++) {
		const struct cgroup_entity *c = a->cgroups[i], *q = model_cgroup_find(rec, c->s.path);

		if (q && trend_get(&q->trend)->verdict != trend_get(&c->trend)->verdict) {
			snprintf(what, sizeof(what), "a cgroup");
			was = trend_get(&q->trend)->verdict;
			now = trend_get(&c->trend)->verdict;
		}
	}
	if (!*what)
		return;
	if (r->n_differ++ == 0)
		r->first_differ = xasprintf("first on line %zu, %s: recorded %s, now %s", ref->lineno, what,
					    trend_verdict_name(was), trend_verdict_name(now));
}

static int analysis_doc(struct analysis *an, json_t *doc);

/* One line of the log through the update stage, its result written as the
 * line --replay --log - writes, and kept: what went, the history points, a
 * checkpoint now and then. A seek rebuilds from these exactly the model the
 * lines give when applied one by one (tests/test_replay.c). */
static void browse_line(struct replay *r, json_t *doc, struct line_ref *ref)
{
	size_t idx = r->n_lines - 1, len, done = 0;
	const char *text;

	if (r->fatal || analysis_doc(&r->an, doc) < 0)
		return;
	differ_check(r, ref);
	text = out_json_line(r->cache, r->an.m, idx > 0, &len);
	while (done < len) {
		ssize_t n = pwrite(r->dfd, text + done, len - done, r->dlen + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r->fatal = xasprintf("cannot keep the re-analysis of %s in a temporary file: %s", r->path,
					     strerror(n < 0 ? errno : ENOSPC));
			return;
		}
		done += (size_t)n;
	}
	assert(len <= UINT32_MAX); /* the line of a model made from lines of at most 64 MiB */
	ref->off = r->dlen;
	ref->len = (uint32_t)len;
	ref->snapshot = idx == 0;
	r->dlen += (off_t)len;
	gone_track(r, idx, r->an.m);
	line_record(r, ref, r->an.m);
	if (idx % r->cp_every == 0 && idx > 0)
		checkpoint_add(r, idx, r->an.m);
}

static void index_line(struct replay *r, const char *text, size_t len, off_t off, size_t lineno,
		       bool whole)
{
	struct line_ref ref = {.off = off, .len = (uint32_t)len, .lineno = lineno};
	json_error_t jerr;
	json_t *doc;
	const char *why = NULL;
	char *detail = NULL;

	if (blank(text, len))
		return;
	doc = json_loadb(text, len, 0, &jerr);
	if (!doc) {
		char *clean = util_sanitize(jerr.text);

		detail = xasprintf("not JSON: %s", clean);
		free(clean);
		why = detail;
	} else {
		why = line_check(doc, &ref.time_ms, &ref.snapshot);
	}
	if (!why && r->n_lines == 0 && !ref.snapshot)
		why = "a log starts with a snapshot line, this is a delta";
	if (why) {
		/* One bad line (a writer killed mid-line, a copy cut short, a
		 * stray write) does not make the rest of the log unreadable. */
		skip_line(r, lineno, why, whole);
		json_decref(doc);
		free(detail);
		return;
	}
	if (r->n_lines == r->cap_lines) {
		r->cap_lines = r->cap_lines ? r->cap_lines * 2 : 256;
		r->lines = xrealloc(r->lines, r->cap_lines * sizeof(*r->lines));
	}
	r->lines[r->n_lines++] = ref;
	if (r->browse)
		browse_line(r, doc, &r->lines[r->n_lines - 1]);
	json_decref(doc);
}

static int index_file(struct replay *r, char **err)
{
	char chunk[65536];
	char *line = NULL;
	size_t len = 0, cap = 0, full_len = 0, lineno = 0;
	off_t base = 0, line_off = 0;
	bool too_long = false; /* the current line is over LINE_MAX_BYTES: dropped */
	int rc = 0;

	for (;;) {
		ssize_t n = read(r->fd, chunk, sizeof(chunk));
		size_t i = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = xasprintf("cannot read %s: %s", r->path, strerror(errno));
			rc = -1;
			goto out;
		}
		if (n == 0)
			break;
		while (i < (size_t)n) {
			char *nl = memchr(chunk + i, '\n', (size_t)n - i);
			size_t take = nl ? (size_t)(nl - (chunk + i)) : (size_t)n - i;

			full_len += take;
			if (full_len > LINE_MAX_BYTES)
				too_long = true;
			if (!too_long) {
				if (len + take + 1 > cap) {
					cap = (len + take + 1) * 2;
					line = xrealloc(line, cap);
				}
				memcpy(line + len, chunk + i, take);
				len += take;
			}
			i += take;
			if (!nl)
				break;
			i++;
			lineno++;
			if (too_long) {
				char *why = xasprintf("longer than %u MiB", LINE_MAX_BYTES >> 20);

				skip_line(r, lineno, why, true);
				free(why);
			} else {
				index_line(r, line, len, line_off, lineno, true);
			}
			if (r->fatal)
				goto failed;
			line_off = base + (off_t)i;
			len = full_len = 0;
			too_long = false;
		}
		base += n;
	}
	if (too_long)
		skip_line(r, lineno + 1, "incomplete", false);
	else if (len > 0)
		index_line(r, line, len, line_off, lineno + 1, false);
failed:
	if (r->fatal) {
		*err = r->fatal;
		r->fatal = NULL;
		rc = -1;
		goto out;
	}
	if (r->n_lines == 0 && r->n_bad > 0) {
		*err = r->n_bad == 1 ? xasprintf("%s: %s", r->path, r->first_bad)
				     : xasprintf("%s: %s, and %zu more bad line%s: nothing to replay", r->path,
						 r->first_bad, r->n_bad - 1, r->n_bad == 2 ? "" : "s");
		rc = -1;
	} else if (r->n_lines == 0) {
		*err = xasprintf("%s is empty: nothing to replay", r->path);
		rc = -1;
	}
	skip_note(r);
out:
	free(line);
	return rc;
}

/* An unlinked file in $TMPDIR (else /tmp); -1 with errno. */
static int temp_fd(void)
{
	const char *dir = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/memslope-replay.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkostemp(tmpl, O_CLOEXEC), e = errno;

	if (fd >= 0)
		unlink(tmpl);
	free(tmpl);
	errno = e;
	return fd;
}

static void analysis_init(struct analysis *an, int warn_pct, int crit_pct);
static void analysis_done(struct analysis *an);

struct replay *replay_open(const char *path, const struct replay_open_opts *o, char **err)
{
	struct replay *r = xcalloc(1, sizeof(*r));
	struct stat st;

	*err = NULL;
	r->path = xstrdup(path);
	r->dfd = -1;
	r->browse = !o || !o->index_only;
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		*err = xasprintf("cannot open %s: %s", path, strerror(errno));
		replay_free(r);
		return NULL;
	}
	if (fstat(r->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		*err = xasprintf("cannot read %s: %s", path, strerror(EISDIR));
		replay_free(r);
		return NULL;
	}
	if (r->browse) {
		r->dfd = temp_fd();
		if (r->dfd < 0) {
			*err = xasprintf("cannot make a temporary file for the re-analysis of %s: %s", path,
					 strerror(errno));
			replay_free(r);
			return NULL;
		}
		r->cache = out_json_cache_new();
		analysis_init(&r->an, o ? o->warn_pct : 0, o ? o->crit_pct : 0);
	}
	r->cp_every = CHECKPOINT_EVERY;
	if (index_file(r, err) < 0) {
		replay_free(r);
		return NULL;
	}
	if (r->browse) {
		r->warn_pct = r->an.m->warn_pct;
		r->crit_pct = r->an.m->crit_pct;
		analysis_done(&r->an);
		out_json_cache_free(r->cache);
		r->cache = NULL;
		free(r->held);
		free(r->mark);
		r->held = NULL;
		r->mark = NULL;
	}
	if (r->n_differ) {
		/* Skipped lines first: a long note is cut at the screen's edge. */
		char *both = xasprintf("%s%srecorded verdicts differ on %zu line%s (%s)", r->note ? r->note : "",
				       r->note ? "; " : "", r->n_differ, r->n_differ == 1 ? "" : "s",
				       r->first_differ);

		free(r->note);
		r->note = both;
	}
	return r;
}

void replay_free(struct replay *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	if (r->dfd >= 0)
		close(r->dfd);
	if (r->an.f)
		analysis_done(&r->an);
	out_json_cache_free(r->cache);
	free(r->held);
	free(r->mark);
	for (size_t i = 0; i < r->n_cps; i++)
		free(r->cps[i].text);
	free(r->cps);
	for (size_t i = 0; i < r->n_series; i++)
		free(r->series[i].path);
	free(r->series);
	free(r->hash);
	free(r->pts);
	free(r->gone);
	free(r->lines);
	free(r->buf);
	free(r->note);
	free(r->fatal);
	free(r->first_differ);
	free(r->first_bad);
	free(r->path);
	free(r);
}

const char *replay_path(const struct replay *r)
{
	return r->path;
}

size_t replay_len(const struct replay *r)
{
	return r->n_lines;
}

size_t replay_pos(const struct replay *r)
{
	return r->pos;
}

int64_t replay_time_ms(const struct replay *r, size_t idx)
{
	if (r->n_lines == 0)
		return 0;
	return r->lines[idx < r->n_lines ? idx : r->n_lines - 1].time_ms;
}

const char *replay_note(const struct replay *r)
{
	return r->note;
}

size_t replay_find_time(const struct replay *r, int64_t time_ms)
{
	for (size_t i = 0; i < r->n_lines; i++)
		if (r->lines[i].time_ms >= time_ms)
			return i;
	return r->n_lines ? r->n_lines - 1 : 0;
}

/* Read line idx's text back into r->buf (browse: the re-analysed line);
 * false when the file changed under us. */
static bool line_read(struct replay *r, size_t idx)
{
	const struct line_ref *l = &r->lines[idx];
	size_t got = 0;

	if (l->len + 1 > r->cap_buf) {
		r->cap_buf = l->len + 1;
		r->buf = xrealloc(r->buf, r->cap_buf);
	}
	while (got < l->len) {
		ssize_t n = pread(r->browse ? r->dfd : r->fd, r->buf + got, l->len - got, l->off + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	r->buf[got] = '\0';
	return true;
}

/* Read line idx back and parse it; NULL when the file changed under us. */
static json_t *line_load(struct replay *r, size_t idx)
{
	return line_read(r, idx) ? json_loadb(r->buf, r->lines[idx].len, 0, NULL) : NULL;
}

/* Line idx of the re-analysis onto m, with what went at it. */
static int apply_idx(struct replay *r, size_t idx, struct model *m, bool push)
{
	json_t *doc = line_load(r, idx);
	int64_t t_ms;
	bool snapshot;

	if (!doc || line_check(doc, &t_ms, &snapshot)) {
		json_decref(doc);
		return -1;
	}
	line_apply(m, doc, snapshot, t_ms, false);
	json_decref(doc);
	gone_apply(r, m, idx);
	line_finish(m, t_ms, push);
	return 0;
}

static void model_clear(struct model *m)
{
	for (size_t i = 0; i < m->n_procs; i++)
		model_proc_free(m->procs[i]);
	for (size_t i = 0; i < m->n_trees; i++)
		model_tree_free(m->trees[i]);
	for (size_t i = 0; i < m->n_cgroups; i++)
		model_cgroup_free(m, m->cgroups[i]);
	m->n_procs = m->n_trees = m->n_cgroups = 0;
	for (size_t i = 0; i < m->ev_len; i++) {
		struct event *e = &m->events[(m->ev_head + i) % MODEL_EVENTS_MAX];

		free(e->cgroup);
		free(e->message);
	}
	m->ev_head = m->ev_len = 0;
	m->ev_tick_first = m->ev_total;
}

/* The latest checkpoint at or before idx, NULL if none. */
static const struct checkpoint *checkpoint_at(const struct replay *r, size_t idx)
{
	size_t lo = 0, hi = r->n_cps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->cps[mid].idx <= idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &r->cps[lo - 1] : NULL;
}

static int checkpoint_apply(const struct checkpoint *cp, struct model *m)
{
	json_t *doc = json_loadb(cp->text, cp->len, 0, NULL);
	int64_t t_ms;
	bool snapshot;

	if (!doc || line_check(doc, &t_ms, &snapshot)) {
		json_decref(doc);
		return -1;
	}
	line_apply(m, doc, true, t_ms, false);
	line_finish(m, t_ms, false);
	json_decref(doc);
	return 0;
}

/* Apply lines from..to as the model of the last seek moves on. */
static int forward(struct replay *r, size_t from, size_t to, struct model *m, bool push)
{
	for (size_t k = from; k <= to; k++) {
		if (apply_idx(r, k, m, push) < 0) {
			r->built = NULL;
			return -1;
		}
		r->pos = k;
	}
	return 0;
}

int replay_seek(struct replay *r, size_t idx, struct model *m)
{
	const struct checkpoint *cp;
	size_t from, first, k;
	int64_t t;

	assert(r->browse); /* replay_open without index_only */
	if (r->n_lines == 0)
		return -1;
	if (idx >= r->n_lines)
		idx = r->n_lines - 1;
	if (r->built == m && idx == r->pos)
		return 0;
	m->warn_pct = r->warn_pct;
	m->crit_pct = r->crit_pct;
	t = r->lines[idx].time_ms;
	first = idx;
	while (first > 0 && r->lines[first - 1].time_ms >= t - REPLAY_HISTORY_MS)
		first--;
	cp = checkpoint_at(r, idx);
	from = cp ? cp->idx + 1 : 0;
	/* Forward when that applies no more lines than the checkpoint would
	 * (so stepping crosses checkpoints: tests/test_replay.c compares). */
	if (r->built == m && idx > r->pos && idx - r->pos <= idx + 2 - from)
		return forward(r, r->pos + 1, idx, m, true);
	r->built = NULL;
	model_clear(m);
	if (idx < r->n_recorded) {
		/* State from the nearest checkpoint, histories from the points. */
		if (cp && checkpoint_apply(cp, m) < 0)
			return -1;
		for (k = from; k <= idx; k++)
			if (apply_idx(r, k, m, false) < 0)
				return -1;
		history_fill(r, m, first, idx);
	} else {
		/* Past the points kept at open: from the checkpoint before the
		 * history window, pushing the window's lines. */
		cp = checkpoint_at(r, first);
		from = cp ? cp->idx + 1 : 0;
		if (cp && checkpoint_apply(cp, m) < 0)
			return -1;
		for (k = from; k <= idx; k++)
			if (apply_idx(r, k, m, k >= first) < 0)
				return -1;
	}
	r->built = m;
	r->pos = idx;
	return 0;
}

/* ---- re-analysis: the log as a sampler for the update stage ---- */

struct replay_feed {
	struct model *rec;           /* the log as recorded, line by line */
	struct proc_sample **live;   /* samples of the processes alive at the last line */
	size_t n_live, cap_live;
	struct proc_sample **gone;   /* exited at the last line: freed at the next */
	size_t n_gone, cap_gone;
	struct proc_sample **v;      /* this line's tracked list */
	size_t cap_v;
	uint32_t gen;
	struct replay_settings settings;
	/* The GPU reading of this line, rebuilt from the recorded values. */
	struct gpu_sample gpu;
	struct gpu_card *gpu_cards;
	struct gpu_proc *gpu_procs;
	size_t cap_gpu_procs;
	int64_t gpu_last_ms;
	bool gpu_seen;
};

struct replay_feed *replay_feed_new(void)
{
	struct replay_feed *f = xcalloc(1, sizeof(*f));

	f->rec = model_new("replay", 1000);
	return f;
}

static void feed_sample_free(struct proc_sample *s)
{
	free(s->user);
	free(s->name);
	free(s->cmdline);
	free(s->cgroup);
	free(s);
}

void replay_feed_free(struct replay_feed *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n_live; i++)
		feed_sample_free(f->live[i]);
	for (size_t i = 0; i < f->n_gone; i++)
		feed_sample_free(f->gone[i]);
	free(f->live);
	free(f->gone);
	free(f->v);
	free(f->gpu_cards);
	free(f->gpu_procs);
	model_free(f->rec);
	free(f);
}

static int gpu_proc_cmp(const void *a, const void *b)
{
	const struct gpu_proc *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->card < y->card ? -1 : x->card > y->card;
}

/* The GPU reading a recorded line stands for: its cards, and each live
 * process's per-GPU memory. Fresh only when the line records a new
 * reading (gpu_mono_ms moved): the live run read the GPUs about once a
 * second, and each reading went into the trends once. A series whose sum
 * is absent while every share is known had a card's list fail. */
static const struct gpu_sample *feed_gpu(struct replay_feed *f)
{
	const struct model *rec = f->rec;
	size_t n = 0;

	if (!rec->n_gpus)
		return NULL;
	f->gpu_cards = xrealloc(f->gpu_cards, rec->n_gpus * sizeof(*f->gpu_cards));
	for (size_t i = 0; i < rec->n_gpus; i++) {
		struct gpu_card *c = &f->gpu_cards[i];

		memset(c, 0, sizeof(*c));
		c->index = rec->gpus[i].index;
		snprintf(c->name, sizeof(c->name), "%s", rec->gpus[i].name ? rec->gpus[i].name : "");
		c->total_bytes = rec->gpus[i].total_bytes;
		c->used_bytes = rec->gpus[i].used_bytes;
		c->free_bytes = rec->gpus[i].free_bytes;
		c->procs_ok = true;
	}
	for (size_t i = 0; i < rec->n_procs; i++) {
		const struct proc_entity *p = rec->procs[i];
		bool shares_known = true;

		if (!p->alive || !p->gpu)
			continue;
		for (size_t k = 0; k < p->gpu->n_cards; k++) {
			size_t slot = rec->n_gpus;

			shares_known &= ms_has(p->gpu->cards[k].bytes);
			for (size_t j = 0; j < rec->n_gpus; j++)
				if (f->gpu_cards[j].index == p->gpu->cards[k].index)
					slot = j;
			if (slot == rec->n_gpus)
				continue;
			if (n == f->cap_gpu_procs) {
				f->cap_gpu_procs = f->cap_gpu_procs ? 2 * f->cap_gpu_procs : 16;
				f->gpu_procs = xrealloc(f->gpu_procs, f->cap_gpu_procs * sizeof(*f->gpu_procs));
			}
			f->gpu_procs[n++] = (struct gpu_proc){.pid = p->pid, .card = (unsigned)slot,
							      .used_bytes = p->gpu->cards[k].bytes,
							      .kind = GPU_KIND_COMPUTE};
		}
		if (!ms_has(p->gpu->bytes) && shares_known)
			for (size_t j = 0; j < rec->n_gpus; j++)
				f->gpu_cards[j].procs_ok = false;
	}
	if (n > 1)
		qsort(f->gpu_procs, n, sizeof(*f->gpu_procs), gpu_proc_cmp);
	f->gpu = (struct gpu_sample){.n_cards = rec->n_gpus, .cards = f->gpu_cards, .n_procs = n,
				     .procs = f->gpu_procs, .n_unmapped = rec->gpu_unmapped,
				     .t_ms = rec->gpu_t_ms,
				     .fresh = !f->gpu_seen || rec->gpu_t_ms != f->gpu_last_ms};
	f->gpu.pid_map = !rec->gpu_pid_map || !strcmp(rec->gpu_pid_map, "host") ? GPU_PIDS_HOST
			 : !strcmp(rec->gpu_pid_map, "nspid")                    ? GPU_PIDS_NSPID
										 : GPU_PIDS_UNMAPPED;
	f->gpu_seen = true;
	f->gpu_last_ms = rec->gpu_t_ms;
	return &f->gpu;
}

const struct model *replay_feed_recorded(const struct replay_feed *f)
{
	return f->rec;
}

const struct replay_settings *replay_feed_settings(const struct replay_feed *f)
{
	return &f->settings;
}

static bool str_differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

/* A recorded live process as the sampler would have handed it over. */
/* The sampler's inputs to a process's limits, from its recorded limits:
 * the soft RLIMIT_AS and RLIMIT_DATA, and a 32-bit executable (an
 * address_space limit; when RLIMIT_AS hid it, re-analysis hides it again). */
static void replay_limit_inputs(struct proc_sample *s, const struct proc_entity *p)
{
	const struct limit *as = limit_state_find(&p->limits, LIMIT_RLIMIT_AS);
	const struct limit *data = limit_state_find(&p->limits, LIMIT_RLIMIT_DATA);

	s->rl.as_soft_bytes = s->rl.as_hard_bytes = as ? as->limit_bytes : MS_UNLIMITED;
	s->rl.data_soft_bytes = s->rl.data_hard_bytes = data ? data->limit_bytes : MS_UNLIMITED;
	s->address_bits = limit_state_find(&p->limits, LIMIT_ADDRESS_SPACE) ? 32 : 0;
}

static struct proc_sample *feed_proc(struct replay_feed *f, struct proc_entity *p)
{
	struct proc_sample *s = p->sampler_ref;

	if (!s) {
		s = xcalloc(1, sizeof(*s));
		s->pid = p->pid;
		s->start_ticks = p->start_ticks;
		s->start_time_ms = p->start_time_ms;
		s->uid = p->uid;
		s->user = xstrdup(p->user);
		s->name = xstrdup(p->name);
		s->cmdline = xstrdup(p->cmdline);
		s->cgroup = p->cgroup ? xstrdup(p->cgroup) : NULL;
		s->is_new = true;
		p->sampler_ref = s;
		if (f->n_live == f->cap_live) {
			f->cap_live = f->cap_live ? 2 * f->cap_live : 64;
			f->live = xrealloc(f->live, f->cap_live * sizeof(*f->live));
		}
		f->live[f->n_live++] = s;
	} else {
		s->is_new = false;
		if (str_differs(s->name, p->name) || str_differs(s->cmdline, p->cmdline)) {
			model_set_str(&s->name, p->name);
			model_set_str(&s->cmdline, p->cmdline);
			s->identity_changed = true; /* execve */
		}
		if (str_differs(s->cgroup, p->cgroup)) {
			model_set_str(&s->cgroup, p->cgroup);
			s->cgroup_changed = true;
		}
	}
	s->selected = p->selected;
	s->tracked = s->alive = true;
#define COPY(fld) s->fld = p->fld;
	UPDATE_PROC_VALUES(COPY)
#undef COPY
	replay_limit_inputs(s, p);
	s->gen = f->gen;
	return s;
}

static void feed_settings(struct replay_feed *f, json_t *doc, int64_t t_ms)
{
	json_t *a = json_object_get(doc, "analysis");
	int64_t v;

	f->settings.mono_ms = get_range(doc, "mono_ms", INT64_MIN / 2, INT64_MAX / 2, &v) ? v : t_ms;
	f->settings.known = json_is_object(a);
	if (!f->settings.known)
		return;
	f->settings.all = json_is_true(json_object_get(a, "everything"));
	f->settings.trees = json_is_true(json_object_get(a, "trees"));
	f->settings.keep_pid = get_range(a, "launch_pid", 1, INT_MAX, &v) ? (pid_t)v : 0;
	f->settings.warn_pct = get_range(a, "warn_pct", 1, 1000, &v) ? (int)v : -1;
	f->settings.crit_pct = get_range(a, "crit_pct", 1, 1000, &v) ? (int)v : -1;
}

static int feed_doc(struct replay_feed *f, json_t *doc, struct update_input *in)
{
	struct model *rec = f->rec;
	int64_t t_ms;
	bool snapshot;
	size_t n = 0, j = 0;

	if (line_check(doc, &t_ms, &snapshot))
		return -1;
	feed_settings(f, doc, t_ms);
	line_apply(rec, doc, snapshot, t_ms, true);
	line_finish(rec, t_ms, false);

	for (size_t i = 0; i < f->n_gone; i++)
		feed_sample_free(f->gone[i]);
	f->n_gone = 0;
	f->gen++;
	if (f->cap_v < rec->n_procs + 1) {
		f->cap_v = rec->n_procs + 1;
		f->v = xrealloc(f->v, f->cap_v * sizeof(*f->v));
	}
	/* Tracked: the recorded live processes, in the log's order (the order
	 * the live run added them in). */
	for (size_t i = 0; i < rec->n_procs; i++) {
		struct proc_entity *p = rec->procs[i];

		if (p->alive)
			f->v[n++] = feed_proc(f, p);
		else if (p->sampler_ref)
			p->sampler_ref = NULL; /* exited: found below */
	}
	/* Exited: alive at the last line, not now (dead, or gone from a
	 * snapshot line). */
	for (size_t i = 0; i < f->n_live; i++) {
		struct proc_sample *s = f->live[i];

		if (s->gen == f->gen) {
			f->live[j++] = s;
			continue;
		}
		s->alive = false;
		if (f->n_gone == f->cap_gone) {
			f->cap_gone = f->cap_gone ? 2 * f->cap_gone : 16;
			f->gone = xrealloc(f->gone, f->cap_gone * sizeof(*f->gone));
		}
		f->gone[f->n_gone++] = s;
	}
	f->n_live = j;
	memset(in, 0, sizeof(*in));
	in->mono_ms = f->settings.mono_ms;
	in->time_ms = t_ms;
	in->sys = rec->sys;
	in->procs = f->v;
	in->n_procs = n;
	in->exited = f->gone;
	in->n_exited = f->n_gone;
	in->gpu = feed_gpu(f);
	return 0;
}

int replay_feed_line(struct replay_feed *f, const char *text, size_t len, struct update_input *in)
{
	json_t *doc = json_loadb(text, len, 0, NULL);
	int rc = doc ? feed_doc(f, doc, in) : -1;

	json_decref(doc);
	return rc;
}

static struct cgroup_kv *kv_dup(const struct cgroup_kv *kv, size_t n)
{
	struct cgroup_kv *d = xcalloc(n + 1, sizeof(*d));

	for (size_t i = 0; i < n; i++) {
		d[i].key = xstrdup(kv[i].key);
		d[i].value = kv[i].value;
	}
	return d;
}

void replay_feed_cgroup_read(void *ctx, const char *path, struct cgroup_sample *out)
{
	struct replay_feed *f = ctx;
	const struct cgroup_entity *c = model_cgroup_find(f->rec, path);

	if (!c) {
		/* Not in the log: as a removed directory reads. */
		cgroup_sample_gone(out, f->rec->cgroup_version && strcmp(f->rec->cgroup_version, "v1") == 0
					       ? CGROUP_V1 : CGROUP_V2, path);
		return;
	}
	*out = c->s;
	out->path = xstrdup(path);
	out->stat = kv_dup(c->s.stat, c->s.n_stat);
	out->effective_limit_source = c->s.effective_limit_source ? xstrdup(c->s.effective_limit_source) : NULL;
	out->effective_high_source = c->s.effective_high_source ? xstrdup(c->s.effective_high_source) : NULL;
}

void replay_feed_after(struct replay_feed *f, struct model *m)
{
	struct model *rec = f->rec;
	const struct event *first;
	size_t n = model_events_this_tick(rec, &first);
	size_t j = 0;

	/* A delta line never says a cgroup or a tree went: the update stage
	 * decided it; the sampler keeps what the update stage holds. */
	for (size_t i = 0; i < rec->n_trees; i++) {
		if (model_tree_find(m, rec->trees[i]->root_pid))
			rec->trees[j++] = rec->trees[i];
		else
			model_tree_free(rec->trees[i]);
	}
	rec->n_trees = j;
	j = 0;
	for (size_t i = 0; i < rec->n_cgroups; i++) {
		struct cgroup_entity *c = rec->cgroups[i];

		if (model_cgroup_find(m, c->s.path))
			rec->cgroups[j++] = c;
		else
			model_cgroup_free(rec, c);
	}
	rec->n_cgroups = j;

	model_set_str(&m->host, rec->host);
	m->interval_ms = rec->interval_ms;
	m->cgroup_version = rec->cgroup_version;
	m->self = rec->self;
	/* The alert hooks ran after the analysis: their events as recorded. */
	for (size_t i = 0; i < n; i++) {
		const struct event *e = model_event_at(rec, rec->ev_len - n + i);

		if (e->kind != EV_ALERT_HOOK)
			continue;
		model_event(m, e->kind, e->pid, e->cgroup, "%s", e->message);
		m->events[(m->ev_head + m->ev_len - 1) % MODEL_EVENTS_MAX].time_ms = e->time_ms;
	}
}

/* ---- the update stage over a log ---- */

static void analysis_init(struct analysis *an, int warn_pct, int crit_pct)
{
	memset(an, 0, sizeof(*an));
	an->f = replay_feed_new();
	an->warn_pct = warn_pct;
	an->crit_pct = crit_pct;
}

static void analysis_done(struct analysis *an)
{
	if (an->m) {
		update_done(&an->u);
		model_free(an->m);
	}
	replay_feed_free(an->f);
	memset(an, 0, sizeof(*an));
}

/* One line through the sampler and the update stage into an->m. 0, or -1
 * when it is not a log line. */
static int analysis_doc(struct analysis *an, json_t *doc)
{
	struct update_input in;

	if (feed_doc(an->f, doc, &in) < 0)
		return -1;
	if (!an->m) {
		const struct replay_settings *st = replay_feed_settings(an->f);

		an->m = model_new(an->f->rec->host, an->f->rec->interval_ms);
		if (st->warn_pct > 0 || an->warn_pct > 0)
			an->m->warn_pct = st->warn_pct > 0 ? st->warn_pct : an->warn_pct;
		if (st->crit_pct > 0 || an->crit_pct > 0)
			an->m->crit_pct = st->crit_pct > 0 ? st->crit_pct : an->crit_pct;
		an->m->no_history = true;
		update_init(&an->u, an->m, &(struct update_config){
			.all = st->all,
			.trees = st->trees,
			.keep_pid = st->keep_pid,
			.cgroup_read = an->f->rec->cgroup_version ? replay_feed_cgroup_read : NULL,
			.cgroup_ctx = an->f,
		});
	}
	update_tick(&an->u, &in);
	replay_feed_after(an->f, an->m);
	return 0;
}

int replay_relog(struct replay *r, struct ndjson_log *log, int warn_pct, int crit_pct, char **err)
{
	struct analysis an;
	int rc = 0;

	*err = NULL;
	analysis_init(&an, warn_pct, crit_pct);
	/* The lines replay_open kept: bad ones are skipped as the browser skips them. */
	for (size_t idx = 0; idx < r->n_lines; idx++) {
		json_t *doc = line_load(r, idx);

		if (!doc || analysis_doc(&an, doc) < 0) {
			json_decref(doc);
			*err = xasprintf("%s changed while it was read", r->path);
			rc = -1;
			break;
		}
		json_decref(doc);
		if (ndjson_write(log, an.m, err) < 0) {
			rc = -1;
			break;
		}
	}
	analysis_done(&an);
	return rc;
}
