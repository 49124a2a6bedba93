/*
 * uvm/uvm_vmspace_ktest.c: in-kernel tests of the address-space lifecycle
 * (suite vmspace): the two counts, fork's copy-on-write, vfork's sharing,
 * the purge, the last pin, increment-if-not-zero, sparse teardown cost,
 * running out of memory in a fault, and the purge's TLB shootdown to a CPU
 * that still has the pmap loaded. Every case counts pages, page-table
 * pages, anons, amaps and vmspaces by state, and must leave them at their
 * baseline; work is counted (faults, visited entries), never timed.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "ktest.h"
#include "cpu.h"
#include "cpufunc.h"
#include "proc.h"
#include "sched.h"
#include "smr.h"
#include "pmap.h"
#include "uvm_page.h"
#include "uvm_page_ktest.h"
#include "uvm_amap.h"
#include "uvm_map.h"
#include "uvm_fault.h"
#include "uvm_vmspace.h"
#include "uvm_ktest.h"

#define RW		(PROT_READ | PROT_WRITE)
#define RWX		(PROT_READ | PROT_WRITE | PROT_EXEC)
#define KT_VA		0x20000000UL
#define KT_SPARSE_BASE	(1UL << 40)
#define KT_SPARSE_PAGES	1024		/* one per GiB of a TiB */

/* A new vmspace with npages private read-write pages at KT_VA, page i
 * holding the word tag + i; NULL if anything failed. */
static struct vmspace *
kt_vm_filled(struct ktest *t, int npages, uint64_t tag)
{
	struct vmspace *vm = uvmspace_alloc();
	vaddr_t va = KT_VA;
	int i;

	if (vm == NULL)
		return NULL;
	KT_EXPECT_EQ(t, uvm_map_enter(&vm->vm_map, &va, npages * PAGE_SIZE, 0,
	    RW, RWX, MAP_INHERIT_COPY, UVM_MAP_FIXED), 0);
	for (i = 0; i < npages; i++)
		KT_EXPECT_EQ(t, uvm_ktest_put(vm, KT_VA + i * PAGE_SIZE, tag + i), 0);
	return vm;
}

/* alloc -> drop the user -> purge -> last pin: LIVE, PURGED, DEAD, then
 * gone after the grace period; the counters by state follow. */
static void
test_vmspace_lifecycle(struct ktest *t)
{
	struct uvm_ktest_base base;
	struct vmspace *vm;

	uvm_ktest_base_get(&base);
	KT_ASSERT(t, (vm = kt_vm_filled(t, 3, 100)) != NULL);
	KT_EXPECT_EQ(t, vm->vm_state, VMSPACE_LIVE);
	KT_EXPECT_EQ(t, vm->vm_users, 1);
	KT_EXPECT_EQ(t, vm->vm_refcnt, 1);
	KT_EXPECT_EQ(t, uvmspace_stats.live[VMSPACE_LIVE], base.vms[VMSPACE_LIVE] + 1);
	KT_EXPECT_EQ(t, uvmexp.byuse[PG_USE_USER], base.user + 3);
	KT_EXPECT_EQ(t, uvmspace_drop_user(vm), 0);
	uvm_purge(vm);
	KT_EXPECT_EQ(t, vm->vm_state, VMSPACE_PURGED);
	KT_EXPECT_EQ(t, vm->vm_map.m_nentries, 0);
	KT_EXPECT_EQ(t, vm->vm_pmap.pm_resident, 0);
	KT_EXPECT_EQ(t, vm->vm_pmap.pm_ptpages, 0);
	KT_EXPECT_EQ(t, uvmexp.byuse[PG_USE_USER], base.user);
	KT_EXPECT_EQ(t, uvmspace_stats.live[VMSPACE_PURGED], base.vms[VMSPACE_PURGED] + 1);
	uvmspace_free(vm);
	/* DEAD until the grace period ends (or freed already, if it has) */
	KT_EXPECT(t, uvmspace_stats.live[VMSPACE_DEAD] <= base.vms[VMSPACE_DEAD] + 1);
	KT_EXPECT_EQ(t, uvmspace_stats.live[VMSPACE_PURGED], base.vms[VMSPACE_PURGED]);
	smr_barrier();
	uvm_ktest_base_check(t, &base);
}

