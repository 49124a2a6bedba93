/*
 * kern/kern_proc.c: process and thread structs, pids, the pid hash and
 * the process tree.
 *
 * Owns the proc and process pools, the pid bitmap, the pid hash and
 * proctree_lock; walks the pids for /proc (kern/procfs_pid.c has the
 * per-process files).
 *
 * Pids: a bitmap of pids in use (every process, kernel threads included,
 * from process_alloc until the struct is freed) and a cyclic allocator
 * that starts after the last pid handed out and skips the taken ones, so
 * a freed pid comes back only after the whole space went round. Pid 1 is
 * init's alone.
 *
 * Lookups: processes are hashed by pid once fork, exec or kthread_create
 * made them (process_hash; a kernel thread's is marked PS_SYSTEM).
 * Readers (kill, /proc, ptrace) walk a chain inside an SMR read section
 * and take a reference with increment-if-not-zero (prfind_ref): a
 * process whose last reference went is never brought back. The tree
 * holds one reference from process_alloc until wait4 collects the zombie
 * (or the reaper frees a kernel thread), which unhashes it first; the
 * last prrele hands the struct to smr_call, so a reader still walking the
 * chain never sees it freed.
 *
 * Locks: pidhash_lock (spinlock) guards the bitmap, the hash chains'
 * writers and lastpid; proctree_lock (spinlock) guards the tree and the
 * wait4 state (proc.h). Order: ps_lock -> ps_siglock (kern_sig.c) ->
 * proctree_lock -> pidhash_lock; nothing is taken under pidhash_lock.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "lock.h"
#include "pool.h"
#include "smr.h"
#include "malloc.h"
#include "proc.h"
#include "uvm_vmspace.h"

#define PIDHASH_SIZE	256		/* chains; a power of two */
#define PIDHASH(pid)	((uint32_t)(pid) & (PIDHASH_SIZE - 1))

static struct pool proc_pool;
static struct pool process_pool;

struct spinlock proctree_lock = SPINLOCK_INITIALIZER("proctree");
struct process *initprocess;
uint64_t process_live;

static struct spinlock pidhash_lock = SPINLOCK_INITIALIZER("pidhash");
static struct process *pidhash[PIDHASH_SIZE];	/* [pidhash_lock; SMR] */
static uint64_t pid_map[(PID_MAX + 64) / 64];	/* pids in use [pidhash_lock] */
static pid_t lastpid = 1;			/* [pidhash_lock] */

/* Set up the pools and the pid table; once at boot. */
void
procinit(void)
{
	pool_init(&proc_pool, sizeof(struct proc), 64, "proc");
	pool_init(&process_pool, sizeof(struct process), 64, "process");
	pid_map[0] = 1;			/* pid 0: the kernel (process0) */
}

static bool
pid_taken(pid_t pid)
{
	return (pid_map[pid / 64] >> (pid % 64)) & 1;
}

/* Take the next free pid after lastpid (pid 1 only for init); return it,
 * or 0 if none is free. Caller holds pidhash_lock. */
static pid_t
pid_take(bool want_init)
{
	pid_t pid = lastpid;
	int n;

	if (want_init) {
		if (pid_taken(1))
			return 0;
		pid = 1;
	} else {
		for (n = 0; n < PID_MAX; n++) {
			pid = pid >= PID_MAX ? 2 : pid + 1;
			if (!pid_taken(pid))
				break;
		}
		if (n == PID_MAX)
			return 0;
		lastpid = pid;
	}
	pid_map[pid / 64] |= 1UL << (pid % 64);
	return pid;
}

/* Return a zeroed process with a new pid and the tree's reference. */
struct process *
process_alloc(bool want_init)
{
	struct process *pr = pool_get(&process_pool, PR_NOWAIT | PR_ZERO);
	pid_t pid;

	if (pr == NULL)
		return NULL;
	spinlock_acquire(&pidhash_lock);
	pid = pid_take(want_init);
	spinlock_release(&pidhash_lock);
	if (pid == 0) {
		pool_put(&process_pool, pr);
		return NULL;
	}
	pr->ps_pid = pid;
	pr->ps_refcnt = 1;
	spinlock_init(&pr->ps_lock, "process");
	__atomic_add_fetch(&process_live, 1, __ATOMIC_RELAXED);
	return pr;
}

/* Give pr's pid back and pr to its pool. */
static void
process_release(struct process *pr)
{
	KASSERT(pr->ps_threads == NULL || (pr->ps_threads->p_flag & P_SYSTEM));
	spinlock_acquire(&pidhash_lock);
	KASSERT(pid_taken(pr->ps_pid));
	pid_map[pr->ps_pid / 64] &= ~(1UL << (pr->ps_pid % 64));
	spinlock_release(&pidhash_lock);
	pool_put(&process_pool, pr);
	__atomic_sub_fetch(&process_live, 1, __ATOMIC_RELAXED);
}

