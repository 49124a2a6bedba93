/*
 * exit_reap: the teardown cost of an address space as a function of its
 * size. For each size (16 MiB, then x4 up to --max-mib), a child maps
 * and touches that much anonymous memory (the populate cost, one write
 * per page), tells the parent it is ready and waits; the parent tells it
 * to exit and measures from the child's timestamp right before _exit to
 * the return of its own wait4 (bench_exit_reap): the teardown cost, every
 * page and page-table page freed and the process reaped. A size that
 * does not fit in the free memory (sysinfo) is skipped. Per size: the
 * median over the rounds of each cost, and the teardown per MiB.
 */
#include "bench.h"

#define SIZE_MIN_MIB	16
#define HEADROOM	(16 * BENCH_MIB)	/* page tables, the parent */

static struct bench_opt opts[] = {
	{ "max-mib",	256,	64,	1L << 20 },
	{ "rounds",	5,	2,	BENCH_ROUNDS_MAX },
};
#define MAX_MIB	(opts[0].value)
#define ROUNDS	(opts[1].value)

/* Map and touch *(size_t *)arg bytes; 0, or -1 with errno. */
static int
exit_reap_populate(void *arg)
{
	size_t len = *(size_t *)arg;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	bench_touch(p, len, BENCH_PAGE);
	return 0;
}

int
main(int argc, char **argv)
{
	uint64_t populate[BENCH_ROUNDS_MAX], teardown[BENCH_ROUNDS_MAX], tear;
	struct bench_exit_cost cost;
	char params[64], what[32];
	size_t len;
	long mib, r;

	bench_init(argc, argv, "exit_reap",
	    "teardown cost of a touched address space vs its size",
	    opts, sizeof(opts) / sizeof(opts[0]));
	for (mib = SIZE_MIN_MIB; mib <= MAX_MIB; mib *= 4) {
		len = mib * BENCH_MIB;
		if (len + len / 8 + HEADROOM > bench_freeram()) {
			printf("# exit_reap: size_mib=%ld skipped: %llu MiB "
			    "free\n", mib, (unsigned long long)
			    (bench_freeram() / BENCH_MIB));
			continue;
		}
		snprintf(what, sizeof(what), "size_mib=%ld", mib);
		for (r = 0; bench_round_next(r, ROUNDS, what); r++) {
			cost = bench_exit_reap(exit_reap_populate, &len);
			populate[r] = cost.populate_ns;
			teardown[r] = cost.teardown_ns;
		}
		snprintf(params, sizeof(params), "size_mib=%ld", mib);
		tear = bench_median(teardown, r);
		bench_result(params, "teardown", tear / 1e3, "us");
		bench_result(params, "teardown_per_mib", tear / 1e3 / mib,
		    "us");
		bench_result(params, "populate",
		    bench_median(populate, r) / 1e3, "us");
	}
	return 0;
}
