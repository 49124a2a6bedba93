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
#define P_PCB_ONFAULT	16	/* arch/x86_64/copyio.S */

#ifndef __ASSEMBLY__

#include "types.h"
#include "lock.h"
#include "witness.h"
#include "cpu.h"
#include "smr.h"
#include "signal.h"
#include "resource.h"

#define PROC_NAMELEN	24

/* p_stat values (OpenBSD's, without SZOMB: zombies are a process state) */
#define SIDL		1	/* being created */
#define SRUN		2	/* runnable: on a run queue, or being moved to one */
#define SSLEEP		3	/* sleeping on p_wchan */
#define SDEAD		6	/* exited; waiting for the reaper */
#define SONPROC		7	/* running on p_cpu */

/* p_flag bits */
#define P_SYSTEM	0x0001	/* kernel thread: never has a user vmspace */
#define P_CPUPEG	0x0002	/* pegged to p_cpu: never migrated or stolen */
#define P_WEXIT		0x0004	/* in exit1: its user pmap is unloaded */
/* threads (kern/kern_exit.c, kern/kern_single.c) */
#define P_THREXIT	0x1000	/* left a process that lives on: exit_reap
				 * frees just the thread */
#define P_THRDYING	0x2000	/* in exit1, about to tell its joiner: tkill
				 * no longer reaches it [self; read under
				 * ps_lock] */

/* ps_flags bits */
#define PS_EXITING	0x0001	/* exit has begun; no new references */
#define PS_ZOMBIE	0x0002	/* reaped by the reaper; wait4 may collect it
				 * [proctree_lock] */
#define PS_PPWAIT	0x0004	/* a vfork child: its parent sleeps until it
				 * execs or exits [proctree_lock] */
#define PS_STOPNOTE	0x0008	/* stopped; wait4(WUNTRACED) not told yet
				 * [proctree_lock] */
#define PS_CONTNOTE	0x0010	/* continued; wait4(WCONTINUED) not told yet
				 * [proctree_lock] */
#define PS_SYSTEM	0x0020	/* a kernel thread's: findable by pid for ps
				 * and /proc, never traced, read or signalled
				 * [const once hashed] */
/* limits (kern/kern_resource.c) */
#define PS_NPROC	0x0040	/* counted in its uid's tasks until wait4
				 * collects it [set before it is findable;
				 * cleared by the collector] */
/* threads (kern/kern_single.c) */
#define PS_SINGLEEXIT	0x1000	/* ps_single makes every other thread exit
				 * [set and cleared under ps_lock; read
				 * without it as a hint] */
/* ptrace (kern/sys_process.c) */
#define PS_TRACED	0x10000	/* ps_tracer is set [proctree_lock; read
				 * without it as a hint] */
#define PS_TRACESTOP	0x20000	/* in a trace stop the tracer's wait4 has
				 * not reported yet [proctree_lock] */

struct process;
struct vmspace;
struct filedesc;
struct trapframe;
struct pmap;

/* Machine-dependent context, saved by cpu_switchto (arch/x86_64/swtch.S). */
struct pcb {
	uint64_t	pcb_rsp;	/* stack pointer while switched out [rq] */
	uint64_t	pcb_rsp0;	/* kernel stack top for the TSS; 0 for
					 * idle threads, which never enter user
					 * mode [const] */
	uint64_t	pcb_onfault;	/* where a fault in copyin/copyout
					 * resumes, or 0 [self] */
};

/* Machine-dependent per-thread state of user threads (arch/x86_64). */
struct mdproc {
	struct trapframe *md_regs;	/* the user registers, at the top of
					 * the kernel stack [const] */
	struct pmap	*md_pmap;	/* user pmap cpu_switchto loads for it;
					 * NULL: the kernel's [self, interrupts
					 * off] */
	uint64_t	md_fsbase;	/* user FS base [self] */
	uint8_t		md_fpu[512] __aligned(16); /* FXSAVE image of the user
					 * FPU/SSE state while switched out
					 * [self] */
};

struct proc {
	struct pcb	p_pcb;		/* must stay first (P_PCB_* above) */

