/* plot: time-series charts drawn into a canvas region.
 *
 * Output stage, used by the views. Plots memory series (history points with
 * min/max buckets) against time, with horizontal limit lines, a projected
 * trend line that stops where it meets its target (the TTL mark), event
 * marks and a TTL band on the time axis, and axes labelled with byte units
 * and wall-clock times. Braille cells give 2x4 dots per cell, half blocks
 * 1x2, ASCII 1x1. Times are monotonic ms; wall_offset_ms turns them into
 * wall-clock ms for the labels. */
#ifndef MEMSLOPE_PLOT_H
#define MEMSLOPE_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "canvas.h"
#include "history.h"
#include "view.h"

#define PLOT_SERIES_MAX 4
#define PLOT_LINES_MAX 3
#define PLOT_MARKS_MAX 64

enum plot_mode { PLOT_BRAILLE, PLOT_BLOCK, PLOT_ASCII };

struct plot_series {
	const struct history_point *pts; /* oldest first */
	size_t n;
	uint16_t style;
	uint32_t ascii_glyph;            /* its glyph in PLOT_ASCII */
};

/* A horizontal line at a value: memory.max, memory.high, the GPU's memory. */
struct plot_line {
	int64_t y_bytes;
	uint16_t style;
	uint32_t glyph;
	const char *name;                /* drawn at the line's left end */
};

struct plot_mark {
	int64_t t_ms;
	uint16_t style;
};

struct plot_spec {
	enum plot_mode mode;
	const struct glyphs *g;
	int64_t t_from_ms, t_to_ms;      /* x range; past t_now_ms is the future */
	int64_t t_now_ms;
	int64_t wall_offset_ms;          /* wall = t + wall_offset_ms */
	int64_t max_gap_ms;              /* points further apart are not joined */
	struct plot_series series[PLOT_SERIES_MAX];
	int n_series;
	struct plot_line lines[PLOT_LINES_MAX];
	int n_lines;
	/* Trend: from (t_now_ms, trend_y0_bytes) at the slope until it meets
	 * trend_target_bytes (MS_ABSENT: none) or the right edge. With a
	 * finite trend_ttl_s it is aimed to meet the target exactly then, so
	 * the mark, the band and the TTL in the text agree (the analysis may
	 * measure on another series than the one drawn). */
	bool trend_on;
	int64_t trend_y0_bytes;
	double trend_slope_bytes_per_s;
	int64_t trend_target_bytes;
	double trend_ttl_s;
	const char *ttl_label;           /* written beside the TTL mark if it fits, */
	const char *ttl_label_short;     /* else this */
	double band_lo_s, band_hi_s;     /* TTL band after t_now_ms, NAN: none */
	struct plot_mark marks[PLOT_MARKS_MAX];
	int n_marks;
};

struct plot_result {
	bool line_off_scale[PLOT_LINES_MAX]; /* too far above the data to draw */
	bool ttl_visible;                    /* the trend met its target in view */
	int64_t y_lo_bytes, y_hi_bytes;      /* the value axis chosen */
	bool no_data;
};

void plot_spec_init(struct plot_spec *s, enum plot_mode mode, const struct glyphs *g);
/* Draw the plot in the w x h region at (x, y). res may be NULL. */
void plot_draw(struct canvas *c, int x, int y, int w, int h, const struct plot_spec *s,
	       struct plot_result *res);

#endif
