// SPDX-License-Identifier: GPL-2.0
/*
 * tlbtorture mkclean and sync: oracles, flush accounting, and what the
 * TLB generation tracking saves.
 *
 * mkclean write-protects and cleans a range while a racing zap has left
 * its flush pending. A writable entry that survives the cleaning in some
 * TLB lets writes through without a fault, so the page is dropped clean
 * with data its store copy lacks (lost_dirty). tlbgen flushes a
 * page-table unit only when it must, mm-pending whenever any flush is
 * pending, immediate every page; unsafe-no-flush never, and must be
 * caught. A raced run passes only once it reached its race (a worker
 * access while the command ran, a flush on a worker CPU, and a page
 * written back), and skips otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tlbt_harness.h"

#define RACE_PAGES	64
#define RACE_ROUNDS	200
#define RACE_TIMEOUT	300	/* seconds; TCG with KASAN is slow */

#define UNIT		512	/* pages per page-table unit */
#define COUNT_PAGES	(2 * UNIT)
#define COUNT_TIMEOUT	240
#define SYNC_PAGES	64
#define PG_SLOTS	TLBT_SLOTS_PER_PAGE

static uint64_t pattern(size_t slot, uint64_t salt)
{
	return (0x6dc1ea0000000000ULL | slot) ^ (salt * 0x9e3779b97f4a7c15ULL);
}

/* Write a pattern into arena pages [first, first + pages): all dirty. */
static void fill(struct tlbt_arena *a, size_t first, size_t pages,
		 uint64_t salt)
{
	size_t i;

	for (i = first * PG_SLOTS; i < (first + pages) * PG_SLOTS; i++)
		a->base[i] = pattern(i, salt);
}

/* Reading the pages back faults them in: from the store if dropped. */
static size_t pattern_errors(struct tlbt_arena *a, size_t first,
			     size_t pages, uint64_t salt)
{
	size_t i, bad = 0;

	for (i = first * PG_SLOTS; i < (first + pages) * PG_SLOTS; i++)
		bad += a->base[i] != pattern(i, salt);
	return bad;
}

/* Every safe policy, with workers on every other CPU and a racing zap. */
FIXTURE(mkclean_safe) {
	struct tlbt_arena a;
};

FIXTURE_VARIANT(mkclean_safe) {
	const char *flush;
	unsigned long long pages;
	unsigned long long rounds;
};

FIXTURE_VARIANT_ADD(mkclean_safe, immediate) {
	.flush = "immediate", .pages = TLBT_PER_PAGE_PAGES,
	.rounds = TLBT_PER_PAGE_ROUNDS };
FIXTURE_VARIANT_ADD(mkclean_safe, tlbgen) {
	.flush = "tlbgen", .pages = RACE_PAGES, .rounds = RACE_ROUNDS };
FIXTURE_VARIANT_ADD(mkclean_safe, mm_pending) {
	.flush = "mm-pending", .pages = RACE_PAGES, .rounds = RACE_ROUNDS };

FIXTURE_SETUP(mkclean_safe)
{
	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_arena_open(&self->a, variant->pages));
}

FIXTURE_TEARDOWN(mkclean_safe)
{
	tlbt_arena_close(&self->a);
}

TEST_F_TIMEOUT(mkclean_safe, no_corruption_under_workers, RACE_TIMEOUT)
{
	char cmd[TLBT_CMD_MAX_LEN + 1];
	struct tlbt_raced rc;

	if (tlbt_nr_cpus() < 2)
		SKIP(return, "%s:" ONE_CPU, variant->flush);
	ASSERT_EQ(0, tlbt_seq_cmd(cmd, sizeof(cmd), tlbt_seq_find("mkclean"),
				  variant->pages, variant->rounds, variant->flush,
				  "native"));
	tlbt_race_run(_metadata, &self->a, 0, variant->pages, cmd, &rc);
	tlbt_expect_clean(_metadata, &rc, variant->rounds);
	EXPECT_EQ((variant->pages + 3) / 4, rc.r.zap);
	/* A page cleaned while written is what the flush must order. */
	TLBT_SKIP_UNRACED(variant->flush, &rc,
			  rc.r.writebacks ? NULL : "no page came back dirty");
}

/* The positive control: cleaning without a flush must be caught. */
FIXTURE(mkclean_unsafe) {
	struct tlbt_arena a;
};

FIXTURE_SETUP(mkclean_unsafe)
{
	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_arena_open(&self->a, RACE_PAGES));
}

FIXTURE_TEARDOWN(mkclean_unsafe)
{
	tlbt_arena_close(&self->a);
}

