/*
 * failinject: every allocation of an operation fails in turn, and each
 * failure is reported cleanly and leaks nothing. For each operation (fork,
 * thread creation, exec, mmap, page faults on fresh and on copy-on-write
 * memory, ptrace PEEKDATA and POKEDATA, process_vm_readv and writev,
 * /proc/<pid>/cmdline, maps and mem reads) the
 * test sweeps n = 1, 2, ...: a worker process arms exeunt's failure
 * injection to fail its nth page or pool allocation (kernel/include/
 * failinject.h), runs the operation once, and disarms, which says whether
 * the failure was injected. Then:
 *  - not injected: the operation must have succeeded, and the sweep of
 *    that operation is over (it made fewer than n allocations);
 *  - injected: the operation failed with one of its clean errnos, or
 *    succeeded all the same (the failure was absorbed: a retry, or a
 *    best-effort part); a failed page fault kills the faulting process
 *    with SIGKILL (trap.c), which is its clean failure;
 *  - either way, once the reaper and the SMR callbacks are done, every
 *    exact counter of /proc/exeunt (pages by use, pmaps, vmspaces,
 *    processes, threads, pool objects: the ones init's leak accounting
 *    compares) is back where it was before the sweep.
 * A panic ends the boot, a hang is the test's timeout.
 *
 * Linux has no failure injection (the private system call answers
 * ENOSYS) and no /proc/exeunt: there every case skips. exeunt answers
 * ENOSYS too when booted with failinject=0.
 */
#define _GNU_SOURCE		/* process_vm_readv, process_vm_writev */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "../exeunt_counters.h"
#include "ktest.h"

/* kernel/include/failinject.h and syscall.h */
#define SYS_exeunt_failinject	1024
#define FAILINJECT_ARM		1
#define FAILINJECT_DISARM	2
#define FAILINJECT_PAGE		0x01
#define FAILINJECT_POOL		0x02
#define FAILINJECT_SYSCALL	0x10
#define FAILINJECT_FAULT	0x20
#define FI_SYSCALL	(FAILINJECT_PAGE | FAILINJECT_POOL | FAILINJECT_SYSCALL)
#define FI_FAULT	(FAILINJECT_PAGE | FAILINJECT_POOL | FAILINJECT_FAULT)

#define PAGE		4096
#define NTH_MAX		400		/* allocations an operation may make */
#define EXEC_ARG	"--failinject-exec"	/* argv[1] of the exec'd copy */
#define MARK		0x6d61726b65647770ul

/* One operation of the sweep. */
struct op {
	const char	*name;
	unsigned	what;		/* FAILINJECT_* the worker arms */
	int		errnos[4];	/* its clean errnos (0 ends the list) */
	bool		(*prep)(void);	/* before arming; false: broken */
	int		(*run)(void);	/* armed: 0, or the errno it failed with */
	void		(*cleanup)(void);
};

/* What a worker tells the sweeper. */
struct report {
	int		error;		/* run's result */
	long		fired;		/* failures injected (DISARM) */
};

static const char *self;
static char *cow;		/* a page the sweeper wrote: copy-on-write in
				 * every worker */
static char *fresh;		/* a page a worker maps and first touches */
static pid_t target;		/* a worker's child, to read and trace */
static int target_go[2];	/* the target waits until this closes */
static pid_t forked;		/* the fork operation's child */
static pthread_t thread;	/* the thread operation's thread */
static int report_fd;		/* the worker's end of the report pipe */
static struct report rep;
static char procbuf[512];	/* what a /proc read reads into */
static struct exeunt_counters base, now;

static long
fi(long op, unsigned long nth, unsigned long what)
{
	return syscall(SYS_exeunt_failinject, op, nth, what);
}

/* Read the exact counters into *c; return false if they cannot be read
 * (Linux), or lack the reaper's and the SMR backlogs. */
static bool
counters_read(struct exeunt_counters *c)
{
	return exeunt_counters_read(c) && c->backlog >= 0 && c->pending >= 0;
}

/* Read the counters once the reaper has no backlog and no SMR callback
 * is pending (the structs of a collected process are freed after a
 * grace period): the read after the first that says so, since one
 * snapshot shows the vmspaces before smr.pending, and a callback may
 * finish in between. False if they cannot be read. */
static bool
counters_settled(struct exeunt_counters *c)
{
	do {
		if (!counters_read(c))
			return false;
	} while ((c->backlog != 0 || c->pending != 0) && sched_yield() == 0);
	return counters_read(c);
}

/* Compare now with base; report each counter that moved. */
static bool
counters_same(const char *op, unsigned long nth)
{
	bool same = now.n == base.n;
	int i;

	for (i = 0; i < base.n && i < now.n; i++) {
		if (strcmp(base.name[i], now.name[i]) == 0 &&
		    base.val[i] == now.val[i])
			continue;
		kt_diag("%s, allocation %lu failed: %s %ld -> %s %ld", op,
		    nth, base.name[i], base.val[i], now.name[i], now.val[i]);
		same = false;
	}
	return same;
}

/* ---- the operations ---- */

/* fork(): the raw system call (no libc handlers around it). */
static int
run_fork(void)
{
	if ((forked = syscall(SYS_fork)) == 0)
		_exit(0);
	return forked < 0 ? errno : 0;
}

static void
cleanup_fork(void)
{
	int status;

	if (forked > 0)
		waitpid(forked, &status, 0);
}

/* execve of this program, which reports from its new image (exec_main). */
static int
run_exec(void)
{
	char fd[16];

	snprintf(fd, sizeof(fd), "%d", report_fd);
	execl(self, self, EXEC_ARG, fd, (char *)NULL);
	return errno;
}

/* mmap of one page. */
static int
run_mmap(void)
{
	fresh = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return fresh == MAP_FAILED ? errno : 0;
}

static void
cleanup_mmap(void)
{
	if (fresh != MAP_FAILED)
		munmap(fresh, PAGE);
}

/* A page fault on a fresh page (mapped before arming). */
static bool
prep_fault(void)
{
	return run_mmap() == 0;
}

static int
run_fault(void)
{
	fresh[0] = 1;
	return 0;
}

/* A page fault on a copy-on-write page (the sweeper's, shared). */
static int
run_cow(void)
{
	cow[8] = 1;
	return 0;
}

/* pthread_create of a thread that returns at once (musl maps the
 * errors of its stack's mmap and of clone to EAGAIN). */
static void *
thread_main(void *arg)
{
	return arg;
}

static int
run_thread(void)
{
	return pthread_create(&thread, NULL, thread_main, NULL);
}

static void
cleanup_thread(void)
{
	if (rep.error == 0)
		pthread_join(thread, NULL);
}

/* A child of the worker that sleeps, for the readers and ptrace. */
static bool
prep_target(void)
{
	char c;

	if (pipe(target_go) != 0)
		return false;
	fflush(stdout);
	if ((target = fork()) == 0) {
		close(target_go[1]);
		while (read(target_go[0], &c, 1) != 0)
			;
		_exit(0);
	}
	close(target_go[0]);
	return target > 0;
}

static void
cleanup_target(void)
{
	int status;

	close(target_go[1]);
	kill(target, SIGKILL);
	waitpid(target, &status, 0);
}

/* The target, attached and stopped, for PEEKDATA and POKEDATA. */
static bool
prep_traced(void)
{
	int status;

	return prep_target() &&
	    syscall(SYS_ptrace, PTRACE_ATTACH, target, NULL, NULL) == 0 &&
	    waitpid(target, &status, 0) == target && WIFSTOPPED(status);
}

static int
run_peek(void)
{
	uint64_t word = 0;

	if (syscall(SYS_ptrace, PTRACE_PEEKDATA, target, cow, &word) != 0)
		return errno;
	return word == MARK ? 0 : EBADMSG;
}

static int
run_poke(void)
{
	if (syscall(SYS_ptrace, PTRACE_POKEDATA, target, cow, MARK + 1) != 0)
		return errno;
	return 0;
}

