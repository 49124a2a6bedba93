/*
 * dev/procfs.c: /proc. Owns the lists of registered files (struct
 * procfs_node, see procfs.h), the pid provider, the vnodes /proc makes on
 * demand, the snapshot buffers of generated files, and /proc/meminfo.
 *
 * Locks: procfs_lock (a spinlock) guards the two lists and the provider
 * pointer; it is held only to walk them, never across a callback.
 *
 * Lifecycle: the root is made once by procfs_init and lives forever. Every
 * other vnode is made by a lookup with one reference and freed by its last
 * vrele (vop_inactive): a /proc/<pid> directory; a file's vnode (it holds a
 * reference on its /proc/<pid> directory); and, when a generated file is
 * opened, a snapshot vnode that owns the buffer pn_gen filled, which
 * replaces the file's vnode in the open file. Snapshot buffers are
 * PROCFS_BUFPAGES pages, all allocated before pn_gen runs; the pages the
 * snapshot does not use are freed once it is made.
 */
#include "lib.h"
#include "param.h"
#include "lock.h"
#include "malloc.h"
#include "pool.h"
#include "pmap.h"
#include "smr.h"
#include "uvm_page.h"
#include "file.h"
#include "procfs.h"

#define PROCFS_PIDCOOKIE	(1L << 32)	/* readdir cookies of pids */
#define PROCFS_INO(pid, i)	((1UL << 63) | (uint64_t)(pid) << 16 | (i))

struct procfs_buf {
	struct vm_page	*pb_pages[PROCFS_BUFPAGES];
	unsigned	pb_npages;
	size_t		pb_len;
	bool		pb_overflow;
};

static struct spinlock procfs_lock = SPINLOCK_INITIALIZER("procfs");
static struct procfs_node *procfs_top;		/* [procfs_lock] */
static struct procfs_node *procfs_pidfiles;	/* [procfs_lock] */
static const struct procfs_pids *procfs_pids;	/* [procfs_lock] */
static struct vnode *procfs_root;		/* [const after procfs_init] */

/* ---- snapshots ---- */

/* Append len bytes; an overflow is remembered. */
static void
procfs_write(struct procfs_buf *pb, const char *s, size_t len)
{
	size_t n;

	while (len > 0) {
		if (pb->pb_len == pb->pb_npages * PAGE_SIZE) {
			pb->pb_overflow = true;
			return;
		}
		n = MIN(len, PAGE_SIZE - pb->pb_len % PAGE_SIZE);
		memcpy((char *)VM_PAGE_TO_DMAP(pb->pb_pages[pb->pb_len / PAGE_SIZE]) +
		    pb->pb_len % PAGE_SIZE, s, n);
		pb->pb_len += n;
		s += n;
		len -= n;
	}
}

/* Append formatted text (at most 511 bytes a call). */
void
procfs_printf(struct procfs_buf *pb, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line))
		pb->pb_overflow = true;
	else
		procfs_write(pb, line, n);
}

/* Pages the snapshot buffer holds. */
unsigned
procfs_buf_pages(struct procfs_buf *pb)
{
	return pb->pb_npages;
}

/* Free pb's pages from the first one it does not use, or all. */
static void
procfs_buf_trim(struct procfs_buf *pb, bool all)
{
	unsigned keep = all ? 0 : (pb->pb_len + PAGE_SIZE - 1) / PAGE_SIZE;

	while (pb->pb_npages > keep)
		uvm_pagefree(pb->pb_pages[--pb->pb_npages]);
}

static int
procfs_snap_read(struct vnode *vp, struct uio *uio, int ioflag __unused)
{
	struct procfs_buf *pb = vp->v_fsdata;
	size_t off, n;
	int error = 0;

	if (uio->uio_offset < 0)
		return EINVAL;
	while (error == 0 && uio->uio_resid > 0 &&
	    (size_t)uio->uio_offset < pb->pb_len) {
		off = uio->uio_offset;
		n = MIN(PAGE_SIZE - off % PAGE_SIZE, pb->pb_len - off);
		error = uiomove((char *)VM_PAGE_TO_DMAP(pb->pb_pages[off / PAGE_SIZE]) +
		    off % PAGE_SIZE, n, uio);
	}
	return error;
}

static void
procfs_snap_inactive(struct vnode *vp)
{
	struct procfs_buf *pb = vp->v_fsdata;

	procfs_buf_trim(pb, true);
	kfree(pb, sizeof(*pb));
	vnode_free(vp);
}

static const struct vops procfs_snap_vops = {
	.vop_read = procfs_snap_read,
	.vop_inactive = procfs_snap_inactive,
};

/* ---- file vnodes ---- */

