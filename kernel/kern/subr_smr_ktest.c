/*
 * kern/subr_smr_ktest.c: in-kernel tests of SMR (suite "smr").
 *
 * Objects freed through SMR come from a debug pool of this file (smrt_pool,
 * poisoned on free), set up and destroyed by each case that uses it. Cases
 * that start threads sleep until they have finished (struct smrt_join); the
 * ktest runner then waits until they are freed. Nothing is timed: waits are
 * bounded by counts of ticks, work by counts of iterations. Cases that need
 * a second CPU skip on one.
 */
#include "lib.h"
#include "param.h"
#include "cpu.h"
#include "cpufunc.h"
#include "lock.h"
#include "ktest.h"
#include "clock.h"
#include "pool.h"
#include "uvm_page.h"
#include "proc.h"
#include "sched.h"
#include "smr.h"

#define SMRT_MAGIC	0x736d722d6f626a21ULL	/* "smr-obj!" */

/* An object readers find through a shared slot. Published objects are never
 * written: a reader that sees one change saw it freed (poison) or reused. */
struct smrt_obj {
	uint64_t	so_magic;	/* SMRT_MAGIC while live */
	struct smrt_obj	*so_self;	/* its own address */
	uint64_t	so_gen;		/* the writer's iteration */
	struct smrt_obj	*so_next;	/* a case's private list */
	struct smr_entry so_entry;
};

static struct pool smrt_pool;
static uint64_t smrt_freed;		/* objects put back by smrt_free [atomic] */

/* Set up smrt_pool (a debug pool) and zero the free count. */
static void
smrt_pool_init(void)
{
	pool_init(&smrt_pool, sizeof(struct smrt_obj), 8, "ktest_smr");
	__atomic_store_n(&smrt_freed, 0, __ATOMIC_RELAXED);
}

/* A live object of generation gen, or NULL when memory is short. */
static struct smrt_obj *
smrt_obj_alloc(uint64_t gen)
{
	struct smrt_obj *o = pool_get(&smrt_pool, PR_NOWAIT);

	if (o != NULL) {
		o->so_magic = SMRT_MAGIC;
		o->so_self = o;
		o->so_gen = gen;
		o->so_next = NULL;
	}
	return o;
}

/* SMR callback: give the object back to smrt_pool (which poisons it). */
static void
smrt_free(void *arg)
{
	pool_put(&smrt_pool, arg);
	__atomic_add_fetch(&smrt_freed, 1, __ATOMIC_RELAXED);
}

/* Expect nothing live in smrt_pool, then destroy it. */
static void
smrt_pool_destroy(struct ktest *t)
{
	struct pool_stats st;

	pool_stats_get(&smrt_pool, &st);
	KT_EXPECT_EQ(t, st.pst_live, 0);
	if (st.pst_live == 0)	/* pool_destroy panics on live objects */
		pool_destroy(&smrt_pool);
}

/* SMR callback: set the flag *arg and wake whoever sleeps on it. */
static void
smrt_flag_set(void *arg)
{
	__atomic_store_n((int *)arg, 1, __ATOMIC_RELEASE);
	wakeup(arg);
}

#define SMRT_WAIT_TICKS	500

/* A callback the cases queue to learn that grace periods still end. */
static struct {
	struct smr_entry sf_entry;
	int		sf_ran;		/* set by its callback [atomic] */
	bool		sf_queued;	/* queued, maybe not run [test thread] */
} smrt_fence;

/*
 * Queue a callback and sleep, at most SMRT_WAIT_TICKS ticks, until it has
 * run, which means that every callback queued before it has run too. Return
 * the ticks slept; or fail the case and return -1 if it did not run (grace
 * periods do not end, and a case that waited for one would hang).
 */
