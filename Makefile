# SPDX-License-Identifier: GPL-2.0
# tlbtorture: build the module and the selftests, run them in a QEMU guest.

REPO := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
GUEST_KVER ?= $(shell $(REPO)/scripts/guest-kernel.sh 2>/dev/null)
ifneq ($(wildcard /lib/modules/$(shell uname -r)/build),)
KDIR ?= /lib/modules/$(shell uname -r)/build
else
KDIR ?= /lib/modules/$(GUEST_KVER)/build
endif

.PHONY: all module selftests clean clean-module check run deps fuzz fuzz-replay \
	install uninstall trace check-debug check-matrix bench

all: module selftests

# W=1 always: the module must stay warning-free with it.
module:
	$(MAKE) -C $(KDIR) M=$(REPO) W=1 modules

clean-module:
	$(MAKE) -C $(KDIR) M=$(REPO) clean

# Installs missing Debian packages, builds, checks on the host, then runs
# the kselftests in a QEMU guest.
check:
	$(REPO)/scripts/check.sh

# The suite and the stress tests under a debug kernel (KASAN, lockdep, ...).
check-debug:
	$(REPO)/scripts/check-debug.sh

# The suite in several guest configurations (paging, PTI, vCPUs).
check-matrix:
	$(REPO)/scripts/check-matrix.sh

# The headline matrix in the guest.
# Deps first, then a fresh make: KDIR depends on what was installed.
run: deps
	$(MAKE) -C $(REPO) all
	$(REPO)/scripts/run-vm.sh --job run

deps:
	$(REPO)/scripts/install-deps.sh

# One sequence under trace-cmd in the guest: per-phase summary on stdout,
# build/trace.dat for kernelshark. Options separated by commas.
TRACE ?= migrate,--flush=batched,--pages=64,--rounds=20
trace: deps
	$(MAKE) -C $(REPO) all
	$(REPO)/scripts/vm-trace.sh '$(TRACE)'

# The flush-cost sweeps in the guest, plotted on the host: build/bench.txt,
# build/bench.{csv,png}, build/ceiling.{csv,png}. BENCH='--pages=1,8,64'
# passes options to tlbtorture bench, CEILING to bench ceiling (skip: none).
bench: deps
	$(REPO)/scripts/install-deps.sh --bench
	$(MAKE) -C $(REPO) all
	BENCH='$(BENCH)' CEILING='$(CEILING)' $(REPO)/scripts/vm-bench.sh

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
# kselftest's install layout under $(DESTDIR)$(PREFIX)/libexec/tlbtorture:
# run_kselftest.sh, kselftest-list.txt, tlbtorture/<tests, settings, config>.
PREFIX ?= /usr/local
KSFT_INSTALL := $(DESTDIR)$(PREFIX)/libexec/tlbtorture
# Debian's include/config/kernel.release holds the upstream version; the
# release modules install under is UTS_RELEASE.
KVER := $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
MOD_DEST := $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/extra/module

install: all
	$(MAKE) -C $(KDIR) M=$(REPO) INSTALL_MOD_DIR=extra modules_install
	@# Debian's headers have no System.map, so kbuild skips depmod.
	-[ -n "$(INSTALL_MOD_PATH)" ] || depmod $(KVER)
	install -D -m 0755 $(REPO)/selftests/build/tlbtorture $(DESTDIR)$(PREFIX)/bin/tlbtorture
	install -d $(KSFT_INSTALL)/tlbtorture
	install -m 0755 $(REPO)/selftests/build/*_test $(KSFT_INSTALL)/tlbtorture/
	install -m 0644 $(REPO)/selftests/settings $(REPO)/selftests/config $(KSFT_INSTALL)/tlbtorture/
	install -m 0755 $(REPO)/scripts/run_kselftest.sh $(KSFT_INSTALL)/run_kselftest.sh
	cd $(KSFT_INSTALL)/tlbtorture && ls *_test | sed 's/^/tlbtorture:/' >../kselftest-list.txt

print-kver:
	@echo $(KVER)

uninstall:
	rm -f $(MOD_DEST)/tlbtorture.ko $(MOD_DEST)/tlbtorture.ko.xz
	-rmdir $(MOD_DEST) 2>/dev/null
	rm -f $(DESTDIR)$(PREFIX)/bin/tlbtorture
	rm -rf $(KSFT_INSTALL)
	-[ -n "$(INSTALL_MOD_PATH)" ] || depmod $(KVER)

clean: clean-module
	-$(MAKE) -C $(REPO)/selftests clean
	rm -rf $(REPO)/build
