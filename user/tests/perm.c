/*
 * perm: who may read, write and trace another process's memory. A
 * process of another uid (setuid in a child) can neither PTRACE_ATTACH
 * (EPERM) nor PEEKDATA (ESRCH: it is not the tracer), nor
 * process_vm_readv/writev (EPERM), nor open /proc/<pid>/mem (EACCES) a
 * process of uid 0 or of a third uid; it can all of that to a process of
 * its own uid; uid 0 can to anyone but init and kernel threads (ATTACH:
 * EPERM; a kernel thread has no memory to read: ESRCH). These are
 * Linux's errnos. Every case needs root (to take the other uids): run
 * natively as another user, they skip.
 *
 * Linux also refuses a process that changed its uid unless it is made
 * dumpable again, so the targets call prctl(PR_SET_DUMPABLE) (exeunt has
 * no prctl and no such rule: ENOSYS, ignored). Linux lets root trace
 * init, and has no kernel threads a container can see: those two cases
 * run on exeunt only.
 */
#define _GNU_SOURCE		/* process_vm_readv, process_vm_writev */
#include <fcntl.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>

#include "ktest.h"

#define UID_A		54331		/* the actor */
#define UID_C		54333		/* a third uid */
#define MAGIC		0x5eedfacecafe0123ul

/* The word every check reads: at the same address in every process,
 * all being forks of this one. */
static volatile uint64_t marker = MAGIC;

/* A process to act on: blocked until the caller closes go[1]. */
struct target {
	pid_t	pid;
	int	go[2];
};

/* Start a target of uid (0: stays root), dumpable, and wait until it
 * is; return false if it could not be started. */
static bool
target_start(struct target *t, uid_t uid)
{
	int ready[2];

	if (pipe(t->go) != 0 || pipe(ready) != 0)
		return false;
	fflush(stdout);
	if ((t->pid = fork()) == 0) {
		close(t->go[1]);
		close(ready[0]);
		if (uid != 0 && setuid(uid) != 0)
			_exit(1);
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);	/* Linux only */
		close(ready[1]);
		while (kt_read_byte(t->go[0]) > 0)
			;
		_exit(marker == MAGIC ? 0 : 2);
	}
	close(ready[1]);
	close(t->go[0]);
	if (t->pid < 0 || kt_read_byte(ready[0]) != 0) {
		close(ready[0]);
		return false;
	}
	close(ready[0]);
	return true;
}

/* Let t go and collect it: it must exit 0 (its marker intact). */
static void
target_end(struct target *t)
{
	int status;

	close(t->go[1]);
	if (KT_EXPECT_EQ(waitpid(t->pid, &status, 0), t->pid))
		KT_EXPECT_EQ(status, 0);
}

static long
pt(long req, pid_t pid, const void *addr, const void *data)
{
	return syscall(SYS_ptrace, req, pid, addr, data);
}

/* Open /proc/<pid>/mem for reading; the descriptor, or -1 with errno. */
static int
mem_open(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	return open(path, O_RDONLY);
}

/* The caller may not touch pid: every way in is refused with Linux's
 * errno; what names the target in the diagnostics. */
static void
expect_denied(pid_t pid, const char *what)
{
	uint64_t word = 0;
	struct iovec l = { &word, sizeof(word) };
	struct iovec r = { (void *)&marker, sizeof(word) };
	int fd;

	kt_diag("%d -> %s", (int)getuid(), what);
	KT_EXPECT_ERR(pt(PTRACE_ATTACH, pid, NULL, NULL), EPERM);
	KT_EXPECT_ERR(pt(PTRACE_PEEKDATA, pid, (void *)&marker, &word), ESRCH);
	KT_EXPECT_ERR(process_vm_readv(pid, &l, 1, &r, 1, 0), EPERM);
	KT_EXPECT_ERR(process_vm_writev(pid, &l, 1, &r, 1, 0), EPERM);
	fd = mem_open(pid);
	KT_EXPECT_ERR(fd, EACCES);
	if (fd >= 0)
		close(fd);
	KT_EXPECT_EQ(word, 0);
}

/* The caller may touch pid: attach (its SIGSTOP), PEEKDATA, detach;
 * process_vm_readv and writev (the same word back); /proc/<pid>/mem. */
