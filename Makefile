# SPDX-License-Identifier: GPL-2.0
# tlbtorture: build the module and the selftests, run them in a QEMU guest.

REPO := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
GUEST_KVER ?= $(shell $(REPO)/scripts/guest-kernel.sh 2>/dev/null)
ifneq ($(wildcard /lib/modules/$(shell uname -r)/build),)
KDIR ?= /lib/modules/$(shell uname -r)/build
else
KDIR ?= /lib/modules/$(GUEST_KVER)/build
endif

.PHONY: all module selftests clean clean-module check run deps

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

# The headline matrix in the guest.
# Deps first, then a fresh make: KDIR depends on what was installed.
run: deps
	$(MAKE) -C $(REPO) all
	$(REPO)/scripts/run-vm.sh --job run

deps:
	$(REPO)/scripts/install-deps.sh

selftests:
	$(MAKE) -C $(REPO)/selftests

clean: clean-module
	-$(MAKE) -C $(REPO)/selftests clean
	rm -rf $(REPO)/build
