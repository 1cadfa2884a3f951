/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libtlbt: user-space side of tlbtorture.
 *
 * The arena (open, mmap, commands, results), the global knobs, and the
 * worker threads that form the user-space oracle: each worker owns one
 * u64 slot of every arena page and counts its own increments, so that
 * any write lost or misdirected through a stale TLB entry shows up as a
 * mismatch between what was counted and what is in memory.
 */
#ifndef LIBTLBT_H
#define LIBTLBT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sched.h>

#define TLBT_DEBUGFS		"/sys/kernel/debug/tlbtorture"
#define TLBT_PAGE_SIZE		4096UL
#define TLBT_SLOTS_PER_PAGE	(TLBT_PAGE_SIZE / sizeof(uint64_t))
#define TLBT_MAX_WORKERS	TLBT_SLOTS_PER_PAGE
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

/* What the workers saw; filled by tlbt_workers_stop(). */
struct tlbt_oracle {
	unsigned int workers;
	unsigned long long increments;	/* counted by the workers */
	unsigned long long lost_increments; /* counted but not in memory */
	unsigned long long foreign;	/* in memory but never counted */
	unsigned long long stale_reads;	/* read less than last written */
	unsigned long long foreign_reads; /* read more than last written */
};

/*
 * Workers alternate two access patterns by wall time, about a millisecond
 * each (bit 22 of the TSC: read with RDTSC, as a system call would itself
 * flush the TLB under PTI). Cycling (one access per page per pass) uses
 * every stale entry a CPU holds: what catches mremap's release-before-
 * flush, whose stale source entries live next to the fresh ones.
 * Dwelling (TLBT_DWELL accesses in a row per page) keeps using one entry
 * across the unsafe window without faulting: with PTI and no PCID every
 * kernel entry, a fault included, reloads CR3 and drops the whole TLB,
 * and a cycling worker faults on the first cleared PTE within a few
 * accesses, so with one worker the unsafe mkclean and reclaim orderings
 * went uncaught. Alternating by pass count did not work: a worker blocked
 * in faults makes few passes. 4096 accesses are about 40 us under TCG.
 */
#define TLBT_DWELL	4096

static inline unsigned int tlbt_dwell(unsigned int max)
{
	return (__builtin_ia32_rdtsc() >> 22) & 1 ? max : 1;
}

struct tlbt_workers;

/* Per worker thread state; private to libtlbt.c. */
struct tlbt_worker {
	struct tlbt_workers *ws;
	pthread_t thread;
	unsigned int idx;		/* slot owned in every page */
	int cpu;
	int err;
	uint64_t *init;			/* slot value when the worker started */
	uint64_t *last;			/* last value this worker wrote */
	uint64_t *done;			/* increments done, per page */
	unsigned long long stale_reads;
	unsigned long long foreign_reads;
	unsigned long long passes;	/* read racily for progress */
	unsigned long long increments;	/* likewise, at the end of a pass */
};

struct tlbt_workers {
	/*
	 * Workers reload the base through @basep before every page, so a
	 * caller that moves the mapping can publish the new address. By
	 * default @basep points at @base.
	 */
	volatile uint64_t *volatile *basep;
	volatile uint64_t *volatile base;
	size_t pages;
	unsigned int nr;
	int issuer_cpu;
	int stop;
	int ready;
	struct tlbt_worker *w;
	cpu_set_t *saved_mask;		/* caller's affinity, restored at stop */
	size_t mask_size;
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
 * PTI on and no PCID: every return to user space writes CR3 and drops the
 * CPU's whole TLB, so a shootdown IPI for any range also kills every stale
 * entry on the CPUs it reaches. mremap's punch flushes the destination
 * with such an IPI to every worker CPU before it releases a frame, so
 * release-before-flush cannot corrupt there (TCG pti=on; pre-PCID CPUs).
 */
bool tlbt_pti_without_pcid(void);
#define TLBT_PTI_MASKS_MREMAP \
	"PTI without PCID: the punch's shootdown IPI makes every worker CPU " \
	"reload CR3 before the release, which drops the stale source entries " \
	"too; asserting that masking instead"

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
 * Workers and the user-space oracle. They hammer [@base, @base + @pages
 * pages): pass tlbt_arena_page(a, start) to keep them on a sub-range, as
 * mremap needs (its destination must stay untouched).
 */
static inline volatile uint64_t *tlbt_arena_page(const struct tlbt_arena *a,
						 size_t idx)
{
	return a->base + idx * TLBT_SLOTS_PER_PAGE;
}

int tlbt_nr_cpus(void);
int tlbt_workers_start(struct tlbt_workers *w, volatile uint64_t *base,
		       size_t pages, int issuer_cpu);
int tlbt_workers_start_basep(struct tlbt_workers *w,
			     volatile uint64_t *volatile *basep,
			     size_t pages, int issuer_cpu);
unsigned long long tlbt_workers_progress(struct tlbt_workers *w);
int tlbt_workers_stop(struct tlbt_workers *w, struct tlbt_oracle *o);
unsigned long long tlbt_oracle_corruption(const struct tlbt_oracle *o);

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
bool tlbt_combo_supported(const char *seq, const char *policy,
			  const char *backend);
size_t tlbt_seq_arena_pages(const struct tlbt_seq_desc *s, size_t pages);
int tlbt_seq_cmd(char *buf, size_t size, const struct tlbt_seq_desc *s,
		 unsigned long long pages, unsigned long long rounds,
		 const char *policy, const char *backend);

#endif /* LIBTLBT_H */
