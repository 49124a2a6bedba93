/* Constants shared by the boot assembly (32-bit entry, AP trampoline). */
#ifndef BOOT_BOOT_H
#define BOOT_BOOT_H

#define MB2_BOOTLOADER_MAGIC	0x36d76289

#define PTE_P		0x001
#define PTE_W		0x002
#define PTE_PS		0x080

#define CR0_PE		0x00000001
#define CR0_WP		0x00010000
#define CR0_PG		0x80000000
#define CR4_PAE		0x00000020
#define CR4_PGE		0x00000080

#define MSR_EFER	0xc0000080
#define EFER_SCE	0x00000001
#define EFER_LME	0x00000100
#define EFER_NXE	0x00000800

/* isa-debug-exit value for a boot that cannot continue: QEMU exits (v<<1)|1 */
#define BOOT_EXIT_FAIL	0x10

#endif
