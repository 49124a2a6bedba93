/*
 * kern/sys_mman.c: the memory system calls (mmap, munmap, mprotect, brk,
 * madvise) on the calling process's map.
 *
 * Only anonymous memory exists: MAP_PRIVATE|MAP_ANONYMOUS (copy-on-write
 * after fork) and MAP_SHARED|MAP_ANONYMOUS (shared with forked children);
 * a file mapping fails with ENODEV. Arguments are checked the way Linux
 * checks them, with its errnos; page 0 and everything at or above
 * USER_MAX are never user memory. The break grows and shrinks by whole
 * pages above the data segment (ps_brkbase, set by exec). Both stay
 * within RLIMIT_AS (kern_resource.c): mmap beyond it is ENOMEM, brk
 * beyond it leaves the break where it was, as on Linux.
 *
 * Owns nothing; the map's own lock (taken by uvm_map_*) covers each call.
 * The break is the process's one thread's business.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "file.h"
#include "proc.h"
#include "resource.h"
#include "syscall.h"
#include "uvm_map.h"
#include "uvm_vmspace.h"

/* mmap flags (Linux's values) */
#define MAP_SHARED	0x01
#define MAP_PRIVATE	0x02
#define MAP_TYPE	0x0f
#define MAP_FIXED	0x10
#define MAP_ANONYMOUS	0x20
#define PROT_ALL	(PROT_READ | PROT_WRITE | PROT_EXEC)

/* madvise advice accepted (and ignored): Linux's 0-4, 8-23, 100-101 */
#define MADV_MAX_LOW	4
#define MADV_FREE	8
#define MADV_MAX_MID	23
#define MADV_HWPOISON	100
#define MADV_SOFT_OFFLINE 101

/* The calling process's map. */
static struct vm_map *
sys_map(struct proc *p)
{
	return &p->p_p->ps_vmspace->vm_map;
}

/* Return true if [va, va + len) lies in user space (page 0 excluded). */
static bool
mman_range_ok(vaddr_t va, vsize_t len)
{
	return va >= VM_MIN_ADDRESS && va < VM_MAX_ADDRESS &&
	    len <= VM_MAX_ADDRESS - va;
}

/* mmap(addr, len, prot, flags, fd, offset) */
long
sys_mmap(struct proc *p, const uint64_t *args)
{
	vaddr_t va = args[0];
	vsize_t len = args[1];
	int prot = (int)args[2], flags = (int)args[3], type = flags & MAP_TYPE;
	struct file *fp;
	int error;

	if (len == 0 || (args[5] & PAGE_MASK) || (prot & ~PROT_ALL))
		return -EINVAL;
	if (type != MAP_PRIVATE && type != MAP_SHARED)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		if ((error = fd_getfile(p->p_p->ps_fd, (int)args[4], &fp)) != 0)
			return -error;
		FRELE(fp);
		return -ENODEV;
	}
	if (len > VM_MAX_ADDRESS - VM_MIN_ADDRESS)
		return -ENOMEM;
	len = round_page(len);
	if (flags & MAP_FIXED) {
		if (va & PAGE_MASK)
			return -EINVAL;
		if (va < VM_MIN_ADDRESS)
			return -EPERM;
		if (!mman_range_ok(va, len))
			return -ENOMEM;
		/* replaces what was there */
		if ((error = uvm_unmap(sys_map(p), va, va + len)) != 0)
			return -error;
	}
	error = uvm_map_enter_limit(sys_map(p), &va, len, 0, prot, PROT_ALL,
	    type == MAP_SHARED ? MAP_INHERIT_SHARE : MAP_INHERIT_COPY,
	    ((flags & MAP_FIXED) ? UVM_MAP_FIXED : 0) |
	    (type == MAP_SHARED ? UVM_MAP_SHARED : 0),
	    resource_limit(p->p_p, RLIMIT_AS));
	return error != 0 ? -error : (long)va;
}

/* munmap(addr, len): a range that starts at page 0 is allowed, as on
 * Linux; page 0 never maps, so only the part above it is removed. */
long
sys_munmap(struct proc *p, const uint64_t *args)
{
	vaddr_t va = args[0];
	vsize_t len = round_page(args[1]);

	if ((va & PAGE_MASK) || len == 0 || len < args[1] ||
	    va > VM_MAX_ADDRESS || len > VM_MAX_ADDRESS - va)
		return -EINVAL;
	if (va < VM_MIN_ADDRESS) {
		len -= MIN(len, VM_MIN_ADDRESS - va);
		va = VM_MIN_ADDRESS;
	}
	return len == 0 ? 0 : -uvm_unmap(sys_map(p), va, va + len);
}

/* mprotect(addr, len, prot) */
long
sys_mprotect(struct proc *p, const uint64_t *args)
{
	vaddr_t va = args[0];
	vsize_t len = round_page(args[1]);
	int prot = (int)args[2];

	if ((va & PAGE_MASK) || (prot & ~PROT_ALL) || len < args[1])
		return -EINVAL;
	if (len == 0)
		return 0;
	if (!mman_range_ok(va, len))
		return -ENOMEM;
	return -uvm_map_protect(sys_map(p), va, va + len, prot);
}

/* brk(addr): move the break to addr if it can; return the break. */
long
sys_brk(struct proc *p, const uint64_t *args)
{
	struct process *pr = p->p_p;
	vaddr_t want = args[0], old = round_page(pr->ps_brk), new;

	if (want < pr->ps_brkbase || want >= VM_MMAP_TOP)
		return pr->ps_brk;
	new = round_page(want);
	if (new > old) {
		if (uvm_map_enter_limit(sys_map(p), &old, new - old, 0,
		    PROT_READ | PROT_WRITE, PROT_ALL, MAP_INHERIT_COPY,
		    UVM_MAP_FIXED, resource_limit(pr, RLIMIT_AS)) != 0)
			return pr->ps_brk;	/* taken, no memory, RLIMIT_AS */
	} else if (new < old && uvm_unmap(sys_map(p), new, old) != 0)
		return pr->ps_brk;
	pr->ps_brk = want;
	return want;
}

/* madvise(addr, len, advice): checked, then ignored. */
long
sys_madvise(struct proc *p, const uint64_t *args)
{
	int advice = (int)args[2];

	if (args[0] & PAGE_MASK)
		return -EINVAL;
	if (!((advice >= 0 && advice <= MADV_MAX_LOW) ||
	    (advice >= MADV_FREE && advice <= MADV_MAX_MID) ||
	    advice == MADV_HWPOISON || advice == MADV_SOFT_OFFLINE))
		return -EINVAL;
	return 0;
}
