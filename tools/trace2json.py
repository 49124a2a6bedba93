#!/usr/bin/env python3
"""Turn exeunt's lifecycle trace into Chrome Trace Event Format JSON, for
a trace viewer (Perfetto's UI, the Performance panel of Chromium's
DevTools; docs/tracing.md).

The input is a boot log with the "# trace-begin" ... "# trace-end" block
the kernel dumps at the end of a test boot, or a saved snapshot of
/proc/exeunt_trace (what /bin/trace prints); tools/tracecheck.py parses
both. The output is the JSON Object Format:

    {"traceEvents": [...], "displayTimeUnit": "ns", "otherData": {...}}

with one process, "exeunt", and a track (tid) per CPU:

  spans ("X", complete events, on the CPU where they began)
    purge   purge_begin .. purge_end of one pid and vmspace (args: users
            then, entries removed)
    read    reader_begin .. reader_end: a reader copying another
            process's memory (args: the reader, the target pid)
    reap    the reaper's reap of a process .. its last event on that
            vmspace before its next reap (unpin, and under purge=reaper
            the purge; when its unpin is the last, the integrity purge and
            pmap_destroy): the reaper's work on that address space
  instants ("i", thread scope) for every other event: alloc,
    user_add/user_drop, pin/unpin, pmap_destroy, free, exit1; a free says
    who dropped the last pin (last_unpin_pid) and whether that was a
    reader's unpin (by_reader), from tracecheck's walk of the lives.
  metadata ("M"): the process's name, each track's name and order.

ts and dur are microseconds since boot (the trace's ns / 1000). Spans on
one track must nest; when two overlap without nesting (a thread that
slept inside its read while another ran on that CPU), the later one goes
to an extra track of the same CPU ("cpu1 +1"). A begin whose end is not
in the trace (events lost, or a snapshot taken mid-purge) is a span to
the last event, with args.unfinished; an end whose begin was lost is an
instant.

usage: tools/trace2json.py [-o OUT.json] LOG   (default OUT: stdout;
exit 2 when LOG holds no trace)
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tracecheck  # noqa: E402  (found through the path set just above)

PID = 1                 # the one process of the JSON: "exeunt"
LANE_TID = 1000         # tid of extra track k of CPU c: c + k * LANE_TID
SPAN_KINDS = {"purge_begin": ("purge_end", "purge"),
              "reader_begin": ("reader_end", "read")}
CATEGORY = {"alloc": "life", "pmap_destroy": "life", "free": "life",
            "exit1": "life", "user_add": "count", "user_drop": "count",
            "pin": "count", "unpin": "count", "purge_begin": "purge",
            "purge_end": "purge", "reader_begin": "reader",
            "reader_end": "reader", "reap": "reap"}


class Span:
    """A span of the trace: name, category, vmspace, the CPU it began on,
    its begin and end in ns (never before the begin: the CPUs' clocks may
    differ by a little), its args, and the track of its CPU it lands on."""

    def __init__(self, name, begin, end, args):
        self.name, self.cat, self.vm = name, CATEGORY[begin.kind], begin.vm
        self.cpu, self.begin = begin.cpu, begin.ns
        self.end = max(begin.ns, end.ns)
        self.args = args
        self.lane = 0
        if end.cpu != begin.cpu:
            self.args["end_cpu"] = end.cpu


def vm_arg(vm):
    """Return a vmspace id as the JSON shows it (a hex string)."""
    return "%#x" % vm


def event_args(e):
    """Return the args every event carries: vm, pid, seq, arg."""
    return {"vm": vm_arg(e.vm), "pid": e.pid, "seq": e.seq, "arg": e.arg}


def pair_spans(events):
    """Return (spans, paired) for the begin/end kinds: each begin matched
    with the next end of the same pid, vmspace (and for a read, target),
    oldest open first; paired is the set of seqs used. Unfinished begins
    run to the last event."""
    spans, paired, open_ = [], set(), {}
    for e in events:
        if e.kind in SPAN_KINDS:
            open_.setdefault((SPAN_KINDS[e.kind][0], e.pid, e.vm,
                              e.arg if e.kind == "reader_begin" else None),
                             []).append(e)
            continue
        key = (e.kind, e.pid, e.vm, e.arg if e.kind == "reader_end" else None)
        if not open_.get(key):
            continue
        begin = open_[key].pop(0)
        args = event_args(begin)
        if e.kind == "purge_end":
            args.update(users=begin.arg, entries=e.arg)
        else:
            args.update(target=begin.arg)
        spans.append(Span(SPAN_KINDS[begin.kind][1], begin, e, args))
        paired.update((begin.seq, e.seq))
    last = events[-1] if events else None
    for begins in open_.values():
        for begin in begins:
            args = event_args(begin)
            args["unfinished"] = True
            spans.append(Span(SPAN_KINDS[begin.kind][1], begin, last, args))
            paired.add(begin.seq)
    return spans, paired


def reap_spans(events):
    """Return a span per reap: from the reap event to the reaper's last
    event on that vmspace before its next reap."""
    spans, open_ = [], {}
    for e in events:
        cur = open_.get(e.pid)
        if e.kind == "reap":
            if cur is not None:
                spans.append(cur)
            args = event_args(e)
            args["reaped"] = e.arg
            open_[e.pid] = Span("reap", e, e, args)
        elif cur is not None and e.vm == cur.vm != tracecheck.VM_KERNEL:
            cur.end = max(cur.end, e.ns)
    return spans + list(open_.values())


def place(spans):
    """Give each span a track of its CPU where it nests: the first track
    whose open spans all contain it. Return {cpu: tracks used}."""
    stacks = {}
    for sp in sorted(spans, key=lambda s: (s.begin, -s.end)):
        tracks = stacks.setdefault(sp.cpu, [])
        for lane, stack in enumerate(tracks):
            while stack and stack[-1] <= sp.begin:
                stack.pop()
            if not stack or stack[-1] >= sp.end:
                break
        else:
            lane = len(tracks)
            tracks.append([])
        tracks[lane].append(sp.end)
        sp.lane = lane
    return {cpu: len(tracks) for cpu, tracks in stacks.items()}


def free_args(trace):
    """Return {seq of a free: args saying who dropped the last pin}, from
    tracecheck's walk of the lives it could check."""
    _, checker = tracecheck.check(trace)
    out = {}
    for life in checker.checked:
        if life.freed is not None and life.pins_zero is not None:
            out[life.freed.seq] = {"last_unpin_pid": life.pins_zero.pid,
                                   "by_reader": life.reader_free is not None}
    return out


