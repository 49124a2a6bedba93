/*
 * kern/kern_resource.c: resource limits (getrlimit, setrlimit, prlimit64),
 * the per-uid process counts, the system's process maximum, and the
 * kernel's page reserve: what keeps a fork bomb or a memory hog from
 * taking the machine.
 *
 * Limits: Linux's sixteen rlimits per process (ps_rlimit), pid 1's the
 * defaults below, copied at fork, kept over exec. Anyone may lower a
 * limit or move the soft one up to the hard one; raising the hard one
 * needs uid 0 (EPERM). prlimit64 reaches another process of the same
 * uid, or any as uid 0. Enforced:
 *   RLIMIT_NPROC  tasks per uid, as Linux counts them: every process
 *		   (PS_NPROC; a zombie counts until wait4 collects it) and
 *		   every further thread of one (ps_nthrcount). fork and
 *		   clone(CLONE_THREAD) check the caller's soft limit and
 *		   fail with EAGAIN at it. A thread's count goes when it
 *		   leaves its process for good (exit_thread, under ps_lock:
 *		   Linux's release_task of a thread, also after the join's
 *		   futex wake); the process's own at wait4, by when its
 *		   other threads have all left. setuid moves the whole
 *		   process's count, itself and its threads, to the new uid
 *		   (the uid is per process here; Linux moves each task's as
 *		   libc's setuid runs on every thread). uid 0 is exempt, as
 *		   Linux's root with CAP_SYS_RESOURCE.
 *   RLIMIT_AS	   the bytes a process has mapped, guard regions aside
 *		   (uvm_map.c's m_size): mmap beyond it is ENOMEM, brk stays
 *		   put, exec of an image that does not fit is ENOMEM. The
 *		   user stack is mapped whole (8 MiB) at exec, so it counts
 *		   in full and never grows later.
 *   RLIMIT_NOFILE descriptors (kern_descrip.c): a new lowest free one
 *		   (open, pipe, pipe2, dup) at or above the caller's soft
 *		   limit is EMFILE, dup2/dup3 onto one is EBADF. Lowering
 *		   it leaves the descriptors above open and usable, as in
 *		   Linux. The table is fixed (NOFILE): the default, and a
 *		   hard limit above it is EPERM (Linux beyond nr_open).
 * The rest are kept and reported only.
 *
 * The system's own bounds, set from the memory found at boot:
 *   maxproc	   processes at most, npages / 32 (Linux's max_threads for
 *		   16 KiB kernel stacks) capped by the kernel stack slots;
 *		   the last MAXPROC_ROOT of them are root's, so root can
 *		   still act when another uid's fork bomb hit the maximum.
 *		   Threads are bounded by the kernel stack slots instead.
 *		   The default RLIMIT_NPROC is maxproc / 2, as Linux's.
 *   the reserve   free pages that allocations made by user threads
 *		   (system calls, faults) may not take: npages / 64 + 32.
 *		   Kernel threads may use every page. A system call then
 *		   fails (fork, exec, /proc: ENOMEM; a copy to untouched
 *		   user memory: EFAULT), a user page fault that cannot get
 *		   a page kills its process with SIGKILL (trap.c), so a
 *		   memory hog dies and gives its pages back.
 *
 * Locks: uidinfo_lock (spinlock) guards the uid table, the process count
 * and each process's ps_nthrcount, and is taken after ps_lock
 * (exit_thread); a process's limits are written under its ps_lock, each
 * value with an atomic store so that one may be read without the lock.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "lock.h"
#include "file.h"
#include "proc.h"
#include "syscall.h"
#include "uvm_km.h"
#include "uvm_page.h"
#include "failinject.h"
#include "resource.h"

#define MAXPROC_PAGES	32		/* pages of memory per process slot */
#define MAXPROC_MIN	16
#define MAXPROC_CAP	(UVM_KM_KSTACK_SLOTS / 2) /* threads need stacks too */
#define MAXPROC_ROOT	5		/* the last slots, root's alone */
#define KRESERVE_DIV	64		/* the reserve: npages / 64 ... */
#define KRESERVE_MIN	32		/* ... + 32 pages */
#define UIDINFO_MAX	64		/* uids with tasks at once */
#define STACK_DEFAULT	(8UL << 20)	/* Linux's _STK_LIM */
#define MEMLOCK_DEFAULT	(8UL << 20)	/* Linux's MLOCK_LIMIT */
#define MSGQUEUE_DEFAULT 819200		/* Linux's MQ_BYTES_MAX */

