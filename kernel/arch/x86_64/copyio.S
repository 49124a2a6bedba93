/*
 * arch/x86_64/copyio.S: the byte movers behind copyin, copyout and
 * copyinstr (arch/x86_64/copy.c), with fault recovery, and the SMAP probe
 * of the isolation tests.
 *
 * The movers are the only kernel code that touches user memory: each
 * opens it with stac and closes it with clac (SMAP_STAC/SMAP_CLAC, asm.h;
 * with SMAP on, any other kernel access to a user page faults and trap.c
 * panics). Each stores its recovery address in the word the caller passes
 * (the running thread's pcb_onfault) before touching user memory and
 * clears it after. A page fault there that uvm_fault cannot resolve
 * (trap.c, only for a faulting instruction inside the movers,
 * copyio_movers) makes the trap return to that address instead, with every
 * register as at the fault and AC as it was: the mover closes user memory
 * again, clears the word and returns EFAULT. The range checks are the C
 * callers'. No locks.
 */
#include "../../include/asm.h"

#define EFAULT		14
#define ENAMETOOLONG	36

	.text
/*
 * int copy_bytes(void *dst, const void *src, size_t len, uint64_t *onfault)
 * Return 0, or EFAULT if a fault was not resolved.
 */
	.globl copy_bytes
	.type copy_bytes, @function
copy_bytes:
	leaq	copy_fault(%rip), %rax
	movq	%rax, (%rcx)
	movq	%rcx, %r8
	movq	%rdx, %rcx
	SMAP_STAC
	rep movsb
	SMAP_CLAC
	movq	$0, (%r8)
	xorl	%eax, %eax
	ret
copy_fault:
	SMAP_CLAC
	movq	$0, (%r8)
	movl	$EFAULT, %eax
	ret
	.size copy_bytes, . - copy_bytes

/*
 * int copy_str(char *dst, const char *src, size_t max, size_t *lenp,
 *     uint64_t *onfault)
 * Copy up to max bytes, stopping after the NUL; return 0 with the length
 * including the NUL in *lenp, ENAMETOOLONG when max bytes held no NUL, or
 * EFAULT if a fault was not resolved.
 */
	.globl copy_str
	.type copy_str, @function
copy_str:
	leaq	copy_str_fault(%rip), %rax
	movq	%rax, (%r8)
	xorl	%r9d, %r9d
	SMAP_STAC
1:	cmpq	%rdx, %r9
	je	2f
	movb	(%rsi,%r9), %al
	movb	%al, (%rdi,%r9)
	incq	%r9
	testb	%al, %al
	jnz	1b
	SMAP_CLAC
	movq	$0, (%r8)
	movq	%r9, (%rcx)
	xorl	%eax, %eax
	ret
2:	SMAP_CLAC
	movq	$0, (%r8)
	movl	$ENAMETOOLONG, %eax
	ret
copy_str_fault:
	SMAP_CLAC
	movq	$0, (%r8)
	movl	$EFAULT, %eax
	ret
	.size copy_str, . - copy_str
.Lmovers_end:

/*
 * int copy_probe(const void *addr)
 * Read the byte at addr the way kernel code outside the movers would:
 * without stac. Return 0 if it could, EFAULT if the read faulted. Only the
 * isolation tests call it (arch/x86_64/isolation_ktest.c), to see SMAP
 * refuse the kernel a user page; trap.c resumes a fault of its load, and
 * of nothing else, at its recovery address (copyio_probe).
 */
	.globl copy_probe
	.type copy_probe, @function
copy_probe:
	xorl	%eax, %eax
.Lprobe_load:
	movb	(%rdi), %cl
	ret
.Lprobe_fault:
	movl	$EFAULT, %eax
	ret
	.size copy_probe, . - copy_probe

/* For trap.c: the movers' code [start, end), and the probe's load and
 * its recovery address. */
	.section .rodata
	.balign 8
	.globl copyio_movers
copyio_movers:
	.quad	copy_bytes, .Lmovers_end
	.globl copyio_probe
copyio_probe:
	.quad	.Lprobe_load, .Lprobe_fault
