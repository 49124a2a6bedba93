/*
 * Host unit tests of kern/subr_pool.c and kern/kern_malloc.c over simulated
 * physical memory and NCPU fake CPUs: slot geometry, a randomized model of
 * gets and puts over several pools and CPUs, the per-CPU caches, reclaim,
 * memory exhaustion, the debug checks (poison, red zones, double free,
 * foreign objects), statistics, and the kmalloc size classes. Every case
 * gives back all it took (check_clean).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib.h"
#include "uvm_page.h"
#include "pool.h"
#include "malloc.h"
#include "shim.h"
#include "ktap.h"

#define NPAGES		2048
#define NMANAGED	(NPAGES - 1)	/* page 0 stays reserved */
#define NCPU		4
#define NSTEPS		40000
#define MAXLIVE		400		/* objects out per pool in the model */
#define MAXOBJS		1024

static void *objs[MAXOBJS];

static uint64_t
pages_in_use(enum vm_page_use use)
{
	struct uvmexp u;

	uvm_page_counters(&u);
	return u.byuse[use];
}

static struct pool_stats
stats(struct pool *pp)
{
	struct pool_stats st;

	pool_stats_get(pp, &st);
	return st;
}

/* Fill an object with a pattern made from tag, or check that it is intact. */
static void
obj_tag(void *obj, size_t size, uint64_t tag)
{
	uint8_t *p = obj;
	size_t i;

	for (i = 0; i < size; i++)
		p[i] = (uint8_t)(tag * 131 + i);
}

static bool
obj_tagged(const void *obj, size_t size, uint64_t tag)
{
	const uint8_t *p = obj;
	size_t i;

	for (i = 0; i < size; i++)
		if (p[i] != (uint8_t)(tag * 131 + i))
			return false;
	return true;
}

static bool
all_bytes(const void *obj, size_t size, uint8_t b)
{
	const uint8_t *p = obj;
	size_t i;

	for (i = 0; i < size; i++)
		if (p[i] != b)
			return false;
	return true;
}

static bool
panicked_with(const char *want)
{
	if (strstr(shim_panic_msg, want) != NULL)
		return true;
	printf("# panic \"%s\" does not say \"%s\"\n", shim_panic_msg, want);
	return false;
}

/* Reclaim on every fake CPU: with nothing live, every slab goes back. */
static void
reclaim_everywhere(void)
{
	unsigned cpu;

	for (cpu = 0; cpu < NCPU; cpu++) {
		shim_set_cpu(cpu);
		pool_reclaim_all();
	}
	shim_set_cpu(0);
}

/* After each case: no lock held; once every CPU reclaimed, every page is
 * free; no pool is registered but kmalloc's. */
static void
check_clean(void)
{
	struct uvmexp u;
	struct pool *pp;

	T_EXPECT(shim_quiescent());
	reclaim_everywhere();
	uvm_page_counters(&u);
	T_EXPECT_EQ(u.free, NMANAGED);
	T_EXPECT_EQ(u.byuse[PG_USE_POOL], 0);
	T_EXPECT_EQ(u.byuse[PG_USE_KERNEL], 0);
	for (pp = pool_head; pp != NULL; pp = pp->pr_next)
		T_EXPECT(strncmp(pp->pr_name, "kmalloc", 7) == 0);
	pool_debug = true;
	shim_set_cpu(0);
}

static int
ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/* For each size and alignment, with and without debug checks: objects
 * aligned, not overlapping, fresh ones poisoned (debug) or zeroed (PR_ZERO),
 * slots as large as the layout promises. */
