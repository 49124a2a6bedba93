/*
 * sparse: the teardown cost of a huge, sparsely used address space. A
 * child maps 1 TiB PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|
 * MAP_NORESERVE, touches one page per GiB (1024 pages, each with its own
 * page-table pages) and exits; measured as in exit_reap, from the child's
 * last instant to the parent's wait4 return. A kernel that walks the
 * whole range on teardown, rather than what is mapped, shows it here.
 */
#include "bench.h"

#define SPARSE_LEN	(1UL << 40)	/* 1 TiB */
#define SPARSE_STRIDE	(1UL << 30)	/* one page per GiB */

static struct bench_opt opts[] = {
	{ "rounds",	5,	2,	BENCH_ROUNDS_MAX },
};
#define ROUNDS	(opts[0].value)

/* Map 1 TiB without reserve and touch a page per GiB; 0, or -1 with
 * errno. */
static int
sparse_populate(void *arg)
{
	char *p = mmap(NULL, SPARSE_LEN, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	(void)arg;
	if (p == MAP_FAILED)
		return -1;
	bench_touch(p, SPARSE_LEN, SPARSE_STRIDE);
	return 0;
}

int
main(int argc, char **argv)
{
	uint64_t populate[BENCH_ROUNDS_MAX], teardown[BENCH_ROUNDS_MAX];
	struct bench_exit_cost cost;
	const char *params = "map_gib=1024 touched=1024";
	long r;

	bench_init(argc, argv, "sparse",
	    "teardown cost of 1 TiB mapped, one page per GiB touched",
	    opts, sizeof(opts) / sizeof(opts[0]));
	for (r = 0; bench_round_next(r, ROUNDS, "teardown"); r++) {
		cost = bench_exit_reap(sparse_populate, NULL);
		populate[r] = cost.populate_ns;
		teardown[r] = cost.teardown_ns;
	}
	bench_result(params, "teardown", bench_median(teardown, r) / 1e3, "us");
	bench_result(params, "populate", bench_median(populate, r) / 1e3, "us");
	return 0;
}
