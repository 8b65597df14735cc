/* test_series: every row of the series table (series.h) reaches every
 * output. For each row, a distinct limit, source, usage and growth is set
 * on an entity of its kind; the test then finds them under the row's JSON
 * keys, in the row's Prometheus families (checked against the trend, not
 * through series_gauge_value), and on the detail view; a process's other
 * series, when the more urgent, in the table's verdict cell. It walks the table,
 * so a row added later is covered without editing this file. */
#include <assert.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "check.h"
#include "model.h"
#include "out_json.h"
#include "out_prom.h"
#include "series.h"
#include "util.h"
#include "view.h"
#include "view_screen.h"
#include "view_table.h"

#define MIB (1024LL * 1024)

struct fixture {
	struct model *m;
	struct proc_entity *p, *bare; /* bare: never on a GPU */
	struct tree_entity *t;
	struct cgroup_entity *c;
	pid_t tree_pids[2];
	struct gpu_card_state card;
};

static void fixture_init(struct fixture *f)
{
	f->m = model_new("host", 1000);
	f->m->time_ms = 1700000000000LL;
	f->m->mono_ms = 119000;
	f->m->sys.mem_total_bytes = 16LL << 30;
	f->card = (struct gpu_card_state){.index = 0, .name = (char *)"card", .used_bytes = 1LL << 30,
					   .total_bytes = 8LL << 30, .free_bytes = 7LL << 30};
	f->m->gpus = &f->card;
	f->m->n_gpus = 1;

	f->c = model_cgroup_add(f->m, "/svc");
	f->c->s.exists = true;
	f->c->s.version = CGROUP_V2;
	f->c->s.current_bytes = 77 * MIB;
	f->c->s.working_set_bytes = 70 * MIB;
	f->c->s.swap_current_bytes = 0;

	f->p = model_proc_add(f->m, 4242, 100);
	f->p->name = xstrdup("job");
	f->p->cmdline = xstrdup("job --run");
	f->p->user = xstrdup("alice");
	f->p->cgroup = xstrdup("/svc");
	f->p->state = 'S';
	f->p->rss_bytes = 40 * MIB;
	f->p->rss_anon_bytes = 30 * MIB;
	f->p->swap_bytes = 2 * MIB;
	f->p->usage_basis = "rss";
	f->p->gpu = model_gpu_series_new();
	f->p->gpu->bytes = 5 * MIB;
	f->p->gpu->peak_bytes = 6 * MIB;
	f->p->gpu->n_cards = 1;
	f->p->gpu->cards[0] = (struct gpu_share){0, 5 * MIB};

	f->bare = model_proc_add(f->m, 4243, 101);
	f->bare->name = xstrdup("bare");
	f->bare->cmdline = xstrdup("bare");
	f->bare->user = xstrdup("alice");

	f->t = model_tree_add(f->m, 4242, 100);
	f->t->name = xstrdup("job");
	f->t->alive = true;
	f->tree_pids[0] = 4242;
	f->tree_pids[1] = 4244;
	f->t->pids = f->tree_pids;
	f->t->n_procs = 2;
	f->t->rss_bytes = 60 * MIB;
	f->t->peak_rss_bytes = 61 * MIB;
	f->t->anon_swap_bytes = 50 * MIB;
	f->t->gpu = model_gpu_series_new();
	f->t->gpu->bytes = 9 * MIB;
	f->t->gpu->peak_bytes = 10 * MIB;
	f->t->gpu->n_cards = 1;
	f->t->gpu->cards[0] = (struct gpu_share){0, 9 * MIB};
	f->p->tree = f->t;
}

static void *entity_of(struct fixture *f, char kind)
{
	assert(kind == 'p' || kind == 't' || kind == 'c');
	return kind == 'p' ? (void *)f->p : kind == 't' ? (void *)f->t : (void *)f->c;
}

/* Row k's distinct values: its limit, source, usage and a linear growth
 * that its trend fits. */
static void set_row(struct series_core *s, int k)
{
	int64_t limit = (100 + 7 * k) * MIB;

	s->limit_bytes = limit;
	free(s->limit_source);
	s->limit_source = xasprintf("/src-%d", k);
	s->usage_pct = 11.0 + k;
	trend_init(&s->trend);
	for (int i = 0; i < 120; i++)
		trend_push(&s->trend, i * 1000, 10 * MIB + (int64_t)(k + 1) * 40000 * i, limit, MS_ABSENT);
}