/* fork shares every page until it is written: exactly one more page per
 * page written on either side, each side keeps its own data, and the
 * parent's PTEs are read-only until its own write. */
static void
test_vmspace_fork_cow(struct ktest *t)
{
	struct uvm_ktest_base base;
	struct vmspace *p, *c;
	uint64_t user, v;
	int i;

	uvm_ktest_base_get(&base);
	KT_ASSERT(t, (p = kt_vm_filled(t, 4, 100)) != NULL);
	for (i = 0; i < 4; i++)
		KT_EXPECT(t, uvm_ktest_pte(&p->vm_pmap, KT_VA + i * PAGE_SIZE) & PG_RW);
	user = uvmexp.byuse[PG_USE_USER];
	KT_ASSERT(t, (c = uvmspace_fork(p)) != NULL);
	KT_EXPECT_EQ(t, uvmexp.byuse[PG_USE_USER], user);	/* nothing copied */
	KT_EXPECT_EQ(t, c->vm_map.m_nentries, 1);
	KT_EXPECT_EQ(t, c->vm_pmap.pm_resident, 0);
	for (i = 0; i < 4; i++)
		KT_EXPECT(t, !(uvm_ktest_pte(&p->vm_pmap, KT_VA + i * PAGE_SIZE) & PG_RW));

	/* the child reads the parent's data without copying, read-only */
	KT_EXPECT_EQ(t, uvm_fault(&c->vm_map, KT_VA + 2 * PAGE_SIZE, PROT_READ), 0);
	KT_EXPECT(t, !(uvm_ktest_pte(&c->vm_pmap, KT_VA + 2 * PAGE_SIZE) & PG_RW));
	KT_EXPECT_EQ(t, uvm_ktest_get(c, KT_VA + 3 * PAGE_SIZE, &v), 0);
	KT_EXPECT_EQ(t, v, 103);
	KT_EXPECT_EQ(t, uvmexp.byuse[PG_USE_USER], user);

	/* the child writes page 0: one copy, the parent keeps its data */
	KT_EXPECT_EQ(t, uvm_ktest_put(c, KT_VA, 0xc0), 0);
	KT_EXPECT_EQ(t, uvmexp.byuse[PG_USE_USER], user + 1);
	KT_EXPECT_EQ(t, uvm_ktest_get(c, KT_VA, &v), 0);
	KT_EXPECT_EQ(t, v, 0xc0);
	KT_EXPECT_EQ(t, uvm_ktest_get(p, KT_VA, &v), 0);
	KT_EXPECT_EQ(t, v, 100);

	/* the parent writes page 1 by a fault: one more copy */
	KT_EXPECT_EQ(t, uvm_fault(&p->vm_map, KT_VA + PAGE_SIZE, PROT_WRITE), 0);
	KT_EXPECT(t, uvm_ktest_pte(&p->vm_pmap, KT_VA + PAGE_SIZE) & PG_RW);
	KT_EXPECT(t, !(uvm_ktest_pte(&p->vm_pmap, KT_VA + 2 * PAGE_SIZE) & PG_RW));
	KT_EXPECT_EQ(t, uvmexp.byuse[PG_USE_USER], user + 2);
	KT_EXPECT_EQ(t, uvm_ktest_put(p, KT_VA + PAGE_SIZE, 0x91), 0);
	KT_EXPECT_EQ(t, uvm_ktest_get(c, KT_VA + PAGE_SIZE, &v), 0);
	KT_EXPECT_EQ(t, v, 101);
	/* writing again where the page is private copies nothing */
	KT_EXPECT_EQ(t, uvm_ktest_put(c, KT_VA, 0xc1), 0);
	KT_EXPECT_EQ(t, uvmexp.byuse[PG_USE_USER], user + 2);

	/* the child goes, and the pages only it had: its copy of page 0
	 * and the parent's old page 1 */
	uvm_ktest_vm_end(c);
	KT_EXPECT_EQ(t, uvmexp.byuse[PG_USE_USER], user);
	/* the parent's pages are its own now: writing copies nothing */
	KT_EXPECT_EQ(t, uvm_ktest_put(p, KT_VA + 3 * PAGE_SIZE, 0x93), 0);
	KT_EXPECT_EQ(t, uvmexp.byuse[PG_USE_USER], user);
	for (i = 0; i < 4; i++) {
		static const uint64_t want[4] = { 100, 0x91, 102, 0x93 };

		KT_EXPECT_EQ(t, uvm_ktest_get(p, KT_VA + i * PAGE_SIZE, &v), 0);
		KT_EXPECT_EQ(t, v, want[i]);
	}
	uvm_ktest_vm_end(p);
	uvm_ktest_base_check(t, &base);
}

