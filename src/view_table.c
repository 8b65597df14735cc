/* view_table: header + process table. See view_table.h.
 *
 * Columns are dropped by priority as the screen narrows (CGROUP first, then
 * PSS, USER, SWAP until COMMAND has 2/5 of the width, 8 to 40 columns; then
 * GPU, TTL, %LIMIT, Δ/min until it has 3/10); PID, RSS, VERDICT and COMMAND
 * stay. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* qsort_r, strcasestr */
#endif
#include "view_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Columns of this priority and below are about growth. */
#define GROWTH_PRIO 4

struct col_def {
	const char *title, *title_ascii;
	int width;
	bool right;
	int prio; /* 0: never dropped; higher goes first */
};

/* The series' columns (COL_SERIES + id) come from the series table. */
static struct col_def cols[COL_COUNT] = {
	[COL_PID] = {"PID", "PID", 7, true, 0},
	[COL_USER] = {"USER", "USER", 8, false, 6},
	[COL_RSS] = {"RSS", "RSS", 6, true, 0},
	[COL_PSS] = {"PSS", "PSS", 6, true, 7},
	[COL_SWAP] = {"SWAP", "SWAP", 6, true, 5},
	[COL_SLOPE] = {"\u0394/min", "d/min", 6, true, 1},
	[COL_VERDICT] = {"VERDICT", "VERDICT", 12, false, 0}, /* "oom_imminent" */
	[COL_LIMIT] = {"%LIM", "%LIM", 5, true, 2},
	[COL_TTL] = {"TTL", "TTL", 6, true, 3},
	[COL_CGROUP] = {"CGROUP", "CGROUP", 16, false, 8},
	[COL_COMMAND] = {"COMMAND", "COMMAND", 0, false, 0},
};

/* The series table's row of a series column, else NULL. */
static const struct series_desc *col_series(int col)
{
	const struct series_desc *d;

	if (col < COL_SERIES || col >= COL_SERIES + SERIES_N)
		return NULL;
	d = &series_table[col - COL_SERIES];
	return d->kind == 'p' && d->tui.column ? d : NULL;
}

/* A series column: right-aligned, never dropped (a process using that
 * series is what the user watches). */
static const struct col_def *col_def(int col)
{
	const struct series_desc *d = col_series(col);

	if (d && !cols[col].title)
		cols[col] = (struct col_def){d->tui.column, d->tui.column, d->tui.column_width, true, 0};
	return &cols[col];
}

const char *view_col_title(enum col_id col, enum glyph_mode mode)
{
	return mode == GLYPHS_UTF8 ? col_def(col)->title : col_def(col)->title_ascii;
}

/* A series column is shown while a live process has that series (the GPU
 * column: a process on a GPU, NVML loaded). */
static bool col_series_on(const struct model *m, int col)
{
	const struct series_desc *d = col_series(col);

	for (size_t i = 0; d && m && i < m->n_procs; i++)
		if (m->procs[i]->alive && d->core(m->procs[i]))
			return true;
	return false;
}

static bool col_on(const struct model *m, int col)
{
	if (col >= COL_SERIES && col < COL_SERIES + SERIES_N)
		return col_series_on(m, col);
	return col != COL_PSS || (m && m->pss_enabled);
}

int view_table_sort_choices(const struct model *m, enum col_id *out)
{
	int n = 0;

	for (int i = 0; i < COL_COUNT; i++)
		if (col_on(m, i))
			out[n++] = (enum col_id)i;
	return n;
}

/* ---- filter ---------------------------------------------------------- */

static void filter_compile(struct view_state *vs)
{
	if (strcmp(vs->filter_re_src, vs->filter) == 0)
		return;
	if (vs->filter_re_ok)
		regfree(&vs->filter_re);
	vs->filter_re_ok = false;
	snprintf(vs->filter_re_src, sizeof(vs->filter_re_src), "%s", vs->filter);
	if (vs->filter[0] &&
	    regcomp(&vs->filter_re, vs->filter, REG_EXTENDED | REG_ICASE | REG_NOSUB) == 0)
		vs->filter_re_ok = true;
}

static bool text_match(const struct view_state *vs, const char *s)
{
	if (!s || !*s)
		return false;
	if (vs->filter_re_ok)
		return regexec(&vs->filter_re, s, 0, NULL, 0) == 0;
	return strcasestr(s, vs->filter) != NULL;
}

bool view_table_match(struct view_state *vs, const struct proc_entity *p)
{
	char pid[16];

	if (vs->tagged_only && !view_is_tagged(vs, p))
		return false;
	if (!vs->filter[0])
		return true;
	filter_compile(vs);
	snprintf(pid, sizeof(pid), "%d", (int)p->pid);
	return text_match(vs, p->name) || text_match(vs, p->cmdline) || text_match(vs, p->user) ||
	       text_match(vs, p->container.label) ||
	       strcmp(pid, vs->filter) == 0;
}

/* ---- sorting --------------------------------------------------------- */

static int verdict_rank(const struct trend_result *r)
{
	if (r->oom_imminent)
		return 5;
	switch (r->verdict) {
	case TREND_LEAK:
		return 4;
	case TREND_GROWING:
		return 3;
	case TREND_SHRINKING:
		return 2;
	case TREND_STABLE:
		return 1;
	case TREND_UNKNOWN:
		break;
	}
	return 0;
}

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static bool col_absent(enum col_id col, const struct proc_entity *p)
{
	const struct trend_result *r = trend_get(&p->trend);
	struct view_limit b;

	if (col == COL_LIMIT || col == COL_TTL)
		view_limit_of(p, &b);

	if (col_series(col))
		return !col_series(col)->core(p) || !ms_has(col_series(col)->value(p));
	switch (col) {
	case COL_RSS:
		return !ms_has(p->rss_bytes);
	case COL_PSS:
		return !ms_has(p->pss_bytes);
	case COL_SWAP:
		return !ms_has(p->swap_bytes);
	case COL_SLOPE:
		return !isfinite(r->slope_bytes_per_s);
	case COL_LIMIT:
		return isnan(b.pct);
	case COL_TTL:
		return isnan(b.r.ttl_s) || b.r.ttl_target == TTL_NONE;
	case COL_CGROUP:
		return !p->cgroup;
	default:
		return false;
	}
}

/* Natural order of a column: sizes and growth biggest first, TTL soonest
 * first, text and PID ascending; absent values (col_absent) last in either
 * direction; then PID, then start time. The table is sorted every frame
 * (~1100 rows, ~11 000 comparisons), so each entity's value is read out
 * once into a sort key and the comparisons work on the keys. */
enum key_kind { KEY_I64_ASC, KEY_I64_DESC, KEY_DBL_ASC, KEY_DBL_DESC, KEY_STR, KEY_VERDICT };

struct sort_key {
	union {
		int64_t i;
		double d;
		const char *s;
	} v;
	double slope;             /* KEY_VERDICT: the tie-break */
	struct proc_entity *p;
	pid_t pid;
	int8_t rank;              /* KEY_VERDICT */
	bool absent;
};

struct sort_ctx {
	enum key_kind kind;
	bool reverse;
};

static enum key_kind key_kind_of(enum col_id col)
{
	if (col_series(col))
		return KEY_I64_DESC;
	switch (col) {
	case COL_RSS:
	case COL_PSS:
	case COL_SWAP:
		return KEY_I64_DESC;
	case COL_SLOPE:
	case COL_LIMIT:
		return KEY_DBL_DESC;
	case COL_TTL:
		return KEY_DBL_ASC;
	case COL_USER:
	case COL_CGROUP:
	case COL_COMMAND:
		return KEY_STR;
	case COL_VERDICT:
		return KEY_VERDICT;
	case COL_PID:
	case COL_COUNT:
	default:
		return KEY_I64_ASC;
	}
}

static void key_fill(struct sort_key *k, enum col_id col, struct proc_entity *p)
{
	const struct trend_result *r = trend_get(&p->trend);
	struct view_limit b;
	const char *s;

	if (col == COL_LIMIT || col == COL_TTL)
		view_limit_of(p, &b);

	memset(k, 0, sizeof(*k));
	k->p = p;
	k->pid = p->pid;
	k->absent = col_absent(col, p);
	switch (col) {
	case COL_RSS:
		k->v.i = p->rss_bytes;
		break;
	case COL_PSS:
		k->v.i = p->pss_bytes;
		break;
	case COL_SWAP:
		k->v.i = p->swap_bytes;
		break;
	case COL_SLOPE:
		k->v.d = r->slope_bytes_per_s;
		break;
	case COL_LIMIT:
		k->v.d = b.pct;
		break;
	case COL_TTL:
		k->v.d = b.r.ttl_s;
		break;
	case COL_USER:
		k->v.s = p->user ? p->user : "";
		break;
	case COL_CGROUP:
		k->v.s = p->container.label ? p->container.label : p->cgroup ? p->cgroup : "";
		break;
	case COL_COMMAND:
		s = p->cmdline && *p->cmdline ? p->cmdline : p->name;
		k->v.s = s ? s : "";
		break;
	case COL_VERDICT:
		k->rank = (int8_t)verdict_rank(r);
		k->slope = r->slope_bytes_per_s;
		break;
	case COL_PID:
	case COL_COUNT:
	default:
		k->v.i = p->pid;
		break;
	}
}

/* Descending doubles: NAN compares equal to anything (as before the keys). */
static int dbl_desc(double a, double b)
{
	return a > b ? -1 : a < b;
}

/* qsort_r sorts pointers to the keys: glibc's merge sort moves 8-byte
 * elements inline but copies larger ones with memcpy. */
static int key_cmp(const void *va, const void *vb, void *vctx)
{
	const struct sort_ctx *ctx = vctx;
	const struct sort_key *a = *(const struct sort_key *const *)va;
	const struct sort_key *b = *(const struct sort_key *const *)vb;
	int r = 0;

	/* Absent values go last in either direction: they are not small. */
	if (a->absent != b->absent)
		return a->absent ? 1 : -1;
	if (!a->absent) {
		switch (ctx->kind) {
		case KEY_I64_ASC:
			r = cmp_i64(a->v.i, b->v.i);
			break;
		case KEY_I64_DESC:
			r = -cmp_i64(a->v.i, b->v.i);
			break;
		case KEY_DBL_ASC:
			r = a->v.d < b->v.d ? -1 : a->v.d > b->v.d;
			break;
		case KEY_DBL_DESC:
			r = dbl_desc(a->v.d, b->v.d);
			break;
		case KEY_STR:
			r = strcmp(a->v.s, b->v.s);
			break;
		case KEY_VERDICT:
			r = a->rank != b->rank ? b->rank - a->rank : dbl_desc(a->slope, b->slope);
			break;
		}
		if (ctx->reverse)
			r = -r;
	}
	if (r == 0)
		r = cmp_i64(a->pid, b->pid);
	if (r == 0)
		r = cmp_i64((int64_t)a->p->start_ticks, (int64_t)b->p->start_ticks);
	return r;
}

/* ---- rows ------------------------------------------------------------ */

static void rows_reserve(struct view_state *vs, size_t n)
{
	if (n <= vs->cap_rows)
		return;
	vs->cap_rows = n + 64;
	vs->rows = xrealloc(vs->rows, vs->cap_rows * sizeof(*vs->rows));
}

#define TREE_DEPTH_MAX 31

/* Lay the flat, sorted rows in flat[] out as a forest by ppid into vs->rows:
 * each process under its listed parent, siblings in sort order. */
struct pid_idx {
	pid_t pid;
	size_t idx;
};

