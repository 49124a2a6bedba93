/*
 * uvm/uvm_map.c: address maps, their entries and the red-black tree that
 * orders them.
 *
 * Owns: the map-entry pool and every entry of every map.
 * Locks: a map's m_lock (rwlock) guards its tree, its entries and their
 * fields: readers look up, the writer changes (see uvm_map.h). A change
 * that needs new entries (a split at the edges of a range) gets them all
 * before touching the map, so a failure leaves the map as it was.
 * Lifecycle: uvm_map_setup (empty) -> uvm_map_enter / uvm_unmap /
 * uvm_map_protect, fork copies (uvm_vmspace.c) -> uvm_map_detach_all at
 * purge (uvm_glue.c), which leaves the map empty for good. An entry leaves
 * the tree before the pmap range it covered is removed, and its amap (with
 * the pages) is dropped only after that removal: purge-before-free.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "pool.h"
#include "pmap.h"
#include "uvm_map.h"
#include "uvm_amap.h"

struct pool uvm_map_entry_pool;

#define ENTRY_NPAGES(e)	(((e)->e_end - (e)->e_start) >> PAGE_SHIFT)
/* the bytes e adds to m_size (RLIMIT_AS): none for a guard region */
#define ENTRY_ASIZE(e)	(((e)->e_flags & UVM_ET_GUARD) ? 0 : \
			 (e)->e_end - (e)->e_start)

/* Set up the entry pool; once at boot. */
void
uvm_map_init(void)
{
	pool_init(&uvm_map_entry_pool, sizeof(struct vm_map_entry), 8, "vmmapent");
}

/* Set up an empty map of [min, max) over pm in caller storage. */
void
uvm_map_setup(struct vm_map *map, struct pmap *pm, vaddr_t min, vaddr_t max)
{
	KASSERT(min < max && ((min | max) & PAGE_MASK) == 0 && max <= USER_MAX);
	memset(map, 0, sizeof(*map));
	rw_init(&map->m_lock, "vm_map");
	map->m_pmap = pm;
	map->m_min = min;
	map->m_max = max;
}

/* ---- the red-black tree ---- */

/* Replace old by new as the child of old's parent (or as the root). */
static void
rb_replace_child(struct vm_map *map, struct vm_map_entry *old,
    struct vm_map_entry *new)
{
	struct vm_map_entry *p = old->e_parent;

	if (p == NULL)
		map->m_root = new;
	else if (p->e_left == old)
		p->e_left = new;
	else
		p->e_right = new;
	if (new != NULL)
		new->e_parent = p;
}

/* Rotate x down towards dir (0 left, 1 right): its other child takes its place. */
static void
rb_rotate(struct vm_map *map, struct vm_map_entry *x, int dir)
{
	struct vm_map_entry *y = x->e_child[!dir];

	x->e_child[!dir] = y->e_child[dir];
	if (y->e_child[dir] != NULL)
		y->e_child[dir]->e_parent = x;
	rb_replace_child(map, x, y);
	y->e_child[dir] = x;
	x->e_parent = y;
}

/* A NULL leaf is black. */
static bool
rb_red(const struct vm_map_entry *e)
{
	return e != NULL && e->e_red;
}

/* Insert e (not overlapping any entry) and rebalance. */
static void
rb_insert(struct vm_map *map, struct vm_map_entry *e)
{
	struct vm_map_entry **link = &map->m_root, *parent = NULL, *g, *u;
	int dir;

	while (*link != NULL) {
		parent = *link;
		KASSERT(e->e_end <= parent->e_start || e->e_start >= parent->e_end);
		link = e->e_start < parent->e_start ? &parent->e_left : &parent->e_right;
	}
	e->e_left = e->e_right = NULL;
	e->e_parent = parent;
	e->e_red = true;
	*link = e;
	map->m_nentries++;

	while ((parent = e->e_parent) != NULL && parent->e_red) {
		g = parent->e_parent;		/* red parent: not the root */
		dir = g->e_right == parent;	/* parent is g->e_child[dir] */
		u = g->e_child[!dir];
		if (rb_red(u)) {
			parent->e_red = u->e_red = false;
			g->e_red = true;
			e = g;
			continue;
		}
		if (parent->e_child[!dir] == e) {
			rb_rotate(map, parent, dir);
			e = parent;
			parent = e->e_parent;
		}
		rb_rotate(map, g, !dir);
		parent->e_red = false;
		g->e_red = true;
		break;
	}
	map->m_root->e_red = false;
}

