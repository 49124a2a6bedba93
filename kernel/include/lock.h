/*
 * Locks (kern/kern_lock.c).
 *
 * spinlock: IRQ-safe (interrupts stay off on this CPU while any is held),
 * records its owner; taking one you hold panics.
 */
#ifndef _LOCK_H_
#define _LOCK_H_

#include "types.h"

struct cpu_info;

struct spinlock {
	volatile uint32_t sl_locked;
	struct cpu_info	*sl_owner;	/* CPU holding it, or NULL */
	const char	*sl_name;
	const char	*sl_file;	/* where it was last taken */
	int		sl_line;
};

#define SPINLOCK_INITIALIZER(name) { 0, NULL, name, NULL, 0 }

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
		panic("%s: spinlock %s not held", __func__, (sl)->sl_name); \
} while (0)

/* Disable interrupts on this CPU, nesting; spinlock_exit re-enables at depth 0. */
void	spinlock_enter(void);
void	spinlock_exit(void);

#endif
