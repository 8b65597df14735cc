/* sample_proc: process discovery (libproc2) and per-tick counters (pread on
 * kept descriptors). See sample_proc.h for the design; the numbers behind it
 * are in SPEC.md section 8. */
#include "sample_proc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <libproc2/misc.h>
#include <libproc2/pids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* libproc2 selects at most 255 PIDs per call (FILL_ID_MAX in pids.c). */
#define SELECT_BATCH 255
/* statm (RSS and its anonymous part) is read every tick. status (swap,
 * file/shmem split, threads, peak; ~10 us even on a kept descriptor, seven
 * times statm's kernel cost) of processes nobody asked about is read on a
 * period that keeps those reads within STATUS_BUDGET of one core: the
 * measured cost of one read times the number of processes, over the budget,
 * clamped to [SLOW_MIN_MS, SLOW_MAX_MS] (5 s up to ~100 processes, ~50 s
 * at 1000). SPEC section 8 allows status for watched and visible rows only;
 * the rest still get it, at 0.02 % of a core: of the trend series (RssAnon
 * + VmSwap) statm gives RssAnon every tick, and a drop of RssAnon reads
 * status at once (read_fast), so a swap-out is never taken for a drop.
 * Each process reads at its own phase, so the reads spread over the ticks
 * instead of all landing on one. Watched processes (-p/-n/-u/-c,
 * launch) get status, oom_score, oom_score_adj and their cgroup every tick;
 * rows on the TUI's screen get them every VISIBLE_MS.
 *
 * oom_score and oom_score_adj are read by open/read/close (~5-9 us each).
 * The kernel computes oom_score from RSS + swap + page tables, the
 * oom_score_adj and the machine's RAM + swap: one point is at least
 * (RAM + swap) / 1000 (1.5x that since Linux 5.9), so oom_score is re-read
 * when RSS + swap moved by half a point's worth (OOM_MOVE_DIV) since the
 * last read, when the machine's size changed (swapon, hotplug), when
 * oom_score_adj changed, and otherwise every OOM_SAFETY_MS (page tables,
 * and oom_score_adj of rows nobody looks at). */
#define STATUS_BUDGET 0.0002
#define SLOW_MIN_MS 5000
#define SLOW_MAX_MS 60000
#define VISIBLE_MS 5000
#define OOM_SAFETY_MS 600000
#define OOM_MOVE_DIV 2000
#define SYSINFO_MS 10000
/* A full readdir of /proc costs ~1-3 us per entry (the kernel instantiates
 * a dentry per PID), as much as the statm read itself. When the last PID
 * the kernel handed out (/proc/loadavg) has not moved, no process or thread
 * was created, so the walk is skipped: exits of tracked processes are seen
 * by their kept descriptor (ESRCH). A full walk still happens this often. */
#define FULL_SCAN_MS 10000
/* When a few PIDs were handed out since the last look (last_pid moved by at
 * most PROBE_MAX, no wrap), each of them is looked up by name instead
 * (/proc/N: ~1 us, mostly "no such file" for commands already gone) and
 * those that are processes, not threads (Tgid == PID), are identified: a
 * shell or a Python job starting commands no longer costs a walk of every
 * PID each tick. */
#define PROBE_MAX 128
/* PSS budget: smaps_rollup walks every page table (~25-60 us a process,
 * 28 us for an idle Python), so its reads are spread to cost at most this
 * share of one core. The TUI's ~45 visible rows cost ~1.3 ms a round: at
 * 0.2 % that was every tick (0.13 % of a core, a quarter of the whole
 * budget), at 0.05 % a round every ~2.5 s. One watched process of normal
 * size is still read every tick. */
#define PSS_BUDGET_FRACTION 0.0005
/* A row on screen (not watched) whose RSS has not moved since its last
 * smaps_rollup: its PSS changes only as other processes map or unmap pages
 * it shares, so it is read again after this long (an idle screen of 45
 * rows: ~0.01 % of a core instead of the whole budget). */
#define PSS_IDLE_MS 15000
/* /proc/PID/limits (~6 us by open/read/close, not kept: it changes only
 * by setrlimit/prlimit) is read when a process is first tracked and after
 * an execve, then every LIMITS_MS for watched processes and rows on
 * screen, every LIMITS_IDLE_MS for the rest: a job's limits come from
 * its parent at start, and a later prlimit on a process nobody watches
 * can wait. */
#define LIMITS_MS 5000
#define LIMITS_IDLE_MS 600000
#define PF_KTHREAD 0x00200000
#define PF_EXITING 0x00000004
#define DENTS_BYTES 32768

enum {
	I_PID, I_PPID, I_EUID, I_EUSER, I_CMD, I_CMDLINE, I_BEGAN, I_FLAGS, I_STATE, I_NLWP, I_TGID,
};
static enum pids_item identity_items[] = {
	PIDS_ID_PID, PIDS_ID_PPID, PIDS_ID_EUID, PIDS_ID_EUSER, PIDS_CMD, PIDS_CMDLINE,
	PIDS_TICS_BEGAN, PIDS_FLAGS, PIDS_STATE, PIDS_NLWP, PIDS_ID_TGID,
};

struct plist {
	struct proc_sample **v;
	size_t n, cap;
};

struct sample_proc {
	struct sample_select sel;
	const struct cgroup_fs *cgfs;
	enum pss_mode pss;
	struct pids_info *info;
	struct proc_sample **hash;
	size_t hcap, hcount;
	struct plist tracked, exited, fresh;
	uint32_t gen;
	long page_bytes, hertz;
	int64_t boot_ms;
	pid_t *launch;
	size_t n_launch;
	size_t n_fds, fd_budget;
	double cost_us, pss_cost_us;
	int64_t pss_next_ms;
	bool all_mode;            /* every process, nobody in particular watched */
	bool pid_only;            /* only -p PIDs: no /proc walk needed */
	int proc_fd, loadavg_fd;  /* kept: /proc (getdents64) and /proc/loadavg */
	long last_pid;            /* from loadavg at the last walk; -1 unknown */
	long last_count;          /* processes at the last look (/proc's links); -1 unknown */
	bool pidns_other;         /* /proc is another PID namespace's: loadavg tells nothing */
	int64_t next_scan_ms;
	unsigned long n_walks;    /* full walks of /proc so far */
	char *dents;              /* getdents64 buffer */
	double status_us;         /* running mean cost of one status read */
	int64_t slow_period_ms;   /* current status period (see STATUS_BUDGET) */
	unsigned *fresh_pids;     /* PIDs new this tick (kept across ticks) */
	size_t fresh_cap;
	struct plist status_q, pss_q; /* reads of this tick, timed as one batch */
	int64_t oom_move_bytes;   /* RSS + swap move that re-reads oom_score */
	uint64_t machine_bytes;   /* RAM + swap (sysinfo) */
	uint32_t oom_gen;         /* bumped when machine_bytes changes */
	int64_t next_sysinfo_ms;
};

