/*
 * kern/subr_pool.c: pools of fixed-size objects.
 *
 * Owns every struct pool's slabs and per-CPU caches, and the list of pools.
 * Two layers, top down:
 *  - Per-CPU caches (pr_cache[cpu]): a stack of free objects for each CPU,
 *    used by that CPU only, with interrupts off and no lock. An empty cache
 *    takes a batch (half its capacity) from the slab layer; a full one gives
 *    the older half back.
 *  - Slabs: one page from uvm_pagealloc(PG_USE_POOL) each, a struct pool_slab
 *    at the start of the page (the vm_page's pg_owner points at it, which is
 *    how pool_put finds an object's slab from its direct-map address), then
 *    pr_perslab slots. A slab is on pr_partial, pr_full or pr_empty, under
 *    pr_lock. Empty slabs past POOL_MAXEMPTY go back to uvm_page at once;
 *    pool_reclaim frees the others.
 * Slot layout of a debug pool: [header: state, free link][red zone][object]
 * [red zone]. A free object is poisoned; the poison and the red zones are
 * checked when it is handed out and when its slab is freed, the red zones and
 * the state (double free) when it is put back. A pool without debug checks
 * has bare objects, the free link in the object's first word.
 *
 * Failure injection (kern/kern_failinject.c): pool_get_hook, when set, may
 * fail a pool_get before it takes anything, as if no page were left.
 *
 * Locks: pool_list_lock -> pr_lock -> uvm_page_lock. No page is allocated
 * while a pool lock is held, because uvm_pagealloc calls pool_reclaim_all
 * when it runs dry.
 * Lifecycle: pool_init (registers on pool_head) -> pool_get/pool_put ->
 * pool_destroy (nothing live; every slab freed; unregistered).
 */
#include "lib.h"
#include "param.h"
#include "lock.h"
#include "cpu.h"
#include "uvm_page.h"
#include "pool.h"

#define POOL_SLAB_MAGIC		0x736c61622d706f6fULL
#define POOL_OBJ_FREE		0xf4eef4eef4eef4eeULL	/* states of a debug object */
#define POOL_OBJ_LIVE		0x1153115311531153ULL
#define POOL_REDZONE_MIN	8	/* bytes of red zone on each side, at least */

/* The start of every slab page. */
struct pool_slab {
	uint64_t	ps_magic;	/* POOL_SLAB_MAGIC [const] */
	struct pool	*ps_pool;	/* [const] */
	struct vm_page	*ps_page;	/* [const] */
	struct pool_slab *ps_next;	/* on a slab list [pr_lock] */
	struct pool_slab **ps_prevp;	/* [pr_lock] */
	void		*ps_free;	/* first free object [pr_lock] */
	unsigned	ps_nfree;	/* [pr_lock] */
};

/* The start of a debug pool's slot. */
struct pool_objhdr {
	uint64_t	oh_state;	/* POOL_OBJ_FREE or POOL_OBJ_LIVE [atomic] */
	void		*oh_next;	/* free-list link [pr_lock] */
};

bool pool_debug = true;
bool (*pool_get_hook)(struct pool *pp);
struct pool *pool_head;
static struct spinlock pool_list_lock = SPINLOCK_INITIALIZER("pool_list");

static inline struct pool_objhdr *
pool_obj_hdr(struct pool *pp, void *obj)
{
	return (struct pool_objhdr *)((char *)obj - pp->pr_objoff);
}

/* Where a free object's free-list link lives. */
static inline void **
pool_obj_link(struct pool *pp, void *obj)
{
	return pp->pr_debug ? &pool_obj_hdr(pp, obj)->oh_next : (void **)obj;
}

static inline void *
pool_slot_obj(struct pool *pp, struct pool_slab *ps, unsigned i)
{
	return (char *)ps + pp->pr_slotoff + i * pp->pr_stride + pp->pr_objoff;
}

