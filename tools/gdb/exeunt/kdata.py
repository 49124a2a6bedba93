# tools/gdb/exeunt/kdata.py: how the helpers read exeunt's memory.
#
# Owns the shared readers: kernel variables by name (global or static in
# one file), #define constants taken from the kernel headers the ELF was
# built from, NUL-terminated names, bounded walks of linked lists and
# arrays, the CPUs, and the set of every process and thread the kernel can
# reach. Field names and layouts come from the ELF's debug information;
# nothing here knows an offset. The only state is a cache of parsed
# headers, re-read when a header's mtime changes.
#
# Reads take no kernel lock: gdb has every CPU stopped, but a CPU stopped
# inside a critical section may leave a structure half-updated, so walks
# stop (with a warning) at a loop instead of spinning.
import os
import re

import gdb

# How many links a list walk follows before it calls the list broken.
WALK_LIMIT = 1 << 16


class Command(gdb.Command):
    """A helper command: subclasses define run(arg) instead of invoke. A
    read of memory that is not there (a bad address given, a pointer
    caught half-written) ends the command with an error naming it, not a
    Python traceback."""

    def __init__(self, name, command_class):
        super().__init__(name, command_class)
        self._command_name = name

    def invoke(self, arg, from_tty):
        try:
            self.run(arg)
        except gdb.MemoryError as e:
            raise gdb.GdbError("%s: %s" % (self._command_name, e))


def var(name):
    """Return the kernel variable name (global, or static in one file) as
    a gdb.Value; raise gdb.GdbError if the kernel has no such symbol."""
    sym = gdb.lookup_global_symbol(name)
    if sym is None:
        sym = gdb.lookup_static_symbol(name)
    if sym is None:
        raise gdb.GdbError("exeunt: the kernel has no symbol '%s' "
                           "(no ELF loaded, or an older kernel)" % name)
    return sym.value()


def source_root():
    """Return the top of the source tree the kernel was built from (where
    kernel/include is): from kmain's source file in the debug information,
    else the tree this helper lives in."""
    sym = gdb.lookup_global_symbol("kmain")
    if sym is not None and sym.symtab is not None:
        rel = sym.symtab.filename
        full = sym.symtab.fullname()
        if not os.path.isabs(rel) and full.endswith(os.sep + rel):
            return full[:-len(rel)]
    return os.path.abspath(os.path.join(os.path.dirname(__file__),
                                        "..", "..", ".."))


_DEFINE = re.compile(r"^#define[ \t]+([A-Za-z_]\w*)[ \t]+\(?"
                     r"(0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*\)?(?=\s|$)", re.M)
_header_cache = {}      # path -> (mtime, {name: value})


def header_defines(header):
    """Return {name: value} of the integer #defines of
    kernel/include/<header>. Macros are not in the debug information, so
    the header is the one source of their values."""
    path = os.path.join(source_root(), "kernel", "include", header)
    try:
        mtime = os.stat(path).st_mtime
        cached = _header_cache.get(path)
        if cached is None or cached[0] != mtime:
            with open(path, encoding="utf-8", errors="replace") as f:
                defs = {m.group(1): int(m.group(2), 0)
                        for m in _DEFINE.finditer(f.read())}
            cached = _header_cache[path] = (mtime, defs)
    except OSError as e:
        raise gdb.GdbError("exeunt: cannot read %s: %s" % (path, e.strerror))
    return cached[1]


def header_consts(header, names):
    """Return {name: value} for the #defines names of kernel/include/<header>;
    raise gdb.GdbError naming a missing one."""
    defs = header_defines(header)
    missing = [n for n in names if n not in defs]
    if missing:
        raise gdb.GdbError("exeunt: kernel/include/%s defines no %s" %
                           (header, ", ".join(missing)))
    return {n: defs[n] for n in names}


def header_flags(header, prefix, exclude=None):
    """Return {name: bit} for every #define of kernel/include/<header> whose
    name starts with prefix (and not with exclude): a flag set, so that a
    flag added to the header is named without a change here."""
    flags = {n: v for n, v in header_defines(header).items()
             if n.startswith(prefix) and
             (exclude is None or not n.startswith(exclude))}
    if not flags:
        raise gdb.GdbError("exeunt: kernel/include/%s defines no %s*" %
                           (header, prefix))
    return flags


def flag_names(value, bits, prefix):
    """Return the names (without prefix) of the bits of value set, joined
    by '|', with any unnamed rest in hex; '-' for none. bits is
    {name: bit}."""
    names = []
    rest = value
    for name, bit in sorted(bits.items(), key=lambda nb: nb[1]):
        if value & bit:
            names.append(name[len(prefix):])
            rest &= ~bit
    if rest:
        names.append("%#x" % rest)
    return "|".join(names) or "-"


