/* out_ndjson: whole-line NDJSON log with rotation and delta lines. */
#include "out_ndjson.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include "out_json.h"
#include "util.h"

struct ndjson_log {
	char *path;
	int dir_fd;	/* the log's directory, opened once: rotation stays in it */
	char *base;	/* the file's name in dir_fd */
	int fd;
	bool is_stdout;
	enum ndjson_format fmt;
	int64_t max_bytes;
	int keep;
	off_t size;
	struct out_json_cache *cache; /* each entity's last text, for reuse and deltas */
	uint64_t lines;
	gid_t gid;  /* group of new files ((gid_t)-1: none, mode 0600) */
	char *note; /* what opening the file repaired, or NULL */
};

/* A run killed in the middle of a write leaves a partial last line; the
 * next line appended would be glued onto it. Cut the file back to its last
 * newline (or, with none at all, start with one) and say so in l->note.
 * The file is open O_RDWR; l->size is its size. */
static int repair_tail(struct ndjson_log *l, char **err)
{
	char buf[65536], *shown;
	off_t end = l->size, cut = -1;
	ssize_t n;

	if (l->size == 0)
		return 0;
	if (pread(l->fd, buf, 1, l->size - 1) != 1)
		return 0; /* not readable (O_WRONLY fallback): appended as it is */
	if (buf[0] == '\n')
		return 0;
	while (end > 0 && cut < 0) {
		off_t from = end > (off_t)sizeof(buf) ? end - (off_t)sizeof(buf) : 0;

		n = pread(l->fd, buf, (size_t)(end - from), from);
		if (n != end - from)
			break;
		for (ssize_t i = n - 1; i >= 0; i--)
			if (buf[i] == '\n') {
				cut = from + i + 1;
				break;
			}
		end = from;
	}
	shown = util_sanitize(l->path);
	if (cut >= 0) {
		if (ftruncate(l->fd, cut) < 0) {
			*err = xasprintf("log %s ends in a partial line and cannot be cut back: %s", shown,
					 strerror(errno));
			free(shown);
			return -1;
		}
		l->note = xasprintf("log %s ended in a partial line of %jd bytes (a run killed mid-write): "
				    "cut back to its last whole line", shown, (intmax_t)(l->size - cut));
		l->size = cut;
	} else {
		if (write(l->fd, "\n", 1) != 1) {
			*err = xasprintf("cannot write log %s: %s", shown, strerror(errno));
			free(shown);
			return -1;
		}
		l->note = xasprintf("log %s held %jd bytes and no newline: new lines start after a newline",
				    shown, (intmax_t)l->size);
		l->size++;
	}
	free(shown);
	return 0;
}

/* Another user must not redirect what memslope writes: the file is opened
 * relative to the directory held since the start, never through a symbolic
 * link, and must be a regular file (or /dev/null). As root, a file of
 * another user, or one with a second name (hard link), is refused too. */
