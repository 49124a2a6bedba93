/*
 * dev/initrd.c: the initrd, a cpio "newc" archive that GRUB loads as the
 * boot module named "initrd". Owns the archive parser and the building of
 * a VFS tree from it; the tree's files point into the archive (zero copy),
 * whose pages the page allocator never takes (they are reserved).
 *
 * Every header is checked before anything is believed: the magic ("070701",
 * or "070702" with checksums, which are not verified), that every field is
 * 8 hex digits, that the name is NUL-terminated and lies inside the
 * archive, that the data does too, that the next header is 4-aligned past
 * it, and that a "TRAILER!!!" ends the archive. A corrupt archive gives
 * EINVAL and a message naming the offset; the kernel never reads outside
 * the archive. Members other than directories and regular files (symlinks,
 * devices) are skipped and counted.
 *
 * Locks: none; the tree is built by one thread before it is published.
 */
#include "lib.h"
#include "param.h"
#include "bootinfo.h"
#include "vfs.h"

#define CPIO_HDRSIZE	110
#define CPIO_NFIELDS	13
#define CPIO_TRAILER	"TRAILER!!!"

/* Header field indices, in archive order after the magic. */
enum { CF_INO, CF_MODE, CF_UID, CF_GID, CF_NLINK, CF_MTIME, CF_FILESIZE,
    CF_DEVMAJOR, CF_DEVMINOR, CF_RDEVMAJOR, CF_RDEVMINOR, CF_NAMESIZE,
    CF_CHECK };

