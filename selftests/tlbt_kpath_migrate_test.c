// SPDX-License-Identifier: GPL-2.0
/*
 * Real migration: move_pages() of a region between two NUMA nodes, back
 * and forth, while a worker on every other CPU does read-modify-write
 * increments and pattern reads. No increment may be lost, and every
 * entry of move_pages()'s status array must show the target node, which
 * is always the node the page was not on.
 *
 * Needs two NUMA nodes with memory (QEMU's -numa in the guest): the
 * whole program skips with exit 4 otherwise. No module needed, except
 * for the arena control.
 */
#include "tlbt_kpath_harness.h"

#define ROUNDS		20
#define MIN_ROUNDS	3ULL
#define MAX_MS		20000

static const char *migrate_needs(void)
{
	int nodes[64];

	if (tlbt_kp_nodes(nodes, 64) < 2)
		return "needs 2 NUMA nodes with memory (/sys/devices/system/node/has_memory)";
	return NULL;
}

FIXTURE(migrate) {
};

FIXTURE_VARIANT(migrate) {
	enum tlbt_kp_mem mem;
	size_t pages;
};

FIXTURE_VARIANT_ADD(migrate, anon) { .mem = TLBT_KP_ANON, .pages = 64 };
FIXTURE_VARIANT_ADD(migrate, thp) { .mem = TLBT_KP_THP, .pages = 512 };

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
 * One move_pages() of 64 pages with idle spinners on the other CPUs:
 * 6.1 unmaps each page with a flush of its own (try_to_migrate_one()
 * calls ptep_clear_flush(); batched migration flushes came in 6.4), so
 * there are 64 shootdowns, exactly, as measured in the guest. From 6.4
 * on, at most 64.
 */
TEST_F_TIMEOUT(migrate_once, of_n_pages_sends_one_shootdown_per_page,
	       KP_TIMEOUT)
{
	struct tlbt_kp_opts op = { .pages = 64, .trace = true };
	struct tlbt_kp_result r;

	if (!tlbt_kp_ran(_metadata, tlbt_kp_run_migrate_once(&op, &r), &r))
		return;
	EXPECT_EQ(64ULL, r.moved);
	EXPECT_EQ(0ULL, r.o.bad_reads);
	if (!r.fl.valid)
		SKIP(return, "%s: no tracefs", _metadata->name);
	EXPECT_GE(64ULL, r.fl.issuer[TLBT_KP_REMOTE_SEND_IPI]);
	if (tlbt_kp_kernel_before(6, 4))
		EXPECT_EQ(64ULL, r.fl.issuer[TLBT_KP_REMOTE_SEND_IPI]);
}

FIXTURE(control) {
};

FIXTURE_SETUP(control)
{
}

FIXTURE_TEARDOWN(control)
{
}

TEST_F_TIMEOUT(control, copy_before_publish_loses_increments, KP_TIMEOUT)
{
	struct tlbt_kp_opts op = { .pages = 64, .rounds = 10 };
	struct tlbt_kp_result r;

	if (!tlbt_kp_ran(_metadata,
			 tlbt_kp_control_copy_before_publish(&op, &r), &r))
		return;
	EXPECT_LT(0ULL, r.o.lost_increments) TH_LOG("oracle missed it");
}

/* Copy before flush: writes through stale entries land in old frames. */
TEST_F_TIMEOUT(control, arena_copy_before_flush_is_caught, KP_TIMEOUT)
{
	const char *cmd =
		"migrate pages=64 rounds=50 flush=unsafe-copy-before-flush";
	struct tlbt_kp_result r;
	struct tlbt_result res;

	if (!tlbt_kp_arena_ran(_metadata, cmd,
			       tlbt_kp_control_arena(cmd, 64, 64,
						     TLBT_KP_INCREMENT, &r,
						     &res),
			       &r, &res))
		return;
	EXPECT_LT(0ULL, res.leaked_pages) TH_LOG("module oracle missed it");
	EXPECT_LT(0ULL, r.o.lost_increments) TH_LOG("workers missed it");
}

TLBT_KP_HARNESS_MAIN(migrate_needs)
