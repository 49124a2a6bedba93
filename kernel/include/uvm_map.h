/*
 * Address maps (uvm/uvm_map.c): the mappings of one address space.
 *
 * A vm_map holds map entries, each a page-aligned range [start, end) with a
 * protection, a maximum protection, an inheritance for fork, flags, and an
 * amap (anonymous memory, uvm_amap.h) with the slot of its first page. The
 * entries live in a red-black tree ordered by start; they never overlap.
 *
 * Locks: the map's rwlock: readers for lookups, faults and copies (uvm_io),
 * the writer for every change to the entries (enter, unmap, protect, fork,
 * purge, and giving an entry its amap or its private amap copy).
 * Lock order: vm_map -> amap -> pmap and page allocator.
 */
#ifndef _UVM_MAP_H_
#define _UVM_MAP_H_

#include "types.h"
#include "param.h"
#include "lock.h"
#include "pmap.h"

/* inheritance at fork */
#define MAP_INHERIT_NONE	0	/* the child has no mapping here */
#define MAP_INHERIT_SHARE	1	/* the child shares the memory */
#define MAP_INHERIT_COPY	2	/* the child gets a copy-on-write copy */

/* entry flags (e_flags) */
#define UVM_ET_COPYONWRITE	0x01	/* private memory: writes stay here */
#define UVM_ET_NEEDSCOPY	0x02	/* the amap is shared after fork: copy
					 * it before adding or writing a page */
#define UVM_ET_GUARD		0x04	/* guard region: never accessible */
#define UVM_ET_STACK		0x08	/* a stack (for /proc/<pid>/maps) */

/* uvm_map_enter flags */
#define UVM_MAP_FIXED		0x01	/* exactly at *vap; EEXIST if taken */
#define UVM_MAP_SHARED		0x02	/* shared memory (not copy-on-write) */
#define UVM_MAP_GUARD		0x04	/* a guard region (prot must be NONE) */
#define UVM_MAP_STACK		0x08	/* a stack */

/* The user address-space layout: mappings without a fixed address go top
 * down from below the stack region. */
#define VM_MIN_ADDRESS		PAGE_SIZE		/* page 0 never maps */
#define VM_MAX_ADDRESS		USER_MAX
#define VM_MAXSSIZ		(64UL << 20)		/* stack region */
#define VM_MMAP_TOP		(VM_MAX_ADDRESS - VM_MAXSSIZ - PAGE_SIZE)

struct vm_amap;

struct vm_map_entry {
	struct vm_map_entry *e_child[2], *e_parent; /* tree [map lock] */
#define e_left	e_child[0]	/* lower addresses */
#define e_right	e_child[1]	/* higher addresses */
	bool		e_red;		/* red-black color [map lock] */
	vaddr_t		e_start;	/* [map lock] */
	vaddr_t		e_end;		/* [map lock] */
	vm_prot_t	e_prot;		/* [map lock] */
	vm_prot_t	e_maxprot;	/* [map lock] */
	int		e_inherit;	/* MAP_INHERIT_* [map lock] */
	int		e_flags;	/* UVM_ET_* [map lock] */
	struct vm_amap	*e_amap;	/* NULL until the first fault [map lock] */
	size_t		e_amapslot;	/* amap slot of e_start [map lock] */
};

struct vm_map {
	struct rwlock	m_lock;
	struct vm_map_entry *m_root;	/* [m_lock] */
	size_t		m_nentries;	/* [m_lock] */
	vsize_t		m_size;		/* bytes mapped, guard regions aside:
					 * what RLIMIT_AS limits [m_lock] */
	struct pmap	*m_pmap;	/* [const] */
	vaddr_t		m_min, m_max;	/* the range entries may use [const] */
};

/* What /proc/<pid>/maps prints of one entry. */
struct uvm_map_info {
	vaddr_t		mi_start, mi_end;
	vm_prot_t	mi_prot, mi_maxprot;
	int		mi_flags;	/* UVM_ET_* */
};

