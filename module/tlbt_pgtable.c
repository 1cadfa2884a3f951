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
#include "tlbt_compat.h"
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
	int ret;

	tlbt_assert_round(run);

	ret = apply_to_page_range(run->mm, tlbt_page_addr(run, idx),
				  nr << PAGE_SHIFT, tlbt_pte_clear_one, &walk);
	trace_tlbt_unmap(idx, nr);
	return ret;
}

/**
 * tlbt_page_prot - protection for a fresh PTE of arena page @idx
 * @vma: the arena VMA
 * @arena: the arena
 * @idx: arena page
 *
 * Writable only if the page is marked dirty. A clean page is mapped
 * read-only (vm_page_prot, write-notify) so its first write goes through
 * pfn_mkwrite and marks it dirty again.
 */
pgprot_t tlbt_page_prot(struct vm_area_struct *vma, struct tlbt_arena *arena,
			unsigned long idx)
{
	if (test_bit(idx, arena->dirty))
		return vm_get_page_prot(vma->vm_flags);
	return vma->vm_page_prot;
}

static int tlbt_pte_install_one(pte_t *ptep, unsigned long addr, void *data)
{
	struct tlbt_run *run = data;
	unsigned long idx = tlbt_addr_idx(run, addr);
	struct page *frame = run->arena->frames[idx];

	/*
	 * Faults wait on arena->lock, which the round holds, so nobody else
	 * can have filled this entry since we cleared it.
	 */
	if (!pte_none(*ptep))
		return -EBUSY;
	if (!frame)		/* out: the next fault pages it in */
		return 0;
	set_pte_at(run->mm, addr, ptep,
		   pte_mkspecial(pfn_pte(page_to_pfn(frame),
					 tlbt_page_prot(run->vma, run->arena,
							idx))));
	return 0;
}

/**
 * tlbt_pte_install - map arena pages [@idx, @idx + @nr) to their frames
 * @run: the running command, inside a round
 * @idx: first arena page
 * @nr: number of pages
 *
 * Each PTE must be empty: installing over a live entry would need a flush.
 * Pages that are out stay unmapped.
 *
 * Return: 0, -ENOMEM, or -EBUSY if an entry was not empty.
 */
int tlbt_pte_install(struct tlbt_run *run, unsigned long idx,
		     unsigned long nr)
{
	int ret;

	tlbt_assert_round(run);

	ret = apply_to_page_range(run->mm, tlbt_page_addr(run, idx),
				  nr << PAGE_SHIFT, tlbt_pte_install_one, run);
	trace_tlbt_remap(idx, nr);
	return ret;
}

struct tlbt_pte_values {
	struct tlbt_run *run;
	unsigned long first;
	const pte_t *ptes;
};

static int tlbt_pte_set_one(pte_t *ptep, unsigned long addr, void *data)
{
	struct tlbt_pte_values *v = data;
	pte_t pte = v->ptes[tlbt_addr_idx(v->run, addr) - v->first];

	if (!pte_none(*ptep))
		return -EBUSY;
	if (!pte_none(pte))
		set_pte_at(v->run->mm, addr, ptep, pte);
	return 0;
}

/**
 * tlbt_pte_set - write saved PTE values into empty entries, as move_ptes()
 * @run: the running command, inside a round
 * @idx: first arena page
 * @nr: number of pages
 * @ptes: @nr values; pte_none() ones leave the entry empty
 *
 * Return: 0, -ENOMEM, or -EBUSY if an entry was not empty.
 */
int tlbt_pte_set(struct tlbt_run *run, unsigned long idx, unsigned long nr,
		 const pte_t *ptes)
{
	struct tlbt_pte_values v = { .run = run, .first = idx, .ptes = ptes };
	int ret;

	tlbt_assert_round(run);

	ret = apply_to_page_range(run->mm, tlbt_page_addr(run, idx),
				  nr << PAGE_SHIFT, tlbt_pte_set_one, &v);
	trace_tlbt_remap(idx, nr);
	return ret;
}

static int tlbt_pte_wrprotect_one(pte_t *ptep, unsigned long addr, void *data)
{
	struct tlbt_pte_walk *walk = data;
	struct mm_struct *mm = walk->run->mm;
	pte_t old = __pte(0);

	if (pte_present(*ptep)) {
		old = ptep_get_and_clear(mm, addr, ptep);
		set_pte_at(mm, addr, ptep, pte_wrprotect(pte_mkclean(old)));
	}
	if (walk->under_lock)
		walk->under_lock(walk->run, tlbt_addr_idx(walk->run, addr), old);
	return 0;
}

/**
 * tlbt_pte_wrprotect - write-protect and clean arena pages, as mkclean
 * @run: the running command, inside a round
 * @idx: first arena page
 * @nr: number of pages
 * @under_lock: if not NULL, called for every page with its PTE lock held
 *	and the old value (pte_none() for an empty entry)
 *
 * Return: 0 or -ENOMEM.
 */
int tlbt_pte_wrprotect(struct tlbt_run *run, unsigned long idx,
		       unsigned long nr,
		       void (*under_lock)(struct tlbt_run *run,
					  unsigned long idx, pte_t old))
{
	struct tlbt_pte_walk walk = { .run = run, .under_lock = under_lock };

	tlbt_assert_round(run);

	return apply_to_page_range(run->mm, tlbt_page_addr(run, idx),
				   nr << PAGE_SHIFT, tlbt_pte_wrprotect_one,
				   &walk);
}

static int tlbt_pte_mkwrite_one(pte_t *ptep, unsigned long addr, void *data)
{
	struct tlbt_run *run = data;
	struct page *frame = run->arena->frames[tlbt_addr_idx(run, addr)];
	pte_t old;

	if (!pte_present(*ptep) || !frame || pte_pfn(*ptep) != page_to_pfn(frame))
		return 0;
	/* Only ever adds permission: a stale read-only entry just refaults. */
	old = ptep_get_and_clear(run->mm, addr, ptep);
	set_pte_at(run->mm, addr, ptep,
		   pte_mkdirty(tlbt_pte_mkwrite_novma(old)));
	return 0;
}

/**
 * tlbt_pte_mkwrite - make arena page @idx writable, for pfn_mkwrite
 * @run: arena, mm and VMA; arena->lock held and the page marked dirty
 * @idx: arena page
 *
 * Return: 0 or -errno.
 */
int tlbt_pte_mkwrite(struct tlbt_run *run, unsigned long idx)
{
	lockdep_assert_held(&run->arena->lock);
	return apply_to_existing_page_range(run->mm, tlbt_page_addr(run, idx),
					    PAGE_SIZE, tlbt_pte_mkwrite_one,
					    run);
}
