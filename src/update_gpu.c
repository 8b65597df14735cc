/* update_gpu: GPU series of processes and trees from a sample_gpu reading. */
#include "update_gpu.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <signal.h>
#include <sys/wait.h>

#include "limit.h"
#include "util.h"

/* NVML's index of the card an entry is on. */
static unsigned index_of(const struct gpu_sample *s, const struct gpu_proc *e)
{
	assert(e->card < s->n_cards);
	return s->cards[e->card].index;
}

static void cards_update(struct model *m, const struct gpu_sample *s)
{
	if (m->n_gpus != s->n_cards) {
		for (size_t i = 0; i < m->n_gpus; i++)
			free(m->gpus[i].name);
		m->gpus = xrealloc(m->gpus, s->n_cards * sizeof(*m->gpus));
		for (size_t i = 0; i < s->n_cards; i++)
			m->gpus[i] = (struct gpu_card_state){.index = s->cards[i].index,
							     .name = xstrdup(s->cards[i].name)};
		m->n_gpus = s->n_cards;
	}
	for (size_t i = 0; i < s->n_cards; i++) {
		m->gpus[i].used_bytes = s->cards[i].used_bytes;
		m->gpus[i].total_bytes = s->cards[i].total_bytes;
		m->gpus[i].free_bytes = s->cards[i].free_bytes;
	}
	m->gpu_pid_map = sample_gpu_pid_map_name(s->pid_map);
	m->gpu_unmapped = s->n_unmapped;
	m->gpu_t_ms = s->t_ms;
}

/* Add one card's share to a series being summed. */
static void share_add(struct gpu_series *g, unsigned index, int64_t bytes)
{
	size_t k;

	for (k = 0; k < g->n_cards; k++)
		if (g->cards[k].index == index)
			break;
	if (k == g->n_cards) {
		if (k == GPU_SERIES_CARDS)
			return;
		g->cards[g->n_cards++] = (struct gpu_share){.index = index, .bytes = 0};
	}
	g->cards[k].bytes = ms_has(g->cards[k].bytes) && ms_has(bytes) ? g->cards[k].bytes + bytes : MS_ABSENT;
}

/* Limit, usage, peak, history and trend once the shares are summed. */
static void series_finish(struct model *m, struct gpu_series *g, const struct gpu_sample *s, bool unknown)
{
	int64_t sum = 0, limit = 0;

	for (size_t k = 0; k < g->n_cards; k++) {
		const struct gpu_card *c = NULL;

		for (size_t i = 0; i < s->n_cards; i++)
			if (s->cards[i].index == g->cards[k].index)
				c = &s->cards[i];
		sum = ms_has(sum) && ms_has(g->cards[k].bytes) ? sum + g->cards[k].bytes : MS_ABSENT;
		/* Own and free are read apart: never more than the card. */
		limit = ms_has(limit) && ms_has(g->cards[k].bytes) && c && ms_has(c->free_bytes) &&
				ms_has(c->total_bytes)
				? limit + (g->cards[k].bytes + c->free_bytes < c->total_bytes
						   ? g->cards[k].bytes + c->free_bytes : c->total_bytes)
				: MS_ABSENT;
	}
	/* A card whose process list could not be read may hold more of it. */
	if (unknown)
		sum = limit = MS_ABSENT;
	g->bytes = sum;
	/* Gone from every GPU: nothing to grow into that can be told apart from
	 * another card's; the limit stays the last known. */
	if (g->n_cards > 0 || !ms_has(sum))
		g->limit_bytes = limit;
	g->usage_pct = ms_has(sum) && ms_has(g->limit_bytes) && g->limit_bytes > 0
			       ? 100.0 * (double)sum / (double)g->limit_bytes : NAN;
	g->t_ms = s->t_ms;
	if (!ms_has(sum))
		return;
	/* A job's CUDA context goes at its end, OOM or not: the post-mortem
	 * judges the last reading while it held GPU memory. */
	if (sum > 0) {
		g->last_bytes = sum;
		g->last_limit_bytes = g->limit_bytes;
	}
	if (!ms_has(g->peak_bytes) || sum > g->peak_bytes)
		g->peak_bytes = sum;
	if (!m->no_history)
		history_push(&g->hist, s->t_ms, sum);
	trend_push(&g->trend, s->t_ms, sum, g->limit_bytes, MS_ABSENT);
}

/* Whether a card whose lists failed could hide this process. */
static bool any_list_failed(const struct gpu_sample *s)
{
	for (size_t i = 0; i < s->n_cards; i++)
		if (!s->cards[i].procs_ok)
			return true;
	return false;
}

void update_gpu_procs(struct model *m, const struct gpu_sample *s)
{
	bool failed;

	if (!s || !s->fresh)
		return;
	cards_update(m, s);
	failed = any_list_failed(s);
	for (size_t i = 0; i < m->n_procs; i++) {
		struct proc_entity *p = m->procs[i];
		size_t n;
		const struct gpu_proc *e;

		if (!p->alive)
			continue;
		e = sample_gpu_find(s, p->pid, &n);
		if (!n && !p->gpu)
			continue;
		if (!p->gpu)
			p->gpu = model_gpu_series_new();
		p->gpu->n_cards = 0;
		for (size_t k = 0; k < n; k++)
			share_add(p->gpu, index_of(s, &e[k]), e[k].used_bytes);
		series_finish(m, p->gpu, s, failed);
	}
}

void update_gpu_trees(struct model *m, const struct gpu_sample *s)
{
	bool failed;

	if (!s || !s->fresh)
		return;
	failed = any_list_failed(s);
	for (size_t i = 0; i < m->n_trees; i++) {
		struct tree_entity *t = m->trees[i];
		bool any = false;

		if (!t->alive)
			continue;
		for (size_t j = 0; j < t->n_procs && !any; j++) {
			size_t n;

			sample_gpu_find(s, t->pids[j], &n);
			any = n > 0;
		}
		if (!any && !t->gpu)
			continue;
		if (!t->gpu)
			t->gpu = model_gpu_series_new();
		t->gpu->n_cards = 0;
		for (size_t j = 0; j < t->n_procs; j++) {
			size_t n;
			const struct gpu_proc *e = sample_gpu_find(s, t->pids[j], &n);

			for (size_t k = 0; k < n; k++)
				share_add(t->gpu, index_of(s, &e[k]), e[k].used_bytes);
		}
		series_finish(m, t->gpu, s, failed);
	}
}

bool update_gpu_oom_likely(const struct gpu_series *g, int status)
{
	int64_t near;

	if (!g || (WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
	    (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
		return false;
	if (trend_get(&g->trend)->oom_imminent)
		return true;
	if (!ms_has(g->last_bytes) || !ms_has(g->last_limit_bytes))
		return false;
	near = (int64_t)(LIMIT_NEAR_FRAC * (double)g->last_limit_bytes);
	if (near < LIMIT_NEAR_MIN_BYTES)
		near = LIMIT_NEAR_MIN_BYTES;
	return g->last_limit_bytes - g->last_bytes <= near;
}
