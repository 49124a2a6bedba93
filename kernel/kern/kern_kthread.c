/*
 * kern/kern_kthread.c: kernel threads, the dead list and the reaper.
 *
 * Owns the kernel-thread counters, the dead list and the reaper thread
 * (the proc and process structs come from kern/kern_proc.c). A kernel
 * thread is the one thread (P_SYSTEM) of its own process (PS_SYSTEM),
 * running on a uvm_km kernel stack. The process is hashed by its pid, so
 * ps and /proc show it, ptrace refuses it (EPERM), signals find no
 * handlers in it and readers of its memory find none (no user vmspace).
 *
 * Lifecycle: kthread_create allocates process, thread and stack (all or
 * nothing), builds the first context and makes it runnable. A kernel
 * thread leaves the way a process does: kthread_exit is exit1
 * (kern/kern_exit.c), which for P_SYSTEM has no user address space to
 * drop and never purges (the kernel's is shared by every thread). exit1
 * runs on the dying thread's own stack, so it cannot free it: it ends in
 * exit2, which puts the thread on the dead list, wakes the reaper and
 * switches away for the last time (sched_exit), all under deadproc_lock
 * handed to the scheduler. The reaper takes the list, waits until each
 * thread's context is saved (sched_wait_offcpu), then frees a kernel
 * thread's stack and thread here and unhashes its process, freed after an
 * SMR grace period (kthread_free: no parent to wake) and hands a user thread to exit_reap.
 *
 * Locks: deadproc_lock guards the dead list; the counters are atomic.
 */
#include "lib.h"
#include "param.h"
#include "cpu.h"
#include "lock.h"
#include "pool.h"
#include "uvm_km.h"
#include "proc.h"
#include "sched.h"
#include "trace.h"

struct kthread_stats kthread_stats;

static struct spinlock deadproc_lock = SPINLOCK_INITIALIZER("deadproc");
static struct proc *deadproc;		/* exited, not yet freed [deadproc_lock] */

/* Start a kernel thread running func(arg); return it, or NULL on ENOMEM. */
struct proc *
kthread_create(void (*func)(void *), void *arg, const char *name)
{
	struct process *pr;
	struct proc *p;
	vaddr_t kstack;

	KASSERT(func != NULL && name != NULL);
	pr = process_alloc(false);
	if (pr == NULL)
		return NULL;
	p = proc_alloc();
	if (p == NULL) {
		process_free(pr);
		return NULL;
	}
	kstack = kstack_alloc();
	if (kstack == 0) {
		proc_free(p);
		process_free(pr);
		return NULL;
	}

	p->p_tid = pr->ps_pid;
	p->p_p = pr;
	p->p_flag = P_SYSTEM;
	strlcpy(p->p_name, name, sizeof(p->p_name));
	p->p_kstack = kstack;
	p->p_pcb.pcb_rsp0 = kstack + KSTACK_SIZE;
	p->p_stat = SIDL;
	cpu_thread_setup(p, func, arg);

	pr->ps_threads = p;
	pr->ps_nthreads = 1;
	pr->ps_flags = PS_SYSTEM;
	strlcpy(pr->ps_comm, name, sizeof(pr->ps_comm));
	process_hash(pr);

	__atomic_add_fetch(&kthread_stats.created, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&kthread_stats.live, 1, __ATOMIC_RELAXED);
	sched_start_thread(p);
	return p;
}

/* Free a dead thread's stack, the thread and its process. Caller is the
 * reaper; p has switched away for the last time. */
static void
kthread_free(struct proc *p)
{
	struct process *pr = p->p_p;

	KASSERT(p->p_stat == SDEAD && !p->p_oncpu);
	KASSERT(pr->ps_threads == p && p->p_thrnext == NULL);
	trace_event(TR_REAP, NULL, pr->ps_pid);
	uvm_km_kstack_free(p->p_kstack);
	pr->ps_threads = NULL;
	proc_free(p);
	process_unhash_release(pr);
	__atomic_add_fetch(&kthread_stats.freed, 1, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&kthread_stats.live, 1, __ATOMIC_RELAXED);
}

