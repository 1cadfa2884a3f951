/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlbtorture internals shared by the arena, the flush engine and the
 * sequences.
 */
#ifndef TLBT_H
#define TLBT_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/mm_types.h>
#include <linux/cpumask.h>
#include "tlbt_cmd.h"

#define TLBT_POISON		0x6b
#define TLBT_DEFAULT_CEILING	33
#define TLBT_DEFAULT_MAX_PAGES	4096

/* Global knobs and counters (tlbt_main.c). */
extern unsigned long tlbt_ceiling;
extern unsigned long tlbt_max_pages;
extern atomic_long_t tlbt_frames_held;
extern atomic_long_t tlbt_arenas;
extern atomic_long_t tlbt_commands;
extern atomic_long_t tlbt_commands_failed;
extern atomic_long_t tlbt_commands_killed;
extern atomic_long_t tlbt_commands_running;
extern atomic_long_t tlbt_bytes_held;

/*
 * Every allocation of the module but the frames (frames_held) goes
 * through these, so that stats' bytes_held is exact: a free without its
 * allocation, or the reverse, shows there rather than as a MemFree drift.
 * @size in tlbt_kvfree() is the n * size of the allocation; NULL is a no-op.
 */
void *tlbt_kvmalloc(size_t n, size_t size, gfp_t gfp);
void *tlbt_vzalloc(size_t size);
void tlbt_kvfree(const void *p, size_t size);

/* Trace events' kinds (tlbt_trace.h): which flush, which oracle hit. */
enum tlbt_flush_kind {
	TLBT_FLUSH_NATIVE,	/* the native engine's shootdown */
	TLBT_FLUSH_REPAIR,	/* break=: the full flush after the command */
	TLBT_FLUSH_KERNEL,	/* backend=kernel: zap_vma_ptes() flushed */
	TLBT_FLUSH_KIND_NR,
};

enum tlbt_leak_kind {
	TLBT_LEAK_LEAK,		/* written after the copy */
	TLBT_LEAK_POISON,	/* a released, poisoned frame written */
	TLBT_LEAK_LOST_DIRTY,	/* written, then dropped as clean */
	TLBT_LEAK_KIND_NR,
};

/* What a command measured; printed as "key: value" lines. */
struct tlbt_result {
	struct tlbt_cmd cmd;
	int error;
	u64 rounds_done;
	u64 shootdowns;
	u64 ipis;
	u64 invlpg_pages;
	u64 full_flushes;
	u64 cpu_flushes;
	u64 cpu_skips;
	u64 pages_copied;
	u64 leaked_pages;
	u64 leaked_bytes;
	u64 poison_hits;
	u64 lost_dirty;
	u64 writebacks;
	u64 flushes_avoided;
	u64 units_skipped;	/* mkclean: units step B did not flush */
	u64 ns_total;
	u64 ns_per_page;
};

/*
 * One arena: the frames behind one mmap() of the arena file.
 *
 * @cmd_lock serialises commands on the arena. @lock is held by a sequence
 * for one round at a time and by the fault handlers, so that a fault on a
 * page in flight waits for the round and then maps the page's current
 * frame. Lock order: cmd_lock, mmap_lock, lock, PTE lock.
 *
 * Every frame is the arena's from mmap() until the file's final release:
 * @frames[] are the frames of the pages now (NULL: the page is out, its
 * data in @store if @swapped, else zero), @pool[] the released ones, kept
 * poisoned. A deliberately unsafe ordering can therefore only ever write
 * into memory the arena owns.
 *
 * @dirty is the software PG_dirty. Rule: a PTE is writable only while its
 * page is marked dirty; pfn_mkwrite marks it on the first write after a
 * clean mapping, as write-notify does for a shared file mapping.
 */
struct tlbt_arena {
	struct mutex cmd_lock;
	struct mutex lock;
	struct mm_struct *mm;		/* identity only, never dereferenced */
	unsigned long uaddr;
	unsigned long npages;		/* 0 until the first mmap() */
	unsigned int nr_vmas;
	struct page **frames;
	struct page **pool;
	unsigned long pool_nr;
	void *snap;			/* oracle: copies taken by a sequence */
	void *store;			/* swap store and "file" for writeback */
	unsigned long *dirty;
	unsigned long *swapped;
	/* tlbgen (seed 001): generations, one stamp per page-table unit. */
	u64 *unit_gen;
	u64 pending_gen;
	u64 completed_gen;
	unsigned long mm_pending;	/* mm-pending: deferred flushes in flight */
	u64 fault_poison_hits;		/* found by page-ins, for the result */
	bool stale;			/* flush=none, break=: may be stale */
	atomic_t fault_waiters;		/* faults waiting for the round */
	bool has_result;
	struct tlbt_result result;
};

/*
 * State of one command while it runs. @vma is valid only inside a round,
 * under mmap_read_lock.
 */
struct tlbt_run {
	struct tlbt_arena *arena;
	struct mm_struct *mm;
	struct vm_area_struct *vma;
	struct tlbt_result *res;
	struct cpumask *cpus;		/* cpumask_size() bytes */
	struct page **old;		/* per range page: frame before the round */
	pte_t *ptes;			/* per range page: PTE values in flight */
	bool unit_changed;		/* mkclean: a unit had a writable PTE */
	bool no_flush;			/* flush=none: the round flushes nothing */
	int flush_err;			/* -EIO: the engine cannot trust CR3 */
};

