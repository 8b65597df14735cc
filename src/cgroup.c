/* cgroup: find the memory controller and read one cgroup's counters (sample
 * stage). The only file that knows cgroup file names and formats.
 *
 * Invariants: every value starts MS_ABSENT and becomes a number only when its
 * file was read and parsed; "max" and the v1 sentinel become MS_UNLIMITED.
 * Paths handed out are normalised ("/" or "/a/b": no "..", no "//", no
 * trailing "/"), so joining one to mount_dir never leaves the mount. The
 * parsers take arbitrary NUL-terminated text and never read past the NUL. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* d_type, lstat, strtok_r under -std=c11 */
#endif
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

/* v1 shows "unlimited" as PAGE_COUNTER_MAX pages: 9223372036854771712 with
 * 4 KiB pages, a little less with larger pages. No real amount of memory
 * comes near 2^62, so everything from there up means "no limit". */
#define V1_UNLIMITED_MIN (INT64_C(1) << 62)
/* cgroup.max.depth is unlimited by default; real trees are a handful deep. */
#define WALK_DEPTH_MAX 32
#define MOUNTINFO_FIELDS_MAX 64

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}

static const char *next_line(const char *line)
{
	const char *nl = strchr(line, '\n');

	return nl ? nl + 1 : line + strlen(line);
}

static size_t line_len(const char *line)
{
	return strcspn(line, "\n");
}

