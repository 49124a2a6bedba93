/*
 * uvm/uvm_anon.c: anons, one page of anonymous memory each.
 *
 * Owns: the anon pool and uvm_amap_stats.anons.
 * Locks: an_ref is atomic; an_page never changes. The amap slots that hold
 * an anon are guarded by their amap's am_lock (uvm_amap.c).
 * Lifecycle: uvm_analloc (one reference, a fresh PG_USE_USER page) ->
 * uvm_anref per extra amap slot (amap_copy after fork) -> uvm_anunref; the
 * last reference frees the page and the anon. The page's pg_owner points
 * back at its anon while it lives.
 */
#include "lib.h"
#include "param.h"
#include "pool.h"
#include "uvm_page.h"
#include "uvm_amap.h"

static struct pool uvm_anon_pool;
struct uvm_amap_stats uvm_amap_stats;

/* Set up the anon pool; once at boot. */
void
uvm_anon_init(void)
{
	pool_init(&uvm_anon_pool, sizeof(struct vm_anon), 8, "anon");
}

/* Return a new anon with one reference and a page (zero-filled if flags has
 * UVM_PGA_ZERO), or NULL on ENOMEM. */
struct vm_anon *
uvm_analloc(int flags)
{
	struct vm_anon *anon;
	struct vm_page *pg;

	if ((anon = pool_get(&uvm_anon_pool, PR_NOWAIT)) == NULL)
		return NULL;
	if ((pg = uvm_pagealloc(PG_USE_USER, flags)) == NULL) {
		pool_put(&uvm_anon_pool, anon);
		return NULL;
	}
	pg->pg_owner = anon;
	anon->an_ref = 1;
	anon->an_page = pg;
	__atomic_add_fetch(&uvm_amap_stats.anons, 1, __ATOMIC_RELAXED);
	return anon;
}

/* Add a reference to an anon that has one (panics on zero). */
void
uvm_anref(struct vm_anon *anon)
{
	if (__atomic_fetch_add(&anon->an_ref, 1, __ATOMIC_RELAXED) == 0)
		panic("uvm_anref: anon %p has no reference", anon);
}

/* Drop a reference; the last frees the page and the anon. No pmap may map
 * the page any more once the last reference can go. */
void
uvm_anunref(struct vm_anon *anon)
{
	uint32_t old = __atomic_fetch_sub(&anon->an_ref, 1, __ATOMIC_ACQ_REL);

	if (old == 0)
		panic("uvm_anunref: anon %p reference count underflow", anon);
	if (old > 1)
		return;
	if (anon->an_page->pg_owner != anon)
		panic("uvm_anunref: page %#lx of anon %p has owner %p",
		    VM_PAGE_TO_PHYS(anon->an_page), anon, anon->an_page->pg_owner);
	anon->an_page->pg_owner = NULL;
	uvm_pagefree(anon->an_page);
	anon->an_page = NULL;
	pool_put(&uvm_anon_pool, anon);
	__atomic_sub_fetch(&uvm_amap_stats.anons, 1, __ATOMIC_RELAXED);
}
