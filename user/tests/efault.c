/*
 * efault: every system call of DESIGN.md section 6 that takes a user
 * pointer, given a bad one (NULL, an unmapped page, the first
 * non-canonical address, the kernel's direct map and its image; for
 * outputs also a read-only page), fails with the errno Linux gives, mostly EFAULT, and the process
 * lives on. Calls go through syscall(2), so libc cannot catch them first.
 * Where Linux differs, the case checks what Linux does and says so: wait4
 * reaps the child before failing to store its status, ptrace PEEK/POKE of
 * a bad tracee address gives EIO, arch_prctl refuses a kernel FS base with
 * EPERM, rt_sigreturn with a bad frame kills by SIGSEGV. Not checked, as
 * Linux checks nothing at the call: set_tid_address and clone's
 * PARENT_SETTID/CHILD_CLEARTID pointers (used later, ignored if bad).
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

#include "ktest.h"

#define PAGE		4096
#define ARCH_SET_FS	0x1002		/* <asm/prctl.h> */
#define FUTEX_WAIT	0		/* <linux/futex.h> */
#define FUTEX_WAKE	1

static struct bad {
	const char	*name;
	void		*addr;
} bad[] = {
	{ "NULL", NULL },
	{ "unmapped", NULL },		/* set by main() */
	{ "non-canonical", (void *)0x0000800000000000ul },
	{ "kernel", (void *)0xffff800000000000ul },	/* the direct map */
	{ "kernel image", (void *)0xffffffff80100000ul },
	{ "read-only", NULL },		/* set by main(); outputs only */
};
#define NBAD_IN		5		/* bad pointers for inputs */
#define NBAD_OUT	6		/* ... and for outputs */

static const char *bad_name;		/* the pointer being tried */
static const char *self;		/* the path of this program */

/* syscall(args) must fail with EFAULT; what names it. */
#define EXPECT_EFAULT(what, ...) \
	expect_err(syscall(__VA_ARGS__), EFAULT, what)

/* Loop over the first n bad pointers, b set to each in turn. */
#define FOR_EACH_BAD(b, n)						\
	for (int bi_ = 0; bi_ < (n) &&					\
	    ((b) = bad[bi_].addr, bad_name = bad[bi_].name, 1); bi_++)

/* Record a failure unless ret/errno is -1/want; what names the call. */
static void
expect_err(long ret, int want, const char *what)
{
	int err = errno;

	if (ret != -1 || err != want) {
		kt_diag("%s, %s pointer: got %ld (%s), expected %s",
		    what, bad_name, ret, ret == -1 ? strerror(err) : "success",
		    strerror(want));
		kt_failed = true;
	}
}

/* read, write and writev with bad buffers and bad iovec arrays. */
static void
read_write(void)
{
	struct iovec iov;
	char *b, buf[8];
	int fds[2];

	KT_ASSERT_EQ(pipe(fds), 0);
	KT_ASSERT_EQ(write(fds[1], "data", 4), 4);
	FOR_EACH_BAD(b, NBAD_OUT)
		EXPECT_EFAULT("read", SYS_read, fds[0], b, 4);
	FOR_EACH_BAD(b, NBAD_IN) {
		EXPECT_EFAULT("write", SYS_write, fds[1], b, 4);
		EXPECT_EFAULT("writev iov", SYS_writev, fds[1], b, 1);
		iov.iov_base = b;
		iov.iov_len = 4;
		EXPECT_EFAULT("writev iov_base", SYS_writev, fds[1], &iov, 1);
	}
	KT_EXPECT_EQ(read(fds[0], buf, sizeof(buf)), 4);	/* still whole */
	KT_EXPECT(memcmp(buf, "data", 4) == 0);
}

/* open with a bad path; pipe and pipe2 with a bad fd array (no fd
 * leaks); getdents64 with a bad buffer. */
