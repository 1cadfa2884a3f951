// SPDX-License-Identifier: GPL-2.0
/*
 * tlbtorture reclaim sequence: oracles, flush accounting and the store.
 *
 * Reclaim unmaps every page in memory, writes the dirty ones to the
 * arena's store and releases their frames; the workers fault them back
 * in from the store between rounds. Writing back before the flush lets a
 * stale entry write after the copy (leaked_pages, lost increments): the
 * stale-TLB control. A raced run passes only once it reached its race (a
 * worker access while the command ran; native, a flush on a worker CPU),
 * and skips otherwise.
 *
 * unsafe-ignore-dirty involves no TLB: the module clears the dirty flag
 * itself, so every page written since its last writeback is dropped. It
 * is a data-loss check of the oracles, not a caught ordering: lost_dirty
 * must equal the pages written, each of which reads back without it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tlbt_harness.h"

#define RACE_PAGES	64
#define RACE_ROUNDS	200
#define RACE_TIMEOUT	300	/* seconds; TCG with KASAN is slow */

#define COUNT_PAGES	64
#define RESULTS_MAX	8192
#define PG_SLOTS	TLBT_SLOTS_PER_PAGE

static uint64_t pattern(size_t slot, uint64_t salt)
{
	return (0x5ec1a10000000000ULL | slot) ^ (salt * 0x9e3779b97f4a7c15ULL);
}

/* Write a pattern into arena pages [first, first + pages): all dirty. */
static void fill(struct tlbt_arena *a, size_t first, size_t pages,
		 uint64_t salt)
{
	size_t i;

	for (i = first * PG_SLOTS; i < (first + pages) * PG_SLOTS; i++)
		a->base[i] = pattern(i, salt);
}

/* Reading the pages back faults them in: from the store if reclaimed. */
static size_t pattern_errors(struct tlbt_arena *a, size_t first,
			     size_t pages, uint64_t salt)
{
	size_t i, bad = 0;

	for (i = first * PG_SLOTS; i < (first + pages) * PG_SLOTS; i++)
		bad += a->base[i] != pattern(i, salt);
	return bad;
}

/* Every safe policy and backend, with workers on every other CPU. */
FIXTURE(reclaim_safe) {
	struct tlbt_arena a;
};

FIXTURE_VARIANT(reclaim_safe) {
	const char *flush;
	const char *backend;
	unsigned long long pages;
	unsigned long long rounds;
};

FIXTURE_VARIANT_ADD(reclaim_safe, immediate_native) {
	.flush = "immediate", .backend = "native",
	.pages = TLBT_PER_PAGE_PAGES, .rounds = TLBT_PER_PAGE_ROUNDS };
FIXTURE_VARIANT_ADD(reclaim_safe, batched_native) {
	.flush = "batched", .backend = "native",
	.pages = RACE_PAGES, .rounds = RACE_ROUNDS };
FIXTURE_VARIANT_ADD(reclaim_safe, immediate_kernel) {
	.flush = "immediate", .backend = "kernel",
	.pages = TLBT_PER_PAGE_PAGES, .rounds = TLBT_PER_PAGE_ROUNDS };
FIXTURE_VARIANT_ADD(reclaim_safe, batched_kernel) {
	.flush = "batched", .backend = "kernel",
	.pages = RACE_PAGES, .rounds = RACE_ROUNDS };

FIXTURE_SETUP(reclaim_safe)
{
	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_arena_open(&self->a, variant->pages));
}

FIXTURE_TEARDOWN(reclaim_safe)
{
	tlbt_arena_close(&self->a);
}

/* The workers read every page before the command: none is out (EALREADY). */
TEST_F_TIMEOUT(reclaim_safe, no_corruption_under_workers, RACE_TIMEOUT)
{
	char cmd[TLBT_CMD_MAX_LEN + 1], label[64];
	struct tlbt_raced rc;

	snprintf(label, sizeof(label), "%s_%s", variant->flush,
		 variant->backend);
	if (tlbt_nr_cpus() < 2)
		SKIP(return, "%s:" ONE_CPU, label);
	ASSERT_EQ(0, tlbt_seq_cmd(cmd, sizeof(cmd), tlbt_seq_find("reclaim"),
				  variant->pages, variant->rounds, variant->flush,
				  variant->backend));
	tlbt_race_run(_metadata, &self->a, 0, variant->pages, cmd, &rc);
	tlbt_expect_clean(_metadata, &rc, variant->rounds);
	/* A dirty page to write back is what the flush must order. */
	TLBT_SKIP_UNRACED(label, &rc,
			  rc.r.writebacks ? NULL : "no page came back dirty");
}