/* A uid's count of tasks (processes and their threads); a slot with no
 * task is free. */
struct uidinfo {
	uid_t		ui_uid;
	uint32_t	ui_nproc;
};

static struct spinlock uidinfo_lock = SPINLOCK_INITIALIZER("uidinfo");
static struct uidinfo uidinfo[UIDINFO_MAX];	/* [uidinfo_lock] */
static uint32_t nprocs;			/* counted processes [uidinfo_lock] */
static uint32_t maxproc;		/* [const after resource_init] */
static uint64_t kreserve;		/* pages [const after resource_init] */

/* uvm_pagealloc's hook: user threads leave the reserve free, and the
 * allocation may be one failure injection fails. */
static bool
resource_pagealloc(enum vm_page_use use, uint64_t *keepp)
{
	struct proc *p = curproc;

	if (p == NULL || (p->p_flag & P_SYSTEM))
		return true;
	*keepp = kreserve;
	return !failinject_page(use);
}

/* Size the process maximum and the reserve; hook uvm_pagealloc. */
void
resource_init(void)
{
	struct uvmexp u;

	KASSERT(uvm_pagealloc_hook == NULL);
	uvm_page_counters(&u);
	maxproc = MAX(MIN(u.npages / MAXPROC_PAGES, MAXPROC_CAP), MAXPROC_MIN);
	kreserve = u.npages / KRESERVE_DIV + KRESERVE_MIN;
	failinject_init();
	uvm_pagealloc_hook = resource_pagealloc;
	kprintf("resource: maxproc %u (root's last %d), RLIMIT_NPROC %u, "
	    "kernel reserve %lu pages\n", maxproc, MAXPROC_ROOT, maxproc / 2,
	    kreserve);
}

/* ---- limits ---- */

/* Give pr (pid 1) the defaults and count it (uid 0). */
void
resource_limits_init(struct process *pr)
{
	static const struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	int r;

	KASSERT(maxproc != 0 && pr->ps_uid == 0);
	for (r = 0; r < RLIM_NLIMITS; r++)
		pr->ps_rlimit[r] = unlimited;
	pr->ps_rlimit[RLIMIT_STACK].rlim_cur = STACK_DEFAULT;
	pr->ps_rlimit[RLIMIT_CORE].rlim_cur = 0;
	pr->ps_rlimit[RLIMIT_NPROC] = (struct rlimit){ maxproc / 2, maxproc / 2 };
	pr->ps_rlimit[RLIMIT_NOFILE] = (struct rlimit){ NOFILE, NOFILE };
	pr->ps_rlimit[RLIMIT_MEMLOCK] = (struct rlimit){ MEMLOCK_DEFAULT,
	    MEMLOCK_DEFAULT };
	pr->ps_rlimit[RLIMIT_SIGPENDING] = pr->ps_rlimit[RLIMIT_NPROC];
	pr->ps_rlimit[RLIMIT_MSGQUEUE] = (struct rlimit){ MSGQUEUE_DEFAULT,
	    MSGQUEUE_DEFAULT };
	pr->ps_rlimit[RLIMIT_NICE] = (struct rlimit){ 0, 0 };
	pr->ps_rlimit[RLIMIT_RTPRIO] = (struct rlimit){ 0, 0 };
	if (resource_nproc_add(pr) != 0)
		panic("resource_limits_init: no process slot for pid 1");
}

/* Copy parent's limits into child (fork). */
void
resource_limits_fork(struct process *child, struct process *parent)
{
	KASSERT(child != parent && !(child->ps_flags & PS_NPROC));
	spinlock_acquire(&parent->ps_lock);
	memcpy(child->ps_rlimit, parent->ps_rlimit, sizeof(child->ps_rlimit));
	spinlock_release(&parent->ps_lock);
}

/* The soft limit of resource for pr. */
rlim_t
resource_limit(struct process *pr, int resource)
{
	KASSERT(resource >= 0 && resource < RLIM_NLIMITS);
	return __atomic_load_n(&pr->ps_rlimit[resource].rlim_cur,
	    __ATOMIC_RELAXED);
}

/* ---- processes per uid ---- */

