#!/usr/bin/env python3
"""KTAP version 1 parser for exeunt's serial logs and host test output.

A log may hold noise (boot banner, firmware output, carriage returns, a panic
report) and one or more top-level KTAP documents: the kernel prints one for
the in-kernel tests, the user-land init another for the user tests. Nested
documents are indented by 4 spaces per level and open with "KTAP version 1"
and/or "# Subtest: name"; their parent's "ok N name" line follows them.
A result line may end in a directive, "# SKIP reason" or "# TODO reason"
(a skip), or in any other comment, "not ok 3 fork_wait # exit status 1",
which is the result's reason and not part of its name.

parse() turns a log into a Report: a tree of Case nodes. Leaf cases are the
tests: each passed leaf is one pass, each failed leaf one failure, skipped
leaves (# SKIP, # TODO) are counted apart. A crash is a failure too: when the
log shows "panic:" or ends (or bails out) before a plan is satisfied, the
case that was running (the first missing one of the innermost open plan) is
a failure with the reason "crashed" (or "missing results", or the reason the
caller gives), and every other missing result is a failure "not run".

Command line: tools/ktap.py LOG... prints the tree and the counts and exits 1
if anything failed.
"""

import re
import sys

PASS, FAIL, SKIP = "pass", "fail", "skip"

# Lines after the last KTAP line kept to explain a crash; lines of the log
# tail kept to explain truncated output.
CRASH_EXCERPT_MAX = 80
TAIL_EXCERPT_LINES = 30

_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_VERSION = re.compile(r"^K?TAP version \d+$")
_SUBTEST = re.compile(r"^# Subtest: (.*)$")
_PLAN = re.compile(r"^1\.\.(\d+)\b")
_RESULT = re.compile(r"^(ok|not ok)\s+(\d+)\b\s*(?:-\s+)?(.*)$")
_DIRECTIVE = re.compile(r"(?:^|\s)#\s*(SKIP|TODO)\b\s*(.*)$", re.IGNORECASE)
_BAIL = re.compile(r"^Bail out!\s*(.*)$")
_PANIC = re.compile(r"^panic: ")
# exeunt's ktest_log() prefixes a case's diagnostics with "# <case>: ".
_DIAG_CASE = re.compile(r"^#\s*([A-Za-z_][\w.-]*): ")
# The ktest runners announce each case before running it, so that a crash
# is charged to it by name; the line is not kept as a diagnostic.
_RUNNING = re.compile(r"^#\s*([A-Za-z_][\w.-]*): running$")


class Case:
    """One result line (or a synthesized failure for a missing one).

    name, number: from the result line. status: PASS, FAIL or SKIP.
    reason: the SKIP/TODO text, or why a synthesized result failed.
    diagnostics: the "# ..." lines printed before the result line.
    children: the results of the nested document this result closes.
    plan: that nested document's plan (None if it had none).
    excerpt: log lines explaining a crash or a truncated log.
    synthesized: True for a result that never appeared in the log.
    """

    def __init__(self, name, number, status, reason=""):
        self.name = name
        self.number = number
        self.status = status
        self.reason = reason
        self.diagnostics = []
        self.children = []
        self.plan = None
        self.excerpt = []
        self.synthesized = False

    def __repr__(self):
        return "Case(%r, %r, %s, %r)" % (self.name, self.number, self.status,
                                         self.reason)


class Report:
    """The parse of one log.

    documents: one Case per top-level document (name from "# Subtest:" or
    ""), its results as children. crash: the panic line, or None.
    crash_excerpt: the lines after the last KTAP line (trap dump, panic
    message, registers, backtrace). bailed: the "Bail out!" text, or None.
    interrupted: the cases charged with a crash, bail-out or truncation.
    """

    def __init__(self):
        self.documents = []
        self.interrupted = []
        self.crash = None
        self.crash_excerpt = []
        self.bailed = None

    def tests(self):
        """Return [(path, case)] for every counted test, in log order.

        path is the list of names from the top-level result down. A failed
        result whose subtests all passed counts as one failure itself.
        """
        out = []
        for doc in self.documents:
            for child in doc.children:
                _collect_tests(child, [child.name], out)
        return out

    def counts(self):
        """Return (passed, failed, skipped) over tests()."""
        statuses = [case.status for _, case in self.tests()]
        return (statuses.count(PASS), statuses.count(FAIL),
                statuses.count(SKIP))


def _collect_tests(case, path, out):
    """Append (path, case) to out for each leaf under case, and for case
    itself when it failed though none of its leaves did."""
    if not case.children:
        out.append((path, case))
        return
    start = len(out)
    for child in case.children:
        _collect_tests(child, path + [child.name], out)
    if case.status == FAIL and all(c.status != FAIL for _, c in out[start:]):
        out.append((path, case))