/* The stale-TLB control: writing back before the flush must be caught. */
FIXTURE(reclaim_unsafe) {
	struct tlbt_arena a;
};

FIXTURE_SETUP(reclaim_unsafe)
{
	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_arena_open(&self->a, RACE_PAGES));
}

FIXTURE_TEARDOWN(reclaim_unsafe)
{
	tlbt_arena_close(&self->a);
}

static void run_raced(struct __test_metadata *_metadata,
		      struct tlbt_arena *a, const char *flush,
		      struct tlbt_raced *rc)
{
	char cmd[TLBT_CMD_MAX_LEN + 1];

	ASSERT_EQ(0, tlbt_seq_cmd(cmd, sizeof(cmd), tlbt_seq_find("reclaim"),
				  RACE_PAGES, RACE_ROUNDS, flush, "native"));
	tlbt_race_run(_metadata, a, 0, RACE_PAGES, cmd, rc);
	EXPECT_EQ((unsigned long long)RACE_ROUNDS, rc->r.rounds_done);
}

TEST_F_TIMEOUT(reclaim_unsafe, writeback_before_flush_leaks_writes,
	       RACE_TIMEOUT)
{
	struct tlbt_raced rc;

	if (tlbt_nr_cpus() < 2)
		SKIP(return, "%s:" ONE_CPU, _metadata->name);
	run_raced(_metadata, &self->a, "unsafe-writeback-before-flush", &rc);
	/* Nothing seen and nothing raced: no verdict either way. */
	if (!tlbt_raced_corruption(&rc))
		TLBT_SKIP_UNRACED(_metadata->name, &rc, NULL);
	EXPECT_LT(0ULL, rc.r.leaked_pages) TH_LOG("module oracle missed it");
	EXPECT_LT(0ULL, rc.o.lost_increments) TH_LOG("worker oracle missed it");
}

/*
 * The read checker alone: workers that only read (tlbt_workers.h,
 * TLBT_ARENA), so neither write oracle has anything to count. Without a
 * flush (the benchmark baseline flush=none) a released frame is read
 * through a stale entry: poisoned in the pool, or by then another page's.
 * Nothing faults the pages back in then, so only the first round
 * releases any, and the window lasts until the command's closing flush:
 * a millisecond, the workers' visits in it a matter of luck. So up to
 * READ_TRIES commands, until the reads see it. With batched the same
 * reads must stay clean, once the race is shown: read-only visits while
 * the command ran and a flush on a worker CPU.
 */
#define READ_TRIES	20

FIXTURE(reclaim_reads) {
	struct tlbt_arena a;
};

FIXTURE_VARIANT(reclaim_reads) {
	const char *flush;
	bool stale;		/* no flush: the reads must catch it */
};

FIXTURE_VARIANT_ADD(reclaim_reads, none) { .flush = "none", .stale = true };
FIXTURE_VARIANT_ADD(reclaim_reads, batched) { .flush = "batched" };

FIXTURE_SETUP(reclaim_reads)
{
	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_arena_open(&self->a, RACE_PAGES));
}

FIXTURE_TEARDOWN(reclaim_reads)
{
	tlbt_arena_close(&self->a);
}

