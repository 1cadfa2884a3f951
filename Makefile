# SPDX-License-Identifier: GPL-2.0
# tlbtorture: build the module and the selftests, run them in a QEMU guest.

REPO := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
# The module is built for the running kernel, or KDIR=. The guest targets
# (check, run, trace, bench, ...) pass the guest kernel's tree themselves.
KDIR ?= /lib/modules/$(shell uname -r)/build
# KVER: the guest kernel series of run, trace, bench and check: 6.1 or
# 6.12. Without it, check runs both and the others 6.1.
GUEST_SERIES = $(or $(KVER),6.1)

.PHONY: all module selftests clean clean-module check run deps fuzz fuzz-replay \
	install uninstall trace check-debug check-matrix bench mutants mutants-dry-run \
	kdir print-kver

all: module selftests

# No silent fallback to another kernel's headers: a module built for a
# kernel the box does not run would not load.
kdir:
	@test -f $(KDIR)/Makefile || { \
		echo "tlbtorture: no kernel build tree at $(KDIR):" \
		     "install linux-headers-$$(uname -r) or pass KDIR=/lib/modules/<release>/build" >&2; \
		exit 1; }

# W=1 always: the module must stay warning-free with it.
module: kdir
	$(MAKE) -C $(KDIR) M=$(REPO) W=1 modules

# Not kbuild's "M=$(REPO) clean": that deletes every object under the
# repository, build/ included, and so make mutants' kernel tree.
clean-module:
	rm -f $(REPO)/Module.symvers $(REPO)/modules.order $(REPO)/.*.cmd \
		$(REPO)/.module-common.o
	cd $(REPO)/module && rm -f *.o *.ko *.mod *.mod.c modules.order .*.cmd

# Installs missing Debian packages, builds, checks on the host, then runs
# the kselftests in QEMU guests: 6.1's and 6.12's, or KVER's alone.
check:
	$(REPO)/scripts/check.sh

# The suite and the stress tests under a debug kernel (KASAN, lockdep, ...);
# KVER=6.12 for the 6.12 one.
check-debug:
	KVER=$(GUEST_SERIES) $(REPO)/scripts/check-debug.sh

# The suite in several guest configurations (paging, PTI, vCPUs).
check-matrix:
	$(REPO)/scripts/check-matrix.sh

# The headline matrix in the guest (KVER=6.12 for that kernel).
# Deps first: the guest kernel and its headers may be what was missing.
run: deps
	KVER=$(GUEST_SERIES) $(REPO)/scripts/guest-build.sh
	KVER=$(GUEST_SERIES) $(REPO)/scripts/run-vm.sh --job run

deps:
	$(REPO)/scripts/install-deps.sh

# One sequence under trace-cmd in the guest: per-phase summary on stdout,
# build/trace.dat for kernelshark. Options separated by commas.
TRACE ?= migrate,--flush=batched,--pages=64,--rounds=20
trace: deps
	KVER=$(GUEST_SERIES) $(REPO)/scripts/guest-build.sh
	KVER=$(GUEST_SERIES) $(REPO)/scripts/vm-trace.sh '$(TRACE)'

# The kernel-path tests against kernels with a flush ordering broken on
# purpose: builds linux-source-$(KVER) as is and with each patch of
# scripts/mutants/$(KVER)/, boots each, prints the kill table. Options reach
# scripts/mutants/mutants.sh through the environment, e.g.
# make mutants MUTANTS='01 03' MUTANT_BOOTS=3 MUTANT_DELAY_US=20000 KVER=6.1.
mutants:
	KVER=$(GUEST_SERIES) $(REPO)/scripts/mutants/mutants.sh

# Do the mutant patches still apply? Seconds, from the source tarball.
mutants-dry-run:
	KVER=$(GUEST_SERIES) $(REPO)/scripts/mutants/dry-run.sh

