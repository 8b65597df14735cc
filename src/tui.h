/* tui: the terminal — the only module that includes <curses.h>.
 *
 * Output stage. Takes the screen, renders the current view of the model into
 * a canvas and copies to the terminal only the cells that changed since the
 * last frame; reads keys and hands them to the views' key tables
 * (view_screen.c), which handle everything that is only about looking
 * (navigation, sort, filter, tags, views, zoom, help), returning to main.c
 * only the commands that change what is sampled. The terminal is
 * restored by tui_free, by fatal() (through util_set_fatal_hook), at exit,
 * and on crash signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT). */
#ifndef MEMSLOPE_TUI_H
#define MEMSLOPE_TUI_H

#include <stdbool.h>
#include <sys/types.h>

#include "model.h"

struct tui_opts {
	bool ascii, no_color;
	bool launch_mode;
	pid_t focus_pid;
	bool replay;
};

enum tui_cmd {
	TUI_NONE, TUI_QUIT, TUI_EXPORT, TUI_FASTER, TUI_SLOWER, TUI_PAUSE_TOGGLE,
	TUI_REPLAY_STEP_BACK, TUI_REPLAY_STEP_FWD, TUI_REPLAY_JUMP_BACK, TUI_REPLAY_JUMP_FWD,
	TUI_REPLAY_START, TUI_REPLAY_END
};

struct tui;

/* Take the screen. Sets LC_CTYPE from the environment (UTF-8 locale: braille
 * plots; otherwise block glyphs through the terminal's line-drawing set;
 * --ascii: plain ASCII). Colour is off with no_color, a non-empty NO_COLOR,
 * or a terminal without colours. Returns NULL with *err (one line, caller
 * frees) when stdin/stdout is not a terminal or the terminal is unknown. */
struct tui *tui_new(const struct tui_opts *o, char **err);
/* Restore the terminal and free; NULL is a no-op. */
void tui_free(struct tui *t);
/* Render the current view of m (NULL before the first sample) and update
 * the changed cells. Also picks up a new terminal size. */
void tui_draw(struct tui *t, const struct model *m);
/* Wait up to timeout_ms for keys, handling view keys itself (and redrawing
 * from m after each). Returns TUI_NONE when the time is up or a signal
 * other than SIGWINCH arrived (so main can look at its flags); any other
 * command as soon as its key is pressed. TUI_QUIT also when the terminal
 * goes away. */
enum tui_cmd tui_input(struct tui *t, const struct model *m, int timeout_ms);
/* Text for the status area above the key bar; may hold several lines
 * ('\n'); stays until replaced; NULL or "" clears it. Copied. */
void tui_set_status(struct tui *t, const char *msg);
/* The same for a message that only reports what a key did ("snapshot
 * written to ...", "interval 2 s"): it goes away after TUI_FLASH_MS, and the
 * status set by tui_set_status comes back. */
#define TUI_FLASH_MS 5000
void tui_flash(struct tui *t, const char *msg);
/* Launch mode's output pane: lines[0] its title, then head lines always
 * shown (the post-mortem), then the output's last lines (copied). The
 * pane becomes available ('o'); open forces it open. */
void tui_set_pane(struct tui *t, const char *const *text, size_t n, size_t head, bool open);
/* One more descriptor for tui_input to wait on (the command's output):
 * tui_input returns TUI_NONE as soon as it is readable; -1: none. */
void tui_set_wake_fd(struct tui *t, int fd);
/* Show PAUSED in the header. */
void tui_set_paused(struct tui *t, bool paused);
/* The processes on screen (the table's visible rows, or the detail view's
 * process), at most max of them, written to out; returns how many. main.c
 * asks the sampler for their PSS: smaps_rollup is too costly for all. */
size_t tui_visible_pids(const struct tui *t, pid_t *out, size_t max);
/* The process the detail view shows, 0 when none. */
pid_t tui_focus_pid(const struct tui *t);

#endif
