// SPDX-License-Identifier: GPL-2.0
/*
 * tlbtorture mremap sequence (CVE-2018-18281): oracles and flush accounting.
 *
 * The source S = arena pages [0, P) moves to the destination D = [P, 2P)
 * and back every round while a racing punch releases the first pages of
 * D. Workers hammer S only: D must stay untouched, or every round would
 * first have to drop it. Safe policies must trip neither oracle; frames
 * released while stale S entries live must show up as writes into
 * poisoned pool frames and as lost increments, except where the punch's
 * own shootdown drops them first (tlbt_mremap_masked()). A raced run
 * passes only once it reached its race (a worker access while the
 * command ran; native, a flush on a worker CPU), and skips otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tlbt_harness.h"

#define RACE_PAGES	64
#define RACE_ROUNDS	200
#define RACE_TIMEOUT	300	/* seconds; TCG with KASAN is slow */

#define COUNT_PAGES	64
#define COUNT_PUNCH	8
#define PG_SLOTS	TLBT_SLOTS_PER_PAGE

static uint64_t pattern(size_t slot, uint64_t salt)
{
	return (0x3e3a900000000000ULL | slot) ^ (salt * 0x9e3779b97f4a7c15ULL);
}

/* Fill arena pages [first, first + pages) with a pattern of @salt. */
static void fill(struct tlbt_arena *a, size_t first, size_t pages,
		 uint64_t salt)
{
	size_t i;

	for (i = first * PG_SLOTS; i < (first + pages) * PG_SLOTS; i++)
		a->base[i] = pattern(i, salt);
}

static size_t pattern_errors(struct tlbt_arena *a, size_t first,
			     size_t pages, uint64_t salt)
{
	size_t i, bad = 0;

	for (i = first * PG_SLOTS; i < (first + pages) * PG_SLOTS; i++)
		bad += a->base[i] != pattern(i, salt);
	return bad;
}

static size_t nonzero_slots(struct tlbt_arena *a, size_t first, size_t pages)
{
	size_t i, n = 0;

	for (i = first * PG_SLOTS; i < (first + pages) * PG_SLOTS; i++)
		n += a->base[i] != 0;
	return n;
}

/* Every safe policy and backend, with workers on every other CPU. */
FIXTURE(mremap_safe) {
	struct tlbt_arena a;
};

FIXTURE_VARIANT(mremap_safe) {
	const char *flush;
	const char *backend;
	unsigned long long pages;
	unsigned long long rounds;
	unsigned long long per_round;	/* shootdowns; punch = pages / 2 */
};

FIXTURE_VARIANT_ADD(mremap_safe, immediate_native) {
	.flush = "immediate", .backend = "native",
	.pages = TLBT_PER_PAGE_PAGES, .rounds = TLBT_PER_PAGE_ROUNDS,
	.per_round = TLBT_PER_PAGE_PAGES + 2 };
FIXTURE_VARIANT_ADD(mremap_safe, batched_native) {
	.flush = "batched", .backend = "native",
	.pages = RACE_PAGES, .rounds = RACE_ROUNDS, .per_round = 3 };
FIXTURE_VARIANT_ADD(mremap_safe, dirty_aware_native) {
	.flush = "dirty-aware", .backend = "native",
	.pages = TLBT_PER_PAGE_PAGES, .rounds = TLBT_PER_PAGE_ROUNDS,
	.per_round = TLBT_PER_PAGE_PAGES / 2 + 3 };
FIXTURE_VARIANT_ADD(mremap_safe, immediate_kernel) {
	.flush = "immediate", .backend = "kernel",
	.pages = TLBT_PER_PAGE_PAGES, .rounds = TLBT_PER_PAGE_ROUNDS,
	.per_round = TLBT_PER_PAGE_PAGES + 2 };
FIXTURE_VARIANT_ADD(mremap_safe, batched_kernel) {
	.flush = "batched", .backend = "kernel",
	.pages = RACE_PAGES, .rounds = RACE_ROUNDS, .per_round = 3 };

FIXTURE_SETUP(mremap_safe)
{
	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_arena_open(&self->a, 2 * variant->pages));
}

FIXTURE_TEARDOWN(mremap_safe)
{
	tlbt_arena_close(&self->a);
}

TEST_F_TIMEOUT(mremap_safe, no_corruption_under_workers, RACE_TIMEOUT)
{
	char cmd[TLBT_CMD_MAX_LEN + 1], label[64];
	struct tlbt_raced rc;

	snprintf(label, sizeof(label), "%s_%s", variant->flush,
		 variant->backend);
	if (tlbt_nr_cpus() < 2)
		SKIP(return, "%s:" ONE_CPU, label);
	ASSERT_EQ(0, tlbt_seq_cmd(cmd, sizeof(cmd), tlbt_seq_find("mremap"),
				  variant->pages, variant->rounds, variant->flush,
				  variant->backend));
	tlbt_race_run(_metadata, &self->a, 0, variant->pages, cmd, &rc);
	tlbt_expect_clean(_metadata, &rc, variant->rounds);
	EXPECT_EQ(variant->pages, rc.r.dst);
	EXPECT_EQ(variant->pages / 2, rc.r.punch);
	/* D is empty at every round's start, so workers change no count. */
	EXPECT_EQ(variant->rounds * variant->per_round, rc.r.shootdowns);
	/* The punch copies what workers keep in S: pages were in memory. */
	TLBT_SKIP_UNRACED(label, &rc,
			  rc.r.pages_copied ? NULL : "no page was in memory");
}

