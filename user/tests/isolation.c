/*
 * isolation: user/kernel isolation as a process sees it. Reading, writing
 * or jumping to a kernel address (the kernel image at 0xffffffff80000000,
 * the direct map at 0xffff800000000000) kills with SIGSEGV, si_code
 * SEGV_MAPERR at that address; a non-canonical address with SIGSEGV,
 * SI_KERNEL (a general protection fault: no address). Code in the stack,
 * the heap, the data segment or an mmap without PROT_EXEC does not run:
 * SIGSEGV, SEGV_ACCERR at the code's address; the same bytes run once
 * mprotect adds PROT_EXEC (the control). mmap(MAP_FIXED) at page 0 fails
 * with EPERM (Linux: mmap_min_addr, unless the caller has CAP_SYS_RAWIO),
 * at a kernel or non-canonical address, at the top user page or across
 * the canonical hole with ENOMEM; munmap there says EINVAL, mprotect
 * ENOMEM; a kernel address as mmap's hint is ignored. System calls given
 * kernel pointers fail with EFAULT and move no data. The user's own
 * rflags.AC (alignment check, SMAP's switch in the kernel) set across a
 * page fault and a system call changes nothing for the kernel and comes
 * back as it was.
 *
 * Each killing case runs in a child whose SIGSEGV handler (SA_RESETHAND)
 * reports si_code and si_addr through a pipe and returns: the access runs
 * again, this time under the default action, and the child dies by
 * SIGSEGV, which the parent checks with its si_code and si_addr.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "ktest.h"

#define PAGE		4096ul
#define KERNEL_TEXT	0xffffffff80000000ul
#define DIRECT_MAP	0xffff800000000000ul
#define NONCANONICAL	0x0000800000000000ul
#define USER_TOP	0x00007ffffffff000ul	/* Linux's TASK_SIZE */
#define RET		0xc3			/* x86 ret */
#define PSL_AC		0x40000ul
#define CAP_SYS_RAWIO	17

/* What a child's SIGSEGV looked like, and the address it expected. */
struct segv {
	int		code;
	uintptr_t	addr;
	uintptr_t	expect;
};

static int segv_fd = -1;		/* the child's report pipe */
static uintptr_t segv_expect;		/* the child's expected si_addr */
static char data_code[64] = { RET };	/* code in the data segment */

/* SIGSEGV handler: report, then return to fault again (SA_RESETHAND). */
static void
segv_report(int sig, siginfo_t *si, void *uc)
{
	struct segv s = { si->si_code, (uintptr_t)si->si_addr, segv_expect };

	(void)sig;
	(void)uc;
	if (write(segv_fd, &s, sizeof(s)) != sizeof(s))
		_exit(3);
}

/* Read the byte at addr (in a child expected to die). */
static void
read_at(uintptr_t addr)
{
	(void)*(volatile char *)addr;
}

/* Write the byte at addr (in a child expected to die). */
static void
write_at(uintptr_t addr)
{
	*(volatile char *)addr = 1;
}

/* Call the code at addr. */
static void
call_at(uintptr_t addr)
{
	((void (*)(void))addr)();
}

/* Run fn(addr) in a child with the reporting handler; fail the case
 * unless the child died by SIGSEGV with si_code code at si_addr want
 * (which fn may replace in segv_expect: an address only it knows). */
static void
expect_segv(void (*fn)(uintptr_t), uintptr_t addr, int code, uintptr_t want,
    const char *what)
{
	struct sigaction sa = { .sa_sigaction = segv_report,
	    .sa_flags = SA_SIGINFO | SA_RESETHAND };
	struct segv s = { -1, 0, 0 };
	char why[64];
	int fds[2], status;
	pid_t pid;

	KT_ASSERT_EQ(pipe(fds), 0);
	fflush(stdout);
	pid = fork();
	KT_ASSERT(pid >= 0);
	if (pid == 0) {
		segv_fd = fds[1];
		segv_expect = want;
		if (sigaction(SIGSEGV, &sa, NULL) != 0)
			_exit(2);
		fn(addr);
		_exit(0);
	}
	close(fds[1]);
	KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	if (read(fds[0], &s, sizeof(s)) != sizeof(s))
		s.code = -1;
	close(fds[0]);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSEGV ||
	    s.code != code || s.addr != s.expect) {
		kt_diag("%s %#lx: child %s, si_code %d, si_addr %#lx; expected "
		    "SIGSEGV, si_code %d, si_addr %#lx", what,
		    (unsigned long)addr, kt_status_str(status, why, sizeof(why)),
		    s.code, (unsigned long)s.addr, code,
		    (unsigned long)s.expect);
		kt_failed = true;
	}
}

