/*
 * /proc (dev/procfs.c): a directory of files whose contents are made by
 * registered callbacks.
 *
 * A file is a struct procfs_node the registering subsystem owns (usually a
 * static). It is one of two kinds:
 *
 *  - a generated file (pn_gen): opening it runs pn_gen once into a snapshot
 *    buffer of up to PROCFS_BUFMAX bytes, which every read of that open
 *    file then reads (so a reader sees one consistent snapshot, at any
 *    offsets); pn_gen writes with procfs_printf and returns 0 or an errno
 *    (which open returns; a snapshot that overflows gives EFBIG);
 *  - a random-access file (pn_rw, e.g. /proc/<pid>/mem): each read or
 *    write calls pn_rw with the uio, whose uio_offset is the position;
 *    pn_open, if set, is asked first when the file is opened (a
 *    permission check) and returns 0 or the errno open returns.
 *
 * Top-level files (/proc/meminfo) are registered with procfs_register and
 * called with pid 0. Per-process directories /proc/<pid>/ exist for the
 * pids a provider reports (procfs_set_pids: the process engineer's
 * pid-table walk); each holds every file registered with
 * procfs_register_pid (status, cmdline, maps, mem), called with that pid.
 * A callback for a pid that has gone returns ESRCH. Callbacks run in the
 * opening or reading thread, with no procfs lock held; they may sleep.
 *
 * A node must stay registered while any file of it is open: unregister
 * only nodes nothing can have open (tests).
 */
#ifndef _PROCFS_H_
#define _PROCFS_H_

#include "types.h"
#include "param.h"
#include "vfs.h"

#define PROCFS_BUFPAGES	4
#define PROCFS_BUFMAX	(PROCFS_BUFPAGES * PAGE_SIZE)

struct procfs_buf;

struct procfs_node {
	const char	*pn_name;	/* [const] */
	/* generated file: fill pb for pid (0: top level) */
	int		(*pn_gen)(struct procfs_buf *pb, pid_t pid);
	/* random-access file: read or write (uio_rw) at uio_offset */
	int		(*pn_rw)(pid_t pid, struct uio *uio);
	/* random-access file, optional: may pid's file be opened? */
	int		(*pn_open)(pid_t pid);
	uint32_t	pn_mode;	/* permission bits [const] */
	struct procfs_node *pn_next;	/* [procfs_lock] */
};

/* Who the per-process directories are for. */
struct procfs_pids {
	/* Return 0 and the smallest live pid >= pid in *nextp, or ENOENT. */
	int	(*pp_next)(pid_t pid, pid_t *nextp);
};

/* Append formatted text to a snapshot (an overflow is remembered). */
void	procfs_printf(struct procfs_buf *pb, const char *fmt, ...)
	    __printflike(2, 3);
/* Pages the snapshot buffer holds (allocated before pn_gen runs, so a
 * generator that reports page counts can leave its own buffer out). */
unsigned procfs_buf_pages(struct procfs_buf *pb);
struct uvmexp;
/* Print the page counters (pages.total, pages.free, pages.<use>) with the
 * snapshot's own pages counted as free; the counters are left in *u. */
void	procfs_print_pages(struct procfs_buf *pb, struct uvmexp *u);

/* Add a top-level file; return 0, EEXIST or EINVAL. */
int	procfs_register(struct procfs_node *pn);
void	procfs_unregister(struct procfs_node *pn);
/* Add a file to every /proc/<pid>/; return 0, EEXIST or EINVAL. */
int	procfs_register_pid(struct procfs_node *pn);
void	procfs_unregister_pid(struct procfs_node *pn);
/* Set the pid provider (NULL: no per-process directories); return the old. */
const struct procfs_pids *procfs_set_pids(const struct procfs_pids *pp);

/* Make the /proc tree and register /proc/meminfo; return its root. Once,
 * from vfs_init. */
struct vnode *procfs_init(void);
/* Register /proc/exeunt and /proc/exeunt_trace (dev/procfs_exeunt.c);
 * once, from procfs_init. */
void	procfs_exeunt_init(void);

#endif
