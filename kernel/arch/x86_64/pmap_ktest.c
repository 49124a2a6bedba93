/*
 * arch/x86_64/pmap_ktest.c: in-kernel tests of the page tables (suite pmap).
 *
 * User pmaps are created, filled, emptied and destroyed, and the counters
 * (page-table pages by use, pmap_stats) must come back to their baseline;
 * pmap_remove's work is counted in visited entries, never timed. The kernel
 * tables are read with a small walker of our own to check W^X, NX and the
 * cache bits of the direct map. Cases run at boot on one thread and give
 * back everything they take.
 */
#include "lib.h"
#include "param.h"
#include "cpu.h"
#include "cpufunc.h"
#include "errno.h"
#include "ktest.h"
#include "sched.h"
#include "machdep.h"
#include "pmap.h"
#include "uvm_page.h"
#include "uvm_page_ktest.h"

#define KT_USER_VA	0x400000UL		/* where a program's text would be */
#define KT_SPARSE_BASE	(1UL << 40)		/* the sparse test's TiB */
#define KT_SPARSE_PAGES	1024			/* one page per GiB */
#define LAPIC_PHYS	0xFEE00000UL

extern char _text[], _rodata[], _data[], _ksyms[];
static const char kt_rodata[] = "read-only";
static uint64_t kt_data = 1;

/* The counters every case must leave as it found them. */
struct kt_pmap_base {
	uint64_t ptp;		/* uvmexp.byuse[PG_USE_PTP] */
	uint64_t pmaps;		/* pmap_stats.pmaps */
	uint64_t ptpages;	/* pmap_stats.ptpages */
};

static void
kt_base_get(struct kt_pmap_base *b)
{
	struct uvmexp u;

	uvm_page_counters(&u);
	b->ptp = u.byuse[PG_USE_PTP];
	b->pmaps = pmap_stats.pmaps;
	b->ptpages = pmap_stats.ptpages;
}

static void
kt_base_check(struct ktest *t, const struct kt_pmap_base *b)
{
	struct kt_pmap_base now;

	kt_base_get(&now);
	KT_EXPECT_EQ(t, now.ptp, b->ptp);
	KT_EXPECT_EQ(t, now.pmaps, b->pmaps);
	KT_EXPECT_EQ(t, now.ptpages, b->ptpages);
}

/* The leaf entry that maps va in pm (a PTE or a large-page entry), or 0. */
static uint64_t
kt_pte(struct pmap *pm, vaddr_t va)
{
	uint64_t *table = pm->pm_pml4, e;
	int shift;

	for (shift = 39; shift >= PAGE_SHIFT; shift -= 9) {
		e = table[(va >> shift) & 511];
		if (!(e & PG_V))
			return 0;
		if (shift == PAGE_SHIFT || (e & PG_PS))
			return e;
		table = PHYS_TO_DMAP(e & PG_FRAME);
	}
	return 0;
}

/* Entering pages makes exactly the page-table pages they need; removing
 * frees each one as it empties, and none is left behind after destroy. */
static void
test_pmap_enter_remove_destroy(struct ktest *t)
{
	static const vaddr_t va[] = { 0x1000, KT_USER_VA, KT_USER_VA + PAGE_SIZE,
	    1UL << 30, USER_MAX - PAGE_SIZE };
	struct kt_pmap_base base;
	struct vm_page *pg;
	struct pmap pm;
	size_t i;

	kt_base_get(&base);
	KT_ASSERT_EQ(t, pmap_create(&pm), 0);
	KT_EXPECT_EQ(t, pmap_stats.pmaps, base.pmaps + 1);
	pg = uvm_pagealloc(PG_USE_USER, 0);
	KT_ASSERT(t, pg != NULL);
	for (i = 0; i < nitems(va); i++)
		KT_EXPECT_EQ(t, pmap_enter(&pm, va[i], VM_PAGE_TO_PHYS(pg),
		    PROT_READ | PROT_WRITE), 0);
	KT_EXPECT_EQ(t, pm.pm_resident, nitems(va));
	/* low PDPT, PD 0, PTs for 0 and 4 MiB, PD+PT for 1 GiB, PDPT+PD+PT at the top */
	KT_EXPECT_EQ(t, pm.pm_ptpages, 9);
	KT_EXPECT_EQ(t, pmap_stats.ptpages, base.ptpages + 10);

	pmap_remove(&pm, KT_USER_VA, KT_USER_VA + PAGE_SIZE);	/* PT still used */
	KT_EXPECT_EQ(t, pm.pm_ptpages, 9);
	KT_EXPECT(t, pmap_extract(&pm, KT_USER_VA + PAGE_SIZE, NULL));
	KT_EXPECT(t, !pmap_extract(&pm, KT_USER_VA, NULL));
	pmap_remove(&pm, KT_USER_VA + PAGE_SIZE, KT_USER_VA + 2 * PAGE_SIZE);
	KT_EXPECT_EQ(t, pm.pm_ptpages, 8);			/* its PT went */

	pmap_remove(&pm, 0, USER_MAX);
	KT_EXPECT_EQ(t, pm.pm_resident, 0);
	KT_EXPECT_EQ(t, pm.pm_ptpages, 0);
	KT_EXPECT_EQ(t, pmap_stats.ptpages, base.ptpages + 1);	/* the PML4 */
	pmap_destroy(&pm);
	uvm_pagefree(pg);
	kt_base_check(t, &base);
}