/* Shared memory stays shared across fork; inherit-none is not inherited. */
static void
test_vmspace_fork_shared(struct ktest *t)
{
	struct uvm_ktest_base base;
	struct vmspace *p, *c;
	vaddr_t sh = KT_VA + 64 * PAGE_SIZE, none = KT_VA + 128 * PAGE_SIZE;
	uint64_t v;

	uvm_ktest_base_get(&base);
	KT_ASSERT(t, (p = kt_vm_filled(t, 1, 7)) != NULL);
	KT_ASSERT_EQ(t, uvm_map_enter(&p->vm_map, &sh, 2 * PAGE_SIZE, 0, RW, RWX,
	    MAP_INHERIT_SHARE, UVM_MAP_FIXED | UVM_MAP_SHARED), 0);
	KT_ASSERT_EQ(t, uvm_map_enter(&p->vm_map, &none, PAGE_SIZE, 0, RW, RWX,
	    MAP_INHERIT_NONE, UVM_MAP_FIXED), 0);
	KT_EXPECT_EQ(t, uvm_ktest_put(p, sh, 1), 0);
	KT_ASSERT(t, (c = uvmspace_fork(p)) != NULL);
	KT_EXPECT_EQ(t, c->vm_map.m_nentries, 2);
	KT_EXPECT_EQ(t, uvm_ktest_get(c, none, &v), EFAULT);
	KT_EXPECT_EQ(t, uvm_ktest_put(c, sh, 2), 0);
	KT_EXPECT_EQ(t, uvm_ktest_put(c, sh + PAGE_SIZE, 3), 0);
	KT_EXPECT_EQ(t, uvm_ktest_get(p, sh, &v), 0);
	KT_EXPECT_EQ(t, v, 2);
	KT_EXPECT_EQ(t, uvm_ktest_get(p, sh + PAGE_SIZE, &v), 0);
	KT_EXPECT_EQ(t, v, 3);
	KT_EXPECT_EQ(t, uvm_fault(&c->vm_map, sh, PROT_WRITE), 0);
	KT_EXPECT(t, uvm_ktest_pte(&c->vm_pmap, sh) & PG_RW);
	uvm_ktest_vm_end(c);
	KT_EXPECT_EQ(t, uvm_ktest_get(p, sh + PAGE_SIZE, &v), 0);
	KT_EXPECT_EQ(t, v, 3);
	uvm_ktest_vm_end(p);
	uvm_ktest_base_check(t, &base);
}

