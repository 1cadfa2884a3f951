// SPDX-License-Identifier: GPL-2.0
/*
 * Positive controls for the native flush engine (break=).
 *
 * The sequences' unsafe policies show that the oracles catch a flush in
 * the wrong place; they say nothing about the engine itself. Each break=
 * leaves one step of the engine's shootdown out while a safe policy
 * runs, and the oracles must then see corruption wherever the hardware
 * can show that step:
 *
 *   skip-remote      no IPI, only the issuer flushes: any SMP machine
 *   no-tlbgen        mm->context.tlb_gen not bumped: a CPU that was
 *                    running another mm at the flush keeps this mm's
 *                    entries under its PCID and switches back without
 *                    a flush; needs PCID
 *   no-user-invpcid  the user PCID is not flushed: needs PTI, PCID and
 *                    INVPCID (without INVPCID every flush is already a
 *                    full one, which no break= can narrow)
 *
 * Under QEMU TCG (no PCID) only skip-remote can show; the other two
 * skip there, naming what is missing. The input tests check that break=
 * is refused where it means nothing and reported where it ran.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tlbt_harness.h"

#define RACE_PAGES	64	/* > ceiling: one full flush per round */
#define INVLPG_PAGES	16	/* <= ceiling: INVLPG (+ INVPCID) per page */
#define RACE_ROUNDS	200
#define RACE_TRIES	5	/* raced commands before a control "missed" */
#define RACE_TIMEOUT	600	/* seconds; TCG with KASAN is slow */
#define CEILING		33
#define RESULTS_MAX	4096
#define MAX_CPUS	1024

static unsigned long long module_corruption(const struct tlbt_result *r)
{
	return r->leaked_pages + r->leaked_bytes + r->poison_hits +
	       r->lost_dirty;
}

/* A results key as a string: its value up to the end of its line. */
static bool result_is(struct __test_metadata *_metadata,
		      struct tlbt_arena *a, const char *key, const char *want)
{
	char text[RESULTS_MAX];
	const char *val;
	size_t n;

	if (tlbt_results_text(a, text, sizeof(text)) ||
	    tlbt_kv_find(text, key, &val)) {
		TH_LOG("no '%s' in the results", key);
		return false;
	}
	n = strcspn(val, "\n");
	if (n != strlen(want) || strncmp(val, want, n)) {
		TH_LOG("%s: want '%s', got '%.*s'", key, want, (int)n, val);
		return false;
	}
	return true;
}

/*
 * Shootdowns times worker CPUs that did not run the workers' mm then:
 * out of mm_cpumask() (switch_mm() to another process clears the bit, so
 * no IPI) or in it but running something else (cpu_skips). Lazy CPUs
 * keep the mm loaded and do not count.
 */
static unsigned long long cpus_away(const struct tlbt_raced *rc)
{
	unsigned long long all = rc->r.shootdowns * rc->o.workers;

	return (all > rc->r.ipis ? all - rc->r.ipis : 0) + rc->r.cpu_skips;
}

/*
 * Run @cmd raced by workers on pages [0, @pages) up to RACE_TRIES times,
 * until either oracle sees corruption. Return: the try that saw it, or
 * 0. @rc holds the last try; @away, if not NULL, sums cpus_away() over
 * the tries (a command that sends its IPIs).
 */
static int race_until_caught(struct __test_metadata *_metadata,
			     struct tlbt_arena *a, size_t pages,
			     const char *cmd, struct tlbt_raced *rc,
			     unsigned long long *away)
{
	int i;

	if (away)
		*away = 0;
	for (i = 1; i <= RACE_TRIES; i++) {
		tlbt_race_run(_metadata, a, 0, pages, cmd, rc);
		if (away) {
			*away += cpus_away(rc);
			TH_LOG("try %d: %llu CPUs away at a shootdown",
			       i, cpus_away(rc));
		}
		TH_LOG("try %d: ipis %llu, cpu_flushes %llu, cpu_skips %llu; corruption: module %llu, workers %llu",
		       i, rc->r.ipis, rc->r.cpu_flushes, rc->r.cpu_skips,
		       module_corruption(&rc->r),
		       tlbt_oracle_corruption(&rc->o));
		if (module_corruption(&rc->r) || tlbt_oracle_corruption(&rc->o))
			return i;
	}
	return 0;
}

/*
 * Why a raced run could not show a stale write: fewer worker page visits
 * than rounds while it ran (as tlbt_race_missing(), whose remote-flush
 * half does not apply to a control that sends none).
 */
static const char *starved(const struct tlbt_raced *rc)
{
	return rc->during < rc->r.rounds_done ?
	       "fewer worker page visits than rounds while the command ran" :
	       NULL;
}

