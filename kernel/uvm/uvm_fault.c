/*
 * uvm/uvm_fault.c: the page-fault handler for anonymous memory.
 *
 * Owns: nothing long-lived; it fills amaps and pmaps.
 * Locks: a fault runs under the map lock for READING, so the threads of a
 * process fault in parallel; the amap's am_lock serializes the faults on
 * one amap and is held from the slot lookup through pmap_enter, so a
 * mapping is never entered for an anon that another fault has replaced.
 * The two changes that touch the entry itself (its first amap; its private
 * copy of a needs-copy amap after fork) need the lock for WRITING: the fault
 * drops its read lock, makes the change (uvm_fault_prepare), and starts
 * over under the read lock.
 * Copy-on-write: after fork both entries share the amap with NEEDSCOPY and
 * the parent's pages are write-protected. A read maps the shared page
 * read-only. A write (or a first touch, which must add an anon) first gives
 * the entry a private amap (amap_copy: the same anons, each one more
 * reference); then a write to an anon with more than one reference copies
 * the page into a new anon, maps it, and only then drops the old anon.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "pmap.h"
#include "uvm_page.h"
#include "uvm_amap.h"
#include "uvm_map.h"
#include "uvm_fault.h"

#define UVM_FAULT_RETRY	(-1)	/* the entry must change first */

/* Return 0 if e allows access (with flags), or the errno a user gets. */
static int
uvm_fault_check(const struct vm_map_entry *e, vm_prot_t access, int flags)
{
	vm_prot_t allowed;

	if (e == NULL || (e->e_flags & UVM_ET_GUARD))
		return EFAULT;
	allowed = (flags & UVM_FAULT_FORCE) ? e->e_maxprot : e->e_prot;
	if ((access & ~allowed) != 0)
		return EACCES;
	if ((access & PROT_WRITE) && !(e->e_prot & PROT_WRITE) &&
	    !(e->e_flags & UVM_ET_COPYONWRITE))
		return EACCES;		/* forced writes only to private memory */
	return 0;
}

/* Give the entry at va its amap, or its private copy of a shared one;
 * return 0, or an errno. Takes the map lock for writing. */
static int
uvm_fault_prepare(struct vm_map *map, vaddr_t va, vm_prot_t access, int flags)
{
	struct vm_map_entry *e;
	struct vm_amap *amap;
	size_t npages;
	int error;

	rw_enter_write(&map->m_lock);
	e = uvm_map_lookup(map, va);
	if ((error = uvm_fault_check(e, access, flags)) != 0)
		goto out;
	npages = (e->e_end - e->e_start) >> PAGE_SHIFT;
	if (e->e_amap == NULL) {
		if ((e->e_amap = amap_alloc(npages)) == NULL)
			error = ENOMEM;
		e->e_amapslot = 0;
	} else if (e->e_flags & UVM_ET_NEEDSCOPY) {
		/* one reference: the other side has copied or gone, and no
		 * new reference can appear without this map's write lock */
		if (__atomic_load_n(&e->e_amap->am_ref, __ATOMIC_ACQUIRE) > 1) {
			if ((amap = amap_copy(e->e_amap, e->e_amapslot, npages)) == NULL) {
				error = ENOMEM;
				goto out;
			}
			amap_unref_range(e->e_amap, e->e_amapslot, npages);
			e->e_amap = amap;
			e->e_amapslot = 0;
		}
		e->e_flags &= ~UVM_ET_NEEDSCOPY;
	}
out:
	rw_exit_write(&map->m_lock);
	return error;
}

/* A fresh anon for slot, mapped at va with prot; return 0 or ENOMEM with
 * nothing changed. Caller holds am_lock. */
static int
uvm_fault_zerofill(struct vm_map *map, struct vm_amap *amap, size_t slot,
    vaddr_t va, vm_prot_t prot)
{
	struct vm_anon *anon = uvm_analloc(UVM_PGA_ZERO);

	if (anon == NULL)
		return ENOMEM;
	if (amap_add(amap, slot, anon) != 0) {
		uvm_anunref(anon);
		return ENOMEM;
	}
	if (prot != PROT_NONE &&
	    pmap_enter(map->m_pmap, va, VM_PAGE_TO_PHYS(anon->an_page), prot) != 0) {
		uvm_anunref(amap_remove(amap, slot));
		return ENOMEM;
	}
	return 0;
}