/* The leftmost entry below e. */
static struct vm_map_entry *
rb_min(struct vm_map_entry *e)
{
	while (e->e_left != NULL)
		e = e->e_left;
	return e;
}

/* Remove e from the tree and rebalance. */
static void
rb_remove(struct vm_map *map, struct vm_map_entry *e)
{
	struct vm_map_entry *x, *xp, *w;
	bool red;
	int dir;

	if (e->e_left == NULL || e->e_right == NULL) {
		x = e->e_left != NULL ? e->e_left : e->e_right;
		xp = e->e_parent;
		red = e->e_red;
		rb_replace_child(map, e, x);
	} else {
		struct vm_map_entry *y = rb_min(e->e_right);	/* successor */

		red = y->e_red;
		x = y->e_right;
		if (y->e_parent == e)
			xp = y;
		else {
			xp = y->e_parent;
			rb_replace_child(map, y, x);
			y->e_right = e->e_right;
			y->e_right->e_parent = y;
		}
		rb_replace_child(map, e, y);
		y->e_left = e->e_left;
		y->e_left->e_parent = y;
		y->e_red = e->e_red;
	}
	map->m_nentries--;
	e->e_left = e->e_right = e->e_parent = NULL;
	if (red)
		return;

	/* a black node left: x carries an extra black */
	while (x != map->m_root && !rb_red(x)) {
		dir = xp->e_left == x ? 0 : 1;	/* x is xp->e_child[dir] */
		w = xp->e_child[!dir];
		if (w->e_red) {
			w->e_red = false;
			xp->e_red = true;
			rb_rotate(map, xp, dir);
			w = xp->e_child[!dir];
		}
		if (!rb_red(w->e_left) && !rb_red(w->e_right)) {
			w->e_red = true;
			x = xp;
			xp = x->e_parent;
			continue;
		}
		if (!rb_red(w->e_child[!dir])) {
			w->e_child[dir]->e_red = false;
			w->e_red = true;
			rb_rotate(map, w, !dir);
			w = xp->e_child[!dir];
		}
		w->e_red = xp->e_red;
		xp->e_red = false;
		w->e_child[!dir]->e_red = false;
		rb_rotate(map, xp, dir);
		x = map->m_root;
	}
	if (x != NULL)
		x->e_red = false;
}

/* First entry in address order, or NULL. Caller holds the lock. */
struct vm_map_entry *
uvm_map_first(struct vm_map *map)
{
	return map->m_root == NULL ? NULL : rb_min(map->m_root);
}

/* The entry after e in address order, or NULL. Caller holds the lock. */
struct vm_map_entry *
uvm_map_succ(struct vm_map_entry *e)
{
	if (e->e_right != NULL)
		return rb_min(e->e_right);
	while (e->e_parent != NULL && e->e_parent->e_right == e)
		e = e->e_parent;
	return e->e_parent;
}

/* The entry before e in address order, or NULL. */
static struct vm_map_entry *
uvm_map_pred(struct vm_map_entry *e)
{
	if (e->e_left != NULL) {
		e = e->e_left;
		while (e->e_right != NULL)
			e = e->e_right;
		return e;
	}
	while (e->e_parent != NULL && e->e_parent->e_left == e)
		e = e->e_parent;
	return e->e_parent;
}