static void plist_add(struct plist *l, struct proc_sample *p)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = p;
}

static size_t hslot(const struct sample_proc *sp, pid_t pid)
{
	return ((uint32_t)pid * 2654435761u) & (sp->hcap - 1);
}

static struct proc_sample *hfind(const struct sample_proc *sp, pid_t pid)
{
	for (struct proc_sample *p = sp->hash[hslot(sp, pid)]; p; p = p->hnext)
		if (p->pid == pid)
			return p;
	return NULL;
}

static void hinsert(struct sample_proc *sp, struct proc_sample *p)
{
	if (sp->hcount * 2 >= sp->hcap) {
		size_t old = sp->hcap;
		struct proc_sample **oh = sp->hash;

		sp->hcap *= 2;
		sp->hash = xcalloc(sp->hcap, sizeof(*sp->hash));
		for (size_t i = 0; i < old; i++) {
			while (oh[i]) {
				struct proc_sample *q = oh[i];
				size_t s;

				oh[i] = q->hnext;
				s = hslot(sp, q->pid);
				q->hnext = sp->hash[s];
				sp->hash[s] = q;
			}
		}
		free(oh);
	}
	size_t s = hslot(sp, p->pid);
	p->hnext = sp->hash[s];
	sp->hash[s] = p;
	sp->hcount++;
}

static void hremove(struct sample_proc *sp, struct proc_sample *p)
{
	for (struct proc_sample **pp = &sp->hash[hslot(sp, p->pid)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == p) {
			*pp = p->hnext;
			sp->hcount--;
			return;
		}
	}
}

static void close_fd(struct sample_proc *sp, int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		sp->n_fds--;
	}
	*fd = -1;
}

static void entry_close(struct sample_proc *sp, struct proc_sample *p)
{
	close_fd(sp, &p->fd_statm);
	close_fd(sp, &p->fd_status);
	close_fd(sp, &p->fd_smaps);
}

static void entry_free(struct proc_sample *p)
{
	if (!p)
		return;
	free(p->user);
	free(p->name);
	free(p->cmdline);
	free(p->cgroup);
	free(p);
}

/* "/proc/PID/FILE" without snprintf (~1000 instructions a call). */
static void proc_path(char *buf, size_t cap, pid_t pid, const char *file)
{
	char digits[16];
	size_t n = 0, k = 0;
	unsigned v = (unsigned)pid;

	do {
		digits[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && k < sizeof(digits));
	memcpy(buf, "/proc/", 6);
	n = 6;
	while (k)
		buf[n++] = digits[--k];
	buf[n++] = '/';
	while (*file && n + 1 < cap)
		buf[n++] = *file++;
	buf[n] = '\0';
}

/* Keep descriptors across samples while the budget lasts; past it, fall
 * back to open/read/close (slower, never a failure). */
static int open_kept(struct sample_proc *sp, pid_t pid, const char *file)
{
	char path[64];
	int fd;

	if (sp->n_fds >= sp->fd_budget)
		return -1;
	proc_path(path, sizeof(path), pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		sp->n_fds++;
	else if (errno == EMFILE || errno == ENFILE)
		sp->fd_budget = sp->n_fds; /* the real limit is lower than we thought */
	return fd;
}

/* pread a /proc file from offset 0, NUL-terminated. A seq_file hands the
 * whole text to one read when the buffer is large enough, so a short read
 * is the end: unlike util_pread_all, no second call to learn about EOF
 * (one syscall per sample instead of two). Returns bytes or -1 (errno). */
static ssize_t pread_proc(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap) {
		ssize_t r = pread(fd, buf + n, cap - n - 1, (off_t)n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (n == 0)
				return -1;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n + 1 < cap)
			break; /* short read: all of it */
	}
	buf[n] = '\0';
	return (ssize_t)n;
}

/* Read a per-process file through its kept descriptor, or by path when it
 * has none. Returns bytes read or -1 (errno: ESRCH/ENOENT = gone). */
static ssize_t read_proc(pid_t pid, int fd, const char *file, char *buf, size_t cap)
{
	char path[64];
	ssize_t n;

	if (fd >= 0)
		return pread_proc(fd, buf, cap);
	proc_path(path, sizeof(path), pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = pread_proc(fd, buf, cap);
	int saved = errno;
	close(fd);
	errno = saved;
	return n;
}

/* Below this open-file limit memslope cannot work: /proc, loadavg, the
 * log (and its directory), the metrics file, one per-process read and
 * libproc2's own need about 16; with 8 every read failed and every line
 * held 0 processes, silently. */
#define NOFILE_MIN 32

/* Raise the soft open-file limit to the hard one; -1 with *err when it
 * stays below NOFILE_MIN. */
static int raise_nofile(struct sample_proc *sp, char **err)
{
	struct rlimit rl;

	sp->fd_budget = 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	/* Leave room for logs, cgroup files, the terminal, libproc2 and hooks. */
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 20))
		rl.rlim_cur = 1u << 20;
	sp->fd_budget = rl.rlim_cur > 128 ? (size_t)rl.rlim_cur - 128 : 0;
	if (rl.rlim_cur < NOFILE_MIN) {
		*err = xasprintf("the open-file limit (RLIMIT_NOFILE) is %lu, hard limit %lu: memslope needs at least "
				 "%d to read /proc (raise it, e.g. ulimit -n 1024)",
				 (unsigned long)rl.rlim_cur, (unsigned long)rl.rlim_max, NOFILE_MIN);
		return -1;
	}
	return 0;
}

static void machine_size(struct sample_proc *sp, int64_t mono_ms);

/* How many processes exist (the link count of /proc is the kernel's
 * nr_processes() plus a constant), or -1. One fstat, ~0.3 us. */
static long proc_count_now(const struct sample_proc *sp)
{
	struct stat st;

	return sp->proc_fd >= 0 && fstat(sp->proc_fd, &st) == 0 ? (long)st.st_nlink : -1;
}

/* Is the mounted /proc that of another PID namespace than ours (memslope
 * started by unshare -p without a new /proc, or entered with nsenter)?
 * Then /proc/loadavg's last PID is our namespace's and never moves for
 * the processes /proc shows. /proc/self names us in the mount's
 * namespace: another number, or none, means another namespace. */
static bool pidns_other(void)
{
	char buf[32];
	ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);

	if (n <= 0)
		return true;
	buf[n] = '\0';
	return strtol(buf, NULL, 10) != (long)getpid();
}

struct sample_proc *sample_proc_new(const struct sample_select *sel, const struct cgroup_fs *cgfs,
				    enum pss_mode pss, char **err)
{
	struct sample_proc *sp = xcalloc(1, sizeof(*sp));
	double uptime_s = 0, idle_s = 0;

