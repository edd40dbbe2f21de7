/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small unit test harness (DPDK's own test macros are not installed).
 * Each test_<lib>.c defines test cases as functions returning 0 on
 * success and runs them with TEST_RUN; TEST_ASSERT* print the failing
 * expression with file and line and return -1 from the test case.
 */
#ifndef HAVEN_TEST_H
#define HAVEN_TEST_H

#include <stdio.h>
#include <string.h>

#define TEST_ASSERT(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: assertion failed: %s: ",	\
			__FILE__, __LINE__, #cond);			\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		return -1;						\
	}								\
} while (0)

#define TEST_ASSERT_EQUAL(a, b, ...) do {				\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b) {							\
		fprintf(stderr, "%s:%d: %s == %s failed (%lld != %lld): ", \
			__FILE__, __LINE__, #a, #b, _a, _b);		\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		return -1;						\
	}								\
} while (0)

#define TEST_ASSERT_MEM(a, b, n, ...) \
	TEST_ASSERT(memcmp((a), (b), (n)) == 0, __VA_ARGS__)

/* Run one test case, counting into the caller's passed/failed. */
#define TEST_RUN(fn) do {						\
	int _rc = (fn)();						\
	printf("%s %s\n", _rc == 0 ? "ok  " : "FAIL", #fn);		\
	if (_rc == 0)							\
		passed++;						\
	else								\
		failed++;						\
} while (0)

/* Closing line, in the plain "N passed, N failed" form CI reads. */
#define TEST_SUMMARY() do {						\
	printf("%d passed, %d failed\n", passed, failed);		\
	return failed == 0 ? 0 : 1;					\
} while (0)

#endif /* HAVEN_TEST_H */