/* The last entry starting at or below va, or NULL. Caller holds the lock. */
static struct vm_map_entry *
uvm_map_lookup_le(struct vm_map *map, vaddr_t va)
{
	struct vm_map_entry *e = map->m_root, *best = NULL;

	while (e != NULL) {
		if (va < e->e_start)
			e = e->e_left;
		else {
			best = e;
			e = e->e_right;
		}
	}
	return best;
}

/* Return the entry containing va, or NULL. Caller holds the map lock. */
struct vm_map_entry *
uvm_map_lookup(struct vm_map *map, vaddr_t va)
{
	struct vm_map_entry *e;

	KASSERT(rw_status(&map->m_lock) != 0);
	e = uvm_map_lookup_le(map, va);
	return e != NULL && va < e->e_end ? e : NULL;
}

/* The first entry ending above va, or NULL. Caller holds the lock. */
static struct vm_map_entry *
uvm_map_lookup_above(struct vm_map *map, vaddr_t va)
{
	struct vm_map_entry *e = uvm_map_lookup_le(map, va);

	if (e == NULL)
		return uvm_map_first(map);
	return va < e->e_end ? e : uvm_map_succ(e);
}

/* Black height of the subtree at e, or -1 if a rule is broken below. */
static int
rb_check(struct vm_map_entry *e, vaddr_t lo, vaddr_t hi, size_t *count)
{
	int lh, rh;

	if (e == NULL)
		return 0;
	(*count)++;
	if (e->e_start >= e->e_end || e->e_start < lo || e->e_end > hi ||
	    ((e->e_start | e->e_end) & PAGE_MASK) != 0)
		return -1;
	if ((e->e_left != NULL && e->e_left->e_parent != e) ||
	    (e->e_right != NULL && e->e_right->e_parent != e))
		return -1;
	if (e->e_red && ((e->e_left != NULL && e->e_left->e_red) ||
	    (e->e_right != NULL && e->e_right->e_red)))
		return -1;
	lh = rb_check(e->e_left, lo, e->e_start, count);
	rh = rb_check(e->e_right, e->e_end, hi, count);
	if (lh < 0 || rh < 0 || lh != rh)
		return -1;
	return lh + !e->e_red;
}

/* Check the tree (see uvm_map.h); return 0, or a nonzero code. */
int
uvm_map_check(struct vm_map *map)
{
	size_t count = 0;

	if (map->m_root != NULL && (map->m_root->e_red || map->m_root->e_parent != NULL))
		return 1;
	if (rb_check(map->m_root, map->m_min, map->m_max, &count) < 0)
		return 2;
	if (count != map->m_nentries)
		return 3;
	return 0;
}

/* ---- entries ---- */

/* Return a copy of e (same range, amap and flags, not in any map; the amap
 * gains no reference), or NULL on ENOMEM. */
struct vm_map_entry *
uvm_map_entry_dup(const struct vm_map_entry *e)
{
	struct vm_map_entry *n = pool_get(&uvm_map_entry_pool, PR_NOWAIT);

	if (n != NULL) {
		*n = *e;
		n->e_left = n->e_right = n->e_parent = NULL;
	}
	return n;
}

/* Insert e into a map that nobody else can see yet (fork's new map). */
void
uvm_map_entry_link_new(struct vm_map *map, struct vm_map_entry *e)
{
	rb_insert(map, e);
	map->m_size += ENTRY_ASIZE(e);
}

/* Split e at addr (inside it): e keeps [addr, end), the spare n takes
 * [start, addr) and goes into the tree. Caller holds the lock for writing. */
static void
uvm_map_clip_start(struct vm_map *map, struct vm_map_entry *e, vaddr_t addr,
    struct vm_map_entry *n)
{
	KASSERT(e->e_start < addr && addr < e->e_end);
	*n = *e;
	n->e_end = addr;
	e->e_amapslot += (addr - e->e_start) >> PAGE_SHIFT;
	e->e_start = addr;		/* keeps its place in the order */
	if (e->e_amap != NULL)
		amap_ref(e->e_amap);
	rb_insert(map, n);
}

