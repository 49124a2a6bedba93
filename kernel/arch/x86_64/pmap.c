/*
 * arch/x86_64/pmap.c: physical maps, the x86-64 4-level page tables.
 *
 * Owns: the kernel pmap (kernel_pmap_store), the page-table pages (PTPs) of
 * every pmap, and pmap_stats.
 * Locks: a pmap's pm_lock (spinlock) guards its tables, pm_resident and
 * pm_ptpages; the kernel pmap's lock guards the kernel half, which every user
 * PML4 shares by copying the entries 256..511 (all allocated at bootstrap, so
 * they never change). pm_lock is never held across uvm_pagealloc (page-table
 * pages are allocated first, then linked under the lock) nor across
 * pmap_tlb_shootrange (it may wait for other CPUs).
 * Lifecycle: pmap_bootstrap builds the kernel tables once. A user pmap is
 * created with an empty lower half; pmap_enter adds PTPs as needed; each
 * PTP's vm_page counts its valid entries in pg_refs (for a PML4, those of the
 * lower half), so pmap_remove knows in O(1) when a PTP became empty: it
 * unlinks it under pm_lock, and frees it only after the TLB shootdown of the
 * range has completed, as OpenBSD's amd64 pmap does. pmap_destroy frees the
 * PML4 of an empty pmap that no CPU has loaded. The pages a user pmap maps
 * are its caller's; they may be freed only after pmap_remove, which panics
 * on a PTE that maps a page already free.
 */
#include "lib.h"
#include "param.h"
#include "cpu.h"
#include "cpufunc.h"
#include "errno.h"
#include "bootinfo.h"
#include "pmap.h"
#include "uvm_page.h"
#include "uvm_km.h"

#define NPTE		512			/* entries per table */
#define PL_SHIFT(l)	(PAGE_SHIFT + 9 * ((l) - 1))	/* level 1 = PT .. 4 = PML4 */
#define PL_SIZE(l)	(1UL << PL_SHIFT(l))	/* bytes one level-l entry maps */
#define PL_INDEX(va, l)	(((va) >> PL_SHIFT(l)) & (NPTE - 1))
#define PML4_KERNEL	256			/* first kernel-half PML4 entry */

#define CR4_PGE		(1UL << 7)
#define EFER_NXE	(1UL << 11)
#define CPUID_PDPE1GB	(1U << 26)		/* 0x80000001 %edx: 1 GiB pages */

/* The 32-bit hole below 4 GiB (PCI, IOAPIC, LAPIC, firmware): the direct map
 * maps what is not RAM there uncached. */
#define DMAP_UC_START	(3UL << 30)
#define DMAP_UC_END	(4UL << 30)

struct pmap kernel_pmap_store = {
	.pm_lock = SPINLOCK_INITIALIZER("kernel_pmap"),
	.pm_kernel = true,
};
struct pmap_stats pmap_stats;

extern char _text[], _etext[], _rodata[], _erodata[], _data[], _ebss[];
extern char _ksyms[], _end[];

/* The table an entry points to, through the direct map. */
static inline uint64_t *
pde_table(uint64_t pde)
{
	return PHYS_TO_DMAP(pde & PG_FRAME);
}

/* The vm_page of the page-table page that holds entry ep. */
static struct vm_page *
ptp_of(const uint64_t *ep)
{
	struct vm_page *pg = PHYS_TO_VM_PAGE(trunc_page(DMAP_TO_PHYS(ep)));

	if (pg == NULL || pg->pg_use != PG_USE_PTP)
		panic("ptp_of: %p is not in a page-table page", ep);
	return pg;
}

/* Store npte at ep, keeping the count of valid entries of its page.
 * Caller holds the pmap's lock (or is pmap_bootstrap). */
static void
pte_store(uint64_t *ep, uint64_t npte)
{
	uint64_t opte = *ep;

	if ((opte ^ npte) & PG_V) {
		struct vm_page *ptp = ptp_of(ep);

		if (npte & PG_V)
			ptp->pg_refs++;
		else {
			KASSERT(ptp->pg_refs > 0);
			ptp->pg_refs--;
		}
	}
	__atomic_store_n(ep, npte, __ATOMIC_RELAXED);
}

