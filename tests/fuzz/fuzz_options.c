/* The option value parsers: util_parse_size, util_parse_duration,
 * util_parse_rate (first byte 0-2), and options_set + options_finish +
 * options_done on one long option picked by the first byte (>= 3), which is
 * also the path a config file takes. Results are finite and >= 0, nothing
 * is set on failure, and every error comes with a message. */
#include "fuzz.h"
#include "options.h"
#include "util.h"

#include <math.h>

#define UNSET (INT64_MIN + 7)

static void has_message(const char *err)
{
	FUZZ_ASSERT(err && *err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"pid", "name", "user", "cgroup", "tree", "cgroup-root", "interval", "pss", "no-pss",
		"once", "json", "log", "log-format", "log-max-size", "log-keep", "count", "duration",
		"snapshot-dir", "warn-pct", "crit-pct", "check", "max-growth", "max-usage", "ascii",
		"no-color", "replay", "prom-file", "prom-top", "on-alert", "alert-cooldown",
		"alert-timeout", "help", "version", "no-such-option",
	};
	char *text;
	int64_t i64 = UNSET;
	double d = -1;
	int rc;

	if (size == 0 || size > 4096)
		return 0;
	text = fuzz_text(data + 1, size - 1);
	switch (data[0]) {
	case 0:
		rc = util_parse_size(text, &i64);
		FUZZ_ASSERT(rc == 0 ? i64 >= 0 : i64 == UNSET);
		break;
	case 1:
		rc = util_parse_duration(text, &i64);
		FUZZ_ASSERT(rc == 0 ? i64 >= 0 : i64 == UNSET);
		break;
	case 2:
		rc = util_parse_rate(text, &d);
		FUZZ_ASSERT(rc == 0 ? isfinite(d) && d >= 0 : 1);
		break;
	default: {
		struct options o;
		char *err = NULL;
		const char *name = names[data[0] % (sizeof(names) / sizeof(names[0]))];

		options_init(&o);
		rc = options_set(&o, name, text, &err);
		if (rc < 0) {
			has_message(err);
			free(err);
		} else {
			FUZZ_ASSERT(err == NULL);
			FUZZ_ASSERT(o.interval_ms >= 100 && o.interval_ms <= 3600000);
			FUZZ_ASSERT(o.log_keep >= 1 && o.warn_pct >= 1 && o.crit_pct <= 100);
			FUZZ_ASSERT(o.duration_ms >= 0 && o.count >= 0 && o.log_max_bytes >= 0);
			/* -n patterns go to glibc's regcomp, which takes time and
			 * memory exponential in stacked quantifiers ("#" and 20
			 * "+": 700 MB): the user's own regex, not a parser bug. */
			if (!o.n_names && options_finish(&o, &err) < 0) {
				has_message(err);
				free(err);
			}
		}
		options_done(&o);
		break;
	}
	}
	free(text);
	return 0;
}
