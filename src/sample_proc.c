/* sample_proc: process discovery (libproc2) and per-tick counters (pread on
 * kept descriptors). See sample_proc.h for the design; the numbers behind it
 * are in SPEC.md section 8. */
#include "sample_proc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libproc2/misc.h>
#include <libproc2/pids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* libproc2 selects at most 255 PIDs per call (FILL_ID_MAX in pids.c). */
#define SELECT_BATCH 255
/* status, oom_score and oom_score_adj of processes nobody asked about are
 * read this often; statm (RSS and its anonymous part) every tick. */
#define SLOW_PERIOD_MS 5000
/* PSS budget: smaps_rollup walks every page table (~25-60 us a process),
 * so its reads are spread to cost at most this share of one core. */
#define PSS_BUDGET_FRACTION 0.002
#define PF_KTHREAD 0x00200000

enum {
	I_PID, I_PPID, I_EUID, I_EUSER, I_CMD, I_CMDLINE, I_BEGAN, I_FLAGS, I_STATE, I_NLWP,
};
static enum pids_item identity_items[] = {
	PIDS_ID_PID, PIDS_ID_PPID, PIDS_ID_EUID, PIDS_ID_EUSER, PIDS_CMD, PIDS_CMDLINE,
	PIDS_TICS_BEGAN, PIDS_FLAGS, PIDS_STATE, PIDS_NLWP,
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

/* Keep descriptors across samples while the budget lasts; past it, fall
 * back to open/read/close (slower, never a failure). */
static int open_kept(struct sample_proc *sp, pid_t pid, const char *file)
{
	char path[64];
	int fd;

	if (sp->n_fds >= sp->fd_budget)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		sp->n_fds++;
	else if (errno == EMFILE || errno == ENFILE)
		sp->fd_budget = sp->n_fds; /* the real limit is lower than we thought */
	return fd;
}

/* Read a per-process file through its kept descriptor, or by path when it
 * has none. Returns bytes read or -1 (errno: ESRCH/ENOENT = gone). */
static ssize_t read_proc(pid_t pid, int fd, const char *file, char *buf, size_t cap)
{
	char path[64];
	ssize_t n;

	if (fd >= 0)
		return util_pread_all(fd, buf, cap);
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = util_pread_all(fd, buf, cap);
	int saved = errno;
	close(fd);
	errno = saved;
	return n;
}

static void raise_nofile(struct sample_proc *sp)
{
	struct rlimit rl;

	sp->fd_budget = 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	/* Leave room for logs, cgroup files, the terminal, libproc2 and hooks. */
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 20))
		rl.rlim_cur = 1u << 20;
	sp->fd_budget = rl.rlim_cur > 128 ? (size_t)rl.rlim_cur - 128 : 0;
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
	raise_nofile(sp);
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
	free(sp->hash);
	free(sp->launch);
	procps_pids_unref(&sp->info);
	free(sp);
}

void sample_proc_add_pid(struct sample_proc *sp, pid_t pid)
{
	sp->launch = xrealloc(sp->launch, (sp->n_launch + 1) * sizeof(*sp->launch));
	sp->launch[sp->n_launch++] = pid;
}

void sample_proc_want_pss(struct sample_proc *sp, pid_t pid)
{
	struct proc_sample *p = hfind(sp, pid);

	if (p)
		p->want_pss = true;
}

/* ---- parsers ---- */

int sample_parse_statm(const char *text, long page_bytes, int64_t *rss_bytes, int64_t *shared_bytes)
{
	unsigned long long size, resident, shared;
	char *end;

	errno = 0;
	size = strtoull(text, &end, 10);
	if (end == text || errno)
		return -1;
	text = end;
	resident = strtoull(text, &end, 10);
	if (end == text || errno)
		return -1;
	text = end;
	shared = strtoull(text, &end, 10);
	if (end == text || errno)
		return -1;
	/* A zombie or a kernel thread has no mm: statm is all zeros, which
	 * must read as "absent", never as 0 bytes. */
	if (size == 0)
		return -1;
	if (resident > (unsigned long long)INT64_MAX / (unsigned long long)page_bytes ||
	    shared > resident)
		return -1;
	*rss_bytes = (int64_t)resident * page_bytes;
	*shared_bytes = (int64_t)shared * page_bytes;
	return 0;
}

/* "  1234 kB" -> bytes; -1 if malformed. */
static int parse_kb(const char *s, int64_t *bytes)
{
	unsigned long long v;
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno || v > (unsigned long long)INT64_MAX / 1024)
		return -1;
	*bytes = (int64_t)v * 1024;
	return 0;
}

