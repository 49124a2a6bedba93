/*
 * kern/sys_pipe.c: pipes. Owns struct pipe (pipe_pool) and its buffer, a
 * ring of pipe_size bytes from kmalloc, and the file ops of its two ends.
 *
 * Locks: pipe_lock (a spinlock) guards the ring's indices and the count of
 * open ends; readers and writers sleep on the pipe with it as interlock.
 * pipe_rlock and pipe_wlock (sleeping mutexes) let one reader and one
 * writer at a time move data, so data is copied to or from the ring with
 * pipe_lock dropped (a copy to user memory may fault): the reader owns the
 * filled part, the writer the free part. A write of at most PIPE_BUF bytes
 * that fits in the ring is never interleaved with another write.
 * Neither mutex is held across the sleep for data or space (pipe_wait),
 * as Linux drops pipe->mutex there: a thread waiting for the mutex sleeps
 * uninterruptibly, so were a sleeping reader to keep it, a signal sent to
 * another reader of the same pipe would wait for data to arrive (musl's
 * setuid signals each thread in turn and waits for it: two threads
 * blocked in read of one pipe hung it).
 *
 * Lifecycle: pipe_create makes the pipe and a file for each end; each end's
 * last FRELE closes it (readers reaching 0 makes writes fail with EPIPE,
 * writers reaching 0 makes reads see end of file); the second close frees
 * the pipe.
 */
#include "lib.h"
#include "param.h"
#include "pool.h"
#include "malloc.h"
#include "sched.h"
#include "file.h"
#include "proc.h"
#include "signal.h"

struct pipe {
	struct spinlock	pipe_lock;
	struct mutex	pipe_rlock;	/* held by the reader moving data */
	struct mutex	pipe_wlock;	/* held by the writer moving data */
	char		*pipe_buf;	/* [const] */
	size_t		pipe_size;	/* [const] */
	size_t		pipe_head;	/* first byte to read [pipe_lock] */
	size_t		pipe_count;	/* bytes in the ring [pipe_lock] */
	int		pipe_readers;	/* open read ends [pipe_lock] */
	int		pipe_writers;	/* open write ends [pipe_lock] */
};

static struct pool pipe_pool;
uint64_t pipe_count;

/* Create the pipe pool; once at boot (vfs_init). */
void
pipe_init(void)
{
	pool_init(&pipe_pool, sizeof(struct pipe), 8, "pipe");
}

/* Take m, or with FNONBLOCK fail with EAGAIN if another thread holds it. */
static int
pipe_lock_io(struct file *fp, struct mutex *m)
{
	if (!(fp->f_flag & FNONBLOCK)) {
		mtx_enter(m);
		return 0;
	}
	return mtx_enter_try(m) ? 0 : EAGAIN;
}

/* Sleep on pp for data or space, giving up io (the caller's I/O mutex)
 * meanwhile. Caller holds io and pp->pipe_lock, and holds both again on
 * return; 0 when woken, EINTR for a signal. */
static int
pipe_wait(struct pipe *pp, struct mutex *io, const char *wmesg)
{
	int error;

	SPINLOCK_ASSERT_HELD(&pp->pipe_lock);
	MUTEX_ASSERT_LOCKED(io);
	mtx_leave(io);
	error = msleep_sig(pp, &pp->pipe_lock, wmesg, 0);
	spinlock_release(&pp->pipe_lock);
	mtx_enter(io);
	spinlock_acquire(&pp->pipe_lock);
	return error;
}

/* Read what the ring holds, sleeping while it is empty and has a writer. */
static int
pipe_read(struct file *fp, struct uio *uio)
{
	struct pipe *pp = fp->f_data;
	size_t got = 0, n;
	int error;

	if ((error = pipe_lock_io(fp, &pp->pipe_rlock)) != 0)
		return error;
	spinlock_acquire(&pp->pipe_lock);
	while (uio->uio_resid > 0) {
		if (pp->pipe_count == 0) {
			if (got > 0 || pp->pipe_writers == 0)
				break;
			if (fp->f_flag & FNONBLOCK) {
				error = EAGAIN;
				break;
			}
			if ((error = pipe_wait(pp, &pp->pipe_rlock,
			    "piperd")) != 0)
				break;		/* EINTR: a signal */
			continue;
		}
		n = MIN(MIN(uio->uio_resid, pp->pipe_count),
		    pp->pipe_size - pp->pipe_head);
		spinlock_release(&pp->pipe_lock);
		error = uiomove(pp->pipe_buf + pp->pipe_head, n, uio);
		spinlock_acquire(&pp->pipe_lock);
		if (error != 0)
			break;
		pp->pipe_head = (pp->pipe_head + n) % pp->pipe_size;
		pp->pipe_count -= n;
		got += n;
		wakeup(pp);
	}
	spinlock_release(&pp->pipe_lock);
	mtx_leave(&pp->pipe_rlock);
	return error;
}

