/* main: the pipeline, in order, and nothing else knows it.
 *
 *   sample (sample_proc, sample_sys, cgroup) -> history -> trend (analysis)
 *   -> model -> outputs (out_json, out_ndjson, TUI)
 *
 * One tick: read the system, fold the readings into the model entities
 * (history and trend per series), raise events, then hand the model to the
 * outputs. Options are checked, files opened and the command launched
 * before the screen is taken, so bad input gets one line and an exit. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "alert.h"
#include "cgroup.h"
#include "config_file.h"
#include "model.h"
#include "options.h"
#include "out_json.h"
#include "out_ndjson.h"
#include "out_prom.h"
#include "replay.h"
#include "sample_proc.h"
#include "sample_sys.h"
#include "tui.h"
#include "util.h"

#define EXIT_USAGE 2
#define EXIT_CHECK 3
/* Exited processes stay visible (marked dead) this long. */
#define DEAD_RETENTION_MS 10000
/* Cgroups that only hold unselected processes (the "everything" view) are
 * re-read this often: their limits rarely change and reading ~10 files per
 * cgroup per second would cost more than sampling all processes. */
#define CGROUP_SLOW_MS 5000

static volatile sig_atomic_t got_stop, got_usr1, got_chld;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else if (sig == SIGCHLD)
		got_chld = 1;
	else
		got_stop = sig;
}

/* Stop, snapshot and child signals set flags the loops look at; a closed
 * pipe is an EPIPE error, handled where the write fails. */
static void signals_install(void)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGCHLD};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

struct check_state {
	char **reasons;
	size_t n;
};

struct launch {
	pid_t pid;
	bool running;
	int status;            /* wait status */
	int64_t start_mono_ms, end_mono_ms;
	int64_t peak_rss_bytes, peak_tree_rss_bytes;
	int64_t above_high_ms;
	int64_t oom_kill_start; /* the cgroup's oom_kill counter when first seen */
	char *oom_cgroup;       /* ...and which cgroup that was (the job may move) */
	bool oom_killed, oom_imminent_fired;
	int exec_errno;
};

struct app {
	struct options *o;
	struct model *m;
	struct cgroup_fs cgfs;
	bool have_cgfs;
	struct sample_proc *sp;
	struct sample_select sel;
	struct ndjson_log *log;
	struct out_prom *prom;
	struct alert *alert;
	struct tui *tui;
	struct launch launch;
	struct check_state check;
	uint64_t ticks;
	int64_t self_cpu_ticks_prev, self_wall_prev_ms;
	long hertz;
	bool first_tick;
};

/* ---- small helpers ---- */

static void check_add(struct check_state *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void check_add(struct check_state *c, const char *fmt, ...)
{
	va_list ap;
	char *r;

	va_start(ap, fmt);
	if (vasprintf(&r, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->reasons[i], r) == 0) {
			free(r);
			return;
		}
	}
	c->reasons = xrealloc(c->reasons, (c->n + 1) * sizeof(*c->reasons));
	c->reasons[c->n++] = r;
}

static int level_of(const struct model *m, double pct)
{
	if (!isfinite(pct))
		return 0;
	return pct >= m->crit_pct ? 2 : pct >= m->warn_pct ? 1 : 0;
}

static double pct_of(int64_t v, int64_t limit)
{
	if (!ms_has(v) || !ms_has(limit) || limit == MS_UNLIMITED || limit <= 0)
		return NAN;
	return 100.0 * (double)v / (double)limit;
}

static int64_t add_abs(int64_t a, int64_t b)
{
	if (!ms_has(a))
		return b;
	if (!ms_has(b))
		return a;
	return a + b;
}

/* The machine's limit when no cgroup sets one. */
static void machine_limit(const struct model *m, int64_t *limit, char **source)
{
	*limit = m->sys.mem_total_bytes;
	model_set_str(source, "machine");
}

/* ---- self cost ---- */

static void self_sample(struct app *a)
{
	char *text = util_read_kept("/proc/self/stat", NULL);
	int64_t now = util_now_mono_ms();

	if (text) {
		/* utime and stime are fields 14 and 15, after the ")" of comm. */
		char *p = strrchr(text, ')');
		unsigned long long ut = 0, st = 0;

		if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
				&st) == 2) {
			int64_t ticks = (int64_t)(ut + st);

			if (a->self_wall_prev_ms > 0 && now > a->self_wall_prev_ms)
				a->m->self.cpu_pct = 100.0 * (double)(ticks - a->self_cpu_ticks_prev) /
						     (double)a->hertz * 1000.0 /
						     (double)(now - a->self_wall_prev_ms);
			a->self_cpu_ticks_prev = ticks;
			a->self_wall_prev_ms = now;
		}
		free(text);
	}
	text = util_read_kept("/proc/self/statm", NULL);
	if (text) {
		unsigned long long size, res;

		if (sscanf(text, "%llu %llu", &size, &res) == 2)
			a->m->self.rss_bytes = (int64_t)res * sysconf(_SC_PAGESIZE);
		free(text);
	}
	a->m->self.sample_cost_us_per_process = sample_proc_cost_us(a->sp);
	/* Every descriptor kept open: the processes' and the kernel files'
	 * (cgroup files, meminfo, pressure, our own stat). */
	a->m->self.n_fds = (int64_t)(sample_proc_fds(a->sp) + util_kept_count());
}

/* ---- cgroups ---- */

static struct cgroup_entity *cgroup_get(struct app *a, const char *path, bool selected)
{
	struct cgroup_entity *c = model_cgroup_find(a->m, path);

	if (!c)
		c = model_cgroup_add(a->m, path);
	if (selected)
		c->selected = true;
	c->seen_this_tick = true;
	return c;
}

static void cgroup_update(struct app *a, struct cgroup_entity *c)
{
	static const char *const ev_names[6] = {"low", "high", "max", "oom", "oom_kill", "oom_group_kill"};
	struct model *m = a->m;
	int64_t ev[6], x;
	bool existed = c->s.exists || c->s.version == CGROUP_NONE;

	char *path = xstrdup(c->s.path);

	cgroup_sample_done(&c->s);
	memset(&c->s, 0, sizeof(c->s));
	cgroup_read(&a->cgfs, path, &c->s);
	free(path);
	if (!c->s.exists) {
		if (existed)
			model_event(m, EV_CGROUP_GONE, 0, c->s.path, "cgroup %s is gone", c->s.path);
		c->usage_pct = NAN;
		c->limit_bytes = MS_ABSENT;
		model_set_str(&c->limit_source, NULL);
		return;
	}
	if (c->s.effective_limit_bytes != MS_UNLIMITED && ms_has(c->s.effective_limit_bytes)) {
		c->limit_bytes = c->s.effective_limit_bytes;
		model_set_str(&c->limit_source,
			      c->s.effective_limit_source ? c->s.effective_limit_source : c->s.path);
	} else {
		machine_limit(m, &c->limit_bytes, &c->limit_source);
	}
	c->usage_pct = pct_of(c->s.current_bytes, c->limit_bytes);
	if (!m->no_history)
		history_push(&c->hist_current, m->mono_ms, c->s.current_bytes);

	/* The trend series is the working set (+ swap): page cache that can be
	 * reclaimed is not growth toward an OOM kill. */
	x = add_abs(c->s.working_set_bytes, c->s.swap_current_bytes);
	if (ms_has(x)) {
		/* A drop of more than half is a restart: start over (Coroot). */
		if (ms_has(c->last_working_set_bytes) && x < c->last_working_set_bytes / 2)
			trend_init(&c->trend);
		trend_push(&c->trend, m->mono_ms, x, c->limit_bytes, c->s.effective_high_bytes);
		c->last_working_set_bytes = x;
	}

	ev[0] = c->s.ev_low;
	ev[1] = c->s.ev_high;
	ev[2] = c->s.ev_max;
	ev[3] = c->s.ev_oom;
	ev[4] = c->s.ev_oom_kill;
	ev[5] = c->s.ev_oom_group_kill;
	for (int i = 0; i < 6; i++) {
		if (ms_has(ev[i]) && ms_has(c->prev_events[i]) && ev[i] > c->prev_events[i]) {
			enum event_kind k = i == 4 ? EV_OOM_KILL : EV_CGROUP_EVENT;

			model_event(m, k, 0, c->s.path, "cgroup %s: memory.events %s +%lld (now %lld)",
				    c->s.path, ev_names[i], (long long)(ev[i] - c->prev_events[i]),
				    (long long)ev[i]);
		}
		c->prev_events[i] = ev[i];
	}
}

