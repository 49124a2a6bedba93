/*
 * kern/kern_lock.c: spinlocks, sleeping mutexes, rwlocks and kernel_lock.
 *
 * spinlock: disables interrupts on its CPU for as long as it is held
 * (spinlock_enter/spinlock_exit nest, as xv6's push_off/pop_off), records
 * the owning CPU, and panics on recursion or on a release by a non-owner.
 * While waiting it spins with interrupts as the caller had them.
 *
 * mutex: owned by a thread (the CPU itself before it runs threads). Taken by
 * a compare-and-swap of the owner; a loser spins briefly (only with other
 * CPUs to release it) and then sleeps on the mutex under mtx_interlock,
 * counted in mtx_waiters; the holder wakes one waiter when it leaves and
 * sees any. (OpenBSD's struct mutex spins; this one sleeps, see lock.h.)
 *
 * rwlock: every field under rwl_interlock. Readers wait while a writer holds
 * it or waits for it (writers first, as OpenBSD's rwlock), so a stream of
 * readers cannot starve a writer; writers wait while anyone holds it.
 *
 * kernel_lock: one global recursive lock owned by a thread (or a CPU before
 * it runs threads): a compare-and-swap of the owner, then a count only the
 * owner touches.
 *
 * Every lock reports to witness (kern/subr_witness.c): order check before a
 * blocking acquire, witness_lock once held, witness_unlock on release.
 * Locks live in their users' storage; none needs to be destroyed.
 */
#include "lib.h"
#include "lock.h"
#include "witness.h"
#include "cpu.h"
#include "cpufunc.h"
#include "proc.h"
#include "sched.h"

#define MTX_SPINS	1000	/* pauses before a mutex waiter sleeps */

/* The running thread, or this CPU before it runs threads: what owns a
 * mutex, a rwlock for writing, or kernel_lock. */
static const void *
lock_owner_self(void)
{
	struct proc *p = curproc;

	return p != NULL ? (const void *)p : (const void *)curcpu();
}

/* Wait for a change of a lock guarded by interlock (held): sleep on ident,
 * or, with no thread that may sleep (boot, idle), spin. Returns with
 * interlock held. */
static void
lock_wait(const void *ident, struct spinlock *interlock, const char *wmesg)
{
	struct proc *p = curproc;

	if (p != NULL && p != curcpu()->ci_idleproc) {
		msleep(ident, interlock, wmesg, 0);
		return;
	}
	spinlock_release(interlock);
	cpu_pause();
	spinlock_acquire(interlock);
}

/* ---- spinlock ---- */

/* Disable interrupts on this CPU, nesting. */
void
spinlock_enter(void)
{
	bool on = (read_rflags() & PSL_I) != 0;
	struct cpu_info *ci;

	intr_disable();
	ci = curcpu();
	if (ci->ci_ipl_depth++ == 0)
		ci->ci_ipl_was_on = on;
}

/* Undo one spinlock_enter; interrupts come back on at depth 0 if they were on. */
void
spinlock_exit(void)
{
	struct cpu_info *ci = curcpu();

	KASSERT((read_rflags() & PSL_I) == 0);
	KASSERT(ci->ci_ipl_depth > 0);
	if (--ci->ci_ipl_depth == 0 && ci->ci_ipl_was_on)
		intr_enable();
}

/* Set up an unlocked spinlock of class name (a static string). */
void
spinlock_init(struct spinlock *sl, const char *name)
{
	KASSERT(name != NULL);
	sl->sl_locked = 0;
	sl->sl_owner = NULL;
	sl->sl_lo = (struct lock_object)LOCK_OBJECT_INITIALIZER(name, LO_SPIN);
	sl->sl_file = NULL;
	sl->sl_line = 0;
}

/* Return true if this CPU holds sl. Caller must have interrupts off or hold it. */
bool
spinlock_held(struct spinlock *sl)
{
	return sl->sl_locked && sl->sl_owner == curcpu();
}

/* Panic if this CPU already holds sl. Interrupts are off. */
static void
spinlock_check_recursion(struct spinlock *sl, const char *file, int line)
{
	if (spinlock_held(sl))
		panic("spinlock_acquire: %s recursion at %s:%d (held since %s:%d)",
		    sl->sl_lo.lo_name, file, line, sl->sl_file, sl->sl_line);
}

/* Record that this CPU now holds sl. */
static void
spinlock_took(struct spinlock *sl, const char *file, int line)
{
	sl->sl_owner = curcpu();
	sl->sl_file = file;
	sl->sl_line = line;
	witness_lock(&sl->sl_lo, file, line);
}

/* Try once to take sl; return true if taken (interrupts stay off then). */
bool
_spinlock_tryacquire(struct spinlock *sl, const char *file, int line)
{
	spinlock_enter();
	spinlock_check_recursion(sl, file, line);
	if (__atomic_exchange_n(&sl->sl_locked, 1, __ATOMIC_ACQUIRE) != 0) {
		spinlock_exit();
		return false;
	}
	spinlock_took(sl, file, line);
	return true;
}

/* Take sl, spinning; interrupts are off until the matching release. */
void
_spinlock_acquire(struct spinlock *sl, const char *file, int line)
{
	spinlock_enter();
	spinlock_check_recursion(sl, file, line);
	witness_checkorder(&sl->sl_lo, file, line);
	while (__atomic_exchange_n(&sl->sl_locked, 1, __ATOMIC_ACQUIRE) != 0) {
		spinlock_exit();
		while (sl->sl_locked)
			cpu_pause();
		spinlock_enter();
	}
	spinlock_took(sl, file, line);
}

/* Release sl; caller must hold it. */
void
spinlock_release(struct spinlock *sl)
{
	if (!spinlock_held(sl))
		panic("spinlock_release: %s not held by cpu%u", sl->sl_lo.lo_name,
		    cpu_number());
	witness_unlock(&sl->sl_lo);
	sl->sl_owner = NULL;
	sl->sl_file = NULL;
	__atomic_store_n(&sl->sl_locked, 0, __ATOMIC_RELEASE);
	spinlock_exit();
}

/* ---- mutex ---- */

/* Set up a free mutex of class name (a static string). */
void
mtx_init(struct mutex *m, const char *name)
{
	KASSERT(name != NULL);
	*m = (struct mutex)MUTEX_INITIALIZER(name);
}

