"""Self-tests of tools/trace2json.py: a small known trace (a boot log's
dump, and the same as a /proc/exeunt_trace snapshot) goes through the
command line, and the JSON it writes is checked against the Chrome Trace
Event Format (validate(), which must itself reject broken documents) and
for the spans, instants and tracks that trace must give. Run by
tools/testrun.py's harness stage."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

TOOLS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "tools")

VM = 0xffff800001234000
VM2 = 0xffff800001235000
REAPER, SMR = 2, 3

# (cpu, pid, kind, vm, arg, ns): one event a line, in sequence order.
# Process 10 exits on cpu0 and purges; the reaper (cpu1) reaps it and its
# unpin is the last. Process 11's space (VM2) is read by pid 7 on cpu0
# across its exit: the read's unpin is the last (a reader frees it). Pid 8
# starts a read on cpu0 inside pid 7's and ends it after (not nested:
# another track). Pid 12's purge never ends (the dump was taken then).
EVENTS = [
    (0, 1, "alloc", VM, 0, 1000),
    (0, 10, "exit1", VM, 0, 2000),
    (0, 10, "user_drop", VM, 0, 2500),
    (0, 10, "purge_begin", VM, 0, 3000),
    (0, 10, "purge_end", VM, 7, 5500),
    (1, REAPER, "reap", VM, 10, 6000),
    (1, REAPER, "unpin", VM, 0, 6500),
    (1, REAPER, "purge_begin", VM, 0, 7000),
    (1, REAPER, "purge_end", VM, 0, 7200),
    (1, REAPER, "pmap_destroy", VM, 0, 7400),
    (1, SMR, "free", VM, 0, 9000),
    (0, 1, "alloc", VM2, 0, 10000),
    (0, 7, "pin", VM2, 2, 10500),
    (0, 7, "reader_begin", VM2, 11, 11000),
    (0, 8, "pin", VM2, 3, 11500),
    (0, 8, "reader_begin", VM2, 11, 12000),
    (0, 7, "reader_end", VM2, 11, 13000),
    (0, 7, "unpin", VM2, 2, 13100),
    (1, 11, "exit1", VM2, 0, 13500),
    (1, 11, "user_drop", VM2, 0, 13600),
    (1, 11, "purge_begin", VM2, 0, 13700),
    (1, 11, "purge_end", VM2, 3, 14000),
    (0, 8, "reader_end", VM2, 11, 14500),
    (0, 8, "unpin", VM2, 1, 14600),
    (1, REAPER, "reap", VM2, 11, 15000),
    (1, REAPER, "unpin", VM2, 1, 15200),
    (0, 7, "pin", VM2, 1, 15300),
    (0, 7, "reader_begin", VM2, 11, 15400),
    (0, 7, "reader_end", VM2, 11, 15500),
    (0, 7, "unpin", VM2, 0, 15600),
    (0, 7, "purge_begin", VM2, 0, 15700),
    (0, 7, "purge_end", VM2, 0, 15800),
    (0, 7, "pmap_destroy", VM2, 0, 15900),
    (1, SMR, "free", VM2, 0, 17000),
    (2, 30, "exit1", 0, 1, 18000),
    (1, REAPER, "reap", 0, 30, 18500),
    (2, 12, "purge_begin", 0xffff800001236000, 0, 19000),
    (2, 12, "exit1", 0xffff800001236000, 0, 19500),
]

METADATA_NAMES = ("process_name", "process_labels", "process_sort_index",
                  "thread_name", "thread_sort_index")
PHASES = "BEXiIM"


def event_lines(prefix="trace: "):
    """Return EVENTS in the kernel's text format."""
    return ["%s%d %d %d %d %s %x %d" % (prefix, seq, ns, cpu, pid, kind, vm,
                                        arg)
            for seq, (cpu, pid, kind, vm, arg, ns) in enumerate(EVENTS, 1)]


