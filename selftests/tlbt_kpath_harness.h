/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kselftest_harness.h for the kernel-path tests. What a test needs (two
 * NUMA nodes, swap, the module, tracefs) is checked by that test, which
 * skips naming itself and the reason: a program never skips whole, so
 * its other tests (module-only controls, say) still run.
 */
#ifndef TLBT_KPATH_HARNESS_H
#define TLBT_KPATH_HARNESS_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The 6.1 harness has unused parameters; this suite builds with -Wextra. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
/* 6.12's TEST_F() wrapper: see tlbt_harness.h. */
#pragma GCC diagnostic ignored "-Wclobbered"
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

/* What the machine lacks of @needs (TLBT_KP_NEED_*), or NULL. */
static inline const char *tlbt_kp_unmet(unsigned int needs)
{
	const char *why = NULL;
	int nodes[64];

	if (geteuid() != 0)
		return "not root: the kernel-path tests count with tracefs and drop caches";
	if (needs & TLBT_KP_NEED_MODULE)
		why = tlbt_module_unusable();
	if (why)
		return why;
	if ((needs & TLBT_KP_NEED_NUMA) && tlbt_kp_nodes(nodes, 64) < 2)
		return "needs 2 NUMA nodes with memory";
	if ((needs & TLBT_KP_NEED_SWAP) && !tlbt_kp_have_swap())
		return "needs swap (/proc/swaps is empty)";
	return NULL;
}

/*
 * Skip the test unless the machine has what it needs. Use it before any
 * EXPECT: SKIP marks the test passed-and-skipped, hiding a failure
 * recorded before it. The 6.1 harness prints only the reason on the TAP
 * line, so it names the test, and a variant by @what.
 */
#define TLBT_KP_REQUIRE_AS(what, needs) do {				\
	const char *__why = tlbt_kp_unmet(needs);			\
									\
	if (__why)							\
		SKIP(return, "%s (%s): %s", _metadata->name, (what),	\
		     __why);						\
} while (0)

#define TLBT_KP_REQUIRE(needs) do {					\
	const char *__why = tlbt_kp_unmet(needs);			\
									\
	if (__why)							\
		SKIP(return, "%s: %s", _metadata->name, __why);		\
} while (0)

static inline bool __tlbt_kp_ran(struct __test_metadata *_metadata, int ret,
				 const struct tlbt_kp_result *r, bool counted)
{
	if (ret == -EOPNOTSUPP)
		SKIP(return false, "%s (%s): %s", _metadata->name, r->op,
		     r->skip);
	tlbt_kp_log(_metadata, r);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", r->op, strerror(-ret));
	if (counted && !r->fl.valid)
		SKIP(return false, "%s (%s): no tracefs hist trigger: tlb:tlb_flush not counted",
		     _metadata->name, r->op);
	if (counted && r->fl.lost)
		SKIP(return false, "%s (%s): %llu tlb:tlb_flush events dropped by the histogram: counts incomplete",
		     _metadata->name, r->op, r->fl.lost);
	/* each scenario removes the tracefs instance it made */
	EXPECT_EQ(0, tlbt_kp_trace_leftovers());
	return true;
}

/*
 * Log a scenario's result. False when it cannot run here: the test is
 * then skipped, with a reason that names it and the operation (the 6.1
 * harness prints only the reason on the TAP line), and must return. A
 * failed run fails it.
 */
static inline bool tlbt_kp_ran(struct __test_metadata *_metadata, int ret,
			       const struct tlbt_kp_result *r)
{
	return __tlbt_kp_ran(_metadata, ret, r, false);
}

/*
 * The same for a test whose assertions are flush counts: without the
 * counts (no tracefs, or events lost) it skips, before asserting
 * anything. Flush counts are measurements of what the kernel's code
 * does, not corruption verdicts: those are tlbt_kpath_race_test's.
 */
static inline bool tlbt_kp_counted(struct __test_metadata *_metadata, int ret,
				   const struct tlbt_kp_result *r)
{
	return __tlbt_kp_ran(_metadata, ret, r, true);
}

/*
 * The flushes the issuing thread made. Each has a local part on the
 * issuer's CPU, which runs the mm ("local mm shootdown"; "local
 * shootdown" for a batched flush, which names no mm), and sends IPIs
 * ("remote ipi send") only when another CPU holds the mm at that moment.
 * Spinners and workers usually do; on 2 vCPUs the one worker's CPU
 * sometimes runs another task, the kernel rightly sends nothing, and a
 * bound on sends comes up short (check-matrix 5level-pti-2: 78 sends for
 * 40 moves of 2 flushes). And a local part whose CPU a concurrent flush
 * already caught up returns before its trace (flush_tlb_func():
 * new_tlb_gen <= local_tlb_gen, 6.1 and 6.12): 10 zaps once showed 10
 * sends and 9 local parts. So the flushes are counted as whichever of
 * the two was seen more often, which is never more than were made.
 */
static inline unsigned long long
tlbt_kp_issuer_flushes(const struct tlbt_kp_flushes *f)
{
	unsigned long long local = f->issuer[TLBT_KP_LOCAL_MM_SHOOTDOWN] +
				   f->issuer[TLBT_KP_LOCAL_SHOOTDOWN];
	unsigned long long sent = f->issuer[TLBT_KP_REMOTE_SEND_IPI];

	return local > sent ? local : sent;
}

/*
 * Expect @lo <= the issuer's flushes <= @hi, and no more sends than
 * flushes. Within bounds but with no send at all, the flushes never met
 * another CPU: the test skips (checked last, as SKIP would hide a
 * failure recorded before it).
 */
#define TLBT_KP_EXPECT_FLUSHES(r, lo, hi) do {					unsigned long long __lo = (lo), __hi = (hi);				unsigned long long __f = tlbt_kp_issuer_flushes(&(r)->fl);		unsigned long long __ipi =							(r)->fl.issuer[TLBT_KP_REMOTE_SEND_IPI];												TH_LOG("issuer flushes %llu, bounds %llu..%llu; %llu sent to other CPUs", 	       __f, __lo, __hi, __ipi);						if (__lo <= __f && __f <= __hi && __ipi <= __f && !__ipi)			SKIP(return, "%s (%s): no flush reached another CPU",			     _metadata->name, (r)->op);					EXPECT_LE(__lo, __f);							EXPECT_GE(__hi, __f);							EXPECT_GE(__f, __ipi);						} while (0)

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

/*
 * TEST_HARNESS_MAIN with a program-level skip when @needs() gives a
 * reason. Only tlbt_kpath_race_test.c still ends with it (and needs
 * nothing); the other kpath tests check requirements per test
 * (TLBT_KP_REQUIRE) and end with plain TEST_HARNESS_MAIN. No
 * constructor-order hook, so it builds against 6.12's harness, which
 * has no __constructor_order; 6.1's registers in declaration order
 * without it (a test registered before __constructor_order_first() ran
 * is prepended, which is what a backward constructor order needs).
 */
static inline const char *tlbt_kp_no_reason(void)
{
	return NULL;
}

static inline int tlbt_kp_harness_run(int argc, char **argv, const char *why)
{
	if (why) {
		ksft_print_header();
		ksft_exit_skip("%s\n", why);
	}
	return test_harness_run(argc, argv);
}

#define TLBT_KP_HARNESS_MAIN(needs)					\
	int main(int argc, char **argv)					\
	{								\
		return tlbt_kp_harness_run(argc, argv, needs());	\
	}

#endif /* TLBT_KPATH_HARNESS_H */
