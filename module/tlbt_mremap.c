// SPDX-License-Identifier: GPL-2.0
/*
 * mremap: move the PTEs of a source range to a destination range, as
 * move_ptes() does, while a racing punch of the destination releases some
 * of the moved frames.
 *
 * Seed 000 (Mel Gorman, Dave Hansen, 2018). move_ptes() either flushes
 * under the PTE lock or leaves the flush to the end of move_page_tables().
 * A stale source entry is harmless while its frame stays put; it is a
 * use-after-free once another path can release that frame before the
 * deferred flush (CVE-2018-18281).
 *
 * One round, on source S and destination D (pages [0, punch) of the range
 * are the ones the punch releases):
 *   1. move S -> D; flush S under the lock per policy;
 *   2. the punch: unmap and flush D[0, punch), copy each frame into a new
 *      one for S (so the workers' data survives the round), release the
 *      old frame to the pool, poisoned;
 *   3. the deferred flush of S;
 *   4. move D[punch, pages) back to S; map S again.
 *
 *   immediate                    flush each S entry under the lock; 1 2 4
 *   batched                      1, 3, then 2, 4: no release before the flush
 *   dirty-aware                  flush under the lock only the entries the
 *                                punch will release (should_force_flush());
 *                                1 2 3 4
 *   unsafe-release-before-flush  1 2 3 4, nothing flushed under the lock
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include "tlbt.h"

static void tlbt_mremap_save(struct tlbt_run *run, unsigned long idx,
			     pte_t old)
{
	run->ptes[idx - run->res->cmd.start] = old;
}

static void tlbt_mremap_save_flush(struct tlbt_run *run, unsigned long idx,
				   pte_t old)
{
	tlbt_mremap_save(run, idx, old);
	tlbt_flush_native(run, idx, 1);
}

/* should_force_flush(): only a frame that can go before the late flush. */
static void tlbt_mremap_save_flush_punched(struct tlbt_run *run,
					   unsigned long idx, pte_t old)
{
	tlbt_mremap_save(run, idx, old);
	if (idx - run->res->cmd.start < run->res->cmd.punch)
		tlbt_flush_native(run, idx, 1);
}

static void tlbt_mremap_unmap(struct tlbt_run *run, unsigned long idx,
			      unsigned long nr, int *ret)
{
	if (!nr)
		return;
	if (run->res->cmd.backend == TLBT_BACKEND_KERNEL) {
		tlbt_flush_kernel_zap(run, idx, nr);
		return;
	}
	if (!*ret)
		*ret = tlbt_pte_clear(run, idx, nr, NULL);
	tlbt_flush_native(run, idx, nr);
}

/* MREMAP_FIXED unmaps the target first: drop anything left in D. */
static void tlbt_mremap_clear_dst(struct tlbt_run *run, int *ret)
{
	const struct tlbt_cmd *cmd = &run->res->cmd;
	struct tlbt_arena *arena = run->arena;
	unsigned long i;
	bool any = false;

	for (i = cmd->dst; i < cmd->dst + cmd->pages; i++)
		any |= arena->frames[i] || test_bit(i, arena->swapped);
	if (!any)
		return;
	tlbt_mremap_unmap(run, cmd->dst, cmd->pages, ret);
	for (i = cmd->dst; i < cmd->dst + cmd->pages; i++) {
		struct page *frame = tlbt_page_forget(arena, i);

		if (frame)
			tlbt_pool_give(run, frame);
	}
}

/* Step 1: S -> D. */
static int tlbt_mremap_move(struct tlbt_run *run)
{
	const struct tlbt_cmd *cmd = &run->res->cmd;
	unsigned long i;
	int ret = 0;

	if (cmd->backend == TLBT_BACKEND_KERNEL) {
		if (cmd->policy == TLBT_POL_IMMEDIATE)
			for (i = 0; i < cmd->pages; i++)
				tlbt_flush_kernel_zap(run, cmd->start + i, 1);
		else
			tlbt_flush_kernel_zap(run, cmd->start, cmd->pages);
		for (i = 0; i < cmd->pages; i++)
			tlbt_page_move(run->arena, cmd->dst + i,
				       cmd->start + i);
		return tlbt_pte_install(run, cmd->dst, cmd->pages);
	}

	switch (cmd->policy) {
	case TLBT_POL_IMMEDIATE:
		ret = tlbt_pte_clear(run, cmd->start, cmd->pages,
				     tlbt_mremap_save_flush);
		break;
	case TLBT_POL_DIRTY_AWARE:
		ret = tlbt_pte_clear(run, cmd->start, cmd->pages,
				     tlbt_mremap_save_flush_punched);
		break;
	default:
		ret = tlbt_pte_clear(run, cmd->start, cmd->pages,
				     tlbt_mremap_save);
		break;
	}
	if (ret)
		return ret;
	for (i = 0; i < cmd->pages; i++)
		tlbt_page_move(run->arena, cmd->dst + i, cmd->start + i);
	return tlbt_pte_set(run, cmd->dst, cmd->pages, run->ptes);
}

