/*
 * kern/vfs_ktest.c: in-kernel tests of the file layer (suite "vfs"): the
 * cpio parser on archives built here (good and corrupt), path lookup,
 * reads, lseek and getdents64 on a tree of such an archive, the real
 * initrd at /, descriptor tables, pipes between kernel threads, /dev/console
 * and /proc.
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

/* ---- helpers ---- */

/* Live objects of the file layer's pools. */
struct kt_live {
	uint64_t	vnode, file, filedesc, pipe;
};

static void
kt_live_pool(const struct pool_stats *st, void *arg)
{
	struct kt_live *l = arg;

	if (strcmp(st->pst_name, "vnode") == 0)
		l->vnode = st->pst_live;
	else if (strcmp(st->pst_name, "file") == 0)
		l->file = st->pst_live;
	else if (strcmp(st->pst_name, "filedesc") == 0)
		l->filedesc = st->pst_live;
	else if (strcmp(st->pst_name, "pipe") == 0)
		l->pipe = st->pst_live;
}

static void
kt_live_get(struct kt_live *l)
{
	memset(l, 0, sizeof(*l));
	pool_foreach(kt_live_pool, l);
}

/* Expect the counts to be back at base. */
static void
kt_live_check(struct ktest *t, const struct kt_live *base)
{
	struct kt_live now;

	kt_live_get(&now);
	KT_EXPECT_EQ(t, now.vnode, base->vnode);
	KT_EXPECT_EQ(t, now.file, base->file);
	KT_EXPECT_EQ(t, now.filedesc, base->filedesc);
	KT_EXPECT_EQ(t, now.pipe, base->pipe);
}

/* Append a newc member at *offp (size bytes of data) to buf. */
static void
kt_cpio_put(char *buf, size_t *offp, const char *name, uint32_t mode,
    const char *data, size_t size)
{
	size_t off = *offp, namesize = strlen(name) + 1;

	snprintf(buf + off, 111, "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x"
	    "%08x%08x%08x%08x", 0, mode, 0, 0, 1, 0, (unsigned)size, 0, 0, 0, 0,
	    (unsigned)namesize, 0);
	off += 110;
	memcpy(buf + off, name, namesize);
	off += namesize;
	while (off % 4)
		buf[off++] = '\0';
	memcpy(buf + off, data, size);
	off += size;
	while (off % 4)
		buf[off++] = '\0';
	*offp = off;
}

#define KT_MANY		12	/* files in many/ */
#define KT_MOTD		"0123456789abcdefghij"

/* Build the test archive in a page; return its length. */
static size_t
kt_cpio_build(char *buf)
{
	char name[16];
	size_t off = 0;
	int i;

	kt_cpio_put(buf, &off, ".", S_IFDIR | 0755, "", 0);
	kt_cpio_put(buf, &off, "bin", S_IFDIR | 0755, "", 0);
	kt_cpio_put(buf, &off, "bin/sh", S_IFREG | 0755, "#!shell\n", 8);
	kt_cpio_put(buf, &off, "./etc/motd", S_IFREG | 0644, KT_MOTD, 20);
	kt_cpio_put(buf, &off, "a/b/c/deep", S_IFREG | 0644, "deep", 4);
	kt_cpio_put(buf, &off, "link", S_IFLNK | 0777, "bin", 3);
	for (i = 0; i < KT_MANY; i++) {
		snprintf(name, sizeof(name), "many/f%02d", i);
		kt_cpio_put(buf, &off, name, S_IFREG | 0644, &"0123456789ab"[i], 1);
	}
	kt_cpio_put(buf, &off, "TRAILER!!!", 0, "", 0);
	KASSERT(off <= PAGE_SIZE);
	return off;
}

/* A test tree: the archive page and the tree built of it. */
struct kt_tree {
	char		*kt_buf;
	size_t		kt_len;
	struct vnode	*kt_root;
};

