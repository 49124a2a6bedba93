/*
 * arch/x86_64/db_trace.c: register dumps and frame-pointer backtraces for
 * panics and the debugger-less post-mortem. The kernel is built with
 * -fno-omit-frame-pointer, so every frame is [saved rbp][return address];
 * alltraps pushes a record that links a trap to the interrupted code.
 */
#include "lib.h"
#include "param.h"
#include "cpu.h"
#include "cpufunc.h"
#include "machdep.h"

#define DB_MAX_FRAMES	32

/* Print the caller's general registers and control registers. */
void
db_print_regs_here(void)
{
	uint64_t r[8];

	__asm__ volatile(
	    "movq %%rsp, 0(%0)\n\t"
	    "movq %%rbp, 8(%0)\n\t"
	    "movq %%rbx, 16(%0)\n\t"
	    "movq %%r12, 24(%0)\n\t"
	    "movq %%r13, 32(%0)\n\t"
	    "movq %%r14, 40(%0)\n\t"
	    "movq %%r15, 48(%0)\n\t"
	    "pushfq; popq 56(%0)"
	    :: "r"(r) : "memory");
	kprintf("cpu%u registers at panic:\n", cpu_number());
	kprintf("rsp %016lx  rbp %016lx  rbx %016lx  rflags %08lx\n",
	    r[0], r[1], r[2], r[7]);
	kprintf("r12 %016lx  r13 %016lx  r14 %016lx  r15 %016lx\n",
	    r[3], r[4], r[5], r[6]);
	kprintf("cr0 %016lx  cr2 %016lx  cr3 %016lx  cr4 %016lx\n",
	    rcr0(), rcr2(), rcr3(), rcr4());
}

static bool
db_frame_ok(uint64_t rbp)
{
	return rbp != 0 && (rbp & 7) == 0 && rbp >= DMAP_BASE &&
	    rbp < 0xFFFFFFFFFFFFF000UL;
}

/* Print a symbolized backtrace starting from frame pointer rbp. */
void
db_stack_trace(uint64_t rbp)
{
	int depth;

	for (depth = 0; depth < DB_MAX_FRAMES && db_frame_ok(rbp); depth++) {
		uint64_t *frame = (uint64_t *)rbp;
		uint64_t pc = frame[1], off;
		const char *fn;

		if (pc == 0)
			break;
		/* a return address may be the first byte of the next function
		 * when the call was the last instruction (a call to panic) */
		fn = ksyms_lookup(pc - 1, &off);
		if (fn != NULL)
			kprintf("  #%d %016lx %s+%#lx\n", depth, pc, fn, off + 1);
		else
			kprintf("  #%d %016lx ?\n", depth, pc);
		if (frame[0] <= rbp)	/* stacks grow down: callers are above */
			break;
		rbp = frame[0];
	}
}
