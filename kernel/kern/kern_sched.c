/*
 * kern/kern_sched.c: run queues, idle threads, context switches, preemption.
 *
 * Each CPU owns a struct runqueue: a FIFO of SRUN threads under rq_lock, its
 * counters, and its time slice. A thread is switched to and from only on its
 * own CPU, inside mi_switch, with that CPU's rq_lock held across
 * cpu_switchto: the thread switching away takes it, the thread switched to
 * releases it (sched_switch_finish), so the lock stays with the CPU.
 *
 * A thread's context is live until cpu_switchto has saved it; p_oncpu says
 * so. A thread may sit on a run queue only when p_oncpu is clear, or when it
 * is the running thread of that queue's CPU and that CPU holds the lock
 * until the switch is done. So whoever dequeues a thread may run it at once:
 *  - yield/preempt put the running thread on its own CPU's queue;
 *  - setrunnable (wakeup) waits for p_oncpu to clear before queueing a
 *    sleeper that may still be switching away on another CPU;
 *  - a thread moving to another CPU (sched_peg_curproc) is queued there by
 *    the thread that runs next on its old CPU, once its context is saved.
 *
 * Interrupt state across a switch: spinlock_enter records whether interrupts
 * were on at depth 0 in ci_ipl_was_on, a per-CPU field; mi_switch keeps the
 * outgoing thread's value on its stack and restores it when the thread
 * resumes, so each thread gets its own interrupt state back.
 *
 * Idle threads are static, one per CPU, and never exit: the boot CPU's is
 * kmain's own context, an AP's is its start-up context.
 */
#include "lib.h"
#include "param.h"
#include "cpu.h"
#include "cpufunc.h"
#include "lock.h"
#include "proc.h"
#include "sched.h"
#include "clock.h"
#include "smr.h"

struct runqueue {
	struct spinlock	rq_lock;
	struct proc	*rq_head;	/* next to run [rq_lock] */
	struct proc	*rq_tail;	/* [rq_lock] */
	int		rq_count;	/* queued threads [rq_lock; read racily
					 * as a load hint] */
	bool		rq_online;	/* takes threads [const once set] */
	int		rq_slice;	/* ticks the running thread has used
					 * [this CPU, interrupts off] */
	struct schedstat rq_stat;	/* [rq_lock; nticks: this CPU] */
};

static struct runqueue sched_runq[MAXCPUS];
static struct proc sched_idleproc[MAXCPUS];
struct process process0 = {
	.ps_lock = SPINLOCK_INITIALIZER("process0"),
	.ps_comm = "kernel",
};

/* Append p to rq. Caller holds rq_lock. */
static void
runq_enqueue(struct runqueue *rq, struct proc *p)
{
	SPINLOCK_ASSERT_HELD(&rq->rq_lock);
	KASSERT(p->p_stat == SRUN);
	p->p_runq_next = NULL;
	if (rq->rq_tail != NULL)
		rq->rq_tail->p_runq_next = p;
	else
		rq->rq_head = p;
	rq->rq_tail = p;
	rq->rq_count++;
}

/* Unlink p, which follows prev (NULL: p is the head). Caller holds rq_lock. */
static void
runq_unlink(struct runqueue *rq, struct proc *prev, struct proc *p)
{
	if (prev != NULL)
		prev->p_runq_next = p->p_runq_next;
	else
		rq->rq_head = p->p_runq_next;
	if (rq->rq_tail == p)
		rq->rq_tail = prev;
	p->p_runq_next = NULL;
	rq->rq_count--;
}

/* Lock the run queue of the CPU we are on and return it; taking the lock
 * disables interrupts, so we stay on that CPU until it is released. */
static struct runqueue *
sched_lock_curcpu(void)
{
	struct runqueue *rq;

	spinlock_enter();
	rq = curcpu()->ci_runq;
	spinlock_acquire(&rq->rq_lock);
	spinlock_exit();
	return rq;
}

/*
 * Finish a switch on the thread switched to: prev's context is saved, so
 * clear p_oncpu, drop this CPU's rq_lock and, if prev is moving to another
 * CPU, queue it there. Caller holds this CPU's rq_lock (from mi_switch).
 */
