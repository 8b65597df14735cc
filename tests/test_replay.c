/* test_replay: the browser (--replay FILE) shows the re-analysis — at
 * every line, whichever way it got there, exactly what --replay FILE --log
 * writes for that line — never the verdicts recorded in the log; a
 * hand-written log (snapshot and delta lines, an incomplete last line)
 * replayed forward, backward and by time; bad files give one-line errors;
 * hostile lines never crash replay_parse_line. */
#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "model.h"
#include "out_ndjson.h"
#include "out_json.h"
#include "replay.h"
#include "util.h"

#define T0 1700000000000LL
#define MIB (1024LL * 1024)

static char dir[] = "/tmp/test_replay.XXXXXX";

/* The lines are written with ' for " to stay readable. */
static const char *const log_lines[] = {
	/* 1: snapshot at T0 */
	"{'schema':'memslope/1','type':'snapshot','time':'x','time_ms':1700000000000,'host':'h1',"
	"'interval_ms':1000,'cgroup_version':'v2','system':{'mem_total_bytes':8589934592,"
	"'mem_available_bytes':4294967296,'swap_total_bytes':0,'swap_free_bytes':0,'pressure':null},"
	"'self':{'cpu_pct':0.5,'rss_bytes':4194304,'sample_cost_us_per_process':2.0,'fds':5},"
	"'processes':["
	"{'pid':100,'ppid':1,'name':'leaky','cmdline':'leaky --x','user':'bob','uid':1000,"
	"'start_time_ms':1699999990000,'state':'S','threads':2,'cgroup':'/a','rss_bytes':10485760,"
	"'rss_anon_bytes':8388608,'swap_bytes':0,'pss_bytes':null,'limit_bytes':1073741824,"
	"'limit_source':'/a','usage_pct':1.0,'selected':true,'alive':true,"
	"'trend':{'verdict':'unknown','slope_bytes_per_s':null,'slope_ci_bytes_per_s':null,"
	"'window_s':null,'mk_z':null,'r2':null,'ttl_s':null,'ttl_band_s':null,'ttl_target':null,"
	"'oom_imminent':false}},"
	"{'pid':200,'ppid':100,'name':'child','cmdline':'child','user':'bob','uid':1000,"
	"'start_time_ms':1699999995000,'state':'R','cgroup':'/b','rss_bytes':20971520,"
	"'limit_source':'machine','alive':true,'selected':false,'trend':{'verdict':'stable'}}],"
	"'trees':[{'root_pid':100,'name':'leaky','pids':[100,200],'n_procs':2,'rss_bytes':31457280,"
	"'alive':true,'limit_source':'/a','trend':{'verdict':'unknown'}}],"
	"'cgroups':[{'path':'/a','version':2,'exists':true,'current_bytes':52428800,'max_bytes':'max',"
	"'high_bytes':null,'events':{'low':0,'high':0,'max':0,'oom':0,'oom_kill':0,'oom_group_kill':0},"
	"'v1':null,'stat':{'anon':1,'file':2,'bad key':3},'pressure':{'some_avg10':1.5,'some_avg60':1.0,"
	"'some_avg300':0.5,'some_total_us':10,'full_avg10':0.0,'full_avg60':0.0,'full_avg300':0.0,"
	"'full_total_us':0},'working_set_bytes':41943040,'effective_limit_bytes':1073741824,"
	"'effective_limit_source':'/a','effective_high_bytes':null,'effective_high_source':null,"
	"'usage_pct':4.9,'selected':true,'trend':{'verdict':'unknown'}},"
	"{'path':'/b','version':2,'exists':true,'current_bytes':20971520,'effective_limit_source':'machine',"
	"'selected':false,'trend':{'verdict':'stable'}}],"
	"'events':[{'time_ms':1700000000000,'time':'x','kind':'process_start','pid':100,"
	"'message':'process 100 (leaky) started'}]}",
	/* 2: delta, T0+1 s: 100 grows, a verdict */
	"{'schema':'memslope/1','type':'delta','time_ms':1700000001000,'host':'h1','interval_ms':1000,"
	"'processes':[{'pid':100,'start_time_ms':1699999990000,'rss_bytes':11534336,"
	"'trend':{'verdict':'growing','slope_bytes_per_s':1000.0,'slope_ci_bytes_per_s':[500,1500],"
	"'window_s':60,'mk_z':3.5,'r2':0.9,'ttl_s':600,'ttl_band_s':[300,null],'ttl_target':'max',"
	"'oom_imminent':false}}],'trees':[],'cgroups':[],"
	"'events':[{'time_ms':1700000001000,'kind':'verdict','pid':100,'message':'unknown -> growing'}]}",
	/* 3: delta, T0+2 s: 200 exits (and /b with it), /a grows */
	"{'schema':'memslope/1','type':'delta','time_ms':1700000002000,"
	"'processes':[{'pid':200,'start_time_ms':1699999995000,'alive':false}],'trees':[],"
	"'cgroups':[{'path':'/a','current_bytes':62914560}],'events':[]}",
	/* 4: delta, T0+3 s: nothing changed */
	"{'schema':'memslope/1','type':'delta','time_ms':1700000003000,'processes':[],'trees':[],"
	"'cgroups':[],'events':[]}",
	"",
	/* 6 (5th valid): delta, T0+15 s: 200's retention is over */
	"{'schema':'memslope/1','type':'delta','time_ms':1700000015000,"
	"'processes':[{'pid':100,'rss_bytes':12582912}],'trees':[],'cgroups':[],"
	"'events':[{'time_ms':1700000015000,'kind':'threshold','pid':100,'message':'warn'}]}",
	/* 7: snapshot, T0+70 s: only 100 and /a; the tree is gone */
	"{'schema':'memslope/1','type':'snapshot','time_ms':1700000070000,'host':'h2',"
	"'processes':[{'pid':100,'ppid':1,'name':'leaky','start_time_ms':1699999990000,"
	"'rss_bytes':13631488,'alive':true,'selected':true,'limit_source':'/a',"
	"'trend':{'verdict':'leak','slope_bytes_per_s':2000.0}}],'trees':[],"
	"'cgroups':[{'path':'/a','selected':true,'current_bytes':73400320}],'events':[]}",
	/* 8: delta, T0+71 s */
	"{'schema':'memslope/1','type':'delta','time_ms':1700000071000,"
	"'processes':[{'pid':100,'rss_bytes':14680064}],'trees':[],'cgroups':[],'events':[]}",
};