/* Free a vnode made by a lookup, dropping its hold on its directory. */
static void
procfs_inactive(struct vnode *vp)
{
	if (vp->v_parent != procfs_root && vp->v_parent != vp)
		vrele(vp->v_parent);
	vnode_free(vp);
}

/* Open a generated file: run its generator into a snapshot vnode. */
static int
procfs_gen_open(struct vnode **vpp, int flags __unused)
{
	struct procfs_node *pn = (*vpp)->v_fsdata;
	struct procfs_buf *pb;
	struct vnode *snap = NULL;
	int error;

	if ((pb = kmalloc(sizeof(*pb), M_NOWAIT | M_ZERO)) == NULL)
		return ENOMEM;
	for (; pb->pb_npages < PROCFS_BUFPAGES; pb->pb_npages++)
		if ((pb->pb_pages[pb->pb_npages] = uvm_pagealloc(PG_USE_KERNEL,
		    0)) == NULL)
			break;
	error = pb->pb_npages < PROCFS_BUFPAGES ? ENOMEM :
	    pn->pn_gen(pb, (*vpp)->v_fskey);
	if (error == 0 && pb->pb_overflow)
		error = EFBIG;
	if (error == 0 && (snap = vnode_alloc()) == NULL)
		error = ENOMEM;
	procfs_buf_trim(pb, error != 0);
	if (error != 0) {
		kfree(pb, sizeof(*pb));
		return error;
	}
	snap->v_type = VREG;
	snap->v_mode = (*vpp)->v_mode;
	snap->v_ino = (*vpp)->v_ino;
	snap->v_op = &procfs_snap_vops;
	snap->v_parent = procfs_root;
	snap->v_fsdata = pb;
	snap->v_size = pb->pb_len;
	vrele(*vpp);
	*vpp = snap;
	return 0;
}

/* Open a random-access file: its node's check, if it has one. */
static int
procfs_rw_open(struct vnode **vpp, int flags __unused)
{
	struct procfs_node *pn = (*vpp)->v_fsdata;

	return pn->pn_open != NULL ? pn->pn_open((*vpp)->v_fskey) : 0;
}

static int
procfs_rw(struct vnode *vp, struct uio *uio, int ioflag __unused)
{
	struct procfs_node *pn = vp->v_fsdata;

	return pn->pn_rw(vp->v_fskey, uio);
}

static const struct vops procfs_gen_vops = {
	.vop_open = procfs_gen_open,
	.vop_inactive = procfs_inactive,
};
static const struct vops procfs_rw_vops = {
	.vop_open = procfs_rw_open,
	.vop_read = procfs_rw,
	.vop_write = procfs_rw,
	.vop_inactive = procfs_inactive,
};

/* ---- directories ---- */

static int procfs_dir_lookup(struct vnode *, const char *, size_t,
    struct vnode **);
static int procfs_dir_readdir(struct vnode *, off_t *, struct vfs_dirent *);

static const struct vops procfs_root_vops = {
	.vop_lookup = procfs_dir_lookup,
	.vop_readdir = procfs_dir_readdir,
};
static const struct vops procfs_piddir_vops = {
	.vop_lookup = procfs_dir_lookup,
	.vop_readdir = procfs_dir_readdir,
	.vop_inactive = procfs_inactive,
};

/* Make a vnode in directory dvp (whose reference it takes unless dvp is
 * the root); NULL on ENOMEM. */
static struct vnode *
procfs_vnode(struct vnode *dvp, enum vtype type, uint32_t mode,
    const struct vops *ops, void *fsdata, pid_t pid, uint64_t ino)
{
	struct vnode *vp = vnode_alloc();

	if (vp == NULL)
		return NULL;
	vp->v_type = type;
	vp->v_mode = mode;
	vp->v_ino = ino;
	vp->v_op = ops;
	vp->v_parent = dvp;
	vp->v_fsdata = fsdata;
	vp->v_fskey = pid;
	if (dvp != procfs_root)
		vref(dvp);
	return vp;
}

/* Parse a pid name: decimal, no leading zero, positive; -1 if not one. */
static pid_t
procfs_parse_pid(const char *name, size_t len)
{
	int64_t pid = 0;
	size_t i;

	if (len == 0 || len > 9 || name[0] == '0')
		return -1;
	for (i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		pid = pid * 10 + (name[i] - '0');
	}
	return pid;
}

/* Find a file of the root (pid 0) or of a /proc/<pid> directory, or a
 * /proc/<pid> directory in the root. */
static int
procfs_dir_lookup(struct vnode *dvp, const char *name, size_t len,
    struct vnode **vpp)
{
	const struct procfs_pids *pp;
	struct procfs_node *pn;
	pid_t pid = dvp->v_fskey, next;
	uint64_t i = 1;

