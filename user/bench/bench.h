/*
 * bench.h: what the benchmark programs share (header only; each benchmark
 * is one .c file that includes it). No locks: a benchmark is one thread,
 * and a child it forks shares with it only MAP_SHARED pages and pipes.
 *
 * A benchmark prints one line per measurement, which tools/bench parses:
 *
 *	bench <name> <param>=<value> ... <metric>=<value> <unit>
 *
 * (the last key=value is the metric, the word after it its unit), and
 * "# <name>: ..." comments; a fatal error prints "# <name>: error: ..."
 * and exits 1. Options are "--quick" (fewer iterations) and
 * "--<option>=<integer>" from the program's own table. Repeated rounds
 * stop early once the program has run BENCH_BUDGET_S seconds (init kills
 * a program after 60 s on exeunt), after at least one. Only the system
 * calls of DESIGN.md section 6 are used, so the same static binary runs
 * on Linux and on exeunt; time is clock_gettime(CLOCK_MONOTONIC).
 */
#ifndef _USER_BENCH_H_
#define _USER_BENCH_H_

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_PAGE	4096UL
#define BENCH_MIB	(1024UL * 1024)
#define BENCH_BUDGET_S	30		/* seconds before rounds stop early */

#define BENCH_ROUNDS_MAX	64	/* the limit of every --rounds */
#define BENCH_OPTS_MAX		16	/* options of one program */

/* One integer option: --<name>=<value> in [1, max], else def (quick_def
 * in --quick). */
struct bench_opt {
	const char	*name;
	long		def;
	long		quick_def;
	long		max;
	long		value;		/* set by bench_init */
};

static const char *bench_name = "bench";	/* the running benchmark */
static struct timespec bench_start;		/* when bench_init ran */

/* Print an error of the benchmark: "# <name>: error: <message>". */
static inline void
bench_verror(const char *fmt, va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	printf("# %s: error: %s\n", bench_name, msg);
}

/* Print an error of the benchmark; it goes on. */
static inline void __attribute__((format(printf, 1, 2)))
bench_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bench_verror(fmt, ap);
	va_end(ap);
}

/* Print a fatal error of the benchmark and exit 1. */
static inline void __attribute__((noreturn, format(printf, 1, 2)))
bench_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bench_verror(fmt, ap);
	va_end(ap);
	exit(1);
}

/* Print the usage of a benchmark with these options and exit 2. */
static inline void __attribute__((noreturn))
bench_usage(struct bench_opt *opts, size_t nopts)
{
	size_t i;

	printf("usage: %s [--quick]", bench_name);
	for (i = 0; i < nopts; i++)
		printf(" [--%s=1..%ld]", opts[i].name, opts[i].max);
	printf("\n");
	exit(2);
}

/* Parse argv into opts (each gets its value, its default or its quick
 * default), say what the benchmark measures, and make stdout line
 * buffered (children fork with nothing buffered). Exits 2 on bad usage. */
static inline void
bench_init(int argc, char **argv, const char *name, const char *what,
    struct bench_opt *opts, size_t nopts)
{
	bool quick = false, set[BENCH_OPTS_MAX] = { false };
	size_t i, len;
	char *end;
	int a;

	if (nopts > BENCH_OPTS_MAX)
		bench_die("bench_init: more than %d options", BENCH_OPTS_MAX);
	bench_name = name;
	setvbuf(stdout, NULL, _IOLBF, 0);
	clock_gettime(CLOCK_MONOTONIC, &bench_start);
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--quick") == 0) {
			quick = true;
			continue;
		}
		for (i = 0; i < nopts; i++) {
			len = strlen(opts[i].name);
			if (strncmp(argv[a], "--", 2) == 0 &&
			    strncmp(argv[a] + 2, opts[i].name, len) == 0 &&
			    argv[a][2 + len] == '=')
				break;
		}
		if (i == nopts)
			bench_usage(opts, nopts);
		errno = 0;
		opts[i].value = strtol(argv[a] + 3 + len, &end, 10);
		if (errno != 0 || *end != '\0' || end == argv[a] + 3 + len ||
		    opts[i].value <= 0 || opts[i].value > opts[i].max)
			bench_usage(opts, nopts);
		set[i] = true;
	}
	for (i = 0; i < nopts; i++)
		if (!set[i])
			opts[i].value = quick ? opts[i].quick_def : opts[i].def;
	printf("# %s: %s%s\n", name, what, quick ? " (quick)" : "");
}

