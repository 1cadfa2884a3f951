// SPDX-License-Identifier: GPL-2.0
/*
 * The mmu_notifier range recorder (seed 002): every open() of debugfs
 * "notifier" registers an mmu_notifier on the caller's mm and records
 * each invalidate_range_start()/end() the kernel's own mremap, migration,
 * reclaim and zap paths send. Reading the file gives a summary, a size
 * histogram and the records; writing "clear" starts over.
 *
 * The point is the ranges themselves: a 4 KiB page must invalidate 4 KiB,
 * not the 2 MiB around it (PAGE_SIZE << compound_order(page)).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include "tlbt.h"

#define TLBT_NOTIFIER_RECORDS	4096
#define TLBT_NOTIFIER_NESTING	64

struct tlbt_notifier_record {
	unsigned long start;
	unsigned long end;
	pid_t pid;		/* who invalidated: the issuer or a faulting worker */
	u8 event;
	u8 flags;
	bool is_end;
};

/* Histogram buckets, by invalidated range size. */
enum {
	TLBT_HIST_4K,		/* <= 4 KiB */
	TLBT_HIST_64K,		/* <= 64 KiB */
	TLBT_HIST_2M,		/* <= 2 MiB */
	TLBT_HIST_LARGE,	/* more */
	TLBT_HIST_NR,
};

static const char * const tlbt_hist_names[TLBT_HIST_NR] = {
	"hist_le_4k", "hist_le_64k", "hist_le_2m", "hist_gt_2m",
};

/*
 * Callbacks may run where they must not sleep, from several CPUs at once:
 * everything lives under @lock, in memory allocated at open().
 */
struct tlbt_notifier {
	struct mmu_notifier mn;
	spinlock_t lock;
	bool registered;
	bool released;			/* the mm is gone (exit_mmap) */
	u64 starts, ends, dropped, bytes, mismatched_ends;
	u64 hist[TLBT_HIST_NR];
	unsigned int nr_records;
	struct tlbt_notifier_record *records;
	unsigned int nr_pending;
	struct tlbt_notifier_record pending[TLBT_NOTIFIER_NESTING];
	u64 pending_overflow;
};

static const char * const tlbt_event_names[] = {
	[MMU_NOTIFY_UNMAP] = "unmap",
	[MMU_NOTIFY_CLEAR] = "clear",
	[MMU_NOTIFY_PROTECTION_VMA] = "protection_vma",
	[MMU_NOTIFY_PROTECTION_PAGE] = "protection_page",
	[MMU_NOTIFY_SOFT_DIRTY] = "soft_dirty",
	[MMU_NOTIFY_RELEASE] = "release",
	[MMU_NOTIFY_MIGRATE] = "migrate",
	[MMU_NOTIFY_EXCLUSIVE] = "exclusive",
};

static const char *tlbt_event_name(unsigned int event)
{
	if (event < ARRAY_SIZE(tlbt_event_names) && tlbt_event_names[event])
		return tlbt_event_names[event];
	return "?";
}

static void tlbt_notifier_add(struct tlbt_notifier *rec,
			      const struct mmu_notifier_range *range,
			      bool is_end)
{
	struct tlbt_notifier_record r = {
		.start = range->start,
		.end = range->end,
		.pid = task_pid_nr(current),
		.event = range->event,
		.flags = range->flags,
		.is_end = is_end,
	};

	if (rec->nr_records < TLBT_NOTIFIER_RECORDS)
		rec->records[rec->nr_records++] = r;
	else
		rec->dropped++;
}

static int tlbt_notifier_start(struct mmu_notifier *mn,
			       const struct mmu_notifier_range *range)
{
	struct tlbt_notifier *rec = container_of(mn, struct tlbt_notifier, mn);
	unsigned long size = range->end - range->start;
	unsigned int b;

	if (size <= SZ_4K)
		b = TLBT_HIST_4K;
	else if (size <= SZ_64K)
		b = TLBT_HIST_64K;
	else if (size <= SZ_2M)
		b = TLBT_HIST_2M;
	else
		b = TLBT_HIST_LARGE;

	spin_lock(&rec->lock);
	rec->starts++;
	rec->bytes += size;
	rec->hist[b]++;
	tlbt_notifier_add(rec, range, false);
	if (rec->nr_pending < TLBT_NOTIFIER_NESTING) {
		rec->pending[rec->nr_pending].start = range->start;
		rec->pending[rec->nr_pending].end = range->end;
		rec->nr_pending++;
	} else {
		rec->pending_overflow++;
	}
	spin_unlock(&rec->lock);
	return 0;
}

static void tlbt_notifier_end(struct mmu_notifier *mn,
			      const struct mmu_notifier_range *range)
{
	struct tlbt_notifier *rec = container_of(mn, struct tlbt_notifier, mn);
	unsigned int i;

	spin_lock(&rec->lock);
	rec->ends++;
	tlbt_notifier_add(rec, range, true);
	/* The latest start of the same range is the one this closes. */
	for (i = rec->nr_pending; i > 0; i--) {
		if (rec->pending[i - 1].start == range->start &&
		    rec->pending[i - 1].end == range->end)
			break;
	}
	if (i)
		rec->pending[i - 1] = rec->pending[--rec->nr_pending];
	else
		rec->mismatched_ends++;
	spin_unlock(&rec->lock);
}