def boot_log():
    """Return a boot log holding EVENTS as the kernel's dump."""
    return "\n".join(["ok 1 census", "# trace-begin purge=exit cpus=3 "
                      "ring=131072 events=%d lost=0" % len(EVENTS)] +
                     event_lines() + ["# trace-end", "exeunt: halting"]) + "\n"


def snapshot():
    """Return EVENTS as /proc/exeunt_trace shows them."""
    return "\n".join(["# purge=exit events=%d lost=0 from=1" % len(EVENTS)] +
                     event_lines("")) + "\n"


def is_number(v):
    """Return whether v is a JSON number (not a bool)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def validate(doc):
    """Return the ways doc breaks the Trace Event Format's JSON Object
    Format: the traceEvents array; per event the fields its phase
    requires with their types (ts and dur in microseconds, numbers >= 0);
    instant scopes; metadata names and args; B/E balanced and in order
    per (pid, tid); X spans nested per (pid, tid)."""
    problems = []
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"),
                                                   list):
        return ["no traceEvents array"]
    if doc.get("displayTimeUnit", "ms") not in ("ms", "ns"):
        problems.append("displayTimeUnit %r" % doc["displayTimeUnit"])
    stacks, spans = {}, {}
    for i, ev in enumerate(doc["traceEvents"]):
        where = "event %d (%r)" % (i, ev.get("name") if isinstance(ev, dict)
                                   else ev)
        if not isinstance(ev, dict):
            problems.append(where + ": not an object")
            continue
        ph = ev.get("ph")
        if not isinstance(ph, str) or ph not in PHASES:
            problems.append("%s: phase %r" % (where, ph))
            continue
        if not isinstance(ev.get("name"), str):
            problems.append(where + ": no name")
        for key in ("pid", "tid"):
            if not isinstance(ev.get(key), int) or isinstance(ev.get(key),
                                                              bool):
                problems.append("%s: %s %r" % (where, key, ev.get(key)))
        if "args" in ev and not isinstance(ev["args"], dict):
            problems.append(where + ": args not an object")
        if "cat" in ev and not isinstance(ev["cat"], str):
            problems.append(where + ": cat not a string")
        if ph == "M":
            args = ev.get("args", {})
            if ev.get("name") not in METADATA_NAMES:
                problems.append(where + ": unknown metadata")
            elif ev["name"].endswith("sort_index") and not isinstance(
                    args.get("sort_index"), int):
                problems.append(where + ": sort_index missing")
            elif ev["name"].endswith("name") and not isinstance(
                    args.get("name"), str):
                problems.append(where + ": args.name missing")
            continue
        if not is_number(ev.get("ts")) or ev["ts"] < 0:
            problems.append("%s: ts %r" % (where, ev.get("ts")))
            continue
        track = (ev.get("pid"), ev.get("tid"))
        if ph == "X":
            if not is_number(ev.get("dur")) or ev["dur"] < 0:
                problems.append("%s: dur %r" % (where, ev.get("dur")))
            else:
                spans.setdefault(track, []).append(
                    (ev["ts"], ev["ts"] + ev["dur"], where))
        elif ph in "iI":
            if ev.get("s", "t") not in ("g", "p", "t"):
                problems.append("%s: scope %r" % (where, ev.get("s")))
        elif ph == "B":
            stacks.setdefault(track, []).append(ev)
        elif ph == "E":
            if not stacks.get(track):
                problems.append(where + ": E without B")
            elif stacks[track].pop()["ts"] > ev["ts"]:
                problems.append(where + ": E before its B")
    for track, opened in stacks.items():
        problems += ["%r: B %r never ended" % (track, ev["name"])
                     for ev in opened]
    for track, found in spans.items():
        open_ = []
        for begin, end, where in sorted(found, key=lambda s: (s[0], -s[1])):
            while open_ and open_[-1] <= begin:
                open_.pop()
            if open_ and open_[-1] < end:
                problems.append("%s: overlaps a span of track %r without "
                                "nesting" % (where, track))
            open_.append(end)
    return problems


def run_trace2json(text):
    """Run tools/trace2json.py on text (as a file); return (status,
    parsed JSON or None, stderr)."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "boot.log"), os.path.join(tmp, "t.json")
        with open(src, "w", encoding="utf-8") as f:
            f.write(text)
        run = subprocess.run([sys.executable, os.path.join(TOOLS,
                                                           "trace2json.py"),
                              "-o", out, src], capture_output=True,
                             text=True, timeout=60)
        doc = None
        if os.path.exists(out):
            with open(out, encoding="utf-8") as f:
                doc = json.load(f)
        return run.returncode, doc, run.stderr