/* PTE permission bits for prot. */
static uint64_t
pmap_prot_bits(vm_prot_t prot)
{
	return ((prot & PROT_WRITE) ? PG_RW : 0) | ((prot & PROT_EXEC) ? 0 : PG_NX);
}

/* Return the entry that maps va (a PTE, or a large-page PDE/PDPTE) and its
 * level in *lp, or NULL if a table on the way is missing. Caller holds pm_lock. */
static uint64_t *
pmap_pte_lookup(struct pmap *pm, vaddr_t va, int *lp)
{
	uint64_t *table = pm->pm_pml4;
	int l;

	for (l = 4; l > 1; l--) {
		uint64_t *ep = &table[PL_INDEX(va, l)];

		if (!(*ep & PG_V))
			return NULL;
		if (*ep & PG_PS) {
			*lp = l;
			return ep;
		}
		table = pde_table(*ep);
	}
	*lp = 1;
	return &table[PL_INDEX(va, 1)];
}

/* Return how many page-table pages are missing on the way to va's PTE.
 * Caller holds pm_lock. */
static int
pmap_ptp_missing(struct pmap *pm, vaddr_t va)
{
	uint64_t *table = pm->pm_pml4;
	int l;

	for (l = 4; l > 1; l--) {
		uint64_t e = table[PL_INDEX(va, l)];

		if (!(e & PG_V))
			return l - 1;
		if (e & PG_PS)
			panic("pmap_ptp_missing: va %#lx is inside a large page", va);
		table = pde_table(e);
	}
	return 0;
}

/* Return va's PTE with pm_lock held, linking in the missing page-table pages
 * (allocated with the lock dropped). Return NULL, lock not held and nothing
 * changed, when a page-table page cannot be allocated. */
static uint64_t *
pmap_pte_alloc(struct pmap *pm, vaddr_t va)
{
	struct vm_page *spare[3], *pg;
	uint64_t *table;
	int nspare = 0, l;

	for (;;) {
		int need;

		spinlock_acquire(&pm->pm_lock);
		need = pmap_ptp_missing(pm, va);
		if (need <= nspare)
			break;
		spinlock_release(&pm->pm_lock);
		while (nspare < need) {
			if ((pg = uvm_pagealloc(PG_USE_PTP, UVM_PGA_ZERO)) == NULL) {
				while (nspare > 0)
					uvm_pagefree(spare[--nspare]);
				return NULL;
			}
			spare[nspare++] = pg;
		}
	}
	table = pm->pm_pml4;
	for (l = 4; l > 1; l--) {
		uint64_t *ep = &table[PL_INDEX(va, l)];

		if (!(*ep & PG_V)) {
			pg = spare[--nspare];
			pte_store(ep, pg->pg_phys | PG_V | PG_RW | (pm->pm_kernel ? 0 : PG_U));
			pm->pm_ptpages++;
			if (!pm->pm_kernel)
				__atomic_add_fetch(&pmap_stats.ptpages, 1, __ATOMIC_RELAXED);
		}
		table = pde_table(*ep);
	}
	while (nspare > 0)		/* someone else linked them meanwhile */
		uvm_pagefree(spare[--nspare]);
	return &table[PL_INDEX(va, 1)];
}

/* Map the 4 KiB page at va with PTE npte; return 0, or ENOMEM with nothing
 * changed. A replaced mapping is shot down before returning. */
static int
pmap_enter_pte(struct pmap *pm, vaddr_t va, uint64_t npte)
{
	uint64_t *ptep, opte;

	if ((ptep = pmap_pte_alloc(pm, va)) == NULL)
		return ENOMEM;
	opte = *ptep;
	pte_store(ptep, npte);
	if (!(opte & PG_V))
		pm->pm_resident++;
	spinlock_release(&pm->pm_lock);
	if ((opte & PG_V) && (opte & ~(PG_A | PG_M)) != npte)
		pmap_tlb_shootrange(pm, va, va + PAGE_SIZE);
	return 0;
}

/* Return true if this CPU can map 1 GiB pages. */
static bool
cpu_has_pdpe1gb(void)
{
	uint32_t r[4];

	cpuid(0x80000000, 0, r);
	if (r[0] < 0x80000001)
		return false;
	cpuid(0x80000001, 0, r);
	return (r[3] & CPUID_PDPE1GB) != 0;
}

/* Return the cache bits for the direct map's 2 MiB page at pa: uncached for
 * what is not RAM in the 32-bit hole (device registers), write-back otherwise. */
