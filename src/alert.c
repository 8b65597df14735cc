/* alert: --on-alert hooks (output stage).
 *
 * Reads the model once per tick and decides which alerts fire; runs the
 * hook without a shell, with the details only in the environment, so no
 * byte of a process name can ever be parsed as a command. Bounded: one
 * firing per entity and kind per cooldown, at most ALERT_MAX_RUNNING hooks
 * at a time (further alerts wait for a free slot), and the cooldown table
 * forgets entries once their cooldown has passed. */
#include "alert.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

extern char **environ;

/* More hooks than this at once means they are stuck or slow: hold further
 * alerts back rather than fork without bound. */
#define ALERT_MAX_RUNNING 8
/* Between SIGTERM and SIGKILL for a hook past its timeout. */
#define ALERT_KILL_GRACE_MS 2000

enum alert_kind { AK_LEAK, AK_OOM_IMMINENT, AK_CRIT, AK_OOM_KILL };

static const char *const kind_names[] = {"leak", "oom_imminent", "crit", "oom_kill"};

struct fired {
	char *key;               /* "p:PID:START", "t:PID:START" or "c:PATH" */
	enum alert_kind kind;
	int64_t at_ms;           /* mono */
};

struct hook {
	pid_t pid;               /* also its process group */
	int64_t start_ms, term_ms; /* mono; term_ms 0 until SIGTERM is sent */
	bool done;
	int status;
	int64_t end_ms;
	pid_t about_pid;         /* the entity, for the event */
	char *about_cgroup;
	char *what;              /* "crit: process 123 (name)", sanitised */
};

struct alert {
	char **argv;
	int64_t cooldown_ms, timeout_ms;
	bool quiet;
	struct fired *fired;
	size_t n_fired;
	struct hook hooks[ALERT_MAX_RUNNING];
	int n_hooks;
	size_t n_deferred;       /* alerts held back last tick for want of a slot */
};

/* What one alert is about; strings are raw (sanitised when exported). */
struct alert_info {
	enum alert_kind kind;
	const char *entity;      /* "process", "tree", "cgroup", "gpu", "tree_gpu" */
	pid_t pid;               /* 0 for a cgroup */
	const char *name, *cmdline, *cgroup;
	int64_t rss_bytes, limit_bytes;
	const struct gpu_series *gpu; /* the GPU series an alert is about, else NULL */
	double usage_pct;
	const struct trend_result *r; /* NULL for an OOM kill */
	const char *message;     /* raw event text, or NULL: built here */
};

/* ---- set-up ---- */

static bool runnable(const char *prog)
{
	const char *path;
	char *copy, *save = NULL;
	bool found = false;
	struct stat st;

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0 && stat(prog, &st) == 0 && S_ISREG(st.st_mode);
	path = getenv("PATH");
	copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (char *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *full = xasprintf("%s/%s", *dir ? dir : ".", prog);

		found = access(full, X_OK) == 0 && stat(full, &st) == 0 && S_ISREG(st.st_mode);
		free(full);
	}
	free(copy);
	return found;
}

struct alert *alert_new(char *const *argv, int64_t cooldown_ms, int64_t timeout_ms, bool quiet,
			char **err)
{
	struct alert *al;
	size_t n = 0;

	if (!argv || !argv[0]) {
		*err = xstrdup("--on-alert: empty command");
		return NULL;
	}
	if (!runnable(argv[0])) {
		char *prog = util_sanitize(argv[0]);

		*err = xasprintf("--on-alert: '%s' is not an executable program "
				 "(no shell is used: write \"sh -c ...\" for one)", prog);
		free(prog);
		return NULL;
	}
	while (argv[n])
		n++;
	al = xcalloc(1, sizeof(*al));
	al->argv = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		al->argv[i] = xstrdup(argv[i]);
	al->cooldown_ms = cooldown_ms;
	al->timeout_ms = timeout_ms;
	al->quiet = quiet;
	return al;
}

/* ---- the hook's environment ---- */

struct env {
	char **v;
	size_t n;
};

static void env_add(struct env *e, char *kv)
{
	e->v = xrealloc(e->v, (e->n + 2) * sizeof(char *));
	e->v[e->n++] = kv;
	e->v[e->n] = NULL;
}

/* NAME=value with value sanitised; empty when unknown. */
static void env_str(struct env *e, const char *name, const char *raw)
{
	char *clean = util_sanitize(raw ? raw : "");

	env_add(e, xasprintf("%s=%s", name, clean));
	free(clean);
}

