// SPDX-License-Identifier: GPL-2.0
/*
 * The arena: debugfs file "arena". Each open() plus mmap(MAP_SHARED) is one
 * arena; commands are written to the same fd and results read back from
 * it as "key: value" lines.
 *
 * Safety model (see README): the VMA is VM_PFNMAP over frames the module
 * owns, cannot be copied, expanded, split or moved, and its frames go back
 * to the page allocator only at the file's final release, after the last
 * VMA is gone. Commands act only on current->mm and on this arena.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "tlbt.h"
#include "tlbt_compat.h"

static const struct vm_operations_struct tlbt_vm_ops;

static void tlbt_arena_free_frames(struct tlbt_arena *arena)
{
	unsigned long i, freed = 0, npages = arena->npages;

	for (i = 0; arena->frames && i < npages; i++) {
		if (arena->frames[i]) {
			__free_page(arena->frames[i]);
			freed++;
		}
	}
	for (i = 0; i < arena->pool_nr; i++) {
		__free_page(arena->pool[i]);
		freed++;
	}
	atomic_long_sub(freed, &tlbt_frames_held);
	/* The sizes of tlbt_arena_alloc_frames(), for bytes_held. */
	tlbt_kvfree(arena->dirty, BITS_TO_LONGS(npages) * sizeof(long));
	tlbt_kvfree(arena->swapped, BITS_TO_LONGS(npages) * sizeof(long));
	tlbt_kvfree(arena->unit_gen, DIV_ROUND_UP(npages, TLBT_UNIT_PAGES) *
				     sizeof(*arena->unit_gen));
	tlbt_kvfree(arena->store, npages << PAGE_SHIFT);
	tlbt_kvfree(arena->snap, npages << PAGE_SHIFT);
	tlbt_kvfree(arena->pool, 2 * npages * sizeof(*arena->pool));
	tlbt_kvfree(arena->frames, npages * sizeof(*arena->frames));
	arena->dirty = NULL;
	arena->swapped = NULL;
	arena->unit_gen = NULL;
	arena->store = NULL;
	arena->snap = NULL;
	arena->pool = NULL;
	arena->frames = NULL;
	arena->pool_nr = 0;
	arena->npages = 0;
}

/*
 * Two frames per page, all in the pool: one for the page itself, one so
 * that a sequence always has a fresh frame for every page it moves. The
 * store starts zeroed, so every page starts clean.
 */
static int tlbt_arena_alloc_frames(struct tlbt_arena *arena,
				   unsigned long npages)
{
	unsigned long i;
	struct page *frame;

	arena->npages = npages;
	arena->frames = tlbt_kvmalloc(npages, sizeof(*arena->frames),
				      GFP_KERNEL | __GFP_ZERO);
	arena->pool = tlbt_kvmalloc(2 * npages, sizeof(*arena->pool),
				    GFP_KERNEL | __GFP_ZERO);
	arena->snap = tlbt_vzalloc(npages << PAGE_SHIFT);
	arena->store = tlbt_vzalloc(npages << PAGE_SHIFT);
	arena->dirty = tlbt_kvmalloc(BITS_TO_LONGS(npages), sizeof(long),
				     GFP_KERNEL | __GFP_ZERO);
	arena->swapped = tlbt_kvmalloc(BITS_TO_LONGS(npages), sizeof(long),
				       GFP_KERNEL | __GFP_ZERO);
	arena->unit_gen = tlbt_kvmalloc(DIV_ROUND_UP(npages, TLBT_UNIT_PAGES),
					sizeof(*arena->unit_gen),
					GFP_KERNEL | __GFP_ZERO);
	if (!arena->frames || !arena->pool || !arena->snap || !arena->store ||
	    !arena->dirty || !arena->swapped || !arena->unit_gen)
		goto err_free;

	/* Pages start out, zero-filled on first touch: their frames wait here. */
	for (i = 0; i < 2 * npages; i++) {
		if (fatal_signal_pending(current))
			goto err_free;
		frame = alloc_page(GFP_KERNEL | __GFP_NOWARN);
		if (!frame)
			goto err_free;
		memset(page_address(frame), TLBT_POISON, PAGE_SIZE);
		arena->pool[arena->pool_nr++] = frame;
		atomic_long_inc(&tlbt_frames_held);
		cond_resched();
	}
	return 0;

err_free:
	tlbt_arena_free_frames(arena);
	return -ENOMEM;
}