TEST_F_TIMEOUT(mkclean_unsafe, no_flush_is_caught_by_both_oracles,
	       RACE_TIMEOUT)
{
	struct tlbt_raced rc;

	if (tlbt_nr_cpus() < 2)
		SKIP(return, "%s:" ONE_CPU, _metadata->name);
	tlbt_race_run(_metadata, &self->a, 0, RACE_PAGES,
		      "mkclean pages=64 zap=16 rounds=200 flush=unsafe-no-flush",
		      &rc);
	EXPECT_EQ((unsigned long long)RACE_ROUNDS, rc.r.rounds_done);
	/* Nothing seen and nothing raced: no verdict either way. */
	if (!tlbt_raced_corruption(&rc))
		TLBT_SKIP_UNRACED(_metadata->name, &rc, NULL);
	EXPECT_LT(0ULL, rc.r.lost_dirty) TH_LOG("module oracle missed it");
	EXPECT_LT(0ULL, rc.o.lost_increments) TH_LOG("worker oracle missed it");
}

/*
 * tlbgen and mm-pending where they skip a whole unit's flush, raced. Two
 * units; workers on the 64 pages around the boundary write the 32 of
 * unit 0 and only read the 32 of unit 1 (a read-only range of the
 * checked layout, tlbt_workers.h), so unit 1 has no writable or dirty
 * entry after the first round. A zap, where there is one, is all of unit
 * 0 and stamps only unit 0: tlbgen skips unit 1 in every later round.
 * mm-pending flushes every unit while a zap's flush is pending, so it
 * skips only without one. A pass needs units_skipped > 0, no corruption
 * in either oracle (reads included), and the race reached: visits while
 * the command ran, read-only ones among them, a flush on a worker CPU, a
 * page written back. The mutation: unsafe-no-flush on the same shape
 * skips unit 0 as well and must be caught.
 */
#define BOUNDARY_ROUNDS	100
#define BOUNDARY_SIDE	32	/* worker pages on each side */
/*
 * Commands the mutation gets to be caught in. Its window, the clean of
 * unit 0 to the zap's shootdown, is short: with one worker (2 vCPUs) one
 * command of 100 rounds once reached the race and lost nothing.
 */
#define BOUNDARY_TRIES	5

FIXTURE(mkclean_boundary) {
	struct tlbt_arena a;
};

FIXTURE_VARIANT(mkclean_boundary) {
	const char *flush;
	unsigned long long zap;
	bool unsafe;
};

FIXTURE_VARIANT_ADD(mkclean_boundary, tlbgen_zap) {
	.flush = "tlbgen", .zap = UNIT };
FIXTURE_VARIANT_ADD(mkclean_boundary, tlbgen_no_zap) {
	.flush = "tlbgen" };
FIXTURE_VARIANT_ADD(mkclean_boundary, mm_pending_no_zap) {
	.flush = "mm-pending" };
FIXTURE_VARIANT_ADD(mkclean_boundary, unsafe_no_flush_zap) {
	.flush = "unsafe-no-flush", .zap = UNIT, .unsafe = true };

FIXTURE_SETUP(mkclean_boundary)
{
	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_arena_open(&self->a, COUNT_PAGES));
}

FIXTURE_TEARDOWN(mkclean_boundary)
{
	tlbt_arena_close(&self->a);
}

TEST_F_TIMEOUT(mkclean_boundary, skipped_unit_stays_clean, RACE_TIMEOUT)
{
	const unsigned long long rounds = BOUNDARY_ROUNDS;
	char cmd[TLBT_CMD_MAX_LEN + 1], label[64];
	struct tlbt_raced rc;
	const char *why;
	bool reached = false;
	int try = 0;

	snprintf(label, sizeof(label), "%s_zap%llu", variant->flush,
		 variant->zap);
	if (tlbt_nr_cpus() < 2)
		SKIP(return, "%s:" ONE_CPU, label);
	snprintf(cmd, sizeof(cmd), "mkclean pages=%d zap=%llu rounds=%llu flush=%s",
		 COUNT_PAGES, variant->zap, rounds, variant->flush);
	do {
		tlbt_race_run_ro(_metadata, &self->a, UNIT - BOUNDARY_SIDE,
				 2 * BOUNDARY_SIDE, BOUNDARY_SIDE,
				 BOUNDARY_SIDE, cmd, &rc);
		TH_LOG("units_skipped %llu, flushes_avoided %llu, writebacks %llu",
		       rc.r.units_skipped, rc.r.flushes_avoided,
		       rc.r.writebacks);
		EXPECT_EQ(rounds, rc.r.rounds_done);
		/* one try that reached its race and saw nothing is a miss */
		reached |= !tlbt_race_missing(&rc);
	} while (variant->unsafe && ++try < BOUNDARY_TRIES &&
		 !tlbt_raced_corruption(&rc));
	if (variant->unsafe) {
		TH_LOG("%d of %d tries", try, BOUNDARY_TRIES);
		EXPECT_EQ(2 * rounds, rc.r.units_skipped);
		/* Nothing seen and no try raced: no verdict either way. */
		if (!tlbt_raced_corruption(&rc) && !reached)
			TLBT_SKIP_UNRACED(label, &rc, NULL);
		EXPECT_LT(0ULL, rc.r.lost_dirty + rc.o.lost_increments)
			TH_LOG("the skipped flush went uncaught");
		return;
	}
	tlbt_expect_clean(_metadata, &rc, rounds);
	/* unit 1 skipped at least once; unit 0 never where the zap stamps it */
	EXPECT_LT(0ULL, rc.r.units_skipped);
	EXPECT_GE((variant->zap ? 1 : 2) * rounds, rc.r.units_skipped);
	why = !rc.r.writebacks ? "no page came back dirty" :
	      rc.ro_during < rounds ?
	      "fewer read-only page visits than rounds while the command ran" :
	      NULL;
	TLBT_SKIP_UNRACED(label, &rc, why);
}