static void env_int(struct env *e, const char *name, int64_t v)
{
	if (ms_has(v) && v != MS_UNLIMITED)
		env_add(e, xasprintf("%s=%lld", name, (long long)v));
	else
		env_add(e, xasprintf("%s=", name));
}

static void env_num(struct env *e, const char *name, double v)
{
	if (isfinite(v))
		env_add(e, xasprintf("%s=%.3f", name, v));
	else
		env_add(e, xasprintf("%s=", name));
}

static struct env env_build(const struct model *m, const struct alert_info *in, const char *message)
{
	struct env e = {NULL, 0};
	char when[40];
	time_t s = (time_t)(m->time_ms / 1000);
	struct tm tm;

	/* The inherited environment, less any MEMSLOPE_* that could pass for
	 * ours: every MEMSLOPE_* variable below is set, empty when unknown. */
	for (char **p = environ; p && *p; p++)
		if (strncmp(*p, "MEMSLOPE_", 9) != 0)
			env_add(&e, xstrdup(*p));
	gmtime_r(&s, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	env_str(&e, "MEMSLOPE_EVENT", kind_names[in->kind]);
	env_str(&e, "MEMSLOPE_ENTITY", in->entity);
	if (in->pid > 0)
		env_add(&e, xasprintf("MEMSLOPE_PID=%d", (int)in->pid));
	else
		env_add(&e, xstrdup("MEMSLOPE_PID="));
	env_str(&e, "MEMSLOPE_NAME", in->name);
	env_str(&e, "MEMSLOPE_CMDLINE", in->cmdline);
	env_str(&e, "MEMSLOPE_CGROUP", in->cgroup);
	env_int(&e, "MEMSLOPE_RSS_BYTES", in->rss_bytes);
	env_int(&e, "MEMSLOPE_GPU_BYTES", in->gpu ? in->gpu->bytes : MS_ABSENT);
	env_int(&e, "MEMSLOPE_LIMIT_BYTES", in->limit_bytes);
	env_num(&e, "MEMSLOPE_USAGE_PCT", in->usage_pct);
	env_num(&e, "MEMSLOPE_TTL_S", in->r ? in->r->ttl_s : NAN);
	env_num(&e, "MEMSLOPE_SLOPE_BYTES_PER_S", in->r ? in->r->slope_bytes_per_s : NAN);
	env_str(&e, "MEMSLOPE_VERDICT", in->r ? trend_verdict_name(in->r->verdict) : "");
	env_str(&e, "MEMSLOPE_MESSAGE", message);
	env_str(&e, "MEMSLOPE_HOST", m->host);
	env_str(&e, "MEMSLOPE_TIME", when);
	env_add(&e, xasprintf("MEMSLOPE_TIME_MS=%lld", (long long)m->time_ms));
	return e;
}

static void env_free(struct env *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i]);
	free(e->v);
}

/* ---- running and reaping ---- */

static void hooks_poll(struct alert *al, struct model *m, int64_t now);

void alert_poll(struct alert *al, struct model *m, int64_t now)
{
	if (al)
		hooks_poll(al, m, now);
}

static void describe_status(const struct hook *h, char *buf, size_t cap)
{
	if (WIFEXITED(h->status)) {
		snprintf(buf, cap, "exited with status %d", WEXITSTATUS(h->status));
	} else if (WIFSIGNALED(h->status)) {
		const char *abbrev = sigabbrev_np(WTERMSIG(h->status));

		if (abbrev)
			snprintf(buf, cap, "was killed by SIG%s", abbrev);
		else
			snprintf(buf, cap, "was killed by signal %d", WTERMSIG(h->status));
	} else {
		snprintf(buf, cap, "ended (wait status %d)", h->status);
	}
}

static void hook_log_end(struct model *m, struct hook *h)
{
	char how[64];
	double took_s = (double)(h->end_ms - h->start_ms) / 1000.0;

	describe_status(h, how, sizeof(how));
	if (!m)
		return;
	if (h->term_ms)
		model_event(m, EV_ALERT_HOOK, h->about_pid, h->about_cgroup,
			    "alert hook (pid %d) for %s timed out after %.1f s and %s; ran %.1f s", (int)h->pid,
			    h->what, (double)(h->term_ms - h->start_ms) / 1000.0, how, took_s);
	else
		model_event(m, EV_ALERT_HOOK, h->about_pid, h->about_cgroup,
			    "alert hook (pid %d) for %s %s after %.1f s", (int)h->pid, h->what, how, took_s);
}

