/* floor: the raw cost of reading every process's statm by pread on a
 * kept-open descriptor, the floor memslope's sampler is measured against.
 *
 * usage: floor [SAMPLES]   (default 20)
 * Opens /proc/PID/statm of every PID once, then SAMPLES times preads and
 * parses all of them; prints the median microseconds per process per
 * sample (CPU time, kernel included, like memslope's own figure) and the
 * process count. Build: cc -O2 -o floor floor.c */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); /* CPU time, as memslope reports */
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int samples = argc > 1 ? atoi(argv[1]) : 20;
	struct rlimit rl;
	DIR *d;
	struct dirent *de;
	int *fds = NULL;
	size_t n = 0, cap = 0;
	double *per = NULL;
	volatile unsigned long long sink = 0;

	if (samples < 1)
		samples = 1;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	d = opendir("/proc");
	if (!d) {
		perror("/proc");
		return 1;
	}
	while ((de = readdir(d))) {
		char path[300];
		int fd;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/statm", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			fds = realloc(fds, cap * sizeof(*fds));
			if (!fds)
				return 1;
		}
		fds[n++] = fd;
	}
	closedir(d);
	if (!n) {
		fprintf(stderr, "floor: no process readable\n");
		return 1;
	}
	per = calloc((size_t)samples, sizeof(*per));
	for (int s = 0; s < samples; s++) {
		double t0 = now_us();

		for (size_t i = 0; i < n; i++) {
			char buf[128];
			ssize_t r = pread(fds[i], buf, sizeof(buf) - 1, 0);

			if (r > 0) {
				char *end;

				buf[r] = 0;
				sink += strtoull(buf, &end, 10);
				sink += strtoull(end, &end, 10);
				sink += strtoull(end, &end, 10);
			}
		}
		per[s] = (now_us() - t0) / (double)n;
		usleep(100000);
	}
	qsort(per, (size_t)samples, sizeof(*per), cmp_d);
	printf("floor_us_per_process %.3f processes %zu\n", per[samples / 2], n);
	return 0;
}
