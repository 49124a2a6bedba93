/*
 * arch/x86_64/vectors.S: the 256 interrupt entry stubs and the common path.
 *
 * Each stub pushes a zero error code when the CPU does not, then the vector
 * number, and jumps to alltraps, which completes a struct trapframe
 * (include/trap.h), swaps GS when coming from user mode and calls trap().
 * The CPU does not clear rflags.AC on an interrupt or exception: alltraps
 * does (SMAP_CLAC), so no handler runs with user memory open to it, even
 * when it interrupted a copyin (whose AC comes back with its rflags at
 * iretq).
 */
#include "../../include/asm.h"

	.text
/* Stub v sits at vectors + 16 * v: [pushq $0] pushq $v; jmp alltraps (<= 12 bytes). */
	.balign 16
	.globl vectors
vectors:
	.set vec, 0
	.rept 256
	.balign 16
	.if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	pushq	$0			/* the CPU pushed no error code */
	.endif
	pushq	$vec
	jmp	alltraps
	.set vec, vec + 1
	.endr

	.globl alltraps
alltraps:
	SMAP_CLAC
	testb	$3, 24(%rsp)		/* tf_cs: from user mode? */
	jz	1f
	swapgs
1:	TRAPFRAME_PUSH_REGS
	cld
	movq	%rsp, %rdi
	/* a frame record that ends at the interrupted code, for backtraces */
	pushq	TF_RIP(%rsp)
	pushq	%rbp
	movq	%rsp, %rbp
	call	trap
	addq	$16, %rsp
	.globl trapret
trapret:
	TRAPFRAME_POP_REGS
	addq	$16, %rsp		/* trapno, err */
	testb	$3, 8(%rsp)		/* cs */
	jz	2f
	swapgs
2:	iretq