def us(ns):
    """Return ns in microseconds, the format's unit."""
    return ns / 1000.0


def tid(cpu, lane):
    """Return the tid of a CPU's track lane (0: the CPU's own)."""
    return cpu + lane * LANE_TID


def convert(trace):
    """Return the JSON object (a dict) for a parsed tracecheck.Trace."""
    events = trace.events
    spans, paired = pair_spans(events)
    spans += reap_spans(events)
    lanes = place(spans)
    frees = free_args(trace)
    out = []
    for sp in spans:
        out.append({"name": sp.name, "cat": sp.cat, "ph": "X",
                    "ts": us(sp.begin), "dur": us(sp.end - sp.begin),
                    "pid": PID, "tid": tid(sp.cpu, sp.lane), "args": sp.args})
    for e in events:
        if e.seq in paired or e.kind == "reap":
            continue
        args = event_args(e)
        args.update(frees.get(e.seq, {}) if e.kind == "free" else {})
        out.append({"name": e.kind, "cat": CATEGORY[e.kind], "ph": "i",
                    "s": "t", "ts": us(e.ns), "pid": PID, "tid": e.cpu,
                    "args": args})
    cpus = sorted(set(e.cpu for e in events) | set(lanes))
    meta = [{"name": "process_name", "ph": "M", "pid": PID, "tid": 0,
             "args": {"name": "exeunt (purge=%s)" % trace.purge}}]
    for cpu in cpus:
        for lane in range(max(lanes.get(cpu, 1), 1)):
            meta.append({"name": "thread_name", "ph": "M", "pid": PID,
                         "tid": tid(cpu, lane),
                         "args": {"name": "cpu%d%s" % (
                             cpu, " +%d" % lane if lane else "")}})
            meta.append({"name": "thread_sort_index", "ph": "M", "pid": PID,
                         "tid": tid(cpu, lane),
                         "args": {"sort_index": cpu * LANE_TID + lane}})
    out.sort(key=lambda ev: ev["ts"])
    other = {"source": "exeunt lifecycle trace", "purge": trace.purge,
             "events": len(events), "lost": len(trace.missing())}
    other.update((k, v) for k, v in trace.header.items()
                 if k in ("cpus", "ring"))
    return {"traceEvents": meta + out, "displayTimeUnit": "ns",
            "otherData": other}


def main(argv):
    """CLI: convert one log; exit 2 if it holds no trace."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("log", help="a boot log or a /proc/exeunt_trace "
                        "snapshot")
    parser.add_argument("-o", "--output", help="the JSON file (default: "
                        "stdout)")
    args = parser.parse_args(argv[1:])
    with open(args.log, encoding="utf-8", errors="replace") as f:
        trace = tracecheck.parse(f.read())
    if trace is None or not trace.complete:
        print("trace2json: %s: %s" % (args.log, "no trace" if trace is None
                                      else "the trace dump has no end line"),
              file=sys.stderr)
        return 2
    doc = convert(trace)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            json.dump(doc, f, separators=(",", ":"))
    else:
        json.dump(doc, sys.stdout, separators=(",", ":"))
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
