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
 *
 * 6.12 review (arch/x86/mm/tlb.c, asm/tlbflush.h of Debian's 6.12.117,
 * against 6.1.192). The native engine still matches the kernel:
 * - mm_cpumask(): unchanged meaning. switch_mm_irqs_off() still clears
 *   the CPU in prev's mask and sets it in next's; lazy CPUs stay in it,
 *   and cpu_tlbstate_shared.is_lazy only lets the kernel skip their IPI.
 *   Both stable trees carry "only trim the mm_cpumask once a second"
 *   (6db2526c1d69), which sends the kernel's own IPIs to stale CPUs at
 *   most once a second; it changes nothing for us.
 * - tlb_gen: still an atomic64_t bumped before mm_cpumask() is read,
 *   and a CPU switching to an mm (or leaving lazy mode in it) flushes
 *   when its ctxs[asid].tlb_gen is behind: what a CPU the engine skipped
 *   relies on. We never advance ctxs[].tlb_gen, so the kernel flushes
 *   such a CPU again later: extra work, never a missed flush.
 * - cpu_tlbstate gained .lam (LAM, 6.4) and CR3 may carry LAM bits 61
 *   and 62; the engine reads CR3, not cpu_tlbstate, and 6.12's
 *   CR3_ADDR_MASK stops below bit 52, so the "still runs this mm" test
 *   holds. A lazy CPU still has the mm in CR3 and flushes: more than
 *   the kernel does, not less. flush_tlb_one_user() still pairs INVLPG
 *   with INVPCID on the user PCID under PTI, as tlbt_flush_ipi() does.
 * Later kernels need changes here before they are supported (dkms.conf):
 * - 6.13, 209954cbc7d0 ("x86/mm/tlb: Update mm_cpumask lazily"): a CPU
 *   stays in the mask after it switches away, until a flush IPI finds
 *   it elsewhere (flush_tlb_func() then clears it) or the once-a-second
 *   trim. Still correct here: the IPIs go to a superset, and each CPU
 *   tests its own CR3 with interrupts off, so the engine does not lean
 *   on the smp_mb() that 83b0177a6c48 later added to switch_mm() for the
 *   kernel's sender-side loaded_mm check. But ipis and cpu_skips grow
 *   with every CPU the mm ran on since the last trim, and
 *   tlbt_flush_ipi() should clear the bit where it skips, as the kernel
 *   does, or the mask never shrinks under module-only flushing.
 * - 6.15, 4afeb0ed1753 and be88a1dd6112 (INVLPGB broadcast flush, AMD):
 *   an mm seen on 4 or more CPUs gets a global ASID. Its flushes are
 *   INVLPGB broadcasts, switch_mm() no longer checks tlb_gen for it, and
 *   flush_tlb_func() returns early. A CPU the engine skips would keep
 *   stale entries under that PCID: the engine must flush the global
 *   PCID everywhere (INVLPGB + TLBSYNC, or INVPCID on every CPU) when
 *   mm->context.global_asid is set, or refuse native commands then.
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