static int pid_idx_cmp(const void *a, const void *b)
{
	const struct pid_idx *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static void rows_tree(struct view_state *vs, struct view_row *flat, size_t n)
{
	size_t *parent = xmalloc((n + 1) * sizeof(*parent));
	bool *done = xcalloc(n + 1, sizeof(*done));
	size_t *stack_child = xmalloc((n + 1) * sizeof(*stack_child));
	size_t *first_child = xmalloc((n + 1) * sizeof(*first_child));
	size_t *next_sib = xmalloc((n + 1) * sizeof(*next_sib));
	struct pid_idx *by_pid = xmalloc((n + 1) * sizeof(*by_pid));
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		by_pid[i].pid = flat[i].p->pid;
		by_pid[i].idx = i;
	}
	qsort(by_pid, n, sizeof(*by_pid), pid_idx_cmp);
	for (size_t i = 0; i < n; i++) {
		struct pid_idx key = {flat[i].p->ppid, 0}, *hit;

		parent[i] = SIZE_MAX;
		if (key.pid <= 0)
			continue;
		hit = bsearch(&key, by_pid, n, sizeof(*by_pid), pid_idx_cmp);
		if (!hit)
			continue;
		/* An exited entry may share the PID with its live successor:
		 * the live one is the parent. */
		while (hit > by_pid && hit[-1].pid == key.pid)
			hit--;
		for (; hit < by_pid + n && hit->pid == key.pid; hit++)
			if (hit->idx != i && (parent[i] == SIZE_MAX || flat[hit->idx].p->alive))
				parent[i] = hit->idx;
	}
	/* Children lists in flat (sorted) order. */
	for (size_t i = 0; i < n; i++)
		first_child[i] = next_sib[i] = SIZE_MAX;
	for (size_t j = n; j-- > 0;) {
		if (parent[j] != SIZE_MAX) {
			next_sib[j] = first_child[parent[j]];
			first_child[parent[j]] = j;
		}
	}
	/* Depth-first from each root; a ppid cycle (impossible in /proc,
	 * possible in a replayed log) has no root and is caught below. */
	for (size_t r = 0; r < n; r++) {
		size_t sp = 0;

		if (parent[r] != SIZE_MAX || done[r])
			continue;
		done[r] = true;
		vs->rows[out] = flat[r];
		vs->rows[out++].depth = 0;
		stack_child[sp++] = first_child[r];
		while (sp > 0) {
			size_t k = stack_child[sp - 1];
			int d = (int)sp;

			if (k == SIZE_MAX) {
				sp--;
				continue;
			}
			stack_child[sp - 1] = next_sib[k];
			if (done[k])
				continue;
			done[k] = true;
			vs->rows[out] = flat[k];
			vs->rows[out++].depth = d > TREE_DEPTH_MAX ? TREE_DEPTH_MAX : d;
			stack_child[sp++] = first_child[k];
		}
	}
	/* Whatever a cycle left out goes at the end, flat. */
	for (size_t i = 0; i < n; i++) {
		if (!done[i]) {
			vs->rows[out] = flat[i];
			vs->rows[out].depth = 0;
			out++;
		}
	}
	vs->n_rows = out;
	/* Tree guides: a row is a last child when no later row at its depth
	 * appears before the depth drops below it. */
	for (size_t i = 0; i < out; i++) {
		int d = vs->rows[i].depth;

		vs->rows[i].last_child = true;
		vs->rows[i].more_below = 0;
		for (size_t j = i + 1; j < out && vs->rows[j].depth >= d; j++) {
			if (vs->rows[j].depth == d) {
				vs->rows[i].last_child = false;
				break;
			}
		}
	}
	for (size_t i = 0; i < out; i++) {
		/* more_below bit k: the ancestor at depth k (k < depth) is not
		 * a last child, so its vertical guide continues. */
		uint32_t bits = 0;
		int d = vs->rows[i].depth;

		for (size_t j = i; j-- > 0 && d > 0;) {
			if (vs->rows[j].depth < d) {
				d = vs->rows[j].depth;
				if (!vs->rows[j].last_child && d > 0)
					bits |= 1u << d;
			}
		}
		vs->rows[i].more_below = bits;
	}
	free(parent);
	free(done);
	free(stack_child);
	free(first_child);
	free(next_sib);
	free(by_pid);
}

size_t view_table_sync(const struct model *m, struct view_state *vs)
{
	struct view_row *flat;
	struct sort_key *keys, **order;
	struct sort_ctx ctx = {key_kind_of(vs->sort_col), vs->sort_reverse};
	size_t n = 0;

	vs->n_rows = 0;
	if (!m || m->n_procs == 0) {
		vs->cursor_idx = 0;
		return 0;
	}
	rows_reserve(vs, m->n_procs);
	keys = xmalloc(m->n_procs * sizeof(*keys));
	order = xmalloc(m->n_procs * sizeof(*order));
	for (size_t i = 0; i < m->n_procs; i++) {
		if (!view_table_match(vs, m->procs[i]))
			continue;
		key_fill(&keys[n], vs->sort_col, m->procs[i]);
		order[n] = &keys[n];
		n++;
	}
	qsort_r(order, n, sizeof(*order), key_cmp, &ctx);
	flat = xmalloc((n ? n : 1) * sizeof(*flat));
	for (size_t i = 0; i < n; i++) {
		memset(&flat[i], 0, sizeof(flat[i]));
		flat[i].p = order[i]->p;
		flat[i].last_child = true;
	}
	free(order);
	free(keys);
	if (vs->tree) {
		rows_tree(vs, flat, n);
	} else {
		memcpy(vs->rows, flat, n * sizeof(*flat));
		vs->n_rows = n;
	}
	free(flat);
	/* Follow the process; if it is gone, stay at the same row number. */
	for (size_t i = 0; i < vs->n_rows; i++) {
		const struct proc_entity *p = vs->rows[i].p;

		if (vs->cursor_pid > 0 && p->pid == vs->cursor_pid && p->start_ticks == vs->cursor_start) {
			vs->cursor_idx = (int)i;
			return vs->n_rows;
		}
	}
	if (vs->n_rows == 0) {
		vs->cursor_idx = 0;
		return 0;
	}
	if (vs->cursor_idx >= (int)vs->n_rows)
		vs->cursor_idx = (int)vs->n_rows - 1;
	if (vs->cursor_idx < 0)
		vs->cursor_idx = 0;
	vs->cursor_pid = vs->rows[vs->cursor_idx].p->pid;
	vs->cursor_start = vs->rows[vs->cursor_idx].p->start_ticks;
	return vs->n_rows;
}

