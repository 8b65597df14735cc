/* canvas: a small grid of character cells that the views draw into.
 *
 * Output stage, below the views and above tui.c: a view renders the model
 * into a canvas, tui.c copies the cells that changed to the terminal, and the
 * tests turn a canvas into text. A cell holds one Unicode code point and a
 * style (colour role + attribute bits); a wide glyph occupies its cell and a
 * CANVAS_CONT cell to its right. Invariant: no cell ever holds a control
 * character, whatever text is drawn, so nothing drawn can act on a terminal. */
#ifndef MEMSLOPE_CANVAS_H
#define MEMSLOPE_CANVAS_H

#include <stdbool.h>
#include <stdint.h>

/* Colour roles: what a cell means. tui.c maps each to a colour pair, or to
 * attributes when colour is off. */
enum canvas_role {
	ROLE_DEFAULT = 0,
	ROLE_TITLE,      /* program name, labels in the header */
	ROLE_DIM,        /* secondary text, unknown values */
	ROLE_OK,         /* below warn, stable */
	ROLE_WARN,       /* warn level, growing */
	ROLE_CRIT,       /* crit level, leak, OOM */
	ROLE_SHRINK,     /* shrinking */
	ROLE_COLHDR,     /* table column header */
	ROLE_CURSOR,     /* selected row */
	ROLE_TAG,        /* tagged row */
	ROLE_KEY,        /* key names in the key bar */
	ROLE_KEYTEXT,    /* descriptions in the key bar */
	ROLE_STATUS,     /* status line */
	ROLE_SERIES_RSS, /* plot series */
	ROLE_SERIES_TREE,
	ROLE_SERIES_CG,
	ROLE_SERIES_GPU,
	ROLE_LIMIT,      /* effective limit line */
	ROLE_HIGH,       /* memory.high line */
	ROLE_TREND,      /* projected trend */
	ROLE_AXIS,
	ROLE_EVENT,
	ROLE_BAR_EMPTY,
	ROLE_COUNT
};

/* Attribute bits, combined with a role by CANVAS_STYLE. */
#define CANVAS_BOLD 0x01u
#define CANVAS_REVERSE 0x02u
#define CANVAS_UNDERLINE 0x04u
#define CANVAS_DIMATTR 0x08u

#define CANVAS_STYLE(role, attr) ((uint16_t)((role) | ((attr) << 8)))
#define CANVAS_ROLE(style) ((enum canvas_role)((style) & 0xff))
#define CANVAS_ATTR(style) ((unsigned)((style) >> 8))

/* The right half of a wide glyph. */
#define CANVAS_CONT 0u

struct canvas_cell {
	uint32_t cp;     /* code point, ' ' when blank, CANVAS_CONT for a wide glyph's tail */
	uint16_t style;  /* CANVAS_STYLE(role, attr) */
};

struct canvas {
	int w, h;
	struct canvas_cell *cells; /* h rows of w */
	bool ascii_text; /* text: non-ASCII code points become '?' (no UTF-8 locale) */
	const char *ellipsis; /* truncation mark, one column wide */
};

/* A canvas of w x h blank cells (sizes below 0 count as 0). Free with canvas_free. */
struct canvas *canvas_new(int w, int h);
void canvas_free(struct canvas *c);
/* Change the size; all cells become blank. */
void canvas_resize(struct canvas *c, int w, int h);
/* Every cell blank with the default style. */
void canvas_clear(struct canvas *c);
/* The cell at (x, y), or NULL outside the canvas. */
const struct canvas_cell *canvas_at(const struct canvas *c, int x, int y);
static inline bool canvas_cell_eq(const struct canvas_cell *a, const struct canvas_cell *b)
{
	return a->cp == b->cp && a->style == b->style;
}

/* Put one code point at (x, y); clipped outside the canvas. Control
 * characters become '?'; a wide glyph that would not fit becomes ' '.
 * Returns the columns used (0, 1 or 2). */
int canvas_put(struct canvas *c, int x, int y, uint32_t cp, uint16_t style);
/* Fill a rectangle with one code point. */
void canvas_fill(struct canvas *c, int x, int y, int w, int h, uint32_t cp, uint16_t style);
/* Restyle w cells of row y from x, keeping their glyphs. */
void canvas_restyle(struct canvas *c, int x, int y, int w, uint16_t style);

/* Draw UTF-8 text from (x, y) in at most max_w columns (clipped at the canvas
 * edge too). Text that does not fit ends with the ellipsis. Invalid UTF-8 and
 * controls are drawn as '?'. Returns the columns used. */
int canvas_text(struct canvas *c, int x, int y, int max_w, uint16_t style, const char *s);
/* Same, but when the text does not fit keep its end: "…e/app.service". */
int canvas_text_tail(struct canvas *c, int x, int y, int max_w, uint16_t style, const char *s);
/* Right-align text in a field of w columns ending at x + w. */
int canvas_text_right(struct canvas *c, int x, int y, int w, uint16_t style, const char *s);
/* printf into canvas_text. */
int canvas_printf(struct canvas *c, int x, int y, int max_w, uint16_t style, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Columns that s takes on this canvas (same rules as canvas_text). */
int canvas_text_width(const struct canvas *c, const char *s);
/* Columns one code point takes: 0 (combining), 1 or 2. */
int canvas_cp_width(uint32_t cp);
/* Decode one UTF-8 sequence at s into *cp; returns the bytes used (at least 1
 * for a non-empty string, 0 at the end). Invalid bytes give U+FFFD. */
int canvas_utf8_decode(const char *s, uint32_t *cp);
/* Encode cp as UTF-8 into out (at least 5 bytes); returns the length. */
int canvas_utf8_encode(uint32_t cp, char *out);

/* The canvas as UTF-8 text: one line per row, trailing blanks removed, each
 * line ending in '\n'. Caller frees. */
char *canvas_to_text(const struct canvas *c);

#endif
