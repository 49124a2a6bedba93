/* The trap frame built by the interrupt stubs (arch/x86_64/vectors.S). */
#ifndef _TRAP_H_
#define _TRAP_H_

#include "types.h"

struct trapframe {
	uint64_t tf_r15, tf_r14, tf_r13, tf_r12, tf_r11, tf_r10, tf_r9, tf_r8;
	uint64_t tf_rbp, tf_rdi, tf_rsi, tf_rdx, tf_rcx, tf_rbx, tf_rax;
	uint64_t tf_trapno, tf_err;
	/* pushed by the CPU */
	uint64_t tf_rip, tf_cs, tf_rflags, tf_rsp, tf_ss;
};

#define T_DIVIDE	0
#define T_DEBUG		1
#define T_NMI		2
#define T_BPT		3
#define T_OFLOW		4
#define T_BOUND		5
#define T_ILLOP		6
#define T_DNA		7
#define T_DOUBLEFLT	8
#define T_TSS		10
#define T_SEGNP		11
#define T_STACK		12
#define T_PROTFLT	13
#define T_PAGEFLT	14
#define T_FPERR		16
#define T_ALIGN		17
#define T_MCHK		18
#define T_SIMD		19
#define T_VIRT		20
#define T_CP		21

#define T_IRQ0		32	/* first external interrupt vector */
#define T_SPURIOUS	0xff

/* Page-fault error code bits */
#define PGEX_P		0x01
#define PGEX_W		0x02
#define PGEX_U		0x04
#define PGEX_I		0x10

/* An interrupt handler; return nothing, ack is the handler's job. */
typedef void (*intr_handler_t)(struct trapframe *);
void	intr_establish(int vec, intr_handler_t h);

void	trap(struct trapframe *tf);
void	trap_dump(struct trapframe *tf);
const char *trap_name(uint64_t trapno);

#endif
