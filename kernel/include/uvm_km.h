/*
 * Kernel virtual memory (uvm/uvm_km.c): kernel stacks.
 *
 * Kernel stacks live in their own PML4 slot of kernel VA, carved into fixed
 * slots: an unmapped guard page, then KSTACK_SIZE of stack. A stack that
 * overflows runs into its guard page and the fault is reported as a kernel
 * stack overflow. pmap_bootstrap creates the page-table pages of the whole
 * region, so mapping a stack never needs a page-table page.
 */
#ifndef _UVM_KM_H_
#define _UVM_KM_H_

#include "types.h"
#include "param.h"

#define UVM_KM_KSTACK_BASE	0xFFFFFE0000000000UL	/* PML4 slot 508 */
#define UVM_KM_KSTACK_SLOTS	1024			/* stacks at most */
#define UVM_KM_KSTACK_SLOT	(PAGE_SIZE + KSTACK_SIZE) /* guard page + stack */
#define UVM_KM_KSTACK_END	(UVM_KM_KSTACK_BASE + \
				 UVM_KM_KSTACK_SLOTS * UVM_KM_KSTACK_SLOT)

/* Return the lowest address of a new mapped KSTACK_SIZE stack (its top is
 * that + KSTACK_SIZE), or 0 when no slot or no memory is left (ENOMEM). */
vaddr_t	uvm_km_kstack_alloc(void);
/* Unmap a stack (after the TLB shootdown) and free its pages. The caller must
 * not be running on it. */
void	uvm_km_kstack_free(vaddr_t va);
/* Return the number of live kernel stacks. */
uint64_t uvm_km_kstack_count(void);
/* Return true if va lies in the guard page of a kernel stack slot, and that
 * slot's stack bottom in *stackp. */
bool	uvm_km_kstack_guard(vaddr_t va, vaddr_t *stackp);

#endif
