#!/usr/bin/env python3
"""The runner behind `make bench` (docs/bench.md).

It runs the benchmark programs of user/bench (built by `make user` into
<build>/initrd/bench) in QEMU, one boot at a time (they measure), on

  - Debian's Linux kernel (/boot/vmlinuz-*, package linux-image-amd64) at
    -smp 1 and -smp 2, from an initramfs it writes itself: exeunt's own
    /init, the same static benchmark binaries under /bench and
    /dev/console. The kernel command line carries init's environment
    (Linux hands unknown name=value words to init), so init runs the
    programs exactly as on exeunt, then powers off;
  - exeunt (the ISO) with purge=exit and purge=reaper at -smp 1 and
    -smp 2, booted by tools/qemu-run with "tests=/bench/<program>,...
    purge=<mode>".

Every boot has the same QEMU flags (-accel tcg,thread=multi -cpu max, the
same -m), its serial log in <build>/bench/logs/, and limits, so nothing
hangs: user space must start within a deadline, then init must report a
program within an idle limit (its own watchdog kills a program after 60 s),
and the whole boot has a hard limit. An exeunt whose boot never reaches
user space is reported as "not runnable yet (no user processes)" and its
remaining boots are skipped; the Linux columns are produced regardless.
tools/bench/report.py then writes the table, the CSV and the plots.

Exit status: 0 when the Linux side measured every program, else 1.

usage: tools/bench/run.py --build-dir DIR [--iso ISO] [--mem M]
                          [--smp 1,2] [--benches a,b] [--only linux|exeunt]
                          [--kernel VMLINUZ] [--report-only]
"""

import argparse
import glob
import os
import re
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import benchlog  # noqa: E402  (found through the path set just above)
import report  # noqa: E402

BENCHES = ["lat_proc", "exit_reap", "sparse", "exit_storm", "peek"]
PURGES = ["exit", "reaper"]
MEM = "512M"
LINUX_CMDLINE = "console=ttyS0 transparent_hugepage=never quiet panic=-1"
# exeunt's debugging detectors that Linux also leaves off by default: page
# poisoning (Linux's page_poison/init_on_free) and lock-order checking
# (lockdep). The tests always run with both on.
EXEUNT_CMDLINE = "poison=0 witness=off"
START_TIMEOUT = {"linux": 240, "exeunt": 90}    # s to init's plan
IDLE_TIMEOUT = 150      # s between init's results (its watchdog: 60 s)
POLL = 0.5              # s between looks at a running boot's log
EXIT_CLEAN = {"linux": 0, "exeunt": 1}   # QEMU's status after power-off


class Boot:
    """One benchmark boot: kernel kind ("linux" or "exeunt"), purge mode
    (exeunt only), -smp, its log path; after it ran, its Log, QEMU status
    (None: not run here), the reason it was stopped (or ""), its duration
    in seconds, and why it was skipped (or "")."""

    def __init__(self, kind, purge, smp):
        self.kind = kind
        self.purge = purge
        self.smp = smp
        self.log_path = ""
        self.log = None
        self.status = None
        self.stopped = ""
        self.seconds = 0.0
        self.skipped = ""

    def name(self):
        """Return the boot's file name: linux-smp1, exeunt-exit-smp2."""
        if self.kind == "linux":
            return "linux-smp%d" % self.smp
        return "exeunt-%s-smp%d" % (self.purge, self.smp)

    def title(self):
        """Return the boot's name for people."""
        if self.kind == "linux":
            return "Linux -smp %d" % self.smp
        return "exeunt purge=%s -smp %d" % (self.purge, self.smp)


# --- the Linux initramfs ---------------------------------------------------

