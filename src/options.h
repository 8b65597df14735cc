/* options: the command line (and, through options_set, any other source of
 * long options such as a config file) parsed into struct options.
 *
 * Every problem is reported as one line in *err naming the option and the
 * value, before anything else happens; exit status 2 for usage errors. */
#ifndef MEMSLOPE_OPTIONS_H
#define MEMSLOPE_OPTIONS_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* How memslope runs, derived once by options_finish (from the options and
 * whether standard output is a terminal): the one answer to "is there a
 * screen?". */
enum run_mode {
	RUN_TUI,       /* the terminal interface (histories kept, hooks quiet), also
			* with --log FILE */
	RUN_ONCE,      /* --once: one snapshot */
	RUN_HEADLESS,  /* --headless, --log - (or --log FILE without a terminal on stdin),
			* --prom-file, --json, or stdout not a terminal */
	RUN_REPLAY,    /* --replay FILE in the TUI */
	RUN_RELOG,     /* --replay FILE --log OUT: the analysis re-run, headless */
};

struct options {
	/* selection */
	pid_t *pids; size_t n_pids;
	char **names; size_t n_names;   /* -n REGEX (several are OR-ed) */
	regex_t name_re; bool have_name_re;
	uid_t *uids; size_t n_uids;
	char **cgroups; size_t n_cgroups;
	bool tree;
	char *cgroup_root;
	/* sampling */
	int64_t interval_ms;
	int pss;                 /* enum pss_mode */
	/* headless */
	bool once, json;
	char *log_path;
	char *output_path;       /* -o: the launched command's post-mortem goes here */
	bool headless;           /* --headless: no screen even on a terminal */
	bool log_delta;
	int64_t log_max_bytes;
	int log_keep;
	int64_t count;           /* 0: unbounded */
	int64_t duration_ms;     /* 0: unbounded */
	char *snapshot_dir;      /* SIGUSR1 and TUI 'e' snapshots */
	gid_t file_gid;          /* --file-group: logs and snapshots 0640 in it; (gid_t)-1: 0600 */
	/* analysis */
	int warn_pct, crit_pct;
	bool check;
	int check_exit;          /* exit status of a failed --check (default 3) */
	double max_growth_bytes_per_s; /* <= 0: unset */
	char *max_growth_arg;          /* as typed, for messages (sanitised) */
	double max_usage_pct;          /* <= 0: unset */
	/* tui */
	bool ascii, no_color;
	char *replay_path;
	/* integrations */
	char *prom_file;
	int prom_top;
	char **on_alert;         /* argv, NULL-terminated; NULL: none */
	int64_t alert_cooldown_ms, alert_timeout_ms;
	/* config file: --config FILE instead of the default, --no-config none */
	char *config_path;
	bool no_config;
	/* launch mode: argv after "--" */
	char **command;
	/* info */
	bool help, version;
	/* derived by options_finish */
	enum run_mode run_mode;
	bool stdout_unused;      /* headless, yet nothing is written: an error */
	bool stdout_claimed;     /* memslope's own output is on stdout (--log -, --json) */
};

void options_init(struct options *o);
void options_done(struct options *o);
/* Parse argv. 0 on success; -1 with *err (one line, caller frees). */
int options_parse(struct options *o, int argc, char **argv, char **err);
/* Apply one long option by name ("interval", "log", ...) with its value
 * (NULL for flags); the same code the command line uses. */
int options_set(struct options *o, const char *name, const char *value, char **err);
/* After all sources are applied: cross-option checks (e.g. --count needs a
 * headless mode), compiling the regex, the run mode. */
int options_finish(struct options *o, char **err);
/* 1 when the long option name takes a value, 0 for a flag, -1 when there
 * is no such option (the config file's check). */
int options_has_arg(const char *name);
/* The --help text. */
const char *options_help(void);

#endif