static uint64_t
pmap_dmap_cache_bits(paddr_t pa)
{
	int i;

	if (pa < DMAP_UC_START || pa >= DMAP_UC_END)
		return 0;
	for (i = 0; i < bootinfo.nmem; i++) {
		const struct bi_mem *m = &bootinfo.mem[i];

		if (m->type == BI_MEM_AVAILABLE && m->start < pa + NBPD &&
		    pa < m->start + m->len)
			return 0;
	}
	return PG_N | PG_WT;
}

/* Map physical [0, top) at DMAP_BASE: NX, global, 1 GiB pages where the CPU
 * has them, 2 MiB pages in the 32-bit hole and where 1 GiB pages are missing. */
static void
pmap_bootstrap_dmap(paddr_t top)
{
	struct pmap *kpm = pmap_kernel();
	uint64_t *pdpt = pde_table(kpm->pm_pml4[PL_INDEX(DMAP_BASE, 4)]);
	const uint64_t bits = PG_V | PG_RW | PG_PS | PG_G | PG_NX;
	bool gib = cpu_has_pdpe1gb();
	paddr_t pa, p;

	KASSERT(top <= DMAP_MAX_PHYS && (top & (NBPD - 1)) == 0);
	for (pa = 0; pa < top; pa += NBPDP) {
		uint64_t *ep = &pdpt[PL_INDEX(DMAP_BASE + pa, 3)], *pd;
		struct vm_page *pg;

		if (gib && pa + NBPDP <= top && pa != DMAP_UC_START) {
			pte_store(ep, pa | bits);
			continue;
		}
		if ((pg = uvm_pagealloc(PG_USE_PTP, UVM_PGA_ZERO)) == NULL)
			panic("pmap_bootstrap_dmap: out of memory");
		pte_store(ep, pg->pg_phys | PG_V | PG_RW);
		kpm->pm_ptpages++;
		pd = VM_PAGE_TO_DMAP(pg);
		for (p = pa; p < pa + NBPDP && p < top; p += NBPD)
			pte_store(&pd[PL_INDEX(DMAP_BASE + p, 2)],
			    p | bits | pmap_dmap_cache_bits(p));
	}
}

/* Map the kernel image at KERNBASE + phys with 4 KiB pages, W^X. */
static void
pmap_bootstrap_kernel(void)
{
	static const struct {
		const char *start, *end;
		vm_prot_t prot;
	} seg[] = {
		{ _text, _etext, PROT_READ | PROT_EXEC },
		{ _rodata, _erodata, PROT_READ },
		{ _data, _ebss, PROT_READ | PROT_WRITE },
		{ _ksyms, _end, PROT_READ },
	};
	size_t i;
	vaddr_t va;

	for (i = 0; i < nitems(seg); i++) {
		KASSERT(((vaddr_t)seg[i].start & PAGE_MASK) == 0);
		for (va = (vaddr_t)seg[i].start; va < (vaddr_t)seg[i].end; va += PAGE_SIZE)
			pmap_kenter(va, KVA_TO_PHYS(va), seg[i].prot);
	}
}

/* Create the page-table pages of kernel VA [sva, eva), so that pmap_kenter
 * there never allocates. Boot only. */
static void
pmap_bootstrap_kva(vaddr_t sva, vaddr_t eva)
{
	vaddr_t va;

	for (va = rounddown(sva, NBPD); va < eva; va += NBPD) {
		if (pmap_pte_alloc(pmap_kernel(), va) == NULL)
			panic("pmap_bootstrap_kva: out of memory at %#lx", va);
		spinlock_release(&pmap_kernel()->pm_lock);
	}
}

/* Replace the boot page tables: direct map of [0, max(phys_top, 4 GiB)),
 * kernel image W^X, page tables of the uvm_km regions; no identity map. */
