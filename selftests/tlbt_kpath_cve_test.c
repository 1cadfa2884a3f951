// SPDX-License-Identifier: GPL-2.0
/*
 * CVE-2018-18281 (seed 000): mremap() against ftruncate() of a shared
 * file mapping, on the real kernel.
 *
 * Before the fix, move_ptes() dropped the PTE lock before flushing the
 * old range. A racing ftruncate() zapped the moved entries at their new
 * place, flushed only that range and freed the pages, and other CPUs
 * went on reading them through their stale TLB entries for the old one
 * after the pages were reused. Here a read-only MAP_SHARED memfd mapping
 * moves back and forth under readers on two CPUs, a freer on a third
 * truncates the file at a random point across each move and at once
 * fills fresh pages with a foreign value, on the CPU whose free lists
 * got the victims (pagemap PFNs show how often they came back), and a
 * reader must never see anything but the pattern or 0.
 *
 * The controls show the readers do see such values: one planted into a
 * page they read, and (with the module) the arena's
 * unsafe-release-before-flush mremap, which really leaves stale entries
 * to poisoned frames.
 */
#include "tlbt_kpath_harness.h"

#define ROUNDS		100
#define MIN_ROUNDS	10ULL
#define MAX_MS		20000

FIXTURE(cve) {
};

FIXTURE_SETUP(cve)
{
}

FIXTURE_TEARDOWN(cve)
{
}

TEST_F_TIMEOUT(cve, truncate_during_mremap_never_shows_a_foreign_value,
	       KP_TIMEOUT)
{
	struct tlbt_kp_opts op = {
		.pages = 16, .rounds = ROUNDS, .max_ms = MAX_MS, .trace = true,
	};
	struct tlbt_kp_result r;

	if (!tlbt_kp_ran(_metadata, tlbt_kp_run_truncate_race(&op, &r), &r))
		return;
	TH_LOG("victim pages %llu, given back to the freer %llu", r.victims,
	       r.reuse_hits);
	EXPECT_LE(MIN_ROUNDS, r.ops);
	EXPECT_LT(0ULL, r.o.reads) TH_LOG("readers did not run");
	EXPECT_EQ(0ULL, r.o.bad_reads)
		TH_LOG("read 0x%llx", (unsigned long long)r.o.first_bad);
}

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

TEST_F_TIMEOUT(control, arena_release_before_flush_is_seen_by_readers,
	       KP_TIMEOUT)
{
	const char *cmd =
		"mremap pages=16 dst=16 rounds=100 flush=unsafe-release-before-flush";
	struct tlbt_kp_result r;
	struct tlbt_result res;

	if (!tlbt_kp_arena_ran(_metadata, cmd,
			       tlbt_kp_control_arena(cmd, 32, 16, TLBT_KP_READ,
						     &r, &res),
			       &r, &res))
		return;
	if (tlbt_pti_without_pcid()) {
		TH_LOG(TLBT_PTI_MASKS_MREMAP);
		EXPECT_LE(res.rounds_done, res.ipis);
		EXPECT_EQ(0ULL, r.o.bad_reads);
		return;
	}
	EXPECT_LT(0ULL, r.o.bad_reads) TH_LOG("readers missed it");
}

TLBT_KP_HARNESS_MAIN(tlbt_kp_no_reason)
