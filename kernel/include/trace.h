/*
 * The lifecycle trace (kern/kern_trace.c): what happened to every address
 * space, in order, for tools/tracecheck.py to check offline against the
 * rules of DESIGN.md section 5 (alloc < purge <= pmap_destroy < free, no
 * access after free, a count never back from zero, purge only by the last
 * user).
 *
 * Each CPU appends to its own fixed ring (trace_ring_events events, sized
 * from the free memory and allocated once at boot; none per event); a
 * global sequence number, taken inside the write, orders the events of
 * all CPUs. A ring that wraps loses its oldest events: the sequence
 * numbers missing from a dump are exactly the events lost, so the checker
 * knows which address spaces it saw whole.
 *
 * An event names an address space by its struct vmspace address (an id:
 * pool slots are reused, an "alloc" starts a new life), or 0 for the
 * kernel's (kernel threads run on the kernel pmap and have no vmspace).
 * Its pid is the process of the thread that recorded it (-1 before the
 * first thread). The argument depends on the kind (below).
 *
 * Text format, one event a line (/proc/exeunt_trace, the console dump):
 *	<seq> <ns> <cpu> <pid> <kind> <vm in hex> <arg>
 */
#ifndef _TRACE_H_
#define _TRACE_H_

#include "types.h"

#define TRACE_PAGES_MAX	4096		/* pages of all rings together at most
					 * (16 MiB) */
#define TRACE_MEM_SHARE	4		/* the rings take at most 1/4 of the
					 * pages free at trace_init */
#define TRACE_VM_KERNEL	0		/* the id of the kernel's address space */

enum trace_kind {
	TR_VM_ALLOC = 1,	/* uvmspace_alloc; arg 0 (1 user, 1 pin) */
	TR_VM_USER_ADD,		/* uvmspace_share; arg: users after */
	TR_VM_USER_DROP,	/* uvmspace_drop_user; arg: users after */
	TR_VM_PIN,		/* a pin taken (share, uvmspace_pin); arg: pins after */
	TR_VM_UNPIN,		/* uvmspace_free; arg: pins after */
	TR_PURGE_BEGIN,		/* uvm_purge_map starts; arg: users then */
	TR_PURGE_END,		/* uvm_purge_map done; arg: entries removed */
	TR_PMAP_DESTROY,	/* the last pin destroys the pmap; arg 0 */
	TR_VM_FREE,		/* the SMR callback returns it to its pool; arg 0 */
	TR_READER_BEGIN,	/* a reader of another process's memory starts
				 * copying (holding its pin); arg: target pid */
	TR_READER_END,		/* ... and is done copying; arg: target pid */
	TR_EXIT1,		/* exit1 of the process pid; arg 1 for a kernel
				 * thread, else 0; vm: its address space */
	TR_REAP,		/* the reaper frees the dead thread of process
				 * arg; vm: that process's address space */
	TR_NKINDS
};

/* Events each CPU's ring holds (whole pages of them), set by trace_init
 * (0 before). */
extern uint64_t trace_ring_events;

/* Size the rings from the free memory and allocate those of the online
 * CPUs; once at boot, after MP bring-up (events before it count as
 * lost). */
void	trace_init(void);
/* Record one event on this CPU's ring; any context but NMI, never sleeps. */
void	trace_event(enum trace_kind kind, const void *vm, uint64_t arg);
/* Return the name of kind as the text format spells it ("?" if none). */
const char *trace_kind_name(enum trace_kind kind);
/* Print every event the rings hold, merged by sequence, between the lines
 * "# trace-begin ..." and "# trace-end" on the console (each event line
 * starts "trace: ", so the KTAP parser takes the block for noise). Call
 * when nothing else records (the end of a test boot). */
void	trace_dump(void);
/* Events recorded since boot, and events lost to ring wraps. */
uint64_t trace_count(void);
uint64_t trace_lost(void);

/* A snapshot of one event (for in-kernel tests). */
struct trace_record {
	uint64_t	tr_seq;
	uint64_t	tr_ns;
	uint64_t	tr_vm;
	uint64_t	tr_arg;
	int		tr_cpu;
	int		tr_pid;
	enum trace_kind	tr_kind;
};
/* Call fn on every event still held whose sequence is >= from, in no
 * particular order; stop early when fn returns false. Safe while others
 * record (an event overwritten meanwhile is skipped). */
void	trace_foreach(uint64_t from, bool (*fn)(const struct trace_record *,
	    void *), void *arg);

#endif
