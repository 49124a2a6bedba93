/*
 * uvm/uvm_km_ktest.c: in-kernel tests of kernel stacks (suite uvm_km).
 *
 * Stacks are allocated and freed in bulk and the counters (live stacks,
 * kernel pages) must come back to their baseline; each stack must be mapped
 * and writable with an unmapped guard page below. Suite
 * selftest_kstack_overflow (explicit only) overflows a fresh stack on purpose
 * and must end in the "kernel stack overflow" panic. Cases run at boot on
 * one thread and give back everything they take.
 */
#include "lib.h"
#include "param.h"
#include "ktest.h"
#include "pmap.h"
#include "uvm_page.h"
#include "uvm_page_ktest.h"
#include "uvm_km.h"

#define KT_NSTACKS	64
#define KSTACK_PAGES	(KSTACK_SIZE / PAGE_SIZE)

/* The counters every case must leave as it found them. */
struct kt_km_base {
	uint64_t stacks;	/* uvm_km_kstack_count() */
	uint64_t kernel;	/* uvmexp.byuse[PG_USE_KERNEL] */
};

static void
kt_km_base_get(struct kt_km_base *b)
{
	struct uvmexp u;

	uvm_page_counters(&u);
	b->stacks = uvm_km_kstack_count();
	b->kernel = u.byuse[PG_USE_KERNEL];
}

static void
kt_km_base_check(struct ktest *t, const struct kt_km_base *b)
{
	struct kt_km_base now;

	kt_km_base_get(&now);
	KT_EXPECT_EQ(t, now.stacks, b->stacks);
	KT_EXPECT_EQ(t, now.kernel, b->kernel);
}

/* Return true if every page of the stack at va is mapped and its guard page
 * is not. */
static bool
kt_kstack_mapped(vaddr_t va)
{
	int i;

	if (pmap_extract(pmap_kernel(), va - PAGE_SIZE, NULL))
		return false;
	for (i = 0; i < KSTACK_PAGES; i++)
		if (!pmap_extract(pmap_kernel(), va + i * PAGE_SIZE, NULL))
			return false;
	return true;
}

/* Many stacks at once: distinct, mapped, writable, guarded, counted; all
 * unmapped and counted back when freed. */
static void
test_kstack_alloc_free_many(struct ktest *t)
{
	vaddr_t va[KT_NSTACKS], stack;
	struct kt_km_base base;
	int i, j;

	kt_km_base_get(&base);
	for (i = 0; i < KT_NSTACKS; i++) {
		va[i] = uvm_km_kstack_alloc();
		KT_ASSERT(t, va[i] != 0);
		KT_EXPECT_EQ(t, va[i] & PAGE_MASK, 0);
		KT_EXPECT(t, kt_kstack_mapped(va[i]));
		KT_EXPECT(t, uvm_km_kstack_guard(va[i] - 1, &stack) && stack == va[i]);
		KT_EXPECT(t, !uvm_km_kstack_guard(va[i], &stack));
		KT_EXPECT(t, !uvm_km_kstack_guard(va[i] + KSTACK_SIZE - 1, &stack));
		for (j = 0; j < i; j++)
			KT_EXPECT(t, va[j] != va[i]);
		memset((void *)va[i], i, KSTACK_SIZE);
	}
	KT_EXPECT_EQ(t, uvm_km_kstack_count(), base.stacks + KT_NSTACKS);
	for (i = 0; i < KT_NSTACKS; i++) {
		const uint8_t *p = (const uint8_t *)va[i];
		size_t k, bad = 0;

		for (k = 0; k < KSTACK_SIZE; k++)
			bad += p[k] != (uint8_t)i;
		KT_EXPECT_EQ(t, bad, 0);
	}
	for (i = 0; i < KT_NSTACKS; i++) {
		uvm_km_kstack_free(va[i]);
		KT_EXPECT(t, !pmap_extract(pmap_kernel(), va[i], NULL));
		KT_EXPECT(t, !pmap_extract(pmap_kernel(), va[i] + KSTACK_SIZE - PAGE_SIZE, NULL));
	}
	kt_km_base_check(t, &base);
}

