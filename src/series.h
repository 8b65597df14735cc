/* series: the table of series kinds, the one description of a series.
 *
 * Every kind of series (a process's memory, its GPU memory, a tree's, a
 * cgroup's) is one row of series_table[], indexed by enum series_id
 * (model.h). A row says which entity kind carries it, where its core is,
 * and everything each output needs to show it: its JSON keys, its
 * Prometheus families, the detail view's words. The analysis events and the
 * --check gate (events.c), the JSON documents (out_json.c), the metrics
 * file (out_prom.c) and the detail view (view_detail.c) walk the table and
 * name no series themselves, so a new series is one row here. */
#ifndef MEMSLOPE_SERIES_H
#define MEMSLOPE_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "canvas.h"
#include "model.h"

/* What a Prometheus gauge of a series reads. */
enum series_gauge {
	SG_VALUE,   /* the series' value */
	SG_LIMIT,   /* its limit */
	SG_RATIO,   /* value / limit, 0..1 */
	SG_SLOPE,   /* fitted growth, bytes/s */
	SG_LEAK,    /* 1 when the verdict is leak */
	SG_GROWING, /* 1 when growing or leak */
	SG_OOM,     /* 1 when its limit is predicted soon */
	SG_TTL,     /* seconds to its limit */
	SG_N
};

/* Which entities a series' Prometheus families cover. */
enum series_scope {
	/* The entity kind's exported ones (processes: the --prom-top pick;
	 * live trees; existing cgroups), labelled as its other families. */
	SERIES_SCOPE_ENTITY,
	/* Only where GPUs were read (the families are absent otherwise, so a
	 * machine without NVIDIA's library exports what it did): every live
	 * entity holding the series, labelled pid and name. */
	SERIES_SCOPE_GPU,
};

struct series_desc {
	char kind;             /* 'p' process, 't' tree, 'c' cgroup */
	bool main;             /* the entity's main series: its trend is the entity's "trend" */
	const char *suffix;    /* events: what it is after the entity's label */
	/* Its core in entity; NULL when this entity has none (never on a GPU). */
	struct series_core *(*core)(const void *entity);
	int64_t (*value)(const void *entity); /* what its trend is fed; MS_ABSENT */
	int64_t (*peak)(const void *entity);  /* its highest value; NULL: none kept */
	/* JSON keys in the entity's object (NULL: not written). The main
	 * series' trend is written last, under "trend", apart from the body
	 * (out_json_line keeps the two texts apart). */
	struct {
		const char *value, *peak, *per_gpu, *limit, *source, *usage, *trend;
	} json;
	struct {
		enum series_scope scope;
		/* Its TTL as a sample of memslope_time_to_limit_seconds with
		 * entity="ttl_entity" and target="max"/"high"; NULL: not there. */
		const char *ttl_entity;
		struct {
			const char *name, *help; /* NULL name: not exported */
		} gauge[SG_N];
	} prom;
	struct {
		const char *label;     /* what the detail view calls it */
		enum canvas_role role; /* its colour there */
		/* A process's other series more urgent than its main one takes
		 * the table's verdict and TTL cells, marked with this ("G:leak",
		 * "G4m"), and the detail view's evidence and trend line, drawn
		 * from hist (view_urgent_series). */
		char mark;
		const struct history *(*hist)(const void *entity);
		char glyph;            /* its curve on the detail plot, ASCII mode */
		/* A process series with a column in the table: its title and
		 * width; the cell is its value, with an up arrow while it grows.
		 * NULL: no column. */
		const char *column;
		int column_width;
		/* Its words on the detail view's limits line (text; usage, drawn in
		 * the warn/crit style of its percentage, "" when none); false: not
		 * shown for this entity. */
		bool (*detail)(const void *entity, const struct series_core *s, char *text, size_t text_cap,
			       char *usage, size_t usage_cap);
	} tui;
};

extern const struct series_desc series_table[SERIES_N];

/* The value of gauge g of series s (NAN: no sample). */
double series_gauge_value(const struct series_desc *d, const void *entity, const struct series_core *s,
			  enum series_gauge g);
/* The entity's main series (its kind's row with .main). */
enum series_id series_main_of(char kind);

#endif
