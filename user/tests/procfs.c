/*
 * procfs: what ps relies on. /proc lists a directory per live process
 * (this one, its parent, init); /proc/<pid>/status names them in Linux's
 * format; a child's entry disappears once it has been waited for.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktest.h"

/* Return true if /proc lists pid as a directory. */
static bool
proc_lists(pid_t pid)
{
	char want[16];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(want, sizeof(want), "%d", pid);
	if ((d = opendir("/proc")) == NULL)
		return false;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, want) == 0)
			found = true;
	closedir(d);
	return found;
}

/* The Pid: and PPid: lines of /proc/<pid>/status; return 0 or -1. */
static int
status_ids(pid_t pid, long *pidp, long *ppidp)
{
	char path[64], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	*pidp = *ppidp = -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "Pid:", 4) == 0)
			*pidp = strtol(line + 4, NULL, 10);
		else if (strncmp(line, "PPid:", 5) == 0)
			*ppidp = strtol(line + 5, NULL, 10);
	}
	fclose(f);
	return 0;
}

/* /proc lists init, our parent and us. */
static void
lists_live_processes(void)
{
	KT_EXPECT(proc_lists(1));
	KT_EXPECT(proc_lists(getppid()));
	KT_EXPECT(proc_lists(getpid()));
}

/* /proc/self-by-pid/status agrees with getpid and getppid. */
static void
status_matches(void)
{
	long pid, ppid;

	KT_ASSERT_EQ(status_ids(getpid(), &pid, &ppid), 0);
	KT_EXPECT_EQ(pid, getpid());
	KT_EXPECT_EQ(ppid, getppid());
}

/* A child is listed while it lives and gone once reaped. */
static void
reaped_child_gone(void)
{
	int fds[2], status;
	char c;
	pid_t pid;

	KT_ASSERT_EQ(pipe(fds), 0);
	fflush(stdout);
	pid = fork();
	KT_ASSERT(pid >= 0);
	if (pid == 0) {
		close(fds[1]);
		read(fds[0], &c, 1);	/* until the parent closes */
		_exit(0);
	}
	close(fds[0]);
	KT_EXPECT(proc_lists(pid));
	close(fds[1]);
	KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	KT_EXPECT(!proc_lists(pid));
}

static const struct kt_case cases[] = {
	KT_CASE(lists_live_processes),
	KT_CASE(status_matches),
	KT_CASE(reaped_child_gone),
};

int
main(void)
{
	return kt_main("procfs", cases, KT_NCASES(cases));
}
