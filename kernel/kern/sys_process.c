/*
 * kern/sys_process.c: the readers of another process's memory and ptrace.
 *
 * Owns the reader protocol (DESIGN.md section 4), once:
 * process_read_begin looks the pid up (prfind_ref: an SMR read section and
 * increment-if-not-zero), refuses an exiting target with ESRCH as Linux
 * does for a process without its mm, pins the vmspace (uvmspace_pin:
 * increment-if-not-zero, inside an SMR read section, since exit_reap may
 * be dropping the process's own pin) and drops the process reference;
 * process_read_end drops the pin, and the last pin frees the vmspace.
 * process_domem copies between the two with uvm_io through a kernel bounce
 * page, never mapping the target, and never holding the target's map lock
 * across a touch of the caller's own memory. Every reader goes through
 * here: ptrace PEEK/POKE, process_vm_readv/writev, /proc/<pid>/{cmdline,
 * maps,mem} (kern/procfs_pid.c), process_vm_readv/writev
 * (kern/sys_process_vm.c). A reader racing an exit sees the old
 * contents or an error (the purged map is empty), never freed memory.
 *
 * ptrace (Linux semantics, the requests of ptrace.h): a tracee is on its
 * tracer's list (ps_tracer, ps_tracees, ps_tracenext, PS_TRACED, under
 * proctree_lock). A traced process about to take a signal stops for the
 * tracer instead (ptrace_stop, from userret): it sets ps_ptthread under
 * its ps_siglock, marks PS_TRACESTOP for the tracer's wait4 and sleeps on
 * &ps_sigstop until the tracer resumes it (PTRACE_CONT, PTRACE_DETACH,
 * the tracer's exit) or SIGKILL arrives. The tracer touches the tracee's
 * registers only under ps_siglock while ps_ptthread is set: the thread
 * cannot leave the stop, so its stack stays.
 *
 * A process is traced whole (Linux traces each thread): any of its
 * threads stops for the tracer, one at a time, the others waiting their
 * turn on &ps_sigstop; the tracer's wait4 reports the process. So the
 * signal a resumed thread takes is its own (p_ptsig, set by the resumer
 * under ps_siglock), not the process's, which the next thread to stop
 * would overwrite; and the unreported-stop flag is cleared only while no
 * thread is in the stop, so the next thread's report is never lost.
 *
 * Lock order: proctree_lock and ps_siglock are never held together here
 * (kern_sig.c takes nothing of the tree under ps_siglock); ps_lock is taken
 * inside an SMR read section for the vmspace/argv snapshot.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "cpu.h"
#include "cpufunc.h"
#include "malloc.h"
#include "smr.h"
#include "trap.h"
#include "vfs.h"
#include "proc.h"
#include "sched.h"
#include "signal.h"
#include "syscall.h"
#include "ptrace.h"
#include "trace.h"
#include "uvm_map.h"
#include "uvm_vmspace.h"

/* Linux's struct user_regs_struct (x86-64), GETREGS/SETREGS. */
struct user_regs {
	uint64_t	r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t	rax, rcx, rdx, rsi, rdi, orig_rax, rip, cs, eflags;
	uint64_t	rsp, ss, fs_base, gs_base, ds, es, fs, gs;
};
CTASSERT(sizeof(struct user_regs) == 27 * 8);

/* ---- the reader protocol ---- */

/* Return 0 if curp may read pr for flags, else ESRCH or EPERM. Caller
 * holds a reference on pr and no spinlock. */
static int
process_check(struct proc *curp, struct process *pr, int flags)
{
	uid_t uid = __atomic_load_n(&curp->p_p->ps_uid, __ATOMIC_RELAXED);
	bool ok = true;

	/* a kernel thread has no user memory (and no signal state) */
	if (__atomic_load_n(&pr->ps_flags, __ATOMIC_ACQUIRE) &
	    (PS_EXITING | PS_SYSTEM))
		return ESRCH;
	if ((flags & PMEM_PERM) && uid != 0 &&
	    uid != __atomic_load_n(&pr->ps_uid, __ATOMIC_RELAXED))
		return EPERM;
	if (flags & PMEM_TRACED) {
		spinlock_acquire(&proctree_lock);
		ok = pr->ps_tracer == curp->p_p;
		spinlock_release(&proctree_lock);
		spinlock_acquire(&pr->ps_siglock);
		ok = ok && pr->ps_ptthread != NULL;
		spinlock_release(&pr->ps_siglock);
	}
	return ok ? 0 : ESRCH;
}

