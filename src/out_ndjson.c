/* out_ndjson: whole-line NDJSON log with rotation and delta lines. */
#include "out_ndjson.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out_json.h"
#include "util.h"

/* Delta lines: what was last written for each entity, as a hash of its
 * JSON text; an entity is written again only when that hash changes. */
struct seen {
	char *key;
	uint64_t hash;
	uint32_t gen;
};

struct ndjson_log {
	char *path;
	int fd;
	bool is_stdout;
	enum ndjson_format fmt;
	int64_t max_bytes;
	int keep;
	off_t size;
	struct seen *seen;
	size_t n_seen, cap_seen;
	uint32_t gen;
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
	if (strcmp(path, "-") == 0) {
		l->is_stdout = true;
		l->fd = STDOUT_FILENO;
		return l;
	}
	if (open_log(l, err) < 0) {
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
	for (size_t i = 0; i < l->n_seen; i++)
		free(l->seen[i].key);
	free(l->seen);
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

int ndjson_write_text(struct ndjson_log *l, const char *line, char **err)
{
	size_t len = strlen(line), off = 0;
	char *buf;

	*err = NULL;
	if (needs_rotation(l, len) && rotate(l, err) < 0)
		return -1;
	/* One buffer, one write: readers never see half a line. */
	buf = xmalloc(len + 1);
	memcpy(buf, line, len);
	buf[len] = '\n';
	len++;
	while (off < len) {
		ssize_t w = write(l->fd, buf + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int saved = w < 0 ? errno : ENOSPC;

			free(buf);
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
	free(buf);
	l->size += (off_t)len;
	l->lines++;
	return 0;
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* True when the entity's JSON differs from what was last written. */
static bool changed(struct ndjson_log *l, const char *key, json_t *obj)
{
	char *text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	uint64_t h = fnv1a(text ? text : "");

	free(text);
	for (size_t i = 0; i < l->n_seen; i++) {
		if (strcmp(l->seen[i].key, key) == 0) {
			bool diff = l->seen[i].hash != h;

			l->seen[i].hash = h;
			l->seen[i].gen = l->gen;
			return diff;
		}
	}
	if (l->n_seen == l->cap_seen) {
		l->cap_seen = l->cap_seen ? l->cap_seen * 2 : 64;
		l->seen = xrealloc(l->seen, l->cap_seen * sizeof(*l->seen));
	}
	l->seen[l->n_seen++] = (struct seen){xstrdup(key), h, l->gen};
	return true;
}

static void forget_unseen(struct ndjson_log *l)
{
	size_t j = 0;

	for (size_t i = 0; i < l->n_seen; i++) {
		if (l->seen[i].gen == l->gen)
			l->seen[j++] = l->seen[i];
		else
			free(l->seen[i].key);
	}
	l->n_seen = j;
}

static json_t *delta_line(struct ndjson_log *l, const struct model *m)
{
	json_t *doc = out_json_header(m, "delta");
	json_t *procs = json_array(), *trees = json_array(), *cgs = json_array(), *evs = json_array();
	const struct event *first;
	size_t n;
	char key[64];

	l->gen++;
	for (size_t i = 0; i < m->n_procs; i++) {
		json_t *o = out_json_process(m->procs[i]);

		snprintf(key, sizeof(key), "p%d.%llu", (int)m->procs[i]->pid,
			 (unsigned long long)m->procs[i]->start_ticks);
		if (changed(l, key, o))
			json_array_append_new(procs, o);
		else
			json_decref(o);
	}
	for (size_t i = 0; i < m->n_trees; i++) {
		json_t *o = out_json_tree(m->trees[i]);

		snprintf(key, sizeof(key), "t%d", (int)m->trees[i]->root_pid);
		if (changed(l, key, o))
			json_array_append_new(trees, o);
		else
			json_decref(o);
	}
	for (size_t i = 0; i < m->n_cgroups; i++) {
		json_t *o = out_json_cgroup(m->cgroups[i]);
		char *ck = xasprintf("c%s", m->cgroups[i]->s.path);

		if (changed(l, ck, o))
			json_array_append_new(cgs, o);
		else
			json_decref(o);
		free(ck);
	}
	forget_unseen(l);
	n = model_events_this_tick(m, &first);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(evs, out_json_event(model_event_at(m, m->ev_len - n + i)));
	json_object_set_new(doc, "processes", procs);
	json_object_set_new(doc, "trees", trees);
	json_object_set_new(doc, "cgroups", cgs);
	json_object_set_new(doc, "events", evs);
	return doc;
}

static char *dump(json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);

	json_decref(doc);
	if (!text)
		fatal("out of memory (JSON)");
	return text;
}

static char *snapshot_line(const struct model *m)
{
	json_t *doc = out_json_snapshot(m, false);

	json_object_set_new(doc, "type", json_string("snapshot"));
	return dump(doc);
}

int ndjson_write(struct ndjson_log *l, const struct model *m, char **err)
{
	char *text;
	int rc;

	/* The first line of a delta log and of each rotated file is a whole
	 * snapshot, so every file can be replayed on its own. */
	if (l->fmt == NDJSON_DELTA && l->size > 0) {
		text = dump(delta_line(l, m));
		if (needs_rotation(l, strlen(text))) {
			free(text);
			text = snapshot_line(m);
		}
	} else {
		text = snapshot_line(m);
		if (l->fmt == NDJSON_DELTA)
			json_decref(delta_line(l, m)); /* remember what it held */
	}
	rc = ndjson_write_text(l, text, err);
	free(text);
	return rc;
}