/* The positive control: both oracles must fire on the unsafe order. */
FIXTURE(mremap_unsafe) {
	struct tlbt_arena a;
};

FIXTURE_SETUP(mremap_unsafe)
{
	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_arena_open(&self->a, 2 * RACE_PAGES));
}

FIXTURE_TEARDOWN(mremap_unsafe)
{
	tlbt_arena_close(&self->a);
}

TEST_F_TIMEOUT(mremap_unsafe, release_before_flush_is_caught_by_both_oracles,
	       RACE_TIMEOUT)
{
	char cmd[TLBT_CMD_MAX_LEN + 1];
	struct tlbt_raced rc;

	if (tlbt_nr_cpus() < 2)
		SKIP(return, "%s:" ONE_CPU, _metadata->name);
	ASSERT_EQ(0, tlbt_seq_cmd(cmd, sizeof(cmd), tlbt_seq_find("mremap"),
				  RACE_PAGES, RACE_ROUNDS,
				  "unsafe-release-before-flush", "native"));
	tlbt_race_run(_metadata, &self->a, 0, RACE_PAGES, cmd, &rc);

	EXPECT_EQ((unsigned long long)RACE_ROUNDS, rc.r.rounds_done);
	if (tlbt_mremap_masked(rc.r.punch)) {
		/*
		 * Masked, not missed: nothing may be seen, and the run must
		 * show the shootdowns reaching worker CPUs that held the mm
		 * (remote cpu_flushes), which is what drops the entries.
		 */
		TH_LOG(TLBT_PTI_MASKS_MREMAP);
		EXPECT_EQ(0ULL, tlbt_raced_corruption(&rc))
			TH_LOG("a stale entry outlived the punch: the masking predicate is wrong");
		TLBT_SKIP_UNRACED(_metadata->name, &rc, NULL);
		return;
	}
	/* Nothing seen and nothing raced: no verdict either way. */
	if (!tlbt_raced_corruption(&rc))
		TLBT_SKIP_UNRACED(_metadata->name, &rc, NULL);
	EXPECT_LT(0ULL, rc.r.poison_hits) TH_LOG("module oracle missed it");
	EXPECT_LT(0ULL, rc.o.lost_increments) TH_LOG("worker oracle missed it");
}

/*
 * Exact accounting without workers, from the README's table: per round
 * with P pages and a punch of K < P, immediate P + 2, batched 3,
 * dirty-aware K + 3, unsafe-release-before-flush 3; the kernel backend
 * counts its zaps the same way.
 */
FIXTURE(mremap_counts) {
	struct tlbt_arena a;
};

FIXTURE_VARIANT(mremap_counts) {
	const char *flush;
	const char *backend;
	unsigned int per_page;		/* shootdowns per page of the range */
	unsigned int per_punch;		/* per page of the punch */
	unsigned int fixed;		/* and per round */
};

FIXTURE_VARIANT_ADD(mremap_counts, immediate_native) {
	.flush = "immediate", .backend = "native", .per_page = 1, .fixed = 2 };
FIXTURE_VARIANT_ADD(mremap_counts, batched_native) {
	.flush = "batched", .backend = "native", .fixed = 3 };
FIXTURE_VARIANT_ADD(mremap_counts, dirty_aware_native) {
	.flush = "dirty-aware", .backend = "native", .per_punch = 1,
	.fixed = 3 };
FIXTURE_VARIANT_ADD(mremap_counts, unsafe_release_before_flush_native) {
	.flush = "unsafe-release-before-flush", .backend = "native",
	.fixed = 3 };
FIXTURE_VARIANT_ADD(mremap_counts, immediate_kernel) {
	.flush = "immediate", .backend = "kernel", .per_page = 1, .fixed = 2 };
FIXTURE_VARIANT_ADD(mremap_counts, batched_kernel) {
	.flush = "batched", .backend = "kernel", .fixed = 3 };

FIXTURE_SETUP(mremap_counts)
{
	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_arena_open(&self->a, 2 * COUNT_PAGES));
}

FIXTURE_TEARDOWN(mremap_counts)
{
	tlbt_arena_close(&self->a);
}