/* Map entries, for tests and statistics. */
extern struct pool uvm_map_entry_pool;

/* Set up the entry pool; once at boot. */
void	uvm_map_init(void);
/* Set up an empty map of [min, max) over pm in caller storage. */
void	uvm_map_setup(struct vm_map *map, struct pmap *pm, vaddr_t min, vaddr_t max);

/* Map len bytes (page multiple) of zero-filled anonymous memory at *vap
 * (UVM_MAP_FIXED) or at the highest free range ending below hint (0: the
 * default, VM_MMAP_TOP); return 0 and the address in *vap, or EINVAL (bad
 * arguments), EEXIST (fixed range taken), ENOMEM (no room or no memory),
 * with the map unchanged. Takes the map lock. */
int	uvm_map_enter(struct vm_map *map, vaddr_t *vap, vsize_t len,
	    vaddr_t hint, vm_prot_t prot, vm_prot_t maxprot, int inherit,
	    int flags);
/* uvm_map_enter, but ENOMEM (map unchanged) if the map would hold more
 * than asmax bytes, guard regions aside (RLIMIT_AS; UVM_MAP_NOLIMIT: no
 * limit). */
int	uvm_map_enter_limit(struct vm_map *map, vaddr_t *vap, vsize_t len,
	    vaddr_t hint, vm_prot_t prot, vm_prot_t maxprot, int inherit,
	    int flags, vsize_t asmax);
#define UVM_MAP_NOLIMIT		(~(vsize_t)0)
/* Remove the mappings of [start, end): the pmap range first, then the
 * pages. Return 0, or EINVAL, or ENOMEM (an entry to split could not be
 * had) with the map unchanged. Takes the map lock. */
int	uvm_unmap(struct vm_map *map, vaddr_t start, vaddr_t end);
/* Set the protection of [start, end), which must be mapped throughout;
 * return 0, or EINVAL, ENOMEM (a hole, or no memory to split) or EACCES
 * (above the maximum protection), with the map unchanged. Takes the lock. */
int	uvm_map_protect(struct vm_map *map, vaddr_t start, vaddr_t end,
	    vm_prot_t prot);
/* Return the entry containing va, or NULL. Caller holds the map lock. */
struct vm_map_entry *uvm_map_lookup(struct vm_map *map, vaddr_t va);
/* Describe the first entry ending above addr in *mi; return false if there
 * is none. Takes the map lock for reading: iterate with addr = mi_end. */
bool	uvm_map_next(struct vm_map *map, vaddr_t addr, struct uvm_map_info *mi);

/* For uvm_fault.c, uvm_vmspace.c and uvm_glue.c; caller holds the lock
 * for writing unless said otherwise. */

/* First entry, and the one after e, in address order, or NULL. Caller
 * holds the lock (either way). */
struct vm_map_entry *uvm_map_first(struct vm_map *map);
struct vm_map_entry *uvm_map_succ(struct vm_map_entry *e);
/* Return a copy of e (same range, amap and flags, not in any map; the amap
 * gains no reference), or NULL on ENOMEM. */
struct vm_map_entry *uvm_map_entry_dup(const struct vm_map_entry *e);
/* Insert e into a map that nobody else can see yet (fork's new map). */
void	uvm_map_entry_link_new(struct vm_map *map, struct vm_map_entry *e);
/* Detach every entry from the map and return them as a list linked by
 * e_right; the pmap still maps their pages. */
struct vm_map_entry *uvm_map_detach_all(struct vm_map *map);
/* Drop the amaps of a detached list and free its entries; the pmap range of
 * each must have been removed. Caller holds no lock needed. */
void	uvm_map_entries_free(struct vm_map_entry *list);
/* Check the tree: order, no overlap, red-black rules, parent links, the
 * entry count; return 0, or a nonzero code naming the broken rule.
 * Caller holds the lock (either way). */
int	uvm_map_check(struct vm_map *map);

#endif
