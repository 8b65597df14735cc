/* plot: rasterise series, limit lines and a trend into a canvas region.
 *
 * Each series is drawn into a pixel layer (2x4 pixels per cell in braille,
 * 1x2 in block, 1x1 in ASCII): per pixel column the span of the points'
 * min..max, joined to the previous column by a line when the points are
 * close enough in time, so min/max buckets show the envelope (sawtooth) and
 * raw samples a line. Cells are then composed from the layers; the first
 * series wins a cell's colour. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

#define TREND_BIT 0x20u

struct raster {
	int pw, ph;      /* cells */
	int xr, yr;      /* pixels per cell */
	int PX, PY;      /* pixels */
	uint8_t *px;     /* PX * PY layer bits; row 0 is the bottom */
	int64_t t_from, t_to, lo, hi;
};

void plot_spec_init(struct plot_spec *s, enum plot_mode mode, const struct glyphs *g)
{
	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->g = g;
	s->trend_target_bytes = MS_ABSENT;
	s->band_lo_s = s->band_hi_s = NAN;
	s->trend_ttl_s = NAN;
	s->max_gap_ms = 5000;
}

static double xf(const struct raster *r, int64_t t)
{
	if (r->t_to <= r->t_from)
		return 0;
	return (double)(t - r->t_from) * (r->PX - 1) / (double)(r->t_to - r->t_from);
}

static double yf(const struct raster *r, int64_t v)
{
	if (r->hi <= r->lo)
		return 0;
	return (double)(v - r->lo) * (r->PY - 1) / (double)(r->hi - r->lo);
}

static void set_px(struct raster *r, long x, long y, uint8_t bit)
{
	if (x < 0 || y < 0 || x >= r->PX || y >= r->PY)
		return;
	r->px[(size_t)y * (size_t)r->PX + (size_t)x] |= bit;
}

static void vspan(struct raster *r, long x, double ya, double yb, uint8_t bit)
{
	long y0 = lround(fmin(ya, yb)), y1 = lround(fmax(ya, yb));

	if (y0 < 0)
		y0 = 0;
	if (y1 >= r->PY)
		y1 = r->PY - 1;
	for (long y = y0; y <= y1; y++)
		set_px(r, x, y, bit);
}

/* A line from (x0, y0) to (x1, y1) in pixels, x0 <= x1, as one vertical
 * span per column so steep parts stay connected. dotted: every other column. */
static void segment(struct raster *r, double x0, double y0, double x1, double y1, uint8_t bit,
		    bool dotted)
{
	long ix0 = lround(x0), ix1 = lround(x1);

	if (ix0 == ix1 || x1 - x0 < 1e-9) {
		vspan(r, ix0, y0, y1, bit);
		return;
	}
	for (long ix = ix0; ix <= ix1; ix++) {
		double xa = fmax(x0, ix - 0.5), xb = fmin(x1, ix + 0.5);
		double ya = y0 + (y1 - y0) * (xa - x0) / (x1 - x0);
		double yb = y0 + (y1 - y0) * (xb - x0) / (x1 - x0);

		if (dotted && ((ix - ix0) & 1))
			continue;
		vspan(r, ix, ya, yb, bit);
	}
}

struct colagg {
	bool has;
	double lo, hi, first, last;
	int64_t t_first, t_last_end, width_ms;
};

