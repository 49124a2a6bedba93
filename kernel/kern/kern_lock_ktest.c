/*
 * kern/kern_lock_ktest.c: in-kernel tests of locks and witness (suite "lock").
 *
 * Torture cases start threads pegged round-robin to every online CPU, have
 * them hammer one lock, and check that the counts come out exact, that no
 * two holders were ever inside at once, and that witness saw nothing wrong.
 * The witness cases provoke a reversal or a sleep under a spinlock on locks
 * of their own classes ("ktest_*"), and reset those classes' edges so the
 * real order graph keeps none of it. Every case waits for the threads it
 * started before it returns; their shared state is static.
 */
#include "lib.h"
#include "ktest.h"
#include "lock.h"
#include "witness.h"
#include "cpu.h"
#include "cpufunc.h"
#include "proc.h"
#include "sched.h"

#define TORTURE_ITERS	2000	/* lock round trips per thread */
#define TORTURE_HOLD	20	/* pauses inside the critical section */
#define POLL_MAX	100000	/* yields before a poll gives up */

/* ---- torture ---- */

struct torture {
	struct mutex	tt_mtx;
	struct spinlock	tt_spin;
	struct rwlock	tt_rwl;
	uint64_t	tt_counter;	/* the lock under test */
	uint64_t	tt_a, tt_b;	/* rwlock invariant: a == b [tt_rwl] */
	int		tt_inside;	/* holders in the section (writers) [atomic] */
	int		tt_readers;	/* readers in the section [atomic] */
	uint64_t	tt_overlaps;	/* exclusion broken [atomic] */
	uint64_t	tt_broken;	/* a != b seen by a reader [atomic] */
	int		tt_nstarted;	/* threads that pegged themselves [atomic] */
	struct ktest_count	tt_done;
};

static struct torture torture;

/* Reset the shared state for one torture case. */
static void
torture_init(void)
{
	memset(&torture, 0, sizeof(torture));
	mtx_init(&torture.tt_mtx, "ktest_torture_mtx");
	spinlock_init(&torture.tt_spin, "ktest_torture_spin");
	rw_init(&torture.tt_rwl, "ktest_torture_rw");
	ktest_count_init(&torture.tt_done);
}

/* Peg the calling thread to the next CPU, round-robin. */
static void
torture_peg(void)
{
	int i = __atomic_fetch_add(&torture.tt_nstarted, 1, __ATOMIC_RELAXED);

	sched_peg_curproc(&cpu_info[i % ncpus]);
}

static void
torture_pause(void)
{
	int i;

	for (i = 0; i < TORTURE_HOLD; i++)
		cpu_pause();
}

/* A read-modify-write that loses updates unless exclusive. */
static void
torture_critical(void)
{
	uint64_t v;

	if (__atomic_add_fetch(&torture.tt_inside, 1, __ATOMIC_SEQ_CST) != 1)
		__atomic_add_fetch(&torture.tt_overlaps, 1, __ATOMIC_RELAXED);
	v = __atomic_load_n(&torture.tt_counter, __ATOMIC_RELAXED);
	torture_pause();
	__atomic_store_n(&torture.tt_counter, v + 1, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&torture.tt_inside, 1, __ATOMIC_SEQ_CST);
}

static void
torture_mutex_thread(void *arg)
{
	int i;

	torture_peg();
	for (i = 0; i < TORTURE_ITERS; i++) {
		mtx_enter(&torture.tt_mtx);
		MUTEX_ASSERT_LOCKED(&torture.tt_mtx);
		torture_critical();
		mtx_leave(&torture.tt_mtx);
	}
	ktest_count_post(&torture.tt_done);
	kthread_exit();
}

static void
torture_spin_thread(void *arg)
{
	int i;

	torture_peg();
	for (i = 0; i < TORTURE_ITERS; i++) {
		spinlock_acquire(&torture.tt_spin);
		torture_critical();
		spinlock_release(&torture.tt_spin);
	}
	ktest_count_post(&torture.tt_done);
	kthread_exit();
}

