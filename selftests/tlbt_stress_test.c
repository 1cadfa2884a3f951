// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency and teardown stress: many commands on one arena, many
 * arenas at once, commands racing munmap/close/exit, SIGKILL in mid
 * sequence with workers faulting, fork while sequences run, rmmod while
 * arenas are open, and the notifier recorder racing exit. Afterwards the
 * module holds exactly what it held before: frames, bytes and vmalloc
 * areas. MemFree is only logged (see memfree_kb()).
 *
 * Bounded for make check; TLBT_STRESS_SCALE=N multiplies every count for
 * a soak.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tlbt_harness.h"

#define ARENA_PAGES	64
/*
 * Seconds per test: the harness default of 30 is far too short under a
 * KASAN kernel in TCG, where 500 forks with arenas take minutes.
 */
#define STRESS_TIMEOUT	900

static const char * const stress_cmds[] = {
	"migrate rounds=3 flush=batched",
	"migrate pages=8 rounds=2 flush=immediate",
	"migrate rounds=3 flush=unsafe-copy-before-flush",
	"migrate rounds=2 flush=batched backend=kernel",
	"mremap pages=32 dst=32 rounds=2 flush=unsafe-release-before-flush",
	"mremap pages=32 dst=32 rounds=2 flush=dirty-aware",
	"mremap pages=16 dst=40 rounds=2 flush=batched backend=kernel",
	"reclaim rounds=2 flush=batched",
	"reclaim rounds=2 flush=unsafe-ignore-dirty",
	"mkclean zap=8 rounds=2 flush=tlbgen",
	"mkclean rounds=2 flush=unsafe-no-flush",
	"sync",
};
#define NR_CMDS (sizeof(stress_cmds) / sizeof(stress_cmds[0]))

static int scale(int n)
{
	const char *s = getenv("TLBT_STRESS_SCALE");

	return s && atoi(s) > 0 ? n * atoi(s) : n;
}

/*
 * MemFree is not a leak check. Pages freed onto a CPU's per-CPU free
 * lists (/proc/zoneinfo "count:") are not in it, and a list of a remote
 * node's zone may keep them: 500 SIGKILLed children left MemFree up to
 * 52 MiB low on a 2-vCPU, 2-node guest, all of it on those lists and
 * still there after 10 s (build/issue14-evidence.md).
 * Logged with that list total, for the record; what the module holds is
 * asserted exactly instead.
 */
static long memfree_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static long pcp_kb(void)
{
	char line[256];
	long n, pages = 0;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &n) == 1)
			pages += n;
	fclose(f);
	return pages * (TLBT_PAGE_SIZE / 1024);
}

/*
 * vmalloc areas the module allocated, from the kernel's side: vmallocinfo
 * names each area's caller. Exact, unlike MemFree. -errno on failure.
 */
static long module_vmalloc_areas(long *bytes)
{
	char line[512];
	long size, nr = 0;
	FILE *f = fopen("/proc/vmallocinfo", "r");

	if (!f)
		return -errno;
	*bytes = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "[tlbtorture]") ||
		    sscanf(line, "%*s %ld", &size) != 1)
			continue;
		nr++;
		*bytes += size;
	}
	fclose(f);
	return nr;
}

/*
 * A module stat once it is back at @want: an arena goes at its file's
 * last fput, which may run a moment after the process that held it.
 */
static unsigned long stat_settled(const char *key, unsigned long want)
{
	unsigned long v = ~0UL;
	int i;

	for (i = 0; i < 200; i++) {
		if (!tlbt_stats_get(key, &v) && v == want)
			break;
		usleep(10 * 1000);
	}
	return v;
}

/* A raw arena: fd plus mapping, nothing from libtlbt that could hide a bug. */
static int arena_open(int pages, volatile uint64_t **base)
{
	int fd = open(TLBT_DEBUGFS "/arena", O_RDWR);
	void *p;

	if (fd < 0)
		return -errno;
	p = mmap(NULL, pages * TLBT_PAGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return -errno;
	}
	*base = p;
	return fd;
}

