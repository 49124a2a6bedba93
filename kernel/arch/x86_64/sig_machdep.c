/*
 * arch/x86_64/sig_machdep.c: the signal frame (Linux's x86-64 rt_sigframe)
 * that sendsig builds on the user stack, and rt_sigreturn, which loads the
 * registers back from it.
 *
 * Frame, from the interrupted %rsp down: the 128-byte red zone (left
 * alone), the FXSAVE image (512 bytes, 64-aligned), then struct
 * rt_sigframe: the return address (the restorer), the ucontext (flags,
 * link, an empty stack_t, the sigcontext with every general register,
 * rflags, segments, trap number, error code, cr2 and a pointer to the
 * FXSAVE image, then the mask to restore) and the siginfo. The handler
 * starts with %rsp at the return address, %rsp + 8 16-byte aligned as at
 * any function entry, and a clean FPU.
 *
 * rt_sigreturn trusts nothing it reads back: rflags keeps only the flags
 * user code may change (never IOPL, IF stays set), the segments are the
 * user ones whatever the frame says, MXCSR loses its reserved bits (else
 * FXRSTOR faults in the kernel), and a frame that cannot be read or a
 * %rip or %rsp outside the user half kills the process with SIGSEGV.
 *
 * The kernel never uses the FPU (-mgeneral-regs-only), so while a user
 * thread runs in the kernel its user FPU state is in the registers
 * (vm_machdep.c's cpu_switch_md saves and loads it at switches); FXSAVE
 * and FXRSTOR here act on it directly. No locks; runs on curproc only.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "cpu.h"
#include "cpufunc.h"
#include "trap.h"
#include "proc.h"
#include "signal.h"
#include "syscall.h"

/* Linux's struct sigcontext (x86-64), which musl's mcontext_t mirrors. */
struct sigcontext {
	uint64_t	sc_r8, sc_r9, sc_r10, sc_r11, sc_r12, sc_r13, sc_r14,
			sc_r15;
	uint64_t	sc_rdi, sc_rsi, sc_rbp, sc_rbx, sc_rdx, sc_rax, sc_rcx,
			sc_rsp, sc_rip;
	uint64_t	sc_rflags;
	uint16_t	sc_cs, sc_gs, sc_fs, sc_ss;
	uint64_t	sc_err;
	uint64_t	sc_trapno;
	uint64_t	sc_oldmask;
	uint64_t	sc_cr2;
	uint64_t	sc_fpstate;	/* user address of the FXSAVE image */
	uint64_t	sc_reserved[8];
};

/* Linux's stack_t and struct ucontext (the kernel's: an 8-byte mask). */
struct sigaltstack {
	uint64_t	ss_sp;
	int32_t		ss_flags;
	uint64_t	ss_size;
};
#define SS_DISABLE	2

struct ucontext {
	uint64_t	uc_flags;
	uint64_t	uc_link;
	struct sigaltstack uc_stack;
	struct sigcontext uc_mcontext;
	sigset_t	uc_sigmask;
};

/* Linux's siginfo_t: 128 bytes; the fields after si_code depend on it. */
struct siginfo {
	int32_t		si_signo;
	int32_t		si_errno;
	int32_t		si_code;
	int32_t		si_pad;
	union {
		struct {
			pid_t	pid;
			uid_t	uid;
		}	kill;		/* SI_USER, SI_TKILL */
		uint64_t addr;		/* faults */
		uint8_t	pad[112];
	}		si_fields;
};

struct rt_sigframe {
	uint64_t	sf_pretcode;	/* the restorer: the handler's return */
	struct ucontext	sf_uc;
	struct siginfo	sf_info;
};

#define FXSAVE_SIZE	512
#define FX_MXCSR	24		/* offsets in the FXSAVE image */
#define FX_MXCSR_MASK	28
#define RED_ZONE	128

CTASSERT(sizeof(struct sigcontext) == 256);
CTASSERT(offsetof(struct ucontext, uc_mcontext) == 40);
CTASSERT(sizeof(struct ucontext) == 304);
CTASSERT(sizeof(struct siginfo) == 128);
CTASSERT(offsetof(struct siginfo, si_fields) == 16);
CTASSERT(offsetof(struct rt_sigframe, sf_info) == 312);

