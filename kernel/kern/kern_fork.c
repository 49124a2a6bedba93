/*
 * kern/kern_fork.c: fork, vfork and clone for new processes.
 *
 * fork1 builds the child whole before anyone can see it: a process (new
 * pid) and its one thread, a kernel stack, the address space (a
 * copy-on-write copy, or the parent's shared with CLONE_VM: one more user
 * and pin), a copy of the descriptor table, the signal state (kern_sig.c),
 * and the registers (cpu_fork: the child returns 0 from the call). Then
 * it links the child under its parent, hashes its pid and starts it. On
 * ENOMEM everything made so far is undone. Before anything else the child
 * gets its parent's uid and a copy of its limits, and is counted against
 * RLIMIT_NPROC and the system's process maximum (kern_resource.c):
 * EAGAIN beyond them.
 *
 * vfork (CLONE_VM | CLONE_VFORK): the parent sleeps on the child's struct
 * process until the child execs or exits (vfork_release clears
 * PS_PPWAIT); the child stays the parent's child, so its struct cannot go
 * away meanwhile.
 *
 * Threads (clone with CLONE_THREAD, and CLONE_VM | CLONE_FS | CLONE_FILES
 * | CLONE_SIGHAND with it: what musl's pthread_create asks for) are made
 * by thread_fork: a new struct proc in the calling process, with a tid
 * from the pid space, the caller's registers on the given stack, TLS as
 * its FS base (CLONE_SETTLS), the caller's signal mask, and its
 * clear_child_tid word (CLONE_CHILD_CLEARTID). It shares everything of
 * the process: the vmspace (a thread is not a user of it: vm_users and
 * the pins count processes), the descriptor table and the signal actions.
 * It joins the thread list under ps_lock, unless the process is being
 * single-threaded (kern_single.c), which refuses new threads. First of
 * all it is counted as a task of the process's uid against RLIMIT_NPROC
 * (kern_resource.c, as Linux counts threads): EAGAIN beyond it; the count
 * goes when the thread leaves the process (exit_thread) or its creation
 * fails.
 *
 * Locks: proctree_lock for the tree link and PS_PPWAIT (the vfork sleep's
 * interlock); ps_lock for the thread list; the rest is the child's own
 * until it is started.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "malloc.h"
#include "file.h"
#include "proc.h"
#include "resource.h"
#include "sched.h"
#include "signal.h"
#include "syscall.h"
#include "uvm_km.h"
#include "uvm_vmspace.h"

/* clone flags (Linux's values) */
#define CSIGNAL			0x000000ff	/* signal sent to the parent at exit */
#define CLONE_VM		0x00000100
#define CLONE_FS		0x00000200
#define CLONE_FILES		0x00000400
#define CLONE_SIGHAND		0x00000800
#define CLONE_VFORK		0x00004000
#define CLONE_THREAD		0x00010000
#define CLONE_SYSVSEM		0x00040000
#define CLONE_SETTLS		0x00080000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_CHILD_CLEARTID	0x00200000
#define CLONE_DETACHED		0x00400000	/* ignored, as by Linux */
/* what a process clone may ask for */
#define CLONE_PROCESS_FLAGS	(CSIGNAL | CLONE_VM | CLONE_VFORK | \
				 CLONE_PARENT_SETTID)
/* what a thread clone must ask for (one process shares all of these) and
 * may add */
#define CLONE_THREAD_NEEDS	(CLONE_VM | CLONE_FS | CLONE_FILES | \
				 CLONE_SIGHAND | CLONE_THREAD)
#define CLONE_THREAD_FLAGS	(CLONE_THREAD_NEEDS | CSIGNAL | \
				 CLONE_SYSVSEM | CLONE_SETTLS | \
				 CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | \
				 CLONE_DETACHED)

/* Create a child of the calling thread p's process; flags are clone's
 * (CLONE_VM, CLONE_VFORK), stack the child's user stack (0: the same).
 * Return 0 with the child's pid in *pidp, or ENOMEM, or EAGAIN (no pid,
 * or a process limit). A vfork parent returns once the child has exec'd
 * or exited. */
