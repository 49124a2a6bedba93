/*
 * System calls (kern/syscalls.c): Linux x86-64 numbers, the handler type
 * and the user-memory primitives every handler uses.
 *
 * A handler gets the calling thread and the six argument registers (rdi,
 * rsi, rdx, r10, r8, r9) and returns a value >= 0 or a negated errno, as
 * Linux does. The dispatch table in kern/syscalls.c maps numbers to
 * handlers; an empty slot answers -ENOSYS.
 */
#ifndef _SYSCALL_H_
#define _SYSCALL_H_

#include "types.h"

struct proc;
struct trapframe;

typedef long (*sy_call_t)(struct proc *p, const uint64_t args[6]);

/* Linux x86-64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl) */
#define SYS_read		0
#define SYS_write		1
#define SYS_open		2
#define SYS_close		3
#define SYS_lseek		8
#define SYS_mmap		9
#define SYS_mprotect		10
#define SYS_munmap		11
#define SYS_brk			12
#define SYS_rt_sigaction	13
#define SYS_rt_sigprocmask	14
#define SYS_rt_sigreturn	15
#define SYS_ioctl		16
#define SYS_writev		20
#define SYS_pipe		22
#define SYS_sched_yield		24
#define SYS_madvise		28
#define SYS_dup			32
#define SYS_dup2		33
#define SYS_nanosleep		35
#define SYS_getpid		39
#define SYS_clone		56
#define SYS_fork		57
#define SYS_vfork		58
#define SYS_execve		59
#define SYS_exit		60
#define SYS_wait4		61
#define SYS_kill		62
#define SYS_uname		63
#define SYS_getuid		102
#define SYS_getgid		104
#define SYS_setuid		105
#define SYS_geteuid		107
#define SYS_getegid		108
#define SYS_getppid		110
#define SYS_getrlimit		97
#define SYS_sysinfo		99
#define SYS_ptrace		101
#define SYS_arch_prctl		158
#define SYS_setrlimit		160
#define SYS_reboot		169
#define SYS_gettid		186
#define SYS_tkill		200
#define SYS_futex		202
#define SYS_getdents64		217
#define SYS_set_tid_address	218
#define SYS_clock_gettime	228
#define SYS_exit_group		231
#define SYS_dup3		292
#define SYS_pipe2		293
#define SYS_prlimit64		302
#define SYS_process_vm_readv	310
#define SYS_process_vm_writev	311
/* exeunt's own, far above Linux's numbers (Linux answers ENOSYS) */
#define SYS_exeunt_failinject	1024	/* kern/kern_failinject.c */
#define SYS_MAXSYSCALL		1025	/* table size */

/* What a handler returns when it replaced the user registers itself
 * (rt_sigreturn): syscall() leaves tf_rax alone. Not a valid result. */
#define EJUSTRETURN		(-(1L << 62))

/* The trap number a system call's trapframe carries (no IDT vector). */
#define T_SYSCALL		0x100

/* Dispatch the system call in tf (rax: number); called by the SYSCALL
 * entry (arch/x86_64/syscall.S) with interrupts on. Stores the result in
 * tf_rax unless the call replaced the registers (execve, rt_sigreturn). */
void	syscall(struct trapframe *tf);
/* Set up SYSCALL/SYSRET on this CPU (STAR, LSTAR, SFMASK) and the FPU
 * for user mode; on every CPU at start. */
void	syscall_init_cpu(void);
/* Finish a system call or trap for return to user mode: preempt if asked,
 * then userret. Interrupts are on. */
void	syscall_userret(struct proc *p);

/* ---- user memory (arch/x86_64/copy.c, copyio.S) ----
 * Each checks the whole user range lies below USER_MAX before touching it,
 * then copies with fault recovery: a fault that uvm_fault cannot resolve
 * makes it return EFAULT. Caller holds no spinlock (faults may sleep). */

/* Copy len bytes from user uaddr to kernel kaddr; return 0 or EFAULT. */
int	copyin(const void *uaddr, void *kaddr, size_t len);
/* Copy len bytes from kernel kaddr to user uaddr; return 0 or EFAULT. */
int	copyout(const void *kaddr, void *uaddr, size_t len);
/* Copy a NUL-terminated string of at most maxlen bytes with its NUL;
 * return 0 (and its length with the NUL in *donep if not NULL), EFAULT,
 * or ENAMETOOLONG when no NUL is found within maxlen bytes. */
