// SPDX-License-Identifier: GPL-2.0
/*
 * Real mremap(MREMAP_MAYMOVE | MREMAP_FIXED) of anonymous, shmem and THP
 * regions, back and forth between two 2 MiB-aligned addresses, while a
 * worker on every other CPU does read-modify-write increments and
 * pattern reads, following the region through its published base. No
 * increment may be lost and no read may be stale.
 *
 * No module needed. The positive controls show that the same workers
 * and judgement catch lost writes: a user-space copy published late
 * while workers still write the old copy, and (with the module) the
 * arena's unsafe-release-before-flush mremap.
 */
#include "tlbt_kpath_harness.h"

#define ROUNDS		40
#define MIN_ROUNDS	10ULL	/* what a run must reach to mean anything */
#define MAX_MS		15000

FIXTURE(mremap) {
};

FIXTURE_VARIANT(mremap) {
	enum tlbt_kp_mem mem;
	size_t pages;
};

FIXTURE_VARIANT_ADD(mremap, anon) { .mem = TLBT_KP_ANON, .pages = 64 };
FIXTURE_VARIANT_ADD(mremap, shmem) { .mem = TLBT_KP_SHMEM, .pages = 64 };
FIXTURE_VARIANT_ADD(mremap, thp) { .mem = TLBT_KP_THP, .pages = 512 };

FIXTURE_SETUP(mremap)
{
}

FIXTURE_TEARDOWN(mremap)
{
}

/*
 * Remote shootdowns per mremap(), measured in the 4-vCPU guest: 2 for
 * 64 pages (one for the moved entries: since the CVE-2018-18281 fix
 * move_ptes() flushes under the PTE lock, once per page table whatever
 * the number of pages; one when the emptied source page table is freed),
 * 1 for a THP (one PMD). Remote CPUs hold TLB entries for every page, so
 * a move without a remote shootdown would be the bug itself.
 */
#define MREMAP_MAX_SHOOTDOWNS	3

TEST_F_TIMEOUT(mremap, back_and_forth_loses_nothing, KP_TIMEOUT)
{
	struct tlbt_kp_opts op = {
		.mem = variant->mem, .pages = variant->pages,
		.rounds = ROUNDS, .max_ms = MAX_MS, .trace = true,
	};
	struct tlbt_kp_result r;

	if (!tlbt_kp_ran(_metadata, tlbt_kp_run_mremap(&op, &r), &r))
		return;
	EXPECT_LE(MIN_ROUNDS, r.ops);
	EXPECT_LT(0ULL, r.o.increments) TH_LOG("workers did not run");
	EXPECT_EQ(0ULL, r.o.lost_increments);
	EXPECT_EQ(0ULL, r.o.foreign);
	EXPECT_EQ(0ULL, r.o.stale_reads);
	EXPECT_EQ(0ULL, r.o.foreign_reads);
	EXPECT_EQ(0ULL, r.o.bad_reads);
	if (variant->mem == TLBT_KP_THP)
		EXPECT_TRUE(r.thp_kept) TH_LOG("the THP was split on the way");
	if (!r.fl.valid) {
		TH_LOG("no tracefs: flushes not counted");
		return;
	}
	EXPECT_LE(r.ops, r.fl.issuer[TLBT_KP_REMOTE_SEND_IPI]);
	EXPECT_GE(MREMAP_MAX_SHOOTDOWNS * r.ops,
		  r.fl.issuer[TLBT_KP_REMOTE_SEND_IPI]);
}

FIXTURE(control) {
};

FIXTURE_SETUP(control)
{
}

FIXTURE_TEARDOWN(control)
{
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

/*
 * The arena's mremap releases frames to its poisoned pool before the
 * deferred flush of the source: the CVE-2018-18281 order. The
 * kernel-path workers must lose increments on it.
 */
TEST_F_TIMEOUT(control, arena_release_before_flush_is_caught, KP_TIMEOUT)
{
	const char *cmd =
		"mremap pages=64 dst=64 rounds=50 flush=unsafe-release-before-flush";
	struct tlbt_kp_result r;
	struct tlbt_result res;

	if (!tlbt_kp_arena_ran(_metadata, cmd,
			       tlbt_kp_control_arena(cmd, 128, 64,
						     TLBT_KP_INCREMENT, &r,
						     &res),
			       &r, &res))
		return;
	if (tlbt_pti_without_pcid()) {
		TH_LOG(TLBT_PTI_MASKS_MREMAP);
		EXPECT_LE(res.rounds_done, res.ipis);
		EXPECT_EQ(0ULL, res.poison_hits);
		EXPECT_EQ(0ULL, r.o.lost_increments);
		return;
	}
	EXPECT_LT(0ULL, res.poison_hits) TH_LOG("module oracle missed it");
	EXPECT_LT(0ULL, r.o.lost_increments) TH_LOG("workers missed it");
}

TLBT_KP_HARNESS_MAIN(tlbt_kp_no_reason)
