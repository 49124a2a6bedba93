/*
 * threads_readers: readers of a multi-threaded process's memory while its
 * threads come and go and the process dies, and ptrace of a
 * multi-threaded process.
 *
 * The race: a target fills RACE_VA with its pattern (race.h); some of its
 * threads spin rewriting the pattern of their own page, its main thread
 * creates short-lived threads (joined or detached, each dirtying its own
 * stack), and the process ends at a seeded random point: exit_group from
 * its main thread, exit_group from one of the short-lived threads, or
 * SIGKILL from a reader. Meanwhile three reader threads of the test, on
 * other CPUs, read it: PTRACE_PEEKDATA between PTRACE_ATTACH and
 * PTRACE_DETACH, process_vm_readv and /proc/<pid>/mem; canaries recycle
 * pages. A reader sees the target's words or an error (ESRCH, EIO,
 * EFAULT, end of file), never another process's pattern or freed memory.
 *
 * ptrace: Linux traces threads and exeunt traces processes (any thread of
 * a traced process stops for the tracer, one at a time). The cases keep
 * to what both do: PTRACE_TRACEME or PTRACE_ATTACH by the main thread's
 * tid, the stop reported to wait4, PEEK and GETREGS while other threads
 * run, and a stopped process that is killed, exits from another thread or
 * has threads leaving and arriving while it is stopped. Where the two
 * differ (signals of the other threads: they stop on exeunt, not on
 * Linux) the case says so and checks each.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/utsname.h>

#include "ktest.h"
#include "race.h"

#define SPINNERS	3		/* target threads, a page each */
#define ROUNDS		4		/* targets per race */
#define READS_MAX	600		/* reads per reader and target */
#define GONE_READS	8		/* failed reads after which a reader
					 * stops: the target is gone */
#define KILL_MAX	200		/* END_SIGKILL: the kill within as many
					 * reads */
#define PT_CYCLES	40		/* ATTACH ... DETACH per target */
#define PEEK_BATCH	16		/* words PEEKed per stop */
#define CHURN_MAX	30		/* short-lived threads before the end */
#define STACK_DIRT	8192		/* stack bytes each of them dirties */
#define SIG_ROUNDS	150		/* signals each thread sends itself */
#define SIG_THREADS	3		/* threads besides main that do */
#define WORKERS		4		/* threads leaving during a stop */
#define TARGET_EXIT	23		/* a target's exit_group status */
#define EXIT_STATUS(c)	((c) << 8)	/* the wait status of exit(c) */

static long
pt(long req, pid_t pid, const void *addr, const void *data)
{
	return syscall(SYS_ptrace, req, pid, addr, data);
}

/* ---- the target ---- */

/* How a race target ends. */
enum target_end {
	END_SIGKILL,		/* a reader kills it */
	END_EXIT_MAIN,		/* its main thread calls exit (exit_group) */
	END_EXIT_THREAD,	/* a short-lived thread calls exit */
	END_MODES
};

static enum target_end tgt_end;	/* in the target: how it ends */
static long tgt_churn;		/* after how many short-lived threads */

/* Rewrite page k of RACE_VA with the pattern, forever; yield between
 * passes, so that on one CPU the readers still get their turns. */
static void *
tgt_spinner(void *arg)
{
	long k = (long)arg;
	volatile uint64_t *w = (uint64_t *)RACE_VA + k * RACE_PAGE_WORDS;
	pid_t pid = getpid();
	size_t i;

	for (;;) {
		for (i = 0; i < RACE_PAGE_WORDS; i++)
			w[i] = race_word(pid, k * RACE_PAGE_WORDS + i);
		sched_yield();
	}
	return NULL;
}

/* A short-lived thread: dirty some stack; the chosen one ends the
 * process. */
static void *
tgt_churn_thread(void *arg)
{
	volatile char dirt[STACK_DIRT];
	long n = (long)arg;
	size_t i;

	for (i = 0; i < sizeof(dirt); i += 64)
		dirt[i] = (char)n;
	if (tgt_end == END_EXIT_THREAD && n == tgt_churn)
		_exit(TARGET_EXIT);	/* exit_group */
	return NULL;
}

