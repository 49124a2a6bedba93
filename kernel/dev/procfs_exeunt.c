/*
 * dev/procfs_exeunt.c: /proc/exeunt (the teardown counters) and
 * /proc/exeunt_trace (the newest events of the lifecycle trace).
 *
 * /proc/exeunt is "key: value" lines, one counter each:
 *
 *	purge: exit | reaper		where address spaces are purged
 *	pages.total, pages.free		managed pages; free ones
 *	pages.<use>			allocated pages by use: kernel, user,
 *					ptp (page-table pages), pool, reserved
 *	pmap.pmaps, pmap.ptpages	live user pmaps; their page-table pages
 *					(PML4s included)
 *	vmspaces.live, .purged, .dead	address spaces by state (DEAD: waiting
 *					for the SMR grace period)
 *	processes			process structs, kernel threads' too
 *	threads				thread structs (idle threads aside)
 *	kthreads			kernel threads alive
 *	reaper.backlog			dead threads the reaper has not freed
 *	smr.pending			SMR callbacks waiting for a grace period
 *	trace.events, trace.lost	trace events recorded; lost to wraps
 *	pool.<name>: <live> <peak> <slabs>	each pool's objects in use,
 *					their high-water mark, and its slabs
 *
 * The snapshot's own buffer pages count as free, as in /proc/meminfo.
 *
 * /proc/exeunt_trace is a header line "# purge=<mode> events=<n>
 * lost=<n> from=<seq>" and then the events from sequence <seq> to <n>
 * (the newest that fit in a snapshot; fewer if a ring lost some), in
 * trace.h's text format, oldest first.
 *
 * Owns the two procfs nodes, registered once by procfs_exeunt_init; no
 * locks (the counters are atomics and snapshots).
 */
#include "lib.h"
#include "param.h"
#include "pool.h"
#include "pmap.h"
#include "proc.h"
#include "smr.h"
#include "uvm_page.h"
#include "uvm_vmspace.h"
#include "trace.h"
#include "procfs.h"

/* A trace line is at most 20+20+3+6+13+17+11 characters with its spaces
 * and newline, under 96: this many fit in a snapshot beside the header. */
#define EXEUNT_TRACE_SHOWN	((PROCFS_BUFMAX - 128) / 96)

/* pool_foreach callback: one line per pool, and the proc pool's count. */
static void
exeunt_pool(const struct pool_stats *st, void *arg)
{
	struct procfs_buf *pb = arg;

	procfs_printf(pb, "pool.%s: %lu %lu %lu\n", st->pst_name, st->pst_live,
	    st->pst_peak, st->pst_slabs);
}

/* pool_foreach callback: the live threads (the proc pool's objects). */
static void
exeunt_threads(const struct pool_stats *st, void *arg)
{
	if (strcmp(st->pst_name, "proc") == 0)
		*(uint64_t *)arg = st->pst_live;
}

/* Fill /proc/exeunt (see above). */
static int
exeunt_gen(struct procfs_buf *pb, pid_t pid __unused)
{
	struct smr_stats ss;
	struct uvmexp u;
	uint64_t threads = 0;

	procfs_printf(pb, "purge: %s\n", uvm_purge_at_exit() ? "exit" : "reaper");
	procfs_print_pages(pb, &u);
	procfs_printf(pb, "pmap.pmaps: %lu\npmap.ptpages: %lu\n",
	    __atomic_load_n(&pmap_stats.pmaps, __ATOMIC_RELAXED),
	    __atomic_load_n(&pmap_stats.ptpages, __ATOMIC_RELAXED));
	procfs_printf(pb, "vmspaces.live: %lu\nvmspaces.purged: %lu\n"
	    "vmspaces.dead: %lu\n",
	    __atomic_load_n(&uvmspace_stats.live[VMSPACE_LIVE], __ATOMIC_RELAXED),
	    __atomic_load_n(&uvmspace_stats.live[VMSPACE_PURGED], __ATOMIC_RELAXED),
	    __atomic_load_n(&uvmspace_stats.live[VMSPACE_DEAD], __ATOMIC_RELAXED));
	pool_foreach(exeunt_threads, &threads);
	smr_stats_get(&ss);
	procfs_printf(pb, "processes: %lu\nthreads: %lu\nkthreads: %lu\n"
	    "reaper.backlog: %lu\nsmr.pending: %lu\n",
	    __atomic_load_n(&process_live, __ATOMIC_RELAXED), threads,
	    __atomic_load_n(&kthread_stats.live, __ATOMIC_RELAXED),
	    __atomic_load_n(&kthread_stats.dead, __ATOMIC_RELAXED),
	    ss.ss_pending);
	procfs_printf(pb, "trace.events: %lu\ntrace.lost: %lu\n", trace_count(),
	    trace_lost());
	pool_foreach(exeunt_pool, pb);
	return 0;
}

struct exeunt_trace_arg {
	struct procfs_buf *eta_pb;
	uint64_t	eta_last;	/* the newest sequence to show */
};

/* trace_foreach callback of exeunt_trace_gen: one line, up to eta_last. */
static bool
exeunt_trace_line(const struct trace_record *tr, void *arg)
{
	struct exeunt_trace_arg *eta = arg;

	if (tr->tr_seq > eta->eta_last)
		return false;		/* recorded while we read */
	procfs_printf(eta->eta_pb, "%lu %lu %d %d %s %lx %lu\n", tr->tr_seq,
	    tr->tr_ns, tr->tr_cpu, tr->tr_pid, trace_kind_name(tr->tr_kind),
	    tr->tr_vm, tr->tr_arg);
	return true;
}

/* Fill /proc/exeunt_trace: the header, then the newest events. */
static int
exeunt_trace_gen(struct procfs_buf *pb, pid_t pid __unused)
{
	struct exeunt_trace_arg eta = { pb, trace_count() };
	uint64_t from = eta.eta_last > EXEUNT_TRACE_SHOWN ?
	    eta.eta_last - EXEUNT_TRACE_SHOWN + 1 : 1;

	procfs_printf(pb, "# purge=%s events=%lu lost=%lu from=%lu\n",
	    uvm_purge_at_exit() ? "exit" : "reaper", eta.eta_last, trace_lost(),
	    from);
	trace_foreach(from, exeunt_trace_line, &eta);
	return 0;
}

static struct procfs_node exeunt_node = {
	.pn_name = "exeunt", .pn_gen = exeunt_gen, .pn_mode = 0444,
};
static struct procfs_node exeunt_trace_node = {
	.pn_name = "exeunt_trace", .pn_gen = exeunt_trace_gen, .pn_mode = 0444,
};

/* Register /proc/exeunt and /proc/exeunt_trace; once, from procfs_init. */
void
procfs_exeunt_init(void)
{
	if (procfs_register(&exeunt_node) != 0 ||
	    procfs_register(&exeunt_trace_node) != 0)
		panic("procfs_exeunt_init: cannot register");
}
