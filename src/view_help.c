/* view_help: the help screen. See view_help.h. The key list here, the man
 * page's KEYS section and tui.c's key handling must agree. */
#include "view_help.h"

#include <stdio.h>
#include <string.h>

/* A line starting with '#' is a heading; "key\tdescription" otherwise.
 * "$D" and "$X" stand for the glyph mode's delta and TTL mark. */
static const char *const help_text[] = {
	"#memslope: watch memory grow before it kills you",
	"",
	"#Anywhere",
	"?  h  F1\tthis help (Esc or q to leave)",
	"q  F10\tquit (Ctrl-C and SIGTERM also quit cleanly)",
	"Esc\tback to the previous view",
	"e\texport a JSON snapshot to a file (name in the status line)",
	"+  -\tsampling interval longer / shorter",
	"p\tpause or resume sampling (the screen stays explorable)",
	"c\tcgroup view: the watched cgroups as a tree",
	"",
	"#Process table",
	"Up Down\tmove the cursor (it follows the process as rows reorder)",
	"PgUp PgDn\tmove by a page",
	"Home End\tfirst / last row",
	"Enter\tdetail view of the process under the cursor",
	"s\tchoose the sort column (Enter picks, again reverses)",
	"g  m\tsort by growth (slope) / by memory (RSS)",
	"I\treverse the sort order",
	"/\tfilter: case-insensitive substring, or a regex if it is one",
	"\\\tclear the filter",
	"t\ttree view by parent process",
	"space\ttag or untag the process (cursor moves down)",
	"T  U\tshow only tagged processes / untag all",
	"",
	"#Detail view",
	"<  >\tzoom the time axis: 1 min, 5 min, 15 min, 1 h, whole run",
	"Up Down\tprevious / next process of the table",
	"",
	"#Cgroup view",
	"Up Down PgUp PgDn Home End\tselect a cgroup, its details below",
	"",
	"#Replay (--replay FILE)",
	"Left Right\tone sample back / forward",
	"[  ]\tjump back / forward by a minute",
	"Home End\tfirst / last sample of the log",
	"",
	"#Columns",
	"RSS PSS SWAP\tresident, proportional (when sampled) and swapped memory",
	"$D/min\tgrowth per minute (Theil-Sen slope of the floor)",
	"VERDICT\tstable, growing (suspect), leak (confirmed), shrinking,",
	"\toom-soon (limit within 2 min); - while history is short",
	"%LIM\tusage of the effective limit (tightest memory.max above)",
	"TTL\ttime until the limit at this growth: the band, lo-hi",
	"",
	"#Colours",
	"green\tstable, below the warn level",
	"yellow\tgrowing, or above the warn level (default 80 %)",
	"red\tleak, OOM soon, or above the critical level (default 90 %)",
	"",
	"#Plot",
	"lines\tRSS, tree sum, cgroup usage; max and high as dashed lines",
	"trend\tthe slope projected from now; $X marks where it meets the limit",
	"axis\tevent marks under the plot; the TTL band on the time axis",
};

int view_help_lines(void)
{
	return (int)(sizeof(help_text) / sizeof(help_text[0]));
}

/* Expand the glyph placeholders of a help line into buf. */
static const char *expand(const char *line, const struct glyphs *g, char *buf, size_t cap)
{
	size_t n = 0;

	for (const char *p = line; *p && n + 8 < cap; p++) {
		if (p[0] == '$' && (p[1] == 'D' || p[1] == 'X')) {
			char mark[8];

			if (p[1] == 'X')
				canvas_utf8_encode(g->ttl_mark, mark);
			n += (size_t)snprintf(buf + n, cap - n, "%s", p[1] == 'D' ? g->delta : mark);
			p++;
		} else {
			buf[n++] = *p;
		}
	}
	buf[n] = '\0';
	return buf;
}

static const char *const keys_help[] = {
	"Esc", " back", "Up/Down", " scroll", "q", " quit", NULL, NULL,
};

void view_help_draw(struct canvas *c, const struct model *m, struct view_state *vs)
{
	const struct glyphs *g = view_glyphs(vs->glyph_mode);
	int n = view_help_lines(), rows = c->h - 1, key_w = 0;

	(void)m;
	if (c->h <= 0 || c->w <= 0)
		return;
	if (rows < 1)
		rows = 1;
	if (vs->help_top > n - rows)
		vs->help_top = n - rows;
	if (vs->help_top < 0)
		vs->help_top = 0;
	for (int i = 0; i < n; i++) {
		const char *tab = strchr(help_text[i], '\t');

		if (tab && help_text[i][0] != '#') {
			char key[64];
			size_t len = (size_t)(tab - help_text[i]);

			if (len >= sizeof(key))
				len = sizeof(key) - 1;
			memcpy(key, help_text[i], len);
			key[len] = '\0';
			if (canvas_text_width(c, key) > key_w && canvas_text_width(c, key) <= 12)
				key_w = canvas_text_width(c, key);
		}
	}
	for (int row = 0; row < rows && vs->help_top + row < n; row++) {
		char buf[256];
		const char *line = expand(help_text[vs->help_top + row], g, buf, sizeof(buf));
		const char *tab = strchr(line, '\t');

		if (line[0] == '#') {
			canvas_text(c, 0, row, c->w, CANVAS_STYLE(ROLE_TITLE, CANVAS_BOLD), line + 1);
		} else if (tab) {
			char key[64];
			size_t len = (size_t)(tab - line);
			int kw;

			if (len >= sizeof(key))
				len = sizeof(key) - 1;
			memcpy(key, line, len);
			key[len] = '\0';
			kw = canvas_text(c, 1, row, c->w - 1, CANVAS_STYLE(ROLE_KEY, CANVAS_BOLD), key);
			if (kw < key_w)
				kw = key_w;
			canvas_text(c, 1 + kw + 2, row, c->w - kw - 3, CANVAS_STYLE(ROLE_DEFAULT, 0), tab + 1);
		} else {
			canvas_text(c, 1, row, c->w - 1, CANVAS_STYLE(ROLE_DEFAULT, 0), line);
		}
	}
	if (c->h > 1)
		view_keybar_draw(c, vs, keys_help);
}
