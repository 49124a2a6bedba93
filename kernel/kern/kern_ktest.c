/*
 * kern/kern_ktest.c: the in-kernel test runner.
 *
 * Runs the registered suites selected by the ktest= boot option on the boot
 * path and prints KTAP version 1: a plan over the selected suites, and for
 * each a nested (4-space indented) document with one result line per case.
 * Cases run one after another on the main kernel thread (init_main.c), so
 * they may sleep; after each case the runner waits until every kernel thread
 * the case started has exited and been freed, so that no case sees another's
 * threads in its counters. A panic inside a case ends the boot, which the
 * host runner reports as a crash of that case.
 */
#include "lib.h"
#include "ktest.h"
#include "proc.h"
#include "sched.h"

extern const struct ktest_suite __ktest_suites_start[], __ktest_suites_end[];

static bool
ktest_selected(const struct ktest_suite *s, const char *spec)
{
	size_t n = strlen(s->name);
	const char *p;

	if (strcmp(spec, "all") == 0)
		return !s->explicit_only;
	for (p = spec; *p != '\0';) {
		if (strncmp(p, s->name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
		p = strchr(p, ',');
		if (p == NULL)
			break;
		p++;
	}
	return false;
}

/* Record a failed check with its location; return cond. */
bool
ktest_check(struct ktest *t, bool cond, const char *expr, const char *file,
    int line)
{
	if (!cond) {
		kprintf("    # %s: %s:%d: expected %s\n", t->name, file, line, expr);
		t->failed = true;
	}
	return cond;
}

/* Record a failed equality check, with both values; return a == b. */
bool
ktest_check_eq(struct ktest *t, int64_t a, int64_t b, const char *ea,
    const char *eb, const char *file, int line)
{
	if (a != b) {
		kprintf("    # %s: %s:%d: expected %s == %s, got %ld (%#lx) != %ld (%#lx)\n",
		    t->name, file, line, ea, eb, a, a, b, b);
		t->failed = true;
	}
	return a == b;
}

/* Mark the running case skipped with a reason. */
void
ktest_skip(struct ktest *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->skip_reason, sizeof(t->skip_reason), fmt, ap);
	va_end(ap);
	t->skipped = true;
}

/* Print a KTAP diagnostic line inside the running case. */
void
ktest_log(struct ktest *t, const char *fmt, ...)
{
	char buf[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kprintf("    # %s: %s\n", t->name, buf);
}

/* Start a count at zero. */
void
ktest_count_init(struct ktest_count *kc)
{
	spinlock_init(&kc->kc_lock, "ktest_count");
	kc->kc_count = 0;
}

/* Add one and wake the waiter. */
void
ktest_count_post(struct ktest_count *kc)
{
	spinlock_acquire(&kc->kc_lock);
	kc->kc_count++;
	wakeup(kc);
	spinlock_release(&kc->kc_lock);
}

/* Sleep until the count is at least n. */
void
ktest_count_wait(struct ktest_count *kc, int n)
{
	spinlock_acquire(&kc->kc_lock);
	while (kc->kc_count < n)
		msleep(kc, &kc->kc_lock, "ktcount", 0);
	spinlock_release(&kc->kc_lock);
}

/* The count now. */
int
ktest_count_read(struct ktest_count *kc)
{
	int n;

	spinlock_acquire(&kc->kc_lock);
	n = kc->kc_count;
	spinlock_release(&kc->kc_lock);
	return n;
}

/* Run one suite as a nested KTAP document; return its failed cases. */
static int
ktest_run_suite(const struct ktest_suite *s, int index)
{
	const struct ktest_case *c;
	int ncases = 0, nfail = 0, nskip = 0, i;

	for (c = s->cases; c->name != NULL; c++)
		ncases++;
	kprintf("    KTAP version 1\n    # Subtest: %s\n    1..%d\n", s->name, ncases);
	for (i = 0, c = s->cases; c->name != NULL; c++, i++) {
		struct ktest t = { .name = c->name };
		uint64_t live = __atomic_load_n(&kthread_stats.live, __ATOMIC_RELAXED);

		kprintf("    # %s: running\n", c->name);	/* names a crash */
		c->run(&t);
		kthread_wait_live(live);
		if (t.failed) {
			nfail++;
			kprintf("    not ok %d %s\n", i + 1, c->name);
		} else if (t.skipped) {
			nskip++;
			kprintf("    ok %d %s # SKIP %s\n", i + 1, c->name, t.skip_reason);
		} else
			kprintf("    ok %d %s\n", i + 1, c->name);
	}
	if (nfail > 0)
		kprintf("not ok %d %s\n", index, s->name);
	else if (nskip == ncases && ncases > 0)
		kprintf("ok %d %s # SKIP all cases skipped\n", index, s->name);
	else
		kprintf("ok %d %s\n", index, s->name);
	return nfail;
}

/* Run the suites named by spec ("all" or a comma list); return the failures. */
int
ktest_run(const char *spec)
{
	const struct ktest_suite *s;
	int nsel = 0, index = 0, nfail = 0;

	for (s = __ktest_suites_start; s < __ktest_suites_end; s++)
		if (ktest_selected(s, spec))
			nsel++;
	kprintf("KTAP version 1\n1..%d\n", nsel);
	for (s = __ktest_suites_start; s < __ktest_suites_end; s++)
		if (ktest_selected(s, spec))
			nfail += ktest_run_suite(s, ++index);
	return nfail;
}
