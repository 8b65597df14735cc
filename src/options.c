/* options: command-line parsing. One table lists every long option; the
 * command line and options_set (config files) share one code path. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sample_proc.h"
#include "util.h"

struct opt_def {
	const char *name;
	int has_arg;
	int short_opt;
};

static const struct opt_def defs[] = {
	{"pid", required_argument, 'p'},
	{"name", required_argument, 'n'},
	{"user", required_argument, 'u'},
	{"cgroup", required_argument, 'c'},
	{"tree", no_argument, 't'},
	{"cgroup-root", required_argument, 0},
	{"interval", required_argument, 'd'},
	{"pss", no_argument, 0},
	{"no-pss", no_argument, 0},
	{"once", no_argument, 0},
	{"json", no_argument, 0},
	{"output", required_argument, 'o'},
	{"headless", no_argument, 0},
	{"check-exit", required_argument, 0},
	{"log", required_argument, 0},
	{"log-format", required_argument, 0},
	{"log-max-size", required_argument, 0},
	{"log-keep", required_argument, 0},
	{"count", required_argument, 0},
	{"duration", required_argument, 0},
	{"snapshot-dir", required_argument, 0},
	{"file-group", required_argument, 0},
	{"warn-pct", required_argument, 0},
	{"crit-pct", required_argument, 0},
	{"check", no_argument, 0},
	{"max-growth", required_argument, 0},
	{"max-usage", required_argument, 0},
	{"ascii", no_argument, 0},
	{"no-color", no_argument, 0},
	{"replay", required_argument, 0},
	{"prom-file", required_argument, 0},
	{"prom-top", required_argument, 0},
	{"on-alert", required_argument, 0},
	{"alert-cooldown", required_argument, 0},
	{"alert-timeout", required_argument, 0},
	{"config", required_argument, 0},
	{"no-config", no_argument, 0},
	{"help", no_argument, 'h'},
	{"version", no_argument, 'V'},
};
#define N_DEFS (sizeof(defs) / sizeof(defs[0]))

void options_init(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->interval_ms = 1000;
	o->pss = PSS_AUTO;
	o->log_keep = 5;
	o->warn_pct = 80;
	o->crit_pct = 90;
	o->prom_top = 20;
	o->alert_cooldown_ms = 300000;
	o->alert_timeout_ms = 30000;
	o->file_gid = (gid_t)-1;
	o->check_exit = 3;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void options_done(struct options *o)
{
	free(o->pids);
	free_strv(o->names, o->n_names);
	if (o->have_name_re)
		regfree(&o->name_re);
	free(o->uids);
	free_strv(o->cgroups, o->n_cgroups);
	free(o->cgroup_root);
	free(o->log_path);
	free(o->output_path);
	free(o->snapshot_dir);
	free(o->max_growth_arg);
	free(o->replay_path);
	free(o->prom_file);
	free(o->config_path);
	if (o->on_alert) {
		for (char **p = o->on_alert; *p; p++)
			free(*p);
		free(o->on_alert);
	}
	if (o->command) {
		for (char **p = o->command; *p; p++)
			free(*p);
		free(o->command);
	}
}

static int parse_int(const char *name, const char *v, long lo, long hi, long *out, char **err)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < lo || n > hi) {
		*err = xasprintf("--%s: '%s' is not a whole number from %ld to %ld", name, v, lo, hi);
		return -1;
	}
	*out = n;
	return 0;
}

static bool has_pid(const struct options *o, pid_t pid)
{
	for (size_t i = 0; i < o->n_pids; i++)
		if (o->pids[i] == pid)
			return true;
	return false;
}

static int add_pids(struct options *o, const char *v, char **err)
{
	char *copy = xstrdup(v), *save = NULL;

	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long pid;

		if (parse_int("pid", tok, 1, INT_MAX, &pid, err) < 0) {
			free(*err);
			*err = xasprintf("-p: '%s' is not a process ID", tok);
			free(copy);
			return -1;
		}
		/* -p 1,1 or -p 1 -p 1: one entity, one metric series (a
		 * duplicate series makes node_exporter drop the whole file). */
		if (!has_pid(o, (pid_t)pid)) {
			o->pids = xrealloc(o->pids, (o->n_pids + 1) * sizeof(*o->pids));
			o->pids[o->n_pids++] = (pid_t)pid;
		}
	}
	free(copy);
	if (!o->n_pids) {
		*err = xasprintf("-p: '%s' names no process ID", v);
		return -1;
	}
	return 0;
}