class _Document:
    """A KTAP document being read: its nesting level, name, plan, results,
    the diagnostics waiting for the next result line, and the case last
    announced as running."""

    def __init__(self, level, name=""):
        self.level = level
        self.name = name
        self.plan = None
        self.results = []
        self.pending = []
        self.running = None

    def missing(self):
        """Return how many planned results have not appeared."""
        if self.plan is None:
            return 0
        return max(self.plan - len(self.results), 0)

    def to_case(self):
        """Return a Case holding this document's results, status derived
        from them (used when the document's own result line is absent)."""
        case = Case(self.name, None, PASS)
        case.children = self.results
        case.plan = self.plan
        case.diagnostics = self.pending
        if any(c.status == FAIL for c in self.results):
            case.status = FAIL
        return case


def clean_line(raw):
    """Return raw without carriage returns, ANSI escapes or trailing blanks."""
    return _ANSI_ESCAPE.sub("", raw.replace("\r", "")).rstrip()


class _Parser:
    """The state machine behind parse(): a stack of open documents."""

    def __init__(self, lines, incomplete_reason):
        self.lines = lines
        self.incomplete_reason = incomplete_reason
        self.report = Report()
        self.stack = []
        self.last_ktap = -1     # index of the last line that was KTAP
        self.running = None     # the case charged with the last abort

    def feed(self, index, line):
        """Consume one cleaned line; return False once parsing must stop."""
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        level = indent // 4 if indent % 4 == 0 else None
        if _PANIC.match(stripped):
            self.report.crash = stripped
            self.report.crash_excerpt = nonblank(
                self.lines[self.last_ktap + 1:])[:CRASH_EXCERPT_MAX]
            self.abort("crashed", self.report.crash_excerpt)
            return False
        if level is None or not self.is_ktap(level, stripped):
            return True
        self.dispatch(index, level, stripped)
        self.last_ktap = index
        return True

    def is_ktap(self, level, text):
        """Return whether text at this level is a KTAP line of an open (or
        opening) document; anything else is noise."""
        if not self.stack:
            return level == 0 and bool(_VERSION.match(text))
        top = self.stack[-1].level
        if level == top + 1:
            return bool(_VERSION.match(text) or _SUBTEST.match(text))
        if level > top:
            return False
        return bool(_VERSION.match(text) or _SUBTEST.match(text) or
                    _PLAN.match(text) or _RESULT.match(text) or
                    _BAIL.match(text) or text.startswith("#"))

    def dispatch(self, index, level, text):
        """Act on one KTAP line at level."""
        if not self.stack:
            self.stack.append(_Document(0))
            return
        top = self.stack[-1]
        bail = _BAIL.match(text)
        if bail:
            self.report.bailed = bail.group(1)
            self.abort("bail out" + (": " + bail.group(1) if bail.group(1)
                                     else ""), [text])
        elif level == 0 and _VERSION.match(text):
            between = nonblank(self.lines[self.last_ktap + 1:index])
            self.abort(self.incomplete_reason, between[-TAIL_EXCERPT_LINES:])
            self.stack.append(_Document(0))
        elif _VERSION.match(text) or level == top.level + 1:
            self.pop_to(level - 1)
            subtest = _SUBTEST.match(text)
            self.stack.append(_Document(level, subtest.group(1).strip()
                                        if subtest else ""))
        elif _SUBTEST.match(text) and level == top.level and not top.name \
                and top.plan is None and not top.results:
            top.name = _SUBTEST.match(text).group(1).strip()
        elif _PLAN.match(text):
            self.pop_to(level)
            self.stack[-1].plan = int(_PLAN.match(text).group(1))
            self.close_if_done()
        elif _RESULT.match(text):
            self.add_result(level, _RESULT.match(text))
        elif _RUNNING.match(text):
            self.stack[level].running = _RUNNING.match(text).group(1)
        else:   # a diagnostic
            self.stack[level].pending.append(text)

    def pop_to(self, level):
        """Close open documents deeper than level whose parent's result
        line never came; each becomes a failed entry of its parent."""
        while self.stack[-1].level > level:
            doc = self.stack.pop()
            self.fill_missing(doc, "missing results")
            case = doc.to_case()
            case.status, case.reason = FAIL, "missing result line"
            self.attach(self.stack[-1], case)

    def attach(self, doc, case):
        """Append case to doc's results as its next number."""
        case.number = len(doc.results) + 1
        if not case.name:
            case.name = "%s#%d" % (doc.name, case.number)
        doc.results.append(case)

    def add_result(self, level, match):
        """Record an "ok"/"not ok" line at level; it closes the nested
        document just below it, if any."""
        closed = None
        if self.stack[-1].level > level + 1:
            self.pop_to(level + 1)
        if self.stack[-1].level == level + 1:
            closed = self.stack.pop()
        doc = self.stack[-1]
        number, desc = int(match.group(2)), match.group(3)
        directive = _DIRECTIVE.search(desc)
        name = desc[:directive.start()].strip() if directive else desc.strip()
        name, _, comment = name.partition(" # ")
        if closed is not None:
            self.fill_closed(closed, comment.strip() or "missing results")
        case = Case(name.strip() or (closed.name if closed else ""), number,
                    PASS if match.group(1) == "ok" else FAIL, comment.strip())
        if directive:
            case.status = SKIP
            case.reason = (directive.group(1).upper() + " " +
                           directive.group(2).strip()).strip()
        case.diagnostics, doc.pending, doc.running = doc.pending, [], None
        if closed is not None:
            case.children = closed.results
            case.plan = closed.plan
            case.diagnostics = closed.pending + case.diagnostics
        if not case.name:
            case.name = "%s#%d" % (doc.name, number)
        doc.results.append(case)
        self.close_if_done()

    def close_if_done(self):
        """Move a top-level document whose plan is satisfied to the report."""
        if len(self.stack) == 1 and self.stack[0].plan is not None and \
                self.stack[0].missing() == 0:
            self.report.documents.append(self.stack.pop().to_case())

    def fill_missing(self, doc, reason):
        """Append a synthesized failed Case for each missing result of doc."""
        for _ in range(doc.missing()):
            number = len(doc.results) + 1
            case = Case("%s#%d" % (doc.name, number), number, FAIL, reason)
            case.synthesized = True
            doc.results.append(case)

    def fill_closed(self, doc, reason):
        """Fill the missing results of a nested document that its parent's
        result line closed (init's "not ok K <test> # timeout after T s"):
        the case it announced as running fails with reason, the parent's
        comment, and takes the diagnostics since the last result; any
        other missing one is "missing results"."""
        if doc.missing() > 0 and doc.running is not None:
            case = Case(doc.running, len(doc.results) + 1, FAIL, reason)
            case.diagnostics, doc.pending = doc.pending, []
            case.synthesized = True
            doc.results.append(case)
        self.fill_missing(doc, "missing results")

    def charge_running(self, doc, reason, excerpt):
        """Append to doc the failed Case for the result that was running
        when the log stopped, named by its announcement or its diagnostics
        when they say."""
        number = len(doc.results) + 1
        named = [m.group(1) for m in map(_DIAG_CASE.match, doc.pending) if m]
        name = doc.running or (named[-1] if named else None)
        case = Case(name or "%s#%d" % (doc.name, number), number, FAIL, reason)
        case.diagnostics, doc.pending = doc.pending, []
        case.excerpt = excerpt
        case.synthesized = True
        doc.results.append(case)
        self.running = case

    def abort(self, reason, excerpt):
        """Close every open document because the log stopped (crash, bail
        out, end of input): the first missing result of the innermost open
        plan fails with reason and excerpt, the other missing ones were not
        run."""
        self.running = None
        carried = None
        while self.stack:
            doc = self.stack.pop()
            if carried is not None:
                self.attach(doc, carried)
            if self.running is None and (doc.missing() > 0 or
                                         doc.plan is None):
                self.charge_running(doc, reason, excerpt)
            self.fill_missing(doc, "not run (%s)" % reason)
            carried = doc.to_case()
            if doc.level == 0:
                self.report.documents.append(carried)
                carried = None
            elif self.running is None:  # its plan was complete: the crash
                carried.status = FAIL   # came before its parent's result
                carried.reason = reason
                carried.excerpt = excerpt
                self.running = carried
            else:
                carried.status = FAIL
                carried.reason = reason
        if self.running is not None:
            self.report.interrupted.append(self.running)

    def finish(self):
        """Close what the end of the log left open; return the Report."""
        if self.stack:
            self.abort(self.incomplete_reason,
                       nonblank(self.lines)[-TAIL_EXCERPT_LINES:])
        return self.report


