/* view_detail: the detail screen of one process. See view_detail.h.
 *
 * Rows are handed out by priority as the terminal shrinks: the title, the
 * plot and the key bar always; then the verdict line, the legend, the memory
 * split, the limit line and the recent events. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "view_detail.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "series.h"
#include "util.h"
#include "view_table.h"

#define DETAIL_POINTS_MAX 512 /* > HISTORY_RAW + all tier buckets */
#define DETAIL_EVENTS_MAX 3

int64_t view_zoom_ms(enum view_zoom z)
{
	static const int64_t ms[ZOOM_COUNT] = {60000, 300000, 900000, 3600000, 0};

	return z < ZOOM_COUNT ? ms[z] : 0;
}

const char *view_zoom_name(enum view_zoom z)
{
	static const char *const names[ZOOM_COUNT] = {"1m", "5m", "15m", "1h", "all"};

	return z < ZOOM_COUNT ? names[z] : "?";
}

/* The narrowest zoom that holds all of p's history (and its tree's). */
static enum view_zoom zoom_fitting(const struct proc_entity *p, int64_t now_ms)
{
	int64_t first = p->hist_rss.first_ms >= 0 ? p->hist_rss.first_ms : now_ms;

	if (p->tree && p->tree->hist_rss.first_ms >= 0 && p->tree->hist_rss.first_ms < first)
		first = p->tree->hist_rss.first_ms;
	for (int z = ZOOM_1M; z < ZOOM_ALL; z++)
		if (view_zoom_ms((enum view_zoom)z) >= now_ms - first)
			return (enum view_zoom)z;
	return ZOOM_ALL;
}

static bool event_about(const struct event *e, const struct proc_entity *p)
{
	if (e->pid > 0)
		return e->pid == p->pid;
	return e->cgroup && p->cgroup && strcmp(e->cgroup, p->cgroup) == 0;
}

static uint16_t event_style(enum event_kind k)
{
	switch (k) {
	case EV_OOM_KILL:
	case EV_OOM_IMMINENT:
	case EV_LIMIT_IMMINENT:
	case EV_CGROUP_EVENT:
		return CANVAS_STYLE(ROLE_CRIT, CANVAS_BOLD);
	case EV_VERDICT:
	case EV_THRESHOLD:
		return CANVAS_STYLE(ROLE_WARN, CANVAS_BOLD);
	default:
		return CANVAS_STYLE(ROLE_EVENT, 0);
	}
}

static void draw_title(struct canvas *c, const struct proc_entity *p, const struct glyphs *g, int y)
{
	uint16_t st = CANVAS_STYLE(ROLE_COLHDR, CANVAS_BOLD);
	char *cmd = view_clean(p->cmdline && *p->cmdline ? p->cmdline : "");
	char *name = view_clean(p->name);
	char *user = view_clean(p->user);
	char right[128];
	int x, rw;

	canvas_fill(c, 0, y, c->w, 1, ' ', st);
	snprintf(right, sizeof(right), " %s%s%c%s%s", user, g->sep, p->state,
		 p->alive ? "" : g->sep, p->alive ? "" : "exited");
	if (ms_has(p->threads) && p->alive)
		snprintf(right + strlen(right), sizeof(right) - strlen(right), "%s%lld thr", g->sep,
			 (long long)p->threads);
	x = canvas_printf(c, 0, y, c->w, st, "PID %d ", (int)p->pid);
	x += canvas_printf(c, x, y, c->w - x, st, "(%s) ", name);
	rw = canvas_text_width(c, right);
	if (x + 10 + rw > c->w)
		rw = 0;
	canvas_text(c, x, y, c->w - x - rw, CANVAS_STYLE(ROLE_COLHDR, 0), cmd);
	if (rw)
		canvas_text(c, c->w - rw, y, rw, CANVAS_STYLE(ROLE_COLHDR, 0), right);
	free(cmd);
	free(name);
	free(user);
}

