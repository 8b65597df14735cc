/* view_cgroup: the cgroup tree screen. See view_cgroup.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "view_cgroup.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum cg_col { CG_NAME, CG_CUR, CG_HIGH, CG_MAX, CG_PCT, CG_EVENTS, CG_PSI, CG_VERDICT, CG_COUNT };

static const struct {
	const char *title;
	int width;
	int prio; /* 0: never dropped; higher goes first */
} cg_cols[CG_COUNT] = {
	[CG_NAME] = {"CGROUP", 0, 0},
	[CG_CUR] = {"CURRENT", 7, 0},
	[CG_HIGH] = {"HIGH", 6, 3},
	[CG_MAX] = {"MAX", 6, 0},
	[CG_PCT] = {"%LIM", 4, 1},
	[CG_EVENTS] = {"HI/MAX/OOM/KILL", 15, 4},
	[CG_PSI] = {"PSI10", 5, 5},
	[CG_VERDICT] = {"VERDICT", 9, 2},
};

static int path_cmp(const void *a, const void *b)
{
	const struct cgroup_entity *x = *(const struct cgroup_entity *const *)a;
	const struct cgroup_entity *y = *(const struct cgroup_entity *const *)b;

	return strcmp(x->s.path, y->s.path);
}

size_t view_cgroup_list(const struct model *m, const struct cgroup_entity ***out)
{
	const struct cgroup_entity **v;

	*out = NULL;
	if (!m || m->n_cgroups == 0)
		return 0;
	v = xmalloc(m->n_cgroups * sizeof(*v));
	for (size_t i = 0; i < m->n_cgroups; i++)
		v[i] = m->cgroups[i];
	qsort(v, m->n_cgroups, sizeof(*v), path_cmp);
	*out = v;
	return m->n_cgroups;
}

/* Is a an ancestor of b (path prefix at a '/' boundary)? */
static bool is_ancestor(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (strcmp(a, "/") == 0)
		return strcmp(b, "/") != 0;
	return strncmp(a, b, n) == 0 && b[n] == '/';
}

/* Depth under the nearest listed ancestor, and the path relative to it. */
static void tree_place(const struct cgroup_entity **v, size_t i, int *depth, const char **rel)
{
	const char *path = v[i]->s.path;

	*depth = 0;
	*rel = path;
	for (size_t j = i; j-- > 0;) {
		if (is_ancestor(v[j]->s.path, path)) {
			int d;
			const char *r;

			tree_place(v, j, &d, &r);
			*depth = d + 1;
			*rel = path + strlen(v[j]->s.path);
			if (**rel == '/')
				(*rel)++;
			return;
		}
	}
}

/* A counter, "-" when absent. */
static const char *fmt_count(int64_t v, char *buf, size_t cap)
{
	if (!ms_has(v))
		snprintf(buf, cap, "-");
	else
		snprintf(buf, cap, "%lld", (long long)v);
	return buf;
}

static void fmt_events(const struct cgroup_entity *cg, char *buf, size_t cap)
{
	const struct cgroup_sample *s = &cg->s;
	char h[24], mx[24], o[24], k[24];

	snprintf(buf, cap, "%s/%s/%s/%s", fmt_count(s->ev_high, h, sizeof(h)),
		 fmt_count(s->version == CGROUP_V1 ? s->v1_failcnt : s->ev_max, mx, sizeof(mx)),
		 fmt_count(s->ev_oom, o, sizeof(o)), fmt_count(s->ev_oom_kill, k, sizeof(k)));
}

static uint16_t events_style(const struct cgroup_entity *cg)
{
	const struct cgroup_sample *s = &cg->s;

	if ((ms_has(s->ev_oom_kill) && s->ev_oom_kill > 0) || (ms_has(s->ev_oom) && s->ev_oom > 0))
		return CANVAS_STYLE(ROLE_CRIT, CANVAS_BOLD);
	if ((ms_has(s->ev_max) && s->ev_max > 0) || (ms_has(s->ev_high) && s->ev_high > 0))
		return CANVAS_STYLE(ROLE_WARN, 0);
	return CANVAS_STYLE(ROLE_DEFAULT, 0);
}