/* pmap_extract returns what pmap_enter mapped, at any offset, in user pmaps
 * and in the kernel's direct map and image. */
static void
test_pmap_extract(struct ktest *t)
{
	struct kt_pmap_base base;
	struct vm_page *pg1, *pg2;
	struct pmap pm;
	paddr_t pa = 0;

	kt_base_get(&base);
	KT_ASSERT_EQ(t, pmap_create(&pm), 0);
	pg1 = uvm_pagealloc(PG_USE_USER, 0);
	pg2 = uvm_pagealloc(PG_USE_USER, 0);
	KT_ASSERT(t, pg1 != NULL && pg2 != NULL);
	KT_EXPECT(t, !pmap_extract(&pm, KT_USER_VA, &pa));
	KT_EXPECT_EQ(t, pmap_enter(&pm, KT_USER_VA, VM_PAGE_TO_PHYS(pg1), PROT_READ), 0);
	KT_EXPECT(t, pmap_extract(&pm, KT_USER_VA + 0x123, &pa));
	KT_EXPECT_EQ(t, pa, VM_PAGE_TO_PHYS(pg1) + 0x123);
	KT_EXPECT(t, !pmap_extract(&pm, KT_USER_VA + PAGE_SIZE, &pa));
	/* replacing a mapping */
	KT_EXPECT_EQ(t, pmap_enter(&pm, KT_USER_VA, VM_PAGE_TO_PHYS(pg2), PROT_READ), 0);
	KT_EXPECT(t, pmap_extract(&pm, KT_USER_VA, &pa));
	KT_EXPECT_EQ(t, pa, VM_PAGE_TO_PHYS(pg2));
	KT_EXPECT_EQ(t, pm.pm_resident, 1);
	pmap_remove(&pm, KT_USER_VA, KT_USER_VA + PAGE_SIZE);
	pmap_destroy(&pm);
	uvm_pagefree(pg1);
	uvm_pagefree(pg2);
	kt_base_check(t, &base);

	KT_EXPECT(t, pmap_extract(pmap_kernel(), (vaddr_t)PHYS_TO_DMAP(0x12345678), &pa));
	KT_EXPECT_EQ(t, pa, 0x12345678);
	KT_EXPECT(t, pmap_extract(pmap_kernel(), (vaddr_t)_text + 0x10, &pa));
	KT_EXPECT_EQ(t, pa, KVA_TO_PHYS((vaddr_t)_text) + 0x10);
}

/* pmap_protect only lowers: write goes, execute goes, nothing comes back;
 * PROT_NONE removes. */
