/*
 * kern/syscalls.c: the system call table and dispatch.
 *
 * The table maps Linux x86-64 numbers to handlers (include/syscall.h); an
 * empty slot or a number past the end answers -ENOSYS. syscall() runs on
 * the calling thread's kernel stack with interrupts on, its user
 * registers in the trapframe the SYSCALL entry built (arch/x86_64/
 * syscall.S), and ends with the return-to-user work. Owns the table
 * (const); no locks.
 */
#include "lib.h"
#include "errno.h"
#include "cpu.h"
#include "trap.h"
#include "proc.h"
#include "sched.h"
#include "signal.h"
#include "syscall.h"

static const sy_call_t sysent[SYS_MAXSYSCALL] = {
	[SYS_read]		= sys_read,
	[SYS_write]		= sys_write,
	[SYS_open]		= sys_open,
	[SYS_close]		= sys_close,
	[SYS_lseek]		= sys_lseek,
	[SYS_mmap]		= sys_mmap,
	[SYS_mprotect]		= sys_mprotect,
	[SYS_munmap]		= sys_munmap,
	[SYS_brk]		= sys_brk,
	[SYS_rt_sigaction]	= sys_rt_sigaction,
	[SYS_rt_sigprocmask]	= sys_rt_sigprocmask,
	[SYS_rt_sigreturn]	= sys_rt_sigreturn,
	[SYS_ioctl]		= sys_ioctl,
	[SYS_writev]		= sys_writev,
	[SYS_pipe]		= sys_pipe,
	[SYS_sched_yield]	= sys_sched_yield,
	[SYS_madvise]		= sys_madvise,
	[SYS_dup]		= sys_dup,
	[SYS_dup2]		= sys_dup2,
	[SYS_nanosleep]		= sys_nanosleep,
	[SYS_getpid]		= sys_getpid,
	[SYS_clone]		= sys_clone,
	[SYS_fork]		= sys_fork,
	[SYS_vfork]		= sys_vfork,
	[SYS_execve]		= sys_execve,
	[SYS_exit]		= sys_exit,
	[SYS_wait4]		= sys_wait4,
	[SYS_kill]		= sys_kill,
	[SYS_uname]		= sys_uname,
	[SYS_getrlimit]		= sys_getrlimit,
	[SYS_sysinfo]		= sys_sysinfo,
	[SYS_ptrace]		= sys_ptrace,
	[SYS_getuid]		= sys_getuid,
	[SYS_getgid]		= sys_getgid,
	[SYS_setuid]		= sys_setuid,
	[SYS_geteuid]		= sys_getuid,
	[SYS_getegid]		= sys_getgid,
	[SYS_getppid]		= sys_getppid,
	[SYS_arch_prctl]	= sys_arch_prctl,
	[SYS_setrlimit]		= sys_setrlimit,
	[SYS_reboot]		= sys_reboot,
	[SYS_gettid]		= sys_gettid,
	[SYS_tkill]		= sys_tkill,
	[SYS_futex]		= sys_futex,
	[SYS_getdents64]	= sys_getdents64,
	[SYS_set_tid_address]	= sys_set_tid_address,
	[SYS_clock_gettime]	= sys_clock_gettime,
	[SYS_exit_group]	= sys_exit_group,
	[SYS_dup3]		= sys_dup3,
	[SYS_pipe2]		= sys_pipe2,
	[SYS_prlimit64]		= sys_prlimit64,
	[SYS_process_vm_readv]	= sys_process_vm_readv,
	[SYS_process_vm_writev]	= sys_process_vm_writev,
	[SYS_exeunt_failinject]	= sys_exeunt_failinject,
};

/* Finish a system call or user trap: preempt if asked, then userret
 * (signals). Interrupts are on. */
void
syscall_userret(struct proc *p)
{
	KASSERT(curcpu()->ci_ipl_depth == 0);
	if (curcpu()->ci_want_resched)
		preempt();
	userret(p);
}

/* Dispatch the system call in tf; store its result in tf_rax. */
void
syscall(struct trapframe *tf)
{
	struct proc *p = curproc;
	uint64_t code = tf->tf_rax;
	const uint64_t args[6] = {
		tf->tf_rdi, tf->tf_rsi, tf->tf_rdx, tf->tf_r10, tf->tf_r8,
		tf->tf_r9,
	};
	long ret;

	KASSERT(p->p_md.md_regs == tf);
	if (code < SYS_MAXSYSCALL && sysent[code] != NULL)
		ret = sysent[code](p, args);
	else
		ret = -ENOSYS;
	if (ret != EJUSTRETURN)
		tf->tf_rax = ret;
	syscall_userret(p);
}
