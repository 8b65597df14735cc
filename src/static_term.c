/* static_term: terminal descriptions built into the static binary.
 *
 * Linked only with --enable-static-binary. A bare container has no terminfo
 * database; ncurses then asks _nc_fallback2 (libtinfo's own definition is an
 * empty table, Debian builds it without fallbacks). This definition takes
 * libtinfo's place at link time and parses the compiled entries that
 * terminfo_embed.sh put into static_terminfo.c, with libtinfo's own reader.
 * An entry on disk still wins: ncurses asks here only when it found none. */
/* TERMTYPE2 and the entry reader are ncurses internals, exported by libtinfo. */
#define NCURSES_INTERNALS 1
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <term_entry.h>

#include "static_term.h"

const TERMTYPE2 *_nc_fallback2(const char *name);

const TERMTYPE2 *_nc_fallback2(const char *name)
{
	/* ncurses copies the entry it gets, so one parsed entry is kept. */
	static TERMTYPE2 entry;
	static const char *parsed;

	if (!name)
		return NULL;
	if (parsed && strcmp(parsed, name) == 0)
		return &entry;
	for (size_t i = 0; i < static_terminfo_n; i++) {
		const struct static_terminfo *t = &static_terminfo[i];
		char *buf;
		int rc;

		if (strcmp(t->name, name) != 0)
			continue;
		if (parsed)
			_nc_free_termtype2(&entry);
		parsed = NULL;
		buf = malloc(t->size);
		if (!buf)
			return NULL;
		memcpy(buf, t->data, t->size);
		memset(&entry, 0, sizeof(entry));
		rc = _nc_read_termtype(&entry, buf, (int)t->size);
		free(buf);
		if (rc != 1) /* TGETENT_YES, from the private curses.priv.h */
			return NULL;
		parsed = t->name;
		return &entry;
	}
	return NULL;
}