static void tlbt_vm_open(struct vm_area_struct *vma)
{
	struct tlbt_arena *arena = vma->vm_private_data;

	mutex_lock(&arena->lock);
	arena->nr_vmas++;
	mutex_unlock(&arena->lock);
}

static void tlbt_vm_close(struct vm_area_struct *vma)
{
	struct tlbt_arena *arena = vma->vm_private_data;

	mutex_lock(&arena->lock);
	arena->nr_vmas--;
	if (arena->stale) {
		tlbt_flush_all_cpus();
		arena->stale = false;
	}
	mutex_unlock(&arena->lock);
}

/* Splitting would leave two VMAs sharing one arena's bookkeeping. */
static int tlbt_vm_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

/* move_vma() moves the entries back and unmaps the copy when we refuse. */
static int tlbt_vm_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

/*
 * Faults count themselves while they wait, so that the command lets them
 * in between rounds (tlbt_yield_to_faults()). A dying task gets
 * VM_FAULT_NOPAGE: it retries, sees its signal and never returns here.
 */
static int tlbt_fault_lock(struct tlbt_arena *arena)
{
	int ret;

	atomic_inc(&arena->fault_waiters);
	ret = mutex_lock_killable(&arena->lock);
	atomic_dec(&arena->fault_waiters);
	return ret;
}

/*
 * A page in flight has no PTE; its fault waits for the round on
 * arena->lock, like a migration-entry wait, then maps the current frame,
 * paging it in first if it is out.
 */
static vm_fault_t tlbt_vm_fault(struct vm_fault *vmf)
{
	struct tlbt_arena *arena = vmf->vma->vm_private_data;
	unsigned long idx = vmf->pgoff;
	struct page *frame;
	vm_fault_t ret;

	if (tlbt_fault_lock(arena))
		return VM_FAULT_NOPAGE;
	if (idx >= arena->npages) {
		ret = VM_FAULT_SIGBUS;
		goto out_unlock;
	}
	frame = arena->frames[idx] ?: tlbt_page_in(arena, idx);
	if (!frame) {
		ret = VM_FAULT_OOM;
		goto out_unlock;
	}
	ret = vmf_insert_pfn_prot(vmf->vma, vmf->address & PAGE_MASK,
				  page_to_pfn(frame),
				  tlbt_page_prot(vmf->vma, arena, idx));
out_unlock:
	mutex_unlock(&arena->lock);
	return ret;
}

/*
 * First write to a clean page (its PTE read-only under write-notify):
 * mark it dirty and make the entry writable under arena->lock, so that no
 * round can clean the page between the two.
 */
static vm_fault_t tlbt_vm_pfn_mkwrite(struct vm_fault *vmf)
{
	struct tlbt_arena *arena = vmf->vma->vm_private_data;
	struct tlbt_run run = {
		.arena = arena,
		.mm = vmf->vma->vm_mm,
		.vma = vmf->vma,
	};

	if (tlbt_fault_lock(arena))
		return VM_FAULT_NOPAGE;
	if (vmf->pgoff < arena->npages && arena->frames[vmf->pgoff]) {
		set_bit(vmf->pgoff, arena->dirty);
		tlbt_pte_mkwrite(&run, vmf->pgoff);
	}
	mutex_unlock(&arena->lock);
	/* The entry is done (or gone): retry the access. */
	return VM_FAULT_NOPAGE;
}

static const struct vm_operations_struct tlbt_vm_ops = {
	.open = tlbt_vm_open,
	.close = tlbt_vm_close,
	.may_split = tlbt_vm_may_split,
	.mremap = tlbt_vm_mremap,
	.fault = tlbt_vm_fault,
	.pfn_mkwrite = tlbt_vm_pfn_mkwrite,
};

static struct tlbt_arena *tlbt_file_arena(struct file *file)
{
	struct seq_file *m = file->private_data;

	return m->private;
}