/* Take m for self if it is free; return true if taken. */
static bool
mtx_try_own(struct mutex *m, const void *self)
{
	const void *free = NULL;

	return __atomic_compare_exchange_n(&m->mtx_owner, &free, self, false,
	    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

/* Panic if self already holds m. */
static void
mtx_check_recursion(struct mutex *m, const void *self, const char *file,
    int line)
{
	if (__atomic_load_n(&m->mtx_owner, __ATOMIC_RELAXED) == self)
		panic("mtx_enter: %s recursion at %s:%d (held since %s:%d)",
		    m->mtx_lo.lo_name, file, line, m->mtx_file, m->mtx_line);
}

/* Take m, sleeping while another thread holds it. */
void
_mtx_enter(struct mutex *m, const char *file, int line)
{
	const void *self = lock_owner_self();
	int spins;

	mtx_check_recursion(m, self, file, line);
	witness_checkorder(&m->mtx_lo, file, line);
	while (!mtx_try_own(m, self)) {
		for (spins = 0; spins < MTX_SPINS && ncpus > 1 &&
		    __atomic_load_n(&m->mtx_owner, __ATOMIC_RELAXED) != NULL;
		    spins++)
			cpu_pause();
		if (mtx_try_own(m, self))
			break;
		/* mtx_leave clears the owner, then looks for waiters; we
		 * count ourselves, then look at the owner (both seq_cst), so
		 * one of us sees the other. It wakes under the interlock. */
		spinlock_acquire(&m->mtx_interlock);
		__atomic_add_fetch(&m->mtx_waiters, 1, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(&m->mtx_owner, __ATOMIC_SEQ_CST) != NULL)
			lock_wait(m, &m->mtx_interlock, m->mtx_lo.lo_name);
		__atomic_sub_fetch(&m->mtx_waiters, 1, __ATOMIC_SEQ_CST);
		spinlock_release(&m->mtx_interlock);
	}
	m->mtx_file = file;
	m->mtx_line = line;
	witness_lock(&m->mtx_lo, file, line);
}

/* Take m if it is free; return 1 if taken, 0 if another thread holds it. */
int
_mtx_enter_try(struct mutex *m, const char *file, int line)
{
	const void *self = lock_owner_self();

	mtx_check_recursion(m, self, file, line);
	if (!mtx_try_own(m, self))
		return 0;
	m->mtx_file = file;
	m->mtx_line = line;
	witness_lock(&m->mtx_lo, file, line);
	return 1;
}

/* Release m; the running thread must hold it. */
void
mtx_leave(struct mutex *m)
{
	if (!mtx_owned(m))
		panic("mtx_leave: %s not held by this thread", m->mtx_lo.lo_name);
	witness_unlock(&m->mtx_lo);
	m->mtx_file = NULL;
	m->mtx_line = 0;
	__atomic_store_n(&m->mtx_owner, NULL, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&m->mtx_waiters, __ATOMIC_SEQ_CST) > 0) {
		spinlock_acquire(&m->mtx_interlock);
		wakeup_one(m);
		spinlock_release(&m->mtx_interlock);
	}
}

/* Return true if the running thread holds m. */
bool
mtx_owned(struct mutex *m)
{
	return __atomic_load_n(&m->mtx_owner, __ATOMIC_RELAXED) ==
	    lock_owner_self();
}

/* ---- rwlock ---- */

/* Set up an unlocked rwlock of class name (a static string). */
void
rw_init(struct rwlock *rwl, const char *name)
{
	KASSERT(name != NULL);
	*rwl = (struct rwlock)RWLOCK_INITIALIZER(name);
}

/* Take rwl for reading, sleeping while a writer holds or awaits it. */
void
_rw_enter_read(struct rwlock *rwl, const char *file, int line)
{
	witness_checkorder(&rwl->rwl_lo, file, line);
	spinlock_acquire(&rwl->rwl_interlock);
	if (rwl->rwl_writer == lock_owner_self())
		panic("rw_enter_read: %s write-locked by this thread, at %s:%d",
		    rwl->rwl_lo.lo_name, file, line);
	while (rwl->rwl_writer != NULL || rwl->rwl_wwait > 0) {
		rwl->rwl_rwait++;
		lock_wait(&rwl->rwl_readers, &rwl->rwl_interlock, rwl->rwl_lo.lo_name);
		rwl->rwl_rwait--;
	}
	rwl->rwl_readers++;
	spinlock_release(&rwl->rwl_interlock);
	witness_lock(&rwl->rwl_lo, file, line);
}

/* Release a read hold on rwl; the running thread must have one. */
void
rw_exit_read(struct rwlock *rwl)
{
	spinlock_acquire(&rwl->rwl_interlock);
	if (rwl->rwl_readers == 0)
		panic("rw_exit_read: %s not read-locked", rwl->rwl_lo.lo_name);
	if (--rwl->rwl_readers == 0 && rwl->rwl_wwait > 0)
		wakeup_one(&rwl->rwl_writer);
	spinlock_release(&rwl->rwl_interlock);
	witness_unlock(&rwl->rwl_lo);
}

/* Take rwl for writing, sleeping while anyone holds it. */
void
_rw_enter_write(struct rwlock *rwl, const char *file, int line)
{
	const void *self = lock_owner_self();

	witness_checkorder(&rwl->rwl_lo, file, line);
	spinlock_acquire(&rwl->rwl_interlock);
	if (rwl->rwl_writer == self)
		panic("rw_enter_write: %s recursion at %s:%d",
		    rwl->rwl_lo.lo_name, file, line);
	while (rwl->rwl_writer != NULL || rwl->rwl_readers > 0) {
		rwl->rwl_wwait++;
		lock_wait(&rwl->rwl_writer, &rwl->rwl_interlock, rwl->rwl_lo.lo_name);
		rwl->rwl_wwait--;
	}
	rwl->rwl_writer = self;
	spinlock_release(&rwl->rwl_interlock);
	witness_lock(&rwl->rwl_lo, file, line);
}

/* Release the write hold on rwl; the running thread must have it. */
void
rw_exit_write(struct rwlock *rwl)
{
	spinlock_acquire(&rwl->rwl_interlock);
	if (rwl->rwl_writer != lock_owner_self())
		panic("rw_exit_write: %s not write-locked by this thread",
		    rwl->rwl_lo.lo_name);
	rwl->rwl_writer = NULL;
	if (rwl->rwl_wwait > 0)
		wakeup_one(&rwl->rwl_writer);
	else if (rwl->rwl_rwait > 0)
		wakeup(&rwl->rwl_readers);
	spinlock_release(&rwl->rwl_interlock);
	witness_unlock(&rwl->rwl_lo);
}

/* Return RW_WRITE, RW_READ, RW_WRITE_OTHER, or 0 if unlocked. */
int
rw_status(struct rwlock *rwl)
{
	int st = 0;

	spinlock_acquire(&rwl->rwl_interlock);
	if (rwl->rwl_writer == lock_owner_self())
		st = RW_WRITE;
	else if (rwl->rwl_writer != NULL)
		st = RW_WRITE_OTHER;
	else if (rwl->rwl_readers > 0)
		st = RW_READ;
	spinlock_release(&rwl->rwl_interlock);
	return st;
}

/* ---- kernel_lock ---- */

static struct {
	const void	*kl_owner;	/* holder or NULL [atomic] */
	int		kl_count;	/* recursion depth [kl_owner] */
	struct lock_object kl_lo;
} kernel_lock = { NULL, 0, LOCK_OBJECT_INITIALIZER("kernel_lock", LO_KERNEL) };

/* Take kernel_lock (again, if the running thread holds it). */
void
_kernel_lock(const char *file, int line)
{
	const void *self = lock_owner_self(), *free;

	if (__atomic_load_n(&kernel_lock.kl_owner, __ATOMIC_RELAXED) == self) {
		kernel_lock.kl_count++;
		return;
	}
	witness_checkorder(&kernel_lock.kl_lo, file, line);
	for (;;) {
		free = NULL;
		if (__atomic_compare_exchange_n(&kernel_lock.kl_owner, &free,
		    self, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			break;
		while (__atomic_load_n(&kernel_lock.kl_owner, __ATOMIC_RELAXED) != NULL)
			cpu_pause();
	}
	kernel_lock.kl_count = 1;
	witness_lock(&kernel_lock.kl_lo, file, line);
}

/* Drop one hold on kernel_lock; the running thread must hold it. */
void
kernel_unlock(void)
{
	if (!kernel_lock_held())
		panic("kernel_unlock: kernel_lock not held by this thread");
	if (--kernel_lock.kl_count > 0)
		return;
	witness_unlock(&kernel_lock.kl_lo);
	__atomic_store_n(&kernel_lock.kl_owner, NULL, __ATOMIC_RELEASE);
}

/* Return true if the running thread holds kernel_lock. */
bool
kernel_lock_held(void)
{
	return __atomic_load_n(&kernel_lock.kl_owner, __ATOMIC_RELAXED) ==
	    lock_owner_self();
}

/* Drop every hold the running thread has on kernel_lock; return how many
 * (0 if it held none). */
int
kernel_lock_release_all(void)
{
	int n;

	if (!kernel_lock_held())
		return 0;
	n = kernel_lock.kl_count;
	kernel_lock.kl_count = 1;
	kernel_unlock();
	return n;
}

/* Take kernel_lock n times (n >= 0), undoing kernel_lock_release_all. */
void
_kernel_lock_acquire_count(int n, const char *file, int line)
{
	KASSERT(n >= 0);
	if (n == 0)
		return;
	_kernel_lock(file, line);
	kernel_lock.kl_count += n - 1;
}
