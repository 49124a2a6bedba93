/*
 * Resource limits (kern/kern_resource.c): Linux's rlimits, the per-uid
 * process counts and the system's process maximum, and the kernel's page
 * reserve.
 *
 * Every process has the Linux set of limits (struct rlimit, soft and hard)
 * in ps_rlimit, copied at fork, kept over exec; pid 1 starts with the
 * defaults. Enforced: RLIMIT_NPROC (fork and thread creation, per uid,
 * every thread counted as in Linux; uid 0 is exempt, as Linux's root
 * with CAP_SYS_RESOURCE, and bounded only by the system's maximum),
 * RLIMIT_AS (mmap, brk, exec) and RLIMIT_NOFILE (descriptor allocation,
 * kern_descrip.c; at most the table's NOFILE). The others are kept and
 * reported only.
 */
#ifndef _RESOURCE_H_
#define _RESOURCE_H_

#include "types.h"

/* Linux's resource numbers (include/uapi/asm-generic/resource.h) */
#define RLIMIT_CPU		0
#define RLIMIT_FSIZE		1
#define RLIMIT_DATA		2
#define RLIMIT_STACK		3
#define RLIMIT_CORE		4
#define RLIMIT_RSS		5
#define RLIMIT_NPROC		6
#define RLIMIT_NOFILE		7
#define RLIMIT_MEMLOCK		8
#define RLIMIT_AS		9
#define RLIMIT_LOCKS		10
#define RLIMIT_SIGPENDING	11
#define RLIMIT_MSGQUEUE		12
#define RLIMIT_NICE		13
#define RLIMIT_RTPRIO		14
#define RLIMIT_RTTIME		15
#define RLIM_NLIMITS		16

typedef uint64_t rlim_t;
#define RLIM_INFINITY		(~(rlim_t)0)

/* Linux's struct rlimit (and rlimit64: the same on x86-64). */
struct rlimit {
	rlim_t	rlim_cur;		/* soft: what is enforced */
	rlim_t	rlim_max;		/* hard: the ceiling of the soft one */
};

struct process;

/* Compute the process maximum and the kernel's page reserve from the
 * memory found, and hook the reserve into uvm_pagealloc; once at boot,
 * after the page allocator and before the first user process. */
void	resource_init(void);
/* Give pr (pid 1) the default limits and count it as a process of uid 0;
 * before it is findable. */
void	resource_limits_init(struct process *pr);
/* Give child a copy of parent's limits (fork); before it is findable. */
void	resource_limits_fork(struct process *child, struct process *parent);
/* The soft limit of resource for pr (read atomically). */
rlim_t	resource_limit(struct process *pr, int resource);

/* Count pr, a new process not yet findable, with its uid and limits set,
 * against its uid's RLIMIT_NPROC (its soft limit, its parent's copy; uid
 * 0 exempt) and the system's process maximum (the last few slots are
 * root's). Return 0 (pr is counted: PS_NPROC) or EAGAIN. */
int	resource_nproc_add(struct process *pr);
/* Uncount pr if it was counted: wait4 collected it, or fork failed after
 * counting it. Its other threads are uncounted by then. */
void	resource_nproc_drop(struct process *pr);
/* Count a new thread of pr (clone with CLONE_THREAD) as a task of pr's
 * uid against its soft RLIMIT_NPROC (uid 0 exempt; the system's process
 * maximum is about processes and does not apply). Return 0 or EAGAIN. */
int	resource_thread_add(struct process *pr);
/* Uncount a thread of pr counted by resource_thread_add: it left pr for
 * good, or its creation failed. */
void	resource_thread_drop(struct process *pr);
/* Make uid pr's uid (setuid), moving its count, the process and its
 * counted threads, to that uid; return 0, or EAGAIN when no uid slot is
 * left. */
int	resource_setuid(struct process *pr, uid_t uid);

#endif
