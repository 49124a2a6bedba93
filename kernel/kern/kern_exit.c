/*
 * kern/kern_exit.c: how a user process leaves (exit1, exit_reap) and how
 * its parent learns of it (wait4, the stop/continue notes of kern_sig.c).
 *
 * The lifecycle (DESIGN.md section 4), for a process P whose one thread
 * calls exit1 (exit, exit_group, a fatal signal):
 *
 *  1. exit1 first makes P single-threaded (kern_single.c: every other
 *     thread is made to leave user mode and exit as a thread, and exit1
 *     waits until all have; a thread that finds another one doing so exits
 *     as a thread itself), then marks P PS_EXITING, closes its
 *     descriptors and releases a parent sleeping in vfork. A thread that
 *     leaves alone (SYS_exit while others remain, exit_thread) writes 0 to
 *     its clear_child_tid word and wakes it, gets off the user pmap, leaves
 *     the thread list, gives back its RLIMIT_NPROC count (Linux's
 *     release_task of a thread) and goes to the reaper, which frees just
 *     its stack and struct: the vmspace's users and pins are per process.
 *  2. P drops its user of the vmspace. Only the last user purges, and only
 *     under purge=exit (the default): every hold on kernel_lock is given
 *     up, uvm_purge removes every entry, unmaps with the TLB shootdown and
 *     then frees the pages and page-table pages, and the holds are taken
 *     back. A vfork child (its parent is the other user) never purges; a
 *     kernel thread (P_SYSTEM, kthread_exit) runs on the kernel's address
 *     space, which is never purged: exit1 checks P_SYSTEM explicitly.
 *  3. P switches this CPU to the kernel pmap (pmap_deactivate; its
 *     md_pmap is cleared first, so a preemption cannot load the user pmap
 *     again), gives its children to init, records its exit status, and
 *     exit2 puts the thread on the dead list and switches away for the
 *     last time. NOTE: no sleeping after the pmap_deactivate.
 *  4. The reaper (kern_kthread.c) waits until the thread's context is
 *     saved, then exit_reap frees the kernel stack and the thread, calls
 *     uvm_exit (under purge=reaper the purge happens there, under
 *     kernel_lock; then P's pin goes, and the last pin destroys the pmap
 *     and frees the vmspace through SMR), makes P a zombie and wakes the
 *     parent.
 *  5. wait4 collects the zombie: unlinked from the tree and the pid hash,
 *     the tree's reference dropped; the struct is freed after an SMR grace
 *     period (prrele), since lockless pid lookups may still hold it.
 *
 * Locks: proctree_lock (kern_proc.c) guards the tree, the exit status and
 * the zombie/stop/continue flags; wait4 sleeps on the parent's struct
 * process with it as interlock, init's collector on the child's.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "lock.h"
#include "proc.h"
#include "sched.h"
#include "file.h"
#include "pmap.h"
#include "uvm_km.h"
#include "uvm_vmspace.h"
#include "syscall.h"
#include "signal.h"
#include "trace.h"
#include "ptrace.h"

/* wait4 options (Linux's values) */
#define WNOHANG		0x00000001
#define WUNTRACED	0x00000002
#define WCONTINUED	0x00000008
#define __WNOTHREAD	0x20000000
#define __WALL		0x40000000
#define __WCLONE	0x80000000
#define WAIT_OPTIONS	(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | \
			 __WALL | __WCLONE)

#define RUSAGE_SIZE	144		/* Linux's struct rusage */

static void	exit_thread(struct proc *p);

/* End the calling thread's process with wait4 status xstatus: a user
 * process, or a kernel thread (kthread_exit). */
