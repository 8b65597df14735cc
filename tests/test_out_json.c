/* test_out_json: golden JSON of a hand-built model; NDJSON whole lines,
 * rotation and delta lines. MEMSLOPE_UPDATE_EXPECTED=1 rewrites the golden. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "model.h"
#include "out_json.h"
#include "out_ndjson.h"
#include "util.h"

#define DOCKER_ID "3f9a1c0e7b2d4a58c6e1f0b9d8a7c6e5f4d3c2b1a0918273645546372819a0b1"

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
	p->vm_size_bytes = 700LL << 20;
	p->vm_data_bytes = 600LL << 20;
	{
		struct limit_input in = {
			.cgroup_max_bytes = 512LL << 20, .cgroup_max_source = "/a",
			.cgroup_high_bytes = MS_UNLIMITED, .cgroup_used_bytes = 300LL << 20,
			.machine_bytes = 8LL << 30, .machine_used_bytes = 200LL << 20,
			.rl = {1LL << 30, MS_UNLIMITED, MS_UNLIMITED, MS_UNLIMITED},
			.vm_size_bytes = 700LL << 20, .vm_data_bytes = 600LL << 20,
			.address_bits = 64, .overcommit_mode = 0,
		};
		struct trend_result r = {.ttl_s = 30, .ttl_lo_s = 20, .ttl_hi_s = INFINITY,
					 .ttl_max_s = 30, .ttl_target = TTL_MAX};

		limit_state_update(&p->limits, &in, &(struct limit_trends){&r, NULL, NULL}, 0);
	}
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
	model_event(m, EV_LIMIT_IMMINENT, 4242, NULL, "process 4242 (python3): rlimit_as within 90 s");
	model_event_limit(m, LIMIT_RLIMIT_AS);
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
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(doc, "processes"), 0),
						    "binding_limit")), "cgroup_max");
	CHECK_I64(json_array_size(json_object_get(json_array_get(json_object_get(doc, "processes"), 0), "limits")), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(doc, "events"), 1), "limit")),
		  "rlimit_as");
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
	l = ndjson_open(path, NDJSON_DELTA, 0, 3, (gid_t)-1, &err);
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
	l = ndjson_open(path, NDJSON_SNAPSHOT, 4096, 2, (gid_t)-1, &err);
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

/* One change to one value of one entity (k = 0, 1, ...); false when k is
 * past the last. Each is a value the log line must follow. */