static void hook_drop(struct alert *al, int i)
{
	free(al->hooks[i].about_cgroup);
	free(al->hooks[i].what);
	al->hooks[i] = al->hooks[--al->n_hooks];
}

bool alert_child_exited(struct alert *al, pid_t pid, int status, int64_t now_mono_ms)
{
	if (!al)
		return false;
	for (int i = 0; i < al->n_hooks; i++) {
		struct hook *h = &al->hooks[i];

		if (h->pid == pid && !h->done) {
			h->done = true;
			h->status = status;
			h->end_ms = now_mono_ms;
			return true;
		}
	}
	return false;
}

int alert_running(const struct alert *al)
{
	return al ? al->n_hooks : 0;
}

/* Reap, log the finished, signal the overdue. */
static void hooks_poll(struct alert *al, struct model *m, int64_t now)
{
	for (int i = 0; i < al->n_hooks;) {
		struct hook *h = &al->hooks[i];
		int status;

		if (!h->done && waitpid(h->pid, &status, WNOHANG) == h->pid) {
			h->done = true;
			h->status = status;
			h->end_ms = now;
		}
		if (h->done) {
			hook_log_end(m, h);
			hook_drop(al, i);
			continue;
		}
		if (!h->term_ms && now - h->start_ms >= al->timeout_ms) {
			/* The whole process group: a hook script's children too. */
			kill(-h->pid, SIGTERM);
			h->term_ms = now;
		} else if (h->term_ms && now - h->term_ms >= ALERT_KILL_GRACE_MS) {
			kill(-h->pid, SIGKILL);
		}
		i++;
	}
}

/* In the forked child, before exec. Signals are blocked since before the
 * fork: a SIGTERM sent to the hook in this window stays pending instead of
 * running memslope's handler (which would swallow it), and takes its
 * default action once the mask is cleared below. */
static void hook_child(const struct alert *al, char **envp)
{
	sigset_t none;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	setpgid(0, 0);
	/* exec resets handled signals but keeps ignored ones (memslope ignores
	 * SIGPIPE): every disposition back to the default (glibc refuses its
	 * own two, 32 and 33). */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		if (al->quiet) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		} else {
			/* stdout may be the NDJSON stream: the hook's output goes to stderr. */
			dup2(STDERR_FILENO, STDOUT_FILENO);
		}
	}
	/* The sampler's kept /proc descriptors and the log are not the hook's. */
	close_range(3, ~0U, 0);
	execvpe(al->argv[0], al->argv, envp);
	_exit(127);
}

static const char *entity_what(const struct alert_info *in, char *buf, size_t cap)
{
	char *name = util_sanitize(in->name ? in->name : ""), *cg = util_sanitize(in->cgroup ? in->cgroup : "");

	if (in->pid > 0)
		snprintf(buf, cap, "%s %d (%s)", in->entity, (int)in->pid, name);
	else
		snprintf(buf, cap, "%s %s", in->entity, cg);
	free(name);
	free(cg);
	return buf;
}

static void hook_start(struct alert *al, struct model *m, const struct alert_info *in, int64_t now)
{
	char what[256], msg[512], ttl[32], rate[48];
	struct env env;
	struct hook *h;
	sigset_t all, old;
	int fork_errno;
	pid_t pid;

	entity_what(in, what, sizeof(what));
	if (in->message) {
		snprintf(msg, sizeof(msg), "%s", in->message);
	} else if (in->kind == AK_LEAK) {
		util_fmt_rate(in->r->slope_bytes_per_s, rate, sizeof(rate));
		snprintf(msg, sizeof(msg), "%s: confirmed leak, growing %s", what,
			 isfinite(in->r->slope_bytes_per_s) ? rate : "(rate unknown)");
	} else if (in->kind == AK_OOM_IMMINENT) {
		snprintf(msg, sizeof(msg), "%s: oom_imminent, limit in %s", what,
			 util_fmt_duration(in->r->ttl_s, ttl, sizeof(ttl)));
	} else {
		snprintf(msg, sizeof(msg), "%s: usage %.1f%% of its limit, at or above --crit-pct %d%%", what,
			 in->usage_pct, m->crit_pct);
	}
	env = env_build(m, in, msg);
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0)
		hook_child(al, env.v);
	fork_errno = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	env_free(&env);
	errno = fork_errno;
	if (pid < 0) {
		model_event(m, EV_ALERT_HOOK, in->pid, in->pid > 0 ? NULL : in->cgroup,
			    "alert hook for %s: %s could not be started: %s", kind_names[in->kind], what,
			    strerror(errno));
		return;
	}
	setpgid(pid, pid); /* also here: no race with a kill before the child ran */
	h = &al->hooks[al->n_hooks++];
	memset(h, 0, sizeof(*h));
	h->pid = pid;
	h->start_ms = now;
	h->about_pid = in->pid;
	h->about_cgroup = in->pid > 0 || !in->cgroup ? NULL : xstrdup(in->cgroup);
	h->what = xasprintf("%s: %s", kind_names[in->kind], what);
	model_event(m, EV_ALERT_HOOK, h->about_pid, h->about_cgroup, "alert hook started (pid %d) for %s",
		    (int)pid, h->what);
}

