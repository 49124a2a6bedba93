/*
 * threads: musl's pthreads on the kernel's threads (clone with
 * CLONE_THREAD, futexes, set_tid_address and the clear_child_tid word),
 * and how a multi-threaded process dies: exit_group while threads spin in
 * user mode on other CPUs, a thread blocked in a futex, SIGKILL while
 * threads fault pages in, a fatal signal in one thread, the main thread
 * leaving first, and exec; threads blocked in read of one pipe each take
 * a signal in turn. Each death is checked through wait4 in the
 * parent; the census at the end of the boot checks nothing leaked.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "ktest.h"

#define NTHREADS	4		/* workers: one per CPU of the -smp 4 boot */
#define COUNT_PER	20000		/* mutex counter increments per thread */
#define ITEMS		5000		/* producer/consumer items */
#define QSIZE		8
#define STORM		2000		/* threads created and joined */
#define STORM_BATCH	8
#define DETACHED	500		/* detached threads that unmap their stack */
#define DEATH_ROUNDS	10		/* processes killed in the death cases */
#define FAULT_REGION	(256 * 1024)
#define CHILD_EXIT	42
#define FUTEX_WAIT_PRIVATE	128	/* FUTEX_WAIT | FUTEX_PRIVATE_FLAG */

static const char *self;

/* ---- create and join ---- */

static void *
tid_worker(void *arg)
{
	*(pid_t *)arg = (pid_t)syscall(SYS_gettid);
	return (void *)(long)getpid();
}

/* A thread has its own tid, the process's pid, and its return value
 * reaches pthread_join. */
static void
create_join(void)
{
	pthread_t t[NTHREADS];
	pid_t tids[NTHREADS];
	void *ret;
	int i, j;

	for (i = 0; i < NTHREADS; i++)
		KT_ASSERT_EQ(pthread_create(&t[i], NULL, tid_worker, &tids[i]), 0);
	for (i = 0; i < NTHREADS; i++) {
		KT_ASSERT_EQ(pthread_join(t[i], &ret), 0);
		KT_EXPECT_EQ((long)ret, getpid());
		KT_EXPECT(tids[i] > 0 && tids[i] != getpid());
		for (j = 0; j < i; j++)
			KT_EXPECT(tids[j] != tids[i]);
	}
	KT_EXPECT_EQ(syscall(SYS_gettid), getpid());
}

/* ---- mutexes and condition variables ---- */

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *
count_worker(void *arg)
{
	int i;

	for (i = 0; i < COUNT_PER; i++) {
		pthread_mutex_lock(&count_lock);
		counter++;
		pthread_mutex_unlock(&count_lock);
	}
	return NULL;
}

/* N threads increment one counter under a mutex: no increment is lost. */
static void
mutex_counter(void)
{
	pthread_t t[NTHREADS];
	int i;

	counter = 0;
	for (i = 0; i < NTHREADS; i++)
		KT_ASSERT_EQ(pthread_create(&t[i], NULL, count_worker, NULL), 0);
	for (i = 0; i < NTHREADS; i++)
		KT_ASSERT_EQ(pthread_join(t[i], NULL), 0);
	KT_EXPECT_EQ(counter, (long)NTHREADS * COUNT_PER);
}

static struct {
	pthread_mutex_t	lock;
	pthread_cond_t	notempty, notfull;
	int		buf[QSIZE];
	int		head, count;
} q = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
	PTHREAD_COND_INITIALIZER, { 0 }, 0, 0 };

static void *
producer(void *arg)
{
	int i;

	for (i = 1; i <= ITEMS; i++) {
		pthread_mutex_lock(&q.lock);
		while (q.count == QSIZE)
			pthread_cond_wait(&q.notfull, &q.lock);
		q.buf[(q.head + q.count++) % QSIZE] = i;
		pthread_cond_signal(&q.notempty);
		pthread_mutex_unlock(&q.lock);
	}
	return NULL;
}

static void *
consumer(void *arg)
{
	long sum = 0;
	int i, v;

	for (i = 0; i < ITEMS / 2; i++) {
		pthread_mutex_lock(&q.lock);
		while (q.count == 0)
			pthread_cond_wait(&q.notempty, &q.lock);
		v = q.buf[q.head];
		q.head = (q.head + 1) % QSIZE;
		q.count--;
		pthread_cond_signal(&q.notfull);
		pthread_mutex_unlock(&q.lock);
		sum += v;
	}
	return (void *)sum;
}

/* One producer, two consumers through a small bounded queue with
 * condition variables: every item arrives exactly once. */