/* Reading, writing and jumping to the kernel's image and direct map. */
static void
kernel_addresses_segv(void)
{
	static const uintptr_t k[] = { KERNEL_TEXT, KERNEL_TEXT + 0x100000,
	    DIRECT_MAP, DIRECT_MAP + 0x100000 };

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		expect_segv(read_at, k[i], SEGV_MAPERR, k[i], "read");
		expect_segv(write_at, k[i], SEGV_MAPERR, k[i], "write");
		expect_segv(call_at, k[i], SEGV_MAPERR, k[i], "jump to");
	}
}

/* The first non-canonical address: a general protection fault. */
static void
noncanonical_segv(void)
{
	expect_segv(read_at, NONCANONICAL, SI_KERNEL, 0, "read");
	expect_segv(write_at, NONCANONICAL, SI_KERNEL, 0, "write");
	expect_segv(read_at, DIRECT_MAP - PAGE, SI_KERNEL, 0, "read");
}

/* Code in this function's stack frame: run it. */
static void
stack_code(uintptr_t unused)
{
	volatile unsigned char code[16] = { RET };

	(void)unused;
	segv_expect = (uintptr_t)code;
	call_at((uintptr_t)code);
}

/* Code in the heap, a read-write mmap, a read-only one, the data segment
 * and the stack does not run. */
static void
no_exec_anywhere(void)
{
	unsigned char *heap = malloc(64);
	unsigned char *rw = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *ro = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	KT_ASSERT(heap != NULL && rw != MAP_FAILED && ro != MAP_FAILED);
	heap[0] = rw[0] = ro[0] = RET;
	KT_ASSERT_EQ(mprotect(ro, PAGE, PROT_READ), 0);
	expect_segv(call_at, (uintptr_t)heap, SEGV_ACCERR, (uintptr_t)heap,
	    "heap");
	expect_segv(call_at, (uintptr_t)rw, SEGV_ACCERR, (uintptr_t)rw,
	    "read-write mmap");
	expect_segv(call_at, (uintptr_t)ro, SEGV_ACCERR, (uintptr_t)ro,
	    "read-only mmap");
	expect_segv(call_at, (uintptr_t)data_code, SEGV_ACCERR,
	    (uintptr_t)data_code, "data segment");
	expect_segv(stack_code, 0, SEGV_ACCERR, 0, "stack");
	free(heap);
}

/* The control: the same bytes run once mprotect adds PROT_EXEC. */
static void
exec_when_allowed(void)
{
	unsigned char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	KT_ASSERT(p != MAP_FAILED);
	p[0] = RET;
	KT_ASSERT_EQ(mprotect(p, PAGE, PROT_READ | PROT_EXEC), 0);
	call_at((uintptr_t)p);
	KT_EXPECT_EQ(munmap(p, PAGE), 0);
}

/* Return true if this is Linux and the effective capabilities hold
 * CAP_SYS_RAWIO (which lets mmap go below mmap_min_addr). */
static bool
linux_rawio(void)
{
	char line[256];
	unsigned long long caps = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return (caps >> CAP_SYS_RAWIO) & 1;
}

/* mmap(MAP_FIXED) where no user memory can be; munmap and mprotect
 * there; a kernel hint is ignored. */
