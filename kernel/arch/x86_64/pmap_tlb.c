/*
 * arch/x86_64/pmap_tlb.c: TLB invalidation for pmap, on every CPU.
 *
 * pmap_tlb_shootrange invalidates a range of a pmap on every CPU that may
 * cache it, this one included, and returns once all have done so; pmap frees
 * page-table pages only after it returns. The remote part is a cross-call
 * (ipi.c), so the caller holds no spinlock. Which CPUs: every online CPU for
 * the kernel pmap (its global entries live in every TLB), else the CPUs in
 * pm_cpus. A CPU that sets its bit in pm_cpus after we read it loads %cr3
 * after setting it, so it cannot hold an entry older than the PTE change
 * that the caller made before calling us. No state of its own: the only
 * shared datum is pmap_stats.shootdowns.
 */
#include "lib.h"
#include "param.h"
#include "cpu.h"
#include "cpufunc.h"
#include "pmap.h"
#include "smp.h"

#define TLB_FLUSH_ALL_PAGES	32	/* beyond this, flush everything instead */
#define CR4_PGE_BIT		(1UL << 7)

struct tlb_range {
	struct pmap	*tr_pm;
	vaddr_t		tr_sva, tr_eva;
};

/* Invalidate the range in *arg on this CPU; a cross-call, interrupts off. */
static void
pmap_tlb_flush_local(void *arg)
{
	const struct tlb_range *tr = arg;
	vaddr_t va;

	if ((tr->tr_eva - tr->tr_sva) / PAGE_SIZE > TLB_FLUSH_ALL_PAGES) {
		if (tr->tr_pm->pm_kernel) {	/* global entries survive %cr3 loads */
			uint64_t cr4 = rcr4();

			lcr4(cr4 & ~CR4_PGE_BIT);
			lcr4(cr4);
		} else
			lcr3(rcr3());
		return;
	}
	for (va = tr->tr_sva; va < tr->tr_eva; va += PAGE_SIZE)
		invlpg(va);
}

/* Invalidate [sva, eva) of pm wherever it is loaded; wait for completion.
 * Caller holds no spinlock. */
void
pmap_tlb_shootrange(struct pmap *pm, vaddr_t sva, vaddr_t eva)
{
	struct tlb_range tr = { pm, trunc_page(sva), round_page(eva) };
	uint64_t cpus;

	KASSERT(sva <= eva);
	KASSERT(curcpu()->ci_ipl_depth == 0);
	/* the caller's PTE stores must be visible before we read pm_cpus */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#ifdef MUTANT_no_shootdown
	/* MUTANT no-shootdown: a user pmap is flushed on this CPU only */
	cpus = pm->pm_kernel ? cpus_online_mask() : 1UL << cpu_number();
#else
	cpus = pm->pm_kernel ? cpus_online_mask() :
	    __atomic_load_n(&pm->pm_cpus, __ATOMIC_SEQ_CST);
#endif
	__atomic_add_fetch(&pmap_stats.shootdowns, 1, __ATOMIC_RELAXED);
	if (cpus != 0)
		smp_xcall(cpus, pmap_tlb_flush_local, &tr);
}