static char *quote(const char *s)
{
	char *t = xstrdup(s);

	for (char *p = t; *p; p++)
		if (*p == '\'')
			*p = '"';
	return t;
}

static char *write_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	return path;
}

static char *good_log(void)
{
	size_t cap = 1 << 16, n = 0;
	char *text = xmalloc(cap), *path;

	for (size_t i = 0; i < sizeof(log_lines) / sizeof(log_lines[0]); i++) {
		char *l = quote(log_lines[i]);

		n += (size_t)snprintf(text + n, cap - n, "%s\n", l);
		free(l);
	}
	/* Cut off mid-write. */
	snprintf(text + n, cap - n, "{\"schema\":\"memslope/1\",\"type\":\"delta\",\"time_ms\":17000000");
	path = write_file("good.ndjson", text);
	free(text);
	return path;
}

static size_t hist_points(const struct history *h, struct history_point *pts, size_t cap)
{
	return history_window(h, T0 - 1000, T0 + 1000000, pts, cap);
}

static void test_replay_moves(void)
{
	char *path = good_log(), *err = NULL;
	struct replay *r = replay_open(path, NULL, &err);
	struct model *m = model_new("x", 1000), *m2;
	struct history_point pts[64];
	const struct proc_entity *p;
	const struct cgroup_entity *c;
	const struct trend_result *tr;
	size_t n;

	CHECK(r != NULL);
	if (!r) {
		fprintf(stderr, "replay_open: %s\n", err);
		free(err);
		exit(1);
	}
	CHECK_I64((int64_t)replay_len(r), 7);
	CHECK(replay_note(r) && strstr(replay_note(r), "line 9 is incomplete"));
	/* The log's own verdicts are not this memslope's: said, not shown. */
	CHECK(replay_note(r) && strstr(replay_note(r), "recorded verdicts differ on 7 lines (first on line 1, "));

	/* The end first, as --replay opens. */
	CHECK(replay_seek(r, replay_len(r) - 1, m) == 0);
	CHECK_I64((int64_t)replay_pos(r), 6);
	CHECK_I64(m->time_ms, T0 + 71000);
	CHECK_I64(m->mono_ms, m->time_ms);
	CHECK_STR(m->host, "h2");
	CHECK_I64((int64_t)m->n_procs, 1);
	CHECK_I64((int64_t)m->n_trees, 0);
	p = model_proc_find(m, 100);
	CHECK(p && p->rss_bytes == 14 * MIB);
	/* Recorded: leak at 2000 B/s; seven samples are too few to say. */
	CHECK(p && trend_get(&p->trend)->verdict == TREND_UNKNOWN);
	CHECK(p && isnan(trend_get(&p->trend)->slope_bytes_per_s));
	/* History from before the snapshot: the rebuild starts at line 1. */
	n = p ? hist_points(&p->hist_rss, pts, 64) : 0;
	CHECK_I64((int64_t)n, 7);
	CHECK_I64(pts[n - 1].t_ms, T0 + 71000);
	CHECK_I64(pts[n - 1].mean_bytes, 14 * MIB);
	CHECK_I64(pts[0].t_ms, T0);
	CHECK_I64(pts[0].mean_bytes, 10 * MIB);
	/* The update stage's events, not the recorded ones ("warn"). */
	CHECK_I64((int64_t)m->ev_len, 1);
	CHECK_I64(model_event_at(m, 0)->time_ms, T0 + 2000);
	CHECK(model_event_at(m, 0)->kind == EV_PROC_EXIT);

	/* Back: a rebuild. */
	CHECK(replay_seek(r, 1, m) == 0);
	CHECK_I64(m->time_ms, T0 + 1000);
	CHECK_STR(m->host, "h1");
	CHECK_I64((int64_t)m->n_procs, 2);
	p = model_proc_find(m, 100);
	CHECK(p && p->rss_bytes == 11 * MIB && p->rss_anon_bytes == 8 * MIB);
	CHECK(p && p->pss_bytes == MS_ABSENT);
	CHECK(p && p->limit_source && strcmp(p->limit_source, "/a") == 0);
	/* No "analysis" recorded (an old log): no tree series. */
	CHECK(p && !p->tree && m->n_trees == 0);
	tr = p ? trend_get(&p->trend) : NULL;
	CHECK(tr && tr->verdict == TREND_UNKNOWN && isnan(tr->ttl_s)); /* recorded: growing, TTL 600 s */
	CHECK(p && hist_points(&p->hist_rss, pts, 64) == 2);
	CHECK_I64((int64_t)m->ev_len, 0);
	CHECK(m->pss_enabled == false);
	CHECK(m->cgroup_version && strcmp(m->cgroup_version, "v2") == 0);
	CHECK_I64(m->sys.mem_total_bytes, 8LL << 30);
	CHECK(!m->sys.pressure.present);
	CHECK_I64(m->self.n_fds, 5);
	c = model_cgroup_find(m, "/a");
	CHECK(c && c->s.max_bytes == MS_UNLIMITED && c->s.high_bytes == MS_ABSENT);
	CHECK(c && c->s.n_stat == 2 && cgroup_stat_get(&c->s, "file") == 2);
	CHECK(c && c->s.pressure.present && c->s.pressure.some_avg10 == 1.5);
	CHECK(c && c->limit_bytes == 1LL << 30 && c->s.effective_limit_bytes == 1LL << 30);
	CHECK(c && c->limit_source && strcmp(c->limit_source, "/a") == 0);
	CHECK(c && c->s.v1_failcnt == MS_ABSENT && c->s.ev_max == 0);
	c = model_cgroup_find(m, "/b");
	CHECK(c && c->s.effective_limit_bytes == MS_UNLIMITED);
	CHECK(c && trend_get(&c->trend)->verdict == TREND_UNKNOWN); /* recorded: stable */

	/* Forward by one: 200 exits; its cgroup is ended, kept (update.c). */
	CHECK(replay_seek(r, 2, m) == 0);
	p = model_proc_find(m, 200);
	CHECK(p && !p->alive && p->exit_ms == T0 + 2000);
	c = model_cgroup_find(m, "/b");
	CHECK(c && c->ended_ms >= 0);
	c = model_cgroup_find(m, "/a");
	CHECK(c && c->s.current_bytes == 60 * MIB && c->s.n_stat == 2);
	CHECK(c && hist_points(&c->hist_current, pts, 64) == 3);

	/* Past the retention: 200 is dropped; /b is kept a minute. */
	CHECK(replay_seek(r, 4, m) == 0);
	CHECK(model_proc_find(m, 200) == NULL);
	CHECK(model_cgroup_find(m, "/b") != NULL);
	p = model_proc_find(m, 100);
	CHECK(p && p->rss_bytes == 12 * MIB && trend_get(&p->trend)->verdict == TREND_UNKNOWN);
	CHECK(p && hist_points(&p->hist_rss, pts, 64) == 5);
	CHECK(replay_seek(r, 5, m) == 0);
	CHECK(model_cgroup_find(m, "/b") == NULL);
	CHECK(model_cgroup_find(m, "/a") != NULL);

	/* The same line on a fresh model gives the same state. */
	m2 = model_new("y", 1000);
	CHECK(replay_seek(r, 5, m2) == 0);
	CHECK_I64((int64_t)m2->n_procs, 1);
	p = model_proc_find(m2, 100);
	CHECK(p && p->rss_bytes == 13 * MIB && hist_points(&p->hist_rss, pts, 64) == 6);
	CHECK_I64((int64_t)m2->ev_len, 1);
	model_free(m2);

	/* Clamped, and by time. */
	CHECK(replay_seek(r, 1000, m) == 0);
	CHECK_I64((int64_t)replay_pos(r), 6);
	CHECK_I64((int64_t)replay_find_time(r, T0 - 5), 0);
	CHECK_I64((int64_t)replay_find_time(r, T0), 0);
	CHECK_I64((int64_t)replay_find_time(r, T0 + 1500), 2);
	CHECK_I64((int64_t)replay_find_time(r, T0 + 15000), 4);
	CHECK_I64((int64_t)replay_find_time(r, T0 + 69000), 5);
	CHECK_I64((int64_t)replay_find_time(r, T0 + 999999), 6);
	CHECK_I64(replay_time_ms(r, 3), T0 + 3000);

	replay_free(r);
	model_free(m);
	unlink(path);
	free(path);
}

