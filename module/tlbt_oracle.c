// SPDX-License-Identifier: GPL-2.0
/*
 * The in-module oracle and the arena's frame pool.
 *
 * A sequence copies a frame through tlbt_copy_frame(), which keeps the
 * exact bytes copied in the arena's snapshot buffer. After the sequence's
 * last flush, tlbt_check_leak() compares the old frame with that copy:
 * any difference is a write that reached the old frame after the copy,
 * through a stale TLB entry. Released frames sit in the pool filled with
 * TLBT_POISON; a changed byte there is a write into a released frame.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/string.h>
#include "tlbt.h"
#include "tlbt_trace.h"

/* Bytes of @a that differ from @b, or from the byte @fill when !@b. */
static unsigned long tlbt_diff_bytes(const void *a, const void *b, u8 fill)
{
	const u64 *wa = a, *wb = b;
	u64 wfill = 0x0101010101010101ULL * fill;
	unsigned long n = 0, i, j;

	for (i = 0; i < PAGE_SIZE / sizeof(u64); i++) {
		u64 x = wa[i] ^ (wb ? wb[i] : wfill);

		if (likely(!x))
			continue;
		for (j = 0; j < sizeof(u64); j++, x >>= 8)
			n += !!(x & 0xff);
	}
	return n;
}

static void *tlbt_snap(struct tlbt_run *run, unsigned long idx)
{
	return run->arena->snap + ((idx - run->res->cmd.start) << PAGE_SHIFT);
}

static struct page *tlbt_pool_take_count(struct tlbt_arena *arena,
					  u64 *poison_hits)
{
	struct page *frame;
	unsigned long n;

	if (!arena->pool_nr)
		return NULL;
	frame = arena->pool[--arena->pool_nr];
	n = tlbt_diff_bytes(page_address(frame), NULL, TLBT_POISON);
	if (n) {
		*poison_hits += n;
		trace_tlbt_leak(TLBT_LEAK_POISON, page_to_pfn(frame), n);
	}
	return frame;
}

/**
 * tlbt_pool_take - take a released frame from the arena pool
 * @run: the running command
 *
 * Counts any byte that is no longer poison into poison_hits.
 *
 * Return: the frame, or NULL when the pool is empty.
 */
struct page *tlbt_pool_take(struct tlbt_run *run)
{
	return tlbt_pool_take_count(run->arena, &run->res->poison_hits);
}

/**
 * tlbt_pool_take_fault - take a released frame for a fault
 * @arena: the arena, its lock held
 *
 * Poison found changed counts in the running or next command.
 *
 * Return: the frame, or NULL when the pool is empty.
 */
struct page *tlbt_pool_take_fault(struct tlbt_arena *arena)
{
	return tlbt_pool_take_count(arena, &arena->fault_poison_hits);
}

/**
 * tlbt_pool_give - poison a frame and return it to the arena pool
 * @run: the running command
 * @frame: a frame no PTE or TLB entry can reach any more
 */
void tlbt_pool_give(struct tlbt_run *run, struct page *frame)
{
	struct tlbt_arena *arena = run->arena;

	memset(page_address(frame), TLBT_POISON, PAGE_SIZE);
	arena->pool[arena->pool_nr++] = frame;
}

/**
 * tlbt_copy_frame - copy arena page @idx from @from to @to, for the oracle
 * @run: the running command
 * @idx: arena page, inside the command's range
 * @from: the frame being left
 * @to: its replacement, not mapped yet
 *
 * The snapshot is taken from @to, so it holds exactly what was copied even
 * if a stale entry is still writing into @from.
 */
void tlbt_copy_frame(struct tlbt_run *run, unsigned long idx,
		     struct page *from, struct page *to)
{
	copy_page(page_address(to), page_address(from));
	memcpy(tlbt_snap(run, idx), page_address(to), PAGE_SIZE);
	run->res->pages_copied++;
	trace_tlbt_copy(idx, page_to_pfn(from), page_to_pfn(to));
}

/**
 * tlbt_check_leak - compare a left frame with what was copied out of it
 * @run: the running command, after its last flush of @idx
 * @idx: arena page
 * @old: the frame copied by tlbt_copy_frame()
 */
void tlbt_check_leak(struct tlbt_run *run, unsigned long idx,
		     struct page *old)
{
	unsigned long n;

	n = tlbt_diff_bytes(page_address(old), tlbt_snap(run, idx), 0);
	if (!n)
		return;
	run->res->leaked_pages++;
	run->res->leaked_bytes += n;
	trace_tlbt_leak(TLBT_LEAK_LEAK, idx, n);
}

/**
 * tlbt_check_poison - count writes into a released frame
 * @run: the running command, after its last flush
 * @frame: a frame in the pool
 */
void tlbt_check_poison(struct tlbt_run *run, struct page *frame)
{
	unsigned long n;

	n = tlbt_diff_bytes(page_address(frame), NULL, TLBT_POISON);
	if (!n)
		return;
	run->res->poison_hits += n;
	trace_tlbt_leak(TLBT_LEAK_POISON, page_to_pfn(frame), n);
	/* Counted once: restore the poison. */
	memset(page_address(frame), TLBT_POISON, PAGE_SIZE);
}

/**
 * tlbt_check_clean - compare a clean page's frame with its store copy
 * @run: the running command, after the last flush of @idx
 * @idx: arena page, marked clean, its PTE empty
 * @frame: its frame
 * @store: its store copy
 * @written: written back before its flush in this round
 *
 * A clean page must equal its store copy. If it does not, a write reached
 * it that is lost when it is dropped: after its writeback (@written:
 * leaked_pages and leaked_bytes), or without marking it dirty (lost_dirty).
 */
void tlbt_check_clean(struct tlbt_run *run, unsigned long idx,
		      struct page *frame, const void *store, bool written)
{
	unsigned long n;

	n = tlbt_diff_bytes(page_address(frame), store, 0);
	if (n && written) {
		run->res->leaked_pages++;
		run->res->leaked_bytes += n;
		trace_tlbt_leak(TLBT_LEAK_LEAK, idx, n);
	} else if (n) {
		run->res->lost_dirty++;
		trace_tlbt_leak(TLBT_LEAK_LOST_DIRTY, idx, n);
	}
}
