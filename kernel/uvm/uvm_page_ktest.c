/*
 * uvm/uvm_page_ktest.c: in-kernel tests of the physical page allocator.
 *
 * Suite uvm_page: exhaustion and exact accounting (memory above 4 GiB, if
 * any, handed out and usable), accounting by use, zero-fill, and the poison
 * check of free pages. Suite selftest_uaf
 * (explicit only) commits a write after free and must end in the allocator's
 * "written after free" panic. Also the page hog that the out-of-memory tests
 * of pmap and uvm_km use. Each case gives back every page it takes; the cases
 * assume no other CPU allocates meanwhile (tests run at boot).
 */
#include "lib.h"
#include "ktest.h"
#include "machdep.h"
#include "uvm_page.h"
#include "uvm_page_ktest.h"

#define KT_POISON_OFF	0x123	/* where the write-after-free cases scribble */
#define KT_4G		(4UL << 30)

/* Hold pg on h. An allocated page's pg_next is free for its owner's use. */
static void
ktest_hog_push(struct ktest_hog *h, struct vm_page *pg)
{
	pg->pg_next = h->head;
	h->head = pg;
	h->n++;
}

/*
 * Take every free page for use (pool pages reclaimed on the way included).
 * Checking and refilling the poison of every page of a large memory takes
 * minutes under TCG, so the hog switches poisoning off while more than one
 * page is free: it never writes to the pages, so they stay poisoned, and
 * ktest_hog_give frees them the same way. The last allocations, which may
 * make uvm_pagealloc reclaim pool pages, run with poisoning as it was, so
 * reclaimed pages are poisoned and checked. Nobody else may allocate or free
 * meanwhile (tests run alone at boot).
 */
void
ktest_hog_fill(struct ktest_hog *h, enum vm_page_use use)
{
	const bool poison = uvm_page_poison;
	struct vm_page *pg;

	for (;;) {
		uvm_page_poison = poison && __atomic_load_n(&uvmexp.free,
		    __ATOMIC_RELAXED) <= 1;
		if ((pg = uvm_pagealloc(use, 0)) == NULL)
			break;
		ktest_hog_push(h, pg);
	}
	uvm_page_poison = poison;
}

/* Give back n of the held pages (all of them if n is larger); they still
 * hold their poison, so it is not written again (see ktest_hog_fill). */
void
ktest_hog_give(struct ktest_hog *h, uint64_t n)
{
	const bool poison = uvm_page_poison;

	uvm_page_poison = false;
	while (n-- > 0 && h->head != NULL) {
		struct vm_page *pg = h->head;

		h->head = pg->pg_next;
		h->n--;
		uvm_pagefree(pg);
	}
	uvm_page_poison = poison;
}

/* Return how many of h's pages lie above 4 GiB; write and read back the
 * highest one through the direct map, then put its poison back. */
static uint64_t
kt_hog_high(struct ktest *t, struct ktest_hog *h)
{
	struct vm_page *pg, *top = NULL;
	uint64_t n = 0, *p;
	size_t i;

	for (pg = h->head; pg != NULL; pg = pg->pg_next) {
		if (VM_PAGE_TO_PHYS(pg) < KT_4G)
			continue;
		n++;
		if (top == NULL || VM_PAGE_TO_PHYS(pg) > VM_PAGE_TO_PHYS(top))
			top = pg;
	}
	if (top == NULL)
		return 0;
	p = VM_PAGE_TO_DMAP(top);
	for (i = 0; i < PAGE_SIZE / 8; i++)
		p[i] = VM_PAGE_TO_PHYS(top) + i;
	for (i = 0; i < PAGE_SIZE / 8; i++)
		KT_EXPECT_EQ(t, p[i], VM_PAGE_TO_PHYS(top) + i);
	memset(p, UVM_PAGE_POISON_BYTE, PAGE_SIZE);
	return n;
}

/* Check that the counters add up: every managed page is free or has a use. */
static void
kt_counters_balance(struct ktest *t, const struct uvmexp *u)
{
	uint64_t sum = u->free;
	int i;

	for (i = PG_USE_KERNEL; i < PG_USE_NUSES; i++)
		sum += u->byuse[i];
	KT_EXPECT_EQ(t, sum, u->npages);
}

