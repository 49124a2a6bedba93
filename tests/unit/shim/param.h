/*
 * Host shim of param.h: the kernel's, except that the direct map starts at
 * the simulated physical memory (shim_dmap_base, set by shim_mem_init), so
 * PHYS_TO_DMAP and DMAP_TO_PHYS work unchanged.
 */
#ifndef _SHIM_PARAM_H_
#define _SHIM_PARAM_H_

#include <stdint.h>
#include_next <param.h>

extern uint64_t shim_dmap_base;
#undef DMAP_BASE
#define DMAP_BASE	shim_dmap_base

#endif
