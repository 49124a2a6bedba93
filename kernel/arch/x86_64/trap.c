/*
 * arch/x86_64/trap.c: the IDT and trap dispatch.
 *
 * The IDT is built once at boot and shared by all CPUs. trap() runs every
 * vector: registered interrupt handlers first, then CPU exceptions. A kernel
 * exception is fatal: the vector, error code, registers, CR2 and a backtrace
 * are printed and the machine stops, except a page fault on a user address
 * inside copyin/copyout (the movers of copyio.S, pcb_onfault set): it is
 * resolved with uvm_fault on the process's map or, failing that, resumes
 * at the recovery address. A kernel access to a user page anywhere else
 * (SMAP refused it) or a kernel instruction fetch from a user address
 * (SMEP) is a kernel bug, reported as such.
 * A user-mode exception is the thread's own business: page faults go to
 * uvm_fault, and what cannot be resolved becomes a signal (trapsignal,
 * kern/kern_sig.c). Every return to user mode passes through
 * syscall_userret (preemption, signals) with interrupts on, then goes out
 * with them off.
 */
#include "lib.h"
#include "cpu.h"
#include "cpufunc.h"
#include "trap.h"
#include "asm.h"
#include "machdep.h"
#include "smp.h"
#include "uvm_km.h"
#include "sched.h"
#include "errno.h"
#include "proc.h"
#include "signal.h"
#include "syscall.h"
#include "uvm_fault.h"
#include "uvm_vmspace.h"
#include "copyio.h"

CTASSERT(offsetof(struct trapframe, tf_r11) == TF_R11);
CTASSERT(offsetof(struct trapframe, tf_rcx) == TF_RCX);
CTASSERT(offsetof(struct trapframe, tf_trapno) == TF_TRAPNO);
CTASSERT(offsetof(struct trapframe, tf_rip) == TF_RIP);
CTASSERT(offsetof(struct trapframe, tf_cs) == TF_CS);
CTASSERT(sizeof(struct trapframe) == TF_SIZE);

struct gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t  ist;
	uint8_t  type;		/* P | DPL | type */
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t rsvd;
} __packed;

static struct gate idt[256] __aligned(16);
static intr_handler_t intr_handlers[256];
extern char vectors[];		/* vectors.S: stub v at vectors + 16 * v */

static const char *const trap_names[] = {
	[T_DIVIDE] = "divide error", [T_DEBUG] = "debug", [T_NMI] = "NMI",
	[T_BPT] = "breakpoint", [T_OFLOW] = "overflow",
	[T_BOUND] = "bound range", [T_ILLOP] = "invalid opcode",
	[T_DNA] = "device not available", [T_DOUBLEFLT] = "double fault",
	[T_TSS] = "invalid TSS", [T_SEGNP] = "segment not present",
	[T_STACK] = "stack fault", [T_PROTFLT] = "general protection fault",
	[T_PAGEFLT] = "page fault", [T_FPERR] = "x87 FPU error",
	[T_ALIGN] = "alignment check", [T_MCHK] = "machine check",
	[T_SIMD] = "SIMD exception", [T_VIRT] = "virtualization exception",
	[T_CP] = "control protection",
};

/* Return a human name for a vector. */
const char *
trap_name(uint64_t trapno)
{
	if (trapno < nitems(trap_names) && trap_names[trapno] != NULL)
		return trap_names[trapno];
	return trapno < T_IRQ0 ? "reserved exception" : "interrupt";
}

static void
idt_set(int vec, uint64_t fn, int ist, int dpl)
{
	struct gate *g = &idt[vec];

	g->off_lo = fn & 0xffff;
	g->sel = GSEL_KCODE;
	g->ist = ist;
	g->type = 0x80 | (dpl << 5) | 0xe;	/* present, 64-bit interrupt gate */
	g->off_mid = (fn >> 16) & 0xffff;
	g->off_hi = fn >> 32;
	g->rsvd = 0;
}

/* Build the IDT once (boot CPU). */
void
idt_init(void)
{
	int v;

	for (v = 0; v < 256; v++)
		idt_set(v, (uint64_t)vectors + 16 * v, 0, 0);
	idt_set(T_DOUBLEFLT, (uint64_t)vectors + 16 * T_DOUBLEFLT, IST_DOUBLEFLT, 0);
	idt_set(T_NMI, (uint64_t)vectors + 16 * T_NMI, IST_NMI, 0);
	idt_set(T_BPT, (uint64_t)vectors + 16 * T_BPT, 0, 3);
}