/* Allocating every free page then freeing them all leaves every counter as it
 * was, and allocs, frees and failures moved by exactly what the case did.
 * Pool pages the allocator reclaims when it runs dry (pool_reclaim_all) are
 * accounted for: they come back as free pages. */
static void
test_uvm_page_exhaust(struct ktest *t)
{
	struct uvmexp before, full, after;
	struct ktest_hog h = { NULL, 0 };
	uint64_t reclaimed, n, high;
	int u;

	uvm_page_counters(&before);
	kt_counters_balance(t, &before);
	ktest_hog_fill(&h, PG_USE_USER);
	uvm_page_counters(&full);
	reclaimed = before.byuse[PG_USE_POOL] - full.byuse[PG_USE_POOL];
	KT_EXPECT_EQ(t, h.n, before.free + reclaimed);
	KT_EXPECT_EQ(t, full.free, 0);
	KT_EXPECT_EQ(t, full.byuse[PG_USE_USER], before.byuse[PG_USE_USER] + h.n);
	KT_EXPECT(t, full.failures > before.failures);
	KT_EXPECT(t, uvm_pagealloc(PG_USE_KERNEL, 0) == NULL);
	kt_counters_balance(t, &full);
	n = h.n;
	high = kt_hog_high(t, &h);
	ktest_log(t, "allocated all %lu free pages, %lu above 4 GiB", n, high);
	KT_EXPECT(t, (high > 0) == (memory_top() > KT_4G));
	ktest_hog_give(&h, UINT64_MAX);
	uvm_page_counters(&after);
	kt_counters_balance(t, &after);
	KT_EXPECT_EQ(t, after.npages, before.npages);
	KT_EXPECT_EQ(t, after.free, before.free + reclaimed);
	for (u = PG_USE_KERNEL; u < PG_USE_NUSES; u++)
		KT_EXPECT_EQ(t, after.byuse[u], before.byuse[u] -
		    (u == PG_USE_POOL ? reclaimed : 0));
	KT_EXPECT_EQ(t, after.allocs, before.allocs + n);
	KT_EXPECT_EQ(t, after.frees, before.frees + n + reclaimed);
}

/* Each use is counted apart, exactly, and given back on free: take 1 kernel,
 * 2 user, 3 ptp and 4 pool pages. */
static void
test_uvm_page_byuse(struct ktest *t)
{
	struct vm_page *pg[PG_USE_NUSES][PG_USE_NUSES];
	struct uvmexp before, mid, after;
	int u, i, n = 0;

	uvm_page_counters(&before);
	for (u = PG_USE_KERNEL; u < PG_USE_NUSES; u++) {
		for (i = 0; i < u - PG_USE_KERNEL + 1; i++) {
			pg[u][i] = uvm_pagealloc(u, 0);
			KT_ASSERT(t, pg[u][i] != NULL);
			KT_EXPECT_EQ(t, pg[u][i]->pg_use, u);
			n++;
		}
	}
	uvm_page_counters(&mid);
	for (u = PG_USE_KERNEL; u < PG_USE_NUSES; u++)
		KT_EXPECT_EQ(t, mid.byuse[u], before.byuse[u] + u - PG_USE_KERNEL + 1);
	KT_EXPECT_EQ(t, mid.free, before.free - n);
	KT_EXPECT_EQ(t, mid.allocs, before.allocs + n);
	for (u = PG_USE_KERNEL; u < PG_USE_NUSES; u++)
		for (i = 0; i < u - PG_USE_KERNEL + 1; i++)
			uvm_pagefree(pg[u][i]);
	uvm_page_counters(&after);
	KT_EXPECT_EQ(t, after.free, before.free);
	KT_EXPECT_EQ(t, after.frees, before.frees + n);
	for (u = PG_USE_KERNEL; u < PG_USE_NUSES; u++)
		KT_EXPECT_EQ(t, after.byuse[u], before.byuse[u]);
}

/* UVM_PGA_ZERO gives a zeroed page; without it a page holds the poison it
 * was filled with when freed. */
