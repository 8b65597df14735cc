/* capture: a launched command's output on a pseudo-terminal. See capture.h. */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "util.h"

/* Where the reader is inside a terminal control sequence. */
enum esc_state { ESC_NONE, ESC_START, ESC_CSI, ESC_STRING, ESC_STRING_END };

struct capture {
	int master_fd, slave_fd, file_fd;
	char *path;
	char *file_error;
	/* a ring of the last complete lines */
	char *lines[CAPTURE_LINES];
	size_t head, n;
	/* the line being written */
	char cur[CAPTURE_LINE_MAX + 1];
	size_t cur_len;
	bool cr_pending;     /* a '\r' was seen: the next text starts the line over */
	enum esc_state esc;
	uint64_t bytes, n_lines;
};

/* A file name part from the command: its last path component, letters,
 * digits, '.', '-' and '_' only (the name is shown and typed by people). */
static void name_part(const char *name, char *out, size_t cap)
{
	const char *base = strrchr(name, '/');
	size_t n = 0;

	base = base ? base + 1 : name;
	for (; *base && n + 1 < cap && n < 32; base++) {
		char ch = *base;

		out[n++] = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
					   ch == '.' || ch == '-' || ch == '_'
				   ? ch
				   : '_';
	}
	if (n == 0)
		out[n++] = 'x';
	out[n] = '\0';
}

struct capture *capture_open(const char *dir, const char *name, char **err)
{
	struct capture *c = xcalloc(1, sizeof(*c));
	char part[40], slave[128];

	c->master_fd = c->slave_fd = c->file_fd = -1;
	name_part(name, part, sizeof(part));
	c->path = xasprintf("%s/memslope-output-%s-XXXXXX.txt", dir, part);
	/* mkostemps: O_EXCL under a name nobody can guess, 0600 (the output
	 * may hold what the job's owner alone should read). */
	c->file_fd = mkostemps(c->path, 4, O_CLOEXEC | O_APPEND);
	if (c->file_fd < 0) {
		*err = xasprintf("cannot create the command's output file in %s: %s", dir, strerror(errno));
		goto fail;
	}
	c->master_fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->master_fd < 0 || grantpt(c->master_fd) < 0 || unlockpt(c->master_fd) < 0 ||
	    ptsname_r(c->master_fd, slave, sizeof(slave)) != 0) {
		*err = xasprintf("cannot make a pseudo-terminal for the command: %s", strerror(errno));
		goto fail;
	}
	c->slave_fd = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->slave_fd < 0) {
		*err = xasprintf("cannot open the pseudo-terminal %s: %s", slave, strerror(errno));
		goto fail;
	}
	if (fcntl(c->master_fd, F_SETFL, fcntl(c->master_fd, F_GETFL) | O_NONBLOCK) < 0) {
		*err = xasprintf("cannot use the pseudo-terminal: %s", strerror(errno));
		goto fail;
	}
	return c;
fail:
	if (c->file_fd >= 0)
		unlink(c->path);
	capture_free(c);
	return NULL;
}

int capture_child_attach(const struct capture *c)
{
	if (setsid() < 0 || ioctl(c->slave_fd, TIOCSCTTY, 0) < 0)
		return -1;
	for (int fd = 0; fd <= 2; fd++)
		if (dup2(c->slave_fd, fd) < 0)
			return -1;
	return 0;
}

void capture_parent_after_fork(struct capture *c)
{
	if (c->slave_fd >= 0)
		close(c->slave_fd);
	c->slave_fd = -1;
}

void capture_resize(struct capture *c, int rows, int cols)
{
	struct winsize ws = {.ws_row = (unsigned short)(rows > 0 ? rows : 24),
			     .ws_col = (unsigned short)(cols > 0 ? cols : 80)};

	if (c && c->master_fd >= 0)
		ioctl(c->master_fd, TIOCSWINSZ, &ws);
}

int capture_fd(const struct capture *c)
{
	return c ? c->master_fd : -1;
}

static void line_end(struct capture *c)
{
	c->cur[c->cur_len] = '\0';
	free(c->lines[c->head]);
	c->lines[c->head] = xstrdup(c->cur);
	c->head = (c->head + 1) % CAPTURE_LINES;
	if (c->n < CAPTURE_LINES)
		c->n++;
	c->cur_len = 0;
	c->cr_pending = false;
	c->n_lines++;
}