static void draw_values(struct canvas *c, const struct proc_entity *p, const struct glyphs *g, int y)
{
	char a[16], b[16], d[16], e[16], f[16], h[16], line[256];
	int n;

	n = snprintf(line, sizeof(line), "RSS %s (anon %s file %s shmem %s)%sswap %s%speak %s",
		     util_fmt_bytes(p->rss_bytes, a, sizeof(a)), util_fmt_bytes(p->rss_anon_bytes, b, sizeof(b)),
		     util_fmt_bytes(p->rss_file_bytes, d, sizeof(d)),
		     util_fmt_bytes(p->rss_shmem_bytes, e, sizeof(e)), g->sep,
		     util_fmt_bytes(p->swap_bytes, f, sizeof(f)), g->sep,
		     util_fmt_bytes(p->peak_rss_bytes, h, sizeof(h)));
	if (ms_has(p->pss_bytes) && n < (int)sizeof(line))
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%sPSS %s", g->sep,
			      util_fmt_bytes(p->pss_bytes, a, sizeof(a)));
	if (ms_has(p->uss_bytes) && n < (int)sizeof(line))
		n += snprintf(line + n, sizeof(line) - (size_t)n, " USS %s",
			      util_fmt_bytes(p->uss_bytes, a, sizeof(a)));
	if (ms_has(p->oom_score) && n < (int)sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n, "%soom %lld", g->sep, (long long)p->oom_score);
	canvas_text(c, 0, y, c->w, CANVAS_STYLE(ROLE_DEFAULT, 0), line);
}

/* One entity's series on the limits line, as the series table (series.h)
 * words them: text in the series' colour, its usage in the warn/crit style
 * of its percentage. */
static int draw_series(struct canvas *c, const struct model *m, char kind, const void *entity,
		       const struct glyphs *g, int x, int y)
{
	for (int k = 0; entity && k < SERIES_N; k++) {
		const struct series_desc *d = &series_table[k];
		const struct series_core *s;
		char text[192], usage[48], *clean;

		if (d->kind != kind || !(s = d->core(entity)) || !d->tui.detail(entity, s, text, sizeof(text),
										 usage, sizeof(usage)))
			continue;
		clean = view_clean(text);
		x += canvas_printf(c, x, y, c->w - x, CANVAS_STYLE(d->tui.role, 0), "%s%s", x ? g->sep : "", clean);
		x += canvas_text(c, x, y, c->w - x, view_pct_style(m, s->usage_pct), usage);
		free(clean);
	}
	return x;
}

/* "limit 1.0G (/app.slice) 68% charged · GPU ... · high 900M · cgroup 760M
 * 70% · tree 3 procs ...": the process's series, its cgroup's and its
 * tree's. */
static void draw_limits(struct canvas *c, const struct model *m, const struct proc_entity *p,
			const struct cgroup_entity *cg, const struct glyphs *g, int y)
{
	char a[16];
	int x = draw_series(c, m, 'p', p, g, 0, y);

	if (cg && ms_has(cg->s.effective_high_bytes) && cg->s.effective_high_bytes != MS_UNLIMITED)
		x += canvas_printf(c, x, y, c->w - x, CANVAS_STYLE(ROLE_HIGH, 0), "%shigh %s", g->sep,
				   util_fmt_bytes(cg->s.effective_high_bytes, a, sizeof(a)));
	x = draw_series(c, m, 'c', cg, g, x, y);
	draw_series(c, m, 't', p->tree, g, x, y);
}

/* Every limit with its headroom, the binding one (%LIM and TTL's) bold:
 * "limits AS 600M 22M left 1s │ mem 23.5G 23.0G left". */
static void draw_limit_list(struct canvas *c, const struct proc_entity *p, const struct glyphs *g, int y)
{
	const struct limit_state *st = &p->limits;
	const struct limit *b = limit_state_binding(st);
	int x = canvas_text(c, 0, y, c->w, CANVAS_STYLE(ROLE_DEFAULT, 0), "limits ");

	for (size_t i = 0; i < st->n && x < c->w; i++) {
		const struct limit *l = &st->v[i];
		char lim[16], left[16], d[24], ttl[32] = "";
		int64_t room = ms_has(l->used_bytes) ? l->limit_bytes - l->used_bytes : MS_ABSENT;
		uint16_t st_item = l->imminent ? CANVAS_STYLE(ROLE_CRIT, CANVAS_BOLD)
				   : l == b    ? CANVAS_STYLE(ROLE_DEFAULT, CANVAS_BOLD)
					       : CANVAS_STYLE(ROLE_DEFAULT, 0);

		if (isfinite(l->ttl_s))
			snprintf(ttl, sizeof(ttl), " TTL %s", util_fmt_duration(l->ttl_s, d, sizeof(d)));
		x += canvas_printf(c, x, y, c->w - x, st_item, "%s%s %s %s left%s", i ? g->sep : "",
				   limit_kind_tag(l->kind), util_fmt_bytes(l->limit_bytes, lim, sizeof(lim)),
				   util_fmt_bytes(room < 0 && ms_has(room) ? 0 : room, left, sizeof(left)), ttl);
	}
}

struct legend_item {
	uint32_t glyph;
	uint16_t style;
	char text[48];
};

/* The legend: each curve, the trend, each line, events (at most one of
 * each curve, PLOT_SERIES_MAX; of each line, PLOT_LINES_MAX). */
#define LEGEND_MAX (PLOT_SERIES_MAX + PLOT_LINES_MAX + 4)

static void legend_add(struct legend_item *it, int *n, uint32_t glyph, uint16_t style, const char *text)
{
	if (*n >= LEGEND_MAX)
		return;
	it[*n].glyph = glyph;
	it[*n].style = style;
	snprintf(it[*n].text, sizeof(it[*n].text), "%s", text);
	(*n)++;
}

static uint32_t curve_glyph(enum plot_mode mode, char ascii)
{
	return mode == PLOT_BRAILLE ? 0x28ffu : mode == PLOT_BLOCK ? 0x2588u : (uint32_t)ascii;
}

/* One curve: h's points in [from, now], each curve its own points (pts
 * is indexed like spec->series); false when the plot has no room. */
static bool add_curve(struct plot_spec *spec, struct history_point **pts, const struct history *h, int64_t from,
		      int64_t now, uint16_t style, char glyph)
{
	int k = spec->n_series;

	if (k >= PLOT_SERIES_MAX)
		return false;
	pts[k] = xmalloc(DETAIL_POINTS_MAX * sizeof(*pts[k]));
	spec->series[k].pts = pts[k];
	spec->series[k].n = history_window(h, from, now, pts[k], DETAIL_POINTS_MAX);
	spec->series[k].style = style;
	spec->series[k].ascii_glyph = glyph;
	spec->n_series++;
	return true;
}

static void draw_legend(struct canvas *c, const struct view_state *vs, const struct legend_item *it,
			int n, int y)
{
	char zoom[32];
	int x = 0, zw;

	snprintf(zoom, sizeof(zoom), "zoom %s  < >", view_zoom_name(vs->zoom));
	zw = canvas_text_width(c, zoom);
	for (int i = 0; i < n; i++) {
		int tw = canvas_text_width(c, it[i].text);

		if (x + 2 + tw > c->w - zw - 1)
			break;
		canvas_put(c, x, y, it[i].glyph, it[i].style);
		x += 1;
		x += canvas_text(c, x, y, tw, CANVAS_STYLE(ROLE_DEFAULT, 0), it[i].text);
		x += 1;
	}
	if (x + zw <= c->w)
		canvas_text(c, c->w - zw, y, zw, CANVAS_STYLE(ROLE_DIM, 0), zoom);
}

