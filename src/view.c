/* view: shared view state, glyph sets, number formatting and the screen
 * frame (header, status lines, key bar). See view.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "view.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

static const struct glyphs glyphs_utf8 = {
	.mode = GLYPHS_UTF8,
	.hline = 0x2500, .vline = 0x2502, .corner = 0x2514, .tick = 0x2534,
	.bar_full = 0x2588, .bar_empty = 0x2591, .bar_mark = 0x2502,
	.line_max = 0x2504, .line_high = 0x2508, .trend_dot = 0x00b7,
	.event_mark = 0x25b2, .ttl_mark = 0x00d7, .now_mark = 0x250a, .band = 0x2550,
	.ellipsis = "\u2026", .up = "\u2191", .down = "\u2193", .sep = " \u00b7 ",
	.dash = "\u2013", .delta = "\u0394", .r2 = "R\u00b2", .micro = "\u00b5",
	.tree_mid = "\u251c\u2500", .tree_last = "\u2514\u2500", .tree_pipe = "\u2502 ",
	.tree_blank = "  ", .arrow = "\u2192", .tag = "*",
};

/* Only glyphs tui.c maps onto the terminal's alternate character set. */
static const struct glyphs glyphs_acs = {
	.mode = GLYPHS_ACS,
	.hline = 0x2500, .vline = 0x2502, .corner = 0x2514, .tick = 0x2534,
	.bar_full = 0x2588, .bar_empty = 0x2591, .bar_mark = 0x2502,
	.line_max = 0x2500, .line_high = '-', .trend_dot = 0x00b7,
	.event_mark = 0x2191, .ttl_mark = 0x25c6, .now_mark = ':', .band = 0x2592,
	.ellipsis = "~", .up = "^", .down = "v", .sep = " | ", .dash = "-", .delta = "d",
	.r2 = "R2", .micro = "u", .tree_mid = "|-", .tree_last = "`-", .tree_pipe = "| ",
	.tree_blank = "  ", .arrow = "->", .tag = "*",
};

static const struct glyphs glyphs_ascii = {
	.mode = GLYPHS_ASCII,
	.hline = '-', .vline = '|', .corner = '+', .tick = '+',
	.bar_full = '#', .bar_empty = '.', .bar_mark = '|',
	.line_max = '=', .line_high = '-', .trend_dot = '.',
	.event_mark = '^', .ttl_mark = 'X', .now_mark = ':', .band = '=',
	.ellipsis = "~", .up = "^", .down = "v", .sep = " | ", .dash = "-", .delta = "d",
	.r2 = "R2", .micro = "u", .tree_mid = "|-", .tree_last = "`-", .tree_pipe = "| ",
	.tree_blank = "  ", .arrow = "->", .tag = "*",
};

const struct glyphs *view_glyphs(enum glyph_mode mode)
{
	switch (mode) {
	case GLYPHS_UTF8:
		return &glyphs_utf8;
	case GLYPHS_ACS:
		return &glyphs_acs;
	case GLYPHS_ASCII:
		break;
	}
	return &glyphs_ascii;
}

void view_state_init(struct view_state *vs, enum glyph_mode mode)
{
	memset(vs, 0, sizeof(*vs));
	vs->view = vs->back = VIEW_TABLE;
	vs->glyph_mode = mode;
	vs->sort_col = COL_RSS;
	vs->zoom = ZOOM_5M;
	vs->zoom_fit = true;
	vs->chooser_sel = COL_RSS;
}

void view_state_done(struct view_state *vs)
{
	if (vs->filter_re_ok)
		regfree(&vs->filter_re);
	free(vs->tags);
	free(vs->status);
	free(vs->rows);
	for (size_t i = 0; i < vs->n_pane; i++)
		free(vs->pane[i]);
	free(vs->pane);
	memset(vs, 0, sizeof(*vs));
}

bool view_is_tagged(const struct view_state *vs, const struct proc_entity *p)
{
	for (size_t i = 0; i < vs->n_tags; i++)
		if (vs->tags[i].pid == p->pid && vs->tags[i].start_ticks == p->start_ticks)
			return true;
	return false;
}

void view_toggle_tag(struct view_state *vs, const struct proc_entity *p)
{
	for (size_t i = 0; i < vs->n_tags; i++) {
		if (vs->tags[i].pid == p->pid && vs->tags[i].start_ticks == p->start_ticks) {
			vs->tags[i] = vs->tags[--vs->n_tags];
			return;
		}
	}
	if (vs->n_tags == vs->cap_tags) {
		vs->cap_tags = vs->cap_tags ? vs->cap_tags * 2 : 16;
		vs->tags = xrealloc(vs->tags, vs->cap_tags * sizeof(*vs->tags));
	}
	vs->tags[vs->n_tags].pid = p->pid;
	vs->tags[vs->n_tags].start_ticks = p->start_ticks;
	vs->n_tags++;
}

