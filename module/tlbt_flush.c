// SPDX-License-Identifier: GPL-2.0
/*
 * The two flush backends.
 *
 * native: the module's own shootdown. flush_tlb_mm_range() is not exported
 * and its helpers are hidden from modules, so this follows the same
 * protocol by hand: the PTEs are already changed; bump mm->context.tlb_gen
 * (a full barrier that pairs with switch_mm(), and makes a CPU that holds
 * this mm under another PCID flush when it switches back); read
 * mm_cpumask(); IPI those CPUs and flush on each one that still runs this
 * mm. That is what lets a sequence put the flush in the wrong place.
 *
 * kernel: zap_vma_ptes(), i.e. zap_pte_range(), mmu_gather and the
 * kernel's own flush_tlb_mm_range(). It can only order things safely.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/smp.h>
#include <asm/cpufeature.h>
#include <asm/invpcid.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include "tlbt.h"
#include "tlbt_trace.h"

static bool tlbt_pti __read_mostly;
static bool tlbt_pcid __read_mostly;
static bool tlbt_invpcid __read_mostly;

void tlbt_flush_init(void)
{
	tlbt_pti = boot_cpu_has(X86_FEATURE_PTI);
	tlbt_pcid = cr4_read_shadow() & X86_CR4_PCIDE;
	tlbt_invpcid = boot_cpu_has(X86_FEATURE_INVPCID);
}

bool tlbt_flush_has_pti(void)
{
	return tlbt_pti;
}

bool tlbt_flush_has_pcid(void)
{
	return tlbt_pcid;
}

bool tlbt_flush_has_invpcid(void)
{
	return tlbt_invpcid;
}

struct tlbt_flush_info {
	struct mm_struct *mm;
	unsigned long idx;		/* arena page of @start, for the trace */
	unsigned long start;
	unsigned long nr;
	bool full;
	atomic_t flushed;
	atomic_t skipped;
};

/*
 * With PTI, user space runs on its own PCID (bit 11 set) and INVLPG in the
 * kernel only reaches the kernel PCID. Without PCID every return to user
 * space loads CR3 and drops all non-global entries, so INVLPG suffices.
 */
static bool tlbt_user_pcid_needs_flush(void)
{
	return tlbt_pti && tlbt_pcid;
}

static void tlbt_flush_full_local(void)
{
	if (!tlbt_user_pcid_needs_flush())
		native_write_cr3(__native_read_cr3());
	else if (tlbt_invpcid)
		invpcid_flush_all_nonglobals();
	else
		__flush_tlb_all();	/* CR4.PGE toggle: every PCID */
}

static void tlbt_flush_ipi(void *data)
{
	struct tlbt_flush_info *info = data;
	unsigned long cr3 = __native_read_cr3();
	unsigned long user_pcid, addr, end;

	/* Switched away: the tlb_gen bump makes switch_mm() flush later. */
	if ((cr3 & CR3_ADDR_MASK) != __pa(info->mm->pgd)) {
		atomic_inc(&info->skipped);
		trace_tlbt_ipi(info->idx, info->nr, info->full, false);
		return;
	}

	if (info->full) {
		tlbt_flush_full_local();
	} else {
		user_pcid = (cr3 & CR3_PCID_MASK) |
			    (1UL << X86_CR3_PTI_PCID_USER_BIT);
		end = info->start + (info->nr << PAGE_SHIFT);
		for (addr = info->start; addr < end; addr += PAGE_SIZE) {
			asm volatile("invlpg (%0)" : : "r" (addr) : "memory");
			if (tlbt_user_pcid_needs_flush())
				invpcid_flush_one(user_pcid, addr);
		}
	}
	atomic_inc(&info->flushed);
	trace_tlbt_ipi(info->idx, info->nr, info->full, true);
}

/**
 * tlbt_flush_native - shoot down arena pages [@idx, @idx + @nr)
 * @run: the running command, inside a round
 * @idx: first arena page
 * @nr: number of pages
 *
 * May be called with a PTE lock held, like flush_tlb_range() in
 * move_ptes(); interrupts must be enabled.
 */
void tlbt_flush_native(struct tlbt_run *run, unsigned long idx,
		       unsigned long nr)
{
	struct tlbt_result *res = run->res;
	struct tlbt_flush_info info = {
		.mm = run->mm,
		.idx = idx,
		.start = tlbt_page_addr(run, idx),
		.nr = nr,
	};
	unsigned int self, remote;

	/* PTI+PCID without INVPCID has no way to drop one user entry. */
	info.full = nr > READ_ONCE(tlbt_ceiling) ||
		    (tlbt_user_pcid_needs_flush() && !tlbt_invpcid);

	/* Orders the PTE writes before the mm_cpumask() read. */
	atomic64_inc_return(&run->mm->context.tlb_gen);

	self = get_cpu();
	cpumask_copy(run->cpus, mm_cpumask(run->mm));
	remote = cpumask_weight(run->cpus) - cpumask_test_cpu(self, run->cpus);
	on_each_cpu_mask(run->cpus, tlbt_flush_ipi, &info, true);
	put_cpu();

	res->shootdowns++;
	res->ipis += remote;
	if (info.full)
		res->full_flushes++;
	else
		res->invlpg_pages += nr;
	res->cpu_flushes += atomic_read(&info.flushed);
	res->cpu_skips += atomic_read(&info.skipped);
	trace_tlbt_flush("native", idx, nr, info.full, remote);
}

static void tlbt_flush_all_ipi(void *unused)
{
	__flush_tlb_all();
}

/**
 * tlbt_flush_all_cpus - drop every TLB entry on every CPU
 *
 * The last resort when an arena is unmapped while a flush=none command
 * may have left stale entries behind: munmap() finds those PTEs empty and
 * need not flush them before the frames are freed at release.
 */
void tlbt_flush_all_cpus(void)
{
	on_each_cpu(tlbt_flush_all_ipi, NULL, true);
}

/**
 * tlbt_flush_kernel_zap - unmap and flush arena pages through the kernel
 * @run: the running command, inside a round; no PTE lock held
 * @idx: first arena page
 * @nr: number of pages
 *
 * The kernel's own tlb:tlb_flush tracepoint fires for the flush; the
 * kernel may skip it when no entry in the range was present.
 */
void tlbt_flush_kernel_zap(struct tlbt_run *run, unsigned long idx,
			   unsigned long nr)
{
	zap_vma_ptes(run->vma, tlbt_page_addr(run, idx), nr << PAGE_SHIFT);
	run->res->shootdowns++;
	trace_tlbt_unmap(idx, nr);
	trace_tlbt_flush("kernel", idx, nr, false, 0);
}
