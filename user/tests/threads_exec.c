/*
 * threads_exec: execve from a thread that is not the main one. As on
 * Linux, the exec'ing thread takes over the thread group: it gets the
 * process's pid as its tid, every other thread (the old main thread
 * included) is gone, the process keeps its pid and parent, and the
 * parent's wait4 hears of the pid's exit. Each case forks a child whose
 * non-main thread execs this program with "--after-exec <case> <pid>
 * <ppid> <old tid>"; the new image checks what it is from the inside and
 * exits EXEC_OK when all is well (its diagnostics appear under the case),
 * and the case checks the wait4 side.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/syscall.h>

#include "ktest.h"

#define SPINNERS	3		/* other threads running at the exec */
#define EXEC_OK		37		/* the new image's checks passed */
#define FUTEX_WAIT	0
#define FUTEX_WAIT_PRIVATE 128		/* FUTEX_WAIT | FUTEX_PRIVATE_FLAG */

static const char *self;

/* How the child gets to its exec. */
enum exec_way {
	EXEC_MAIN_JOINS,	/* the main thread waits in pthread_join */
	EXEC_MAIN_GONE,		/* the main thread left first (SYS_exit) */
	EXEC_AMONG_SLEEPERS,	/* others sleep in a futex, the main thread
				 * spins */
};

static atomic_int started;
static atomic_int main_tid_word = 1;	/* EXEC_MAIN_GONE: the kernel zeroes
					 * it when the main thread is gone */
static atomic_int futex_word;		/* stays 0: sleepers never wake */
static enum exec_way way;

/* The value of "Threads:" in our /proc/<pid>/status, or -1. */
static int
status_threads(void)
{
	char buf[1024], *t;
	ssize_t n;
	int fd;

	snprintf(buf, sizeof(buf), "/proc/%d/status", (int)getpid());
	fd = open(buf, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	t = strstr(buf, "\nThreads:");
	return t != NULL ? atoi(t + strlen("\nThreads:")) : -1;
}

static void *
spinner(void *arg)
{
	atomic_fetch_add(&started, 1);
	for (;;)
		sched_yield();
	return NULL;
}

static void *
sleeper(void *arg)
{
	atomic_fetch_add(&started, 1);
	for (;;)
		syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, NULL,
		    NULL, 0);
	return NULL;
}

static void *
created_in_new_image(void *arg)
{
	*(pid_t *)arg = (pid_t)syscall(SYS_gettid);
	return (void *)(long)getpid();
}

/* The thread that execs: once the others are there, exec with what the
 * new image must find. */
static void *
execer(void *arg)
{
	char bufs[4][16];
	char *argv[] = { (char *)self, "--after-exec", bufs[0], bufs[1],
	    bufs[2], bufs[3], NULL };

	while (atomic_load(&started) < SPINNERS)
		sched_yield();
	/* a shared wait: the kernel wakes a clear_child_tid word with a
	 * shared wake, which on Linux misses a private waiter (exeunt's
	 * keys let it through): a private wait hung here now and then */
	while (way == EXEC_MAIN_GONE && atomic_load(&main_tid_word) != 0)
		syscall(SYS_futex, &main_tid_word, FUTEX_WAIT, 1, NULL, NULL,
		    0);
	snprintf(bufs[0], sizeof(bufs[0]), "%d", (int)way);
	snprintf(bufs[1], sizeof(bufs[1]), "%d", (int)getpid());
	snprintf(bufs[2], sizeof(bufs[2]), "%d", (int)getppid());
	snprintf(bufs[3], sizeof(bufs[3]), "%d", (int)syscall(SYS_gettid));
	execv(self, argv);
	_exit(1);
}

/* In the forked child: start the other threads and the execer, then do
 * what the way says while the exec happens. */
