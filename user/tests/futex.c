/*
 * futex: FUTEX_WAIT and FUTEX_WAKE (private and shared), FUTEX_REQUEUE and
 * FUTEX_CMP_REQUEUE, and their errors: EAGAIN when the word differs,
 * ETIMEDOUT, EINTR on a signal, EFAULT, EINVAL (misaligned, bad timeout,
 * negative counts), ENOSYS (an unknown op; the realtime clock with
 * FUTEX_WAIT). Shared futexes meet across
 * fork in MAP_SHARED memory. Every expectation is Linux's.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "ktest.h"

#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_REQUEUE		3
#define FUTEX_CMP_REQUEUE	4
#define FUTEX_PRIVATE_FLAG	128
#define FUTEX_CLOCK_REALTIME	256
#define NWAITERS		3

static long
futex(void *uaddr, int op, uint32_t val, const void *ts_or_val2,
    void *uaddr2, uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts_or_val2, uaddr2, val3);
}

/* A word that differs from val: EAGAIN, private and shared. */
static void
wait_eagain(void)
{
	static uint32_t word = 1;

	KT_EXPECT_ERR(futex(&word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, NULL,
	    NULL, 0), EAGAIN);
	KT_EXPECT_ERR(futex(&word, FUTEX_WAIT, 0, NULL, NULL, 0), EAGAIN);
}

/* A relative timeout ends the wait with ETIMEDOUT. */
static void
wait_timeout(void)
{
	static uint32_t word;
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	KT_EXPECT_ERR(futex(&word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, &ts,
	    NULL, 0), ETIMEDOUT);
	KT_EXPECT_ERR(futex(&word, FUTEX_WAIT, 0, &ts, NULL, 0), ETIMEDOUT);
}

/* Bad arguments: errors, never a crash. */
static void
bad_arguments(void)
{
	static uint32_t words[2];
	struct timespec bad = { 0, 1000 * 1000 * 1000 };
	char *misaligned = (char *)&words[0] + 1;
	void *unmapped;

	KT_EXPECT_ERR(futex(misaligned, FUTEX_WAIT, 0, NULL, NULL, 0), EINVAL);
	KT_EXPECT_ERR(futex(misaligned, FUTEX_WAKE, 1, NULL, NULL, 0), EINVAL);
	KT_EXPECT_ERR(futex(&words[0], FUTEX_WAIT, 0, &bad, NULL, 0), EINVAL);
	KT_EXPECT_ERR(futex(&words[0], FUTEX_WAIT, 0, (void *)8, NULL, 0),
	    EFAULT);
	KT_EXPECT_ERR(futex(NULL, FUTEX_WAIT, 0, NULL, NULL, 0), EFAULT);
	KT_EXPECT_ERR(futex((void *)-4096L, FUTEX_WAKE, 1, NULL, NULL, 0),
	    EFAULT);
	unmapped = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KT_ASSERT(unmapped != MAP_FAILED);
	KT_ASSERT_EQ(munmap(unmapped, 4096), 0);
	KT_EXPECT_ERR(futex(unmapped, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, NULL,
	    NULL, 0), EFAULT);
	/* a private wake never touches the memory; a shared one must */
	KT_EXPECT_EQ(futex(unmapped, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL,
	    NULL, 0), 0);
	KT_EXPECT_ERR(futex(unmapped, FUTEX_WAKE, 1, NULL, NULL, 0), EFAULT);
	KT_EXPECT_ERR(futex(&words[0], 99, 0, NULL, NULL, 0), ENOSYS);
	KT_EXPECT_ERR(futex(&words[0], FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 0,
	    NULL, NULL, 0), ENOSYS);
	KT_EXPECT_ERR(futex(&words[0], FUTEX_REQUEUE, (uint32_t)-1, NULL,
	    &words[1], 0), EINVAL);
	KT_EXPECT_ERR(futex(&words[0], FUTEX_CMP_REQUEUE, 1, NULL, &words[1],
	    7), EAGAIN);
	KT_EXPECT_EQ(futex(&words[0], FUTEX_WAKE, 1, NULL, NULL, 0), 0);
}

static uint32_t wait_word;
static atomic_int wait_results[NWAITERS];	/* 0: running, 1 + errno */

static void *
waiter(void *arg)
{
	long i = (long)arg;
	long r = futex(&wait_word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, NULL,
	    NULL, 0);

	atomic_store(&wait_results[i], r == 0 ? 1 : 1 + errno);
	return NULL;
}

/* Start NWAITERS threads waiting on wait_word. */
static bool
start_waiters(pthread_t *t)
{
	long i;

	wait_word = 0;
	for (i = 0; i < NWAITERS; i++) {
		atomic_store(&wait_results[i], 0);
		if (!KT_EXPECT_EQ(pthread_create(&t[i], NULL, waiter,
		    (void *)i), 0))
			return false;
	}
	return true;
}

