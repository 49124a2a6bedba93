/*
 * The user-memory movers of arch/x86_64/copyio.S, for copy.c (copyin,
 * copyout, copyinstr, which check the ranges), trap.c (their fault
 * recovery) and the isolation tests. Nothing else touches user memory.
 */
#ifndef _COPYIO_H_
#define _COPYIO_H_

#include "types.h"

/* Copy len bytes with user memory open (stac); return 0, or EFAULT if a
 * fault was not resolved (then *onfault, the thread's pcb_onfault, held
 * the recovery address meanwhile). */
int	copy_bytes(void *dst, const void *src, size_t len, uint64_t *onfault);
/* Copy a NUL-terminated string of at most max bytes likewise; return 0
 * and the length with the NUL in *lenp, ENAMETOOLONG or EFAULT. */
int	copy_str(char *dst, const char *src, size_t max, size_t *lenp,
	    uint64_t *onfault);
/* Read the byte at addr without opening user memory; return 0, or EFAULT
 * if the read faulted (tests only: SMAP must refuse a user page). */
int	copy_probe(const void *addr);

/* The movers' code [start, end), where a fault on a user address may be
 * recovered; the probe's load and its recovery address. */
extern const uint64_t copyio_movers[2], copyio_probe[2];

#endif