static void
test_pmap_protect(struct ktest *t)
{
	struct kt_pmap_base base;
	struct vm_page *pg;
	struct pmap pm;
	uint64_t pte;

	kt_base_get(&base);
	KT_ASSERT_EQ(t, pmap_create(&pm), 0);
	pg = uvm_pagealloc(PG_USE_USER, 0);
	KT_ASSERT(t, pg != NULL);
	KT_EXPECT_EQ(t, pmap_enter(&pm, KT_USER_VA, VM_PAGE_TO_PHYS(pg),
	    PROT_READ | PROT_WRITE | PROT_EXEC), 0);
	pte = kt_pte(&pm, KT_USER_VA);
	KT_EXPECT(t, (pte & (PG_V | PG_U | PG_RW)) == (PG_V | PG_U | PG_RW));
	KT_EXPECT(t, !(pte & (PG_NX | PG_G)));
	KT_EXPECT_EQ(t, pte & PG_FRAME, VM_PAGE_TO_PHYS(pg));

	pmap_protect(&pm, KT_USER_VA, KT_USER_VA + PAGE_SIZE, PROT_READ | PROT_EXEC);
	pte = kt_pte(&pm, KT_USER_VA);
	KT_EXPECT(t, (pte & PG_V) && !(pte & PG_RW) && !(pte & PG_NX));
	pmap_protect(&pm, KT_USER_VA, KT_USER_VA + PAGE_SIZE, PROT_READ | PROT_WRITE);
	pte = kt_pte(&pm, KT_USER_VA);
	KT_EXPECT(t, (pte & PG_V) && !(pte & PG_RW) && (pte & PG_NX));
	KT_EXPECT_EQ(t, pte & PG_FRAME, VM_PAGE_TO_PHYS(pg));

	pmap_protect(&pm, 0, USER_MAX, PROT_NONE);
	KT_EXPECT_EQ(t, kt_pte(&pm, KT_USER_VA), 0);
	KT_EXPECT_EQ(t, pm.pm_resident, 0);
	KT_EXPECT_EQ(t, pm.pm_ptpages, 0);
	pmap_destroy(&pm);
	uvm_pagefree(pg);
	kt_base_check(t, &base);
}

/* With the user pmap loaded, a store through the user VA lands in the page
 * seen through the direct map, and back; deactivate returns to the kernel. */
static void
test_pmap_activate_write(struct ktest *t)
{
	uint64_t me, i;
	volatile uint64_t *uva = (volatile uint64_t *)KT_USER_VA;
	bool smap = (rcr4() & CR4_SMAP) != 0;
	struct kt_pmap_base base;
	struct vm_page *pg;
	uint64_t *dmap;
	struct pmap pm;
	bool ok = true;

	kt_base_get(&base);
	KT_ASSERT_EQ(t, pmap_create(&pm), 0);
	pg = uvm_pagealloc(PG_USE_USER, UVM_PGA_ZERO);
	KT_ASSERT(t, pg != NULL);
	dmap = VM_PAGE_TO_DMAP(pg);
	KT_EXPECT_EQ(t, pmap_enter(&pm, KT_USER_VA, VM_PAGE_TO_PHYS(pg),
	    PROT_READ | PROT_WRITE), 0);

	/* stay on this CPU while the user pmap is loaded: the scheduler does
	 * not switch pmaps for kernel threads */
	sched_peg_curproc(curcpu());
	me = 1UL << cpu_number();
	pmap_activate(&pm);
	KT_EXPECT_EQ(t, rcr3() & PG_FRAME, pm.pm_pml4pa);
	KT_EXPECT_EQ(t, pm.pm_cpus & me, me);
	if (smap)
		__asm__ volatile("stac" ::: "memory");
	for (i = 0; i < PAGE_SIZE / 8; i += 64)
		uva[i] = 0xe8e0e7e0 + i;
	dmap[8] = 0x5eed;
	ok = uva[8] == 0x5eed;
	if (smap)
		__asm__ volatile("clac" ::: "memory");
	pmap_deactivate(&pm);
	KT_EXPECT_EQ(t, rcr3() & PG_FRAME, pmap_kernel()->pm_pml4pa);
	sched_unpeg_curproc();
	KT_EXPECT(t, ok);
	KT_EXPECT_EQ(t, pm.pm_cpus, 0);
	for (i = 0; i < PAGE_SIZE / 8; i += 64)
		KT_EXPECT_EQ(t, dmap[i], 0xe8e0e7e0 + i);

	pmap_remove(&pm, KT_USER_VA, KT_USER_VA + PAGE_SIZE);
	pmap_destroy(&pm);
	uvm_pagefree(pg);
	kt_base_check(t, &base);
}

