/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkpath: the kernel-path half of tlbtorture.
 *
 * The arena tests drive the module's own PTE edits; these drive the
 * kernel's: real mremap(), move_pages(), MADV_PAGEOUT, MADV_DONTNEED,
 * munmap() and ftruncate() while threads pinned to every other CPU keep
 * accessing the memory. Nothing here needs the module, except the mmu
 * notifier recorder (invalidated bytes) and the arena positive controls.
 *
 * - Workers: the arena tests' fault-tolerant pool (tlbt_workers.h) in
 *   its kernel-path modes, exact read-modify-write increments and
 *   pattern reads, following a published base pointer.
 * - Flush accounting: tlb:tlb_flush events of this process, by reason,
 *   counted in a private tracefs instance.
 * - Invalidations: the module's mmu_notifier recorder (seed 002).
 * - Scenarios: one function per kernel operation, shared by the
 *   kselftests and by "tlbtorture kernel"; they measure (flushes,
 *   invalidations). The races that judge data are libkpath_race.c's.
 */
#ifndef LIBKPATH_H
#define LIBKPATH_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <sys/types.h>

#include "tlbt_workers.h"

#define TLBT_KP_PAGE		4096UL
#define TLBT_KP_SLOTS		512		/* u64 slots per page */
#define TLBT_KP_PMD		(2UL << 20)
#define TLBT_KP_MAX_CPUS	1024
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

/* ---- the system under test ---- */

#define tlbt_kp_cpus(cpus, max)	tlbt_cpus(cpus, max)
int tlbt_kp_nodes(int *nodes, int max);
int tlbt_kp_cpu_node(int cpu);
bool tlbt_kp_have_swap(void);
bool tlbt_kp_thp_possible(void);
bool tlbt_kp_kernel_before(int major, int minor);
#define tlbt_kp_pin(cpu)	tlbt_pin(cpu)
int tlbt_kp_unpin(void);
int tlbt_kp_vmstat(const char *key, unsigned long long *v);
long tlbt_kp_anon_huge_kb(const void *addr);
long tlbt_kp_move_pages(unsigned long count, void **pages, const int *nodes,
			int *status, int flags);
bool tlbt_kp_module_loaded(void);

#define TLBT_KP_PM_PRESENT	(1ULL << 63)
#define TLBT_KP_PM_SWAP		(1ULL << 62)
#define TLBT_KP_PM_PFN		((1ULL << 55) - 1)
int tlbt_kp_pagemap(const void *addr, size_t pages, uint64_t *out);

/* ---- patterns ---- */

/* tlbt_kp_pattern() and TLBT_KP_COUNTERS are tlbt_workers.h's. */
#define TLBT_KP_FOREIGN		0xf0f0f0f0deadbeefULL

/* Increment regions: counters 0, pattern slots of generation 0. */
void tlbt_kp_fill_counted(volatile uint64_t *base, size_t pages);
/* Read regions: every slot holds generation @gen. */
void tlbt_kp_fill_read(volatile uint64_t *base, size_t pages, uint64_t gen);

/* ---- workers: the user-space oracle ---- */

/*
 * The pool is tlbt_workers.h's, in the TLBT_KP_* modes; these are its
 * kernel-path names. The caller pins itself (tlbt_kp_pin()) and hands
 * the workers the other CPUs.
 */
#define tlbt_kp_region			tlbt_region
#define tlbt_kp_workers			tlbt_workers
#define tlbt_kp_mode			tlbt_mode
#define tlbt_kp_oracle			tlbt_oracle
#define tlbt_kp_fault_handler_install()	tlbt_fault_handler_install()
#define tlbt_kp_jmp_set(jb)		tlbt_fault_jmp_set(jb)
#define tlbt_kp_workers_visits(ws)	tlbt_workers_visits(ws)
#define tlbt_kp_workers_bad(ws)		tlbt_workers_bad(ws)
#define tlbt_kp_workers_halt(ws)	tlbt_workers_halt(ws)
#define tlbt_kp_workers_stop(ws, o)	tlbt_workers_stop(ws, o)
#define tlbt_kp_corruption(o)		tlbt_oracle_corruption(o)

/* One worker on each of @cpus, at most TLBT_KP_COUNTERS. */
static inline int tlbt_kp_workers_start(struct tlbt_workers *ws,
					struct tlbt_region *rg,
					enum tlbt_mode mode, const int *cpus,
					int nr)
{
	if (nr < 1)
		return -EINVAL;
	return tlbt_workers_start_region(ws, rg, mode, cpus, nr, -1);
}

/* Threads that only keep this mm loaded on other CPUs. */
struct tlbt_kp_spinners;

