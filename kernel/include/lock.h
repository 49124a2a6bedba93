/*
 * Locks (kern/kern_lock.c), each checked by witness (kern/subr_witness.c).
 *
 * spinlock: IRQ-safe (interrupts stay off on this CPU while any is held),
 *	owned by a CPU; taking one you hold panics. For short critical sections
 *	that never sleep.
 * mutex: a SLEEPING mutual-exclusion lock owned by a thread (struct proc).
 *	Unlike OpenBSD's struct mutex, which spins, this one spins briefly and
 *	then sleeps, because its users (vm_map, process structures) block while
 *	holding it. Recursion and releasing one you do not hold panic.
 * rwlock: sleeping reader/writer lock (vm_map): many readers or one writer;
 *	a waiting writer keeps new readers out, so writers are not starved.
 * kernel_lock: the recursive big lock (OpenBSD's __mp_lock): owned by one
 *	thread with a recursion count; waiters spin with interrupts as the
 *	caller had them (on, unless a spinlock is held). A thread that sleeps
 *	while holding it gives it up across the sleep and takes it back after
 *	(msleep does this with kernel_lock_release_all/kernel_lock_acquire_count).
 *	Never taken from interrupt handlers.
 *
 * Every lock has a name; all locks initialized with the same name form one
 * witness class, whose acquisition order witness checks. The name must be a
 * static string.
 */
#ifndef _LOCK_H_
#define _LOCK_H_

#include "types.h"

struct cpu_info;

/* Lock types (lo_type). */
#define LO_SPIN		1	/* spinlock */
#define LO_MUTEX	2	/* sleeping mutex */
#define LO_RWLOCK	3	/* sleeping rwlock */
#define LO_KERNEL	4	/* kernel_lock */

/* What witness knows about one lock: its class and type. */
struct lock_object {
	const char	*lo_name;	/* class name, a static string [const] */
	uint16_t	lo_type;	/* LO_* [const] */
	uint16_t	lo_class;	/* witness class + 1, 0 until first use [atomic] */
};

#define LOCK_OBJECT_INITIALIZER(name, type)	{ name, type, 0 }

/* ---- spinlock ---- */

struct spinlock {
	volatile uint32_t sl_locked;	/* [atomic] */
	struct cpu_info	*sl_owner;	/* CPU holding it, or NULL [sl_locked] */
	struct lock_object sl_lo;
	const char	*sl_file;	/* where it was last taken [sl_locked] */
	int		sl_line;
};

#define SPINLOCK_INITIALIZER(name)					\
	{ 0, NULL, LOCK_OBJECT_INITIALIZER(name, LO_SPIN), NULL, 0 }

void	spinlock_init(struct spinlock *sl, const char *name);
void	_spinlock_acquire(struct spinlock *sl, const char *file, int line);
/* Try once; return true if taken. */
bool	_spinlock_tryacquire(struct spinlock *sl, const char *file, int line);
void	spinlock_release(struct spinlock *sl);
/* Return true if this CPU holds sl. */
bool	spinlock_held(struct spinlock *sl);

#define spinlock_acquire(sl)	_spinlock_acquire(sl, __FILE__, __LINE__)
#define spinlock_tryacquire(sl)	_spinlock_tryacquire(sl, __FILE__, __LINE__)
#define SPINLOCK_ASSERT_HELD(sl) do {					\
	if (!spinlock_held(sl))						\
		panic("%s: spinlock %s not held", __func__,		\
		    (sl)->sl_lo.lo_name);				\
} while (0)

/* Disable interrupts on this CPU, nesting; spinlock_exit re-enables at depth 0. */
void	spinlock_enter(void);
void	spinlock_exit(void);

/* ---- mutex (sleeping) ---- */

struct mutex {
	struct spinlock	mtx_interlock;	/* guards the sleep on this mutex */
	const void	*mtx_owner;	/* holder or NULL [atomic]: a struct
					 * proc, or a struct cpu_info before
					 * that CPU runs threads (boot) */
	uint32_t	mtx_waiters;	/* threads about to sleep or asleep [mtx_interlock] */
	struct lock_object mtx_lo;
	const char	*mtx_file;	/* where the holder took it [holder] */
	int		mtx_line;
};

#define MUTEX_INITIALIZER(name) {					\
	SPINLOCK_INITIALIZER("mtx_interlock"), NULL, 0,			\
	LOCK_OBJECT_INITIALIZER(name, LO_MUTEX), NULL, 0 }

