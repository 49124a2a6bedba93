/*
 * ptrace: the requests exeunt has (TRACEME, ATTACH, PEEKDATA, POKEDATA,
 * GETREGS, SETREGS, CONT, KILL, DETACH) with Linux's semantics and
 * errnos, wait4's view of a tracee (its stops, its exit reported once to
 * the tracer, then to a parent that is not the tracer), a tracer's exit
 * freeing its tracees, and PEEKDATA racing the tracee's death on another
 * CPU while canaries recycle pages. Calls go through syscall(2): PEEKDATA
 * stores the word at data and returns 0, Linux's raw system call.
 *
 * Where Linux and exeunt may differ, the case says so and takes both:
 * SETREGS with a non-canonical %rip (Linux takes it and faults on the way
 * out; exeunt refuses with EIO). Linux lets root attach to pid 1, so the
 * as-root attempt on pid 1 is made only on exeunt; from another uid it
 * is EPERM on both.
 */
#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "ktest.h"
#include "race.h"

#define PEEK_LOOPS	3000		/* PEEKs per race round */
#define PEEK_ROUNDS	4

static const char *self;

static long
pt(long req, pid_t pid, const void *addr, const void *data)
{
	return syscall(SYS_ptrace, req, pid, addr, data);
}

/* Wait for pid; expect it stopped by sig. */
static bool
expect_stop(pid_t pid, int sig)
{
	char why[64];
	int status;

	if (!KT_EXPECT_EQ(waitpid(pid, &status, 0), pid))
		return false;
	if (WIFSTOPPED(status) && WSTOPSIG(status) == sig)
		return true;
	kt_diag("pid %d: %s, expected a stop by %d", (int)pid,
	    kt_status_str(status, why, sizeof(why)), sig);
	kt_failed = true;
	return false;
}

/* Read one byte from fd, retrying an interrupted read. */
static void
read_byte(int fd)
{
	char c;

	while (read(fd, &c, 1) == -1 && errno == EINTR)
		;
}

/* Fork a child that waits until go[1] is closed (or written), then exits
 * with code; return its pid (the parent keeps go[1]), or -1. */
static pid_t
fork_waiting(int go[2], int code)
{
	pid_t pid;

	if (pipe(go) != 0)
		return -1;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(go[1]);
		read_byte(go[0]);
		_exit(code);
	}
	return pid;
}

static volatile uint64_t shared_word = 0x1122334455667788ul;

/* TRACEME, a stop at raise(SIGSTOP) seen by wait4 without WUNTRACED,
 * CONT, the exit reported once. */
static void
traceme_stop_cont(void)
{
	int status;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (pt(PTRACE_TRACEME, 0, NULL, NULL) != 0)
			_exit(10);
		/* a second TRACEME: already traced */
		if (pt(PTRACE_TRACEME, 0, NULL, NULL) != -1 || errno != EPERM)
			_exit(11);
		raise(SIGSTOP);
		_exit(7);
	}
	KT_ASSERT(pid > 0);
	if (expect_stop(pid, SIGSTOP))
		KT_EXPECT_EQ(pt(PTRACE_CONT, pid, NULL, NULL), 0);
	KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 7);
	KT_EXPECT_ERR(waitpid(pid, &status, 0), ECHILD);
}

/* A signal a tracee gets stops it first; CONT with 0 cancels it, CONT
 * with another signal delivers that one instead. */
static int usr1_seen;

static void
on_usr1(int sig)
{
	(void)sig;
	usr1_seen++;
}

static void
signal_stop_replace(void)
{
	int status;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		signal(SIGUSR1, on_usr1);
		if (pt(PTRACE_TRACEME, 0, NULL, NULL) != 0)
			_exit(10);
		raise(SIGTERM);		/* its default kills: the tracer cancels */
		raise(SIGUSR2);		/* replaced by SIGUSR1 */
		_exit(usr1_seen == 1 ? 0 : 12);
	}
	KT_ASSERT(pid > 0);
	if (expect_stop(pid, SIGTERM))
		KT_EXPECT_EQ(pt(PTRACE_CONT, pid, NULL, NULL), 0);
	if (expect_stop(pid, SIGUSR2))
		KT_EXPECT_EQ(pt(PTRACE_CONT, pid, NULL, (void *)SIGUSR1), 0);
	/* the replacement is delivered without another stop */
	KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* ATTACH a child blocked in read: it stops with SIGSTOP; PEEK sees its
 * word, POKE changes it (the child sees the change after CONT). */
