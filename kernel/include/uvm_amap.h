/*
 * Anonymous memory: anons (uvm/uvm_anon.c) and amaps (uvm/uvm_amap.c).
 *
 * An anon is one page of anonymous memory with a reference count: one
 * reference per amap slot that holds it. After fork two amaps hold the same
 * anon; whoever writes first copies it (copy-on-write, uvm_fault.c). An
 * anon's page never changes: copy-on-write makes a new anon.
 *
 * An amap holds the anons of one mapping, by slot (page index). It is
 * sparse: a radix tree of 64-way nodes, so a 1 TiB mapping with one page
 * touched per GiB costs a few nodes per touched page, not 2^28 pointers.
 * An amap is referenced by the map entries that use it: two halves of a
 * split entry (disjoint slot ranges), or entries of two maps after fork
 * (AMAP_SHARED: the same slots, copy-on-write through NEEDS_COPY, or truly
 * shared memory).
 *
 * Locks: am_lock (a sleeping mutex; faults hold it across pmap_enter) guards
 * the slots and the tree; am_ref and an_ref are atomic. Lock order:
 * vm_map lock -> am_lock -> pmap and page allocator spinlocks.
 */
#ifndef _UVM_AMAP_H_
#define _UVM_AMAP_H_

#include "types.h"
#include "lock.h"

struct vm_page;

struct vm_anon {
	uint32_t	an_ref;		/* amap slots holding it [atomic] */
	struct vm_page	*an_page;	/* its page, PG_USE_USER [const] */
};

#define AMAP_SHIFT	6
#define AMAP_FANOUT	(1U << AMAP_SHIFT)	/* children per node */

/* A radix-tree node: children at inner levels, anons at the leaves. */
struct vm_amap_node {
	uint32_t	an_count;		/* non-NULL children [am_lock] */
	void		*an_child[AMAP_FANOUT];	/* [am_lock] */
};

#define AMAP_SHARED	0x01	/* referenced from more than one map, ever */

struct vm_amap {
	struct mutex	am_lock;
	uint32_t	am_ref;		/* map entries using it [atomic] */
	uint32_t	am_flags;	/* AMAP_* [am_lock; set under the
					 * referencing map's write lock] */
	size_t		am_nslot;	/* slots [const] */
	int		am_height;	/* node levels, 1: the root is a leaf [const] */
	struct vm_amap_node *am_root;	/* NULL while empty [am_lock] */
	size_t		am_nused;	/* anons held [am_lock] */
	size_t		am_nnodes;	/* tree nodes held [am_lock] */
};

/* Live objects, for tests and /proc. [atomic] */
struct uvm_amap_stats {
	uint64_t	anons;
	uint64_t	amaps;
	uint64_t	nodes;		/* amap tree nodes */
};
extern struct uvm_amap_stats uvm_amap_stats;

/* ---- anons (uvm_anon.c) ---- */

/* Set up the anon pool; once at boot. */
void	uvm_anon_init(void);
/* Return a new anon with one reference and a page (zero-filled if flags has
 * UVM_PGA_ZERO), or NULL on ENOMEM. */
struct vm_anon *uvm_analloc(int flags);
/* Add a reference to an anon that has one (panics on zero). */
void	uvm_anref(struct vm_anon *anon);
/* Drop a reference; the last frees the page and the anon. No pmap may map
 * the page any more once the last reference can go. */
void	uvm_anunref(struct vm_anon *anon);

/* ---- amaps (uvm_amap.c) ---- */

/* Set up the amap pools; once at boot. */
void	amap_init(void);
/* Return an empty amap of nslot slots with one reference, or NULL on ENOMEM. */
struct vm_amap *amap_alloc(size_t nslot);
/* Add an entry's reference to an amap that has one (panics on zero). */
void	amap_ref(struct vm_amap *amap);
/* Drop the reference of an entry that used slots [slot, slot + n). The
 * anons of that range are dropped now when no other entry can see them (the
 * amap was never shared between maps); the last reference frees the amap
 * and all its anons. Every pmap mapping those anons' pages must have been
 * cleared (pmap_remove) before. */
void	amap_unref_range(struct vm_amap *amap, size_t slot, size_t n);
/* Return the anon in slot, or NULL. Caller holds am_lock. */
struct vm_anon *amap_lookup(struct vm_amap *amap, size_t slot);
/* Put anon (its reference passes to the amap) into the empty slot; return
 * 0, or ENOMEM with nothing changed. Caller holds am_lock. */
int	amap_add(struct vm_amap *amap, size_t slot, struct vm_anon *anon);
/* Replace the anon in a full slot with anon; return the old one (its
 * reference passes to the caller). Caller holds am_lock. */
struct vm_anon *amap_replace(struct vm_amap *amap, size_t slot,
	    struct vm_anon *anon);
/* Empty a full slot, freeing nodes that became empty; return its anon (its
 * reference passes to the caller). Caller holds am_lock. */
struct vm_anon *amap_remove(struct vm_amap *amap, size_t slot);
/* Return a new amap of n slots holding, from slot 0, the anons of src's
 * [slot, slot + n) (each gains a reference), or NULL on ENOMEM. */
struct vm_amap *amap_copy(struct vm_amap *src, size_t slot, size_t n);

#endif
