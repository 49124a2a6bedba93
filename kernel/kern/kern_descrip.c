/*
 * kern/kern_descrip.c: open files (struct file, file_pool) and descriptor
 * tables (struct filedesc, filedesc_pool), and the syscall bodies that work
 * on descriptors: close, dup, dup2, dup3, read, write, lseek, ioctl.
 *
 * RLIMIT_NOFILE bounds the descriptors a process may make, as in Linux
 * and OpenBSD: a new lowest free one (fdinstall: open, pipe, dup) at or
 * above the calling process's soft limit is EMFILE, dup2/dup3 onto one
 * is EBADF. The limit is the caller's, not the table's (a table may be
 * shared); descriptors already above a lowered limit stay usable.
 * Kernel threads may use the whole table.
 *
 * Locks: fd_lock (a spinlock) guards one table's slots; it is never held
 * while a file is closed or used, so a close that wakes or frees runs with
 * no table lock. f_poslock (a sleeping mutex, taken by the file ops) guards
 * a file's offset. Reference counts are atomic.
 *
 * Lifecycle: file_alloc makes a file with one reference; descriptors and
 * calls in flight hold references; the last FRELE calls fo_close and frees
 * it. fdinit makes a table with one reference; fdshare adds one; the last
 * fdfree closes every descriptor and frees it.
 */
#include "lib.h"
#include "pool.h"
#include "file.h"
#include "proc.h"

static struct pool file_pool;
static struct pool filedesc_pool;

/* Create the file and table pools; once at boot (vfs_init). */
void
filedesc_init(void)
{
	pool_init(&file_pool, sizeof(struct file), 8, "file");
	pool_init(&filedesc_pool, sizeof(struct filedesc), 8, "filedesc");
}

/* ---- files ---- */

/* Return a new file with one reference, or NULL (ENOMEM). */
struct file *
file_alloc(int type, int flag, const struct fileops *ops, void *data)
{
	struct file *fp;

	KASSERT(ops != NULL && ops->fo_close != NULL);
	if ((fp = pool_get(&file_pool, PR_NOWAIT | PR_ZERO)) == NULL)
		return NULL;
	fp->f_count = 1;
	fp->f_type = type;
	fp->f_flag = flag;
	fp->f_ops = ops;
	fp->f_data = data;
	mtx_init(&fp->f_poslock, "f_poslock");
	return fp;
}

/* Add a reference; fp must already have one. */
void
FREF(struct file *fp)
{
	if (__atomic_fetch_add(&fp->f_count, 1, __ATOMIC_RELAXED) == 0)
		panic("FREF: file %p has no reference", fp);
}

/* Drop a reference; the last one closes and frees the file. */
void
FRELE(struct file *fp)
{
	uint32_t old = __atomic_fetch_sub(&fp->f_count, 1, __ATOMIC_ACQ_REL);

	if (old == 0)
		panic("FRELE: file %p reference count underflow", fp);
	if (old > 1)
		return;
	fp->f_ops->fo_close(fp);
	pool_put(&file_pool, fp);
}

/* ---- tables ---- */

/* Return a new empty table with one reference, or NULL. */
struct filedesc *
fdinit(void)
{
	struct filedesc *fdp;

	if ((fdp = pool_get(&filedesc_pool, PR_NOWAIT | PR_ZERO)) == NULL)
		return NULL;
	fdp->fd_refcnt = 1;
	spinlock_init(&fdp->fd_lock, "filedesc");
	return fdp;
}

/* CLONE_FILES: add a reference to fdp and return it. */
struct filedesc *
fdshare(struct filedesc *fdp)
{
	if (__atomic_fetch_add(&fdp->fd_refcnt, 1, __ATOMIC_RELAXED) == 0)
		panic("fdshare: table %p has no reference", fdp);
	return fdp;
}

/* fork: a new table with fdp's descriptors, sharing its files; or NULL. */
struct filedesc *
fdcopy(struct filedesc *fdp)
{
	struct filedesc *new;
	int fd;

	if ((new = fdinit()) == NULL)
		return NULL;
	spinlock_acquire(&fdp->fd_lock);
	for (fd = 0; fd < NOFILE; fd++) {
		if (fdp->fd_ofiles[fd] == NULL)
			continue;
		FREF(fdp->fd_ofiles[fd]);
		new->fd_ofiles[fd] = fdp->fd_ofiles[fd];
		new->fd_ofileflags[fd] = fdp->fd_ofileflags[fd];
	}
	new->fd_freefile = fdp->fd_freefile;
	new->fd_nopen = fdp->fd_nopen;
	spinlock_release(&fdp->fd_lock);
	return new;
}

/* Take the file out of slot fd (caller holds fd_lock); return it. */
static struct file *
fd_unused(struct filedesc *fdp, int fd)
{
	struct file *fp = fdp->fd_ofiles[fd];

	SPINLOCK_ASSERT_HELD(&fdp->fd_lock);
	KASSERT(fp != NULL);
	fdp->fd_ofiles[fd] = NULL;
	fdp->fd_ofileflags[fd] = 0;
	fdp->fd_nopen--;
	if (fd < fdp->fd_freefile)
		fdp->fd_freefile = fd;
	return fp;
}

