/*
 * The virtual file system (kern/vfs.c): vnodes, path lookup, mounts, the
 * in-memory tree file system the initrd and /dev are built in, and struct
 * uio, the descriptor every read and write moves data through.
 *
 * A vnode is a file, a directory or a device. Its type, ops and contents are
 * fixed when it is made ([const]); only its use count and, for a directory
 * that becomes a mount point, v_mountedhere change. The file system is
 * read-only: nothing is created or removed after a tree is built, except by
 * the file systems that make vnodes on demand (procfs), which free them on
 * the last vrele.
 *
 * Reference rules: vfs_lookup and vn_open return a referenced vnode; the
 * caller drops it with vrele. A tree's vnodes hold one reference each for the
 * tree, dropped by vfs_tree_free.
 */
#ifndef _VFS_H_
#define _VFS_H_

#include "types.h"
#include "errno.h"

#define NAME_MAX	255	/* bytes in a path component */
#define PATH_MAX	4096	/* bytes in a path, with its NUL */

/* ---- struct uio ---- */

enum uio_seg { UIO_SYSSPACE, UIO_USERSPACE };
enum uio_rw { UIO_READ, UIO_WRITE };

/* Linux's struct iovec (writev and readv pass arrays of them). */
struct iovec {
	void		*iov_base;
	size_t		iov_len;
};

/* A transfer between a kernel object and a caller's buffers. uiomove
 * advances it. UIO_READ moves data out of the kernel object into the
 * buffers; UIO_WRITE the other way. */
struct uio {
	struct iovec	*uio_iov;	/* the buffers; advanced by uiomove */
	int		uio_iovcnt;
	off_t		uio_offset;	/* position in the object */
	size_t		uio_resid;	/* bytes still to move */
	enum uio_seg	uio_segflg;	/* whether the buffers are the kernel's */
	enum uio_rw	uio_rw;
};

/* Make uio describe one kernel buffer. */
void	uio_init_kernel(struct uio *uio, struct iovec *iov, void *buf,
	    size_t len, off_t offset, enum uio_rw rw);
/* Move up to n bytes between kbuf and uio's buffers (direction uio_rw);
 * advance uio. Return 0 or EFAULT. THE SEAM for user memory: UIO_USERSPACE
 * buffers go through copyin/copyout (include/syscall.h), so the caller
 * must hold no spinlock for them. */
int	uiomove(void *kbuf, size_t n, struct uio *uio);

/* ---- vnodes ---- */

enum vtype { VNON, VREG, VDIR, VCHR };

/* Mode bits (Linux's st_mode values). */
#define S_IFMT		0170000
#define S_IFDIR		0040000
#define S_IFCHR		0020000
#define S_IFREG		0100000
#define S_IFLNK		0120000

/* d_type values of getdents64 */
#define DT_UNKNOWN	0
#define DT_CHR		2
#define DT_DIR		4
#define DT_REG		8

/* Linux's struct linux_dirent64, the record getdents64 returns. */
struct dirent64 {
	uint64_t	d_ino;
	int64_t		d_off;		/* cookie of the next entry */
	uint16_t	d_reclen;	/* record length, a multiple of 8 */
	uint8_t		d_type;
	char		d_name[];	/* NUL-terminated */
};

/* One directory entry as a file system reports it. */
struct vfs_dirent {
	uint64_t	vd_ino;
	uint8_t		vd_type;	/* DT_* */
	uint16_t	vd_namelen;
	char		vd_name[NAME_MAX + 1];
};

/* What stat reports of a vnode. */
struct vattr {
	enum vtype	va_type;
	uint32_t	va_mode;	/* S_IF* | permission bits */
	uint64_t	va_ino;
	uint64_t	va_size;
	uint32_t	va_nlink;
};

struct vnode;
struct file;

/*
 * A vnode's operations; any may be NULL (the VFS then answers with the
 * errno a read-only Unix file system gives). Offsets are in uio_offset.
 */
struct vops {
	/* Find name (namelen bytes, not ".", ".." or empty) in directory dvp;
	 * return 0 and a referenced vnode in *vpp, or ENOENT. */
	int	(*vop_lookup)(struct vnode *dvp, const char *name, size_t namelen,
		    struct vnode **vpp);
	/* Fill *d with the entry at cookie *cookiep or the first after it and
	 * set *cookiep to the cookie after that entry; return 0, or ENOENT at
	 * the end. Cookies start at VFS_COOKIE_FIRST. */
	int	(*vop_readdir)(struct vnode *dvp, off_t *cookiep,
		    struct vfs_dirent *d);
	/* Called by vn_open (flags: O_*): may replace *vpp by another
	 * referenced vnode that the file will use (procfs snapshots),
	 * dropping the reference on the old one. Return 0 or an errno. */
	int	(*vop_open)(struct vnode **vpp, int flags);
	int	(*vop_read)(struct vnode *vp, struct uio *uio, int ioflag);
	int	(*vop_write)(struct vnode *vp, struct uio *uio, int ioflag);
	/* data is a kernel buffer the syscall layer copies in or out. */
	int	(*vop_ioctl)(struct vnode *vp, unsigned long cmd, void *data);
	/* The last reference went: free what the file system allocated. */
	void	(*vop_inactive)(struct vnode *vp);
};

/* vop_read/vop_write ioflag */
#define IO_NDELAY	0x01	/* O_NONBLOCK: fail with EAGAIN rather than sleep */

/* The first cookie a vop_readdir sees: 0 and 1 are "." and "..". */
#define VFS_COOKIE_FIRST	2

