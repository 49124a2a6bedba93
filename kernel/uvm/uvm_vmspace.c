/*
 * uvm/uvm_vmspace.c: address spaces and their two counts.
 *
 * Owns: the vmspace pool and uvmspace_stats.
 * Locks: vm_users and vm_refcnt are atomic; the state changes under the
 * map's write lock (purge) or in the hands of the last pin; the map and
 * the pmap have their own locks.
 *
 * The lifecycle, step by step (DESIGN.md section 4):
 *
 *  1. uvmspace_alloc: LIVE, vm_users 1, vm_refcnt 1 (the process's pin).
 *     uvmspace_fork makes the child's the same way, with copies of the
 *     parent's entries; uvmspace_share (vfork) adds a user AND a pin to an
 *     existing one.
 *  2. A reader (ptrace, /proc) finds the vmspace through a process looked
 *     up under SMR, takes uvmspace_pin: an increment only if the count is
 *     not zero, so a space on its way out is never brought back. It copies
 *     with uvm_io under the map's read lock, then drops its pin with
 *     uvmspace_free.
 *  3. A process leaving calls uvmspace_drop_user. Only when no user is left
 *     does it purge (uvm_purge, uvm_glue.c): every entry goes, the pmap
 *     range is removed with the TLB shootdown, and only then the pages and
 *     the page-table pages are freed; the state becomes PURGED. A reader
 *     still pinned sees an empty map: uvm_io fails with EFAULT.
 *  4. The reaper drops the process's pin (uvm_exit -> uvmspace_free).
 *     Whoever drops the LAST pin (the reaper or a reader) purges again as
 *     a check (it must find nothing), destroys the pmap (loaded nowhere by
 *     then), marks the space DEAD and hands it to smr_call.
 *  5. After the grace period no SMR reader can still hold the pointer: the
 *     struct goes back to its pool (poisoned there).
 *
 * A count that reaches zero stays zero; going below zero, or a plain
 * increment from zero, panics.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "pool.h"
#include "smr.h"
#include "pmap.h"
#include "uvm_amap.h"
#include "uvm_map.h"
#include "uvm_vmspace.h"
#include "trace.h"

#define VMSPACE_STATE(s)	(1 << (s))

static struct pool uvmspace_pool;
struct uvmspace_stats uvmspace_stats;

/* Set up the vmspace pool; once at boot (uvm_init). */
void
uvmspace_init(void)
{
	pool_init(&uvmspace_pool, sizeof(struct vmspace), 64, "vmspace");
}

/* Panic (naming caller) unless vm has the magic and a state in mask. */
void
uvmspace_assert(struct vmspace *vm, int mask, const char *caller)
{
	int state;

	if (vm == NULL || vm->vm_magic != VMSPACE_MAGIC)
		panic("%s: vmspace %p has bad magic %#x", caller, vm,
		    vm == NULL ? 0 : vm->vm_magic);
	state = __atomic_load_n(&vm->vm_state, __ATOMIC_ACQUIRE);
	if (state <= 0 || state >= VMSPACE_NSTATES || !(mask & VMSPACE_STATE(state)))
		panic("%s: vmspace %p in state %d", caller, vm, state);
}

/* Move vm from state from to state to, keeping the counters. */
static void
uvmspace_set_state(struct vmspace *vm, int from, int to)
{
	KASSERT(vm->vm_state == from);
	__atomic_store_n(&vm->vm_state, to, __ATOMIC_RELEASE);
	__atomic_sub_fetch(&uvmspace_stats.live[from], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&uvmspace_stats.live[to], 1, __ATOMIC_RELAXED);
}