static void
attach_peek_poke(void)
{
	int go[2], ready[2], status;
	long word = 0;
	pid_t pid;

	KT_ASSERT_EQ(pipe(go), 0);
	KT_ASSERT_EQ(pipe(ready), 0);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		shared_word = 0xfeedfacecafebeeful;
		close(go[1]);
		if (write(ready[1], "r", 1) != 1)
			_exit(12);
		read_byte(go[0]);
		_exit(shared_word == 0x0123456789abcdeful ? 0 : 13);
	}
	close(go[0]);
	KT_ASSERT(pid > 0);
	read_byte(ready[0]);
	close(ready[0]);
	close(ready[1]);
	KT_EXPECT_EQ(pt(PTRACE_ATTACH, pid, NULL, NULL), 0);
	KT_EXPECT_ERR(pt(PTRACE_ATTACH, pid, NULL, NULL), EPERM); /* again */
	if (expect_stop(pid, SIGSTOP)) {
		KT_EXPECT_EQ(pt(PTRACE_PEEKDATA, pid, (void *)&shared_word, &word), 0);
		KT_EXPECT_EQ(word, (long)0xfeedfacecafebeeful);
		KT_EXPECT_EQ(pt(PTRACE_POKEDATA, pid, (void *)&shared_word,
		    (void *)0x0123456789abcdeful), 0);
		KT_EXPECT_EQ(pt(PTRACE_PEEKTEXT, pid, (void *)&shared_word, &word), 0);
		KT_EXPECT_EQ(word, (long)0x0123456789abcdeful);
		/* POKETEXT writes even a read-only (text) page */
		KT_EXPECT_EQ(pt(PTRACE_PEEKTEXT, pid, (void *)attach_peek_poke,
		    &word), 0);
		KT_EXPECT_EQ(pt(PTRACE_POKETEXT, pid, (void *)attach_peek_poke,
		    (void *)word), 0);
		KT_EXPECT_EQ(shared_word, 0x1122334455667788ul); /* ours: ours */
		KT_EXPECT_EQ(pt(PTRACE_CONT, pid, NULL, NULL), 0);
	}
	KT_EXPECT_EQ(write(go[1], "g", 1), 1);
	KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(go[1]);
}

/* In the tracee of getregs_setregs: stop, and exit with what tkill
 * returned (the tracer sets %rax meanwhile). */
static void
regs_child(void)
{
	long r;

	if (pt(PTRACE_TRACEME, 0, NULL, NULL) != 0)
		_exit(10);
	r = syscall(SYS_tkill, (pid_t)syscall(SYS_gettid), SIGSTOP);
	_exit(r == 0x5a ? 0 : 14);
}

/* GETREGS of a stopped tracee, SETREGS of %rax seen by the tracee; bad
 * segments are refused (EIO), privileged rflags bits dropped. */