void view_clear_tags(struct view_state *vs)
{
	vs->n_tags = 0;
}

const struct proc_entity *view_focus_proc(const struct model *m, const struct view_state *vs)
{
	if (!m)
		return NULL;
	if (vs->view == VIEW_DETAIL && vs->detail_pid > 0)
		return model_proc_find(m, vs->detail_pid);
	if (vs->cursor_pid > 0)
		return model_proc_find(m, vs->cursor_pid);
	return NULL;
}

void view_event_draw(struct canvas *c, int x, int y, int w, const struct event *e, const struct glyphs *g,
		     uint16_t style)
{
	char clock[16], *msg = view_clean(e->message);
	int used;

	view_fmt_clock(e->time_ms, clock, sizeof(clock));
	used = canvas_text(c, x, y, w, style, msg);
	canvas_printf(c, x + used, y, w - used, CANVAS_STYLE(ROLE_DIM, 0), "%s%s %s", g->sep,
		      model_event_kind_name(e->kind), clock);
	free(msg);
}

char *view_clean(const char *s)
{
	return util_sanitize(s ? s : "");
}

char *view_fmt_clock(int64_t wall_ms, char *buf, size_t cap)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;

	if (!localtime_r(&t, &tm)) {
		snprintf(buf, cap, "--:--:--");
		return buf;
	}
	strftime(buf, cap, "%H:%M:%S", &tm);
	return buf;
}

char *view_fmt_slope_min(double bytes_per_s, char *buf, size_t cap)
{
	char tmp[32];
	double per_min = bytes_per_s * 60;

	if (!isfinite(bytes_per_s)) {
		snprintf(buf, cap, "-");
		return buf;
	}
	/* Below 1 KiB/min is indistinguishable from flat at this width. */
	if (fabs(per_min) < 1024) {
		snprintf(buf, cap, "0");
		return buf;
	}
	util_fmt_bytes((int64_t)llround(fabs(per_min)), tmp, sizeof(tmp));
	snprintf(buf, cap, "%c%s", per_min < 0 ? '-' : '+', tmp);
	return buf;
}

/* One end of a short TTL band: whole units, rounded outward. */
static void ttl_unit(double s, bool up, long *v, char *unit)
{
	static const struct {
		double s;
		char u;
	} units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (s >= units[i].s || units[i].u == 's') {
			double q = s / units[i].s;

			*v = (long)(up ? ceil(q - 1e-9) : floor(q + 1e-9));
			*unit = units[i].u;
			return;
		}
	}
}

void view_limit_of(const struct proc_entity *p, struct view_limit *b)
{
	const struct limit *l = limit_state_binding(&p->limits);

	static const char *const marks[LIMIT_KINDS] = {
		[LIMIT_CGROUP_HIGH] = "hi", [LIMIT_RLIMIT_AS] = "AS", [LIMIT_RLIMIT_DATA] = "DT",
		[LIMIT_COMMIT] = "CM", [LIMIT_ADDRESS_SPACE] = "32", [LIMIT_GPU] = "GP",
	};

	b->l = l;
	b->mark = l ? marks[l->kind] : NULL;
	b->pct = p->usage_pct;
	b->r = *trend_get(&p->trend);
	if (!l) {
		b->tag = !p->limit_source ? NULL : strcmp(p->limit_source, "machine") == 0 ? "mem" : "max";
		return;
	}
	b->tag = limit_kind_tag(l->kind);
	if (!limit_kind_refuses(l->kind))
		return;
	b->pct = limit_used_pct(l);
	b->r.ttl_s = b->r.ttl_max_s = l->ttl_s;
	b->r.ttl_lo_s = l->ttl_lo_s;
	b->r.ttl_hi_s = l->ttl_hi_s;
	b->r.ttl_target = isfinite(l->ttl_s) ? TTL_MAX : TTL_NONE;
	b->r.oom_imminent = l->imminent;
}

static bool has_ttl(const struct trend_result *r)
{
	return r && r->ttl_target != TTL_NONE && isfinite(r->ttl_s) && !isnan(r->ttl_lo_s);
}

char *view_fmt_ttl_short(const struct trend_result *r, const struct glyphs *g, char *buf,
			 size_t cap)
{
	long lo, hi;
	char ulo, uhi;

	if (!has_ttl(r)) {
		snprintf(buf, cap, "-");
		return buf;
	}
	ttl_unit(r->ttl_lo_s > 0 ? r->ttl_lo_s : 0, false, &lo, &ulo);
	if (!isfinite(r->ttl_hi_s)) {
		snprintf(buf, cap, ">%ld%c", lo, ulo);
		return buf;
	}
	ttl_unit(r->ttl_hi_s, true, &hi, &uhi);
	if (lo > 999 || hi > 999)
		snprintf(buf, cap, ">999d");
	else if (ulo == uhi && lo == hi)
		snprintf(buf, cap, "%ld%c", lo, ulo);
	else if (ulo == uhi)
		snprintf(buf, cap, "%ld%s%ld%c", lo, g->dash, hi, uhi);
	else
		snprintf(buf, cap, "%ld%c%s%ld%c", lo, ulo, g->dash, hi, uhi);
	return buf;
}

