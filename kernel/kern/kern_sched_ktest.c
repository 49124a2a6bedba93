/*
 * kern/kern_sched_ktest.c: in-kernel tests of threads, the scheduler and
 * sleep/wakeup (suite "sched").
 *
 * Each case starts kernel threads and waits, sleeping, until they have all
 * finished (struct ktest_count); the ktest runner then waits until they are
 * freed. Nothing is timed: progress is counted (items, switches, ticks
 * taken by a CPU). Cases that need several CPUs skip on one.
 */
#include "lib.h"
#include "param.h"
#include "cpu.h"
#include "lock.h"
#include "ktest.h"
#include "clock.h"
#include "smp.h"
#include "pool.h"
#include "uvm_page.h"
#include "uvm_km.h"
#include "proc.h"
#include "sched.h"
#include "smr.h"

/* ---- helpers ---- */

/* Every counter a thread's life touches. */
struct kt_counters {
	struct uvmexp	uvm;
	uint64_t	kstacks;
	uint64_t	threads;
	uint64_t	proc_objs;
	uint64_t	process_objs;
};

static void
kt_pool_live(const struct pool_stats *st, void *arg)
{
	struct kt_counters *c = arg;

	if (strcmp(st->pst_name, "proc") == 0)
		c->proc_objs = st->pst_live;
	else if (strcmp(st->pst_name, "process") == 0)
		c->process_objs = st->pst_live;
}

static void
kt_reclaim_cpu(void *arg __unused)
{
	pool_reclaim_all();
}

/* Let the grace period of every freed process pass (a kernel thread's
 * process is unhashed by the reaper and freed through SMR), empty every
 * CPU's pool caches, then read the counters. */
static void
kt_counters_get(struct kt_counters *c)
{
	smr_barrier();
	smp_xcall(cpus_online_mask(), kt_reclaim_cpu, NULL);
	memset(c, 0, sizeof(*c));
	uvm_page_counters(&c->uvm);
	c->kstacks = uvm_km_kstack_count();
	c->threads = __atomic_load_n(&kthread_stats.live, __ATOMIC_RELAXED);
	pool_foreach(kt_pool_live, c);
}

/* Expect every counter back at its baseline. */
static void
kt_counters_expect(struct ktest *t, const struct kt_counters *base)
{
	struct kt_counters now;
	int u;

	kt_counters_get(&now);
	KT_EXPECT_EQ(t, now.threads, base->threads);
	KT_EXPECT_EQ(t, now.kstacks, base->kstacks);
	KT_EXPECT_EQ(t, now.proc_objs, base->proc_objs);
	KT_EXPECT_EQ(t, now.process_objs, base->process_objs);
	KT_EXPECT_EQ(t, now.uvm.free, base->uvm.free);
	for (u = PG_USE_RESERVED; u < PG_USE_NUSES; u++)
		if (!KT_EXPECT_EQ(t, now.uvm.byuse[u], base->uvm.byuse[u]))
			ktest_log(t, "pages of use %d differ", u);
}

/* ---- create/exit storm ---- */

#define STORM_THREADS	3000
#define STORM_BATCH	60
CTASSERT(STORM_THREADS % STORM_BATCH == 0);

static struct ktest_count storm_join;
static uint64_t storm_ran;		/* [atomic] */

static void
storm_thread(void *arg)
{
	__atomic_add_fetch(&storm_ran, (uint64_t)arg, __ATOMIC_RELAXED);
	ktest_count_post(&storm_join);
}

/* Thousands of threads created, run, exited and reaped leave every counter
 * as it was. */