/* Step 2: the racing punch releases D[0, punch), keeping the data in S. */
static int tlbt_mremap_punch(struct tlbt_run *run)
{
	const struct tlbt_cmd *cmd = &run->res->cmd;
	struct tlbt_arena *arena = run->arena;
	unsigned long i;
	int ret = 0;

	tlbt_mremap_unmap(run, cmd->dst, cmd->punch, &ret);
	for (i = 0; i < cmd->punch && !ret; i++) {
		unsigned long d = cmd->dst + i, s = cmd->start + i;
		struct page *old = arena->frames[d], *new = NULL;

		if (old) {
			new = tlbt_pool_take(run);
			if (!new) {
				ret = -ENOMEM;
				break;
			}
			tlbt_copy_frame(run, s, old, new);
		}
		/* Page state travels with the frame: frame, dirty flag, store. */
		tlbt_page_move(arena, s, d);
		if (new)
			tlbt_page_set_frame(arena, s, new);
		run->old[i] = old;
	}
	/*
	 * Release only after every copy, so that no frame released here is
	 * taken again within the round: the end-of-round poison check must
	 * see only what stale entries wrote.
	 */
	for (i = 0; i < cmd->punch; i++) {
		if (!run->old[i])
			continue;
		/* Writes between the copy and the poison are caught here... */
		tlbt_check_leak(run, cmd->start + i, run->old[i]);
		tlbt_pool_give(run, run->old[i]);
		/* ...and the ones after it at the end of the round. */
	}
	return ret;
}

/* Step 4: D[punch, pages) back to S, which is then mapped again. */
static int tlbt_mremap_return(struct tlbt_run *run)
{
	const struct tlbt_cmd *cmd = &run->res->cmd;
	unsigned long i, nr = cmd->pages - cmd->punch;
	int ret = 0;

	tlbt_mremap_unmap(run, cmd->dst + cmd->punch, nr, &ret);
	for (i = cmd->punch; i < cmd->pages; i++)
		tlbt_page_move(run->arena, cmd->start + i, cmd->dst + i);
	return ret ?: tlbt_pte_install(run, cmd->start, cmd->pages);
}

/**
 * tlbt_mremap_round - one round of the mremap sequence
 * @run: the running command, inside a round
 *
 * Return: 0 or -errno.
 */
static int tlbt_mremap_round(struct tlbt_run *run)
{
	const struct tlbt_cmd *cmd = &run->res->cmd;
	bool late_flush = cmd->backend == TLBT_BACKEND_NATIVE &&
			  cmd->policy != TLBT_POL_IMMEDIATE;
	int ret = 0;

	memset(run->old, 0, cmd->pages * sizeof(*run->old));
	memset(run->ptes, 0, cmd->pages * sizeof(*run->ptes));
	tlbt_mremap_clear_dst(run, &ret);
	if (!ret)
		ret = tlbt_mremap_move(run);

	if (cmd->policy == TLBT_POL_BATCHED && late_flush) {
		tlbt_flush_native(run, cmd->start, cmd->pages);
		late_flush = false;
	}
	if (!ret)
		ret = tlbt_mremap_punch(run);
	if (late_flush)
		tlbt_flush_native(run, cmd->start, cmd->pages);
	if (!ret)
		ret = tlbt_mremap_return(run);
	return ret;
}

/* Every flush is done: a released frame must still be all poison. */
static void tlbt_mremap_finish(struct tlbt_run *run)
{
	unsigned long i;

	for (i = 0; i < run->res->cmd.punch; i++)
		if (run->old[i])
			tlbt_check_poison(run, run->old[i]);
}

const struct tlbt_seq_ops tlbt_mremap_ops = {
	.round = tlbt_mremap_round,
	.finish = tlbt_mremap_finish,
};