/* Load the IDT on this CPU. */
void
idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed idtr = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("lidt %0" :: "m"(idtr));
}

/* Route vector vec to h. Vectors are claimed once, at initialization. */
void
intr_establish(int vec, intr_handler_t h)
{
	KASSERT(vec >= T_IRQ0 && vec < 256);
	KASSERT(intr_handlers[vec] == NULL);
	intr_handlers[vec] = h;
}

/* Print a trap frame: vector, error code, all registers, CR2. */
void
trap_dump(struct trapframe *tf)
{
	kprintf("trap %lu (%s) err %#lx on cpu%u in %s mode\n", tf->tf_trapno,
	    trap_name(tf->tf_trapno), tf->tf_err, cpu_number(),
	    (tf->tf_cs & SEL_UPL) ? "user" : "kernel");
	kprintf("rip %016lx  cs %04lx  rflags %08lx  rsp %016lx  ss %04lx\n",
	    tf->tf_rip, tf->tf_cs, tf->tf_rflags, tf->tf_rsp, tf->tf_ss);
	kprintf("rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n",
	    tf->tf_rax, tf->tf_rbx, tf->tf_rcx, tf->tf_rdx);
	kprintf("rsi %016lx  rdi %016lx  rbp %016lx  r8  %016lx\n",
	    tf->tf_rsi, tf->tf_rdi, tf->tf_rbp, tf->tf_r8);
	kprintf("r9  %016lx  r10 %016lx  r11 %016lx  r12 %016lx\n",
	    tf->tf_r9, tf->tf_r10, tf->tf_r11, tf->tf_r12);
	kprintf("r13 %016lx  r14 %016lx  r15 %016lx\n",
	    tf->tf_r13, tf->tf_r14, tf->tf_r15);
	kprintf("cr0 %016lx  cr2 %016lx  cr3 %016lx  cr4 %016lx\n",
	    rcr0(), rcr2(), rcr3(), rcr4());
}

static void __noreturn
trap_fatal(struct trapframe *tf)
{
	uint64_t off;
	const char *fn = ksyms_lookup(tf->tf_rip, &off);
	vaddr_t stack;

	/* a push onto the guard page faults again while delivering #PF: #DF */
	if ((tf->tf_trapno == T_PAGEFLT || tf->tf_trapno == T_DOUBLEFLT) &&
	    uvm_km_kstack_guard(rcr2(), &stack))
		panic("kernel stack overflow: %s at %s+%#lx hit the guard page of "
		    "the kernel stack at %#lx, cr2 %#lx", trap_name(tf->tf_trapno),
		    fn ? fn : "?", fn ? off : tf->tf_rip, stack, rcr2());

	panic("fatal %s (trap %lu, err %#lx) at %s+%#lx, cr2 %#lx",
	    trap_name(tf->tf_trapno), tf->tf_trapno, tf->tf_err,
	    fn ? fn : "?", fn ? off : tf->tf_rip, rcr2());
}

/* The access a page fault's error code describes. */
static vm_prot_t
trap_pf_access(uint64_t err)
{
	if (err & PGEX_W)
		return PROT_WRITE;
	if (err & PGEX_I)
		return PROT_EXEC;
	return PROT_READ;
}

/* A kernel page fault at va inside copyin/copyout: resolve it on the
 * process's map or send the mover to its recovery address. Return false
 * if this is not such a fault (then it is fatal). */
static bool
trap_copyfault(struct trapframe *tf, vaddr_t va)
{
	struct proc *p = curproc;
	int error;

	if (tf->tf_rip < copyio_movers[0] || tf->tf_rip >= copyio_movers[1] ||
	    p->p_pcb.pcb_onfault == 0 || va >= USER_MAX ||
	    !(tf->tf_rflags & PSL_I) || p->p_p->ps_vmspace == NULL)
		return false;
	intr_enable();
	error = uvm_fault(&p->p_p->ps_vmspace->vm_map, trunc_page(va),
	    trap_pf_access(tf->tf_err));
	intr_disable();
	if (error != 0)
		tf->tf_rip = p->p_pcb.pcb_onfault;
	return true;
}

/* Panic for a kernel page fault at user address va outside the movers:
 * an instruction fetch (SMEP's refusal, or a jump to user memory without
 * it) or an access SMAP refused (user memory was not opened by stac). */