/* Return the slab holding obj; panic, naming fn, if obj is no object of pp. */
static struct pool_slab *
pool_obj_slab(struct pool *pp, void *obj, const char *fn)
{
	struct vm_page *pg = PHYS_TO_VM_PAGE(DMAP_TO_PHYS(obj));
	struct pool_slab *ps;
	uintptr_t off;

	if (pg == NULL || pg->pg_use != PG_USE_POOL ||
	    (ps = pg->pg_owner) == NULL || ps->ps_magic != POOL_SLAB_MAGIC ||
	    ps->ps_pool != pp)
		panic("%s: %p is not an object of pool %s", fn, obj, pp->pr_name);
	off = (uintptr_t)obj - (uintptr_t)ps - pp->pr_slotoff - pp->pr_objoff;
	if ((uintptr_t)obj < (uintptr_t)pool_slot_obj(pp, ps, 0) ||
	    off % pp->pr_stride != 0 || off / pp->pr_stride >= pp->pr_perslab)
		panic("%s: %p is inside a slab of pool %s but not an object",
		    fn, obj, pp->pr_name);
	return ps;
}

/* Return the first offset in the free object obj that lost its poison, or -1
 * (always -1 for a pool without debug checks). */
long
pool_poison_find(struct pool *pp, void *obj)
{
	const uint8_t *p = obj;
	size_t i;

	if (!pp->pr_debug)
		return -1;
	for (i = 0; i < pp->pr_size; i++)
		if (p[i] != POOL_POISON_BYTE)
			return (long)i;
	return -1;
}

/* Return true if a byte of p[from..to) is not the red-zone pattern, its
 * offset in *offp. */
static bool
pool_redzone_scan(const uint8_t *p, long from, long to, long *offp)
{
	long off;

	for (off = from; off < to; off++) {
		if (p[off] != POOL_REDZONE_BYTE) {
			*offp = off;
			return true;
		}
	}
	return false;
}

/* Return true if a red-zone byte around obj was overwritten, with its offset
 * from the object's start (negative: before it) in *offp. */
bool
pool_redzone_find(struct pool *pp, void *obj, long *offp)
{
	long lead = pp->pr_objoff - sizeof(struct pool_objhdr);

	if (!pp->pr_debug)
		return false;
	return pool_redzone_scan(obj, -lead, 0, offp) ||
	    pool_redzone_scan(obj, pp->pr_size, pp->pr_stride - pp->pr_objoff, offp);
}

/* Panic, naming fn, unless the free debug object obj is intact: its state,
 * its poison and its red zones. */
static void
pool_obj_check_free(struct pool *pp, void *obj, const char *fn)
{
	uint64_t state = __atomic_load_n(&pool_obj_hdr(pp, obj)->oh_state,
	    __ATOMIC_RELAXED);
	long off;

	if (state != POOL_OBJ_FREE)
		panic("%s: pool %s: free object %p has state %#lx, not free",
		    fn, pp->pr_name, obj, state);
	if ((off = pool_poison_find(pp, obj)) >= 0)
		panic("%s: pool %s: object %p written after free: offset %#lx "
		    "holds %#x, poison is %#x", fn, pp->pr_name, obj, off,
		    ((uint8_t *)obj)[off], POOL_POISON_BYTE);
	if (pool_redzone_find(pp, obj, &off))
		panic("%s: pool %s: red zone of free object %p overwritten at "
		    "offset %ld", fn, pp->pr_name, obj, off);
}

/* Format a debug slot as free: state, red zones, poison. */
static void
pool_slot_init(struct pool *pp, void *obj)
{
	struct pool_objhdr *oh = pool_obj_hdr(pp, obj);

	oh->oh_state = POOL_OBJ_FREE;
	memset(oh + 1, POOL_REDZONE_BYTE, pp->pr_objoff - sizeof(*oh));
	memset(obj, POOL_POISON_BYTE, pp->pr_size);
	memset((char *)obj + pp->pr_size, POOL_REDZONE_BYTE,
	    pp->pr_stride - pp->pr_objoff - pp->pr_size);
}

static void
pool_slab_insert(struct pool_slab **head, struct pool_slab *ps)
{
	ps->ps_next = *head;
	if (*head != NULL)
		(*head)->ps_prevp = &ps->ps_next;
	*head = ps;
	ps->ps_prevp = head;
}

static void
pool_slab_remove(struct pool_slab *ps)
{
	if (ps->ps_next != NULL)
		ps->ps_next->ps_prevp = ps->ps_prevp;
	*ps->ps_prevp = ps->ps_next;
}

/* The list a slab with nfree free objects belongs on. */
static struct pool_slab **
pool_slab_list(struct pool *pp, unsigned nfree)
{
	if (nfree == 0)
		return &pp->pr_full;
	if (nfree == pp->pr_perslab)
		return &pp->pr_empty;
	return &pp->pr_partial;
}