/* Write everything, sleeping while the ring is full and has a reader. */
static int
pipe_write(struct file *fp, struct uio *uio)
{
	struct pipe *pp = fp->f_data;
	bool atomic = uio->uio_resid <= PIPE_BUF &&
	    uio->uio_resid <= pp->pipe_size;
	size_t space, tail, n;
	int error;

	if ((error = pipe_lock_io(fp, &pp->pipe_wlock)) != 0)
		return error;
	spinlock_acquire(&pp->pipe_lock);
	while (uio->uio_resid > 0) {
		if (pp->pipe_readers == 0) {
			error = EPIPE;	/* and SIGPIPE, below */
			break;
		}
		space = pp->pipe_size - pp->pipe_count;
		if (space == 0 || (atomic && space < uio->uio_resid)) {
			if (fp->f_flag & FNONBLOCK) {
				error = EAGAIN;
				break;
			}
			if ((error = pipe_wait(pp, &pp->pipe_wlock,
			    "pipewr")) != 0)
				break;		/* EINTR: a signal */
			continue;
		}
		atomic = false;		/* it fits: the rest may wrap */
		tail = (pp->pipe_head + pp->pipe_count) % pp->pipe_size;
		n = MIN(MIN(uio->uio_resid, space), pp->pipe_size - tail);
		spinlock_release(&pp->pipe_lock);
		error = uiomove(pp->pipe_buf + tail, n, uio);
		spinlock_acquire(&pp->pipe_lock);
		if (error != 0)
			break;
		pp->pipe_count += n;
		wakeup(pp);
	}
	spinlock_release(&pp->pipe_lock);
	mtx_leave(&pp->pipe_wlock);
	if (error == EPIPE)
		ptsignal(curproc, SIGPIPE);	/* the writer (kern_sig.c) */
	return error;
}

/* One end's last reference went: wake the other side; free at the end. */
static void
pipe_close(struct file *fp)
{
	struct pipe *pp = fp->f_data;
	bool last;

	spinlock_acquire(&pp->pipe_lock);
	if (fp->f_flag & FREAD)
		pp->pipe_readers--;
	else
		pp->pipe_writers--;
	KASSERT(pp->pipe_readers >= 0 && pp->pipe_writers >= 0);
	last = pp->pipe_readers == 0 && pp->pipe_writers == 0;
	wakeup(pp);
	spinlock_release(&pp->pipe_lock);
	if (!last)
		return;
	kfree(pp->pipe_buf, pp->pipe_size);
	pool_put(&pipe_pool, pp);
	__atomic_sub_fetch(&pipe_count, 1, __ATOMIC_RELAXED);
}

static const struct fileops pipe_fileops = {
	.fo_read = pipe_read,
	.fo_write = pipe_write,
	.fo_close = pipe_close,
};

/* Make a pipe of size bytes with a file for each end; see file.h. */
int
pipe_create(size_t size, int flags, struct file **rfp, struct file **wfp)
{
	int fflag = (flags & O_NONBLOCK) ? FNONBLOCK : 0;
	struct pipe *pp;

	if (size == 0 || size > PAGE_SIZE || (flags & ~(O_NONBLOCK | O_CLOEXEC)))
		return EINVAL;
	if ((pp = pool_get(&pipe_pool, PR_NOWAIT | PR_ZERO)) == NULL)
		return ENOMEM;
	if ((pp->pipe_buf = kmalloc(size, M_NOWAIT)) == NULL) {
		pool_put(&pipe_pool, pp);
		return ENOMEM;
	}
	spinlock_init(&pp->pipe_lock, "pipe");
	mtx_init(&pp->pipe_rlock, "pipe_rlock");
	mtx_init(&pp->pipe_wlock, "pipe_wlock");
	pp->pipe_size = size;
	pp->pipe_readers = pp->pipe_writers = 1;
	__atomic_add_fetch(&pipe_count, 1, __ATOMIC_RELAXED);
	*rfp = file_alloc(DTYPE_PIPE, FREAD | fflag, &pipe_fileops, pp);
	*wfp = file_alloc(DTYPE_PIPE, FWRITE | fflag, &pipe_fileops, pp);
	if (*rfp != NULL && *wfp != NULL)
		return 0;
	/* Each close drops its end; a missing end is dropped by hand. */
	if (*rfp != NULL)
		FRELE(*rfp);
	else
		pipe_close(&(struct file){ .f_flag = FREAD, .f_data = pp });
	if (*wfp != NULL)
		FRELE(*wfp);
	else
		pipe_close(&(struct file){ .f_flag = FWRITE, .f_data = pp });
	return ENOMEM;
}

/* pipe2(2): fds[0] reads, fds[1] writes. */
int
dopipe(struct filedesc *fdp, int fds[2], int flags)
{
	int uflags = (flags & O_CLOEXEC) ? UF_EXCLOSE : 0, error;
	struct file *rf, *wf;

	if ((error = pipe_create(PIPE_SIZE, flags, &rf, &wf)) != 0)
		return error;
	if ((error = fdinstall(fdp, rf, uflags, &fds[0])) != 0) {
		FRELE(rf);
		FRELE(wf);
		return error;
	}
	if ((error = fdinstall(fdp, wf, uflags, &fds[1])) != 0) {
		doclose(fdp, fds[0]);
		FRELE(wf);
	}
	return error;
}