/* Replace the shared anon old in slot by a private copy mapped at va with
 * prot; return 0 or ENOMEM with nothing changed. Caller holds am_lock. */
static int
uvm_fault_cow(struct vm_map *map, struct vm_amap *amap, size_t slot,
    struct vm_anon *old, vaddr_t va, vm_prot_t prot)
{
	struct vm_anon *anon = uvm_analloc(0);

	if (anon == NULL)
		return ENOMEM;
	memcpy(VM_PAGE_TO_DMAP(anon->an_page), VM_PAGE_TO_DMAP(old->an_page),
	    PAGE_SIZE);
	if (prot != PROT_NONE &&
	    pmap_enter(map->m_pmap, va, VM_PAGE_TO_PHYS(anon->an_page), prot) != 0) {
		uvm_anunref(anon);
		return ENOMEM;
	}
	/* old is not mapped here any more: pmap_enter replaced it (or, with
	 * PROT_NONE, the entry's pages are unmapped), so it may go */
	uvm_anunref(amap_replace(amap, slot, anon));
	return 0;
}

/* One try at the fault under the read lock; return 0, an errno, or
 * UVM_FAULT_RETRY when the entry must change first. */
static int
uvm_fault_try(struct vm_map *map, vaddr_t va, vm_prot_t access, int flags)
{
	struct vm_map_entry *e = uvm_map_lookup(map, va);
	bool write = (access & PROT_WRITE) != 0, cow, needscopy;
	struct vm_amap *amap;
	struct vm_anon *anon;
	vm_prot_t prot;
	size_t slot;
	int error;

	if ((error = uvm_fault_check(e, access, flags)) != 0)
		return error;
	if ((amap = e->e_amap) == NULL)
		return UVM_FAULT_RETRY;
	slot = e->e_amapslot + ((va - e->e_start) >> PAGE_SHIFT);
	cow = (e->e_flags & UVM_ET_COPYONWRITE) != 0;
	needscopy = (e->e_flags & UVM_ET_NEEDSCOPY) != 0;
	prot = e->e_prot;

	mtx_enter(&amap->am_lock);
	anon = amap_lookup(amap, slot);
	if (needscopy && (anon == NULL || write)) {
		mtx_leave(&amap->am_lock);
		return UVM_FAULT_RETRY;
	}
	if (anon == NULL)
		error = uvm_fault_zerofill(map, amap, slot, va, prot);
	else if (write && cow && __atomic_load_n(&anon->an_ref, __ATOMIC_ACQUIRE) > 1)
		error = uvm_fault_cow(map, amap, slot, anon, va, prot);
	else {
		/* shared copy-on-write: readable here, written by a copy */
		if (cow && (needscopy || __atomic_load_n(&anon->an_ref,
		    __ATOMIC_ACQUIRE) > 1))
			prot &= ~PROT_WRITE;
		if (prot != PROT_NONE)
			error = pmap_enter(map->m_pmap, va,
			    VM_PAGE_TO_PHYS(anon->an_page), prot);
	}
	mtx_leave(&amap->am_lock);
	return error;
}

/* uvm_fault under the caller's read lock (may be dropped and retaken). */
int
uvm_fault_rdlocked(struct vm_map *map, vaddr_t va, vm_prot_t access, int flags)
{
	int error;

	RW_ASSERT_RDLOCK(&map->m_lock);
	KASSERT(access != PROT_NONE &&
	    (access & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) == 0);
	va = trunc_page(va);
	if (va < map->m_min || va >= map->m_max)
		return EFAULT;
	for (;;) {
		if ((error = uvm_fault_try(map, va, access, flags)) != UVM_FAULT_RETRY)
			return error;
		rw_exit_read(&map->m_lock);
		error = uvm_fault_prepare(map, va, access, flags);
		rw_enter_read(&map->m_lock);
		if (error != 0)
			return error;
	}
}

/* Resolve a fault at va for access; return 0, EFAULT, EACCES or ENOMEM. */
int
uvm_fault(struct vm_map *map, vaddr_t va, vm_prot_t access)
{
	int error;

	rw_enter_read(&map->m_lock);
	error = uvm_fault_rdlocked(map, va, access, 0);
	rw_exit_read(&map->m_lock);
	return error;
}
