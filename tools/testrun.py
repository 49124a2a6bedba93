#!/usr/bin/env python3
"""The host test runner behind `make test`.

It runs, in order:
  1. the host unit tests, when tests/unit/Makefile exists: built with
     `make -C tests/unit B=<build>/unit`, each test_* binary run with a
     timeout, its KTAP (stdout) parsed;
  2. the user tests natively on the host's Linux kernel, the oracle
     (tests/native/run-native, which builds them with `make user`): one
     test "linux: <program>" per user test and per checked user program;
  3. QEMU boots of the ISO over the configuration matrix below, two at a
     time, each with a timeout; the serial logs go to <build>/test-logs/;
     the lifecycle trace each boot dumps at its end is checked by
     tools/tracecheck.py (one more test, "<config>: tracecheck");
  4. the GDB stub test, when tests/gdb-test exists (one test, "gdb: stub",
     run as tests/gdb-test ISO ELF <build>/test-logs/gdb);
  5. the harness self-tests in tests/harness/ (one test per test method).

Every failing test is printed with its reason, the part of its log that
explains it and the path of the full log. The last line is always
"N passed, M failed" (", K skipped" when some were skipped); the exit status
is 1 when anything failed, crashed or timed out.

usage: tools/testrun.py --iso build/exeunt.iso [--build-dir DIR]
                        [--only NAME[,NAME]] [--extra-cmdline OPTS] [-v]
"""

import argparse
import concurrent.futures
import os
import re
import signal
import subprocess
import sys
import time
import unittest

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)
import ktap  # noqa: E402  (found through the path set just above)
import tracecheck  # noqa: E402


class BootConfig:
    """One QEMU boot of the matrix: name, -smp, -m, kernel command line and
    the timeout in seconds after which the boot counts as hung."""

    def __init__(self, name, smp, mem, cmdline, timeout):
        self.name = name
        self.smp = smp
        self.mem = mem
        self.cmdline = cmdline
        self.timeout = timeout


# The boot matrix (DESIGN.md section 7: -smp 1, 2 and 4, and a low-memory
# boot, in which the oom test runs memory out). Each runs the in-kernel
# suites, then init runs every user test in /tests (EXTRA= ones included),
# checking after each that the kernel's counters came back (init's leak
# accounting), and the kernel's census checks that they left nothing
# behind.
MATRIX = [
    #          name      smp  mem     cmdline                  timeout (s)
    BootConfig("smp1",   1,   "256M", "ktest=all tests=all",   900),
    BootConfig("smp2",   2,   "256M", "ktest=all tests=all",   900),
    BootConfig("smp4",   4,   "256M", "ktest=all tests=all",   900),
    BootConfig("lowmem", 2,   "48M",  "ktest=all tests=all",   900),
    # the old ordering (all teardown in the reaper), short
    BootConfig("reaper", 2,   "256M", "purge=reaper ktest=teardown,vmspace "
               "tests=teardown,vfork,fork_wait,exec,cow", 300),
]

BOOT_JOBS = 2               # parallel boots: the machines have 2 cores
UNIT_TIMEOUT = 120          # seconds for one host unit-test binary
GDB_TIMEOUT = 300           # seconds for tests/gdb-test
LINUX_TIMEOUT = 300         # seconds for tests/native/run-native
QEMU_EXIT_OK = 1            # isa-debug-exit status of machine_halt(EXIT_OK)
TIMEOUT_STATUSES = (124, 137)   # timeout(1): TERM, or KILL after the grace
EXCERPT_LINES = 30


class TestResult:
    """The outcome of one test: name, status (ktap.PASS/FAIL/SKIP), the
    reason of a failure or skip, the log lines that explain a failure
    (excerpt) and the path of the full log."""

    def __init__(self, name, status, reason="", excerpt=None, log=""):
        self.name = name
        self.status = status
        self.reason = reason
        self.excerpt = excerpt or []
        self.log = log

    def __repr__(self):
        return "TestResult(%r, %s, %r)" % (self.name, self.status, self.reason)


class CommandRun:
    """What run_command saw: exit status (negative: killed by that signal),
    merged stdout and stderr, whether the time ran out, and seconds taken."""

    def __init__(self, status, output, timed_out, seconds):
        self.status = status
        self.output = output
        self.timed_out = timed_out
        self.seconds = seconds


