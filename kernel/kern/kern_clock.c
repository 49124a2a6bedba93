/*
 * kern/kern_clock.c: the periodic tick and time from the TSC.
 *
 * Owns ticks (written by CPU 0's hardclock only, read anywhere with an atomic
 * load) and the TSC conversion, set once by clock_tsc_init on the boot CPU
 * before any other CPU runs and read-only afterwards; each CPU's ci_ticks is
 * written only by that CPU. No locks. hardclock also drives the scheduler's
 * time slices and SMR's quiescent states.
 */
#include "lib.h"
#include "cpu.h"
#include "cpufunc.h"
#include "clock.h"
#include "sched.h"
#include "smr.h"

volatile uint64_t ticks;

static uint64_t tsc_hz;		/* [const after clock_tsc_init] */
static uint64_t tsc_base;	/* TSC at clock_tsc_init [const] */
static uint64_t tsc_ns_mult;	/* nanoseconds per cycle, 32.32 fixed point [const] */

/* Record the measured TSC rate (boot CPU, once); uptime starts at zero here. */
void
clock_tsc_init(uint64_t hz)
{
	KASSERT(hz != 0 && tsc_hz == 0);
	tsc_ns_mult = (1000000000UL << 32) / hz;
	tsc_base = rdtsc();
	__atomic_store_n(&tsc_hz, hz, __ATOMIC_RELEASE);
}

/* The TSC rate in Hz, or 0 before clock_tsc_init. */
uint64_t
clock_tsc_hz(void)
{
	return __atomic_load_n(&tsc_hz, __ATOMIC_ACQUIRE);
}

/* The timer interrupt, on every CPU; interrupts are off. */
void
hardclock(struct trapframe *tf)
{
	struct cpu_info *ci = curcpu();

	__atomic_store_n(&ci->ci_ticks, ci->ci_ticks + 1, __ATOMIC_RELAXED);
	if (ci->ci_cpuid == 0)
		__atomic_store_n(&ticks, ticks + 1, __ATOMIC_RELAXED);
	sched_clock();			/* time slices, sleep timeouts */
	smr_quiescent();		/* a tick is outside any SMR read section */
}

/* Nanoseconds since the TSC was calibrated. */
uint64_t
nanouptime(void)
{
	uint64_t d;

	KASSERT(tsc_hz != 0);
	d = rdtsc() - tsc_base;
	if ((int64_t)d < 0)	/* another CPU's TSC may lag the boot CPU's */
		return 0;
	return (uint64_t)(((unsigned __int128)d * tsc_ns_mult) >> 32);
}

/* Busy-wait at least us microseconds (at most 1000 s). */
void
delay_us(uint64_t us)
{
	uint64_t start = rdtsc(), cycles;

	KASSERT(tsc_hz != 0 && us <= 1000UL * 1000000);
	cycles = (us * tsc_hz + 999999) / 1000000;	/* no overflow below 18 GHz */
	while (rdtsc() - start < cycles)
		cpu_pause();
}
