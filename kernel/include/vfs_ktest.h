/*
 * Helpers shared by the file layer's in-kernel tests (kern/vfs_ktest.c,
 * kern/kern_descrip_ktest.c); defined in kern/vfs_ktest.c.
 */
#ifndef _VFS_KTEST_H_
#define _VFS_KTEST_H_

#include "types.h"
#include "ktest.h"
#include "file.h"

/* Live objects of the file layer's pools. */
struct vfskt_live {
	uint64_t	vnode, file, filedesc, pipe;
};

/* Snapshot the live counts of the file layer's pools. */
void	vfskt_live_get(struct vfskt_live *l);
/* Expect the counts to be back at base. */
void	vfskt_live_check(struct ktest *t, const struct vfskt_live *base);
/* Read or write through fd with a kernel buffer; return the count or -errno. */
ssize_t	vfskt_read(struct filedesc *fdp, int fd, void *buf, size_t len);
ssize_t	vfskt_write(struct filedesc *fdp, int fd, const void *buf, size_t len);
/* Open path under root and install it in fdp; return the fd or -errno. */
int	vfskt_open(struct filedesc *fdp, struct vnode *root, const char *path, int flags);
/* Read all of directory fd in bufsize chunks, counting each expected name
 * in seen[]. */
void	vfskt_getdents_all(struct ktest *t, struct filedesc *fdp, int fd,
	    size_t bufsize, const char *const *names, int nnames, int *seen);

#endif
