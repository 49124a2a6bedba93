/*
 * kern/kern_descrip_ktest.c: in-kernel tests of descriptor tables, pipes
 * between kernel threads, /dev/console and /proc (suite "descrip"), over
 * the helpers of vfs_ktest.h.
 *
 * Every case that allocates checks at its end that the live counts of the
 * vnode, file, filedesc and pipe pools are back where they started.
 */
#include "lib.h"
#include "param.h"
#include "cpu.h"
#include "ktest.h"
#include "malloc.h"
#include "pool.h"
#include "proc.h"
#include "sched.h"
#include "uvm_page.h"
#include "file.h"
#include "procfs.h"
#include "vfs_ktest.h"

/* ---- descriptor tables ---- */

static void
test_fdtable(struct ktest *t)
{
	struct filedesc *fdp, *copy;
	struct file *fp, *fp2;
	struct vfskt_live base;
	int fd, i, r;

	vfskt_live_get(&base);
	KT_ASSERT(t, (fdp = fdinit()) != NULL);
	for (i = 0; i < NOFILE; i++)
		if (!KT_EXPECT_EQ(t, doopen(fdp, "/dev/console", O_RDWR, &fd), 0) ||
		    !KT_EXPECT_EQ(t, fd, i))
			break;
	KT_EXPECT_EQ(t, doopen(fdp, "/dev/console", O_RDWR, &fd), EMFILE);
	KT_EXPECT_EQ(t, dodup(fdp, 0, &fd), EMFILE);
	KT_EXPECT_EQ(t, doclose(fdp, 7), 0);
	KT_EXPECT_EQ(t, doclose(fdp, 3), 0);
	KT_EXPECT_EQ(t, doclose(fdp, 3), EBADF);
	KT_EXPECT_EQ(t, doopen(fdp, "/dev/console", O_RDWR, &fd), 0);
	KT_EXPECT_EQ(t, fd, 3);				/* lowest free */
	KT_EXPECT_EQ(t, dodup(fdp, 0, &fd), 0);
	KT_EXPECT_EQ(t, fd, 7);
	for (i = 2; i < NOFILE; i++)
		doclose(fdp, i);

	/* dup2 onto an open descriptor closes what it held */
	KT_ASSERT_EQ(t, fd_getfile(fdp, 1, &fp), 0);	/* our own hold */
	KT_EXPECT_EQ(t, fp->f_count, 2);
	KT_EXPECT_EQ(t, dodup3(fdp, 0, 1, 0, false, &r), 0);
	KT_EXPECT_EQ(t, r, 1);
	KT_EXPECT_EQ(t, fp->f_count, 1);		/* only ours left */
	FRELE(fp);
	KT_ASSERT_EQ(t, fd_getfile(fdp, 0, &fp), 0);
	KT_ASSERT_EQ(t, fd_getfile(fdp, 1, &fp2), 0);
	KT_EXPECT(t, fp == fp2);
	KT_EXPECT_EQ(t, fp->f_count, 4);		/* fds 0 and 1, fp, fp2 */
	FRELE(fp2);
	FRELE(fp);
	KT_EXPECT_EQ(t, dodup3(fdp, 1, 1, 0, false, &r), 0);	/* dup2 same */
	KT_EXPECT_EQ(t, dodup3(fdp, 1, 1, O_CLOEXEC, true, &r), EINVAL);
	KT_EXPECT_EQ(t, dodup3(fdp, 1, 5, O_RDWR, true, &r), EINVAL);
	KT_EXPECT_EQ(t, dodup3(fdp, 9, 5, 0, true, &r), EBADF);
	KT_EXPECT_EQ(t, dodup3(fdp, 0, NOFILE, 0, true, &r), EBADF);

	/* close-on-exec */
	KT_EXPECT_EQ(t, dodup3(fdp, 0, 5, O_CLOEXEC, true, &r), 0);
	KT_EXPECT_EQ(t, dodup3(fdp, 0, 6, 0, true, &r), 0);
	KT_EXPECT_EQ(t, doopen(fdp, "/dev/console", O_RDWR | O_CLOEXEC, &fd), 0);
	KT_EXPECT_EQ(t, fd, 2);
	KT_EXPECT_EQ(t, fd_getflags(fdp, 5), UF_EXCLOSE);
	KT_EXPECT_EQ(t, fd_getflags(fdp, 2), UF_EXCLOSE);
	KT_EXPECT_EQ(t, fd_getflags(fdp, 6), 0);
	KT_EXPECT_EQ(t, dodup(fdp, 5, &fd), 0);		/* dup clears it */
	KT_EXPECT_EQ(t, fd_getflags(fdp, fd), 0);

	/* fork: the copy shares every file (fd 2's is in no other slot) */
	KT_ASSERT_EQ(t, fd_getfile(fdp, 2, &fp), 0);
	r = fp->f_count;
	KT_EXPECT_EQ(t, r, 2);
	KT_ASSERT(t, (copy = fdcopy(fdp)) != NULL);
	KT_EXPECT_EQ(t, fp->f_count, r + 1);
	KT_ASSERT_EQ(t, fd_getfile(copy, 2, &fp2), 0);
	KT_EXPECT(t, fp == fp2);
	FRELE(fp2);
	KT_EXPECT_EQ(t, fd_getflags(copy, 5), UF_EXCLOSE);
	fdcloseexec(copy);				/* exec in the child */
	KT_EXPECT_EQ(t, fp->f_count, r);
	KT_EXPECT_EQ(t, fd_getflags(copy, 5), -1);
	KT_EXPECT_EQ(t, fd_getflags(copy, 2), -1);
	KT_EXPECT_EQ(t, fd_getflags(copy, 6), 0);
	KT_EXPECT_EQ(t, fd_getflags(fdp, 5), UF_EXCLOSE);	/* parent's kept */
	KT_EXPECT(t, fdshare(copy) == copy);		/* CLONE_FILES */
	fdfree(copy);
	KT_EXPECT_EQ(t, fd_getflags(copy, 6), 0);	/* one user left */
	fdfree(copy);
	KT_EXPECT_EQ(t, fp->f_count, r);
	FRELE(fp);
	fdfree(fdp);
	vfskt_live_check(t, &base);
}

