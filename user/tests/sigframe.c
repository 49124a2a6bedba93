/*
 * sigframe: what rt_sigreturn puts back. A bare syscall (tkill to
 * ourselves) is made with sentinels in every general register it does not
 * use, in xmm0-15 and in the 128-byte red zone below %rsp; the handler
 * that runs on the way back overwrites every register, or edits its
 * ucontext, or is interrupted by a second handler. After the return, each
 * sentinel is intact (or the edited value is there): the kernel saved the
 * full register and SSE state in the signal frame, built the frame below
 * the red zone, and restored the frame the handler returned with.
 * Every case runs in a forked child.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>

#include "ktest.h"

#define NPROBE		31	/* words regs_probe() stores */
#define PROBE_XMM	13	/* index of xmm0 in them */
#define PROBE_RED	29	/* index of the red-zone words */
#define PROBE_R12	9	/* index of r12 */
#define GPR(k)		(0x1111111111111111ul * (k))
#define XMM(k)		(0xa5a5a5a5a5a5a500ul + (k))
#define RED		0x7ed2011e7ed2011eul
#define EDITED		0x5ca1ab1eul

/*
 * regs_probe(tid, out): load sentinels into rbx, rbp, rdx, r8-r10,
 * r12-r15, xmm0-15 and the red zone (-8 and -128 from %rsp), tkill(tid,
 * SIGUSR1) by a bare syscall, then store into out[]: rax, rbx, rbp, rdx,
 * rsi, rdi, r8-r10, r12-r15, xmm0-15 (low halves), the red-zone words.
 * clobber_handler overwrites every register but %rsp, counts its calls.
 */
void regs_probe(long tid, unsigned long *out);
void clobber_handler(int sig);
volatile int clobber_calls;

__asm__(
	".text\n"
	".globl regs_probe\n"
	".type regs_probe, @function\n"
	"regs_probe:\n"
	"	push %rbx\n	push %rbp\n	push %r12\n	push %r13\n"
	"	push %r14\n	push %r15\n	push %rsi\n"
	"	movabs $0xa5a5a5a5a5a5a500, %rax\n"
	"	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	movq %rax, %xmm\\n\n	inc %rax\n"
	"	.endr\n"
	"	movabs $0x7ed2011e7ed2011e, %rax\n"
	"	mov %rax, -8(%rsp)\n	mov %rax, -128(%rsp)\n"
	"	.Lk = 1\n"
	"	.irp r, rbx,rbp,rdx,r8,r9,r10,r12,r13,r14,r15\n"
	"	movabs $0x1111111111111111*.Lk, %\\r\n	.Lk = .Lk+1\n"
	"	.endr\n"
	"	mov $10, %esi\n"		/* SIGUSR1 */
	"	mov $200, %eax\n"		/* SYS_tkill */
	"	syscall\n"
	"	mov (%rsp), %rcx\n"
	"	.Lo = 0\n"
	"	.irp r, rax,rbx,rbp,rdx,rsi,rdi,r8,r9,r10,r12,r13,r14,r15\n"
	"	mov %\\r, .Lo(%rcx)\n	.Lo = .Lo+8\n"
	"	.endr\n"
	"	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	movq %xmm\\n, 104+8*\\n(%rcx)\n"
	"	.endr\n"
	"	mov -8(%rsp), %r11\n	mov %r11, 232(%rcx)\n"
	"	mov -128(%rsp), %r11\n	mov %r11, 240(%rcx)\n"
	"	pop %rsi\n	pop %r15\n	pop %r14\n	pop %r13\n"
	"	pop %r12\n	pop %rbp\n	pop %rbx\n"
	"	ret\n"
	".size regs_probe, .-regs_probe\n"
	".globl clobber_handler\n"
	".type clobber_handler, @function\n"
	"clobber_handler:\n"
	"	incl clobber_calls(%rip)\n"
	"	mov $-1, %rax\n"
	"	.irp r, rbx,rcx,rdx,rsi,rdi,rbp,r8,r9,r10,r11,r12,r13,r14,r15\n"
	"	mov %rax, %\\r\n"
	"	.endr\n"
	"	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	pcmpeqd %xmm\\n, %xmm\\n\n"
	"	.endr\n"
	"	ret\n"
	".size clobber_handler, .-clobber_handler\n");

static volatile sig_atomic_t calls;

/* The words regs_probe() stores, their names and the values it loads. */
static const struct {
	const char	*name;
	unsigned long	value;
} probe_gprs[PROBE_XMM] = {
	{ "rax", 0 },				/* tkill's return value */
	{ "rbx", GPR(1) }, { "rbp", GPR(2) }, { "rdx", GPR(3) },
	{ "rsi", SIGUSR1 }, { "rdi", 0 },	/* tkill's arguments */
	{ "r8", GPR(4) }, { "r9", GPR(5) }, { "r10", GPR(6) },
	{ "r12", GPR(7) }, { "r13", GPR(8) }, { "r14", GPR(9) },
	{ "r15", GPR(10) },
};