/* A longer log (past several checkpoints): a process that exits, one that
 * starts, a snapshot line among the deltas, events. */
static char *long_log(size_t n)
{
	size_t cap = n * 1024 + 4096, len = 0;
	char *text = xmalloc(cap), *path;

	for (size_t i = 0; i < n; i++) {
		long long t = T0 + (long long)i * 1000;
		bool snap = i == 0 || i == 150;

		len += (size_t)snprintf(text + len, cap - len,
			"{\"schema\":\"memslope/1\",\"type\":\"%s\",\"time_ms\":%lld,\"mono_ms\":%lld,\"host\":\"h\","
			"\"cgroup_version\":\"v2\",\"processes\":[{\"pid\":100,\"start_time_ms\":1,\"name\":\"a\",\"cgroup\":\"/x\","
			"\"rss_bytes\":%lld,\"alive\":true,\"selected\":true,\"trend\":{\"verdict\":\"%s\"}}",
			snap ? "snapshot" : "delta", t, (long long)i * 1000 + 5000, (long long)(10 * MIB + (long long)i * 4096),
			i > 100 ? "growing" : "unknown");
		if (i <= 60 && (snap || i == 60 || i % 7 == 0))
			len += (size_t)snprintf(text + len, cap - len,
				",{\"pid\":300,\"start_time_ms\":2,\"name\":\"b\",\"cgroup\":\"/y\","
				"\"rss_bytes\":%lld,\"alive\":%s}", (long long)(MIB + (long long)i), i == 60 ? "false" : "true");
		if (i >= 120 && (snap || i == 120 || i % 5 == 0))
			len += (size_t)snprintf(text + len, cap - len,
				",{\"pid\":400,\"start_time_ms\":3,\"name\":\"c\",\"rss_bytes\":%lld,\"alive\":true}",
				(long long)(2 * MIB + (long long)i * 100));
		len += (size_t)snprintf(text + len, cap - len,
			"],\"trees\":[],\"cgroups\":[%s%s],\"events\":[%s]}\n",
			snap || i % 3 == 0 ? "{\"path\":\"/x\",\"current_bytes\":50000000,\"selected\":true}" : "",
			i == 0 ? ",{\"path\":\"/y\",\"current_bytes\":7000000}" : "",
			i % 10 == 0 ? "{\"kind\":\"info\",\"message\":\"tick\"}" : "");
	}
	path = write_file("long.ndjson", text);
	free(text);
	return path;
}

