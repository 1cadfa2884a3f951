# SPDX-License-Identifier: GPL-2.0
# tlbtorture: build the module and the selftests, run them in a QEMU guest.

REPO := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
GUEST_KVER ?= $(shell $(REPO)/scripts/guest-kernel.sh 2>/dev/null)
ifneq ($(wildcard /lib/modules/$(shell uname -r)/build),)
KDIR ?= /lib/modules/$(shell uname -r)/build
else
KDIR ?= /lib/modules/$(GUEST_KVER)/build
endif

.PHONY: all module selftests clean check run deps

all: module selftests

module:
	$(MAKE) -C $(KDIR) M=$(REPO) modules

selftests:
	$(MAKE) -C $(REPO)/selftests

clean:
	-$(MAKE) -C $(KDIR) M=$(REPO) clean
	-$(MAKE) -C $(REPO)/selftests clean
	rm -rf $(REPO)/build