static void
test_kthread_storm(struct ktest *t)
{
	struct kt_counters base;
	uint64_t created0 = kthread_stats.created;
	int i, n;

	kt_counters_get(&base);
	storm_ran = 0;
	for (n = 0; n < STORM_THREADS; n += STORM_BATCH) {
		ktest_count_init(&storm_join);
		for (i = 0; i < STORM_BATCH; i++) {
			if (kthread_create(storm_thread, (void *)1UL,
			    "ktest_storm") != NULL)
				continue;
			ktest_log(t, "kthread_create failed after %d threads: "
			    "%lu live, %lu stacks, %lu pages free", n + i,
			    kthread_stats.live, uvm_km_kstack_count(), uvmexp.free);
			KT_ASSERT(t, false);
		}
		ktest_count_wait(&storm_join, STORM_BATCH);
		/* dead threads hold their stacks until reaped: uvm_km has
		 * UVM_KM_KSTACK_SLOTS, and each free is a TLB shootdown */
		kthread_wait_live(base.threads);
	}
	KT_EXPECT_EQ(t, storm_ran, STORM_THREADS);
	KT_EXPECT_EQ(t, kthread_stats.created - created0, STORM_THREADS);
	kt_counters_expect(t, &base);
}

/* ---- ENOMEM ---- */

/* kthread_create without memory returns NULL and leaks nothing. */
static void
test_kthread_enomem(struct ktest *t)
{
	struct kt_counters base;
	struct vm_page *pg, *held = NULL;
	uint64_t nheld = 0;
	struct proc *p;

	kt_counters_get(&base);
	while ((pg = uvm_pagealloc(PG_USE_KERNEL, 0)) != NULL) {
		*(struct vm_page **)VM_PAGE_TO_DMAP(pg) = held;
		held = pg;
		nheld++;
	}
	p = kthread_create(storm_thread, (void *)0UL, "ktest_enomem");
	while (held != NULL) {
		pg = held;
		held = *(struct vm_page **)VM_PAGE_TO_DMAP(pg);
		uvm_pagefree(pg);
	}
	ktest_log(t, "held all %lu free pages", nheld);
	KT_EXPECT(t, p == NULL);
	kt_counters_expect(t, &base);
}

/* ---- producers and consumers ---- */

#define PC_PRODUCERS	4
#define PC_CONSUMERS	4
#define PC_ITEMS	600	/* per producer */
#define PC_CAP		4
#define PC_TOTAL	(PC_PRODUCERS * PC_ITEMS)

static struct {
	struct spinlock	lock;
	uint64_t	ring[PC_CAP];	/* [lock] */
	int		head, count;	/* [lock] */
	int		produced;	/* [lock] */
	int		taken;		/* [lock] */
	uint64_t	sum;		/* of the values taken [lock] */
	int		per_consumer[PC_CONSUMERS]; /* [lock] */
	uint64_t	full_sleeps, empty_sleeps; /* [lock] */
} pc;
static struct ktest_count pc_join;

static void
pc_producer(void *arg)
{
	uint64_t base = (uint64_t)arg * PC_ITEMS;
	int j;

	spinlock_acquire(&pc.lock);
	for (j = 0; j < PC_ITEMS; j++) {
		while (pc.count == PC_CAP) {
			pc.full_sleeps++;
			msleep(&pc.count, &pc.lock, "ktfull", 0);
		}
		pc.ring[(pc.head + pc.count) % PC_CAP] = base + j + 1;
		pc.count++;
		pc.produced++;
		wakeup_one(&pc.head);
	}
	spinlock_release(&pc.lock);
	ktest_count_post(&pc_join);
}

static void
pc_consumer(void *arg)
{
	int me = (int)(uint64_t)arg;

	spinlock_acquire(&pc.lock);
	for (;;) {
		while (pc.count == 0 && pc.taken < PC_TOTAL) {
			pc.empty_sleeps++;
			msleep(&pc.head, &pc.lock, "ktempty", 0);
		}
		if (pc.count == 0)
			break;		/* everything was taken */
		pc.sum += pc.ring[pc.head];
		pc.head = (pc.head + 1) % PC_CAP;
		pc.count--;
		pc.per_consumer[me]++;
		if (++pc.taken == PC_TOTAL)
			wakeup(&pc.head);	/* let the other consumers out */
		wakeup_one(&pc.count);
	}
	spinlock_release(&pc.lock);
	ktest_count_post(&pc_join);
}

/* Producers and consumers through a small ring: every item is produced
 * once and consumed once, and nobody sleeps forever. */
