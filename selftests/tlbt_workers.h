/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlbt_workers: the user-space oracle of every test, arena (libtlbt) and
 * kernel path (libkpath) alike.
 *
 * A pool of worker threads, one pinned to each CPU but the caller's,
 * accesses a region with plain loads and stores. Each worker owns one u64
 * slot of every page and counts its own increments, so that a write lost
 * or misdirected through a stale TLB entry shows up as a mismatch between
 * what was counted and what is in memory; the kernel-path modes also
 * check a fixed pattern in the other slots, and the checked arena mode
 * (TLBT_ARENA) tags and guards as well. Workers survive SIGSEGV and
 * SIGBUS: a real mremap, munmap or truncate leaves the old address
 * unmapped or beyond EOF, and a worker that still uses it retries from
 * the region's published base. An access that faults did nothing, so the
 * accounting stays exact.
 *
 * Also the one place that asks which CPUs this thread may use, and the
 * one verdict, tlbt_oracle_corruption().
 */
#ifndef TLBT_WORKERS_H
#define TLBT_WORKERS_H

#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLBT_PAGE_SIZE		4096UL
#define TLBT_SLOTS_PER_PAGE	(TLBT_PAGE_SIZE / sizeof(uint64_t))
#define TLBT_MAX_WORKERS	TLBT_SLOTS_PER_PAGE

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
 * The kernel-path modes dwell less (a read access covers 64 slots).
 */
#define TLBT_DWELL			4096
#define TLBT_KP_DWELL_INCREMENTS	1024
#define TLBT_KP_DWELL_READS		16

static inline unsigned int tlbt_dwell(unsigned int max)
{
	return (__builtin_ia32_rdtsc() >> 22) & 1 ? max : 1;
}

/*
 * The kernel-path page: slots [0, TLBT_KP_COUNTERS) are worker counters,
 * the rest a pattern that names its page, slot and generation.
 */
#define TLBT_KP_COUNTERS	256
#define TLBT_KP_TAG		0x6b70ULL	/* top 16 bits of a pattern */

/* The value slot @slot of logical page @page holds in generation @gen. */
static inline uint64_t tlbt_kp_pattern(size_t page, size_t slot, uint64_t gen)
{
	return TLBT_KP_TAG << 48 | (gen & 0xffff) << 32 |
	       (uint32_t)(page << 9 | slot);
}

/* Any generation of the right page and slot. */
static inline bool tlbt_kp_pattern_any_gen(uint64_t v, size_t page,
					   size_t slot)
{
	return v >> 48 == TLBT_KP_TAG && (uint32_t)v == (uint32_t)(page << 9 | slot);
}

/*
 * The checked arena page (TLBT_ARENA): slots [0, TLBT_AR_COUNTERS) are
 * counters, worker i's at tlbt_ar_slot(i, page). Those no worker owns
 * are guards and stay 0: the owned slots move with the page, so a store
 * misdirected into a frame now mapped at another page mostly lands in a
 * guard there. Slots [TLBT_AR_COUNTERS, 512) hold tlbt_ar_tag(), which
 * names page and slot. The pool writes this layout before it starts.
 * Every access also reads one more word of the page, and a page in the
 * pool's read-only range is only read: a word read that is the module's
 * freed-frame poison, or not what its slot can hold (another page's
 * tag, a guard not 0), came through a stale entry, writes or no writes.
 */
#define TLBT_AR_COUNTERS	256
#define TLBT_AR_TAG		0x7467ULL	/* top 16 bits of a tag */
#define TLBT_AR_POISON		0x6b6b6b6b6b6b6b6bULL	/* TLBT_POISON */

static inline uint64_t tlbt_ar_tag(size_t page, size_t slot)
{
	return TLBT_AR_TAG << 48 | (uint64_t)page << 9 | slot;
}

static inline size_t tlbt_ar_slot(unsigned int idx, size_t page)
{
	return (idx + page) % TLBT_AR_COUNTERS;
}

/* Is counter slot @slot of page @page owned by one of @nr workers? */
static inline bool tlbt_ar_owned(size_t slot, size_t page, unsigned int nr)
{
	return (slot + TLBT_AR_COUNTERS - page % TLBT_AR_COUNTERS) %
	       TLBT_AR_COUNTERS < nr;
}

enum tlbt_mode {
	TLBT_INCREMENT,		/* own slot, from whatever it held */
	TLBT_ARENA,		/* own counter + a checked read; read-only range */
	TLBT_KP_INCREMENT,	/* own counter slot + one pattern slot per page */
	TLBT_KP_READ,		/* read only: 0 or a pattern of any generation */
	TLBT_KP_READ_STRICT,	/* read only: a pattern of any generation */
};

/* What the workers access; @base is reloaded before every page. */
struct tlbt_region {
	volatile uint64_t *volatile base;
	size_t pages;
	/*
	 * Odd while the scenario legitimately leaves holes (a file being
	 * refilled after a truncate): TLBT_KP_READ_STRICT then accepts 0
	 * from a page whose visit overlapped an odd or changed epoch.
	 */
	volatile unsigned int epoch;
};