static bool
kt_tree_make(struct ktest *t, struct kt_tree *tr)
{
	char err[120];
	int error;

	if ((tr->kt_buf = kmalloc(PAGE_SIZE, M_NOWAIT | M_ZERO)) == NULL)
		return false;
	tr->kt_len = kt_cpio_build(tr->kt_buf);
	error = initrd_build(tr->kt_buf, tr->kt_len, &tr->kt_root, err, sizeof(err));
	if (!KT_EXPECT_EQ(t, error, 0)) {
		ktest_log(t, "%s", err);
		kfree(tr->kt_buf, PAGE_SIZE);
		return false;
	}
	return true;
}

static void
kt_tree_free(struct kt_tree *tr)
{
	vfs_tree_free(tr->kt_root);
	kfree(tr->kt_buf, PAGE_SIZE);
}

/* Read up to len bytes from fd into buf (kernel buffer); return the count
 * or -errno. */
static ssize_t
kt_read(struct filedesc *fdp, int fd, void *buf, size_t len)
{
	struct iovec iov;
	struct uio uio;
	size_t n;
	int error;

	uio_init_kernel(&uio, &iov, buf, len, 0, UIO_READ);
	error = dofileread(fdp, fd, &uio, &n);
	return error != 0 ? -error : (ssize_t)n;
}

static ssize_t
kt_write(struct filedesc *fdp, int fd, const void *buf, size_t len)
{
	struct iovec iov;
	struct uio uio;
	size_t n;
	int error;

	uio_init_kernel(&uio, &iov, (void *)buf, len, 0, UIO_WRITE);
	error = dofilewrite(fdp, fd, &uio, &n);
	return error != 0 ? -error : (ssize_t)n;
}

/* Open path in the tree rooted at root and install it in fdp; return the
 * descriptor or -errno. */
static int
kt_open(struct filedesc *fdp, struct vnode *root, const char *path, int flags)
{
	struct file *fp;
	int error, fd;

	if ((error = vn_open(root, root, path, flags, &fp)) != 0)
		return -error;
	if ((error = fdinstall(fdp, fp, 0, &fd)) != 0) {
		FRELE(fp);
		return -error;
	}
	return fd;
}

/* ---- the cpio parser ---- */

static void
test_cpio_good(struct ktest *t)
{
	struct kt_live base;
	struct kt_tree tr;
	struct vnode *vp = NULL;

	kt_live_get(&base);
	if (!kt_tree_make(t, &tr))
		return;
	KT_EXPECT_EQ(t, vfs_lookup(tr.kt_root, tr.kt_root, "/bin/sh", &vp), 0);
	if (vp != NULL) {
		KT_EXPECT_EQ(t, vp->v_type, VREG);
		KT_EXPECT_EQ(t, vp->v_size, 8);
		KT_EXPECT(t, memcmp(vp->v_data, "#!shell\n", 8) == 0);
		KT_EXPECT_EQ(t, vp->v_mode, S_IFREG | 0755);
		vrele(vp);
	}
	/* the symlink was skipped, the implicit directories made */
	KT_EXPECT_EQ(t, vfs_lookup(tr.kt_root, tr.kt_root, "link", &vp), ENOENT);
	KT_ASSERT_EQ(t, vfs_lookup(tr.kt_root, tr.kt_root, "a/b", &vp), 0);
	KT_EXPECT_EQ(t, vp->v_type, VDIR);
	vrele(vp);
	kt_tree_free(&tr);
	kt_live_check(t, &base);
}

/* Expect initrd_build of buf[0, len) to fail with EINVAL and a message
 * containing what. */
static void
kt_cpio_bad(struct ktest *t, const char *buf, size_t len, const char *what)
{
	struct vnode *root = NULL;
	char err[120] = "";
	size_t n = strlen(what), i;
	bool found = false;

	KT_EXPECT_EQ(t, initrd_build(buf, len, &root, err, sizeof(err)), EINVAL);
	for (i = 0; err[i] != '\0' && !found; i++)
		found = strncmp(err + i, what, n) == 0;
	if (!KT_EXPECT(t, found))
		ktest_log(t, "expected \"%s\", got \"%s\"", what, err);
}