static char *model_text(const struct model *m)
{
	json_t *doc = out_json_snapshot(m, true);
	char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	struct history_point pts[256];

	json_decref(doc);
	/* Histories too: every point of every series; exit times. */
	for (size_t i = 0; i < m->n_procs; i++) {
		size_t n = hist_points(&m->procs[i]->hist_rss, pts, 256);
		char *more = xasprintf("%s|%d:%zu:%lld", text, (int)m->procs[i]->pid, n,
				       (long long)m->procs[i]->exit_ms);

		free(text);
		text = more;
		for (size_t k = 0; k < n; k++) {
			more = xasprintf("%s,%lld=%lld", text, (long long)pts[k].t_ms, (long long)pts[k].mean_bytes);
			free(text);
			text = more;
		}
	}
	return text;
}

/* Stepping forward line by line, seeking on a fresh model and seeking back
 * from the end (checkpoints + recorded points) give the same model. */
static void test_paths_agree(void)
{
	static const size_t at[] = {0, 1, 59, 60, 63, 64, 65, 69, 70, 71, 120, 127, 128, 150, 151, 199, 299};
	char *path = long_log(300), *err = NULL;
	struct replay *r = replay_open(path, NULL, &err), *r2 = replay_open(path, NULL, &err);
	struct model *step = model_new("x", 1000), *back = model_new("x", 1000);
	size_t next = 0;

	CHECK(r && r2 && replay_len(r) == 300);
	if (!r || !r2) {
		fprintf(stderr, "replay_open: %s\n", err);
		exit(1);
	}
	CHECK(replay_seek(r2, 299, back) == 0);
	for (size_t k = 0; k <= 299; k++) {
		CHECK(replay_seek(r, k, step) == 0);
		if (k != at[next])
			continue;
		next++;
		{
			struct model *fresh = model_new("x", 1000);
			char *a, *b, *c;

			CHECK(replay_seek(r2, k, back) == 0);
			CHECK(replay_seek(r2, k, fresh) == 0);
			a = model_text(step);
			b = model_text(back);
			c = model_text(fresh);
			CHECK(strcmp(a, b) == 0 && strcmp(a, c) == 0);
			if (strcmp(a, b) != 0 || strcmp(a, c) != 0)
				fprintf(stderr, "  line %zu:\n  step  %s\n  back  %s\n  fresh %s\n", k, a, b, c);
			free(a);
			free(b);
			free(c);
			model_free(fresh);
		}
	}
	/* 300 exited at line 60 and is gone 10 s later; its cgroup a minute later. */
	CHECK(replay_seek(r2, 69, back) == 0 && model_proc_find(back, 300) != NULL);
	CHECK(replay_seek(r2, 70, back) == 0 && model_proc_find(back, 300) == NULL);
	CHECK(model_cgroup_find(back, "/y") != NULL && model_cgroup_find(back, "/x") != NULL);
	CHECK(replay_seek(r2, 130, back) == 0 && model_cgroup_find(back, "/y") == NULL);
	/* The update stage's events: exits and starts, not the log's "tick"s. */
	CHECK(replay_seek(r2, 299, back) == 0 && back->ev_len == 2);
	for (size_t i = 0; i < back->ev_len; i++)
		CHECK(strcmp(model_event_at(back, i)->message, "tick") != 0);
	model_free(step);
	model_free(back);
	replay_free(r);
	replay_free(r2);
	unlink(path);
	free(path);
}

/* ---- the browser shows the re-analysis: what --replay --log writes ---- */

#define GEN_EXIT(n) ((n) / 2)      /* the tree's root (100) exits */
#define GEN_RM(n) ((n) / 3)        /* /tmp1's process exits a line before; /tmp1 is removed */

/* A log as a live run writes it, with every recorded verdict set to
 * verdict (the re-analysis must not use them): a leaking tree root (100,
 * 1 MiB/s, in /job) with a flat child (101) that outlives it, a sawtooth
 * (200), a growing process (300) in /tmp1 that exits before /tmp1 is
 * removed, and n_flat flat processes in /flat. Line 0 is a snapshot, the
 * rest deltas; a process is written on every line while it lives (values
 * move), its exit once (alive false). */