/* One page per GiB over a TiB: removing the whole TiB frees all 2050
 * page-table pages with one shootdown, visiting a few thousand entries, not
 * 2^28. Removing all of user space from an empty pmap visits nothing. */
static void
test_pmap_sparse_remove(struct ktest *t)
{
	const vaddr_t eva = KT_SPARSE_BASE + KT_SPARSE_PAGES * NBPDP;
	uint64_t walked, shot, i;
	struct kt_pmap_base base;
	struct vm_page *pg;
	struct pmap pm;

	kt_base_get(&base);
	KT_ASSERT_EQ(t, pmap_create(&pm), 0);
	pg = uvm_pagealloc(PG_USE_USER, 0);
	KT_ASSERT(t, pg != NULL);
	for (i = 0; i < KT_SPARSE_PAGES; i++)
		KT_ASSERT_EQ(t, pmap_enter(&pm, KT_SPARSE_BASE + i * NBPDP,
		    VM_PAGE_TO_PHYS(pg), PROT_READ), 0);
	KT_EXPECT_EQ(t, pm.pm_resident, KT_SPARSE_PAGES);
	/* 2 PDPTs, then a PD and a PT per GiB */
	KT_EXPECT_EQ(t, pm.pm_ptpages, 2 + 2 * KT_SPARSE_PAGES);

	walked = pmap_stats.walk_entries;
	shot = pmap_stats.shootdowns;
	pmap_remove(&pm, KT_SPARSE_BASE, eva);
	walked = pmap_stats.walk_entries - walked;
	ktest_log(t, "removing 1 TiB visited %lu entries", walked);
	/* at least every valid entry: 2 PML4Es, then a PDPTE, PDE, PTE per GiB */
	KT_EXPECT(t, walked >= 2 + 3 * KT_SPARSE_PAGES);
	KT_EXPECT(t, walked <= 4 * KT_SPARSE_PAGES);
	KT_EXPECT_EQ(t, pmap_stats.shootdowns - shot, 1);
	KT_EXPECT_EQ(t, pm.pm_resident, 0);
	KT_EXPECT_EQ(t, pm.pm_ptpages, 0);
	KT_EXPECT_EQ(t, pmap_stats.ptpages, base.ptpages + 1);

	walked = pmap_stats.walk_entries;
	pmap_remove(&pm, 0, USER_MAX);
	KT_EXPECT_EQ(t, pmap_stats.walk_entries - walked, 0);
	pmap_destroy(&pm);
	uvm_pagefree(pg);
	kt_base_check(t, &base);
}

/* With no free page pmap_enter fails with ENOMEM and changes nothing, also
 * when some but not all of the page-table pages it needs could be had; once
 * memory is back it succeeds. */
static void
test_pmap_enomem(struct ktest *t)
{
	struct ktest_hog hog = { NULL, 0 };
	struct uvmexp full, now;
	struct kt_pmap_base base;
	struct vm_page *pg;
	struct pmap pm;

	kt_base_get(&base);
	KT_ASSERT_EQ(t, pmap_create(&pm), 0);
	pg = uvm_pagealloc(PG_USE_USER, 0);
	KT_ASSERT(t, pg != NULL);
	ktest_hog_fill(&hog, PG_USE_USER);
	uvm_page_counters(&full);
	KT_EXPECT_EQ(t, full.free, 0);

	/* KT_USER_VA needs a PDPT, a PD and a PT */
	KT_EXPECT_EQ(t, pmap_enter(&pm, KT_USER_VA, VM_PAGE_TO_PHYS(pg), PROT_READ), ENOMEM);
	ktest_hog_give(&hog, 2);
	KT_EXPECT_EQ(t, pmap_enter(&pm, KT_USER_VA, VM_PAGE_TO_PHYS(pg), PROT_READ), ENOMEM);
	uvm_page_counters(&now);
	KT_EXPECT_EQ(t, now.free, 2);
	KT_EXPECT_EQ(t, now.byuse[PG_USE_PTP], full.byuse[PG_USE_PTP]);
	KT_EXPECT_EQ(t, pm.pm_resident, 0);
	KT_EXPECT_EQ(t, pm.pm_ptpages, 0);
	KT_EXPECT_EQ(t, PHYS_TO_VM_PAGE(pm.pm_pml4pa)->pg_refs, 0);
	KT_EXPECT(t, !pmap_extract(&pm, KT_USER_VA, NULL));
	ktest_hog_give(&hog, UINT64_MAX);

	KT_EXPECT_EQ(t, pmap_enter(&pm, KT_USER_VA, VM_PAGE_TO_PHYS(pg), PROT_READ), 0);
	KT_EXPECT(t, pmap_extract(&pm, KT_USER_VA, NULL));
	pmap_remove(&pm, KT_USER_VA, KT_USER_VA + PAGE_SIZE);
	pmap_destroy(&pm);
	uvm_pagefree(pg);
	kt_base_check(t, &base);
}