/* Fail the case for each word regs_probe() stored in got that is not
 * what it loaded (r12: expect r12, rdi: our tid). */
static void
probe_check(const unsigned long *got, unsigned long r12)
{
	unsigned long want;
	char name[16];
	int i;

	for (i = 0; i < NPROBE; i++) {
		if (i < PROBE_XMM) {
			want = i == 5 ? (unsigned long)gettid() :
			    i == PROBE_R12 ? r12 : probe_gprs[i].value;
			snprintf(name, sizeof(name), "%s", probe_gprs[i].name);
		} else if (i < PROBE_RED) {
			want = XMM(i - PROBE_XMM);
			snprintf(name, sizeof(name), "xmm%d", i - PROBE_XMM);
		} else {
			want = RED;
			snprintf(name, sizeof(name), "red zone word %d",
			    i - PROBE_RED);
		}
		if (got[i] != want) {
			kt_diag("%s is %#lx, expected %#lx", name, got[i],
			    want);
			kt_failed = true;
		}
	}
}

/* A handler that overwrites every register: after rt_sigreturn all of
 * them, the SSE registers and the red zone hold their values again. */
static void
sigreturn_restores_registers(void)
{
	struct sigaction sa = { .sa_handler = clobber_handler };
	unsigned long got[NPROBE];

	KT_ASSERT_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	regs_probe(gettid(), got);
	KT_EXPECT_EQ(clobber_calls, 1);
	probe_check(got, GPR(7));
}

/* Set r12 in the interrupted context to EDITED. */
static void
edit_context(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	((ucontext_t *)uc)->uc_mcontext.gregs[REG_R12] = EDITED;
	calls++;
}

/* What a handler writes into its ucontext is what rt_sigreturn loads. */
static void
handler_edits_context(void)
{
	unsigned long got[NPROBE];
	struct sigaction sa = { .sa_sigaction = edit_context,
	    .sa_flags = SA_SIGINFO };

	KT_ASSERT_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	regs_probe(gettid(), got);
	KT_EXPECT_EQ(calls, 1);
	probe_check(got, EDITED);
}

/* SIGUSR1 handler: raise SIGUSR2 (handled by clobber_handler), so that
 * a second frame is built and unwound inside this one. */
static void
raise_nested(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	raise(SIGUSR2);
	calls++;
}

/* Frames nest: a handler interrupted by another handler that clobbers
 * everything; both return and every register is back. */
static void
nested_frames(void)
{
	struct sigaction sa = { .sa_sigaction = raise_nested,
	    .sa_flags = SA_SIGINFO };
	unsigned long got[NPROBE];

	KT_ASSERT_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	sa.sa_handler = clobber_handler;
	sa.sa_flags = 0;
	KT_ASSERT_EQ(sigaction(SIGUSR2, &sa, NULL), 0);
	regs_probe(gettid(), got);
	KT_EXPECT_EQ(calls, 1);
	KT_EXPECT_EQ(clobber_calls, 1);
	probe_check(got, GPR(7));
}

/* A fault's handler makes the page writable; the faulting store is
 * retried and %rcx/%r11 of the interrupted code come back intact (a kernel
 * returning with SYSRET would load them from %rip and %rflags). */
static char *rw_page;

static void
unprotect(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	mprotect(rw_page, 4096, PROT_READ | PROT_WRITE);
}

static void
fault_keeps_rcx_r11(void)
{
	struct sigaction sa = { .sa_sigaction = unprotect, .sa_flags = SA_SIGINFO };
	unsigned long rcx, r11;

	rw_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KT_ASSERT(rw_page != MAP_FAILED);
	KT_ASSERT_EQ(sigaction(SIGSEGV, &sa, NULL), 0);
	__asm__ volatile("movabs $0x1234567812345678, %%rcx\n\t"
	    "movabs $0x0badc0de0badc0de, %%r11\n\t"
	    "movb $1, (%2)\n\t"
	    "mov %%rcx, %0\n\t"
	    "mov %%r11, %1"
	    : "=r"(rcx), "=r"(r11) : "r"(rw_page) : "rcx", "r11", "memory");
	KT_EXPECT_EQ(rcx, 0x1234567812345678ul);
	KT_EXPECT_EQ(r11, 0x0badc0de0badc0deul);
	KT_EXPECT_EQ(rw_page[0], 1);
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(sigreturn_restores_registers),
	KT_CASE_FORK(handler_edits_context),
	KT_CASE_FORK(nested_frames),
	KT_CASE_FORK(fault_keeps_rcx_r11),
};

int
main(void)
{
	return kt_main("sigframe", cases, KT_NCASES(cases));
}
