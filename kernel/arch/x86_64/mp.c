/*
 * arch/x86_64/mp.c: starting the application processors (APs).
 *
 * The boot CPU, in mp_start_aps, copies the trampoline (boot/mptramp.S) to
 * MPTRAMP_PA below 1 MiB (uvm_page never hands out the low 1 MiB), builds a
 * temporary PML4 there, and starts the enabled processors of the MADT one at
 * a time with INIT, SIPI, SIPI (Intel SDM vol. 3A, 9.4.4: 10 ms after INIT,
 * 200 us after each SIPI), then waits for the AP to mark itself online. An AP
 * that does not come up in time is reported and put back into wait-for-SIPI
 * with another INIT, and its cpu_info slot goes to the next one, so online
 * CPUs are always cpu_info[0 .. ncpus-1]. Only the boot CPU writes ncpus and
 * the trampoline, and only here: APs start strictly one after another.
 * An AP runs mp_cpu_hatch on its own kernel stack (uvm_km, kept forever):
 * the boot CPU's CR4 (with SMEP and SMAP where the CPU has them, set by
 * cpu_isolation_init before the APs start) and kernel page tables, its
 * GDT/TSS/GS base, the IDT, its LAPIC and timer, then cpu_idle_loop.
 */
#include "lib.h"
#include "param.h"
#include "cpu.h"
#include "cpufunc.h"
#include "bootinfo.h"
#include "boot.h"
#include "acpi.h"
#include "lapic.h"
#include "clock.h"
#include "smp.h"
#include "uvm_km.h"
#include "sched.h"

CTASSERT(offsetof(struct mptramp_args, mpta_stack) == MPTA_STACK);
CTASSERT(offsetof(struct mptramp_args, mpta_entry) == MPTA_ENTRY);
CTASSERT(offsetof(struct mptramp_args, mpta_cpu) == MPTA_CPU);
CTASSERT(MPTRAMP_PA % PAGE_SIZE == 0 && MPTRAMP_PA + MPTRAMP_SIZE <= 0x100000);

#define MP_INIT_DELAY_US	10000
#define MP_SIPI_DELAY_US	200
#define MP_START_TIMEOUT_NS	(5 * 1000000000UL)	/* generous: vCPUs under TCG */

extern char mptramp_start[], mptramp_end[], mptramp_args[];

/* The boot CPU's paging and isolation setup, for the APs. [const while
 * APs start] */
static uint64_t mp_cr3, mp_cr4;

/* What a CPU does when it has nothing to do: become its idle thread and
 * run the scheduler's idle loop (kern/kern_sched.c). */
void
cpu_idle_loop(void)
{
	sched_init_cpu(curcpu());
	sched_idle();
}

/* An AP's first C code, on its own stack, still on the temporary PML4. */
static void __noreturn
mp_cpu_hatch(struct cpu_info *ci)
{
	lcr4(mp_cr4);
	lcr3(mp_cr3);
	gdt_init_cpu(ci);
	idt_load();
	lapic_init_cpu();
	if (lapic_id() != ci->ci_apicid)
		panic("mp_cpu_hatch: cpu%u started as APIC ID %u, expected %u",
		    ci->ci_cpuid, lapic_id(), ci->ci_apicid);
	lapic_timer_start();
	__atomic_store_n(&ci->ci_online, true, __ATOMIC_RELEASE);
	cpu_idle_loop();
}

/* Return true if [pa, pa + len) is available RAM holding nothing of the loader's. */
static bool
mp_lowmem_free(paddr_t pa, size_t len)
{
	bool avail = false;
	int i;

	for (i = 0; i < bootinfo.nmem; i++) {
		const struct bi_mem *m = &bootinfo.mem[i];

		if (m->type == BI_MEM_AVAILABLE && m->start <= pa &&
		    pa + len <= m->start + m->len)
			avail = true;
	}
	if (bootinfo.mbi_start < pa + len && pa < bootinfo.mbi_end)
		return false;
	for (i = 0; i < bootinfo.nmods; i++)
		if (bootinfo.mods[i].start < pa + len && pa < bootinfo.mods[i].end)
			return false;
	return avail;
}

/* Copy the trampoline below 1 MiB and build its temporary PML4: identity map
 * of the low 2 MiB, upper half shared with the kernel. Return 0, or -1. */