TEST_F_TIMEOUT(reclaim_reads, read_only_workers, RACE_TIMEOUT)
{
	char cmd[TLBT_CMD_MAX_LEN + 1];
	const char *why = NULL;
	struct tlbt_raced rc;
	bool reached = false;
	int i;

	if (tlbt_nr_cpus() < 2)
		SKIP(return, "%s:" ONE_CPU, variant->flush);
	snprintf(cmd, sizeof(cmd), "reclaim pages=%d rounds=%d flush=%s",
		 RACE_PAGES, RACE_ROUNDS, variant->flush);
	for (i = 1; i <= (variant->stale ? READ_TRIES : 1); i++) {
		tlbt_race_run_ro(_metadata, &self->a, 0, RACE_PAGES, 0,
				 RACE_PAGES, cmd, &rc);
		EXPECT_EQ((unsigned long long)RACE_ROUNDS, rc.r.rounds_done);
		/* no worker wrote: the write oracles have nothing to see */
		EXPECT_EQ(0ULL, rc.o.increments);
		EXPECT_EQ(0ULL, rc.o.lost_increments + rc.o.foreign +
				rc.o.stale_reads + rc.o.foreign_reads);
		EXPECT_EQ(0ULL, rc.r.leaked_pages + rc.r.lost_dirty);
		if (tlbt_read_corruption(&rc.o))
			break;
		/* one try that reached its race and saw nothing is a miss */
		why = tlbt_race_missing(&rc);
		reached |= !why;
	}
	if (variant->stale) {
		TH_LOG("%d tries", i > READ_TRIES ? READ_TRIES : i);
		if (!tlbt_read_corruption(&rc.o) && !reached)
			TLBT_SKIP_UNRACED(variant->flush, &rc, why);
		EXPECT_LT(0ULL, rc.o.poison_reads + rc.o.foreign_words)
			TH_LOG("the reads missed it");
		return;
	}
	tlbt_expect_clean(_metadata, &rc, RACE_ROUNDS);
	TLBT_SKIP_UNRACED(variant->flush, &rc, NULL);
}

/*
 * Exact accounting without workers. Per round immediate costs one
 * shootdown per page in memory, batched one; every dirty page is written
 * back once and every page comes back from the store as it was.
 */
FIXTURE(reclaim_counts) {
	struct tlbt_arena a;
	unsigned long ceiling;
	bool full_only;
};

FIXTURE_SETUP(reclaim_counts)
{
	bool pti, pcid, invpcid;

	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_knob_read("ceiling", &self->ceiling));
	ASSERT_EQ(0, tlbt_flush_caps(&pti, &pcid, &invpcid));
	self->full_only = pti && pcid && !invpcid;
	ASSERT_EQ(0, tlbt_knob_write("ceiling", 33));
	ASSERT_EQ(0, tlbt_arena_open(&self->a, COUNT_PAGES));
}

FIXTURE_TEARDOWN(reclaim_counts)
{
	tlbt_arena_close(&self->a);
	tlbt_knob_write("ceiling", self->ceiling);
}

static void run_reclaim(struct __test_metadata *_metadata,
			struct tlbt_arena *a, const char *args,
			struct tlbt_result *r)
{
	ASSERT_EQ(0, tlbt_cmd(a, "reclaim %s", args)) TH_LOG("reclaim %s", args);
	ASSERT_EQ(0, tlbt_results_read(a, r));
	ASSERT_EQ(0ULL, r->leaked_pages + r->leaked_bytes + r->poison_hits +
			r->lost_dirty + r->pages_copied);
}

TEST_F(reclaim_counts, immediate_one_shootdown_per_page_in_memory)
{
	struct tlbt_result r;

	fill(&self->a, 0, COUNT_PAGES, 1);
	run_reclaim(_metadata, &self->a, "flush=immediate", &r);
	ASSERT_EQ((unsigned long long)COUNT_PAGES, r.shootdowns);
	ASSERT_EQ(self->full_only ? 0ULL : COUNT_PAGES, r.invlpg_pages);
	ASSERT_EQ((unsigned long long)COUNT_PAGES, r.writebacks);
	/* the store round trip */
	ASSERT_EQ(0UL, pattern_errors(&self->a, 0, COUNT_PAGES, 1));

	/* all 64 back in, clean; 10 written again: only those go out */
	fill(&self->a, 20, 10, 2);
	run_reclaim(_metadata, &self->a, "flush=immediate rounds=3", &r);
	ASSERT_EQ((unsigned long long)COUNT_PAGES, r.shootdowns)
		TH_LOG("rounds 2 and 3 find nothing in memory");
	ASSERT_EQ(10ULL, r.writebacks);
	ASSERT_EQ(0UL, pattern_errors(&self->a, 0, 20, 1));
	ASSERT_EQ(0UL, pattern_errors(&self->a, 20, 10, 2));
	ASSERT_EQ(0UL, pattern_errors(&self->a, 30, COUNT_PAGES - 30, 1));

	/* all out, then 5 read back in: immediate flushes just those */
	run_reclaim(_metadata, &self->a, "flush=batched", &r);
	ASSERT_EQ(0ULL, r.writebacks);
	ASSERT_EQ(0UL, pattern_errors(&self->a, 40, 5, 1));
	run_reclaim(_metadata, &self->a, "flush=immediate", &r);
	ASSERT_EQ(5ULL, r.shootdowns);
	ASSERT_EQ(0ULL, r.writebacks);
	ASSERT_EQ(0UL, pattern_errors(&self->a, 0, 20, 1));
	ASSERT_EQ(0UL, pattern_errors(&self->a, 20, 10, 2));
	ASSERT_EQ(0UL, pattern_errors(&self->a, 30, COUNT_PAGES - 30, 1));
}