/* Free a process that never became findable, now. */
void
process_free(struct process *pr)
{
	process_release(pr);
}

/* The end of a hashed process's grace period. */
static void
process_smr_free(void *arg)
{
	process_release(arg);
}

/* Return a zeroed thread, or NULL. */
struct proc *
proc_alloc(void)
{
	return pool_get(&proc_pool, PR_NOWAIT | PR_ZERO);
}

/* Free a thread that runs nowhere any more. */
void
proc_free(struct proc *p)
{
	KASSERT(!__atomic_load_n(&p->p_oncpu, __ATOMIC_ACQUIRE));
	pool_put(&proc_pool, p);
}

/* ---- thread ids ----
 * A thread's tid comes from the pid space (the main thread's is the
 * pid), so no process takes it while the thread has it. Threads whose tid
 * is not their process's pid are hashed by it under tidhash_lock, a
 * spinlock (lookups are rare: tkill): a lookup takes a reference on the
 * thread's process with increment-if-not-zero while it holds the lock, and
 * a leaving thread is unhashed before it lets go of its process. A
 * thread that execs while not the main one becomes the main one: its tid
 * turns into the pid (proc_tid_exec), as on Linux. Order: ps_lock ->
 * tidhash_lock -> pidhash_lock. */

#define TIDHASH_SIZE	64		/* chains; a power of two */

static struct spinlock tidhash_lock = SPINLOCK_INITIALIZER("tidhash");
static struct proc *tidhash[TIDHASH_SIZE];	/* [tidhash_lock] */

/* Take a tid; return it, or 0 if none is free. */
pid_t
tid_alloc(void)
{
	pid_t tid;

	spinlock_acquire(&pidhash_lock);
	tid = pid_take(false);
	spinlock_release(&pidhash_lock);
	return tid;
}

/* Give back a tid that was never hashed. */
void
tid_free(pid_t tid)
{
	spinlock_acquire(&pidhash_lock);
	KASSERT(pid_taken(tid));
	pid_map[tid / 64] &= ~(1UL << (tid % 64));
	spinlock_release(&pidhash_lock);
}

/* Make thread p findable by its tid. */
void
proc_tid_hash(struct proc *p)
{
	struct proc **head = &tidhash[(uint32_t)p->p_tid & (TIDHASH_SIZE - 1)];

	KASSERT(p->p_tid != p->p_p->ps_pid);
	spinlock_acquire(&tidhash_lock);
	p->p_tidhashnext = *head;
	*head = p;
	spinlock_release(&tidhash_lock);
}

/* Take p, hashed by tid, off its chain. Caller holds tidhash_lock. */
static void
tid_unhash(struct proc *p, pid_t tid)
{
	struct proc **pp;

	SPINLOCK_ASSERT_HELD(&tidhash_lock);
	for (pp = &tidhash[(uint32_t)tid & (TIDHASH_SIZE - 1)]; *pp != p;
	    pp = &(*pp)->p_tidhashnext)
		KASSERT(*pp != NULL);
	*pp = p->p_tidhashnext;
	p->p_tidhashnext = NULL;
}

/* Unhash and free p's tid unless it is the pid. */
void
proc_tid_release(struct proc *p)
{
	if (p->p_tid == p->p_p->ps_pid)
		return;
	spinlock_acquire(&tidhash_lock);
	tid_unhash(p, p->p_tid);
	spinlock_release(&tidhash_lock);
	tid_free(p->p_tid);
}

/* exec by p, now its process's only thread: p takes the pid as its tid
 * (Linux's de_thread); its own tid is unhashed and freed. */
void
proc_tid_exec(struct proc *p)
{
	struct process *pr = p->p_p;
	pid_t tid = p->p_tid;

	KASSERT(p == curproc);
	if (tid == pr->ps_pid)
		return;
	/* tkill reads p_tid under ps_lock, tid_find_ref under tidhash_lock */
	spinlock_acquire(&pr->ps_lock);
	KASSERT(pr->ps_single == p && pr->ps_nthreads == 1);
	spinlock_acquire(&tidhash_lock);
	tid_unhash(p, tid);
	p->p_tid = pr->ps_pid;
	spinlock_release(&tidhash_lock);
	spinlock_release(&pr->ps_lock);
	tid_free(tid);
}

