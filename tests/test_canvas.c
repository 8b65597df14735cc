/* test_canvas: the character grid — clipping, width-aware truncation, wide
 * glyphs, control characters, and the text form the view tests compare. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "check.h"

static char *row_text(const struct canvas *c, int y)
{
	char *all = canvas_to_text(c), *p = all, *line;
	size_t len;

	for (int i = 0; i < y && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	len = p ? strcspn(p, "\n") : 0;
	line = malloc(len + 1);
	memcpy(line, p ? p : "", len);
	line[len] = '\0';
	free(all);
	return line;
}

#define CHECK_ROW(c, y, want)                 \
	do {                                  \
		char *r_ = row_text((c), (y)); \
		CHECK_STR(r_, (want));        \
		free(r_);                     \
	} while (0)

static void test_text(void)
{
	struct canvas *c = canvas_new(10, 3);

	c->ellipsis = "\u2026";
	CHECK_I64(canvas_text(c, 0, 0, 10, 0, "hello"), 5);
	CHECK_ROW(c, 0, "hello");
	/* Truncation keeps the width and ends with the ellipsis. */
	CHECK_I64(canvas_text(c, 0, 1, 6, 0, "abcdefghij"), 6);
	CHECK_ROW(c, 1, "abcde\u2026");
	/* The canvas edge clips like a field. */
	CHECK_I64(canvas_text(c, 7, 2, 50, 0, "xyz123"), 3);
	CHECK_ROW(c, 2, "       xy\u2026");
	canvas_clear(c);
	CHECK_I64(canvas_text_tail(c, 0, 0, 8, 0, "/a/b/c/app.service"), 8);
	CHECK_ROW(c, 0, "\u2026service");
	CHECK_I64(canvas_text_right(c, 0, 1, 10, 0, "42"), 2);
	CHECK_ROW(c, 1, "        42");
	/* Outside the canvas: nothing, no crash. */
	CHECK_I64(canvas_text(c, -1, 0, 5, 0, "x"), 0);
	CHECK_I64(canvas_text(c, 0, 3, 5, 0, "x"), 0);
	CHECK_I64(canvas_text(c, 10, 0, 5, 0, "x"), 0);
	CHECK_I64(canvas_put(c, 99, 99, 'x', 0), 0);
	CHECK(canvas_at(c, 10, 0) == NULL);
	CHECK_I64(canvas_printf(c, 0, 2, 10, 0, "%d%%", 42), 3);
	CHECK_ROW(c, 2, "42%");
	canvas_free(c);
}

static void test_controls(void)
{
	struct canvas *c = canvas_new(40, 2);
	char *text;

	/* An OSC title change, a bell, a C1 CSI (U+009B) and invalid UTF-8:
	 * none may reach a cell. */
	canvas_text(c, 0, 0, 40, 0, "\033]0;pwned\007x \xc2\x9b" "2J \xff\xfe ok");
	text = canvas_to_text(c);
	CHECK_STR(text, "?]0;pwned?x ?2J ?? ok\n\n");
	CHECK(strchr(text, '\033') == NULL);
	free(text);
	CHECK_I64(canvas_put(c, 0, 1, 0x1b, 0), 1);
	CHECK_I64(canvas_at(c, 0, 1)->cp, '?');
	CHECK_I64(canvas_put(c, 1, 1, 0x9b, 0), 1);
	CHECK_I64(canvas_at(c, 1, 1)->cp, '?');
	/* Overlong and surrogate encodings are invalid too. */
	canvas_clear(c);
	canvas_text(c, 0, 0, 40, 0, "\xc0\xaf|\xed\xa0\x80|\xe0\x80\xaf");
	CHECK_ROW(c, 0, "??|???|???");
	/* Zero-width code points (bidi override, combining) take no cell. */
	canvas_clear(c);
	CHECK_I64(canvas_text(c, 0, 0, 40, 0, "a\u202eb\u0301c"), 3);
	CHECK_ROW(c, 0, "abc");
	/* Without a UTF-8 locale, non-ASCII text is '?', one column each. */
	canvas_clear(c);
	c->ascii_text = true;
	CHECK_I64(canvas_text(c, 0, 0, 40, 0, "caf\u00e9 \u65e5\u672c"), 7);
	CHECK_ROW(c, 0, "caf? ??");
	canvas_free(c);
}