void view_table_move(struct view_state *vs, int delta)
{
	long idx = (long)vs->cursor_idx + delta;

	if (vs->n_rows == 0)
		return;
	if (idx < 0)
		idx = 0;
	if (idx >= (long)vs->n_rows)
		idx = (long)vs->n_rows - 1;
	vs->cursor_idx = (int)idx;
	vs->cursor_pid = vs->rows[idx].p->pid;
	vs->cursor_start = vs->rows[idx].p->start_ticks;
}

struct proc_entity *view_table_cursor(const struct view_state *vs)
{
	if (vs->n_rows == 0 || vs->cursor_idx < 0 || vs->cursor_idx >= (int)vs->n_rows)
		return NULL;
	return vs->rows[vs->cursor_idx].p;
}

/* ---- drawing --------------------------------------------------------- */

struct layout {
	bool on[COL_COUNT];
	int x[COL_COUNT], w[COL_COUNT];
};

static void layout_columns(const struct canvas *c, const struct model *m, struct layout *L)
{
	/* The command says which process it is: the columns that only describe
	 * (prio > GROWTH_PRIO) give way until it has 2/5 of the width; those
	 * about growth (GPU, TTL, %LIM, slope) only until it has 3/10. */
	int total, min_cmd = c->w * 2 / 5 > 8 ? c->w * 2 / 5 : 8, min_cmd_growth = c->w * 3 / 10 > 8 ? c->w * 3 / 10 : 8;

	if (min_cmd > 40)
		min_cmd = 40;
	if (min_cmd_growth > min_cmd)
		min_cmd_growth = min_cmd;
	for (int i = 0; i < COL_COUNT; i++) {
		L->on[i] = col_on(m, i);
		L->w[i] = col_def(i)->width;
		/* A series column (the GPU's) is kept, and it takes its room
		 * from the command rather than from the TTL. */
		if (L->on[i] && col_series(i) && min_cmd - (L->w[i] + 1) >= 16)
			min_cmd -= L->w[i] + 1;
	}
	for (;;) {
		int worst = -1;

		total = 0;
		for (int i = 0; i < COL_COMMAND; i++)
			if (L->on[i])
				total += L->w[i] + 1;
		if (c->w - total >= min_cmd)
			break;
		for (int i = 0; i < COL_COMMAND; i++)
			if (L->on[i] && col_def(i)->prio > 0 && (worst < 0 || col_def(i)->prio > col_def(worst)->prio))
				worst = i;
		if (worst < 0 || (col_def(worst)->prio <= GROWTH_PRIO && c->w - total >= min_cmd_growth))
			break;
		L->on[worst] = false;
	}
	total = 0;
	for (int i = 0; i < COL_COMMAND; i++) {
		if (!L->on[i])
			continue;
		L->x[i] = total;
		total += L->w[i] + 1;
	}
	L->x[COL_COMMAND] = total;
	L->w[COL_COMMAND] = c->w - total > 0 ? c->w - total : 0;
}

static void draw_colhdr(struct canvas *c, const struct view_state *vs, const struct layout *L, int y)
{
	const struct glyphs *g = view_glyphs(vs->glyph_mode);
	uint16_t st = CANVAS_STYLE(ROLE_COLHDR, CANVAS_BOLD);

	canvas_fill(c, 0, y, c->w, 1, ' ', st);
	for (int i = 0; i < COL_COUNT; i++) {
		char title[32];
		bool sorted = (int)vs->sort_col == i && !vs->tree;
		uint16_t s = sorted ? CANVAS_STYLE(ROLE_COLHDR, CANVAS_BOLD | CANVAS_UNDERLINE) : st;

		if (!L->on[i])
			continue;
		snprintf(title, sizeof(title), "%s%s", view_col_title((enum col_id)i, vs->glyph_mode),
			 sorted ? (vs->sort_reverse == (i == COL_PID || i == COL_USER || i == COL_TTL ||
							  i == COL_CGROUP || i == COL_COMMAND)
					   ? g->down : g->up)
				: "");
		if (i == COL_COMMAND && vs->tree)
			snprintf(title, sizeof(title), "COMMAND (tree)");
		if (col_def(i)->right)
			canvas_text_right(c, L->x[i], y, L->w[i], s, title);
		else
			canvas_text(c, L->x[i], y, L->w[i], s, title);
	}
}

static void draw_cell(struct canvas *c, const struct layout *L, enum col_id col, int y, uint16_t st,
		      const char *text)
{
	if (!L->on[col])
		return;
	if (col_def(col)->right)
		canvas_text_right(c, L->x[col], y, L->w[col], st, text);
	else
		canvas_text(c, L->x[col], y, L->w[col], st, text);
}

/* What COMMAND shows: argv without argv[0]'s directory (the column is
 * narrow; the detail view shows the whole command line), or "[name]" for a
 * process without one (a kernel thread). Caller frees; not yet sanitised. */
static char *command_text(const struct proc_entity *p)
{
	if (p->cmdline && *p->cmdline) {
		const char *end = strchr(p->cmdline, ' ');
		size_t argv0_len = end ? (size_t)(end - p->cmdline) : strlen(p->cmdline);
		const char *slash = memrchr(p->cmdline, '/', argv0_len);

		return xstrdup(slash && slash[1] && slash[1] != ' ' ? slash + 1 : p->cmdline);
	}
	return xasprintf("[%s]", p->name ? p->name : "");
}

