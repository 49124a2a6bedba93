/*
 * Host unit tests of uvm/uvm_page.c, the physical page allocator, over
 * NPAGES pages of simulated physical memory with holes: randomized
 * allocation and freeing against a reference model, exhaustion, poisoning,
 * PHYS_TO_VM_PAGE, the policy hook. Every case gives back all it took.
 */
#include <stdio.h>
#include <string.h>
#include "lib.h"
#include "uvm_page.h"
#include "shim.h"
#include "ktap.h"

#define NPAGES		512
/* Loaded: pages [16, 200) and, from an unaligned range, [257, 511). */
#define R1_START	(16 * PAGE_SIZE)
#define R1_END		(200 * PAGE_SIZE)
#define R2_START	(256 * PAGE_SIZE + 0x123)
#define R2_END		(511 * PAGE_SIZE + 0x10)
#define NMANAGED	((200 - 16) + (511 - 257))
#define NSTEPS		20000

static bool
pfn_managed(uint64_t pfn)
{
	return (pfn >= 16 && pfn < 200) || (pfn >= 257 && pfn < 511);
}

/* After each case: every page free again, no lock held. */
static void
check_clean(void)
{
	struct uvmexp u;
	int use;

	uvm_page_counters(&u);
	T_EXPECT_EQ(u.npages, NMANAGED);
	T_EXPECT_EQ(u.free, NMANAGED);
	for (use = PG_USE_KERNEL; use < PG_USE_NUSES; use++)
		T_EXPECT_EQ(u.byuse[use], 0);
	T_EXPECT(shim_quiescent());
}

/* The loaded ranges, rounded inward, are exactly the managed pages, all
 * free and poisoned; PHYS_TO_VM_PAGE knows managed from reserved. */
static void
test_physload_and_lookup(void)
{
	struct vm_page *pg;
	struct uvmexp u;
	uint64_t pfn;

	uvm_page_counters(&u);
	T_EXPECT_EQ(u.npages, NMANAGED);
	for (pfn = 0; pfn < NPAGES + 4; pfn++) {
		pg = PHYS_TO_VM_PAGE(pfn << PAGE_SHIFT);
		if (!pfn_managed(pfn)) {
			T_EXPECT(pg == NULL);
			continue;
		}
		T_ASSERT(pg != NULL);
		T_EXPECT_EQ(VM_PAGE_TO_PHYS(pg), pfn << PAGE_SHIFT);
		T_EXPECT(PHYS_TO_VM_PAGE((pfn << PAGE_SHIFT) + PAGE_SIZE - 1) == pg);
		T_EXPECT(VM_PAGE_TO_DMAP(pg) == (char *)shim_dmap_base + (pfn << PAGE_SHIFT));
		T_EXPECT_EQ(pg->pg_use, PG_USE_FREE);
		T_EXPECT_EQ(uvm_page_poison_find(pg), -1);
	}
	T_EXPECT(PHYS_TO_VM_PAGE(1UL << 40) == NULL);
}

/* Random allocations and frees, in phases that fill memory up and drain it,
 * checked after every step against a model: each page handed out once,
 * managed, of the asked use, zeroed or still poisoned, its contents kept
 * while allocated, poisoned when freed; every counter exact. */
