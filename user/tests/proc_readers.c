/*
 * proc_readers: /proc/<pid>/cmdline (the target's live argv memory),
 * /proc/<pid>/maps (one line per mapping, Linux's format) and
 * /proc/<pid>/mem (reads and writes at the file offset, EIO where nothing
 * is mapped), and each of them racing the target's exit, /proc/<pid>/mem
 * also its exec, while canaries recycle pages: a reader sees valid
 * contents, an empty file or an error (ENOENT, ESRCH, EIO; end of file
 * for mem once the target is gone), never another process's memory.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>

#include "ktest.h"
#include "race.h"

#define RACE_LOOPS	600		/* reads per race round */
#define RACE_ROUNDS	3
#define PAGE		4096

static const char *self;
static char mycmdline[512];		/* our /proc/<pid>/cmdline at start */
static ssize_t mycmdlen;

/* Read a /proc file of pid into buf; return its length or -1. */
static ssize_t
slurp_pid(pid_t pid, const char *file, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return kt_slurp(path, buf, size);
}

/* In the target of cmdline_live: change argv[0]'s first byte, tell. */
static char *target_argv0;

/* cmdline is the target's argv, read from its memory: a change the
 * target makes to its argv shows. */
static void
cmdline_live(void)
{
	char buf[512];
	int ready[2], status;
	ssize_t n;
	pid_t pid;

	KT_ASSERT(mycmdlen > 0);
	KT_ASSERT_EQ(pipe(ready), 0);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		target_argv0[0] = 'X';
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		kt_sleep_forever();
	}
	KT_ASSERT(pid > 0);
	KT_EXPECT_EQ(read(ready[0], buf, 1), 1);
	n = slurp_pid(pid, "cmdline", buf, sizeof(buf));
	KT_EXPECT_EQ(n, mycmdlen);
	KT_EXPECT_EQ(buf[0], 'X');
	KT_EXPECT(n == mycmdlen && memcmp(buf + 1, mycmdline + 1, n - 1) == 0);
	kill(pid, SIGKILL);
	KT_EXPECT_EQ(waitpid(pid, &status, 0), pid);
	close(ready[0]);
	close(ready[1]);
}

/* True if line (without its newline) is a maps line of Linux's format
 * (range, permissions, offset, device, inode, an optional name); its
 * range in *start, *end. */
static bool
maps_line_ok(const char *line, unsigned long *start, unsigned long *end)
{
	unsigned long off, inode;
	unsigned int major, minor;
	char perms[5];
	int pos = 0;

	if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu%n", start, end, perms,
	    &off, &major, &minor, &inode, &pos) != 7 || pos == 0 ||
	    *start >= *end || (*start & 4095) || (*end & 4095) ||
	    strlen(perms) != 4)
		return false;
	return strspn(perms, "r-") >= 1 && strchr("w-", perms[1]) &&
	    strchr("x-", perms[2]) && strchr("ps", perms[3]);
}

/* Check a maps text: every line well formed, in address order; return
 * whether the line "want" (a prefix) is among them. */
static bool
maps_check(char *text, const char *want, bool *found)
{
	unsigned long start, end, last = 0;
	char *line, *save = NULL;

	*found = false;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (!maps_line_ok(line, &start, &end) || start < last) {
			kt_diag("bad maps line: %s", line);
			kt_failed = true;
			return false;
		}
		last = end;
		if (want != NULL && strncmp(line, want, strlen(want)) == 0)
			*found = true;
	}
	return true;
}

/* maps lists the target's mappings with their protection. */
static void
maps_lists_mappings(void)
{
	struct race_target t = race_target_start(RACE_SLEEP, self);
	static char buf[65536];
	char want[96], ro[96];
	void *mine = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0);
	bool found;

	KT_ASSERT(t.pid > 0 && mine != MAP_FAILED);
	snprintf(want, sizeof(want), "%lx-%lx rw-p 00000000 00:00 0",
	    (unsigned long)RACE_VA, (unsigned long)RACE_VA + RACE_PAGES * PAGE);
	KT_EXPECT(slurp_pid(t.pid, "maps", buf, sizeof(buf)) > 0);
	KT_EXPECT(maps_check(buf, want, &found) && found);
	/* our own read-only mapping */
	snprintf(ro, sizeof(ro), "%lx-%lx r--p 00000000 00:00 0",
	    (unsigned long)mine, (unsigned long)mine + 2 * PAGE);
	KT_EXPECT(slurp_pid(getpid(), "maps", buf, sizeof(buf)) > 0);
	KT_EXPECT(maps_check(buf, ro, &found) && found);
	munmap(mine, 2 * PAGE);
	race_target_end(&t);
}

