/*
 * arch/x86_64/machdep.c: machine power-off, stopping the other CPUs, the
 * user/kernel isolation bits of the boot CPU, and physical memory at boot.
 */
#include "lib.h"
#include "cpu.h"
#include "cpufunc.h"
#include "machdep.h"
#include "bootinfo.h"
#include "uvm_page.h"
#include "clock.h"
#include "lapic.h"
#include "smp.h"
#include "boot.h"

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

/*
 * Stopping the other CPUs (panic): the stopping CPU raises cpu_stop_requested
 * and sends every other online CPU an NMI, which reaches it even with
 * interrupts off; its NMI handler (trap.c) calls cpu_stop_nmi, which counts
 * it in cpus_stopped and halts forever. The stopping CPU waits (a bounded
 * time) for the count so that nobody else writes to the console during the
 * panic report. Both are set once and never cleared.
 */
static volatile bool cpu_stop_requested;	/* [atomic] */
static volatile int cpus_stopped;		/* [atomic] */

#define CPU_STOP_WAIT_NS	(1000 * 1000000UL)

/* Stop every other CPU; they never run again. Harmless on one CPU. */
void
cpu_stop_others(void)
{
	int n = __atomic_load_n(&ncpus, __ATOMIC_ACQUIRE), me = cpu_number(), i;
	uint64_t deadline;

	if (n == 1)
		return;
	__atomic_store_n(&cpu_stop_requested, true, __ATOMIC_SEQ_CST);
	for (i = 0; i < n; i++)
		if (i != me)
			lapic_ipi_nmi(cpu_info[i].ci_apicid);
	deadline = nanouptime() + CPU_STOP_WAIT_NS;
	while (__atomic_load_n(&cpus_stopped, __ATOMIC_ACQUIRE) < n - 1 &&
	    nanouptime() < deadline)
		cpu_pause();
}

/* NMI handler hook: if cpu_stop_others asked, halt this CPU forever with
 * interrupts off; otherwise return. */
void
cpu_stop_nmi(void)
{
	if (!__atomic_load_n(&cpu_stop_requested, __ATOMIC_ACQUIRE))
		return;
	__atomic_add_fetch(&cpus_stopped, 1, __ATOMIC_RELEASE);
	for (;;) {
		intr_disable();
		hlt();
	}
}

/*
 * User/kernel isolation. NX (EFER.NXE) is on from the first instruction in
 * long mode (boot/multiboot.S, boot/mptramp.S); SMEP and SMAP are turned on
 * here in the boot CPU's CR4 when CPUID says the CPU has them, before the
 * APs start: each AP loads the boot CPU's CR4 (mp.c). With SMAP on, the
 * kernel touches user memory only inside copyio.S's movers, between stac
 * and clac; the kernel entry (vectors.S) clears AC and SYSCALL masks it
 * (SFMASK). cpu_smep and cpu_smap are written once, here, before any user
 * process, and read by the entry code and trap.c. [const after boot]
 */
bool cpu_smep, cpu_smap;

#define CPUID_7_EBX_SMEP	(1U << 7)
#define CPUID_7_EBX_SMAP	(1U << 20)

/* Boot CPU, once, before the APs start: detect SMEP and SMAP, turn on
 * those the CPU has, and say which are on. */
void
cpu_isolation_init(void)
{
	uint32_t r[4];

	KASSERT(cpu_number() == 0 && ncpus == 1);
	cpuid(0, 0, r);
	if (r[0] >= 7) {
		cpuid(7, 0, r);
		cpu_smep = (r[1] & CPUID_7_EBX_SMEP) != 0;
		cpu_smap = (r[1] & CPUID_7_EBX_SMAP) != 0;
	}
	if (!(rdmsr(MSR_EFER) & EFER_NXE))
		panic("cpu_isolation_init: EFER.NXE is off");
	lcr4(rcr4() | (cpu_smep ? CR4_SMEP : 0) | (cpu_smap ? CR4_SMAP : 0));
	kprintf("isolation: NX on, SMEP %s, SMAP %s\n",
	    cpu_smep ? "on" : "off (the CPU lacks it)",
	    cpu_smap ? "on" : "off (the CPU lacks it)");
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

/* Highest end of an available range, page-aligned, at most DMAP_MAX_PHYS. */
paddr_t
memory_top(void)
{
	paddr_t top = 0;
	int i;

	for (i = 0; i < bootinfo.nmem; i++)
		if (bootinfo.mem[i].type == BI_MEM_AVAILABLE)
			top = MAX(top, trunc_page(bootinfo.mem[i].start + bootinfo.mem[i].len));
	return MIN(top, DMAP_MAX_PHYS);
}

/* Return the first address >= s where [s, s + size) overlaps no boot module. */
static paddr_t
memory_skip_modules(paddr_t s, size_t size)
{
	int i;

	for (i = 0; i < bootinfo.nmods; i++) {
		if (bootinfo.mods[i].start < s + size && s < bootinfo.mods[i].end) {
			s = round_page(bootinfo.mods[i].end);
			i = -1;		/* moved: check every module again */
		}
	}
	return s;
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

			s = memory_skip_modules(MAX(s, round_page(bootinfo.mbi_end)), size);
			if (m->type != BI_MEM_AVAILABLE || s + size > m->start + m->len ||
			    s + size > hi)
				continue;
			vm_page_array_start = s;
			vm_page_array_end = s + size;
		}
		if (vm_page_array_end == 0)
			panic("memory_init: no room for the page array (%lu bytes)", size);
		uvm_page_init(top, PHYS_TO_DMAP(vm_page_array_start));
	}
	for (i = 0; i < bootinfo.nmem; i++)
		if (bootinfo.mem[i].type == BI_MEM_AVAILABLE)
			memory_load_range(bootinfo.mem[i].start,
			    bootinfo.mem[i].start + bootinfo.mem[i].len, lo, MIN(hi, top));
}