void
exit1(struct proc *p, int xstatus, int flags)
{
	struct process *pr = p->p_p, *child;
	struct vmspace *vm = pr->ps_vmspace;
	struct filedesc *fdp;
	bool orphan_zombie = false;

	KASSERT(p == curproc);
	KASSERT(flags == EXIT_NORMAL || flags == EXIT_THREAD);
	KASSERT((p->p_flag & P_SYSTEM) ? vm == NULL : vm != NULL);
	/* threads: p leaves alone unless it is the last; the process part
	 * below runs once every other thread has left user mode for good */
	if (!(p->p_flag & P_SYSTEM)) {
		if (flags == EXIT_THREAD)
			exit_thread(p);		/* returns if p is the last */
		if (single_thread_set(p, SINGLE_EXIT) != 0) {
			exit_thread(p);		/* another thread ends it */
			panic("exit1: thread %d is the last one of process %d "
			    "while another single-threads it", p->p_tid,
			    pr->ps_pid);
		}
	}
	if (__atomic_fetch_or(&pr->ps_flags, PS_EXITING, __ATOMIC_ACQ_REL) &
	    PS_EXITING)
		panic("exit1: process %d is already exiting", pr->ps_pid);
	trace_event(TR_EXIT1, vm, (p->p_flag & P_SYSTEM) != 0);

	/* 1. signals (no more user code), descriptors, the vfork parent */
	sigactsfree(pr);
	if ((fdp = pr->ps_fd) != NULL) {
		pr->ps_fd = NULL;
		fdfree(fdp);
	}
	vfork_release(pr);
	ptrace_exit(pr);		/* its tracees go free */

	/* 2. the last user purges, without kernel_lock; a kernel thread runs
	 * on the kernel's address space, shared by all: P_SYSTEM never purges */
#ifdef MUTANT_purge_kthread
	/* MUTANT purge-kthread: a kernel thread drops its space as a process */
	proc_vmspace_drop_user(vm);
#else
	if (!(p->p_flag & P_SYSTEM))
		proc_vmspace_drop_user(vm);
#endif
#ifdef MUTANT_early_pmap_destroy
	/* MUTANT early-pmap-destroy: the purged space's pmap goes now, loaded */
	if (vm != NULL && vm->vm_state == VMSPACE_PURGED)
		pmap_destroy(&vm->vm_pmap);
#endif

	/* 3. off the user pmap for good (a kernel thread never was on one) */
	if (vm != NULL) {
		spinlock_enter();
		p->p_flag |= P_WEXIT;
		p->p_md.md_pmap = NULL;
		pmap_deactivate(&vm->vm_pmap);
		spinlock_exit();
	}
	/* NOTE: no sleeping after this point */

	spinlock_acquire(&proctree_lock);
	while ((child = pr->ps_children) != NULL) {
		pr->ps_children = child->ps_sibling;
		if (initprocess != NULL && initprocess != pr) {
			proc_tree_link(initprocess, child);
			if (child->ps_flags & PS_ZOMBIE)
				orphan_zombie = true;
		} else
			child->ps_pptr = NULL;	/* init itself is leaving */
	}
	if (initprocess == pr)		/* nothing may find init once freed */
		initprocess = NULL;
	pr->ps_xstat = xstatus;
	if (orphan_zombie)
		wakeup(initprocess);
	spinlock_release(&proctree_lock);
	exit2(p);
}

/* The thread part of exit1: p, a user thread, leaves its process for
 * good if other threads remain; return if p is the last one. */
static void
exit_thread(struct proc *p)
{
	struct process *pr = p->p_p;
	struct vmspace *vm = pr->ps_vmspace;

	KASSERT(p == curproc && !(p->p_flag & P_SYSTEM));
	/* once the joiner can see p gone, tkill must not find it either */
	spinlock_acquire(&pr->ps_lock);
	p->p_flag |= P_THRDYING;
	spinlock_release(&pr->ps_lock);
	/* the map lives while p is on the thread list */
	futex_clear_child_tid(p);
	spinlock_acquire(&pr->ps_lock);
	if (pr->ps_nthreads == 1) {
		spinlock_release(&pr->ps_lock);
		return;
	}
	/* off the user pmap before leaving the list: after that the last
	 * thread may purge the map and the reaper destroy the pmap */
	spinlock_enter();
	p->p_flag |= P_WEXIT | P_THREXIT;
	p->p_md.md_pmap = NULL;
	pmap_deactivate(&vm->vm_pmap);
	spinlock_exit();
	proc_tid_release(p);
	/* its uid's count first: once /proc shows the thread gone
	 * (ps_nthreads, read unlocked), so does RLIMIT_NPROC, as in Linux */
	resource_thread_drop(pr);
	single_thread_leave(p);
	spinlock_release(&pr->ps_lock);
	/* pr may be gone from here on */
	exit2(p);
}

