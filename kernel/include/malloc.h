/*
 * General-purpose kernel memory (kern/kern_malloc.c): power-of-two size
 * classes of 16 to 2048 bytes served by pools, whole pages above that, up to
 * PAGE_SIZE. As OpenBSD's free(9) with a size, kfree is told the size that
 * was asked for, so nothing is stored beside the object.
 */
#ifndef _MALLOC_H_
#define _MALLOC_H_

#include "types.h"
#include "param.h"

/* kmalloc flags. kmalloc never sleeps yet, so M_NOWAIT is mandatory. */
#define M_NOWAIT	0x01	/* return NULL when memory is short */
#define M_ZERO		0x02	/* zero-fill */

#define KMALLOC_MIN	16		/* smallest size class */
#define KMALLOC_POOLMAX	2048		/* largest size class served by a pool */
#define KMALLOC_MAX	PAGE_SIZE	/* largest allocation */

/* Create the size-class pools; once, at boot, before the first kmalloc. */
void	kmalloc_init(void);
/* Return size bytes (1..KMALLOC_MAX), aligned to 16 (a page above 2048), or
 * NULL when memory is short or the size is out of range. */
void	*kmalloc(size_t size, int flags);
/* Free p (NULL is ignored), which kmalloc returned for the same size. */
void	kfree(void *p, size_t size);
/* The pool serving size, or NULL if size takes a whole page or is out of range
 * (for tests and statistics). */
struct pool *kmalloc_pool(size_t size);

#endif
