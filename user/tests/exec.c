/*
 * exec: execve and the initial process image. The test execs itself with
 * "--child <mode> ..." to check, from inside the new image: argv and envp
 * exactly as given, the auxiliary vector, the pid and parent kept, the old
 * mappings gone, signal dispositions reset (handlers) or kept (ignored,
 * blocked). Each exec'd child exits 0 when all its checks pass; its
 * diagnostics appear under the case that started it.
 */
#include <elf.h>
#include <signal.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "ktest.h"

#define NARGS		100		/* extra argv strings */
#define NENVS		50		/* extra environment strings */
#define OLD_MAP		((void *)0x3e0000000ul)	/* far from a new image */
#define OLD_MAP_LEN	(16 * 4096)
#define PID_STATUS	7		/* "pid" child: checks passed */

extern char _start[];			/* musl's entry point (crt1) */
extern char **environ;
static const char *self;		/* the path to exec this program */

/* The fixed strings of the "args" child's argv and envp. */
static const char *const fixed_args[] = { "--child", "args", "", "two words" };
static const char *const fixed_envs[] = { "EXEUNT_A=1", "EMPTY=", "K=v=w" };

/* Fill argv (self, the fixed strings, NARGS numbered strings) and envp
 * (the fixed strings, NENVS numbered ones) from bufs; NULL-terminated. */
static void
args_build(char **argv, char **envp, char (*bufs)[16])
{
	size_t i, a = 0, e = 0;

	argv[a++] = (char *)self;
	for (i = 0; i < sizeof(fixed_args) / sizeof(fixed_args[0]); i++)
		argv[a++] = (char *)fixed_args[i];
	for (i = 0; i < NARGS; i++) {
		snprintf(bufs[i], 16, "arg%zu", i);
		argv[a++] = bufs[i];
	}
	argv[a] = NULL;
	for (i = 0; i < sizeof(fixed_envs) / sizeof(fixed_envs[0]); i++)
		envp[e++] = (char *)fixed_envs[i];
	for (i = 0; i < NENVS; i++) {
		snprintf(bufs[NARGS + i], 16, "E%zu=%zu", i, i * i);
		envp[e++] = bufs[NARGS + i];
	}
	envp[e] = NULL;
}

/* Check the auxiliary vector of the running image. */
static void
auxv_check(void)
{
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long phnum = getauxval(AT_PHNUM), bias = 0, i, orbits = 0;
	uintptr_t start = (uintptr_t)_start;
	bool entry_mapped = false, phdr_mapped = false;

	KT_EXPECT_EQ(getauxval(AT_PAGESZ), 4096);
	KT_EXPECT_EQ(getauxval(AT_ENTRY), start);
	KT_ASSERT(rnd != NULL);
	for (i = 0; i < 16; i++)
		orbits |= rnd[i];
	KT_EXPECT(orbits != 0);		/* random, so not all zero */
	KT_ASSERT(ph != NULL);
	KT_EXPECT_EQ(getauxval(AT_PHENT), sizeof(Elf64_Phdr));
	KT_ASSERT(phnum > 0 && phnum < 64);
	for (i = 0; i < phnum; i++)	/* a PIE says where it was loaded */
		if (ph[i].p_type == PT_PHDR)
			bias = (uintptr_t)ph - ph[i].p_vaddr;
	for (i = 0; i < phnum; i++) {
		uintptr_t lo = bias + ph[i].p_vaddr, hi = lo + ph[i].p_memsz;

		if (ph[i].p_type != PT_LOAD)
			continue;
		if ((ph[i].p_flags & PF_X) && start >= lo && start < hi)
			entry_mapped = true;
		if ((uintptr_t)ph >= lo && (uintptr_t)ph < hi)
			phdr_mapped = true;
	}
	KT_EXPECT(entry_mapped);	/* an executable PT_LOAD holds _start */
	KT_EXPECT(phdr_mapped);		/* AT_PHDR lies in the image */
}

