/*
 * signals: rt_sigaction handlers that run and return (the registers they
 * clobber are sigframe's subject), a fault handler that repairs and
 * retries, default actions that kill with the right status, kill and
 * tkill, SIGSTOP/SIGCONT seen through wait4, and masks (blocked, pending,
 * the handler's own mask). Every case runs in a forked child:
 * dispositions and masks are per process.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "ktest.h"

static volatile sig_atomic_t calls, depth, max_depth, last_sig;
static volatile siginfo_t last_info;

/* Install an SA_SIGINFO handler for sig, blocking also_block while it
 * runs (0: none); return false (the case failed) if sigaction fails. */
static bool
handle(int sig, void (*handler)(int, siginfo_t *, void *), int also_block)
{
	struct sigaction sa = { .sa_sigaction = handler,
	    .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	if (also_block != 0)
		sigaddset(&sa.sa_mask, also_block);
	return KT_EXPECT_EQ(sigaction(sig, &sa, NULL), 0);
}

/* Count the call, remember its siginfo and signal. */
static void
on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	calls++;
	last_info = *si;
	last_sig = sig;
}

/* A handler runs once per kill/tkill to ourselves, before the call
 * returns, with the sender in its siginfo; execution then goes on. */
static void
handler_runs(void)
{
	KT_ASSERT(handle(SIGUSR1, on_signal, 0));
	KT_ASSERT_EQ(kill(getpid(), SIGUSR1), 0);
	KT_EXPECT_EQ(calls, 1);
	KT_EXPECT_EQ(last_info.si_signo, SIGUSR1);
	KT_EXPECT_EQ(last_info.si_code, SI_USER);
	KT_EXPECT_EQ(last_info.si_pid, getpid());
	KT_EXPECT_EQ(last_info.si_uid, getuid());
	KT_ASSERT_EQ(syscall(SYS_tkill, gettid(), SIGUSR1), 0);
	KT_EXPECT_EQ(calls, 2);
	KT_EXPECT_EQ(last_info.si_code, SI_TKILL);
}

static char *fault_page;

/* Make fault_page writable if si_addr lies in it (else give up). */
static void
repair(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	calls++;
	last_info = *si;
	if ((char *)si->si_addr < fault_page ||
	    (char *)si->si_addr >= fault_page + 4096 || calls > 1)
		_exit(3);
	mprotect(fault_page, 4096, PROT_READ | PROT_WRITE);
}

/* A SIGSEGV handler sees the faulting address, repairs the page and
 * returns: the faulting write runs again and succeeds. */
static void
fault_handler_retries(void)
{
	fault_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	KT_ASSERT(fault_page != MAP_FAILED);
	KT_ASSERT(handle(SIGSEGV, repair, 0));
	((volatile char *)fault_page)[100] = 'r';
	KT_EXPECT_EQ(calls, 1);
	KT_EXPECT_EQ(fault_page[100], 'r');
	KT_EXPECT(last_info.si_addr == fault_page + 100);
	KT_EXPECT_EQ(last_info.si_code, SEGV_ACCERR);
}

/* In a child: write through NULL, with SIGSEGV blocked if *block. */
static void
null_write(void *block)
{
	sigset_t set;

	if (*(bool *)block) {
		sigemptyset(&set);
		sigaddset(&set, SIGSEGV);
		sigprocmask(SIG_BLOCK, &set, NULL);
	}
	*(volatile int *)0 = 1;
}

/* A fault with no handler kills by SIGSEGV, even with SIGSEGV blocked. */
static void
segv_default_kills(void)
{
	bool block;
	int status, i;

	for (i = 0; i < 2; i++) {
		block = i == 1;
		status = kt_child_status(null_write, &block);
		KT_EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
	}
}

/* Fork a child that sleeps until a signal ends it; return its pid. */
static pid_t
spawn_sleeper(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		kt_sleep_forever();
	return pid;
}

/* kill: signal 0 probes, a bad signal is EINVAL, a missing pid ESRCH;
 * kill and tkill of a child kill it with that signal. */
static void
kill_tkill(void)
{
	int status;
	pid_t pid;

	KT_EXPECT_EQ(kill(getpid(), 0), 0);
	KT_EXPECT_ERR(kill(getpid(), 999), EINVAL);
	KT_EXPECT_ERR(kill(0x3ffffff0, SIGTERM), ESRCH);
	KT_EXPECT_EQ(syscall(SYS_tkill, gettid(), 0), 0);
	KT_EXPECT_ERR(syscall(SYS_tkill, 0x3ffffff0, SIGTERM), ESRCH);
	for (int i = 0; i < 2; i++) {
		pid = spawn_sleeper();
		KT_ASSERT(pid > 0);
		if (i == 0)
			KT_EXPECT_EQ(kill(pid, SIGTERM), 0);
		else	/* the child's main thread: tid == pid */
			KT_EXPECT_EQ(syscall(SYS_tkill, pid, SIGKILL), 0);
		KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
		KT_EXPECT(WIFSIGNALED(status) &&
		    WTERMSIG(status) == (i == 0 ? SIGTERM : SIGKILL));
	}
}

