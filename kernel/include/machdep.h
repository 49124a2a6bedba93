/* Machine-dependent services used by machine-independent code. */
#ifndef _MACHDEP_H_
#define _MACHDEP_H_

#include "types.h"
#include "trap.h"

/* isa-debug-exit codes: QEMU exits with status (code << 1) | 1 */
#define EXIT_OK		0x00	/* QEMU status 1: clean power-off */
#define EXIT_PANIC	0x10	/* QEMU status 33: panic or fatal trap */

/* Power the machine off through isa-debug-exit; spin if that fails. */
void	machine_halt(int code) __noreturn;
/* Stop every other CPU (NMI); they never run again. Harmless on one CPU. */
void	cpu_stop_others(void);

/* The CPU has SMEP, SMAP (and they are on in every CPU's CR4). [const
 * after boot] */
extern bool cpu_smep, cpu_smap;
/* Boot CPU, once, before the APs start: turn on SMEP and SMAP where the
 * CPU has them (the APs copy the boot CPU's CR4); print which are on. */
void	cpu_isolation_init(void);

/* Load physical memory in [lo, hi) into uvm_page; the first call (lo == 0)
 * also places the vm_page array. hi must be inside the direct map. */
void	memory_init(uint64_t lo, uint64_t hi);
/* Highest end of available physical memory, page-aligned, at most DMAP_MAX_PHYS. */
uint64_t memory_top(void);

/* Print the caller's general registers and control registers. */
void	db_print_regs_here(void);
/* Print a symbolized backtrace starting from frame pointer rbp. */
void	db_stack_trace(uint64_t rbp);

/* Kernel symbols (kern/kern_ksyms.c). Return the name of the function
 * containing addr and its offset, or NULL. */
const char *ksyms_lookup(uint64_t addr, uint64_t *offp);
/* Return the address of the named symbol, or 0. */
uint64_t ksyms_addr(const char *name);

#endif