def enum_names(type_name, prefix):
    """Return {value: name without prefix} for the enumerators of the C
    enum type_name ("enum vmspace_state")."""
    return {f.enumval: f.name[len(prefix):] if f.name.startswith(prefix)
            else f.name for f in gdb.lookup_type(type_name).fields()}


def cstr(val):
    """Return the NUL-terminated string of a char array or char pointer,
    "?" if it cannot be read, "" for a NULL pointer."""
    try:
        if (val.type.strip_typedefs().code == gdb.TYPE_CODE_PTR and
                int(val) == 0):
            return ""
        return val.string(errors="replace").split("\0", 1)[0]
    except gdb.error:
        return "?"


def warn(msg):
    """Print a warning about a structure that does not look right."""
    gdb.write("exeunt: warning: %s\n" % msg, gdb.STDERR)


def walk(head, link):
    """Yield each pointer of the NULL-terminated list starting at head and
    linked through the field link; stop with a warning at a loop."""
    seen = set()
    p = head
    while int(p) != 0:
        addr = int(p)
        if addr in seen or len(seen) >= WALK_LIMIT:
            warn("list through %s loops at %#x" % (link, addr))
            return
        seen.add(addr)
        yield p
        p = p[link]


def array(val):
    """Yield the elements of the C array val."""
    lo, hi = val.type.strip_typedefs().range()
    for i in range(lo, hi + 1):
        yield val[i]


def container_of(ptr, type_name, field):
    """Return the struct type_name * that holds the object ptr points at as
    its member field (the offset comes from the debug information)."""
    t = gdb.lookup_type(type_name)
    for f in t.fields():
        if f.name == field:
            addr = int(ptr) - f.bitpos // 8
            return gdb.Value(addr).cast(t.pointer())
    raise gdb.GdbError("exeunt: %s has no field %s" % (type_name, field))


def symbol_at(addr):
    """Return the name of the function containing addr, or addr in hex."""
    try:
        block = gdb.block_for_pc(addr)
    except RuntimeError:
        block = None
    while block is not None and block.function is None:
        block = block.superblock
    return block.function.name if block is not None else "%#x" % addr


# ---- CPUs, threads and processes ----

def cpus():
    """Yield the struct cpu_info * of every CPU that was set up (its
    ci_self points at itself), in cpu_info[] order."""
    for ci in array(var("cpu_info")):
        if int(ci["ci_self"]) == int(ci.address):
            yield ci.address


def stat_names():
    """Return {p_stat value: short name} from the S* values of proc.h."""
    names = ["SIDL", "SRUN", "SSLEEP", "SDEAD", "SONPROC"]
    return {v: n[1:].lower()
            for n, v in header_consts("proc.h", names).items()}


def threads_of(pr):
    """Yield the struct proc * of process pr's threads (ps_threads)."""
    return walk(pr["ps_threads"], "p_thrnext")


def scheduled_threads():
    """Yield every thread the scheduler knows of: the running and idle
    thread of each CPU, its run queue, every sleep queue, the dead list.
    A process not yet (or no longer) in the pid hash is found here.
    A thread may be yielded more than once."""
    for ci in cpus():
        yield ci["ci_curproc"]
        yield ci["ci_idleproc"]
        if int(ci["ci_runq"]) != 0:
            yield from walk(ci["ci_runq"]["rq_head"], "p_runq_next")
    for sq in array(var("sleepq")):
        yield from walk(sq["sq_head"], "p_slpnext")
    yield from walk(var("deadproc"), "p_deadnext")


def processes():
    """Return the struct process * of every process the kernel can reach,
    sorted by pid: process0 (the idle threads), the pid hash, the process
    tree below init (a child between fork and hashing) and the processes
    of scheduled_threads (one already unhashed, on its way out)."""
    found = {}

    def add(pr):
        if int(pr) != 0:
            found.setdefault(int(pr), pr)

    add(var("process0").address)
    for chain in array(var("pidhash")):
        for pr in walk(chain, "ps_hashnext"):
            add(pr)
    todo = [var("initprocess")]
    visited = set()
    while todo:
        pr = todo.pop()
        if int(pr) == 0 or int(pr) in visited:
            continue
        visited.add(int(pr))
        add(pr)
        todo.extend(walk(pr["ps_children"], "ps_sibling"))
    for p in scheduled_threads():
        if int(p) != 0:
            add(p["p_p"])
    return sorted(found.values(), key=lambda pr: (int(pr["ps_pid"]), int(pr)))


def process_by_pid(pid):
    """Return the struct process * with pid, or None."""
    for pr in processes():
        if int(pr["ps_pid"]) == pid:
            return pr
    return None


def thread_brief(p):
    """Describe thread p in a few words: "tid 7 init (pid 1)"."""
    if int(p) == 0:
        return "-"
    return "tid %d %s (pid %d)" % (int(p["p_tid"]), cstr(p["p_name"]),
                                   int(p["p_p"]["ps_pid"]))