/* Two rows of text broken after the last separator that fits. */
static int draw_wrapped(struct canvas *c, int y, const char *text, const char *sep, uint16_t st)
{
	size_t sl = strlen(sep);
	const char *cut = NULL;
	char first[320];

	for (const char *q = strstr(text, sep); q; q = strstr(q + sl, sep)) {
		size_t len = (size_t)(q - text);

		if (len >= sizeof(first))
			break;
		memcpy(first, text, len);
		first[len] = '\0';
		if (canvas_text_width(c, first) > c->w)
			break;
		cut = q;
	}
	if (!cut) {
		canvas_text(c, 0, y, c->w, st, text);
		return 1;
	}
	memcpy(first, text, (size_t)(cut - text));
	first[cut - text] = '\0';
	canvas_text(c, 0, y, c->w, st, first);
	canvas_text(c, 2, y + 1, c->w - 2, st, cut + sl);
	return 2;
}

static void draw_events(struct canvas *c, const struct model *m, const struct proc_entity *p,
			const struct glyphs *g, int y, int rows)
{
	const struct event *shown[DETAIL_EVENTS_MAX];
	int n = 0;

	for (size_t i = m->ev_len; i-- > 0 && n < rows && n < DETAIL_EVENTS_MAX;) {
		const struct event *e = model_event_at(m, i);

		if (e && event_about(e, p))
			shown[n++] = e;
	}
	for (int k = 0; k < n; k++)
		view_event_draw(c, 0, y + k, c->w, shown[n - 1 - k], g, event_style(shown[n - 1 - k]->kind));
}

static int count_events(const struct model *m, const struct proc_entity *p)
{
	int n = 0;

	for (size_t i = 0; i < m->ev_len && n < DETAIL_EVENTS_MAX; i++) {
		const struct event *e = model_event_at(m, i);

		if (e && event_about(e, p))
			n++;
	}
	return n;
}

