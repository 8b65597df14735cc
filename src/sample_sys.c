/* sample_sys: /proc/meminfo, vm.overcommit_memory and system PSI. */
#include "sample_sys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

int sample_sys_parse_meminfo(const char *text, struct system_sample *out)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{"MemTotal:", offsetof(struct system_sample, mem_total_bytes)},
		{"MemAvailable:", offsetof(struct system_sample, mem_available_bytes)},
		{"MemFree:", offsetof(struct system_sample, mem_free_bytes)},
		{"SwapTotal:", offsetof(struct system_sample, swap_total_bytes)},
		{"SwapFree:", offsetof(struct system_sample, swap_free_bytes)},
		{"CommitLimit:", offsetof(struct system_sample, commit_limit_bytes)},
		{"Committed_AS:", offsetof(struct system_sample, committed_as_bytes)},
	};
	const char *line = text;
	int found = 0;

	while (line && *line) {
		const char *nl = strchr(line, '\n');

		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			size_t kl = strlen(keys[i].key);
			unsigned long long v;
			char *end;

			if (strncmp(line, keys[i].key, kl) != 0)
				continue;
			errno = 0;
			v = strtoull(line + kl, &end, 10);
			if (end == line + kl || errno || v > (unsigned long long)INT64_MAX / 1024)
				continue;
			*(int64_t *)((char *)out + keys[i].off) = (int64_t)v * 1024;
			found++;
		}
		line = nl ? nl + 1 : NULL;
	}
	return found ? 0 : -1;
}

int sample_sys_parse_overcommit(const char *text)
{
	char *end;
	long v = strtol(text, &end, 10);

	return end != text && (*end == '\n' || *end == '\0') && v >= 0 && v <= 2 ? (int)v : -1;
}

void sample_sys_read(struct system_sample *out)
{
	char *text;

	out->mem_total_bytes = out->mem_available_bytes = out->mem_free_bytes = MS_ABSENT;
	out->swap_total_bytes = out->swap_free_bytes = MS_ABSENT;
	out->commit_limit_bytes = out->committed_as_bytes = MS_ABSENT;
	/* Strict overcommit makes CommitLimit a limit for every process. */
	out->overcommit_mode = -1;
	text = util_read_kept("/proc/sys/vm/overcommit_memory", NULL);
	if (text) {
		out->overcommit_mode = sample_sys_parse_overcommit(text);
		free(text);
	}
	memset(&out->pressure, 0, sizeof(out->pressure));
	text = util_read_kept("/proc/meminfo", NULL);
	if (text) {
		sample_sys_parse_meminfo(text, out);
		free(text);
	}
	text = util_read_kept("/proc/pressure/memory", NULL);
	if (text) {
		if (cgroup_parse_psi(text, &out->pressure) < 0)
			memset(&out->pressure, 0, sizeof(out->pressure));
		free(text);
	}
}

void sample_self_read(struct sample_self *st, struct model_self *out)
{
	char *text = util_read_kept("/proc/self/stat", NULL);
	int64_t now = util_now_mono_ms();

	if (!st->hertz)
		st->hertz = sysconf(_SC_CLK_TCK);
	if (text) {
		/* utime and stime are fields 14 and 15, after the ")" of comm. */
		char *p = strrchr(text, ')');
		unsigned long long utime = 0, stime = 0;

		if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
				&stime) == 2) {
			int64_t ticks = (int64_t)(utime + stime);

			if (st->wall_prev_ms > 0 && now > st->wall_prev_ms)
				out->cpu_pct = 100.0 * (double)(ticks - st->cpu_ticks_prev) /
						     (double)st->hertz * 1000.0 /
						     (double)(now - st->wall_prev_ms);
			st->cpu_ticks_prev = ticks;
			st->wall_prev_ms = now;
		}
		free(text);
	}
	text = util_read_kept("/proc/self/statm", NULL);
	if (text) {
		unsigned long long size, res;

		if (sscanf(text, "%llu %llu", &size, &res) == 2)
			out->rss_bytes = (int64_t)res * sysconf(_SC_PAGESIZE);
		free(text);
	}
}
