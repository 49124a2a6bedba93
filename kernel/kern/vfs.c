/*
 * kern/vfs.c: the virtual file system. Owns vnodes (vnode_pool), the tree
 * file system (directories, memory-resident files and devices that the
 * initrd and /dev are built of), the namespace (rootvnode and its mounts),
 * path lookup, getdents64, vn_open and the file ops of vnode files, and
 * uiomove, the one place data crosses between the kernel and a caller.
 *
 * Locks: none of its own. A tree is built by one thread before anyone
 * looks in it and is read-only afterwards; mounts are made at boot and
 * published with release stores. Use counts are atomic.
 *
 * Lifecycle: a tree vnode lives from vfs_tree_add to vfs_tree_free, which
 * drops the tree's reference (it must be the last). Vnodes a file system
 * makes on demand (procfs) die on their last vrele, in vop_inactive.
 */
#include "lib.h"
#include "param.h"
#include "pool.h"
#include "vfs.h"
#include "file.h"
#include "procfs.h"
#include "syscall.h"

static struct pool vnode_pool;
static uint64_t vfs_lastino;		/* [atomic] */

struct vnode *rootvnode;

/* ---- uio ---- */

/* Make uio describe one kernel buffer. */
void
uio_init_kernel(struct uio *uio, struct iovec *iov, void *buf, size_t len,
    off_t offset, enum uio_rw rw)
{
	iov->iov_base = buf;
	iov->iov_len = len;
	uio->uio_iov = iov;
	uio->uio_iovcnt = 1;
	uio->uio_offset = offset;
	uio->uio_resid = len;
	uio->uio_segflg = UIO_SYSSPACE;
	uio->uio_rw = rw;
}

/* Move up to n bytes between kbuf and uio; return 0 or EFAULT. */
int
uiomove(void *kbuf, size_t n, struct uio *uio)
{
	char *k = kbuf;

	KASSERT(uio->uio_rw == UIO_READ || uio->uio_rw == UIO_WRITE);
	while (n > 0 && uio->uio_resid > 0) {
		struct iovec *iov = uio->uio_iov;
		size_t cnt;

		KASSERT(uio->uio_iovcnt > 0);
		if (iov->iov_len == 0) {
			uio->uio_iov++;
			uio->uio_iovcnt--;
			continue;
		}
		cnt = MIN(iov->iov_len, n);
		if (uio->uio_segflg == UIO_USERSPACE) {
			int error = uio->uio_rw == UIO_READ ?
			    copyout(k, iov->iov_base, cnt) :
			    copyin(iov->iov_base, k, cnt);

			if (error != 0)
				return error;
		} else if (uio->uio_rw == UIO_READ)
			memcpy(iov->iov_base, k, cnt);
		else
			memcpy(k, iov->iov_base, cnt);
		iov->iov_base = (char *)iov->iov_base + cnt;
		iov->iov_len -= cnt;
		uio->uio_resid -= cnt;
		uio->uio_offset += cnt;
		k += cnt;
		n -= cnt;
	}
	return 0;
}

/* ---- vnodes ---- */

/* Return a zeroed vnode with one reference and a fresh inode number, or
 * NULL (ENOMEM). */
struct vnode *
vnode_alloc(void)
{
	struct vnode *vp;

	vp = pool_get(&vnode_pool, PR_NOWAIT | PR_ZERO);
	if (vp == NULL)
		return NULL;
	vp->v_usecount = 1;
	vp->v_ino = __atomic_add_fetch(&vfs_lastino, 1, __ATOMIC_RELAXED);
	return vp;
}

/* Give back a vnode whose last reference is gone. */
void
vnode_free(struct vnode *vp)
{
	KASSERT(__atomic_load_n(&vp->v_usecount, __ATOMIC_RELAXED) == 0);
	KASSERT(vp->v_mountedhere == NULL);
	pool_put(&vnode_pool, vp);
}

/* Add a reference to vp; vp must already have one. */
void
vref(struct vnode *vp)
{
	uint32_t old = __atomic_fetch_add(&vp->v_usecount, 1, __ATOMIC_RELAXED);

	if (old == 0)
		panic("vref: vnode %p has no reference", vp);
}

/* Drop a reference; the last one calls vop_inactive. */
void
vrele(struct vnode *vp)
{
	uint32_t old = __atomic_fetch_sub(&vp->v_usecount, 1, __ATOMIC_ACQ_REL);

	if (old == 0)
		panic("vrele: vnode %p use count underflow", vp);
	if (old > 1)
		return;
	if (vp->v_op->vop_inactive == NULL)
		panic("vrele: vnode %p of a tree lost the tree's reference", vp);
	vp->v_op->vop_inactive(vp);
}