static int
smrt_fence_wait(struct ktest *t)
{
	int n;

	if (smrt_fence.sf_queued &&
	    !__atomic_load_n(&smrt_fence.sf_ran, __ATOMIC_ACQUIRE)) {
		ktest_log(t, "an earlier case's grace period never ended");
		KT_EXPECT(t, !smrt_fence.sf_queued);
		return -1;
	}
	smrt_fence.sf_ran = 0;
	smrt_fence.sf_queued = true;
	smr_call(&smrt_fence.sf_entry, smrt_flag_set, &smrt_fence.sf_ran);
	for (n = 0; n < SMRT_WAIT_TICKS &&
	    !__atomic_load_n(&smrt_fence.sf_ran, __ATOMIC_ACQUIRE); n++)
		msleep(&smrt_fence.sf_ran, NULL, "smrtfence", 1);
	if (!KT_EXPECT_EQ(t, __atomic_load_n(&smrt_fence.sf_ran,
	    __ATOMIC_ACQUIRE), 1)) {
		ktest_log(t, "no grace period ended in %d ticks", SMRT_WAIT_TICKS);
		return -1;	/* stays queued; it is static */
	}
	smrt_fence.sf_queued = false;
	return n;
}

/* Threads a case waits for. */
static struct ktest_count smrt_join = KTEST_COUNT_INITIALIZER;

/* Count the calling thread finished, wake the case, exit. */
static void __noreturn
smrt_thread_done(void)
{
	ktest_count_post(&smrt_join);
	kthread_exit();
}

/* Sleep until n threads have called smrt_thread_done, then reset. */
static void
smrt_join_wait(int n)
{
	ktest_count_wait(&smrt_join, n);
	ktest_count_init(&smrt_join);
}

/* Pages of a use, as uvm_page counts them. */
static uint64_t
smrt_pages(enum vm_page_use use)
{
	struct uvmexp u;

	uvm_page_counters(&u);
	return u.byuse[use];
}

/* ---- read sections ---- */

/* Sections nest, keep interrupts off, and are what SMR_ASSERT_* test. */
static void
test_smr_read_section(struct ktest *t)
{
	KT_EXPECT(t, !smr_read_held());
	SMR_ASSERT_NONCRITICAL();
	smr_read_enter();
	KT_EXPECT(t, smr_read_held());
	KT_EXPECT(t, (read_rflags() & PSL_I) == 0);
	smr_read_enter();
	SMR_ASSERT_CRITICAL();
	smr_read_leave();
	KT_EXPECT(t, smr_read_held());
	KT_EXPECT(t, (read_rflags() & PSL_I) == 0);
	smr_read_leave();
	KT_EXPECT(t, !smr_read_held());
	KT_EXPECT(t, (read_rflags() & PSL_I) != 0);
}

/* A callback queued inside a read section does not run while the section
 * lasts, however many ticks the other CPUs take; it runs after. */
static void
test_smr_call_waits_for_reader(struct ktest *t)
{
	static struct smr_entry e;
	static int ran;
	struct smr_stats st0, st1;
	struct cpu_info *other;
	uint64_t t0;
	int inside;

	if (ncpus < 2) {
		ktest_skip(t, "needs a second CPU to run the smr thread");
		return;
	}
	if (smrt_fence_wait(t) < 0)
		return;
	ran = 0;
	smr_stats_get(&st0);
	smr_read_enter();
	other = &cpu_info[cpu_number() == 0 ? 1 : 0];
	smr_call_nowait(&e, smrt_flag_set, &ran);
	t0 = __atomic_load_n(&other->ci_ticks, __ATOMIC_RELAXED);
	while (__atomic_load_n(&other->ci_ticks, __ATOMIC_RELAXED) < t0 + 10)
		cpu_pause();
	inside = __atomic_load_n(&ran, __ATOMIC_ACQUIRE);
	smr_stats_get(&st1);
	smr_read_leave();
	KT_EXPECT_EQ(t, inside, 0);
	if (smrt_fence_wait(t) < 0)
		return;
	KT_EXPECT_EQ(t, st1.ss_called, st0.ss_called);
	KT_EXPECT_EQ(t, __atomic_load_n(&ran, __ATOMIC_ACQUIRE), 1);
}

/* ---- smr_barrier ---- */

#define BARRIER_CALLS	200

static uint32_t barrier_order[BARRIER_CALLS];
static uint32_t barrier_next;		/* callbacks run [smr thread] */

/* SMR callback: record the position the callback of index arg ran at. */
static void
barrier_record(void *arg)
{
	barrier_order[(uintptr_t)arg] = barrier_next++;
}

/* After smr_barrier every callback queued before it has run, in order, and
 * at least one grace period has passed. */
