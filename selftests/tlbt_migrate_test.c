// SPDX-License-Identifier: GPL-2.0
/*
 * tlbtorture migrate sequence: oracles and flush accounting.
 *
 * Safe policies must never trip either oracle while workers on every
 * other CPU hammer the pages; the unsafe copy-before-flush ordering must
 * trip both, which is what shows that a pass of the safe ones means
 * something. A raced run passes only once it reached its race (a worker
 * access while the command ran; native, a flush on a worker CPU), and
 * skips otherwise. The counters must match what each policy promises.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tlbt_harness.h"

#define RACE_PAGES	64
#define RACE_ROUNDS	200
#define RACE_TIMEOUT	300	/* seconds; TCG with KASAN is slow */

FIXTURE(migrate_safe) {
	struct tlbt_arena a;
};

FIXTURE_VARIANT(migrate_safe) {
	const char *flush;
	const char *backend;
	unsigned long long pages;
	unsigned long long rounds;
};

FIXTURE_VARIANT_ADD(migrate_safe, immediate_native) {
	.flush = "immediate", .backend = "native",
	.pages = TLBT_PER_PAGE_PAGES, .rounds = TLBT_PER_PAGE_ROUNDS };
FIXTURE_VARIANT_ADD(migrate_safe, batched_native) {
	.flush = "batched", .backend = "native",
	.pages = RACE_PAGES, .rounds = RACE_ROUNDS };
FIXTURE_VARIANT_ADD(migrate_safe, immediate_kernel) {
	.flush = "immediate", .backend = "kernel",
	.pages = TLBT_PER_PAGE_PAGES, .rounds = TLBT_PER_PAGE_ROUNDS };
FIXTURE_VARIANT_ADD(migrate_safe, batched_kernel) {
	.flush = "batched", .backend = "kernel",
	.pages = RACE_PAGES, .rounds = RACE_ROUNDS };

FIXTURE_SETUP(migrate_safe)
{
	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_arena_open(&self->a, variant->pages));
}

FIXTURE_TEARDOWN(migrate_safe)
{
	tlbt_arena_close(&self->a);
}

TEST_F_TIMEOUT(migrate_safe, no_corruption_under_workers, RACE_TIMEOUT)
{
	char cmd[128], label[64];
	struct tlbt_raced rc;

	snprintf(label, sizeof(label), "%s_%s", variant->flush,
		 variant->backend);
	if (tlbt_nr_cpus() < 2)
		SKIP(return, "%s:" ONE_CPU, label);
	snprintf(cmd, sizeof(cmd),
		 "migrate pages=%llu rounds=%llu flush=%s backend=%s",
		 variant->pages, variant->rounds, variant->flush,
		 variant->backend);
	tlbt_race_run(_metadata, &self->a, 0, variant->pages, cmd, &rc);
	tlbt_expect_clean(_metadata, &rc, variant->rounds);
	TLBT_SKIP_UNRACED(label, &rc,
			  rc.r.pages_copied ? NULL : "no page was in memory");
}

/* The positive control: the same oracles must fire on the unsafe order. */
FIXTURE(migrate_unsafe) {
	struct tlbt_arena a;
};

FIXTURE_SETUP(migrate_unsafe)
{
	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_arena_open(&self->a, RACE_PAGES));
}

FIXTURE_TEARDOWN(migrate_unsafe)
{
	tlbt_arena_close(&self->a);
}

TEST_F_TIMEOUT(migrate_unsafe, copy_before_flush_is_caught_by_both_oracles,
	       RACE_TIMEOUT)
{
	char cmd[128];
	struct tlbt_raced rc;

	if (tlbt_nr_cpus() < 2)
		SKIP(return, "%s:" ONE_CPU, _metadata->name);
	snprintf(cmd, sizeof(cmd),
		 "migrate pages=%d rounds=%d flush=unsafe-copy-before-flush backend=native",
		 RACE_PAGES, RACE_ROUNDS);
	tlbt_race_run(_metadata, &self->a, 0, RACE_PAGES, cmd, &rc);

	EXPECT_EQ((unsigned long long)RACE_ROUNDS, rc.r.rounds_done);
	/* Nothing seen and nothing raced: no verdict either way. */
	if (!tlbt_raced_corruption(&rc))
		TLBT_SKIP_UNRACED(_metadata->name, &rc, NULL);
	EXPECT_LT(0ULL, rc.r.leaked_pages) TH_LOG("module oracle missed it");
	EXPECT_LT(0ULL, rc.o.lost_increments) TH_LOG("worker oracle missed it");
}

/*
 * Exact accounting. With PTI and PCID but no INVPCID the user half of the
 * address space can only be flushed whole, so every shootdown is full.
 */
