# The benchmark programs (DESIGN.md section 7, docs/bench.md), included
# from user/user.mk: each user/bench/<name>.c is built like the other user
# programs (musl-gcc -static) into $(B)/initrd/bench/<name>, so every
# initrd carries them. make bench (tools/bench/run.py) has init run them
# by path (tests=/bench/<name>,...) on exeunt, and on Linux from an
# initramfs of its own that holds the same init and the same binaries.

BENCH_NAMES := $(basename $(notdir $(wildcard user/bench/*.c)))
BENCH_PROGS := $(addprefix $(B)/initrd/bench/,$(BENCH_NAMES))

user: $(BENCH_PROGS)

$(B)/initrd/bench/%: user/bench/%.c user/bench/bench.h user/bench/bench.mk
	$(user-cc)