static int arena_cmd(int fd, const char *cmd)
{
	return write(fd, cmd, strlen(cmd)) < 0 ? -errno : 0;
}

/* Errors a racing teardown may legitimately produce. */
static bool expected_err(int err)
{
	return !err || err == -ENXIO || err == -EINTR || err == -EALREADY ||
	       err == -EBADF;
}

struct hammer {
	volatile uint64_t *base;
	int pages;
	volatile bool stop;
};

static void *hammer_fn(void *arg)
{
	struct hammer *h = arg;
	int p;

	while (!h->stop)
		for (p = 0; p < h->pages && !h->stop; p++)
			h->base[p * TLBT_SLOTS_PER_PAGE + 1]++;
	return NULL;
}

struct issuer {
	int fd;
	int iterations;
	unsigned int seed;
	int bad;		/* unexpected errno, 0 if none */
};

static void *issuer_fn(void *arg)
{
	struct issuer *is = arg;
	int i, ret;

	for (i = 0; i < is->iterations; i++) {
		ret = arena_cmd(is->fd, stress_cmds[rand_r(&is->seed) % NR_CMDS]);
		if (!expected_err(ret) && !is->bad)
			is->bad = ret;
	}
	return NULL;
}

FIXTURE(stress) {
	unsigned long frames_before;
	unsigned long bytes_before;
	long vmalloc_before, vmalloc_bytes_before;
	long memfree_before, pcp_before;
};

FIXTURE_SETUP(stress)
{
	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_stats_get("frames_held", &self->frames_before));
	ASSERT_EQ(0, tlbt_stats_get("bytes_held", &self->bytes_before));
	self->vmalloc_before = module_vmalloc_areas(&self->vmalloc_bytes_before);
	ASSERT_LE(0, self->vmalloc_before);
	self->memfree_before = memfree_kb();
	self->pcp_before = pcp_kb();
}

/* Every test ends with the module holding exactly what it held before. */
FIXTURE_TEARDOWN(stress)
{
	long vmalloc, vmalloc_bytes;

	EXPECT_EQ(self->frames_before,
		  stat_settled("frames_held", self->frames_before));
	EXPECT_EQ(self->bytes_before,
		  stat_settled("bytes_held", self->bytes_before));
	vmalloc = module_vmalloc_areas(&vmalloc_bytes);
	EXPECT_EQ(self->vmalloc_before, vmalloc);
	EXPECT_EQ(self->vmalloc_bytes_before, vmalloc_bytes);
	TH_LOG("held: frames %lu, bytes %lu, vmalloc areas %ld (%ld bytes)",
	       self->frames_before, self->bytes_before, self->vmalloc_before,
	       self->vmalloc_bytes_before);
	TH_LOG("MemFree %ld kB before, %ld kB after; per-CPU free lists %ld kB before, %ld kB after (not in MemFree)",
	       self->memfree_before, memfree_kb(), self->pcp_before, pcp_kb());
}

TEST_F_TIMEOUT(stress, many_threads_one_arena, STRESS_TIMEOUT)
{
	volatile uint64_t *base;
	struct issuer is[6];
	struct hammer h;
	pthread_t t[6], ht;
	unsigned int i;
	int fd;

	fd = arena_open(ARENA_PAGES, &base);
	ASSERT_LE(0, fd);
	h = (struct hammer){ .base = base, .pages = 24 };
	ASSERT_EQ(0, pthread_create(&ht, NULL, hammer_fn, &h));
	for (i = 0; i < 6; i++) {
		is[i] = (struct issuer){ .fd = fd, .iterations = scale(15),
					 .seed = i + 1 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, issuer_fn, &is[i]));
	}
	for (i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, is[i].bad) TH_LOG("thread %u: %s", i,
						strerror(-is[i].bad));
	}
	h.stop = true;
	pthread_join(ht, NULL);
	EXPECT_EQ(0, arena_cmd(fd, "migrate rounds=1 flush=batched"));
	munmap((void *)base, ARENA_PAGES * TLBT_PAGE_SIZE);
	close(fd);
}