static void raster_series(struct raster *r, const struct plot_series *s, int64_t max_gap_ms,
			  uint8_t bit)
{
	struct colagg *col = xcalloc((size_t)r->PX, sizeof(*col));
	long prev = -1;

	for (size_t i = 0; i < s->n; i++) {
		const struct history_point *p = &s->pts[i];
		int64_t t_end = p->t_ms + p->width_ms;
		long xa, xb;

		if (t_end < r->t_from || p->t_ms > r->t_to)
			continue;
		xa = lround(xf(r, p->t_ms > r->t_from ? p->t_ms : r->t_from));
		xb = p->width_ms > 0 ? lround(xf(r, t_end < r->t_to ? t_end : r->t_to)) : xa;
		/* A bucket covers [t, t + width): its last column is the next
		 * bucket's first. */
		if (xb > xa && p->width_ms > 0)
			xb--;
		for (long x = xa < 0 ? 0 : xa; x <= xb && x < r->PX; x++) {
			struct colagg *a = &col[x];
			double lo = yf(r, p->min_bytes), hi = yf(r, p->max_bytes), mean = yf(r, p->mean_bytes);

			if (!a->has) {
				a->has = true;
				a->lo = lo;
				a->hi = hi;
				a->first = mean;
				a->t_first = p->t_ms;
			}
			a->lo = fmin(a->lo, lo);
			a->hi = fmax(a->hi, hi);
			a->last = mean;
			a->t_last_end = t_end;
			if (p->width_ms > a->width_ms)
				a->width_ms = p->width_ms;
		}
	}
	for (long x = 0; x < r->PX; x++) {
		if (!col[x].has)
			continue;
		vspan(r, x, col[x].lo, col[x].hi, bit);
		if (prev >= 0) {
			int64_t gap = col[x].t_first - col[prev].t_last_end;
			int64_t allowed = max_gap_ms;

			if (2 * col[prev].width_ms > allowed)
				allowed = 2 * col[prev].width_ms;
			if (gap <= allowed)
				segment(r, (double)prev, col[prev].last, (double)x, col[x].first, bit, false);
		}
		prev = x;
	}
	free(col);
}

/* A step of 1, 2 or 5 times a power of ten of a binary unit, so labels read
 * "200M", "400M", giving at most max_ticks intervals over range. */
static int64_t nice_step(int64_t range, int max_ticks)
{
	static const int64_t mult[] = {1, 2, 5, 10, 20, 50, 100, 200, 500};

	if (max_ticks < 1)
		max_ticks = 1;
	for (int64_t base = 1024; base <= (INT64_C(1) << 50); base *= 1024)
		for (size_t i = 0; i < sizeof(mult) / sizeof(mult[0]); i++)
			if (range / (mult[i] * base) < max_ticks)
				return mult[i] * base;
	return INT64_C(1) << 50;
}

/* A value-axis label for v on an axis stepping by step: the 1024-based
 * unit of v, with as many decimals as the step needs (at most 2) so that
 * neighbouring labels differ, in at most max_w columns. */
static char *axis_label(int64_t v, int64_t step, int max_w, char *buf, size_t cap)
{
	static const char units[] = "BKMGTP";
	double unit = 1;
	int u = 0, d;

	if (v < 1024)
		return util_fmt_bytes(v, buf, cap);
	while ((double)v >= 1024 * unit && u < 5) {
		unit *= 1024;
		u++;
	}
	d = (double)step >= unit ? 0 : (double)step >= unit / 10 ? 1 : 2;
	if (d == 0 && (double)v / unit < 100)
		d = 1; /* "1.5G" as util_fmt_bytes writes it */
	for (; d >= 0; d--) {
		snprintf(buf, cap, "%.*f%c", d, (double)v / unit, units[u]);
		if ((int)strlen(buf) <= max_w)
			break;
	}
	return buf;
}

/* Where the projected trend ends inside [t_now, t_to]; true when that is
 * the point where it meets its target. */
static bool trend_end(const struct plot_spec *s, int64_t t_to, double *t_end, double *y_end)
{
	double y0 = (double)s->trend_y0_bytes, target = (double)s->trend_target_bytes;
	double now = (double)s->t_now_ms, slope = s->trend_slope_bytes_per_s;
	bool has_target = ms_has(s->trend_target_bytes) && s->trend_target_bytes != MS_UNLIMITED;
	double t_hit = NAN;

	if (has_target && target > y0) {
		if (isfinite(s->trend_ttl_s) && s->trend_ttl_s > 0)
			t_hit = now + s->trend_ttl_s * 1000.0;
		else if (slope > 0)
			t_hit = now + (target - y0) / slope * 1000.0;
	}
	if (isfinite(t_hit)) {
		if (t_hit <= (double)t_to) {
			*t_end = t_hit;
			*y_end = target;
			return true;
		}
		*t_end = (double)t_to;
		*y_end = y0 + (target - y0) * ((double)t_to - now) / (t_hit - now);
		return false;
	}
	*t_end = (double)t_to;
	*y_end = y0 + slope * ((double)t_to - now) / 1000.0;
	return false;
}

