/* Offsets into struct trapframe for assembly (checked in arch/x86_64/trap.c). */
#ifndef _ASM_H_
#define _ASM_H_

#define TF_R11		(4 * 8)
#define TF_RCX		(12 * 8)
#define TF_TRAPNO	(15 * 8)
#define TF_ERR		(16 * 8)
#define TF_RIP		(17 * 8)
#define TF_CS		(18 * 8)
#define TF_RFLAGS	(19 * 8)
#define TF_RSP		(20 * 8)
#define TF_SS		(21 * 8)
#define TF_SIZE		(22 * 8)

#ifdef __ASSEMBLY__
/* Push the general registers in struct trapframe's order (from tf_rax down
 * to tf_r15), below the trapno/err/iret words already pushed. */
.macro TRAPFRAME_PUSH_REGS
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
.endm

/* stac (allow kernel access to user pages) and clac (forbid it) on a CPU
 * with SMAP (cpu_smap, arch/x86_64/machdep.c); elsewhere they do not exist
 * (#UD) and there is nothing to allow or forbid. Both clobber the
 * arithmetic flags. */
.macro SMAP_STAC
	testb	$1, cpu_smap(%rip)
	jz	.Lsmap_stac_\@
	stac
.Lsmap_stac_\@:
.endm

.macro SMAP_CLAC
	testb	$1, cpu_smap(%rip)
	jz	.Lsmap_clac_\@
	clac
.Lsmap_clac_\@:
.endm

/* Pop what TRAPFRAME_PUSH_REGS pushed. */
.macro TRAPFRAME_POP_REGS
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
.endm
#endif

#endif
