/*
 * Page faults on anonymous memory (uvm/uvm_fault.c).
 *
 * uvm_fault resolves a fault at va in a map: it checks the entry's
 * protection, gives the entry its amap (or, after fork, its private copy of
 * it), allocates a zeroed page on first touch, copies a page shared
 * copy-on-write on the first write, and maps the page with the entry's
 * protection (write-protected while it is shared). What the fault returns
 * is the errno a user would get; turning it into SIGSEGV or SIGKILL is the
 * caller's business. On ENOMEM nothing was allocated and nothing mapped.
 */
#ifndef _UVM_FAULT_H_
#define _UVM_FAULT_H_

#include "types.h"
#include "pmap.h"

struct vm_map;

/* uvm_fault_rdlocked flags */
#define UVM_FAULT_FORCE	0x01	/* a debugger's access (uvm_io): checked
				 * against the maximum protection; a write
				 * to read-only private memory copies the
				 * page and leaves the mapping read-only */

/* Resolve a fault at va for access (PROT_READ, PROT_WRITE or PROT_EXEC);
 * return 0, EFAULT (nothing mapped there), EACCES (not allowed) or ENOMEM.
 * Takes the map lock for reading. */
int	uvm_fault(struct vm_map *map, vaddr_t va, vm_prot_t access);
/* uvm_fault for a caller that holds the map lock for reading; the lock may
 * be dropped and retaken meanwhile, so entries looked up before are stale. */
int	uvm_fault_rdlocked(struct vm_map *map, vaddr_t va, vm_prot_t access,
	    int flags);

#endif