static void value_range(const struct plot_spec *s, struct raster *r, struct plot_result *res)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN, step;
	double span;

	for (int i = 0; i < s->n_series; i++) {
		for (size_t k = 0; k < s->series[i].n; k++) {
			const struct history_point *p = &s->series[i].pts[k];

			if (p->t_ms + p->width_ms < s->t_from_ms || p->t_ms > s->t_to_ms)
				continue;
			if (p->min_bytes < lo)
				lo = p->min_bytes;
			if (p->max_bytes > hi)
				hi = p->max_bytes;
		}
	}
	res->no_data = lo > hi;
	if (res->no_data) {
		lo = 0;
		hi = 1024 * 1024;
	}
	if (s->trend_on && isfinite(s->trend_slope_bytes_per_s) && ms_has(s->trend_y0_bytes)) {
		double t_end, end;

		trend_end(s, s->t_to_ms, &t_end, &end);
		if (end > (double)hi && end < 9e18)
			hi = (int64_t)end;
		if (end < (double)lo && end >= 0)
			lo = (int64_t)end;
	}
	/* A limit far above the data would flatten it: leave it off and say so. */
	for (int i = 0; i < s->n_lines; i++) {
		int64_t v = s->lines[i].y_bytes;

		res->line_off_scale[i] = !ms_has(v) || v == MS_UNLIMITED || (double)v > 1.5 * (double)hi;
		if (res->line_off_scale[i])
			continue;
		if (v > hi)
			hi = v;
		if (v < lo)
			lo = v;
	}
	/* A flat series stays flat: never zoom in below 10 % of its level. */
	span = (double)(hi - lo);
	if (span < 1024.0 * 1024.0 || span < 0.1 * (double)hi) {
		double want = fmax(1024.0 * 1024.0, 0.1 * (double)hi);

		hi += (int64_t)((want - span) / 2);
		lo -= (int64_t)((want - span) / 2);
		span = (double)(hi - lo);
	}
	/* Anchor at zero unless the data sits high above it (then zoom in so a
	 * slow creep is visible). */
	if ((double)lo < 0.3 * (double)hi)
		lo = 0;
	else
		lo -= (int64_t)(0.05 * span);
	hi += (int64_t)(0.05 * span);
	if (lo < 0)
		lo = 0;
	step = nice_step(hi - lo, r->ph / 3 > 1 ? r->ph / 3 : 1);
	lo = lo / step * step;
	/* The top to a quarter step: a whole step could waste a third of
	 * the plot. Labels stay on whole steps. */
	hi = (hi + step / 4 - 1) / (step / 4) * (step / 4);
	if (hi <= lo)
		hi = lo + step;
	r->lo = lo;
	r->hi = hi;
	res->y_lo_bytes = lo;
	res->y_hi_bytes = hi;
}

/* Row of the canvas (0 = top of the plot area) holding value v. */
static int row_of(const struct raster *r, int64_t v)
{
	long py = lround(yf(r, v));

	if (py < 0)
		py = 0;
	if (py >= r->PY)
		py = r->PY - 1;
	return r->ph - 1 - (int)(py / r->yr);
}

static int col_of(const struct raster *r, int64_t t)
{
	return (int)(lround(xf(r, t)) / r->xr);
}

static uint32_t braille_bit(int dx, int dy_top)
{
	static const uint8_t left[4] = {0x01, 0x02, 0x04, 0x40}, right[4] = {0x08, 0x10, 0x20, 0x80};

	return dx ? right[dy_top] : left[dy_top];
}