static void
test_geometry(void)
{
	static const struct { size_t size, align; } geo[] = {
		{ 1, 1 }, { 8, 8 }, { 24, 8 }, { 33, 16 }, { 64, 64 },
		{ 200, 32 }, { 100, 256 }, { 1000, 8 }, { 2048, 16 },
	};
	static struct pool tp;
	struct pool_stats st;
	size_t g, i, n, align;
	int debug;

	for (debug = 0; debug < 2; debug++) {
		for (g = 0; g < nitems(geo); g++) {
			pool_debug = debug;
			pool_init(&tp, geo[g].size, geo[g].align, "geometry");
			pool_debug = true;
			T_EXPECT_EQ(tp.pr_debug, debug);
			align = MAX(geo[g].align, sizeof(void *));
			st = stats(&tp);
			T_EXPECT(st.pst_perslab >= 1);
			if (debug)
				T_EXPECT(st.pst_stride >= geo[g].size + 16 + 16);
			else
				T_EXPECT_EQ(st.pst_stride, roundup(geo[g].size, align));
			n = MIN(2 * st.pst_perslab + 3, MAXOBJS);
			for (i = 0; i < n; i++) {
				bool zero = i % 3 == 0;

				objs[i] = pool_get(&tp, PR_NOWAIT | (zero ? PR_ZERO : 0));
				T_ASSERT(objs[i] != NULL);
				T_EXPECT_EQ((uintptr_t)objs[i] % align, 0);
				if (zero)
					T_EXPECT(all_bytes(objs[i], geo[g].size, 0));
				else if (debug)
					T_EXPECT(all_bytes(objs[i], geo[g].size, POOL_POISON_BYTE));
				obj_tag(objs[i], geo[g].size, i);
			}
			st = stats(&tp);
			T_EXPECT(st.pst_slabs * st.pst_perslab >= n);
			for (i = 0; i < n; i++)
				T_EXPECT(obj_tagged(objs[i], geo[g].size, i));
			qsort(objs, n, sizeof(objs[0]), ptr_cmp);
			for (i = 0; i + 1 < n; i++)
				T_EXPECT((char *)objs[i] + geo[g].size <= (char *)objs[i + 1]);
			for (i = 0; i < n; i++)
				pool_put(&tp, objs[i]);
			pool_destroy(&tp);
		}
	}
	T_EXPECT_EQ(pages_in_use(PG_USE_POOL), 0);
}

/* Random gets and puts over several pools on several CPUs (objects are put
 * on any CPU, not only where they were got), checked against a model after
 * every step: no object handed out twice, contents kept while live, exact
 * gets, puts, live and peak; every slab accounted to uvm_page. At the end
 * every page comes back. */
static void
test_random_model(void)
{
	static const struct { size_t size, align; bool debug; } spec[] = {
		{ 8, 8, true }, { 24, 8, true }, { 100, 16, true },
		{ 256, 64, true }, { 1000, 8, true }, { 2048, 16, true },
		{ 40, 8, false }, { 300, 8, false },
	};
#define NPOOLS	nitems(spec)
	static struct pool pools[NPOOLS];
	static struct {
		void	*obj[MAXLIVE];
		uint64_t tag[MAXLIVE];
		int	n;
		uint64_t gets, puts, peak;
	} m[NPOOLS];
	uint64_t nexttag = 1, slabs;
	struct pool_stats st;
	struct pool *pp;
	size_t k;
	int step, i;

	memset(m, 0, sizeof(m));
	for (k = 0; k < NPOOLS; k++) {
		pool_debug = spec[k].debug;
		pool_init(&pools[k], spec[k].size, spec[k].align, "model");
	}
	pool_debug = true;
	for (step = 0; step < NSTEPS; step++) {
		/* Phases that fill the pools up and drain them. */
		unsigned getpct = (step / 4000) % 2 == 0 ? 65 : 35;

		k = shim_random(NPOOLS);
		pp = &pools[k];
		shim_set_cpu(shim_random(NCPU));
		if (shim_random(100) == 0) {
			pool_reclaim(pp);
		} else if (m[k].n == 0 ||
		    (m[k].n < MAXLIVE && shim_random(100) < getpct)) {
			bool zero = shim_random(4) == 0;
			void *obj = pool_get(pp, PR_NOWAIT | (zero ? PR_ZERO : 0));

			T_ASSERT(obj != NULL);
			T_ASSERT_EQ((uintptr_t)obj % spec[k].align, 0);
			for (i = 0; i < m[k].n; i++)
				T_ASSERT(m[k].obj[i] != obj);
			if (zero)
				T_ASSERT(all_bytes(obj, spec[k].size, 0));
			else if (spec[k].debug)
				T_ASSERT(all_bytes(obj, spec[k].size, POOL_POISON_BYTE));
			obj_tag(obj, spec[k].size, nexttag);
			m[k].obj[m[k].n] = obj;
			m[k].tag[m[k].n++] = nexttag++;
			m[k].gets++;
			m[k].peak = MAX(m[k].peak, (uint64_t)m[k].n);
		} else {
			i = shim_random(m[k].n);
			T_ASSERT(obj_tagged(m[k].obj[i], spec[k].size, m[k].tag[i]));
			pool_put(pp, m[k].obj[i]);
			m[k].n--;
			m[k].obj[i] = m[k].obj[m[k].n];
			m[k].tag[i] = m[k].tag[m[k].n];
			m[k].puts++;
		}
		st = stats(pp);
		T_ASSERT_EQ(st.pst_gets, m[k].gets);
		T_ASSERT_EQ(st.pst_puts, m[k].puts);
		T_ASSERT_EQ(st.pst_live, m[k].n);
		T_ASSERT_EQ(st.pst_peak, m[k].peak);
		T_ASSERT_EQ(st.pst_failures, 0);
		T_ASSERT(pp->pr_cache[cpu_number()].pc_nobjs <= pp->pr_cachemax);
		T_ASSERT(shim_quiescent());
		if (step % 256 == 0) {
			for (slabs = 0, pp = pool_head; pp != NULL; pp = pp->pr_next)
				slabs += stats(pp).pst_slabs;
			T_ASSERT_EQ(pages_in_use(PG_USE_POOL), slabs);
		}
	}
	for (k = 0; k < NPOOLS; k++) {
		printf("# pool %zu (%zu bytes): %lu gets, peak %lu\n", k,
		    spec[k].size, m[k].gets, m[k].peak);
		while (m[k].n > 0) {
			shim_set_cpu(shim_random(NCPU));
			m[k].n--;
			T_EXPECT(obj_tagged(m[k].obj[m[k].n], spec[k].size, m[k].tag[m[k].n]));
			pool_put(&pools[k], m[k].obj[m[k].n]);
		}
	}
	reclaim_everywhere();
	for (k = 0; k < NPOOLS; k++) {
		st = stats(&pools[k]);
		T_EXPECT_EQ(st.pst_slabs, 0);
		T_EXPECT_EQ(st.pst_live, 0);
		pool_destroy(&pools[k]);
	}
	T_EXPECT_EQ(pages_in_use(PG_USE_POOL), 0);
#undef NPOOLS
}

