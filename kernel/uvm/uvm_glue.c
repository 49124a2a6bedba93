/*
 * uvm/uvm_glue.c: uvm set-up and the purge of an address space.
 *
 * Owns: the purge= boot option (where purges happen) and uvm_init.
 * Locks: a purge holds the map's write lock throughout, so no fault, copy
 * (uvm_io) or fork runs on the space meanwhile; it takes no kernel_lock.
 * Lifecycle (the order the tests and mutants check): every entry leaves
 * the map; pmap_remove of the whole user range clears every PTE and
 * returns only after the TLB shootdown has reached every CPU that has the
 * pmap loaded (and has freed the page-table pages that became empty); only
 * then do the amaps drop their anons and the pages go back to the
 * allocator. The vmspace is PURGED from there on.
 */
#include "lib.h"
#include "param.h"
#include "bootopt.h"
#include "pmap.h"
#include "uvm_amap.h"
#include "uvm_map.h"
#include "uvm_vmspace.h"
#include "trace.h"

static bool uvm_purge_in_reaper;	/* purge=reaper [const after uvm_init] */

/* Set up the uvm pools and read purge=; once at boot, before any vmspace. */
void
uvm_init(void)
{
	const char *mode = bootopt_get("purge", "exit");

	uvm_anon_init();
	amap_init();
	uvm_map_init();
	uvmspace_init();
	if (strcmp(mode, "reaper") == 0)
		uvm_purge_in_reaper = true;
	else if (strcmp(mode, "exit") != 0)
		kprintf("uvm: purge=%s unknown, purging at exit\n", mode);
}

/* Return true if exit1 purges (the default), false for purge=reaper. */
bool
uvm_purge_at_exit(void)
{
	return !uvm_purge_in_reaper;
}

/* Remove every entry of vm, unmap, then free; return the entries removed. */
size_t
uvm_purge_map(struct vmspace *vm)
{
	struct vm_map *map = &vm->vm_map;
	struct vm_map_entry *list, *e;
	size_t n = 0;

	uvmspace_assert(vm, (1 << VMSPACE_LIVE) | (1 << VMSPACE_PURGED), __func__);
	rw_enter_write(&map->m_lock);
	trace_event(TR_PURGE_BEGIN, vm, __atomic_load_n(&vm->vm_users,
	    __ATOMIC_ACQUIRE));
	list = uvm_map_detach_all(map);
	for (e = list; e != NULL; e = e->e_right)
		n++;
#ifdef MUTANT_free_before_unmap
	/* MUTANT free-before-unmap: the pages go back before their PTEs do */
	uvm_map_entries_free(list);
	pmap_remove(map->m_pmap, map->m_min, map->m_max);
#else
	/* the shootdown completes inside; nothing can reach the pages after */
	pmap_remove(map->m_pmap, map->m_min, map->m_max);
	uvm_map_entries_free(list);
#endif
	uvmspace_mark_purged(vm);
	trace_event(TR_PURGE_END, vm, n);
	rw_exit_write(&map->m_lock);
	return n;
}

/* Purge vm, whose last user left (see uvm_vmspace.h). */
void
uvm_purge(struct vmspace *vm)
{
	KERNEL_ASSERT_UNLOCKED();
	uvmspace_assert(vm, 1 << VMSPACE_LIVE, __func__);
	if (__atomic_load_n(&vm->vm_users, __ATOMIC_ACQUIRE) != 0)
		panic("uvm_purge: vmspace %p still has %u users", vm, vm->vm_users);
	uvm_purge_map(vm);
}

/* The reaper's part of exit: with purge=reaper, purge under kernel_lock if
 * the last user left; then drop the process's pin. */
void
uvm_exit(struct vmspace *vm)
{
	uvmspace_assert(vm, (1 << VMSPACE_LIVE) | (1 << VMSPACE_PURGED), __func__);
	if (uvm_purge_in_reaper && vm->vm_state == VMSPACE_LIVE &&
	    __atomic_load_n(&vm->vm_users, __ATOMIC_ACQUIRE) == 0) {
		KERNEL_LOCK();
		uvm_purge_map(vm);
		KERNEL_UNLOCK();
	}
	uvmspace_free(vm);
}
