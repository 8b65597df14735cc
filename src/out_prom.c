/* out_prom: the model as Prometheus text exposition (output stage).
 *
 * The one file that knows the metric names. Samples of one family are
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

/* What a gauge of a series reads from its series core (model.h): every
 * series of every entity (memory, GPU memory) is exported by the same code. */
enum sgauge { SG_LIMIT, SG_RATIO, SG_SLOPE, SG_LEAK, SG_GROWING, SG_OOM, SG_TTL };

static double series_gauge(const struct series_core *s, enum sgauge g)
{
	const struct trend_result *r = trend_get(&s->trend);

	switch (g) {
	case SG_LIMIT:
		return bytes_val(s->limit_bytes);
	case SG_RATIO:
		return isfinite(s->usage_pct) ? s->usage_pct / 100.0 : NAN;
	case SG_SLOPE:
		return r->slope_bytes_per_s;
	case SG_LEAK:
		return flag_val(r->verdict == TREND_LEAK);
	case SG_GROWING:
		return flag_val(is_growing(r));
	case SG_OOM:
		return flag_val(r->oom_imminent);
	case SG_TTL:
		return r->ttl_s;
	}
	assert(!"unknown series gauge");
	return NAN;
}

/* One family per row: an entity's own value (get), or a gauge of its series
 * (get NULL: sg of the entity's series the table is for). */
