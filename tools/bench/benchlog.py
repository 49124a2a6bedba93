"""Parse the serial log of one benchmark boot (Linux's or exeunt's).

The log holds the kernel's own noise and what init and the benchmark
programs print (user/init.c, user/bench/bench.h):

    KTAP version 1                      init's document, at top level
    1..N                                init's plan: user space runs
    # lat_proc: fork+exit+wait latency  a program's comment
    bench lat_proc iters=500 rounds=5 mean=312.402 us
    sample exit_storm t_us=-4980 freeram=401260544
    ok 1 /bench/lat_proc                init's verdict on the program
    not ok 2 /bench/peek # exit status 1

parse() turns the text into a Log: the measurements, the samples, each
program's verdict, whether user space ever ran, and the panic line if the
kernel panicked. Pure functions of the text, no I/O.
"""

import re

_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_BENCH = re.compile(r"^\s*bench\s+(\S+)\s+(.*\S)\s*$")
_SAMPLE = re.compile(r"^\s*sample\s+(\S+)\s+t_us=(-?\d+)\s+freeram=(\d+)\s*$")
_PLAN = re.compile(r"^1\.\.(\d+)$")
_RESULT = re.compile(r"^(ok|not ok) (\d+) (\S+)(?: # (.*))?$")
_ERROR = re.compile(r"^\s*# (\S+): error: (.*)$")
_PANIC = re.compile(r"^(?:\[[ \d.]+\] )?(panic: .*|Kernel panic - .*)$")


class Measurement:
    """One "bench" line: benchmark name, params (a tuple of "key=value"
    strings, in the program's order), metric, value (float), unit."""

    def __init__(self, bench, params, metric, value, unit):
        self.bench = bench
        self.params = params
        self.metric = metric
        self.value = value
        self.unit = unit

    def key(self):
        """Return what identifies the measurement across boots."""
        return (self.bench, self.params, self.metric, self.unit)

    def __repr__(self):
        return "Measurement(%r, %r, %r, %r, %r)" % (
            self.bench, self.params, self.metric, self.value, self.unit)


class Log:
    """What one boot's log says.

    measurements: Measurement list in log order. samples: {bench: [(t_us,
    freeram bytes)]}. verdicts: {program path: (passed, reason)} from
    init's result lines. errors: {bench: [message]} from "# <bench>: error:"
    lines. started: init printed its plan (user space ran). panic: the
    kernel's panic line or "". malformed: "bench" lines that did not parse.
    """

    def __init__(self):
        self.measurements = []
        self.samples = {}
        self.verdicts = {}
        self.errors = {}
        self.started = False
        self.panic = ""
        self.malformed = []


def parse_measurement(bench, rest):
    """Return the Measurement of a "bench <bench> <rest>" line, or None if
    rest is not "key=value ... metric=<number> unit"."""
    words = rest.split()
    if len(words) < 2 or "=" in words[-1]:
        return None
    metric, sep, value = words[-2].partition("=")
    if not sep or not metric or any(
            w.count("=") != 1 or w.startswith("=") for w in words[:-2]):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return Measurement(bench, tuple(words[:-2]), metric, number, words[-1])


def clean_lines(text):
    """Return the log's lines without carriage returns or ANSI escapes."""
    text = _ANSI_ESCAPE.sub("", text.replace("\r", ""))
    return text.split("\n")


def parse(text):
    """Parse a boot log; return its Log."""
    log = Log()
    for line in clean_lines(text):
        m = _BENCH.match(line)
        if m:
            measurement = parse_measurement(m.group(1), m.group(2))
            if measurement is None:
                log.malformed.append(line)
            else:
                log.measurements.append(measurement)
            continue
        m = _SAMPLE.match(line)
        if m:
            log.samples.setdefault(m.group(1), []).append(
                (int(m.group(2)), int(m.group(3))))
            continue
        if _PLAN.match(line):
            log.started = True
            continue
        m = _RESULT.match(line)
        if m and log.started:
            log.verdicts[m.group(3)] = (m.group(1) == "ok", m.group(4) or "")
            continue
        m = _ERROR.match(line)
        if m:
            log.errors.setdefault(m.group(1), []).append(m.group(2))
            continue
        m = _PANIC.match(line)
        if m and not log.panic:
            log.panic = m.group(1)
    return log


def results_seen(text):
    """Return how many of init's result lines the log holds so far (the
    progress of a boot that is still running)."""
    log = parse(text)
    return len(log.verdicts) if log.started else -1
