/*
 * stress_exit: processes dying in numbers on every CPU at once (stress.h:
 * seeded, bounded by counts, one worker per CPU).
 *
 *  - exit_storm: each round a worker starts a batch of children that
 *    touch pages of their own and wait at a gate; the gate opens and all
 *    exit at once (with a status of their own, or by SIGKILL, or by a
 *    fault), some after forking a grandchild they reap first. Every
 *    status must come back to the worker exactly.
 *  - thread_exit_storm: the same with multi-threaded children whose
 *    threads spin in user mode and write their pages while the process
 *    exits (exit_group from one thread, or SIGKILL).
 *  - fork_churn: fork/exit/wait churn, up to CHURN_LIVE children alive
 *    per worker, collected by pid, by wait4(-1) and by WNOHANG polls;
 *    each exits with a code derived from its pid.
 *  - vfork_storm: vfork children that _exit at once, or exec an image
 *    that exits: the parent's memory (a pattern on its stack and in a
 *    mapping) is intact after each, and the status is the child's.
 *
 * The leak accounting of init (counters back after the test) checks that
 * every storm gave everything back.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>

#include "ktest.h"
#include "stress.h"

#define PAGE		4096
#define BATCH_MAX	8		/* children per exit-storm round */
#define TOUCH_MAX	8		/* pages a child touches */
#define THREADS_MAX	2		/* extra threads of a storm child */
#define CHURN_LIVE	8
#define VFORK_WORDS	512		/* the parent's pattern */
#define EXIT_ARG	"stress-exit-code"	/* argv[1]: exit with argv[2] */

static const char *self;

/* How a storm child ends once the gate opens. */
enum death {
	DIE_EXIT,	/* _exit(code) */
	DIE_KILL,	/* killed by the worker with SIGKILL */
	DIE_FAULT,	/* writes to a read-only page: SIGSEGV */
	DIE_GRANDCHILD,	/* forks a grandchild, reaps it, then _exit(code) */
	DIE_NKINDS
};

/* Map and fill n pages with a pattern of this process; return them. */
static uint64_t *
touch_pages(size_t n)
{
	uint64_t *w = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i;

	if (w == MAP_FAILED)
		_exit(100);
	for (i = 0; i < n * PAGE / 8; i++)
		w[i] = (uint64_t)getpid() << 32 | i;
	return w;
}

/* In a storm child: die as d says once the gate opens. */
static void __attribute__((noreturn))
storm_child(int gate, enum death d, int code, size_t pages)
{
	static const char ro[PAGE] __attribute__((aligned(PAGE)));
	pid_t pid;
	int status;

	touch_pages(pages);
	stress_gate_wait(gate);
	switch (d) {
	case DIE_KILL:
		kt_sleep_forever();
	case DIE_FAULT:
		*(volatile char *)ro = 1;
		_exit(101);
	case DIE_GRANDCHILD:
		if ((pid = fork()) == 0) {
			touch_pages(pages);
			_exit(code);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    status != STRESS_EXITED(code))
			_exit(102);
		_exit(code);
	default:
		_exit(code);
	}
}

/* The status a storm child dying by d with code ends with. */
static int
storm_status(enum death d, int code)
{
	if (d == DIE_KILL)
		return STRESS_KILLED(SIGKILL);
	if (d == DIE_FAULT)
		return STRESS_KILLED(SIGSEGV);
	return STRESS_EXITED(code);
}

/* One exit-storm worker: rounds of batches that die together. */
static void
exit_storm_worker(uint64_t *rng)
{
	int rounds = stress_rounds(4), round, n, i, gate[2];
	enum death death[BATCH_MAX];
	pid_t pids[BATCH_MAX];
	size_t pages;

	for (round = 0; stress_more(round, rounds); round++) {
		if (pipe(gate) != 0) {
			kt_diag("pipe: %s", strerror(errno));
			kt_failed = true;
			return;
		}
		n = 2 + (int)stress_below(rng, BATCH_MAX - 1);
		for (i = 0; i < n; i++) {
			death[i] = (enum death)stress_below(rng, DIE_NKINDS);
			pages = 1 + stress_below(rng, TOUCH_MAX);
			fflush(stdout);
			if ((pids[i] = fork()) == 0) {
				close(gate[1]);
				storm_child(gate[0], death[i], i + 1, pages);
			}
		}
		close(gate[0]);
		close(gate[1]);			/* the gate opens */
		for (i = 0; i < n; i++)
			if (death[i] == DIE_KILL && pids[i] > 0)
				kill(pids[i], SIGKILL);
		for (i = 0; i < n; i++) {
			if (pids[i] < 0) {
				kt_diag("round %d: fork: %s", round,
				    strerror(errno));
				kt_failed = true;
				continue;
			}
			stress_reap_expect(pids[i], storm_status(death[i],
			    i + 1), "storm child");
		}
	}
}

