// SPDX-License-Identifier: GPL-2.0
/*
 * The module's mmu_notifier recorder (seed 002) on the kernel's own
 * paths: what range does each operation tell secondary MMUs to drop?
 *
 * - reclaim and migration of one 4 KiB page: exactly that page, not the
 *   2 MiB around it (Andrea Arcangeli's PAGE_SIZE << compound_order());
 * - a THP: its 2 MiB;
 * - mremap, munmap, MADV_DONTNEED: exactly the range moved or dropped;
 * - every start has its end, also with workers racing;
 * - the recorder survives its process (release) and gives the module
 *   back on close, so the module can be unloaded.
 *
 * Every test needs the module, and skips without it; a path that needs
 * more (swap, a second NUMA node, a THP) skips on its own, saying so.
 */
#include <limits.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tlbt_kpath_harness.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#ifndef MPOL_MF_MOVE
#define MPOL_MF_MOVE	(1 << 1)
#endif

#define PG		TLBT_KP_PAGE

/* Every start record has a later end of the same range, and vice versa. */
static bool inval_pairs_ok(const struct tlbt_kp_inval *iv)
{
	bool *used = calloc(iv->nr + 1, sizeof(*used));
	size_t i, j, starts = 0, ends = 0, paired = 0;

	if (!used)
		return false;
	for (i = 0; i < iv->nr; i++) {
		if (iv->rec[i].is_end) {
			ends++;
			continue;
		}
		starts++;
		for (j = i + 1; j < iv->nr; j++) {
			if (used[j] || !iv->rec[j].is_end ||
			    iv->rec[j].start != iv->rec[i].start ||
			    iv->rec[j].end != iv->rec[i].end)
				continue;
			used[j] = true;
			paired++;
			break;
		}
	}
	free(used);
	return starts == paired && ends == paired;
}

/* How many start records there are, and how many are exactly [lo, hi). */
static void inval_count(const struct tlbt_kp_inval *iv, unsigned long lo,
			unsigned long hi, size_t *starts, size_t *exact,
			size_t *inside)
{
	size_t i;

	*starts = *exact = *inside = 0;
	for (i = 0; i < iv->nr; i++) {
		const struct tlbt_kp_inval_rec *r = &iv->rec[i];

		if (r->is_end)
			continue;
		(*starts)++;
		*exact += r->start == lo && r->end == hi;
		*inside += r->start >= lo && r->end <= hi;
	}
}

static void inval_log(struct __test_metadata *_metadata,
		      const struct tlbt_kp_inval *iv)
{
	size_t i;

	TH_LOG("starts %llu ends %llu unmatched %llu/%llu bytes %llu; hist 4k %llu 64k %llu 2m %llu >2m %llu; released %d",
	       iv->starts, iv->ends, iv->unmatched_starts, iv->unmatched_ends,
	       iv->bytes, iv->hist[0], iv->hist[1], iv->hist[2], iv->hist[3],
	       iv->released);
	for (i = 0; i < iv->nr && i < 12; i++)
		TH_LOG("  %s 0x%lx-0x%lx (%lu) %s",
		       iv->rec[i].is_end ? "end  " : "start", iv->rec[i].start,
		       iv->rec[i].end, iv->rec[i].end - iv->rec[i].start,
		       iv->rec[i].event);
}

FIXTURE(inval) {
	int fd;
	char *res;		/* reservation: two 2 MiB-aligned slots */
	size_t res_len;
	char *a, *b;		/* slot addresses; b starts as a hole */
	struct tlbt_kp_inval iv;
};

FIXTURE_SETUP(inval)
{
	self->fd = -1;
	self->res_len = 3 * TLBT_KP_PMD;
	self->res = mmap(NULL, self->res_len, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->res);
	self->a = (char *)(((unsigned long)self->res + TLBT_KP_PMD - 1) &
			   ~(TLBT_KP_PMD - 1));
	self->b = self->a + TLBT_KP_PMD;
	ASSERT_EQ(0, munmap(self->res, self->res_len));
	memset(&self->iv, 0, sizeof(self->iv));
}

