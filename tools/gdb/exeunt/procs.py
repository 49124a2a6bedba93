# tools/gdb/exeunt/procs.py: exeunt-ps (every process and its threads, in
# the manner of Linux's lx-ps) and exeunt-reaper (what waits to be freed:
# the dead list, zombies, the SMR backlog).
import gdb

from . import kdata


def ps_flags():
    """Return {name: bit} of the ps_flags bits (PS_* in proc.h)."""
    return kdata.header_flags("proc.h", "PS_")


def p_flags():
    """Return {name: bit} of the p_flag bits (P_* in proc.h, without the
    P_PCB_* offsets for swtch.S)."""
    return kdata.header_flags("proc.h", "P_", exclude="P_PCB_")


def vmspace_summary(vm):
    """Return (users, pins, state) of the struct vmspace * vm as strings;
    state is BADMAGIC when vm does not hold a vmspace."""
    if int(vm) == 0:
        return "-", "-", "-"
    magic = kdata.header_consts("uvm_vmspace.h", ["VMSPACE_MAGIC"])
    try:
        if int(vm["vm_magic"]) != magic["VMSPACE_MAGIC"]:
            return "?", "?", "BADMAGIC"
        states = kdata.enum_names("enum vmspace_state", "VMSPACE_")
        state = int(vm["vm_state"])
        return (str(int(vm["vm_users"])), str(int(vm["vm_refcnt"])),
                states.get(state, str(state)))
    except gdb.MemoryError:
        return "?", "?", "UNREADABLE"


def process_state(pr, stats):
    """Name the state of process pr: zombie or exiting from its flags,
    traced (a thread in a trace stop) or stopped (by a signal; its threads
    sleep in userret) as /proc/<pid>/status says, else from its threads
    (running, runnable, new, sleeping, dead)."""
    ps = ps_flags()
    flags = int(pr["ps_flags"])
    if flags & ps["PS_ZOMBIE"]:
        return "zombie"
    if flags & ps["PS_EXITING"]:
        return "exiting"
    if int(pr["ps_ptthread"]) != 0:
        return "traced"
    if int(pr["ps_sigstop"]) != 0:
        return "stopped"
    tstates = {stats.get(int(p["p_stat"]), "?") for p in kdata.threads_of(pr)}
    for tstate, name in (("onproc", "running"), ("run", "runnable"),
                         ("idl", "new"), ("sleep", "sleeping"),
                         ("dead", "dead")):
        if tstate in tstates:
            return name
    return "-"


def thread_line(p, stats):
    """Return the line describing thread p under its process."""
    pflags = p_flags()
    ci = p["p_cpu"]
    cpu = "cpu%d" % int(ci["ci_cpuid"]) if int(ci) != 0 else "-"
    stat = stats.get(int(p["p_stat"]), str(int(p["p_stat"])))
    line = "        tid %-5d %-7s %-5s %-14s %-18s" % (
        int(p["p_tid"]), stat, cpu, kdata.cstr(p["p_name"]),
        kdata.flag_names(int(p["p_flag"]), pflags, "P_"))
    if stat == "sleep":
        line += " on %#x (%s)" % (int(p["p_wchan"]), kdata.cstr(p["p_wmesg"]))
    return line.rstrip()


class ExeuntPs(kdata.Command):
    """exeunt-ps: list every process with its threads.
One line per process: struct process address, pid, parent pid, state
(running, runnable, sleeping, stopped, exiting, zombie), ps_flags (EXITING,
ZOMBIE, PPWAIT...), thread count, vmspace address with vm_users, vm_refcnt
and its state (LIVE, PURGED, DEAD), command name. Below it one line per
thread: tid, p_stat, CPU, name, p_flag, and the wait channel of a sleeper.
User processes come from the pid hash and the process tree, kernel threads
from the CPUs, run queues, sleep queues and the dead list."""

    def __init__(self):
        super().__init__("exeunt-ps", gdb.COMMAND_DATA)

    def run(self, arg):
        if arg:
            raise gdb.GdbError("usage: exeunt-ps")
        ps = ps_flags()
        stats = kdata.stat_names()
        print("%-18s %5s %5s %-9s %-20s %3s %-18s %5s %4s %-8s %s" % (
            "PROCESS", "PID", "PPID", "STATE", "FLAGS", "THR", "VMSPACE",
            "USERS", "PINS", "VMSTATE", "COMM"))
        for pr in kdata.processes():
            pptr = pr["ps_pptr"]
            vm = pr["ps_vmspace"]
            users, pins, vstate = vmspace_summary(vm)
            print("%#-18x %5d %5s %-9s %-20s %3d %-18s %5s %4s %-8s %s" % (
                int(pr), int(pr["ps_pid"]),
                str(int(pptr["ps_pid"])) if int(pptr) != 0 else "-",
                process_state(pr, stats),
                kdata.flag_names(int(pr["ps_flags"]), ps, "PS_"),
                int(pr["ps_nthreads"]),
                "%#x" % int(vm) if int(vm) != 0 else "-",
                users, pins, vstate, kdata.cstr(pr["ps_comm"])))
            for p in kdata.threads_of(pr):
                print(thread_line(p, stats))


