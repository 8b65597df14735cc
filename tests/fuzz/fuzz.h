/* fuzz.h: shared by the libFuzzer targets in tests/fuzz (built by
 * tests/fuzz.sh with clang -fsanitize=fuzzer,address,undefined, never by the
 * normal build). Each target drives one parser family of the real library
 * sources on arbitrary bytes and asserts the invariants its header promises. */
#ifndef MEMSLOPE_FUZZ_H
#define MEMSLOPE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string: the parsers read NUL-terminated text, as
 * util_read_file gives it; an embedded NUL ends the text there, as it
 * would for them. Caller frees. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* An invariant broke: say which, and crash so libFuzzer keeps the input. */
#define FUZZ_ASSERT(cond)                                                                  \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                           \
		}                                                                          \
	} while (0)

#endif