static void
getregs_setregs(void)
{
	struct user_regs_struct regs, bad, back;
	int status;
	long r;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0)
		regs_child();
	KT_ASSERT(pid > 0);
	if (!expect_stop(pid, SIGSTOP)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return;
	}
	KT_EXPECT_EQ(pt(PTRACE_GETREGS, pid, NULL, &regs), 0);
	KT_EXPECT(regs.rip > 0 && regs.rip < 0x800000000000ul);
	KT_EXPECT(regs.rsp > 0 && regs.rsp < 0x800000000000ul);
	KT_EXPECT_EQ(regs.cs & 3, 3);
	KT_EXPECT_EQ(regs.ss & 3, 3);
	KT_EXPECT_EQ(regs.rax, 0);		/* tkill's result */
	KT_EXPECT(regs.eflags & 0x200);		/* IF */

	bad = regs;
	bad.cs = 0x10;				/* a kernel selector */
	KT_EXPECT_ERR(pt(PTRACE_SETREGS, pid, NULL, &bad), EIO);
	bad = regs;
	bad.ss = 0;
	KT_EXPECT_ERR(pt(PTRACE_SETREGS, pid, NULL, &bad), EIO);
	bad = regs;
	bad.fs_base = 0xffff800000000000ul;
	KT_EXPECT_ERR(pt(PTRACE_SETREGS, pid, NULL, &bad), EIO);
	/* a non-canonical %rip: EIO on exeunt, taken by Linux (put back) */
	bad = regs;
	bad.rip = 0x0000800000000000ul;
	r = pt(PTRACE_SETREGS, pid, NULL, &bad);
	KT_EXPECT(r == 0 || (r == -1 && errno == EIO));
	/* IOPL may not be set (exeunt drops NT too, as its sigreturn does) */
	bad = regs;
	bad.rax = 0x5a;
	bad.eflags |= 0x3000;
	KT_EXPECT_EQ(pt(PTRACE_SETREGS, pid, NULL, &bad), 0);
	KT_EXPECT_EQ(pt(PTRACE_GETREGS, pid, NULL, &back), 0);
	KT_EXPECT_EQ(back.rax, 0x5a);
	KT_EXPECT_EQ(back.rip, regs.rip);
	KT_EXPECT_EQ(back.eflags & 0x3000, 0);
	KT_EXPECT_EQ(pt(PTRACE_CONT, pid, NULL, NULL), 0);
	KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* DETACH lets a tracee go (it runs on, untraced: PEEK says ESRCH);
 * PTRACE_KILL kills; each end is reported once. */
static void
detach_and_kill(void)
{
	int go[2], status;
	long word;
	pid_t pid;

	KT_ASSERT((pid = fork_waiting(go, 9)) > 0);
	KT_EXPECT_EQ(pt(PTRACE_ATTACH, pid, NULL, NULL), 0);
	if (expect_stop(pid, SIGSTOP))
		KT_EXPECT_EQ(pt(PTRACE_DETACH, pid, NULL, NULL), 0);
	KT_EXPECT_ERR(pt(PTRACE_PEEKDATA, pid, (void *)&shared_word, &word),
	    ESRCH);
	KT_EXPECT_ERR(pt(PTRACE_CONT, pid, NULL, NULL), ESRCH);
	KT_EXPECT_EQ(write(go[1], "g", 1), 1);
	KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 9);

	fflush(stdout);
	if ((pid = fork()) == 0)
		kt_sleep_forever();
	KT_ASSERT(pid > 0);
	KT_EXPECT_EQ(pt(PTRACE_ATTACH, pid, NULL, NULL), 0);
	if (expect_stop(pid, SIGSTOP))
		KT_EXPECT_EQ(pt(PTRACE_KILL, pid, NULL, NULL), 0);
	KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	KT_EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	KT_EXPECT_ERR(waitpid(pid, &status, 0), ECHILD);
	close(go[0]);
	close(go[1]);
}

/* In a child of another uid: ATTACH to a root process, and to pid 1. */
static void
other_uid_child(void *target)
{
	if (setuid(65534) != 0)
		_exit(20);
	if (pt(PTRACE_ATTACH, *(pid_t *)target, NULL, NULL) != -1 ||
	    errno != EPERM)
		_exit(21);
	if (pt(PTRACE_ATTACH, 1, NULL, NULL) != -1 || errno != EPERM)
		_exit(22);
	_exit(0);
}

/* The errnos: ESRCH (no such pid, not traced, traced but running), EPERM
 * (itself, pid 1, another uid), EIO (bad tracee address, bad signal),
 * EFAULT (bad buffer). */
