/*
 * Pools of fixed-size objects (kern/subr_pool.c), in the manner of OpenBSD's
 * pool(9) with FreeBSD UMA's per-CPU caches.
 *
 *	static struct pool foo_pool;
 *	pool_init(&foo_pool, sizeof(struct foo), 8, "foo");
 *	struct foo *f = pool_get(&foo_pool, PR_NOWAIT | PR_ZERO);
 *	...
 *	pool_put(&foo_pool, f);
 *
 * Objects live in the direct map, in one-page slabs from uvm_page. A freed
 * object's memory may go back to the page allocator at any time: nothing may
 * rely on a freed object keeping its type or contents.
 */
#ifndef _POOL_H_
#define _POOL_H_

#include "types.h"
#include "param.h"
#include "lock.h"

/* pool_get flags. Pools never sleep yet, so PR_NOWAIT is mandatory; a
 * PR_WAITOK (sleep until memory is freed) is for later. */
#define PR_NOWAIT	0x01	/* return NULL when memory is short */
#define PR_ZERO		0x02	/* zero-fill the object */

#define POOL_MAXSIZE	(PAGE_SIZE / 2)	/* largest object a pool serves */
#define POOL_CACHE_MAX	16		/* objects a CPU keeps per pool */
#define POOL_MAXEMPTY	1		/* empty slabs a pool keeps */

/* Debug checks: freed objects hold this byte, red zones the other. */
#define POOL_POISON_BYTE	0x6b
#define POOL_REDZONE_BYTE	0xbb

/* Debug checks for pools initialized while this is set (default on): poison,
 * red zones, double-free detection. [written before pool_init] */
extern bool pool_debug;

/* One CPU's cache of free objects of one pool: a stack, the newest on top.
 * [that CPU, interrupts off] */
struct pool_cache {
	unsigned	pc_nobjs;
	uint64_t	pc_ngets;	/* successful pool_get on this CPU */
	uint64_t	pc_nputs;	/* pool_put on this CPU */
	void		*pc_objs[POOL_CACHE_MAX];
} __aligned(64);

struct pool_slab;

struct pool {
	struct spinlock	pr_lock;	/* the slab lists and their counters */
	const char	*pr_name;	/* [const] */
	size_t		pr_size;	/* object size asked for [const] */
	size_t		pr_align;	/* object alignment [const] */
	size_t		pr_stride;	/* bytes per slot in a slab [const] */
	size_t		pr_objoff;	/* object's offset in its slot [const] */
	size_t		pr_slotoff;	/* first slot's offset in the page [const] */
	unsigned	pr_perslab;	/* slots per slab [const] */
	unsigned	pr_cachemax;	/* per-CPU cache capacity [const] */
	bool		pr_debug;	/* debug checks on [const] */
	struct pool_slab *pr_partial;	/* some objects free [pr_lock] */
	struct pool_slab *pr_full;	/* no object free [pr_lock] */
	struct pool_slab *pr_empty;	/* every object free [pr_lock] */
	uint64_t	pr_nslabs;	/* slabs held [pr_lock] */
	uint64_t	pr_nempty;	/* of which empty [pr_lock] */
	uint64_t	pr_nlive;	/* objects handed out [atomic] */
	uint64_t	pr_peak;	/* highest pr_nlive [atomic] */
	uint64_t	pr_nfail;	/* pool_get returned NULL [atomic] */
	struct pool	*pr_next;	/* on pool_head [pool_list_lock] */
	struct pool_cache pr_cache[MAXCPUS];
};

/* A snapshot of one pool's counters. */
struct pool_stats {
	const char	*pst_name;
	size_t		pst_size;
	size_t		pst_stride;
	unsigned	pst_perslab;
	uint64_t	pst_live, pst_peak, pst_slabs, pst_empty;
	uint64_t	pst_gets, pst_puts, pst_failures;
};

/* Asked by pool_get before it takes an object (NULL: never): return false
 * to fail it, as if memory were short. It takes no lock (the caller may
 * hold spinlocks); set once at boot (failure injection,
 * kern/kern_failinject.c). */
extern bool (*pool_get_hook)(struct pool *pp);

/* Every initialized pool, newest first (for /proc and the GDB helpers).
 * [pool_list_lock] */
extern struct pool *pool_head;

/* Set up pp for objects of size bytes aligned to align (a power of two). */
void	pool_init(struct pool *pp, size_t size, size_t align, const char *name);
/* Tear pp down and give every slab back; no object may be live and no other
 * CPU may use pp any more. */
void	pool_destroy(struct pool *pp);
/* Return an object (flags: PR_NOWAIT, optionally PR_ZERO), or NULL when no
 * memory is left. */
void	*pool_get(struct pool *pp, int flags);
/* Give an object back to the pool it came from. */
void	pool_put(struct pool *pp, void *obj);
/* Empty this CPU's cache of pp and free its empty slabs; return the pages
 * freed. */
unsigned pool_reclaim(struct pool *pp);
/* pool_reclaim every pool; return the pages freed. */
unsigned pool_reclaim_all(void);

/* Snapshot pp's counters into st. */
void	pool_stats_get(struct pool *pp, struct pool_stats *st);
/* Call fn with a snapshot of every pool, under pool_list_lock: fn must not
 * allocate memory or create or destroy pools. */
void	pool_foreach(void (*fn)(const struct pool_stats *, void *), void *arg);
/* Print one line per pool. */
void	pool_stats_print(void);

/* Non-panicking checks (debug pools), for tests and debuggers.
 * Return the first offset in the free object obj that lost its poison, or -1. */
long	pool_poison_find(struct pool *pp, void *obj);
/* Return true if a red-zone byte around obj was overwritten, with its offset
 * from the object's start (negative: before it) in *offp. */
bool	pool_redzone_find(struct pool *pp, void *obj, long *offp);

#endif
