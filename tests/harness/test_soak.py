"""Harness self-tests: tools/soak.py (make soak, make replay) and the
record/replay options of tools/qemu-run.

The pure parts on synthetic input (which tests a soak round runs, the
command line, where two logs part), the usage errors, and one real
record and replay of a short boot of the ISO ($EXEUNT_ISO, default
build/exeunt.iso; skipped without one): the replayed serial output must
be the recorded one, byte for byte.
"""

import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import soak  # noqa: E402  (found through the path set just above)

ISO = os.path.abspath(os.environ.get("EXEUNT_ISO",
                                     os.path.join(ROOT, "build", "exeunt.iso")))
QEMU_RUN = os.path.join(ROOT, "tools", "qemu-run")


class SoakTest(unittest.TestCase):
    """soak.py's helpers and command line."""

    def test_soak_tests_are_stress_and_fuzz(self):
        with tempfile.TemporaryDirectory() as build:
            tests = os.path.join(build, "initrd", "tests")
            os.makedirs(tests)
            for name in ("stress_b", "fork_wait", "fuzz", "stress_a",
                         "fuzzy", "oom"):
                open(os.path.join(tests, name), "w").close()
            self.assertEqual(soak.soak_tests(build),
                             ["fuzz", "stress_a", "stress_b"])
            self.assertEqual(soak.soak_tests(os.path.join(build, "none")), [])

    def test_boot_cmdline(self):
        self.assertEqual(soak.boot_cmdline(42, 4, ["stress_a", "fuzz"]),
                         "seed=42 stress=4 tests=stress_a,fuzz")

    def test_first_difference(self):
        self.assertEqual(soak.first_difference("a\nb\nc", "a\nx\nc"),
                         "line 2: 'b' | 'x'")
        self.assertEqual(soak.first_difference("a\nb", "a"),
                         "line 2: one of them ends there")

    def test_soak_without_stress_tests_says_so(self):
        with tempfile.TemporaryDirectory() as build:
            iso = os.path.join(build, "exeunt.iso")
            open(iso, "w").close()
            run = subprocess.run(
                [sys.executable, os.path.join(ROOT, "tools", "soak.py"),
                 "soak", "--iso", iso, "--rounds", "1"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                timeout=60)
        self.assertEqual(run.returncode, 2, run.stdout)
        self.assertIn("no stress_* test", run.stdout)

    def test_qemu_run_record_needs_one_cpu(self):
        run = subprocess.run([QEMU_RUN, "--smp", "2", "--record", "x.rr",
                              "none.iso"], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=60)
        self.assertEqual(run.returncode, 2, run.stdout)
        self.assertIn("--record needs --smp 1", run.stdout)


@unittest.skipUnless(os.path.isfile(ISO), "no ISO at " + ISO)
class ReplayTest(unittest.TestCase):
    """A short boot recorded, then replayed: the same serial output."""

    def test_replay_matches_record(self):
        with tempfile.TemporaryDirectory() as out:
            rrfile = os.path.join(out, "hello.rr")
            logs = {}
            for mode in ("record", "replay"):
                logs[mode] = os.path.join(out, mode + ".log")
                run = soak.replay_run(ISO, "seed=3 tests=hello", mode,
                                      rrfile, logs[mode])
                self.assertEqual(run.status, 1, "%s: %s" % (mode, run.output))
            with open(logs["record"], "rb") as f:
                recorded = f.read()
            with open(logs["replay"], "rb") as f:
                replayed = f.read()
        self.assertIn(b"ok 1 hello", recorded)
        self.assertEqual(recorded, replayed)


if __name__ == "__main__":
    unittest.main()