/* ---- deciding ---- */

static struct fired *fired_find(struct alert *al, const char *key, enum alert_kind kind)
{
	for (size_t i = 0; i < al->n_fired; i++)
		if (al->fired[i].kind == kind && strcmp(al->fired[i].key, key) == 0)
			return &al->fired[i];
	return NULL;
}

/* Fire unless this entity and kind fired within the cooldown. */
static void maybe_fire(struct alert *al, struct model *m, const char *key, const struct alert_info *in,
		       int64_t now)
{
	struct fired *f = fired_find(al, key, in->kind);

	if (f && now - f->at_ms < al->cooldown_ms)
		return;
	if (al->n_hooks >= ALERT_MAX_RUNNING) {
		al->n_deferred++;
		return;
	}
	if (!f) {
		al->fired = xrealloc(al->fired, (al->n_fired + 1) * sizeof(*al->fired));
		f = &al->fired[al->n_fired++];
		f->key = xstrdup(key);
		f->kind = in->kind;
	}
	f->at_ms = now;
	hook_start(al, m, in, now);
}

static void check_entity(struct alert *al, struct model *m, const char *key, struct alert_info *in,
			 int level, int64_t now)
{
	if (in->r->verdict == TREND_LEAK) {
		in->kind = AK_LEAK;
		maybe_fire(al, m, key, in, now);
	}
	if (in->r->oom_imminent) {
		in->kind = AK_OOM_IMMINENT;
		maybe_fire(al, m, key, in, now);
	}
	if (level >= 2) {
		in->kind = AK_CRIT;
		maybe_fire(al, m, key, in, now);
	}
}

static void fired_prune(struct alert *al, int64_t now)
{
	size_t j = 0;

	for (size_t i = 0; i < al->n_fired; i++) {
		if (now - al->fired[i].at_ms < al->cooldown_ms)
			al->fired[j++] = al->fired[i];
		else
			free(al->fired[i].key);
	}
	al->n_fired = j;
}

