/*
 * Physical pages (uvm/uvm_page.c).
 *
 * Every page of physical memory below the highest usable address has a
 * struct vm_page in one array indexed by page frame number. Free pages sit on
 * one free list under uvm_page_lock. Each allocated page records its use, and
 * the counters in uvmexp count pages by use, exactly: a test that allocates
 * and frees must leave them where they were.
 */
#ifndef _UVM_PAGE_H_
#define _UVM_PAGE_H_

#include "types.h"
#include "param.h"

enum vm_page_use {
	PG_USE_FREE = 0,	/* on the free list */
	PG_USE_RESERVED,	/* never managed: firmware, kernel image, modules */
	PG_USE_KERNEL,		/* kernel stacks, boot structures, bounce buffers */
	PG_USE_USER,		/* anonymous user memory */
	PG_USE_PTP,		/* page-table pages */
	PG_USE_POOL,		/* pool slabs (kern/subr_pool.c) */
	PG_USE_NUSES
};

struct vm_page {
	struct vm_page	*pg_next;	/* free list link [uvm_page_lock] */
	paddr_t		pg_phys;	/* physical address [const] */
	uint8_t		pg_use;		/* enum vm_page_use [uvm_page_lock] */
	uint8_t		pg_flags;	/* owner's use */
	uint16_t	pg_wire;	/* owner's use */
	uint32_t	pg_refs;	/* owner's use (anons, page tables) */
	void		*pg_owner;	/* owner's use (pool slab, anon) */
};

/* Page counters, in pages. [uvm_page_lock] */
struct uvmexp {
	uint64_t npages;		/* managed pages: free + allocated */
	uint64_t free;
	uint64_t byuse[PG_USE_NUSES];	/* allocated pages by use; [PG_USE_FREE] unused */
	uint64_t allocs, frees, failures;
};
extern struct uvmexp uvmexp;

/* Allocation flags */
#define UVM_PGA_ZERO	0x01	/* return the page zero-filled */

/* Set up the page array covering physical [0, hi) with no free pages yet. */
void	uvm_page_init(paddr_t hi, struct vm_page *array);
/* Give the pages in physical [start, end) to the allocator as free. */
void	uvm_page_physload(paddr_t start, paddr_t end);
/* Return a page for use, or NULL if none is free. */
struct vm_page *uvm_pagealloc(enum vm_page_use use, int flags);
/* Give a page back; it must not be mapped or referenced any more. */
void	uvm_pagefree(struct vm_page *pg);
/* The vm_page of physical address pa, or NULL if pa is not managed. */
struct vm_page *PHYS_TO_VM_PAGE(paddr_t pa);
#define VM_PAGE_TO_PHYS(pg)	((pg)->pg_phys)
#define VM_PAGE_TO_DMAP(pg)	PHYS_TO_DMAP((pg)->pg_phys)

/* Asked by uvm_pagealloc before it takes a page (NULL: no policy): return
 * false to fail the allocation, else true with the pages it must leave
 * free in *keepp (0 on entry). It takes no lock (the caller may hold
 * spinlocks); set once at boot (kern/kern_resource.c). */
extern bool (*uvm_pagealloc_hook)(enum vm_page_use use, uint64_t *keepp);

/* Snapshot the counters under the lock. */
void	uvm_page_counters(struct uvmexp *out);
/* Print the one-line memory summary. */
void	uvm_page_summary(void);

/* Page poisoning (debug builds, on in tests): fill on free, check on alloc. */
extern bool uvm_page_poison;
#define UVM_PAGE_POISON_BYTE	0xd5
/* Return the first offset in a free page that lost its poison, or -1. */
long	uvm_page_poison_find(struct vm_page *pg);

#endif