static void
errnos(void)
{
	int go[2], status;
	long word;
	pid_t pid, gone, me = getpid();

	fflush(stdout);
	if ((gone = fork()) == 0)
		_exit(0);
	KT_ASSERT(gone > 0);
	KT_ASSERT_EQ(waitpid(gone, &status, 0), gone);
	KT_EXPECT_ERR(pt(PTRACE_PEEKDATA, gone, (void *)&shared_word, &word), ESRCH);
	KT_EXPECT_ERR(pt(PTRACE_ATTACH, gone, NULL, NULL), ESRCH);
	KT_EXPECT_ERR(pt(PTRACE_ATTACH, me, NULL, NULL), EPERM);
	if (kt_on_exeunt() && getuid() == 0)
		KT_EXPECT_ERR(pt(PTRACE_ATTACH, 1, NULL, NULL), EPERM);
	if (getuid() == 0)
		KT_EXPECT_EQ(kt_child_status(other_uid_child, &me), 0);
	else
		KT_EXPECT_ERR(pt(PTRACE_ATTACH, 1, NULL, NULL), EPERM);

	KT_ASSERT((pid = fork_waiting(go, 0)) > 0);
	KT_EXPECT_ERR(pt(PTRACE_PEEKDATA, pid, (void *)&shared_word, &word), ESRCH);
	KT_EXPECT_ERR(pt(PTRACE_CONT, pid, NULL, NULL), ESRCH);
	KT_EXPECT_ERR(pt(PTRACE_KILL, pid, NULL, NULL), ESRCH);
	KT_EXPECT_EQ(pt(PTRACE_ATTACH, pid, NULL, NULL), 0);
	if (expect_stop(pid, SIGSTOP)) {
		KT_EXPECT_ERR(pt(PTRACE_PEEKDATA, pid, NULL, &word), EIO);
		KT_EXPECT_ERR(pt(PTRACE_POKEDATA, pid, NULL, NULL), EIO);
		KT_EXPECT_ERR(pt(PTRACE_GETREGS, pid, NULL, NULL), EFAULT);
		KT_EXPECT_ERR(pt(PTRACE_CONT, pid, NULL, (void *)1000), EIO);
		KT_EXPECT_EQ(pt(PTRACE_CONT, pid, NULL, NULL), 0);
	}
	/* traced but running (blocked in read): not stopped */
	KT_EXPECT_ERR(pt(PTRACE_PEEKDATA, pid, (void *)&shared_word, &word), ESRCH);
	KT_EXPECT_ERR(pt(PTRACE_GETREGS, pid, NULL, &word), ESRCH);
	KT_EXPECT_EQ(write(go[1], "g", 1), 1);
	KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(go[0]);
	close(go[1]);
}

/* Return the pid of a kernel thread, from /proc: a pid other than 1
 * whose status says PPid 0 (Linux's kthreadd, every kernel thread of
 * exeunt); 0 if none is visible (a Linux pid namespace). */
static pid_t
kthread_pid(void)
{
	char path[64], line[128];
	pid_t pid, found = 0;
	FILE *f;

	for (pid = 2; pid < 64 && found == 0; pid++) {
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL)
			if (strcmp(line, "PPid:\t0\n") == 0)
				found = pid;
		fclose(f);
	}
	return found;
}

/* A kernel thread is never traced: ATTACH is EPERM (Linux: PF_KTHREAD),
 * for root as for anyone, and the thread runs on. */
static void
attach_kthread(void)
{
	pid_t kpid = kthread_pid();

	if (kpid == 0) {
		kt_skip("no kernel thread visible in /proc");
		return;
	}
	kt_diag("kernel thread %d", (int)kpid);
	KT_EXPECT_ERR(pt(PTRACE_ATTACH, kpid, NULL, NULL), EPERM);
	KT_EXPECT_ERR(pt(PTRACE_PEEKDATA, kpid, NULL, NULL), ESRCH);
	KT_EXPECT_EQ(kill(kpid, 0), 0);		/* still there */
}

/* In the tracer of tracer_not_parent: attach to the sibling *arg, let it
 * go on, see its exit exactly once. */