/* Every break= command reports itself and is an unsafe control. */
static void expect_broken_run(struct __test_metadata *_metadata,
			      struct tlbt_arena *a, const struct tlbt_raced *rc,
			      const char *brk)
{
	EXPECT_EQ(0LL, rc->r.error);
	EXPECT_EQ((unsigned long long)RACE_ROUNDS, rc->r.rounds_done);
	EXPECT_LT(0ULL, rc->o.increments) TH_LOG("workers did not run");
	EXPECT_TRUE(result_is(_metadata, a, "break", brk));
	EXPECT_TRUE(result_is(_metadata, a, "unsafe", "1"));
}

FIXTURE(engine) {
	struct tlbt_arena a;
	unsigned long ceiling;
	bool pti, pcid, invpcid;
	pid_t switchers[MAX_CPUS];
	int nr_switchers;
};

FIXTURE_SETUP(engine)
{
	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_flush_caps(&self->pti, &self->pcid,
				     &self->invpcid));
	TH_LOG("pti=%d pcid=%d invpcid=%d", self->pti, self->pcid,
	       self->invpcid);
	ASSERT_EQ(0, tlbt_knob_read("ceiling", &self->ceiling));
	ASSERT_EQ(0, tlbt_knob_write("ceiling", CEILING));
	ASSERT_EQ(0, tlbt_arena_open(&self->a, RACE_PAGES));
	self->nr_switchers = 0;
}

static void switchers_stop(FIXTURE_DATA(engine) *self)
{
	int i;

	for (i = 0; i < self->nr_switchers; i++) {
		kill(self->switchers[i], SIGKILL);
		waitpid(self->switchers[i], NULL, 0);
	}
	self->nr_switchers = 0;
}

