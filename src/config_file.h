/* config_file: the user's defaults from a config file, applied before the
 * command line (which wins).
 *
 * The file is $XDG_CONFIG_HOME/memslope/config, else
 * ~/.config/memslope/config, or the one named with --config FILE; none with
 * --no-config. One "key = value" per line, key a long option name; a flag is
 * "key" or "key = true|false"; lines starting with '#' and blank lines are
 * skipped. Every value goes through options_set, the command line's code. */
#ifndef MEMSLOPE_CONFIG_FILE_H
#define MEMSLOPE_CONFIG_FILE_H

#include "options.h"

/* The default config file path (caller frees), or NULL when neither
 * XDG_CONFIG_HOME nor HOME gives one. */
char *config_file_default_path(void);
/* Where snapshots and the TUI's exports go when no --snapshot-dir is given:
 * $XDG_STATE_HOME/memslope, else ~/.local/state/memslope; NULL without
 * either variable. Caller frees; the directory may not exist yet. */
char *config_file_state_dir(void);

/* Apply the config file that cli (the command line, already parsed on its
 * own) asks for to o, before the command line is parsed into o. A list
 * option (pid, name, user, cgroup) the command line also gives is skipped,
 * so the command line replaces it rather than adding to it. A missing
 * default file is not an error; a missing --config FILE is. 0 on success;
 * -1 with *err = "config FILE:LINE: ..." (one line, caller frees). */
int config_file_apply(struct options *o, const struct options *cli, char **err);

/* Apply one file; the same rules (cli may be NULL: nothing skipped). */
int config_file_apply_path(struct options *o, const char *path, bool must_exist,
		      const struct options *cli, char **err);

#endif
