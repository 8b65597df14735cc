/* events: what the model says happened, and the --check gate (update stage).
 *
 * Every event message is written here: process starts and exits, cgroups
 * gone, memory.events counters, and the analysis events raised when an
 * entity's verdict, usage level or OOM forecast changes (its marks). The
 * same pass collects the --check reasons. update.c calls these; nothing
 * else raises events except the alert hooks. */
#ifndef MEMSLOPE_EVENTS_H
#define MEMSLOPE_EVENTS_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"

/* --check: what fails the run, and the reasons found so far (each once). */
struct check_state {
	bool on;
	double max_growth_bytes_per_s; /* <= 0: unset */
	const char *max_growth_arg;    /* --max-growth as typed (the options' string) */
	double max_usage_pct;          /* <= 0: unset */
	char **reasons;
	size_t n;
};

void events_check_add(struct check_state *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "check passed" or one "check failed: REASON" line each; nothing when off. */
void events_check_print(const struct check_state *c, FILE *f);
void events_check_done(struct check_state *c);

/* 0 below --warn-pct, 1 warn, 2 crit (NAN: 0). */
int events_level(const struct model *m, double usage_pct);

void events_proc_start(struct model *m, const struct proc_entity *p);
void events_proc_exit(struct model *m, const struct proc_entity *p);
void events_cgroup_gone(struct model *m, const struct cgroup_entity *c);
/* memory.events counters that went up since the last read (c->prev_events
 * is then updated): oom_kill is EV_OOM_KILL, the others EV_CGROUP_EVENT. */
void events_cgroup_counters(struct model *m, struct cgroup_entity *c);

/* One series' marks against its trend result and usage (% of its limit,
 * NAN: none): EV_VERDICT, EV_THRESHOLD and EV_OOM_IMMINENT on change, and
 * the --check reasons; what names the series in messages ("process 12
 * (python3)"). pid or cgroup say whom the events are about. */
void events_marks(struct model *m, struct check_state *check, struct entity_marks *mk,
		  const struct trend_result *r, double usage_pct, pid_t pid, const char *cgroup,
		  const char *what);
/* True when events_marks would do nothing (skip building what). */
bool events_marks_quiet(const struct model *m, const struct check_state *check,
			const struct entity_marks *mk, const struct trend_result *r, double usage_pct);

/* After the entities are updated: each live entity's marks against its
 * trend and usage; events on change; --check reasons. */
void events_tick(struct model *m, struct check_state *check);

#endif
