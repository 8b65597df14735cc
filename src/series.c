/* series: the table of series kinds. See series.h. */
#include "series.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- where each series is, and its value ---- */

static struct series_core *proc_main(const void *e)
{
	return &((struct proc_entity *)e)->core;
}

static struct series_core *proc_gpu(const void *e)
{
	struct gpu_series *g = ((const struct proc_entity *)e)->gpu;

	return g ? &g->core : NULL;
}

static struct series_core *tree_main(const void *e)
{
	return &((struct tree_entity *)e)->core;
}

static struct series_core *tree_gpu(const void *e)
{
	struct gpu_series *g = ((const struct tree_entity *)e)->gpu;

	return g ? &g->core : NULL;
}

static struct series_core *cgroup_main(const void *e)
{
	return &((struct cgroup_entity *)e)->core;
}

static int64_t add_abs(int64_t a, int64_t b)
{
	return !ms_has(a) ? b : !ms_has(b) ? a : a + b;
}

static int64_t proc_value(const void *e)
{
	const struct proc_entity *p = e;

	return ms_has(p->rss_anon_bytes) ? add_abs(p->rss_anon_bytes, p->swap_bytes) : MS_ABSENT;
}

static int64_t tree_value(const void *e)
{
	return ((const struct tree_entity *)e)->anon_swap_bytes;
}

static int64_t cgroup_value(const void *e)
{
	const struct cgroup_entity *c = e;

	return add_abs(c->s.working_set_bytes, c->s.swap_current_bytes);
}

static int64_t proc_gpu_value(const void *e)
{
	return ((const struct proc_entity *)e)->gpu->bytes;
}

static int64_t proc_gpu_peak(const void *e)
{
	return ((const struct proc_entity *)e)->gpu->peak_bytes;
}

static int64_t tree_gpu_value(const void *e)
{
	return ((const struct tree_entity *)e)->gpu->bytes;
}

static int64_t tree_gpu_peak(const void *e)
{
	return ((const struct tree_entity *)e)->gpu->peak_bytes;
}

static const struct history *proc_gpu_hist(const void *e)
{
	return &((const struct proc_entity *)e)->gpu->hist;
}

static const struct history *tree_gpu_hist(const void *e)
{
	return &((const struct tree_entity *)e)->gpu->hist;
}

/* ---- the detail view's words ---- */

static void usage_words(const struct series_core *s, const char *basis, char *usage, size_t cap)
{
	if (isnan(s->usage_pct))
		snprintf(usage, cap, "%s", "");
	else
		snprintf(usage, cap, " %.0f%%%s", s->usage_pct, basis);
}

/* "limit 1.0G (/app.slice)", usage " 68% charged": what the percentage
 * compares with the limit (update.c). */
static bool proc_detail(const void *e, const struct series_core *s, char *text, size_t tc, char *usage,
			size_t uc)
{
	const struct proc_entity *p = e;
	char a[16], *src = util_sanitize(s->limit_source ? s->limit_source : "machine");

	snprintf(text, tc, "limit %s (%s)", util_fmt_bytes(s->limit_bytes, a, sizeof(a)), src);
	usage_words(s, !p->usage_basis ? "" : strcmp(p->usage_basis, "cgroup") == 0 ? " charged" : " (RSS)",
		    usage, uc);
	free(src);
	return true;
}

/* "GPU 5.0G of 126G (0: 4.0G 1: 1.0G)", or "(GPU 0)" on one. */
static void gpu_words(const char *label, const struct gpu_series *g, char *text, size_t tc)
{
	char a[16], b[16], per[96] = "";
	size_t n = 0;

	for (size_t k = 0; k < g->n_cards && g->n_cards > 1 && n < sizeof(per); k++)
		n += (size_t)snprintf(per + n, sizeof(per) - n, "%s%u: %s", k ? " " : " (", g->cards[k].index,
				      util_fmt_bytes(g->cards[k].bytes, a, sizeof(a)));
	if (n && n < sizeof(per) - 1)
		strcat(per, ")");
	else if (g->n_cards == 1)
		snprintf(per, sizeof(per), " (GPU %u)", g->cards[0].index);
	snprintf(text, tc, "%s %s of %s%s", label, util_fmt_bytes(g->bytes, a, sizeof(a)),
		 util_fmt_bytes(g->limit_bytes, b, sizeof(b)), per);
}

static bool proc_gpu_detail(const void *e, const struct series_core *s, char *text, size_t tc, char *usage,
			    size_t uc)
{
	gpu_words("GPU", ((const struct proc_entity *)e)->gpu, text, tc);
	usage_words(s, "", usage, uc);
	return true;
}