static void check_json(const struct series_desc *d, const void *e, const struct series_core *s, int k)
{
	json_t *o = d->kind == 'p' ? out_json_process(e) : d->kind == 't' ? out_json_tree(e) : out_json_cgroup(e);
	const struct trend_result *r = trend_get(&s->trend);
	json_t *tr;

	CHECK(d->json.limit && d->json.usage && d->json.trend); /* every series shows these */
	if (d->main)
		CHECK_STR(d->json.trend, "trend"); /* out_json_line splices the main trend as "trend" */
	CHECK_I64(json_integer_value(json_object_get(o, d->json.limit)), (100 + 7 * k) * MIB);
	CHECK_NEAR(json_real_value(json_object_get(o, d->json.usage)), 11.0 + k, 1e-9);
	if (d->json.source)
		CHECK_STR(json_string_value(json_object_get(o, d->json.source)), s->limit_source);
	if (d->json.value)
		CHECK_I64(json_integer_value(json_object_get(o, d->json.value)), d->value(e));
	if (d->json.peak)
		CHECK_I64(json_integer_value(json_object_get(o, d->json.peak)), d->peak(e));
	if (d->json.per_gpu)
		CHECK(json_array_size(json_object_get(o, d->json.per_gpu)) == 1);
	tr = json_object_get(o, d->json.trend);
	CHECK(json_is_object(tr));
	CHECK(isfinite(r->slope_bytes_per_s));
	CHECK_NEAR(json_real_value(json_object_get(tr, "slope_bytes_per_s")), r->slope_bytes_per_s, 1e-6);
	CHECK_STR(json_string_value(json_object_get(tr, "verdict")), trend_verdict_name(r->verdict));
	json_decref(o);
}

/* The value of the sample of family name whose labels contain sel; NAN
 * when there is none. */
static double prom_sample(const char *text, const char *name, const char *sel)
{
	size_t n = strlen(name);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *end = strchr(l, '\n'), *sp;

		if (strncmp(l, name, n) != 0 || l[n] != '{')
			continue;
		sp = end ? end : l + strlen(l);
		while (sp > l && sp[-1] != ' ')
			sp--;
		if (memmem(l, (size_t)(sp - l), sel, strlen(sel)))
			return strtod(sp, NULL);
	}
	return NAN;
}

static bool has_family(const char *text, const char *name)
{
	char *help = xasprintf("# HELP %s ", name);
	bool ok = strstr(text, help) != NULL;

	free(help);
	return ok;
}

/* What each gauge must say, from the values set (not from out_prom). */
static double expected_gauge(const struct series_desc *d, const void *e, const struct series_core *s, int g,
			     int k)
{
	const struct trend_result *r = trend_get(&s->trend);

	switch (g) {
	case SG_VALUE:
		return (double)d->value(e);
	case SG_LIMIT:
		return (double)((100 + 7 * k) * MIB);
	case SG_RATIO:
		return (11.0 + k) / 100.0;
	case SG_SLOPE:
		return r->slope_bytes_per_s;
	case SG_LEAK:
		return r->verdict == TREND_LEAK;
	case SG_GROWING:
		return r->verdict == TREND_GROWING || r->verdict == TREND_LEAK;
	case SG_OOM:
		return r->oom_imminent;
	case SG_TTL:
		return r->ttl_s;
	}
	return NAN;
}