static void
test_sleep_wakeup_stress(struct ktest *t)
{
	uint64_t i, total = 0;

	memset(&pc, 0, sizeof(pc));
	spinlock_init(&pc.lock, "ktest_pc");
	ktest_count_init(&pc_join);
	for (i = 0; i < PC_CONSUMERS; i++)
		KT_ASSERT(t, kthread_create(pc_consumer, (void *)i, "ktest_cons"));
	for (i = 0; i < PC_PRODUCERS; i++)
		KT_ASSERT(t, kthread_create(pc_producer, (void *)i, "ktest_prod"));
	ktest_count_wait(&pc_join, PC_PRODUCERS + PC_CONSUMERS);

	spinlock_acquire(&pc.lock);
	KT_EXPECT_EQ(t, pc.produced, PC_TOTAL);
	KT_EXPECT_EQ(t, pc.taken, PC_TOTAL);
	KT_EXPECT_EQ(t, pc.count, 0);
	for (i = 0; i < PC_CONSUMERS; i++)
		total += pc.per_consumer[i];
	KT_EXPECT_EQ(t, total, PC_TOTAL);
	KT_EXPECT_EQ(t, pc.sum, (uint64_t)PC_TOTAL * (PC_TOTAL + 1) / 2);
	ktest_log(t, "%lu sleeps on a full ring, %lu on an empty one",
	    pc.full_sleeps, pc.empty_sleeps);
	spinlock_release(&pc.lock);
}

/* ---- timeouts ---- */

static int timo_chan;

/* msleep with a timeout and no wakeup returns EWOULDBLOCK, no earlier than
 * its timeout, with the interlock held again. */
static void
test_msleep_timeout(struct ktest *t)
{
	struct spinlock lock;
	uint64_t t0;
	int error;

	spinlock_init(&lock, "ktest_timo");
	spinlock_acquire(&lock);
	t0 = ticks;
	error = msleep(&timo_chan, &lock, "kttimo", 3);
	KT_EXPECT_EQ(t, error, EWOULDBLOCK);
	KT_EXPECT(t, spinlock_held(&lock));
	KT_EXPECT(t, ticks - t0 >= 3);
	spinlock_release(&lock);

	KT_EXPECT_EQ(t, msleep(&timo_chan, NULL, "kttimo", 1), EWOULDBLOCK);
}

#define TIMO_THREADS	16

static struct ktest_count timo_join;
static int timo_expired;		/* [atomic] */
static int timo_chans[TIMO_THREADS];

static void
timo_thread(void *arg)
{
	uint64_t i = (uint64_t)arg;

	if (msleep(&timo_chans[i], NULL, "kttimo", 1 + i % 5) == EWOULDBLOCK)
		__atomic_add_fetch(&timo_expired, 1, __ATOMIC_RELAXED);
	ktest_count_post(&timo_join);
}

/* Many timed sleepers at once, several per bucket and tick: all expire. */
static void
test_msleep_timeout_many(struct ktest *t)
{
	uint64_t i;

	timo_expired = 0;
	ktest_count_init(&timo_join);
	for (i = 0; i < TIMO_THREADS; i++)
		KT_ASSERT(t, kthread_create(timo_thread, (void *)i, "ktest_timo"));
	ktest_count_wait(&timo_join, TIMO_THREADS);
	KT_EXPECT_EQ(t, timo_expired, TIMO_THREADS);
}

static struct {
	struct spinlock	lock;
	bool		flag;		/* [lock] */
} early;

static void
early_waker(void *arg __unused)
{
	spinlock_acquire(&early.lock);
	early.flag = true;
	wakeup(&early);
	spinlock_release(&early.lock);
}

/* A timed sleep that is woken returns 0, and its timeout is forgotten. */
static void
test_msleep_woken_early(struct ktest *t)
{
	int error;

	spinlock_init(&early.lock, "ktest_early");
	early.flag = false;
	spinlock_acquire(&early.lock);
	/* the waker needs the lock, so it runs only once we sleep */
	if (!KT_EXPECT(t, kthread_create(early_waker, NULL, "ktest_waker"))) {
		spinlock_release(&early.lock);
		return;
	}
	error = msleep(&early, &early.lock, "ktearly", 60 * HZ);
	KT_EXPECT_EQ(t, error, 0);
	KT_EXPECT(t, early.flag);
	spinlock_release(&early.lock);
}