/* ---- processes ---- */

static void proc_copy_identity(struct proc_entity *e, const struct proc_sample *s)
{
	e->start_time_ms = s->start_time_ms;
	e->uid = s->uid;
	e->user = xstrdup(s->user);
	e->name = xstrdup(s->name);
	e->cmdline = xstrdup(s->cmdline);
	e->cgroup = s->cgroup ? xstrdup(s->cgroup) : NULL;
	e->selected = s->selected;
}

static void proc_copy_values(struct proc_entity *e, const struct proc_sample *s)
{
	e->ppid = s->ppid;
	e->state = s->state;
	e->threads = s->threads;
	e->rss_bytes = s->rss_bytes;
	e->rss_anon_bytes = s->rss_anon_bytes;
	e->rss_file_bytes = s->rss_file_bytes;
	e->rss_shmem_bytes = s->rss_shmem_bytes;
	e->swap_bytes = s->swap_bytes;
	e->peak_rss_bytes = s->peak_rss_bytes;
	e->pss_bytes = s->pss_bytes;
	e->uss_bytes = s->uss_bytes;
	e->oom_score = s->oom_score;
	e->oom_score_adj = s->oom_score_adj;
}

/* The limit a series x inside cgroup c can grow to: x plus the headroom
 * left (effective limit minus the cgroup's working set), or plus
 * MemAvailable when no cgroup limit applies. */
static void series_limits(const struct model *m, const struct cgroup_entity *c, int64_t x,
			  int64_t *limit, int64_t *high)
{
	*limit = *high = MS_ABSENT;
	if (!ms_has(x))
		return;
	if (c && c->s.exists && ms_has(c->s.effective_limit_bytes) &&
	    c->s.effective_limit_bytes != MS_UNLIMITED) {
		int64_t used = ms_has(c->s.working_set_bytes) ? c->s.working_set_bytes : c->s.current_bytes;

		if (ms_has(used))
			*limit = x + (c->s.effective_limit_bytes - used > 0 ? c->s.effective_limit_bytes - used : 0);
		if (ms_has(c->s.effective_high_bytes) && c->s.effective_high_bytes != MS_UNLIMITED &&
		    ms_has(used))
			*high = x + (c->s.effective_high_bytes - used > 0 ? c->s.effective_high_bytes - used : 0);
	} else if (ms_has(m->sys.mem_available_bytes)) {
		*limit = x + m->sys.mem_available_bytes;
	}
}

static void proc_update(struct app *a, struct proc_sample *s)
{
	struct model *m = a->m;
	struct proc_entity *e = s->owner;
	struct cgroup_entity *c;
	int64_t x, limit, high;

	if (!e) {
		e = model_proc_add(m, s->pid, s->start_ticks);
		proc_copy_identity(e, s);
		e->first_seen_ms = m->mono_ms;
		e->sampler_ref = s;
		s->owner = e;
		/* In the everything view, starts and exits of every short-lived
		 * command would drown the events that matter. */
		if (!a->first_tick && !a->sel.all)
			model_event(m, EV_PROC_START, e->pid, NULL, "process %d (%s) started", (int)e->pid,
				    e->name);
	}
	if (s->identity_changed) {
		/* execve: another program under the same PID. Its memory has
		 * nothing to do with the old one's: judge it afresh. */
		free(e->name);
		free(e->cmdline);
		e->name = xstrdup(s->name);
		e->cmdline = xstrdup(s->cmdline);
		s->identity_changed = false;
		trend_init(&e->trend);
	}
	if (s->cgroup_changed) {
		model_set_str(&e->cgroup, s->cgroup);
		e->cg_epoch = 0;
		s->cgroup_changed = false;
	}
	proc_copy_values(e, s);
	e->last_seen_ms = m->mono_ms;
	c = model_proc_cgroup(m, e);
	if (c && c->s.exists) {
		e->limit_bytes = c->limit_bytes;
		model_set_str(&e->limit_source, c->limit_source);
	} else {
		machine_limit(m, &e->limit_bytes, &e->limit_source);
	}
	e->usage_pct = pct_of(e->rss_bytes, e->limit_bytes);
	if (!m->no_history)
		history_push(&e->hist_rss, m->mono_ms, e->rss_bytes);
	/* The trend series: RssAnon + VmSwap (LEAK-DETECTION.md section 1):
	 * file pages follow the page cache, and a leak under pressure moves
	 * to swap while RSS plateaus. */
	x = ms_has(e->rss_anon_bytes) ? add_abs(e->rss_anon_bytes, e->swap_bytes) : MS_ABSENT;
	if (ms_has(x)) {
		series_limits(m, c, x, &limit, &high);
		trend_push(&e->trend, m->mono_ms, x, limit, high);
	}
}

static bool keep_proc(const struct proc_entity *p, void *ctx)
{
	const struct app *a = ctx;

	if (p->alive)
		return true;
	if (a->o->command && p->pid == a->launch.pid)
		return true; /* the post-mortem needs it */
	return a->m->mono_ms - p->exit_ms < DEAD_RETENTION_MS;
}

/* ---- trees ---- */

struct pid_ent {
	pid_t pid;
	struct proc_entity *e;
};

static int cmp_pid_ent(const void *x, const void *y)
{
	const struct pid_ent *p = x, *q = y;

	return (p->pid > q->pid) - (p->pid < q->pid);
}

static struct proc_entity *pid_lookup(const struct pid_ent *v, size_t n, pid_t pid)
{
	struct pid_ent key = {pid, NULL}, *hit = bsearch(&key, v, n, sizeof(*v), cmp_pid_ent);

	return hit ? hit->e : NULL;
}

/* A tree root is a selected live process with no selected ancestor; its
 * members are every live process below it. */
