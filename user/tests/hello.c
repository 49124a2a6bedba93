/*
 * hello: the first user test, and the smallest: write to stdout, the
 * process identity calls, uname. No case forks, so it runs on a kernel
 * whose fork does not work yet.
 */
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ktest.h"

/* write(2) to stdout returns the whole length of a short line. */
static void
write_stdout(void)
{
	static const char line[] =
	    "    # write_stdout: hello from user space\n";

	fflush(stdout);
	KT_EXPECT_EQ(write(STDOUT_FILENO, line, sizeof(line) - 1),
	    sizeof(line) - 1);
	KT_EXPECT_EQ(write(STDOUT_FILENO, line, 0), 0);
}

/* getpid, getppid and gettid agree with the raw system calls; the main
 * thread's tid is the pid; the parent (init, or the runner) is another
 * process. */
static void
identity(void)
{
	pid_t pid = getpid();

	KT_EXPECT(pid > 0);
	KT_EXPECT_EQ(syscall(SYS_getpid), pid);
	KT_EXPECT_EQ(syscall(SYS_gettid), pid);
	KT_EXPECT(getppid() > 0);
	KT_EXPECT(getppid() != pid);
	KT_EXPECT_EQ(getpid(), pid);
}

/* uname: sysname "exeunt" on exeunt; "Linux" is accepted when the test
 * runs natively (tests/native), and says so. machine is x86_64. */
static void
uname_sysname(void)
{
	struct utsname u;

	KT_ASSERT_EQ(uname(&u), 0);
	if (strcmp(u.sysname, "Linux") == 0)
		kt_diag("running natively on Linux %s", u.release);
	else
		KT_EXPECT(strcmp(u.sysname, "exeunt") == 0);
	KT_EXPECT(strcmp(u.machine, "x86_64") == 0);
	KT_EXPECT(u.release[0] != '\0');
	KT_EXPECT(memchr(u.nodename, '\0', sizeof(u.nodename)) != NULL);
}

/* getuid and geteuid agree (no set-uid programs on either kernel). */
static void
uids(void)
{
	KT_EXPECT_EQ(getuid(), geteuid());
	KT_EXPECT_EQ(syscall(SYS_getuid), getuid());
}

static const struct kt_case cases[] = {
	KT_CASE(write_stdout),
	KT_CASE(identity),
	KT_CASE(uname_sysname),
	KT_CASE(uids),
};

int
main(void)
{
	return kt_main("hello", cases, KT_NCASES(cases));
}