class ValidatorTest(unittest.TestCase):
    """validate() must reject what breaks the format, or the checks of
    Trace2JsonTest prove nothing."""

    def base(self, *events):
        return {"traceEvents": list(events)}

    def test_accepts_well_formed(self):
        doc = self.base(
            {"name": "thread_name", "ph": "M", "pid": 1, "tid": 0,
             "args": {"name": "cpu0"}},
            {"name": "a", "ph": "B", "pid": 1, "tid": 0, "ts": 1},
            {"name": "b", "ph": "X", "pid": 1, "tid": 0, "ts": 2, "dur": 1},
            {"name": "a", "ph": "E", "pid": 1, "tid": 0, "ts": 4},
            {"name": "c", "ph": "i", "s": "t", "pid": 1, "tid": 0, "ts": 5})
        self.assertEqual(validate(doc), [])

    def test_rejects_broken(self):
        broken = [
            {"name": "x", "ph": "X", "pid": 1, "tid": 0, "ts": 1},
            {"name": "x", "ph": "X", "pid": 1, "tid": 0, "ts": "1", "dur": 1},
            {"name": "x", "ph": "X", "pid": 1, "tid": 0, "ts": 1, "dur": -1},
            {"name": "x", "ph": "Q", "pid": 1, "tid": 0, "ts": 1},
            {"name": "x", "ph": "i", "pid": "1", "tid": 0, "ts": 1},
            {"name": "x", "ph": "i", "s": "z", "pid": 1, "tid": 0, "ts": 1},
            {"name": "x", "ph": "B", "pid": 1, "tid": 0, "ts": 1},
            {"name": "x", "ph": "E", "pid": 1, "tid": 0, "ts": 1},
            {"name": "thread_name", "ph": "M", "pid": 1, "tid": 0},
            {"name": "bogus", "ph": "M", "pid": 1, "tid": 0, "args": {}},
        ]
        for ev in broken:
            self.assertNotEqual(validate(self.base(ev)), [], ev)
        self.assertNotEqual(validate({"events": []}), [])
        self.assertNotEqual(validate(self.base(
            {"name": "a", "ph": "X", "pid": 1, "tid": 0, "ts": 0, "dur": 5},
            {"name": "b", "ph": "X", "pid": 1, "tid": 0, "ts": 3,
             "dur": 5})), [])
        self.assertNotEqual(validate(self.base(
            {"name": "a", "ph": "B", "pid": 1, "tid": 0, "ts": 5},
            {"name": "a", "ph": "E", "pid": 1, "tid": 0, "ts": 4})), [])


