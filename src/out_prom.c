/* out_prom: the model as Prometheus text exposition (output stage).
 *
 * The one file that knows the metric names, but for the series' families,
 * which are their rows in the series table (series.h). Samples of one family are
 * written together under its HELP and TYPE lines, as the format requires;
 * a value the model does not have (absent, NAN) is left out, never written
 * as 0. Label values are sanitised like every other text from the system
 * and then escaped per the exposition format. */
#include "out_prom.h"


#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "series.h"
#include "util.h"

struct out_prom {
	char *path;
	char *tmp_template;   /* "DIR/.BASE.XXXXXX": hidden, and not *.prom */
	int top_n;
	bool failing;         /* the last write failed: do not repeat the message */
	uint64_t n_writes, n_failed;
	int64_t said_ms;      /* when a failing file was last reported; 0: not failing */
};

char *out_prom_escape_label(const char *s)
{
	size_t n = 0;
	char *out, *p;

	for (const char *c = s; *c; c++)
		n += (*c == '\\' || *c == '"' || *c == '\n') ? 2 : 1;
	out = p = xmalloc(n + 1);
	for (const char *c = s; *c; c++) {
		if (*c == '\\' || *c == '"') {
			*p++ = '\\';
			*p++ = *c;
		} else if (*c == '\n') {
			*p++ = '\\';
			*p++ = 'n';
		} else {
			*p++ = *c;
		}
	}
	*p = '\0';
	return out;
}

/* A label value from the system: sanitised, then escaped. */
static char *label_value(const char *raw)
{
	char *clean = util_sanitize(raw ? raw : ""), *esc = out_prom_escape_label(clean);

	free(clean);
	return esc;
}

/* ",container=\"web-1\"" for a cgroup in a container (its name, else
 * runtime:short id: container_label), "" otherwise. */
static char *container_label_pair(const struct container *c)
{
	char *raw, *v, *pair;

	if (!c->runtime || !c->runtime[0] || !(raw = container_label(c)))
		return xstrdup("");
	v = label_value(raw);
	pair = xasprintf(",container=\"%s\"", v);
	free(raw);
	free(v);
	return pair;
}

/* ---- entity getters: NAN leaves the sample out ---- */

static double bytes_val(int64_t v)
{
	return ms_has(v) && v != MS_UNLIMITED ? (double)v : NAN;
}

static double flag_val(bool b)
{
	return b ? 1.0 : 0.0;
}

static bool is_growing(const struct trend_result *r)
{
	return r->verdict == TREND_GROWING || r->verdict == TREND_LEAK;
}

/* An entity kind's own values, one family per row; its series' families
 * come from the series table (series.h). */
struct metric {
	const char *name, *help;
	double (*get)(const void *entity);
};

#define E_GET(fn, type, var, expr) \
	static double fn(const void *e) { const type *var = e; return (expr); }
E_GET(p_rss, struct proc_entity, p, bytes_val(p->rss_bytes))
E_GET(p_anon, struct proc_entity, p, bytes_val(p->rss_anon_bytes))
E_GET(p_swap, struct proc_entity, p, bytes_val(p->swap_bytes))
E_GET(p_pss, struct proc_entity, p, bytes_val(p->pss_bytes))
E_GET(t_rss, struct tree_entity, t, bytes_val(t->rss_bytes))
E_GET(t_swap, struct tree_entity, t, bytes_val(t->swap_bytes))
E_GET(t_n, struct tree_entity, t, (double)t->n_procs)
E_GET(c_usage, struct cgroup_entity, c, bytes_val(c->s.current_bytes))
E_GET(c_high, struct cgroup_entity, c, bytes_val(c->s.effective_high_bytes))
E_GET(c_ws, struct cgroup_entity, c, bytes_val(c->s.working_set_bytes))
E_GET(c_swap, struct cgroup_entity, c, bytes_val(c->s.swap_current_bytes))
#undef E_GET

