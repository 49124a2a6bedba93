/*
 * uvm/uvm_amap.c: amaps, the sparse slot tables of anonymous mappings.
 *
 * Owns: the amap and amap-node pools, uvm_amap_stats.amaps and .nodes.
 * Locks: am_lock guards the tree and am_nused/am_nnodes; am_ref is atomic.
 * The tree is a radix tree of AMAP_FANOUT-way nodes, am_height levels deep
 * (fixed by am_nslot at creation); a node exists only while some slot below
 * it holds an anon, so memory is proportional to the anons held.
 * Lifecycle: amap_alloc (one reference) -> amap_ref per extra map entry
 * (a split, a fork) -> amap_unref_range; the last reference drops every
 * anon and frees the nodes and the amap. amap_copy makes the private copy
 * of a needs-copy entry after fork: same anons, one more reference each.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "pool.h"
#include "uvm_amap.h"

#define AMAP_MAXHEIGHT	6	/* 64^6 slots: every page of user space */

static struct pool amap_pool;
static struct pool amap_node_pool;

/* Set up the amap pools; once at boot. */
void
amap_init(void)
{
	pool_init(&amap_pool, sizeof(struct vm_amap), 8, "amap");
	pool_init(&amap_node_pool, sizeof(struct vm_amap_node), 8, "amapnode");
}

/* The index of slot in a node of the given level (0: leaves). */
static inline unsigned
amap_index(size_t slot, int level)
{
	return (slot >> (AMAP_SHIFT * level)) & (AMAP_FANOUT - 1);
}

/* Return an empty amap of nslot slots with one reference, or NULL on ENOMEM. */
struct vm_amap *
amap_alloc(size_t nslot)
{
	struct vm_amap *amap;
	int h = 1;

	KASSERT(nslot > 0);
	while (h < AMAP_MAXHEIGHT && (nslot - 1) >> (AMAP_SHIFT * h) != 0)
		h++;
	KASSERT((nslot - 1) >> (AMAP_SHIFT * h) == 0);
	if ((amap = pool_get(&amap_pool, PR_NOWAIT | PR_ZERO)) == NULL)
		return NULL;
	mtx_init(&amap->am_lock, "amap");
	amap->am_ref = 1;
	amap->am_nslot = nslot;
	amap->am_height = h;
	__atomic_add_fetch(&uvm_amap_stats.amaps, 1, __ATOMIC_RELAXED);
	return amap;
}

/* Free a node (its children are gone). Caller holds am_lock. */
static void
amap_node_free(struct vm_amap *amap, struct vm_amap_node *n)
{
	KASSERT(n->an_count == 0);
	pool_put(&amap_node_pool, n);
	amap->am_nnodes--;
	__atomic_sub_fetch(&uvm_amap_stats.nodes, 1, __ATOMIC_RELAXED);
}

/* Return the anon in slot, or NULL. Caller holds am_lock. */
struct vm_anon *
amap_lookup(struct vm_amap *amap, size_t slot)
{
	struct vm_amap_node *n = amap->am_root;
	int l;

	KASSERT(slot < amap->am_nslot);
	for (l = amap->am_height - 1; n != NULL && l > 0; l--)
		n = n->an_child[amap_index(slot, l)];
	return n == NULL ? NULL : n->an_child[amap_index(slot, 0)];
}

/* Put anon (its reference passes to the amap) into the empty slot; return
 * 0, or ENOMEM with nothing changed. Caller holds am_lock. */
