#!/usr/bin/env python3
"""make soak and make replay: the stress tests over many seeds, and one seed
recorded and replayed (docs/validation.md, docs/replay.md).

soak: ROUNDS boots, one at a time, alternately at -smp 2 and -smp 4, each
with a seed of its own (the first --seed, default from the clock; +1 per
round) and stress=STRESS, running every test of the initrd whose name
starts with "stress_", and "fuzz" when the initrd has it. A round passes
when every test passed, the kernel powered off cleanly and the boot's
lifecycle trace checks (what make test asks of a boot:
testrun.boot_results). One line per round:

    round I seed S smp N: ok (LOG) | FAILED (LOG)

The first failure stops the soak: its report as make test prints it, then
the commands that boot that seed again and that record and replay it at
-smp 1. The last line is "soak: K of N rounds passed".

replay: boots -smp 1 with QEMU record/replay (tools/qemu-run --record),
seed=SEED stress=STRESS tests=TESTS, then replays the recording (--replay)
and checks that the replayed serial output is the recorded one, byte for
byte; it says how the recorded run went. With --gdb it records nothing:
it replays the last recording of that seed under gdb (tools/gdb/run-gdb).
Files: <build>/replay/seed-S.{rr,rr.qcow2,record.log,replay.log}.

usage: tools/soak.py soak --iso ISO [--build-dir DIR] [--rounds N]
                          [--seed S] [--stress N]
       tools/soak.py replay --iso ISO [--build-dir DIR] --seed S
                          --tests NAMES [--stress N] [--gdb]
"""

import argparse
import os
import sys
import time

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)
import ktap  # noqa: E402  (found through the path set just above)
import testrun  # noqa: E402

SOAK_SMP = (2, 4)           # round i boots at SOAK_SMP[i % 2] CPUs
SOAK_MEM = "256M"
SOAK_STRESS = 8             # the stress= of a soak round (CI boots use 1)
SOAK_TIMEOUT = 900          # seconds for one round's boot
REPLAY_MEM = "256M"
REPLAY_TIMEOUT = 1800       # seconds for the recording, and for the replay
EXTRA_TESTS = ("fuzz",)     # soaked too when the initrd has them


def soak_tests(build_dir):
    """Return the tests a soak round runs: the initrd's stress_* tests and
    EXTRA_TESTS that it has, sorted."""
    tests_dir = os.path.join(build_dir, "initrd", "tests")
    names = sorted(os.listdir(tests_dir)) if os.path.isdir(tests_dir) else []
    return [n for n in names if n.startswith("stress_") or n in EXTRA_TESTS]


def boot_cmdline(seed, stress, tests):
    """Return the kernel command line of a soak round or a replay."""
    return "seed=%d stress=%d tests=%s" % (seed, stress, ",".join(tests))


def soak_round(iso, log_dir, number, seed, stress, tests):
    """Boot one soak round; return (config, failed results, log path)."""
    smp = SOAK_SMP[number % len(SOAK_SMP)]
    config = testrun.BootConfig("round-%02d-seed-%d" % (number, seed), smp,
                                SOAK_MEM, boot_cmdline(seed, stress, tests),
                                SOAK_TIMEOUT)
    run = testrun.boot(config, iso, log_dir)
    failed = [r for r in testrun.boot_results(run) if r.status == ktap.FAIL]
    return config, failed, run.log


def soak(args, iso, build_dir):
    """Run the soak rounds; return the exit status."""
    tests = soak_tests(build_dir)
    if not [t for t in tests if t.startswith("stress_")]:
        print("soak: no stress_* test in %s/initrd/tests" % build_dir)
        return 2
    seed = args.seed if args.seed is not None else int(time.time()) % 1000000
    log_dir = os.path.join(build_dir, "soak-logs")
    print("soak: %d rounds of %s, stress=%d, first seed %d" %
          (args.rounds, ",".join(tests), args.stress, seed), flush=True)
    for number in range(args.rounds):
        start = time.monotonic()
        config, failed, log = soak_round(iso, log_dir, number, seed + number,
                                         args.stress, tests)
        print("round %d seed %d smp %d: %s (%s, %.0f s)" %
              (number + 1, seed + number, config.smp,
               "FAILED" if failed else "ok", os.path.relpath(log),
               time.monotonic() - start), flush=True)
        if failed:
            for result in failed:
                print()
                print(testrun.format_failure(result))
            print()
            print("boot it again:  tools/qemu-run --smp %d --mem %s "
                  "--cmdline \"%s\" --timeout %d %s" %
                  (config.smp, config.mem, config.cmdline, SOAK_TIMEOUT,
                   os.path.relpath(iso)))
            print("record/replay:  make replay SEED=%d STRESS=%d TESTS=%s" %
                  (seed + number, args.stress, ",".join(tests)))
            print("soak: %d of %d rounds passed" % (number, args.rounds))
            return 1
    print("soak: %d of %d rounds passed" % (args.rounds, args.rounds))
    return 0


