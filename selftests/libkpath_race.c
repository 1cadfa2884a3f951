// SPDX-License-Identifier: GPL-2.0
/*
 * libkpath races: kernel-path scenarios that fail on a kernel whose TLB
 * flush ordering is broken, and that prove they reached their race.
 *
 * Each scenario is a row of tlbt_kp_races[]: what it needs, its workers'
 * access mode, and its setup, operation, final check and teardown. One
 * run loop drives them all: workers pinned to the other CPUs access the
 * pages through the shared fault-tolerant pool (tlbt_workers.c), the calling
 * thread, pinned to the first CPU, repeats the kernel operation, and a
 * freer on a third CPU, where a scenario has one, frees and reuses
 * frames inside the operation's window.
 *
 * Data oracles only (a flush count is no verdict):
 * - lost, stale or foreign increments (TLBT_KP_INCREMENT workers);
 * - bad reads: a value never stored at that page and slot, such as a
 *   freed frame's zeroes (init_on_free=1) or another owner's stamp
 *   (TLBT_KP_READ_STRICT workers);
 * - words that changed on a page after mprotect(PROT_READ) returned;
 * - increments a writeback never saw, read back from the disk.
 *
 * An operation "reached its race" when the accesses or the freer really
 * overlapped it, as each scenario defines; a run that never did is
 * reported as such, and its caller must skip rather than pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "libkpath.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif
#ifndef MREMAP_FIXED
#define MREMAP_FIXED		2
#endif

#define TLBT_RACE_TMPFS_MAGIC	0x01021994
#define TLBT_RACE_RAMFS_MAGIC	0x858458f6
#define TLBT_RACE_WB_DIR	"/mnt/tlbt-wb"
/* The freer holds its stamped frames this long for stale readers. */
#define TLBT_RACE_HOLD_NS	(2ULL * 1000 * 1000)
/* mprotect: how long a read-only page must stay unchanged. */
#define TLBT_RACE_RO_NS		(500ULL * 1000)

struct tlbt_kp_race_ctx;

struct tlbt_kp_race {
	const char *name;
	const char *breaks;	/* the ordering whose breakage it catches */
	const char *reached;	/* what counts as reaching the race */
	unsigned int needs;	/* TLBT_KP_NEED_* */
	enum tlbt_kp_mode mode;
	size_t pages;
	size_t victims;		/* pages the freer truncates; 0: no freer */
	int (*setup)(struct tlbt_kp_race_ctx *c);
	/* one operation; sets c->reached_now */
	int (*op)(struct tlbt_kp_race_ctx *c);
	/* after the workers halted, before they are judged; may be NULL */
	int (*finish)(struct tlbt_kp_race_ctx *c);
	void (*teardown)(struct tlbt_kp_race_ctx *c);
};

struct tlbt_kp_race_ctx {
	const struct tlbt_kp_race *race;
	struct tlbt_kp_race_result *res;
	struct tlbt_kp_region rg;
	struct tlbt_kp_workers ws;
	size_t bytes;
	char *resv;		/* reserved address space, resv_len bytes */
	size_t resv_len;
	char *a, *b;		/* the two places a moving mapping takes */
	int fd;
	char path[256];
	bool reached_now;
	unsigned long long ops;
	int node[2];
	uint64_t *snap;		/* mprotect: the page as it was made read-only */
	/* the freer, on its own CPU */
	pthread_t freer;
	bool freer_started;
	int freer_cpu;
	int go, done, quit;
	unsigned long long t_op0, t_op1, t_free, window_ns;
	uint64_t *victim_pfn;
	volatile uint64_t *stamp;
	unsigned int seed;
};

static unsigned long long tlbt_race_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void tlbt_race_spin(unsigned long long ns)
{
	unsigned long long end = tlbt_race_now() + ns;

	while (tlbt_race_now() < end)
		;
}

