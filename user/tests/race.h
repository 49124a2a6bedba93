/*
 * race.h: helpers of the reader-race tests (ptrace.c, stress_ptrace.c,
 * process_vm.c, proc_readers.c, stress_readers.c, threads_readers.c),
 * header only, on top of ktest.h.
 *
 * A target is a forked child that maps RACE_PAGES pages at the fixed
 * address RACE_VA and fills word i with race_word(its pid, i); a reader
 * racing its exit (or exec) must see exactly those words or an error,
 * never a word of another process nor the kernel's free-page poison.
 * Canaries are processes that meanwhile map, fill with their own pattern,
 * check and unmap pages, from before the reads start until after they
 * end, so that a page freed too early is soon reused with a pattern a
 * reader would notice (and a canary notices a page written behind its
 * back). A reader reads through one of the three
 * ways into another process's memory (race_read), checking each word.
 * Every loop is bounded by a count.
 */
#ifndef _USER_RACE_H_
#define _USER_RACE_H_

#include <stdint.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "ktest.h"

#define RACE_VA		((void *)0x3e0000000000ul)	/* unused by both images */
#define RACE_PAGES	8
#define RACE_PAGE_WORDS	(4096 / 8)
#define RACE_WORDS	(RACE_PAGES * RACE_PAGE_WORDS)
#define RACE_POISON	0xd5d5d5d5d5d5d5d5ul		/* exeunt's freed pages */
#define RACE_CANARIES	2
#define RACE_CANARY_ROUNDS 8		/* rounds a canary makes at least */
#define RACE_CANARY_MAX_ROUNDS 100000	/* and at most */
#define RACE_EXEC_ARG	"race-exec-image"		/* argv[1] after exec */

/* What a target does once its memory is filled and the parent read the
 * ready byte. */
enum race_mode {
	RACE_SLEEP,	/* sleep until killed */
	RACE_STOP,	/* PTRACE_TRACEME, stop with SIGSTOP, then sleep */
	RACE_EXEC,	/* on a byte from the go pipe: exec RACE_EXEC_ARG */
};

/* The ways a reader reads a target's memory (race_read). */
enum race_reader {
	RACE_PEEK,	/* PTRACE_PEEKDATA, a word; the reader traces it */
	RACE_READV,	/* process_vm_readv, a page */
	RACE_MEM,	/* a read of its /proc/<pid>/mem, a page */
};

struct race_target {
	pid_t	pid;
	int	go;		/* write end of the go pipe (RACE_EXEC) */
};

/* Word i of pid's pattern. */
static inline uint64_t
race_word(pid_t pid, size_t i)
{
	return (uint64_t)pid << 32 | 0x7a000000u | (uint32_t)(i & 0xffffff);
}

/* Word i of canary pid's pattern. */
static inline uint64_t
race_canary_word(pid_t pid, size_t i)
{
	return (uint64_t)pid << 32 | 0x3c000000u | (uint32_t)(i & 0xffffff);
}

/* Map RACE_VA and fill it with pid's pattern; 0 or -1. */
static inline int
race_fill(pid_t pid)
{
	uint64_t *w = mmap(RACE_VA, RACE_PAGES * 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	size_t i;

	if (w != RACE_VA)
		return -1;
	for (i = 0; i < RACE_WORDS; i++)
		w[i] = race_word(pid, i);
	return 0;
}

/* Check n words read from target's RACE_VA starting at word first: each
 * must be target's; report the first that is not. Return whether all
 * were. */
static inline bool
race_check(pid_t target, const uint64_t *w, size_t n, size_t first,
    const char *reader)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (w[i] == race_word(target, first + i))
			continue;
		kt_diag("%s: word %zu of target %d is %#lx, expected %#lx%s",
		    reader, first + i, (int)target, (unsigned long)w[i],
		    (unsigned long)race_word(target, first + i),
		    w[i] == RACE_POISON ? " (freed-page poison)" :
		    (w[i] & 0xff000000u) == 0x3c000000u ? " (a canary's page)" :
		    (w[i] & 0xff000000u) == 0x7a000000u ? " (another target's)" : "");
		kt_failed = true;
		return false;
	}
	return true;
}