/* vfork: two users, two pins; the first to leave does not purge. */
static void
test_vmspace_vfork_share(struct ktest *t)
{
	struct uvm_ktest_base base;
	struct vmspace *vm;
	uint64_t v;

	uvm_ktest_base_get(&base);
	KT_ASSERT(t, (vm = kt_vm_filled(t, 2, 50)) != NULL);
	uvmspace_share(vm);
	KT_EXPECT_EQ(t, vm->vm_users, 2);
	KT_EXPECT_EQ(t, vm->vm_refcnt, 2);
	KT_EXPECT_EQ(t, uvmspace_drop_user(vm), 1);	/* the child leaves */
	uvmspace_free(vm);				/* and is reaped */
	KT_EXPECT_EQ(t, vm->vm_state, VMSPACE_LIVE);
	KT_EXPECT_EQ(t, vm->vm_refcnt, 1);
	KT_EXPECT_EQ(t, uvmexp.byuse[PG_USE_USER], base.user + 2);
	KT_EXPECT_EQ(t, uvm_ktest_get(vm, KT_VA + PAGE_SIZE, &v), 0);
	KT_EXPECT_EQ(t, v, 51);
	uvm_ktest_vm_end(vm);
	uvm_ktest_base_check(t, &base);
}

/* A reader's pin outlives the purge: it sees an empty map (EFAULT, no byte
 * copied), and its unpin, the last, frees the space. */
static void
test_vmspace_last_pin(struct ktest *t)
{
	struct uvm_ktest_base base;
	struct vmspace *vm;
	uint64_t v = 0x1234;
	size_t done = 99;

	uvm_ktest_base_get(&base);
	KT_ASSERT(t, (vm = kt_vm_filled(t, 2, 1)) != NULL);
	KT_ASSERT(t, uvmspace_pin(vm));			/* the reader */
	KT_EXPECT_EQ(t, vm->vm_refcnt, 2);
	KT_EXPECT_EQ(t, uvmspace_drop_user(vm), 0);	/* the owner exits */
	uvm_purge(vm);
	uvmspace_free(vm);				/* and is reaped */
	KT_EXPECT_EQ(t, vm->vm_state, VMSPACE_PURGED);
	KT_EXPECT_EQ(t, uvmexp.byuse[PG_USE_USER], base.user);
	KT_EXPECT_EQ(t, uvm_io(vm, KT_VA, &v, sizeof(v), false, &done), EFAULT);
	KT_EXPECT_EQ(t, done, 0);
	KT_EXPECT_EQ(t, uvm_io(vm, KT_VA, &v, sizeof(v), true, &done), EFAULT);
	KT_EXPECT_EQ(t, done, 0);
	KT_EXPECT_EQ(t, v, 0x1234);
	KT_EXPECT_EQ(t, uvmexp.byuse[PG_USE_USER], base.user);
	KT_EXPECT_EQ(t, vm->vm_pmap.pm_ptpages, 0);
	KT_EXPECT(t, uvmspace_pin(vm));			/* still pinned: allowed */
	uvmspace_free(vm);
	uvmspace_free(vm);				/* the reader's last */
	smr_barrier();
	uvm_ktest_base_check(t, &base);
}

/* The helper of test_vmspace_pin_zero: holds an SMR read section on its
 * CPU, so no grace period can end, until told to leave. */
struct kt_reader {
	struct cpu_info	*cpu;
	volatile int	inside;		/* 1 once in the section */
	volatile int	leave;		/* set by the test */
};

static void
kt_reader_main(void *arg)
{
	struct kt_reader *r = arg;

	sched_peg_curproc(r->cpu);
	smr_read_enter();
	r->inside = 1;
	while (!r->leave)
		__asm__ volatile("pause");
	smr_read_leave();
	kthread_exit();
}

/* Once the last pin is gone the count stays zero: a reader that still has
 * the pointer (inside an SMR read section, so the struct is not freed
 * yet) fails to pin it and sees it DEAD. */
