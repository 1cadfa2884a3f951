// SPDX-License-Identifier: GPL-2.0
/*
 * Positive controls for the kernel-path workers (tlbt_workers.c), the oracle
 * behind every data verdict of tlbt_kpath_race_test: what a stale TLB
 * entry would make them see, they must report.
 *
 * - A foreign value planted in a page they read (no module needed).
 * - A user-space copy published late while they still write the old
 *   copy: the hazard of copy-before-flush (no module needed).
 * - With the module, the arena's unsafe-release-before-flush mremap,
 *   which really leaves stale entries to poisoned frames behind: the
 *   CVE-2018-18281 order, whose real-kernel race is race.mremap_truncate.
 *   Seen by readers and by incrementing workers, except where PTI
 *   without PCID masks it (see TLBT_PTI_MASKS_MREMAP), which is then
 *   asserted instead.
 */
#include "tlbt_kpath_harness.h"

FIXTURE(control) {
};

FIXTURE_SETUP(control)
{
}

FIXTURE_TEARDOWN(control)
{
}

TEST_F_TIMEOUT(control, planted_foreign_value_is_seen_by_every_reader,
	       KP_TIMEOUT)
{
	struct tlbt_kp_opts op = { .pages = 16 };
	struct tlbt_kp_result r;

	if (!tlbt_kp_ran(_metadata, tlbt_kp_control_planted(&op, &r), &r))
		return;
	EXPECT_LE(r.o.workers, r.o.bad_reads);
	EXPECT_EQ(TLBT_KP_FOREIGN, r.o.first_bad);
}

/* The user-space oracle must see writes lost behind its back. */
TEST_F_TIMEOUT(control, copy_before_publish_loses_increments, KP_TIMEOUT)
{
	struct tlbt_kp_opts op = { .pages = 64, .rounds = 10 };
	struct tlbt_kp_result r;

	if (!tlbt_kp_ran(_metadata,
			 tlbt_kp_control_copy_before_publish(&op, &r), &r))
		return;
	EXPECT_LT(0ULL, r.o.lost_increments) TH_LOG("oracle missed it");
}

TEST_F_TIMEOUT(control, arena_release_before_flush_is_seen_by_readers,
	       KP_TIMEOUT)
{
	const char *cmd =
		"mremap pages=16 dst=16 rounds=100 flush=unsafe-release-before-flush";
	struct tlbt_kp_result r;
	struct tlbt_result res;

	TLBT_KP_REQUIRE(TLBT_KP_NEED_MODULE);
	if (!tlbt_kp_arena_ran(_metadata, cmd,
			       tlbt_kp_control_arena(cmd, 32, 16, TLBT_KP_READ,
						     &r, &res),
			       &r, &res))
		return;
	if (tlbt_mremap_masked(res.punch)) {
		TH_LOG(TLBT_PTI_MASKS_MREMAP);
		/* the race: flush handlers ran on the readers' CPUs */
		EXPECT_LT(res.shootdowns, res.cpu_flushes);
		EXPECT_EQ(0ULL, r.o.bad_reads);
		return;
	}
	EXPECT_LT(0ULL, r.o.bad_reads) TH_LOG("readers missed it");
}

/* The same release before the flush, under incrementing workers. */
TEST_F_TIMEOUT(control, arena_release_before_flush_is_caught, KP_TIMEOUT)
{
	const char *cmd =
		"mremap pages=64 dst=64 rounds=50 flush=unsafe-release-before-flush";
	struct tlbt_kp_result r;
	struct tlbt_result res;

	TLBT_KP_REQUIRE(TLBT_KP_NEED_MODULE);
	if (!tlbt_kp_arena_ran(_metadata, cmd,
			       tlbt_kp_control_arena(cmd, 128, 64,
						     TLBT_KP_INCREMENT, &r,
						     &res),
			       &r, &res))
		return;
	if (tlbt_mremap_masked(res.punch)) {
		TH_LOG(TLBT_PTI_MASKS_MREMAP);
		EXPECT_LT(res.shootdowns, res.cpu_flushes);
		EXPECT_EQ(0ULL, res.poison_hits);
		EXPECT_EQ(0ULL, r.o.lost_increments);
		return;
	}
	EXPECT_LT(0ULL, res.poison_hits) TH_LOG("module oracle missed it");
	EXPECT_LT(0ULL, r.o.lost_increments) TH_LOG("workers missed it");
}

TEST_HARNESS_MAIN
