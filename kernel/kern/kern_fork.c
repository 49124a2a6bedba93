/*
 * kern/kern_fork.c: fork, vfork and clone for new processes.
 *
 * fork1 builds the child whole before anyone can see it: a process (new
 * pid) and its one thread, a kernel stack, the address space (a
 * copy-on-write copy, or the parent's shared with CLONE_VM: one more user
 * and pin), a copy of the descriptor table, the signal state (kern_sig.c),
 * and the registers (cpu_fork: the child returns 0 from the call). Then
 * it links the child under its parent, hashes its pid and starts it. On
 * ENOMEM everything made so far is undone.
 *
 * vfork (CLONE_VM | CLONE_VFORK): the parent sleeps on the child's struct
 * process until the child execs or exits (vfork_release clears
 * PS_PPWAIT); the child stays the parent's child, so its struct cannot go
 * away meanwhile. Threads (CLONE_THREAD) are another issue: EINVAL.
 *
 * Locks: proctree_lock for the tree link and PS_PPWAIT (the vfork sleep's
 * interlock); the rest is the child's own until it is started.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "malloc.h"
#include "file.h"
#include "proc.h"
#include "sched.h"
#include "signal.h"
#include "syscall.h"
#include "uvm_km.h"
#include "uvm_vmspace.h"

/* clone flags (Linux's values) */
#define CSIGNAL			0x000000ff	/* signal sent to the parent at exit */
#define CLONE_VM		0x00000100
#define CLONE_VFORK		0x00004000
#define CLONE_THREAD		0x00010000
#define CLONE_PARENT_SETTID	0x00100000
/* what a process clone may ask for; TLS and the child tid words come with
 * threads */
#define CLONE_PROCESS_FLAGS	(CSIGNAL | CLONE_VM | CLONE_VFORK | \
				 CLONE_PARENT_SETTID)

/* Return a kmalloc'd copy of pr's saved argv (for the child), or NULL. */
static char *
fork_args_copy(struct process *pr, size_t *lenp)
{
	char *copy = NULL;
	size_t len;

	spinlock_acquire(&pr->ps_lock);
	len = pr->ps_argslen;
	spinlock_release(&pr->ps_lock);
	/* ps_args changes only at exec, by pr's own (this) thread */
	if (pr->ps_args != NULL && (copy = kmalloc(len, M_NOWAIT)) != NULL)
		memcpy(copy, pr->ps_args, len);
	*lenp = copy != NULL ? len : 0;
	return copy;
}

/* Create a child of the calling thread p's process; flags are clone's
 * (CLONE_VM, CLONE_VFORK), stack the child's user stack (0: the same).
 * Return 0 with the child's pid in *pidp, or ENOMEM/EAGAIN. A vfork
 * parent returns once the child has exec'd or exited. */
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
	if ((np = proc_alloc()) == NULL || (kstack = uvm_km_kstack_alloc()) == 0 ||
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
	npr->ps_uid = __atomic_load_n(&pr->ps_uid, __ATOMIC_RELAXED);
	npr->ps_brkbase = pr->ps_brkbase;
	npr->ps_brk = pr->ps_brk;
	strlcpy(npr->ps_comm, pr->ps_comm, sizeof(npr->ps_comm));
	npr->ps_args = fork_args_copy(pr, &npr->ps_argslen);
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
	process_free(npr);
	return ENOMEM;
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

/* clone(flags, stack, parent_tid, child_tid, tls) for processes. */
long
sys_clone(struct proc *p, const uint64_t *args)
{
	uint64_t flags = args[0];
	pid_t pid;
	int error;

	if ((flags & CLONE_THREAD) || (flags & ~(uint64_t)CLONE_PROCESS_FLAGS))
		return -EINVAL;
	if ((error = fork1(p, flags & (CLONE_VM | CLONE_VFORK), args[1], &pid)) != 0)
		return -error;
	/* as Linux, a bad pointer here is ignored */
	if (flags & CLONE_PARENT_SETTID)
		(void)copyout(&pid, (void *)args[2], sizeof(pid));
	return pid;
}
