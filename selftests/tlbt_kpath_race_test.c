// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-path races that fail on a kernel whose flush ordering is broken
 * (libkpath_race.c). Each variant is one scenario: the kernel operation
 * runs over and over while workers on the other CPUs access its pages,
 * until the first corruption or TLBT_RACE_MS milliseconds (default 3000;
 * at 8000 every scenario of make check's guests reached its race 27 to
 * 1895 times, and make mutants passes its own). Corruption fails the test
 * and prints a "# tlbt-kill:" line for make mutants; a run that never
 * reached its race skips, and says so.
 *
 * Freed frames are seen when they are reused (the freer stamps them) or,
 * booted with init_on_free=1, as zeroes at once; make mutants boots so.
 */
#include <stdlib.h>

#include "tlbt_kpath_harness.h"

FIXTURE(race) {
};

FIXTURE_VARIANT(race) {
	const char *scenario;
};

#define TLBT_RACE_VARIANT(n)						\
	FIXTURE_VARIANT_ADD(race, n) {					\
		.scenario = #n,						\
	}

TLBT_RACE_VARIANT(mremap_truncate);
TLBT_RACE_VARIANT(mremap_pmd_truncate);
TLBT_RACE_VARIANT(migrate);
TLBT_RACE_VARIANT(reclaim_dirty);
TLBT_RACE_VARIANT(reclaim_read);
TLBT_RACE_VARIANT(mkclean);
TLBT_RACE_VARIANT(zap_dontneed);
TLBT_RACE_VARIANT(zap_munmap);
TLBT_RACE_VARIANT(mprotect);

FIXTURE_SETUP(race)
{
}

FIXTURE_TEARDOWN(race)
{
}

static unsigned int tlbt_race_ms(void)
{
	const char *s = getenv("TLBT_RACE_MS");
	long v = s ? strtol(s, NULL, 10) : 0;

	return v > 0 && v < 600000 ? v : 3000;
}

TEST_F_TIMEOUT(race, no_corruption, KP_TIMEOUT)
{
	const struct tlbt_kp_race *r = tlbt_kp_race_find(variant->scenario);
	struct tlbt_kp_race_opts op = {
		.max_ms = tlbt_race_ms(),
		.stop_early = true,
	};
	struct tlbt_kp_race_result res;
	int ret;

	ASSERT_NE(NULL, r) TH_LOG("no scenario %s", variant->scenario);
	ret = tlbt_kp_race_run(r, &op, &res);
	if (ret == -EOPNOTSUPP)
		SKIP(return, "%s: %s", variant->scenario, res.skip);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", variant->scenario, strerror(-ret));
	TH_LOG("%s: %llu ops in %.2f s, %u workers; %llu overlapped by accesses, %llu reached (%s)",
	       res.name, res.ops, res.secs, res.workers, res.overlapped,
	       res.reached, tlbt_kp_race_reached_what(r));
	TH_LOG("increments %llu, lost %llu, foreign %llu, stale %llu/%llu, bad reads %llu of %llu (first 0x%llx), faults %llu, read-only writes %llu, reused victims %llu",
	       res.o.increments, res.o.lost_increments, res.o.foreign,
	       res.o.stale_reads, res.o.foreign_reads, res.o.bad_reads,
	       res.o.reads, (unsigned long long)res.o.first_bad,
	       res.o.faults, res.ro_writes, res.reuse_hits);
	if (res.corrupt) {
		/* make mutants counts a kill only with this line */
		printf("# tlbt-kill: %s oracle=%s count=%llu first_op=%llu first_secs=%.2f\n",
		       res.name, res.oracle, res.corrupt, res.first_op,
		       res.first_secs);
		fflush(stdout);
	}
	EXPECT_EQ(0ULL, res.corrupt)
		TH_LOG("%s: the kernel let a stale TLB entry through: %s",
		       tlbt_kp_race_breaks(r), res.oracle);
	if (!res.corrupt && !res.reached)
		SKIP(return, "%s: race not reached in %llu tries", res.name,
		     res.ops);
}

TLBT_KP_HARNESS_MAIN(tlbt_kp_no_reason)
