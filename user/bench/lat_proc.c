/*
 * lat_proc: fork+exit+wait latency, the lmbench lat_proc method. Each
 * round times iters iterations of fork(), the child's _exit(0) and the
 * parent's wait4 on it, back to back; the results are the mean time of
 * one iteration over every round and the minimum over the rounds of a
 * round's mean. The parent is a small static program, so the fork copies
 * little: this is the fixed cost of a process's birth and death.
 */
#include "bench.h"

static struct bench_opt opts[] = {
	{ "iters",	500,	50,	1000000 },
	{ "rounds",	5,	2,	BENCH_ROUNDS_MAX },
};
#define ITERS	(opts[0].value)
#define ROUNDS	(opts[1].value)

/* Run one round; return its duration in nanoseconds. */
static uint64_t
lat_proc_round(long iters)
{
	uint64_t t0 = bench_now_ns();
	int status;
	long i;
	pid_t pid;

	for (i = 0; i < iters; i++) {
		pid = bench_fork();
		if (pid == 0)
			_exit(0);
		status = bench_wait(pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bench_die("child ended with status %#x", status);
	}
	return bench_now_ns() - t0;
}

int
main(int argc, char **argv)
{
	uint64_t total = 0, best = UINT64_MAX, ns;
	char params[64];
	long r;

	bench_init(argc, argv, "lat_proc", "fork+exit+wait latency",
	    opts, sizeof(opts) / sizeof(opts[0]));
	lat_proc_round(ITERS / 10 + 1);		/* warm up */
	for (r = 0; bench_round_next(r, ROUNDS, "fork+exit+wait"); r++) {
		ns = lat_proc_round(ITERS);
		total += ns;
		if (ns < best)
			best = ns;
	}
	snprintf(params, sizeof(params), "iters=%ld", ITERS);
	bench_result(params, "mean", total / 1e3 / (ITERS * r), "us");
	bench_result(params, "min_round", best / 1e3 / ITERS, "us");
	return 0;
}