/* Read one byte at addr (the child of a case, expected to die). */
static void
touch(void *addr)
{
	(void)*(volatile char *)addr;
}

/* A signal handler that does nothing. */
static void
on_signal(int sig)
{
	(void)sig;
}

/* "args" child: argv and environ are exactly what argv_envp() gave. */
static void
child_args(int argc, char **argv)
{
	char *want_argv[NARGS + 8], *want_envp[NENVS + 8];
	static char bufs[NARGS + NENVS][16];
	int i;

	args_build(want_argv, want_envp, bufs);
	for (i = 0; want_argv[i] != NULL && i < argc; i++)
		if (!KT_EXPECT(strcmp(argv[i], want_argv[i]) == 0))
			kt_diag("argv[%d] is \"%s\"", i, argv[i]);
	KT_EXPECT(want_argv[i] == NULL && i == argc);
	KT_EXPECT(argv[argc] == NULL);
	for (i = 0; want_envp[i] != NULL && environ[i] != NULL; i++)
		if (!KT_EXPECT(strcmp(environ[i], want_envp[i]) == 0))
			kt_diag("environ[%d] is \"%s\"", i, environ[i]);
	KT_EXPECT(want_envp[i] == NULL && environ[i] == NULL);
	KT_EXPECT(getenv("K") != NULL && strcmp(getenv("K"), "v=w") == 0);
}

/* "unmapped" child: what discards_mappings() mapped is gone. */
static void
child_unmapped(void)
{
	int status = kt_child_status(touch, OLD_MAP);

	KT_EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
}

/* "sigs" child: the dispositions signal_dispositions() set, after exec. */
static void
child_sigs(void)
{
	struct sigaction sa;
	sigset_t mask;

	KT_ASSERT_EQ(sigaction(SIGUSR1, NULL, &sa), 0);
	KT_EXPECT(sa.sa_handler == SIG_DFL);	/* a handler: reset */
	KT_ASSERT_EQ(sigaction(SIGUSR2, NULL, &sa), 0);
	KT_EXPECT(sa.sa_handler == SIG_IGN);	/* ignored: kept */
	KT_ASSERT_EQ(sigprocmask(SIG_BLOCK, NULL, &mask), 0);
	KT_EXPECT(sigismember(&mask, SIGTERM));	/* the mask: kept */
	KT_EXPECT(!sigismember(&mask, SIGUSR1));
}

/* The exec'd side: run the checks of mode argv[2]; return the exit
 * status (0: passed; "pid": PID_STATUS). */
static int
child_main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[2] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	kt_case_name = "exec'd child";
	if (strcmp(mode, "args") == 0) {
		child_args(argc, argv);
	} else if (strcmp(mode, "auxv") == 0) {
		auxv_check();
	} else if (strcmp(mode, "pid") == 0 && argc == 5) {
		KT_EXPECT_EQ(getpid(), atoi(argv[3]));
		KT_EXPECT_EQ(getppid(), atoi(argv[4]));
		return kt_failed ? 1 : PID_STATUS;
	} else if (strcmp(mode, "unmapped") == 0) {
		child_unmapped();
	} else if (strcmp(mode, "sigs") == 0) {
		child_sigs();
	} else {
		kt_diag("unknown child mode \"%s\"", mode);
		return 1;
	}
	return kt_failed;
}

/* Fork a child that execs argv (with envp, or this environment); return
 * the child's wait status, or -1. */
static int
spawn(char **argv, char **envp)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execve(self, argv, envp != NULL ? envp : environ);
		kt_diag("execve %s: %s", self, strerror(errno));
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* Exec the child in mode, no further arguments, this environment; expect
 * exit status 0. */
static void
expect_child_mode(const char *mode)
{
	char *argv[] = { (char *)self, "--child", (char *)mode, NULL };

	KT_EXPECT_EQ(spawn(argv, NULL), 0);
}

