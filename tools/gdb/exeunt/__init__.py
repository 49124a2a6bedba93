# tools/gdb/exeunt: the Python gdb helpers for exeunt, loaded by
# tools/gdb/exeunt.py (which gdbinit sources). One module per subject:
#   kdata     shared readers: symbols, header constants, lists, processes
#   counters  exeunt-counters (uvmexp)
#   procs     exeunt-ps, exeunt-reaper
#   vm        exeunt-vmspace, exeunt-pools
#   cpus      exeunt-cpus, exeunt-bt-all
#   trace     exeunt-trace (the lifecycle trace rings)
# Every command reads guest memory through gdb.Value while gdb has every CPU
# stopped, takes no kernel lock and writes nothing.