	sp->sel = *sel;
	sp->sel.all = !sel->n_pids && !sel->name_re && !sel->n_uids && !sel->n_cgroups;
	sp->cgfs = cgfs;
	sp->pss = pss;
	sp->hcap = 1024;
	sp->hash = xcalloc(sp->hcap, sizeof(*sp->hash));
	sp->page_bytes = sysconf(_SC_PAGESIZE);
	sp->hertz = procps_hertz_get();
	if (sp->hertz <= 0)
		sp->hertz = 100;
	if (procps_uptime(&uptime_s, &idle_s) < 0)
		uptime_s = 0;
	sp->boot_ms = util_now_wall_ms() - (int64_t)(uptime_s * 1000);
	if (procps_pids_new(&sp->info, identity_items,
			    (int)(sizeof(identity_items) / sizeof(identity_items[0]))) < 0) {
		*err = xstrdup("cannot initialise libproc2 (is /proc mounted?)");
		free(sp->hash);
		free(sp);
		return NULL;
	}
	sp->all_mode = sp->sel.all;
	sp->pid_only = sel->n_pids && !sel->name_re && !sel->n_uids && !sel->n_cgroups && !sel->tree;
	sp->proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (raise_nofile(sp, err) < 0 || (sp->proc_fd < 0 && (*err = xasprintf("cannot open /proc: %s",
										 strerror(errno))))) {
		if (sp->proc_fd >= 0)
			close(sp->proc_fd);
		procps_pids_unref(&sp->info);
		free(sp->hash);
		free(sp);
		return NULL;
	}
	sp->loadavg_fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
	sp->last_pid = sp->last_count = -1;
	sp->pidns_other = pidns_other();
	sp->dents = xmalloc(DENTS_BYTES);
	sp->slow_period_ms = SLOW_MIN_MS;
	sp->oom_move_bytes = 4 << 20; /* until sysinfo says */
	machine_size(sp, 0);
	return sp;
}

void sample_proc_free(struct sample_proc *sp)
{
	if (!sp)
		return;
	for (size_t i = 0; i < sp->hcap; i++) {
		while (sp->hash[i]) {
			struct proc_sample *p = sp->hash[i];

			sp->hash[i] = p->hnext;
			entry_close(sp, p);
			entry_free(p);
		}
	}
	for (size_t i = 0; i < sp->exited.n; i++)
		entry_free(sp->exited.v[i]);
	free(sp->exited.v);
	free(sp->tracked.v);
	free(sp->fresh.v);
	free(sp->status_q.v);
	free(sp->pss_q.v);
	free(sp->hash);
	free(sp->launch);
	free(sp->dents);
	free(sp->fresh_pids);
	if (sp->proc_fd >= 0)
		close(sp->proc_fd);
	if (sp->loadavg_fd >= 0)
		close(sp->loadavg_fd);
	procps_pids_unref(&sp->info);
	free(sp);
}

void sample_proc_add_pid(struct sample_proc *sp, pid_t pid)
{
	sp->launch = xrealloc(sp->launch, (sp->n_launch + 1) * sizeof(*sp->launch));
	sp->launch[sp->n_launch++] = pid;
	/* The launched command is watched: not "everything" any more. */
	sp->all_mode = false;
	sp->pid_only = false;
	sp->next_scan_ms = 0;
}

void sample_proc_want_pss(struct sample_proc *sp, pid_t pid)
{
	struct proc_sample *p = hfind(sp, pid);

	if (p)
		p->want_pss = true;
}

void sample_proc_want_focus(struct sample_proc *sp, pid_t pid)
{
	struct proc_sample *p = hfind(sp, pid);

	if (p)
		p->focus = p->want_pss = true;
}

/* ---- parsers ---- */

/* Leading blanks, then a plain decimal (no sign): what /proc prints. Moves
 * *s past it; -1 when there is no digit or it overflows. strtoull costs
 * ~150 instructions a number (locale, signs, bases); this runs for every
 * process every tick. */
static int parse_dec(const char **s, unsigned long long *v)
{
	const char *p = *s;
	unsigned long long x = 0;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' || *p == '\f')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		/* x * 10 + d > ULLONG_MAX, without a division per digit
		 * (~30 cycles; statm is parsed for every process every tick). */
		if (x > ULLONG_MAX / 10 || (x == ULLONG_MAX / 10 && d > ULLONG_MAX % 10))
			return -1;
		x = x * 10 + d;
	}
	*s = p;
	*v = x;
	return 0;
}

int sample_parse_statm(const char *text, long page_bytes, int64_t *rss_bytes, int64_t *shared_bytes,
		       int64_t *size_bytes, int64_t *data_bytes)
{
	unsigned long long size, resident, shared, text_pages, lib, data;
	const unsigned long long max_pages = (unsigned long long)INT64_MAX / (unsigned long long)page_bytes;

	if (parse_dec(&text, &size) < 0 || parse_dec(&text, &resident) < 0 ||
	    parse_dec(&text, &shared) < 0)
		return -1;
	/* A zombie or a kernel thread has no mm: statm is all zeros, which
	 * must read as "absent", never as 0 bytes. */
	if (size == 0)
		return -1;
	if (resident > max_pages || shared > resident)
		return -1;
	*rss_bytes = (int64_t)resident * page_bytes;
	*shared_bytes = (int64_t)shared * page_bytes;
	/* The size (VmSize) and "data" (VmData + VmStk) columns, for the
	 * address-space and data limits: free with the read done anyway. */
	if (size_bytes)
		*size_bytes = size <= max_pages ? (int64_t)size * page_bytes : MS_ABSENT;
	if (data_bytes) {
		*data_bytes = MS_ABSENT;
		if (parse_dec(&text, &text_pages) == 0 && parse_dec(&text, &lib) == 0 &&
		    parse_dec(&text, &data) == 0 && data <= max_pages)
			*data_bytes = (int64_t)data * page_bytes;
	}
	return 0;
}

/* "  1234 kB" -> bytes; -1 if malformed. */
static int parse_kb(const char *s, int64_t *bytes)
{
	unsigned long long v;

	if (parse_dec(&s, &v) < 0 || v > (unsigned long long)INT64_MAX / 1024)
		return -1;
	*bytes = (int64_t)v * 1024;
	return 0;
}

/* One line per call of the loop, dispatched on its first byte: status has
 * ~55 lines and this runs for every process every few seconds, so no
 * table of strncmp per line. Keys matched: the 9 "kB" sizes plus Name,
 * State, PPid, Uid and Threads; any may be missing (zombies, kernel
 * threads). */
static inline bool key_is(const char *line, const char *key)
{
	while (*key)
		if (*line++ != *key++)
			return false;
	return true;
}
#define KEY(line, lit) key_is((line), (lit))
/* Every key below seen once: the rest of the file (signal masks, CPU
 * lists, context switches) holds nothing we read. */
#define ALL_KEYS 0x3fffu
#define HIT(lit, bit) (KEY(line, (lit)) && ((seen |= (bit)), true))

static bool kb_field(const char *line, size_t kl, int64_t *dst)
{
	int64_t v;

	if (parse_kb(line + kl, &v) < 0)
		return false;
	*dst = v;
	return true;
}