/* Return uid's slot, or if it has none a free one (count 0), or NULL if
 * the table is full. Caller holds uidinfo_lock. */
static struct uidinfo *
uidinfo_lookup(uid_t uid)
{
	struct uidinfo *ui, *free = NULL;

	SPINLOCK_ASSERT_HELD(&uidinfo_lock);
	for (ui = uidinfo; ui < uidinfo + UIDINFO_MAX; ui++) {
		if (ui->ui_nproc != 0 && ui->ui_uid == uid)
			return ui;
		if (ui->ui_nproc == 0 && free == NULL)
			free = ui;
	}
	if (free != NULL)
		free->ui_uid = uid;
	return free;
}

/* Count pr, not yet findable, as a process of its uid (see resource.h). */
int
resource_nproc_add(struct process *pr)
{
	uid_t uid = pr->ps_uid;
	rlim_t lim = pr->ps_rlimit[RLIMIT_NPROC].rlim_cur;
	struct uidinfo *ui;
	int error = 0;

	KASSERT(!(pr->ps_flags & PS_NPROC));
	spinlock_acquire(&uidinfo_lock);
	if ((ui = uidinfo_lookup(uid)) == NULL || nprocs >= maxproc ||
	    (uid != 0 && (nprocs >= maxproc - MAXPROC_ROOT ||
	    ui->ui_nproc >= lim)))
		error = EAGAIN;
	else {
		ui->ui_nproc++;
		nprocs++;
		__atomic_or_fetch(&pr->ps_flags, PS_NPROC, __ATOMIC_RELAXED);
	}
	spinlock_release(&uidinfo_lock);
	return error;
}

/* Take one task of pr off its uid's count. Caller holds uidinfo_lock. */
static void
uidinfo_drop(struct process *pr)
{
	struct uidinfo *ui;

	SPINLOCK_ASSERT_HELD(&uidinfo_lock);
	ui = uidinfo_lookup(pr->ps_uid);
	if (ui == NULL || ui->ui_nproc == 0)
		panic("uidinfo_drop: uid %u of pid %d has no task counted",
		    pr->ps_uid, pr->ps_pid);
	ui->ui_nproc--;
}

/* Uncount pr if it was counted (see resource.h). */
void
resource_nproc_drop(struct process *pr)
{
	if (!(__atomic_load_n(&pr->ps_flags, __ATOMIC_RELAXED) & PS_NPROC))
		return;
	spinlock_acquire(&uidinfo_lock);
	if (nprocs == 0 || pr->ps_nthrcount != 0)
		panic("resource_nproc_drop: pid %d: %u processes, %u threads "
		    "of its own counted", pr->ps_pid, nprocs,
		    pr->ps_nthrcount);
	uidinfo_drop(pr);
	nprocs--;
	__atomic_and_fetch(&pr->ps_flags, ~PS_NPROC, __ATOMIC_RELAXED);
	spinlock_release(&uidinfo_lock);
}

/* Count a new thread of pr as its uid's (see resource.h); 0 or EAGAIN. */
int
resource_thread_add(struct process *pr)
{
	rlim_t lim = resource_limit(pr, RLIMIT_NPROC);
	struct uidinfo *ui;
	int error = 0;

	KASSERT(!(pr->ps_flags & PS_SYSTEM));
	spinlock_acquire(&uidinfo_lock);
	if ((ui = uidinfo_lookup(pr->ps_uid)) == NULL ||
	    (pr->ps_uid != 0 && ui->ui_nproc >= lim))
		error = EAGAIN;
	else {
		ui->ui_nproc++;
		pr->ps_nthrcount++;
	}
	spinlock_release(&uidinfo_lock);
	return error;
}

/* Uncount a thread of pr (see resource.h). */
void
resource_thread_drop(struct process *pr)
{
	spinlock_acquire(&uidinfo_lock);
	if (pr->ps_nthrcount == 0)
		panic("resource_thread_drop: pid %d has no thread counted",
		    pr->ps_pid);
	uidinfo_drop(pr);
	pr->ps_nthrcount--;
	spinlock_release(&uidinfo_lock);
}

/* Make uid pr's uid, moving its count (the process and its counted
 * threads); 0, or EAGAIN if no slot is left for a new uid. */