static void
test_random_model(void)
{
	static bool out[NPAGES];
	static uint64_t list[NPAGES];
	uint64_t byuse[PG_USE_NUSES] = { 0 }, allocs = 0, frees = 0, failures = 0;
	static const uint8_t zero[PAGE_SIZE];
	struct uvmexp u0, u;
	struct vm_page *pg;
	uint64_t pfn, *p;
	int n = 0, step, use;

	uvm_page_counters(&u0);
	for (step = 0; step < NSTEPS; step++) {
		unsigned allocpct = (step / 1000) % 2 == 0 ? 75 : 25;

		if (n == 0 || shim_random(100) < allocpct) {
			bool zeroit = shim_random(2);

			use = PG_USE_KERNEL + shim_random(PG_USE_NUSES - PG_USE_KERNEL);
			pg = uvm_pagealloc(use, zeroit ? UVM_PGA_ZERO : 0);
			if (n == NMANAGED) {
				T_ASSERT(pg == NULL);
				failures++;
			} else {
				T_ASSERT(pg != NULL);
				pfn = VM_PAGE_TO_PHYS(pg) >> PAGE_SHIFT;
				T_ASSERT(pfn_managed(pfn) && !out[pfn]);
				T_ASSERT(PHYS_TO_VM_PAGE(VM_PAGE_TO_PHYS(pg)) == pg);
				T_ASSERT_EQ(pg->pg_use, use);
				if (zeroit)
					T_ASSERT(memcmp(VM_PAGE_TO_DMAP(pg), zero, PAGE_SIZE) == 0);
				else
					T_ASSERT_EQ(uvm_page_poison_find(pg), -1);
				p = VM_PAGE_TO_DMAP(pg);
				p[0] = pfn;
				p[PAGE_SIZE / 8 - 1] = ~pfn;
				out[pfn] = true;
				list[n++] = pfn;
				byuse[use]++;
				allocs++;
			}
		} else {
			int i = shim_random(n);

			pfn = list[i];
			list[i] = list[--n];
			out[pfn] = false;
			pg = PHYS_TO_VM_PAGE(pfn << PAGE_SHIFT);
			p = VM_PAGE_TO_DMAP(pg);
			T_ASSERT(p[0] == pfn && p[PAGE_SIZE / 8 - 1] == ~pfn);
			byuse[pg->pg_use]--;
			frees++;
			uvm_pagefree(pg);
			T_ASSERT_EQ(pg->pg_use, PG_USE_FREE);
			T_ASSERT_EQ(uvm_page_poison_find(pg), -1);
		}
		uvm_page_counters(&u);
		T_ASSERT_EQ(u.free, NMANAGED - n);
		T_ASSERT_EQ(u.npages, NMANAGED);
		for (use = PG_USE_KERNEL; use < PG_USE_NUSES; use++)
			T_ASSERT_EQ(u.byuse[use], byuse[use]);
		T_ASSERT_EQ(u.allocs, u0.allocs + allocs);
		T_ASSERT_EQ(u.frees, u0.frees + frees);
		T_ASSERT_EQ(u.failures, u0.failures + failures);
	}
	T_EXPECT(failures > 0);		/* the fill phases reached the end */
	printf("# %d steps: %lu allocations, %lu failures\n", NSTEPS, allocs, failures);
	while (n > 0) {
		pfn = list[--n];
		out[pfn] = false;
		uvm_pagefree(PHYS_TO_VM_PAGE(pfn << PAGE_SHIFT));
	}
}

/* Every managed page can be allocated, once, and then none; all come back. */
static void
test_exhaust(void)
{
	static struct vm_page *pgs[NMANAGED];
	static uint8_t seen[NPAGES];
	struct vm_page *pg;
	struct uvmexp u0, u;
	int n = 0, dup = 0;

	uvm_page_counters(&u0);
	while ((pg = uvm_pagealloc(PG_USE_USER, 0)) != NULL) {
		T_ASSERT(n < NMANAGED);
		dup += seen[VM_PAGE_TO_PHYS(pg) >> PAGE_SHIFT]++;
		pgs[n++] = pg;
	}
	T_EXPECT_EQ(n, NMANAGED);
	T_EXPECT_EQ(dup, 0);
	T_EXPECT(uvm_pagealloc(PG_USE_KERNEL, UVM_PGA_ZERO) == NULL);
	uvm_page_counters(&u);
	T_EXPECT_EQ(u.free, 0);
	T_EXPECT_EQ(u.byuse[PG_USE_USER], NMANAGED);
	T_EXPECT_EQ(u.failures, u0.failures + 2);
	while (n > 0)
		uvm_pagefree(pgs[--n]);
	memset(seen, 0, sizeof(seen));
}

/* A write to a free page panics the allocation that hands it out, naming the
 * page and the offset; with poisoning off, nothing is checked. */
