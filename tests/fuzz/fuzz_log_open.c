/* Opening an existing log (out_ndjson.c): any bytes as the file a killed
 * run left, then one line appended. The log must end up as the old text
 * cut back to its last newline (or, with none, the old text and a newline),
 * then the new line whole; the note says so exactly when something was
 * repaired, in one line. */
#define _GNU_SOURCE
#include "fuzz.h"
#include "model.h"
#include "out_ndjson.h"
#include "util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/fuzz_log_open.XXXXXX";
static char *path;

static char *slurp(size_t *len)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	char *buf;

	FUZZ_ASSERT(fd >= 0 && fstat(fd, &st) == 0);
	buf = malloc((size_t)st.st_size + 1);
	FUZZ_ASSERT(buf && read(fd, buf, (size_t)st.st_size) == st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ndjson_log *l;
	struct model *m;
	char *err = NULL, *got;
	const char *note;
	size_t keep = size, got_len, line_len;
	bool repaired, added_nl = false;
	int fd;

	if (!path) {
		FUZZ_ASSERT(mkdtemp(dir));
		path = xasprintf("%s/log.ndjson", dir);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FUZZ_ASSERT(fd >= 0 && write(fd, data, size) == (ssize_t)size);
	close(fd);
	/* What must remain of the old text. */
	repaired = size > 0 && data[size - 1] != '\n';
	if (repaired) {
		while (keep > 0 && data[keep - 1] != '\n')
			keep--;
		added_nl = keep == 0;
		if (added_nl)
			keep = size;
	}
	l = ndjson_open(path, NDJSON_SNAPSHOT, 0, 1, (gid_t)-1, &err);
	FUZZ_ASSERT(l && !err);
	note = ndjson_note(l);
	FUZZ_ASSERT(repaired == (note != NULL));
	FUZZ_ASSERT(!note || !strchr(note, '\n'));
	m = model_new("fuzz", 1000);
	FUZZ_ASSERT(ndjson_write(l, m, &err) == 0);
	ndjson_close(l);
	model_free(m);
	got = slurp(&got_len);
	FUZZ_ASSERT(got_len > keep + added_nl);
	FUZZ_ASSERT(memcmp(got, data, keep) == 0);
	FUZZ_ASSERT(!added_nl || got[keep] == '\n');
	line_len = got_len - keep - added_nl;
	/* The new line: whole, one line, JSON object text. */
	FUZZ_ASSERT(got[keep + added_nl] == '{' && got[got_len - 1] == '\n');
	FUZZ_ASSERT(memchr(got + keep + added_nl, '\n', line_len - 1) == NULL);
	free(got);
	return 0;
}
