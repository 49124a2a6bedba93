/*
 * uvm/uvm_map_ktest.c: in-kernel tests of vm_map and the fault handler
 * (suite uvm_map), and the helpers the uvm suites share (uvm_ktest.h).
 *
 * Each case works in a vmspace of its own and ends it as exit does; the
 * page, page-table, anon, amap, entry and vmspace counters must come back
 * to their baseline. The randomized case checks the tree (order, no
 * overlap, red-black rules) and every page's protection and contents
 * against a plain array after each operation; seed= picks the sequence.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "bootopt.h"
#include "ktest.h"
#include "pool.h"
#include "pmap.h"
#include "smr.h"
#include "uvm_page.h"
#include "uvm_page_ktest.h"
#include "uvm_amap.h"
#include "uvm_map.h"
#include "uvm_fault.h"
#include "uvm_vmspace.h"
#include "uvm_ktest.h"

#define RW	(PROT_READ | PROT_WRITE)
#define RWX	(PROT_READ | PROT_WRITE | PROT_EXEC)
#define KT_VA	0x10000000UL

/* ---- shared helpers (uvm_ktest.h) ---- */

/* Snapshot the counters. */
void
uvm_ktest_base_get(struct uvm_ktest_base *b)
{
	struct pool_stats st;
	struct uvmexp u;
	int i;

	uvm_page_counters(&u);
	pool_stats_get(&uvm_map_entry_pool, &st);
	b->user = u.byuse[PG_USE_USER];
	b->ptp = u.byuse[PG_USE_PTP];
	b->pmaps = __atomic_load_n(&pmap_stats.pmaps, __ATOMIC_RELAXED);
	b->anons = __atomic_load_n(&uvm_amap_stats.anons, __ATOMIC_RELAXED);
	b->amaps = __atomic_load_n(&uvm_amap_stats.amaps, __ATOMIC_RELAXED);
	b->nodes = __atomic_load_n(&uvm_amap_stats.nodes, __ATOMIC_RELAXED);
	b->entries = st.pst_live;
	for (i = 0; i < VMSPACE_NSTATES; i++)
		b->vms[i] = __atomic_load_n(&uvmspace_stats.live[i], __ATOMIC_RELAXED);
}

/* Expect every counter to be back at b. */
void
uvm_ktest_base_check(struct ktest *t, const struct uvm_ktest_base *b)
{
	struct uvm_ktest_base now;
	int i;

	uvm_ktest_base_get(&now);
	KT_EXPECT_EQ(t, now.user, b->user);
	KT_EXPECT_EQ(t, now.ptp, b->ptp);
	KT_EXPECT_EQ(t, now.pmaps, b->pmaps);
	KT_EXPECT_EQ(t, now.anons, b->anons);
	KT_EXPECT_EQ(t, now.amaps, b->amaps);
	KT_EXPECT_EQ(t, now.nodes, b->nodes);
	KT_EXPECT_EQ(t, now.entries, b->entries);
	for (i = VMSPACE_LIVE; i < VMSPACE_NSTATES; i++)
		KT_EXPECT_EQ(t, now.vms[i], b->vms[i]);
}

/* End a vmspace as exit and the reaper do. */
void
uvm_ktest_vm_end(struct vmspace *vm)
{
	if (uvmspace_drop_user(vm) == 0)
		uvm_purge(vm);
	uvmspace_free(vm);
	smr_barrier();
}

/* Write one word at va through uvm_io; return its errno. */
int
uvm_ktest_put(struct vmspace *vm, vaddr_t va, uint64_t v)
{
	size_t done;

	return uvm_io(vm, va, &v, sizeof(v), true, &done);
}

/* Read one word at va through uvm_io; return its errno. */
int
uvm_ktest_get(struct vmspace *vm, vaddr_t va, uint64_t *vp)
{
	size_t done;

	return uvm_io(vm, va, vp, sizeof(*vp), false, &done);
}

