/*
 * kern/procfs_pid.c: the per-process files of /proc: /proc/<pid>/status,
 * cmdline, maps and mem, and the pid provider behind the directories.
 *
 * Owns the four procfs nodes (statics, registered once by
 * proc_procfs_init, never unregistered). No locks of its own: status
 * reads the tree under proctree_lock and the rest under ps_lock; cmdline,
 * maps and mem are readers of another process's memory and go through
 * the reader protocol of kern/sys_process.c (process_read_begin: a pinned
 * vmspace, never a mapping of the target), so a target that exits meanwhile
 * gives an error or an empty file, never freed memory.
 *
 * As on Linux: cmdline and maps of a process that is exiting or a zombie
 * are empty; maps needs the target's uid or root (EACCES); mem needs them
 * to be opened (EACCES), reads and writes at the file offset with a
 * debugger's rights (the maximum protection), says EIO where nothing is
 * mapped and end of file once the process is gone.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "malloc.h"
#include "vfs.h"
#include "procfs.h"
#include "proc.h"
#include "ptrace.h"
#include "uvm_map.h"
#include "uvm_vmspace.h"

#define MAPS_NAME_COLUMN	73	/* Linux pads a name to this column */

/* The State: letter and word of pr. Caller holds pr's ps_lock. */
static const char *
proc_state_str(struct process *pr)
{
	struct proc *p;

	if (pr->ps_flags & PS_ZOMBIE)
		return "Z (zombie)";
	if (__atomic_load_n(&pr->ps_ptthread, __ATOMIC_RELAXED) != NULL)
		return "t (tracing stop)";
	p = pr->ps_threads;
	if (p == NULL || p->p_stat == SDEAD)
		return "X (dead)";
	/* a stopped process sleeps in userret (kern_sig.c) */
	if (__atomic_load_n(&pr->ps_sigstop, __ATOMIC_RELAXED) != 0)
		return "T (stopped)";
	switch (p->p_stat) {
	case SRUN:
	case SONPROC:
		return "R (running)";
	default:
		return "S (sleeping)";
	}
}

/* /proc/<pid>/status: Linux's field lines. */
static int
proc_status_gen(struct procfs_buf *pb, pid_t pid)
{
	struct process *pr = prfind_ref(pid);
	char comm[PROC_NAMELEN];
	const char *state;
	pid_t ppid, tracer;
	uid_t uid;

	if (pr == NULL)
		return ESRCH;
	spinlock_acquire(&proctree_lock);
	ppid = pr->ps_pptr != NULL ? pr->ps_pptr->ps_pid : 0;
	tracer = pr->ps_tracer != NULL ? pr->ps_tracer->ps_pid : 0;
	spinlock_release(&proctree_lock);
	spinlock_acquire(&pr->ps_lock);
	strlcpy(comm, pr->ps_comm, sizeof(comm));
	state = proc_state_str(pr);
	spinlock_release(&pr->ps_lock);
	uid = __atomic_load_n(&pr->ps_uid, __ATOMIC_RELAXED);
	procfs_printf(pb, "Name:\t%s\nState:\t%s\nTgid:\t%d\nPid:\t%d\n"
	    "PPid:\t%d\nTracerPid:\t%d\nUid:\t%u\t%u\t%u\t%u\nThreads:\t%d\n"
	    "Kthread:\t%d\n",
	    comm, state, pid, pid, ppid, tracer, uid, uid, uid, uid,
	    (pr->ps_flags & PS_ZOMBIE) ? 0 : __atomic_load_n(&pr->ps_nthreads,
	    __ATOMIC_RELAXED), (pr->ps_flags & PS_SYSTEM) != 0);
	prrele(pr);
	return 0;
}

/* /proc/<pid>/cmdline: the NUL-separated argv, read from the target's
 * own memory (its first page), as the program may have changed it. */
static int
proc_cmdline_gen(struct procfs_buf *pb, pid_t pid)
{
	struct process_reader rd;
	struct iovec iov;
	struct uio uio;
	size_t len, done = 0, i;
	char *buf;
	int error;

	if ((buf = kmalloc(PAGE_SIZE, M_NOWAIT)) == NULL)
		return ENOMEM;
	if ((error = process_read_begin(curproc, pid, 0, &rd)) == 0) {
		len = MIN(rd.rd_argend - rd.rd_argstart, PAGE_SIZE);
		uio_init_kernel(&uio, &iov, buf, len, 0, UIO_READ);
		/* a short read (the map purged meanwhile) shows what came;
		 * no memory for the bounce page is an error, as on Linux */
		if (process_domem_reader(&rd, 0, rd.rd_argstart, &uio,
		    &done) == ENOMEM)
			error = ENOMEM;
		process_read_end(&rd);
	}
	for (i = 0; i < done; i++)
		procfs_printf(pb, "%c", buf[i]);
	kfree(buf, PAGE_SIZE);
	return error == ESRCH ? 0 : error;	/* exiting: empty */
}