static void trees_update(struct app *a)
{
	struct model *m = a->m;
	struct pid_ent *v;
	size_t n = 0;

	if (!a->o->tree && !a->o->command)
		return;
	v = xmalloc((m->n_procs + 1) * sizeof(*v));
	for (size_t i = 0; i < m->n_procs; i++)
		if (m->procs[i]->alive)
			v[n++] = (struct pid_ent){m->procs[i]->pid, m->procs[i]};
	qsort(v, n, sizeof(*v), cmp_pid_ent);
	for (size_t i = 0; i < m->n_trees; i++) {
		m->trees[i]->n_procs = 0;
		m->trees[i]->alive = false;
	}
	for (size_t i = 0; i < n; i++) {
		struct proc_entity *p = v[i].e, *root = NULL, *q = p;
		struct tree_entity *t;

		for (int depth = 0; q && depth < 64; depth++) {
			if (q->selected)
				root = q;
			q = q->ppid > 0 && q->ppid != q->pid ? pid_lookup(v, n, q->ppid) : NULL;
		}
		if (!root)
			continue;
		t = model_tree_find(m, root->pid);
		if (t && t->root_start_ticks != root->start_ticks) {
			/* PID reuse: the old tree's series ends here. */
			t->root_pid = -1;
			t = NULL;
		}
		if (!t) {
			t = model_tree_add(m, root->pid, root->start_ticks);
			t->name = xstrdup(root->name);
		}
		if (t->n_procs == 0) {
			t->rss_bytes = t->anon_swap_bytes = t->swap_bytes = t->pss_bytes = 0;
		}
		root->tree = t;
		t->alive = true;
		t->pids = xrealloc(t->pids, (t->n_procs + 1) * sizeof(*t->pids));
		t->pids[t->n_procs++] = p->pid;
		t->rss_bytes = add_abs(t->rss_bytes, p->rss_bytes);
		t->swap_bytes = add_abs(t->swap_bytes, p->swap_bytes);
		t->anon_swap_bytes = add_abs(t->anon_swap_bytes, add_abs(p->rss_anon_bytes, p->swap_bytes));
		/* A sum with a member missing PSS would be a bogus low value. */
		t->pss_bytes = ms_has(t->pss_bytes) && ms_has(p->pss_bytes) ? t->pss_bytes + p->pss_bytes
									    : MS_ABSENT;
	}
	for (size_t i = 0; i < m->n_trees; i++) {
		struct tree_entity *t = m->trees[i];
		struct proc_entity *root = t->alive ? pid_lookup(v, n, t->root_pid) : NULL;
		struct cgroup_entity *c = root && root->cgroup ? model_cgroup_find(m, root->cgroup) : NULL;
		int64_t limit, high;

		if (!t->alive) {
			t->n_procs = 0;
			continue;
		}
		if (!ms_has(t->peak_rss_bytes) || t->rss_bytes > t->peak_rss_bytes)
			t->peak_rss_bytes = t->rss_bytes;
		if (root) {
			t->limit_bytes = root->limit_bytes;
			model_set_str(&t->limit_source, root->limit_source);
			if (root->name && (!t->name || strcmp(t->name, root->name) != 0))
				model_set_str(&t->name, root->name); /* the root called execve */
		}
		t->usage_pct = pct_of(t->rss_bytes, t->limit_bytes);
		if (!m->no_history)
			history_push(&t->hist_rss, m->mono_ms, t->rss_bytes);
		series_limits(m, c, t->anon_swap_bytes, &limit, &high);
		trend_push(&t->trend, m->mono_ms, t->anon_swap_bytes, limit, high);
	}
	free(v);
	/* Trees whose root is gone are dropped with their root. */
	{
		size_t j = 0;

		for (size_t i = 0; i < m->n_trees; i++) {
			struct tree_entity *t = m->trees[i];
			bool keep = t->alive || (a->o->command && t->root_pid == a->launch.pid);

			if (keep) {
				m->trees[j++] = t;
			} else {
				for (size_t k = 0; k < m->n_procs; k++)
					if (m->procs[k]->tree == t)
						m->procs[k]->tree = NULL;
				model_tree_free(t);
			}
		}
		m->n_trees = j;
	}
}

/* ---- events from analysis ---- */

static void marks_update(struct app *a, struct entity_marks *mk, const struct trend_result *r,
			 double usage_pct, pid_t pid, const char *cgroup, const char *what)
{
	struct model *m = a->m;
	int level = level_of(m, usage_pct);
	char rate[32], ttl[32], lo[32], hi[32];

	if (r->verdict != mk->verdict && r->verdict != TREND_UNKNOWN) {
		snprintf(rate, sizeof(rate), "%.2f MB/min",
			 isfinite(r->slope_bytes_per_s) ? r->slope_bytes_per_s * 60 / 1e6 : 0.0);
		model_event(m, EV_VERDICT, pid, cgroup, "%s: %s -> %s%s%s", what,
			    trend_verdict_name(mk->verdict), trend_verdict_name(r->verdict),
			    isfinite(r->slope_bytes_per_s) ? ", slope " : "",
			    isfinite(r->slope_bytes_per_s) ? rate : "");
		mk->verdict = r->verdict;
	}
	if (level != mk->level) {
		static const char *const names[] = {"ok", "warn", "crit"};

		model_event(m, EV_THRESHOLD, pid, cgroup, "%s: usage %.1f%% of limit (%s -> %s)", what,
			    usage_pct, names[mk->level], names[level]);
		mk->level = level;
	}
	if (r->oom_imminent && !mk->oom_imminent)
		model_event(m, EV_OOM_IMMINENT, pid, cgroup, "%s: OOM imminent, limit in %s [%s-%s]", what,
			    util_fmt_duration(r->ttl_s, ttl, sizeof(ttl)),
			    util_fmt_duration(r->ttl_lo_s, lo, sizeof(lo)),
			    util_fmt_duration(r->ttl_hi_s, hi, sizeof(hi)));
	mk->oom_imminent = r->oom_imminent;

	if (a->o->check) {
		if (r->verdict == TREND_LEAK)
			check_add(&a->check, "leak confirmed: %s", what);
		if (r->oom_imminent)
			check_add(&a->check, "oom_imminent: %s", what);
		if (a->o->max_growth_bytes_per_s > 0 &&
		    (r->verdict == TREND_GROWING || r->verdict == TREND_LEAK) &&
		    r->slope_bytes_per_s > a->o->max_growth_bytes_per_s)
			check_add(&a->check, "growth above --max-growth %.2f MB/min: %s",
				  a->o->max_growth_bytes_per_s * 60 / 1e6, what);
		if (a->o->max_usage_pct > 0 && isfinite(usage_pct) && usage_pct > a->o->max_usage_pct)
			check_add(&a->check, "usage above --max-usage %.1f%%: %s", a->o->max_usage_pct, what);
	}
}

/* True when marks_update would neither fire an event nor change a mark:
 * then the entity's label need not be built (a malloc and a snprintf per
 * process per tick otherwise). */
static bool marks_quiet(const struct app *a, const struct entity_marks *mk,
			const struct trend_result *r, double usage_pct)
{
	return !a->o->check && (r->verdict == mk->verdict || r->verdict == TREND_UNKNOWN) &&
	       level_of(a->m, usage_pct) == mk->level && r->oom_imminent == mk->oom_imminent;
}