/* Begin a read of pid's memory: the pinned vmspace in *rd. */
int
process_read_begin(struct proc *curp, pid_t pid, int flags,
    struct process_reader *rd)
{
	struct process *pr;
	struct vmspace *vm = NULL;
	bool pinned = false;
	int error;

	if ((pr = prfind_ref(pid)) == NULL)
		return ESRCH;
	if ((error = process_check(curp, pr, flags)) == 0) {
		/* exec publishes the vmspace and its argv range together
		 * under ps_lock; exit_reap clears it and drops its pin, so
		 * the struct is only safe inside the SMR section */
		smr_read_enter();
		spinlock_acquire(&pr->ps_lock);
		vm = SMR_PTR_GET(&pr->ps_vmspace);
		rd->rd_argstart = pr->ps_argstart;
		rd->rd_argend = pr->ps_argend;
		spinlock_release(&pr->ps_lock);
#ifdef MUTANT_reader_noref
		/* MUTANT reader-noref: the process reference keeps vm */
		pinned = vm != NULL;
#else
		pinned = vm != NULL && uvmspace_pin(vm);
#endif
		smr_read_leave();
		if (!pinned)
			error = ESRCH;
	}
	rd->rd_pid = pid;
	rd->rd_vm = pinned ? vm : NULL;
	if (pinned)
		trace_event(TR_READER_BEGIN, vm, pid);
	prrele(pr);
	return error;
}

/* End a read: drop the pin (the last one frees the vmspace). */
void
process_read_end(struct process_reader *rd)
{
	KASSERT(rd->rd_vm != NULL);
	trace_event(TR_READER_END, rd->rd_vm, rd->rd_pid);
	/* MUTANT reader-noref: no pin to drop */
#ifndef MUTANT_reader_noref
	uvmspace_free(rd->rd_vm);
#endif
	rd->rd_vm = NULL;
}

/* How many of the n bytes at va (within one page) the current protection
 * of vm allows for prot: n or 0. */
static size_t
process_prot_span(struct vmspace *vm, vaddr_t va, size_t n, vm_prot_t prot)
{
	struct uvm_map_info mi;

	if (!uvm_map_next(&vm->vm_map, va, &mi) || mi.mi_start > va ||
	    (mi.mi_prot & prot) != prot)
		return 0;
	return n;
}

/* Move uio's bytes between its buffers and rd's vmspace from va, a page
 * at a time through bounce; return 0 or an errno, the bytes in *donep. */
int
process_domem_pinned(struct process_reader *rd, int flags, vaddr_t va,
    struct uio *uio, char *bounce, size_t *donep)
{
	bool write = uio->uio_rw == UIO_WRITE;
	size_t done = 0, n, moved, resid;
	int error = 0, error2;

	while (uio->uio_resid > 0) {
		n = MIN(uio->uio_resid, PAGE_SIZE - ((va + done) & PAGE_MASK));
		if (!(flags & PMEM_FORCE) && process_prot_span(rd->rd_vm,
		    va + done, n, write ? PROT_WRITE : PROT_READ) == 0) {
			error = EFAULT;
			break;
		}
		if (write) {
			/* the caller's memory first, without the map lock */
			if ((error = uiomove(bounce, n, uio)) != 0)
				break;
			error = uvm_io(rd->rd_vm, va + done, bounce, n, true,
			    &moved);
		} else {
			error = uvm_io(rd->rd_vm, va + done, bounce, n, false,
			    &moved);
			resid = uio->uio_resid;
			if (moved > 0 && (error2 = uiomove(bounce, moved, uio)) != 0)
				error = error2;
			moved = resid - uio->uio_resid;
		}
		done += moved;
		if (error != 0)
			break;
	}
	*donep = done;
	return error;
}

/* Move uio's bytes between its buffers and rd's pinned vmspace from va. */
int
process_domem_reader(struct process_reader *rd, int flags, vaddr_t va,
    struct uio *uio, size_t *donep)
{
	char *bounce;
	int error;

	KASSERT(rd->rd_vm != NULL);
	*donep = 0;
	if ((bounce = kmalloc(PAGE_SIZE, M_NOWAIT)) == NULL)
		return ENOMEM;
	error = process_domem_pinned(rd, flags, va, uio, bounce, donep);
	kfree(bounce, PAGE_SIZE);
	return error;
}

/* Move uio's bytes between its buffers and pid's memory from va. */
int
process_domem(struct proc *curp, pid_t pid, int flags, vaddr_t va,
    struct uio *uio, size_t *donep)
{
	struct process_reader rd;
	int error;