/* ---- pipes ---- */

#define KT_PIPE_BYTES	5000
#define KT_PIPE_SIZE	16

struct kt_pipe {
	struct filedesc	*kp_fdp;
	int		kp_fd;
	ssize_t		kp_result;	/* last write's result */
	size_t		kp_written;
	struct spinlock	kp_lock;
	bool		kp_done;	/* [kp_lock] */
};

static uint8_t
kt_pattern(size_t i)
{
	return (uint8_t)(i * 7 + i / 251);
}

/* Writer thread: the pattern in writes of 1..37 bytes, then close. */
static void
kt_pipe_writer(void *arg)
{
	struct kt_pipe *kp = arg;
	uint8_t buf[37];
	size_t n, i;

	while (kp->kp_written < KT_PIPE_BYTES) {
		n = MIN(1 + kp->kp_written % sizeof(buf),
		    KT_PIPE_BYTES - kp->kp_written);
		for (i = 0; i < n; i++)
			buf[i] = kt_pattern(kp->kp_written + i);
		if ((kp->kp_result = vfskt_write(kp->kp_fdp, kp->kp_fd, buf, n)) <= 0)
			break;
		kp->kp_written += kp->kp_result;
	}
	if (kp->kp_result > 0)	/* then write until the reader leaves */
		while ((kp->kp_result = vfskt_write(kp->kp_fdp, kp->kp_fd, buf,
		    sizeof(buf))) > 0)
			;
	spinlock_acquire(&kp->kp_lock);
	kp->kp_done = true;
	wakeup(kp);
	spinlock_release(&kp->kp_lock);
}

