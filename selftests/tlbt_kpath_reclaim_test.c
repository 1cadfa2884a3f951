// SPDX-License-Identifier: GPL-2.0
/*
 * Real reclaim, measured: the remote TLB shootdowns one madvise
 * (MADV_PAGEOUT) of 64 pages sends on its way to swap (zram in the
 * guest), with spinners keeping the mm loaded on the other CPUs, and
 * /proc/self/pagemap showing the pages really went out.
 *
 * These are measurements, not corruption verdicts: they count flushes,
 * not when they happen. Moving try_to_unmap_flush_dirty() after
 * pageout() (writeback before flush) leaves every count here the same;
 * race.reclaim_dirty and race.reclaim_read (tlbt_kpath_race_test) are
 * the verdicts, workers racing the writeback and the free.
 *
 * Tests that page out need swap and skip without it, and tracefs; the
 * arena control needs only the module.
 */
#include "tlbt_kpath_harness.h"

#define PAGES		64ULL

FIXTURE(reclaim) {
};

FIXTURE_SETUP(reclaim)
{
}

FIXTURE_TEARDOWN(reclaim)
{
}

/*
 * From the kernel's code (6.1 and 6.12 alike unless said): MADV_PAGEOUT
 * walks the page table, calling flush_tlb_batched_pending() first, which
 * flushes the whole mm once if a reclaim of it (kswapd's too) batched an
 * unmap since the last such call; 6.1 also clears the accessed bits into
 * an mmu_gather that it flushes once at the end (6.12 leaves them). The
 * pages go to shrink_folio_list(), which unmaps each with
 * TTU_BATCH_FLUSH and, as a dirty PTE may be a writable TLB entry, calls
 * try_to_unmap_flush_dirty() before each page's pageout(): one flush per
 * page. Freshly written pages: between 64 and 64 + 2. (A page whose mm
 * no other CPU holds at that moment is flushed at once instead, locally:
 * also one flush.)
 */
TEST_F_TIMEOUT(reclaim, measure_shootdowns_of_dirty_pageout, KP_TIMEOUT)
{
	struct tlbt_kp_opts op = { .pages = PAGES, .trace = true };
	struct tlbt_kp_result r;

	TLBT_KP_REQUIRE(TLBT_KP_NEED_SWAP);
	if (!tlbt_kp_counted(_metadata, tlbt_kp_run_pageout_once(&op, &r),
			     &r))
		return;
	TH_LOG("pagemap: %llu of %zu pages in swap; pswpout +%llu", r.swapped,
	       r.pages, r.pswpout);
	/* what the bounds assume: every page was written out */
	EXPECT_EQ(PAGES, r.swapped);
	EXPECT_LE(PAGES, r.pswpout);
	EXPECT_EQ(0ULL, r.o.bad_reads) TH_LOG("data changed across swap");
	/* below PAGES: fewer than one flush per dirty page */
	TLBT_KP_EXPECT_FLUSHES(&r, PAGES, PAGES + 2);
}

#define CLEAN_TRIES	3

/*
 * The same pages read back from swap first: a read fault maps a clean
 * PTE and leaves the page clean in the swap cache, so there is no
 * writable entry for try_to_unmap_flush_dirty() to flush, and
 * try_to_unmap_flush() flushes the batch before the pages are freed:
 * once before 6.9; from 6.9 (bc2ff4cbc329, "mm: free folios in a batch
 * in shrink_folio_list()") before each folio_batch of 31 is freed, so
 * 3 times for 64 pages. Add at most the pending batched flush the first
 * MADV_PAGEOUT left and, before 6.9 (2864f3d0f583 stopped it), the
 * gather of the accessed bits: between 1 and 3 on 6.1, 1 and 4 on 6.12,
 * where dirty PTEs cost 64 or more. On 6.1 the gather alone makes 1,
 * so the lower bound shows a flush, not the batch's: whether the pages
 * are freed before it is race.reclaim_read's verdict.
 */
TEST_F_TIMEOUT(reclaim, measure_shootdowns_of_clean_pageout, KP_TIMEOUT)
{
	struct tlbt_kp_opts op = { .pages = PAGES, .trace = true,
				   .clean = true };
	/* 31: PAGEVEC_SIZE, the folio_batch shrink_folio_list() frees */
	unsigned long long max = tlbt_kp_kernel_before(6, 9) ?
				 3 : 1 + (PAGES + 30) / 31;
	unsigned long long f, sent, alone;
	struct tlbt_kp_result r;
	int try;

	TLBT_KP_REQUIRE(TLBT_KP_NEED_SWAP);
	/*
	 * The bounds assume another CPU holds the mm. A page unmapped while
	 * none does is not batched but flushed at once, locally, and sends
	 * nothing (should_defer_flush()): on 2 vCPUs the spinner's CPU once
	 * ran another task for 30 of the 64 pages. Flushes beyond the bound
	 * that sent nothing are that, not a batch that broke: try again.
	 */
	for (try = 1; ; try++) {
		if (!tlbt_kp_counted(_metadata,
				     tlbt_kp_run_pageout_once(&op, &r), &r))
			return;
		f = tlbt_kp_issuer_flushes(&r.fl);
		sent = r.fl.issuer[TLBT_KP_REMOTE_SEND_IPI];
		alone = f > sent ? f - sent : 0;
		if (f <= max || alone <= max || try == CLEAN_TRIES)
			break;
		TH_LOG("try %d: %llu of %llu flushes sent nothing: another try",
		       try, alone, f);
	}
	if (f > max && alone > max)
		SKIP(return, "%s: in %d tries the other CPUs left the mm (%llu of %llu flushes sent nothing)",
		     _metadata->name, try, alone, f);
	TH_LOG("pagemap: %llu of %zu pages in swap; pswpout +%llu", r.swapped,
	       r.pages, r.pswpout);
	/* what the bounds assume: every page left memory */
	EXPECT_EQ(PAGES, r.swapped);
	EXPECT_EQ(0ULL, r.o.bad_reads) TH_LOG("data changed across swap");
	/* none: the pages were freed without a flush */
	TLBT_KP_EXPECT_FLUSHES(&r, 1ULL, max);
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
