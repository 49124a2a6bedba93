/*
 * ptrace and the readers of another process's memory (kern/sys_process.c).
 *
 * The reader protocol (DESIGN.md section 4) is process_read_begin /
 * process_read_end: every reader (ptrace PEEK/POKE, process_vm_readv and
 * writev, /proc/<pid>/{cmdline,maps,mem}) holds a pin on the target's
 * vmspace between the two and nothing else; process_domem is the copy
 * between them. The tracing state lives in struct process (proc.h, the
 * ptrace block); the tracee's stop is ptrace_stop, called by userret.
 */
#ifndef _PTRACE_H_
#define _PTRACE_H_

#include "types.h"

struct proc;
struct process;
struct vmspace;
struct uio;

/* Linux's ptrace requests (the ones exeunt has) */
#define PTRACE_TRACEME		0
#define PTRACE_PEEKTEXT		1
#define PTRACE_PEEKDATA		2
#define PTRACE_POKETEXT		4
#define PTRACE_POKEDATA		5
#define PTRACE_CONT		7
#define PTRACE_KILL		8
#define PTRACE_GETREGS		12
#define PTRACE_SETREGS		13
#define PTRACE_ATTACH		16
#define PTRACE_DETACH		17

/* process_read_begin / process_domem flags */
#define PMEM_PERM	0x01	/* caller has the target's uid or is root,
				 * else EPERM (process_vm, /proc/<pid>/mem) */
#define PMEM_TRACED	0x02	/* caller traces the target and it is in a
				 * trace stop, else ESRCH (ptrace) */
#define PMEM_FORCE	0x04	/* ignore the current protection, as a
				 * debugger does (ptrace, /proc/<pid>/mem);
				 * else a page must allow the access (EFAULT) */

/* A read in progress: the pinned vmspace and, taken with it (exec
 * publishes both under ps_lock), where its argv strings are. */
struct process_reader {
	pid_t		rd_pid;		/* the target */
	struct vmspace	*rd_vm;		/* pinned; NULL once ended */
	vaddr_t		rd_argstart;	/* argv strings in rd_vm, for */
	vaddr_t		rd_argend;	/* /proc/<pid>/cmdline */
};

/* Begin a read of pid's memory for curp: look it up (SMR, a reference),
 * check flags, refuse an exiting target, pin its vmspace, drop the
 * reference. Return 0 with *rd filled, or ESRCH (no such process,
 * exiting, without a vmspace, or not traced by curp and stopped with
 * PMEM_TRACED) or EPERM. Caller holds no spinlock. THE place where a
 * read begins. */
int	process_read_begin(struct proc *curp, pid_t pid, int flags,
	    struct process_reader *rd);
/* End a read: drop the pin; the last one purges-as-a-check, destroys the
 * pmap and frees the vmspace (DESIGN.md: whoever drops the last pin).
 * THE place where a read ends. */
void	process_read_end(struct process_reader *rd);
/* Move uio_resid bytes between uio's buffers and rd's pinned vmspace from
 * va, as process_domem does, for a reader that needs more than one copy
 * or rd's argv range (cmdline). */
int	process_domem_reader(struct process_reader *rd, int flags, vaddr_t va,
	    struct uio *uio, size_t *donep);
/* process_domem_reader with the caller's bounce page (PAGE_SIZE bytes),
 * for a reader that moves many pieces (process_vm_readv/writev). */
int	process_domem_pinned(struct process_reader *rd, int flags, vaddr_t va,
	    struct uio *uio, char *bounce, size_t *donep);
/* Move uio_resid bytes between uio's buffers and pid's memory from va
 * (UIO_READ: out of the target), a page at a time through a kernel bounce
 * buffer, with the pin of process_read_begin held throughout. Return 0, or
 * an errno once nothing more could be moved (ESRCH, EPERM, EFAULT: not
 * mapped or not allowed, ENOMEM); *donep says how many bytes were. */
int	process_domem(struct proc *curp, pid_t pid, int flags, vaddr_t va,
	    struct uio *uio, size_t *donep);

/* userret: curproc p of a traced process is about to take sig (not
 * SIGKILL). Stop for the tracer until it resumes us; return the signal
 * to take instead (0: none). Caller holds no lock. */
int	ptrace_stop(struct proc *p, int sig);
/* exit1: detach every tracee of the exiting pr; a stopped one continues,
 * a zombie one goes to its parent. Caller holds no lock; may sleep. */
void	ptrace_exit(struct process *pr);
/* wait4 by pr for pid (> 0, or any): report a trace stop or the exit of
 * one of pr's tracees, once. Return true with *pidp and *statusp (wait4
 * format) if one was reported (a zombie is collected, or handed to its
 * parent if that is not pr; proctree_lock is then released), else false
 * with the lock still held; *foundp is set if a tracee matched pid.
 * Caller holds proctree_lock. */
bool	ptrace_wait(struct process *pr, pid_t pid, bool *foundp, pid_t *pidp,
	    int *statusp);

#endif
