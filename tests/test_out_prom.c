/* test_out_prom: label escaping, bounded cardinality (top N by RSS plus
 * every growing process), absent values left out, HELP/TYPE once per
 * family, and the atomic file writer. */
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "model.h"
#include "out_prom.h"
#include "util.h"

static void test_escape(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"plain", "plain"},
		{"", ""},
		{"a\\b", "a\\\\b"},
		{"say \"hi\"", "say \\\"hi\\\""},
		{"two\nlines", "two\\nlines"},
		{"\\\"\n", "\\\\\\\"\\n"},
		{"$(touch /tmp/pwned)", "$(touch /tmp/pwned)"},
		{"\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = out_prom_escape_label(cases[i].in);

		CHECK_STR(got, cases[i].out);
		free(got);
	}
}

static struct proc_entity *proc(struct model *m, pid_t pid, const char *name, int64_t rss_bytes)
{
	struct proc_entity *p = model_proc_add(m, pid, (uint64_t)pid * 10);

	p->name = xstrdup(name);
	p->cmdline = xstrdup(name);
	p->user = xstrdup("root");
	p->cgroup = xstrdup("/svc");
	p->rss_bytes = rss_bytes;
	p->limit_bytes = 1LL << 30;
	p->usage_pct = 100.0 * (double)rss_bytes / (double)(1LL << 30);
	return p;
}

static size_t count_lines(const char *text, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		n += strncmp(l, prefix, len) == 0;
	return n;
}

static void test_render(void)
{
	struct model *m = model_new("host\"1", 1000);
	struct proc_entity *grow;
	struct cgroup_entity *c;
	char *text;

	m->time_ms = 1795272604329;
	m->cgroup_version = "v1";
	m->sys.mem_total_bytes = 8LL << 30;
	m->sys.mem_available_bytes = MS_ABSENT;
	m->sys.swap_total_bytes = m->sys.swap_free_bytes = 0;
	m->self.cpu_pct = 1.5;
	m->self.rss_bytes = 4 << 20;
	m->self.sample_cost_us_per_process = 12.5;
	m->self.n_fds = 9;
	proc(m, 100, "big", 500 << 20);
	proc(m, 101, "mid", 300 << 20);
	proc(m, 102, "small", 10 << 20);
	proc(m, 103, "dead", 900 << 20)->alive = false;
	grow = proc(m, 104, "we\"ird\\name\n", 1 << 20);
	grow->trend.result.verdict = TREND_GROWING;
	grow->trend.result.slope_bytes_per_s = 2048.5;
	grow->trend.result.ttl_s = 3600;
	grow->trend.result.ttl_target = TTL_MAX;
	{
		/* Small RSS, flat trend, but heading for its RLIMIT_AS. */
		struct proc_entity *as = proc(m, 105, "mapper", 2 << 20);
		struct limit v[2] = {
			{.kind = LIMIT_MACHINE, .limit_bytes = 8LL << 30, .used_bytes = 2 << 20,
			 .source = "machine", .ttl_s = NAN, .ttl_lo_s = NAN, .ttl_hi_s = NAN},
			{.kind = LIMIT_RLIMIT_AS, .limit_bytes = 1LL << 30, .used_bytes = 900LL << 20,
			 .source = "rlimit", .ttl_s = 30, .ttl_lo_s = 20, .ttl_hi_s = 40, .imminent = true},
		};

		limit_state_set(&as->limits, v, 2, 1);
	}
	c = model_cgroup_add(m, "/svc");
	c->s.exists = true;
	c->s.current_bytes = 811 << 20;
	c->s.effective_high_bytes = MS_UNLIMITED;
	c->s.working_set_bytes = MS_ABSENT;
	c->s.swap_current_bytes = MS_ABSENT;
	c->s.ev_oom_kill = 2;
	c->s.ev_low = c->s.ev_high = c->s.ev_max = c->s.ev_oom = c->s.ev_oom_group_kill = MS_ABSENT;
	c->limit_bytes = 1LL << 30;
	c->usage_pct = 811.0 / 1024.0 * 100;

	text = out_prom_render(m, 2);
	/* Top 2 by RSS (the dead one does not count) plus the growing one and
	 * the one heading for its RLIMIT_AS. */
	CHECK_I64(count_lines(text, "memslope_process_rss_bytes{"), 4);
	CHECK(strstr(text, "memslope_process_rss_bytes{pid=\"100\",name=\"big\",cgroup=\"/svc\"} 524288000\n"));
	CHECK(strstr(text, "pid=\"101\""));
	CHECK(!strstr(text, "pid=\"102\""));
	CHECK(!strstr(text, "pid=\"103\""));
	CHECK(strstr(text, "memslope_process_limits_bytes{pid=\"105\",name=\"mapper\",cgroup=\"/svc\",kind=\"rlimit_as\"} 1073741824\n"));
	CHECK(strstr(text, "memslope_process_limits_used_bytes{pid=\"105\",name=\"mapper\",cgroup=\"/svc\",kind=\"machine\"} 2097152\n"));
	CHECK(strstr(text, "memslope_process_limits_imminent{pid=\"105\",name=\"mapper\",cgroup=\"/svc\",kind=\"rlimit_as\"} 1\n"));
	CHECK(strstr(text, "memslope_process_binding_time_to_limit_seconds{pid=\"105\",name=\"mapper\",cgroup=\"/svc\",kind=\"rlimit_as\"} 30\n"));
	CHECK_I64(count_lines(text, "memslope_process_binding_time_to_limit_seconds{"), 1);
	/* Sanitised (newline -> space), then escaped. */
	CHECK(strstr(text, "name=\"we\\\"ird\\\\name \""));
	CHECK(strstr(text, "memslope_process_growing{pid=\"104\",name=\"we\\\"ird\\\\name \",cgroup=\"/svc\"} 1\n"));
	CHECK(strstr(text, "memslope_process_growth_bytes_per_second{pid=\"104\""));
	CHECK(strstr(text, "} 2048.5\n"));
	CHECK(strstr(text, "memslope_time_to_limit_seconds{entity=\"process\",pid=\"104\","));
	CHECK(strstr(text, "target=\"max\"} 3600\n"));
	/* Absent values are left out, not written as 0. */
	CHECK(!strstr(text, "memslope_system_memory_available_bytes "));
	CHECK(!strstr(text, "memslope_process_anon_bytes{"));
	CHECK(!strstr(text, "memslope_cgroup_high_bytes{"));
	CHECK(!strstr(text, "NaN"));
	CHECK(strstr(text, "memslope_cgroup_usage_bytes{cgroup=\"/svc\"} 850395136\n"));
	CHECK(strstr(text, "memslope_cgroup_memory_events_total{cgroup=\"/svc\",event=\"oom_kill\"} 2\n"));
	CHECK(strstr(text, "memslope_info{version=\""));
	CHECK(strstr(text, "host=\"host\\\"1\",cgroup_version=\"v1\"} 1\n"));
	CHECK(strstr(text, "memslope_self_cpu_ratio 0.015\n"));
	CHECK(strstr(text, "memslope_self_processes_exported 4\n"));
	CHECK_I64(count_lines(text, "# TYPE memslope_process_rss_bytes gauge"), 1);
	CHECK_I64(count_lines(text, "# HELP memslope_process_rss_bytes "), 1);
	CHECK_I64(count_lines(text, "# TYPE memslope_cgroup_memory_events_total counter"), 1);
	/* Every sample line has a family declared before it. */
	for (const char *l = text; *l; l = strchr(l, '\n') + 1) {
		char fam[128], *decl;
		size_t n = strcspn(l, "{ ");

		if (*l == '#')
			continue;
		snprintf(fam, sizeof(fam), "# TYPE %.*s ", (int)n, l);
		decl = strstr(text, fam);
		CHECK(decl && decl < l);
	}
	free(text);

	/* --prom-top 0: only the growing one and the one heading for a limit. */
	text = out_prom_render(m, 0);
	CHECK_I64(count_lines(text, "memslope_process_rss_bytes{"), 2);
	free(text);
	model_free(m);
}