static void analysis_events(struct app *a)
{
	struct model *m = a->m;
	char what[160];

	for (size_t i = 0; i < m->n_procs; i++) {
		struct proc_entity *p = m->procs[i];
		char *name;

		if (!p->alive)
			continue;
		if (a->o->command && p->pid == a->launch.pid && p->trend.result.oom_imminent)
			a->launch.oom_imminent_fired = true;
		if (marks_quiet(a, &p->marks, trend_get(&p->trend), p->usage_pct))
			continue;
		name = util_sanitize(p->name);
		snprintf(what, sizeof(what), "process %d (%s)", (int)p->pid, name);
		free(name);
		marks_update(a, &p->marks, trend_get(&p->trend), p->usage_pct, p->pid, NULL, what);
	}
	for (size_t i = 0; i < m->n_trees; i++) {
		struct tree_entity *t = m->trees[i];
		char *name;

		if (!t->alive)
			continue;
		name = util_sanitize(t->name);
		snprintf(what, sizeof(what), "tree %d (%s, %zu processes)", (int)t->root_pid, name, t->n_procs);
		free(name);
		marks_update(a, &t->marks, trend_get(&t->trend), t->usage_pct, t->root_pid, NULL, what);
		if (a->o->command && t->root_pid == a->launch.pid && t->trend.result.oom_imminent)
			a->launch.oom_imminent_fired = true;
	}
	for (size_t i = 0; i < m->n_cgroups; i++) {
		struct cgroup_entity *c = m->cgroups[i];
		char *path;

		if (!c->s.exists)
			continue;
		path = util_sanitize(c->s.path);
		snprintf(what, sizeof(what), "cgroup %s", path);
		free(path);
		marks_update(a, &c->marks, trend_get(&c->trend), c->usage_pct, 0, c->s.path, what);
	}
}

/* ---- the tick ---- */

static void tick(struct app *a)
{
	struct model *m = a->m;
	struct proc_sample **v;
	size_t n;

	m->ev_tick_first = m->ev_total;
	m->mono_ms = util_now_mono_ms();
	m->time_ms = util_now_wall_ms();
	sample_sys_read(&m->sys);
	sample_proc_tick(a->sp, m->mono_ms);

	/* Cgroups first: processes take their limits from them. */
	for (size_t i = 0; i < m->n_cgroups; i++)
		m->cgroups[i]->seen_this_tick = m->cgroups[i]->selected;
	n = sample_proc_tracked(a->sp, &v);
	if (a->have_cgfs) {
		/* New processes and processes that moved (the others are in
		 * m->procs, below, under the same cgroup). */
		for (size_t i = 0; i < n; i++)
			if (v[i]->cgroup && (!v[i]->owner || v[i]->cgroup_changed))
				cgroup_get(a, v[i]->cgroup, false);
		/* Processes that just exited are still shown (and a launched
		 * command's post-mortem needs its cgroup's last oom_kill count). */
		for (size_t i = 0; i < m->n_procs; i++) {
			struct proc_entity *e = m->procs[i];
			struct cgroup_entity *c = model_proc_cgroup(m, e);

			if (c)
				c->seen_this_tick = true;
			else if (e->cgroup)
				cgroup_get(a, e->cgroup, false);
		}
		for (size_t i = 0; i < m->n_cgroups; i++) {
			struct cgroup_entity *c = m->cgroups[i];
			bool hot = c->selected || !a->sel.all;

			if (!c->seen_this_tick)
				continue;
			if (hot || m->mono_ms >= c->next_read_ms || a->first_tick) {
				cgroup_update(a, c);
				c->next_read_ms = m->mono_ms + CGROUP_SLOW_MS;
			}
		}
		/* Cgroups no watched process is in any more, and cgroups of
		 * processes that are not under the root (--cgroup-root of another
		 * tree), unless named with -c. */
		size_t j = 0;

		for (size_t i = 0; i < m->n_cgroups; i++) {
			struct cgroup_entity *c = m->cgroups[i];

			if (c->selected || (c->seen_this_tick && c->s.exists))
				m->cgroups[j++] = m->cgroups[i];
			else
				model_cgroup_free(m, m->cgroups[i]);
		}
		m->n_cgroups = j;
	}

	for (size_t i = 0; i < n; i++)
		proc_update(a, v[i]);
	n = sample_proc_exited(a->sp, &v);
	for (size_t i = 0; i < n; i++) {
		struct proc_entity *e = v[i]->owner;

		if (!e)
			continue;
		e->alive = false;
		e->exit_ms = m->mono_ms;
		e->sampler_ref = NULL;
		v[i]->owner = NULL;
		if (!a->sel.all)
			model_event(m, EV_PROC_EXIT, e->pid, NULL, "process %d (%s) exited", (int)e->pid, e->name);
	}
	model_procs_compact(m, keep_proc, a);
	trees_update(a);
	analysis_events(a);
	self_sample(a);
	a->ticks++;
	a->first_tick = false;
}

/* ---- launch mode ---- */

