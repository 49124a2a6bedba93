/*
 * What the boot loader told us (arch/x86_64/multiboot.c), copied out of the
 * multiboot2 information structure so that its memory can be reused.
 */
#ifndef _BOOTINFO_H_
#define _BOOTINFO_H_

#include "types.h"

#define BI_MAX_MEM	64
#define BI_MAX_MODS	8
#define BI_CMDLINE_MAX	1024

enum bi_memtype {
	BI_MEM_AVAILABLE = 1,
	BI_MEM_RESERVED = 2,
	BI_MEM_ACPI_RECLAIM = 3,
	BI_MEM_ACPI_NVS = 4,
	BI_MEM_BAD = 5,
};

struct bi_mem {
	paddr_t		start;
	uint64_t	len;
	uint32_t	type;	/* enum bi_memtype */
};

struct bi_module {
	paddr_t		start;
	paddr_t		end;	/* exclusive */
	char		name[32];
};

struct bootinfo {
	struct bi_mem	mem[BI_MAX_MEM];
	int		nmem;
	struct bi_module mods[BI_MAX_MODS];
	int		nmods;
	char		cmdline[BI_CMDLINE_MAX];
	paddr_t		rsdp;		/* physical address of the ACPI RSDP copy, or 0 */
	paddr_t		mbi_start, mbi_end;	/* the multiboot2 structure itself */
};

extern struct bootinfo bootinfo;

/* Parse the multiboot2 information at physical address mbi into bootinfo. */
void	multiboot_parse(paddr_t mbi);

/* Kernel image bounds (linker.ld) */
extern char _kernel_phys_start[], _kernel_phys_end[];

#endif