static int tlbt_arena_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct tlbt_arena *arena = tlbt_file_arena(file);
	unsigned long npages = vma_pages(vma);
	int ret = 0;

	if (vma->vm_pgoff || !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (npages > READ_ONCE(tlbt_max_pages))
		return -EFBIG;

	mutex_lock(&arena->lock);
	if (arena->nr_vmas)
		ret = -EBUSY;
	else if (arena->npages && arena->npages != npages)
		ret = -EINVAL;
	else if (!arena->npages)
		ret = tlbt_arena_alloc_frames(arena, npages);
	if (!ret) {
		arena->uaddr = vma->vm_start;
		arena->mm = vma->vm_mm;
		arena->nr_vmas = 1;
		tlbt_vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND |
				  VM_DONTDUMP | VM_DONTCOPY);
		vma->vm_ops = &tlbt_vm_ops;
		vma->vm_private_data = arena;
	}
	mutex_unlock(&arena->lock);
	return ret;
}

/**
 * tlbt_round_begin - enter one round of a command
 * @run: the running command
 *
 * Takes mmap_read_lock and arena->lock and looks the arena VMA up again:
 * between rounds the process may have unmapped it.
 *
 * Return: 0, -EINTR on a fatal signal, or -ENXIO when it is not mapped.
 */
int tlbt_round_begin(struct tlbt_run *run)
{
	struct tlbt_arena *arena = run->arena;
	struct vm_area_struct *vma;

	if (mmap_read_lock_killable(run->mm))
		return -EINTR;
	vma = find_vma(run->mm, arena->uaddr);
	if (!vma || vma->vm_start != arena->uaddr ||
	    vma->vm_ops != &tlbt_vm_ops || vma->vm_private_data != arena) {
		mmap_read_unlock(run->mm);
		return -ENXIO;
	}
	if (mutex_lock_killable(&arena->lock)) {
		mmap_read_unlock(run->mm);
		return -EINTR;
	}
	run->vma = vma;
	return 0;
}

void tlbt_round_end(struct tlbt_run *run)
{
	run->vma = NULL;
	mutex_unlock(&run->arena->lock);
	mmap_read_unlock(run->mm);
}

/*
 * A mutex does not hand itself to the faults waiting on it when the round
 * loop takes it straight back, and a round that finds nothing to do is
 * quick: without this, workers starve and a sequence races nothing.
 * Bounded, so a fault storm cannot stall the command.
 */
static void tlbt_yield_to_faults(struct tlbt_arena *arena)
{
	int i;

	for (i = 0; i < 100 && atomic_read(&arena->fault_waiters); i++)
		usleep_range(10, 20);
}

static int (* const tlbt_round_fns[TLBT_SEQ_NR])(struct tlbt_run *run) = {
	[TLBT_SEQ_MIGRATE] = tlbt_migrate_round,
	[TLBT_SEQ_MREMAP] = tlbt_mremap_round,
	[TLBT_SEQ_RECLAIM] = tlbt_reclaim_round,
	[TLBT_SEQ_MKCLEAN] = tlbt_mkclean_round,
	[TLBT_SEQ_SYNC] = tlbt_sync_round,
};