static void
paths_and_fds(void)
{
	int fd, before = dup(0);		/* the lowest free fd */
	char *b;

	close(before);
	FOR_EACH_BAD(b, NBAD_IN)
		EXPECT_EFAULT("open", SYS_open, b, O_RDONLY);
	FOR_EACH_BAD(b, NBAD_OUT) {
		EXPECT_EFAULT("pipe", SYS_pipe, b);
		EXPECT_EFAULT("pipe2", SYS_pipe2, b, 0);
	}
	fd = open("/", O_RDONLY | O_DIRECTORY);
	KT_EXPECT_EQ(fd, before);		/* no fd leaked */
	KT_ASSERT(fd >= 0);
	FOR_EACH_BAD(b, NBAD_OUT)
		EXPECT_EFAULT("getdents64", SYS_getdents64, fd, b, 4096);
	close(fd);
}

/* ioctl(TIOCGWINSZ) on a terminal with a bad pointer (on a non-terminal
 * Linux says ENOTTY first, so a terminal is needed). */
static void
ioctl_winsize(void)
{
	int fd = isatty(STDOUT_FILENO) ? STDOUT_FILENO :
	    posix_openpt(O_RDWR | O_NOCTTY);
	char *b;

	if (fd < 0) {
		kt_skip("no terminal to try TIOCGWINSZ on");
		return;
	}
	FOR_EACH_BAD(b, NBAD_OUT)
		EXPECT_EFAULT("ioctl TIOCGWINSZ", SYS_ioctl, fd, TIOCGWINSZ, b);
}

/* nanosleep, clock_gettime, uname and sysinfo. */
static void
time_and_info(void)
{
	char *b;

	FOR_EACH_BAD(b, NBAD_IN)
		EXPECT_EFAULT("nanosleep", SYS_nanosleep, b, NULL);
	FOR_EACH_BAD(b, NBAD_OUT) {
		EXPECT_EFAULT("clock_gettime", SYS_clock_gettime,
		    CLOCK_MONOTONIC, b);
		EXPECT_EFAULT("uname", SYS_uname, b);
		EXPECT_EFAULT("sysinfo", SYS_sysinfo, b);
	}
}

/* wait4 with a bad status or rusage pointer fails with EFAULT; Linux has
 * reaped the child by then (its status is lost): a second wait4 for it
 * gives ECHILD. exeunt does the same. */
static void
wait4_status(void)
{
	pid_t pid;
	char *b;

	FOR_EACH_BAD(b, NBAD_OUT) {
		if (b == NULL)
			continue;	/* NULL: "do not store it" */
		for (int rusage = 0; rusage < 2; rusage++) {
			fflush(stdout);
			pid = fork();
			if (pid == 0)
				_exit(3);
			KT_ASSERT(pid > 0);
			expect_err(syscall(SYS_wait4, pid, rusage ? NULL : b, 0,
			    rusage ? b : NULL), EFAULT,
			    rusage ? "wait4 rusage" : "wait4 status");
			KT_EXPECT_ERR(wait4(pid, NULL, 0, NULL), ECHILD);
		}
	}
}

/* rt_sigaction and rt_sigprocmask, new and old pointers; nothing changes
 * on failure. */
static void
signal_masks(void)
{
	struct sigaction sa;
	sigset_t mask;
	char *b;

	FOR_EACH_BAD(b, NBAD_IN) {
		if (b == NULL)
			continue;	/* NULL new action: "only query" */
		EXPECT_EFAULT("rt_sigaction act", SYS_rt_sigaction, SIGUSR1, b,
		    NULL, 8);
		EXPECT_EFAULT("rt_sigprocmask set", SYS_rt_sigprocmask,
		    SIG_BLOCK, b, NULL, 8);
	}
	FOR_EACH_BAD(b, NBAD_OUT) {
		if (b == NULL)
			continue;	/* NULL old action: "do not store" */
		EXPECT_EFAULT("rt_sigaction oldact", SYS_rt_sigaction, SIGUSR1,
		    NULL, b, 8);
		EXPECT_EFAULT("rt_sigprocmask oldset", SYS_rt_sigprocmask,
		    SIG_BLOCK, NULL, b, 8);
	}
	KT_ASSERT_EQ(sigaction(SIGUSR1, NULL, &sa), 0);
	KT_EXPECT(sa.sa_handler == SIG_DFL);
	KT_ASSERT_EQ(sigprocmask(SIG_BLOCK, NULL, &mask), 0);
	KT_EXPECT(!sigismember(&mask, SIGUSR1));
}

/* In a child: execve with a bad path, argv, argv[0] or envp. If an
 * execve wrongly succeeded, the new image sees no argv and exits 100. */