static void
test_cpio_corrupt(struct ktest *t)
{
	char *buf = kmalloc(PAGE_SIZE, M_NOWAIT | M_ZERO);
	char *bad = kmalloc(PAGE_SIZE, M_NOWAIT);
	struct kt_live base;
	size_t len, off;

	KT_ASSERT(t, buf != NULL && bad != NULL);
	kt_live_get(&base);
	len = kt_cpio_build(buf);
	off = 112;			/* the second member: "bin" */

	kt_cpio_bad(t, buf, 50, "truncated header at offset 0x0");
	kt_cpio_bad(t, buf, off + 60, "truncated header");
	kt_cpio_bad(t, buf, 0, "no trailer");
	kt_cpio_bad(t, buf, len - 124, "no trailer");	/* trailer cut off */
	memcpy(bad, buf, len);
	bad[off + 3] = '8';				/* 070801 */
	kt_cpio_bad(t, bad, len, "bad magic at offset 0x70");
	memcpy(bad, buf, len);
	bad[off + 6 + 8 * 6] = 'g';			/* filesize not hex */
	kt_cpio_bad(t, bad, len, "bad header field 6");
	memcpy(bad, buf, len);
	memcpy(bad + off + 6 + 8 * 11, "00001000", 8);	/* namesize 4096 */
	kt_cpio_bad(t, bad, len, "name past the end");
	memcpy(bad, buf, len);
	memcpy(bad + off + 6 + 8 * 11, "00000003", 8);	/* "bi" + no NUL */
	kt_cpio_bad(t, bad, len, "not NUL-terminated");
	memcpy(bad, buf, len);
	memcpy(bad + off + 6 + 8 * 6, "7fffffff", 8);	/* huge size */
	kt_cpio_bad(t, bad, len, "past the end");
	memcpy(bad, buf, len);
	memcpy(bad + off + 6 + 8 * 6, "00000004", 8);	/* a directory's data */
	kt_cpio_bad(t, bad, len, "directory with data");

	/* members that contradict each other or have bad names */
	off = 0;
	kt_cpio_put(bad, &off, "x", S_IFREG | 0644, "1", 1);
	kt_cpio_put(bad, &off, "x/y", S_IFREG | 0644, "2", 1);
	kt_cpio_put(bad, &off, "TRAILER!!!", 0, "", 0);
	kt_cpio_bad(t, bad, off, "a parent is not a directory");
	off = 0;
	kt_cpio_put(bad, &off, "x", S_IFREG | 0644, "1", 1);
	kt_cpio_put(bad, &off, "./x", S_IFREG | 0644, "2", 1);
	kt_cpio_put(bad, &off, "TRAILER!!!", 0, "", 0);
	kt_cpio_bad(t, bad, off, "duplicate member");
	off = 0;
	kt_cpio_put(bad, &off, "a/../b", S_IFREG | 0644, "1", 1);
	kt_cpio_put(bad, &off, "TRAILER!!!", 0, "", 0);
	kt_cpio_bad(t, bad, off, "bad path name");

	kt_live_check(t, &base);		/* failed builds freed their trees */
	kfree(bad, PAGE_SIZE);
	kfree(buf, PAGE_SIZE);
}

/* ---- lookup, read, lseek, getdents ---- */

static void
test_lookup(struct ktest *t)
{
	static const struct { const char *path; int error; } cases[] = {
		{ "/a/b/c/deep", 0 }, { "a/./b//c/deep", 0 },
		{ "/a/b/../b/c/../../b/c/deep", 0 }, { "/../../a/b/c/deep", 0 },
		{ "/a/b/c/nope", ENOENT }, { "/nope/deep", ENOENT },
		{ "/bin/sh/x", ENOTDIR }, { "/bin/sh/", ENOTDIR },
		{ "/etc/motd/..", ENOTDIR }, { "", ENOENT },
	};
	struct vnode *vp, *deep;
	struct kt_live base;
	struct kt_tree tr;
	char longname[NAME_MAX + 3];
	size_t i;
	int error;

	kt_live_get(&base);
	if (!kt_tree_make(t, &tr))
		return;
	KT_ASSERT_EQ(t, vfs_lookup(tr.kt_root, tr.kt_root, "/a/b/c/deep", &deep), 0);
	for (i = 0; i < nitems(cases); i++) {
		vp = NULL;
		error = vfs_lookup(tr.kt_root, tr.kt_root, cases[i].path, &vp);
		if (!KT_EXPECT_EQ(t, error, cases[i].error))
			ktest_log(t, "path \"%s\"", cases[i].path);
		if (error == 0) {
			KT_EXPECT(t, vp == deep);
			vrele(vp);
		}
	}
	/* ".." at the root stays there; relative paths start at cwd */
	KT_ASSERT_EQ(t, vfs_lookup(tr.kt_root, tr.kt_root, "/..", &vp), 0);
	KT_EXPECT(t, vp == tr.kt_root);
	vrele(vp);
	KT_ASSERT_EQ(t, vfs_lookup(tr.kt_root, deep->v_parent, "../c/deep", &vp), 0);
	KT_EXPECT(t, vp == deep);
	vrele(vp);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	KT_EXPECT_EQ(t, vfs_lookup(tr.kt_root, tr.kt_root, longname, &vp),
	    ENAMETOOLONG);
	vrele(deep);
	kt_tree_free(&tr);
	kt_live_check(t, &base);
}