/* Each CPU has its own cache: an object put on one CPU comes back on that
 * CPU only. A full cache gives half back, so puts leave no more slabs than
 * the cached objects pin plus POOL_MAXEMPTY. pool_reclaim empties only the
 * caller's cache; pool_destroy empties every CPU's. */
static void
test_cpu_caches(void)
{
	static struct pool tp;
	struct pool_stats st;
	unsigned cpu, cached, freed;
	void *a, *b, *c;
	uint64_t pages;
	size_t i, n;

	pool_init(&tp, 64, 8, "caches");
	shim_set_cpu(1);
	a = pool_get(&tp, PR_NOWAIT);
	shim_set_cpu(2);
	pool_put(&tp, a);
	shim_set_cpu(1);
	b = pool_get(&tp, PR_NOWAIT);
	T_EXPECT(b != NULL && b != a);
	shim_set_cpu(2);
	c = pool_get(&tp, PR_NOWAIT);
	T_EXPECT(c == a);
	pool_put(&tp, c);
	shim_set_cpu(1);
	pool_put(&tp, b);

	n = MIN(6 * tp.pr_perslab, MAXOBJS);
	shim_set_cpu(0);
	for (i = 0; i < n; i++)
		T_ASSERT((objs[i] = pool_get(&tp, PR_NOWAIT)) != NULL);
	shim_set_cpu(3);
	for (i = 0; i < n; i++)
		pool_put(&tp, objs[i]);
	for (cached = 0, cpu = 0; cpu < MAXCPUS; cpu++)
		cached += tp.pr_cache[cpu].pc_nobjs;
	st = stats(&tp);
	T_EXPECT(tp.pr_cache[3].pc_nobjs <= tp.pr_cachemax);
	T_EXPECT(st.pst_slabs <= cached + POOL_MAXEMPTY);
	T_EXPECT(st.pst_empty <= POOL_MAXEMPTY);
	T_EXPECT_EQ(pages_in_use(PG_USE_POOL), st.pst_slabs);

	shim_set_cpu(0);
	pages = pages_in_use(PG_USE_POOL);
	freed = pool_reclaim(&tp);
	T_EXPECT_EQ(freed, pages - pages_in_use(PG_USE_POOL));
	T_EXPECT(tp.pr_cache[3].pc_nobjs > 0);
	T_EXPECT(stats(&tp).pst_slabs > 0);	/* pinned by cpu3's cache */
	for (cpu = 1; cpu < NCPU; cpu++) {
		shim_set_cpu(cpu);
		pool_reclaim(&tp);
	}
	T_EXPECT_EQ(stats(&tp).pst_slabs, 0);
	T_EXPECT_EQ(pages_in_use(PG_USE_POOL), 0);

	shim_set_cpu(5);
	a = pool_get(&tp, PR_NOWAIT);
	pool_put(&tp, a);
	shim_set_cpu(0);
	T_EXPECT(pages_in_use(PG_USE_POOL) > 0);
	pool_destroy(&tp);
	T_EXPECT_EQ(pages_in_use(PG_USE_POOL), 0);
}

