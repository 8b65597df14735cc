/* test_views: render the views of synthetic models to text and compare them
 * with the expected screens in tests/expected/ (80x24 and 40x12, fixed clock,
 * TZ=UTC, C.UTF-8). Also checks styles, cursor following, filter, tags,
 * tree layout and that tiny sizes do not crash.
 *
 * MEMSLOPE_UPDATE_EXPECTED=1 rewrites the expected screens from the current
 * output (review the diff before committing). */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "canvas.h"
#include "check.h"
#include "model.h"
#include "util.h"
#include "view.h"
#include "view_cgroup.h"
#include "view_detail.h"
#include "view_help.h"
#include "view_screen.h"
#include "view_table.h"

#define MIB (1024LL * 1024)
#define GIB (1024LL * MIB)
/* 2023-11-14 22:13:20 UTC */
#define WALL_NOW_MS 1700000000000LL
#define MONO_NOW_MS 5000000LL

static const char *srcdir_path(void)
{
	const char *s = getenv("srcdir");

	return s && *s ? s : ".";
}

static void set_trend(struct trend *t, enum trend_verdict v, double slope, double lo, double hi,
		      double z, double r2, double win_s)
{
	struct trend_result *r = &t->result;

	r->verdict = v;
	r->slope_bytes_per_s = slope;
	r->slope_lo_bytes_per_s = lo;
	r->slope_hi_bytes_per_s = hi;
	r->mk_z = z;
	r->r2 = r2;
	r->window_s = win_s;
	r->tier = v == TREND_UNKNOWN ? -1 : 0;
}

static void set_ttl(struct trend *t, double ttl, double lo, double hi, enum trend_ttl_target tgt)
{
	t->result.ttl_s = ttl;
	t->result.ttl_lo_s = lo;
	t->result.ttl_hi_s = hi;
	t->result.ttl_target = tgt;
	t->result.ttl_max_s = ttl;
}

static struct proc_entity *add_proc(struct model *m, pid_t pid, pid_t ppid, const char *user,
				    const char *name, const char *cmd, const char *cg, int64_t rss,
				    int64_t limit, const char *limit_source)
{
	struct proc_entity *p = model_proc_add(m, pid, 100000 + (uint64_t)pid);

	p->ppid = ppid;
	p->user = xstrdup(user);
	p->name = xstrdup(name);
	p->cmdline = xstrdup(cmd);
	p->cgroup = cg ? xstrdup(cg) : NULL;
	p->state = 'S';
	p->threads = 4;
	p->rss_bytes = rss;
	p->rss_anon_bytes = rss / 10 * 9;
	p->rss_file_bytes = rss / 100 * 8;
	p->rss_shmem_bytes = rss / 100 * 2;
	p->swap_bytes = 0;
	p->peak_rss_bytes = rss;
	p->oom_score = 600;
	p->oom_score_adj = 0;
	p->limit_bytes = limit;
	p->limit_source = limit_source ? xstrdup(limit_source) : NULL;
	p->usage_pct = 100.0 * (double)rss / (double)limit;
	p->usage_basis = limit_source && strcmp(limit_source, "machine") != 0 ? "cgroup" : "rss";
	p->start_time_ms = WALL_NOW_MS - 600000;
	p->first_seen_ms = MONO_NOW_MS - 600000;
	p->last_seen_ms = MONO_NOW_MS;
	set_trend(&p->trend, TREND_STABLE, 0, -100, 100, 0.3, 0.01, 128);
	return p;
}

/* Fill a history with one sample a second over the last span_s seconds:
 * start + slope * t, plus a sawtooth of amp bytes with the given period. */
static void fill_hist(struct history *h, int span_s, int64_t start, double slope_bytes_per_s,
		      int64_t amp, int period_s)
{
	for (int i = 0; i <= span_s; i++) {
		int64_t t = MONO_NOW_MS - (int64_t)(span_s - i) * 1000;
		int64_t v = start + (int64_t)(slope_bytes_per_s * i);

		if (period_s > 0)
			v += amp * (i % period_s) / period_s;
		history_push(h, t, v);
	}
}

static struct cgroup_entity *add_cgroup(struct model *m, const char *path, int64_t current,
					int64_t max, int64_t high, int64_t limit, const char *src)
{
	struct cgroup_entity *c = model_cgroup_add(m, path);

	c->s.version = CGROUP_V2;
	c->s.exists = true;
	c->s.current_bytes = current;
	c->s.max_bytes = max;
	c->s.high_bytes = high;
	c->s.low_bytes = 0;
	c->s.min_bytes = 0;
	c->s.peak_bytes = current + 10 * MIB;
	c->s.swap_current_bytes = 0;
	c->s.swap_max_bytes = MS_UNLIMITED;
	c->s.ev_low = 0;
	c->s.ev_high = high != MS_UNLIMITED ? 3 : 0;
	c->s.ev_max = 0;
	c->s.ev_oom = 0;
	c->s.ev_oom_kill = 0;
	c->s.ev_oom_group_kill = 0;
	c->s.v1_failcnt = c->s.v1_under_oom = c->s.v1_oom_kill_disable = MS_ABSENT;
	c->s.pressure.present = true;
	c->s.pressure.some_avg10 = 1.25;
	c->s.pressure.some_avg60 = 0.5;
	c->s.pressure.some_avg300 = 0.1;
	c->s.working_set_bytes = current;
	c->s.effective_limit_bytes = limit;
	c->s.effective_limit_source = src ? xstrdup(src) : NULL;
	c->s.effective_high_bytes = high;
	c->s.effective_high_source = high != MS_UNLIMITED ? xstrdup(path) : NULL;
	c->limit_bytes = limit;
	c->limit_source = xstrdup(c->s.effective_limit_source ? c->s.effective_limit_source : "machine");
	c->usage_pct = 100.0 * (double)current / (double)limit;
	set_trend(&c->trend, TREND_STABLE, 0, -100, 100, 0.2, 0.02, 128);
	return c;
}

static struct model *make_model(void)
{
	struct model *m = model_new("testhost", 1000);
	struct proc_entity *p;
	struct cgroup_entity *c;

	m->time_ms = WALL_NOW_MS;
	m->mono_ms = MONO_NOW_MS;
	m->sys.mem_total_bytes = 16 * GIB;
	m->sys.mem_available_bytes = 10 * GIB;
	m->sys.mem_free_bytes = 8 * GIB;
	m->sys.swap_total_bytes = 2 * GIB;
	m->sys.swap_free_bytes = 2 * GIB - 64 * MIB;
	m->sys.pressure.present = true;
	m->sys.pressure.some_avg10 = 0.12;
	m->self.cpu_pct = 0.4;
	m->self.rss_bytes = 6 * MIB;
	m->self.sample_cost_us_per_process = 1.6;
	m->self.n_fds = 12;
	m->cgroup_version = "v2";

	add_cgroup(m, "/", 4 * GIB, MS_UNLIMITED, MS_UNLIMITED, 16 * GIB, NULL);
	c = add_cgroup(m, "/app.slice", 900 * MIB, 1 * GIB, MS_UNLIMITED, 1 * GIB, "/app.slice");
	fill_hist(&c->hist_current, 300, 300 * MIB, 2.0 * MIB, 0, 0);
	c = add_cgroup(m, "/app.slice/web.service", 760 * MIB, MS_UNLIMITED, 900 * MIB, 1 * GIB,
		       "/app.slice");
	fill_hist(&c->hist_current, 300, 160 * MIB, 2.0 * MIB, 0, 0);
	set_trend(&c->trend, TREND_GROWING, 2.0 * MIB, 1.9 * MIB, 2.1 * MIB, 6.1, 0.99, 44);
	set_ttl(&c->trend, 70, 55, 90, TTL_HIGH);
	add_cgroup(m, "/user.slice", 300 * MIB, MS_UNLIMITED, MS_UNLIMITED, 16 * GIB, NULL);