static void
condvar_prodcons(void)
{
	pthread_t p, c[2];
	void *s0, *s1;

	KT_ASSERT_EQ(pthread_create(&c[0], NULL, consumer, NULL), 0);
	KT_ASSERT_EQ(pthread_create(&c[1], NULL, consumer, NULL), 0);
	KT_ASSERT_EQ(pthread_create(&p, NULL, producer, NULL), 0);
	KT_ASSERT_EQ(pthread_join(p, NULL), 0);
	KT_ASSERT_EQ(pthread_join(c[0], &s0), 0);
	KT_ASSERT_EQ(pthread_join(c[1], &s1), 0);
	KT_EXPECT_EQ((long)s0 + (long)s1, (long)ITEMS * (ITEMS + 1) / 2);
	KT_EXPECT_EQ(q.count, 0);
}

/* ---- storms ---- */

static void *
storm_worker(void *arg)
{
	return (void *)((long)arg + 1);
}

/* Thousands of threads created and joined, a batch at a time. */
static void
create_join_storm(void)
{
	pthread_t t[STORM_BATCH];
	void *ret;
	long i, j, done = 0;

	for (i = 0; i < STORM; i += STORM_BATCH) {
		for (j = 0; j < STORM_BATCH; j++)
			KT_ASSERT_EQ(pthread_create(&t[j], NULL, storm_worker,
			    (void *)(i + j)), 0);
		for (j = 0; j < STORM_BATCH; j++) {
			KT_ASSERT_EQ(pthread_join(t[j], &ret), 0);
			done += (long)ret == i + j + 1;
		}
	}
	KT_EXPECT_EQ(done, STORM);
}

static atomic_int detached_done;

static void *
detached_worker(void *arg)
{
	atomic_fetch_add(&detached_done, 1);
	return NULL;		/* musl: munmap its own stack, then SYS_exit */
}

/* Detached threads exit on their own: musl's pthread_exit unmaps the
 * thread's stack and exits without touching it. */
static void
detached_exit(void)
{
	pthread_attr_t attr;
	pthread_t t;
	int i;

	KT_ASSERT_EQ(pthread_attr_init(&attr), 0);
	KT_ASSERT_EQ(pthread_attr_setdetachstate(&attr,
	    PTHREAD_CREATE_DETACHED), 0);
	atomic_store(&detached_done, 0);
	for (i = 0; i < DETACHED; i++) {
		KT_ASSERT_EQ(pthread_create(&t, &attr, detached_worker, NULL), 0);
		if (i % 16 == 15)
			sched_yield();
	}
	while (atomic_load(&detached_done) < DETACHED)
		sched_yield();
	pthread_attr_destroy(&attr);
	KT_EXPECT_EQ(atomic_load(&detached_done), DETACHED);
}

/* ---- deaths of multi-threaded processes ---- */

static atomic_int started;
static volatile unsigned long spin_sink[NTHREADS * 16];

static void *
spin_worker(void *arg)
{
	long i = (long)arg;

	atomic_fetch_add(&started, 1);
	for (;;)
		spin_sink[i * 16]++;	/* user code writing its memory */
	return NULL;
}

/* In a child: start NTHREADS threads that spin and wait until all run;
 * _exit(1) if one cannot be created. */
static void
spinners_start(void)
{
	pthread_t t;
	long i;

	for (i = 0; i < NTHREADS; i++)
		if (pthread_create(&t, NULL, spin_worker, (void *)i) != 0)
			_exit(1);
	while (atomic_load(&started) < NTHREADS)
		sched_yield();
}

/* In a child: start threads that spin, then end the process with exit
 * (exit_group). */
static void
child_exit_group(void *arg)
{
	spinners_start();
	exit(CHILD_EXIT);
}

/* Run child in a fresh process DEATH_ROUNDS times; every one must exit
 * with CHILD_EXIT, whatever its other threads were doing. */
static void
exits_with_status_every_round(void (*child)(void *))
{
	int i, status;

	for (i = 0; i < DEATH_ROUNDS; i++) {
		status = kt_child_status(child, NULL);
		KT_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == CHILD_EXIT);
	}
}

/* exit_group while the other threads spin in user mode on other CPUs: the
 * process dies with the status, every time. */
static void
exit_group_spinning(void)
{
	exits_with_status_every_round(child_exit_group);
}

static void *
futex_sleeper(void *arg)
{
	atomic_int *word = arg;

	atomic_fetch_add(&started, 1);
	/* the word stays 0: sleeps until the process dies */
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	_exit(1);
}

static void
child_futex_exit(void *arg)
{
	static atomic_int word;
	pthread_t t;
	int i;

	for (i = 0; i < 2; i++)
		if (pthread_create(&t, NULL, futex_sleeper, &word) != 0)
			_exit(1);
	while (atomic_load(&started) < 2)
		sched_yield();
	for (i = 0; i < 100; i++)
		sched_yield();	/* let them reach the futex (either way ok) */
	exit(CHILD_EXIT);
}