/* Fill *va from vp. */
void
vn_stat(struct vnode *vp, struct vattr *va)
{
	struct vnode *c;

	va->va_type = vp->v_type;
	va->va_mode = vp->v_mode;
	va->va_ino = vp->v_ino;
	va->va_size = vp->v_size;
	va->va_nlink = 1;
	if (vp->v_type == VDIR) {
		va->va_nlink = 2;
		for (c = vp->v_child; c != NULL; c = c->v_sibling)
			if (c->v_type == VDIR)
				va->va_nlink++;
	}
}

/* Read from memory [data, data + size) at uio_offset. Return 0 or EFAULT;
 * reading at or past the end moves nothing. */
int
vn_read_memory(const void *data, uint64_t size, struct uio *uio)
{
	uint64_t off = uio->uio_offset;

	KASSERT(uio->uio_rw == UIO_READ);
	if (uio->uio_offset < 0)
		return EINVAL;
	if (off >= size)
		return 0;
	return uiomove((char *)data + off, MIN(size - off, uio->uio_resid), uio);
}

/* ---- the tree file system ---- */

static int tree_lookup(struct vnode *, const char *, size_t, struct vnode **);
static int tree_readdir(struct vnode *, off_t *, struct vfs_dirent *);
static int tree_read(struct vnode *, struct uio *, int);

static const struct vops tree_dir_vops = {
	.vop_lookup = tree_lookup,
	.vop_readdir = tree_readdir,
};
static const struct vops tree_file_vops = {
	.vop_read = tree_read,
};

/* Return true if name is a valid component: not empty, "." or "..", no '/'
 * or NUL, at most NAME_MAX bytes. */
static bool
vfs_name_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > NAME_MAX)
		return false;
	if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
		return false;
	for (i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == '\0')
			return false;
	return true;
}

/* Order names as memcmp does, a prefix first. */
static int
vfs_name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, MIN(alen, blen));

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Return a new empty tree (its root directory), or NULL. */
struct vnode *
vfs_tree_create(uint32_t perm)
{
	struct vnode *root = vnode_alloc();

	if (root == NULL)
		return NULL;
	root->v_type = VDIR;
	root->v_mode = S_IFDIR | (perm & 07777);
	root->v_op = &tree_dir_vops;
	root->v_parent = root;
	return root;
}

/* Add an entry to tree directory dvp; see vfs.h. */
int
vfs_tree_add(struct vnode *dvp, const char *name, size_t namelen,
    uint32_t mode, const void *data, uint64_t size,
    const struct vops *devops, struct vnode **vpp)
{
	struct vnode *vp, **linkp;
	enum vtype type;

	if (dvp->v_type != VDIR)
		return ENOTDIR;
	if (dvp->v_op != &tree_dir_vops)
		return EROFS;
	if (!vfs_name_valid(name, namelen))
		return EINVAL;
	switch (mode & S_IFMT) {
	case S_IFDIR:
		type = VDIR;
		break;
	case S_IFREG:
		type = VREG;
		break;
	case S_IFCHR:
		type = VCHR;
		break;
	default:
		return EINVAL;
	}
	if ((type == VCHR) != (devops != NULL) || (type != VREG && size != 0))
		return EINVAL;
	for (linkp = &dvp->v_child; *linkp != NULL; linkp = &(*linkp)->v_sibling) {
		int c = vfs_name_cmp((*linkp)->v_name, (*linkp)->v_namelen,
		    name, namelen);

		if (c == 0)
			return EEXIST;
		if (c > 0)
			break;
	}
	if ((vp = vnode_alloc()) == NULL)
		return ENOMEM;
	vp->v_type = type;
	vp->v_mode = mode;
	vp->v_op = type == VDIR ? &tree_dir_vops :
	    type == VREG ? &tree_file_vops : devops;
	vp->v_parent = dvp;
	vp->v_name = name;
	vp->v_namelen = namelen;
	vp->v_data = data;
	vp->v_size = size;
	vp->v_sibling = *linkp;
	*linkp = vp;
	if (vpp != NULL)
		*vpp = vp;
	return 0;
}

/* Free a tree made by vfs_tree_create; nothing may hold its vnodes. */
void
vfs_tree_free(struct vnode *root)
{
	struct vnode *vp = root, *parent;

	KASSERT(root->v_parent == root && root->v_covered == NULL);
	for (;;) {
		if (vp->v_child != NULL) {
			vp = vp->v_child;
			continue;
		}
		if (__atomic_sub_fetch(&vp->v_usecount, 1, __ATOMIC_ACQ_REL) != 0)
			panic("vfs_tree_free: vnode %p still referenced", vp);
		parent = vp->v_parent;
		if (vp == root) {
			vnode_free(vp);
			return;
		}
		parent->v_child = vp->v_sibling;
		vnode_free(vp);
		vp = parent;
	}
}

