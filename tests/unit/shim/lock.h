/*
 * Host shim of lock.h: spinlocks are plain flags. Taking one this fake CPU
 * holds panics (recursion), and so does taking one another fake CPU holds,
 * since a single-threaded test would spin forever. spinlock_enter/exit count
 * the nesting per fake CPU, as the kernel's do.
 */
#ifndef _LOCK_H_
#define _LOCK_H_

#include "types.h"

struct cpu_info;

struct spinlock {
	bool		sl_locked;
	struct cpu_info	*sl_owner;
	const char	*sl_name;
	const char	*sl_file;
	int		sl_line;
};

#define SPINLOCK_INITIALIZER(name) { false, NULL, name, NULL, 0 }

void	spinlock_init(struct spinlock *sl, const char *name);
void	_spinlock_acquire(struct spinlock *sl, const char *file, int line);
bool	_spinlock_tryacquire(struct spinlock *sl, const char *file, int line);
void	spinlock_release(struct spinlock *sl);
bool	spinlock_held(struct spinlock *sl);
void	spinlock_enter(void);
void	spinlock_exit(void);

#define spinlock_acquire(sl)	_spinlock_acquire(sl, __FILE__, __LINE__)
#define spinlock_tryacquire(sl)	_spinlock_tryacquire(sl, __FILE__, __LINE__)
#define SPINLOCK_ASSERT_HELD(sl) do {					\
	if (!spinlock_held(sl))						\
		panic("%s: spinlock %s not held", __func__, (sl)->sl_name); \
} while (0)

#endif
