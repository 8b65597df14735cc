/* sample_sys: machine-wide memory figures (sample stage): /proc/meminfo and
 * /proc/pressure/memory. Unreadable values are MS_ABSENT; a kernel without
 * PSI gives pressure.present = false. */
#ifndef MEMSLOPE_SAMPLE_SYS_H
#define MEMSLOPE_SAMPLE_SYS_H

#include "model.h"

void sample_sys_read(struct system_sample *out);
/* Pure parser for /proc/meminfo text; fills the fields it finds. */
int sample_sys_parse_meminfo(const char *text, struct system_sample *out);

#endif