static void draw_row(struct canvas *c, const struct model *m, const struct view_state *vs,
		     const struct layout *L, const struct view_row *row, int y, bool cursor)
{
	const struct glyphs *g = view_glyphs(vs->glyph_mode);
	const struct proc_entity *p = row->p;
	const struct series_core *us;
	const struct series_desc *ud = view_urgent_series(p, &us);
	const struct trend_result *r = trend_get(&p->trend), *gr = ud ? trend_get(&us->trend) : NULL;
	uint16_t def = CANVAS_STYLE(p->alive ? ROLE_DEFAULT : ROLE_DIM, 0);
	struct view_limit b;
	char buf[64], *user, *cg, *cmd, *raw;
	int x;

	snprintf(buf, sizeof(buf), "%d", (int)p->pid);
	draw_cell(c, L, COL_PID, y, def, buf);
	user = view_clean(p->user);
	draw_cell(c, L, COL_USER, y, def, user);
	free(user);
	draw_cell(c, L, COL_RSS, y, def, util_fmt_bytes(p->rss_bytes, buf, sizeof(buf)));
	draw_cell(c, L, COL_PSS, y, def, util_fmt_bytes(p->pss_bytes, buf, sizeof(buf)));
	draw_cell(c, L, COL_SWAP, y, def, util_fmt_bytes(p->swap_bytes, buf, sizeof(buf)));
	for (int i = COL_SERIES; i < COL_SERIES + SERIES_N; i++) {
		const struct series_desc *d = col_series(i);
		const struct series_core *s = d && L->on[i] ? d->core(p) : NULL;
		const struct trend_result *g2;
		bool up;
		size_t k;

		if (!s) {
			draw_cell(c, L, (enum col_id)i, y, CANVAS_STYLE(ROLE_DIM, 0), "-");
			continue;
		}
		g2 = trend_get(&s->trend);
		up = g2->verdict == TREND_GROWING || g2->verdict == TREND_LEAK;
		k = strlen(util_fmt_bytes(d->value(p), buf, sizeof(buf)));
		snprintf(buf + k, sizeof(buf) - k, "%s", up ? g->up : "");
		draw_cell(c, L, (enum col_id)i, y, up || g2->oom_imminent ? view_verdict_style(g2) : def, buf);
	}
	/* A series more urgent than the main one (the GPU's) takes the verdict
	 * and TTL cells, marked with its letter. */
	if (gr)
		r = gr;
	view_fmt_slope_min(r->slope_bytes_per_s, buf, sizeof(buf));
	draw_cell(c, L, COL_SLOPE, y,
		  r->verdict == TREND_GROWING || r->verdict == TREND_LEAK ? view_verdict_style(r) : def, buf);
	if (p->alive && gr) {
		snprintf(buf, sizeof(buf), "%c:%s", ud->tui.mark, gr->oom_imminent ? "oom" : view_verdict_word(gr));
		draw_cell(c, L, COL_VERDICT, y, view_verdict_style(r), buf);
	} else if (p->alive) {
		draw_cell(c, L, COL_VERDICT, y, view_verdict_style(r), view_verdict_word(r));
	} else {
		draw_cell(c, L, COL_VERDICT, y, CANVAS_STYLE(ROLE_DIM, 0), "exited");
	}
	/* %LIM and TTL follow the binding limit, marked when it is not the
	 * usual one ("91%AS"; from 100 % on the mark gives way); the TTL is
	 * marked G when the GPU series is the more urgent one. */
	view_limit_of(p, &b);
	if (isnan(b.pct))
		snprintf(buf, sizeof(buf), "-");
	else if (snprintf(buf, sizeof(buf), "%.0f%%%s", b.pct, b.mark ? b.mark : "") > col_def(COL_LIMIT)->width)
		snprintf(buf, sizeof(buf), "%.0f%%", b.pct);
	draw_cell(c, L, COL_LIMIT, y, p->alive ? view_pct_style(m, b.pct) : def, buf);
	if (gr) {
		buf[0] = ud->tui.mark;
		view_fmt_ttl_short(r, g, buf + 1, sizeof(buf) - 1);
		if (!strcmp(buf + 1, "-"))
			snprintf(buf, sizeof(buf), "-");
	} else {
		view_fmt_ttl_short(&b.r, g, buf, sizeof(buf));
	}
	draw_cell(c, L, COL_TTL, y,
		  (gr ? r : &b.r)->oom_imminent ? CANVAS_STYLE(ROLE_CRIT, CANVAS_BOLD) :
		  strcmp(buf, "-") ? CANVAS_STYLE(ROLE_WARN, 0) : def,
		  buf);
	if (L->on[COL_CGROUP]) {
		/* The container's name or the unit, when the path shows one. */
		cg = view_clean(p->container.label ? p->container.label : p->cgroup ? p->cgroup : "-");
		canvas_text_tail(c, L->x[COL_CGROUP], y, L->w[COL_CGROUP], def, cg);
		free(cg);
	}
	x = L->x[COL_COMMAND];
	if (vs->tree && row->depth > 0) {
		for (int d = 1; d < row->depth; d++)
			x += canvas_text(c, x, y, c->w - x, CANVAS_STYLE(ROLE_DIM, 0),
					 row->more_below & (1u << d) ? g->tree_pipe : g->tree_blank);
		x += canvas_text(c, x, y, c->w - x, CANVAS_STYLE(ROLE_DIM, 0),
				 row->last_child ? g->tree_last : g->tree_mid);
	}
	raw = command_text(p);
	cmd = view_clean(raw);
	canvas_text(c, x, y, c->w - x, view_is_tagged(vs, p) ? CANVAS_STYLE(ROLE_TAG, CANVAS_BOLD) : def,
		    cmd);
	free(cmd);
	free(raw);
	if (view_is_tagged(vs, p))
		canvas_text(c, 0, y, 1, CANVAS_STYLE(ROLE_TAG, CANVAS_BOLD), g->tag);
	if (cursor)
		canvas_restyle(c, 0, y, c->w, CANVAS_STYLE(ROLE_CURSOR, 0));
}

