"""Harness self-tests: the runner against real boots of misbehaving suites.

Boots the ISO once for each explicit-only suite of
kernel/kern/kern_ktest_selftest.c through the functions tools/testrun.py
uses, and checks that the runner reports exactly what happened: a failing
check with its diagnostics, a panic and a page fault as crashes with their
registers and a symbolized backtrace, a hang as a timeout, a skip as a skip.
One more boot runs the user program user/selftest/hang_straggler.c, which
hangs with a child and a grandchild: init's watchdog must kill all three,
init reap them before the leak accounting, and the next test and the
census find nothing of them left.

The ISO is $EXEUNT_ISO (default build/exeunt.iso); the logs go to
$EXEUNT_TEST_LOGS (default <ISO's directory>/test-logs/harness). Without an
ISO every test is skipped.
"""

import os
import re
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import ktap  # noqa: E402  (found through the path set just above)
import testrun  # noqa: E402

ISO = os.path.abspath(os.environ.get("EXEUNT_ISO",
                                     os.path.join(ROOT, "build", "exeunt.iso")))
LOGS = os.environ.get("EXEUNT_TEST_LOGS",
                      os.path.join(os.path.dirname(ISO), "test-logs", "harness"))
HANG_TIMEOUT = 20
SUITES = ["selftest_fail", "selftest_panic", "selftest_fault", "selftest_hang",
          "selftest_skip"]
STRAGGLER = "straggler"
STRAGGLER_TIMEOUT = 5       # seconds init gives the hanging user test


def selftest_config(suite):
    """Return the boot config that runs one self-test suite and powers off."""
    timeout = HANG_TIMEOUT if suite == "selftest_hang" else 120
    return testrun.BootConfig(suite, 2, "128M", "ktest=%s halt" % suite,
                              timeout)


def straggler_config():
    """Return the boot config of the hanging user test and one after it."""
    return testrun.BootConfig(
        STRAGGLER, 2, "128M", "tests=/selftest/hang_straggler,hello "
        "test_timeout=%d" % STRAGGLER_TIMEOUT, 120)


def backtrace_names(excerpt, function):
    """Return the backtrace lines ("  #N <address> fn+0x..") naming function."""
    pattern = re.compile(r"^\s*#\d+ [0-9a-f]{16} %s\+0x[0-9a-f]+$" % function)
    return [line for line in excerpt if pattern.match(line)]


