/* replay_tui: --replay FILE in the TUI: keys move through a recorded log,
 * re-analysed by this memslope (replay.c rebuilds the update stage's model
 * at any line); nothing is sampled. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "out_json.h"
#include "replay.h"
#include "tui.h"
#include "util.h"

/* The status line of a replay: where in the log, and when that was. */
static void replay_status(struct tui *tui, const struct model *m, const struct replay *rp,
			  const char *extra)
{
	int64_t t_ms = m->time_ms;
	time_t t_s = (time_t)(t_ms / 1000);
	struct tm tm;
	char when[48] = "?";
	char *msg;

	if (localtime_r(&t_s, &tm))
		snprintf(when, sizeof(when), "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(t_ms % 1000));
	/* "re-analysed": the verdicts are this memslope's, not the log's. */
	msg = xasprintf("replay %zu/%zu  %s  re-analysed%s%s", replay_pos(rp) + 1, replay_len(rp), when,
			extra ? "  " : "", extra ? extra : "");
	tui_set_status(tui, msg);
	free(msg);
}

/* --replay: the TUI over a recorded log; keys move through it, nothing is
 * sampled. */
int replay_browse(struct replay *rp, struct model *m, const struct replay_browse_opts *bo)
{
	struct tui_opts to = {
		.ascii = bo->ascii,
		.no_color = bo->no_color,
		.replay = true,
	};
	struct tui *tui;
	char *err = NULL;

	if (replay_seek(rp, replay_len(rp) - 1, m) < 0) {
		fprintf(stderr, "memslope: %s changed while it was read\n", replay_path(rp));
		return 1;
	}
	tui = tui_new(&to, &err);
	if (!tui) {
		fprintf(stderr, "memslope: %s\n", err ? err : "cannot start the terminal interface");
		free(err);
		return 1;
	}
	replay_status(tui, m, rp, replay_note(rp));
	while (!*bo->stop) {
		size_t pos = replay_pos(rp), to_idx = pos;
		int64_t t_ms = replay_time_ms(rp, pos);
		enum tui_cmd cmd;

		tui_draw(tui, m);
		cmd = tui_input(tui, m, 1000);
		if (*bo->usr1) {
			*bo->usr1 = 0;
			cmd = TUI_EXPORT;
		}
		switch (cmd) {
		case TUI_QUIT:
			goto out;
		case TUI_EXPORT: {
			char *path = bo->export(bo->export_ctx, &err), *msg;

			msg = out_json_export_status(path, err);
			replay_status(tui, m, rp, msg);
			free(msg);
			free(path);
			free(err);
			err = NULL;
			continue;
		}
		case TUI_REPLAY_STEP_BACK:
			to_idx = pos > 0 ? pos - 1 : 0;
			break;
		case TUI_REPLAY_STEP_FWD:
			to_idx = pos + 1;
			break;
		case TUI_REPLAY_JUMP_BACK:
			to_idx = replay_find_time(rp, t_ms - 60000);
			break;
		case TUI_REPLAY_JUMP_FWD:
			to_idx = replay_find_time(rp, t_ms + 60000);
			break;
		case TUI_REPLAY_START:
			to_idx = 0;
			break;
		case TUI_REPLAY_END:
			to_idx = replay_len(rp) - 1;
			break;
		default:
			continue;
		}
		if (replay_seek(rp, to_idx, m) < 0)
			replay_status(tui, m, rp, "the log changed on disk: cannot read it back");
		else
			replay_status(tui, m, rp, to_idx >= replay_len(rp) ? "end of the log" : NULL);
	}
out:
	tui_free(tui);
	return 0;
}

