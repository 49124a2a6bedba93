/*
 * uvm/uvm_page.c: the physical page allocator.
 *
 * Owns: the vm_page array and the free list, under uvm_page_lock (a spinlock:
 * page allocation is legal with interrupts off and from any CPU).
 * Lifecycle of a page: RESERVED pages are never touched. A managed page is
 * FREE (on the list, poisoned) -> allocated with a use (KERNEL, USER, PTP,
 * POOL; poison verified, optionally zeroed) -> freed by its owner once nothing
 * maps or references it (poisoned again) -> FREE.
 * Policy hook: uvm_pagealloc_hook, set once at boot by kern/kern_resource.c,
 * is asked first by every allocation: it may fail it (failure injection)
 * or make it leave a number of pages free (the kernel's reserve, which
 * user processes may not take). Without it (host unit tests) every free
 * page may go.
 * This file is pure logic over PHYS_TO_DMAP; tests/unit builds it natively
 * over a simulated physical memory.
 */
#include "lib.h"
#include "lock.h"
#include "uvm_page.h"
#include "pool.h"

struct uvmexp uvmexp;
bool uvm_page_poison = true;
bool (*uvm_pagealloc_hook)(enum vm_page_use use, uint64_t *keepp);

static struct spinlock uvm_page_lock = SPINLOCK_INITIALIZER("uvm_page");
static struct vm_page *vm_pages;	/* indexed by page frame number */
static uint64_t vm_npfn;		/* entries in vm_pages */
static struct vm_page *vm_freelist;	/* [uvm_page_lock] */

static const char *const pg_use_names[PG_USE_NUSES] = {
	"free", "reserved", "kernel", "user", "ptp", "pool",
};

/* Set up the page array covering physical [0, hi) with no free pages yet. */
void
uvm_page_init(paddr_t hi, struct vm_page *array)
{
	uint64_t i;

	KASSERT((hi & PAGE_MASK) == 0);
	vm_pages = array;
	vm_npfn = hi >> PAGE_SHIFT;
	for (i = 0; i < vm_npfn; i++) {
		array[i] = (struct vm_page){ .pg_phys = i << PAGE_SHIFT,
		    .pg_use = PG_USE_RESERVED };
	}
	memset(&uvmexp, 0, sizeof(uvmexp));
	vm_freelist = NULL;
}

static void
page_poison(struct vm_page *pg)
{
	if (uvm_page_poison)
		memset(VM_PAGE_TO_DMAP(pg), UVM_PAGE_POISON_BYTE, PAGE_SIZE);
}

/* Return the first offset in a free page that lost its poison, or -1. */
long
uvm_page_poison_find(struct vm_page *pg)
{
	const uint64_t *p = VM_PAGE_TO_DMAP(pg);
	const uint64_t pat = 0x0101010101010101ULL * UVM_PAGE_POISON_BYTE;
	const uint8_t *b;
	size_t i;

	for (i = 0; i < PAGE_SIZE / 8; i++) {
		if (p[i] == pat)
			continue;
		for (b = (const uint8_t *)&p[i]; *b == UVM_PAGE_POISON_BYTE; b++)
			;
		return (long)(b - (const uint8_t *)p);
	}
	return -1;
}

/* Panic if a free page was written: a write after free. */
static void
page_poison_check(struct vm_page *pg)
{
	long off;

	if (!uvm_page_poison || (off = uvm_page_poison_find(pg)) < 0)
		return;
	panic("uvm_pagealloc: page %#lx written after free: offset %#lx holds "
	    "%#x, poison is %#x", pg->pg_phys, off,
	    ((const uint8_t *)VM_PAGE_TO_DMAP(pg))[off], UVM_PAGE_POISON_BYTE);
}