/* End the calling kernel thread through exit1, the one exit path. */
void
kthread_exit(void)
{
	struct proc *p = curproc;

	KASSERT(p->p_flag & P_SYSTEM);
	KASSERT(p->p_kstack != 0);
	exit1(p, 0, EXIT_NORMAL);
}

/* Put curproc p on the dead list, wake the reaper and switch away for
 * the last time (kthread_exit, and exit1 for user threads). */
void
exit2(struct proc *p)
{
	KASSERT(p == curproc);
	spinlock_acquire(&deadproc_lock);
	__atomic_add_fetch(&kthread_stats.dead, 1, __ATOMIC_RELAXED);
	p->p_deadnext = deadproc;
	deadproc = p;
	wakeup_one(&deadproc);
	sched_exit(&deadproc_lock);
}

/* The reaper thread: free what dead threads stood on. */
static void
kthread_reaper(void *arg __unused)
{
	struct proc *list, *p;
	for (;;) {
		spinlock_acquire(&deadproc_lock);
		while (deadproc == NULL)
			msleep(&deadproc, &deadproc_lock, "reaper", 0);
		list = deadproc;
		deadproc = NULL;
		spinlock_release(&deadproc_lock);

		while (list != NULL) {
			p = list;
			list = p->p_deadnext;
			sched_wait_offcpu(p);
			if (p->p_flag & P_SYSTEM)
				kthread_free(p);
			else
				exit_reap(p);
			__atomic_sub_fetch(&kthread_stats.dead, 1, __ATOMIC_RELAXED);
		}

		/* under the lock, so kthread_wait_live cannot miss it */
		spinlock_acquire(&deadproc_lock);
		wakeup(&kthread_stats);
		spinlock_release(&deadproc_lock);
	}
}

/* Return a kernel stack for a new thread, or 0 if none can be had. When
 * every stack is taken while dead threads still stand on theirs, wait for
 * the reaper to free them rather than fail: in a create/exit storm the
 * exits can run ahead of the reaper (each stack it frees costs a TLB
 * shootdown). Caller may sleep and is not the reaper. */
vaddr_t
kstack_alloc(void)
{
	vaddr_t kstack;

	while ((kstack = uvm_km_kstack_alloc()) == 0) {
		spinlock_acquire(&deadproc_lock);
		if (__atomic_load_n(&kthread_stats.dead, __ATOMIC_RELAXED) == 0) {
			spinlock_release(&deadproc_lock);
			return 0;
		}
		msleep(&kthread_stats, &deadproc_lock, "kstack", 0);
		spinlock_release(&deadproc_lock);
	}
	return kstack;
}

/* Sleep until at most n kernel threads are alive (created, not yet freed). */
void
kthread_wait_live(uint64_t n)
{
	spinlock_acquire(&deadproc_lock);
	while (__atomic_load_n(&kthread_stats.live, __ATOMIC_RELAXED) > n)
		msleep(&kthread_stats, &deadproc_lock, "reapwait", 0);
	spinlock_release(&deadproc_lock);
}

/* Sleep until the reaper has freed every thread on the dead list. */
void
kthread_wait_reaped(void)
{
	spinlock_acquire(&deadproc_lock);
	while (__atomic_load_n(&kthread_stats.dead, __ATOMIC_RELAXED) > 0)
		msleep(&kthread_stats, &deadproc_lock, "reapwait", 0);
	spinlock_release(&deadproc_lock);
}

/* Set up the pools and start the reaper; once at boot, after sched_init. */
void
kthread_init(void)
{
	procinit();
	if (kthread_create(kthread_reaper, NULL, "reaper") == NULL)
		panic("kthread_init: no memory for the reaper");
}
