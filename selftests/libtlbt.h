/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libtlbt: user-space side of tlbtorture.
 *
 * The arena (open, mmap, commands, results), the global knobs, and the
 * sequences the runner knows. The workers that form the user-space
 * oracle are tlbt_workers.h's, shared with the kernel-path tests.
 */
#ifndef LIBTLBT_H
#define LIBTLBT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlbt_workers.h"

#define TLBT_DEBUGFS		"/sys/kernel/debug/tlbtorture"
#define TLBT_CMD_MAX		511	/* longest command the module takes */
#define TLBT_MAX_ROUNDS		1000000ULL
#define TLBT_KNOB_MAX		262144UL
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif
#define TLBT_NR_RESULT_KEYS	26	/* 3 strings, 23 numbers */

/* One open arena file; @base is NULL while it is not mapped. */
struct tlbt_arena {
	int fd;
	volatile uint64_t *base;
	size_t pages;
};

/* Every key of the results file; numbers are 0 when a key is absent. */
struct tlbt_result {
	char sequence[32];
	char policy[48];
	char backend[16];
	unsigned long long start;
	unsigned long long pages;
	unsigned long long rounds;
	unsigned long long dst;		/* mremap destination */
	unsigned long long punch;	/* mremap: pages the racing punch released */
	unsigned long long zap;		/* mkclean: pages of the racing zap */
	long long error;		/* 0, or the -errno that cut it short */
	unsigned long long rounds_done;
	unsigned long long shootdowns;
	unsigned long long ipis;
	unsigned long long invlpg_pages;
	unsigned long long full_flushes;
	unsigned long long cpu_flushes;
	unsigned long long cpu_skips;
	unsigned long long pages_copied;
	unsigned long long leaked_pages;
	unsigned long long leaked_bytes;
	unsigned long long poison_hits;
	unsigned long long lost_dirty;
	unsigned long long writebacks;
	unsigned long long flushes_avoided;
	unsigned long long ns_total;
	unsigned long long ns_per_page;
	unsigned int nr_keys;		/* known keys found, strings included */
};

/* Arena */
bool tlbt_module_loaded(void);
int tlbt_arena_fd_open(struct tlbt_arena *a);
int tlbt_arena_map(struct tlbt_arena *a, size_t pages);
int tlbt_arena_unmap(struct tlbt_arena *a);
int tlbt_arena_open(struct tlbt_arena *a, size_t pages);
void tlbt_arena_close(struct tlbt_arena *a);

/* Small files: the whole of @path into @buf, NUL-terminated; -errno */
int tlbt_read_file(const char *path, char *buf, size_t size);

/* Global knobs and stats */
int tlbt_knob_read(const char *name, unsigned long *v);
int tlbt_knob_write(const char *name, unsigned long v);
int tlbt_stats_get(const char *key, unsigned long *v);
int tlbt_flush_caps(bool *pti, bool *pcid, bool *invpcid);

/*
 * mremap's unsafe-release-before-flush is masked (no stale source entry
 * outlives the punch's shootdown, which comes before every release)
 * exactly when PTI is on without both PCID and INVPCID, or when the punch
 * is over the ceiling. tlbt_mremap_masked_by() is the predicate, with the
 * reasoning; tlbt_mremap_masked() applies it to this machine.
 */
bool tlbt_mremap_masked_by(bool pti, bool pcid, bool invpcid,
			   unsigned long long punch, unsigned long ceiling);
bool tlbt_mremap_masked(unsigned long long punch);
#define TLBT_PTI_MASKS_MREMAP \
	"masked here (tlbt_mremap_masked()): the punch's shootdown drops " \
	"every stale source entry on the worker CPUs before the release; " \
	"asserting that masking instead"
