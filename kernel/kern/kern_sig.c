/*
 * kern/kern_sig.c: signals, machine-independent part. Owns the actions
 * (struct sigacts), the pending sets and masks, posting (psignal,
 * ptsignal, trapsignal), delivery at the return to user mode (userret:
 * default actions, stop and continue, handlers through sendsig in
 * arch/x86_64/sig_machdep.c) and the system calls kill, tkill,
 * rt_sigaction and rt_sigprocmask.
 *
 * Locks: a process's ps_siglock guards its actions, pending set, stop
 * state and sender records, and its threads' masks and pending sets.
 * Order: ps_lock (the thread list) -> ps_siglock -> sleep-queue and
 * run-queue locks (wakeup, wakeup_sig). Nothing of the process tree
 * (proctree_lock) is taken under ps_siglock: the stop and continue notes
 * to the parent are sent after it is released. A thread reads its own mask
 * and the pending sets without the lock for the quick checks
 * (sig_pending_intr, userret's fast path); every decision is retaken under
 * the lock.
 *
 * Posting records the signal, discards it at once if its disposition
 * ignores it and no thread blocks it, and wakes a thread that can take it
 * out of an interruptible sleep (msleep_sig) or, when it runs on another
 * CPU, interrupts that CPU so it passes userret soon. SIGCONT resumes a
 * stopped process at posting time; SIGKILL ends a stop too.
 *
 * Lifecycle: sigactsinit (a process the kernel makes) or sigactsfork
 * gives a process its sigacts; sigactsexec resets it; sigactsfree frees
 * it once the process runs no user code, after which posting discards.
 * Kernel threads have none and ignore every signal.
 */
#include "lib.h"
#include "errno.h"
#include "cpu.h"
#include "lock.h"
#include "malloc.h"
#include "proc.h"
#include "sched.h"
#include "signal.h"
#include "syscall.h"
#include "trap.h"
#include "ptrace.h"

/* The actions of a process: Linux's k_sigaction for each signal. */
struct sigacts {
	struct k_sigaction sa_act[NSIG];	/* [ps_siglock] */
};
CTASSERT(sizeof(struct sigacts) <= KMALLOC_POOLMAX);

/* Default actions (Linux's). Core-dumping signals just terminate here. */
#define SIGPROP_KILL	0x01	/* terminates */
#define SIGPROP_STOP	0x02	/* stops */
#define SIGPROP_IGNORE	0x04	/* ignored */
#define SIGPROP_CONT	0x08	/* continues a stopped process, then ignored */

#define SIGSET_STOP	(sigmask(SIGSTOP) | sigmask(SIGTSTP) | \
			 sigmask(SIGTTIN) | sigmask(SIGTTOU))
#define SIGSET_IGNORE	(sigmask(SIGCHLD) | sigmask(SIGURG) | \
			 sigmask(SIGWINCH) | sigmask(SIGCONT))
#define SA_ACCEPTED	(SA_NOCLDSTOP | SA_SIGINFO | SA_RESTORER | \
			 SA_RESTART | SA_NODEFER | SA_RESETHAND)
#define SA_REFUSED	(SA_ONSTACK | SA_NOCLDWAIT)	/* not implemented */

/* The default-action properties of sig (1..NSIG). */
static int
sigprop(int sig)
{
	if (sig == SIGCONT)
		return SIGPROP_CONT | SIGPROP_IGNORE;
	if (SIGSET_STOP & sigmask(sig))
		return SIGPROP_STOP;
	if (SIGSET_IGNORE & sigmask(sig))
		return SIGPROP_IGNORE;
	return SIGPROP_KILL;
}

/* True if sig is a signal number. */
static bool
sig_valid(int64_t sig)
{
	return sig >= 1 && sig <= NSIG;
}

/* ---- pure helpers ---- */

/* The first signal to deliver from pending minus mask, or 0. */
int
sig_select(sigset_t pending, sigset_t mask)
{
	pending &= ~(mask & ~SIG_CANTMASK);
	if (pending == 0)
		return 0;
	if (pending & sigmask(SIGKILL))
		return SIGKILL;
	return __builtin_ctzll(pending) + 1;
}