static int add_user(struct options *o, const char *v, char **err)
{
	struct passwd *pw = getpwnam(v);
	uid_t uid;

	if (pw) {
		uid = pw->pw_uid;
	} else {
		char *end;
		unsigned long n;

		errno = 0;
		n = strtoul(v, &end, 10);
		if (!*v || *end || errno || n > UINT_MAX - 1) {
			*err = xasprintf("-u: no such user '%s'", v);
			return -1;
		}
		uid = (uid_t)n;
	}
	for (size_t i = 0; i < o->n_uids; i++)
		if (o->uids[i] == uid)
			return 0; /* -u root -u 0: once */
	o->uids = xrealloc(o->uids, (o->n_uids + 1) * sizeof(*o->uids));
	o->uids[o->n_uids++] = uid;
	return 0;
}

/* --file-group: a group name or number. */
static int set_group(struct options *o, const char *v, char **err)
{
	struct group *gr = getgrnam(v);
	char *end;
	unsigned long n;

	if (gr) {
		o->file_gid = gr->gr_gid;
		return 0;
	}
	errno = 0;
	n = strtoul(v, &end, 10);
	if (!*v || *end || errno || n >= (unsigned long)(gid_t)-1) {
		*err = xasprintf("--file-group: no such group '%s'", v);
		return -1;
	}
	o->file_gid = (gid_t)n;
	return 0;
}

static char **split_argv(const char *v)
{
	/* --on-alert takes a program and plain arguments split on spaces; no
	 * shell is involved unless the user writes "sh -c ...". */
	char **argv = NULL, *copy = xstrdup(v), *save = NULL;
	size_t n = 0;

	for (char *tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		argv = xrealloc(argv, (n + 2) * sizeof(*argv));
		argv[n++] = xstrdup(tok);
		argv[n] = NULL;
	}
	free(copy);
	return argv;
}

static int set_string(char **slot, const char *v)
{
	free(*slot);
	*slot = xstrdup(v);
	return 0;
}

