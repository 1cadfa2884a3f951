// SPDX-License-Identifier: GPL-2.0
/*
 * A measurement, not a corruption verdict: the remote TLB shootdowns
 * that real mremap(MREMAP_MAYMOVE | MREMAP_FIXED) sends, moving
 * anonymous, shmem and THP regions back and forth between two 2 MiB
 * aligned slots while a worker on every other CPU keeps a TLB entry for
 * every page (each move waits until every worker made a pass at the new
 * address).
 *
 * No data check: mremap moves the PTEs and keeps the pages, so a stale
 * entry for the old address reaches the same page and the workers could
 * not tell. Whether a move's flush comes late enough to matter is
 * race.mremap_truncate's verdict (tlbt_kpath_race_test), where a
 * truncate frees the pages inside the window. The workers' own positive
 * controls are tlbt_kpath_controls_test's.
 *
 * No module needed; tracefs is, or the test skips.
 */
#include "tlbt_kpath_harness.h"

#define ROUNDS		40
#define MIN_ROUNDS	10ULL	/* what a run must reach to mean anything */
#define MAX_MS		15000

FIXTURE(mremap) {
};

/*
 * Shootdowns the issuer sends per mremap(), from the kernel's code (the
 * same in 6.1 and 6.12):
 *
 * - 64 pages (anon, shmem): move_ptes() moves the slot's one page table
 *   of present entries and flushes the old range once under the PTE
 *   lock (since the CVE-2018-18281 fix). Then do_munmap() of the old
 *   vma zaps nothing, but free_pgtables() frees the emptied page table,
 *   as nothing else maps its 2 MiB (the slots are 2 MiB apart, and the
 *   rest of their reservation is a hole), so tlb_finish_mmu() flushes
 *   once more: 2, exactly.
 * - A THP: move_huge_pmd() flushes the old PMD once. The PMD table
 *   stays unless nothing else maps its 1 GiB (only when the slots
 *   straddle a 1 GiB boundary): 1 or 2.
 *
 * Workers on other CPUs keep the mm in mm_cpumask, so each flush is
 * also a "remote ipi send" (TLBT_KP_EXPECT_FLUSHES); NUMA balancing, which flushes from whichever
 * thread scans, is off while the trace runs (libkpath_ops.c).
 */
FIXTURE_VARIANT(mremap) {
	enum tlbt_kp_mem mem;
	size_t pages;
	unsigned long long min_per_op, max_per_op;
};

FIXTURE_VARIANT_ADD(mremap, anon) {
	.mem = TLBT_KP_ANON, .pages = 64, .min_per_op = 2, .max_per_op = 2,
};
FIXTURE_VARIANT_ADD(mremap, shmem) {
	.mem = TLBT_KP_SHMEM, .pages = 64, .min_per_op = 2, .max_per_op = 2,
};
FIXTURE_VARIANT_ADD(mremap, thp) {
	.mem = TLBT_KP_THP, .pages = 512, .min_per_op = 1, .max_per_op = 2,
};

FIXTURE_SETUP(mremap)
{
}

FIXTURE_TEARDOWN(mremap)
{
}

TEST_F_TIMEOUT(mremap, measure_shootdowns_per_move, KP_TIMEOUT)
{
	struct tlbt_kp_opts op = {
		.mem = variant->mem, .pages = variant->pages,
		.rounds = ROUNDS, .max_ms = MAX_MS, .trace = true,
	};
	struct tlbt_kp_result r;

	if (!tlbt_kp_counted(_metadata, tlbt_kp_run_mremap(&op, &r), &r))
		return;
	/* what the bounds assume: moves raced workers, a THP moved whole */
	EXPECT_LE(MIN_ROUNDS, r.ops);
	EXPECT_LT(0ULL, r.o.increments) TH_LOG("workers did not run");
	if (variant->mem == TLBT_KP_THP)
		EXPECT_TRUE(r.thp_kept) TH_LOG("the THP was split on the way");
	TLBT_KP_EXPECT_FLUSHES(&r, variant->min_per_op * r.ops,
			       variant->max_per_op * r.ops);
}

TEST_HARNESS_MAIN