/* Close every descriptor whose flags include mask (all if mask is 0). */
static void
fd_closemask(struct filedesc *fdp, uint8_t mask)
{
	struct file *fp;
	int fd;

	for (fd = 0; fd < NOFILE; fd++) {
		spinlock_acquire(&fdp->fd_lock);
		fp = NULL;
		if (fdp->fd_ofiles[fd] != NULL &&
		    (mask == 0 || (fdp->fd_ofileflags[fd] & mask)))
			fp = fd_unused(fdp, fd);
		spinlock_release(&fdp->fd_lock);
		if (fp != NULL)
			FRELE(fp);
	}
}

/* exit: drop a reference; the last one closes everything and frees fdp. */
void
fdfree(struct filedesc *fdp)
{
	uint32_t old = __atomic_fetch_sub(&fdp->fd_refcnt, 1, __ATOMIC_ACQ_REL);

	if (old == 0)
		panic("fdfree: table %p reference count underflow", fdp);
	if (old > 1)
		return;
	fd_closemask(fdp, 0);
	KASSERT(fdp->fd_nopen == 0);
	pool_put(&filedesc_pool, fdp);
}

/* exec: close every close-on-exec descriptor. */
void
fdcloseexec(struct filedesc *fdp)
{
	fd_closemask(fdp, UF_EXCLOSE);
}

/* Return the descriptors the calling process may make: its soft
 * RLIMIT_NOFILE, at most NOFILE (all of them for a kernel thread). */
static int
fdlimit(void)
{
	struct proc *p = curproc;
	rlim_t lim;

	if (p == NULL || (p->p_flag & P_SYSTEM))
		return NOFILE;
	lim = resource_limit(p->p_p, RLIMIT_NOFILE);
	return lim < NOFILE ? (int)lim : NOFILE;
}

/* Return the lowest free descriptor below lim, or -1 (EMFILE). Caller
 * holds fd_lock. */
static int
fdfind(struct filedesc *fdp, int lim)
{
	int fd;

	SPINLOCK_ASSERT_HELD(&fdp->fd_lock);
	KASSERT(lim <= NOFILE);
	for (fd = fdp->fd_freefile; fd < lim; fd++)
		if (fdp->fd_ofiles[fd] == NULL)
			return fd;
	return -1;
}

/* fdfind for a descriptor the caller fills at once: fd_freefile moves
 * past it. Caller holds fd_lock. */
static int
fdalloc(struct filedesc *fdp, int lim)
{
	int fd = fdfind(fdp, lim);

	if (fd >= 0)
		fdp->fd_freefile = fd + 1;
	return fd;
}

/* Install fp at the lowest free descriptor below the caller's
 * RLIMIT_NOFILE; the reference moves to it. 0, or EMFILE. */
int
fdinstall(struct filedesc *fdp, struct file *fp, int uflags, int *fdout)
{
	int lim = fdlimit(), fd;

	KASSERT(fp != NULL);
	spinlock_acquire(&fdp->fd_lock);
	if ((fd = fdalloc(fdp, lim)) < 0) {
		spinlock_release(&fdp->fd_lock);
		return EMFILE;
	}
	fdp->fd_ofiles[fd] = fp;
	fdp->fd_ofileflags[fd] = uflags;
	fdp->fd_nopen++;
	spinlock_release(&fdp->fd_lock);
	*fdout = fd;
	return 0;
}

/* Return whether a descriptor below the caller's RLIMIT_NOFILE is free.
 * open asks before its lookup: Linux takes the slot first, so a full
 * table is EMFILE whatever the path (another thread may still take the
 * slot before fdinstall, which then says EMFILE itself). */
bool
fd_avail(struct filedesc *fdp)
{
	int lim = fdlimit(), fd;

	spinlock_acquire(&fdp->fd_lock);
	fd = fdfind(fdp, lim);
	spinlock_release(&fdp->fd_lock);
	return fd >= 0;
}

/* Return 0 and a referenced file for fd, or EBADF. */
int
fd_getfile(struct filedesc *fdp, int fd, struct file **fpp)
{
	struct file *fp = NULL;

	if (fd < 0 || fd >= NOFILE)
		return EBADF;
	spinlock_acquire(&fdp->fd_lock);
	if ((fp = fdp->fd_ofiles[fd]) != NULL)
		FREF(fp);
	spinlock_release(&fdp->fd_lock);
	if (fp == NULL)
		return EBADF;
	*fpp = fp;
	return 0;
}

/* Return fd's UF_* flags, or -1 (EBADF). */
int
fd_getflags(struct filedesc *fdp, int fd)
{
	int flags = -1;

	if (fd < 0 || fd >= NOFILE)
		return -1;
	spinlock_acquire(&fdp->fd_lock);
	if (fdp->fd_ofiles[fd] != NULL)
		flags = fdp->fd_ofileflags[fd];
	spinlock_release(&fdp->fd_lock);
	return flags;
}