struct metric {
	const char *name, *help;
	double (*get)(const void *entity);
	enum sgauge sg;
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
E_GET(pg_bytes, struct proc_entity, p, bytes_val(p->gpu->bytes))
E_GET(tg_bytes, struct tree_entity, t, bytes_val(t->gpu->bytes))
#undef E_GET

static const struct metric proc_metrics[] = {
	{"memslope_process_rss_bytes", "Resident set size of the process.", p_rss, 0},
	{"memslope_process_anon_bytes", "Anonymous resident memory (RssAnon) of the process.", p_anon, 0},
	{"memslope_process_swap_bytes", "Swapped-out memory (VmSwap) of the process.", p_swap, 0},
	{"memslope_process_pss_bytes", "Proportional set size of the process, when sampled.", p_pss, 0},
	{"memslope_process_limit_bytes",
	 "Limit the process can grow to: its cgroup's effective limit, else machine memory.", NULL, SG_LIMIT},
	{"memslope_process_limit_usage_ratio", "RSS divided by the limit.", NULL, SG_RATIO},
	{"memslope_process_growth_bytes_per_second", "Fitted growth of RssAnon+VmSwap (Theil-Sen slope).", NULL,
	 SG_SLOPE},
	{"memslope_process_leak", "1 when the verdict is a confirmed leak, else 0.", NULL, SG_LEAK},
	{"memslope_process_growing", "1 when the verdict is growing or leak, else 0.", NULL, SG_GROWING},
	{"memslope_process_oom_imminent", "1 when the limit is predicted to be reached soon, else 0.", NULL, SG_OOM},
};

static const struct metric tree_metrics[] = {
	{"memslope_tree_rss_bytes", "Summed resident set size of a watched process and its descendants.", t_rss, 0},
	{"memslope_tree_swap_bytes", "Summed swapped-out memory of the tree.", t_swap, 0},
	{"memslope_tree_processes", "Live processes in the tree.", t_n, 0},
	{"memslope_tree_limit_bytes", "Limit the tree can grow to.", NULL, SG_LIMIT},
	{"memslope_tree_growth_bytes_per_second", "Fitted growth of the tree's RssAnon+VmSwap.", NULL, SG_SLOPE},
	{"memslope_tree_leak", "1 when the tree's verdict is a confirmed leak, else 0.", NULL, SG_LEAK},
	{"memslope_tree_growing", "1 when the tree's verdict is growing or leak, else 0.", NULL, SG_GROWING},
};

static const struct metric cgroup_metrics[] = {
	{"memslope_cgroup_usage_bytes", "Memory charged to the cgroup (memory.current or usage_in_bytes).", c_usage,
	 0},
	{"memslope_cgroup_limit_bytes",
	 "Effective memory limit of the cgroup (nearest ancestor's), else machine memory.", NULL, SG_LIMIT},
	{"memslope_cgroup_high_bytes", "Effective memory.high of the cgroup, when one is set.", c_high, 0},
	{"memslope_cgroup_working_set_bytes", "Usage minus reclaimable file cache.", c_ws, 0},
	{"memslope_cgroup_swap_bytes", "Swap used by the cgroup.", c_swap, 0},
	{"memslope_cgroup_limit_usage_ratio", "Usage divided by the effective limit.", NULL, SG_RATIO},
	{"memslope_cgroup_growth_bytes_per_second", "Fitted growth of the working set plus swap.", NULL, SG_SLOPE},
	{"memslope_cgroup_leak", "1 when the cgroup's verdict is a confirmed leak, else 0.", NULL, SG_LEAK},
	{"memslope_cgroup_growing", "1 when the cgroup's verdict is growing or leak, else 0.", NULL, SG_GROWING},
	{"memslope_cgroup_oom_imminent", "1 when the limit is predicted to be reached soon, else 0.", NULL, SG_OOM},
};

static const struct metric proc_gpu_metrics[] = {
	{"memslope_process_gpu_memory_bytes", "GPU memory of the process, summed over its GPUs.", pg_bytes, 0},
	{"memslope_process_gpu_limit_bytes",
	 "GPU memory the process can reach: its own plus its GPUs' free memory.", NULL, SG_LIMIT},
	{"memslope_process_gpu_growth_bytes_per_second", "Fitted growth of the process's GPU memory.", NULL,
	 SG_SLOPE},
	{"memslope_process_gpu_growing", "1 when the GPU memory verdict is growing or leak, else 0.", NULL,
	 SG_GROWING},
	{"memslope_process_gpu_oom_imminent", "1 when the GPU's memory is predicted to run out soon, else 0.", NULL,
	 SG_OOM},
	{"memslope_process_gpu_time_to_limit_seconds", "Predicted time until the GPU memory is full.", NULL, SG_TTL},
};

static const struct metric tree_gpu_metrics[] = {
	{"memslope_tree_gpu_memory_bytes", "Summed GPU memory of a watched process and its descendants.", tg_bytes, 0},
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

/* Each row's family over the entities ents[i] (NULL: not exported) labelled
 * labels[i]; a row's series gauge reads their series id (model.c's table). */
static void metric_families(FILE *f, const struct metric *rows, size_t n_rows, enum series_id series,
			    const void *const *ents, size_t n, char *const *labels)
{
	for (size_t k = 0; k < n_rows; k++) {
		family(f, rows[k].name, "gauge", rows[k].help);
		for (size_t i = 0; i < n; i++) {
			if (!ents[i])
				continue;
			sample(f, rows[k].name, labels[i],
			       rows[k].get ? rows[k].get(ents[i])
					   : series_gauge(model_series_of(series, ents[i]), rows[k].sg));
		}
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

/* GPUs, and every live process and tree on one (they are few): only where
 * NVML was loaded, so a machine without NVIDIA's library exports what it did. */
static void gpu_metrics(FILE *f, const struct model *m)
{
	const void **ents;
	char **labels;

	if (!m->n_gpus)
		return;
	family(f, "memslope_gpu_memory_used_bytes", "gauge", "Memory in use on the GPU (total minus free).");
	for (size_t i = 0; i < m->n_gpus; i++) {
		char *name = label_value(m->gpus[i].name);
		char *l = xasprintf("gpu=\"%u\",name=\"%s\"", m->gpus[i].index, name);

		sample(f, "memslope_gpu_memory_used_bytes", l, bytes_val(m->gpus[i].used_bytes));
		free(l);
		free(name);
	}
	family(f, "memslope_gpu_memory_total_bytes", "gauge", "Memory of the GPU.");
	for (size_t i = 0; i < m->n_gpus; i++) {
		char *name = label_value(m->gpus[i].name);
		char *l = xasprintf("gpu=\"%u\",name=\"%s\"", m->gpus[i].index, name);

		sample(f, "memslope_gpu_memory_total_bytes", l, bytes_val(m->gpus[i].total_bytes));
		free(l);
		free(name);
	}
	ents = xcalloc(m->n_procs + 1, sizeof(*ents));
	labels = xcalloc(m->n_procs + 1, sizeof(*labels));
	for (size_t i = 0; i < m->n_procs; i++) {
		const struct proc_entity *p = m->procs[i];
		char *name;

		if (!p->alive || !p->gpu)
			continue;
		name = label_value(p->name);
		ents[i] = p;
		labels[i] = xasprintf("pid=\"%d\",name=\"%s\"", (int)p->pid, name);
		free(name);
	}
	metric_families(f, proc_gpu_metrics, N_ROWS(proc_gpu_metrics), SERIES_PROC_GPU, ents, m->n_procs, labels);
	for (size_t i = 0; i < m->n_procs; i++)
		free(labels[i]);
	free(labels);
	free(ents);
	ents = xcalloc(m->n_trees + 1, sizeof(*ents));
	labels = xcalloc(m->n_trees + 1, sizeof(*labels));
	for (size_t i = 0; i < m->n_trees; i++) {
		const struct tree_entity *t = m->trees[i];
		char *name;

		if (!t->alive || !t->gpu)
			continue;
		name = label_value(t->name);
		ents[i] = t;
		labels[i] = xasprintf("pid=\"%d\",name=\"%s\"", (int)t->root_pid, name);
		free(name);
	}
	metric_families(f, tree_gpu_metrics, N_ROWS(tree_gpu_metrics), SERIES_TREE_GPU, ents, m->n_trees, labels);
	for (size_t i = 0; i < m->n_trees; i++)
		free(labels[i]);
	free(labels);
	free(ents);
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

char *out_prom_render(const struct model *m, int top_n)
{
	const struct proc_entity **procs;
	size_t n_procs = pick_procs(m, top_n, &procs), n_alive = 0, len = 0;
	char **plabels = xcalloc(n_procs + 1, sizeof(char *));
	char **tlabels = xcalloc(m->n_trees + 1, sizeof(char *));
	char **clabels = xcalloc(m->n_cgroups + 1, sizeof(char *));
	const void **trees = xcalloc(m->n_trees + 1, sizeof(*trees));
	const void **cgroups = xcalloc(m->n_cgroups + 1, sizeof(*cgroups));
	char *text = NULL, *host = label_value(m->host);
	FILE *f = open_memstream(&text, &len);

	if (!f)
		fatal("out of memory (metrics)");
	for (size_t i = 0; i < n_procs; i++) {
		char *name = label_value(procs[i]->name), *cg = label_value(procs[i]->cgroup);
		char *ct = container_label_pair(&procs[i]->container);

		plabels[i] = xasprintf("pid=\"%d\",name=\"%s\",cgroup=\"%s\"%s", (int)procs[i]->pid, name, cg, ct);
		free(name);
		free(cg);
		free(ct);
	}
	for (size_t i = 0; i < m->n_trees; i++) {
		char *name = label_value(m->trees[i]->name);

		tlabels[i] = xasprintf("pid=\"%d\",name=\"%s\"", (int)m->trees[i]->root_pid, name);
		trees[i] = m->trees[i]->alive ? m->trees[i] : NULL;
		free(name);
	}
	for (size_t i = 0; i < m->n_cgroups; i++) {
		char *cg = label_value(m->cgroups[i]->s.path), *ct = container_label_pair(&m->cgroups[i]->container);

		clabels[i] = xasprintf("cgroup=\"%s\"%s", cg, ct);
		cgroups[i] = m->cgroups[i]->s.exists ? m->cgroups[i] : NULL;
		free(cg);
		free(ct);
	}
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

	metric_families(f, proc_metrics, N_ROWS(proc_metrics), SERIES_PROC, (const void *const *)procs, n_procs,
			plabels);
	limit_families(f, procs, n_procs, plabels);
	metric_families(f, tree_metrics, N_ROWS(tree_metrics), SERIES_TREE, trees, m->n_trees, tlabels);
	metric_families(f, cgroup_metrics, N_ROWS(cgroup_metrics), SERIES_CGROUP, cgroups, m->n_cgroups, clabels);
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
			l = xasprintf("%s,event=\"%s\"", clabels[i], names[k]);
			sample(f, "memslope_cgroup_memory_events_total", l, (double)ev[k]);
			free(l);
		}
	}

	family(f, "memslope_time_to_limit_seconds", "gauge",
	       "Predicted time until the entity reaches its limit (target max) or memory.high (target high).");
	for (size_t i = 0; i < n_procs; i++)
		ttl_sample(f, plabels[i], "process", &procs[i]->core);
	for (size_t i = 0; i < m->n_trees; i++)
		if (m->trees[i]->alive)
			ttl_sample(f, tlabels[i], "tree", &m->trees[i]->core);
	for (size_t i = 0; i < m->n_cgroups; i++)
		if (m->cgroups[i]->s.exists)
			ttl_sample(f, clabels[i], "cgroup", &m->cgroups[i]->core);

	gpu_metrics(f, m);

	if (fclose(f) != 0)
		fatal("out of memory (metrics)");
	for (size_t i = 0; i < n_procs; i++)
		free(plabels[i]);
	for (size_t i = 0; i < m->n_trees; i++)
		free(tlabels[i]);
	for (size_t i = 0; i < m->n_cgroups; i++)
		free(clabels[i]);
	free(plabels);
	free(tlabels);
	free(clabels);
	free(trees);
	free(cgroups);
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
