/* view_screen: the screens and the keys that work anywhere. See
 * view_screen.h. */
#include "view_screen.h"

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "view_cgroup.h"
#include "view_detail.h"
#include "view_help.h"
#include "view_output.h"
#include "view_table.h"

/* ---- the keys that work anywhere ------------------------------------ */

static enum view_cmd key_help(const struct model *m, struct view_state *vs, uint32_t key)
{
	(void)m;
	(void)key;
	vs->back = vs->view;
	vs->help_top = 0;
	vs->view = VIEW_HELP;
	return VIEW_CMD_NONE;
}

static enum view_cmd key_back(const struct model *m, struct view_state *vs, uint32_t key)
{
	(void)m;
	(void)key;
	vs->view = VIEW_TABLE;
	return VIEW_CMD_NONE;
}

static enum view_cmd key_redraw(const struct model *m, struct view_state *vs, uint32_t key)
{
	(void)m;
	(void)vs;
	(void)key;
	return VIEW_CMD_REDRAW;
}

static enum view_cmd key_cgroups(const struct model *m, struct view_state *vs, uint32_t key)
{
	(void)m;
	(void)key;
	vs->view = VIEW_CGROUP;
	return VIEW_CMD_NONE;
}

/* A key that is only a command for main.c. */
static enum view_cmd key_command(const struct model *m, struct view_state *vs, uint32_t key)
{
	(void)m;
	(void)vs;
	switch (key) {
	case 'q':
	case VK_F(10):
		return VIEW_CMD_QUIT;
	case 'e':
		return VIEW_CMD_EXPORT;
	case '+':
		return VIEW_CMD_SLOWER;
	case '-':
		return VIEW_CMD_FASTER;
	case 'p':
		return VIEW_CMD_PAUSE;
	default:
		return VIEW_CMD_PASS;
	}
}

static const struct view_binding global_bindings[] = {
	{"help", {'?', 'h', VK_F1}, key_help, "?  h  F1", "this help (Esc or q to leave)", "?", NULL, "help"},
	{"quit", {'q', VK_F(10)}, key_command, "q  F10", "quit (Ctrl-C and SIGTERM also quit cleanly)", "q",
	 NULL, "quit"},
	{"back", {VK_ESC}, key_back, "Esc", "back to the previous view", "Esc", NULL, "back"},
	{"export", {'e'}, key_command, "e", "export a JSON snapshot to a file (name in the status line)", "e",
	 NULL, "export"},
	{"interval", {'+', '-'}, key_command, "+  -", "sampling interval longer / shorter", "+/-", NULL,
	 "interval"},
	{"pause", {'p'}, key_command, "p", "pause or resume sampling (the screen stays explorable)", "p",
	 NULL, "pause"},
	{"cgroups", {'c'}, key_cgroups, "c", "cgroup view: the watched cgroups as a tree", "c", NULL,
	 "cgroups"},
	{"output", {'o'}, view_output_key, "o",
	 "show or hide a launched command's output (saved in full to a file)",
	 "o", NULL, "output"},
	{"redraw", {VK_CTRL('l')}, key_redraw, "Ctrl-L", "redraw the whole screen", NULL, NULL, NULL},
};

static const struct view_keymap global_keys = VIEW_KEYMAP("Anywhere", global_bindings);

/* ---- replay --------------------------------------------------------- */

static enum view_cmd key_replay(const struct model *m, struct view_state *vs, uint32_t key)
{
	(void)m;
	if (!vs->replay)
		return VIEW_CMD_PASS;
	switch (key) {
	case VK_LEFT:
		return VIEW_CMD_STEP_BACK;
	case VK_RIGHT:
		return VIEW_CMD_STEP_FWD;
	case '[':
		return VIEW_CMD_JUMP_BACK;
	case ']':
		return VIEW_CMD_JUMP_FWD;
	case VK_HOME:
		return VIEW_CMD_START;
	case VK_END:
		return VIEW_CMD_END;
	default:
		return VIEW_CMD_PASS;
	}
}

static const struct view_binding replay_bindings[] = {
	{"step", {VK_LEFT, VK_RIGHT}, key_replay, "Left Right", "one sample back / forward",
	 "\u2190\u2192", "<-->", "step"},
	{"jump", {'[', ']'}, key_replay, "[  ]", "jump back / forward by a minute", "[]", NULL, "jump"},
	{"log-ends", {VK_HOME, VK_END}, key_replay, "Home End", "first / last sample of the log",
	 "Home/End", NULL, "start/end"},
};

static const struct view_keymap replay_keys = VIEW_KEYMAP("Replay (--replay FILE)", replay_bindings);

/* ---- the screens ---------------------------------------------------- */

