/*
 * Multiprocessor support: AP start-up (arch/x86_64/mp.c), cross-calls
 * (arch/x86_64/ipi.c), stopping the other CPUs (arch/x86_64/machdep.c).
 *
 * Online CPUs are numbered densely: cpu_info[0 .. ncpus-1], CPU 0 is the boot
 * CPU. ncpus only grows, during mp_start_aps on the boot CPU.
 *
 * The part above __ASSEMBLY__ is shared with the AP trampoline (boot/mptramp.S).
 */
#ifndef _SMP_H_
#define _SMP_H_

/* The AP trampoline's low-memory pages: code and arguments, then a temporary
 * PML4, PDPT and PD that identity-map the low 2 MiB. */
#define MPTRAMP_PA		0x8000
#define MPTRAMP_PML4_OFF	0x1000
#define MPTRAMP_PDPT_OFF	0x2000
#define MPTRAMP_PD_OFF		0x3000
#define MPTRAMP_SIZE		0x4000

/* struct mptramp_args, at mptramp_args in the copied trampoline */
#define MPTA_STACK		0
#define MPTA_ENTRY		8
#define MPTA_CPU		16

#ifndef __ASSEMBLY__

#include "types.h"
#include "cpu.h"

struct cpu_info;

/* Filled in by the boot CPU before each start-up IPI. */
struct mptramp_args {
	uint64_t	mpta_stack;	/* top of the AP's kernel stack */
	uint64_t	mpta_entry;	/* mp_cpu_hatch */
	struct cpu_info	*mpta_cpu;	/* its cpu_info */
};

/* Boot CPU, once, after acpi_init and lapic_calibrate: start every enabled
 * processor of the MADT and wait for each; print the "cpus:" line. */
void	mp_start_aps(void);
/* What a CPU does once it is up and has nothing else to do: the scheduler's
 * idle loop (interrupts on, halting between them). Never returns. */
void	cpu_idle_loop(void) __noreturn;

/* Bit i set for every online CPU i. */
static inline uint64_t
cpus_online_mask(void)
{
	int n = __atomic_load_n(&ncpus, __ATOMIC_ACQUIRE);

	return n >= 64 ? ~0UL : (1UL << n) - 1;
}

/* Boot CPU, once: claim the cross-call vector. */
void	xcall_init(void);
/*
 * Run fn(arg) on every online CPU in cpumask (this CPU runs it directly) and
 * return when all have finished. fn runs with interrupts off and may itself
 * cross-call. Caller holds no spinlock (it may have interrupts off): while it
 * waits it runs the requests other CPUs send it, so two CPUs cross-calling
 * each other cannot deadlock.
 */
void	smp_xcall(uint64_t cpumask, void (*fn)(void *), void *arg);

/* NMI handler hook: if cpu_stop_others asked, halt this CPU forever with
 * interrupts off; otherwise return. */
void	cpu_stop_nmi(void);

#endif /* !__ASSEMBLY__ */
#endif