/* Return CLOCK_MONOTONIC in nanoseconds. */
static inline uint64_t
bench_now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		bench_die("clock_gettime: %s", strerror(errno));
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Return whether round number done (0-based) of want may start: it is
 * the first, or it is one of want and the time budget is not spent; say so
 * (what: the rounds' subject) when the budget cuts the rounds short. */
static inline bool
bench_round_next(long done, long want, const char *what)
{
	uint64_t start = (uint64_t)bench_start.tv_sec * 1000000000 +
	    bench_start.tv_nsec;

	if (done == 0)
		return true;
	if (done >= want)
		return false;
	if (bench_now_ns() - start < BENCH_BUDGET_S * 1000000000ULL)
		return true;
	printf("# %s: %s: %ld of %ld rounds, time budget of %d s spent\n",
	    bench_name, what, done, want, BENCH_BUDGET_S);
	return false;
}

/* Print one measurement: "bench <name> <params> <metric>=<value> <unit>";
 * params is a preformatted "key=value ..." string. */
static inline void
bench_result(const char *params, const char *metric, double value,
    const char *unit)
{
	printf("bench %s %s %s=%.3f %s\n", bench_name, params, metric, value,
	    unit);
}

/* Return the free memory in bytes (sysinfo: freeram x mem_unit). */
static inline uint64_t
bench_freeram(void)
{
	struct sysinfo si;

	if (sysinfo(&si) != 0)
		bench_die("sysinfo: %s", strerror(errno));
	return (uint64_t)si.freeram * (si.mem_unit ? si.mem_unit : 1);
}

/* Return len bytes of anonymous memory shared with children to come;
 * exits on failure. */
static inline void *
bench_shared(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		bench_die("mmap shared %zu bytes: %s", len, strerror(errno));
	return p;
}

/* Write one byte to each page of [p, p + len): populate it. */
static inline void
bench_touch(char *p, size_t len, size_t stride)
{
	size_t off;

	for (off = 0; off < len; off += stride)
		((volatile char *)p)[off] = 1;
}

/* Write one byte to fd; exits on failure. */
static inline void
bench_pipe_put(int fd)
{
	char c = 1;

	while (write(fd, &c, 1) != 1)
		if (errno != EINTR)
			bench_die("pipe write: %s", strerror(errno));
}

/* Read one byte from fd; return false at end of file. Exits on error. */
static inline bool
bench_pipe_get(int fd)
{
	ssize_t n;
	char c;

	while ((n = read(fd, &c, 1)) < 0)
		if (errno != EINTR)
			bench_die("pipe read: %s", strerror(errno));
	return n == 1;
}

/* Wait for the child pid to end and return its wait status; exits if
 * wait4 fails. */
static inline int
bench_wait(pid_t pid)
{
	int status;

	while (wait4(pid, &status, 0, NULL) != pid)
		if (errno != EINTR)
			bench_die("wait4 %d: %s", (int)pid, strerror(errno));
	return status;
}

/* Fork; exits on failure. */
static inline pid_t
bench_fork(void)
{
	pid_t pid = fork();

	if (pid < 0)
		bench_die("fork: %s", strerror(errno));
	return pid;
}

/* Compare two uint64_t for qsort. */
static inline int
bench_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Return the median of v[0..n) (n > 0), sorting v. */
static inline uint64_t
bench_median(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_u64_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* What one exit-and-reap run measured, in nanoseconds. */
struct bench_exit_cost {
	uint64_t	populate_ns;	/* the child's set-up */
	uint64_t	teardown_ns;	/* its last instant to wait4's return */
};

/* The page a child shares with its parent in bench_exit_reap. */
struct bench_exit_stamp {
	uint64_t	populate_ns;	/* [child writes, parent reads after] */
	uint64_t	exit_ns;	/* [child writes, parent reads after] */
	int		error;		/* [child writes] errno of populate */
};

/* Fork a child that runs populate(arg) (0, or -1 with errno set), tells
 * the parent it is ready through a pipe, waits to be told to exit, takes a
 * timestamp in shared memory right before _exit(0); measure from that
 * timestamp to the return of the parent's wait4. Exits with an error if
 * populate fails in the child. */
static inline struct bench_exit_cost
bench_exit_reap(int (*populate)(void *), void *arg)
{
	struct bench_exit_stamp *stamp = bench_shared(BENCH_PAGE);
	struct bench_exit_cost cost;
	int ready[2], go[2], status;
	uint64_t t0, reaped;
	pid_t pid;

	if (pipe(ready) != 0 || pipe(go) != 0)
		bench_die("pipe: %s", strerror(errno));
	pid = bench_fork();
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		t0 = bench_now_ns();
		if (populate(arg) != 0) {
			__atomic_store_n(&stamp->error, errno, __ATOMIC_SEQ_CST);
			_exit(1);
		}
		__atomic_store_n(&stamp->populate_ns, bench_now_ns() - t0,
		    __ATOMIC_SEQ_CST);
		bench_pipe_put(ready[1]);
		bench_pipe_get(go[0]);
		__atomic_store_n(&stamp->exit_ns, bench_now_ns(),
		    __ATOMIC_SEQ_CST);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	if (!bench_pipe_get(ready[0])) {
		status = bench_wait(pid);
		bench_die("child failed to populate: %s (status %#x)",
		    strerror(__atomic_load_n(&stamp->error, __ATOMIC_SEQ_CST)),
		    status);
	}
	bench_pipe_put(go[1]);
	status = bench_wait(pid);
	reaped = bench_now_ns();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		bench_die("child ended with status %#x", status);
	cost.populate_ns = __atomic_load_n(&stamp->populate_ns,
	    __ATOMIC_SEQ_CST);
	cost.teardown_ns = reaped - __atomic_load_n(&stamp->exit_ns,
	    __ATOMIC_SEQ_CST);
	close(ready[0]);
	close(go[1]);
	munmap(stamp, BENCH_PAGE);
	return cost;
}

#endif /* _USER_BENCH_H_ */
