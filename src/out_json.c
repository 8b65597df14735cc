/* out_json: the model as JSON documents (output stage).
 *
 * The one file that knows the JSON field names (schema "memslope/1", see
 * schema/memslope.schema.json). Built with jansson, never by hand. Absent
 * values are null; limits that are not set are the string "max". */
#include "out_json.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define SCHEMA_ID "memslope/1"

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

json_t *out_json_psi(const struct cgroup_psi *p)
{
	json_t *o;

	if (!p || !p->present)
		return json_null();
	o = json_object();
	set(o, "some_avg10", j_num(p->some_avg10));
	set(o, "some_avg60", j_num(p->some_avg60));
	set(o, "some_avg300", j_num(p->some_avg300));
	set(o, "some_total_us", j_int(p->some_total_us));
	set(o, "full_avg10", j_num(p->full_avg10));
	set(o, "full_avg60", j_num(p->full_avg60));
	set(o, "full_avg300", j_num(p->full_avg300));
	set(o, "full_total_us", j_int(p->full_total_us));
	return o;
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

json_t *out_json_trend(const struct trend_result *r)
{
	json_t *o = json_object();
	bool has_slope = isfinite(r->slope_bytes_per_s);

	set(o, "verdict", json_string(trend_verdict_name(r->verdict)));
	set(o, "slope_bytes_per_s", j_num(r->slope_bytes_per_s));
	set(o, "slope_ci_bytes_per_s",
	    has_slope ? j_pair(r->slope_lo_bytes_per_s, r->slope_hi_bytes_per_s, false) : json_null());
	set(o, "window_s", j_num(r->window_s));
	set(o, "mk_z", j_num(r->mk_z));
	set(o, "r2", j_num(r->r2));
	set(o, "ttl_s", j_num(r->ttl_s));
	set(o, "ttl_band_s", isfinite(r->ttl_s) ? j_pair(r->ttl_lo_s, r->ttl_hi_s, true) : json_null());
	set(o, "ttl_target", r->ttl_target == TTL_MAX ? json_string("max")
			     : r->ttl_target == TTL_HIGH ? json_string("high")
							 : json_null());
	set(o, "oom_imminent", json_boolean(r->oom_imminent));
	return o;
}

json_t *out_json_process(const struct proc_entity *p)
{
	json_t *o = json_object();
	char state[2] = {p->state, '\0'};

	set(o, "pid", json_integer(p->pid));
	set(o, "ppid", json_integer(p->ppid));
	set(o, "name", j_str(p->name));
	set(o, "cmdline", j_str(p->cmdline));
	set(o, "user", j_str(p->user));
	set(o, "uid", json_integer(p->uid));
	set(o, "start_time_ms", json_integer(p->start_time_ms));
	set(o, "state", p->state && p->state != '?' ? j_str(state) : json_null());
	set(o, "threads", j_int(p->threads));
	set(o, "cgroup", j_str(p->cgroup));
	set(o, "rss_bytes", j_bytes(p->rss_bytes));
	set(o, "rss_anon_bytes", j_bytes(p->rss_anon_bytes));
	set(o, "rss_file_bytes", j_bytes(p->rss_file_bytes));
	set(o, "rss_shmem_bytes", j_bytes(p->rss_shmem_bytes));
	set(o, "swap_bytes", j_bytes(p->swap_bytes));
	set(o, "peak_rss_bytes", j_bytes(p->peak_rss_bytes));
	set(o, "pss_bytes", j_bytes(p->pss_bytes));
	set(o, "uss_bytes", j_bytes(p->uss_bytes));
	set(o, "oom_score", j_int(p->oom_score));
	set(o, "oom_score_adj", j_int(p->oom_score_adj));
	set(o, "limit_bytes", j_bytes(p->limit_bytes));
	set(o, "limit_source", j_str(p->limit_source));
	set(o, "usage_pct", j_num(p->usage_pct));
	set(o, "selected", json_boolean(p->selected));
	set(o, "alive", json_boolean(p->alive));
	set(o, "trend", out_json_trend(trend_get(&p->trend)));
	return o;
}

json_t *out_json_tree(const struct tree_entity *t)
{
	json_t *o = json_object(), *pids = json_array();

	for (size_t i = 0; i < t->n_procs; i++)
		json_array_append_new(pids, json_integer(t->pids[i]));
	set(o, "root_pid", json_integer(t->root_pid));
	set(o, "name", j_str(t->name));
	set(o, "pids", pids);
	set(o, "n_procs", json_integer((json_int_t)t->n_procs));
	set(o, "rss_bytes", j_bytes(t->rss_bytes));
	set(o, "anon_swap_bytes", j_bytes(t->anon_swap_bytes));
	set(o, "swap_bytes", j_bytes(t->swap_bytes));
	set(o, "pss_bytes", j_bytes(t->pss_bytes));
	set(o, "peak_rss_bytes", j_bytes(t->peak_rss_bytes));
	set(o, "limit_bytes", j_bytes(t->limit_bytes));
	set(o, "limit_source", j_str(t->limit_source));
	set(o, "usage_pct", j_num(t->usage_pct));
	set(o, "alive", json_boolean(t->alive));
	set(o, "trend", out_json_trend(trend_get(&t->trend)));
	return o;
}

json_t *out_json_cgroup(const struct cgroup_entity *c)
{
	const struct cgroup_sample *s = &c->s;
	json_t *o = json_object(), *ev = json_object(), *st = json_object(), *v1;

	set(o, "path", j_str(s->path));
	set(o, "version", s->version ? json_integer(s->version) : json_null());
	set(o, "exists", json_boolean(s->exists));
	set(o, "current_bytes", j_bytes(s->current_bytes));
	set(o, "max_bytes", j_bytes(s->max_bytes));
	set(o, "high_bytes", j_bytes(s->high_bytes));
	set(o, "low_bytes", j_bytes(s->low_bytes));
	set(o, "min_bytes", j_bytes(s->min_bytes));
	set(o, "peak_bytes", j_bytes(s->peak_bytes));
	set(o, "swap_current_bytes", j_bytes(s->swap_current_bytes));
	set(o, "swap_max_bytes", j_bytes(s->swap_max_bytes));
	set(ev, "low", j_int(s->ev_low));
	set(ev, "high", j_int(s->ev_high));
	set(ev, "max", j_int(s->ev_max));
	set(ev, "oom", j_int(s->ev_oom));
	set(ev, "oom_kill", j_int(s->ev_oom_kill));
	set(ev, "oom_group_kill", j_int(s->ev_oom_group_kill));
	set(o, "events", ev);
	if (s->version == CGROUP_V1) {
		v1 = json_object();
		set(v1, "failcnt", j_int(s->v1_failcnt));
		set(v1, "under_oom", j_int(s->v1_under_oom));
		set(v1, "oom_kill_disable", j_int(s->v1_oom_kill_disable));
	} else {
		v1 = json_null();
	}
	set(o, "v1", v1);
	for (size_t i = 0; i < s->n_stat; i++)
		set(st, s->stat[i].key, j_int(s->stat[i].value));
	set(o, "stat", st);
	set(o, "pressure", out_json_psi(&s->pressure));
	set(o, "working_set_bytes", j_bytes(s->working_set_bytes));
	set(o, "effective_limit_bytes", j_bytes(c->limit_bytes));
	set(o, "effective_limit_source", j_str(c->limit_source));
	set(o, "effective_high_bytes", j_bytes(s->effective_high_bytes));
	set(o, "effective_high_source", j_str(s->effective_high_source));
	set(o, "usage_pct", j_num(c->usage_pct));
	set(o, "selected", json_boolean(c->selected));
	set(o, "trend", out_json_trend(trend_get(&c->trend)));
	return o;
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
	set(o, "message", j_str(e->message));
	return o;
}

json_t *out_json_header(const struct model *m, const char *type)
{
	json_t *o = json_object(), *sys = json_object(), *self = json_object();
	char when[40];

	out_json_time(m->time_ms, when, sizeof(when));
	set(o, "schema", json_string(SCHEMA_ID));
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
	set(sys, "pressure", out_json_psi(&m->sys.pressure));
	set(o, "system", sys);
	set(self, "cpu_pct", j_num(m->self.cpu_pct));
	set(self, "rss_bytes", j_bytes(m->self.rss_bytes));
	set(self, "sample_cost_us_per_process", j_num(m->self.sample_cost_us_per_process));
	set(self, "fds", j_int(m->self.n_fds));
	set(o, "self", self);
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

int out_json_write_atomic(json_t *doc, const char *path, char **err)
{
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	char *text = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
	size_t len, off = 0;
	int fd, rc = -1;

	if (!text)
		fatal("out of memory (JSON)");
	len = strlen(text);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		*err = xasprintf("cannot write %s: %s", path, strerror(errno));
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
