# SPDX-License-Identifier: GPL-2.0
#
# The kernel-path kselftests (libkpath) and "tlbtorture kernel".
#
# selftests/Makefile includes it at the end, after its own variables and
# rules (it uses OUTPUT, KSFT_DIR, KSFT_STAMP, CFLAGS, and LIB_SRCS, which
# brings the worker pool, tlbt_workers.c); the runner's sources there
# include $(KPATH_RUNNER_SRCS) for "tlbtorture kernel".

ifndef KSFT_STAMP
$(error kpath.mk: include it from selftests/Makefile, after its variables)
endif

KPATH_PROGS := tlbt_kpath_mremap_test tlbt_kpath_controls_test \
	       tlbt_kpath_migrate_test tlbt_kpath_reclaim_test \
	       tlbt_kpath_zap_test tlbt_kpath_notifier_test \
	       tlbt_kpath_race_test
KPATH_PROGS := $(addprefix $(OUTPUT)/,$(KPATH_PROGS))
KPATH_SRCS := libkpath.c libkpath_ops.c libkpath_race.c
KPATH_HDRS := libkpath.h tlbt_kpath_harness.h
KPATH_RUNNER_SRCS := tlbt_kernel_cmd.c $(KPATH_SRCS)

TEST_GEN_PROGS += $(KPATH_PROGS)

all: $(KPATH_PROGS)

# A static pattern rule: it wins over the Makefile's %_test pattern.
$(KPATH_PROGS): $(OUTPUT)/%: %.c $(KPATH_SRCS) $(KPATH_HDRS) $(LIB_SRCS) \
		$(LIB_HDRS) | $(OUTPUT) $(KSFT_STAMP)
	$(CC) $(CFLAGS) -I$(KSFT_DIR) -o $@ $< $(KPATH_SRCS) $(LIB_SRCS) $(LDLIBS)