/* The PTE that maps va in pm, or 0. */
uint64_t
uvm_ktest_pte(struct pmap *pm, vaddr_t va)
{
	uint64_t *table = pm->pm_pml4, e = 0;
	int shift;

	for (shift = 39; shift >= PAGE_SHIFT; shift -= 9) {
		e = table[(va >> shift) & 511];
		if (!(e & PG_V))
			return 0;
		table = PHYS_TO_DMAP(e & PG_FRAME);
	}
	return e;
}

/* ---- the randomized model ---- */

#define MODEL_PAGES	96
#define MODEL_OPS	400

struct kt_model {
	int		prot[MODEL_PAGES];	/* -1: unmapped */
	uint64_t	val[MODEL_PAGES];	/* first word of the page */
	uint64_t	rng;
};

static uint64_t
kt_rand(struct kt_model *m)
{
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	return m->rng;
}

/* Compare the map with the model, page by page; return false on the first
 * difference (logged). */
static bool
kt_model_check(struct ktest *t, struct vmspace *vm, struct kt_model *m, int op)
{
	struct vm_map *map = &vm->vm_map;
	int i, code;

	rw_enter_read(&map->m_lock);
	code = uvm_map_check(map);
	for (i = 0; i < MODEL_PAGES && code == 0; i++) {
		struct vm_map_entry *e = uvm_map_lookup(map, KT_VA + i * PAGE_SIZE);

		if ((e == NULL) != (m->prot[i] < 0) ||
		    (e != NULL && e->e_prot != m->prot[i]))
			code = 100 + i;
	}
	rw_exit_read(&map->m_lock);
	for (i = 0; i < MODEL_PAGES && code == 0; i++) {
		uint64_t v = 0;
		int error = uvm_ktest_get(vm, KT_VA + i * PAGE_SIZE, &v);

		if (error != (m->prot[i] < 0 ? EFAULT : 0) ||
		    (error == 0 && v != m->val[i]))
			code = 1000 + i;
	}
	if (code != 0)
		ktest_log(t, "op %d: map differs from the model (code %d)", op, code);
	return KT_EXPECT_EQ(t, code, 0);
}

/* Random enter, unmap, protect and writes over a window of pages: after
 * each, the tree keeps its rules and every page its protection and data
 * (which checks the amap slots of split entries); at the end unmapping
 * the window gives every page, anon, amap and entry back. */
static void
test_map_random_model(struct ktest *t)
{
	struct uvm_ktest_base base;
	struct kt_model m;
	struct vmspace *vm;
	uint64_t seed = 1;
	int op, i;

	strtou64(bootopt_get("seed", "1"), &seed);
	m.rng = seed * 0x9e3779b97f4a7c15UL + 1;
	for (i = 0; i < MODEL_PAGES; i++) {
		m.prot[i] = -1;
		m.val[i] = 0;
	}
	uvm_ktest_base_get(&base);
	KT_ASSERT(t, (vm = uvmspace_alloc()) != NULL);
	for (op = 0; op < MODEL_OPS; op++) {
		int s = kt_rand(&m) % MODEL_PAGES;
		int n = 1 + kt_rand(&m) % MIN(MODEL_PAGES - s, 16);
		int prot = kt_rand(&m) % 4 == 0 ? PROT_READ : RW;
		vaddr_t va = KT_VA + s * PAGE_SIZE;
		bool hole = false, any = false;
		int error, want;

		for (i = s; i < s + n; i++) {
			hole |= m.prot[i] < 0;
			any |= m.prot[i] >= 0;
		}
		switch (kt_rand(&m) % 4) {
		case 0:
			error = uvm_map_enter(&vm->vm_map, &va, n * PAGE_SIZE, 0,
			    prot, RWX, MAP_INHERIT_COPY, UVM_MAP_FIXED);
			want = any ? EEXIST : 0;
			for (i = s; want == 0 && i < s + n; i++) {
				m.prot[i] = prot;
				m.val[i] = 0;
			}
			break;
		case 1:
			error = uvm_unmap(&vm->vm_map, va, va + n * PAGE_SIZE);
			want = 0;
			for (i = s; i < s + n; i++)
				m.prot[i] = -1;
			break;
		case 2:
			error = uvm_map_protect(&vm->vm_map, va, va + n * PAGE_SIZE, prot);
			want = hole ? ENOMEM : 0;
			for (i = s; want == 0 && i < s + n; i++)
				m.prot[i] = prot;
			break;
		default:
			/* write the first word of page s; a page mapped
			 * read-only is written as a debugger would */
			m.val[s] = kt_rand(&m) | 1;
			error = uvm_ktest_put(vm, va, m.val[s]);
			want = m.prot[s] < 0 ? EFAULT : 0;
			if (want != 0)
				m.val[s] = 0;
			break;
		}
		if (!KT_EXPECT_EQ(t, error, want) || !kt_model_check(t, vm, &m, op)) {
			ktest_log(t, "seed %lu, op %d", seed, op);
			break;
		}
	}
	KT_EXPECT_EQ(t, uvm_unmap(&vm->vm_map, KT_VA, KT_VA + MODEL_PAGES * PAGE_SIZE), 0);
	KT_EXPECT_EQ(t, vm->vm_map.m_nentries, 0);
	KT_EXPECT_EQ(t, vm->vm_pmap.pm_resident, 0);
	KT_EXPECT_EQ(t, uvm_amap_stats.anons, base.anons);
	KT_EXPECT_EQ(t, uvm_amap_stats.amaps, base.amaps);
	uvm_ktest_vm_end(vm);
	uvm_ktest_base_check(t, &base);
}