static void
expect_allowed(pid_t pid, const char *what)
{
	uint64_t word = 0;
	struct iovec l = { &word, sizeof(word) };
	struct iovec r = { (void *)&marker, sizeof(word) };
	int fd, status;

	kt_diag("%d -> %s", (int)getuid(), what);
	if (KT_EXPECT_EQ(pt(PTRACE_ATTACH, pid, NULL, NULL), 0)) {
		KT_EXPECT_EQ(waitpid(pid, &status, 0), pid);
		KT_EXPECT(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
		KT_EXPECT_EQ(pt(PTRACE_PEEKDATA, pid, (void *)&marker, &word),
		    0);
		KT_EXPECT_EQ(word, MAGIC);
		KT_EXPECT_EQ(pt(PTRACE_DETACH, pid, NULL, NULL), 0);
	}
	word = 0;
	KT_EXPECT_EQ(process_vm_readv(pid, &l, 1, &r, 1, 0), sizeof(word));
	KT_EXPECT_EQ(word, MAGIC);
	KT_EXPECT_EQ(process_vm_writev(pid, &l, 1, &r, 1, 0), sizeof(word));
	word = 0;
	fd = mem_open(pid);
	if (KT_EXPECT(fd >= 0)) {
		KT_EXPECT_EQ(lseek(fd, (off_t)(uintptr_t)&marker, SEEK_SET),
		    (off_t)(uintptr_t)&marker);
		KT_EXPECT_EQ(read(fd, &word, sizeof(word)), sizeof(word));
		KT_EXPECT_EQ(word, MAGIC);
		close(fd);
	}
}

/* Skip the case unless this process is root; return whether it is. */
static bool
need_root(void)
{
	if (getuid() == 0)
		return true;
	kt_skip("needs root to take other uids");
	return false;
}

/* Become UID_A in a forked child, run fn(arg) there, and fail the case
 * if any of its checks failed. */
static void
as_actor(void (*fn)(pid_t, const char *), pid_t pid, const char *what)
{
	int status;
	pid_t actor;

	fflush(stdout);
	if ((actor = fork()) == 0) {
		if (setuid(UID_A) != 0) {
			kt_diag("setuid: %s", strerror(errno));
			_exit(1);
		}
		fn(pid, what);
		fflush(stdout);
		_exit(kt_failed ? 1 : 0);
	}
	KT_ASSERT(actor > 0);
	KT_ASSERT_EQ(waitpid(actor, &status, 0), actor);
	KT_EXPECT_EQ(status, 0);
}

/* Another uid may not touch a root process. */
static void
other_denied_root(void)
{
	struct target t;

	if (!need_root())
		return;
	KT_ASSERT(target_start(&t, 0));
	as_actor(expect_denied, t.pid, "uid 0");
	target_end(&t);
}

/* Nor one of a third uid. */
static void
other_denied_third(void)
{
	struct target t;

	if (!need_root())
		return;
	KT_ASSERT(target_start(&t, UID_C));
	as_actor(expect_denied, t.pid, "a third uid");
	target_end(&t);
}

/* A process of the same uid is fair game. */
static void
same_uid_allowed(void)
{
	struct target t;

	if (!need_root())
		return;
	KT_ASSERT(target_start(&t, UID_A));
	as_actor(expect_allowed, t.pid, "its own uid");
	target_end(&t);
}

/* Root may touch a process of any uid. */
static void
root_allowed(void)
{
	struct target t;

	if (!need_root())
		return;
	KT_ASSERT(target_start(&t, UID_C));
	expect_allowed(t.pid, "another uid");
	target_end(&t);
}

/* Return the pid of a kernel thread in /proc (its parent is 0, and it
 * is not init), or 0 if none shows. */
static pid_t
kthread_find(void)
{
	char path[64], buf[512];
	pid_t pid;
	ssize_t n;
	int fd;

	for (pid = 2; pid < 64; pid++) {
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
		if ((fd = open(path, O_RDONLY)) < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		if (strstr(buf, "\nPPid:\t0\n") != NULL)
			return pid;
	}
	return 0;
}

/* Not even root may trace init (exeunt; Linux lets root) or a kernel
 * thread (EPERM on both), or read a kernel thread's memory (it has
 * none: ESRCH). */
static void
root_denied_init_kthread(void)
{
	uint64_t word = 0;
	struct iovec l = { &word, sizeof(word) };
	struct iovec r = { (void *)&marker, sizeof(word) };
	pid_t kt;

	if (!need_root())
		return;
	if (!kt_on_exeunt()) {
		kt_skip("Linux: root may trace init; no kernel threads here");
		return;
	}
	KT_EXPECT_ERR(pt(PTRACE_ATTACH, 1, NULL, NULL), EPERM);
	if ((kt = kthread_find()) == 0) {
		kt_skip("no kernel thread in /proc");
		return;
	}
	kt_diag("kernel thread %d", (int)kt);
	KT_EXPECT_ERR(pt(PTRACE_ATTACH, kt, NULL, NULL), EPERM);
	KT_EXPECT_ERR(process_vm_readv(kt, &l, 1, &r, 1, 0), ESRCH);
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(other_denied_root),
	KT_CASE_FORK(other_denied_third),
	KT_CASE_FORK(same_uid_allowed),
	KT_CASE_FORK(root_allowed),
	KT_CASE_FORK(root_denied_init_kthread),
};

int
main(void)
{
	return kt_main("perm", cases, KT_NCASES(cases));
}