TEST_F(reclaim_counts, batched_one_shootdown_per_round)
{
	struct tlbt_result r;

	fill(&self->a, 0, COUNT_PAGES, 1);
	run_reclaim(_metadata, &self->a, "flush=batched", &r);
	ASSERT_EQ(1ULL, r.shootdowns);
	ASSERT_EQ(1ULL, r.full_flushes);	/* 64 pages > ceiling 33 */
	ASSERT_EQ((unsigned long long)COUNT_PAGES, r.writebacks);
	ASSERT_EQ(0UL, pattern_errors(&self->a, 0, COUNT_PAGES, 1));

	/* one per round, even once nothing is left in memory */
	fill(&self->a, 0, 7, 2);
	run_reclaim(_metadata, &self->a, "flush=batched rounds=3", &r);
	ASSERT_EQ(3ULL, r.shootdowns);
	ASSERT_EQ(7ULL, r.writebacks);
	ASSERT_EQ(0UL, pattern_errors(&self->a, 0, 7, 2));
	ASSERT_EQ(0UL, pattern_errors(&self->a, 7, COUNT_PAGES - 7, 1));
}

TEST_F(reclaim_counts, kernel_one_zap_per_page_immediate_one_batched)
{
	struct tlbt_result r;

	fill(&self->a, 0, COUNT_PAGES, 1);
	run_reclaim(_metadata, &self->a, "flush=immediate backend=kernel", &r);
	ASSERT_EQ((unsigned long long)COUNT_PAGES, r.shootdowns);
	ASSERT_EQ((unsigned long long)COUNT_PAGES, r.writebacks);
	ASSERT_EQ(0UL, pattern_errors(&self->a, 0, COUNT_PAGES, 1));

	fill(&self->a, 0, COUNT_PAGES, 2);
	run_reclaim(_metadata, &self->a, "flush=batched backend=kernel", &r);
	ASSERT_EQ(1ULL, r.shootdowns);
	ASSERT_EQ((unsigned long long)COUNT_PAGES, r.writebacks);
	ASSERT_EQ(0UL, pattern_errors(&self->a, 0, COUNT_PAGES, 2));
}

/* Without a racing writer, writing back before the flush loses nothing. */
TEST_F(reclaim_counts, writeback_before_flush_without_workers_keeps_data)
{
	struct tlbt_result r;

	fill(&self->a, 0, COUNT_PAGES, 1);
	run_reclaim(_metadata, &self->a, "flush=unsafe-writeback-before-flush", &r);
	ASSERT_EQ(1ULL, r.shootdowns);
	ASSERT_EQ((unsigned long long)COUNT_PAGES, r.writebacks);
	ASSERT_EQ(0UL, pattern_errors(&self->a, 0, COUNT_PAGES, 1));
}

