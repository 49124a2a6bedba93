/*
 * arch/x86_64/vm_machdep.c: a new thread's kernel stack and first context,
 * the offsets swtch.S needs, and the IPI that wakes an idle CPU.
 *
 * cpu_thread_setup writes, at the top of the thread's kernel stack, the
 * switchframe that cpu_switchto pops: zeroed callee-saved registers except
 * r12/r13 (function and argument), and proc_trampoline as return address,
 * under a zero slot that ends backtraces. Nothing here is freed: the stack
 * belongs to the thread (kern/kern_kthread.c). No locks.
 */
#include "lib.h"
#include "param.h"
#include "cpu.h"
#include "trap.h"
#include "lapic.h"
#include "proc.h"
#include "sched.h"

#define LAPIC_VEC_KICK	0xf1	/* next to lapic.h's vectors */

CTASSERT(offsetof(struct proc, p_pcb.pcb_rsp) == P_PCB_RSP);
CTASSERT(offsetof(struct proc, p_pcb.pcb_rsp0) == P_PCB_RSP0);

/* Where cpu_switchto stores the new stack top: this CPU's TSS rsp0. Read at
 * run time so that cpu_info's layout may change without touching swtch.S. */
const uint64_t ci_tss_rsp0_offset = offsetof(struct cpu_info, ci_tss.tss_rsp0);

/* What cpu_switchto leaves at pcb_rsp (pushed in reverse order). */
struct switchframe {
	uint64_t	sf_r15;
	uint64_t	sf_r14;
	uint64_t	sf_r13;
	uint64_t	sf_r12;
	uint64_t	sf_rbx;
	uint64_t	sf_rbp;
	uint64_t	sf_rip;
};

extern char proc_trampoline[];

/* Build p's first context on its kernel stack so that the first
 * cpu_switchto to p enters proc_trampoline, which calls func(arg). */
void
cpu_thread_setup(struct proc *p, void (*func)(void *), void *arg)
{
	uint64_t top = p->p_pcb.pcb_rsp0;
	struct switchframe *sf;

	KASSERT(p->p_kstack != 0 && top == p->p_kstack + KSTACK_SIZE);
	KASSERT((top & 15) == 0);
	/* the zero slot at top - 8 is proc_trampoline's return address */
	sf = (struct switchframe *)(top - 8) - 1;
	memset(sf, 0, sizeof(*sf) + 8);
	sf->sf_r12 = (uint64_t)func;
	sf->sf_r13 = (uint64_t)arg;
	sf->sf_rip = (uint64_t)proc_trampoline;
	p->p_pcb.pcb_rsp = (uint64_t)sf;
}

/* The kick IPI: an idle CPU was given a thread; switch to it on the way out
 * of this interrupt (trap.c). */
static void
cpu_kick_intr(struct trapframe *tf __unused)
{
	struct cpu_info *ci = curcpu();

	lapic_eoi();
	if (ci->ci_curproc == ci->ci_idleproc)
		ci->ci_want_resched = true;
}

/* Claim the kick vector; once, on the boot CPU. */
void
cpu_kick_init(void)
{
	intr_establish(LAPIC_VEC_KICK, cpu_kick_intr);
}

/* Interrupt ci, another online CPU, so that it looks at its run queue now
 * rather than at its next clock tick. */
void
cpu_kick(struct cpu_info *ci)
{
	KASSERT(ci != curcpu() && ci->ci_online);
	lapic_ipi_fixed(ci->ci_apicid, LAPIC_VEC_KICK);
}