static void
test_smr_barrier(struct ktest *t)
{
	static struct smr_entry e[BARRIER_CALLS];
	struct smr_stats st0, st1;
	uint32_t before;
	int i, misordered = 0;

	if (smrt_fence_wait(t) < 0)
		return;
	barrier_next = 0;
	smr_stats_get(&st0);
	for (i = 0; i < BARRIER_CALLS; i++)
		smr_call(&e[i], barrier_record, (void *)(uintptr_t)i);
	before = __atomic_load_n(&barrier_next, __ATOMIC_RELAXED);
	smr_barrier();
	smr_stats_get(&st1);
	ktest_log(t, "%u of %d callbacks had run before smr_barrier", before,
	    BARRIER_CALLS);
	KT_EXPECT_EQ(t, barrier_next, BARRIER_CALLS);
	for (i = 0; i < BARRIER_CALLS; i++)
		if (barrier_order[i] != (uint32_t)i)
			misordered++;
	KT_EXPECT_EQ(t, misordered, 0);
	KT_EXPECT(t, st1.ss_grace > st0.ss_grace);
	KT_EXPECT(t, st1.ss_called >= st0.ss_called + BARRIER_CALLS + 1);
}

/* ---- readers never see a freed object ---- */

#define READ_MIN_SECTIONS	2000	/* per reader, at least */
#define READ_CHECKS		8	/* re-reads of the object per section */
#define WRITE_ITERS		20000

static struct {
	struct smrt_obj	*slot;		/* the published object [atomic] */
	bool		writer_done;	/* [atomic] */
	uint64_t	sections;	/* [atomic] */
	uint64_t	checks;		/* [atomic] */
	uint64_t	bad;		/* checks that failed [atomic] */
	uint64_t	badword;	/* the first failing so_magic [atomic] */
	uint64_t	written;	/* objects replaced [atomic] */
} rd;

/* A reader pegged to CPU arg: read the slot's object in read sections,
 * re-checking it, until the writer is done. */
static void
rd_reader(void *arg)
{
	uint64_t n, sections = 0, checks = 0, bad = 0, gen, magic;
	struct smrt_obj *o;
	int k;

	sched_peg_curproc(&cpu_info[(uintptr_t)arg]);
	for (n = 0; n < READ_MIN_SECTIONS ||
	    !__atomic_load_n(&rd.writer_done, __ATOMIC_ACQUIRE); n++) {
		smr_read_enter();
		o = SMR_PTR_GET(&rd.slot);
		gen = __atomic_load_n(&o->so_gen, __ATOMIC_RELAXED);
		for (k = 0; k < READ_CHECKS; k++) {
			magic = __atomic_load_n(&o->so_magic, __ATOMIC_RELAXED);
			if (magic != SMRT_MAGIC ||
			    __atomic_load_n(&o->so_self, __ATOMIC_RELAXED) != o ||
			    __atomic_load_n(&o->so_gen, __ATOMIC_RELAXED) != gen) {
				if (bad++ == 0)
					__atomic_store_n(&rd.badword, magic,
					    __ATOMIC_RELAXED);
			}
			checks++;
			cpu_pause();
		}
		smr_read_leave();
		sections++;
		if (n % 32 == 31)
			yield();
	}
	__atomic_add_fetch(&rd.sections, sections, __ATOMIC_RELAXED);
	__atomic_add_fetch(&rd.checks, checks, __ATOMIC_RELAXED);
	__atomic_add_fetch(&rd.bad, bad, __ATOMIC_RELAXED);
	smrt_thread_done();
}

/* The writer: replace the slot's object and free the old one through SMR. */
static void
rd_writer(void *arg __unused)
{
	struct smrt_obj *o, *old;
	uint64_t i;

	for (i = 1; i <= WRITE_ITERS; i++) {
		o = smrt_obj_alloc(i);
		if (o == NULL)
			break;
		old = __atomic_exchange_n(&rd.slot, o, __ATOMIC_ACQ_REL);
		smr_call(&old->so_entry, smrt_free, old);
		__atomic_add_fetch(&rd.written, 1, __ATOMIC_RELAXED);
		if (i % 64 == 0)
			yield();
	}
	__atomic_store_n(&rd.writer_done, true, __ATOMIC_RELEASE);
	smrt_thread_done();
}

/* Readers on every CPU check the object they hold while a writer replaces
 * it and frees the old one through SMR into a poisoning pool: no reader
 * ever sees poison or a reused object. */