struct tlbt_kp_spinner {
	struct tlbt_kp_spinners *sp;
	pthread_t thread;
	int cpu;
};

struct tlbt_kp_spinners {
	struct tlbt_kp_spinner s[TLBT_KP_MAX_CPUS];
	int nr;
	int stop;
	int ready;
};

int tlbt_kp_spinners_start(struct tlbt_kp_spinners *sp, const int *cpus,
			   int nr);
void tlbt_kp_spinners_stop(struct tlbt_kp_spinners *sp);

/* ---- tlb:tlb_flush accounting ---- */

enum {
	TLBT_KP_TASK_SWITCH,		/* "flush on task switch" */
	TLBT_KP_REMOTE_SHOOTDOWN,	/* "remote shootdown": IPI handled */
	TLBT_KP_LOCAL_SHOOTDOWN,	/* "local shootdown" */
	TLBT_KP_LOCAL_MM_SHOOTDOWN,	/* "local mm shootdown" */
	TLBT_KP_REMOTE_SEND_IPI,	/* "remote ipi send": one shootdown */
	TLBT_KP_NR_REASONS,
};

struct tlbt_kp_flushes {
	bool valid;
	unsigned long long n[TLBT_KP_NR_REASONS];	/* this process */
	unsigned long long issuer[TLBT_KP_NR_REASONS];	/* the issuing thread */
	/* the issuer's remote ipi sends: full flushes, pages of ranged ones */
	unsigned long long ipi_full;
	unsigned long long ipi_pages;
	unsigned long long lost;	/* events the histogram dropped */
};

#define TLBT_KP_MAX_TIDS	(2 * TLBT_KP_MAX_CPUS)

struct tlbt_kp_trace {
	char dir[256];
	bool ok;
	bool trigger;		/* the hist trigger is in place */
	pid_t issuer;		/* the thread that called tlbt_kp_trace_start() */
	int nr_tids;		/* this process's threads at the start */
	pid_t tids[TLBT_KP_MAX_TIDS];
};

const char *tlbt_kp_reason_name(int reason);
int tlbt_kp_trace_open(struct tlbt_kp_trace *t);
int tlbt_kp_trace_start(struct tlbt_kp_trace *t);
int tlbt_kp_trace_stop(struct tlbt_kp_trace *t, struct tlbt_kp_flushes *f);
void tlbt_kp_trace_close(struct tlbt_kp_trace *t);
int tlbt_kp_trace_leftovers(void);
int tlbt_kp_hist_parse(const char *line, pid_t *pid, int *reason,
		       unsigned long long *pages, unsigned long long *hits);

/* ---- the module's mmu_notifier recorder ---- */

#define TLBT_KP_NOTIFIER	"/sys/kernel/debug/tlbtorture/notifier"

struct tlbt_kp_inval_rec {
	bool is_end;
	unsigned long start;
	unsigned long end;
	char event[20];
	int pid;		/* the invalidating task; 0 if not given */
};

struct tlbt_kp_inval {
	unsigned long long starts, ends, unmatched_starts, unmatched_ends;
	unsigned long long bytes;
	unsigned long long hist[4];	/* <= 4K, <= 64K, <= 2M, more */
	unsigned long long records, dropped;
	bool released;
	size_t nr;
	struct tlbt_kp_inval_rec *rec;	/* nr of them; tlbt_kp_inval_free() */
};

int tlbt_kp_notifier_open(void);
int tlbt_kp_notifier_clear(int fd);
int tlbt_kp_notifier_read(int fd, struct tlbt_kp_inval *iv);
int tlbt_kp_inval_parse(const char *text, struct tlbt_kp_inval *iv);
void tlbt_kp_inval_free(struct tlbt_kp_inval *iv);

/* ---- scenarios ---- */

enum tlbt_kp_mem {
	TLBT_KP_ANON,		/* private anonymous, 4 KiB pages */
	TLBT_KP_SHMEM,		/* memfd, MAP_SHARED */
	TLBT_KP_THP,		/* private anonymous, MADV_HUGEPAGE, 2 MiB aligned */
};

const char *tlbt_kp_mem_name(enum tlbt_kp_mem mem);

struct tlbt_kp_opts {
	enum tlbt_kp_mem mem;
	size_t pages;		/* THP: rounded up to whole 2 MiB pages */
	unsigned int rounds;
	unsigned int max_ms;	/* stop early after this long; 0: no limit */
	bool trace;		/* count tlb:tlb_flush (needs tracefs) */
	bool notifier;		/* count invalidated bytes (needs the module) */
	bool munmap;		/* zap: munmap() + mmap() instead of MADV_DONTNEED */
	bool unsafe;		/* controls: the deliberately wrong order */
	bool clean;		/* pageout flushes: clean PTEs (else dirty) */
};

