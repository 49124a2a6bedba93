"""Self-tests of tools/tracecheck.py on synthetic traces: a clean life of
every kind passes, and each rule, seeded with one violation, is reported
under its own name (so a checker that stopped enforcing a rule fails
here). Run by tools/testrun.py's harness stage."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "tools"))
import ktap  # noqa: E402
import tracecheck  # noqa: E402

VM = 0xffff800001234000
VM2 = 0xffff800001235000
REAPER = 2
SMR = 3


class Builder:
    """Builds a trace dump: each add() is the next event in sequence."""

    def __init__(self, purge="exit"):
        self.purge = purge
        self.lines = []
        self.seq = 0

    def add(self, pid, kind, vm=VM, arg=0, cpu=0):
        self.seq += 1
        self.lines.append("trace: %d %d %d %d %s %x %d" % (
            self.seq, self.seq * 1000, cpu, pid, kind, vm, arg))
        return self

    def skip(self, n=1):
        """Lose n events (a ring wrapped)."""
        self.seq += n
        return self

    def life(self, pid=10, parent=1, vm=VM, entries=5):
        """A process's whole life under this purge mode: allocated by its
        parent at fork, exit1, the last user dropped, purged (in exit1 or
        by the reaper), reaped, its pin dropped, destroyed, freed."""
        self.add(parent, "alloc", vm)
        self.add(pid, "exit1", vm)
        self.add(pid, "user_drop", vm, 0)
        purger = pid if self.purge == "exit" else REAPER
        if self.purge == "exit":
            self.purge_pair(pid, vm, entries)
        self.add(REAPER, "reap", vm, pid)
        if self.purge == "reaper":
            self.purge_pair(purger, vm, entries)
        self.add(REAPER, "unpin", vm, 0)
        self.purge_pair(REAPER, vm, 0)          # the integrity check
        self.add(REAPER, "pmap_destroy", vm)
        self.add(SMR, "free", vm)
        return self

    def purge_pair(self, pid, vm, entries):
        self.add(pid, "purge_begin", vm, 0)
        self.add(pid, "purge_end", vm, entries)
        return self

    def text(self, end=True):
        out = ["noise before", "# trace-begin purge=%s cpus=1 ring=131072 "
               "events=%d lost=0" % (self.purge, self.seq)]
        out += self.lines
        if end:
            out.append("# trace-end")
        out.append("noise after")
        return "\n".join(out) + "\n"


def rules(builder, expects=()):
    """Return the names of the rules the trace breaks."""
    trace = tracecheck.parse(builder.text())
    violations, _ = tracecheck.check(trace, expects)
    return sorted(set(v.rule for v in violations))


def reader_frees(builder, pid=7, target=11, vm=VM):
    """The life of a process target whose space reader pid holds pinned
    across target's exit and reap: pid's unpin is the last."""
    builder.add(1, "alloc", vm)
    builder.add(pid, "pin", vm, 2).add(pid, "reader_begin", vm, target)
    builder.add(target, "exit1", vm).add(target, "user_drop", vm, 0)
    builder.purge_pair(target, vm, 4)
    builder.add(REAPER, "reap", vm, target).add(REAPER, "unpin", vm, 1)
    builder.add(pid, "reader_end", vm, target).add(pid, "unpin", vm, 0)
    builder.purge_pair(pid, vm, 0).add(pid, "pmap_destroy", vm)
    builder.add(SMR, "free", vm)
    return builder


EXPECT = "    # test_reader_last_pin: trace-expect reader-last-pin " \
    "vm=%x reader=7 target=11\n" % VM


class TraceCheckTest(unittest.TestCase):

    def test_clean_exit_life_passes(self):
        self.assertEqual(rules(Builder().life()), [])

    def test_clean_reaper_life_passes(self):
        self.assertEqual(rules(Builder("reaper").life()), [])

    def test_clean_vfork_and_reader_pass(self):
        b = Builder()
        b.add(1, "alloc")
        b.add(1, "user_add", arg=2).add(1, "pin", arg=2)     # vfork
        b.add(11, "exit1").add(11, "user_drop", arg=1)       # the child
        b.add(REAPER, "reap", arg=11).add(REAPER, "unpin", arg=1)
        b.add(7, "pin", arg=2).add(7, "reader_begin", arg=1)
        b.add(7, "reader_end", arg=1).add(7, "unpin", arg=1)
        b.add(1, "exit1").add(1, "user_drop", arg=0)
        b.purge_pair(1, VM, 3)
        b.add(REAPER, "reap", arg=1).add(REAPER, "unpin", arg=0)
        b.purge_pair(REAPER, VM, 0)
        b.add(REAPER, "pmap_destroy").add(SMR, "free")
        self.assertEqual(rules(b), [])

    def test_kernel_thread_exit_passes(self):
        b = Builder().add(30, "exit1", 0, 1).add(REAPER, "reap", 0, 30)
        self.assertEqual(rules(b), [])

    def test_order_free_before_pmap_destroy(self):
        b = Builder().add(1, "alloc").add(10, "exit1")
        b.add(10, "user_drop", arg=0).purge_pair(10, VM, 2)
        b.add(REAPER, "unpin", arg=0).add(SMR, "free")
        self.assertIn("order", rules(b))

    def test_order_pmap_destroy_before_purge(self):
        b = Builder().add(1, "alloc").add(10, "user_drop", arg=0)
        b.add(REAPER, "unpin", arg=0).add(REAPER, "pmap_destroy")
        b.purge_pair(10, VM, 2)
        self.assertIn("order", rules(b))

    def test_after_free_pin(self):
        b = Builder().life().add(7, "pin", arg=1)
        self.assertIn("after-free", rules(b))

    def test_after_free_reader(self):
        b = Builder().life().add(7, "reader_begin", arg=10)
        self.assertIn("after-free", rules(b))

    def test_after_pmap_destroy_purge(self):
        b = Builder().add(1, "alloc").add(10, "user_drop", arg=0)
        b.purge_pair(10, VM, 1).add(REAPER, "unpin", arg=0)
        b.add(REAPER, "pmap_destroy").purge_pair(REAPER, VM, 0)
        b.add(SMR, "free")
        self.assertIn("after-free", rules(b))

    def test_address_reused_before_free(self):
        b = Builder().add(1, "alloc").add(1, "alloc")
        self.assertIn("after-free", rules(b))

    def test_zero_pin_resurrects(self):
        b = Builder().add(1, "alloc").add(10, "user_drop", arg=0)
        b.purge_pair(10, VM, 1).add(REAPER, "unpin", arg=0)
        b.add(7, "pin", arg=1).add(7, "unpin", arg=0)
        self.assertIn("zero", rules(b))

    def test_zero_pin_after_last_unpin(self):
        b = Builder().add(1, "alloc").add(7, "pin", arg=2)
        b.add(1, "user_drop", arg=0).purge_pair(1, VM, 1)
        b.add(7, "unpin", arg=1).add(REAPER, "unpin", arg=0)
        b.add(8, "pin", arg=2)          # plausible count, but after zero
        self.assertIn("zero", rules(b))

    def test_zero_user_add_after_last_user(self):
        b = Builder().add(1, "alloc").add(1, "user_drop", arg=0)
        b.add(1, "user_add", arg=1)
        self.assertIn("zero", rules(b))

    def test_last_user_purge_with_users(self):
        b = Builder().add(1, "alloc").add(1, "user_add", arg=2)
        b.add(11, "exit1").add(11, "user_drop", arg=1)
        b.add(11, "purge_begin", arg=1).add(11, "purge_end", arg=4)
        self.assertIn("last-user", rules(b))

    def test_last_user_exit_mode_purged_by_other(self):
        b = Builder("exit").add(1, "alloc").add(10, "exit1")
        b.add(10, "user_drop", arg=0).add(REAPER, "reap", arg=10)
        b.purge_pair(REAPER, VM, 3)
        self.assertIn("last-user", rules(b))

    def test_last_user_reaper_mode_purged_in_exit1(self):
        b = Builder("reaper").add(1, "alloc").add(10, "exit1")
        b.add(10, "user_drop", arg=0).purge_pair(10, VM, 3)
        self.assertIn("last-user", rules(b))

    def test_purge_pair_unmatched_end(self):
        b = Builder().add(1, "alloc").add(1, "user_drop", arg=0)
        b.add(1, "purge_end", arg=0)
        self.assertIn("purge-pair", rules(b))

    def test_purge_pair_nested(self):
        b = Builder().add(1, "alloc").add(1, "user_drop", arg=0)
        b.add(1, "purge_begin").add(1, "purge_begin")
        self.assertIn("purge-pair", rules(b))

    def test_purge_pair_second_purge_not_empty(self):
        b = Builder().add(1, "alloc").add(1, "user_drop", arg=0)
        b.purge_pair(1, VM, 3).purge_pair(REAPER, VM, 2)
        self.assertIn("purge-pair", rules(b))

    def test_reader_without_pin(self):
        b = Builder().add(1, "alloc").add(7, "reader_begin", arg=1)
        b.add(7, "reader_end", arg=1)
        self.assertIn("reader", rules(b))

    def test_reader_end_without_begin(self):
        b = Builder().add(1, "alloc").add(7, "pin", arg=2)
        b.add(7, "reader_end", arg=1)
        self.assertIn("reader", rules(b))

    def test_kernel_space_purged(self):
        b = Builder().add(30, "exit1", 0, 1).add(30, "purge_begin", 0, 0)
        b.add(30, "purge_end", 0, 0)
        self.assertIn("kernel", rules(b))

    def test_kernel_thread_exit_names_user_space(self):
        b = Builder().add(1, "alloc").add(30, "exit1", VM, 1)
        self.assertIn("kernel", rules(b))

    def test_freed_leak(self):
        b = Builder().life(vm=VM).add(1, "alloc", VM2)
        self.assertEqual(rules(b), ["freed"])

    def test_lost_events_make_lives_unchecked(self):
        # VM's life began before the lost event (seq 2): its leak is not
        # checked; VM2's began after it and is, whole
        b = Builder().add(1, "alloc").skip().life(vm=VM2)
        trace = tracecheck.parse(b.text())
        violations, checker = tracecheck.check(trace)
        self.assertEqual(violations, [])
        self.assertEqual(checker.incomplete, 1)
        b.add(1, "alloc", VM2)          # a second life of VM2, leaked
        self.assertEqual(rules(b), ["freed"])

    def test_parse_and_statuses(self):
        status, lines = tracecheck.check_text("no trace here\n")
        self.assertEqual(status, 2)
        status, lines = tracecheck.check_text(Builder().life().text(end=False))
        self.assertEqual(status, 2)
        status, lines = tracecheck.check_text(Builder().life().text())
        self.assertEqual(status, 0, lines)
        b = Builder().life().add(7, "pin", arg=1)
        status, lines = tracecheck.check_text(b.text())
        self.assertEqual(status, 1)
        self.assertTrue(any("pin" in line for line in lines[1:]))

    def test_reader_free_is_counted(self):
        trace = tracecheck.parse(reader_frees(Builder()).life(vm=VM2).text())
        violations, checker = tracecheck.check(trace)
        self.assertEqual(violations, [])
        self.assertEqual([(life.vm, life.reader_free.pid)
                          for life in checker.reader_frees()], [(VM, 7)])
        status, lines = tracecheck.check_text(
            reader_frees(Builder()).text(), list_reader_frees=True)
        self.assertEqual(status, 0, lines)
        self.assertIn("1 freed by a reader", lines[0])
        self.assertIn("vm %x: pid 7's read of pid 11 dropped the last pin" %
                      VM, lines[1])

    def test_reader_unpin_not_last_is_not_a_reader_free(self):
        b = Builder().add(1, "alloc").add(7, "pin", arg=2)
        b.add(7, "reader_begin", arg=10).add(7, "reader_end", arg=10)
        b.add(7, "unpin", arg=1).add(7, "unpin", arg=0)  # 2nd: not a read's
        trace = tracecheck.parse(b.text())
        _, checker = tracecheck.check(trace)
        self.assertEqual(checker.reader_frees(), [])

    def test_last_pin_expectation_met(self):
        status, lines = tracecheck.check_text(
            EXPECT + reader_frees(Builder()).text())
        self.assertEqual(status, 0, lines)

    def test_last_pin_freed_by_the_reaper(self):
        b = Builder().add(1, "alloc").add(7, "pin", arg=2)
        b.add(7, "reader_begin", arg=11).add(7, "reader_end", arg=11)
        b.add(7, "unpin", arg=1).add(11, "exit1").add(11, "user_drop", arg=0)
        b.purge_pair(11, VM, 3).add(REAPER, "reap", arg=11)
        b.add(REAPER, "unpin", arg=0).purge_pair(REAPER, VM, 0)
        b.add(REAPER, "pmap_destroy").add(SMR, "free")
        self.assertEqual(rules(b), [])
        self.assertEqual(rules(b, tracecheck.expectations(EXPECT)),
                         ["last-pin"])

    def test_last_pin_read_missing(self):
        self.assertEqual(rules(Builder().life(pid=11),
                               tracecheck.expectations(EXPECT)),
                         ["last-pin"])

    def test_last_pin_lost_events(self):
        self.assertEqual(tracecheck.expectations(EXPECT), [(VM, 7, 11)])
        b = Builder().add(1, "alloc").add(7, "pin", arg=2).skip()
        b.add(7, "reader_begin", arg=11).add(7, "reader_end", arg=11)
        b.add(7, "unpin", arg=0)
        trace = tracecheck.parse(b.text())
        violations, _ = tracecheck.check(trace,
                                         tracecheck.expectations(EXPECT))
        self.assertEqual([v.rule for v in violations], ["last-pin"])
        self.assertIn("lost events", violations[0].message)

    def test_last_pin_without_destroy(self):
        b = Builder().add(1, "alloc").add(7, "pin", arg=2)
        b.add(7, "reader_begin", arg=11).add(11, "user_drop", arg=0)
        b.purge_pair(11, VM, 1).add(REAPER, "unpin", arg=1)
        b.add(7, "reader_end", arg=11).add(7, "unpin", arg=0)
        self.assertIn("last-pin", rules(b, tracecheck.expectations(EXPECT)))

    def test_snapshot_parses(self):
        lines = Builder().life().text().split("\n")
        events = [l[len("trace: "):] for l in lines if l.startswith("trace: ")]
        text = "\n".join(["$ trace", "# purge=exit events=%d lost=0 from=1" %
                          len(events)] + events + ["$ "]) + "\n"
        trace = tracecheck.parse(text)
        self.assertTrue(trace.complete and trace.snapshot)
        self.assertEqual(len(trace.events), len(events))
        self.assertEqual(tracecheck.check_text(text)[0], 0)
        # a dump's event lines need their prefix
        self.assertEqual(len(tracecheck.parse(
            "# trace-begin purge=exit\n" + "\n".join(events) +
            "\n# trace-end\n").events), 0)

    def test_many_violations_are_counted_not_all_shown(self):
        b = Builder().add(1, "alloc")
        for _ in range(tracecheck.MAX_VIOLATIONS + 5):
            b.add(7, "reader_begin", arg=1).add(7, "reader_end", arg=1)
        status, lines = tracecheck.check_text(b.text())
        self.assertEqual(status, 1)
        self.assertIn("%d violation(s) (freed 1, reader %d)" % (
            tracecheck.MAX_VIOLATIONS + 6, tracecheck.MAX_VIOLATIONS + 5),
            lines[0])
        self.assertEqual(sum(1 for l in lines if l.startswith("reader:")),
                         tracecheck.MAX_VIOLATIONS)
        self.assertEqual(lines[-1], "... 6 more violation(s) not shown")

    def test_dump_is_ktap_noise(self):
        text = ("KTAP version 1\n1..1\nok 1 census\n" +
                Builder().life().text())
        report = ktap.parse(text)
        self.assertEqual(report.counts(), (1, 0, 0))


if __name__ == "__main__":
    unittest.main()
