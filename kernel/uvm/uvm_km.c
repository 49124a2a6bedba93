/*
 * uvm/uvm_km.c: kernel virtual memory for kernel stacks.
 *
 * Owns: the kernel-stack region [UVM_KM_KSTACK_BASE, UVM_KM_KSTACK_END) of
 * kernel VA, cut into UVM_KM_KSTACK_SLOTS slots of one unmapped guard page
 * followed by KSTACK_SIZE of stack, and the pages mapped there.
 * Locks: uvm_km_lock (spinlock) guards the slot bitmap and the live count.
 * Mapping and unmapping happen outside it (pmap_kremove waits for the TLB
 * shootdown); the slot stays reserved meanwhile.
 * Lifecycle of a slot: free -> reserved under the lock -> pages allocated and
 * mapped (pmap_kenter) -> a thread's stack -> unmapped, the TLB shootdown
 * complete (pmap_kremove) -> pages freed -> free again under the lock.
 */
#include "lib.h"
#include "param.h"
#include "lock.h"
#include "pmap.h"
#include "uvm_page.h"
#include "uvm_km.h"

#define KSTACK_PAGES	(KSTACK_SIZE / PAGE_SIZE)

CTASSERT(UVM_KM_KSTACK_SLOTS % 64 == 0);
CTASSERT(KSTACK_SIZE % PAGE_SIZE == 0);

static struct spinlock uvm_km_lock = SPINLOCK_INITIALIZER("uvm_km");
static uint64_t kstack_used[UVM_KM_KSTACK_SLOTS / 64];	/* slot bitmap [uvm_km_lock] */
static uint64_t kstack_live;				/* reserved slots [uvm_km_lock] */

/* The lowest address (the guard page) of slot s. */
static vaddr_t
kstack_slot_va(unsigned s)
{
	return UVM_KM_KSTACK_BASE + (vaddr_t)s * UVM_KM_KSTACK_SLOT;
}

/* Reserve the first free slot; return its index, or -1 if none is free. */
static int
kstack_slot_get(void)
{
	unsigned w;
	int s = -1;

	spinlock_acquire(&uvm_km_lock);
	for (w = 0; w < nitems(kstack_used); w++) {
		if (kstack_used[w] == ~0UL)
			continue;
		s = w * 64 + __builtin_ctzl(~kstack_used[w]);
		kstack_used[w] |= 1UL << (s % 64);
		kstack_live++;
		break;
	}
	spinlock_release(&uvm_km_lock);
	return s;
}

/* Release reserved slot s. */
static void
kstack_slot_put(unsigned s)
{
	spinlock_acquire(&uvm_km_lock);
	if (!(kstack_used[s / 64] & (1UL << (s % 64))))
		panic("kstack_slot_put: kernel stack slot %u is not allocated", s);
	kstack_used[s / 64] &= ~(1UL << (s % 64));
	kstack_live--;
	spinlock_release(&uvm_km_lock);
}

/* Unmap the first npages pages of the stack at va (the TLB shootdown done
 * when pmap_kremove returns), then free them. */
static void
kstack_unmap(vaddr_t va, int npages)
{
	struct vm_page *pg[KSTACK_PAGES];
	paddr_t pa;
	int i;

	if (npages == 0)
		return;
	for (i = 0; i < npages; i++) {
		if (!pmap_extract(pmap_kernel(), va + i * PAGE_SIZE, &pa))
			panic("kstack_unmap: page %d of the kernel stack at %#lx "
			    "is not mapped (double free?)", i, va);
		pg[i] = PHYS_TO_VM_PAGE(pa);
		KASSERT(pg[i] != NULL && pg[i]->pg_use == PG_USE_KERNEL);
	}
	pmap_kremove(va, npages * PAGE_SIZE);
	for (i = 0; i < npages; i++)
		uvm_pagefree(pg[i]);
}

/* Return the lowest address of a new mapped KSTACK_SIZE stack (its top is
 * that + KSTACK_SIZE), or 0 when no slot or no memory is left (ENOMEM). */
vaddr_t
uvm_km_kstack_alloc(void)
{
	int s = kstack_slot_get(), i;
	vaddr_t va;

	if (s < 0)
		return 0;
	va = kstack_slot_va(s) + PAGE_SIZE;
	for (i = 0; i < KSTACK_PAGES; i++) {
		struct vm_page *pg = uvm_pagealloc(PG_USE_KERNEL, 0);

		if (pg == NULL) {
			kstack_unmap(va, i);
			kstack_slot_put(s);
			return 0;
		}
		pmap_kenter(va + i * PAGE_SIZE, VM_PAGE_TO_PHYS(pg),
		    PROT_READ | PROT_WRITE);
	}
	return va;
}

/* Unmap a stack (after the TLB shootdown) and free its pages. The caller must
 * not be running on it. */
void
uvm_km_kstack_free(vaddr_t va)
{
	vaddr_t rsp;

	if (va < UVM_KM_KSTACK_BASE + PAGE_SIZE || va >= UVM_KM_KSTACK_END ||
	    (va - UVM_KM_KSTACK_BASE) % UVM_KM_KSTACK_SLOT != PAGE_SIZE)
		panic("uvm_km_kstack_free: %#lx is not a kernel stack", va);
	__asm__ volatile("movq %%rsp, %0" : "=r"(rsp));
	if (rsp >= va && rsp < va + KSTACK_SIZE)
		panic("uvm_km_kstack_free: freeing the stack at %#lx we run on", va);
	kstack_unmap(va, KSTACK_PAGES);
	kstack_slot_put((va - UVM_KM_KSTACK_BASE) / UVM_KM_KSTACK_SLOT);
}

/* Return the number of live kernel stacks. */
uint64_t
uvm_km_kstack_count(void)
{
	uint64_t n;

	spinlock_acquire(&uvm_km_lock);
	n = kstack_live;
	spinlock_release(&uvm_km_lock);
	return n;
}

/* Return true if va lies in the guard page of a kernel stack slot, and that
 * slot's stack bottom in *stackp. Lock-free: the trap path calls it. */
bool
uvm_km_kstack_guard(vaddr_t va, vaddr_t *stackp)
{
	vaddr_t off;

	if (va < UVM_KM_KSTACK_BASE || va >= UVM_KM_KSTACK_END)
		return false;
	off = (va - UVM_KM_KSTACK_BASE) % UVM_KM_KSTACK_SLOT;
	if (off >= PAGE_SIZE)
		return false;
	*stackp = va - off + PAGE_SIZE;
	return true;
}
