/*
 * ktest.h: the user tests' tiny KTAP harness (header only; a test program
 * is one .c file that includes it).
 *
 * A test program is a list of cases; kt_main() prints one nested KTAP
 * version 1 document, indented by 4 spaces, that init (or the native
 * runner) closes with its own "ok K <program>" line:
 *
 *	    KTAP version 1
 *	    # Subtest: <program>
 *	    1..M
 *	    # <case>: <diagnostic>
 *	    ok 1 <case>
 *
 * KT_CASE runs a case in the test process itself; KT_CASE_FORK runs it in
 * a forked child, so that a crash or a leak fails only that case (a child
 * killed by a signal is a failed case). The program's exit status is 0
 * only if every case passed or was skipped.
 *
 * Everything printed goes through stdout, line-buffered, so nothing sits
 * in a stdio buffer when a case forks. State is per process: a forked case
 * reports back through its exit status and a pipe (the skip reason).
 */
#ifndef _USER_KTEST_H_
#define _USER_KTEST_H_

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct kt_case {
	const char	*name;
	void		(*fn)(void);
	bool		fork;		/* run in a forked child */
};

#define KT_CASE(fn)		{ #fn, fn, false }
#define KT_CASE_FORK(fn)	{ #fn, fn, true }
#define KT_NCASES(a)		(sizeof(a) / sizeof((a)[0]))

/* Exit statuses of a forked case. */
#define KT_EXIT_PASS	0
#define KT_EXIT_FAIL	1
#define KT_EXIT_SKIP	2

static const char *kt_case_name = "";	/* the running case */
static bool kt_failed;			/* the running case failed */
static char kt_skip_reason[160];	/* set: the running case skipped */

/* Print a diagnostic line of the running case. */
static inline void __attribute__((format(printf, 1, 2)))
kt_diag(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("    # %s: %s\n", kt_case_name, msg);
}

/* Mark the running case skipped with a reason; the case should return. */
static inline void __attribute__((format(printf, 1, 2)))
kt_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(kt_skip_reason, sizeof(kt_skip_reason), fmt, ap);
	va_end(ap);
}

/* Record a failed check with its location; return ok. */
static inline bool
kt_check(bool ok, const char *expr, const char *file, int line)
{
	if (!ok) {
		kt_diag("%s:%d: expected %s", file, line, expr);
		kt_failed = true;
	}
	return ok;
}

/* Record a failed a == b with both values; return whether they matched. */
static inline bool
kt_check_eq(long a, long b, const char *ea, const char *eb, const char *file,
    int line)
{
	if (a != b) {
		kt_diag("%s:%d: expected %s == %s, got %ld (%#lx) != %ld (%#lx)",
		    file, line, ea, eb, a, (unsigned long)a, b,
		    (unsigned long)b);
		kt_failed = true;
	}
	return a == b;
}

/* Record a failure unless a call returned -1 with errno == want (the
 * libc convention, also that of syscall(2)); return whether it did. */
static inline bool
kt_check_err(long ret, int err, int want, const char *expr, const char *file,
    int line)
{
	if (ret != -1 || err != want) {
		kt_diag("%s:%d: expected %s to fail with %s, got %ld (errno %d %s)",
		    file, line, expr, strerror(want), ret, ret == -1 ? err : 0,
		    ret == -1 ? strerror(err) : "none");
		kt_failed = true;
		return false;
	}
	return true;
}

#define KT_EXPECT(c)		kt_check(!!(c), #c, __FILE__, __LINE__)
#define KT_ASSERT(c)		do { if (!KT_EXPECT(c)) return; } while (0)
#define KT_EXPECT_EQ(a, b)	kt_check_eq((long)(a), (long)(b), #a, #b, __FILE__, __LINE__)
#define KT_ASSERT_EQ(a, b)	do { if (!KT_EXPECT_EQ(a, b)) return; } while (0)
/* errno is read after the call: the comma operator sequences the two. */
#define KT_EXPECT_ERR(call, e)	({ long kt_r_ = (long)(call); \
	kt_check_err(kt_r_, errno, e, #call, __FILE__, __LINE__); })

/* Write a wait status in words ("exit status 3", "killed by signal 11",
 * "stopped by signal 19") into buf; return buf. */
static inline char *
kt_status_str(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
	else if (WIFSTOPPED(status))
		snprintf(buf, size, "stopped by signal %d", WSTOPSIG(status));
	else
		snprintf(buf, size, "status %#x", status);
	return buf;
}

/* Wait for pid; return its wait status, or -1 (with a diagnostic) if
 * waitpid failed. */
static inline int
kt_reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid) {
		kt_diag("waitpid %d: %s", (int)pid, strerror(errno));
		return -1;
	}
	return status;
}

/* Fork a child that exits 0 at once and collect it; return fork's errno:
 * 0 if it worked, -1 if the child did not end by exit 0. */
static inline int
kt_fork_errno(void)
{
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0)
		_exit(0);
	if (pid < 0)
		return errno;
	return kt_reap(pid) == 0 ? 0 : -1;
}

/* Fork a child that runs fn(arg) and then _exit(0)s; wait for it and
 * return its wait status, or -1 (a failed case) if fork or wait failed. */
static inline int
kt_child_status(void (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == -1) {
		kt_diag("fork: %s", strerror(errno));
		kt_failed = true;
		return -1;
	}
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	if ((status = kt_reap(pid)) == -1)
		kt_failed = true;
	return status;
}

/* Run c in a forked child; set kt_failed / kt_skip_reason from its exit
 * status and the skip reason it sent through a pipe. */
