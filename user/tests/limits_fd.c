/*
 * limits_fd: RLIMIT_NOFILE bounds the descriptors a process may make, as
 * in Linux: a new lowest free one at or above the soft limit is EMFILE
 * (open, pipe, pipe2, dup), dup2 and dup3 onto one are EBADF (dup2 of a
 * descriptor onto itself is not), and descriptors already open above a
 * lowered limit stay open and usable, in a forked child too.
 *
 * Every case runs in a forked child, lowers the soft limit only (any user
 * may) and counts on nothing but descriptors 0, 1 and 2 being open below
 * it: what the runner left open above does not matter.
 */
#include <sys/resource.h>

#include "ktest.h"

#define LIM		16		/* the lowered soft limit */
#define HIGH		40		/* above LIM, below every hard limit */

/* Set the soft RLIMIT_NOFILE to lim, the hard one kept; false if not. */
static bool
nofile_set(rlim_t lim)
{
	struct rlimit rl;

	return KT_EXPECT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0) &&
	    KT_EXPECT(rl.rlim_max >= HIGH + 2) &&
	    KT_EXPECT_EQ(setrlimit(RLIMIT_NOFILE,
	    &(struct rlimit){ lim, rl.rlim_max }), 0);
}

/* Fill every slot below LIM with dup(0); return the last descriptor
 * made, or -1 (failed). The first dup past them is EMFILE. */
static int
nofile_fill(void)
{
	int fd, last = -1, n;

	for (n = 0; n <= LIM && (fd = dup(0)) >= 0; n++) {
		if (!KT_EXPECT(fd < LIM))
			return -1;
		last = fd;
	}
	if (!KT_EXPECT_ERR(dup(0), EMFILE))
		return -1;
	return last;
}

/* At the limit open, pipe, pipe2 and dup are EMFILE (open before it
 * looks the path up); a freed slot is the one the next call takes, a
 * pipe needs two. */
static void
emfile_at_limit(void)
{
	int p[2], last;

	KT_ASSERT(nofile_set(LIM));
	KT_ASSERT((last = nofile_fill()) >= 3);
	KT_EXPECT_ERR(open("/", O_RDONLY | O_DIRECTORY), EMFILE);
	KT_EXPECT_ERR(open("/no-such-file", O_RDONLY), EMFILE);
	KT_EXPECT_ERR(pipe(p), EMFILE);
	KT_EXPECT_ERR(pipe2(p, O_CLOEXEC), EMFILE);
	KT_ASSERT_EQ(close(last), 0);
	KT_EXPECT_ERR(pipe(p), EMFILE);		/* one slot: not enough */
	KT_EXPECT_EQ(dup(0), last);		/* and it is still free */
	KT_EXPECT_ERR(dup(0), EMFILE);
	KT_ASSERT_EQ(close(last), 0);
	KT_EXPECT_EQ(open("/", O_RDONLY | O_DIRECTORY), last);
	KT_ASSERT_EQ(close(last), 0);
	KT_ASSERT_EQ(close(last - 1), 0);
	KT_ASSERT_EQ(pipe(p), 0);
	KT_EXPECT(p[0] >= last - 1 && p[1] >= last - 1 && p[0] != p[1]);
}

/* dup2 and dup3 onto a descriptor at or above the limit are EBADF, just
 * below it they work; dup2 of a descriptor onto itself needs no slot,
 * dup3 of one onto itself is EINVAL even if it is not open. */
static void
dup2_beyond_limit(void)
{
	KT_ASSERT_EQ(dup2(0, HIGH), HIGH);	/* before the limit drops */
	KT_ASSERT(nofile_set(LIM));
	KT_EXPECT_ERR(dup2(0, LIM), EBADF);
	KT_EXPECT_ERR(dup2(0, HIGH + 1), EBADF);
	KT_EXPECT_ERR(dup3(0, LIM, O_CLOEXEC), EBADF);
	KT_EXPECT_ERR(dup2(0, HIGH), EBADF);	/* open, but beyond */
	KT_EXPECT_EQ(dup2(0, LIM - 1), LIM - 1);
	KT_EXPECT_EQ(dup3(0, LIM - 2, O_CLOEXEC), LIM - 2);
	KT_EXPECT_EQ(dup2(HIGH, HIGH), HIGH);
	KT_EXPECT_ERR(dup3(HIGH, HIGH, 0), EINVAL);
	KT_EXPECT_ERR(dup3(HIGH + 1, HIGH + 1, 0), EINVAL);	/* not open */
}

/* Write c to wfd and read it back from rfd; false if that fails. */
static bool
pipe_works(int rfd, int wfd, char c)
{
	char got = 0;

	return KT_EXPECT_EQ(write(wfd, &c, 1), 1) &&
	    KT_EXPECT_EQ(read(rfd, &got, 1), 1) && KT_EXPECT_EQ(got, c);
}

/* Lowering the limit below open descriptors keeps them: they read,
 * write, dup below the limit, are inherited by fork, and close; only new
 * ones are bounded. Even a limit of 0 keeps 0, 1 and 2. */
static void
lowered_keeps_open(void)
{
	int p[2], status, fd;
	pid_t pid;

	KT_ASSERT_EQ(pipe(p), 0);
	KT_ASSERT_EQ(dup2(p[0], HIGH), HIGH);
	KT_ASSERT_EQ(dup2(p[1], HIGH + 1), HIGH + 1);
	KT_ASSERT_EQ(close(p[0]), 0);
	KT_ASSERT_EQ(close(p[1]), 0);
	KT_ASSERT(nofile_set(LIM));
	KT_EXPECT(pipe_works(HIGH, HIGH + 1, 'a'));
	KT_ASSERT((fd = dup(HIGH + 1)) >= 0);	/* lands below the limit */
	KT_EXPECT(fd < LIM);
	KT_EXPECT(pipe_works(HIGH, fd, 'b'));
	KT_EXPECT_EQ(close(fd), 0);
	fflush(stdout);
	if ((pid = fork()) == 0)
		_exit(pipe_works(HIGH, HIGH + 1, 'c') ? 0 : 1);
	KT_ASSERT(pid > 0);
	KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	KT_EXPECT_EQ(status, 0);
	KT_ASSERT(nofile_set(0));
	KT_EXPECT_ERR(dup(0), EMFILE);
	KT_EXPECT_ERR(pipe(p), EMFILE);
	KT_EXPECT(pipe_works(HIGH, HIGH + 1, 'd'));
	KT_EXPECT_EQ(close(HIGH), 0);
	KT_EXPECT_EQ(close(HIGH + 1), 0);
	KT_EXPECT_ERR(close(HIGH), EBADF);
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(emfile_at_limit),
	KT_CASE_FORK(dup2_beyond_limit),
	KT_CASE_FORK(lowered_keeps_open),
};

int
main(void)
{
	return kt_main("limits_fd", cases, KT_NCASES(cases));
}