struct tlbt_kp_result {
	char op[48];
	char skip[160];		/* set when the scenario cannot run here */
	size_t pages;		/* per operation */
	unsigned long long ops;	/* kernel operations timed and traced */
	unsigned long long rounds;
	double secs;
	struct tlbt_kp_flushes fl;
	bool inval_valid;
	unsigned long long inval_bytes, inval_starts, inval_ends;
	unsigned long long inval_paired, inval_unmatched, inval_dropped;
	struct tlbt_oracle o;
	/* per scenario */
	unsigned long long moved, not_moved, first_errno; /* move_pages status */
	unsigned long long swapped;	/* pageout: pagemap entries in swap */
	unsigned long long pswpout;	/* /proc/vmstat delta */
	unsigned long long majflt;	/* major faults: reads from swap */
	unsigned long long checks, remote_stale, remote_foreign, lost_writes;
	bool thp_kept;
};

/* Shootdowns (remote ipi send) per page operated on. */
double tlbt_kp_shootdowns_per_page(const struct tlbt_kp_result *r);
/* Bytes the mmu notifier saw invalidated per byte operated on. */
double tlbt_kp_inval_per_byte(const struct tlbt_kp_result *r);

int tlbt_kp_run_mremap(const struct tlbt_kp_opts *op, struct tlbt_kp_result *r);
int tlbt_kp_run_migrate(const struct tlbt_kp_opts *op,
			struct tlbt_kp_result *r);
int tlbt_kp_run_pageout(const struct tlbt_kp_opts *op,
			struct tlbt_kp_result *r);
int tlbt_kp_run_pageout_once(const struct tlbt_kp_opts *op,
			     struct tlbt_kp_result *r);
int tlbt_kp_run_migrate_once(const struct tlbt_kp_opts *op,
			     struct tlbt_kp_result *r);
int tlbt_kp_run_zap(const struct tlbt_kp_opts *op, struct tlbt_kp_result *r);

/* Positive controls. */
int tlbt_kp_control_copy_before_publish(const struct tlbt_kp_opts *op,
					struct tlbt_kp_result *r);
int tlbt_kp_control_planted(const struct tlbt_kp_opts *op,
			    struct tlbt_kp_result *r);
struct tlbt_result;
int tlbt_kp_control_arena(const char *cmd, size_t arena_pages, size_t pages,
			  enum tlbt_kp_mode mode, struct tlbt_kp_result *r,
			  struct tlbt_result *res);

/* ---- races that fail on a broken kernel (libkpath_race.c) ---- */

enum {
	TLBT_KP_NEED_NUMA	= 1 << 0,	/* two nodes with memory */
	TLBT_KP_NEED_SWAP	= 1 << 1,	/* active swap */
	TLBT_KP_NEED_FREER	= 1 << 2,	/* a third CPU, for the freer */
	TLBT_KP_NEED_WBFS	= 1 << 3,	/* a disk filesystem */
	TLBT_KP_NEED_MODULE	= 1 << 4,	/* the module (kselftests only) */
};

struct tlbt_kp_race;

struct tlbt_kp_race_opts {
	unsigned int max_ops;	/* 0: no limit */
	unsigned int max_ms;	/* 0: 10 s */
	bool stop_early;	/* at the first corruption */
	unsigned int seed;	/* the freer's random delays; 0: from the clock */
};

struct tlbt_kp_race_result {
	char name[32];
	char skip[160];
	unsigned int workers;
	unsigned long long ops;
	double secs;
	unsigned long long overlapped;	/* ops that workers' accesses overlapped */
	unsigned long long reached;	/* ops that reached the race */
	struct tlbt_oracle o;
	unsigned long long ro_writes;	/* words changed on a read-only page */
	unsigned long long reuse_hits;	/* victim frames the freer got back */
	unsigned long long corrupt;	/* every data oracle, summed */
	const char *oracle;		/* the one that fired, or "none" */
	unsigned long long first_op;	/* op of the first detection; 0: none */
	double first_secs;
};

int tlbt_kp_race_count(void);
const struct tlbt_kp_race *tlbt_kp_race_get(int i);
const struct tlbt_kp_race *tlbt_kp_race_find(const char *name);
const char *tlbt_kp_race_name(const struct tlbt_kp_race *r);
const char *tlbt_kp_race_breaks(const struct tlbt_kp_race *r);
const char *tlbt_kp_race_reached_what(const struct tlbt_kp_race *r);
int tlbt_kp_race_run(const struct tlbt_kp_race *r,
		     const struct tlbt_kp_race_opts *op,
		     struct tlbt_kp_race_result *res);

#endif /* LIBKPATH_H */
