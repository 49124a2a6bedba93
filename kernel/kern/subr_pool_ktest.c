/*
 * kern/subr_pool_ktest.c: in-kernel tests of pools and kmalloc (suite "pool").
 *
 * Each case works on its own pool (or on the kmalloc classes) and gives back
 * all it took. The checks use the pool's own counters and what pool_reclaim
 * returns, not uvm_page's global ones, which other CPUs' threads (the reaper,
 * SMR) change at any time. Cases that look at this CPU's cache stay pegged
 * to their CPU.
 */
#include "lib.h"
#include "cpu.h"
#include "ktest.h"
#include "sched.h"
#include "uvm_page.h"
#include "pool.h"
#include "malloc.h"

#define NOBJS	1000

/* Many objects out at once: distinct, intact, counted; all back after. */
static void
test_pool_get_put(struct ktest *t)
{
	static struct pool tp;
	static uint32_t *objs[NOBJS];
	struct pool_stats st;
	int i, bad = 0;

	pool_init(&tp, 48, 8, "ktest48");
	for (i = 0; i < NOBJS; i++) {
		objs[i] = pool_get(&tp, PR_NOWAIT | (i % 2 ? PR_ZERO : 0));
		KT_ASSERT(t, objs[i] != NULL);
		if (i % 2 && objs[i][11] != 0)
			bad++;
		memset(objs[i], 0, 48);
		objs[i][0] = i;		/* an overlap would overwrite a tag */
		objs[i][11] = ~i;
	}
	KT_EXPECT_EQ(t, bad, 0);
	pool_stats_get(&tp, &st);
	KT_EXPECT_EQ(t, st.pst_live, NOBJS);
	KT_EXPECT_EQ(t, st.pst_peak, NOBJS);
	KT_EXPECT_EQ(t, st.pst_gets, NOBJS);
	KT_EXPECT(t, st.pst_slabs >= (NOBJS + st.pst_perslab - 1) / st.pst_perslab);
	for (i = 0; i < NOBJS; i++) {
		if (objs[i][0] != (uint32_t)i || objs[i][11] != ~(uint32_t)i)
			bad++;
		pool_put(&tp, objs[i]);
	}
	KT_EXPECT_EQ(t, bad, 0);
	pool_stats_get(&tp, &st);
	KT_EXPECT_EQ(t, st.pst_live, 0);
	KT_EXPECT_EQ(t, st.pst_puts, NOBJS);
	KT_EXPECT_EQ(t, st.pst_failures, 0);
	pool_destroy(&tp);
}

/* Put objects leave at most a cache's worth of slabs plus POOL_MAXEMPTY;
 * pool_reclaim on the CPU that put them hands every slab back to uvm_page. */
static void
pool_reclaim_pegged(struct ktest *t)
{
	static struct pool tp;
	static void *objs[NOBJS];
	struct pool_stats st;
	int i;

	pool_init(&tp, 200, 16, "ktest200");
	for (i = 0; i < NOBJS; i++) {
		objs[i] = pool_get(&tp, PR_NOWAIT);
		KT_ASSERT(t, objs[i] != NULL);
		KT_EXPECT(t, PHYS_TO_VM_PAGE(DMAP_TO_PHYS(objs[i]))->pg_use == PG_USE_POOL);
	}
	pool_stats_get(&tp, &st);
	KT_EXPECT(t, st.pst_slabs * st.pst_perslab >= NOBJS);
	for (i = 0; i < NOBJS; i++)
		pool_put(&tp, objs[i]);
	pool_stats_get(&tp, &st);
	ktest_log(t, "%lu slabs left after %d puts", st.pst_slabs, NOBJS);
	KT_EXPECT(t, st.pst_slabs <= tp.pr_cachemax + POOL_MAXEMPTY);
	KT_EXPECT(t, st.pst_slabs > 0);
	KT_EXPECT_EQ(t, pool_reclaim(&tp), st.pst_slabs);
	pool_stats_get(&tp, &st);
	KT_EXPECT_EQ(t, st.pst_slabs, 0);
	pool_destroy(&tp);
}

static void
test_pool_reclaim(struct ktest *t)
{
	sched_peg_curproc(curcpu());
	pool_reclaim_pegged(t);
	sched_unpeg_curproc();
}

/* A write after free shows in the poison, a write past the end in the red
 * zone; both are found at the right offset and forgiven once repaired. */
