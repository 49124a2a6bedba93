/*
 * arch/x86_64/machdep.c: machine power-off and stopping the other CPUs.
 */
#include "lib.h"
#include "cpu.h"
#include "cpufunc.h"
#include "machdep.h"

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