/* The target's main thread: fill, start the spinners, say ready, then
 * make and lose threads until the end. */
static void __attribute__((noreturn))
tgt_main(int ready_fd)
{
	pthread_attr_t detached;
	pthread_t t;
	long k, n;

	if (race_fill(getpid()) != 0 || pthread_attr_init(&detached) != 0 ||
	    pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED))
		_exit(3);
	for (k = 0; k < SPINNERS; k++)
		if (pthread_create(&t, NULL, tgt_spinner, (void *)k) != 0)
			_exit(4);
	if (write(ready_fd, "r", 1) != 1)
		_exit(5);
	for (n = 0;; n++) {
		if (tgt_end == END_EXIT_MAIN && n == tgt_churn)
			_exit(TARGET_EXIT);	/* exit_group */
		if (n % 2 == 0) {
			if (pthread_create(&t, NULL, tgt_churn_thread,
			    (void *)n) == 0)
				pthread_join(t, NULL);
		} else
			(void)pthread_create(&t, &detached, tgt_churn_thread,
			    (void *)n);
	}
}

/* ---- the readers ---- */

struct race {
	pid_t		pid;
	enum target_end	end;
	int		kill_at;	/* END_SIGKILL: the readv that kills */
	int		memfd;		/* /proc/<pid>/mem */
	unsigned	seed;
	bool		reaped;		/* the ptrace reader collected it */
	int		status;		/* then its wait status */
};

/* Read the target through rd, a page at a time at random, until it is
 * gone (its pages are mapped while it lives: a read that finds nothing
 * means it is going); the process_vm_readv reader kills it at kill_at
 * (END_SIGKILL). */
static void
reader_pages(struct race *r, enum race_reader rd, unsigned seed)
{
	size_t first;
	int i, got, gone = 0;

	for (i = 0; i < READS_MAX && gone < GONE_READS; i++) {
		if (rd == RACE_READV && r->end == END_SIGKILL &&
		    i == r->kill_at)
			kill(r->pid, SIGKILL);
		first = (size_t)(rand_r(&seed) % RACE_PAGES) * RACE_PAGE_WORDS;
		if ((got = race_read(rd, r->pid, r->memfd, first, i)) < 0)
			break;
		gone += got == 0;
	}
}

/* The process_vm_readv reader thread. */
static void *
reader_readv(void *arg)
{
	reader_pages(arg, RACE_READV, ((struct race *)arg)->seed ^ 0x1111);
	return NULL;
}

/* The /proc/<pid>/mem reader thread. */
static void *
reader_mem(void *arg)
{
	reader_pages(arg, RACE_MEM, ((struct race *)arg)->seed ^ 0x2222);
	return NULL;
}

/* Collect the traced target's death after a request said it is not
 * stopped; false if something else came. */
static bool
reader_ptrace_reap(struct race *r, const char *after)
{
	char why[64];

	if (waitpid(r->pid, &r->status, 0) != r->pid) {
		kt_diag("waitpid after %s: %s", after, strerror(errno));
		kt_failed = true;
		return false;
	}
	r->reaped = true;
	if (WIFSTOPPED(r->status)) {
		kt_diag("after %s: %s, expected its death", after,
		    kt_status_str(r->status, why, sizeof(why)));
		kt_failed = true;
		return false;
	}
	return true;
}

/* PTRACE_ATTACH, wait for the stop, PEEK a batch, PTRACE_DETACH; again,
 * until the target is gone. The tracer is the parent: it collects the
 * death it hears of. */