int sample_parse_status(const char *text, struct status_fields *f)
{
	const char *line = text;
	int found = 0;
	unsigned seen = 0;

	while (line && *line) {
		const char *nl = strchr(line, '\n');

		switch (line[0]) {
		case 'V':
			if (HIT("VmRSS:", 1u << 0))
				found += kb_field(line, 6, &f->rss_bytes);
			else if (HIT("VmSwap:", 1u << 1))
				found += kb_field(line, 7, &f->swap_bytes);
			else if (HIT("VmHWM:", 1u << 2))
				found += kb_field(line, 6, &f->peak_rss_bytes);
			else if (HIT("VmSize:", 1u << 11))
				found += kb_field(line, 7, &f->vm_size_bytes);
			else if (HIT("VmData:", 1u << 12))
				found += kb_field(line, 7, &f->vm_data_bytes);
			else if (HIT("VmStk:", 1u << 13))
				found += kb_field(line, 6, &f->vm_stk_bytes);
			break;
		case 'R':
			if (HIT("RssAnon:", 1u << 3))
				found += kb_field(line, 8, &f->rss_anon_bytes);
			else if (HIT("RssFile:", 1u << 4))
				found += kb_field(line, 8, &f->rss_file_bytes);
			else if (HIT("RssShmem:", 1u << 5))
				found += kb_field(line, 9, &f->rss_shmem_bytes);
			break;
		case 'S':
			if (HIT("State:", 1u << 6)) {
				const char *st = line + 6;

				while (*st == ' ' || *st == '\t')
					st++;
				if (isalpha((unsigned char)*st))
					f->state = *st;
				found++;
			}
			break;
		case 'P':
			if (HIT("PPid:", 1u << 7)) {
				long v = strtol(line + 5, NULL, 10);

				/* Out of pid_t's range is garbage, not a (truncated) PID. */
				if (v >= 0 && v <= INT_MAX) {
					f->ppid = (pid_t)v;
					f->have_ppid = true;
				}
				found++;
			}
			break;
		case 'U':
			if (HIT("Uid:", 1u << 8)) {
				char *end;
				unsigned long v;

				errno = 0;
				v = strtoul(line + 4, &end, 10);
				if (end != line + 4 && !errno && v < UINT_MAX) {
					f->uid = (uid_t)v;
					f->have_uid = true;
				}
				found++;
			}
			break;
		case 'N':
			if (HIT("Name:", 1u << 9)) {
				const char *v = line + 5;
				size_t k = 0;

				while (*v == ' ' || *v == '\t')
					v++;
				/* The kernel writes comm through seq_escape("\n\\"):
				 * undo it so the name equals stat's comm. */
				for (; *v && *v != '\n' && k + 1 < sizeof(f->name); v++) {
					if (v[0] == '\\' && (v[1] == '\\' || v[1] == 'n')) {
						f->name[k++] = v[1] == 'n' ? '\n' : '\\';
						v++;
					} else {
						f->name[k++] = *v;
					}
				}
				f->name[k] = '\0';
			}
			break;
		case 'T':
			if (HIT("Threads:", 1u << 10)) {
				long v = strtol(line + 8, NULL, 10);

				if (v > 0)
					f->threads = v;
				found++;
			}
			break;
		default:
			break;
		}
		if (seen == ALL_KEYS)
			break;
		line = nl ? nl + 1 : NULL;
	}
	return found ? 0 : -1;
}

int sample_parse_smaps_rollup(const char *text, int64_t *pss_bytes, int64_t *uss_bytes)
{
	int64_t pss = MS_ABSENT, pc = MS_ABSENT, pd = MS_ABSENT, v;
	const char *line = text;

	while (line && *line) {
		const char *nl = strchr(line, '\n');

		if (strncmp(line, "Pss:", 4) == 0 && parse_kb(line + 4, &v) == 0)
			pss = v;
		else if (strncmp(line, "Private_Clean:", 14) == 0 && parse_kb(line + 14, &v) == 0)
			pc = v;
		else if (strncmp(line, "Private_Dirty:", 14) == 0 && parse_kb(line + 14, &v) == 0)
			pd = v;
		line = nl ? nl + 1 : NULL;
	}
	if (!ms_has(pss))
		return -1;
	*pss_bytes = pss;
	*uss_bytes = ms_has(pc) && ms_has(pd) ? pc + pd : MS_ABSENT;
	return 0;
}

/* ---- discovery ---- */

static struct proc_sample *entry_new(pid_t pid)
{
	struct proc_sample *p = xcalloc(1, sizeof(*p));

	p->pid = pid;
	p->vm_size_bytes = p->vm_data_bytes = p->vm_stk_bytes = MS_ABSENT;
	p->limits_read_ms = -1;
	p->rl.as_soft_bytes = p->rl.as_hard_bytes = MS_ABSENT;
	p->rl.data_soft_bytes = p->rl.data_hard_bytes = MS_ABSENT;
	p->fd_statm = p->fd_status = p->fd_smaps = -1;
	p->state = '?';
	p->threads = p->rss_bytes = p->rss_anon_bytes = p->rss_file_bytes = MS_ABSENT;
	p->rss_shmem_bytes = p->swap_bytes = p->peak_rss_bytes = MS_ABSENT;
	p->pss_bytes = p->uss_bytes = p->oom_score = p->oom_score_adj = MS_ABSENT;
	p->pss_read_ms = -1;
	p->alive = true;
	return p;
}

static bool select_match(const struct sample_proc *sp, const struct proc_sample *p)
{
	const struct sample_select *s = &sp->sel;

	for (size_t i = 0; i < sp->n_launch; i++)
		if (sp->launch[i] == p->pid)
			return true;
	if (s->all)
		return !p->kthread && sp->n_launch == 0;
	for (size_t i = 0; i < s->n_pids; i++)
		if (s->pids[i] == p->pid)
			return true;
	for (size_t i = 0; i < s->n_uids; i++)
		if (s->uids[i] == p->uid && !p->kthread)
			return true;
	if (s->name_re && !p->kthread && p->pid != getpid()) {
		if (p->name && regexec(s->name_re, p->name, 0, NULL, 0) == 0)
			return true;
		if (p->cmdline && regexec(s->name_re, p->cmdline, 0, NULL, 0) == 0)
			return true;
	}
	for (size_t i = 0; i < s->n_cgroups && p->cgroup; i++) {
		size_t l = strlen(s->cgroups[i]);

		/* "-c /a" holds /a and everything below it, not /ab. */
		if (strcmp(s->cgroups[i], "/") == 0 ||
		    (strncmp(p->cgroup, s->cgroups[i], l) == 0 &&
		     (p->cgroup[l] == '\0' || p->cgroup[l] == '/')))
			return true;
	}
	return false;
}

/* A descendant of a tracked process is tracked too with -t or in launch
 * mode. Parents are always older, so they were decided first. */
