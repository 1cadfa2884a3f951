/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels tlbtorture builds against, Debian's
 * 6.1 and 6.12 LTS, keyed on LINUX_VERSION_CODE: one shim per upstream
 * change, and the only place the module looks at the version. The module
 * is written against the newer API; each shim falls back to the 6.1
 * spelling, so dropping 6.1 means deleting branches here.
 *
 * Checked and needing no shim (6.1 .. 6.12):
 * - no_llseek: #defined NULL since 868941b14441 ("fs: remove no_llseek",
 *   6.0) and gone in 6.12 (cb787f4ac0c2, "[tree-wide] finally take
 *   no_llseek out"). A file without .llseek cannot seek on both kernels,
 *   so the knobs simply leave it out.
 * - mmu_notifier_ops .release, .invalidate_range_start/_end: unchanged.
 *   Only .invalidate_range became .arch_invalidate_secondary_tlbs (6.6),
 *   and the recorder does not implement it.
 * - zap_vma_ptes(), apply_to_page_range(), apply_to_existing_page_range(),
 *   vmf_insert_pfn_prot(), on_each_cpu_mask(), mm->context.tlb_gen,
 *   mm_cpumask(), the debugfs and simple_attr calls: same signatures.
 * - cpu_tlbstate: the module reads CR3 instead (see tlbt_flush.c).
 * - __assign_str(): one argument since 2c92ca849fcc (6.10), but no
 *   event has a __string() field: the fixed sets are __print_symbolic()
 *   (tlbt_trace.h), so there is nothing to copy.
 */
#ifndef TLBT_COMPAT_H
#define TLBT_COMPAT_H

#include <linux/version.h>
#include <linux/mm.h>

/* Building against kernel @major.@minor or later. */
#define TLBT_SINCE(major, minor) \
	(KERNEL_VERSION(major, minor, 0) <= LINUX_VERSION_CODE)

/*
 * 6.3, bc292ab00f6c ("mm: introduce vma->vm_flags wrapper functions"):
 * vm_flags is const, set through vm_flags_set() (which also write-locks
 * the VMA for per-VMA locking).
 */
#if TLBT_SINCE(6, 3)
#define tlbt_vm_flags_set(vma, flags)	vm_flags_set(vma, flags)
#else
#define tlbt_vm_flags_set(vma, flags)	((vma)->vm_flags |= (flags))
#endif

/*
 * 6.6, 2f0584f3f4bd ("mm: Rename arch pte_mkwrite()'s to
 * pte_mkwrite_novma()"): pte_mkwrite() takes the VMA now (shadow stacks);
 * the VMA-less form keeps the old meaning.
 */
#if TLBT_SINCE(6, 6)
#define tlbt_pte_mkwrite_novma(pte)	pte_mkwrite_novma(pte)
#else
#define tlbt_pte_mkwrite_novma(pte)	pte_mkwrite(pte)
#endif

#endif /* TLBT_COMPAT_H */
