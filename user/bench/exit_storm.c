/*
 * exit_storm: many processes exiting at once. --procs children each map
 * and touch --size-mib MiB, then block reading a pipe; the parent closes
 * the pipe's write end, which releases them all together, and measures
 * until it has reaped the last one (reap_all; median and minimum over the
 * rounds). The process count is fixed (default 4, twice the CPUs of the
 * largest machine make bench boots) so that runs at -smp 1 and -smp 2 do
 * the same work and their times compare.
 *
 * Meanwhile a sampler child records sysinfo().freeram about every
 * millisecond (nanosleep) into shared memory, from a few milliseconds
 * before the release to a few after the last reap: the free memory over
 * time, printed for the last round as
 *	sample exit_storm t_us=<since the release> freeram=<bytes>
 */
#include "bench.h"

#define SAMPLES_MAX	20000

/* The sampler's record, in MAP_SHARED memory. */
struct storm_log {
	int		stop;		/* [parent writes] sampler: finish */
	uint32_t	n;		/* [sampler writes] samples taken */
	struct {
		uint64_t t_ns;
		uint64_t freeram;
	} s[SAMPLES_MAX];		/* [sampler writes, parent reads] */
};

static struct bench_opt opts[] = {
	{ "procs",	4,	2,	1024 },
	{ "size-mib",	32,	8,	1L << 20 },
	{ "rounds",	3,	1,	BENCH_ROUNDS_MAX },
};
#define PROCS	(opts[0].value)
#define SIZE_MIB (opts[1].value)
#define ROUNDS	(opts[2].value)

/* Sleep about ms milliseconds. */
static void
storm_sleep_ms(long ms)
{
	struct timespec left = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&left, &left) != 0)
		if (errno != EINTR)
			bench_die("nanosleep: %s", strerror(errno));
}

/* Child: sample freeram about every millisecond until told to stop. */
static void __attribute__((noreturn))
storm_sampler(struct storm_log *log)
{
	uint32_t n;

	while (!__atomic_load_n(&log->stop, __ATOMIC_SEQ_CST)) {
		n = log->n;
		if (n < SAMPLES_MAX) {
			log->s[n].t_ns = bench_now_ns();
			log->s[n].freeram = bench_freeram();
			__atomic_store_n(&log->n, n + 1, __ATOMIC_SEQ_CST);
		}
		storm_sleep_ms(1);
	}
	_exit(0);
}

/* Child: populate, say so on ready (a byte even on failure, then exit 1),
 * block on release until it is closed, exit. */
static void __attribute__((noreturn))
storm_child(int release, int ready)
{
	size_t len = SIZE_MIB * BENCH_MIB;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		bench_pipe_put(ready);
		_exit(1);
	}
	bench_touch(p, len, BENCH_PAGE);
	bench_pipe_put(ready);
	while (bench_pipe_get(release))
		continue;
	_exit(0);
}

/* Run one storm with the sampler recording into log; return the time
 * from the release to the last reap in nanoseconds, and the release
 * time in *t0. */
static uint64_t
storm_round(struct storm_log *log, pid_t *pids, uint64_t *t0)
{
	int release[2], ready[2], status, failed = 0;
	pid_t sampler;
	uint64_t end;
	long k;

	if (pipe(release) != 0 || pipe(ready) != 0)
		bench_die("pipe: %s", strerror(errno));
	for (k = 0; k < PROCS; k++) {
		pids[k] = bench_fork();
		if (pids[k] == 0) {
			close(release[1]);
			close(ready[0]);
			storm_child(release[0], ready[1]);
		}
	}
	close(ready[1]);
	for (k = 0; k < PROCS; k++)
		if (!bench_pipe_get(ready[0]))
			bench_die("a child died before it was ready");
	log->stop = 0;
	log->n = 0;
	sampler = bench_fork();
	if (sampler == 0) {
		close(release[1]);
		storm_sampler(log);
	}
	storm_sleep_ms(5);			/* a baseline of samples */
	*t0 = bench_now_ns();
	close(release[1]);			/* go */
	for (k = 0; k < PROCS; k++) {
		status = bench_wait(pids[k]);
		failed += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	}
	end = bench_now_ns();
	storm_sleep_ms(10);			/* and the aftermath */
	__atomic_store_n(&log->stop, 1, __ATOMIC_SEQ_CST);
	bench_wait(sampler);
	close(release[0]);
	close(ready[0]);
	if (failed)
		bench_die("%d of %ld children failed to populate %ld MiB",
		    failed, PROCS, SIZE_MIB);
	return end - *t0;
}

int
main(int argc, char **argv)
{
	uint64_t reap[BENCH_ROUNDS_MAX], best = UINT64_MAX, t0 = 0;
	struct storm_log *log;
	char params[64];
	pid_t *pids;
	uint32_t i, n;
	long r;

	bench_init(argc, argv, "exit_storm",
	    "processes exiting together: time to reap all, free memory",
	    opts, sizeof(opts) / sizeof(opts[0]));
	if ((pids = calloc(PROCS, sizeof(*pids))) == NULL)
		bench_die("calloc: %s", strerror(errno));
	log = bench_shared(sizeof(*log));
	for (r = 0; bench_round_next(r, ROUNDS, "storm"); r++) {
		reap[r] = storm_round(log, pids, &t0);
		if (reap[r] < best)
			best = reap[r];
	}
	snprintf(params, sizeof(params), "procs=%ld size_mib=%ld", PROCS,
	    SIZE_MIB);
	bench_result(params, "reap_all", bench_median(reap, r) / 1e3, "us");
	bench_result(params, "reap_all_min", best / 1e3, "us");
	n = __atomic_load_n(&log->n, __ATOMIC_SEQ_CST);
	for (i = 0; i < n; i++)
		printf("sample exit_storm t_us=%lld freeram=%llu\n",
		    ((long long)log->s[i].t_ns - (long long)t0) / 1000,
		    (unsigned long long)log->s[i].freeram);
	return 0;
}