/* Threads blocked in a futex when the process exits are taken along. */
static void
futex_blocked_exit(void)
{
	exits_with_status_every_round(child_futex_exit);
}

static int ready_fd;

static void *
fault_worker(void *arg)
{
	char *m;
	size_t off;
	bool told = false;

	for (;;) {
		m = mmap(NULL, FAULT_REGION, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			_exit(1);
		for (off = 0; off < FAULT_REGION; off += 4096)
			m[off] = 1;	/* a fresh page each time */
		munmap(m, FAULT_REGION);
		if (!told && write(ready_fd, "r", 1) == 1)
			told = true;
	}
	return NULL;
}

static void
child_faulting(void *arg)
{
	pthread_t t;
	int i;

	ready_fd = *(int *)arg;
	for (i = 0; i < NTHREADS; i++)
		if (pthread_create(&t, NULL, fault_worker, NULL) != 0)
			_exit(1);
	kt_sleep_forever();
}

/* SIGKILL from the parent while every thread faults fresh pages in. */
static void
sigkill_while_faulting(void)
{
	int fds[2], i, n, status;
	char c;
	pid_t pid;

	for (i = 0; i < DEATH_ROUNDS; i++) {
		KT_ASSERT_EQ(pipe(fds), 0);
		fflush(stdout);
		pid = fork();
		KT_ASSERT(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			child_faulting(&fds[1]);
		}
		close(fds[1]);
		for (n = 0; n < NTHREADS && read(fds[0], &c, 1) == 1; n++)
			;
		KT_EXPECT_EQ(n, NTHREADS);
		KT_EXPECT_EQ(kill(pid, SIGKILL), 0);
		status = kt_reap(pid);
		close(fds[0]);
		KT_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	}
}

static volatile int *volatile bad_ptr;	/* NULL */

static void *
crash_worker(void *arg)
{
	while (atomic_load(&started) < 1)
		sched_yield();
	*bad_ptr = 1;			/* SIGSEGV: fatal to the process */
	return NULL;
}

static void
child_crash(void *arg)
{
	pthread_t t;

	if (pthread_create(&t, NULL, crash_worker, NULL) != 0)
		_exit(1);
	if (pthread_create(&t, NULL, spin_worker, (void *)0) != 0)
		_exit(1);
	kt_sleep_forever();
}

/* A fault in one thread kills the whole process, sleeping and spinning
 * threads included. */
static void
fatal_signal_kills_all(void)
{
	int status = kt_child_status(child_crash, NULL);

	KT_EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
}

static void *
last_worker(void *arg)
{
	pthread_t t;

	/* musl's pthread_exit keeps its thread-list lock until the kernel
	 * zeroes and wakes the leaving thread's clear_child_tid word: this
	 * create returns once the main thread is gone */
	if (pthread_create(&t, NULL, storm_worker, NULL) != 0 ||
	    pthread_join(t, NULL) != 0)
		_exit(1);
	_exit(CHILD_EXIT - 1);
}

/* In a fresh image (its main thread's clear_child_tid is set at start;
 * a forked child has none): a thread, then the main thread leaves. */
static void
main_leaves(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, last_worker, NULL) != 0)
		_exit(1);
	pthread_exit(NULL);	/* SYS_exit of the main thread alone */
}

static void
child_main_leaves(void *arg)
{
	char *argv[] = { (char *)self, "--main-leaves", NULL };

	execv(self, argv);
	_exit(1);
}

/* The main thread leaves first (SYS_exit); the process lives on in its
 * other thread, whose exit status reaches the parent. */
static void
main_thread_exits_first(void)
{
	int status = kt_child_status(child_main_leaves, NULL);

	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == CHILD_EXIT - 1);
}

/* In a child: start threads that spin, then exec this program with
 * "--exit" (its new image exits CHILD_EXIT). */
static void
child_exec(void *arg)
{
	char *argv[] = { (char *)self, "--exit", NULL };

	spinners_start();
	execv(self, argv);
	_exit(1);
}

/* exec in a multi-threaded process ends the other threads first. */
static void
exec_multithreaded(void)
{
	int status = kt_child_status(child_exec, NULL);

	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == CHILD_EXIT);
}

/* ---- signals to threads, clone flags ---- */

static volatile pid_t handled_tid;
static atomic_int usr1_target_ready;

static void
usr1_handler(int sig)
{
	handled_tid = (pid_t)syscall(SYS_gettid);
}

static void *
tkill_target(void *arg)
{
	*(pid_t *)arg = (pid_t)syscall(SYS_gettid);
	atomic_store(&usr1_target_ready, 1);
	while (handled_tid == 0)
		sched_yield();
	return NULL;
}

