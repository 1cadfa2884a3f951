// SPDX-License-Identifier: GPL-2.0
/*
 * mkclean: write-protect and clean PTEs, flush, write the dirty pages back
 * to the store; and sync, which writes back whatever is dirty.
 *
 * Seeds 001 and 004. A PTE cleaned while a writable entry for it survives
 * in some TLB lets writes through without a fault: the page is never
 * dirtied again, and the data goes with the next writeback and drop. In
 * seed 001 the stale entry comes from a zap that dropped the rmap before
 * its flush, so folio_mkclean() cannot know it must flush. Nadav Amit's
 * answer: pending and completed TLB generations, the pending one stamped
 * into each page table, so mkclean flushes exactly when that table may
 * still hold stale entries.
 *
 * One round on range R; Z is its first `zap` pages:
 *   A. a racing zap clears Z, hands dirty bits to the pages, and defers
 *      its flush (stamping the pending generation into Z's units);
 *   B. mkclean, one page-table unit (512 pages) at a time: write-protect
 *      and clean, flush per policy, write back the dirty pages;
 *   C. the zap's flush completes;
 *   D. the next writeback and drop: unmap R, flush, write back what is
 *      dirty, release every frame. A clean page that differs from its
 *      store copy was written without being dirtied: lost_dirty.
 *
 *   immediate        flush every page as it is cleaned
 *   tlbgen           per unit: flush if an entry was writable or dirty, or
 *                    the unit's generation is newer than the completed one
 *   mm-pending       per unit: flush if an entry was writable or dirty, or
 *                    any flush is pending in the mm (mm_tlb_flush_pending())
 *   unsafe-no-flush  never flush in B
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include "tlbt.h"

/* zap_pte_range(): a dirty PTE dirties its page. */
static void tlbt_mkclean_note_dirty(struct tlbt_run *run, unsigned long idx,
				    pte_t old)
{
	if (pte_dirty(old))
		tlbt_page_dirty(run->arena, idx);
}

static void tlbt_mkclean_note(struct tlbt_run *run, unsigned long idx,
			      pte_t old)
{
	tlbt_mkclean_note_dirty(run, idx, old);
	if (pte_write(old) || pte_dirty(old))
		run->unit_changed = true;
}

static void tlbt_mkclean_flush_one(struct tlbt_run *run, unsigned long idx,
				   pte_t old)
{
	tlbt_mkclean_note(run, idx, old);
	tlbt_flush_native(run, idx, 1);
}

static void tlbt_mkclean_writeback(struct tlbt_run *run, unsigned long s,
				   unsigned long n)
{
	struct tlbt_arena *arena = run->arena;
	unsigned long i;

	for (i = s; i < s + n; i++)
		if (arena->frames[i] && test_bit(i, arena->dirty))
			tlbt_writeback(run, i);
}

/* A: the racing zap, whose flush is still pending. */
static int tlbt_mkclean_zap(struct tlbt_run *run)
{
	const struct tlbt_cmd *cmd = &run->res->cmd;
	struct tlbt_arena *arena = run->arena;
	unsigned long u;
	int ret;

	if (!cmd->zap)
		return 0;
	ret = tlbt_pte_clear(run, cmd->start, cmd->zap,
			     tlbt_mkclean_note_dirty);
	arena->pending_gen++;
	for (u = cmd->start / TLBT_UNIT_PAGES;
	     u <= (cmd->start + cmd->zap - 1) / TLBT_UNIT_PAGES; u++)
		arena->unit_gen[u] = arena->pending_gen;
	arena->mm_pending++;
	return ret;
}

/* C: the zap's flush. */
static void tlbt_mkclean_zap_done(struct tlbt_run *run)
{
	const struct tlbt_cmd *cmd = &run->res->cmd;
	struct tlbt_arena *arena = run->arena;

	if (!cmd->zap)
		return;
	tlbt_flush_native(run, cmd->start, cmd->zap);
	arena->completed_gen = arena->pending_gen;
	arena->mm_pending--;
}

