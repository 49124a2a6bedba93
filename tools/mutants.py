#!/usr/bin/env python3
"""The mutants of DESIGN.md section 5, behind `make mutants`.

Each mutant is a kernel built with MUTANT=<name> (the Makefile turns it
into -DMUTANT_<name with _>), which reintroduces exactly one teardown
hazard (docs/mutants.md lists the lines each one changes). For every
mutant selected this tool

  1. builds it: make B=<build root>/<name> MUTANT=<name> iso (the log in
     <build root>/<name>/build.log);
  2. boots it over the test matrix of tools/testrun.py (the same configs,
     command lines and timeouts as `make test`), one boot at a time, in
     an order that tends to find the kill first (MUTANTS below), and stops
     at the first boot with a failing test;
  3. prints "mutant <name>: killed by <config>/<test> (<reason>)", the
     first failing result of that boot (a failed case, a crash charged to
     the case that was running, a timeout, the census or the tracecheck),
     or "mutant <name>: SURVIVED" when every boot of the matrix passed.

Two mutants are worked on at a time (the machines have 2 cores). The last
line is "K of N mutants killed"; the exit status is 0 only when every
mutant built and was killed. Serial logs stay in
<build root>/<name>/test-logs/.

usage: tools/mutants.py [--mutants NAME[,NAME]] [--build-root DIR]
                        [--jobs N] [-v]
"""

import argparse
import concurrent.futures
import os
import re
import sys

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)
import ktap  # noqa: E402  (found through the path set just above)
import testrun  # noqa: E402

# Every mutant of DESIGN.md section 5, with the boots of the matrix in the
# order to try them: the config whose tests (docs/mutants.md) kill it
# first, then the rest of the matrix. "reaper" is a short boot; the purge
# in exit1 does not run there, so mutants of that purge start elsewhere.
MUTANTS = [
    ("purge-kthread",      ["reaper", "smp1", "smp4", "lowmem"]),
    ("purge-shared",       ["smp1", "smp4", "lowmem", "reaper"]),
    ("reader-noref",       ["smp1", "smp4", "lowmem", "reaper"]),
    ("reader-resurrect",   ["reaper", "smp4", "lowmem", "smp1"]),
    ("free-before-unmap",  ["reaper", "smp1", "smp4", "lowmem"]),
    ("no-shootdown",       ["reaper", "smp4", "lowmem", "smp1"]),
    ("early-pmap-destroy", ["smp1", "smp4", "lowmem", "reaper"]),
    ("no-grace",           ["reaper", "smp4", "lowmem", "smp1"]),
    ("leak-ptp",           ["reaper", "smp1", "smp4", "lowmem"]),
    ("no-single-thread",   ["smp4", "lowmem", "smp1", "reaper"]),
]
MUTANT_JOBS = 2             # mutants built and booted at once
BUILD_TIMEOUT = 900         # seconds for one mutant's make
REASON_MAX = 160            # characters of a kill's reason
_DIRECTIVE = re.compile(r" # .*$")


class Outcome:
    """What became of one mutant: killed (the first failing TestResult and
    its config's name), survived, or not built (build_error set)."""

    def __init__(self, name, config=None, result=None, build_error=None,
                 boots=0):
        self.name = name
        self.config = config
        self.result = result
        self.build_error = build_error
        self.boots = boots

    @property
    def killed(self):
        return self.result is not None


def boot_order(name, configs=None):
    """Return the matrix's BootConfigs in the order to try for mutant
    name: its preferred configs first, then any other config of the matrix
    (so a config added to tools/testrun.py is never left out)."""
    configs = testrun.MATRIX if configs is None else configs
    by_name = {c.name: c for c in configs}
    preferred = dict(MUTANTS).get(name, [])
    order = [by_name[n] for n in preferred if n in by_name]
    return order + [c for c in configs if c not in order]


def select_mutants(arg):
    """Return the mutant names chosen by --mutants (all if empty), in the
    table's order; raise ValueError naming the unknown ones."""
    names = [n for n, _ in MUTANTS]
    if not arg:
        return names
    wanted = [n.strip() for n in arg.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in names]
    if unknown:
        raise ValueError("unknown mutant(s) %s; known: %s" %
                         (", ".join(unknown), ", ".join(names)))
    return [n for n in names if n in wanted]