static void
test_smr_readers_never_see_free(struct ktest *t)
{
	struct smrt_obj *last;
	int i, started = 0;

	if (smrt_fence_wait(t) < 0)
		return;
	smrt_pool_init();
	KT_ASSERT(t, smrt_pool.pr_debug);	/* freed objects are poisoned */
	memset(&rd, 0, sizeof(rd));
	rd.slot = smrt_obj_alloc(0);
	KT_ASSERT(t, rd.slot != NULL);
	for (i = 0; i < ncpus; i++)
		if (kthread_create(rd_reader, (void *)(uintptr_t)i, "ktest_smr_rd") != NULL)
			started++;
	if (kthread_create(rd_writer, NULL, "ktest_smr_wr") != NULL)
		started++;
	else
		__atomic_store_n(&rd.writer_done, true, __ATOMIC_RELEASE);
	smrt_join_wait(started);
	KT_EXPECT_EQ(t, started, ncpus + 1);

	last = rd.slot;
	rd.slot = NULL;
	smr_call(&last->so_entry, smrt_free, last);
	if (smrt_fence_wait(t) < 0)
		return;
	ktest_log(t, "%d readers: %lu sections, %lu checks, %lu bad; %lu objects "
	    "replaced", ncpus, rd.sections, rd.checks, rd.bad, rd.written);
	if (rd.bad != 0)
		ktest_log(t, "first bad magic %#lx (poison is %#x bytes)",
		    rd.badword, POOL_POISON_BYTE);
	KT_EXPECT_EQ(t, rd.bad, 0);
	KT_EXPECT_EQ(t, rd.written, WRITE_ITERS);
	KT_EXPECT(t, rd.checks >= (uint64_t)ncpus * READ_MIN_SECTIONS * READ_CHECKS);
	KT_EXPECT_EQ(t, __atomic_load_n(&smrt_freed, __ATOMIC_RELAXED),
	    WRITE_ITERS + 1);
	smrt_pool_destroy(t);
}

/* ---- a grace period ends with an idle CPU ---- */

/* A grace period completes while some CPU stays idle the whole time: idle
 * CPUs report quiescent states at their ticks. The wait is bounded by a
 * count of ticks (smrt_fence_wait), so a hang is a failure. */
static void
test_smr_grace_idle_cpu(struct ktest *t)
{
	struct schedstat st0[MAXCPUS], st1;
	bool idle0[MAXCPUS];
	int i, n, nidle = 0, waited;

	n = ncpus;
	if (n < 2) {
		ktest_skip(t, "needs a CPU other than the one running the test");
		return;
	}
	for (i = 0; i < n; i++) {
		idle0[i] = __atomic_load_n(&cpu_info[i].ci_curproc,
		    __ATOMIC_RELAXED) == cpu_info[i].ci_idleproc;
		sched_stats(&cpu_info[i], &st0[i]);
	}
	waited = smrt_fence_wait(t);
	for (i = 0; i < n; i++) {
		sched_stats(&cpu_info[i], &st1);
		if (idle0[i] && st1.nswitch == st0[i].nswitch &&
		    __atomic_load_n(&cpu_info[i].ci_curproc, __ATOMIC_RELAXED) ==
		    cpu_info[i].ci_idleproc) {
			nidle++;
			ktest_log(t, "cpu%d stayed idle (%lu ticks)", i,
			    st1.nticks - st0[i].nticks);
		}
	}
	if (waited < 0)
		return;
	ktest_log(t, "grace period and callback after %d sleeps of a tick", waited);
	if (nidle == 0)
		ktest_skip(t, "no CPU stayed idle during the grace period");
}

/* ---- bounded backlog ---- */

#define STORM_CALLS	100000

/* One thread queues STORM_CALLS frees as fast as it can: the backlog never
 * passes the watermark (the thread waits there instead), every callback
 * runs, and every pool page comes back. */