/* SIGSTOP stops a child (wait4 WUNTRACED sees it), SIGCONT resumes it
 * (WCONTINUED sees that), SIGKILL ends it. */
static void
stop_cont(void)
{
	int status;
	pid_t pid;

	pid = spawn_sleeper();
	KT_ASSERT(pid > 0);
	KT_EXPECT_EQ(kill(pid, SIGSTOP), 0);
	KT_EXPECT_EQ(wait4(pid, &status, WUNTRACED, NULL), pid);
	KT_EXPECT(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
	KT_EXPECT_EQ(wait4(pid, &status, WUNTRACED | WNOHANG, NULL), 0);
	KT_EXPECT_EQ(kill(pid, SIGCONT), 0);
	KT_EXPECT_EQ(wait4(pid, &status, WCONTINUED, NULL), pid);
	KT_EXPECT(WIFCONTINUED(status));
	KT_EXPECT_EQ(kill(pid, SIGKILL), 0);
	KT_EXPECT_EQ(wait4(pid, &status, 0, NULL), pid);
	KT_EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* A blocked signal stays pending (twice raised, once delivered: standard
 * signals do not queue) until rt_sigprocmask unblocks it. */
static void
blocked_pending(void)
{
	sigset_t set, old;

	KT_ASSERT(handle(SIGUSR1, on_signal, 0));
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	KT_ASSERT_EQ(sigprocmask(SIG_BLOCK, &set, &old), 0);
	KT_EXPECT(!sigismember(&old, SIGUSR1));
	raise(SIGUSR1);
	raise(SIGUSR1);
	KT_EXPECT_EQ(calls, 0);
	KT_ASSERT_EQ(sigprocmask(SIG_UNBLOCK, &set, NULL), 0);
	KT_EXPECT_EQ(calls, 1);
}

/* Raise SIGUSR1 again and SIGUSR2 from inside the SIGUSR1 handler (both
 * blocked in it), recording the nesting depth. */
static void
nested_raise(int sig, siginfo_t *si, void *uc)
{
	on_signal(sig, si, uc);
	if (++depth > max_depth)
		max_depth = depth;
	if (sig == SIGUSR1 && calls == 1) {
		raise(SIGUSR1);
		raise(SIGUSR2);
	}
	depth--;
}

/* While a handler runs, its own signal and its sa_mask are blocked; both
 * are delivered after it returns, and the old mask is back. */
static void
handler_mask(void)
{
	sigset_t now;

	KT_ASSERT(handle(SIGUSR1, nested_raise, SIGUSR2));
	KT_ASSERT(handle(SIGUSR2, nested_raise, 0));
	raise(SIGUSR1);
	KT_EXPECT_EQ(calls, 3);
	KT_EXPECT_EQ(max_depth, 1);
	KT_EXPECT_EQ(last_sig, SIGUSR2);	/* lower numbers go first */
	KT_ASSERT_EQ(sigprocmask(SIG_BLOCK, NULL, &now), 0);
	KT_EXPECT(!sigismember(&now, SIGUSR1) && !sigismember(&now, SIGUSR2));
}

/* SIGKILL and SIGSTOP cannot be caught, ignored or blocked; an ignored
 * signal does nothing. */
static void
uncatchable_and_ignored(void)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };
	sigset_t set;

	KT_EXPECT_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
	KT_EXPECT_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL);
	sigfillset(&set);
	KT_ASSERT_EQ(sigprocmask(SIG_BLOCK, &set, NULL), 0);
	KT_ASSERT_EQ(sigprocmask(SIG_BLOCK, NULL, &set), 0);
	KT_EXPECT(!sigismember(&set, SIGKILL) && !sigismember(&set, SIGSTOP));
	sigemptyset(&set);
	KT_ASSERT_EQ(sigprocmask(SIG_SETMASK, &set, NULL), 0);
	KT_ASSERT_EQ(sigaction(SIGUSR2, &sa, NULL), 0);
	KT_EXPECT_EQ(kill(getpid(), SIGUSR2), 0);	/* ignored: we live */
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(handler_runs),
	KT_CASE_FORK(fault_handler_retries),
	KT_CASE_FORK(segv_default_kills),
	KT_CASE_FORK(kill_tkill),
	KT_CASE_FORK(stop_cont),
	KT_CASE_FORK(blocked_pending),
	KT_CASE_FORK(handler_mask),
	KT_CASE_FORK(uncatchable_and_ignored),
};

int
main(void)
{
	return kt_main("signals", cases, KT_NCASES(cases));
}
