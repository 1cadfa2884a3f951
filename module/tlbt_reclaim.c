// SPDX-License-Identifier: GPL-2.0
/*
 * reclaim: unmap, write each dirty page back to the arena's swap store,
 * release its frame to the pool. A later fault pages it back in from the
 * store.
 *
 * Seeds 003 and 004. try_to_unmap_flush_dirty() exists because a page
 * may only be written back once no stale TLB entry can still dirty it;
 * and a dirty PTE must hand its dirty bit to the page before the mapping
 * goes (Nick Piggin, 2008), or the page is dropped without writeback.
 *
 *   immediate                      clear + flush each PTE, write back, drop
 *   batched                        clear all, one shootdown, write back, drop
 *   unsafe-writeback-before-flush  clear all, write back, shootdown, drop
 *   unsafe-ignore-dirty            clear all as if clean, shootdown, drop
 *   none                           clear all, write back, drop (benchmark)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include "tlbt.h"

/* try_to_unmap_one(): a dirty PTE dirties the page before it goes. */
static void tlbt_reclaim_note_dirty(struct tlbt_run *run, unsigned long idx,
				    pte_t old)
{
	if (pte_dirty(old))
		tlbt_page_dirty(run->arena, idx);
}

static void tlbt_reclaim_flush_one(struct tlbt_run *run, unsigned long idx,
				   pte_t old)
{
	tlbt_reclaim_note_dirty(run, idx, old);
	tlbt_flush_native(run, idx, 1);
}

/*
 * Write back if dirty, then release. @written: the range was written back
 * before its flush, so a difference now is a write that came after.
 */
static void tlbt_reclaim_finish(struct tlbt_run *run, unsigned long idx,
				bool written)
{
	if (test_bit(idx, run->arena->dirty))
		tlbt_writeback(run, idx);
	tlbt_drop(run, idx, written);
}

static void tlbt_reclaim_range(struct tlbt_run *run, unsigned long s,
			       unsigned long n, bool written)
{
	unsigned long i;

	for (i = s; i < s + n; i++)
		if (run->arena->frames[i])
			tlbt_reclaim_finish(run, i, written);
}

static int tlbt_reclaim_native(struct tlbt_run *run, unsigned long s,
			       unsigned long n)
{
	struct tlbt_arena *arena = run->arena;
	unsigned long i;
	int ret = 0;

	switch (run->res->cmd.policy) {
	case TLBT_POL_IMMEDIATE:
		for (i = s; i < s + n && !ret; i++) {
			if (!arena->frames[i])
				continue;
			ret = tlbt_pte_clear(run, i, 1, tlbt_reclaim_flush_one);
			if (!ret)
				tlbt_reclaim_finish(run, i, false);
		}
		return ret;
	case TLBT_POL_BATCHED:
	case TLBT_POL_NONE:	/* the flush is the run loop's to skip */
		ret = tlbt_pte_clear(run, s, n, tlbt_reclaim_note_dirty);
		tlbt_flush_native(run, s, n);
		if (!ret)
			tlbt_reclaim_range(run, s, n, false);
		return ret;
	case TLBT_POL_UNSAFE_WRITEBACK_BEFORE_FLUSH:
		ret = tlbt_pte_clear(run, s, n, tlbt_reclaim_note_dirty);
		for (i = s; i < s + n && !ret; i++)
			if (arena->frames[i] && test_bit(i, arena->dirty))
				tlbt_writeback(run, i);
		/* Too late: stale dirty entries wrote after the writeback. */
		tlbt_flush_native(run, s, n);
		if (!ret)
			tlbt_reclaim_range(run, s, n, true);
		return ret;
	case TLBT_POL_UNSAFE_IGNORE_DIRTY:
		/*
		 * The dirty PTE is dropped on the floor, and the page's own
		 * flag is ignored as if, like an anonymous page, the PTE had
		 * been the only record of the write.
		 */
		ret = tlbt_pte_clear(run, s, n, NULL);
		tlbt_flush_native(run, s, n);
		for (i = s; i < s + n && !ret; i++) {
			if (!arena->frames[i])
				continue;
			tlbt_page_lose_dirty(arena, i);
			tlbt_drop(run, i, false);
		}
		return ret;
	default:
		return -EINVAL;
	}
}

static int tlbt_reclaim_kernel(struct tlbt_run *run, unsigned long s,
			       unsigned long n)
{
	struct tlbt_arena *arena = run->arena;
	unsigned long i;

	/*
	 * zap_vma_ptes() drops the PTE dirty bit of a special entry, but a
	 * writable entry implies a page already marked dirty (write-notify),
	 * so the page flag alone is exact.
	 */
	switch (run->res->cmd.policy) {
	case TLBT_POL_IMMEDIATE:
		for (i = s; i < s + n; i++) {
			if (!arena->frames[i])
				continue;
			tlbt_flush_kernel_zap(run, i, 1);
			tlbt_reclaim_finish(run, i, false);
		}
		return 0;
	case TLBT_POL_BATCHED:
		tlbt_flush_kernel_zap(run, s, n);
		tlbt_reclaim_range(run, s, n, false);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

/**
 * tlbt_reclaim_check - refuse a reclaim that has nothing to reclaim
 * @arena: the arena, its lock held
 * @cmd: a bound reclaim command
 *
 * Return: 0, or -EALREADY when every page of the range is already out.
 */
static int tlbt_reclaim_check(struct tlbt_arena *arena,
			      const struct tlbt_cmd *cmd)
{
	unsigned long i;

	lockdep_assert_held(&arena->lock);
	for (i = cmd->start; i < cmd->start + cmd->pages; i++)
		if (arena->frames[i])
			return 0;
	return -EALREADY;
}

/**
 * tlbt_reclaim_round - one round of the reclaim sequence
 * @run: the running command, inside a round
 *
 * Pages already out are skipped: between rounds the workers fault pages
 * back in, and the next round reclaims those.
 *
 * Return: 0 or -errno.
 */
static int tlbt_reclaim_round(struct tlbt_run *run)
{
	const struct tlbt_cmd *cmd = &run->res->cmd;

	if (cmd->backend == TLBT_BACKEND_KERNEL)
		return tlbt_reclaim_kernel(run, cmd->start, cmd->pages);
	return tlbt_reclaim_native(run, cmd->start, cmd->pages);
}

const struct tlbt_seq_ops tlbt_reclaim_ops = {
	.check = tlbt_reclaim_check,
	.round = tlbt_reclaim_round,
};