int options_set(struct options *o, const char *name, const char *v, char **err)
{
	long n;

#define IS(s) (strcmp(name, (s)) == 0)
	if (IS("pid"))
		return add_pids(o, v, err);
	if (IS("name")) {
		o->names = xrealloc(o->names, (o->n_names + 1) * sizeof(*o->names));
		o->names[o->n_names++] = xstrdup(v);
		return 0;
	}
	if (IS("user"))
		return add_user(o, v, err);
	if (IS("cgroup")) {
		if (v[0] == '\0') {
			*err = xstrdup("-c: empty cgroup path");
			return -1;
		}
		o->cgroups = xrealloc(o->cgroups, (o->n_cgroups + 1) * sizeof(*o->cgroups));
		o->cgroups[o->n_cgroups++] = v[0] == '/' ? xstrdup(v) : xasprintf("/%s", v);
		/* "/a/b/" and "/a/b" are the same cgroup. */
		for (size_t l = strlen(o->cgroups[o->n_cgroups - 1]);
		     l > 1 && o->cgroups[o->n_cgroups - 1][l - 1] == '/'; l--)
			o->cgroups[o->n_cgroups - 1][l - 1] = '\0';
		return 0;
	}
	if (IS("tree"))
		return o->tree = true, 0;
	if (IS("cgroup-root"))
		return set_string(&o->cgroup_root, v);
	if (IS("interval")) {
		if (util_parse_duration(v, &o->interval_ms) < 0 || o->interval_ms < 100 ||
		    o->interval_ms > 3600000) {
			*err = xasprintf("--interval: '%s' is not a duration from 0.1s to 1h (e.g. 1s, 500ms)", v);
			return -1;
		}
		return 0;
	}
	if (IS("pss"))
		return o->pss = PSS_ON, 0;
	if (IS("no-pss"))
		return o->pss = PSS_OFF, 0;
	if (IS("once"))
		return o->once = true, 0;
	if (IS("json"))
		return o->json = true, 0;
	if (IS("log"))
		return set_string(&o->log_path, v);
	if (IS("output"))
		return set_string(&o->output_path, v);
	if (IS("headless"))
		return o->headless = true, 0;
	if (IS("check-exit")) {
		if (parse_int(name, v, 1, 255, &n, err) < 0)
			return -1;
		o->check_exit = (int)n;
		return 0;
	}
	if (IS("log-format")) {
		if (strcmp(v, "snapshot") && strcmp(v, "delta")) {
			*err = xasprintf("--log-format: '%s' is not 'snapshot' or 'delta'", v);
			return -1;
		}
		o->log_delta = strcmp(v, "delta") == 0;
		return 0;
	}
	if (IS("log-max-size")) {
		if (util_parse_size(v, &o->log_max_bytes) < 0 || o->log_max_bytes < 4096) {
			*err = xasprintf("--log-max-size: '%s' is not a size of at least 4K (e.g. 10M, 1G)", v);
			return -1;
		}
		return 0;
	}
	if (IS("log-keep")) {
		if (parse_int(name, v, 1, 1000, &n, err) < 0)
			return -1;
		o->log_keep = (int)n;
		return 0;
	}
	if (IS("count")) {
		if (parse_int(name, v, 1, LONG_MAX, &n, err) < 0)
			return -1;
		o->count = n;
		return 0;
	}
	if (IS("duration")) {
		if (util_parse_duration(v, &o->duration_ms) < 0 || o->duration_ms <= 0) {
			*err = xasprintf("--duration: '%s' is not a duration (e.g. 90s, 10m, 2h)", v);
			return -1;
		}
		return 0;
	}
	if (IS("snapshot-dir"))
		return set_string(&o->snapshot_dir, v);
	if (IS("file-group"))
		return set_group(o, v, err);
	if (IS("warn-pct") || IS("crit-pct")) {
		if (parse_int(name, v, 1, 100, &n, err) < 0)
			return -1;
		*(IS("warn-pct") ? &o->warn_pct : &o->crit_pct) = (int)n;
		return 0;
	}
	if (IS("check"))
		return o->check = true, 0;
	if (IS("max-growth")) {
		if (util_parse_rate(v, &o->max_growth_bytes_per_s) < 0 || o->max_growth_bytes_per_s <= 0) {
			*err = xasprintf("--max-growth: '%s' is not a rate (e.g. 5MB/min, 100K/s)", v);
			return -1;
		}
		free(o->max_growth_arg);
		o->max_growth_arg = util_sanitize(v);
		return 0;
	}
	if (IS("max-usage")) {
		char *end;
		double d;

		errno = 0;
		d = strtod(v, &end);
		if (*end == '%')
			end++;
		if (!*v || *end || errno || !(d > 0 && d <= 100)) {
			*err = xasprintf("--max-usage: '%s' is not a percentage from 0 to 100", v);
			return -1;
		}
		o->max_usage_pct = d;
		return 0;
	}
	if (IS("ascii"))
		return o->ascii = true, 0;
	if (IS("no-color"))
		return o->no_color = true, 0;
	if (IS("replay"))
		return set_string(&o->replay_path, v);
	if (IS("prom-file"))
		return set_string(&o->prom_file, v);
	if (IS("prom-top")) {
		if (parse_int(name, v, 0, 100000, &n, err) < 0)
			return -1;
		o->prom_top = (int)n;
		return 0;
	}
	if (IS("on-alert")) {
		char **argv = split_argv(v);

		if (!argv) {
			*err = xstrdup("--on-alert: empty command");
			return -1;
		}
		if (o->on_alert) {
			for (char **p = o->on_alert; *p; p++)
				free(*p);
			free(o->on_alert);
		}
		o->on_alert = argv;
		return 0;
	}
	if (IS("alert-cooldown") || IS("alert-timeout")) {
		int64_t ms;

		if (util_parse_duration(v, &ms) < 0 || ms <= 0) {
			*err = xasprintf("--%s: '%s' is not a duration (e.g. 5m, 30s)", name, v);
			return -1;
		}
		*(IS("alert-cooldown") ? &o->alert_cooldown_ms : &o->alert_timeout_ms) = ms;
		return 0;
	}
	if (IS("config"))
		return set_string(&o->config_path, v);
	if (IS("no-config"))
		return o->no_config = true, 0;
	if (IS("help"))
		return o->help = true, 0;
	if (IS("version"))
		return o->version = true, 0;
#undef IS
	*err = xasprintf("unknown option '--%s'", name);
	return -1;
}

