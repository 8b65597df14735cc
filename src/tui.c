/* tui: curses setup, colours, the diff blit, keys, and terminal restore.
 *
 * Invariants: only this file talks to curses; what reaches the terminal is
 * what the canvas holds, and the canvas never holds a control character.
 * Each frame is drawn into t->cur and compared cell by cell with t->prev,
 * the frame on screen; only differing cells are handed to curses. The one
 * mutable global, active_tui, exists for the fatal and crash paths. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "tui.h"

#include <assert.h>
#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "canvas.h"
#include "util.h"
#include "view.h"
#include "view_screen.h"
#include "view_output.h"

/* A code point no cell holds: marks the whole previous frame stale. */
#define STALE_CP 0xffffffffu

static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGQUIT};
#define N_CRASH (sizeof(crash_signals) / sizeof(crash_signals[0]))

struct tui {
	struct tui_opts o;
	SCREEN *scr;
	struct view_state vs;
	struct canvas *cur, *prev;
	int64_t status_until_ms;      /* monotonic; 0: the status stays */
	int wake_fd;                  /* tui_set_wake_fd; -1: none */
	char *status_base;            /* tui_set_status's, back after a flash */
	bool utf8, color, ended;
	attr_t role_attr[ROLE_COUNT];
	short role_pair[ROLE_COUNT];
	struct sigaction old_crash[N_CRASH];
};

static struct tui *active_tui;
/* For the crash path, which may not call curses: the terminal modes from
 * before we took it and the terminfo strings that undo ours. */
static struct termios crash_tio;
static bool crash_tio_ok;
static char crash_seq[256];
static size_t crash_seq_len;
static bool atexit_done;

static void restore_terminal(void)
{
	if (!active_tui || active_tui->ended)
		return;
	active_tui->ended = true;
	endwin();
}

static void fatal_hook(void)
{
	restore_terminal();
}

static void crash_handler(int sig)
{
	ssize_t r;

	if (crash_tio_ok)
		tcsetattr(STDIN_FILENO, TCSANOW, &crash_tio);
	r = write(STDOUT_FILENO, crash_seq, crash_seq_len);
	(void)r;
	signal(sig, SIG_DFL);
	raise(sig);
}

static void crash_seq_add(const char *cap)
{
	char *s = tigetstr((char *)cap);
	size_t n;

	if (!s || s == (char *)-1)
		return;
	n = strlen(s);
	if (crash_seq_len + n >= sizeof(crash_seq))
		return;
	memcpy(crash_seq + crash_seq_len, s, n);
	crash_seq_len += n;
}

/* ---- colours -------------------------------------------------------- */

struct role_colour {
	short fg, bg;
	attr_t attr;      /* with colour */
	attr_t mono;      /* without colour */
};

static const struct role_colour role_colours[ROLE_COUNT] = {
	[ROLE_DEFAULT] = {-1, -1, 0, 0},
	[ROLE_TITLE] = {COLOR_CYAN, -1, A_BOLD, A_BOLD},
	[ROLE_DIM] = {-1, -1, A_DIM, A_DIM},
	[ROLE_OK] = {COLOR_GREEN, -1, 0, 0},
	[ROLE_WARN] = {COLOR_YELLOW, -1, 0, A_BOLD},
	[ROLE_CRIT] = {COLOR_RED, -1, 0, A_BOLD | A_UNDERLINE},
	[ROLE_SHRINK] = {COLOR_CYAN, -1, 0, 0},
	[ROLE_COLHDR] = {COLOR_BLACK, COLOR_GREEN, 0, A_REVERSE},
	[ROLE_CURSOR] = {COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE},
	[ROLE_TAG] = {COLOR_YELLOW, -1, 0, A_BOLD},
	[ROLE_KEY] = {-1, -1, A_BOLD, A_BOLD},
	[ROLE_KEYTEXT] = {COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE},
	[ROLE_STATUS] = {COLOR_YELLOW, -1, 0, A_BOLD},
	[ROLE_SERIES_RSS] = {COLOR_CYAN, -1, 0, 0},
	[ROLE_SERIES_TREE] = {COLOR_MAGENTA, -1, 0, 0},
	[ROLE_SERIES_CG] = {COLOR_BLUE, -1, A_BOLD, 0},
	[ROLE_SERIES_GPU] = {COLOR_GREEN, -1, A_BOLD, 0},
	[ROLE_LIMIT] = {COLOR_RED, -1, 0, A_BOLD},
	[ROLE_HIGH] = {COLOR_YELLOW, -1, 0, 0},
	[ROLE_TREND] = {COLOR_MAGENTA, -1, A_BOLD, A_BOLD},
	[ROLE_AXIS] = {-1, -1, 0, 0},
	[ROLE_EVENT] = {COLOR_YELLOW, -1, 0, A_BOLD},
	[ROLE_BAR_EMPTY] = {-1, -1, A_DIM, A_DIM},
};

