# tools/gdb/exeunt/trace.py: exeunt-trace, the newest events of the
# lifecycle trace (kernel/include/trace.h, kern/kern_trace.c) read from
# the per-CPU rings in memory, merged across CPUs.
#
# Each CPU's ring (trace_rings[cpu]) holds its newest events in the pages
# of tr_page[], tr_head counting every event it recorded; a slot's ts_seq,
# from one global counter, orders the events of all CPUs and is 0 while the
# slot is being written. The newest N events overall are among the newest
# N of each CPU, so only those are read (whole rings when one address
# space's events are asked for): one memory read per page touched, decoded
# through the slot type of the debug information.
import gdb

from . import kdata

DEFAULT_EVENTS = 20


def ring_geometry(ring):
    """Return (slot type, slots per page, ring size) of a trace ring: its
    slots live in pages (tr_page[]) reached through the direct map; every
    ring holds trace_ring_events (0 before trace_init)."""
    pages = ring["tr_page"]
    slot_type = pages.type.strip_typedefs().target().target()
    per_page = 4096 // slot_type.sizeof
    return slot_type, per_page, int(kdata.var("trace_ring_events"))


def ring_slots(ring, first, last):
    """Return the slots of ring for event indexes [first, last) as
    gdb.Values (indexes count events; the ring holds them modulo its
    size), reading one run of slots per page."""
    slot_type, per_page, size = ring_geometry(ring)
    inferior = gdb.selected_inferior()
    out = []
    i = first
    while i < last:
        pos = i % size
        n = min(last - i, per_page - pos % per_page)
        page = ring["tr_page"][pos // per_page]
        addr = int(page) + (pos % per_page) * slot_type.sizeof
        buf = inferior.read_memory(addr, n * slot_type.sizeof)
        chunk = gdb.Value(buf, slot_type.array(n - 1))
        out.extend(chunk[k] for k in range(n))
        i += n
    return out


def kind_name(kind):
    """Return the text-format name of an event kind, from the kernel's own
    trace_names[] (kern/kern_trace.c)."""
    names = kdata.var("trace_names")
    lo, hi = names.type.strip_typedefs().range()
    if lo <= kind <= hi and int(names[kind]) != 0:
        return kdata.cstr(names[kind])
    return "?%d" % kind


def newest_events(n, vm=None):
    """Return (events, recorded, lost, ring size): the newest n events
    (of the address space vm only, if given) of every CPU's ring merged by
    sequence, oldest first, as tuples (seq, ns, cpu, pid, kind, vm, arg);
    the total recorded (trace_seq) and the events overwritten by ring
    wraps. Without vm only the newest n slots of each ring are read."""
    rings = kdata.var("trace_rings")
    size = ring_geometry(rings[0])[2]
    events = []
    lost = 0
    for ci in kdata.cpus():
        cpu = int(ci["ci_cpuid"])
        ring = rings[cpu]
        head = int(ring["tr_head"])
        lost += max(0, head - size)
        first = max(0, head - size, head - n if vm is None else 0)
        for s in ring_slots(ring, first, head):
            seq = int(s["ts_seq"])
            if seq == 0:
                continue        # being written when the CPU stopped
            if vm is not None and int(s["ts_vm"]) != vm:
                continue
            events.append((seq, int(s["ts_ns"]), cpu, int(s["ts_pid"]),
                           int(s["ts_kind"]), int(s["ts_vm"]),
                           int(s["ts_arg"])))
    events.sort()
    return events[-n:] if n else [], int(kdata.var("trace_seq")), lost, size


class ExeuntTrace(kdata.Command):
    """exeunt-trace [N [VMSPACE]]: the newest N lifecycle trace events
(default 20) across every CPU's ring, oldest first, in sequence order (the
global counter taken in each write; ns is the time since boot). Columns
as the text format of trace.h: seq, ns, cpu, pid, kind, vm, arg. With
VMSPACE (an address or pointer expression), the newest N events of that
address space (every ring is read whole). The header gives the events recorded since boot and
those lost to ring wraps."""

    def __init__(self):
        super().__init__("exeunt-trace", gdb.COMMAND_DATA)

    def run(self, arg):
        argv = gdb.string_to_argv(arg)
        if len(argv) > 2:
            raise gdb.GdbError("usage: exeunt-trace [N [VMSPACE]]")
        try:
            n = int(argv[0], 0) if argv else DEFAULT_EVENTS
        except ValueError:
            raise gdb.GdbError("exeunt-trace: N must be a number")
        if n < 0:
            raise gdb.GdbError("exeunt-trace: N must not be negative")
        only = int(gdb.parse_and_eval(argv[1])) if len(argv) == 2 else None
        events, recorded, lost, size = newest_events(n, only)
        print("trace: %d events recorded, %d lost to wraps, ring %d per "
              "cpu; showing %d" % (recorded, lost, size, len(events)))
        print("%8s %14s %3s %5s %-13s %-18s %s" % (
            "SEQ", "NS", "CPU", "PID", "KIND", "VM", "ARG"))
        for seq, ns, cpu, pid, kind, vm, a in events:
            print("%8d %14d %3d %5d %-13s %#-18x %d" % (
                seq, ns, cpu, pid, kind_name(kind), vm, a))


ExeuntTrace()