/* Give the pages in physical [start, end) to the allocator as free. */
void
uvm_page_physload(paddr_t start, paddr_t end)
{
	paddr_t pa;

	start = round_page(start);
	end = trunc_page(end);
	KASSERT(end <= (vm_npfn << PAGE_SHIFT));
	for (pa = start; pa < end; pa += PAGE_SIZE) {
		struct vm_page *pg = &vm_pages[pa >> PAGE_SHIFT];

		KASSERT(pg->pg_use == PG_USE_RESERVED);
		page_poison(pg);
		spinlock_acquire(&uvm_page_lock);
		pg->pg_use = PG_USE_FREE;
		pg->pg_next = vm_freelist;
		vm_freelist = pg;
		uvmexp.npages++;
		uvmexp.free++;
		spinlock_release(&uvm_page_lock);
	}
}

/* Return a page for use, or NULL if none is free (or none above the
 * pages the hook says this allocation must leave free, or the hook fails
 * it). */
struct vm_page *
uvm_pagealloc(enum vm_page_use use, int flags)
{
	struct vm_page *pg;
	uint64_t keep = 0;
	bool fail;

	KASSERT(use > PG_USE_RESERVED && use < PG_USE_NUSES);
	fail = uvm_pagealloc_hook != NULL && !uvm_pagealloc_hook(use, &keep);
	spinlock_acquire(&uvm_page_lock);
	if (!fail && uvmexp.free <= keep) {
		/* Short of pages: the pools give their empty slabs back. */
		spinlock_release(&uvm_page_lock);
		pool_reclaim_all();
		spinlock_acquire(&uvm_page_lock);
	}
	if (fail || uvmexp.free <= keep) {
		uvmexp.failures++;
		spinlock_release(&uvm_page_lock);
		return NULL;
	}
	pg = vm_freelist;
	KASSERT(pg->pg_use == PG_USE_FREE);
	vm_freelist = pg->pg_next;
	pg->pg_next = NULL;
	pg->pg_use = use;
	uvmexp.free--;
	uvmexp.byuse[use]++;
	uvmexp.allocs++;
	spinlock_release(&uvm_page_lock);

	page_poison_check(pg);
	pg->pg_flags = 0;
	pg->pg_wire = 0;
	pg->pg_refs = 0;
	pg->pg_owner = NULL;
	if (flags & UVM_PGA_ZERO)
		memset(VM_PAGE_TO_DMAP(pg), 0, PAGE_SIZE);
	return pg;
}

/* Give a page back; it must not be mapped or referenced any more. */
void
uvm_pagefree(struct vm_page *pg)
{
	enum vm_page_use use = pg->pg_use;

	if (use <= PG_USE_RESERVED || use >= PG_USE_NUSES)
		panic("uvm_pagefree: page %#lx is %s, not allocated", pg->pg_phys,
		    use < PG_USE_NUSES ? pg_use_names[use] : "corrupt");
	page_poison(pg);
	spinlock_acquire(&uvm_page_lock);
	pg->pg_use = PG_USE_FREE;
	pg->pg_owner = NULL;
	pg->pg_next = vm_freelist;
	vm_freelist = pg;
	uvmexp.byuse[use]--;
	uvmexp.free++;
	uvmexp.frees++;
	spinlock_release(&uvm_page_lock);
}

/* The vm_page of physical address pa, or NULL if pa is not managed. */
struct vm_page *
PHYS_TO_VM_PAGE(paddr_t pa)
{
	uint64_t pfn = pa >> PAGE_SHIFT;

	if (pfn >= vm_npfn || vm_pages[pfn].pg_use == PG_USE_RESERVED)
		return NULL;
	return &vm_pages[pfn];
}

/* Snapshot the counters under the lock. */
void
uvm_page_counters(struct uvmexp *out)
{
	spinlock_acquire(&uvm_page_lock);
	*out = uvmexp;
	spinlock_release(&uvm_page_lock);
}

/* Print the one-line memory summary. */
void
uvm_page_summary(void)
{
	struct uvmexp u;

	uvm_page_counters(&u);
	kprintf("pages: %lu managed, %lu free, %lu kernel, %lu user, %lu ptp, %lu pool\n",
	    u.npages, u.free, u.byuse[PG_USE_KERNEL], u.byuse[PG_USE_USER],
	    u.byuse[PG_USE_PTP], u.byuse[PG_USE_POOL]);
}