def first_difference(a, b):
    """Return "line N: <a's> | <b's>" for the first line where the texts
    a and b differ."""
    la, lb = a.split("\n"), b.split("\n")
    for number, (x, y) in enumerate(zip(la, lb), 1):
        if x != y:
            return "line %d: %r | %r" % (number, x, y)
    return "line %d: one of them ends there" % (min(len(la), len(lb)) + 1)


def replay_run(iso, cmdline, mode, rrfile, log):
    """Boot iso at -smp 1 recording to or replaying from rrfile (mode
    "record" or "replay"), the serial output to log; return the
    CommandRun."""
    if os.path.exists(log):
        os.remove(log)
    argv = [os.path.join(TOOLS, "qemu-run"), "--smp", "1", "--mem",
            REPLAY_MEM, "--cmdline", cmdline, "--" + mode, rrfile,
            "--timeout", str(REPLAY_TIMEOUT), "--log", log, iso]
    return testrun.run_command(argv, REPLAY_TIMEOUT + 30)


def replay(args, iso, build_dir):
    """Record and replay one seed, or replay it under gdb; return the exit
    status."""
    tests = [t for t in args.tests.split(",") if t]
    cmdline = boot_cmdline(args.seed, args.stress, tests)
    out = os.path.join(build_dir, "replay")
    os.makedirs(out, exist_ok=True)
    rrfile = os.path.join(out, "seed-%d.rr" % args.seed)
    if args.gdb:
        if not os.path.exists(rrfile):
            print("replay: no recording %s; record it first (without GDB=1)"
                  % os.path.relpath(rrfile))
            return 2
        elf = os.path.join(os.path.dirname(iso), "exeunt.elf")
        os.execv(os.path.join(TOOLS, "gdb", "run-gdb"),
                 ["run-gdb", "--smp", "1", "--mem", REPLAY_MEM, "--cmdline",
                  cmdline, "--replay", rrfile, iso, elf])
    logs = {m: os.path.join(out, "seed-%d.%s.log" % (args.seed, m))
            for m in ("record", "replay")}
    print("replay: recording %s at -smp 1" % cmdline, flush=True)
    run = replay_run(iso, cmdline, "record", rrfile, logs["record"])
    config = testrun.BootConfig("record", 1, REPLAY_MEM, cmdline,
                                REPLAY_TIMEOUT)
    results = testrun.boot_results(testrun.BootRun(config, logs["record"],
                                                   run))
    print("replay: the recorded run: %s, %s (%.0f s, %s)" %
          (testrun.describe_status(run.status), testrun.summary_line(results),
           run.seconds, os.path.relpath(logs["record"])), flush=True)
    again = replay_run(iso, cmdline, "replay", rrfile, logs["replay"])
    recorded = testrun.read_file(logs["record"])
    replayed = testrun.read_file(logs["replay"])
    if again.timed_out or recorded != replayed:
        print("replay: the replay DIFFERS from the recording (%s, %.0f s): %s"
              % (testrun.describe_status(again.status), again.seconds,
                 first_difference(recorded, replayed)))
        if again.output.strip():
            print(again.output.rstrip())
        return 1
    print("replay: the replay is identical (%d bytes of serial output, "
          "%.0f s)" % (os.path.getsize(logs["replay"]), again.seconds))
    print("replay: under gdb: make replay SEED=%d STRESS=%d TESTS=%s GDB=1"
          % (args.seed, args.stress, ",".join(tests)))
    return 0


def main(argv):
    """Parse the command line and run soak or replay."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("soak", "replay"):
        p = sub.add_parser(name)
        p.add_argument("--iso", required=True, help="the ISO to boot")
        p.add_argument("--build-dir", help="default: the ISO's directory")
        p.add_argument("--stress", type=int, default=SOAK_STRESS,
                       help="the stress= boot option (default %d)" %
                       SOAK_STRESS)
    soak_p, replay_p = sub.choices["soak"], sub.choices["replay"]
    soak_p.add_argument("--rounds", type=int, default=20)
    soak_p.add_argument("--seed", type=int, help="the first round's seed")
    replay_p.add_argument("--seed", type=int, required=True)
    replay_p.add_argument("--tests", required=True,
                          help="comma list of the tests to run")
    replay_p.add_argument("--gdb", action="store_true",
                          help="replay the last recording under gdb")
    args = parser.parse_args(argv[1:])
    iso = os.path.abspath(args.iso)
    if not os.path.isfile(iso):
        sys.exit("soak: no ISO at %s" % args.iso)
    build_dir = os.path.abspath(args.build_dir or os.path.dirname(iso))
    if args.command == "soak":
        return soak(args, iso, build_dir)
    return replay(args, iso, build_dir)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
