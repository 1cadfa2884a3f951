// SPDX-License-Identifier: GPL-2.0
/*
 * Real reclaim: madvise(MADV_PAGEOUT) of anonymous memory to swap (zram
 * in the guest) while a worker on every other CPU does read-modify-write
 * increments and pattern reads, and refaults the pages from swap.
 * Nothing may be lost, and /proc/self/pagemap must show the pages
 * really went to swap.
 *
 * And the flush cost, which reclaim batches: pages whose PTEs are clean
 * share one shootdown, while a dirty PTE costs a flush of its own before
 * the page's writeback (try_to_unmap_flush_dirty()).
 *
 * Needs swap: the whole program skips with exit 4 without it. No module
 * needed, except for the arena control.
 */
#include "tlbt_kpath_harness.h"

#define ROUNDS		4
#define MIN_ROUNDS	2ULL
#define MAX_MS		15000
#define PAGES		64
#define RACE_PAGES	32

static const char *reclaim_needs(void)
{
	if (!tlbt_kp_have_swap())
		return "needs swap (/proc/swaps is empty)";
	return NULL;
}

FIXTURE(reclaim) {
};

FIXTURE_SETUP(reclaim)
{
}

FIXTURE_TEARDOWN(reclaim)
{
}

TEST_F_TIMEOUT(reclaim, pageout_under_workers_loses_nothing, KP_TIMEOUT)
{
	struct tlbt_kp_opts op = {
		.pages = RACE_PAGES, .rounds = ROUNDS, .max_ms = MAX_MS,
		.trace = true,
	};
	struct tlbt_kp_result r;

	if (!tlbt_kp_ran(_metadata, tlbt_kp_run_pageout(&op, &r), &r))
		return;
	TH_LOG("pagemap: a swap entry after %llu of %llu MADV_PAGEOUTs; pswpout +%llu; %llu refaults from swap",
	       r.swapped, r.ops, r.pswpout, r.majflt);
	EXPECT_LE(MIN_ROUNDS, r.rounds);
	EXPECT_LT(0ULL, r.o.increments) TH_LOG("workers did not run");
	EXPECT_LT(0ULL, r.swapped) TH_LOG("pagemap never showed swap");
	EXPECT_LT(0ULL, r.pswpout) TH_LOG("nothing was written to swap");
	EXPECT_LT(0ULL, r.majflt) TH_LOG("nothing was read back from swap");
	EXPECT_EQ(0ULL, r.o.lost_increments);
	EXPECT_EQ(0ULL, r.o.foreign);
	EXPECT_EQ(0ULL, r.o.stale_reads);
	EXPECT_EQ(0ULL, r.o.foreign_reads);
	EXPECT_EQ(0ULL, r.o.bad_reads);
}

/*
 * Freshly written pages: every PTE is dirty, so reclaim flushes before
 * each page's writeback. Measured in the guest: 65 shootdowns for 64
 * pages, one per page and one for the accessed bits MADV_PAGEOUT clears
 * first.
 */
TEST_F_TIMEOUT(reclaim, dirty_ptes_go_to_swap_and_refault_intact,
	       KP_TIMEOUT)
{
	struct tlbt_kp_opts op = { .pages = PAGES, .trace = true };
	struct tlbt_kp_result r;

	if (!tlbt_kp_ran(_metadata, tlbt_kp_run_pageout_once(&op, &r), &r))
		return;
	TH_LOG("pagemap: %llu of %zu pages in swap; pswpout +%llu", r.swapped,
	       r.pages, r.pswpout);
	EXPECT_EQ((unsigned long long)PAGES, r.swapped);
	EXPECT_LE((unsigned long long)PAGES, r.pswpout);
	EXPECT_EQ(0ULL, r.o.bad_reads) TH_LOG("data changed across swap");
	if (!r.fl.valid)
		SKIP(return, "%s: no tracefs", _metadata->name);
	EXPECT_LE((unsigned long long)PAGES,
		  r.fl.issuer[TLBT_KP_REMOTE_SEND_IPI]);
	EXPECT_GE((unsigned long long)PAGES + 2,
		  r.fl.issuer[TLBT_KP_REMOTE_SEND_IPI]);
}

/*
 * The same pages read back from swap: read faults map clean PTEs, so no
 * writable TLB entry can race the writeback, and reclaim defers the
 * whole batch to one flush (TTU_BATCH_FLUSH, try_to_unmap_flush()).
 * Measured in the guest: 2 or 3 shootdowns for 64 pages (the batch, the
 * accessed bits MADV_PAGEOUT cleared first, sometimes one more), where
 * the same pages with dirty PTEs cost 65. Bound: 4.
 */
TEST_F_TIMEOUT(reclaim, clean_ptes_send_far_fewer_shootdowns_than_pages,
	       KP_TIMEOUT)
{
	struct tlbt_kp_opts op = { .pages = PAGES, .trace = true,
				   .clean = true };
	struct tlbt_kp_result r;

	if (!tlbt_kp_ran(_metadata, tlbt_kp_run_pageout_once(&op, &r), &r))
		return;
	TH_LOG("pagemap: %llu of %zu pages in swap; pswpout +%llu", r.swapped,
	       r.pages, r.pswpout);
	EXPECT_EQ((unsigned long long)PAGES, r.swapped);
	EXPECT_EQ(0ULL, r.o.bad_reads) TH_LOG("data changed across swap");
	if (!r.fl.valid)
		SKIP(return, "%s: no tracefs", _metadata->name);
	EXPECT_LE(1ULL, r.fl.issuer[TLBT_KP_REMOTE_SEND_IPI]);
	EXPECT_GE(4ULL, r.fl.issuer[TLBT_KP_REMOTE_SEND_IPI]);
}

FIXTURE(control) {
};

FIXTURE_SETUP(control)
{
}

FIXTURE_TEARDOWN(control)
{
}

/* Writeback before flush: the refault reads the older store copy. */
TEST_F_TIMEOUT(control, arena_writeback_before_flush_is_caught, KP_TIMEOUT)
{
	const char *cmd =
		"reclaim pages=64 rounds=100 flush=unsafe-writeback-before-flush";
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

TLBT_KP_HARNESS_MAIN(reclaim_needs)
