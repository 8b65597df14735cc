/* util: allocation, the fatal path, clocks, option value parsers, file
 * reading and terminal-safe text. Shared by every stage; holds no state but
 * the fatal hook and util_read_kept's descriptors (the mutable globals
 * outside the TUI, by design). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* vasprintf */
#endif
#include "util.h"

#include <ctype.h>
#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

static void (*fatal_hook)(void);

void util_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

void fatal(const char *fmt, ...)
{
	va_list ap;

	if (fatal_hook)
		fatal_hook();
	fputs("memslope: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (!p)
		fatal("out of memory (%zu x %zu bytes)", n, m);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		fatal("out of memory (%zu bytes)", n);
	return q;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (!p)
		fatal("out of memory");
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("out of memory");
	return p;
}

static int64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t util_now_wall_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

int64_t util_now_mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

/* Split "12.5MB" into a finite non-negative number and its suffix. */
static int split_number(const char *s, double *num, const char **suffix)
{
	char *end;

	if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*num = strtod(s, &end);
	if (end == s || errno || !isfinite(*num) || *num < 0)
		return -1;
	*suffix = end;
	return 0;
}

/* Multiplier for a size suffix; K/M/G/T with optional "i" and "B", all 1024-based. */
static int size_multiplier(const char *suf, size_t len, double *mult)
{
	static const char units[] = "KMGTP";
	const char *u;

	*mult = 1;
	if (len == 0 || (len == 1 && (suf[0] == 'B' || suf[0] == 'b')))
		return 0;
	u = strchr(units, toupper((unsigned char)suf[0]));
	if (!u || !suf[0])
		return -1;
	for (const char *p = units; p <= u; p++)
		*mult *= 1024;
	if (len == 1)
		return 0;
	if (len == 2 && (suf[1] == 'B' || suf[1] == 'b'))
		return 0;
	if (len == 3 && suf[1] == 'i' && (suf[2] == 'B' || suf[2] == 'b'))
		return 0;
	return -1;
}

int util_parse_size(const char *s, int64_t *bytes)
{
	const char *suf;
	double num, mult;

	if (split_number(s, &num, &suf) < 0)
		return -1;
	if (size_multiplier(suf, strlen(suf), &mult) < 0)
		return -1;
	num *= mult;
	if (num >= 9.2e18)
		return -1;
	*bytes = (int64_t)num;
	return 0;
}

/* Seconds per unit for "ms", "s", "m"/"min", "h", "d"; -1 if unknown. */
static double duration_unit_s(const char *u, size_t len)
{
	static const struct {
		const char *name;
		double s;
	} units[] = {
		{"", 1}, {"ms", 0.001}, {"s", 1}, {"sec", 1}, {"m", 60}, {"min", 60},
		{"h", 3600}, {"hr", 3600}, {"d", 86400},
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].name) == len && strncmp(units[i].name, u, len) == 0)
			return units[i].s;
	return -1;
}

int util_parse_duration(const char *s, int64_t *ms)
{
	const char *suf;
	double num, unit;

	if (split_number(s, &num, &suf) < 0)
		return -1;
	unit = duration_unit_s(suf, strlen(suf));
	if (unit < 0)
		return -1;
	num *= unit * 1000;
	if (num >= 9.2e15)
		return -1;
	*ms = (int64_t)llround(num);
	return 0;
}

int util_parse_rate(const char *s, double *bytes_per_s)
{
	const char *suf, *slash;
	double num, mult, unit;

	if (split_number(s, &num, &suf) < 0)
		return -1;
	slash = strchr(suf, '/');
	if (!slash)
		return -1;
	if (size_multiplier(suf, (size_t)(slash - suf), &mult) < 0)
		return -1;
	unit = duration_unit_s(slash + 1, strlen(slash + 1));
	if (unit <= 0 || slash[1] == '\0')
		return -1;
	*bytes_per_s = num * mult / unit;
	return isfinite(*bytes_per_s) ? 0 : -1;
}

/* The whole of fd (pread from offset 0 when from_start, for a kept
 * descriptor; plain read otherwise); NULL with errno on a read error. */
static char *read_whole(int fd, bool from_start, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);

	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			if (cap >= (1u << 20))
				break; /* cap: no kernel file we read is this large */
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		r = from_start ? pread(fd, buf + n, cap - n - 1, (off_t)n) : read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			int saved = errno;

			if (saved == EINTR)
				continue;
			free(buf);
			errno = saved;
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* close(2) that leaves errno as it was. */
static void close_keep_errno(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
}