/* A tree is shown when it is more than its root; its limit is the root's
 * (shown already), so no percentage, nor for the cgroup: the process's
 * "charged" percentage is the cgroup's usage. */
static bool tree_detail(const void *e, const struct series_core *s, char *text, size_t tc, char *usage,
			size_t uc)
{
	const struct tree_entity *t = e;
	char a[16], b[16];

	if (t->n_procs <= 1)
		return false;
	snprintf(text, tc, "tree %zu procs %s (peak %s)", t->n_procs, util_fmt_bytes(t->rss_bytes, a, sizeof(a)),
		 util_fmt_bytes(t->peak_rss_bytes, b, sizeof(b)));
	(void)s;
	snprintf(usage, uc, "%s", "");
	return true;
}

static bool tree_gpu_detail(const void *e, const struct series_core *s, char *text, size_t tc, char *usage,
			    size_t uc)
{
	const struct tree_entity *t = e;

	if (t->n_procs <= 1)
		return false;
	gpu_words("tree GPU", t->gpu, text, tc);
	usage_words(s, "", usage, uc);
	return true;
}

static bool cgroup_detail(const void *e, const struct series_core *s, char *text, size_t tc, char *usage,
			  size_t uc)
{
	char a[16];

	(void)s;
	snprintf(text, tc, "cgroup %s", util_fmt_bytes(((const struct cgroup_entity *)e)->s.current_bytes, a, sizeof(a)));
	snprintf(usage, uc, "%s", "");
	return true;
}

/* ---- the table ---- */