void	mtx_init(struct mutex *m, const char *name);
void	_mtx_enter(struct mutex *m, const char *file, int line);
/* Take m if it is free; return 1 if taken, 0 if another thread holds it. */
int	_mtx_enter_try(struct mutex *m, const char *file, int line);
void	mtx_leave(struct mutex *m);
/* Return true if the running thread holds m. */
bool	mtx_owned(struct mutex *m);

#define mtx_enter(m)		_mtx_enter(m, __FILE__, __LINE__)
#define mtx_enter_try(m)	_mtx_enter_try(m, __FILE__, __LINE__)
#define MUTEX_ASSERT_LOCKED(m) do {					\
	if (!mtx_owned(m))						\
		panic("%s: mutex %s not held", __func__, (m)->mtx_lo.lo_name); \
} while (0)
#define MUTEX_ASSERT_UNLOCKED(m) do {					\
	if (mtx_owned(m))						\
		panic("%s: mutex %s held", __func__, (m)->mtx_lo.lo_name); \
} while (0)

/* ---- rwlock (sleeping) ---- */

struct rwlock {
	struct spinlock	rwl_interlock;	/* guards every field below */
	const void	*rwl_writer;	/* write holder or NULL, as mtx_owner
					 * [rwl_interlock] */
	uint32_t	rwl_readers;	/* read holders [rwl_interlock] */
	uint32_t	rwl_wwait;	/* writers waiting [rwl_interlock] */
	uint32_t	rwl_rwait;	/* readers waiting [rwl_interlock] */
	struct lock_object rwl_lo;
};

#define RWLOCK_INITIALIZER(name) {					\
	SPINLOCK_INITIALIZER("rwl_interlock"), NULL, 0, 0, 0,		\
	LOCK_OBJECT_INITIALIZER(name, LO_RWLOCK) }

/* rw_status results, as OpenBSD's */
#define RW_WRITE	1	/* the running thread holds it for writing */
#define RW_READ		2	/* held for reading (by someone) */
#define RW_WRITE_OTHER	3	/* another thread holds it for writing */

void	rw_init(struct rwlock *rwl, const char *name);
void	_rw_enter_read(struct rwlock *rwl, const char *file, int line);
void	rw_exit_read(struct rwlock *rwl);
void	_rw_enter_write(struct rwlock *rwl, const char *file, int line);
void	rw_exit_write(struct rwlock *rwl);
/* Return RW_WRITE, RW_READ, RW_WRITE_OTHER, or 0 if unlocked. */
int	rw_status(struct rwlock *rwl);

#define rw_enter_read(rwl)	_rw_enter_read(rwl, __FILE__, __LINE__)
#define rw_enter_write(rwl)	_rw_enter_write(rwl, __FILE__, __LINE__)
#define RW_ASSERT_WRLOCK(rwl) do {					\
	if (rw_status(rwl) != RW_WRITE)					\
		panic("%s: rwlock %s not write-locked by this thread",	\
		    __func__, (rwl)->rwl_lo.lo_name);			\
} while (0)
#define RW_ASSERT_RDLOCK(rwl) do {					\
	if (rw_status(rwl) != RW_READ)					\
		panic("%s: rwlock %s not read-locked", __func__,	\
		    (rwl)->rwl_lo.lo_name);				\
} while (0)
#define RW_ASSERT_UNLOCKED(rwl) do {					\
	if (rw_status(rwl) != 0)					\
		panic("%s: rwlock %s locked", __func__,			\
		    (rwl)->rwl_lo.lo_name);				\
} while (0)

/* ---- kernel_lock ---- */

void	_kernel_lock(const char *file, int line);
void	kernel_unlock(void);
/* Return true if the running thread holds kernel_lock. */
bool	kernel_lock_held(void);
/* Drop every hold the running thread has on kernel_lock; return how many
 * (0 if it held none). */
int	kernel_lock_release_all(void);
/* Take kernel_lock n times (n >= 0), undoing kernel_lock_release_all. */
void	_kernel_lock_acquire_count(int n, const char *file, int line);

#define KERNEL_LOCK()		_kernel_lock(__FILE__, __LINE__)
#define KERNEL_UNLOCK()		kernel_unlock()
#define kernel_lock_acquire_count(n) \
	_kernel_lock_acquire_count(n, __FILE__, __LINE__)
#define KERNEL_ASSERT_LOCKED() do {					\
	if (!kernel_lock_held())					\
		panic("%s: kernel_lock not held", __func__);		\
} while (0)
#define KERNEL_ASSERT_UNLOCKED() do {					\
	if (kernel_lock_held())						\
		panic("%s: kernel_lock held", __func__);		\
} while (0)

#endif