/* ---- wakeup_one ---- */

#define W1_THREADS	4

static struct {
	struct spinlock	lock;
	int		ready;		/* threads asleep on chan [lock] */
	int		woke;		/* [lock] */
	int		first;		/* arrival order of the first woken [lock] */
	bool		release;	/* [lock] */
	int		chan;
} w1;
static struct ktest_count w1_join;

static void
w1_thread(void *arg __unused)
{
	int order;

	spinlock_acquire(&w1.lock);
	order = w1.ready++;
	wakeup(&w1.ready);
	msleep(&w1.chan, &w1.lock, "ktw1", 0);
	if (w1.woke++ == 0)
		w1.first = order;
	wakeup(&w1.woke);
	while (!w1.release)
		msleep(&w1.release, &w1.lock, "ktw1rel", 0);
	spinlock_release(&w1.lock);
	ktest_count_post(&w1_join);
}

/* wakeup_one wakes exactly one sleeper, the one that slept first; wakeup
 * wakes the rest. */
static void
test_wakeup_one(struct ktest *t)
{
	struct proc *p[W1_THREADS];
	int i, asleep;

	memset(&w1, 0, sizeof(w1));
	spinlock_init(&w1.lock, "ktest_w1");
	ktest_count_init(&w1_join);
	for (i = 0; i < W1_THREADS; i++)
		KT_ASSERT(t, (p[i] = kthread_create(w1_thread, NULL, "ktest_w1")));

	spinlock_acquire(&w1.lock);
	while (w1.ready < W1_THREADS)	/* each sleeps as it drops the lock */
		msleep(&w1.ready, &w1.lock, "ktw1rdy", 0);
	wakeup_one(&w1.chan);
	while (w1.woke < 1)
		msleep(&w1.woke, &w1.lock, "ktw1w", 0);
	/* they all live until released: their structs can be looked at */
	for (i = asleep = 0; i < W1_THREADS; i++)
		if (p[i]->p_stat == SSLEEP && p[i]->p_wchan == &w1.chan)
			asleep++;
	KT_EXPECT_EQ(t, asleep, W1_THREADS - 1);
	KT_EXPECT_EQ(t, w1.woke, 1);
	KT_EXPECT_EQ(t, w1.first, 0);

	wakeup(&w1.chan);
	while (w1.woke < W1_THREADS)
		msleep(&w1.woke, &w1.lock, "ktw1w", 0);
	w1.release = true;
	wakeup(&w1.release);
	spinlock_release(&w1.lock);
	ktest_count_wait(&w1_join, W1_THREADS);
}

/* ---- preemption ---- */

/* Timer ticks a spinner may see on its CPU before it counts as starved:
 * a waiting thread must get the CPU within one quantum. */
#define SPIN_TICKS_MAX	(50 * SCHED_QUANTUM)

static struct {
	struct spinlock	lock;
	struct cpu_info	*cpu;		/* where both run [const] */
	bool		spinning;	/* [lock] */
	bool		other_ran;	/* [atomic] */
	bool		starved;	/* [atomic] */
	uint64_t	spinner_preempted; /* [atomic] */
	uint64_t	spins;		/* [atomic] */
	uint64_t	spin_ticks;	/* ticks its CPU took while it spun [atomic] */
} pre;
static struct ktest_count pre_join;

static void
pre_spinner(void *arg __unused)
{
	struct cpu_info *ci = pre.cpu;
	uint64_t t0, n = 0;

	sched_peg_curproc(ci);
	t0 = __atomic_load_n(&ci->ci_ticks, __ATOMIC_RELAXED);
	spinlock_acquire(&pre.lock);
	pre.spinning = true;
	wakeup(&pre);
	spinlock_release(&pre.lock);
	/* never yields, never sleeps */
	while (!__atomic_load_n(&pre.other_ran, __ATOMIC_ACQUIRE)) {
		n++;
		if (__atomic_load_n(&ci->ci_ticks, __ATOMIC_RELAXED) - t0 >
		    SPIN_TICKS_MAX) {
			__atomic_store_n(&pre.starved, true, __ATOMIC_RELAXED);
			break;
		}
	}
	__atomic_store_n(&pre.spins, n, __ATOMIC_RELAXED);
	__atomic_store_n(&pre.spin_ticks,
	    __atomic_load_n(&ci->ci_ticks, __ATOMIC_RELAXED) - t0, __ATOMIC_RELAXED);
	__atomic_store_n(&pre.spinner_preempted, curproc->p_nivcsw,
	    __ATOMIC_RELAXED);
	ktest_count_post(&pre_join);
}

