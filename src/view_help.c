/* view_help: the help screen. See view_help.h. The key sections are made
 * from the key tables themselves; only the meaning of the columns, colours
 * and plot is text kept here. */
#include "view_help.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A line starting with '#' is a heading; "key\tdescription" otherwise.
 * "$D" and "$X" stand for the glyph mode's delta and TTL mark. */
static const char *const legend_text[] = {
	"#Columns",
	"RSS PSS SWAP\tresident, proportional (when sampled) and swapped memory",
	"units\tK M G are KiB MiB GiB (powers of 1024), everywhere",
	"$D/min\tgrowth per minute (Theil-Sen slope of the floor)",
	"VERDICT\tstable, growing (suspect), leak (confirmed), shrinking,",
	"\toom_imminent (limit within 2 min); - while history is short",
	"%LIM\tusage of the effective limit (tightest memory.max above)",
	"TTL\ttime until the limit at this growth: the band, lo-hi",
	"",
	"#Colours",
	"green\tstable, below the warn level",
	"yellow\tgrowing, or above the warn level (default 80 %)",
	"red\tleak, oom_imminent, or above the critical level (default 90 %)",
	"",
	"#Plot",
	"lines\tRSS, tree sum, cgroup usage; max and high as dashed lines",
	"trend\tthe slope projected from now; $X marks where it meets the limit",
	"axis\tevent marks under the plot; the TTL band on the time axis",
};

#define N_LEGEND (sizeof(legend_text) / sizeof(legend_text[0]))

/* One help line: a heading, a key and its text, or plain text. */
struct help_line {
	const char *key, *text;
	size_t key_len;
	bool heading;
};

/* The help's lines: the title, each key table with a heading, the legend.
 * Returns how many; *out is the caller's to free. */
static size_t help_build(const struct view_keymap *const *maps, size_t n_maps, struct help_line **out)
{
	size_t cap = 2 + N_LEGEND, n = 0;
	struct help_line *v;

	for (size_t i = 0; i < n_maps; i++)
		cap += maps[i]->n + 2;
	v = xcalloc(cap, sizeof(*v));
	v[n++] = (struct help_line){NULL, "memslope: watch memory grow before it kills you", 0, true};
	v[n++] = (struct help_line){NULL, "", 0, false};
	for (size_t i = 0; i < n_maps; i++) {
		if (!maps[i]->heading)
			continue;
		v[n++] = (struct help_line){NULL, maps[i]->heading, 0, true};
		for (size_t k = 0; k < maps[i]->n; k++)
			if (maps[i]->b[k].help_keys)
				v[n++] = (struct help_line){maps[i]->b[k].help_keys, maps[i]->b[k].help,
							    strlen(maps[i]->b[k].help_keys), false};
		v[n++] = (struct help_line){NULL, "", 0, false};
	}
	for (size_t i = 0; i < N_LEGEND; i++) {
		const char *s = legend_text[i], *tab = strchr(s, '\t');

		if (s[0] == '#')
			v[n++] = (struct help_line){NULL, s + 1, 0, true};
		else if (tab)
			v[n++] = (struct help_line){s, tab + 1, (size_t)(tab - s), false};
		else
			v[n++] = (struct help_line){NULL, s, 0, false};
	}
	*out = v;
	return n;
}

/* Expand the glyph placeholders of len bytes of text into buf. */
static const char *expand(const char *text, size_t len, const struct glyphs *g, char *buf, size_t cap)
{
	size_t n = 0;

	for (const char *p = text; p < text + len && *p && n + 8 < cap; p++) {
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

void view_help_draw(struct canvas *c, const struct model *m, struct view_state *vs,
		    const struct view_keymap *const *maps, size_t n_maps)
{
	const struct glyphs *g = view_glyphs(vs->glyph_mode);
	struct help_line *lines;
	int n, rows = c->h - 1, key_w = 0;

	(void)m;
	if (c->h <= 0 || c->w <= 0)
		return;
	n = (int)help_build(maps, n_maps, &lines);
	if (rows < 1)
		rows = 1;
	if (vs->help_top > n - rows)
		vs->help_top = n - rows;
	if (vs->help_top < 0)
		vs->help_top = 0;
	for (int i = 0; i < n; i++) {
		char key[64];
		int kw;

		if (!lines[i].key)
			continue;
		kw = canvas_text_width(c, expand(lines[i].key, lines[i].key_len, g, key, sizeof(key)));
		if (kw > key_w && kw <= 12)
			key_w = kw;
	}
	for (int row = 0; row < rows && vs->help_top + row < n; row++) {
		const struct help_line *l = &lines[vs->help_top + row];
		char key[64], text[256];

		expand(l->text, strlen(l->text), g, text, sizeof(text));
		if (l->heading) {
			canvas_text(c, 0, row, c->w, CANVAS_STYLE(ROLE_TITLE, CANVAS_BOLD), text);
		} else if (l->key) {
			int kw = canvas_text(c, 1, row, c->w - 1, CANVAS_STYLE(ROLE_KEY, CANVAS_BOLD),
					     expand(l->key, l->key_len, g, key, sizeof(key)));

			if (kw < key_w)
				kw = key_w;
			canvas_text(c, 1 + kw + 2, row, c->w - kw - 3, CANVAS_STYLE(ROLE_DEFAULT, 0), text);
		} else {
			canvas_text(c, 1, row, c->w - 1, CANVAS_STYLE(ROLE_DEFAULT, 0), text);
		}
	}
	free(lines);
}

/* ---- keys ------------------------------------------------------------ */

static enum view_cmd key_back(const struct model *m, struct view_state *vs, uint32_t key)
{
	(void)m;
	(void)key;
	vs->view = vs->back;
	return VIEW_CMD_NONE;
}

/* The draw clamps help_top to the text. */
static enum view_cmd key_scroll(const struct model *m, struct view_state *vs, uint32_t key)
{
	const int page = 10;

	(void)m;
	switch (key) {
	case VK_UP:
		vs->help_top--;
		break;
	case VK_DOWN:
		vs->help_top++;
		break;
	case VK_PPAGE:
		vs->help_top -= page;
		break;
	case VK_NPAGE:
		vs->help_top += page;
		break;
	case VK_HOME:
		vs->help_top = 0;
		break;
	case VK_END:
		vs->help_top = INT_MAX / 2;
		break;
	default:
		break;
	}
	return VIEW_CMD_NONE;
}

static enum view_cmd key_quit(const struct model *m, struct view_state *vs, uint32_t key)
{
	(void)m;
	(void)vs;
	return key == VK_CTRL('l') ? VIEW_CMD_REDRAW : VIEW_CMD_QUIT;
}

/* Only these keys work in the help: the ones that would leave it elsewhere
 * leave the help here. */
static const struct view_binding help_bindings[] = {
	{"back", {VK_ESC, 'q', '?', 'h', VK_F1}, key_back, NULL, NULL, "Esc/q", NULL, "back"},
	{"scroll", {VK_UP, VK_DOWN, VK_PPAGE, VK_NPAGE, VK_HOME, VK_END}, key_scroll, NULL, NULL,
	 "Up/Down", NULL, "scroll"},
	{"quit", {VK_F(10)}, key_quit, NULL, NULL, "F10", NULL, "quit"},
	{"redraw", {VK_CTRL('l')}, key_quit, NULL, NULL, NULL, NULL, NULL},
};

const struct view_keymap view_help_keys = VIEW_KEYMAP(NULL, help_bindings);
