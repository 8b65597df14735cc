/* view_help: every key, what the colours and verdicts mean.
 *
 * Output stage: static text, scrolled by vs->help_top. */
#ifndef MEMSLOPE_VIEW_HELP_H
#define MEMSLOPE_VIEW_HELP_H

#include "canvas.h"
#include "model.h"
#include "view.h"

/* Number of help lines, for scrolling. */
int view_help_lines(void);

void view_help_draw(struct canvas *c, const struct model *m, struct view_state *vs);

#endif