/* Commands and results */
int tlbt_cmd(struct tlbt_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int tlbt_cmd_raw(struct tlbt_arena *a, const char *buf, size_t len);
int tlbt_results_text(struct tlbt_arena *a, char *buf, size_t size);
/* One unsigned key of the results; "error" needs tlbt_results_read(). */
int tlbt_result_get(struct tlbt_arena *a, const char *key,
		    unsigned long long *v);
int tlbt_results_read(struct tlbt_arena *a, struct tlbt_result *r);
int tlbt_results_parse(const char *text, struct tlbt_result *r);
int tlbt_kv_find(const char *text, const char *key, const char **val);

/*
 * The workers (tlbt_workers.h) hammer [@base, @base + @pages pages): pass
 * tlbt_arena_page(a, start) to keep them on a sub-range, as mremap needs
 * (its destination must stay untouched).
 */
static inline volatile uint64_t *tlbt_arena_page(const struct tlbt_arena *a,
						 size_t idx)
{
	return a->base + idx * TLBT_SLOTS_PER_PAGE;
}

/*
 * Sequences, policies and backends known to the runner's matrix. sync has
 * a single policy and nothing to race, so it is not among them.
 */
struct tlbt_seq_desc {
	const char *name;
	const char *const *policies;	/* NULL-terminated */
	const char *const *kernel;	/* the ones backend=kernel takes, or NULL */
	bool has_dst;			/* mremap: dst= required, punch= */
	bool has_zap;			/* mkclean: zap= */
};

extern const struct tlbt_seq_desc tlbt_sequences[];
extern const char *const tlbt_backends[];	/* NULL-terminated */
const struct tlbt_seq_desc *tlbt_seq_find(const char *name);
bool tlbt_policy_is_unsafe(const char *policy);

/*
 * What a policy's run must show. unsafe-ignore-dirty is no TLB ordering:
 * the module clears the dirty flag itself, so every page written since
 * its last writeback is lost whether or not a stale entry exists. It
 * checks that the oracles count data loss (lost_dirty equals the pages
 * written), and is reported apart from the stale-TLB controls.
 */
enum tlbt_policy_kind {
	TLBT_POLICY_SAFE,	/* no corruption, once its race is reached */
	TLBT_POLICY_STALE_TLB,	/* unsafe ordering: a stale entry must be caught */
	TLBT_POLICY_DATA_LOSS,	/* no TLB: the data loss must be counted exactly */
};

enum tlbt_policy_kind tlbt_policy_kind(const char *policy);
bool tlbt_combo_supported(const char *seq, const char *policy,
			  const char *backend);
size_t tlbt_seq_arena_pages(const struct tlbt_seq_desc *s, size_t pages);
int tlbt_seq_cmd(char *buf, size_t size, const struct tlbt_seq_desc *s,
		 unsigned long long pages, unsigned long long rounds,
		 const char *policy, const char *backend);

/*
 * Worker page visits made wholly between two samples: a visit counts only
 * when the worker published its previous one after the first sample
 * (tlbt_worker.visits, stored after each visit), so every access of it
 * came after that sample and before the second. Taken right around the
 * command's write(), they count accesses during the command; the window
 * also holds the write()'s entry and exit, microseconds against the
 * command's milliseconds.
 */
struct tlbt_during {
	unsigned int nr;
	unsigned long long visits[TLBT_MAX_WORKERS];
};

void tlbt_during_start(struct tlbt_during *d, struct tlbt_workers *ws);
unsigned long long tlbt_during_end(const struct tlbt_during *d,
				   struct tlbt_workers *ws,
				   unsigned int *workers);

/* One command raced by workers: both oracles and what shows the race. */
struct tlbt_raced {
	struct tlbt_result r;
	struct tlbt_oracle o;
	unsigned long long during;	/* whole worker page visits while it ran */
	unsigned int workers_during;	/* workers that made one */
};

int tlbt_race_cmd(struct tlbt_arena *a, size_t first, size_t pages,
		  int issuer_cpu, const char *cmd, struct tlbt_raced *rc);
unsigned long long tlbt_raced_corruption(const struct tlbt_raced *rc);
unsigned long long tlbt_remote_flushes(const struct tlbt_result *r);
const char *tlbt_race_missing(const struct tlbt_raced *rc);

#ifdef __KSELFTEST_HARNESS_H
/*
 * The kselftest side of a raced run, for the arena tests (built only
 * where kselftest_harness.h came first, as tlbt_harness.h includes it).
 */

/* A failure so far: 6.1's harness records it in ->passed, 6.12's in ->exit_code. */
static inline bool tlbt_test_failed(const struct __test_metadata *m)
{
#ifdef _CONSTRUCTOR_ORDER_FORWARD
	return !m->passed;
#else
	return m->exit_code == KSFT_FAIL;
#endif
}

/* Run @cmd while workers hammer pages [@first, @first + @pages); log both oracles. */
static inline void tlbt_race_run(struct __test_metadata *_metadata,
				 struct tlbt_arena *a, size_t first,
				 size_t pages, const char *cmd,
				 struct tlbt_raced *rc)
{
	int ret = tlbt_race_cmd(a, first, pages, -1, cmd, rc);

	TH_LOG("%s", cmd);
	ASSERT_EQ(0, ret) TH_LOG("'%s': %s", cmd, strerror(-ret));
	ASSERT_LT(0U, rc->o.workers);
	TH_LOG("workers %u: increments %llu, %llu page visits while the command ran (by %u workers), lost %llu, foreign %llu, stale reads %llu, foreign reads %llu",
	       rc->o.workers, rc->o.increments, rc->during,
	       rc->workers_during, rc->o.lost_increments, rc->o.foreign,
	       rc->o.stale_reads, rc->o.foreign_reads);
	TH_LOG("module: leaked %llu pages %llu bytes, poison %llu, lost_dirty %llu; shootdowns %llu, ipis %llu, cpu_flushes %llu (%llu remote), cpu_skips %llu, writebacks %llu, %llu ns/page",
	       rc->r.leaked_pages, rc->r.leaked_bytes, rc->r.poison_hits,
	       rc->r.lost_dirty, rc->r.shootdowns, rc->r.ipis,
	       rc->r.cpu_flushes, tlbt_remote_flushes(&rc->r),
	       rc->r.cpu_skips, rc->r.writebacks, rc->r.ns_per_page);
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
#endif /* __KSELFTEST_HARNESS_H */

#endif /* LIBTLBT_H */
