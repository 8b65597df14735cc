/* check.h: the tiny assertion helpers every C unit test uses.
 * A test program runs all its cases, prints one line per failure and exits
 * 1 if any failed (automake's simple test protocol: 0 pass, 77 skip). */
#ifndef MEMSLOPE_CHECK_H
#define MEMSLOPE_CHECK_H

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                                     \
	do {                                                                            \
		check_count++;                                                          \
		if (!(cond)) {                                                          \
			check_failures++;                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                       \
	} while (0)

#define CHECK_I64(a, b)                                                                 \
	do {                                                                            \
		int64_t a_ = (a), b_ = (b);                                             \
		check_count++;                                                          \
		if (a_ != b_) {                                                         \
			check_failures++;                                               \
			fprintf(stderr, "%s:%d: %s == %" PRId64 ", expected %" PRId64 "\n", \
				__FILE__, __LINE__, #a, a_, b_);                        \
		}                                                                       \
	} while (0)

#define CHECK_STR(a, b)                                                                 \
	do {                                                                            \
		const char *a_ = (a), *b_ = (b);                                        \
		check_count++;                                                          \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                \
			check_failures++;                                               \
			fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, \
				__LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");  \
		}                                                                       \
	} while (0)

#define CHECK_NEAR(a, b, tol)                                                           \
	do {                                                                            \
		double a_ = (a), b_ = (b);                                              \
		check_count++;                                                          \
		if (!(fabs(a_ - b_) <= (tol))) {                                        \
			check_failures++;                                               \
			fprintf(stderr, "%s:%d: %s == %g, expected %g +- %g\n", __FILE__, \
				__LINE__, #a, a_, b_, (double)(tol));                   \
		}                                                                       \
	} while (0)

static inline int check_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
	return check_failures ? 1 : 0;
}

#endif