static void
torture_klock_thread(void *arg)
{
	int i;

	torture_peg();
	for (i = 0; i < TORTURE_ITERS; i++) {
		KERNEL_LOCK();
		KERNEL_LOCK();
		torture_critical();
		KERNEL_UNLOCK();
		KERNEL_ASSERT_LOCKED();
		KERNEL_UNLOCK();
		KERNEL_ASSERT_UNLOCKED();
	}
	ktest_count_post(&torture.tt_done);
	kthread_exit();
}

/* Writers (odd thread numbers) change a and b together; readers (even)
 * check a == b and that no writer is inside with them. */
static void
torture_rw_thread(void *arg)
{
	bool writer = (uintptr_t)arg & 1;
	int i;

	torture_peg();
	for (i = 0; i < TORTURE_ITERS; i++) {
		if (writer) {
			rw_enter_write(&torture.tt_rwl);
			if (__atomic_load_n(&torture.tt_readers, __ATOMIC_SEQ_CST) != 0)
				__atomic_add_fetch(&torture.tt_overlaps, 1,
				    __ATOMIC_RELAXED);
			torture.tt_a++;
			torture_critical();
			torture.tt_b++;
			rw_exit_write(&torture.tt_rwl);
		} else {
			rw_enter_read(&torture.tt_rwl);
			__atomic_add_fetch(&torture.tt_readers, 1, __ATOMIC_SEQ_CST);
			if (__atomic_load_n(&torture.tt_inside, __ATOMIC_SEQ_CST) != 0)
				__atomic_add_fetch(&torture.tt_overlaps, 1,
				    __ATOMIC_RELAXED);
			if (torture.tt_a != torture.tt_b)
				__atomic_add_fetch(&torture.tt_broken, 1,
				    __ATOMIC_RELAXED);
			torture_pause();
			__atomic_sub_fetch(&torture.tt_readers, 1, __ATOMIC_SEQ_CST);
			rw_exit_read(&torture.tt_rwl);
		}
	}
	ktest_count_post(&torture.tt_done);
	kthread_exit();
}

/* Start two threads per CPU (at least four) running fn(thread number) and
 * wait for them; return how many ran, or -1 if one could not be created. */
static int
torture_run(struct ktest *t, void (*fn)(void *))
{
	int n = MAX(4, 2 * ncpus), i;

	for (i = 0; i < n; i++)
		if (kthread_create(fn, (void *)(uintptr_t)i, "ktest_lock") == NULL)
			break;
	ktest_count_wait(&torture.tt_done, i);
	if (i < n) {
		ktest_log(t, "kthread_create failed after %d threads", i);
		return -1;
	}
	return n;
}

/* Exclusive locks: the count is exact, nobody overlapped, witness is quiet. */
static void
torture_exclusive(struct ktest *t, void (*fn)(void *))
{
	uint64_t reports = witness_report_count();
	int n;

	torture_init();
	n = torture_run(t, fn);
	KT_ASSERT(t, n > 0);
	KT_EXPECT_EQ(t, torture.tt_counter, (uint64_t)n * TORTURE_ITERS);
	KT_EXPECT_EQ(t, torture.tt_overlaps, 0);
	KT_EXPECT_EQ(t, witness_report_count(), reports);
}

static void
test_mutex_torture(struct ktest *t)
{
	torture_exclusive(t, torture_mutex_thread);
	MUTEX_ASSERT_UNLOCKED(&torture.tt_mtx);
	KT_EXPECT_EQ(t, torture.tt_mtx.mtx_waiters, 0);
}

static void
test_spinlock_torture(struct ktest *t)
{
	torture_exclusive(t, torture_spin_thread);
}

static void
test_kernel_lock_torture(struct ktest *t)
{
	torture_exclusive(t, torture_klock_thread);
	KT_EXPECT(t, !kernel_lock_held());
}

static void
test_rwlock_torture(struct ktest *t)
{
	uint64_t reports = witness_report_count();
	int n;

	torture_init();
	n = torture_run(t, torture_rw_thread);
	KT_ASSERT(t, n > 0);
	KT_EXPECT_EQ(t, torture.tt_a, (uint64_t)(n / 2) * TORTURE_ITERS);
	KT_EXPECT_EQ(t, torture.tt_b, torture.tt_a);
	KT_EXPECT_EQ(t, torture.tt_counter, torture.tt_a);
	KT_EXPECT_EQ(t, torture.tt_broken, 0);
	KT_EXPECT_EQ(t, torture.tt_overlaps, 0);
	KT_EXPECT_EQ(t, rw_status(&torture.tt_rwl), 0);
	KT_EXPECT_EQ(t, witness_report_count(), reports);
}