	spinlock_acquire(&procfs_lock);
	pn = pid == 0 ? procfs_top : procfs_pidfiles;
	for (; pn != NULL; pn = pn->pn_next, i++)
		if (strlen(pn->pn_name) == len && memcmp(pn->pn_name, name, len) == 0)
			break;
	pp = procfs_pids;
	spinlock_release(&procfs_lock);
	if (pn != NULL)
		*vpp = procfs_vnode(dvp, VREG, S_IFREG | pn->pn_mode,
		    pn->pn_rw != NULL ? &procfs_rw_vops : &procfs_gen_vops, pn,
		    pid, PROCFS_INO(pid, i));
	else if (pid == 0 && pp != NULL &&
	    (pid = procfs_parse_pid(name, len)) > 0 &&
	    pp->pp_next(pid, &next) == 0 && next == pid)
		*vpp = procfs_vnode(dvp, VDIR, S_IFDIR | 0555,
		    &procfs_piddir_vops, NULL, pid, PROCFS_INO(pid, 0));
	else
		return ENOENT;
	return *vpp == NULL ? ENOMEM : 0;
}

/* Entries of the root: its files, then a directory per pid; of a
 * /proc/<pid> directory: its files. */
static int
procfs_dir_readdir(struct vnode *dvp, off_t *cookiep, struct vfs_dirent *d)
{
	const struct procfs_pids *pp;
	struct procfs_node *pn;
	pid_t pid = dvp->v_fskey, next;
	off_t i;

	if (*cookiep < PROCFS_PIDCOOKIE) {
		spinlock_acquire(&procfs_lock);
		pn = pid == 0 ? procfs_top : procfs_pidfiles;
		for (i = VFS_COOKIE_FIRST; pn != NULL && i < *cookiep; i++)
			pn = pn->pn_next;
		if (pn != NULL) {
			d->vd_ino = PROCFS_INO(pid, *cookiep - VFS_COOKIE_FIRST + 1);
			d->vd_type = DT_REG;
			d->vd_namelen = strlcpy(d->vd_name, pn->pn_name,
			    sizeof(d->vd_name));
			(*cookiep)++;
		}
		spinlock_release(&procfs_lock);
		if (pn != NULL)
			return 0;
		*cookiep = PROCFS_PIDCOOKIE;
	}
	spinlock_acquire(&procfs_lock);
	pp = procfs_pids;
	spinlock_release(&procfs_lock);
	if (pid != 0 || pp == NULL || *cookiep - PROCFS_PIDCOOKIE > INT32_MAX ||
	    pp->pp_next(*cookiep - PROCFS_PIDCOOKIE, &next) != 0)
		return ENOENT;
	d->vd_ino = PROCFS_INO(next, 0);
	d->vd_type = DT_DIR;
	d->vd_namelen = snprintf(d->vd_name, sizeof(d->vd_name), "%d", next);
	*cookiep = PROCFS_PIDCOOKIE + next + 1;
	return 0;
}

/* ---- registration ---- */

/* Append pn to *headp unless its name is taken. Return 0, EEXIST, EINVAL. */
static int
procfs_list_add(struct procfs_node **headp, struct procfs_node *pn)
{
	struct procfs_node **pp;
	int error = 0;

	if (pn->pn_name == NULL || (pn->pn_gen == NULL) == (pn->pn_rw == NULL) ||
	    procfs_parse_pid(pn->pn_name, strlen(pn->pn_name)) > 0 ||
	    strchr(pn->pn_name, '/') != NULL || pn->pn_name[0] == '\0' ||
	    strlen(pn->pn_name) > NAME_MAX)
		return EINVAL;
	spinlock_acquire(&procfs_lock);
	for (pp = headp; *pp != NULL; pp = &(*pp)->pn_next)
		if (strcmp((*pp)->pn_name, pn->pn_name) == 0)
			error = EEXIST;
	if (error == 0) {
		pn->pn_next = NULL;
		*pp = pn;
	}
	spinlock_release(&procfs_lock);
	return error;
}

/* Take pn off *headp; it must be there. */
static void
procfs_list_remove(struct procfs_node **headp, struct procfs_node *pn)
{
	struct procfs_node **pp;

	spinlock_acquire(&procfs_lock);
	for (pp = headp; *pp != pn; pp = &(*pp)->pn_next)
		if (*pp == NULL)
			panic("procfs_list_remove: %s is not registered",
			    pn->pn_name);
	*pp = pn->pn_next;
	spinlock_release(&procfs_lock);
}

int
procfs_register(struct procfs_node *pn)
{
	return procfs_list_add(&procfs_top, pn);
}