/* The FPU state a handler starts with: FNINIT's control word, MXCSR with
 * every SSE exception masked, all registers zero. */
static const uint8_t fpu_initstate[FXSAVE_SIZE] __aligned(16) = {
	[0] = 0x7f, [1] = 0x03,				/* FCW 0x037f */
	[FX_MXCSR] = 0x80, [FX_MXCSR + 1] = 0x1f,	/* MXCSR 0x1f80 */
};

/* The MXCSR bits this CPU supports (FXSAVE's MXCSR_MASK; 0 means the
 * architectural default). */
static uint32_t
fpu_mxcsr_mask(void)
{
	static uint32_t mask;		/* [atomic] 0 until first computed */
	uint8_t fx[FXSAVE_SIZE] __aligned(16);
	uint32_t m = __atomic_load_n(&mask, __ATOMIC_RELAXED);

	if (m == 0) {
		fxsave(fx);
		memcpy(&m, fx + FX_MXCSR_MASK, sizeof(m));
		if (m == 0)
			m = 0xffbf;
		__atomic_store_n(&mask, m, __ATOMIC_RELAXED);
	}
	return m;
}

/* True if va may be loaded into %rip or %rsp for user mode. */
static bool
sig_useraddr(uint64_t va)
{
	return va < USER_MAX;
}

/* Build the signal frame for sd on curproc's user stack and aim its user
 * registers at act's handler; 0 or EFAULT. */
int
sendsig(struct proc *p, const struct k_sigaction *act,
    const struct sigdeliv *sd, sigset_t oldmask)
{
	struct trapframe *tf = p->p_md.md_regs;
	uint8_t fx[FXSAVE_SIZE] __aligned(16);
	struct rt_sigframe sf;
	struct sigcontext *sc = &sf.sf_uc.uc_mcontext;
	uint64_t fpaddr, sfaddr;

	KASSERT(p == curproc && !(p->p_flag & P_SYSTEM));
	if (!(act->ksa_flags & SA_RESTORER) ||
	    !sig_useraddr(act->ksa_handler) || !sig_useraddr(act->ksa_restorer))
		return EFAULT;
	if (!sig_useraddr(tf->tf_rsp) || tf->tf_rsp < RED_ZONE + PAGE_SIZE)
		return EFAULT;
	fpaddr = rounddown(tf->tf_rsp - RED_ZONE - FXSAVE_SIZE, 64);
	/* at the handler's entry %rsp + 8 is 16-byte aligned */
	sfaddr = rounddown(fpaddr - sizeof(sf), 16) - 8;

	memset(&sf, 0, sizeof(sf));
	sf.sf_pretcode = act->ksa_restorer;
	sf.sf_uc.uc_stack.ss_flags = SS_DISABLE;
	sc->sc_r8 = tf->tf_r8;
	sc->sc_r9 = tf->tf_r9;
	sc->sc_r10 = tf->tf_r10;
	sc->sc_r11 = tf->tf_r11;
	sc->sc_r12 = tf->tf_r12;
	sc->sc_r13 = tf->tf_r13;
	sc->sc_r14 = tf->tf_r14;
	sc->sc_r15 = tf->tf_r15;
	sc->sc_rdi = tf->tf_rdi;
	sc->sc_rsi = tf->tf_rsi;
	sc->sc_rbp = tf->tf_rbp;
	sc->sc_rbx = tf->tf_rbx;
	sc->sc_rdx = tf->tf_rdx;
	sc->sc_rax = tf->tf_rax;
	sc->sc_rcx = tf->tf_rcx;
	sc->sc_rsp = tf->tf_rsp;
	sc->sc_rip = tf->tf_rip;
	sc->sc_rflags = tf->tf_rflags;
	sc->sc_cs = tf->tf_cs;
	sc->sc_ss = tf->tf_ss;
	if (sd->sd_trap) {
		sc->sc_trapno = tf->tf_trapno;
		sc->sc_err = tf->tf_err;
		if (tf->tf_trapno == T_PAGEFLT)
			sc->sc_cr2 = sd->sd_addr;
	}
	sc->sc_oldmask = oldmask;
	sc->sc_fpstate = fpaddr;
	sf.sf_uc.uc_sigmask = oldmask;
	sf.sf_info.si_signo = sd->sd_signo;
	sf.sf_info.si_code = sd->sd_code;
	if (sd->sd_trap) {
		sf.sf_info.si_fields.addr = sd->sd_addr;
	} else {
		sf.sf_info.si_fields.kill.pid = sd->sd_pid;
		sf.sf_info.si_fields.kill.uid = sd->sd_uid;
	}

	fxsave(fx);
	if (copyout(fx, (void *)fpaddr, sizeof(fx)) != 0 ||
	    copyout(&sf, (void *)sfaddr, sizeof(sf)) != 0)
		return EFAULT;

	tf->tf_rip = act->ksa_handler;
	tf->tf_rsp = sfaddr;
	tf->tf_rdi = sd->sd_signo;
	tf->tf_rsi = sfaddr + offsetof(struct rt_sigframe, sf_info);
	tf->tf_rdx = sfaddr + offsetof(struct rt_sigframe, sf_uc);
	tf->tf_rax = 0;
	tf->tf_rflags &= ~(PSL_T | PSL_D | PSL_RF);
	tf->tf_cs = GSEL_UCODE | SEL_UPL;
	tf->tf_ss = GSEL_UDATA | SEL_UPL;
	fxrstor(fpu_initstate);
	return 0;
}