struct vnode {
	uint32_t	v_usecount;	/* references [atomic] */
	enum vtype	v_type;		/* [const] */
	uint32_t	v_mode;		/* [const] */
	uint64_t	v_ino;		/* [const] */
	const struct vops *v_op;	/* [const] */
	struct vnode	*v_parent;	/* directory holding it; a file system's
					 * root points to itself [const] */
	struct vnode	*v_covered;	/* a mounted root: the directory it
					 * covers, or NULL [set by vfs_mount] */
	struct vnode	*v_mountedhere;	/* a mount point: the root mounted on
					 * it, or NULL [set by vfs_mount] */
	const char	*v_name;	/* tree nodes: name in the parent */
	uint16_t	v_namelen;	/* [const] */
	struct vnode	*v_child;	/* tree directories: first child, by
					 * name [const once the tree is built] */
	struct vnode	*v_sibling;	/* next child of v_parent [as v_child] */
	const void	*v_data;	/* regular files: contents [const] */
	uint64_t	v_size;		/* [const] */
	void		*v_fsdata;	/* the file system's own [const] */
	int64_t		v_fskey;	/* the file system's own (procfs: the
					 * pid) [const] */
};

/* Add a reference to vp. */
void	vref(struct vnode *vp);
/* Drop a reference; the last one calls vop_inactive. */
void	vrele(struct vnode *vp);
/* Return a zeroed vnode with one reference, or NULL (ENOMEM). */
struct vnode *vnode_alloc(void);
/* Give back a vnode whose last reference is gone (from vop_inactive). */
void	vnode_free(struct vnode *vp);
/* Fill *va from vp. */
void	vn_stat(struct vnode *vp, struct vattr *va);
/* Read from a memory-resident file's [v_data, v_data + v_size). */
int	vn_read_memory(const void *data, uint64_t size, struct uio *uio);

/* ---- the tree file system ---- */

/* Return a new empty tree (its root directory, mode perm), or NULL. */
struct vnode *vfs_tree_create(uint32_t perm);
/* Add name (namelen bytes, which must outlive the tree) to directory dvp:
 * a directory (mode S_IFDIR|perm), a regular file with contents data/size,
 * or a device with its ops. Return 0 and the new vnode (the tree's) in *vpp,
 * EEXIST, ENOTDIR, EINVAL (bad name or mode) or ENOMEM. */
int	vfs_tree_add(struct vnode *dvp, const char *name, size_t namelen,
	    uint32_t mode, const void *data, uint64_t size,
	    const struct vops *devops, struct vnode **vpp);
/* Free a tree made by vfs_tree_create; nothing may hold its vnodes. */
void	vfs_tree_free(struct vnode *root);

/* ---- names and mounts ---- */

/* The root of the file system namespace (the initrd), or NULL before it is
 * mounted. [set once at boot] */
extern struct vnode *rootvnode;

/* Make root the namespace's root. Once, at boot. */
void	vfs_mountroot(struct vnode *root);
/* Mount the file system whose root is fsroot on the directory named path,
 * which is made in its tree if missing. Return 0 or an errno. Boot only. */
int	vfs_mount(const char *path, struct vnode *fsroot);
/* Resolve path (absolute, or relative to cwd) starting at root ("/" and
 * ".." never leave it); return 0 and a referenced vnode in *vpp, or ENOENT,
 * ENOTDIR, ENAMETOOLONG, EINVAL (empty path). */
int	vfs_lookup(struct vnode *root, struct vnode *cwd, const char *path,
	    struct vnode **vpp);
/* Fill buffers with struct dirent64 records of directory vp from *cookiep
 * on, advancing it; *donep gets the bytes filled. Return 0 (with *donep 0
 * at the end), ENOTDIR, or EINVAL if the first record does not fit. */
int	vfs_getdents(struct vnode *vp, off_t *cookiep, struct uio *uio,
	    size_t *donep);

/* ---- the initrd (dev/initrd.c) ---- */

/* One member of a cpio newc archive. */
struct cpio_entry {
	const char	*ce_name;	/* NUL-terminated, in the archive */
	size_t		ce_namelen;	/* without the NUL */
	uint32_t	ce_mode;	/* S_IF* | permission bits */
	const void	*ce_data;	/* contents, in the archive */
	uint64_t	ce_size;
	size_t		ce_offset;	/* of its header in the archive */
};

/* Check every header of the newc archive [buf, buf + len) and call fn on
 * each member before the trailer. Return 0; EINVAL with a message in err
 * (errlen bytes) if the archive is corrupt; or fn's error. */
int	cpio_parse(const void *buf, size_t len,
	    int (*fn)(const struct cpio_entry *, void *), void *arg,
	    char *err, size_t errlen);
/* Build a tree of the archive, which must outlive it (the tree points into
 * it). Return 0 and its root in *rootp, or an errno with a message in err
 * (nothing left allocated). */
int	initrd_build(const void *buf, size_t len, struct vnode **rootp,
	    char *err, size_t errlen);
/* Build the tree of the boot module named "initrd"; NULL if there is none
 * or it is corrupt (reported). */
struct vnode *initrd_mount(void);

/* Start the VFS: mount the initrd at /, /dev and /proc. Once at boot. */
void	vfs_init(void);

/* Open the named file (Linux O_* flags) in the namespace rooted at root;
 * return 0 and a new struct file (one reference) in *fpp, or an errno. */
int	vn_open(struct vnode *root, struct vnode *cwd, const char *path,
	    int flags, struct file **fpp);

#endif
