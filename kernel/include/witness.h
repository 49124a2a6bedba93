/*
 * witness-lite (kern/subr_witness.c): lock-order and sleep checking.
 *
 * Each lock name is a class. Taking a lock of class B while holding one of
 * class A records the order A -> B; taking A while holding B once B -> A is
 * known (directly or through other classes) is a lock-order reversal.
 * Taking a sleeping lock, or sleeping, while holding a spinlock (other than
 * the sleep's interlock) is a sleep violation. Both are printed (once per
 * pair of classes), counted and kept as the last report; boot option
 * witness=panic makes them fatal, witness=off turns checking off.
 *
 * Not checked: nesting two locks of the same class (two vm_maps, two
 * pmaps), and kernel_lock against sleeping locks in either order (it is
 * released across every sleep, so no cycle through it can deadlock).
 *
 * The lock code calls witness_checkorder before it may block, witness_lock
 * once it holds the lock and witness_unlock when it lets go. Spinlocks are
 * tracked per CPU; sleeping locks and kernel_lock per thread, in the
 * witness_stack that struct proc embeds (p_witness).
 */
#ifndef _WITNESS_H_
#define _WITNESS_H_

#include "types.h"
#include "lock.h"

#define WITNESS_MAXHELD	16	/* locks one CPU or thread may hold at once */

struct witness_held {
	struct lock_object *wh_lock;
	const char	*wh_file;	/* where it was taken */
	int		wh_line;
};

/* The locks one thread (or one CPU, for spinlocks) holds, oldest first. */
struct witness_stack {
	uint32_t	ws_depth;	/* [owner, interrupts off] */
	struct witness_held ws_held[WITNESS_MAXHELD];
};

/* Kinds of report */
#define WITNESS_LOR	1	/* lock-order reversal */
#define WITNESS_SLEEP	2	/* sleep or sleeping lock under a spinlock */

/* One report, as kept for witness_last_report. */
struct witness_report {
	int		wr_kind;	/* WITNESS_LOR or WITNESS_SLEEP */
	const char	*wr_held;	/* class held */
	const char	*wr_held_file;	/* where it was taken */
	int		wr_held_line;
	const char	*wr_acquired;	/* class being taken, or "sleep" */
	const char	*wr_file;	/* where */
	int		wr_line;
	/* WITNESS_LOR: where the opposite order's first step was first seen:
	 * wr_first_file:wr_first_line took a lock while holding one taken at
	 * wr_first_held_file:wr_first_held_line. NULL if not recorded. */
	const char	*wr_first_held_file;
	int		wr_first_held_line;
	const char	*wr_first_file;
	int		wr_first_line;
};

/* Modes (boot option witness=off|on|panic) */
#define WITNESS_OFF	0	/* no bookkeeping at all */
#define WITNESS_ON	1	/* report and count (the default) */
#define WITNESS_PANIC	2	/* report, then panic */

/* Read the witness= boot option; call once after bootopt_init. */
void	witness_init(void);
/* Return the mode: WITNESS_OFF, WITNESS_ON or WITNESS_PANIC. */
int	witness_getmode(void);

/* Check the order of taking lo at file:line; call before a blocking acquire. */
void	witness_checkorder(struct lock_object *lo, const char *file, int line);
/* Record that lo is now held (taken at file:line). */
void	witness_lock(struct lock_object *lo, const char *file, int line);
/* Record that lo is no longer held; it must be. */
void	witness_unlock(struct lock_object *lo);

/* Report if the running thread holds a spinlock other than interlock
 * (which may be NULL): it is about to sleep at file:line. */
void	witness_assert_may_sleep(struct spinlock *interlock, const char *file,
	    int line);
#define WITNESS_ASSERT_MAY_SLEEP(il) \
	witness_assert_may_sleep(il, __FILE__, __LINE__)

/* Return how many reports (reversals and sleep violations) there have been. */
uint64_t witness_report_count(void);
/* Copy the last report to *wr; return false if there was none. */
bool	witness_last_report(struct witness_report *wr);
/* Forget every order to or from the class named name (tests); return 0,
 * or -1 if there is no such class. No lock of that class may be held. */
int	witness_class_reset(const char *name);

#endif
