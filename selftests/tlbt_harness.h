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

/*
 * A safe run of a policy that shoots down page by page (immediate,
 * dirty-aware) takes fewer pages and rounds than a batched one: under TCG
 * an IPI to a busy vCPU costs a host time slice, 3 to 5 ms a shootdown.
 * 200 rounds of 16 pages took 16 s, of 64 pages (migrate) 43 s, with
 * hundreds of thousands of worker visits during the command; 50 rounds
 * of 16 pages still see tens of thousands and every remote flush path.
 */
#define TLBT_PER_PAGE_PAGES	16
#define TLBT_PER_PAGE_ROUNDS	50

/* The kselftest side of a raced run (libtlbt.h: tlbt_race_cmd()). */
/* A failure so far: 6.1's harness records it in ->passed, 6.12's in ->exit_code. */
static inline bool tlbt_test_failed(const struct __test_metadata *m)
{
#ifdef _CONSTRUCTOR_ORDER_FORWARD
	return !m->passed;
#else
	return m->exit_code == KSFT_FAIL;
#endif
}

/*
 * Run @cmd while workers hammer pages [@first, @first + @pages), of which
 * [@first + @ro_first, + @ro_pages) they only read; log both oracles.
 */
static inline void tlbt_race_run_ro(struct __test_metadata *_metadata,
				    struct tlbt_arena *a, size_t first,
				    size_t pages, size_t ro_first,
				    size_t ro_pages, const char *cmd,
				    struct tlbt_raced *rc)
{
	int ret = tlbt_race_cmd_ro(a, first, pages, ro_first, ro_pages, -1,
				   cmd, rc);

	TH_LOG("%s", cmd);
	ASSERT_EQ(0, ret) TH_LOG("'%s': %s", cmd, strerror(-ret));
	ASSERT_LT(0U, rc->o.workers);
	TH_LOG("workers %u: increments %llu, %llu page visits while the command ran (by %u workers, %llu read-only), lost %llu, foreign %llu, stale reads %llu, foreign reads %llu",
	       rc->o.workers, rc->o.increments, rc->during,
	       rc->workers_during, rc->ro_during, rc->o.lost_increments,
	       rc->o.foreign, rc->o.stale_reads, rc->o.foreign_reads);
	TH_LOG("reads %llu: poison %llu, foreign words %llu; guard or tag words changed %llu",
	       rc->o.reads, rc->o.poison_reads, rc->o.foreign_words,
	       rc->o.guard_hits);
	TH_LOG("module: leaked %llu pages %llu bytes, poison %llu, lost_dirty %llu; shootdowns %llu, ipis %llu, cpu_flushes %llu (%llu remote), cpu_skips %llu, writebacks %llu, %llu ns/page",
	       rc->r.leaked_pages, rc->r.leaked_bytes, rc->r.poison_hits,
	       rc->r.lost_dirty, rc->r.shootdowns, rc->r.ipis,
	       rc->r.cpu_flushes, tlbt_remote_flushes(&rc->r),
	       rc->r.cpu_skips, rc->r.writebacks, rc->r.ns_per_page);
}

static inline void tlbt_race_run(struct __test_metadata *_metadata,
				 struct tlbt_arena *a, size_t first,
				 size_t pages, const char *cmd,
				 struct tlbt_raced *rc)
{
	tlbt_race_run_ro(_metadata, a, first, pages, 0, 0, cmd, rc);
}

/* A safe policy: every round ran and neither oracle saw anything. */
static inline void tlbt_expect_clean(struct __test_metadata *_metadata,
				     const struct tlbt_raced *rc,
				     unsigned long long rounds)
{
	EXPECT_EQ(rounds, rc->r.rounds_done);
	EXPECT_EQ(0ULL, rc->o.lost_increments);
	EXPECT_EQ(0ULL, rc->o.foreign);
	/* a worker never reads its own slot going backwards */
	EXPECT_EQ(0ULL, rc->o.stale_reads);
	EXPECT_EQ(0ULL, rc->o.foreign_reads);
	/* reads: no poison, no foreign word; guards and tags unchanged */
	EXPECT_LT(0ULL, rc->o.reads);
	EXPECT_EQ(0ULL, rc->o.poison_reads);
	EXPECT_EQ(0ULL, rc->o.foreign_words);
	EXPECT_EQ(0ULL, rc->o.guard_hits);
	EXPECT_EQ(0ULL, rc->r.leaked_pages);
	EXPECT_EQ(0ULL, rc->r.leaked_bytes);
	EXPECT_EQ(0ULL, rc->r.poison_hits);
	EXPECT_EQ(0ULL, rc->r.lost_dirty);
}

/*
 * Skip a run that never reached its race: @why (the test's own reason,
 * or NULL), else tlbt_race_missing()'s. A failure already recorded ends
 * the test as failed instead: SKIP would turn it into a skip. The 6.1
 * harness prints only the reason on the TAP line, so it names the test
 * by @label.
 */
#define TLBT_SKIP_UNRACED(label, rc, why) do {				\
	const char *__why = (why);					\
									\
	if (!__why)							\
		__why = tlbt_race_missing(rc);				\
	if (__why && tlbt_test_failed(_metadata)) {			\
		TH_LOG("race not reached either: %s", __why);		\
		return;							\
	}								\
	if (__why)							\
		SKIP(return, "%s: race not reached: %s", (label), __why); \
} while (0)

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
	const char *__why = tlbt_module_unusable();			\
									\
	if (__why)							\
		SKIP(longjmp(_metadata->env, 1), "%s: %s",		\
		     _metadata->name, __why);				\
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

/* Log each line of the file @path (a runner's output) as "| line". */
static inline void tlbt_log_file(struct __test_metadata *_metadata,
				 const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		TH_LOG("| %s", line);
	}
	fclose(f);
}

#endif /* TLBT_HARNESS_H */
