/*
 * kern/kern_ktest_selftest.c: in-kernel suites that test the host test runner.
 *
 * Each suite here misbehaves on purpose (a failing check, a panic, a kernel
 * page fault, a hang with interrupts off, a skip) so that the harness
 * self-tests (tests/harness/test_boot.py) can boot the kernel with one of
 * them and check that tools/testrun.py reports exactly that. They are
 * explicit-only: ktest=all never runs them, only ktest=<suite name> does.
 * No state and no locks; a suite that crashes or hangs ends the boot.
 */
#include "lib.h"
#include "cpufunc.h"
#include "ktest.h"

/* An unmapped kernel address: PML4 slot 288, above the direct map's slot. */
#define SELFTEST_UNMAPPED_VA	0xffff900000000000UL

/* Pass: a check that holds. */
static void
selftest_pass_case(struct ktest *t)
{
	KT_EXPECT_EQ(t, 2 + 2, 4);
}

/* Fail: an equality check that does not hold (the runner must show it). */
static void
selftest_fail_case(struct ktest *t)
{
	int answer = 41;

	ktest_log(t, "about to compare %d with 42", answer);
	KT_EXPECT_EQ(t, answer, 42);
}

static const struct ktest_case selftest_fail_cases[] = {
	KTEST_CASE(selftest_pass_case),
	KTEST_CASE(selftest_fail_case),
	{ 0 },
};
KTEST_SUITE_EXPLICIT(selftest_fail, selftest_fail_cases);

/* Crash: panic from inside a case; never returns. */
static void
selftest_panic_case(struct ktest *t)
{
	ktest_log(t, "panicking on purpose");
	panic("selftest_panic_case: deliberate panic");
}

static const struct ktest_case selftest_panic_cases[] = {
	KTEST_CASE(selftest_panic_case),
	{ 0 },
};
KTEST_SUITE_EXPLICIT(selftest_panic, selftest_panic_cases);

/* Crash: a kernel page fault on an unmapped address; never returns. */
static void
selftest_fault_case(struct ktest *t)
{
	volatile uint64_t *p = (volatile uint64_t *)SELFTEST_UNMAPPED_VA;

	ktest_log(t, "reading %#lx", SELFTEST_UNMAPPED_VA);
	KT_EXPECT_EQ(t, *p, 0);
}

static const struct ktest_case selftest_fault_cases[] = {
	KTEST_CASE(selftest_fault_case),
	{ 0 },
};
KTEST_SUITE_EXPLICIT(selftest_fault, selftest_fault_cases);

/* Hang: spin forever with interrupts off; only the host timeout ends it. */
static void
selftest_hang_case(struct ktest *t)
{
	ktest_log(t, "spinning forever with interrupts off");
	intr_disable();
	for (;;)
		__asm__ volatile("pause" ::: "memory");
}

static const struct ktest_case selftest_hang_cases[] = {
	KTEST_CASE(selftest_hang_case),
	{ 0 },
};
KTEST_SUITE_EXPLICIT(selftest_hang, selftest_hang_cases);

/* Skip: the case reports a skip, which is not a failure. */
static void
selftest_skip_case(struct ktest *t)
{
	ktest_skip(t, "skipped on purpose");
}

static const struct ktest_case selftest_skip_cases[] = {
	KTEST_CASE(selftest_pass_case),
	KTEST_CASE(selftest_skip_case),
	{ 0 },
};
KTEST_SUITE_EXPLICIT(selftest_skip, selftest_skip_cases);