/*
 * Exact accounting without workers, on two page-table units. Per round B
 * flushes every page (immediate), or each unit that had a writable or
 * dirty entry, or (tlbgen) whose generation the zap made newer than the
 * completed one, or (mm-pending) while the zap's flush is pending in the
 * mm; never (unsafe-no-flush). Then one for the zap, if any, and one for
 * the drop. Every page is out after a round, so only a round's first
 * finds entries that were written.
 */
FIXTURE(mkclean_counts) {
	struct tlbt_arena a;
};

FIXTURE_VARIANT(mkclean_counts) {
	const char *flush;
	bool per_page;		/* every page as it is cleaned */
	bool by_change;		/* a unit with a writable or dirty entry */
	bool by_gen;		/* a unit stamped by the zap */
	bool by_pending;	/* every unit while the zap's flush is pending */
	bool avoids;		/* counts flushes_avoided */
};

FIXTURE_VARIANT_ADD(mkclean_counts, immediate) {
	.flush = "immediate", .per_page = true };
FIXTURE_VARIANT_ADD(mkclean_counts, tlbgen) {
	.flush = "tlbgen", .by_change = true, .by_gen = true,
	.avoids = true };
FIXTURE_VARIANT_ADD(mkclean_counts, mm_pending) {
	.flush = "mm-pending", .by_change = true, .by_pending = true,
	.avoids = true };
FIXTURE_VARIANT_ADD(mkclean_counts, unsafe_no_flush) {
	.flush = "unsafe-no-flush" };

FIXTURE_SETUP(mkclean_counts)
{
	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_arena_open(&self->a, COUNT_PAGES));
}

FIXTURE_TEARDOWN(mkclean_counts)
{
	tlbt_arena_close(&self->a);
}

struct shape {
	size_t written;		/* pages written from first_written on */
	size_t first_written;
	unsigned long long zap;
	unsigned long long rounds;
};

static bool in_unit(size_t first, size_t n, unsigned int u)
{
	return n && first < (u + 1) * UNIT && first + n > u * UNIT;
}

/* Flushes B issues in one round; only the first finds written entries. */
static unsigned long long b_flushes(const FIXTURE_VARIANT(mkclean_counts) *v,
				    const struct shape *sh, bool first_round)
{
	unsigned long long b = 0;
	unsigned int u;

	for (u = 0; u < COUNT_PAGES / UNIT; u++) {
		bool changed = first_round &&
			       in_unit(sh->first_written, sh->written, u);

		if (v->per_page)
			b += UNIT;
		else
			b += (v->by_change && changed) ||
			     (v->by_gen && in_unit(0, sh->zap, u)) ||
			     (v->by_pending && sh->zap);
	}
	return b;
}

