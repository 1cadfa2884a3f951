// SPDX-License-Identifier: GPL-2.0
/*
 * migrate: unmap, flush, copy to a new frame, map the new frame.
 *
 * Seed 003 (Mel Gorman, 2015): batching the flush of a migration is safe
 * only if it happens before the copy. A PTE that was dirty and writable
 * can still be written through a stale TLB entry after it is cleared;
 * copy before the flush and those writes stay behind in the old frame.
 *
 *   immediate                 clear + flush each PTE under its lock, copy
 *   batched                   clear all, one shootdown, copy all
 *   unsafe-copy-before-flush  clear all, copy all, map all, then flush
 *   none                      clear all, copy all, map all (benchmark only)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include "tlbt.h"

static void tlbt_migrate_flush_one(struct tlbt_run *run, unsigned long idx,
				   pte_t old)
{
	tlbt_flush_native(run, idx, 1);
}

/* Move pages [@idx, @idx + @nr) to fresh frames, remembering the old. */
static int tlbt_migrate_copy(struct tlbt_run *run, unsigned long idx,
			     unsigned long nr)
{
	struct tlbt_arena *arena = run->arena;
	unsigned long i;

	for (i = idx; i < idx + nr; i++) {
		struct page *new;

		if (!arena->frames[i])	/* out: nothing to move */
			continue;
		new = tlbt_pool_take(run);
		if (!new)
			return -ENOMEM;
		tlbt_copy_frame(run, i, arena->frames[i], new);
		run->old[i - run->res->cmd.start] =
			tlbt_page_set_frame(arena, i, new);
	}
	return 0;
}

static int tlbt_migrate_native(struct tlbt_run *run, unsigned long start,
			       unsigned long nr)
{
	unsigned long i;
	int ret;

	switch (run->res->cmd.policy) {
	case TLBT_POL_IMMEDIATE:
		for (i = start; i < start + nr; i++) {
			ret = tlbt_pte_clear(run, i, 1, tlbt_migrate_flush_one);
			if (!ret)
				ret = tlbt_migrate_copy(run, i, 1);
			if (!ret)
				ret = tlbt_pte_install(run, i, 1);
			if (ret)
				return ret;
		}
		return 0;
	case TLBT_POL_BATCHED:
	case TLBT_POL_NONE:	/* the flush is the run loop's to skip */
		ret = tlbt_pte_clear(run, start, nr, NULL);
		if (ret)
			return ret;
		tlbt_flush_native(run, start, nr);
		ret = tlbt_migrate_copy(run, start, nr);
		return ret ?: tlbt_pte_install(run, start, nr);
	case TLBT_POL_UNSAFE_COPY_BEFORE_FLUSH:
		ret = tlbt_pte_clear(run, start, nr, NULL);
		if (!ret)
			ret = tlbt_migrate_copy(run, start, nr);
		if (!ret)
			ret = tlbt_pte_install(run, start, nr);
		/* The flush comes last: the whole point of this policy. */
		tlbt_flush_native(run, start, nr);
		return ret;
	default:
		return -EINVAL;
	}
}

static int tlbt_migrate_kernel(struct tlbt_run *run, unsigned long start,
			       unsigned long nr)
{
	unsigned long i;
	int ret;

	switch (run->res->cmd.policy) {
	case TLBT_POL_IMMEDIATE:
		for (i = start; i < start + nr; i++) {
			tlbt_flush_kernel_zap(run, i, 1);
			ret = tlbt_migrate_copy(run, i, 1);
			if (!ret)
				ret = tlbt_pte_install(run, i, 1);
			if (ret)
				return ret;
		}
		return 0;
	case TLBT_POL_BATCHED:
		tlbt_flush_kernel_zap(run, start, nr);
		ret = tlbt_migrate_copy(run, start, nr);
		return ret ?: tlbt_pte_install(run, start, nr);
	default:
		return -EOPNOTSUPP;
	}
}

/**
 * tlbt_migrate_round - one round of the migrate sequence
 * @run: the running command, inside a round
 *
 * On error every page is still consistent: its PTE is empty or maps
 * arena->frames[]; the run loop flushes the range, then
 * tlbt_migrate_finish() checks every frame left behind.
 *
 * Return: 0 or -errno.
 */
static int tlbt_migrate_round(struct tlbt_run *run)
{
	const struct tlbt_cmd *cmd = &run->res->cmd;

	memset(run->old, 0, cmd->pages * sizeof(*run->old));
	if (cmd->backend == TLBT_BACKEND_KERNEL)
		return tlbt_migrate_kernel(run, cmd->start, cmd->pages);
	return tlbt_migrate_native(run, cmd->start, cmd->pages);
}

/* Every flush of the round is done: what changed now leaked. */
static void tlbt_migrate_finish(struct tlbt_run *run)
{
	const struct tlbt_cmd *cmd = &run->res->cmd;
	unsigned long i;

	for (i = 0; i < cmd->pages; i++) {
		if (!run->old[i])
			continue;
		tlbt_check_leak(run, cmd->start + i, run->old[i]);
		tlbt_pool_give(run, run->old[i]);
	}
}

const struct tlbt_seq_ops tlbt_migrate_ops = {
	.round = tlbt_migrate_round,
	.finish = tlbt_migrate_finish,
};