static char *gen_log(const char *name, size_t n, int n_flat, const char *verdict)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(1);
	}
	for (size_t i = 0; i < n; i++) {
		long long t = T0 + (long long)i * 1000, mono = (long long)i * 1000 + 5000;
		size_t ex = GEN_EXIT(n), rm = GEN_RM(n);
		bool first = true;

#define PROC(pid, ppid, nm, cg, start, anon, sel, alive)                                                 \
	do {                                                                                              \
		fprintf(f, "%s{\"pid\":%d,\"ppid\":%d,\"name\":\"%s\",\"cmdline\":\"%s -x\",\"user\":\"u\","  \
			"\"uid\":1000,\"start_time_ms\":%lld,\"state\":\"S\",\"threads\":1,\"cgroup\":\"%s\","  \
			"\"rss_bytes\":%lld,\"rss_anon_bytes\":%lld,\"rss_file_bytes\":1048576,"                \
			"\"rss_shmem_bytes\":0,\"swap_bytes\":0,\"selected\":%s,\"alive\":%s,"                   \
			"\"trend\":{\"verdict\":\"%s\"}}",                                                        \
			first ? "" : ",", pid, ppid, nm, nm, (long long)(start), cg,                               \
			(long long)(anon) + MIB, (long long)(anon), (sel) ? "true" : "false",                      \
			(alive) ? "true" : "false", verdict);                                                      \
		first = false;                                                                            \
	} while (0)
		fprintf(f, "{\"schema\":\"memslope/1\",\"type\":\"%s\",\"time_ms\":%lld,\"mono_ms\":%lld,"
			"\"host\":\"g\",\"interval_ms\":1000,\"cgroup_version\":\"v2\",\"analysis\":{"
			"\"everything\":false,\"trees\":true,\"launch_pid\":null,\"warn_pct\":80,\"crit_pct\":90},"
			"\"system\":{\"mem_total_bytes\":17179869184,\"mem_available_bytes\":8589934592,"
			"\"swap_total_bytes\":0,\"swap_free_bytes\":0},\"processes\":[",
			i ? "delta" : "snapshot", t, mono);
		if (i < ex)
			PROC(100, 1, "leaky", "/job", T0 - 9000, 50 * MIB + (long long)i * MIB, true, true);
		else if (i == ex)
			PROC(100, 1, "leaky", "/job", T0 - 9000, 50 * MIB + (long long)i * MIB, true, false);
		PROC(101, i < ex ? 100 : 1, "child", "/job", T0 - 8000, 20 * MIB + (long long)(i % 5) * 4096,
		     false, true);
		PROC(200, 1, "saw", "/job", T0 - 7000, 100 * MIB + (long long)(i % 60) * MIB, true, true);
		if (i + 1 < rm)
			PROC(300, 1, "temp", "/tmp1", T0 - 6000, 30 * MIB + (long long)i * 204800, true, true);
		else if (i + 1 == rm)
			PROC(300, 1, "temp", "/tmp1", T0 - 6000, 30 * MIB + (long long)i * 204800, true, false);
		for (int k = 0; k < n_flat; k++)
			PROC(400 + k, 1, "flat", "/flat", T0 - 5000, 10 * MIB + k * MIB + (long long)((i * 7 + (size_t)k) % 3) * 4096,
			     true, true);
#undef PROC
		fprintf(f, "],\"trees\":[],\"cgroups\":[");
		fprintf(f, "{\"path\":\"/job\",\"version\":2,\"exists\":true,\"current_bytes\":%lld,"
			"\"max_bytes\":4294967296,\"high_bytes\":\"max\",\"working_set_bytes\":%lld,"
			"\"selected\":false,\"trend\":{\"verdict\":\"%s\"}}",
			(long long)(200 * MIB + (long long)i * MIB), (long long)(200 * MIB + (long long)i * MIB), verdict);
		if (i < rm || i == rm)
			fprintf(f, ",{\"path\":\"/tmp1\",\"version\":2,\"exists\":%s,\"current_bytes\":%lld,"
				"\"max_bytes\":\"max\",\"working_set_bytes\":%lld,\"selected\":false,"
				"\"trend\":{\"verdict\":\"%s\"}}",
				i < rm ? "true" : "false", i < rm ? 30 * MIB + (long long)i * 204800 : 0LL,
				i < rm ? 30 * MIB + (long long)i * 204800 : 0LL, verdict);
		if (i == 0)
			fprintf(f, ",{\"path\":\"/flat\",\"version\":2,\"exists\":true,\"current_bytes\":%lld,"
				"\"max_bytes\":\"max\",\"working_set_bytes\":%lld,\"selected\":false}",
				(long long)(n_flat * 12 * MIB), (long long)(n_flat * 12 * MIB));
		fprintf(f, "],\"events\":[]}\n");
	}
	if (fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	return path;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *trend_text(const struct trend *t)
{
	json_t *o = out_json_trend(trend_get(t));
	char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(o);
	return s;
}

/* What the analysis says at the model's line: each entity (sorted) with its
 * verdict, slope, TTL and the rest of its trend, and the line's events. */
static char *analysis_text(const struct model *m)
{
	size_t n = m->n_procs + m->n_trees + m->n_cgroups, k = 0;
	char **v = xcalloc(n + 1, sizeof(*v)), *s = xstrdup(""), *t;

	for (size_t i = 0; i < m->n_procs; i++) {
		char *tr = trend_text(&m->procs[i]->trend);

		v[k++] = xasprintf("p%d/%lld %s %s", (int)m->procs[i]->pid, (long long)m->procs[i]->start_time_ms,
				   m->procs[i]->alive ? "alive" : "dead", tr);
		free(tr);
	}
	for (size_t i = 0; i < m->n_trees; i++) {
		char *tr = trend_text(&m->trees[i]->trend);

		v[k++] = xasprintf("t%d %zu %lld %s", (int)m->trees[i]->root_pid, m->trees[i]->n_procs,
				   (long long)m->trees[i]->rss_bytes, tr);
		free(tr);
	}
	for (size_t i = 0; i < m->n_cgroups; i++) {
		char *tr = trend_text(&m->cgroups[i]->trend);

		v[k++] = xasprintf("c%s %s %s %s", m->cgroups[i]->s.path, m->cgroups[i]->s.exists ? "exists" : "gone",
				   m->cgroups[i]->ended_ms >= 0 ? "ended" : "live", tr);
		free(tr);
	}
	qsort(v, k, sizeof(*v), cmp_str);
	for (size_t i = 0; i < k; i++) {
		t = xasprintf("%s%s\n", s, v[i]);
		free(s);
		free(v[i]);
		s = t;
	}
	free(v);
	for (size_t i = 0; i < m->ev_len; i++) {
		const struct event *e = model_event_at(m, i);

		if (e->time_ms != m->time_ms)
			continue;
		t = xasprintf("%sevent %s\n", s, e->message);
		free(s);
		s = t;
	}
	return s;
}

/* --replay FILE --log OUT (replay_relog) over log, as full lines: texts[i]
 * is analysis_text of line i as written. Also writes the delta log to
 * delta_out when not NULL. Returns the number of lines. */
static size_t relog_texts(const char *log, char ***texts, const char *delta_out)
{
	char *err = NULL, *full = xasprintf("%s.full", log), *line = NULL;
	struct replay *r = replay_open(log, &(struct replay_open_opts){.index_only = true}, &err);
	struct ndjson_log *l = ndjson_open(full, NDJSON_SNAPSHOT, 0, 1, (gid_t)-1, &err);
	size_t n = 0, cap = 0;
	ssize_t len;
	FILE *f;

	if (!r || !l || replay_relog(r, l, 80, 90, &err) < 0) {
		fprintf(stderr, "relog: %s\n", err ? err : "?");
		exit(1);
	}
	ndjson_close(l);
	if (delta_out) {
		l = ndjson_open(delta_out, NDJSON_DELTA, 0, 1, (gid_t)-1, &err);
		if (!l || replay_relog(r, l, 80, 90, &err) < 0) {
			fprintf(stderr, "relog: %s\n", err ? err : "?");
			exit(1);
		}
		ndjson_close(l);
	}
	replay_free(r);
	*texts = NULL;
	f = fopen(full, "r");
	while (f && (len = getline(&line, &cap, f)) > 0) {
		/* A snapshot line is the whole model: parsed alone, nothing to infer. */
		struct model *m = model_new("x", 1000);

		CHECK(replay_parse_line(line, (size_t)len, m) == 0);
		*texts = xrealloc(*texts, (n + 1) * sizeof(**texts));
		(*texts)[n++] = analysis_text(m);
		model_free(m);
	}
	if (f)
		fclose(f);
	free(line);
	unlink(full);
	free(full);
	return n;
}

/* The browser at line i shows what --replay --log writes for line i:
 * stepping forward, stepping back from the end, and jumping around. */
static size_t browse_matches(const char *log, char **texts, size_t n, const char **note)
{
	char *err = NULL;
	struct replay *r = replay_open(log, NULL, &err);
	struct model *m = model_new("x", 1000);
	size_t same = 0, visits = 0;
	uint32_t seed = 7;

	if (!r) {
		fprintf(stderr, "replay_open: %s\n", err);
		exit(1);
	}
	CHECK_I64((int64_t)replay_len(r), (int64_t)n);
	*note = replay_note(r) ? xstrdup(replay_note(r)) : NULL;
	for (size_t pass = 0; pass < 3; pass++) {
		for (size_t k = 0; k < n; k++) {
			size_t i = pass == 0 ? k : pass == 1 ? n - 1 - k : (seed = seed * 1103515245u + 12345u, (seed >> 8) % n);
			char *a;

			/* Back by one past two checkpoints, then 150 jumps. */
			if ((pass == 1 && k >= 140) || (pass == 2 && k >= 150))
				break;
			CHECK(replay_seek(r, i, m) == 0);
			a = analysis_text(m);
			visits++;
			if (strcmp(a, texts[i]) == 0)
				same++;
			else if (visits - same < 3)
				fprintf(stderr, "  line %zu (pass %zu):\n  browser %s\n  relog   %s\n", i, pass, a, texts[i]);
			free(a);
		}
	}
	model_free(m);
	replay_free(r);
	return visits - same;
}

/* s with every from replaced by to (a new string); *n counts them. */
static char *replace_all(const char *s, const char *from, const char *to, int *n)
{
	char *out = xstrdup(""), *t;
	const char *p;

	while ((p = strstr(s, from))) {
		t = xasprintf("%s%.*s%s", out, (int)(p - s), s, to);
		free(out);
		out = t;
		s = p + strlen(from);
		(*n)++;
	}
	t = xasprintf("%s%s", out, s);
	free(out);
	return t;
}

static bool has_entity(const char *text, const char *prefix)
{
	char *p = xasprintf("\n%s", prefix), *q = xasprintf("%s", prefix);
	bool yes = strstr(text, p) || strncmp(text, q, strlen(q)) == 0;

	free(p);
	free(q);
	return yes;
}

static void test_browser_is_relog(void)
{
	const size_t n = 300, ex = GEN_EXIT(n), rm = GEN_RM(n);
	char *path = gen_log("gen.ndjson", n, 3, "shrinking"), *delta = xasprintf("%s/relog.ndjson", dir);
	char **texts, *edited_path;
	const char *note = NULL;
	size_t got = relog_texts(path, &texts, delta);

	CHECK_I64((int64_t)got, (int64_t)n);
	/* The re-analysis says something: the leak, the tree's end, /tmp1's. */
	CHECK(strstr(texts[ex - 1], "p100/1699999991000 alive {\"mk_z\":6.98"));
	CHECK(strstr(texts[ex - 1], "\"verdict\":\"growing\"") || strstr(texts[ex - 1], "\"verdict\":\"leak\""));
	CHECK(has_entity(texts[ex - 1], "t100 2 "));
	CHECK(!has_entity(texts[ex + 1], "t100 "));                 /* the tree went with its root */
	CHECK(strstr(texts[ex + 1], "p100/1699999991000 dead"));
	CHECK(!strstr(texts[ex + 12], "p100/"));                    /* the dead root's retention is over */
	CHECK(has_entity(texts[rm], "c/tmp1 gone ended"));          /* /tmp1 removed: kept, ended */
	CHECK(!has_entity(texts[rm + 61], "c/tmp1 "));               /* ...for UPDATE_CGROUP_RETENTION_MS */
	CHECK(!strstr(texts[n - 1], "shrinking"));                  /* no recorded verdict got through */

	/* The log's verdicts (all "shrinking") differ; the browser shows the
	 * re-analysis on every line, whichever way it gets there. */
	CHECK_I64((int64_t)browse_matches(path, texts, n, &note), 0);
	CHECK(note && strstr(note, "recorded verdicts differ on") && strstr(note, "recorded shrinking"));
	free((char *)note);

	/* The re-analysis as a log (its verdicts are right): same screens, no note. */
	CHECK_I64((int64_t)browse_matches(delta, texts, n, &note), 0);
	CHECK(note == NULL);
	free((char *)note);

	/* That log with its verdicts edited: the browser still shows the
	 * re-analysis, and says that the log's verdicts differ. */
	{
		FILE *in = fopen(delta, "r"), *out;
		char *line = NULL;
		size_t cap = 0;
		ssize_t len;
		int edits = 0;

		edited_path = xasprintf("%s/edited.ndjson", dir);
		out = fopen(edited_path, "w");
		while (in && out && (len = getline(&line, &cap, in)) > 0) {
			char *e1 = replace_all(line, "\"verdict\":\"leak\"", "\"verdict\":\"stable\"", &edits);
			char *e2 = replace_all(e1, "\"verdict\":\"growing\"", "\"verdict\":\"stable\"", &edits);

			fputs(e2, out);
			free(e1);
			free(e2);
		}
		free(line);
		if (in)
			fclose(in);
		if (out)
			fclose(out);
		CHECK(edits > 10);
	}
	CHECK_I64((int64_t)browse_matches(edited_path, texts, n, &note), 0);
	CHECK(note && strstr(note, "recorded verdicts differ on"));
	free((char *)note);

	for (size_t i = 0; i < got; i++)
		free(texts[i]);
	free(texts);
	unlink(path);
	unlink(delta);
	unlink(edited_path);
	free(path);
	free(delta);
	free(edited_path);
}

static double clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

/* MEMSLOPE_REPLAY_BENCH=LINES: the browser on a generated log of LINES
 * samples at 1 s (55 processes): the time to open (the re-analysis) and to
 * seek, printed; nothing checked (timings depend on the machine). */
static void bench(size_t n)
{
	char *path = gen_log("bench.ndjson", n, 50, "unknown"), *err = NULL;
	struct model *m = model_new("x", 1000);
	double t0 = now_ms(), c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID), worst[4] = {0}, sum[4] = {0};
	struct replay *r = replay_open(path, NULL, &err);
	double open_ms = now_ms() - t0, open_cpu_ms = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
	static const char *const what[] = {"back by one (Left)", "forward by one (Right)", "a minute back ([)",
					    "anywhere (random)"};
	uint32_t seed = 1;
	struct stat st;

	if (!r) {
		fprintf(stderr, "replay_open: %s\n", err);
		exit(1);
	}
	stat(path, &st);
	CHECK(replay_seek(r, n - 1, m) == 0);
	for (int kind = 0; kind < 4; kind++) {
		for (int k = 0; k < 200; k++) {
			size_t pos = replay_pos(r), to;
			double t;

			seed = seed * 1103515245u + 12345u;
			to = kind == 0 ? (pos ? pos - 1 : n - 1) : kind == 1 ? (pos + 1 < n ? pos + 1 : 0)
			     : kind == 2 ? (pos >= 60 ? pos - 60 : n - 1) : (seed >> 8) % n;
			t = now_ms();
			CHECK(replay_seek(r, to, m) == 0);
			t = now_ms() - t;
			sum[kind] += t;
			if (t > worst[kind])
				worst[kind] = t;
		}
	}
	printf("log: %zu lines at 1 s, %.1f MiB; open (re-analysis): %.0f ms (%.0f ms CPU)\n", n,
	       (double)st.st_size / MIB, open_ms, open_cpu_ms);
	for (int kind = 0; kind < 4; kind++)
		printf("seek %-22s mean %6.2f ms  max %6.2f ms  (200 seeks)\n", what[kind], sum[kind] / 200,
		       worst[kind]);
	model_free(m);
	replay_free(r);
	if (getenv("MEMSLOPE_REPLAY_BENCH_KEEP"))
		printf("kept: %s\n", path); /* for timing other binaries on it */
	else
		unlink(path);
	free(path);
}