static void
kt_pipe_join(struct kt_pipe *kp)
{
	spinlock_acquire(&kp->kp_lock);
	while (!kp->kp_done)
		msleep(kp, &kp->kp_lock, "ktpipe", 0);
	spinlock_release(&kp->kp_lock);
}

static void
test_pipe(struct ktest *t)
{
	struct kt_pipe kp = { .kp_lock = SPINLOCK_INITIALIZER("ktest_pipe") };
	struct file *rf, *wf;
	struct filedesc *fdp;
	struct vfskt_live base;
	size_t got = 0, n;
	uint8_t buf[53];
	off_t pos;
	int rfd, i, bad = 0, pfd[2];
	ssize_t r;

	vfskt_live_get(&base);
	KT_ASSERT(t, (fdp = fdinit()) != NULL);
	KT_ASSERT_EQ(t, pipe_create(KT_PIPE_SIZE, 0, &rf, &wf), 0);
	KT_ASSERT_EQ(t, fdinstall(fdp, rf, 0, &rfd), 0);
	KT_ASSERT_EQ(t, fdinstall(fdp, wf, 0, &kp.kp_fd), 0);
	kp.kp_fdp = fdp;
	KT_EXPECT_EQ(t, dolseek(fdp, rfd, 0, SEEK_SET, &pos), ESPIPE);
	KT_EXPECT_EQ(t, vfskt_write(fdp, rfd, "x", 1), -EBADF);

	/* every byte in order, through a 16-byte ring, then the reader
	 * closes under a writer that keeps going */
	KT_ASSERT(t, kthread_create(kt_pipe_writer, &kp, "ktpipe") != NULL);
	while (got < KT_PIPE_BYTES) {
		n = MIN(1 + got % sizeof(buf), KT_PIPE_BYTES - got);
		if (!KT_EXPECT(t, (r = vfskt_read(fdp, rfd, buf, n)) > 0))
			break;
		for (i = 0; i < r; i++)
			bad += buf[i] != kt_pattern(got + i);
		got += r;
	}
	KT_EXPECT_EQ(t, got, KT_PIPE_BYTES);
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT_EQ(t, doclose(fdp, rfd), 0);
	kt_pipe_join(&kp);
	KT_EXPECT_EQ(t, kp.kp_result, -EPIPE);
	KT_EXPECT_EQ(t, kp.kp_written, KT_PIPE_BYTES);
	doclose(fdp, kp.kp_fd);

	/* EOF after the writer closes, with data still buffered */
	KT_ASSERT_EQ(t, dopipe(fdp, pfd, O_CLOEXEC), 0);
	KT_EXPECT(t, pfd[0] == 0 && pfd[1] == 1);	/* the lowest two */
	KT_EXPECT_EQ(t, fd_getflags(fdp, pfd[1]), UF_EXCLOSE);
	KT_EXPECT_EQ(t, vfskt_write(fdp, pfd[1], "ab", 2), 2);
	KT_EXPECT_EQ(t, vfskt_read(fdp, pfd[0], buf, sizeof(buf)), 2);
	doclose(fdp, pfd[0]);
	doclose(fdp, pfd[1]);
	KT_ASSERT_EQ(t, pipe_create(KT_PIPE_SIZE, O_NONBLOCK, &rf, &wf), 0);
	KT_ASSERT_EQ(t, fdinstall(fdp, rf, 0, &rfd), 0);
	KT_ASSERT_EQ(t, fdinstall(fdp, wf, 0, &kp.kp_fd), 0);
	KT_EXPECT_EQ(t, vfskt_read(fdp, rfd, buf, 4), -EAGAIN);	/* empty */
	KT_EXPECT_EQ(t, vfskt_write(fdp, kp.kp_fd, buf, 20), KT_PIPE_SIZE);
	KT_EXPECT_EQ(t, vfskt_write(fdp, kp.kp_fd, buf, 4), -EAGAIN);	/* full */
	KT_EXPECT_EQ(t, doclose(fdp, kp.kp_fd), 0);
	KT_EXPECT_EQ(t, vfskt_read(fdp, rfd, buf, sizeof(buf)), KT_PIPE_SIZE);
	KT_EXPECT_EQ(t, vfskt_read(fdp, rfd, buf, sizeof(buf)), 0);
	KT_EXPECT_EQ(t, pipe_create(0, 0, &rf, &wf), EINVAL);
	KT_EXPECT_EQ(t, pipe_create(16, O_RDWR, &rf, &wf), EINVAL);
	fdfree(fdp);
	KT_EXPECT_EQ(t, pipe_count, base.pipe);
	vfskt_live_check(t, &base);
}