/* Apply rt_sigprocmask's how with set to *mask; 0 or EINVAL. */
int
sig_mask_apply(sigset_t *mask, int how, sigset_t set)
{
	switch (how) {
	case SIG_BLOCK:
		*mask |= set;
		break;
	case SIG_UNBLOCK:
		*mask &= ~set;
		break;
	case SIG_SETMASK:
		*mask = set;
		break;
	default:
		return EINVAL;
	}
	*mask &= ~SIG_CANTMASK;
	return 0;
}

/* ---- actions ---- */

/* True if pr's disposition of sig ignores it. Caller holds ps_siglock. */
static bool
sig_ignored(struct process *pr, int sig)
{
	uint64_t h = pr->ps_sigacts->sa_act[sig - 1].ksa_handler;

	return h == SIG_IGN ||
	    (h == SIG_DFL && (sigprop(sig) & SIGPROP_IGNORE));
}

/* Remove the signals in set from pr's pending sets and its threads'.
 * Caller holds ps_siglock; the thread list is stable (ps_lock, or the
 * caller is the process's only thread). */
static void
sig_discard(struct process *pr, sigset_t set)
{
	struct proc *t;

	__atomic_and_fetch(&pr->ps_siglist, ~set, __ATOMIC_RELAXED);
	for (t = pr->ps_threads; t != NULL; t = t->p_thrnext)
		__atomic_and_fetch(&t->p_siglist, ~set, __ATOMIC_RELAXED);
}

/* Make sa the actions of pr, a process not yet findable, with its lock
 * and nothing pending. */
static void
sigacts_attach(struct process *pr, struct sigacts *sa)
{
	KASSERT(pr->ps_sigacts == NULL);
	spinlock_init(&pr->ps_siglock, "procsig");
	pr->ps_siglist = 0;
	pr->ps_sigstop = 0;
	/* published before the process can be found or signalled */
	__atomic_store_n(&pr->ps_sigacts, sa, __ATOMIC_RELEASE);
}

/* Give pr default actions; 0 or ENOMEM. */
int
sigactsinit(struct process *pr)
{
	struct sigacts *sa;

	sa = kmalloc(sizeof(*sa), M_NOWAIT | M_ZERO);	/* all SIG_DFL */
	if (sa == NULL)
		return ENOMEM;
	sigacts_attach(pr, sa);
	return 0;
}

/* Give child a copy of parent's actions and its thread the calling
 * thread's mask; 0 or ENOMEM. */
int
sigactsfork(struct process *child, struct process *parent)
{
	struct proc *p = curproc, *np = child->ps_threads;
	struct sigacts *sa;

	KASSERT(p->p_p == parent && parent->ps_sigacts != NULL);
	KASSERT(np != NULL && np->p_thrnext == NULL);
	sa = kmalloc(sizeof(*sa), M_NOWAIT);
	if (sa == NULL)
		return ENOMEM;
	spinlock_acquire(&parent->ps_siglock);
	*sa = *parent->ps_sigacts;
	np->p_sigmask = p->p_sigmask;
	spinlock_release(&parent->ps_siglock);
	np->p_siglist = 0;
	sigacts_attach(child, sa);
	return 0;
}

/* Exec: caught signals to SIG_DFL, ignored stay; flags, masks and
 * restorers cleared. */
void
sigactsexec(struct process *pr)
{
	struct k_sigaction *ka;
	int sig;

	KASSERT(pr->ps_sigacts != NULL);
	spinlock_acquire(&pr->ps_siglock);
	for (sig = 1; sig <= NSIG; sig++) {
		ka = &pr->ps_sigacts->sa_act[sig - 1];
		if (ka->ksa_handler != SIG_IGN)
			ka->ksa_handler = SIG_DFL;
		ka->ksa_flags = 0;
		ka->ksa_restorer = 0;
		ka->ksa_mask = 0;
	}
	spinlock_release(&pr->ps_siglock);
}