/* The process of thread tid, referenced, or NULL. */
struct process *
tid_find_ref(pid_t tid)
{
	struct process *pr = NULL;
	struct proc *p;
	uint32_t old;

	if (tid <= 0 || tid > PID_MAX)
		return NULL;
	spinlock_acquire(&tidhash_lock);
	for (p = tidhash[(uint32_t)tid & (TIDHASH_SIZE - 1)]; p != NULL;
	    p = p->p_tidhashnext) {
		if (p->p_tid != tid)
			continue;
		old = __atomic_load_n(&p->p_p->ps_refcnt, __ATOMIC_RELAXED);
		do {
			if (old == 0)
				break;
		} while (!__atomic_compare_exchange_n(&p->p_p->ps_refcnt, &old,
		    old + 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
		if (old != 0)
			pr = p->p_p;
		break;
	}
	spinlock_release(&tidhash_lock);
	return pr != NULL ? pr : prfind_ref(tid);
}

/* Make pr findable by its pid. */
void
process_hash(struct process *pr)
{
	struct process **head = &pidhash[PIDHASH(pr->ps_pid)];

	spinlock_acquire(&pidhash_lock);
	pr->ps_hashnext = *head;
	SMR_PTR_SET_LOCKED(head, pr);
	spinlock_release(&pidhash_lock);
}

/* Take pr out of the hash; readers already inside may still see it. */
static void
process_unhash(struct process *pr)
{
	struct process **pp;

	spinlock_acquire(&pidhash_lock);
	for (pp = &pidhash[PIDHASH(pr->ps_pid)]; *pp != pr;
	    pp = &(*pp)->ps_hashnext)
		KASSERT(*pp != NULL);
	SMR_PTR_SET_LOCKED(pp, pr->ps_hashnext);
	spinlock_release(&pidhash_lock);
}

/* Return pr with a new reference if pid is findable, else NULL. */
struct process *
prfind_ref(pid_t pid)
{
	struct process *pr;
	uint32_t old;

	if (pid <= 0 || pid > PID_MAX)
		return NULL;
	smr_read_enter();
	for (pr = SMR_PTR_GET(&pidhash[PIDHASH(pid)]); pr != NULL;
	    pr = SMR_PTR_GET(&pr->ps_hashnext)) {
		if (pr->ps_pid != pid)
			continue;
		old = __atomic_load_n(&pr->ps_refcnt, __ATOMIC_RELAXED);
		do {
			if (old == 0)
				break;
		} while (!__atomic_compare_exchange_n(&pr->ps_refcnt, &old,
		    old + 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
		if (old == 0)
			pr = NULL;
		break;
	}
	smr_read_leave();
	return pr;
}

/* Drop a reference; the last frees pr after a grace period. */
void
prrele(struct process *pr)
{
	uint32_t old = __atomic_fetch_sub(&pr->ps_refcnt, 1, __ATOMIC_ACQ_REL);

	if (old == 0)
		panic("prrele: process %d reference count underflow", pr->ps_pid);
	if (old == 1)
#ifdef MUTANT_no_grace
		/* MUTANT no-grace: the last reference frees the process now */
		process_smr_free(pr);
#else
		smr_call(&pr->ps_smr, process_smr_free, pr);
#endif
}

/* Link child under parent. Caller holds proctree_lock. */
void
proc_tree_link(struct process *parent, struct process *child)
{
	SPINLOCK_ASSERT_HELD(&proctree_lock);
	child->ps_pptr = parent;
	child->ps_sibling = parent->ps_children;
	parent->ps_children = child;
}

/* Unlink a zombie from its parent and the hash, and drop the tree's
 * reference: wait4's collection. Caller holds proctree_lock, which is
 * released. */
void
proc_collect(struct process *pr)
{
	struct process **pp;

	SPINLOCK_ASSERT_HELD(&proctree_lock);
	KASSERT(pr->ps_flags & PS_ZOMBIE);
	if (pr->ps_pptr != NULL) {
		for (pp = &pr->ps_pptr->ps_children; *pp != pr;
		    pp = &(*pp)->ps_sibling)
			KASSERT(*pp != NULL);
		*pp = pr->ps_sibling;
		pr->ps_pptr = NULL;
	}
	spinlock_release(&proctree_lock);
	resource_nproc_drop(pr);	/* no longer counts against its uid */
	process_unhash_release(pr);
}

/* Unhash pr and drop the tree's reference: the end of a process that no
 * parent collects (a kernel thread's), and of wait4's collection. */
void
process_unhash_release(struct process *pr)
{
	process_unhash(pr);
	prrele(pr);
}

/* ---- the pid walk (/proc, kern/procfs_pid.c) ---- */

/* Return 0 and the smallest findable pid >= pid in *nextp, or ENOENT. */
int
process_next_pid(pid_t pid, pid_t *nextp)
{
	struct process *pr;

	for (pid = MAX(pid, 1); pid <= PID_MAX; pid++) {
		spinlock_acquire(&pidhash_lock);
		while (pid <= PID_MAX && !pid_taken(pid))
			pid++;
		spinlock_release(&pidhash_lock);
		if (pid > PID_MAX)
			break;
		if ((pr = prfind_ref(pid)) != NULL) {
			prrele(pr);
			*nextp = pid;
			return 0;
		}
	}
	return ENOENT;
}