static int
run_vm_readv(void)
{
	uint64_t word = 0;
	struct iovec l = { &word, sizeof(word) }, r = { cow, sizeof(word) };

	if (process_vm_readv(target, &l, 1, &r, 1, 0) != sizeof(word))
		return errno;
	return word == MARK ? 0 : EBADMSG;
}

static int
run_vm_writev(void)
{
	uint64_t word = MARK + 1;
	struct iovec l = { &word, sizeof(word) }, r = { cow, sizeof(word) };

	if (process_vm_writev(target, &l, 1, &r, 1, 0) != sizeof(word))
		return errno;
	return 0;
}

/* Open /proc/<target>/<file> and read it into procbuf (faulted in
 * before arming) from off; 0 (and the bytes read in *np), or the errno. */
static int
proc_read(const char *file, off_t off, ssize_t *np)
{
	char path[64];
	int fd, error = 0;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)target, file);
	if ((fd = open(path, O_RDONLY)) < 0)
		return errno;
	if ((off != 0 && lseek(fd, off, SEEK_SET) != off) ||
	    (*np = read(fd, procbuf, sizeof(procbuf) - 1)) < 0)
		error = errno;
	close(fd);
	return error;
}

/* The target's argv: this program's path alone (EBADMSG if it is not
 * what came: a failure must be an error, not a short file). */
static int
run_proc_cmdline(void)
{
	ssize_t n = 0;
	int error = proc_read("cmdline", 0, &n);

	if (error == 0 && (n != (ssize_t)strlen(self) + 1 ||
	    memcmp(procbuf, self, n) != 0))
		error = EBADMSG;
	return error;
}

/* The target's maps, its stack among them. */
static int
run_proc_maps(void)
{
	ssize_t n = 0;
	int error = proc_read("maps", 0, &n);

	procbuf[n > 0 ? n : 0] = '\0';
	if (error == 0 && strstr(procbuf, "[stack]") == NULL)
		error = EBADMSG;
	return error;
}

/* The target's word at cow, through /proc/<pid>/mem. */
static int
run_proc_mem(void)
{
	ssize_t n = 0;
	int error = proc_read("mem", (off_t)(uintptr_t)cow, &n);

	if (error == 0 && (n < 8 || *(uint64_t *)procbuf != MARK))
		error = EBADMSG;
	return error;
}

static const struct op ops[] = {
	{ "fork", FI_SYSCALL, { ENOMEM, EAGAIN }, NULL, run_fork,
	    cleanup_fork },
	{ "thread", FI_SYSCALL, { EAGAIN }, NULL, run_thread,
	    cleanup_thread },
	{ "exec", FI_SYSCALL, { ENOMEM, EFAULT }, NULL, run_exec, NULL },
	{ "mmap", FI_SYSCALL, { ENOMEM }, NULL, run_mmap, cleanup_mmap },
	{ "fault", FI_FAULT, { 0 }, prep_fault, run_fault, cleanup_mmap },
	{ "cow fault", FI_FAULT, { 0 }, NULL, run_cow, NULL },
	{ "ptrace peek", FI_SYSCALL, { ENOMEM, EIO }, prep_traced, run_peek,
	    cleanup_target },
	{ "ptrace poke", FI_SYSCALL, { ENOMEM, EIO }, prep_traced, run_poke,
	    cleanup_target },
	{ "process_vm_readv", FI_SYSCALL, { ENOMEM, EFAULT }, prep_target,
	    run_vm_readv, cleanup_target },
	{ "process_vm_writev", FI_SYSCALL, { ENOMEM, EFAULT }, prep_target,
	    run_vm_writev, cleanup_target },
	{ "/proc cmdline", FI_SYSCALL, { ENOMEM }, prep_target,
	    run_proc_cmdline, cleanup_target },
	{ "/proc maps", FI_SYSCALL, { ENOMEM }, prep_target, run_proc_maps,
	    cleanup_target },
	{ "/proc mem", FI_SYSCALL, { ENOMEM, EIO }, prep_target, run_proc_mem,
	    cleanup_target },
};

