# tools/gdb/exeunt/vm.py: exeunt-vmspace (one address space: counts,
# state, pmap, and the map entries read from the red-black tree in address
# order) and exeunt-pools (every pool's counters).
import gdb

from . import kdata

INHERIT = ["MAP_INHERIT_NONE", "MAP_INHERIT_SHARE", "MAP_INHERIT_COPY"]
PROTS = ["PROT_READ", "PROT_WRITE", "PROT_EXEC"]


def prot_string(prot):
    """Return prot as "rwx", with '-' for each bit not set."""
    bits = kdata.header_consts("pmap.h", PROTS)
    return "".join(c if prot & bits[name] else "-"
                   for c, name in zip("rwx", PROTS))


def size_string(n):
    """Return a byte count as 4K, 2M, 1G, or bytes when not a whole KiB."""
    for unit, shift in (("G", 30), ("M", 20), ("K", 10)):
        if n and n % (1 << shift) == 0:
            return "%d%s" % (n >> shift, unit)
    return str(n)


def cpu_set(mask):
    """Return the CPUs of a bit mask as "cpu0,cpu2", or "none"."""
    cpus = ["cpu%d" % i for i in range(64) if mask >> i & 1]
    return ",".join(cpus) or "none"


def map_entries(vm_map):
    """Return the entries of the struct vm_map vm_map in address order,
    walking its red-black tree in order (e_child[0] holds the lower
    addresses); stop with a warning at a loop."""
    out = []
    seen = set()
    stack = []
    e = vm_map["m_root"]
    while stack or int(e) != 0:
        while int(e) != 0:
            if int(e) in seen or len(seen) >= kdata.WALK_LIMIT:
                kdata.warn("map tree loops at entry %#x" % int(e))
                return out
            seen.add(int(e))
            stack.append(e)
            e = e["e_child"][0]
        e = stack.pop()
        out.append(e)
        e = e["e_child"][1]
    return out


def resolve_vmspace(arg):
    """Return (struct vmspace *, owner description) for the argument of
    exeunt-vmspace: a pid (up to PID_MAX), an address, or a pointer
    expression."""
    val = gdb.parse_and_eval(arg)
    vmtype = gdb.lookup_type("struct vmspace").pointer()
    pid_max = kdata.header_consts("proc.h", ["PID_MAX"])["PID_MAX"]
    is_ptr = val.type.strip_typedefs().code == gdb.TYPE_CODE_PTR
    if not is_ptr and 0 <= int(val) <= pid_max:
        pr = kdata.process_by_pid(int(val))
        if pr is None:
            raise gdb.GdbError("exeunt-vmspace: no process with pid %d"
                               % int(val))
        vm = pr["ps_vmspace"]
        if int(vm) == 0:
            raise gdb.GdbError("exeunt-vmspace: pid %d (%s) runs on the "
                               "kernel's address space" %
                               (int(val), kdata.cstr(pr["ps_comm"])))
        return vm, "pid %d %s" % (int(val), kdata.cstr(pr["ps_comm"]))
    vm = val.cast(vmtype)
    owners = ["pid %d %s" % (int(pr["ps_pid"]), kdata.cstr(pr["ps_comm"]))
              for pr in kdata.processes() if int(pr["ps_vmspace"]) == int(vm)]
    return vm, ", ".join(owners) or "no process found"