static void __noreturn
trap_isolation_fatal(struct trapframe *tf, vaddr_t va)
{
	uint64_t off;
	const char *fn = ksyms_lookup(tf->tf_rip, &off);

	trap_dump(tf);
	if (tf->tf_err & PGEX_I)
		panic("%s: kernel instruction fetch at user address %#lx",
		    cpu_smep ? "SMEP violation" : "kernel jump to user memory",
		    va);
	panic("SMAP violation: kernel %s of user address %#lx at %s+%#lx "
	    "without stac (only copyin/copyout may touch user memory)",
	    (tf->tf_err & PGEX_W) ? "write" : "read", va, fn ? fn : "?",
	    fn ? off : tf->tf_rip);
}

/* A page fault in kernel mode at va: the SMAP probe's load resumes at its
 * recovery address; a fault of copyin/copyout is resolved or recovered;
 * a kernel access to user memory anywhere else is fatal with its own
 * report. Return false if the fault is fatal the ordinary way. */
static bool
trap_kernel_pagefault(struct trapframe *tf, vaddr_t va)
{
	if (tf->tf_rip == copyio_probe[0]) {
		tf->tf_rip = copyio_probe[1];
		return true;
	}
	/* with SMAP on, a present user page faults only where AC is clear */
	if (va < USER_MAX && ((tf->tf_err & PGEX_I) || (cpu_smap &&
	    (tf->tf_err & PGEX_P) && !(tf->tf_rflags & PSL_AC))))
		trap_isolation_fatal(tf, va);
	return trap_copyfault(tf, va);
}

/* An exception in user mode: fix it (page fault) or signal the thread.
 * Interrupts are on. */
static void
trap_user(struct trapframe *tf, vaddr_t cr2)
{
	struct proc *p = curproc;
	int error;

	switch (tf->tf_trapno) {
	case T_PAGEFLT:
		error = cr2 < USER_MAX ? uvm_fault(&p->p_p->ps_vmspace->vm_map,
		    trunc_page(cr2), trap_pf_access(tf->tf_err)) : EFAULT;
		if (error == ENOMEM)
			trapsignal(p, SIGKILL, 0, cr2);
		else if (error != 0)
			trapsignal(p, SIGSEGV, error == EACCES ? SEGV_ACCERR :
			    SEGV_MAPERR, cr2);
		break;
	case T_DIVIDE:
		trapsignal(p, SIGFPE, FPE_INTDIV, tf->tf_rip);
		break;
	case T_FPERR:
	case T_SIMD:
		trapsignal(p, SIGFPE, 0, tf->tf_rip);
		break;
	case T_ILLOP:
		trapsignal(p, SIGILL, ILL_ILLOPN, tf->tf_rip);
		break;
	case T_DEBUG:
	case T_BPT:
		trapsignal(p, SIGTRAP, 0, tf->tf_rip);
		break;
	case T_ALIGN:
		trapsignal(p, SIGBUS, 0, tf->tf_rip);
		break;
	case T_PROTFLT:
	case T_SEGNP:
	case T_STACK:
	case T_TSS:
	case T_OFLOW:
	case T_BOUND:
	case T_DNA:
	case T_CP:
		trapsignal(p, SIGSEGV, SI_KERNEL, 0);	/* as Linux: no address */
		break;
	default:
		intr_disable();
		trap_dump(tf);
		trap_fatal(tf);
	}
}

/* Dispatch one trap or interrupt; called from alltraps with interrupts off. */
void
trap(struct trapframe *tf)
{
	uint64_t vec = tf->tf_trapno;
	bool user = (tf->tf_cs & SEL_UPL) != 0;
	vaddr_t cr2 = vec == T_PAGEFLT ? rcr2() : 0;

	KASSERT(!cpu_smap || !(read_rflags() & PSL_AC));	/* alltraps: clac */
	if (vec >= T_IRQ0 && intr_handlers[vec] != NULL) {
		intr_handlers[vec](tf);
		/* interrupts were on, so the thread held no spinlock */
		if (curcpu()->ci_want_resched && (tf->tf_rflags & PSL_I))
			preempt();
	} else if (vec == T_SPURIOUS) {
		/* nothing */
	} else if (user && vec != T_NMI && vec != T_MCHK && vec != T_DOUBLEFLT) {
		intr_enable();
		trap_user(tf, cr2);
		intr_disable();
	} else if (vec == T_PAGEFLT && trap_kernel_pagefault(tf, cr2)) {
		return;
	} else {
		if (vec == T_NMI)
			cpu_stop_nmi();	/* halts here if another CPU panicked */
		trap_dump(tf);
		trap_fatal(tf);
	}
	if (user) {
		intr_enable();
		syscall_userret(curproc);
		intr_disable();
	}
}