/* tkill reaches the thread it names: its handler runs on that thread. */
static void
tkill_thread(void)
{
	struct sigaction sa = { .sa_handler = usr1_handler };
	pthread_t t;
	pid_t tid = 0;

	handled_tid = 0;
	KT_ASSERT_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	KT_ASSERT_EQ(pthread_create(&t, NULL, tkill_target, &tid), 0);
	while (!atomic_load(&usr1_target_ready))
		sched_yield();
	KT_EXPECT_EQ(syscall(SYS_tkill, tid, SIGUSR1), 0);
	KT_ASSERT_EQ(pthread_join(t, NULL), 0);
	KT_EXPECT_EQ(handled_tid, tid);
	/* exeunt marks a thread dying before it clears its tid and wakes the
	 * joiner, so after the join it is gone; Linux wakes the joiner from
	 * mm_release, before the thread is unhashed, so tkill may still
	 * reach it for a moment */
	if (kt_on_exeunt())
		KT_EXPECT_ERR(syscall(SYS_tkill, tid, SIGUSR1), ESRCH);
	signal(SIGUSR1, SIG_DFL);
}

/* ---- signals to threads blocked in read of one pipe ---- */

#define PIPE_READERS	3

static int reader_fd;
static atomic_int readers_ready;

/* A reader: give its tid, then read the pipe until end of file (the
 * handler restarts the read: SA_RESTART). */
static void *
pipe_reader(void *arg)
{
	*(pid_t *)arg = (pid_t)syscall(SYS_gettid);
	atomic_fetch_add(&readers_ready, 1);
	while (kt_read_byte(reader_fd) > 0)
		;
	return NULL;
}

/* Threads blocked in read of one pipe each take a signal in turn, the
 * next only once the last one's handler ran, as musl's setuid does
 * (__synccall): none may sleep where a signal cannot wake it (waiting for
 * the pipe's reader lock behind a reader asleep for data). The last
 * started is signalled first: the one likeliest to wait behind another. */
static void
pipe_readers_signalled_in_turn(void)
{
	struct sigaction sa = { .sa_handler = usr1_handler,
	    .sa_flags = SA_RESTART };
	pthread_t t[PIPE_READERS];
	pid_t tid[PIPE_READERS];
	int fds[2], i;

	KT_ASSERT_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	KT_ASSERT_EQ(pipe(fds), 0);
	reader_fd = fds[0];
	for (i = 0; i < PIPE_READERS; i++)
		KT_ASSERT_EQ(pthread_create(&t[i], NULL, pipe_reader, &tid[i]),
		    0);
	while (atomic_load(&readers_ready) < PIPE_READERS)
		sched_yield();
	for (i = 0; i < 100; i++)	/* let them get into read */
		sched_yield();
	for (i = PIPE_READERS - 1; i >= 0; i--) {
		handled_tid = 0;
		KT_EXPECT_EQ(syscall(SYS_tkill, tid[i], SIGUSR1), 0);
		while (handled_tid != tid[i])
			sched_yield();
	}
	close(fds[1]);
	for (i = 0; i < PIPE_READERS; i++)
		KT_EXPECT_EQ(pthread_join(t[i], NULL), 0);
}

/* clone refuses what Linux refuses: CLONE_THREAD without CLONE_SIGHAND,
 * CLONE_SIGHAND without CLONE_VM. */
static void
clone_flags_einval(void)
{
	KT_EXPECT_ERR(syscall(SYS_clone, CLONE_VM | CLONE_THREAD, NULL, NULL,
	    NULL, 0), EINVAL);
	KT_EXPECT_ERR(syscall(SYS_clone, CLONE_SIGHAND, NULL, NULL, NULL, 0),
	    EINVAL);
	KT_EXPECT_ERR(syscall(SYS_clone, CLONE_THREAD | CLONE_SIGHAND, NULL,
	    NULL, NULL, 0), EINVAL);
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(create_join),
	KT_CASE_FORK(mutex_counter),
	KT_CASE_FORK(condvar_prodcons),
	KT_CASE_FORK(create_join_storm),
	KT_CASE_FORK(detached_exit),
	KT_CASE_FORK(tkill_thread),
	KT_CASE_FORK(pipe_readers_signalled_in_turn),
	KT_CASE(clone_flags_einval),
	KT_CASE(exit_group_spinning),
	KT_CASE(futex_blocked_exit),
	KT_CASE(sigkill_while_faulting),
	KT_CASE(fatal_signal_kills_all),
	KT_CASE(main_thread_exits_first),
	KT_CASE(exec_multithreaded),
};

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--exit") == 0)
		return CHILD_EXIT;
	if (argc > 1 && strcmp(argv[1], "--main-leaves") == 0)
		main_leaves();
	self = kt_self_path(argv[0]);
	return kt_main("threads", cases, KT_NCASES(cases));
}