/* Move ps to the list its free count calls for, after it was oldfree.
 * Caller holds pr_lock. */
static void
pool_slab_relist(struct pool *pp, struct pool_slab *ps, unsigned oldfree)
{
	struct pool_slab **to = pool_slab_list(pp, ps->ps_nfree);

	if (to == pool_slab_list(pp, oldfree))
		return;
	pool_slab_remove(ps);
	pool_slab_insert(to, ps);
	if (oldfree == pp->pr_perslab)
		pp->pr_nempty--;
	if (ps->ps_nfree == pp->pr_perslab)
		pp->pr_nempty++;
}

/* Allocate and format a slab, not yet on a list; return NULL if no page is
 * free. Caller holds no pool lock. */
static struct pool_slab *
pool_slab_alloc(struct pool *pp)
{
	struct vm_page *pg = uvm_pagealloc(PG_USE_POOL, 0);
	struct pool_slab *ps;
	unsigned i;

	if (pg == NULL)
		return NULL;
	ps = VM_PAGE_TO_DMAP(pg);
	*ps = (struct pool_slab){ .ps_magic = POOL_SLAB_MAGIC, .ps_pool = pp,
	    .ps_page = pg, .ps_nfree = pp->pr_perslab };
	for (i = pp->pr_perslab; i-- > 0;) {
		void *obj = pool_slot_obj(pp, ps, i);

		if (pp->pr_debug)
			pool_slot_init(pp, obj);
		*pool_obj_link(pp, obj) = ps->ps_free;
		ps->ps_free = obj;
	}
	pg->pg_owner = ps;
	return ps;
}

/* Free a list of empty slabs linked by ps_next, checking every object of a
 * debug pool (panics name fn); return how many. Caller holds no pool lock. */
static unsigned
pool_slab_free(struct pool *pp, struct pool_slab *list, const char *fn)
{
	struct pool_slab *ps;
	unsigned n = 0, i;

	while ((ps = list) != NULL) {
		list = ps->ps_next;
		KASSERT(ps->ps_nfree == pp->pr_perslab);
		for (i = 0; pp->pr_debug && i < pp->pr_perslab; i++)
			pool_obj_check_free(pp, pool_slot_obj(pp, ps, i), fn);
		ps->ps_magic = 0;
		uvm_pagefree(ps->ps_page);
		n++;
	}
	return n;
}

/* Take a free object from the slab layer, or return NULL if it has none.
 * Caller holds pr_lock. */
static void *
pool_slab_get(struct pool *pp)
{
	struct pool_slab *ps = pp->pr_partial != NULL ? pp->pr_partial : pp->pr_empty;
	void *obj, *next;

	if (ps == NULL)
		return NULL;
	obj = ps->ps_free;
	next = *pool_obj_link(pp, obj);
	if (next != NULL && (uintptr_t)next - (uintptr_t)ps >= PAGE_SIZE)
		panic("pool_get: pool %s: free list of slab %p corrupt after %p",
		    pp->pr_name, ps, obj);
	ps->ps_free = next;
	ps->ps_nfree--;
	pool_slab_relist(pp, ps, ps->ps_nfree + 1);
	return obj;
}

/* Give obj back to its slab; a slab that becomes empty while the pool
 * already keeps POOL_MAXEMPTY goes onto *dead. Caller holds pr_lock. */
static void
pool_slab_put(struct pool *pp, void *obj, struct pool_slab **dead)
{
	struct pool_slab *ps = pool_obj_slab(pp, obj, "pool_put");

	*pool_obj_link(pp, obj) = ps->ps_free;
	ps->ps_free = obj;
	ps->ps_nfree++;
	pool_slab_relist(pp, ps, ps->ps_nfree - 1);
	if (ps->ps_nfree == pp->pr_perslab && pp->pr_nempty > POOL_MAXEMPTY) {
		pool_slab_remove(ps);
		pp->pr_nempty--;
		pp->pr_nslabs--;
		ps->ps_next = *dead;
		*dead = ps;
	}
}

/* Add a fresh slab to pp; return false if no page is free. */
static bool
pool_grow(struct pool *pp)
{
	struct pool_slab *ps = pool_slab_alloc(pp);

	if (ps == NULL)
		return false;
	spinlock_acquire(&pp->pr_lock);
	pool_slab_insert(&pp->pr_empty, ps);
	pp->pr_nslabs++;
	pp->pr_nempty++;
	spinlock_release(&pp->pr_lock);
	return true;
}