/*
 * Skip unless the machine has @needs and the module, then open the
 * recorder. In the test, not in FIXTURE_SETUP: 6.1's harness runs the
 * test after a setup that skipped.
 */
#define OPEN_RECORDER(needs) do {					\
	TLBT_KP_REQUIRE(TLBT_KP_NEED_MODULE | (needs));			\
	self->fd = tlbt_kp_notifier_open();				\
	ASSERT_LE(0, self->fd)						\
		TH_LOG("open notifier: %s", strerror(-self->fd));	\
} while (0)

FIXTURE_TEARDOWN(inval)
{
	tlbt_kp_inval_free(&self->iv);
	if (self->fd >= 0)
		close(self->fd);
	munmap(self->a, 2 * TLBT_KP_PMD);
}

/* Map @pages at slot a, 4 KiB pages or a THP, and write them all. */
static char *map_a(char *a, size_t pages, bool thp)
{
	char *p = mmap(a, pages * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		       -1, 0);
	size_t i;

	if (p != a)
		return NULL;
	madvise(p, pages * PG, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	for (i = 0; i < pages; i++)
		p[i * PG] = 1 + i;
	return p;
}

/*
 * Drop the records that miss the fixture's reservation [@lo, @hi): the
 * test process's own copy-on-write faults. 6.12's harness forks again
 * for every TEST_F and keeps _metadata in shared memory, so the first
 * write to malloc's state (the read below) can come in the window: an
 * invalidation of this mm, but not the operation's.
 */
static void inval_keep_ours(struct __test_metadata *_metadata,
			    struct tlbt_kp_inval *iv, unsigned long lo,
			    unsigned long hi)
{
	size_t i, n = 0;

	for (i = 0; i < iv->nr; i++) {
		const struct tlbt_kp_inval_rec *r = &iv->rec[i];

		if (r->end > lo && r->start < hi)
			iv->rec[n++] = *r;
		else if (!r->is_end)
			TH_LOG("not the operation's: 0x%lx-0x%lx %s",
			       r->start, r->end, r->event);
	}
	iv->nr = n;
}

/* Clear, run @op, read the records into self->iv, check pairing. */
#define RECORD(op) do {							\
	ASSERT_EQ(0, tlbt_kp_notifier_clear(self->fd));			\
	op;								\
	ASSERT_EQ(0, tlbt_kp_notifier_read(self->fd, &self->iv));	\
	inval_keep_ours(_metadata, &self->iv, (unsigned long)self->res,	\
			(unsigned long)self->res + self->res_len);	\
	inval_log(_metadata, &self->iv);				\
	EXPECT_EQ(0ULL, self->iv.dropped);				\
	EXPECT_EQ(self->iv.starts, self->iv.ends);			\
	EXPECT_EQ(0ULL, self->iv.unmatched_starts);			\
	EXPECT_EQ(0ULL, self->iv.unmatched_ends);			\
	EXPECT_TRUE(inval_pairs_ok(&self->iv));				\
} while (0)

/* Every start is exactly [lo, hi), and there is at least one. */
#define EXPECT_ONLY_RANGE(lo, hi) do {					\
	size_t __s, __e, __i;						\
	inval_count(&self->iv, (unsigned long)(lo), (unsigned long)(hi), \
		    &__s, &__e, &__i);					\
	EXPECT_LT(0U, __s) TH_LOG("no invalidation at all");		\
	EXPECT_EQ(__s, __e) TH_LOG("a range other than 0x%lx-0x%lx",	\
				   (unsigned long)(lo), (unsigned long)(hi)); \
} while (0)

static int other_node(void *addr, int *target)
{
	int nodes[64], status = -1;

	if (tlbt_kp_nodes(nodes, 64) < 2)
		return -EOPNOTSUPP;
	if (tlbt_kp_move_pages(1, &addr, NULL, &status, 0) || status < 0)
		return -EIO;
	*target = status == nodes[0] ? nodes[1] : nodes[0];
	return 0;
}

