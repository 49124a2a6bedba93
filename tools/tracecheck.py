#!/usr/bin/env python3
"""Check the lifecycle trace of a boot against DESIGN.md section 5's
ordering rules.

A test boot ends with the trace the kernel kept (kern/kern_trace.c,
trace.h) dumped on the console:

    # trace-begin purge=exit cpus=4 ring=131072 events=N lost=L
    # trace-cpu 0 recorded=N lost=L
    trace: <seq> <ns> <cpu> <pid> <kind> <vm hex> <arg>
    ...
    # trace-end

A saved snapshot of /proc/exeunt_trace (its "# purge=... events=N
lost=L from=S" line, then the events without the "trace: " prefix, as
/bin/trace prints them) is read the same way; the events before S count
as lost. tools/trace2json.py parses through this module too.

Events are merged by their global sequence number, which orders the
events of all CPUs. A vmspace is named by its address; an "alloc" starts a
new life of that address (pool slots are reused). vm 0 is the kernel's
address space. The rules, checked per life of every vmspace:

  order       alloc < purge_begin <= pmap_destroy < free: the life starts
              with alloc; pmap_destroy only after a finished purge; free
              only after pmap_destroy; each at most once
  after-free  no event of a vmspace after its free (but a new alloc), and
              no pin, user_add, reader_begin or purge after pmap_destroy
  zero        a count never goes from 0 back to 1: a pin or user_add
              leaves at least 2 (increment-if-not-zero), and none follows
              the unpin or user_drop that reached 0
  last-user   a purge starts with no user left (its arg, the users then,
              is 0) and after the user_drop that reached 0; under
              purge=exit the first purge is by the process that dropped
              the last user, under purge=reaper one that a process's exit1
              left is by another thread (the reaper)
  purge-pair  purge_begin and purge_end alternate, by one pid; a purge
              after the first finds nothing (purge_end arg 0)
  reader      reader_begin by a pid that holds a pin it took on that
              vmspace, reader_end after its reader_begin
  kernel      no count, purge, pmap_destroy or free of vm 0; an exit1 on
              vm 0 is a kernel thread's (arg 1) and a kernel thread's
              exit1 names vm 0
  freed       every vmspace allocated during the boot is freed by the end
  last-pin    each vmspace a test says a reader must free (a log line
              "trace-expect reader-last-pin vm=<hex> reader=<pid>
              target=<pid>", which the test prints when it runs) has a
              life where that reader read target's memory, and the unpin
              that dropped the last pin is the one ending that read,
              followed by the reader's pmap_destroy and then the free

A life is "freed by a reader" when the unpin that reached 0 ends a read:
its pid had a reader_end on that life not yet matched by an unpin. The
summary counts them; -l lists them.

When a ring wrapped, the sequence numbers missing from the dump are the
events lost; a life that began before the last missing one is not checked
(reported as incomplete).

usage: tools/tracecheck.py [-l] LOG...   (exit 0: the trace passes; 1: a
rule is broken; 2: no trace in the log; -l: list the lives freed by a
reader's last unpin)
"""

import re
import sys

KINDS = ("alloc", "user_add", "user_drop", "pin", "unpin", "purge_begin",
         "purge_end", "pmap_destroy", "free", "reader_begin", "reader_end",
         "exit1", "reap")
VM_KERNEL = 0
_BEGIN = re.compile(r"^# trace-begin\b(.*)$")
_SNAPSHOT = re.compile(r"^#( purge=\S+ events=\d+ .*)$")
_END = re.compile(r"^# trace-end\b")
_EVENT = re.compile(r"^(?:trace: )?(\d+) (\d+) (\d+) (-?\d+) (\w+) "
                    r"([0-9a-f]+) (\d+)$")
_EXPECT = re.compile(r"trace-expect reader-last-pin vm=([0-9a-f]+) "
                     r"reader=(-?\d+) target=(\d+)\b")
MAX_SHOWN = 12          # offending events printed per violation
MAX_VIOLATIONS = 20     # violations printed per log (all are counted)


class Event:
    """One trace event: seq, ns, cpu, pid, kind (a name of KINDS), vm (an
    int id) and arg."""

    def __init__(self, seq, ns, cpu, pid, kind, vm, arg):
        self.seq, self.ns, self.cpu, self.pid = seq, ns, cpu, pid
        self.kind, self.vm, self.arg = kind, vm, arg

    def __str__(self):
        return "%d %d %d %d %s %x %d" % (self.seq, self.ns, self.cpu,
                                         self.pid, self.kind, self.vm,
                                         self.arg)

    __repr__ = __str__