	*donep = 0;
	if ((error = process_read_begin(curp, pid, flags, &rd)) != 0)
		return error;
	error = process_domem_reader(&rd, flags, va, uio, donep);
	process_read_end(&rd);
	return error;
}

/* ---- the tracee's side ---- */

/* True if p must leave a trace stop: SIGKILL is pending, or another
 * thread is ending the process (kern_single.c). Caller holds ps_siglock. */
static bool
ptrace_must_leave(struct proc *p)
{
	return ((p->p_siglist | p->p_p->ps_siglist) & sigmask(SIGKILL)) != 0 ||
	    single_thread_pending(p);
}

/* Forget pr's unreported trace stop, unless a thread is in one (it may
 * be another thread's, just reported). Caller holds no lock. */
static void
ptrace_stop_unreport(struct process *pr)
{
	spinlock_acquire(&proctree_lock);
	if (__atomic_load_n(&pr->ps_ptthread, __ATOMIC_RELAXED) == NULL)
		__atomic_and_fetch(&pr->ps_flags, ~PS_TRACESTOP,
		    __ATOMIC_RELAXED);
	spinlock_release(&proctree_lock);
}

/* Stop for the tracer with sig; return the signal to take instead. */
int
ptrace_stop(struct proc *p, int sig)
{
	struct process *pr = p->p_p, *tracer;
	bool told;

	KASSERT(p == curproc && sig >= 1 && sig <= NSIG && sig != SIGKILL);
	spinlock_acquire(&pr->ps_siglock);
	/* one thread of the process at a time is in the trace stop */
	while (pr->ps_ptthread != NULL && !ptrace_must_leave(p))
		msleep(&pr->ps_sigstop, &pr->ps_siglock, "ptrace", 0);
	if (ptrace_must_leave(p)) {
		spinlock_release(&pr->ps_siglock);
		return 0;
	}
	__atomic_store_n(&pr->ps_ptthread, p, __ATOMIC_RELAXED);
	p->p_ptsig = sig;	/* kept if the tracer goes without resuming */
	spinlock_release(&pr->ps_siglock);

	/* tell the tracer, unless it resumed or dropped us already (the
	 * resumer clears ps_ptthread before PS_TRACESTOP) */
	spinlock_acquire(&proctree_lock);
	if ((tracer = pr->ps_tracer) != NULL &&
	    __atomic_load_n(&pr->ps_ptthread, __ATOMIC_RELAXED) == p) {
		pr->ps_xstat = sig;
		__atomic_or_fetch(&pr->ps_flags, PS_TRACESTOP, __ATOMIC_RELAXED);
		__atomic_add_fetch(&tracer->ps_refcnt, 1, __ATOMIC_ACQ_REL);
		wakeup(tracer);
	} else
		tracer = NULL;
	spinlock_release(&proctree_lock);
	if ((told = tracer != NULL)) {
		psignal(tracer, SIGCHLD);
		prrele(tracer);
	}

	/* a tracer that was told ends the stop (PTRACE_CONT, PTRACE_DETACH,
	 * its exit: ptrace_resume) */
	spinlock_acquire(&pr->ps_siglock);
	while (told && pr->ps_ptthread == p && !ptrace_must_leave(p))
		msleep(&pr->ps_sigstop, &pr->ps_siglock, "ptrace", 0);
	if (pr->ps_ptthread == p) {
		/* not resumed: no tracer (take sig), or SIGKILL or the end
		 * (take none); the next waiting thread may stop */
		if (ptrace_must_leave(p))
			p->p_ptsig = 0;
		__atomic_store_n(&pr->ps_ptthread, NULL, __ATOMIC_RELAXED);
		wakeup(&pr->ps_sigstop);
	}
	sig = p->p_ptsig;
	p->p_ptsig = 0;
	spinlock_release(&pr->ps_siglock);
	ptrace_stop_unreport(pr);
	return sig;
}

/* ---- the tracer's side ---- */

/* Resume pr from its trace stop with sig (0: none); 0, or ESRCH if it
 * is not in one. Caller holds no lock. */
static int
ptrace_resume(struct process *pr, int sig)
{
	struct proc *t;

	spinlock_acquire(&pr->ps_siglock);
	if ((t = pr->ps_ptthread) != NULL) {
		t->p_ptsig = sig;	/* t, in its stop, reads it locked */
		__atomic_store_n(&pr->ps_ptthread, NULL, __ATOMIC_RELAXED);
		wakeup(&pr->ps_sigstop);
	}
	spinlock_release(&pr->ps_siglock);
	ptrace_stop_unreport(pr);
	return t != NULL ? 0 : ESRCH;
}