static void
test_smr_backlog_storm(struct ktest *t)
{
	uint64_t pages0, free0;
	struct smr_stats st0, st1;
	struct uvmexp u;
	struct smrt_obj *o;
	int i;

	/* earlier cases' threads reaped and their process structs freed
	 * (through SMR) before the baseline, so only this case moves it */
	kthread_wait_reaped();
	if (smrt_fence_wait(t) < 0)
		return;
	pages0 = smrt_pages(PG_USE_POOL);
	uvm_page_counters(&u);
	free0 = u.free;
	smr_stats_reset_peak();
	smr_stats_get(&st0);
	smrt_pool_init();
	for (i = 0; i < STORM_CALLS; i++) {
		o = smrt_obj_alloc(i);
		if (!KT_EXPECT(t, o != NULL))
			break;
		smr_call(&o->so_entry, smrt_free, o);
	}
	smr_barrier();
	smr_stats_get(&st1);
	ktest_log(t, "peak backlog %lu (watermark %lu), %lu waits, %lu grace "
	    "periods", st1.ss_peak, st1.ss_backlog_max,
	    st1.ss_waits - st0.ss_waits, st1.ss_grace - st0.ss_grace);
	/* sleeping callers stop at the watermark; only smr_call_nowait users
	 * elsewhere (none while the tests run) could add to it */
	KT_EXPECT(t, st1.ss_peak <= st1.ss_backlog_max);
	KT_EXPECT(t, st1.ss_waits > st0.ss_waits);
	KT_EXPECT_EQ(t, __atomic_load_n(&smrt_freed, __ATOMIC_RELAXED), STORM_CALLS);
	KT_EXPECT(t, st1.ss_called - st0.ss_called >= STORM_CALLS + 1);
	smrt_pool_destroy(t);
	KT_EXPECT_EQ(t, smrt_pages(PG_USE_POOL), pages0);
	uvm_page_counters(&u);
	KT_EXPECT_EQ(t, u.free, free0);
}

#define OVERFLOW_EXTRA		8
#define OVERFLOW_MAX_BACKLOG	65536	/* objects this case may allocate */

/* smr_call_nowait never waits: past the watermark it queues anyway and
 * counts an overflow; the backlog drains once the caller may sleep. */
static void
test_smr_nowait_overflow(struct ktest *t)
{
	struct smrt_obj *list = NULL, *o;
	struct smr_stats st0, st1;
	uint64_t n, i, p0, over;

	if (smrt_fence_wait(t) < 0)
		return;
	smr_stats_get(&st0);
	if (st0.ss_backlog_max > OVERFLOW_MAX_BACKLOG) {
		ktest_skip(t, "smr_backlog=%lu is above %d", st0.ss_backlog_max,
		    OVERFLOW_MAX_BACKLOG);
		return;
	}
	smrt_pool_init();
	n = st0.ss_backlog_max + OVERFLOW_EXTRA;
	for (i = 0; i < n; i++) {
		o = smrt_obj_alloc(i);
		if (!KT_EXPECT(t, o != NULL))
			break;
		o->so_next = list;
		list = o;
	}
	n = i;
	/* interrupts off: this CPU passes no quiescent state, so none of ours
	 * can run before the loop ends */
	spinlock_enter();
	smr_stats_get(&st0);
	p0 = st0.ss_pending;
	for (o = list; o != NULL; o = o->so_next)
		smr_call_nowait(&o->so_entry, smrt_free, o);
	smr_stats_get(&st1);
	spinlock_exit();
	over = st1.ss_overflows - st0.ss_overflows;
	ktest_log(t, "%lu calls with %lu already pending: %lu overflows, peak %lu",
	    n, p0, over, st1.ss_peak);
	KT_EXPECT(t, over >= OVERFLOW_EXTRA && over <= OVERFLOW_EXTRA + p0);
	KT_EXPECT_EQ(t, st1.ss_waits, st0.ss_waits);
	if (smrt_fence_wait(t) < 0)
		return;
	KT_EXPECT_EQ(t, __atomic_load_n(&smrt_freed, __ATOMIC_RELAXED), n);
	smrt_pool_destroy(t);
}

static const struct ktest_case smr_cases[] = {
	KTEST_CASE(test_smr_read_section),
	KTEST_CASE(test_smr_grace_idle_cpu),
	KTEST_CASE(test_smr_call_waits_for_reader),
	KTEST_CASE(test_smr_barrier),
	KTEST_CASE(test_smr_readers_never_see_free),
	KTEST_CASE(test_smr_backlog_storm),
	KTEST_CASE(test_smr_nowait_overflow),
	{ 0 },
};
KTEST_SUITE(smr, smr_cases);