static void
pool_poison_pegged(struct ktest *t)
{
	static struct pool tp;
	struct pool_stats st;
	uint8_t *p, *q;
	long off;

	pool_init(&tp, 100, 8, "ktest100");
	if (!tp.pr_debug) {
		pool_destroy(&tp);
		ktest_skip(t, "pool_debug is off");
		return;
	}
	p = pool_get(&tp, PR_NOWAIT);
	KT_ASSERT(t, p != NULL);
	KT_EXPECT(t, !pool_redzone_find(&tp, p, &off));
	p[100] = 1;			/* one past the end */
	KT_EXPECT(t, pool_redzone_find(&tp, p, &off));
	KT_EXPECT_EQ(t, off, 100);
	p[100] = POOL_REDZONE_BYTE;
	p[-1] = 2;			/* one before the start */
	KT_EXPECT(t, pool_redzone_find(&tp, p, &off));
	KT_EXPECT_EQ(t, off, -1);
	p[-1] = POOL_REDZONE_BYTE;

	pool_put(&tp, p);
	KT_EXPECT_EQ(t, pool_poison_find(&tp, p), -1);
	p[37] = 0;			/* the write after free */
	KT_EXPECT_EQ(t, pool_poison_find(&tp, p), 37);
	p[37] = POOL_POISON_BYTE;
	KT_EXPECT_EQ(t, pool_poison_find(&tp, p), -1);
	q = pool_get(&tp, PR_NOWAIT);	/* this CPU's cache gives p back */
	KT_EXPECT(t, q == p);
	pool_put(&tp, q);
	pool_stats_get(&tp, &st);
	KT_EXPECT_EQ(t, st.pst_live, 0);
	pool_destroy(&tp);
}

static void
test_pool_poison(struct ktest *t)
{
	sched_peg_curproc(curcpu());
	pool_poison_pegged(t);
	sched_unpeg_curproc();
}

/* Every size class and the page sizes: right pool (or a kmalloc page),
 * usable, zeroed on M_ZERO, and the class's counters back after kfree.
 * Out-of-range sizes return NULL. */
static void
test_kmalloc_classes(struct ktest *t)
{
	static const size_t sizes[] = { 1, 15, 16, 17, 31, 32, 33, 64, 100, 128,
	    129, 256, 500, 512, 1000, 1024, 1025, 2000, 2048, 2049, 3000, 4096 };
	struct pool_stats before, after;
	struct pool *pp;
	size_t i, j, class;
	uint8_t *p;
	int nonzero;

	for (i = 0; i < nitems(sizes); i++) {
		pp = kmalloc_pool(sizes[i]);
		if (pp != NULL) {
			pool_stats_get(pp, &before);
			for (class = KMALLOC_MIN; class < sizes[i]; class *= 2)
				;
			KT_EXPECT_EQ(t, pp->pr_size, class);
		} else
			KT_EXPECT(t, sizes[i] > KMALLOC_POOLMAX);
		p = kmalloc(sizes[i], M_NOWAIT | M_ZERO);
		KT_ASSERT(t, p != NULL);
		KT_EXPECT_EQ(t, (uintptr_t)p % (pp != NULL ? 16 : PAGE_SIZE), 0);
		for (nonzero = 0, j = 0; j < sizes[i]; j++)
			nonzero += p[j] != 0;
		KT_EXPECT_EQ(t, nonzero, 0);
		memset(p, 0x5a, sizes[i]);
		if (pp != NULL) {
			pool_stats_get(pp, &after);
			KT_EXPECT_EQ(t, after.pst_live, before.pst_live + 1);
		} else
			KT_EXPECT_EQ(t, PHYS_TO_VM_PAGE(DMAP_TO_PHYS(p))->pg_use,
			    PG_USE_KERNEL);
		kfree(p, sizes[i]);
		if (pp != NULL) {
			pool_stats_get(pp, &after);
			KT_EXPECT_EQ(t, after.pst_live, before.pst_live);
			KT_EXPECT_EQ(t, after.pst_puts, before.pst_puts + 1);
		}
	}
	KT_EXPECT(t, kmalloc(0, M_NOWAIT) == NULL);
	KT_EXPECT(t, kmalloc(KMALLOC_MAX + 1, M_NOWAIT) == NULL);
	kfree(NULL, 64);
}

static const struct ktest_case pool_cases[] = {
	KTEST_CASE(test_pool_get_put),
	KTEST_CASE(test_pool_reclaim),
	KTEST_CASE(test_pool_poison),
	KTEST_CASE(test_kmalloc_classes),
	{}
};
KTEST_SUITE(pool, pool_cases);
