/* canvas: the character grid the views draw into. See canvas.h.
 *
 * Widths come from wcwidth(), the same table curses uses, so a canvas lines
 * up on the terminal; code points the locale does not know count as one
 * column, as tui.c then shows them as '?' or an ACS glyph. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "canvas.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "util.h"

struct canvas *canvas_new(int w, int h)
{
	struct canvas *c = xcalloc(1, sizeof(*c));

	c->ellipsis = "~";
	canvas_resize(c, w, h);
	return c;
}

void canvas_free(struct canvas *c)
{
	if (!c)
		return;
	free(c->cells);
	free(c);
}

void canvas_resize(struct canvas *c, int w, int h)
{
	c->w = w > 0 ? w : 0;
	c->h = h > 0 ? h : 0;
	free(c->cells);
	c->cells = xcalloc((size_t)c->w * (size_t)c->h + 1, sizeof(*c->cells));
	canvas_clear(c);
}

void canvas_clear(struct canvas *c)
{
	size_t n = (size_t)c->w * (size_t)c->h;

	for (size_t i = 0; i < n; i++) {
		c->cells[i].cp = ' ';
		c->cells[i].style = 0;
	}
}

const struct canvas_cell *canvas_at(const struct canvas *c, int x, int y)
{
	if (x < 0 || y < 0 || x >= c->w || y >= c->h)
		return NULL;
	return &c->cells[(size_t)y * (size_t)c->w + (size_t)x];
}

static struct canvas_cell *cell_mut(struct canvas *c, int x, int y)
{
	return (struct canvas_cell *)canvas_at(c, x, y);
}

static bool is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0);
}

int canvas_cp_width(uint32_t cp)
{
	int w;

	if (cp < 0x80)
		return 1;
	w = wcwidth((wchar_t)cp);
	if (w < 0)
		return 1;
	return w > 2 ? 2 : w;
}

int canvas_utf8_decode(const char *str, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned c = s[0];
	int n;
	uint32_t v;

	if (c == 0) {
		*cp = 0;
		return 0;
	}
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3f);
	}
	/* Overlongs and surrogates are invalid: one '?' per bad lead byte. */
	if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10ffff)) ||
	    (v >= 0xd800 && v <= 0xdfff)) {
		*cp = 0xfffd;
		return 1;
	}
	*cp = v;
	return n;
}

int canvas_utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		out[1] = '\0';
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		out[2] = '\0';
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		out[3] = '\0';
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	out[4] = '\0';
	return 4;
}

/* Blank the other half of a wide glyph that (x, y) is part of, so that
 * overwriting one half never leaves a dangling half on screen. */
static void break_wide(struct canvas *c, int x, int y)
{
	struct canvas_cell *cell = cell_mut(c, x, y), *other;

	if (!cell)
		return;
	if (cell->cp == CANVAS_CONT) {
		other = cell_mut(c, x - 1, y);
		if (other)
			other->cp = ' ';
	} else if (canvas_cp_width(cell->cp) == 2) {
		other = cell_mut(c, x + 1, y);
		if (other && other->cp == CANVAS_CONT)
			other->cp = ' ';
	}
}

int canvas_put(struct canvas *c, int x, int y, uint32_t cp, uint16_t style)
{
	struct canvas_cell *cell = cell_mut(c, x, y);
	int w;

	if (!cell)
		return 0;
	if (is_control(cp) || cp == 0xfffd)
		cp = '?';
	w = canvas_cp_width(cp);
	if (w == 0)
		return 0;
	if (w == 2 && x + 1 >= c->w) {
		cp = ' ';
		w = 1;
	}
	break_wide(c, x, y);
	cell->cp = cp;
	cell->style = style;
	if (w == 2) {
		break_wide(c, x + 1, y);
		cell[1].cp = CANVAS_CONT;
		cell[1].style = style;
	}
	return w;
}

void canvas_fill(struct canvas *c, int x, int y, int w, int h, uint32_t cp, uint16_t style)
{
	for (int j = y; j < y + h; j++)
		for (int i = x; i < x + w; i++)
			canvas_put(c, i, j, cp, style);
}

void canvas_restyle(struct canvas *c, int x, int y, int w, uint16_t style)
{
	for (int i = x; i < x + w; i++) {
		struct canvas_cell *cell = cell_mut(c, i, y);

		if (cell)
			cell->style = style;
	}
}

/* The next drawable code point of s and its width; *len gets the bytes
 * consumed. Zero-width code points (combining marks, bidi controls) are
 * returned with width 0 and are skipped by the callers. */
