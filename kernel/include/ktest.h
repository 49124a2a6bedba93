/*
 * In-kernel tests (kern/kern_ktest.c), in the manner of Linux's KUnit.
 *
 *	static void test_foo(struct ktest *t) { KT_EXPECT_EQ(t, 1 + 1, 2); }
 *	static const struct ktest_case foo_cases[] = { KTEST_CASE(test_foo), {} };
 *	KTEST_SUITE(foo, foo_cases);
 *
 * Suites register themselves in the .ktest_suites section; the boot option
 * ktest=all (or ktest=suite,suite) runs them and prints KTAP version 1 with
 * one nested subtest per suite. A KT_ASSERT that fails ends its case; a
 * KT_EXPECT only marks it failed.
 */
#ifndef _KTEST_H_
#define _KTEST_H_

#include "types.h"
#include "lock.h"

struct ktest {
	const char	*name;
	bool		failed;
	bool		skipped;
	char		skip_reason[80];
};

struct ktest_case {
	const char	*name;
	void		(*run)(struct ktest *t);
};

struct ktest_suite {
	const char	*name;
	const struct ktest_case *cases;	/* ends with an empty entry */
	bool		explicit_only;	/* not part of ktest=all (harness self-tests) */
};

#define KTEST_CASE(fn)	{ #fn, fn }

#define _KTEST_SUITE(sname, cases, expl)				\
	static const struct ktest_suite __ktest_suite_##sname		\
	    __used __section(".ktest_suites") __aligned(8) =		\
	    { #sname, cases, expl }
#define KTEST_SUITE(sname, cases)		_KTEST_SUITE(sname, cases, false)
/* A suite that runs only when named (ktest=name), never under ktest=all. */
#define KTEST_SUITE_EXPLICIT(sname, cases)	_KTEST_SUITE(sname, cases, true)

/* Record a failed check with its location; return cond. */
bool	ktest_check(struct ktest *t, bool cond, const char *expr,
	    const char *file, int line);
bool	ktest_check_eq(struct ktest *t, int64_t a, int64_t b, const char *ea,
	    const char *eb, const char *file, int line);
/* Mark the running case skipped with a reason. */
void	ktest_skip(struct ktest *t, const char *fmt, ...) __printflike(2, 3);
/* Print a KTAP diagnostic line inside the running case. */
void	ktest_log(struct ktest *t, const char *fmt, ...) __printflike(2, 3);

#define KT_EXPECT(t, c)		ktest_check(t, !!(c), #c, __FILE__, __LINE__)
#define KT_ASSERT(t, c)		do { if (!KT_EXPECT(t, c)) return; } while (0)
#define KT_EXPECT_EQ(t, a, b)	ktest_check_eq(t, (int64_t)(a), (int64_t)(b), #a, #b, __FILE__, __LINE__)
#define KT_ASSERT_EQ(t, a, b)	do { if (!KT_EXPECT_EQ(t, a, b)) return; } while (0)

/*
 * A count that test threads post and a case sleeps on: "wait until n
 * threads have finished" or "until the other thread reached step k".
 */
struct ktest_count {
	struct spinlock	kc_lock;
	int		kc_count;	/* [kc_lock] */
};

#define KTEST_COUNT_INITIALIZER	{ SPINLOCK_INITIALIZER("ktest_count"), 0 }

/* Start a count at zero. */
void	ktest_count_init(struct ktest_count *kc);
/* Add one and wake the waiter. */
void	ktest_count_post(struct ktest_count *kc);
/* Sleep until the count is at least n. */
void	ktest_count_wait(struct ktest_count *kc, int n);
/* The count now. */
int	ktest_count_read(struct ktest_count *kc);

/* Run the suites named by spec ("all" or a comma list); return the failures. */
int	ktest_run(const char *spec);

#endif