/* Free pr's actions; posting to pr discards from now on. */
void
sigactsfree(struct process *pr)
{
	struct sigacts *sa;

	if (pr->ps_sigacts == NULL)
		return;		/* fork failed before sigfork */
	spinlock_acquire(&pr->ps_siglock);
	sa = pr->ps_sigacts;
	pr->ps_sigacts = NULL;
	pr->ps_siglist = 0;
	spinlock_release(&pr->ps_siglock);
	kfree(sa, sizeof(*sa));
}

/* Read and/or set sig's action of pr; 0 or EINVAL. */
int
sigaction_set(struct process *pr, int sig, const struct k_sigaction *act,
    struct k_sigaction *oact)
{
	struct k_sigaction *ka;

	if (!sig_valid(sig))
		return EINVAL;
	if (act != NULL) {
		if (sig == SIGKILL || sig == SIGSTOP)
			return EINVAL;
		if (act->ksa_flags & SA_REFUSED)
			return EINVAL;
	}
	spinlock_acquire(&pr->ps_lock);		/* sig_discard's thread list */
	spinlock_acquire(&pr->ps_siglock);
	KASSERT(pr->ps_sigacts != NULL);
	ka = &pr->ps_sigacts->sa_act[sig - 1];
	if (oact != NULL)
		*oact = *ka;
	if (act != NULL) {
		*ka = *act;
		/* as Linux: unknown flags are dropped (sa_flags is an int in
		 * libcs, sign-extended when SA_RESETHAND is set) */
		ka->ksa_flags &= SA_ACCEPTED;
		ka->ksa_mask &= ~SIG_CANTMASK;
		/* POSIX: setting a disposition that ignores discards it */
		if (sig_ignored(pr, sig))
			sig_discard(pr, sigmask(sig));
	}
	spinlock_release(&pr->ps_siglock);
	spinlock_release(&pr->ps_lock);
	return 0;
}

/* ---- posting ---- */

/* Get p to look at its signals soon: end an interruptible sleep, or
 * interrupt the CPU it runs on (the interrupt returns through userret). */
static void
signotify(struct proc *p)
{
	struct cpu_info *ci;

	wakeup_sig(p);
	ci = __atomic_load_n(&p->p_cpu, __ATOMIC_RELAXED);
	if (p->p_stat == SONPROC && ci != NULL && ci != curcpu())
		cpu_kick(ci);
}

/* True if sig is blocked by p or, if p is NULL, by every thread of pr.
 * Caller holds ps_lock and ps_siglock. */
static bool
sig_blocked(struct process *pr, struct proc *p, int sig)
{
	struct proc *t;

	if (p != NULL)
		return (p->p_sigmask & sigmask(sig)) != 0;
	for (t = pr->ps_threads; t != NULL; t = t->p_thrnext)
		if (!(t->p_sigmask & sigmask(sig)))
			return false;
	return true;
}

/*
 * Post sig to pr, for thread p if not NULL, from ksi. Caller holds
 * pr->ps_lock (the thread list). Return true if this continued a stopped
 * process: the caller then tells the parent (proc_continue_notify) once
 * it holds no lock.
 */
