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
 *	EXEUNT_STRESS=<stress= boot option>	only when given
 *     (EXEUNT_TEST_TIMEOUT=<seconds> may be given too; default 60).
 *  2. Without EXEUNT_TESTS, init runs /bin/sh (argv {"sh", NULL}) with
 *     PATH=/bin:/tests on the console and starts it again when it exits
 *     (not if it cannot be executed: exit status 127).
 *  3. With EXEUNT_TESTS, a comma list of test names or "all" (every file
 *     in /tests, sorted by name), init runs /tests/<name> for each, one
 *     at a time, in a forked child with argv {"/tests/<name>", NULL} and
 *     init's own environment (so EXEUNT_SEED and EXEUNT_STRESS reach
 *     the tests), and prints KTAP version 1 at top level, each test's
 *     own output (a nested document indented by 4 spaces) before its
 *     result line:
 *	KTAP version 1
 *	1..N
 *	ok K <name>
 *	not ok K <name> # exit status S
 *	not ok K <name> # killed by signal S
 *	not ok K <name> # timeout after T s
 *     A test still running after EXEUNT_TEST_TIMEOUT seconds is killed
 *     (SIGKILL) by a watchdog child that init starts beside it (init
 *     itself executed again: "init --watchdog <pid> <seconds> <fd>"); the
 *     test execs only once its watchdog is ready. As pid 1, init gives
 *     the watchdog pid -1: kill -1 takes every process but init and the
 *     watchdog, that is the test and everything it started (exeunt has
 *     no process groups), and init reaps them all before the test's leak
 *     accounting, so that nothing of a hung test runs on into the next.
 *     Natively the test leads a process group of its own, which the
 *     watchdog kills; init reaps what it killed as orphans come to it. A test
 *     that cannot be executed exits 127. A name holding a '/' is a path
 *     of its own, run as it is (make bench runs /bench/<program> so).
 *  4. Orphans reparented to init are reaped all along. In test mode the
 *     first ORPHANS_SHOWN of a test (reaped while it runs or while its
 *     counters settle) are reported one by one as they are reaped,
 *	# init: reaped orphan <pid> (<status>)
 *     and the others in one line before the test's result line, counted
 *     by status, the ORPHAN_TOP commonest named (most first) and the
 *     rest summed up:
 *	# init: reaped <n> more orphans: <k> <status>, ..., <k> other
 *     (a fuzzer's test makes hundreds).
 *  5. After the last test: "# init: P passed, F failed", then
 *     reboot(RB_POWER_OFF), which the kernel turns into a QEMU exit.
 *  6. Leak accounting (exeunt only: Linux has no /proc/exeunt, and there
 *     init prints nothing of it). Around every test init reads the
 *     kernel's counters (/proc/exeunt); after the test, once the reaper
 *     backlog and the SMR callbacks pending are both 0 and two reads in
 *     a row agree (orphans reaped meanwhile), every exact counter must
 *     be back where it was before the test. Each one that is not is a
 *     diagnostic of the test, and fails it:
 *	# leak: <counter> <before> -> <after>
 *	not ok K <name> # leaked <k> counters
 *     (", "-joined with another reason: "# exit status 1, leaked 2
 *     counters"). A counter still moving after LEAK_SETTLE_MS is compared
 *     as it is then. The exact counters: pages.kernel, pages.user,
 *     pages.ptp, pmap.*, vmspaces.*, processes, threads, kthreads, and
 *     the live objects of every pool (pool.<name>'s first number).
 *     Not compared: pages.free and pages.pool (pools keep empty slabs
 *     and per-CPU caches, so their pages need not come back when their
 *     objects do; only the objects are exact), a pool's peak and slabs
 *     (the same), pages.total and pages.reserved (constants), trace.*
 *     (they only grow). init's own pages count too, so it keeps them
 *     still between two reads: its snapshots are static, it faults its
 *     stack in before the first test, and frees nothing until the last
 *     test is done (musl's free may unmap). Both the test and the
 *     watchdog exec a new image, so while a test runs init shares no
 *     page copy-on-write and can take no fault that needs a free page:
 *     a test that runs memory out (oom.c) cannot get pid 1 killed.
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

#include "exeunt_counters.h"

#define TESTS_DIR	"/tests"
#define SHELL		"/bin/sh"
#define PATH_VALUE	"/bin:/tests"
#define TIMEOUT_DEFAULT	60		/* seconds per test */
#define EXIT_NOEXEC	127
#define LEAK_SETTLE_MS	5000		/* how long counters may take to settle */
#define LEAK_POLL_MS	10
#define WATCHDOG_ARG	"--watchdog"	/* argv[1] of init as a watchdog */
#define WATCHDOG_FDS	64		/* it closes all but its own up to here */
#define ORPHANS_SHOWN	3		/* orphans of a test reported singly */
#define ORPHAN_STATUSES	32		/* statuses counted beyond those */
#define ORPHAN_TOP	6		/* statuses the summary names */

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

static bool native;			/* not pid 1: run on Linux */
static const char *init_path;		/* argv[0]: init, to exec it again */

/* Snapshots: static, so that taking one faults no page of init in. */
static struct exeunt_counters leak_before, leak_after, leak_prev;

/* The orphans of the running test (step 4), static for the same reason:
 * beyond the first ORPHANS_SHOWN, a count per distinct status. */
struct orphan_count {
	int	status;				/* a wait status */
	int	count;				/* orphans that ended so */
};
static struct {
	int	n;				/* reaped */
	int	nstatus;			/* distinct statuses counted */
	struct orphan_count by[ORPHAN_STATUSES];
	int	other;				/* of a status beyond those */
} orphans;

/* Milliseconds on the monotonic clock. */
static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Report an orphan init has reaped, or count it once the test has had
 * ORPHANS_SHOWN (orphans_summary prints the counts). */
static void
orphan_report(pid_t pid, int status)
{
	char why[48];
	int i;

	if (orphans.n++ < ORPHANS_SHOWN) {
		printf("# init: reaped orphan %d (%s)\n", (int)pid,
		    status_str(status, why, sizeof(why)));
		return;
	}
	for (i = 0; i < orphans.nstatus && orphans.by[i].status != status; i++)
		continue;
	if (i == ORPHAN_STATUSES) {
		orphans.other++;
		return;
	}
	if (i == orphans.nstatus)
		orphans.by[orphans.nstatus++] =
		    (struct orphan_count){ status, 0 };
	orphans.by[i].count++;
}

/* Order orphan counts most first, for qsort. */
static int
orphan_count_cmp(const void *a, const void *b)
{
	return ((const struct orphan_count *)b)->count -
	    ((const struct orphan_count *)a)->count;
}

/* Print the orphans of the test that were counted, not reported, if any
 * (their commonest statuses first); start the count of the next test. */
static void
orphans_summary(void)
{
	char why[48];
	int i;

	if (orphans.n > ORPHANS_SHOWN) {
		qsort(orphans.by, orphans.nstatus, sizeof(orphans.by[0]),
		    orphan_count_cmp);
		printf("# init: reaped %d more orphans:", orphans.n -
		    ORPHANS_SHOWN);
		for (i = 0; i < orphans.nstatus; i++) {
			if (i < ORPHAN_TOP)
				printf("%s %d %s", i ? "," : "",
				    orphans.by[i].count, status_str(
				    orphans.by[i].status, why, sizeof(why)));
			else
				orphans.other += orphans.by[i].count;
		}
		if (orphans.other > 0)
			printf(", %d other", orphans.other);
		printf("\n");
	}
	memset(&orphans, 0, sizeof(orphans));
}

/* Reap and report (or count) orphans: with WNOHANG those that have
 * already exited; with 0 (after the watchdog's kill -1) every child init
 * has, each one killed and, by the time it can be collected, init's
 * (an exiting parent hands its children to init first), until none is
 * left. */
static void
orphans_reap(int options)
{
	int status;
	pid_t pid;

	while ((pid = wait4(-1, &status, options, NULL)) > 0 ||
	    (pid < 0 && errno == EINTR))
		if (pid > 0)
			orphan_report(pid, status);
}

/* Read the counters into *c once the system is quiet: no reaper backlog,
 * no SMR callback pending, and the same values twice in a row; sooner if
 * they are back at *want (NULL: any values), later only up to
 * LEAK_SETTLE_MS. Orphans are reaped meanwhile. Return false without
 * /proc/exeunt. */
static bool
counters_settle(struct exeunt_counters *c,
    const struct exeunt_counters *want)
{
	struct timespec poll = { 0, LEAK_POLL_MS * 1000000L };
	long deadline = now_ms() + LEAK_SETTLE_MS;
	bool quiet;

	leak_prev.n = -1;
	for (;;) {
		orphans_reap(WNOHANG);
		if (!exeunt_counters_read(c))
			return false;
		quiet = c->backlog == 0 && c->pending == 0 &&
		    exeunt_counters_diff(c, &leak_prev) == 0;
		if (quiet &&
		    (want == NULL || exeunt_counters_diff(c, want) == 0))
			return true;
		if (now_ms() > deadline) {
			if (!quiet)
				printf("# leak: counters still moving after "
				    "%d ms\n", LEAK_SETTLE_MS);
			return true;
		}
		leak_prev = *c;
		nanosleep(&poll, NULL);
	}
}

/* Print "# leak:" for each exact counter of after that differs from
 * before; return how many do. */
static int
counters_report(const struct exeunt_counters *before,
    const struct exeunt_counters *after)
{
	int i, j, k = 0;
	long was;

	for (i = 0; i < after->n; i++) {
		for (j = 0; j < before->n; j++)
			if (strcmp(before->name[j], after->name[i]) == 0)
				break;
		was = j < before->n ? before->val[j] : 0;
		if (was != after->val[i]) {
			printf("# leak: %s %ld -> %ld\n", after->name[i], was,
			    after->val[i]);
			k++;
		}
	}
	for (j = 0; j < before->n; j++) {	/* a pool that went away */
		for (i = 0; i < after->n; i++)
			if (strcmp(before->name[j], after->name[i]) == 0)
				break;
		if (i == after->n && before->val[j] != 0) {
			printf("# leak: %s %ld -> 0\n", before->name[j],
			    before->val[j]);
			k++;
		}
	}
	return k;
}

/* Block until every write end of the pipe whose read end is fd is
 * closed. */
static void
gate_wait(int fd)
{
	char c;

	while (read(fd, &c, 1) == -1 && errno == EINTR)
		continue;
}

/* Fork a child that (once the gate[] pipe is closed, if gate is not
 * NULL) execs path with argv {argv0, NULL} and this environment, or
 * exits EXIT_NOEXEC saying why; return its pid or -1. A test (gate given)
 * run natively leads a process group of its own, for its watchdog. */
static pid_t
spawn(const char *path, const char *argv0, const int *gate)
{
	char *argv[] = { (char *)argv0, NULL };
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (gate != NULL && native)
			setpgid(0, 0);
		if (gate != NULL) {
			close(gate[1]);
			gate_wait(gate[0]);
			close(gate[0]);
		}
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

/* The watchdog: say it is ready (a byte on fd ready), sleep seconds,
 * then kill victim (-1: every process but init and itself; below: a
 * process group) with SIGKILL; exit 0. */
static void __attribute__((noreturn))
watchdog_main(pid_t victim, int seconds, int ready)
{
	struct timespec left = { seconds, 0 }, none = { 0, 0 };

	nanosleep(&none, NULL);		/* every page it needs, in before */
	if (write(ready, "r", 1) != 1)
		_exit(1);
	while (nanosleep(&left, &left) == -1 && errno == EINTR)
		continue;
	kill(victim, SIGKILL);
	_exit(0);
}

/* Start the watchdog of victim: a child that closes every descriptor but
 * its ready pipe and execs init (init_path) as "init --watchdog <victim>
 * <seconds> <fd>" (so that, once it runs, it shares no page of init's
 * copy-on-write; step 6), or, if that exec fails, is the watchdog as it
 * is. Return its pid, or -1, once it says it is ready: from then on it
 * faults no page in. */
static pid_t
watchdog_start(pid_t victim, int seconds)
{
	char v[16], secs[16], fd[16];
	char *argv[] = { "init", WATCHDOG_ARG, v, secs, fd, NULL };
	int ready[2], i;
	pid_t pid;

	if (pipe(ready) != 0)
		return -1;
	snprintf(v, sizeof(v), "%d", (int)victim);
	snprintf(secs, sizeof(secs), "%d", seconds);
	snprintf(fd, sizeof(fd), "%d", ready[1]);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		for (i = 3; i < WATCHDOG_FDS; i++)	/* the test's gate too */
			if (i != ready[1])
				close(i);
		execve(init_path, argv, environ);
		watchdog_main(victim, seconds, ready[1]);
	}
	close(ready[1]);
	if (pid > 0)
		gate_wait(ready[0]);	/* its byte, or its end */
	close(ready[0]);
	return pid;
}

/* Run the test at path under a watchdog of timeout seconds; return how
 * it ended (status -1: it could not be forked). Orphans that turn up
 * meanwhile are reaped and reported or counted; after a timeout, as pid
 * 1, every process the test left too. */
static struct outcome
test_run(const char *path, int timeout)
{
	struct outcome out = { -1, false };
	pid_t test, dog, pid;
	bool test_done = false;
	int status, gate[2];

	if (pipe(gate) != 0) {
		printf("# init: pipe: %s\n", strerror(errno));
		return out;
	}
	test = spawn(path, path, gate);
	if (test > 0 && native)
		setpgid(test, test);	/* as the child does: either may be first */
	dog = test > 0 ? watchdog_start(native ? -test : -1, timeout) : -1;
	close(gate[0]);
	close(gate[1]);			/* the test starts, its watchdog ready */
	if (test < 0)
		return out;
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
			orphan_report(pid, status);
		}
	}
	/* A test that ended by itself did not time out, whatever the
	 * watchdog managed to do after it. */
	if (!(WIFSIGNALED(out.status) && WTERMSIG(out.status) == SIGKILL))
		out.timed_out = false;
	if (out.timed_out && !native)
		orphans_reap(0);
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

/* Run the tests of spec from dir and print their KTAP, each test's leak
 * accounting with it (step 6); return the number that failed. */
static int
tests_main(const char *spec, const char *dir, int timeout)
{
	char path[512], why[96], **names;
	bool counted, failed_one;
	struct outcome out;
	size_t i, n, len;
	int failed = 0, leaked;

	names = tests_list(spec, dir, &n);
	exeunt_stack_prefault();
	counted = counters_settle(&leak_before, NULL);
	printf("KTAP version 1\n1..%zu\n", n);
	for (i = 0; i < n; i++) {
		if (strchr(names[i], '/') != NULL)
			snprintf(path, sizeof(path), "%s", names[i]);
		else
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		out = test_run(path, timeout);
		why[0] = '\0';
		if (out.status == -1)
			snprintf(why, sizeof(why), "cannot fork");
		else if (out.timed_out)
			snprintf(why, sizeof(why), "timeout after %d s",
			    timeout);
		else if (out.status != 0)
			status_str(out.status, why, sizeof(why));
		leaked = 0;
		if (counted) {
			counters_settle(&leak_after, &leak_before);
			leaked = counters_report(&leak_before, &leak_after);
			leak_before = leak_after;
		}
		orphans_summary();
		if (leaked > 0) {
			len = strlen(why);
			snprintf(why + len, sizeof(why) - len,
			    "%sleaked %d counters", len ? ", " : "", leaked);
		}
		failed_one = why[0] != '\0';
		if (failed_one)
			printf("not ok %zu %s # %s\n", i + 1, names[i], why);
		else
			printf("ok %zu %s\n", i + 1, names[i]);
		failed += failed_one;
	}
	printf("# init: %zu passed, %d failed\n", n - failed, failed);
	fflush(stdout);
	for (i = 0; i < n; i++)		/* only now: free may unmap */
		free(names[i]);
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
		sh = spawn(SHELL, "sh", NULL);
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
	int timeout = TIMEOUT_DEFAULT, failed;

	if (argc == 5 && strcmp(argv[1], WATCHDOG_ARG) == 0)
		watchdog_main(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	init_path = argv[0];
	native = getpid() != 1;
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
