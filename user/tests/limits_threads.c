/*
 * limits_threads: RLIMIT_NPROC counts threads, as Linux counts tasks:
 * every thread of a uid's processes is charged to the uid, so
 * pthread_create (clone with CLONE_THREAD) fails with EAGAIN at the soft
 * limit, fork too, and each charge comes back when its thread is gone: a
 * joined thread (once /proc/<pid>/status shows it gone, for Linux returns
 * the charge after the join's wakeup), the threads of a process that
 * exit_group ends or SIGKILL kills (by the time wait4 collects it).
 * setuid moves the charges of every thread to the new uid. uid 0 is
 * exempt.
 *
 * The exact counts need a uid with no task yet, which only root can
 * become (TASK_UID; limits.c uses another); as another user the cases
 * skip.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>

#include "ktest.h"

#define TASK_UID	54322		/* a uid with no task of its own */
#define NPROC		6		/* the uid's RLIMIT_NPROC */
#define CREW_MAX	(NPROC + 4)	/* threads a crew may try at most */

/* Threads that wait until hold's write end closes. */
struct crew {
	int		hold[2];
	int		n;		/* threads made */
	pthread_t	t[CREW_MAX];
};

/* A crew thread: read the hold pipe until end of file. */
static void *
crew_thread(void *arg)
{
	int fd = *(int *)arg;

	while (kt_read_byte(fd) > 0)
		;
	return NULL;
}

/* Make threads of c until pthread_create fails or max were made; return
 * how many, with the failure's error in *errp (0 if none failed). */
static int
crew_start(struct crew *c, int max, int *errp)
{
	*errp = 0;
	if (pipe(c->hold) != 0) {
		*errp = errno;
		return c->n = 0;
	}
	for (c->n = 0; c->n < max; c->n++)
		if ((*errp = pthread_create(&c->t[c->n], NULL, crew_thread,
		    &c->hold[0])) != 0)
			break;
	return c->n;
}

/* Let c's threads end, join them, and wait until /proc shows them gone,
 * others (of other crews) left (on Linux a joined thread is charged
 * until then). */
static void
crew_end(struct crew *c, int others)
{
	char val[16], want[16];
	int i;

	close(c->hold[1]);
	for (i = 0; i < c->n; i++)
		KT_EXPECT_EQ(pthread_join(c->t[i], NULL), 0);
	close(c->hold[0]);
	snprintf(want, sizeof(want), "%d", 1 + others);
	while (KT_EXPECT(kt_status_field(getpid(), "Threads", val,
	    sizeof(val))) && strcmp(val, want) != 0)
		sched_yield();
}

/* In a forked case: set RLIMIT_NPROC to NPROC and become TASK_UID;
 * false (the case skips or failed) if this process cannot. */
static bool
become_task_uid(void)
{
	struct rlimit rl = { NPROC, NPROC };

	if (getuid() != 0) {
		kt_skip("needs root, to become a uid with no task");
		return false;
	}
	return KT_EXPECT_EQ(setrlimit(RLIMIT_NPROC, &rl), 0) &&
	    KT_EXPECT_EQ(setuid(TASK_UID), 0);
}

/* At the limit: the process and NPROC - 1 threads, then EAGAIN from
 * pthread_create and fork alike; once the threads are joined and gone,
 * as many can be made again. */
static void
threads_at_limit(void)
{
	struct crew c;
	int round, err;

	if (!become_task_uid())
		return;
	for (round = 0; round < 2; round++) {
		KT_EXPECT_EQ(crew_start(&c, CREW_MAX, &err), NPROC - 1);
		KT_EXPECT_EQ(err, EAGAIN);
		KT_EXPECT_EQ(kt_fork_errno(), EAGAIN);
		crew_end(&c, 0);
	}
	KT_EXPECT_EQ(kt_fork_errno(), 0);
}

/* A child of TASK_UID with as many threads as the limit lets it have
 * ends by exit_group, then by SIGKILL; once it is collected every
 * charge is back: the parent makes NPROC - 1 threads again. */
static void
threads_die_with_process(void)
{
	struct crew c;
	int how, report[2], n, err, status;
	pid_t pid;

	if (!become_task_uid())
		return;
	for (how = 0; how < 2; how++) {
		KT_ASSERT_EQ(pipe(report), 0);
		fflush(stdout);
		if ((pid = fork()) == 0) {
			n = crew_start(&c, CREW_MAX, &err);
			if (err != EAGAIN ||
			    write(report[1], &n, sizeof(n)) != sizeof(n))
				_exit(1);
			if (how == 0)
				_exit(0);	/* exit_group, threads held */
			kt_sleep_forever();
		}
		KT_ASSERT(pid > 0);
		close(report[1]);
		KT_EXPECT_EQ(read(report[0], &n, sizeof(n)), sizeof(n));
		KT_EXPECT_EQ(n, NPROC - 2);
		close(report[0]);
		if (how == 1)
			KT_EXPECT_EQ(kill(pid, SIGKILL), 0);
		KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
		KT_EXPECT(how == 0 ? status == 0 :
		    WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		KT_EXPECT_EQ(crew_start(&c, CREW_MAX, &err), NPROC - 1);
		KT_EXPECT_EQ(err, EAGAIN);
		crew_end(&c, 0);
	}
}

/* setuid in a process with threads moves all their charges: root with
 * two threads becomes TASK_UID, which then has three tasks. */
static void
setuid_moves_threads(void)
{
	struct rlimit rl = { NPROC, NPROC };
	struct crew c, more;
	int err;

	if (getuid() != 0) {
		kt_skip("needs root, to become a uid with no task");
		return;
	}
	KT_ASSERT_EQ(crew_start(&c, 2, &err), 2);
	KT_ASSERT_EQ(setrlimit(RLIMIT_NPROC, &rl), 0);
	KT_ASSERT_EQ(setuid(TASK_UID), 0);
	KT_EXPECT_EQ(crew_start(&more, CREW_MAX, &err), NPROC - 3);
	KT_EXPECT_EQ(err, EAGAIN);
	crew_end(&more, 2);
	crew_end(&c, 0);
	KT_EXPECT_EQ(crew_start(&c, CREW_MAX, &err), NPROC - 1);
	crew_end(&c, 0);
}

/* uid 0 is exempt from RLIMIT_NPROC for threads too (Linux's root,
 * whatever its capabilities). */
static void
root_threads_exempt(void)
{
	struct rlimit rl = { 1, 1 };
	struct crew c;
	int err;

	if (getuid() != 0) {
		kt_skip("needs root");
		return;
	}
	KT_ASSERT_EQ(setrlimit(RLIMIT_NPROC, &rl), 0);
	KT_EXPECT_EQ(crew_start(&c, 3, &err), 3);
	crew_end(&c, 0);
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(threads_at_limit),
	KT_CASE_FORK(threads_die_with_process),
	KT_CASE_FORK(setuid_moves_threads),
	KT_CASE_FORK(root_threads_exempt),
};

int
main(void)
{
	return kt_main("limits_threads", cases, KT_NCASES(cases));
}
