"""Harness self-tests: tools/ktap.py on synthetic logs.

Each test feeds a log shaped like the kernel's (or init's) output to
ktap.parse and checks the tree and the counts, including the ways a run can
go wrong: a failing case, a panic mid-suite, output cut short, bail-out.
Run with: python3 -m unittest discover tests/harness
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tools"))
import ktap  # noqa: E402  (found through the path set just above)


def log(*lines):
    """Return lines joined as a serial log with CRLF line ends."""
    return "\r\n".join(lines) + "\r\n"


BANNER = ("exeunt 0.1 (x86-64): how an address space dies",
          "cmdline: ktest=all")
SUITE_POOL_OK = ("    KTAP version 1",
                 "    # Subtest: pool",
                 "    1..2",
                 "    ok 1 pool_get_put",
                 "    ok 2 pool_grow")


def names(report, status=None):
    """Return the ": "-joined paths of the report's tests (with status)."""
    return [": ".join(path) for path, case in report.tests()
            if status is None or case.status == status]


class KtapTest(unittest.TestCase):
    """ktap.parse on synthetic logs."""

    def test_nested_pass(self):
        report = ktap.parse(log("KTAP version 1", "1..2", *SUITE_POOL_OK,
                                "ok 1 pool",
                                "    KTAP version 1",
                                "    # Subtest: page",
                                "    1..1",
                                "    ok 1 page_alloc",
                                "ok 2 page"))
        self.assertEqual(report.counts(), (3, 0, 0))
        self.assertEqual(names(report), ["pool: pool_get_put", "pool: pool_grow",
                                         "page: page_alloc"])
        self.assertEqual(report.documents[0].children[0].plan, 2)
        self.assertIsNone(report.crash)
        self.assertEqual(report.interrupted, [])

    def test_failing_case_keeps_its_diagnostics(self):
        report = ktap.parse(log("KTAP version 1", "1..1",
                                "    KTAP version 1",
                                "    # Subtest: pool",
                                "    1..2",
                                "    ok 1 pool_get_put",
                                "    # pool_grow: pool.c:12: expected n == 2",
                                "    not ok 2 pool_grow",
                                "not ok 1 pool"))
        self.assertEqual(report.counts(), (1, 1, 0))
        self.assertEqual(names(report, ktap.FAIL), ["pool: pool_grow"])
        failed = report.documents[0].children[0].children[1]
        self.assertEqual(failed.diagnostics,
                         ["# pool_grow: pool.c:12: expected n == 2"])
        self.assertEqual(report.documents[0].children[0].children[0]
                         .diagnostics, [])

    def test_failed_suite_without_failed_case_counts_once(self):
        report = ktap.parse(log("KTAP version 1", "1..1", *SUITE_POOL_OK,
                                "    # pool: 3 pages leaked",
                                "not ok 1 pool"))
        self.assertEqual(report.counts(), (2, 1, 0))
        self.assertEqual(names(report, ktap.FAIL), ["pool"])

    def test_skip_and_todo_are_not_failures(self):
        report = ktap.parse(log("KTAP version 1", "1..3",
                                "ok 1 smp_only # SKIP needs 2 CPUs",
                                "not ok 2 known_bug # TODO fix the reaper",
                                "ok 3 plain"))
        self.assertEqual(report.counts(), (1, 0, 2))
        cases = report.documents[0].children
        self.assertEqual(cases[0].name, "smp_only")
        self.assertEqual(cases[0].reason, "SKIP needs 2 CPUs")
        self.assertEqual(cases[1].reason, "TODO fix the reaper")

    def test_result_comment_is_the_reason(self):
        report = ktap.parse(log("KTAP version 1", "1..2", *SUITE_POOL_OK,
                                "# leak: pages.user 30 -> 41",
                                "# leak: processes 4 -> 5",
                                "not ok 1 pool # leaked 2 counters",
                                "not ok 2 segv # killed by signal 11"))
        self.assertEqual(report.counts(), (2, 2, 0))
        self.assertEqual(names(report, ktap.FAIL), ["pool", "segv"])
        pool, segv = report.documents[0].children
        self.assertEqual(pool.reason, "leaked 2 counters")
        self.assertEqual(pool.diagnostics, ["# leak: pages.user 30 -> 41",
                                            "# leak: processes 4 -> 5"])
        self.assertEqual(segv.reason, "killed by signal 11")

    def test_panic_fails_the_running_case(self):
        report = ktap.parse(log(*BANNER, "KTAP version 1", "1..3",
                                *SUITE_POOL_OK, "ok 1 pool",
                                "    KTAP version 1",
                                "    # Subtest: vmspace",
                                "    1..3",
                                "    ok 1 vmspace_alloc",
                                "    # vmspace_purge: purging 4 pages",
                                "",
                                "panic: uvm_purge: assertion failed",
                                "cpu0 registers at panic:",
                                "cr0 0000000080010011  cr2 0000000000000000",
                                "backtrace:",
                                "  #0 ffffffff80101234 uvm_purge+0x12",
                                "exeunt: halting (status 16)"))
        self.assertEqual(report.crash, "panic: uvm_purge: assertion failed")
        self.assertEqual(names(report, ktap.PASS),
                         ["pool: pool_get_put", "pool: pool_grow",
                          "vmspace: vmspace_alloc"])
        failed = {": ".join(p): c for p, c in report.tests()
                  if c.status == ktap.FAIL}
        self.assertEqual(sorted(failed), ["#3", "vmspace: vmspace#3",
                                          "vmspace: vmspace_purge"])
        running = failed["vmspace: vmspace_purge"]
        self.assertEqual(running.reason, "crashed")
        self.assertEqual(running.diagnostics,
                         ["# vmspace_purge: purging 4 pages"])
        self.assertEqual(running.excerpt[0],
                         "panic: uvm_purge: assertion failed")
        self.assertIn("  #0 ffffffff80101234 uvm_purge+0x12", running.excerpt)
        self.assertEqual(report.interrupted, [running])
        self.assertEqual(failed["#3"].reason, "not run (crashed)")

    def test_panic_is_charged_to_the_announced_case(self):
        report = ktap.parse(log("KTAP version 1", "1..1",
                                "    KTAP version 1",
                                "    # Subtest: vmspace",
                                "    1..2",
                                "    # vmspace_alloc: running",
                                "    # vmspace_alloc: 3 pages",
                                "    ok 1 vmspace_alloc",
                                "    # vmspace_lifecycle: running",
                                "panic: pmap_remove: page already free"))
        tests = {": ".join(p): c for p, c in report.tests()}
        self.assertEqual(tests["vmspace: vmspace_alloc"].diagnostics,
                         ["# vmspace_alloc: 3 pages"])
        crashed = tests["vmspace: vmspace_lifecycle"]
        self.assertEqual((crashed.status, crashed.reason, crashed.number),
                         (ktap.FAIL, "crashed", 2))
        self.assertEqual(crashed.diagnostics, [])
        self.assertEqual(report.interrupted, [crashed])

    def test_timeout_is_charged_to_the_announced_case(self):
        report = ktap.parse(log("KTAP version 1", "1..1",
                                "    KTAP version 1",
                                "    # Subtest: threads",
                                "    1..3",
                                "    # create_join: running",
                                "    ok 1 create_join",
                                "    # pipe_readers: running",
                                "    # pipe_readers: 3 readers blocked",
                                "not ok 1 threads # timeout after 60 s"))
        tests = {": ".join(p): c for p, c in report.tests()}
        hung = tests["threads: pipe_readers"]
        self.assertEqual((hung.status, hung.reason, hung.number),
                         (ktap.FAIL, "timeout after 60 s", 2))
        self.assertEqual(hung.diagnostics, ["# pipe_readers: 3 readers blocked"])
        self.assertEqual(tests["threads: threads#3"].reason, "missing results")
        self.assertEqual(report.counts(), (1, 2, 0))

    def test_panic_between_cases_fails_the_suite(self):
        report = ktap.parse(log("KTAP version 1", "1..1", *SUITE_POOL_OK,
                                "panic: pool_destroy: 1 object still out"))
        self.assertEqual(report.counts(), (2, 1, 0))
        self.assertEqual(names(report, ktap.FAIL), ["pool"])
        self.assertEqual(report.tests()[-1][1].reason, "crashed")

    def test_panic_outside_documents_is_reported_not_charged(self):
        report = ktap.parse(log("KTAP version 1", "1..1", *SUITE_POOL_OK,
                                "ok 1 pool", "panic: init died"))
        self.assertEqual(report.counts(), (2, 0, 0))
        self.assertEqual(report.crash, "panic: init died")
        self.assertEqual(report.crash_excerpt, ["panic: init died"])
        self.assertEqual(report.interrupted, [])

    def test_truncated_output_fails_missing_results(self):
        report = ktap.parse(log("KTAP version 1", "1..2",
                                "    KTAP version 1",
                                "    # Subtest: pool",
                                "    1..2",
                                "    ok 1 pool_get_put"),
                            incomplete_reason="timeout after 20 s")
        failed = [(": ".join(p), c.reason) for p, c in report.tests()
                  if c.status == ktap.FAIL]
        self.assertEqual(failed, [("pool: pool#2", "timeout after 20 s"),
                                  ("#2", "not run (timeout after 20 s)")])
        self.assertEqual(report.counts(), (1, 2, 0))
        self.assertEqual(report.interrupted[0].excerpt[-1],
                         "    ok 1 pool_get_put")

    def test_top_level_plan_short_of_results(self):
        report = ktap.parse(log("KTAP version 1", "1..4", "ok 1 a",
                                "not ok 2 b"))
        self.assertEqual(report.counts(), (1, 3, 0))
        self.assertEqual([c.reason for c in report.documents[0].children],
                         ["", "", "missing results",
                          "not run (missing results)"])

    def test_noise_lines_are_ignored(self):
        report = ktap.parse("\x1b[2J\x1b[HGRUB loading.\r\nWelcome to GRUB!\r\n"
                            + log(*BANNER, "    KTAP version 1",
                                  "ok 7 not in a document",
                                  "KTAP version 1",
                                  "bootopt: unknown option 'x' ignored",
                                  "1..1",
                                  "  ok 3 badly indented",
                                  "    KTAP version 1",
                                  "    # Subtest: pool",
                                  "    1..1",
                                  "cpu1: online",
                                  "    ok 1 pool_get_put\r",
                                  "ok 1 pool",
                                  "exeunt: halting (status 0)"))
        self.assertEqual(names(report), ["pool: pool_get_put"])
        self.assertEqual(report.counts(), (1, 0, 0))

    def test_two_top_level_documents(self):
        report = ktap.parse(log("KTAP version 1", "1..1", *SUITE_POOL_OK,
                                "ok 1 pool",
                                "init: starting user tests",
                                "KTAP version 1",
                                "1..2",
                                "ok 1 fork_exit",
                                "not ok 2 vfork_shared"))
        self.assertEqual(len(report.documents), 2)
        self.assertEqual(names(report), ["pool: pool_get_put", "pool: pool_grow",
                                         "fork_exit", "vfork_shared"])
        self.assertEqual(report.counts(), (3, 1, 0))

    def test_new_document_ends_an_unfinished_one(self):
        report = ktap.parse(log("KTAP version 1", "1..2", "ok 1 a",
                                "KTAP version 1", "1..1", "ok 1 b"))
        self.assertEqual(report.counts(), (2, 1, 0))
        self.assertEqual(report.tests()[1][1].reason, "missing results")

    def test_bail_out(self):
        report = ktap.parse(log("KTAP version 1", "1..2",
                                "    KTAP version 1",
                                "    # Subtest: smp",
                                "    1..3",
                                "    ok 1 smp_boot",
                                "    Bail out! APs did not start",
                                "ok 9 after the bail-out is not a result"))
        self.assertEqual(report.bailed, "APs did not start")
        self.assertEqual([(": ".join(p), c.reason) for p, c in report.tests()],
                         [("smp: smp_boot", ""),
                          ("smp: smp#2", "bail out: APs did not start"),
                          ("smp: smp#3", "not run (bail out: APs did not start)"),
                          ("#2", "not run (bail out: APs did not start)")])


if __name__ == "__main__":
    unittest.main()