/* Return a new empty LIVE vmspace with one user and one pin, or NULL. */
struct vmspace *
uvmspace_alloc(void)
{
	struct vmspace *vm = pool_get(&uvmspace_pool, PR_NOWAIT | PR_ZERO);

	if (vm == NULL)
		return NULL;
	if (pmap_create(&vm->vm_pmap) != 0) {
		pool_put(&uvmspace_pool, vm);
		return NULL;
	}
	uvm_map_setup(&vm->vm_map, &vm->vm_pmap, VM_MIN_ADDRESS, VM_MAX_ADDRESS);
	vm->vm_users = 1;
	vm->vm_refcnt = 1;
	vm->vm_magic = VMSPACE_MAGIC;
	vm->vm_state = VMSPACE_LIVE;
	__atomic_add_fetch(&uvmspace_stats.live[VMSPACE_LIVE], 1, __ATOMIC_RELAXED);
	trace_event(TR_VM_ALLOC, vm, 0);
	return vm;
}

/* Return the child's copy of entry e of the parent map (see uvmspace_fork),
 * or NULL on ENOMEM with nothing changed. Caller holds the parent map's
 * write lock. */
static struct vm_map_entry *
uvmspace_fork_entry(struct vm_map *map, struct vm_map_entry *e)
{
	struct vm_map_entry *ne = uvm_map_entry_dup(e);

	if (ne == NULL || e->e_amap == NULL)
		return ne;
	amap_ref(e->e_amap);
	mtx_enter(&e->e_amap->am_lock);
	e->e_amap->am_flags |= AMAP_SHARED;
	mtx_leave(&e->e_amap->am_lock);
	if (e->e_inherit == MAP_INHERIT_COPY) {
		/* both sides copy the amap before changing it; the parent's
		 * pages are read-only until then */
		e->e_flags |= UVM_ET_NEEDSCOPY;
		ne->e_flags |= UVM_ET_NEEDSCOPY;
		if (e->e_prot & PROT_WRITE)
			pmap_protect(map->m_pmap, e->e_start, e->e_end,
			    e->e_prot & ~PROT_WRITE);
	}
	return ne;
}

/* Return a copy of vm for a forked child, or NULL on ENOMEM. */
struct vmspace *
uvmspace_fork(struct vmspace *vm)
{
	struct vm_map *map = &vm->vm_map;
	struct vm_map_entry *e, *ne;
	struct vmspace *nvm;

	uvmspace_assert(vm, VMSPACE_STATE(VMSPACE_LIVE), __func__);
	if ((nvm = uvmspace_alloc()) == NULL)
		return NULL;
	rw_enter_write(&map->m_lock);
	for (e = uvm_map_first(map); e != NULL; e = uvm_map_succ(e)) {
		if (e->e_inherit == MAP_INHERIT_NONE)
			continue;
		if ((ne = uvmspace_fork_entry(map, e)) == NULL)
			break;
		uvm_map_entry_link_new(&nvm->vm_map, ne);
	}
	rw_exit_write(&map->m_lock);
	if (e != NULL) {
		/* ENOMEM: the parent keeps its needs-copy marks, which only
		 * cost it a refault; the child goes the normal way */
		int users = uvmspace_drop_user(nvm);

		KASSERT(users == 0);
		uvm_purge_map(nvm);
		uvmspace_free(nvm);
		return NULL;
	}
	return nvm;
}

/* Add a user and its pin (vfork, CLONE_VM). */
void
uvmspace_share(struct vmspace *vm)
{
	uint32_t old;

	uvmspace_assert(vm, VMSPACE_STATE(VMSPACE_LIVE), __func__);
	if ((old = __atomic_fetch_add(&vm->vm_users, 1, __ATOMIC_ACQ_REL)) == 0)
		panic("uvmspace_share: vmspace %p has no user", vm);
	trace_event(TR_VM_USER_ADD, vm, old + 1);
	if ((old = __atomic_fetch_add(&vm->vm_refcnt, 1, __ATOMIC_ACQ_REL)) == 0)
		panic("uvmspace_share: vmspace %p has no pin", vm);
	trace_event(TR_VM_PIN, vm, old + 1);
}

/* Remove a user; return the users left (0: the caller purges). */
int
uvmspace_drop_user(struct vmspace *vm)
{
	uint32_t old;

	uvmspace_assert(vm, VMSPACE_STATE(VMSPACE_LIVE), __func__);
	spinlock_enter();	/* no grace period ends before it is traced */
	old = __atomic_fetch_sub(&vm->vm_users, 1, __ATOMIC_ACQ_REL);
	if (old == 0)
		panic("uvmspace_drop_user: vmspace %p user count underflow", vm);
	trace_event(TR_VM_USER_DROP, vm, old - 1);
	spinlock_exit();
	return old - 1;
}

