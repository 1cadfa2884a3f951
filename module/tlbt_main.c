// SPDX-License-Identifier: GPL-2.0
/*
 * tlbtorture: run the kernel's unmap-and-flush sequences on a real
 * process's page tables, with the TLB flush ordered right or deliberately
 * wrong, and count what each flush cost.
 *
 * This file holds the module's lifetime and the global debugfs knobs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/vmalloc.h>
#include <xen/xen.h>
#include "tlbt.h"
#include "tlbt_version.h"

unsigned long tlbt_ceiling = TLBT_DEFAULT_CEILING;
unsigned long tlbt_max_pages = TLBT_DEFAULT_MAX_PAGES;
atomic_long_t tlbt_frames_held = ATOMIC_LONG_INIT(0);
atomic_long_t tlbt_arenas = ATOMIC_LONG_INIT(0);
atomic_long_t tlbt_commands = ATOMIC_LONG_INIT(0);
atomic_long_t tlbt_commands_failed = ATOMIC_LONG_INIT(0);
atomic_long_t tlbt_commands_killed = ATOMIC_LONG_INIT(0);
atomic_long_t tlbt_commands_running = ATOMIC_LONG_INIT(0);
atomic_long_t tlbt_bytes_held = ATOMIC_LONG_INIT(0);

static struct dentry *tlbt_dir;

/**
 * tlbt_kvmalloc - kvmalloc_array() counted in bytes_held
 * @n: number of elements
 * @size: bytes per element
 * @gfp: GFP_KERNEL, with __GFP_ZERO for zeroed memory
 *
 * Return: the memory, to be freed with tlbt_kvfree(p, @n * @size), or NULL.
 */
void *tlbt_kvmalloc(size_t n, size_t size, gfp_t gfp)
{
	void *p = kvmalloc_array(n, size, gfp);

	if (p)
		atomic_long_add(n * size, &tlbt_bytes_held);
	return p;
}

/**
 * tlbt_vzalloc - vzalloc() counted in bytes_held
 * @size: bytes
 *
 * Return: the memory, to be freed with tlbt_kvfree(p, @size), or NULL.
 */
void *tlbt_vzalloc(size_t size)
{
	void *p = vzalloc(size);

	if (p)
		atomic_long_add(size, &tlbt_bytes_held);
	return p;
}

/**
 * tlbt_kvfree - free what tlbt_kvmalloc() or tlbt_vzalloc() returned
 * @p: the memory, or NULL
 * @size: the bytes it was allocated with
 */
void tlbt_kvfree(const void *p, size_t size)
{
	if (!p)
		return;
	kvfree(p);
	atomic_long_sub(size, &tlbt_bytes_held);
}

/*
 * The two knobs, set through debugfs or as module parameters
 * (modprobe tlbtorture ceiling=N, /sys/module/tlbtorture/parameters/):
 * both paths store through tlbt_knob_store(), the one range check.
 */
struct tlbt_knob {
	unsigned long *val;
	unsigned long min;
};

static struct tlbt_knob tlbt_knob_ceiling = { &tlbt_ceiling, 0 };
static struct tlbt_knob tlbt_knob_max_pages = { &tlbt_max_pages, 1 };

static int tlbt_knob_store(struct tlbt_knob *knob, u64 val)
{
	if (val < knob->min || val > TLBT_KNOB_MAX)
		return -ERANGE;
	WRITE_ONCE(*knob->val, val);
	return 0;
}

static int tlbt_knob_get(void *data, u64 *val)
{
	struct tlbt_knob *knob = data;

	*val = READ_ONCE(*knob->val);
	return 0;
}

static int tlbt_knob_set(void *data, u64 val)
{
	return tlbt_knob_store(data, val);
}

/*
 * DEFINE_DEBUGFS_ATTRIBUTE() with a capability check in open(): debugfs
 * may be mounted, or its files chmod-ed, looser than their 0600. Only
 * the open() differs, and it calls the same simple_attr helpers, so the
 * knobs follow the kernel's own attribute files. No .llseek: a NULL one
 * refuses to seek, as no_llseek did (see tlbt_compat.h).
 */
static int tlbt_knob_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return simple_attr_open(inode, file, tlbt_knob_get, tlbt_knob_set,
				"%llu\n");
}

static const struct file_operations tlbt_knob_fops = {
	.owner = THIS_MODULE,
	.open = tlbt_knob_open,
	.release = simple_attr_release,
	.read = debugfs_attr_read,
	.write = debugfs_attr_write,
};

/*
 * A bad value at load time fails the load (parse_args() passes the error
 * on), so it gets its own line in the log; a sysfs write gets it too.
 * -EINVAL, the kernel's answer to any bad parameter, for both causes.
 */
