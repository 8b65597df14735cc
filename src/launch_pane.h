/* launch_pane: launch mode under the TUI — the launched command's output
 * pane. The command runs on a pseudo-terminal of its own (capture.c); each
 * time round main's loop the pane reads what it said and hands the TUI its
 * title, then (once the command has ended) its post-mortem, then its last
 * lines. Output stage glue between launch.c, capture.c and tui.c. */
#ifndef MEMSLOPE_LAUNCH_PANE_H
#define MEMSLOPE_LAUNCH_PANE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture.h"
#include "launch.h"
#include "model.h"
#include "tui.h"

struct launch_pane {
	struct capture *cap;       /* NULL: not in launch mode under the TUI */
	bool open;                 /* the command's side is still open */
	unsigned short rows, cols; /* the terminal size the command was given */
	int64_t quiet_until_ms;    /* monotonic: its descriptor is not waited on before */
};

/* Read the command's output (and follow the terminal's size); when there
 * was some, or it ended, the TUI's pane is updated. Returns whether it was.
 * A chatty command redraws the screen at most ten times a second. */
bool launch_pane_poll(struct launch_pane *p, struct tui *t, const struct launch *l, const struct model *m,
		      int64_t now_ms);
/* Hand the TUI the pane as it is now; opened for good once l has ended. */
void launch_pane_show(const struct launch_pane *p, struct tui *t, const struct launch *l, const struct model *m);

#endif