/* name, content, what the one-line error must mention */
static const struct {
	const char *name, *text, *want;
} bad_files[] = {
	{"empty", "", "is empty"},
	{"blank", "\n \n", "is empty"},
	{"text", "hello\n", "line 1 is not a memslope/1 log line"},
	{"delta-first", "{'schema':'memslope/1','type':'delta','time_ms':1}\n", "line 1"},
	{"other-schema", "{'schema':'memslope/2','time_ms':1}\n", "line 1"},
	{"postmortem", "{'schema':'memslope/1','type':'postmortem','time_ms':1}\n", "line 1"},
	{"no-time", "{'schema':'memslope/1','type':'snapshot'}\n", "time_ms"},
	{"all-bad", "hello\n{'schema':'memslope/1','time_ms':\n{'schema':'memslope/1','type':'delta','time_ms':3}\n",
		    "), and 2 more bad lines: nothing to replay"},
	{"only-partial", "{'schema':'memslope/1','time_ms':1", "line 1"},
	{"escape", "\x1b]0;pwned\x07\n", "line 1"},
};

static void test_bad_files(void)
{
	char *err = NULL;
	struct replay *r;

	for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		char *text = quote(bad_files[i].text), *path = write_file(bad_files[i].name, text);

		r = replay_open(path, NULL, &err);
		CHECK(r == NULL);
		CHECK(err && strstr(err, bad_files[i].want));
		CHECK(err && !strchr(err, '\n') && !strchr(err, '\x1b'));
		if (!err || !strstr(err, bad_files[i].want))
			fprintf(stderr, "  %s: %s\n", bad_files[i].name, err ? err : "(no error)");
		replay_free(r);
		free(err);
		err = NULL;
		unlink(path);
		free(path);
		free(text);
	}
	r = replay_open("/nonexistent/replay.ndjson", NULL, &err);
	CHECK(r == NULL && err && strstr(err, "cannot open"));
	free(err);
	r = replay_open(dir, NULL, &err);
	CHECK(r == NULL && err && strstr(err, "cannot read"));
	free(err);
	/* A file without its final newline is fine when the line is whole. */
	{
		char *path = write_file("nonl", "{\"schema\":\"memslope/1\",\"time_ms\":5}");

		err = NULL;
		r = replay_open(path, NULL, &err);
		CHECK(r && replay_len(r) == 1 && !replay_note(r));
		replay_free(r);
		free(err);
		unlink(path);
		free(path);
	}
}