/* Address space for two @bytes mappings, 2 MiB aligned, PROT_NONE. */
static int tlbt_race_reserve(struct tlbt_kp_race_ctx *c)
{
	c->resv_len = 2 * c->bytes + 2 * TLBT_KP_PMD;
	c->resv = mmap(NULL, c->resv_len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (c->resv == MAP_FAILED) {
		c->resv = NULL;
		return -errno;
	}
	c->a = (char *)(((unsigned long)c->resv + TLBT_KP_PMD - 1) &
			~(TLBT_KP_PMD - 1));
	/* a PMD apart, so that whole-PMD moves really move page tables */
	c->b = c->a + ((c->bytes + TLBT_KP_PMD - 1) & ~(TLBT_KP_PMD - 1));
	return 0;
}

static void tlbt_race_unreserve(struct tlbt_kp_race_ctx *c)
{
	if (c->resv)
		munmap(c->resv, c->resv_len);
	c->resv = NULL;
}

static unsigned long long tlbt_race_vmstat(const char *key)
{
	unsigned long long v = 0;

	tlbt_kp_vmstat(key, &v);
	return v;
}

/* ---- the freer: truncate inside the window, reuse at once ---- */

/* Pattern of generation 0 for file pages [first, first + n). */
static int tlbt_race_refill(struct tlbt_kp_race_ctx *c, size_t first, size_t n)
{
	uint64_t buf[TLBT_KP_SLOTS];
	size_t p, s;

	for (p = first; p < first + n; p++) {
		for (s = 0; s < TLBT_KP_SLOTS; s++)
			buf[s] = tlbt_kp_pattern(p, s, 0);
		if (pwrite(c->fd, buf, sizeof(buf), p * TLBT_KP_PAGE) !=
		    (ssize_t)sizeof(buf))
			return -EIO;
	}
	return 0;
}

/*
 * CVE-2018-18281's reproducer, on the freer's CPU: truncate the file's
 * tail at a random point of the mremap, then take fresh pages at once
 * (the per-CPU free list hands back the victims first) and stamp them
 * with a value no reader may see. A reader still using a stale entry
 * for the old address then reads the stamp, or, with init_on_free=1,
 * the zeroes the allocator left.
 */
static void *tlbt_race_freer_main(void *arg)
{
	struct tlbt_kp_race_ctx *c = arg;
	const size_t v = c->race->victims;
	uint64_t pfn[64];
	size_t p, s, i, j;

	tlbt_kp_pin(c->freer_cpu);
	for (;;) {
		/* free our own stamp frames first, or they would come back */
		madvise((void *)c->stamp, v * TLBT_KP_PAGE, MADV_DONTNEED);
		while (!__atomic_load_n(&c->go, __ATOMIC_ACQUIRE))
			if (__atomic_load_n(&c->quit, __ATOMIC_ACQUIRE))
				return NULL;
		__atomic_store_n(&c->go, 0, __ATOMIC_RELAXED);
		tlbt_race_spin(c->window_ns ? rand_r(&c->seed) % c->window_ns : 0);
		c->t_free = tlbt_race_now();
		ftruncate(c->fd, c->bytes - v * TLBT_KP_PAGE);
		for (p = 0; p < v; p++)
			for (s = 0; s < TLBT_KP_SLOTS; s++)
				c->stamp[p * TLBT_KP_SLOTS + s] = TLBT_KP_FOREIGN;
		if (!tlbt_kp_pagemap((void *)c->stamp, v, pfn))
			for (i = 0; i < v; i++)
				for (j = 0; j < v; j++)
					if ((pfn[i] & TLBT_KP_PM_PFN) &&
					    (pfn[i] & TLBT_KP_PM_PFN) ==
					    c->victim_pfn[j])
						c->res->reuse_hits++;
		tlbt_race_spin(TLBT_RACE_HOLD_NS);
		__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	}
}

static int tlbt_race_freer_start(struct tlbt_kp_race_ctx *c)
{
	c->stamp = mmap(NULL, c->race->victims * TLBT_KP_PAGE,
			PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (c->stamp == MAP_FAILED) {
		c->stamp = NULL;
		return -errno;
	}
	c->victim_pfn = calloc(c->race->victims, sizeof(uint64_t));
	if (!c->victim_pfn)
		return -ENOMEM;
	if (pthread_create(&c->freer, NULL, tlbt_race_freer_main, c))
		return -EAGAIN;
	c->freer_started = true;
	return 0;
}

static void tlbt_race_freer_stop(struct tlbt_kp_race_ctx *c)
{
	if (c->freer_started) {
		__atomic_store_n(&c->quit, 1, __ATOMIC_RELEASE);
		pthread_join(c->freer, NULL);
	}
	c->freer_started = false;
	if (c->stamp)
		munmap((void *)c->stamp, c->race->victims * TLBT_KP_PAGE);
	c->stamp = NULL;
	free(c->victim_pfn);
	c->victim_pfn = NULL;
}

/* ---- mremap against truncate (CVE-2018-18281, seed 000) ---- */

static int tlbt_race_mremap_setup(struct tlbt_kp_race_ctx *c)
{
	void *m;
	int ret;

	c->fd = memfd_create("tlbt-race", MFD_CLOEXEC);
	if (c->fd < 0)
		return -errno;
	if (ftruncate(c->fd, c->bytes))
		return -errno;
	ret = tlbt_race_refill(c, 0, c->race->pages);
	if (ret)
		return ret;
	ret = tlbt_race_reserve(c);
	if (ret)
		return ret;
	m = mmap(c->a, c->bytes, PROT_READ, MAP_SHARED | MAP_FIXED, c->fd, 0);
	if (m == MAP_FAILED)
		return -errno;
	c->rg.base = (volatile uint64_t *)c->a;
	return tlbt_race_freer_start(c);
}

static int tlbt_race_mremap_op(struct tlbt_kp_race_ctx *c)
{
	const size_t v = c->race->victims, first = c->race->pages - v;
	char *from = (char *)c->rg.base;
	char *to = from == c->a ? c->b : c->a;
	uint64_t pm[64];
	unsigned long long d;
	size_t i;
	void *m;
	int ret;

	ret = tlbt_kp_pagemap(from + first * TLBT_KP_PAGE, v, pm);
	if (ret)
		return ret;
	for (i = 0; i < v; i++)
		c->victim_pfn[i] = pm[i] & TLBT_KP_PM_PFN;
	__atomic_store_n(&c->done, 0, __ATOMIC_RELAXED);
	c->t_op0 = tlbt_race_now();
	__atomic_store_n(&c->go, 1, __ATOMIC_RELEASE);
	m = mremap(from, c->bytes, c->bytes, MREMAP_MAYMOVE | MREMAP_FIXED, to);
	c->t_op1 = tlbt_race_now();
	if (m == MAP_FAILED)
		return -errno;
	__atomic_store_n(&c->rg.base, (volatile uint64_t *)to,
			 __ATOMIC_RELEASE);
	while (!__atomic_load_n(&c->done, __ATOMIC_ACQUIRE))
		;
	c->reached_now = c->t_free >= c->t_op0 && c->t_free <= c->t_op1;
	/* aim the next truncate across the whole of an mremap */
	d = c->t_op1 - c->t_op0;
	c->window_ns = c->window_ns ? (3 * c->window_ns + d) / 4 : d;

	/* refill the tail: readers may see its hole meanwhile */
	__atomic_add_fetch(&c->rg.epoch, 1, __ATOMIC_ACQ_REL);
	if (ftruncate(c->fd, c->bytes))
		ret = -errno;
	else
		ret = tlbt_race_refill(c, first, v);
	__atomic_add_fetch(&c->rg.epoch, 1, __ATOMIC_ACQ_REL);
	return ret;
}

static void tlbt_race_file_teardown(struct tlbt_kp_race_ctx *c)
{
	tlbt_race_freer_stop(c);
	tlbt_race_unreserve(c);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->path[0])
		unlink(c->path);
}

/* ---- migration: move_pages() under increments (seed 003) ---- */

static int tlbt_race_anon_setup(struct tlbt_kp_race_ctx *c)
{
	void *m;

	m = mmap(NULL, c->bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (m == MAP_FAILED)
		return -errno;
	c->a = m;
	madvise(m, c->bytes, MADV_NOHUGEPAGE);
	if (c->race->mode == TLBT_KP_INCREMENT)
		tlbt_kp_fill_counted((volatile uint64_t *)m, c->race->pages);
	else
		tlbt_kp_fill_read((volatile uint64_t *)m, c->race->pages, 0);
	c->rg.base = (volatile uint64_t *)m;
	return 0;
}

static void tlbt_race_anon_teardown(struct tlbt_kp_race_ctx *c)
{
	if (c->a)
		munmap(c->a, c->bytes);
	c->a = NULL;
}

static int tlbt_race_migrate_setup(struct tlbt_kp_race_ctx *c)
{
	int nodes[8], n = tlbt_kp_nodes(nodes, 8);

	if (n < 2)
		return -EOPNOTSUPP;
	c->node[0] = nodes[0];
	c->node[1] = nodes[1];
	return tlbt_race_anon_setup(c);
}

static int tlbt_race_migrate_op(struct tlbt_kp_race_ctx *c)
{
	const size_t pages = c->race->pages;
	void *addr[512];
	int node[512] = { 0 }, status[512] = { 0 };
	int to = c->node[c->ops & 1 ? 0 : 1];
	size_t p, moved = 0;

	for (p = 0; p < pages; p++) {
		addr[p] = c->a + p * TLBT_KP_PAGE;
		node[p] = to;
	}
	if (tlbt_kp_move_pages(pages, addr, node, status, 2 /* MOVE */) < 0)
		return -errno;
	for (p = 0; p < pages; p++)
		moved += status[p] == to;
	c->reached_now = moved > 0;
	return 0;
}

/* ---- reclaim: MADV_PAGEOUT under writers and under readers ---- */

/*
 * Fault every page in from this CPU: a page that a worker's CPU faulted
 * in waits in that CPU's LRU batch, where MADV_PAGEOUT cannot isolate it
 * (it drains only this CPU's batch). Then give the workers a moment to
 * load TLB entries for them again.
 */
static void tlbt_race_touch(struct tlbt_kp_race_ctx *c)
{
	volatile uint64_t *m = (volatile uint64_t *)c->a;
	size_t p;

	for (p = 0; p < c->race->pages; p++)
		(void)m[p * TLBT_KP_SLOTS + TLBT_KP_SLOTS - 1];
	tlbt_race_spin(TLBT_RACE_RO_NS);
}

static int tlbt_race_reclaim_dirty_op(struct tlbt_kp_race_ctx *c)
{
	unsigned long long out;

	tlbt_race_touch(c);
	out = tlbt_race_vmstat("pswpout");

	if (madvise(c->a, c->bytes, MADV_PAGEOUT))
		return -errno;
	c->reached_now = tlbt_race_vmstat("pswpout") > out;
	return 0;
}


/*
 * Pages only read map read-only, so reclaim's batched unmap leaves no
 * writable entry for try_to_unmap_flush_dirty() to flush: the final
 * try_to_unmap_flush() is all that stands between the free and the
 * readers' stale entries.
 */
static int tlbt_race_reclaim_read_op(struct tlbt_kp_race_ctx *c)
{
	unsigned long long out;

	tlbt_race_touch(c);
	out = tlbt_race_vmstat("pswpout");
	if (madvise(c->a, c->bytes, MADV_PAGEOUT))
		return -errno;
	c->reached_now = tlbt_race_vmstat("pswpout") > out;
	return 0;
}

/* ---- writeback: fsync() of a shared file mapping under writers ---- */

static int tlbt_race_mkclean_setup(struct tlbt_kp_race_ctx *c)
{
	const char *dir = getenv("TLBT_WB_DIR");
	struct statfs sf;
	void *m;

	if (!dir)
		dir = TLBT_RACE_WB_DIR;
	if (statfs(dir, &sf) || sf.f_type == TLBT_RACE_TMPFS_MAGIC ||
	    sf.f_type == TLBT_RACE_RAMFS_MAGIC)
		return -EOPNOTSUPP;
	snprintf(c->path, sizeof(c->path), "%s/tlbt-race.%d", dir, getpid());
	c->fd = open(c->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (c->fd < 0)
		return -errno;
	if (ftruncate(c->fd, c->bytes))
		return -errno;
	m = mmap(NULL, c->bytes, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (m == MAP_FAILED)
		return -errno;
	c->a = m;
	tlbt_kp_fill_counted((volatile uint64_t *)m, c->race->pages);
	if (fsync(c->fd))
		return -errno;
	c->rg.base = (volatile uint64_t *)m;
	return 0;
}

static int tlbt_race_mkclean_op(struct tlbt_kp_race_ctx *c)
{
	unsigned long long written = tlbt_race_vmstat("nr_written");

	if (fsync(c->fd))
		return -errno;
	c->reached_now = tlbt_race_vmstat("nr_written") > written;
	return 0;
}

/*
 * What the disk holds, not the page cache: the last writeback, dropped
 * from memory and read back. A write that went through a stale writable
 * entry after mkclean never redirtied its page and is missing there.
 */
static int tlbt_race_mkclean_finish(struct tlbt_kp_race_ctx *c)
{
	unsigned char vec[512];
	size_t p, resident = 0;
	void *m;

	if (fsync(c->fd))
		return -errno;
	munmap(c->a, c->bytes);
	c->a = NULL;
	posix_fadvise(c->fd, 0, 0, POSIX_FADV_DONTNEED);
	c->rg.base = NULL;
	m = mmap(NULL, c->bytes, PROT_READ, MAP_SHARED, c->fd, 0);
	if (m == MAP_FAILED)
		return -errno;
	c->a = m;
	c->rg.base = (volatile uint64_t *)m;
	if (!mincore(m, c->bytes, vec))
		for (p = 0; p < c->race->pages; p++)
			resident += vec[p] & 1;
	if (resident) {
		/* still cached: the verdict would read memory, not the disk */
		snprintf(c->res->skip, sizeof(c->res->skip),
			 "%zu pages stayed in the page cache after POSIX_FADV_DONTNEED",
			 resident);
		return -EOPNOTSUPP;
	}
	return 0;
}

static void tlbt_race_mkclean_teardown(struct tlbt_kp_race_ctx *c)
{
	if (c->a)
		munmap(c->a, c->bytes);
	c->a = NULL;
	tlbt_race_file_teardown(c);
}

/* ---- zap: MADV_DONTNEED and munmap of COWed file pages ---- */

/*
 * A private mapping of a file whose pages carry generation 0. The
 * operation first writes generation 1 (COW: anonymous pages), then zaps
 * them: the anonymous pages are freed and a refault finds generation 0
 * again. Either generation is a right answer; a freed frame is not.
 */
static int tlbt_race_zap_setup(struct tlbt_kp_race_ctx *c)
{
	void *m;
	int ret;

	c->fd = memfd_create("tlbt-race-zap", MFD_CLOEXEC);
	if (c->fd < 0)
		return -errno;
	if (ftruncate(c->fd, c->bytes))
		return -errno;
	ret = tlbt_race_refill(c, 0, c->race->pages);
	if (ret)
		return ret;
	m = mmap(NULL, c->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE, c->fd, 0);
	if (m == MAP_FAILED)
		return -errno;
	c->a = m;
	c->rg.base = (volatile uint64_t *)m;
	return 0;
}

static void tlbt_race_cow(struct tlbt_kp_race_ctx *c)
{
	tlbt_kp_fill_read((volatile uint64_t *)c->a, c->race->pages, 1);
}

static int tlbt_race_dontneed_op(struct tlbt_kp_race_ctx *c)
{
	tlbt_race_cow(c);
	if (madvise(c->a, c->bytes, MADV_DONTNEED))
		return -errno;
	c->reached_now = true;	/* with the overlap the loop requires */
	return 0;
}

static int tlbt_race_munmap_op(struct tlbt_kp_race_ctx *c)
{
	void *m;

	tlbt_race_cow(c);
	if (munmap(c->a, c->bytes))
		return -errno;
	m = mmap(c->a, c->bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_FIXED, c->fd, 0);
	if (m == MAP_FAILED) {
		c->a = NULL;
		return -errno;
	}
	c->reached_now = true;
	return 0;
}

static void tlbt_race_zap_teardown(struct tlbt_kp_race_ctx *c)
{
	if (c->a)
		munmap(c->a, c->bytes);
	c->a = NULL;
	tlbt_race_file_teardown(c);
}

/* ---- mprotect(PROT_READ) under writers ---- */

static int tlbt_race_mprotect_setup(struct tlbt_kp_race_ctx *c)
{
	int ret = tlbt_race_anon_setup(c);

	if (ret)
		return ret;
	c->snap = malloc(c->bytes);
	return c->snap ? 0 : -ENOMEM;
}

static unsigned long long tlbt_race_faults(struct tlbt_kp_race_ctx *c)
{
	unsigned long long sum = 0;
	unsigned int i;

	for (i = 0; i < c->ws.nr; i++)
		sum += __atomic_load_n(&c->ws.w[i].faults, __ATOMIC_RELAXED);
	return sum;
}

/*
 * Once mprotect() has returned, no CPU may write the page: every word
 * that changes while it stays read-only went through a stale writable
 * TLB entry.
 */
static int tlbt_race_mprotect_op(struct tlbt_kp_race_ctx *c)
{
	const size_t words = c->bytes / sizeof(uint64_t);
	volatile uint64_t *m = (volatile uint64_t *)c->a;
	unsigned long long f0, changed = 0;
	size_t i;

	if (mprotect(c->a, c->bytes, PROT_READ))
		return -errno;
	f0 = tlbt_race_faults(c);
	for (i = 0; i < words; i++)
		c->snap[i] = m[i];
	tlbt_race_spin(TLBT_RACE_RO_NS);
	for (i = 0; i < words; i++)
		changed += m[i] != c->snap[i];
	c->res->ro_writes += changed;
	/* the writers found the page read-only: the race is real */
	c->reached_now = tlbt_race_faults(c) > f0 || changed;
	if (mprotect(c->a, c->bytes, PROT_READ | PROT_WRITE))
		return -errno;
	return 0;
}

static void tlbt_race_mprotect_teardown(struct tlbt_kp_race_ctx *c)
{
	free(c->snap);
	c->snap = NULL;
	tlbt_race_anon_teardown(c);
}

/* ---- the table ---- */

static const struct tlbt_kp_race tlbt_kp_races[] = {
	{
		.name = "mremap_truncate",
		.breaks = "move_ptes() flushes the old range before dropping the PTE lock (CVE-2018-18281)",
		.reached = "truncates that landed inside an mremap",
		.needs = TLBT_KP_NEED_FREER,
		.mode = TLBT_KP_READ_STRICT,
		.pages = 16,
		.victims = 8,
		.setup = tlbt_race_mremap_setup,
		.op = tlbt_race_mremap_op,
		.teardown = tlbt_race_file_teardown,
	},
	{
		.name = "mremap_pmd_truncate",
		.breaks = "move_normal_pmd() flushes the old PMD before dropping its locks",
		.reached = "truncates that landed inside an mremap",
		.needs = TLBT_KP_NEED_FREER,
		.mode = TLBT_KP_READ_STRICT,
		.pages = 512,
		.victims = 16,
		.setup = tlbt_race_mremap_setup,
		.op = tlbt_race_mremap_op,
		.teardown = tlbt_race_file_teardown,
	},
	{
		.name = "migrate",
		.breaks = "migration flushes the unmapped PTEs before copying the page",
		.reached = "move_pages() calls that moved pages under increments",
		.needs = TLBT_KP_NEED_NUMA,
		.mode = TLBT_KP_INCREMENT,
		.pages = 64,
		.setup = tlbt_race_migrate_setup,
		.op = tlbt_race_migrate_op,
		.teardown = tlbt_race_anon_teardown,
	},
	{
		.name = "reclaim_dirty",
		.breaks = "reclaim flushes dirty PTEs before pageout() (try_to_unmap_flush_dirty)",
		.reached = "MADV_PAGEOUT calls that swapped out under increments",
		.needs = TLBT_KP_NEED_SWAP,
		.mode = TLBT_KP_INCREMENT,
		.pages = 64,
		.setup = tlbt_race_anon_setup,
		.op = tlbt_race_reclaim_dirty_op,
		.teardown = tlbt_race_anon_teardown,
	},
	{
		.name = "reclaim_read",
		.breaks = "reclaim flushes unmapped read-only PTEs before freeing the pages (try_to_unmap_flush)",
		.reached = "MADV_PAGEOUT calls that swapped out under reads",
		.needs = TLBT_KP_NEED_SWAP,
		.mode = TLBT_KP_READ_STRICT,
		.pages = 64,
		.setup = tlbt_race_anon_setup,
		.op = tlbt_race_reclaim_read_op,
		.teardown = tlbt_race_anon_teardown,
	},
	{
		.name = "mkclean",
		.breaks = "page_mkclean() flushes the write-protected PTE before writeback",
		.reached = "fsync() calls that wrote pages back under increments",
		.needs = TLBT_KP_NEED_WBFS,
		.mode = TLBT_KP_INCREMENT,
		.pages = 64,
		.setup = tlbt_race_mkclean_setup,
		.op = tlbt_race_mkclean_op,
		.finish = tlbt_race_mkclean_finish,
		.teardown = tlbt_race_mkclean_teardown,
	},
	{
		.name = "zap_dontneed",
		.breaks = "MADV_DONTNEED flushes before freeing the pages (mmu_gather)",
		.reached = "MADV_DONTNEED calls under reads",
		.mode = TLBT_KP_READ_STRICT,
		.pages = 64,
		.setup = tlbt_race_zap_setup,
		.op = tlbt_race_dontneed_op,
		.teardown = tlbt_race_zap_teardown,
	},
	{
		.name = "zap_munmap",
		.breaks = "munmap() flushes before freeing the pages (mmu_gather)",
		.reached = "munmap() calls under reads",
		.mode = TLBT_KP_READ_STRICT,
		.pages = 64,
		.setup = tlbt_race_zap_setup,
		.op = tlbt_race_munmap_op,
		.teardown = tlbt_race_zap_teardown,
	},
	{
		.name = "mprotect",
		.breaks = "mprotect() flushes the write-protected PTEs before returning",
		.reached = "mprotect(PROT_READ) calls whose writers then faulted",
		.mode = TLBT_KP_INCREMENT,
		.pages = 16,
		.setup = tlbt_race_mprotect_setup,
		.op = tlbt_race_mprotect_op,
		.teardown = tlbt_race_mprotect_teardown,
	},
};

int tlbt_kp_race_count(void)
{
	return ARRAY_SIZE(tlbt_kp_races);
}

const struct tlbt_kp_race *tlbt_kp_race_get(int i)
{
	if (i < 0 || i >= (int)ARRAY_SIZE(tlbt_kp_races))
		return NULL;
	return &tlbt_kp_races[i];
}

const struct tlbt_kp_race *tlbt_kp_race_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tlbt_kp_races); i++)
		if (!strcmp(tlbt_kp_races[i].name, name))
			return &tlbt_kp_races[i];
	return NULL;
}

const char *tlbt_kp_race_name(const struct tlbt_kp_race *r)
{
	return r->name;
}

const char *tlbt_kp_race_breaks(const struct tlbt_kp_race *r)
{
	return r->breaks;
}

const char *tlbt_kp_race_reached_what(const struct tlbt_kp_race *r)
{
	return r->reached;
}

/* Why @r cannot run here, or NULL. @cpus: how many this thread may use. */
static const char *tlbt_race_unmet(const struct tlbt_kp_race *r, int cpus)
{
	int nodes[8];

	if (cpus < 2)
		return "needs 2 CPUs (the operation and a worker)";
	if ((r->needs & TLBT_KP_NEED_FREER) && cpus < 3)
		return "needs 3 CPUs (operation, freer, reader)";
	if ((r->needs & TLBT_KP_NEED_NUMA) && tlbt_kp_nodes(nodes, 8) < 2)
		return "needs 2 NUMA nodes with memory";
	if ((r->needs & TLBT_KP_NEED_SWAP) && !tlbt_kp_have_swap())
		return "needs swap (none active)";
	return NULL;
}

static unsigned long long tlbt_race_corruption(struct tlbt_kp_race_ctx *c)
{
	return tlbt_kp_workers_bad(&c->ws) + c->res->ro_writes;
}

/**
 * tlbt_kp_race_run - run one scenario until its first corruption or its limits
 * @r: a row of the table
 * @op: limits
 * @res: the verdict
 *
 * Returns 0 with @res filled, -EOPNOTSUPP with @res->skip when it cannot
 * run here, or another negative errno. A run with res->reached == 0 did
 * not show its race.
 */
int tlbt_kp_race_run(const struct tlbt_kp_race *r,
		     const struct tlbt_kp_race_opts *op,
		     struct tlbt_kp_race_result *res)
{
	struct tlbt_kp_race_ctx c = { .race = r, .res = res, .fd = -1 };
	unsigned long long t0, v0, v1, limit_ns;
	int cpus[TLBT_KP_MAX_CPUS], nr, ret, first_worker;
	const char *why;
	bool early;

	memset(res, 0, sizeof(*res));
	snprintf(res->name, sizeof(res->name), "%s", r->name);
	nr = tlbt_kp_cpus(cpus, TLBT_KP_MAX_CPUS);
	if (nr < 0)
		return nr;
	why = tlbt_race_unmet(r, nr);
	if (why) {
		snprintf(res->skip, sizeof(res->skip), "%s", why);
		return -EOPNOTSUPP;
	}
	c.bytes = r->pages * TLBT_KP_PAGE;
	c.rg.pages = r->pages;
	c.seed = op->seed ? op->seed : (unsigned int)tlbt_race_now();
	first_worker = 1;
	if (r->victims) {
		c.freer_cpu = cpus[1];
		first_worker = 2;
	}
	limit_ns = (op->max_ms ? op->max_ms : 10000) * 1000000ULL;

	ret = tlbt_kp_pin(cpus[0]);
	if (ret)
		return ret;
	ret = r->setup(&c);
	if (ret == -EOPNOTSUPP && !res->skip[0])
		snprintf(res->skip, sizeof(res->skip), "%s",
			 r->needs & TLBT_KP_NEED_WBFS ?
			 "needs a disk filesystem with writeback at $TLBT_WB_DIR or " TLBT_RACE_WB_DIR :
			 "setup not possible here");
	if (ret)
		goto out_teardown;
	ret = tlbt_kp_workers_start(&c.ws, &c.rg, r->mode, cpus + first_worker,
				    nr - first_worker);
	if (ret)
		goto out_teardown;
	res->workers = c.ws.nr;

	t0 = tlbt_race_now();
	while (c.ops < (op->max_ops ? op->max_ops : ~0U) &&
	       tlbt_race_now() - t0 < limit_ns) {
		c.reached_now = false;
		v0 = tlbt_kp_workers_visits(&c.ws);
		ret = r->op(&c);
		v1 = tlbt_kp_workers_visits(&c.ws);
		if (ret)
			break;
		c.ops++;
		if (v1 > v0)
			res->overlapped++;
		/* a freer's timing or the op's own evidence, with accesses */
		if (c.reached_now && (v1 > v0 || r->victims))
			res->reached++;
		early = tlbt_race_corruption(&c) > 0;
		if (early && !res->first_op) {
			res->first_op = c.ops;
			res->first_secs = (tlbt_race_now() - t0) / 1e9;
		}
		if (early && op->stop_early)
			break;
	}
	res->secs = (tlbt_race_now() - t0) / 1e9;
	res->ops = c.ops;

	tlbt_kp_workers_halt(&c.ws);
	if (!ret && r->finish)
		ret = r->finish(&c);
	if (ret == -EOPNOTSUPP || !c.rg.base) {
		/* nothing to judge: free the workers only */
		c.rg.pages = 0;
		c.ws.mode = TLBT_KP_READ;
		tlbt_kp_workers_stop(&c.ws, &res->o);
		goto out_teardown;
	}
	{
		int wret = tlbt_kp_workers_stop(&c.ws, &res->o);

		if (!ret)
			ret = wret;
	}
	res->corrupt = tlbt_kp_corruption(&res->o) + res->ro_writes;
	if (res->corrupt && !res->first_op) {
		/* found only by the final check */
		res->first_op = c.ops;
		res->first_secs = res->secs;
	}
	if (res->ro_writes)
		res->oracle = "writes to a read-only page";
	else if (res->o.lost_increments)
		res->oracle = "lost increments";
	else if (res->o.bad_reads)
		res->oracle = res->o.first_bad ? "foreign reads" :
			      "freed-frame reads";
	else if (res->o.stale_reads || res->o.foreign_reads)
		res->oracle = "stale increments";
	else if (res->o.foreign)
		res->oracle = "foreign increments";
	else
		res->oracle = "none";

out_teardown:
	r->teardown(&c);
	tlbt_kp_unpin();
	return ret;
}
