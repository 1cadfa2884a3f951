/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kselftest_harness.h plus a main() that skips the whole program, with
 * the usual exit code 4, when the tlbtorture module is not loaded.
 */
#ifndef TLBT_HARNESS_H
#define TLBT_HARNESS_H

/* The 6.1 harness has unused parameters; this suite builds with -Wextra. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#include "libtlbt.h"

/*
 * Workers run on the CPUs the command does not. The 6.1 harness prints
 * only the reason on the TAP skip line, so the reason names the test.
 */
#define ONE_CPU " needs 2 CPUs, one for the command and one for a worker"

/* Both oracles after one command raced by workers. */
struct tlbt_race {
	struct tlbt_result r;
	struct tlbt_oracle o;
	unsigned long long during;	/* increments while the command ran */
};

/*
 * Run @cmd while one worker per other CPU hammers arena pages [@first,
 * @first + @pages), then collect both oracles. The caller has checked
 * there are >= 2 CPUs.
 */
static inline void tlbt_run_raced(struct __test_metadata *_metadata,
				  struct tlbt_arena *a, size_t first,
				  size_t pages, const char *cmd,
				  struct tlbt_race *rc)
{
	unsigned long long before;
	struct tlbt_workers ws;
	int ret;

	ASSERT_EQ(0, tlbt_workers_start(&ws, tlbt_arena_page(a, first), pages,
					-1));
	ASSERT_LT(0U, ws.nr);
	before = tlbt_workers_progress(&ws);
	ret = tlbt_cmd(a, "%s", cmd);
	rc->during = tlbt_workers_progress(&ws) - before;
	ASSERT_EQ(0, tlbt_workers_stop(&ws, &rc->o));
	ASSERT_EQ(0, ret) TH_LOG("'%s': %s", cmd, strerror(-ret));
	ASSERT_EQ(0, tlbt_results_read(a, &rc->r));
	TH_LOG("%s", cmd);
	TH_LOG("workers %u: increments %llu (%llu while the command ran), lost %llu, foreign %llu, stale reads %llu",
	       rc->o.workers, rc->o.increments, rc->during,
	       rc->o.lost_increments, rc->o.foreign, rc->o.stale_reads);
	TH_LOG("module: leaked %llu pages %llu bytes, poison %llu, lost_dirty %llu; shootdowns %llu, ipis %llu, writebacks %llu, %llu ns/page",
	       rc->r.leaked_pages, rc->r.leaked_bytes, rc->r.poison_hits,
	       rc->r.lost_dirty, rc->r.shootdowns, rc->r.ipis,
	       rc->r.writebacks, rc->r.ns_per_page);
}

/* A safe policy: every round ran and neither oracle saw anything. */
static inline void tlbt_expect_no_corruption(struct __test_metadata *_metadata,
					     const struct tlbt_race *rc,
					     unsigned long long rounds)
{
	EXPECT_EQ(rounds, rc->r.rounds_done);
	EXPECT_LT(0ULL, rc->o.increments) TH_LOG("workers did not run");
	EXPECT_EQ(0ULL, rc->o.lost_increments);
	EXPECT_EQ(0ULL, rc->o.foreign);
	/* a worker never reads its own slot going backwards */
	EXPECT_EQ(0ULL, rc->o.stale_reads);
	EXPECT_EQ(0ULL, rc->o.foreign_reads);
	EXPECT_EQ(0ULL, rc->r.leaked_pages);
	EXPECT_EQ(0ULL, rc->r.leaked_bytes);
	EXPECT_EQ(0ULL, rc->r.poison_hits);
	EXPECT_EQ(0ULL, rc->r.lost_dirty);
	if (!rc->during)
		TH_LOG("note: no increments counted while the command ran");
}

/* Skip the whole program, TAP-style, when there is nothing to test. */
static inline int tlbt_harness_run(int argc, char **argv)
{
	if (!tlbt_module_loaded()) {
		ksft_print_header();
		ksft_exit_skip("tlbtorture module not loaded\n");
	}
	return test_harness_run(argc, argv);
}

/*
 * TEST_HARNESS_MAIN with the module check in front. Use it last in the
 * file: the constructor tells the harness in which order constructors
 * ran, so that tests run in the order they are written.
 */
#define TLBT_HARNESS_MAIN						\
	static void __attribute__((constructor))			\
	__constructor_order_last(void)					\
	{								\
		if (!__constructor_order)				\
			__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD; \
	}								\
	int main(int argc, char **argv)					\
	{								\
		exit(tlbt_harness_run(argc, argv));			\
	}

#endif /* TLBT_HARNESS_H */