static void
sched_switch_finish(struct proc *prev)
{
	struct cpu_info *ci = curcpu();
	struct runqueue *rq = ci->ci_runq;
	struct proc *moving = NULL;

	SPINLOCK_ASSERT_HELD(&rq->rq_lock);
	/* runnable and not queued here: sched_peg_curproc sent it elsewhere */
	if (prev->p_stat == SRUN && prev->p_cpu != ci)
		moving = prev;
	__atomic_store_n(&prev->p_oncpu, false, __ATOMIC_RELEASE);
	spinlock_release(&rq->rq_lock);
	if (moving != NULL) {
		struct runqueue *to = moving->p_cpu->ci_runq;

		spinlock_acquire(&to->rq_lock);
		runq_enqueue(to, moving);
		spinlock_release(&to->rq_lock);
	}
}

/* First C code of a new thread, called by proc_trampoline (swtch.S) with
 * the thread it was switched from. New threads run with interrupts on. */
void
proc_trampoline_mi(struct proc *prev)
{
	curcpu()->ci_ipl_was_on = true;
	sched_switch_finish(prev);
}

/*
 * Run the next thread of this CPU's queue, or the idle thread, instead of
 * curproc, which its caller has already queued, put to sleep or killed.
 * Caller holds this CPU's rq_lock and no other spinlock; returns with none
 * held, when curproc runs again (maybe on another CPU).
 */
static void
mi_switch(void)
{
	struct cpu_info *ci = curcpu();
	struct runqueue *rq = ci->ci_runq;
	struct proc *cur = ci->ci_curproc, *next, *prev;
	bool was_on;

	SPINLOCK_ASSERT_HELD(&rq->rq_lock);
	if (ci->ci_ipl_depth != 1)
		panic("mi_switch: %s switching with %d spinlocks held",
		    cur->p_name, ci->ci_ipl_depth);
	if (cur == ci->ci_idleproc)
		cur->p_stat = SRUN;	/* never queued: picked when all else waits */
	KASSERT(cur->p_stat != SONPROC);
	smr_quiescent();		/* a switch is outside any SMR read section */

	next = rq->rq_head;
	if (next != NULL)
		runq_unlink(rq, NULL, next);
	else
		next = ci->ci_idleproc;
	rq->rq_slice = 0;
	ci->ci_want_resched = false;
	if (next == cur) {		/* it queued itself and nobody else waits */
		cur->p_stat = SONPROC;
		spinlock_release(&rq->rq_lock);
		return;
	}
	KASSERT(!__atomic_load_n(&next->p_oncpu, __ATOMIC_ACQUIRE));
	next->p_stat = SONPROC;
	next->p_cpu = ci;
	__atomic_store_n(&next->p_oncpu, true, __ATOMIC_RELAXED);
	ci->ci_curproc = next;
	rq->rq_stat.nswitch++;

	was_on = ci->ci_ipl_was_on;
	prev = cpu_switchto(cur, next);
	/* cur runs again, on the CPU that switched to it */
	curcpu()->ci_ipl_was_on = was_on;
	sched_switch_finish(prev);
}

/* Give up the CPU to the next queued thread, staying runnable. */
void
yield(void)
{
	struct runqueue *rq = sched_lock_curcpu();
	struct proc *p = curproc;

	if (p != curcpu()->ci_idleproc) {
		p->p_stat = SRUN;
		runq_enqueue(rq, p);
	}
	p->p_nvcsw++;
	mi_switch();
}

/* The interrupt return path's yield: curproc's time slice is over and the
 * interrupted code held no spinlock (interrupts were on). */
void
preempt(void)
{
	struct runqueue *rq;
	struct proc *p;

	KASSERT(curcpu()->ci_ipl_depth == 0);
	rq = sched_lock_curcpu();
	p = curproc;
	if (p != curcpu()->ci_idleproc) {
		p->p_stat = SRUN;
		runq_enqueue(rq, p);
		rq->rq_stat.npreempt++;
	}
	p->p_nivcsw++;
	mi_switch();
}

/* Switch away from a sleeping curproc. Caller holds only slpq_lock. */
void
sched_sleep(struct spinlock *slpq_lock)
{
	sched_lock_curcpu();
	spinlock_release(slpq_lock);
	KASSERT(curproc->p_stat == SSLEEP);
	curproc->p_nvcsw++;
	mi_switch();
}

/* Switch away for the last time. Caller holds only handoff. */
void
sched_exit(struct spinlock *handoff)
{
	struct proc *p = curproc;

	sched_lock_curcpu();
	KASSERT(p != curcpu()->ci_idleproc);
	spinlock_release(handoff);
	p->p_stat = SDEAD;
	mi_switch();
	panic("sched_exit: dead thread %s ran again", p->p_name);
}

