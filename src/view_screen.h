/* view_screen: the screens put together — which screen draws, which keys it
 * takes, and the keys that work anywhere.
 *
 * Output stage, above the single screens (view_table, view_detail,
 * view_cgroup, view_help), which know only view.h. A key goes to the
 * current screen's table first, then to the keys that work anywhere, then,
 * in a replay, to the replay keys; the help and each key bar are generated
 * from those same tables. */
#ifndef MEMSLOPE_VIEW_SCREEN_H
#define MEMSLOPE_VIEW_SCREEN_H

#include <stdint.h>

#include "canvas.h"
#include "model.h"
#include "view.h"

/* Draw the current view (vs->view) of m with its key bar. vs->top and the
 * cursor are brought back in range as a side effect. m may be NULL before
 * the first sample. */
void view_screen_draw(struct canvas *c, const struct model *m, struct view_state *vs);

/* One key (a code point or a VK_ code) for the current view. Returns what
 * it asks of the program; VIEW_CMD_NONE when it only changed vs (or did
 * nothing). Never VIEW_CMD_PASS. */
enum view_cmd view_screen_key(const struct model *m, struct view_state *vs, uint32_t key);

#endif