static bool
sig_post(struct process *pr, struct proc *p, int sig,
    const struct ksiginfo *ksi)
{
	struct proc *t;
	bool continued = false, blocked;
	int prop = sigprop(sig);

	SPINLOCK_ASSERT_HELD(&pr->ps_lock);
	spinlock_acquire(&pr->ps_siglock);
	if (pr->ps_sigacts == NULL ||
	    (__atomic_load_n(&pr->ps_flags, __ATOMIC_RELAXED) & PS_EXITING))
		goto out;

	if (prop & SIGPROP_CONT) {
		sig_discard(pr, SIGSET_STOP);
		if (pr->ps_sigstop != 0) {
			__atomic_store_n(&pr->ps_sigstop, 0, __ATOMIC_RELAXED);
			wakeup(&pr->ps_sigstop);
			continued = true;
		}
	}
	if (prop & SIGPROP_STOP)
		sig_discard(pr, sigmask(SIGCONT));

	blocked = sig_blocked(pr, p, sig);
	/* a tracer sees even the ignored ones (Linux) */
	if (!blocked && sig_ignored(pr, sig) &&
	    !(__atomic_load_n(&pr->ps_flags, __ATOMIC_RELAXED) & PS_TRACED))
		goto out;

	pr->ps_siginfo[sig - 1] = *ksi;
	if (p != NULL)
		__atomic_or_fetch(&p->p_siglist, sigmask(sig),
		    __ATOMIC_RELAXED);
	else
		__atomic_or_fetch(&pr->ps_siglist, sigmask(sig),
		    __ATOMIC_RELAXED);

	if (sig == SIGKILL) {
		wakeup(&pr->ps_sigstop);	/* a stop ends for SIGKILL */
		for (t = pr->ps_threads; t != NULL; t = t->p_thrnext)
			signotify(t);
	} else if (p != NULL && !blocked) {
		signotify(p);
	} else if (!blocked) {
		/* the first thread that takes it */
		for (t = pr->ps_threads; t != NULL; t = t->p_thrnext) {
			if (!(t->p_sigmask & sigmask(sig))) {
				signotify(t);
				break;
			}
		}
	}
out:
	spinlock_release(&pr->ps_siglock);
	return continued;
}

/* Post sig from ksi to pr (t NULL) or its thread t; tell the parent if it
 * continued pr. Caller holds no lock of pr's. */
static void
sig_post_unlocked(struct process *pr, struct proc *t, int sig,
    const struct ksiginfo *ksi)
{
	bool continued;

	spinlock_acquire(&pr->ps_lock);
	continued = sig_post(pr, t, sig, ksi);
	spinlock_release(&pr->ps_lock);
	if (continued)
		proc_continue_notify(pr);
}

/* A signal from the kernel itself. */
static const struct ksiginfo ksi_kernel = { .ksi_code = SI_KERNEL };

/* Post sig to process pr. */
void
psignal(struct process *pr, int sig)
{
	KASSERT(sig_valid(sig));
	if (__atomic_load_n(&pr->ps_sigacts, __ATOMIC_ACQUIRE) == NULL)
		return;		/* a kernel thread: no signals */
	sig_post_unlocked(pr, NULL, sig, &ksi_kernel);
}

/* Post sig to thread p. */
void
ptsignal(struct proc *p, int sig)
{
	struct process *pr = p->p_p;

	KASSERT(sig_valid(sig));
	if (__atomic_load_n(&pr->ps_sigacts, __ATOMIC_ACQUIRE) == NULL)
		return;		/* a kernel thread: no signals */
	sig_post_unlocked(pr, p, sig, &ksi_kernel);
}

/* Post sig to p (curproc) with its default action and unblocked, so
 * that userret kills the process (Linux's force_sig). */
void
sig_force(struct proc *p, int sig)
{
	struct process *pr = p->p_p;

	KASSERT(p == curproc && sig_valid(sig));
	spinlock_acquire(&pr->ps_lock);
	spinlock_acquire(&pr->ps_siglock);
	pr->ps_sigacts->sa_act[sig - 1].ksa_handler = SIG_DFL;
	p->p_sigmask &= ~sigmask(sig);
	spinlock_release(&pr->ps_siglock);
	sig_post(pr, p, sig, &ksi_kernel);
	spinlock_release(&pr->ps_lock);
}

/* Mask and action changes for a handler about to run for sig with ka:
 * block ka's mask and sig (unless SA_NODEFER); SA_RESETHAND. Return the
 * new mask. Caller holds ps_siglock. */
static sigset_t
sig_handler_mask(struct process *pr, struct proc *p, int sig,
    const struct k_sigaction *ka)
{
	sigset_t mask = p->p_sigmask | ka->ksa_mask;

	if (!(ka->ksa_flags & SA_NODEFER))
		mask |= sigmask(sig);
	if (ka->ksa_flags & SA_RESETHAND)
		pr->ps_sigacts->sa_act[sig - 1].ksa_handler = SIG_DFL;
	return mask & ~SIG_CANTMASK;
}

