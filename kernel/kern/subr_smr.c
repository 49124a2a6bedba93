/*
 * kern/subr_smr.c: safe memory reclamation (smr(9)): read sections, grace
 * periods from per-CPU quiescent states, deferred callbacks, a bounded
 * backlog.
 *
 * Owns the callback queue, the grace-period sequence and the per-CPU state.
 *  - smr_pcpu[cpu]: that CPU's read-section depth (touched only by it, with
 *    interrupts off) and the last sequence it saw at a quiescent state
 *    (written only by it, read by the smr thread). One cache line each.
 *  - smr_seq: the sequence of the newest grace period; advanced only by the
 *    smr thread, read by every CPU at its quiescent states.
 *  - smr_lock (spinlock) guards the queue (smr_head, smr_tailp) and orders
 *    the sleeps at the watermark and in smr_barrier against their wakeups.
 *    Lock order: smr_lock -> sleep-queue locks -> run-queue locks, so
 *    smr_quiescent, called under a run-queue lock, takes no lock at all.
 *  - Counters are atomics; smr_npending is raised only under smr_lock and
 *    lowered by the smr thread without it.
 *
 * Why a grace period is enough: a writer unlinks an object and then queues
 * it; the smr thread takes the queue as one batch and then advances smr_seq
 * to S (a locked instruction, after the unlink). A CPU that stores S at a
 * quiescent state has finished every read section it began before (sections
 * are neither preempted nor interrupted), and every section it begins later
 * loads the slot after having loaded smr_seq == S, so it sees the unlink.
 * Once every online CPU shows S, the batch may run.
 *
 * Lifecycle: smr_init starts the smr thread, which never exits. It sleeps
 * until the queue is not empty, takes the whole queue, starts a grace
 * period, polls once a tick until it is over (no IPIs: idle CPUs report at
 * their ticks), runs the batch in order, and wakes callers waiting at the
 * watermark.
 */
#include "lib.h"
#include "param.h"
#include "cpu.h"
#include "lock.h"
#include "proc.h"
#include "sched.h"
#include "bootopt.h"
#include "smr.h"

/* One CPU's state, alone on its cache line. */
struct smr_pcpu {
	uint64_t	sp_seq;		/* smr_seq at its last quiescent state
					 * [atomic, written by this CPU] */
	uint32_t	sp_depth;	/* read-section nesting [this CPU,
					 * interrupts off] */
} __aligned(64);

static struct smr_pcpu smr_pcpu[MAXCPUS];
static uint64_t smr_seq;		/* newest grace period [atomic, written
					 * by the smr thread] */

static struct spinlock smr_lock = SPINLOCK_INITIALIZER("smr");
static struct smr_entry *smr_head;	/* queued callbacks, oldest first [smr_lock] */
static struct smr_entry **smr_tailp = &smr_head; /* [smr_lock] */
static struct proc *smr_proc;		/* the smr thread [const after smr_init] */
static uint64_t smr_backlog_max = SMR_BACKLOG_DEFAULT; /* [const after smr_init] */

static uint64_t smr_npending;		/* queued, not yet run [atomic; raised
					 * under smr_lock] */
static uint64_t smr_peak;		/* highest smr_npending [smr_lock;
					 * read racily by smr_stats_get] */
static uint64_t smr_ngrace;		/* [atomic] */
static uint64_t smr_ncalled;		/* [atomic] */
static uint64_t smr_nwaits;		/* [atomic] */
static uint64_t smr_noverflows;		/* [atomic] */

/* Enter a read section (nests); interrupts stay off until the outermost
 * smr_read_leave. */
void
smr_read_enter(void)
{
	spinlock_enter();
	smr_pcpu[cpu_number()].sp_depth++;
}

/* Leave a read section. Caller is in one. */
void
smr_read_leave(void)
{
	struct smr_pcpu *sp = &smr_pcpu[cpu_number()];

	if (sp->sp_depth == 0)
		panic("smr_read_leave: not in a read section");
	sp->sp_depth--;
	spinlock_exit();
}

/* Return true if the caller is inside a read section. */
bool
smr_read_held(void)
{
	bool held;

	spinlock_enter();	/* stay on one CPU while looking */
	held = smr_pcpu[cpu_number()].sp_depth > 0;
	spinlock_exit();
	return held;
}

/* This CPU passed a quiescent state. Caller has interrupts off and is
 * outside any read section (hardclock, mi_switch). */