static bool descends_from_tracked(const struct sample_proc *sp, const struct proc_sample *p)
{
	pid_t ppid = p->ppid;

	for (int depth = 0; depth < 64 && ppid > 1; depth++) {
		const struct proc_sample *q = hfind(sp, ppid);

		if (!q)
			return false;
		if (q->tracked)
			return true;
		ppid = q->ppid;
	}
	return false;
}

/* -c: a process seen before it joined a watched cgroup (a shell, a runtime
 * or systemd forks, then writes the child's PID into cgroup.procs) was not
 * selected on its first tick; it is once the cgroup lists it. */
static void join_cgroups(struct sample_proc *sp)
{
	const struct sample_select *s = &sp->sel;

	for (size_t i = 0; i < s->n_cgroups; i++) {
		pid_t *pids;
		size_t n;

		if (strcmp(s->cgroups[i], "/") == 0)
			continue; /* every process matches already */
		n = cgroup_pids_recursive(sp->cgfs, s->cgroups[i], &pids);
		for (size_t j = 0; j < n; j++) {
			struct proc_sample *p = hfind(sp, pids[j]);

			if (!p || p->tracked || p->kthread)
				continue;
			free(p->cgroup);
			p->cgroup = cgroup_path_of_pid(sp->cgfs, p->pid);
			if (select_match(sp, p))
				p->selected = p->tracked = p->is_new = true;
		}
		free(pids);
	}
}

static int by_start(const void *a, const void *b)
{
	const struct proc_sample *p = *(const struct proc_sample *const *)a;
	const struct proc_sample *q = *(const struct proc_sample *const *)b;

	if (p->start_ticks != q->start_ticks)
		return p->start_ticks < q->start_ticks ? -1 : 1;
	return p->pid < q->pid ? -1 : p->pid > q->pid;
}

static char *identity_str(const char *s)
{
	return xstrdup(s && *s ? s : "");
}

/* Identity of newly seen PIDs through libproc2, in batches. PIDs that
 * vanished before the select simply do not come back. procs_only: drop
 * PIDs that are threads of another process (probed, not listed by /proc). */
static void identify(struct sample_proc *sp, const unsigned *pids, size_t n, bool procs_only)
{
	for (size_t off = 0; off < n; off += SELECT_BATCH) {
		size_t k = n - off < SELECT_BATCH ? n - off : SELECT_BATCH;
		struct pids_fetch *f = procps_pids_select(sp->info, (unsigned *)pids + off, (int)k,
							  PIDS_SELECT_PID);

		if (!f)
			continue;
		for (int i = 0; i < f->counts->total; i++) {
			struct pids_stack *st = f->stacks[i];
			struct proc_sample *p;

			if (procs_only && st->head[I_TGID].result.s_int != st->head[I_PID].result.s_int)
				continue;
			p = entry_new(st->head[I_PID].result.s_int);

			p->ppid = st->head[I_PPID].result.s_int;
			p->uid = st->head[I_EUID].result.u_int;
			p->user = identity_str(st->head[I_EUSER].result.str);
			p->name = identity_str(st->head[I_CMD].result.str);
			p->kthread = (st->head[I_FLAGS].result.ul_int & PF_KTHREAD) != 0 || p->pid == 2 ||
				     p->ppid == 2;
			if (p->kthread)
				p->cmdline = xasprintf("[%s]", p->name);
			else
				p->cmdline = identity_str(st->head[I_CMDLINE].result.str);
			p->start_ticks = st->head[I_BEGAN].result.ull_int;
			p->start_time_ms = sp->boot_ms + (int64_t)(p->start_ticks * 1000 / (uint64_t)sp->hertz);
			p->state = st->head[I_STATE].result.s_ch;
			p->threads = st->head[I_NLWP].result.s_int;
			p->cgroup = sp->cgfs && !p->kthread ? cgroup_path_of_pid(sp->cgfs, p->pid) : NULL;
			p->gen = sp->gen;
			hinsert(sp, p);
			plist_add(&sp->fresh, p);
		}
	}
}

static void fresh_add(struct sample_proc *sp, size_t *n, unsigned pid)
{
	if (*n == sp->fresh_cap) {
		sp->fresh_cap = sp->fresh_cap ? sp->fresh_cap * 2 : 256;
		sp->fresh_pids = xrealloc(sp->fresh_pids, sp->fresh_cap * sizeof(*sp->fresh_pids));
	}
	sp->fresh_pids[(*n)++] = pid;
}

/* /proc/PID exists (a process, or a thread's TID: /proc resolves both). */
static bool pid_exists(const struct sample_proc *sp, pid_t pid)
{
	char name[16];

	snprintf(name, sizeof(name), "%d", (int)pid);
	return sp->proc_fd >= 0 && faccessat(sp->proc_fd, name, F_OK, 0) == 0;
}

/* The last PID handed out in our PID namespace (the last field of
 * /proc/loadavg), or -1 when unknown. */
static long last_pid_now(struct sample_proc *sp)
{
	char buf[128];
	const char *p;

	if (sp->loadavg_fd < 0 || pread_proc(sp->loadavg_fd, buf, sizeof(buf)) <= 0)
		return -1;
	p = strrchr(buf, ' ');
	return p ? strtol(p + 1, NULL, 10) : -1;
}

/* Marks every PID present with the tick's generation and identifies new
 * ones. Returns true when /proc was walked (so entries not marked are gone),
 * false when the walk was skipped (-p only, or no PID was handed out since
 * the last walk): then exits are seen by the reads alone. */
static bool discover(struct sample_proc *sp, int64_t mono_ms)
{
	size_t n_fresh = 0;
	long last, count;
	bool rose;

	if (sp->pid_only) {
		for (size_t i = 0; i < sp->sel.n_pids; i++) {
			struct proc_sample *p = hfind(sp, sp->sel.pids[i]);

			if (p) {
				p->gen = sp->gen;
				continue;
			}
			if (pid_exists(sp, sp->sel.pids[i]))
				fresh_add(sp, &n_fresh, (unsigned)sp->sel.pids[i]);
		}
		if (n_fresh)
			identify(sp, sp->fresh_pids, n_fresh, false);
		return false;
	}
	/* An unmoved last PID is a hint, not a proof: PIDs are reused when
	 * ns_last_pid is set back (checkpoint/restore, test harnesses), so a
	 * rise in the number of processes also calls for a walk. In another
	 * PID namespace than /proc's there is no hint at all: walk each tick. */
	last = sp->pidns_other ? -1 : last_pid_now(sp);
	count = proc_count_now(sp);
	rose = count > sp->last_count && sp->last_count >= 0;
	sp->last_count = count;
	if (last >= 0 && last == sp->last_pid && !rose && mono_ms < sp->next_scan_ms)
		return false;
	if (sp->proc_fd < 0)
		return false;
	if (last > sp->last_pid && sp->last_pid >= 0 && last - sp->last_pid <= PROBE_MAX &&
	    mono_ms < sp->next_scan_ms) {
		for (long pid = sp->last_pid + 1; pid <= last; pid++) {
			if (!hfind(sp, (pid_t)pid) && pid_exists(sp, (pid_t)pid))
				fresh_add(sp, &n_fresh, (unsigned)pid);
		}
		if (n_fresh)
			identify(sp, sp->fresh_pids, n_fresh, true);
		sp->last_pid = last;
		return false;
	}
	if (lseek(sp->proc_fd, 0, SEEK_SET) < 0)
		return false;
	sp->n_walks++;
	for (;;) {
		ssize_t nread = getdents64(sp->proc_fd, sp->dents, DENTS_BYTES);

		if (nread <= 0)
			break;
		for (ssize_t off = 0; off < nread;) {
			const struct dirent64 *de = (const struct dirent64 *)(sp->dents + off);
			const char *c = de->d_name;
			unsigned pid = 0;
			int digits = 0;
			struct proc_sample *p;

			off += de->d_reclen;
			if (*c < '1' || *c > '9')
				continue;
			for (; *c >= '0' && *c <= '9' && digits < 10; c++, digits++)
				pid = pid * 10 + (unsigned)(*c - '0');
			if (*c || pid > INT32_MAX)
				continue;
			p = hfind(sp, (pid_t)pid);
			if (p) {
				p->gen = sp->gen;
				continue;
			}
			fresh_add(sp, &n_fresh, pid);
		}
	}
	if (n_fresh)
		identify(sp, sp->fresh_pids, n_fresh, false);
	sp->last_pid = last;
	sp->next_scan_ms = mono_ms + FULL_SCAN_MS;
	return true;
}