/* Put c on tracer's list. Caller holds proctree_lock. */
static void
ptrace_link(struct process *tracer, struct process *c)
{
	SPINLOCK_ASSERT_HELD(&proctree_lock);
	KASSERT(c->ps_tracer == NULL);
	c->ps_tracer = tracer;
	c->ps_tracenext = tracer->ps_tracees;
	tracer->ps_tracees = c;
	__atomic_or_fetch(&c->ps_flags, PS_TRACED, __ATOMIC_RELEASE);
}

/* Take c off its tracer's list. Caller holds proctree_lock. */
static void
ptrace_unlink(struct process *c)
{
	struct process **pp;

	SPINLOCK_ASSERT_HELD(&proctree_lock);
	KASSERT(c->ps_tracer != NULL);
	for (pp = &c->ps_tracer->ps_tracees; *pp != c; pp = &(*pp)->ps_tracenext)
		KASSERT(*pp != NULL);
	*pp = c->ps_tracenext;
	c->ps_tracenext = NULL;
	c->ps_tracer = NULL;
	__atomic_and_fetch(&c->ps_flags, ~(PS_TRACED | PS_TRACESTOP),
	    __ATOMIC_RELEASE);
}

/* Wake zombie c's parent and send it SIGCHLD. Caller holds
 * proctree_lock, which is released. */
static void
ptrace_notify_parent(struct process *c)
{
	struct process *parent = c->ps_pptr;

	if (parent != NULL) {
		__atomic_add_fetch(&parent->ps_refcnt, 1, __ATOMIC_ACQ_REL);
		wakeup(parent);
	}
	spinlock_release(&proctree_lock);
	if (parent != NULL) {
		psignal(parent, SIGCHLD);
		prrele(parent);
	}
}

/* wait4 by pr for pid (> 0) or any: report a tracee's trace stop or
 * exit, once. A zombie tracee of another parent goes to that parent, which
 * collects it; pr's own child is collected here. */
bool
ptrace_wait(struct process *pr, pid_t pid, bool *foundp, pid_t *pidp,
    int *statusp)
{
	struct process *c;

	SPINLOCK_ASSERT_HELD(&proctree_lock);
	for (c = pr->ps_tracees; c != NULL; c = c->ps_tracenext) {
		if (pid > 0 && c->ps_pid != pid)
			continue;
		*foundp = true;
		*pidp = c->ps_pid;
		if (c->ps_flags & PS_ZOMBIE) {
			*statusp = c->ps_xstat;
			ptrace_unlink(c);
			if (c->ps_pptr == pr)
				proc_collect(c);
			else
				ptrace_notify_parent(c);
			return true;
		}
		if (c->ps_flags & PS_TRACESTOP) {
			__atomic_and_fetch(&c->ps_flags, ~PS_TRACESTOP,
			    __ATOMIC_RELAXED);
			*statusp = W_STOPCODE(c->ps_xstat);
			spinlock_release(&proctree_lock);
			return true;
		}
	}
	return false;
}

/* Detach every tracee of the exiting pr. */
void
ptrace_exit(struct process *pr)
{
	struct process *c;
	int sig;

	for (;;) {
		spinlock_acquire(&proctree_lock);
		if ((c = pr->ps_tracees) == NULL) {
			spinlock_release(&proctree_lock);
			return;
		}
		/* as Linux: a stop the tracer never saw keeps its signal */
		sig = (c->ps_flags & PS_TRACESTOP) ? c->ps_xstat : 0;
		ptrace_unlink(c);
		if ((c->ps_flags & PS_ZOMBIE) && c->ps_pptr != pr) {
			ptrace_notify_parent(c);
			continue;
		}
		__atomic_add_fetch(&c->ps_refcnt, 1, __ATOMIC_ACQ_REL);
		spinlock_release(&proctree_lock);
		(void)ptrace_resume(c, sig);
		prrele(c);
	}
}

/* TRACEME: the caller's parent becomes its tracer; 0 or EPERM. */
static int
ptrace_traceme(struct proc *p)
{
	struct process *pr = p->p_p;
	int error = 0;

	spinlock_acquire(&proctree_lock);
	if (pr->ps_tracer != NULL || pr->ps_pptr == NULL)
		error = EPERM;
	else
		ptrace_link(pr->ps_pptr, pr);
	spinlock_release(&proctree_lock);
	return error;
}