/* "Inside a round": between tlbt_round_begin() and tlbt_round_end(). */
static inline void tlbt_assert_round(struct tlbt_run *run)
{
	lockdep_assert_held(&run->arena->lock);
}

static inline unsigned long tlbt_page_addr(struct tlbt_run *run,
					   unsigned long idx)
{
	return run->arena->uaddr + (idx << PAGE_SHIFT);
}

/* tlbt_arena.c, tlbt_notifier.c */
int tlbt_arena_debugfs_init(struct dentry *dir);
void tlbt_notifier_debugfs_init(struct dentry *dir);
int tlbt_round_begin(struct tlbt_run *run);
void tlbt_round_end(struct tlbt_run *run);

/* tlbt_pgtable.c: PTE edits on the arena VMA, under the PTE lock. */
int tlbt_pte_clear(struct tlbt_run *run, unsigned long idx, unsigned long nr,
		   void (*under_lock)(struct tlbt_run *run, unsigned long idx,
				      pte_t old));
int tlbt_pte_install(struct tlbt_run *run, unsigned long idx,
		     unsigned long nr);
int tlbt_pte_set(struct tlbt_run *run, unsigned long idx, unsigned long nr,
		 const pte_t *ptes);
int tlbt_pte_wrprotect(struct tlbt_run *run, unsigned long idx,
		       unsigned long nr,
		       void (*under_lock)(struct tlbt_run *run,
					  unsigned long idx, pte_t old));
int tlbt_pte_mkwrite(struct tlbt_run *run, unsigned long idx);
pgprot_t tlbt_page_prot(struct vm_area_struct *vma, struct tlbt_arena *arena,
			unsigned long idx);

/* tlbt_flush.c */
void tlbt_flush_init(void);
void tlbt_flush_native(struct tlbt_run *run, unsigned long idx,
		       unsigned long nr);
void tlbt_flush_repair(struct tlbt_run *run);
void tlbt_flush_kernel_zap(struct tlbt_run *run, unsigned long idx,
			   unsigned long nr);
void tlbt_flush_all_cpus(void);
bool tlbt_flush_has_pti(void);
bool tlbt_flush_has_pcid(void);
bool tlbt_flush_has_invpcid(void);

/* tlbt_oracle.c: copies, snapshots, poison and the frame pool. */
struct page *tlbt_pool_take(struct tlbt_run *run);
void tlbt_pool_give(struct tlbt_run *run, struct page *frame);
void tlbt_copy_frame(struct tlbt_run *run, unsigned long idx,
		     struct page *from, struct page *to);
void tlbt_check_leak(struct tlbt_run *run, unsigned long idx,
		     struct page *old);
void tlbt_check_poison(struct tlbt_run *run, struct page *frame);
void tlbt_check_clean(struct tlbt_run *run, unsigned long idx,
		      struct page *frame, const void *store, bool written);
struct page *tlbt_pool_take_fault(struct tlbt_arena *arena);

/* tlbt_pages.c: the only writer of an arena page's state */
struct page *tlbt_page_in(struct tlbt_arena *arena, unsigned long idx);
struct page *tlbt_page_set_frame(struct tlbt_arena *arena, unsigned long idx,
				 struct page *frame);
void tlbt_page_move(struct tlbt_arena *arena, unsigned long to,
		    unsigned long from);
struct page *tlbt_page_forget(struct tlbt_arena *arena, unsigned long idx);
void tlbt_page_dirty(struct tlbt_arena *arena, unsigned long idx);
void tlbt_page_lose_dirty(struct tlbt_arena *arena, unsigned long idx);
void tlbt_writeback(struct tlbt_run *run, unsigned long idx);
void tlbt_drop(struct tlbt_run *run, unsigned long idx, bool written);

/*
 * A sequence: its name, keys, required keys and whether it is native only
 * are tlbt_proto.h's (tlbt_seq_infos[]); these are its code. The run loop
 * (tlbt_arena_run()) calls, per command and per round:
 * @check: optional, under arena->lock before the first round: refuse a
 *	command that has nothing to do (-errno);
 * @round: one round, inside tlbt_round_begin()/end(). On error it returns
 *	at once: the loop flushes the range, so every round ends flushed;
 *	flush=none rounds flush nothing (tlbt_run.no_flush), so a baseline
 *	policy runs its batched twin's code;
 * @finish: optional, after the round's last flush, error flush included:
 *	the oracle's end-of-round checks of the frames left behind.
 */
struct tlbt_seq_ops {
	int (*check)(struct tlbt_arena *arena, const struct tlbt_cmd *cmd);
	int (*round)(struct tlbt_run *run);
	void (*finish)(struct tlbt_run *run);
};

extern const struct tlbt_seq_ops tlbt_migrate_ops;
extern const struct tlbt_seq_ops tlbt_mremap_ops;
extern const struct tlbt_seq_ops tlbt_reclaim_ops;
extern const struct tlbt_seq_ops tlbt_mkclean_ops;
extern const struct tlbt_seq_ops tlbt_sync_ops;

#endif /* TLBT_H */
