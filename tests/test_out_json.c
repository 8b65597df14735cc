/* test_out_json: golden JSON of a hand-built model; NDJSON whole lines,
 * rotation and delta lines. MEMSLOPE_UPDATE_EXPECTED=1 rewrites the golden. */
#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "model.h"
#include "out_json.h"
#include "out_ndjson.h"
#include "util.h"

static struct model *fixture_model(void)
{
	struct model *m = model_new("testhost", 1000);
	struct proc_entity *p;
	struct cgroup_entity *c;
	struct tree_entity *t;

	m->time_ms = 1795272604329;
	m->mono_ms = 100000;
	m->cgroup_version = "v2";
	m->sys.mem_total_bytes = 8LL << 30;
	m->sys.mem_available_bytes = 6LL << 30;
	m->sys.swap_total_bytes = 0;
	m->sys.swap_free_bytes = 0;
	m->sys.pressure.present = false;

	c = model_cgroup_add(m, "/a/b");
	c->s.version = CGROUP_V2;
	c->s.exists = true;
	c->s.current_bytes = 300LL << 20;
	c->s.max_bytes = MS_UNLIMITED;
	c->s.high_bytes = 400LL << 20;
	c->s.low_bytes = 0;
	c->s.min_bytes = 0;
	c->s.peak_bytes = MS_ABSENT; /* kernel without memory.peak */
	c->s.swap_current_bytes = 0;
	c->s.swap_max_bytes = MS_UNLIMITED;
	c->s.ev_low = c->s.ev_high = c->s.ev_max = c->s.ev_oom = c->s.ev_oom_kill = 0;
	c->s.ev_oom_group_kill = MS_ABSENT;
	c->s.v1_failcnt = c->s.v1_under_oom = c->s.v1_oom_kill_disable = MS_ABSENT;
	c->s.working_set_bytes = 280LL << 20;
	c->s.effective_limit_bytes = 512LL << 20;
	c->s.effective_limit_source = xstrdup("/a");
	c->s.effective_high_bytes = 400LL << 20;
	c->s.effective_high_source = xstrdup("/a/b");
	c->limit_bytes = 512LL << 20;
	c->limit_source = xstrdup(c->s.effective_limit_source);
	c->usage_pct = 300.0 / 512.0 * 100;

	p = model_proc_add(m, 4242, 12345);
	p->ppid = 1;
	p->start_time_ms = 1795272500000;
	p->uid = 1000;
	p->user = xstrdup("alice");
	p->name = xstrdup("python3");
	p->cmdline = xstrdup("python3 etl.py --day \"2026-11-21\"");
	p->cgroup = xstrdup("/a/b");
	p->state = 'S';
	p->threads = 3;
	p->rss_bytes = 200LL << 20;
	p->rss_anon_bytes = 190LL << 20;
	p->rss_file_bytes = 9LL << 20;
	p->rss_shmem_bytes = 1LL << 20;
	p->swap_bytes = 0;
	p->peak_rss_bytes = 210LL << 20;
	p->pss_bytes = MS_ABSENT; /* not sampled */
	p->uss_bytes = MS_ABSENT;
	p->oom_score = 700;
	p->oom_score_adj = 0;
	p->limit_bytes = 512LL << 20;
	p->limit_source = xstrdup(c->limit_source);
	p->usage_pct = 200.0 / 512.0 * 100;
	p->selected = true;

	t = model_tree_add(m, 4242, 12345);
	t->name = xstrdup("python3");
	t->n_procs = 1;
	t->pids = xmalloc(sizeof(pid_t));
	t->pids[0] = 4242;
	t->rss_bytes = 200LL << 20;
	t->anon_swap_bytes = 190LL << 20;
	t->swap_bytes = 0;
	t->pss_bytes = MS_ABSENT;
	t->peak_rss_bytes = 200LL << 20;
	t->limit_bytes = 512LL << 20;
	t->limit_source = xstrdup(c->limit_source);
	t->usage_pct = 200.0 / 512.0 * 100;

	model_event(m, EV_PROC_START, 4242, NULL, "process 4242 (python3) started");
	return m;
}