void view_detail_draw(struct canvas *c, const struct model *m, struct view_state *vs)
{
	const struct glyphs *g = view_glyphs(vs->glyph_mode);
	const struct proc_entity *p = m ? model_proc_find(m, vs->detail_pid) : NULL;
	const struct cgroup_entity *cg;
	const struct trend_result *r, *tr, *gr;
	const struct series_desc *ud;
	const struct series_core *us;
	struct trend_result ev;
	const struct history *trend_hist;
	struct history_point *pts[PLOT_SERIES_MAX] = {NULL};
	struct legend_item legend[LEGEND_MAX];
	struct plot_spec spec;
	struct plot_result res;
	char ttl_label[112], ttl_short[48], line[320], a[16];
	int y = 0, status_rows, avail, plot_min, n_legend = 0, n_ev;
	bool want_evidence, want_evidence2, want_legend, want_values, want_limits, want_list;
	const struct limit *bl;
	int64_t now, from, window, high = MS_ABSENT, target = MS_ABSENT;
	enum plot_mode mode = vs->glyph_mode == GLYPHS_UTF8 ? PLOT_BRAILLE :
			      vs->glyph_mode == GLYPHS_ACS ? PLOT_BLOCK : PLOT_ASCII;

	if (c->h <= 0 || c->w <= 0)
		return;
	if (!p) {
		canvas_printf(c, 0, 0, c->w, CANVAS_STYLE(ROLE_DIM, 0),
			      m ? "process %d is not watched (gone?)  Esc: back" : "waiting for the first sample",
			      (int)vs->detail_pid);
		return;
	}
	cg = p->cgroup ? model_cgroup_find(m, p->cgroup) : NULL;
	if (cg && ms_has(cg->s.effective_high_bytes) && cg->s.effective_high_bytes != MS_UNLIMITED)
		high = cg->s.effective_high_bytes;
	r = trend_get(&p->trend);
	ud = view_urgent_series(p, &us);
	gr = ud ? trend_get(&us->trend) : NULL;

	draw_title(c, p, g, y++);
	status_rows = view_status_draw(c, vs, c->h / 4 > 1 ? c->h / 4 : 1);
	avail = c->h - 1 - y - status_rows;
	/* Small screens keep most rows for the plot. */
	plot_min = avail >= 16 ? avail / 2 : avail * 3 / 4;
	if (plot_min < 5)
		plot_min = 5;
	want_evidence = avail - 1 >= plot_min;
	avail -= want_evidence;
	/* A series more urgent than the main one (the GPU's): its evidence, to
	 * its limit (the card's memory). */
	if (gr) {
		size_t k = (size_t)snprintf(line, sizeof(line), "%s ", ud->tui.label);

		view_fmt_evidence(gr, us->limit_bytes, MS_ABSENT, g, line + k, sizeof(line) - k);
	} else {
		view_fmt_evidence(trend_evidence(&p->trend, &ev), p->limit_bytes, high, g, line, sizeof(line));
	}
	/* Evidence wider than the screen continues on a second row when the
	 * plot can spare it: the TTL at its end matters most. */
	want_evidence2 = want_evidence && canvas_text_width(c, line) > c->w && avail - 1 >= plot_min + 6;
	avail -= want_evidence2;
	want_legend = avail - 1 >= plot_min;
	avail -= want_legend;
	want_values = avail - 1 >= plot_min;
	avail -= want_values;
	want_limits = avail - 1 >= plot_min;
	avail -= want_limits;
	/* The limit list, when there is more than the one just shown. */
	want_list = want_limits && p->limits.n > 1 && avail - 1 >= plot_min;
	avail -= want_list;
	n_ev = count_events(m, p);
	if (avail - n_ev < plot_min)
		n_ev = avail - plot_min > 0 ? avail - plot_min : 0;
	avail -= n_ev;

	if (want_evidence2)
		y += draw_wrapped(c, y, line, g->sep, view_verdict_style(gr ? gr : r));
	else if (want_evidence)
		canvas_text(c, 0, y++, c->w, view_verdict_style(gr ? gr : r), line);
	if (want_values)
		draw_values(c, p, g, y++);
	if (want_limits)
		draw_limits(c, m, p, cg, g, y++);
	if (want_list)
		draw_limit_list(c, p, g, y++);

	/* The time window, and room after "now" for the projection. */
	now = m->mono_ms;
	if (vs->zoom_fit)
		vs->zoom = zoom_fitting(p, now);
	window = view_zoom_ms(vs->zoom);
	if (window == 0) {
		int64_t first = p->hist_rss.first_ms >= 0 ? p->hist_rss.first_ms : now;

		if (p->tree && p->tree->hist_rss.first_ms >= 0 && p->tree->hist_rss.first_ms < first)
			first = p->tree->hist_rss.first_ms;
		window = now - first > 60000 ? now - first : 60000;
	}
	from = now - window;
	plot_spec_init(&spec, mode, g);
	spec.t_from_ms = from;
	spec.t_now_ms = now;
	spec.t_to_ms = now;
	spec.wall_offset_ms = m->time_ms - m->mono_ms;
	spec.max_gap_ms = m->interval_ms * 3 > 3000 ? m->interval_ms * 3 : 3000;

	add_curve(&spec, pts, &p->hist_rss, from, now, CANVAS_STYLE(ROLE_SERIES_RSS, 0), '*');
	legend_add(legend, &n_legend, curve_glyph(mode, '*'), CANVAS_STYLE(ROLE_SERIES_RSS, 0), "RSS");
	if (p->tree && p->tree->n_procs > 1 &&
	    add_curve(&spec, pts, &p->tree->hist_rss, from, now, CANVAS_STYLE(ROLE_SERIES_TREE, 0), '+'))
		legend_add(legend, &n_legend, curve_glyph(mode, '+'), CANVAS_STYLE(ROLE_SERIES_TREE, 0), "tree");
	if (cg && strcmp(cg->s.path, "/") != 0) {
		int64_t own = p->hist_rss.max_bytes;

		if (p->tree && ms_has(p->tree->hist_rss.max_bytes) && p->tree->hist_rss.max_bytes > own)
			own = p->tree->hist_rss.max_bytes;
		/* A cgroup far bigger than the process would flatten its line. */
		if (ms_has(cg->hist_current.max_bytes) && ms_has(own) && cg->hist_current.max_bytes <= 4 * own) {
			if (add_curve(&spec, pts, &cg->hist_current, from, now, CANVAS_STYLE(ROLE_SERIES_CG, 0), 'o'))
				legend_add(legend, &n_legend, curve_glyph(mode, 'o'), CANVAS_STYLE(ROLE_SERIES_CG, 0),
					   "cgroup");
		} else if (ms_has(cg->s.current_bytes)) {
			char off[48];

			snprintf(off, sizeof(off), "cgroup %s off-scale", util_fmt_bytes(cg->s.current_bytes, a, sizeof(a)));
			legend_add(legend, &n_legend, ' ', 0, off);
		}
	}
	/* The process's other series with a history (its GPU memory), from
	 * the series table: a curve, and its limit line below. */
	for (int k = 0; k < SERIES_N; k++) {
		const struct series_desc *d = &series_table[k];

		if (d->kind == 'p' && !d->main && d->tui.hist && d->core(p) &&
		    add_curve(&spec, pts, d->tui.hist(p), from, now, CANVAS_STYLE(d->tui.role, 0), d->tui.glyph))
			legend_add(legend, &n_legend, curve_glyph(mode, d->tui.glyph), CANVAS_STYLE(d->tui.role, 0),
				   d->tui.label);
	}
	if (ms_has(p->limit_bytes)) {
		bool machine = !p->limit_source || strcmp(p->limit_source, "machine") == 0;

		spec.lines[spec.n_lines++] = (struct plot_line){p->limit_bytes, CANVAS_STYLE(ROLE_LIMIT, 0),
								g->line_max, machine ? "RAM" : "max"};
	}
	if (ms_has(high))
		spec.lines[spec.n_lines++] = (struct plot_line){high, CANVAS_STYLE(ROLE_HIGH, 0), g->line_high,
								"high"};
	/* Each such series' limit (the card's memory as this process can
	 * reach it: own + free). */
	for (int k = 0; k < SERIES_N && spec.n_lines < PLOT_LINES_MAX; k++) {
		const struct series_desc *d = &series_table[k];
		const struct series_core *s = d->kind == 'p' && !d->main && d->tui.hist ? d->core(p) : NULL;

		if (s && ms_has(s->limit_bytes))
			spec.lines[spec.n_lines++] = (struct plot_line){s->limit_bytes, CANVAS_STYLE(d->tui.role, 0),
									g->line_max, d->tui.label};
	}

	/* Bound by a limit that refuses allocations: its series (VmSize,
	 * VmData, Committed_AS) against its line, and its trend. */
	tr = r;
	trend_hist = &p->hist_rss;
	bl = limit_state_binding(&p->limits);
	if (bl && limit_kind_refuses(bl->kind) && p->hist_limit_kind == (int)bl->kind &&
	    spec.n_series < PLOT_SERIES_MAX) {
		static const char *const series_name[LIMIT_KINDS] = {
			[LIMIT_RLIMIT_AS] = "VmSize", [LIMIT_ADDRESS_SPACE] = "VmSize",
			[LIMIT_RLIMIT_DATA] = "VmData", [LIMIT_COMMIT] = "Committed_AS",
		};
		const struct trend_result *lt = bl->kind == LIMIT_COMMIT ? trend_get(&m->commit_trend)
									: limit_state_trend(&p->limits, bl->kind);

		add_curve(&spec, pts, &p->hist_limit, from, now, CANVAS_STYLE(ROLE_SERIES_CG, CANVAS_BOLD), 'v');
		legend_add(legend, &n_legend, curve_glyph(mode, 'v'), CANVAS_STYLE(ROLE_SERIES_CG, CANVAS_BOLD),
			   series_name[bl->kind]);
		spec.n_lines = 0;
		spec.lines[spec.n_lines++] = (struct plot_line){bl->limit_bytes, CANVAS_STYLE(ROLE_LIMIT, CANVAS_BOLD),
								g->line_max, limit_kind_tag(bl->kind)};
		if (ms_has(p->limit_bytes))
			spec.lines[spec.n_lines++] = (struct plot_line){
				p->limit_bytes, CANVAS_STYLE(ROLE_LIMIT, 0), g->line_high,
				!p->limit_source || strcmp(p->limit_source, "machine") == 0 ? "RAM" : "max"};
		if (lt) {
			tr = lt;
			trend_hist = &p->hist_limit;
			target = bl->limit_bytes;
		}
	}
	/* The trend: the process's own, else its tree's when that grows. */
	if (!ms_has(target) && tr->verdict != TREND_GROWING && tr->verdict != TREND_LEAK && p->tree) {
		const struct trend_result *t2 = trend_get(&p->tree->trend);

		if (t2->verdict == TREND_GROWING || t2->verdict == TREND_LEAK) {
			tr = t2;
			trend_hist = &p->tree->hist_rss;
		}
	}
	if (gr) {
		tr = gr;
		trend_hist = ud->tui.hist(p);
	}
	if ((tr->verdict == TREND_GROWING || tr->verdict == TREND_LEAK || tr->oom_imminent) &&
	    isfinite(tr->slope_bytes_per_s) && tr->slope_bytes_per_s > 0 && p->alive) {
		int64_t fut = window / 3;

		if (isfinite(tr->ttl_s) && tr->ttl_target != TTL_NONE) {
			fut = (int64_t)(tr->ttl_s * 1000 * 1.15);
			if (fut < window / 4)
				fut = window / 4;
			/* Up to twice the window, so a near TTL shows where the
			 * line meets the limit; a zoom fitted to a short history
			 * looks further (8 windows: 8 min at 1m), or the limit
			 * would be off the plot of a new process. */
			if (fut > (vs->zoom_fit ? 8 : 2) * window)
				fut = (vs->zoom_fit ? 8 : 2) * window;
		}
		spec.t_to_ms = now + fut;
		spec.trend_on = true;
		spec.trend_y0_bytes = history_last(trend_hist);
		spec.trend_slope_bytes_per_s = tr->slope_bytes_per_s;
		spec.trend_target_bytes = gr                                        ? us->limit_bytes
					  : ms_has(target)                              ? target
					  : tr->ttl_target == TTL_HIGH && ms_has(high) ? high
										       : p->limit_bytes;
		if (isfinite(tr->ttl_s) && tr->ttl_target != TTL_NONE && !isnan(tr->ttl_lo_s)) {
			char t[24], lo[24], hi[24], band[24];

			/* Never a TTL without its band. */
			util_fmt_duration(tr->ttl_s, t, sizeof(t));
			util_fmt_duration(tr->ttl_lo_s, lo, sizeof(lo));
			if (isfinite(tr->ttl_hi_s))
				util_fmt_duration(tr->ttl_hi_s, hi, sizeof(hi));
			else
				snprintf(hi, sizeof(hi), "%s", mode == PLOT_BRAILLE ? "\u221e" : "inf");
			snprintf(ttl_label, sizeof(ttl_label), "TTL %s [%s%s%s]", t, lo, g->dash, hi);
			snprintf(ttl_short, sizeof(ttl_short), "TTL %s",
				 view_fmt_ttl_short(tr, g, band, sizeof(band)));
			spec.ttl_label = ttl_label;
			spec.ttl_label_short = ttl_short;
			spec.trend_ttl_s = tr->ttl_s;
			spec.band_lo_s = tr->ttl_lo_s;
			spec.band_hi_s = tr->ttl_hi_s;
		}
		legend_add(legend, &n_legend, g->trend_dot, CANVAS_STYLE(ROLE_TREND, CANVAS_BOLD), "trend");
	}
	for (size_t i = 0; i < m->ev_len && spec.n_marks < PLOT_MARKS_MAX; i++) {
		const struct event *e = model_event_at(m, i);

		if (!e || !event_about(e, p))
			continue;
		spec.marks[spec.n_marks].t_ms = e->time_ms - spec.wall_offset_ms;
		spec.marks[spec.n_marks].style = event_style(e->kind);
		spec.n_marks++;
	}

	plot_draw(c, 0, y, c->w, avail, &spec, &res);
	y += avail;
	for (int i = 0; i < spec.n_lines; i++) {
		char text[48];

		snprintf(text, sizeof(text), "%s %s%s%s", spec.lines[i].name,
			 util_fmt_bytes(spec.lines[i].y_bytes, a, sizeof(a)),
			 res.line_off_scale[i] ? " " : "", res.line_off_scale[i] ? g->up : "");
		legend_add(legend, &n_legend, spec.lines[i].glyph, spec.lines[i].style, text);
	}
	if (spec.n_marks > 0)
		legend_add(legend, &n_legend, g->event_mark, CANVAS_STYLE(ROLE_EVENT, 0), "event");
	if (want_legend)
		draw_legend(c, vs, legend, n_legend, y++);
	if (n_ev > 0)
		draw_events(c, m, p, g, y, n_ev);
	for (int i = 0; i < PLOT_SERIES_MAX; i++)
		free(pts[i]);
}