/* Without a fixed address mappings go top down below the hint, into the
 * highest hole that fits; bad arguments get EINVAL, a taken fixed range
 * EEXIST, no room ENOMEM. */
static void
test_map_findspace(struct ktest *t)
{
	const vaddr_t hint = KT_VA + 64 * PAGE_SIZE;
	const vsize_t four = 4 * PAGE_SIZE;
	struct uvm_ktest_base base;
	struct uvm_map_info mi;
	vaddr_t a, b, c, d, e;
	struct vmspace *vm;

	uvm_ktest_base_get(&base);
	KT_ASSERT(t, (vm = uvmspace_alloc()) != NULL);
	KT_ASSERT_EQ(t, uvm_map_enter(&vm->vm_map, &a, four, hint, RW, RWX,
	    MAP_INHERIT_COPY, 0), 0);
	KT_ASSERT_EQ(t, uvm_map_enter(&vm->vm_map, &b, four, hint, RW, RWX,
	    MAP_INHERIT_COPY, 0), 0);
	KT_ASSERT_EQ(t, uvm_map_enter(&vm->vm_map, &c, four, hint, RW, RWX,
	    MAP_INHERIT_COPY, 0), 0);
	KT_EXPECT_EQ(t, a, hint - four);
	KT_EXPECT_EQ(t, b, hint - 2 * four);
	KT_EXPECT_EQ(t, c, hint - 3 * four);
	KT_EXPECT_EQ(t, uvm_unmap(&vm->vm_map, b, b + four), 0);
	KT_ASSERT_EQ(t, uvm_map_enter(&vm->vm_map, &d, four, hint, RW, RWX,
	    MAP_INHERIT_COPY, 0), 0);
	KT_EXPECT_EQ(t, d, b);				/* the hole fits */
	KT_ASSERT_EQ(t, uvm_map_enter(&vm->vm_map, &e, 2 * four, hint, RW, RWX,
	    MAP_INHERIT_COPY, 0), 0);
	KT_EXPECT_EQ(t, e, c - 2 * four);		/* below everything */
	/* with no hint: below the stack region */
	KT_ASSERT_EQ(t, uvm_map_enter(&vm->vm_map, &a, four, 0, RW, RWX,
	    MAP_INHERIT_COPY, UVM_MAP_STACK), 0);
	KT_EXPECT_EQ(t, a, VM_MMAP_TOP - four);

	b = hint - four;
	KT_EXPECT_EQ(t, uvm_map_enter(&vm->vm_map, &b, four, 0, RW, RWX,
	    MAP_INHERIT_COPY, UVM_MAP_FIXED), EEXIST);
	b = hint + 1;
	KT_EXPECT_EQ(t, uvm_map_enter(&vm->vm_map, &b, four, 0, RW, RWX,
	    MAP_INHERIT_COPY, UVM_MAP_FIXED), EINVAL);
	KT_EXPECT_EQ(t, uvm_map_enter(&vm->vm_map, &b, four, 0, RWX, RW,
	    MAP_INHERIT_COPY, 0), EINVAL);		/* prot above maxprot */
	KT_EXPECT_EQ(t, uvm_map_enter(&vm->vm_map, &b, four, 0, RW, RWX,
	    MAP_INHERIT_SHARE, 0), EINVAL);		/* private but shared */
	KT_EXPECT_EQ(t, uvm_map_enter(&vm->vm_map, &b, 100, 0, RW, RWX,
	    MAP_INHERIT_COPY, 0), EINVAL);
	KT_EXPECT_EQ(t, uvm_map_enter(&vm->vm_map, &b, four, four,
	    RW, RWX, MAP_INHERIT_COPY, 0), ENOMEM);	/* no room below */
	KT_EXPECT_EQ(t, uvm_unmap(&vm->vm_map, 0, PAGE_SIZE), EINVAL);

	/* the iterator walks the entries in order */
	KT_ASSERT(t, uvm_map_next(&vm->vm_map, 0, &mi));
	KT_EXPECT_EQ(t, mi.mi_start, e);
	KT_ASSERT(t, uvm_map_next(&vm->vm_map, mi.mi_end, &mi));
	KT_EXPECT_EQ(t, mi.mi_start, c);
	KT_ASSERT(t, uvm_map_next(&vm->vm_map, c + PAGE_SIZE, &mi));
	KT_EXPECT_EQ(t, mi.mi_start, c);		/* inside: that entry */
	KT_ASSERT(t, uvm_map_next(&vm->vm_map, hint, &mi));
	KT_EXPECT_EQ(t, mi.mi_start, a);
	KT_EXPECT(t, mi.mi_flags & UVM_ET_STACK);
	KT_EXPECT(t, !uvm_map_next(&vm->vm_map, mi.mi_end, &mi));
	uvm_ktest_vm_end(vm);
	uvm_ktest_base_check(t, &base);
}

