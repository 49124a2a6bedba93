/*
 * The scheduler (kern/kern_sched.c) and sleep/wakeup (kern/kern_synch.c).
 *
 * Every CPU has a run queue (FIFO, round-robin) under its own spinlock and an
 * idle thread that runs when the queue is empty. A thread runs for at most
 * SCHED_QUANTUM ticks while others wait on its CPU: hardclock calls
 * sched_clock, which asks for a reschedule, and the interrupt return path
 * preempts the thread when it holds no spinlock. New threads go to the least
 * loaded CPU; an idle CPU steals queued threads from a busy one.
 *
 * Lock order: an msleep interlock -> a sleep-queue bucket lock -> a run-queue
 * lock. Never two run-queue locks at once.
 */
#ifndef _SCHED_H_
#define _SCHED_H_

#include "types.h"
#include "lock.h"
#include "errno.h"

#define EWOULDBLOCK	EAGAIN	/* msleep timed out; Linux's value */

struct proc;
struct cpu_info;

#define SCHED_QUANTUM	10	/* ticks a thread runs while others wait */

/* Per-CPU scheduler counters. */
struct schedstat {
	uint64_t	nswitch;	/* context switches on this CPU */
	uint64_t	npreempt;	/* of which involuntary (time slice) */
	uint64_t	nsteal;		/* threads this CPU stole when idle */
	uint64_t	nticks;		/* sched_clock calls on this CPU */
};

/* Set up the scheduler on the boot CPU: kmain becomes its idle thread. */
void	sched_init(void);
/* The calling context becomes ci's idle thread and ci takes threads. Run
 * once on ci itself (the boot CPU through sched_init, APs at start). */
void	sched_init_cpu(struct cpu_info *ci);
/* Run this CPU's idle loop. Caller is this CPU's idle thread. */
void	sched_idle(void) __noreturn;

/* hardclock hook, every tick on every CPU, interrupts off. */
void	sched_clock(void);

/* Give up the CPU to the next queued thread, staying runnable. */
void	yield(void);
/* yield on behalf of the interrupt return path: the interrupted thread
 * held no spinlock and its time slice is over. */
void	preempt(void);

/* Move the caller to ci and keep it there (no stealing, no balancing). */
void	sched_peg_curproc(struct cpu_info *ci);
/* Let the caller migrate again. */
void	sched_unpeg_curproc(void);

/* Make a new thread (SIDL) runnable on the least loaded CPU. */
void	sched_start_thread(struct proc *p);
/* Make a sleeping thread (SSLEEP, already off its sleep queue) runnable.
 * Caller holds its sleep-queue bucket lock. */
void	setrunnable(struct proc *p);
/* Switch away from curproc, which is SSLEEP on a sleep queue whose lock
 * the caller holds and which is its only spinlock; the lock is dropped once
 * this CPU's run queue is locked. Returns, no spinlock held, once woken. */
void	sched_sleep(struct spinlock *slpq_lock);
/* Switch away from curproc for the last time (it becomes SDEAD). Caller
 * holds handoff (the dead-list lock) and no other spinlock. */
void	sched_exit(struct spinlock *handoff) __noreturn;
/* Wait until p's context is no longer live on any CPU. */
void	sched_wait_offcpu(struct proc *p);

/* Copy ci's counters. */
void	sched_stats(struct cpu_info *ci, struct schedstat *st);

/* Machine-dependent (arch/x86_64/vm_machdep.c). */

/* Claim the vector of cpu_kick; once, on the boot CPU. */
void	cpu_kick_init(void);
/* Interrupt ci, another online CPU, so that it looks at its run queue now
 * rather than at its next clock tick. */
void	cpu_kick(struct cpu_info *ci);

/* Sleep and wakeup (kern/kern_synch.c). */

/* Initialize the sleep queues; once at boot. */
void	sleepq_init(void);
/* Sleep on ident until wakeup(ident) or, if timo > 0, for timo ticks.
 * If interlock is given it must be the caller's only spinlock: it is
 * released atomically with going to sleep and retaken before returning.
 * Return 0 when woken, EWOULDBLOCK on timeout. */
int	msleep(const void *ident, struct spinlock *interlock, const char *wmesg,
	    uint64_t timo);
/* msleep that a signal ends: return EINTR, without sleeping or once woken,
 * if the thread has a signal pending that is caught, kills or stops it
 * (kern/kern_sig.c); otherwise as msleep. For sleeps a user may wait on
 * forever (wait4, pipes, nanosleep); the caller returns EINTR. */
int	msleep_sig(const void *ident, struct spinlock *interlock,
	    const char *wmesg, uint64_t timo);
/* End p's msleep_sig, if it is in one; a signal for p was just recorded. */
void	wakeup_sig(struct proc *p);
/* Wake every thread sleeping on ident. */
void	wakeup(const void *ident);
/* Wake the thread that has slept longest on ident, if any. */
void	wakeup_one(const void *ident);
/* Time out expired sleeps; from sched_clock on the CPU that advances ticks. */
void	sleepq_clock(uint64_t now);

#endif
