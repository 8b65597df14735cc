/* The config file (config_file.c): any bytes as a file through
 * config_file_apply_path, with and without a command line whose list
 * options it must skip; then options_finish and options_done, which must
 * free all (LeakSanitizer). An error is one line naming FILE:LINE. */
#define _GNU_SOURCE
#include "fuzz.h"
#include "config_file.h"
#include "options.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct options o, cli;
	char path[64], *err = NULL;
	int fd, rc;

	if (size == 0 || size > 8192)
		return 0;
	fd = memfd_create("config", 0);
	if (fd < 0)
		return 0;
	/* A memfd is 0777: as root such a config is refused (writable by
	 * others) before a line is read. */
	fchmod(fd, 0600);
	if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	options_init(&o);
	options_init(&cli);
	if (data[0] & 1) {
		char *argv[] = { (char *)"memslope", (char *)"-p", (char *)"1", (char *)"-n", (char *)"x", NULL };

		if (options_parse(&cli, 5, argv, &err) < 0)
			abort();
	}
	rc = config_file_apply_path(&o, path, true, data[0] & 1 ? &cli : NULL, &err);
	if (rc < 0) {
		FUZZ_ASSERT(err && *err);
		FUZZ_ASSERT(strncmp(err, "config ", 7) == 0 || strstr(err, path));
		FUZZ_ASSERT(!strchr(err, '\n'));
		free(err);
		err = NULL;
	} else {
		FUZZ_ASSERT(err == NULL);
		FUZZ_ASSERT(o.interval_ms >= 100 && o.log_keep >= 1);
		/* -n patterns are compiled by regcomp, the user's own regex:
		 * glibc may take exponential time on some, which is not ours. */
		if (!o.n_names && options_finish(&o, &err) < 0)
			free(err);
	}
	options_done(&o);
	options_done(&cli);
	close(fd);
	return 0;
}