/* When uvm_page runs dry it makes the pools give back their empty slabs and
 * cached objects; when even that is not enough, pool_get and kmalloc return
 * NULL and count a failure, and no live object is lost or damaged. */
static void
test_exhaustion(void)
{
	static struct vm_page *pgs[NMANAGED];
	static struct pool tp;
	struct pool_stats st;
	struct uvmexp u0, u;
	size_t i, nlive = 50, nfree, nextra = 0;
	int npgs = 0;
	void *p;

	pool_init(&tp, 128, 8, "exhaust");
	for (i = 0; i < nlive; i++) {
		T_ASSERT((objs[i] = pool_get(&tp, PR_NOWAIT)) != NULL);
		obj_tag(objs[i], 128, i);
	}
	for (i = nlive; i < nlive + 3 * tp.pr_perslab; i++)	/* spare slabs */
		T_ASSERT((objs[i] = pool_get(&tp, PR_NOWAIT)) != NULL);
	for (i = nlive; i < nlive + 3 * tp.pr_perslab; i++)
		pool_put(&tp, objs[i]);
	T_EXPECT(stats(&tp).pst_empty > 0);
	uvm_page_counters(&u0);
	nfree = u0.free;

	while ((pgs[npgs] = uvm_pagealloc(PG_USE_KERNEL, 0)) != NULL)
		npgs++;
	st = stats(&tp);
	uvm_page_counters(&u);
	T_EXPECT(npgs > nfree);		/* the pools' spare pages were reclaimed */
	T_EXPECT_EQ(npgs, NMANAGED - st.pst_slabs);
	T_EXPECT_EQ(u.byuse[PG_USE_POOL], st.pst_slabs);
	T_EXPECT_EQ(st.pst_empty, 0);
	T_EXPECT_EQ(u.failures, u0.failures + 1);

	/* The partial slabs still have room; then nothing. */
	while (nlive + nextra < MAXOBJS &&
	    (objs[nlive + nextra] = pool_get(&tp, PR_NOWAIT)) != NULL)
		nextra++;
	T_EXPECT(nlive + nextra < MAXOBJS);
	T_EXPECT_EQ(nlive + nextra, st.pst_slabs * st.pst_perslab);
	st = stats(&tp);
	T_EXPECT_EQ(st.pst_failures, 1);
	T_EXPECT_EQ(st.pst_live, nlive + nextra);
	T_EXPECT(pool_get(&tp, PR_NOWAIT | PR_ZERO) == NULL);
	T_EXPECT_EQ(stats(&tp).pst_failures, 2);
	T_EXPECT(kmalloc(64, M_NOWAIT) == NULL);
	T_EXPECT(kmalloc(KMALLOC_MAX, M_NOWAIT | M_ZERO) == NULL);
	for (i = 0; i < nlive; i++)
		T_EXPECT(obj_tagged(objs[i], 128, i));

	uvm_pagefree(pgs[--npgs]);	/* one page is enough for a slab */
	p = pool_get(&tp, PR_NOWAIT);
	T_EXPECT(p != NULL);
	if (p != NULL)
		pool_put(&tp, p);
	for (i = 0; i < nlive + nextra; i++)
		pool_put(&tp, objs[i]);
	while (npgs > 0)
		uvm_pagefree(pgs[--npgs]);
	st = stats(&tp);
	T_EXPECT_EQ(st.pst_live, 0);
	T_EXPECT_EQ(st.pst_gets, st.pst_puts);
	pool_destroy(&tp);
}

/* A write to a free object panics the pool_get that would hand it out,
 * naming the pool, the object and the offset, and leaves the object cached;
 * a write found when its slab is freed panics too. */
