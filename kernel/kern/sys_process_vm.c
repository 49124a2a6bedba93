/*
 * kern/sys_process_vm.c: process_vm_readv and process_vm_writev.
 *
 * Both walk two user iovec arrays (the caller's, "local", and the target's,
 * "remote") a page of entries at a time and move the bytes piece by piece
 * through process_domem_pinned, with the target's vmspace pinned by the
 * reader protocol of sys_process.c for the whole transfer. Linux's rules:
 * every local piece is checked before anything moves, a transfer stops at
 * the first remote piece that fails, and returns the bytes moved, an error
 * only if none was. Owns no state and no locks.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "malloc.h"
#include "proc.h"
#include "syscall.h"
#include "ptrace.h"
#include "vfs.h"

#define IOV_MAX		1024		/* Linux's UIO_MAXIOV */
#define MAX_RW_COUNT	0x7ffff000UL	/* Linux's cap on one transfer */
#define IOV_CHUNK	(PAGE_SIZE / sizeof(struct iovec))

/* A walk over a user iovec array, copied in a page of entries at a time. */
struct iov_walk {
	const struct iovec *iw_uiov;	/* the user array */
	size_t		iw_cnt;		/* entries in it */
	size_t		iw_next;	/* index of the next entry to load */
	struct iovec	*iw_buf;	/* a page of entries */
	size_t		iw_base, iw_nbuf; /* index of iw_buf[0], entries held */
};

/* Return entry i of the walk in *iov; 0 or EFAULT. */
static int
iov_walk_get(struct iov_walk *iw, size_t i, struct iovec *iov)
{
	int error;

	if (i < iw->iw_base || i >= iw->iw_base + iw->iw_nbuf) {
		iw->iw_base = i;
		iw->iw_nbuf = MIN(iw->iw_cnt - i, IOV_CHUNK);
		if ((error = copyin(iw->iw_uiov + i, iw->iw_buf,
		    iw->iw_nbuf * sizeof(struct iovec))) != 0) {
			iw->iw_nbuf = 0;
			return error;
		}
	}
	*iov = iw->iw_buf[i - iw->iw_base];
	return 0;
}

/* Check every entry as Linux's import_iovec does (a length above
 * SSIZE_MAX: EINVAL; local, a base that is no user range: EFAULT); return
 * 0 and the total in *totalp (local lengths capped at MAX_RW_COUNT), or an
 * errno. */
static int
iov_walk_check(struct iov_walk *iw, bool local, size_t *totalp)
{
	struct iovec iov;
	size_t i, total = 0;
	int error;

	for (i = 0; i < iw->iw_cnt; i++) {
		if ((error = iov_walk_get(iw, i, &iov)) != 0)
			return error;
		if ((ssize_t)iov.iov_len < 0)
			return EINVAL;
		if (local && !uaddr_ok(iov.iov_base, iov.iov_len))
			return EFAULT;
		total += local ? MIN(iov.iov_len, MAX_RW_COUNT - total) :
		    (iov.iov_len != 0);
	}
	*totalp = total;
	return 0;
}

/* Transfer between the local and remote arrays with rd pinned: pairs of
 * pieces, in order, until one side ends or a piece fails. Return 0 or the
 * errno that stopped it; the bytes moved in *donep. */
static int
process_vm_copy(struct process_reader *rd, struct iov_walk *lw,
    struct iov_walk *rw, size_t ltotal, bool write, size_t *donep)
{
	struct iovec l = { 0 }, r = { 0 }, piece;
	size_t li = 0, ri = 0, done = 0, n, moved;
	struct uio uio;
	char *bounce;
	int error = 0;

	if ((bounce = kmalloc(PAGE_SIZE, M_NOWAIT)) == NULL)
		return ENOMEM;
	while (done < ltotal) {
		while (l.iov_len == 0 && li < lw->iw_cnt && error == 0)
			error = iov_walk_get(lw, li++, &l);
		while (r.iov_len == 0 && ri < rw->iw_cnt && error == 0)
			error = iov_walk_get(rw, ri++, &r);
		if (error != 0 || l.iov_len == 0 || r.iov_len == 0)
			break;
		n = MIN(MIN(l.iov_len, r.iov_len), ltotal - done);
		piece = (struct iovec){ l.iov_base, n };
		uio = (struct uio){ .uio_iov = &piece, .uio_iovcnt = 1,
		    .uio_resid = n, .uio_segflg = UIO_USERSPACE,
		    .uio_rw = write ? UIO_WRITE : UIO_READ };
		error = process_domem_pinned(rd, 0, (vaddr_t)r.iov_base, &uio,
		    bounce, &moved);
		done += moved;
		if (error != 0)
			break;
		l.iov_base = (char *)l.iov_base + n;
		l.iov_len -= n;
		r.iov_base = (char *)r.iov_base + n;
		r.iov_len -= n;
	}
	kfree(bounce, PAGE_SIZE);
	*donep = done;
	return error;
}

/* process_vm_readv/writev(pid, lvec, liovcnt, rvec, riovcnt, flags):
 * the bytes moved, stopping at the first remote piece that fails; an
 * error only if nothing was moved. */
static long
process_vm_rw(struct proc *p, const uint64_t *args, bool write)
{
	struct iov_walk lw = { (const struct iovec *)args[1], args[2] };
	struct iov_walk rw = { (const struct iovec *)args[3], args[4] };
	struct process_reader rd;
	size_t ltotal, rpieces, done = 0;
	int error;

	if (args[5] != 0 || lw.iw_cnt > IOV_MAX || rw.iw_cnt > IOV_MAX)
		return -EINVAL;
	lw.iw_buf = kmalloc(PAGE_SIZE, M_NOWAIT);
	rw.iw_buf = kmalloc(PAGE_SIZE, M_NOWAIT);
	if (lw.iw_buf == NULL || rw.iw_buf == NULL)
		error = ENOMEM;
	else if ((error = iov_walk_check(&lw, true, &ltotal)) == 0 &&
	    ltotal > 0 && (error = iov_walk_check(&rw, false, &rpieces)) == 0 &&
	    rpieces > 0 &&
	    (error = process_read_begin(p, (pid_t)args[0], PMEM_PERM, &rd)) == 0) {
		error = process_vm_copy(&rd, &lw, &rw, ltotal, write, &done);
		process_read_end(&rd);
	}
	kfree(lw.iw_buf, PAGE_SIZE);
	kfree(rw.iw_buf, PAGE_SIZE);
	return done > 0 ? (long)done : -error;
}

long
sys_process_vm_readv(struct proc *p, const uint64_t *args)
{
	return process_vm_rw(p, args, false);
}

long
sys_process_vm_writev(struct proc *p, const uint64_t *args)
{
	return process_vm_rw(p, args, true);
}
