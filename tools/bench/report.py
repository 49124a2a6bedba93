"""The report of `make bench`, from the boots tools/bench/run.py ran.

Writes into the output directory (<build>/bench):
  results.md    how each boot went, then per -smp a table: one row per
                benchmark, parameters and metric; columns Linux, exeunt
                purge=exit, exeunt purge=reaper, and the ratios exit/Linux,
                reaper/Linux, exit/reaper; then the targets of
                docs/bench.md, each measured against its goal (met, missed,
                or n/a when a side has no number). Printed to stdout too.
  results.csv   every measurement: smp, kernel, purge, benchmark,
                parameters, metric, value, unit.
  samples.csv   the exit storm's free-memory samples: smp, kernel, purge,
                t_us, freeram (bytes).
  teardown.png  exit_reap's teardown cost against the size, every boot.
  storm-smpN.png  free memory over time in the exit storm at -smp N: its
                change since the release, per kernel and purge mode.
The gnuplot data and scripts stay in plots/. A boot is any object with
kind ("linux"/"exeunt"), purge, smp, title() and log (a benchlog.Log).
"""

import csv
import os
import shutil
import subprocess

COLUMNS = [("linux", None, "Linux"), ("exeunt", "exit", "exeunt exit"),
           ("exeunt", "reaper", "exeunt reaper")]
MIB = 1024 * 1024


def number(value):
    """Return a measurement formatted to about four significant digits."""
    if abs(value) >= 1000:
        return "%.0f" % value
    if abs(value) >= 100:
        return "%.1f" % value
    if abs(value) >= 1:
        return "%.2f" % value
    return "%.3f" % value


def ratio(a, b):
    """Return a/b formatted, or "-" when either is missing or b is 0."""
    if a is None or not b:
        return "-"
    return "%.2f" % (a / b)


def values(boot):
    """Return {measurement key: value} of a boot (None: {})."""
    if boot is None or boot.log is None:
        return {}
    return {m.key(): m.value for m in boot.log.measurements}


def by_column(boots, smp):
    """Return [boot or None] for COLUMNS at this -smp."""
    found = []
    for kind, purge, _ in COLUMNS:
        found.append(next((b for b in boots if b.kind == kind and
                           b.purge == purge and b.smp == smp), None))
    return found


def table(boots, smp):
    """Return the markdown lines of the table at -smp smp."""
    columns = [values(b) for b in by_column(boots, smp)]
    keys = []
    for column in columns:
        keys += [k for k in column if k not in keys]
    lines = ["| benchmark | parameters | metric | " +
             " | ".join(title for _, _, title in COLUMNS) +
             " | exit/Linux | reaper/Linux | exit/reaper |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for key in keys:
        bench, params, metric, unit = key
        linux, exit_, reaper = (c.get(key) for c in columns)
        cells = [bench, " ".join(params), "%s (%s)" % (metric, unit)]
        cells += ["-" if v is None else number(v)
                  for v in (linux, exit_, reaper)]
        cells += [ratio(exit_, linux), ratio(reaper, linux),
                  ratio(exit_, reaper)]
        lines.append("| " + " | ".join(cells) + " |")
    if not keys:
        lines.append("| (no measurements) |||||||||")
    return lines


def pick(boot, bench, metric):
    """Return [(params, value)] of a boot's measurements of bench/metric."""
    if boot is None or boot.log is None:
        return []
    return [(m.params, m.value) for m in boot.log.measurements
            if m.bench == bench and m.metric == metric]


def verdict(value, goal, met):
    """Return "<value>x (goal <goal>): met|missed", or n/a for None."""
    if value is None:
        return "n/a (no number on one side)"
    return "%.2fx (goal %s): %s" % (value, goal, "met" if met else "missed")


def quotient(a, b):
    """Return a/b, or None when either is missing or b is 0."""
    return a / b if a is not None and b else None


def targets(boots, smps):
    """Return the markdown lines measuring the targets of docs/bench.md."""
    lines = []
    for smp in smps:
        linux, exit_, _ = by_column(boots, smp)
        first = lambda b, bench, metric: next(  # noqa: E731
            (v for _, v in pick(b, bench, metric)), None)
        q = quotient(first(exit_, "lat_proc", "mean"),
                     first(linux, "lat_proc", "mean"))
        lines.append("- fork+exit+wait, exeunt/Linux at -smp %d: %s" % (
            smp, verdict(q, "<= 0.5", q is not None and q <= 0.5)))
        theirs = dict(pick(linux, "exit_reap", "teardown_per_mib"))
        for params, value in pick(exit_, "exit_reap", "teardown_per_mib"):
            q = quotient(value, theirs.get(params))
            lines.append("- teardown per MiB (%s), exeunt/Linux at -smp %d:"
                         " %s" % (" ".join(params), smp,
                                  verdict(q, "<= 1", q is not None and
                                          q <= 1)))
        if not pick(exit_, "exit_reap", "teardown_per_mib"):
            lines.append("- teardown per MiB, exeunt/Linux at -smp %d: %s"
                         % (smp, verdict(None, "", False)))
        q = quotient(first(exit_, "sparse", "teardown"),
                     first(linux, "sparse", "teardown"))
        lines.append("- sparse teardown, exeunt/Linux at -smp %d: %s" % (
            smp, verdict(q, "<= 1", q is not None and q <= 1)))
    if 1 in smps and 2 in smps:
        one = by_column(boots, 1)[1]
        _, exit2, reaper2 = by_column(boots, 2)
        storm = lambda b: next(  # noqa: E731
            (v for _, v in pick(b, "exit_storm", "reap_all")), None)
        q = quotient(storm(one), storm(exit2))
        lines.append("- exit storm speed-up -smp 2 over -smp 1, purge=exit:"
                     " %s" % verdict(q, ">= 1.7", q is not None and q >= 1.7))
        q = quotient(storm(reaper2), storm(exit2))
        lines.append("- exit storm at -smp 2, purge=exit speed over "
                     "purge=reaper: %s" % verdict(q, "> 1", q is not None
                                                  and q > 1))
    return lines


def csv_write(path, boots):
    """Write every measurement of every boot to path as CSV."""
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["smp", "kernel", "purge", "benchmark", "parameters",
                      "metric", "value", "unit"])
        for b in boots:
            for m in (b.log.measurements if b.log else []):
                out.writerow([b.smp, b.kind, b.purge or "", m.bench,
                              " ".join(m.params), m.metric, repr(m.value),
                              m.unit])