TEST_F_TIMEOUT(stress, many_arenas_in_parallel, STRESS_TIMEOUT)
{
	volatile uint64_t *base[6];
	struct issuer is[6];
	pthread_t t[6];
	unsigned int i;

	for (i = 0; i < 6; i++) {
		is[i] = (struct issuer){ .iterations = scale(10), .seed = 7 * i };
		is[i].fd = arena_open(ARENA_PAGES, &base[i]);
		ASSERT_LE(0, is[i].fd);
		base[i][0] = i;
	}
	for (i = 0; i < 6; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, issuer_fn, &is[i]));
	for (i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, is[i].bad);
	}
	for (i = 0; i < 6; i++) {
		munmap((void *)base[i], ARENA_PAGES * TLBT_PAGE_SIZE);
		close(is[i].fd);
	}
}

/*
 * A child issues commands from a thread while its main thread munmaps,
 * closes or simply exits at a random moment. The child reports an
 * unexpected errno through its exit status.
 */
static int teardown_child(unsigned int seed)
{
	volatile uint64_t *base;
	struct issuer is;
	struct hammer h;
	pthread_t t, ht;
	int fd;

	fd = arena_open(ARENA_PAGES, &base);
	if (fd < 0)
		return 2;
	h = (struct hammer){ .base = base, .pages = 16 };
	is = (struct issuer){ .fd = fd, .iterations = 1000, .seed = seed };
	pthread_create(&ht, NULL, hammer_fn, &h);
	pthread_create(&t, NULL, issuer_fn, &is);
	usleep(rand_r(&seed) % 20000);
	switch (seed % 3) {
	case 0:	/* exit with everything live */
		_exit(is.bad ? 1 : 0);
	case 1:	/* unmap under the issuer: it must see ENXIO, not worse */
		h.stop = true;
		pthread_join(ht, NULL);
		munmap((void *)base, ARENA_PAGES * TLBT_PAGE_SIZE);
		is.iterations = 0;
		pthread_join(t, NULL);
		break;
	default: /* close: the mapping keeps the arena alive */
		is.iterations = 0;
		pthread_join(t, NULL);
		close(fd);
		h.stop = true;
		pthread_join(ht, NULL);
		break;
	}
	return is.bad ? 1 : 0;
}

TEST_F_TIMEOUT(stress, commands_race_munmap_close_and_exit, STRESS_TIMEOUT)
{
	int i, status, n = scale(30);

	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (!pid)
			_exit(teardown_child(i + 1));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("child %d", i);
	}
}

/*
 * 500 SIGKILLs, with a worker faulting on the arena; most must land in
 * mid sequence. The module counts the commands a fatal signal reached
 * while they ran (commands_killed): a kill before the first command or
 * between the two does not count.
 */
TEST_F_TIMEOUT(stress, sigkill_mid_sequence, STRESS_TIMEOUT)
{
	unsigned long killed0, killed, running0, running, killed_mid = 0;
	int i, j, status, n = scale(500);
	struct timespec ts;

	for (i = 0; i < n; i++) {
		int pipefd[2];
		pid_t pid;
		char c;

		ASSERT_EQ(0, tlbt_stats_get("commands_killed", &killed0));
		ASSERT_EQ(0, tlbt_stats_get("commands_running", &running0));
		ASSERT_EQ(0, pipe(pipefd));
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			volatile uint64_t *base;
			struct hammer h;
			pthread_t ht;
			int fd;

			fd = arena_open(ARENA_PAGES, &base);
			if (fd < 0)
				_exit(2);
			h = (struct hammer){ .base = base, .pages = ARENA_PAGES };
			pthread_create(&ht, NULL, hammer_fn, &h);
			if (write(pipefd[1], "x", 1) != 1)
				_exit(2);
			arena_cmd(fd, stress_cmds[i % NR_CMDS]);
			arena_cmd(fd, "migrate rounds=100000 flush=batched");
			_exit(3);
		}
		close(pipefd[1]);
		ASSERT_EQ(1, read(pipefd[0], &c, 1));
		close(pipefd[0]);
		/*
		 * Aim at a sequence: on 2 vCPUs the child's own worker can keep
		 * it from its write() for a time slice, so wait (up to 2 s)
		 * until one of its commands runs, then let it go on a while.
		 */
		for (j = 0; j < 10000; j++) {
			ASSERT_EQ(0, tlbt_stats_get("commands_running", &running));
			if (running > running0)
				break;
			usleep(200);
		}
		ts.tv_sec = 0;
		ts.tv_nsec = (i % 20) * 250000;
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status)) TH_LOG("iteration %d exited %d",
							i, WEXITSTATUS(status));
		/* Reaped: its one command in flight, if any, has returned. */
		ASSERT_EQ(0, tlbt_stats_get("commands_killed", &killed));
		ASSERT_GE(1UL, killed - killed0) TH_LOG("iteration %d", i);
		killed_mid += killed - killed0;
	}
	TH_LOG("%lu of %d children killed in mid sequence", killed_mid, n);
	/* A kill that fell between the two commands is not mid sequence. */
	ASSERT_LE((unsigned long)n * 4, killed_mid * 5);
}