static int tlbt_arena_run(struct tlbt_arena *arena, struct tlbt_cmd *cmd)
{
	struct tlbt_result *res;
	struct tlbt_run run = {
		.arena = arena,
		.mm = current->mm,
	};
	u64 t0, r;
	int ret;

	/* Only the mm that mapped the arena, and only while it is mapped. */
	mutex_lock(&arena->lock);
	ret = arena->nr_vmas && arena->mm == current->mm ? 0 : -ENXIO;
	if (!ret)
		ret = tlbt_cmd_bind(cmd, arena->npages);
	if (!ret && cmd->seq == TLBT_SEQ_RECLAIM)
		ret = tlbt_reclaim_check(arena, cmd);
	arena->fault_poison_hits = 0;
	mutex_unlock(&arena->lock);
	if (ret)
		return ret;

	res = tlbt_kvmalloc(1, sizeof(*res), GFP_KERNEL | __GFP_ZERO);
	if (!res)
		return -ENOMEM;
	res->cmd = *cmd;
	run.res = res;
	run.cpus = tlbt_kvmalloc(1, cpumask_size(), GFP_KERNEL | __GFP_ZERO);
	if (!run.cpus) {
		ret = -ENOMEM;
		goto out_free_res;
	}
	run.old = tlbt_kvmalloc(cmd->pages, sizeof(*run.old),
				GFP_KERNEL | __GFP_ZERO);
	run.ptes = tlbt_kvmalloc(cmd->pages, sizeof(*run.ptes),
				 GFP_KERNEL | __GFP_ZERO);
	if (!run.old || !run.ptes) {
		ret = -ENOMEM;
		goto out_free_arrays;
	}

	atomic_long_inc(&tlbt_commands_running);
	/* flush=none and break= leave stale entries across rounds. */
	if (cmd->policy == TLBT_POL_NONE || cmd->brk != TLBT_BREAK_NONE) {
		mutex_lock(&arena->lock);
		arena->stale = true;
		mutex_unlock(&arena->lock);
	}
	if (cmd->brk != TLBT_BREAK_NONE)
		pr_notice_once("break=%s: the native flush engine is broken on purpose, stale TLB entries into arena frames are expected\n",
			       tlbt_break_name(cmd->brk));
	for (r = 0; r < cmd->rounds; r++) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		ret = tlbt_round_begin(&run);
		if (ret)
			break;
		/* Only the rounds are timed, not the waits between them. */
		t0 = ktime_get_ns();
		ret = tlbt_round_fns[cmd->seq](&run);
		res->ns_total += ktime_get_ns() - t0;
		tlbt_round_end(&run);
		if (!ret)
			ret = run.flush_err;
		if (ret)
			break;
		res->rounds_done++;
		tlbt_yield_to_faults(arena);
		cond_resched();
	}
	/*
	 * flush=none skips the flush in every round, but no stale entry may
	 * outlive the command: a later munmap() finds the PTEs already empty
	 * and would not flush before the frames are freed. Not timed. An
	 * -EIO leaves the arena stale, so that its close flushes every CPU.
	 */
	if (cmd->policy == TLBT_POL_NONE && !tlbt_round_begin(&run)) {
		tlbt_flush_native(&run, cmd->start, cmd->pages);
		arena->stale = run.flush_err != 0;
		tlbt_round_end(&run);
	}
	/* break=: the same, with the engine whole again. Not counted. */
	if (cmd->brk != TLBT_BREAK_NONE && !tlbt_round_begin(&run)) {
		tlbt_flush_repair(&run);
		arena->stale = run.flush_err != 0;
		tlbt_round_end(&run);
	}
	if (!ret)
		ret = run.flush_err;
	if (res->rounds_done)
		res->ns_per_page = div64_u64(res->ns_total,
					     res->rounds_done * cmd->pages);
	res->error = ret;
	/*
	 * Killed while it ran: cut short, or in its last round, which then
	 * completes. The stress tests count the kills that hit a sequence.
	 */
	if (ret == -EINTR || fatal_signal_pending(current))
		atomic_long_inc(&tlbt_commands_killed);
	atomic_long_dec(&tlbt_commands_running);

	mutex_lock(&arena->lock);
	res->poison_hits += arena->fault_poison_hits;
	arena->result = *res;
	arena->has_result = true;
	mutex_unlock(&arena->lock);

out_free_arrays:
	tlbt_kvfree(run.ptes, cmd->pages * sizeof(*run.ptes));
	tlbt_kvfree(run.old, cmd->pages * sizeof(*run.old));
	tlbt_kvfree(run.cpus, cpumask_size());
out_free_res:
	tlbt_kvfree(res, sizeof(*res));
	return ret;
}

static ssize_t tlbt_arena_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	struct tlbt_arena *arena = tlbt_file_arena(file);
	char buf[TLBT_CMD_MAX_LEN];
	struct tlbt_cmd cmd;
	int ret;

	if (len > TLBT_CMD_MAX_LEN) {
		ret = -E2BIG;
		goto out_count;
	}
	/* Before any lock: @ubuf may itself lie in the arena and fault. */
	if (copy_from_user(buf, ubuf, len)) {
		ret = -EFAULT;
		goto out_count;
	}
	ret = tlbt_cmd_parse(buf, len, &cmd);
	if (ret)
		goto out_count;

	ret = mutex_lock_killable(&arena->cmd_lock);
	if (ret)
		goto out_count;
	ret = tlbt_arena_run(arena, &cmd);
	mutex_unlock(&arena->cmd_lock);

out_count:
	atomic_long_inc(&tlbt_commands);
	if (ret) {
		atomic_long_inc(&tlbt_commands_failed);
		return ret;
	}
	return len;
}

#define TLBT_RESULT_U64(m, r, key) seq_printf(m, #key ": %llu\n", (r)->key)

