/*
 * kern/kern_lock.c: spinlocks.
 *
 * A spinlock disables interrupts on its CPU for as long as it is held
 * (spinlock_enter/spinlock_exit nest, as xv6's push_off/pop_off), records the
 * owning CPU, and panics on recursion or on a release by a non-owner.
 */
#include "lib.h"
#include "lock.h"
#include "cpu.h"
#include "cpufunc.h"

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

void
spinlock_init(struct spinlock *sl, const char *name)
{
	sl->sl_locked = 0;
	sl->sl_owner = NULL;
	sl->sl_name = name;
	sl->sl_file = NULL;
	sl->sl_line = 0;
}

/* Return true if this CPU holds sl. Caller must have interrupts off or hold it. */
bool
spinlock_held(struct spinlock *sl)
{
	return sl->sl_locked && sl->sl_owner == curcpu();
}

/* Try once to take sl; return true if taken (interrupts stay off then). */
bool
_spinlock_tryacquire(struct spinlock *sl, const char *file, int line)
{
	spinlock_enter();
	if (spinlock_held(sl))
		panic("spinlock_acquire: %s recursion at %s:%d (held since %s:%d)",
		    sl->sl_name, file, line, sl->sl_file, sl->sl_line);
	if (__atomic_exchange_n(&sl->sl_locked, 1, __ATOMIC_ACQUIRE) != 0) {
		spinlock_exit();
		return false;
	}
	sl->sl_owner = curcpu();
	sl->sl_file = file;
	sl->sl_line = line;
	return true;
}

/* Take sl, spinning; interrupts are off until the matching release. */
void
_spinlock_acquire(struct spinlock *sl, const char *file, int line)
{
	while (!_spinlock_tryacquire(sl, file, line))
		while (sl->sl_locked)
			cpu_pause();
}

/* Release sl; caller must hold it. */
void
spinlock_release(struct spinlock *sl)
{
	if (!spinlock_held(sl))
		panic("spinlock_release: %s not held by cpu%u", sl->sl_name,
		    cpu_number());
	sl->sl_owner = NULL;
	sl->sl_file = NULL;
	__atomic_store_n(&sl->sl_locked, 0, __ATOMIC_RELEASE);
	spinlock_exit();
}
