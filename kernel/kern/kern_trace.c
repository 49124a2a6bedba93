/*
 * kern/kern_trace.c: the lifecycle trace (see trace.h): per-CPU rings of
 * address-space events, the global sequence that orders them, and their
 * text forms (the console dump at the end of a test boot; /proc reads
 * them through trace_foreach).
 *
 * Locks: none. A CPU writes only its own ring, with interrupts off around
 * the write, so a ring has one writer at a time. Readers run anywhere and
 * check each slot: its ts_seq is cleared before the fields change and set
 * (release) after, so a reader that sees the same nonzero sequence before
 * and after copying has a whole event.
 *
 * Lifecycle: trace_init, once at boot when every CPU is online, sizes the
 * rings from the memory free then (trace_ring_events, the same for every
 * CPU: whole pages, TRACE_MEM_SHARE of the free pages and at most
 * TRACE_PAGES_MAX pages for all CPUs together), and allocates each online
 * CPU's ring, in pages reached through the direct map, for good; from
 * then on nothing is allocated. A ring holds its newest trace_ring_events
 * events; older ones are lost (counted: recorded - trace_ring_events). An
 * event on a CPU without a ring (before trace_init, or when its pages
 * could not be had) takes its sequence number and is counted as lost, so
 * the checker sees the gap.
 */
#include "lib.h"
#include "param.h"
#include "cpu.h"
#include "lock.h"
#include "clock.h"
#include "uvm_page.h"
#include "proc.h"
#include "uvm_vmspace.h"
#include "trace.h"

struct trace_slot {
	uint64_t	ts_seq;		/* 0 while being written [atomic] */
	uint64_t	ts_ns;
	uint64_t	ts_vm;
	uint32_t	ts_arg;
	int16_t		ts_pid;
	uint8_t		ts_kind;
	uint8_t		ts_pad;
};
CTASSERT(sizeof(struct trace_slot) == 32);

#define TRACE_PER_PAGE	(PAGE_SIZE / sizeof(struct trace_slot))

struct trace_ring {
	uint64_t	tr_head;	/* events recorded here [atomic; written
					 * by its CPU with interrupts off] */
	uint64_t	tr_dropped;	/* events with no ring to go to [same] */
	struct trace_slot **tr_page;	/* its trace_ring_events /
					 * TRACE_PER_PAGE pages, a run of
					 * trace_pages[] (contents: [its CPU])
					 * [const after trace_init] */
} __aligned(64);

static struct trace_ring trace_rings[MAXCPUS];
static struct trace_slot *trace_pages[TRACE_PAGES_MAX]; /* every ring's
					 * pages [const after trace_init] */
static bool trace_ready[MAXCPUS];	/* the ring is allocated [atomic; set
					 * once by trace_init] */
static uint64_t trace_seq;		/* the last sequence handed out [atomic] */
uint64_t trace_ring_events;		/* events per ring, whole pages; 0
					 * before trace_init [const after it] */

/* Return slot idx (any index: it wraps) of cpu's ring. */
static struct trace_slot *
trace_slot(int cpu, uint64_t idx)
{
	idx %= trace_ring_events;
	return &trace_rings[cpu].tr_page[idx / TRACE_PER_PAGE]
	    [idx % TRACE_PER_PAGE];
}

/* Return the pages each of ncpu rings gets out of free free pages: an
 * even share of TRACE_MEM_SHARE of them, TRACE_PAGES_MAX at most for all
 * rings together; 0 if not even one page each. */
static uint64_t
trace_ring_pages(uint64_t free, int ncpu)
{
	uint64_t budget = free / TRACE_MEM_SHARE;

	KASSERT(ncpu > 0 && ncpu <= MAXCPUS);
	if (budget > TRACE_PAGES_MAX)
		budget = TRACE_PAGES_MAX;
	return budget / ncpu;
}

/* Size the rings from the free memory and allocate those of the online
 * CPUs; once at boot, after MP bring-up. A CPU whose ring cannot be had
 * records nothing (its events count as lost). */