static void check_prom(const struct series_desc *d, const void *e, const struct series_core *s, int k,
		       const char *text)
{
	const char *sel = d->kind == 'c' ? "cgroup=\"/svc\"" : "pid=\"4242\"";
	int n = 0;

	for (int g = 0; g < SG_N; g++) {
		const char *name = d->prom.gauge[g].name;
		double want = expected_gauge(d, e, s, g, k), got;

		if (!name)
			continue;
		n++;
		CHECK(d->prom.gauge[g].help && *d->prom.gauge[g].help);
		CHECK(has_family(text, name));
		got = prom_sample(text, name, sel);
		if (isnan(want)) {
			CHECK(isnan(got));
		} else if (!(fabs(got - want) <= 1e-6 * fmax(1.0, fabs(want)))) {
			CHECK(!"gauge differs");
			fprintf(stderr, "  %s: %g, expected %g\n", name, got, want);
		}
	}
	if (d->prom.ttl_entity) {
		char *sel2 = xasprintf("entity=\"%s\",%s", d->prom.ttl_entity, sel);
		double ttl = trend_get(&s->trend)->ttl_s;

		n++;
		if (isfinite(ttl))
			CHECK_NEAR(prom_sample(text, "memslope_time_to_limit_seconds", sel2), ttl,
				   1e-6 * fmax(1.0, ttl));
		else
			CHECK(isnan(prom_sample(text, "memslope_time_to_limit_seconds", sel2)));
		free(sel2);
	}
	CHECK(n > 0); /* a series no metric shows */
}

static void check_detail(const struct series_desc *d, const void *e, const struct series_core *s,
			 const char *screen)
{
	char text[192], usage[48];

	CHECK(d->tui.label && d->tui.detail);
	CHECK(d->tui.detail(e, s, text, sizeof(text), usage, sizeof(usage)));
	CHECK(strncmp(text, d->tui.label, strlen(d->tui.label)) == 0);
	if (!strstr(screen, text)) {
		CHECK(!"detail view lacks the series");
		fprintf(stderr, "  '%s' not on the detail view\n", text);
	}
	if (*usage)
		CHECK(strstr(screen, usage) != NULL);
}

/* The fixture's links are borrowed (a tree's PID list, the GPU table): cut
 * them before the model frees what it owns. */
static void fixture_done(struct fixture *f)
{
	f->p->tree = NULL;
	f->t->pids = NULL;
	f->m->gpus = NULL;
	f->m->n_gpus = 0;
	model_free(f->m);
}

static void test_every_row(void)
{
	struct fixture f;
	struct canvas *cv = canvas_new(1, 1);
	struct view_state vs;
	char *prom, *screen;
	int seen[3] = {0};

	fixture_init(&f);
	for (int k = 0; k < SERIES_N; k++) {
		const struct series_desc *d = &series_table[k];
		struct series_core *s = d->core(entity_of(&f, d->kind));

		CHECK(s != NULL);
		if (s)
			set_row(s, k);
		seen[d->kind == 'p' ? 0 : d->kind == 't' ? 1 : 2] += d->main;
	}
	/* Each entity kind has one main series. */
	CHECK(seen[0] == 1 && seen[1] == 1 && seen[2] == 1);
	CHECK_I64(series_main_of('p'), SERIES_PROC);

	prom = out_prom_render(f.m, 10);
	CHECK(strstr(prom, "\nmemslope_time_to_limit_seconds{") != NULL); /* the growth reaches a TTL */
	view_state_init(&vs, GLYPHS_UTF8);
	vs.view = VIEW_DETAIL;
	vs.detail_pid = 4242;
	canvas_resize(cv, 240, 30);
	view_screen_draw(cv, f.m, &vs);
	screen = canvas_to_text(cv);
	for (int k = 0; k < SERIES_N; k++) {
		const struct series_desc *d = &series_table[k];
		void *e = entity_of(&f, d->kind);
		const struct series_core *s = d->core(e);

		if (!s)
			continue;
		check_json(d, e, s, k);
		check_prom(d, e, s, k, prom);
		check_detail(d, e, s, screen);
	}
	/* A process series with a table column: its title, its value in the
	 * process's row, and a sort choice. */
	free(screen);
	vs.view = VIEW_TABLE;
	view_screen_draw(cv, f.m, &vs);
	screen = canvas_to_text(cv);
	for (int k = 0; k < SERIES_N; k++) {
		const struct series_desc *d = &series_table[k];
		enum col_id ch[COL_COUNT];
		int n = view_table_sort_choices(f.m, ch), found = 0;
		char v[16], *title;

		if (d->kind != 'p' || !d->tui.column)
			continue;
		CHECK(d->tui.column_width >= (int)strlen(d->tui.column));
		title = xasprintf(" %s ", d->tui.column);
		CHECK(strstr(screen, title) != NULL);
		free(title);
		util_fmt_bytes(d->value(f.p), v, sizeof(v));
		CHECK(strstr(screen, v) != NULL);
		for (int i = 0; i < n; i++)
			found += ch[i] == COL_OF_SERIES(k);
		CHECK(found == 1);
	}
	/* A process never on a GPU carries none of the GPU series' keys. */
	{
		json_t *o = out_json_process(f.bare);

		for (int k = 0; k < SERIES_N; k++) {
			const struct series_desc *d = &series_table[k];

			if (d->kind == 'p' && !d->core(f.bare))
				CHECK(!json_object_get(o, d->json.limit) && !json_object_get(o, d->json.trend));
		}
		json_decref(o);
	}
	free(screen);
	free(prom);
	canvas_free(cv);
	view_state_done(&vs);
	fixture_done(&f);
}