static int
fork1(struct proc *p, int flags, vaddr_t stack, pid_t *pidp)
{
	struct process *pr = p->p_p, *npr;
	struct proc *np = NULL;
	struct vmspace *vm = NULL;
	struct filedesc *fdp = NULL;
	vaddr_t kstack = 0;

	KASSERT(!(p->p_flag & P_SYSTEM));
	if ((npr = process_alloc(false)) == NULL)
		return EAGAIN;
	npr->ps_uid = __atomic_load_n(&pr->ps_uid, __ATOMIC_RELAXED);
	resource_limits_fork(npr, pr);
	if (resource_nproc_add(npr) != 0) {
		process_free(npr);
		return EAGAIN;
	}
	if ((np = proc_alloc()) == NULL || (kstack = kstack_alloc()) == 0 ||
	    (fdp = fdcopy(pr->ps_fd)) == NULL)
		goto fail;
	if (flags & CLONE_VM) {
		vm = pr->ps_vmspace;
		uvmspace_share(vm);
	} else if ((vm = uvmspace_fork(pr->ps_vmspace)) == NULL)
		goto fail;

	np->p_p = npr;
	np->p_tid = npr->ps_pid;
	strlcpy(np->p_name, p->p_name, sizeof(np->p_name));
	np->p_kstack = kstack;
	np->p_pcb.pcb_rsp0 = kstack + KSTACK_SIZE;
	np->p_stat = SIDL;
	np->p_md.md_pmap = &vm->vm_pmap;
	cpu_fork(np, stack);

	npr->ps_threads = np;
	npr->ps_nthreads = 1;
	npr->ps_vmspace = vm;
	npr->ps_fd = fdp;
	npr->ps_brkbase = pr->ps_brkbase;
	npr->ps_brk = pr->ps_brk;
	strlcpy(npr->ps_comm, pr->ps_comm, sizeof(npr->ps_comm));
	/* the child's vmspace is a copy: its argv is where the parent's is
	 * (exec changes the range only on the parent's own thread) */
	npr->ps_argstart = pr->ps_argstart;
	npr->ps_argend = pr->ps_argend;
	if (sigactsfork(npr, pr) != 0)
		goto fail_built;
	if (flags & CLONE_VFORK)
		npr->ps_flags |= PS_PPWAIT;

	spinlock_acquire(&proctree_lock);
	proc_tree_link(pr, npr);
	spinlock_release(&proctree_lock);
	process_hash(npr);
	*pidp = npr->ps_pid;
	sched_start_thread(np);

	if (flags & CLONE_VFORK) {
		/* npr stays our child (uncollected) while we wait */
		spinlock_acquire(&proctree_lock);
		while (npr->ps_flags & PS_PPWAIT)
			msleep(npr, &proctree_lock, "vfork", 0);
		spinlock_release(&proctree_lock);
	}
	return 0;

fail_built:
	/* undo what the child holds; it never ran nor was findable */
	npr->ps_threads = NULL;
	npr->ps_fd = NULL;
	proc_vmspace_drop_user(vm);
	uvm_exit(vm);
fail:
	if (fdp != NULL)
		fdfree(fdp);
	if (kstack != 0)
		uvm_km_kstack_free(kstack);
	if (np != NULL)
		proc_free(np);
	resource_nproc_drop(npr);
	process_free(npr);
	return ENOMEM;
}

/* Create a thread of the calling thread p's process: clone flags (a
 * valid CLONE_THREAD set), user stack (0: the same), tls, and the tid
 * words ptid (CLONE_PARENT_SETTID) and ctid (CLONE_CHILD_CLEARTID).
 * Return 0 with its tid in *tidp, or EAGAIN (no memory or tid, or
 * RLIMIT_NPROC), EPERM (tls not a user address) or EINTR (the process is
 * being single-threaded: the caller is about to exit). */