static void compose(struct canvas *c, int ax, int ay, const struct raster *r,
		    const struct plot_spec *s)
{
	for (int cy = 0; cy < r->ph; cy++) {
		for (int cx = 0; cx < r->pw; cx++) {
			uint8_t any = 0, top = 0, bottom = 0;
			uint32_t dots = 0;
			int layer = -1;
			uint32_t glyph;
			uint16_t style;

			for (int dy = 0; dy < r->yr; dy++) {
				for (int dx = 0; dx < r->xr; dx++) {
					long px = (long)cx * r->xr + dx;
					long py = (long)(r->ph - 1 - cy) * r->yr + (r->yr - 1 - dy);
					uint8_t v = r->px[(size_t)py * (size_t)r->PX + (size_t)px];

					if (!v)
						continue;
					any |= v;
					dots |= braille_bit(dx, dy);
					if (dy == 0)
						top = 1;
					else
						bottom = 1;
				}
			}
			if (!any)
				continue;
			for (int i = 0; i < s->n_series && layer < 0; i++)
				if (any & (1u << i))
					layer = i;
			style = layer >= 0 ? s->series[layer].style : CANVAS_STYLE(ROLE_TREND, 0);
			switch (s->mode) {
			case PLOT_BRAILLE:
				glyph = 0x2800 + dots;
				break;
			case PLOT_BLOCK:
				if (layer < 0)
					glyph = s->g->trend_dot;
				else
					glyph = top && bottom ? 0x2588 : top ? 0x2580 : 0x2584;
				break;
			case PLOT_ASCII:
			default:
				glyph = layer >= 0 ? s->series[layer].ascii_glyph : s->g->trend_dot;
				break;
			}
			canvas_put(c, ax + cx, ay + cy, glyph, style);
		}
	}
}

static const int64_t time_steps_ms[] = {
	1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000, 900000,
	1800000, 3600000, 7200000, 10800000, 21600000, 43200000, 86400000,
};

static void time_axis(struct canvas *c, int ax, int ay_axis, bool labels, const struct raster *r,
		      const struct plot_spec *s)
{
	const struct glyphs *g = s->g;
	int64_t span = r->t_to - r->t_from, step = 0, local_off_ms;
	int label_w, last_end = -1000;
	time_t now_s = (time_t)((s->t_now_ms + s->wall_offset_ms) / 1000);
	struct tm tm;

	local_off_ms = localtime_r(&now_s, &tm) ? (int64_t)tm.tm_gmtoff * 1000 : 0;
	canvas_fill(c, ax, ay_axis, r->pw, 1, g->hline, CANVAS_STYLE(ROLE_AXIS, 0));
	/* The TTL band: when the limit may be reached. */
	if (isfinite(s->band_lo_s)) {
		int64_t a = s->t_now_ms + (int64_t)(s->band_lo_s * 1000);
		int64_t b = isfinite(s->band_hi_s) ? s->t_now_ms + (int64_t)(s->band_hi_s * 1000) : r->t_to;

		if (a < r->t_to) {
			int ca = col_of(r, a > r->t_from ? a : r->t_from);
			int cb = col_of(r, b < r->t_to ? b : r->t_to);

			for (int x = ca; x <= cb && x < r->pw; x++)
				canvas_put(c, ax + x, ay_axis, g->band, CANVAS_STYLE(ROLE_CRIT, 0));
		}
	}
	label_w = 8;
	for (size_t i = 0; i < sizeof(time_steps_ms) / sizeof(time_steps_ms[0]); i++) {
		int w = time_steps_ms[i] < 60000 ? 8 : 5;

		if (span <= 0)
			break;
		if ((double)time_steps_ms[i] / (double)span * r->pw >= w + 3) {
			step = time_steps_ms[i];
			label_w = w;
			break;
		}
	}
	if (step == 0)
		step = time_steps_ms[sizeof(time_steps_ms) / sizeof(time_steps_ms[0]) - 1];
	{
		int64_t wall_from = r->t_from + s->wall_offset_ms + local_off_ms;
		int64_t first = (wall_from + step - 1) / step * step;

		for (int64_t lw = first; lw - local_off_ms - s->wall_offset_ms <= r->t_to; lw += step) {
			int64_t t = lw - local_off_ms - s->wall_offset_ms;
			int x = col_of(r, t), lx;
			char buf[16];

			if (x < 0 || x >= r->pw)
				continue;
			canvas_put(c, ax + x, ay_axis, g->tick, CANVAS_STYLE(ROLE_AXIS, 0));
			if (!labels)
				continue;
			view_fmt_clock(t + s->wall_offset_ms, buf, sizeof(buf));
			buf[label_w] = '\0';
			lx = x - label_w / 2;
			if (lx < 0)
				lx = 0;
			if (lx + label_w > r->pw)
				lx = r->pw - label_w;
			if (lx < last_end + 1 || lx < 0)
				continue;
			canvas_text(c, ax + lx, ay_axis + 1, label_w, CANVAS_STYLE(ROLE_AXIS, 0), buf);
			last_end = lx + label_w;
		}
	}
	for (int i = 0; i < s->n_marks; i++) {
		int x;

		if (s->marks[i].t_ms < r->t_from || s->marks[i].t_ms > r->t_to)
			continue;
		x = col_of(r, s->marks[i].t_ms);
		canvas_put(c, ax + x, ay_axis, g->event_mark, s->marks[i].style);
	}
}

