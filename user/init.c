/*
 * init: the first user process. It owns the test protocol between the
 * kernel, the user tests and the host runner; it keeps no locks (one
 * thread) and lives until the machine powers off.
 *
 * The protocol (the kernel side follows it):
 *
 *  1. The kernel execs /init as pid 1 with argv {"/init", NULL}, fds 0, 1
 *     and 2 open on the console, and an environment holding
 *	EXEUNT_TESTS=<tests= boot option>	only when given
 *	EXEUNT_SEED=<seed= boot option>		only when given
 *     (EXEUNT_TEST_TIMEOUT=<seconds> may be given too; default 60).
 *  2. Without EXEUNT_TESTS, init runs /bin/sh (argv {"sh", NULL}) with
 *     PATH=/bin:/tests on the console and starts it again when it exits
 *     (not if it cannot be executed: exit status 127).
 *  3. With EXEUNT_TESTS, a comma list of test names or "all" (every file
 *     in /tests, sorted by name), init runs /tests/<name> for each, one
 *     at a time, in a forked child with argv {"/tests/<name>", NULL} and
 *     init's own environment (so EXEUNT_SEED reaches the tests), and
 *     prints KTAP version 1 at top level, each test's own output (a
 *     nested document indented by 4 spaces) before its result line:
 *	KTAP version 1
 *	1..N
 *	ok K <name>
 *	not ok K <name> # exit status S
 *	not ok K <name> # killed by signal S
 *	not ok K <name> # timeout after T s
 *     A test still running after EXEUNT_TEST_TIMEOUT seconds is killed
 *     (SIGKILL) by a watchdog child that init forks beside it. A test
 *     that cannot be executed exits 127. A name holding a '/' is a path
 *     of its own, run as it is (make bench runs /bench/<program> so).
 *  4. Orphans reparented to init are reaped all along; in test mode each
 *     is reported: "# init: reaped orphan <pid> (<status>)".
 *  5. After the last test: "# init: P passed, F failed", then
 *     reboot(RB_POWER_OFF), which the kernel turns into a QEMU exit.
 *
 * Only the system calls of DESIGN.md section 6 are used. When init is
 * not pid 1 (tests/native runs it on Linux to check it), it reads the
 * tests from the directory argv[1] instead of /tests, becomes the child
 * subreaper (prctl, Linux only) so that orphans come to it, and exits
 * with status 0 if every test passed (else 1) instead of powering off.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TESTS_DIR	"/tests"
#define SHELL		"/bin/sh"
#define PATH_VALUE	"/bin:/tests"
#define TIMEOUT_DEFAULT	60		/* seconds per test */
#define EXIT_NOEXEC	127

extern char **environ;

/* What a test's run came to. */
struct outcome {
	int	status;			/* its wait status */
	bool	timed_out;		/* the watchdog killed it */
};

/* Describe a wait status in buf ("exit status 3", "killed by signal 9");
 * return buf. */
static char *
status_str(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "status %#x", status);
	return buf;
}

/* Fork a child that execs path with argv {argv0, NULL} and this
 * environment, or exits EXIT_NOEXEC saying why; return its pid or -1. */
static pid_t
spawn(const char *path, const char *argv0)
{
	char *argv[] = { (char *)argv0, NULL };
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execve(path, argv, environ);
		printf("# init: cannot execute %s: %s\n", path,
		    strerror(errno));
		fflush(stdout);
		_exit(EXIT_NOEXEC);
	}
	if (pid < 0)
		printf("# init: fork: %s\n", strerror(errno));
	return pid;
}

/* Fork the watchdog of victim: it sleeps seconds, then kills victim with
 * SIGKILL and exits 0. Return its pid, or -1. */
static pid_t
watchdog_start(pid_t victim, int seconds)
{
	struct timespec left = { seconds, 0 };
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		while (nanosleep(&left, &left) == -1 && errno == EINTR)
			continue;
		kill(victim, SIGKILL);
		_exit(0);
	}
	return pid;
}

/* Run the test at path under a watchdog of timeout seconds; return how
 * it ended (status -1: it could not be forked). Orphans that turn up
 * meanwhile are reaped and reported. */
static struct outcome
test_run(const char *path, int timeout)
{
	struct outcome out = { -1, false };
	pid_t test, dog, pid;
	bool test_done = false;
	char why[48];
	int status;

	test = spawn(path, path);
	if (test < 0)
		return out;
	dog = watchdog_start(test, timeout);
	while (!test_done || dog > 0) {
		pid = wait4(-1, &status, 0, NULL);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			printf("# init: wait4: %s\n", strerror(errno));
			break;
		}
		if (pid == test) {
			test_done = true;
			out.status = status;
			if (dog > 0)
				kill(dog, SIGKILL);
		} else if (pid == dog) {
			/* exit 0: it fired; killed: the test had ended */
			out.timed_out = WIFEXITED(status) &&
			    WEXITSTATUS(status) == 0;
			dog = -1;
		} else {
			printf("# init: reaped orphan %d (%s)\n", (int)pid,
			    status_str(status, why, sizeof(why)));
		}
	}
	/* A test that ended by itself did not time out, whatever the
	 * watchdog managed to do after it. */
	if (!(WIFSIGNALED(out.status) && WTERMSIG(out.status) == SIGKILL))
		out.timed_out = false;
	return out;
}

/* Compare two names for qsort. */
static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Return the test names of spec ("all": every file of dir, sorted; else
 * a comma list) as a malloc'd array, their count in *n. */
static char **
tests_list(const char *spec, const char *dir, size_t *n)
{
	char **names = NULL, *copy, *name, *save;
	struct dirent *de;
	DIR *d;

	*n = 0;
	if (strcmp(spec, "all") == 0) {
		if ((d = opendir(dir)) == NULL) {
			printf("# init: %s: %s\n", dir, strerror(errno));
			return NULL;
		}
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			names = realloc(names, (*n + 1) * sizeof(*names));
			names[(*n)++] = strdup(de->d_name);
		}
		closedir(d);
		qsort(names, *n, sizeof(*names), name_cmp);
		return names;
	}
	copy = strdup(spec);
	for (name = strtok_r(copy, ",", &save); name != NULL;
	    name = strtok_r(NULL, ",", &save)) {
		names = realloc(names, (*n + 1) * sizeof(*names));
		names[(*n)++] = strdup(name);
	}
	free(copy);
	return names;
}

/* Run the tests of spec from dir and print their KTAP; return the number
 * that failed. */
static int
tests_main(const char *spec, const char *dir, int timeout)
{
	char path[512], why[48], **names;
	struct outcome out;
	size_t i, n;
	int failed = 0;

	names = tests_list(spec, dir, &n);
	printf("KTAP version 1\n1..%zu\n", n);
	for (i = 0; i < n; i++) {
		if (strchr(names[i], '/') != NULL)
			snprintf(path, sizeof(path), "%s", names[i]);
		else
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		out = test_run(path, timeout);
		if (out.status == -1)
			snprintf(why, sizeof(why), "cannot fork");
		else if (out.timed_out)
			snprintf(why, sizeof(why), "timeout after %d s",
			    timeout);
		else
			status_str(out.status, why, sizeof(why));
		if (out.status == 0)
			printf("ok %zu %s\n", i + 1, names[i]);
		else
			printf("not ok %zu %s # %s\n", i + 1, names[i], why);
		failed += out.status != 0;
		free(names[i]);
	}
	printf("# init: %zu passed, %d failed\n", n - failed, failed);
	fflush(stdout);
	free(names);
	return failed;
}

/* Run the shell on the console for ever, starting it again when it
 * exits; reap orphans silently. Returns only if the shell cannot run. */
static void
shell_main(void)
{
	char why[48];
	pid_t sh, pid;
	int status;

	for (;;) {
		sh = spawn(SHELL, "sh");
		if (sh < 0)
			return;
		while ((pid = wait4(-1, &status, 0, NULL)) != sh)
			if (pid < 0 && errno != EINTR)
				return;
		if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_NOEXEC)
			return;
		printf("init: sh ended (%s); starting another\n",
		    status_str(status, why, sizeof(why)));
	}
}

/* Reap orphans for ever (pid 1 never exits). */
static void __attribute__((noreturn))
reap_forever(void)
{
	struct timespec second = { 1, 0 };
	int status;

	for (;;)
		if (wait4(-1, &status, 0, NULL) < 0)
			nanosleep(&second, NULL);
}

int
main(int argc, char **argv)
{
	const char *tests = getenv("EXEUNT_TESTS"), *t;
	const char *dir = TESTS_DIR;
	bool native = getpid() != 1;
	int timeout = TIMEOUT_DEFAULT, failed;

	setvbuf(stdout, NULL, _IOLBF, 0);
	setenv("PATH", PATH_VALUE, 0);
	if ((t = getenv("EXEUNT_TEST_TIMEOUT")) != NULL && atoi(t) > 0)
		timeout = atoi(t);
	if (native) {
		if (argc > 1)
			dir = argv[1];
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	}
	if (tests == NULL) {
		shell_main();
		printf("init: cannot run %s; only reaping orphans\n", SHELL);
		reap_forever();
	}
	failed = tests_main(tests, dir, timeout);
	if (native)
		return failed != 0;
	reboot(RB_POWER_OFF);
	printf("init: reboot: %s\n", strerror(errno));
	reap_forever();
}
