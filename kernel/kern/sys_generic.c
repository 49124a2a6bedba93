/*
 * kern/sys_generic.c: the descriptor system calls (read, write, writev,
 * open, close, lseek, ioctl, pipe, pipe2, dup, dup2, dup3, getdents64).
 *
 * Each copies its user arguments in (paths with copyinstr, iovec arrays
 * with copyin), describes user buffers with a UIO_USERSPACE uio (uiomove
 * moves them with copyin/copyout) and calls the do* body of the file
 * layer (kern/kern_descrip.c) on the process's table. Owns nothing; no
 * locks of its own.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "malloc.h"
#include "vfs.h"
#include "file.h"
#include "proc.h"
#include "syscall.h"

#define MAX_RW_COUNT	0x7ffff000UL	/* Linux's cap on one transfer */
#define UIO_MAXIOV	1024		/* iovecs in one writev */
#define IOV_CHUNK	(PAGE_SIZE / sizeof(struct iovec)) /* copied at a time */

/* Describe n user iovecs iov as a uio. */
static void
uio_init_user(struct uio *uio, struct iovec *iov, int n, size_t len,
    enum uio_rw rw)
{
	uio->uio_iov = iov;
	uio->uio_iovcnt = n;
	uio->uio_offset = 0;
	uio->uio_resid = len;
	uio->uio_segflg = UIO_USERSPACE;
	uio->uio_rw = rw;
}

/* read or write count bytes at buf through fd. */
static long
sys_rw1(struct proc *p, const uint64_t args[6], enum uio_rw rw)
{
	struct iovec iov = { (void *)args[1], MIN(args[2], MAX_RW_COUNT) };
	struct uio uio;
	size_t n;
	int error;

	uio_init_user(&uio, &iov, 1, iov.iov_len, rw);
	error = rw == UIO_READ ?
	    dofileread(p->p_p->ps_fd, (int)args[0], &uio, &n) :
	    dofilewrite(p->p_p->ps_fd, (int)args[0], &uio, &n);
	return error != 0 ? -error : (long)n;
}

long
sys_read(struct proc *p, const uint64_t *args)
{
	return sys_rw1(p, args, UIO_READ);
}

long
sys_write(struct proc *p, const uint64_t *args)
{
	return sys_rw1(p, args, UIO_WRITE);
}

/* writev(fd, iov, iovcnt): the array is copied in a page at a time; a
 * chunk written short ends the call. */
long
sys_writev(struct proc *p, const uint64_t *args)
{
	const struct iovec *uiov = (const struct iovec *)args[1];
	long cnt = (long)(int)args[2], i, k, total = 0;
	struct iovec *kiov;
	struct uio uio;
	size_t len, n;
	int error = 0;

	if (cnt < 0 || cnt > UIO_MAXIOV)
		return -EINVAL;
	if ((kiov = kmalloc(PAGE_SIZE, M_NOWAIT)) == NULL)
		return -ENOMEM;
	for (i = 0; i < cnt && error == 0; i += k) {
		k = MIN(cnt - i, (long)IOV_CHUNK);
		if ((error = copyin(uiov + i, kiov, k * sizeof(*kiov))) != 0)
			break;
		for (len = 0, n = 0; n < (size_t)k; n++) {
			if (kiov[n].iov_len > MAX_RW_COUNT - len) {
				error = EINVAL;
				break;
			}
			len += kiov[n].iov_len;
		}
		if (error != 0)
			break;
		uio_init_user(&uio, kiov, k, len, UIO_WRITE);
		if ((error = dofilewrite(p->p_p->ps_fd, (int)args[0], &uio, &n)) != 0)
			break;
		total += n;
		if (n < len)
			break;
	}
	kfree(kiov, PAGE_SIZE);
	return total > 0 ? total : -error;
}

/* Copy a user path into a new PATH_MAX buffer; return it, or NULL with
 * the errno (ENOENT for an empty path) in *errorp. */
