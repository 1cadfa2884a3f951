// SPDX-License-Identifier: GPL-2.0
/*
 * libkpath scenarios: the kernel's own mremap, migration, reclaim and
 * zap, raced by workers on every other CPU, with their flushes and
 * invalidations counted. The kselftests assert on the results and
 * "tlbtorture kernel" prints them. The races that judge data, and prove
 * they reached their window, are libkpath_race.c's.
 *
 * The calling thread issues the operations, pinned to the first CPU it
 * may run on; workers take the others. Each scenario returns 0 with
 * @r filled, -EOPNOTSUPP with @r->skip saying why it cannot run here,
 * or another negative errno when something failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "libtlbt.h"
#include "libkpath.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef MPOL_MF_MOVE
#define MPOL_MF_MOVE		(1 << 1)
#endif
#ifndef MPOL_BIND
#define MPOL_BIND		2
#endif

#define TLBT_KP_DEF_PAGES	64
#define TLBT_KP_DEF_ROUNDS	50
#define TLBT_KP_WAIT_NS		(10ULL * 1000 * 1000 * 1000)

static unsigned long long tlbt_kp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void tlbt_kp_spin_ns(unsigned long long ns)
{
	unsigned long long end = tlbt_kp_now_ns() + ns;

	while (tlbt_kp_now_ns() < end)
		;
}

static bool tlbt_kp_expired(const struct tlbt_kp_opts *op,
			    unsigned long long t0)
{
	return op->max_ms && tlbt_kp_now_ns() - t0 >= op->max_ms * 1000000ULL;
}

const char *tlbt_kp_mem_name(enum tlbt_kp_mem mem)
{
	switch (mem) {
	case TLBT_KP_ANON:
		return "anon";
	case TLBT_KP_SHMEM:
		return "shmem";
	case TLBT_KP_THP:
		return "thp";
	}
	return "?";
}

double tlbt_kp_shootdowns_per_page(const struct tlbt_kp_result *r)
{
	double pages = (double)r->pages * r->ops;

	if (!r->fl.valid || !pages)
		return -1;
	return r->fl.issuer[TLBT_KP_REMOTE_SEND_IPI] / pages;
}

double tlbt_kp_inval_per_byte(const struct tlbt_kp_result *r)
{
	double bytes = (double)r->pages * r->ops * TLBT_KP_PAGE;

	if (!r->inval_valid || !bytes)
		return -1;
	return r->inval_bytes / bytes;
}

static void tlbt_kp_result_init(struct tlbt_kp_result *r, const char *op,
				size_t pages)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->op, sizeof(r->op), "%s", op);
	r->pages = pages;
}

static int tlbt_kp_skip(struct tlbt_kp_result *r, const char *why)
{
	snprintf(r->skip, sizeof(r->skip), "%s", why);
	return -EOPNOTSUPP;
}

/*
 * NUMA balancing would mark our VMAs PROT_NONE now and then and flush
 * them, from our own threads: noise in an exact flush count. A task
 * policy without MPOL_F_MOF makes task_numa_work() skip every VMA that
 * has no policy of its own; binding to all memory nodes keeps
 * allocation local-first as before.
 */
static void tlbt_kp_no_numa_scan(void)
{
	unsigned long mask[16] = { 0 };
	int nodes[1024], i, nr;

	nr = tlbt_kp_nodes(nodes, 1024);
	if (nr < 2)
		return;
	for (i = 0; i < nr; i++)
		if (nodes[i] < 16 * 64)
			mask[nodes[i] / 64] |= 1UL << (nodes[i] % 64);
	syscall(SYS_set_mempolicy, MPOL_BIND, mask, 16 * 64);
}

static void tlbt_kp_numa_scan_again(void)
{
	syscall(SYS_set_mempolicy, 0 /* MPOL_DEFAULT */, NULL, 0);
}

/* ---- measurement: tracefs and the notifier around the operations ---- */

/*
 * Flushes are counted over the whole loop, from the issuing thread (its
 * "remote ipi send" events are the shootdowns its operations sent).
 * Invalidations are counted per operation: the recorder is cleared just
 * before and read just after each one, and only ranges that overlap the
 * region count. The recorder sees the whole mm, and khugepaged
 * collapsing a thread stack or NUMA balancing scanning the heap would
 * otherwise count too; an operation that invalidates too much still
 * counts in full, since its range overlaps. Only the issuer's records
 * count: a worker's write fault on the page just paged out invalidates
 * the same range (wp_page_copy()), and its start and end may fall on
 * either side of the clear or the read.
 */
struct tlbt_kp_meter {
	struct tlbt_kp_trace tr;
	int nfd;
	bool no_numa_scan;
	unsigned long long t0;
	unsigned long lo[2], hi[2];	/* the region's places */
	int tid;			/* the issuing thread */
};

/*
 * With the notifier or the trace on, NUMA balancing is off for this
 * process: its scanner invalidates whole VMAs now and then, which
 * overlaps the region without being the operation, and changes their
 * protection with flushes of its own, from whichever of our threads ran
 * task_numa_work(), the issuer included. Call before starting workers:
 * they inherit the policy.
 */
static void tlbt_kp_meter_open(struct tlbt_kp_meter *m,
			       const struct tlbt_kp_opts *op, const void *a,
			       const void *b, size_t len)
{
	memset(m, 0, sizeof(*m));
	m->nfd = -1;
	m->lo[0] = (unsigned long)a;
	m->hi[0] = m->lo[0] + len;
	m->lo[1] = b ? (unsigned long)b : m->lo[0];
	m->hi[1] = b ? m->lo[1] + len : m->hi[0];
	if (op->trace)
		tlbt_kp_trace_open(&m->tr);
	if (op->notifier && tlbt_kp_module_loaded())
		m->nfd = tlbt_kp_notifier_open();
	if (m->tr.ok || m->nfd >= 0) {
		tlbt_kp_no_numa_scan();
		m->no_numa_scan = true;
	}
}

/* Call from the issuing thread, after the workers started. */
static void tlbt_kp_meter_begin(struct tlbt_kp_meter *m)
{
	if (m->tr.ok && tlbt_kp_trace_start(&m->tr))
		tlbt_kp_trace_close(&m->tr);
	m->t0 = tlbt_kp_now_ns();
}

static void tlbt_kp_op_begin(struct tlbt_kp_meter *m)
{
	m->tid = syscall(SYS_gettid);
	if (m->nfd >= 0 && tlbt_kp_notifier_clear(m->nfd)) {
		close(m->nfd);
		m->nfd = -1;
	}
}