static void *
reader_ptrace(void *arg)
{
	struct race *r = arg;
	unsigned seed = r->seed ^ 0x3333;
	size_t first;
	int cycle, k, sig;

	for (cycle = 0; cycle < PT_CYCLES && !kt_failed; cycle++) {
		if (pt(PTRACE_ATTACH, r->pid, NULL, NULL) != 0) {
			/* dying (Linux: EPERM for a zombie leader) */
			if (errno != ESRCH && errno != EPERM) {
				kt_diag("ATTACH: %s", strerror(errno));
				kt_failed = true;
			}
			break;
		}
		if (waitpid(r->pid, &r->status, 0) != r->pid) {
			kt_diag("waitpid: %s", strerror(errno));
			kt_failed = true;
			break;
		}
		if (!WIFSTOPPED(r->status)) {
			r->reaped = true;	/* died before it stopped */
			break;
		}
		sig = WSTOPSIG(r->status);
		first = (size_t)rand_r(&seed) % (RACE_WORDS - PEEK_BATCH);
		for (k = 0; k < PEEK_BATCH; k++)
			if (race_read(RACE_PEEK, r->pid, -1, first + k, k) < 0)
				break;
		/* a stop by another signal keeps it */
		if (pt(PTRACE_DETACH, r->pid, NULL,
		    (void *)(long)(sig == SIGSTOP ? 0 : sig)) != 0) {
			if (errno == ESRCH)	/* not stopped: dying */
				reader_ptrace_reap(r, "DETACH");
			else {
				kt_diag("DETACH: %s", strerror(errno));
				kt_failed = true;
			}
			break;
		}
	}
	return NULL;
}

/* Fork a race target that ends the way end says after churn threads;
 * return its pid once it is ready, or -1. */
static pid_t
race_target(enum target_end end, long churn)
{
	int ready[2];
	char c;
	pid_t pid;

	if (pipe(ready) != 0)
		return -1;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(ready[0]);
		tgt_end = end;
		tgt_churn = churn;
		tgt_main(ready[1]);
	}
	close(ready[1]);
	if (pid > 0 && read(ready[0], &c, 1) != 1) {
		kt_diag("target %d did not get ready", (int)pid);
		kt_failed = true;
	}
	close(ready[0]);
	return pid;
}

/* One target, the three readers and the canaries; the target's end is
 * checked. */
static void
race_round(unsigned seed)
{
	static const char *const ends[] = { "SIGKILL", "exit from main",
	    "exit from a thread" };
	pid_t canaries[RACE_CANARIES];
	pthread_t t[3];
	struct race r = { .seed = seed, .memfd = -1 };
	char path[64], why[64];
	bool exited;
	int i;

	r.end = (enum target_end)(rand_r(&seed) % END_MODES);
	r.kill_at = (int)(rand_r(&seed) % KILL_MAX);
	r.pid = race_target(r.end, (long)(rand_r(&seed) % CHURN_MAX));
	KT_ASSERT(r.pid > 0);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)r.pid);
	/* a target that ends at once may be gone already (Linux: ESRCH) */
	if ((r.memfd = open(path, O_RDONLY)) < 0 && errno != ESRCH &&
	    errno != ENOENT) {
		kt_diag("open %s: %s", path, strerror(errno));
		kt_failed = true;
	}
	race_canaries_start(canaries, RACE_CANARIES);
	KT_EXPECT_EQ(pthread_create(&t[0], NULL, reader_ptrace, &r), 0);
	KT_EXPECT_EQ(pthread_create(&t[1], NULL, reader_readv, &r), 0);
	if (r.memfd >= 0)
		KT_EXPECT_EQ(pthread_create(&t[2], NULL, reader_mem, &r), 0);
	for (i = 0; i < (r.memfd >= 0 ? 3 : 2); i++)
		pthread_join(t[i], NULL);
	race_canaries_end(canaries, RACE_CANARIES);
	if (!r.reaped) {
		kill(r.pid, SIGKILL);	/* had it not ended yet */
		KT_EXPECT_EQ(waitpid(r.pid, &r.status, 0), r.pid);
	}
	/* an exit_group may not have come before the readers were done */
	exited = WIFEXITED(r.status) && WEXITSTATUS(r.status) == TARGET_EXIT;
	if (!(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGKILL) &&
	    !(exited && r.end != END_SIGKILL)) {
		kt_diag("target (%s) ended with %s", ends[r.end],
		    kt_status_str(r.status, why, sizeof(why)));
		kt_failed = true;
	}
	/* gone: nothing to read any more */
	if (r.memfd >= 0) {
		KT_EXPECT_EQ(lseek(r.memfd, (off_t)(uintptr_t)RACE_VA,
		    SEEK_SET), (off_t)(uintptr_t)RACE_VA);
		KT_EXPECT_EQ(read(r.memfd, path, 8), 0);
		close(r.memfd);
	}
	KT_EXPECT_ERR(pt(PTRACE_ATTACH, r.pid, NULL, NULL), ESRCH);
}