static int tlbt_arena_show(struct seq_file *m, void *v)
{
	struct tlbt_arena *arena = m->private;
	struct tlbt_result *r;

	r = tlbt_kvmalloc(1, sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	mutex_lock(&arena->lock);
	*r = arena->result;
	if (!arena->has_result) {
		mutex_unlock(&arena->lock);
		seq_puts(m, "sequence: none\n");
		goto out_free;
	}
	mutex_unlock(&arena->lock);

	seq_printf(m, "sequence: %s\n", tlbt_seq_name(r->cmd.seq));
	seq_printf(m, "policy: %s\n", tlbt_policy_name(r->cmd.policy));
	seq_printf(m, "backend: %s\n", tlbt_backend_name(r->cmd.backend));
	seq_printf(m, "start: %llu\n", r->cmd.start);
	seq_printf(m, "pages: %llu\n", r->cmd.pages);
	seq_printf(m, "rounds: %llu\n", r->cmd.rounds);
	seq_printf(m, "dst: %llu\n", r->cmd.dst);
	seq_printf(m, "punch: %llu\n", r->cmd.punch);
	seq_printf(m, "zap: %llu\n", r->cmd.zap);
	seq_printf(m, "error: %d\n", r->error);
	TLBT_RESULT_U64(m, r, rounds_done);
	TLBT_RESULT_U64(m, r, shootdowns);
	TLBT_RESULT_U64(m, r, ipis);
	TLBT_RESULT_U64(m, r, invlpg_pages);
	TLBT_RESULT_U64(m, r, full_flushes);
	TLBT_RESULT_U64(m, r, cpu_flushes);
	TLBT_RESULT_U64(m, r, cpu_skips);
	TLBT_RESULT_U64(m, r, pages_copied);
	TLBT_RESULT_U64(m, r, leaked_pages);
	TLBT_RESULT_U64(m, r, leaked_bytes);
	TLBT_RESULT_U64(m, r, poison_hits);
	TLBT_RESULT_U64(m, r, lost_dirty);
	TLBT_RESULT_U64(m, r, writebacks);
	TLBT_RESULT_U64(m, r, flushes_avoided);
	TLBT_RESULT_U64(m, r, ns_total);
	TLBT_RESULT_U64(m, r, ns_per_page);
	/* Appended: earlier keys keep their lines. */
	seq_printf(m, "break: %s\n", tlbt_break_name(r->cmd.brk));
	seq_printf(m, "unsafe: %d\n", tlbt_cmd_unsafe(&r->cmd));
	TLBT_RESULT_U64(m, r, units_skipped);
out_free:
	tlbt_kvfree(r, sizeof(*r));
	return 0;
}

static int tlbt_arena_open(struct inode *inode, struct file *file)
{
	struct tlbt_arena *arena;
	int ret;

	/* debugfs may be mounted with looser modes: the check is ours. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	arena = tlbt_kvmalloc(1, sizeof(*arena), GFP_KERNEL | __GFP_ZERO);
	if (!arena)
		return -ENOMEM;
	mutex_init(&arena->cmd_lock);
	mutex_init(&arena->lock);
	atomic_set(&arena->fault_waiters, 0);
	ret = single_open(file, tlbt_arena_show, arena);
	if (ret) {
		tlbt_kvfree(arena, sizeof(*arena));
		return ret;
	}
	atomic_long_inc(&tlbt_arenas);
	return 0;
}

/* The final release: every VMA holds the file, so none is left. */
static int tlbt_arena_release(struct inode *inode, struct file *file)
{
	struct tlbt_arena *arena = tlbt_file_arena(file);

	tlbt_arena_free_frames(arena);
	mutex_destroy(&arena->lock);
	mutex_destroy(&arena->cmd_lock);
	tlbt_kvfree(arena, sizeof(*arena));
	atomic_long_dec(&tlbt_arenas);
	return single_release(inode, file);
}

static const struct file_operations tlbt_arena_fops = {
	.owner = THIS_MODULE,
	.open = tlbt_arena_open,
	.release = tlbt_arena_release,
	.mmap = tlbt_arena_mmap,
	.write = tlbt_arena_write,
	.read = seq_read,
	.llseek = seq_lseek,
};

int tlbt_arena_debugfs_init(struct dentry *dir)
{
	/* The proxy fops of debugfs_create_file() have no ->mmap. */
	debugfs_create_file_unsafe("arena", 0600, dir, NULL, &tlbt_arena_fops);
	return 0;
}
