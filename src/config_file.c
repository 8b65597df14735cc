/* config_file: the config file, read line by line into options_set.
 *
 * Runs before the command line is parsed into the same struct options, so a
 * scalar option on the command line simply overwrites the file's value. The
 * file cannot name another config file, --help or --version. */
#include "config_file.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* Longest line we accept: a config line is short; more is a wrong file. */
#define CONFIG_LINE_MAX 4096

char *config_file_default_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	/* The XDG base directory spec: a relative XDG_CONFIG_HOME is invalid
	 * and must be ignored. */
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/memslope/config", xdg);
	if (home && *home)
		return xasprintf("%s/.config/memslope/config", home);
	return NULL;
}

char *config_file_state_dir(void)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (xdg && xdg[0] == '/')
		return xasprintf("%s/memslope", xdg);
	if (home && *home)
		return xasprintf("%s/.local/state/memslope", home);
	return NULL;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* true / false for a flag's value; -1 when it is neither. */
static int parse_bool(const char *v)
{
	static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no", "off", "0"};

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* The command line already gives this list option: it replaces the file's. */
static bool cli_has_list(const struct options *cli, const char *key)
{
	if (!cli)
		return false;
	return (strcmp(key, "pid") == 0 && cli->n_pids) || (strcmp(key, "name") == 0 && cli->n_names) ||
	       (strcmp(key, "user") == 0 && cli->n_uids) || (strcmp(key, "cgroup") == 0 && cli->n_cgroups);
}

/* An option name: lower-case letters, digits and '-', short. */
static bool looks_like_key(const char *key)
{
	size_t n = strlen(key);

	if (n == 0 || n > 40)
		return false;
	for (const char *c = key; *c; c++)
		if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && *c != '-')
			return false;
	return true;
}

/* Error messages of options_set quote the value ('...'): from a file they
 * could show a line of something secret, so every quoted text but the key
 * becomes '...'. In place (the result is never longer). */
static void redact_quoted(char *msg, const char *key)
{
	char *out = msg, *in = msg;

	while (*in) {
		char *close = *in == '\'' ? strchr(in + 1, '\'') : NULL;
		size_t n = close ? (size_t)(close - in - 1) : 0;

		if (!close) {
			*out++ = *in++;
			continue;
		}
		if ((n == strlen(key) && strncmp(in + 1, key, n) == 0) || n <= 3) {
			memmove(out, in, n + 2);
		} else {
			memcpy(out, "'...'", 5);
			n = 3;
		}
		out += n + 2;
		in = close + 1;
	}
	*out = '\0';
}

static int apply_line(struct options *o, const struct options *cli, char *line, char **why)
{
	char *eq = strchr(line, '='), *key, *value = NULL;
	int has_arg;

	if (eq) {
		*eq = '\0';
		value = trim(eq + 1);
		/* One pair of matching quotes around a value is dropped. */
		size_t len = strlen(value);

		if (len >= 2 && (value[0] == '"' || value[0] == '\'') && value[len - 1] == value[0]) {
			value[len - 1] = '\0';
			value++;
		}
	}
	key = trim(line);
	if (strncmp(key, "--", 2) == 0)
		key += 2;
	if (!*key) {
		*why = xstrdup("expected 'key = value'");
		return -1;
	}
	if (!strcmp(key, "config") || !strcmp(key, "no-config") || !strcmp(key, "help") ||
	    !strcmp(key, "version")) {
		*why = xasprintf("'%s' cannot be set in a config file", key);
		return -1;
	}
	has_arg = options_has_arg(key);
	if (has_arg < 0) {
		/* A line of another file (--config /etc/shadow) is not echoed:
		 * only something shaped like an option name is quoted. */
		if (!looks_like_key(key)) {
			*why = xstrdup("not a 'key = value' line (the line is not shown)");
			return -1;
		}
		*why = xasprintf("unknown option '%s'", key);
		return -1;
	}
	if (has_arg) {
		if (!value || !*value) {
			*why = xasprintf("'%s' needs a value ('%s = ...')", key, key);
			return -1;
		}
		if (cli_has_list(cli, key))
			return 0;
		if (options_set(o, key, value, why) < 0) {
			redact_quoted(*why, key);
			return -1;
		}
		return 0;
	}
	if (value) {
		int b = parse_bool(value);

		if (b < 0) {
			*why = xasprintf("'%s' is a flag: its value is not true or false", key);
			return -1;
		}
		if (!b)
			return 0;
	}
	return options_set(o, key, NULL, why);
}