static void
test_vmspace_pin_zero(struct ktest *t)
{
	struct kt_reader r = { .cpu = &cpu_info[1] };
	struct uvm_ktest_base base;
	struct vmspace *vm;

	if (ncpus < 2) {
		ktest_skip(t, "needs 2 CPUs to hold a grace period open");
		return;
	}
	uvm_ktest_base_get(&base);
	KT_ASSERT(t, (vm = kt_vm_filled(t, 1, 1)) != NULL);
	sched_peg_curproc(&cpu_info[0]);	/* the reader takes cpu 1 */
	if (!KT_EXPECT(t, kthread_create(kt_reader_main, &r, "kt_reader") != NULL))
		r.inside = r.leave = 1;
	while (!r.inside)
		yield();
	KT_EXPECT_EQ(t, uvmspace_drop_user(vm), 0);
	uvm_purge(vm);
	uvmspace_free(vm);
	/* the grace period cannot end while the reader is inside */
	KT_EXPECT_EQ(t, vm->vm_state, VMSPACE_DEAD);
	KT_EXPECT_EQ(t, vm->vm_refcnt, 0);
	KT_EXPECT(t, !uvmspace_pin(vm));
	KT_EXPECT_EQ(t, vm->vm_refcnt, 0);
	KT_EXPECT_EQ(t, uvmspace_stats.live[VMSPACE_DEAD], base.vms[VMSPACE_DEAD] + 1);
	r.leave = 1;
	smr_barrier();
	sched_unpeg_curproc();
	uvm_ktest_base_check(t, &base);
}

/* A TiB reserved, one page touched per GiB: 1024 faults cost 1024 pages,
 * amap nodes in proportion (not 2^28 slots), and the purge visits page-
 * table entries in proportion too; everything comes back. */
static void
test_vmspace_sparse(struct ktest *t)
{
	struct uvm_ktest_base base, now;
	vaddr_t va = KT_SPARSE_BASE;
	uint64_t walked, i;
	struct vmspace *vm;

	uvm_ktest_base_get(&base);
	KT_ASSERT(t, (vm = uvmspace_alloc()) != NULL);
	KT_ASSERT_EQ(t, uvm_map_enter(&vm->vm_map, &va, KT_SPARSE_PAGES * NBPDP, 0,
	    RW, RWX, MAP_INHERIT_COPY, UVM_MAP_FIXED), 0);
	for (i = 0; i < KT_SPARSE_PAGES; i++)
		KT_ASSERT_EQ(t, uvm_fault(&vm->vm_map, va + i * NBPDP, PROT_WRITE), 0);
	uvm_ktest_base_get(&now);
	KT_EXPECT_EQ(t, now.user - base.user, KT_SPARSE_PAGES);
	KT_EXPECT_EQ(t, now.anons - base.anons, KT_SPARSE_PAGES);
	KT_EXPECT_EQ(t, now.amaps - base.amaps, 1);
	ktest_log(t, "1024 pages in a TiB: %lu amap nodes of %zu bytes",
	    now.nodes - base.nodes, sizeof(struct vm_amap_node));
	/* a leaf, its parent and grandparent per page, shared ones above */
	KT_EXPECT(t, now.nodes - base.nodes <= 3 * KT_SPARSE_PAGES + 32);
	KT_EXPECT_EQ(t, vm->vm_pmap.pm_ptpages, 2 + 2 * KT_SPARSE_PAGES);

	walked = pmap_stats.walk_entries;
	uvm_ktest_vm_end(vm);
	walked = pmap_stats.walk_entries - walked;
	ktest_log(t, "purging it visited %lu page-table entries", walked);
	KT_EXPECT(t, walked <= 4 * KT_SPARSE_PAGES);
	uvm_ktest_base_check(t, &base);
}

/* With no free page a fault returns ENOMEM and changes nothing, however
 * few pages it was short of; a copy-on-write fault too; with memory back
 * both work. */