struct screen {
	const struct view_keymap *keys;
	/* Keys taken before any table (text entry), or NULL. */
	bool (*modal_key)(const struct model *m, struct view_state *vs, uint32_t key);
	bool globals;                      /* the keys that work anywhere work here */
	const char *const *bar, *const *bar_replay; /* binding names, NULL-terminated */
	void (*draw)(struct canvas *c, const struct model *m, struct view_state *vs);
};

static const char *const bar_table[] = {
	"help", "quit", "output", "detail", "filter", "sort", "tree", "cgroups", "export", "pause", "growth", "memory",
	"interval", "tag", NULL,
};
static const char *const bar_table_replay[] = {
	"help", "quit", "step", "jump", "log-ends", "detail", "filter", "sort", "cgroups", NULL,
};
static const char *const bar_detail[] = {
	"back", "zoom", "help", "quit", "output", "export", "pause", "interval", "cgroups", NULL,
};
static const char *const bar_detail_replay[] = {
	"back", "zoom", "step", "jump", "log-ends", "help", "quit", NULL,
};
static const char *const bar_cgroup[] = {"back", "help", "quit", "output", "export", "pause", "interval", NULL};
static const char *const bar_help[] = {"back", "scroll", "quit", NULL};

static void help_draw(struct canvas *c, const struct model *m, struct view_state *vs);

static const struct screen screens[] = {
	[VIEW_TABLE] = {&view_table_keys, view_table_modal_key, true, bar_table, bar_table_replay,
			view_table_draw},
	[VIEW_DETAIL] = {&view_detail_keys, NULL, true, bar_detail, bar_detail_replay, view_detail_draw},
	[VIEW_CGROUP] = {&view_cgroup_keys, NULL, true, bar_cgroup, bar_cgroup, view_cgroup_draw},
	[VIEW_HELP] = {&view_help_keys, NULL, false, bar_help, bar_help, help_draw},
};

/* The help lists these, in this order. */
static const struct view_keymap *const help_sections[] = {
	&global_keys, &view_table_keys, &view_detail_keys, &view_cgroup_keys, &replay_keys,
};

static void help_draw(struct canvas *c, const struct model *m, struct view_state *vs)
{
	view_help_draw(c, m, vs, help_sections, sizeof(help_sections) / sizeof(help_sections[0]));
}

static const struct screen *screen_of(enum view_kind v)
{
	return &screens[v <= VIEW_HELP ? v : VIEW_TABLE];
}

static void keybar_draw(struct canvas *c, const struct view_state *vs, const struct screen *s)
{
	const struct view_keymap *const maps[] = {s->keys, &global_keys, &replay_keys};
	const char *const *names = vs->replay ? s->bar_replay : s->bar;
	const struct view_binding *bar[24];
	size_t n = 0;

	for (size_t i = 0; names[i] && n < sizeof(bar) / sizeof(bar[0]); i++) {
		const struct view_binding *b;

		if (!strcmp(names[i], "output") && !vs->pane_avail)
			continue; /* only in launch mode */
		b = view_keymap_bar(maps, sizeof(maps) / sizeof(maps[0]), names[i]);

		assert(b); /* a key bar names a binding that exists */
		bar[n++] = b;
	}
	view_keybar_draw(c, vs, bar, n);
}

void view_screen_draw(struct canvas *c, const struct model *m, struct view_state *vs)
{
	const struct screen *s = screen_of(vs->view);
	int pane_rows;

	canvas_clear(c);
	c->ellipsis = view_glyphs(vs->glyph_mode)->ellipsis;
	c->ascii_text = vs->glyph_mode != GLYPHS_UTF8;
	pane_rows = view_output_rows(vs, c->h);
	/* The screen above the output pane draws as on a shorter terminal; the
	 * row it keeps for its key bar is the pane's title. */
	c->h -= pane_rows;
	s->draw(c, m, vs);
	c->h += pane_rows;
	if (pane_rows)
		view_output_draw(c, vs, c->h - 1 - pane_rows, pane_rows);
	if (c->h > 1 && c->w > 0)
		keybar_draw(c, vs, s);
}

static enum view_cmd keymap_run(const struct view_keymap *map, const struct model *m, struct view_state *vs,
				uint32_t key)
{
	const struct view_binding *b = view_keymap_find(map, key);

	return b ? b->run(m, vs, key) : VIEW_CMD_PASS;
}

enum view_cmd view_screen_key(const struct model *m, struct view_state *vs, uint32_t key)
{
	const struct screen *s = screen_of(vs->view);
	enum view_cmd cmd;

	if (s->modal_key && s->modal_key(m, vs, key))
		return VIEW_CMD_NONE;
	cmd = keymap_run(s->keys, m, vs, key);
	if (cmd == VIEW_CMD_PASS && s->globals)
		cmd = keymap_run(&global_keys, m, vs, key);
	if (cmd == VIEW_CMD_PASS && s->globals)
		cmd = keymap_run(&replay_keys, m, vs, key);
	return cmd == VIEW_CMD_PASS ? VIEW_CMD_NONE : cmd;
}