static void draw_detail(struct canvas *c, const struct model *m, const struct cgroup_entity *cg,
			const struct glyphs *g, int y, int rows)
{
	const struct cgroup_sample *s = &cg->s;
	const struct trend_result *r = trend_get(&cg->trend);
	char a[16], b[16], d[16], e[16], f[16], h[16], line[320], *path = view_clean(s->path);
	char *src = view_clean(cg->limit_source ? cg->limit_source : "machine");
	char *hsrc = view_clean(s->effective_high_source ? s->effective_high_source : "");
	char *label = cg->container.runtime && cg->container.runtime[0] && cg->container.label
			      ? view_clean(cg->container.label) : NULL;
	int row = 0;

	if (rows <= 0)
		goto out;
	canvas_fill(c, 0, y, c->w, 1, g->hline, CANVAS_STYLE(ROLE_DIM, 0));
	canvas_printf(c, 1, y, c->w - 2, CANVAS_STYLE(ROLE_TITLE, CANVAS_BOLD), " %s%s%s (%s) ", label ? label : "",
		      label ? ": " : "", path, s->version == CGROUP_V1 ? "v1" : s->version == CGROUP_V2 ? "v2" : "?");
	if (++row >= rows)
		goto out;
	if (!s->exists) {
		/* Its last reading follows (kept UPDATE_CGROUP_RETENTION_MS). */
		canvas_text(c, 0, y + row, c->w, CANVAS_STYLE(ROLE_DIM, 0),
			    s->version == CGROUP_NONE ? "this cgroup is gone" : "this cgroup is gone; its last reading:");
		if (s->version == CGROUP_NONE || ++row >= rows)
			goto out;
	} else if (cg->ended_ms >= 0) {
		canvas_text(c, 0, y + row, c->w, CANVAS_STYLE(ROLE_DIM, 0),
			    "no watched process in it any more (no TTL); kept a minute:");
		if (++row >= rows)
			goto out;
	}
	snprintf(line, sizeof(line), "current %s%speak %s%sswap %s / %s%slow %s min %s",
		 util_fmt_bytes(s->current_bytes, a, sizeof(a)), g->sep, util_fmt_bytes(s->peak_bytes, b, sizeof(b)),
		 g->sep, util_fmt_bytes(s->swap_current_bytes, d, sizeof(d)),
		 util_fmt_bytes(s->swap_max_bytes, e, sizeof(e)), g->sep, util_fmt_bytes(s->low_bytes, f, sizeof(f)),
		 util_fmt_bytes(s->min_bytes, h, sizeof(h)));
	canvas_text(c, 0, y + row, c->w, CANVAS_STYLE(ROLE_DEFAULT, 0), line);
	if (++row >= rows)
		goto out;
	{
		int x = canvas_printf(c, 0, y + row, c->w, view_pct_style(m, cg->usage_pct), "limit %s",
				      util_fmt_bytes(cg->limit_bytes, a, sizeof(a)));

		x += canvas_printf(c, x, y + row, c->w - x, CANVAS_STYLE(ROLE_DEFAULT, 0), " set by %s", src);
		if (!isnan(cg->usage_pct))
			x += canvas_printf(c, x, y + row, c->w - x, view_pct_style(m, cg->usage_pct), " (%.0f%%)",
					   cg->usage_pct);
		if (ms_has(s->effective_high_bytes) && s->effective_high_bytes != MS_UNLIMITED)
			canvas_printf(c, x, y + row, c->w - x, CANVAS_STYLE(ROLE_HIGH, 0), "%shigh %s set by %s",
				      g->sep, util_fmt_bytes(s->effective_high_bytes, a, sizeof(a)), hsrc);
	}
	if (++row >= rows)
		goto out;
	{
		char c1[24], c2[24], c3[24], c4[24], c5[24], c6[24];

		if (s->version == CGROUP_V1)
			snprintf(line, sizeof(line), "events failcnt %s%sunder_oom %s%soom_kill %s",
				 fmt_count(s->v1_failcnt, c1, sizeof(c1)), g->sep,
				 fmt_count(s->v1_under_oom, c2, sizeof(c2)), g->sep,
				 fmt_count(s->ev_oom_kill, c3, sizeof(c3)));
		else
			snprintf(line, sizeof(line),
				 "events low %s high %s max %s oom %s oom_kill %s group_kill %s",
				 fmt_count(s->ev_low, c1, sizeof(c1)), fmt_count(s->ev_high, c2, sizeof(c2)),
				 fmt_count(s->ev_max, c3, sizeof(c3)), fmt_count(s->ev_oom, c4, sizeof(c4)),
				 fmt_count(s->ev_oom_kill, c5, sizeof(c5)),
				 fmt_count(s->ev_oom_group_kill, c6, sizeof(c6)));
	}
	canvas_text(c, 0, y + row, c->w, events_style(cg), line);
	if (++row >= rows)
		goto out;
	if (s->pressure.present)
		canvas_printf(c, 0, y + row, c->w, CANVAS_STYLE(ROLE_DEFAULT, 0),
			      "PSI some %.2f %.2f %.2f%sfull %.2f %.2f %.2f (avg10/60/300 %%)",
			      s->pressure.some_avg10, s->pressure.some_avg60, s->pressure.some_avg300, g->sep, s->pressure.full_avg10,
			      s->pressure.full_avg60, s->pressure.full_avg300);
	else
		canvas_text(c, 0, y + row, c->w, CANVAS_STYLE(ROLE_DIM, 0), "PSI not available");
	if (++row >= rows)
		goto out;
	{
		static const char *const keys[] = {"anon", "file", "kernel", "sock", "shmem", "slab"};
		int x = canvas_text(c, 0, y + row, c->w, CANVAS_STYLE(ROLE_DEFAULT, 0), "stat");

		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			int64_t v = cgroup_stat_get(s, keys[i]);

			if (!ms_has(v) && s->version == CGROUP_V1)
				v = cgroup_stat_get(s, strcmp(keys[i], "anon") == 0 ? "total_rss" :
						       strcmp(keys[i], "file") == 0 ? "total_cache" : keys[i]);
			x += canvas_printf(c, x, y + row, c->w - x, CANVAS_STYLE(ROLE_DEFAULT, 0), " %s %s",
					   keys[i], util_fmt_bytes(v, a, sizeof(a)));
		}
	}
	if (++row >= rows)
		goto out;
	{
		struct trend_result ev;

		view_fmt_evidence(trend_evidence(&cg->trend, &ev), cg->limit_bytes, s->effective_high_bytes, g,
				  line, sizeof(line));
	}
	canvas_text(c, 0, y + row, c->w, view_verdict_style(r), line);