def cpio_entry(name, mode, data=b"", rdev=(0, 0), ino=0):
    """Return one cpio newc entry (header, name, data, each padded to 4
    bytes), owned by root, mtime 0."""
    fields = [ino, mode, 0, 0, 2 if mode & 0o040000 else 1, 0, len(data),
              0, 0, rdev[0], rdev[1], len(name) + 1, 0]
    header = b"070701" + b"".join(b"%08x" % f for f in fields)
    out = header + name.encode() + b"\0"
    out += b"\0" * (-len(out) % 4)
    return out + data + b"\0" * (-len(data) % 4)


def initramfs_write(path, init, programs):
    """Write a newc initramfs to path: /init (the file init), /dev/console
    and /bench/<name> for each (name, file) of programs."""
    def read(file):
        with open(file, "rb") as f:
            return f.read()
    entries = [("dev", 0o040755, b"", (0, 0)),
               ("dev/console", 0o020600, b"", (5, 1)),
               ("init", 0o100755, read(init), (0, 0)),
               ("bench", 0o040755, b"", (0, 0))]
    entries += [("bench/" + name, 0o100755, read(file), (0, 0))
                for name, file in programs]
    blob = b"".join(cpio_entry(n, m, d, r, i + 1)
                    for i, (n, m, d, r) in enumerate(entries))
    blob += cpio_entry("TRAILER!!!", 0)
    with open(path + ".tmp", "wb") as f:
        f.write(blob)
    os.replace(path + ".tmp", path)


def linux_kernel(given):
    """Return (image, "") for the Linux kernel to boot (given, or the
    newest /boot/vmlinuz-*), or ("", why there is none)."""
    if given:
        return (given, "") if os.access(given, os.R_OK) else (
            "", "%s: not readable" % given)

    def version(path):
        return [int(n) if n.isdigit() else n
                for n in re.split(r"[.-]", path.split("vmlinuz-", 1)[1])]
    images = sorted(glob.glob("/boot/vmlinuz-*"), key=version)
    if not images:
        return "", ("no /boot/vmlinuz-*: install linux-image-amd64 "
                    "(tools/install-deps)")
    if not os.access(images[-1], os.R_OK):
        return "", "%s: not readable" % images[-1]
    return images[-1], ""


# --- running one boot --------------------------------------------------------

def boot_argv(boot, args, vmlinuz, initramfs, benches):
    """Return the command that runs boot with its serial log at
    boot.log_path."""
    paths = ",".join("/bench/" + b for b in benches)
    if boot.kind == "linux":
        return ["qemu-system-x86_64", "-accel", "tcg,thread=multi",
                "-cpu", "max", "-smp", str(boot.smp), "-m", args.mem,
                "-kernel", vmlinuz, "-initrd", initramfs,
                "-append", "%s EXEUNT_TESTS=%s" % (LINUX_CMDLINE, paths),
                "-display", "none", "-no-reboot",
                "-serial", "file:" + boot.log_path]
    return [os.path.join(ROOT, "tools", "qemu-run"), "--smp", str(boot.smp),
            "--mem", args.mem,
            "--cmdline", "tests=%s purge=%s %s" % (paths, boot.purge,
                                                  EXEUNT_CMDLINE),
            "--timeout", str(hard_limit(boot, benches) + 30),
            "--log", boot.log_path, args.iso]


def hard_limit(boot, benches):
    """Return the most seconds a boot may take."""
    return START_TIMEOUT[boot.kind] + IDLE_TIMEOUT * len(benches)


def read_text(path):
    """Return the text of a file, "" if it does not exist yet."""
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return ""