static void colours_init(struct tui *t)
{
	for (int i = 0; i < ROLE_COUNT; i++) {
		t->role_pair[i] = 0;
		t->role_attr[i] = t->color ? role_colours[i].attr : role_colours[i].mono;
	}
	if (!t->color)
		return;
	start_color();
	/* Keep the user's background: -1 is "default" after this. */
	if (use_default_colors() != OK) {
		for (int i = 0; i < ROLE_COUNT; i++) {
			short fg = role_colours[i].fg < 0 ? COLOR_WHITE : role_colours[i].fg;
			short bg = role_colours[i].bg < 0 ? COLOR_BLACK : role_colours[i].bg;

			if (i > 0 && i < COLOR_PAIRS && init_pair((short)i, fg, bg) == OK)
				t->role_pair[i] = (short)i;
		}
		return;
	}
	for (int i = 1; i < ROLE_COUNT && i < COLOR_PAIRS; i++)
		if (init_pair((short)i, role_colours[i].fg, role_colours[i].bg) == OK)
			t->role_pair[i] = (short)i;
}

static attr_t style_attr(const struct tui *t, uint16_t style, short *pair)
{
	enum canvas_role role = CANVAS_ROLE(style);
	unsigned a = CANVAS_ATTR(style);
	attr_t attr;

	if (role >= ROLE_COUNT)
		role = ROLE_DEFAULT;
	attr = t->role_attr[role];
	*pair = t->role_pair[role];
	if (a & CANVAS_BOLD)
		attr |= A_BOLD;
	if (a & CANVAS_REVERSE)
		attr |= A_REVERSE;
	if (a & CANVAS_UNDERLINE)
		attr |= A_UNDERLINE;
	if (a & CANVAS_DIMATTR)
		attr |= A_DIM;
	return attr;
}

/* ---- drawing -------------------------------------------------------- */

/* Without a UTF-8 locale: the line-drawing glyphs the views use in ACS
 * mode, through the terminal's alternate character set; anything else
 * non-ASCII is '?'. */
static chtype acs_of(uint32_t cp)
{
	switch (cp) {
	case 0x2500: return ACS_HLINE;
	case 0x2502: return ACS_VLINE;
	case 0x250c: return ACS_ULCORNER;
	case 0x2510: return ACS_URCORNER;
	case 0x2514: return ACS_LLCORNER;
	case 0x2518: return ACS_LRCORNER;
	case 0x251c: return ACS_LTEE;
	case 0x2524: return ACS_RTEE;
	case 0x252c: return ACS_TTEE;
	case 0x2534: return ACS_BTEE;
	case 0x253c: return ACS_PLUS;
	case 0x2588: return ACS_BLOCK;
	case 0x2591: return ACS_BOARD;
	case 0x2592: return ACS_CKBOARD;
	case 0x2580: return ACS_S1;
	case 0x2584: return ACS_S9;
	case 0x00b7: return ACS_BULLET;
	case 0x25c6: return ACS_DIAMOND;
	case 0x2191: return ACS_UARROW;
	case 0x2193: return ACS_DARROW;
	case 0x2190: return ACS_LARROW;
	case 0x2192: return ACS_RARROW;
	case 0x00b0: return ACS_DEGREE;
	case 0x00b1: return ACS_PLMINUS;
	default: return '?';
	}
}

static void put_cell(struct tui *t, int x, int y, const struct canvas_cell *cell)
{
	short pair;
	attr_t attr = style_attr(t, cell->style, &pair);

	if (t->utf8) {
		wchar_t wc[2] = {(wchar_t)cell->cp, 0};
		cchar_t cc;

		if (setcchar(&cc, wc, attr, pair, NULL) == OK)
			mvadd_wch(y, x, &cc);
		return;
	}
	if (cell->cp < 0x80)
		mvaddch(y, x, (chtype)cell->cp | attr | COLOR_PAIR(pair));
	else
		mvaddch(y, x, acs_of(cell->cp) | attr | COLOR_PAIR(pair));
}