static void
execve_child(void *unused)
{
	char *argv[] = { (char *)self, NULL }, *env[] = { NULL }, *b;

	(void)unused;
	FOR_EACH_BAD(b, NBAD_IN) {
		EXPECT_EFAULT("execve path", SYS_execve, b, argv, env);
		if (b == NULL)
			continue;	/* NULL argv, envp: empty lists */
		EXPECT_EFAULT("execve argv", SYS_execve, self, b, env);
		char *badv[] = { b, NULL };
		EXPECT_EFAULT("execve argv[0]", SYS_execve, self, badv, env);
		EXPECT_EFAULT("execve envp", SYS_execve, self, argv, b);
	}
	fflush(stdout);
	_exit(kt_failed);
}

static void
execve_args(void)
{
	KT_EXPECT_EQ(kt_child_status(execve_child, NULL), 0);
}

/* Skip the running case if the kernel does not have syscall nr yet
 * (exeunt grows its syscall table issue by issue; Linux has them all). */
static bool
skip_if_enosys(long ret, const char *what)
{
	if (ret == -1 && errno == ENOSYS) {
		kt_skip("%s: not implemented in this kernel (ENOSYS)", what);
		return true;
	}
	return false;
}

/* futex WAIT on a bad word, and with a bad timeout. */
static void
futex_addr(void)
{
	int word = 0;
	char *b;

	if (skip_if_enosys(syscall(SYS_futex, &word, FUTEX_WAKE, 1, NULL, NULL, 0),
	    "futex"))
		return;
	FOR_EACH_BAD(b, NBAD_IN) {
		EXPECT_EFAULT("futex WAIT uaddr", SYS_futex, b, FUTEX_WAIT, 0,
		    NULL, NULL, 0);
		if (b != NULL)	/* NULL timeout: wait forever */
			EXPECT_EFAULT("futex WAIT timeout", SYS_futex, &word,
			    FUTEX_WAIT, 0, b, NULL, 0);
	}
}

/* process_vm_readv/writev on ourselves: bad iovec arrays and bad bases,
 * local and remote. */
static void
process_vm(void)
{
	char buf[16] = "process_vm", dst[16];
	struct iovec good = { buf, sizeof(buf) }, out = { dst, sizeof(dst) };
	struct iovec badv;
	pid_t me = getpid();
	char *b;

	if (skip_if_enosys(syscall(SYS_process_vm_readv, me, &out, 1, &good, 1,
	    0), "process_vm_readv"))
		return;
	KT_ASSERT_EQ(syscall(SYS_process_vm_readv, me, &out, 1, &good, 1, 0),
	    sizeof(buf));
	KT_EXPECT(memcmp(dst, buf, sizeof(buf)) == 0);
	FOR_EACH_BAD(b, NBAD_IN) {
		badv.iov_base = b;
		badv.iov_len = sizeof(buf);
		EXPECT_EFAULT("process_vm_readv local iov",
		    SYS_process_vm_readv, me, b, 1, &good, 1, 0);
		EXPECT_EFAULT("process_vm_readv remote iov",
		    SYS_process_vm_readv, me, &out, 1, b, 1, 0);
		EXPECT_EFAULT("process_vm_readv remote base",
		    SYS_process_vm_readv, me, &out, 1, &badv, 1, 0);
		EXPECT_EFAULT("process_vm_writev remote base",
		    SYS_process_vm_writev, me, &good, 1, &badv, 1, 0);
		EXPECT_EFAULT("process_vm_writev local base",
		    SYS_process_vm_writev, me, &badv, 1, &out, 1, 0);
	}
	FOR_EACH_BAD(b, NBAD_OUT) {
		badv.iov_base = b;
		EXPECT_EFAULT("process_vm_readv local base",
		    SYS_process_vm_readv, me, &badv, 1, &good, 1, 0);
	}
}

/* ptrace of a stopped child: GETREGS/SETREGS with a bad buffer give
 * EFAULT, PEEKDATA with a bad result pointer EFAULT; PEEKDATA/POKEDATA
 * at a bad address in the tracee give EIO (Linux's errno). */