static void
exit_storm(void)
{
	stress_begin();
	stress_workers(exit_storm_worker, 0);
}

/* ---- multi-threaded exits ---- */

static atomic_int spinners;		/* threads of a child at the gate */

/* A thread of a storm child: touch pages, wait at the gate (*arg), then
 * write the pages for ever. */
static void *
spinner(void *arg)
{
	uint64_t *w = touch_pages(4), i;

	atomic_fetch_add(&spinners, 1);
	stress_gate_wait(*(int *)arg);
	for (i = 0;; i++)
		w[i % (4 * PAGE / 8)] = i;
	return NULL;
}

/* In a thread-storm child: start nthreads spinners, wait at the gate with
 * them and exit (exit_group: the spinners, now in user mode on other
 * CPUs, with it) or wait for the SIGKILL. */
static void __attribute__((noreturn))
thread_child(int gate, int nthreads, bool killed, int code)
{
	pthread_t t;
	int i;

	for (i = 0; i < nthreads; i++)
		if (pthread_create(&t, NULL, spinner, &gate) != 0)
			_exit(103);
	while (atomic_load(&spinners) < nthreads)
		sched_yield();
	stress_gate_wait(gate);
	if (killed)
		kt_sleep_forever();
	exit(code);
}

/* One thread-storm worker. */
static void
thread_storm_worker(uint64_t *rng)
{
	int rounds = stress_rounds(4), round, n, i, gate[2], nthreads;
	bool killed[2];
	pid_t pids[2];

	for (round = 0; stress_more(round, rounds); round++) {
		if (pipe(gate) != 0) {
			kt_diag("pipe: %s", strerror(errno));
			kt_failed = true;
			return;
		}
		n = 1 + (int)stress_below(rng, 2);
		for (i = 0; i < n; i++) {
			nthreads = 1 + (int)stress_below(rng, THREADS_MAX);
			killed[i] = stress_below(rng, 3) == 0;
			fflush(stdout);
			if ((pids[i] = fork()) == 0) {
				close(gate[1]);
				thread_child(gate[0], nthreads, killed[i], i + 1);
			}
		}
		close(gate[0]);
		close(gate[1]);
		for (i = 0; i < n; i++)
			if (killed[i] && pids[i] > 0)
				kill(pids[i], SIGKILL);
		for (i = 0; i < n; i++)
			if (pids[i] > 0)
				stress_reap_expect(pids[i], killed[i] ?
				    STRESS_KILLED(SIGKILL) : STRESS_EXITED(i + 1),
				    "threaded child");
			else
				kt_failed = true;
	}
}

static void
thread_exit_storm(void)
{
	stress_begin();
	stress_workers(thread_storm_worker, 0);
}

/* ---- fork/exit/wait churn ---- */

/* The code a churn child exits with. */
static int
churn_code(pid_t pid)
{
	return (int)(pid % 200) + 1;
}

/* Forget pid from the live set; return whether it was there. */
static bool
churn_forget(pid_t *live, int *n, pid_t pid)
{
	int i;

	for (i = 0; i < *n; i++) {
		if (live[i] == pid) {
			live[i] = live[--*n];
			return true;
		}
	}
	return false;
}

/* Check a reaped churn child's status. */
static void
churn_check(pid_t *live, int *n, pid_t pid, int status)
{
	char why[64];

	if (!churn_forget(live, n, pid)) {
		kt_diag("wait4 gave %d, not a live child", (int)pid);
		kt_failed = true;
	} else if (status != STRESS_EXITED(churn_code(pid))) {
		kt_diag("churn child %d: %s, expected exit status %d", (int)pid,
		    kt_status_str(status, why, sizeof(why)), churn_code(pid));
		kt_failed = true;
	}
}

