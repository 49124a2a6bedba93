/*
 * kern/kern_synch.c: sleep and wakeup.
 *
 * Owns the sleep queues: SLPQUE_BUCKETS buckets hashed by wait channel, each
 * a FIFO of sleeping threads under its own spinlock (sq_lock). A sleeper is
 * on exactly one bucket from msleep until a wakeup or its timeout removes it;
 * whoever removes it makes it runnable (setrunnable) while still holding the
 * bucket lock, so a thread is never woken twice.
 *
 * msleep takes the bucket lock before dropping the caller's interlock, so a
 * wakeup issued under the interlock cannot slip between the caller's test
 * and its sleep. Lock order: interlock -> sq_lock -> run-queue lock.
 *
 * Timeouts: a sleeper with a timeout records the tick it ends at; CPU 0's
 * clock interrupt (sleepq_clock) walks the buckets that hold timed sleepers
 * and wakes the expired ones with p_timedout set.
 *
 * Interruptible sleeps (msleep_sig, OpenBSD's PCATCH): the sleeper sets
 * p_wchan and p_sigsleep under the bucket lock, then looks for a signal
 * (sig_pending_intr); a poster (kern/kern_sig.c) records the signal, then
 * calls wakeup_sig, which reads p_wchan and takes that bucket's lock. A
 * full fence on each side between the write and the read makes at least
 * one of them see the other, so no signal slips past a sleeper.
 */
#include "lib.h"
#include "cpu.h"
#include "cpufunc.h"
#include "lock.h"
#include "witness.h"
#include "errno.h"
#include "clock.h"
#include "proc.h"
#include "sched.h"
#include "signal.h"

#define SLPQUE_BUCKETS	64	/* a power of two */

struct sleepq {
	struct spinlock	sq_lock;
	struct proc	*sq_head;	/* oldest sleeper first [sq_lock] */
	struct proc	**sq_tailp;	/* [sq_lock] */
	int		sq_ntimed;	/* sleepers with a timeout [sq_lock;
					 * read racily by sleepq_clock] */
};

static struct sleepq sleepq[SLPQUE_BUCKETS];

/* The bucket of wait channel ident. */
static struct sleepq *
sleepq_lookup(const void *ident)
{
	uintptr_t h = (uintptr_t)ident;

	h ^= h >> 6;
	h ^= h >> 12;
	return &sleepq[h & (SLPQUE_BUCKETS - 1)];
}

/* Initialize the sleep queues; once at boot. */
void
sleepq_init(void)
{
	int i;

	for (i = 0; i < SLPQUE_BUCKETS; i++) {
		spinlock_init(&sleepq[i].sq_lock, "sleepq");
		sleepq[i].sq_head = NULL;
		sleepq[i].sq_tailp = &sleepq[i].sq_head;
		sleepq[i].sq_ntimed = 0;
	}
}

/* Append p to sq. Caller holds sq_lock. */
static void
sleepq_insert(struct sleepq *sq, struct proc *p)
{
	p->p_slpnext = NULL;
	p->p_slpprev = sq->sq_tailp;
	*sq->sq_tailp = p;
	sq->sq_tailp = &p->p_slpnext;
	if (p->p_slptimeout != 0)
		sq->sq_ntimed++;
}

/* Take p off sq and make it runnable. Caller holds sq_lock. */
static void
sleepq_wake(struct sleepq *sq, struct proc *p)
{
	*p->p_slpprev = p->p_slpnext;
	if (p->p_slpnext != NULL)
		p->p_slpnext->p_slpprev = p->p_slpprev;
	else
		sq->sq_tailp = p->p_slpprev;
	p->p_slpnext = NULL;
	p->p_slpprev = NULL;
	if (p->p_slptimeout != 0)
		sq->sq_ntimed--;
	p->p_wchan = NULL;
	p->p_sigsleep = false;
	setrunnable(p);
}

