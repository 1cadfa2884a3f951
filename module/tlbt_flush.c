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
 * Its ipis count every CPU in mm_cpumask() but the issuer, lazy ones
 * included: the kernel skips the IPI to a CPU in lazy TLB mode
 * (cpu_tlbstate_shared.is_lazy) and lets switch_mm() catch up through
 * tlb_gen, while this engine interrupts it and, its CR3 still holding
 * the mm, flushes it. So native ipis and cpu_flushes can exceed what
 * flush_tlb_mm_range() would send and run for the same range.
 *
 * break= (tlbt_cmd.h) leaves one step out, to show that the oracles see
 * it: skip-remote sends no IPI, no-tlbgen does not bump tlb_gen,
 * no-user-invpcid keeps the user PCID's entries under PTI. The arena
 * marks such a command stale, like flush=none, and ends it with
 * tlbt_flush_repair(), so the stale entries only ever reach arena frames.
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

#include <linux/bug.h>
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
	bool keep_user;			/* break=no-user-invpcid */
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

/* Does @cr3 hold @mm's page tables? PCID and LAM bits aside. */
static bool tlbt_cr3_holds(unsigned long cr3, struct mm_struct *mm)
{
	return (cr3 & CR3_ADDR_MASK) == __pa(mm->pgd);
}

/* The user PCID that PTI pairs with the kernel PCID in @cr3. */
static unsigned long tlbt_user_pcid(unsigned long cr3)
{
	return (cr3 & CR3_PCID_MASK) | (1UL << X86_CR3_PTI_PCID_USER_BIT);
}

/*
 * Drop this CPU's non-global entries for the mm in @cr3 and nothing else
 * where the hardware allows it. A CR3 write without the no-flush bit
 * drops only the PCID it loads. Under PTI+PCID+INVPCID, the mm's kernel
 * and user PCIDs, as flush_tlb_local() and invalidate_user_asid() do;
 * without INVPCID the user PCID can only go with every other one.
 */
static void tlbt_flush_full_local(unsigned long cr3, bool keep_user)
{
	if (!tlbt_user_pcid_needs_flush()) {
		native_write_cr3(cr3);
	} else if (tlbt_invpcid) {
		invpcid_flush_single_context(cr3 & CR3_PCID_MASK);
		if (!keep_user)
			invpcid_flush_single_context(tlbt_user_pcid(cr3));
	} else {
		__flush_tlb_all();	/* CR4.PGE toggle: every PCID */
	}
}

static void tlbt_flush_ipi(void *data)
{
	struct tlbt_flush_info *info = data;
	unsigned long cr3 = __native_read_cr3();
	unsigned long addr, end;

	/*
	 * Switched away: the tlb_gen bump makes switch_mm() flush later. A
	 * lazy CPU still holds the mm in CR3, so it flushes here.
	 */
	if (!tlbt_cr3_holds(cr3, info->mm)) {
		atomic_inc(&info->skipped);
		trace_tlbt_ipi(info->idx, info->nr, info->full, false);
		return;
	}

	if (info->full) {
		tlbt_flush_full_local(cr3, info->keep_user);
	} else {
		end = info->start + (info->nr << PAGE_SHIFT);
		for (addr = info->start; addr < end; addr += PAGE_SIZE) {
			asm volatile("invlpg (%0)" : : "r" (addr) : "memory");
			if (tlbt_user_pcid_needs_flush() && !info->keep_user)
				invpcid_flush_one(tlbt_user_pcid(cr3), addr);
		}
	}
	atomic_inc(&info->flushed);
	trace_tlbt_ipi(info->idx, info->nr, info->full, true);
}

/*
 * One shootdown of @info's range in @run's mm, with @brk's step left
 * out. Return: the remote CPUs targeted.
 */
static unsigned int tlbt_shootdown(struct tlbt_run *run,
				   struct tlbt_flush_info *info,
				   enum tlbt_break brk)
{
	struct mm_struct *mm = run->mm;
	unsigned int self, remote;