TEST_F_TIMEOUT(inval, pageout_of_one_4k_page_invalidates_exactly_4k,
	       KP_TIMEOUT)
{
	char *p, *victim;
	uint64_t pm;

	OPEN_RECORDER(TLBT_KP_NEED_SWAP);
	p = map_a(self->a, 16, false);
	ASSERT_NE(NULL, p);
	victim = p + 5 * PG;
	RECORD(ASSERT_EQ(0, madvise(victim, PG, MADV_PAGEOUT)));
	ASSERT_EQ(0, tlbt_kp_pagemap(victim, 1, &pm));
	EXPECT_TRUE(!!(pm & TLBT_KP_PM_SWAP)) TH_LOG("the page did not go to swap");
	EXPECT_ONLY_RANGE(victim, victim + PG);
	EXPECT_EQ(6, victim[0]);
}

TEST_F_TIMEOUT(inval, migration_of_one_4k_page_invalidates_exactly_4k,
	       KP_TIMEOUT)
{
	int target, status = INT_MIN;
	char *p, *victim;

	OPEN_RECORDER(TLBT_KP_NEED_NUMA);
	p = map_a(self->a, 16, false);
	ASSERT_NE(NULL, p);
	victim = p + 5 * PG;
	ASSERT_EQ(0, other_node(victim, &target));
	RECORD(ASSERT_EQ(0, tlbt_kp_move_pages(1, (void **)&victim, &target,
					       &status, MPOL_MF_MOVE)));
	EXPECT_EQ(target, status);
	EXPECT_ONLY_RANGE(victim, victim + PG);
	EXPECT_EQ(6, victim[0]);
}

/* A THP at slot a, or a skip reason. */
static const char *map_thp(char *a)
{
	if (!tlbt_kp_thp_possible())
		return "THP disabled";
	if (!map_a(a, 512, true))
		return "mmap failed";
	if (tlbt_kp_anon_huge_kb(a) < 2048)
		return "could not get a THP";
	return NULL;
}

/*
 * At least one invalidation of exactly the THP's 2 MiB (splitting or
 * unmapping it whole), none beyond it.
 */
static void expect_thp_range(struct __test_metadata *_metadata,
			     const struct tlbt_kp_inval *iv, char *a)
{
	size_t s, exact, inside;

	inval_count(iv, (unsigned long)a, (unsigned long)a + TLBT_KP_PMD, &s,
		    &exact, &inside);
	EXPECT_LT(0U, exact) TH_LOG("no 2 MiB invalidation");
	EXPECT_EQ(s, inside) TH_LOG("an invalidation outside the THP");
	EXPECT_EQ(0ULL, iv->hist[3]);
}

TEST_F_TIMEOUT(inval, pageout_of_a_thp_invalidates_its_2m, KP_TIMEOUT)
{
	const char *why;

	OPEN_RECORDER(TLBT_KP_NEED_SWAP);
	why = map_thp(self->a);
	if (why)
		SKIP(return, "%s: %s", _metadata->name, why);
	RECORD(ASSERT_EQ(0, madvise(self->a, TLBT_KP_PMD, MADV_PAGEOUT)));
	expect_thp_range(_metadata, &self->iv, self->a);
	EXPECT_EQ((char)(1 + 300), self->a[300 * PG]);
}

TEST_F_TIMEOUT(inval, migration_of_a_thp_invalidates_its_2m, KP_TIMEOUT)
{
	int target, status = INT_MIN;
	void *addr = self->a;
	const char *why;

	OPEN_RECORDER(TLBT_KP_NEED_NUMA);
	why = map_thp(self->a);
	if (why)
		SKIP(return, "%s: %s", _metadata->name, why);
	ASSERT_EQ(0, other_node(addr, &target));
	RECORD(ASSERT_EQ(0, tlbt_kp_move_pages(1, &addr, &target, &status,
					       MPOL_MF_MOVE)));
	EXPECT_EQ(target, status);
	expect_thp_range(_metadata, &self->iv, self->a);
}