def stop(proc):
    """End the process group of proc: TERM, then KILL after 5 s."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=5)
            return
        except subprocess.TimeoutExpired:
            continue


def boot_run(boot, argv, benches):
    """Run argv (a QEMU boot), watching boot.log_path; stop it when user
    space does not start in time, when init reports nothing for
    IDLE_TIMEOUT s, or at the hard limit. Fill in boot's results."""
    if os.path.exists(boot.log_path):
        os.unlink(boot.log_path)
    with open(boot.log_path + ".qemu", "wb") as out:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT,
                                start_new_session=True)
    start = last = time.monotonic()
    seen = -1
    while proc.poll() is None:
        time.sleep(POLL)
        now = time.monotonic()
        progress = benchlog.results_seen(read_text(boot.log_path))
        if progress != seen:
            seen, last = progress, now
        if seen < 0 and now - start > START_TIMEOUT[boot.kind]:
            boot.stopped = "no user space after %d s" % (now - start)
        elif seen >= 0 and now - last > IDLE_TIMEOUT:
            boot.stopped = "no result from init for %d s" % (now - last)
        elif now - start > hard_limit(boot, benches):
            boot.stopped = "hard limit of %d s" % (now - start)
        if boot.stopped:
            stop(proc)
            break
    boot.status = proc.wait()
    boot.seconds = time.monotonic() - start
    boot.log = benchlog.parse(read_text(boot.log_path))


def duration(boot):
    """Return how long boot ran, or that its log is an earlier run's."""
    if boot.status is None:
        return "an earlier run's log"
    return "%.0f s" % boot.seconds


def boot_summary(boot, benches):
    """Return one line on how boot went."""
    if boot.skipped:
        return "%s: %s" % (boot.title(), boot.skipped)
    log = boot.log
    if not log.started:
        why = [log.panic] if log.panic else []
        if boot.stopped or boot.status is not None:
            why.append(boot.stopped or "QEMU exited with status %s" %
                       boot.status)
        what = ("not runnable yet (no user processes)"
                if boot.kind == "exeunt" else "user space never started")
        return "%s: %s%s (%s, log %s)" % (
            boot.title(), what, ": " + "; ".join(why) if why else "",
            duration(boot), os.path.relpath(boot.log_path))
    problems = []
    for b in benches:
        passed, reason = log.verdicts.get("/bench/" + b, (None, ""))
        if passed is None:
            problems.append("%s did not run" % b)
        elif not passed:
            if b in log.errors:
                reason += ": " + "; ".join(log.errors[b])
            problems.append("%s failed (%s)" % (b, reason))
    if boot.stopped:
        problems.append("stopped: " + boot.stopped)
    elif boot.status not in (None, EXIT_CLEAN[boot.kind]):
        problems.append("QEMU exited with status %s" % boot.status)
    if log.panic:
        problems.append(log.panic)
    ok = sum(1 for b in benches
             if log.verdicts.get("/bench/" + b, (False,))[0])
    return "%s: %d/%d programs ok%s (%s)" % (
        boot.title(), ok, len(benches),
        "; " + "; ".join(problems) if problems else "", duration(boot))


# --- main -------------------------------------------------------------------

def plan(args, log_dir):
    """Return the boots to run, in order: Linux, then exeunt; each logs
    to log_dir/<its name>.log."""
    boots = []
    for smp in args.smp:
        if args.only in (None, "linux"):
            boots.append(Boot("linux", None, smp))
    for smp in args.smp:
        for purge in PURGES:
            if args.only in (None, "exeunt"):
                boots.append(Boot("exeunt", purge, smp))
    for boot in boots:
        boot.log_path = os.path.join(log_dir, boot.name() + ".log")
    return boots