static inline void
kt_run_forked(const struct kt_case *c)
{
	char why[64];
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(fds) == -1) {
		kt_diag("pipe: %s", strerror(errno));
		kt_failed = true;
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == -1) {
		kt_diag("fork: %s", strerror(errno));
		kt_failed = true;
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		c->fn();
		fflush(stdout);
		if (kt_failed)
			_exit(KT_EXIT_FAIL);
		if (kt_skip_reason[0] != '\0') {
			if (write(fds[1], kt_skip_reason,
			    strlen(kt_skip_reason)) < 0)
				_exit(KT_EXIT_FAIL);
			_exit(KT_EXIT_SKIP);
		}
		_exit(KT_EXIT_PASS);
	}
	close(fds[1]);
	if (waitpid(pid, &status, 0) != pid) {
		kt_diag("waitpid %d: %s", (int)pid, strerror(errno));
		kt_failed = true;
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == KT_EXIT_PASS) {
		/* passed */
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == KT_EXIT_SKIP) {
		n = read(fds[0], kt_skip_reason, sizeof(kt_skip_reason) - 1);
		kt_skip_reason[n > 0 ? n : 0] = '\0';
		if (n <= 0)
			strcpy(kt_skip_reason, "skipped");
	} else {
		if (!WIFEXITED(status) || WEXITSTATUS(status) != KT_EXIT_FAIL)
			kt_diag("case child died: %s",
			    kt_status_str(status, why, sizeof(why)));
		kt_failed = true;
	}
	close(fds[0]);
}

/* Sleep until a signal ends or stops the process. (Not pause(2), which
 * is not among exeunt's system calls; nanosleep is.) */
static inline void __attribute__((noreturn))
kt_sleep_forever(void)
{
	struct timespec hour = { 3600, 0 };

	for (;;)
		nanosleep(&hour, NULL);
}

/* Read one byte from fd, retrying an interrupted read; return 1, or 0
 * at end of file, or -1. */
static inline ssize_t
kt_read_byte(int fd)
{
	ssize_t n;
	char c;

	while ((n = read(fd, &c, 1)) == -1 && errno == EINTR)
		;
	return n;
}

/* Read path whole into buf (size - 1 at most, NUL-terminated); return
 * its length, or -1 with errno if it cannot be opened or its first read
 * fails. */
static inline ssize_t
kt_slurp(const char *path, char *buf, size_t size)
{
	ssize_t n = 0, len = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while ((size_t)len < size - 1 &&
	    (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return n < 0 && len == 0 ? -1 : len;
}

/* Copy the value of the line "<key>:<blanks><value>" of pid's
 * /proc/<pid>/status into val; return false if there is no such process
 * or line. */
static inline bool
kt_status_field(pid_t pid, const char *key, char *val, size_t size)
{
	char path[64], line[64], buf[4096], *p;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	snprintf(line, sizeof(line), "\n%s:", key);
	buf[0] = '\n';			/* the first line starts a line too */
	if (kt_slurp(path, buf + 1, sizeof(buf) - 1) <= 0 ||
	    (p = strstr(buf, line)) == NULL)
		return false;
	p += strlen(line);
	p += strspn(p, " \t");
	snprintf(val, size, "%.*s", (int)strcspn(p, "\n"), p);
	return true;
}

/* True when running on exeunt (uname's sysname), false on Linux. */
static inline bool
kt_on_exeunt(void)
{
	struct utsname u;

	return uname(&u) == 0 && strcmp(u.sysname, "exeunt") == 0;
}

/* Return the seed of this run: $EXEUNT_SEED (init passes the seed= boot
 * option on), or 1 when none was given. */
static inline unsigned long
kt_seed(void)
{
	const char *s = getenv("EXEUNT_SEED");

	return s != NULL && *s != '\0' ? strtoul(s, NULL, 0) : 1;
}

/* Return the path to exec this program again: argv0 if it holds a slash,
 * else /tests/<argv0> (a shell found it through PATH). */
static inline const char *
kt_self_path(const char *argv0)
{
	static char path[256];

	if (strchr(argv0, '/') != NULL)
		return argv0;
	snprintf(path, sizeof(path), "/tests/%s", argv0);
	return path;
}

/* Run every case, printing the nested KTAP document of program suite;
 * return the exit status: 0 if no case failed. */
static inline int
kt_main(const char *suite, const struct kt_case *cases, size_t n)
{
	size_t i, nfail = 0, nskip = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("    KTAP version 1\n    # Subtest: %s\n    1..%zu\n", suite, n);
	if (getenv("EXEUNT_SEED") != NULL)
		printf("    # %s: EXEUNT_SEED=%s\n", suite,
		    getenv("EXEUNT_SEED"));
	for (i = 0; i < n; i++) {
		kt_case_name = cases[i].name;
		kt_failed = false;
		kt_skip_reason[0] = '\0';
		printf("    # %s: running\n", cases[i].name);  /* names a crash */
		if (cases[i].fork)
			kt_run_forked(&cases[i]);
		else
			cases[i].fn();
		if (kt_failed) {
			printf("    not ok %zu %s\n", i + 1, cases[i].name);
			nfail++;
		} else if (kt_skip_reason[0] != '\0') {
			printf("    ok %zu %s # SKIP %s\n", i + 1, cases[i].name,
			    kt_skip_reason);
			nskip++;
		} else {
			printf("    ok %zu %s\n", i + 1, cases[i].name);
		}
	}
	kt_case_name = suite;
	kt_diag("%zu passed, %zu failed, %zu skipped", n - nfail - nskip,
	    nfail, nskip);
	fflush(stdout);
	return nfail != 0;
}

#endif