/* Find name in a tree directory. */
static int
tree_lookup(struct vnode *dvp, const char *name, size_t namelen,
    struct vnode **vpp)
{
	struct vnode *c;

	for (c = dvp->v_child; c != NULL; c = c->v_sibling)
		if (vfs_name_cmp(c->v_name, c->v_namelen, name, namelen) == 0) {
			vref(c);
			*vpp = c;
			return 0;
		}
	return ENOENT;
}

/* The entry of a tree directory at cookie VFS_COOKIE_FIRST + index. */
static int
tree_readdir(struct vnode *dvp, off_t *cookiep, struct vfs_dirent *d)
{
	struct vnode *c = dvp->v_child;
	off_t i;

	if (*cookiep < VFS_COOKIE_FIRST)
		*cookiep = VFS_COOKIE_FIRST;
	for (i = VFS_COOKIE_FIRST; c != NULL && i < *cookiep; i++)
		c = c->v_sibling;
	if (c == NULL)
		return ENOENT;
	d->vd_ino = c->v_ino;
	d->vd_type = c->v_type == VDIR ? DT_DIR : c->v_type == VREG ? DT_REG :
	    DT_CHR;
	d->vd_namelen = c->v_namelen;
	memcpy(d->vd_name, c->v_name, c->v_namelen);
	d->vd_name[c->v_namelen] = '\0';
	(*cookiep)++;
	return 0;
}

static int
tree_read(struct vnode *vp, struct uio *uio, int ioflag __unused)
{
	return vn_read_memory(vp->v_data, vp->v_size, uio);
}

/* ---- the namespace ---- */

/* Make root the namespace's root. Once, at boot. */
void
vfs_mountroot(struct vnode *root)
{
	KASSERT(rootvnode == NULL && root->v_type == VDIR);
	__atomic_store_n(&rootvnode, root, __ATOMIC_RELEASE);
}

/* Mount fsroot on the directory path (a static string); boot only. */
int
vfs_mount(const char *path, struct vnode *fsroot)
{
	const char *slash = path + strlen(path);
	struct vnode *dvp, *vp;
	char parent[PATH_MAX];
	int error;

	KASSERT(fsroot->v_type == VDIR && fsroot->v_covered == NULL);
	while (slash > path && slash[-1] != '/')
		slash--;
	if (slash == path || (size_t)(slash - path) >= sizeof(parent))
		return EINVAL;
	memcpy(parent, path, slash - path);
	parent[slash - path] = '\0';
	if ((error = vfs_lookup(rootvnode, rootvnode, parent, &dvp)) != 0)
		return error;
	error = tree_lookup(dvp, slash, strlen(slash), &vp);
	if (error == ENOENT) {
		error = vfs_tree_add(dvp, slash, strlen(slash), S_IFDIR | 0555,
		    NULL, 0, NULL, &vp);
		if (error == 0)
			vref(vp);
	}
	vrele(dvp);
	if (error != 0)
		return error;
	error = vp->v_type != VDIR ? ENOTDIR : vp->v_mountedhere ? EBUSY : 0;
	if (error != 0) {
		vrele(vp);
		return error;
	}
	fsroot->v_covered = vp;		/* keeps the reference */
	__atomic_store_n(&vp->v_mountedhere, fsroot, __ATOMIC_RELEASE);
	return 0;
}

/* The directory ".." names from vp, within root (no reference taken). */
static struct vnode *
vfs_dotdot(struct vnode *root, struct vnode *vp)
{
	while (vp != root && vp->v_covered != NULL)
		vp = vp->v_covered;
	return vp == root ? root : vp->v_parent;
}

/* Resolve path from root or cwd; see vfs.h. */
int
vfs_lookup(struct vnode *root, struct vnode *cwd, const char *path,
    struct vnode **vpp)
{
	struct vnode *vp, *next, *m;
	const char *p = path, *comp;
	size_t len;
	int error;