static void
test_read_lseek(struct ktest *t)
{
	struct filedesc *fdp;
	struct kt_live base;
	struct kt_tree tr;
	struct iovec iov;
	struct uio uio;
	char buf[32];
	off_t pos;
	size_t n;
	int fd;

	kt_live_get(&base);
	if (!kt_tree_make(t, &tr))
		return;
	KT_ASSERT(t, (fdp = fdinit()) != NULL);
	fd = kt_open(fdp, tr.kt_root, "/etc/motd", O_RDONLY);
	KT_ASSERT(t, fd >= 0);
	KT_EXPECT_EQ(t, kt_read(fdp, fd, buf, 5), 5);
	KT_EXPECT(t, memcmp(buf, "01234", 5) == 0);
	KT_EXPECT_EQ(t, kt_read(fdp, fd, buf, 3), 3);	/* continues at 5 */
	KT_EXPECT(t, memcmp(buf, "567", 3) == 0);
	KT_EXPECT_EQ(t, dolseek(fdp, fd, -2, SEEK_CUR, &pos), 0);
	KT_EXPECT_EQ(t, pos, 6);
	KT_EXPECT_EQ(t, kt_read(fdp, fd, buf, 2), 2);
	KT_EXPECT(t, memcmp(buf, "67", 2) == 0);
	KT_EXPECT_EQ(t, dolseek(fdp, fd, -4, SEEK_END, &pos), 0);
	KT_EXPECT_EQ(t, pos, 16);
	KT_EXPECT_EQ(t, kt_read(fdp, fd, buf, sizeof(buf)), 4);	/* short */
	KT_EXPECT(t, memcmp(buf, "ghij", 4) == 0);
	KT_EXPECT_EQ(t, kt_read(fdp, fd, buf, sizeof(buf)), 0);	/* EOF */
	KT_EXPECT_EQ(t, dolseek(fdp, fd, 100, SEEK_SET, &pos), 0);
	KT_EXPECT_EQ(t, kt_read(fdp, fd, buf, sizeof(buf)), 0);
	KT_EXPECT_EQ(t, dolseek(fdp, fd, -1, SEEK_SET, &pos), EINVAL);
	KT_EXPECT_EQ(t, dolseek(fdp, fd, -21, SEEK_END, &pos), EINVAL);
	KT_EXPECT_EQ(t, dolseek(fdp, fd, 0, 3, &pos), EINVAL);
	KT_EXPECT_EQ(t, dolseek(fdp, fd, 0, SEEK_CUR, &pos), 0);
	KT_EXPECT_EQ(t, pos, 100);		/* failed seeks moved nothing */
	/* the user-space seam: no copyout yet */
	uio_init_kernel(&uio, &iov, buf, sizeof(buf), 0, UIO_READ);
	uio.uio_segflg = UIO_USERSPACE;
	dolseek(fdp, fd, 0, SEEK_SET, &pos);
	KT_EXPECT_EQ(t, dofileread(fdp, fd, &uio, &n), EFAULT);
	/* read-only file system; directories */
	KT_EXPECT_EQ(t, kt_write(fdp, fd, "x", 1), -EBADF);
	KT_EXPECT_EQ(t, kt_open(fdp, tr.kt_root, "/etc/motd", O_RDWR), -EROFS);
	KT_EXPECT_EQ(t, kt_open(fdp, tr.kt_root, "/etc/new", O_CREAT | O_WRONLY),
	    -EROFS);
	KT_EXPECT_EQ(t, kt_open(fdp, tr.kt_root, "/etc", O_WRONLY), -EISDIR);
	KT_EXPECT_EQ(t, kt_open(fdp, tr.kt_root, "/etc/motd", O_DIRECTORY),
	    -ENOTDIR);
	fd = kt_open(fdp, tr.kt_root, "/etc", O_RDONLY | O_DIRECTORY);
	KT_EXPECT(t, fd >= 0);
	KT_EXPECT_EQ(t, kt_read(fdp, fd, buf, sizeof(buf)), -EISDIR);
	fdfree(fdp);
	kt_tree_free(&tr);
	kt_live_check(t, &base);
}

