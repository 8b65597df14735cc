/* capture: a launched command's output, kept away from the screen.
 *
 * Launch mode under the TUI: the command runs on a pseudo-terminal of its
 * own (so it still line-buffers, and progress bars still draw), memslope
 * reads the other side, saves every byte to a file (0600, an unguessable
 * name made with mkostemp in the export directory) and keeps the last
 * lines as plain text for the output pane. Terminal escape sequences are
 * dropped from those lines, a carriage return starts the line over (as a
 * terminal would show a progress bar), and the pane's text still goes
 * through util_sanitize before it is drawn. */
#ifndef MEMSLOPE_CAPTURE_H
#define MEMSLOPE_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

/* Lines kept for the pane; the file has everything. */
#define CAPTURE_LINES 500
/* A longer line is cut for the pane (the file keeps it whole). */
#define CAPTURE_LINE_MAX 1024

struct capture;

/* A pseudo-terminal pair and the output file in dir, named after name
 * (the command). NULL with *err (one line, caller frees). */
struct capture *capture_open(const char *dir, const char *name, char **err);
/* In the forked child, before exec: a new session whose controlling
 * terminal is the pseudo-terminal, on stdin, stdout and stderr.
 * Async-signal-safe; -1 when it cannot (the child should _exit). */
int capture_child_attach(const struct capture *c);
/* In the parent after the fork: drop our copy of the child's side, so the
 * end of the command's output is seen as end of file. */
void capture_parent_after_fork(struct capture *c);
/* Give the pseudo-terminal a size (the job's idea of its terminal). */
void capture_resize(struct capture *c, int rows, int cols);
/* The descriptor to wait on for more output; -1 after end of file. */
int capture_fd(const struct capture *c);
/* Read what is there without blocking: into the file and the lines.
 * Returns the bytes read (0 when none or at end of file). */
size_t capture_pump(struct capture *c);
/* The last lines, oldest first, into out (at most max); the line being
 * written counts as the last one. Pointers valid until the next pump. */
size_t capture_tail(const struct capture *c, const char **out, size_t max);
/* The file everything goes to. */
const char *capture_path(const struct capture *c);
/* Bytes and complete lines seen so far. */
uint64_t capture_bytes(const struct capture *c);
uint64_t capture_lines(const struct capture *c);
/* A write to the file failed (disk full): the pane goes on, the file
 * stopped; NULL when all is well. */
const char *capture_file_error(const struct capture *c);
void capture_free(struct capture *c);

#endif