/* ---- /dev/console and /proc ---- */

static void
test_devcons(struct ktest *t)
{
	static const char msg[] = "    # test_devcons: written through /dev/console\n";
	struct filedesc *fdp;
	struct vfskt_live base;
	struct winsize ws;
	off_t pos;
	int fd, mfd;

	vfskt_live_get(&base);
	KT_ASSERT(t, (fdp = fdinit()) != NULL);
	KT_ASSERT_EQ(t, doopen(fdp, "/dev/console", O_WRONLY, &fd), 0);
	KT_EXPECT_EQ(t, doioctl(fdp, fd, TIOCGWINSZ, &ws), 0);
	KT_EXPECT_EQ(t, ws.ws_row, 24);
	KT_EXPECT_EQ(t, ws.ws_col, 80);
	KT_EXPECT_EQ(t, doioctl(fdp, fd, 0x5401, &ws), ENOTTY);	/* TCGETS */
	KT_EXPECT_EQ(t, vfskt_write(fdp, fd, msg, sizeof(msg) - 1), sizeof(msg) - 1);
	KT_EXPECT_EQ(t, dolseek(fdp, fd, 0, SEEK_SET, &pos), ESPIPE);
	KT_ASSERT_EQ(t, doopen(fdp, "/proc/meminfo", O_RDONLY, &mfd), 0);
	KT_EXPECT_EQ(t, doioctl(fdp, mfd, TIOCGWINSZ, &ws), ENOTTY);
	KT_EXPECT_EQ(t, doioctl(fdp, 99, TIOCGWINSZ, &ws), EBADF);
	fdfree(fdp);
	vfskt_live_check(t, &base);
}

static char kt_meminfo[PROCFS_BUFMAX];

/* Parse "key: decimal\n" lines; return the lines, or -1 on a bad one, and
 * the value of key in *valp. */
static int
kt_parse_kv(struct ktest *t, char *s, size_t len, const char *key,
    uint64_t *valp)
{
	char *line = s, *end = s + len, *nl, *colon;
	uint64_t v;
	int n = 0;

	for (; line < end; line = nl + 1, n++) {
		for (nl = line; nl < end && *nl != '\n'; nl++)
			;
		if (nl == end)
			return -1;		/* unterminated */
		*nl = '\0';
		colon = strchr(line, ':');
		if (colon != NULL)
			*colon = '\0';
		if (colon == NULL || colon == line || colon[1] != ' ' ||
		    strtou64(colon + 2, &v) != 0 || strchr(line, ' ') != NULL) {
			ktest_log(t, "bad line \"%s\"", line);
			return -1;
		}
		if (strcmp(line, key) == 0)
			*valp = v;
	}
	return n;
}

