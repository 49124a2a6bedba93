/*
 * limits: getrlimit, setrlimit and prlimit64 with Linux's semantics and
 * errnos, and what the enforced limits stop: a fork bomb under
 * RLIMIT_NPROC gets EAGAIN and the system recovers once its children are
 * collected; a memory hog under RLIMIT_AS gets ENOMEM (mmap, brk); limits
 * are inherited by fork and kept by exec.
 *
 * The exact counts need a uid with no process yet, which only root can
 * become (setuid to FRESH_UID); run natively as another user, those cases
 * skip and the rest run as that user. Where exeunt differs from Linux the
 * case says so and checks both:
 *  - exec of an image beyond RLIMIT_AS: ENOMEM and the process goes on
 *    (exeunt builds the image before the point of no return); Linux
 *    kills the process with SIGSEGV.
 *  - root raising a hard limit: exeunt lets uid 0 do it; Linux needs
 *    CAP_SYS_RESOURCE, which a container may lack (the case skips).
 *  - the system's own bounds are exeunt's, checked there only: the
 *    default RLIMIT_NPROC (maxproc / 2; a Linux host's is too high to
 *    exhaust), the process maximum whose last slots are root's, and the
 *    kernel's page reserve (a user page fault that would take it kills
 *    with SIGKILL; on Linux the host's OOM killer would decide).
 */
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "ktest.h"

#define MIB		(1ul << 20)
#define PAGE		4096ul
#define FRESH_UID	54321		/* a uid with no process of its own */
#define BOMB_NPROC	5		/* RLIMIT_NPROC of the small bomb */
#define BOMB_MAX	4096		/* children a bomb may try at most */
#define HOG_AS		(64 * MIB)	/* RLIMIT_AS of the memory hog */
#define CHECK_ARG	"--check-limits" /* argv[1] of the exec'd copy */

/* The limits the inheritance case sets and the exec'd copy checks. */
static const struct {
	int		resource;
	struct rlimit	rl;
} inherit[] = {
	{ RLIMIT_AS, { 1024 * MIB, 2048 * MIB } },
	{ RLIMIT_NPROC, { 77, 99 } },
	{ RLIMIT_CORE, { 0, 4096 } },
};

static const char *self;

/* In a child: become FRESH_UID if root; return false (the case must
 * skip) if this process cannot have a uid of its own. */
static bool
become_fresh_uid(void)
{
	if (getuid() != 0)
		return false;
	if (setuid(FRESH_UID) != 0) {
		kt_diag("setuid(%d): %s", FRESH_UID, strerror(errno));
		kt_failed = true;
		return false;
	}
	return true;
}

/* Fork children that wait until every write end of the pipe hold is
 * closed, until fork fails or max were made; return how many, with
 * fork's errno in *errp (0 if none failed). Their pids go to pids. */
static int
bomb(int hold[2], pid_t *pids, int max, int *errp)
{
	int n;

	*errp = 0;
	for (n = 0; n < max; n++) {
		fflush(stdout);
		if ((pids[n] = fork()) == 0) {
			close(hold[1]);
			while (kt_read_byte(hold[0]) > 0)
				;
			_exit(0);
		}
		if (pids[n] < 0) {
			*errp = errno;
			break;
		}
	}
	return n;
}

/* Collect n children of pids; return how many exited 0. */
static int
reap(pid_t *pids, int n)
{
	int i, ok = 0, status;

	for (i = 0; i < n; i++)
		if (waitpid(pids[i], &status, 0) == pids[i] &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0)
			ok++;
	return ok;
}

/* Defaults: every soft limit within its hard one; RLIMIT_AS unlimited;
 * on exeunt RLIMIT_NOFILE is the descriptor table (128). */