FIXTURE_TEARDOWN(engine)
{
	switchers_stop(self);
	tlbt_arena_close(&self->a);
	tlbt_knob_write("ceiling", self->ceiling);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * A process of another mm on each worker CPU (every CPU but the first,
 * the issuer's in tlbt_race_run()), busy and asleep in turns of 200 us,
 * so that a worker CPU is often running it when a shootdown comes: that
 * CPU is skipped and must flush when it switches back to the workers.
 */
static int switchers_start(FIXTURE_DATA(engine) *self)
{
	int cpus[MAX_CPUS], n, i;
	pid_t pid;

	n = tlbt_cpus(cpus, MAX_CPUS);
	if (n < 0)
		return n;
	for (i = 1; i < n; i++) {
		pid = fork();
		if (pid < 0)
			return -errno;
		if (!pid) {
			unsigned long long t;

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (tlbt_pin(cpus[i]))
				_exit(1);
			for (;;) {
				for (t = now_ns(); now_ns() - t < 200000;)
					;
				usleep(200);
			}
		}
		self->switchers[self->nr_switchers++] = pid;
	}
	return 0;
}

TEST_F_TIMEOUT(engine, skip_remote_is_caught, RACE_TIMEOUT)
{
	struct tlbt_raced rc;
	char cmd[128];
	int try;

	if (tlbt_nr_cpus() < 2)
		SKIP(return, "%s:" ONE_CPU, _metadata->name);
	snprintf(cmd, sizeof(cmd),
		 "migrate pages=%d rounds=%d flush=batched break=skip-remote",
		 RACE_PAGES, RACE_ROUNDS);
	try = race_until_caught(_metadata, &self->a, RACE_PAGES, cmd, &rc,
				NULL);
	expect_broken_run(_metadata, &self->a, &rc, "skip-remote");
	if (!try && starved(&rc))
		TLBT_SKIP_UNRACED(_metadata->name, &rc, starved(&rc));
	/* No IPI: the issuer alone flushed, once per shootdown. */
	EXPECT_EQ(0ULL, rc.r.ipis);
	EXPECT_EQ(rc.r.shootdowns, rc.r.cpu_flushes);
	EXPECT_EQ(0ULL, rc.r.cpu_skips);
	EXPECT_LT(0, try) TH_LOG("no stale write seen in %d raced commands",
				 RACE_TRIES);
}

TEST_F_TIMEOUT(engine, no_tlbgen_is_caught, RACE_TIMEOUT)
{
	struct tlbt_raced rc;
	unsigned long long away;
	char cmd[128];
	int try;

	if (!self->pcid)
		SKIP(return, "%s: needs PCID (the guest has none)",
		     _metadata->name);
	if (tlbt_nr_cpus() < 2)
		SKIP(return, "%s:" ONE_CPU, _metadata->name);
	ASSERT_EQ(0, switchers_start(self));

	/* The same race with the bump is clean: the bump is what saves it. */
	snprintf(cmd, sizeof(cmd), "migrate pages=%d rounds=%d flush=batched",
		 RACE_PAGES, RACE_ROUNDS);
	tlbt_race_run(_metadata, &self->a, 0, RACE_PAGES, cmd, &rc);
	tlbt_expect_clean(_metadata, &rc, RACE_ROUNDS);
	TH_LOG("with the bump: CPUs away %llu", cpus_away(&rc));

	snprintf(cmd, sizeof(cmd),
		 "migrate pages=%d rounds=%d flush=batched break=no-tlbgen",
		 RACE_PAGES, RACE_ROUNDS);
	try = race_until_caught(_metadata, &self->a, RACE_PAGES, cmd, &rc,
				&away);
	switchers_stop(self);
	expect_broken_run(_metadata, &self->a, &rc, "no-tlbgen");
	if (!try && !away)
		TLBT_SKIP_UNRACED(_metadata->name, &rc,
				  "no shootdown found a worker CPU running another process");
	EXPECT_LT(0, try) TH_LOG("no stale write seen in %d raced commands, %llu CPUs away at a shootdown",
				 RACE_TRIES, away);
}

static void no_user_invpcid(struct __test_metadata *_metadata,
			    FIXTURE_DATA(engine) *self, int pages)
{
	struct tlbt_raced rc;
	char cmd[128];
	int try;

	if (!self->pti || !self->pcid || !self->invpcid)
		SKIP(return, "%s: needs PTI, PCID and INVPCID (pti=%d pcid=%d invpcid=%d)",
		     _metadata->name, self->pti, self->pcid, self->invpcid);
	if (tlbt_nr_cpus() < 2)
		SKIP(return, "%s:" ONE_CPU, _metadata->name);
	snprintf(cmd, sizeof(cmd),
		 "migrate pages=%d rounds=%d flush=batched break=no-user-invpcid",
		 pages, RACE_ROUNDS);
	try = race_until_caught(_metadata, &self->a, pages, cmd, &rc, NULL);
	expect_broken_run(_metadata, &self->a, &rc, "no-user-invpcid");
	if (!try && starved(&rc))
		TLBT_SKIP_UNRACED(_metadata->name, &rc, starved(&rc));
	if (pages > CEILING) {
		EXPECT_EQ((unsigned long long)RACE_ROUNDS, rc.r.full_flushes);
	} else {
		EXPECT_EQ((unsigned long long)RACE_ROUNDS * pages,
			  rc.r.invlpg_pages);
	}
	EXPECT_LT(0, try) TH_LOG("no stale write seen in %d raced commands",
				 RACE_TRIES);
}

/* The INVLPG path: INVPCID of each page on the user PCID left out. */
TEST_F_TIMEOUT(engine, no_user_invpcid_is_caught_per_page, RACE_TIMEOUT)
{
	no_user_invpcid(_metadata, self, INVLPG_PAGES);
}

/* The full flush: the user PCID's single-context INVPCID left out. */
TEST_F_TIMEOUT(engine, no_user_invpcid_is_caught_full, RACE_TIMEOUT)
{
	no_user_invpcid(_metadata, self, RACE_PAGES);
}

/* Input: no workers, exact results. */
FIXTURE(engine_input) {
	struct tlbt_arena a;
};

/* Data in [0, DATA_PAGES); mremap's destination [8, 12) stays untouched. */
#define INPUT_PAGES	16
#define DATA_PAGES	8

FIXTURE_SETUP(engine_input)
{
	size_t i;

	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_arena_open(&self->a, INPUT_PAGES));
	for (i = 0; i < DATA_PAGES * TLBT_SLOTS_PER_PAGE; i++)
		self->a.base[i] = i * 0x9e3779b97f4a7c15ULL;
}

FIXTURE_TEARDOWN(engine_input)
{
	tlbt_arena_close(&self->a);
}

static size_t pattern_errors(const struct tlbt_arena *a)
{
	size_t i, bad = 0;

	for (i = 0; i < DATA_PAGES * TLBT_SLOTS_PER_PAGE; i++)
		bad += a->base[i] != i * 0x9e3779b97f4a7c15ULL;
	return bad;
}

/*
 * break= with an unknown name, on the kernel backend (before the kernel
 * backend's own EOPNOTSUPP for native-only sequences), or with flush=none
 * (no flush in the rounds to break): EINVAL, and the arena, its data and
 * its last results stay as they were.
 */
TEST_F(engine_input, bad_break_is_einval_and_changes_nothing)
{
	static const char *const bad[] = {
		"migrate break=bogus",
		"migrate break=skip-remote-ish",
		"migrate break=",
		"migrate break=SKIP-REMOTE",
		"migrate break=none break=none",
		"migrate break=skip-remote backend=kernel",
		"migrate flush=batched break=no-tlbgen backend=kernel",
		"mremap dst=8 pages=4 break=no-user-invpcid backend=kernel",
		"reclaim break=skip-remote backend=kernel",
		"mkclean break=no-tlbgen backend=kernel",
		"migrate flush=none break=skip-remote",
		"reclaim flush=none break=no-tlbgen",
		NULL,
	};
	char before[RESULTS_MAX], after[RESULTS_MAX];
	unsigned long failed0, failed1, nr = 0;
	const char *const *c;
	int ret;

	ASSERT_EQ(0, tlbt_cmd(&self->a, "migrate pages=4 rounds=2 flush=batched"));
	ASSERT_EQ(0, tlbt_results_text(&self->a, before, sizeof(before)));
	ASSERT_EQ(0, tlbt_stats_get("commands_failed", &failed0));
	for (c = bad; *c; c++, nr++) {
		ret = tlbt_cmd(&self->a, "%s", *c);
		if (ret != -EINVAL)
			TH_LOG("'%s': %d, not -EINVAL", *c, ret);
		EXPECT_EQ(-EINVAL, ret);
	}
	ASSERT_EQ(0, tlbt_stats_get("commands_failed", &failed1));
	EXPECT_EQ(nr, failed1 - failed0);
	ASSERT_EQ(0, tlbt_results_text(&self->a, after, sizeof(after)));
	EXPECT_STREQ(before, after);
	EXPECT_EQ(0UL, pattern_errors(&self->a));
	EXPECT_TRUE(result_is(_metadata, &self->a, "break", "none"));
	EXPECT_TRUE(result_is(_metadata, &self->a, "unsafe", "0"));
}

/*
 * Each control runs on the native backend, on any sequence, and is
 * reported as break: NAME and unsafe: 1. Without workers nothing can go
 * stale, the data survives and the counts are those of the safe policy:
 * the repair flush that ends the command is not counted.
 */
TEST_F(engine_input, break_is_reported_and_marks_the_command_unsafe)
{
	static const char *const names[] = {
		"skip-remote", "no-tlbgen", "no-user-invpcid",
	};
	struct tlbt_result r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		/*
		 * mremap and mkclean below leave pages out of the arena
		 * (no frame) until touched, and migrate copies only pages
		 * with a frame: reading them all faults them back in.
		 */
		EXPECT_EQ(0UL, pattern_errors(&self->a));
		ASSERT_EQ(0, tlbt_cmd(&self->a, "migrate pages=8 rounds=3 flush=batched break=%s",
				      names[i]));
		ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
		EXPECT_STREQ("batched", r.policy);
		EXPECT_EQ(0LL, r.error);
		EXPECT_EQ(3ULL, r.rounds_done);
		EXPECT_EQ(3ULL, r.shootdowns) TH_LOG("break=%s", names[i]);
		EXPECT_EQ(24ULL, r.pages_copied);
		EXPECT_EQ(0ULL, module_corruption(&r));
		EXPECT_TRUE(result_is(_metadata, &self->a, "break", names[i]));
		EXPECT_TRUE(result_is(_metadata, &self->a, "unsafe", "1"));

		ASSERT_EQ(0, tlbt_cmd(&self->a, "mremap pages=4 dst=8 rounds=2 break=%s",
				      names[i]));
		EXPECT_TRUE(result_is(_metadata, &self->a, "break", names[i]));
		ASSERT_EQ(0, tlbt_cmd(&self->a, "mkclean pages=8 zap=2 flush=tlbgen break=%s",
				      names[i]));
		EXPECT_TRUE(result_is(_metadata, &self->a, "unsafe", "1"));
	}
	EXPECT_EQ(0UL, pattern_errors(&self->a));

	/* skip-remote sends nothing, whatever the mask holds */
	ASSERT_EQ(0, tlbt_cmd(&self->a, "migrate pages=8 rounds=5 break=skip-remote"));
	ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
	EXPECT_EQ(40ULL, r.shootdowns);
	EXPECT_EQ(0ULL, r.ipis);

	/* break=none is the default, spelled out; unsafe policies are unsafe */
	ASSERT_EQ(0, tlbt_cmd(&self->a, "migrate pages=8 break=none"));
	EXPECT_TRUE(result_is(_metadata, &self->a, "break", "none"));
	EXPECT_TRUE(result_is(_metadata, &self->a, "unsafe", "0"));
	ASSERT_EQ(0, tlbt_cmd(&self->a, "migrate pages=8 flush=unsafe-copy-before-flush"));
	EXPECT_TRUE(result_is(_metadata, &self->a, "break", "none"));
	EXPECT_TRUE(result_is(_metadata, &self->a, "unsafe", "1"));
	ASSERT_EQ(0, tlbt_cmd(&self->a, "migrate pages=8"));
	EXPECT_TRUE(result_is(_metadata, &self->a, "unsafe", "0"));
	EXPECT_EQ(0UL, pattern_errors(&self->a));
}

TLBT_HARNESS_MAIN
