/*
 * Address spaces (uvm/uvm_vmspace.c, uvm/uvm_glue.c, uvm/uvm_io.c).
 *
 * A vmspace is a process's address space: a vm_map and the pmap it fills,
 * with two counts (DESIGN.md section 4):
 *   vm_users   processes whose address space this is (a vfork child and its
 *              parent make 2); the last one to leave purges it.
 *   vm_refcnt  pins on the struct and its pmap: one per user, plus one per
 *              reader in flight; the last one to go frees it.
 * States: LIVE -> PURGED (no entries, no user pages, no page-table pages
 * below the PML4) -> DEAD (pmap destroyed; freed after an SMR grace period).
 * The lifecycle is told step by step at the top of uvm/uvm_vmspace.c.
 */
#ifndef _UVM_VMSPACE_H_
#define _UVM_VMSPACE_H_

#include "types.h"
#include "pmap.h"
#include "smr.h"
#include "uvm_map.h"

#define VMSPACE_MAGIC		0x766d7370	/* "vmsp" */

enum vmspace_state {
	VMSPACE_LIVE = 1,
	VMSPACE_PURGED,
	VMSPACE_DEAD,
	VMSPACE_NSTATES
};

struct vmspace {
	uint32_t	vm_magic;	/* VMSPACE_MAGIC until freed [const] */
	int		vm_state;	/* enum vmspace_state [atomic; set under
					 * the map's write lock, or by the
					 * last pin] */
	uint32_t	vm_users;	/* [atomic] */
	uint32_t	vm_refcnt;	/* [atomic] */
	struct vm_map	vm_map;		/* [vm_map.m_lock] */
	struct pmap	vm_pmap;	/* [its pm_lock] */
	struct smr_entry vm_smr;	/* the deferred free [smr] */
};

/* Vmspaces that exist, by state (DEAD: waiting for the grace period), for
 * tests and /proc. [atomic] */
struct uvmspace_stats {
	uint64_t	live[VMSPACE_NSTATES];
};
extern struct uvmspace_stats uvmspace_stats;

/* ---- uvm_vmspace.c ---- */

/* Set up the vmspace pool; once at boot (uvm_init). */
void	uvmspace_init(void);
/* Return a new empty LIVE vmspace with one user and one pin, or NULL on
 * ENOMEM. */
struct vmspace *uvmspace_alloc(void);
/* Return a copy of vm for a forked child (private memory copy-on-write,
 * shared memory shared; LIVE, one user, one pin), or NULL on ENOMEM. Takes
 * vm's map lock for writing; the parent's writable private pages become
 * read-only until written. */
struct vmspace *uvmspace_fork(struct vmspace *vm);
/* Add a user and its pin (vfork, CLONE_VM). vm is LIVE with a user. */
void	uvmspace_share(struct vmspace *vm);
/* Remove a user (its pin stays until uvmspace_free); return the users
 * left. When 0 is returned the caller, the last user, purges. */
int	uvmspace_drop_user(struct vmspace *vm);
/* Take a pin if vm still has one (increment-if-not-zero); return false if
 * its count had reached zero. Caller makes sure vm's memory is still there
 * (an SMR read section around the lookup that found it). */
bool	uvmspace_pin(struct vmspace *vm);
/* Drop one pin. The last one checks that the space was purged (purging
 * again must find nothing), destroys the pmap, marks it DEAD and frees the
 * struct after an SMR grace period. May sleep; caller holds no spinlock. */
void	uvmspace_free(struct vmspace *vm);
/* Mark a LIVE vmspace PURGED (a PURGED one stays so); for uvm_purge_map.
 * Caller holds the map's write lock. */
void	uvmspace_mark_purged(struct vmspace *vm);
/* Panic (naming caller) unless vm has the magic and a state in mask
 * (1 << VMSPACE_*). */
void	uvmspace_assert(struct vmspace *vm, int mask, const char *caller);

/* ---- uvm_glue.c ---- */

/* Set up the uvm pools and read purge=; once at boot, before any vmspace. */
void	uvm_init(void);
/* Return true if exit1 purges (the default), false for purge=reaper. */
bool	uvm_purge_at_exit(void);
/* Purge vm, whose last user left: remove every entry, unmap everything
 * with the TLB shootdown, then free the pages and page-table pages; vm
 * becomes PURGED. Caller holds no kernel_lock and no spinlock. */
void	uvm_purge(struct vmspace *vm);
/* The reaper's part of exit: with purge=reaper, purge vm under
 * kernel_lock if its last user left; then drop the process's pin. */
void	uvm_exit(struct vmspace *vm);
/* Remove every entry of vm (LIVE or PURGED) as uvm_purge does, with no
 * kernel_lock rule; return how many there were. vm becomes PURGED. For
 * uvm_purge, uvm_exit, uvmspace_fork's error path and uvmspace_free's
 * integrity check. */
size_t	uvm_purge_map(struct vmspace *vm);

/* ---- uvm_io.c ---- */

/* Copy len bytes between the kernel buffer buf and vm's addresses from va
 * (into vm if write), as a debugger does: through the direct map, with the
 * maximum protection; reads see untouched pages as zeros without
 * allocating, writes fault pages in (copy-on-write). Return 0, or an errno
 * (EFAULT: not mapped, as on a purged space; EACCES; ENOMEM) when not all
 * was copied; *donep says how many bytes were. Caller holds a pin. */
int	uvm_io(struct vmspace *vm, vaddr_t va, void *buf, size_t len,
	    bool write, size_t *donep);

#endif