/* ATTACH pid: trace it and send it SIGSTOP; 0, ESRCH or EPERM. */
static int
ptrace_attach(struct proc *p, pid_t pid)
{
	struct process *pr;
	uid_t uid = __atomic_load_n(&p->p_p->ps_uid, __ATOMIC_RELAXED);
	int error = 0;

	if ((pr = prfind_ref(pid)) == NULL)
		return ESRCH;
	if (pr == p->p_p || pr == initprocess ||
	    (pr->ps_flags & PS_SYSTEM) || (uid != 0 &&
	    uid != __atomic_load_n(&pr->ps_uid, __ATOMIC_RELAXED)))
		error = EPERM;
	else if (__atomic_load_n(&pr->ps_flags, __ATOMIC_ACQUIRE) & PS_EXITING)
		error = ESRCH;
	if (error == 0) {
		spinlock_acquire(&proctree_lock);
		if (pr->ps_tracer != NULL)
			error = EPERM;
		else
			ptrace_link(p->p_p, pr);
		spinlock_release(&proctree_lock);
	}
	if (error == 0) {
		psignal(pr, SIGSTOP);
		/* out of a job-control stop: a tracee stops for its tracer */
		spinlock_acquire(&pr->ps_siglock);
		wakeup(&pr->ps_sigstop);
		spinlock_release(&pr->ps_siglock);
	}
	prrele(pr);
	return error;
}

/* PEEKDATA/PEEKTEXT: the word at addr to *data; POKEDATA/POKETEXT: data
 * to addr. 0, ESRCH, EIO (not all of the word) or EFAULT (data). */
static int
ptrace_peekpoke(struct proc *p, pid_t pid, vaddr_t addr, uint64_t data,
    bool poke)
{
	uint64_t word = data;
	struct iovec iov;
	struct uio uio;
	size_t done;
	int error;

	uio_init_kernel(&uio, &iov, &word, sizeof(word), 0,
	    poke ? UIO_WRITE : UIO_READ);
	error = process_domem(p, pid, PMEM_TRACED | PMEM_FORCE, addr, &uio,
	    &done);
	if (error == ESRCH || error == ENOMEM)
		return error;
	if (done != sizeof(word))
		return EIO;
	return poke ? 0 : copyout(&word, (void *)data, sizeof(word));
}

/* Copy the stopped tracee pr's registers to or from *ur; 0 or ESRCH. */
static int
ptrace_regs(struct process *pr, struct user_regs *ur, bool set)
{
	struct trapframe *tf;
	struct proc *t;

	spinlock_acquire(&pr->ps_siglock);
	if ((t = pr->ps_ptthread) == NULL) {
		spinlock_release(&pr->ps_siglock);
		return ESRCH;
	}
	tf = t->p_md.md_regs;
	if (set) {
		tf->tf_r15 = ur->r15; tf->tf_r14 = ur->r14;
		tf->tf_r13 = ur->r13; tf->tf_r12 = ur->r12;
		tf->tf_rbp = ur->rbp; tf->tf_rbx = ur->rbx;
		tf->tf_r11 = ur->r11; tf->tf_r10 = ur->r10;
		tf->tf_r9 = ur->r9; tf->tf_r8 = ur->r8;
		tf->tf_rax = ur->rax; tf->tf_rcx = ur->rcx;
		tf->tf_rdx = ur->rdx; tf->tf_rsi = ur->rsi;
		tf->tf_rdi = ur->rdi; tf->tf_rip = ur->rip;
		tf->tf_rsp = ur->rsp;
		tf->tf_rflags = (tf->tf_rflags & ~PSL_USERCHANGE) |
		    (ur->eflags & PSL_USERCHANGE) | PSL_I;
		tf->tf_cs = GSEL_UCODE | SEL_UPL;
		tf->tf_ss = GSEL_UDATA | SEL_UPL;
		t->p_md.md_fsbase = ur->fs_base;
	} else {
		*ur = (struct user_regs){
			.r15 = tf->tf_r15, .r14 = tf->tf_r14,
			.r13 = tf->tf_r13, .r12 = tf->tf_r12,
			.rbp = tf->tf_rbp, .rbx = tf->tf_rbx,
			.r11 = tf->tf_r11, .r10 = tf->tf_r10,
			.r9 = tf->tf_r9, .r8 = tf->tf_r8,
			.rax = tf->tf_rax, .rcx = tf->tf_rcx,
			.rdx = tf->tf_rdx, .rsi = tf->tf_rsi,
			.rdi = tf->tf_rdi, .orig_rax = (uint64_t)-1,
			.rip = tf->tf_rip, .cs = tf->tf_cs,
			.eflags = tf->tf_rflags, .rsp = tf->tf_rsp,
			.ss = tf->tf_ss, .fs_base = t->p_md.md_fsbase,
		};
	}
	spinlock_release(&pr->ps_siglock);
	return 0;
}