/* This image's own auxiliary vector. */
static void
auxv_self(void)
{
	auxv_check();
}

/* The auxiliary vector of an image made by execve. */
static void
auxv_after_exec(void)
{
	expect_child_mode("auxv");
}

/* argv and envp reach the new image exactly, empty strings, spaces, '='
 * and 150 strings included. */
static void
argv_envp(void)
{
	char *argv[NARGS + 8], *envp[NENVS + 8];
	static char bufs[NARGS + NENVS][16];

	args_build(argv, envp, bufs);
	KT_EXPECT_EQ(spawn(argv, envp), 0);
}

/* execve keeps the pid and the parent; the exit status of the new image
 * reaches the parent. */
static void
keeps_pid(void)
{
	char pid[16], ppid[16];
	char *argv[] = { (char *)self, "--child", "pid", pid, ppid, NULL };
	pid_t child;
	int status;

	fflush(stdout);
	child = fork();
	if (child == 0) {	/* the ids the exec'd image must find */
		snprintf(pid, sizeof(pid), "%d", getpid());
		snprintf(ppid, sizeof(ppid), "%d", getppid());
		execve(self, argv, environ);
		_exit(127);
	}
	KT_ASSERT(child > 0);
	KT_ASSERT_EQ(waitpid(child, &status, 0), child);
	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == PID_STATUS);
}

/* A mapping made before execve is gone in the new image. This case's
 * child becomes the exec'd child: its exit status is the case's result. */
static void
discards_mappings(void)
{
	char *argv[] = { (char *)self, "--child", "unmapped", NULL };
	char *p;

	p = mmap(OLD_MAP, OLD_MAP_LEN, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	KT_ASSERT(p == OLD_MAP);
	memset(p, 0x5a, OLD_MAP_LEN);
	execve(self, argv, environ);	/* replaces this case's child */
	kt_diag("execve %s: %s", self, strerror(errno));
	kt_failed = true;
}

/* After execve a caught signal is back to SIG_DFL; an ignored one stays
 * ignored and the blocked mask is kept (POSIX). The case's child execs. */
static void
signal_dispositions(void)
{
	char *argv[] = { (char *)self, "--child", "sigs", NULL };
	struct sigaction sa = { .sa_handler = SIG_IGN };
	sigset_t mask;

	KT_ASSERT_EQ(sigaction(SIGUSR2, &sa, NULL), 0);
	sa.sa_handler = on_signal;
	KT_ASSERT_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	KT_ASSERT_EQ(sigprocmask(SIG_BLOCK, &mask, NULL), 0);
	execve(self, argv, environ);
	kt_diag("execve %s: %s", self, strerror(errno));
	kt_failed = true;
}

/* execve of a missing file fails with ENOENT, of a directory with EACCES;
 * the process goes on unchanged. */
static void
missing_file(void)
{
	char *argv[] = { "x", NULL };

	KT_EXPECT_ERR(execve("/tests/no-such-test", argv, environ), ENOENT);
	KT_EXPECT_ERR(execve("/no-such-dir/x", argv, environ), ENOENT);
	KT_EXPECT_ERR(execve("", argv, environ), ENOENT);
	KT_EXPECT_ERR(execve("/", argv, environ), EACCES);
	KT_EXPECT(self != NULL && strlen(self) > 0);
}

static const struct kt_case cases[] = {
	KT_CASE(auxv_self),
	KT_CASE_FORK(auxv_after_exec),
	KT_CASE_FORK(argv_envp),
	KT_CASE_FORK(keeps_pid),
	KT_CASE_FORK(discards_mappings),
	KT_CASE_FORK(signal_dispositions),
	KT_CASE(missing_file),
};

int
main(int argc, char **argv)
{
	self = kt_self_path(argv[0]);
	if (argc > 1 && strcmp(argv[1], "--child") == 0)
		return child_main(argc, argv);
	return kt_main("exec", cases, KT_NCASES(cases));
}
