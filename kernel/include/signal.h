/*
 * Signals (kern/kern_sig.c, arch/x86_64/sig_machdep.c): the Linux x86-64
 * signal ABI and the kernel's interface to it.
 *
 * Numbers, sa_flags, si_code values and struct k_sigaction (what
 * rt_sigaction reads and writes) are Linux's, so musl's sigaction, raise
 * and sigprocmask work unchanged. A sigset_t is one 64-bit word: signal n
 * is bit n - 1. Signals 32..64 (Linux's real-time range) are accepted but,
 * like the standard ones, do not queue: a signal pending twice is
 * delivered once.
 *
 * State, in proc.h's "signals" blocks: per process the actions (struct
 * sigacts, shared by the process's threads), the process-directed pending
 * set, the sender of each pending signal and the stop state; per thread
 * the mask and the thread-directed pending set. All of it is guarded by
 * the process's ps_siglock.
 */
#ifndef _SIGNAL_H_
#define _SIGNAL_H_

#include "types.h"

typedef uint64_t sigset_t;

#define NSIG		64		/* signals are 1..NSIG */
#define sigmask(sig)	(1ULL << ((sig) - 1))

#define SIGHUP		1
#define SIGINT		2
#define SIGQUIT		3
#define SIGILL		4
#define SIGTRAP		5
#define SIGABRT		6
#define SIGBUS		7
#define SIGFPE		8
#define SIGKILL		9
#define SIGUSR1		10
#define SIGSEGV		11
#define SIGUSR2		12
#define SIGPIPE		13
#define SIGALRM		14
#define SIGTERM		15
#define SIGSTKFLT	16
#define SIGCHLD		17
#define SIGCONT		18
#define SIGSTOP		19
#define SIGTSTP		20
#define SIGTTIN		21
#define SIGTTOU		22
#define SIGURG		23
#define SIGXCPU		24
#define SIGXFSZ		25
#define SIGVTALRM	26
#define SIGPROF		27
#define SIGWINCH	28
#define SIGIO		29
#define SIGPWR		30
#define SIGSYS		31

/* Signals no mask, handler or SIG_IGN can touch. */
#define SIG_CANTMASK	(sigmask(SIGKILL) | sigmask(SIGSTOP))

/* Handler values. */
#define SIG_DFL		0
#define SIG_IGN		1

/* sa_flags. Accepted: SA_NOCLDSTOP (kept: stops send no SIGCHLD here),
 * SA_SIGINFO (x86-64 handlers always get siginfo and ucontext), SA_RESTORER
 * (required to catch: without it a delivery kills with SIGSEGV, as on
 * Linux), SA_RESTART (kept; an interrupted sleep still returns EINTR:
 * nothing is restarted), SA_NODEFER, SA_RESETHAND. Refused with EINVAL:
 * SA_ONSTACK (no alternate stacks) and SA_NOCLDWAIT. Other bits are
 * dropped, as Linux does. */
#define SA_NOCLDSTOP	0x00000001
#define SA_NOCLDWAIT	0x00000002
#define SA_SIGINFO	0x00000004
#define SA_RESTORER	0x04000000
#define SA_ONSTACK	0x08000000
#define SA_RESTART	0x10000000
#define SA_NODEFER	0x40000000
#define SA_RESETHAND	0x80000000

/* rt_sigprocmask how */
#define SIG_BLOCK	0
#define SIG_UNBLOCK	1
#define SIG_SETMASK	2

/* si_code values */
#define SI_USER		0	/* kill */
#define SI_KERNEL	0x80	/* the kernel */
#define SI_TKILL	(-6)	/* tkill */
#define SEGV_MAPERR	1	/* no mapping at si_addr */
#define SEGV_ACCERR	2	/* mapping forbids the access */
#define FPE_INTDIV	1	/* integer divide by zero */
#define ILL_ILLOPN	2	/* illegal operand */

/* Linux's struct sigaction as rt_sigaction passes it (x86-64). */
struct k_sigaction {
	uint64_t	ksa_handler;	/* SIG_DFL, SIG_IGN or a user address */
	uint64_t	ksa_flags;	/* SA_* */
	uint64_t	ksa_restorer;	/* where the handler returns to */
	sigset_t	ksa_mask;	/* blocked while the handler runs */
};

/* Who sent a pending signal, for the handler's siginfo. */
struct ksiginfo {
	int32_t		ksi_code;	/* SI_USER, SI_TKILL, SI_KERNEL */
	pid_t		ksi_pid;	/* sender (SI_USER, SI_TKILL) */
	uid_t		ksi_uid;
};