char *util_read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *text;

	if (fd < 0)
		return NULL;
	text = read_whole(fd, false, len);
	close_keep_errno(fd);
	return text;
}

/* ---- kept descriptors ---- */

#define KEPT_SLOTS 256 /* open addressing; at most KEPT_MAX in use */
#define KEPT_MAX 160
#define KEPT_IDLE_S 10

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif
#ifndef SYSFS_MAGIC
#define SYSFS_MAGIC 0x62656572
#endif
#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

struct kept {
	char *path;   /* NULL: free slot; KEPT_GONE: deleted (keeps probe chains) */
	int fd;
	time_t used;  /* CLOCK_MONOTONIC_COARSE seconds of the last read */
};

static char kept_gone_mark;
#define KEPT_GONE (&kept_gone_mark)
static struct kept kept[KEPT_SLOTS];
static size_t kept_n;
static time_t kept_swept;

static time_t coarse_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec;
}

static size_t kept_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29)) & (KEPT_SLOTS - 1);
}

static void kept_drop(struct kept *k)
{
	close(k->fd);
	free(k->path);
	k->path = KEPT_GONE;
	k->fd = -1;
	kept_n--;
}

size_t util_kept_count(void)
{
	return kept_n;
}

void util_kept_close_all(void)
{
	for (size_t i = 0; i < KEPT_SLOTS; i++) {
		if (kept[i].path && kept[i].path != KEPT_GONE)
			kept_drop(&kept[i]);
		kept[i].path = NULL;
	}
	kept_n = 0;
}

static void kept_sweep(time_t now)
{
	struct kept live[KEPT_MAX];
	size_t n = 0;

	if (now == kept_swept)
		return;
	kept_swept = now;
	/* Close the idle ones and rebuild the table without deleted marks. */
	for (size_t i = 0; i < KEPT_SLOTS; i++) {
		if (kept[i].path && kept[i].path != KEPT_GONE) {
			if (now - kept[i].used > KEPT_IDLE_S)
				kept_drop(&kept[i]);
			else if (n < KEPT_MAX)
				live[n++] = kept[i];
		}
		kept[i].path = NULL;
	}
	for (size_t j = 0; j < n; j++) {
		size_t i = kept_hash(live[j].path);

		while (kept[i].path)
			i = (i + 1) & (KEPT_SLOTS - 1);
		kept[i] = live[j];
	}
}

/* Kept descriptors take at most a quarter of the open-file limit: the log,
 * the metrics file, hooks and per-process reads need the rest. */
static size_t kept_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return KEPT_MAX;
	return rl.rlim_cur / 4 < KEPT_MAX ? (size_t)(rl.rlim_cur / 4) : KEPT_MAX;
}

static bool kernel_fs(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) < 0)
		return false;
	return sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC ||
	       sf.f_type == CGROUP_SUPER_MAGIC || sf.f_type == CGROUP2_SUPER_MAGIC;
}

