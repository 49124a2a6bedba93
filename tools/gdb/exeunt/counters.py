# tools/gdb/exeunt/counters.py: exeunt-counters, the physical page
# counters (uvmexp, kernel/include/uvm_page.h).
import gdb

from . import kdata


def use_names():
    """Return [(value, name)] for enum vm_page_use, without PG_USE_FREE
    (free pages are counted in uvmexp.free) and the PG_USE_NUSES bound."""
    names = kdata.enum_names("enum vm_page_use", "PG_USE_")
    return [(v, n.lower()) for v, n in sorted(names.items())
            if n not in ("FREE", "NUSES")]


class ExeuntCounters(kdata.Command):
    """exeunt-counters: print the physical page counters (uvmexp):
managed and free pages, allocated pages by use, allocation totals."""

    def __init__(self):
        super().__init__("exeunt-counters", gdb.COMMAND_DATA)

    def run(self, arg):
        if arg:
            raise gdb.GdbError("usage: exeunt-counters")
        u = kdata.var("uvmexp")
        print("uvmexp: npages %d free %d" % (int(u["npages"]), int(u["free"])))
        for val, name in use_names():
            print("  %-10s %d" % (name, int(u["byuse"][val])))
        print("  allocs %d frees %d failures %d" %
              (int(u["allocs"]), int(u["frees"]), int(u["failures"])))


ExeuntCounters()