	/* The leak: 2 MB/s for five minutes towards the 1G limit. */
	p = add_proc(m, 4242, 1, "alice", "python3", "/usr/bin/python3 leak.py --rate 2M",
		     "/app.slice/web.service", 700 * MIB, 1 * GIB, "/app.slice");
	fill_hist(&p->hist_rss, 300, 100 * MIB, 2.0 * MIB, 0, 0);
	set_trend(&p->trend, TREND_GROWING, 3009413, 2936012, 3040870, 6.7, 0.998, 44);
	set_ttl(&p->trend, 292, 264, 327, TTL_MAX);
	p->pss_bytes = 690 * MIB;
	p->uss_bytes = 680 * MIB;

	/* A stable database with GC-like sawtooth. */
	p = add_proc(m, 1001, 1, "postgres", "postgres", "postgres: main", "/user.slice",
		     300 * MIB, 16 * GIB, "machine");
	fill_hist(&p->hist_rss, 300, 280 * MIB, 0, 40 * MIB, 30);

	/* A tree: nginx master and two workers, one leaking slowly. */
	p = add_proc(m, 777, 1, "root", "nginx", "nginx: master process", "/user.slice", 12 * MIB,
		     16 * GIB, "machine");
	p->tree = model_tree_add(m, 777, 100777);
	p->tree->n_procs = 3;
	p->tree->rss_bytes = 92 * MIB;
	p->tree->peak_rss_bytes = 92 * MIB;
	fill_hist(&p->hist_rss, 300, 12 * MIB, 0, 0, 0);
	fill_hist(&p->tree->hist_rss, 300, 62 * MIB, 0.1 * MIB, 0, 0);
	set_trend(&p->tree->trend, TREND_LEAK, 0.1 * MIB, 0.09 * MIB, 0.11 * MIB, 5.5, 0.97, 640);
	p = add_proc(m, 778, 777, "www-data", "nginx", "nginx: worker process", "/user.slice",
		     50 * MIB, 16 * GIB, "machine");
	set_trend(&p->trend, TREND_LEAK, 0.1 * MIB, 0.09 * MIB, 0.11 * MIB, 5.5, 0.97, 640);
	set_ttl(&p->trend, 3 * 86400, 2 * 86400, INFINITY, TTL_MAX);
	fill_hist(&p->hist_rss, 300, 20 * MIB, 0.1 * MIB, 0, 0);
	{
		/* Under ulimit -v 1G, mapping files: VmSize 930M of RLIMIT_AS
		 * binds (predicted in 45 s) while RSS is 50M. */
		struct limit v[2] = {
			{.kind = LIMIT_MACHINE, .limit_bytes = 18 * GIB, .used_bytes = 50 * MIB,
			 .source = "machine", .ttl_s = NAN, .ttl_lo_s = NAN, .ttl_hi_s = NAN},
			{.kind = LIMIT_RLIMIT_AS, .limit_bytes = 1 * GIB, .used_bytes = 930 * MIB,
			 .source = "rlimit", .ttl_s = 45, .ttl_lo_s = 35, .ttl_hi_s = 60, .imminent = true},
		};
		struct trend *as = xcalloc(1, sizeof(*as));

		limit_state_set(&p->limits, v, 2, 1);
		trend_init(as);
		set_trend(as, TREND_GROWING, 2.0 * MIB, 1.8 * MIB, 2.2 * MIB, 7.0, 0.99, 30);
		set_ttl(as, 45, 35, 60, TTL_MAX);
		p->limits.own[LIMIT_RLIMIT_AS] = as;
		fill_hist(&p->hist_limit, 300, 330 * MIB, 2.0 * MIB, 0, 0);
		p->hist_limit_kind = LIMIT_RLIMIT_AS;
	}
	p = add_proc(m, 779, 777, "www-data", "nginx", "nginx: worker process", "/user.slice",
		     30 * MIB, 16 * GIB, "machine");
	set_trend(&p->trend, TREND_SHRINKING, -0.01 * MIB, -0.02 * MIB, -0.005 * MIB, -3.1, 0.8, 128);

	/* A process that names itself with terminal escapes. */
	add_proc(m, 31337, 1, "mallory", "\033]0;pwned\007x", "\033]0;pwned\007x --evil \033[2J",
		 "/user.slice", 8 * MIB, 16 * GIB, "machine");

	/* Close to its limit, OOM imminent. */
	p = add_proc(m, 2020, 1, "bob", "java", "java -Xmx900m -jar batch.jar", "/app.slice",
		     950 * MIB, 1 * GIB, "/app.slice");
	set_trend(&p->trend, TREND_GROWING, 1.5 * MIB, 1.2 * MIB, 1.8 * MIB, 4.0, 0.95, 30);
	set_ttl(&p->trend, 40, 30, 60, TTL_MAX);
	p->trend.result.oom_imminent = true;
	fill_hist(&p->hist_rss, 120, 770 * MIB, 1.5 * MIB, 0, 0);

	/* A fresh process without a verdict, and one that exited. */
	p = add_proc(m, 9001, 1, "alice", "bash", "", NULL, 4 * MIB, 16 * GIB, "machine");
	set_trend(&p->trend, TREND_UNKNOWN, NAN, NAN, NAN, NAN, NAN, NAN);
	p->usage_pct = NAN;
	p = add_proc(m, 555, 1, "alice", "make", "make -j8", "/user.slice", 2 * MIB, 16 * GIB, "machine");
	p->alive = false;
	p->exit_ms = MONO_NOW_MS - 3000;

	m->time_ms = WALL_NOW_MS - 120000;
	model_event(m, EV_VERDICT, 4242, NULL, "stable -> growing, slope 2.87 MiB/s: process 4242 (python3)");
	m->time_ms = WALL_NOW_MS - 30000;
	model_event(m, EV_THRESHOLD, 4242, NULL, "usage 68.0%% of limit (ok -> warn): process 4242 (python3)");
	m->time_ms = WALL_NOW_MS - 10000;
	model_event(m, EV_CGROUP_EVENT, 0, "/app.slice/web.service",
		    "memory.events high +3 (now 3): cgroup /app.slice/web.service");
	m->time_ms = WALL_NOW_MS;
	return m;
}

/* ---- golden screens ------------------------------------------------- */

static char *read_all(const char *path)
{
	return util_read_file(path, NULL);
}

static void write_all(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "cannot write %s\n", path);
		check_failures++;
		return;
	}
	fputs(text, f);
	fclose(f);
}

/* Compare the canvas with tests/expected/NAME.txt. */
static void expect_screen(const struct canvas *c, const char *name)
{
	char path[1024];
	char *got = canvas_to_text(c), *want;
	const char *upd = getenv("MEMSLOPE_UPDATE_EXPECTED");

	snprintf(path, sizeof(path), "%s/tests/expected/%s.txt", srcdir_path(), name);
	check_count++;
	if (upd && *upd && strcmp(upd, "0") != 0) {
		write_all(path, got);
		free(got);
		return;
	}
	want = read_all(path);
	if (!want) {
		fprintf(stderr, "%s: missing (MEMSLOPE_UPDATE_EXPECTED=1 creates it)\n", path);
		check_failures++;
	} else if (strcmp(got, want) != 0) {
		const char *a = got, *b = want;
		int line = 1;

		while (*a && *a == *b) {
			if (*a == '\n')
				line++;
			a++;
			b++;
		}
		fprintf(stderr, "%s: differs from line %d\n--- got ---\n%s--- expected ---\n%s", path, line,
			got, want);
		check_failures++;
	}
	free(got);
	free(want);
}