/* ---- the sweep ---- */

/* In a worker: run op with its nth allocation failing (0: none armed),
 * report through fd, exit. */
static void __attribute__((noreturn))
worker(const struct op *op, unsigned long nth, int fd)
{
	report_fd = fd;
	exeunt_stack_prefault();
	memset(&rep, 0, sizeof(rep));
	memset(procbuf, 0, sizeof(procbuf));
	if (op->prep != NULL && !op->prep())
		_exit(3);
	errno = 0;
	if (nth != 0 && fi(FAILINJECT_ARM, nth, op->what) != 0)
		_exit(4);
	rep.error = op->run();
	rep.fired = fi(FAILINJECT_DISARM, 0, 0);
	if (write(fd, &rep, sizeof(rep)) != sizeof(rep))
		_exit(5);
	if (op->cleanup != NULL)
		op->cleanup();
	_exit(0);
}

/* The exec'd copy of a worker: report from the new image. */
static int
exec_main(const char *fd)
{
	rep.error = 0;
	rep.fired = fi(FAILINJECT_DISARM, 0, 0);
	return write(atoi(fd), &rep, sizeof(rep)) == sizeof(rep) ? 0 : 5;
}

/* Run op once in a worker with allocation nth failing (0: none); return
 * false if the worker could not be run, else its wait status in *statusp
 * and whether it reported (into rep). */
static bool
worker_run(const struct op *op, unsigned long nth, int *statusp, bool *gotp)
{
	int fds[2];
	pid_t pid;

	if (pipe(fds) != 0)
		return false;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(fds[0]);
		worker(op, nth, fds[1]);
	}
	close(fds[1]);
	memset(&rep, 0, sizeof(rep));
	*gotp = read(fds[0], &rep, sizeof(rep)) == sizeof(rep);
	close(fds[0]);
	return pid > 0 && waitpid(pid, statusp, 0) == pid;
}

/* How the injected failures of one sweep came out. */
struct tally {
	unsigned	failed;		/* the operation failed: an errno */
	unsigned	absorbed;	/* it succeeded all the same */
	unsigned	killed;		/* the faulting process: SIGKILL */
};

/* Run op once with allocation nth failing (0: none); return whether it
 * came out clean and left every counter where it was, and in *donep
 * whether the sweep is over (nothing was injected); count the outcome
 * in *t. */
static bool
attempt(const struct op *op, unsigned long nth, bool *donep, struct tally *t)
{
	char why[64];
	bool got, ok = true;
	int status, i;

	*donep = false;
	if (!worker_run(op, nth, &status, &got)) {
		kt_diag("%s: cannot run a worker", op->name);
		return false;
	}
	if (!got) {
		/* only a faulting worker may die, killed for its fault */
		if (!(op->what & FAILINJECT_FAULT) || !WIFSIGNALED(status) ||
		    WTERMSIG(status) != SIGKILL) {
			kt_diag("%s, allocation %lu failing: worker %s, no "
			    "report", op->name, nth,
			    kt_status_str(status, why, sizeof(why)));
			ok = false;
		}
		t->killed++;
	} else if (status != 0) {
		kt_diag("%s, allocation %lu failing: worker %s", op->name,
		    nth, kt_status_str(status, why, sizeof(why)));
		ok = false;
	} else if (rep.fired == 0) {
		*donep = true;
		if (rep.error != 0) {
			kt_diag("%s failed with nothing injected: %s",
			    op->name, strerror(rep.error));
			ok = false;
		}
	} else if (rep.error != 0) {
		for (i = 0; i < 4 && op->errnos[i] != 0 &&
		    op->errnos[i] != rep.error; i++)
			;
		if (i == 4 || op->errnos[i] == 0) {
			kt_diag("%s, allocation %lu failing: %s", op->name,
			    nth, strerror(rep.error));
			ok = false;
		}
		t->failed++;
	} else
		t->absorbed++;
	if (!counters_settled(&now)) {
		kt_diag("cannot read /proc/exeunt");
		return false;
	}
	return counters_same(op->name, nth) && ok;
}