/* Reclaimed frames go to the arena's pool, never to the allocator. */
TEST_F(reclaim_counts, frames_held_unchanged)
{
	unsigned long before, after;
	struct tlbt_result r;

	fill(&self->a, 0, COUNT_PAGES, 1);
	ASSERT_EQ(0, tlbt_stats_get("frames_held", &before));
	run_reclaim(_metadata, &self->a, "flush=batched", &r);
	ASSERT_EQ(0, tlbt_stats_get("frames_held", &after));
	ASSERT_EQ(before, after);
	ASSERT_EQ(0UL, pattern_errors(&self->a, 0, COUNT_PAGES, 1));
	ASSERT_EQ(0, tlbt_stats_get("frames_held", &after));
	ASSERT_EQ(before, after);
}

/*
 * The data-loss check: unsafe-ignore-dirty drops every page written since
 * its last writeback, by design and without any TLB in play. Without
 * workers the count is exact: lost_dirty is the pages written, and each
 * reads back as its older store copy; pages only read are not counted.
 */
FIXTURE(reclaim_data_loss) {
	struct tlbt_arena a;
};

FIXTURE_SETUP(reclaim_data_loss)
{
	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_arena_open(&self->a, COUNT_PAGES));
}

FIXTURE_TEARDOWN(reclaim_data_loss)
{
	tlbt_arena_close(&self->a);
}

TEST_F(reclaim_data_loss, ignore_dirty_lost_dirty_equals_pages_written)
{
	struct tlbt_result r;
	size_t p, written;

	/* every page out once, with salt 1 in the store */
	fill(&self->a, 0, COUNT_PAGES, 1);
	run_reclaim(_metadata, &self->a, "flush=batched", &r);
	ASSERT_EQ((unsigned long long)COUNT_PAGES, r.writebacks);

	/* all written */
	fill(&self->a, 0, COUNT_PAGES, 2);
	ASSERT_EQ(0, tlbt_cmd(&self->a, "reclaim flush=unsafe-ignore-dirty"));
	ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
	ASSERT_EQ(1ULL, r.shootdowns);
	ASSERT_EQ(0ULL, r.writebacks);
	ASSERT_EQ((unsigned long long)COUNT_PAGES, r.lost_dirty);
	ASSERT_EQ(0ULL, r.leaked_pages + r.leaked_bytes + r.poison_hits);
	/* what comes back is the older store copy: every write lost */
	ASSERT_EQ(0UL, pattern_errors(&self->a, 0, COUNT_PAGES, 1));

	/* every third page written, the others only read back in (clean) */
	for (p = 0, written = 0; p < COUNT_PAGES; p++) {
		if (p % 3)
			continue;
		fill(&self->a, p, 1, 3);
		written++;
	}
	ASSERT_EQ(0, tlbt_cmd(&self->a, "reclaim flush=unsafe-ignore-dirty"));
	ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
	ASSERT_EQ(0ULL, r.writebacks);
	ASSERT_EQ((unsigned long long)written, r.lost_dirty);
	ASSERT_EQ(0ULL, r.leaked_pages + r.leaked_bytes + r.poison_hits);
	ASSERT_EQ(0UL, pattern_errors(&self->a, 0, COUNT_PAGES, 1));

	/* nothing written: nothing lost */
	ASSERT_EQ(0, tlbt_cmd(&self->a, "reclaim flush=unsafe-ignore-dirty"));
	ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
	ASSERT_EQ(0ULL, r.lost_dirty);
}

/*
 * The same loss seen by the user-space oracle: workers lose the
 * increments of every dropped page. A check that it counts lost writes,
 * not a stale-TLB verdict; it needs only workers writing while the
 * command ran.
 */
TEST_F_TIMEOUT(reclaim_data_loss, ignore_dirty_loss_seen_by_workers,
	       RACE_TIMEOUT)
{
	struct tlbt_raced rc;

	if (tlbt_nr_cpus() < 2)
		SKIP(return, "%s:" ONE_CPU, _metadata->name);
	run_raced(_metadata, &self->a, "unsafe-ignore-dirty", &rc);
	EXPECT_EQ(0ULL, rc.r.writebacks);
	EXPECT_EQ(0ULL, rc.r.leaked_pages + rc.r.poison_hits);
	if (!rc.r.lost_dirty && !rc.o.lost_increments && !rc.during &&
	    !tlbt_test_failed(_metadata))
		SKIP(return, "%s: no worker page visit while the command ran",
		     _metadata->name);
	EXPECT_LT(0ULL, rc.r.lost_dirty) TH_LOG("module oracle missed it");
	EXPECT_LT(0ULL, rc.o.lost_increments) TH_LOG("worker oracle missed it");
}