/* Move up to half a cache of objects from the slab layer into pc; return how
 * many. Caller has interrupts off and pc is this CPU's. */
static unsigned
pool_cache_refill(struct pool *pp, struct pool_cache *pc)
{
	unsigned n;
	void *obj;

	spinlock_acquire(&pp->pr_lock);
	for (n = 0; n < pp->pr_cachemax / 2 && (obj = pool_slab_get(pp)) != NULL; n++)
		pc->pc_objs[pc->pc_nobjs++] = obj;
	spinlock_release(&pp->pr_lock);
	return n;
}

/* Give the n oldest objects of pc back to the slab layer, then free the slabs
 * that leaves spare (panics name fn); return the pages freed. Caller has
 * interrupts off and owns pc: it is this CPU's, or pp is being destroyed. */
static unsigned
pool_cache_flush(struct pool *pp, struct pool_cache *pc, unsigned n,
    const char *fn)
{
	struct pool_slab *dead = NULL;
	unsigned i;

	KASSERT(n <= pc->pc_nobjs);
	spinlock_acquire(&pp->pr_lock);
	for (i = 0; i < n; i++)
		pool_slab_put(pp, pc->pc_objs[i], &dead);
	spinlock_release(&pp->pr_lock);
	memmove(pc->pc_objs, pc->pc_objs + n, (pc->pc_nobjs - n) * sizeof(void *));
	pc->pc_nobjs -= n;
	return pool_slab_free(pp, dead, fn);
}

/* Set up pp for objects of size bytes aligned to align (a power of two). */
void
pool_init(struct pool *pp, size_t size, size_t align, const char *name)
{
	KASSERT(name != NULL);
	KASSERT(size > 0 && size <= POOL_MAXSIZE);
	KASSERT(align > 0 && (align & (align - 1)) == 0 && align <= POOL_MAXSIZE);
	memset(pp, 0, sizeof(*pp));
	spinlock_init(&pp->pr_lock, "pool");	/* one lock class: they never nest */
	pp->pr_name = name;
	pp->pr_size = size;
	pp->pr_align = align = MAX(align, sizeof(void *));
	pp->pr_debug = pool_debug;
	if (pp->pr_debug) {
		pp->pr_objoff = roundup(sizeof(struct pool_objhdr) + POOL_REDZONE_MIN, align);
		pp->pr_stride = roundup(pp->pr_objoff + size + POOL_REDZONE_MIN, align);
	} else {
		pp->pr_objoff = 0;
		pp->pr_stride = roundup(size, align);
	}
	pp->pr_slotoff = roundup(sizeof(struct pool_slab), align);
	if (pp->pr_slotoff + pp->pr_stride > PAGE_SIZE)
		panic("pool_init: pool %s: a %zu-byte object aligned to %zu does "
		    "not fit in a slab", name, size, align);
	pp->pr_perslab = (PAGE_SIZE - pp->pr_slotoff) / pp->pr_stride;
	pp->pr_cachemax = MIN(POOL_CACHE_MAX, MAX(2, pp->pr_perslab));

	spinlock_acquire(&pool_list_lock);
	pp->pr_next = pool_head;
	pool_head = pp;
	spinlock_release(&pool_list_lock);
}

/* Tear pp down and give every slab back; no object may be live and no other
 * CPU may use pp any more. */
void
pool_destroy(struct pool *pp)
{
	uint64_t live = __atomic_load_n(&pp->pr_nlive, __ATOMIC_RELAXED);
	struct pool_slab *list;
	struct pool **ppp;
	unsigned i;

	if (live != 0)
		panic("pool_destroy: pool %s has %lu live objects", pp->pr_name, live);
	spinlock_acquire(&pool_list_lock);
	for (ppp = &pool_head; *ppp != NULL && *ppp != pp; ppp = &(*ppp)->pr_next)
		;
	if (*ppp == NULL)
		panic("pool_destroy: pool %s is not initialized", pp->pr_name);
	*ppp = pp->pr_next;
	spinlock_release(&pool_list_lock);

	/* Nobody uses pp any more, so any CPU may empty every CPU's cache. */
	spinlock_enter();
	for (i = 0; i < MAXCPUS; i++)
		pool_cache_flush(pp, &pp->pr_cache[i], pp->pr_cache[i].pc_nobjs,
		    "pool_destroy");
	spinlock_exit();
	spinlock_acquire(&pp->pr_lock);
	if (pp->pr_partial != NULL || pp->pr_full != NULL)
		panic("pool_destroy: pool %s: slabs in use but nothing live",
		    pp->pr_name);
	list = pp->pr_empty;
	pp->pr_empty = NULL;
	pp->pr_nslabs = pp->pr_nempty = 0;
	spinlock_release(&pp->pr_lock);
	pool_slab_free(pp, list, "pool_destroy");
}