	KASSERT(root != NULL && cwd != NULL);
	if (path[0] == '\0')
		return ENOENT;
	if (strnlen(path, PATH_MAX) == PATH_MAX)
		return ENAMETOOLONG;
	vp = *p == '/' ? root : cwd;
	vref(vp);
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		for (comp = p; *p != '\0' && *p != '/'; p++)
			;
		len = p - comp;
		error = vp->v_type != VDIR ? ENOTDIR :
		    len > NAME_MAX ? ENAMETOOLONG : 0;
		if (error != 0) {
			vrele(vp);
			return error;
		}
		if (len == 1 && comp[0] == '.')
			continue;
		if (len == 2 && comp[0] == '.' && comp[1] == '.') {
			next = vfs_dotdot(root, vp);
			vref(next);
		} else {
			error = vp->v_op->vop_lookup(vp, comp, len, &next);
			if (error != 0) {
				vrele(vp);
				return error;
			}
			while ((m = __atomic_load_n(&next->v_mountedhere,
			    __ATOMIC_ACQUIRE)) != NULL) {
				vref(m);
				vrele(next);
				next = m;
			}
		}
		vrele(vp);
		vp = next;
	}
	if (p > path && p[-1] == '/' && vp->v_type != VDIR) {
		vrele(vp);
		return ENOTDIR;
	}
	*vpp = vp;
	return 0;
}

/* Fill uio with dirent64 records of vp from *cookiep on; see vfs.h. */
int
vfs_getdents(struct vnode *vp, off_t *cookiep, struct uio *uio, size_t *donep)
{
	union {
		struct dirent64 d;
		char	buf[offsetof(struct dirent64, d_name) + NAME_MAX + 8];
	} rec;
	struct vfs_dirent d;
	size_t reclen;
	off_t next;
	int error;

	*donep = 0;
	if (vp->v_type != VDIR)
		return ENOTDIR;
	for (;;) {
		next = *cookiep;
		if (next < 0)
			return EINVAL;
		if (next < VFS_COOKIE_FIRST) {
			struct vnode *e = next == 0 ? vp : vfs_dotdot(rootvnode, vp);

			d.vd_ino = e->v_ino;
			d.vd_type = DT_DIR;
			d.vd_namelen = next + 1;
			strlcpy(d.vd_name, "..", next + 2);
			next++;
		} else if ((error = vp->v_op->vop_readdir(vp, &next, &d)) != 0)
			return error == ENOENT ? 0 : error;
		reclen = roundup(offsetof(struct dirent64, d_name) +
		    d.vd_namelen + 1, 8);
		if (reclen > uio->uio_resid)
			return *donep == 0 ? EINVAL : 0;
		memset(&rec, 0, reclen);
		rec.d.d_ino = d.vd_ino;
		rec.d.d_off = next;
		rec.d.d_reclen = reclen;
		rec.d.d_type = d.vd_type;
		memcpy(rec.d.d_name, d.vd_name, d.vd_namelen);
		if ((error = uiomove(&rec, reclen, uio)) != 0)
			return error;
		*donep += reclen;
		*cookiep = next;
	}
}

/* ---- vnode files ---- */

/* Return true if the file's offset means something (files, directories). */
static bool
vn_seekable(struct vnode *vp)
{
	return vp->v_type == VREG || vp->v_type == VDIR;
}

static int
vn_fo_rw(struct file *fp, struct uio *uio)
{
	struct vnode *vp = fp->f_data;
	int ioflag = (fp->f_flag & FNONBLOCK) ? IO_NDELAY : 0;
	int (*op)(struct vnode *, struct uio *, int);
	size_t resid = uio->uio_resid;
	int error;

	if (vp->v_type == VDIR)
		return EISDIR;
	op = uio->uio_rw == UIO_READ ? vp->v_op->vop_read : vp->v_op->vop_write;
	if (op == NULL)
		return EINVAL;
	if (!vn_seekable(vp)) {
		uio->uio_offset = 0;
		return op(vp, uio, ioflag);
	}
	mtx_enter(&fp->f_poslock);
	uio->uio_offset = fp->f_offset;
	error = op(vp, uio, ioflag);
	fp->f_offset += resid - uio->uio_resid;
	mtx_leave(&fp->f_poslock);
	return error;
}

static int
vn_fo_ioctl(struct file *fp, unsigned long cmd, void *data)
{
	struct vnode *vp = fp->f_data;

	if (vp->v_op->vop_ioctl == NULL)
		return ENOTTY;
	return vp->v_op->vop_ioctl(vp, cmd, data);
}

static int
vn_fo_seek(struct file *fp, off_t off, int whence, off_t *resp)
{
	struct vnode *vp = fp->f_data;
	off_t base;
	int error = 0;

	if (!vn_seekable(vp))
		return ESPIPE;
	mtx_enter(&fp->f_poslock);
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = fp->f_offset;
		break;
	case SEEK_END:
		base = vp->v_size;
		break;
	default:
		error = EINVAL;
		break;
	}
	if (error == 0 && (__builtin_add_overflow(base, off, resp) || *resp < 0))
		error = EINVAL;
	if (error == 0)
		fp->f_offset = *resp;
	mtx_leave(&fp->f_poslock);
	return error;
}

