/*
 * arch/x86_64/machdep.c: machine power-off and stopping the other CPUs.
 */
#include "lib.h"
#include "cpu.h"
#include "cpufunc.h"
#include "machdep.h"
#include "bootinfo.h"
#include "uvm_page.h"

#define ISA_DEBUG_EXIT_PORT	0xf4

/* Power the machine off through isa-debug-exit; spin if that fails. */
void
machine_halt(int code)
{
	intr_disable();
	kprintf("exeunt: halting (status %d)\n", code);
	outb(ISA_DEBUG_EXIT_PORT, (uint8_t)code);
	for (;;)		/* not under QEMU with isa-debug-exit */
		hlt();
}

/* Stop every other CPU; they never run again. Harmless on one CPU. */
void
cpu_stop_others(void)
{
	/* only the boot CPU is up until MP bring-up exists */
	KASSERT(ncpus == 1);
}

/*
 * Physical memory at boot. The multiboot2 memory map's available ranges,
 * minus the low 1 MiB (BIOS, the AP trampoline), the kernel image, the boot
 * modules and the multiboot2 information, go to uvm_page. The vm_page array
 * is carved from the first available range that holds it.
 */
struct phys_range {
	paddr_t start, end;
};

static paddr_t vm_page_array_start, vm_page_array_end;

/* Clip [start, end) against the reserved ranges and physload what is left. */
static void
memory_load_range(paddr_t start, paddr_t end, paddr_t lo, paddr_t hi)
{
	struct phys_range resv[BI_MAX_MODS + 4];
	int nresv = 0, i;

	resv[nresv++] = (struct phys_range){ 0, 0x100000 };
	resv[nresv++] = (struct phys_range){ (paddr_t)_kernel_phys_start,
	    round_page((paddr_t)_kernel_phys_end) };
	resv[nresv++] = (struct phys_range){ trunc_page(bootinfo.mbi_start),
	    round_page(bootinfo.mbi_end) };
	resv[nresv++] = (struct phys_range){ vm_page_array_start, vm_page_array_end };
	for (i = 0; i < bootinfo.nmods; i++)
		resv[nresv++] = (struct phys_range){ trunc_page(bootinfo.mods[i].start),
		    round_page(bootinfo.mods[i].end) };

	start = MAX(round_page(start), lo);
	end = MIN(trunc_page(end), hi);
	while (start < end) {
		paddr_t stop = end;

		/* skip a reserved range that covers start, or stop at the next one */
		for (i = 0; i < nresv; i++) {
			if (resv[i].start <= start && start < resv[i].end) {
				start = resv[i].end;
				stop = start;
				break;
			}
			if (resv[i].start > start && resv[i].start < stop)
				stop = resv[i].start;
		}
		if (stop > start && stop <= end)
			uvm_page_physload(start, stop);
		if (stop <= start)
			continue;
		start = stop;
	}
}

/* Highest end of an available range, page-aligned. */
static paddr_t
memory_top(void)
{
	paddr_t top = 0;
	int i;

	for (i = 0; i < bootinfo.nmem; i++)
		if (bootinfo.mem[i].type == BI_MEM_AVAILABLE)
			top = MAX(top, trunc_page(bootinfo.mem[i].start + bootinfo.mem[i].len));
	return MIN(top, DMAP_MAX_PHYS);
}

/* Build the page array and load physical memory in [lo, hi) into uvm_page.
 * The first call (lo == 0) also places the array; hi must be direct-mapped. */
void
memory_init(paddr_t lo, paddr_t hi)
{
	paddr_t top = memory_top();
	int i;

	if (lo == 0) {
		size_t size = round_page((top >> PAGE_SHIFT) * sizeof(struct vm_page));

		for (i = 0; i < bootinfo.nmem && vm_page_array_end == 0; i++) {
			struct bi_mem *m = &bootinfo.mem[i];
			paddr_t s = MAX(round_page(m->start),
			    round_page((paddr_t)_kernel_phys_end));

			s = MAX(s, round_page(bootinfo.mbi_end));
			if (m->type != BI_MEM_AVAILABLE || s + size > m->start + m->len ||
			    s + size > hi)
				continue;
			vm_page_array_start = s;
			vm_page_array_end = s + size;
		}
		if (vm_page_array_end == 0)
			panic("memory_init: no room for the page array (%lu bytes)", size);
		for (i = 0; i < bootinfo.nmods; i++)
			if (bootinfo.mods[i].end > vm_page_array_start &&
			    bootinfo.mods[i].start < vm_page_array_end)
				panic("memory_init: page array overlaps module %d", i);
		uvm_page_init(top, PHYS_TO_DMAP(vm_page_array_start));
	}
	for (i = 0; i < bootinfo.nmem; i++)
		if (bootinfo.mem[i].type == BI_MEM_AVAILABLE)
			memory_load_range(bootinfo.mem[i].start,
			    bootinfo.mem[i].start + bootinfo.mem[i].len, lo, MIN(hi, top));
}