/* Wait until p's context is no longer live on any CPU (it is switching
 * away elsewhere with interrupts off, so this is short). */
void
sched_wait_offcpu(struct proc *p)
{
	while (__atomic_load_n(&p->p_oncpu, __ATOMIC_ACQUIRE))
		cpu_pause();
}

/* Return true if ci takes threads. */
static bool
sched_cpu_online(struct cpu_info *ci)
{
	return ci->ci_runq != NULL &&
	    __atomic_load_n(&ci->ci_runq->rq_online, __ATOMIC_ACQUIRE);
}

/* Threads running or waiting on ci, read without the lock. */
static int
sched_load(struct cpu_info *ci)
{
	struct runqueue *rq = ci->ci_runq;
	struct proc *cur = __atomic_load_n(&ci->ci_curproc, __ATOMIC_RELAXED);

	return __atomic_load_n(&rq->rq_count, __ATOMIC_RELAXED) +
	    (cur != ci->ci_idleproc);
}

/* The online CPU with the fewest threads, preferring pref on a tie. */
static struct cpu_info *
sched_choosecpu(struct cpu_info *pref)
{
	struct cpu_info *best = pref;
	int bestload = pref != NULL ? sched_load(pref) : 0, i, load;

	for (i = 0; i < MAXCPUS; i++) {
		struct cpu_info *ci = &cpu_info[i];

		if (ci == pref || !sched_cpu_online(ci))
			continue;
		load = sched_load(ci);
		if (best == NULL || load < bestload) {
			best = ci;
			bestload = load;
		}
	}
	KASSERT(best != NULL);
	return best;
}

/* Queue a runnable thread on ci and get ci to look at its queue. */
static void
sched_enqueue(struct cpu_info *ci, struct proc *p)
{
	struct runqueue *rq = ci->ci_runq;
	bool kick;

	spinlock_acquire(&rq->rq_lock);
	p->p_cpu = ci;
	runq_enqueue(rq, p);
	/* an idle CPU runs it now: this one on the way out of the current
	 * interrupt or at its next check, another one once interrupted */
	kick = ci->ci_curproc == ci->ci_idleproc;
	if (kick && ci == curcpu()) {
		ci->ci_want_resched = true;
		kick = false;
	}
	spinlock_release(&rq->rq_lock);
	if (kick)
		cpu_kick(ci);
}

/* Make a new thread runnable on the least loaded CPU. */
void
sched_start_thread(struct proc *p)
{
	KASSERT(p->p_stat == SIDL);
	p->p_stat = SRUN;
	sched_enqueue(sched_choosecpu(NULL), p);
}

/* Make a sleeper runnable. Caller holds its sleep-queue bucket lock. */
void
setrunnable(struct proc *p)
{
	struct cpu_info *to;

	KASSERT(p->p_stat == SSLEEP);
	sched_wait_offcpu(p);	/* it may still be switching away */
	p->p_stat = SRUN;
	if (p->p_flag & P_CPUPEG)
		to = p->p_cpu;
	else if (sched_load(p->p_cpu) == 0)
		to = p->p_cpu;	/* its last CPU is idle: keep its cache */
	else
		to = sched_choosecpu(p->p_cpu);
	sched_enqueue(to, p);
}

/* Move the caller to ci and keep it there. */
void
sched_peg_curproc(struct cpu_info *ci)
{
	struct runqueue *rq;
	struct proc *p = curproc;

	KASSERT(sched_cpu_online(ci));
	KASSERT(p != curcpu()->ci_idleproc);
	rq = sched_lock_curcpu();
	p->p_flag |= P_CPUPEG;
	if (ci == curcpu()) {
		spinlock_release(&rq->rq_lock);
		return;
	}
	p->p_cpu = ci;		/* sched_switch_finish queues it there */
	p->p_stat = SRUN;
	p->p_nvcsw++;
	mi_switch();
	KASSERT(curcpu() == ci);
}

/* Let the caller migrate again. */
void
sched_unpeg_curproc(void)
{
	struct runqueue *rq = sched_lock_curcpu();

	curproc->p_flag &= ~P_CPUPEG;
	spinlock_release(&rq->rq_lock);
}

/*
 * Idle CPU self: take one queued, unpegged thread from the busiest other
 * CPU and queue it here. Return true if one was moved.
 */