/* Print one maps line of mi. */
static void
proc_maps_line(struct procfs_buf *pb, const struct uvm_map_info *mi)
{
	char line[128];
	int n;

	n = snprintf(line, sizeof(line), "%08lx-%08lx %c%c%c%c 00000000 00:00 0 ",
	    mi->mi_start, mi->mi_end,
	    (mi->mi_prot & PROT_READ) ? 'r' : '-',
	    (mi->mi_prot & PROT_WRITE) ? 'w' : '-',
	    (mi->mi_prot & PROT_EXEC) ? 'x' : '-',
	    (mi->mi_flags & UVM_ET_COPYONWRITE) ? 'p' : 's');
	if (mi->mi_flags & UVM_ET_STACK)
		procfs_printf(pb, "%s%*s[stack]\n", line,
		    MAX(MAPS_NAME_COLUMN - n, 0), "");
	else
		procfs_printf(pb, "%s\n", line);
}

/* /proc/<pid>/maps: one line per map entry, walked with the pin held
 * (uvm_map_next takes the map's read lock for each). */
static int
proc_maps_gen(struct procfs_buf *pb, pid_t pid)
{
	struct process_reader rd;
	struct uvm_map_info mi;
	vaddr_t va = 0;
	int error;

	if ((error = process_read_begin(curproc, pid, PMEM_PERM, &rd)) != 0)
		return error == ESRCH ? 0 : EACCES;	/* exiting: empty */
	while (uvm_map_next(&rd.rd_vm->vm_map, va, &mi)) {
		proc_maps_line(pb, &mi);
		va = mi.mi_end;
	}
	process_read_end(&rd);
	return 0;
}

/* /proc/<pid>/mem: read or write the target at the file offset. */
static int
proc_mem_rw(pid_t pid, struct uio *uio)
{
	size_t done;
	int error;

	if (uio->uio_offset < 0)
		return EINVAL;
	error = process_domem(curproc, pid, PMEM_PERM | PMEM_FORCE,
	    (vaddr_t)uio->uio_offset, uio, &done);
	if (done > 0 || error == ESRCH)
		return 0;		/* a short transfer; gone: end of file */
	switch (error) {
	case EPERM:
		return EACCES;
	case EFAULT:
	case EACCES:
		return EIO;		/* nothing there (Linux's errno) */
	default:
		return error;
	}
}

/* /proc/<pid>/mem: only the target's uid or root may open it (EACCES);
 * an exiting process's opens, and reads end of file. */
static int
proc_mem_open(pid_t pid)
{
	struct process_reader rd;
	int error;

	if ((error = process_read_begin(curproc, pid, PMEM_PERM, &rd)) == 0)
		process_read_end(&rd);
	return error == EPERM ? EACCES : 0;
}

static struct procfs_node proc_status_node = {
	.pn_name = "status", .pn_gen = proc_status_gen, .pn_mode = 0444,
};
static struct procfs_node proc_cmdline_node = {
	.pn_name = "cmdline", .pn_gen = proc_cmdline_gen, .pn_mode = 0444,
};
static struct procfs_node proc_maps_node = {
	.pn_name = "maps", .pn_gen = proc_maps_gen, .pn_mode = 0444,
};
static struct procfs_node proc_mem_node = {
	.pn_name = "mem", .pn_rw = proc_mem_rw, .pn_open = proc_mem_open,
	.pn_mode = 0600,
};

static const struct procfs_pids proc_pids = { .pp_next = process_next_pid };

/* Register the per-process files and the pid provider; once, before the
 * first user process (after the in-kernel tests, which install their
 * own provider for a while). */
void
proc_procfs_init(void)
{
	if (procfs_register_pid(&proc_status_node) != 0 ||
	    procfs_register_pid(&proc_cmdline_node) != 0 ||
	    procfs_register_pid(&proc_maps_node) != 0 ||
	    procfs_register_pid(&proc_mem_node) != 0)
		panic("proc_procfs_init: cannot register /proc/<pid> files");
	procfs_set_pids(&proc_pids);
}