/* A process's other series (with a tui.mark) that grows while its main
 * series is flat takes the table's verdict cell ("G:growing") and the
 * detail view's evidence line ("GPU GROWING ..."). */
static void test_urgent_rows(void)
{
	for (int k = 0; k < SERIES_N; k++) {
		const struct series_desc *d = &series_table[k];
		struct fixture f;
		struct canvas *cv;
		struct view_state vs;
		const struct series_core *us;
		struct series_core *s;
		char *screen, *want;

		if (d->kind != 'p' || d->main || !d->tui.mark)
			continue;
		cv = canvas_new(1, 1);
		CHECK(d->tui.hist != NULL);
		fixture_init(&f);
		f.p->alive = true;
		trend_init(&f.p->trend);
		for (int i = 0; i < 120; i++)
			trend_push(&f.p->trend, i * 1000, 32 * MIB, 1LL << 30, MS_ABSENT);
		s = d->core(f.p);
		s->limit_bytes = 200 * MIB;
		trend_init(&s->trend);
		for (int i = 0; i < 120; i++)
			trend_push(&s->trend, i * 1000, 10 * MIB + 500000LL * i, s->limit_bytes, MS_ABSENT);
		CHECK(view_urgent_series(f.p, &us) == d && us == s);
		view_state_init(&vs, GLYPHS_UTF8);
		canvas_resize(cv, 200, 12);
		view_screen_draw(cv, f.m, &vs);
		screen = canvas_to_text(cv);
		want = xasprintf("%c:%s", d->tui.mark, view_verdict_word(trend_get(&s->trend)));
		if (!strstr(screen, want))
			fprintf(stderr, "  table lacks '%s':\n%s", want, screen);
		CHECK(strstr(screen, want) != NULL);
		free(want);
		free(screen);
		vs.view = VIEW_DETAIL;
		vs.detail_pid = 4242;
		canvas_resize(cv, 200, 30);
		view_screen_draw(cv, f.m, &vs);
		screen = canvas_to_text(cv);
		want = xasprintf("\n%s ", d->tui.label);
		CHECK(strstr(screen, want) != NULL);
		free(want);
		free(screen);
		canvas_free(cv);
		view_state_done(&vs);
		fixture_done(&f);
	}
}

/* Every JSON key a row names is a property of its entity in the schema
 * (schema/memslope.schema.json: process_fields, tree_fields,
 * cgroup_fields), so a new row cannot write keys the schema lacks. */
static void test_schema_keys(void)
{
	const char *dir = getenv("srcdir") ? getenv("srcdir") : ".";
	char *path = xasprintf("%s/schema/memslope.schema.json", dir);
	json_t *schema = json_load_file(path, 0, NULL), *defs = json_object_get(schema, "$defs");

	CHECK(defs != NULL);
	for (int k = 0; defs && k < SERIES_N; k++) {
		const struct series_desc *d = &series_table[k];
		const char *def = d->kind == 'p' ? "process_fields" : d->kind == 't' ? "tree_fields" : "cgroup_fields";
		json_t *props = json_object_get(json_object_get(defs, def), "properties");
		const char *keys[] = {d->json.value, d->json.peak, d->json.per_gpu, d->json.limit,
				      d->json.source, d->json.usage, d->json.trend};

		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			if (keys[i] && !json_object_get(props, keys[i])) {
				CHECK(!"a series key the schema lacks");
				fprintf(stderr, "  %s: %s\n", def, keys[i]);
			}
		}
	}
	json_decref(schema);
	free(path);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	test_every_row();
	test_schema_keys();
	test_urgent_rows();
	return check_done("test_series");
}