static void test_golden(void)
{
	struct model *m = fixture_model();
	json_t *doc = out_json_snapshot(m, true);
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	const char *dir = getenv("srcdir") ? getenv("srcdir") : ".";
	char *path = xasprintf("%s/tests/expected/snapshot.json", dir);
	char *want;

	/* The schema's rules the golden file must show. */
	CHECK(json_is_null(json_object_get(json_array_get(json_object_get(doc, "processes"), 0), "pss_bytes")));
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(doc, "cgroups"), 0),
						    "max_bytes")), "max");
	CHECK(json_is_null(json_object_get(json_array_get(json_object_get(doc, "cgroups"), 0), "peak_bytes")));
	if (getenv("MEMSLOPE_UPDATE_EXPECTED")) {
		FILE *f = fopen(path, "w");

		CHECK(f != NULL);
		if (f) {
			fprintf(f, "%s\n", text);
			fclose(f);
		}
	}
	want = util_read_file(path, NULL);
	CHECK(want != NULL);
	if (want) {
		size_t l = strlen(want);

		if (l && want[l - 1] == '\n')
			want[l - 1] = '\0';
		CHECK_STR(text, want);
	}
	free(want);
	free(path);
	free(text);
	json_decref(doc);
	model_free(m);
}

static size_t count_lines(const char *path)
{
	char *t = util_read_file(path, NULL);
	size_t n = 0;

	if (!t)
		return 0;
	for (char *p = t; *p; p++)
		n += *p == '\n';
	/* Whole lines only: the file ends with a newline. */
	CHECK(t[0] == '\0' || t[strlen(t) - 1] == '\n');
	free(t);
	return n;
}

static void test_delta_and_rotation(void)
{
	struct model *m = fixture_model();
	char dir[] = "/tmp/memslope-test-XXXXXX";
	char *path, *err = NULL, *rot;
	struct ndjson_log *l;
	json_t *line;
	json_error_t je;

	CHECK(mkdtemp(dir) != NULL);
	path = xasprintf("%s/log.ndjson", dir);
	l = ndjson_open(path, NDJSON_DELTA, 0, 3, &err);
	CHECK(l != NULL);
	CHECK(ndjson_write(l, m, &err) == 0);
	CHECK(ndjson_write(l, m, &err) == 0); /* nothing changed */
	m->procs[0]->rss_bytes += 4096;
	CHECK(ndjson_write(l, m, &err) == 0);
	ndjson_close(l);
	CHECK_I64(count_lines(path), 3);
	{
		char *t = util_read_file(path, NULL);
		char *second = strchr(t, '\n') + 1, *third = strchr(second, '\n') + 1;

		*strchr(second, '\n') = '\0';
		line = json_loads(second, 0, &je);
		CHECK_STR(json_string_value(json_object_get(line, "type")), "delta");
		CHECK_I64(json_array_size(json_object_get(line, "processes")), 0);
		json_decref(line);
		line = json_loads(third, 0, &je);
		CHECK_I64(json_array_size(json_object_get(line, "processes")), 1);
		CHECK_I64(json_array_size(json_object_get(line, "cgroups")), 0);
		json_decref(line);
		free(t);
	}
	unlink(path);

	/* Rotation: a 4 KiB cap keeps every file whole and starts each with a snapshot. */
	l = ndjson_open(path, NDJSON_SNAPSHOT, 4096, 2, &err);
	for (int i = 0; i < 10; i++)
		CHECK(ndjson_write(l, m, &err) == 0);
	ndjson_close(l);
	rot = xasprintf("%s.1", path);
	CHECK(count_lines(path) >= 1);
	CHECK(count_lines(rot) >= 1);
	unlink(rot);
	free(rot);
	rot = xasprintf("%s.2", path);
	CHECK(access(rot, F_OK) == 0);
	unlink(rot);
	free(rot);
	rot = xasprintf("%s.3", path);
	CHECK(access(rot, F_OK) != 0); /* --log-keep 2 */
	free(rot);
	unlink(path);
	rmdir(dir);
	free(path);
	model_free(m);
}

int main(void)
{
	test_golden();
	test_delta_and_rotation();
	return check_done("test_out_json");
}