static void mark_exited(struct sample_proc *sp, struct proc_sample *p)
{
	hremove(sp, p);
	entry_close(sp, p);
	if (p->tracked) {
		p->alive = false;
		plist_add(&sp->exited, p);
	} else {
		entry_free(p);
	}
}

/* ---- reading ---- */

static bool pss_wanted(const struct sample_proc *sp, const struct proc_sample *p, int64_t mono_ms)
{
	switch (sp->pss) {
	case PSS_ON:
		return true;
	case PSS_OFF:
		return false;
	case PSS_AUTO:
	default:
		if ((p->selected && !sp->all_mode) || p->focus)
			return true;
		return p->want_pss && (p->pss_read_ms < 0 || p->rss_bytes != p->pss_rss_bytes ||
				       mono_ms - p->pss_read_ms >= PSS_IDLE_MS);
	}
}

/* Watched (-p/-n/-u/-c, launch) or just appeared: every field every tick.
 * Rows on the TUI's screen (want_pss) every VISIBLE_MS; the rest on the
 * slow cadences. */
static bool hot(const struct sample_proc *sp, const struct proc_sample *p)
{
	return p->is_new || (p->selected && !sp->all_mode);
}

/* A process's own phase in [0, period): spreads the slow reads. */
static int64_t phase_ms(pid_t pid, int64_t period)
{
	return (int64_t)((((uint32_t)pid * 2654435761u) >> 8) % (uint32_t)period);
}

static void refresh_identity(struct proc_sample *p, const char *name)
{
	char buf[8192];
	ssize_t n = read_proc(p->pid, -1, "cmdline", buf, sizeof(buf));

	/* In the middle of an execve the kernel has the new name but not yet
	 * the new arguments (cmdline reads empty): keep the old identity, and
	 * the next status read tries again. */
	if (n <= 0)
		return;
	free(p->name);
	p->name = xstrdup(name);
	/* Arguments are NUL-separated: join them with spaces. */
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	free(p->cmdline);
	p->cmdline = xstrdup(buf);
	p->identity_changed = true;
	/* A new program: new executable, and limits a wrapper such as
	 * prlimit set just before the execve. */
	p->exe_read = false;
	p->limits_read_ms = -1;
}

/* PF_EXITING (flags, field 9 of /proc/PID/stat), or unreadable: gone. */
static bool exiting(pid_t pid)
{
	char buf[512];
	const char *s = read_proc(pid, -1, "stat", buf, sizeof(buf)) > 0 ? strrchr(buf, ')') : NULL;
	unsigned long flags;

	return !s || sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %lu", &flags) != 1 || (flags & PF_EXITING);
}

static void refresh_cgroup(const struct sample_proc *sp, struct proc_sample *p)
{
	char *cg = cgroup_path_of_pid(sp->cgfs, p->pid);

	/* Once a process is exiting, a v1 hierarchy shows it in "/" (kernel
	 * proc_cgroup_show): not a move. Checked after the read, and only on
	 * a change. */
	if (cg && (!p->cgroup || strcmp(cg, p->cgroup) != 0) && !exiting(p->pid)) {
		free(p->cgroup);
		p->cgroup = cg;
		p->cgroup_changed = true;
	} else {
		free(cg);
	}
}

static void read_status(struct sample_proc *sp, struct proc_sample *p, int64_t mono_ms)
{
	struct status_fields f = {
		.rss_bytes = MS_ABSENT, .rss_anon_bytes = MS_ABSENT, .rss_file_bytes = MS_ABSENT,
		.rss_shmem_bytes = MS_ABSENT, .swap_bytes = MS_ABSENT, .peak_rss_bytes = MS_ABSENT,
		.threads = MS_ABSENT, .vm_size_bytes = MS_ABSENT, .vm_data_bytes = MS_ABSENT,
		.vm_stk_bytes = MS_ABSENT,
	};
	char buf[4096];

	if (p->fd_status < 0)
		p->fd_status = open_kept(sp, p->pid, "status");
	if (read_proc(p->pid, p->fd_status, "status", buf, sizeof(buf)) > 0 &&
	    sample_parse_status(buf, &f) == 0) {
		p->rss_file_bytes = f.rss_file_bytes;
		p->rss_shmem_bytes = f.rss_shmem_bytes;
		/* Kernel threads and zombies have no Vm* lines: absent, not 0. */
		p->swap_bytes = f.swap_bytes;
		p->peak_rss_bytes = f.peak_rss_bytes;
		p->vm_size_bytes = f.vm_size_bytes;
		p->vm_data_bytes = f.vm_data_bytes;
		p->vm_stk_bytes = f.vm_stk_bytes;
		if (ms_has(f.threads))
			p->threads = f.threads;
		if (f.have_ppid)
			p->ppid = f.ppid;
		if (f.state)
			p->state = f.state;
		/* A process that called execve keeps its PID and start time but
		 * not its name: pick up the new name and command line. */
		if (f.name[0] && p->name && strcmp(f.name, p->name) != 0 && !p->kthread)
			refresh_identity(p, f.name);
		if (!ms_has(p->rss_bytes))
			p->rss_bytes = f.rss_bytes;
		if (!ms_has(p->rss_anon_bytes))
			p->rss_anon_bytes = f.rss_anon_bytes;
	}
	p->next_slow_ms = mono_ms + (p->is_new ? 1 + phase_ms(p->pid, sp->slow_period_ms) : sp->slow_period_ms);
}

/* RSS + swap as the kernel's oom_badness() counts them (less page tables);
 * swap as of the last status read. */