def main(argv):
    """Run the boots and write the report; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", required=True,
                        help="the make B= directory (programs in "
                        "<dir>/initrd, results in <dir>/bench)")
    parser.add_argument("--iso", help="the exeunt ISO (none: exeunt "
                        "is reported as not built)")
    parser.add_argument("--mem", default=MEM,
                        help="QEMU -m for every boot (default %s)" % MEM)
    parser.add_argument("--smp", default="1,2",
                        help="the -smp values (default 1,2)")
    parser.add_argument("--benches", default=",".join(BENCHES),
                        help="programs to run (default %(default)s)")
    parser.add_argument("--only", choices=["linux", "exeunt"],
                        help="boot only this kernel")
    parser.add_argument("--kernel", help="the Linux kernel image "
                        "(default: the newest /boot/vmlinuz-*)")
    parser.add_argument("--report-only", action="store_true",
                        help="boot nothing: report from the logs there")
    args = parser.parse_args(argv[1:])
    args.smp = [int(s) for s in args.smp.split(",")]
    benches = args.benches.split(",")
    build = os.path.abspath(args.build_dir)
    out_dir = os.path.join(build, "bench")
    log_dir = os.path.join(out_dir, "logs")
    os.makedirs(log_dir, exist_ok=True)
    programs = [(b, os.path.join(build, "initrd", "bench", b))
                for b in benches]
    missing = [f for _, f in programs if not os.path.exists(f)]
    init = os.path.join(build, "initrd", "init")
    if missing or not os.path.exists(init):
        print("bench: not built: %s (make B=%s user)" % (
            " ".join(missing + ([] if os.path.exists(init) else [init])),
            args.build_dir))
        return 1

    vmlinuz, why = linux_kernel(args.kernel)
    initramfs = os.path.join(out_dir, "linux-initramfs.cpio")
    if vmlinuz and not args.report_only:
        initramfs_write(initramfs, init, programs)
    boots = plan(args, log_dir)
    boots_run(boots, args, benches, (vmlinuz, why), initramfs)
    summaries = [boot_summary(b, benches) for b in boots]
    exeunt = [b for b in boots if b.kind == "exeunt"]
    if exeunt and not any(b.log.started for b in exeunt):
        summaries.append("exeunt: %s; its columns stay empty" % (
            "not runnable yet (no user processes)" if args.iso or
            args.report_only else "not built"))
    meta = ["QEMU: -accel tcg,thread=multi -cpu max -m %s, -smp %s" % (
                args.mem, " and ".join(map(str, args.smp))),
            "Linux: %s, command line \"%s\", init and programs from "
            "the initramfs" % (os.path.basename(vmlinuz) or "none",
                               LINUX_CMDLINE),
            "exeunt: %s, tests=/bench/<program>,... purge=exit|reaper %s" % (
                os.path.basename(args.iso) if args.iso else "not built",
                EXEUNT_CMDLINE),
            "programs: " + " ".join(benches)]
    report.write(out_dir, boots, summaries, meta)
    complete = all(b.log.started and all(
        b.log.verdicts.get("/bench/" + n, (False,))[0] for n in benches)
        for b in boots if b.kind == "linux")
    return 0 if complete else 1


def boots_run(boots, args, benches, kernel, initramfs):
    """Run the boots one after the other (with --report-only, read their
    logs), saying how each went; kernel: (Linux image, why there is
    none). An exeunt that does not reach user space skips exeunt's other
    boots."""
    vmlinuz, why = kernel
    exeunt_dead = ""
    for boot in boots:
        if args.report_only:
            boot.log = benchlog.parse(read_text(boot.log_path))
            if not os.path.exists(boot.log_path):
                boot.skipped = "no log"
            continue
        if boot.kind == "linux" and not vmlinuz:
            boot.skipped = "skipped: " + why
        elif boot.kind == "exeunt" and not args.iso:
            boot.skipped = "skipped: no ISO (it did not build)"
        elif boot.kind == "exeunt" and exeunt_dead:
            boot.skipped = "skipped: " + exeunt_dead
        if boot.skipped:
            boot.log = benchlog.Log()
            print("bench: " + boot_summary(boot, benches), flush=True)
            continue
        print("bench: %s ..." % boot.title(), flush=True)
        boot_run(boot, boot_argv(boot, args, vmlinuz, initramfs, benches),
                 benches)
        print("bench: " + boot_summary(boot, benches), flush=True)
        if boot.kind == "exeunt" and not boot.log.started:
            exeunt_dead = "exeunt did not reach user space in %s" % (
                boot.title())


if __name__ == "__main__":
    sys.exit(main(sys.argv))