void
procfs_unregister(struct procfs_node *pn)
{
	procfs_list_remove(&procfs_top, pn);
}

int
procfs_register_pid(struct procfs_node *pn)
{
	return procfs_list_add(&procfs_pidfiles, pn);
}

void
procfs_unregister_pid(struct procfs_node *pn)
{
	procfs_list_remove(&procfs_pidfiles, pn);
}

/* Set the pid provider; return the old one. */
const struct procfs_pids *
procfs_set_pids(const struct procfs_pids *pp)
{
	const struct procfs_pids *old;

	spinlock_acquire(&procfs_lock);
	old = procfs_pids;
	procfs_pids = pp;
	spinlock_release(&procfs_lock);
	return old;
}

/* ---- /proc/meminfo ---- */

static void
meminfo_pool(const struct pool_stats *st, void *arg)
{
	struct procfs_buf *pb = arg;

	procfs_printf(pb, "pool.%s.live: %lu\npool.%s.peak: %lu\n"
	    "pool.%s.slabs: %lu\npool.%s.failures: %lu\n",
	    st->pst_name, st->pst_live, st->pst_name, st->pst_peak,
	    st->pst_name, st->pst_slabs, st->pst_name, st->pst_failures);
}

/* Print the page counters into pb ("pages.total", "pages.free", then one
 * line per use). The snapshot's own buffer pages count as free, as if
 * nobody were reading. */
void
procfs_print_pages(struct procfs_buf *pb, struct uvmexp *u)
{
	static const char *const use[PG_USE_NUSES] = { "free", "reserved",
	    "kernel", "user", "ptp", "pool" };
	unsigned own = procfs_buf_pages(pb);
	int i;

	uvm_page_counters(u);
	u->free += own;
	u->byuse[PG_USE_KERNEL] -= own;
	procfs_printf(pb, "pages.total: %lu\npages.free: %lu\n", u->npages,
	    u->free);
	for (i = PG_USE_FREE + 1; i < PG_USE_NUSES; i++)
		procfs_printf(pb, "pages.%s: %lu\n", use[i], u->byuse[i]);
}

/* Every memory counter, "key: value" a line. */
static int
meminfo_gen(struct procfs_buf *pb, pid_t pid __unused)
{
	struct smr_stats ss;
	struct uvmexp u;

	procfs_print_pages(pb, &u);
	procfs_printf(pb, "pages.allocs: %lu\npages.frees: %lu\n"
	    "pages.failures: %lu\n", u.allocs, u.frees, u.failures);
	procfs_printf(pb, "pmap.pmaps: %lu\npmap.ptpages: %lu\n"
	    "pmap.walk_entries: %lu\npmap.shootdowns: %lu\n",
	    __atomic_load_n(&pmap_stats.pmaps, __ATOMIC_RELAXED),
	    __atomic_load_n(&pmap_stats.ptpages, __ATOMIC_RELAXED),
	    __atomic_load_n(&pmap_stats.walk_entries, __ATOMIC_RELAXED),
	    __atomic_load_n(&pmap_stats.shootdowns, __ATOMIC_RELAXED));
	smr_stats_get(&ss);
	procfs_printf(pb, "smr.pending: %lu\nsmr.peak: %lu\nsmr.backlog_max: %lu\n"
	    "smr.grace: %lu\nsmr.called: %lu\nsmr.waits: %lu\n"
	    "smr.overflows: %lu\n", ss.ss_pending, ss.ss_peak,
	    ss.ss_backlog_max, ss.ss_grace, ss.ss_called, ss.ss_waits,
	    ss.ss_overflows);
	procfs_printf(pb, "pipes: %lu\n",
	    __atomic_load_n(&pipe_count, __ATOMIC_RELAXED));
	pool_foreach(meminfo_pool, pb);
	return 0;
}

static struct procfs_node meminfo_node = {
	.pn_name = "meminfo", .pn_gen = meminfo_gen, .pn_mode = 0444,
};

/* Make the /proc root and register /proc/meminfo; return the root. */
struct vnode *
procfs_init(void)
{
	KASSERT(procfs_root == NULL);
	if ((procfs_root = vnode_alloc()) == NULL)
		panic("procfs_init: no memory");
	procfs_root->v_type = VDIR;
	procfs_root->v_mode = S_IFDIR | 0555;
	procfs_root->v_ino = PROCFS_INO(0, 0);
	procfs_root->v_op = &procfs_root_vops;
	procfs_root->v_parent = procfs_root;
	if (procfs_register(&meminfo_node) != 0)
		panic("procfs_init: cannot register meminfo");
	procfs_exeunt_init();
	return procfs_root;
}
