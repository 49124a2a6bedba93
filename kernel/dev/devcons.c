/*
 * dev/devcons.c: /dev/console, the serial console as a terminal device.
 * Owns the input line being edited (devcons_line); output goes straight to
 * cons_write.
 *
 * Input is polled, not interrupt-driven: a reader that finds no byte waiting
 * sleeps for one clock tick and polls again. Input is canonical, as a
 * terminal's: bytes are echoed and collected into a line (backspace and
 * DEL erase, CR becomes NL); read returns once a line is complete, at most
 * the bytes asked for, the rest of the line on the next reads. ^D at the
 * start of a line is end of file (read returns 0).
 *
 * Locks: dc_lock (a sleeping mutex) is held by the one reader editing or
 * draining the line, across its sleeps. Writers take only cons_write's
 * spinlock. Lifecycle: static, set up at compile time.
 */
#include "lib.h"
#include "cons.h"
#include "sched.h"
#include "file.h"

#define DEVCONS_LINEMAX	256
#define DEVCONS_ROWS	24
#define DEVCONS_COLS	80
#define CTRL_D		0x04

static struct {
	struct mutex	dc_lock;
	char		dc_line[DEVCONS_LINEMAX];	/* [dc_lock] */
	size_t		dc_len;		/* bytes in dc_line [dc_lock] */
	size_t		dc_off;		/* bytes of a complete line read [dc_lock] */
	bool		dc_done;	/* dc_line is complete [dc_lock] */
	bool		dc_eof;		/* ^D on an empty line [dc_lock] */
} devcons_line = { .dc_lock = MUTEX_INITIALIZER("devcons") };

/* Edit the line with input byte c, echoing it. Caller holds dc_lock. */
static void
devcons_input(int c)
{
	MUTEX_ASSERT_LOCKED(&devcons_line.dc_lock);
	if (c == '\r')
		c = '\n';
	if (c == '\b' || c == 0x7f) {
		if (devcons_line.dc_len > 0) {
			devcons_line.dc_len--;
			cons_write("\b \b", 3);
		}
		return;
	}
	if (c == CTRL_D) {
		if (devcons_line.dc_len == 0)
			devcons_line.dc_eof = true;
		else
			devcons_line.dc_done = true;
		return;
	}
	devcons_line.dc_line[devcons_line.dc_len++] = c;
	cons_write(&(char){ c }, 1);
	if (c == '\n' || devcons_line.dc_len == DEVCONS_LINEMAX)
		devcons_line.dc_done = true;
}

/* Return the rest of a complete line, collecting one first. */
static int
devcons_read(struct vnode *vp __unused, struct uio *uio, int ioflag)
{
	size_t n;
	int c, error = 0;

	mtx_enter(&devcons_line.dc_lock);
	while (!devcons_line.dc_done && !devcons_line.dc_eof) {
		if ((c = cons_getc()) >= 0) {
			devcons_input(c);
			continue;
		}
		if (ioflag & IO_NDELAY) {
			error = EAGAIN;
			break;
		}
		msleep(&devcons_line, NULL, "ttyin", 1);
	}
	if (devcons_line.dc_eof) {
		devcons_line.dc_eof = false;	/* the next read waits again */
	} else if (error == 0) {
		n = MIN(uio->uio_resid, devcons_line.dc_len - devcons_line.dc_off);
		error = uiomove(devcons_line.dc_line + devcons_line.dc_off, n, uio);
		if (error == 0)
			devcons_line.dc_off += n;
		if (devcons_line.dc_off == devcons_line.dc_len) {
			devcons_line.dc_len = devcons_line.dc_off = 0;
			devcons_line.dc_done = false;
		}
	}
	mtx_leave(&devcons_line.dc_lock);
	return error;
}

/* Write everything to the console. */
static int
devcons_write(struct vnode *vp __unused, struct uio *uio, int ioflag __unused)
{
	char buf[128];
	size_t n;
	int error;

	while (uio->uio_resid > 0) {
		n = MIN(uio->uio_resid, sizeof(buf));
		if ((error = uiomove(buf, n, uio)) != 0)
			return error;
		cons_write(buf, n);
	}
	return 0;
}

/* TIOCGWINSZ: a 24x80 terminal; nothing else. */
static int
devcons_ioctl(struct vnode *vp __unused, unsigned long cmd, void *data)
{
	struct winsize *ws = data;

	if (cmd != TIOCGWINSZ)
		return ENOTTY;
	memset(ws, 0, sizeof(*ws));
	ws->ws_row = DEVCONS_ROWS;
	ws->ws_col = DEVCONS_COLS;
	return 0;
}

const struct vops devcons_vops = {
	.vop_read = devcons_read,
	.vop_write = devcons_write,
	.vop_ioctl = devcons_ioctl,
};