/* A signal being delivered: what sendsig puts in the siginfo. */
struct sigdeliv {
	int		sd_signo;
	int32_t		sd_code;
	pid_t		sd_pid;		/* kill and tkill */
	uid_t		sd_uid;
	vaddr_t		sd_addr;	/* faults: the address */
	bool		sd_trap;	/* from trapsignal: the trapframe's
					 * trapno and err describe it */
};

struct proc;
struct process;
struct sigacts;

/* ---- kern/kern_sig.c ---- */

/* Process set-up and teardown (kern_fork.c, kern_exec.c, kern_exit.c). */

/* Give pr, a process the kernel makes (init), default actions; its
 * threads start with an empty mask (zeroed). Before pr is findable.
 * Return 0 or ENOMEM. */
int	sigactsinit(struct process *pr);
/* Give child (fork, vfork, clone of a process) a copy of parent's actions
 * and its one thread, already linked, the calling thread's mask; nothing
 * pending. Caller is a thread of parent; child is not findable yet.
 * Return 0 or ENOMEM (then child has no actions: sigactsfree is a no-op). */
int	sigactsfork(struct process *child, struct process *parent);
/* Exec: caught signals go back to SIG_DFL, ignored ones stay ignored;
 * flags, masks and restorers are cleared. Mask and pending signals stay. */
void	sigactsexec(struct process *pr);
/* Free pr's actions (if any); later signals to pr are discarded. Once pr
 * runs no user code any more: in exit1 after PS_EXITING, or when a
 * failed fork frees the child. */
void	sigactsfree(struct process *pr);

/* Posting. Neither sleeps; both may be called with spinlocks held except
 * the target's ps_lock and ps_siglock. Kernel threads discard signals. */

/* Post sig to process pr (kill): any thread not blocking it takes it. */
void	psignal(struct process *pr, int sig);
/* Post sig to thread p (tkill, the kernel's own signals). */
void	ptsignal(struct proc *p, int sig);
/* A fault in user mode by p == curproc (trap.c): deliver sig now if it is
 * caught and not blocked; else reset it to SIG_DFL, unblock it and post
 * it, so that userret kills the process (a blocked or ignored fault). */
void	trapsignal(struct proc *p, int sig, int code, vaddr_t addr);

/* Deliver p's pending unblocked signals; stop while the process is
 * stopped. The last thing before p (curproc) returns to user mode, with
 * interrupts on and no spinlock held. Returns only to go to user mode. */
void	userret(struct proc *p);

/* Return true if p has a signal that should end an interruptible sleep
 * (msleep_sig, kern_synch.c): an unblocked one pending, SIGKILL, or its
 * process is stopped. Read without locks: callers order it themselves. */
bool	sig_pending_intr(struct proc *p);
/* Set p's (curproc's) mask to mask, minus SIGKILL and SIGSTOP
 * (rt_sigreturn). */
void	sig_setmask(struct proc *p, sigset_t mask);
/* Post sig to p (curproc) with its default action and unblocked: p dies
 * at userret (a fault it cannot handle, a signal frame that could not be
 * built or read back). */
void	sig_force(struct proc *p, int sig);

/* Pure helpers, exported for kern_sig_ktest.c. */

/* The signal to deliver first from pending minus mask: SIGKILL, then the
 * lowest number; 0 if none. */
int	sig_select(sigset_t pending, sigset_t mask);
/* Apply rt_sigprocmask's how with set to *mask (minus SIGKILL and
 * SIGSTOP). Return 0 or EINVAL (bad how, mask unchanged). */
int	sig_mask_apply(sigset_t *mask, int how, sigset_t set);
/* Read sig's action of pr into *oact (if not NULL), then set it from
 * act (if not NULL); setting a disposition that ignores sig discards it
 * where pending. Return 0 or EINVAL (bad signal, SIGKILL/SIGSTOP, flags
 * that are refused). */
int	sigaction_set(struct process *pr, int sig,
	    const struct k_sigaction *act, struct k_sigaction *oact);

/* ---- arch/x86_64/sig_machdep.c ---- */

/* Build the Linux rt_sigframe for sd on p's (curproc's) user stack, below
 * the red zone: saved registers, FPU/SSE state, oldmask, siginfo; point
 * the user registers at act's handler (rdi sig, rsi &siginfo, rdx
 * &ucontext) returning into act's restorer. Return 0, or EFAULT if the
 * frame could not be written or act has no restorer (then nothing changed). */
int	sendsig(struct proc *p, const struct k_sigaction *act,
	    const struct sigdeliv *sd, sigset_t oldmask);

#endif