def first_failure(results):
    """Return the first failed TestResult of a boot, or None."""
    for r in results:
        if r.status == ktap.FAIL:
            return r
    return None


def kill_reason(result):
    """Return why result failed in one line: its reason, and for a crash or
    a failed case the line of its excerpt that says most (the panic line,
    else the first diagnostic)."""
    reason = result.reason or "failed"
    lines = [l.strip() for l in result.excerpt if l.strip()]
    detail = next((l for l in lines if l.startswith("panic:")), None)
    if detail is None and lines and lines[0] not in reason:
        detail = lines[0]
    if detail:
        reason += ": " + detail
    if len(reason) > REASON_MAX:
        reason = reason[:REASON_MAX - 3] + "..."
    return reason


def test_name(config, result):
    """Return "<config>/<test>" for a result named "<config>: <test>",
    without the directives of its path (a user test's "# exit status 1")."""
    prefix = config + ": "
    name = result.name
    if name.startswith(prefix):
        name = name[len(prefix):]
    return config + "/" + ": ".join(_DIRECTIVE.sub("", part)
                                    for part in name.split(": "))


def format_outcome(outcome):
    """Return the report line of one mutant."""
    if outcome.build_error is not None:
        return "mutant %s: NOT BUILT (%s)" % (outcome.name,
                                              outcome.build_error)
    if not outcome.killed:
        return "mutant %s: SURVIVED" % outcome.name
    return "mutant %s: killed by %s (%s)" % (
        outcome.name, test_name(outcome.config, outcome.result),
        kill_reason(outcome.result))


def summary_line(outcomes):
    """Return "K of N mutants killed"."""
    return "%d of %d mutants killed" % (sum(o.killed for o in outcomes),
                                        len(outcomes))


def build_mutant(name, build_dir):
    """Build mutant name's ISO in build_dir; return None, or why it did not
    build."""
    os.makedirs(build_dir, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    if not os.path.relpath(build_dir, ROOT).startswith(".."):
        build_dir = os.path.relpath(build_dir, ROOT)
    run = testrun.run_command(["make", "-j2", "B=" + build_dir,
                               "MUTANT=" + name, "iso"], BUILD_TIMEOUT,
                              env=env)
    log = os.path.join(ROOT, build_dir, "build.log")
    testrun.write_file(log, run.output)
    if run.timed_out:
        return "make timed out; see %s" % os.path.relpath(log)
    if run.status != 0:
        return "make failed; see %s" % os.path.relpath(log)
    return None


def run_mutant(name, build_root, verbose):
    """Build mutant name and boot it until a test fails; return its
    Outcome."""
    build_dir = os.path.join(build_root, name)
    error = build_mutant(name, build_dir)
    if error is not None:
        return Outcome(name, build_error=error)
    iso = os.path.join(build_dir, "exeunt.iso")
    log_dir = os.path.join(build_dir, "test-logs")
    boots = 0
    for config in boot_order(name):
        run = testrun.boot(config, iso, log_dir)
        boots += 1
        results = testrun.boot_results(run)
        if verbose:
            print("  %s: %s %s (%.1f s)" % (name, config.name,
                                            testrun.summary_line(results),
                                            run.seconds), flush=True)
        failed = first_failure(results)
        if failed is not None:
            return Outcome(name, config.name, failed, boots=boots)
    return Outcome(name, boots=boots)


def main(argv):
    """Run the selected mutants; print a line per mutant and the summary;
    return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mutants", default="",
                        help="comma list of mutants (default: all)")
    parser.add_argument("--build-root", default="build-mut",
                        help="each mutant builds in BUILD_ROOT/<name>")
    parser.add_argument("--jobs", type=int, default=MUTANT_JOBS,
                        help="mutants worked on at once")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print every boot")
    args = parser.parse_args(argv[1:])
    try:
        names = select_mutants(args.mutants)
    except ValueError as e:
        sys.exit("mutants: %s" % e)
    build_root = os.path.abspath(args.build_root)
    outcomes = {}
    with concurrent.futures.ThreadPoolExecutor(
            max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(run_mutant, n, build_root, args.verbose): n
                   for n in names}
        for future in concurrent.futures.as_completed(futures):
            outcome = future.result()
            outcomes[outcome.name] = outcome
            print(format_outcome(outcome), flush=True)
    ordered = [outcomes[n] for n in names]
    print(summary_line(ordered))
    return 0 if all(o.killed for o in ordered) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