static void
test_poison_detect(void)
{
	static const size_t offs[] = { 0, 0x123, PAGE_SIZE - 1 };
	static struct vm_page *got[NMANAGED];
	static int ngot;
	struct vm_page *pg;
	char want[128];
	uint8_t *p;
	size_t i;

	for (i = 0; i < nitems(offs); i++) {
		pg = uvm_pagealloc(PG_USE_KERNEL, 0);
		T_ASSERT(pg != NULL);
		uvm_pagefree(pg);
		p = VM_PAGE_TO_DMAP(pg);
		p[offs[i]] = 0x42;
		T_EXPECT_EQ(uvm_page_poison_find(pg), offs[i]);
		ngot = 0;
		T_EXPECT(SHIM_PANICS(
		    while ((got[ngot] = uvm_pagealloc(PG_USE_KERNEL, 0)) != NULL)
			    ngot++));
		snprintf(want, sizeof(want), "page %#lx written after free: "
		    "offset %#lx holds 0x42", VM_PAGE_TO_PHYS(pg), offs[i]);
		if (!T_EXPECT(strstr(shim_panic_msg, want) != NULL))
			printf("# panic was: %s\n", shim_panic_msg);
		T_EXPECT_EQ(shim_panic_depth, 0);
		T_EXPECT_EQ(pg->pg_use, PG_USE_KERNEL);	/* handed out, then caught */
		uvm_pagefree(pg);
		while (ngot > 0)
			uvm_pagefree(got[--ngot]);
	}

	uvm_page_poison = false;
	pg = uvm_pagealloc(PG_USE_KERNEL, 0);
	uvm_pagefree(pg);
	((uint8_t *)VM_PAGE_TO_DMAP(pg))[7] = 0x42;
	ngot = 0;
	T_EXPECT(!SHIM_PANICS(
	    while (ngot < NMANAGED - 1 &&
		(got[ngot] = uvm_pagealloc(PG_USE_KERNEL, 0)) != pg)
		    ngot++));
	T_ASSERT(got[ngot] == pg);
	uvm_page_poison = true;
	uvm_pagefree(pg);	/* poisons it again */
	while (ngot > 0)
		uvm_pagefree(got[--ngot]);
}

/* Freeing a free page panics and changes nothing. */
static void
test_double_free(void)
{
	struct vm_page *pg = uvm_pagealloc(PG_USE_PTP, 0);
	struct uvmexp u0, u;

	T_ASSERT(pg != NULL);
	uvm_pagefree(pg);
	uvm_page_counters(&u0);
	T_EXPECT(SHIM_PANICS(uvm_pagefree(pg)));
	T_EXPECT(strstr(shim_panic_msg, "is free, not allocated") != NULL);
	uvm_page_counters(&u);
	T_EXPECT_EQ(u.free, u0.free);
	T_EXPECT_EQ(u.frees, u0.frees);
}

/* The policy hook (kern_resource.c's in the kernel): what it says to
 * leave free stays free, after the pools were asked to give back; a hook
 * that refuses fails the allocation; both count as failures only. */
static uint64_t hook_keep;
static bool hook_refuse;

static bool
hook(enum vm_page_use use, uint64_t *keepp)
{
	*keepp = hook_keep;
	return !hook_refuse;
}

static void
test_hook_keep_and_refuse(void)
{
	static struct vm_page *pgs[NMANAGED];
	struct uvmexp u0, u;
	int n = 0;

	uvm_pagealloc_hook = hook;
	hook_keep = 10;
	hook_refuse = false;
	uvm_page_counters(&u0);
	while ((pgs[n] = uvm_pagealloc(PG_USE_USER, 0)) != NULL)
		n++;
	T_EXPECT_EQ(n, NMANAGED - 10);
	uvm_page_counters(&u);
	T_EXPECT_EQ(u.free, 10);
	T_EXPECT_EQ(u.failures, u0.failures + 1);
	hook_keep = 0;
	T_EXPECT((pgs[n] = uvm_pagealloc(PG_USE_KERNEL, 0)) != NULL);
	n++;
	hook_refuse = true;
	T_EXPECT(uvm_pagealloc(PG_USE_KERNEL, 0) == NULL);
	uvm_page_counters(&u);
	T_EXPECT_EQ(u.free, 9);
	T_EXPECT_EQ(u.failures, u0.failures + 2);
	uvm_pagealloc_hook = NULL;
	while (n > 0)
		uvm_pagefree(pgs[--n]);
}

static const struct ktap_case cases[] = {
	KTAP_CASE(test_physload_and_lookup),
	KTAP_CASE(test_random_model),
	KTAP_CASE(test_exhaust),
	KTAP_CASE(test_poison_detect),
	KTAP_CASE(test_double_free),
	KTAP_CASE(test_hook_keep_and_refuse),
};

int
main(int argc, char **argv)
{
	int status;

	ktap_plan(nitems(cases));
	shim_seed(argc, argv);
	shim_mem_init(NPAGES);
	uvm_page_physload(R1_START, R1_END);
	uvm_page_physload(R2_START, R2_END);
	status = ktap_run(cases, nitems(cases), check_clean);
	shim_mem_fini();
	return status;
}