void
trace_init(void)
{
	struct uvmexp u;
	struct vm_page *pg;
	uint64_t npages, i;
	int cpu, online = 0, ring = 0;

	KASSERT(trace_ring_events == 0);
	for (cpu = 0; cpu < MAXCPUS; cpu++)
		online += cpu_info[cpu].ci_online;
	uvm_page_counters(&u);
	if ((npages = trace_ring_pages(u.free, online)) == 0) {
		kprintf("trace: no memory for the rings\n");
		return;
	}
	trace_ring_events = npages * TRACE_PER_PAGE;
	for (cpu = 0; cpu < MAXCPUS; cpu++) {
		if (!cpu_info[cpu].ci_online)
			continue;
		KASSERT(!trace_ready[cpu]);
		trace_rings[cpu].tr_page = &trace_pages[ring++ * npages];
		for (i = 0; i < npages; i++) {
			if ((pg = uvm_pagealloc(PG_USE_KERNEL, UVM_PGA_ZERO)) ==
			    NULL)
				break;
			trace_rings[cpu].tr_page[i] = VM_PAGE_TO_DMAP(pg);
		}
		if (i < npages) {
			kprintf("trace: no memory for cpu%d's ring\n", cpu);
			while (i > 0)
				uvm_pagefree(PHYS_TO_VM_PAGE(DMAP_TO_PHYS(
				    trace_rings[cpu].tr_page[--i])));
			continue;
		}
		__atomic_store_n(&trace_ready[cpu], true, __ATOMIC_RELEASE);
	}
	kprintf("trace: %d ring(s) of %lu events (%lu KiB each)\n", online,
	    trace_ring_events, npages * (PAGE_SIZE / 1024));
}

static const char *const trace_names[TR_NKINDS] = {
	[TR_VM_ALLOC] = "alloc",
	[TR_VM_USER_ADD] = "user_add",
	[TR_VM_USER_DROP] = "user_drop",
	[TR_VM_PIN] = "pin",
	[TR_VM_UNPIN] = "unpin",
	[TR_PURGE_BEGIN] = "purge_begin",
	[TR_PURGE_END] = "purge_end",
	[TR_PMAP_DESTROY] = "pmap_destroy",
	[TR_VM_FREE] = "free",
	[TR_READER_BEGIN] = "reader_begin",
	[TR_READER_END] = "reader_end",
	[TR_EXIT1] = "exit1",
	[TR_REAP] = "reap",
};

/* Return the name of kind ("?" if none). */
const char *
trace_kind_name(enum trace_kind kind)
{
	if (kind <= 0 || kind >= TR_NKINDS)
		return "?";
	return trace_names[kind];
}

/* Record one event on this CPU's ring. */
void
trace_event(enum trace_kind kind, const void *vm, uint64_t arg)
{
	struct proc *p = curproc;
	struct trace_ring *r;
	struct trace_slot *s;
	uint64_t head;

	KASSERT(kind > 0 && kind < TR_NKINDS);
	spinlock_enter();
	r = &trace_rings[cpu_number()];
	if (!__atomic_load_n(&trace_ready[cpu_number()], __ATOMIC_ACQUIRE)) {
		__atomic_add_fetch(&trace_seq, 1, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&r->tr_dropped, 1, __ATOMIC_RELAXED);
		spinlock_exit();
		return;
	}
	head = r->tr_head;
	s = trace_slot(cpu_number(), head);
	__atomic_store_n(&s->ts_seq, 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	s->ts_ns = clock_tsc_hz() != 0 ? nanouptime() : 0;
	s->ts_vm = (uint64_t)(uintptr_t)vm;
	s->ts_arg = arg > UINT32_MAX ? UINT32_MAX : (uint32_t)arg;
	s->ts_pid = p != NULL && p->p_p != NULL ? p->p_p->ps_pid : -1;
	s->ts_kind = kind;
	__atomic_store_n(&s->ts_seq,
	    __atomic_add_fetch(&trace_seq, 1, __ATOMIC_SEQ_CST), __ATOMIC_RELEASE);
	__atomic_store_n(&r->tr_head, head + 1, __ATOMIC_RELEASE);
	spinlock_exit();
}

/* Copy slot idx of cpu's ring into *tr; return false if it is being
 * written or was never written. */
static bool
trace_slot_read(int cpu, uint64_t idx, struct trace_record *tr)
{
	const struct trace_slot *s;
	uint64_t seq;

	if (!__atomic_load_n(&trace_ready[cpu], __ATOMIC_ACQUIRE))
		return false;
	s = trace_slot(cpu, idx);
	seq = __atomic_load_n(&s->ts_seq, __ATOMIC_ACQUIRE);

	if (seq == 0)
		return false;
	tr->tr_seq = seq;
	tr->tr_ns = s->ts_ns;
	tr->tr_vm = s->ts_vm;
	tr->tr_arg = s->ts_arg;
	tr->tr_pid = s->ts_pid;
	tr->tr_kind = s->ts_kind;
	tr->tr_cpu = cpu;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&s->ts_seq, __ATOMIC_RELAXED) == seq;
}