def samples_write(path, boots):
    """Write the exit storm samples of every boot to path as CSV."""
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["smp", "kernel", "purge", "t_us", "freeram"])
        for b in boots:
            for t_us, free in (b.log.samples.get("exit_storm", [])
                               if b.log else []):
                out.writerow([b.smp, b.kind, b.purge or "", t_us, free])


def series_label(boot):
    """Return a plot legend for a boot."""
    if boot.kind == "linux":
        return "Linux -smp %d" % boot.smp
    return "exeunt %s -smp %d" % (boot.purge, boot.smp)


def gnuplot(plot_dir, name, title, xlabel, ylabel, series, extra=""):
    """Plot series [(label, [(x, y)])] with gnuplot into <name>.png beside
    plot_dir; return the PNG path, or "" and print why when it failed."""
    series = [(label, points) for label, points in series if points]
    if not series:
        print("bench: plot %s: no data" % name)
        return ""
    if shutil.which("gnuplot") is None:
        print("bench: plot %s: gnuplot is not installed "
              "(tools/install-deps)" % name)
        return ""
    plots = []
    for i, (label, points) in enumerate(series):
        data = os.path.join(plot_dir, "%s-%d.dat" % (name, i))
        with open(data, "w") as f:
            f.writelines("%r %r\n" % p for p in points)
        plots.append("'%s' using 1:2 with linespoints title '%s'" % (
            data, label))
    png = os.path.join(os.path.dirname(plot_dir), name + ".png")
    script = os.path.join(plot_dir, name + ".gp")
    with open(script, "w") as f:
        f.write("set terminal pngcairo size 960,600 noenhanced\n"
                "set output '%s'\nset title '%s'\nset xlabel '%s'\n"
                "set ylabel '%s'\nset grid\nset key left top\n%s"
                "plot %s\n" % (png, title, xlabel, ylabel, extra,
                               ", \\\n     ".join(plots)))
    run = subprocess.run(["gnuplot", script], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    if run.returncode != 0:
        print("bench: plot %s: gnuplot failed:\n%s" % (
            name, run.stdout.decode(errors="replace")))
        return ""
    return png


def plots_write(out_dir, boots, smps):
    """Draw the teardown and exit-storm plots; return the PNG paths."""
    plot_dir = os.path.join(out_dir, "plots")
    os.makedirs(plot_dir, exist_ok=True)
    series, sizes = [], [1]
    for b in boots:
        points = []
        for params, value in pick(b, "exit_reap", "teardown"):
            size = dict(p.split("=", 1) for p in params).get("size_mib")
            if size is not None:
                points.append((int(size), value / 1000))
                sizes.append(int(size))
        series.append((series_label(b), sorted(points)))
    pngs = [gnuplot(plot_dir, "teardown",
                    "exit_reap: teardown cost (child exit to wait4 return)",
                    "address space touched (MiB)", "teardown (ms)", series,
                    "set logscale x 2\nset xrange [%g:%g]\n" % (
                        min(sizes[1:] or [1]) / 1.5, max(sizes) * 1.5))]
    for smp in smps:
        series = []
        for b in by_column(boots, smp):
            samples = b.log.samples.get("exit_storm", []) if (
                b and b.log) else []
            before = [free for t, free in samples if t < 0] or [
                free for _, free in samples[:1]]
            if not samples:
                continue
            base = sum(before) / len(before)
            series.append((series_label(b), [
                (t / 1000, (free - base) / MIB) for t, free in samples]))
        pngs.append(gnuplot(
            plot_dir, "storm-smp%d" % smp,
            "exit_storm at -smp %d: free memory, change since the release"
            % smp, "time since the release (ms)", "free memory change (MiB)",
            series))
    return [p for p in pngs if p]


def write(out_dir, boots, summaries, meta):
    """Write results.md, results.csv, samples.csv and the plots to out_dir
    and print the report; meta: lines describing the set-up."""
    smps = sorted({b.smp for b in boots})
    lines = ["# make bench results", ""] + ["- " + m for m in meta]
    lines += ["", "## Boots", ""] + ["- " + s for s in summaries]
    for smp in smps:
        lines += ["", "## -smp %d" % smp, ""] + table(boots, smp)
    lines += ["", "Ratios divide the values: below 1 is faster for times "
              "(us), slower for rates (MiB/s).",
              "", "## Targets (docs/bench.md)", ""] + targets(boots, smps)
    csv_write(os.path.join(out_dir, "results.csv"), boots)
    samples_write(os.path.join(out_dir, "samples.csv"), boots)
    pngs = plots_write(out_dir, boots, smps)
    lines += ["", "## Files (beside this one)", "",
              "- results.csv", "- samples.csv"]
    lines += ["- " + os.path.basename(p) for p in pngs]
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write(text)
    print(text, end="")