/* ---- mutex and rwlock semantics ---- */

static struct mutex try_mtx = MUTEX_INITIALIZER("ktest_try");
static int try_held_result, try_free_result;
static struct ktest_count try_step1, try_step2, try_step3;

/* Try the mutex while the test holds it, then after it let go. */
static void
try_thread(void *arg)
{
	try_held_result = mtx_enter_try(&try_mtx);
	ktest_count_post(&try_step1);
	ktest_count_wait(&try_step2, 1);
	try_free_result = mtx_enter_try(&try_mtx);
	if (try_free_result)
		mtx_leave(&try_mtx);
	ktest_count_post(&try_step3);
	kthread_exit();
}

static void
test_mutex_enter_try(struct ktest *t)
{
	ktest_count_init(&try_step1);
	ktest_count_init(&try_step2);
	ktest_count_init(&try_step3);
	try_held_result = try_free_result = -1;
	mtx_enter(&try_mtx);
	KT_EXPECT(t, mtx_owned(&try_mtx));
	KT_ASSERT(t, kthread_create(try_thread, NULL, "ktest_try") != NULL);
	ktest_count_wait(&try_step1, 1);
	KT_EXPECT_EQ(t, try_held_result, 0);
	KT_EXPECT(t, mtx_owned(&try_mtx));
	mtx_leave(&try_mtx);
	KT_EXPECT(t, !mtx_owned(&try_mtx));
	ktest_count_post(&try_step2);
	ktest_count_wait(&try_step3, 1);
	KT_EXPECT_EQ(t, try_free_result, 1);
	KT_EXPECT(t, mtx_enter_try(&try_mtx) == 1);
	mtx_leave(&try_mtx);
}

static struct rwlock wp_rwl = RWLOCK_INITIALIZER("ktest_rw_wpref");
static int wp_seq, wp_writer_at, wp_reader_at;
static struct ktest_count wp_done;

static void
wp_writer_thread(void *arg)
{
	rw_enter_write(&wp_rwl);
	wp_writer_at = __atomic_add_fetch(&wp_seq, 1, __ATOMIC_SEQ_CST);
	rw_exit_write(&wp_rwl);
	ktest_count_post(&wp_done);
	kthread_exit();
}

static void
wp_reader_thread(void *arg)
{
	rw_enter_read(&wp_rwl);
	wp_reader_at = __atomic_add_fetch(&wp_seq, 1, __ATOMIC_SEQ_CST);
	rw_exit_read(&wp_rwl);
	ktest_count_post(&wp_done);
	kthread_exit();
}

/* Yield until *field (under wp_rwl's interlock) is want or ndone threads
 * have finished; return true if it reached want. */
static bool
wp_poll(uint32_t *field, uint32_t want, int ndone)
{
	bool reached = false;
	int i;

	for (i = 0; i < POLL_MAX && !reached; i++) {
		spinlock_acquire(&wp_rwl.rwl_interlock);
		reached = *field == want;
		spinlock_release(&wp_rwl.rwl_interlock);
		if (ktest_count_read(&wp_done) >= ndone)
			break;
		yield();
	}
	return reached;
}

/* A waiting writer keeps a new reader out, and gets the lock first. */
static void
test_rwlock_writer_first(struct ktest *t)
{
	ktest_count_init(&wp_done);
	wp_seq = wp_writer_at = wp_reader_at = 0;
	rw_enter_read(&wp_rwl);
	KT_EXPECT_EQ(t, rw_status(&wp_rwl), RW_READ);
	KT_ASSERT(t, kthread_create(wp_writer_thread, NULL, "ktest_wpw") != NULL);
	KT_EXPECT(t, wp_poll(&wp_rwl.rwl_wwait, 1, 1));
	KT_ASSERT(t, kthread_create(wp_reader_thread, NULL, "ktest_wpr") != NULL);
	KT_EXPECT(t, wp_poll(&wp_rwl.rwl_rwait, 1, 1));
	KT_EXPECT_EQ(t, __atomic_load_n(&wp_seq, __ATOMIC_SEQ_CST), 0);
	rw_exit_read(&wp_rwl);
	ktest_count_wait(&wp_done, 2);
	KT_EXPECT_EQ(t, wp_writer_at, 1);
	KT_EXPECT_EQ(t, wp_reader_at, 2);
	KT_EXPECT_EQ(t, rw_status(&wp_rwl), 0);
}

