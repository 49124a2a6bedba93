/*
 * kern/sys_futex.c: futex(2) (FUTEX_WAIT, FUTEX_WAKE, FUTEX_REQUEUE,
 * FUTEX_CMP_REQUEUE, each private or shared) and the clear_child_tid word
 * a leaving thread zeroes and wakes (musl's thread-list lock depends on it).
 *
 * Keys: a futex is named by a pair (space, offset).
 *  - FUTEX_PRIVATE_FLAG: (the vmspace, the address).
 *  - shared, in a MAP_SHARED mapping: (its amap, the byte offset of the
 *    word in it: amap slot * PAGE_SIZE + page offset), so that processes
 *    sharing the memory (forked with it) meet on one key whatever address
 *    each maps it at. The word is read first, which faults the page in and
 *    gives the entry its amap.
 *  - shared, in private memory: (the vmspace, the address), as Linux keys
 *    private mappings by their mm. So a shared wake also wakes private
 *    waiters on private memory (Linux keeps the two apart; here it is at
 *    worst a spurious wakeup, which every futex user tolerates).
 * A key is only compared, never followed: it stays meaningful while a
 * waiter's process (and so its vmspace or mapping) lives.
 *
 * Queues: FUTEX_BUCKETS buckets hashed by key, each a FIFO of waiters
 * under its spinlock. A waiter (struct futex_waiter, on its thread's
 * stack) is queued first and reads the word after: a waker changes the
 * word before it wakes, so either the waiter reads the new value (EAGAIN)
 * or the waker finds it queued. The waker unlinks the waiters it wakes and
 * marks them fw_woken under the bucket lock; the waiter sleeps on its own
 * struct with the bucket lock as msleep_sig's interlock. REQUEUE moves
 * waiters to another key's bucket (both locks held, lower address first),
 * so a waiter finds its current bucket with futex_lock_waiter.
 *
 * Timeouts (FUTEX_WAIT's relative timespec) are rounded up to clock ticks.
 * A signal (or single-threading) ends a wait with EINTR, unless it was
 * woken first. CMP_REQUEUE compares the word before taking the bucket
 * locks (a copyin may sleep): a change in between costs only a spurious
 * wakeup.
 *
 * Locks: a bucket lock, then (msleep, wakeup) the sleep-queue locks; two
 * bucket locks only in requeue, in address order. The buckets are static.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "clock.h"
#include "lock.h"
#include "proc.h"
#include "sched.h"
#include "syscall.h"
#include "uvm_amap.h"
#include "uvm_map.h"
#include "uvm_vmspace.h"

/* futex ops (Linux's values) */
#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_REQUEUE		3
#define FUTEX_CMP_REQUEUE	4
#define FUTEX_PRIVATE_FLAG	128
#define FUTEX_CLOCK_REALTIME	256
#define FUTEX_CMD_MASK		(~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))

#define FUTEX_BUCKETS		64	/* a power of two */
#define FUTEX_MAXTICKS		((uint64_t)HZ * 86400 * 365)	/* a year */
#define NSEC_PER_SEC		1000000000L

struct futex_key {
	uintptr_t	fk_space;	/* vmspace or amap */
	uintptr_t	fk_off;		/* address or byte offset in the amap */
};

struct futex_bucket;

/* One waiting thread, on its kernel stack. */
struct futex_waiter {
	struct futex_key fw_key;	/* [fw_bucket's lock] */
	struct futex_bucket *fw_bucket;	/* its queue; changed with both
					 * queues' locks held [atomic] */
	struct futex_waiter *fw_next;	/* queue links [fw_bucket's lock] */
	struct futex_waiter **fw_prev;
	bool		fw_woken;	/* a waker took it off the queue
					 * [fw_bucket's lock] */
};

struct futex_bucket {
	struct spinlock	fb_lock;
	struct futex_waiter *fb_head;	/* oldest first [fb_lock] */
	struct futex_waiter *fb_tail;	/* [fb_lock] */
};