int
amap_add(struct vm_amap *amap, size_t slot, struct vm_anon *anon)
{
	struct vm_amap_node *spare[AMAP_MAXHEIGHT], *n;
	int l, need = 0, nspare = 0;

	MUTEX_ASSERT_LOCKED(&amap->am_lock);
	KASSERT(slot < amap->am_nslot && anon != NULL);
	/* count the missing nodes on the path and get them all first */
	for (n = amap->am_root, l = amap->am_height - 1; ; l--) {
		if (n == NULL) {
			need = l + 1;
			break;
		}
		if (l == 0)
			break;
		n = n->an_child[amap_index(slot, l)];
	}
	while (nspare < need) {
		if ((spare[nspare] = pool_get(&amap_node_pool, PR_NOWAIT | PR_ZERO)) == NULL) {
			while (nspare > 0)
				pool_put(&amap_node_pool, spare[--nspare]);
			return ENOMEM;
		}
		nspare++;
	}
	amap->am_nnodes += need;
	__atomic_add_fetch(&uvm_amap_stats.nodes, need, __ATOMIC_RELAXED);
	if (amap->am_root == NULL)
		amap->am_root = spare[--nspare];
	for (n = amap->am_root, l = amap->am_height - 1; l > 0; l--) {
		void **cp = &n->an_child[amap_index(slot, l)];

		if (*cp == NULL) {
			*cp = spare[--nspare];
			n->an_count++;
		}
		n = *cp;
	}
	KASSERT(nspare == 0);
	if (n->an_child[amap_index(slot, 0)] != NULL)
		panic("amap_add: slot %zu of amap %p is full", slot, amap);
	n->an_child[amap_index(slot, 0)] = anon;
	n->an_count++;
	amap->am_nused++;
	return 0;
}

/* Replace the anon in a full slot with anon; return the old one (its
 * reference passes to the caller). Caller holds am_lock. */
struct vm_anon *
amap_replace(struct vm_amap *amap, size_t slot, struct vm_anon *anon)
{
	struct vm_amap_node *n = amap->am_root;
	struct vm_anon *old;
	int l;

	MUTEX_ASSERT_LOCKED(&amap->am_lock);
	KASSERT(slot < amap->am_nslot && anon != NULL);
	for (l = amap->am_height - 1; n != NULL && l > 0; l--)
		n = n->an_child[amap_index(slot, l)];
	if (n == NULL || (old = n->an_child[amap_index(slot, 0)]) == NULL)
		panic("amap_replace: slot %zu of amap %p is empty", slot, amap);
	n->an_child[amap_index(slot, 0)] = anon;
	return old;
}

/* Empty a full slot, freeing nodes that became empty; return its anon (its
 * reference passes to the caller). Caller holds am_lock. */
struct vm_anon *
amap_remove(struct vm_amap *amap, size_t slot)
{
	struct vm_amap_node *path[AMAP_MAXHEIGHT], *n = amap->am_root;
	struct vm_anon *anon;
	int l;

	MUTEX_ASSERT_LOCKED(&amap->am_lock);
	KASSERT(slot < amap->am_nslot);
	for (l = amap->am_height - 1; l >= 0; l--) {
		if (n == NULL)
			panic("amap_remove: slot %zu of amap %p is empty", slot, amap);
		path[l] = n;
		if (l > 0)
			n = n->an_child[amap_index(slot, l)];
	}
	anon = path[0]->an_child[amap_index(slot, 0)];
	if (anon == NULL)
		panic("amap_remove: slot %zu of amap %p is empty", slot, amap);
	path[0]->an_child[amap_index(slot, 0)] = NULL;
	amap->am_nused--;
	for (l = 0; l < amap->am_height; l++) {
		if (--path[l]->an_count > 0)
			break;
		amap_node_free(amap, path[l]);
		if (l + 1 < amap->am_height)
			path[l + 1]->an_child[amap_index(slot, l + 1)] = NULL;
		else
			amap->am_root = NULL;
	}
	return anon;
}

/* Return the first full slot in [lo, hi) below node n (a level-l node whose
 * first slot is base) in *slotp, with its anon; NULL if there is none. */