/* Split e at addr (inside it): e keeps [start, addr), the spare n takes
 * [addr, end) and goes into the tree. Caller holds the lock for writing. */
static void
uvm_map_clip_end(struct vm_map *map, struct vm_map_entry *e, vaddr_t addr,
    struct vm_map_entry *n)
{
	KASSERT(e->e_start < addr && addr < e->e_end);
	*n = *e;
	n->e_start = addr;
	n->e_amapslot += (addr - e->e_start) >> PAGE_SHIFT;
	e->e_end = addr;
	if (e->e_amap != NULL)
		amap_ref(e->e_amap);
	rb_insert(map, n);
}

/* Get the two spare entries a change of [start, end) may need to split
 * its edges; return 0, or ENOMEM with none taken. */
static int
uvm_map_spares_get(struct vm_map_entry *spare[2])
{
	spare[0] = pool_get(&uvm_map_entry_pool, PR_NOWAIT);
	spare[1] = pool_get(&uvm_map_entry_pool, PR_NOWAIT);
	if (spare[0] != NULL && spare[1] != NULL)
		return 0;
	if (spare[0] != NULL)
		pool_put(&uvm_map_entry_pool, spare[0]);
	if (spare[1] != NULL)
		pool_put(&uvm_map_entry_pool, spare[1]);
	return ENOMEM;
}

/* Give back the spares a change did not use. */
static void
uvm_map_spares_put(struct vm_map_entry *spare[2])
{
	if (spare[0] != NULL)
		pool_put(&uvm_map_entry_pool, spare[0]);
	if (spare[1] != NULL)
		pool_put(&uvm_map_entry_pool, spare[1]);
}

/* Split the entries at the edges of [start, end) with the spares (each one
 * used is set to NULL); return the first entry inside the range, or NULL.
 * Caller holds the lock for writing. */
static struct vm_map_entry *
uvm_map_clip_range(struct vm_map *map, vaddr_t start, vaddr_t end,
    struct vm_map_entry *spare[2])
{
	struct vm_map_entry *e = uvm_map_lookup_above(map, start), *last;

	if (e == NULL || e->e_start >= end)
		return NULL;
	if (e->e_start < start) {
		uvm_map_clip_start(map, e, start, spare[0]);
		spare[0] = NULL;
	}
	last = uvm_map_lookup_le(map, end - 1);
	if (last->e_end > end) {
		uvm_map_clip_end(map, last, end, spare[1]);
		spare[1] = NULL;
	}
	return e;
}

/* Drop the amaps of a detached list and free its entries; the pmap range of
 * each must have been removed. */
void
uvm_map_entries_free(struct vm_map_entry *list)
{
	struct vm_map_entry *e;

	while ((e = list) != NULL) {
		list = e->e_right;
		if (e->e_amap != NULL)
			amap_unref_range(e->e_amap, e->e_amapslot, ENTRY_NPAGES(e));
		pool_put(&uvm_map_entry_pool, e);
	}
}

/* Detach every entry from the map and return them as a list linked by
 * e_right; the pmap still maps their pages. */
struct vm_map_entry *
uvm_map_detach_all(struct vm_map *map)
{
	struct vm_map_entry *list = NULL, *e;

	RW_ASSERT_WRLOCK(&map->m_lock);
	while ((e = map->m_root) != NULL) {
		rb_remove(map, e);
		e->e_right = list;
		list = e;
	}
	map->m_size = 0;
	KASSERT(map->m_nentries == 0);
	return list;
}

/* ---- operations ---- */

/* Find the highest free range of len bytes ending at or below top; return
 * its start, or 0 if there is none. Caller holds the lock. */