class Trace:
    """A parsed dump: header fields (dict of str), events in sequence
    order, and whether the end line was seen."""

    def __init__(self):
        self.header = {}
        self.events = []
        self.complete = False
        self.snapshot = False       # a /proc/exeunt_trace snapshot

    @property
    def purge(self):
        """The purge mode the kernel ran with: "exit" or "reaper"."""
        return self.header.get("purge", "exit")

    def missing(self):
        """Return the sequence numbers absent from 1..the last one (the
        events lost to ring wraps)."""
        seen = set(e.seq for e in self.events)
        last = max(seen) if seen else 0
        return [s for s in range(1, last + 1) if s not in seen]


class Violation:
    """A broken rule: its name, the vmspace (or None), a message and the
    events that show it."""

    def __init__(self, rule, vm, message, events):
        self.rule, self.vm, self.message = rule, vm, message
        self.events = list(events)

    def format(self):
        """Return the violation as lines: the message, then the events."""
        lines = ["%s: vm %s: %s" % (self.rule, "-" if self.vm is None
                                    else "%x" % self.vm, self.message)]
        shown = self.events[-MAX_SHOWN:]
        if len(self.events) > len(shown):
            lines.append("  ... %d earlier events" %
                         (len(self.events) - len(shown)))
        lines += ["  " + str(e) for e in shown]
        return lines


def parse(text):
    """Return the Trace of the last dump in a log, or None if it has
    none. Carriage returns and junk lines inside the block are ignored.
    A snapshot of /proc/exeunt_trace (its "# purge=... events=..." header,
    then event lines without the "trace: " prefix, as /bin/trace prints
    it) counts as a dump that ends with the text."""
    trace = None
    for raw in text.split("\n"):
        line = raw.replace("\r", "").strip()
        begin = _BEGIN.match(line) or _SNAPSHOT.match(line)
        if begin:
            trace = Trace()
            trace.complete = begin.re is _SNAPSHOT
            trace.snapshot = trace.complete
            for field in begin.group(1).split():
                key, _, value = field.partition("=")
                trace.header[key] = value
            continue
        if trace is None or (trace.complete and not trace.snapshot):
            continue
        if _END.match(line):
            trace.complete = True
            continue
        match = _EVENT.match(line)
        if match and match.group(5) in KINDS and (
                trace.snapshot or line.startswith("trace: ")):
            trace.events.append(Event(
                int(match.group(1)), int(match.group(2)),
                int(match.group(3)), int(match.group(4)), match.group(5),
                int(match.group(6), 16), int(match.group(7))))
    if trace is not None:
        trace.events.sort(key=lambda e: e.seq)
    return trace


class _Life:
    """One life of a vmspace being checked: its events so far and state."""

    def __init__(self, vm, first):
        self.vm = vm
        self.events = [first]
        self.alloc = first if first.kind == "alloc" else None
        self.users_zero = None      # the user_drop that reached 0
        self.pins_zero = None       # the unpin that reached 0
        self.purging = None         # the open purge_begin
        self.purges = 0             # purges finished
        self.destroyed = None       # the pmap_destroy event
        self.freed = None           # the free event
        self.pins_by = {}           # pid -> pins it took minus unpins
        self.readers = {}           # pid -> reader_begins open
        self.reads_done = {}        # pid -> its reader_ends not yet unpinned
        self.reader_free = None     # the reader_end whose unpin was the last
        self.exits = set()          # pids whose exit1 named this vmspace


