/* view_detail: one process in depth — the big plot and the evidence.
 *
 * Output stage: reads the model and the view state only. Shows the RSS
 * history over the zoom window with the tree sum and the cgroup's usage when
 * there are such series, memory.high and the effective limit as lines, the
 * trend projected from the last value until it meets the limit (the TTL
 * mark, with its band on the time axis), events on the time axis, the
 * anon/file/shmem/swap split and the verdict with its evidence. */
#ifndef MEMSLOPE_VIEW_DETAIL_H
#define MEMSLOPE_VIEW_DETAIL_H

#include "canvas.h"
#include "model.h"
#include "view.h"

/* Length of a zoom level's window in ms (0 for ZOOM_ALL) and its name. */
int64_t view_zoom_ms(enum view_zoom z);
const char *view_zoom_name(enum view_zoom z);

void view_detail_draw(struct canvas *c, const struct model *m, struct view_state *vs);

/* The detail view's keys. */
extern const struct view_keymap view_detail_keys;

#endif