static const struct metric proc_metrics[] = {
	{"memslope_process_rss_bytes", "Resident set size of the process.", p_rss},
	{"memslope_process_anon_bytes", "Anonymous resident memory (RssAnon) of the process.", p_anon},
	{"memslope_process_swap_bytes", "Swapped-out memory (VmSwap) of the process.", p_swap},
	{"memslope_process_pss_bytes", "Proportional set size of the process, when sampled.", p_pss},
};

static const struct metric tree_metrics[] = {
	{"memslope_tree_rss_bytes", "Summed resident set size of a watched process and its descendants.", t_rss},
	{"memslope_tree_swap_bytes", "Summed swapped-out memory of the tree.", t_swap},
	{"memslope_tree_processes", "Live processes in the tree.", t_n},
};

static const struct metric cgroup_metrics[] = {
	{"memslope_cgroup_usage_bytes", "Memory charged to the cgroup (memory.current or usage_in_bytes).", c_usage},
	{"memslope_cgroup_high_bytes", "Effective memory.high of the cgroup, when one is set.", c_high},
	{"memslope_cgroup_working_set_bytes", "Usage minus reclaimable file cache.", c_ws},
	{"memslope_cgroup_swap_bytes", "Swap used by the cgroup.", c_swap},
};

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- rendering ---- */

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample(FILE *f, const char *name, const char *labels, double v)
{
	if (isnan(v))
		return;
	if (isinf(v))
		fprintf(f, "%s{%s} %s\n", name, labels, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		fprintf(f, "%s{%s} %.0f\n", name, labels, v);
	else
		fprintf(f, "%s{%s} %.10g\n", name, labels, v);
}

static int cmp_rss_desc(const void *x, const void *y)
{
	const struct proc_entity *p = *(const struct proc_entity *const *)x;
	const struct proc_entity *q = *(const struct proc_entity *const *)y;
	int64_t a = ms_has(p->rss_bytes) ? p->rss_bytes : -1, b = ms_has(q->rss_bytes) ? q->rss_bytes : -1;

	if (a != b)
		return a > b ? -1 : 1;
	return (p->pid > q->pid) - (p->pid < q->pid);
}

/* The exported processes: the top_n live ones by RSS, then every other
 * live one that is growing or heading for its limit. */
static size_t pick_procs(const struct model *m, int top_n, const struct proc_entity ***out)
{
	const struct proc_entity **v = xmalloc((m->n_procs + 1) * sizeof(*v));
	size_t n = 0, k = 0;

	for (size_t i = 0; i < m->n_procs; i++)
		if (m->procs[i]->alive)
			v[n++] = m->procs[i];
	qsort(v, n, sizeof(*v), cmp_rss_desc);
	k = n < (size_t)top_n ? n : (size_t)top_n;
	for (size_t i = k; i < n; i++) {
		const struct trend_result *r = trend_get(&v[i]->trend);
		const struct limit *b = limit_state_binding(&v[i]->limits);

		/* A job heading for RLIMIT_AS may have a small RSS. */
		if (is_growing(r) || r->oom_imminent || (b && isfinite(b->ttl_s)))
			v[k++] = v[i];
	}
	*out = v;
	return k;
}

static void ttl_sample(FILE *f, const char *labels, const char *entity, const struct series_core *s)
{
	const struct trend_result *r = trend_get(&s->trend);
	char *l;

	if (!isfinite(r->ttl_s) || r->ttl_target == TTL_NONE)
		return;
	l = xasprintf("entity=\"%s\",%s,target=\"%s\"", entity, labels,
		      r->ttl_target == TTL_HIGH ? "high" : "max");
	sample(f, "memslope_time_to_limit_seconds", l, r->ttl_s);
	free(l);
}

/* Every limit of each exported process, labelled by kind, and the time to
 * its binding limit. */
static void limit_families(FILE *f, const struct proc_entity **procs, size_t n, char **plabels)
{
	static const struct {
		const char *name, *help;
	} fam[] = {
		{"memslope_process_limits_bytes",
		 "Each limit set for the process, by kind (cgroup_max, cgroup_high, machine, rlimit_as, "
		 "rlimit_data, commit, address_space)."},
		{"memslope_process_limits_used_bytes",
		 "The series each limit is compared with (charged usage, RSS+swap, VmSize, VmData, Committed_AS)."},
		{"memslope_process_limits_imminent", "1 when that limit is predicted within 2 minutes, else 0."},
	};

	for (size_t k = 0; k < sizeof(fam) / sizeof(fam[0]); k++) {
		family(f, fam[k].name, "gauge", fam[k].help);
		for (size_t i = 0; i < n; i++) {
			const struct limit_state *st = &procs[i]->limits;

			for (size_t j = 0; j < st->n; j++) {
				const struct limit *l = &st->v[j];
				char *lab = xasprintf("%s,kind=\"%s\"", plabels[i], limit_kind_name(l->kind));

				sample(f, fam[k].name, lab,
				       k == 0 ? bytes_val(l->limit_bytes)
				       : k == 1 ? bytes_val(l->used_bytes)
						: flag_val(l->imminent));
				free(lab);
			}
		}
	}
	family(f, "memslope_process_binding_time_to_limit_seconds", "gauge",
	       "Predicted time until the process reaches its binding limit (the one predicted first), "
	       "labelled with its kind.");
	for (size_t i = 0; i < n; i++) {
		const struct limit *b = limit_state_binding(&procs[i]->limits);
		char *lab;

		if (!b || !isfinite(b->ttl_s))
			continue;
		lab = xasprintf("%s,kind=\"%s\"", plabels[i], limit_kind_name(b->kind));
		sample(f, "memslope_process_binding_time_to_limit_seconds", lab, b->ttl_s);
		free(lab);
	}
}

/* Each row's family over the entities ents[i] (NULL: not exported) labelled
 * labels[i]. */
static void metric_families(FILE *f, const struct metric *rows, size_t n_rows, const void *const *ents, size_t n,
			    char *const *labels)
{
	for (size_t k = 0; k < n_rows; k++) {
		family(f, rows[k].name, "gauge", rows[k].help);
		for (size_t i = 0; i < n; i++)
			if (ents[i])
				sample(f, rows[k].name, labels[i], rows[k].get(ents[i]));
	}
}

static void plain(FILE *f, const char *name, const char *type, const char *help, double v)
{
	if (isnan(v))
		return;
	family(f, name, type, help);
	if (v == floor(v) && fabs(v) < 1e15)
		fprintf(f, "%s %.0f\n", name, v);
	else
		fprintf(f, "%s %.10g\n", name, v);
}

/* The GPUs themselves, where NVML was loaded. */
static void gpu_cards(FILE *f, const struct model *m)
{
	static const struct {
		const char *name, *help;
	} fam[] = {
		{"memslope_gpu_memory_used_bytes", "Memory in use on the GPU (total minus free)."},
		{"memslope_gpu_memory_total_bytes", "Memory of the GPU."},
	};

	for (size_t k = 0; m->n_gpus && k < sizeof(fam) / sizeof(fam[0]); k++) {
		family(f, fam[k].name, "gauge", fam[k].help);
		for (size_t i = 0; i < m->n_gpus; i++) {
			char *name = label_value(m->gpus[i].name);
			char *l = xasprintf("gpu=\"%u\",name=\"%s\"", m->gpus[i].index, name);

			sample(f, fam[k].name, l, bytes_val(k == 0 ? m->gpus[i].used_bytes : m->gpus[i].total_bytes));
			free(l);
			free(name);
		}
	}
}

/* The entities of one kind that a series' families cover, by scope
 * (series.h): ents[i] NULL is not exported. */
struct expo {
	const void **ents;
	char **labels;
	size_t n;
};

static int kind_index(char kind)
{
	assert(kind == 'p' || kind == 't' || kind == 'c');
	return kind == 'p' ? 0 : kind == 't' ? 1 : 2;
}

/* Every series' families, walking the series table: its gauges, then the
 * time to limit of those that share memslope_time_to_limit_seconds. */
static void series_families(FILE *f, const struct model *m, struct expo ex[2][3])
{
	for (int k = 0; k < SERIES_N; k++) {
		const struct series_desc *d = &series_table[k];
		const struct expo *x = &ex[d->prom.scope][kind_index(d->kind)];

		if (d->prom.scope == SERIES_SCOPE_GPU && !m->n_gpus)
			continue;
		for (int g = 0; g < SG_N; g++) {
			const char *name = d->prom.gauge[g].name;

			if (!name)
				continue;
			family(f, name, "gauge", d->prom.gauge[g].help);
			for (size_t i = 0; i < x->n; i++) {
				const struct series_core *s = x->ents[i] ? d->core(x->ents[i]) : NULL;

				if (s)
					sample(f, name, x->labels[i], series_gauge_value(d, x->ents[i], s, g));
			}
		}
	}
	family(f, "memslope_time_to_limit_seconds", "gauge",
	       "Predicted time until the entity reaches its limit (target max) or memory.high (target high).");
	for (int k = 0; k < SERIES_N; k++) {
		const struct series_desc *d = &series_table[k];
		const struct expo *x = &ex[d->prom.scope][kind_index(d->kind)];

		if (!d->prom.ttl_entity || (d->prom.scope == SERIES_SCOPE_GPU && !m->n_gpus))
			continue;
		for (size_t i = 0; i < x->n; i++) {
			const struct series_core *s = x->ents[i] ? d->core(x->ents[i]) : NULL;

			if (s)
				ttl_sample(f, x->labels[i], d->prom.ttl_entity, s);
		}
	}
}

static void expo_free(struct expo *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->labels[i]);
	free(x->labels);
	free(x->ents);
}