/*
 * EALREADY: nothing of the range is in memory. The command changes
 * nothing, the results stay those of the last command that ran, and the
 * arena goes on working.
 */
FIXTURE(reclaim_nothing) {
	struct tlbt_arena a;
	char text[RESULTS_MAX];
	char again[RESULTS_MAX];
};

FIXTURE_SETUP(reclaim_nothing)
{
	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_arena_open(&self->a, COUNT_PAGES));
}

FIXTURE_TEARDOWN(reclaim_nothing)
{
	tlbt_arena_close(&self->a);
}

TEST_F(reclaim_nothing, never_touched_arena_is_ealready)
{
	struct tlbt_result r;

	ASSERT_EQ(-EALREADY, tlbt_cmd(&self->a, "reclaim"));
	ASSERT_EQ(-EALREADY, tlbt_cmd(&self->a, "reclaim flush=batched backend=kernel"));
	ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
	ASSERT_STREQ("none", r.sequence);

	/* one page in is enough */
	fill(&self->a, 9, 1, 1);
	ASSERT_EQ(0, tlbt_cmd(&self->a, "reclaim"));
	ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
	ASSERT_EQ(1ULL, r.shootdowns);
	ASSERT_EQ(1ULL, r.writebacks);
	ASSERT_EQ(0UL, pattern_errors(&self->a, 9, 1, 1));
}

TEST_F(reclaim_nothing, second_reclaim_is_ealready_and_changes_nothing)
{
	struct tlbt_result r;

	fill(&self->a, 0, COUNT_PAGES, 1);
	ASSERT_EQ(0, tlbt_cmd(&self->a, "reclaim flush=batched"));
	ASSERT_EQ(0, tlbt_results_text(&self->a, self->text, RESULTS_MAX));

	ASSERT_EQ(-EALREADY, tlbt_cmd(&self->a, "reclaim flush=batched"));
	ASSERT_EQ(-EALREADY, tlbt_cmd(&self->a, "reclaim flush=immediate backend=kernel"));
	ASSERT_EQ(-EALREADY, tlbt_cmd(&self->a, "reclaim start=60 flush=unsafe-ignore-dirty"));
	ASSERT_EQ(0, tlbt_results_text(&self->a, self->again, RESULTS_MAX));
	ASSERT_STREQ(self->text, self->again);

	/* the arena still works: data back from the store, then reclaim */
	ASSERT_EQ(0UL, pattern_errors(&self->a, 0, COUNT_PAGES, 1));
	ASSERT_EQ(0, tlbt_cmd(&self->a, "reclaim flush=immediate"));
	ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
	ASSERT_EQ((unsigned long long)COUNT_PAGES, r.shootdowns);
	ASSERT_EQ(0ULL, r.writebacks);		/* read back, never written */
	ASSERT_EQ(0ULL, r.lost_dirty);
	ASSERT_EQ(0UL, pattern_errors(&self->a, 0, COUNT_PAGES, 1));
}

/* Per range: one half out is EALREADY, the other half still reclaims. */
TEST_F(reclaim_nothing, ealready_is_per_range)
{
	struct tlbt_result r;

	fill(&self->a, 0, COUNT_PAGES, 1);
	ASSERT_EQ(0, tlbt_cmd(&self->a, "reclaim pages=32"));
	ASSERT_EQ(0, tlbt_results_text(&self->a, self->text, RESULTS_MAX));
	ASSERT_EQ(-EALREADY, tlbt_cmd(&self->a, "reclaim pages=32"));
	ASSERT_EQ(0, tlbt_results_text(&self->a, self->again, RESULTS_MAX));
	ASSERT_STREQ(self->text, self->again);

	ASSERT_EQ(0, tlbt_cmd(&self->a, "reclaim start=16"));
	ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
	ASSERT_EQ(32ULL, r.shootdowns);
	ASSERT_EQ(32ULL, r.writebacks);
	ASSERT_EQ(0UL, pattern_errors(&self->a, 0, COUNT_PAGES, 1));
}

TLBT_HARNESS_MAIN
