/*
 * arch/x86_64/copy.c: copyin, copyout and copyinstr (include/syscall.h).
 *
 * A user range is checked against USER_MAX first, so the movers
 * (copyio.S, the only code that opens user memory to the kernel when
 * SMAP is on) never touch a kernel or non-canonical address on a user's
 * behalf; a fault inside the range goes through trap.c, which resolves it
 * with uvm_fault on the process's map or, failing that, resumes the mover
 * at its recovery address (EFAULT). Owns nothing; no locks. The caller
 * must be able to sleep (the fault may): no spinlock held.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "cpu.h"
#include "proc.h"
#include "syscall.h"
#include "copyio.h"

/* Return true if [uaddr, uaddr + len) is a user range (no wrap). */
bool
uaddr_ok(const void *uaddr, size_t len)
{
	vaddr_t va = (vaddr_t)uaddr;

	return va <= USER_MAX && len <= USER_MAX - va;
}

/* Panic unless the caller may take a user fault: a user thread that
 * holds no spinlock. */
static void
copy_assert(const char *caller)
{
	struct proc *p = curproc;

	if ((p->p_flag & P_SYSTEM) || p->p_p->ps_vmspace == NULL)
		panic("%s: %s has no user address space", caller, p->p_name);
	if (curcpu()->ci_ipl_depth != 0)
		panic("%s: called with a spinlock held", caller);
}

/* Copy len bytes from user uaddr to kaddr; return 0 or EFAULT. */
int
copyin(const void *uaddr, void *kaddr, size_t len)
{
	if (!uaddr_ok(uaddr, len))
		return EFAULT;
	if (len == 0)
		return 0;
	copy_assert(__func__);
	return copy_bytes(kaddr, uaddr, len, &curproc->p_pcb.pcb_onfault);
}

/* Copy len bytes from kaddr to user uaddr; return 0 or EFAULT. */
int
copyout(const void *kaddr, void *uaddr, size_t len)
{
	if (!uaddr_ok(uaddr, len))
		return EFAULT;
	if (len == 0)
		return 0;
	copy_assert(__func__);
	return copy_bytes(uaddr, kaddr, len, &curproc->p_pcb.pcb_onfault);
}

/* Copy a NUL-terminated user string of at most maxlen bytes; return 0,
 * EFAULT or ENAMETOOLONG. */
int
copyinstr(const void *uaddr, char *kaddr, size_t maxlen, size_t *donep)
{
	vaddr_t va = (vaddr_t)uaddr;
	size_t room, len;
	int error;

	KASSERT(maxlen > 0);
	if (va >= USER_MAX)
		return EFAULT;
	copy_assert(__func__);
	room = MIN(maxlen, USER_MAX - va);
	error = copy_str(kaddr, uaddr, room, &len, &curproc->p_pcb.pcb_onfault);
	if (error == ENAMETOOLONG && room < maxlen)
		error = EFAULT;		/* ran into the end of user space */
	if (error == 0 && donep != NULL)
		*donep = len;
	return error;
}