char *out_prom_render(const struct model *m, int top_n)
{
	const struct proc_entity **procs;
	size_t n_procs = pick_procs(m, top_n, &procs), n_alive = 0, len = 0;
	/* [scope][kind]: the GPU scope differs only for processes (every live
	 * one, by pid and name); trees and cgroups are the same set. */
	struct expo ex[2][3];
	struct expo *xp = &ex[SERIES_SCOPE_ENTITY][0], *xt = &ex[SERIES_SCOPE_ENTITY][1];
	struct expo *xc = &ex[SERIES_SCOPE_ENTITY][2], *xg = &ex[SERIES_SCOPE_GPU][0];
	char *text = NULL, *host = label_value(m->host);
	FILE *f = open_memstream(&text, &len);

	if (!f)
		fatal("out of memory (metrics)");
	xp->n = n_procs;
	xp->ents = xcalloc(n_procs + 1, sizeof(*xp->ents));
	xp->labels = xcalloc(n_procs + 1, sizeof(char *));
	for (size_t i = 0; i < n_procs; i++) {
		char *name = label_value(procs[i]->name), *cg = label_value(procs[i]->cgroup);
		char *ct = container_label_pair(&procs[i]->container);

		xp->ents[i] = procs[i];
		xp->labels[i] = xasprintf("pid=\"%d\",name=\"%s\",cgroup=\"%s\"%s", (int)procs[i]->pid, name, cg, ct);
		free(name);
		free(cg);
		free(ct);
	}
	xt->n = m->n_trees;
	xt->ents = xcalloc(m->n_trees + 1, sizeof(*xt->ents));
	xt->labels = xcalloc(m->n_trees + 1, sizeof(char *));
	for (size_t i = 0; i < m->n_trees; i++) {
		char *name = label_value(m->trees[i]->name);

		xt->labels[i] = xasprintf("pid=\"%d\",name=\"%s\"", (int)m->trees[i]->root_pid, name);
		xt->ents[i] = m->trees[i]->alive ? m->trees[i] : NULL;
		free(name);
	}
	xc->n = m->n_cgroups;
	xc->ents = xcalloc(m->n_cgroups + 1, sizeof(*xc->ents));
	xc->labels = xcalloc(m->n_cgroups + 1, sizeof(char *));
	for (size_t i = 0; i < m->n_cgroups; i++) {
		char *cg = label_value(m->cgroups[i]->s.path), *ct = container_label_pair(&m->cgroups[i]->container);

		xc->labels[i] = xasprintf("cgroup=\"%s\"%s", cg, ct);
		xc->ents[i] = m->cgroups[i]->s.exists ? m->cgroups[i] : NULL;
		free(cg);
		free(ct);
	}
	*xg = (struct expo){NULL, NULL, 0};
	if (m->n_gpus) {
		xg->n = m->n_procs;
		xg->ents = xcalloc(m->n_procs + 1, sizeof(*xg->ents));
		xg->labels = xcalloc(m->n_procs + 1, sizeof(char *));
		for (size_t i = 0; i < m->n_procs; i++) {
			const struct proc_entity *p = m->procs[i];
			char *name;

			if (!p->alive || !p->gpu)
				continue;
			name = label_value(p->name);
			xg->ents[i] = p;
			xg->labels[i] = xasprintf("pid=\"%d\",name=\"%s\"", (int)p->pid, name);
			free(name);
		}
	}
	ex[SERIES_SCOPE_GPU][1] = *xt;
	ex[SERIES_SCOPE_GPU][2] = *xc;
	for (size_t i = 0; i < m->n_procs; i++)
		n_alive += m->procs[i]->alive;

	/* About memslope itself and the machine. */
	family(f, "memslope_info", "gauge", "Always 1; the labels describe this memslope.");
	fprintf(f, "memslope_info{version=\"%s\",host=\"%s\",cgroup_version=\"%s\"} 1\n", PACKAGE_VERSION, host,
		m->cgroup_version ? m->cgroup_version : "none");
	plain(f, "memslope_last_sample_timestamp_seconds", "gauge",
	      "Wall-clock time of the sample these metrics come from.", (double)m->time_ms / 1000.0);
	plain(f, "memslope_sample_interval_seconds", "gauge", "Time between samples.",
	      (double)m->interval_ms / 1000.0);
	plain(f, "memslope_self_rss_bytes", "gauge", "Resident set size of memslope itself.",
	      bytes_val(m->self.rss_bytes));
	plain(f, "memslope_self_cpu_ratio", "gauge", "CPU used by memslope itself, as a fraction of one core.",
	      isfinite(m->self.cpu_pct) ? m->self.cpu_pct / 100.0 : NAN);
	plain(f, "memslope_self_sample_cost_seconds", "gauge", "Time memslope spends sampling one process.",
	      isfinite(m->self.sample_cost_us_per_process) ? m->self.sample_cost_us_per_process / 1e6 : NAN);
	plain(f, "memslope_self_open_fds", "gauge", "File descriptors memslope holds open.",
	      ms_has(m->self.n_fds) ? (double)m->self.n_fds : NAN);
	plain(f, "memslope_self_processes_watched", "gauge", "Live processes memslope watches.", (double)n_alive);
	plain(f, "memslope_self_processes_exported", "gauge",
	      "Processes exported here: the --prom-top largest plus every growing one.", (double)n_procs);
	plain(f, "memslope_system_memory_total_bytes", "gauge", "MemTotal of the machine.",
	      bytes_val(m->sys.mem_total_bytes));
	plain(f, "memslope_system_memory_available_bytes", "gauge", "MemAvailable of the machine.",
	      bytes_val(m->sys.mem_available_bytes));
	plain(f, "memslope_system_swap_total_bytes", "gauge", "SwapTotal of the machine.",
	      bytes_val(m->sys.swap_total_bytes));
	plain(f, "memslope_system_swap_free_bytes", "gauge", "SwapFree of the machine.",
	      bytes_val(m->sys.swap_free_bytes));
	plain(f, "memslope_system_commit_limit_bytes", "gauge",
	      "CommitLimit: what the machine may commit under strict overcommit.",
	      bytes_val(m->sys.commit_limit_bytes));
	plain(f, "memslope_system_committed_bytes", "gauge", "Committed_AS: what is committed now.",
	      bytes_val(m->sys.committed_as_bytes));
	plain(f, "memslope_system_overcommit_mode", "gauge",
	      "vm.overcommit_memory (2: strict, CommitLimit refuses allocations).",
	      m->sys.overcommit_mode >= 0 ? (double)m->sys.overcommit_mode : NAN);
	if (m->sys.pressure.present) {
		const struct cgroup_psi *p = &m->sys.pressure;
		static const char *const win[3] = {"10s", "60s", "300s"};
		double some[3] = {p->some_avg10, p->some_avg60, p->some_avg300};
		double full[3] = {p->full_avg10, p->full_avg60, p->full_avg300};
		char l[64];

		family(f, "memslope_system_memory_pressure_ratio", "gauge",
		       "Memory pressure stall information (PSI), share of time stalled over a window.");
		for (int i = 0; i < 3; i++) {
			snprintf(l, sizeof(l), "kind=\"some\",window=\"%s\"", win[i]);
			sample(f, "memslope_system_memory_pressure_ratio", l, some[i] / 100.0);
			snprintf(l, sizeof(l), "kind=\"full\",window=\"%s\"", win[i]);
			sample(f, "memslope_system_memory_pressure_ratio", l, full[i] / 100.0);
		}
	}

	metric_families(f, proc_metrics, N_ROWS(proc_metrics), xp->ents, xp->n, xp->labels);
	limit_families(f, procs, n_procs, xp->labels);
	metric_families(f, tree_metrics, N_ROWS(tree_metrics), xt->ents, xt->n, xt->labels);
	metric_families(f, cgroup_metrics, N_ROWS(cgroup_metrics), xc->ents, xc->n, xc->labels);
	family(f, "memslope_cgroup_memory_events_total", "counter",
	       "memory.events counters of the cgroup (v1: oom_kill from memory.oom_control).");
	for (size_t i = 0; i < m->n_cgroups; i++) {
		const struct cgroup_sample *s = &m->cgroups[i]->s;
		static const char *const names[6] = {"low", "high", "max", "oom", "oom_kill", "oom_group_kill"};
		int64_t ev[6] = {s->ev_low, s->ev_high, s->ev_max, s->ev_oom, s->ev_oom_kill, s->ev_oom_group_kill};

		if (!s->exists)
			continue;
		for (int k = 0; k < 6; k++) {
			char *l;

			if (!ms_has(ev[k]))
				continue;
			l = xasprintf("%s,event=\"%s\"", xc->labels[i], names[k]);
			sample(f, "memslope_cgroup_memory_events_total", l, (double)ev[k]);
			free(l);
		}
	}
	gpu_cards(f, m);
	series_families(f, m, ex);

	if (fclose(f) != 0)
		fatal("out of memory (metrics)");
	expo_free(xp);
	expo_free(xt);
	expo_free(xc);
	expo_free(xg);
	free(procs);
	free(host);
	return text;
}