FIXTURE(migrate_counts) {
	struct tlbt_arena a;
	unsigned long ceiling;
	bool full_only;
};

FIXTURE_SETUP(migrate_counts)
{
	bool pti, pcid, invpcid;

	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_knob_read("ceiling", &self->ceiling));
	ASSERT_EQ(0, tlbt_flush_caps(&pti, &pcid, &invpcid));
	self->full_only = pti && pcid && !invpcid;
	if (self->full_only)
		TH_LOG("pti with pcid but no invpcid: expecting full flushes only");
	ASSERT_EQ(0, tlbt_knob_write("ceiling", 33));
	ASSERT_EQ(0, tlbt_arena_open(&self->a, RACE_PAGES));
	/* Pages start out and migrate copies only those in memory. */
	for (size_t p = 0; p < RACE_PAGES; p++)
		*tlbt_arena_page(&self->a, p) = p;
}

FIXTURE_TEARDOWN(migrate_counts)
{
	tlbt_arena_close(&self->a);
	tlbt_knob_write("ceiling", self->ceiling);
}

static void run_counted(struct __test_metadata *_metadata,
			struct tlbt_arena *a, struct tlbt_result *r,
			unsigned long long pages, unsigned long long rounds,
			const char *flush, const char *backend)
{
	ASSERT_EQ(0, tlbt_cmd(a, "migrate pages=%llu rounds=%llu flush=%s backend=%s",
			      pages, rounds, flush, backend));
	ASSERT_EQ(0, tlbt_results_read(a, r));
	ASSERT_EQ(rounds, r->rounds_done);
	ASSERT_EQ(pages * rounds, r->pages_copied);
	ASSERT_EQ(0ULL, r->leaked_pages + r->leaked_bytes + r->poison_hits);
}

/*
 * One batched shootdown of @pages pages: INVLPG per page up to the
 * ceiling, one full flush above it.
 */
static void assert_one_flush(struct __test_metadata *_metadata,
			     struct tlbt_arena *a, bool full_only,
			     unsigned long long pages, bool invlpg)
{
	struct tlbt_result r;

	run_counted(_metadata, a, &r, pages, 1, "batched", "native");
	ASSERT_EQ(1ULL, r.shootdowns);
	if (full_only)
		invlpg = false;
	ASSERT_EQ(invlpg ? pages : 0ULL, r.invlpg_pages)
		TH_LOG("pages=%llu", pages);
	ASSERT_EQ(invlpg ? 0ULL : 1ULL, r.full_flushes)
		TH_LOG("pages=%llu", pages);
}

TEST_F(migrate_counts, native_immediate_one_shootdown_per_page_per_round)
{
	struct tlbt_result r;

	run_counted(_metadata, &self->a, &r, 16, 10, "immediate", "native");
	ASSERT_EQ(160ULL, r.shootdowns);
	ASSERT_EQ(self->full_only ? 0ULL : 160ULL, r.invlpg_pages);
	ASSERT_EQ(self->full_only ? 160ULL : 0ULL, r.full_flushes);

	run_counted(_metadata, &self->a, &r, 64, 3, "immediate", "native");
	ASSERT_EQ(192ULL, r.shootdowns);
}

TEST_F(migrate_counts, native_batched_one_shootdown_per_round)
{
	struct tlbt_result r;

	run_counted(_metadata, &self->a, &r, 16, 10, "batched", "native");
	ASSERT_EQ(10ULL, r.shootdowns);
	ASSERT_EQ(self->full_only ? 0ULL : 160ULL, r.invlpg_pages);
	ASSERT_EQ(self->full_only ? 10ULL : 0ULL, r.full_flushes);

	run_counted(_metadata, &self->a, &r, 64, 7, "batched", "native");
	ASSERT_EQ(7ULL, r.shootdowns);
	ASSERT_EQ(0ULL, r.invlpg_pages);
	ASSERT_EQ(7ULL, r.full_flushes);
}

TEST_F(migrate_counts, ceiling_33_invlpg_up_to_33_pages_full_above)
{
	assert_one_flush(_metadata, &self->a, self->full_only, 33, true);
	assert_one_flush(_metadata, &self->a, self->full_only, 34, false);
	assert_one_flush(_metadata, &self->a, self->full_only, 1, true);
}

TEST_F(migrate_counts, ceiling_8_invlpg_up_to_8_pages_full_above)
{
	ASSERT_EQ(0, tlbt_knob_write("ceiling", 8));
	assert_one_flush(_metadata, &self->a, self->full_only, 8, true);
	assert_one_flush(_metadata, &self->a, self->full_only, 9, false);
}