static void
defaults(void)
{
	struct rlimit rl;
	int r;

	for (r = 0; r < RLIM_NLIMITS; r++) {
		KT_ASSERT_EQ(getrlimit(r, &rl), 0);
		if (!KT_EXPECT(rl.rlim_cur <= rl.rlim_max))
			kt_diag("resource %d: soft %lu, hard %lu", r,
			    (unsigned long)rl.rlim_cur,
			    (unsigned long)rl.rlim_max);
	}
	if (kt_on_exeunt()) {
		KT_EXPECT_EQ(getrlimit(RLIMIT_AS, &rl), 0);
		KT_EXPECT_EQ(rl.rlim_cur, RLIM_INFINITY);
		KT_EXPECT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
		KT_EXPECT_EQ(rl.rlim_cur, 128);
		KT_EXPECT_EQ(rl.rlim_max, 128);
	}
}

/* Bad resources (EINVAL), bad pointers (EFAULT), soft above hard
 * (EINVAL), an unknown pid (ESRCH), through all three system calls
 * (SYS_getrlimit and SYS_setrlimit straight, as libc uses prlimit64).
 * A failed call changes nothing. */
static void
bad_args(void)
{
	static const char rodata[sizeof(struct rlimit)] = { 0 };
	void *bad[] = { NULL, (void *)0x0000800000000000ul,
	    (void *)0xffff800000000000ul, (void *)(uintptr_t)PAGE };
	struct rlimit rl, before, inv;
	size_t i;
	int status;
	pid_t gone;

	KT_ASSERT_EQ(getrlimit(RLIMIT_STACK, &before), 0);
	KT_EXPECT_ERR(syscall(SYS_getrlimit, RLIM_NLIMITS, &rl), EINVAL);
	KT_EXPECT_ERR(syscall(SYS_getrlimit, 1000, NULL), EINVAL);
	KT_EXPECT_ERR(syscall(SYS_setrlimit, RLIM_NLIMITS, &before), EINVAL);
	KT_EXPECT_ERR(syscall(SYS_prlimit64, 0, RLIM_NLIMITS, NULL, &rl),
	    EINVAL);
	inv = (struct rlimit){ 2 * MIB, MIB };
	KT_EXPECT_ERR(syscall(SYS_setrlimit, RLIMIT_STACK, &inv), EINVAL);
	KT_EXPECT_ERR(syscall(SYS_prlimit64, 0, RLIMIT_STACK, &inv, NULL),
	    EINVAL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		KT_EXPECT_ERR(syscall(SYS_getrlimit, RLIMIT_STACK, bad[i]),
		    EFAULT);
		KT_EXPECT_ERR(syscall(SYS_setrlimit, RLIMIT_STACK, bad[i]),
		    EFAULT);
		if (bad[i] == NULL)
			continue;	/* prlimit64: "no new", "no old" */
		KT_EXPECT_ERR(syscall(SYS_prlimit64, 0, RLIMIT_STACK, bad[i],
		    NULL), EFAULT);
		KT_EXPECT_ERR(syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL,
		    bad[i]), EFAULT);
	}
	/* an output on a read-only page */
	KT_EXPECT_ERR(syscall(SYS_getrlimit, RLIMIT_STACK, rodata), EFAULT);
	fflush(stdout);
	if ((gone = fork()) == 0)
		_exit(0);
	KT_ASSERT(gone > 0);
	KT_ASSERT_EQ(waitpid(gone, &status, 0), gone);
	KT_EXPECT_ERR(syscall(SYS_prlimit64, gone, RLIMIT_STACK, NULL, &rl),
	    ESRCH);
	KT_EXPECT_ERR(syscall(SYS_prlimit64, -1, RLIMIT_STACK, NULL, &rl),
	    ESRCH);
	KT_EXPECT_EQ(getrlimit(RLIMIT_STACK, &rl), 0);
	KT_EXPECT_EQ(rl.rlim_cur, before.rlim_cur);
	KT_EXPECT_EQ(rl.rlim_max, before.rlim_max);
}

/* Soft and hard, as a user other than root: lowering both works, the
 * soft one moves up to the hard one, not beyond (EINVAL), and the hard
 * one cannot go back up (EPERM). prlimit64 sets and returns the old
 * value in one call. */
