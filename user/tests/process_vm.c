/*
 * process_vm: process_vm_readv and process_vm_writev with Linux's
 * semantics: scattered local and remote iovecs, partial transfers (the
 * bytes done, stopping at the first remote piece that fails; an error
 * only when nothing moved), the current protection respected (unlike
 * ptrace), the errnos (EINVAL, ESRCH, EFAULT, EPERM), and reads racing
 * the target's exit and its exec while canaries recycle pages: a read
 * sees the target's words or an error, never another process's memory.
 */
#define _GNU_SOURCE		/* process_vm_readv, process_vm_writev */
#include <stdint.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "ktest.h"
#include "race.h"

#define RACE_LOOPS	1500		/* reads per race round */
#define RACE_ROUNDS	3
#define PAGE		4096

static const char *self;

/* Scattered reads and writes of a sleeping target. */
static void
scatter_gather(void)
{
	struct race_target t = race_target_start(RACE_SLEEP, self);
	uint64_t a[4], b[8], w[2] = { 0xabcdef, 0x123456 };
	uint64_t *r = RACE_VA;
	struct iovec local[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct iovec remote[3] = {
		{ r + 10, 2 * 8 }, { r + 100, 6 * 8 }, { r + 500, 4 * 8 },
	};
	struct iovec lw = { w, sizeof(w) }, rw = { r + 101, sizeof(w) };

	KT_ASSERT(t.pid > 0);
	KT_EXPECT_EQ(process_vm_readv(t.pid, local, 2, remote, 3, 0),
	    sizeof(a) + sizeof(b));
	race_check(t.pid, a, 2, 10, "readv");
	race_check(t.pid, a + 2, 2, 100, "readv");
	race_check(t.pid, b, 4, 102, "readv");
	race_check(t.pid, b + 4, 4, 500, "readv");

	KT_EXPECT_EQ(process_vm_writev(t.pid, &lw, 1, &rw, 1, 0), sizeof(w));
	KT_EXPECT_EQ(process_vm_readv(t.pid, local, 1, remote + 1, 1, 0), 32);
	KT_EXPECT_EQ(a[1], 0xabcdef);
	KT_EXPECT_EQ(a[2], 0x123456);
	race_check(t.pid, a, 1, 100, "readv after writev");
	race_target_end(&t);
}

/* IOV_MAX (1024) iovecs of one byte each; 1025 is EINVAL. */
static void
iov_max(void)
{
	static struct iovec local[1025];
	static unsigned char bytes[1025];
	struct race_target t = race_target_start(RACE_SLEEP, self);
	struct iovec remote = { RACE_VA, 1024 };
	size_t i;

	KT_ASSERT(t.pid > 0);
	for (i = 0; i < 1025; i++)
		local[i] = (struct iovec){ &bytes[i], 1 };
	KT_EXPECT_EQ(process_vm_readv(t.pid, local, 1024, &remote, 1, 0), 1024);
	KT_EXPECT_EQ(bytes[0], race_word(t.pid, 0) & 0xff);
	KT_EXPECT_EQ(bytes[8], race_word(t.pid, 1) & 0xff);
	KT_EXPECT_ERR(process_vm_readv(t.pid, local, 1025, &remote, 1, 0),
	    EINVAL);
	KT_EXPECT_ERR(process_vm_readv(t.pid, local, 1, local, 1025, 0), EINVAL);
	race_target_end(&t);
}

/* Partial transfers and the current protection. */
static void
partial_and_protection(void)
{
	struct race_target t = race_target_start(RACE_SLEEP, self);
	char *end = (char *)RACE_VA + RACE_PAGES * PAGE;
	static char buf[3 * PAGE];
	struct iovec l = { buf, sizeof(buf) };
	struct iovec r2[2] = { { (char *)RACE_VA, 64 }, { end, 64 } };
	struct iovec r = { end - 100, 200 };
	void *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	struct iovec rro = { ro, 8 }, lro = { buf, 8 };

	KT_ASSERT(t.pid > 0 && ro != MAP_FAILED);
	/* across the end of the mapping: the bytes before it */
	KT_EXPECT_EQ(process_vm_readv(t.pid, &l, 1, &r, 1, 0), 100);
	/* the second remote piece fails: the first one's bytes */
	KT_EXPECT_EQ(process_vm_readv(t.pid, &l, 1, r2, 2, 0), 64);
	/* nothing at all: EFAULT */
	r = (struct iovec){ end, 8 };
	KT_EXPECT_ERR(process_vm_readv(t.pid, &l, 1, &r, 1, 0), EFAULT);
	/* our own read-only page: no writing there (a debugger could) */
	KT_EXPECT_ERR(process_vm_writev(getpid(), &lro, 1, &rro, 1, 0), EFAULT);
	KT_EXPECT_EQ(process_vm_readv(getpid(), &lro, 1, &rro, 1, 0), 8);
	munmap(ro, PAGE);
	race_target_end(&t);
}

/* In a child of another uid: read a root process. */
static void
other_uid_child(void *target)
{
	char c;
	struct iovec l = { &c, 1 }, r = { RACE_VA, 1 };

	if (setuid(65534) != 0)
		_exit(20);
	_exit(process_vm_readv(*(pid_t *)target, &l, 1, &r, 1, 0) == -1 &&
	    errno == EPERM ? 0 : 21);
}

/* EINVAL (flags, a negative length), ESRCH (no such process), EFAULT
 * (bad arrays), EPERM (another uid), and 0 for nothing to move even for
 * a pid that is not there (Linux looks at the lengths first). */
static void
errnos(void)
{
	struct race_target t = race_target_start(RACE_SLEEP, self);
	char buf[16];
	struct iovec l = { buf, sizeof(buf) }, r = { RACE_VA, sizeof(buf) };
	struct iovec neg = { RACE_VA, (size_t)-1 }, empty = { buf, 0 };
	int status;
	pid_t gone;

	KT_ASSERT(t.pid > 0);
	KT_EXPECT_ERR(process_vm_readv(t.pid, &l, 1, &r, 1, 1), EINVAL);
	KT_EXPECT_ERR(process_vm_readv(t.pid, &l, 1, &neg, 1, 0), EINVAL);
	KT_EXPECT_ERR(process_vm_readv(t.pid, &neg, 1, &r, 1, 0), EINVAL);
	KT_EXPECT_ERR(process_vm_readv(t.pid, NULL, 1, &r, 1, 0), EFAULT);
	KT_EXPECT_ERR(process_vm_readv(t.pid, &l, 1, NULL, 1, 0), EFAULT);
	fflush(stdout);
	if ((gone = fork()) == 0)
		_exit(0);
	KT_ASSERT(gone > 0);
	KT_ASSERT_EQ(waitpid(gone, &status, 0), gone);
	KT_EXPECT_ERR(process_vm_readv(gone, &l, 1, &r, 1, 0), ESRCH);
	KT_EXPECT_EQ(process_vm_readv(gone, &empty, 1, &r, 1, 0), 0);
	KT_EXPECT_EQ(process_vm_readv(gone, &l, 1, &r, 0, 0), 0);
	if (getuid() == 0)
		KT_EXPECT_EQ(kt_child_status(other_uid_child, &t.pid), 0);
	race_target_end(&t);
}

/* readv in a loop while the target is killed midway. */
static void
readv_racing_exit(void)
{
	pid_t pid;
	int round;

	for (round = 0; round < RACE_ROUNDS && !kt_failed; round++) {
		pid = race_reads(RACE_READV, RACE_SLEEP, RACE_LOOPS, self, NULL);
		KT_ASSERT(pid > 0);
		/* reaped: no such process */
		KT_EXPECT_EQ(race_read(RACE_READV, pid, -1, 0, 0), 0);
	}
}

/* readv in a loop while the target execs midway: the old image's words,
 * then EFAULT (the new image has nothing there). */
static void
readv_racing_exec(void)
{
	int round;

	for (round = 0; round < RACE_ROUNDS && !kt_failed; round++)
		KT_ASSERT(race_reads(RACE_READV, RACE_EXEC, RACE_LOOPS, self,
		    NULL) > 0);
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(scatter_gather),
	KT_CASE_FORK(iov_max),
	KT_CASE_FORK(partial_and_protection),
	KT_CASE_FORK(errnos),
	KT_CASE_FORK(readv_racing_exit),
	KT_CASE_FORK(readv_racing_exec),
};

int
main(int argc, char **argv)
{
	race_exec_image(argc, argv);
	self = kt_self_path(argv[0]);
	return kt_main("process_vm", cases, KT_NCASES(cases));
}