static void
test_poison(void)
{
	static struct pool tp;
	static void *q;
	uint8_t *p;
	char want[160];

	pool_init(&tp, 100, 8, "poison");
	p = pool_get(&tp, PR_NOWAIT);
	T_ASSERT(p != NULL);
	pool_put(&tp, p);
	T_EXPECT_EQ(pool_poison_find(&tp, p), -1);
	p[42] = 0;
	T_EXPECT_EQ(pool_poison_find(&tp, p), 42);
	T_EXPECT(SHIM_PANICS(q = pool_get(&tp, PR_NOWAIT)));
	snprintf(want, sizeof(want), "pool_get: pool poison: object %p written "
	    "after free: offset 0x2a", (void *)p);
	T_EXPECT(panicked_with(want));
	T_EXPECT_EQ(shim_panic_depth, 1);	/* in the cache section, no lock */
	T_EXPECT_EQ(stats(&tp).pst_live, 0);
	p[42] = POOL_POISON_BYTE;
	q = pool_get(&tp, PR_NOWAIT);
	T_EXPECT(q == p);
	pool_put(&tp, q);

	/* Caught when the slab goes back to uvm_page: the slab is then off
	 * the pool's lists, so the test frees its page itself. */
	p[3] = 0x77;
	T_EXPECT(SHIM_PANICS(pool_reclaim(&tp)));
	snprintf(want, sizeof(want), "pool_reclaim: pool poison: object %p "
	    "written after free: offset 0x3", (void *)p);
	T_EXPECT(panicked_with(want));
	T_EXPECT_EQ(stats(&tp).pst_slabs, 0);
	p[3] = POOL_POISON_BYTE;
	uvm_pagefree(PHYS_TO_VM_PAGE(DMAP_TO_PHYS(p)));
	pool_destroy(&tp);
}

/* Writing just past or before a live object panics its pool_put, with the
 * offset; past a free one, the pool_get that would hand it out. */
static void
test_redzones(void)
{
	static struct pool tp;
	static void *q;
	char want[160];
	uint8_t *p;
	long off;

	pool_init(&tp, 100, 8, "redzone");
	p = pool_get(&tp, PR_NOWAIT);
	T_ASSERT(p != NULL);
	T_EXPECT(!pool_redzone_find(&tp, p, &off));

	p[100] = 1;
	T_EXPECT(SHIM_PANICS(pool_put(&tp, p)));
	snprintf(want, sizeof(want), "pool_put: pool redzone: object %p overran "
	    "its red zone at offset 100", (void *)p);
	T_EXPECT(panicked_with(want));
	T_EXPECT_EQ(shim_panic_depth, 0);
	p[100] = POOL_REDZONE_BYTE;

	p[-1] = 1;
	T_EXPECT(SHIM_PANICS(pool_put(&tp, p)));
	snprintf(want, sizeof(want), "object %p overran its red zone at offset -1",
	    (void *)p);
	T_EXPECT(panicked_with(want));
	p[-1] = POOL_REDZONE_BYTE;
	T_EXPECT_EQ(stats(&tp).pst_live, 1);
	pool_put(&tp, p);

	p[103] = 1;
	T_EXPECT(SHIM_PANICS(q = pool_get(&tp, PR_NOWAIT)));
	snprintf(want, sizeof(want), "red zone of free object %p overwritten at "
	    "offset 103", (void *)p);
	T_EXPECT(panicked_with(want));
	p[103] = POOL_REDZONE_BYTE;
	q = pool_get(&tp, PR_NOWAIT);
	T_EXPECT(q == p);
	pool_put(&tp, q);
	pool_destroy(&tp);
}

/* A second pool_put of an object panics and changes nothing; without debug
 * checks, a put with nothing live is still caught. */