static void
soft_hard(void)
{
	struct rlimit rl, old;

	if (getuid() == 0 && setuid(FRESH_UID) != 0) {
		kt_diag("setuid: %s", strerror(errno));
		kt_failed = true;
		return;
	}
	rl = (struct rlimit){ 100 * MIB, 200 * MIB };
	KT_ASSERT_EQ(setrlimit(RLIMIT_AS, &rl), 0);
	rl = (struct rlimit){ 50 * MIB, 200 * MIB };
	KT_EXPECT_EQ(syscall(SYS_prlimit64, 0, RLIMIT_AS, &rl, &old), 0);
	KT_EXPECT_EQ(old.rlim_cur, 100 * MIB);
	KT_EXPECT_EQ(old.rlim_max, 200 * MIB);
	rl = (struct rlimit){ 200 * MIB, 200 * MIB };
	KT_EXPECT_EQ(setrlimit(RLIMIT_AS, &rl), 0);
	rl = (struct rlimit){ 300 * MIB, 200 * MIB };
	KT_EXPECT_ERR(setrlimit(RLIMIT_AS, &rl), EINVAL);
	rl = (struct rlimit){ 200 * MIB, 300 * MIB };
	KT_EXPECT_ERR(setrlimit(RLIMIT_AS, &rl), EPERM);
	rl = (struct rlimit){ 10 * MIB, 150 * MIB };
	KT_EXPECT_EQ(setrlimit(RLIMIT_AS, &rl), 0);
	KT_EXPECT_ERR(syscall(SYS_setrlimit, RLIMIT_AS, &(struct rlimit){
	    10 * MIB, 151 * MIB }), EPERM);
	KT_EXPECT_EQ(getrlimit(RLIMIT_AS, &rl), 0);
	KT_EXPECT_EQ(rl.rlim_cur, 10 * MIB);
	KT_EXPECT_EQ(rl.rlim_max, 150 * MIB);
}

/* Root may raise a hard limit it lowered (exeunt; Linux needs
 * CAP_SYS_RESOURCE, which root in a container may not have). */
static void
root_raises_hard(void)
{
	struct rlimit rl = { 100 * MIB, 100 * MIB };

	if (getuid() != 0) {
		kt_skip("needs root");
		return;
	}
	KT_ASSERT_EQ(setrlimit(RLIMIT_AS, &rl), 0);
	rl.rlim_max = RLIM_INFINITY;
	if (setrlimit(RLIMIT_AS, &rl) != 0 && errno == EPERM && !kt_on_exeunt()) {
		kt_skip("Linux: root lacks CAP_SYS_RESOURCE here");
		return;
	}
	KT_EXPECT_EQ(getrlimit(RLIMIT_AS, &rl), 0);
	KT_EXPECT_EQ(rl.rlim_max, RLIM_INFINITY);
}

/* prlimit64 on another process: root sets a child's limit, which the
 * child sees; a child of another uid may neither read nor set its root
 * parent's (EPERM). */
static void
prlimit_other(void)
{
	struct rlimit rl = { 33 * MIB, 44 * MIB }, got;
	int go[2], res[2], status;
	pid_t pid, parent = getpid();

	if (getuid() != 0) {
		kt_skip("needs root");
		return;
	}
	KT_ASSERT_EQ(pipe(go), 0);
	KT_ASSERT_EQ(pipe(res), 0);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(go[1]);
		kt_read_byte(go[0]);
		if (getrlimit(RLIMIT_AS, &got) != 0 ||
		    got.rlim_cur != 33 * MIB || got.rlim_max != 44 * MIB)
			_exit(1);
		if (setuid(FRESH_UID) != 0)
			_exit(2);
		if (syscall(SYS_prlimit64, parent, RLIMIT_AS, NULL, &got) !=
		    -1 || errno != EPERM)
			_exit(3);
		if (syscall(SYS_prlimit64, parent, RLIMIT_AS, &rl, NULL) !=
		    -1 || errno != EPERM)
			_exit(4);
		_exit(0);
	}
	KT_ASSERT(pid > 0);
	KT_EXPECT_EQ(syscall(SYS_prlimit64, pid, RLIMIT_AS, &rl, &got), 0);
	KT_EXPECT_EQ(got.rlim_cur, RLIM_INFINITY);
	close(go[1]);
	KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	KT_EXPECT_EQ(status, 0);
	close(go[0]);
	close(res[0]);
	close(res[1]);
}