/* ---- the file ---- */

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Write text to a new temporary file; its name in *tmp (caller frees). */
static int write_tmp(const struct out_prom *w, const char *text, char **tmp)
{
	int fd, e;

	*tmp = xstrdup(w->tmp_template);
	fd = mkostemp(*tmp, O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* mkstemp makes 0600; the collector may run as another user. */
	if (fchmod(fd, 0644) < 0 || write_all(fd, text, strlen(text)) < 0) {
		e = errno;
		close(fd);
		unlink(*tmp);
		errno = e;
		return -1;
	}
	/* No fsync: a reader needs an atomic switch (rename), not durability,
	 * and the file is rewritten every interval. */
	if (close(fd) < 0) {
		e = errno;
		unlink(*tmp);
		errno = e;
		return -1;
	}
	return 0;
}

struct out_prom *out_prom_new(const char *path, int top_n, char **err)
{
	struct out_prom *w;
	const char *slash = strrchr(path, '/');
	char *dir, *tmp = NULL;
	struct stat st;

	if (!*path || (slash && slash[1] == '\0') || (stat(path, &st) == 0 && S_ISDIR(st.st_mode))) {
		*err = xasprintf("--prom-file %s: names a directory, not a file", path);
		return NULL;
	}
	dir = slash ? xasprintf("%.*s", (int)(slash - path) ? (int)(slash - path) : 1, path) : xstrdup(".");
	w = xcalloc(1, sizeof(*w));
	w->path = xstrdup(path);
	w->top_n = top_n;
	w->tmp_template = xasprintf("%s/.%s.XXXXXX", dir, slash ? slash + 1 : path);
	/* Prove now that the directory takes a new file and a rename. */
	if (write_tmp(w, "", &tmp) < 0) {
		*err = xasprintf("--prom-file %s: cannot create a file in %s: %s", path, dir, strerror(errno));
		free(tmp);
		free(dir);
		out_prom_free(w);
		return NULL;
	}
	unlink(tmp);
	free(tmp);
	free(dir);
	return w;
}

void out_prom_free(struct out_prom *w)
{
	if (!w)
		return;
	free(w->path);
	free(w->tmp_template);
	free(w);
}

int out_prom_write(struct out_prom *w, const struct model *m, char **err)
{
	char *text = out_prom_render(m, w->top_n), *tmp = NULL;
	int rc = 0;

	*err = NULL;
	if (write_tmp(w, text, &tmp) < 0) {
		if (!w->failing)
			*err = xasprintf("cannot write %s: %s", w->path, strerror(errno));
		rc = -1;
	} else if (rename(tmp, w->path) < 0) {
		if (!w->failing)
			*err = xasprintf("cannot rename %s to %s: %s", tmp, w->path, strerror(errno));
		unlink(tmp);
		rc = -1;
	}
	w->failing = rc < 0;
	w->n_writes++;
	w->n_failed += rc < 0;
	free(tmp);
	free(text);
	return rc;
}

void out_prom_counts(const struct out_prom *w, uint64_t *writes, uint64_t *failed, bool *failing)
{
	*writes = w->n_writes;
	*failed = w->n_failed;
	*failing = w->failing;
}

char *out_prom_tick(struct out_prom *w, const struct model *m, int64_t now_ms, int64_t repeat_ms)
{
	char *err = NULL, *line = NULL;
	bool was_failing = w->said_ms != 0;

	out_prom_write(w, m, &err);
	if (w->failing && (err || now_ms - w->said_ms >= repeat_ms)) {
		char *msg = util_sanitize(err ? err : "still failing");

		line = xasprintf("--prom-file: %s (%" PRIu64 " of %" PRIu64 " writes failed)", msg, w->n_failed,
				 w->n_writes);
		free(msg);
		w->said_ms = now_ms ? now_ms : 1;
	} else if (!w->failing && was_failing) {
		line = xasprintf("--prom-file written again (%" PRIu64 " of %" PRIu64 " writes failed)", w->n_failed,
				 w->n_writes);
		w->said_ms = 0;
	}
	free(err);
	return line;
}

char *out_prom_summary(const struct out_prom *w, bool *still_failing)
{
	*still_failing = w && w->failing;
	if (!w || !w->n_failed)
		return NULL;
	return xasprintf("--prom-file %s: %" PRIu64 " of %" PRIu64 " writes failed%s", w->path, w->n_failed,
			 w->n_writes, w->failing ? ", the last one too" : "");
}