def nonblank(lines):
    """Return the lines that are not blank."""
    return [l for l in lines if l.strip()]


def parse(text, incomplete_reason="missing results"):
    """Parse a log into a Report. incomplete_reason is the failure reason
    of the running case when the log ends before its plan is satisfied
    (e.g. "timeout after 20 s"); a panic always gives "crashed"."""
    parser = _Parser([clean_line(raw) for raw in text.split("\n")],
                     incomplete_reason)
    for index, line in enumerate(parser.lines):
        if not parser.feed(index, line):
            break
    return parser.finish()


def format_tree(report):
    """Return the report as indented text, one line per result."""
    out = []

    def walk(case, depth):
        mark = {PASS: "ok", FAIL: "FAIL", SKIP: "skip"}[case.status]
        reason = " (%s)" % case.reason if case.reason else ""
        out.append("%s%s %s%s" % ("  " * depth, mark, case.name, reason))
        for child in case.children:
            walk(child, depth + 1)

    for number, doc in enumerate(report.documents, 1):
        out.append("document %d%s" % (number, ": " + doc.name if doc.name
                                      else ""))
        for case in doc.children:
            walk(case, 1)
    if report.crash:
        out.append("crash: " + report.crash)
    return "\n".join(out)


def main(argv):
    """CLI: print each log's tree and counts; exit 1 if a test failed."""
    if len(argv) < 2 or argv[1].startswith("-"):
        print("usage: ktap.py LOG...", file=sys.stderr)
        return 2
    total_failed = 0
    for path in argv[1:]:
        with open(path, encoding="utf-8", errors="replace") as f:
            report = parse(f.read())
        print(format_tree(report))
        passed, failed, skipped = report.counts()
        total_failed += failed
        print("%s: %d passed, %d failed, %d skipped" % (path, passed, failed,
                                                        skipped))
    return 1 if total_failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