static bool mutate(struct model *m, int k)
{
	struct proc_entity *p = m->procs[0];
	struct tree_entity *t = m->trees[0];
	struct cgroup_entity *c = m->cgroups[0];
	struct trend_result *pr = &p->trend.result, *tr = &t->trend.result, *cr = &c->trend.result;

	switch (k) {
	case 0: p->ppid = 2; break;
	case 1: model_set_str(&p->name, "python3.11"); break;
	case 2: model_set_str(&p->cmdline, "python3 etl.py --day \"2026-11-22\""); break;
	case 3: model_set_str(&p->user, "bob"); break;
	case 4: p->uid = 1001; break;
	case 5: p->start_time_ms++; break;
	case 6: p->state = 'R'; break;
	case 7: p->state = '?'; break;
	case 8: p->threads = MS_ABSENT; break;
	case 9: model_set_str(&p->cgroup, "/a/c"); break;
	case 10: p->rss_bytes += 4096; break;
	case 11: p->rss_anon_bytes = MS_ABSENT; break;
	case 12: p->rss_file_bytes -= 4096; break;
	case 13: p->rss_shmem_bytes = 0; break;
	case 14: p->swap_bytes = 8192; break;
	case 15: p->peak_rss_bytes += 1; break;
	case 16: p->pss_bytes = 150LL << 20; break;
	case 17: p->uss_bytes = 140LL << 20; break;
	case 18: p->oom_score = 701; break;
	case 19: p->oom_score_adj = -500; break;
	case 20: p->limit_bytes = MS_UNLIMITED; break;
	case 21: model_set_str(&p->limit_source, "machine"); break;
	case 22: p->usage_pct = NAN; break;
	case 23: p->usage_pct = 12.5; break;
	case 24: p->selected = false; break;
	case 25: p->alive = false; break;
	case 26: pr->verdict = TREND_GROWING; break;
	case 27: pr->slope_bytes_per_s = 1000.5; break;
	case 28: pr->slope_lo_bytes_per_s = 900; pr->slope_hi_bytes_per_s = 1100; break;
	case 29: pr->slope_hi_bytes_per_s = 1200; break;
	case 30: pr->window_s = 48; break;
	case 31: pr->mk_z = 3.25; break;
	case 32: pr->r2 = 0.99; break;
	case 33: pr->ttl_s = 600; pr->ttl_lo_s = 500; pr->ttl_hi_s = INFINITY; break;
	case 34: pr->ttl_hi_s = 700; break;
	case 35: pr->ttl_target = TTL_HIGH; break;
	case 36: pr->ttl_target = TTL_MAX; break;
	case 37: pr->oom_imminent = true; break;
	case 38: model_set_str(&t->name, "python"); break;
	case 39:
		t->pids = xrealloc(t->pids, 2 * sizeof(pid_t));
		t->pids[1] = 4243;
		t->n_procs = 2;
		break;
	case 40: t->pids[1] = 4244; break;
	case 41: t->rss_bytes += 4096; break;
	case 42: t->anon_swap_bytes += 4096; break;
	case 43: t->swap_bytes = MS_ABSENT; break;
	case 44: t->pss_bytes = 1; break;
	case 45: t->peak_rss_bytes += 4096; break;
	case 46: t->limit_bytes = 1LL << 30; break;
	case 47: model_set_str(&t->limit_source, "/a/b"); break;
	case 48: t->usage_pct = 1.5; break;
	case 49: t->alive = false; break;
	case 50: tr->verdict = TREND_LEAK; tr->slope_bytes_per_s = 5; break;
	case 51: c->s.exists = false; break;
	case 52: c->s.current_bytes += 4096; break;
	case 53: c->s.max_bytes = 1LL << 30; break;
	case 54: c->s.high_bytes = MS_UNLIMITED; break;
	case 55: c->s.low_bytes = MS_ABSENT; break;
	case 56: c->s.min_bytes = 4096; break;
	case 57: c->s.peak_bytes = 310LL << 20; break;
	case 58: c->s.swap_current_bytes = 4096; break;
	case 59: c->s.swap_max_bytes = 0; break;
	case 60: c->s.ev_low = 1; break;
	case 61: c->s.ev_high = 2; break;
	case 62: c->s.ev_max = 3; break;
	case 63: c->s.ev_oom = 4; break;
	case 64: c->s.ev_oom_kill = 5; break;
	case 65: c->s.ev_oom_group_kill = 0; break;
	case 66:
		c->s.stat = xcalloc(2, sizeof(*c->s.stat));
		c->s.stat[0] = (struct cgroup_kv){xstrdup("anon"), 100};
		c->s.stat[1] = (struct cgroup_kv){xstrdup("file"), 200};
		c->s.n_stat = 2;
		break;
	case 67: c->s.stat[1].value = 201; break;
	case 68: model_set_str(&c->s.stat[1].key, "shmem"); break;
	case 69: c->s.pressure.present = true; c->s.pressure.some_avg10 = 0.5; break;
	case 70: c->s.pressure.full_total_us = 77; break;
	case 71: c->s.pressure.full_avg300 = NAN; break;
	case 72: c->s.working_set_bytes -= 4096; break;
	case 73: c->limit_bytes = MS_UNLIMITED; break;
	case 74: model_set_str(&c->limit_source, "machine"); break;
	case 75: c->s.effective_high_bytes = MS_ABSENT; break;
	case 76: model_set_str(&c->s.effective_high_source, "/a"); break;
	case 77: c->usage_pct = 99.5; break;
	case 78: c->selected = true; break;
	case 79: cr->verdict = TREND_SHRINKING; cr->slope_bytes_per_s = -3; break;
	case 80: c->s.version = CGROUP_V1; c->s.v1_failcnt = 3; break;
	case 81: c->s.v1_under_oom = 1; break;
	case 82: c->s.v1_oom_kill_disable = 0; break;
	default: return false;
	}
	return true;
}

/* The log line is joined from cached entity texts; after every single change
 * it must equal a fresh jansson tree of the model, and a delta line must
 * hold exactly the entity that changed. */