static int64_t oom_basis(const struct proc_sample *p)
{
	return (ms_has(p->rss_bytes) ? p->rss_bytes : 0) + (ms_has(p->swap_bytes) ? p->swap_bytes : 0);
}

/* The machine's RAM + swap, which scales oom_score: when it changes, every
 * oom_score is read again. */
static void machine_size(struct sample_proc *sp, int64_t mono_ms)
{
	struct sysinfo si;
	uint64_t total;

	sp->next_sysinfo_ms = mono_ms + SYSINFO_MS;
	if (sysinfo(&si) < 0)
		return;
	total = ((uint64_t)si.totalram + si.totalswap) * (si.mem_unit ? si.mem_unit : 1);
	if (total == sp->machine_bytes)
		return;
	sp->machine_bytes = total;
	sp->oom_move_bytes = (int64_t)(total / OOM_MOVE_DIV);
	sp->oom_gen++;
}

static int64_t read_int_file(pid_t pid, const char *file)
{
	char buf[64];

	if (read_proc(pid, -1, file, buf, sizeof(buf)) > 0)
		return strtoll(buf, NULL, 10);
	return MS_ABSENT;
}

/* Not kept open: read seldom, and each kept seq_file pins a page of kernel
 * memory. */
static void read_oom_score(struct sample_proc *sp, struct proc_sample *p)
{
	p->oom_score = read_int_file(p->pid, "oom_score");
	p->oom_basis_bytes = oom_basis(p);
	p->oom_gen = sp->oom_gen;
}

static void read_oom(struct sample_proc *sp, struct proc_sample *p, int64_t mono_ms)
{
	read_oom_score(sp, p);
	p->oom_score_adj = read_int_file(p->pid, "oom_score_adj");
	p->next_oom_ms = mono_ms + (p->is_new ? 1 + phase_ms(p->pid, OOM_SAFETY_MS) : OOM_SAFETY_MS);
}

/* Between full reads (read_oom): oom_score again when what it is computed
 * from moved; oom_score_adj only for a visible row's refresh (adj_due), and
 * then oom_score too if the adjustment changed. */
static void check_oom(struct sample_proc *sp, struct proc_sample *p, bool adj_due)
{
	int64_t move = oom_basis(p) - p->oom_basis_bytes;
	bool score_due = p->oom_gen != sp->oom_gen || move >= sp->oom_move_bytes ||
			 -move >= sp->oom_move_bytes;

	if (adj_due) {
		int64_t adj = read_int_file(p->pid, "oom_score_adj");

		if (adj != p->oom_score_adj)
			score_due = true;
		p->oom_score_adj = adj;
	}
	if (score_due)
		read_oom_score(sp, p);
}

/* RLIMIT_AS and RLIMIT_DATA, and once per program the ELF class of the
 * executable (32-bit: a 4 GiB address space). */
static bool limits_due(const struct proc_sample *p, int64_t mono_ms, bool watched)
{
	return p->limits_read_ms < 0 || mono_ms - p->limits_read_ms >= (watched ? LIMITS_MS : LIMITS_IDLE_MS);
}

static void read_limits(struct proc_sample *p, int64_t mono_ms)
{
	char buf[2048];

	if (read_proc(p->pid, -1, "limits", buf, sizeof(buf)) <= 0 ||
	    limit_parse_rlimits(buf, &p->rl) < 0)
		p->rl.as_soft_bytes = p->rl.as_hard_bytes = p->rl.data_soft_bytes =
			p->rl.data_hard_bytes = MS_ABSENT;
	if (!p->exe_read) {
		ssize_t n = read_proc(p->pid, -1, "exe", buf, 8);

		p->address_bits = n > 0 ? limit_elf_bits((const unsigned char *)buf, (size_t)n) : 0;
		p->exe_read = true;
	}
	p->limits_read_ms = mono_ms;
}

static void read_pss(struct sample_proc *sp, struct proc_sample *p, int64_t mono_ms)
{
	char buf[4096];
	int64_t pss, uss;
	ssize_t n;

	if (p->fd_smaps < 0)
		p->fd_smaps = open_kept(sp, p->pid, "smaps_rollup");
	n = read_proc(p->pid, p->fd_smaps, "smaps_rollup", buf, sizeof(buf));
	if (n < 0 && errno == ESRCH && p->fd_smaps >= 0) {
		/* smaps_rollup holds the address space it was opened on: after
		 * an execve (the process read statm this tick, so it lives) a
		 * kept descriptor fails with ESRCH. Open it again. */
		close_fd(sp, &p->fd_smaps);
		p->fd_smaps = open_kept(sp, p->pid, "smaps_rollup");
		n = read_proc(p->pid, p->fd_smaps, "smaps_rollup", buf, sizeof(buf));
	}
	if (n > 0 && sample_parse_smaps_rollup(buf, &pss, &uss) == 0) {
		p->pss_bytes = pss;
		p->uss_bytes = uss;
	} else {
		/* EACCES on another user's process: PSS needs ptrace access. */
		p->pss_bytes = p->uss_bytes = MS_ABSENT;
	}
	p->pss_read_ms = mono_ms;
	p->pss_rss_bytes = p->rss_bytes;
}

/* Returns false when the process is gone. *anon_drop is set when RssAnon
 * fell by more than ANON_DROP_BYTES (and 1 %): pages freed or swapped out.
 * The trend series is RssAnon + VmSwap, so status (VmSwap) is then read at
 * once rather than at its slow period, or a swap-out would look like a
 * drop. */
#define ANON_DROP_BYTES (1 << 20)
static bool read_fast(struct sample_proc *sp, struct proc_sample *p, bool *anon_drop)
{
	char buf[256];
	int64_t rss, shared, data, prev = p->rss_anon_bytes;
	ssize_t n;

	*anon_drop = false;
	if (p->fd_statm < 0)
		p->fd_statm = open_kept(sp, p->pid, "statm");
	n = read_proc(p->pid, p->fd_statm, "statm", buf, sizeof(buf));
	if (n < 0)
		return !(errno == ESRCH || errno == ENOENT);
	if (sample_parse_statm(buf, sp->page_bytes, &rss, &shared, &p->vm_size_bytes, &data) == 0) {
		p->rss_bytes = rss;
		p->vm_data_bytes = ms_has(data) && ms_has(p->vm_stk_bytes) && data >= p->vm_stk_bytes ?
				   data - p->vm_stk_bytes : MS_ABSENT;
		/* statm's "shared" counts file and shmem pages, so the rest is
		 * exactly RssAnon (kernel: MM_ANONPAGES). */
		p->rss_anon_bytes = rss - shared;
		*anon_drop = ms_has(prev) && prev - p->rss_anon_bytes > ANON_DROP_BYTES &&
			     prev - p->rss_anon_bytes > prev / 100;
	} else {
		p->rss_bytes = p->rss_anon_bytes = MS_ABSENT;
		p->vm_size_bytes = p->vm_data_bytes = MS_ABSENT;
	}
	return true;
}