void
pmap_bootstrap(paddr_t phys_top)
{
	struct pmap *kpm = pmap_kernel();
	struct vm_page *pg;
	int i;

	KASSERT(rdmsr(MSR_EFER) & EFER_NXE);
	if ((pg = uvm_pagealloc(PG_USE_PTP, UVM_PGA_ZERO)) == NULL)
		panic("pmap_bootstrap: out of memory");
	/* the AP trampoline loads this PML4 from 32-bit mode */
	KASSERT(pg->pg_phys < (4UL << 30));
	kpm->pm_pml4 = VM_PAGE_TO_DMAP(pg);
	kpm->pm_pml4pa = pg->pg_phys;
	for (i = PML4_KERNEL; i < NPTE; i++) {
		struct vm_page *pdpt = uvm_pagealloc(PG_USE_PTP, UVM_PGA_ZERO);

		if (pdpt == NULL)
			panic("pmap_bootstrap: out of memory");
		pte_store(&kpm->pm_pml4[i], pdpt->pg_phys | PG_V | PG_RW);
		kpm->pm_ptpages++;
	}
	pmap_bootstrap_dmap(MAX(roundup(phys_top, NBPD), DMAP_UC_END));
	pmap_bootstrap_kernel();
	pmap_bootstrap_kva(UVM_KM_KSTACK_BASE, UVM_KM_KSTACK_END);

	lcr4(rcr4() | CR4_PGE);
	pmap_activate(kpm);
}

/* Set up an empty user pmap in caller storage; return 0, or ENOMEM. */
int
pmap_create(struct pmap *pm)
{
	struct vm_page *pg = uvm_pagealloc(PG_USE_PTP, UVM_PGA_ZERO);

	if (pg == NULL)
		return ENOMEM;
	*pm = (struct pmap){ .pm_pml4 = VM_PAGE_TO_DMAP(pg), .pm_pml4pa = pg->pg_phys };
	spinlock_init(&pm->pm_lock, "pmap");
	/* the kernel half: not counted in pg_refs, never changes */
	memcpy(&pm->pm_pml4[PML4_KERNEL], &pmap_kernel()->pm_pml4[PML4_KERNEL],
	    (NPTE - PML4_KERNEL) * sizeof(uint64_t));
	__atomic_add_fetch(&pmap_stats.pmaps, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&pmap_stats.ptpages, 1, __ATOMIC_RELAXED);
	return 0;
}

/* Free an empty user pmap's PML4; it must map nothing and be loaded nowhere. */
void
pmap_destroy(struct pmap *pm)
{
	struct vm_page *pg;

	KASSERT(!pm->pm_kernel);
	if (pm->pm_resident != 0 || pm->pm_ptpages != 0)
		panic("pmap_destroy: pmap %p still maps %lu pages with %lu page-table pages",
		    pm, pm->pm_resident, pm->pm_ptpages);
	if (__atomic_load_n(&pm->pm_cpus, __ATOMIC_ACQUIRE) != 0)
		panic("pmap_destroy: pmap %p is loaded on cpus %#lx", pm, pm->pm_cpus);
	pg = PHYS_TO_VM_PAGE(pm->pm_pml4pa);
	KASSERT(pg != NULL && pg->pg_refs == 0);
	pm->pm_pml4 = NULL;
	pm->pm_pml4pa = 0;
	uvm_pagefree(pg);
	__atomic_sub_fetch(&pmap_stats.pmaps, 1, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&pmap_stats.ptpages, 1, __ATOMIC_RELAXED);
}

/* Map va to pa with prot; return 0, or ENOMEM when a page-table page could
 * not be allocated (nothing changed then). Replaces an existing mapping. */
int
pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, vm_prot_t prot)
{
	KASSERT(!pm->pm_kernel);
	KASSERT((va & PAGE_MASK) == 0 && va < USER_MAX);
	KASSERT((pa & ~PG_FRAME) == 0);
	KASSERT(prot != PROT_NONE);
	return pmap_enter_pte(pm, va, pa | PG_V | PG_U | pmap_prot_bits(prot));
}

/* Panic if pte, which maps va in pm, points at a free page: a page goes
 * back to the allocator only once no PTE maps it and the TLBs were shot
 * down, so a purge or an unmap that freed first is caught at its first
 * PTE (the free-before-unmap hazard). */
static void
pmap_pte_assert_allocated(struct pmap *pm, vaddr_t va, uint64_t pte)
{
	struct vm_page *pg = PHYS_TO_VM_PAGE(pte & PG_FRAME);

	if (pg != NULL &&
	    __atomic_load_n(&pg->pg_use, __ATOMIC_RELAXED) == PG_USE_FREE)
		panic("pmap_remove: pmap %p maps va %#lx to page %#lx, which "
		    "is already free", pm, va, pg->pg_phys);
}

