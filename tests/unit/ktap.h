/*
 * KTAP version 1 output for the host unit tests: a plan, "ok N name" or
 * "not ok N name" per case, "# " diagnostics. A failed T_EXPECT marks the
 * running case failed; a failed T_ASSERT also ends it.
 */
#ifndef _KTAP_H_
#define _KTAP_H_

#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>

struct ktap_case {
	const char	*name;
	void		(*run)(void);
};

#define KTAP_CASE(fn)	{ #fn, fn }

static bool ktap_failed;	/* the running case failed */

static inline bool
ktap_check(bool ok, const char *expr, const char *file, int line)
{
	if (!ok) {
		printf("# %s:%d: expected %s\n", file, line, expr);
		ktap_failed = true;
	}
	return ok;
}

static inline bool
ktap_check_eq(int64_t a, int64_t b, const char *ea, const char *eb,
    const char *file, int line)
{
	if (a != b) {
		printf("# %s:%d: expected %s == %s, got %ld (%#lx) != %ld (%#lx)\n",
		    file, line, ea, eb, (long)a, (unsigned long)a, (long)b,
		    (unsigned long)b);
		ktap_failed = true;
	}
	return a == b;
}

#define T_EXPECT(c)		ktap_check(!!(c), #c, __FILE__, __LINE__)
#define T_ASSERT(c)		do { if (!T_EXPECT(c)) return; } while (0)
#define T_EXPECT_EQ(a, b)	ktap_check_eq((int64_t)(a), (int64_t)(b), #a, #b, __FILE__, __LINE__)
#define T_ASSERT_EQ(a, b)	do { if (!T_EXPECT_EQ(a, b)) return; } while (0)

/* Print the version line and the plan; diagnostics may follow. */
static inline void
ktap_plan(int n)
{
	printf("KTAP version 1\n1..%d\n", n);
}

/* Run every case, calling after() (if any) at the end of each; return the
 * exit status: 0 if all passed. */
static inline int
ktap_run(const struct ktap_case *cases, int n, void (*after)(void))
{
	int i, nfail = 0;

	for (i = 0; i < n; i++) {
		ktap_failed = false;
		cases[i].run();
		if (after != NULL)
			after();
		printf("%s %d %s\n", ktap_failed ? "not ok" : "ok", i + 1,
		    cases[i].name);
		fflush(stdout);
		nfail += ktap_failed;
	}
	printf("# %d passed, %d failed\n", n - nfail, nfail);
	return nfail != 0;
}

#endif
