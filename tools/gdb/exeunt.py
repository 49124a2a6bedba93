# tools/gdb/exeunt.py: loads exeunt's Python gdb helpers, the package
# tools/gdb/exeunt/ (one module per subject, each registering its
# commands). Sourced by tools/gdb/gdbinit; sourcing it again reloads every
# module, so an edited helper takes effect without restarting gdb.
# The commands only read guest memory while gdb has every CPU stopped;
# they take no kernel locks. See docs/gdb.md.
import importlib
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
if _here not in sys.path:
    sys.path.insert(0, _here)

for _name in ("kdata", "counters", "procs", "vm", "cpus", "trace"):
    _full = "exeunt." + _name
    if _full in sys.modules:
        importlib.reload(sys.modules[_full])
    else:
        importlib.import_module(_full)