void
smr_quiescent(void)
{
	struct smr_pcpu *sp = &smr_pcpu[cpu_number()];
	uint64_t seq;

	if (sp->sp_depth != 0)
		panic("smr_quiescent: cpu%u is inside a read section "
		    "(slept or enabled interrupts in one)", cpu_number());
	seq = __atomic_load_n(&smr_seq, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&sp->sp_seq, __ATOMIC_RELAXED) != seq)
		__atomic_store_n(&sp->sp_seq, seq, __ATOMIC_RELEASE);
}

/* Return true once every online CPU has passed a quiescent state after
 * grace period seq started. */
static bool
smr_grace_done(uint64_t seq)
{
	int i, n = __atomic_load_n(&ncpus, __ATOMIC_ACQUIRE);

	for (i = 0; i < n; i++)
		if (__atomic_load_n(&smr_pcpu[i].sp_seq, __ATOMIC_ACQUIRE) < seq)
			return false;
	return true;
}

/* Panic unless the caller may sleep: no spinlock, no read section. */
static void
smr_assert_may_sleep(const char *fn)
{
	int depth;

	spinlock_enter();
	depth = curcpu()->ci_ipl_depth;
	spinlock_exit();
	if (depth != 1)
		panic("%s: called with interrupts off or a spinlock held "
		    "(%d); use smr_call_nowait", fn, depth - 1);
	if (curproc == NULL || curproc == curcpu()->ci_idleproc)
		panic("%s: called from an idle thread", fn);
}

/* Count one more pending callback and track the peak. Caller holds smr_lock. */
static void
smr_pending_add(void)
{
	uint64_t n;

	SPINLOCK_ASSERT_HELD(&smr_lock);
	n = __atomic_add_fetch(&smr_npending, 1, __ATOMIC_RELAXED);
	if (n > smr_peak)
		__atomic_store_n(&smr_peak, n, __ATOMIC_RELAXED);
}

/* Append e to the queue and wake the smr thread if the queue was empty.
 * Caller holds smr_lock and has counted e in smr_npending. */
static void
smr_enqueue(struct smr_entry *e, void (*fn)(void *), void *arg)
{
	bool was_empty = smr_head == NULL;

	SPINLOCK_ASSERT_HELD(&smr_lock);
	e->se_next = NULL;
	e->se_fn = fn;
	e->se_arg = arg;
	*smr_tailp = e;
	smr_tailp = &e->se_next;
	if (was_empty)
		wakeup(&smr_head);
}

/* Run fn(arg) in the smr thread after a grace period; may sleep at the
 * watermark. Caller holds no spinlock and is not in a read section. */
void
smr_call(struct smr_entry *e, void (*fn)(void *), void *arg)
{
	KASSERT(e != NULL && fn != NULL);
	if (smr_proc != NULL && curproc == smr_proc) {
		/* a callback queueing more: waiting would wait on itself */
		smr_call_nowait(e, fn, arg);
		return;
	}
	smr_assert_may_sleep("smr_call");
	spinlock_acquire(&smr_lock);
	if (__atomic_load_n(&smr_npending, __ATOMIC_RELAXED) >= smr_backlog_max) {
		__atomic_add_fetch(&smr_nwaits, 1, __ATOMIC_RELAXED);
		while (__atomic_load_n(&smr_npending, __ATOMIC_RELAXED) >=
		    smr_backlog_max)
			msleep(&smr_npending, &smr_lock, "smrfull", 0);
	}
	smr_pending_add();
	smr_enqueue(e, fn, arg);
	spinlock_release(&smr_lock);
}

/* smr_call that never sleeps; counts an overflow at or above the watermark.
 * Caller holds no sleep-queue or run-queue lock. */
void
smr_call_nowait(struct smr_entry *e, void (*fn)(void *), void *arg)
{
	KASSERT(e != NULL && fn != NULL);
	spinlock_acquire(&smr_lock);
	if (__atomic_load_n(&smr_npending, __ATOMIC_RELAXED) >= smr_backlog_max)
		__atomic_add_fetch(&smr_noverflows, 1, __ATOMIC_RELAXED);
	smr_pending_add();
	smr_enqueue(e, fn, arg);
	spinlock_release(&smr_lock);
}

/* What smr_barrier waits for: its own callback, queued last. */
struct smr_barrier_wait {
	struct smr_entry sbw_entry;
	bool		sbw_done;	/* [smr_lock] */
};

/* smr_barrier's callback: wake the waiter. */
static void
smr_barrier_done(void *arg)
{
	struct smr_barrier_wait *w = arg;

	spinlock_acquire(&smr_lock);
	w->sbw_done = true;	/* w lives until the waiter sees this under the lock */
	wakeup(w);
	spinlock_release(&smr_lock);
}

/* Sleep until every callback queued before this call has run. Caller may
 * sleep and is not the smr thread. */
void
smr_barrier(void)
{
	struct smr_barrier_wait w = { .sbw_done = false };

	KASSERT(smr_proc != NULL);
	if (curproc == smr_proc)
		panic("smr_barrier: called from an SMR callback");
	smr_call(&w.sbw_entry, smr_barrier_done, &w);
	spinlock_acquire(&smr_lock);
	while (!w.sbw_done)
		msleep(&w, &smr_lock, "smrbar", 0);
	spinlock_release(&smr_lock);
}

/* Start a grace period and sleep, a tick at a time, until it is over.
 * Caller is the smr thread. */
static void
smr_grace_wait(void)
{
	uint64_t seq = __atomic_add_fetch(&smr_seq, 1, __ATOMIC_SEQ_CST);

	while (!smr_grace_done(seq))
		msleep(&smr_seq, NULL, "smrgrace", 1);
	__atomic_add_fetch(&smr_ngrace, 1, __ATOMIC_RELAXED);
}

/* The smr thread: take the queue, wait out a grace period, run it. */
static void
smr_thread(void *arg __unused)
{
	struct smr_entry *batch, *e;
	void (*fn)(void *);
	void *fnarg;

	for (;;) {
		spinlock_acquire(&smr_lock);
		while (smr_head == NULL)
			msleep(&smr_head, &smr_lock, "smrwait", 0);
		batch = smr_head;
		smr_head = NULL;
		smr_tailp = &smr_head;
		spinlock_release(&smr_lock);

		smr_grace_wait();
		while (batch != NULL) {
			e = batch;
			batch = e->se_next;
			fn = e->se_fn;	/* fn may free e */
			fnarg = e->se_arg;
			fn(fnarg);
			__atomic_sub_fetch(&smr_npending, 1, __ATOMIC_RELAXED);
			__atomic_add_fetch(&smr_ncalled, 1, __ATOMIC_RELAXED);
		}
		spinlock_acquire(&smr_lock);
		wakeup(&smr_npending);
		spinlock_release(&smr_lock);
	}
}

/* Read smr_backlog= and start the smr thread; once at boot, after
 * kthread_init. */
void
smr_init(void)
{
	const char *opt = bootopt_get("smr_backlog", NULL);
	uint64_t max;

	KASSERT(smr_proc == NULL);
	if (opt != NULL) {
		if (strtou64(opt, &max) == 0 && max >= 1 &&
		    max <= SMR_BACKLOG_LIMIT)
			smr_backlog_max = max;
		else
			kprintf("smr: smr_backlog=%s is not in 1..%lu, using %lu\n",
			    opt, SMR_BACKLOG_LIMIT, smr_backlog_max);
	}
	smr_proc = kthread_create(smr_thread, NULL, "smr");
	if (smr_proc == NULL)
		panic("smr_init: cannot create the smr thread");
}

/* Snapshot the counters. */
void
smr_stats_get(struct smr_stats *st)
{
	st->ss_pending = __atomic_load_n(&smr_npending, __ATOMIC_RELAXED);
	st->ss_peak = __atomic_load_n(&smr_peak, __ATOMIC_RELAXED);
	st->ss_backlog_max = smr_backlog_max;
	st->ss_grace = __atomic_load_n(&smr_ngrace, __ATOMIC_RELAXED);
	st->ss_called = __atomic_load_n(&smr_ncalled, __ATOMIC_RELAXED);
	st->ss_waits = __atomic_load_n(&smr_nwaits, __ATOMIC_RELAXED);
	st->ss_overflows = __atomic_load_n(&smr_noverflows, __ATOMIC_RELAXED);
}

/* Restart peak tracking from the current backlog. */
void
smr_stats_reset_peak(void)
{
	spinlock_acquire(&smr_lock);	/* no smr_pending_add meanwhile */
	__atomic_store_n(&smr_peak, __atomic_load_n(&smr_npending,
	    __ATOMIC_RELAXED), __ATOMIC_RELAXED);
	spinlock_release(&smr_lock);
}