/* A fault in user mode by p: deliver now, or make it fatal. */
void
trapsignal(struct proc *p, int sig, int code, vaddr_t addr)
{
	struct process *pr = p->p_p;
	struct sigdeliv sd = { .sd_signo = sig, .sd_code = code,
	    .sd_addr = addr, .sd_trap = true };
	struct k_sigaction ka;
	sigset_t oldmask, newmask;

	KASSERT(p == curproc && !(p->p_flag & P_SYSTEM));
	KASSERT(sig_valid(sig));
	spinlock_acquire(&pr->ps_siglock);
	ka = pr->ps_sigacts->sa_act[sig - 1];
	if (ka.ksa_handler > SIG_IGN && !(p->p_sigmask & sigmask(sig))) {
		oldmask = p->p_sigmask;
		newmask = sig_handler_mask(pr, p, sig, &ka);
		spinlock_release(&pr->ps_siglock);
		if (sendsig(p, &ka, &sd, oldmask) == 0)
			sig_setmask(p, newmask);
		else
			sig_force(p, SIGSEGV);
		return;
	}
	/* blocked, ignored or default: the fault kills */
	spinlock_release(&pr->ps_siglock);
	sig_force(p, sig);
}

/* ---- delivery ---- */

/* True if p has a signal that should end an interruptible sleep. */
bool
sig_pending_intr(struct proc *p)
{
	struct process *pr = p->p_p;
	sigset_t pend;

	/* kernel threads: nothing is ever pending (no sigacts) */
	pend = __atomic_load_n(&p->p_siglist, __ATOMIC_RELAXED) |
	    __atomic_load_n(&pr->ps_siglist, __ATOMIC_RELAXED);
	return sig_select(pend, p->p_sigmask) != 0 ||
	    __atomic_load_n(&pr->ps_sigstop, __ATOMIC_RELAXED) != 0 ||
	    single_thread_pending(p);	/* threads: kern_single.c */
}

/* Set p's mask (rt_sigreturn). */
void
sig_setmask(struct proc *p, sigset_t mask)
{
	struct process *pr = p->p_p;

	KASSERT(p == curproc);
	spinlock_acquire(&pr->ps_siglock);
	p->p_sigmask = mask & ~SIG_CANTMASK;
	spinlock_release(&pr->ps_siglock);
}

/* Stop the process with sig: record it, interrupt the other threads'
 * sleeps so they stop too, tell the parent. Caller is p, holding nothing. */
static void
sig_stop(struct proc *p, int sig)
{
	struct process *pr = p->p_p;
	struct proc *t;

	spinlock_acquire(&pr->ps_lock);
	spinlock_acquire(&pr->ps_siglock);
	__atomic_store_n(&pr->ps_sigstop, sig, __ATOMIC_RELAXED);
	for (t = pr->ps_threads; t != NULL; t = t->p_thrnext)
		if (t != p)
			signotify(t);
	spinlock_release(&pr->ps_siglock);
	spinlock_release(&pr->ps_lock);
	proc_stop_notify(pr, sig);
	/* a SIGCONT between the unlock and the note told the parent first:
	 * tell it again, so that its last news is the truth */
	if (__atomic_load_n(&pr->ps_sigstop, __ATOMIC_RELAXED) == 0)
		proc_continue_notify(pr);
}