static void
mmap_outside_user(void)
{
	static const struct {
		uintptr_t	addr;
		size_t		len;
	} bad[] = {
		{ KERNEL_TEXT, PAGE }, { DIRECT_MAP, PAGE },
		{ NONCANONICAL, PAGE }, { USER_TOP, PAGE },
		{ USER_TOP - PAGE, 2 * PAGE },	/* into the canonical hole */
		{ PAGE, USER_TOP },		/* past the top */
	};
	const long fixed = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
	long r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		KT_EXPECT_ERR(syscall(SYS_mmap, bad[i].addr, bad[i].len,
		    PROT_READ, fixed, -1, 0), ENOMEM);
		if (bad[i].addr >= USER_TOP) {
			KT_EXPECT_ERR(syscall(SYS_munmap, bad[i].addr,
			    bad[i].len), EINVAL);
			KT_EXPECT_ERR(syscall(SYS_mprotect, bad[i].addr,
			    bad[i].len, PROT_READ), ENOMEM);
		}
	}
	r = syscall(SYS_mmap, KERNEL_TEXT, PAGE, PROT_READ,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KT_EXPECT(r > 0 && (uintptr_t)r < USER_TOP);
	if (r > 0)
		KT_EXPECT_EQ(munmap((void *)r, PAGE), 0);
	if (linux_rawio())
		kt_diag("page 0 not tried: Linux lets CAP_SYS_RAWIO map it");
	else
		KT_EXPECT_ERR(syscall(SYS_mmap, 0, PAGE, PROT_READ, fixed, -1,
		    0), EPERM);
}

/* System calls given kernel buffers: EFAULT, and nothing moved. */
static void
kernel_pointers_efault(void)
{
	static const uintptr_t k[] = { KERNEL_TEXT, KERNEL_TEXT + 0x100000,
	    DIRECT_MAP + 0x100000 };
	char buf[8];
	int fds[2];

	KT_ASSERT_EQ(pipe(fds), 0);
	KT_ASSERT_EQ(write(fds[1], "isolated", 8), 8);
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		KT_EXPECT_ERR(syscall(SYS_read, fds[0], k[i], 8), EFAULT);
		KT_EXPECT_ERR(syscall(SYS_write, fds[1], k[i], 8), EFAULT);
		KT_EXPECT_ERR(syscall(SYS_uname, k[i]), EFAULT);
		KT_EXPECT_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC,
		    k[i]), EFAULT);
		KT_EXPECT_ERR(syscall(SYS_open, k[i], O_RDONLY), EFAULT);
	}
	KT_EXPECT_EQ(read(fds[0], buf, sizeof(buf)), 8);	/* all there */
	KT_EXPECT(memcmp(buf, "isolated", 8) == 0);
	close(fds[0]);
	close(fds[1]);
}

/* With rflags.AC set: touch a fresh page (a page fault), call getpid
 * (SYSCALL), read rflags, clear AC. Every access is aligned (Linux runs
 * user code with alignment checking on, so AC is live there). */
static long
ac_round_trip(volatile long *page, unsigned long *flags)
{
	long pid;

	__asm__ volatile(
	    "pushfq\n\t"
	    "orq	%[ac], (%%rsp)\n\t"
	    "popfq\n\t"
	    "movq	$1, (%[page])\n\t"
	    "movl	%[nr], %%eax\n\t"
	    "syscall\n\t"
	    "pushfq\n\t"
	    "popq	%[flags]\n\t"
	    "pushfq\n\t"
	    "andq	%[noac], (%%rsp)\n\t"
	    "popfq"
	    : "=&a"(pid), [flags] "=&r"(*flags)
	    : [page] "r"(page), [nr] "i"(SYS_getpid), [ac] "i"(PSL_AC),
	      [noac] "i"(~PSL_AC)
	    : "rcx", "r11", "memory", "cc");
	return pid;
}

/* AC set by the user across a fault and a system call: both work, the
 * kernel survives (trap() asserts it runs with AC clear), AC stays. */
static void
user_ac_flag(void)
{
	volatile long *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long flags = 0;

	KT_ASSERT(page != MAP_FAILED);
	KT_EXPECT_EQ(ac_round_trip(page, &flags), getpid());
	KT_EXPECT_EQ(page[0], 1);
	KT_EXPECT(flags & PSL_AC);		/* the user's, kept */
	KT_EXPECT_EQ(munmap((void *)page, PAGE), 0);
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(kernel_addresses_segv),
	KT_CASE_FORK(noncanonical_segv),
	KT_CASE_FORK(no_exec_anywhere),
	KT_CASE_FORK(exec_when_allowed),
	KT_CASE_FORK(mmap_outside_user),
	KT_CASE_FORK(kernel_pointers_efault),
	KT_CASE_FORK(user_ac_flag),
};

int
main(void)
{
	return kt_main("isolation", cases, KT_NCASES(cases));
}