	/* Orders the PTE writes before the mm_cpumask() read. */
	if (brk == TLBT_BREAK_NO_TLBGEN)
		smp_mb();	/* the ordering stays, the generation does not */
	else
		atomic64_inc_return(&mm->context.tlb_gen);

	self = get_cpu();
	/*
	 * The issuer runs the command in its own mm, so its CR3 holds it.
	 * If it does not, no CPU's CR3 can be trusted to say which ones
	 * cache the mm: drop this CPU's every entry and fail the command.
	 */
	if (WARN_ON_ONCE(!tlbt_cr3_holds(__native_read_cr3(), mm))) {
		__flush_tlb_all();
		run->flush_err = -EIO;
	}
	cpumask_copy(run->cpus, mm_cpumask(mm));
	if (brk == TLBT_BREAK_SKIP_REMOTE)
		cpumask_and(run->cpus, run->cpus, cpumask_of(self));
	remote = cpumask_weight(run->cpus) - cpumask_test_cpu(self, run->cpus);
	on_each_cpu_mask(run->cpus, tlbt_flush_ipi, info, true);
	put_cpu();
	return remote;
}

/**
 * tlbt_flush_native - shoot down arena pages [@idx, @idx + @nr)
 * @run: the running command, inside a round
 * @idx: first arena page
 * @nr: number of pages
 *
 * May be called with a PTE lock held, like flush_tlb_range() in
 * move_ptes(); interrupts must be enabled. The command's break= applies.
 * Sets @run->flush_err to -EIO when the issuer's CR3 does not hold the mm.
 * A no-op inside a flush=none round (@run->no_flush): the run loop alone
 * turns that off, for the error flush and the command's final one.
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
		.keep_user = res->cmd.brk == TLBT_BREAK_NO_USER_INVPCID,
	};
	unsigned int remote;

	tlbt_assert_round(run);
	if (run->no_flush)
		return;
	/* PTI+PCID without INVPCID has no way to drop one user entry. */
	info.full = nr > READ_ONCE(tlbt_ceiling) ||
		    (tlbt_user_pcid_needs_flush() && !tlbt_invpcid);

	remote = tlbt_shootdown(run, &info, res->cmd.brk);

	res->shootdowns++;
	res->ipis += remote;
	if (info.full)
		res->full_flushes++;
	else
		res->invlpg_pages += nr;
	res->cpu_flushes += atomic_read(&info.flushed);
	res->cpu_skips += atomic_read(&info.skipped);
	trace_tlbt_flush(TLBT_FLUSH_NATIVE, idx, nr, info.full, remote);
}

/**
 * tlbt_flush_repair - end a break= command with a real flush
 * @run: the running command, inside a round (after its last one)
 *
 * A full flush of the whole arena (mremap's destination included) with
 * every step of the protocol: remote CPUs get their IPI, CPUs that
 * switched away see the tlb_gen bump, the user PCID goes too. Not
 * counted in the results, which show what the broken rounds did.
 */
void tlbt_flush_repair(struct tlbt_run *run)
{
	struct tlbt_flush_info info = {
		.mm = run->mm,
		.start = run->arena->uaddr,
		.nr = run->arena->npages,
		.full = true,
	};
	unsigned int remote;

	remote = tlbt_shootdown(run, &info, TLBT_BREAK_NONE);
	trace_tlbt_flush(TLBT_FLUSH_REPAIR, 0, info.nr, true, remote);
}

static void tlbt_flush_all_ipi(void *unused)
{
	__flush_tlb_all();
}

/**
 * tlbt_flush_all_cpus - drop every TLB entry on every CPU
 *
 * The last resort when an arena is unmapped while a flush=none or break=
 * command may have left stale entries behind: munmap() finds those PTEs
 * empty and need not flush them before the frames are freed at release.
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
	trace_tlbt_flush(TLBT_FLUSH_KERNEL, idx, nr, false, 0);
}