/* The three readers against ROUNDS targets, each ending at a seeded
 * random point in one of the three ways. */
static void
readers_racing_death(void)
{
	int round;

	for (round = 0; round < ROUNDS && !kt_failed; round++)
		race_round((unsigned)kt_seed() * 7919u + (unsigned)round);
}

/* ---- ptrace of a multi-threaded process ---- */

static __thread int got_usr1;	/* SIGUSR1s this thread handled */
static atomic_int sig_bad;	/* threads whose count was wrong */
static atomic_int started;

static void
on_usr1(int sig)
{
	(void)sig;
	got_usr1++;
}

/* Send SIGUSR1 to this thread SIG_ROUNDS times; each must be handled
 * here exactly once. */
static void *
sig_sender(void *arg)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);
	int i;

	for (i = 0; i < SIG_ROUNDS; i++)
		syscall(SYS_tkill, tid, SIGUSR1);
	if (got_usr1 != SIG_ROUNDS) {
		kt_diag("thread %d handled %d SIGUSR1, sent %d", (int)tid,
		    got_usr1, SIG_ROUNDS);
		atomic_fetch_add(&sig_bad, 1);
	}
	return NULL;
}

/* The target of concurrent_signal_stops: traced by its parent, it sends
 * signals to itself from every thread at once. */
static void __attribute__((noreturn))
sig_target(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	pthread_t t[SIG_THREADS];
	int i;

	if (sigaction(SIGUSR1, &sa, NULL) != 0 ||
	    pt(PTRACE_TRACEME, 0, NULL, NULL) != 0)
		_exit(10);
	for (i = 0; i < SIG_THREADS; i++)
		if (pthread_create(&t[i], NULL, sig_sender, NULL) != 0)
			_exit(11);
	sig_sender(NULL);
	for (i = 0; i < SIG_THREADS; i++)
		pthread_join(t[i], NULL);
	exit(atomic_load(&sig_bad) == 0 ? 0 : 12);
}

/* Every thread of a traced process takes signals at once; the tracer
 * passes each stop's signal on. Each signal is handled exactly once by
 * the thread it was sent to (a resumed thread takes the signal its
 * tracer gave it, not another stopping thread's), and no stop is lost
 * (a lost report hangs the tracer). exeunt: every thread's signal stops;
 * Linux: only the traced main thread's. */
static void
concurrent_signal_stops(void)
{
	int status, stops = 0, want;
	char why[64];
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0)
		sig_target();
	KT_ASSERT(pid > 0);
	for (;;) {
		KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
		if (!WIFSTOPPED(status))
			break;
		if (WSTOPSIG(status) != SIGUSR1) {
			kt_diag("unexpected stop: %s",
			    kt_status_str(status, why, sizeof(why)));
			kt_failed = true;
		} else
			stops++;
		KT_EXPECT_EQ(pt(PTRACE_CONT, pid, NULL,
		    (void *)(long)WSTOPSIG(status)), 0);
	}
	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	want = kt_on_exeunt() ? (SIG_THREADS + 1) * SIG_ROUNDS : SIG_ROUNDS;
	KT_EXPECT_EQ(stops, want);
}

/* What a stopped-target case has: a traced child whose threads spin
 * (SPINNERS, on its RACE_VA pages) while its main thread stops with
 * SIGUSR1; helpers wait for a byte on go. */
struct stopped {
	pid_t	pid;
	int	go[2];			/* tracer -> the target's threads */
	int	done[2];		/* the target's threads -> tracer */
};

static struct stopped *tgt_stopped;	/* in the target */

static void *
worker_leaves(void *arg)
{
	char c;

	atomic_fetch_add(&started, 1);
	if (read(tgt_stopped->go[0], &c, 1) != 1)
		_exit(20);
	if (c == 'x')
		_exit(TARGET_EXIT);	/* exit_group from here */
	return NULL;			/* this thread alone */
}