TEST_F_TIMEOUT(stress, fork_while_sequences_run, STRESS_TIMEOUT)
{
	volatile uint64_t *base;
	struct issuer is;
	pthread_t t;
	int i, fd, status;

	fd = arena_open(ARENA_PAGES, &base);
	ASSERT_LE(0, fd);
	base[0] = 42;
	is = (struct issuer){ .fd = fd, .iterations = scale(40), .seed = 3 };
	ASSERT_EQ(0, pthread_create(&t, NULL, issuer_fn, &is));
	for (i = 0; i < scale(40); i++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (!pid) {
			/* VM_DONTCOPY: the child has no arena, and no command. */
			unsigned char vec;

			if (mincore((void *)base, TLBT_PAGE_SIZE, &vec) == 0 ||
			    errno != ENOMEM)
				_exit(1);
			_exit(arena_cmd(fd, "sync") == -ENXIO ? 0 : 1);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status));
	}
	pthread_join(t, NULL);
	EXPECT_EQ(0, is.bad);
	EXPECT_EQ(42U, base[0]);
	munmap((void *)base, ARENA_PAGES * TLBT_PAGE_SIZE);
	close(fd);
}

TEST_F_TIMEOUT(stress, rmmod_fails_cleanly_while_arenas_are_open, STRESS_TIMEOUT)
{
	volatile uint64_t *base;
	int fd, ret;

	fd = arena_open(ARENA_PAGES, &base);
	ASSERT_LE(0, fd);
	/* Open and mapped, then mapped only: both hold the module. */
	ret = syscall(SYS_delete_module, "tlbtorture", O_NONBLOCK);
	ASSERT_EQ(-1, ret);
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY) TH_LOG("%s",
								 strerror(errno));
	close(fd);
	ret = syscall(SYS_delete_module, "tlbtorture", O_NONBLOCK);
	ASSERT_EQ(-1, ret);
	base[0] = 1;
	munmap((void *)base, ARENA_PAGES * TLBT_PAGE_SIZE);
	ASSERT_TRUE(tlbt_module_loaded());
}

TEST_F_TIMEOUT(stress, notifier_recorder_races_exit, STRESS_TIMEOUT)
{
	int i, status, n = scale(100);

	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (!pid) {
			int fd = open(TLBT_DEBUGFS "/notifier", O_RDWR);
			char *p, *q;
			int j;

			if (fd < 0)
				_exit(2);
			p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				_exit(2);
			for (j = 0; j < 16; j++) {
				memset(p, j, 1 << 20);
				q = mremap(p, 1 << 20, 1 << 20, MREMAP_MAYMOVE);
				if (q == MAP_FAILED)
					_exit(2);
				p = q;
				madvise(p, 1 << 19, MADV_DONTNEED);
			}
			/* Exit with the recorder registered and the fd open. */
			if (i % 2)
				kill(getpid(), SIGKILL);
			_exit(0);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status) ||
			    (WIFEXITED(status) && !WEXITSTATUS(status)));
	}
}

TLBT_HARNESS_MAIN