/* ---- syscall bodies ---- */

/* close(2). */
int
doclose(struct filedesc *fdp, int fd)
{
	struct file *fp = NULL;

	if (fd < 0 || fd >= NOFILE)
		return EBADF;
	spinlock_acquire(&fdp->fd_lock);
	if (fdp->fd_ofiles[fd] != NULL)
		fp = fd_unused(fdp, fd);
	spinlock_release(&fdp->fd_lock);
	if (fp == NULL)
		return EBADF;
	FRELE(fp);
	return 0;
}

/* dup(2): the lowest free descriptor, close-on-exec clear. */
int
dodup(struct filedesc *fdp, int old, int *retval)
{
	struct file *fp;
	int error;

	if ((error = fd_getfile(fdp, old, &fp)) != 0)
		return error;
	if ((error = fdinstall(fdp, fp, 0, retval)) != 0)
		FRELE(fp);
	return error;
}

/* dup2(2) and dup3(2); see file.h. */
int
dodup3(struct filedesc *fdp, int old, int new, int flags, bool dup3,
    int *retval)
{
	struct file *fp, *closed = NULL;
	int lim = fdlimit();

	if ((dup3 && (flags & ~O_CLOEXEC) != 0) || (!dup3 && flags != 0))
		return EINVAL;
	if (dup3 && old == new)		/* before any EBADF, as in Linux */
		return EINVAL;
	if (old < 0 || old >= NOFILE || new < 0 || new >= NOFILE)
		return EBADF;
	spinlock_acquire(&fdp->fd_lock);
	if ((fp = fdp->fd_ofiles[old]) == NULL) {
		spinlock_release(&fdp->fd_lock);
		return EBADF;
	}
	if (old == new) {			/* dup2 of an open one */
		spinlock_release(&fdp->fd_lock);
		*retval = new;
		return 0;
	}
	if (new >= lim) {			/* Linux: EBADF, not EMFILE */
		spinlock_release(&fdp->fd_lock);
		return EBADF;
	}
	FREF(fp);
	if (fdp->fd_ofiles[new] != NULL)
		closed = fd_unused(fdp, new);
	fdp->fd_ofiles[new] = fp;
	fdp->fd_ofileflags[new] = (flags & O_CLOEXEC) ? UF_EXCLOSE : 0;
	fdp->fd_nopen++;
	if (new == fdp->fd_freefile)
		fdp->fd_freefile++;	/* every slot up to new is used */
	spinlock_release(&fdp->fd_lock);
	if (closed != NULL)
		FRELE(closed);
	*retval = new;
	return 0;
}

/* read(2), readv(2), write(2), writev(2): move uio through fd's file. */
static int
dofilerw(struct filedesc *fdp, int fd, struct uio *uio, size_t *retval)
{
	bool rd = uio->uio_rw == UIO_READ;
	size_t resid = uio->uio_resid;
	struct file *fp;
	int (*op)(struct file *, struct uio *);
	int error;

	if ((error = fd_getfile(fdp, fd, &fp)) != 0)
		return error;
	op = rd ? fp->f_ops->fo_read : fp->f_ops->fo_write;
	if (!(fp->f_flag & (rd ? FREAD : FWRITE)))
		error = EBADF;
	else if (op == NULL)
		error = EINVAL;
	else
		error = op(fp, uio);
	FRELE(fp);
	/* A transfer cut short by an error reports what it moved. */
	if (error != 0 && uio->uio_resid != resid)
		error = 0;
	*retval = resid - uio->uio_resid;
	return error;
}

int
dofileread(struct filedesc *fdp, int fd, struct uio *uio, size_t *retval)
{
	KASSERT(uio->uio_rw == UIO_READ);
	return dofilerw(fdp, fd, uio, retval);
}

int
dofilewrite(struct filedesc *fdp, int fd, struct uio *uio, size_t *retval)
{
	KASSERT(uio->uio_rw == UIO_WRITE);
	return dofilerw(fdp, fd, uio, retval);
}

/* lseek(2). */
int
dolseek(struct filedesc *fdp, int fd, off_t off, int whence, off_t *retval)
{
	struct file *fp;
	int error;

	if ((error = fd_getfile(fdp, fd, &fp)) != 0)
		return error;
	error = fp->f_ops->fo_seek == NULL ? ESPIPE :
	    fp->f_ops->fo_seek(fp, off, whence, retval);
	FRELE(fp);
	return error;
}

/* ioctl(2); data is a kernel buffer the caller copies in and out. */
int
doioctl(struct filedesc *fdp, int fd, unsigned long cmd, void *data)
{
	struct file *fp;
	int error;

	if ((error = fd_getfile(fdp, fd, &fp)) != 0)
		return error;
	error = fp->f_ops->fo_ioctl == NULL ? ENOTTY :
	    fp->f_ops->fo_ioctl(fp, cmd, data);
	FRELE(fp);
	return error;
}
