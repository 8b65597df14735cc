/* The NDJSON replay reader (replay.c): every input line goes through
 * replay_parse_line into one model, as replay_seek applies snapshot and
 * delta lines in order; then (first byte odd) the same bytes as a file
 * through replay_open (the re-analysis: the sampler and the update stage)
 * and seeks to the first, the last, a middle and one step forward. Any bytes are safe; the model stays consistent enough to be
 * written out as JSON again and freed without a leak. */
#define _GNU_SOURCE
#include "fuzz.h"
#include "model.h"
#include "out_json.h"
#include "replay.h"

#include <jansson.h>
#include <sys/mman.h>
#include <unistd.h>

static void check_model(struct model *m)
{
	json_t *doc = out_json_snapshot(m, true);
	char *text;

	FUZZ_ASSERT(doc);
	text = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
	FUZZ_ASSERT(text);
	free(text);
	json_decref(doc);
}

static void via_file(const uint8_t *data, size_t size)
{
	int fd = memfd_create("replay", 0);
	char path[64], *err = NULL;
	struct replay *r;
	struct model *m;

	if (fd < 0)
		return;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = replay_open(path, NULL, &err);
	if (!r) {
		FUZZ_ASSERT(err && *err && !strchr(err, '\n'));
		free(err);
		close(fd);
		return;
	}
	FUZZ_ASSERT(replay_len(r) >= 1);
	/* Skipped lines are told in one line (the status line shows it). */
	FUZZ_ASSERT(!replay_note(r) || (*replay_note(r) && !strchr(replay_note(r), '\n')));
	m = model_new("fuzz", 1000);
	replay_seek(r, replay_len(r) - 1, m);
	replay_seek(r, 0, m);
	replay_seek(r, 1, m);
	replay_seek(r, replay_len(r) / 2, m);
	replay_seek(r, replay_find_time(r, replay_time_ms(r, 0) + 1000), m);
	check_model(m);
	model_free(m);
	replay_free(r);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model *m;
	const char *p, *end;

	if (size == 0)
		return 0;
	m = model_new("fuzz", 1000);
	p = (const char *)data + 1;
	end = (const char *)data + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		replay_parse_line(p, len, m);
		p += len + 1;
	}
	check_model(m);
	model_free(m);
	if (data[0] & 1)
		via_file(data + 1, size - 1);
	return 0;
}