static int launch_start(struct app *a, char **err)
{
	int pfd[2];
	pid_t pid;
	ssize_t r;
	int e = 0;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		*err = xasprintf("cannot launch %s: %s", a->o->command[0], strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		*err = xasprintf("cannot launch %s: %s", a->o->command[0], strerror(errno));
		return -1;
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		execvp(a->o->command[0], a->o->command);
		e = errno;
		if (write(pfd[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pfd[1]);
	do
		r = read(pfd[0], &e, sizeof(e));
	while (r < 0 && errno == EINTR);
	close(pfd[0]);
	if (r == (ssize_t)sizeof(e)) {
		waitpid(pid, NULL, 0);
		*err = xasprintf("cannot run '%s': %s", a->o->command[0], strerror(e));
		return -1;
	}
	a->launch.pid = pid;
	a->launch.running = true;
	a->launch.start_mono_ms = util_now_mono_ms();
	a->launch.peak_rss_bytes = a->launch.peak_tree_rss_bytes = MS_ABSENT;
	a->launch.oom_kill_start = MS_ABSENT;
	sample_proc_add_pid(a->sp, pid);
	return 0;
}

static void launch_reap(struct app *a)
{
	int status;
	pid_t r;

	got_chld = 0;
	while ((r = waitpid(-1, &status, WNOHANG)) > 0) {
		if (r == a->launch.pid && a->launch.running) {
			a->launch.running = false;
			a->launch.status = status;
			a->launch.end_mono_ms = util_now_mono_ms();
		} else {
			/* waitpid(-1) takes alert hooks too: hand their status over. */
			alert_child_exited(a->alert, r, status, util_now_mono_ms());
		}
	}
}

/* Per tick: the launched command's peaks, time above memory.high and OOM kills. */
static void launch_track(struct app *a)
{
	struct proc_entity *p = model_proc_find(a->m, a->launch.pid);
	struct tree_entity *t = model_tree_find(a->m, a->launch.pid);
	struct cgroup_entity *c = p && p->cgroup ? model_cgroup_find(a->m, p->cgroup) : NULL;

	if (p && p->alive) {
		int64_t peak = ms_has(p->peak_rss_bytes) ? p->peak_rss_bytes : p->rss_bytes;

		if (ms_has(peak) && (!ms_has(a->launch.peak_rss_bytes) || peak > a->launch.peak_rss_bytes))
			a->launch.peak_rss_bytes = peak;
	}
	if (t && ms_has(t->peak_rss_bytes) &&
	    (!ms_has(a->launch.peak_tree_rss_bytes) || t->peak_rss_bytes > a->launch.peak_tree_rss_bytes))
		a->launch.peak_tree_rss_bytes = t->peak_rss_bytes;
	if (c && c->s.exists) {
		if (!a->launch.oom_cgroup || strcmp(a->launch.oom_cgroup, c->s.path) != 0) {
			model_set_str(&a->launch.oom_cgroup, c->s.path);
			a->launch.oom_kill_start = c->s.ev_oom_kill;
		}
		if (ms_has(c->s.ev_oom_kill) && ms_has(a->launch.oom_kill_start) &&
		    c->s.ev_oom_kill > a->launch.oom_kill_start)
			a->launch.oom_killed = true;
		if (ms_has(c->s.effective_high_bytes) && c->s.effective_high_bytes != MS_UNLIMITED &&
		    ms_has(c->s.current_bytes) && c->s.current_bytes > c->s.effective_high_bytes)
			a->launch.above_high_ms += a->o->interval_ms;
	}
}

static int launch_exit_code(const struct launch *l)
{
	if (WIFEXITED(l->status))
		return WEXITSTATUS(l->status);
	if (WIFSIGNALED(l->status))
		return 128 + WTERMSIG(l->status);
	return 1;
}

static void signal_name(int status, char *buf, size_t cap)
{
	const char *abbrev = WIFSIGNALED(status) ? sigabbrev_np(WTERMSIG(status)) : NULL;

	if (abbrev)
		snprintf(buf, cap, "SIG%s", abbrev);
	else if (WIFSIGNALED(status))
		snprintf(buf, cap, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, cap, "unknown");
}

static json_t *postmortem_json(struct app *a)
{
	const struct launch *l = &a->launch;
	struct proc_entity *p = model_proc_find(a->m, l->pid);
	struct tree_entity *t = model_tree_find(a->m, l->pid);
	const struct trend_result *r = t ? trend_get(&t->trend) : p ? trend_get(&p->trend) : NULL;
	json_t *o = json_object(), *cmd = json_array(), *chk;
	char when[40];

	for (char **s = a->o->command; *s; s++) {
		/* An argument that is not UTF-8 goes in sanitised. */
		json_t *arg = json_string(*s);

		if (!arg) {
			char *clean = util_sanitize(*s);

			arg = json_string(clean);
			free(clean);
		}
		json_array_append_new(cmd, arg ? arg : json_string("?"));
	}
	out_json_time(a->m->time_ms, when, sizeof(when));
	json_object_set_new(o, "schema", json_string("memslope/1"));
	json_object_set_new(o, "type", json_string("postmortem"));
	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "time_ms", json_integer(a->m->time_ms));
	json_object_set_new(o, "host", json_string(a->m->host));
	json_object_set_new(o, "command", cmd);
	json_object_set_new(o, "pid", json_integer(l->pid));
	json_object_set_new(o, "runtime_s", json_real((double)(l->end_mono_ms - l->start_mono_ms) / 1000.0));
	if (WIFEXITED(l->status)) {
		json_object_set_new(o, "exit_status", json_integer(WEXITSTATUS(l->status)));
		json_object_set_new(o, "signal", json_null());
	} else {
		json_object_set_new(o, "exit_status", json_null());
		char sig[32];

		signal_name(l->status, sig, sizeof(sig));
		json_object_set_new(o, "signal", json_string(sig));
	}
	json_object_set_new(o, "peak_rss_bytes", ms_has(l->peak_rss_bytes) ? json_integer(l->peak_rss_bytes) : json_null());
	json_object_set_new(o, "peak_tree_rss_bytes",
			    ms_has(l->peak_tree_rss_bytes) ? json_integer(l->peak_tree_rss_bytes) : json_null());
	json_object_set_new(o, "verdict", json_string(trend_verdict_name(r ? r->verdict : TREND_UNKNOWN)));
	json_object_set_new(o, "slope_bytes_per_s",
			    r && isfinite(r->slope_bytes_per_s) ? json_real(r->slope_bytes_per_s) : json_null());
	json_object_set_new(o, "time_above_high_s", json_real((double)l->above_high_ms / 1000.0));
	json_object_set_new(o, "limit_bytes", p && ms_has(p->limit_bytes) ? json_integer(p->limit_bytes) : json_null());
	json_object_set_new(o, "limit_source", p && p->limit_source ? json_string(p->limit_source) : json_null());
	json_object_set_new(o, "oom_killed", json_boolean(l->oom_killed));
	json_object_set_new(o, "oom_imminent_fired", json_boolean(l->oom_imminent_fired));
	if (a->o->check) {
		json_t *reasons = json_array();

		chk = json_object();
		for (size_t i = 0; i < a->check.n; i++)
			json_array_append_new(reasons, json_string(a->check.reasons[i]));
		json_object_set_new(chk, "failed", json_boolean(a->check.n > 0));
		json_object_set_new(chk, "reasons", reasons);
	} else {
		chk = json_null();
	}
	json_object_set_new(o, "check", chk);
	return o;
}

static void postmortem_print(struct app *a, FILE *f)
{
	const struct launch *l = &a->launch;
	struct proc_entity *p = model_proc_find(a->m, l->pid);
	struct tree_entity *t = model_tree_find(a->m, l->pid);
	const struct trend_result *r = t ? trend_get(&t->trend) : p ? trend_get(&p->trend) : NULL;
	char b1[32], b2[32], b3[32], d1[32], d2[32], how[64];
	char *cmd = util_sanitize(a->o->command[0]);

	if (WIFEXITED(l->status)) {
		snprintf(how, sizeof(how), "exit status %d", WEXITSTATUS(l->status));
	} else {
		char sig[32];

		signal_name(l->status, sig, sizeof(sig));
		snprintf(how, sizeof(how), "killed by %s", sig);
	}
	fprintf(f, "memslope: %s (pid %d) ran %s, %s\n", cmd, (int)l->pid,
		util_fmt_duration((double)(l->end_mono_ms - l->start_mono_ms) / 1000.0, d1, sizeof(d1)), how);
	fprintf(f, "memslope: peak RSS %s, peak tree RSS %s, limit %s (%s)\n",
		util_fmt_bytes(l->peak_rss_bytes, b1, sizeof(b1)),
		util_fmt_bytes(l->peak_tree_rss_bytes, b2, sizeof(b2)),
		util_fmt_bytes(p ? p->limit_bytes : MS_ABSENT, b3, sizeof(b3)),
		p && p->limit_source ? p->limit_source : "unknown");
	if (r && isfinite(r->slope_bytes_per_s))
		fprintf(f, "memslope: final verdict %s, slope %.2f MB/min over %s\n",
			trend_verdict_name(r->verdict), r->slope_bytes_per_s * 60 / 1e6,
			util_fmt_duration(r->window_s, d2, sizeof(d2)));
	else
		fprintf(f, "memslope: final verdict %s\n", trend_verdict_name(r ? r->verdict : TREND_UNKNOWN));
	fprintf(f, "memslope: time above memory.high %s; OOM kill: %s; oom_imminent fired: %s\n",
		util_fmt_duration((double)l->above_high_ms / 1000.0, d1, sizeof(d1)),
		l->oom_killed ? "yes" : "no", l->oom_imminent_fired ? "yes" : "no");
	free(cmd);
}

static void check_print(const struct app *a)
{
	if (!a->o->check)
		return;
	if (a->check.n == 0) {
		fprintf(stderr, "memslope: check passed\n");
		return;
	}
	for (size_t i = 0; i < a->check.n; i++) {
		char *r = util_sanitize(a->check.reasons[i]);

		fprintf(stderr, "memslope: check failed: %s\n", r);
		free(r);
	}
}

/* ---- snapshots ---- */

static char *snapshot_write(struct app *a, char **err)
{
	char cwd[4096];
	/* Name the file in full: the status line is read by someone who may
	 * not know where memslope was started. */
	const char *dir = a->o->snapshot_dir ? a->o->snapshot_dir
					     : getcwd(cwd, sizeof(cwd)) ? cwd : ".";
	char when[40];
	json_t *doc;
	char *path;

	out_json_time(a->m->time_ms, when, sizeof(when));
	for (char *c = when; *c; c++)
		if (*c == ':')
			*c = '-';
	path = xasprintf("%s/memslope-%s-%s.json", dir, a->m->host, when);
	doc = out_json_snapshot(a->m, true);
	if (out_json_write_atomic(doc, path, 0644, err) < 0) {
		json_decref(doc);
		free(path);
		return NULL;
	}
	json_decref(doc);
	return path;
}

/* The status line after 'e': the file name first (an 80-column line cuts
 * a long directory), then where it is. */
static char *export_status(const char *path, const char *err)
{
	const char *base;

	if (!path)
		return xasprintf("export failed: %s", err ? err : "unknown error");
	base = strrchr(path, '/');
	if (!base)
		return xasprintf("snapshot written to %s", path);
	return xasprintf("snapshot written to %s in %.*s", base + 1, (int)(base - path), path);
}

/* ---- setup checks: everything that can be wrong with the input ---- */

static int validate(struct app *a, char **err, int *code)
{
	struct options *o = a->o;
	char *e = NULL;

	*code = 1;
	if (o->cgroup_root) {
		if (cgroup_fs_open_root(&a->cgfs, o->cgroup_root, &e) < 0) {
			*err = e ? e : xasprintf("--cgroup-root %s: not a cgroup tree", o->cgroup_root);
			return -1;
		}
		a->have_cgfs = true;
	} else if (cgroup_fs_discover(&a->cgfs, "/proc/self/mountinfo", &e) == 0) {
		a->have_cgfs = true;
	} else {
		free(e); /* no memory controller: cgroup values are absent */
		e = NULL;
	}
	for (size_t i = 0; i < o->n_cgroups; i++) {
		if (!a->have_cgfs) {
			*err = xasprintf("-c %s: no memory cgroup controller is mounted", o->cgroups[i]);
			return -1;
		}
		if (!cgroup_exists(&a->cgfs, o->cgroups[i])) {
			*err = xasprintf("-c %s: no such cgroup under %s", o->cgroups[i], a->cgfs.mount_dir);
			return -1;
		}
	}
	for (size_t i = 0; i < o->n_pids; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d", (int)o->pids[i]);
		if (access(path, F_OK) < 0) {
			*err = xasprintf("-p %d: no such process", (int)o->pids[i]);
			return -1;
		}
	}
	if (o->snapshot_dir) {
		struct stat st;

		if (stat(o->snapshot_dir, &st) < 0 || !S_ISDIR(st.st_mode) || access(o->snapshot_dir, W_OK) < 0) {
			*err = xasprintf("--snapshot-dir %s: not a writable directory", o->snapshot_dir);
			return -1;
		}
	}
	if (o->replay_path && access(o->replay_path, R_OK) < 0) {
		*err = xasprintf("--replay %s: %s", o->replay_path, strerror(errno));
		return -1;
	}
	if (!o->once && !o->log_path && !o->prom_file && !o->json && !isatty(STDOUT_FILENO) &&
	    !(o->command && o->check)) {
		*code = EXIT_USAGE;
		*err = xstrdup("standard output is not a terminal: use --once --json for one snapshot or --log - for a stream");
		return -1;
	}
	return 0;
}

/* ---- loops ---- */

static bool should_stop(const struct app *a, int64_t start_ms)
{
	const struct options *o = a->o;

	if (got_stop)
		return true;
	if (o->count && a->ticks >= (uint64_t)o->count)
		return true;
	if (o->duration_ms && a->m->mono_ms - start_ms >= o->duration_ms)
		return true;
	if (o->command && !a->launch.running)
		return true;
	return false;
}

/* Sleep until deadline (mono ms) or a signal. */
static void wait_until(int64_t deadline_ms)
{
	int64_t now = util_now_mono_ms();

	if (deadline_ms > now)
		poll(NULL, 0, (int)(deadline_ms - now));
}

static void handle_usr1(struct app *a)
{
	char *err = NULL, *path;

	got_usr1 = 0;
	path = snapshot_write(a, &err);
	if (path) {
		fprintf(stderr, "memslope: snapshot written to %s\n", path);
		free(path);
	} else {
		fprintf(stderr, "memslope: %s\n", err);
		free(err);
	}
}

/* After each tick, before the log line: the metrics file, then the alert
 * hooks (whose events belong to this tick's line). A failing metrics file
 * is reported once (stderr, or the TUI's status line) and retried. */
static void integrations_tick(struct app *a)
{
	char *err = NULL;

	if (a->prom && out_prom_write(a->prom, a->m, &err) < 0 && err) {
		char *msg = util_sanitize(err);

		if (a->tui)
			tui_set_status(a->tui, msg);
		else
			fprintf(stderr, "memslope: %s\n", msg);
		free(msg);
		free(err);
	}
	if (a->alert)
		alert_tick(a->alert, a->m, util_now_mono_ms());
}

static int run_headless(struct app *a)
{
	int64_t start = util_now_mono_ms(), next = start;
	char *err = NULL;

	for (;;) {
		if (got_chld)
			launch_reap(a);
		tick(a);
		if (a->o->command)
			launch_track(a);
		integrations_tick(a);
		if (a->log && ndjson_write(a->log, a->m, &err) < 0) {
			if (!err)
				return 0; /* the reader of stdout went away */
			fprintf(stderr, "memslope: %s\n", err);
			free(err);
			return 1;
		}
		if (got_usr1)
			handle_usr1(a);
		if (should_stop(a, start))
			return 0;
		next += a->o->interval_ms;
		if (next < util_now_mono_ms())
			next = util_now_mono_ms(); /* fell behind (suspend, overload): no burst */
		while (!got_stop && !got_usr1 && util_now_mono_ms() < next) {
			if (got_chld) {
				launch_reap(a);
				if (a->o->command && !a->launch.running)
					break;
			}
			wait_until(next);
		}
		if (got_usr1)
			handle_usr1(a);
	}
}

static int run_once(struct app *a)
{
	json_t *doc;
	char *text;

	tick(a);
	doc = out_json_snapshot(a->m, true);
	text = json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	json_decref(doc);
	if (!text)
		fatal("out of memory (JSON)");
	if (fputs(text, stdout) < 0 || fputc('\n', stdout) < 0 || fflush(stdout) != 0) {
		int e = errno;

		free(text);
		if (e == EPIPE)
			return 0; /* the reader went away (| head): quiet, as --log - */
		fprintf(stderr, "memslope: cannot write the snapshot: %s\n", strerror(e));
		return 1;
	}
	free(text);
	return 0;
}

static int run_tui(struct app *a)
{
	struct tui_opts to = {
		.ascii = a->o->ascii,
		.no_color = a->o->no_color || getenv("NO_COLOR"),
		.launch_mode = a->o->command != NULL,
		.focus_pid = a->launch.pid,
		.replay = false,
	};
	int64_t start = util_now_mono_ms(), next = start;
	bool paused = false, ended = false;
	char *err = NULL;
	pid_t focus;

	a->tui = tui_new(&to, &err);
	if (!a->tui) {
		fprintf(stderr, "memslope: %s\n", err ? err : "cannot start the terminal interface");
		free(err);
		return 1;
	}
	tick(a);
	for (;;) {
		int64_t now = util_now_mono_ms();
		enum tui_cmd cmd;

		if (got_chld)
			launch_reap(a);
		if (got_stop)
			break;
		if (got_usr1)
			handle_usr1(a);
		if ((paused || ended) && a->alert)
			alert_poll(a->alert, a->m, now); /* hooks still end or time out */
		if (!paused && !ended && now >= next) {
			tick(a);
			if (a->o->command)
				launch_track(a);
			integrations_tick(a);
			if (a->log && ndjson_write(a->log, a->m, &err) < 0) {
				tui_free(a->tui);
				a->tui = NULL;
				if (err)
					fprintf(stderr, "memslope: %s\n", err);
				free(err);
				return err ? 1 : 0;
			}
			next = now + a->o->interval_ms;
			if (a->o->command && !a->launch.running && !ended) {
				char *msg;
				char how[64];

				ended = true;
				if (WIFEXITED(a->launch.status)) {
					snprintf(how, sizeof(how), "exit status %d", WEXITSTATUS(a->launch.status));
				} else {
					char sig[32];

					signal_name(a->launch.status, sig, sizeof(sig));
					snprintf(how, sizeof(how), "killed by %s", sig);
				}
				msg = xasprintf("command ended: %s; peak RSS %.1f MB; OOM kill: %s - press q to quit",
						how, ms_has(a->launch.peak_rss_bytes) ? (double)a->launch.peak_rss_bytes / 1e6 : 0.0,
						a->launch.oom_killed ? "yes" : "no");
				tui_set_status(a->tui, msg);
				free(msg);
			}
			if ((a->o->count && a->ticks >= (uint64_t)a->o->count) ||
			    (a->o->duration_ms && a->m->mono_ms - start >= a->o->duration_ms))
				break;
		}
		tui_draw(a->tui, a->m);
		if (a->o->pss != PSS_OFF) {
			pid_t vis[256];
			size_t nv = tui_visible_pids(a->tui, vis, 256);

			for (size_t i = 0; i < nv; i++)
				sample_proc_want_pss(a->sp, vis[i]);
		}
		focus = tui_focus_pid(a->tui);
		if (focus > 0)
			sample_proc_want_focus(a->sp, focus);
		now = util_now_mono_ms();
		cmd = tui_input(a->tui, a->m, paused || ended ? 1000 : (int)(next > now ? next - now : 0));
		switch (cmd) {
		case TUI_QUIT:
			goto out;
		case TUI_EXPORT: {
			char *path = snapshot_write(a, &err), *msg;

			msg = export_status(path, err);
			tui_set_status(a->tui, msg);
			free(msg);
			free(path);
			free(err);
			err = NULL;
			break;
		}
		case TUI_FASTER:
		case TUI_SLOWER: {
			char *msg;

			if (cmd == TUI_FASTER)
				a->o->interval_ms = a->o->interval_ms / 2 < 100 ? 100 : a->o->interval_ms / 2;
			else
				a->o->interval_ms = a->o->interval_ms * 2 > 60000 ? 60000 : a->o->interval_ms * 2;
			a->m->interval_ms = a->o->interval_ms;
			next = util_now_mono_ms() + a->o->interval_ms;
			msg = xasprintf("interval %.1f s", (double)a->o->interval_ms / 1000.0);
			tui_set_status(a->tui, msg);
			free(msg);
			break;
		}
		case TUI_PAUSE_TOGGLE:
			paused = !paused;
			tui_set_paused(a->tui, paused);
			if (!paused)
				next = util_now_mono_ms();
			break;
		default:
			break;
		}
	}
out:
	tui_free(a->tui);
	a->tui = NULL;
	return 0;
}

/* The status line of a replay: where in the log, and when that was. */
static void replay_status(struct app *a, const struct replay *rp, const char *extra)
{
	int64_t t_ms = a->m->time_ms;
	time_t t_s = (time_t)(t_ms / 1000);
	struct tm tm;
	char when[48] = "?";
	char *msg;

	if (localtime_r(&t_s, &tm))
		snprintf(when, sizeof(when), "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(t_ms % 1000));
	msg = xasprintf("replay %zu/%zu  %s%s%s", replay_pos(rp) + 1, replay_len(rp), when,
			extra ? "  " : "", extra ? extra : "");
	tui_set_status(a->tui, msg);
	free(msg);
}

/* --replay: the TUI over a recorded log; keys move through it, nothing is
 * sampled. */
static int run_replay(struct app *a, struct replay *rp)
{
	struct tui_opts to = {
		.ascii = a->o->ascii,
		.no_color = a->o->no_color || getenv("NO_COLOR"),
		.replay = true,
	};
	char *err = NULL;

	if (replay_seek(rp, replay_len(rp) - 1, a->m) < 0) {
		fprintf(stderr, "memslope: %s changed while it was read\n", a->o->replay_path);
		return 1;
	}
	signals_install();
	a->tui = tui_new(&to, &err);
	if (!a->tui) {
		fprintf(stderr, "memslope: %s\n", err ? err : "cannot start the terminal interface");
		free(err);
		return 1;
	}
	replay_status(a, rp, replay_note(rp));
	while (!got_stop) {
		size_t pos = replay_pos(rp), to_idx = pos;
		int64_t t_ms = replay_time_ms(rp, pos);
		enum tui_cmd cmd;

		tui_draw(a->tui, a->m);
		cmd = tui_input(a->tui, a->m, 1000);
		if (got_usr1) {
			got_usr1 = 0;
			cmd = TUI_EXPORT;
		}
		switch (cmd) {
		case TUI_QUIT:
			goto out;
		case TUI_EXPORT: {
			char *path = snapshot_write(a, &err), *msg;

			msg = export_status(path, err);
			replay_status(a, rp, msg);
			free(msg);
			free(path);
			free(err);
			err = NULL;
			continue;
		}
		case TUI_REPLAY_STEP_BACK:
			to_idx = pos > 0 ? pos - 1 : 0;
			break;
		case TUI_REPLAY_STEP_FWD:
			to_idx = pos + 1;
			break;
		case TUI_REPLAY_JUMP_BACK:
			to_idx = replay_find_time(rp, t_ms - 60000);
			break;
		case TUI_REPLAY_JUMP_FWD:
			to_idx = replay_find_time(rp, t_ms + 60000);
			break;
		case TUI_REPLAY_START:
			to_idx = 0;
			break;
		case TUI_REPLAY_END:
			to_idx = replay_len(rp) - 1;
			break;
		default:
			continue;
		}
		if (replay_seek(rp, to_idx, a->m) < 0)
			replay_status(a, rp, "the log changed on disk: cannot read it back");
		else
			replay_status(a, rp, to_idx >= replay_len(rp) ? "end of the log" : NULL);
	}
out:
	tui_free(a->tui);
	a->tui = NULL;
	return 0;
}

static void fatal_restore(void)
{
	/* tui_free is idempotent on a NULL handle; the TUI keeps its own
	 * pointer for the fatal path (tui.c's restore hook). */
}

/* Free everything main() set up; every part may still be unset (NULL),
 * as on the early exits. Alert hooks still running are ended (~1 s). */
static void app_done(struct app *a, struct options *o)
{
	free(a->launch.oom_cgroup);
	for (size_t i = 0; i < a->check.n; i++)
		free(a->check.reasons[i]);
	free(a->check.reasons);
	alert_free(a->alert, a->m);
	out_prom_free(a->prom);
	ndjson_close(a->log);
	sample_proc_free(a->sp);
	model_free(a->m);
	if (a->have_cgfs)
		cgroup_fs_done(&a->cgfs);
	util_kept_close_all();
	options_done(o);
}

static char *hostname_now(void)
{
	char buf[256];

	if (gethostname(buf, sizeof(buf)) < 0)
		return xstrdup("unknown");
	buf[sizeof(buf) - 1] = '\0';
	return xstrdup(buf);
}

int main(int argc, char **argv)
{
	struct options o, cli;
	struct app a;
	struct replay *replay = NULL;
	char *err = NULL, *host;
	int code = 0, rc;

	/* The command line is parsed twice: alone, to learn --config /
	 * --no-config (and report its errors first); then over the config
	 * file's values, so that it wins. */
	options_init(&cli);
	options_init(&o);
	if (options_parse(&cli, argc, argv, &err) < 0 ||
	    (!cli.help && !cli.version && config_file_apply(&o, &cli, &err) < 0) ||
	    options_parse(&o, argc, argv, &err) < 0 || options_finish(&o, &err) < 0) {
		fprintf(stderr, "memslope: %s\n", err);
		free(err);
		options_done(&cli);
		options_done(&o);
		return EXIT_USAGE;
	}
	options_done(&cli);
	if (o.help) {
		fputs(options_help(), stdout);
		options_done(&o);
		return 0;
	}
	if (o.version) {
		printf("memslope %s\n", PACKAGE_VERSION);
		options_done(&o);
		return 0;
	}

	memset(&a, 0, sizeof(a));
	a.o = &o;
	a.first_tick = true;
	a.hertz = sysconf(_SC_CLK_TCK);
	util_set_fatal_hook(fatal_restore);
	/* --replay: the whole log is read and checked first. */
	if (o.replay_path && !(replay = replay_open(o.replay_path, &err))) {
		fprintf(stderr, "memslope: %s\n", err);
		free(err);
		options_done(&o);
		return 1;
	}
	if (validate(&a, &err, &code) < 0) {
		fprintf(stderr, "memslope: %s\n", err);
		free(err);
		replay_free(replay);
		if (a.have_cgfs)
			cgroup_fs_done(&a.cgfs);
		options_done(&o);
		return code;
	}
	if (replay) {
		a.m = model_new("replay", o.interval_ms);
		a.m->warn_pct = o.warn_pct;
		a.m->crit_pct = o.crit_pct;
		rc = run_replay(&a, replay);
		replay_free(replay);
		model_free(a.m);
		if (a.have_cgfs)
			cgroup_fs_done(&a.cgfs);
		options_done(&o);
		return rc;
	}
	if (o.prom_file && !(a.prom = out_prom_new(o.prom_file, o.prom_top, &err))) {
		fprintf(stderr, "memslope: %s\n", err);
		free(err);
		if (a.have_cgfs)
			cgroup_fs_done(&a.cgfs);
		options_done(&o);
		return 1;
	}
	if (o.on_alert && !o.once) {
		/* In the TUI a hook's output would scribble over the screen. */
		bool tui_mode = !(o.log_path || o.prom_file || !isatty(STDOUT_FILENO) || o.json);

		a.alert = alert_new(o.on_alert, o.alert_cooldown_ms, o.alert_timeout_ms, tui_mode, &err);
		if (!a.alert) {
			fprintf(stderr, "memslope: %s\n", err);
			free(err);
			out_prom_free(a.prom);
			if (a.have_cgfs)
				cgroup_fs_done(&a.cgfs);
			options_done(&o);
			return 1;
		}
	}

	host = hostname_now();
	a.m = model_new(host, o.interval_ms);
	free(host);
	a.m->warn_pct = o.warn_pct;
	a.m->crit_pct = o.crit_pct;
	a.m->cgroup_version = !a.have_cgfs ? NULL : a.cgfs.version == CGROUP_V2 ? "v2" : "v1";
	a.sel.pids = o.pids;
	a.sel.n_pids = o.n_pids;
	a.sel.name_re = o.have_name_re ? &o.name_re : NULL;
	a.sel.uids = o.uids;
	a.sel.n_uids = o.n_uids;
	a.sel.cgroups = o.cgroups;
	a.sel.n_cgroups = o.n_cgroups;
	a.sel.tree = o.tree;
	a.sel.all = !o.n_pids && !o.have_name_re && !o.n_uids && !o.n_cgroups && !o.command;
	/* In the TUI the rows on screen get PSS too (see run_tui). */
	a.m->pss_enabled = o.pss == PSS_ON ||
			   (o.pss == PSS_AUTO && (!a.sel.all || (!o.once && !o.log_path && !o.prom_file &&
								 !o.json && isatty(STDOUT_FILENO))));
	a.sp = sample_proc_new(&a.sel, a.have_cgfs ? &a.cgfs : NULL, (enum pss_mode)o.pss, &err);
	if (!a.sp) {
		fprintf(stderr, "memslope: %s\n", err);
		free(err);
		app_done(&a, &o);
		return 1;
	}
	for (size_t i = 0; i < o.n_cgroups; i++)
		cgroup_get(&a, o.cgroups[i], true);
	if (o.log_path) {
		a.log = ndjson_open(o.log_path, o.log_delta ? NDJSON_DELTA : NDJSON_SNAPSHOT,
				    o.log_max_bytes, o.log_keep, &err);
		if (!a.log) {
			fprintf(stderr, "memslope: %s\n", err);
			free(err);
			app_done(&a, &o);
			return 1;
		}
	}

	signals_install();

	if (o.command && launch_start(&a, &err) < 0) {
		fprintf(stderr, "memslope: %s\n", err);
		free(err);
		app_done(&a, &o);
		return 127;
	}

	/* Headless, nothing reads the histories (only the TUI's detail view
	 * does): they are not kept. */
	a.m->no_history = o.once || o.log_path || o.prom_file || !isatty(STDOUT_FILENO) || o.json;
	if (o.once)
		rc = run_once(&a);
	else if (a.m->no_history)
		rc = run_headless(&a);
	else
		rc = run_tui(&a);

	if (o.command) {
		if (a.launch.running) {
			/* Stopped by a signal or a bound: the command goes on; say so. */
			fprintf(stderr, "memslope: stopped watching %s (pid %d), which is still running\n",
				o.command[0], (int)a.launch.pid);
		} else {
			if (o.json) {
				json_t *pm = postmortem_json(&a);
				char *text = json_dumps(pm, JSON_INDENT(2) | JSON_ENSURE_ASCII);

				json_decref(pm);
				if (text) {
					puts(text);
					free(text);
				}
			}
			postmortem_print(&a, stderr);
			check_print(&a);
			if (rc == 0)
				rc = a.check.n ? EXIT_CHECK : launch_exit_code(&a.launch);
		}
	} else {
		check_print(&a);
		if (rc == 0 && a.check.n)
			rc = EXIT_CHECK;
	}

	app_done(&a, &o);
	return rc;
}