static int
mptramp_setup(void)
{
	size_t len = mptramp_end - mptramp_start;
	uint64_t *pml4 = PHYS_TO_DMAP(MPTRAMP_PA + MPTRAMP_PML4_OFF);
	uint64_t *pdpt = PHYS_TO_DMAP(MPTRAMP_PA + MPTRAMP_PDPT_OFF);
	uint64_t *pd = PHYS_TO_DMAP(MPTRAMP_PA + MPTRAMP_PD_OFF);
	const uint64_t *kpml4;
	int i;

	KASSERT(len <= MPTRAMP_PML4_OFF);
	if (!mp_lowmem_free(MPTRAMP_PA, MPTRAMP_SIZE)) {
		kprintf("mp: low memory %#x-%#x for the AP trampoline is not free RAM\n",
		    MPTRAMP_PA, MPTRAMP_PA + MPTRAMP_SIZE);
		return -1;
	}
	mp_cr3 = rcr3();
	mp_cr4 = rcr4();
	kpml4 = PHYS_TO_DMAP(mp_cr3 & ~PAGE_MASK);
	memcpy(PHYS_TO_DMAP(MPTRAMP_PA), mptramp_start, len);
	memset(pml4, 0, PAGE_SIZE);
	memset(pdpt, 0, PAGE_SIZE);
	memset(pd, 0, PAGE_SIZE);
	pd[0] = 0 | PTE_P | PTE_W | PTE_PS;
	pdpt[0] = (MPTRAMP_PA + MPTRAMP_PD_OFF) | PTE_P | PTE_W;
	pml4[0] = (MPTRAMP_PA + MPTRAMP_PDPT_OFF) | PTE_P | PTE_W;
	for (i = 256; i < 512; i++)
		pml4[i] = kpml4[i];
	return 0;
}

/* Start the AP with APIC ID apicid as cpu_info[ncpus]; return true once it
 * is online, false (and park it) if it does not come up in time. */
static bool
mp_start_cpu(uint32_t apicid)
{
	struct mptramp_args *args = PHYS_TO_DMAP(MPTRAMP_PA +
	    (mptramp_args - mptramp_start));
	int idx = ncpus;
	struct cpu_info *ci = &cpu_info[idx];
	uint64_t deadline;
	vaddr_t stack;

	KASSERT(idx < MAXCPUS);
	if ((stack = uvm_km_kstack_alloc()) == 0) {
		kprintf("mp: no memory for a kernel stack; APIC ID %u not started\n",
		    apicid);
		return false;
	}
	memset(ci, 0, sizeof(*ci));
	ci->ci_cpuid = idx;
	ci->ci_apicid = apicid;
	args->mpta_stack = stack + KSTACK_SIZE;
	args->mpta_entry = (uint64_t)mp_cpu_hatch;
	args->mpta_cpu = ci;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	lapic_ipi_init(apicid);
	delay_us(MP_INIT_DELAY_US);
	lapic_ipi_startup(apicid, MPTRAMP_PA >> PAGE_SHIFT);
	delay_us(MP_SIPI_DELAY_US);
	lapic_ipi_startup(apicid, MPTRAMP_PA >> PAGE_SHIFT);
	delay_us(MP_SIPI_DELAY_US);

	deadline = nanouptime() + MP_START_TIMEOUT_NS;
	while (!__atomic_load_n(&ci->ci_online, __ATOMIC_ACQUIRE)) {
		if (nanouptime() > deadline) {
			kprintf("mp: CPU with APIC ID %u did not start within %lu ms; "
			    "parked\n", apicid, MP_START_TIMEOUT_NS / 1000000);
			lapic_ipi_init(apicid);
			uvm_km_kstack_free(stack);
			return false;
		}
		cpu_pause();
	}
	__atomic_store_n(&ncpus, idx + 1, __ATOMIC_RELEASE);
	return true;
}

/* Print the one-line summary of the CPUs that are online. */
static void
mp_print_cpus(void)
{
	char line[16 + 4 * MAXCPUS];
	size_t n = 0;
	int i;

	for (i = 0; i < ncpus; i++)
		n += snprintf(line + n, sizeof(line) - n, " %u", cpu_info[i].ci_apicid);
	kprintf("cpus: %d online (apic ids%s)\n", ncpus, line);
}

/* Boot CPU, once, after acpi_init and lapic_calibrate: start every enabled
 * processor of the MADT and wait for each; print the "cpus:" line. */
void
mp_start_aps(void)
{
	uint32_t self = lapic_id();
	int i;

	KASSERT(ncpus == 1 && cpu_number() == 0);
	cpu_info[0].ci_apicid = self;
	if (acpi_madt_found && acpi_madt.mi_ncpus > 1 && mptramp_setup() == 0) {
		for (i = 0; i < acpi_madt.mi_ncpus && ncpus < MAXCPUS; i++)
			if (acpi_madt.mi_cpus[i].apicid != self)
				mp_start_cpu(acpi_madt.mi_cpus[i].apicid);
	}
	mp_print_cpus();
}