static void
test_double_free(void)
{
	static struct pool tp, nd;
	struct pool_stats st;
	void *p, *q;

	pool_init(&tp, 64, 8, "dfree");
	p = pool_get(&tp, PR_NOWAIT);
	pool_put(&tp, p);
	T_EXPECT(SHIM_PANICS(pool_put(&tp, p)));
	T_EXPECT(panicked_with("freed twice"));
	T_EXPECT_EQ(shim_panic_depth, 0);
	st = stats(&tp);
	T_EXPECT_EQ(st.pst_puts, 1);
	T_EXPECT_EQ(st.pst_live, 0);
	q = pool_get(&tp, PR_NOWAIT);
	T_EXPECT(q == p);
	pool_put(&tp, q);
	pool_destroy(&tp);

	pool_debug = false;
	pool_init(&nd, 64, 8, "dfree-nodebug");
	pool_debug = true;
	p = pool_get(&nd, PR_NOWAIT);
	pool_put(&nd, p);
	T_EXPECT(SHIM_PANICS(pool_put(&nd, p)));
	T_EXPECT(panicked_with("more puts than gets"));
	st = stats(&nd);
	T_EXPECT_EQ(st.pst_puts, 1);
	T_EXPECT_EQ(st.pst_live, 0);
	pool_destroy(&nd);
}

/* Objects of another pool, pointers into a slot, pointers outside any slab,
 * and misuse of the interface all panic, naming the pool, without changing
 * anything; impossible geometries panic pool_init and register nothing. */
static void
test_misuse(void)
{
	static struct pool a, b, bad;
	static char notpool[64];
	struct vm_page *pg;
	void *p;

	pool_init(&a, 64, 8, "pool-a");
	pool_init(&b, 64, 8, "pool-b");
	p = pool_get(&a, PR_NOWAIT);
	T_ASSERT(p != NULL);
	T_EXPECT(SHIM_PANICS(pool_put(&b, p)));
	T_EXPECT(panicked_with("is not an object of pool pool-b"));
	T_EXPECT(SHIM_PANICS(pool_put(&a, (char *)p + 8)));
	T_EXPECT(panicked_with("is inside a slab of pool pool-a but not an object"));
	T_EXPECT(SHIM_PANICS(pool_put(&a, notpool)));
	T_EXPECT(panicked_with("is not an object of pool pool-a"));
	pg = uvm_pagealloc(PG_USE_KERNEL, 0);
	T_EXPECT(SHIM_PANICS(pool_put(&a, VM_PAGE_TO_DMAP(pg))));
	T_EXPECT(panicked_with("is not an object of pool pool-a"));
	uvm_pagefree(pg);
	T_EXPECT(SHIM_PANICS(pool_destroy(&a)));
	T_EXPECT(panicked_with("pool_destroy: pool pool-a has 1 live objects"));
	T_EXPECT(SHIM_PANICS(pool_get(&a, 0)));		/* PR_NOWAIT is required */
	T_EXPECT(shim_quiescent());
	T_EXPECT_EQ(stats(&a).pst_live, 1);
	pool_put(&a, p);
	pool_destroy(&a);
	pool_destroy(&b);

	T_EXPECT(SHIM_PANICS(pool_init(&bad, POOL_MAXSIZE + 1, 8, "bad")));
	T_EXPECT(SHIM_PANICS(pool_init(&bad, 64, 24, "bad")));
	T_EXPECT(SHIM_PANICS(pool_init(&bad, 2048, 2048, "bad")));
	T_EXPECT(panicked_with("does not fit in a slab"));
}

struct visit {
	const char	*name;
	int		seen;
	struct pool_stats st;
};

static void
visit_pool(const struct pool_stats *st, void *arg)
{
	struct visit *v = arg;

	if (strcmp(st->pst_name, v->name) == 0) {
		v->seen++;
		v->st = *st;
	}
}

/* pool_foreach shows every registered pool once with its counters, and a
 * destroyed pool no more; pool_stats_print prints them. */
static void
test_stats_foreach(void)
{
	static struct pool tp;
	struct visit v = { .name = "stats-x" };
	void *o[3];
	int i;

	pool_init(&tp, 32, 8, "stats-x");
	for (i = 0; i < 3; i++)
		o[i] = pool_get(&tp, PR_NOWAIT);
	pool_put(&tp, o[0]);
	pool_foreach(visit_pool, &v);
	T_EXPECT_EQ(v.seen, 1);
	T_EXPECT_EQ(v.st.pst_size, 32);
	T_EXPECT_EQ(v.st.pst_live, 2);
	T_EXPECT_EQ(v.st.pst_peak, 3);
	T_EXPECT_EQ(v.st.pst_gets, 3);
	T_EXPECT_EQ(v.st.pst_puts, 1);
	T_EXPECT_EQ(v.st.pst_slabs, 1);
	pool_stats_print();
	pool_put(&tp, o[1]);
	pool_put(&tp, o[2]);
	pool_destroy(&tp);
	v.seen = 0;
	pool_foreach(visit_pool, &v);
	T_EXPECT_EQ(v.seen, 0);
}