static void *
joiner(void *arg)
{
	pthread_t *w = arg, t;
	int i;

	for (i = 0; i < WORKERS; i++)
		if (pthread_join(w[i], NULL) != 0)
			_exit(21);
	/* and a new thread while the main one is stopped */
	if (pthread_create(&t, NULL, tgt_churn_thread, (void *)-1L) != 0 ||
	    pthread_join(t, NULL) != 0 ||
	    write(tgt_stopped->done[1], "d", 1) != 1)
		_exit(22);
	return NULL;
}

/* The target of the stopped cases. */
static void __attribute__((noreturn))
stopped_target(struct stopped *s)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	pthread_t w[WORKERS], j, t;
	long k;

	tgt_stopped = s;
	if (race_fill(getpid()) != 0 || sigaction(SIGUSR1, &sa, NULL) != 0 ||
	    pt(PTRACE_TRACEME, 0, NULL, NULL) != 0)
		_exit(10);
	for (k = 0; k < SPINNERS; k++)
		if (pthread_create(&t, NULL, tgt_spinner, (void *)k) != 0)
			_exit(11);
	for (k = 0; k < WORKERS; k++)
		if (pthread_create(&w[k], NULL, worker_leaves, NULL) != 0)
			_exit(11);
	if (pthread_create(&j, NULL, joiner, w) != 0)
		_exit(11);
	while (atomic_load(&started) < WORKERS)
		sched_yield();
	syscall(SYS_tkill, (pid_t)syscall(SYS_gettid), SIGUSR1);
	/* resumed: the tracer cancelled the signal */
	pthread_join(j, NULL);
	exit(got_usr1 == 0 ? TARGET_EXIT : 13);
}

/* Fork the stopped target and wait for its stop; false on failure. */
static bool
stopped_start(struct stopped *s)
{
	int status;

	if (pipe(s->go) != 0 || pipe(s->done) != 0)
		return false;
	fflush(stdout);
	if ((s->pid = fork()) == 0)
		stopped_target(s);
	if (!KT_EXPECT(s->pid > 0) ||
	    !KT_EXPECT_EQ(waitpid(s->pid, &status, 0), s->pid) ||
	    !KT_EXPECT(WIFSTOPPED(status) && WSTOPSIG(status) == SIGUSR1))
		return false;
	/* stopped, the others running: its memory is there */
	return KT_EXPECT_EQ(race_read(RACE_PEEK, s->pid, -1, 7, 0), 1);
}

/* Expect s's target to end with status want (a wait status), reported
 * once; close the pipes. */
static void
stopped_end(struct stopped *s, int want)
{
	char why[64], whywant[64];
	int status = -1;

	if (s->pid > 0) {
		if (KT_EXPECT_EQ(waitpid(s->pid, &status, 0), s->pid) &&
		    status != want) {
			kt_diag("target ended with %s, expected %s",
			    kt_status_str(status, why, sizeof(why)),
			    kt_status_str(want, whywant, sizeof(whywant)));
			kt_failed = true;
		}
		if (status != want)
			kill(s->pid, SIGKILL);
		KT_EXPECT_ERR(waitpid(s->pid, &status, WNOHANG), ECHILD);
	}
	close(s->go[0]);
	close(s->go[1]);
	close(s->done[0]);
	close(s->done[1]);
}

/* While the main thread is in its stop, threads exit (one by one, on
 * their own) and a new one comes and goes; then CONT with no signal: the
 * process goes on and ends normally. */
static void
threads_leave_while_stopped(void)
{
	struct stopped s = { -1, { -1, -1 }, { -1, -1 } };
	struct user_regs_struct regs;
	char c;
	int i;

	if (stopped_start(&s)) {
		for (i = 0; i < WORKERS; i++)
			KT_EXPECT_EQ(write(s.go[1], "l", 1), 1);
		KT_EXPECT_EQ(read(s.done[0], &c, 1), 1);
		/* still stopped, still traced */
		KT_EXPECT_EQ(pt(PTRACE_GETREGS, s.pid, NULL, &regs), 0);
		KT_EXPECT_EQ(pt(PTRACE_CONT, s.pid, NULL, NULL), 0);
	}
	stopped_end(&s, EXIT_STATUS(TARGET_EXIT));
}

/* Another thread calls exit (exit_group) while the main thread is in its
 * stop: the process ends with that status, reported to the tracer. */
