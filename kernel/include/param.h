/*
 * The kernel's address-space layout.
 *
 *   0x0000000000000000 .. USER_MAX        user space (lower half)
 *   DMAP_BASE .. + physical memory size    direct map of all physical memory
 *   KERNBASE + 1 MiB ..                    the kernel image (linker.ld)
 */
#ifndef _PARAM_H_
#define _PARAM_H_

#define PAGE_SHIFT	12
#define PAGE_SIZE	4096UL
#define PAGE_MASK	(PAGE_SIZE - 1)
#define NBPD		(1UL << 21)	/* bytes mapped by a page-directory entry */
#define NBPDP		(1UL << 30)	/* bytes mapped by a PDPT entry */

#define KERNBASE	0xFFFFFFFF80000000UL
#define DMAP_BASE	0xFFFF800000000000UL
#define DMAP_MAX_PHYS	(512UL << 30)	/* one PML4 slot of direct map */
#define USER_MAX	0x00007FFFFFFFF000UL

#define PHYS_TO_DMAP(pa)	((void *)((uint64_t)(pa) + DMAP_BASE))
#define DMAP_TO_PHYS(va)	((uint64_t)(va) - DMAP_BASE)
#define KVA_TO_PHYS(va)		((uint64_t)(va) - KERNBASE)

#define MAXCPUS		16
#define KSTACK_SIZE	(4 * PAGE_SIZE)

#define trunc_page(x)	((x) & ~PAGE_MASK)
#define round_page(x)	(((x) + PAGE_MASK) & ~PAGE_MASK)

#endif