static struct futex_bucket futex_buckets[FUTEX_BUCKETS] = {
	[0 ... FUTEX_BUCKETS - 1] = {
		.fb_lock = SPINLOCK_INITIALIZER("futex"),
	},
};

struct futex_timespec {
	int64_t		tv_sec;
	int64_t		tv_nsec;
};

/* The bucket of key k. */
static struct futex_bucket *
futex_bucket_of(const struct futex_key *k)
{
	uint64_t h = (k->fk_space ^ (k->fk_off >> 2)) * 0x9e3779b97f4a7c15UL;

	return &futex_buckets[(h >> 32) & (FUTEX_BUCKETS - 1)];
}

static bool
futex_key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return a->fk_space == b->fk_space && a->fk_off == b->fk_off;
}

/* Append w to b. Caller holds b's lock. */
static void
futex_enqueue(struct futex_bucket *b, struct futex_waiter *w)
{
	SPINLOCK_ASSERT_HELD(&b->fb_lock);
	w->fw_next = NULL;
	w->fw_prev = b->fb_tail != NULL ? &b->fb_tail->fw_next : &b->fb_head;
	*w->fw_prev = w;
	b->fb_tail = w;
	__atomic_store_n(&w->fw_bucket, b, __ATOMIC_RELEASE);
}

/* Take w off b. Caller holds b's lock. */
static void
futex_dequeue(struct futex_bucket *b, struct futex_waiter *w)
{
	SPINLOCK_ASSERT_HELD(&b->fb_lock);
	KASSERT(w->fw_bucket == b);
	*w->fw_prev = w->fw_next;
	if (w->fw_next != NULL)
		w->fw_next->fw_prev = w->fw_prev;
	else if (w->fw_prev == &b->fb_head)
		b->fb_tail = NULL;
	else
		b->fb_tail = (struct futex_waiter *)((char *)w->fw_prev -
		    offsetof(struct futex_waiter, fw_next));
	w->fw_next = NULL;
	w->fw_prev = NULL;
}

/* Lock and return w's current bucket (requeue may move it). */
static struct futex_bucket *
futex_lock_waiter(struct futex_waiter *w)
{
	struct futex_bucket *b;

	for (;;) {
		b = __atomic_load_n(&w->fw_bucket, __ATOMIC_ACQUIRE);
		spinlock_acquire(&b->fb_lock);
		if (w->fw_bucket == b)
			return b;
		spinlock_release(&b->fb_lock);
	}
}

/* Compute the key of the word at va for p; 0 or EFAULT (not mapped).
 * Caller holds no spinlock. */
static int
futex_key_get(struct proc *p, vaddr_t va, bool shared, struct futex_key *k)
{
	struct vmspace *vm = p->p_p->ps_vmspace;
	struct vm_map_entry *e;
	int error = 0;

	k->fk_space = (uintptr_t)vm;
	k->fk_off = va;
	if (!shared)
		return 0;
	rw_enter_read(&vm->vm_map.m_lock);
	e = uvm_map_lookup(&vm->vm_map, va);
	if (e == NULL || (e->e_flags & UVM_ET_GUARD))
		error = EFAULT;
	else if (!(e->e_flags & UVM_ET_COPYONWRITE) && e->e_amap != NULL) {
		k->fk_space = (uintptr_t)e->e_amap;
		k->fk_off = (e->e_amapslot + (va - e->e_start) / PAGE_SIZE) *
		    PAGE_SIZE + (va & PAGE_MASK);
	}
	rw_exit_read(&vm->vm_map.m_lock);
	return error;
}

/* Wake up to n waiters on k (at least one if any, as Linux); return how
 * many were woken. */