static void run_shape(struct __test_metadata *_metadata,
		      struct tlbt_arena *a,
		      const FIXTURE_VARIANT(mkclean_counts) *v,
		      const struct shape *sh, uint64_t salt)
{
	unsigned long long b, want;
	struct tlbt_result r;

	fill(a, sh->first_written, sh->written, salt);
	b = b_flushes(v, sh, true) + (sh->rounds - 1) * b_flushes(v, sh, false);
	want = b + sh->rounds * ((sh->zap > 0) + 1);

	ASSERT_EQ(0, tlbt_cmd(a, "mkclean zap=%llu rounds=%llu flush=%s",
			      sh->zap, sh->rounds, v->flush));
	ASSERT_EQ(0, tlbt_results_read(a, &r));
	ASSERT_EQ(sh->rounds, r.rounds_done);
	ASSERT_EQ((unsigned long long)COUNT_PAGES, r.pages);
	ASSERT_EQ(sh->zap, r.zap);
	ASSERT_EQ(want, r.shootdowns) {
		TH_LOG("written %zu from %zu, zap %llu, rounds %llu",
		       sh->written, sh->first_written, sh->zap, sh->rounds);
	}
	ASSERT_EQ(v->avoids ? sh->rounds * COUNT_PAGES - b : 0ULL,
		  r.flushes_avoided);
	/* B decides per unit except in immediate: the units it left alone */
	ASSERT_EQ(v->per_page ? 0ULL : sh->rounds * (COUNT_PAGES / UNIT) - b,
		  r.units_skipped);
	ASSERT_EQ((unsigned long long)sh->written, r.writebacks);
	ASSERT_EQ(0ULL, r.lost_dirty + r.leaked_pages + r.poison_hits);
	ASSERT_EQ(0UL, pattern_errors(a, sh->first_written, sh->written, salt));
}

TEST_F_TIMEOUT(mkclean_counts, untouched_range, COUNT_TIMEOUT)
{
	const struct shape no_zap = { .rounds = 2 };
	const struct shape zap_first_unit = { .zap = 64, .rounds = 2 };
	const struct shape zap_both_units = { .zap = 600, .rounds = 1 };

	run_shape(_metadata, &self->a, variant, &no_zap, 1);
	run_shape(_metadata, &self->a, variant, &zap_first_unit, 1);
	run_shape(_metadata, &self->a, variant, &zap_both_units, 1);
}

TEST_F_TIMEOUT(mkclean_counts, written_pages, COUNT_TIMEOUT)
{
	const struct shape all = { .written = COUNT_PAGES, .zap = 64,
				   .rounds = 1 };
	const struct shape first_unit = { .written = 100, .rounds = 1 };
	const struct shape second_unit = { .written = 100,
					   .first_written = 600, .zap = 64,
					   .rounds = 2 };

	run_shape(_metadata, &self->a, variant, &all, 2);
	run_shape(_metadata, &self->a, variant, &first_unit, 3);
	run_shape(_metadata, &self->a, variant, &second_unit, 4);
}

/*
 * The same workload on a fresh arena for each policy: 1024 untouched
 * pages, a zap of 64 in the first unit, 4 rounds. B costs immediate 1024
 * page flushes a round, mm-pending 2 unit flushes, tlbgen 1.
 */
FIXTURE(mkclean_bench) {
};

FIXTURE_SETUP(mkclean_bench)
{
	TLBT_REQUIRE_MODULE();
}

FIXTURE_TEARDOWN(mkclean_bench)
{
}

TEST_F_TIMEOUT(mkclean_bench, tlbgen_le_mm_pending_lt_immediate,
	       COUNT_TIMEOUT)
{
	static const struct {
		const char *flush;
		unsigned long long shootdowns;
		unsigned long long avoided;
	} bench[] = {
		{ "immediate", 4 * (1024 + 1 + 1), 0 },
		{ "mm-pending", 4 * (2 + 1 + 1), 4 * 1024 - 4 * 2 },
		{ "tlbgen", 4 * (1 + 1 + 1), 4 * 1024 - 4 * 1 },
	};
	struct tlbt_result r[ARRAY_SIZE(bench)];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bench); i++) {
		struct tlbt_arena a;

		ASSERT_EQ(0, tlbt_arena_open(&a, COUNT_PAGES));
		ASSERT_EQ(0, tlbt_cmd(&a, "mkclean pages=1024 zap=64 rounds=4 flush=%s",
				      bench[i].flush));
		ASSERT_EQ(0, tlbt_results_read(&a, &r[i]));
		tlbt_arena_close(&a);
		ASSERT_EQ(bench[i].shootdowns, r[i].shootdowns)
			TH_LOG("%s", bench[i].flush);
		ASSERT_EQ(bench[i].avoided, r[i].flushes_avoided)
			TH_LOG("%s", bench[i].flush);
		ASSERT_EQ(0ULL, r[i].lost_dirty);
	}
	ASSERT_LE(r[2].shootdowns, r[1].shootdowns);
	ASSERT_LT(r[1].shootdowns, r[0].shootdowns);
	TH_LOG("mkclean pages=1024 zap=64 rounds=4: shootdowns immediate %llu, mm-pending %llu (%.1fx fewer), tlbgen %llu (%.1fx fewer)",
	       r[0].shootdowns, r[1].shootdowns,
	       (double)r[0].shootdowns / r[1].shootdowns, r[2].shootdowns,
	       (double)r[0].shootdowns / r[2].shootdowns);
	TH_LOG("ns_total: immediate %llu, mm-pending %llu (%.1fx less), tlbgen %llu (%.1fx less)",
	       r[0].ns_total, r[1].ns_total,
	       (double)r[0].ns_total / (r[1].ns_total ?: 1), r[2].ns_total,
	       (double)r[0].ns_total / (r[2].ns_total ?: 1));
}