static void render(struct canvas *c, const struct model *m, struct view_state *vs, int w, int h)
{
	canvas_resize(c, w, h);
	view_screen_draw(c, m, vs);
}

static void screens(const struct model *m, enum glyph_mode mode, const char *suffix)
{
	static const int sizes[][2] = {{80, 24}, {40, 12}};
	struct canvas *c = canvas_new(1, 1);
	char name[128];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int w = sizes[i][0], h = sizes[i][1];
		struct view_state vs;

		view_state_init(&vs, mode);
		vs.cursor_pid = 4242;
		vs.cursor_start = 104242;
		render(c, m, &vs, w, h);
		snprintf(name, sizeof(name), "table%s-%dx%d", suffix, w, h);
		expect_screen(c, name);

		vs.tree = true;
		render(c, m, &vs, w, h);
		snprintf(name, sizeof(name), "tree%s-%dx%d", suffix, w, h);
		expect_screen(c, name);
		vs.tree = false;

		vs.view = VIEW_DETAIL;
		vs.detail_pid = 4242;
		render(c, m, &vs, w, h);
		snprintf(name, sizeof(name), "detail%s-%dx%d", suffix, w, h);
		expect_screen(c, name);

		vs.detail_pid = 777;
		vs.zoom = ZOOM_ALL;
		render(c, m, &vs, w, h);
		snprintf(name, sizeof(name), "detail-tree%s-%dx%d", suffix, w, h);
		expect_screen(c, name);

		/* Bound by RLIMIT_AS: VmSize against its line, every limit listed. */
		vs.detail_pid = 778;
		render(c, m, &vs, w, h);
		snprintf(name, sizeof(name), "detail-limit%s-%dx%d", suffix, w, h);
		expect_screen(c, name);

		vs.view = VIEW_CGROUP;
		vs.cg_sel = 2;
		render(c, m, &vs, w, h);
		snprintf(name, sizeof(name), "cgroup%s-%dx%d", suffix, w, h);
		expect_screen(c, name);

		if (mode == GLYPHS_UTF8) {
			vs.view = VIEW_HELP;
			render(c, m, &vs, w, h);
			snprintf(name, sizeof(name), "help-%dx%d", w, h);
			expect_screen(c, name);

			vs.view = VIEW_TABLE;
			vs.chooser_open = true;
			vs.chooser_sel = 5;
			render(c, m, &vs, w, h);
			snprintf(name, sizeof(name), "sort-chooser-%dx%d", w, h);
			expect_screen(c, name);
			vs.chooser_open = false;

			snprintf(vs.filter, sizeof(vs.filter), "NGINX");
			vs.status = xstrdup("snapshot written to memslope-20231114-221320.json");
			render(c, m, &vs, w, h);
			snprintf(name, sizeof(name), "filter-status-%dx%d", w, h);
			expect_screen(c, name);
		}
		view_state_done(&vs);
	}
	canvas_free(c);
}

/* ---- behaviour ------------------------------------------------------ */

static void test_sanitised(const struct model *m)
{
	struct canvas *c = canvas_new(120, 30);
	struct view_state vs;
	char *text;

	view_state_init(&vs, GLYPHS_UTF8);
	view_screen_draw(c, m, &vs);
	text = canvas_to_text(c);
	CHECK(strchr(text, '\033') == NULL);
	CHECK(strchr(text, '\007') == NULL);
	CHECK(strstr(text, "?]0;pwned?x --evil ?[2J") != NULL);
	free(text);
	vs.view = VIEW_DETAIL;
	vs.detail_pid = 31337;
	view_screen_draw(c, m, &vs);
	text = canvas_to_text(c);
	CHECK(strchr(text, '\033') == NULL);
	CHECK(strstr(text, "PID 31337 (?]0;pwned?x) ?]0;pwned?x --evil") != NULL);
	free(text);
	view_state_done(&vs);
	canvas_free(c);
}

static int find_row(const struct view_state *vs, pid_t pid)
{
	for (size_t i = 0; i < vs->n_rows; i++)
		if (vs->rows[i].p->pid == pid)
			return (int)i;
	return -1;
}

static void test_cursor_follows(struct model *m)
{
	struct view_state vs;
	struct proc_entity *p = model_proc_find(m, 1001);
	int64_t saved = p->rss_bytes;
	int idx;

	view_state_init(&vs, GLYPHS_UTF8);
	view_table_sync(m, &vs);
	CHECK_I64(vs.cursor_idx, 0);
	CHECK_I64(vs.rows[0].p->pid, 2020); /* biggest RSS first */
	idx = find_row(&vs, 1001);
	view_table_move(&vs, idx);
	CHECK_I64(vs.cursor_pid, 1001);
	/* 1001 becomes the biggest: the cursor moves with it. */
	p->rss_bytes = 4 * GIB;
	view_table_sync(m, &vs);
	CHECK_I64(vs.cursor_pid, 1001);
	CHECK_I64(vs.cursor_idx, 0);
	p->rss_bytes = saved;
	view_table_sync(m, &vs);
	CHECK_I64(vs.cursor_idx, idx);
	/* Filtered away: the cursor stays at the same row number. */
	snprintf(vs.filter, sizeof(vs.filter), "python");
	view_table_sync(m, &vs);
	CHECK_I64((int64_t)vs.n_rows, 1);
	CHECK_I64(vs.cursor_idx, 0);
	CHECK_I64(vs.cursor_pid, 4242);
	view_state_done(&vs);
}

/* Keys go to the screen's own table first, then to the keys that work
 * anywhere, then (in a replay) to the replay keys; the help takes only its
 * own. The help screen and the key bars are drawn from the same tables. */