/* ---- keys ------------------------------------------------------------ */

static enum view_cmd key_zoom(const struct model *m, struct view_state *vs, uint32_t key)
{
	(void)m;
	vs->zoom_fit = false;
	if ((key == '<' || key == ',') && vs->zoom > ZOOM_1M)
		vs->zoom--;
	else if ((key == '>' || key == '.') && vs->zoom < ZOOM_ALL)
		vs->zoom++;
	return VIEW_CMD_NONE;
}

/* Browse the table's rows without leaving the plot. */
static enum view_cmd key_browse(const struct model *m, struct view_state *vs, uint32_t key)
{
	const struct proc_entity *d = model_proc_find(m, vs->detail_pid);
	struct proc_entity *p;

	vs->cursor_pid = vs->detail_pid;
	if (d)
		vs->cursor_start = d->start_ticks;
	view_table_sync(m, vs);
	view_table_move(vs, key == VK_UP ? -1 : 1);
	p = view_table_cursor(vs);
	if (p)
		vs->detail_pid = p->pid;
	return VIEW_CMD_NONE;
}

static enum view_cmd key_back(const struct model *m, struct view_state *vs, uint32_t key)
{
	(void)m;
	(void)key;
	vs->view = VIEW_TABLE;
	return VIEW_CMD_NONE;
}

static const struct view_binding detail_bindings[] = {
	{"zoom", {'<', '>', ',', '.'}, key_zoom, "<  >",
	 "zoom the time axis: 1 min, 5 min, 15 min, 1 h, whole run", "<>", NULL, "zoom"},
	{"browse", {VK_UP, VK_DOWN}, key_browse, "Up Down", "previous / next process of the table", NULL,
	 NULL, NULL},
	/* Esc is the global "back"; Backspace too, here. */
	{"back", {VK_BACKSPACE}, key_back, NULL, NULL, NULL, NULL, NULL},
};

const struct view_keymap view_detail_keys = VIEW_KEYMAP("Detail view", detail_bindings);