def run_command(argv, timeout, cwd=ROOT, env=None):
    """Run argv in its own process group, stdout and stderr merged; kill the
    whole group if it runs longer than timeout seconds. Never hangs."""
    start = time.monotonic()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    timed_out = False
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
    text = output.decode("utf-8", errors="replace")
    return CommandRun(proc.returncode, text, timed_out,
                      time.monotonic() - start)


def describe_status(status):
    """Return a process exit status in words."""
    if status < 0:
        try:
            return "killed by " + signal.Signals(-status).name
        except ValueError:
            return "killed by signal %d" % -status
    return "exit status %d" % status


def ktap_results(prefix, report, log):
    """Return a TestResult for every test of a parsed KTAP report, each
    named "<prefix>: <suite>: <case>"; a failure's excerpt is its
    diagnostics and, for a crash or truncation, the log lines that show it."""
    results = []
    for path, case in report.tests():
        result = TestResult(": ".join([prefix] + path), case.status,
                            case.reason, log=log)
        if case.status == ktap.FAIL:
            result.reason = case.reason or "failed"
            result.excerpt = case.diagnostics + case.excerpt
        results.append(result)
    return results


def incomplete_reason(timed_out, status, timeout):
    """Return why a process's KTAP stopped early: its timeout, a signal, or
    its exit status."""
    if timed_out:
        return "timeout after %d s" % timeout
    if status < 0:
        return "crashed (%s)" % describe_status(status)
    return "missing results (%s)" % describe_status(status)


def program_results(prefix, report, log):
    """Return one TestResult "<prefix>: <program>" per top-level result of
    a report in init's format (each a user-test program); a program fails
    if its result or any of its cases failed, its excerpt being each failed
    case with its reason and diagnostics."""
    results = []
    for doc in report.documents:
        for program in doc.children:
            failed = failed_leaves(program, [])
            result = TestResult("%s: %s" % (prefix, program.name),
                                program.status, program.reason, log=log)
            if failed:
                cases = [": ".join(path) for path, _ in failed if path]
                result.status = ktap.FAIL
                result.reason = program.reason or "failed"
                if cases:
                    result.reason += "; failed: " + ", ".join(cases)
                for path, case in failed:
                    result.excerpt.append("%s: %s" % (
                        ": ".join(path) or program.name,
                        case.reason or "failed" if path else result.reason))
                    result.excerpt += case.diagnostics + case.excerpt
            if result.status == ktap.FAIL:
                result.excerpt += program.diagnostics
            results.append(result)
    return results


def failed_leaves(case, path):
    """Return [(path, case)] for each failed case without subtests under
    case (case itself if it has none), path being the names below case."""
    if not case.children:
        return [(path, case)] if case.status == ktap.FAIL else []
    found = []
    for child in case.children:
        found += failed_leaves(child, path + [child.name])
    return found


def process_results(prefix, whole, output, log, status, ok_status, timed_out,
                    timeout, collect=ktap_results):
    """Return the results of one test process (a unit-test binary, a boot,
    the native user tests): its KTAP results as collect(prefix, report,
    log) makes them, plus a failure of the test named whole when the
    process failed in a way no KTAP result shows: a crash or timeout outside
    any test, no KTAP at all, or an exit status other than ok_status while
    every result passed."""
    reason = incomplete_reason(timed_out, status, timeout)
    report = ktap.parse(output, incomplete_reason=reason)
    results = collect(prefix, report, log)
    tail = ktap.nonblank(output.split("\n"))[-EXCERPT_LINES:]
    failure = None
    if report.interrupted:
        pass                    # already charged to the case that ran
    elif report.crash is not None:
        failure = ("crashed", report.crash_excerpt)
    elif timed_out:
        failure = (reason, tail)
    elif not report.documents:
        failure = ("no KTAP output (%s)" % describe_status(status), tail)
    elif status != ok_status and all(r.status != ktap.FAIL for r in results):
        failure = ("%s, expected %d" % (describe_status(status), ok_status),
                   tail)
    if failure is not None:
        results.append(TestResult(whole, ktap.FAIL, failure[0], failure[1],
                                  log))
    return results