/* One churn worker: fork, and reap by pid, by any or by a poll. */
static void
fork_churn_worker(uint64_t *rng)
{
	int steps = stress_rounds(80), step, n = 0, status;
	pid_t live[CHURN_LIVE], pid;
	uint64_t what;
	bool more;

	for (step = 0; (more = stress_more(step, steps)) || n > 0; step++) {
		what = stress_below(rng, 4);
		if (more && n < CHURN_LIVE && (what < 2 || n == 0)) {
			size_t pages = stress_below(rng, 4);

			fflush(stdout);
			if ((pid = fork()) == 0) {
				if (pages > 0)
					touch_pages(pages);
				_exit(churn_code(getpid()));
			}
			if (pid < 0) {
				kt_diag("fork: %s", strerror(errno));
				kt_failed = true;
				break;
			}
			live[n++] = pid;
		} else if (what == 2) {
			pid = live[stress_below(rng, n)];
			if (waitpid(pid, &status, 0) != pid) {
				kt_diag("waitpid %d: %s", (int)pid,
				    strerror(errno));
				kt_failed = true;
				break;
			}
			churn_check(live, &n, pid, status);
		} else if (what == 3) {
			pid = waitpid(-1, &status, WNOHANG);
			if (pid > 0)
				churn_check(live, &n, pid, status);
			else if (pid < 0) {
				kt_diag("waitpid WNOHANG: %s", strerror(errno));
				kt_failed = true;
				break;
			}
		} else {
			if ((pid = waitpid(-1, &status, 0)) < 0) {
				kt_diag("waitpid -1: %s", strerror(errno));
				kt_failed = true;
				break;
			}
			churn_check(live, &n, pid, status);
		}
	}
	while (n > 0 && (pid = waitpid(-1, &status, 0)) > 0)	/* failed */
		churn_forget(live, &n, pid);
	KT_EXPECT_ERR(waitpid(-1, &status, WNOHANG), ECHILD);
}

static void
fork_churn(void)
{
	stress_begin();
	stress_workers(fork_churn_worker, 0);
}

/* ---- vfork then exit ---- */

/* Check the parent's patterns: words of the stack array and the
 * mapping; report the first wrong one. */
static bool
vfork_intact(const volatile uint64_t *stack, const uint64_t *mapped,
    uint64_t tag)
{
	size_t i;

	for (i = 0; i < VFORK_WORDS; i++) {
		if (stack[i] != (tag ^ i) || mapped[i * 8] != (tag ^ ~i)) {
			kt_diag("word %zu after a vfork child: stack %#lx, "
			    "mapped %#lx", i, (unsigned long)stack[i],
			    (unsigned long)mapped[i * 8]);
			kt_failed = true;
			return false;
		}
	}
	return true;
}

/* One vfork worker: vfork children that _exit or exec and exit. */
static void
vfork_storm_worker(uint64_t *rng)
{
	volatile uint64_t stack[VFORK_WORDS];
	int rounds = stress_rounds(30), round, code;
	uint64_t tag = stress_rand(rng), *mapped;
	char arg[16], *argv[] = { (char *)self, EXIT_ARG, arg, NULL };
	bool exec;
	pid_t pid;
	size_t i;

	mapped = touch_pages(VFORK_WORDS * 8 * 8 / PAGE);
	for (i = 0; i < VFORK_WORDS; i++) {
		stack[i] = tag ^ i;
		mapped[i * 8] = tag ^ ~i;
	}
	for (round = 0; stress_more(round, rounds); round++) {
		code = 1 + (int)stress_below(rng, 100);
		exec = stress_below(rng, 2) == 0;
		snprintf(arg, sizeof(arg), "%d", code);
		fflush(stdout);
		if ((pid = vfork()) == 0) {
			if (exec)
				execv(self, argv);
			_exit(code);
		}
		if (pid < 0) {
			kt_diag("vfork: %s", strerror(errno));
			kt_failed = true;
			return;
		}
		if (!vfork_intact(stack, mapped, tag))
			return;
		stress_reap_expect(pid, STRESS_EXITED(code), "vfork child");
	}
}

static void
vfork_storm(void)
{
	stress_begin();
	stress_workers(vfork_storm_worker, 0);
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(exit_storm),
	KT_CASE_FORK(thread_exit_storm),
	KT_CASE_FORK(fork_churn),
	KT_CASE_FORK(vfork_storm),
};

int
main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], EXIT_ARG) == 0)
		_exit(atoi(argv[2]));
	self = kt_self_path(argv[0]);
	return kt_main("stress_exit", cases, KT_NCASES(cases));
}
