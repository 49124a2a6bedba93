# User programs (DESIGN.md sections 2, 6 and 7), included from the top
# Makefile. Each is one C file built with Debian's musl-gcc -static into
# $(B)/initrd, the tree the initrd archive is made of:
#
#	user/init.c		-> /init
#	user/sh.c, user/ps.c	-> /bin/sh, /bin/ps
#	user/trace.c		-> /bin/trace
#	user/counters.c		-> /bin/counters
#	user/exeunt_counters.h	(/proc/exeunt's reader: init, counters and
#				 tests/failinject.c include it)
#	user/tests/<name>.c	-> /tests/<name>
#	user/selftest/<name>.c	-> /selftest/<name>	(misbehave on purpose;
#				 run by name only: tests=/selftest/<name>)
#	user/bench/<name>.c	-> /bench/<name>	(user/bench/bench.mk)
#	<EXTRA>/<name>.c	-> /tests/<name>	(make test EXTRA=<dir>)
#
# `make user` builds just these; tests/native/run-native builds them so and
# runs the tests on the host's Linux kernel. A test left in $(B)/initrd/tests
# by an earlier EXTRA= build is removed.

UCC	?= musl-gcc
UCFLAGS	:= -static -O2 -g -Wall -Werror -Iuser/tests

USER_TESTS := $(basename $(notdir $(wildcard user/tests/*.c)))
ifneq ($(EXTRA),)
EXTRA_DIR := $(EXTRA:%/=%)
ifeq ($(wildcard $(EXTRA_DIR)/*.c),)
$(error EXTRA=$(EXTRA): no .c files there)
endif
EXTRA_TESTS := $(basename $(notdir $(wildcard $(EXTRA_DIR)/*.c)))
ifneq ($(filter $(USER_TESTS),$(EXTRA_TESTS)),)
$(error EXTRA=$(EXTRA): test name(s) already taken by user/tests: $(filter $(USER_TESTS),$(EXTRA_TESTS)))
endif
endif

USER_BINS  := $(B)/initrd/init $(B)/initrd/bin/sh $(B)/initrd/bin/ps \
	      $(B)/initrd/bin/trace $(B)/initrd/bin/counters \
	      $(patsubst user/selftest/%.c,$(B)/initrd/selftest/%, \
		  $(wildcard user/selftest/*.c))
USER_TPROGS := $(addprefix $(B)/initrd/tests/,$(USER_TESTS) $(EXTRA_TESTS))
USER_PROGS := $(USER_BINS) $(USER_TPROGS)
USER_STALE := $(filter-out $(USER_TPROGS),$(wildcard $(B)/initrd/tests/*))

.PHONY: user
user: $(USER_PROGS)
ifneq ($(USER_STALE),)
	rm -f $(USER_STALE)
endif

# Compile and link one user program from its single C file.
define user-cc
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  UCC     $<")
	$(Q)$(UCC) $(UCFLAGS) -o $@ $<
endef

$(B)/initrd/init: user/init.c user/exeunt_counters.h user/user.mk
	$(user-cc)

$(B)/initrd/bin/%: user/%.c user/exeunt_counters.h user/user.mk
	$(user-cc)

$(B)/initrd/tests/%: user/tests/%.c $(wildcard user/tests/*.h) \
	    user/exeunt_counters.h user/user.mk
	$(user-cc)

$(B)/initrd/selftest/%: user/selftest/%.c user/tests/ktest.h user/user.mk
	$(user-cc)

ifneq ($(EXTRA),)
$(B)/initrd/tests/%: $(EXTRA_DIR)/%.c user/tests/ktest.h user/user.mk
	$(user-cc)
endif

# The benchmark programs, into $(B)/initrd/bench.
include user/bench/bench.mk
