/*
 * stress.h: the common frame of the stress tests (stress_*.c), header
 * only, on top of ktest.h and race.h (the targets and canaries they race).
 *
 * A stress case calls stress_begin(), which prints the case's diagnostic
 * "# <case>: seed S stress N workers W" (so a failure can be replayed with
 * the boot options seed=S stress=N), then runs W workers at once
 * (stress_workers): W is the number of online CPUs, at least
 * STRESS_MIN_WORKERS, so every CPU of the boot has one. Each worker is a
 * forked child with its own random stream, derived from the seed
 * (EXEUNT_SEED, boot option seed=), the case's name and the worker's
 * number; it passes if it exits 0, and a worker killed by a signal fails
 * the case. A case that races readers against dying targets asks for
 * canaries too: they run beside the workers for as long as the workers
 * do, replaced as each finishes its fixed work.
 *
 * Bounds: a worker does stress_rounds(base) rounds, base times the scale
 * EXEUNT_STRESS (boot option stress=, default 1). As a safety net, a
 * wall-clock budget of STRESS_BUDGET_S seconds per case ends the rounds
 * early (stress_more says so in a diagnostic); it is never a pass/fail
 * criterion: what a case checks, it checks on every round it ran.
 *
 * Every program is a single process tree: no process outlives its case
 * except where a case is about orphans, and then it proves they exited.
 */
#ifndef _USER_STRESS_H_
#define _USER_STRESS_H_

#include <stdint.h>
#include <sys/utsname.h>

#include "ktest.h"
#include "race.h"

#define STRESS_MIN_WORKERS	4
#define STRESS_MAX_WORKERS	16
#define STRESS_BUDGET_S		10	/* seconds per case (a safety net) */

static struct {
	unsigned long	seed;		/* EXEUNT_SEED, or 1 */
	int		scale;		/* EXEUNT_STRESS, or 1 */
	int		workers;	/* workers per case */
	long		deadline_ms;	/* the running case's budget ends */
	bool		budget_said;	/* stress_more said it ran out */
} stress_cfg;

/* Milliseconds on the monotonic clock. */
static inline long
stress_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Start a case: read the seed and the scale, count the workers, start the
 * budget and print them all as the case's first diagnostic. */
static inline void
stress_begin(void)
{
	const char *s = getenv("EXEUNT_STRESS");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	stress_cfg.seed = kt_seed();
	stress_cfg.scale = s != NULL && atoi(s) > 0 ? atoi(s) : 1;
	stress_cfg.workers = ncpu > STRESS_MIN_WORKERS ? (int)ncpu :
	    STRESS_MIN_WORKERS;
	if (stress_cfg.workers > STRESS_MAX_WORKERS)
		stress_cfg.workers = STRESS_MAX_WORKERS;
	stress_cfg.deadline_ms = stress_now_ms() + STRESS_BUDGET_S * 1000L;
	stress_cfg.budget_said = false;
	kt_diag("seed %lu stress %d workers %d", stress_cfg.seed,
	    stress_cfg.scale, stress_cfg.workers);
}

/* The rounds a worker does: base times the scale. */
static inline int
stress_rounds(int base)
{
	return base * stress_cfg.scale;
}

/* Return whether a worker should do round (of rounds) at all: below the
 * count and inside the budget; says once when the budget ended it. */
static inline bool
stress_more(int round, int rounds)
{
	if (round >= rounds || kt_failed)
		return false;
	if (stress_now_ms() < stress_cfg.deadline_ms)
		return true;
	if (!stress_cfg.budget_said)
		kt_diag("budget of %d s spent after %d of %d rounds",
		    STRESS_BUDGET_S, round, rounds);
	stress_cfg.budget_said = true;
	return false;
}

/* splitmix64: the next number of the stream *s. */
static inline uint64_t
stress_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A number in [0, n) from the stream *s; n > 0. */
static inline uint64_t
stress_below(uint64_t *s, uint64_t n)
{
	return stress_rand(s) % n;
}

/* The stream of worker k of the running case: the seed, the case's name
 * and k, mixed. */
static inline uint64_t
stress_stream(int k)
{
	uint64_t s = stress_cfg.seed * 0x100000001b3ull + (uint64_t)k;
	const char *c;

	for (c = kt_case_name; *c != '\0'; c++)
		s = (s ^ (uint8_t)*c) * 0x100000001b3ull;
	stress_rand(&s);
	return s;
}

