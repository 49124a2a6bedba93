/*
 * kern/vfs_ktest.c: in-kernel tests of the file layer (suite "vfs"): the
 * cpio parser on archives built here (good and corrupt), path lookup,
 * reads, lseek and getdents64 on a tree of such an archive, the real
 * initrd at /. The helpers declared in vfs_ktest.h are shared with
 * kern/kern_descrip_ktest.c (suite "descrip").
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

/* ---- helpers ---- */


static void
kt_live_pool(const struct pool_stats *st, void *arg)
{
	struct vfskt_live *l = arg;

	if (strcmp(st->pst_name, "vnode") == 0)
		l->vnode = st->pst_live;
	else if (strcmp(st->pst_name, "file") == 0)
		l->file = st->pst_live;
	else if (strcmp(st->pst_name, "filedesc") == 0)
		l->filedesc = st->pst_live;
	else if (strcmp(st->pst_name, "pipe") == 0)
		l->pipe = st->pst_live;
}

void
vfskt_live_get(struct vfskt_live *l)
{
	memset(l, 0, sizeof(*l));
	pool_foreach(kt_live_pool, l);
}

/* Expect the counts to be back at base. */
void
vfskt_live_check(struct ktest *t, const struct vfskt_live *base)
{
	struct vfskt_live now;

	vfskt_live_get(&now);
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
ssize_t
vfskt_read(struct filedesc *fdp, int fd, void *buf, size_t len)
{
	struct iovec iov;
	struct uio uio;
	size_t n;
	int error;

	uio_init_kernel(&uio, &iov, buf, len, 0, UIO_READ);
	error = dofileread(fdp, fd, &uio, &n);
	return error != 0 ? -error : (ssize_t)n;
}

ssize_t
vfskt_write(struct filedesc *fdp, int fd, const void *buf, size_t len)
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
int
vfskt_open(struct filedesc *fdp, struct vnode *root, const char *path, int flags)
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
	struct vfskt_live base;
	struct kt_tree tr;
	struct vnode *vp = NULL;

	vfskt_live_get(&base);
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
	vfskt_live_check(t, &base);
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
	struct vfskt_live base;
	size_t len, off;

	KT_ASSERT(t, buf != NULL && bad != NULL);
	vfskt_live_get(&base);
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

	vfskt_live_check(t, &base);		/* failed builds freed their trees */
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
	struct vfskt_live base;
	struct kt_tree tr;
	char longname[NAME_MAX + 3];
	size_t i;
	int error;

	vfskt_live_get(&base);
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
	vfskt_live_check(t, &base);
}