/* Limits set before fork are the child's; exec keeps them: the child
 * execs this program with CHECK_ARG, which checks them (check_main). */
static void
inherit_fork_exec(void)
{
	struct rlimit rl;
	size_t i;
	int status;
	pid_t pid;

	for (i = 0; i < sizeof(inherit) / sizeof(inherit[0]); i++)
		KT_ASSERT_EQ(setrlimit(inherit[i].resource, &inherit[i].rl), 0);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		for (i = 0; i < sizeof(inherit) / sizeof(inherit[0]); i++)
			if (getrlimit(inherit[i].resource, &rl) != 0 ||
			    rl.rlim_cur != inherit[i].rl.rlim_cur ||
			    rl.rlim_max != inherit[i].rl.rlim_max)
				_exit(10 + (int)i);
		execl(self, self, CHECK_ARG, (char *)NULL);
		_exit(20);
	}
	KT_ASSERT(pid > 0);
	KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	KT_EXPECT_EQ(status, 0);
}

/* The exec'd copy of inherit_fork_exec: exit 0 if the limits are
 * there, else 30 + the first one that is not. */
static int
check_main(void)
{
	struct rlimit rl;
	size_t i;

	for (i = 0; i < sizeof(inherit) / sizeof(inherit[0]); i++)
		if (getrlimit(inherit[i].resource, &rl) != 0 ||
		    rl.rlim_cur != inherit[i].rl.rlim_cur ||
		    rl.rlim_max != inherit[i].rl.rlim_max)
			return 30 + (int)i;
	return 0;
}

/* A memory hog under RLIMIT_AS: mmap a MiB at a time until ENOMEM, well
 * under HOG_AS (the program and, on exeunt, its 8 MiB stack count too);
 * the break cannot grow either (musl's sbrk: ENOMEM); what was mapped is
 * usable; unmapping gives room back. */
static void
memory_hog(void)
{
	struct rlimit rl = { HOG_AS, HOG_AS };
	static char *maps[HOG_AS / MIB];
	size_t n, i;

	KT_ASSERT_EQ(setrlimit(RLIMIT_AS, &rl), 0);
	for (n = 0; n < sizeof(maps) / sizeof(maps[0]); n++) {
		maps[n] = mmap(NULL, MIB, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (maps[n] == MAP_FAILED)
			break;
	}
	KT_EXPECT(maps[n] == MAP_FAILED && errno == ENOMEM);
	kt_diag("%zu MiB mapped under a %lu MiB RLIMIT_AS", n, HOG_AS / MIB);
	KT_EXPECT(n >= HOG_AS / MIB / 2 && n < HOG_AS / MIB);
	KT_EXPECT_ERR(mmap(NULL, MIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0) == MAP_FAILED ? -1 : 0, ENOMEM);
	KT_EXPECT(sbrk(MIB) == (void *)-1 && errno == ENOMEM);
	for (i = 0; i < n; i++)
		maps[i][i % MIB] = (char)i;
	for (i = 0; i < n; i++)
		KT_EXPECT_EQ(maps[i][i % MIB], (char)i);
	KT_ASSERT(n > 0);
	KT_EXPECT_EQ(munmap(maps[0], MIB), 0);
	maps[0] = mmap(NULL, MIB, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KT_EXPECT(maps[0] != MAP_FAILED);
	/* lowered below what is mapped: nothing more, not even a page */
	rl.rlim_cur = MIB;
	KT_EXPECT_EQ(setrlimit(RLIMIT_AS, &rl), 0);
	KT_EXPECT(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0) == MAP_FAILED && errno == ENOMEM);
	KT_EXPECT_EQ(munmap(maps[1], MIB), 0);
}

/* Exec of an image beyond RLIMIT_AS: exeunt refuses with ENOMEM and the
 * process goes on; Linux is past its point of no return and kills it
 * with SIGSEGV. */
static void
exec_beyond_as(void)
{
	struct rlimit rl = { 64 * 1024, 64 * 1024 };
	char why[64];
	int status;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (setrlimit(RLIMIT_AS, &rl) != 0)
			_exit(1);
		execl(self, self, CHECK_ARG, (char *)NULL);
		_exit(errno == ENOMEM ? 42 : 2);
	}
	KT_ASSERT(pid > 0);
	KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	if (kt_on_exeunt())
		KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 42);
	else
		KT_EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
	kt_diag("%s", kt_status_str(status, why, sizeof(why)));
}