static char *copy_n(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Decimal digits at *p into *v, *p moved past them. -1 when there is no
 * digit or the number does not fit an int64_t. */
static int parse_digits(const char **p, int64_t *v)
{
	const char *s = *p;
	int64_t n = 0;

	if (!is_digit(*s))
		return -1;
	for (; is_digit(*s); s++) {
		int d = *s - '0';

		if (n > (INT64_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*p = s;
	*v = n;
	return 0;
}

/* One value token: digits or "max". The caller checks what follows. */
static int parse_value_token(const char **p, int64_t *v)
{
	int64_t n;

	if (strncmp(*p, "max", 3) == 0) {
		*p += 3;
		*v = MS_UNLIMITED;
		return 0;
	}
	if (parse_digits(p, &n) < 0)
		return -1;
	*v = n >= V1_UNLIMITED_MIN ? MS_UNLIMITED : n;
	return 0;
}

/* The value part of a "key value" line: one token, then only blanks. */
static int parse_line_value(const char *p, int64_t *v)
{
	int64_t n;

	while (is_blank(*p))
		p++;
	if (parse_value_token(&p, &n) < 0)
		return -1;
	while (is_blank(*p))
		p++;
	if (*p != '\0' && *p != '\n')
		return -1;
	*v = n;
	return 0;
}

int cgroup_parse_value(const char *text, int64_t *v)
{
	const char *p = text;
	int64_t n;

	if (!text)
		return -1;
	while (is_blank(*p))
		p++;
	if (parse_value_token(&p, &n) < 0)
		return -1;
	while (is_blank(*p) || *p == '\n')
		p++;
	if (*p != '\0')
		return -1;
	*v = n;
	return 0;
}

int cgroup_parse_flat_key(const char *text, const char *key, int64_t *v)
{
	const char *line;
	size_t klen;

	if (!text || !key || !*key)
		return -1;
	klen = strlen(key);
	for (line = text; *line; line = next_line(line)) {
		/* strncmp stops at the line's NUL, so line[klen] is in bounds. */
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ')
			return parse_line_value(line + klen + 1, v);
	}
	return -1;
}

/* "12.34" as the kernel prints PSI averages (%lu.%02lu). Hand-parsed because
 * strtod follows LC_NUMERIC, which the TUI sets from the environment. */
static int parse_fixed(const char **p, double *out)
{
	int64_t ip, frac = 0;
	double scale = 1;

	if (parse_digits(p, &ip) < 0)
		return -1;
	if (**p == '.') {
		(*p)++;
		if (!is_digit(**p))
			return -1;
		for (; is_digit(**p); (*p)++) {
			if (scale < 1e15) {
				frac = frac * 10 + (**p - '0');
				scale *= 10;
			}
		}
	}
	*out = (double)ip + (double)frac / scale;
	return 0;
}

/* The fields after "some "/"full ": avg10= avg60= avg300= total=, any order;
 * unknown fields are skipped, all four are required. */
static int parse_psi_fields(const char *p, double avg[3], int64_t *total_us)
{
	static const char *const names[] = { "avg10=", "avg60=", "avg300=", "total=" };
	unsigned seen = 0;

	for (;;) {
		size_t i;

		while (is_blank(*p))
			p++;
		if (*p == '\0' || *p == '\n')
			break;
		for (i = 0; i < 4; i++) {
			if (strncmp(p, names[i], strlen(names[i])) == 0)
				break;
		}
		if (i < 4) {
			p += strlen(names[i]);
			if (i < 3 ? parse_fixed(&p, &avg[i]) < 0 : parse_digits(&p, total_us) < 0)
				return -1;
			seen |= 1u << i;
			if (*p != '\0' && *p != '\n' && !is_blank(*p))
				return -1;
		} else {
			while (*p != '\0' && *p != '\n' && !is_blank(*p))
				p++;
		}
	}
	return seen == 0xf ? 0 : -1;
}

static void psi_clear(struct cgroup_psi *psi)
{
	psi->present = false;
	psi->some_avg10 = psi->some_avg60 = psi->some_avg300 = NAN;
	psi->full_avg10 = psi->full_avg60 = psi->full_avg300 = NAN;
	psi->some_total_us = psi->full_total_us = MS_ABSENT;
}

int cgroup_parse_psi(const char *text, struct cgroup_psi *psi)
{
	double some[3] = { NAN, NAN, NAN }, full[3] = { NAN, NAN, NAN };
	int64_t some_total = MS_ABSENT, full_total = MS_ABSENT;
	bool have_some = false;
	const char *line;

	psi_clear(psi);
	if (!text)
		return -1;
	for (line = text; *line; line = next_line(line)) {
		if (strncmp(line, "some ", 5) == 0) {
			if (parse_psi_fields(line + 5, some, &some_total) < 0)
				return -1;
			have_some = true;
		} else if (strncmp(line, "full ", 5) == 0) {
			if (parse_psi_fields(line + 5, full, &full_total) < 0)
				return -1;
		}
	}
	/* cpu.pressure had no "full" line before 5.13: require only "some". */
	if (!have_some)
		return -1;
	psi->present = true;
	psi->some_avg10 = some[0];
	psi->some_avg60 = some[1];
	psi->some_avg300 = some[2];
	psi->some_total_us = some_total;
	psi->full_avg10 = full[0];
	psi->full_avg60 = full[1];
	psi->full_avg300 = full[2];
	psi->full_total_us = full_total;
	return 0;
}

int cgroup_parse_stat(const char *text, struct cgroup_kv **kv, size_t *n)
{
	struct cgroup_kv *a = NULL;
	size_t cnt = 0, cap = 0;
	const char *line;
	int rc = 0;

	*kv = NULL;
	*n = 0;
	if (!text)
		return -1;
	for (line = text; *line; line = next_line(line)) {
		const char *p = line;
		size_t klen;
		int64_t v;

		while (is_key_char(*p))
			p++;
		klen = (size_t)(p - line);
		if (klen == 0 && (*p == '\n' || *p == '\0'))
			continue;
		if (klen == 0 || *p != ' ' || parse_line_value(p + 1, &v) < 0) {
			rc = -1;
			continue;
		}
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			a = xrealloc(a, cap * sizeof(*a));
		}
		a[cnt].key = copy_n(line, klen);
		a[cnt].value = v;
		cnt++;
	}
	*kv = a;
	*n = cnt;
	return rc;
}

void cgroup_kv_free(struct cgroup_kv *kv, size_t n)
{
	size_t i;

	if (!kv)
		return;
	for (i = 0; i < n; i++)
		free(kv[i].key);
	free(kv);
}

/* True when the comma-separated list holds word as a whole item. */
static bool list_has(const char *list, const char *word)
{
	size_t wlen = strlen(word);
	const char *p = list;

	for (;;) {
		size_t len = strcspn(p, ",");

		if (len == wlen && strncmp(p, word, wlen) == 0)
			return true;
		if (p[len] == '\0')
			return false;
		p += len + 1;
	}
}

static bool is_octal(char c)
{
	return c >= '0' && c <= '7';
}

/* Undo mountinfo's octal escapes (\040 space, \011 tab, \012 newline, \134
 * backslash) in place. -1 on \000 or an out-of-range code. */
static int unescape_octal(char *s)
{
	char *r = s, *w = s;

	while (*r) {
		if (r[0] == '\\' && is_octal(r[1]) && is_octal(r[2]) && is_octal(r[3])) {
			int c = (r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0');

			if (c == 0 || c > 255)
				return -1;
			*w++ = (char)c;
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return 0;
}

/* Drop trailing slashes, keeping a lone "/". */
static void trim_slashes(char *s)
{
	size_t n = strlen(s);

	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
}

struct mount_pick {
	char *dir, *root;
};

static void pick_offer(struct mount_pick *pick, const char *dir, const char *root)
{
	/* Several mounts of one hierarchy (bind mounts of sub-cgroups): keep
	 * the first, unless a later one shows the whole tree. */
	bool better = !pick->dir || (strcmp(pick->root, "/") != 0 && strcmp(root, "/") == 0);

	if (!better)
		return;
	free(pick->dir);
	free(pick->root);
	pick->dir = xstrdup(dir);
	pick->root = xstrdup(root);
}

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...]
 * - FSTYPE SOURCE SUPEROPTS" (proc(5)). */
static void mountinfo_line(char *buf, struct mount_pick *v1, struct mount_pick *v2)
{
	char *f[MOUNTINFO_FIELDS_MAX];
	struct mount_pick *pick;
	size_t n = 0, sep, i;
	char *p = buf;

	while (n < MOUNTINFO_FIELDS_MAX) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		f[n++] = p;
		p += strcspn(p, " ");
		if (*p)
			*p++ = '\0';
	}
	sep = 0;
	for (i = 6; i < n; i++) {
		if (strcmp(f[i], "-") == 0) {
			sep = i;
			break;
		}
	}
	if (sep == 0 || sep + 3 >= n)
		return;
	if (strcmp(f[sep + 1], "cgroup") == 0 && list_has(f[sep + 3], "memory"))
		pick = v1;
	else if (strcmp(f[sep + 1], "cgroup2") == 0)
		pick = v2;
	else
		return;
	if (unescape_octal(f[3]) < 0 || unescape_octal(f[4]) < 0)
		return;
	if (f[3][0] != '/' || f[4][0] != '/')
		return;
	trim_slashes(f[3]);
	trim_slashes(f[4]);
	pick_offer(pick, f[4], f[3]);
}

int cgroup_parse_mountinfo(const char *text, struct cgroup_fs *fs)
{
	struct mount_pick v1 = { NULL, NULL }, v2 = { NULL, NULL };
	const char *line;

	memset(fs, 0, sizeof(*fs));
	if (!text)
		return -1;
	for (line = text; *line; line = next_line(line)) {
		char *buf = copy_n(line, line_len(line));

		mountinfo_line(buf, &v1, &v2);
		free(buf);
	}
	/* Hybrid hosts mount cgroup2 too, but the memory controller stays in
	 * the v1 hierarchy when one has it. */
	if (v1.dir) {
		fs->version = CGROUP_V1;
		fs->mount_dir = v1.dir;
		fs->mount_root = v1.root;
		free(v2.dir);
		free(v2.root);
		return 0;
	}
	if (v2.dir) {
		fs->version = CGROUP_V2;
		fs->mount_dir = v2.dir;
		fs->mount_root = v2.root;
		return 0;
	}
	return -1;
}

/* "/a//b/./c/" -> "/a/b/c"; "" -> "/". NULL when a ".." component could
 * climb out of the mount. Caller frees. */
static char *path_norm(const char *in)
{
	char *out = xmalloc(strlen(in) + 2), *w = out;
	const char *p = in;

	for (;;) {
		size_t len;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			free(out);
			return NULL;
		}
		if (!(len == 1 && p[0] == '.')) {
			*w++ = '/';
			memcpy(w, p, len);
			w += len;
		}
		p += len;
	}
	if (w == out)
		*w++ = '/';
	*w = '\0';
	return out;
}

/* The part of a /proc/PID/cgroup path below the mount's root: a container's
 * mount of "/docker/ID" shows that cgroup as "/". Unchanged when path is not
 * under root. */
static const char *strip_root(const char *root, const char *path)
{
	size_t rlen;

	if (!root || strcmp(root, "/") == 0 || root[0] == '\0')
		return path;
	rlen = strlen(root);
	if (strncmp(path, root, rlen) == 0 && (path[rlen] == '\0' || path[rlen] == '/'))
		return path + rlen;
	return path;
}

char *cgroup_parse_proc_cgroup(const struct cgroup_fs *fs, const char *text)
{
	static const char deleted[] = " (deleted)";
	const char *line;
	char *result = NULL;

	if (!fs || !text || fs->version == CGROUP_NONE)
		return NULL;
	for (line = text; *line; line = next_line(line)) {
		char *buf = copy_n(line, line_len(line));
		char *c1 = strchr(buf, ':'), *c2, *path;
		bool match;

		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2) {
			free(buf);
			continue;
		}
		*c1 = *c2 = '\0';
		path = c2 + 1;
		if (fs->version == CGROUP_V1)
			match = list_has(c1 + 1, "memory");
		else
			match = strcmp(buf, "0") == 0 && c1[1] == '\0';
		if (match) {
			size_t plen = strlen(path), dlen = sizeof(deleted) - 1;

			/* v2 marks a removed cgroup this way; its files are gone
			 * either way, and cgroup_read reports that. */
			if (plen > dlen && strcmp(path + plen - dlen, deleted) == 0)
				path[plen - dlen] = '\0';
			if (path[0] == '/')
				result = path_norm(strip_root(fs->mount_root, path));
			free(buf);
			break;
		}
		free(buf);
	}
	return result;
}

char *cgroup_path_of_pid(const struct cgroup_fs *fs, pid_t pid)
{
	char file[64];
	char *text, *path;

	snprintf(file, sizeof(file), "/proc/%ld/cgroup", (long)pid);
	text = util_read_file(file, NULL);
	if (!text)
		return NULL;
	path = cgroup_parse_proc_cgroup(fs, text);
	free(text);
	return path;
}

int cgroup_fs_discover(struct cgroup_fs *fs, const char *mountinfo_path, char **err)
{
	char *text;
	int rc;

	if (err)
		*err = NULL;
	text = util_read_file(mountinfo_path, NULL);
	if (!text) {
		int saved = errno;

		memset(fs, 0, sizeof(*fs));
		if (err)
			*err = xasprintf("cannot read %s: %s", mountinfo_path, strerror(saved));
		return -1;
	}
	rc = cgroup_parse_mountinfo(text, fs);
	free(text);
	if (rc < 0 && err)
		*err = xasprintf("no cgroup memory controller is mounted (per %s); "
				 "use --cgroup-root DIR", mountinfo_path);
	return rc;
}

static bool dir_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool file_in(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	struct stat st;
	bool ok = stat(p, &st) == 0 && S_ISREG(st.st_mode);

	free(p);
	return ok;
}

static char *read_text(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	char *text = util_read_kept(p, NULL);

	free(p);
	return text;
}

int cgroup_fs_open_root(struct cgroup_fs *fs, const char *dir, char **err)
{
	struct stat st;
	char *d, *controllers;

	memset(fs, 0, sizeof(*fs));
	if (err)
		*err = NULL;
	if (stat(dir, &st) < 0) {
		int saved = errno;

		if (err)
			*err = xasprintf("--cgroup-root %s: %s", dir, strerror(saved));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (err)
			*err = xasprintf("--cgroup-root %s: not a directory", dir);
		return -1;
	}
	d = xstrdup(dir);
	trim_slashes(d);
	if (file_in(d, "memory.usage_in_bytes")) {
		fs->version = CGROUP_V1;
	} else if (file_in(d, "memory.current")) {
		fs->version = CGROUP_V2;
	} else if ((controllers = read_text(d, "cgroup.controllers"))) {
		bool has_memory = false;
		char *tok, *save = NULL;

		for (tok = strtok_r(controllers, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save))
			has_memory = has_memory || strcmp(tok, "memory") == 0;
		free(controllers);
		if (has_memory) {
			fs->version = CGROUP_V2;
		} else if (err) {
			*err = xasprintf("--cgroup-root %s: a cgroup v2 tree without the memory "
					 "controller (not in cgroup.controllers)", dir);
		}
	} else if (err) {
		*err = xasprintf("--cgroup-root %s: not a cgroup tree (no cgroup.controllers, "
				 "memory.current or memory.usage_in_bytes)", dir);
	}
	if (fs->version == CGROUP_NONE) {
		free(d);
		return -1;
	}
	fs->mount_dir = d;
	fs->mount_root = xstrdup("/");
	return 0;
}

void cgroup_fs_done(struct cgroup_fs *fs)
{
	if (!fs)
		return;
	free(fs->mount_dir);
	free(fs->mount_root);
	memset(fs, 0, sizeof(*fs));
}

/* rel is normalised: "/" or "/a/b". */
static char *path_join(const struct cgroup_fs *fs, const char *rel)
{
	if (strcmp(rel, "/") == 0)
		return xstrdup(fs->mount_dir);
	if (strcmp(fs->mount_dir, "/") == 0)
		return xstrdup(rel);
	return xasprintf("%s%s", fs->mount_dir, rel);
}

/* "/a/b" -> "/a", "/a" -> "/", in place. */
static void path_parent(char *p)
{
	char *slash = strrchr(p, '/');

	if (!slash || slash == p)
		strcpy(p, "/");
	else
		*slash = '\0';
}

static int64_t read_value(const char *dir, const char *name)
{
	char *text = read_text(dir, name);
	int64_t v;

	if (!text)
		return MS_ABSENT;
	if (cgroup_parse_value(text, &v) < 0)
		v = MS_ABSENT;
	free(text);
	return v;
}

static int64_t text_key(const char *text, const char *key)
{
	int64_t v;

	if (!text || cgroup_parse_flat_key(text, key, &v) < 0)
		return MS_ABSENT;
	return v;
}

static bool is_limit(int64_t v)
{
	return ms_has(v) && v != MS_UNLIMITED;
}

static void sample_clear(struct cgroup_sample *s)
{
	s->exists = false;
	s->current_bytes = s->max_bytes = s->high_bytes = MS_ABSENT;
	s->low_bytes = s->min_bytes = s->peak_bytes = MS_ABSENT;
	s->swap_current_bytes = s->swap_max_bytes = MS_ABSENT;
	s->ev_low = s->ev_high = s->ev_max = MS_ABSENT;
	s->ev_oom = s->ev_oom_kill = s->ev_oom_group_kill = MS_ABSENT;
	s->ev_oom_kill_local = MS_ABSENT;
	s->v1_failcnt = s->v1_under_oom = s->v1_oom_kill_disable = MS_ABSENT;
	cgroup_kv_free(s->stat, s->n_stat);
	s->stat = NULL;
	s->n_stat = 0;
	psi_clear(&s->pressure);
	s->working_set_bytes = MS_ABSENT;
	s->effective_limit_bytes = s->effective_high_bytes = MS_ABSENT;
	free(s->effective_limit_source);
	free(s->effective_high_source);
	s->effective_limit_source = s->effective_high_source = NULL;
}

/* Smallest limit in file over path and its ancestors, given the leaf's own
 * value. Ties go to the deepest cgroup: it reaches the limit first. */
static int64_t tightest(const struct cgroup_fs *fs, const char *path, const char *file,
			int64_t leaf, char **source)
{
	char *p = xstrdup(path);
	int64_t best = MS_UNLIMITED, v = leaf;

	*source = NULL;
	for (;;) {
		char *dir;

		if (is_limit(v) && v < best) {
			best = v;
			free(*source);
			*source = xstrdup(p);
		}
		if (strcmp(p, "/") == 0)
			break;
		path_parent(p);
		dir = path_join(fs, p);
		v = read_value(dir, file);
		free(dir);
	}
	free(p);
	return best;
}

static void working_set(struct cgroup_sample *s, const char *inactive_key)
{
	int64_t inactive = cgroup_stat_get(s, inactive_key);

	if (!ms_has(s->current_bytes) || s->current_bytes == MS_UNLIMITED)
		s->working_set_bytes = s->current_bytes;
	else if (!is_limit(inactive))
		s->working_set_bytes = s->current_bytes;
	else
		/* Counters are read at different instants: clamp, never negative. */
		s->working_set_bytes = s->current_bytes > inactive ? s->current_bytes - inactive : 0;
}

static void read_stat_file(const char *dir, struct cgroup_sample *s)
{
	char *text = read_text(dir, "memory.stat");

	if (text) {
		cgroup_parse_stat(text, &s->stat, &s->n_stat);
		free(text);
	}
}

static void read_v2(const struct cgroup_fs *fs, const char *dir, struct cgroup_sample *s)
{
	char *text;

	s->current_bytes = read_value(dir, "memory.current");
	s->max_bytes = read_value(dir, "memory.max");
	s->high_bytes = read_value(dir, "memory.high");
	s->low_bytes = read_value(dir, "memory.low");
	s->min_bytes = read_value(dir, "memory.min");
	s->peak_bytes = read_value(dir, "memory.peak");
	s->swap_current_bytes = read_value(dir, "memory.swap.current");
	s->swap_max_bytes = read_value(dir, "memory.swap.max");
	text = read_text(dir, "memory.events");
	s->ev_low = text_key(text, "low");
	s->ev_high = text_key(text, "high");
	s->ev_max = text_key(text, "max");
	s->ev_oom = text_key(text, "oom");
	s->ev_oom_kill = text_key(text, "oom_kill");
	s->ev_oom_group_kill = text_key(text, "oom_group_kill");
	free(text);
	text = read_text(dir, "memory.events.local");
	s->ev_oom_kill_local = text_key(text, "oom_kill");
	free(text);
	read_stat_file(dir, s);
	text = read_text(dir, "memory.pressure");
	if (text) {
		cgroup_parse_psi(text, &s->pressure);
		free(text);
	}
	working_set(s, "inactive_file");
	s->effective_limit_bytes = tightest(fs, s->path, "memory.max", s->max_bytes,
					    &s->effective_limit_source);
	s->effective_high_bytes = tightest(fs, s->path, "memory.high", s->high_bytes,
					   &s->effective_high_source);
}

static void read_v1(const struct cgroup_fs *fs, const char *dir, struct cgroup_sample *s)
{
	int64_t memsw, hier;
	char *text;

	s->current_bytes = read_value(dir, "memory.usage_in_bytes");
	s->max_bytes = read_value(dir, "memory.limit_in_bytes");
	s->peak_bytes = read_value(dir, "memory.max_usage_in_bytes");
	s->v1_failcnt = read_value(dir, "memory.failcnt");
	/* memsw files exist only with swap accounting on (swapaccount=1). */
	memsw = read_value(dir, "memory.memsw.usage_in_bytes");
	if (is_limit(memsw) && is_limit(s->current_bytes))
		s->swap_current_bytes = memsw > s->current_bytes ? memsw - s->current_bytes : 0;
	s->swap_max_bytes = read_value(dir, "memory.memsw.limit_in_bytes");
	text = read_text(dir, "memory.oom_control");
	s->v1_oom_kill_disable = text_key(text, "oom_kill_disable");
	s->v1_under_oom = text_key(text, "under_oom");
	/* The oom_kill line came in 4.13; older kernels leave it absent. */
	s->ev_oom_kill = text_key(text, "oom_kill");
	free(text);
	/* failcnt counts hits of limit_in_bytes, as memory.events "max" counts
	 * hits of memory.max. v1 counts nothing like low/high/oom/group kills. */
	s->ev_max = s->v1_failcnt;
	read_stat_file(dir, s);
	working_set(s, "total_inactive_file");
	s->effective_limit_bytes = tightest(fs, s->path, "memory.limit_in_bytes", s->max_bytes,
					    &s->effective_limit_source);
	/* hierarchical_memory_limit also sees ancestors above the mount root (a
	 * container's view); if it is tighter than anything visible, the only
	 * cgroup we can name is the leaf. */
	hier = cgroup_stat_get(s, "hierarchical_memory_limit");
	if (is_limit(hier) && hier < s->effective_limit_bytes) {
		s->effective_limit_bytes = hier;
		free(s->effective_limit_source);
		s->effective_limit_source = xstrdup(s->path);
	}
}

void cgroup_sample_gone(struct cgroup_sample *out, enum cgroup_version version, const char *path)
{
	memset(out, 0, sizeof(*out));
	sample_clear(out);
	out->version = version;
	out->path = xstrdup(path);
}

void cgroup_read(const struct cgroup_fs *fs, const char *path, struct cgroup_sample *out)
{
	char *dir;

	memset(out, 0, sizeof(*out));
	sample_clear(out);
	out->version = fs->version;
	out->path = path ? path_norm(path) : NULL;
	if (!out->path) {
		out->path = xstrdup(path ? path : "");
		return;
	}
	if (fs->version == CGROUP_NONE || !fs->mount_dir)
		return;
	dir = path_join(fs, out->path);
	if (!dir_exists(dir)) {
		free(dir);
		return;
	}
	out->exists = true;
	if (fs->version == CGROUP_V2)
		read_v2(fs, dir, out);
	else
		read_v1(fs, dir, out);
	/* Removed while we read: its files vanish one by one (ENODEV/ENOENT),
	 * so a half-read sample would mix real and absent values. */
	if (!dir_exists(dir))
		sample_clear(out);
	free(dir);
}

void cgroup_sample_done(struct cgroup_sample *s)
{
	if (!s)
		return;
	sample_clear(s);
	free(s->path);
	s->path = NULL;
}

int64_t cgroup_stat_get(const struct cgroup_sample *s, const char *key)
{
	size_t i;

	if (!s || !key)
		return MS_ABSENT;
	for (i = 0; i < s->n_stat; i++) {
		if (strcmp(s->stat[i].key, key) == 0)
			return s->stat[i].value;
	}
	return MS_ABSENT;
}

bool cgroup_exists(const struct cgroup_fs *fs, const char *path)
{
	char *norm, *dir;
	bool ok;

	if (!path || !fs->mount_dir || !(norm = path_norm(path)))
		return false;
	dir = path_join(fs, norm);
	ok = dir_exists(dir);
	free(norm);
	free(dir);
	return ok;
}

struct pid_list {
	pid_t *v;
	size_t n, cap;
};

static void pids_from_procs(const char *text, struct pid_list *pl)
{
	const char *line;

	for (line = text; *line; line = next_line(line)) {
		const char *p = line;
		int64_t v;

		if (parse_digits(&p, &v) < 0 || (*p != '\n' && *p != '\0'))
			continue;
		if (v <= 0 || v > INT32_MAX)
			continue;
		if (pl->n == pl->cap) {
			pl->cap = pl->cap ? pl->cap * 2 : 64;
			pl->v = xrealloc(pl->v, pl->cap * sizeof(*pl->v));
		}
		pl->v[pl->n++] = (pid_t)v;
	}
}

/* cgroup.procs is read afresh each time: v1 keeps an open file's PID list
 * while it is read again within a second, so a kept descriptor
 * (util_read_kept) would never show a process that joined later. */
static void pids_walk(const char *dir, int depth, struct pid_list *pl)
{
	char *path = xasprintf("%s/cgroup.procs", dir);
	char *text = util_read_file(path, NULL);
	struct dirent *de;
	DIR *d;

	free(path);
	if (text) {
		pids_from_procs(text, pl);
		free(text);
	}
	if (depth >= WALK_DEPTH_MAX || !(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		struct stat st;
		char *sub;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		sub = xasprintf("%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR || (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode)))
			pids_walk(sub, depth + 1, pl);
		free(sub);
	}
	closedir(d);
}

/* rel: the cgroup path of dir ("" for the root's children to start "/x"). */
static void visit_walk(const char *dir, const char *rel, int depth, cgroup_visit *visit, void *ctx)
{
	struct dirent *de;
	DIR *d;

	if (depth >= WALK_DEPTH_MAX || !(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		struct stat st;
		char *sub, *sub_rel;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		sub = xasprintf("%s/%s", dir, de->d_name);
		sub_rel = xasprintf("%s/%s", rel, de->d_name);
		if ((de->d_type == DT_DIR || (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))) && !visit(sub_rel, ctx))
			visit_walk(sub, sub_rel, depth + 1, visit, ctx);
		free(sub);
		free(sub_rel);
	}
	closedir(d);
}

void cgroup_walk(const struct cgroup_fs *fs, cgroup_visit *visit, void *ctx)
{
	if (fs->mount_dir)
		visit_walk(fs->mount_dir, "", 0, visit, ctx);
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

size_t cgroup_pids_recursive(const struct cgroup_fs *fs, const char *path, pid_t **pids)
{
	struct pid_list pl = { NULL, 0, 0 };
	char *norm, *dir;
	size_t i, w;

	*pids = NULL;
	if (!path || !fs->mount_dir || !(norm = path_norm(path)))
		return 0;
	dir = path_join(fs, norm);
	free(norm);
	pids_walk(dir, 0, &pl);
	free(dir);
	if (pl.n == 0) {
		free(pl.v);
		return 0;
	}
	/* Sorted and unique: a process that moves between cgroups during the
	 * walk can be listed twice. */
	qsort(pl.v, pl.n, sizeof(*pl.v), pid_cmp);
	for (i = 1, w = 1; i < pl.n; i++) {
		if (pl.v[i] != pl.v[w - 1])
			pl.v[w++] = pl.v[i];
	}
	*pids = pl.v;
	return w;
}