static struct vm_anon *
amap_find(struct vm_amap_node *n, int l, size_t base, size_t lo, size_t hi,
    size_t *slotp)
{
	size_t span = (size_t)1 << (AMAP_SHIFT * l);	/* slots per child */
	unsigned i = lo > base ? (lo - base) / span : 0;

	for (; i < AMAP_FANOUT && base + i * span < hi; i++) {
		void *c = n->an_child[i];
		struct vm_anon *anon;

		if (c == NULL)
			continue;
		if (l == 0) {
			*slotp = base + i;
			return c;
		}
		anon = amap_find(c, l - 1, base + i * span, lo, hi, slotp);
		if (anon != NULL)
			return anon;
	}
	return NULL;
}

/* Return the anon of the first full slot in [lo, hi) with its slot in
 * *slotp, or NULL. Caller holds am_lock. */
static struct vm_anon *
amap_next(struct vm_amap *amap, size_t lo, size_t hi, size_t *slotp)
{
	if (amap->am_root == NULL || lo >= hi)
		return NULL;
	return amap_find(amap->am_root, amap->am_height - 1, 0, lo, hi, slotp);
}

/* Drop every anon in [lo, hi). Caller holds am_lock. */
static void
amap_drop_range(struct vm_amap *amap, size_t lo, size_t hi)
{
	size_t slot;

	while (amap_next(amap, lo, hi, &slot) != NULL) {
		uvm_anunref(amap_remove(amap, slot));
		lo = slot + 1;
	}
}

/* Add an entry's reference to an amap that has one (panics on zero). */
void
amap_ref(struct vm_amap *amap)
{
	if (__atomic_fetch_add(&amap->am_ref, 1, __ATOMIC_RELAXED) == 0)
		panic("amap_ref: amap %p has no reference", amap);
}

/* Drop the reference of an entry that used slots [slot, slot + n). See
 * uvm_amap.h for when the range's anons go. */
void
amap_unref_range(struct vm_amap *amap, size_t slot, size_t n)
{
	uint32_t old;

	KASSERT(n > 0 && slot + n <= amap->am_nslot);
	mtx_enter(&amap->am_lock);
	/* never shared between maps: the other references are split halves
	 * of this entry in the same map, whose slots are disjoint from ours */
	if (!(amap->am_flags & AMAP_SHARED))
		amap_drop_range(amap, slot, slot + n);
	mtx_leave(&amap->am_lock);
	old = __atomic_fetch_sub(&amap->am_ref, 1, __ATOMIC_ACQ_REL);
	if (old == 0)
		panic("amap_unref_range: amap %p reference count underflow", amap);
	if (old > 1)
		return;
	/* the last reference: nobody else can reach the amap any more */
	mtx_enter(&amap->am_lock);
	amap_drop_range(amap, 0, amap->am_nslot);
	KASSERT(amap->am_nused == 0 && amap->am_nnodes == 0 && amap->am_root == NULL);
	mtx_leave(&amap->am_lock);
	pool_put(&amap_pool, amap);
	__atomic_sub_fetch(&uvm_amap_stats.amaps, 1, __ATOMIC_RELAXED);
}

/* Return a new amap of n slots holding, from slot 0, the anons of src's
 * [slot, slot + n) (each gains a reference), or NULL on ENOMEM. */
struct vm_amap *
amap_copy(struct vm_amap *src, size_t slot, size_t n)
{
	struct vm_amap *dst;
	struct vm_anon *anon;
	size_t s, lo = slot;

	KASSERT(n > 0 && slot + n <= src->am_nslot);
	if ((dst = amap_alloc(n)) == NULL)
		return NULL;
	mtx_enter(&src->am_lock);
	mtx_enter(&dst->am_lock);	/* not published yet: no order to keep */
	while ((anon = amap_next(src, lo, slot + n, &s)) != NULL) {
		if (amap_add(dst, s - slot, anon) != 0)
			break;
		uvm_anref(anon);
		lo = s + 1;
	}
	mtx_leave(&dst->am_lock);
	mtx_leave(&src->am_lock);
	if (anon != NULL) {		/* ENOMEM: give back what was copied */
		amap_unref_range(dst, 0, n);
		return NULL;
	}
	return dst;
}