class Checker:
    """Applies the rules to a Trace; violations() lists what broke."""

    ACCESS = ("pin", "user_add", "reader_begin", "purge_begin")

    def __init__(self, trace, expects=()):
        self.trace = trace
        self.expects = list(expects)
        self.found = []
        self.incomplete = 0
        self.lives = 0
        self.checked = []           # the _Lives checked, in alloc order
        missing = trace.missing()
        self.horizon = max(missing) if missing else 0

    def fail(self, rule, life, message, event=None):
        """Record a violation of rule for life (or vm 0 when None)."""
        events = list(life.events) if life is not None else []
        if event is not None and (not events or events[-1] is not event):
            events.append(event)
        self.found.append(Violation(rule, life.vm if life is not None
                                    else VM_KERNEL, message, events))

    def violations(self):
        """Check every event; return the Violations found."""
        lives = {}
        for e in self.trace.events:
            if e.vm == VM_KERNEL:
                self.kernel_event(e)
                continue
            life = lives.get(e.vm)
            if e.kind == "alloc" or life is None:
                if life is not None:
                    self.finish(life, reused=True)
                life = _Life(e.vm, e)
                lives[e.vm] = life
                self.lives += 1
                if e.kind == "alloc":
                    if e.seq > self.horizon:
                        self.checked.append(life)
                    continue
            else:
                life.events.append(e)
            if life.alloc is None or life.alloc.seq <= self.horizon:
                continue        # began before lost events: not checked
            self.step(life, e)
        for life in lives.values():
            self.finish(life, reused=False)
        for expect in self.expects:
            self.check_expect(*expect)
        return self.found

    def reader_frees(self):
        """Return the checked lives whose last pin a reader dropped."""
        return [life for life in self.checked if life.reader_free]

    def check_expect(self, vm, reader, target):
        """Rule last-pin: the life of vm in which reader read target's
        memory was freed by that read's unpin (then pmap_destroy by the
        reader, then the free)."""
        lives = [life for life in self.checked if life.vm == vm and any(
            e.kind == "reader_begin" and e.pid == reader and e.arg == target
            for e in life.events)]
        what = "reader pid %d of pid %d" % (reader, target)
        if not lives:
            unchecked = self.horizon and any(
                e.vm == vm and e.kind == "reader_begin" and e.pid == reader
                for e in self.trace.events)
            self.found.append(Violation("last-pin", vm, "a test expects %s "
                                        "to free it, but %s" % (what, (
                                            "its life began before lost "
                                            "events" if unchecked else
                                            "no such read is in the trace")),
                                        []))
            return
        life = lives[-1]
        read = life.reader_free
        if read is None or read.pid != reader or read.arg != target:
            self.fail("last-pin", life, "a test expects %s to drop the last "
                      "pin, but %s" % (what, "nobody did" if life.pins_zero
                                       is None else "pid %d did%s" % (
                                           life.pins_zero.pid,
                                           "" if read else " (not a read)")))
        elif life.destroyed is None or life.destroyed.pid != reader or \
                life.freed is None:
            self.fail("last-pin", life, "%s dropped the last pin, but its "
                      "pmap_destroy and free did not follow" % what)

    def kernel_event(self, e):
        """Rule kernel: what may name vm 0."""
        if e.kind == "exit1":
            if e.arg != 1:
                self.fail("kernel", None, "a user process's exit1 names the "
                          "kernel's address space", e)
        elif e.kind != "reap":
            self.fail("kernel", None, "%s of the kernel's address space" %
                      e.kind, e)

    def step(self, life, e):
        """Apply the per-event rules to e, the newest event of life."""
        k = e.kind
        if life.freed is not None:
            self.fail("after-free", life, "%s after the free" % k, e)
            return
        if life.destroyed is not None and k in self.ACCESS + ("purge_end",):
            self.fail("after-free", life, "%s after pmap_destroy" % k, e)
            return
        getattr(self, "on_" + k)(life, e)

    def on_user_add(self, life, e):
        if e.arg <= 1 or life.users_zero is not None:
            self.fail("zero", life, "user count back from 0 (user_add "
                      "leaves %d)" % e.arg, e)

    def on_user_drop(self, life, e):
        if e.arg == 0:
            life.users_zero = e

    def on_pin(self, life, e):
        if e.arg <= 1 or life.pins_zero is not None:
            self.fail("zero", life, "pin count back from 0 (pin leaves %d)" %
                      e.arg, e)
        life.pins_by[e.pid] = life.pins_by.get(e.pid, 0) + 1

    def on_unpin(self, life, e):
        pending = life.reads_done.get(e.pid)
        read = pending.pop(0) if pending else None
        if e.arg == 0:
            life.pins_zero = e
            life.reader_free = read
        life.pins_by[e.pid] = life.pins_by.get(e.pid, 0) - 1

    def on_purge_begin(self, life, e):
        if life.purging is not None:
            self.fail("purge-pair", life, "purge_begin inside a purge", e)
        life.purging = e
        if e.arg != 0 or life.users_zero is None:
            self.fail("last-user", life, "purge with %d user(s) left" %
                      max(e.arg, 1 if life.users_zero is None else 0), e)
            return
        if life.purges > 0:
            return
        dropper = life.users_zero.pid
        if self.trace.purge == "exit" and e.pid != dropper:
            self.fail("last-user", life, "under purge=exit, pid %d purged "
                      "but pid %d dropped the last user" % (e.pid, dropper), e)
        if self.trace.purge == "reaper" and dropper in life.exits and \
                e.pid == dropper:
            self.fail("last-user", life, "under purge=reaper, pid %d purged "
                      "in its own exit" % e.pid, e)

    def on_purge_end(self, life, e):
        if life.purging is None or life.purging.pid != e.pid:
            self.fail("purge-pair", life, "purge_end without its "
                      "purge_begin", e)
        elif life.purges > 0 and e.arg != 0:
            self.fail("purge-pair", life, "a purge after the first removed "
                      "%d entries" % e.arg, e)
        life.purging = None
        life.purges += 1

    def on_pmap_destroy(self, life, e):
        if life.purges == 0 or life.purging is not None:
            self.fail("order", life, "pmap_destroy before the purge", e)
        if life.pins_zero is None:
            self.fail("order", life, "pmap_destroy with pins left", e)
        life.destroyed = e

    def on_free(self, life, e):
        if life.destroyed is None:
            self.fail("order", life, "free before pmap_destroy", e)
        life.freed = e

    def on_reader_begin(self, life, e):
        if life.pins_by.get(e.pid, 0) <= 0:
            self.fail("reader", life, "pid %d reads without a pin" % e.pid, e)
        life.readers[e.pid] = life.readers.get(e.pid, 0) + 1

    def on_reader_end(self, life, e):
        if life.readers.get(e.pid, 0) <= 0:
            self.fail("reader", life, "reader_end without reader_begin", e)
        else:
            life.readers[e.pid] -= 1
            life.reads_done.setdefault(e.pid, []).append(e)

    def on_exit1(self, life, e):
        if e.arg != 0:
            self.fail("kernel", life, "a kernel thread's exit1 names a user "
                      "vmspace", e)
        life.exits.add(e.pid)

    def on_reap(self, life, e):
        pass

    def finish(self, life, reused):
        """The end of a life (its address reused, or the end of the trace):
        rule freed, and an open purge."""
        if life.alloc is None or life.alloc.seq <= self.horizon:
            self.incomplete += 1
            return
        if reused and life.freed is None:
            self.fail("after-free", life, "allocated again before its free")
        elif not reused and life.freed is None:
            self.fail("freed", life, "never freed by the end of the boot")
        if life.purging is not None:
            self.fail("purge-pair", life, "purge_begin never ended")