/* What the workers saw; filled by tlbt_workers_stop(). */
struct tlbt_oracle {
	unsigned int workers;
	unsigned long long increments;		/* counted by the workers */
	unsigned long long lost_increments;	/* counted, not in memory */
	unsigned long long foreign;		/* in memory, never counted */
	unsigned long long stale_reads;		/* own slot went backwards */
	unsigned long long foreign_reads;	/* own slot jumped forwards */
	unsigned long long reads;		/* pattern slots read */
	unsigned long long bad_reads;		/* a value no one stored there */
	/* TLBT_ARENA: words read (in reads) and final guards */
	unsigned long long poison_reads;	/* the module's poison */
	unsigned long long foreign_words;	/* a tag or guard read wrong */
	unsigned long long guard_hits;		/* guard or tag changed at the end */
	unsigned long long ro_visits;		/* visits to read-only pages */
	unsigned long long faults;		/* accesses retried after a fault */
	unsigned long long passes;
	uint64_t first_bad;
};

struct tlbt_workers;

/* Per worker thread state; the pool's, but read racily where noted. */
struct tlbt_worker {
	struct tlbt_workers *ws;
	pthread_t thread;
	unsigned int idx;		/* slot owned in every page */
	int cpu;
	int err;
	uint64_t *init;			/* own slot's value at start, per page */
	uint64_t *last;			/* last value this worker wrote there */
	uint64_t *done;			/* increments done there */
	unsigned long long stale_reads, foreign_reads, reads;
	unsigned long long poison_reads, foreign_words;
	unsigned int rd;		/* TLBT_ARENA: next word to read */
	/* published */
	unsigned long long bad_reads, faults, passes;
	unsigned long long visits;	/* pages visited */
	unsigned long long ro_visits;	/* of them, read-only ones */
	unsigned long long increments;	/* at the end of each visit */
	uint64_t first_bad;
	uint64_t rng;			/* its pass order's stream; 0: none */
};

struct tlbt_workers {
	struct tlbt_region *rg;
	struct tlbt_region own;		/* @rg of tlbt_workers_start() */
	/* A read mode set after tlbt_workers_halt() skips the counters. */
	enum tlbt_mode mode;
	size_t pages;			/* @rg->pages at start */
	size_t ro_first, ro_pages;	/* TLBT_ARENA: pages only read */
	unsigned int nr;
	int issuer_cpu;
	int stop;
	int ready;
	struct tlbt_worker *w;
	int *saved_cpus;		/* caller's affinity, restored at stop */
	int nr_saved;
};

/* CPUs */
int tlbt_cpus(int *cpus, int max);
int tlbt_set_cpus(const int *cpus, int nr);

/* How many CPUs this thread may run on, or -errno. */
static inline int tlbt_nr_cpus(void)
{
	return tlbt_cpus(NULL, 0);
}

static inline int tlbt_pin(int cpu)
{
	return tlbt_set_cpus(&cpu, 1);
}

/*
 * Seeded choices (the runner's --seed). Once tlbt_rand_seed() is called,
 * each pool's workers take a stream of their own from it and start every
 * pass at a page it picks, rather than at page 0, so that a seed names
 * where each worker stands when a command begins. Without a seed (the
 * kselftests) they keep starting at page 0.
 */
void tlbt_rand_seed(uint64_t seed);
uint64_t tlbt_rand(void);

/* splitmix64: one step of the stream in *@state. */
static inline uint64_t tlbt_rand_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Faults */
void tlbt_fault_handler_install(void);
void tlbt_fault_jmp_set(sigjmp_buf *jb);

/* The pool */
int tlbt_workers_start_region(struct tlbt_workers *ws, struct tlbt_region *rg,
			      enum tlbt_mode mode, const int *cpus, int nr,
			      int issuer_cpu);
int tlbt_workers_start(struct tlbt_workers *ws, volatile uint64_t *base,
		       size_t pages, int issuer_cpu);
int tlbt_workers_start_arena(struct tlbt_workers *ws, volatile uint64_t *base,
			     size_t pages, size_t ro_first, size_t ro_pages,
			     int issuer_cpu);
/* Sums over the workers, read racily: for progress and early stops. */
unsigned long long tlbt_workers_progress(struct tlbt_workers *ws);
unsigned long long tlbt_workers_visits(struct tlbt_workers *ws);
unsigned long long tlbt_workers_ro_visits(struct tlbt_workers *ws);
unsigned long long tlbt_workers_bad(struct tlbt_workers *ws);
void tlbt_workers_halt(struct tlbt_workers *ws);
int tlbt_workers_stop(struct tlbt_workers *ws, struct tlbt_oracle *o);

/* The verdict: what the workers saw that no correct kernel allows. */
unsigned long long tlbt_oracle_corruption(const struct tlbt_oracle *o);

#endif /* TLBT_WORKERS_H */