TEST_F(migrate_counts, ceiling_0_always_full_flush)
{
	struct tlbt_result r;

	ASSERT_EQ(0, tlbt_knob_write("ceiling", 0));
	run_counted(_metadata, &self->a, &r, 4, 2, "immediate", "native");
	ASSERT_EQ(8ULL, r.shootdowns);
	ASSERT_EQ(0ULL, r.invlpg_pages);
	ASSERT_EQ(8ULL, r.full_flushes);
}

TEST_F(migrate_counts, kernel_immediate_one_zap_per_page_per_round)
{
	struct tlbt_result r;

	run_counted(_metadata, &self->a, &r, 16, 10, "immediate", "kernel");
	ASSERT_EQ(160ULL, r.shootdowns);
}

TEST_F(migrate_counts, kernel_batched_one_zap_per_round)
{
	struct tlbt_result r;

	run_counted(_metadata, &self->a, &r, 16, 10, "batched", "kernel");
	ASSERT_EQ(10ULL, r.shootdowns);
}

/* A page that is out has no frame to copy; the flushes stay the same. */
TEST_F(migrate_counts, out_pages_are_not_copied_but_flushed_the_same)
{
	struct tlbt_result r;
	struct tlbt_arena b;

	ASSERT_EQ(0, tlbt_arena_open(&b, 16));
	ASSERT_EQ(0, tlbt_cmd(&b, "migrate rounds=2 flush=immediate"));
	ASSERT_EQ(0, tlbt_results_read(&b, &r));
	ASSERT_EQ(32ULL, r.shootdowns);
	ASSERT_EQ(0ULL, r.pages_copied);
	ASSERT_EQ(0, tlbt_cmd(&b, "migrate rounds=2 flush=batched backend=kernel"));
	ASSERT_EQ(0, tlbt_results_read(&b, &r));
	ASSERT_EQ(2ULL, r.shootdowns);
	ASSERT_EQ(0ULL, r.pages_copied);

	/* four pages in, one read and three written: those four are copied */
	ASSERT_EQ(0ULL, (unsigned long long)*tlbt_arena_page(&b, 0));
	for (size_t p = 5; p < 8; p++)
		*tlbt_arena_page(&b, p) = p;
	ASSERT_EQ(0, tlbt_cmd(&b, "migrate rounds=3 flush=batched"));
	ASSERT_EQ(0, tlbt_results_read(&b, &r));
	ASSERT_EQ(3ULL, r.shootdowns);
	ASSERT_EQ(12ULL, r.pages_copied);
	for (size_t p = 5; p < 8; p++)
		ASSERT_EQ(p, *tlbt_arena_page(&b, p));
	tlbt_arena_close(&b);
}

/*
 * Which CPUs a shootdown reaches depends on who has the mm loaded, so no
 * count is exact; but the accounting is. Every CPU in mm_cpumask() runs
 * the handler once, the issuer's included (it runs the mm): handler runs
 * that flushed plus those that found another mm in CR3 are the targeted
 * CPUs plus the issuer's own, one per shootdown. Skips unless a handler
 * flushed on a worker CPU: with no remote flush the check says nothing.
 */
static void expect_handler_accounting(struct __test_metadata *_metadata,
				      const struct tlbt_raced *rc)
{
	EXPECT_EQ(rc->r.shootdowns + rc->r.ipis,
		  rc->r.cpu_flushes + rc->r.cpu_skips);
	EXPECT_LE(rc->r.shootdowns, rc->r.cpu_flushes)
		TH_LOG("the issuer's own flush did not run");
	EXPECT_EQ(0ULL, tlbt_raced_corruption(rc));
}

TEST_F_TIMEOUT(migrate_counts, handler_runs_account_for_every_target,
	       RACE_TIMEOUT)
{
	struct tlbt_raced rc;

	if (tlbt_nr_cpus() < 2)
		SKIP(return, "%s:" ONE_CPU, _metadata->name);
	tlbt_race_run(_metadata, &self->a, 0, RACE_PAGES,
		      "migrate pages=64 rounds=20 flush=immediate backend=native",
		      &rc);
	EXPECT_EQ(1280ULL, rc.r.shootdowns);
	EXPECT_EQ(self->full_only ? 0ULL : 1280ULL, rc.r.invlpg_pages);
	expect_handler_accounting(_metadata, &rc);
	TLBT_SKIP_UNRACED("handler_runs_account_for_every_target (immediate)",
			  &rc, NULL);

	tlbt_race_run(_metadata, &self->a, 0, RACE_PAGES,
		      "migrate pages=64 rounds=20 flush=batched backend=native",
		      &rc);
	EXPECT_EQ(20ULL, rc.r.shootdowns);
	EXPECT_EQ(20ULL, rc.r.full_flushes);
	expect_handler_accounting(_metadata, &rc);
	TLBT_SKIP_UNRACED("handler_runs_account_for_every_target (batched)",
			  &rc, NULL);
}

TLBT_HARNESS_MAIN