	/* identity */
	struct process	*p_p;		/* the process it belongs to [const] */
	struct proc	*p_thrnext;	/* next thread of p_p [ps_lock] */
	pid_t		p_tid;		/* thread id [const; but exec by a
					 * non-main thread makes it the pid:
					 * ps_lock and tidhash_lock] */
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

	/* user threads (kern/kern_fork.c, kern_exec.c, arch/x86_64) */
	struct mdproc	p_md;		/* registers, FPU, FS base */
	vaddr_t		p_tidaddr;	/* clear_child_tid: set_tid_address,
					 * or clone's CLONE_CHILD_CLEARTID;
					 * zeroed and futex-woken at thread
					 * exit [self; its creator before it
					 * runs] */
	struct proc	*p_tidhashnext;	/* tid hash chain, for threads whose
					 * tid is not the pid (kern_proc.c)
					 * [tidhash_lock] */

	/* signals (kern/kern_sig.c) */
	sigset_t	p_sigmask;	/* blocked signals [ps_siglock; written
					 * only by the thread itself, which
					 * reads it without the lock] */
	sigset_t	p_siglist;	/* pending for this thread [ps_siglock;
					 * read without it as a hint] */
	bool		p_sigsleep;	/* in msleep_sig: a signal ends the
					 * sleep (kern/kern_synch.c) [slpq] */

	/* ptrace (kern/sys_process.c) */
	int		p_ptsig;	/* in its process's trace stop: the
					 * signal it takes on leaving, its own
					 * or its tracer's choice [ps_siglock] */
};

struct process {
	pid_t		ps_pid;		/* process id [const] */
	int		ps_flags;	/* PS_* [atomic] */
	struct spinlock	ps_lock;	/* guards the thread list */
	struct proc	*ps_threads;	/* its threads via p_thrnext [ps_lock] */
	int		ps_nthreads;	/* [ps_lock] */
	struct vmspace	*ps_vmspace;	/* its address space; NULL for kernel
					 * threads, which run on the kernel's.
					 * Replaced by exec [self; readers
					 * load it under SMR and pin it] */
	char		ps_comm[PROC_NAMELEN]; /* set at exec [ps_lock] */

	/* processes (kern/kern_proc.c, kern_fork.c, kern_exec.c, kern_exit.c)
	 * [proctree_lock]: the process tree, zombie and notification flags */
	uint32_t	ps_refcnt;	/* the tree's reference until wait4
					 * collects it, plus prfind_ref holders
					 * [atomic] */
	struct process	*ps_hashnext;	/* pid hash chain [pidhash_lock;
					 * read under SMR] */
	struct process	*ps_pptr;	/* parent; NULL for init and kernel
					 * threads [proctree_lock] */
	struct process	*ps_children;	/* first child [proctree_lock] */
	struct process	*ps_sibling;	/* next child of ps_pptr [proctree_lock] */
	int		ps_xstat;	/* exit status in wait4 format, or the
					 * stop signal [proctree_lock] */
	struct filedesc	*ps_fd;		/* descriptors; NULL once exit1 closed
					 * them [self] */
	uid_t		ps_uid;		/* [atomic] */
	vaddr_t		ps_brkbase;	/* end of the data segment [self] */
	vaddr_t		ps_brk;		/* the break [self] */
	vaddr_t		ps_argstart;	/* argv's strings in ps_vmspace, for
					 * /proc/<pid>/cmdline: [argstart,
					 * argend), set by exec with the
					 * vmspace [ps_lock] */
	vaddr_t		ps_argend;	/* [ps_lock] */
	struct smr_entry ps_smr;	/* the deferred free [smr] */

	/* signals (kern/kern_sig.c) */
	struct spinlock	ps_siglock;	/* guards the fields below and its
					 * threads' p_sigmask and p_siglist;
					 * taken after ps_lock */
	struct sigacts	*ps_sigacts;	/* actions; NULL for kernel threads and
					 * after sigactsfree [ps_siglock; set
					 * before the process is findable] */
	sigset_t	ps_siglist;	/* pending for the process [ps_siglock;
					 * read without it as a hint] */
	int		ps_sigstop;	/* the signal that stopped it, or 0
					 * [ps_siglock; read without it as a
					 * hint] */
	struct ksiginfo	ps_siginfo[NSIG]; /* sender of each pending signal,
					 * thread- or process-directed
					 * [ps_siglock] */