out:
	free(path);
	free(src);
	free(hsrc);
	free(label);
}

void view_cgroup_draw(struct canvas *c, const struct model *m, struct view_state *vs)
{
	const struct glyphs *g = view_glyphs(vs->glyph_mode);
	const struct cgroup_entity **v;
	size_t n = view_cgroup_list(m, &v);
	bool on[CG_COUNT];
	int x[CG_COUNT], w[CG_COUNT], y, status_rows, bottom, detail_rows, rows, total;

	if (c->h <= 0 || c->w <= 0) {
		free(v);
		return;
	}
	y = view_header_draw(c, m, vs, 0);
	status_rows = view_status_draw(c, vs, c->h / 4 > 1 ? c->h / 4 : 1);
	bottom = c->h - 1 - status_rows;
	if (y >= bottom - 1)
		y = 0;
	/* The selected cgroup's details take the lower part when there is room. */
	detail_rows = bottom - y >= 16 ? 7 : bottom - y >= 11 ? 4 : 0;
	bottom -= detail_rows;
	for (int i = 0; i < CG_COUNT; i++) {
		on[i] = true;
		w[i] = cg_cols[i].width;
	}
	for (;;) {
		int worst = -1;

		total = 0;
		for (int i = 1; i < CG_COUNT; i++)
			if (on[i])
				total += w[i] + 1;
		if (c->w - total >= 16)
			break;
		for (int i = 1; i < CG_COUNT; i++)
			if (on[i] && cg_cols[i].prio > 0 && (worst < 0 || cg_cols[i].prio > cg_cols[worst].prio))
				worst = i;
		if (worst < 0)
			break;
		on[worst] = false;
	}
	w[CG_NAME] = c->w - total - 1 > 0 ? c->w - total - 1 : 0;
	x[CG_NAME] = 0;
	total = w[CG_NAME] + 1;
	for (int i = 1; i < CG_COUNT; i++) {
		if (!on[i])
			continue;
		x[i] = total;
		total += w[i] + 1;
	}
	if (y < bottom) {
		canvas_fill(c, 0, y, c->w, 1, ' ', CANVAS_STYLE(ROLE_COLHDR, CANVAS_BOLD));
		for (int i = 0; i < CG_COUNT; i++) {
			if (!on[i])
				continue;
			uint16_t st = CANVAS_STYLE(ROLE_COLHDR, CANVAS_BOLD);

			if (i == CG_NAME || i == CG_EVENTS || i == CG_VERDICT)
				canvas_text(c, x[i], y, w[i], st, cg_cols[i].title);
			else
				canvas_text_right(c, x[i], y, w[i], st, cg_cols[i].title);
		}
		y++;
	}
	rows = bottom - y;
	vs->cg_page_rows = rows > 0 ? rows : 1;
	if (vs->cg_sel >= (int)n)
		vs->cg_sel = (int)n - 1;
	if (vs->cg_sel < 0)
		vs->cg_sel = 0;
	if (vs->cg_sel < vs->cg_top)
		vs->cg_top = vs->cg_sel;
	if (vs->cg_sel >= vs->cg_top + vs->cg_page_rows)
		vs->cg_top = vs->cg_sel - vs->cg_page_rows + 1;
	if (vs->cg_top < 0)
		vs->cg_top = 0;
	if (n == 0 && rows > 0)
		canvas_text(c, 1, y, c->w - 1, CANVAS_STYLE(ROLE_DIM, 0),
			    m && m->cgroup_version ? "no cgroups watched yet"
						   : "no memory cgroup controller found");
	for (int i = 0; i < rows && vs->cg_top + i < (int)n; i++) {
		size_t k = (size_t)(vs->cg_top + i);
		const struct cgroup_entity *cg = v[k];
		const struct trend_result *r = trend_get(&cg->trend);
		int depth, xx;
		const char *rel;
		char buf[128], *name;
		uint16_t def = CANVAS_STYLE(cg->s.exists ? ROLE_DEFAULT : ROLE_DIM, 0);

		tree_place(v, k, &depth, &rel);
		/* A container's cgroup by its name (or runtime:id), not its scope. */
		name = view_clean(cg->container.runtime && cg->container.runtime[0] && cg->container.label
					  ? cg->container.label : *rel ? rel : "/");
		xx = 0;
		for (int d = 0; d < depth && d < 16; d++)
			xx += canvas_text(c, xx, y + i, w[CG_NAME] - xx, CANVAS_STYLE(ROLE_DIM, 0), "  ");
		canvas_text_tail(c, xx, y + i, w[CG_NAME] - xx,
				 CANVAS_STYLE(cg->selected ? ROLE_TITLE : ROLE_DEFAULT, 0), name);
		free(name);
		util_fmt_bytes(cg->s.current_bytes, buf, sizeof(buf));
		canvas_text_right(c, x[CG_CUR], y + i, w[CG_CUR], def, buf);
		if (on[CG_HIGH])
			canvas_text_right(c, x[CG_HIGH], y + i, w[CG_HIGH], CANVAS_STYLE(ROLE_HIGH, 0),
					  util_fmt_bytes(cg->s.high_bytes, buf, sizeof(buf)));
		util_fmt_bytes(cg->s.max_bytes, buf, sizeof(buf));
		canvas_text_right(c, x[CG_MAX], y + i, w[CG_MAX], def, buf);
		if (on[CG_PCT]) {
			if (isnan(cg->usage_pct))
				snprintf(buf, sizeof(buf), "-");
			else
				snprintf(buf, sizeof(buf), "%.0f%%", cg->usage_pct);
			canvas_text_right(c, x[CG_PCT], y + i, w[CG_PCT], view_pct_style(m, cg->usage_pct), buf);
		}
		if (on[CG_EVENTS]) {
			fmt_events(cg, buf, sizeof(buf));
			canvas_text(c, x[CG_EVENTS], y + i, w[CG_EVENTS], events_style(cg), buf);
		}
		if (on[CG_PSI]) {
			if (cg->s.pressure.present)
				snprintf(buf, sizeof(buf), "%.2f", cg->s.pressure.some_avg10);
			else
				snprintf(buf, sizeof(buf), "-");
			canvas_text_right(c, x[CG_PSI], y + i, w[CG_PSI], def, buf);
		}
		if (on[CG_VERDICT])
			canvas_text(c, x[CG_VERDICT], y + i, w[CG_VERDICT], view_verdict_style(r),
				    view_verdict_word(r));
		if ((int)k == vs->cg_sel)
			canvas_restyle(c, 0, y + i, c->w, CANVAS_STYLE(ROLE_CURSOR, 0));
	}
	if (detail_rows > 0 && n > 0)
		draw_detail(c, m, v[vs->cg_sel], g, bottom, detail_rows);
	free(v);
}