static void draw_chooser(struct canvas *c, const struct model *m, const struct view_state *vs, int y0,
			 int rows)
{
	enum col_id ch[COL_COUNT];
	int n = view_table_sort_choices(m, ch), w = 16, top = 0;
	uint16_t box = CANVAS_STYLE(ROLE_COLHDR, CANVAS_BOLD);

	if (rows < 2)
		return;
	canvas_fill(c, 0, y0, w, rows, ' ', CANVAS_STYLE(ROLE_DEFAULT, 0));
	canvas_fill(c, 0, y0, w, 1, ' ', box);
	canvas_text(c, 0, y0, w, box, "Sort by");
	if (vs->chooser_sel >= rows - 1)
		top = vs->chooser_sel - (rows - 2);
	for (int i = top; i < n && y0 + 1 + i - top < y0 + rows; i++) {
		int y = y0 + 1 + i - top;
		bool sel = i == vs->chooser_sel;

		bool cur = ch[i] == vs->sort_col;

		canvas_text(c, 1, y, w - 2, CANVAS_STYLE(ROLE_DEFAULT, cur ? CANVAS_BOLD : 0),
			    view_col_title(ch[i], vs->glyph_mode));
		if (cur)
			canvas_text(c, w - 3, y, 2, CANVAS_STYLE(ROLE_DEFAULT, CANVAS_BOLD), "<");
		if (sel)
			canvas_restyle(c, 0, y, w, CANVAS_STYLE(ROLE_CURSOR, 0));
	}
	for (int y = y0; y < y0 + rows; y++)
		canvas_put(c, w, y, view_glyphs(vs->glyph_mode)->vline, CANVAS_STYLE(ROLE_DIM, 0));
}

/* The latest event, one line. */
static void draw_last_event(struct canvas *c, const struct model *m, const struct glyphs *g, int y)
{
	const struct event *e;
	uint16_t st;

	if (!m || m->ev_len == 0)
		return;
	e = model_event_at(m, m->ev_len - 1);
	if (!e)
		return;
	st = CANVAS_STYLE(e->kind == EV_OOM_KILL || e->kind == EV_OOM_IMMINENT ? ROLE_CRIT : ROLE_EVENT, 0);
	view_event_draw(c, 0, y, c->w, e, g, st);
}

/* Growing, leaking and oom_imminent processes that the filter lets through
 * but the page does not show: in rows[] order, at most max, into out. */
static int flagged_hidden(const struct view_state *vs, int top, int page, const struct view_row **out,
			  int max)
{
	int n = 0;

	for (size_t i = 0; i < vs->n_rows && n < max; i++) {
		const struct proc_entity *p = vs->rows[i].p;
		const struct trend_result *r = trend_get(&p->trend);

		if ((int)i >= top && (int)i < top + page)
			continue;
		if (p->alive && (r->oom_imminent || r->verdict == TREND_GROWING || r->verdict == TREND_LEAK))
			out[n++] = &vs->rows[i];
	}
	return n;
}

/* One line for the flagged processes off the page, worst first, so a
 * growing process shows within a tick of its verdict whatever the sort. */
static void draw_flagged(struct canvas *c, const struct view_state *vs, const struct view_row **fl, int n,
			 int y)
{
	const struct glyphs *g = view_glyphs(vs->glyph_mode);
	int x = 0, worst = 0;

	for (int i = 1; i < n; i++)
		if (verdict_rank(trend_get(&fl[i]->p->trend)) > verdict_rank(trend_get(&fl[worst]->p->trend)))
			worst = i;
	canvas_fill(c, 0, y, c->w, 1, ' ', CANVAS_STYLE(ROLE_DEFAULT, 0));
	x += canvas_printf(c, x, y, c->w, CANVAS_STYLE(ROLE_WARN, CANVAS_BOLD), "%zu off-page%s",
			   (size_t)n, g->sep);
	for (int k = 0; k < n && x < c->w; k++) {
		/* The worst first, then the others in table order. */
		const struct proc_entity *p = fl[k == 0 ? worst : k <= worst ? k - 1 : k]->p;
		const struct trend_result *r = trend_get(&p->trend);
		char slope[24], *raw = command_text(p), *cmd;

		/* The first two words say which program it is. */
		for (char *q = strchr(raw, ' '); q; q = NULL) {
			char *q2 = strchr(q + 1, ' ');

			if (q2)
				*q2 = '\0';
		}
		cmd = view_clean(raw);
		view_fmt_slope_min(r->slope_bytes_per_s, slope, sizeof(slope));
		x += canvas_printf(c, x, y, c->w - x, view_verdict_style(r), "%s%d %s %s %s/min", k ? g->sep : "",
				   (int)p->pid, cmd, view_verdict_word(r), slope);
		free(cmd);
		free(raw);
	}
}

void view_table_draw(struct canvas *c, const struct model *m, struct view_state *vs)
{
	const struct view_row *flagged[8];
	struct layout L;
	int y, status_rows, bottom, rows, n_flagged = 0;
	bool ev_line;

	if (c->h <= 0 || c->w <= 0)
		return;
	view_table_sync(m, vs);
	y = view_header_draw(c, m, vs, 0);
	status_rows = view_status_draw(c, vs, c->h / 4 > 1 ? c->h / 4 : 1);
	ev_line = status_rows == 0 && c->h >= 16 && m && m->ev_len > 0;
	bottom = c->h - 1 - status_rows - (ev_line ? 1 : 0); /* first row below the table */
	if (y >= bottom)
		y = 0, bottom = c->h - 1;
	if (c->h == 1)
		bottom = 1;
	if (!m) {
		canvas_text(c, 0, y < bottom ? y : 0, c->w, CANVAS_STYLE(ROLE_DIM, 0),
			    "waiting for the first sample");
		return;
	}
	layout_columns(c, m, &L);
	if (y < bottom - 1)
		draw_colhdr(c, vs, &L, y++);
	rows = bottom - y;
	for (int pass = 0; pass < 2; pass++) {
		vs->page_rows = rows > 0 ? rows : 1;
		/* Keep the cursor row in view. */
		if (vs->cursor_idx < vs->top)
			vs->top = vs->cursor_idx;
		if (vs->cursor_idx >= vs->top + vs->page_rows)
			vs->top = vs->cursor_idx - vs->page_rows + 1;
		if (vs->top > (int)vs->n_rows - vs->page_rows)
			vs->top = (int)vs->n_rows - vs->page_rows;
		if (vs->top < 0)
			vs->top = 0;
		/* Growing processes off the page take the table's last row. */
		n_flagged = rows >= 4 ? flagged_hidden(vs, vs->top, vs->page_rows, flagged, 8) : 0;
		if (n_flagged == 0 || pass == 1)
			break;
		rows--;
	}
	if (vs->n_rows == 0 && rows > 0) {
		if (vs->filter[0] || vs->tagged_only)
			canvas_text(c, 1, y, c->w - 1, CANVAS_STYLE(ROLE_DIM, 0),
				    vs->tagged_only && !vs->filter[0] ? "no tagged process (T shows all)"
								     : "no process matches the filter");
		else
			canvas_text(c, 1, y, c->w - 1, CANVAS_STYLE(ROLE_DIM, 0), "no processes");
	}
	for (int i = 0; i < rows && vs->top + i < (int)vs->n_rows; i++) {
		int idx = vs->top + i;

		draw_row(c, m, vs, &L, &vs->rows[idx], y + i, idx == vs->cursor_idx);
	}
	if (n_flagged > 0)
		draw_flagged(c, vs, flagged, n_flagged, y + rows);
	if (vs->chooser_open)
		draw_chooser(c, m, vs, y - 1, rows + 1);
	if (ev_line)
		draw_last_event(c, m, view_glyphs(vs->glyph_mode), c->h - 2);
}

