# exeunt: make | make run | make test | make gdb | make bench | make mutants |
# make soak | make replay | make clean
#
# The kernel is built with the host GCC/binutils in freestanding mode, or with a
# cross toolchain: make TOOLPREFIX=x86_64-elf-

TOOLPREFIX ?=
CC	:= $(TOOLPREFIX)gcc
LD	:= $(TOOLPREFIX)ld
NM	:= $(TOOLPREFIX)nm
OBJCOPY	:= $(TOOLPREFIX)objcopy
PYTHON	?= python3

B	:= build
SMP	?= 2
MEM	?= 256M
CMDLINE	?=

KCFLAGS := -std=gnu11 -O2 -g -Wall -Werror -Wextra -Wno-unused-parameter \
	-Wno-sign-compare -Wno-missing-field-initializers \
	-ffreestanding -nostdlib -mno-red-zone -mcmodel=kernel \
	-mgeneral-regs-only -fno-pie -fno-pic -fno-omit-frame-pointer \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-common \
	-Ikernel/include -Iboot -MMD -MP
ifdef MUTANT
KCFLAGS += -DMUTANT_$(subst -,_,$(MUTANT))
endif
KLDFLAGS := -nostdlib -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments -T linker.ld

KSRCS	:= $(sort $(shell find kernel -name '*.c'))
KASMS	:= $(sort $(shell find kernel boot -name '*.S'))
KOBJS	:= $(patsubst %.c,$(B)/%.o,$(KSRCS)) $(patsubst %.S,$(B)/%.o,$(KASMS))

.PHONY: all kernel iso run test gdb bench mutants soak replay clean deps
all: $(B)/exeunt.iso

kernel: $(B)/exeunt.elf

Q	:= $(if $(V),,@)

# The compiler and its flags, rewritten only when they change: every object
# depends on it, so MUTANT=, TOOLPREFIX= or a new flag rebuilds the kernel.
KFLAGS_ID := $(CC) $(KCFLAGS)
$(B)/kcflags: FORCE
	@mkdir -p $(B)
	@echo '$(KFLAGS_ID)' | cmp -s - $@ || echo '$(KFLAGS_ID)' > $@

$(B)/%.o: %.c $(B)/kcflags
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) -c -o $@ $<

$(B)/%.o: %.S $(B)/kcflags
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(KCFLAGS) -D__ASSEMBLY__ -c -o $@ $<

$(B)/ksyms%.o: $(B)/ksyms%.S
	$(Q)$(CC) -c -o $@ $<

# Two link passes: the first with an empty symbol table, whose text symbols
# then fill .ksyms (last in the image, so no other address moves).
$(B)/ksyms0.S: tools/ksyms.py
	@mkdir -p $(B)
	$(Q)$(PYTHON) tools/ksyms.py > $@
$(B)/exeunt.pass1.elf: $(KOBJS) $(B)/ksyms0.o linker.ld
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(B)/ksyms0.o
$(B)/ksyms.S: $(B)/exeunt.pass1.elf tools/ksyms.py
	$(Q)$(NM) -n $< > $(B)/exeunt.nm
	$(Q)$(PYTHON) tools/ksyms.py $(B)/exeunt.nm > $@
$(B)/exeunt.elf: $(B)/exeunt.pass1.elf $(B)/ksyms.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(B)/ksyms.o
	$(Q)NM=$(NM) $(PYTHON) tools/ksyms.py --check $(B)/exeunt.pass1.elf $@

# The user programs, built into $(B)/initrd (user/user.mk).
include user/user.mk

# The initrd: a cpio newc archive of everything under $(B)/initrd.
$(B)/initrd.cpio: user FORCE
	@mkdir -p $(B)/initrd
	cd $(B)/initrd && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc > ../initrd.cpio.tmp
	@cmp -s $(B)/initrd.cpio.tmp $@ && rm $(B)/initrd.cpio.tmp || mv $(B)/initrd.cpio.tmp $@

$(B)/exeunt.iso: $(B)/exeunt.elf $(B)/initrd.cpio boot/grub.cfg
	@mkdir -p $(B)/iso/boot/grub
	cp $(B)/exeunt.elf $(B)/initrd.cpio $(B)/iso/boot/
	cp boot/grub.cfg $(B)/iso/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(B)/iso 2> $(B)/grub-mkrescue.log || { cat $(B)/grub-mkrescue.log; exit 1; }