static void test_keys(const struct model *m)
{
	struct view_state vs;
	struct canvas *c = canvas_new(1, 1);
	char *text;

	view_state_init(&vs, GLYPHS_UTF8);
	/* The table: chooser, filter editing, detail and back. */
	CHECK_I64(view_screen_key(m, &vs, 's'), VIEW_CMD_NONE);
	CHECK(vs.chooser_open);
	CHECK_I64(view_screen_key(m, &vs, 'q'), VIEW_CMD_NONE); /* q closes the chooser */
	CHECK(!vs.chooser_open);
	view_screen_key(m, &vs, '/');
	CHECK(vs.filter_editing);
	view_screen_key(m, &vs, 'q');
	view_screen_key(m, &vs, 0x00e9); /* é */
	CHECK_STR(vs.filter, "q\xc3\xa9");
	view_screen_key(m, &vs, VK_BACKSPACE);
	CHECK_STR(vs.filter, "q");
	view_screen_key(m, &vs, VK_ENTER);
	CHECK(!vs.filter_editing);
	view_screen_key(m, &vs, '\\');
	CHECK_STR(vs.filter, "");
	CHECK_I64(view_screen_key(m, &vs, '+'), VIEW_CMD_SLOWER);
	CHECK_I64(view_screen_key(m, &vs, '-'), VIEW_CMD_FASTER);
	CHECK_I64(view_screen_key(m, &vs, 'p'), VIEW_CMD_PAUSE);
	CHECK_I64(view_screen_key(m, &vs, 'e'), VIEW_CMD_EXPORT);
	CHECK_I64(view_screen_key(m, &vs, VK_ENTER), VIEW_CMD_NONE);
	CHECK_I64(vs.view, VIEW_DETAIL);
	view_screen_key(m, &vs, '<');
	CHECK_I64(vs.zoom, ZOOM_1M);
	view_screen_key(m, &vs, VK_BACKSPACE);
	CHECK_I64(vs.view, VIEW_TABLE);
	view_screen_key(m, &vs, 'c');
	CHECK_I64(vs.view, VIEW_CGROUP);
	view_screen_key(m, &vs, 'c');
	CHECK_I64(vs.view, VIEW_TABLE);
	view_screen_key(m, &vs, 'c');
	view_screen_key(m, &vs, VK_ESC);
	CHECK_I64(vs.view, VIEW_TABLE);
	/* The help: q and Esc leave it, F10 quits, other keys do nothing. */
	view_screen_key(m, &vs, VK_ENTER);
	view_screen_key(m, &vs, '?');
	CHECK_I64(vs.view, VIEW_HELP);
	CHECK_I64(vs.back, VIEW_DETAIL);
	CHECK_I64(view_screen_key(m, &vs, 'e'), VIEW_CMD_NONE);
	CHECK_I64(view_screen_key(m, &vs, 'q'), VIEW_CMD_NONE);
	CHECK_I64(vs.view, VIEW_DETAIL);
	view_screen_key(m, &vs, VK_F1);
	CHECK_I64(view_screen_key(m, &vs, VK_F(10)), VIEW_CMD_QUIT);
	view_screen_key(m, &vs, VK_ESC);
	CHECK_I64(vs.view, VIEW_DETAIL);
	view_screen_key(m, &vs, VK_ESC);
	CHECK_I64(vs.view, VIEW_TABLE);
	CHECK_I64(view_screen_key(m, &vs, 'q'), VIEW_CMD_QUIT);
	/* Replay keys only in a replay, where Home/End move through the log. */
	CHECK_I64(view_screen_key(m, &vs, '['), VIEW_CMD_NONE);
	CHECK_I64(view_screen_key(m, &vs, VK_HOME), VIEW_CMD_NONE);
	vs.replay = true;
	CHECK_I64(view_screen_key(m, &vs, '['), VIEW_CMD_JUMP_BACK);
	CHECK_I64(view_screen_key(m, &vs, VK_RIGHT), VIEW_CMD_STEP_FWD);
	CHECK_I64(view_screen_key(m, &vs, VK_HOME), VIEW_CMD_START);
	view_screen_key(m, &vs, 'c');
	CHECK_I64(view_screen_key(m, &vs, VK_END), VIEW_CMD_END);
	/* htop's keys: F3 search, F4 filter, F5 tree, F6 sort, M, Ctrl-L. */
	vs.replay = false;
	vs.view = VIEW_TABLE;
	view_screen_key(m, &vs, VK_F(3));
	CHECK(vs.search_editing);
	view_screen_key(m, &vs, 'n');
	view_screen_key(m, &vs, 'g');
	view_screen_key(m, &vs, 'i');
	CHECK(view_table_cursor(&vs) && strstr(view_table_cursor(&vs)->cmdline, "nginx"));
	{
		pid_t first = view_table_cursor(&vs)->pid;

		view_screen_key(m, &vs, VK_F(3));
		CHECK(view_table_cursor(&vs)->pid != first);
		CHECK(strstr(view_table_cursor(&vs)->cmdline, "nginx") != NULL);
	}
	view_screen_key(m, &vs, VK_ENTER);
	CHECK(!vs.search_editing);
	CHECK_STR(vs.filter, ""); /* searching never filters */
	view_screen_key(m, &vs, VK_F(4));
	CHECK(vs.filter_editing);
	view_screen_key(m, &vs, 'x');
	view_screen_key(m, &vs, VK_F(4));
	CHECK(!vs.filter_editing);
	CHECK_STR(vs.filter, "x");
	view_screen_key(m, &vs, VK_ESC);
	view_screen_key(m, &vs, VK_F(5));
	CHECK(vs.tree);
	view_screen_key(m, &vs, VK_F(6));
	CHECK(vs.chooser_open);
	view_screen_key(m, &vs, VK_F(6));
	CHECK(!vs.chooser_open);
	vs.sort_col = COL_PID;
	view_screen_key(m, &vs, 'M');
	CHECK_I64(vs.sort_col, COL_RSS);
	CHECK(!vs.tree);
	CHECK_I64(view_screen_key(m, &vs, VK_CTRL('l')), VIEW_CMD_REDRAW);
	CHECK_I64(view_screen_key(m, &vs, VK_F1), VIEW_CMD_NONE);
	CHECK_I64(vs.view, VIEW_HELP);
	CHECK_I64(view_screen_key(m, &vs, VK_CTRL('l')), VIEW_CMD_REDRAW);
	view_screen_key(m, &vs, 'q');
	CHECK_I64(vs.view, VIEW_TABLE);
	/* The help's key text comes from the tables: replay, detail, cgroup. */
	vs.view = VIEW_HELP;
	canvas_resize(c, 100, 80);
	view_screen_draw(c, m, &vs);
	text = canvas_to_text(c);
	CHECK(strstr(text, "Replay (--replay FILE)") != NULL);
	CHECK(strstr(text, "first / last sample of the log") != NULL);
	CHECK(strstr(text, "zoom the time axis") != NULL);
	CHECK(strstr(text, "select a cgroup, its details below") != NULL);
	/* In the help q leaves the help, and the footer says so. */
	CHECK(strstr(text, "Esc/q back") != NULL);
	CHECK(strstr(text, "F10 quit") != NULL);
	free(text);
	view_state_done(&vs);
	canvas_free(c);
}

static void test_filter(struct model *m)
{
	struct view_state vs;

	view_state_init(&vs, GLYPHS_UTF8);
	snprintf(vs.filter, sizeof(vs.filter), "NgInX");
	CHECK_I64((int64_t)view_table_sync(m, &vs), 3);
	snprintf(vs.filter, sizeof(vs.filter), "worker|leak");
	CHECK_I64((int64_t)view_table_sync(m, &vs), 3);
	CHECK(vs.filter_re_ok);
	/* Not a regex: a plain substring. */
	snprintf(vs.filter, sizeof(vs.filter), "-jar batch.jar [");
	CHECK_I64((int64_t)view_table_sync(m, &vs), 0);
	CHECK(!vs.filter_re_ok);
	snprintf(vs.filter, sizeof(vs.filter), "[2j");
	CHECK_I64((int64_t)view_table_sync(m, &vs), 1); /* "\033[2J" in 31337's command */
	snprintf(vs.filter, sizeof(vs.filter), "alice");
	CHECK_I64((int64_t)view_table_sync(m, &vs), 3);
	snprintf(vs.filter, sizeof(vs.filter), "31337");
	CHECK_I64((int64_t)view_table_sync(m, &vs), 1);
	vs.filter[0] = '\0';
	/* Tags follow identity; "tagged only" shows just them. */
	view_toggle_tag(&vs, model_proc_find(m, 777));
	view_toggle_tag(&vs, model_proc_find(m, 1001));
	vs.tagged_only = true;
	CHECK_I64((int64_t)view_table_sync(m, &vs), 2);
	view_toggle_tag(&vs, model_proc_find(m, 777));
	CHECK_I64((int64_t)view_table_sync(m, &vs), 1);
	view_clear_tags(&vs);
	CHECK_I64((int64_t)view_table_sync(m, &vs), 0);
	view_state_done(&vs);
}

