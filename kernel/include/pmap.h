/*
 * Physical maps (arch/x86_64/pmap.c): the x86-64 4-level page tables.
 *
 * The kernel pmap maps the kernel image (W^X, global), the direct map of all
 * physical memory (NX, global) and the kernel VA regions of uvm_km; its PML4
 * entries 256..511 are all allocated at bootstrap and copied into every user
 * pmap, so kernel mappings appear everywhere without touching user pmaps.
 * A user pmap lives in caller storage (struct vmspace embeds it): created
 * empty, filled by pmap_enter, emptied by pmap_remove (which frees every
 * page-table page that becomes empty, after the TLB invalidation that covers
 * it has completed on every CPU that has the pmap loaded), destroyed only when
 * empty and loaded nowhere.
 */
#ifndef _PMAP_H_
#define _PMAP_H_

#include "types.h"
#include "lock.h"

typedef int vm_prot_t;
#define PROT_NONE	0x0
#define PROT_READ	0x1
#define PROT_WRITE	0x2
#define PROT_EXEC	0x4

struct vm_page;

/* Page-table entry bits (Intel SDM vol. 3A, 4.5). PG_PS marks a 2 MiB PDE
 * or 1 GiB PDPTE leaf; the other bits mean the same at every level. */
#define PG_V		0x0000000000000001UL	/* present */
#define PG_RW		0x0000000000000002UL	/* writable */
#define PG_U		0x0000000000000004UL	/* user accessible */
#define PG_WT		0x0000000000000008UL	/* write-through (PWT) */
#define PG_N		0x0000000000000010UL	/* cache disabled (PCD) */
#define PG_A		0x0000000000000020UL	/* accessed */
#define PG_M		0x0000000000000040UL	/* dirty */
#define PG_PS		0x0000000000000080UL	/* large page */
#define PG_G		0x0000000000000100UL	/* global: survives %cr3 loads */
#define PG_NX		0x8000000000000000UL	/* no execute (EFER.NXE) */
#define PG_FRAME	0x000ffffffffff000UL	/* physical address of a 4 KiB frame */

struct pmap {
	struct spinlock	pm_lock;
	uint64_t	*pm_pml4;	/* direct-map address of the PML4 [const] */
	paddr_t		pm_pml4pa;	/* its physical address, for %cr3 [const] */
	uint64_t	pm_cpus;	/* CPUs with this pmap loaded [atomic] */
	uint64_t	pm_resident;	/* leaf pages mapped [pm_lock] */
	uint64_t	pm_ptpages;	/* page-table pages below the PML4 [pm_lock] */
	bool		pm_kernel;	/* the kernel pmap [const] */
};

extern struct pmap kernel_pmap_store;
#define pmap_kernel()	(&kernel_pmap_store)

/* Replace the boot page tables: direct map of [0, phys_top), kernel W^X. */
void	pmap_bootstrap(paddr_t phys_top);

/* Set up an empty user pmap in caller storage; return 0, or ENOMEM. */
int	pmap_create(struct pmap *pm);
/* Free an empty user pmap's PML4; it must map nothing and be loaded nowhere. */
void	pmap_destroy(struct pmap *pm);

/* Map va to pa with prot; return 0, or ENOMEM when a page-table page could
 * not be allocated (nothing changed then). Replaces an existing mapping. */
int	pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, vm_prot_t prot);
/* Unmap [sva, eva), invalidate the TLBs that may hold it, then free the
 * page-table pages that became empty. The mapped pages stay the caller's. */
void	pmap_remove(struct pmap *pm, vaddr_t sva, vaddr_t eva);
/* Lower the protection of [sva, eva) to prot (PROT_NONE removes). */
void	pmap_protect(struct pmap *pm, vaddr_t sva, vaddr_t eva, vm_prot_t prot);
/* Return true and the physical address if va is mapped. */
bool	pmap_extract(struct pmap *pm, vaddr_t va, paddr_t *pap);

/* Load pm on this CPU (and record it in pm_cpus). */
void	pmap_activate(struct pmap *pm);
/* Switch this CPU back to the kernel pmap and drop it from pm_cpus. */
void	pmap_deactivate(struct pmap *pm);

/* Kernel VA: map/unmap one page in the kernel pmap (uvm_km regions). */
void	pmap_kenter(vaddr_t va, paddr_t pa, vm_prot_t prot);
void	pmap_kremove(vaddr_t va, vsize_t len);

/* Counters for tests and /proc. [atomic] */
struct pmap_stats {
	uint64_t pmaps;		/* live user pmaps */
	uint64_t ptpages;	/* page-table pages of user pmaps, PML4s included */
	uint64_t walk_entries;	/* page-table entries visited by pmap_remove */
	uint64_t shootdowns;	/* TLB invalidation rounds */
};
extern struct pmap_stats pmap_stats;

/*
 * TLB invalidation (arch/x86_64/pmap_tlb.c): invalidate [sva, eva) of pm on
 * every CPU that has it loaded (every CPU for the kernel pmap), and return
 * only when all of them have done it. Caller holds no spinlock.
 */
void	pmap_tlb_shootrange(struct pmap *pm, vaddr_t sva, vaddr_t eva);

#endif
