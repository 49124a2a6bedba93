/*
 * arch/x86_64/lapic.c: the local APIC of every CPU, the legacy PICs, and the
 * calibration of the LAPIC timer and TSC against the PIT.
 *
 * xAPIC mode, through the LAPIC's MMIO page in the direct map: QEMU 7.2 under
 * TCG (DESIGN.md's machine) offers no x2APIC, and 8-bit APIC IDs are plenty
 * for MAXCPUS. Every CPU's LAPIC answers at the same physical address, so one
 * mapping serves all. lapic_init and lapic_calibrate run once on the boot CPU
 * before any other CPU starts; the values they set (lapic_regs,
 * lapic_timer_count) are read-only afterwards. lapic_init_cpu and
 * lapic_timer_start run on each CPU for itself. Sending an IPI is two
 * register writes, so it runs with interrupts off (spinlock_enter); no lock
 * is shared between CPUs.
 */
#include "lib.h"
#include "param.h"
#include "cpu.h"
#include "cpufunc.h"
#include "lock.h"
#include "trap.h"
#include "clock.h"
#include "lapic.h"

/* Register offsets */
#define LAPIC_ID	0x020
#define LAPIC_TPR	0x080
#define LAPIC_EOI	0x0b0
#define LAPIC_SVR	0x0f0
#define LAPIC_ESR	0x280
#define LAPIC_ICRLO	0x300
#define LAPIC_ICRHI	0x310
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_LVT_LINT0	0x350
#define LAPIC_LVT_LINT1	0x360
#define LAPIC_LVT_ERR	0x370
#define LAPIC_TMR_ICR	0x380	/* timer initial count */
#define LAPIC_TMR_CCR	0x390	/* timer current count */
#define LAPIC_TMR_DCR	0x3e0	/* timer divide configuration */

#define SVR_ENABLE	0x100
#define LVT_MASKED	0x10000
#define LVT_PERIODIC	0x20000
#define DCR_DIV16	0x3

#define ICR_DM_FIXED	0x000
#define ICR_DM_NMI	0x400
#define ICR_DM_INIT	0x500
#define ICR_DM_STARTUP	0x600
#define ICR_DELIVS	0x1000	/* send pending */
#define ICR_ASSERT	0x4000
#define ICR_SPINS	1000000	/* polls of the send-pending bit before giving up */

#define MSR_APICBASE	0x1b
#define APICBASE_EN	0x800
#define APICBASE_X2APIC	0x400
#define APICBASE_ADDR	0xffffff000UL

/* 8259 PICs and the PIT (channel 2 is gated by port 0x61, no IRQ needed) */
#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1
#define PIT_CH2		0x42
#define PIT_MODE	0x43
#define PIT_PORTB	0x61	/* bit 0 gate 2, bit 1 speaker, bit 5 OUT2 */
#define PIT_HZ		1193182
#define CAL_ROUNDS	3
#define CAL_PIT_COUNT	(PIT_HZ / 100)	/* 10 ms a round */
#define CAL_SPINS	100000000UL	/* polls of OUT2 before declaring no PIT */

CTASSERT(LAPIC_VEC_SPURIOUS == T_SPURIOUS);	/* trap() ignores it, no EOI */

static volatile uint32_t *lapic_regs;	/* [const after lapic_init] */
static uint32_t lapic_timer_count;	/* per tick [const after lapic_calibrate] */

static inline uint32_t
lapic_read(uint32_t reg)
{
	return lapic_regs[reg / 4];
}

static inline void
lapic_write(uint32_t reg, uint32_t v)
{
	lapic_regs[reg / 4] = v;
}

/* The timer interrupt on every CPU. */
static void
lapic_timer_intr(struct trapframe *tf)
{
	lapic_eoi();
	hardclock(tf);
}

/* Remap the 8259 PICs off the exception vectors, then mask every line. */
static void
pic_disable(void)
{
	outb(PIC1_CMD, 0x11);		/* ICW1: init, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, T_IRQ0);	/* ICW2: vector bases */
	outb(PIC2_DATA, T_IRQ0 + 8);
	outb(PIC1_DATA, 0x04);		/* ICW3: slave on IRQ 2 */
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01);		/* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

/* Boot CPU, once: find the LAPIC at physical address pa, mask the 8259 PICs,
 * claim the timer vector. */
void
lapic_init(paddr_t pa)
{
	uint64_t base = rdmsr(MSR_APICBASE);
	paddr_t msrpa = base & APICBASE_ADDR;

	KASSERT(lapic_regs == NULL);
	if (base & APICBASE_X2APIC)
		panic("lapic_init: firmware left the LAPIC in x2APIC mode");
	if (pa != 0 && pa != msrpa)
		kprintf("lapic: MADT says %#lx, IA32_APIC_BASE says %#lx; using the MSR\n",
		    pa, msrpa);
	pa = msrpa;
	if (pa >= (4UL << 30))
		panic("lapic_init: LAPIC at %#lx is outside the direct map's 4 GiB", pa);
	lapic_regs = PHYS_TO_DMAP(pa);
	pic_disable();
	intr_establish(LAPIC_VEC_TIMER, lapic_timer_intr);
}

/* Every CPU: software-enable this CPU's LAPIC, mask LINT0 (the PICs' ExtINT
 * path), route LINT1 as NMI, no error interrupts, timer off. */
void
lapic_init_cpu(void)
{
	KASSERT(lapic_regs != NULL);
	wrmsr(MSR_APICBASE, rdmsr(MSR_APICBASE) | APICBASE_EN);
	lapic_write(LAPIC_SVR, SVR_ENABLE | LAPIC_VEC_SPURIOUS);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, ICR_DM_NMI);
	lapic_write(LAPIC_LVT_ERR, LVT_MASKED);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_ESR, 0);	/* back-to-back writes clear the ESR */
	lapic_write(LAPIC_ESR, 0);
	lapic_eoi();
}