char *view_fmt_ttl_full(const struct trend_result *r, int64_t limit_bytes, int64_t high_bytes,
			const struct glyphs *g, char *buf, size_t cap)
{
	char target[32], t[24], lo[24], hi[24];

	if (!has_ttl(r)) {
		snprintf(buf, cap, "%s", "");
		return buf;
	}
	if (r->ttl_target == TTL_HIGH) {
		char b[24];

		snprintf(target, sizeof(target), "high %s", util_fmt_bytes(high_bytes, b, sizeof(b)));
	} else {
		util_fmt_bytes(limit_bytes, target, sizeof(target));
	}
	util_fmt_duration(r->ttl_s, t, sizeof(t));
	util_fmt_duration(r->ttl_lo_s, lo, sizeof(lo));
	if (isfinite(r->ttl_hi_s))
		util_fmt_duration(r->ttl_hi_s, hi, sizeof(hi));
	else
		snprintf(hi, sizeof(hi), "%s", g->mode == GLYPHS_UTF8 ? "\u221e" : "inf");
	snprintf(buf, cap, "TTL%s%s %s [%s%s%s]", g->arrow, target, t, lo, g->dash, hi);
	return buf;
}

const char *view_verdict_word(const struct trend_result *r)
{
	if (r->oom_imminent)
		return "oom_imminent";
	if (r->verdict == TREND_UNKNOWN)
		return "-";
	return trend_verdict_name(r->verdict);
}

static int urgency_rank(const struct trend_result *r)
{
	return r->oom_imminent ? 3 : r->verdict == TREND_LEAK ? 2 : r->verdict == TREND_GROWING;
}

const struct series_desc *view_urgent_series(const struct proc_entity *p, const struct series_core **core)
{
	const struct trend_result *best = trend_get(&p->trend);
	const struct series_desc *found = NULL;

	*core = NULL;
	for (int k = 0; k < SERIES_N; k++) {
		const struct series_desc *d = &series_table[k];
		const struct series_core *s;
		const struct trend_result *gr;
		int rank_b = urgency_rank(best), rank_g;

		if (d->kind != 'p' || d->main || !d->tui.mark || !(s = d->core(p)))
			continue;
		gr = trend_get(&s->trend);
		rank_g = urgency_rank(gr);
		if (rank_g > rank_b ||
		    (rank_g == rank_b && rank_g > 0 && isfinite(gr->ttl_s) && gr->ttl_target != TTL_NONE &&
		     (!isfinite(best->ttl_s) || best->ttl_target == TTL_NONE || gr->ttl_s < best->ttl_s))) {
			best = gr;
			found = d;
			*core = s;
		}
	}
	return found;
}

uint16_t view_verdict_style(const struct trend_result *r)
{
	if (r->oom_imminent)
		return CANVAS_STYLE(ROLE_CRIT, CANVAS_BOLD | CANVAS_REVERSE);
	switch (r->verdict) {
	case TREND_LEAK:
		return CANVAS_STYLE(ROLE_CRIT, CANVAS_BOLD);
	case TREND_GROWING:
		return CANVAS_STYLE(ROLE_WARN, CANVAS_BOLD);
	case TREND_SHRINKING:
		return CANVAS_STYLE(ROLE_SHRINK, 0);
	case TREND_STABLE:
		return CANVAS_STYLE(ROLE_OK, 0);
	case TREND_UNKNOWN:
		break;
	}
	return CANVAS_STYLE(ROLE_DIM, 0);
}

uint16_t view_pct_style(const struct model *m, double pct)
{
	if (isnan(pct))
		return CANVAS_STYLE(ROLE_DIM, 0);
	if (pct >= m->crit_pct)
		return CANVAS_STYLE(ROLE_CRIT, CANVAS_BOLD);
	if (pct >= m->warn_pct)
		return CANVAS_STYLE(ROLE_WARN, CANVAS_BOLD);
	return CANVAS_STYLE(ROLE_OK, 0);
}

/* The CI's ends in the slope's unit at the slope's precision; when they
 * round alike, its half-width relative to the slope instead. */