static void tlbt_notifier_release(struct mmu_notifier *mn,
				  struct mm_struct *mm)
{
	struct tlbt_notifier *rec = container_of(mn, struct tlbt_notifier, mn);

	spin_lock(&rec->lock);
	rec->released = true;
	spin_unlock(&rec->lock);
}

static const struct mmu_notifier_ops tlbt_notifier_ops = {
	.release = tlbt_notifier_release,
	.invalidate_range_start = tlbt_notifier_start,
	.invalidate_range_end = tlbt_notifier_end,
};

static int tlbt_notifier_show(struct seq_file *m, void *v)
{
	struct tlbt_notifier *rec = m->private;
	struct tlbt_notifier_record *copy;
	unsigned int i, nr;
	u64 hist[TLBT_HIST_NR];
	u64 starts, ends, dropped, bytes, mismatched, open;
	bool released;

	copy = tlbt_kvmalloc(TLBT_NOTIFIER_RECORDS, sizeof(*copy), GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	spin_lock(&rec->lock);
	starts = rec->starts;
	ends = rec->ends;
	dropped = rec->dropped;
	bytes = rec->bytes;
	mismatched = rec->mismatched_ends;
	open = rec->nr_pending + rec->pending_overflow;
	released = rec->released;
	memcpy(hist, rec->hist, sizeof(hist));
	nr = rec->nr_records;
	memcpy(copy, rec->records, nr * sizeof(*copy));
	spin_unlock(&rec->lock);

	seq_printf(m, "starts: %llu\n", starts);
	seq_printf(m, "ends: %llu\n", ends);
	seq_printf(m, "unmatched_starts: %llu\n", open);
	seq_printf(m, "unmatched_ends: %llu\n", mismatched);
	seq_printf(m, "bytes_invalidated: %llu\n", bytes);
	for (i = 0; i < TLBT_HIST_NR; i++)
		seq_printf(m, "%s: %llu\n", tlbt_hist_names[i], hist[i]);
	seq_printf(m, "records: %u\n", nr);
	seq_printf(m, "dropped: %llu\n", dropped);
	seq_printf(m, "released: %d\n", released);
	for (i = 0; i < nr; i++)
		seq_printf(m, "%s 0x%lx 0x%lx %lu %s 0x%x %d\n",
			   copy[i].is_end ? "end" : "start", copy[i].start,
			   copy[i].end, copy[i].end - copy[i].start,
			   tlbt_event_name(copy[i].event), copy[i].flags,
			   copy[i].pid);
	tlbt_kvfree(copy, TLBT_NOTIFIER_RECORDS * sizeof(*copy));
	return 0;
}

static void tlbt_notifier_clear(struct tlbt_notifier *rec)
{
	spin_lock(&rec->lock);
	rec->starts = 0;
	rec->ends = 0;
	rec->dropped = 0;
	rec->bytes = 0;
	rec->mismatched_ends = 0;
	rec->pending_overflow = 0;
	rec->nr_pending = 0;
	rec->nr_records = 0;
	memset(rec->hist, 0, sizeof(rec->hist));
	spin_unlock(&rec->lock);
}

static ssize_t tlbt_notifier_write(struct file *file, const char __user *ubuf,
				   size_t len, loff_t *ppos)
{
	struct seq_file *m = file->private_data;
	char buf[16];

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (strcmp(strim(buf), "clear"))
		return -EINVAL;
	tlbt_notifier_clear(m->private);
	return len;
}

static void tlbt_notifier_free(struct tlbt_notifier *rec)
{
	tlbt_kvfree(rec->records,
		    TLBT_NOTIFIER_RECORDS * sizeof(*rec->records));
	tlbt_kvfree(rec, sizeof(*rec));
}

static int tlbt_notifier_open(struct inode *inode, struct file *file)
{
	struct tlbt_notifier *rec;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!current->mm)
		return -EINVAL;
	rec = tlbt_kvmalloc(1, sizeof(*rec), GFP_KERNEL | __GFP_ZERO);
	if (!rec)
		return -ENOMEM;
	spin_lock_init(&rec->lock);
	rec->records = tlbt_kvmalloc(TLBT_NOTIFIER_RECORDS,
				     sizeof(*rec->records), GFP_KERNEL);
	if (!rec->records) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = single_open(file, tlbt_notifier_show, rec);
	if (ret)
		goto err_free;
	rec->mn.ops = &tlbt_notifier_ops;
	ret = mmu_notifier_register(&rec->mn, current->mm);
	if (ret)
		goto err_release;
	rec->registered = true;
	return 0;

err_release:
	single_release(inode, file);
err_free:
	tlbt_notifier_free(rec);
	return ret;
}

/*
 * The registration holds the mm_struct (mmgrab), so this is safe after
 * the process's exit_mmap() too; unregister waits out running callbacks
 * before the memory and the module can go.
 */
static int tlbt_notifier_file_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct tlbt_notifier *rec = m->private;

	if (rec->registered)
		mmu_notifier_unregister(&rec->mn, rec->mn.mm);
	single_release(inode, file);
	tlbt_notifier_free(rec);
	return 0;
}

static const struct file_operations tlbt_notifier_fops = {
	.owner = THIS_MODULE,
	.open = tlbt_notifier_open,
	.release = tlbt_notifier_file_release,
	.read = seq_read,
	.write = tlbt_notifier_write,
	.llseek = seq_lseek,
};

void tlbt_notifier_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("notifier", 0600, dir, NULL, &tlbt_notifier_fops);
}