static void
test_meminfo(struct ktest *t)
{
	struct filedesc *fdp;
	struct vfskt_live base;
	struct uvmexp u;
	uint64_t pfree = 0;
	ssize_t n;
	int fd;

	sched_peg_curproc(curcpu());	/* one CPU's pool caches */
	vfskt_live_get(&base);
	KT_ASSERT(t, (fdp = fdinit()) != NULL);
	/* warm up: the objects an open takes come from the caches next time */
	KT_ASSERT_EQ(t, doopen(fdp, "/proc/meminfo", O_RDONLY, &fd), 0);
	doclose(fdp, fd);
	KT_ASSERT_EQ(t, doopen(fdp, "/proc/meminfo", O_RDONLY, &fd), 0);
	n = vfskt_read(fdp, fd, kt_meminfo, sizeof(kt_meminfo));
	KT_EXPECT_EQ(t, vfskt_read(fdp, fd, kt_meminfo, 1), 0);
	doclose(fdp, fd);
	uvm_page_counters(&u);
	KT_ASSERT(t, n > 0);
	KT_EXPECT(t, kt_parse_kv(t, kt_meminfo, n, "pages.free", &pfree) > 10);
	KT_EXPECT_EQ(t, pfree, u.free);
	fdfree(fdp);
	sched_unpeg_curproc();
	vfskt_live_check(t, &base);
}

/* A fake pid table of two processes, 3 and 7. */
static int
kt_pids_next(pid_t pid, pid_t *nextp)
{
	if (pid > 7)
		return ENOENT;
	*nextp = pid <= 3 ? 3 : 7;
	return 0;
}

static const struct procfs_pids kt_pids = { .pp_next = kt_pids_next };

static int
kt_status_gen(struct procfs_buf *pb, pid_t pid)
{
	procfs_printf(pb, "pid: %d\n", pid);
	return 0;
}

static struct procfs_node kt_status_node = {
	.pn_name = "kt_status", .pn_gen = kt_status_gen, .pn_mode = 0444,
};

static void
test_procfs_pids(struct ktest *t)
{
	static const char *const names[] = { "meminfo", "3", "7" };
	const struct procfs_pids *old;
	struct filedesc *fdp;
	struct vfskt_live base;
	struct vnode *vp;
	int seen[3] = { 0 }, fd;
	char buf[32];

	vfskt_live_get(&base);
	KT_ASSERT(t, (fdp = fdinit()) != NULL);
	KT_ASSERT_EQ(t, procfs_register_pid(&kt_status_node), 0);
	KT_EXPECT_EQ(t, procfs_register_pid(&kt_status_node), EEXIST);
	old = procfs_set_pids(&kt_pids);
	KT_ASSERT_EQ(t, doopen(fdp, "/proc", O_RDONLY | O_DIRECTORY, &fd), 0);
	vfskt_getdents_all(t, fdp, fd, 64, names, 3, seen);
	KT_EXPECT(t, seen[0] == 1 && seen[1] == 1 && seen[2] == 1);
	KT_ASSERT_EQ(t, doopen(fdp, "/proc/7/kt_status", O_RDONLY, &fd), 0);
	memset(buf, 0, sizeof(buf));
	KT_EXPECT_EQ(t, vfskt_read(fdp, fd, buf, sizeof(buf)), 7);
	KT_EXPECT(t, strcmp(buf, "pid: 7\n") == 0);
	KT_EXPECT_EQ(t, doopen(fdp, "/proc/5/kt_status", O_RDONLY, &fd), ENOENT);
	KT_EXPECT_EQ(t, doopen(fdp, "/proc/03/kt_status", O_RDONLY, &fd), ENOENT);
	KT_EXPECT_EQ(t, doopen(fdp, "/proc/3/kt_status", O_WRONLY, &fd), EROFS);
	KT_ASSERT_EQ(t, vfs_lookup(rootvnode, rootvnode, "/proc/3/../7/./..", &vp), 0);
	KT_EXPECT(t, vp->v_covered != NULL);		/* /proc itself */
	vrele(vp);
	fdfree(fdp);
	procfs_set_pids(old);
	procfs_unregister_pid(&kt_status_node);
	vfskt_live_check(t, &base);
}

static const struct ktest_case descrip_cases[] = {
	KTEST_CASE(test_fdtable),
	KTEST_CASE(test_pipe),
	KTEST_CASE(test_devcons),
	KTEST_CASE(test_meminfo),
	KTEST_CASE(test_procfs_pids),
	{ 0 },
};
KTEST_SUITE(descrip, descrip_cases);