/* True if pid is a zombie, by its /proc/<pid>/status. */
static bool
is_zombie(pid_t pid)
{
	char state[32];

	return kt_status_field(pid, "State", state, sizeof(state)) &&
	    state[0] == 'Z';
}

/* A small fork bomb as FRESH_UID under RLIMIT_NPROC = BOMB_NPROC: the
 * bomb itself and BOMB_NPROC - 1 children, then EAGAIN. Zombies count
 * until they are collected; then the uid can fork again. */
static void
nproc_bomb(void)
{
	struct rlimit rl = { BOMB_NPROC, BOMB_NPROC };
	pid_t pids[BOMB_NPROC + 4];
	int hold[2], n, i, err;

	if (!become_fresh_uid()) {
		if (!kt_failed)
			kt_skip("needs root, to become a uid with no process");
		return;
	}
	KT_ASSERT_EQ(setrlimit(RLIMIT_NPROC, &rl), 0);
	KT_ASSERT_EQ(pipe(hold), 0);
	n = bomb(hold, pids, BOMB_NPROC + 4, &err);
	KT_EXPECT_EQ(n, BOMB_NPROC - 1);
	KT_EXPECT_EQ(err, EAGAIN);
	close(hold[1]);			/* the children exit */
	for (i = 0; i < n; i++)
		while (!is_zombie(pids[i]))
			sched_yield();
	KT_EXPECT_EQ(kt_fork_errno(), EAGAIN);	/* zombies still count */
	KT_EXPECT_EQ(reap(pids, n), n);
	KT_EXPECT_EQ(kt_fork_errno(), 0);
	close(hold[0]);
}

/* uid 0 is exempt from RLIMIT_NPROC (Linux's root too): with the limit
 * at 1 it still forks. */
static void
root_exempt(void)
{
	struct rlimit rl = { 1, 1 };

	if (getuid() != 0) {
		kt_skip("needs root");
		return;
	}
	KT_ASSERT_EQ(setrlimit(RLIMIT_NPROC, &rl), 0);
	KT_EXPECT_EQ(kt_fork_errno(), 0);
}

/* Start a fork bomb as FRESH_UID with RLIMIT_NPROC at nproc, its
 * children held until every write end of hold closes (the caller then
 * closes its own); return the bomber's pid, and in *np how many children
 * it made before fork failed with EAGAIN (-1: it failed otherwise). */
static pid_t
bomb_start(rlim_t nproc, int hold[2], int *np)
{
	static pid_t pids[BOMB_MAX];
	struct rlimit rl = { nproc, nproc };
	int report[2], n, err;
	pid_t bomber;

	*np = -1;
	if (pipe(report) != 0)
		return -1;
	fflush(stdout);
	if ((bomber = fork()) == 0) {
		close(report[0]);
		if (setrlimit(RLIMIT_NPROC, &rl) != 0 ||
		    setuid(FRESH_UID) != 0)
			_exit(100);
		n = bomb(hold, pids, BOMB_MAX, &err);
		if (err != EAGAIN)
			n = -1;
		if (write(report[1], &n, sizeof(n)) != sizeof(n))
			_exit(101);
		close(hold[1]);		/* the parent's copy holds them */
		_exit(reap(pids, n) == n ? 0 : 102);
	}
	close(report[1]);
	if (bomber > 0 && read(report[0], np, sizeof(*np)) != sizeof(*np))
		*np = -1;
	close(report[0]);
	return bomber;
}

/* A fork bomb of another uid under the default RLIMIT_NPROC: stopped
 * with EAGAIN at exactly the limit, while root (the test) can still
 * fork; everything is collected afterwards. exeunt's default is
 * maxproc / 2; a Linux host's is usually too high to try (skip). */