class ExeuntVmspace(kdata.Command):
    """exeunt-vmspace PID|ADDR: dump one address space.
PID (0 to PID_MAX) names a process's vmspace; a larger number or a pointer
expression (initprocess->ps_vmspace) is the struct vmspace address. Prints
the state (LIVE, PURGED, DEAD), the magic, vm_users and vm_refcnt, the pmap
(PML4 physical address, resident pages, page-table pages, CPUs that have
it loaded) and every map entry in address order: start-end, size,
protection and maximum, inheritance, flags, amap and its first slot."""

    def __init__(self):
        super().__init__("exeunt-vmspace", gdb.COMMAND_DATA)

    def run(self, arg):
        if not arg:
            raise gdb.GdbError("usage: exeunt-vmspace PID|ADDR")
        vm, owner = resolve_vmspace(arg)
        magic = kdata.header_consts("uvm_vmspace.h",
                                    ["VMSPACE_MAGIC"])["VMSPACE_MAGIC"]
        states = kdata.enum_names("enum vmspace_state", "VMSPACE_")
        vmagic = int(vm["vm_magic"])
        print("vmspace %#x (%s)" % (int(vm), owner))
        state = int(vm["vm_state"])
        print("  state %s  magic %#x (%s)  vm_users %d  vm_refcnt %d" % (
            states.get(state, "?%d" % state), vmagic,
            "ok" if vmagic == magic else "BAD, want %#x" % magic,
            int(vm["vm_users"]), int(vm["vm_refcnt"])))
        if vmagic != magic:
            poison = kdata.header_consts(
                "pool.h", ["POOL_POISON_BYTE"])["POOL_POISON_BYTE"] * 0x01010101
            raise gdb.GdbError("exeunt-vmspace: %#x holds no vmspace (%s)" % (
                int(vm), "freed: pool poison" if vmagic == poison
                else "a bad address, or overwritten"))
        pm = vm["vm_pmap"]
        print("  pmap: pml4 pa %#x resident %d ptpages %d loaded on %s" % (
            int(pm["pm_pml4pa"]), int(pm["pm_resident"]),
            int(pm["pm_ptpages"]), cpu_set(int(pm["pm_cpus"]))))
        m = vm["vm_map"]
        entries = map_entries(m)
        print("  map: %d entries (m_nentries %d), %d bytes, range %#x-%#x" % (
            len(entries), int(m["m_nentries"]), int(m["m_size"]),
            int(m["m_min"]), int(m["m_max"])))
        if len(entries) != int(m["m_nentries"]):
            kdata.warn("the tree holds %d entries, m_nentries says %d" %
                       (len(entries), int(m["m_nentries"])))
        if not entries:
            return
        etflags = kdata.header_flags("uvm_map.h", "UVM_ET_")
        inherit = {v: n[len("MAP_INHERIT_"):].lower() for n, v in
                   kdata.header_consts("uvm_map.h", INHERIT).items()}
        print("    %-33s %6s %-4s %-4s %-5s %-22s %s" % (
            "START-END", "SIZE", "PROT", "MAX", "INH", "FLAGS", "AMAP"))
        prev_end = 0
        for e in entries:
            start, end = int(e["e_start"]), int(e["e_end"])
            if start >= end or start < prev_end:
                kdata.warn("entry %#x [%#x, %#x) is out of order" %
                           (int(e), start, end))
            prev_end = end
            amap = int(e["e_amap"])
            print("    %016x-%016x %6s %-4s %-4s %-5s %-22s %s" % (
                start, end, size_string(end - start),
                prot_string(int(e["e_prot"])),
                prot_string(int(e["e_maxprot"])),
                inherit.get(int(e["e_inherit"]), str(int(e["e_inherit"]))),
                kdata.flag_names(int(e["e_flags"]), etflags, "UVM_ET_"),
                "%#x+%d" % (amap, int(e["e_amapslot"])) if amap else "-"))


class ExeuntPools(kdata.Command):
    """exeunt-pools: one line per pool (pool_head, newest first): name,
object size, live objects, peak, slabs (of which empty), objects in the
per-CPU caches, gets and puts (summed over the CPUs) and failed gets."""

    def __init__(self):
        super().__init__("exeunt-pools", gdb.COMMAND_DATA)

    def run(self, arg):
        if arg:
            raise gdb.GdbError("usage: exeunt-pools")
        print("%-16s %5s %7s %7s %6s %5s %6s %10s %10s %5s" % (
            "POOL", "SIZE", "LIVE", "PEAK", "SLABS", "EMPTY", "CACHED",
            "GETS", "PUTS", "FAIL"))
        for pp in kdata.walk(kdata.var("pool_head"), "pr_next"):
            gets = puts = cached = 0
            for pc in kdata.array(pp["pr_cache"]):
                gets += int(pc["pc_ngets"])
                puts += int(pc["pc_nputs"])
                cached += int(pc["pc_nobjs"])
            print("%-16s %5d %7d %7d %6d %5d %6d %10d %10d %5d" % (
                kdata.cstr(pp["pr_name"]), int(pp["pr_size"]),
                int(pp["pr_nlive"]), int(pp["pr_peak"]),
                int(pp["pr_nslabs"]), int(pp["pr_nempty"]), cached,
                gets, puts, int(pp["pr_nfail"])))


ExeuntVmspace()
ExeuntPools()