/*
 * sync: write-protect and clean, one shootdown if anything is dirty,
 * write the dirty pages back. Nothing dirty is a success that does
 * nothing, like fsync of a clean file.
 */
FIXTURE(sync) {
	struct tlbt_arena a;
};

FIXTURE_SETUP(sync)
{
	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_arena_open(&self->a, SYNC_PAGES));
}

FIXTURE_TEARDOWN(sync)
{
	tlbt_arena_close(&self->a);
}

static void run_sync(struct __test_metadata *_metadata, struct tlbt_arena *a,
		     const char *args, unsigned long long shootdowns,
		     unsigned long long writebacks)
{
	struct tlbt_result r;

	ASSERT_EQ(0, tlbt_cmd(a, "sync %s", args)) TH_LOG("sync %s", args);
	ASSERT_EQ(0, tlbt_results_read(a, &r));
	ASSERT_STREQ("sync", r.sequence);
	ASSERT_EQ(0LL, r.error);
	ASSERT_EQ(shootdowns, r.shootdowns) TH_LOG("sync %s", args);
	ASSERT_EQ(writebacks, r.writebacks) TH_LOG("sync %s", args);
	ASSERT_EQ(0ULL, r.lost_dirty + r.leaked_pages + r.poison_hits);
}

TEST_F(sync, nothing_dirty_succeeds_and_writes_nothing)
{
	run_sync(_metadata, &self->a, "", 0, 0);		/* never touched */
	fill(&self->a, 0, SYNC_PAGES, 1);
	run_sync(_metadata, &self->a, "", 1, SYNC_PAGES);
	run_sync(_metadata, &self->a, "", 0, 0);		/* clean now */
	run_sync(_metadata, &self->a, "rounds=3", 0, 0);
	ASSERT_EQ(0UL, pattern_errors(&self->a, 0, SYNC_PAGES, 1));
	run_sync(_metadata, &self->a, "", 0, 0);		/* reads dirty nothing */
}

/* Cleaned pages are write-protected: the next write dirties them again. */
TEST_F(sync, writes_after_sync_are_synced_again)
{
	fill(&self->a, 10, 10, 1);
	run_sync(_metadata, &self->a, "", 1, 10);
	fill(&self->a, 12, 3, 2);
	run_sync(_metadata, &self->a, "rounds=2", 1, 3);
	fill(&self->a, 0, 5, 3);
	run_sync(_metadata, &self->a, "start=20 pages=10", 0, 0);
	run_sync(_metadata, &self->a, "start=3 pages=10", 1, 2);
	run_sync(_metadata, &self->a, "", 1, 3);
	ASSERT_EQ(0UL, pattern_errors(&self->a, 0, 5, 3));
	ASSERT_EQ(0UL, pattern_errors(&self->a, 10, 2, 1));
	ASSERT_EQ(0UL, pattern_errors(&self->a, 12, 3, 2));
	ASSERT_EQ(0UL, pattern_errors(&self->a, 15, 5, 1));
}

/* What sync wrote is in the store: reclaim then has nothing to write. */
TEST_F(sync, reclaim_after_sync_writes_nothing_back_and_keeps_data)
{
	struct tlbt_result r;

	fill(&self->a, 0, SYNC_PAGES, 1);
	run_sync(_metadata, &self->a, "", 1, SYNC_PAGES);
	ASSERT_EQ(0, tlbt_cmd(&self->a, "reclaim flush=batched"));
	ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
	ASSERT_EQ(0ULL, r.writebacks);
	ASSERT_EQ(0ULL, r.lost_dirty + r.leaked_pages);
	ASSERT_EQ(0UL, pattern_errors(&self->a, 0, SYNC_PAGES, 1));
	/* and a clean page that is out is nothing to sync either */
	ASSERT_EQ(0, tlbt_cmd(&self->a, "reclaim flush=batched"));
	run_sync(_metadata, &self->a, "", 0, 0);
	ASSERT_EQ(0UL, pattern_errors(&self->a, 0, SYNC_PAGES, 1));
}

TLBT_HARNESS_MAIN