/* ---- keys ------------------------------------------------------------ */

/* A key typed into a text field of cap bytes: Backspace drops one whole
 * UTF-8 sequence, Ctrl-U clears, a printable character is appended.
 * Returns true when the text changed. */
static bool text_key(char *text, size_t cap, uint32_t k)
{
	size_t len = strlen(text);

	if (k == VK_BACKSPACE) {
		while (len > 0 && ((unsigned char)text[len - 1] & 0xc0) == 0x80)
			len--;
		if (len > 0)
			len--;
		text[len] = '\0';
		return true;
	}
	if (k == VK_CTRL('u')) {
		text[0] = '\0';
		return true;
	}
	if (k >= 0x20 && k != 0x7f && !(k >= 0x80 && k < 0xa0) && k < VK_ENTER) {
		char enc[8];
		int n = canvas_utf8_encode(k, enc);

		if (len + (size_t)n < cap) {
			memcpy(text + len, enc, (size_t)n + 1);
			return true;
		}
	}
	return false;
}

static void filter_key(struct view_state *vs, uint32_t k)
{
	if (k == VK_ENTER || k == VK_F(4)) {
		vs->filter_editing = false;
	} else if (k == VK_ESC) {
		vs->filter_editing = false;
		vs->filter[0] = '\0';
	} else {
		text_key(vs->filter, sizeof(vs->filter), k);
	}
	vs->top = 0;
}

/* htop's search: a case-insensitive substring of the name, command line or
 * user, or the PID. */
static bool search_match(const struct proc_entity *p, const char *text)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", (int)p->pid);
	return (p->name && strcasestr(p->name, text)) || (p->cmdline && strcasestr(p->cmdline, text)) ||
	       (p->user && strcasestr(p->user, text)) || strcmp(pid, text) == 0;
}

/* Put the cursor on the first row from cursor_idx + skip (wrapping) that
 * matches the search; it stays put when none does. */
static void search_jump(const struct model *m, struct view_state *vs, int skip)
{
	int n;

	view_table_sync(m, vs);
	n = (int)vs->n_rows;
	if (!vs->search[0] || n == 0)
		return;
	for (int i = 0; i < n; i++) {
		int idx = (vs->cursor_idx + skip + i) % n;

		if (search_match(vs->rows[idx].p, vs->search)) {
			view_table_move(vs, idx - vs->cursor_idx);
			return;
		}
	}
}

static void search_key(const struct model *m, struct view_state *vs, uint32_t k)
{
	if (k == VK_ENTER || k == VK_ESC)
		vs->search_editing = false;
	else if (k == VK_F(3))
		search_jump(m, vs, 1);
	else if (text_key(vs->search, sizeof(vs->search), k))
		search_jump(m, vs, 0);
}

static void chooser_key(const struct model *m, struct view_state *vs, uint32_t k)
{
	enum col_id ch[COL_COUNT];
	int n = view_table_sort_choices(m, ch);

	if (k == VK_UP && vs->chooser_sel > 0) {
		vs->chooser_sel--;
	} else if (k == VK_DOWN && vs->chooser_sel < n - 1) {
		vs->chooser_sel++;
	} else if (k == VK_HOME) {
		vs->chooser_sel = 0;
	} else if (k == VK_END) {
		vs->chooser_sel = n - 1;
	} else if (k == VK_ENTER) {
		if (ch[vs->chooser_sel] == vs->sort_col) {
			vs->sort_reverse = !vs->sort_reverse;
		} else {
			vs->sort_col = ch[vs->chooser_sel];
			vs->sort_reverse = false;
		}
		vs->tree = false;
		vs->chooser_open = false;
	} else if (k == VK_ESC || k == 's' || k == 'q' || k == VK_F(6) || k == VK_F(10)) {
		vs->chooser_open = false;
	}
}

bool view_table_modal_key(const struct model *m, struct view_state *vs, uint32_t key)
{
	if (vs->filter_editing)
		filter_key(vs, key);
	else if (vs->search_editing)
		search_key(m, vs, key);
	else if (vs->chooser_open)
		chooser_key(m, vs, key);
	else
		return false;
	return true;
}

static int page_of(int rows)
{
	return rows > 1 ? rows - 1 : 1;
}

static enum view_cmd key_move(const struct model *m, struct view_state *vs, uint32_t key)
{
	view_table_sync(m, vs);
	switch (key) {
	case VK_UP:
		view_table_move(vs, -1);
		break;
	case VK_DOWN:
		view_table_move(vs, 1);
		break;
	case VK_PPAGE:
		view_table_move(vs, -page_of(vs->page_rows));
		break;
	case VK_NPAGE:
		view_table_move(vs, page_of(vs->page_rows));
		break;
	case VK_HOME:
	case VK_END:
		/* In a replay these move through the log instead. */
		if (vs->replay)
			return VIEW_CMD_PASS;
		view_table_move(vs, key == VK_HOME ? -(int)vs->n_rows : (int)vs->n_rows);
		break;
	default:
		break;
	}
	return VIEW_CMD_NONE;
}

