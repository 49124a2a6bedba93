/*
 * fork_wait: fork, _exit and wait4: exit statuses, deaths by signal,
 * WNOHANG, ECHILD, many children, waiting for one pid, and the
 * reparenting of orphans. Every case runs in its own forked child, so the
 * case's children are its own and a broken fork fails one case.
 */
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "ktest.h"

#define MANY	64

/* Fork a child that _exit(code)s at once; return its pid (-1 on error). */
static pid_t
spawn_exit(int code)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(code);
	return pid;
}

/* _exit and exit statuses reach the parent intact, 0 to 255. */
static void
exit_status(void)
{
	static const int codes[] = { 0, 1, 42, 255 };
	size_t i;
	int status;
	pid_t pid;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		pid = spawn_exit(codes[i]);
		KT_ASSERT(pid > 0);
		status = kt_reap(pid);
		KT_EXPECT(WIFEXITED(status));
		KT_EXPECT(!WIFSIGNALED(status));
		KT_EXPECT_EQ(WEXITSTATUS(status), codes[i]);
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		exit(7);	/* through libc's exit, not _exit */
	status = kt_reap(pid);
	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 7);
}

/* A child killed by a signal: WIFSIGNALED and WTERMSIG say which. */
static void
killed_by_signal(void)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		kt_sleep_forever();
	KT_ASSERT(pid > 0);
	KT_EXPECT_EQ(kill(pid, SIGTERM), 0);
	status = kt_reap(pid);
	KT_EXPECT(WIFSIGNALED(status));
	KT_EXPECT(!WIFEXITED(status));
	KT_EXPECT_EQ(WTERMSIG(status), SIGTERM);

	pid = fork();
	if (pid == 0) {
		kill(getpid(), SIGKILL);
		_exit(99);
	}
	status = kt_reap(pid);
	KT_EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* WNOHANG returns 0 while the child lives, its pid once it has exited. */
static void
wnohang(void)
{
	int fds[2], status = -1;
	char c;
	pid_t pid;

	KT_ASSERT_EQ(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		_exit(read(fds[0], &c, 1) == 0 ? 5 : 6);
	}
	KT_ASSERT(pid > 0);
	close(fds[0]);
	KT_EXPECT_EQ(wait4(pid, &status, WNOHANG, NULL), 0);
	KT_EXPECT_EQ(wait4(-1, &status, WNOHANG, NULL), 0);
	close(fds[1]);		/* the child's read returns 0: it exits */
	status = kt_reap(pid);
	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 5);
}

/* wait4 with no child to wait for fails with ECHILD, also for a pid that
 * is not a child and for a child already reaped. */
static void
echild(void)
{
	int status;
	pid_t pid;

	KT_EXPECT_ERR(wait4(-1, &status, 0, NULL), ECHILD);
	KT_EXPECT_ERR(wait4(-1, &status, WNOHANG, NULL), ECHILD);
	KT_EXPECT_ERR(wait4(getppid(), &status, 0, NULL), ECHILD);
	KT_EXPECT_ERR(wait4(getpid(), &status, 0, NULL), ECHILD);
	pid = spawn_exit(0);
	KT_ASSERT(pid > 0);
	KT_EXPECT_EQ(kt_reap(pid), 0);
	KT_EXPECT_ERR(wait4(pid, &status, 0, NULL), ECHILD);
}

/* MANY children at once: wait4(-1) collects each exactly once with its
 * own status, then ECHILD. */
static void
many_children(void)
{
	pid_t pids[MANY], got;
	bool seen[MANY] = { false };
	int i, j, n, status;

	for (n = 0; n < MANY; n++) {
		pids[n] = spawn_exit(n + 1);
		if (pids[n] < 0) {
			kt_diag("fork %d: %s", n, strerror(errno));
			kt_failed = true;
			break;
		}
	}
	for (i = 0; i < n; i++) {
		got = wait4(-1, &status, 0, NULL);
		for (j = 0; j < n && pids[j] != got; j++)
			continue;
		if (!KT_EXPECT(j < n && !seen[j]))
			break;
		seen[j] = true;
		KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == j + 1);
	}
	KT_EXPECT_ERR(wait4(-1, &status, 0, NULL), ECHILD);
}