int	copyinstr(const void *uaddr, char *kaddr, size_t maxlen, size_t *donep);
/* Return true if [uaddr, uaddr + len) is a user range (no wrap). */
bool	uaddr_ok(const void *uaddr, size_t len);

/* ---- handlers, by file ---- */

/* kern/sys_generic.c: descriptors */
long	sys_read(struct proc *, const uint64_t *);
long	sys_write(struct proc *, const uint64_t *);
long	sys_writev(struct proc *, const uint64_t *);
long	sys_open(struct proc *, const uint64_t *);
long	sys_close(struct proc *, const uint64_t *);
long	sys_lseek(struct proc *, const uint64_t *);
long	sys_ioctl(struct proc *, const uint64_t *);
long	sys_pipe(struct proc *, const uint64_t *);
long	sys_pipe2(struct proc *, const uint64_t *);
long	sys_dup(struct proc *, const uint64_t *);
long	sys_dup2(struct proc *, const uint64_t *);
long	sys_dup3(struct proc *, const uint64_t *);
long	sys_getdents64(struct proc *, const uint64_t *);
/* kern/sys_mman.c: memory */
long	sys_mmap(struct proc *, const uint64_t *);
long	sys_munmap(struct proc *, const uint64_t *);
long	sys_mprotect(struct proc *, const uint64_t *);
long	sys_brk(struct proc *, const uint64_t *);
long	sys_madvise(struct proc *, const uint64_t *);
/* kern/sys_info.c: identity, time, system */
long	sys_sched_yield(struct proc *, const uint64_t *);
long	sys_nanosleep(struct proc *, const uint64_t *);
long	sys_clock_gettime(struct proc *, const uint64_t *);
long	sys_getpid(struct proc *, const uint64_t *);
long	sys_getppid(struct proc *, const uint64_t *);
long	sys_gettid(struct proc *, const uint64_t *);
long	sys_getuid(struct proc *, const uint64_t *);
long	sys_getgid(struct proc *, const uint64_t *);
long	sys_setuid(struct proc *, const uint64_t *);
long	sys_uname(struct proc *, const uint64_t *);
long	sys_sysinfo(struct proc *, const uint64_t *);
long	sys_arch_prctl(struct proc *, const uint64_t *);
long	sys_set_tid_address(struct proc *, const uint64_t *);
long	sys_reboot(struct proc *, const uint64_t *);
/* kern/kern_fork.c, kern_exec.c, kern_exit.c: processes */
long	sys_fork(struct proc *, const uint64_t *);
long	sys_vfork(struct proc *, const uint64_t *);
long	sys_clone(struct proc *, const uint64_t *);
long	sys_execve(struct proc *, const uint64_t *);
long	sys_exit(struct proc *, const uint64_t *);
long	sys_exit_group(struct proc *, const uint64_t *);
long	sys_wait4(struct proc *, const uint64_t *);
/* kern/sys_futex.c: futexes */
long	sys_futex(struct proc *, const uint64_t *);
/* kern/kern_sig.c, arch/x86_64/sig_machdep.c: signals (helper S) */
long	sys_kill(struct proc *, const uint64_t *);
long	sys_tkill(struct proc *, const uint64_t *);
long	sys_rt_sigaction(struct proc *, const uint64_t *);
long	sys_rt_sigprocmask(struct proc *, const uint64_t *);
long	sys_rt_sigreturn(struct proc *, const uint64_t *);
/* kern/kern_resource.c: limits */
long	sys_getrlimit(struct proc *, const uint64_t *);
long	sys_setrlimit(struct proc *, const uint64_t *);
long	sys_prlimit64(struct proc *, const uint64_t *);
/* kern/kern_failinject.c: allocation-failure injection (exeunt's own) */
long	sys_exeunt_failinject(struct proc *, const uint64_t *);
/* kern/sys_process.c: ptrace and the readers of another process */
long	sys_ptrace(struct proc *, const uint64_t *);
long	sys_process_vm_readv(struct proc *, const uint64_t *);
long	sys_process_vm_writev(struct proc *, const uint64_t *);

#endif