/* rt_sigreturn(): load the registers, FPU state and mask saved in the
 * frame at the user %rsp - 8 (the handler popped the return address). */
long
sys_rt_sigreturn(struct proc *p, const uint64_t *args __unused)
{
	struct trapframe *tf = p->p_md.md_regs;
	uint8_t fx[FXSAVE_SIZE] __aligned(16);
	struct ucontext uc;
	struct sigcontext *sc = &uc.uc_mcontext;
	uint32_t mxcsr;

	if (copyin((void *)(tf->tf_rsp - 8 +
	    offsetof(struct rt_sigframe, sf_uc)), &uc, sizeof(uc)) != 0)
		goto bad;
	if (!sig_useraddr(sc->sc_rip) || !sig_useraddr(sc->sc_rsp))
		goto bad;
	if (sc->sc_fpstate != 0) {
		if (copyin((void *)sc->sc_fpstate, fx, sizeof(fx)) != 0)
			goto bad;
		memcpy(&mxcsr, fx + FX_MXCSR, sizeof(mxcsr));
		mxcsr &= fpu_mxcsr_mask();
		memcpy(fx + FX_MXCSR, &mxcsr, sizeof(mxcsr));
	} else
		memcpy(fx, fpu_initstate, sizeof(fx));

	tf->tf_r8 = sc->sc_r8;
	tf->tf_r9 = sc->sc_r9;
	tf->tf_r10 = sc->sc_r10;
	tf->tf_r11 = sc->sc_r11;
	tf->tf_r12 = sc->sc_r12;
	tf->tf_r13 = sc->sc_r13;
	tf->tf_r14 = sc->sc_r14;
	tf->tf_r15 = sc->sc_r15;
	tf->tf_rdi = sc->sc_rdi;
	tf->tf_rsi = sc->sc_rsi;
	tf->tf_rbp = sc->sc_rbp;
	tf->tf_rbx = sc->sc_rbx;
	tf->tf_rdx = sc->sc_rdx;
	tf->tf_rax = sc->sc_rax;
	tf->tf_rcx = sc->sc_rcx;
	tf->tf_rsp = sc->sc_rsp;
	tf->tf_rip = sc->sc_rip;
	tf->tf_rflags = (tf->tf_rflags & ~PSL_USERCHANGE) |
	    (sc->sc_rflags & PSL_USERCHANGE) | PSL_I;
	tf->tf_cs = GSEL_UCODE | SEL_UPL;
	tf->tf_ss = GSEL_UDATA | SEL_UPL;
	fxrstor(fx);
	sig_setmask(p, uc.uc_sigmask);
	return EJUSTRETURN;
bad:
	sig_force(p, SIGSEGV);
	return EJUSTRETURN;
}