/* The sampler's cost is CPU time (this thread's, kernel time included),
 * not wall time: on a loaded machine a preempted tick would otherwise
 * count the other processes' time as ours. */
#define COST_CLOCK CLOCK_THREAD_CPUTIME_ID

static double elapsed_us(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(COST_CLOCK, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e6 + (double)(b.tv_nsec - a->tv_nsec) / 1e3;
}

void sample_proc_tick(struct sample_proc *sp, int64_t mono_ms)
{
	struct timespec t0, tp;
	double pss_us = 0;
	bool pss_round, walked;
	double status_us = 0;
	size_t n_status = 0;

	clock_gettime(COST_CLOCK, &t0);
	if (mono_ms >= sp->next_sysinfo_ms)
		machine_size(sp, mono_ms);
	for (size_t i = 0; i < sp->tracked.n; i++)
		sp->tracked.v[i]->is_new = false;
	for (size_t i = 0; i < sp->exited.n; i++)
		entry_free(sp->exited.v[i]);
	sp->exited.n = 0;
	sp->fresh.n = 0;
	sp->gen++;
	walked = discover(sp, mono_ms);

	/* Vanished from /proc: exited (tracked ones are reported once). */
	for (size_t i = 0; walked && i < sp->hcap; i++) {
		struct proc_sample *p = sp->hash[i];

		while (p) {
			struct proc_sample *next = p->hnext;

			if (p->gen != sp->gen)
				mark_exited(sp, p);
			p = next;
		}
	}

	if (sp->fresh.n > 1)
		qsort(sp->fresh.v, sp->fresh.n, sizeof(*sp->fresh.v), by_start);
	for (size_t i = 0; i < sp->fresh.n; i++) {
		struct proc_sample *p = sp->fresh.v[i];

		p->selected = select_match(sp, p);
		p->tracked = p->selected ||
			     ((sp->sel.tree || sp->n_launch) && !p->kthread && descends_from_tracked(sp, p));
		p->is_new = p->tracked;
	}
	if (sp->cgfs)
		join_cgroups(sp);

	pss_round = mono_ms >= sp->pss_next_ms;
	sp->tracked.n = 0;
	sp->status_q.n = sp->pss_q.n = 0;
	for (size_t i = 0; i < sp->hcap; i++) {
		struct proc_sample *p = sp->hash[i];

		while (p) {
			struct proc_sample *next = p->hnext;

			if (p->tracked) {
				bool drop;

				if (!read_fast(sp, p, &drop)) {
					mark_exited(sp, p);
				} else {
					bool h = hot(sp, p) || p->focus;
					/* A row on screen that is due for its refresh. The
					 * first refresh of a row that just came into view
					 * is at once, the next ones at its own phase. */
					bool vis = !h && p->want_pss && mono_ms >= p->next_vis_ms;

					if (vis)
						p->next_vis_ms = mono_ms + (p->next_vis_ms ? VISIBLE_MS :
							VISIBLE_MS / 2 + phase_ms(p->pid, VISIBLE_MS / 2));
					/* A watched process can be moved to another cgroup
					 * (a wrapper that joins one, systemd, a runtime):
					 * follow it, its limit comes from there. Its first
					 * tick's cgroup was read by identify(). */
					if (((h && !p->is_new) || vis) && sp->cgfs && !p->kthread)
						refresh_cgroup(sp, p);

					if (h || vis || drop || mono_ms >= p->next_slow_ms)
						plist_add(&sp->status_q, p);
					if (!p->kthread && limits_due(p, mono_ms, h || p->want_pss))
						read_limits(p, mono_ms);
					if (h || mono_ms >= p->next_oom_ms)
						read_oom(sp, p, mono_ms);
					else
						check_oom(sp, p, vis);
					/* A row that just came into view and was never read
					 * is read at once: one costly round (a large process
					 * on the first screen) must not leave the rows a
					 * filter brings up blank for minutes. Its cost
					 * still counts against the budget below. */
					if ((pss_round && pss_wanted(sp, p, mono_ms)) ||
					    (!pss_round && sp->pss == PSS_AUTO && p->want_pss && p->pss_read_ms < 0))
						plist_add(&sp->pss_q, p);
					if (pss_round)
						p->want_pss = false;
					p->focus = false; /* asked for again each frame */
					plist_add(&sp->tracked, p);
				}
			}
			p = next;
		}
	}
	/* status and smaps_rollup reads, each kind timed as one batch: two
	 * clock reads a tick instead of two per read (a CPU-time clock is a
	 * system call, not the vDSO). */
	if (sp->status_q.n) {
		clock_gettime(COST_CLOCK, &tp);
		for (size_t i = 0; i < sp->status_q.n; i++)
			read_status(sp, sp->status_q.v[i], mono_ms);
		status_us = elapsed_us(&tp);
		n_status = sp->status_q.n;
	}
	if (sp->pss_q.n) {
		clock_gettime(COST_CLOCK, &tp);
		for (size_t i = 0; i < sp->pss_q.n; i++)
			read_pss(sp, sp->pss_q.v[i], mono_ms);
		pss_us = elapsed_us(&tp);
	}
	if (n_status) {
		/* Adapt the status period to its budget (see STATUS_BUDGET). */
		double per = status_us / (double)n_status, ms;

		sp->status_us = sp->status_us > 0 ? 0.9 * sp->status_us + 0.1 * per : per;
		ms = sp->status_us * (double)sp->tracked.n / 1000.0 / STATUS_BUDGET;
		sp->slow_period_ms = ms < SLOW_MIN_MS ? SLOW_MIN_MS : ms > SLOW_MAX_MS ? SLOW_MAX_MS : (int64_t)ms;
	}
	if (pss_round) {
		/* Spread smaps_rollup reads so they cost <= the budget. */
		double period_ms = pss_us / 1000.0 / PSS_BUDGET_FRACTION;

		sp->pss_cost_us = pss_us;
		sp->pss_next_ms = mono_ms + (int64_t)period_ms;
	} else if (pss_us > 0) {
		sp->pss_next_ms += (int64_t)(pss_us / 1000.0 / PSS_BUDGET_FRACTION);
	}
	sp->cost_us = elapsed_us(&t0);
}

size_t sample_proc_tracked(const struct sample_proc *sp, struct proc_sample ***out)
{
	*out = sp->tracked.v;
	return sp->tracked.n;
}

size_t sample_proc_exited(const struct sample_proc *sp, struct proc_sample ***out)
{
	*out = sp->exited.v;
	return sp->exited.n;
}

double sample_proc_cost_us(const struct sample_proc *sp)
{
	return sp->tracked.n ? sp->cost_us / (double)sp->tracked.n : sp->cost_us;
}

size_t sample_proc_fds(const struct sample_proc *sp)
{
	return sp->n_fds;
}

unsigned long sample_proc_walks(const struct sample_proc *sp)
{
	return sp->n_walks;
}