static bool
sched_steal(struct cpu_info *self)
{
	struct cpu_info *victim = NULL;
	struct runqueue *rq;
	struct proc *p, *prev = NULL;
	int i, most = 0;

	for (i = 0; i < MAXCPUS; i++) {
		struct cpu_info *ci = &cpu_info[i];
		int n;

		if (ci == self || !sched_cpu_online(ci))
			continue;
		n = __atomic_load_n(&ci->ci_runq->rq_count, __ATOMIC_RELAXED);
		if (n > most) {
			most = n;
			victim = ci;
		}
	}
	if (victim == NULL)
		return false;
	rq = victim->ci_runq;
	if (!spinlock_tryacquire(&rq->rq_lock))
		return false;
	for (p = rq->rq_head; p != NULL && (p->p_flag & P_CPUPEG);
	    p = p->p_runq_next)
		prev = p;
	if (p != NULL)
		runq_unlink(rq, prev, p);
	spinlock_release(&rq->rq_lock);
	if (p == NULL)
		return false;
	rq = self->ci_runq;
	spinlock_acquire(&rq->rq_lock);
	p->p_cpu = self;
	runq_enqueue(rq, p);
	rq->rq_stat.nsteal++;
	spinlock_release(&rq->rq_lock);
	return true;
}

/* This CPU's idle loop: run queued threads, steal, or halt until the next
 * interrupt. Caller is this CPU's idle thread. */
void
sched_idle(void)
{
	struct cpu_info *ci = curcpu();
	struct runqueue *rq = ci->ci_runq;

	KASSERT(curproc == ci->ci_idleproc);
	for (;;) {
		intr_disable();
		if (__atomic_load_n(&rq->rq_count, __ATOMIC_RELAXED) == 0 &&
		    !sched_steal(ci)) {
			/* sti's one-instruction shadow: no wakeup is lost
			 * between the check and the halt */
			__asm__ volatile("sti; hlt" ::: "memory");
			continue;
		}
		intr_enable();
		yield();
	}
}

/* hardclock hook, every tick on every CPU with interrupts off: charge the
 * running thread's time slice and ask for a switch when it is used up and
 * another thread waits. CPU 0 also times out sleeps. */
void
sched_clock(void)
{
	struct cpu_info *ci = curcpu();
	struct runqueue *rq = ci->ci_runq;

	if (!sched_cpu_online(ci))
		return;
	rq->rq_stat.nticks++;
	if (ci->ci_cpuid == 0)
		sleepq_clock(ticks);
	if (ci->ci_curproc == ci->ci_idleproc) {
		if (rq->rq_count > 0)
			ci->ci_want_resched = true;
	} else if (++rq->rq_slice >= SCHED_QUANTUM && rq->rq_count > 0)
		ci->ci_want_resched = true;
}

/* The calling context becomes ci's idle thread; ci takes threads. */
void
sched_init_cpu(struct cpu_info *ci)
{
	struct runqueue *rq = &sched_runq[ci->ci_cpuid];
	struct proc *idle = &sched_idleproc[ci->ci_cpuid];

	KASSERT(ci == curcpu());
	KASSERT(ci->ci_runq == NULL);
	spinlock_init(&rq->rq_lock, "runqueue");
	idle->p_p = &process0;
	idle->p_tid = 0;
	idle->p_flag = P_SYSTEM | P_CPUPEG;
	snprintf(idle->p_name, sizeof(idle->p_name), "idle%u", ci->ci_cpuid);
	idle->p_stat = SONPROC;
	idle->p_oncpu = true;
	idle->p_cpu = ci;
	spinlock_acquire(&process0.ps_lock);
	idle->p_thrnext = process0.ps_threads;
	process0.ps_threads = idle;
	process0.ps_nthreads++;
	spinlock_release(&process0.ps_lock);

	ci->ci_idleproc = idle;
	ci->ci_curproc = idle;
	ci->ci_runq = rq;
	__atomic_store_n(&rq->rq_online, true, __ATOMIC_RELEASE);
}

/* Set up the scheduler on the boot CPU: kmain becomes its idle thread. */
void
sched_init(void)
{
	sleepq_init();
	cpu_kick_init();
	sched_init_cpu(curcpu());
}

/* Copy ci's counters. */
void
sched_stats(struct cpu_info *ci, struct schedstat *st)
{
	struct runqueue *rq = ci->ci_runq;

	KASSERT(rq != NULL);
	spinlock_acquire(&rq->rq_lock);
	*st = rq->rq_stat;
	spinlock_release(&rq->rq_lock);
}
