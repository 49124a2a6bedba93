/*
 * hang_straggler: a user test that hangs on purpose and leaves processes
 * behind it: a child and a grandchild, each with a page of its own
 * touched, all three asleep for good. Only the harness runs it
 * (tests/harness/test_boot.py boots "tests=/selftest/hang_straggler,hello
 * test_timeout=N"): init's watchdog must kill the test and what it
 * started alike, init reap them all before the test's leak accounting
 * (the timeout is then its only failure), and the next test and the
 * census find nothing of it left.
 */
#include <sys/mman.h>

#include "ktest.h"

#define GENERATIONS	2		/* a child, then a grandchild */

/* Touch a page of its own, then sleep for good. */
static void __attribute__((noreturn))
straggle(void)
{
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED)
		p[0] = 1;
	kt_sleep_forever();
}

/* Start GENERATIONS of processes, each the parent of the next, then
 * hang with them. */
static void
hang_with_stragglers(void)
{
	int i;

	for (i = 0; i < GENERATIONS; i++) {
		fflush(stdout);
		if (fork() != 0)
			break;		/* the parent (or fork failed) */
	}
	kt_diag("generation %d (0: the test): sleeping for good", i);
	straggle();
}

static const struct kt_case cases[] = {
	KT_CASE(hang_with_stragglers),
};

int
main(void)
{
	return kt_main("hang_straggler", cases, KT_NCASES(cases));
}
