/*
 * kern/kern_failinject.c: allocation-failure injection, so that a test
 * can make each allocation of an operation fail in turn and check that
 * every failure is reported cleanly and leaks nothing
 * (user/tests/failinject.c).
 *
 * A process arms itself with exeunt_failinject(FAILINJECT_ARM, nth,
 * what): the nth allocation from then on that what matches fails as if
 * memory were short, once; FAILINJECT_DISARM disarms and returns how
 * many failures were injected (0 or 1), so a test sweeping nth = 1, 2,
 * ... knows when an operation ran through without meeting one. Counted
 * are the page allocations (uvm_pagealloc, through kern_resource.c's
 * hook: kernel pages, user pages, page-table pages; not pool slabs,
 * whose pool_get is what is counted) and pool_get calls (kmalloc's sizes
 * up to 2 KiB among them) made by the process's own threads, in the
 * context what names: a system call (the trapframe at the top of the
 * thread's kernel stack is T_SYSCALL; faults of copyin/copyout included)
 * or a user page fault (T_PAGEFLT). Kernel threads' allocations never
 * count, nor a process's once it is exiting: exit and the reaper only
 * free.
 *
 * Which allocations may fail: every one a user thread makes is
 * M_NOWAIT/PR_NOWAIT with an ENOMEM path by contract (fork, exec, mmap,
 * faults, ptrace, process_vm_*, /proc). The ones the kernel cannot
 * survive failing (the boot's page tables, pid 1's first structures,
 * the trace rings) are made by kernel threads before any process can
 * arm, and so are never failed.
 *
 * Only the calling process can be armed: it can make no one else's
 * allocations fail. Enabled by the boot option failinject=1, and by
 * default in a test boot (tests= given) unless failinject=0; when off
 * the call answers ENOSYS, as on Linux, where the test skips.
 *
 * Locks: none; the counters are the process's atomics (proc.h).
 */
#include "lib.h"
#include "errno.h"
#include "bootopt.h"
#include "pool.h"
#include "proc.h"
#include "syscall.h"
#include "trap.h"
#include "failinject.h"

#define FAILINJECT_KINDS	(FAILINJECT_PAGE | FAILINJECT_POOL)
#define FAILINJECT_CONTEXTS	(FAILINJECT_SYSCALL | FAILINJECT_FAULT)

static bool failinject_enabled;		/* [const after failinject_init] */

/* Count an allocation of kind (FAILINJECT_PAGE or _POOL) by the calling
 * thread against its process's arming; return true if it is the one to
 * fail. */
static bool
failinject_take(uint32_t kind)
{
	struct proc *p = curproc;
	struct process *pr;
	uint64_t left;
	uint32_t what, ctx;

	if (p == NULL || (p->p_flag & P_SYSTEM))
		return false;
	pr = p->p_p;
	if (__atomic_load_n(&pr->ps_failnth, __ATOMIC_ACQUIRE) == 0)
		return false;
	switch (p->p_md.md_regs->tf_trapno) {
	case T_SYSCALL:
		ctx = FAILINJECT_SYSCALL;
		break;
	case T_PAGEFLT:
		ctx = FAILINJECT_FAULT;
		break;
	default:
		return false;
	}
	what = __atomic_load_n(&pr->ps_failwhat, __ATOMIC_RELAXED);
	if (!(what & kind) || !(what & ctx) ||
	    (__atomic_load_n(&pr->ps_flags, __ATOMIC_RELAXED) & PS_EXITING))
		return false;
	left = __atomic_load_n(&pr->ps_failnth, __ATOMIC_RELAXED);
	do {
		if (left == 0)
			return false;	/* fired on another thread meanwhile */
	} while (!__atomic_compare_exchange_n(&pr->ps_failnth, &left, left - 1,
	    false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	if (left != 1)
		return false;
	__atomic_add_fetch(&pr->ps_failfired, 1, __ATOMIC_RELAXED);
	return true;
}

/* Return true if this page allocation must fail (see failinject.h). */
bool
failinject_page(enum vm_page_use use)
{
	return failinject_enabled && use != PG_USE_POOL &&
	    failinject_take(FAILINJECT_PAGE);
}

/* pool_get's hook: false fails the pool_get. */
static bool
failinject_pool_get(struct pool *pp __unused)
{
	return !failinject_take(FAILINJECT_POOL);
}

/* Read failinject= (default: on in a test boot) and hook pool_get. */
void
failinject_init(void)
{
	bool test_boot = bootopt_get("tests", NULL) != NULL;

	KASSERT(pool_get_hook == NULL);
	failinject_enabled = bootopt_num("failinject", test_boot) != 0;
	if (failinject_enabled)
		pool_get_hook = failinject_pool_get;
}

/* exeunt_failinject(op, nth, what): arm the calling process to fail its
 * nth allocation matching what (0, or -EINVAL), or disarm it (the number
 * of failures injected since it was armed). -ENOSYS when disabled. */
long
sys_exeunt_failinject(struct proc *p, const uint64_t *args)
{
	struct process *pr = p->p_p;
	uint64_t op = args[0], nth = args[1], what = args[2];

	if (!failinject_enabled)
		return -ENOSYS;
	switch (op) {
	case FAILINJECT_ARM:
		if (nth == 0 || !(what & FAILINJECT_KINDS) ||
		    !(what & FAILINJECT_CONTEXTS) ||
		    (what & ~(uint64_t)(FAILINJECT_KINDS | FAILINJECT_CONTEXTS)))
			return -EINVAL;
		__atomic_store_n(&pr->ps_failnth, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&pr->ps_failwhat, (uint32_t)what,
		    __ATOMIC_RELAXED);
		__atomic_store_n(&pr->ps_failfired, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&pr->ps_failnth, nth, __ATOMIC_RELEASE);
		return 0;
	case FAILINJECT_DISARM:
		__atomic_store_n(&pr->ps_failnth, 0, __ATOMIC_RELAXED);
		return __atomic_exchange_n(&pr->ps_failfired, 0,
		    __ATOMIC_RELAXED);
	default:
		return -EINVAL;
	}
}
