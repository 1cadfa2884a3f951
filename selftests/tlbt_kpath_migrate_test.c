// SPDX-License-Identifier: GPL-2.0
/*
 * Real migration: move_pages() of a region between two NUMA nodes, back
 * and forth, while a worker on every other CPU does read-modify-write
 * increments and pattern reads. No increment may be lost, and every
 * entry of move_pages()'s status array must show the target node, which
 * is always the node the page was not on. (The race verdict that proves
 * it reached its window is race.migrate, tlbt_kpath_race_test.)
 *
 * Tests that migrate need two NUMA nodes with memory (QEMU's -numa in
 * the guest) and skip without them; the arena control needs only the
 * module.
 */
#include "tlbt_kpath_harness.h"

#define ROUNDS		20
#define MIN_ROUNDS	3ULL
#define MAX_MS		20000
#define ONCE_PAGES	64ULL

FIXTURE(migrate) {
};

FIXTURE_VARIANT(migrate) {
	const char *name;
	enum tlbt_kp_mem mem;
	size_t pages;
};

FIXTURE_VARIANT_ADD(migrate, anon) {
	.name = "anon", .mem = TLBT_KP_ANON, .pages = 64,
};
FIXTURE_VARIANT_ADD(migrate, thp) {
	.name = "thp", .mem = TLBT_KP_THP, .pages = 512,
};

FIXTURE_SETUP(migrate)
{
}

FIXTURE_TEARDOWN(migrate)
{
}

TEST_F_TIMEOUT(migrate, move_pages_back_and_forth_loses_nothing,
	       KP_TIMEOUT)
{
	struct tlbt_kp_opts op = {
		.mem = variant->mem, .pages = variant->pages,
		.rounds = ROUNDS, .max_ms = MAX_MS, .trace = true,
	};
	struct tlbt_kp_result r;

	TLBT_KP_REQUIRE_AS(variant->name, TLBT_KP_NEED_NUMA);
	if (!tlbt_kp_ran(_metadata, tlbt_kp_run_migrate(&op, &r), &r))
		return;
	TH_LOG("status: %llu pages on the target node, %llu not (first errno %llu)",
	       r.moved, r.not_moved, r.first_errno);
	EXPECT_LE(MIN_ROUNDS, r.ops);
	EXPECT_LT(0ULL, r.o.increments) TH_LOG("workers did not run");
	EXPECT_EQ(r.pages * r.ops, r.moved);
	EXPECT_EQ(0ULL, r.not_moved);
	EXPECT_EQ(0ULL, r.o.lost_increments);
	EXPECT_EQ(0ULL, r.o.foreign);
	EXPECT_EQ(0ULL, r.o.stale_reads);
	EXPECT_EQ(0ULL, r.o.foreign_reads);
	EXPECT_EQ(0ULL, r.o.bad_reads);
	if (variant->mem == TLBT_KP_THP)
		EXPECT_TRUE(r.thp_kept) TH_LOG("the THP was split on the way");
}

FIXTURE(migrate_once) {
};

FIXTURE_SETUP(migrate_once)
{
}

FIXTURE_TEARDOWN(migrate_once)
{
}

/*
 * A measurement, not a corruption verdict: the shootdowns one
 * move_pages() of 64 idle pages sends, spinners keeping the mm loaded
 * on the other CPUs (so every flush is remote), from the kernel's code:
 *
 * - before 6.4, try_to_migrate_one() unmaps each page with
 *   ptep_clear_flush(), and nothing else in the path flushes: one per
 *   page, 64 exactly;
 * - from 6.4 on, migrate_pages_batch() unmaps the batch (up to 512
 *   pages) with TTU_BATCH_FLUSH and flushes it once, and only retries,
 *   or the synchronous one-page-at-a-time fallback for pages the batch
 *   failed, flush again: at least 1, at most one per page.
 *
 * Zero would mean the unmap was never flushed at all.
 */
TEST_F_TIMEOUT(migrate_once, measure_shootdowns_of_one_move_pages,
	       KP_TIMEOUT)
{
	struct tlbt_kp_opts op = { .pages = ONCE_PAGES, .trace = true };
	unsigned long long min = tlbt_kp_kernel_before(6, 4) ? ONCE_PAGES : 1;
	struct tlbt_kp_result r;

	TLBT_KP_REQUIRE(TLBT_KP_NEED_NUMA);
	if (!tlbt_kp_counted(_metadata, tlbt_kp_run_migrate_once(&op, &r),
			     &r))
		return;
	/* what the bounds assume: every page moved, none was harmed */
	EXPECT_EQ(ONCE_PAGES, r.moved);
	EXPECT_EQ(0ULL, r.o.bad_reads);
	TLBT_KP_EXPECT_FLUSHES(&r, min, ONCE_PAGES);
}

FIXTURE(control) {
};

FIXTURE_SETUP(control)
{
}

FIXTURE_TEARDOWN(control)
{
}

/* Copy before flush: writes through stale entries land in old frames. */
TEST_F_TIMEOUT(control, arena_copy_before_flush_is_caught, KP_TIMEOUT)
{
	const char *cmd =
		"migrate pages=64 rounds=50 flush=unsafe-copy-before-flush";
	struct tlbt_kp_result r;
	struct tlbt_result res;

	TLBT_KP_REQUIRE(TLBT_KP_NEED_MODULE);
	if (!tlbt_kp_arena_ran(_metadata, cmd,
			       tlbt_kp_control_arena(cmd, 64, 64,
						     TLBT_KP_INCREMENT, &r,
						     &res),
			       &r, &res))
		return;
	EXPECT_LT(0ULL, res.leaked_pages) TH_LOG("module oracle missed it");
	EXPECT_LT(0ULL, r.o.lost_increments) TH_LOG("workers missed it");
}

TEST_HARNESS_MAIN
