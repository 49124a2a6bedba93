/*
 * What the host unit tests get from the shim (shim.c): simulated physical
 * memory, fake CPUs, panics caught with longjmp, a seeded random generator.
 */
#ifndef _SHIM_H_
#define _SHIM_H_

#include <setjmp.h>
#include "types.h"

struct vm_page;

/* Simulated physical memory of npages pages at "physical" address 0, and a
 * vm_page array over it (uvm_page_init); no page is loaded yet. */
void	shim_mem_init(size_t npages);
/* Free what shim_mem_init allocated. */
void	shim_mem_fini(void);

/* Make fake CPU id the current one. */
void	shim_set_cpu(unsigned id);
/* Return true if no fake CPU holds a spinlock or is inside spinlock_enter. */
bool	shim_quiescent(void);

/* Panic catching: the text of the last panic, and the spinlock_enter depth of
 * the CPU that panicked (1 inside a cli section, more with a lock held). */
extern char	shim_panic_msg[512];
extern int	shim_panic_depth;
extern jmp_buf	*shim_panic_jmp;
/* After a caught panic: leave every fake CPU's cli section. */
void	shim_panic_recover(void);

/* Run stmt; return true if it panicked (an uncaught panic aborts the test).
 * A local variable that stmt assigns must be static or volatile: after a
 * longjmp a plain one is indeterminate. */
#define SHIM_PANICS(stmt) __extension__ ({				\
	jmp_buf _shim_jb;						\
	volatile bool _shim_panicked = true;				\
	shim_panic_jmp = &_shim_jb;					\
	if (setjmp(_shim_jb) == 0) {					\
		stmt;							\
		_shim_panicked = false;					\
	} else								\
		shim_panic_recover();					\
	shim_panic_jmp = NULL;						\
	_shim_panicked;							\
})

/* Seed the generator from argv[1], else $TEST_SEED, else 1; print the seed. */
void	shim_seed(int argc, char **argv);
/* A uniformly distributed number in [0, n). */
uint64_t shim_random(uint64_t n);

#endif
