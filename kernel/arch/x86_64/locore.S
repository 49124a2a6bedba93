/*
 * arch/x86_64/locore.S: the first 64-bit instructions in the higher half.
 * boot/multiboot.S jumps here with the boot page tables loaded; we take the
 * boot stack and call kmain(physical address of the multiboot2 information).
 */
	.section .text.entry, "ax"
	.globl locore64
locore64:
	movabsq	$boot_stack_top, %rsp
	xorl	%ebp, %ebp
	movabsq	$boot_mbi_phys, %rax
	movq	(%rax), %rdi
	pushq	$0			/* a zero return address ends backtraces */
	jmp	kmain

	.section .bss
	.balign 4096
	.globl boot_stack
boot_stack:
	.skip 16384
	.globl boot_stack_top
boot_stack_top:
