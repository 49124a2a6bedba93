/*
 * arch/x86_64/vm_machdep.c: a new thread's kernel stack and first context,
 * the offsets swtch.S needs, the IPI that wakes an idle CPU, and the
 * machine-dependent side of user threads: SYSCALL set-up, the user state
 * switched with the thread (FPU/SSE image, FS base, user pmap), fork's
 * copy of the registers and exec's fresh ones.
 *
 * cpu_thread_setup writes, at the top of the thread's kernel stack, the
 * switchframe that cpu_switchto pops: zeroed callee-saved registers except
 * r12/r13 (function and argument), and proc_trampoline as return address,
 * under a zero slot that ends backtraces. A user thread's stack holds its
 * struct trapframe (p_md.md_regs) at the very top instead, and the
 * switchframe below it; its function leaves for user mode through the
 * frame (user_enter, syscall.S). Nothing here is freed: the stack belongs
 * to the thread (kern/kern_kthread.c, kern/kern_exit.c). No locks:
 * cpu_switch_md runs inside cpu_switchto with interrupts off, the rest on
 * threads nobody else runs yet, or on the caller itself.
 */
#include "lib.h"
#include "param.h"
#include "cpu.h"
#include "trap.h"
#include "lapic.h"
#include "proc.h"
#include "sched.h"
#include "cpufunc.h"
#include "pmap.h"
#include "smp.h"
#include "syscall.h"

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

/* Put below top a switchframe that enters proc_trampoline, which calls
 * func(arg), and make it p's saved context. */
static void
cpu_switchframe_setup(struct proc *p, uint64_t top, void (*func)(void *),
    void *arg)
{
	struct switchframe *sf;

	KASSERT((top & 15) == 0);
	/* the zero slot at top - 8 is proc_trampoline's return address */
	sf = (struct switchframe *)(top - 8) - 1;
	memset(sf, 0, sizeof(*sf) + 8);
	sf->sf_r12 = (uint64_t)func;
	sf->sf_r13 = (uint64_t)arg;
	sf->sf_rip = (uint64_t)proc_trampoline;
	p->p_pcb.pcb_rsp = (uint64_t)sf;
}

/* Build p's first context on its kernel stack so that the first
 * cpu_switchto to p enters proc_trampoline, which calls func(arg). */
void
cpu_thread_setup(struct proc *p, void (*func)(void *), void *arg)
{
	uint64_t top = p->p_pcb.pcb_rsp0;

	KASSERT(p->p_kstack != 0 && top == p->p_kstack + KSTACK_SIZE);
	cpu_switchframe_setup(p, top, func, arg);
}

/* ---- user threads ---- */

#define CR0_MP		0x00000002	/* monitor coprocessor */
#define CR0_EM		0x00000004	/* emulate FPU: must be clear */
#define CR0_TS		0x00000008	/* task switched: kept clear */
#define CR4_OSFXSR	0x00000200	/* FXSAVE/FXRSTOR and SSE */
#define CR4_OSXMMEXCPT	0x00000400	/* SSE exceptions as #XM */
#define PSL_USER	(PSL_I | 0x2)	/* a new user context: IF, bit 1 */
#define FPU_FCW_INIT	0x037f		/* x87 control word after FNINIT */
#define FPU_MXCSR_INIT	0x1f80		/* SSE exceptions masked */

extern char syscall_entry[];
void	user_enter(struct trapframe *tf) __noreturn;

CTASSERT(offsetof(struct cpu_info, ci_uscratch) == 8);	/* syscall.S */
CTASSERT(offsetof(struct proc, p_pcb.pcb_onfault) == P_PCB_ONFAULT);
CTASSERT((offsetof(struct proc, p_md.md_fpu) & 15) == 0);

/* SYSCALL/SYSRET and the FPU for user mode on the calling CPU; an
 * smp_xcall function (interrupts off). */
static void
syscall_init_xc(void *arg __unused)
{
	lcr0((rcr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
	lcr4(rcr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	/* SYSRET: CS = STAR[63:48] + 16, SS = + 8; SYSCALL: CS, SS = + 8 */
	wrmsr(MSR_STAR, ((uint64_t)(GSEL_UCODE32 | SEL_UPL) << 48) |
	    ((uint64_t)GSEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_SFMASK, PSL_I | PSL_T | PSL_D | PSL_NT | PSL_AC);
}

/* Set up SYSCALL and the user FPU on every online CPU; once, before the
 * first process, after every CPU is up. */
void
syscall_init_cpu(void)
{
	smp_xcall(cpus_online_mask(), syscall_init_xc, NULL);
}

/* Called by cpu_switchto, interrupts off: the user state goes with the
 * thread. A user thread gets its pmap loaded (the kernel's once exit1 let
 * go of it); leaving a user thread for a kernel thread loads the kernel
 * pmap, so a user pmap stays loaded only where its threads run. Between
 * kernel threads the pmap is left alone (a kernel thread may have loaded
 * a user pmap itself, as the pmap tests do). */
void
cpu_switch_md(struct proc *old, struct proc *new)
{
	struct pmap *pm = NULL;

	if (!(old->p_flag & P_SYSTEM)) {
		fxsave(old->p_md.md_fpu);
		pm = pmap_kernel();
	}
	if (!(new->p_flag & P_SYSTEM)) {
		fxrstor(new->p_md.md_fpu);
		wrmsr(MSR_FSBASE, new->p_md.md_fsbase);
		pm = new->p_md.md_pmap != NULL ? new->p_md.md_pmap : pmap_kernel();
	}
	if (pm != NULL && curcpu()->ci_curpmap != pm)
		pmap_activate(pm);
}

/* Leave for user mode through p's frame, after the return-to-user work
 * (preemption, signals). p is curproc, at the bottom of its kernel stack
 * (its first function, or exec's). */
void
cpu_user_return(struct proc *p)
{
	KASSERT(p == curproc && !(p->p_flag & P_SYSTEM));
	syscall_userret(p);
	user_enter(p->p_md.md_regs);
}

/* Lay out a new user thread's kernel stack: trapframe on top, then the
 * first context, which calls func(arg) (which ends in cpu_user_return). */
void
cpu_user_thread_setup(struct proc *p, void (*func)(void *), void *arg)
{
	uint64_t top = p->p_pcb.pcb_rsp0;

	KASSERT(!(p->p_flag & P_SYSTEM));
	KASSERT(p->p_kstack != 0 && top == p->p_kstack + KSTACK_SIZE);
	p->p_md.md_regs = (struct trapframe *)top - 1;
	cpu_switchframe_setup(p, (uint64_t)p->p_md.md_regs, func, arg);
}

/* A forked child's first code: back to user mode, fork returning 0. */
static void
cpu_fork_return(void *arg __unused)
{
	cpu_user_return(curproc);
}

/* Give child the caller's user registers (rax 0: fork returns 0 there),
 * FPU state and FS base; stack, if nonzero, is its user stack. */
void
cpu_fork(struct proc *child, vaddr_t stack)
{
	struct proc *p = curproc;
	struct trapframe *tf;

	KASSERT(!(p->p_flag & P_SYSTEM));
	cpu_user_thread_setup(child, cpu_fork_return, NULL);
	tf = child->p_md.md_regs;
	*tf = *p->p_md.md_regs;
	tf->tf_rax = 0;
	if (stack != 0)
		tf->tf_rsp = stack;
	/* the kernel never touches the FPU: the registers are the caller's */
	fxsave(child->p_md.md_fpu);
	child->p_md.md_fsbase = p->p_md.md_fsbase;
}

/* A new thread's TLS (clone's CLONE_SETTLS): its FS base. child has not
 * run yet; tls is a user address. */
void
cpu_fork_tls(struct proc *child, vaddr_t tls)
{
	KASSERT(child->p_stat == SIDL && tls < USER_MAX);
	child->p_md.md_fsbase = tls;
}

/* Registers of a fresh image: entry, stack, all else zero (exec). */
void
setregs(struct proc *p, vaddr_t entry, vaddr_t sp)
{
	struct trapframe *tf = p->p_md.md_regs;
	uint8_t *fpu = p->p_md.md_fpu;

	memset(tf, 0, sizeof(*tf));
	tf->tf_rip = entry;
	tf->tf_rsp = sp;
	tf->tf_cs = GSEL_UCODE | SEL_UPL;
	tf->tf_ss = GSEL_UDATA | SEL_UPL;
	tf->tf_rflags = PSL_USER;
	tf->tf_trapno = T_SYSCALL;
	memset(fpu, 0, sizeof(p->p_md.md_fpu));
	*(uint16_t *)fpu = FPU_FCW_INIT;
	*(uint32_t *)(fpu + 24) = FPU_MXCSR_INIT;
	p->p_md.md_fsbase = 0;
	if (p == curproc) {
		/* the live registers are loaded from these on the way out */
		fxrstor(fpu);
		wrmsr(MSR_FSBASE, 0);
	}
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