/* A merge of the rings by sequence: per CPU, the next slot and the end. */
struct trace_merge {
	uint64_t	tm_next[MAXCPUS];
	uint64_t	tm_end[MAXCPUS];
};

/* Start a merge at the first event whose sequence is >= from. */
static void
trace_merge_start(struct trace_merge *m, uint64_t from)
{
	struct trace_record tr;
	uint64_t head, low;
	int cpu;

	for (cpu = 0; cpu < MAXCPUS; cpu++) {
		head = __atomic_load_n(&trace_rings[cpu].tr_head, __ATOMIC_ACQUIRE);
		low = head > trace_ring_events ? head - trace_ring_events : 0;
		m->tm_end[cpu] = head;
		m->tm_next[cpu] = head;
		while (m->tm_next[cpu] > low &&
		    (!trace_slot_read(cpu, m->tm_next[cpu] - 1, &tr) ||
		    tr.tr_seq >= from))
			m->tm_next[cpu]--;
	}
}

/* Return the next event of the merge in *tr, or false at its end. */
static bool
trace_merge_next(struct trace_merge *m, struct trace_record *tr)
{
	struct trace_record cand;
	int cpu, best = -1;

	for (cpu = 0; cpu < MAXCPUS; cpu++) {
		while (m->tm_next[cpu] < m->tm_end[cpu] &&
		    !trace_slot_read(cpu, m->tm_next[cpu], &cand))
			m->tm_next[cpu]++;	/* overwritten meanwhile */
		if (m->tm_next[cpu] == m->tm_end[cpu])
			continue;
		if (best < 0 || cand.tr_seq < tr->tr_seq) {
			*tr = cand;
			best = cpu;
		}
	}
	if (best < 0)
		return false;
	m->tm_next[best]++;
	return true;
}

/* Call fn on every event held with sequence >= from, in sequence order,
 * until it returns false. */
void
trace_foreach(uint64_t from, bool (*fn)(const struct trace_record *, void *),
    void *arg)
{
	struct trace_merge *m = &(struct trace_merge){ { 0 }, { 0 } };
	struct trace_record tr;

	trace_merge_start(m, from);
	while (trace_merge_next(m, &tr))
		if (!fn(&tr, arg))
			return;
}

/* Events recorded since boot. */
uint64_t
trace_count(void)
{
	return __atomic_load_n(&trace_seq, __ATOMIC_ACQUIRE);
}

/* Events lost to ring wraps. */
uint64_t
trace_lost(void)
{
	uint64_t head, lost = 0;
	int cpu;

	for (cpu = 0; cpu < MAXCPUS; cpu++) {
		head = __atomic_load_n(&trace_rings[cpu].tr_head, __ATOMIC_ACQUIRE);
		if (head > trace_ring_events)
			lost += head - trace_ring_events;
		lost += __atomic_load_n(&trace_rings[cpu].tr_dropped,
		    __ATOMIC_RELAXED);
	}
	return lost;
}

/* trace_foreach callback of trace_dump: one console line. */
static bool
trace_dump_one(const struct trace_record *tr, void *arg __unused)
{
	kprintf("trace: %lu %lu %d %d %s %lx %lu\n", tr->tr_seq, tr->tr_ns,
	    tr->tr_cpu, tr->tr_pid, trace_kind_name(tr->tr_kind), tr->tr_vm,
	    tr->tr_arg);
	return true;
}

/* Print every event held, merged, between the delimiting lines. */
void
trace_dump(void)
{
	uint64_t head;
	int cpu;

	kprintf("# trace-begin purge=%s cpus=%d ring=%lu events=%lu lost=%lu\n",
	    uvm_purge_at_exit() ? "exit" : "reaper", ncpus, trace_ring_events,
	    trace_count(), trace_lost());
	for (cpu = 0; cpu < MAXCPUS; cpu++) {
		head = __atomic_load_n(&trace_rings[cpu].tr_head, __ATOMIC_ACQUIRE);
		if (head != 0 || trace_rings[cpu].tr_dropped != 0)
			kprintf("# trace-cpu %d recorded=%lu lost=%lu\n", cpu, head,
			    (head > trace_ring_events ? head - trace_ring_events :
			    0) + trace_rings[cpu].tr_dropped);
	}
	trace_foreach(1, trace_dump_one, NULL);
	kprintf("# trace-end\n");
}