/* Bad lines anywhere are skipped and counted (issue 19): the log is
 * refused only when no line is usable. name, content, usable lines, note. */
static const struct {
	const char *name, *text;
	size_t n_lines;
	const char *note;
} skipped_files[] = {
	{"bad-middle", "{'schema':'memslope/1','time_ms':1}\n\n{'schema':'memslope/1','time_ms':\n"
		       "{'schema':'memslope/1','time_ms':3}\n", 2, "1 bad line skipped, first: line 3 is not"},
	{"glued", "{'schema':'memslope/1','time_ms':1}\n{'schema':'memslope/1','ti{'schema':'memslope/1','time_ms':2}\n"
		  "{'schema':'memslope/1','type':'delta','time_ms':3}\n", 2, "first: line 2 is not"},
	{"delta-before-snapshot", "{'schema':'memslope/1','type':'delta','time_ms':1}\nnoise\n"
				  "{'schema':'memslope/1','time_ms':2}\n", 1, "2 bad lines skipped, first: line 1"},
	{"cut-with-newline", "{'schema':'memslope/1','time_ms':1}\n{'schema':'memslope/1','time_ms':2}\n"
			     "{'schema':'memslope/1','ti\n", 2, "1 bad line skipped, first: line 3"},
	{"cut-no-newline", "{'schema':'memslope/1','time_ms':1}\n{'schema':'memslope/1','ti", 1,
			   "line 2 is incomplete: skipped"},
};