/* Every size from 1 to KMALLOC_MAX: the right class (or a whole page),
 * aligned, zeroed on M_ZERO, counted while live and uncounted after kfree.
 * Sizes out of range return NULL; kfree with a size of another class, or of
 * a page kmalloc did not hand out, panics. */
static void
test_kmalloc_classes(void)
{
	struct pool_stats before, after;
	struct vm_page *pg;
	size_t size, class;
	struct pool *pp;
	uint8_t *p;
	int nclass = 0;

	for (size = 1; size <= KMALLOC_MAX; size++) {
		int flags = M_NOWAIT | (size % 3 == 0 ? M_ZERO : 0);

		pp = kmalloc_pool(size);
		if (size > KMALLOC_POOLMAX) {
			T_ASSERT(pp == NULL);
		} else {
			for (class = KMALLOC_MIN; class < size; class *= 2)
				;
			T_ASSERT(pp != NULL);
			T_ASSERT_EQ(pp->pr_size, class);
			nclass += size == class;
			before = stats(pp);
		}
		p = kmalloc(size, flags);
		T_ASSERT(p != NULL);
		T_EXPECT_EQ((uintptr_t)p % (pp != NULL ? 16 : PAGE_SIZE), 0);
		if (flags & M_ZERO)
			T_EXPECT(all_bytes(p, size, 0));
		memset(p, 0xa5, size);
		if (pp != NULL) {
			T_EXPECT_EQ(stats(pp).pst_live, before.pst_live + 1);
		} else
			T_EXPECT_EQ(pages_in_use(PG_USE_KERNEL), 1);
		kfree(p, size);
		if (pp != NULL) {
			after = stats(pp);
			T_EXPECT_EQ(after.pst_live, before.pst_live);
			T_EXPECT_EQ(after.pst_puts, before.pst_puts + 1);
		}
		T_EXPECT_EQ(pages_in_use(PG_USE_KERNEL), 0);
	}
	T_EXPECT_EQ(nclass, 8);		/* 16 .. 2048 */
	T_EXPECT(kmalloc(0, M_NOWAIT) == NULL);
	T_EXPECT(kmalloc(KMALLOC_MAX + 1, M_NOWAIT) == NULL);
	T_EXPECT(kmalloc(1UL << 40, M_NOWAIT | M_ZERO) == NULL);
	kfree(NULL, 10);

	p = kmalloc(100, M_NOWAIT);
	T_EXPECT(SHIM_PANICS(kfree(p, 200)));
	T_EXPECT(panicked_with("is not an object of pool kmalloc256"));
	T_EXPECT(SHIM_PANICS(kfree(p, 3000)));
	T_EXPECT(panicked_with("is not a 3000-byte kmalloc allocation"));
	kfree(p, 100);
	p = kmalloc(3000, M_NOWAIT);
	T_EXPECT(SHIM_PANICS(kfree(p, 2048)));
	T_EXPECT(panicked_with("is not an object of pool kmalloc2048"));
	kfree(p, 3000);
	pg = uvm_pagealloc(PG_USE_KERNEL, 0);
	T_EXPECT(SHIM_PANICS(kfree(VM_PAGE_TO_DMAP(pg), PAGE_SIZE)));
	T_EXPECT(panicked_with("is not a 4096-byte kmalloc allocation"));
	uvm_pagefree(pg);
}

static const struct ktap_case cases[] = {
	KTAP_CASE(test_geometry),
	KTAP_CASE(test_random_model),
	KTAP_CASE(test_cpu_caches),
	KTAP_CASE(test_exhaustion),
	KTAP_CASE(test_poison),
	KTAP_CASE(test_redzones),
	KTAP_CASE(test_double_free),
	KTAP_CASE(test_misuse),
	KTAP_CASE(test_stats_foreach),
	KTAP_CASE(test_kmalloc_classes),
};

int
main(int argc, char **argv)
{
	int status;

	ktap_plan(nitems(cases));
	shim_seed(argc, argv);
	shim_mem_init(NPAGES);
	uvm_page_physload(PAGE_SIZE, NPAGES * PAGE_SIZE);
	kmalloc_init();
	status = ktap_run(cases, nitems(cases), check_clean);
	shim_mem_fini();
	return status;
}
