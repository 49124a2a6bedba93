"""Harness self-tests: the make bench tools (tools/bench) on synthetic data.

benchlog.parse on serial logs shaped like a Linux and an exeunt boot, the
initramfs writer (checked with cpio(1) when it is installed) and the report
table's ratios. No boot, no gnuplot.
Run with: python3 -m unittest discover tests/harness
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tools", "bench"))
import benchlog  # noqa: E402  (found through the path set just above)
import report  # noqa: E402
import run  # noqa: E402


def log(*lines):
    """Return lines joined as a serial log with CRLF line ends."""
    return "\r\n".join(lines) + "\r\n"


LINUX_LOG = log(
    "[    0.000000] Linux version 6.1.0-56-amd64",
    "KTAP version 1",
    "1..3",
    "# lat_proc: fork+exit+wait latency",
    "bench lat_proc iters=500 mean=312.402 us",
    "bench lat_proc iters=500 min_round=300 us",
    "ok 1 /bench/lat_proc",
    "bench exit_storm procs=4 size_mib=32 reap_all=1.5e3 us",
    "sample exit_storm t_us=-4980 freeram=401260544",
    "sample exit_storm t_us=120 freeram=435000000",
    "ok 2 /bench/exit_storm",
    "# peek: error: PTRACE_PEEKDATA 0x1000: Input/output error",
    "not ok 3 /bench/peek # exit status 1",
    "# init: 2 passed, 1 failed",
    "[    3.520134] reboot: Power down")


class BenchLogTest(unittest.TestCase):
    """benchlog.parse on synthetic boot logs."""

    def test_measurements_samples_verdicts(self):
        parsed = benchlog.parse(LINUX_LOG)
        self.assertTrue(parsed.started)
        self.assertEqual(parsed.panic, "")
        self.assertEqual(
            [(m.bench, m.params, m.metric, m.value, m.unit)
             for m in parsed.measurements],
            [("lat_proc", ("iters=500",), "mean", 312.402, "us"),
             ("lat_proc", ("iters=500",), "min_round", 300.0, "us"),
             ("exit_storm", ("procs=4", "size_mib=32"), "reap_all", 1500.0,
              "us")])
        self.assertEqual(parsed.samples, {"exit_storm": [
            (-4980, 401260544), (120, 435000000)]})
        self.assertEqual(parsed.verdicts, {
            "/bench/lat_proc": (True, ""), "/bench/exit_storm": (True, ""),
            "/bench/peek": (False, "exit status 1")})
        self.assertEqual(parsed.errors, {
            "peek": ["PTRACE_PEEKDATA 0x1000: Input/output error"]})
        self.assertEqual(benchlog.results_seen(LINUX_LOG), 3)

    def test_malformed_lines_are_kept_apart(self):
        parsed = benchlog.parse(log(
            "1..1", "bench lat_proc mean=abc us", "bench lat_proc mean=3 us x",
            "bench lat_proc iters=5 mean=3", "bench lat_proc bare mean=3 us",
            "bench lat_proc mean=3 us"))
        self.assertEqual(len(parsed.malformed), 4)
        self.assertEqual([m.key() for m in parsed.measurements],
                         [("lat_proc", (), "mean", "us")])

    def test_no_user_space(self):
        text = log("exeunt 0.1 (x86-64): how an address space dies",
                   "ok 1 pool_get_put",
                   "panic: exec_init: /init: not found",
                   "exeunt: halting (status 16)")
        parsed = benchlog.parse(text)
        self.assertFalse(parsed.started)
        self.assertEqual(parsed.verdicts, {})
        self.assertEqual(parsed.panic, "panic: exec_init: /init: not found")
        self.assertEqual(benchlog.results_seen(text), -1)


class InitramfsTest(unittest.TestCase):
    """run.initramfs_write: a cpio newc archive Linux can unpack."""

    def test_archive(self):
        with tempfile.TemporaryDirectory() as tmp:
            init = os.path.join(tmp, "init")
            prog = os.path.join(tmp, "lat_proc")
            with open(init, "wb") as f:
                f.write(b"\x7fELF init")
            with open(prog, "wb") as f:
                f.write(b"12345")
            archive = os.path.join(tmp, "a.cpio")
            run.initramfs_write(archive, init, [("lat_proc", prog)])
            with open(archive, "rb") as f:
                blob = f.read()
            self.assertEqual(blob[:6], b"070701")
            self.assertEqual(len(blob) % 4, 0)
            self.assertIn(b"TRAILER!!!\0", blob)
            if shutil.which("cpio") is None:
                self.skipTest("cpio is not installed")
            listing = subprocess.run(["cpio", "-itv"], input=blob,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, check=True)
            lines = listing.stdout.decode().strip().split("\n")
            self.assertEqual([l.split()[-1] for l in lines],
                             ["dev", "dev/console", "init", "bench",
                              "bench/lat_proc"])
            self.assertTrue(lines[1].startswith("crw-------"))
            self.assertIn("5,   1", lines[1])
            self.assertTrue(lines[4].startswith("-rwxr-xr-x"))
            out = os.path.join(tmp, "out")
            os.mkdir(out)
            subprocess.run(["cpio", "-id", "--quiet", "bench/lat_proc"],
                           input=blob, cwd=out, check=True)
            with open(os.path.join(out, "bench", "lat_proc"), "rb") as f:
                self.assertEqual(f.read(), b"12345")


class ReportTest(unittest.TestCase):
    """report.table: one row per measurement, the three ratios."""

    def test_table_ratios(self):
        linux = run.Boot("linux", None, 1)
        linux.log = benchlog.parse(log(
            "1..1", "bench lat_proc iters=500 mean=400 us",
            "bench peek method=ptrace words=8 rate=2 MiB/s"))
        exit_ = run.Boot("exeunt", "exit", 1)
        exit_.log = benchlog.parse(log(
            "1..1", "bench lat_proc iters=500 mean=100 us"))
        reaper = run.Boot("exeunt", "reaper", 1)
        reaper.log = benchlog.parse(log(
            "1..1", "bench lat_proc iters=500 mean=200 us"))
        rows = report.table([linux, exit_, reaper], 1)[2:]
        self.assertEqual(rows, [
            "| lat_proc | iters=500 | mean (us) | 400.0 | 100.0 | 200.0 | "
            "0.25 | 0.50 | 0.50 |",
            "| peek | method=ptrace words=8 | rate (MiB/s) | 2.00 | - | - | "
            "- | - | - |"])
        self.assertIn("- fork+exit+wait, exeunt/Linux at -smp 1: 0.25x "
                      "(goal <= 0.5): met",
                      report.targets([linux, exit_, reaper], [1]))


if __name__ == "__main__":
    unittest.main()