static void test_sort_and_tree(struct model *m)
{
	struct view_state vs;
	enum col_id ch[COL_COUNT];
	int n;

	view_state_init(&vs, GLYPHS_UTF8);
	m->pss_enabled = true;
	n = view_table_sort_choices(m, ch);
	m->pss_enabled = false;
	CHECK_I64(view_table_sort_choices(m, ch), n - 1);
	m->pss_enabled = true;
	for (int i = 0; i < n; i++) {
		vs.sort_col = ch[i];
		for (int rev = 0; rev < 2; rev++) {
			vs.sort_reverse = rev;
			CHECK_I64((int64_t)view_table_sync(m, &vs), (int64_t)m->n_procs);
		}
	}
	vs.sort_reverse = false;
	vs.sort_col = COL_SLOPE;
	view_table_sync(m, &vs);
	CHECK_I64(vs.rows[0].p->pid, 4242);
	/* Absent slopes last in both directions. */
	CHECK(!isfinite(trend_get(&vs.rows[vs.n_rows - 1].p->trend)->slope_bytes_per_s));
	vs.sort_reverse = true;
	view_table_sync(m, &vs);
	CHECK(!isfinite(trend_get(&vs.rows[vs.n_rows - 1].p->trend)->slope_bytes_per_s));
	vs.sort_col = COL_TTL;
	vs.sort_reverse = false;
	view_table_sync(m, &vs);
	CHECK_I64(vs.rows[0].p->pid, 2020);
	vs.sort_col = COL_VERDICT;
	view_table_sync(m, &vs);
	CHECK_I64(vs.rows[0].p->pid, 2020); /* OOM imminent first */

	vs.sort_col = COL_PID;
	vs.tree = true;
	view_table_sync(m, &vs);
	{
		int master = find_row(&vs, 777);

		CHECK(master >= 0);
		CHECK_I64(vs.rows[master].depth, 0);
		CHECK_I64(vs.rows[master + 1].p->pid, 778);
		CHECK_I64(vs.rows[master + 1].depth, 1);
		CHECK(!vs.rows[master + 1].last_child);
		CHECK_I64(vs.rows[master + 2].p->pid, 779);
		CHECK(vs.rows[master + 2].last_child);
	}
	/* A ppid cycle (as a corrupt replay could hold) still lists everyone. */
	{
		struct proc_entity *a = model_proc_find(m, 778), *b = model_proc_find(m, 779);
		pid_t pa = a->ppid, pb = b->ppid;

		a->ppid = 779;
		b->ppid = 778;
		CHECK_I64((int64_t)view_table_sync(m, &vs), (int64_t)m->n_procs);
		a->ppid = pa;
		b->ppid = pb;
	}
	view_state_done(&vs);
}

/* The table's order, written out plainly: the column's natural order
 * (sizes and growth biggest first, TTL soonest first, text and PID
 * ascending), absent values last in either direction, then PID, then start
 * time. view_table_sync sorts on precomputed keys; it must agree. */
static int ref_verdict_rank(const struct trend_result *r)
{
	if (r->oom_imminent)
		return 5;
	switch (r->verdict) {
	case TREND_LEAK: return 4;
	case TREND_GROWING: return 3;
	case TREND_SHRINKING: return 2;
	case TREND_STABLE: return 1;
	default: return 0;
	}
}

static int ref_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int ref_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int ref_col_cmp(enum col_id col, const struct proc_entity *a, const struct proc_entity *b)
{
	const struct trend_result *ra = &a->trend.result, *rb = &b->trend.result;

	if (col == COL_OF_SERIES(SERIES_PROC_GPU))
		return -ref_i64(a->gpu ? a->gpu->bytes : MS_ABSENT, b->gpu ? b->gpu->bytes : MS_ABSENT);
	switch (col) {
	case COL_PID: return ref_i64(a->pid, b->pid);
	case COL_USER: return ref_str(a->user, b->user);
	case COL_RSS: return -ref_i64(a->rss_bytes, b->rss_bytes);
	case COL_PSS: return -ref_i64(a->pss_bytes, b->pss_bytes);
	case COL_SWAP: return -ref_i64(a->swap_bytes, b->swap_bytes);
	case COL_SLOPE:
		return ra->slope_bytes_per_s > rb->slope_bytes_per_s ? -1 :
		       ra->slope_bytes_per_s < rb->slope_bytes_per_s;
	case COL_VERDICT:
		if (ref_verdict_rank(ra) != ref_verdict_rank(rb))
			return ref_verdict_rank(rb) - ref_verdict_rank(ra);
		return ref_col_cmp(COL_SLOPE, a, b);
	case COL_LIMIT: return a->usage_pct > b->usage_pct ? -1 : a->usage_pct < b->usage_pct;
	case COL_TTL: return ra->ttl_s < rb->ttl_s ? -1 : ra->ttl_s > rb->ttl_s;
	case COL_CGROUP: return ref_str(a->cgroup, b->cgroup);
	case COL_COMMAND:
		return ref_str(a->cmdline && *a->cmdline ? a->cmdline : a->name,
			       b->cmdline && *b->cmdline ? b->cmdline : b->name);
	default: return 0;
	}
}

static bool ref_absent(enum col_id col, const struct proc_entity *p)
{
	const struct trend_result *r = &p->trend.result;

	if (col == COL_OF_SERIES(SERIES_PROC_GPU))
		return !p->gpu || !ms_has(p->gpu->bytes);
	switch (col) {
	case COL_RSS: return !ms_has(p->rss_bytes);
	case COL_PSS: return !ms_has(p->pss_bytes);
	case COL_SWAP: return !ms_has(p->swap_bytes);
	case COL_SLOPE: return !isfinite(r->slope_bytes_per_s);
	case COL_LIMIT: return isnan(p->usage_pct);
	case COL_TTL: return isnan(r->ttl_s) || r->ttl_target == TTL_NONE;
	case COL_CGROUP: return !p->cgroup;
	default: return false;
	}
}

/* -1/0/1: does a come before b in the table sorted by col? */
static int ref_order(enum col_id col, bool reverse, const struct proc_entity *a,
		     const struct proc_entity *b)
{
	bool xa = ref_absent(col, a), xb = ref_absent(col, b);
	int r;

	if (xa != xb)
		return xa ? 1 : -1;
	r = xa ? 0 : ref_col_cmp(col, a, b);
	if (reverse)
		r = -r;
	if (r == 0)
		r = ref_i64(a->pid, b->pid);
	if (r == 0)
		r = ref_i64((int64_t)a->start_ticks, (int64_t)b->start_ticks);
	return r;
}