def expectations(text):
    """Return the (vm, reader pid, target pid) of every "trace-expect
    reader-last-pin" line of a log (printed by the tests that force a
    reader to free a vmspace)."""
    return [(int(m.group(1), 16), int(m.group(2)), int(m.group(3)))
            for m in _EXPECT.finditer(text)]


def check(trace, expects=()):
    """Return (violations, checker) for a Trace and the expectations of
    its log."""
    checker = Checker(trace, expects)
    return checker.violations(), checker


def summary(trace, checker, violations):
    """Return a one-line account of a check (with the violations per rule,
    when there are any)."""
    line = ("%d events, %d lost, %d vmspace lives (%d not checked: lost "
            "events, %d freed by a reader), purge=%s: %d violation(s)" %
            (len(trace.events), len(trace.missing()), checker.lives,
             checker.incomplete, len(checker.reader_frees()), trace.purge,
             len(violations)))
    rules = {}
    for v in violations:
        rules[v.rule] = rules.get(v.rule, 0) + 1
    if rules:
        line += " (%s)" % ", ".join("%s %d" % kv for kv in sorted(
            rules.items()))
    return line


def reader_free_lines(checker):
    """Return a line per life freed by a reader's last unpin."""
    lines = []
    for life in checker.reader_frees():
        lines.append("vm %x: pid %d's read of pid %d dropped the last pin "
                     "(seq %d); freed at seq %s" % (
                         life.vm, life.reader_free.pid, life.reader_free.arg,
                         life.pins_zero.seq,
                         life.freed.seq if life.freed else "-"))
    return lines


def check_text(text, list_reader_frees=False):
    """Check the trace in a log. Return (status, lines): status 0 pass,
    1 violations, 2 no trace or a truncated one; lines explain (with
    list_reader_frees, also each life a reader freed)."""
    trace = parse(text)
    if trace is None:
        return 2, ["no trace in the log"]
    if not trace.complete:
        return 2, ["the trace dump has no end line (%d events read)" %
                   len(trace.events)]
    violations, checker = check(trace, expectations(text))
    lines = [summary(trace, checker, violations)]
    for v in violations[:MAX_VIOLATIONS]:
        lines += v.format()
    if len(violations) > MAX_VIOLATIONS:
        lines.append("... %d more violation(s) not shown" %
                     (len(violations) - MAX_VIOLATIONS))
    if list_reader_frees:
        lines += reader_free_lines(checker)
    return (1 if violations else 0), lines


def main(argv):
    """CLI: check the trace of each log; exit with the worst status."""
    args = argv[1:]
    listing = bool(args) and args[0] == "-l"
    if listing:
        args = args[1:]
    if not args or args[0].startswith("-"):
        print(__doc__.strip().split("\n\n")[-1], file=sys.stderr)
        return 2
    worst = 0
    for path in args:
        with open(path, encoding="utf-8", errors="replace") as f:
            status, lines = check_text(f.read(), listing)
        print("%s: %s" % (path, lines[0]))
        for line in lines[1:]:
            print("    " + line)
        worst = max(worst, status)
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv))