static int open_log(struct ndjson_log *l, char **err)
{
	struct stat st;
	char *shown = util_sanitize(l->path);
	bool is_null, created;
	int fl;

	/* Read and write: the tail is checked for a partial line. A new file
	 * is 0600 (it holds what /proc may hide from other users: command
	 * lines, PSS under hidepid), 0640 in --file-group's group; an existing
	 * one keeps its mode. */
	l->fd = openat(l->dir_fd, l->base, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC | O_NONBLOCK, 0600);
	created = l->fd >= 0;
	if (l->fd < 0 && errno == EEXIST)
		l->fd = openat(l->dir_fd, l->base, O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (l->fd < 0 && errno == EACCES)
		l->fd = openat(l->dir_fd, l->base, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (l->fd < 0) {
		if (errno == ELOOP)
			*err = xasprintf("log %s is a symbolic link: refused (give the file it points to)", shown);
		else if (errno == ENXIO)
			*err = xasprintf("log %s is not a regular file", shown);
		else
			*err = xasprintf("cannot open log %s: %s", shown, strerror(errno));
		free(shown);
		return -1;
	}
	if (fstat(l->fd, &st) < 0) {
		*err = xasprintf("cannot open log %s: %s", shown, strerror(errno));
		goto refused;
	}
	is_null = S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3;
	if (!S_ISREG(st.st_mode) && !is_null) {
		*err = xasprintf("log %s is not a regular file", shown);
		goto refused;
	}
	if (geteuid() == 0 && !is_null && st.st_uid != 0) {
		*err = xasprintf("log %s belongs to uid %u, not root: memslope runs as root and does not write "
				 "another user's file", shown, (unsigned)st.st_uid);
		goto refused;
	}
	if (geteuid() == 0 && !is_null && st.st_nlink > 1) {
		*err = xasprintf("log %s has %ju hard links: refused as root", shown, (uintmax_t)st.st_nlink);
		goto refused;
	}
	if (created && l->gid != (gid_t)-1 && (fchown(l->fd, (uid_t)-1, l->gid) < 0 || fchmod(l->fd, 0640) < 0)) {
		*err = xasprintf("log %s: cannot give it to group %u: %s", shown, (unsigned)l->gid, strerror(errno));
		goto refused;
	}
	fl = fcntl(l->fd, F_GETFL);
	if (fl < 0 || fcntl(l->fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		*err = xasprintf("cannot open log %s: %s", shown, strerror(errno));
		goto refused;
	}
	free(shown);
	l->size = S_ISREG(st.st_mode) ? st.st_size : 0;
	if (S_ISREG(st.st_mode) && repair_tail(l, err) < 0) {
		close(l->fd);
		l->fd = -1;
		return -1;
	}
	return 0;
refused:
	close(l->fd);
	l->fd = -1;
	free(shown);
	return -1;
}

/* The directory of path, opened; the last component in *base. */
static int open_dir(struct ndjson_log *l, char **err)
{
	const char *slash = strrchr(l->path, '/');
	char *dir;

	if (!slash) {
		dir = xstrdup(".");
		l->base = xstrdup(l->path);
	} else {
		dir = slash == l->path ? xstrdup("/") : xasprintf("%.*s", (int)(slash - l->path), l->path);
		l->base = xstrdup(slash + 1);
	}
	l->dir_fd = *l->base ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (l->dir_fd < 0) {
		char *shown = util_sanitize(l->path);

		*err = *l->base ? xasprintf("cannot open log %s: %s", shown, strerror(errno))
				: xasprintf("log %s names a directory, not a file", shown);
		free(shown);
		free(dir);
		return -1;
	}
	free(dir);
	return 0;
}

struct ndjson_log *ndjson_open(const char *path, enum ndjson_format fmt, int64_t max_bytes,
			       int keep, gid_t gid, char **err)
{
	struct ndjson_log *l = xcalloc(1, sizeof(*l));

	l->gid = gid;
	l->path = xstrdup(path);
	l->fmt = fmt;
	l->max_bytes = max_bytes;
	l->keep = keep > 0 ? keep : 1;
	l->cache = out_json_cache_new();
	l->dir_fd = -1;
	l->fd = -1;
	if (strcmp(path, "-") == 0) {
		l->is_stdout = true;
		l->fd = STDOUT_FILENO;
		return l;
	}
	if (open_dir(l, err) < 0 || open_log(l, err) < 0) {
		ndjson_close(l);
		return NULL;
	}
	return l;
}

const char *ndjson_note(const struct ndjson_log *l)
{
	return l->note;
}

void ndjson_close(struct ndjson_log *l)
{
	if (!l)
		return;
	if (!l->is_stdout && l->fd >= 0)
		close(l->fd);
	if (l->dir_fd >= 0)
		close(l->dir_fd);
	out_json_cache_free(l->cache);
	free(l->base);
	free(l->note);
	free(l->path);
	free(l);
}

/* Renames stay in the directory opened at the start (renameat), so a
 * directory swapped in the path meanwhile is never written to. */
static int rotate(struct ndjson_log *l, char **err)
{
	char *from, *to;

	close(l->fd);
	l->fd = -1;
	for (int i = l->keep - 1; i >= 0; i--) {
		from = i ? xasprintf("%s.%d", l->base, i) : xstrdup(l->base);
		to = xasprintf("%s.%d", l->base, i + 1);
		if (renameat(l->dir_fd, from, l->dir_fd, to) < 0 && errno != ENOENT) {
			char *reopen_err = NULL, *shown = util_sanitize(l->path);

			*err = xasprintf("cannot rotate log %s (%s): %s", shown, i ? "older file" : "current file",
					 strerror(errno));
			free(shown);
			free(from);
			free(to);
			if (open_log(l, &reopen_err) < 0)
				free(reopen_err);
			return -1;
		}
		free(from);
		free(to);
	}
	return open_log(l, err);
}

static bool needs_rotation(const struct ndjson_log *l, size_t len)
{
	return !l->is_stdout && l->max_bytes > 0 && l->size > 0 &&
	       l->size + (off_t)len + 1 > l->max_bytes;
}

/* Append line (len bytes, no newline) and a newline with one writev. */
static int write_line(struct ndjson_log *l, const char *line, size_t len, char **err)
{
	struct iovec iov[2] = {{(void *)line, len}, {(void *)"\n", 1}};
	size_t total = len + 1, off = 0;

	*err = NULL;
	if (needs_rotation(l, len) && rotate(l, err) < 0)
		return -1;
	/* One call for the whole line: readers never see half a line. */
	while (off < total) {
		ssize_t w;

		if (off < len) {
			iov[0].iov_base = (char *)line + off;
			iov[0].iov_len = len - off;
			w = writev(l->fd, iov, 2);
		} else {
			w = write(l->fd, "\n", 1);
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int saved = w < 0 ? errno : ENOSPC;

			if (l->is_stdout) {
				if (saved == EPIPE)
					return -1; /* reader went away: not an error */
				*err = xasprintf("cannot write log to stdout: %s", strerror(saved));
				return -1;
			}
			/* Cut the partial line back off: the log keeps whole lines. */
			if (off > 0 && ftruncate(l->fd, l->size) < 0) {
				*err = xasprintf("cannot write log %s: %s (and cannot remove the partial line: %s)",
						 l->path, strerror(saved), strerror(errno));
				return -1;
			}
			*err = xasprintf("cannot write log %s: %s", l->path, strerror(saved));
			return -1;
		}
		off += (size_t)w;
	}
	l->size += (off_t)total;
	l->lines++;
	return 0;
}

int ndjson_write(struct ndjson_log *l, const struct model *m, char **err)
{
	const char *text;
	size_t len;

	/* The first line of each run (also when appending to an older log:
	 * what died in between must not stay alive in a replay) and of each
	 * rotated file is a whole snapshot, so every file can be replayed on
	 * its own. */
	if (l->fmt == NDJSON_DELTA && l->lines > 0 && l->size > 0) {
		text = out_json_line(l->cache, m, true, &len);
		if (needs_rotation(l, len))
			text = out_json_line(l->cache, m, false, &len);
	} else {
		text = out_json_line(l->cache, m, false, &len);
	}
	return write_line(l, text, len, err);
}
