/*
 * kern/kern_malloc.c: kmalloc and kfree.
 *
 * Owns the size-class pools kmalloc16 .. kmalloc2048, created once by
 * kmalloc_init at boot and never destroyed, and the whole pages kmalloc hands
 * out for sizes above KMALLOC_POOLMAX (PG_USE_KERNEL, their pg_owner set to
 * kmalloc_page_owner so kfree can tell them from other kernel pages).
 * Locks: none of its own; the pools' and uvm_page's.
 */
#include "lib.h"
#include "param.h"
#include "uvm_page.h"
#include "pool.h"
#include "malloc.h"

#define KMALLOC_NCLASSES	8	/* 16 << 0 .. 16 << 7 */
#define KMALLOC_ALIGN		16
CTASSERT((KMALLOC_MIN << (KMALLOC_NCLASSES - 1)) == KMALLOC_POOLMAX);
CTASSERT(KMALLOC_POOLMAX <= POOL_MAXSIZE);

static struct pool kmalloc_pools[KMALLOC_NCLASSES];
static char kmalloc_names[KMALLOC_NCLASSES][16];
static bool kmalloc_ready;
static char kmalloc_page_owner;	/* its address tags kmalloc's whole pages */

/* Create the size-class pools; once, at boot, before the first kmalloc. */
void
kmalloc_init(void)
{
	int i;

	KASSERT(!kmalloc_ready);
	for (i = 0; i < KMALLOC_NCLASSES; i++) {
		snprintf(kmalloc_names[i], sizeof(kmalloc_names[i]), "kmalloc%zu",
		    (size_t)KMALLOC_MIN << i);
		pool_init(&kmalloc_pools[i], (size_t)KMALLOC_MIN << i,
		    KMALLOC_ALIGN, kmalloc_names[i]);
	}
	kmalloc_ready = true;
}

/* The pool serving size, or NULL if size takes a whole page or is out of range. */
struct pool *
kmalloc_pool(size_t size)
{
	int i;

	KASSERT(kmalloc_ready);
	if (size == 0 || size > KMALLOC_POOLMAX)
		return NULL;
	for (i = 0; ((size_t)KMALLOC_MIN << i) < size; i++)
		;
	return &kmalloc_pools[i];
}

/* Return size bytes (1..KMALLOC_MAX), aligned to 16 (a page above 2048), or
 * NULL when memory is short or the size is out of range. */
void *
kmalloc(size_t size, int flags)
{
	struct vm_page *pg;
	struct pool *pp;

	KASSERT((flags & M_NOWAIT) != 0);
	KASSERT((flags & ~(M_NOWAIT | M_ZERO)) == 0);
	if (size == 0 || size > KMALLOC_MAX)
		return NULL;
	if ((pp = kmalloc_pool(size)) != NULL)
		return pool_get(pp, PR_NOWAIT | ((flags & M_ZERO) ? PR_ZERO : 0));
	pg = uvm_pagealloc(PG_USE_KERNEL, (flags & M_ZERO) ? UVM_PGA_ZERO : 0);
	if (pg == NULL)
		return NULL;
	pg->pg_owner = &kmalloc_page_owner;
	return VM_PAGE_TO_DMAP(pg);
}

/* Free p (NULL is ignored), which kmalloc returned for the same size. A size
 * of another class panics: pool_put finds p is not in that class's pool, or
 * p is not one of kmalloc's whole pages. */
void
kfree(void *p, size_t size)
{
	struct vm_page *pg;
	struct pool *pp;

	if (p == NULL)
		return;
	KASSERT(size > 0 && size <= KMALLOC_MAX);
	if ((pp = kmalloc_pool(size)) != NULL) {
		pool_put(pp, p);
		return;
	}
	pg = PHYS_TO_VM_PAGE(DMAP_TO_PHYS(p));
	if (pg == NULL || ((uintptr_t)p & PAGE_MASK) != 0 ||
	    pg->pg_use != PG_USE_KERNEL || pg->pg_owner != &kmalloc_page_owner)
		panic("kfree: %p is not a %zu-byte kmalloc allocation", p, size);
	uvm_pagefree(pg);
}
