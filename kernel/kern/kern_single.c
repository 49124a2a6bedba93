/*
 * kern/kern_single.c: single-threading (OpenBSD's single_thread_set), the
 * step that makes a process's other threads leave user mode for good
 * before the process is torn down (DESIGN.md section 4, step 1).
 *
 * single_thread_set(p, SINGLE_EXIT), from exit1 (exit_group, a fatal
 * signal, the last SYS_exit) and exec: under ps_lock, p claims the
 * process (ps_single; a second claimant gets EBUSY and exits as a plain
 * thread), sets PS_SINGLEEXIT and counts the other threads in
 * ps_singlecount. Each of them is told: a thread in an interruptible
 * sleep is woken (msleep_sig returns EINTR: sig_pending_intr counts
 * single_thread_pending), one running on another CPU is interrupted
 * (cpu_kick: the interrupt returns through userret), a stopped one is
 * woken from its stop. Every return to user mode passes userret, which
 * calls single_thread_check: the thread exits (exit1, EXIT_THREAD) and,
 * leaving the thread list for good off its user pmap
 * (single_thread_leave), counts itself out. p sleeps until the count is
 * zero: from then on no CPU runs user code of the process, and p is its
 * only thread. New threads are refused while ps_single is set
 * (kern_fork.c checks under ps_lock).
 *
 * Locks: ps_lock guards ps_single, ps_singlecount, the thread list and
 * the setting of PS_SINGLEEXIT; ps_siglock (taken after ps_lock) orders
 * the stop wakeup against userret's stop sleep. Lifecycle: set by a
 * thread, cleared by exec once it is done (single_thread_clear); a
 * process exit never clears it.
 */
#include "lib.h"
#include "errno.h"
#include "cpu.h"
#include "lock.h"
#include "proc.h"
#include "sched.h"
#include "signal.h"

/* Get t, another thread of a process being single-threaded, into the
 * kernel: end an interruptible sleep, or interrupt the CPU it runs on.
 * Caller holds ps_lock. */
static void
single_thread_notify(struct proc *t)
{
	struct cpu_info *ci;

	wakeup_sig(t);
	ci = __atomic_load_n(&t->p_cpu, __ATOMIC_RELAXED);
	if (t->p_stat == SONPROC && ci != NULL && ci != curcpu())
		cpu_kick(ci);
}

/* Make p its process's only thread; 0, or EBUSY if another thread does. */
int
single_thread_set(struct proc *p, int mode)
{
	struct process *pr = p->p_p;
	struct proc *t;

	KASSERT(p == curproc && mode == SINGLE_EXIT);
	spinlock_acquire(&pr->ps_lock);
	if (pr->ps_single != NULL) {
		KASSERT(pr->ps_single != p);
		spinlock_release(&pr->ps_lock);
		return EBUSY;
	}
	pr->ps_single = p;
	pr->ps_singlecount = 0;
	/* seen by sig_pending_intr before the wakeups below (their fence) */
	__atomic_or_fetch(&pr->ps_flags, PS_SINGLEEXIT, __ATOMIC_SEQ_CST);
	for (t = pr->ps_threads; t != NULL; t = t->p_thrnext) {
		if (t == p)
			continue;
		pr->ps_singlecount++;
		single_thread_notify(t);
	}
	/* a stopped thread sleeps on ps_sigstop, checking under ps_siglock */
	if (pr->ps_sigacts != NULL) {
		spinlock_acquire(&pr->ps_siglock);
		wakeup(&pr->ps_sigstop);
		spinlock_release(&pr->ps_siglock);
	}
	/*
	 * The wait that keeps a dying process's map safe: until every other
	 * thread has counted itself out (single_thread_leave), one may still
	 * run user code on the map that exit1 is about to purge.
	 */
	/* MUTANT no-single-thread: the others are told, not waited for */
#ifndef MUTANT_no_single_thread
	while (pr->ps_singlecount > 0)
		msleep(&pr->ps_singlecount, &pr->ps_lock, "single", 0);
	KASSERT(pr->ps_threads == p && p->p_thrnext == NULL &&
	    pr->ps_nthreads == 1);
#endif
	spinlock_release(&pr->ps_lock);
	return 0;
}

/* End p's single-threading: the process may have threads again. */
void
single_thread_clear(struct proc *p)
{
	struct process *pr = p->p_p;

	spinlock_acquire(&pr->ps_lock);
	KASSERT(pr->ps_single == p && pr->ps_nthreads == 1);
	__atomic_and_fetch(&pr->ps_flags, ~PS_SINGLEEXIT, __ATOMIC_RELEASE);
	pr->ps_single = NULL;
	spinlock_release(&pr->ps_lock);
}

/* True if another thread single-threads p's process. */
bool
single_thread_pending(struct proc *p)
{
	struct process *pr = p->p_p;

	/* ps_single is written before the flag is set, by another thread:
	 * it is never p once the flag is seen, unless p set it */
	return (__atomic_load_n(&pr->ps_flags, __ATOMIC_ACQUIRE) &
	    PS_SINGLEEXIT) && __atomic_load_n(&pr->ps_single,
	    __ATOMIC_RELAXED) != p;
}

/* userret's hook: exit p if another thread single-threads its process. */
void
single_thread_check(struct proc *p)
{
	KASSERT(p == curproc && !(p->p_flag & P_SYSTEM));
	if (single_thread_pending(p))
		exit1(p, 0, EXIT_THREAD);
}

/* p leaves its process's thread list and is counted out. */
void
single_thread_leave(struct proc *p)
{
	struct process *pr = p->p_p;
	struct proc **tp;

	SPINLOCK_ASSERT_HELD(&pr->ps_lock);
	KASSERT(pr->ps_nthreads > 1 && pr->ps_single != p);
	for (tp = &pr->ps_threads; *tp != p; tp = &(*tp)->p_thrnext)
		KASSERT(*tp != NULL);
	*tp = p->p_thrnext;
	p->p_thrnext = NULL;
	pr->ps_nthreads--;
	if (pr->ps_single != NULL && --pr->ps_singlecount == 0)
		wakeup(&pr->ps_singlecount);
}