/* True if sel may be loaded by a tracer: Linux's rule, a null selector
 * or one of privilege level 3 (cs and ss may not be null). */
static bool
ptrace_selector_ok(uint64_t sel, bool nonnull)
{
	if (sel > 0xffff)
		return false;
	return sel == 0 ? !nonnull : (sel & 3) == SEL_UPL;
}

/* SETREGS: check what the tracer gives, as rt_sigreturn would; 0 or EIO.
 * A %rip or %rsp outside the user half is refused (Linux takes it and
 * faults on the way out; here the return to user mode must not fault in
 * the kernel). No user GS base is kept: gs_base is checked, not used. */
static int
ptrace_regs_check(const struct user_regs *ur)
{
	if (!ptrace_selector_ok(ur->cs, true) || !ptrace_selector_ok(ur->ss, true) ||
	    !ptrace_selector_ok(ur->ds, false) || !ptrace_selector_ok(ur->es, false) ||
	    !ptrace_selector_ok(ur->fs, false) || !ptrace_selector_ok(ur->gs, false))
		return EIO;
	if (ur->fs_base >= USER_MAX || ur->gs_base >= USER_MAX ||
	    ur->rip >= USER_MAX || ur->rsp >= USER_MAX)
		return EIO;
	return 0;
}

/* A request on a tracee the caller traces: look it up, check, act. */
static int
ptrace_tracee(struct proc *p, long req, pid_t pid, uint64_t addr,
    uint64_t data)
{
	struct process *pr;
	struct user_regs ur;
	int error;

	if ((pr = prfind_ref(pid)) == NULL)
		return ESRCH;
	/* KILL needs no stop; the rest do (Linux's ptrace_check_attach) */
	if ((error = process_check(p, pr, req == PTRACE_KILL ? 0 :
	    PMEM_TRACED)) == 0 && req == PTRACE_KILL) {
		spinlock_acquire(&proctree_lock);
		error = pr->ps_tracer == p->p_p ? 0 : ESRCH;
		spinlock_release(&proctree_lock);
	}
	if (error != 0)
		goto out;
	switch (req) {
	case PTRACE_GETREGS:
		if ((error = ptrace_regs(pr, &ur, false)) == 0)
			error = copyout(&ur, (void *)data, sizeof(ur));
		break;
	case PTRACE_SETREGS:
		if ((error = copyin((void *)data, &ur, sizeof(ur))) == 0 &&
		    (error = ptrace_regs_check(&ur)) == 0)
			error = ptrace_regs(pr, &ur, true);
		break;
	case PTRACE_CONT:
	case PTRACE_DETACH:
		if (data > NSIG) {
			error = EIO;
			break;
		}
		if (req == PTRACE_DETACH) {
			spinlock_acquire(&proctree_lock);
			if (pr->ps_tracer == p->p_p)
				ptrace_unlink(pr);
			spinlock_release(&proctree_lock);
		}
		error = ptrace_resume(pr, (int)data);
		if (req == PTRACE_DETACH)
			error = 0;	/* detached even if it just left */
		break;
	case PTRACE_KILL:
		psignal(pr, SIGKILL);
		break;
	default:
		error = EIO;
		break;
	}
out:
	prrele(pr);
	return error;
}

/* ptrace(request, pid, addr, data): Linux's raw system call (PEEK stores
 * the word at data and returns 0). */
long
sys_ptrace(struct proc *p, const uint64_t *args)
{
	long req = (long)args[0];
	pid_t pid = (pid_t)args[1];

	switch (req) {
	case PTRACE_TRACEME:
		return -ptrace_traceme(p);
	case PTRACE_ATTACH:
		return -ptrace_attach(p, pid);
	case PTRACE_PEEKTEXT:
	case PTRACE_PEEKDATA:
	case PTRACE_POKETEXT:
	case PTRACE_POKEDATA:
		return -ptrace_peekpoke(p, pid, args[2], args[3],
		    req == PTRACE_POKETEXT || req == PTRACE_POKEDATA);
	default:
		return -ptrace_tracee(p, req, pid, args[2], args[3]);
	}
}
