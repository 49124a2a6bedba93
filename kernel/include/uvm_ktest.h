/*
 * Helpers shared by the in-kernel tests of uvm (uvm/uvm_map_ktest.c, where
 * they live, and uvm/uvm_vmspace_ktest.c): the counters every case must
 * leave as it found them, and the normal end of a test vmspace.
 */
#ifndef _UVM_KTEST_H_
#define _UVM_KTEST_H_

#include "types.h"
#include "ktest.h"
#include "uvm_vmspace.h"

struct uvm_ktest_base {
	uint64_t	user;		/* uvmexp.byuse[PG_USE_USER] */
	uint64_t	ptp;		/* uvmexp.byuse[PG_USE_PTP] */
	uint64_t	pmaps;		/* pmap_stats.pmaps */
	uint64_t	anons, amaps, nodes;	/* uvm_amap_stats */
	uint64_t	entries;	/* live map entries */
	uint64_t	vms[VMSPACE_NSTATES];	/* uvmspace_stats.live */
};

/* Snapshot the counters. */
void	uvm_ktest_base_get(struct uvm_ktest_base *b);
/* Expect every counter to be back at b. */
void	uvm_ktest_base_check(struct ktest *t, const struct uvm_ktest_base *b);
/* End a vmspace the way exit and the reaper do (its one user and pin):
 * drop the user, purge, drop the pin, wait for the grace period. */
void	uvm_ktest_vm_end(struct vmspace *vm);
/* Write or read one 64-bit word at va through uvm_io; return its errno. */
int	uvm_ktest_put(struct vmspace *vm, vaddr_t va, uint64_t v);
int	uvm_ktest_get(struct vmspace *vm, vaddr_t va, uint64_t *vp);
/* The PTE that maps va in pm, or 0. */
uint64_t uvm_ktest_pte(struct pmap *pm, vaddr_t va);

#endif
