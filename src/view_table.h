/* view_table: the main screen — header, process table, last event, keys.
 *
 * Output stage: reads the model and the view state only. The rows are the
 * model's processes, filtered (substring, or regex when the filter compiles
 * as one; case-insensitive), sorted by a column or laid out as a tree by
 * ppid. The cursor follows a process identity, not a row number. */
#ifndef MEMSLOPE_VIEW_TABLE_H
#define MEMSLOPE_VIEW_TABLE_H

#include "canvas.h"
#include "model.h"
#include "view.h"

/* Column title as shown ("PID", "Δ/min", ...), for the glyph mode. */
const char *view_col_title(enum col_id col, enum glyph_mode mode);
/* Build vs->rows from m (filter, sort, tree) and put the cursor back on its
 * process, or on the row where it was if that process is gone. Returns the
 * number of rows. m may be NULL (no rows). */
size_t view_table_sync(const struct model *m, struct view_state *vs);
/* Move the cursor by delta rows (clamped); after view_table_sync. */
void view_table_move(struct view_state *vs, int delta);
/* The process under the cursor, or NULL; after view_table_sync. */
struct proc_entity *view_table_cursor(const struct view_state *vs);
/* Columns the sort chooser offers, in order; returns how many. */
int view_table_sort_choices(const struct model *m, enum col_id *out);
/* True when p passes the current filter. */
bool view_table_match(struct view_state *vs, const struct proc_entity *p);

void view_table_draw(struct canvas *c, const struct model *m, struct view_state *vs);

/* The table's keys. */
extern const struct view_keymap view_table_keys;
/* Keys taken before any key table while the filter is typed or the sort
 * chooser is open; true when the key was taken. */
bool view_table_modal_key(const struct model *m, struct view_state *vs, uint32_t key);

#endif
