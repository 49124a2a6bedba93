/*
 * vfork: the parent is suspended until the child _exits, is killed or
 * execs; the child's exit status; a vfork child that execs; and the
 * parent's memory intact after its child is gone (the child shares the
 * parent's address space: its exit or exec must not tear that down).
 *
 * Only what Linux guarantees is used (vfork(2): "until that point, the
 * child shares all memory with its parent, including the stack"): the
 * child writes only globals, never the stack frame it shares, and calls
 * nothing but system calls before _exit or execve. exeunt implements
 * vfork the same way (one vmspace, two users).
 */
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "ktest.h"

#define YIELDS		1000		/* chances to switch to the parent */
#define REGION		(1u << 20)
#define WAIT_STATUS	3		/* exec'd child: got its byte */

static const char *self;		/* the path to exec this program */
static volatile int stage, yields;	/* written by vfork children */
static volatile int child_errno;
static volatile pid_t child_pid, child_ppid;
static char *exec_argv[8];		/* built before vfork */
static char fd_arg[16];

/* The parent runs again only after the child's _exit: it never sees the
 * child's intermediate stage, however often the child yields. */
static void
parent_suspended(void)
{
	pid_t pid;

	stage = 0;
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		stage = 1;
		for (yields = 0; yields < YIELDS; yields++)
			sched_yield();
		stage = 2;
		_exit(7);
	}
	KT_ASSERT(pid > 0);
	KT_EXPECT_EQ(stage, 2);
	KT_EXPECT_EQ(kt_reap(pid), 7 << 8);
}

/* The child sees the parent's memory and the parent sees the child's
 * writes; the child has its own pid, and the parent as its parent. */
static void
shares_memory(void)
{
	pid_t pid;

	stage = 41;
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		child_pid = getpid();
		child_ppid = getppid();
		stage++;
		_exit(0);
	}
	KT_ASSERT(pid > 0);
	KT_EXPECT_EQ(stage, 42);
	KT_EXPECT_EQ(child_pid, pid);
	KT_EXPECT_EQ(child_ppid, getpid());
	KT_EXPECT_EQ(kt_reap(pid), 0);
}

/* Exit statuses reach the parent; a child killed by a signal releases the
 * parent too. */
static void
exit_status(void)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = vfork();
	if (pid == 0)
		_exit(42);
	KT_ASSERT(pid > 0);
	status = kt_reap(pid);
	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 42);
	pid = vfork();
	if (pid == 0) {
		kill(getpid(), SIGKILL);
		_exit(1);
	}
	KT_ASSERT(pid > 0);
	status = kt_reap(pid);
	KT_EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* execve releases the parent: the exec'd child blocks until the parent,
 * running again, writes to a pipe (a parent held until the child's exit
 * would never write: the test would hang and time out). */
static void
exec_releases_parent(void)
{
	int fds[2], status;
	pid_t pid;

	KT_ASSERT_EQ(pipe(fds), 0);
	snprintf(fd_arg, sizeof(fd_arg), "%d", fds[0]);
	exec_argv[0] = (char *)self;
	exec_argv[1] = "--child";
	exec_argv[2] = fd_arg;
	exec_argv[3] = NULL;
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		execv(self, exec_argv);
		_exit(127);
	}
	KT_ASSERT(pid > 0);
	KT_EXPECT_EQ(write(fds[1], "go", 1), 1);
	status = kt_reap(pid);
	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == WAIT_STATUS);
	close(fds[0]);
	close(fds[1]);
}

/* A failed execve leaves the child running on the parent's memory: it
 * reports errno there and _exits. */
static void
exec_failure(void)
{
	int status;
	pid_t pid;

	child_errno = 0;
	exec_argv[0] = "/no/such/program";
	exec_argv[1] = NULL;
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		execv(exec_argv[0], exec_argv);
		child_errno = errno;
		_exit(127);
	}
	KT_ASSERT(pid > 0);
	status = kt_reap(pid);
	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 127);
	KT_EXPECT_EQ(child_errno, ENOENT);
}

/* Fill buf (n bytes) with the pattern of seed. */
static void
pattern_fill(unsigned char *buf, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)(i * 31 + seed);
}

/* Return whether buf (n bytes) holds the pattern of seed. */
static bool
pattern_ok(const unsigned char *buf, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (buf[i] != (unsigned char)(i * 31 + seed))
			return false;
	return true;
}

/* After a vfork child _exits, and after one execs, the parent's pages
 * (an mmap region, the heap, its stack) are all still there and usable:
 * the child was not the last user of the shared address space. */
static void
parent_memory_intact(void)
{
	unsigned char stack_buf[4096], *region, *heap;
	int round, status;
	pid_t pid;

	region = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	heap = malloc(64 * 1024);
	KT_ASSERT(region != MAP_FAILED && heap != NULL);
	exec_argv[0] = (char *)self;
	exec_argv[1] = "--child";
	exec_argv[2] = "-1";		/* no pipe: exit 0 at once */
	exec_argv[3] = NULL;
	for (round = 0; round < 2; round++) {
		pattern_fill(region, REGION, round);
		pattern_fill(heap, 64 * 1024, round + 1);
		pattern_fill(stack_buf, sizeof(stack_buf), round + 2);
		fflush(stdout);
		pid = vfork();
		if (pid == 0) {
			if (round == 1)
				execv(self, exec_argv);
			_exit(0);
		}
		KT_ASSERT(pid > 0);
		KT_EXPECT(pattern_ok(region, REGION, round));
		KT_EXPECT(pattern_ok(heap, 64 * 1024, round + 1));
		KT_EXPECT(pattern_ok(stack_buf, sizeof(stack_buf), round + 2));
		status = kt_reap(pid);
		KT_EXPECT_EQ(status, 0);
	}
	memset(region, 0, REGION);	/* still writable */
	KT_EXPECT_EQ(munmap(region, REGION), 0);
	free(heap);
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(parent_suspended),
	KT_CASE_FORK(shares_memory),
	KT_CASE_FORK(exit_status),
	KT_CASE_FORK(exec_releases_parent),
	KT_CASE_FORK(exec_failure),
	KT_CASE_FORK(parent_memory_intact),
};

/* The exec'd child: read one byte from fd argv[2] (if >= 0) and exit
 * WAIT_STATUS, or exit 0 at once. */
static int
child_main(char **argv)
{
	char c;
	int fd = atoi(argv[2]);

	if (fd < 0)
		return 0;
	return read(fd, &c, 1) == 1 ? WAIT_STATUS : 1;
}

int
main(int argc, char **argv)
{
	self = kt_self_path(argv[0]);
	if (argc == 3 && strcmp(argv[1], "--child") == 0)
		return child_main(argv);
	return kt_main("vfork", cases, KT_NCASES(cases));
}