/* Run as root, a config can set --on-alert, a command root runs: only a
 * file of root or of the invoking user (the real UID, or sudo's SUDO_UID),
 * writable by nobody else, is read. NULL when fine, else why not. */
static char *check_owner(const struct stat *st)
{
	const char *sudo = getenv("SUDO_UID");
	char *end;
	unsigned long sudo_uid = sudo && *sudo ? strtoul(sudo, &end, 10) : 0;

	if (geteuid() != 0)
		return NULL;
	if (st->st_uid != 0 && st->st_uid != getuid() && !(sudo && *sudo && !*end && st->st_uid == sudo_uid))
		return xasprintf(" belongs to uid %u, neither root nor the invoking user: not read as root",
				 (unsigned)st->st_uid);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return xstrdup(" is writable by group or others: not read as root");
	return NULL;
}

int config_file_apply_path(struct options *o, const char *path, bool must_exist, const struct options *cli,
		      char **err)
{
	FILE *f;
	struct stat st;
	char *line = NULL, *why;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, rc = 0, fd;
	char *shown = util_sanitize(path);

	/* O_NONBLOCK: a FIFO must not hang the start; it is refused below. */
	errno = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		/* The default path of another user's home (memslope run through
		 * setpriv/runuser with HOME unchanged) is as good as absent. */
		if ((errno == ENOENT || errno == ENOTDIR || errno == EACCES) && !must_exist) {
			free(shown);
			return 0;
		}
		*err = xasprintf("config %s: %s", shown, strerror(errno));
		free(shown);
		return -1;
	}
	why = NULL;
	if (fstat(fd, &st) < 0)
		why = xasprintf(": %s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		why = xstrdup(": not a regular file");
	else
		why = check_owner(&st);
	if (why) {
		*err = xasprintf("config %s%s", shown, why);
		free(why);
		close(fd);
		free(shown);
		return -1;
	}
	f = fdopen(fd, "r");
	if (!f)
		fatal("out of memory (config)");
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *s;

		lineno++;
		if (len > CONFIG_LINE_MAX) {
			*err = xasprintf("config %s:%d: line longer than %d bytes", shown, lineno, CONFIG_LINE_MAX);
			rc = -1;
			break;
		}
		/* A NUL would silently cut the line short. */
		if (memchr(line, '\0', (size_t)len)) {
			*err = xasprintf("config %s:%d: holds a NUL byte (not a text file?)", shown, lineno);
			rc = -1;
			break;
		}
		s = trim(line);
		if (!*s || *s == '#')
			continue;
		why = NULL;
		if (apply_line(o, cli, s, &why) < 0) {
			char *w = util_sanitize(why ? why : "bad line");

			*err = xasprintf("config %s:%d: %s", shown, lineno, w);
			free(w);
			free(why);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		*err = xasprintf("config %s: %s", shown, strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(f);
	free(shown);
	return rc;
}

int config_file_apply(struct options *o, const struct options *cli, char **err)
{
	char *path;
	int rc;

	if (cli->no_config)
		return 0;
	if (cli->config_path)
		return config_file_apply_path(o, cli->config_path, true, cli, err);
	path = config_file_default_path();
	if (!path)
		return 0;
	rc = config_file_apply_path(o, path, false, cli, err);
	free(path);
	return rc;
}
