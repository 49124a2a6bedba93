/*
 * boot/multiboot.S: the multiboot2 header and the 32-bit entry.
 *
 * GRUB enters _start in 32-bit protected mode, paging off, with the
 * multiboot2 magic in %eax and the physical address of the information
 * structure in %ebx. We check the magic and long-mode support, build boot
 * page tables, enter long mode and jump to the higher half (locore64 in
 * kernel/arch/x86_64/locore.S). The boot page tables map:
 *   - identity 0..4 GiB            (only for the jump; dropped by pmap_bootstrap)
 *   - DMAP_BASE + 0..4 GiB          (the direct map; pmap_bootstrap extends it)
 *   - KERNBASE + 0..1 GiB           (the kernel image)
 * all with 2 MiB pages. Everything here runs at its physical address.
 */
#include "boot.h"

#define MB2_MAGIC	0xE85250D6
#define MB2_ARCH_I386	0
#define MB2_HDR_LEN	(mb2_header_end - mb2_header)

	.section .multiboot, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long MB2_HDR_LEN
	.long -(MB2_MAGIC + MB2_ARCH_I386 + MB2_HDR_LEN)
	/* module alignment tag: modules start on page boundaries */
	.balign 8
	.short 6, 0
	.long 8
	/* end tag */
	.balign 8
	.short 0, 0
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl	$boot_stack32_top, %esp
	cmpl	$MB2_BOOTLOADER_MAGIC, %eax
	jne	bad_magic
	movl	%ebx, boot_mbi_phys

	/* long mode available? */
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	no_long_mode
	movl	$0x80000001, %eax
	cpuid
	testl	$(1 << 29), %edx
	jz	no_long_mode

	/* four page directories of 2 MiB pages: physical 0..4 GiB */
	movl	$boot_pd, %edi
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$(PTE_P | PTE_W | PTE_PS), %eax
	movl	%eax, (%edi,%ecx,8)
	movl	%ecx, %eax
	shrl	$11, %eax		/* high half of (i << 21) */
	movl	%eax, 4(%edi,%ecx,8)
	incl	%ecx
	cmpl	$2048, %ecx
	jb	1b

	/* low PDPT: four PDs */
	movl	$boot_pd, %eax
	orl	$(PTE_P | PTE_W), %eax
	movl	%eax, boot_pdpt_lo
	addl	$4096, %eax
	movl	%eax, boot_pdpt_lo + 8
	addl	$4096, %eax
	movl	%eax, boot_pdpt_lo + 16
	addl	$4096, %eax
	movl	%eax, boot_pdpt_lo + 24

	/* high PDPT: entry 510 maps KERNBASE to physical 0..1 GiB */
	movl	$boot_pd, %eax
	orl	$(PTE_P | PTE_W), %eax
	movl	%eax, boot_pdpt_hi + 510 * 8

	/* PML4: identity, direct map, kernel */
	movl	$boot_pdpt_lo, %eax
	orl	$(PTE_P | PTE_W), %eax
	movl	%eax, boot_pml4
	movl	%eax, boot_pml4 + 256 * 8
	movl	$boot_pdpt_hi, %eax
	orl	$(PTE_P | PTE_W), %eax
	movl	%eax, boot_pml4 + 511 * 8

	movl	%cr4, %eax
	orl	$(CR4_PAE | CR4_PGE), %eax
	movl	%eax, %cr4
	movl	$boot_pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$(EFER_LME | EFER_NXE | EFER_SCE), %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_WP | CR0_PE), %eax
	movl	%eax, %cr0

	lgdt	boot_gdt_ptr
	ljmp	$0x08, $boot_long

	.code64
boot_long:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	xorw	%ax, %ax
	movw	%ax, %fs
	movw	%ax, %gs
	movabsq	$locore64, %rax
	jmp	*%rax

	.code32
/* Print the NUL-terminated string at %esi on COM1, then leave QEMU. */
boot_fail:
	movw	$0x3fd, %dx
1:	inb	%dx, %al
	testb	$0x20, %al
	jz	1b
	movb	(%esi), %al
	testb	%al, %al
	jz	2f
	movw	$0x3f8, %dx
	outb	%al, %dx
	incl	%esi
	jmp	boot_fail
2:	movw	$0xf4, %dx
	movb	$BOOT_EXIT_FAIL, %al
	outb	%al, %dx
3:	hlt
	jmp	3b

bad_magic:
	movl	$msg_bad_magic, %esi
	jmp	boot_fail
no_long_mode:
	movl	$msg_no_lm, %esi
	jmp	boot_fail

	.section .boot.data, "aw"
msg_bad_magic:
	.asciz "exeunt: not loaded by a multiboot2 loader (bad magic in %eax); boot through GRUB's multiboot2 command\r\n"
msg_no_lm:
	.asciz "exeunt: this CPU has no long mode (x86-64); cannot boot\r\n"

	.balign 8
	.globl boot_mbi_phys
boot_mbi_phys:
	.quad 0

	.balign 16
boot_gdt:
	.quad 0
	.quad 0x00209a0000000000	/* 0x08: 64-bit kernel code */
	.quad 0x0000920000000000	/* 0x10: kernel data */
boot_gdt_end:
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.balign 16
	.skip 4096
boot_stack32_top:

	.section .boot.pgtbl, "aw"
	.balign 4096
	.globl boot_pml4
boot_pml4:	.skip 4096
boot_pdpt_lo:	.skip 4096
boot_pdpt_hi:	.skip 4096
boot_pd:	.skip 4 * 4096