static int
futex_wake_key(const struct futex_key *k, int n)
{
	struct futex_bucket *b = futex_bucket_of(k);
	struct futex_waiter *w, *next;
	int woken = 0;

	spinlock_acquire(&b->fb_lock);
	for (w = b->fb_head; w != NULL; w = next) {
		next = w->fw_next;
		if (!futex_key_eq(&w->fw_key, k))
			continue;
		futex_dequeue(b, w);
		w->fw_woken = true;
		wakeup(w);
		if (++woken >= n)
			break;
	}
	spinlock_release(&b->fb_lock);
	return woken;
}

/* Convert a user relative timeout to ticks (>= 1); 0, EFAULT or EINVAL. */
static int
futex_timeout(const void *uts, uint64_t *ticksp)
{
	struct futex_timespec ts;
	uint64_t t;
	int error;

	if ((error = copyin(uts, &ts, sizeof(ts))) != 0)
		return error;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC)
		return EINVAL;
	if ((uint64_t)ts.tv_sec >= FUTEX_MAXTICKS / HZ)
		t = FUTEX_MAXTICKS;
	else
		t = (uint64_t)ts.tv_sec * HZ + (ts.tv_nsec + NSEC_PER_SEC / HZ -
		    1) / (NSEC_PER_SEC / HZ);
	/* the tick in progress is partly gone: one more */
	*ticksp = t + 1;
	return 0;
}

/* FUTEX_WAIT: sleep while the word at va is val, until woken; 0, EAGAIN,
 * ETIMEDOUT, EINTR, EFAULT or EINVAL. */
static int
futex_wait(struct proc *p, vaddr_t va, bool shared, uint32_t val,
    const void *uts)
{
	struct futex_waiter w = { .fw_woken = false };
	struct futex_bucket *b;
	uint64_t timo = 0, deadline = 0, now;
	uint32_t cur;
	int error;

	if (uts != NULL) {
		if ((error = futex_timeout(uts, &timo)) != 0)
			return error;
		deadline = __atomic_load_n(&ticks, __ATOMIC_RELAXED) + timo;
	}
	/* fault the word in (a shared key needs its amap), then queue */
	if ((error = copyin((void *)va, &cur, sizeof(cur))) != 0 ||
	    (error = futex_key_get(p, va, shared, &w.fw_key)) != 0)
		return error;
	b = futex_bucket_of(&w.fw_key);
	spinlock_acquire(&b->fb_lock);
	futex_enqueue(b, &w);
	spinlock_release(&b->fb_lock);

	error = copyin((void *)va, &cur, sizeof(cur));
	if (error == 0 && cur != val)
		error = EAGAIN;
	b = futex_lock_waiter(&w);
	while (error == 0 && !w.fw_woken) {
		if (uts != NULL) {
			now = __atomic_load_n(&ticks, __ATOMIC_RELAXED);
			if (now >= deadline) {
				error = ETIMEDOUT;
				break;
			}
			timo = deadline - now;
		}
		error = msleep_sig(&w, &b->fb_lock, "futex", timo);
		if (error == EWOULDBLOCK)
			error = ETIMEDOUT;
		/* requeue may have moved it while it slept */
		spinlock_release(&b->fb_lock);
		b = futex_lock_waiter(&w);
	}
	if (w.fw_woken)
		error = 0;		/* a wakeup that came wins */
	else
		futex_dequeue(b, &w);
	spinlock_release(&b->fb_lock);
	return error;
}

/* Lock a and b (maybe the same bucket), lower address first. */
static void
futex_lock_pair(struct futex_bucket *a, struct futex_bucket *b)
{
	if (a == b) {
		spinlock_acquire(&a->fb_lock);
	} else if (a < b) {
		spinlock_acquire(&a->fb_lock);
		spinlock_acquire(&b->fb_lock);
	} else {
		spinlock_acquire(&b->fb_lock);
		spinlock_acquire(&a->fb_lock);
	}
}

/* Unlock what futex_lock_pair locked. */
static void
futex_unlock_pair(struct futex_bucket *a, struct futex_bucket *b)
{
	if (a != b)
		spinlock_release(&b->fb_lock);
	spinlock_release(&a->fb_lock);
}

/* FUTEX_REQUEUE: wake up to nwake waiters on k1 and move up to nmove
 * others to k2; return how many were woken and moved. */
static int
futex_requeue(const struct futex_key *k1, const struct futex_key *k2,
    int nwake, int nmove)
{
	struct futex_bucket *b1 = futex_bucket_of(k1), *b2 = futex_bucket_of(k2);
	struct futex_waiter *w, *next;
	int woken = 0, moved = 0;

	futex_lock_pair(b1, b2);
	for (w = b1->fb_head; w != NULL; w = next) {
		next = w->fw_next;
		if (!futex_key_eq(&w->fw_key, k1))
			continue;
		if (woken < nwake) {
			futex_dequeue(b1, w);
			w->fw_woken = true;
			wakeup(w);
			woken++;
		} else if (moved < nmove) {
			futex_dequeue(b1, w);
			w->fw_key = *k2;
			futex_enqueue(b2, w);
			moved++;
		} else
			break;
	}
	futex_unlock_pair(b1, b2);
	return woken + moved;
}

/* futex(uaddr, op, val, timeout or val2, uaddr2, val3) */
long
sys_futex(struct proc *p, const uint64_t *args)
{
	vaddr_t va = args[0], va2 = args[4];
	int op = (int)args[1], cmd = op & FUTEX_CMD_MASK, nwake, nmove;
	bool shared = !(op & FUTEX_PRIVATE_FLAG);
	struct futex_key k, k2;
	uint32_t val = (uint32_t)args[2], cur;
	int error;

	if (cmd != FUTEX_WAIT && cmd != FUTEX_WAKE && cmd != FUTEX_REQUEUE &&
	    cmd != FUTEX_CMP_REQUEUE)
		return -ENOSYS;
	/* as Linux: the realtime clock only for the bitset and PI waits */
	if (op & FUTEX_CLOCK_REALTIME)
		return -ENOSYS;
	if (va & 3)
		return -EINVAL;
	if (!uaddr_ok((void *)va, sizeof(uint32_t)))
		return -EFAULT;

	switch (cmd) {
	case FUTEX_WAIT:
		return -futex_wait(p, va, shared, val, (void *)args[3]);
	case FUTEX_WAKE:
		if ((error = futex_key_get(p, va, shared, &k)) != 0)
			return -error;
		return futex_wake_key(&k, (int)val);
	default:		/* FUTEX_REQUEUE, FUTEX_CMP_REQUEUE */
		nwake = (int)val;
		nmove = (int)args[3];
		if (nwake < 0 || nmove < 0)
			return -EINVAL;
		if (va2 & 3)
			return -EINVAL;
		if (!uaddr_ok((void *)va2, sizeof(uint32_t)))
			return -EFAULT;
		if (cmd == FUTEX_CMP_REQUEUE) {
			if ((error = copyin((void *)va, &cur, sizeof(cur))) != 0)
				return -error;
			if (cur != (uint32_t)args[5])
				return -EAGAIN;
		}
		if ((error = futex_key_get(p, va, shared, &k)) != 0 ||
		    (error = futex_key_get(p, va2, shared, &k2)) != 0)
			return -error;
		return futex_requeue(&k, &k2, nwake, nmove);
	}
}

/* Zero and wake p's clear_child_tid word, once. */
void
futex_clear_child_tid(struct proc *p)
{
	vaddr_t va = p->p_tidaddr;
	uint32_t zero = 0;
	struct futex_key k;

	KASSERT(p == curproc && !(p->p_flag & P_SYSTEM));
	p->p_tidaddr = 0;
	if (va == 0 || (va & 3))
		return;
	/* a detached thread may have unmapped it: errors are ignored */
	if (copyout(&zero, (void *)va, sizeof(zero)) != 0 ||
	    futex_key_get(p, va, true, &k) != 0)
		return;
	futex_wake_key(&k, 1);
}