/* Deliver p's pending signals; stop while the process is stopped. */
void
userret(struct proc *p)
{
	struct process *pr = p->p_p;
	struct k_sigaction ka;
	struct ksiginfo ksi;
	struct sigdeliv sd;
	sigset_t pend, oldmask, newmask;
	int sig;

	KASSERT(p == curproc && !(p->p_flag & P_SYSTEM));
	for (;;) {
		if (!sig_pending_intr(p))
			return;
		single_thread_check(p);	/* another thread ends the process */
		spinlock_acquire(&pr->ps_siglock);
		pend = p->p_siglist | pr->ps_siglist;
		/* single_thread_set wakes the stop under ps_siglock */
		if (pr->ps_sigstop != 0 && !(pend & sigmask(SIGKILL)) &&
		    !single_thread_pending(p) &&
		    !(__atomic_load_n(&pr->ps_flags, __ATOMIC_RELAXED) &
		    PS_TRACED)) {	/* a tracee stops for its tracer */
			msleep(&pr->ps_sigstop, &pr->ps_siglock, "stopped", 0);
			spinlock_release(&pr->ps_siglock);
			continue;
		}
		sig = sig_select(pend, p->p_sigmask);
		if (sig == 0) {
			spinlock_release(&pr->ps_siglock);
			return;
		}
		if (p->p_siglist & sigmask(sig))
			__atomic_and_fetch(&p->p_siglist, ~sigmask(sig),
			    __ATOMIC_RELAXED);
		else
			__atomic_and_fetch(&pr->ps_siglist, ~sigmask(sig),
			    __ATOMIC_RELAXED);
		/* ptrace (sys_process.c): the tracer sees it first and may
		 * cancel it or give another */
		if (sig != SIGKILL &&
		    (__atomic_load_n(&pr->ps_flags, __ATOMIC_RELAXED) & PS_TRACED)) {
			spinlock_release(&pr->ps_siglock);
			if ((sig = ptrace_stop(p, sig)) == 0)
				continue;
			spinlock_acquire(&pr->ps_siglock);
		}
		ksi = pr->ps_siginfo[sig - 1];
		ka = pr->ps_sigacts->sa_act[sig - 1];
		if (sig_ignored(pr, sig)) {
			spinlock_release(&pr->ps_siglock);
			continue;
		}
		if (ka.ksa_handler == SIG_DFL) {
			spinlock_release(&pr->ps_siglock);
			if (sigprop(sig) & SIGPROP_STOP) {
				if (__atomic_load_n(&pr->ps_flags,
				    __ATOMIC_RELAXED) & PS_TRACED)
					(void)ptrace_stop(p, sig);
				else
					sig_stop(p, sig);
				continue;
			}
			exit1(p, sig, 0);
		}

		oldmask = p->p_sigmask;
		newmask = sig_handler_mask(pr, p, sig, &ka);
		spinlock_release(&pr->ps_siglock);
		sd = (struct sigdeliv){ .sd_signo = sig,
		    .sd_code = ksi.ksi_code, .sd_pid = ksi.ksi_pid,
		    .sd_uid = ksi.ksi_uid };
		if (sendsig(p, &ka, &sd, oldmask) == 0)
			sig_setmask(p, newmask);
		else
			sig_force(p, SIGSEGV);
	}
}

/* ---- system calls ---- */

/* May sender (a process) signal target? Same uid or root. */
static bool
sig_cansignal(struct process *sender, struct process *target)
{
	uid_t uid = __atomic_load_n(&sender->ps_uid, __ATOMIC_RELAXED);

	return uid == 0 ||
	    uid == __atomic_load_n(&target->ps_uid, __ATOMIC_RELAXED);
}

/* What the handler of a signal p sends with code learns of it. */
static struct ksiginfo
sig_sender(struct proc *p, int code)
{
	return (struct ksiginfo){ .ksi_code = code, .ksi_pid = p->p_p->ps_pid,
	    .ksi_uid = __atomic_load_n(&p->p_p->ps_uid, __ATOMIC_RELAXED) };
}

/* kill one process pr (referenced) for p: 0, ESRCH or EPERM. */
static int
sig_kill_one(struct proc *p, struct process *pr, int sig)
{
	struct ksiginfo ksi = sig_sender(p, SI_USER);

	if (__atomic_load_n(&pr->ps_flags, __ATOMIC_ACQUIRE) & PS_EXITING)
		return ESRCH;
	if (!sig_cansignal(p->p_p, pr))
		return EPERM;
	if (sig != 0 && __atomic_load_n(&pr->ps_sigacts, __ATOMIC_ACQUIRE))
		sig_post_unlocked(pr, NULL, sig, &ksi);
	return 0;
}

/* kill(pid, sig): pid > 0 that process, 0 our own (there are no process
 * groups), -1 every process but init and ourselves; < -1 (a group) ESRCH. */