/* Read all of directory fd with getdents64 into buffers of bufsize bytes;
 * count how often each expected name appears in seen[]. */
static void
kt_getdents_all(struct ktest *t, struct filedesc *fdp, int fd, size_t bufsize,
    const char *const *names, int nnames, int *seen)
{
	char buf[512];
	struct iovec iov;
	struct uio uio;
	size_t n, off;
	int i, rounds = 0;

	KASSERT(bufsize <= sizeof(buf));
	for (;;) {
		uio_init_kernel(&uio, &iov, buf, bufsize, 0, UIO_READ);
		KT_ASSERT_EQ(t, dogetdents(fdp, fd, &uio, &n), 0);
		if (n == 0)
			break;
		KT_ASSERT(t, ++rounds < 100);
		for (off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);

			KT_ASSERT(t, d->d_reclen % 8 == 0 && d->d_reclen > 0 &&
			    off + d->d_reclen <= n);
			for (i = 0; i < nnames; i++)
				if (strcmp(d->d_name, names[i]) == 0)
					seen[i]++;
			off += d->d_reclen;
		}
	}
}

static void
test_getdents(struct ktest *t)
{
	static const char *const names[KT_MANY + 2] = { ".", "..", "f00",
	    "f01", "f02", "f03", "f04", "f05", "f06", "f07", "f08", "f09",
	    "f10", "f11" };
	static const size_t sizes[] = { 24, 40, 64, 512 };
	int seen[KT_MANY + 2], fd, i;
	struct filedesc *fdp;
	struct kt_live base;
	struct kt_tree tr;
	struct iovec iov;
	struct uio uio;
	char buf[16];
	size_t s, n;
	off_t pos;

	kt_live_get(&base);
	if (!kt_tree_make(t, &tr))
		return;
	KT_ASSERT(t, (fdp = fdinit()) != NULL);
	fd = kt_open(fdp, tr.kt_root, "/many", O_RDONLY | O_DIRECTORY);
	KT_ASSERT(t, fd >= 0);
	for (s = 0; s < nitems(sizes); s++) {
		memset(seen, 0, sizeof(seen));
		KT_EXPECT_EQ(t, dolseek(fdp, fd, 0, SEEK_SET, &pos), 0);
		kt_getdents_all(t, fdp, fd, sizes[s], names, nitems(names), seen);
		for (i = 0; i < (int)nitems(names); i++)
			if (!KT_EXPECT_EQ(t, seen[i], 1))
				ktest_log(t, "buffer %zu: \"%s\" seen %d times",
				    sizes[s], names[i], seen[i]);
	}
	/* a buffer too small for one record */
	KT_EXPECT_EQ(t, dolseek(fdp, fd, 0, SEEK_SET, &pos), 0);
	uio_init_kernel(&uio, &iov, buf, sizeof(buf), 0, UIO_READ);
	KT_EXPECT_EQ(t, dogetdents(fdp, fd, &uio, &n), EINVAL);
	/* not a directory */
	i = kt_open(fdp, tr.kt_root, "/many/f00", O_RDONLY);
	uio_init_kernel(&uio, &iov, buf, sizeof(buf), 0, UIO_READ);
	KT_EXPECT_EQ(t, dogetdents(fdp, i, &uio, &n), ENOTDIR);
	fdfree(fdp);
	kt_tree_free(&tr);
	kt_live_check(t, &base);
}