def reaper_state(stats):
    """Describe the reaper thread: the kernel thread asleep on the dead
    list, or else the one kthread_init named "reaper"."""
    pflags = p_flags()
    deadproc = int(kdata.var("deadproc").address)
    reaper = None
    for p in kdata.scheduled_threads():
        if int(p) == 0 or not int(p["p_flag"]) & pflags["P_SYSTEM"]:
            continue
        if int(p["p_wchan"]) == deadproc:
            return "%s asleep on the dead list (%s)" % (
                kdata.thread_brief(p), kdata.cstr(p["p_wmesg"]))
        if kdata.cstr(p["p_name"]) == "reaper":
            reaper = p
    if reaper is None:
        return "not found"
    cpu = reaper["p_cpu"]
    return "%s %s on cpu%d (at work, or about to be)" % (
        kdata.thread_brief(reaper), stats.get(int(reaper["p_stat"]), "?"),
        int(cpu["ci_cpuid"]) if int(cpu) != 0 else -1)


def smr_callbacks():
    """Return [(callback name, count)] of the SMR queue, oldest first."""
    counts = {}
    for e in kdata.walk(kdata.var("smr_head"), "se_next"):
        name = kdata.symbol_at(int(e["se_fn"]))
        counts[name] = counts.get(name, 0) + 1
    return sorted(counts.items(), key=lambda nc: (-nc[1], nc[0]))


class ExeuntReaper(kdata.Command):
    """exeunt-reaper: what waits to be freed.
The dead list (threads that switched away for the last time and wait for
the reaper: tid, pid, kernel or user, whether the context is still live
on a CPU), the reaper thread's state, the kernel-thread counters, the
zombies that wait for wait4, and the SMR backlog: callbacks pending (the
counter and the queue walked), peak, watermark, the pending callbacks by
function, and each CPU's last quiescent state."""

    def __init__(self):
        super().__init__("exeunt-reaper", gdb.COMMAND_DATA)

    def run(self, arg):
        if arg:
            raise gdb.GdbError("usage: exeunt-reaper")
        stats = kdata.stat_names()
        pflags = p_flags()
        psflags = ps_flags()

        dead = list(kdata.walk(kdata.var("deadproc"), "p_deadnext"))
        print("dead list: %d thread(s) waiting for the reaper" % len(dead))
        for p in dead:
            kind = "kthread" if int(p["p_flag"]) & pflags["P_SYSTEM"] else "user"
            print("  tid %-5d pid %-5d %-7s %-7s %-14s%s" % (
                int(p["p_tid"]), int(p["p_p"]["ps_pid"]), kind,
                stats.get(int(p["p_stat"]), "?"), kdata.cstr(p["p_name"]),
                " (context still on a cpu)" if p["p_oncpu"] else ""))
        print("reaper: %s" % reaper_state(stats))
        ks = kdata.var("kthread_stats")
        print("kernel threads: created %d freed %d live %d" % (
            int(ks["created"]), int(ks["freed"]), int(ks["live"])))

        zombies = [pr for pr in kdata.processes()
                   if int(pr["ps_flags"]) & psflags["PS_ZOMBIE"]]
        print("zombies (wait4 has not collected them): %d" % len(zombies))
        for pr in zombies:
            pptr = pr["ps_pptr"]
            print("  pid %-5d parent %-5s xstat %#x %s" % (
                int(pr["ps_pid"]),
                str(int(pptr["ps_pid"])) if int(pptr) != 0 else "-",
                int(pr["ps_xstat"]), kdata.cstr(pr["ps_comm"])))

        queued = smr_callbacks()
        print("smr: pending %d (queue holds %d) peak %d watermark %d" % (
            int(kdata.var("smr_npending")), sum(n for _, n in queued),
            int(kdata.var("smr_peak")), int(kdata.var("smr_backlog_max"))))
        print("smr: grace periods %d callbacks run %d waits %d "
              "overflows %d" % (
                  int(kdata.var("smr_ngrace")), int(kdata.var("smr_ncalled")),
                  int(kdata.var("smr_nwaits")),
                  int(kdata.var("smr_noverflows"))))
        for name, n in queued:
            print("  %5d %s" % (n, name))
        seq = int(kdata.var("smr_seq"))
        pcpu = kdata.var("smr_pcpu")
        for ci in kdata.cpus():
            sp = pcpu[int(ci["ci_cpuid"])]
            print("  cpu%d: quiescent at %d of %d, read-section depth %d" % (
                int(ci["ci_cpuid"]), int(sp["sp_seq"]), seq,
                int(sp["sp_depth"])))


ExeuntPs()
ExeuntReaper()