char *util_read_kept(const char *path, size_t *len)
{
	time_t now = coarse_s();
	size_t i = kept_hash(path), free_slot = KEPT_SLOTS;
	char *text;
	int fd;

	kept_sweep(now);
	for (size_t probes = 0; probes < KEPT_SLOTS; probes++, i = (i + 1) & (KEPT_SLOTS - 1)) {
		struct kept *k = &kept[i];

		if (!k->path) {
			if (free_slot == KEPT_SLOTS)
				free_slot = i;
			break;
		}
		if (k->path == KEPT_GONE) {
			if (free_slot == KEPT_SLOTS)
				free_slot = i;
			continue;
		}
		if (strcmp(k->path, path) == 0) {
			text = read_whole(k->fd, true, len);
			if (text) {
				k->used = now;
				return text;
			}
			/* Removed cgroup (ENODEV) or anything else: start over. */
			kept_drop(k);
			return util_read_file(path, len);
		}
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	text = read_whole(fd, true, len);
	if (text && free_slot < KEPT_SLOTS && kept_n < KEPT_MAX && kept_n < kept_limit() && kernel_fs(fd)) {
		kept[free_slot] = (struct kept){xstrdup(path), fd, now};
		kept_n++;
		return text;
	}
	close_keep_errno(fd);
	return text;
}

ssize_t util_pread_all(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap) {
		ssize_t r = pread(fd, buf + n, cap - n - 1, (off_t)n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	return (ssize_t)n;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid. Rejects
 * overlongs, surrogates and C1 controls encoded as U+0080..U+009F. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		if ((s[1] & 0xc0) != 0x80)
			return 0;
		if (c == 0xc2 && s[1] < 0xa0)
			return 0; /* C1 control: ESC-equivalent on some terminals */
		return 2;
	}
	if (c >= 0xe0 && c <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0;
		if (c == 0xed && s[1] >= 0xa0)
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;
		if (c == 0xf4 && s[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

char *util_sanitize(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	char *out = xmalloc(strlen((const char *)p) + 1), *o = out;

	while (*p) {
		size_t n = utf8_len(p);

		if (n == 1 && (*p == '\n' || *p == '\t')) {
			*o++ = ' ';
		} else if (n == 1 && (*p < 0x20 || *p == 0x7f)) {
			*o++ = '?';
		} else if (n == 0) {
			*o++ = '?';
			n = 1;
		} else {
			memcpy(o, p, n);
			o += n;
		}
		p += n;
	}
	*o = '\0';
	return out;
}

char *util_fmt_bytes(int64_t bytes, char *buf, size_t cap)
{
	static const char units[] = "KMGTP";
	double v;
	int u = -1;

	if (bytes == MS_ABSENT) {
		snprintf(buf, cap, "-");
		return buf;
	}
	if (bytes == MS_UNLIMITED) {
		snprintf(buf, cap, "max");
		return buf;
	}
	if (bytes < 0) {
		char tmp[32];

		util_fmt_bytes(-bytes, tmp, sizeof(tmp));
		snprintf(buf, cap, "-%s", tmp);
		return buf;
	}
	if (bytes < 1024) {
		snprintf(buf, cap, "%" PRId64 "B", bytes);
		return buf;
	}
	v = (double)bytes;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (v >= 99.95)
		snprintf(buf, cap, "%.0f%c", v, units[u]);
	else
		snprintf(buf, cap, "%.1f%c", v, units[u]);
	return buf;
}

char *util_fmt_duration(double s, char *buf, size_t cap)
{
	long long t;

	if (isnan(s)) {
		snprintf(buf, cap, "-");
		return buf;
	}
	if (isinf(s)) {
		snprintf(buf, cap, s > 0 ? "inf" : "-inf");
		return buf;
	}
	if (s < 0) {
		snprintf(buf, cap, "0s");
		return buf;
	}
	t = llround(s);
	if (t < 60)
		snprintf(buf, cap, "%llds", t);
	else if (t < 3600)
		snprintf(buf, cap, "%lldm%02llds", t / 60, t % 60);
	else if (t < 86400)
		snprintf(buf, cap, "%lldh%02lldm", t / 3600, t % 3600 / 60);
	else if (t < 86400LL * 1000)
		snprintf(buf, cap, "%lldd%02lldh", t / 86400, t % 86400 / 3600);
	else
		snprintf(buf, cap, ">999d");
	return buf;
}

int util_mkdir_p(const char *path, mode_t mode)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *s = p + 1; rc == 0; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			rc = -1;
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return rc;
}

char *util_fmt_number3(double v, char *buf, size_t cap)
{
	double a = fabs(v);

	snprintf(buf, cap, "%.*f", a < 9.995 ? 2 : a < 99.95 ? 1 : 0, v);
	return buf;
}

char *util_fmt_rate(double bytes_per_s, char *buf, size_t cap)
{
	const double mib = 1024.0 * 1024.0;
	double a = fabs(bytes_per_s);
	char num[32];

	if (!isfinite(bytes_per_s))
		snprintf(buf, cap, "-");
	else if (a >= 0.5 * mib)
		snprintf(buf, cap, "%s MiB/s", util_fmt_number3(bytes_per_s / mib, num, sizeof(num)));
	else if (a * 60 >= 0.1 * mib)
		snprintf(buf, cap, "%s MiB/min", util_fmt_number3(bytes_per_s * 60 / mib, num, sizeof(num)));
	else
		snprintf(buf, cap, "%s KiB/min", util_fmt_number3(bytes_per_s * 60 / 1024, num, sizeof(num)));
	return buf;
}

int64_t util_interval_step_ms(int64_t interval_ms, int dir)
{
	static const int64_t ladder[] = {100, 200, 250, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000};
	const size_t n = sizeof(ladder) / sizeof(ladder[0]);

	if (dir > 0) {
		for (size_t i = 0; i < n; i++)
			if (ladder[i] > interval_ms)
				return ladder[i];
	} else {
		for (size_t i = n; i-- > 0;)
			if (ladder[i] < interval_ms)
				return ladder[i];
	}
	return interval_ms;
}