/* ---- the real namespace ---- */

/* Check every entry of directory path (a buffer of PATH_MAX bytes,
 * extended in place) against lookup and read, recursing depth levels. */
static void
kt_walk(struct ktest *t, struct filedesc *fdp, char *path, int depth,
    int *nfiles)
{
	char buf[512], data[256];
	size_t n, off, plen = strlen(path);
	struct iovec iov;
	struct uio uio;
	struct vnode *vp;
	int fd, ffd;
	ssize_t r;
	uint64_t total;

	KT_ASSERT_EQ(t, doopen(fdp, path, O_RDONLY | O_DIRECTORY, &fd), 0);
	for (;;) {
		uio_init_kernel(&uio, &iov, buf, sizeof(buf), 0, UIO_READ);
		if (!KT_EXPECT_EQ(t, dogetdents(fdp, fd, &uio, &n), 0) || n == 0)
			break;
		for (off = 0; off < n; off += ((struct dirent64 *)(buf + off))->d_reclen) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);

			if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
				continue;
			snprintf(path + plen, PATH_MAX - plen, "%s%s",
			    plen > 1 ? "/" : "", d->d_name);
			if (!KT_EXPECT_EQ(t, vfs_lookup(rootvnode, rootvnode, path, &vp), 0))
				continue;
			KT_EXPECT_EQ(t, d->d_type, vp->v_type == VDIR ? DT_DIR :
			    vp->v_type == VREG ? DT_REG : DT_CHR);
			if (vp->v_type == VREG && strncmp(path, "/proc", 5) != 0) {
				/* a file reads exactly its size */
				ffd = kt_open(fdp, rootvnode, path, O_RDONLY);
				for (total = 0; (r = kt_read(fdp, ffd, data,
				    sizeof(data))) > 0; total += r)
					;
				KT_EXPECT_EQ(t, r, 0);
				KT_EXPECT_EQ(t, total, vp->v_size);
				doclose(fdp, ffd);
				(*nfiles)++;
			}
			if (vp->v_type == VDIR && depth > 0)
				kt_walk(t, fdp, path, depth - 1, nfiles);
			vrele(vp);
			path[plen] = '\0';
		}
	}
	doclose(fdp, fd);
}

static void
test_rootfs(struct ktest *t)
{
	static char path[PATH_MAX];
	struct vnode *vp, *proc;
	struct filedesc *fdp;
	struct kt_live base;
	int nfiles = 0;

	KT_ASSERT(t, rootvnode != NULL);
	kt_live_get(&base);
	KT_ASSERT(t, (fdp = fdinit()) != NULL);
	strlcpy(path, "/", sizeof(path));
	kt_walk(t, fdp, path, 4, &nfiles);
	ktest_log(t, "%d regular files read through", nfiles);
	/* the mounts */
	KT_ASSERT_EQ(t, vfs_lookup(rootvnode, rootvnode, "/dev/console", &vp), 0);
	KT_EXPECT_EQ(t, vp->v_type, VCHR);
	vrele(vp);
	KT_ASSERT_EQ(t, vfs_lookup(rootvnode, rootvnode, "/proc", &proc), 0);
	KT_EXPECT(t, proc->v_covered != NULL);
	KT_ASSERT_EQ(t, vfs_lookup(rootvnode, rootvnode, "/proc/meminfo/", &vp),
	    ENOTDIR);
	KT_ASSERT_EQ(t, vfs_lookup(rootvnode, rootvnode, "/proc/../dev/./..", &vp), 0);
	KT_EXPECT(t, vp == rootvnode);
	vrele(vp);
	KT_ASSERT_EQ(t, vfs_lookup(rootvnode, proc, "..", &vp), 0);
	KT_EXPECT(t, vp == rootvnode);
	vrele(vp);
	vrele(proc);
	fdfree(fdp);
	kt_live_check(t, &base);
}

/* ---- descriptor tables ---- */

