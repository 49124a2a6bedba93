/*
 * arch/x86_64/trap.c: the IDT and trap dispatch.
 *
 * The IDT is built once at boot and shared by all CPUs. trap() runs every
 * vector: registered interrupt handlers first, then CPU exceptions. A kernel
 * exception is fatal: the vector, error code, registers, CR2 and a backtrace
 * are printed and the machine stops. (User-mode exceptions become signals
 * once processes exist.)
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

/* Dispatch one trap or interrupt; called from alltraps with interrupts off. */
void
trap(struct trapframe *tf)
{
	uint64_t vec = tf->tf_trapno;

	if (vec >= T_IRQ0 && intr_handlers[vec] != NULL) {
		intr_handlers[vec](tf);
		/* interrupts were on, so the thread held no spinlock */
		if (curcpu()->ci_want_resched && (tf->tf_rflags & PSL_I))
			preempt();
		return;
	}
	if (vec == T_SPURIOUS)
		return;
	if (vec == T_NMI)
		cpu_stop_nmi();		/* halts here if another CPU panicked */
	trap_dump(tf);
	trap_fatal(tf);
}