static void
pre_other(void *arg __unused)
{
	sched_peg_curproc(pre.cpu);
	__atomic_store_n(&pre.other_ran, true, __ATOMIC_RELEASE);
	ktest_count_post(&pre_join);
}

/* A thread spinning without yielding does not starve another thread on its
 * CPU: the clock preempts it. */
static void
test_preempt_spinner(struct ktest *t)
{
	memset(&pre, 0, sizeof(pre));
	spinlock_init(&pre.lock, "ktest_pre");
	pre.cpu = &cpu_info[ncpus - 1];
	ktest_count_init(&pre_join);
	KT_ASSERT(t, kthread_create(pre_spinner, NULL, "ktest_spin"));
	spinlock_acquire(&pre.lock);
	while (!pre.spinning)
		msleep(&pre, &pre.lock, "ktspin", 0);
	spinlock_release(&pre.lock);
	/* the spinner holds pre.cpu; this one must get a turn there */
	KT_ASSERT(t, kthread_create(pre_other, NULL, "ktest_other"));
	ktest_count_wait(&pre_join, 2);

	KT_EXPECT(t, pre.other_ran);
	KT_EXPECT(t, !pre.starved);
	KT_EXPECT(t, pre.spinner_preempted > 0);
	ktest_log(t, "spinner on cpu%u: %lu loops over %lu ticks, preempted %lu "
	    "times", pre.cpu->ci_cpuid, pre.spins, pre.spin_ticks,
	    pre.spinner_preempted);
}

/* ---- pegging ---- */

/* A pegged thread moves to its CPU and stays there across switches; once
 * unpegged it may move again. */
static void
test_peg(struct ktest *t)
{
	int i, j;

	for (i = 0; i < ncpus; i++) {
		sched_peg_curproc(&cpu_info[i]);
		KT_EXPECT(t, curproc->p_flag & P_CPUPEG);
		for (j = 0; j < 10; j++) {
			KT_EXPECT_EQ(t, cpu_number(), i);
			yield();
		}
		KT_EXPECT_EQ(t, curproc->p_cpu, &cpu_info[i]);
	}
	sched_unpeg_curproc();
	KT_EXPECT(t, !(curproc->p_flag & P_CPUPEG));
}

/* ---- every CPU ---- */

#define EVERY_PER_CPU	2
#define EVERY_YIELDS	200000	/* yields a thread may spend waiting */

static struct {
	int		nthreads;	/* [const] */
	int		started;	/* [atomic] */
	uint64_t	mask;		/* CPUs threads ran on [atomic] */
	bool		gave_up;	/* [atomic] */
} every;
static struct ktest_count every_join;

static void
every_thread(void *arg __unused)
{
	uint64_t all = cpus_online_mask();
	int n;

	__atomic_or_fetch(&every.mask, 1UL << cpu_number(), __ATOMIC_RELAXED);
	__atomic_add_fetch(&every.started, 1, __ATOMIC_RELAXED);
	/* stay runnable until every CPU has run one of us */
	for (n = 0; __atomic_load_n(&every.mask, __ATOMIC_RELAXED) != all ||
	    __atomic_load_n(&every.started, __ATOMIC_RELAXED) < every.nthreads;
	    n++) {
		if (n == EVERY_YIELDS) {
			__atomic_store_n(&every.gave_up, true, __ATOMIC_RELAXED);
			break;
		}
		yield();
		__atomic_or_fetch(&every.mask, 1UL << cpu_number(),
		    __ATOMIC_RELAXED);
	}
	ktest_count_post(&every_join);
}

/* Threads spread over every CPU (placement and stealing), and every CPU
 * switches. */
