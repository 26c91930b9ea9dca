/* SPDX-License-Identifier: MIT */
#ifndef DCR_TEST_H
#define DCR_TEST_H

/*
 * A tiny unit-test harness.  A test file lists its cases in a table and ends
 * with TEST_MAIN(table); the runner executes them in order (or only those
 * named on the command line) and closes with "N passed, N failed".
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test {
	const char *name;
	void (*fn)(void);
};

extern int test_failures;

#define test_assert(expr)                                                                          \
	do {                                                                                       \
		if (!(expr)) {                                                                     \
			fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__,      \
				#expr);                                                            \
			test_failures++;                                                           \
		}                                                                                  \
	} while (0)

#define test_assert_str(got, want)                                                                 \
	do {                                                                                       \
		const char *got_ = (got), *want_ = (want);                                         \
		if (!got_ || strcmp(got_, want_) != 0) {                                           \
			fprintf(stderr, "%s:%d: %s: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, \
				#got, got_ ? got_ : "(null)", want_);                              \
			test_failures++;                                                           \
		}                                                                                  \
	} while (0)

#define test_assert_int(got, want)                                                                 \
	do {                                                                                       \
		long long got_ = (long long)(got), want_ = (long long)(want);                      \
		if (got_ != want_) {                                                               \
			fprintf(stderr, "%s:%d: %s: got %lld, want %lld\n", __FILE__, __LINE__,    \
				#got, got_, want_);                                                \
			test_failures++;                                                           \
		}                                                                                  \
	} while (0)

int test_run(const struct test *tests, size_t count, int argc, char **argv);

#define TEST_MAIN(table)                                                                           \
	int test_failures;                                                                         \
	int main(int argc, char **argv)                                                            \
	{                                                                                          \
		return test_run(table, sizeof(table) / sizeof((table)[0]), argc, argv);           \
	}                                                                                          \
	int test_run(const struct test *tests, size_t count, int argc, char **argv)                \
	{                                                                                          \
		int passed = 0, failed = 0;                                                        \
		for (size_t i = 0; i < count; i++) {                                               \
			int selected = argc < 2;                                                   \
			for (int a = 1; a < argc; a++)                                             \
				selected |= strcmp(argv[a], tests[i].name) == 0;                   \
			if (!selected)                                                             \
				continue;                                                          \
			int before = test_failures;                                                \
			tests[i].fn();                                                             \
			if (test_failures == before) {                                             \
				passed++;                                                          \
				printf("ok %s\n", tests[i].name);                                  \
			} else {                                                                   \
				failed++;                                                          \
				printf("FAIL %s\n", tests[i].name);                                \
			}                                                                          \
		}                                                                                  \
		printf("%d passed, %d failed\n", passed, failed);                                  \
		return failed ? 1 : 0;                                                             \
	}

#endif