/* Parse 8 hex digits; return false if any is not one. */
static bool
cpio_hex8(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	int i, d;

	for (i = 0; i < 8; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

/* Record a message and return EINVAL. */
static int __printflike(3, 4)
cpio_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return EINVAL;
}

/* Check every header and call fn on each member; see vfs.h. */
int
cpio_parse(const void *buf, size_t len,
    int (*fn)(const struct cpio_entry *, void *), void *arg,
    char *err, size_t errlen)
{
	const char *base = buf, *h, *name;
	uint32_t f[CPIO_NFIELDS];
	size_t off = 0, nameoff, dataoff;
	struct cpio_entry e;
	int i, error;

	for (;;) {
		if (off >= len)
			return cpio_error(err, errlen,
			    "cpio: no trailer before the end (%zu bytes)", len);
		if (len - off < CPIO_HDRSIZE)
			return cpio_error(err, errlen,
			    "cpio: truncated header at offset %#zx", off);
		h = base + off;
		if (memcmp(h, "07070", 5) != 0 || (h[5] != '1' && h[5] != '2'))
			return cpio_error(err, errlen,
			    "cpio: bad magic at offset %#zx", off);
		for (i = 0; i < CPIO_NFIELDS; i++)
			if (!cpio_hex8(h + 6 + 8 * i, &f[i]))
				return cpio_error(err, errlen,
				    "cpio: bad header field %d at offset %#zx",
				    i, off);
		nameoff = off + CPIO_HDRSIZE;
		if (f[CF_NAMESIZE] < 2 || f[CF_NAMESIZE] > PATH_MAX)
			return cpio_error(err, errlen,
			    "cpio: bad name size %u at offset %#zx",
			    f[CF_NAMESIZE], off);
		if (f[CF_NAMESIZE] > len - nameoff)
			return cpio_error(err, errlen,
			    "cpio: name past the end at offset %#zx", off);
		name = base + nameoff;
		if (strnlen(name, f[CF_NAMESIZE]) != f[CF_NAMESIZE] - 1)
			return cpio_error(err, errlen,
			    "cpio: name not NUL-terminated at offset %#zx", off);
		if (strcmp(name, CPIO_TRAILER) == 0)
			return 0;
		dataoff = roundup(nameoff + f[CF_NAMESIZE], 4);
		if (dataoff > len || f[CF_FILESIZE] > len - dataoff)
			return cpio_error(err, errlen,
			    "cpio: %s: size %u past the end at offset %#zx",
			    name, f[CF_FILESIZE], off);
		if ((f[CF_MODE] & S_IFMT) == S_IFDIR && f[CF_FILESIZE] != 0)
			return cpio_error(err, errlen,
			    "cpio: %s: directory with data at offset %#zx",
			    name, off);
		e.ce_name = name;
		e.ce_namelen = f[CF_NAMESIZE] - 1;
		e.ce_mode = f[CF_MODE];
		e.ce_data = base + dataoff;
		e.ce_size = f[CF_FILESIZE];
		e.ce_offset = off;
		if ((error = fn(&e, arg)) != 0)
			return error;
		off = roundup(dataoff + f[CF_FILESIZE], 4);
	}
}

/* State of one initrd_build. */
struct initrd_builder {
	struct vnode	*ib_root;
	char		*ib_err;
	size_t		ib_errlen;
	unsigned	ib_nfiles, ib_ndirs, ib_nskipped;
};

/* Add one member to the tree: its missing parent directories, then it. */
static int
initrd_add(const struct cpio_entry *e, void *arg)
{
	struct initrd_builder *ib = arg;
	const char *p = e->ce_name, *end = e->ce_name + e->ce_namelen, *comp;
	uint32_t type = e->ce_mode & S_IFMT;
	struct vnode *dvp = ib->ib_root, *vp;
	size_t clen;
	int error;

	if (type != S_IFDIR && type != S_IFREG) {
		ib->ib_nskipped++;
		return 0;
	}
	while (p < end && (*p == '/' || (p[0] == '.' && (p + 1 == end || p[1] == '/'))))
		p++;			/* leading "/", "./" and "." */
	if (p == end) {
		if (type != S_IFDIR)
			return cpio_error(ib->ib_err, ib->ib_errlen,
			    "cpio: %s: the root is not a directory", e->ce_name);
		return 0;
	}
	for (;;) {
		for (comp = p; p < end && *p != '/'; p++)
			;
		clen = p - comp;
		if (p == end)
			break;
		error = dvp->v_op->vop_lookup(dvp, comp, clen, &vp);
		if (error == ENOENT) {
			error = vfs_tree_add(dvp, comp, clen, S_IFDIR | 0755,
			    NULL, 0, NULL, &vp);
			ib->ib_ndirs += error == 0;
		} else if (error == 0)
			vrele(vp);	/* the tree keeps it */
		if (error == 0 && vp->v_type != VDIR)
			error = ENOTDIR;
		if (error != 0)
			goto bad;
		dvp = vp;
		p++;
	}
	error = dvp->v_op->vop_lookup(dvp, comp, clen, &vp);
	if (error == 0) {
		vrele(vp);
		/* a directory made for an earlier member's path is fine */
		if (type == S_IFDIR && vp->v_type == VDIR)
			return 0;
		error = EEXIST;
		goto bad;
	}
	error = vfs_tree_add(dvp, comp, clen, e->ce_mode,
	    type == S_IFREG ? e->ce_data : NULL,
	    type == S_IFREG ? e->ce_size : 0, NULL, NULL);
	if (error != 0)
		goto bad;
	if (type == S_IFDIR)
		ib->ib_ndirs++;
	else
		ib->ib_nfiles++;
	return 0;
bad:
	snprintf(ib->ib_err, ib->ib_errlen, "cpio: %s at offset %#zx: %s",
	    e->ce_name, e->ce_offset,
	    error == ENOMEM ? "out of memory" : error == EEXIST ?
	    "duplicate member" : error == ENOTDIR ?
	    "a parent is not a directory" : "bad path name");
	return error == ENOMEM ? ENOMEM : EINVAL;
}

/* Build a tree of the archive; see vfs.h. */
int
initrd_build(const void *buf, size_t len, struct vnode **rootp, char *err,
    size_t errlen)
{
	struct initrd_builder ib = { .ib_err = err, .ib_errlen = errlen };
	int error;

	if ((ib.ib_root = vfs_tree_create(0755)) == NULL) {
		snprintf(err, errlen, "cpio: out of memory");
		return ENOMEM;
	}
	if ((error = cpio_parse(buf, len, initrd_add, &ib, err, errlen)) != 0) {
		vfs_tree_free(ib.ib_root);
		return error;
	}
	snprintf(err, errlen, "%u files, %u directories, %u skipped",
	    ib.ib_nfiles, ib.ib_ndirs, ib.ib_nskipped);
	*rootp = ib.ib_root;
	return 0;
}

/* Build the tree of the boot module named "initrd"; NULL if none. */
struct vnode *
initrd_mount(void)
{
	const struct bi_module *m;
	struct vnode *root;
	char msg[160];
	int i;

	for (i = 0; i < bootinfo.nmods; i++) {
		m = &bootinfo.mods[i];
		if (strcmp(m->name, "initrd") != 0)
			continue;
		if (initrd_build(PHYS_TO_DMAP(m->start), m->end - m->start,
		    &root, msg, sizeof(msg)) != 0) {
			kprintf("initrd: %s; not mounted\n", msg);
			return NULL;
		}
		kprintf("initrd: %lu bytes at %#lx: %s\n", m->end - m->start,
		    m->start, msg);
		return root;
	}
	kprintf("initrd: no boot module named initrd\n");
	return NULL;
}
