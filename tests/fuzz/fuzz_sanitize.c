/* util_sanitize: what the TUI and the status line show of names, command
 * lines and cgroup paths. Output: no C0 control, no DEL, no C1 control
 * (U+0080..U+009F), valid UTF-8 only, never longer than the input, and
 * already-clean text comes back unchanged (idempotent). */
#include "fuzz.h"
#include "util.h"

/* Independent UTF-8 check (RFC 3629): length of the sequence at s, 0 if
 * invalid. */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned c = s[0], cp;
	size_t n;

	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0)
		n = 2, cp = c & 0x1f;
	else if ((c & 0xf0) == 0xe0)
		n = 3, cp = c & 0x0f;
	else if ((c & 0xf8) == 0xf0)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000))
		return 0; /* overlong */
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (cp >= 0x80 && cp <= 0x9f)
		return 0; /* C1 controls may act on a terminal */
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	char *out = util_sanitize(text), *again;
	const unsigned char *p = (const unsigned char *)out;

	FUZZ_ASSERT(strlen(out) <= strlen(text));
	while (*p) {
		size_t n = utf8_seq(p);

		FUZZ_ASSERT(n > 0);
		FUZZ_ASSERT(*p >= 0x20 && *p != 0x7f);
		p += n;
	}
	again = util_sanitize(out);
	FUZZ_ASSERT(strcmp(again, out) == 0);
	free(again);
	free(out);
	/* NULL is the empty string. */
	out = util_sanitize(NULL);
	FUZZ_ASSERT(out[0] == '\0');
	free(out);
	free(text);
	return 0;
}