static void
test_vmspace_fault_enomem(struct ktest *t)
{
	struct ktest_hog hog = { NULL, 0 };
	struct uvm_ktest_base base, before, now;
	struct vmspace *p, *c;
	int error = ENOMEM, tries;
	uint64_t v;

	uvm_ktest_base_get(&base);
	KT_ASSERT(t, (p = kt_vm_filled(t, 2, 10)) != NULL);
	KT_ASSERT(t, (c = uvmspace_fork(p)) != NULL);
	uvm_ktest_base_get(&before);
	ktest_hog_fill(&hog, PG_USE_USER);
	KT_EXPECT_EQ(t, uvm_fault(&p->vm_map, KT_VA + 64 * PAGE_SIZE, PROT_READ), EFAULT);
	KT_EXPECT_EQ(t, uvm_fault(&c->vm_map, KT_VA, PROT_WRITE), ENOMEM);
	for (tries = 0; tries < 8 && error == ENOMEM; tries++) {
		ktest_hog_give(&hog, 1);
		error = uvm_fault(&p->vm_map, KT_VA + PAGE_SIZE, PROT_WRITE);
		if (error == ENOMEM) {
			uvm_ktest_base_get(&now);
			KT_EXPECT_EQ(t, now.anons, before.anons);
			KT_EXPECT_EQ(t, now.user - hog.n, before.user);
			KT_EXPECT(t, !(uvm_ktest_pte(&p->vm_pmap, KT_VA + PAGE_SIZE) & PG_RW));
		}
	}
	ktest_log(t, "the fault succeeded with %d page(s) given back", tries);
	KT_EXPECT_EQ(t, error, 0);
	ktest_hog_give(&hog, UINT64_MAX);
	KT_EXPECT_EQ(t, uvm_fault(&c->vm_map, KT_VA, PROT_WRITE), 0);
	KT_EXPECT_EQ(t, uvm_ktest_get(c, KT_VA, &v), 0);
	KT_EXPECT_EQ(t, v, 10);
	KT_EXPECT_EQ(t, uvm_ktest_get(p, KT_VA + PAGE_SIZE, &v), 0);
	KT_EXPECT_EQ(t, v, 11);
	uvm_ktest_vm_end(c);
	uvm_ktest_vm_end(p);
	uvm_ktest_base_check(t, &base);
}

#define KT_RACE_PAGES	64
#define KT_RACE_ROUNDS	4

/* One thread of test_vmspace_race. */
struct kt_racer {
	struct vmspace	*parent, *child;
	int		id, nthreads;
	volatile int	*done;
	int		errors;
};

/* Write this thread's pages of the child (a first write copies), read
 * every page of both sides, several rounds. */
static void
kt_racer_main(void *arg)
{
	struct kt_racer *r = arg;
	int round, i;

	for (round = 0; round < KT_RACE_ROUNDS; round++) {
		for (i = 0; i < KT_RACE_PAGES; i++) {
			vaddr_t va = KT_VA + i * PAGE_SIZE;
			uint64_t v;

			if (i % r->nthreads == r->id) {
				r->errors += uvm_fault(&r->child->vm_map, va, PROT_WRITE) != 0;
				r->errors += uvm_ktest_put(r->child, va, 0xc000 + i) != 0;
			} else
				r->errors += uvm_fault(&r->child->vm_map, va, PROT_READ) != 0;
			r->errors += uvm_ktest_get(r->parent, va, &v) != 0 || v != 1000 + i;
		}
	}
	__atomic_add_fetch(r->done, 1, __ATOMIC_RELEASE);
	kthread_exit();
}

/* Threads on every CPU fault and copy in a forked child at once: each
 * child page ends up copied exactly once, with its writer's data, and the
 * parent's data never changes. */
