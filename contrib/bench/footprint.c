/* footprint: memslope's memory with N processes and an hour of history,
 * without waiting an hour.
 *
 * usage: footprint [N [SAMPLES [MODE]]]  (default 1000 processes, 3600 samples)
 * Builds a model as memslope's tick does (model_proc_add, the identity
 * strings, history_push of RSS and trend_push of RssAnon+swap per process
 * per sample, 1 s apart, one process in 100 growing), then prints this
 * process's VmRSS and VmHWM, the heap in use and the model's share. MODE:
 *   idle      RSS constant but for the growing ones, as `sleep` and most
 *             processes on a machine (the benchmark's N idle processes);
 *   varying   every RSS moves a little every sample: the worst case for
 *             history, every series holds its block;
 *   headless  as idle, without history (memslope --log, --prom-file).
 * Without MODE, each runs in its own child process (own VmHWM), one line
 * each. Linked against libmemslope.a, so it measures the real structures. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

static int run(int n, int samples, const char *mode)
{
	bool varying = strcmp(mode, "varying") == 0, hist = strcmp(mode, "headless") != 0;
	long rss0 = status_kb("VmRSS:");
	size_t heap0 = mallinfo2().uordblks, dense = 0;
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
			/* RSS is whole pages; noise only where the mode says. */
			x = base + grow + (varying ? (int64_t)(seed >> 16) % 16 * 4096 : 0);
			if (hist)
				history_push(&p->hist_rss, t, x + 512 * 1024);
			trend_push(&p->trend, t, x, 20LL << 30, MS_ABSENT);
		}
	}
	for (size_t i = 0; i < m->n_procs; i++)
		dense += history_is_dense(&m->procs[i]->hist_rss);
	printf("%-8s VmRSS %.1f MB, VmHWM %.1f MB (%.1f MB before the model), heap in use %.2f MB; "
	       "per process: entity %zu B (history struct %zu B) + history block %zu B in %zu of %d\n",
	       mode, (double)status_kb("VmRSS:") / 1024, (double)status_kb("VmHWM:") / 1024, (double)rss0 / 1024,
	       (double)(mallinfo2().uordblks - heap0) / (1 << 20), sizeof(struct proc_entity),
	       sizeof(struct history), history_bytes_per_series() - sizeof(struct history), dense, n);
	fflush(stdout);
	model_free(m);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const modes[] = {"idle", "varying", "headless"};
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	int samples = argc > 2 ? atoi(argv[2]) : 3600;

	if (argc > 3)
		return run(n, samples, argv[3]);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		pid_t pid = fork();
		int st;

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0)
			_exit(run(n, samples, modes[i]));
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			return 1;
	}
	return 0;
}