void plot_draw(struct canvas *c, int x, int y, int w, int h, const struct plot_spec *s,
	       struct plot_result *res_out)
{
	const struct glyphs *g = s->g;
	struct plot_result res_local, *res = res_out ? res_out : &res_local;
	struct raster r;
	int gw, axis_rows, ax, ay, ttl_x = -1, ttl_y = -1;
	int64_t step;

	memset(res, 0, sizeof(*res));
	if (w < 4 || h < 2)
		return;
	axis_rows = h >= 6 ? 2 : 1;
	gw = w >= 24 ? 7 : 0;
	memset(&r, 0, sizeof(r));
	r.pw = w - gw;
	r.ph = h - axis_rows;
	r.xr = s->mode == PLOT_BRAILLE ? 2 : 1;
	r.yr = s->mode == PLOT_BRAILLE ? 4 : s->mode == PLOT_BLOCK ? 2 : 1;
	r.PX = r.pw * r.xr;
	r.PY = r.ph * r.yr;
	r.t_from = s->t_from_ms;
	r.t_to = s->t_to_ms > s->t_from_ms ? s->t_to_ms : s->t_from_ms + 1000;
	ax = x + gw;
	ay = y;
	value_range(s, &r, res);
	r.px = xcalloc((size_t)r.PX * (size_t)r.PY + 1, 1);

	/* Value axis: ticks at nice steps, limit values in their colour. */
	if (gw > 0) {
		int last_row = -2;
		char last[16] = "";

		for (int row = 0; row < r.ph; row++)
			canvas_put(c, ax - 1, ay + row, g->vline, CANVAS_STYLE(ROLE_AXIS, 0));
		step = nice_step(r.hi - r.lo, r.ph / 3 > 1 ? r.ph / 3 : 1);
		for (int64_t v = r.hi / step * step; v >= r.lo; v -= step) {
			int row = row_of(&r, v);
			char buf[16];

			axis_label(v, step, gw - 2, buf, sizeof(buf));
			/* Never the same label twice: a reader would take it for two values. */
			if (row == last_row || row == last_row + 1 || strcmp(buf, last) == 0)
				continue;
			canvas_text_right(c, x, ay + row, gw - 2, CANVAS_STYLE(ROLE_AXIS, 0), buf);
			snprintf(last, sizeof(last), "%s", buf);
			last_row = row;
		}
		for (int i = 0; i < s->n_lines; i++) {
			char buf[16];

			if (res->line_off_scale[i])
				continue;
			int row = row_of(&r, s->lines[i].y_bytes);

			canvas_fill(c, x, ay + row, gw - 1, 1, ' ', 0);
			util_fmt_bytes(s->lines[i].y_bytes, buf, sizeof(buf));
			canvas_text_right(c, x, ay + row, gw - 2, s->lines[i].style, buf);
		}
		canvas_put(c, ax - 1, ay + r.ph, g->corner, CANVAS_STYLE(ROLE_AXIS, 0));
	}

