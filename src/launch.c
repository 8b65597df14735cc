/* launch: start, follow and reap a command; its post-mortem. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch.h"
#include "capture.h"
#include "out_json.h"
#include "update_gpu.h"
#include "util.h"

/* In the child before exec: the command starts as from a shell, with no
 * signal blocked and every disposition at its default (memslope's handlers
 * would be reset by exec anyway; an ignored SIGPIPE would not). */
static void child_signals_reset(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
}

int launch_start(struct launch *l, char **argv, const struct launch_io *io, struct sample_proc *sp, char **err)
{
	int pfd[2];
	pid_t pid;
	ssize_t r;
	int e = 0;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		*err = xasprintf("cannot launch %s: %s", argv[0], strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		*err = xasprintf("cannot launch %s: %s", argv[0], strerror(errno));
		return -1;
	}
	if (pid == 0) {
		child_signals_reset();
		if (io && io->capture && capture_child_attach(io->capture) < 0)
			e = errno;
		else if (io && !io->capture && io->stdout_to_stderr && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			e = errno;
		if (!e)
			execvp(argv[0], argv);
		e = errno;
		if (write(pfd[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pfd[1]);
	if (io && io->capture)
		capture_parent_after_fork(io->capture);
	do
		r = read(pfd[0], &e, sizeof(e));
	while (r < 0 && errno == EINTR);
	close(pfd[0]);
	if (r == (ssize_t)sizeof(e)) {
		waitpid(pid, NULL, 0);
		*err = xasprintf("cannot run '%s': %s", argv[0], strerror(e));
		return -1;
	}
	memset(l, 0, sizeof(*l));
	l->argv = argv;
	l->pid = pid;
	l->running = true;
	l->start_mono_ms = util_now_mono_ms();
	l->peak_rss_bytes = l->peak_tree_rss_bytes = l->peak_used_bytes = MS_ABSENT;
	l->oom_kill_start = MS_ABSENT;
	l->limit_imminent_kind = -1;
	for (int k = 0; k < LIMIT_KINDS; k++)
		l->near_ms[k] = -1;
	sample_proc_add_pid(sp, pid);
	return 0;
}

void launch_reap(struct launch *l, struct alert *alert)
{
	int status;
	pid_t r;

	while ((r = waitpid(-1, &status, WNOHANG)) > 0) {
		if (r == l->pid && l->running) {
			l->running = false;
			l->status = status;
			l->end_mono_ms = util_now_mono_ms();
		} else {
			/* waitpid(-1) takes alert hooks too: hand their status over. */
			alert_child_exited(alert, r, status, util_now_mono_ms());
		}
	}
}

void launch_track(struct launch *l, const struct model *m, int64_t interval_ms)
{
	struct proc_entity *p = model_proc_find(m, l->pid);
	struct tree_entity *t = model_tree_find(m, l->pid);
	struct cgroup_entity *c = p && p->cgroup ? model_cgroup_find(m, p->cgroup) : NULL;

	/* An OOM forecast for the command or its tree. */
	if ((p && p->alive && trend_get(&p->trend)->oom_imminent) ||
	    (t && t->alive && trend_get(&t->trend)->oom_imminent))
		l->oom_imminent_fired = true;
	/* ...and a forecast of a refused allocation (limit_imminent); the
	 * refusing limits last seen near, for the post-mortem's cause. */
	for (size_t i = 0; p && p->alive && i < p->limits.n; i++) {
		const struct limit *lim = &p->limits.v[i];

		if (l->limit_imminent_kind < 0 && lim->imminent && limit_kind_refuses(lim->kind))
			l->limit_imminent_kind = (int)lim->kind;
		if (limit_near(lim)) {
			l->near[lim->kind] = *lim;
			l->near[lim->kind].source = NULL; /* p's string; see launch_cause */
			l->near_ms[lim->kind] = m->mono_ms;
		}
	}

	if (p && p->alive) {
		int64_t peak = ms_has(p->peak_rss_bytes) ? p->peak_rss_bytes : p->rss_bytes;

		const struct limit *kill = limit_state_find(&p->limits, LIMIT_CGROUP_MAX);
		int64_t used = !p->usage_basis ? MS_ABSENT : kill ? kill->used_bytes : p->rss_bytes;

		if (ms_has(peak) && (!ms_has(l->peak_rss_bytes) || peak > l->peak_rss_bytes))
			l->peak_rss_bytes = peak;
		/* Like with like: the limit against what it is compared with. */
		if (ms_has(used) && (!ms_has(l->peak_used_bytes) || used > l->peak_used_bytes ||
				     l->used_basis != p->usage_basis)) {
			l->peak_used_bytes = used;
			l->used_basis = p->usage_basis;
		}
	}
	/* A tree none of whose members was ever read sums to 0: not a peak. */
	if (t && ms_has(t->peak_rss_bytes) && t->peak_rss_bytes > 0 &&
	    (!ms_has(l->peak_tree_rss_bytes) || t->peak_rss_bytes > l->peak_tree_rss_bytes))
		l->peak_tree_rss_bytes = t->peak_rss_bytes;
	if (c && c->s.exists) {
		if (!l->oom_cgroup || strcmp(l->oom_cgroup, c->s.path) != 0) {
			model_set_str(&l->oom_cgroup, c->s.path);
			l->oom_kill_start = c->s.ev_oom_kill;
		}
		if (ms_has(c->s.ev_oom_kill) && ms_has(l->oom_kill_start) &&
		    c->s.ev_oom_kill > l->oom_kill_start)
			l->oom_killed = true;
		if (ms_has(c->s.effective_high_bytes) && c->s.effective_high_bytes != MS_UNLIMITED &&
		    ms_has(c->s.current_bytes) && c->s.current_bytes > c->s.effective_high_bytes)
			l->above_high_ms += interval_ms;
	}
}

/* The source of a limit that refuses allocations follows from its kind. */
static const char *refusing_source(enum limit_kind k)
{
	return k == LIMIT_COMMIT ? "sysctl" : k == LIMIT_ADDRESS_SPACE ? "elf32" : k == LIMIT_GPU ? "nvml" : "rlimit";
}

struct limit_verdict launch_cause(const struct launch *l, const struct model *m, struct limit *lim)
{
	const struct proc_entity *p = model_proc_find(m, l->pid);
	struct limit v[LIMIT_KINDS];
	size_t n = 0;
	struct limit_verdict r;

	/* The command's limits as last seen, each refusing one replaced by
	 * its last sample near the limit when that came shortly before the
	 * end. */
	for (size_t i = 0; p && i < p->limits.n; i++) {
		enum limit_kind k = p->limits.v[i].kind;

		v[n] = p->limits.v[i];
		if (l->near_ms[k] >= 0 && l->end_mono_ms - l->near_ms[k] <= LAUNCH_NEAR_RECENT_MS) {
			v[n] = l->near[k];
			v[n].source = refusing_source(k);
		}
		n++;
	}
	r = limit_cause_of(l->status, l->oom_killed, v, n);
	if (r.limit >= 0)
		*lim = v[r.limit];
	return r;
}

int launch_exit_code(const struct launch *l)
{
	if (WIFEXITED(l->status))
		return WEXITSTATUS(l->status);
	if (WIFSIGNALED(l->status))
		return 128 + WTERMSIG(l->status);
	return 1;
}

void launch_signal_name(int status, char *buf, size_t cap)
{
	const char *abbrev = WIFSIGNALED(status) ? sigabbrev_np(WTERMSIG(status)) : NULL;

	if (abbrev)
		snprintf(buf, cap, "SIG%s", abbrev);
	else if (WIFSIGNALED(status))
		snprintf(buf, cap, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, cap, "unknown");
}

void launch_how(const struct launch *l, char *buf, size_t cap)
{
	if (WIFEXITED(l->status)) {
		snprintf(buf, cap, "exit status %d", WEXITSTATUS(l->status));
	} else {
		char sig[32];

		launch_signal_name(l->status, sig, sizeof(sig));
		snprintf(buf, cap, "killed by %s", sig);
	}
}

/* The command as it was last seen: a job started as `sh -c 'exec python3
 * ...'` is python3 by the end (issue 14 item 8: the post-mortem called it
 * sh). Sanitised; caller frees. */
static char *launch_name(const struct launch *l, const struct model *m, char **launched_as)
{
	const struct proc_entity *p = model_proc_find(m, l->pid);
	const char *argv0 = strrchr(l->argv[0], '/') ? strrchr(l->argv[0], '/') + 1 : l->argv[0];

	*launched_as = NULL;
	if (p && p->name && *p->name && strcmp(p->name, argv0) != 0) {
		*launched_as = util_sanitize(l->argv[0]);
		return util_sanitize(p->name);
	}
	return util_sanitize(l->argv[0]);
}

void launch_postmortem_print(const struct launch *l, const struct model *m, FILE *f)
{
	struct proc_entity *p = model_proc_find(m, l->pid);
	struct tree_entity *t = model_tree_find(m, l->pid);
	const struct trend_result *r = t ? trend_get(&t->trend) : p ? trend_get(&p->trend) : NULL;
	char b1[32], b2[32], b3[32], d1[32], d2[32], how[64], rate[32];
	char *as, *cmd = launch_name(l, m, &as);

	launch_how(l, how, sizeof(how));
	fprintf(f, "memslope: %s (pid %d%s%s) ran %s, %s\n", cmd, (int)l->pid, as ? ", launched as " : "", as ? as : "",
		util_fmt_duration((double)(l->end_mono_ms - l->start_mono_ms) / 1000.0, d1, sizeof(d1)), how);
	/* The limit with what it is compared with; RSS apart (issue 14 item 4:
	 * "peak RSS 304M, limit 300M" read as a job over its limit). */
	fprintf(f, "memslope: limit %s (%s), peak %s %s\n",
		util_fmt_bytes(p ? p->limit_bytes : MS_ABSENT, b3, sizeof(b3)),
		p && p->limit_source ? p->limit_source : "unknown",
		l->used_basis && strcmp(l->used_basis, "cgroup") == 0 ? "charged to the cgroup (working set)"
								       : "RSS against RAM",
		util_fmt_bytes(l->peak_used_bytes, b1, sizeof(b1)));
	fprintf(f, "memslope: peak RSS %s, peak tree RSS %s (RSS counts file pages a cgroup may not be charged for)\n",
		util_fmt_bytes(l->peak_rss_bytes, b1, sizeof(b1)),
		util_fmt_bytes(l->peak_tree_rss_bytes, b2, sizeof(b2)));
	if (r && isfinite(r->slope_bytes_per_s))
		fprintf(f, "memslope: final verdict %s, slope %s over %s\n", trend_verdict_name(r->verdict),
			util_fmt_rate(r->slope_bytes_per_s, rate, sizeof(rate)),
			util_fmt_duration(r->window_s, d2, sizeof(d2)));
	else
		fprintf(f, "memslope: final verdict %s\n", trend_verdict_name(r ? r->verdict : TREND_UNKNOWN));
	fprintf(f, "memslope: time above memory.high %s; OOM kill: %s; oom_imminent fired: %s\n",
		util_fmt_duration((double)l->above_high_ms / 1000.0, d1, sizeof(d1)),
		l->oom_killed ? "yes" : "no", l->oom_imminent_fired ? "yes" : "no");
	if ((t && t->gpu) || (p && p->gpu)) {
		const struct gpu_series *g = t && t->gpu ? t->gpu : p->gpu;

		fprintf(f, "memslope: peak GPU memory %s of %s it could reach; likely CUDA out of memory: %s\n",
			util_fmt_bytes(g->peak_bytes, b1, sizeof(b1)), util_fmt_bytes(g->last_limit_bytes, b2, sizeof(b2)),
			update_gpu_oom_likely(g, l->status) ? "yes" : "no");
	}
	{
		struct limit lim;
		struct limit_verdict v = launch_cause(l, m, &lim);

		if (v.limit >= 0)
			fprintf(f, "memslope: cause: %s (likely: %s %s, %s used when last seen near it%s%s)\n",
				limit_cause_name(v.cause), limit_kind_name(lim.kind),
				util_fmt_bytes(lim.limit_bytes, b1, sizeof(b1)),
				util_fmt_bytes(lim.used_bytes, b2, sizeof(b2)),
				lim.imminent ? ", predicted imminent" : "",
				lim.kind == LIMIT_GPU ? "; CUDA out of memory" : "");
		else
			fprintf(f, "memslope: cause: %s\n", limit_cause_name(v.cause));
		if (l->limit_imminent_kind >= 0)
			fprintf(f, "memslope: limit_imminent fired: %s\n",
				limit_kind_name((enum limit_kind)l->limit_imminent_kind));
	}
	free(cmd);
	free(as);
}

/* Write text to path: a new file under an unguessable name beside it,
 * renamed over it when complete, so no reader ever sees half of it and a
 * planted symlink is replaced, not followed. */
static int file_write_whole(const char *path, const char *text, gid_t gid, char **err)
{
	char *tmp = xasprintf("%s.XXXXXX", path);
	size_t len = strlen(text), off = 0;
	int fd = mkostemp(tmp, O_CLOEXEC), e;

	if (fd < 0) {
		*err = xasprintf("-o %s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	if (gid != (gid_t)-1 && (fchown(fd, (uid_t)-1, gid) < 0 || fchmod(fd, 0640) < 0))
		goto fail;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	return 0;
fail:
	e = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	*err = xasprintf("-o %s: %s", path, strerror(e));
	return -1;
}

int launch_output_check(const char *path, char **err)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	struct stat st;
	int rc = 0;

	if (slash)
		slash[slash == dir ? 1 : 0] = '\0';
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		*err = xasprintf("-o %s: not a regular file", path);
		rc = -1;
	} else if (access(slash ? dir : ".", W_OK | X_OK) < 0) {
		*err = xasprintf("-o %s: cannot write in %s: %s", path, slash ? dir : ".", strerror(errno));
		rc = -1;
	}
	free(dir);
	return rc;
}

int launch_finish(const struct launch *l, const struct model *m, const struct launch_end *e)
{
	char how[64], *as, *cmd = launch_name(l, m, &as);
	int code = launch_exit_code(l), rc;

	if (e->output_path) {
		char *text = NULL, *err = NULL;
		size_t len = 0;

		if (e->json) {
			json_t *pm = out_json_postmortem(l, m, e->check);

			text = json_dumps(pm, JSON_INDENT(2) | JSON_ENSURE_ASCII);
			json_decref(pm);
			if (!text)
				fatal("out of memory (JSON)");
			text = xrealloc(text, strlen(text) + 2);
			strcat(text, "\n");
		} else {
			FILE *f = open_memstream(&text, &len);

			if (!f)
				fatal("out of memory (post-mortem)");
			launch_postmortem_print(l, m, f);
			if (e->check)
				events_check_print(e->check, f);
			fclose(f);
		}
		if (file_write_whole(e->output_path, text, e->file_gid, &err) < 0) {
			fprintf(stderr, "memslope: %s\n", err);
			free(err);
			launch_postmortem_print(l, m, stderr); /* not lost */
		} else {
			fprintf(stderr, "memslope: post-mortem of %s written to %s\n", cmd, e->output_path);
		}
		free(text);
	} else {
		if (e->json) {
			json_t *pm = out_json_postmortem(l, m, e->check);
			char *text = json_dumps(pm, JSON_INDENT(2) | JSON_ENSURE_ASCII);

			json_decref(pm);
			if (text) {
				puts(text);
				fflush(stdout);
				free(text);
			}
		}
		launch_postmortem_print(l, m, stderr);
	}
	if (e->check)
		events_check_print(e->check, stderr);
	launch_how(l, how, sizeof(how));
	if (e->check && e->check->n) {
		fprintf(stderr, "memslope: exit status %d: --check failed (%s itself: %s)\n", e->check_exit, cmd, how);
		rc = e->check_exit;
	} else {
		if (e->check)
			fprintf(stderr, "memslope: exit status %d is %s's own (%s); --check passed\n", code, cmd, how);
		rc = code;
	}
	free(cmd);
	free(as);
	return rc;
}

void launch_done(struct launch *l)
{
	free(l->oom_cgroup);
	l->oom_cgroup = NULL;
}