int options_has_arg(const char *name)
{
	for (size_t i = 0; i < N_DEFS; i++)
		if (strcmp(defs[i].name, name) == 0)
			return defs[i].has_arg == required_argument;
	return -1;
}

int options_parse(struct options *o, int argc, char **argv, char **err)
{
	struct option longopts[N_DEFS + 1];
	char shortopts[64] = "+:";
	int c, idx;

	memset(longopts, 0, sizeof(longopts));
	for (size_t i = 0; i < N_DEFS; i++) {
		longopts[i].name = defs[i].name;
		longopts[i].has_arg = defs[i].has_arg;
		longopts[i].val = defs[i].short_opt ? defs[i].short_opt : 256 + (int)i;
		if (defs[i].short_opt) {
			size_t l = strlen(shortopts);

			shortopts[l] = (char)defs[i].short_opt;
			shortopts[l + 1] = defs[i].has_arg ? ':' : '\0';
			shortopts[l + 2] = '\0';
		}
	}
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, &idx)) != -1) {
		const struct opt_def *d = NULL;

		if (c == '?') {
			if (optopt)
				*err = xasprintf("unknown option '-%c' (see --help)", optopt);
			else
				*err = xasprintf("unknown option '%s' (see --help)", argv[optind - 1]);
			return -1;
		}
		if (c == ':') {
			*err = xasprintf("option '%s' needs a value", argv[optind - 1]);
			return -1;
		}
		if (c >= 256)
			d = &defs[c - 256];
		for (size_t i = 0; !d && i < N_DEFS; i++)
			if (defs[i].short_opt == c)
				d = &defs[i];
		if (!d) {
			*err = xasprintf("unknown option (see --help)");
			return -1;
		}
		if (options_set(o, d->name, optarg, err) < 0)
			return -1;
	}
	if (optind < argc) {
		if (strcmp(argv[optind - 1], "--") != 0) {
			*err = xasprintf("unexpected argument '%s' (to launch a command, put it after --)",
					 argv[optind]);
			return -1;
		}
		o->command = xcalloc((size_t)(argc - optind) + 1, sizeof(char *));
		for (int i = optind; i < argc; i++)
			o->command[i - optind] = xstrdup(argv[i]);
	}
	return 0;
}