static void
test_uvm_page_zero(struct ktest *t)
{
	struct vm_page *pg;
	const uint8_t *p;
	size_t i, nonzero = 0, notpoison = 0;

	pg = uvm_pagealloc(PG_USE_KERNEL, UVM_PGA_ZERO);
	KT_ASSERT(t, pg != NULL);
	p = VM_PAGE_TO_DMAP(pg);
	for (i = 0; i < PAGE_SIZE; i++)
		nonzero += p[i] != 0;
	KT_EXPECT_EQ(t, nonzero, 0);
	memset(VM_PAGE_TO_DMAP(pg), 0x5a, PAGE_SIZE);
	uvm_pagefree(pg);

	if (!uvm_page_poison)
		return;
	pg = uvm_pagealloc(PG_USE_KERNEL, 0);
	KT_ASSERT(t, pg != NULL);
	p = VM_PAGE_TO_DMAP(pg);
	for (i = 0; i < PAGE_SIZE; i++)
		notpoison += p[i] != UVM_PAGE_POISON_BYTE;
	KT_EXPECT_EQ(t, notpoison, 0);
	uvm_pagefree(pg);
}

/* A byte written into a free page is found at its offset; the poison is put
 * back before anyone can allocate the page. */
static void
test_uvm_page_poison_find(struct ktest *t)
{
	struct vm_page *pg;
	uint8_t *p;

	if (!uvm_page_poison) {
		ktest_skip(t, "page poisoning is off");
		return;
	}
	pg = uvm_pagealloc(PG_USE_KERNEL, 0);
	KT_ASSERT(t, pg != NULL);
	uvm_pagefree(pg);
	KT_EXPECT_EQ(t, uvm_page_poison_find(pg), -1);
	p = VM_PAGE_TO_DMAP(pg);
	p[KT_POISON_OFF] = 0;			/* the write after free */
	KT_EXPECT_EQ(t, uvm_page_poison_find(pg), KT_POISON_OFF);
	p[KT_POISON_OFF] = UVM_PAGE_POISON_BYTE;
	KT_EXPECT_EQ(t, uvm_page_poison_find(pg), -1);
	p[PAGE_SIZE - 1] = 0x42;		/* the last byte is checked too */
	KT_EXPECT_EQ(t, uvm_page_poison_find(pg), PAGE_SIZE - 1);
	p[PAGE_SIZE - 1] = UVM_PAGE_POISON_BYTE;
}

static const struct ktest_case uvm_page_cases[] = {
	KTEST_CASE(test_uvm_page_exhaust),
	KTEST_CASE(test_uvm_page_byuse),
	KTEST_CASE(test_uvm_page_zero),
	KTEST_CASE(test_uvm_page_poison_find),
	{ 0 },
};
KTEST_SUITE(uvm_page, uvm_page_cases);

/* Crash: write into a freed page, then allocate until the allocator hands it
 * back, which must panic with "written after free" naming page and offset. */
static void
selftest_uaf_case(struct ktest *t)
{
	struct ktest_hog h = { NULL, 0 };
	struct vm_page *pg, *got;

	if (!uvm_page_poison) {
		ktest_skip(t, "page poisoning is off");
		return;
	}
	pg = uvm_pagealloc(PG_USE_KERNEL, 0);
	KT_ASSERT(t, pg != NULL);
	uvm_pagefree(pg);
	ktest_log(t, "writing to free page %#lx at offset %#x", VM_PAGE_TO_PHYS(pg),
	    KT_POISON_OFF);
	((uint8_t *)VM_PAGE_TO_DMAP(pg))[KT_POISON_OFF] = 0;
	while ((got = uvm_pagealloc(PG_USE_KERNEL, 0)) != NULL && got != pg)
		ktest_hog_push(&h, got);
	/* reached only if the allocator missed the write */
	KT_EXPECT(t, !"uvm_pagealloc handed out a page written after free");
	if (got != NULL)
		uvm_pagefree(got);
	ktest_hog_give(&h, UINT64_MAX);
}

static const struct ktest_case selftest_uaf_cases[] = {
	KTEST_CASE(selftest_uaf_case),
	{ 0 },
};
KTEST_SUITE_EXPLICIT(selftest_uaf, selftest_uaf_cases);