/* Drop the caller's user of vm; the last one purges (purge=exit). */
void
proc_vmspace_drop_user(struct vmspace *vm)
{
	int nlocks;

#ifdef MUTANT_purge_shared
	/* MUTANT purge-shared: the leaving process purges, other users or not */
	uvmspace_drop_user(vm);
	if (uvm_purge_at_exit()) {
#else
	if (uvmspace_drop_user(vm) == 0 && uvm_purge_at_exit()) {
#endif
		nlocks = kernel_lock_release_all();
		uvm_purge(vm);
		kernel_lock_acquire_count(nlocks);
	}
}

/* The reaper's part: free what the dead thread p stood on, drop the
 * address space, make its process a zombie and tell the parent. */
void
exit_reap(struct proc *p)
{
	struct process *pr = p->p_p, *parent;
	struct vmspace *vm = pr->ps_vmspace;

	KASSERT(p->p_stat == SDEAD && !p->p_oncpu);
	if (p->p_flag & P_THREXIT) {
		/* left a process that lived on and may be gone by now */
		uvm_km_kstack_free(p->p_kstack);
		proc_free(p);
		return;
	}
	KASSERT(pr->ps_flags & PS_EXITING);
	trace_event(TR_REAP, vm, pr->ps_pid);
	uvm_km_kstack_free(p->p_kstack);
	spinlock_acquire(&pr->ps_lock);
	KASSERT(pr->ps_threads == p && p->p_thrnext == NULL);
	pr->ps_threads = NULL;
	pr->ps_nthreads = 0;
	spinlock_release(&pr->ps_lock);
	proc_tid_release(p);
	proc_free(p);

	/* readers already inside an SMR section may still pin it */
	__atomic_store_n(&pr->ps_vmspace, NULL, __ATOMIC_RELEASE);
	uvm_exit(vm);

	spinlock_acquire(&proctree_lock);
	__atomic_or_fetch(&pr->ps_flags, PS_ZOMBIE, __ATOMIC_RELEASE);
	/* a tracee's exit goes to its tracer first (sys_process.c) */
	parent = pr->ps_tracer != NULL ? pr->ps_tracer : pr->ps_pptr;
	if (parent != NULL) {
		__atomic_add_fetch(&parent->ps_refcnt, 1, __ATOMIC_ACQ_REL);
		wakeup(parent);
	} else
		wakeup(pr);		/* proc_collect_orphan */
	spinlock_release(&proctree_lock);
	if (parent != NULL) {
		psignal(parent, SIGCHLD);
		prrele(parent);
	}
}

/* Tell pr's parent's wait4 (WUNTRACED) that pr stopped with sig. */
void
proc_stop_notify(struct process *pr, int sig)
{
	spinlock_acquire(&proctree_lock);
	pr->ps_xstat = sig;
	__atomic_and_fetch(&pr->ps_flags, ~PS_CONTNOTE, __ATOMIC_RELAXED);
	__atomic_or_fetch(&pr->ps_flags, PS_STOPNOTE, __ATOMIC_RELAXED);
	if (pr->ps_pptr != NULL)
		wakeup(pr->ps_pptr);
	spinlock_release(&proctree_lock);
}

/* Tell pr's parent's wait4 (WCONTINUED) that pr continued. */
void
proc_continue_notify(struct process *pr)
{
	spinlock_acquire(&proctree_lock);
	__atomic_and_fetch(&pr->ps_flags, ~PS_STOPNOTE, __ATOMIC_RELAXED);
	__atomic_or_fetch(&pr->ps_flags, PS_CONTNOTE, __ATOMIC_RELAXED);
	if (pr->ps_pptr != NULL)
		wakeup(pr->ps_pptr);
	spinlock_release(&proctree_lock);
}

/* Sleep until the parentless pr is a zombie, then collect it; return
 * its exit status. */
int
proc_collect_orphan(struct process *pr)
{
	int xstat;

	spinlock_acquire(&proctree_lock);
	KASSERT(pr->ps_pptr == NULL);
	while (!(pr->ps_flags & PS_ZOMBIE))
		msleep(pr, &proctree_lock, "orphan", 0);
	xstat = pr->ps_xstat;
	proc_collect(pr);
	return xstat;
}

/* Find a child of pr matching pid that has something to report for
 * options; return 0 with *pidp (0: none yet, WNOHANG) and *statusp,
 * ECHILD, or EINTR (a signal). A zombie is collected. */
static int
dowait4(struct process *pr, pid_t pid, int options, pid_t *pidp,
    int *statusp)
{
	struct process *c;
	bool found;

	spinlock_acquire(&proctree_lock);
	for (;;) {
		found = false;
		for (c = pr->ps_children; c != NULL; c = c->ps_sibling) {
			if (pid > 0 && c->ps_pid != pid)
				continue;
			found = true;
			if (c->ps_tracer != NULL)
				continue;	/* its tracer hears first */
			*pidp = c->ps_pid;
			if (c->ps_flags & PS_ZOMBIE) {
				*statusp = c->ps_xstat;
				proc_collect(c);
				return 0;
			}
			if ((options & WUNTRACED) && (c->ps_flags & PS_STOPNOTE)) {
				__atomic_and_fetch(&c->ps_flags, ~PS_STOPNOTE,
				    __ATOMIC_RELAXED);
				*statusp = W_STOPCODE(c->ps_xstat);
				spinlock_release(&proctree_lock);
				return 0;
			}
			if ((options & WCONTINUED) && (c->ps_flags & PS_CONTNOTE)) {
				__atomic_and_fetch(&c->ps_flags, ~PS_CONTNOTE,
				    __ATOMIC_RELAXED);
				*statusp = W_CONTINUED;
				spinlock_release(&proctree_lock);
				return 0;
			}
		}
		if (ptrace_wait(pr, pid, &found, pidp, statusp))
			return 0;
		if (!found || (options & WNOHANG)) {
			spinlock_release(&proctree_lock);
			*pidp = 0;
			return found ? 0 : ECHILD;
		}
		if (msleep_sig(pr, &proctree_lock, "wait4", 0) == EINTR) {
			spinlock_release(&proctree_lock);
			return EINTR;
		}
	}
}

/* wait4(pid, status, options, rusage): pid > 0 that child, -1 or 0 any
 * child (no process groups: every process is in one), < -1 none. */
long
sys_wait4(struct proc *p, const uint64_t *args)
{
	pid_t pid = (pid_t)args[0], rpid;
	void *ustatus = (void *)args[1], *urusage = (void *)args[3];
	int options = (int)args[2], status = 0, error;
	static const char zero[RUSAGE_SIZE];

	if (options & ~WAIT_OPTIONS)
		return -EINVAL;
	if (pid < -1)
		return -ECHILD;
	if ((error = dowait4(p->p_p, pid, options, &rpid, &status)) != 0)
		return -error;
	/* as Linux: a collected child stays collected if these fail */
	if (rpid != 0 && ustatus != NULL &&
	    copyout(&status, ustatus, sizeof(status)) != 0)
		return -EFAULT;
	if (urusage != NULL && copyout(zero, urusage, sizeof(zero)) != 0)
		return -EFAULT;
	return rpid;
}

/* exit(code): the calling thread; the process with it if it is the
 * last. */
long
sys_exit(struct proc *p, const uint64_t *args)
{
	exit1(p, W_EXITCODE((int)args[0] & 0xff, 0), EXIT_THREAD);
}

/* exit_group(code): every thread of the process. */
long
sys_exit_group(struct proc *p, const uint64_t *args)
{
	exit1(p, W_EXITCODE((int)args[0] & 0xff, 0), EXIT_NORMAL);
}