/* First touch allocates one zeroed page per page written or read, mapped
 * with the entry's protection; the errors are those a user would get; a
 * partial unmap frees its pages at once; a full unmap gives all back. */
static void
test_map_fault_counters(struct ktest *t)
{
	struct uvm_ktest_base base, now;
	struct vmspace *vm;
	vaddr_t va = KT_VA, g = va + 32 * PAGE_SIZE, ro = va + 16 * PAGE_SIZE;
	uint64_t v, pte;
	int i;

	uvm_ktest_base_get(&base);
	KT_ASSERT(t, (vm = uvmspace_alloc()) != NULL);
	KT_ASSERT_EQ(t, uvm_map_enter(&vm->vm_map, &va, 16 * PAGE_SIZE,
	    0, RW, RWX, MAP_INHERIT_COPY, UVM_MAP_FIXED), 0);
	KT_ASSERT_EQ(t, uvm_map_enter(&vm->vm_map, &ro, 4 * PAGE_SIZE, 0,
	    PROT_READ, RWX, MAP_INHERIT_COPY, UVM_MAP_FIXED), 0);
	KT_ASSERT_EQ(t, uvm_map_enter(&vm->vm_map, &g, PAGE_SIZE, 0, PROT_NONE,
	    PROT_NONE, MAP_INHERIT_COPY, UVM_MAP_FIXED | UVM_MAP_GUARD), 0);

	for (i = 0; i < 16; i++)
		KT_EXPECT_EQ(t, uvm_fault(&vm->vm_map, va + i * PAGE_SIZE + 8,
		    i % 2 ? PROT_WRITE : PROT_READ), 0);
	uvm_ktest_base_get(&now);
	KT_EXPECT_EQ(t, now.user, base.user + 16);
	KT_EXPECT_EQ(t, now.anons, base.anons + 16);
	KT_EXPECT_EQ(t, now.amaps, base.amaps + 1);
	KT_EXPECT_EQ(t, vm->vm_pmap.pm_resident, 16);
	pte = uvm_ktest_pte(&vm->vm_pmap, va);
	KT_EXPECT(t, (pte & (PG_V | PG_U | PG_RW | PG_NX)) == (PG_V | PG_U | PG_RW | PG_NX));
	KT_EXPECT_EQ(t, uvm_fault(&vm->vm_map, va, PROT_WRITE), 0);	/* again: no page */
	KT_EXPECT_EQ(t, uvmexp.byuse[PG_USE_USER], base.user + 16);
	KT_EXPECT_EQ(t, uvm_ktest_get(vm, va + 5 * PAGE_SIZE, &v), 0);
	KT_EXPECT_EQ(t, v, 0);					/* zero-filled */

	KT_EXPECT_EQ(t, uvm_fault(&vm->vm_map, va + 20 * PAGE_SIZE, PROT_READ), EFAULT);
	KT_EXPECT_EQ(t, uvm_fault(&vm->vm_map, 0, PROT_READ), EFAULT);
	KT_EXPECT_EQ(t, uvm_fault(&vm->vm_map, USER_MAX + PAGE_SIZE, PROT_READ), EFAULT);
	KT_EXPECT_EQ(t, uvm_fault(&vm->vm_map, ro, PROT_WRITE), EACCES);
	KT_EXPECT_EQ(t, uvm_fault(&vm->vm_map, ro, PROT_EXEC), EACCES);
	KT_EXPECT_EQ(t, uvm_fault(&vm->vm_map, g, PROT_READ), EFAULT);
	KT_EXPECT_EQ(t, uvm_ktest_get(vm, g, &v), EFAULT);
	KT_EXPECT_EQ(t, uvm_fault(&vm->vm_map, ro, PROT_READ), 0);
	pte = uvm_ktest_pte(&vm->vm_pmap, ro);
	KT_EXPECT(t, (pte & PG_V) && !(pte & PG_RW));

	/* protect read-only: the PTEs lose write, writes fail */
	KT_EXPECT_EQ(t, uvm_map_protect(&vm->vm_map, va + 2 * PAGE_SIZE,
	    va + 4 * PAGE_SIZE, PROT_READ), 0);
	KT_EXPECT(t, !(uvm_ktest_pte(&vm->vm_pmap, va + 3 * PAGE_SIZE) & PG_RW));
	KT_EXPECT(t, uvm_ktest_pte(&vm->vm_pmap, va + 4 * PAGE_SIZE) & PG_RW);
	KT_EXPECT_EQ(t, uvm_fault(&vm->vm_map, va + 3 * PAGE_SIZE, PROT_WRITE), EACCES);
	KT_EXPECT_EQ(t, uvm_map_protect(&vm->vm_map, va, va + 2 * PAGE_SIZE, RWX), 0);
	KT_EXPECT_EQ(t, uvm_map_protect(&vm->vm_map, g, g + PAGE_SIZE, PROT_READ), EACCES);
	KT_EXPECT_EQ(t, uvm_map_protect(&vm->vm_map, va, va + 24 * PAGE_SIZE, PROT_READ),
	    ENOMEM);					/* a hole */
	KT_EXPECT_EQ(t, vm->vm_map.m_nentries, 5);

	/* a partial unmap frees its pages now */
	KT_EXPECT_EQ(t, uvm_unmap(&vm->vm_map, va + 6 * PAGE_SIZE, va + 8 * PAGE_SIZE), 0);
	KT_EXPECT_EQ(t, uvmexp.byuse[PG_USE_USER], base.user + 15);
	KT_EXPECT_EQ(t, uvm_amap_stats.anons, base.anons + 15);
	KT_EXPECT(t, !pmap_extract(&vm->vm_pmap, va + 6 * PAGE_SIZE, NULL));
	KT_EXPECT(t, pmap_extract(&vm->vm_pmap, va + 8 * PAGE_SIZE, NULL));

	KT_EXPECT_EQ(t, uvm_unmap(&vm->vm_map, va, va + 40 * PAGE_SIZE), 0);
	KT_EXPECT_EQ(t, vm->vm_map.m_nentries, 0);
	KT_EXPECT_EQ(t, vm->vm_pmap.pm_resident, 0);
	KT_EXPECT_EQ(t, vm->vm_pmap.pm_ptpages, 0);
	KT_EXPECT_EQ(t, uvmexp.byuse[PG_USE_USER], base.user);
	uvm_ktest_vm_end(vm);
	uvm_ktest_base_check(t, &base);
}