static vaddr_t
uvm_map_findspace(struct vm_map *map, vsize_t len, vaddr_t top)
{
	struct vm_map_entry *e = uvm_map_lookup_le(map, top - 1);

	for (;;) {
		vaddr_t bottom;

		if (e != NULL && e->e_end > top - len) {
			/* e overlaps [top - len, top): look below it */
			top = MIN(top, e->e_start);
			e = uvm_map_pred(e);
			if (top < map->m_min + len)
				return 0;
			continue;
		}
		bottom = e != NULL ? e->e_end : map->m_min;
		if (top >= bottom + len)
			return top - len;
		return 0;
	}
}

/* Map anonymous memory, without a size limit (see uvm_map.h). */
int
uvm_map_enter(struct vm_map *map, vaddr_t *vap, vsize_t len, vaddr_t hint,
    vm_prot_t prot, vm_prot_t maxprot, int inherit, int flags)
{
	return uvm_map_enter_limit(map, vap, len, hint, prot, maxprot, inherit,
	    flags, UVM_MAP_NOLIMIT);
}

/* Map anonymous memory if the map stays within asmax bytes (see
 * uvm_map.h); return 0 and the address in *vap, or EINVAL, EEXIST or
 * ENOMEM with the map unchanged. */
int
uvm_map_enter_limit(struct vm_map *map, vaddr_t *vap, vsize_t len,
    vaddr_t hint, vm_prot_t prot, vm_prot_t maxprot, int inherit, int flags,
    vsize_t asmax)
{
	const int all = PROT_READ | PROT_WRITE | PROT_EXEC;
	bool shared = (flags & UVM_MAP_SHARED) != 0;
	struct vm_map_entry *e;
	vaddr_t va;
	int error;

	if (len == 0 || (len & PAGE_MASK) != 0 || (prot & ~all) != 0 ||
	    (maxprot & ~all) != 0 || (prot & ~maxprot) != 0)
		return EINVAL;
	if (inherit != MAP_INHERIT_NONE &&
	    inherit != (shared ? MAP_INHERIT_SHARE : MAP_INHERIT_COPY))
		return EINVAL;
	if ((flags & UVM_MAP_GUARD) && (prot != PROT_NONE || shared))
		return EINVAL;
	if ((e = pool_get(&uvm_map_entry_pool, PR_NOWAIT | PR_ZERO)) == NULL)
		return ENOMEM;
	e->e_prot = prot;
	e->e_maxprot = maxprot;
	e->e_inherit = inherit;
	e->e_flags = (shared ? 0 : UVM_ET_COPYONWRITE) |
	    ((flags & UVM_MAP_GUARD) ? UVM_ET_GUARD : 0) |
	    ((flags & UVM_MAP_STACK) ? UVM_ET_STACK : 0);
	/* shared memory needs its amap now, so that fork can share it */
	if (shared && (e->e_amap = amap_alloc(len >> PAGE_SHIFT)) == NULL) {
		pool_put(&uvm_map_entry_pool, e);
		return ENOMEM;
	}

	rw_enter_write(&map->m_lock);
	/* a lowered limit may already be exceeded: then nothing grows */
	if (!(flags & UVM_MAP_GUARD) &&
	    (map->m_size > asmax || len > asmax - map->m_size)) {
		error = ENOMEM;
		goto fail;
	}
	if (flags & UVM_MAP_FIXED) {
		struct vm_map_entry *o;

		va = *vap;
		if ((va & PAGE_MASK) != 0 || va < map->m_min || va > map->m_max ||
		    len > map->m_max - va) {
			error = EINVAL;
			goto fail;
		}
		o = uvm_map_lookup_above(map, va);
		if (o != NULL && o->e_start < va + len) {
			error = EEXIST;
			goto fail;
		}
	} else {
		vaddr_t top = MIN(hint != 0 ? trunc_page(hint) : VM_MMAP_TOP, map->m_max);

		if (top < map->m_min || len > top - map->m_min ||
		    (va = uvm_map_findspace(map, len, top)) == 0) {
			error = ENOMEM;
			goto fail;
		}
	}
	e->e_start = va;
	e->e_end = va + len;
	rb_insert(map, e);
	map->m_size += ENTRY_ASIZE(e);
	rw_exit_write(&map->m_lock);
	*vap = va;
	return 0;
fail:
	rw_exit_write(&map->m_lock);
	if (e->e_amap != NULL)
		amap_unref_range(e->e_amap, 0, len >> PAGE_SHIFT);
	pool_put(&uvm_map_entry_pool, e);
	return error;
}