	/* Past and future. */
	if (s->t_to_ms > s->t_now_ms && s->t_now_ms > s->t_from_ms) {
		int nx = col_of(&r, s->t_now_ms);

		for (int row = 0; row < r.ph; row++)
			canvas_put(c, ax + nx, ay + row, g->now_mark, CANVAS_STYLE(ROLE_DIM, 0));
	}
	for (int i = 0; i < s->n_lines; i++) {
		if (res->line_off_scale[i])
			continue;
		canvas_fill(c, ax, ay + row_of(&r, s->lines[i].y_bytes), r.pw, 1, s->lines[i].glyph,
			    s->lines[i].style);
	}

	for (int i = 0; i < s->n_series && i < PLOT_SERIES_MAX; i++)
		raster_series(&r, &s->series[i], s->max_gap_ms, (uint8_t)(1u << i));

	if (s->trend_on && isfinite(s->trend_slope_bytes_per_s) && ms_has(s->trend_y0_bytes) &&
	    s->t_to_ms > s->t_now_ms) {
		double t_end, y_end;

		res->ttl_visible = trend_end(s, r.t_to, &t_end, &y_end);
		segment(&r, xf(&r, s->t_now_ms), yf(&r, s->trend_y0_bytes), xf(&r, (int64_t)t_end),
			yf(&r, (int64_t)y_end), TREND_BIT, s->mode == PLOT_BRAILLE);
		if (res->ttl_visible) {
			ttl_x = (int)(lround(xf(&r, (int64_t)t_end)) / r.xr);
			ttl_y = row_of(&r, (int64_t)y_end);
		}
	}
	compose(c, ax, ay, &r, s);

	if (ttl_x >= 0) {
		canvas_put(c, ax + ttl_x, ay + ttl_y, g->ttl_mark, CANVAS_STYLE(ROLE_CRIT, CANVAS_BOLD));
		const char *labels[2] = {s->ttl_label, s->ttl_label_short};

		for (int i = 0; i < 2; i++) {
			int lw, lx, ly = ttl_y > 0 ? ttl_y - 1 : ttl_y + 1;

			if (!labels[i])
				continue;
			lw = canvas_text_width(c, labels[i]);
			lx = ttl_x - lw;
			if (lx < 0)
				lx = ttl_x + 1 + lw <= r.pw ? ttl_x + 1 : -1;
			if (lx < 0 || ly >= r.ph)
				continue;
			canvas_text(c, ax + lx, ay + ly, lw, CANVAS_STYLE(ROLE_CRIT, CANVAS_BOLD), labels[i]);
			break;
		}
	}
	for (int i = 0; i < s->n_lines; i++) {
		if (res->line_off_scale[i] || !s->lines[i].name)
			continue;
		canvas_text(c, ax + 1, ay + row_of(&r, s->lines[i].y_bytes), r.pw - 1,
			    CANVAS_STYLE(CANVAS_ROLE(s->lines[i].style), CANVAS_BOLD), s->lines[i].name);
	}
	if (res->no_data)
		canvas_text(c, ax + 1, ay + r.ph / 2, r.pw - 1, CANVAS_STYLE(ROLE_DIM, 0),
			    "no samples in this time range yet");
	time_axis(c, ax, ay + r.ph, axis_rows > 1, &r, s);
	free(r.px);
}