/* B on pages [s, s + n), all in one page-table unit. */
static int tlbt_mkclean_unit(struct tlbt_run *run, unsigned long s,
			     unsigned long n)
{
	struct tlbt_arena *arena = run->arena;
	bool flush;
	int ret;

	run->unit_changed = false;
	switch (run->res->cmd.policy) {
	case TLBT_POL_IMMEDIATE:
		ret = tlbt_pte_wrprotect(run, s, n, tlbt_mkclean_flush_one);
		flush = false;
		break;
	case TLBT_POL_TLBGEN:
		ret = tlbt_pte_wrprotect(run, s, n, tlbt_mkclean_note);
		flush = run->unit_changed ||
			arena->unit_gen[s / TLBT_UNIT_PAGES] > arena->completed_gen;
		break;
	case TLBT_POL_MM_PENDING:
		ret = tlbt_pte_wrprotect(run, s, n, tlbt_mkclean_note);
		flush = run->unit_changed || arena->mm_pending;
		break;
	case TLBT_POL_UNSAFE_NO_FLUSH:
		ret = tlbt_pte_wrprotect(run, s, n, tlbt_mkclean_note);
		flush = false;
		break;
	default:
		return -EINVAL;
	}
	if (flush)
		tlbt_flush_native(run, s, n);
	/* Against immediate, which flushes each of the n pages. */
	if (run->res->cmd.policy == TLBT_POL_TLBGEN ||
	    run->res->cmd.policy == TLBT_POL_MM_PENDING)
		run->res->flushes_avoided += n - flush;
	/* A whole unit left unflushed: what shows a policy really skipped. */
	if (run->res->cmd.policy != TLBT_POL_IMMEDIATE && !flush)
		run->res->units_skipped++;
	if (ret)
		return ret;
	tlbt_mkclean_writeback(run, s, n);
	return 0;
}

/* D: the next writeback and drop, after which every page is out. */
static int tlbt_mkclean_drop(struct tlbt_run *run)
{
	const struct tlbt_cmd *cmd = &run->res->cmd;
	struct tlbt_arena *arena = run->arena;
	unsigned long i;
	int ret;

	ret = tlbt_pte_clear(run, cmd->start, cmd->pages,
			     tlbt_mkclean_note_dirty);
	tlbt_flush_native(run, cmd->start, cmd->pages);
	for (i = cmd->start; i < cmd->start + cmd->pages; i++) {
		if (!arena->frames[i])
			continue;
		if (test_bit(i, arena->dirty))
			tlbt_writeback(run, i);
		tlbt_drop(run, i, false);
	}
	return ret;
}

/**
 * tlbt_mkclean_round - one round of the mkclean sequence
 * @run: the running command, inside a round
 *
 * Return: 0 or -errno.
 */
static int tlbt_mkclean_round(struct tlbt_run *run)
{
	const struct tlbt_cmd *cmd = &run->res->cmd;
	unsigned long s = cmd->start, end = cmd->start + cmd->pages, n;
	int ret;

	ret = tlbt_mkclean_zap(run);
	for (; s < end && !ret; s += n) {
		n = min(end, round_down(s, TLBT_UNIT_PAGES) + TLBT_UNIT_PAGES) - s;
		ret = tlbt_mkclean_unit(run, s, n);
	}
	tlbt_mkclean_zap_done(run);
	return ret ?: tlbt_mkclean_drop(run);
}

const struct tlbt_seq_ops tlbt_mkclean_ops = {
	.round = tlbt_mkclean_round,
};

static void tlbt_sync_note(struct tlbt_run *run, unsigned long idx, pte_t old)
{
	tlbt_mkclean_note_dirty(run, idx, old);
}

/**
 * tlbt_sync_round - write back every dirty page of the range
 * @run: the running command, inside a round
 *
 * Write-protects and cleans the range, flushes it once if any page is
 * dirty, then writes the dirty pages back. With nothing dirty it does
 * nothing and reports writebacks: 0.
 *
 * Return: 0 or -errno.
 */
static int tlbt_sync_round(struct tlbt_run *run)
{
	const struct tlbt_cmd *cmd = &run->res->cmd;
	struct tlbt_arena *arena = run->arena;
	unsigned long i;
	bool any = false;
	int ret;

	ret = tlbt_pte_wrprotect(run, cmd->start, cmd->pages, tlbt_sync_note);
	if (ret)
		return ret;
	for (i = cmd->start; i < cmd->start + cmd->pages; i++)
		any |= arena->frames[i] && test_bit(i, arena->dirty);
	if (any)
		tlbt_flush_native(run, cmd->start, cmd->pages);
	tlbt_mkclean_writeback(run, cmd->start, cmd->pages);
	return 0;
}

const struct tlbt_seq_ops tlbt_sync_ops = {
	.round = tlbt_sync_round,
};