int sample_parse_status(const char *text, struct status_fields *f)
{
	static const struct {
		const char *key;
		size_t off;
	} kb_keys[] = {
		{"VmRSS:", offsetof(struct status_fields, rss_bytes)},
		{"RssAnon:", offsetof(struct status_fields, rss_anon_bytes)},
		{"RssFile:", offsetof(struct status_fields, rss_file_bytes)},
		{"RssShmem:", offsetof(struct status_fields, rss_shmem_bytes)},
		{"VmSwap:", offsetof(struct status_fields, swap_bytes)},
		{"VmHWM:", offsetof(struct status_fields, peak_rss_bytes)},
	};
	const char *line = text;
	int found = 0;

	while (line && *line) {
		const char *nl = strchr(line, '\n');

		for (size_t i = 0; i < sizeof(kb_keys) / sizeof(kb_keys[0]); i++) {
			size_t kl = strlen(kb_keys[i].key);

			if (strncmp(line, kb_keys[i].key, kl) == 0) {
				int64_t v;

				if (parse_kb(line + kl, &v) == 0) {
					*(int64_t *)((char *)f + kb_keys[i].off) = v;
					found++;
				}
			}
		}
		if (strncmp(line, "State:", 6) == 0) {
			const char *s = line + 6;

			while (*s == ' ' || *s == '\t')
				s++;
			if (isalpha((unsigned char)*s))
				f->state = *s;
			found++;
		} else if (strncmp(line, "PPid:", 5) == 0) {
			long v = strtol(line + 5, NULL, 10);

			if (v >= 0) {
				f->ppid = (pid_t)v;
				f->have_ppid = true;
			}
			found++;
		} else if (strncmp(line, "Uid:", 4) == 0) {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(line + 4, &end, 10);
			if (end != line + 4 && !errno) {
				f->uid = (uid_t)v;
				f->have_uid = true;
			}
			found++;
		} else if (strncmp(line, "Threads:", 8) == 0) {
			long v = strtol(line + 8, NULL, 10);

			if (v > 0)
				f->threads = v;
			found++;
		}
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
	if (s->name_re && !p->kthread) {
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
 * vanished before the select simply do not come back. */
static void identify(struct sample_proc *sp, const unsigned *pids, size_t n)
{
	for (size_t off = 0; off < n; off += SELECT_BATCH) {
		size_t k = n - off < SELECT_BATCH ? n - off : SELECT_BATCH;
		struct pids_fetch *f = procps_pids_select(sp->info, (unsigned *)pids + off, (int)k,
							  PIDS_SELECT_PID);

		if (!f)
			continue;
		for (int i = 0; i < f->counts->total; i++) {
			struct pids_stack *st = f->stacks[i];
			struct proc_sample *p = entry_new(st->head[I_PID].result.s_int);

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

static void discover(struct sample_proc *sp)
{
	unsigned *fresh_pids = NULL;
	size_t n_fresh = 0, cap = 0;
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *end;
		long pid;
		struct proc_sample *p;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		p = hfind(sp, (pid_t)pid);
		if (p) {
			p->gen = sp->gen;
			continue;
		}
		if (n_fresh == cap) {
			cap = cap ? cap * 2 : 256;
			fresh_pids = xrealloc(fresh_pids, cap * sizeof(*fresh_pids));
		}
		fresh_pids[n_fresh++] = (unsigned)pid;
	}
	closedir(d);
	if (n_fresh)
		identify(sp, fresh_pids, n_fresh);
	free(fresh_pids);
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

static bool pss_wanted(const struct sample_proc *sp, const struct proc_sample *p)
{
	switch (sp->pss) {
	case PSS_ON:
		return true;
	case PSS_OFF:
		return false;
	case PSS_AUTO:
	default:
		return p->want_pss || (p->selected && !sp->sel.all);
	}
}

static void read_slow(struct sample_proc *sp, struct proc_sample *p, int64_t mono_ms)
{
	struct status_fields f = {
		.rss_bytes = MS_ABSENT, .rss_anon_bytes = MS_ABSENT, .rss_file_bytes = MS_ABSENT,
		.rss_shmem_bytes = MS_ABSENT, .swap_bytes = MS_ABSENT, .peak_rss_bytes = MS_ABSENT,
		.threads = MS_ABSENT,
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
		if (ms_has(f.threads))
			p->threads = f.threads;
		if (f.have_ppid)
			p->ppid = f.ppid;
		if (f.state)
			p->state = f.state;
		if (!ms_has(p->rss_bytes))
			p->rss_bytes = f.rss_bytes;
		if (!ms_has(p->rss_anon_bytes))
			p->rss_anon_bytes = f.rss_anon_bytes;
	}
	if (read_proc(p->pid, -1, "oom_score", buf, sizeof(buf)) > 0)
		p->oom_score = strtoll(buf, NULL, 10);
	else
		p->oom_score = MS_ABSENT;
	if (read_proc(p->pid, -1, "oom_score_adj", buf, sizeof(buf)) > 0)
		p->oom_score_adj = strtoll(buf, NULL, 10);
	else
		p->oom_score_adj = MS_ABSENT;
	p->next_slow_ms = mono_ms + SLOW_PERIOD_MS;
}

static void read_pss(struct sample_proc *sp, struct proc_sample *p, int64_t mono_ms)
{
	char buf[4096];
	int64_t pss, uss;

	if (p->fd_smaps < 0)
		p->fd_smaps = open_kept(sp, p->pid, "smaps_rollup");
	if (read_proc(p->pid, p->fd_smaps, "smaps_rollup", buf, sizeof(buf)) > 0 &&
	    sample_parse_smaps_rollup(buf, &pss, &uss) == 0) {
		p->pss_bytes = pss;
		p->uss_bytes = uss;
	} else {
		/* EACCES on another user's process: PSS needs ptrace access. */
		p->pss_bytes = p->uss_bytes = MS_ABSENT;
	}
	p->pss_read_ms = mono_ms;
}

/* Returns false when the process is gone. */
static bool read_fast(struct sample_proc *sp, struct proc_sample *p)
{
	char buf[256];
	int64_t rss, shared;
	ssize_t n;

	if (p->fd_statm < 0)
		p->fd_statm = open_kept(sp, p->pid, "statm");
	n = read_proc(p->pid, p->fd_statm, "statm", buf, sizeof(buf));
	if (n < 0)
		return !(errno == ESRCH || errno == ENOENT);
	if (sample_parse_statm(buf, sp->page_bytes, &rss, &shared) == 0) {
		p->rss_bytes = rss;
		/* statm's "shared" counts file and shmem pages, so the rest is
		 * exactly RssAnon (kernel: MM_ANONPAGES). */
		p->rss_anon_bytes = rss - shared;
	} else {
		p->rss_bytes = p->rss_anon_bytes = MS_ABSENT;
	}
	return true;
}

static double elapsed_us(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e6 + (double)(b.tv_nsec - a->tv_nsec) / 1e3;
}

void sample_proc_tick(struct sample_proc *sp, int64_t mono_ms)
{
	struct timespec t0, tp;
	double pss_us = 0;
	size_t n_pss = 0;
	bool pss_round;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < sp->tracked.n; i++)
		sp->tracked.v[i]->is_new = false;
	for (size_t i = 0; i < sp->exited.n; i++)
		entry_free(sp->exited.v[i]);
	sp->exited.n = 0;
	sp->fresh.n = 0;
	sp->gen++;
	discover(sp);

	/* Vanished from /proc: exited (tracked ones are reported once). */
	for (size_t i = 0; i < sp->hcap; i++) {
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

	pss_round = mono_ms >= sp->pss_next_ms;
	sp->tracked.n = 0;
	for (size_t i = 0; i < sp->hcap; i++) {
		struct proc_sample *p = sp->hash[i];

		while (p) {
			struct proc_sample *next = p->hnext;

			if (p->tracked) {
				if (!read_fast(sp, p)) {
					mark_exited(sp, p);
				} else {
					if (mono_ms >= p->next_slow_ms || p->selected || p->is_new)
						read_slow(sp, p, mono_ms);
					if (pss_round && pss_wanted(sp, p)) {
						clock_gettime(CLOCK_MONOTONIC, &tp);
						read_pss(sp, p, mono_ms);
						pss_us += elapsed_us(&tp);
						n_pss++;
					}
					if (pss_round)
						p->want_pss = false;
					plist_add(&sp->tracked, p);
				}
			}
			p = next;
		}
	}
	if (pss_round) {
		/* Spread smaps_rollup reads so they cost <= the budget. */
		double period_ms = pss_us / 1000.0 / PSS_BUDGET_FRACTION;

		sp->pss_cost_us = pss_us;
		sp->pss_next_ms = mono_ms + (int64_t)period_ms;
		(void)n_pss;
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