/* Read through rd what pid has at RACE_VA: word w (RACE_PEEK), or the
 * page that holds it (fd: pid's /proc/<pid>/mem for RACE_MEM), and check
 * the words (race_check). Return 1 if they are pid's, 0 if the reader
 * found nothing there as it does in a target gone or going (an errno of
 * ESRCH, EIO, EFAULT by reader, or end of file), or -1 with the case
 * failed on a wrong word or another error (of read number i). */
static inline int
race_read(enum race_reader rd, pid_t pid, int fd, size_t w, size_t i)
{
	static const char *const name[] = { "PTRACE_PEEKDATA",
	    "process_vm_readv", "/proc/pid/mem" };
	uint64_t buf[RACE_PAGE_WORDS];
	size_t first = w & ~(size_t)(RACE_PAGE_WORDS - 1);
	struct iovec l = { buf, sizeof(buf) };
	struct iovec r = { (uint64_t *)RACE_VA + first, sizeof(buf) };
	ssize_t n;

	if (rd == RACE_PEEK) {
		first = w;
		n = syscall(SYS_ptrace, PTRACE_PEEKDATA, pid,
		    (uint64_t *)RACE_VA + w, buf) == 0 ? 8 : -1;
	} else if (rd == RACE_READV)
		n = syscall(SYS_process_vm_readv, pid, &l, 1ul, &r, 1ul, 0ul);
	else if (lseek(fd, (off_t)(uintptr_t)r.iov_base, SEEK_SET) < 0) {
		kt_diag("%s, read %zu: lseek: %s", name[rd], i,
		    strerror(errno));
		kt_failed = true;
		return -1;
	} else
		n = read(fd, buf, sizeof(buf));
	if (n > 0)
		return race_check(pid, buf, (size_t)n / 8, first, name[rd]) ?
		    1 : -1;
	if (n == 0 || errno == ESRCH || (rd != RACE_READV && errno == EIO) ||
	    (rd == RACE_READV && errno == EFAULT))
		return 0;
	kt_diag("%s, read %zu: %s", name[rd], i, strerror(errno));
	kt_failed = true;
	return -1;
}

/* Fork a target in mode; return it with pid -1 on failure. The caller
 * kills and reaps it (race_target_end). */
