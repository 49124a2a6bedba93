/*
 * arch/x86_64/gdt.c: per-CPU global descriptor tables and task-state segments.
 *
 * Every CPU owns a GDT (in its cpu_info) with the selectors of include/cpu.h
 * and a TSS whose rsp0 is the kernel stack of the thread running there and
 * whose IST slots give double faults and NMIs a known-good stack. Built once
 * per CPU at bring-up, never torn down.
 */
#include "lib.h"
#include "cpu.h"
#include "cpufunc.h"

struct cpu_info cpu_info[MAXCPUS];
int ncpus = 1;

#define IST_STACK_SIZE	(2 * PAGE_SIZE)
static char ist_stacks[MAXCPUS][2][IST_STACK_SIZE] __aligned(16);

#define SEG_CODE64(dpl)	(0x00209a0000000000ULL | ((uint64_t)(dpl) << 45))
#define SEG_DATA(dpl)	(0x0000920000000000ULL | ((uint64_t)(dpl) << 45))
#define SEG_CODE32(dpl)	(0x00cf9a000000ffffULL | ((uint64_t)(dpl) << 45))

static void
gdt_set_tss(uint64_t *gdt, struct tss *tss)
{
	uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;

	gdt[GSEL_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
	    (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
	    (((base >> 24) & 0xff) << 56);
	gdt[GSEL_TSS / 8 + 1] = base >> 32;
}

/* Load this CPU's GDT, TSS and segment registers; set the GS base to ci. */
void
gdt_init_cpu(struct cpu_info *ci)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed gdtr = { sizeof(ci->ci_gdt) - 1, (uint64_t)ci->ci_gdt };
	int i;

	ci->ci_self = ci;
	ci->ci_gdt[0] = 0;
	ci->ci_gdt[GSEL_KCODE / 8] = SEG_CODE64(0);
	ci->ci_gdt[GSEL_KDATA / 8] = SEG_DATA(0);
	ci->ci_gdt[GSEL_UCODE32 / 8] = SEG_CODE32(3);
	ci->ci_gdt[GSEL_UDATA / 8] = SEG_DATA(3);
	ci->ci_gdt[GSEL_UCODE / 8] = SEG_CODE64(3);
	for (i = 0; i < 2; i++) {
		ci->ci_ist_stack[i] = ist_stacks[ci->ci_cpuid][i];
		ci->ci_tss.tss_ist[i] = (uint64_t)ist_stacks[ci->ci_cpuid][i] + IST_STACK_SIZE;
	}
	ci->ci_tss.tss_iobase = sizeof(ci->ci_tss);
	gdt_set_tss(ci->ci_gdt, &ci->ci_tss);

	__asm__ volatile(
	    "lgdt %0\n\t"
	    "movw %w1, %%ds\n\t"
	    "movw %w1, %%es\n\t"
	    "movw %w1, %%ss\n\t"
	    "pushq %2\n\t"
	    "leaq 1f(%%rip), %%rax\n\t"
	    "pushq %%rax\n\t"
	    "lretq\n"
	    "1:\n\t"
	    "ltr %w3"
	    :: "m"(gdtr), "r"(GSEL_KDATA), "i"(GSEL_KCODE), "r"(GSEL_TSS)
	    : "rax", "memory");
	/* fs and gs selectors are null; their bases come from the MSRs */
	__asm__ volatile("movw %w0, %%fs; movw %w0, %%gs" :: "r"(0));
	wrmsr(MSR_GSBASE, (uint64_t)ci);
	wrmsr(MSR_KGSBASE, 0);
}