/* Sweep op: n = 1, 2, ... until it runs through without an injected
 * failure. */
static void
sweep(const struct op *op)
{
	struct tally t = { 0, 0, 0 };
	unsigned long nth;
	bool done = false;

	for (nth = 1; nth <= NTH_MAX && !done; nth++)
		if (!attempt(op, nth, &done, &t)) {
			kt_failed = true;
			if (!counters_settled(&base))	/* one report each */
				return;
		}
	if (!done) {
		kt_diag("%s: still failing at allocation %d", op->name,
		    NTH_MAX);
		kt_failed = true;
	}
	kt_diag("%s: %lu allocations failed in turn: %u errors, %u absorbed, "
	    "%u killed", op->name, nth - 2, t.failed, t.absorbed, t.killed);
}

/* Whether exeunt's failure injection is here; skip the case if not. */
static bool
available(void)
{
	if (fi(FAILINJECT_DISARM, 0, 0) >= 0)
		return true;
	kt_skip("no failure injection (%s): Linux, or failinject=0",
	    strerror(errno));
	return false;
}

/* Arming checks its arguments; disarming an unarmed process says 0. */
static void
arm_args(void)
{
	if (!available())
		return;
	KT_EXPECT_ERR(fi(FAILINJECT_ARM, 0, FI_SYSCALL), EINVAL);
	KT_EXPECT_ERR(fi(FAILINJECT_ARM, 1, FAILINJECT_PAGE), EINVAL);
	KT_EXPECT_ERR(fi(FAILINJECT_ARM, 1, FAILINJECT_SYSCALL), EINVAL);
	KT_EXPECT_ERR(fi(FAILINJECT_ARM, 1, FI_SYSCALL | 0x100), EINVAL);
	KT_EXPECT_ERR(fi(99, 1, FI_SYSCALL), EINVAL);
	KT_EXPECT_EQ(fi(FAILINJECT_DISARM, 0, 0), 0);
	/* armed far away, nothing happens; disarmed, it says so */
	KT_EXPECT_EQ(fi(FAILINJECT_ARM, 1000000, FI_SYSCALL), 0);
	KT_EXPECT_EQ(getpid() > 0, 1);
	KT_EXPECT_EQ(fi(FAILINJECT_DISARM, 0, 0), 0);
}

/* One mmap with its first allocation failing: ENOMEM, injected once. */
static void
mmap_fails(void)
{
	void *p;

	if (!available())
		return;
	KT_ASSERT_EQ(fi(FAILINJECT_ARM, 1, FI_SYSCALL), 0);
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KT_EXPECT(p == MAP_FAILED && errno == ENOMEM);
	KT_EXPECT_EQ(fi(FAILINJECT_DISARM, 0, 0), 1);
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KT_EXPECT(p != MAP_FAILED);
	munmap(p, PAGE);
}

/* The sweep over every operation. */
static void
sweep_all(void)
{
	bool done;
	size_t i;
	int status;

	if (!available())
		return;
	cow = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KT_ASSERT(cow != MAP_FAILED);
	*(uint64_t *)cow = MARK;
	exeunt_stack_prefault();
	memset(&now, 0, sizeof(now));	/* fault in what the sweep writes */
	/* once unarmed, each: lazily made kernel state settles */
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		KT_ASSERT(worker_run(&ops[i], 0, &status, &done));
	KT_ASSERT(counters_settled(&base));
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		KT_ASSERT(attempt(&ops[i], 0, &done, &(struct tally){ 0 }) &&
		    done);
		sweep(&ops[i]);
	}
	munmap(cow, PAGE);
}

static const struct kt_case cases[] = {
	KT_CASE(arm_args),
	KT_CASE_FORK(mmap_fails),
	KT_CASE_FORK(sweep_all),
};

int
main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], EXEC_ARG) == 0)
		return exec_main(argv[2]);
	self = kt_self_path(argv[0]);
	return kt_main("failinject", cases, KT_NCASES(cases));
}