static void
test_vmspace_race(struct ktest *t)
{
	struct kt_racer r[MAXCPUS];
	struct uvm_ktest_base base;
	struct vmspace *p, *c;
	volatile int done = 0;
	int n = MAX(ncpus, 2), started = 0, i;
	uint64_t user, v;

	uvm_ktest_base_get(&base);
	KT_ASSERT(t, (p = kt_vm_filled(t, KT_RACE_PAGES, 1000)) != NULL);
	KT_ASSERT(t, (c = uvmspace_fork(p)) != NULL);
	user = uvmexp.byuse[PG_USE_USER];
	for (i = 0; i < n; i++) {
		r[i] = (struct kt_racer){ p, c, i, n, &done, 0 };
		if (kthread_create(kt_racer_main, &r[i], "kt_racer") != NULL)
			started++;
	}
	KT_EXPECT_EQ(t, started, n);
	while (__atomic_load_n(&done, __ATOMIC_ACQUIRE) < started)
		yield();
	for (i = 0; i < n; i++)
		KT_EXPECT_EQ(t, r[i].errors, 0);
	KT_EXPECT_EQ(t, uvmexp.byuse[PG_USE_USER], user + KT_RACE_PAGES);
	for (i = 0; i < KT_RACE_PAGES; i++) {
		KT_EXPECT_EQ(t, uvm_ktest_get(c, KT_VA + i * PAGE_SIZE, &v), 0);
		KT_EXPECT_EQ(t, v, 0xc000 + i);
		KT_EXPECT_EQ(t, uvm_ktest_get(p, KT_VA + i * PAGE_SIZE, &v), 0);
		KT_EXPECT_EQ(t, v, 1000 + i);
	}
	uvm_ktest_vm_end(c);
	uvm_ktest_vm_end(p);
	uvm_ktest_base_check(t, &base);
}

#define KT_TLB_PAGES	16
#define KT_TLB_FRESH	0xf2e5

enum { KT_TLB_START, KT_TLB_LOADED, KT_TLB_READ, KT_TLB_DONE };

/* The other CPU of test_vmspace_purge_shootdown: it keeps the space's
 * pmap loaded across the purge, every page in its TLB. */
struct kt_tlb {
	struct cpu_info	*cpu;
	struct pmap	*pm;
	int		phase;			/* KT_TLB_* [atomic] */
	uint64_t	seen[KT_TLB_PAGES];	/* what its last read found */
};

/* Read the first word of every test page through the loaded pmap. */
static void
kt_tlb_read(uint64_t *seen)
{
	bool smap = (rcr4() & CR4_SMAP) != 0;
	int i;

	if (smap)
		__asm__ volatile("stac" ::: "memory");
	for (i = 0; i < KT_TLB_PAGES; i++)
		seen[i] = *(volatile uint64_t *)(KT_VA + i * PAGE_SIZE);
	if (smap)
		__asm__ volatile("clac" ::: "memory");
}

/* Load the pmap on its CPU and read every page; when told, read them
 * again, then unload it. */
static void
kt_tlb_main(void *arg)
{
	struct kt_tlb *k = arg;

	sched_peg_curproc(k->cpu);
	pmap_activate(k->pm);		/* kernel threads keep it loaded */
	kt_tlb_read(k->seen);
	__atomic_store_n(&k->phase, KT_TLB_LOADED, __ATOMIC_RELEASE);
	while (__atomic_load_n(&k->phase, __ATOMIC_ACQUIRE) != KT_TLB_READ)
		__asm__ volatile("pause");
	kt_tlb_read(k->seen);
	pmap_deactivate(k->pm);
	__atomic_store_n(&k->phase, KT_TLB_DONE, __ATOMIC_RELEASE);
	kthread_exit();
}

/* The purge shoots the space down on every CPU that has its pmap loaded:
 * a CPU that read every page just before reads, after the purge, what
 * the addresses map now (a fresh page entered after it), never the freed
 * pages its TLB held. */
