/*
 * Allocation-failure injection (kern/kern_failinject.c): a process arms
 * itself to fail its nth page or pool allocation from now, so that a test
 * can walk every failure path of an operation. The system call is
 * exeunt's own (SYS_exeunt_failinject, outside Linux's numbers, which
 * answer ENOSYS there); user/tests/failinject.c repeats these values.
 */
#ifndef _FAILINJECT_H_
#define _FAILINJECT_H_

#include "types.h"
#include "uvm_page.h"

/* exeunt_failinject(op, nth, what) operations */
#define FAILINJECT_ARM		1	/* fail the nth matching allocation */
#define FAILINJECT_DISARM	2	/* disarm; return the failures injected */

/* what: the kinds counted ... */
#define FAILINJECT_PAGE		0x01	/* uvm_pagealloc (pool slabs aside) */
#define FAILINJECT_POOL		0x02	/* pool_get, kmalloc's small sizes */
/* ... and in which context of the process's threads */
#define FAILINJECT_SYSCALL	0x10	/* inside a system call */
#define FAILINJECT_FAULT	0x20	/* resolving a user page fault */

/* Read failinject= and, if enabled, hook pool_get; once at boot, from
 * resource_init. */
void	failinject_init(void);
/* Return true if this page allocation for use must fail (the calling
 * thread's process armed it). For uvm_pagealloc's hook. */
bool	failinject_page(enum vm_page_use use);

#endif