static void
exit_group_while_stopped(void)
{
	struct stopped s = { -1, { -1, -1 }, { -1, -1 } };

	if (stopped_start(&s))
		KT_EXPECT_EQ(write(s.go[1], "x", 1), 1);
	stopped_end(&s, EXIT_STATUS(TARGET_EXIT));
}

/* SIGKILL while the main thread is stopped and the others spin. */
static void
sigkill_while_stopped(void)
{
	struct stopped s = { -1, { -1, -1 }, { -1, -1 } };

	if (stopped_start(&s))
		KT_EXPECT_EQ(kill(s.pid, SIGKILL), 0);
	stopped_end(&s, SIGKILL);
}

/* The target of attach_multithreaded: spinners on its pages; the main
 * thread waits for a byte, then exits. */
static void __attribute__((noreturn))
attach_target(int ready, int go)
{
	pthread_t t;
	long k;
	char c;

	if (race_fill(getpid()) != 0)
		_exit(3);
	for (k = 0; k < SPINNERS; k++)
		if (pthread_create(&t, NULL, tgt_spinner, (void *)k) != 0)
			_exit(4);
	if (write(ready, "r", 1) != 1)
		_exit(5);
	while (read(go, &c, 1) == -1 && errno == EINTR)
		;
	exit(TARGET_EXIT);
}

/* ATTACH to a process whose threads spin: it stops (SIGSTOP), shows as
 * traced and stopped in /proc, is read and its registers got; DETACH
 * (and SIGCONT, for Linux, whose other threads may be in a group stop)
 * lets it go on, untraced, to its own exit. */
static void
attach_multithreaded(void)
{
	struct user_regs_struct regs;
	int ready[2], go[2], status, k;
	char c, val[64], me[16];
	pid_t pid;

	KT_ASSERT_EQ(pipe(ready), 0);
	KT_ASSERT_EQ(pipe(go), 0);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(ready[0]);
		close(go[1]);
		attach_target(ready[1], go[0]);
	}
	KT_ASSERT(pid > 0);
	close(ready[1]);
	close(go[0]);
	KT_EXPECT_EQ(read(ready[0], &c, 1), 1);
	KT_EXPECT_EQ(pt(PTRACE_ATTACH, pid, NULL, NULL), 0);
	KT_EXPECT_EQ(waitpid(pid, &status, 0), pid);
	if (KT_EXPECT(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP)) {
		snprintf(me, sizeof(me), "%d", (int)getpid());
		KT_EXPECT(kt_status_field(pid, "TracerPid", val, sizeof(val)) &&
		    strcmp(val, me) == 0);
		KT_EXPECT(kt_status_field(pid, "State", val, sizeof(val)) &&
		    val[0] == 't');
		KT_EXPECT_ERR(pt(PTRACE_ATTACH, pid, NULL, NULL), EPERM);
		for (k = 0; k < RACE_PAGES; k++)
			KT_EXPECT_EQ(race_read(RACE_PEEK, pid, -1,
			    k * RACE_PAGE_WORDS + k, k), 1);
		KT_EXPECT_EQ(pt(PTRACE_GETREGS, pid, NULL, &regs), 0);
		KT_EXPECT(regs.rip > 0 && regs.rip < 0x800000000000ul);
		KT_EXPECT_EQ(pt(PTRACE_DETACH, pid, NULL, NULL), 0);
		KT_EXPECT_EQ(kill(pid, SIGCONT), 0);
		KT_EXPECT(kt_status_field(pid, "TracerPid", val, sizeof(val)) &&
		    strcmp(val, "0") == 0);
	}
	KT_EXPECT_EQ(write(go[1], "g", 1), 1);
	KT_EXPECT_EQ(waitpid(pid, &status, 0), pid);
	KT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == TARGET_EXIT);
	close(ready[0]);
	close(go[1]);
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(attach_multithreaded),
	KT_CASE_FORK(concurrent_signal_stops),
	KT_CASE_FORK(threads_leave_while_stopped),
	KT_CASE_FORK(exit_group_while_stopped),
	KT_CASE_FORK(sigkill_while_stopped),
	KT_CASE_FORK(readers_racing_death),
};

int
main(void)
{
	return kt_main("threads_readers", cases, KT_NCASES(cases));
}