static void
vn_fo_close(struct file *fp)
{
	vrele(fp->f_data);
}

static const struct fileops vn_fileops = {
	.fo_read = vn_fo_rw,
	.fo_write = vn_fo_rw,
	.fo_ioctl = vn_fo_ioctl,
	.fo_seek = vn_fo_seek,
	.fo_close = vn_fo_close,
};

/* Open path with Linux O_* flags; see vfs.h. */
int
vn_open(struct vnode *root, struct vnode *cwd, const char *path, int flags,
    struct file **fpp)
{
	int acc = flags & O_ACCMODE, fflag = 0, error;
	struct vnode *vp;
	struct file *fp;

	if (acc == O_ACCMODE)
		return EINVAL;
	error = vfs_lookup(root, cwd, path, &vp);
	if (error == ENOENT && (flags & O_CREAT))
		return EROFS;
	if (error != 0)
		return error;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		error = EEXIST;
	else if ((flags & O_DIRECTORY) && vp->v_type != VDIR)
		error = ENOTDIR;
	else if (vp->v_type == VDIR && (acc != O_RDONLY || (flags & O_TRUNC)))
		error = EISDIR;
	else if ((acc != O_RDONLY || (flags & O_TRUNC)) &&
	    vp->v_op->vop_write == NULL)
		error = EROFS;
	else if (vp->v_op->vop_open != NULL)
		error = vp->v_op->vop_open(&vp, flags);
	if (error != 0) {
		vrele(vp);
		return error;
	}
	if (acc != O_WRONLY)
		fflag |= FREAD;
	if (acc != O_RDONLY)
		fflag |= FWRITE;
	if (flags & O_NONBLOCK)
		fflag |= FNONBLOCK;
	if (flags & O_APPEND)
		fflag |= FAPPEND;
	if ((fp = file_alloc(DTYPE_VNODE, fflag, &vn_fileops, vp)) == NULL) {
		vrele(vp);
		return ENOMEM;
	}
	*fpp = fp;
	return 0;
}

/* open(2) relative to the namespace root (no process cwd yet). */
int
doopen(struct filedesc *fdp, const char *path, int flags, int *retval)
{
	struct file *fp;
	int error;

	if (rootvnode == NULL)
		return ENOENT;
	if (!fd_avail(fdp))
		return EMFILE;			/* before the lookup, as Linux */
	if ((error = vn_open(rootvnode, rootvnode, path, flags, &fp)) != 0)
		return error;
	error = fdinstall(fdp, fp, (flags & O_CLOEXEC) ? UF_EXCLOSE : 0, retval);
	if (error != 0)
		FRELE(fp);
	return error;
}

/* getdents64(2): records from the directory open at fd. */
int
dogetdents(struct filedesc *fdp, int fd, struct uio *uio, size_t *retval)
{
	struct file *fp;
	int error;

	if ((error = fd_getfile(fdp, fd, &fp)) != 0)
		return error;
	if (fp->f_type != DTYPE_VNODE)
		error = ENOTDIR;
	else if (!(fp->f_flag & FREAD))
		error = EBADF;
	else {
		mtx_enter(&fp->f_poslock);
		error = vfs_getdents(fp->f_data, &fp->f_offset, uio, retval);
		mtx_leave(&fp->f_poslock);
	}
	FRELE(fp);
	return error;
}

/* Mount the initrd at / (an empty root if there is none), /dev and /proc. */
void
vfs_init(void)
{
	struct vnode *root, *dev;
	int error;

	pool_init(&vnode_pool, sizeof(struct vnode), 8, "vnode");
	filedesc_init();
	pipe_init();
	if ((root = initrd_mount()) == NULL && (root = vfs_tree_create(0755)) == NULL)
		panic("vfs_init: no memory for the root");
	vfs_mountroot(root);
	if ((dev = vfs_tree_create(0755)) == NULL)
		panic("vfs_init: no memory for /dev");
	error = vfs_tree_add(dev, "console", 7, S_IFCHR | 0620, NULL, 0,
	    &devcons_vops, NULL);
	if (error == 0)
		error = vfs_mount("/dev", dev);
	if (error == 0)
		error = vfs_mount("/proc", procfs_init());
	if (error != 0)
		panic("vfs_init: mounting /dev and /proc: error %d", error);
}
