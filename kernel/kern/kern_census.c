/*
 * kern/kern_census.c: the live-object census that shows whether the user
 * tests left anything behind (DESIGN.md section 5: every counter returns
 * to its baseline).
 *
 * census_take snapshots the counters the kernel keeps by type: pages by
 * use (pool slabs aside: pools keep empty slabs and per-CPU caches, so
 * their pages need not come back; their objects must), page-table pages
 * and user pmaps, vmspaces by state, processes, kernel stacks and
 * threads, pipes, and the live objects of every pool. init_main.c takes
 * one before pid 1 exists and, once init has exited and been collected
 * and an SMR grace period has passed, compares (census_report), printing
 * a one-test KTAP document. Owns nothing; reads atomics and pool
 * snapshots, no locks of its own.
 */
#include "lib.h"
#include "param.h"
#include "file.h"
#include "pool.h"
#include "pmap.h"
#include "proc.h"
#include "uvm_km.h"
#include "uvm_page.h"
#include "uvm_vmspace.h"
#include "census.h"
#include "bootopt.h"
#include "trace.h"

/* pool_foreach callback: record one pool's live objects. */
static void
census_pool(const struct pool_stats *st, void *arg)
{
	struct census *c = arg;

	if (c->c_npools < CENSUS_POOLS) {
		c->c_pool_name[c->c_npools] = st->pst_name;
		c->c_pool_live[c->c_npools] = st->pst_live;
		c->c_npools++;
	}
}

/* Snapshot the counters into c. */
void
census_take(struct census *c)
{
	struct uvmexp ue;
	int i = 0;

	memset(c, 0, sizeof(*c));
	uvm_page_counters(&ue);
#define CENSUS_ADD(n, v) do {						\
	c->c_name[i] = (n);						\
	c->c_val[i++] = (v);						\
} while (0)
	CENSUS_ADD("pages.kernel", ue.byuse[PG_USE_KERNEL]);
	CENSUS_ADD("pages.user", ue.byuse[PG_USE_USER]);
	CENSUS_ADD("pages.ptp", ue.byuse[PG_USE_PTP]);
	CENSUS_ADD("pmaps", __atomic_load_n(&pmap_stats.pmaps, __ATOMIC_RELAXED));
	CENSUS_ADD("ptpages", __atomic_load_n(&pmap_stats.ptpages,
	    __ATOMIC_RELAXED));
	CENSUS_ADD("vmspaces.live", uvmspace_stats.live[VMSPACE_LIVE]);
	CENSUS_ADD("vmspaces.purged", uvmspace_stats.live[VMSPACE_PURGED]);
	CENSUS_ADD("vmspaces.dead", uvmspace_stats.live[VMSPACE_DEAD]);
	CENSUS_ADD("processes", __atomic_load_n(&process_live, __ATOMIC_RELAXED));
	CENSUS_ADD("kthreads", __atomic_load_n(&kthread_stats.live,
	    __ATOMIC_RELAXED));
	CENSUS_ADD("kstacks", uvm_km_kstack_count());
	CENSUS_ADD("pipes", __atomic_load_n(&pipe_count, __ATOMIC_RELAXED));
#undef CENSUS_ADD
	KASSERT(i == CENSUS_COUNTERS);
	pool_foreach(census_pool, c);
}

/* Compare now with before and print the result as a KTAP document of one
 * test, "census"; return true if every counter is back. */
bool
census_report(const struct census *before)
{
	struct census *now = &(struct census){ 0 };
	int i, j, bad = 0;

	census_take(now);
	kprintf("KTAP version 1\n1..1\n");
	for (i = 0; i < CENSUS_COUNTERS; i++) {
		if (now->c_val[i] == before->c_val[i])
			continue;
		kprintf("# census: %s %lu -> %lu\n", now->c_name[i],
		    before->c_val[i], now->c_val[i]);
		bad++;
	}
	for (i = 0; i < now->c_npools; i++) {
		uint64_t was = 0;

		for (j = 0; j < before->c_npools; j++)
			if (before->c_pool_name[j] == now->c_pool_name[i])
				was = before->c_pool_live[j];
		if (now->c_pool_live[i] == was)
			continue;
		kprintf("# census: pool %s %lu -> %lu objects\n",
		    now->c_pool_name[i], was, now->c_pool_live[i]);
		bad++;
	}
	kprintf("# census: %d counters and %d pools compared, %d changed "
	    "(user pages %lu, processes %lu, vmspaces %lu)\n", CENSUS_COUNTERS,
	    now->c_npools, bad, now->c_val[1], now->c_val[8], now->c_val[5]);
	kprintf("%sok 1 census\n", bad ? "not " : "");
	if (bootopt_get("tests", NULL) != NULL)
		trace_dump();		/* for tools/tracecheck.py */
	return bad == 0;
}