/*
 * The operation's records: those overlapping the region. A start counts
 * its bytes; unmatched are starts and ends of ours without a partner of
 * the same range within the operation.
 */
static void tlbt_kp_op_end(struct tlbt_kp_meter *m, struct tlbt_kp_result *r)
{
	unsigned long long starts = 0, ends = 0;
	struct tlbt_kp_inval iv;
	size_t i, j;
	bool *used;

	if (m->nfd < 0 || tlbt_kp_notifier_read(m->nfd, &iv))
		return;
	used = calloc(iv.nr + 1, sizeof(*used));
	if (!used) {
		tlbt_kp_inval_free(&iv);
		return;
	}
	r->inval_valid = true;
	r->inval_dropped += iv.dropped;
	for (i = 0; i < iv.nr; i++) {
		const struct tlbt_kp_inval_rec *rec = &iv.rec[i];
		bool ours = (rec->start < m->hi[0] && rec->end > m->lo[0]) ||
			    (rec->start < m->hi[1] && rec->end > m->lo[1]);

		if (!ours || (rec->pid && rec->pid != m->tid))
			continue;
		if (rec->is_end) {
			ends++;
			continue;
		}
		starts++;
		r->inval_bytes += rec->end - rec->start;
		for (j = i + 1; j < iv.nr; j++) {
			if (!used[j] && iv.rec[j].is_end &&
			    iv.rec[j].pid == rec->pid &&
			    iv.rec[j].start == rec->start &&
			    iv.rec[j].end == rec->end) {
				used[j] = true;
				r->inval_paired++;
				break;
			}
		}
	}
	r->inval_starts += starts;
	r->inval_ends += ends;
	r->inval_unmatched = r->inval_starts + r->inval_ends -
			     2 * r->inval_paired;
	free(used);
	tlbt_kp_inval_free(&iv);
}

static void tlbt_kp_meter_end(struct tlbt_kp_meter *m, struct tlbt_kp_result *r)
{
	r->secs = (tlbt_kp_now_ns() - m->t0) / 1e9;
	if (m->tr.ok)
		tlbt_kp_trace_stop(&m->tr, &r->fl);
}

static void tlbt_kp_meter_close(struct tlbt_kp_meter *m)
{
	tlbt_kp_trace_close(&m->tr);
	if (m->nfd >= 0)
		close(m->nfd);
	m->nfd = -1;
	if (m->no_numa_scan)
		tlbt_kp_numa_scan_again();
	m->no_numa_scan = false;
}

/* ---- memory ---- */

/*
 * Two 2 MiB-aligned slots: the region at @a, and a hole at @b that the
 * region can be moved to with MREMAP_FIXED. The hole is left unmapped
 * rather than reserved PROT_NONE: MREMAP_FIXED would unmap a placeholder
 * first, and that unmap would count as invalidated bytes of the move.
 * Nothing in these scenarios maps memory while the region moves (workers
 * only load and store), so nothing else can land in the hole.
 */
struct tlbt_kp_map {
	enum tlbt_kp_mem mem;
	size_t len;
	char *a, *b;
	int fd;
};