/* Take a pin if vm still has one; return false if its count was zero. */
bool
uvmspace_pin(struct vmspace *vm)
{
	uint32_t old;

	uvmspace_assert(vm, VMSPACE_STATE(VMSPACE_LIVE) |
	    VMSPACE_STATE(VMSPACE_PURGED) | VMSPACE_STATE(VMSPACE_DEAD), __func__);
#ifdef MUTANT_reader_resurrect
	/* MUTANT reader-resurrect: a plain increment, from zero too */
	old = __atomic_fetch_add(&vm->vm_refcnt, 1, __ATOMIC_ACQUIRE);
#else
	old = __atomic_load_n(&vm->vm_refcnt, __ATOMIC_RELAXED);
	do {
		if (old == 0)
			return false;
	} while (!__atomic_compare_exchange_n(&vm->vm_refcnt, &old, old + 1,
	    false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
#endif
	trace_event(TR_VM_PIN, vm, old + 1);
	return true;
}

/* The end of the grace period: give the struct back to its pool. */
static void
uvmspace_smr_free(void *arg)
{
	struct vmspace *vm = arg;

	uvmspace_assert(vm, VMSPACE_STATE(VMSPACE_DEAD), __func__);
	KASSERT(vm->vm_refcnt == 0);
	vm->vm_magic = 0;
	trace_event(TR_VM_FREE, vm, 0);
	pool_put(&uvmspace_pool, vm);
	__atomic_sub_fetch(&uvmspace_stats.live[VMSPACE_DEAD], 1, __ATOMIC_RELAXED);
}

/* Drop one pin; the last frees (see uvm_vmspace.h). */
void
uvmspace_free(struct vmspace *vm)
{
	uint32_t old;

	uvmspace_assert(vm, VMSPACE_STATE(VMSPACE_LIVE) |
	    VMSPACE_STATE(VMSPACE_PURGED), __func__);
	spinlock_enter();	/* no grace period ends before it is traced */
	old = __atomic_fetch_sub(&vm->vm_refcnt, 1, __ATOMIC_ACQ_REL);
	if (old == 0)
		panic("uvmspace_free: vmspace %p pin count underflow", vm);
	trace_event(TR_VM_UNPIN, vm, old - 1);
	spinlock_exit();
	if (old > 1)
		return;
	if (__atomic_load_n(&vm->vm_users, __ATOMIC_ACQUIRE) != 0)
		panic("uvmspace_free: last pin of vmspace %p dropped with %u users",
		    vm, vm->vm_users);
	if (vm->vm_state != VMSPACE_PURGED)
		panic("uvmspace_free: last pin of vmspace %p dropped before its purge", vm);
	/* the integrity check: purging again finds nothing */
	if (uvm_purge_map(vm) != 0 || vm->vm_pmap.pm_resident != 0 ||
	    vm->vm_pmap.pm_ptpages != 0)
		panic("uvmspace_free: vmspace %p was not empty after its purge", vm);
	trace_event(TR_PMAP_DESTROY, vm, 0);
	pmap_destroy(&vm->vm_pmap);
	uvmspace_set_state(vm, VMSPACE_PURGED, VMSPACE_DEAD);
#ifdef MUTANT_no_grace
	/* MUTANT no-grace: no pin is left, so the struct goes back at once */
	uvmspace_smr_free(vm);
#else
	smr_call(&vm->vm_smr, uvmspace_smr_free, vm);
#endif
}

/* Move a purged LIVE vmspace to PURGED; for uvm_purge_map. Caller holds
 * the map's write lock. */
void
uvmspace_mark_purged(struct vmspace *vm)
{
	RW_ASSERT_WRLOCK(&vm->vm_map.m_lock);
	if (vm->vm_state == VMSPACE_LIVE)
		uvmspace_set_state(vm, VMSPACE_LIVE, VMSPACE_PURGED);
}
