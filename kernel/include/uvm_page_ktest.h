/*
 * Helpers for in-kernel tests of out-of-memory paths (uvm/uvm_page_ktest.c):
 * a hog takes every free page, then gives them back, some or all. Only for
 * tests that run alone: it switches page poisoning off while it works.
 */
#ifndef _UVM_PAGE_KTEST_H_
#define _UVM_PAGE_KTEST_H_

#include "types.h"
#include "uvm_page.h"

struct ktest_hog {
	struct vm_page	*head;	/* pages held, linked through pg_next */
	uint64_t	n;	/* how many */
};

/* Take every free page for use (pool pages reclaimed on the way included). */
void	ktest_hog_fill(struct ktest_hog *h, enum vm_page_use use);
/* Give back n of the held pages (all of them if n is larger). */
void	ktest_hog_give(struct ktest_hog *h, uint64_t n);

#endif
