/*
 * uvm/uvm_io.c: copying to and from another process's address space, for
 * ptrace, process_vm_readv/writev and /proc/<pid>/mem.
 *
 * Owns: nothing. Locks: the target's map lock for reading for the whole
 * copy (a write fault may drop and retake it), and each amap's am_lock
 * around the copy of one page, which goes through the direct map: no user
 * mapping of the target is needed, and the caller's buffer is a kernel
 * (bounce) buffer. Lifecycle: the caller holds a pin on the vmspace
 * (uvmspace_pin), so the struct and its map stay; once the space is
 * PURGED its map is empty and every copy fails with EFAULT, never reaching
 * a freed page.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "uvm_page.h"
#include "uvm_amap.h"
#include "uvm_map.h"
#include "uvm_fault.h"
#include "uvm_vmspace.h"

/* Copy n bytes (within one page) at va between buf and the page; return 0
 * or an errno. Caller holds the map lock for reading. */
static int
uvm_io_page(struct vm_map *map, vaddr_t va, char *buf, size_t n, bool write)
{
	struct vm_map_entry *e;
	struct vm_amap *amap;
	struct vm_anon *anon;
	size_t slot;
	int error;

	if (write && (error = uvm_fault_rdlocked(map, va, PROT_WRITE,
	    UVM_FAULT_FORCE)) != 0)
		return error;
	e = uvm_map_lookup(map, va);	/* again: the fault may have relocked */
	if (e == NULL || (e->e_flags & UVM_ET_GUARD))
		return EFAULT;
	if (!(e->e_maxprot & (write ? PROT_WRITE : PROT_READ)))
		return EACCES;
	if ((amap = e->e_amap) == NULL) {
		KASSERT(!write);
		memset(buf, 0, n);		/* never touched: zeros */
		return 0;
	}
	slot = e->e_amapslot + ((va - e->e_start) >> PAGE_SHIFT);
	mtx_enter(&amap->am_lock);
	anon = amap_lookup(amap, slot);
	if (anon == NULL) {
		KASSERT(!write);
		memset(buf, 0, n);
	} else if (write)
		memcpy((char *)VM_PAGE_TO_DMAP(anon->an_page) + (va & PAGE_MASK), buf, n);
	else
		memcpy(buf, (char *)VM_PAGE_TO_DMAP(anon->an_page) + (va & PAGE_MASK), n);
	mtx_leave(&amap->am_lock);
	return 0;
}

/* Copy len bytes between buf and vm from va; return 0 or an errno, and the
 * bytes copied in *donep. Caller holds a pin. */
int
uvm_io(struct vmspace *vm, vaddr_t va, void *buf, size_t len, bool write,
    size_t *donep)
{
	struct vm_map *map = &vm->vm_map;
	size_t done = 0;
	int error = 0;

	uvmspace_assert(vm, (1 << VMSPACE_LIVE) | (1 << VMSPACE_PURGED), __func__);
	KASSERT(__atomic_load_n(&vm->vm_refcnt, __ATOMIC_RELAXED) > 0);
	rw_enter_read(&map->m_lock);
	while (done < len) {
		vaddr_t a = va + done;
		size_t n = MIN(len - done, PAGE_SIZE - (a & PAGE_MASK));

		if (a < va || a < map->m_min || a >= map->m_max) {
			error = EFAULT;
			break;
		}
		if ((error = uvm_io_page(map, a, (char *)buf + done, n, write)) != 0)
			break;
		done += n;
	}
	rw_exit_read(&map->m_lock);
	*donep = done;
	return error;
}