static void run_counted(struct __test_metadata *_metadata,
			struct tlbt_arena *a,
			const FIXTURE_VARIANT(mremap_counts) *v,
			unsigned long long pages, unsigned long long punch,
			unsigned long long rounds, struct tlbt_result *r)
{
	unsigned long long want;

	/* D = [COUNT_PAGES, ...) is never touched, so never in memory */
	ASSERT_EQ(0, tlbt_cmd(a, "mremap pages=%llu dst=%d punch=%llu rounds=%llu flush=%s backend=%s",
			      pages, COUNT_PAGES, punch, rounds, v->flush,
			      v->backend));
	ASSERT_EQ(0, tlbt_results_read(a, r));
	ASSERT_EQ(rounds, r->rounds_done);
	ASSERT_EQ((unsigned long long)COUNT_PAGES, r->dst);
	ASSERT_EQ(punch, r->punch);
	want = rounds * (v->per_page * pages + v->per_punch * punch + v->fixed);
	ASSERT_EQ(want, r->shootdowns) {
		TH_LOG("pages=%llu punch=%llu rounds=%llu", pages, punch,
		       rounds);
	}
	ASSERT_EQ(0ULL, r->leaked_pages + r->leaked_bytes + r->poison_hits +
			r->lost_dirty);
}

TEST_F_TIMEOUT(mremap_counts, shootdowns_per_round_match_the_readme, 120)
{
	struct tlbt_result r;

	/* Pages that are out move as empty entries: same flushes, no copy. */
	run_counted(_metadata, &self->a, variant, COUNT_PAGES, COUNT_PUNCH, 3,
		    &r);
	ASSERT_EQ(0ULL, r.pages_copied);
	ASSERT_EQ(0UL, nonzero_slots(&self->a, 0, COUNT_PAGES));

	/* In memory: the punch copies what it releases, S keeps its data. */
	fill(&self->a, 0, COUNT_PAGES, 1);
	run_counted(_metadata, &self->a, variant, COUNT_PAGES, COUNT_PUNCH, 3,
		    &r);
	ASSERT_EQ(3ULL * COUNT_PUNCH, r.pages_copied);
	ASSERT_EQ(0UL, pattern_errors(&self->a, 0, COUNT_PAGES, 1));

	/* Other shapes: one page punched, all but one, a small range. */
	run_counted(_metadata, &self->a, variant, COUNT_PAGES, 1, 2, &r);
	run_counted(_metadata, &self->a, variant, COUNT_PAGES,
		    COUNT_PAGES - 1, 2, &r);
	run_counted(_metadata, &self->a, variant, 5, 2, 4, &r);
	ASSERT_EQ(4ULL * 2, r.pages_copied);
	ASSERT_EQ(0UL, pattern_errors(&self->a, 0, COUNT_PAGES, 1));
}

/*
 * MREMAP_FIXED unmaps its target: frames in D at a round's start are
 * dropped, with one more shootdown, and their data is gone.
 */
TEST_F(mremap_counts, destination_in_memory_is_dropped_first)
{
	unsigned long long extra;
	struct tlbt_result r;

	fill(&self->a, 0, 2 * COUNT_PAGES, 2);
	ASSERT_EQ(0, tlbt_cmd(&self->a, "mremap pages=%d dst=%d punch=%d rounds=2 flush=%s backend=%s",
			      COUNT_PAGES, COUNT_PAGES, COUNT_PUNCH,
			      variant->flush, variant->backend));
	ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
	extra = variant->per_page * COUNT_PAGES +
		variant->per_punch * COUNT_PUNCH + variant->fixed;
	ASSERT_EQ(2 * extra + 1, r.shootdowns);
	ASSERT_EQ(0UL, pattern_errors(&self->a, 0, COUNT_PAGES, 2));
	ASSERT_EQ(0UL, nonzero_slots(&self->a, COUNT_PAGES, COUNT_PAGES));
}

/* Defaults: pages from start up to dst, punch half of them rounded up. */
FIXTURE(mremap_defaults) {
	struct tlbt_arena a;
};

FIXTURE_SETUP(mremap_defaults)
{
	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_arena_open(&self->a, 2 * COUNT_PAGES));
}

FIXTURE_TEARDOWN(mremap_defaults)
{
	tlbt_arena_close(&self->a);
}

TEST_F(mremap_defaults, pages_up_to_dst_and_half_of_them_punched)
{
	struct tlbt_result r;

	ASSERT_EQ(0, tlbt_cmd(&self->a, "mremap dst=40"));
	ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
	ASSERT_STREQ("immediate", r.policy);
	ASSERT_EQ(0ULL, r.start);
	ASSERT_EQ(40ULL, r.pages);
	ASSERT_EQ(40ULL, r.dst);
	ASSERT_EQ(20ULL, r.punch);
	ASSERT_EQ(42ULL, r.shootdowns);

	ASSERT_EQ(0, tlbt_cmd(&self->a, "mremap start=3 dst=10 flush=batched"));
	ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
	ASSERT_EQ(7ULL, r.pages);
	ASSERT_EQ(4ULL, r.punch);

	ASSERT_EQ(0, tlbt_cmd(&self->a, "mremap start=100 pages=5 dst=64"));
	ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
	ASSERT_EQ(3ULL, r.punch);
	ASSERT_EQ(0, tlbt_cmd(&self->a, "mremap pages=1 dst=127 punch=0 backend=kernel"));
	ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
	ASSERT_EQ(0ULL, r.punch);
	ASSERT_EQ(127ULL, r.dst);
}

TLBT_HARNESS_MAIN