/* Every slot can be had, then allocation fails with 0; all come back. */
static void
test_kstack_slots_exhaust(struct ktest *t)
{
	static vaddr_t va[UVM_KM_KSTACK_SLOTS];
	struct kt_km_base base;
	struct uvmexp u;
	uint64_t n = 0, want;

	kt_km_base_get(&base);
	uvm_page_counters(&u);
	want = UVM_KM_KSTACK_SLOTS - base.stacks;
	if (u.free < want * KSTACK_PAGES) {
		ktest_skip(t, "%lu free pages cannot fill %lu stacks", u.free, want);
		return;
	}
	while (n < want && (va[n] = uvm_km_kstack_alloc()) != 0)
		n++;
	KT_EXPECT_EQ(t, n, want);
	KT_EXPECT_EQ(t, uvm_km_kstack_count(), UVM_KM_KSTACK_SLOTS);
	KT_EXPECT_EQ(t, uvm_km_kstack_alloc(), 0);
	KT_EXPECT_EQ(t, uvm_km_kstack_count(), UVM_KM_KSTACK_SLOTS);
	while (n > 0)
		uvm_km_kstack_free(va[--n]);
	kt_km_base_check(t, &base);
}

/* Out of memory part way through a stack: 0, nothing leaked, the slot given
 * back; a stack can be had once memory is back. */
static void
test_kstack_enomem(struct ktest *t)
{
	struct ktest_hog hog = { NULL, 0 };
	struct kt_km_base base;
	struct uvmexp u;
	vaddr_t va;

	kt_km_base_get(&base);
	ktest_hog_fill(&hog, PG_USE_USER);
	ktest_hog_give(&hog, KSTACK_PAGES - 1);		/* one page short */
	KT_EXPECT_EQ(t, uvm_km_kstack_alloc(), 0);
	uvm_page_counters(&u);
	KT_EXPECT_EQ(t, u.free, KSTACK_PAGES - 1);
	KT_EXPECT_EQ(t, u.byuse[PG_USE_KERNEL], base.kernel);
	KT_EXPECT_EQ(t, uvm_km_kstack_count(), base.stacks);
	ktest_hog_give(&hog, UINT64_MAX);

	va = uvm_km_kstack_alloc();
	KT_ASSERT(t, va != 0);
	KT_EXPECT(t, kt_kstack_mapped(va));
	uvm_km_kstack_free(va);
	kt_km_base_check(t, &base);
}

static const struct ktest_case uvm_km_cases[] = {
	KTEST_CASE(test_kstack_alloc_free_many),
	KTEST_CASE(test_kstack_slots_exhaust),
	KTEST_CASE(test_kstack_enomem),
	{ 0 },
};
KTEST_SUITE(uvm_km, uvm_km_cases);

/* Recurse until depth, with a frame the compiler must keep. */
static int
kt_recurse(int depth)
{
	volatile char frame[256];

	frame[0] = (char)depth;
	if (depth == 0)
		return frame[0];
	return kt_recurse(depth - 1) + frame[0];
}

/* Call fn on the stack whose top is top; fn does not return here. */
static void
kt_run_on_stack(vaddr_t top, int (*fn)(int), int arg)
{
	__asm__ volatile(
	    "movq %0, %%rsp\n\t"
	    "call *%1"
	    :: "r"(top), "r"(fn), "D"(arg) : "memory");
	panic("kt_run_on_stack: %p returned", fn);
}

/* Crash: overflow a fresh kernel stack into its guard page, which must panic
 * with "kernel stack overflow". */
static void
selftest_kstack_overflow_case(struct ktest *t)
{
	vaddr_t va = uvm_km_kstack_alloc();

	KT_ASSERT(t, va != 0);
	ktest_log(t, "recursing on the kernel stack at %#lx", va);
	kt_run_on_stack(va + KSTACK_SIZE, kt_recurse, 1 << 20);
}

static const struct ktest_case selftest_kstack_overflow_cases[] = {
	KTEST_CASE(selftest_kstack_overflow_case),
	{ 0 },
};
KTEST_SUITE_EXPLICIT(selftest_kstack_overflow, selftest_kstack_overflow_cases);