static void tlbt_kp_unmap(struct tlbt_kp_map *m, void *at)
{
	if (at)
		munmap(at, m->len);
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

static int tlbt_kp_map_two(struct tlbt_kp_map *m, enum tlbt_kp_mem mem,
			   size_t pages, int prot)
{
	size_t slot, total;
	char *res, *a, *p;
	int flags = MAP_FIXED, ret;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	m->mem = mem;
	m->len = pages * TLBT_KP_PAGE;
	slot = (m->len + TLBT_KP_PMD - 1) & ~(TLBT_KP_PMD - 1);
	total = 2 * slot + TLBT_KP_PMD;
	res = mmap(NULL, total, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED)
		return -errno;
	a = (char *)(((unsigned long)res + TLBT_KP_PMD - 1) &
		     ~(TLBT_KP_PMD - 1));
	if (mem == TLBT_KP_SHMEM) {
		m->fd = memfd_create("tlbt_kpath", MFD_CLOEXEC);
		if (m->fd < 0 || ftruncate(m->fd, m->len)) {
			ret = -errno;
			goto err_unmap;
		}
		flags |= MAP_SHARED;
	} else {
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
	}
	p = mmap(a, m->len, prot, flags, m->fd, 0);
	if (p != a) {
		ret = p == MAP_FAILED ? -errno : -EEXIST;
		goto err_unmap;
	}
	if (mem == TLBT_KP_THP)
		madvise(a, m->len, MADV_HUGEPAGE);
	else if (mem == TLBT_KP_ANON)
		madvise(a, m->len, MADV_NOHUGEPAGE);	/* no khugepaged */
	/* Everything but the region goes: @b becomes a hole. */
	if (a > res)
		munmap(res, a - res);
	munmap(a + m->len, res + total - (a + m->len));
	m->a = a;
	m->b = a + slot;
	return 0;

err_unmap:
	munmap(res, total);
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	return ret;
}

/* Is the whole region backed by huge pages? */
static bool tlbt_kp_is_thp(const void *addr, size_t len)
{
	long kb = tlbt_kp_anon_huge_kb(addr);

	return kb >= 0 && (size_t)kb * 1024 >= len;
}

static size_t tlbt_kp_pages(const struct tlbt_kp_opts *op)
{
	size_t pages = op->pages ? op->pages : TLBT_KP_DEF_PAGES;

	if (op->mem == TLBT_KP_THP)
		pages = (pages + 511) / 512 * 512;
	return pages;
}

static unsigned int tlbt_kp_rounds(const struct tlbt_kp_opts *op)
{
	return op->rounds ? op->rounds : TLBT_KP_DEF_ROUNDS;
}

/* The calling thread on cpus[0], workers on the rest. */
static int tlbt_kp_cpus_split(struct tlbt_kp_result *r, int *cpus, int need)
{
	int nr = tlbt_kp_cpus(cpus, TLBT_KP_MAX_CPUS);

	if (nr < 0)
		return nr;
	if (nr < need) {
		snprintf(r->skip, sizeof(r->skip), "needs %d CPUs, has %d",
			 need, nr);
		return -EOPNOTSUPP;
	}
	return nr;
}

/* Until every worker finished a pass it began after this call. */
static int tlbt_kp_wait_passes(struct tlbt_kp_workers *ws)
{
	unsigned long long snap[TLBT_KP_COUNTERS];
	unsigned long long t0 = tlbt_kp_now_ns();
	unsigned int i;

	for (i = 0; i < ws->nr; i++)
		snap[i] = __atomic_load_n(&ws->w[i].passes, __ATOMIC_RELAXED);
	for (i = 0; i < ws->nr; i++) {
		while (__atomic_load_n(&ws->w[i].passes, __ATOMIC_RELAXED) <
		       snap[i] + 2) {
			if (tlbt_kp_now_ns() - t0 > TLBT_KP_WAIT_NS)
				return -ETIMEDOUT;
			sched_yield();
		}
	}
	return 0;
}

/* ---- mremap ---- */

/**
 * tlbt_kp_run_mremap - move a region back and forth under workers
 * @op: mem (anon, shmem, thp), pages, rounds, max_ms, trace, notifier
 * @r: the result; ops counts mremap() calls
 *
 * mremap(MREMAP_MAYMOVE | MREMAP_FIXED) between two 2 MiB-aligned slots,
 * publishing the new base after each move. A worker caught mid-access
 * faults on the old address and retries at the new one. Between moves,
 * every worker completes a pass at the new address, so each move races
 * workers that hold TLB entries for every page.
 */
int tlbt_kp_run_mremap(const struct tlbt_kp_opts *op, struct tlbt_kp_result *r)
{
	size_t pages = tlbt_kp_pages(op);
	unsigned int rounds = tlbt_kp_rounds(op), i;
	int cpus[TLBT_KP_MAX_CPUS], nr, ret;
	struct tlbt_kp_region rg;
	struct tlbt_kp_workers ws;
	struct tlbt_kp_meter m;
	struct tlbt_kp_map map;
	char *cur, *other;
	char name[48];

	snprintf(name, sizeof(name), "mremap %s", tlbt_kp_mem_name(op->mem));
	tlbt_kp_result_init(r, name, pages);
	nr = tlbt_kp_cpus_split(r, cpus, 2);
	if (nr < 0)
		return nr;
	if (op->mem == TLBT_KP_THP && !tlbt_kp_thp_possible())
		return tlbt_kp_skip(r, "THP is disabled (transparent_hugepage/enabled: never)");
	ret = tlbt_kp_map_two(&map, op->mem, pages, PROT_READ | PROT_WRITE);
	if (ret)
		return ret;
	ret = tlbt_kp_pin(cpus[0]);
	if (ret)
		goto out_unmap;
	tlbt_kp_fill_counted((volatile uint64_t *)map.a, pages);
	if (op->mem == TLBT_KP_THP && !tlbt_kp_is_thp(map.a, map.len)) {
		ret = tlbt_kp_skip(r, "could not get a THP for the region");
		goto out_unmap;
	}
	cur = map.a;
	other = map.b;
	rg.base = (volatile uint64_t *)cur;
	rg.pages = pages;
	tlbt_kp_meter_open(&m, op, map.a, map.b, map.len);
	ret = tlbt_kp_workers_start(&ws, &rg, TLBT_KP_INCREMENT, cpus + 1,
				    nr - 1);
	if (ret)
		goto out_meter;
	tlbt_kp_meter_begin(&m);
	for (i = 0; i < rounds && !tlbt_kp_expired(op, m.t0); i++) {
		char *p;

		ret = tlbt_kp_wait_passes(&ws);
		if (ret)
			break;
		tlbt_kp_op_begin(&m);
		p = mremap(cur, map.len, map.len,
			   MREMAP_MAYMOVE | MREMAP_FIXED, other);
		tlbt_kp_op_end(&m, r);
		if (p != other) {
			ret = p == MAP_FAILED ? -errno : -EFAULT;
			break;
		}
		__atomic_store_n(&rg.base, (volatile uint64_t *)other,
				 __ATOMIC_RELEASE);
		other = cur;
		cur = p;
		r->ops++;
	}
	tlbt_kp_meter_end(&m, r);
	r->rounds = i;
	if (!ret)
		ret = tlbt_kp_workers_stop(&ws, &r->o);
	else
		tlbt_kp_workers_stop(&ws, &r->o);
	if (op->mem == TLBT_KP_THP)
		r->thp_kept = tlbt_kp_is_thp(cur, map.len);
out_meter:
	tlbt_kp_meter_close(&m);
	tlbt_kp_unmap(&map, cur);
	tlbt_kp_unpin();
	return ret;
out_unmap:
	tlbt_kp_unmap(&map, map.a);
	tlbt_kp_unpin();
	return ret;
}

/* ---- migration ---- */

/* Pages to hand move_pages(): every 4 KiB page, or one per THP. */
static size_t tlbt_kp_addrs(const struct tlbt_kp_map *map, size_t pages,
			    void **addrs)
{
	size_t step = map->mem == TLBT_KP_THP ? 512 : 1, n = 0, p;

	for (p = 0; p < pages; p += step)
		addrs[n++] = map->a + p * TLBT_KP_PAGE;
	return n;
}

/* The node page 0 is on, and the other node of the first two. */
static int tlbt_kp_other_node(void *addr, const int *nodes, int *target)
{
	int status = -1;

	if (tlbt_kp_move_pages(1, &addr, NULL, &status, 0) || status < 0)
		return status < 0 ? status : -errno;
	*target = status == nodes[0] ? nodes[1] : nodes[0];
	return 0;
}

/* One move_pages() to @target; tallies the status array. */
static int tlbt_kp_move_all(struct tlbt_kp_result *r, void **addrs, size_t n,
			    int *targets, int *status, int target, size_t per)
{
	long ret;
	size_t i;

	for (i = 0; i < n; i++) {
		targets[i] = target;
		status[i] = INT_MIN;
	}
	ret = tlbt_kp_move_pages(n, addrs, targets, status, MPOL_MF_MOVE);
	if (ret < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		if (status[i] == target) {
			r->moved += per;
		} else {
			r->not_moved += per;
			if (!r->first_errno && status[i] < 0)
				r->first_errno = -status[i];
		}
	}
	return 0;
}

static int tlbt_kp_migrate_setup(const struct tlbt_kp_opts *op,
				 struct tlbt_kp_result *r,
				 struct tlbt_kp_map *map, size_t pages,
				 int *nodes)
{
	int ret;

	if (tlbt_kp_nodes(nodes, 64) < 2)
		return tlbt_kp_skip(r, "needs 2 NUMA nodes with memory");
	if (op->mem == TLBT_KP_SHMEM)
		return tlbt_kp_skip(r, "migration scenario takes anon or thp");
	if (op->mem == TLBT_KP_THP && !tlbt_kp_thp_possible())
		return tlbt_kp_skip(r, "THP is disabled (transparent_hugepage/enabled: never)");
	ret = tlbt_kp_map_two(map, op->mem, pages, PROT_READ | PROT_WRITE);
	if (ret)
		return ret;
	tlbt_kp_fill_counted((volatile uint64_t *)map->a, pages);
	if (op->mem == TLBT_KP_THP && !tlbt_kp_is_thp(map->a, map->len)) {
		tlbt_kp_unmap(map, map->a);
		return tlbt_kp_skip(r, "could not get a THP for the region");
	}
	return 0;
}

/**
 * tlbt_kp_run_migrate - move_pages() back and forth under workers
 * @op: mem (anon or thp), pages, rounds, max_ms, trace, notifier
 * @r: the result; ops counts move_pages() calls, moved and not_moved the
 *     pages whose status entry did and did not show the target node
 *
 * Every round moves every page to the node it is not on, so a status
 * entry equal to the target is a node change.
 */
int tlbt_kp_run_migrate(const struct tlbt_kp_opts *op,
			struct tlbt_kp_result *r)
{
	size_t pages = tlbt_kp_pages(op), n, per;
	unsigned int rounds = tlbt_kp_rounds(op), i;
	int cpus[TLBT_KP_MAX_CPUS], nodes[64], nr, ret, target;
	int *targets = NULL, *status = NULL;
	struct tlbt_kp_region rg;
	struct tlbt_kp_workers ws;
	struct tlbt_kp_meter m;
	struct tlbt_kp_map map;
	void **addrs = NULL;
	char name[48];

	snprintf(name, sizeof(name), "move_pages %s",
		 tlbt_kp_mem_name(op->mem));
	tlbt_kp_result_init(r, name, pages);
	nr = tlbt_kp_cpus_split(r, cpus, 2);
	if (nr < 0)
		return nr;
	ret = tlbt_kp_pin(cpus[0]);
	if (ret)
		return ret;
	/*
	 * NUMA balancing off (the workers inherit it): with workers on both
	 * nodes it migrates the THP itself now and then, and move_pages()
	 * then finds a PMD migration entry and reports -EFAULT for all of it.
	 */
	tlbt_kp_no_numa_scan();
	ret = tlbt_kp_migrate_setup(op, r, &map, pages, nodes);
	if (ret) {
		tlbt_kp_numa_scan_again();
		tlbt_kp_unpin();
		return ret;
	}
	per = op->mem == TLBT_KP_THP ? 512 : 1;
	addrs = calloc(pages, sizeof(*addrs));
	targets = calloc(pages, sizeof(*targets));
	status = calloc(pages, sizeof(*status));
	if (!addrs || !targets || !status) {
		ret = -ENOMEM;
		goto out_free;
	}
	n = tlbt_kp_addrs(&map, pages, addrs);
	ret = tlbt_kp_other_node(addrs[0], nodes, &target);
	if (ret)
		goto out_free;

	rg.base = (volatile uint64_t *)map.a;
	rg.pages = pages;
	tlbt_kp_meter_open(&m, op, map.a, NULL, map.len);
	ret = tlbt_kp_workers_start(&ws, &rg, TLBT_KP_INCREMENT, cpus + 1,
				    nr - 1);
	if (ret)
		goto out_meter;
	tlbt_kp_meter_begin(&m);
	for (i = 0; i < rounds && !tlbt_kp_expired(op, m.t0); i++) {
		ret = tlbt_kp_wait_passes(&ws);
		if (ret)
			break;
		tlbt_kp_op_begin(&m);
		ret = tlbt_kp_move_all(r, addrs, n, targets, status, target,
				       per);
		tlbt_kp_op_end(&m, r);
		if (ret)
			break;
		r->ops++;
		target = target == nodes[0] ? nodes[1] : nodes[0];
	}
	tlbt_kp_meter_end(&m, r);
	r->rounds = i;
	if (!ret)
		ret = tlbt_kp_workers_stop(&ws, &r->o);
	else
		tlbt_kp_workers_stop(&ws, &r->o);
	if (op->mem == TLBT_KP_THP)
		r->thp_kept = tlbt_kp_is_thp(map.a, map.len);
out_meter:
	tlbt_kp_meter_close(&m);
out_free:
	free(addrs);
	free(targets);
	free(status);
	tlbt_kp_unmap(&map, map.a);
	tlbt_kp_numa_scan_again();
	tlbt_kp_unpin();
	return ret;
}

/*
 * Count what a region's content says about corruption when no worker
 * ran: the pattern slots must be intact.
 */
static unsigned long long tlbt_kp_bad_pattern(volatile uint64_t *base,
					      size_t pages)
{
	unsigned long long bad = 0;
	size_t p, s;

	for (p = 0; p < pages; p++)
		for (s = TLBT_KP_COUNTERS; s < TLBT_KP_SLOTS; s++)
			bad += base[p * TLBT_KP_SLOTS + s] !=
			       tlbt_kp_pattern(p, s, 0);
	return bad;
}

/**
 * tlbt_kp_run_migrate_once - one traced move_pages() of the whole region
 * @op: mem (anon or thp), pages, trace, notifier
 * @r: the result; ops is 1
 *
 * No worker touches the pages, so the count is exact: spinners on the
 * other CPUs keep the mm loaded there, which makes every flush of it
 * remote.
 */
int tlbt_kp_run_migrate_once(const struct tlbt_kp_opts *op,
			     struct tlbt_kp_result *r)
{
	size_t pages = tlbt_kp_pages(op), n, per;
	int cpus[TLBT_KP_MAX_CPUS], nodes[64], nr, ret, target;
	int *targets = NULL, *status = NULL;
	struct tlbt_kp_spinners *sp;
	struct tlbt_kp_meter m;
	struct tlbt_kp_map map;
	void **addrs = NULL;
	char name[48];

	snprintf(name, sizeof(name), "move_pages %s once",
		 tlbt_kp_mem_name(op->mem));
	tlbt_kp_result_init(r, name, pages);
	nr = tlbt_kp_cpus_split(r, cpus, 2);
	if (nr < 0)
		return nr;
	ret = tlbt_kp_pin(cpus[0]);
	if (ret)
		return ret;
	tlbt_kp_no_numa_scan();
	ret = tlbt_kp_migrate_setup(op, r, &map, pages, nodes);
	if (ret) {
		tlbt_kp_numa_scan_again();
		tlbt_kp_unpin();
		return ret;
	}
	per = op->mem == TLBT_KP_THP ? 512 : 1;
	sp = malloc(sizeof(*sp));
	addrs = calloc(pages, sizeof(*addrs));
	targets = calloc(pages, sizeof(*targets));
	status = calloc(pages, sizeof(*status));
	if (!sp || !addrs || !targets || !status) {
		ret = -ENOMEM;
		goto out_free;
	}
	n = tlbt_kp_addrs(&map, pages, addrs);
	ret = tlbt_kp_other_node(addrs[0], nodes, &target);
	if (ret)
		goto out_free;
	tlbt_kp_meter_open(&m, op, map.a, NULL, map.len);
	ret = tlbt_kp_spinners_start(sp, cpus + 1, nr - 1);
	if (ret)
		goto out_meter;
	tlbt_kp_meter_begin(&m);
	tlbt_kp_op_begin(&m);
	ret = tlbt_kp_move_all(r, addrs, n, targets, status, target, per);
	tlbt_kp_op_end(&m, r);
	r->ops = 1;
	r->rounds = 1;
	tlbt_kp_meter_end(&m, r);
	tlbt_kp_spinners_stop(sp);
	r->o.bad_reads = tlbt_kp_bad_pattern((volatile uint64_t *)map.a,
					     pages);
	if (op->mem == TLBT_KP_THP)
		r->thp_kept = tlbt_kp_is_thp(map.a, map.len);
out_meter:
	tlbt_kp_meter_close(&m);
out_free:
	free(sp);
	free(addrs);
	free(targets);
	free(status);
	tlbt_kp_unmap(&map, map.a);
	tlbt_kp_numa_scan_again();
	tlbt_kp_unpin();
	return ret;
}

/* ---- reclaim ---- */

static unsigned long long tlbt_kp_count_swapped(const void *addr,
						size_t pages)
{
	unsigned long long n = 0;
	uint64_t *pm;
	size_t i;

	pm = calloc(pages, sizeof(*pm));
	if (!pm || tlbt_kp_pagemap(addr, pages, pm)) {
		free(pm);
		return 0;
	}
	for (i = 0; i < pages; i++)
		n += (pm[i] & TLBT_KP_PM_SWAP) && !(pm[i] & TLBT_KP_PM_PRESENT);
	free(pm);
	return n;
}

/**
 * tlbt_kp_run_pageout - MADV_PAGEOUT of each page under workers
 * @op: pages, rounds, max_ms, trace, notifier
 * @r: the result; ops counts madvise() calls (one page each), swapped
 *     those after which pagemap showed a swap entry, pswpout the pages
 *     vmstat says were written out, majflt the faults that read a page
 *     back from swap
 *
 * Workers never pause: each madvise() races their accesses, and under
 * them reclaim often keeps the page (a worker refaulting it holds a
 * reference, or a page it refaulted waits in its CPU's LRU batch where
 * MADV_PAGEOUT cannot isolate it), so swapped and pswpout measure how
 * much got out, not whether reclaim works. Whether it loses data is
 * race.reclaim_dirty's verdict (libkpath_race.c).
 */
int tlbt_kp_run_pageout(const struct tlbt_kp_opts *op,
			struct tlbt_kp_result *r)
{
	size_t pages = op->pages ? op->pages : TLBT_KP_DEF_PAGES, p;
	unsigned int rounds = tlbt_kp_rounds(op), i;
	int cpus[TLBT_KP_MAX_CPUS], nr, ret;
	unsigned long long out0 = 0, out1 = 0;
	struct rusage ru0, ru1;
	struct tlbt_kp_region rg;
	struct tlbt_kp_workers ws;
	struct tlbt_kp_meter m;
	struct tlbt_kp_map map;

	tlbt_kp_result_init(r, "MADV_PAGEOUT", 1);
	nr = tlbt_kp_cpus_split(r, cpus, 2);
	if (nr < 0)
		return nr;
	if (!tlbt_kp_have_swap())
		return tlbt_kp_skip(r, "no swap (see /proc/swaps)");
	ret = tlbt_kp_pin(cpus[0]);
	if (ret)
		return ret;
	ret = tlbt_kp_map_two(&map, TLBT_KP_ANON, pages,
			      PROT_READ | PROT_WRITE);
	if (ret) {
		tlbt_kp_unpin();
		return ret;
	}
	tlbt_kp_fill_counted((volatile uint64_t *)map.a, pages);
	rg.base = (volatile uint64_t *)map.a;
	rg.pages = pages;
	tlbt_kp_meter_open(&m, op, map.a, NULL, map.len);
	ret = tlbt_kp_workers_start(&ws, &rg, TLBT_KP_INCREMENT, cpus + 1,
				    nr - 1);
	if (ret)
		goto out_meter;
	tlbt_kp_vmstat("pswpout", &out0);
	getrusage(RUSAGE_SELF, &ru0);
	tlbt_kp_meter_begin(&m);
	for (i = 0; i < rounds && !tlbt_kp_expired(op, m.t0); i++) {
		ret = tlbt_kp_wait_passes(&ws);
		for (p = 0; !ret && p < pages; p++) {
			char *pg = map.a + p * TLBT_KP_PAGE;

			tlbt_kp_op_begin(&m);
			if (madvise(pg, TLBT_KP_PAGE, MADV_PAGEOUT))
				ret = -errno;
			tlbt_kp_op_end(&m, r);
			r->ops++;
			r->swapped += tlbt_kp_count_swapped(pg, 1);
		}
		if (ret)
			break;
	}
	tlbt_kp_meter_end(&m, r);
	tlbt_kp_vmstat("pswpout", &out1);
	getrusage(RUSAGE_SELF, &ru1);
	r->pswpout = out1 - out0;
	r->majflt = ru1.ru_majflt - ru0.ru_majflt;
	r->rounds = i;
	if (!ret)
		ret = tlbt_kp_workers_stop(&ws, &r->o);
	else
		tlbt_kp_workers_stop(&ws, &r->o);
out_meter:
	tlbt_kp_meter_close(&m);
	tlbt_kp_unmap(&map, map.a);
	tlbt_kp_unpin();
	return ret;
}

/**
 * tlbt_kp_run_pageout_once - one traced MADV_PAGEOUT of the region
 * @op: mem (anon or thp), pages, trace, notifier, clean
 * @r: the result; ops is 1, swapped the pages pagemap shows in swap
 *     after it, o.bad_reads the pattern slots wrong after the refault
 *
 * Dirty: the pages were just written, so their PTEs are dirty. Clean:
 * paged out once, then read back: a read fault from swap maps a clean
 * PTE. Spinners on the other CPUs keep the mm loaded there.
 */
int tlbt_kp_run_pageout_once(const struct tlbt_kp_opts *op,
			     struct tlbt_kp_result *r)
{
	size_t pages = tlbt_kp_pages(op), p;
	unsigned long long out0 = 0, out1 = 0;
	int cpus[TLBT_KP_MAX_CPUS], nr, ret;
	struct tlbt_kp_spinners *sp;
	struct tlbt_kp_meter m;
	struct tlbt_kp_map map;
	volatile uint64_t *base;
	char name[48];

	snprintf(name, sizeof(name), "MADV_PAGEOUT %s %s PTEs",
		 op->mem == TLBT_KP_THP ? "thp" : "once",
		 op->clean ? "clean" : "dirty");
	tlbt_kp_result_init(r, name, pages);
	nr = tlbt_kp_cpus_split(r, cpus, 2);
	if (nr < 0)
		return nr;
	if (!tlbt_kp_have_swap())
		return tlbt_kp_skip(r, "no swap (see /proc/swaps)");
	if (op->mem == TLBT_KP_SHMEM)
		return tlbt_kp_skip(r, "pageout scenario takes anon or thp");
	if (op->mem == TLBT_KP_THP && !tlbt_kp_thp_possible())
		return tlbt_kp_skip(r, "THP is disabled (transparent_hugepage/enabled: never)");
	ret = tlbt_kp_pin(cpus[0]);
	if (ret)
		return ret;
	tlbt_kp_no_numa_scan();
	sp = malloc(sizeof(*sp));
	if (!sp) {
		ret = -ENOMEM;
		goto out_free;
	}
	ret = tlbt_kp_map_two(&map, op->mem, pages, PROT_READ | PROT_WRITE);
	if (ret)
		goto out_free;
	base = (volatile uint64_t *)map.a;
	tlbt_kp_fill_counted(base, pages);
	if (op->mem == TLBT_KP_THP && !tlbt_kp_is_thp(map.a, map.len)) {
		ret = tlbt_kp_skip(r, "could not get a THP for the region");
		goto out_unmap;
	}
	if (op->clean) {
		uint64_t sum = 0;

		if (madvise(map.a, map.len, MADV_PAGEOUT)) {
			ret = -errno;
			goto out_unmap;
		}
		for (p = 0; p < pages; p++)
			sum += base[p * TLBT_KP_SLOTS + TLBT_KP_COUNTERS];
		(void)sum;
	}
	tlbt_kp_meter_open(&m, op, map.a, NULL, map.len);
	ret = tlbt_kp_spinners_start(sp, cpus + 1, nr - 1);
	if (ret)
		goto out_meter;
	tlbt_kp_vmstat("pswpout", &out0);
	tlbt_kp_meter_begin(&m);
	tlbt_kp_op_begin(&m);
	if (madvise(map.a, map.len, MADV_PAGEOUT))
		ret = -errno;
	tlbt_kp_op_end(&m, r);
	r->ops = 1;
	r->rounds = 1;
	tlbt_kp_meter_end(&m, r);
	tlbt_kp_vmstat("pswpout", &out1);
	tlbt_kp_spinners_stop(sp);
	r->pswpout = out1 - out0;
	r->swapped = tlbt_kp_count_swapped(map.a, pages);
	r->o.bad_reads = tlbt_kp_bad_pattern(base, pages);
out_meter:
	tlbt_kp_meter_close(&m);
out_unmap:
	tlbt_kp_unmap(&map, map.a);
out_free:
	free(sp);
	tlbt_kp_numa_scan_again();
	tlbt_kp_unpin();
	return ret;
}

/* ---- zap: MADV_DONTNEED and munmap ---- */

/*
 * Round r: the issuer stamps slot 0 of every page with round r; remote
 * threads read every page and write their own slot (TLB entries for all
 * pages on every CPU); the issuer zaps while they go on, then announces
 * it. Each remote thread, once it sees the announcement, checks every
 * page from its own CPU: slot 0 must read 0, since the old page is gone
 * (a stale TLB entry would still show the stamp), and writes its slot,
 * which the issuer must then find (a write through a stale entry would
 * land in the freed page).
 *
 * Remote threads write a page before they read it: a read of a zapped
 * page maps the zero page, and the write after it would copy that with
 * a flush of its own, an IPI per page per thread, which under TCG costs
 * more than the rest of the test.
 */
struct tlbt_kp_zap;

struct tlbt_kp_zapper {
	struct tlbt_kp_zap *z;
	pthread_t thread;
	int cpu;
	unsigned int idx;
	int err;
	int raced;		/* last round with a full pass before the zap */
	int acked;		/* last round checked */
	unsigned long long stale, foreign, checks, faults;
};

struct tlbt_kp_zap {
	volatile uint64_t *base;
	size_t pages;
	int round;
	int epoch;
	int quit;
	int ready;
	unsigned int nr;
	struct tlbt_kp_zapper *t;
};

static uint64_t tlbt_kp_zap_stamp(size_t p, int round)
{
	return tlbt_kp_pattern(p, 0, round);
}

static uint64_t tlbt_kp_zap_mark(size_t p, unsigned int idx, int round)
{
	return tlbt_kp_pattern(p, 1 + idx, round);
}

static void *tlbt_kp_zapper_main(void *arg)
{
	struct tlbt_kp_zapper *t = arg;
	struct tlbt_kp_zap *z = t->z;
	volatile uint64_t *base = z->base;
	sigjmp_buf jb;
	size_t p;

	t->err = tlbt_kp_pin(t->cpu);
	__atomic_add_fetch(&z->ready, 1, __ATOMIC_RELEASE);
	if (t->err)
		return NULL;
	if (sigsetjmp(jb, 0)) {
		/* munmap: the region is gone until the issuer maps it again */
		t->faults++;
		sched_yield();
	}
	tlbt_kp_jmp_set(&jb);
	while (!__atomic_load_n(&z->quit, __ATOMIC_ACQUIRE)) {
		int r = __atomic_load_n(&z->round, __ATOMIC_ACQUIRE);

		if (!r || t->acked == r)
			continue;
		if (__atomic_load_n(&z->epoch, __ATOMIC_ACQUIRE) == r) {
			for (p = 0; p < z->pages; p++) {
				volatile uint64_t *pg = base + p * TLBT_KP_SLOTS;
				uint64_t v;

				pg[1 + t->idx] = tlbt_kp_zap_mark(p, t->idx, r);
				v = pg[0];
				t->checks++;
				if (v == tlbt_kp_zap_stamp(p, r))
					t->stale++;
				else if (v)
					t->foreign++;
			}
			__atomic_store_n(&t->acked, r, __ATOMIC_RELEASE);
			continue;
		}
		for (p = 0; p < z->pages; p++) {
			volatile uint64_t *pg = base + p * TLBT_KP_SLOTS;

			pg[1 + t->idx] = tlbt_kp_zap_mark(p, t->idx, r) ^ 1;
			(void)pg[0];
		}
		__atomic_store_n(&t->raced, r, __ATOMIC_RELEASE);
	}
	tlbt_kp_jmp_set(NULL);
	return NULL;
}

static int tlbt_kp_zap_wait(struct tlbt_kp_zap *z, bool acked, int r)
{
	unsigned long long t0 = tlbt_kp_now_ns();
	unsigned int i;

	for (i = 0; i < z->nr; i++) {
		int *v = acked ? &z->t[i].acked : &z->t[i].raced;

		while (__atomic_load_n(v, __ATOMIC_ACQUIRE) != r) {
			if (tlbt_kp_now_ns() - t0 > TLBT_KP_WAIT_NS)
				return -ETIMEDOUT;
			sched_yield();
		}
	}
	return 0;
}

static int tlbt_kp_zap_once(struct tlbt_kp_zap *z, size_t len, bool unmap)
{
	void *p;

	if (!unmap)
		return madvise((void *)z->base, len, MADV_DONTNEED) ? -errno : 0;
	if (munmap((void *)z->base, len))
		return -errno;
	p = mmap((void *)z->base, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (p != (void *)z->base) {
		munmap(p, len);
		return -EEXIST;
	}
	madvise(p, len, MADV_NOHUGEPAGE);
	return 0;
}

/**
 * tlbt_kp_run_zap - MADV_DONTNEED or munmap() raced by remote access
 * @op: pages, rounds, max_ms, trace, notifier, munmap; unsafe announces
 *      the zap before doing it (the positive control)
 * @r: the result; ops counts zaps, checks the remote page checks,
 *     remote_stale those that still saw the zapped data, remote_foreign
 *     those that saw anything else, lost_writes the remote writes made
 *     after the zap that the issuer did not find
 *
 * In the style of will-it-scale's tlb_flush tests, but checked from the
 * remote CPUs.
 */
int tlbt_kp_run_zap(const struct tlbt_kp_opts *op, struct tlbt_kp_result *r)
{
	size_t pages = op->pages ? op->pages : TLBT_KP_DEF_PAGES, p;
	unsigned int rounds = tlbt_kp_rounds(op), i, w;
	int cpus[TLBT_KP_MAX_CPUS], nr, ret = 0, started;
	struct tlbt_kp_meter m;
	struct tlbt_kp_map map;
	struct tlbt_kp_zap z;

	tlbt_kp_result_init(r, op->munmap ? "munmap" : "MADV_DONTNEED", pages);
	if (op->unsafe)
		snprintf(r->op, sizeof(r->op), "%s checked early",
			 op->munmap ? "munmap" : "MADV_DONTNEED");
	nr = tlbt_kp_cpus_split(r, cpus, 2);
	if (nr < 0)
		return nr;
	if (nr - 1 > TLBT_KP_SLOTS - 1)
		nr = TLBT_KP_SLOTS;
	ret = tlbt_kp_pin(cpus[0]);
	if (ret)
		return ret;
	ret = tlbt_kp_map_two(&map, TLBT_KP_ANON, pages,
			      PROT_READ | PROT_WRITE);
	if (ret) {
		tlbt_kp_unpin();
		return ret;
	}
	memset(&z, 0, sizeof(z));
	z.base = (volatile uint64_t *)map.a;
	z.pages = pages;
	z.nr = nr - 1;
	z.t = calloc(z.nr, sizeof(*z.t));
	if (!z.t) {
		ret = -ENOMEM;
		goto out_unmap;
	}
	tlbt_kp_fault_handler_install();
	tlbt_kp_meter_open(&m, op, map.a, NULL, map.len);
	for (started = 0; started < (int)z.nr; started++) {
		z.t[started].z = &z;
		z.t[started].idx = started;
		z.t[started].cpu = cpus[1 + started];
		ret = -pthread_create(&z.t[started].thread, NULL,
				      tlbt_kp_zapper_main, &z.t[started]);
		if (ret)
			break;
	}
	while (__atomic_load_n(&z.ready, __ATOMIC_ACQUIRE) < started)
		sched_yield();
	for (w = 0; !ret && w < z.nr; w++)
		ret = z.t[w].err;
	if (ret)
		goto out_join;

	tlbt_kp_meter_begin(&m);
	for (i = 1; i <= rounds && !tlbt_kp_expired(op, m.t0); i++) {
		for (p = 0; p < pages; p++)
			z.base[p * TLBT_KP_SLOTS] = tlbt_kp_zap_stamp(p, i);
		__atomic_store_n(&z.round, i, __ATOMIC_RELEASE);
		ret = tlbt_kp_zap_wait(&z, false, i);
		if (ret)
			break;
		if (op->unsafe) {
			/*
			 * Wrong on purpose: announced, and checked, before
			 * the zap, as if its flush came too late for them.
			 */
			__atomic_store_n(&z.epoch, i, __ATOMIC_RELEASE);
			ret = tlbt_kp_zap_wait(&z, true, i);
			if (ret)
				break;
		}
		tlbt_kp_op_begin(&m);
		ret = tlbt_kp_zap_once(&z, map.len, op->munmap);
		tlbt_kp_op_end(&m, r);
		if (ret)
			break;
		r->ops++;
		__atomic_store_n(&z.epoch, i, __ATOMIC_RELEASE);
		ret = tlbt_kp_zap_wait(&z, true, i);
		if (ret)
			break;
		for (p = 0; p < pages; p++)
			for (w = 0; w < z.nr; w++)
				r->lost_writes += z.base[p * TLBT_KP_SLOTS + 1 + w] !=
						  tlbt_kp_zap_mark(p, w, i);
	}
	tlbt_kp_meter_end(&m, r);
	r->rounds = i - 1;
out_join:
	__atomic_store_n(&z.quit, 1, __ATOMIC_RELEASE);
	for (w = 0; w < (unsigned int)started; w++) {
		pthread_join(z.t[w].thread, NULL);
		r->checks += z.t[w].checks;
		r->remote_stale += z.t[w].stale;
		r->remote_foreign += z.t[w].foreign;
		r->o.faults += z.t[w].faults;
	}
	r->o.workers = started;
	/* so that tlbt_oracle_corruption() is the zap's verdict too */
	r->o.stale_reads = r->remote_stale;
	r->o.bad_reads = r->remote_foreign;
	r->o.lost_increments = r->lost_writes;
	tlbt_kp_meter_close(&m);
	free(z.t);
out_unmap:
	tlbt_kp_unmap(&map, map.a);
	tlbt_kp_unpin();
	return ret;
}

/* ---- positive controls ---- */

/**
 * tlbt_kp_control_copy_before_publish - a user-space "migration" that
 *	copies the region and publishes the copy while workers still write
 *	the old one
 * @op: pages, rounds
 * @r: the result; the workers' increments after the copy are lost
 *
 * The hazard of copy-before-flush, with the old address still mapped:
 * the same workers and judgement as the kernel-path scenarios must see
 * lost increments.
 */
int tlbt_kp_control_copy_before_publish(const struct tlbt_kp_opts *op,
					struct tlbt_kp_result *r)
{
	size_t pages = op->pages ? op->pages : TLBT_KP_DEF_PAGES;
	unsigned int rounds = tlbt_kp_rounds(op), i;
	int cpus[TLBT_KP_MAX_CPUS], nr, ret;
	struct tlbt_kp_region rg;
	struct tlbt_kp_workers ws;
	size_t len = pages * TLBT_KP_PAGE;
	char *a, *b, *cur, *other;

	tlbt_kp_result_init(r, "copy before publish", pages);
	nr = tlbt_kp_cpus_split(r, cpus, 2);
	if (nr < 0)
		return nr;
	a = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		return -errno;
	b = a + len;
	ret = tlbt_kp_pin(cpus[0]);
	if (ret)
		goto out;
	tlbt_kp_fill_counted((volatile uint64_t *)a, pages);
	rg.base = (volatile uint64_t *)a;
	rg.pages = pages;
	ret = tlbt_kp_workers_start(&ws, &rg, TLBT_KP_INCREMENT, cpus + 1,
				    nr - 1);
	if (ret)
		goto out;
	cur = a;
	other = b;
	for (i = 0; i < rounds && !ret; i++) {
		ret = tlbt_kp_wait_passes(&ws);
		memcpy(other, cur, len);
		/* the flush that a real migration would do now comes late */
		tlbt_kp_spin_ns(1000 * 1000);
		__atomic_store_n(&rg.base, (volatile uint64_t *)other,
				 __ATOMIC_RELEASE);
		other = cur;
		cur = (char *)rg.base;
		r->ops++;
	}
	r->rounds = i;
	if (!ret)
		ret = tlbt_kp_workers_stop(&ws, &r->o);
	else
		tlbt_kp_workers_stop(&ws, &r->o);
out:
	munmap(a, 2 * len);
	tlbt_kp_unpin();
	return ret;
}

/**
 * tlbt_kp_control_planted - readers must report a value planted in a
 *	page they read
 * @op: pages
 * @r: the result; o.first_bad is the planted value when it was seen
 */
int tlbt_kp_control_planted(const struct tlbt_kp_opts *op,
			    struct tlbt_kp_result *r)
{
	size_t pages = op->pages ? op->pages : 16;
	int cpus[TLBT_KP_MAX_CPUS], nr, ret, n;
	unsigned long long t0;
	struct tlbt_kp_region rg;
	struct tlbt_kp_workers ws;
	char *a;

	tlbt_kp_result_init(r, "planted foreign value", pages);
	nr = tlbt_kp_cpus_split(r, cpus, 2);
	if (nr < 0)
		return nr;
	a = mmap(NULL, pages * TLBT_KP_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		return -errno;
	ret = tlbt_kp_pin(cpus[0]);
	if (ret)
		goto out;
	tlbt_kp_fill_read((volatile uint64_t *)a, pages, 1);
	rg.base = (volatile uint64_t *)a;
	rg.pages = pages;
	ret = tlbt_kp_workers_start(&ws, &rg, TLBT_KP_READ, cpus + 1, nr - 1);
	if (ret)
		goto out;
	/* a slot every reader visits once every 8 passes */
	rg.base[(pages / 2) * TLBT_KP_SLOTS + 8 * 37 + 5] = TLBT_KP_FOREIGN;
	r->ops = 1;
	t0 = tlbt_kp_now_ns();
	do {
		unsigned int w;

		n = 0;
		for (w = 0; w < ws.nr; w++)
			n += !!__atomic_load_n(&ws.w[w].bad_reads,
					       __ATOMIC_RELAXED);
		sched_yield();
	} while (n < (int)ws.nr && tlbt_kp_now_ns() - t0 < TLBT_KP_WAIT_NS);
	ret = tlbt_kp_workers_stop(&ws, &r->o);
out:
	munmap(a, pages * TLBT_KP_PAGE);
	tlbt_kp_unpin();
	return ret;
}

/**
 * tlbt_kp_control_arena - kernel-path workers on the module's arena
 * @cmd: an arena command, normally one with an unsafe flush policy
 * @arena_pages: pages to map
 * @pages: pages the workers use, from arena page 0
 * @mode: increments or reads
 * @r: the workers' verdict in r->o
 * @res: the module's results
 *
 * The arena's unsafe orderings really leave stale TLB entries behind, so
 * these workers must see what the kernel-path scenarios never should.
 */
int tlbt_kp_control_arena(const char *cmd, size_t arena_pages, size_t pages,
			  enum tlbt_kp_mode mode, struct tlbt_kp_result *r,
			  struct tlbt_result *res)
{
	int cpus[TLBT_KP_MAX_CPUS], nr, ret, cret;
	struct tlbt_kp_region rg;
	struct tlbt_kp_workers ws;
	struct tlbt_arena a;

	tlbt_kp_result_init(r, "arena", pages);
	nr = tlbt_kp_cpus_split(r, cpus, 2);
	if (nr < 0)
		return nr;
	if (!tlbt_module_loaded())
		return tlbt_kp_skip(r, "tlbtorture module not loaded");
	ret = tlbt_arena_open(&a, arena_pages);
	if (ret)
		return ret;
	ret = tlbt_kp_pin(cpus[0]);
	if (ret)
		goto out;
	if (mode == TLBT_KP_INCREMENT)
		tlbt_kp_fill_counted(a.base, pages);
	else
		tlbt_kp_fill_read(a.base, pages, 1);
	rg.base = a.base;
	rg.pages = pages;
	ret = tlbt_kp_workers_start(&ws, &rg, mode, cpus + 1, nr - 1);
	if (ret)
		goto out;
	cret = tlbt_cmd(&a, "%s", cmd);
	ret = tlbt_kp_workers_stop(&ws, &r->o);
	if (!ret)
		ret = cret;
	if (!ret)
		ret = tlbt_results_read(&a, res);
	r->ops = 1;
out:
	tlbt_arena_close(&a);
	tlbt_kp_unpin();
	return ret;
}