static inline struct race_target
race_target_start(enum race_mode mode, const char *self)
{
	struct race_target t = { -1, -1 };
	int ready[2], go[2];
	char c = 0;

	if (pipe(ready) != 0)
		return t;
	if (pipe(go) != 0) {
		close(ready[0]);
		close(ready[1]);
		return t;
	}
	fflush(stdout);
	t.pid = fork();
	if (t.pid == 0) {
		close(ready[0]);
		close(go[1]);
		if (race_fill(getpid()) != 0)
			_exit(3);
		if (mode == RACE_STOP && ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
			_exit(4);
		if (write(ready[1], &c, 1) != 1)
			_exit(5);
		if (mode == RACE_STOP)
			raise(SIGSTOP);
		if (mode == RACE_EXEC) {
			char *argv[] = { (char *)self, RACE_EXEC_ARG, NULL };

			while (read(go[0], &c, 1) == -1 && errno == EINTR)
				;
			execv(self, argv);
			_exit(6);
		}
		kt_sleep_forever();
	}
	close(ready[1]);
	close(go[0]);
	if (t.pid > 0 && read(ready[0], &c, 1) != 1)
		kt_diag("target %d did not get ready", (int)t.pid);
	close(ready[0]);
	t.go = go[1];
	return t;
}

/* Kill t (if still there) and reap it; return its wait status (-1 for
 * a target that never started: never kill(-1)). */
static inline int
race_target_end(struct race_target *t)
{
	int status = -1;

	if (t->pid <= 0)
		return -1;
	kill(t->pid, SIGKILL);
	if (waitpid(t->pid, &status, 0) != t->pid)
		kt_diag("waitpid target %d: %s", (int)t->pid, strerror(errno));
	close(t->go);
	return status;
}

/* The canaries' stop flag, on a page shared with them (MAP_SHARED). */
static volatile int *race_canary_stop;

/* A canary's life: map 16 pages, fill them with its pattern, check them
 * and unmap them, at least RACE_CANARY_ROUNDS times and then until the
 * stop flag is set or parent is gone (at most RACE_CANARY_MAX_ROUNDS).
 * Exits 0, or 2 on a word that is not its own. */
static inline void __attribute__((noreturn))
race_canary(pid_t parent)
{
	pid_t self = getpid();
	uint64_t *w;
	size_t i;
	int r;

	for (r = 0; r < RACE_CANARY_MAX_ROUNDS && (r < RACE_CANARY_ROUNDS ||
	    (!__atomic_load_n(race_canary_stop, __ATOMIC_RELAXED) &&
	    getppid() == parent)); r++) {
		w = mmap(NULL, 16 * 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (w == MAP_FAILED)
			_exit(1);
		for (i = 0; i < 16 * 4096 / 8; i++)
			w[i] = race_canary_word(self, i);
		for (i = 0; i < 16 * 4096 / 8; i++)
			if (w[i] != race_canary_word(self, i))
				_exit(2);
		munmap(w, 16 * 4096);
	}
	_exit(0);
}

/* Start n canaries (race_canary), which run until race_canaries_end. */
static inline void
race_canaries_start(pid_t *pids, int n)
{
	pid_t parent = getpid();
	void *page;
	int k;

	if (race_canary_stop == NULL) {
		page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (page == MAP_FAILED) {
			for (k = 0; k < n; k++)
				pids[k] = -1;
			return;
		}
		race_canary_stop = page;
	}
	__atomic_store_n(race_canary_stop, 0, __ATOMIC_RELAXED);
	for (k = 0; k < n; k++) {
		fflush(stdout);
		if ((pids[k] = fork()) == 0)
			race_canary(parent);
	}
}

/* Stop and reap the canaries; each must have exited 0. */
static inline void
race_canaries_end(pid_t *pids, int n)
{
	int k, status;

	if (race_canary_stop != NULL)
		__atomic_store_n(race_canary_stop, 1, __ATOMIC_RELAXED);
	for (k = 0; k < n; k++) {
		if (pids[k] <= 0) {
			kt_diag("canary %d: fork or its stop page failed", k);
			kt_failed = true;
			continue;
		}
		if (waitpid(pids[k], &status, 0) != pids[k] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			kt_diag("canary %d did not exit 0 (status %#x)",
			    (int)pids[k], status);
			kt_failed = true;
		}
	}
}

/* Race reads through rd against the end of a target started in mode:
 * with canaries running, read page i % RACE_PAGES of it for i < loops
 * (RACE_MEM: through its /proc/<pid>/mem, opened first) until a read
 * fails the case, killing the target (RACE_SLEEP) or making it exec
 * (RACE_EXEC) at read loops / 4; then end and reap it. Return its pid,
 * or -1 with the case failed; for RACE_MEM leave the mem file open in
 * *memfd (else it may be NULL), for the checks of a process gone. */
static inline pid_t
race_reads(enum race_reader rd, enum race_mode mode, size_t loops,
    const char *self, int *memfd)
{
	struct race_target t = race_target_start(mode, self);
	pid_t canaries[RACE_CANARIES];
	char path[64];
	int fd = -1;
	size_t i;

	if (!KT_EXPECT(t.pid > 0))
		return -1;
	if (rd == RACE_MEM) {
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)t.pid);
		if (!KT_EXPECT((fd = open(path, O_RDONLY)) >= 0)) {
			race_target_end(&t);
			return -1;
		}
		*memfd = fd;
	}
	race_canaries_start(canaries, RACE_CANARIES);
	for (i = 0; i < loops; i++) {
		if (i == loops / 4 && mode == RACE_EXEC)
			KT_EXPECT_EQ(write(t.go, "g", 1), 1);
		else if (i == loops / 4)
			kill(t.pid, SIGKILL);
		if (race_read(rd, t.pid, fd, i % RACE_PAGES * RACE_PAGE_WORDS,
		    i) < 0)
			break;
	}
	race_canaries_end(canaries, RACE_CANARIES);
	race_target_end(&t);
	return t.pid;
}

/* main's first step in a test that runs RACE_EXEC targets: the image a
 * target execs sleeps until killed. */
static inline void
race_exec_image(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], RACE_EXEC_ARG) == 0)
		kt_sleep_forever();
}

#endif
