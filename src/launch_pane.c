/* launch_pane: the launched command's output pane. See launch_pane.h. */
#include "launch_pane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util.h"

static char **pane_lines(const struct launch *l, const struct capture *c, const struct model *m, size_t *n,
			size_t *head)
{
	const char *tail[CAPTURE_LINES + 1];
	size_t nt = capture_tail(c, tail, CAPTURE_LINES + 1), k = 0, cap = nt + 2;
	char **out = xcalloc(cap + 1, sizeof(*out));
	char *pm = NULL, *cmd = util_sanitize(l->argv[0]);
	size_t pm_len = 0;

	*head = 0;
	if (!l->running) {
		/* The post-mortem, as the terminal would print it at the end. */
		FILE *f = open_memstream(&pm, &pm_len);

		if (!f)
			fatal("out of memory (post-mortem)");
		launch_postmortem_print(l, m, f);
		fclose(f);
		out[k++] = xasprintf("%s (pid %d) ended: post-mortem; its output is in %s - q quits", cmd,
				     (int)l->pid, capture_path(c));
		for (char *line = pm, *nl; line && *line; line = nl + 1) {
			nl = strchr(line, '\n');
			if (!nl)
				nl = line + strlen(line) - 1;
			else
				*nl = '\0';
			if (k == cap) {
				cap *= 2;
				out = xrealloc(out, (cap + 1) * sizeof(*out));
			}
			out[k++] = xstrdup(line);
			(*head)++;
		}
		free(pm);
	} else {
		out[k++] = xasprintf("output of %s (pid %d): %llu lines, all in %s - o hides", cmd, (int)l->pid,
				     (unsigned long long)capture_lines(c), capture_path(c));
	}
	if (k + nt > cap) {
		cap = k + nt;
		out = xrealloc(out, (cap + 1) * sizeof(*out));
	}
	for (size_t i = 0; i < nt; i++)
		out[k++] = xstrdup(tail[i]);
	out[k] = NULL;
	*n = k;
	free(cmd);
	return out;
}

static void pane_lines_free(char **lines)
{
	for (char **p = lines; p && *p; p++)
		free(*p);
	free(lines);
}

void launch_pane_show(const struct launch_pane *p, struct tui *t, const struct launch *l, const struct model *m)
{
	size_t n, head;
	char **lines = pane_lines(l, p->cap, m, &n, &head);

	tui_set_pane(t, (const char *const *)lines, n, head, !l->running);
	pane_lines_free(lines);
}

bool launch_pane_poll(struct launch_pane *p, struct tui *t, const struct launch *l, const struct model *m,
		      int64_t now_ms)
{
	struct winsize ws;
	bool more;

	if (!p->cap)
		return false;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && (ws.ws_row != p->rows || ws.ws_col != p->cols)) {
		p->rows = ws.ws_row;
		p->cols = ws.ws_col;
		capture_resize(p->cap, ws.ws_row, ws.ws_col);
	}
	more = capture_pump(p->cap) > 0 || (capture_fd(p->cap) < 0 && p->open);
	p->open = capture_fd(p->cap) >= 0;
	/* After output its descriptor rests for 100 ms: a command printing
	 * without pause costs ten redraws a second, not one per write. */
	if (more)
		p->quiet_until_ms = now_ms + 100;
	tui_set_wake_fd(t, now_ms >= p->quiet_until_ms ? capture_fd(p->cap) : -1);
	if (more)
		launch_pane_show(p, t, l, m);
	return more;
}