	/* ---- threads (kern/kern_single.c) ---- */
	struct proc	*ps_single;	/* the thread single-threading it
					 * (PS_SINGLEEXIT), or NULL [ps_lock] */
	int		ps_singlecount;	/* other threads that have not left for
					 * good yet while ps_single waits
					 * [ps_lock] */
	/* ---- end threads ---- */

	/* ---- limits (kern/kern_resource.c), failure injection
	 * (kern/kern_failinject.c) ---- */
	struct rlimit	ps_rlimit[RLIM_NLIMITS]; /* soft and hard limits
					 * [ps_lock; one value may be read
					 * atomically without it] */
	uint32_t	ps_nthrcount;	/* threads counted in its uid's tasks
					 * besides the process itself (see
					 * PS_NPROC) [uidinfo_lock] */
	uint64_t	ps_failnth;	/* matching allocations left until the
					 * injected failure, 0: none armed
					 * [atomic] */
	uint32_t	ps_failwhat;	/* FAILINJECT_* it counts [atomic; set
					 * while ps_failnth is 0] */
	uint32_t	ps_failfired;	/* injected failures since it was
					 * armed [atomic] */
	/* ---- end limits ---- */

	/* ---- ptrace (kern/sys_process.c) ---- */
	struct process	*ps_tracer;	/* who traces it, or NULL; PS_TRACED
					 * says the same [proctree_lock] */
	struct process	*ps_tracees;	/* first process it traces
					 * [proctree_lock] */
	struct process	*ps_tracenext;	/* next tracee of ps_tracer
					 * [proctree_lock] */
	struct proc	*ps_ptthread;	/* its thread in a trace stop, or NULL
					 * [ps_siglock; read without it as a
					 * hint] */
	/* ---- end ptrace ---- */
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
/* End the calling kernel thread through exit1 (no purge: it runs on the
 * kernel's address space); the reaper frees its stack and structs. */
void	kthread_exit(void) __noreturn;
/* Create the reaper thread; once at boot, after sched_init. */
void	kthread_init(void);
/* Sleep until at most n kernel threads are alive (created, not yet freed). */
void	kthread_wait_live(uint64_t n);
/* Sleep until the reaper has freed every thread on the dead list. */
void	kthread_wait_reaped(void);
/* A kernel stack for a new thread, waiting for the reaper to free the
 * stacks of dead threads when none is left; 0 if none can be had. */
vaddr_t	kstack_alloc(void);

/* Live kernel-thread counters [atomic]: created - freed == live; dead:
 * threads of any kind exit2 put on the dead list that the reaper has not
 * finished with (its backlog). */
struct kthread_stats {
	uint64_t	created;
	uint64_t	freed;
	uint64_t	live;
	uint64_t	dead;
};
extern struct kthread_stats kthread_stats;

/* Processes (kern/kern_proc.c). */

#define PID_MAX		32767	/* pids are 1..PID_MAX */
#define W_EXITCODE(ret, sig)	((ret) << 8 | (sig))
#define W_STOPCODE(sig)		((sig) << 8 | 0x7f)
#define W_CONTINUED		0xffff

/* Guards the process tree: ps_pptr, ps_children, ps_sibling, ps_xstat
 * and the PS_ZOMBIE/PPWAIT/STOPNOTE/CONTNOTE flags. A spinlock: wait4
 * and vfork sleep with it as their msleep interlock. */
extern struct spinlock proctree_lock;
/* The first user process (pid 1), orphans' new parent; NULL before it
 * is made and from its exit1 on. [set at exec of init; cleared under
 * proctree_lock] */
extern struct process *initprocess;

/* Set up the proc and process pools and the pid table; once at boot. */
void	procinit(void);
/* Return a zeroed process with a new pid and one reference (the tree's),
 * not yet findable; pid 1 is handed out only when want_init. NULL on
 * ENOMEM or when every pid is taken. */
struct process *process_alloc(bool want_init);
/* Free a process that never became findable (fork's error path), now. */
void	process_free(struct process *pr);
/* Return a zeroed thread, or NULL. */
struct proc *proc_alloc(void);
/* Free a thread that runs nowhere any more. */
void	proc_free(struct proc *p);
/* Make pr findable by its pid (prfind_ref, /proc). */
void	process_hash(struct process *pr);
/* Return pr with a new reference if pid is a live, findable process
 * (increment-if-not-zero inside an SMR read section), else NULL. */
struct process *prfind_ref(pid_t pid);
/* Drop a reference; the last frees pr after an SMR grace period. Caller
 * holds no spinlock. */
void	prrele(struct process *pr);
/* Link child under parent. Caller holds proctree_lock. */
void	proc_tree_link(struct process *parent, struct process *child);
/* Unlink zombie pr from its parent and the hash and drop the tree's
 * reference (wait4). Caller holds proctree_lock; it is released. */
void	proc_collect(struct process *pr);
/* Unhash pr, which no parent collects (a kernel thread's), and drop the
 * tree's reference. */
void	process_unhash_release(struct process *pr);
/* Return 0 and the smallest findable pid >= pid in *nextp, or ENOENT
 * (the /proc pid provider). */
int	process_next_pid(pid_t pid, pid_t *nextp);
/* Register /proc/<pid>/{status,cmdline,maps,mem} and the pid provider
 * (kern/procfs_pid.c); once, before the first user process. */
void	proc_procfs_init(void);
/* Set by reboot(2) when init asks to power off (kern/sys_info.c): the
 * kernel does so once init is gone. [atomic] */
extern bool init_poweroff;
/* Processes allocated and not yet freed, kernel threads' included
 * [atomic]. */
extern uint64_t process_live;

/* Threads (kern/kern_single.c; tids in kern/kern_proc.c; the futex word
 * of a leaving thread in kern/sys_futex.c). */

/* exit1 flags (OpenBSD's) */
#define EXIT_NORMAL	0	/* the whole process: exit_group, a fatal
				 * signal */
#define EXIT_THREAD	1	/* the calling thread alone (SYS_exit), the
				 * whole process if it is the last */
/* single_thread_set modes */
#define SINGLE_EXIT	1	/* every other thread exits */

/* Make p the only thread of its process (mode SINGLE_EXIT): every other
 * thread is made to leave user mode and exit, and this returns once all
 * have. Return 0, or EBUSY if another thread already single-threads the
 * process (p must then exit: userret does it). Caller holds no lock. */
int	single_thread_set(struct proc *p, int mode);
/* End p's single-threading (exec, done); p must hold it and be alone. */
void	single_thread_clear(struct proc *p);
/* True if another thread single-threads p's process: p must exit (an
 * interruptible sleep ends, userret calls single_thread_check). */
bool	single_thread_pending(struct proc *p);
/* userret: if single_thread_pending, exit p (EXIT_THREAD); else return. */
void	single_thread_check(struct proc *p);
/* p leaves its process's thread list for good and, if single-threading
 * waits for it, is counted out. Caller holds ps_lock; p is not the
 * process's last thread. */
void	single_thread_leave(struct proc *p);

/* Take a thread id from the pid space; return it, or 0 if none is free. */
pid_t	tid_alloc(void);
/* Give back a tid from tid_alloc that was never hashed (clone failed). */
void	tid_free(pid_t tid);
/* Make thread p (tid != pid) findable by tid_find_ref. */
void	proc_tid_hash(struct proc *p);
/* p leaves: unhash its tid and give it back, unless it is its process's
 * pid (the main thread). Caller is p's last use of p->p_p. */
void	proc_tid_release(struct proc *p);
/* exec by p, its process's only thread now (single-threaded by p): p
 * takes the pid as its tid, its own tid is unhashed and freed. */
void	proc_tid_exec(struct proc *p);
/* Return, with a reference (prrele), the process that has or had a
 * thread tid (a hashed thread, or the main thread: tid == pid), or NULL.
 * The caller finds the thread under ps_lock. */
struct process *tid_find_ref(pid_t tid);

/* Thread exit: if p has a clear_child_tid pointer, write 0 there and wake
 * one futex waiter on it (errors ignored, as Linux). Caller is p. */
void	futex_clear_child_tid(struct proc *p);

/* Exit and wait (kern/kern_exit.c). */

/* End the calling thread's process with status xstatus (wait4 format:
 * W_EXITCODE(code, 0), or a signal number). flags: EXIT_NORMAL, or
 * EXIT_THREAD to end only p while other threads remain. Kernel threads
 * (P_SYSTEM) come here too, through kthread_exit, and never purge. */
void	exit1(struct proc *p, int xstatus, int flags) __noreturn;
/* The reaper's part for a user thread p that exit1 sent to the dead
 * list: free its stack and thread, drop its address space, make its
 * process a zombie and wake the parent. */
void	exit_reap(struct proc *p);
/* Signals (kern_sig.c) tell the parent's wait4 that pr stopped with sig,
 * or continued. */
void	proc_stop_notify(struct process *pr, int sig);
void	proc_continue_notify(struct process *pr);
/* Sleep until pr (with a reference held by the caller, no parent) is a
 * zombie, then collect it and return its exit status: how the kernel
 * collects init. */
int	proc_collect_orphan(struct process *pr);
/* Drop the calling process's user of vm (exit, exec); the last user
 * purges it when purge=exit, releasing kernel_lock meanwhile. The pin
 * stays. */
void	proc_vmspace_drop_user(struct vmspace *vm);

/* Fork and exec (kern/kern_fork.c, kern/kern_exec.c). */

/* Wake the parent of a vfork child pr (it exec'd or exits). */
void	vfork_release(struct process *pr);
/* Make pid 1 from the kernel: it execs path with argv {path} and envp
 * (NULL-terminated kernel strings), fds 0-2 on /dev/console. Return it
 * with a reference for the caller (proc_collect_orphan), or NULL. */
struct process *proc_start_init(const char *path, const char *const *envp);

/* Kernel-thread helper for exit1: put curproc on the dead list and
 * switch away for the last time. */
void	exit2(struct proc *p) __noreturn;

/* Machine-dependent thread setup (arch/x86_64/vm_machdep.c, swtch.S). */

/* Build p's first context on its kernel stack so that the first
 * cpu_switchto to p enters proc_trampoline, which calls func(arg). */
void	cpu_thread_setup(struct proc *p, void (*func)(void *), void *arg);
/* Save old's callee-saved registers and stack pointer, load new's, point
 * the TSS at new's stack; return, on new, the thread switched away from.
 * Interrupts are off and this CPU's run-queue lock is held. */
struct proc *cpu_switchto(struct proc *old, struct proc *new);
/* Called by cpu_switchto with interrupts off: save old's user FPU
 * state, load new's, its user pmap (or the kernel's) and FS base. */
void	cpu_switch_md(struct proc *old, struct proc *new);
/* Give child p a copy of the user registers and FPU state of the
 * calling thread, so that it first runs in user mode returning 0 from the
 * system call; stack, if nonzero, becomes its user stack pointer. */
void	cpu_fork(struct proc *child, vaddr_t stack);
/* Give child, a new thread made by cpu_fork, tls as its FS base. */
void	cpu_fork_tls(struct proc *child, vaddr_t tls);
/* Set up p's first context to enter user mode at entry with stack sp,
 * every other register zero, a clean FPU and FS base 0 (exec). */
void	setregs(struct proc *p, vaddr_t entry, vaddr_t sp);
/* Make a new user thread's kernel stack: the trapframe (md_regs) at its
 * top and a first context that calls func(arg), which must end in
 * cpu_user_return. */
void	cpu_user_thread_setup(struct proc *p, void (*func)(void *), void *arg);
/* Leave for user mode through curproc p's md_regs after the
 * return-to-user work. */
void	cpu_user_return(struct proc *p) __noreturn;

#endif /* !__ASSEMBLY__ */
#endif
