# SPDX-License-Identifier: GPL-2.0
#
# The kernel-path kselftests (libkpath) and "tlbtorture kernel".
#
# selftests/Makefile includes it before lib.mk and adds the rules; the
# runner's sources there include $(KPATH_RUNNER_SRCS) for "tlbtorture
# kernel".

KPATH_TESTS := tlbt_kpath_mremap_test tlbt_kpath_controls_test \
	       tlbt_kpath_migrate_test tlbt_kpath_reclaim_test \
	       tlbt_kpath_zap_test tlbt_kpath_notifier_test \
	       tlbt_kpath_race_test
# Recursive: OUTPUT is lib.mk's in a kernel tree, set after this file.
TLBT_KPATH_PROGS = $(addprefix $(OUTPUT)/,$(KPATH_TESTS))
KPATH_SRCS := libkpath.c libkpath_ops.c libkpath_race.c
KPATH_HDRS := libkpath.h tlbt_kpath_harness.h
KPATH_RUNNER_SRCS := tlbt_kernel_cmd.c $(KPATH_SRCS)

TLBT_TESTS += $(KPATH_TESTS)
