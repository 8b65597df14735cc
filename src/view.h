/* view: what the views share — their state, glyph sets, formatting of the
 * model's numbers, the header, status and key bar that frame a screen, and
 * the shape of a key binding. It knows no screen: each view_*.c builds on it
 * and view_screen.c puts the screens together.
 *
 * Output stage. Views read the model and a struct view_state and draw into a
 * canvas; they never touch curses, never read a clock (times come from the
 * model) and keep no state of their own beyond what view_state holds. All
 * text that comes from the system goes through util_sanitize before drawing. */
#ifndef MEMSLOPE_VIEW_H
#define MEMSLOPE_VIEW_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "canvas.h"
#include "model.h"
#include "series.h"

enum view_kind { VIEW_TABLE, VIEW_DETAIL, VIEW_CGROUP, VIEW_HELP };

/* UTF8: braille plots, any glyph. ACS: no UTF-8 locale, so only glyphs tui.c
 * can map to the terminal's line-drawing set; plots use blocks. ASCII: --ascii. */
enum glyph_mode { GLYPHS_UTF8, GLYPHS_ACS, GLYPHS_ASCII };

/* The table's columns. COL_SERIES + id is series id's column (its row's
 * tui.column: a process's GPU memory), shown while a live process has that
 * series; a series without a column leaves its slot unused. */
enum col_id {
	COL_PID, COL_USER, COL_RSS, COL_PSS, COL_SWAP,
	COL_SERIES,
	COL_SLOPE = COL_SERIES + SERIES_N, COL_VERDICT,
	COL_LIMIT, COL_TTL, COL_CGROUP, COL_COMMAND, COL_COUNT
};
#define COL_OF_SERIES(id) ((enum col_id)(COL_SERIES + (int)(id)))

/* A key as the views see it: a Unicode code point, or one of the VK_ codes
 * above the code point range (tui.c translates the terminal's keys). */
enum view_key_code {
	VK_ESC = 27,
	VK_ENTER = 0x110000, VK_BACKSPACE, VK_UP, VK_DOWN, VK_LEFT, VK_RIGHT,
	VK_PPAGE, VK_NPAGE, VK_HOME, VK_END,
	VK_F1, VK_F12 = VK_F1 + 11
};
#define VK_F(n) ((uint32_t)VK_F1 + (uint32_t)(n) - 1u)
#define VK_CTRL(ch) ((uint32_t)(ch) & 0x1fu)

/* What a key asks of the program beyond the view state. VIEW_CMD_PASS: the
 * binding does not apply here, the next key table may take the key. */
enum view_cmd {
	VIEW_CMD_NONE, VIEW_CMD_QUIT, VIEW_CMD_EXPORT, VIEW_CMD_FASTER, VIEW_CMD_SLOWER,
	VIEW_CMD_PAUSE, VIEW_CMD_STEP_BACK, VIEW_CMD_STEP_FWD, VIEW_CMD_JUMP_BACK,
	VIEW_CMD_JUMP_FWD, VIEW_CMD_START, VIEW_CMD_END, VIEW_CMD_REDRAW, VIEW_CMD_PASS
};

struct view_state;

/* One key binding, as in tmux's key table: the keys, the command and the
 * text that the help screen and the key bar show for it, so the three can
 * never disagree. */
struct view_binding {
	const char *name;             /* the command; key bars list bindings by name */
	uint32_t keys[8];             /* code points or VK_ codes; 0 ends the list */
	enum view_cmd (*run)(const struct model *m, struct view_state *vs, uint32_t key);
	const char *help_keys, *help; /* the help line; NULL: none (told by the line above) */
	const char *bar_key, *bar_key_ascii, *bar_text; /* key bar; NULL: not there */
};

/* A screen's key table, and the heading its keys have in the help. */
struct view_keymap {
	const char *heading;          /* NULL: not listed in the help */
	const struct view_binding *b;
	size_t n;
};

#define VIEW_KEYMAP(heading, arr) {(heading), (arr), sizeof(arr) / sizeof((arr)[0])}

/* Time axis of the detail plot: the last 1 min, 5 min, 15 min, 1 h, or all. */
enum view_zoom { ZOOM_1M, ZOOM_5M, ZOOM_15M, ZOOM_1H, ZOOM_ALL, ZOOM_COUNT };

struct glyphs {
	enum glyph_mode mode;
	/* single cells, drawn with canvas_put */
	uint32_t hline, vline, corner, tick, bar_full, bar_empty, bar_mark;
	uint32_t line_max, line_high, trend_dot, event_mark, ttl_mark, now_mark, band;
	/* text, drawn with canvas_text */
	const char *ellipsis, *up, *down, *sep, *dash, *delta, *r2, *micro;
	const char *tree_mid, *tree_last, *tree_pipe, *tree_blank, *arrow, *tag;
};

const struct glyphs *view_glyphs(enum glyph_mode mode);

/* One table row: a process and, in tree view, where it hangs. */
struct view_row {
	struct proc_entity *p;
	int depth;
	uint32_t more_below; /* bit d: the ancestor at depth d has later siblings */
	bool last_child;
};

struct view_tag {
	pid_t pid;
	uint64_t start_ticks;
};