static void
test_vmspace_purge_shootdown(struct ktest *t)
{
	struct kt_tlb k = { .cpu = &cpu_info[1] };
	uint64_t live0 = __atomic_load_n(&kthread_stats.live, __ATOMIC_RELAXED);
	struct uvm_ktest_base base;
	struct vm_page *fresh;
	struct vmspace *vm;
	int i, stale = 0;

	if (ncpus < 2) {
		ktest_skip(t, "needs a second CPU to hold the pmap");
		return;
	}
	uvm_ktest_base_get(&base);
	KT_ASSERT(t, (vm = kt_vm_filled(t, KT_TLB_PAGES, 500)) != NULL);
	for (i = 0; i < KT_TLB_PAGES; i++)
		KT_EXPECT_EQ(t, uvm_fault(&vm->vm_map, KT_VA + i * PAGE_SIZE,
		    PROT_READ), 0);
	KT_ASSERT(t, (fresh = uvm_pagealloc(PG_USE_USER, UVM_PGA_ZERO)) != NULL);
	*(uint64_t *)VM_PAGE_TO_DMAP(fresh) = KT_TLB_FRESH;
	k.pm = &vm->vm_pmap;
	sched_peg_curproc(&cpu_info[0]);	/* the reader takes cpu 1 */
	if (!KT_EXPECT(t, kthread_create(kt_tlb_main, &k, "kt_tlb") != NULL))
		k.phase = KT_TLB_DONE;
	while (__atomic_load_n(&k.phase, __ATOMIC_ACQUIRE) == KT_TLB_START)
		yield();
	for (i = 0; i < KT_TLB_PAGES; i++)
		KT_EXPECT_EQ(t, k.seen[i], 500 + i);

	KT_EXPECT_EQ(t, uvmspace_drop_user(vm), 0);
	uvm_purge(vm);
	for (i = 0; i < KT_TLB_PAGES; i++)
		KT_EXPECT_EQ(t, pmap_enter(&vm->vm_pmap, KT_VA + i * PAGE_SIZE,
		    VM_PAGE_TO_PHYS(fresh), PROT_READ), 0);
	if (k.phase == KT_TLB_LOADED)
		__atomic_store_n(&k.phase, KT_TLB_READ, __ATOMIC_RELEASE);
	while (__atomic_load_n(&k.phase, __ATOMIC_ACQUIRE) != KT_TLB_DONE)
		yield();
	for (i = 0; i < KT_TLB_PAGES; i++)
		stale += k.seen[i] != KT_TLB_FRESH;
	if (!KT_EXPECT_EQ(t, stale, 0))
		ktest_log(t, "cpu 1 read %d of %d pages of the purged space "
		    "through stale TLB entries (page 0: %#lx)", stale,
		    KT_TLB_PAGES, k.seen[0]);

	pmap_remove(&vm->vm_pmap, KT_VA, KT_VA + KT_TLB_PAGES * PAGE_SIZE);
	uvm_pagefree(fresh);
	uvmspace_free(vm);
	kthread_wait_live(live0);	/* reaped; its process goes with the */
	smr_barrier();			/* grace period, like the vmspace */
	sched_unpeg_curproc();
	uvm_ktest_base_check(t, &base);
}

static const struct ktest_case vmspace_cases[] = {
	KTEST_CASE(test_vmspace_lifecycle),
	KTEST_CASE(test_vmspace_fork_cow),
	KTEST_CASE(test_vmspace_fork_shared),
	KTEST_CASE(test_vmspace_vfork_share),
	KTEST_CASE(test_vmspace_last_pin),
	KTEST_CASE(test_vmspace_pin_zero),
	KTEST_CASE(test_vmspace_sparse),
	KTEST_CASE(test_vmspace_fault_enomem),
	KTEST_CASE(test_vmspace_race),
	KTEST_CASE(test_vmspace_purge_shootdown),
	{ 0 },
};
KTEST_SUITE(vmspace, vmspace_cases);