/*
 * mremap() tells secondary MMUs about the source range only: once for
 * moving its entries (move_page_tables()) and once more for unmapping
 * the old vma, which by then maps nothing (unmap_region()). The
 * destination here is a hole, so nothing is unmapped there.
 */
TEST_F_TIMEOUT(inval, mremap_invalidates_exactly_the_moved_range, KP_TIMEOUT)
{
	char *p, *q;

	OPEN_RECORDER(0);
	p = map_a(self->a, 8, false);
	ASSERT_NE(NULL, p);
	RECORD(q = mremap(p, 8 * PG, 8 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
			  self->b));
	ASSERT_EQ(self->b, q);
	EXPECT_ONLY_RANGE(p, p + 8 * PG);
	EXPECT_EQ(8, q[7 * PG]);
}

TEST_F_TIMEOUT(inval, munmap_invalidates_exactly_the_unmapped_range,
	       KP_TIMEOUT)
{
	char *p;

	OPEN_RECORDER(0);
	p = map_a(self->a, 16, false);
	ASSERT_NE(NULL, p);
	RECORD(ASSERT_EQ(0, munmap(p + 4 * PG, 8 * PG)));
	EXPECT_ONLY_RANGE(p + 4 * PG, p + 12 * PG);
	EXPECT_EQ(13, p[12 * PG]);
}

TEST_F_TIMEOUT(inval, dontneed_invalidates_exactly_the_range, KP_TIMEOUT)
{
	char *p;

	OPEN_RECORDER(0);
	p = map_a(self->a, 16, false);
	ASSERT_NE(NULL, p);
	RECORD(ASSERT_EQ(0, madvise(p + 2 * PG, 4 * PG, MADV_DONTNEED)));
	EXPECT_ONLY_RANGE(p + 2 * PG, p + 6 * PG);
	EXPECT_EQ(0, p[2 * PG]);
	EXPECT_EQ(7, p[6 * PG]);
}

FIXTURE(paths) {
};

/* One kernel path under workers, and what it needs beyond the module. */
FIXTURE_VARIANT(paths) {
	const char *name;
	int (*run)(const struct tlbt_kp_opts *op, struct tlbt_kp_result *r);
	unsigned int needs;
	unsigned int rounds;
	size_t pages;
	bool munmap;
	bool judge_data;	/* can the workers' data show anything? */
};

/* mremap keeps the pages: a stale entry reaches the same page. */
FIXTURE_VARIANT_ADD(paths, mremap) {
	.name = "mremap", .run = tlbt_kp_run_mremap,
	.rounds = 5, .pages = 64,
};
FIXTURE_VARIANT_ADD(paths, dontneed) {
	.name = "dontneed", .run = tlbt_kp_run_zap,
	.rounds = 5, .pages = 64, .judge_data = true,
};
FIXTURE_VARIANT_ADD(paths, munmap) {
	.name = "munmap", .run = tlbt_kp_run_zap, .munmap = true,
	.rounds = 5, .pages = 64, .judge_data = true,
};
FIXTURE_VARIANT_ADD(paths, migrate) {
	.name = "migrate", .run = tlbt_kp_run_migrate,
	.needs = TLBT_KP_NEED_NUMA, .rounds = 3, .pages = 64,
	.judge_data = true,
};
FIXTURE_VARIANT_ADD(paths, pageout) {
	.name = "pageout", .run = tlbt_kp_run_pageout,
	.needs = TLBT_KP_NEED_SWAP, .rounds = 1, .pages = 16,
	.judge_data = true,
};

FIXTURE_SETUP(paths)
{
}

FIXTURE_TEARDOWN(paths)
{
}

/*
 * With workers racing a kernel path, each operation's notifier calls
 * still pair up. A path this machine cannot run skips, naming it.
 */
