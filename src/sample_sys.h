/* sample_sys: machine-wide memory figures (sample stage): /proc/meminfo
 * (CommitLimit and Committed_AS too), /proc/sys/vm/overcommit_memory and
 * /proc/pressure/memory. Unreadable values are MS_ABSENT; a kernel without
 * PSI gives pressure.present = false. */
#ifndef MEMSLOPE_SAMPLE_SYS_H
#define MEMSLOPE_SAMPLE_SYS_H

#include "model.h"

void sample_sys_read(struct system_sample *out);
/* Pure parser for /proc/meminfo text; fills the fields it finds. */
int sample_sys_parse_meminfo(const char *text, struct system_sample *out);
/* vm.overcommit_memory's text: 0, 1 or 2; -1 when not one of those. */
int sample_sys_parse_overcommit(const char *text);

/* memslope's own CPU (% of a core since the last call) and RSS. */
struct sample_self {
	int64_t cpu_ticks_prev, wall_prev_ms;
	long hertz;              /* 0: not known yet */
};
void sample_self_read(struct sample_self *st, struct model_self *out);

#endif