# --- host unit tests -------------------------------------------------------

def run_unit_tests(build_dir, log_dir, verbose):
    """Build the host unit tests and run each test_* binary; return their
    results (empty when tests/unit has no Makefile)."""
    if not os.path.exists(os.path.join(ROOT, "tests", "unit", "Makefile")):
        return []
    unit_dir = os.path.join(build_dir, "unit")
    log = os.path.join(log_dir, "unit-build.log")
    build = run_command(["make", "-C", "tests/unit", "B=" + unit_dir], 600)
    write_file(log, build.output)
    if build.status != 0 or build.timed_out:
        return [TestResult("unit: build", ktap.FAIL,
                           "make -C tests/unit failed (%s)" %
                           describe_status(build.status),
                           ktap.nonblank(build.output.split("\n"))
                           [-EXCERPT_LINES:], log)]
    env = dict(os.environ)
    env.setdefault("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
    results = []
    for name in sorted(os.listdir(unit_dir)):
        binary = os.path.join(unit_dir, name)
        if not (name.startswith("test_") and "." not in name and
                os.path.isfile(binary) and os.access(binary, os.X_OK)):
            continue
        run = run_command([binary], UNIT_TIMEOUT, env=env)
        log = os.path.join(log_dir, "unit-%s.log" % name)
        write_file(log, run.output)
        prefix = "unit: " + name
        found = process_results(prefix, prefix + ": run", run.output, log,
                                run.status, 0, run.timed_out, UNIT_TIMEOUT)
        report_progress(prefix, found, run, verbose)
        results += found
    return results


# --- user tests on Linux --------------------------------------------------

def run_linux_tests(build_dir, log_dir, verbose):
    """Run tests/native/run-native (the user tests on the host's Linux
    kernel); return one TestResult "linux: <program>" per program."""
    run = run_command([os.path.join(ROOT, "tests", "native", "run-native"),
                       "--build-dir", build_dir], LINUX_TIMEOUT)
    log = os.path.join(log_dir, "linux.log")
    write_file(log, run.output)
    results = process_results("linux", "linux: run", run.output, log,
                              run.status, 0, run.timed_out, LINUX_TIMEOUT,
                              collect=program_results)
    report_progress("linux", results, run, verbose)
    return results


# --- QEMU boots ------------------------------------------------------------

class BootRun:
    """One finished boot: its config, the log's path and text (the serial
    output, then qemu-run's trailer), the qemu-run exit status, whether it
    hit its timeout, and the seconds it took."""

    def __init__(self, config, log, run):
        self.config = config
        self.log = log
        self.text = read_file(log)
        self.status = run.status
        self.timed_out = run.timed_out or run.status in TIMEOUT_STATUSES
        self.seconds = run.seconds


def boot(config, iso, log_dir, extra_cmdline=""):
    """Boot iso once with config through tools/qemu-run; return a BootRun.
    The serial log is saved as <log_dir>/<config name>.log, followed by a
    trailer with qemu-run's exit status and messages."""
    os.makedirs(log_dir, exist_ok=True)
    log = os.path.join(log_dir, config.name + ".log")
    if os.path.exists(log):
        os.remove(log)
    cmdline = (config.cmdline + " " + extra_cmdline).strip()
    argv = [os.path.join(TOOLS, "qemu-run"), "--smp", str(config.smp),
            "--mem", config.mem, "--cmdline", cmdline,
            "--timeout", str(config.timeout), "--log", log, iso]
    # qemu-run enforces config.timeout; this outer limit only guards it.
    run = run_command(argv, config.timeout + 30)
    with open(log, "a", encoding="utf-8") as f:
        f.write("\n=== qemu-run: %s%s (%.1f s) ===\n%s" %
                (describe_status(run.status),
                 ", timed out" if run.timed_out or
                 run.status in TIMEOUT_STATUSES else "",
                 run.seconds, run.output))
    return BootRun(config, log, run)


def run_boots(configs, iso, log_dir, extra_cmdline="", jobs=BOOT_JOBS):
    """Boot every config, jobs at a time; return the BootRuns in config
    order."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(boot, c, iso, log_dir, extra_cmdline)
                   for c in configs]
        return [f.result() for f in futures]


def boot_results(run):
    """Return the TestResults of one boot, named "<config>: <suite>: <case>";
    the boot fails as a whole ("<config>: boot") when it crashed or hung
    outside any test, printed no KTAP, or QEMU's exit status was not the
    clean power-off while every result passed. A boot that got as far as
    the census (the end of init's run) adds "<config>: tracecheck"."""
    name = run.config.name
    results = process_results(name, name + ": boot", run.text, run.log,
                              run.status, QEMU_EXIT_OK, run.timed_out,
                              run.config.timeout)
    trace = trace_result(run)
    return results + ([trace] if trace is not None else [])


_CENSUS = re.compile(r"^(not )?ok 1 census\b", re.MULTILINE)


def trace_result(run):
    """Return the test "<config>: tracecheck", tools/tracecheck.py's check
    of the lifecycle trace the kernel dumps right after the census (the
    offending events are its excerpt); a missing or cut dump fails it. None
    when the boot never reached the census (a ktest-only boot, or one that
    crashed or hung: its own results say so)."""
    name = run.config.name + ": tracecheck"
    status, lines = tracecheck.check_text(run.text)
    if status == 2 and not _CENSUS.search(run.text):
        return None
    if status == 0:
        return TestResult(name, ktap.PASS, log=run.log)
    return TestResult(name, ktap.FAIL, lines[0], lines[1:], run.log)


# --- GDB stub test and harness self-tests ----------------------------------

def run_gdb_test(iso, log_dir, verbose):
    """Run tests/gdb-test ISO ELF LOGDIR (exit 0 passes) as the test
    "gdb: stub"; return [] when it does not exist."""
    script = os.path.join(ROOT, "tests", "gdb-test")
    if not os.access(script, os.X_OK):
        return []
    elf = os.path.join(os.path.dirname(iso), "exeunt.elf")
    run = run_command([script, iso, elf, os.path.join(log_dir, "gdb")],
                      GDB_TIMEOUT)
    log = os.path.join(log_dir, "gdb.log")
    write_file(log, run.output)
    if run.timed_out:
        result = TestResult("gdb: stub", ktap.FAIL,
                            "timeout after %d s" % GDB_TIMEOUT)
    elif run.status != 0:
        result = TestResult("gdb: stub", ktap.FAIL, describe_status(run.status))
    else:
        result = TestResult("gdb: stub", ktap.PASS)
    result.log = log
    if result.status == ktap.FAIL:
        result.excerpt = ktap.nonblank(run.output.split("\n"))[-EXCERPT_LINES:]
    report_progress("gdb", [result], run, verbose)
    return [result]


class _CollectingResult(unittest.TextTestResult):
    """A unittest result that also keeps the tests that passed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.passed = []

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed.append(test)


def harness_name(test):
    """Return "harness: <test method>" for a unittest test (or the
    description of a class or module fixture that failed)."""
    return "harness: " + getattr(test, "_testMethodName", str(test))


def exception_line(trace):
    """Return the "SomeError: message" line of a formatted traceback."""
    lines = trace.rstrip().split("\n")
    starts = [i for i, l in enumerate(lines) if l.startswith("Traceback")]
    for line in lines[starts[-1] + 1 if starts else 0:]:
        if line and not line[0].isspace():
            return line
    return lines[-1]


def run_harness(iso, log_dir, verbose):
    """Run the unittest files of tests/harness (their boots use iso and log
    under <log_dir>/harness); return one TestResult per test method."""
    os.environ["EXEUNT_ISO"] = iso
    os.environ["EXEUNT_TEST_LOGS"] = os.path.join(log_dir, "harness")
    harness_dir = os.path.join(ROOT, "tests", "harness")
    log = os.path.join(log_dir, "harness.log")
    start = time.monotonic()
    with open(log, "w", encoding="utf-8") as stream:
        suite = unittest.defaultTestLoader.discover(harness_dir,
                                                    top_level_dir=harness_dir)
        runner = unittest.TextTestRunner(stream=stream, verbosity=2,
                                         resultclass=_CollectingResult)
        outcome = runner.run(suite)
    results = [TestResult(harness_name(t), ktap.PASS, log=log)
               for t in outcome.passed]
    for test, trace in outcome.failures + outcome.errors:
        results.append(TestResult(harness_name(test), ktap.FAIL,
                                  exception_line(trace),
                                  trace.rstrip().split("\n"), log))
    for test, why in outcome.skipped:
        results.append(TestResult(harness_name(test), ktap.SKIP, why, log=log))
    for test in outcome.unexpectedSuccesses:
        results.append(TestResult(harness_name(test), ktap.FAIL,
                                  "unexpected success", log=log))
    for test, _ in outcome.expectedFailures:
        results.append(TestResult(harness_name(test), ktap.PASS, log=log))
    run = CommandRun(0, "", False, time.monotonic() - start)
    report_progress("harness", results, run, verbose)
    return results


# --- output ----------------------------------------------------------------

def read_file(path):
    """Return a text file's contents, or "" if it does not exist."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def write_file(path, text):
    """Write text to path, creating its directory."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def count(results):
    """Return (passed, failed, skipped) over results."""
    statuses = [r.status for r in results]
    return (statuses.count(ktap.PASS), statuses.count(ktap.FAIL),
            statuses.count(ktap.SKIP))


def summary_line(results):
    """Return "N passed, M failed" plus ", K skipped" when K > 0."""
    passed, failed, skipped = count(results)
    line = "%d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    return line


def format_failure(result):
    """Return the report of one failed test: name and reason, the log
    lines that explain it, the path of the full log."""
    lines = ["FAIL %s: %s" % (result.name, result.reason)]
    lines += ["    | " + line for line in result.excerpt]
    if result.log:
        lines.append("    full log: " + os.path.relpath(result.log))
    return "\n".join(lines)


def report_progress(what, results, run, verbose):
    """Print one line per finished step (and every result with -v)."""
    print("%-8s %s (%.1f s)" % (what, summary_line(results), run.seconds),
          flush=True)
    if verbose:
        for r in results:
            print("    %-4s %s%s" % (r.status, r.name,
                                     " (%s)" % r.reason if r.reason else ""))


# --- main ------------------------------------------------------------------

def select(only, names):
    """Return the subset of names selected by --only (all if not given);
    exit with a message on an unknown name."""
    if not only:
        return names
    wanted = [n.strip() for n in only.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in names]
    if unknown:
        sys.exit("testrun: unknown --only name(s) %s; known: %s" %
                 (", ".join(unknown), ", ".join(names)))
    return [n for n in names if n in wanted]


def main(argv):
    """Run everything selected; print the failures and the summary line;
    return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iso", required=True, help="the ISO to boot")
    parser.add_argument("--build-dir",
                        help="where test-logs/ and unit/ go "
                        "(default: the ISO's directory)")
    parser.add_argument("--only", help="comma list of boot configs and/or "
                        "unit, linux, gdb, harness")
    parser.add_argument("--extra-cmdline", default="",
                        help="appended to every boot's kernel command line")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print every result")
    args = parser.parse_args(argv[1:])
    iso = os.path.abspath(args.iso)
    if not os.path.isfile(iso):
        sys.exit("testrun: no ISO at %s" % args.iso)
    build_dir = os.path.abspath(args.build_dir or os.path.dirname(iso))
    log_dir = os.path.join(build_dir, "test-logs")
    os.makedirs(log_dir, exist_ok=True)
    steps = select(args.only, ["unit", "linux"] + [c.name for c in MATRIX] +
                   ["gdb", "harness"])

    results = []
    if "unit" in steps:
        results += run_unit_tests(build_dir, log_dir, args.verbose)
    if "linux" in steps:
        results += run_linux_tests(build_dir, log_dir, args.verbose)
    configs = [c for c in MATRIX if c.name in steps]
    for run in run_boots(configs, iso, log_dir, args.extra_cmdline):
        found = boot_results(run)
        report_progress(run.config.name, found, run, args.verbose)
        results += found
    if "gdb" in steps:
        results += run_gdb_test(iso, log_dir, args.verbose)
    if "harness" in steps:
        results += run_harness(iso, log_dir, args.verbose)

    failures = [r for r in results if r.status == ktap.FAIL]
    for r in failures:
        print()
        print(format_failure(r))
    if failures:
        print()
    print(summary_line(results))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
