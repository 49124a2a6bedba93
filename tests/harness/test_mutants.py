"""Self-tests of tools/mutants.py without QEMU: the choice of mutants and
boots, the report line of a kill (config/test and the reason, with the
panic line of a crash), of a survivor and of a mutant that did not build,
the summary line; and that every mutant of the table has its knob in the
kernel sources and its row in docs/mutants.md. Run by tools/testrun.py's
harness stage."""

import os
import re
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import ktap  # noqa: E402
import mutants  # noqa: E402
import testrun  # noqa: E402

DESIGN_MUTANTS = ["purge-kthread", "purge-shared", "reader-noref",
                  "reader-resurrect", "free-before-unmap", "no-shootdown",
                  "early-pmap-destroy", "no-grace", "leak-ptp",
                  "no-single-thread"]


def result(name, status=ktap.FAIL, reason="", excerpt=None):
    return testrun.TestResult(name, status, reason, excerpt)


class TestSelection(unittest.TestCase):

    def test_all_by_default_in_table_order(self):
        self.assertEqual(mutants.select_mutants(""), DESIGN_MUTANTS)

    def test_subset_keeps_table_order(self):
        self.assertEqual(mutants.select_mutants("no-grace, leak-ptp,"),
                         ["no-grace", "leak-ptp"])
        self.assertEqual(mutants.select_mutants("leak-ptp,purge-kthread"),
                         ["purge-kthread", "leak-ptp"])

    def test_unknown_mutant_is_refused(self):
        with self.assertRaises(ValueError) as cm:
            mutants.select_mutants("no-grace,no-such")
        self.assertIn("no-such", str(cm.exception))

    def test_boot_order_prefers_then_keeps_the_whole_matrix(self):
        configs = [testrun.BootConfig(n, 1, "64M", "", 10)
                   for n in ("smp1", "smp4", "lowmem", "reaper", "new")]
        order = [c.name for c in mutants.boot_order("no-single-thread",
                                                    configs)]
        self.assertEqual(order, ["smp4", "lowmem", "smp1", "reaper", "new"])
        # a name the table does not know gets the matrix as it is
        self.assertEqual([c.name for c in mutants.boot_order("x", configs)],
                         ["smp1", "smp4", "lowmem", "reaper", "new"])

    def test_every_mutant_boots_every_config(self):
        for name in DESIGN_MUTANTS:
            self.assertEqual(sorted(c.name for c in mutants.boot_order(name)),
                             sorted(c.name for c in testrun.MATRIX), name)


