/*
 * counters: /bin/counters, the live view of /proc/exeunt. Run once (-1)
 * it prints one table with every group of counters (pages, vmspaces by
 * state, processes, the reaper and SMR backlogs, the trace, the pools),
 * plain (no terminal escapes into a pipe); -n 2 prints two refreshes; bad
 * options exit 2 with the usage. The binary is found beside the tests
 * (../bin/counters from this program's directory), so the test also runs
 * on Linux, which has no /proc/exeunt: there counters must fail with
 * status 1 naming the file, and the cases that need the counters skip.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktest.h"

static char counters_path[300];
static char out[16384];			/* the last run's stdout and stderr */

/* Run counters with args (NULL-terminated); return its exit status (or
 * -1) and leave what it printed in out. */
static int
counters_run(const char *const *args)
{
	char *argv[8] = { counters_path };
	int fds[2], status, i;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	for (i = 0; args[i] != NULL && i < 6; i++)
		argv[i + 1] = (char *)args[i];
	if (pipe(fds) != 0)
		return -1;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		execv(counters_path, argv);
		_exit(127);
	}
	close(fds[1]);
	while (got < sizeof(out) - 1 &&
	    (n = read(fds[0], out + got, sizeof(out) - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Return whether /proc/exeunt can be opened (exeunt, not Linux). */
static bool
counters_file_exists(void)
{
	int fd = open("/proc/exeunt", O_RDONLY);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Return whether this is exeunt (it has /proc/exeunt); skip if not. */
static bool
have_counters(void)
{
	if (counters_file_exists())
		return true;
	kt_skip("no /proc/exeunt (not exeunt: Linux has no such counters)");
	return false;
}

/* Return the number after "key=" in s, or -1. */
static long
value_of(const char *s, const char *key)
{
	const char *p = strstr(s, key);

	return p == NULL ? -1 : strtol(p + strlen(key), NULL, 10);
}

/* Return how many times needle occurs in s. */
static int
count_of(const char *s, const char *needle)
{
	int n = 0;

	for (; (s = strstr(s, needle)) != NULL; s++)
		n++;
	return n;
}

/* -1: one table with every group, plain, values that make sense. */
static void
once_prints_every_group(void)
{
	static const char *const keys[] = {
		"exeunt counters", "purge=", "\npages ", "total=", "free=",
		"user=", "ptp=", "\npmap ", "pmaps=", "ptpages=",
		"\nvmspaces ", "live=", "purged=", "dead=", "processes=",
		"threads=", "kthreads=", "\nreaper ", "backlog=", "\nsmr ",
		"pending=", "\ntrace ", "events=", "lost=", "\npool ",
		"\n  vmspace ", "\n  proc ",
	};
	const char *const args[] = { "-1", NULL };
	size_t i;

	if (!have_counters())
		return;
	KT_ASSERT_EQ(counters_run(args), 0);
	for (i = 0; i < KT_NCASES(keys); i++)
		if (!KT_EXPECT(strstr(out, keys[i]) != NULL))
			kt_diag("missing \"%s\" in:\n%s", keys[i], out);
	KT_EXPECT_EQ(count_of(out, "exeunt counters"), 1);
	KT_EXPECT(strchr(out, '\033') == NULL);	/* a pipe: no escapes */
	KT_EXPECT(strstr(out, "(+") == NULL && strstr(out, "(-") == NULL);
	KT_EXPECT(value_of(out, "total=") > 0);
	KT_EXPECT(value_of(out, "free=") > 0);
	KT_EXPECT(value_of(out, "free=") < value_of(out, "total="));
	/* init, this test and counters itself have a live address space */
	KT_EXPECT(value_of(out, "live=") >= 3);
}

/* -n 2: two tables, the second one numbered 2. */
static void
refreshes_count(void)
{
	const char *const args[] = { "-n", "2", NULL };

	if (!have_counters())
		return;
	KT_ASSERT_EQ(counters_run(args), 0);
	KT_EXPECT_EQ(count_of(out, "exeunt counters"), 2);
	KT_EXPECT(strstr(out, "refresh 1)") != NULL);
	KT_EXPECT(strstr(out, "refresh 2;") != NULL);
}

/* Bad options: status 2 and the usage, on exeunt and Linux alike. */
static void
bad_usage(void)
{
	const char *const bad[][3] = {
		{ "-x", NULL }, { "-n", "0", NULL }, { "-n", "2x", NULL },
		{ "extra", NULL },
	};
	size_t i;

	for (i = 0; i < KT_NCASES(bad); i++) {
		KT_EXPECT_EQ(counters_run(bad[i]), 2);
		KT_EXPECT(strstr(out, "usage: counters") != NULL);
	}
}

/* Without /proc/exeunt (Linux) counters fails, naming the file. */
static void
no_counters_file_fails(void)
{
	const char *const args[] = { "-1", NULL };

	if (counters_file_exists()) {
		kt_skip("this is exeunt: /proc/exeunt is there");
		return;
	}
	KT_EXPECT_EQ(counters_run(args), 1);
	KT_EXPECT(strstr(out, "counters: /proc/exeunt:") != NULL);
}

static const struct kt_case cases[] = {
	KT_CASE(once_prints_every_group),
	KT_CASE(refreshes_count),
	KT_CASE(bad_usage),
	KT_CASE(no_counters_file_fails),
};

/* Find /bin/counters beside /tests (../bin from this program), run the
 * cases. */
int
main(int argc, char **argv)
{
	const char *self = kt_self_path(argv[0]);
	const char *slash = strrchr(self, '/');

	snprintf(counters_path, sizeof(counters_path), "%.*s/../bin/counters",
	    (int)(slash - self), self);
	return kt_main("counters", cases, KT_NCASES(cases));
}
