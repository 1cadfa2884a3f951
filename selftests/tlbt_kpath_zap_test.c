// SPDX-License-Identifier: GPL-2.0
/*
 * MADV_DONTNEED and munmap() racing remote access, in the style of
 * will-it-scale's tlb_flush tests, checked on the remote CPUs.
 *
 * Each round, the issuer stamps every page, threads on every other CPU
 * write their own slot of every page and read the stamp (so they hold
 * TLB entries for all pages), and go on doing so while the issuer zaps
 * the range, with MADV_DONTNEED or with munmap() and a fresh mmap() at
 * the same address. Once the zap has returned and the issuer has said
 * so, each remote thread checks every page from its own CPU: the stamp
 * must be gone (a stale TLB entry would still read it from the freed
 * page), and its own new write must reach the issuer (through a stale
 * entry it would land in the freed page).
 *
 * The control lets the remote threads check before the zap, as if its
 * flush came too late for them: they must see stale stamps, and their
 * writes must be lost. Apart from that, the flushes per zap are
 * measured. The freed-frame races are race.zap_dontneed and
 * race.zap_munmap (tlbt_kpath_race_test).
 */
#include "tlbt_kpath_harness.h"

#define ROUNDS		30
#define MIN_ROUNDS	10ULL
#define MAX_MS		15000

FIXTURE(zap) {
};

FIXTURE_VARIANT(zap) {
	bool munmap;
};

FIXTURE_VARIANT_ADD(zap, dontneed) { .munmap = false };
FIXTURE_VARIANT_ADD(zap, munmap) { .munmap = true };

FIXTURE_SETUP(zap)
{
}

FIXTURE_TEARDOWN(zap)
{
}

TEST_F_TIMEOUT(zap, remote_cpus_never_see_zapped_data, KP_TIMEOUT)
{
	struct tlbt_kp_opts op = {
		.pages = 64, .rounds = ROUNDS, .max_ms = MAX_MS,
		.munmap = variant->munmap,
	};
	struct tlbt_kp_result r;

	if (!tlbt_kp_ran(_metadata, tlbt_kp_run_zap(&op, &r), &r))
		return;
	TH_LOG("remote checks %llu: stale %llu, foreign %llu; lost writes %llu; faults %llu",
	       r.checks, r.remote_stale, r.remote_foreign, r.lost_writes,
	       r.o.faults);
	EXPECT_LE(MIN_ROUNDS, r.ops);
	EXPECT_EQ(r.pages * r.ops * r.o.workers, r.checks);
	EXPECT_EQ(0ULL, r.remote_stale);
	EXPECT_EQ(0ULL, r.remote_foreign);
	EXPECT_EQ(0ULL, r.lost_writes);
}

/*
 * A measurement, not a corruption verdict: remote shootdowns per zap.
 * From the kernel's code (6.1 and 6.12): MADV_DONTNEED and munmap()
 * gather the whole range in one mmu_gather and flush it once in
 * tlb_finish_mmu(), munmap()'s freed page table included; never one per
 * page, and never none, as the remote threads keep every page mapped
 * and the mm loaded on their CPUs. The code can add one more when
 * memory is short (zap_pte_range() flushes early if the gather cannot
 * allocate a batch page) or when flush_tlb_batched_pending() finds an
 * unmap that kswapd batched: 1 to 2 per zap.
 */
#define ZAP_MEASURE_ROUNDS	10
#define ZAP_MIN_SHOOTDOWNS	1
#define ZAP_MAX_SHOOTDOWNS	2

TEST_F_TIMEOUT(zap, measure_shootdowns_per_zap, KP_TIMEOUT)
{
	struct tlbt_kp_opts op = {
		.pages = 64, .rounds = ZAP_MEASURE_ROUNDS, .max_ms = MAX_MS,
		.trace = true, .munmap = variant->munmap,
	};
	struct tlbt_kp_result r;

	if (!tlbt_kp_counted(_metadata, tlbt_kp_run_zap(&op, &r), &r))
		return;
	EXPECT_LT(0ULL, r.ops);
	TLBT_KP_EXPECT_FLUSHES(&r, ZAP_MIN_SHOOTDOWNS * r.ops,
			       ZAP_MAX_SHOOTDOWNS * r.ops);
}

TEST_F_TIMEOUT(zap, control_checked_before_the_zap_is_caught, KP_TIMEOUT)
{
	struct tlbt_kp_opts op = {
		.pages = 64, .rounds = 5, .max_ms = MAX_MS,
		.munmap = variant->munmap, .unsafe = true,
	};
	struct tlbt_kp_result r;

	if (!tlbt_kp_ran(_metadata, tlbt_kp_run_zap(&op, &r), &r))
		return;
	TH_LOG("remote checks %llu: stale %llu, foreign %llu; lost writes %llu",
	       r.checks, r.remote_stale, r.remote_foreign, r.lost_writes);
	EXPECT_EQ(r.checks, r.remote_stale) TH_LOG("remote check missed it");
	EXPECT_EQ(r.checks, r.lost_writes) TH_LOG("write check missed it");
}

TEST_HARNESS_MAIN