# The flush-cost sweeps in the guest, plotted on the host: build/bench.txt,
# build/bench.{csv,png}, build/ceiling.{csv,png}. BENCH='--pages=1,8,64'
# passes options to tlbtorture bench, CEILING to bench ceiling (skip: none).
bench: deps
	$(REPO)/scripts/install-deps.sh --bench
	KVER=$(GUEST_SERIES) $(REPO)/scripts/guest-build.sh
	KVER=$(GUEST_SERIES) BENCH='$(BENCH)' CEILING='$(CEILING)' $(REPO)/scripts/vm-bench.sh

# The command parser under libFuzzer: make fuzz FUZZ_SECONDS=1800.
# New crashes land in build/fuzz/; the committed corpus is fuzz/corpus/.
FUZZ_SECONDS ?= 60
FUZZ_SRCS := $(REPO)/fuzz/tlbt_cmd_fuzz.c $(REPO)/module/tlbt_cmd.c
fuzz:
	$(REPO)/scripts/install-deps.sh --fuzz
	mkdir -p $(REPO)/build/fuzz/corpus
	clang -O1 -g -Wall -Wextra -fsanitize=fuzzer,address,undefined \
		-o $(REPO)/build/fuzz/tlbt_cmd_fuzz $(FUZZ_SRCS)
	cd $(REPO)/build/fuzz && ./tlbt_cmd_fuzz -max_total_time=$(FUZZ_SECONDS) \
		-max_len=600 -print_final_stats=1 corpus $(REPO)/fuzz/corpus

# The committed corpus through the same invariants, with gcc alone.
fuzz-replay:
	mkdir -p $(REPO)/build/fuzz
	$(CC) -O1 -g -Wall -Wextra -fsanitize=address,undefined \
		-o $(REPO)/build/fuzz/replay $(REPO)/fuzz/replay.c $(FUZZ_SRCS)
	$(REPO)/build/fuzz/replay $(REPO)/fuzz/corpus

selftests:
	$(MAKE) -C $(REPO)/selftests

# make install: the module into /lib/modules/<kver>/extra/module/ (kbuild's
# modules_install keeps the source subdirectory; INSTALL_MOD_PATH respected), the runner into $(DESTDIR)$(PREFIX)/bin, and the selftests in
# kselftest's install layout under $(DESTDIR)$(PREFIX)/libexec/tlbtorture
# (selftests/Makefile's install): run_kselftest.sh, kselftest/,
# kselftest-list.txt, tlbtorture/<tests, tlbtorture.sh, settings, config>.
# The wrapper there finds the module modprobe finds.
PREFIX ?= /usr/local
KSFT_INSTALL := $(DESTDIR)$(PREFIX)/libexec/tlbtorture
# Debian's include/config/kernel.release holds the upstream version; the
# release modules install under is UTS_RELEASE. (KREL, not KVER: that is
# the guest kernel series.)
KREL := $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
MOD_DEST := $(INSTALL_MOD_PATH)/lib/modules/$(KREL)/extra/module

install: all
	$(MAKE) -C $(KDIR) M=$(REPO) INSTALL_MOD_DIR=extra modules_install
	@# Debian's headers have no System.map, so kbuild skips depmod.
	-[ -n "$(INSTALL_MOD_PATH)" ] || depmod $(KREL)
	install -D -m 0755 $(REPO)/selftests/build/tlbtorture $(DESTDIR)$(PREFIX)/bin/tlbtorture
	$(MAKE) -C $(REPO)/selftests install INSTALL_PATH=$(KSFT_INSTALL)

# The release make install installs for (KDIR's).
print-kver: kdir
	@echo $(KREL)

uninstall: kdir
	rm -f $(MOD_DEST)/tlbtorture.ko $(MOD_DEST)/tlbtorture.ko.xz
	-rmdir $(MOD_DEST) 2>/dev/null
	rm -f $(DESTDIR)$(PREFIX)/bin/tlbtorture
	rm -rf $(KSFT_INSTALL)
	-[ -n "$(INSTALL_MOD_PATH)" ] || depmod $(KREL)

clean: clean-module
	-$(MAKE) -C $(REPO)/selftests clean
	rm -rf $(REPO)/build
