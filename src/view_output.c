/* view_output: launch mode's output pane. See view_output.h. */
#include "view_output.h"

#include <stdlib.h>

#include "util.h"

void view_output_set(struct view_state *vs, const char *const *text, size_t n, size_t head)
{
	for (size_t i = 0; i < vs->n_pane; i++)
		free(vs->pane[i]);
	free(vs->pane);
	vs->pane = n ? xcalloc(n, sizeof(*vs->pane)) : NULL;
	for (size_t i = 0; i < n; i++)
		vs->pane[i] = xstrdup(text[i] ? text[i] : "");
	vs->n_pane = n;
	vs->n_pane_head = n > 0 && head > n - 1 ? n - 1 : head;
}

int view_output_rows(const struct view_state *vs, int h)
{
	int rows;

	if (!vs->pane_open || !vs->pane_avail || vs->n_pane == 0 || vs->view == VIEW_HELP)
		return 0;
	/* Two fifths of the screen, at least a title and four lines, and
	 * never so much that the screen above keeps less than ten rows. */
	rows = h * 2 / 5;
	if (rows < 5)
		rows = 5;
	if (rows < (int)vs->n_pane_head + 3)
		rows = (int)vs->n_pane_head + 3; /* the post-mortem whole */
	if (rows > (int)vs->n_pane)
		rows = (int)vs->n_pane;
	if (h - rows < 10)
		rows = h - 10;
	return rows > 1 ? rows : 0;
}

static void line_draw(struct canvas *c, int row, const char *text, uint16_t style)
{
	char *line = view_clean(text);

	canvas_text(c, 0, row, c->w, style, line);
	free(line);
}

void view_output_draw(struct canvas *c, const struct view_state *vs, int y, int rows)
{
	const struct glyphs *g = view_glyphs(vs->glyph_mode);
	size_t tail, room;
	int row;

	if (rows <= 0 || vs->n_pane == 0)
		return;
	/* The title, on a rule; then the last lines that fit. */
	canvas_fill(c, 0, y, c->w, 1, g->hline, CANVAS_STYLE(ROLE_AXIS, 0));
	{
		char *title = view_clean(vs->pane[0]);

		canvas_text(c, 1, y, c->w - 2, CANVAS_STYLE(ROLE_TITLE, CANVAS_BOLD), title);
		free(title);
	}
	row = y + 1;
	for (size_t i = 1; i <= vs->n_pane_head && row < y + rows; i++, row++)
		line_draw(c, row, vs->pane[i], CANVAS_STYLE(ROLE_DEFAULT, CANVAS_BOLD));
	tail = vs->n_pane - 1 - vs->n_pane_head;
	room = (size_t)(y + rows - row);
	for (size_t i = vs->n_pane - (tail > room ? room : tail); i < vs->n_pane; i++, row++)
		line_draw(c, row, vs->pane[i], CANVAS_STYLE(ROLE_DEFAULT, 0));
}

enum view_cmd view_output_key(const struct model *m, struct view_state *vs, uint32_t key)
{
	(void)m;
	(void)key;
	if (!vs->pane_avail)
		return VIEW_CMD_PASS;
	vs->pane_open = !vs->pane_open;
	return VIEW_CMD_NONE;
}