static int tlbt_param_set(const char *arg, const struct kernel_param *kp)
{
	struct tlbt_knob *knob = kp->arg;
	u64 val;
	int ret;

	ret = kstrtoull(arg, 0, &val);
	if (!ret)
		ret = tlbt_knob_store(knob, val);
	if (ret) {
		pr_err("%s=%.*s refused: not an integer in %lu..%lu, %s stays %lu\n",
		       kp->name, (int)strcspn(arg, "\n"), arg, knob->min,
		       TLBT_KNOB_MAX, kp->name, READ_ONCE(*knob->val));
		return -EINVAL;
	}
	return 0;
}

static int tlbt_param_get(char *buf, const struct kernel_param *kp)
{
	struct tlbt_knob *knob = kp->arg;

	return sysfs_emit(buf, "%lu\n", READ_ONCE(*knob->val));
}

static const struct kernel_param_ops tlbt_param_ops = {
	.set = tlbt_param_set,
	.get = tlbt_param_get,
};

/* 0644: under lockdown debugfs refuses writable files, sysfs does not. */
module_param_cb(ceiling, &tlbt_param_ops, &tlbt_knob_ceiling, 0644);
MODULE_PARM_DESC(ceiling, "native backend: most pages flushed by INVLPG, more is a full flush (0..262144, default 33)");
module_param_cb(max_pages, &tlbt_param_ops, &tlbt_knob_max_pages, 0644);
MODULE_PARM_DESC(max_pages, "largest arena in pages (1..262144, default 4096)");

static int tlbt_stats_show(struct seq_file *m, void *v)
{
	seq_printf(m, "frames_held: %ld\n", atomic_long_read(&tlbt_frames_held));
	seq_printf(m, "bytes_held: %ld\n", atomic_long_read(&tlbt_bytes_held));
	seq_printf(m, "arenas: %ld\n", atomic_long_read(&tlbt_arenas));
	seq_printf(m, "commands: %ld\n", atomic_long_read(&tlbt_commands));
	seq_printf(m, "commands_failed: %ld\n",
		   atomic_long_read(&tlbt_commands_failed));
	seq_printf(m, "commands_killed: %ld\n",
		   atomic_long_read(&tlbt_commands_killed));
	seq_printf(m, "commands_running: %ld\n",
		   atomic_long_read(&tlbt_commands_running));
	seq_printf(m, "pti: %d\n", tlbt_flush_has_pti());
	seq_printf(m, "pcid: %d\n", tlbt_flush_has_pcid());
	seq_printf(m, "invpcid: %d\n", tlbt_flush_has_invpcid());
	return 0;
}
static int tlbt_stats_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return single_open(file, tlbt_stats_show, NULL);
}

static const struct file_operations tlbt_stats_fops = {
	.owner = THIS_MODULE,
	.open = tlbt_stats_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static int __init tlbt_init(void)
{
	/*
	 * The native engine compares a native CR3 read with __pa(mm->pgd).
	 * A PV guest's CR3 is the hypervisor's to load and need not match,
	 * so every flush would be skipped as if the CPU had switched away.
	 */
	if (xen_pv_domain()) {
		pr_err("refusing to load on a Xen PV guest: a native CR3 read need not match __pa(mm->pgd) there, so the native engine would skip every flush\n");
		return -ENODEV;
	}
	tlbt_flush_init();

	tlbt_dir = debugfs_create_dir("tlbtorture", NULL);
	if (IS_ERR(tlbt_dir))
		return PTR_ERR(tlbt_dir);
	debugfs_create_file_unsafe("ceiling", 0600, tlbt_dir,
				   &tlbt_knob_ceiling, &tlbt_knob_fops);
	debugfs_create_file_unsafe("max_pages", 0600, tlbt_dir,
				   &tlbt_knob_max_pages, &tlbt_knob_fops);
	debugfs_create_file_unsafe("stats", 0400, tlbt_dir, NULL,
				   &tlbt_stats_fops);
	tlbt_arena_debugfs_init(tlbt_dir);
	tlbt_notifier_debugfs_init(tlbt_dir);

	pr_info("loaded: pti=%d pcid=%d invpcid=%d\n", tlbt_flush_has_pti(),
		tlbt_flush_has_pcid(), tlbt_flush_has_invpcid());
	return 0;
}

/* Open arena files hold a module reference: no arena outlives us. */
static void __exit tlbt_exit(void)
{
	debugfs_remove_recursive(tlbt_dir);
}

module_init(tlbt_init);
module_exit(tlbt_exit);

MODULE_DESCRIPTION("Exercise real TLB flushing: ordered right, batched, or wrong");
MODULE_AUTHOR("tlbtorture developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(TLBT_VERSION);