/* ---- kernel_lock ---- */

static struct ktest_count kl_done;

/* Take and drop kernel_lock once: it can only if the test let it go. */
static void
kl_taker_thread(void *arg)
{
	KERNEL_LOCK();
	KERNEL_UNLOCK();
	ktest_count_post(&kl_done);
	kthread_exit();
}

/* release_all drops every hold (another thread can take the lock) and
 * acquire_count restores the depth. */
static void
test_kernel_lock_release_all(struct ktest *t)
{
	int n, i;

	KT_ASSERT(t, !kernel_lock_held());
	KT_EXPECT_EQ(t, kernel_lock_release_all(), 0);
	for (i = 0; i < 3; i++)
		KERNEL_LOCK();
	n = kernel_lock_release_all();
	KT_EXPECT_EQ(t, n, 3);
	KT_EXPECT(t, !kernel_lock_held());
	ktest_count_init(&kl_done);
	KT_ASSERT(t, kthread_create(kl_taker_thread, NULL, "ktest_kl") != NULL);
	ktest_count_wait(&kl_done, 1);
	kernel_lock_acquire_count(n);
	KT_EXPECT(t, kernel_lock_held());
	for (i = 0; i < 3; i++) {
		KT_EXPECT(t, kernel_lock_held());
		KERNEL_UNLOCK();
	}
	KT_EXPECT(t, !kernel_lock_held());
}

/* msleep gives kernel_lock up across the sleep and restores the depth:
 * the thread we wait for needs the lock to finish. */
static void
test_kernel_lock_msleep(struct ktest *t)
{
	int n;

	KERNEL_LOCK();
	KERNEL_LOCK();
	ktest_count_init(&kl_done);
	if (kthread_create(kl_taker_thread, NULL, "ktest_kl") == NULL) {
		KERNEL_UNLOCK();
		KERNEL_UNLOCK();
		KT_ASSERT(t, false);
	}
	ktest_count_wait(&kl_done, 1);
	KT_EXPECT(t, kernel_lock_held());
	n = kernel_lock_release_all();
	KT_EXPECT_EQ(t, n, 2);
	kernel_lock_acquire_count(n);
	KERNEL_UNLOCK();
	KERNEL_UNLOCK();
	KT_EXPECT(t, !kernel_lock_held());
}

/* ---- witness ---- */

static struct mutex lor_a = MUTEX_INITIALIZER("ktest_lor_a");
static struct mutex lor_b = MUTEX_INITIALIZER("ktest_lor_b");
static struct spinlock lor_c1 = SPINLOCK_INITIALIZER("ktest_lor_c1");
static struct spinlock lor_c2 = SPINLOCK_INITIALIZER("ktest_lor_c2");
static struct spinlock lor_c3 = SPINLOCK_INITIALIZER("ktest_lor_c3");

static void
lor_reset(const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		witness_class_reset(names[i]);	/* -1 before first use: fine */
}

