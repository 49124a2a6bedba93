/*
 * race.h: helpers of the reader-race tests (ptrace.c, process_vm.c,
 * proc_readers.c), header only, on top of ktest.h.
 *
 * A target is a forked child that maps RACE_PAGES pages at the fixed
 * address RACE_VA and fills word i with race_word(its pid, i); a reader
 * racing its exit (or exec) must see exactly those words or an error,
 * never a word of another process nor the kernel's free-page poison.
 * Canaries are processes that meanwhile map, fill with their own pattern
 * and unmap pages, so that a page freed too early is soon reused with a
 * pattern a reader would notice. Every loop is bounded by a count.
 */
#ifndef _USER_RACE_H_
#define _USER_RACE_H_

#include <stdint.h>
#include <sys/mman.h>
#include <sys/ptrace.h>

#include "ktest.h"

#define RACE_VA		((void *)0x3e0000000000ul)	/* unused by both images */
#define RACE_PAGES	8
#define RACE_WORDS	(RACE_PAGES * 4096 / 8)
#define RACE_POISON	0xd5d5d5d5d5d5d5d5ul		/* exeunt's freed pages */
#define RACE_CANARIES	2
#define RACE_CANARY_ROUNDS 200
#define RACE_EXEC_ARG	"race-exec-image"		/* argv[1] after exec */

/* What a target does once its memory is filled and the parent read the
 * ready byte. */
enum race_mode {
	RACE_SLEEP,	/* sleep until killed */
	RACE_STOP,	/* PTRACE_TRACEME, stop with SIGSTOP, then sleep */
	RACE_EXEC,	/* on a byte from the go pipe: exec RACE_EXEC_ARG */
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

/* Start n canaries: each maps, fills with its pattern and unmaps 16 pages
 * RACE_CANARY_ROUNDS times, then exits 0. */
static inline void
race_canaries_start(pid_t *pids, int n)
{
	int k, r;
	size_t i;

	for (k = 0; k < n; k++) {
		fflush(stdout);
		if ((pids[k] = fork()) != 0)
			continue;
		for (r = 0; r < RACE_CANARY_ROUNDS; r++) {
			uint64_t *w = mmap(NULL, 16 * 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (w == MAP_FAILED)
				_exit(1);
			for (i = 0; i < 16 * 4096 / 8; i++)
				w[i] = race_canary_word(getpid(), i);
			munmap(w, 16 * 4096);
		}
		_exit(0);
	}
}

/* Reap the canaries; each must have exited 0. */
static inline void
race_canaries_end(pid_t *pids, int n)
{
	int k, status;

	for (k = 0; k < n; k++) {
		if (pids[k] <= 0) {
			kt_diag("canary %d: fork failed", k);
			kt_failed = true;
			continue;
		}
		if (waitpid(pids[k], &status, 0) != pids[k] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			kt_diag("canary %d did not exit 0", (int)pids[k]);
			kt_failed = true;
		}
	}
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
