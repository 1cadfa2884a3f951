/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kselftest_harness.h for the kernel-path tests: they need no module, so
 * their main() skips only when the machine lacks what the whole program
 * needs (two NUMA nodes, swap), with the usual exit code 4.
 */
#ifndef TLBT_KPATH_HARNESS_H
#define TLBT_KPATH_HARNESS_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The 6.1 harness has unused parameters; this suite builds with -Wextra. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#include "libkpath.h"
#include "libtlbt.h"

/* Seconds per test: TCG guests run everything ~50 times slower. */
#define KP_TIMEOUT	120

static inline void tlbt_kp_log(struct __test_metadata *_metadata,
			       const struct tlbt_kp_result *r)
{
	const struct tlbt_kp_flushes *f = &r->fl;

	TH_LOG("%s: %zu pages, %llu ops in %llu rounds, %.2f s",
	       r->op, r->pages, r->ops, r->rounds, r->secs);
	if (r->o.workers)
		TH_LOG("workers %u: increments %llu, lost %llu, foreign %llu, stale %llu, foreign reads %llu, bad reads %llu of %llu (first 0x%llx), faults %llu",
		       r->o.workers, r->o.increments, r->o.lost_increments,
		       r->o.foreign, r->o.stale_reads, r->o.foreign_reads,
		       r->o.bad_reads, r->o.reads,
		       (unsigned long long)r->o.first_bad, r->o.faults);
	if (f->valid)
		TH_LOG("tlb_flush: issuer ipi-send %llu (full %llu, %llu pages), all threads: ipi-send %llu, remote %llu, local %llu, local-mm %llu, task-switch %llu%s; %.4f shootdowns/page",
		       f->issuer[TLBT_KP_REMOTE_SEND_IPI], f->ipi_full,
		       f->ipi_pages, f->n[TLBT_KP_REMOTE_SEND_IPI],
		       f->n[TLBT_KP_REMOTE_SHOOTDOWN],
		       f->n[TLBT_KP_LOCAL_SHOOTDOWN],
		       f->n[TLBT_KP_LOCAL_MM_SHOOTDOWN],
		       f->n[TLBT_KP_TASK_SWITCH],
		       f->lost ? " (events lost)" : "",
		       tlbt_kp_shootdowns_per_page(r));
	if (r->inval_valid)
		TH_LOG("notifier: %llu starts, %llu ends, %llu unmatched, %llu bytes, %.3f per byte",
		       r->inval_starts, r->inval_ends, r->inval_unmatched,
		       r->inval_bytes, tlbt_kp_inval_per_byte(r));
}

/*
 * Log a scenario's result. False when it cannot run here: the test is
 * then skipped, with a reason that names it (the 6.1 harness prints only
 * the reason on the TAP line), and must return. A failed run fails it.
 */
static inline bool tlbt_kp_ran(struct __test_metadata *_metadata, int ret,
			       const struct tlbt_kp_result *r)
{
	if (ret == -EOPNOTSUPP)
		SKIP(return false, "%s: %s", _metadata->name, r->skip);
	tlbt_kp_log(_metadata, r);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", r->op, strerror(-ret));
	/* each scenario removes the tracefs instance it made */
	EXPECT_EQ(0, tlbt_kp_trace_leftovers());
	return true;
}

/* The same for a positive control on the module's arena. */
static inline bool tlbt_kp_arena_ran(struct __test_metadata *_metadata,
				     const char *cmd, int ret,
				     const struct tlbt_kp_result *r,
				     const struct tlbt_result *res)
{
	if (ret == -EOPNOTSUPP)
		SKIP(return false, "%s: %s", _metadata->name, r->skip);
	TH_LOG("%s", cmd);
	tlbt_kp_log(_metadata, r);
	ASSERT_EQ(0, ret) TH_LOG("%s", strerror(-ret));
	TH_LOG("module: poison %llu, leaked %llu pages, lost_dirty %llu, shootdowns %llu",
	       res->poison_hits, res->leaked_pages, res->lost_dirty,
	       res->shootdowns);
	return true;
}

/* For TLBT_KP_HARNESS_MAIN: nothing the whole program needs. */
static inline const char *tlbt_kp_no_reason(void)
{
	return NULL;
}

/* Skip the whole program, TAP-style, when @why says it cannot run. */
static inline int tlbt_kp_harness_run(int argc, char **argv, const char *why)
{
	if (why) {
		ksft_print_header();
		ksft_exit_skip("%s\n", why);
	}
	return test_harness_run(argc, argv);
}

/*
 * TEST_HARNESS_MAIN, skipping the whole program when @needs() returns a
 * reason. Use it last in the file (see TEST_HARNESS_MAIN).
 */
#define TLBT_KP_HARNESS_MAIN(needs)					\
	static void __attribute__((constructor))			\
	__constructor_order_last(void)					\
	{								\
		if (!__constructor_order)				\
			__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD; \
	}								\
	int main(int argc, char **argv)					\
	{								\
		exit(tlbt_kp_harness_run(argc, argv, needs()));		\
	}

#endif /* TLBT_KPATH_HARNESS_H */