/* Both canvases have the same size (check_size). Most rows of a frame are
 * unchanged (10 000 cells at 200x50, a few dozen differ on a quiet
 * machine): a row whose bytes are equal is skipped whole (cells are only
 * ever written field by field into zeroed memory, so their padding is
 * equal too; if it were not, the cell loop below would still decide). */
static void blit(struct tui *t)
{
	const int w = t->cur->w;

	for (int y = 0; y < t->cur->h; y++) {
		const struct canvas_cell *ra = t->cur->cells + (size_t)y * (size_t)w;
		const struct canvas_cell *rb = t->prev->cells + (size_t)y * (size_t)w;

		if (memcmp(ra, rb, (size_t)w * sizeof(*ra)) == 0)
			continue;
		for (int x = 0; x < w; x++) {
			const struct canvas_cell *a = &ra[x];

			if (a->cp == CANVAS_CONT)
				continue;
			/* A wide glyph whose tail changed must be redrawn whole. */
			if (canvas_cell_eq(a, &rb[x]) &&
			    !(x + 1 < w && ra[x + 1].cp == CANVAS_CONT && !canvas_cell_eq(&ra[x + 1], &rb[x + 1])))
				continue;
			put_cell(t, x, y, a);
		}
	}
	wnoutrefresh(stdscr);
	doupdate();
}

static void mark_stale(struct canvas *c)
{
	for (int y = 0; y < c->h; y++)
		for (int x = 0; x < c->w; x++)
			((struct canvas_cell *)canvas_at(c, x, y))->cp = STALE_CP;
}

static void check_size(struct tui *t)
{
	int h, w;

	getmaxyx(stdscr, h, w);
	if (h == t->cur->h && w == t->cur->w)
		return;
	canvas_resize(t->cur, w, h);
	canvas_resize(t->prev, w, h);
	mark_stale(t->prev);
	erase();
	clearok(curscr, TRUE);
}

static int64_t wait_clock_ms(void);

void tui_draw(struct tui *t, const struct model *m)
{
	struct canvas *tmp;

	if (!t || t->ended)
		return;
	if (t->status_until_ms > 0 && wait_clock_ms() >= t->status_until_ms) {
		/* The flash is over: the lasting status comes back. */
		free(t->vs.status);
		t->vs.status = t->status_base ? xstrdup(t->status_base) : NULL;
		t->status_until_ms = 0;
	}
	check_size(t);
	view_screen_draw(t->cur, m, &t->vs);
	blit(t);
	tmp = t->prev;
	t->prev = t->cur;
	t->cur = tmp;
}

/* ---- setup ---------------------------------------------------------- */

struct tui *tui_new(const struct tui_opts *o, char **err)
{
	struct tui *t;
	const char *nc = getenv("NO_COLOR");
	const char *codeset;
	enum glyph_mode mode;

	*err = NULL;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		*err = xstrdup("not a terminal: use --once --json or --log - for output without one");
		return NULL;
	}
	/* LC_CTYPE only: the JSON writers must keep '.' as the decimal point. */
	setlocale(LC_CTYPE, "");
	codeset = nl_langinfo(CODESET);
	t = xcalloc(1, sizeof(*t));
	t->wake_fd = -1;
	t->o = *o;
	t->utf8 = codeset && strcmp(codeset, "UTF-8") == 0;
	mode = o->ascii ? GLYPHS_ASCII : t->utf8 ? GLYPHS_UTF8 : GLYPHS_ACS;
	crash_tio_ok = tcgetattr(STDIN_FILENO, &crash_tio) == 0;
	t->scr = newterm(NULL, stdout, stdin);
	if (!t->scr) {
		const char *term = getenv("TERM");

		*err = xasprintf("cannot use the terminal type \"%s\": set TERM, or use --once --json",
				 term ? term : "");
		free(t);
		return NULL;
	}
	set_term(t->scr);
	active_tui = t;
	util_set_fatal_hook(fatal_hook);
	if (!atexit_done) {
		atexit(restore_terminal);
		atexit_done = true;
	}
	cbreak(); /* not raw: Ctrl-C stays SIGINT, which main.c turns into a clean exit */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	/* No poll(stdin) per few lines during doupdate() to abandon an update
	 * for pending input: a frame is small, keys are read right after. */
	typeahead(-1);
	intrflush(stdscr, FALSE);
	set_escdelay(25);
	curs_set(0);
	leaveok(stdscr, TRUE);
	t->color = !o->no_color && !(nc && *nc) && has_colors();
	colours_init(t);

	crash_seq_len = 0;
	crash_seq_add("sgr0");
	crash_seq_add("cnorm");
	crash_seq_add("rmkx");
	crash_seq_add("rmcup");
	for (size_t i = 0; i < N_CRASH; i++) {
		struct sigaction sa;

		sigaction(crash_signals[i], NULL, &t->old_crash[i]);
		if (t->old_crash[i].sa_handler != SIG_DFL)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = crash_handler;
		sigemptyset(&sa.sa_mask);
		sigaction(crash_signals[i], &sa, NULL);
	}

	view_state_init(&t->vs, mode);
	t->vs.replay = o->replay;
	if (o->launch_mode && o->focus_pid > 0) {
		t->vs.view = VIEW_DETAIL;
		t->vs.detail_pid = o->focus_pid;
		t->vs.cursor_pid = o->focus_pid;
	}
	t->cur = canvas_new(0, 0);
	t->prev = canvas_new(0, 0);
	check_size(t);
	return t;
}

