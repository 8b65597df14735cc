/* view_help: every key, what the colours and verdicts mean.
 *
 * Output stage: the key tables it is given, then fixed text on the columns,
 * colours and plot, scrolled by vs->help_top. */
#ifndef MEMSLOPE_VIEW_HELP_H
#define MEMSLOPE_VIEW_HELP_H

#include "canvas.h"
#include "model.h"
#include "view.h"

/* Draw the help: a section for each of maps[0..n_maps) that has a heading,
 * listing its bindings' help lines in table order. */
void view_help_draw(struct canvas *c, const struct model *m, struct view_state *vs,
		    const struct view_keymap *const *maps, size_t n_maps);

/* The help's own keys (it takes no other key). */
extern const struct view_keymap view_help_keys;

#endif