static enum view_cmd key_detail(const struct model *m, struct view_state *vs, uint32_t key)
{
	struct proc_entity *p;

	(void)key;
	view_table_sync(m, vs);
	p = view_table_cursor(vs);
	if (p) {
		vs->detail_pid = p->pid;
		vs->view = VIEW_DETAIL;
		vs->zoom_fit = true;
	}
	return VIEW_CMD_NONE;
}

static enum view_cmd key_sort_chooser(const struct model *m, struct view_state *vs, uint32_t key)
{
	enum col_id ch[COL_COUNT];
	int n = view_table_sort_choices(m, ch);

	(void)key;
	vs->chooser_sel = 0;
	for (int i = 0; i < n; i++)
		if (ch[i] == vs->sort_col)
			vs->chooser_sel = i;
	vs->chooser_open = true;
	return VIEW_CMD_NONE;
}

static enum view_cmd key_sort_by(const struct model *m, struct view_state *vs, uint32_t key)
{
	(void)m;
	vs->sort_col = key == 'g' ? COL_SLOPE : COL_RSS; /* m, M */
	vs->sort_reverse = false;
	vs->tree = false;
	return VIEW_CMD_NONE;
}

static enum view_cmd key_reverse(const struct model *m, struct view_state *vs, uint32_t key)
{
	(void)m;
	(void)key;
	vs->sort_reverse = !vs->sort_reverse;
	return VIEW_CMD_NONE;
}

static enum view_cmd key_filter(const struct model *m, struct view_state *vs, uint32_t key)
{
	(void)m;
	(void)key;
	vs->filter_editing = true;
	return VIEW_CMD_NONE;
}

static enum view_cmd key_search(const struct model *m, struct view_state *vs, uint32_t key)
{
	(void)key;
	vs->search_editing = true;
	search_jump(m, vs, 0);
	return VIEW_CMD_NONE;
}

static enum view_cmd key_unfilter(const struct model *m, struct view_state *vs, uint32_t key)
{
	(void)m;
	(void)key;
	vs->filter[0] = '\0';
	return VIEW_CMD_NONE;
}

static enum view_cmd key_tree(const struct model *m, struct view_state *vs, uint32_t key)
{
	(void)m;
	(void)key;
	vs->tree = !vs->tree;
	return VIEW_CMD_NONE;
}

static enum view_cmd key_tag(const struct model *m, struct view_state *vs, uint32_t key)
{
	struct proc_entity *p;

	(void)key;
	view_table_sync(m, vs);
	p = view_table_cursor(vs);
	if (p) {
		view_toggle_tag(vs, p);
		view_table_move(vs, 1);
	}
	return VIEW_CMD_NONE;
}

static enum view_cmd key_tagged_only(const struct model *m, struct view_state *vs, uint32_t key)
{
	(void)m;
	(void)key;
	vs->tagged_only = !vs->tagged_only;
	return VIEW_CMD_NONE;
}

static enum view_cmd key_untag(const struct model *m, struct view_state *vs, uint32_t key)
{
	(void)m;
	(void)key;
	view_clear_tags(vs);
	vs->tagged_only = false;
	return VIEW_CMD_NONE;
}

/* Esc: the filter first, then the status message. */
static enum view_cmd key_esc(const struct model *m, struct view_state *vs, uint32_t key)
{
	(void)m;
	(void)key;
	if (vs->filter[0]) {
		vs->filter[0] = '\0';
	} else {
		free(vs->status);
		vs->status = NULL;
	}
	return VIEW_CMD_NONE;
}

static const struct view_binding table_bindings[] = {
	{"move", {VK_UP, VK_DOWN}, key_move, "Up Down",
	 "move the cursor (it follows the process as rows reorder)", NULL, NULL, NULL},
	{"page", {VK_PPAGE, VK_NPAGE}, key_move, "PgUp PgDn", "move by a page", NULL, NULL, NULL},
	{"ends", {VK_HOME, VK_END}, key_move, "Home End", "first / last row", NULL, NULL, NULL},
	{"detail", {VK_ENTER}, key_detail, "Enter", "detail view of the process under the cursor",
	 "Enter", NULL, "detail"},
	{"sort", {'s', VK_F(6)}, key_sort_chooser, "s  F6", "choose the sort column (Enter picks, again reverses)",
	 "s", NULL, "sort"},
	{"growth", {'g'}, key_sort_by, "g  m  M", "sort by growth (slope) / by memory (RSS)", "g", NULL,
	 "growth"},
	{"memory", {'m', 'M'}, key_sort_by, NULL, NULL, "m", NULL, "memory"},
	{"reverse", {'I'}, key_reverse, "I", "reverse the sort order", NULL, NULL, NULL},
	{"filter", {'/', VK_F(4)}, key_filter, "/  F4", "filter: case-insensitive substring, or a regex if it is one",
	 "/", NULL, "filter"},
	{"search", {VK_F(3)}, key_search, "F3", "search: the cursor jumps to a match (F3 again: the next)", "F3",
	 NULL, "search"},
	{"unfilter", {'\\'}, key_unfilter, "\\", "clear the filter", NULL, NULL, NULL},
	{"tree", {'t', VK_F(5)}, key_tree, "t  F5", "tree view by parent process", "t", NULL, "tree"},
	{"tag", {' '}, key_tag, "space", "tag or untag the process (cursor moves down)", "space", NULL,
	 "tag"},
	{"tagged-only", {'T'}, key_tagged_only, "T  U", "show only tagged processes (marked in the key bar) / untag all",
	 NULL, NULL, NULL},
	{"untag-all", {'U'}, key_untag, NULL, NULL, NULL, NULL, NULL},
	{"clear", {VK_ESC}, key_esc, NULL, NULL, NULL, NULL, NULL},
};

const struct view_keymap view_table_keys = VIEW_KEYMAP("Process table", table_bindings);
