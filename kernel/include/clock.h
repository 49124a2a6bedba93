/*
 * Time (kern/kern_clock.c): the periodic tick and the TSC-based uptime.
 *
 * Every CPU's LAPIC timer interrupts HZ times a second and calls hardclock(),
 * which counts that CPU's ticks (ci_ticks); CPU 0 also advances the global
 * ticks. nanouptime() and delay_us() read the TSC, whose rate the boot CPU
 * measured once (arch/x86_64/lapic.c) before any other CPU started.
 */
#ifndef _CLOCK_H_
#define _CLOCK_H_

#include "types.h"

#define HZ	100

struct trapframe;

/* Ticks since the clock started, advanced by CPU 0 only. [atomic] */
extern volatile uint64_t ticks;

/* The timer interrupt, on every CPU; interrupts are off. */
void	hardclock(struct trapframe *tf);
/* Nanoseconds since the TSC was calibrated. */
uint64_t nanouptime(void);
/* Busy-wait at least us microseconds. */
void	delay_us(uint64_t us);

/* Record the measured TSC rate (boot CPU, once); uptime starts at zero here. */
void	clock_tsc_init(uint64_t tsc_hz);
/* The TSC rate in Hz, or 0 before clock_tsc_init. */
uint64_t clock_tsc_hz(void);

#endif
