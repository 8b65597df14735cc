/* out_ndjson: whole-line NDJSON log with rotation and delta lines. */
#include "out_ndjson.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "out_json.h"
#include "util.h"

struct ndjson_log {
	char *path;
	int fd;
	bool is_stdout;
	enum ndjson_format fmt;
	int64_t max_bytes;
	int keep;
	off_t size;
	struct out_json_cache *cache; /* each entity's last text, for reuse and deltas */
	uint64_t lines;
};

static int open_log(struct ndjson_log *l, char **err)
{
	struct stat st;

	l->fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (l->fd < 0) {
		*err = xasprintf("cannot open log %s: %s", l->path, strerror(errno));
		return -1;
	}
	l->size = fstat(l->fd, &st) == 0 ? st.st_size : 0;
	return 0;
}

struct ndjson_log *ndjson_open(const char *path, enum ndjson_format fmt, int64_t max_bytes,
			       int keep, char **err)
{
	struct ndjson_log *l = xcalloc(1, sizeof(*l));

	l->path = xstrdup(path);
	l->fmt = fmt;
	l->max_bytes = max_bytes;
	l->keep = keep > 0 ? keep : 1;
	l->cache = out_json_cache_new();
	if (strcmp(path, "-") == 0) {
		l->is_stdout = true;
		l->fd = STDOUT_FILENO;
		return l;
	}
	if (open_log(l, err) < 0) {
		out_json_cache_free(l->cache);
		free(l->path);
		free(l);
		return NULL;
	}
	return l;
}

void ndjson_close(struct ndjson_log *l)
{
	if (!l)
		return;
	if (!l->is_stdout && l->fd >= 0)
		close(l->fd);
	out_json_cache_free(l->cache);
	free(l->path);
	free(l);
}

static int rotate(struct ndjson_log *l, char **err)
{
	char *from, *to;

	close(l->fd);
	l->fd = -1;
	for (int i = l->keep - 1; i >= 0; i--) {
		from = i ? xasprintf("%s.%d", l->path, i) : xstrdup(l->path);
		to = xasprintf("%s.%d", l->path, i + 1);
		if (rename(from, to) < 0 && errno != ENOENT) {
			char *reopen_err = NULL;

			*err = xasprintf("cannot rotate log %s: %s", from, strerror(errno));
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

	/* The first line of a delta log and of each rotated file is a whole
	 * snapshot, so every file can be replayed on its own. */
	if (l->fmt == NDJSON_DELTA && l->size > 0) {
		text = out_json_line(l->cache, m, true, &len);
		if (needs_rotation(l, len))
			text = out_json_line(l->cache, m, false, &len);
	} else {
		text = out_json_line(l->cache, m, false, &len);
	}
	return write_line(l, text, len, err);
}
