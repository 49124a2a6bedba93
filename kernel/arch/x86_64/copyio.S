/*
 * arch/x86_64/copyio.S: the byte movers behind copyin, copyout and
 * copyinstr (arch/x86_64/copy.c), with fault recovery.
 *
 * Each stores its recovery address in the word the caller passes (the
 * running thread's pcb_onfault) before touching user memory and clears it
 * after. A page fault there that uvm_fault cannot resolve (trap.c) makes
 * the trap return to that address instead, with every register as at the
 * fault: the mover clears the word and returns EFAULT. The range checks
 * are the C callers'. No locks.
 */
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
	rep movsb
	movq	$0, (%r8)
	xorl	%eax, %eax
	ret
copy_fault:
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
1:	cmpq	%rdx, %r9
	je	2f
	movb	(%rsi,%r9), %al
	movb	%al, (%rdi,%r9)
	incq	%r9
	testb	%al, %al
	jnz	1b
	movq	$0, (%r8)
	movq	%r9, (%rcx)
	xorl	%eax, %eax
	ret
2:	movq	$0, (%r8)
	movl	$ENAMETOOLONG, %eax
	ret
copy_str_fault:
	movq	$0, (%r8)
	movl	$EFAULT, %eax
	ret
	.size copy_str, . - copy_str