static char *
path_copyin(uint64_t upath, int *errorp)
{
	char *path = kmalloc(PATH_MAX, M_NOWAIT);

	if (path == NULL) {
		*errorp = ENOMEM;
		return NULL;
	}
	*errorp = copyinstr((const char *)upath, path, PATH_MAX, NULL);
	if (*errorp == 0 && path[0] == '\0')
		*errorp = ENOENT;
	if (*errorp != 0) {
		kfree(path, PATH_MAX);
		return NULL;
	}
	return path;
}

/* open(path, flags, mode) */
long
sys_open(struct proc *p, const uint64_t *args)
{
	char *path;
	int error, fd;

	if ((path = path_copyin(args[0], &error)) == NULL)
		return -error;
	error = doopen(p->p_p->ps_fd, path, (int)args[1], &fd);
	kfree(path, PATH_MAX);
	return error != 0 ? -error : fd;
}

long
sys_close(struct proc *p, const uint64_t *args)
{
	return -doclose(p->p_p->ps_fd, (int)args[0]);
}

/* lseek(fd, offset, whence) */
long
sys_lseek(struct proc *p, const uint64_t *args)
{
	off_t off;
	int error = dolseek(p->p_p->ps_fd, (int)args[0], (off_t)args[1],
	    (int)args[2], &off);

	return error != 0 ? -error : off;
}

/* ioctl(fd, cmd, arg): TIOCGWINSZ copies the answer out; every other
 * command gets what the file says (ENOTTY) with a kernel scratch buffer. */
long
sys_ioctl(struct proc *p, const uint64_t *args)
{
	unsigned long cmd = (unsigned int)args[1];
	struct winsize ws;
	int error;

	memset(&ws, 0, sizeof(ws));
	error = doioctl(p->p_p->ps_fd, (int)args[0], cmd, &ws);
	if (error == 0 && cmd == TIOCGWINSZ)
		error = copyout(&ws, (void *)args[2], sizeof(ws));
	return -error;
}

/* pipe2 body: make the pipe, store the descriptors; undo on EFAULT. */
static long
sys_pipe_common(struct proc *p, uint64_t ufds, int flags)
{
	struct filedesc *fdp = p->p_p->ps_fd;
	int fds[2], error;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	if ((error = dopipe(fdp, fds, flags)) != 0)
		return -error;
	if (copyout(fds, (void *)ufds, sizeof(fds)) != 0) {
		doclose(fdp, fds[0]);
		doclose(fdp, fds[1]);
		return -EFAULT;
	}
	return 0;
}

long
sys_pipe(struct proc *p, const uint64_t *args)
{
	return sys_pipe_common(p, args[0], 0);
}

long
sys_pipe2(struct proc *p, const uint64_t *args)
{
	return sys_pipe_common(p, args[0], (int)args[1]);
}

long
sys_dup(struct proc *p, const uint64_t *args)
{
	int fd, error = dodup(p->p_p->ps_fd, (int)args[0], &fd);

	return error != 0 ? -error : fd;
}

long
sys_dup2(struct proc *p, const uint64_t *args)
{
	int fd, error = dodup3(p->p_p->ps_fd, (int)args[0], (int)args[1], 0,
	    false, &fd);

	return error != 0 ? -error : fd;
}

long
sys_dup3(struct proc *p, const uint64_t *args)
{
	int fd, error = dodup3(p->p_p->ps_fd, (int)args[0], (int)args[1],
	    (int)args[2], true, &fd);

	return error != 0 ? -error : fd;
}

/* getdents64(fd, buf, count) */
long
sys_getdents64(struct proc *p, const uint64_t *args)
{
	struct iovec iov = { (void *)args[1], (unsigned int)args[2] };
	struct uio uio;
	size_t n;
	int error;

	uio_init_user(&uio, &iov, 1, iov.iov_len, UIO_READ);
	error = dogetdents(p->p_p->ps_fd, (int)args[0], &uio, &n);
	return error != 0 ? -error : (long)n;
}
