/* view_cgroup: the watched cgroups as a tree, with limits, events, PSI.
 *
 * Output stage: reads the model and the view state only. One row per cgroup
 * in the model, sorted by path and indented under its nearest listed
 * ancestor; below the list, the selected cgroup in full (memory.stat
 * highlights, every events counter, PSI averages, the verdict). */
#ifndef MEMSLOPE_VIEW_CGROUP_H
#define MEMSLOPE_VIEW_CGROUP_H

#include "canvas.h"
#include "model.h"
#include "view.h"

/* The model's cgroups in display order (by path); returns how many and sets
 * *out (caller frees). */
size_t view_cgroup_list(const struct model *m, const struct cgroup_entity ***out);

void view_cgroup_draw(struct canvas *c, const struct model *m, struct view_state *vs);

/* The cgroup view's keys. */
extern const struct view_keymap view_cgroup_keys;

#endif