static void test_sort_random(void)
{
	static const char *const words[] = {"alice", "bob", "", "nginx", "zed", "Alice"};
	struct model *m = model_new("testhost", 1000);
	struct view_state vs;
	unsigned seed = 12345;
	int bad = 0;

#define RND(n) ((int)((seed = seed * 1103515245u + 12345u) >> 16) % (n))
	for (int i = 0; i < 400; i++) {
		/* Few distinct values, so ties and the tie-breaks are exercised;
		 * some PIDs twice (an exited entry and its successor). */
		pid_t pid = (pid_t)(100 + RND(350));
		struct proc_entity *p = model_proc_add(m, pid, 1000 + (uint64_t)RND(3));
		struct trend_result *r = &p->trend.result;
		static const double slopes[] = {0, 1, -1, 1e6, NAN, INFINITY, 5};
		static const double ttls[] = {10, 60, NAN, INFINITY, 10};

		p->user = RND(6) ? xstrdup(words[RND(6)]) : NULL;
		p->name = xstrdup(words[RND(6)]);
		p->cmdline = RND(3) ? xstrdup(words[RND(6)]) : NULL;
		p->cgroup = RND(3) ? xstrdup(words[RND(6)]) : NULL;
		p->rss_bytes = RND(5) ? (int64_t)RND(4) * MIB : MS_ABSENT;
		p->pss_bytes = RND(2) ? (int64_t)RND(4) * MIB : MS_ABSENT;
		p->swap_bytes = RND(4) ? (int64_t)RND(3) * MIB : MS_ABSENT;
		p->usage_pct = RND(4) ? RND(3) * 10.0 : NAN;
		r->verdict = (enum trend_verdict)RND(5);
		r->oom_imminent = RND(10) == 0;
		r->slope_bytes_per_s = slopes[RND(7)];
		r->ttl_s = ttls[RND(5)];
		r->ttl_target = RND(3) ? TTL_MAX : TTL_NONE;
	}
#undef RND
	view_state_init(&vs, GLYPHS_UTF8);
	for (int c = 0; c < COL_COUNT; c++) {
		/* A series without a table column has no sort order. */
		if (c >= COL_SERIES && c < COL_SERIES + SERIES_N && !series_table[c - COL_SERIES].tui.column)
			continue;
		for (int rev = 0; rev < 2; rev++) {
			vs.sort_col = (enum col_id)c;
			vs.sort_reverse = rev;
			CHECK_I64((int64_t)view_table_sync(m, &vs), (int64_t)m->n_procs);
			for (size_t i = 0; i + 1 < vs.n_rows; i++)
				if (ref_order(vs.sort_col, rev, vs.rows[i].p, vs.rows[i + 1].p) > 0)
					bad++;
		}
	}
	CHECK_I64(bad, 0);
	view_state_done(&vs);
	model_free(m);
}

static void test_styles(const struct model *m)
{
	struct canvas *c = canvas_new(80, 24);
	struct view_state vs;
	bool saw_warn = false, saw_crit = false, saw_cursor = false;

	view_state_init(&vs, GLYPHS_UTF8);
	vs.cursor_pid = 4242;
	vs.cursor_start = 104242;
	view_screen_draw(c, m, &vs);
	for (int y = 0; y < c->h; y++) {
		char *line = NULL;

		(void)line;
		for (int x = 0; x < c->w; x++) {
			const struct canvas_cell *cell = canvas_at(c, x, y);

			if (CANVAS_ROLE(cell->style) == ROLE_WARN)
				saw_warn = true;
			if (CANVAS_ROLE(cell->style) == ROLE_CRIT)
				saw_crit = true;
			if (CANVAS_ROLE(cell->style) == ROLE_CURSOR)
				saw_cursor = true;
		}
	}
	CHECK(saw_warn);
	CHECK(saw_crit);
	CHECK(saw_cursor);
	CHECK_I64(CANVAS_ROLE(view_pct_style(m, 95)), ROLE_CRIT);
	CHECK_I64(CANVAS_ROLE(view_pct_style(m, 85)), ROLE_WARN);
	CHECK_I64(CANVAS_ROLE(view_pct_style(m, 10)), ROLE_OK);
	CHECK_I64(CANVAS_ROLE(view_pct_style(m, NAN)), ROLE_DIM);
	view_state_done(&vs);
	canvas_free(c);
}

static void test_formats(void)
{
	const struct glyphs *g = view_glyphs(GLYPHS_UTF8), *ga = view_glyphs(GLYPHS_ASCII);
	struct trend t;
	char buf[256];

	CHECK_STR(view_fmt_slope_min(NAN, buf, sizeof(buf)), "-");
	CHECK_STR(view_fmt_slope_min(2.0 * MIB / 60, buf, sizeof(buf)), "+2.0M");
	CHECK_STR(view_fmt_slope_min(-512.0 * 1024 / 60, buf, sizeof(buf)), "-512K");
	CHECK_STR(view_fmt_slope_min(1.0, buf, sizeof(buf)), "0");
	CHECK_STR(util_fmt_rate(2.87 * MIB, buf, sizeof(buf)), "2.87 MiB/s");
	CHECK_STR(util_fmt_rate(0.35 * MIB / 60, buf, sizeof(buf)), "0.35 MiB/min");
	CHECK_STR(util_fmt_rate(12.0 * 1024 / 60, buf, sizeof(buf)), "12.0 KiB/min");
	/* The 2,000,000 B/s leak: one number in every unit it is shown in. */
	CHECK_STR(util_fmt_rate(2e6, buf, sizeof(buf)), "1.91 MiB/s");
	CHECK_STR(util_fmt_rate(2e6 / 60, buf, sizeof(buf)), "1.91 MiB/min");
	CHECK_STR(view_fmt_clock(WALL_NOW_MS, buf, sizeof(buf)), "22:13:20");

	trend_init(&t);
	CHECK_STR(view_fmt_ttl_short(trend_get(&t), g, buf, sizeof(buf)), "-");
	CHECK_STR(view_fmt_ttl_full(trend_get(&t), GIB, MS_ABSENT, g, buf, sizeof(buf)), "");
	set_trend(&t, TREND_GROWING, 3009413, 2936012, 3040870, 6.7, 0.998, 44);
	set_ttl(&t, 292, 264, 327, TTL_MAX);
	CHECK_STR(view_fmt_ttl_short(trend_get(&t), g, buf, sizeof(buf)), "4\u20136m");
	CHECK_STR(view_fmt_ttl_short(trend_get(&t), ga, buf, sizeof(buf)), "4-6m");
	CHECK_STR(view_fmt_ttl_full(trend_get(&t), GIB, MS_ABSENT, g, buf, sizeof(buf)),
		  "TTL\u21921.0G 4m52s [4m24s\u20135m27s]");
	CHECK_STR(view_fmt_evidence(trend_get(&t), GIB, MS_ABSENT, g, buf, sizeof(buf)),
		  "GROWING \u2191 2.87 MiB/s [90% CI 2.80\u20132.90] \u00b7 MK Z=6.7 \u00b7 R\u00b2 1.00 \u00b7 "
		  "44s window \u00b7 TTL\u21921.0G 4m52s [4m24s\u20135m27s]");
	CHECK_STR(view_fmt_evidence(trend_get(&t), GIB, MS_ABSENT, ga, buf, sizeof(buf)),
		  "GROWING ^ 2.87 MiB/s [90% CI 2.80-2.90] | MK Z=6.7 | R2 1.00 | 44s window | "
		  "TTL->1.0G 4m52s [4m24s-5m27s]");
	/* A tight CI reads as a relative half-width, not as five digits. */
	set_trend(&t, TREND_GROWING, 2.0157 * MIB, 2.0156 * MIB, 2.0159 * MIB, 3.1, 1, 48);
	CHECK_STR(view_fmt_evidence(trend_get(&t), GIB, MS_ABSENT, ga, buf, sizeof(buf)),
		  "GROWING ^ 2.02 MiB/s [90% CI +-0.0099%] | MK Z=3.1 | R2 1.00 | 48s window | "
		  "TTL->1.0G 4m52s [4m24s-5m27s]");
	/* A LEAK shows the evidence that confirmed it: the >= 8.5 min tier's
	 * window and slope, not the finest active tier's 48 s. */
	{
		struct trend_result ev;

		t.result.verdict = TREND_LEAK;
		t.leak_tier = 1;
		t.tier[1].fit = (struct trend_fit){.slope = 2.0e6f, .slope_lo = 1.9e6f, .slope_hi = 2.1e6f,
						   .mk_z = 5.2f, .r2 = 0.97f, .window_s = 544};
		CHECK_STR(view_fmt_evidence(trend_evidence(&t, &ev), GIB, MS_ABSENT, ga, buf, sizeof(buf)),
			  "LEAK ^ 1.91 MiB/s [90% CI 1.81-2.00] | MK Z=5.2 | R2 0.97 | 9m04s window | "
			  "TTL->1.0G 4m52s [4m24s-5m27s]");
		t.leak_tier = -1;
		t.result.verdict = TREND_GROWING;
	}
	set_ttl(&t, 45, 30, INFINITY, TTL_HIGH);
	CHECK_STR(view_fmt_ttl_short(trend_get(&t), g, buf, sizeof(buf)), ">30s");
	CHECK_STR(view_fmt_ttl_full(trend_get(&t), GIB, 900 * MIB, ga, buf, sizeof(buf)),
		  "TTL->high 900M 45s [30s-inf]");
	set_ttl(&t, 4000, 50, 9000, TTL_MAX);
	CHECK_STR(view_fmt_ttl_short(trend_get(&t), g, buf, sizeof(buf)), "50s\u20133h");
	/* A TTL without its band is never shown. */
	set_ttl(&t, 100, NAN, NAN, TTL_MAX);
	CHECK_STR(view_fmt_ttl_short(trend_get(&t), g, buf, sizeof(buf)), "-");
	trend_init(&t);
	CHECK_STR(view_fmt_evidence(trend_get(&t), GIB, MS_ABSENT, g, buf, sizeof(buf)),
		  "collecting history: no verdict yet");
	CHECK_STR(view_verdict_word(trend_get(&t)), "-");
	CHECK_STR(view_zoom_name(ZOOM_ALL), "all");
	CHECK_I64(view_zoom_ms(ZOOM_15M), 900000);
}