long
sys_kill(struct proc *p, const uint64_t *args)
{
	pid_t pid = (pid_t)args[0], self = p->p_p->ps_pid, i;
	int64_t sig = (int)args[1];
	struct process *pr;
	int error, found = 0, lasterr = ESRCH;

	if (sig != 0 && !sig_valid(sig))
		return -EINVAL;
	if (pid == 0)
		pid = self;
	if (pid > 0) {
		if ((pr = prfind_ref(pid)) == NULL)
			return -ESRCH;
		error = sig_kill_one(p, pr, sig);
		prrele(pr);
		return -error;
	}
	if (pid != -1)
		return -ESRCH;
	/* every pid: kill -1 is rare; the table has no iterator of its own */
	for (i = 2; i <= PID_MAX; i++) {
		if (i == self || (pr = prfind_ref(i)) == NULL)
			continue;
		error = sig_kill_one(p, pr, sig);
		prrele(pr);
		if (error == 0)
			found++;
		else
			lasterr = error;
	}
	return found > 0 ? 0 : -lasterr;
}

/* tkill(tid, sig): the thread tid (of any process, permission as kill). */
long
sys_tkill(struct proc *p, const uint64_t *args)
{
	pid_t tid = (pid_t)args[0];
	int64_t sig = (int)args[1];
	struct ksiginfo ksi = sig_sender(p, SI_TKILL);
	struct process *pr;
	struct proc *t = NULL;
	bool continued = false;
	int error = ESRCH;

	if (tid <= 0 || (sig != 0 && !sig_valid(sig)))
		return -EINVAL;
	if ((pr = tid_find_ref(tid)) == NULL)
		return -ESRCH;
	spinlock_acquire(&pr->ps_lock);
	if (!(__atomic_load_n(&pr->ps_flags, __ATOMIC_ACQUIRE) & PS_EXITING))
		for (t = pr->ps_threads; t != NULL && (t->p_tid != tid ||
		    (t->p_flag & P_THRDYING)); t = t->p_thrnext)
			;
	if (t != NULL)
		error = sig_cansignal(p->p_p, pr) ? 0 : EPERM;
	if (error == 0 && sig != 0 &&
	    __atomic_load_n(&pr->ps_sigacts, __ATOMIC_ACQUIRE) != NULL)
		continued = sig_post(pr, t, sig, &ksi);
	spinlock_release(&pr->ps_lock);
	if (continued)
		proc_continue_notify(pr);
	prrele(pr);
	return -error;
}

/* rt_sigaction(sig, act, oact, sigsetsize) */
long
sys_rt_sigaction(struct proc *p, const uint64_t *args)
{
	int64_t sig = (int)args[0];
	void *uact = (void *)args[1], *uoact = (void *)args[2];
	struct k_sigaction act, oact;
	int error;

	if (args[3] != sizeof(sigset_t) || !sig_valid(sig))
		return -EINVAL;
	if (uact != NULL && (error = copyin(uact, &act, sizeof(act))) != 0)
		return -error;
	error = sigaction_set(p->p_p, sig, uact != NULL ? &act : NULL,
	    uoact != NULL ? &oact : NULL);
	if (error == 0 && uoact != NULL)
		error = copyout(&oact, uoact, sizeof(oact));
	return -error;
}

/* rt_sigprocmask(how, set, oset, sigsetsize) */
long
sys_rt_sigprocmask(struct proc *p, const uint64_t *args)
{
	struct process *pr = p->p_p;
	int how = (int)args[0];
	void *uset = (void *)args[1], *uoset = (void *)args[2];
	sigset_t set, old, mask;
	int error = 0;

	if (args[3] != sizeof(sigset_t))
		return -EINVAL;
	if (uset != NULL && (error = copyin(uset, &set, sizeof(set))) != 0)
		return -error;
	spinlock_acquire(&pr->ps_siglock);
	old = mask = p->p_sigmask;
	if (uset != NULL && (error = sig_mask_apply(&mask, how, set)) == 0)
		p->p_sigmask = mask;
	spinlock_release(&pr->ps_siglock);
	if (error == 0 && uoset != NULL)
		error = copyout(&old, uoset, sizeof(old));
	return -error;
}