const struct series_desc series_table[SERIES_N] = {
	[SERIES_PROC] = {
		.kind = 'p', .main = true, .suffix = "", .core = proc_main, .value = proc_value,
		.json = {.limit = "limit_bytes", .source = "limit_source", .usage = "usage_pct", .trend = "trend"},
		.prom = {.scope = SERIES_SCOPE_ENTITY, .ttl_entity = "process", .gauge = {
			[SG_LIMIT] = {"memslope_process_limit_bytes",
				      "Limit the process can grow to: its cgroup's effective limit, else machine memory."},
			[SG_RATIO] = {"memslope_process_limit_usage_ratio", "RSS divided by the limit."},
			[SG_SLOPE] = {"memslope_process_growth_bytes_per_second",
				      "Fitted growth of RssAnon+VmSwap (Theil-Sen slope)."},
			[SG_LEAK] = {"memslope_process_leak", "1 when the verdict is a confirmed leak, else 0."},
			[SG_GROWING] = {"memslope_process_growing", "1 when the verdict is growing or leak, else 0."},
			[SG_OOM] = {"memslope_process_oom_imminent",
				    "1 when the limit is predicted to be reached soon, else 0."},
		}},
		.tui = {.label = "limit", .role = ROLE_DEFAULT, .detail = proc_detail},
	},
	[SERIES_PROC_GPU] = {
		.kind = 'p', .suffix = " GPU memory", .core = proc_gpu, .value = proc_gpu_value, .peak = proc_gpu_peak,
		.json = {.value = "gpu_memory_bytes", .per_gpu = "gpu_memory_per_gpu", .peak = "gpu_peak_bytes",
			 .limit = "gpu_limit_bytes", .usage = "gpu_usage_pct", .trend = "gpu_trend"},
		.prom = {.scope = SERIES_SCOPE_GPU, .gauge = {
			[SG_VALUE] = {"memslope_process_gpu_memory_bytes", "GPU memory of the process, summed over its GPUs."},
			[SG_LIMIT] = {"memslope_process_gpu_limit_bytes",
				      "GPU memory the process can reach: its own plus its GPUs' free memory."},
			[SG_SLOPE] = {"memslope_process_gpu_growth_bytes_per_second",
				      "Fitted growth of the process's GPU memory."},
			[SG_GROWING] = {"memslope_process_gpu_growing",
					"1 when the GPU memory verdict is growing or leak, else 0."},
			[SG_OOM] = {"memslope_process_gpu_oom_imminent",
				    "1 when the GPU's memory is predicted to run out soon, else 0."},
			[SG_TTL] = {"memslope_process_gpu_time_to_limit_seconds",
				    "Predicted time until the GPU memory is full."},
		}},
		.tui = {.label = "GPU", .role = ROLE_SERIES_GPU, .mark = 'G', .hist = proc_gpu_hist, .glyph = 'g', .column = "GPU",
			.column_width = 7, .detail = proc_gpu_detail},
	},
	[SERIES_TREE] = {
		.kind = 't', .main = true, .suffix = "", .core = tree_main, .value = tree_value,
		.json = {.value = "anon_swap_bytes", .limit = "limit_bytes", .source = "limit_source",
			 .usage = "usage_pct", .trend = "trend"},
		.prom = {.scope = SERIES_SCOPE_ENTITY, .ttl_entity = "tree", .gauge = {
			[SG_LIMIT] = {"memslope_tree_limit_bytes", "Limit the tree can grow to."},
			[SG_SLOPE] = {"memslope_tree_growth_bytes_per_second", "Fitted growth of the tree's RssAnon+VmSwap."},
			[SG_LEAK] = {"memslope_tree_leak", "1 when the tree's verdict is a confirmed leak, else 0."},
			[SG_GROWING] = {"memslope_tree_growing", "1 when the tree's verdict is growing or leak, else 0."},
		}},
		.tui = {.label = "tree", .role = ROLE_SERIES_TREE, .detail = tree_detail},
	},
	[SERIES_TREE_GPU] = {
		.kind = 't', .suffix = " GPU memory", .core = tree_gpu, .value = tree_gpu_value, .peak = tree_gpu_peak,
		.json = {.value = "gpu_memory_bytes", .per_gpu = "gpu_memory_per_gpu", .peak = "gpu_peak_bytes",
			 .limit = "gpu_limit_bytes", .usage = "gpu_usage_pct", .trend = "gpu_trend"},
		.prom = {.scope = SERIES_SCOPE_GPU, .gauge = {
			[SG_VALUE] = {"memslope_tree_gpu_memory_bytes",
				      "Summed GPU memory of a watched process and its descendants."},
		}},
		.tui = {.label = "tree GPU", .role = ROLE_SERIES_GPU, .hist = tree_gpu_hist, .detail = tree_gpu_detail},
	},
	[SERIES_CGROUP] = {
		.kind = 'c', .main = true, .suffix = "", .core = cgroup_main, .value = cgroup_value,
		.json = {.limit = "effective_limit_bytes", .source = "effective_limit_source", .usage = "usage_pct",
			 .trend = "trend"},
		.prom = {.scope = SERIES_SCOPE_ENTITY, .ttl_entity = "cgroup", .gauge = {
			[SG_LIMIT] = {"memslope_cgroup_limit_bytes",
				      "Effective memory limit of the cgroup (nearest ancestor's), else machine memory."},
			[SG_RATIO] = {"memslope_cgroup_limit_usage_ratio", "Usage divided by the effective limit."},
			[SG_SLOPE] = {"memslope_cgroup_growth_bytes_per_second", "Fitted growth of the working set plus swap."},
			[SG_LEAK] = {"memslope_cgroup_leak", "1 when the cgroup's verdict is a confirmed leak, else 0."},
			[SG_GROWING] = {"memslope_cgroup_growing", "1 when the cgroup's verdict is growing or leak, else 0."},
			[SG_OOM] = {"memslope_cgroup_oom_imminent",
				    "1 when the limit is predicted to be reached soon, else 0."},
		}},
		.tui = {.label = "cgroup", .role = ROLE_SERIES_CG, .detail = cgroup_detail},
	},
};

static double bytes_val(int64_t v)
{
	return ms_has(v) && v != MS_UNLIMITED ? (double)v : NAN;
}

double series_gauge_value(const struct series_desc *d, const void *entity, const struct series_core *s,
			  enum series_gauge g)
{
	const struct trend_result *r = trend_get(&s->trend);
	bool growing = r->verdict == TREND_GROWING || r->verdict == TREND_LEAK;

	switch (g) {
	case SG_VALUE:
		return bytes_val(d->value(entity));
	case SG_LIMIT:
		return bytes_val(s->limit_bytes);
	case SG_RATIO:
		return isfinite(s->usage_pct) ? s->usage_pct / 100.0 : NAN;
	case SG_SLOPE:
		return r->slope_bytes_per_s;
	case SG_LEAK:
		return r->verdict == TREND_LEAK ? 1.0 : 0.0;
	case SG_GROWING:
		return growing ? 1.0 : 0.0;
	case SG_OOM:
		return r->oom_imminent ? 1.0 : 0.0;
	case SG_TTL:
		return r->ttl_s;
	case SG_N:
		break;
	}
	assert(!"unknown series gauge");
	return NAN;
}

enum series_id series_main_of(char kind)
{
	for (int k = 0; k < SERIES_N; k++)
		if (series_table[k].kind == kind && series_table[k].main)
			return (enum series_id)k;
	assert(!"an entity kind without a main series");
	return SERIES_PROC;
}