/* What narrows or hides rows is on screen: the tagged-only filter in the
 * key bar, and growing processes the sort put off the page in a line of
 * their own. The detail view opens at a zoom that fits the data. */
static void test_visible(const struct model *m)
{
	struct canvas *c = canvas_new(40, 12);
	struct view_state vs;
	char *text;

	view_state_init(&vs, GLYPHS_UTF8);
	view_toggle_tag(&vs, model_proc_find(m, 777));
	vs.tagged_only = true;
	view_screen_draw(c, m, &vs);
	text = canvas_to_text(c);
	CHECK(strstr(text, "Ttagged only") != NULL);
	free(text);
	vs.tagged_only = false;
	/* Sorted by PID at 40x10, 2020 (oom_imminent) and 4242 (growing) are
	 * below the page. */
	vs.sort_col = COL_PID;
	canvas_resize(c, 40, 10);
	view_screen_draw(c, m, &vs);
	text = canvas_to_text(c);
	CHECK(strstr(text, "off-page") != NULL);
	CHECK(strstr(text, "2 off-page \u00b7 2020 java -Xmx900m o") != NULL);
	CHECK(strstr(text, "2 off-page") != NULL);
	free(text);
	/* Back on the page: no such line. */
	vs.sort_col = COL_RSS;
	view_screen_draw(c, m, &vs);
	text = canvas_to_text(c);
	CHECK(strstr(text, "off-page") == NULL);
	free(text);
	/* Opening the detail view fits the zoom to the history (here 300 s
	 * or so: 5m), < and > then keep the user's choice. */
	vs.sort_col = COL_PID;
	vs.cursor_pid = 4242;
	vs.cursor_start = 104242;
	vs.zoom = ZOOM_ALL;
	view_screen_key(m, &vs, VK_ENTER);
	CHECK_I64(vs.detail_pid, 4242);
	canvas_resize(c, 80, 24);
	view_screen_draw(c, m, &vs);
	CHECK_I64(vs.zoom, ZOOM_5M);
	view_screen_key(m, &vs, '>');
	view_screen_draw(c, m, &vs);
	CHECK_I64(vs.zoom, ZOOM_15M);
	view_state_done(&vs);
	canvas_free(c);
}

/* The value axis never shows the same label twice (a 1.0G, 1.0G, 1.0G
 * axis was seen at 200x50), at any size. */
static void test_axis_labels(const struct model *m)
{
	static const int sizes[][2] = {{200, 50}, {160, 60}, {120, 40}, {80, 24}, {100, 70}};
	static const pid_t pids[] = {4242, 777, 1001, 2020};
	struct canvas *c = canvas_new(1, 1);

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (size_t k = 0; k < sizeof(pids) / sizeof(pids[0]); k++) {
			for (int z = ZOOM_1M; z < ZOOM_COUNT; z++) {
				struct view_state vs;
				char labels[64][8], *text, *line;
				int n = 0;

				view_state_init(&vs, GLYPHS_UTF8);
				vs.view = VIEW_DETAIL;
				vs.detail_pid = pids[k];
				vs.zoom = (enum view_zoom)z;
				canvas_resize(c, sizes[i][0], sizes[i][1]);
				view_screen_draw(c, m, &vs);
				text = canvas_to_text(c);
				/* Gutter rows: a label in columns 0-4, the axis "│" at 6. */
				for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
					char lab[8];

					if (strncmp(line + 6, "\u2502", 3) != 0 || strncmp(line, "      ", 6) == 0)
						continue;
					sscanf(line, "%7s", lab);
					for (int j = 0; j < n; j++)
						if (strcmp(labels[j], lab) == 0) {
							fprintf(stderr, "axis label %s twice at %dx%d pid %d zoom %d\n", lab,
								sizes[i][0], sizes[i][1], (int)pids[k], z);
							check_failures++;
						}
					if (n < 64)
						snprintf(labels[n++], sizeof(labels[0]), "%s", lab);
				}
				free(text);
				view_state_done(&vs);
			}
		}
	}
	canvas_free(c);
}

/* Every view at every small size, every glyph mode: nothing may crash or
 * draw outside the canvas (ASan catches the latter). */
static void test_tiny(const struct model *m)
{
	static const enum view_kind views[] = {VIEW_TABLE, VIEW_DETAIL, VIEW_CGROUP, VIEW_HELP};
	struct canvas *c = canvas_new(1, 1);
	int renders = 0;

	for (int mode = GLYPHS_UTF8; mode <= GLYPHS_ASCII; mode++) {
		for (size_t v = 0; v < sizeof(views) / sizeof(views[0]); v++) {
			for (int w = 0; w <= 41; w += (w < 24 ? 1 : 17)) {
				for (int h = 0; h <= 13; h++) {
					struct view_state vs;

					view_state_init(&vs, (enum glyph_mode)mode);
					vs.view = views[v];
					vs.detail_pid = 4242;
					vs.chooser_open = w % 3 == 0;
					vs.status = xstrdup("line one\nline two\nline three");
					render(c, m, &vs, w, h);
					render(c, NULL, &vs, w, h);
					view_state_done(&vs);
					renders++;
				}
			}
		}
	}
	CHECK(renders > 1000);
	canvas_free(c);
}

/* The detail plot must tell the truth: the rising series reaches the top,
 * the limit line and the TTL mark are drawn. */