TEST_F_TIMEOUT(paths, every_start_has_its_end_under_workers, KP_TIMEOUT)
{
	struct tlbt_kp_opts op = {
		.pages = variant->pages, .rounds = variant->rounds,
		.max_ms = 10000, .notifier = true, .munmap = variant->munmap,
	};
	struct tlbt_kp_result r;

	TLBT_KP_REQUIRE_AS(variant->name,
			   TLBT_KP_NEED_MODULE | variant->needs);
	if (!tlbt_kp_ran(_metadata, variant->run(&op, &r), &r))
		return;
	ASSERT_TRUE(r.inval_valid) TH_LOG("the recorder did not open");
	EXPECT_LT(0ULL, r.inval_starts);
	EXPECT_EQ(r.inval_starts, r.inval_ends);
	EXPECT_EQ(0ULL, r.inval_unmatched);
	EXPECT_EQ(0ULL, r.inval_dropped);
	if (variant->judge_data)
		EXPECT_EQ(0ULL, tlbt_kp_corruption(&r.o));
}

FIXTURE(notifier) {
};

FIXTURE_SETUP(notifier)
{
}

FIXTURE_TEARDOWN(notifier)
{
}

static long module_refcnt(void)
{
	char buf[32] = "";
	FILE *f = fopen("/sys/module/tlbtorture/refcnt", "re");
	long v = -1;

	if (f && fgets(buf, sizeof(buf), f))
		v = strtol(buf, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/* Each open recorder holds the module; close gives it back. */
TEST_F(notifier, close_gives_the_module_back)
{
	long before;
	int fd;

	TLBT_KP_REQUIRE(TLBT_KP_NEED_MODULE);
	before = module_refcnt();
	if (before < 0)
		SKIP(return, "%s: no /sys/module/tlbtorture/refcnt",
		     _metadata->name);
	fd = tlbt_kp_notifier_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(before + 1, module_refcnt());
	ASSERT_EQ(0, close(fd));
	EXPECT_EQ(before, module_refcnt());
}

/*
 * A child opens a recorder on its own mm, hands the file to us and
 * exits: exit_mmap() must call ->release, and our close must then
 * unregister from the dead mm cleanly (a problem would show as a splat
 * on the console, which the VM harness fails on).
 */
TEST_F(notifier, released_when_its_process_exits)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = { 0 };
	struct tlbt_kp_inval iv;
	struct cmsghdr *c;
	struct iovec io;
	long before;
	int sv[2], fd = -1, st;
	char byte = 0;
	pid_t pid;

	TLBT_KP_REQUIRE(TLBT_KP_NEED_MODULE);
	before = module_refcnt();
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int nfd = tlbt_kp_notifier_open();

		if (nfd < 0 || p == MAP_FAILED)
			_exit(1);
		p[0] = 1;
		munmap(p, 4 * PG);	/* something to record */
		io.iov_base = &byte;
		io.iov_len = 1;
		msg.msg_iov = &io;
		msg.msg_iovlen = 1;
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &nfd, sizeof(int));
		_exit(sendmsg(sv[1], &msg, 0) == 1 ? 0 : 2);
	}
	close(sv[1]);
	io.iov_base = &byte;
	io.iov_len = 1;
	msg.msg_iov = &io;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	ASSERT_EQ(1, recvmsg(sv[0], &msg, 0));
	c = CMSG_FIRSTHDR(&msg);
	ASSERT_NE(NULL, c);
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	ASSERT_EQ(0, tlbt_kp_notifier_read(fd, &iv));
	inval_log(_metadata, &iv);
	EXPECT_TRUE(iv.released) TH_LOG("->release did not run at exit");
	EXPECT_LT(0ULL, iv.starts);
	EXPECT_EQ(iv.starts, iv.ends);
	EXPECT_EQ(0ULL, iv.unmatched_starts + iv.unmatched_ends);
	tlbt_kp_inval_free(&iv);
	ASSERT_EQ(0, close(fd));
	close(sv[0]);
	if (before >= 0)
		EXPECT_EQ(before, module_refcnt());
}

TEST_HARNESS_MAIN