static void test_wide(void)
{
	struct canvas *c = canvas_new(6, 2);

	c->ellipsis = "~";
	/* CJK takes two columns; a glyph that does not fit is not split. */
	CHECK_I64(canvas_text_width(c, "\u65e5\u672c\u8a9e"), 6);
	CHECK_I64(canvas_text(c, 0, 0, 5, 0, "\u65e5\u672c\u8a9e"), 5);
	CHECK_ROW(c, 0, "\u65e5\u672c~");
	CHECK_I64(canvas_at(c, 1, 0)->cp, CANVAS_CONT);
	/* Overwriting half of a wide glyph blanks the other half. */
	canvas_put(c, 1, 0, 'x', 0);
	CHECK_ROW(c, 0, " x\u672c~");
	canvas_put(c, 2, 0, 'y', 0);
	CHECK_ROW(c, 0, " xy ~");
	/* A wide glyph in the last column becomes a blank. */
	CHECK_I64(canvas_put(c, 5, 1, 0x65e5, 0), 1);
	CHECK_I64(canvas_at(c, 5, 1)->cp, ' ');
	canvas_free(c);
}

static void test_styles_and_resize(void)
{
	struct canvas *c = canvas_new(4, 2), *d = canvas_new(4, 2);
	uint16_t st = CANVAS_STYLE(ROLE_CRIT, CANVAS_BOLD);

	CHECK_I64(CANVAS_ROLE(st), ROLE_CRIT);
	CHECK_I64(CANVAS_ATTR(st), CANVAS_BOLD);
	canvas_text(c, 0, 0, 4, st, "ab");
	CHECK_I64(canvas_at(c, 1, 0)->style, st);
	CHECK(!canvas_cell_eq(canvas_at(c, 0, 0), canvas_at(d, 0, 0)));
	canvas_restyle(c, 0, 0, 4, 0);
	CHECK_I64(canvas_at(c, 1, 0)->style, 0);
	CHECK_I64(canvas_at(c, 1, 0)->cp, 'b');
	canvas_fill(c, 0, 1, 10, 5, '#', 0);
	CHECK_ROW(c, 1, "####");
	canvas_resize(c, 0, 0);
	{
		char *t = canvas_to_text(c);

		CHECK_STR(t, "");
		free(t);
	}
	canvas_resize(c, -3, 2);
	CHECK_I64(c->w, 0);
	CHECK_I64(canvas_text(c, 0, 0, 5, 0, "x"), 0);
	canvas_resize(c, 3, 1);
	CHECK_ROW(c, 0, "");
	canvas_free(c);
	canvas_free(d);
	canvas_free(NULL);
}

static void test_utf8(void)
{
	uint32_t cp;
	char buf[8];

	CHECK_I64(canvas_utf8_decode("", &cp), 0);
	CHECK_I64(canvas_utf8_decode("\u2800", &cp), 3);
	CHECK_I64(cp, 0x2800);
	CHECK_I64(canvas_utf8_decode("\xf0\x9f\x98\x80", &cp), 4);
	CHECK_I64(cp, 0x1f600);
	CHECK_I64(canvas_utf8_decode("\xe2\x82", &cp), 1);
	CHECK_I64(cp, 0xfffd);
	for (uint32_t v = 1; v < 0x110000; v += 0x101) {
		uint32_t back;

		if (v >= 0xd800 && v <= 0xdfff)
			continue;
		canvas_utf8_encode(v, buf);
		canvas_utf8_decode(buf, &back);
		CHECK_I64(back, v);
	}
	CHECK_I64(canvas_cp_width('a'), 1);
	CHECK_I64(canvas_cp_width(0x2800), 1);
	CHECK_I64(canvas_cp_width(0x65e5), 2);
	CHECK_I64(canvas_cp_width(0x0301), 0);
}

int main(void)
{
	if (!setlocale(LC_CTYPE, "C.UTF-8") && !setlocale(LC_CTYPE, "en_US.UTF-8")) {
		printf("test_canvas: SKIP: no UTF-8 locale (C.UTF-8 or en_US.UTF-8) to measure glyph widths\n");
		return 77;
	}
	test_text();
	test_controls();
	test_wide();
	test_styles_and_resize();
	test_utf8();
	return check_done("test_canvas");
}