static void test_plot_truth(const struct model *m)
{
	struct canvas *c = canvas_new(80, 24);
	struct view_state vs;
	char *text;

	view_state_init(&vs, GLYPHS_UTF8);
	vs.view = VIEW_DETAIL;
	vs.detail_pid = 4242;
	view_screen_draw(c, m, &vs);
	text = canvas_to_text(c);
	CHECK(strstr(text, "max") != NULL);
	CHECK(strstr(text, "\u2504\u2504\u2504") != NULL);  /* the limit line */
	CHECK(strstr(text, "\u00d7") != NULL);              /* TTL mark */
	CHECK(strstr(text, "TTL 4m52s [4m24s\u20135m27s]") != NULL);
	CHECK(strstr(text, "\u2550") != NULL);              /* TTL band on the axis */
	CHECK(strstr(text, "\u25b2") != NULL);              /* event marks */
	CHECK(strstr(text, "22:1") != NULL);                /* wall-clock axis */
	free(text);
	view_state_done(&vs);
	canvas_free(c);
}

/* model_cgroup_find through its path index: every cgroup found, absent
 * paths not, also after the array was reordered or one cgroup replaced by
 * another (the same count, so the index is stale until a miss). */
static void test_cgroup_find(void)
{
	struct model *m = model_new("h", 1000);
	char path[64];
	bool ok;

	for (int i = 0; i < 40; i++) {
		snprintf(path, sizeof(path), "/system.slice/svc%d.service", i);
		model_cgroup_add(m, path);
	}
	for (int round = 0; round < 3; round++) {
		ok = true;
		for (size_t i = 0; i < m->n_cgroups; i++)
			ok = ok && model_cgroup_find(m, m->cgroups[i]->s.path) == m->cgroups[i];
		CHECK(ok);
		CHECK(model_cgroup_find(m, "/system.slice/svc40.service") == NULL);
		CHECK(model_cgroup_find(m, "/system.slice/svc1.servic") == NULL);
		CHECK(model_cgroup_find(m, NULL) == NULL);
		if (round == 0) { /* reverse the array */
			for (size_t i = 0, j = m->n_cgroups - 1; i < j; i++, j--) {
				struct cgroup_entity *t = m->cgroups[i];

				m->cgroups[i] = m->cgroups[j];
				m->cgroups[j] = t;
			}
		} else if (round == 1) { /* svc7 replaced by svc40, at the end */
			for (size_t i = 0; i < m->n_cgroups; i++) {
				if (strcmp(m->cgroups[i]->s.path, "/system.slice/svc7.service") == 0) {
					model_cgroup_free(m, m->cgroups[i]);
					memmove(&m->cgroups[i], &m->cgroups[i + 1],
						(m->n_cgroups - i - 1) * sizeof(m->cgroups[0]));
					m->n_cgroups--;
					break;
				}
			}
			model_cgroup_add(m, "/system.slice/svc40b.service");
			CHECK(model_cgroup_find(m, "/system.slice/svc7.service") == NULL);
			CHECK(model_cgroup_find(m, "/system.slice/svc40b.service") ==
			      m->cgroups[m->n_cgroups - 1]);
		}
	}

	/* A process's cached cgroup follows frees, adds and moves. */
	{
		struct proc_entity *p = model_proc_add(m, 4242, 1);
		struct cgroup_entity *c;

		p->cgroup = xstrdup("/system.slice/svc3.service");
		c = model_proc_cgroup(m, p);
		CHECK(c && strcmp(c->s.path, p->cgroup) == 0);
		CHECK(model_proc_cgroup(m, p) == c);
		for (size_t i = 0; i < m->n_cgroups; i++) {
			if (m->cgroups[i] == c) {
				memmove(&m->cgroups[i], &m->cgroups[i + 1],
					(m->n_cgroups - i - 1) * sizeof(m->cgroups[0]));
				m->n_cgroups--;
				model_cgroup_free(m, c);
				break;
			}
		}
		CHECK(model_proc_cgroup(m, p) == NULL);
		c = model_cgroup_add(m, "/system.slice/svc3.service");
		CHECK(model_proc_cgroup(m, p) == c);
		free(p->cgroup);
		p->cgroup = xstrdup("/system.slice/svc4.service");
		p->cg_epoch = 0;
		c = model_proc_cgroup(m, p);
		CHECK(c && strcmp(c->s.path, "/system.slice/svc4.service") == 0);
	}
	model_free(m);
}

/* Bound by RLIMIT_AS in a cgroup near its size: RSS, the cgroup and VmSize
 * are three curves, each with its own points (the VmSize curve reused the
 * cgroup's buffer after freeing it: a use after free ASan reports). */
static void test_limit_curve_with_cgroup(void)
{
	struct model *m = model_new("h", 1000);
	struct cgroup_entity *c = model_cgroup_add(m, "/app");
	struct proc_entity *p = add_proc(m, 4242, 1, "u", "job", "job", "/app", 50 * MIB, GIB, "/app");
	struct limit v[2] = {
		{.kind = LIMIT_MACHINE, .limit_bytes = 18 * GIB, .used_bytes = 50 * MIB, .source = "machine",
		 .ttl_s = NAN, .ttl_lo_s = NAN, .ttl_hi_s = NAN},
		{.kind = LIMIT_RLIMIT_AS, .limit_bytes = GIB, .used_bytes = 930 * MIB, .source = "rlimit",
		 .ttl_s = 45, .ttl_lo_s = 35, .ttl_hi_s = 60, .imminent = true},
	};
	struct canvas *cv = canvas_new(80, 24);
	struct view_state vs;
	char *text;

	m->time_ms = WALL_NOW_MS;
	m->mono_ms = MONO_NOW_MS;
	c->s.exists = true;
	c->s.current_bytes = 60 * MIB;
	p->alive = true;
	fill_hist(&p->hist_rss, 300, 40 * MIB, 0.01 * MIB, 0, 0);
	fill_hist(&c->hist_current, 300, 50 * MIB, 0.01 * MIB, 0, 0);
	fill_hist(&p->hist_limit, 300, 300 * MIB, 0.1 * MIB, 0, 0);
	limit_state_set(&p->limits, v, 2, 1);
	p->hist_limit_kind = LIMIT_RLIMIT_AS;
	view_state_init(&vs, GLYPHS_UTF8);
	vs.view = VIEW_DETAIL;
	vs.detail_pid = 4242;
	view_screen_draw(cv, m, &vs);
	text = canvas_to_text(cv);
	CHECK(strstr(text, "\u28ffRSS \u28ffcgroup \u28ffVmSize") != NULL);
	free(text);
	view_state_done(&vs);
	canvas_free(cv);
	model_free(m);
}

int main(void)
{
	struct model *m;

	setenv("TZ", "UTC", 1);
	tzset();
	if (!setlocale(LC_CTYPE, "C.UTF-8") && !setlocale(LC_CTYPE, "en_US.UTF-8")) {
		printf("test_views: SKIP: no UTF-8 locale (C.UTF-8 or en_US.UTF-8) to measure glyph widths\n");
		return 77;
	}
	m = make_model();
	m->pss_enabled = true;
	screens(m, GLYPHS_UTF8, "");
	screens(m, GLYPHS_ASCII, "-ascii");
	screens(m, GLYPHS_ACS, "-acs");
	m->pss_enabled = false;
	test_sanitised(m);
	test_cursor_follows(m);
	test_filter(m);
	test_keys(m);
	test_sort_and_tree(m);
	test_sort_random();
	test_styles(m);
	test_formats();
	test_tiny(m);
	test_axis_labels(m);
	test_visible(m);
	test_plot_truth(m);
	model_free(m);
	test_cgroup_find();
	test_limit_curve_with_cgroup();
	return check_done("test_views");
}
