/* view_output: launch mode's output pane, under the table, the detail or
 * the cgroup screen: the launched command's last lines (captured on its own
 * pseudo-terminal, see capture.h), and its post-mortem once it has ended.
 * Output stage; knows view.h only. */
#ifndef MEMSLOPE_VIEW_OUTPUT_H
#define MEMSLOPE_VIEW_OUTPUT_H

#include "canvas.h"
#include "view.h"

/* Replace the pane's lines (copied): lines[0] is the title, the next head
 * lines are always shown (the post-mortem), the rest is a tail of which
 * the last lines that fit are shown. */
void view_output_set(struct view_state *vs, const char *const *text, size_t n, size_t head);
/* The rows the pane takes on a screen h rows high: 0 when it is closed. */
int view_output_rows(const struct view_state *vs, int h);
/* Draw the pane in rows [y, y + rows) of c. */
void view_output_draw(struct canvas *c, const struct view_state *vs, int y, int rows);
/* The 'o' key: open or close the pane (passes when there is none). */
enum view_cmd view_output_key(const struct model *m, struct view_state *vs, uint32_t key);

#endif
