# tools/gdb/exeunt/cpus.py: exeunt-cpus (each CPU: online, current thread,
# idle or not, run queue, loaded pmap) and exeunt-bt-all (a backtrace of
# every CPU).
#
# QEMU's GDB stub shows each vCPU as a gdb thread. Which CPU a gdb thread
# is comes from the CPU itself: its GS base points at its struct cpu_info
# in the kernel (KERNEL_GS_BASE holds it while user code runs, after
# swapgs). Both commands switch gdb threads and select the one they started
# from again at the end (its innermost frame).
import gdb

from . import kdata


def cpu_of_gdb_thread():
    """Return the struct cpu_info * the selected gdb thread runs as, or
    None when neither GS base points at an entry of cpu_info[]."""
    table = kdata.var("cpu_info")
    lo = int(table.address)
    size = table.type.strip_typedefs().target().sizeof
    hi = lo + table.type.strip_typedefs().sizeof
    for reg in ("$gs_base", "$k_gs_base"):
        try:
            base = int(gdb.parse_and_eval(reg)) & (2**64 - 1)
        except gdb.error:
            continue
        if lo <= base < hi and (base - lo) % size == 0:
            return table[(base - lo) // size].address
    return None


def gdb_threads_by_cpu():
    """Return {cpu id: gdb thread} for the gdb threads whose CPU is known,
    and the list of the others; the selected thread is kept."""
    orig = gdb.selected_thread()
    known, unknown = {}, []
    try:
        for t in sorted(gdb.selected_inferior().threads(), key=lambda t: t.num):
            t.switch()
            ci = cpu_of_gdb_thread()
            if ci is None:
                unknown.append(t)
            else:
                known[int(ci["ci_cpuid"])] = t
    finally:
        if orig is not None and orig.is_valid():
            orig.switch()
    return known, unknown


def pmap_owner(pm):
    """Describe the pmap pm: "kernel", or the vmspace holding it."""
    if int(pm) == 0:
        return "-"
    if int(pm) == int(kdata.var("kernel_pmap_store").address):
        return "kernel"
    return "vmspace %#x" % int(kdata.container_of(pm, "struct vmspace",
                                                  "vm_pmap"))


class ExeuntCpus(kdata.Command):
    """exeunt-cpus: one line per CPU that was set up: its id, APIC id,
online flag, the gdb thread that shows it, the running thread (idle or
not), the run-queue length (rq_count, and the queue walked), the pmap
loaded, clock ticks and the reschedule request. ncpus is printed first."""

    def __init__(self):
        super().__init__("exeunt-cpus", gdb.COMMAND_DATA)

    def run(self, arg):
        if arg:
            raise gdb.GdbError("usage: exeunt-cpus")
        threads, _ = gdb_threads_by_cpu()
        print("ncpus %d" % int(kdata.var("ncpus")))
        print("%-4s %4s %-6s %-6s %-30s %-4s %-7s %-26s %8s %s" % (
            "CPU", "APIC", "ONLINE", "GDB", "CURPROC", "IDLE", "RUNQ",
            "PMAP", "TICKS", "RESCHED"))
        for ci in kdata.cpus():
            cpuid = int(ci["ci_cpuid"])
            cur = ci["ci_curproc"]
            rq = ci["ci_runq"]
            if int(rq) != 0:
                walked = len(list(kdata.walk(rq["rq_head"], "p_runq_next")))
                count = int(rq["rq_count"])
                runq = str(count) if count == walked else "%d/%d" % (count,
                                                                     walked)
            else:
                runq = "-"
            t = threads.get(cpuid)
            print("%-4d %4d %-6s %-6s %-30s %-4s %-7s %-26s %8d %s" % (
                cpuid, int(ci["ci_apicid"]),
                "yes" if ci["ci_online"] else "no",
                "#%d" % t.num if t is not None else "?",
                kdata.thread_brief(cur),
                "yes" if int(cur) == int(ci["ci_idleproc"]) else "no",
                runq, pmap_owner(ci["ci_curpmap"]), int(ci["ci_ticks"]),
                "yes" if ci["ci_want_resched"] else "no"))


class ExeuntBtAll(kdata.Command):
    """exeunt-bt-all [BT-ARGS]: a backtrace of every CPU.
For each gdb thread (one per vCPU): a header naming the CPU and its
running thread, then `bt BT-ARGS` (e.g. exeunt-bt-all 10, exeunt-bt-all
full). The thread selected before is selected again afterwards."""

    def __init__(self):
        super().__init__("exeunt-bt-all", gdb.COMMAND_STACK)

    def run(self, arg):
        orig = gdb.selected_thread()
        try:
            for t in sorted(gdb.selected_inferior().threads(),
                            key=lambda t: t.num):
                t.switch()
                ci = cpu_of_gdb_thread()
                if ci is None:
                    what = "cpu ? (GS base is no cpu_info)"
                else:
                    what = "cpu%d, running %s" % (
                        int(ci["ci_cpuid"]), kdata.thread_brief(ci["ci_curproc"]))
                print("=== gdb thread %d: %s" % (t.num, what))
                gdb.execute(("bt " + arg).strip())
        finally:
            if orig is not None and orig.is_valid():
                orig.switch()


ExeuntCpus()
ExeuntBtAll()
