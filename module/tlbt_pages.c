// SPDX-License-Identifier: GPL-2.0
/*
 * An arena page's state, and the only code that writes it: its frame
 * (arena->frames), its dirty flag, whether it is out (arena->swapped),
 * and its store copy. The sequences say what happens to a page; the
 * state moves here, in one place, so that the oracle's checks read one
 * consistent story. tlbt_arena.c allocates the state with the arena and
 * frees it at final release.
 *
 * Every caller holds arena->lock: the command's round, or the fault.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/string.h>
#include "tlbt.h"

static void *tlbt_store(struct tlbt_arena *arena, unsigned long idx)
{
	return arena->store + (idx << PAGE_SHIFT);
}

/**
 * tlbt_page_in - give an arena page that is out a frame again
 * @arena: the arena, its lock held
 * @idx: arena page with no frame
 *
 * Fills the frame from the store if the page was written there, else with
 * zeroes. Poison found on the way counts in the running or next command.
 *
 * Return: the frame, or NULL when the pool is empty (it never is: it holds
 * as many frames as the arena has pages).
 */
struct page *tlbt_page_in(struct tlbt_arena *arena, unsigned long idx)
{
	struct page *frame;

	lockdep_assert_held(&arena->lock);
	frame = tlbt_pool_take_fault(arena);
	if (!frame)
		return NULL;
	if (test_and_clear_bit(idx, arena->swapped))
		memcpy(page_address(frame), tlbt_store(arena, idx), PAGE_SIZE);
	else
		clear_page(page_address(frame));
	arena->frames[idx] = frame;
	return frame;
}

/**
 * tlbt_page_set_frame - page @idx now lives in @frame (a copy of the old)
 * @arena: the arena, its lock held
 * @idx: arena page
 * @frame: its new frame, or NULL
 *
 * Return: the frame it left.
 */
struct page *tlbt_page_set_frame(struct tlbt_arena *arena, unsigned long idx,
				 struct page *frame)
{
	struct page *old = arena->frames[idx];

	lockdep_assert_held(&arena->lock);
	arena->frames[idx] = frame;
	return old;
}

/**
 * tlbt_page_move - page @from becomes page @to: frame, dirty flag, store
 * @arena: the arena, its lock held
 * @to: destination page, whose state is overwritten
 * @from: source page, left with no frame and nothing stored
 */
void tlbt_page_move(struct tlbt_arena *arena, unsigned long to,
		    unsigned long from)
{
	lockdep_assert_held(&arena->lock);
	arena->frames[to] = arena->frames[from];
	arena->frames[from] = NULL;
	if (test_and_clear_bit(from, arena->dirty))
		set_bit(to, arena->dirty);
	else
		clear_bit(to, arena->dirty);
	if (test_and_clear_bit(from, arena->swapped)) {
		memcpy(tlbt_store(arena, to), tlbt_store(arena, from),
		       PAGE_SIZE);
		set_bit(to, arena->swapped);
	} else {
		clear_bit(to, arena->swapped);
	}
}

/**
 * tlbt_page_forget - page @idx is unmapped for good: no frame, no data
 * @arena: the arena, its lock held
 * @idx: arena page
 *
 * Return: its frame, for the caller to release once no TLB can reach it,
 * or NULL.
 */
struct page *tlbt_page_forget(struct tlbt_arena *arena, unsigned long idx)
{
	struct page *frame = arena->frames[idx];

	lockdep_assert_held(&arena->lock);
	arena->frames[idx] = NULL;
	clear_bit(idx, arena->dirty);
	clear_bit(idx, arena->swapped);
	return frame;
}

/**
 * tlbt_page_dirty - page @idx was written (a dirty PTE, or a write fault)
 * @arena: the arena, its lock held
 * @idx: arena page
 */
void tlbt_page_dirty(struct tlbt_arena *arena, unsigned long idx)
{
	lockdep_assert_held(&arena->lock);
	set_bit(idx, arena->dirty);
}

/**
 * tlbt_page_lose_dirty - forget that page @idx was written, unwritten back
 * @arena: the arena, its lock held
 * @idx: arena page
 *
 * Only unsafe-ignore-dirty does this: the data-loss check of the oracle.
 */
void tlbt_page_lose_dirty(struct tlbt_arena *arena, unsigned long idx)
{
	lockdep_assert_held(&arena->lock);
	clear_bit(idx, arena->dirty);
}

/**
 * tlbt_writeback - write arena page @idx to the store and mark it clean
 * @run: the running command
 * @idx: arena page with a frame
 *
 * The store copy is also the oracle's snapshot: after the last flush,
 * a frame that differs from it was written without being marked dirty.
 */
void tlbt_writeback(struct tlbt_run *run, unsigned long idx)
{
	struct tlbt_arena *arena = run->arena;

	lockdep_assert_held(&arena->lock);
	memcpy(tlbt_store(arena, idx), page_address(arena->frames[idx]),
	       PAGE_SIZE);
	clear_bit(idx, arena->dirty);
	run->res->writebacks++;
}

/**
 * tlbt_drop - release the frame of a clean, unmapped page to the pool
 * @run: the running command, after the last flush of @idx
 * @idx: arena page with a frame, marked clean, its PTE empty
 * @written: written back before its flush in this round
 *
 * The oracle first checks the frame against its store copy
 * (tlbt_check_clean()); the page is then out, its data in the store.
 */
void tlbt_drop(struct tlbt_run *run, unsigned long idx, bool written)
{
	struct tlbt_arena *arena = run->arena;
	struct page *frame = arena->frames[idx];

	lockdep_assert_held(&arena->lock);
	tlbt_check_clean(run, idx, frame, tlbt_store(arena, idx), written);
	arena->frames[idx] = NULL;
	set_bit(idx, arena->swapped);
	tlbt_pool_give(run, frame);
}
