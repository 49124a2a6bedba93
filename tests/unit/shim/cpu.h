/*
 * Host shim of cpu.h: MAXCPUS fake CPUs; curcpu() is whichever one the test
 * chose with shim_set_cpu, so per-CPU data of several CPUs can be exercised
 * from one thread.
 */
#ifndef _CPU_H_
#define _CPU_H_

#include "types.h"
#include "param.h"

struct cpu_info {
	struct cpu_info	*ci_self;
	uint32_t	ci_cpuid;
	int		ci_ipl_depth;	/* nesting of spinlock_enter */
};

extern struct cpu_info cpu_info[MAXCPUS];

struct cpu_info *curcpu(void);
#define cpu_number()	(curcpu()->ci_cpuid)

#endif