static int
thread_fork(struct proc *p, uint64_t flags, vaddr_t stack, vaddr_t tls,
    vaddr_t ptid, vaddr_t ctid, pid_t *tidp)
{
	struct process *pr = p->p_p;
	struct proc *np;
	pid_t tid;

	KASSERT(p == curproc && !(p->p_flag & P_SYSTEM));
	KASSERT((flags & CLONE_THREAD_NEEDS) == CLONE_THREAD_NEEDS);
	if ((flags & CLONE_SETTLS) && tls >= USER_MAX)
		return EPERM;
	if (resource_thread_add(pr) != 0)
		return EAGAIN;
	if ((np = proc_alloc()) == NULL) {
		resource_thread_drop(pr);
		return EAGAIN;
	}
	if ((np->p_kstack = kstack_alloc()) == 0 ||
	    (tid = tid_alloc()) == 0) {
		if (np->p_kstack != 0)
			uvm_km_kstack_free(np->p_kstack);
		proc_free(np);
		resource_thread_drop(pr);
		return EAGAIN;
	}
	np->p_p = pr;
	np->p_tid = tid;
	strlcpy(np->p_name, p->p_name, sizeof(np->p_name));
	np->p_pcb.pcb_rsp0 = np->p_kstack + KSTACK_SIZE;
	np->p_stat = SIDL;
	/* stable: exec or exit replace or drop it only once p is gone */
	np->p_md.md_pmap = &pr->ps_vmspace->vm_pmap;
	cpu_fork(np, stack);
	if (flags & CLONE_SETTLS)
		cpu_fork_tls(np, tls);
	if (flags & CLONE_CHILD_CLEARTID)
		np->p_tidaddr = ctid;
	np->p_sigmask = p->p_sigmask;	/* our own: read without the lock */
	/* as Linux: before the thread runs, and a bad pointer is ignored */
	if (flags & CLONE_PARENT_SETTID)
		(void)copyout(&tid, (void *)ptid, sizeof(tid));

	proc_tid_hash(np);
	spinlock_acquire(&pr->ps_lock);
	if (pr->ps_single != NULL) {
		spinlock_release(&pr->ps_lock);
		proc_tid_release(np);
		uvm_km_kstack_free(np->p_kstack);
		proc_free(np);
		resource_thread_drop(pr);
		return EINTR;
	}
	np->p_thrnext = p->p_thrnext;
	p->p_thrnext = np;
	pr->ps_nthreads++;
	spinlock_release(&pr->ps_lock);
	*tidp = tid;
	sched_start_thread(np);
	return 0;
}

/* Wake the parent of a vfork child pr that execs or exits. */
void
vfork_release(struct process *pr)
{
	spinlock_acquire(&proctree_lock);
	if (pr->ps_flags & PS_PPWAIT) {
		__atomic_and_fetch(&pr->ps_flags, ~PS_PPWAIT, __ATOMIC_RELEASE);
		wakeup(pr);
	}
	spinlock_release(&proctree_lock);
}

/* fork(): the child's pid, or -errno. */
long
sys_fork(struct proc *p, const uint64_t *args)
{
	pid_t pid;
	int error = fork1(p, 0, 0, &pid);

	return error != 0 ? -error : pid;
}

/* vfork(): fork sharing the address space, the parent suspended. */
long
sys_vfork(struct proc *p, const uint64_t *args)
{
	pid_t pid;
	int error = fork1(p, CLONE_VM | CLONE_VFORK, 0, &pid);

	return error != 0 ? -error : pid;
}

/* clone(flags, stack, parent_tid, child_tid, tls): a process, or a
 * thread with CLONE_THREAD (which needs CLONE_SIGHAND, which needs
 * CLONE_VM, as in Linux; and here CLONE_FS and CLONE_FILES too). */
long
sys_clone(struct proc *p, const uint64_t *args)
{
	uint64_t flags = args[0];
	pid_t pid;
	int error;

	if (((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) ||
	    ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)))
		return -EINVAL;
	if (flags & CLONE_THREAD) {
		if ((flags & CLONE_THREAD_NEEDS) != CLONE_THREAD_NEEDS ||
		    (flags & ~(uint64_t)CLONE_THREAD_FLAGS))
			return -EINVAL;
		error = thread_fork(p, flags, args[1], args[4], args[2],
		    args[3], &pid);
		return error != 0 ? -error : pid;
	}
	if (flags & ~(uint64_t)CLONE_PROCESS_FLAGS)
		return -EINVAL;
	if ((error = fork1(p, flags & (CLONE_VM | CLONE_VFORK), args[1], &pid)) != 0)
		return -error;
	/* as Linux, a bad pointer here is ignored */
	if (flags & CLONE_PARENT_SETTID)
		(void)copyout(&pid, (void *)args[2], sizeof(pid));
	return pid;
}