static void
test_threads_every_cpu(struct ktest *t)
{
	struct schedstat before[MAXCPUS], after;
	int i;

	if (ncpus < 2) {
		ktest_skip(t, "needs more than one CPU");
		return;
	}
	for (i = 0; i < ncpus; i++)
		sched_stats(&cpu_info[i], &before[i]);
	memset(&every, 0, sizeof(every));
	every.nthreads = EVERY_PER_CPU * ncpus;
	ktest_count_init(&every_join);
	for (i = 0; i < every.nthreads; i++)
		KT_ASSERT(t, kthread_create(every_thread, NULL, "ktest_every"));
	ktest_count_wait(&every_join, every.nthreads);

	KT_EXPECT_EQ(t, every.mask, cpus_online_mask());
	KT_EXPECT(t, !every.gave_up);
	for (i = 0; i < ncpus; i++) {
		sched_stats(&cpu_info[i], &after);
		if (!KT_EXPECT(t, after.nswitch > before[i].nswitch))
			ktest_log(t, "cpu%d did not switch", i);
	}
}

/* ---- stealing ---- */

static struct {
	int		nthreads;	/* [const] */
	int		queued;		/* threads that reached cpu0 [atomic] */
	uint64_t	mask;		/* CPUs they ran on since [atomic] */
	bool		gave_up;	/* [atomic] */
} steal;
static struct ktest_count steal_join;

static void
steal_thread(void *arg __unused)
{
	uint64_t all = cpus_online_mask();
	int n;

	/* gather on cpu0, then let go: only stealing moves us away */
	sched_peg_curproc(&cpu_info[0]);
	__atomic_add_fetch(&steal.queued, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&steal.queued, __ATOMIC_RELAXED) < steal.nthreads)
		yield();
	sched_unpeg_curproc();
	for (n = 0; __atomic_load_n(&steal.mask, __ATOMIC_RELAXED) != all; n++) {
		if (n == EVERY_YIELDS) {
			__atomic_store_n(&steal.gave_up, true, __ATOMIC_RELAXED);
			break;
		}
		__atomic_or_fetch(&steal.mask, 1UL << cpu_number(),
		    __ATOMIC_RELAXED);
		yield();
	}
	ktest_count_post(&steal_join);
}

/* Threads queued on one busy CPU are taken by the idle ones. */
static void
test_idle_cpus_steal(struct ktest *t)
{
	uint64_t stolen0 = 0, stolen1 = 0;
	struct schedstat st;
	int i;

	if (ncpus < 2) {
		ktest_skip(t, "needs more than one CPU");
		return;
	}
	for (i = 0; i < ncpus; i++) {
		sched_stats(&cpu_info[i], &st);
		stolen0 += st.nsteal;
	}
	memset(&steal, 0, sizeof(steal));
	steal.nthreads = EVERY_PER_CPU * ncpus;
	ktest_count_init(&steal_join);
	for (i = 0; i < steal.nthreads; i++)
		KT_ASSERT(t, kthread_create(steal_thread, NULL, "ktest_steal"));
	ktest_count_wait(&steal_join, steal.nthreads);
	for (i = 0; i < ncpus; i++) {
		sched_stats(&cpu_info[i], &st);
		stolen1 += st.nsteal;
	}
	KT_EXPECT_EQ(t, steal.mask, cpus_online_mask());
	KT_EXPECT(t, !steal.gave_up);
	KT_EXPECT(t, stolen1 - stolen0 >= (uint64_t)ncpus - 1);
}

static const struct ktest_case sched_cases[] = {
	KTEST_CASE(test_kthread_storm),
	KTEST_CASE(test_kthread_enomem),
	KTEST_CASE(test_sleep_wakeup_stress),
	KTEST_CASE(test_msleep_timeout),
	KTEST_CASE(test_msleep_timeout_many),
	KTEST_CASE(test_msleep_woken_early),
	KTEST_CASE(test_wakeup_one),
	KTEST_CASE(test_preempt_spinner),
	KTEST_CASE(test_peg),
	KTEST_CASE(test_threads_every_cpu),
	KTEST_CASE(test_idle_cpus_steal),
	{ NULL, NULL }
};
KTEST_SUITE(sched, sched_cases);
