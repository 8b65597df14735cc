/* footprint: memslope's memory with N processes and an hour of history,
 * without waiting an hour.
 *
 * usage: footprint [N [SAMPLES]]   (default 1000 processes, 3600 samples)
 * Builds a model as memslope's tick does (model_proc_add, the identity
 * strings, history_push of RSS and trend_push of RssAnon+swap per process
 * per sample, 1 s apart, with a little noise and a few growing processes),
 * then prints this process's VmRSS and VmHWM and the model's share.
 * Linked against libmemslope.a, so it measures the real structures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "model.h"
#include "trend.h"
#include "util.h"

static long status_kb(const char *key)
{
	char line[256];
	long v = -1;
	size_t kl = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, kl) == 0)
			v = strtol(line + kl, NULL, 10);
	fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	int samples = argc > 2 ? atoi(argv[2]) : 3600;
	long rss0 = status_kb("VmRSS:");
	struct model *m = model_new("bench", 1000);
	unsigned seed = 12345;

	for (int i = 0; i < n; i++) {
		struct proc_entity *p = model_proc_add(m, 10000 + i, 1000 + (uint64_t)i);

		p->name = xstrdup("sleep");
		p->user = xstrdup("root");
		p->cmdline = xstrdup("sleep infinity --some-typical-arguments /var/lib/example");
		p->limit_source = xstrdup("machine");
	}
	for (int s = 0; s < samples; s++) {
		int64_t t = 1000000 + (int64_t)s * 1000;

		for (size_t i = 0; i < m->n_procs; i++) {
			struct proc_entity *p = m->procs[i];
			int64_t base = (int64_t)(1 + i % 50) * 1024 * 1024;
			int64_t grow = i % 100 == 0 ? (int64_t)s * 4096 : 0;
			int64_t x;

			seed = seed * 1103515245u + 12345u;
			x = base + grow + (int64_t)(seed >> 16) % 65536;
			history_push(&p->hist_rss, t, x + 512 * 1024);
			trend_push(&p->trend, t, x, 20LL << 30, MS_ABSENT);
		}
	}
	printf("VmRSS %.1f MB, VmHWM %.1f MB (%.1f MB before the model); per process: entity %zu B + history %zu B\n",
	       (double)status_kb("VmRSS:") / 1024, (double)status_kb("VmHWM:") / 1024, (double)rss0 / 1024,
	       sizeof(struct proc_entity), history_bytes_per_series());
	model_free(m);
	return 0;
}
