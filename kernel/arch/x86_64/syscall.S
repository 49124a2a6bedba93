/*
 * arch/x86_64/syscall.S: the SYSCALL entry and the return to user mode.
 *
 * SYSCALL leaves the user %rip in %rcx and %rflags in %r11, masks IF, TF,
 * DF, AC and NT (SFMASK, vm_machdep.c) and does not switch stacks. The
 * entry swaps to the kernel GS base, parks the user %rsp in this CPU's
 * ci_uscratch (%gs:8), loads the thread's kernel stack top from the TSS
 * (rsp0, set by cpu_switchto) and builds there the same struct trapframe
 * an interrupt from user mode builds (include/trap.h), so the thread's
 * p_md.md_regs describes its user registers whichever way it entered.
 *
 * The way out is SYSRET when the frame allows it, IRET otherwise:
 * SYSRET loads %rip from %rcx without a canonical check of its own on
 * Intel, and a non-canonical one raises #GP in ring 0 with the USER %rsp
 * already loaded (the classic SYSRET hazard). So a frame whose %rip is
 * not a canonical user address (an exec entry point, a sigreturn or
 * ptrace frame), or whose segments are not the 64-bit user ones, leaves
 * through trapret's IRETQ, which faults, if at all, on the kernel stack.
 * No locks; interrupts are off from SYSCALL to the stack switch and from
 * the final cli to SYSRET/IRET.
 */
#include "../../include/asm.h"

#define CI_USCRATCH	8	/* offsetof(struct cpu_info, ci_uscratch) */
#define UCODE_SEL	(0x28 | 3)	/* GSEL_UCODE | SEL_UPL */
#define UDATA_SEL	(0x20 | 3)	/* GSEL_UDATA | SEL_UPL */
#define T_SYSCALL	0x100

	.text
	.globl syscall_entry
	.type syscall_entry, @function
syscall_entry:
	swapgs
	movq	%rsp, %gs:CI_USCRATCH
	movq	ci_tss_rsp0_offset(%rip), %rsp
	movq	%gs:(%rsp), %rsp		/* this thread's kernel stack top */
	pushq	$UDATA_SEL			/* tf_ss */
	pushq	%gs:CI_USCRATCH			/* tf_rsp */
	pushq	%r11				/* tf_rflags */
	pushq	$UCODE_SEL			/* tf_cs */
	pushq	%rcx				/* tf_rip */
	pushq	$0				/* tf_err */
	pushq	$T_SYSCALL			/* tf_trapno */
	TRAPFRAME_PUSH_REGS
	cld
	movq	%rsp, %rdi
	/* a frame record ending backtraces at the user %rip */
	pushq	TF_RIP(%rsp)
	pushq	$0
	movq	%rsp, %rbp
	sti
	call	syscall
	addq	$16, %rsp
	.globl syscall_return
syscall_return:
	cli
	/* SYSRET only for a canonical user %rip and the 64-bit user segments */
	movq	TF_RIP(%rsp), %rcx
	shrq	$47, %rcx
	jnz	1f
	cmpq	$UCODE_SEL, TF_CS(%rsp)
	jne	1f
	cmpq	$UDATA_SEL, TF_SS(%rsp)
	jne	1f
	/* SYSRET loads %rcx and %r11 from %rip and %rflags: only when the
	 * frame already says so (a sigreturn or ptrace SETREGS may not) */
	movq	TF_RCX(%rsp), %rcx
	cmpq	TF_RIP(%rsp), %rcx
	jne	1f
	movq	TF_R11(%rsp), %r11
	cmpq	TF_RFLAGS(%rsp), %r11
	jne	1f
	TRAPFRAME_POP_REGS			/* %rcx, %r11: %rip, %rflags */
	addq	$16, %rsp			/* trapno, err */
	movq	24(%rsp), %rsp			/* tf_rsp: the user stack */
	swapgs
	sysretq
1:	jmp	trapret				/* IRETQ, swapgs by tf_cs */
	.size syscall_entry, . - syscall_entry

/*
 * void user_enter(struct trapframe *tf) __noreturn
 * Leave for user mode through tf, the thread's md_regs at the top of its
 * kernel stack (a new process's first return, after cpu_fork or setregs).
 */
	.globl user_enter
	.type user_enter, @function
user_enter:
	movq	%rdi, %rsp
	jmp	syscall_return
	.size user_enter, . - user_enter
