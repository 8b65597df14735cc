/* config_file: the config file, read line by line into options_set.
 *
 * Runs before the command line is parsed into the same struct options, so a
 * scalar option on the command line simply overwrites the file's value. The
 * file cannot name another config file, --help or --version. */
#include "config_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
		char *k = util_sanitize(key);

		*why = xasprintf("unknown option '%s'", k);
		free(k);
		return -1;
	}
	if (has_arg) {
		if (!value || !*value) {
			*why = xasprintf("'%s' needs a value ('%s = ...')", key, key);
			return -1;
		}
		if (cli_has_list(cli, key))
			return 0;
		return options_set(o, key, value, why);
	}
	if (value) {
		int b = parse_bool(value);

		if (b < 0) {
			char *v = util_sanitize(value);

			*why = xasprintf("'%s' is a flag: '%s' is not true or false", key, v);
			free(v);
			return -1;
		}
		if (!b)
			return 0;
	}
	return options_set(o, key, NULL, why);
}

int config_file_apply_path(struct options *o, const char *path, bool must_exist, const struct options *cli,
		      char **err)
{
	FILE *f;
	char line[CONFIG_LINE_MAX];
	int lineno = 0, rc = 0;
	char *shown = util_sanitize(path);

	errno = 0;
	f = fopen(path, "re");
	if (!f) {
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
	while (fgets(line, sizeof(line), f)) {
		char *s, *why = NULL;
		size_t len = strlen(line);

		lineno++;
		if (len == sizeof(line) - 1 && line[len - 1] != '\n' && !feof(f)) {
			*err = xasprintf("config %s:%d: line longer than %d bytes", shown, lineno, CONFIG_LINE_MAX - 2);
			rc = -1;
			break;
		}
		s = trim(line);
		if (!*s || *s == '#')
			continue;
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