/* A then B, later B then A: one report naming both sites of each order. */
static void
test_witness_reversal(struct ktest *t)
{
	static const char *const names[] = { "ktest_lor_a", "ktest_lor_b" };
	struct witness_report wr;
	int la1, lb1, lb2, la2;
	uint64_t n0;

	if (witness_getmode() != WITNESS_ON) {
		ktest_skip(t, "needs witness=on");
		return;
	}
	lor_reset(names, 2);
	la1 = __LINE__ + 1;
	mtx_enter(&lor_a);
	lb1 = __LINE__ + 1;
	mtx_enter(&lor_b);
	mtx_leave(&lor_b);
	mtx_leave(&lor_a);
	n0 = witness_report_count();
	ktest_log(t, "a deliberate lock-order reversal follows");
	lb2 = __LINE__ + 1;
	mtx_enter(&lor_b);
	la2 = __LINE__ + 1;
	mtx_enter(&lor_a);
	mtx_leave(&lor_a);
	mtx_leave(&lor_b);
	KT_EXPECT_EQ(t, witness_report_count(), n0 + 1);
	KT_ASSERT(t, witness_last_report(&wr));
	KT_EXPECT_EQ(t, wr.wr_kind, WITNESS_LOR);
	KT_EXPECT(t, strcmp(wr.wr_held, "ktest_lor_b") == 0);
	KT_EXPECT(t, strcmp(wr.wr_acquired, "ktest_lor_a") == 0);
	KT_EXPECT(t, strcmp(wr.wr_file, __FILE__) == 0);
	KT_EXPECT_EQ(t, wr.wr_line, la2);
	KT_EXPECT_EQ(t, wr.wr_held_line, lb2);
	KT_ASSERT(t, wr.wr_first_file != NULL);
	KT_EXPECT(t, strcmp(wr.wr_first_file, __FILE__) == 0);
	KT_EXPECT_EQ(t, wr.wr_first_line, lb1);
	KT_EXPECT_EQ(t, wr.wr_first_held_line, la1);

	/* After a reset the classes have no order: B then A is new, not a
	 * reversal, and becomes the recorded order. */
	lor_reset(names, 2);
	mtx_enter(&lor_b);
	mtx_enter(&lor_a);
	mtx_leave(&lor_a);
	mtx_leave(&lor_b);
	KT_EXPECT_EQ(t, witness_report_count(), n0 + 1);
	lor_reset(names, 2);
}

/* c1 -> c2 and c2 -> c3 make c3 then c1 a reversal through c2. */
static void
test_witness_transitive(struct ktest *t)
{
	static const char *const names[] = {
		"ktest_lor_c1", "ktest_lor_c2", "ktest_lor_c3"
	};
	struct witness_report wr;
	int l1, l2;
	uint64_t n0;

	if (witness_getmode() != WITNESS_ON) {
		ktest_skip(t, "needs witness=on");
		return;
	}
	lor_reset(names, 3);
	l1 = __LINE__ + 1;
	spinlock_acquire(&lor_c1);
	l2 = __LINE__ + 1;
	spinlock_acquire(&lor_c2);
	spinlock_release(&lor_c2);
	spinlock_release(&lor_c1);
	spinlock_acquire(&lor_c2);
	spinlock_acquire(&lor_c3);
	spinlock_release(&lor_c3);
	spinlock_release(&lor_c2);
	n0 = witness_report_count();
	ktest_log(t, "a deliberate lock-order reversal follows");
	spinlock_acquire(&lor_c3);
	spinlock_acquire(&lor_c1);
	spinlock_release(&lor_c1);
	spinlock_release(&lor_c3);
	KT_EXPECT_EQ(t, witness_report_count(), n0 + 1);
	KT_ASSERT(t, witness_last_report(&wr));
	KT_EXPECT_EQ(t, wr.wr_kind, WITNESS_LOR);
	KT_EXPECT(t, strcmp(wr.wr_held, "ktest_lor_c3") == 0);
	KT_EXPECT(t, strcmp(wr.wr_acquired, "ktest_lor_c1") == 0);
	/* the first step of the established order c1 -> c2 -> c3 */
	KT_EXPECT_EQ(t, wr.wr_first_line, l2);
	KT_EXPECT_EQ(t, wr.wr_first_held_line, l1);
	lor_reset(names, 3);
}

static struct spinlock sleep_spin = SPINLOCK_INITIALIZER("ktest_sleep_spin");
static struct mutex sleep_mtx = MUTEX_INITIALIZER("ktest_sleep_mtx");

/* Sleeping, or taking a sleeping lock, under a spinlock is reported; the
 * sleep's own interlock is allowed. Nothing here actually sleeps. */
