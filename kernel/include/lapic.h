/*
 * The local APIC (arch/x86_64/lapic.c), in xAPIC mode through its MMIO page in
 * the direct map, and the interrupt vectors the SMP code owns.
 */
#ifndef _LAPIC_H_
#define _LAPIC_H_

#include "types.h"

#define LAPIC_VEC_TIMER		0xf0	/* the periodic tick (hardclock) */
#define LAPIC_VEC_XCALL		0xf8	/* cross-call requests (ipi.c) */
#define LAPIC_VEC_SPURIOUS	0xff	/* = T_SPURIOUS: never acknowledged */

/* Boot CPU, once: find the LAPIC at physical address pa, mask the 8259 PICs,
 * claim the timer vector. */
void	lapic_init(paddr_t pa);
/* Every CPU: software-enable this CPU's LAPIC, mask LINT0, LINT1 = NMI. */
void	lapic_init_cpu(void);
/* This CPU's APIC ID. */
uint32_t lapic_id(void);
/* Acknowledge the interrupt being serviced. */
void	lapic_eoi(void);

/* Send an IPI to one APIC ID and wait until the LAPIC has accepted it. */
void	lapic_ipi_fixed(uint32_t apicid, int vec);
void	lapic_ipi_nmi(uint32_t apicid);
void	lapic_ipi_init(uint32_t apicid);
/* Start-up IPI: the target begins in real mode at physical page << 12. */
void	lapic_ipi_startup(uint32_t apicid, uint32_t page);

/* Boot CPU, once, interrupts off: measure the TSC and LAPIC timer rates
 * against the PIT and hand the TSC rate to the clock. */
void	lapic_calibrate(void);
/* Start this CPU's timer: periodic, HZ interrupts a second. */
void	lapic_timer_start(void);

#endif