/* One pass of pmap_remove or pmap_protect over a range. */
struct pmap_walk {
	bool		remove;		/* clear the PTEs, unlink empty PTPs */
	uint64_t	setbits;	/* protect: bits to set in each PTE */
	uint64_t	clrbits;	/* protect: bits to clear */
	uint64_t	entries;	/* entries visited */
	uint64_t	changed;	/* PTEs changed */
	struct vm_page	*freeq;		/* unlinked PTPs, chained through pg_next */
};

/* Apply w to the valid PTEs of [sva, eva) below table, a level-l table.
 * Visits only populated entries: an invalid entry skips everything it would
 * map, and the scan of a table stops once all its valid entries (pg_refs)
 * have been seen. Caller holds pm_lock. */
static void
pmap_walk_range(struct pmap *pm, uint64_t *table, int l, vaddr_t sva,
    vaddr_t eva, struct pmap_walk *w)
{
	uint32_t valid = ptp_of(table)->pg_refs, seen = 0;
	vaddr_t tbase = sva & ~(PL_SIZE(l + 1) - 1);
	unsigned i, last = PL_INDEX(eva - 1, l);

	for (i = PL_INDEX(sva, l); i <= last && seen < valid; i++) {
		uint64_t *ep = &table[i], *child;
		vaddr_t s, e;

		w->entries++;
		if (!(*ep & PG_V))
			continue;
		seen++;
		if (l == 1) {
			uint64_t npte = w->remove ? 0 : (*ep & ~w->clrbits) | w->setbits;

			if (npte == *ep)
				continue;
			if (w->remove)
				pmap_pte_assert_allocated(pm,
				    tbase + i * PAGE_SIZE, *ep);
			pte_store(ep, npte);
			if (w->remove)
				pm->pm_resident--;
			w->changed++;
			continue;
		}
		if (*ep & PG_PS)
			panic("pmap_walk_range: large page in a user pmap at %#lx",
			    tbase + i * PL_SIZE(l));
		s = MAX(sva, tbase + i * PL_SIZE(l));
		e = MIN(eva, tbase + (i + 1) * PL_SIZE(l));
		child = pde_table(*ep);
		pmap_walk_range(pm, child, l - 1, s, e, w);
		/* MUTANT leak-ptp: emptied page-table pages stay linked */
#ifndef MUTANT_leak_ptp
		if (w->remove && ptp_of(child)->pg_refs == 0) {
			struct vm_page *ptp = ptp_of(child);

			pte_store(ep, 0);
			pm->pm_ptpages--;
			ptp->pg_next = w->freeq;	/* unused while allocated */
			w->freeq = ptp;
		}
#endif
	}
}

/* Unmap [sva, eva), invalidate the TLBs that may hold it, then free the
 * page-table pages that became empty. The mapped pages stay the caller's. */
void
pmap_remove(struct pmap *pm, vaddr_t sva, vaddr_t eva)
{
	struct pmap_walk w = { .remove = true };
	struct vm_page *ptp;
	uint64_t nfreed = 0;

	KASSERT(!pm->pm_kernel);
	KASSERT(((sva | eva) & PAGE_MASK) == 0 && sva <= eva && eva <= USER_MAX);
	if (sva == eva)
		return;
	spinlock_acquire(&pm->pm_lock);
	pmap_walk_range(pm, pm->pm_pml4, 4, sva, eva, &w);
	spinlock_release(&pm->pm_lock);
	__atomic_add_fetch(&pmap_stats.walk_entries, w.entries, __ATOMIC_RELAXED);
	if (w.changed == 0) {
		KASSERT(w.freeq == NULL);
		return;
	}
	pmap_tlb_shootrange(pm, sva, eva);
	/* no CPU can reach the unlinked page-table pages any more */
	while ((ptp = w.freeq) != NULL) {
		w.freeq = ptp->pg_next;
		ptp->pg_next = NULL;
		uvm_pagefree(ptp);
		nfreed++;
	}
	__atomic_sub_fetch(&pmap_stats.ptpages, nfreed, __ATOMIC_RELAXED);
}

