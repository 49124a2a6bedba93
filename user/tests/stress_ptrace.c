/*
 * stress_ptrace: traced and stopped processes killed, and tracers that
 * die before their tracees, one worker per CPU (stress.h).
 *
 *  - kill_traced: a tracee (race.h RACE_STOP: TRACEME, then SIGSTOP) is
 *    killed with SIGKILL in its ptrace stop, or running after
 *    PTRACE_CONT, or stopped again by a SIGSTOP, or while its tracer
 *    PEEKs its memory in a loop (every word the tracee's, or ESRCH/EIO);
 *    its tracer (and parent) sees it killed by SIGKILL.
 *  - kill_stopped: untraced children stopped by SIGSTOP (seen through
 *    WUNTRACED), killed while stopped, after a SIGCONT, or with a second
 *    SIGSTOP on its way; each is seen killed by SIGKILL.
 *  - tracer_exits_first: a tracer dies (exits, or is killed while it
 *    PEEKs) before its tracees. Either the tracer attached to children
 *    of the worker (they are let go and the worker kills and reaps
 *    them), or the tracer was their parent too (TRACEME): they become
 *    orphans of init, and the worker kills them and sees them exit (a
 *    pipe only they hold reaches end of file).
 */
#include <sched.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

#include "ktest.h"
#include "race.h"
#include "stress.h"

#define TRACEES_MAX	3		/* tracees of one tracer */
#define PEEKS		100		/* PEEKs of a tracer's loop */

static const char *self;

static long
pt(long req, pid_t pid, const void *addr, const void *data)
{
	return syscall(SYS_ptrace, req, pid, addr, data);
}

/* Wait for pid to stop (by any signal); report it if it did not. */
static bool
stopped(pid_t pid, int options)
{
	char why[64];
	int status;

	if (waitpid(pid, &status, options) == pid && WIFSTOPPED(status))
		return true;
	kt_diag("pid %d did not stop: %s", (int)pid,
	    kt_status_str(status, why, sizeof(why)));
	kt_failed = true;
	return false;
}

/* PEEKDATA n random words of each of the n tracees; return false on a
 * word that is not the tracee's or an errno other than ESRCH/EIO. */
static bool
peek_loop(const pid_t *pids, int n, int count, uint64_t *rng)
{
	size_t w;
	long word;
	int i;

	for (i = 0; i < count; i++) {
		pid_t pid = pids[i % n];

		w = stress_below(rng, RACE_WORDS);
		if (pt(PTRACE_PEEKDATA, pid, (uint64_t *)RACE_VA + w, &word) == 0) {
			if (!race_check(pid, (uint64_t *)&word, 1, w, "PEEKDATA"))
				return false;
		} else if (errno != ESRCH && errno != EIO) {
			kt_diag("PEEKDATA %d: %s", (int)pid, strerror(errno));
			kt_failed = true;
			return false;
		}
	}
	return true;
}

/* ---- SIGKILL of a tracee ---- */

/* How a tracee is killed. */
enum kill_when {
	KILL_IN_STOP,		/* in its ptrace stop */
	KILL_RUNNING,		/* after PTRACE_CONT */
	KILL_RESTOPPED,		/* CONT, SIGSTOP, its stop seen, then SIGKILL */
	KILL_PEEKING,		/* midway through a PEEK loop */
	KILL_NWHEN
};

static void
kill_traced_worker(uint64_t *rng)
{
	int rounds = stress_rounds(8), round, status;
	struct race_target t;
	enum kill_when when;

	for (round = 0; stress_more(round, rounds); round++) {
		when = (enum kill_when)stress_below(rng, KILL_NWHEN);
		t = race_target_start(RACE_STOP, self);
		if (t.pid <= 0 || !stopped(t.pid, 0)) {
			kt_failed = true;
			return;
		}
		if (when == KILL_RUNNING || when == KILL_RESTOPPED)
			KT_EXPECT_EQ(pt(PTRACE_CONT, t.pid, NULL, NULL), 0);
		if (when == KILL_RESTOPPED) {
			KT_EXPECT_EQ(kill(t.pid, SIGSTOP), 0);
			stopped(t.pid, 0);
		}
		if (when == KILL_PEEKING) {
			peek_loop(&t.pid, 1, (int)stress_below(rng, PEEKS), rng);
			kill(t.pid, SIGKILL);
			peek_loop(&t.pid, 1, PEEKS, rng);
		}
		status = race_target_end(&t);
		if (status != STRESS_KILLED(SIGKILL)) {
			kt_diag("tracee %d killed (case %d): status %#x",
			    (int)t.pid, (int)when, status);
			kt_failed = true;
		}
	}
}

static void
kill_traced(void)
{
	stress_begin();
	stress_workers(kill_traced_worker, 0);
}

/* ---- SIGKILL of a stopped process ---- */

static void
kill_stopped_worker(uint64_t *rng)
{
	int rounds = stress_rounds(6), round, n, i, status;
	struct race_target t[TRACEES_MAX];
	uint64_t how;

	for (round = 0; stress_more(round, rounds); round++) {
		n = 1 + (int)stress_below(rng, TRACEES_MAX);
		for (i = 0; i < n; i++) {
			t[i] = race_target_start(RACE_SLEEP, self);
			if (t[i].pid <= 0) {
				kt_diag("fork: %s", strerror(errno));
				kt_failed = true;
				n = i;
				break;
			}
			KT_EXPECT_EQ(kill(t[i].pid, SIGSTOP), 0);
		}
		for (i = 0; i < n; i++) {
			stopped(t[i].pid, WUNTRACED);
			how = stress_below(rng, 3);
			if (how == 1)
				kill(t[i].pid, SIGCONT);
			else if (how == 2)
				kill(t[i].pid, SIGSTOP);
		}
		for (i = 0; i < n; i++)		/* all killed, then reaped */
			kill(t[i].pid, SIGKILL);
		for (i = 0; i < n; i++) {
			status = race_target_end(&t[i]);
			if (status != STRESS_KILLED(SIGKILL)) {
				kt_diag("stopped child %d killed: status %#x",
				    (int)t[i].pid, status);
				kt_failed = true;
			}
		}
	}
}

