/*
 * boot/mptramp.S: the application processors' first instructions.
 *
 * This code never runs where it is linked: mp_start_aps (arch/x86_64/mp.c)
 * copies mptramp_start..mptramp_end to physical MPTRAMP_PA, fills in
 * mptramp_args, and builds a temporary PML4 at MPTRAMP_PA + MPTRAMP_PML4_OFF
 * (identity map of the low 2 MiB plus the kernel's upper-half entries). A
 * start-up IPI with vector MPTRAMP_PA >> 12 starts an AP here in real mode
 * with %cs = MPTRAMP_PA >> 4, %ip = 0. It goes to 32-bit protected mode, then
 * to long mode on the temporary PML4, and jumps to mpta_entry in the higher
 * half on the stack mpta_stack with %rdi = mpta_cpu. Every address below is
 * therefore computed as MPTRAMP_PA + (label - mptramp_start).
 */
#include "boot.h"
#include "smp.h"

#define TRAMP(x)	(MPTRAMP_PA + ((x) - mptramp_start))

#define SEL_CODE32	0x08
#define SEL_DATA	0x10
#define SEL_CODE64	0x18

	.section .rodata, "a"
	.balign 16
	.globl mptramp_start
mptramp_start:
	.code16
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	(mptramp_gdt_desc - mptramp_start)
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	$SEL_CODE32, $TRAMP(mptramp_32)

	.code32
mptramp_32:
	movw	$SEL_DATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	%cr4, %eax
	orl	$(CR4_PAE | CR4_PGE), %eax
	movl	%eax, %cr4
	movl	$(MPTRAMP_PA + MPTRAMP_PML4_OFF), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$(EFER_LME | EFER_NXE | EFER_SCE), %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_WP), %eax
	movl	%eax, %cr0
	ljmpl	$SEL_CODE64, $TRAMP(mptramp_64)

	.code64
mptramp_64:
	movw	$SEL_DATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movq	TRAMP(mptramp_args) + MPTA_STACK, %rsp
	movq	TRAMP(mptramp_args) + MPTA_CPU, %rdi
	movq	TRAMP(mptramp_args) + MPTA_ENTRY, %rax
	xorl	%ebp, %ebp
	pushq	$0			/* a zero return address ends backtraces */
	jmp	*%rax

	.balign 16
mptramp_gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: data */
	.quad	0x00209a0000000000	/* 0x18: 64-bit code */
mptramp_gdt_end:
mptramp_gdt_desc:
	.short	mptramp_gdt_end - mptramp_gdt - 1
	.long	TRAMP(mptramp_gdt)

	.balign 8
	.globl mptramp_args
mptramp_args:
	.skip	24			/* struct mptramp_args */
	.globl mptramp_end
mptramp_end:
