/*
 * stress_readers: readers of another process's memory racing its death
 * or its exec, one worker per CPU (stress.h), while canaries (race.h)
 * map pages, fill them with their own pattern and unmap them, so that a
 * page freed too early is soon reused under a pattern a reader would
 * notice.
 *
 * Each round a worker starts a race.h target (RACE_VA filled with its
 * pattern), reads it READS times at random words and pages, and at a
 * random read in the first half kills it (SIGKILL) or makes it exec;
 * CANARIES canaries run all the while. Every read must give the target's
 * own words or an error (the errnos Linux gives a reader of a dying or
 * re-executed process), never a canary's word, another target's, or the
 * kernel's freed-page poison (race_check says which it saw).
 *
 *  - peek_racing_exit: PTRACE_PEEKDATA by the tracer of a stopped target
 *    (ESRCH, EIO once it is going);
 *  - readv_racing_exit: process_vm_readv of a page (ESRCH, EFAULT);
 *  - procmem_racing_exit: /proc/<pid>/mem opened before the kill (end of
 *    file, EIO, ESRCH);
 *  - procfiles_racing_exit: /proc/<pid>/cmdline and maps opened and read
 *    whole each time (ENOENT, ESRCH; an empty file);
 *  - readers_racing_exec: readv, mem or the files, at random per round,
 *    against a target that execs midway (afterwards nothing is mapped at
 *    RACE_VA: EFAULT, EIO, end of file).
 */
#include <fcntl.h>

#include "ktest.h"
#include "race.h"
#include "stress.h"

#define READS		200		/* reads per round */
#define CANARIES	2
#define FILEBUF		16384

/* A worker's reader: race.h's three, or the files. */
enum reader {
	RD_PEEK = RACE_PEEK, RD_READV = RACE_READV, RD_MEM = RACE_MEM,
	RD_FILES,
	RD_ANY			/* READV, MEM or FILES, chosen per round */
};

static const char *self;
static char mycmdline[512];		/* /proc/self/cmdline at start */
static ssize_t mycmdlen;

/* An unexpected errno of reader what: report it; return false. */
static bool
bad_errno(const char *what, size_t i)
{
	kt_diag("%s, read %zu: %s", what, i, strerror(errno));
	kt_failed = true;
	return false;
}

/* Return whether cmdline (n bytes) is the target's argv: ours, or the
 * image it execs (argv {self, RACE_EXEC_ARG}). */
static bool
cmdline_ok(const char *buf, ssize_t n)
{
	size_t len = strlen(self) + 1;

	if (n == mycmdlen && memcmp(buf, mycmdline, n) == 0)
		return true;
	return (size_t)n == len + sizeof(RACE_EXEC_ARG) &&
	    memcmp(buf, self, len) == 0 &&
	    strcmp(buf + len, RACE_EXEC_ARG) == 0;
}

/* Return whether every line of a maps file is "start-end perms ...". */
static bool
maps_ok(const char *buf)
{
	unsigned long start, end;
	char perms[8];
	const char *p;

	for (p = buf; *p != '\0'; p = strchr(p, '\n') + 1) {
		if (strchr(p, '\n') == NULL ||
		    sscanf(p, "%lx-%lx %7s", &start, &end, perms) != 3 ||
		    start >= end || strlen(perms) != 4)
			return false;
	}
	return true;
}

/* /proc/<pid>/cmdline or maps (by i), read whole; false on a wrong file
 * or errno. */
static bool
read_files(pid_t pid, size_t i)
{
	static char buf[FILEBUF];
	const char *file = i % 2 ? "maps" : "cmdline";
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if ((n = kt_slurp(path, buf, sizeof(buf))) < 0)
		return errno == ENOENT || errno == ESRCH || bad_errno(file, i);
	if (n == 0 || (i % 2 ? maps_ok(buf) : cmdline_ok(buf, n)))
		return true;
	kt_diag("%s of target %d, read %zu: not the target's (%zd bytes)",
	    file, (int)pid, i, n);
	kt_failed = true;
	return false;
}

