# tools/gdb/exeunt.py: gdb commands that read exeunt's kernel structures.
# Sourced by tools/gdb/gdbinit. The commands only read guest memory while
# gdb has every CPU stopped; they take no kernel locks, so a CPU stopped
# inside a critical section may show counters mid-update.
import gdb


def _use_names():
    """Return [(value, name)] for enum vm_page_use, without PG_USE_FREE
    (free pages are counted in uvmexp.free) and the PG_USE_NUSES bound."""
    uses = []
    for f in gdb.lookup_type("enum vm_page_use").fields():
        if f.name in ("PG_USE_FREE", "PG_USE_NUSES"):
            continue
        uses.append((f.enumval, f.name[len("PG_USE_"):].lower()))
    return uses


class ExeuntCounters(gdb.Command):
    """exeunt-counters: print the physical page counters (uvmexp):
managed and free pages, allocated pages by use, allocation totals."""

    def __init__(self):
        super().__init__("exeunt-counters", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        if arg:
            raise gdb.GdbError("usage: exeunt-counters")
        u = gdb.parse_and_eval("uvmexp")
        print("uvmexp: npages %d free %d" % (int(u["npages"]), int(u["free"])))
        for val, name in _use_names():
            print("  %-10s %d" % (name, int(u["byuse"][val])))
        print("  allocs %d frees %d failures %d" %
              (int(u["allocs"]), int(u["frees"]), int(u["failures"])))


ExeuntCounters()