class Trace2JsonTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.status, cls.doc, cls.stderr = run_trace2json(boot_log())

    def spans(self, name):
        return [e for e in self.doc["traceEvents"]
                if e["ph"] == "X" and e["name"] == name]

    def instants(self, name):
        return [e for e in self.doc["traceEvents"]
                if e["ph"] == "i" and e["name"] == name]

    def test_output_is_valid(self):
        self.assertEqual(self.status, 0, self.stderr)
        self.assertEqual(validate(self.doc), [])
        self.assertEqual(self.doc["displayTimeUnit"], "ns")
        self.assertEqual(self.doc["otherData"]["events"], len(EVENTS))

    def test_purge_spans(self):
        purges = sorted(self.spans("purge"), key=lambda e: e["ts"])
        self.assertEqual(len(purges), 5)
        first = purges[0]
        # ts and dur in microseconds from the trace's ns
        self.assertEqual((first["ts"], first["dur"]), (3.0, 2.5))
        self.assertEqual(first["tid"], 0)
        self.assertEqual((first["args"]["vm"], first["args"]["pid"],
                          first["args"]["entries"]), (hex(VM), 10, 7))
        self.assertEqual(purges[1]["tid"], 1)      # the reaper's, cpu1
        unfinished = purges[-1]
        self.assertTrue(unfinished["args"].get("unfinished"))
        self.assertEqual(unfinished["ts"] + unfinished["dur"], 19.5)

    def test_read_spans_and_overlap_track(self):
        reads = sorted(self.spans("read"), key=lambda e: e["ts"])
        self.assertEqual([(r["args"]["pid"], r["args"]["target"], r["ts"],
                           r["dur"]) for r in reads],
                         [(7, 11, 11.0, 2.0), (8, 11, 12.0, 2.5),
                          (7, 11, 15.4, 0.1)])
        # pid 8's read starts inside pid 7's and ends after it: not
        # nested, so it goes to cpu0's second track
        self.assertEqual([r["tid"] for r in reads], [0, 1000, 0])
        names = {e["tid"]: e["args"]["name"] for e in self.doc["traceEvents"]
                 if e["name"] == "thread_name"}
        self.assertEqual(names, {0: "cpu0", 1000: "cpu0 +1", 1: "cpu1",
                                 2: "cpu2"})

    def test_reap_spans(self):
        reaps = sorted(self.spans("reap"), key=lambda e: e["ts"])
        self.assertEqual([(r["args"]["reaped"], r["ts"], r["dur"], r["tid"])
                          for r in reaps],
                         [(10, 6.0, 1.4, 1), (11, 15.0, 0.2, 1),
                          (30, 18.5, 0.0, 1)])

    def test_instants(self):
        frees = sorted(self.instants("free"), key=lambda e: e["ts"])
        self.assertEqual([(f["args"]["vm"], f["args"]["last_unpin_pid"],
                           f["args"]["by_reader"]) for f in frees],
                         [(hex(VM), REAPER, False), (hex(VM2), 7, True)])
        self.assertEqual(len(self.instants("pin")), 3)
        self.assertEqual(len(self.instants("exit1")), 4)
        for e in self.doc["traceEvents"]:
            if e["ph"] == "i":
                self.assertEqual(e["s"], "t")
        # every event of the trace is in the JSON once: as an instant, or
        # as the begin or end of a span (a reap is its span's begin)
        spans = [e for e in self.doc["traceEvents"] if e["ph"] == "X"]
        instants = [e for e in self.doc["traceEvents"] if e["ph"] == "i"]
        finished = [s for s in spans if not s["args"].get("unfinished") and
                    s["name"] != "reap"]
        self.assertEqual(len(instants) + 2 * len(finished) +
                         (len(spans) - len(finished)), len(EVENTS))

    def test_snapshot_input(self):
        status, doc, err = run_trace2json(snapshot())
        self.assertEqual(status, 0, err)
        self.assertEqual(validate(doc), [])
        self.assertEqual(doc["traceEvents"], self.doc["traceEvents"])

    def test_no_trace(self):
        status, doc, err = run_trace2json("no trace here\n")
        self.assertEqual(status, 2)
        self.assertIsNone(doc)
        self.assertIn("no trace", err)
        cut = boot_log().replace("# trace-end\n", "")
        self.assertEqual(run_trace2json(cut)[0], 2)


if __name__ == "__main__":
    unittest.main()
