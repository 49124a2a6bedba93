#!/usr/bin/env python3
"""Write the kernel symbol table as assembly for the .ksyms section.

usage: ksyms.py [NM-OUTPUT] > ksyms.S
       ksyms.py --check PASS1.elf FINAL.elf

Reads `nm -n` output (or nothing, for the first link pass) and emits the
table kern/kern_ksyms.c reads: a count, (address, name offset) pairs sorted
by address, then the names. Only text symbols are kept.
"""
import os
import subprocess
import sys


def symbols_before_ksyms(elf):
    """The section symbols below .ksyms (those after it, and absolute ones
    derived from _end, may move)."""
    nm = os.environ.get("NM", "nm")
    out = subprocess.run([nm, "-n", elf], check=True, capture_output=True,
                         text=True).stdout
    lines = [l.split() for l in out.splitlines()]
    lines = [l for l in lines if len(l) == 3]
    limit = next(int(a, 16) for a, _, n in lines if n == "_ksyms")
    return [l for l in lines if int(l[0], 16) < limit and l[1] != "A"]


def check(pass1, final):
    """Fail if filling .ksyms moved any symbol (linker.ld must keep it last)."""
    if symbols_before_ksyms(pass1) != symbols_before_ksyms(final):
        sys.exit("ksyms: symbols moved between link passes; keep .ksyms last")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--check":
        check(sys.argv[2], sys.argv[3])
        return
    syms = []
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            for line in f:
                parts = line.split()
                if len(parts) != 3 or parts[1] not in "tTwW":
                    continue
                addr = int(parts[0], 16)
                if addr < 0xFFFFFFFF80000000:
                    continue  # the 32-bit boot code runs below the kernel
                syms.append((addr, parts[2]))
    syms.sort()
    out = ['\t.section .ksyms, "a"', "\t.balign 8", "\t.globl ksyms_table",
           "ksyms_table:", f"\t.quad {len(syms)}"]
    off = 0
    for addr, name in syms:
        out.append(f"\t.quad {addr:#x}, {off}")
        off += len(name) + 1
    for _, name in syms:
        out.append(f'\t.asciz "{name}"')
    print("\n".join(out))


if __name__ == "__main__":
    main()