/* ---- keys ------------------------------------------------------------ */

static enum view_cmd key_select(const struct model *m, struct view_state *vs, uint32_t key)
{
	int n = m ? (int)m->n_cgroups : 0, page = vs->cg_page_rows > 1 ? vs->cg_page_rows - 1 : 1;

	switch (key) {
	case VK_UP:
		vs->cg_sel--;
		break;
	case VK_DOWN:
		vs->cg_sel++;
		break;
	case VK_PPAGE:
		vs->cg_sel -= page;
		break;
	case VK_NPAGE:
		vs->cg_sel += page;
		break;
	case VK_HOME:
	case VK_END:
		/* In a replay these move through the log instead. */
		if (vs->replay)
			return VIEW_CMD_PASS;
		vs->cg_sel = key == VK_HOME ? 0 : n - 1;
		break;
	default:
		break;
	}
	if (vs->cg_sel >= n)
		vs->cg_sel = n - 1;
	if (vs->cg_sel < 0)
		vs->cg_sel = 0;
	return VIEW_CMD_NONE;
}

static enum view_cmd key_back(const struct model *m, struct view_state *vs, uint32_t key)
{
	(void)m;
	(void)key;
	vs->view = VIEW_TABLE;
	return VIEW_CMD_NONE;
}

static const struct view_binding cgroup_bindings[] = {
	{"select", {VK_UP, VK_DOWN, VK_PPAGE, VK_NPAGE, VK_HOME, VK_END}, key_select,
	 "Up Down PgUp PgDn Home End", "select a cgroup, its details below", NULL, NULL, NULL},
	/* Esc is the global "back"; c, which came here, goes back too. */
	{"back", {'c'}, key_back, NULL, NULL, NULL, NULL, NULL},
};

const struct view_keymap view_cgroup_keys = VIEW_KEYMAP("Cgroup view", cgroup_bindings);