/* Return an object (flags: PR_NOWAIT, optionally PR_ZERO), or NULL when no
 * memory is left. */
void *
pool_get(struct pool *pp, int flags)
{
	struct pool_cache *pc;
	uint64_t live, peak;
	void *obj;

	KASSERT((flags & PR_NOWAIT) != 0);
	KASSERT((flags & ~(PR_NOWAIT | PR_ZERO)) == 0);
	if (pool_get_hook != NULL && !pool_get_hook(pp)) {
		__atomic_add_fetch(&pp->pr_nfail, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	for (;;) {
		spinlock_enter();
		pc = &pp->pr_cache[cpu_number()];
		if (pc->pc_nobjs > 0 || pool_cache_refill(pp, pc) > 0)
			break;
		spinlock_exit();
		/* Another CPU may take the new slab's objects first: loop. */
		if (!pool_grow(pp)) {
			__atomic_add_fetch(&pp->pr_nfail, 1, __ATOMIC_RELAXED);
			return NULL;
		}
	}
	obj = pc->pc_objs[pc->pc_nobjs - 1];
	if (pp->pr_debug)	/* a panic leaves obj in the cache, for debugging */
		pool_obj_check_free(pp, obj, "pool_get");
	pc->pc_nobjs--;
	pc->pc_ngets++;
	spinlock_exit();

	if (pp->pr_debug)
		__atomic_store_n(&pool_obj_hdr(pp, obj)->oh_state, POOL_OBJ_LIVE,
		    __ATOMIC_RELAXED);
	if (flags & PR_ZERO)
		memset(obj, 0, pp->pr_size);
	live = __atomic_add_fetch(&pp->pr_nlive, 1, __ATOMIC_RELAXED);
	peak = __atomic_load_n(&pp->pr_peak, __ATOMIC_RELAXED);
	while (live > peak && !__atomic_compare_exchange_n(&pp->pr_peak, &peak,
	    live, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	return obj;
}

/* Panic unless the debug object obj may be put back: live, red zones intact.
 * Then mark it free and poison it. */
static void
pool_obj_retire(struct pool *pp, void *obj)
{
	struct pool_objhdr *oh = pool_obj_hdr(pp, obj);
	uint64_t state = __atomic_load_n(&oh->oh_state, __ATOMIC_RELAXED);
	long off;

	if (state == POOL_OBJ_FREE)
		panic("pool_put: pool %s: object %p freed twice", pp->pr_name, obj);
	if (state != POOL_OBJ_LIVE)
		panic("pool_put: pool %s: object %p has state %#lx (header "
		    "overwritten)", pp->pr_name, obj, state);
	if (pool_redzone_find(pp, obj, &off))
		panic("pool_put: pool %s: object %p overran its red zone at "
		    "offset %ld", pp->pr_name, obj, off);
	if (!__atomic_compare_exchange_n(&oh->oh_state, &state, POOL_OBJ_FREE,
	    false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		panic("pool_put: pool %s: object %p freed twice", pp->pr_name, obj);
	memset(obj, POOL_POISON_BYTE, pp->pr_size);
}

/* Give an object back to the pool it came from. */
void
pool_put(struct pool *pp, void *obj)
{
	struct pool_cache *pc;
	uint64_t live;

	KASSERT(obj != NULL);
	pool_obj_slab(pp, obj, "pool_put");
	if (pp->pr_debug)
		pool_obj_retire(pp, obj);
	live = __atomic_load_n(&pp->pr_nlive, __ATOMIC_RELAXED);
	do {
		if (live == 0)	/* without debug checks, a double free may get here */
			panic("pool_put: pool %s: more puts than gets (%p)",
			    pp->pr_name, obj);
	} while (!__atomic_compare_exchange_n(&pp->pr_nlive, &live, live - 1,
	    false, __ATOMIC_RELAXED, __ATOMIC_RELAXED));

	spinlock_enter();
	pc = &pp->pr_cache[cpu_number()];
	if (pc->pc_nobjs == pp->pr_cachemax)
		pool_cache_flush(pp, pc, pc->pc_nobjs / 2, "pool_put");
	pc->pc_objs[pc->pc_nobjs++] = obj;
	pc->pc_nputs++;
	spinlock_exit();
}

/* Empty this CPU's cache of pp and free its empty slabs; return the pages
 * freed. Other CPUs' caches are left alone: on SMP only their own CPU may
 * empty them, so a full reclaim needs a cross-call running pool_reclaim on
 * every CPU (or those CPUs stopped). */
unsigned
pool_reclaim(struct pool *pp)
{
	struct pool_cache *pc;
	struct pool_slab *list;
	unsigned n;

	spinlock_enter();
	pc = &pp->pr_cache[cpu_number()];
	n = pool_cache_flush(pp, pc, pc->pc_nobjs, "pool_reclaim");
	spinlock_exit();
	spinlock_acquire(&pp->pr_lock);
	list = pp->pr_empty;
	pp->pr_empty = NULL;
	pp->pr_nslabs -= pp->pr_nempty;
	pp->pr_nempty = 0;
	spinlock_release(&pp->pr_lock);
	return n + pool_slab_free(pp, list, "pool_reclaim");
}

/* pool_reclaim every pool; return the pages freed. Caller holds no pool lock. */
unsigned
pool_reclaim_all(void)
{
	struct pool *pp;
	unsigned n = 0;

	spinlock_acquire(&pool_list_lock);
	for (pp = pool_head; pp != NULL; pp = pp->pr_next)
		n += pool_reclaim(pp);
	spinlock_release(&pool_list_lock);
	return n;
}

/* Snapshot pp's counters into st; exact when no other CPU is using pp. */
void
pool_stats_get(struct pool *pp, struct pool_stats *st)
{
	unsigned i;

	memset(st, 0, sizeof(*st));
	st->pst_name = pp->pr_name;
	st->pst_size = pp->pr_size;
	st->pst_stride = pp->pr_stride;
	st->pst_perslab = pp->pr_perslab;
	spinlock_acquire(&pp->pr_lock);
	st->pst_slabs = pp->pr_nslabs;
	st->pst_empty = pp->pr_nempty;
	spinlock_release(&pp->pr_lock);
	st->pst_live = __atomic_load_n(&pp->pr_nlive, __ATOMIC_RELAXED);
	st->pst_peak = __atomic_load_n(&pp->pr_peak, __ATOMIC_RELAXED);
	st->pst_failures = __atomic_load_n(&pp->pr_nfail, __ATOMIC_RELAXED);
	for (i = 0; i < MAXCPUS; i++) {
		st->pst_gets += __atomic_load_n(&pp->pr_cache[i].pc_ngets, __ATOMIC_RELAXED);
		st->pst_puts += __atomic_load_n(&pp->pr_cache[i].pc_nputs, __ATOMIC_RELAXED);
	}
}

/* Call fn with a snapshot of every pool, under pool_list_lock: fn must not
 * allocate memory or create or destroy pools. */
void
pool_foreach(void (*fn)(const struct pool_stats *, void *), void *arg)
{
	struct pool_stats st;
	struct pool *pp;

	spinlock_acquire(&pool_list_lock);
	for (pp = pool_head; pp != NULL; pp = pp->pr_next) {
		pool_stats_get(pp, &st);
		fn(&st, arg);
	}
	spinlock_release(&pool_list_lock);
}

static void
pool_stats_line(const struct pool_stats *st, void *arg __unused)
{
	kprintf("%-14s %5zu %5zu %4u %8lu %8lu %6lu %10lu %10lu %5lu\n",
	    st->pst_name, st->pst_size, st->pst_stride, st->pst_perslab,
	    st->pst_live, st->pst_peak, st->pst_slabs, st->pst_gets,
	    st->pst_puts, st->pst_failures);
}

/* Print one line per pool. */
void
pool_stats_print(void)
{
	kprintf("%-14s %5s %5s %4s %8s %8s %6s %10s %10s %5s\n", "pool", "size",
	    "slot", "per", "live", "peak", "slabs", "gets", "puts", "fail");
	pool_foreach(pool_stats_line, NULL);
}
