/*
 * oom: running out of memory fails cleanly, and everything comes back.
 *
 *  - hogs_run_out: HOGS processes (fresh images of this program, so that
 *    they share no copy-on-write page with the test) map 1 MiB at a time
 *    and touch every page, all at once, until the memory runs out: each
 *    must end either with mmap failing with ENOMEM (it exits 0) or killed
 *    by SIGKILL (a fault that found no page), never by anything else,
 *    and never by reaching its cap (the machine's whole memory: then
 *    nothing ran out).
 *  - fork_runs_out: a forker (a fresh image too) forks children that
 *    each touch a 64th of the free memory and wait at a gate, one after
 *    the other, until fork fails (EAGAIN or ENOMEM), a child's mmap fails
 *    with ENOMEM or a fault kills someone; the forker itself may be
 *    killed too. Every child ends by exit 0 (the gate opened) or
 *    SIGKILL; the test sees them all exit (a pipe only they hold reaches
 *    end of file), orphans included.
 *  - memory_comes_back: after both, a child can touch a quarter of the
 *    memory that was free at the start again. (init's leak accounting
 *    checks the exact counters: every page, page-table page, vmspace and
 *    process back after the test.)
 *
 * The test process itself only forks, execs and waits while the memory
 * is short, so that it never faults a page in then. The cases run only
 * when at most OOM_FREE_MAX bytes are free (the lowmem boot of make
 * test): exhausting more takes too long under TCG. On Linux they skip:
 * exhausting the host's memory is not safe, and its OOM killer picks a
 * victim of its own.
 */
#include <sys/mman.h>
#include <sys/sysinfo.h>

#include "ktest.h"
#include "stress.h"

#define MIB		(1024 * 1024)
#define PAGE		4096
#define HOGS		3
#define OOM_FREE_MAX	(64l * MIB)	/* run only with this much free at most */
#define FORK_SHARES	64		/* a forked child touches free / this */
#define FORK_MAX	(4 * FORK_SHARES)
#define HOG_ARG		"oom-hog"	/* argv[1] of a hog: gate fds, cap MiB */
#define FORKER_ARG	"oom-forker"	/* of a forker: alive fd, chunk, 0 */

/* Exit statuses of the images. */
#define OOM_CLEAN	0		/* memory ran out the clean way */
#define OOM_CAPPED	3		/* reached its cap: nothing ran out */
#define OOM_ERRNO	4		/* a call failed with a wrong errno */
#define OOM_CHILD	5		/* a forked child ended wrongly */

static const char *self;
static long free_at_start;		/* bytes free when main started */

/* Return the bytes of free memory (sysinfo). */
static long
free_bytes(void)
{
	struct sysinfo si;

	if (sysinfo(&si) != 0)
		return -1;
	return (long)si.freeram * (long)si.mem_unit;
}

/* Return whether the case should run; skip it (with the reason) if not. */
static bool
oom_runs(void)
{
	if (!kt_on_exeunt()) {
		kt_skip("not on Linux: exhausting the host's memory is not safe");
		return false;
	}
	if (free_at_start > OOM_FREE_MAX) {
		kt_skip("%ld MiB free: exhausting it takes too long under TCG "
		    "(the lowmem boot runs this)", free_at_start / MIB);
		return false;
	}
	return true;
}

/* Touch every page of n bytes at p. */
static void
touch(volatile char *p, size_t n)
{
	size_t off;

	for (off = 0; off < n; off += PAGE)
		p[off] = 1;
}

/* The hog image: close the gate's write end, wait at the gate, then map
 * and touch 1 MiB at a time until mmap fails (ENOMEM: exit OOM_CLEAN) or a
 * fault kills it; OOM_CAPPED after cap MiB. */
static void __attribute__((noreturn))
hog_main(int gate, int gate_w, long cap)
{
	void *p;
	long mib;

	close(gate_w);
	stress_gate_wait(gate);
	for (mib = 0; mib < cap; mib++) {
		p = mmap(NULL, MIB, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(errno == ENOMEM ? OOM_CLEAN : OOM_ERRNO);
		touch(p, MIB);
	}
	_exit(OOM_CAPPED);
}

/* Fork and exec this program as image arg with three numbers for
 * arguments; return the pid, or -1. */
static pid_t
spawn_image(const char *arg, long a, long b, long c)
{
	char sa[24], sb[24], sc[24];
	char *argv[] = { (char *)self, (char *)arg, sa, sb, sc, NULL };
	pid_t pid;

	snprintf(sa, sizeof(sa), "%ld", a);
	snprintf(sb, sizeof(sb), "%ld", b);
	snprintf(sc, sizeof(sc), "%ld", c);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		execv(self, argv);
		_exit(127);
	}
	return pid;
}

/* Reap pid; it must have exited OOM_CLEAN or been killed by SIGKILL. Return
 * whether it was killed. */
static bool
reap_clean(pid_t pid, const char *what)
{
	char why[64];
	int status;

	if (!KT_EXPECT_EQ(waitpid(pid, &status, 0), pid))
		return false;
	if (status == STRESS_KILLED(SIGKILL))
		return true;
	if (status != STRESS_EXITED(OOM_CLEAN)) {
		kt_diag("%s %d: %s (%d: capped, %d: errno, %d: a child)", what,
		    (int)pid, kt_status_str(status, why, sizeof(why)), OOM_CAPPED,
		    OOM_ERRNO, OOM_CHILD);
		kt_failed = true;
	}
	return false;
}