static void put_text(struct capture *c, unsigned char ch)
{
	if (c->cr_pending) {
		c->cur_len = 0;
		c->cr_pending = false;
	}
	if (c->cur_len < CAPTURE_LINE_MAX)
		c->cur[c->cur_len++] = (char)ch;
}

/* One byte of output, as a terminal would take it, minus the colours and
 * cursor movements the pane cannot show. */
static void feed(struct capture *c, unsigned char ch)
{
	switch (c->esc) {
	case ESC_START:
		c->esc = ch == '[' ? ESC_CSI : (ch == ']' || ch == 'P' || ch == 'X' || ch == '^' || ch == '_')
						     ? ESC_STRING
						     : ESC_NONE;
		return;
	case ESC_CSI:
		if (ch >= 0x40 && ch <= 0x7e)
			c->esc = ESC_NONE; /* the final byte */
		return;
	case ESC_STRING:
		if (ch == 0x07)
			c->esc = ESC_NONE;
		else if (ch == 0x1b)
			c->esc = ESC_STRING_END;
		return;
	case ESC_STRING_END:
		c->esc = ch == '\\' ? ESC_NONE : ESC_STRING;
		return;
	case ESC_NONE:
		break;
	}
	switch (ch) {
	case 0x1b:
		c->esc = ESC_START;
		break;
	case '\n':
		line_end(c);
		break;
	case '\r':
		c->cr_pending = true;
		break;
	case '\b':
		/* back over one character, UTF-8 continuation bytes included */
		while (c->cur_len > 0 && ((unsigned char)c->cur[c->cur_len - 1] & 0xc0) == 0x80)
			c->cur_len--;
		if (c->cur_len > 0)
			c->cur_len--;
		break;
	case '\t':
		do
			put_text(c, ' ');
		while (c->cur_len % 8 != 0 && c->cur_len < CAPTURE_LINE_MAX);
		break;
	default:
		if (ch >= 0x20 && ch != 0x7f)
			put_text(c, ch);
		break;
	}
}

size_t capture_pump(struct capture *c)
{
	char buf[8192];
	size_t total = 0;

	if (!c || c->master_fd < 0)
		return 0;
	for (;;) {
		ssize_t r = read(c->master_fd, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			break;
		if (r <= 0) {
			/* EIO: every holder of the other side has closed it
			 * (the command and what it started have ended). */
			close(c->master_fd);
			c->master_fd = -1;
			break;
		}
		if (c->file_fd >= 0) {
			for (ssize_t off = 0; off < r;) {
				ssize_t w = write(c->file_fd, buf + off, (size_t)(r - off));

				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0) {
					c->file_error = xasprintf("writing %s: %s", c->path,
								  w < 0 ? strerror(errno) : "short write");
					close(c->file_fd);
					c->file_fd = -1;
					break;
				}
				off += w;
			}
		}
		for (ssize_t i = 0; i < r; i++)
			feed(c, (unsigned char)buf[i]);
		c->cur[c->cur_len] = '\0';
		c->bytes += (uint64_t)r;
		total += (size_t)r;
	}
	return total;
}

size_t capture_tail(const struct capture *c, const char **out, size_t max)
{
	size_t partial, n, k = 0;

	if (!c || max == 0)
		return 0;
	partial = c->cur_len > 0 ? 1 : 0;
	n = c->n + partial > max ? max - partial : c->n;
	for (size_t i = 0; i < n; i++)
		out[k++] = c->lines[(c->head + CAPTURE_LINES - n + i) % CAPTURE_LINES];
	if (partial)
		out[k++] = c->cur;
	return k;
}

const char *capture_path(const struct capture *c)
{
	return c ? c->path : NULL;
}

uint64_t capture_bytes(const struct capture *c)
{
	return c ? c->bytes : 0;
}

uint64_t capture_lines(const struct capture *c)
{
	return c ? c->n_lines : 0;
}

const char *capture_file_error(const struct capture *c)
{
	return c ? c->file_error : NULL;
}

void capture_free(struct capture *c)
{
	if (!c)
		return;
	if (c->master_fd >= 0)
		close(c->master_fd);
	if (c->slave_fd >= 0)
		close(c->slave_fd);
	if (c->file_fd >= 0)
		close(c->file_fd);
	for (size_t i = 0; i < CAPTURE_LINES; i++)
		free(c->lines[i]);
	free(c->path);
	free(c->file_error);
	free(c);
}