static void
test_read_lseek(struct ktest *t)
{
	struct filedesc *fdp;
	struct vfskt_live base;
	struct kt_tree tr;
	struct iovec iov;
	struct uio uio;
	char buf[32];
	off_t pos;
	size_t n;
	int fd;

	vfskt_live_get(&base);
	if (!kt_tree_make(t, &tr))
		return;
	KT_ASSERT(t, (fdp = fdinit()) != NULL);
	fd = vfskt_open(fdp, tr.kt_root, "/etc/motd", O_RDONLY);
	KT_ASSERT(t, fd >= 0);
	KT_EXPECT_EQ(t, vfskt_read(fdp, fd, buf, 5), 5);
	KT_EXPECT(t, memcmp(buf, "01234", 5) == 0);
	KT_EXPECT_EQ(t, vfskt_read(fdp, fd, buf, 3), 3);	/* continues at 5 */
	KT_EXPECT(t, memcmp(buf, "567", 3) == 0);
	KT_EXPECT_EQ(t, dolseek(fdp, fd, -2, SEEK_CUR, &pos), 0);
	KT_EXPECT_EQ(t, pos, 6);
	KT_EXPECT_EQ(t, vfskt_read(fdp, fd, buf, 2), 2);
	KT_EXPECT(t, memcmp(buf, "67", 2) == 0);
	KT_EXPECT_EQ(t, dolseek(fdp, fd, -4, SEEK_END, &pos), 0);
	KT_EXPECT_EQ(t, pos, 16);
	KT_EXPECT_EQ(t, vfskt_read(fdp, fd, buf, sizeof(buf)), 4);	/* short */
	KT_EXPECT(t, memcmp(buf, "ghij", 4) == 0);
	KT_EXPECT_EQ(t, vfskt_read(fdp, fd, buf, sizeof(buf)), 0);	/* EOF */
	KT_EXPECT_EQ(t, dolseek(fdp, fd, 100, SEEK_SET, &pos), 0);
	KT_EXPECT_EQ(t, vfskt_read(fdp, fd, buf, sizeof(buf)), 0);
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
	KT_EXPECT_EQ(t, vfskt_write(fdp, fd, "x", 1), -EBADF);
	KT_EXPECT_EQ(t, vfskt_open(fdp, tr.kt_root, "/etc/motd", O_RDWR), -EROFS);
	KT_EXPECT_EQ(t, vfskt_open(fdp, tr.kt_root, "/etc/new", O_CREAT | O_WRONLY),
	    -EROFS);
	KT_EXPECT_EQ(t, vfskt_open(fdp, tr.kt_root, "/etc", O_WRONLY), -EISDIR);
	KT_EXPECT_EQ(t, vfskt_open(fdp, tr.kt_root, "/etc/motd", O_DIRECTORY),
	    -ENOTDIR);
	fd = vfskt_open(fdp, tr.kt_root, "/etc", O_RDONLY | O_DIRECTORY);
	KT_EXPECT(t, fd >= 0);
	KT_EXPECT_EQ(t, vfskt_read(fdp, fd, buf, sizeof(buf)), -EISDIR);
	fdfree(fdp);
	kt_tree_free(&tr);
	vfskt_live_check(t, &base);
}

/* Read all of directory fd with getdents64 into buffers of bufsize bytes;
 * count how often each expected name appears in seen[]. */
void
vfskt_getdents_all(struct ktest *t, struct filedesc *fdp, int fd, size_t bufsize,
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
	struct vfskt_live base;
	struct kt_tree tr;
	struct iovec iov;
	struct uio uio;
	char buf[16];
	size_t s, n;
	off_t pos;

	vfskt_live_get(&base);
	if (!kt_tree_make(t, &tr))
		return;
	KT_ASSERT(t, (fdp = fdinit()) != NULL);
	fd = vfskt_open(fdp, tr.kt_root, "/many", O_RDONLY | O_DIRECTORY);
	KT_ASSERT(t, fd >= 0);
	for (s = 0; s < nitems(sizes); s++) {
		memset(seen, 0, sizeof(seen));
		KT_EXPECT_EQ(t, dolseek(fdp, fd, 0, SEEK_SET, &pos), 0);
		vfskt_getdents_all(t, fdp, fd, sizes[s], names, nitems(names), seen);
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
	i = vfskt_open(fdp, tr.kt_root, "/many/f00", O_RDONLY);
	uio_init_kernel(&uio, &iov, buf, sizeof(buf), 0, UIO_READ);
	KT_EXPECT_EQ(t, dogetdents(fdp, i, &uio, &n), ENOTDIR);
	fdfree(fdp);
	kt_tree_free(&tr);
	vfskt_live_check(t, &base);
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
				ffd = vfskt_open(fdp, rootvnode, path, O_RDONLY);
				for (total = 0; (r = vfskt_read(fdp, ffd, data,
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
	struct vfskt_live base;
	int nfiles = 0;

	KT_ASSERT(t, rootvnode != NULL);
	vfskt_live_get(&base);
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
	vfskt_live_check(t, &base);
}

static const struct ktest_case vfs_cases[] = {
	KTEST_CASE(test_cpio_good),
	KTEST_CASE(test_cpio_corrupt),
	KTEST_CASE(test_lookup),
	KTEST_CASE(test_read_lseek),
	KTEST_CASE(test_getdents),
	KTEST_CASE(test_rootfs),
	{ 0 },
};
KTEST_SUITE(vfs, vfs_cases);
