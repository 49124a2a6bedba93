/*
 * Per-CPU data. Each CPU's GS base points at its struct cpu_info, whose first
 * field points at itself, so curcpu() is one load from %gs:0. The boot CPU's
 * is cpu_info[0]; the others are filled in by MP bring-up.
 */
#ifndef _CPU_H_
#define _CPU_H_

#include "types.h"
#include "param.h"

/* 64-bit task-state segment */
struct tss {
	uint32_t tss_rsvd0;
	uint64_t tss_rsp0;
	uint64_t tss_rsp1;
	uint64_t tss_rsp2;
	uint64_t tss_rsvd1;
	uint64_t tss_ist[7];
	uint64_t tss_rsvd2;
	uint16_t tss_rsvd3;
	uint16_t tss_iobase;
} __packed;

/* Segment selectors (arch/x86_64/gdt.c); the order is what SYSRET needs. */
#define GSEL_KCODE	0x08
#define GSEL_KDATA	0x10
#define GSEL_UCODE32	0x18
#define GSEL_UDATA	0x20
#define GSEL_UCODE	0x28
#define GSEL_TSS	0x30
#define SEL_UPL		3
#define NGDT		8	/* the TSS descriptor takes two slots */

#define IST_DOUBLEFLT	1	/* stack for double faults and NMIs */
#define IST_NMI		2

struct proc;
struct runqueue;
struct pmap;

struct cpu_info {
	struct cpu_info	*ci_self;	/* %gs:0, must stay first */
	uint64_t	ci_uscratch;	/* %gs:8: the user %rsp while the
					 * SYSCALL entry switches stacks
					 * (arch/x86_64/syscall.S) [this CPU,
					 * interrupts off] */
	uint32_t	ci_cpuid;	/* index in cpu_info[] */
	uint32_t	ci_apicid;
	struct proc	*ci_curproc;	/* running thread */
	struct pmap	*ci_curpmap;	/* pmap in %cr3, NULL before the first [this CPU] */
	int		ci_ipl_depth;	/* nesting of spinlock_enter (cli) */
	bool		ci_ipl_was_on;	/* interrupts were on at depth 0 */
	bool		ci_online;
	uint64_t	ci_ticks;	/* hardclock ticks here [atomic, written by this CPU] */
	uint64_t	ci_gdt[NGDT];
	struct tss	ci_tss;
	char		*ci_ist_stack[2];
	/* scheduler (kern/kern_sched.c) */
	struct proc	*ci_idleproc;	/* this CPU's idle thread [const once set] */
	struct runqueue	*ci_runq;	/* this CPU's run queue [const once set] */
	volatile bool	ci_want_resched; /* preempt at the next safe point [this CPU] */
};

extern struct cpu_info cpu_info[MAXCPUS];
extern int ncpus;		/* CPUs that are online */

static inline struct cpu_info *curcpu(void)
{
	struct cpu_info *ci;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(ci));
	return ci;
}

#define cpu_number()	(curcpu()->ci_cpuid)

/* Load this CPU's GDT, TSS and segment registers; set the GS base to ci. */
void	gdt_init_cpu(struct cpu_info *ci);
/* Build the IDT once (boot CPU). */
void	idt_init(void);
/* Load the IDT on this CPU. */
void	idt_load(void);

#endif