/* Call the private futex op (val, val2, uaddr2) on wait_word until the
 * calls have found every waiter, each call at most max of them; return
 * false (the case failed) if one found more or failed. */
static bool
find_waiters(int op, uint32_t val, const void *val2, uint32_t *uaddr2,
    long max)
{
	long n, total = 0;

	while (total < NWAITERS) {
		n = futex(&wait_word, op | FUTEX_PRIVATE_FLAG, val, val2,
		    uaddr2, 0);
		if (!KT_EXPECT(n >= 0 && n <= max))
			return false;
		total += n;
		sched_yield();
	}
	return true;
}

/* Join the waiters; each must have returned 0 from its wait. */
static void
join_waiters(pthread_t *t)
{
	int i;

	for (i = 0; i < NWAITERS; i++) {
		KT_ASSERT_EQ(pthread_join(t[i], NULL), 0);
		KT_EXPECT_EQ(atomic_load(&wait_results[i]), 1);
	}
}

/* WAKE wakes each waiter once (it returns 0 from its wait); a wake
 * counts only waiters it found. */
static void
wake_wakes(void)
{
	pthread_t t[NWAITERS];

	KT_ASSERT(start_waiters(t));
	KT_ASSERT(find_waiters(FUTEX_WAKE, 1, NULL, NULL, 1));
	join_waiters(t);
	KT_EXPECT_EQ(futex(&wait_word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX,
	    NULL, NULL, 0), 0);
}

static uint32_t requeue_target;

/* REQUEUE moves waiters to another word: a wake of the first finds none,
 * a wake of the second wakes them all. */
static void
requeue_moves(void)
{
	pthread_t t[NWAITERS];
	long total;

	KT_ASSERT(start_waiters(t));
	KT_ASSERT(find_waiters(FUTEX_REQUEUE, 0, (void *)(long)INT_MAX,
	    &requeue_target, NWAITERS));
	KT_EXPECT_EQ(futex(&wait_word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG,
	    INT_MAX, NULL, NULL, 0), 0);
	for (total = 0; total < NWAITERS; )
		total += futex(&requeue_target, FUTEX_CMP_REQUEUE |
		    FUTEX_PRIVATE_FLAG, NWAITERS, 0, &wait_word, 0);
	KT_EXPECT_EQ(total, NWAITERS);
	join_waiters(t);
}

static void
usr1_handler(int sig)
{
}

/* A caught signal ends a wait with EINTR (no SA_RESTART). */
static void
wait_eintr(void)
{
	struct sigaction sa = { .sa_handler = usr1_handler };
	pthread_t t[NWAITERS];
	struct timespec ms = { 0, 1000 * 1000 };
	int i;

	KT_ASSERT_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	KT_ASSERT(start_waiters(t));
	for (i = 0; i < NWAITERS; i++) {
		/* until it is in the wait: a signal before is just handled */
		while (atomic_load(&wait_results[i]) == 0) {
			KT_ASSERT_EQ(pthread_kill(t[i], SIGUSR1), 0);
			nanosleep(&ms, NULL);
		}
		KT_ASSERT_EQ(pthread_join(t[i], NULL), 0);
		KT_EXPECT_EQ(atomic_load(&wait_results[i]), 1 + EINTR);
	}
	signal(SIGUSR1, SIG_DFL);
}

/* A shared futex in MAP_SHARED memory joins a parent and its forked
 * child: the parent's wake ends the child's wait. */
static void
shared_across_fork(void)
{
	uint32_t *word = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long n = 0;
	int status;
	pid_t pid;

	KT_ASSERT(word != MAP_FAILED);
	*word = 0;
	fflush(stdout);
	pid = fork();
	KT_ASSERT(pid >= 0);
	if (pid == 0)
		_exit(futex(word, FUTEX_WAIT, 0, NULL, NULL, 0) == 0 ? 0 : 1);
	while (n == 0) {
		n = futex(word, FUTEX_WAKE, 1, NULL, NULL, 0);
		KT_ASSERT(n == 0 || n == 1);
		sched_yield();
	}
	KT_EXPECT_EQ(waitpid(pid, &status, 0), pid);
	KT_EXPECT_EQ(status, 0);
	munmap(word, 4096);
}

static const struct kt_case cases[] = {
	KT_CASE(wait_eagain),
	KT_CASE(wait_timeout),
	KT_CASE(bad_arguments),
	KT_CASE_FORK(wake_wakes),
	KT_CASE_FORK(requeue_moves),
	KT_CASE_FORK(wait_eintr),
	KT_CASE(shared_across_fork),
};

int
main(void)
{
	return kt_main("futex", cases, KT_NCASES(cases));
}
