/* main: wires the stages, in order; it holds no rule of its own.
 *
 *   sample (sample_proc, sample_sys, cgroup) -> update (update.c: entities,
 *   history, trend; events.c: events, --check) -> model -> outputs
 *   (out_json, out_ndjson, out_prom, alert, TUI)
 *
 * One tick: read the system, hand the readings to update_tick, then the
 * model to the outputs. Launch mode is launch.c; the run mode comes from
 * options_finish. Options are checked, files opened and the command
 * launched before the screen is taken, so bad input gets one line and an
 * exit. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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
#include "container.h"
#include "capture.h"
#include "launch.h"
#include "launch_pane.h"
#include "model.h"
#include "options.h"
#include "out_json.h"
#include "out_ndjson.h"
#include "out_prom.h"
#include "replay.h"
#include "sample_proc.h"
#include "sample_sys.h"
#include "tui.h"
#include "update.h"
#include "util.h"

#define EXIT_USAGE 2
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
	struct update up;
	struct sample_self self;
	struct sample_gpu *gpu; /* NULL: NVML could not be loaded */
	struct launch_pane pane; /* launch mode in the TUI: the command's output */
};

/* ---- the tick: sample, then update ---- */

static void cgroup_reader(void *ctx, const char *path, struct cgroup_sample *out)
{
	cgroup_read(ctx, path, out);
}

static void container_namer(struct container *c)
{
	container_lookup(c, container_state_root());
}

static void tick(struct app *a)
{
	struct update_input in;
	struct gpu_sample gs;

	memset(&in, 0, sizeof(in));
	in.mono_ms = util_now_mono_ms();
	in.time_ms = util_now_wall_ms();
	sample_sys_read(&in.sys);
	sample_proc_tick(a->sp, in.mono_ms);
	in.n_procs = sample_proc_tracked(a->sp, &in.procs);
	in.n_exited = sample_proc_exited(a->sp, &in.exited);
	if (a->gpu) {
		sample_gpu_read(a->gpu, in.mono_ms, &gs);
		in.gpu = &gs;
	}
	update_tick(&a->up, &in);
	sample_self_read(&a->self, &a->m->self);
	a->m->self.sample_cost_us_per_process = sample_proc_cost_us(a->sp);
	/* Every descriptor kept open: the processes' and the kernel files'
	 * (cgroup files, meminfo, pressure, our own stat). */
	a->m->self.n_fds = (int64_t)(sample_proc_fds(a->sp) + util_kept_count());
}

static void reap(struct app *a)
{
	got_chld = 0;
	launch_reap(&a->launch, a->alert);
}

/* ---- snapshots ---- */

/* Where snapshots and a launched command's output go: --snapshot-dir,
 * else the XDG state directory (made on first use), else the current one.
 * Caller frees. */
static char *export_dir(const struct app *a)
{
	char cwd[4096], *state;

	if (a->o->snapshot_dir)
		return xstrdup(a->o->snapshot_dir);
	state = config_file_state_dir();
	if (state && util_mkdir_p(state, 0700) == 0)
		return state;
	free(state);
	return xstrdup(getcwd(cwd, sizeof(cwd)) ? cwd : ".");
}

/* The file is named in full: the status line is read by someone who may
 * not know where memslope was started. */
static char *snapshot_write(struct app *a, char **err)
{
	char *dir = export_dir(a), *path = out_json_export(a->m, dir, a->o->file_gid, err);

	free(dir);
	return path;
}

/* ---- setup checks: everything that can be wrong with the input ---- */

/* -c NAME that is no cgroup path: a container id prefix, a container or
 * pod name, or a systemd unit (container_find). Exactly one must match. */