void tui_free(struct tui *t)
{
	if (!t)
		return;
	restore_terminal();
	for (size_t i = 0; i < N_CRASH; i++)
		if (t->old_crash[i].sa_handler == SIG_DFL)
			sigaction(crash_signals[i], &t->old_crash[i], NULL);
	if (active_tui == t) {
		active_tui = NULL;
		util_set_fatal_hook(NULL);
	}
	delscreen(t->scr);
	view_state_done(&t->vs);
	canvas_free(t->cur);
	canvas_free(t->prev);
	free(t->status_base);
	free(t);
}

void tui_set_status(struct tui *t, const char *msg)
{
	if (!t)
		return;
	free(t->vs.status);
	t->vs.status = msg && *msg ? xstrdup(msg) : NULL;
	t->status_until_ms = 0;
	free(t->status_base);
	t->status_base = t->vs.status ? xstrdup(t->vs.status) : NULL;
}

void tui_flash(struct tui *t, const char *msg)
{
	if (!t)
		return;
	free(t->vs.status);
	t->vs.status = msg && *msg ? xstrdup(msg) : NULL;
	t->status_until_ms = t->vs.status ? wait_clock_ms() + TUI_FLASH_MS : 0;
}

void tui_set_pane(struct tui *t, const char *const *text, size_t n, size_t head, bool open)
{
	if (!t)
		return;
	view_output_set(&t->vs, text, n, head);
	t->vs.pane_avail = true;
	if (open)
		t->vs.pane_open = true;
}

void tui_set_wake_fd(struct tui *t, int fd)
{
	if (t)
		t->wake_fd = fd;
}

void tui_set_paused(struct tui *t, bool paused)
{
	if (t)
		t->vs.paused = paused;
}

/* ---- keys ----------------------------------------------------------- */

/* The terminal's key as the views know it (view.h); 0 for keys no view
 * takes. */
static uint32_t key_of(bool fn, wint_t k)
{
	if (!fn) {
		if (k == '\n' || k == '\r')
			return VK_ENTER;
		if (k == 127 || k == 8)
			return VK_BACKSPACE;
		return (uint32_t)k;
	}
	if (k >= KEY_F(1) && k <= KEY_F(12))
		return VK_F(k - KEY_F(1) + 1);
	switch (k) {
	case KEY_ENTER: return VK_ENTER;
	case KEY_BACKSPACE: return VK_BACKSPACE;
	case KEY_UP: return VK_UP;
	case KEY_DOWN: return VK_DOWN;
	case KEY_LEFT: return VK_LEFT;
	case KEY_RIGHT: return VK_RIGHT;
	case KEY_PPAGE: return VK_PPAGE;
	case KEY_NPAGE: return VK_NPAGE;
	case KEY_HOME: return VK_HOME;
	case KEY_END: return VK_END;
	default: return 0;
	}
}

/* One key. Returns the command for main, TUI_NONE when the views took it. */
static enum tui_cmd handle_key(struct tui *t, const struct model *m, bool fn, wint_t k)
{
	static const enum tui_cmd cmds[] = {
		[VIEW_CMD_NONE] = TUI_NONE, [VIEW_CMD_QUIT] = TUI_QUIT, [VIEW_CMD_EXPORT] = TUI_EXPORT,
		[VIEW_CMD_FASTER] = TUI_FASTER, [VIEW_CMD_SLOWER] = TUI_SLOWER,
		[VIEW_CMD_PAUSE] = TUI_PAUSE_TOGGLE, [VIEW_CMD_STEP_BACK] = TUI_REPLAY_STEP_BACK,
		[VIEW_CMD_STEP_FWD] = TUI_REPLAY_STEP_FWD, [VIEW_CMD_JUMP_BACK] = TUI_REPLAY_JUMP_BACK,
		[VIEW_CMD_JUMP_FWD] = TUI_REPLAY_JUMP_FWD, [VIEW_CMD_START] = TUI_REPLAY_START,
		[VIEW_CMD_END] = TUI_REPLAY_END, [VIEW_CMD_REDRAW] = TUI_NONE, [VIEW_CMD_PASS] = TUI_NONE,
	};
	uint32_t key = key_of(fn, k);
	enum view_cmd cmd;