static void test_line_cache(void)
{
	struct model *m = fixture_model();
	struct out_json_cache *c = out_json_cache_new(), *dc = out_json_cache_new();
	const char *text;
	size_t len;
	int k;

	(void)out_json_line(dc, m, true, &len);
	for (k = -1; k < 1000; k++) {
		json_t *want, *got, *d;
		json_error_t je;
		size_t nd;
		bool ok;

		if (k >= 0 && !mutate(m, k))
			break;
		want = out_json_snapshot(m, false);
		json_object_set_new(want, "type", json_string("snapshot"));
		text = out_json_line(c, m, false, &len);
		CHECK_I64(strlen(text), len);
		got = json_loads(text, 0, &je);
		ok = got && json_equal(got, want);
		CHECK(ok);
		if (!ok)
			fprintf(stderr, "  after change %d: %s\n", k, text);
		json_decref(got);
		json_decref(want);

		text = out_json_line(dc, m, true, &len);
		d = json_loads(text, 0, &je);
		CHECK_STR(json_string_value(json_object_get(d, "type")), "delta");
		nd = json_array_size(json_object_get(d, "processes")) +
		     json_array_size(json_object_get(d, "trees")) +
		     json_array_size(json_object_get(d, "cgroups"));
		CHECK_I64(nd, k >= 0 ? 1 : 0);
		if (nd != (k >= 0 ? 1u : 0u))
			fprintf(stderr, "  delta after change %d: %s\n", k, text);
		json_decref(d);
	}
	CHECK(k > 80);

	/* An entity that goes away is forgotten; one that comes back is new. */
	m->procs[0]->alive = true;
	text = out_json_line(dc, m, true, &len);
	model_proc_add(m, 4243, 99);
	text = out_json_line(dc, m, true, &len);
	{
		json_t *d = json_loads(text, 0, NULL);

		CHECK_I64(json_array_size(json_object_get(d, "processes")), 1);
		CHECK_I64(json_integer_value(json_object_get(json_array_get(json_object_get(d, "processes"), 0),
							     "pid")), 4243);
		json_decref(d);
	}
	out_json_cache_free(c);
	out_json_cache_free(dc);
	model_free(m);
}

/* A cgroup in a named container and a process in it: "container" and
 * "unit" on both, the process's through its cgroup; a plain cgroup has
 * null for both. */
static void test_container(void)
{
	struct model *m = model_new("h", 1000);
	struct cgroup_entity *c = model_cgroup_add(m, "/system.slice/docker-" DOCKER_ID ".scope");
	struct cgroup_entity *plain = model_cgroup_add(m, "/a/b");
	struct proc_entity *p = model_proc_add(m, 7, 1);
	json_t *doc, *cj, *pj, *co;

	c->container.name = xstrdup("web-1");
	p->cgroup = xstrdup(c->s.path);
	container_copy(&p->container, &c->container);
	doc = out_json_snapshot(m, true);
	cj = json_array_get(json_object_get(doc, "cgroups"), 0);
	pj = json_array_get(json_object_get(doc, "processes"), 0);
	for (int i = 0; i < 2; i++) {
		co = json_object_get(i ? pj : cj, "container");
		CHECK_STR(json_string_value(json_object_get(co, "runtime")), "docker");
		CHECK_STR(json_string_value(json_object_get(co, "id")), DOCKER_ID);
		CHECK_STR(json_string_value(json_object_get(co, "name")), "web-1");
		CHECK(json_is_null(json_object_get(co, "pod_uid")));
		CHECK(json_is_null(json_object_get(co, "qos")));
		CHECK_STR(json_string_value(json_object_get(i ? pj : cj, "unit")), "docker-" DOCKER_ID ".scope");
	}
	cj = json_array_get(json_object_get(doc, "cgroups"), 1);
	CHECK_STR(json_string_value(json_object_get(cj, "path")), plain->s.path);
	CHECK(json_is_null(json_object_get(cj, "container")));
	CHECK(json_is_null(json_object_get(cj, "unit")));
	json_decref(doc);
	model_free(m);
}

int main(void)
{
	test_golden();
	test_container();
	test_delta_and_rotation();
	test_line_cache();
	return check_done("test_out_json");
}