static void
test_witness_sleep(struct ktest *t)
{
	struct witness_report wr;
	int ls, lw;
	uint64_t n0;

	if (witness_getmode() != WITNESS_ON) {
		ktest_skip(t, "needs witness=on");
		return;
	}
	n0 = witness_report_count();
	WITNESS_ASSERT_MAY_SLEEP(NULL);
	KT_EXPECT_EQ(t, witness_report_count(), n0);
	ls = __LINE__ + 1;
	spinlock_acquire(&sleep_spin);
	WITNESS_ASSERT_MAY_SLEEP(&sleep_spin);
	KT_EXPECT_EQ(t, witness_report_count(), n0);
	lw = __LINE__ + 1;
	WITNESS_ASSERT_MAY_SLEEP(NULL);
	KT_EXPECT_EQ(t, witness_report_count(), n0 + 1);
	KT_EXPECT(t, witness_last_report(&wr));
	KT_EXPECT_EQ(t, wr.wr_kind, WITNESS_SLEEP);
	KT_EXPECT(t, strcmp(wr.wr_held, "ktest_sleep_spin") == 0);
	KT_EXPECT(t, strcmp(wr.wr_acquired, "sleep") == 0);
	KT_EXPECT_EQ(t, wr.wr_held_line, ls);
	KT_EXPECT_EQ(t, wr.wr_line, lw);
	lw = __LINE__ + 1;
	mtx_enter(&sleep_mtx);		/* free: it does not block */
	mtx_leave(&sleep_mtx);
	spinlock_release(&sleep_spin);
	KT_EXPECT_EQ(t, witness_report_count(), n0 + 2);
	KT_EXPECT(t, witness_last_report(&wr));
	KT_EXPECT_EQ(t, wr.wr_kind, WITNESS_SLEEP);
	KT_EXPECT(t, strcmp(wr.wr_acquired, "ktest_sleep_mtx") == 0);
	KT_EXPECT_EQ(t, wr.wr_line, lw);
	witness_class_reset("ktest_sleep_spin");
}

static struct spinlock kl_spin = SPINLOCK_INITIALIZER("ktest_kl_spin");

/* Taking kernel_lock under a spinlock is reported: that CPU spins with
 * interrupts off, and the holder may be waiting for it to answer a TLB
 * shootdown. Taking it with no spinlock held is not. */
static void
test_witness_kernel_lock_under_spin(struct ktest *t)
{
	struct witness_report wr;
	int ls, lk;
	uint64_t n0;

	if (witness_getmode() != WITNESS_ON) {
		ktest_skip(t, "needs witness=on");
		return;
	}
	n0 = witness_report_count();
	KERNEL_LOCK();
	KERNEL_UNLOCK();
	KT_EXPECT_EQ(t, witness_report_count(), n0);
	ktest_log(t, "a deliberate report follows");
	ls = __LINE__ + 1;
	spinlock_acquire(&kl_spin);
	lk = __LINE__ + 1;
	KERNEL_LOCK();			/* free: it does not spin */
	KERNEL_UNLOCK();
	spinlock_release(&kl_spin);
	KT_EXPECT_EQ(t, witness_report_count(), n0 + 1);
	KT_ASSERT(t, witness_last_report(&wr));
	KT_EXPECT_EQ(t, wr.wr_kind, WITNESS_SLEEP);
	KT_EXPECT(t, strcmp(wr.wr_held, "ktest_kl_spin") == 0);
	KT_EXPECT(t, strcmp(wr.wr_acquired, "kernel_lock") == 0);
	KT_EXPECT_EQ(t, wr.wr_held_line, ls);
	KT_EXPECT_EQ(t, wr.wr_line, lk);
	witness_class_reset("ktest_kl_spin");
}

static const struct ktest_case lock_cases[] = {
	KTEST_CASE(test_mutex_enter_try),
	KTEST_CASE(test_rwlock_writer_first),
	KTEST_CASE(test_kernel_lock_release_all),
	KTEST_CASE(test_kernel_lock_msleep),
	KTEST_CASE(test_witness_reversal),
	KTEST_CASE(test_witness_transitive),
	KTEST_CASE(test_witness_sleep),
	KTEST_CASE(test_witness_kernel_lock_under_spin),
	KTEST_CASE(test_spinlock_torture),
	KTEST_CASE(test_mutex_torture),
	KTEST_CASE(test_kernel_lock_torture),
	KTEST_CASE(test_rwlock_torture),
	{ 0 }
};
KTEST_SUITE(lock, lock_cases);