void alert_tick(struct alert *al, struct model *m, int64_t now)
{
	const struct event *first;
	size_t n_events = model_events_this_tick(m, &first), ev0 = m->ev_len - n_events;
	size_t deferred_before = al->n_deferred;
	char key[64];

	hooks_poll(al, m, now);
	fired_prune(al, now);
	al->n_deferred = 0;
	/* OOM kills are events, not states: take this tick's, before the
	 * hook events below are added to the ring. */
	for (size_t i = 0; i < n_events; i++) {
		const struct event *e = model_event_at(m, ev0 + i);
		const struct cgroup_entity *c;
		struct alert_info in;
		char *k;

		if (e->kind != EV_OOM_KILL)
			continue;
		c = e->cgroup ? model_cgroup_find(m, e->cgroup) : NULL;
		memset(&in, 0, sizeof(in));
		in.kind = AK_OOM_KILL;
		in.entity = e->cgroup ? "cgroup" : "process";
		in.pid = e->pid;
		in.cgroup = e->cgroup;
		in.rss_bytes = c ? c->s.current_bytes : MS_ABSENT;
		in.limit_bytes = c ? c->limit_bytes : MS_ABSENT;
		in.usage_pct = c ? c->usage_pct : NAN;
		in.r = c ? trend_get(&c->trend) : NULL;
		in.message = e->message;
		k = e->cgroup ? xasprintf("c:%s", e->cgroup) : xasprintf("p:%d", (int)e->pid);
		maybe_fire(al, m, k, &in, now);
		free(k);
	}
	for (size_t i = 0; i < m->n_procs; i++) {
		struct proc_entity *p = m->procs[i];
		struct alert_info in = {
			.entity = "process", .pid = p->pid, .name = p->name, .cmdline = p->cmdline,
			.cgroup = p->cgroup, .rss_bytes = p->rss_bytes, .limit_bytes = p->limit_bytes,
			.usage_pct = p->usage_pct, .r = trend_get(&p->trend),
		};

		if (!p->alive)
			continue;
		snprintf(key, sizeof(key), "p:%d:%llu", (int)p->pid, (unsigned long long)p->start_ticks);
		check_entity(al, m, key, &in, p->marks.level, now);
		/* Its GPU memory: the same alerts, against the card's memory. */
		if (p->gpu) {
			in.entity = "gpu";
			in.gpu = p->gpu;
			in.limit_bytes = p->gpu->limit_bytes;
			in.usage_pct = p->gpu->usage_pct;
			in.r = trend_get(&p->gpu->trend);
			key[0] = 'g';
			check_entity(al, m, key, &in, p->gpu->marks.level, now);
		}
	}
	for (size_t i = 0; i < m->n_trees; i++) {
		struct tree_entity *t = m->trees[i];
		struct alert_info in = {
			.entity = "tree", .pid = t->root_pid, .name = t->name, .rss_bytes = t->rss_bytes,
			.limit_bytes = t->limit_bytes, .usage_pct = t->usage_pct, .r = trend_get(&t->trend),
		};

		if (!t->alive)
			continue;
		snprintf(key, sizeof(key), "t:%d:%llu", (int)t->root_pid, (unsigned long long)t->root_start_ticks);
		check_entity(al, m, key, &in, t->marks.level, now);
		if (t->gpu) {
			in.entity = "tree_gpu";
			in.gpu = t->gpu;
			in.limit_bytes = t->gpu->limit_bytes;
			in.usage_pct = t->gpu->usage_pct;
			in.r = trend_get(&t->gpu->trend);
			key[0] = 'u';
			check_entity(al, m, key, &in, t->gpu->marks.level, now);
		}
	}
	for (size_t i = 0; i < m->n_cgroups; i++) {
		struct cgroup_entity *c = m->cgroups[i];
		struct alert_info in = {
			.entity = "cgroup", .cgroup = c->s.path, .rss_bytes = c->s.current_bytes,
			.limit_bytes = c->limit_bytes, .usage_pct = c->usage_pct, .r = trend_get(&c->trend),
		};
		char *k;

		if (!c->s.exists)
			continue;
		k = xasprintf("c:%s", c->s.path);
		check_entity(al, m, k, &in, c->marks.level, now);
		free(k);
	}
	if (al->n_deferred && !deferred_before)
		model_event(m, EV_ALERT_HOOK, 0, NULL,
			    "%zu alert(s) held back: %d alert hooks are still running", al->n_deferred,
			    al->n_hooks);
}

/* A hook fired just before the end (the oom_kill alert of a launched
 * command comes in the tick that sees the command die) must not be cut
 * short by memslope exiting: each hook still running gets the rest of its
 * --alert-timeout, then SIGTERM and SIGKILL as in a tick. */
void alert_free(struct alert *al, struct model *m)
{
	if (!al)
		return;
	if (al->n_hooks) {
		int64_t now = util_now_mono_ms(), until = now;
		char how_long[32];

		for (int i = 0; i < al->n_hooks; i++)
			if (al->hooks[i].start_ms + al->timeout_ms > until)
				until = al->hooks[i].start_ms + al->timeout_ms;
		fprintf(stderr, "memslope: waiting up to %s for %d alert hook%s still running (--alert-timeout)\n",
			util_fmt_duration((double)(until - now) / 1000.0, how_long, sizeof(how_long)), al->n_hooks,
			al->n_hooks == 1 ? "" : "s");
		while (al->n_hooks) {
			now = util_now_mono_ms();
			for (int i = 0; i < al->n_hooks; i++) {
				struct hook *h = &al->hooks[i];

				pid_t w = h->done ? 0 : waitpid(h->pid, &h->status, WNOHANG);

				/* Nobody else reaps now; a hook gone without a status
				 * (ECHILD) counts as ended, status unknown (-1). */
				if (w == h->pid || (w < 0 && errno == ECHILD)) {
					h->done = true;
					h->status = w < 0 ? -1 : h->status;
					h->end_ms = now;
				}
			}
			hooks_poll(al, m, now);
			if (al->n_hooks)
				usleep(20000);
		}
	}
	for (size_t i = 0; i < al->n_fired; i++)
		free(al->fired[i].key);
	free(al->fired);
	for (char **p = al->argv; *p; p++)
		free(*p);
	free(al->argv);
	free(al);
}