static uint32_t next_cp(const struct canvas *c, const char *s, int *len, int *width)
{
	uint32_t cp;

	*len = canvas_utf8_decode(s, &cp);
	if (is_control(cp) || cp == 0xfffd || (c->ascii_text && cp >= 0x80))
		cp = '?';
	*width = canvas_cp_width(cp);
	return cp;
}

/* Printable ASCII: one column, drawn as itself (most of what the views
 * draw; the frame's text is ~6 000 characters). */
static bool plain_ascii(unsigned char ch)
{
	return ch >= 0x20 && ch < 0x7f;
}

int canvas_text_width(const struct canvas *c, const char *s)
{
	int total = 0, len, w;

	while (s && *s) {
		if (plain_ascii((unsigned char)*s)) {
			total++;
			s++;
			continue;
		}
		next_cp(c, s, &len, &w);
		total += w;
		s += len;
	}
	return total;
}

static int limit_width(const struct canvas *c, int x, int max_w)
{
	if (x < 0)
		return 0;
	if (max_w > c->w - x)
		max_w = c->w - x;
	return max_w > 0 ? max_w : 0;
}

/* Draw s from x; stop before a glyph that would end past x + room. */
static int draw_run(struct canvas *c, int x, int y, int room, uint16_t style, const char *s)
{
	int used = 0, len, w;

	while (*s) {
		unsigned char ch = (unsigned char)*s;
		uint32_t cp;

		if (plain_ascii(ch)) {
			/* canvas_put without its checks: the cell is inside
			 * (room is clipped to the canvas) and, when it holds no
			 * part of a wide glyph, nothing else changes. */
			struct canvas_cell *cell = cell_mut(c, x + used, y);

			if (used + 1 > room)
				break;
			if (cell && cell->cp != CANVAS_CONT && cell->cp < 0x80) {
				cell->cp = ch;
				cell->style = style;
			} else {
				canvas_put(c, x + used, y, ch, style);
			}
			s++;
			used++;
			continue;
		}
		cp = next_cp(c, s, &len, &w);

		s += len;
		if (w == 0)
			continue;
		if (used + w > room)
			break;
		canvas_put(c, x + used, y, cp, style);
		used += w;
	}
	return used;
}

int canvas_text(struct canvas *c, int x, int y, int max_w, uint16_t style, const char *s)
{
	int room = limit_width(c, x, max_w), total, used;

	if (!s || room == 0 || y < 0 || y >= c->h)
		return 0;
	total = canvas_text_width(c, s);
	if (total <= room)
		return draw_run(c, x, y, room, style, s);
	used = draw_run(c, x, y, room - 1, style, s);
	used += draw_run(c, x + used, y, 1, style, c->ellipsis);
	return used;
}

int canvas_text_tail(struct canvas *c, int x, int y, int max_w, uint16_t style, const char *s)
{
	int room = limit_width(c, x, max_w), total, len, w, used;

	if (!s || room == 0 || y < 0 || y >= c->h)
		return 0;
	total = canvas_text_width(c, s);
	if (total <= room)
		return draw_run(c, x, y, room, style, s);
	/* Skip from the front until the rest fits beside the ellipsis. */
	while (*s && total > room - 1) {
		next_cp(c, s, &len, &w);
		total -= w;
		s += len;
	}
	used = draw_run(c, x, y, 1, style, c->ellipsis);
	used += draw_run(c, x + used, y, room - used, style, s);
	return used;
}

int canvas_text_right(struct canvas *c, int x, int y, int w, uint16_t style, const char *s)
{
	int tw = canvas_text_width(c, s);

	if (tw >= w)
		return canvas_text(c, x, y, w, style, s);
	return canvas_text(c, x + w - tw, y, tw, style, s);
}

int canvas_printf(struct canvas *c, int x, int y, int max_w, uint16_t style, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return canvas_text(c, x, y, max_w, style, buf);
}

char *canvas_to_text(const struct canvas *c)
{
	size_t cap = (size_t)c->w * (size_t)c->h * 4 + (size_t)c->h + 1, n = 0;
	char *out = xmalloc(cap);

	for (int y = 0; y < c->h; y++) {
		size_t last_nonblank = n;

		for (int x = 0; x < c->w; x++) {
			const struct canvas_cell *cell = canvas_at(c, x, y);

			if (cell->cp == CANVAS_CONT)
				continue;
			n += (size_t)canvas_utf8_encode(cell->cp, out + n);
			if (cell->cp != ' ')
				last_nonblank = n;
		}
		n = last_nonblank;
		out[n++] = '\n';
	}
	out[n] = '\0';
	return out;
}