int
resource_setuid(struct process *pr, uid_t uid)
{
	struct uidinfo *old, *new;
	uint32_t n;
	int error = 0;

	spinlock_acquire(&uidinfo_lock);
	n = pr->ps_nthrcount +
	    ((__atomic_load_n(&pr->ps_flags, __ATOMIC_RELAXED) & PS_NPROC) ?
	    1 : 0);
	if (n != 0 && uid != pr->ps_uid) {
		old = uidinfo_lookup(pr->ps_uid);
		KASSERT(old != NULL && old->ui_nproc >= n);
		if ((new = uidinfo_lookup(uid)) == NULL)
			error = EAGAIN;
		else {
			old->ui_nproc -= n;
			new->ui_nproc += n;
		}
	}
	if (error == 0)
		__atomic_store_n(&pr->ps_uid, uid, __ATOMIC_RELAXED);
	spinlock_release(&uidinfo_lock);
	return error;
}

/* ---- the system calls ---- */

/* Read and/or set resource of the process pid (0: p's own) as
 * prlimit64 does: *newp (NULL: keep) after the checks, the old value in
 * *oldp (if not NULL). Return 0, ESRCH, EPERM or EINVAL. */
static int
resource_prlimit(struct proc *p, pid_t pid, unsigned resource,
    const struct rlimit *newp, struct rlimit *oldp)
{
	uid_t uid = __atomic_load_n(&p->p_p->ps_uid, __ATOMIC_RELAXED);
	struct process *pr;
	struct rlimit *rl;
	int error = 0;

	if (pid < 0 || (pr = prfind_ref(pid == 0 ? p->p_p->ps_pid : pid)) == NULL)
		return ESRCH;
	if ((__atomic_load_n(&pr->ps_flags, __ATOMIC_RELAXED) & PS_SYSTEM) ||
	    (uid != 0 && uid != __atomic_load_n(&pr->ps_uid, __ATOMIC_RELAXED)))
		error = EPERM;
	else if (resource >= RLIM_NLIMITS ||
	    (newp != NULL && newp->rlim_cur > newp->rlim_max))
		error = EINVAL;
	else if (resource == RLIMIT_NOFILE && newp != NULL &&
	    newp->rlim_max > NOFILE)
		error = EPERM;
	if (error != 0) {
		prrele(pr);
		return error;
	}
	rl = &pr->ps_rlimit[resource];
	spinlock_acquire(&pr->ps_lock);
	if (newp != NULL && newp->rlim_max > rl->rlim_max && uid != 0)
		error = EPERM;
	else {
		if (oldp != NULL)
			*oldp = *rl;
		if (newp != NULL) {
			__atomic_store_n(&rl->rlim_cur, newp->rlim_cur,
			    __ATOMIC_RELAXED);
			__atomic_store_n(&rl->rlim_max, newp->rlim_max,
			    __ATOMIC_RELAXED);
		}
	}
	spinlock_release(&pr->ps_lock);
	prrele(pr);
	return error;
}

/* getrlimit(resource, rlim) */
long
sys_getrlimit(struct proc *p, const uint64_t *args)
{
	struct rlimit rl;
	int error;

	if ((unsigned)args[0] >= RLIM_NLIMITS)
		return -EINVAL;
	if ((error = resource_prlimit(p, 0, (unsigned)args[0], NULL, &rl)) != 0)
		return -error;
	return -copyout(&rl, (void *)args[1], sizeof(rl));
}

/* setrlimit(resource, rlim) */
long
sys_setrlimit(struct proc *p, const uint64_t *args)
{
	struct rlimit rl;
	int error;

	if ((error = copyin((const void *)args[1], &rl, sizeof(rl))) != 0)
		return -error;
	return -resource_prlimit(p, 0, (unsigned)args[0], &rl, NULL);
}

/* prlimit64(pid, resource, new, old): as Linux, the new value is set
 * even when the old one cannot be copied out (EFAULT). */
long
sys_prlimit64(struct proc *p, const uint64_t *args)
{
	struct rlimit new, old;
	int error;

	if (args[2] != 0 &&
	    (error = copyin((const void *)args[2], &new, sizeof(new))) != 0)
		return -error;
	error = resource_prlimit(p, (pid_t)args[0], (unsigned)args[1],
	    args[2] != 0 ? &new : NULL, args[3] != 0 ? &old : NULL);
	if (error == 0 && args[3] != 0)
		error = copyout(&old, (void *)args[3], sizeof(old));
	return -error;
}
