/*
 * Open files and file descriptor tables (kern/kern_descrip.c), pipes
 * (kern/sys_pipe.c) and the console device (dev/devcons.c).
 *
 * A struct file is one open: what it refers to (a vnode or a pipe end), its
 * access flags and its offset. Descriptors in one or more tables, and calls
 * in progress, hold references (f_count); the last FRELE closes it.
 *
 * A struct filedesc is a table of descriptors. Threads made with CLONE_FILES
 * share one (fdshare adds a reference); fork copies it (fdcopy: a new table
 * whose descriptors refer to the same files); exit drops its reference
 * (fdfree: the last one closes every descriptor); exec closes the
 * close-on-exec ones (fdcloseexec).
 *
 * The do* functions are the bodies of the syscalls: they take kernel
 * values (a path already copied in, a uio over user or kernel buffers) and
 * return 0 or a positive errno; the syscall layer negates it.
 */
#ifndef _FILE_H_
#define _FILE_H_

#include "types.h"
#include "lock.h"
#include "vfs.h"

/* open flags (Linux x86-64 values) */
#define O_ACCMODE	0003
#define O_RDONLY	0000
#define O_WRONLY	0001
#define O_RDWR		0002
#define O_CREAT		0100
#define O_EXCL		0200
#define O_NOCTTY	0400
#define O_TRUNC		01000
#define O_APPEND	02000
#define O_NONBLOCK	04000
#define O_DIRECTORY	0200000
#define O_NOFOLLOW	0400000
#define O_CLOEXEC	02000000

/* lseek whence */
#define SEEK_SET	0
#define SEEK_CUR	1
#define SEEK_END	2

/* ioctl: the terminal window size (Linux's TIOCGWINSZ and struct winsize) */
#define TIOCGWINSZ	0x5413
struct winsize {
	uint16_t	ws_row, ws_col, ws_xpixel, ws_ypixel;
};

/* f_flag bits */
#define FREAD		0x01
#define FWRITE		0x02
#define FNONBLOCK	0x04
#define FAPPEND		0x08

/* f_type */
#define DTYPE_VNODE	1
#define DTYPE_PIPE	2

struct file;

/* What each kind of file does; NULL entries give the errno Linux gives. */
struct fileops {
	int	(*fo_read)(struct file *fp, struct uio *uio);
	int	(*fo_write)(struct file *fp, struct uio *uio);
	int	(*fo_ioctl)(struct file *fp, unsigned long cmd, void *data);
	/* lseek: return 0 and the new offset in *resp, or an errno. */
	int	(*fo_seek)(struct file *fp, off_t off, int whence, off_t *resp);
	/* The last reference went: release f_data. */
	void	(*fo_close)(struct file *fp);
};

struct file {
	uint32_t	f_count;	/* references [atomic] */
	int		f_type;		/* DTYPE_* [const] */
	int		f_flag;		/* F* [const] */
	const struct fileops *f_ops;	/* [const] */
	void		*f_data;	/* vnode or pipe end [const] */
	struct mutex	f_poslock;	/* serializes users of f_offset */
	off_t		f_offset;	/* [f_poslock] */
};

/* Return a new file (one reference) of type with ops, data and flags, or
 * NULL (ENOMEM). */
struct file *file_alloc(int type, int flag, const struct fileops *ops,
	    void *data);
/* Add a reference. */
void	FREF(struct file *fp);
/* Drop a reference; the last one closes the file and frees it. */
void	FRELE(struct file *fp);

#define NOFILE		128	/* descriptors per table (RLIMIT_NOFILE's
				 * default and ceiling) */
#define UF_EXCLOSE	0x01	/* close on exec */

struct filedesc {
	uint32_t	fd_refcnt;	/* threads sharing it [atomic] */
	struct spinlock	fd_lock;	/* guards the table */
	struct file	*fd_ofiles[NOFILE];	/* [fd_lock] */
	uint8_t		fd_ofileflags[NOFILE];	/* UF_* [fd_lock] */
	int		fd_freefile;	/* no free slot below it [fd_lock] */
	int		fd_nopen;	/* open descriptors [fd_lock] */
};

/* Create the file and table pools; once at boot (vfs_init). */
void	filedesc_init(void);
/* Return a new empty table (one reference), or NULL. */
struct filedesc *fdinit(void);
/* CLONE_FILES: add a reference to fdp and return it. */
struct filedesc *fdshare(struct filedesc *fdp);
/* fork: return a new table with fdp's descriptors and flags, referring to
 * the same files, or NULL. */
struct filedesc *fdcopy(struct filedesc *fdp);
/* exit: drop a reference; the last one closes every descriptor and frees
 * the table. */
void	fdfree(struct filedesc *fdp);
/* exec: close every close-on-exec descriptor. */
void	fdcloseexec(struct filedesc *fdp);

/* Install fp (the caller's reference moves to the table) at the lowest free
 * descriptor with flags UF_*; return 0 and it in *fdout, or EMFILE (none
 * free below the calling process's RLIMIT_NOFILE). */
int	fdinstall(struct filedesc *fdp, struct file *fp, int uflags, int *fdout);
/* Return whether a descriptor below the caller's RLIMIT_NOFILE is free. */
bool	fd_avail(struct filedesc *fdp);
/* Return 0 and a referenced file for fd, or EBADF. */
int	fd_getfile(struct filedesc *fdp, int fd, struct file **fpp);
/* Return fd's UF_* flags, or -1 (EBADF). */
int	fd_getflags(struct filedesc *fdp, int fd);

/* The bodies of the syscalls. *retval gets the result on success. */
int	doclose(struct filedesc *fdp, int fd);
int	dodup(struct filedesc *fdp, int old, int *retval);
/* dup2 (dup3 == false: old == new is allowed and checked) and dup3 (flags
 * 0 or O_CLOEXEC; old == new is EINVAL); new at or above the calling
 * process's RLIMIT_NOFILE is EBADF. */
int	dodup3(struct filedesc *fdp, int old, int new, int flags, bool dup3,
	    int *retval);
int	dofileread(struct filedesc *fdp, int fd, struct uio *uio, size_t *retval);
int	dofilewrite(struct filedesc *fdp, int fd, struct uio *uio, size_t *retval);
int	dolseek(struct filedesc *fdp, int fd, off_t off, int whence,
	    off_t *retval);
int	dogetdents(struct filedesc *fdp, int fd, struct uio *uio,
	    size_t *retval);
int	doioctl(struct filedesc *fdp, int fd, unsigned long cmd, void *data);
int	doopen(struct filedesc *fdp, const char *path, int flags, int *retval);
/* pipe2 (flags: O_CLOEXEC, O_NONBLOCK): fds[0] reads, fds[1] writes. */
int	dopipe(struct filedesc *fdp, int fds[2], int flags);

/* Pipes (kern/sys_pipe.c). */
#define PIPE_SIZE	4096	/* default buffer */
#define PIPE_BUF	4096	/* writes up to this size are atomic */
/* Create the pipe pool; once at boot (vfs_init). */
void	pipe_init(void);
/* Make a pipe with a buffer of size bytes (1..PAGE_SIZE): *rfp reads,
 * *wfp writes; flags as pipe2's. Return 0 or ENOMEM, EINVAL. */
int	pipe_create(size_t size, int flags, struct file **rfp, struct file **wfp);
/* Live pipes (for tests and /proc). [atomic] */
extern uint64_t pipe_count;

/* The console device (dev/devcons.c): its vnode ops, for /dev. */
extern const struct vops devcons_vops;

#endif