/* With no memory for map entries, unmap and protect that must split fail
 * with ENOMEM and leave the map exactly as it was. */
static void
test_map_enomem_unchanged(struct ktest *t)
{
	struct ktest_hog hog = { NULL, 0 };
	struct uvm_ktest_base base;
	struct uvm_map_info mi;
	struct vmspace *vm;
	vaddr_t va = KT_VA;
	void *held = NULL, *p;
	uint64_t v;

	uvm_ktest_base_get(&base);
	KT_ASSERT(t, (vm = uvmspace_alloc()) != NULL);
	KT_ASSERT_EQ(t, uvm_map_enter(&vm->vm_map, &va, 8 * PAGE_SIZE, 0, RW, RWX,
	    MAP_INHERIT_COPY, UVM_MAP_FIXED), 0);
	KT_ASSERT_EQ(t, uvm_ktest_put(vm, va + 5 * PAGE_SIZE, 0x5eed), 0);
	ktest_hog_fill(&hog, PG_USE_USER);
	while ((p = pool_get(&uvm_map_entry_pool, PR_NOWAIT)) != NULL) {
		*(void **)p = held;
		held = p;
	}
	KT_EXPECT_EQ(t, uvm_unmap(&vm->vm_map, va + PAGE_SIZE, va + 2 * PAGE_SIZE), ENOMEM);
	KT_EXPECT_EQ(t, uvm_map_protect(&vm->vm_map, va + PAGE_SIZE, va + 2 * PAGE_SIZE,
	    PROT_READ), ENOMEM);
	KT_EXPECT_EQ(t, uvm_map_enter(&vm->vm_map, &va, PAGE_SIZE, 0, RW, RWX,
	    MAP_INHERIT_COPY, 0), ENOMEM);
	while ((p = held) != NULL) {
		held = *(void **)p;
		pool_put(&uvm_map_entry_pool, p);
	}
	ktest_hog_give(&hog, UINT64_MAX);

	va = KT_VA;
	KT_EXPECT_EQ(t, vm->vm_map.m_nentries, 1);
	KT_ASSERT(t, uvm_map_next(&vm->vm_map, 0, &mi));
	KT_EXPECT_EQ(t, mi.mi_start, va);
	KT_EXPECT_EQ(t, mi.mi_end, va + 8 * PAGE_SIZE);
	KT_EXPECT_EQ(t, mi.mi_prot, RW);
	KT_EXPECT_EQ(t, uvm_ktest_get(vm, va + 5 * PAGE_SIZE, &v), 0);
	KT_EXPECT_EQ(t, v, 0x5eed);
	/* and with memory back they work */
	KT_EXPECT_EQ(t, uvm_unmap(&vm->vm_map, va + PAGE_SIZE, va + 2 * PAGE_SIZE), 0);
	KT_EXPECT_EQ(t, vm->vm_map.m_nentries, 2);
	KT_EXPECT_EQ(t, uvm_ktest_get(vm, va + 5 * PAGE_SIZE, &v), 0);
	KT_EXPECT_EQ(t, v, 0x5eed);
	uvm_ktest_vm_end(vm);
	uvm_ktest_base_check(t, &base);
}

static const struct ktest_case uvm_map_cases[] = {
	KTEST_CASE(test_map_random_model),
	KTEST_CASE(test_map_findspace),
	KTEST_CASE(test_map_fault_counters),
	KTEST_CASE(test_map_enomem_unchanged),
	{ 0 },
};
KTEST_SUITE(uvm_map, uvm_map_cases);