static void test_file(void)
{
	char dir[] = "/tmp/memslope-prom.XXXXXX", *path, *err = NULL, *text;
	struct out_prom *w;
	struct model *m = model_new("h", 1000);
	struct stat st;

	CHECK(mkdtemp(dir) != NULL);
	path = xasprintf("%s/memslope.prom", dir);
	w = out_prom_new(path, 5, &err);
	CHECK(w != NULL);
	CHECK(err == NULL);
	m->sys.mem_total_bytes = 1 << 30;
	CHECK(out_prom_write(w, m, &err) == 0);
	text = util_read_file(path, NULL);
	CHECK(text && strstr(text, "memslope_system_memory_total_bytes 1073741824\n"));
	free(text);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
	/* The directory goes away: one message, then quiet failures. */
	CHECK(unlink(path) == 0 && rmdir(dir) == 0);
	CHECK(out_prom_write(w, m, &err) == -1 && err != NULL);
	free(err);
	err = NULL;
	CHECK(out_prom_write(w, m, &err) == -1 && err == NULL);
	out_prom_free(w);

	w = out_prom_new("/nonexistent-dir/x.prom", 5, &err);
	CHECK(w == NULL && err && strstr(err, "/nonexistent-dir"));
	free(err);
	err = NULL;
	w = out_prom_new("/tmp", 5, &err);
	CHECK(w == NULL && err && strstr(err, "directory"));
	free(err);
	free(path);
	model_free(m);
}

/* A cgroup in a container, and a process in it, carry a container label:
 * its name, or runtime:short id without one; a plain cgroup has none. */
static void test_container_label(void)
{
	struct model *m = model_new("h", 1000);
	struct cgroup_entity *c = model_cgroup_add(m, "/system.slice/docker-3f9a1c0e7b2d4a58c6e1f0b9d8a7c6e5f4d3c2b1a0918273645546372819a0b1.scope");
	struct cgroup_entity *k = model_cgroup_add(m, "/kubepods/pod1f2e3d4c-5b6a-7980-a1b2-c3d4e5f6a7b8/7e2b9c4d1a0f3e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d");
	struct proc_entity *p = proc(m, 100, "nginx", 5 << 20);
	char *text;

	c->container.name = xstrdup("web\"1");
	c->s.exists = k->s.exists = true;
	c->s.current_bytes = k->s.current_bytes = 1 << 20;
	container_done(&p->container);
	model_set_str(&p->cgroup, c->s.path);
	container_copy(&p->container, &c->container);
	text = out_prom_render(m, 5);
	CHECK(strstr(text, "memslope_cgroup_usage_bytes{cgroup=\"/system.slice/docker-3f9a1c0e7b2d4a58c6e1f0b9d8a7c6e5f4d3c2b1a0918273645546372819a0b1.scope\",container=\"web\\\"1\"} 1048576\n"));
	CHECK(strstr(text, "container=\"cri:7e2b9c4d1a0f\"} 1048576\n"));
	CHECK(strstr(text, "memslope_process_rss_bytes{pid=\"100\",name=\"nginx\",cgroup=\"/system.slice/docker-"));
	CHECK(strstr(text, ".scope\",container=\"web\\\"1\"} 5242880\n"));
	free(text);
	model_free(m);
}

int main(void)
{
	test_container_label();
	test_escape();
	test_render();
	test_file();
	return check_done("test_out_prom");
}