int options_finish(struct options *o, char **err)
{
	bool tty;

	if (o->n_names) {
		size_t len = 0;
		char *joined, *p;
		int rc;

		/* Each pattern alone first, so an error names it as typed (the
		 * joined "(a)|(b)" is memslope's, not the user's). */
		for (size_t i = 0; i < o->n_names; i++) {
			regex_t re;
			char msg[256];

			rc = regcomp(&re, o->names[i], REG_EXTENDED | REG_NOSUB);
			if (rc != 0) {
				char *clean = util_sanitize(o->names[i]);

				regerror(rc, &re, msg, sizeof(msg));
				*err = xasprintf("-n: bad regular expression '%s': %s", clean, msg);
				free(clean);
				return -1;
			}
			regfree(&re);
		}
		for (size_t i = 0; i < o->n_names; i++)
			len += strlen(o->names[i]) + 3;
		joined = p = xmalloc(len + 1);
		for (size_t i = 0; i < o->n_names; i++)
			p += sprintf(p, "%s(%s)", i ? "|" : "", o->names[i]);
		rc = regcomp(&o->name_re, joined, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char msg[256];

			regerror(rc, &o->name_re, msg, sizeof(msg));
			*err = xasprintf("-n: bad regular expression '%s': %s", joined, msg);
			free(joined);
			return -1;
		}
		free(joined);
		o->have_name_re = true;
	}
	if (o->warn_pct >= o->crit_pct) {
		*err = xasprintf("--warn-pct (%d) must be below --crit-pct (%d)", o->warn_pct, o->crit_pct);
		return -1;
	}
	if (o->json && !o->once && !o->command) {
		*err = xstrdup("--json needs --once (one snapshot) or a launched command (post-mortem); for a stream use --log -");
		return -1;
	}
	if (o->once && (o->log_path || o->count || o->duration_ms)) {
		*err = xstrdup("--once takes one snapshot: it cannot be combined with --log, --count or --duration");
		return -1;
	}
	if (o->replay_path && (o->once || o->command)) {
		*err = xstrdup("--replay opens a recorded log in the TUI (or with --log re-analyses it): it cannot be combined with --once or a command");
		return -1;
	}
	if (o->check && !o->command && !o->duration_ms && !o->count) {
		*err = xstrdup("--check needs a command (-- CMD) or a bound (--duration, --count)");
		return -1;
	}
	if (o->output_path && !o->command) {
		*err = xstrdup("-o/--output writes a launched command's post-mortem: it needs -- COMMAND");
		return -1;
	}
	if (o->output_path && !*o->output_path) {
		*err = xstrdup("-o/--output: empty file name");
		return -1;
	}
	tty = isatty(STDOUT_FILENO);
	if (o->replay_path)
		o->run_mode = o->log_path ? RUN_RELOG : RUN_REPLAY;
	else if (o->once)
		o->run_mode = RUN_ONCE;
	/* --log FILE on a terminal keeps the screen: the TUI writes the log
	 * too. Without a terminal on both ends (</dev/null, &) it is headless. */
	else if (o->headless || !tty || o->json || o->prom_file ||
		 (o->log_path && (strcmp(o->log_path, "-") == 0 || !isatty(STDIN_FILENO))))
		o->run_mode = RUN_HEADLESS;
	else
		o->run_mode = RUN_TUI;
	/* Machine output on stdout (the log stream, the JSON post-mortem):
	 * a launched command's stdout then goes to stderr. */
	o->stdout_claimed = (o->log_path && !strcmp(o->log_path, "-")) || (o->json && !o->output_path);
	/* Headless with nothing to write is an error, but a launched command
	 * (its post-mortem, its exit status) and --check (the exit status)
	 * are answers of their own. */
	o->stdout_unused = !tty && !o->once && !o->log_path && !o->prom_file && !o->json && !o->command &&
			   !o->check;
	return 0;
}