static void test_skipped_lines(void)
{
	for (size_t i = 0; i < sizeof(skipped_files) / sizeof(skipped_files[0]); i++) {
		char *text = quote(skipped_files[i].text), *path = write_file(skipped_files[i].name, text);
		char *err = NULL;
		struct replay *r = replay_open(path, NULL, &err);
		struct model *m = model_new("t", 1000);

		CHECK(r != NULL && !err);
		CHECK(r && replay_len(r) == skipped_files[i].n_lines);
		CHECK(r && replay_note(r) && strstr(replay_note(r), skipped_files[i].note));
		CHECK(r && replay_seek(r, replay_len(r) - 1, m) == 0);
		if (!r || !replay_note(r) || !strstr(replay_note(r), skipped_files[i].note))
			fprintf(stderr, "  %s: %s\n", skipped_files[i].name,
				r ? (replay_note(r) ? replay_note(r) : "(no note)") : err);
		model_free(m);
		replay_free(r);
		free(err);
		unlink(path);
		free(path);
		free(text);
	}
}

/* Wrong types and ranges everywhere: ignored field by field. */
static const char odd_line[] =
	"{\"schema\":\"memslope/1\",\"time_ms\":1,\"processes\":[{\"pid\":-4},"
	"{\"pid\":7,\"rss_bytes\":-1,\"state\":\"\\u001b\",\"trend\":[]},"
	"{\"pid\":8,\"name\":null,\"user\":7}],\"trees\":[{\"root_pid\":8,\"pids\":"
	"[\"x\",-1,8]}],\"cgroups\":[{\"path\":\"\"},{\"path\":7},{\"path\":\"/c\","
	"\"stat\":[1],\"events\":3}],\"events\":[{\"kind\":\"nope\"},7]}";

/* Every prefix and a run of byte flips of every line: never a crash, and a
 * rejected line leaves the model as it was. */
static void test_hostile(void)
{
	struct model *m = model_new("x", 1000);
	uint32_t seed = 12345;
	size_t ok = 0;

	for (size_t i = 0; i < sizeof(log_lines) / sizeof(log_lines[0]); i++) {
		char *l = quote(log_lines[i]);
		size_t len = strlen(l);

		for (size_t k = 0; k < len; k++) {
			size_t n_procs = m->n_procs;
			int64_t t = m->time_ms;

			if (replay_parse_line(l, k, m) < 0)
				CHECK(m->n_procs == n_procs && m->time_ms == t);
		}
		for (int k = 0; k < 400 && len; k++) {
			char *mut = xstrdup(l);

			for (int f = 0; f < 3; f++) {
				seed = seed * 1103515245u + 12345u;
				mut[(seed >> 8) % len] = (char)(seed >> 20);
			}
			ok += replay_parse_line(mut, len, m) == 0;
			free(mut);
		}
		free(l);
	}
	CHECK(ok > 0);
	CHECK(replay_parse_line(NULL, 0, m) == -1);
	CHECK(replay_parse_line(odd_line, strlen(odd_line), m) == 0);
	{
		const struct proc_entity *p = model_proc_find(m, 7), *q = model_proc_find(m, 8);

		CHECK(p && p->rss_bytes == MS_ABSENT && p->state == '?');
		CHECK(q && q->name && q->user && q->tree && q->tree->n_procs == 1);
		CHECK(model_proc_find(m, -4) == NULL && m->n_cgroups == 1);
	}
	model_free(m);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	if (getenv("MEMSLOPE_REPLAY_BENCH")) {
		bench((size_t)strtoul(getenv("MEMSLOPE_REPLAY_BENCH"), NULL, 10));
		rmdir(dir);
		return check_done("test_replay (bench)");
	}
	test_replay_moves();
	test_paths_agree();
	test_browser_is_relog();
	test_bad_files();
	test_skipped_lines();
	test_hostile();
	rmdir(dir);
	return check_done("test_replay");
}
