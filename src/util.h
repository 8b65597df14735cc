/* util: small shared helpers used by every stage of the pipeline.
 *
 * Absent values: every sampled quantity is an int64_t; MS_ABSENT means "could
 * not be read" (null in JSON), MS_UNLIMITED means "no limit set" ("max").
 * Neither is ever shown as 0. */
#ifndef MEMSLOPE_UTIL_H
#define MEMSLOPE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MS_ABSENT INT64_MIN
#define MS_UNLIMITED INT64_MAX

static inline bool ms_has(int64_t v) { return v != MS_ABSENT; }

/* Out of memory or an impossible state: restore the terminal (through the
 * hook set with util_set_fatal_hook), print one line, exit 1. */
void fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void util_set_fatal_hook(void (*hook)(void));

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Clocks, in milliseconds. Only main.c and the samplers call these. */
int64_t util_now_wall_ms(void);
int64_t util_now_mono_ms(void);

/* Parse a size such as "512", "64K", "10MB", "1.5GiB" (powers of 1024) into
 * bytes. 0 on success, -1 on a malformed or out-of-range value. */
int util_parse_size(const char *s, int64_t *bytes);
/* Parse a duration such as "90s", "10m", "1h", "250ms", "1.5" (seconds). */
int util_parse_duration(const char *s, int64_t *ms);
/* Parse a growth rate such as "5MB/min", "1MiB/s", "100K/h" into bytes/s. */
int util_parse_rate(const char *s, double *bytes_per_s);

/* Read a whole small file (< 1 MiB) into a NUL-terminated buffer the caller
 * frees. Returns NULL and sets errno on failure. */
char *util_read_file(const char *path, size_t *len);
/* util_read_file for a kernel file read again and again (cgroup files,
 * /proc/meminfo, /proc/self/stat): on procfs, sysfs and cgroupfs the
 * descriptor is kept open and read with pread from offset 0 (about 1 us
 * instead of 5-13 us for open/read/close). Other filesystems (fixture
 * trees) are read afresh each time. A descriptor not read for 10 s, or
 * whose read fails (a removed cgroup gives ENODEV), is closed: it would pin
 * a removed cgroup. Never for /proc/PID/ files of other processes: a fresh
 * open after an error could reach a new process with the same PID. */
char *util_read_kept(const char *path, size_t *len);
/* Close every kept descriptor (tests, and before exec). */
void util_kept_close_all(void);
/* How many descriptors util_read_kept holds open now. */
size_t util_kept_count(void);
/* pread a kept descriptor from offset 0 into buf (size cap), NUL-terminated.
 * Returns bytes read or -1 (errno set; ESRCH when the process was reaped). */
ssize_t util_pread_all(int fd, char *buf, size_t cap);

/* mkdir -p: path and its missing parents, each made with mode. 0, or -1
 * with errno. */
int util_mkdir_p(const char *path, mode_t mode);

/* Copy s into a new string with every byte that could act on a terminal
 * replaced: C0/C1 controls, DEL, and invalid UTF-8 become '?' (newline and
 * tab become a space). Valid printable UTF-8 is kept. Caller frees. */
char *util_sanitize(const char *s);

/* Format bytes as a short human string, 1024-based ("1.2G" is 1.2 GiB,
 * "512M", "4.0K"; "-" when absent, "max" when unlimited) into buf.
 * Returns buf. */
char *util_fmt_bytes(int64_t bytes, char *buf, size_t cap);
/* Format seconds as "4m52s", "2h05m", "3d04h"; "-" for NAN. Returns buf. */
char *util_fmt_duration(double s, char *buf, size_t cap);
/* A growth rate for people, 1024-based like every size memslope shows or
 * reads (K = KiB, M = MiB): "1.91 MiB/s", "120 MiB/min", "12 KiB/min",
 * "-" when not finite. The one rate format of the TUI, the events, the
 * check reasons and the post-mortem. */
char *util_fmt_rate(double bytes_per_s, char *buf, size_t cap);
/* v with three significant digits, trailing zeros kept ("2.00", "12.0",
 * "120"; more digits from 1000 on). Returns buf. */
char *util_fmt_number3(double v, char *buf, size_t cap);
/* The next sampling interval up (dir > 0) or down from interval_ms on the
 * ladder 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60 s, so + and - always
 * lead back to 1 s; interval_ms itself at either end. */
int64_t util_interval_step_ms(int64_t interval_ms, int dir);

#endif