const char *options_help(void)
{
	return "Usage: memslope [OPTIONS] [-- COMMAND [ARGS...]]\n"
	       "Watch process and cgroup memory grow; tell leaks from sawtooth; predict time to the limit.\n"
	       "\n"
	       "Selecting (combine freely; default: every process):\n"
	       "  -p, --pid PID[,PID...]   watch these processes\n"
	       "  -n, --name REGEX         processes whose name or command line matches (POSIX ERE)\n"
	       "  -u, --user USER          processes of this user (name or uid)\n"
	       "  -c, --cgroup PATH|NAME   every process in this cgroup and below, and its counters;\n"
	       "                           NAME: a container id prefix or name, a pod, a systemd unit\n"
	       "  -t, --tree               also watch descendants, summed as a tree series\n"
	       "      --cgroup-root DIR    read cgroups from DIR instead of the mounted hierarchy\n"
	       "  -- COMMAND ARGS...       launch COMMAND, watch it and its descendants, exit with its status\n"
	       "\n"
	       "Sampling:\n"
	       "  -d, --interval T         time between samples (default 1s, minimum 100ms)\n"
	       "      --pss / --no-pss     force PSS/USS (smaps_rollup) on or off (default: watched only)\n"
	       "\n"
	       "Headless output:\n"
	       "      --once --json        print one JSON snapshot and exit\n"
	       "      --json               with a COMMAND: print the post-mortem as JSON\n"
	       "  -o, --output FILE        with a COMMAND: write the post-mortem to FILE (JSON with --json)\n"
	       "      --headless           no screen even on a terminal (a --log FILE is written beside the TUI)\n"
	       "      --log FILE|-         append one NDJSON line per interval\n"
	       "      --log-format F       snapshot (default) or delta (only what changed)\n"
	       "      --log-max-size SIZE  rotate FILE at SIZE (FILE.1 ... FILE.N)\n"
	       "      --log-keep N         rotated files to keep (default 5)\n"
	       "      --count N            stop after N samples\n"
	       "      --duration T         stop after T (e.g. 90s, 10m)\n"
	       "      --snapshot-dir DIR   where SIGUSR1 and the 'e' key write snapshots\n"
	       "                           (default $XDG_STATE_HOME/memslope, ~/.local/state/memslope)\n"
	       "      --file-group GROUP   logs and snapshots readable by GROUP (0640; default 0600)\n"
	       "\n"
	       "Analysis and CI gate:\n"
	       "      --warn-pct N         usage/limit warning level (default 80)\n"
	       "      --crit-pct N         usage/limit critical level (default 90)\n"
	       "      --check              exit 3 if a leak, oom_imminent or a threshold breach happened\n"
	       "      --max-growth RATE    with --check: fail above this growth (e.g. 5MB/min)\n"
	       "      --max-usage PCT      with --check: fail above this usage of the limit\n"
	       "      --check-exit N       the exit status for a failed --check (default 3)\n"
	       "\n"
	       "Interactive:\n"
	       "      --ascii              plain ASCII plots and bars\n"
	       "      --no-color           no colours (also: NO_COLOR environment variable)\n"
	       "      --replay FILE        browse a recorded NDJSON log (with --log OUT: re-analyse it)\n"
	       "\n"
	       "Integrations:\n"
	       "      --prom-file PATH     write Prometheus text metrics to PATH each interval\n"
	       "      --prom-top N         processes exported by RSS, plus every growing one (default 20)\n"
	       "      --on-alert CMD       run CMD (no shell) when an alert fires\n"
	       "      --alert-cooldown T   at most one alert per entity per T (default 5m)\n"
	       "      --alert-timeout T    kill a hook still running after T (default 30s)\n"
	       "\n"
	       "Configuration file:\n"
	       "      --config FILE        read defaults from FILE (default: $XDG_CONFIG_HOME/memslope/config)\n"
	       "      --no-config          read no configuration file\n"
	       "\n"
	       "  -h, --help               this help\n"
	       "  -V, --version            version\n"
	       "\n"
	       "Exit status: 0 ok, 1 runtime error, 2 usage error, 3 --check failed (--check-exit);\n"
	       "with a COMMAND, its exit status (128+N for signal N), unless --check failed;\n"
	       "memslope says on stderr which it was when the two could be confused.\n";
}