/* One read by rd of t (word w, read number i); false on a failure. */
static bool
reader_read(enum reader rd, pid_t pid, int fd, size_t w, size_t i)
{
	if (rd == RD_FILES)
		return read_files(pid, i);
	return race_read((enum race_reader)rd, pid, fd, w, i) >= 0;
}

/* One round: a target (stopped for its tracer when rd is RD_PEEK); READS
 * reads by rd, the target killed or exec'd (mode) at a random one of the
 * first half; then the target is reaped. */
static void
reader_round(enum reader rd, enum race_mode mode, uint64_t *rng)
{
	struct race_target t;
	size_t i, event = READS / 8 + stress_below(rng, READS * 3 / 8);
	char path[64];
	int status, fd = -1;

	t = race_target_start(rd == RD_PEEK ? RACE_STOP : mode, self);
	if (t.pid <= 0) {
		kt_diag("target: fork: %s", strerror(errno));
		kt_failed = true;
		return;
	}
	if (rd == RD_PEEK && (waitpid(t.pid, &status, 0) != t.pid ||
	    !WIFSTOPPED(status))) {
		kt_diag("target %d did not stop for its tracer", (int)t.pid);
		kt_failed = true;
	}
	if (rd == RD_MEM) {
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)t.pid);
		if ((fd = open(path, O_RDONLY)) < 0) {
			kt_diag("open %s: %s", path, strerror(errno));
			kt_failed = true;
		}
	}
	for (i = 0; i < READS && !kt_failed; i++) {
		if (i == event && mode == RACE_EXEC)
			KT_EXPECT_EQ(write(t.go, "g", 1), 1);
		else if (i == event)
			kill(t.pid, SIGKILL);
		if (!reader_read(rd, t.pid, fd, stress_below(rng, RACE_WORDS),
		    i))
			break;
	}
	status = race_target_end(&t);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
		kt_diag("target %d did not die by SIGKILL (status %#x)",
		    (int)t.pid, status);
		kt_failed = true;
	}
	if (fd >= 0)
		close(fd);
}

/* The reader of the running case's workers, and the target's fate. */
static enum reader case_reader;
static enum race_mode case_mode;

/* One worker: rounds of reader_round. */
static void
readers_worker(uint64_t *rng)
{
	int rounds = stress_rounds(2), round;
	enum reader rd;

	for (round = 0; stress_more(round, rounds); round++) {
		rd = case_reader;
		if (rd == RD_ANY)
			rd = (enum reader)(RD_READV + stress_below(rng, 3));
		reader_round(rd, case_mode, rng);
	}
}

/* Run a case: every worker reads by rd, targets die as mode says. */
static void
readers_case(enum reader rd, enum race_mode mode)
{
	case_reader = rd;
	case_mode = mode;
	stress_begin();
	stress_workers(readers_worker, CANARIES);
}

static void
peek_racing_exit(void)
{
	readers_case(RD_PEEK, RACE_SLEEP);
}

static void
readv_racing_exit(void)
{
	readers_case(RD_READV, RACE_SLEEP);
}

static void
procmem_racing_exit(void)
{
	readers_case(RD_MEM, RACE_SLEEP);
}

static void
procfiles_racing_exit(void)
{
	readers_case(RD_FILES, RACE_SLEEP);
}

static void
readers_racing_exec(void)
{
	readers_case(RD_ANY, RACE_EXEC);
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(peek_racing_exit),
	KT_CASE_FORK(readv_racing_exit),
	KT_CASE_FORK(procmem_racing_exit),
	KT_CASE_FORK(procfiles_racing_exit),
	KT_CASE_FORK(readers_racing_exec),
};

int
main(int argc, char **argv)
{
	char path[64];

	race_exec_image(argc, argv);
	self = kt_self_path(argv[0]);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)getpid());
	mycmdlen = kt_slurp(path, mycmdline, sizeof(mycmdline));
	return kt_main("stress_readers", cases, KT_NCASES(cases));
}