static void
hogs_run_out(void)
{
	pid_t hogs[HOGS];
	int gate[2], i, killed = 0;

	if (!oom_runs())
		return;
	KT_ASSERT_EQ(pipe(gate), 0);
	for (i = 0; i < HOGS; i++)
		KT_ASSERT((hogs[i] = spawn_image(HOG_ARG, gate[0], gate[1],
		    free_at_start / MIB * 2)) > 0);
	close(gate[0]);
	close(gate[1]);			/* all start at once */
	for (i = 0; i < HOGS; i++)
		killed += reap_clean(hogs[i], "hog");
	kt_diag("%d of %d hogs killed by SIGKILL, the others saw ENOMEM",
	    killed, HOGS);
}

/* In a forked child of the forker: map and touch chunk bytes, tell the
 * forker through ready, then wait at the gate; never returns. */
static void __attribute__((noreturn))
forker_child(const int gate[2], int ready, long chunk)
{
	char *p;

	close(gate[1]);
	p = mmap(NULL, chunk, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(errno == ENOMEM ? OOM_CLEAN : OOM_ERRNO);
	touch(p, chunk);
	if (write(ready, "", 1) != 1)
		_exit(OOM_ERRNO);
	close(ready);
	stress_gate_wait(gate[0]);
	_exit(OOM_CLEAN);
}

/* Fork the next child of the forker and wait until it has touched its
 * chunk. Return 1 if it did, 0 if memory ran out (pipe or fork failed with
 * ENOMEM or EAGAIN, or the child died before it was ready: the fault killed
 * it or its mmap failed), OOM_ERRNO's negation on a wrong errno. The forker
 * waits for each child so that memory fills one chunk at a time: were the
 * children to touch at once, those killed would give their memory back and
 * the forker could fork FORK_MAX of them without running out. */
static int
forker_next(const int gate[2], long chunk, pid_t *pid)
{
	ssize_t n;
	int ready[2];

	if (pipe(ready) != 0)
		return errno == ENOMEM ? 0 : -OOM_ERRNO;
	if ((*pid = fork()) == 0) {
		close(ready[0]);
		forker_child(gate, ready[1], chunk);
	}
	close(ready[1]);
	if (*pid < 0) {
		close(ready[0]);
		return errno == EAGAIN || errno == ENOMEM ? 0 : -OOM_ERRNO;
	}
	n = kt_read_byte(ready[0]);
	close(ready[0]);
	return n == 1;
}

/* The forker image: fork children that each touch chunk bytes and wait at
 * the gate (holding alive), one after the other, until memory runs out;
 * then open the gate and reap them. OOM_CLEAN if it ran out and every child
 * exited 0 or was killed by SIGKILL; OOM_CAPPED if FORK_MAX children fit. */
static void __attribute__((noreturn))
forker_main(int alive, long chunk)
{
	static pid_t kids[FORK_MAX];
	int gate[2], n, ok = 1, status, ret = OOM_CAPPED;

	if (pipe(gate) != 0)
		_exit(errno == ENOMEM ? OOM_CLEAN : OOM_ERRNO);
	for (n = 0; n < FORK_MAX && ok == 1; ) {
		pid_t pid = -1;

		ok = forker_next(gate, chunk, &pid);
		if (pid > 0)
			kids[n++] = pid;
	}
	if (ok < 1)
		ret = ok == 0 ? OOM_CLEAN : -ok;
	close(alive);
	close(gate[1]);
	while (n-- > 0)
		if (waitpid(kids[n], &status, 0) != kids[n] ||
		    (status != STRESS_EXITED(OOM_CLEAN) &&
		    status != STRESS_KILLED(SIGKILL)))
			ret = OOM_CHILD;
	_exit(ret);
}

static void
fork_runs_out(void)
{
	int alive[2];
	pid_t forker;

	if (!oom_runs())
		return;
	KT_ASSERT_EQ(pipe(alive), 0);
	forker = spawn_image(FORKER_ARG, alive[1], free_at_start /
	    FORK_SHARES, 0);
	close(alive[1]);
	KT_ASSERT(forker > 0);
	if (reap_clean(forker, "forker"))
		kt_diag("the forker was killed; its children are orphans");
	else
		kt_diag("the forker saw memory run out and reaped its children");
	stress_gate_wait(alive[0]);	/* all its children exited */
	close(alive[0]);
}

/* In the child of memory_comes_back: touch *arg bytes. */
static void
toucher(void *arg)
{
	long n = *(long *)arg;
	char *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		_exit(1);
	touch(p, n);
}

static void
memory_comes_back(void)
{
	long quarter = free_at_start / 4 & ~(long)(PAGE - 1);

	if (!oom_runs())
		return;
	KT_EXPECT_EQ(kt_child_status(toucher, &quarter), 0);
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(hogs_run_out),
	KT_CASE_FORK(fork_runs_out),
	KT_CASE_FORK(memory_comes_back),
};

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], HOG_ARG) == 0)
		hog_main(atoi(argv[2]), atoi(argv[3]), atol(argv[4]));
	if (argc == 5 && strcmp(argv[1], FORKER_ARG) == 0)
		forker_main(atoi(argv[2]), atol(argv[3]));
	self = kt_self_path(argv[0]);
	free_at_start = free_bytes();
	return kt_main("oom", cases, KT_NCASES(cases));
}
