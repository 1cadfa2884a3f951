/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kselftest_harness.h, 6.1's or 6.12's, plus what the tests share: the
 * module check every FIXTURE_SETUP starts with, the raced run and its
 * verdict, and a main() that is TEST_HARNESS_MAIN with -t for 6.1.
 */
#ifndef TLBT_HARNESS_H
#define TLBT_HARNESS_H

/* The 6.1 harness has unused parameters; this suite builds with -Wextra. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
/*
 * 6.12's TEST_F() wrapper keeps a fork() result across its setjmp(),
 * which -Wextra's -Wclobbered flags where the macro expands: in the test
 * file, so for the rest of it (the libraries are built without this).
 */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "libtlbt.h"

/*
 * Workers run on the CPUs the command does not. The 6.1 harness prints
 * only the reason on the TAP skip line, so the reason names the test.
 */
#define ONE_CPU " needs 2 CPUs, one for the command and one for a worker"

/* Both oracles after one command raced by workers. */
struct tlbt_race {
	struct tlbt_result r;
	struct tlbt_oracle o;
	unsigned long long during;	/* increments while the command ran */
};

/*
 * Run @cmd while one worker per other CPU hammers arena pages [@first,
 * @first + @pages), then collect both oracles. The caller has checked
 * there are >= 2 CPUs.
 */
static inline void tlbt_run_raced(struct __test_metadata *_metadata,
				  struct tlbt_arena *a, size_t first,
				  size_t pages, const char *cmd,
				  struct tlbt_race *rc)
{
	unsigned long long before;
	struct tlbt_workers ws;
	int ret;

	ASSERT_EQ(0, tlbt_workers_start(&ws, tlbt_arena_page(a, first), pages,
					-1));
	ASSERT_LT(0U, ws.nr);
	before = tlbt_workers_progress(&ws);
	ret = tlbt_cmd(a, "%s", cmd);
	rc->during = tlbt_workers_progress(&ws) - before;
	ASSERT_EQ(0, tlbt_workers_stop(&ws, &rc->o));
	ASSERT_EQ(0, ret) TH_LOG("'%s': %s", cmd, strerror(-ret));
	ASSERT_EQ(0, tlbt_results_read(a, &rc->r));
	TH_LOG("%s", cmd);
	TH_LOG("workers %u: increments %llu (%llu while the command ran), lost %llu, foreign %llu, stale reads %llu",
	       rc->o.workers, rc->o.increments, rc->during,
	       rc->o.lost_increments, rc->o.foreign, rc->o.stale_reads);
	TH_LOG("module: leaked %llu pages %llu bytes, poison %llu, lost_dirty %llu; shootdowns %llu, ipis %llu, writebacks %llu, %llu ns/page",
	       rc->r.leaked_pages, rc->r.leaked_bytes, rc->r.poison_hits,
	       rc->r.lost_dirty, rc->r.shootdowns, rc->r.ipis,
	       rc->r.writebacks, rc->r.ns_per_page);
}

/* A safe policy: every round ran and neither oracle saw anything. */
static inline void tlbt_expect_no_corruption(struct __test_metadata *_metadata,
					     const struct tlbt_race *rc,
					     unsigned long long rounds)
{
	EXPECT_EQ(rounds, rc->r.rounds_done);
	EXPECT_LT(0ULL, rc->o.increments) TH_LOG("workers did not run");
	EXPECT_EQ(0ULL, rc->o.lost_increments);
	EXPECT_EQ(0ULL, rc->o.foreign);
	/* a worker never reads its own slot going backwards */
	EXPECT_EQ(0ULL, rc->o.stale_reads);
	EXPECT_EQ(0ULL, rc->o.foreign_reads);
	EXPECT_EQ(0ULL, rc->r.leaked_pages);
	EXPECT_EQ(0ULL, rc->r.leaked_bytes);
	EXPECT_EQ(0ULL, rc->r.poison_hits);
	EXPECT_EQ(0ULL, rc->r.lost_dirty);
	if (!rc->during)
		TH_LOG("note: no increments counted while the command ran");
}

/*
 * -t NAME (repeatable) runs only the tests of that name, like the -t of
 * later harnesses: the 6.1 one ignores its arguments. The harness walks
 * only ->next, so unlinking there is enough.
 */
static inline int tlbt_harness_filter(int argc, char **argv)
{
	struct __fixture_metadata *f;
	struct __test_metadata *t, **link;
	bool keep;
	int i;

	for (i = 1; i < argc; i += 2)
		if (strcmp(argv[i], "-t") || i + 1 >= argc) {
			fprintf(stderr, "usage: %s [-t TEST]...\n", argv[0]);
			return -EINVAL;
		}
	if (argc < 2)
		return 0;
	for (f = __fixture_list; f; f = f->next) {
		for (link = &f->tests; (t = *link);) {
			for (keep = false, i = 2; i < argc && !keep; i += 2)
				keep = !strcmp(t->name, argv[i]);
			if (keep)
				link = &t->next;
			else
				*link = t->next;
		}
	}
	return 0;
}

/*
 * First thing in every FIXTURE_SETUP: skip the test when the module is
 * not loaded. 6.1's harness still runs the test after a SKIP() in setup
 * (6.12's does not), so the skip jumps back into the harness the way a
 * failed ASSERT does; both then report it as skipped. The 6.1 harness
 * prints only the reason on the TAP line, so the reason names the test.
 */
#define TLBT_REQUIRE_MODULE() do {					\
	if (!tlbt_module_loaded())					\
		SKIP(longjmp(_metadata->env, 1),			\
		     "%s: tlbtorture module not loaded", _metadata->name); \
} while (0)

/*
 * Last in every test file. 6.12's harness parses -t itself: there this
 * is plain TEST_HARNESS_MAIN. 6.1's ignores its arguments (and is the one
 * with _CONSTRUCTOR_ORDER_FORWARD: 6.12 dropped __constructor_order), so
 * filter first. Without TEST_HARNESS_MAIN's constructor-order hook, 6.1
 * still registers the tests in the order they are written.
 */
#ifdef _CONSTRUCTOR_ORDER_FORWARD
#define TLBT_HARNESS_MAIN						\
	int main(int argc, char **argv)					\
	{								\
		if (tlbt_harness_filter(argc, argv))			\
			return KSFT_FAIL;				\
		return test_harness_run(argc, argv);			\
	}
#else
#define TLBT_HARNESS_MAIN TEST_HARNESS_MAIN
#endif

#endif /* TLBT_HARNESS_H */