static void
test_fdtable(struct ktest *t)
{
	struct filedesc *fdp, *copy;
	struct file *fp, *fp2;
	struct kt_live base;
	int fd, i, r;

	kt_live_get(&base);
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
	kt_live_check(t, &base);
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
		if ((kp->kp_result = kt_write(kp->kp_fdp, kp->kp_fd, buf, n)) <= 0)
			break;
		kp->kp_written += kp->kp_result;
	}
	if (kp->kp_result > 0)	/* then write until the reader leaves */
		while ((kp->kp_result = kt_write(kp->kp_fdp, kp->kp_fd, buf,
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
	struct kt_live base;
	size_t got = 0, n;
	uint8_t buf[53];
	off_t pos;
	int rfd, i, bad = 0, pfd[2];
	ssize_t r;

	kt_live_get(&base);
	KT_ASSERT(t, (fdp = fdinit()) != NULL);
	KT_ASSERT_EQ(t, pipe_create(KT_PIPE_SIZE, 0, &rf, &wf), 0);
	KT_ASSERT_EQ(t, fdinstall(fdp, rf, 0, &rfd), 0);
	KT_ASSERT_EQ(t, fdinstall(fdp, wf, 0, &kp.kp_fd), 0);
	kp.kp_fdp = fdp;
	KT_EXPECT_EQ(t, dolseek(fdp, rfd, 0, SEEK_SET, &pos), ESPIPE);
	KT_EXPECT_EQ(t, kt_write(fdp, rfd, "x", 1), -EBADF);

	/* every byte in order, through a 16-byte ring, then the reader
	 * closes under a writer that keeps going */
	KT_ASSERT(t, kthread_create(kt_pipe_writer, &kp, "ktpipe") != NULL);
	while (got < KT_PIPE_BYTES) {
		n = MIN(1 + got % sizeof(buf), KT_PIPE_BYTES - got);
		if (!KT_EXPECT(t, (r = kt_read(fdp, rfd, buf, n)) > 0))
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
	KT_EXPECT_EQ(t, kt_write(fdp, pfd[1], "ab", 2), 2);
	KT_EXPECT_EQ(t, kt_read(fdp, pfd[0], buf, sizeof(buf)), 2);
	doclose(fdp, pfd[0]);
	doclose(fdp, pfd[1]);
	KT_ASSERT_EQ(t, pipe_create(KT_PIPE_SIZE, O_NONBLOCK, &rf, &wf), 0);
	KT_ASSERT_EQ(t, fdinstall(fdp, rf, 0, &rfd), 0);
	KT_ASSERT_EQ(t, fdinstall(fdp, wf, 0, &kp.kp_fd), 0);
	KT_EXPECT_EQ(t, kt_read(fdp, rfd, buf, 4), -EAGAIN);	/* empty */
	KT_EXPECT_EQ(t, kt_write(fdp, kp.kp_fd, buf, 20), KT_PIPE_SIZE);
	KT_EXPECT_EQ(t, kt_write(fdp, kp.kp_fd, buf, 4), -EAGAIN);	/* full */
	KT_EXPECT_EQ(t, doclose(fdp, kp.kp_fd), 0);
	KT_EXPECT_EQ(t, kt_read(fdp, rfd, buf, sizeof(buf)), KT_PIPE_SIZE);
	KT_EXPECT_EQ(t, kt_read(fdp, rfd, buf, sizeof(buf)), 0);
	KT_EXPECT_EQ(t, pipe_create(0, 0, &rf, &wf), EINVAL);
	KT_EXPECT_EQ(t, pipe_create(16, O_RDWR, &rf, &wf), EINVAL);
	fdfree(fdp);
	KT_EXPECT_EQ(t, pipe_count, base.pipe);
	kt_live_check(t, &base);
}

/* ---- /dev/console and /proc ---- */

static void
test_devcons(struct ktest *t)
{
	static const char msg[] = "    # test_devcons: written through /dev/console\n";
	struct filedesc *fdp;
	struct kt_live base;
	struct winsize ws;
	off_t pos;
	int fd, mfd;

	kt_live_get(&base);
	KT_ASSERT(t, (fdp = fdinit()) != NULL);
	KT_ASSERT_EQ(t, doopen(fdp, "/dev/console", O_WRONLY, &fd), 0);
	KT_EXPECT_EQ(t, doioctl(fdp, fd, TIOCGWINSZ, &ws), 0);
	KT_EXPECT_EQ(t, ws.ws_row, 24);
	KT_EXPECT_EQ(t, ws.ws_col, 80);
	KT_EXPECT_EQ(t, doioctl(fdp, fd, 0x5401, &ws), ENOTTY);	/* TCGETS */
	KT_EXPECT_EQ(t, kt_write(fdp, fd, msg, sizeof(msg) - 1), sizeof(msg) - 1);
	KT_EXPECT_EQ(t, dolseek(fdp, fd, 0, SEEK_SET, &pos), ESPIPE);
	KT_ASSERT_EQ(t, doopen(fdp, "/proc/meminfo", O_RDONLY, &mfd), 0);
	KT_EXPECT_EQ(t, doioctl(fdp, mfd, TIOCGWINSZ, &ws), ENOTTY);
	KT_EXPECT_EQ(t, doioctl(fdp, 99, TIOCGWINSZ, &ws), EBADF);
	fdfree(fdp);
	kt_live_check(t, &base);
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
	struct kt_live base;
	struct uvmexp u;
	uint64_t pfree = 0;
	ssize_t n;
	int fd;

	sched_peg_curproc(curcpu());	/* one CPU's pool caches */
	kt_live_get(&base);
	KT_ASSERT(t, (fdp = fdinit()) != NULL);
	/* warm up: the objects an open takes come from the caches next time */
	KT_ASSERT_EQ(t, doopen(fdp, "/proc/meminfo", O_RDONLY, &fd), 0);
	doclose(fdp, fd);
	KT_ASSERT_EQ(t, doopen(fdp, "/proc/meminfo", O_RDONLY, &fd), 0);
	n = kt_read(fdp, fd, kt_meminfo, sizeof(kt_meminfo));
	KT_EXPECT_EQ(t, kt_read(fdp, fd, kt_meminfo, 1), 0);
	doclose(fdp, fd);
	uvm_page_counters(&u);
	KT_ASSERT(t, n > 0);
	KT_EXPECT(t, kt_parse_kv(t, kt_meminfo, n, "pages.free", &pfree) > 10);
	KT_EXPECT_EQ(t, pfree, u.free);
	fdfree(fdp);
	sched_unpeg_curproc();
	kt_live_check(t, &base);
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
	struct kt_live base;
	struct vnode *vp;
	int seen[3] = { 0 }, fd;
	char buf[32];

	kt_live_get(&base);
	KT_ASSERT(t, (fdp = fdinit()) != NULL);
	KT_ASSERT_EQ(t, procfs_register_pid(&kt_status_node), 0);
	KT_EXPECT_EQ(t, procfs_register_pid(&kt_status_node), EEXIST);
	old = procfs_set_pids(&kt_pids);
	KT_ASSERT_EQ(t, doopen(fdp, "/proc", O_RDONLY | O_DIRECTORY, &fd), 0);
	kt_getdents_all(t, fdp, fd, 64, names, 3, seen);
	KT_EXPECT(t, seen[0] == 1 && seen[1] == 1 && seen[2] == 1);
	KT_ASSERT_EQ(t, doopen(fdp, "/proc/7/kt_status", O_RDONLY, &fd), 0);
	memset(buf, 0, sizeof(buf));
	KT_EXPECT_EQ(t, kt_read(fdp, fd, buf, sizeof(buf)), 7);
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
	kt_live_check(t, &base);
}

static const struct ktest_case vfs_cases[] = {
	KTEST_CASE(test_cpio_good),
	KTEST_CASE(test_cpio_corrupt),
	KTEST_CASE(test_lookup),
	KTEST_CASE(test_read_lseek),
	KTEST_CASE(test_getdents),
	KTEST_CASE(test_rootfs),
	KTEST_CASE(test_fdtable),
	KTEST_CASE(test_pipe),
	KTEST_CASE(test_devcons),
	KTEST_CASE(test_meminfo),
	KTEST_CASE(test_procfs_pids),
	{ 0 },
};
KTEST_SUITE(vfs, vfs_cases);