static void
kill_stopped(void)
{
	stress_begin();
	stress_workers(kill_stopped_worker, 0);
}

/* ---- the tracer dies first ---- */

/* In a tracer: PEEK the tracees, then exit 0 (or 1 on a wrong word); the
 * worker may kill it meanwhile. */
static void __attribute__((noreturn))
tracer_peek_exit(const pid_t *pids, int n, int peeks, uint64_t *rng)
{
	peek_loop(pids, n, peeks, rng);
	fflush(stdout);
	_exit(kt_failed ? 1 : 0);
}

/* Let the tracer run on for a random while (a few yields), then kill it,
 * or let it finish by itself; reap it: exit 0, or killed by SIGKILL. */
static void
tracer_end(pid_t tracer, uint64_t *rng)
{
	int i, status, yields = (int)stress_below(rng, 16);

	if (stress_below(rng, 2)) {
		for (i = 0; i < yields; i++)
			sched_yield();
		kill(tracer, SIGKILL);
	}
	if (waitpid(tracer, &status, 0) != tracer ||
	    (status != STRESS_EXITED(0) && status != STRESS_KILLED(SIGKILL))) {
		kt_diag("tracer %d: status %#x", (int)tracer, status);
		kt_failed = true;
	}
}

/* The tracer attaches to the worker's children; when it is gone they
 * are the worker's to kill and reap. */
static void
tracer_not_parent_round(uint64_t *rng)
{
	struct race_target t[TRACEES_MAX];
	pid_t pids[TRACEES_MAX], tracer;
	int n = 1 + (int)stress_below(rng, TRACEES_MAX), i, status;

	for (i = 0; i < n; i++) {
		t[i] = race_target_start(RACE_SLEEP, self);
		if ((pids[i] = t[i].pid) <= 0) {
			kt_diag("fork: %s", strerror(errno));
			kt_failed = true;
			n = i;
			break;
		}
	}
	fflush(stdout);
	if ((tracer = fork()) == 0) {
		for (i = 0; i < n; i++)
			if (pt(PTRACE_ATTACH, pids[i], NULL, NULL) != 0 ||
			    !stopped(pids[i], 0))
				_exit(2);
		tracer_peek_exit(pids, n, PEEKS, rng);
	}
	if (tracer > 0)
		tracer_end(tracer, rng);
	for (i = 0; i < n; i++) {
		status = race_target_end(&t[i]);
		if (status != STRESS_KILLED(SIGKILL)) {
			kt_diag("tracee %d after its tracer: status %#x",
			    (int)pids[i], status);
			kt_failed = true;
		}
	}
}

/* The tracer is the parent too (its children TRACEME); when it is gone
 * they are orphans. The worker kills them and waits until the pipe they
 * alone hold says they all exited (init reaps them). */
static void
tracer_parent_round(uint64_t *rng)
{
	int n = 1 + (int)stress_below(rng, TRACEES_MAX), i, alive[2], report[2];
	pid_t pids[TRACEES_MAX], tracer;
	struct race_target t;

	if (pipe(alive) != 0 || pipe(report) != 0) {
		kt_diag("pipe: %s", strerror(errno));
		kt_failed = true;
		return;
	}
	fflush(stdout);
	if ((tracer = fork()) == 0) {
		close(alive[0]);
		close(report[0]);
		for (i = 0; i < n; i++) {
			t = race_target_start(RACE_STOP, self);
			close(t.go);
			if ((pids[i] = t.pid) <= 0 || !stopped(pids[i], 0)) {
				for (; i >= 0; i--)	/* the worker's read ends */
					if (pids[i] > 0)
						kill(pids[i], SIGKILL);
				_exit(2);
			}
		}
		close(alive[1]);
		if (write(report[1], pids, n * sizeof(pids[0])) !=
		    (ssize_t)(n * sizeof(pids[0])))
			_exit(3);
		tracer_peek_exit(pids, n, PEEKS, rng);
	}
	close(alive[1]);
	close(report[1]);
	if (tracer < 0 || read(report[0], pids, n * sizeof(pids[0])) !=
	    (ssize_t)(n * sizeof(pids[0]))) {
		kt_diag("tracer did not report its tracees");
		kt_failed = true;
		n = 0;
	}
	if (tracer > 0)
		tracer_end(tracer, rng);
	for (i = 0; i < n; i++)
		KT_EXPECT_EQ(kill(pids[i], SIGKILL), 0);
	stress_gate_wait(alive[0]);	/* every tracee exited */
	close(alive[0]);
	close(report[0]);
}

static void
tracer_first_worker(uint64_t *rng)
{
	int rounds = stress_rounds(6), round;

	for (round = 0; stress_more(round, rounds); round++) {
		if (stress_below(rng, 2))
			tracer_parent_round(rng);
		else
			tracer_not_parent_round(rng);
	}
}

static void
tracer_exits_first(void)
{
	stress_begin();
	stress_workers(tracer_first_worker, 0);
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(kill_traced),
	KT_CASE_FORK(kill_stopped),
	KT_CASE_FORK(tracer_exits_first),
};

int
main(int argc, char **argv)
{
	race_exec_image(argc, argv);
	self = kt_self_path(argv[0]);
	return kt_main("stress_ptrace", cases, KT_NCASES(cases));
}