@unittest.skipUnless(os.path.isfile(ISO), "no ISO at " + ISO)
class BootSelftest(unittest.TestCase):
    """testrun's boot functions on the selftest_* suites."""

    @classmethod
    def setUpClass(cls):
        runs = testrun.run_boots([selftest_config(s) for s in SUITES] +
                                 [straggler_config()], ISO, LOGS)
        cls.runs = {run.config.name: run for run in runs}
        cls.results = {name: testrun.boot_results(run)
                       for name, run in cls.runs.items()}

    def failures(self, suite):
        """Return the failed results of one suite's boot."""
        return [r for r in self.results[suite] if r.status == ktap.FAIL]

    def test_boot_fail_one_pass_one_fail(self):
        self.assertEqual(self.runs["selftest_fail"].status,
                         testrun.QEMU_EXIT_OK)
        self.assertEqual(testrun.count(self.results["selftest_fail"]),
                         (1, 1, 0))
        [failure] = self.failures("selftest_fail")
        self.assertEqual(failure.name,
                         "selftest_fail: selftest_fail: selftest_fail_case")
        text = testrun.format_failure(failure)
        self.assertIn("# selftest_fail_case: about to compare 41 with 42", text)
        self.assertIn("expected answer == 42, got 41", text)
        self.assertIn(os.path.relpath(self.runs["selftest_fail"].log), text)

    def test_boot_panic_is_a_crash_with_backtrace(self):
        self.assertEqual(self.runs["selftest_panic"].status, 33)
        self.assertEqual(testrun.count(self.results["selftest_panic"]),
                         (0, 1, 0))
        [failure] = self.failures("selftest_panic")
        self.assertEqual(failure.name,
                         "selftest_panic: selftest_panic: selftest_panic_case")
        self.assertEqual(failure.reason, "crashed")
        self.assertIn("panic: selftest_panic_case: deliberate panic",
                      failure.excerpt)
        self.assertTrue(any(l.startswith("cr0 ") and " cr2 " in l
                            for l in failure.excerpt), failure.excerpt)
        self.assertTrue(backtrace_names(failure.excerpt, "selftest_panic_case"),
                        "no backtrace line names selftest_panic_case:\n" +
                        testrun.format_failure(failure))

    def test_boot_fault_is_a_crash_with_registers(self):
        self.assertEqual(self.runs["selftest_fault"].status, 33)
        self.assertEqual(testrun.count(self.results["selftest_fault"]),
                         (0, 1, 0))
        [failure] = self.failures("selftest_fault")
        self.assertEqual(failure.name,
                         "selftest_fault: selftest_fault: selftest_fault_case")
        self.assertEqual(failure.reason, "crashed")
        self.assertTrue(any(l.startswith("panic: fatal page fault")
                            for l in failure.excerpt), failure.excerpt)
        self.assertTrue(any(l.startswith("rip ffffffff8") for l in
                            failure.excerpt), failure.excerpt)
        self.assertTrue(any("cr2 ffff900000000000" in l for l in
                            failure.excerpt), failure.excerpt)
        self.assertTrue(backtrace_names(failure.excerpt, "selftest_fault_case"),
                        "no backtrace line names selftest_fault_case:\n" +
                        testrun.format_failure(failure))

    def test_boot_hang_is_a_timeout(self):
        self.assertTrue(self.runs["selftest_hang"].timed_out)
        self.assertEqual(testrun.count(self.results["selftest_hang"]),
                         (0, 1, 0))
        [failure] = self.failures("selftest_hang")
        self.assertEqual(failure.name,
                         "selftest_hang: selftest_hang: selftest_hang_case")
        self.assertEqual(failure.reason, "timeout after %d s" % HANG_TIMEOUT)
        self.assertIn("    # selftest_hang_case: spinning forever with "
                      "interrupts off", failure.excerpt)

    def test_boot_skip_is_not_a_failure(self):
        self.assertEqual(self.runs["selftest_skip"].status,
                         testrun.QEMU_EXIT_OK)
        self.assertEqual(testrun.count(self.results["selftest_skip"]),
                         (1, 0, 1))
        skipped = [r for r in self.results["selftest_skip"]
                   if r.status == ktap.SKIP]
        self.assertEqual([(r.name, r.reason) for r in skipped],
                         [("selftest_skip: selftest_skip: selftest_skip_case",
                           "SKIP skipped on purpose")])

    def test_boot_summary_line(self):
        results = [r for s in SUITES for r in self.results[s]]
        self.assertEqual(testrun.summary_line(results),
                         "2 passed, 4 failed, 1 skipped")

    def test_user_hang_takes_what_it_started_with_it(self):
        run = self.runs[STRAGGLER]
        self.assertEqual(run.status, testrun.QEMU_EXIT_OK, run.log)
        results = {r.name: r for r in self.results[STRAGGLER]}
        hang = results[STRAGGLER + ": /selftest/hang_straggler: "
                       "hang_with_stragglers"]
        self.assertEqual(hang.status, ktap.FAIL)
        # the timeout alone: every straggler reaped, nothing leaked
        self.assertEqual(hang.reason, "timeout after %d s" % STRAGGLER_TIMEOUT)
        self.assertEqual(len(re.findall(
            r"^# init: reaped orphan \d+ \(killed by signal 9\)$", run.text,
            re.MULTILINE)), 2, run.log)
        self.assertEqual(
            [(name, r.status) for name, r in sorted(results.items())
             if r is not hang and r.status != ktap.PASS], [])
        self.assertIn(STRAGGLER + ": census", results)
        self.assertIn(STRAGGLER + ": hello: uids", results)

    def test_boot_cli_exit_status_and_last_line(self):
        with tempfile.TemporaryDirectory() as build_dir:
            run = subprocess.run(
                [sys.executable, os.path.join(ROOT, "tools", "testrun.py"),
                 "--iso", ISO, "--build-dir", build_dir,
                 "--only", testrun.MATRIX[0].name,
                 "--extra-cmdline", "ktest=selftest_fail halt"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                timeout=testrun.MATRIX[0].timeout + 60)
            self.assertTrue(os.path.isfile(os.path.join(
                build_dir, "test-logs", testrun.MATRIX[0].name + ".log")))
        self.assertEqual(run.returncode, 1, run.stdout)
        self.assertEqual(run.stdout.rstrip("\n").split("\n")[-1],
                         "1 passed, 1 failed")
        self.assertIn("FAIL %s: selftest_fail: selftest_fail_case: failed" %
                      testrun.MATRIX[0].name, run.stdout)


if __name__ == "__main__":
    unittest.main()