static void
child_run(enum exec_way w)
{
	pthread_t t;
	int i;

	way = w;
	for (i = 0; i < SPINNERS; i++)
		if (pthread_create(&t, NULL, w == EXEC_AMONG_SLEEPERS ?
		    sleeper : spinner, NULL) != 0)
			_exit(2);
	if (pthread_create(&t, NULL, execer, NULL) != 0)
		_exit(2);
	switch (w) {
	case EXEC_MAIN_JOINS:
		pthread_join(t, NULL);	/* never returns: the exec ends it */
		break;
	case EXEC_MAIN_GONE:
		/* the execer waits for the kernel's clear_child_tid */
		syscall(SYS_set_tid_address, &main_tid_word);
		syscall(SYS_exit, 0);
		break;
	case EXEC_AMONG_SLEEPERS:
		for (;;)
			sched_yield();
	}
	_exit(3);
}

/* The new image, from the inside: the pid, the tid, the parent; one
 * thread; the exec'ing thread's old tid is gone; threads work. */
static int
after_exec(char **argv)
{
	pid_t pid = atoi(argv[3]), ppid = atoi(argv[4]), oldtid = atoi(argv[5]);
	pthread_t t;
	pid_t newtid = 0;
	void *ret;

	kt_case_name = "exec'd image";
	KT_EXPECT_EQ(getpid(), pid);
	KT_EXPECT_EQ(syscall(SYS_gettid), pid);
	KT_EXPECT_EQ(getppid(), ppid);
	KT_EXPECT(oldtid != pid);
	KT_EXPECT_EQ(status_threads(), 1);
	/* the exec'ing thread's own tid went with the old main thread */
	KT_EXPECT_ERR(syscall(SYS_tkill, oldtid, 0), ESRCH);
	KT_EXPECT_EQ(syscall(SYS_tkill, pid, 0), 0);
	/* a new thread: a new tid, the same pid */
	if (KT_EXPECT_EQ(pthread_create(&t, NULL, created_in_new_image,
	    &newtid), 0) && KT_EXPECT_EQ(pthread_join(t, &ret), 0)) {
		KT_EXPECT_EQ((long)ret, pid);
		KT_EXPECT(newtid > 0 && newtid != pid);
	}
	/* no thread count after the join: the joined thread may still be
	 * counted for a moment after its clear_child_tid woke the join, on
	 * Linux too */
	fflush(stdout);
	return kt_failed ? 1 : EXEC_OK;
}

/* Fork a child that execs from a thread the way w; its exit (the new
 * image's) is the pid's, reported once to our wait4. */
static void
exec_way_check(enum exec_way w)
{
	int status;
	pid_t pid, got;

	fflush(stdout);
	pid = fork();
	KT_ASSERT(pid >= 0);
	if (pid == 0)
		child_run(w);
	got = wait4(-1, &status, 0, NULL);
	KT_EXPECT_EQ(got, pid);
	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == EXEC_OK);
	KT_EXPECT_ERR(wait4(-1, &status, WNOHANG, NULL), ECHILD);
}

/* The execer's tid becomes the pid; the main thread (in pthread_join)
 * and the spinners are gone. */
static void
exec_from_thread(void)
{
	exec_way_check(EXEC_MAIN_JOINS);
}

/* The main thread left before the exec: the process lives in its other
 * threads, and the one that execs still takes the pid as its tid. */
static void
exec_after_main_left(void)
{
	exec_way_check(EXEC_MAIN_GONE);
}

/* The other threads sleep in a futex that nobody wakes and the main
 * thread spins in user mode: the exec takes them all away. */
static void
exec_among_sleepers(void)
{
	exec_way_check(EXEC_AMONG_SLEEPERS);
}

static const struct kt_case cases[] = {
	KT_CASE(exec_from_thread),
	KT_CASE(exec_after_main_left),
	KT_CASE(exec_among_sleepers),
};

int
main(int argc, char **argv)
{
	self = kt_self_path(argv[0]);
	if (argc == 6 && strcmp(argv[1], "--after-exec") == 0)
		return after_exec(argv);
	return kt_main("threads_exec", cases, KT_NCASES(cases));
}