static void
sibling_tracer(void *arg)
{
	int *a = arg, status;

	if (pt(PTRACE_ATTACH, a[0], NULL, NULL) != 0)
		_exit(30);
	if (waitpid(a[0], &status, 0) != a[0] || !WIFSTOPPED(status))
		_exit(31);
	if (pt(PTRACE_CONT, a[0], NULL, NULL) != 0)
		_exit(32);
	if (write(a[1], "g", 1) != 1)
		_exit(33);
	if (waitpid(a[0], &status, 0) != a[0] || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 5)
		_exit(34);
	if (waitpid(a[0], &status, 0) != -1 || errno != ECHILD)
		_exit(35);
	_exit(0);
}

/* A tracer that is not the parent hears the tracee's exit first, once;
 * then the parent collects it. */
static void
tracer_not_parent(void)
{
	int go[2], status, arg[2];
	pid_t pid;

	KT_ASSERT((pid = fork_waiting(go, 5)) > 0);
	arg[0] = pid;
	arg[1] = go[1];
	KT_EXPECT_EQ(kt_child_status(sibling_tracer, arg), 0);
	KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 5);
	close(go[0]);
	close(go[1]);
}

/* In the tracer of tracer_exit_detaches: attach, see the stop, leave. */
static void
leaving_tracer(void *arg)
{
	int status;
	pid_t pid = *(pid_t *)arg;

	if (pt(PTRACE_ATTACH, pid, NULL, NULL) != 0)
		_exit(40);
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
		_exit(41);
	_exit(0);
}

/* When the tracer exits, its stopped tracee is detached and runs on. */
static void
tracer_exit_detaches(void)
{
	int go[2], status;
	pid_t pid;

	KT_ASSERT((pid = fork_waiting(go, 6)) > 0);
	KT_EXPECT_EQ(kt_child_status(leaving_tracer, &pid), 0);
	KT_EXPECT_EQ(write(go[1], "g", 1), 1);
	KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 6);
	close(go[0]);
	close(go[1]);
}

/* PEEKDATA in a loop while the stopped tracee is killed midway and dies
 * on another CPU, canaries recycling pages: every PEEK gives the tracee's
 * word, or ESRCH/EIO once it is going. */
static void
peek_racing_exit(void)
{
	pid_t canaries[RACE_CANARIES];
	struct race_target t;
	int round, status;
	long word;
	size_t i;

	for (round = 0; round < PEEK_ROUNDS && !kt_failed; round++) {
		t = race_target_start(RACE_STOP, self);
		KT_ASSERT(t.pid > 0);
		if (!expect_stop(t.pid, SIGSTOP))
			break;
		race_canaries_start(canaries, RACE_CANARIES);
		for (i = 0; i < PEEK_LOOPS; i++) {
			uint64_t *va = (uint64_t *)RACE_VA + i % RACE_WORDS;

			if (i == PEEK_LOOPS / 4)
				kill(t.pid, SIGKILL);
			if (pt(PTRACE_PEEKDATA, t.pid, va, &word) == 0) {
				if (!race_check(t.pid, (uint64_t *)&word, 1,
				    i % RACE_WORDS, "PEEKDATA"))
					break;
				continue;
			}
			if (errno != ESRCH && errno != EIO) {
				kt_diag("PEEKDATA %zu: %s", i, strerror(errno));
				kt_failed = true;
				break;
			}
		}
		race_canaries_end(canaries, RACE_CANARIES);
		status = race_target_end(&t);
		KT_EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		/* reaped: no such process */
		KT_EXPECT_ERR(pt(PTRACE_PEEKDATA, t.pid, RACE_VA, &word), ESRCH);
	}
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(traceme_stop_cont),
	KT_CASE_FORK(signal_stop_replace),
	KT_CASE_FORK(attach_peek_poke),
	KT_CASE_FORK(getregs_setregs),
	KT_CASE_FORK(detach_and_kill),
	KT_CASE_FORK(errnos),
	KT_CASE_FORK(attach_kthread),
	KT_CASE_FORK(tracer_not_parent),
	KT_CASE_FORK(tracer_exit_detaches),
	KT_CASE_FORK(peek_racing_exit),
};

int
main(int argc, char **argv)
{
	race_exec_image(argc, argv);
	self = kt_self_path(argv[0]);
	return kt_main("ptrace", cases, KT_NCASES(cases));
}
