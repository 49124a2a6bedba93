/*
 * Threads and processes.
 *
 * A struct proc is a thread: a kernel stack, the context cpu_switchto saves,
 * a scheduling state, and what it sleeps on. A struct process owns what its
 * threads share (for now: the pid, flags, the thread list and, to come, the
 * vmspace). Kernel threads (P_SYSTEM) are each one thread of their own
 * process and run on the kernel's address space.
 *
 * Lifecycle of a thread: SIDL (being built) -> SRUN (on a run queue) <->
 * SONPROC (running) <-> SSLEEP (on a sleep queue) ... -> SDEAD (switched
 * away for the last time; on the dead list until the reaper frees its
 * stack and structs).
 *
 * Who guards what, in the field comments:
 *   [const]	set before the thread first runs, never changed
 *   [self]	written only by the thread itself
 *   [rq]	the run-queue lock of the CPU the thread is queued on or running
 *		on; a running thread's fields are also safe for itself with
 *		interrupts off (kern/kern_sched.c)
 *   [slpq]	the sleep-queue bucket lock of its wait channel
 *		(kern/kern_synch.c)
 *   [dead]	deadproc_lock (kern/kern_kthread.c)
 *   [ps_lock]	the owning process's ps_lock
 *   [atomic]	read and written with __atomic builtins
 */
#ifndef _PROC_H_
#define _PROC_H_

/* Offsets for arch/x86_64/swtch.S (checked in arch/x86_64/vm_machdep.c). */
#define P_PCB_RSP	0
#define P_PCB_RSP0	8

#ifndef __ASSEMBLY__

#include "types.h"
#include "lock.h"
#include "witness.h"
#include "cpu.h"

#define PROC_NAMELEN	24

/* p_stat values (OpenBSD's, without SZOMB: zombies are a process state) */
#define SIDL		1	/* being created */
#define SRUN		2	/* runnable: on a run queue, or being moved to one */
#define SSLEEP		3	/* sleeping on p_wchan */
#define SSTOP		4	/* stopped (signals, ptrace: to come) */
#define SDEAD		6	/* exited; waiting for the reaper */
#define SONPROC		7	/* running on p_cpu */

/* p_flag bits */
#define P_SYSTEM	0x0001	/* kernel thread: never has a user vmspace */
#define P_CPUPEG	0x0002	/* pegged to p_cpu: never migrated or stolen */

/* ps_flags bits */
#define PS_EXITING	0x0001	/* exit has begun; no new references */

struct process;
struct vmspace;

/* Machine-dependent context, saved by cpu_switchto (arch/x86_64/swtch.S). */
struct pcb {
	uint64_t	pcb_rsp;	/* stack pointer while switched out [rq] */
	uint64_t	pcb_rsp0;	/* kernel stack top for the TSS; 0 for
					 * idle threads, which never enter user
					 * mode [const] */
};

struct proc {
	struct pcb	p_pcb;		/* must stay first (P_PCB_* above) */

	/* identity */
	struct process	*p_p;		/* the process it belongs to [const] */
	struct proc	*p_thrnext;	/* next thread of p_p [ps_lock] */
	pid_t		p_tid;		/* thread id [const] */
	int		p_flag;		/* P_* [self, or rq while queued] */
	char		p_name[PROC_NAMELEN]; /* [const] */
	vaddr_t		p_kstack;	/* bottom of its uvm_km kernel stack;
					 * 0 when it runs on a stack it does
					 * not own (idle threads) [const] */

	/* scheduling (kern/kern_sched.c) */
	volatile int	p_stat;		/* S* above [rq, slpq] */
	bool		p_oncpu;	/* its context is live on a CPU: set
					 * when it is switched to, cleared once
					 * cpu_switchto has saved it [atomic] */
	struct cpu_info	*p_cpu;		/* CPU it runs on, is queued on, is
					 * moving to, or last ran on [rq] */
	struct proc	*p_runq_next;	/* run-queue link [rq] */
	uint64_t	p_nvcsw;	/* voluntary switches: yield, sleep [self] */
	uint64_t	p_nivcsw;	/* involuntary switches: preemption [self] */

	/* sleeping (kern/kern_synch.c) */
	const void	*p_wchan;	/* what it sleeps on, or NULL [slpq] */
	const char	*p_wmesg;	/* why it sleeps [slpq] */
	uint64_t	p_slptimeout;	/* tick at which the sleep times out;
					 * 0 = no timeout [slpq] */
	bool		p_timedout;	/* woken by its timeout [slpq] */
	struct proc	*p_slpnext;	/* sleep-queue links [slpq] */
	struct proc	**p_slpprev;

	/* death (kern/kern_kthread.c) */
	struct proc	*p_deadnext;	/* dead-list link [dead] */

	/* locks (kern/subr_witness.c) */
	struct witness_stack p_witness;	/* sleeping locks and kernel_lock
					 * held, for witness [self] */
};

struct process {
	pid_t		ps_pid;		/* process id [const] */
	int		ps_flags;	/* PS_* [atomic] */
	struct spinlock	ps_lock;	/* guards the thread list */
	struct proc	*ps_threads;	/* its threads via p_thrnext [ps_lock] */
	int		ps_nthreads;	/* [ps_lock] */
	struct vmspace	*ps_vmspace;	/* its address space; NULL for kernel
					 * threads, which run on the kernel's
					 * (uvm_vmspace.c is to come) [const] */
	char		ps_comm[PROC_NAMELEN]; /* [const] */
};

/* The kernel process (pid 0): the idle threads belong to it. */
extern struct process process0;

/* The running thread. One load from %gs, so it cannot be torn by a
 * migration between reading the cpu_info pointer and the field. */
static inline struct proc *
proc_curproc(void)
{
	struct proc *p;

	__asm__ volatile("movq %%gs:%c1, %0" : "=r"(p)
	    : "i"(offsetof(struct cpu_info, ci_curproc)));
	return p;
}
#define curproc		proc_curproc()

/* Kernel threads (kern/kern_kthread.c). */

/* Start a kernel thread running func(arg); return it, or NULL on ENOMEM
 * (nothing leaked). The pointer is valid only until the thread exits. */
struct proc *kthread_create(void (*func)(void *), void *arg, const char *name);
/* End the calling kernel thread; the reaper frees its stack and structs. */
void	kthread_exit(void) __noreturn;
/* Create the reaper thread; once at boot, after sched_init. */
void	kthread_init(void);
/* Sleep until at most n kernel threads are alive (created, not yet freed). */
void	kthread_wait_live(uint64_t n);

/* Live kernel-thread counters [atomic]: created - freed == live. */
struct kthread_stats {
	uint64_t	created;
	uint64_t	freed;
	uint64_t	live;
};
extern struct kthread_stats kthread_stats;

/* Machine-dependent thread setup (arch/x86_64/vm_machdep.c, swtch.S). */

/* Build p's first context on its kernel stack so that the first
 * cpu_switchto to p enters proc_trampoline, which calls func(arg). */
void	cpu_thread_setup(struct proc *p, void (*func)(void *), void *arg);
/* Save old's callee-saved registers and stack pointer, load new's, point
 * the TSS at new's stack; return, on new, the thread switched away from.
 * Interrupts are off and this CPU's run-queue lock is held. */
struct proc *cpu_switchto(struct proc *old, struct proc *new);

#endif /* !__ASSEMBLY__ */
#endif