/* mem reads and writes at the offset; EIO where nothing is mapped. */
static void
mem_read_write(void)
{
	struct race_target t = race_target_start(RACE_SLEEP, self);
	uint64_t w[4], poke = 0x5151515151515151ul;
	char path[64];
	int fd;

	KT_ASSERT(t.pid > 0);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)t.pid);
	fd = open(path, O_RDWR);
	KT_ASSERT(fd >= 0);
	KT_EXPECT_EQ(lseek(fd, (off_t)(uintptr_t)RACE_VA + 80, SEEK_SET),
	    (off_t)(uintptr_t)RACE_VA + 80);
	KT_EXPECT_EQ(read(fd, w, sizeof(w)), sizeof(w));
	race_check(t.pid, w, 4, 10, "mem read");
	KT_EXPECT_EQ(lseek(fd, (off_t)(uintptr_t)RACE_VA, SEEK_SET),
	    (off_t)(uintptr_t)RACE_VA);
	KT_EXPECT_EQ(write(fd, &poke, sizeof(poke)), sizeof(poke));
	KT_EXPECT_EQ(lseek(fd, (off_t)(uintptr_t)RACE_VA, SEEK_SET),
	    (off_t)(uintptr_t)RACE_VA);
	KT_EXPECT_EQ(read(fd, w, 16), 16);
	KT_EXPECT_EQ(w[0], poke);
	race_check(t.pid, w + 1, 1, 1, "mem read after write");
	KT_EXPECT_EQ(lseek(fd, 4096, SEEK_SET), 4096);	/* nothing there */
	KT_EXPECT_ERR(read(fd, w, 8), EIO);
	close(fd);
	race_target_end(&t);
}

/* mem in a loop while the target exits (mode RACE_SLEEP, killed) or
 * execs (RACE_EXEC) midway. */
static void
mem_race(enum race_mode mode)
{
	uint64_t w;
	int round, fd;

	for (round = 0; round < RACE_ROUNDS && !kt_failed; round++) {
		KT_ASSERT(race_reads(RACE_MEM, mode, RACE_LOOPS, self, &fd) > 0);
		/* gone: end of file */
		KT_EXPECT_EQ(lseek(fd, (off_t)(uintptr_t)RACE_VA, SEEK_SET),
		    (off_t)(uintptr_t)RACE_VA);
		KT_EXPECT_EQ(read(fd, &w, sizeof(w)), 0);
		close(fd);
	}
}

static void
mem_racing_exit(void)
{
	mem_race(RACE_SLEEP);
}

static void
mem_racing_exec(void)
{
	mem_race(RACE_EXEC);
}

/* cmdline and maps opened and read in a loop while the target is killed
 * midway: each is the full argv and well-formed lines, or empty, or
 * ENOENT/ESRCH (the process is gone). */
static void
cmdline_maps_racing_exit(void)
{
	static char buf[65536];
	pid_t canaries[RACE_CANARIES];
	struct race_target t;
	bool found;
	ssize_t n;
	size_t i;
	int round;

	for (round = 0; round < RACE_ROUNDS && !kt_failed; round++) {
		t = race_target_start(RACE_SLEEP, self);
		KT_ASSERT(t.pid > 0);
		race_canaries_start(canaries, RACE_CANARIES);
		for (i = 0; i < RACE_LOOPS && !kt_failed; i++) {
			if (i == RACE_LOOPS / 4)
				kill(t.pid, SIGKILL);
			n = slurp_pid(t.pid, i % 2 ? "maps" : "cmdline", buf,
			    sizeof(buf));
			if (n < 0 && errno != ENOENT && errno != ESRCH) {
				kt_diag("%s %zu: %s", i % 2 ? "maps" : "cmdline",
				    i, strerror(errno));
				kt_failed = true;
			} else if (n > 0 && i % 2)
				maps_check(buf, NULL, &found);
			else if (n > 0 && (n != mycmdlen ||
			    memcmp(buf, mycmdline, n) != 0)) {
				kt_diag("cmdline %zu: %zd bytes, not ours", i, n);
				kt_failed = true;
			}
		}
		race_canaries_end(canaries, RACE_CANARIES);
		race_target_end(&t);
		KT_EXPECT_ERR(slurp_pid(t.pid, "maps", buf, sizeof(buf)), ENOENT);
	}
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(cmdline_live),
	KT_CASE_FORK(maps_lists_mappings),
	KT_CASE_FORK(mem_read_write),
	KT_CASE_FORK(mem_racing_exit),
	KT_CASE_FORK(mem_racing_exec),
	KT_CASE_FORK(cmdline_maps_racing_exit),
};

int
main(int argc, char **argv)
{
	race_exec_image(argc, argv);
	self = kt_self_path(argv[0]);
	target_argv0 = argv[0];
	mycmdlen = slurp_pid(getpid(), "cmdline", mycmdline, sizeof(mycmdline));
	return kt_main("proc_readers", cases, KT_NCASES(cases));
}