static void
ptrace_bad(void)
{
	long word = 0;
	int status;
	pid_t pid;
	char *b;

	/* not traced by us: Linux says ESRCH */
	if (skip_if_enosys(syscall(SYS_ptrace, PTRACE_PEEKDATA, getpid(), &word,
	    &word), "ptrace"))
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		_exit(0);
	}
	KT_ASSERT(pid > 0);
	KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	KT_ASSERT(WIFSTOPPED(status));
	KT_EXPECT_EQ(syscall(SYS_ptrace, PTRACE_PEEKDATA, pid, &word, &word),
	    0);
	FOR_EACH_BAD(b, NBAD_OUT) {
		EXPECT_EFAULT("ptrace GETREGS", SYS_ptrace, PTRACE_GETREGS,
		    pid, 0, b);
		EXPECT_EFAULT("ptrace PEEKDATA result", SYS_ptrace,
		    PTRACE_PEEKDATA, pid, &word, b);
	}
	FOR_EACH_BAD(b, NBAD_IN) {
		EXPECT_EFAULT("ptrace SETREGS", SYS_ptrace, PTRACE_SETREGS,
		    pid, 0, b);
		expect_err(syscall(SYS_ptrace, PTRACE_PEEKDATA, pid, b, &word),
		    EIO, "ptrace PEEKDATA addr");
		expect_err(syscall(SYS_ptrace, PTRACE_POKEDATA, pid, b, 0),
		    EIO, "ptrace POKEDATA addr");
	}
	kill(pid, SIGKILL);
	KT_EXPECT_EQ(waitpid(pid, &status, 0), pid);
}

/* In a child: arch_prctl(ARCH_SET_FS) to a non-user address. */
static void
set_fs_child(void *addr)
{
	_exit(syscall(SYS_arch_prctl, ARCH_SET_FS, addr) == -1 &&
	    errno == EPERM ? 0 : 1);
}

/* arch_prctl(ARCH_SET_FS) refuses a non-canonical or kernel base with
 * EPERM, in a child (success would break its thread pointer). */
static void
arch_prctl_fs(void)
{
	KT_EXPECT_EQ(kt_child_status(set_fs_child, bad[2].addr), 0);
	KT_EXPECT_EQ(kt_child_status(set_fs_child, bad[3].addr), 0);
	KT_EXPECT_EQ(kt_child_status(set_fs_child, bad[4].addr), 0);
}

/* In a child: rt_sigreturn with the stack pointer (the frame) at addr. */
static void
sigreturn_child(void *addr)
{
	__asm__ volatile("mov %0, %%rsp\n\tmov %1, %%eax\n\tsyscall"
	    :: "r"(addr), "i"(SYS_rt_sigreturn) : "memory");
}

/* rt_sigreturn with a frame at a bad address kills the caller with
 * SIGSEGV (Linux), and nothing else. */
static void
sigreturn_bad_frame(void)
{
	char why[64];
	int status;
	void *b;

	FOR_EACH_BAD(b, NBAD_IN) {
		status = kt_child_status(sigreturn_child, b);
		if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)) {
			kt_diag("rt_sigreturn, %s frame: %s", bad_name,
			    kt_status_str(status, why, sizeof(why)));
			kt_failed = true;
		}
	}
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(read_write),
	KT_CASE_FORK(paths_and_fds),
	KT_CASE_FORK(ioctl_winsize),
	KT_CASE_FORK(time_and_info),
	KT_CASE_FORK(wait4_status),
	KT_CASE_FORK(signal_masks),
	KT_CASE_FORK(execve_args),
	KT_CASE_FORK(futex_addr),
	KT_CASE_FORK(process_vm),
	KT_CASE_FORK(ptrace_bad),
	KT_CASE_FORK(arch_prctl_fs),
	KT_CASE_FORK(sigreturn_bad_frame),
};

int
main(int argc, char **argv)
{
	if (argc < 1 || argv[0] == NULL)
		return 100;	/* an execve that should have failed */
	self = kt_self_path(argv[0]);
	bad[1].addr = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bad[5].addr = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (bad[1].addr == MAP_FAILED || bad[5].addr == MAP_FAILED ||
	    munmap(bad[1].addr, PAGE) != 0)
		return 1;
	return kt_main("efault", cases, KT_NCASES(cases));
}