/* This CPU's APIC ID. */
uint32_t
lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

/* Acknowledge the interrupt being serviced. */
void
lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/* Wait until the LAPIC has sent the last IPI; panic if it never does. */
static void
lapic_icr_wait(const char *what)
{
	int i;

	for (i = 0; lapic_read(LAPIC_ICRLO) & ICR_DELIVS; i++) {
		if (i == ICR_SPINS)
			panic("lapic_icr_wait: %s IPI still pending after %d polls",
			    what, ICR_SPINS);
		cpu_pause();
	}
}

/* Send one IPI with ICR low word lo to apicid and wait until it is accepted. */
static void
lapic_ipi(uint32_t apicid, uint32_t lo, const char *what)
{
	KASSERT(apicid <= 0xff);
	spinlock_enter();
	lapic_icr_wait(what);
	lapic_write(LAPIC_ICRHI, apicid << 24);
	lapic_write(LAPIC_ICRLO, lo);
	lapic_icr_wait(what);
	spinlock_exit();
}

/* Interrupt apicid at vector vec. */
void
lapic_ipi_fixed(uint32_t apicid, int vec)
{
	KASSERT(vec >= T_IRQ0 && vec < 256);
	lapic_ipi(apicid, ICR_DM_FIXED | ICR_ASSERT | vec, "fixed");
}

/* Send apicid a non-maskable interrupt. */
void
lapic_ipi_nmi(uint32_t apicid)
{
	lapic_ipi(apicid, ICR_DM_NMI | ICR_ASSERT, "NMI");
}

/* Reset apicid into its wait-for-SIPI state. */
void
lapic_ipi_init(uint32_t apicid)
{
	lapic_ipi(apicid, ICR_DM_INIT | ICR_ASSERT, "INIT");
}

/* Start-up IPI: the target begins in real mode at physical page << 12. */
void
lapic_ipi_startup(uint32_t apicid, uint32_t page)
{
	KASSERT(page < 0x100);
	lapic_ipi(apicid, ICR_DM_STARTUP | ICR_ASSERT | page, "STARTUP");
}

/* One calibration round: count TSC cycles and LAPIC timer decrements while
 * PIT channel 2 counts CAL_PIT_COUNT input clocks. */
static void
lapic_calibrate_round(uint64_t *tsc, uint32_t *lapic)
{
	uint8_t portb = inb(PIT_PORTB);
	uint64_t t0, spins = 0;
	uint32_t c0;

	outb(PIT_PORTB, (portb & ~0x02) | 0x01);	/* gate on, speaker off */
	outb(PIT_MODE, 0xb0);		/* channel 2, lobyte/hibyte, mode 0 */
	outb(PIT_CH2, CAL_PIT_COUNT & 0xff);
	outb(PIT_CH2, CAL_PIT_COUNT >> 8);	/* counting starts now */
	t0 = rdtsc();
	c0 = lapic_read(LAPIC_TMR_CCR);
	while ((inb(PIT_PORTB) & 0x20) == 0)
		if (++spins == CAL_SPINS)
			panic("lapic_calibrate: PIT channel 2 never reached zero");
	*tsc = rdtsc() - t0;
	*lapic = c0 - lapic_read(LAPIC_TMR_CCR);
	outb(PIT_PORTB, portb);
}

/* Boot CPU, once, interrupts off: measure the TSC and LAPIC timer rates
 * against the PIT (the shortest of a few rounds: a preempted vCPU only ever
 * lengthens one) and hand the TSC rate to the clock. */
void
lapic_calibrate(void)
{
	uint64_t tsc, best_tsc = ~0UL, tsc_hz, lapic_hz;
	uint32_t lapic, best_lapic = 0;
	int i;

	KASSERT(lapic_regs != NULL && (read_rflags() & PSL_I) == 0);
	lapic_write(LAPIC_TMR_DCR, DCR_DIV16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LAPIC_VEC_TIMER);
	for (i = 0; i < CAL_ROUNDS; i++) {
		lapic_write(LAPIC_TMR_ICR, 0xffffffff);	/* one-shot, from the top */
		lapic_calibrate_round(&tsc, &lapic);
		if (tsc < best_tsc) {
			best_tsc = tsc;
			best_lapic = lapic;
		}
	}
	lapic_write(LAPIC_TMR_ICR, 0);
	tsc_hz = best_tsc * PIT_HZ / CAL_PIT_COUNT;
	lapic_hz = (uint64_t)best_lapic * PIT_HZ / CAL_PIT_COUNT;
	if (tsc_hz == 0 || lapic_hz < HZ)
		panic("lapic_calibrate: implausible rates (TSC %lu Hz, LAPIC timer "
		    "%lu Hz)", tsc_hz, lapic_hz);
	lapic_timer_count = lapic_hz / HZ;
	clock_tsc_init(tsc_hz);
	kprintf("clock: TSC %lu MHz, LAPIC timer %lu kHz, HZ %d\n",
	    tsc_hz / 1000000, lapic_hz / 1000, HZ);
}

/* Start this CPU's timer: periodic, HZ interrupts a second. */
void
lapic_timer_start(void)
{
	KASSERT(lapic_timer_count != 0);
	lapic_write(LAPIC_TMR_DCR, DCR_DIV16);
	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | LAPIC_VEC_TIMER);
	lapic_write(LAPIC_TMR_ICR, lapic_timer_count);
}
