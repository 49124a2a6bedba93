/*
 * Safe memory reclamation (kern/subr_smr.c), with OpenBSD smr(9)'s interface.
 *
 * Readers find shared objects without locks inside a read section; a writer
 * that unlinks an object hands it to smr_call, which runs the free after a
 * grace period, once no read section that could have seen the object is
 * still running.
 *
 *	smr_read_enter();
 *	p = SMR_PTR_GET(&table[i]);
 *	if (p != NULL)
 *		v = p->value;
 *	smr_read_leave();
 *
 *	old = table[i];				(writer, under its own lock)
 *	SMR_PTR_SET_LOCKED(&table[i], NULL);
 *	smr_call(&old->entry, old_free, old);
 *
 * Read sections run with interrupts off (they nest spinlock_enter): that is
 * the scheduler's way to forbid preemption (preempt() happens only when the
 * interrupted code held no spinlock), so no hook in the preemption check is
 * needed, and a timer tick can never land inside a section. A read section is
 * short, per-CPU (no atomic, no shared cache line written) and must not
 * sleep: mi_switch panics on a thread that switches inside one.
 *
 * A CPU passes a quiescent state when it context-switches or takes a timer
 * tick (an idle CPU ticks too), through smr_quiescent. A grace period
 * started at sequence S ends when every online CPU has passed one after S.
 * Callbacks run in the "smr" kernel thread, in the order they were queued,
 * with no lock held.
 *
 * The backlog of queued callbacks is bounded by a watermark (boot option
 * smr_backlog=, default SMR_BACKLOG_DEFAULT): smr_call, which may sleep, waits
 * while the backlog is at the watermark, so sleeping callers never push it
 * past it. smr_call_nowait, for callers that cannot sleep, always queues and
 * counts an overflow when the backlog is at or above the watermark; its
 * callers must be bounded by something else (one per interrupt, one per
 * exiting thread), and the overflow counter shows when they are not.
 */
#ifndef _SMR_H_
#define _SMR_H_

#include "types.h"

#define SMR_BACKLOG_DEFAULT	1024
#define SMR_BACKLOG_LIMIT	(1UL << 20)	/* largest smr_backlog= accepted */

/* A deferred call; embed one in each object freed through SMR. */
struct smr_entry {
	struct smr_entry *se_next;	/* queue link [smr_lock] */
	void		(*se_fn)(void *); /* [smr_lock until run] */
	void		*se_arg;	/* [smr_lock until run] */
};

/* A snapshot of the counters. */
struct smr_stats {
	uint64_t	ss_pending;	/* callbacks queued and not yet run */
	uint64_t	ss_peak;	/* highest ss_pending since boot or the
					 * last smr_stats_reset_peak */
	uint64_t	ss_backlog_max;	/* the watermark */
	uint64_t	ss_grace;	/* grace periods completed */
	uint64_t	ss_called;	/* callbacks run */
	uint64_t	ss_waits;	/* smr_call calls that waited at the watermark */
	uint64_t	ss_overflows;	/* smr_call_nowait calls at or above it */
};

/* Read a pointer published for SMR readers (inside a read section). */
#define SMR_PTR_GET(pptr)	__atomic_load_n((pptr), __ATOMIC_ACQUIRE)
/* Publish or unpublish a pointer; caller holds the writers' lock. */
#define SMR_PTR_SET_LOCKED(pptr, v) \
	__atomic_store_n((pptr), (v), __ATOMIC_RELEASE)

/* Start the smr thread and read smr_backlog=; once at boot, after
 * kthread_init. */
void	smr_init(void);

/* Enter a read section (nests); interrupts stay off until the outermost
 * smr_read_leave. */
void	smr_read_enter(void);
/* Leave a read section. Caller is in one. */
void	smr_read_leave(void);
/* Return true if the caller is inside a read section. */
bool	smr_read_held(void);

#define SMR_ASSERT_CRITICAL() do {					\
	if (!smr_read_held())						\
		panic("%s: not in an SMR read section", __func__);	\
} while (0)
#define SMR_ASSERT_NONCRITICAL() do {					\
	if (smr_read_held())						\
		panic("%s: in an SMR read section", __func__);		\
} while (0)

/* Run fn(arg) in the smr thread after a grace period. May sleep while the
 * backlog is at the watermark: caller holds no spinlock and is not in a read
 * section. e must not be queued already. */
void	smr_call(struct smr_entry *e, void (*fn)(void *), void *arg);
/* smr_call that never sleeps, for callers that cannot (spinlock held,
 * interrupt handler, read section). Caller holds no sleep-queue or run-queue
 * lock. */
void	smr_call_nowait(struct smr_entry *e, void (*fn)(void *), void *arg);
/* Sleep until every callback queued before this call has run (so at least
 * one grace period has passed). Same context rules as smr_call; not from a
 * callback. */
void	smr_barrier(void);

/* This CPU passed a quiescent state: from hardclock and mi_switch, with
 * interrupts off and outside any read section. */
void	smr_quiescent(void);

/* Snapshot the counters. */
void	smr_stats_get(struct smr_stats *st);
/* Restart peak tracking from the current backlog. */
void	smr_stats_reset_peak(void);

#endif
