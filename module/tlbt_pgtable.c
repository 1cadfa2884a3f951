// SPDX-License-Identifier: GPL-2.0
/*
 * PTE edits on the arena VMA.
 *
 * apply_to_page_range() walks (and if needed allocates) the page tables
 * and calls back with the PTE lock held, which is the lock move_ptes()
 * and try_to_unmap_one() hold when they clear an entry. Arena PTEs are
 * special (VM_PFNMAP): no rmap, no mapcount, no rss to keep in step.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/pgtable.h>
#include "tlbt.h"
#include "tlbt_trace.h"

struct tlbt_pte_walk {
	struct tlbt_run *run;
	void (*under_lock)(struct tlbt_run *run, unsigned long idx, pte_t old);
};

static unsigned long tlbt_addr_idx(struct tlbt_run *run, unsigned long addr)
{
	return (addr - run->arena->uaddr) >> PAGE_SHIFT;
}

static int tlbt_pte_clear_one(pte_t *ptep, unsigned long addr, void *data)
{
	struct tlbt_pte_walk *walk = data;
	pte_t old = ptep_get_and_clear(walk->run->mm, addr, ptep);

	if (walk->under_lock)
		walk->under_lock(walk->run, tlbt_addr_idx(walk->run, addr), old);
	return 0;
}

/**
 * tlbt_pte_clear - clear the PTEs of arena pages [@idx, @idx + @nr)
 * @run: the running command, inside a round
 * @idx: first arena page
 * @nr: number of pages
 * @under_lock: if not NULL, called for each page with its PTE lock held,
 *	right after the clear (an immediate flush goes here)
 *
 * Nothing is flushed here unless @under_lock does it.
 *
 * Return: 0 or -ENOMEM when a page table could not be allocated.
 */
int tlbt_pte_clear(struct tlbt_run *run, unsigned long idx, unsigned long nr,
		   void (*under_lock)(struct tlbt_run *run, unsigned long idx,
				      pte_t old))
{
	struct tlbt_pte_walk walk = { .run = run, .under_lock = under_lock };

	trace_tlbt_unmap(idx, nr);
	return apply_to_page_range(run->mm, tlbt_page_addr(run, idx),
				   nr << PAGE_SHIFT, tlbt_pte_clear_one, &walk);
}

static int tlbt_pte_install_one(pte_t *ptep, unsigned long addr, void *data)
{
	struct tlbt_run *run = data;
	struct page *frame = run->arena->frames[tlbt_addr_idx(run, addr)];

	/*
	 * Faults wait on arena->lock, which the round holds, so nobody else
	 * can have filled this entry since we cleared it.
	 */
	if (!pte_none(*ptep))
		return -EBUSY;
	set_pte_at(run->mm, addr, ptep,
		   pte_mkspecial(pfn_pte(page_to_pfn(frame),
					 run->vma->vm_page_prot)));
	return 0;
}

/**
 * tlbt_pte_install - map arena pages [@idx, @idx + @nr) to their frames
 * @run: the running command, inside a round
 * @idx: first arena page
 * @nr: number of pages
 *
 * Each PTE must be empty: installing over a live entry would need a flush.
 *
 * Return: 0, -ENOMEM, or -EBUSY if an entry was not empty.
 */
int tlbt_pte_install(struct tlbt_run *run, unsigned long idx,
		     unsigned long nr)
{
	trace_tlbt_remap(idx, nr);
	return apply_to_page_range(run->mm, tlbt_page_addr(run, idx),
				   nr << PAGE_SHIFT, tlbt_pte_install_one, run);
}