	if (key == 0)
		return TUI_NONE;
	cmd = view_screen_key(m, &t->vs, key);
	if (cmd == VIEW_CMD_REDRAW) {
		/* Ctrl-L: whatever else wrote to the terminal is painted over. */
		mark_stale(t->prev);
		clearok(curscr, TRUE);
		return TUI_NONE;
	}
	assert(cmd < sizeof(cmds) / sizeof(cmds[0]));
	return cmds[cmd];
}

/* Monotonic ms, only to bound the wait in tui_input. */
static int64_t wait_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum tui_cmd tui_input(struct tui *t, const struct model *m, int timeout_ms)
{
	int64_t deadline = wait_clock_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	int idle_wakeups = 0;

	if (!t || t->ended)
		return TUI_QUIT;
	for (;;) {
		bool handled = false, interrupted = false;
		struct pollfd pfds[2] = {{.fd = STDIN_FILENO, .events = POLLIN}, {.fd = t->wake_fd, .events = POLLIN}};
		struct pollfd pfd;
		int64_t left;
		wint_t k;
		int rc;

		/* curses may hold input it has already read: drain it first. */
		while ((rc = wget_wch(stdscr, &k)) != ERR) {
			enum tui_cmd cmd;

			if (rc == KEY_CODE_YES && k == KEY_RESIZE) {
				handled = true;
				continue;
			}
			cmd = handle_key(t, m, rc == KEY_CODE_YES, k);
			if (cmd != TUI_NONE)
				return cmd;
			handled = true;
		}
		if (handled) {
			tui_draw(t, m);
			idle_wakeups = 0;
		}
		left = deadline - wait_clock_ms();
		if (left <= 0)
			return TUI_NONE;
		/* A flashed status goes away on time, even between samples. */
		if (t->status_until_ms > 0) {
			int64_t until = t->status_until_ms - wait_clock_ms();

			if (until <= 0) {
				tui_draw(t, m);
				continue;
			}
			if (until < left)
				left = until;
		}
		rc = poll(pfds, t->wake_fd >= 0 ? 2 : 1, (int)(left > 60000 ? 60000 : left));
		pfd = pfds[0];
		if (rc > 0 && t->wake_fd >= 0 && pfds[1].revents)
			return TUI_NONE; /* the command said something: main reads it */
		if (rc < 0 && errno == EINTR)
			interrupted = true;
		/* The terminal is gone (hangup, closed pty): nothing more
		 * will be read, and polling it again would spin. */
		if (rc > 0 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)))
			return TUI_QUIT;
		/* Readable again and again with nothing to read: end of file. */
		if (rc > 0 && !handled && ++idle_wakeups > 3)
			return TUI_QUIT;
		if (interrupted) {
			/* SIGWINCH: curses reports it as KEY_RESIZE on the next
			 * read. Any other signal is main's business. */
			rc = wget_wch(stdscr, &k);
			if (rc == KEY_CODE_YES && k == KEY_RESIZE) {
				tui_draw(t, m);
				continue;
			}
			if (rc != ERR) {
				enum tui_cmd cmd = handle_key(t, m, rc == KEY_CODE_YES, k);

				if (cmd != TUI_NONE)
					return cmd;
				tui_draw(t, m);
			}
			return TUI_NONE;
		}
	}
}

pid_t tui_focus_pid(const struct tui *t)
{
	return t && t->vs.detail_pid > 0 ? t->vs.detail_pid : 0;
}

size_t tui_visible_pids(const struct tui *t, pid_t *out, size_t max)
{
	size_t n = 0;

	if (!t || max == 0)
		return 0;
	if (t->vs.detail_pid > 0)
		out[n++] = t->vs.detail_pid;
	for (int i = t->vs.top; i >= 0 && (size_t)i < t->vs.n_rows && i < t->vs.top + t->vs.page_rows && n < max;
	     i++)
		if (t->vs.rows[i].p)
			out[n++] = t->vs.rows[i].p->pid;
	return n;
}