/* msleep and msleep_sig; catch: a signal ends the sleep with EINTR. */
static int
sleep_common(const void *ident, struct spinlock *interlock, const char *wmesg,
    uint64_t timo, bool catch)
{
	struct sleepq *sq = sleepq_lookup(ident);
	struct proc *p = curproc;
	struct cpu_info *ci;
	int held = interlock != NULL ? 1 : 0, klocks, error;

	KASSERT(ident != NULL && wmesg != NULL);
	WITNESS_ASSERT_MAY_SLEEP(interlock);
	klocks = kernel_lock_release_all();

	spinlock_acquire(&sq->sq_lock);
	ci = curcpu();			/* stable: interrupts are off */
	if (p == NULL || p == ci->ci_idleproc)
		panic("msleep: %s: no thread to put to sleep on cpu%u", wmesg,
		    ci->ci_cpuid);
	if (interlock != NULL)
		SPINLOCK_ASSERT_HELD(interlock);
	if (ci->ci_ipl_depth != held + 1)
		panic("msleep: %s: %s sleeping with %d spinlocks held besides "
		    "the interlock", wmesg, p->p_name, ci->ci_ipl_depth - held - 1);
	if (!ci->ci_ipl_was_on)
		panic("msleep: %s: %s sleeping with interrupts off (in an "
		    "interrupt handler?)", wmesg, p->p_name);
	if (interlock != NULL)
		spinlock_release(interlock);

	p->p_wchan = ident;
	if (catch) {
		p->p_sigsleep = true;
		/* pairs with wakeup_sig's fence */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (sig_pending_intr(p)) {
			p->p_wchan = NULL;
			p->p_sigsleep = false;
			spinlock_release(&sq->sq_lock);
			error = EINTR;
			goto out;
		}
	}
	p->p_wmesg = wmesg;
	p->p_slptimeout = timo > 0 ? __atomic_load_n(&ticks, __ATOMIC_RELAXED) +
	    timo : 0;
	p->p_timedout = false;
	p->p_stat = SSLEEP;
	sleepq_insert(sq, p);
	sched_sleep(&sq->sq_lock);

	/* woken: p_timedout was written before we were queued to run */
	error = p->p_timedout ? EWOULDBLOCK : 0;
	if (error == 0 && catch && sig_pending_intr(p))
		error = EINTR;
	p->p_wmesg = NULL;
out:
	kernel_lock_acquire_count(klocks);
	if (interlock != NULL)
		spinlock_acquire(interlock);
	return error;
}

/*
 * Sleep on ident until woken or, if timo > 0, for timo ticks. interlock, if
 * given, must be the only spinlock held; it is released once the sleep is
 * registered and retaken before returning. kernel_lock is given up across
 * the sleep. Return 0 when woken, EWOULDBLOCK on timeout.
 */
int
msleep(const void *ident, struct spinlock *interlock, const char *wmesg,
    uint64_t timo)
{
	return sleep_common(ident, interlock, wmesg, timo, false);
}

/*
 * msleep that a signal interrupts: return EINTR, without sleeping or once
 * woken, if the thread has a signal that sig_pending_intr counts (caught,
 * deadly or stopping); else as msleep. The caller gives up and returns
 * EINTR towards user mode, where userret acts on the signal.
 */
int
msleep_sig(const void *ident, struct spinlock *interlock, const char *wmesg,
    uint64_t timo)
{
	return sleep_common(ident, interlock, wmesg, timo, true);
}

/* End p's msleep_sig, if it is in one: a signal was posted to it. Caller
 * recorded the signal first; any spinlocks but sleep-queue and run-queue
 * locks may be held. */
void
wakeup_sig(struct proc *p)
{
	const void *ident;
	struct sleepq *sq;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* sleep_common's */
	ident = __atomic_load_n(&p->p_wchan, __ATOMIC_RELAXED);
	if (ident == NULL)
		return;
	sq = sleepq_lookup(ident);
	spinlock_acquire(&sq->sq_lock);
	/* still that sleep (not a later one, which saw the signal itself) */
	if (p->p_wchan == ident && p->p_sigsleep && p->p_stat == SSLEEP)
		sleepq_wake(sq, p);
	spinlock_release(&sq->sq_lock);
}

/* Wake up to n threads sleeping on ident, oldest first (n < 0: all). */
static void
wakeup_n(const void *ident, int n)
{
	struct sleepq *sq = sleepq_lookup(ident);
	struct proc *p, *next;

	spinlock_acquire(&sq->sq_lock);
	for (p = sq->sq_head; p != NULL && n != 0; p = next) {
		next = p->p_slpnext;
		if (p->p_wchan != ident)
			continue;
		sleepq_wake(sq, p);
		n--;
	}
	spinlock_release(&sq->sq_lock);
}

/* Wake every thread sleeping on ident. */
void
wakeup(const void *ident)
{
	wakeup_n(ident, -1);
}

/* Wake the thread that has slept longest on ident, if any. */
void
wakeup_one(const void *ident)
{
	wakeup_n(ident, 1);
}

/* Wake, with p_timedout set, every sleeper whose timeout tick has come.
 * CPU 0's clock interrupt, interrupts off. */
void
sleepq_clock(uint64_t now)
{
	struct proc *p, *next;
	int i;

	for (i = 0; i < SLPQUE_BUCKETS; i++) {
		struct sleepq *sq = &sleepq[i];

		if (__atomic_load_n(&sq->sq_ntimed, __ATOMIC_RELAXED) == 0)
			continue;
		spinlock_acquire(&sq->sq_lock);
		for (p = sq->sq_head; p != NULL; p = next) {
			next = p->p_slpnext;
			if (p->p_slptimeout == 0 || now < p->p_slptimeout)
				continue;
			p->p_timedout = true;
			sleepq_wake(sq, p);
		}
		spinlock_release(&sq->sq_lock);
	}
}