static void fmt_ci(const struct trend_result *r, const char *rate, const struct glyphs *g, char *buf,
		   size_t cap)
{
	const double mib = 1024.0 * 1024.0;
	double unit = strstr(rate, "MiB/s") ? mib : strstr(rate, "MiB/min") ? mib / 60 : 1024.0 / 60;
	double lo = r->slope_lo_bytes_per_s, hi = r->slope_hi_bytes_per_s, s = r->slope_bytes_per_s;
	char a[24], b[24];

	/* The slope's own precision (util_fmt_rate). */
	util_fmt_number3(lo / unit, a, sizeof(a));
	util_fmt_number3(hi / unit, b, sizeof(b));
	if (strcmp(a, b) != 0 || s == 0) {
		snprintf(buf, cap, " [90%% CI %s%s%s]", a, g->dash, b);
		return;
	}
	snprintf(buf, cap, " [90%% CI %s%.2g%%]", g->mode == GLYPHS_UTF8 ? "\u00b1" : "+-",
		 100 * fmax(hi - s, s - lo) / fabs(s));
}

char *view_fmt_evidence(const struct trend_result *r, int64_t limit_bytes, int64_t high_bytes,
			const struct glyphs *g, char *buf, size_t cap)
{
	char rate[32], win[24], ttl[96], ci[64] = "";
	const char *word;
	size_t n;

	if (r->oom_imminent)
		word = "OOM_IMMINENT";
	else
		switch (r->verdict) {
		case TREND_LEAK:
			word = "LEAK";
			break;
		case TREND_GROWING:
			word = "GROWING";
			break;
		case TREND_SHRINKING:
			word = "SHRINKING";
			break;
		case TREND_STABLE:
			word = "STABLE";
			break;
		case TREND_UNKNOWN:
		default:
			snprintf(buf, cap, "collecting history: no verdict yet");
			return buf;
		}
	if (!isfinite(r->slope_bytes_per_s)) {
		snprintf(buf, cap, "%s", word);
		return buf;
	}
	util_fmt_rate(r->slope_bytes_per_s, rate, sizeof(rate));
	if (isfinite(r->slope_lo_bytes_per_s) && isfinite(r->slope_hi_bytes_per_s))
		fmt_ci(r, rate, g, ci, sizeof(ci));
	n = (size_t)snprintf(buf, cap, "%s %s%s%s%s", word,
			     r->slope_bytes_per_s > 0 ? g->up : r->slope_bytes_per_s < 0 ? g->down : "",
			     r->slope_bytes_per_s != 0 ? " " : "", rate, ci);
	if (n < cap && isfinite(r->mk_z))
		n += (size_t)snprintf(buf + n, cap - n, "%sMK Z=%.1f", g->sep, r->mk_z);
	if (n < cap && isfinite(r->r2))
		n += (size_t)snprintf(buf + n, cap - n, "%s%s %.2f", g->sep, g->r2, r->r2);
	if (n < cap && isfinite(r->window_s) && r->window_s > 0)
		n += (size_t)snprintf(buf + n, cap - n, "%s%s window", g->sep,
				      util_fmt_duration(r->window_s, win, sizeof(win)));
	view_fmt_ttl_full(r, limit_bytes, high_bytes, g, ttl, sizeof(ttl));
	if (n < cap && ttl[0])
		snprintf(buf + n, cap - n, "%s%s", g->sep, ttl);
	return buf;
}