/* The kernel tables: text RX, rodata and .ksyms R+NX, data RW+NX, all global;
 * the direct map NX, uncached on the LAPIC, cached on RAM, reaching the top
 * of memory; no identity map. */
static void
test_pmap_kernel_wx(struct ktest *t)
{
	struct pmap *kpm = pmap_kernel();
	uint64_t pte;
	int i, lower = 0;

	pte = kt_pte(kpm, (vaddr_t)test_pmap_kernel_wx);
	KT_EXPECT(t, (pte & (PG_V | PG_G)) == (PG_V | PG_G));
	KT_EXPECT(t, !(pte & PG_RW) && !(pte & PG_NX) && !(pte & PG_PS));
	pte = kt_pte(kpm, (vaddr_t)kt_rodata);
	KT_EXPECT(t, (pte & (PG_V | PG_G | PG_NX)) == (PG_V | PG_G | PG_NX));
	KT_EXPECT(t, !(pte & PG_RW));
	pte = kt_pte(kpm, (vaddr_t)_ksyms);
	KT_EXPECT(t, (pte & (PG_V | PG_NX)) == (PG_V | PG_NX) && !(pte & PG_RW));
	pte = kt_pte(kpm, (vaddr_t)&kt_data);
	KT_EXPECT(t, (pte & (PG_V | PG_G | PG_RW | PG_NX)) == (PG_V | PG_G | PG_RW | PG_NX));
	pte = kt_pte(kpm, (vaddr_t)&pmap_stats);		/* .bss */
	KT_EXPECT(t, (pte & (PG_V | PG_RW | PG_NX)) == (PG_V | PG_RW | PG_NX));
	KT_EXPECT(t, (vaddr_t)&kt_data >= (vaddr_t)_data);
	KT_EXPECT(t, (vaddr_t)kt_rodata >= (vaddr_t)_rodata);

	pte = kt_pte(kpm, (vaddr_t)PHYS_TO_DMAP(0x200000));
	KT_EXPECT(t, (pte & (PG_V | PG_RW | PG_PS | PG_G | PG_NX)) ==
	    (PG_V | PG_RW | PG_PS | PG_G | PG_NX));
	KT_EXPECT(t, !(pte & PG_N));
	pte = kt_pte(kpm, (vaddr_t)PHYS_TO_DMAP(LAPIC_PHYS));
	KT_EXPECT(t, (pte & (PG_V | PG_N | PG_NX)) == (PG_V | PG_N | PG_NX));
	KT_EXPECT(t, kt_pte(kpm, (vaddr_t)PHYS_TO_DMAP(memory_top() - PAGE_SIZE)) & PG_V);
	KT_EXPECT(t, kt_pte(kpm, (vaddr_t)PHYS_TO_DMAP((4UL << 30) - PAGE_SIZE)) & PG_V);

	for (i = 0; i < 256; i++)
		lower += kpm->pm_pml4[i] != 0;
	KT_EXPECT_EQ(t, lower, 0);
	KT_EXPECT(t, (rcr4() & (1UL << 7)) != 0);		/* CR4.PGE */
}

static const struct ktest_case pmap_cases[] = {
	KTEST_CASE(test_pmap_enter_remove_destroy),
	KTEST_CASE(test_pmap_extract),
	KTEST_CASE(test_pmap_protect),
	KTEST_CASE(test_pmap_activate_write),
	KTEST_CASE(test_pmap_sparse_remove),
	KTEST_CASE(test_pmap_enomem),
	KTEST_CASE(test_pmap_kernel_wx),
	{ 0 },
};
KTEST_SUITE(pmap, pmap_cases);