/* wait4(pid) waits for that child only, whatever the order of exits. */
static void
wait_by_pid(void)
{
	int fds[2], i, status;
	pid_t pids[3];
	char c;

	KT_ASSERT_EQ(pipe(fds), 0);
	for (i = 0; i < 3; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			close(fds[1]);
			_exit(read(fds[0], &c, 1) == 0 ? 10 + i : 1);
		}
		KT_ASSERT(pids[i] > 0);
	}
	close(fds[0]);
	close(fds[1]);
	status = kt_reap(pids[1]);
	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 11);
	status = kt_reap(pids[2]);
	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 12);
	status = kt_reap(pids[0]);
	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 10);
}

/* Return the parent of pid from /proc/<pid>/status, or -1. */
static pid_t
proc_ppid(pid_t pid)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	p = strstr(buf, "\nPPid:");
	return p != NULL ? (pid_t)strtol(p + 6, NULL, 10) : -1;
}

/* Return whether pid is an ancestor of the calling process. */
static bool
is_ancestor(pid_t pid)
{
	pid_t p;

	for (p = getppid(); p > 0; p = proc_ppid(p))
		if (p == pid)
			return true;
	return false;
}

/* In the orphan C: wait for the go byte, then send {our pid, our
 * parent} through rep and exit 9. */
static void __attribute__((noreturn))
orphan_report(int go, int rep)
{
	pid_t msg[2] = { getpid(), -1 };
	char c;

	if (read(go, &c, 1) == 1)
		msg[1] = getppid();
	_exit(write(rep, msg, sizeof(msg)) == sizeof(msg) ? 9 : 1);
}

/* Make an orphan: fork P, which forks C and exits; reap P; then return
 * C's getppid() (as C reports it through a pipe) and C's pid in *child,
 * or -1. C exits with status 9 once it has reported. */
static pid_t
orphan_new_parent(pid_t *child)
{
	pid_t p, msg[2] = { -1, -1 };
	int go[2], rep[2], status;

	if (pipe(go) == -1 || pipe(rep) == -1)
		return -1;
	fflush(stdout);
	p = fork();
	if (p == 0) {
		pid_t c = fork();

		if (c == 0)
			orphan_report(go[0], rep[1]);
		_exit(c > 0 ? 0 : 1);
	}
	close(go[0]);
	close(rep[1]);
	if (p < 0 || waitpid(p, &status, 0) != p || status != 0) {
		kt_diag("the middle process failed");
		return -1;
	}
	/* P is reaped, so it has exited, and its child was reparented before
	 * P became waitable (Linux's order; exeunt's exit1 does the same). */
	if (write(go[1], "g", 1) != 1 ||
	    read(rep[0], msg, sizeof(msg)) != sizeof(msg))
		return -1;
	close(go[1]);
	close(rep[0]);
	*child = msg[0];
	return msg[1];
}

/* An orphan's new parent is init (pid 1) on exeunt. On Linux it is the
 * nearest ancestor that is a child subreaper, else the pid namespace's
 * init: in a container that may be another pid, so any ancestor of this
 * process is accepted, never the dead parent or this (not subreaper)
 * process. */
static void
orphan_reparented(void)
{
	pid_t child = -1, ppid = orphan_new_parent(&child);

	KT_ASSERT(ppid > 0);
	if (ppid != 1)
		kt_diag("orphan went to pid %d, an ancestor subreaper", ppid);
	KT_EXPECT(ppid != getpid());
	KT_EXPECT(ppid == 1 || is_ancestor(ppid));
	KT_EXPECT_ERR(wait4(child, NULL, 0, NULL), ECHILD);
}

/* With PR_SET_CHILD_SUBREAPER (Linux) the orphan comes to this process,
 * which can reap it. exeunt has no prctl (ENOSYS): orphans always go to
 * init, and the case is skipped. */
static void
orphan_subreaper(void)
{
	pid_t child = -1, ppid;
	int status;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1) {
		kt_skip("no PR_SET_CHILD_SUBREAPER (%s): orphans go to init",
		    strerror(errno));
		return;
	}
	ppid = orphan_new_parent(&child);
	KT_ASSERT(ppid > 0);
	KT_EXPECT_EQ(ppid, getpid());
	status = kt_reap(child);
	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 9);
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(exit_status),
	KT_CASE_FORK(killed_by_signal),
	KT_CASE_FORK(wnohang),
	KT_CASE_FORK(echild),
	KT_CASE_FORK(many_children),
	KT_CASE_FORK(wait_by_pid),
	KT_CASE_FORK(orphan_reparented),
	KT_CASE_FORK(orphan_subreaper),
};

int
main(void)
{
	return kt_main("fork_wait", cases, KT_NCASES(cases));
}