/* Return the index of pid in pids[n], or -1. */
static inline int
stress_find(const pid_t *pids, int n, pid_t pid)
{
	int k;

	for (k = 0; k < n; k++)
		if (pids[k] == pid)
			return k;
	return -1;
}

/* Check the wait status of worker k (or of a canary, k < 0): it must have
 * exited 0 (a canary killed at the end by SIGKILL too). */
static inline void
stress_check_child(int k, int status, bool canary_killed)
{
	char why[64];

	if (WIFEXITED(status) && WEXITSTATUS(status) == KT_EXIT_PASS)
		return;
	if (canary_killed && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		return;
	if (k >= 0)
		kt_diag("worker %d: %s", k, kt_status_str(status, why,
		    sizeof(why)));
	else
		kt_diag("canary: %s", kt_status_str(status, why, sizeof(why)));
	kt_failed = true;
}

/* Run fn(stream) in stress_cfg.workers forked workers at once (worker k
 * with stress_stream(k)) and wait for them all; a worker that does not
 * exit 0 fails the case. With canaries > 0, that many race.h canaries run
 * all the while beside the workers (each one that is done is replaced;
 * those still running at the end are killed); a canary that fails (exit
 * status 1: its mmap failed) fails the case. */
static inline void
stress_workers(void (*fn)(uint64_t *rng), int canaries)
{
	pid_t pids[STRESS_MAX_WORKERS], cpids[STRESS_MAX_WORKERS], pid;
	int k, c, status, left = 0;
	long start = stress_now_ms();
	uint64_t rng;

	if (canaries > STRESS_MAX_WORKERS)
		canaries = STRESS_MAX_WORKERS;
	race_canaries_start(cpids, canaries);
	for (k = 0; k < stress_cfg.workers; k++) {
		fflush(stdout);
		if ((pids[k] = fork()) == 0) {
			rng = stress_stream(k);
			fn(&rng);
			fflush(stdout);
			_exit(kt_failed ? KT_EXIT_FAIL : KT_EXIT_PASS);
		}
		if (pids[k] < 0) {
			kt_diag("fork worker %d: %s", k, strerror(errno));
			kt_failed = true;
		} else
			left++;
	}
	while (left > 0 && (pid = waitpid(-1, &status, 0)) > 0) {
		if ((k = stress_find(pids, stress_cfg.workers, pid)) >= 0) {
			stress_check_child(k, status, false);
			left--;
		} else if ((c = stress_find(cpids, canaries, pid)) >= 0) {
			stress_check_child(-1, status, false);
			race_canaries_start(&cpids[c], 1);
		}
	}
	if (left > 0) {
		kt_diag("waitpid: %s", strerror(errno));
		kt_failed = true;
	}
	for (c = 0; c < canaries; c++) {
		if (cpids[c] <= 0)
			continue;
		kill(cpids[c], SIGKILL);
		if (waitpid(cpids[c], &status, 0) == cpids[c])
			stress_check_child(-1, status, true);
	}
	kt_diag("workers done in %ld ms", stress_now_ms() - start);
}

/* Block until every write end of the pipe whose read end is fd is closed
 * (a gate: read gives end of file). */
static inline void
stress_gate_wait(int fd)
{
	char c;

	while (read(fd, &c, 1) == -1 && errno == EINTR)
		;
}

/* Reap pid and return whether it ended as want (a wait status) says;
 * report it if not. */
static inline bool
stress_reap_expect(pid_t pid, int want, const char *what)
{
	char got[64], exp[64];
	int status;

	if (waitpid(pid, &status, 0) != pid) {
		kt_diag("%s %d: waitpid: %s", what, (int)pid, strerror(errno));
		kt_failed = true;
		return false;
	}
	if (status == want)
		return true;
	kt_diag("%s %d: %s, expected %s", what, (int)pid,
	    kt_status_str(status, got, sizeof(got)),
	    kt_status_str(want, exp, sizeof(exp)));
	kt_failed = true;
	return false;
}

/* The wait status of a process that exited with code, or was killed by
 * sig (W_EXITCODE(0, sig)). */
#define STRESS_EXITED(code)	(((code) & 0xff) << 8)
#define STRESS_KILLED(sig)	((sig) & 0x7f)

#endif