void view_bar_draw(struct canvas *c, int x, int y, int w, const struct glyphs *g, double frac,
		   double mark_frac, uint16_t fill_style)
{
	int fill, mark = -1;

	if (w <= 0)
		return;
	if (!isfinite(frac) || frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	fill = (int)lround(frac * w);
	if (frac > 0 && fill == 0)
		fill = 1;
	if (isfinite(mark_frac) && mark_frac > 0 && mark_frac < 1)
		mark = (int)lround(mark_frac * w);
	if (mark >= w)
		mark = w - 1;
	for (int i = 0; i < w; i++) {
		if (i == mark)
			canvas_put(c, x + i, y, g->bar_mark, CANVAS_STYLE(ROLE_HIGH, CANVAS_BOLD));
		else if (i < fill)
			canvas_put(c, x + i, y, g->bar_full, fill_style);
		else
			canvas_put(c, x + i, y, g->bar_empty, CANVAS_STYLE(ROLE_BAR_EMPTY, 0));
	}
}

/* A header line is a run of segments; when the line is too narrow the
 * segments with the largest prio numbers go first. A segment with bar_w > 0
 * is a bar instead of text. */
struct seg {
	int prio;
	uint16_t style;
	char text[192];
	int bar_w;
	double frac, mark;
};

#define SEGS_MAX 12

static struct seg *seg_add(struct seg *segs, int *n, int prio, uint16_t style, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static struct seg *seg_add(struct seg *segs, int *n, int prio, uint16_t style, const char *fmt, ...)
{
	struct seg *s;
	va_list ap;

	if (*n >= SEGS_MAX)
		return &segs[SEGS_MAX - 1];
	s = &segs[(*n)++];
	memset(s, 0, sizeof(*s));
	s->prio = prio;
	s->style = style;
	va_start(ap, fmt);
	vsnprintf(s->text, sizeof(s->text), fmt, ap);
	va_end(ap);
	return s;
}

#define BAR_MIN_W 6

/* A bar counts at its minimum width; what is left over widens it later. */
static int seg_width(const struct canvas *c, const struct seg *s)
{
	return s->bar_w > 0 ? BAR_MIN_W : canvas_text_width(c, s->text);
}

/* Draw the segments that fit in w columns from x; returns columns used. */
static int segs_draw(struct canvas *c, int x, int y, int w, struct seg *segs, int n,
		     const struct glyphs *g)
{
	bool on[SEGS_MAX];
	int total = 0, used = 0;

	for (int i = 0; i < n; i++) {
		on[i] = true;
		total += seg_width(c, &segs[i]);
	}
	while (total > w) {
		int worst = -1;

		for (int i = 0; i < n; i++)
			if (on[i] && segs[i].prio > 0 && (worst < 0 || segs[i].prio >= segs[worst].prio))
				worst = i;
		if (worst < 0)
			break;
		on[worst] = false;
		total -= seg_width(c, &segs[worst]);
	}
	for (int i = 0; i < n && used < w; i++) {
		if (!on[i])
			continue;
		if (segs[i].bar_w > 0) {
			int bw = BAR_MIN_W + (w - total);

			if (bw > segs[i].bar_w)
				bw = segs[i].bar_w;
			total += bw - BAR_MIN_W;
			if (bw > w - used)
				bw = w - used;

			view_bar_draw(c, x + used, y, bw, g, segs[i].frac, segs[i].mark, segs[i].style);
			used += bw;
		} else {
			used += canvas_text(c, x + used, y, w - used, segs[i].style, segs[i].text);
		}
	}
	return used;
}

static double frac_of(int64_t part, int64_t whole)
{
	if (!ms_has(part) || !ms_has(whole) || whole == MS_UNLIMITED || whole <= 0)
		return NAN;
	return (double)part / (double)whole;
}

static int header_top(struct canvas *c, const struct model *m, const struct view_state *vs, int y,
		      const struct glyphs *g)
{
	struct seg segs[SEGS_MAX];
	char clock[16], iv[24], self[96], rss[16];
	int n = 0, used, sw;
	char *host = view_clean(m ? m->host : "");
	uint16_t dim = CANVAS_STYLE(ROLE_DIM, 0);

	seg_add(segs, &n, 0, CANVAS_STYLE(ROLE_TITLE, CANVAS_BOLD), "memslope");
	if (vs->paused)
		seg_add(segs, &n, 0, CANVAS_STYLE(ROLE_WARN, CANVAS_BOLD | CANVAS_REVERSE), " PAUSED");
	if (vs->replay)
		seg_add(segs, &n, 0, CANVAS_STYLE(ROLE_SHRINK, CANVAS_BOLD | CANVAS_REVERSE), " REPLAY");
	if (m) {
		seg_add(segs, &n, 1, CANVAS_STYLE(ROLE_DEFAULT, CANVAS_BOLD), " %s",
			view_fmt_clock(m->time_ms, clock, sizeof(clock)));
		seg_add(segs, &n, 4, CANVAS_STYLE(ROLE_DEFAULT, 0), " %s", host);
		util_fmt_duration(m->interval_ms / 1000.0, iv, sizeof(iv));
		if (m->interval_ms % 1000)
			snprintf(iv, sizeof(iv), "%gs", m->interval_ms / 1000.0);
		seg_add(segs, &n, 3, dim, " every %s", iv);
		seg_add(segs, &n, 5, dim, " %zu proc%s", m->n_procs, m->n_procs == 1 ? "" : "s");
	}
	free(host);
	used = segs_draw(c, 0, y, c->w, segs, n, g);
	if (!m)
		return 1;
	/* memslope's own cost, right-aligned, only where it fits whole. */
	self[0] = '\0';
	sw = 0;
	if (isfinite(m->self.cpu_pct))
		sw += snprintf(self + sw, sizeof(self) - (size_t)sw, "self %.1f%%", m->self.cpu_pct);
	if (ms_has(m->self.rss_bytes))
		sw += snprintf(self + sw, sizeof(self) - (size_t)sw, "%s%s", sw ? " " : "self ",
			       util_fmt_bytes(m->self.rss_bytes, rss, sizeof(rss)));
	if (isfinite(m->self.sample_cost_us_per_process))
		snprintf(self + sw, sizeof(self) - (size_t)sw, "%s%.1f%ss/proc", sw ? " " : "self ",
			 m->self.sample_cost_us_per_process, g->micro);
	sw = canvas_text_width(c, self);
	if (sw > 0 && used + 2 + sw <= c->w)
		canvas_text(c, c->w - sw, y, sw, dim, self);
	return 1;
}

static int header_mem(struct canvas *c, const struct model *m, const struct glyphs *g, int y)
{
	const struct system_sample *s = &m->sys;
	struct seg segs[SEGS_MAX], *bar;
	char a[16], b[16], d[16];
	int n = 0;
	int64_t used = MS_ABSENT;
	double pct;

	if (ms_has(s->mem_total_bytes) && ms_has(s->mem_available_bytes))
		used = s->mem_total_bytes - s->mem_available_bytes;
	pct = 100 * frac_of(used, s->mem_total_bytes);
	seg_add(segs, &n, 0, CANVAS_STYLE(ROLE_TITLE, CANVAS_BOLD), "Mem ");
	bar = seg_add(segs, &n, 6, view_pct_style(m, pct), "%s", "");
	bar->bar_w = 20;
	bar->frac = pct / 100;
	bar->mark = NAN;
	seg_add(segs, &n, 6, CANVAS_STYLE(ROLE_DEFAULT, 0), " ");
	seg_add(segs, &n, 0, CANVAS_STYLE(ROLE_DEFAULT, 0), "%s/%s", util_fmt_bytes(used, a, sizeof(a)),
		util_fmt_bytes(s->mem_total_bytes, b, sizeof(b)));
	seg_add(segs, &n, 2, CANVAS_STYLE(ROLE_DIM, 0), " avail %s",
		util_fmt_bytes(s->mem_available_bytes, d, sizeof(d)));
	if (ms_has(s->swap_total_bytes) && s->swap_total_bytes > 0) {
		int64_t su = ms_has(s->swap_free_bytes) ? s->swap_total_bytes - s->swap_free_bytes : MS_ABSENT;

		seg_add(segs, &n, 1, CANVAS_STYLE(ROLE_DEFAULT, 0), "  Swap %s/%s",
			util_fmt_bytes(su, a, sizeof(a)), util_fmt_bytes(s->swap_total_bytes, b, sizeof(b)));
	} else if (ms_has(s->swap_total_bytes)) {
		seg_add(segs, &n, 5, CANVAS_STYLE(ROLE_DIM, 0), "  no swap");
	}
	if (s->pressure.present)
		seg_add(segs, &n, 3,
			CANVAS_STYLE(s->pressure.some_avg10 >= 10 ? ROLE_WARN : ROLE_DEFAULT, 0),
			"  PSI some %.2f full %.2f", s->pressure.some_avg10, s->pressure.full_avg10);
	segs_draw(c, 0, y, c->w, segs, n, g);
	return 1;
}

/* GPUs (NVML loaded): per card used/total as a bar; the name while there
 * is room for it (a narrow screen drops names, then bars). */
static int header_gpu(struct canvas *c, const struct model *m, const struct glyphs *g, int y)
{
	struct seg segs[SEGS_MAX], *bar;
	char a[16], b[16];
	size_t shown = m->n_gpus < 3 ? m->n_gpus : 3;
	int n = 0;

	seg_add(segs, &n, 0, CANVAS_STYLE(ROLE_TITLE, CANVAS_BOLD), "GPU ");
	for (size_t i = 0; i < shown; i++) {
		const struct gpu_card_state *k = &m->gpus[i];
		double pct = 100 * frac_of(k->used_bytes, k->total_bytes);
		char *name = view_clean(k->name);

		seg_add(segs, &n, 0, CANVAS_STYLE(ROLE_DEFAULT, CANVAS_BOLD), "%s%u ", i ? "  " : "", k->index);
		if (shown == 1)
			seg_add(segs, &n, 5, CANVAS_STYLE(ROLE_DIM, 0), "%s ", name);
		bar = seg_add(segs, &n, 4, view_pct_style(m, pct), "%s", "");
		bar->bar_w = shown == 1 ? 20 : 10;
		bar->frac = pct / 100;
		bar->mark = NAN;
		seg_add(segs, &n, 0, CANVAS_STYLE(ROLE_DEFAULT, 0), " %s/%s", util_fmt_bytes(k->used_bytes, a, sizeof(a)),
			util_fmt_bytes(k->total_bytes, b, sizeof(b)));
		free(name);
	}
	if (m->n_gpus > shown)
		seg_add(segs, &n, 1, CANVAS_STYLE(ROLE_DIM, 0), "  +%zu GPUs", m->n_gpus - shown);
	if (m->gpu_unmapped)
		seg_add(segs, &n, 2, CANVAS_STYLE(ROLE_WARN, 0), "  %zu not mapped (PID namespace)", m->gpu_unmapped);
	segs_draw(c, 0, y, c->w, segs, n, g);
	return 1;
}

/* The focused process's cgroup: usage against memory.high and the
 * effective limit, with the time to reach it, and who sets the limit. */
static int header_cgroup(struct canvas *c, const struct model *m, const struct view_state *vs, int y,
			 int rows, const struct glyphs *g)
{
	const struct proc_entity *p = view_focus_proc(m, vs);
	const struct cgroup_entity *cg;
	const struct trend_result *r;
	struct seg segs[SEGS_MAX], *bar;
	char a[16], b[16], ttl[96], *path, *src;
	int64_t usage, limit, high;
	const char *source;
	double pct;
	int n = 0;

	if (!p)
		return 0;
	cg = p->cgroup ? model_cgroup_find(m, p->cgroup) : NULL;
	if (cg) {
		usage = cg->s.current_bytes;
		limit = cg->limit_bytes;
		source = cg->limit_source;
		high = cg->s.effective_high_bytes;
		r = trend_get(&cg->trend);
		if (!isfinite(r->ttl_s))
			r = trend_get(&p->trend);
		pct = cg->usage_pct;
	} else {
		usage = p->rss_bytes;
		limit = p->limit_bytes;
		source = p->limit_source;
		high = MS_ABSENT;
		r = trend_get(&p->trend);
		pct = p->usage_pct;
	}
	if (isnan(pct))
		pct = 100 * frac_of(usage, limit);
	seg_add(segs, &n, 0, CANVAS_STYLE(ROLE_TITLE, CANVAS_BOLD), cg ? "CG  " : "Proc");
	bar = seg_add(segs, &n, 6, view_pct_style(m, pct), "%s", "");
	bar->bar_w = 20;
	bar->frac = pct / 100;
	bar->mark = ms_has(high) && high != MS_UNLIMITED ? frac_of(high, limit) : NAN;
	seg_add(segs, &n, 6, CANVAS_STYLE(ROLE_DEFAULT, 0), " ");
	seg_add(segs, &n, 0, CANVAS_STYLE(ROLE_DEFAULT, 0), "%s/%s", util_fmt_bytes(usage, a, sizeof(a)),
		util_fmt_bytes(limit, b, sizeof(b)));
	if (!isnan(pct))
		seg_add(segs, &n, 1, view_pct_style(m, pct), " %.0f%%", pct);
	if (ms_has(high) && high != MS_UNLIMITED)
		seg_add(segs, &n, 3, CANVAS_STYLE(ROLE_HIGH, 0), " high %s", util_fmt_bytes(high, a, sizeof(a)));
	view_fmt_ttl_full(r, limit, high, g, ttl, sizeof(ttl));
	if (ttl[0])
		seg_add(segs, &n, 2, CANVAS_STYLE(r->oom_imminent ? ROLE_CRIT : ROLE_WARN, CANVAS_BOLD), " %s",
			ttl);
	segs_draw(c, 0, y, c->w, segs, n, g);
	if (rows < 2)
		return 1;
	/* Second line: which cgroup this is and which one sets the limit; a
	 * long path is cut at the front so the limit's source stays visible. */
	path = view_clean(cg ? cg->s.path : "");
	src = view_clean(source ? source : "machine");
	{
		char note[256];
		int nw, room;

		if (!source || strcmp(source, "machine") == 0)
			snprintf(note, sizeof(note), "  no cgroup limit: machine memory");
		else if (cg && strcmp(source, cg->s.path) == 0)
			snprintf(note, sizeof(note), "  limit set here");
		else
			snprintf(note, sizeof(note), "  limit set by %s", src);
		if (!cg) {
			free(path);
			path = xasprintf("pid %d", (int)p->pid);
		}
		nw = canvas_text_width(c, note);
		room = c->w - 4 - nw;
		if (room < 8)
			room = c->w - 4;
		room = canvas_text_tail(c, 4, y + 1, room, CANVAS_STYLE(ROLE_DIM, 0), path);
		canvas_text(c, 4 + room, y + 1, c->w, CANVAS_STYLE(ROLE_DIM, 0), note);
	}
	free(path);
	free(src);
	return 2;
}

int view_header_draw(struct canvas *c, const struct model *m, const struct view_state *vs, int y)
{
	const struct glyphs *g = view_glyphs(vs->glyph_mode);
	int rows = c->h >= 20 ? 4 : c->h >= 12 ? 3 : c->h >= 8 ? 2 : 1;
	int used;

	used = header_top(c, m, vs, y, g);
	if (!m || rows < 2)
		return used;
	used += header_mem(c, m, g, y + used);
	if (m->n_gpus && c->h >= 16)
		used += header_gpu(c, m, g, y + used);
	if (rows < 3)
		return used;
	used += header_cgroup(c, m, vs, y + used, rows - 2, g);
	return used;
}

void view_keybar_draw(struct canvas *c, const struct view_state *vs,
		      const struct view_binding *const *bar, size_t n)
{
	int y = c->h - 1, x = 0;

	if (y < 0)
		return;
	canvas_fill(c, 0, y, c->w, 1, ' ', CANVAS_STYLE(ROLE_KEYTEXT, 0));
	if (vs->filter_editing || vs->search_editing) {
		const char *hint = vs->filter_editing ? "Enter keep  Esc clear" : "F3 next  Enter/Esc done";

		x += canvas_text(c, x, y, c->w, CANVAS_STYLE(ROLE_KEY, CANVAS_BOLD),
				 vs->filter_editing ? "Filter: " : "Search: ");
		x += canvas_text_tail(c, x, y, c->w - x - 1, CANVAS_STYLE(ROLE_KEYTEXT, 0),
				      vs->filter_editing ? vs->filter : vs->search);
		canvas_put(c, x, y, '_', CANVAS_STYLE(ROLE_KEY, CANVAS_BOLD));
		x += 2;
		if (x + canvas_text_width(c, hint) <= c->w)
			canvas_text(c, x, y, c->w - x, CANVAS_STYLE(ROLE_KEYTEXT, 0), hint);
		return;
	}
	/* What narrows the table is always in sight. */
	if (vs->filter[0] && vs->view == VIEW_TABLE) {
		x += canvas_text(c, x, y, c->w / 2, CANVAS_STYLE(ROLE_KEY, CANVAS_BOLD), "/");
		x += canvas_text(c, x, y, c->w / 2, CANVAS_STYLE(ROLE_WARN, CANVAS_BOLD | CANVAS_REVERSE),
				 vs->filter);
		x += 1;
	}
	if (vs->tagged_only && vs->view == VIEW_TABLE) {
		x += canvas_text(c, x, y, c->w - x, CANVAS_STYLE(ROLE_KEY, CANVAS_BOLD), "T");
		x += canvas_text(c, x, y, c->w - x, CANVAS_STYLE(ROLE_WARN, CANVAS_BOLD | CANVAS_REVERSE),
				 "tagged only");
		x += 1;
	}
	for (size_t i = 0; i < n; i++) {
		const char *key = vs->glyph_mode != GLYPHS_UTF8 && bar[i]->bar_key_ascii ? bar[i]->bar_key_ascii
											  : bar[i]->bar_key;
		int kw = canvas_text_width(c, key), dw = 1 + canvas_text_width(c, bar[i]->bar_text);

		if (x + kw + dw > c->w)
			break;
		x += canvas_text(c, x, y, kw, CANVAS_STYLE(ROLE_KEY, CANVAS_BOLD), key);
		x += 1;
		x += canvas_text(c, x, y, dw - 1, CANVAS_STYLE(ROLE_KEYTEXT, 0), bar[i]->bar_text);
		x += 1;
	}
}

const struct view_binding *view_keymap_find(const struct view_keymap *map, uint32_t key)
{
	for (size_t i = 0; i < map->n; i++)
		for (size_t k = 0; k < sizeof(map->b[i].keys) / sizeof(map->b[i].keys[0]) && map->b[i].keys[k]; k++)
			if (map->b[i].keys[k] == key)
				return &map->b[i];
	return NULL;
}

const struct view_binding *view_keymap_bar(const struct view_keymap *const *maps, size_t n,
					   const char *name)
{
	for (size_t m = 0; m < n; m++)
		for (size_t i = 0; i < maps[m]->n; i++)
			if (maps[m]->b[i].bar_key && strcmp(maps[m]->b[i].name, name) == 0)
				return &maps[m]->b[i];
	return NULL;
}

int view_status_draw(struct canvas *c, const struct view_state *vs, int max_rows)
{
	const char *s = vs->status;
	int lines = 0, row;

	if (!s || !*s || max_rows <= 0)
		return 0;
	for (const char *p = s; *p; p++)
		if (*p == '\n' && p[1])
			lines++;
	lines++;
	if (lines > max_rows)
		lines = max_rows;
	row = c->h - 1 - lines;
	/* Show the last lines when there are too many: they carry the outcome. */
	{
		int skip = 0, total = 1;

		for (const char *p = s; *p; p++)
			if (*p == '\n' && p[1])
				total++;
		skip = total - lines;
		for (int i = 0; i < total; i++) {
			const char *nl = strchr(s, '\n');
			size_t len = nl ? (size_t)(nl - s) : strlen(s);
			char *line = xmalloc(len + 1);

			memcpy(line, s, len);
			line[len] = '\0';
			if (i >= skip) {
				char *clean = view_clean(line);

				canvas_fill(c, 0, row, c->w, 1, ' ', CANVAS_STYLE(ROLE_STATUS, 0));
				canvas_text(c, 0, row, c->w, CANVAS_STYLE(ROLE_STATUS, CANVAS_BOLD), clean);
				free(clean);
				row++;
			}
			free(line);
			if (!nl)
				break;
			s = nl + 1;
		}
	}
	return lines;
}