/* Lower the protection of [sva, eva) to prot (PROT_NONE removes). */
void
pmap_protect(struct pmap *pm, vaddr_t sva, vaddr_t eva, vm_prot_t prot)
{
	struct pmap_walk w = {
		.clrbits = (prot & PROT_WRITE) ? 0 : PG_RW,
		.setbits = (prot & PROT_EXEC) ? 0 : PG_NX,
	};

	KASSERT(!pm->pm_kernel);
	KASSERT(((sva | eva) & PAGE_MASK) == 0 && sva <= eva && eva <= USER_MAX);
	if (prot == PROT_NONE) {
		pmap_remove(pm, sva, eva);
		return;
	}
	if (sva == eva)
		return;
	spinlock_acquire(&pm->pm_lock);
	pmap_walk_range(pm, pm->pm_pml4, 4, sva, eva, &w);
	spinlock_release(&pm->pm_lock);
	if (w.changed > 0)
		pmap_tlb_shootrange(pm, sva, eva);
}

/* Return true and the physical address if va is mapped. */
bool
pmap_extract(struct pmap *pm, vaddr_t va, paddr_t *pap)
{
	uint64_t *ep;
	bool mapped;
	int l;

	spinlock_acquire(&pm->pm_lock);
	ep = pmap_pte_lookup(pm, va, &l);
	mapped = ep != NULL && (*ep & PG_V);
	if (mapped && pap != NULL)
		*pap = (*ep & PG_FRAME & ~(PL_SIZE(l) - 1)) | (va & (PL_SIZE(l) - 1));
	spinlock_release(&pm->pm_lock);
	return mapped;
}

/* Load pm on this CPU (and record it in pm_cpus); the pmap loaded before
 * loses this CPU's bit once %cr3 no longer points at it. A CPU that has not
 * loaded a pmap yet (ci_curpmap NULL: boot tables) always loads pm. */
void
pmap_activate(struct pmap *pm)
{
	struct cpu_info *ci;
	struct pmap *old;
	uint64_t me;

	spinlock_enter();
	ci = curcpu();
	old = ci->ci_curpmap;
	me = 1UL << ci->ci_cpuid;
	if (old != pm) {
		if (!pm->pm_kernel)
			__atomic_or_fetch(&pm->pm_cpus, me, __ATOMIC_SEQ_CST);
		lcr3(pm->pm_pml4pa);
		ci->ci_curpmap = pm;
		if (old != NULL && !old->pm_kernel)
			__atomic_and_fetch(&old->pm_cpus, ~me, __ATOMIC_SEQ_CST);
	}
	spinlock_exit();
}

/* Switch this CPU back to the kernel pmap and drop it from pm_cpus. */
void
pmap_deactivate(struct pmap *pm)
{
	KASSERT(!pm->pm_kernel);
	KASSERT(curcpu()->ci_curpmap == pm);
	pmap_activate(pmap_kernel());
}

/* Map one page of kernel VA (outside the direct map) to pa, global. The
 * uvm_km regions have their page-table pages from bootstrap; elsewhere a
 * missing one is allocated, and running out of memory for it is fatal. */
void
pmap_kenter(vaddr_t va, paddr_t pa, vm_prot_t prot)
{
	KASSERT((va & PAGE_MASK) == 0 && va >= DMAP_BASE + DMAP_MAX_PHYS);
	KASSERT((pa & ~PG_FRAME) == 0);
	if (pmap_enter_pte(pmap_kernel(), va, pa | PG_V | PG_G | pmap_prot_bits(prot)) != 0)
		panic("pmap_kenter: no memory for a page-table page of %#lx", va);
}

/* Unmap kernel VA [va, va + len) and shoot it down on every CPU. */
void
pmap_kremove(vaddr_t va, vsize_t len)
{
	struct pmap *kpm = pmap_kernel();
	vaddr_t v;

	KASSERT(((va | len) & PAGE_MASK) == 0 && va >= DMAP_BASE + DMAP_MAX_PHYS);
	spinlock_acquire(&kpm->pm_lock);
	for (v = va; v < va + len; v += PAGE_SIZE) {
		int l;
		uint64_t *ep = pmap_pte_lookup(kpm, v, &l);

		if (ep == NULL || !(*ep & PG_V))
			continue;
		KASSERT(l == 1);
		pte_store(ep, 0);
		kpm->pm_resident--;
	}
	spinlock_release(&kpm->pm_lock);
	pmap_tlb_shootrange(kpm, va, va + len);
}