static void
default_bomb(void)
{
	struct rlimit rl;
	int hold[2], n, status;
	pid_t bomber;

	KT_ASSERT_EQ(getrlimit(RLIMIT_NPROC, &rl), 0);
	if (getuid() != 0 || rl.rlim_cur >= BOMB_MAX) {
		kt_skip("needs root and a default RLIMIT_NPROC under %d "
		    "(it is %lu)", BOMB_MAX, (unsigned long)rl.rlim_cur);
		return;
	}
	KT_ASSERT_EQ(pipe(hold), 0);
	KT_ASSERT((bomber = bomb_start(rl.rlim_cur, hold, &n)) > 0);
	KT_EXPECT_EQ(n, (int)rl.rlim_cur - 1);
	kt_diag("the bomb made %d children under RLIMIT_NPROC %lu", n,
	    (unsigned long)rl.rlim_cur);
	KT_EXPECT_EQ(kt_fork_errno(), 0);		/* root still can */
	close(hold[1]);
	KT_ASSERT_EQ(waitpid(bomber, &status, 0), bomber);
	KT_EXPECT_EQ(status, 0);
	close(hold[0]);
}

/* A fork bomb of another uid without RLIMIT_NPROC runs into the
 * system's process maximum (EAGAIN, not ENOMEM: the maximum is sized so
 * that memory lasts), whose last slots are root's: root still forks.
 * exeunt only (Linux keeps no such slots, and the host would suffer). */
static void
maxproc_bomb(void)
{
	int hold[2], n, status;
	pid_t bomber;

	if (!kt_on_exeunt()) {
		kt_skip("Linux: no slots kept for root; spares the host");
		return;
	}
	KT_ASSERT_EQ(pipe(hold), 0);
	KT_ASSERT((bomber = bomb_start(RLIM_INFINITY, hold, &n)) > 0);
	kt_diag("the bomb made %d children before the process maximum", n);
	KT_EXPECT(n > 0);
	KT_EXPECT_EQ(kt_fork_errno(), 0);		/* root's slots */
	close(hold[1]);
	KT_ASSERT_EQ(waitpid(bomber, &status, 0), bomber);
	KT_EXPECT_EQ(status, 0);
	close(hold[0]);
}

/* A memory hog with no RLIMIT_AS touches page after page: the fault
 * that would take the kernel's page reserve kills it with SIGKILL, and
 * its pages come back (exeunt only: on Linux the host's OOM killer
 * would decide). */
static void
oom_hog(void)
{
	char why[64];
	int status;
	pid_t pid;

	if (!kt_on_exeunt()) {
		kt_skip("Linux: would run the host out of memory");
		return;
	}
	fflush(stdout);
	if ((pid = fork()) == 0) {
		size_t len = 64ul << 30, i;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(1);
		for (i = 0; i < len; i += PAGE)
			p[i] = 1;
		_exit(2);
	}
	KT_ASSERT(pid > 0);
	KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	KT_EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	kt_diag("the hog: %s", kt_status_str(status, why, sizeof(why)));
	KT_EXPECT_EQ(kt_fork_errno(), 0);
}

static const struct kt_case cases[] = {
	KT_CASE(defaults),
	KT_CASE(bad_args),
	KT_CASE_FORK(soft_hard),
	KT_CASE_FORK(root_raises_hard),
	KT_CASE_FORK(prlimit_other),
	KT_CASE_FORK(inherit_fork_exec),
	KT_CASE_FORK(memory_hog),
	KT_CASE_FORK(exec_beyond_as),
	KT_CASE_FORK(nproc_bomb),
	KT_CASE_FORK(root_exempt),
	KT_CASE_FORK(default_bomb),
	KT_CASE_FORK(maxproc_bomb),
	KT_CASE_FORK(oom_hog),
};

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], CHECK_ARG) == 0)
		return check_main();
	self = kt_self_path(argv[0]);
	return kt_main("limits", cases, KT_NCASES(cases));
}