/* Remove the mappings of [start, end): the pmap range first, then the
 * pages. Return 0, EINVAL, or ENOMEM with the map unchanged. */
int
uvm_unmap(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *spare[2], *e, *next, *dead = NULL;

	if (((start | end) & PAGE_MASK) != 0 || start >= end ||
	    start < map->m_min || end > map->m_max)
		return EINVAL;
	if (uvm_map_spares_get(spare) != 0)
		return ENOMEM;
	rw_enter_write(&map->m_lock);
	for (e = uvm_map_clip_range(map, start, end, spare);
	    e != NULL && e->e_start < end; e = next) {
		next = uvm_map_succ(e);
		rb_remove(map, e);
		map->m_size -= ENTRY_ASIZE(e);
		e->e_right = dead;
		dead = e;
	}
	/* no CPU may reach the pages once this returns; only then free them */
	pmap_remove(map->m_pmap, start, end);
	uvm_map_entries_free(dead);
	rw_exit_write(&map->m_lock);
	uvm_map_spares_put(spare);
	return 0;
}

/* Set the protection of [start, end) (see uvm_map.h); return 0, EINVAL,
 * ENOMEM or EACCES with the map unchanged. */
int
uvm_map_protect(struct vm_map *map, vaddr_t start, vaddr_t end, vm_prot_t prot)
{
	struct vm_map_entry *spare[2], *e;
	vaddr_t va = start;
	int error = 0;

	if (((start | end) & PAGE_MASK) != 0 || start >= end ||
	    (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) != 0)
		return EINVAL;
	if (uvm_map_spares_get(spare) != 0)
		return ENOMEM;
	rw_enter_write(&map->m_lock);
	/* check the whole range before changing anything */
	for (e = uvm_map_lookup_above(map, start); va < end; e = uvm_map_succ(e)) {
		if (e == NULL || e->e_start > va) {
			error = ENOMEM;		/* a hole, as Linux says */
			break;
		}
		if ((prot & ~e->e_maxprot) != 0 || (e->e_flags & UVM_ET_GUARD)) {
			error = EACCES;
			break;
		}
		va = e->e_end;
	}
	if (error == 0) {
		for (e = uvm_map_clip_range(map, start, end, spare);
		    e != NULL && e->e_start < end; e = uvm_map_succ(e))
			e->e_prot = prot;
		/* only lowers: pages that must stay read-only (shared
		 * copy-on-write) stay so, faults raise the rest */
		pmap_protect(map->m_pmap, start, end, prot);
	}
	rw_exit_write(&map->m_lock);
	uvm_map_spares_put(spare);
	return error;
}

/* Describe the first entry ending above addr; return false if none. */
bool
uvm_map_next(struct vm_map *map, vaddr_t addr, struct uvm_map_info *mi)
{
	struct vm_map_entry *e;

	rw_enter_read(&map->m_lock);
	if ((e = uvm_map_lookup_above(map, addr)) != NULL) {
		mi->mi_start = e->e_start;
		mi->mi_end = e->e_end;
		mi->mi_prot = e->e_prot;
		mi->mi_maxprot = e->e_maxprot;
		mi->mi_flags = e->e_flags;
	}
	rw_exit_read(&map->m_lock);
	return e != NULL;
}