struct view_state {
	enum view_kind view, back;    /* back: where Esc returns from help */
	enum glyph_mode glyph_mode;
	enum col_id sort_col;
	bool sort_reverse;      /* against the column's natural order */
	bool tree, tagged_only;
	char filter[128];
	bool filter_editing;
	/* F3: the cursor jumps to the next row matching search (substring). */
	char search[128];
	bool search_editing;
	/* The filter compiled as a regex when it is one (filter_re_ok), for
	 * the text in filter_re_src. */
	regex_t filter_re;
	bool filter_re_ok;
	char filter_re_src[128];
	/* The cursor follows a process (pid, start) as the rows reorder;
	 * cursor_idx is where it was, for when that process goes away. */
	pid_t cursor_pid;
	uint64_t cursor_start;
	int cursor_idx, top, page_rows;
	pid_t detail_pid;
	enum view_zoom zoom;
	bool zoom_fit;                /* zoom follows the data until < or > */
	bool chooser_open;
	int chooser_sel;
	int help_top;
	int cg_sel, cg_top, cg_page_rows;
	struct view_tag *tags;
	size_t n_tags, cap_tags;
	char *status;                 /* may hold several lines */
	bool paused, replay;
	/* Launch mode's output pane (view_output.c): lines main hands over
	 * (copied; the first is its title), shown under the screen while
	 * pane_open; 'o' opens and closes it when pane_avail. */
	char **pane;
	size_t n_pane, n_pane_head;   /* head: lines after the title always shown */
	bool pane_avail, pane_open;
	struct view_row *rows;        /* rows of the last build */
	size_t n_rows, cap_rows;
};

void view_state_init(struct view_state *vs, enum glyph_mode mode);
void view_state_done(struct view_state *vs);

/* Tags, by process identity. */
bool view_is_tagged(const struct view_state *vs, const struct proc_entity *p);
void view_toggle_tag(struct view_state *vs, const struct proc_entity *p);
void view_clear_tags(struct view_state *vs);

/* The process the header describes: the detail one, else the cursor's. */
const struct proc_entity *view_focus_proc(const struct model *m, const struct view_state *vs);

/* A process's binding limit as the table and the detail view show it:
 * %LIM, the limit's tag ("max", "AS", ...; NULL when none is known) and a
 * trend result carrying its TTL. Under its cgroup or the machine (and in
 * an old log without limits) these are the process's usage_pct and trend
 * as always; under a limit that refuses allocations, that limit's. */
struct view_limit {
	double pct;
	const char *tag;
	/* The table's two-letter mark after %LIM: none under the cgroup's
	 * memory.max or the machine (the usual limit), "hi" memory.high, "AS",
	 * "DT" (RLIMIT_DATA), "CM" (commit), "32" (32-bit address space). */
	const char *mark;
	struct trend_result r;
	const struct limit *l;  /* NULL when none is known */
};
void view_limit_of(const struct proc_entity *p, struct view_limit *b);

/* Formatting. Each writes into buf and returns it. */
/* Wall clock HH:MM:SS in local time. */
char *view_fmt_clock(int64_t wall_ms, char *buf, size_t cap);
/* A slope as a signed per-minute amount: "+1.2M", "-512K", "0", "-" (NAN). */
char *view_fmt_slope_min(double bytes_per_s, char *buf, size_t cap);
/* A TTL band in a few columns: "4–5m", "45s–2m", ">4m", "-" when none. */
char *view_fmt_ttl_short(const struct trend_result *r, const struct glyphs *g, char *buf,
			 size_t cap);
/* "TTL→1.0G 4m52s [4m24s–5m27s]"; "" when there is no TTL. */
char *view_fmt_ttl_full(const struct trend_result *r, int64_t limit_bytes, int64_t high_bytes,
			const struct glyphs *g, char *buf, size_t cap);
/* The verdict with its evidence, as one line (LEAK-DETECTION.md §5); r as
 * trend_evidence gives it, so a LEAK shows the tier that confirmed it. */
char *view_fmt_evidence(const struct trend_result *r, int64_t limit_bytes, int64_t high_bytes,
			const struct glyphs *g, char *buf, size_t cap);
/* Short verdict word for tables ("growing", "oom_imminent", "-": the names
 * the JSON and the events use) and its style. */
const char *view_verdict_word(const struct trend_result *r);
/* Of a process's series other than its main one (the series table's rows
 * with a tui.mark: its GPU memory), the one more urgent than the main
 * (OOM imminent, leak, growing, then the nearer TTL), with its core; NULL
 * when the main series is as urgent. */
const struct series_desc *view_urgent_series(const struct proc_entity *p, const struct series_core **core);
uint16_t view_verdict_style(const struct trend_result *r);
/* Style for a usage percentage against m's warn and crit levels. */
uint16_t view_pct_style(const struct model *m, double pct);

/* Frame pieces. Each returns the rows it used. */
int view_header_draw(struct canvas *c, const struct model *m, const struct view_state *vs, int y);
/* The key bar on the last row: the bindings' keys and texts, in order,
 * as many as fit (the filter being typed instead, while it is). */
void view_keybar_draw(struct canvas *c, const struct view_state *vs,
		      const struct view_binding *const *bar, size_t n);
/* The binding in map that key triggers, or NULL. */
const struct view_binding *view_keymap_find(const struct view_keymap *map, uint32_t key);
/* The first binding called name in maps[0..n) that has a key-bar entry. */
const struct view_binding *view_keymap_bar(const struct view_keymap *const *maps, size_t n,
					   const char *name);
/* Status lines just above the key bar; returns how many rows they take. */
int view_status_draw(struct canvas *c, const struct view_state *vs, int max_rows);
/* A horizontal bar of width w: used/total filled, a mark at mark/total. */
void view_bar_draw(struct canvas *c, int x, int y, int w, const struct glyphs *g, double frac,
		   double mark_frac, uint16_t fill_style);

/* One event in w columns from (x, y): its message (the news, then whom it
 * is about), then its kind and time, which are cut first. */
void view_event_draw(struct canvas *c, int x, int y, int w, const struct event *e, const struct glyphs *g,
		     uint16_t style);

/* System text made safe to draw; caller frees. */
char *view_clean(const char *s);

#endif