class TestReport(unittest.TestCase):

    def test_first_failure_skips_passes_and_skips(self):
        rs = [result("smp1: pmap: a", ktap.PASS),
              result("smp1: pmap: b", ktap.SKIP, "needs 2 CPUs"),
              result("smp1: vmspace: c", ktap.FAIL, "failed"),
              result("smp1: tracecheck", ktap.FAIL, "zero: ...")]
        self.assertEqual(mutants.first_failure(rs).name, "smp1: vmspace: c")
        self.assertIsNone(mutants.first_failure(rs[:2]))

    def test_crash_names_case_and_panic_line(self):
        r = result("smp4: vmspace: test_vmspace_pin_zero", reason="crashed",
                   excerpt=["cpu1 registers at panic:",
                            "panic: uvmspace_pin: vmspace 0xffff8 has bad "
                            "magic 0xdeadbeef",
                            "backtrace:"])
        line = mutants.format_outcome(mutants.Outcome("no-grace", "smp4", r))
        self.assertEqual(line, "mutant no-grace: killed by "
                         "smp4/vmspace: test_vmspace_pin_zero (crashed: "
                         "panic: uvmspace_pin: vmspace 0xffff8 has bad "
                         "magic 0xdeadbeef)")

    def test_failed_case_gives_its_first_diagnostic(self):
        r = result("reaper: vmspace: test_vmspace_pin_zero", reason="failed",
                   excerpt=["# test_vmspace_pin_zero: expected refcnt == 0",
                            "# more"])
        line = mutants.format_outcome(
            mutants.Outcome("reader-resurrect", "reaper", r))
        self.assertTrue(line.endswith("(failed: # test_vmspace_pin_zero: "
                                      "expected refcnt == 0)"), line)

    def test_tracecheck_and_census_are_kills_too(self):
        r = result("smp1: tracecheck", reason="reader: vm 1000: reader_begin "
                   "by 7 without a pin", excerpt=["  12 0 0 7 reader_begin"])
        self.assertEqual(
            mutants.format_outcome(mutants.Outcome("reader-noref", "smp1", r)),
            "mutant reader-noref: killed by smp1/tracecheck (reader: vm 1000: "
            "reader_begin by 7 without a pin: 12 0 0 7 reader_begin)")
        r = result("smp1: census", reason="failed")
        self.assertIn("killed by smp1/census (failed)",
                      mutants.format_outcome(
                          mutants.Outcome("leak-ptp", "smp1", r)))

    def test_user_program_directive_is_dropped(self):
        r = result("reaper: teardown # exit status 1: pages_back_at_wait",
                   reason="failed")
        self.assertEqual(mutants.test_name("reaper", r),
                         "reaper/teardown: pages_back_at_wait")
        r = result("smp1: descrip: descrip#2", reason="crashed")
        self.assertEqual(mutants.test_name("smp1", r),
                         "smp1/descrip: descrip#2")

    def test_timeout_is_named(self):
        r = result("smp4: boot", reason="timeout after 900 s")
        self.assertEqual(
            mutants.format_outcome(mutants.Outcome("x", "smp4", r)),
            "mutant x: killed by smp4/boot (timeout after 900 s)")

    def test_long_reason_is_cut(self):
        r = result("smp1: a", reason="failed", excerpt=["x" * 500])
        reason = mutants.kill_reason(r)
        self.assertEqual(len(reason), mutants.REASON_MAX)
        self.assertTrue(reason.endswith("..."))

    def test_survivor_and_unbuilt(self):
        self.assertEqual(mutants.format_outcome(mutants.Outcome("leak-ptp")),
                         "mutant leak-ptp: SURVIVED")
        self.assertEqual(
            mutants.format_outcome(mutants.Outcome(
                "leak-ptp", build_error="make failed; see b.log")),
            "mutant leak-ptp: NOT BUILT (make failed; see b.log)")

    def test_summary_counts_only_kills(self):
        killed = mutants.Outcome("a", "smp1", result("smp1: x"))
        self.assertEqual(mutants.summary_line(
            [killed, mutants.Outcome("b"),
             mutants.Outcome("c", build_error="no")]),
            "1 of 3 mutants killed")


class TestTree(unittest.TestCase):
    """The table, the kernel's knobs and docs/mutants.md agree."""

    def kernel_sources(self):
        text = {}
        for d, _, files in os.walk(os.path.join(ROOT, "kernel")):
            for f in files:
                if f.endswith((".c", ".h", ".S")):
                    path = os.path.join(d, f)
                    with open(path, encoding="utf-8") as fh:
                        text[os.path.relpath(path, ROOT)] = fh.read()
        return text

    def test_table_is_design_section_5(self):
        self.assertEqual([n for n, _ in mutants.MUTANTS], DESIGN_MUTANTS)

    def test_every_mutant_has_a_knob_and_its_comment(self):
        sources = self.kernel_sources()
        for name in DESIGN_MUTANTS:
            macro = "MUTANT_" + name.replace("-", "_")
            knob = re.compile(r"^#\s*if(n?def)?\s+%s\b" % macro, re.M)
            files = [p for p, t in sources.items() if knob.search(t)]
            self.assertTrue(files, "no #ifdef %s in kernel/" % macro)
            for p in files:
                self.assertIn("MUTANT %s: " % name, sources[p],
                              "%s: knob without its comment" % p)

    def test_docs_have_a_row_per_mutant(self):
        with open(os.path.join(ROOT, "docs", "mutants.md"),
                  encoding="utf-8") as f:
            doc = f.read()
        for name in DESIGN_MUTANTS:
            self.assertRegex(doc, r"(?m)^\| %s \|" % re.escape(name))


if __name__ == "__main__":
    unittest.main()