static int resolve_cgroup(struct app *a, char **cgroup, char **err)
{
	const char *text = *cgroup + 1; /* options.c made it "/NAME" */
	char **paths;
	size_t n = container_find(&a->cgfs, text, container_state_root(), &paths);

	if (n == 1) {
		free(*cgroup);
		*cgroup = paths[0];
		free(paths);
		return 0;
	}
	if (n == 0)
		*err = xasprintf("-c %s: no such cgroup under %s, nor a container or unit of that name", text,
				 a->cgfs.mount_dir);
	else
		*err = xasprintf("-c %s: names %zu cgroups (%s, %s%s): give more of the id, or the path", text, n,
				 paths[0], paths[1], n > 2 ? ", ..." : "");
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return -1;
}

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
		if (!cgroup_exists(&a->cgfs, o->cgroups[i]) && resolve_cgroup(a, &o->cgroups[i], err) < 0)
			return -1;
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
	if (o->output_path && launch_output_check(o->output_path, err) < 0)
		return -1;
	if (o->stdout_unused) {
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
	if (o->count && a->up.ticks >= (uint64_t)o->count)
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
 * hooks (whose events belong to this tick's line). A metrics file that
 * keeps failing is reported at once and then every minute (every 10 s on
 * the TUI's status line), with the count, and when it recovers. */
static void integrations_tick(struct app *a)
{
	if (a->prom) {
		char *line = out_prom_tick(a->prom, a->m, util_now_mono_ms(), a->tui ? 10000 : 60000);

		if (line && a->tui)
			tui_set_status(a->tui, line);
		else if (line)
			fprintf(stderr, "memslope: %s\n", line);
		free(line);
	}
	if (a->alert)
		alert_tick(a->alert, a->m, util_now_mono_ms());
}

/* At the end: a metrics file that failed is counted; one that was still
 * failing makes the exit status 1 (whoever scrapes it saw stale data). */
static int prom_summary(struct app *a, int rc)
{
	bool failing;
	char *line = out_prom_summary(a->prom, &failing);

	if (line)
		fprintf(stderr, "memslope: %s\n", line);
	free(line);
	return failing && rc == 0 ? 1 : rc;
}

static int run_headless(struct app *a)
{
	int64_t start = util_now_mono_ms(), next = start;
	char *err = NULL;

	for (;;) {
		if (got_chld)
			reap(a);
		tick(a);
		if (a->o->command)
			launch_track(&a->launch, a->m, a->o->interval_ms);
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
				reap(a);
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
	int wait;

	a->tui = tui_new(&to, &err);
	if (!a->tui) {
		fprintf(stderr, "memslope: %s\n", err ? err : "cannot start the terminal interface");
		free(err);
		return 1;
	}
	if (a->pane.cap) {
		char *msg = xasprintf("%s's output (o shows it) is saved in full to\n%s", a->o->command[0],
				      capture_path(a->pane.cap));

		a->pane.open = true;
		launch_pane_poll(&a->pane, a->tui, &a->launch, a->m, util_now_mono_ms());
		launch_pane_show(&a->pane, a->tui, &a->launch, a->m);
		tui_set_status(a->tui, msg);
		free(msg);
	}
	tick(a);
	for (;;) {
		int64_t now = util_now_mono_ms();
		enum tui_cmd cmd;

		launch_pane_poll(&a->pane, a->tui, &a->launch, a->m, util_now_mono_ms());
		if (got_chld)
			reap(a);
		if (got_stop)
			break;
		if (got_usr1)
			handle_usr1(a);
		if ((paused || ended) && a->alert)
			alert_poll(a->alert, a->m, now); /* hooks still end or time out */
		if (!paused && !ended && now >= next) {
			tick(a);
			if (a->o->command)
				launch_track(&a->launch, a->m, a->o->interval_ms);
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
				char how[64], peak[32];

				ended = true;
				launch_how(&a->launch, how, sizeof(how));
				msg = xasprintf("command ended: %s; peak RSS %s; OOM kill: %s%s%s - press q to quit", how,
						util_fmt_bytes(a->launch.peak_rss_bytes, peak, sizeof(peak)),
						a->launch.oom_killed ? "yes" : "no", a->pane.cap ? "; output in " : "",
						a->pane.cap ? capture_path(a->pane.cap) : "");
				tui_set_status(a->tui, msg);
				free(msg);
				if (a->pane.cap) {
					launch_pane_poll(&a->pane, a->tui, &a->launch, a->m, util_now_mono_ms());
					/* the post-mortem, on screen until q */
					launch_pane_show(&a->pane, a->tui, &a->launch, a->m);
				}
			}
			if ((a->o->count && a->up.ticks >= (uint64_t)a->o->count) ||
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
		wait = paused || ended ? 1000 : (int)(next > now ? next - now : 0);
		if (a->pane.open && wait > 100)
			wait = 100; /* the output's quiet time ends within it */
		cmd = tui_input(a->tui, a->m, wait);
		switch (cmd) {
		case TUI_QUIT:
			goto out;
		case TUI_EXPORT: {
			char *path = snapshot_write(a, &err), *msg;

			msg = out_json_export_status(path, err);
			tui_flash(a->tui, msg);
			free(msg);
			free(path);
			free(err);
			err = NULL;
			break;
		}
		case TUI_FASTER:
		case TUI_SLOWER: {
			char *msg;

			a->o->interval_ms = util_interval_step_ms(a->o->interval_ms, cmd == TUI_FASTER ? -1 : 1);
			a->m->interval_ms = a->o->interval_ms;
			next = util_now_mono_ms() + a->o->interval_ms;
			msg = xasprintf("interval %g s", (double)a->o->interval_ms / 1000.0);
			tui_flash(a->tui, msg);
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

static char *replay_export(void *ctx, char **err)
{
	return snapshot_write(ctx, err);
}

static void fatal_restore(void)
{
	/* tui_free is idempotent on a NULL handle; the TUI keeps its own
	 * pointer for the fatal path (tui.c's restore hook). */
}

/* Free everything main() set up; every part may still be unset (NULL),
 * as on the early exits. Alert hooks still running may finish (up to
 * --alert-timeout). */
static void app_done(struct app *a, struct options *o)
{
	launch_done(&a->launch);
	capture_free(a->pane.cap);
	update_done(&a->up);
	alert_free(a->alert, a->m);
	out_prom_free(a->prom);
	ndjson_close(a->log);
	sample_proc_free(a->sp);
	sample_gpu_close(a->gpu);
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
	util_set_fatal_hook(fatal_restore);
	/* --replay: the whole log is read and checked first (and, for the
	 * browser, re-analysed). */
	if (o.replay_path &&
	    !(replay = replay_open(o.replay_path, &(struct replay_open_opts){.index_only = o.run_mode == RUN_RELOG,
			.warn_pct = o.warn_pct, .crit_pct = o.crit_pct}, &err))) {
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
	if (o.run_mode == RUN_RELOG) {
		/* The analysis re-run over the log, written as a log. */
		a.log = ndjson_open(o.log_path, o.log_delta ? NDJSON_DELTA : NDJSON_SNAPSHOT,
				    o.log_max_bytes, o.log_keep, o.file_gid, &err);
		if (a.log && replay_note(replay))
			fprintf(stderr, "memslope: %s: %s\n", o.replay_path, replay_note(replay));
		if (a.log)
			replay_relog(replay, a.log, o.warn_pct, o.crit_pct, &err);
		if (err) /* none: done, or the reader of the output went away */
			fprintf(stderr, "memslope: %s\n", err);
		rc = err ? 1 : 0;
		free(err);
		replay_free(replay);
		app_done(&a, &o);
		return rc;
	}
	if (replay) {
		a.m = model_new("replay", o.interval_ms);
		a.m->warn_pct = o.warn_pct;
		a.m->crit_pct = o.crit_pct;
		signals_install();
		rc = replay_browse(replay, a.m, &(struct replay_browse_opts){
			.ascii = o.ascii, .no_color = o.no_color || getenv("NO_COLOR"),
			.stop = &got_stop, .usr1 = &got_usr1, .export = replay_export, .export_ctx = &a});
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
		a.alert = alert_new(o.on_alert, o.alert_cooldown_ms, o.alert_timeout_ms,
				    o.run_mode == RUN_TUI, &err);
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
			   (o.pss == PSS_AUTO && (!a.sel.all || o.run_mode == RUN_TUI));
	a.sp = sample_proc_new(&a.sel, a.have_cgfs ? &a.cgfs : NULL, (enum pss_mode)o.pss, &err);
	if (!a.sp) {
		fprintf(stderr, "memslope: %s\n", err);
		free(err);
		app_done(&a, &o);
		return 1;
	}
	update_init(&a.up, a.m, &(struct update_config){
		.all = a.sel.all,
		.trees = o.tree || o.command,
		.cgroup_read = a.have_cgfs ? cgroup_reader : NULL,
		.cgroup_ctx = &a.cgfs,
		.container_name = container_namer,
	});
	a.up.check.on = o.check;
	a.up.check.max_growth_bytes_per_s = o.max_growth_bytes_per_s;
	a.up.check.max_growth_arg = o.max_growth_arg;
	a.up.check.max_usage_pct = o.max_usage_pct;
	for (size_t i = 0; i < o.n_cgroups; i++)
		update_cgroup_get(&a.up, o.cgroups[i], true);
	if (o.log_path) {
		a.log = ndjson_open(o.log_path, o.log_delta ? NDJSON_DELTA : NDJSON_SNAPSHOT,
				    o.log_max_bytes, o.log_keep, o.file_gid, &err);
		if (!a.log) {
			fprintf(stderr, "memslope: %s\n", err);
			free(err);
			app_done(&a, &o);
			return 1;
		}
		if (ndjson_note(a.log))
			fprintf(stderr, "memslope: %s\n", ndjson_note(a.log));
	}

	signals_install();

	if (o.command && o.run_mode == RUN_TUI) {
		/* The command's output must not reach the screen: it gets a
		 * terminal of its own, saved to a file. */
		char *dir = export_dir(&a);

		a.pane.cap = capture_open(dir, o.command[0], &err);
		free(dir);
		if (!a.pane.cap) {
			fprintf(stderr, "memslope: %s\n", err);
			free(err);
			app_done(&a, &o);
			return 1;
		}
	}
	if (o.command && launch_start(&a.launch, o.command,
				      &(struct launch_io){.capture = a.pane.cap, .stdout_to_stderr = o.stdout_claimed}, a.sp,
				      &err) < 0) {
		fprintf(stderr, "memslope: %s\n", err);
		free(err);
		app_done(&a, &o);
		return 127;
	}

	/* GPUs, where NVML can be loaded (after the launch: the command does not
	 * inherit NVML's descriptors); read about once a second. */
	a.gpu = sample_gpu_open(&(struct sample_gpu_config){.host_proc_dir = getenv("MEMSLOPE_HOST_PROC"),
							    .period_ms = 900}, NULL);
	/* Headless, nothing reads the histories (only the TUI's detail view
	 * does): they are not kept. */
	update_set_keep_pid(&a.up, a.launch.pid);
	a.m->no_history = o.run_mode != RUN_TUI;
	if (o.run_mode == RUN_ONCE)
		rc = run_once(&a);
	else if (o.run_mode == RUN_HEADLESS)
		rc = run_headless(&a);
	else
		rc = run_tui(&a);

	if (o.command) {
		if (a.launch.running && a.pane.cap) {
			/* Its terminal closes with us: it gets SIGHUP, as a
			 * shell's job does when its terminal goes away. */
			fprintf(stderr, "memslope: stopped watching %s (pid %d), which gets SIGHUP as its terminal closes; its output is in %s\n",
				o.command[0], (int)a.launch.pid, capture_path(a.pane.cap));
		} else if (a.launch.running) {
			/* Stopped by a signal or a bound: the command goes on; say so. */
			fprintf(stderr, "memslope: stopped watching %s (pid %d), which is still running\n",
				o.command[0], (int)a.launch.pid);
		} else {
			int status = launch_finish(&a.launch, a.m,
						 &(struct launch_end){.output_path = o.output_path,
								      .json = o.json,
								      .file_gid = o.file_gid,
								      .check = o.check ? &a.up.check : NULL,
								      .check_exit = o.check_exit});

			if (rc == 0)
				rc = status;
		}
	} else {
		events_check_print(&a.up.check, stderr);
		if (rc == 0 && a.up.check.n)
			rc = o.check_exit;
	}
	rc = prom_summary(&a, rc);

	app_done(&a, &o);
	return rc;
}