iso: $(B)/exeunt.iso

# Install the Debian packages the build and the tests need, if missing.
deps:
	@tools/install-deps --check || tools/install-deps

run: deps $(B)/exeunt.iso
	@tools/qemu-run --smp $(SMP) --mem $(MEM) --cmdline "$(CMDLINE)" --interactive $(B)/exeunt.iso

# Host unit tests, the QEMU boot matrix, the gdb test and the harness
# self-tests (tools/testrun.py); logs under $(B)/test-logs. The ISO is built
# after deps even under -j. TESTARGS: e.g. "--only smp4 -v".
TESTARGS ?=
test: deps
	@$(MAKE) --no-print-directory $(B)/exeunt.iso
	@$(PYTHON) tools/testrun.py --iso $(B)/exeunt.iso --build-dir $(B) $(TESTARGS)

gdb: deps $(B)/exeunt.iso
	@tools/gdb/run-gdb --smp $(SMP) --mem $(MEM) --cmdline "$(CMDLINE)" $(B)/exeunt.iso $(B)/exeunt.elf

# Benchmarks (docs/bench.md): user/bench on Debian's Linux kernel and on
# exeunt (purge=exit and purge=reaper) at -smp 1 and 2 in QEMU; the table,
# CSV and plots in $(B)/bench. A kernel that does not build is reported and
# the Linux side runs all the same. BENCHARGS: e.g. "--benches lat_proc".
BENCHARGS ?=
bench:
	@tools/install-deps --bench --check || tools/install-deps --bench
	@$(MAKE) -s --no-print-directory user
	@mkdir -p $(B)/bench
	@if $(MAKE) --no-print-directory $(B)/exeunt.iso > $(B)/bench/iso.log 2>&1; \
	then iso="--iso $(B)/exeunt.iso"; \
	else echo "bench: the exeunt ISO did not build (see $(B)/bench/iso.log)"; iso=; fi; \
	$(PYTHON) tools/bench/run.py --build-dir $(B) $$iso $(BENCHARGS)

# The mutants (docs/mutants.md): each hazard of DESIGN.md section 5 built
# with MUTANT=<name> in $(B)-mut/<name> and booted over the test matrix
# until a test kills it; the last line is "K of N mutants killed". Not run
# by make test. MUTANTS: a subset, e.g. MUTANTS=no-grace,leak-ptp.
MUTANTS ?=
mutants: deps
	@$(PYTHON) tools/mutants.py --build-root $(B)-mut $(if $(MUTANTS),--mutants $(MUTANTS))

# The stress tests over many seeds (tools/soak.py, docs/validation.md):
# ROUNDS boots, alternately at -smp 2 and 4, each with a new seed (from
# SEED, default the clock) and stress=STRESS, running every stress_* test
# and the fuzzer; stops at the first failure with the commands that boot
# that seed again. Logs in $(B)/soak-logs. Not run by make test.
ROUNDS	?= 20
STRESS	?= 8
soak: deps
	@$(MAKE) --no-print-directory $(B)/exeunt.iso
	@$(PYTHON) tools/soak.py soak --iso $(B)/exeunt.iso --build-dir $(B) \
		--rounds $(ROUNDS) --stress $(STRESS) $(if $(SEED),--seed $(SEED))

# One seed at -smp 1 under QEMU record/replay (docs/replay.md): record
# tests=TESTS seed=SEED stress=STRESS, replay it, check the replay's serial
# output is the recording's; GDB=1 replays the last recording under gdb.
replay: deps
	@test -n "$(SEED)" -a -n "$(TESTS)" || { echo "usage: make replay" \
		"SEED=<n> TESTS=<test,...> [STRESS=<n>] [GDB=1]"; exit 2; }
	@$(MAKE) --no-print-directory $(B)/exeunt.iso
	@$(PYTHON) tools/soak.py replay --iso $(B)/exeunt.iso --build-dir $(B) \
		--seed $(SEED) --tests $(TESTS) --stress $(STRESS) $(if $(GDB),--gdb)

clean:
	rm -rf $(B)

FORCE:

# a recipe that fails (the ksyms check) must not leave its target behind
.DELETE_ON_ERROR:

-include $(KOBJS:.o=.d)
