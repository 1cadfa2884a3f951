// SPDX-License-Identifier: GPL-2.0
/*
 * tlbtorture arena semantics and bad input.
 *
 * Every rejected command, mapping operation or knob write must fail with
 * the errno the README documents and change nothing: afterwards the same
 * arena still runs a command, its last results are byte for byte the same
 * and its data is intact.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tlbt_harness.h"

#define ARENA_PAGES	16
#define RESULTS_MAX	8192
#define PG		TLBT_PAGE_SIZE

/* A value per slot that no sequence or stale entry would produce. */
static uint64_t pattern(size_t slot, uint64_t salt)
{
	return (0x7eb7000000000000ULL | slot) ^ (salt * 0x9e3779b97f4a7c15ULL);
}

static void fill(volatile uint64_t *base, size_t pages, uint64_t salt)
{
	size_t i;

	for (i = 0; i < pages * TLBT_SLOTS_PER_PAGE; i++)
		base[i] = pattern(i, salt);
}

static size_t pattern_errors(volatile uint64_t *base, size_t pages,
			     uint64_t salt)
{
	size_t i, bad = 0;

	for (i = 0; i < pages * TLBT_SLOTS_PER_PAGE; i++)
		bad += base[i] != pattern(i, salt);
	return bad;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Release happens on the last fput; allow it a moment to get there. */
static unsigned long wait_stat(const char *key, unsigned long want)
{
	unsigned long v = ~0UL;
	int i;

	for (i = 0; i < 200; i++) {
		if (!tlbt_stats_get(key, &v) && v == want)
			break;
		sleep_ms(10);
	}
	return v;
}

/*
 * The arena still works after whatever was refused: the results are
 * still those of the last good command (@baseline, if given), the data
 * is intact, and a new command runs and leaves the data intact too.
 */
static void assert_arena_intact(struct __test_metadata *_metadata,
				struct tlbt_arena *a, const char *baseline,
				uint64_t salt)
{
	static char text[RESULTS_MAX];
	struct tlbt_result r;

	if (baseline) {
		ASSERT_EQ(0, tlbt_results_text(a, text, sizeof(text)));
		ASSERT_STREQ(baseline, text);
	}
	ASSERT_EQ(0UL, pattern_errors(a->base, a->pages, salt));

	ASSERT_EQ(0, tlbt_cmd(a, "migrate start=1 pages=3 rounds=2"));
	ASSERT_EQ(0, tlbt_results_read(a, &r));
	ASSERT_STREQ("migrate", r.sequence);
	ASSERT_EQ(1ULL, r.start);
	ASSERT_EQ(3ULL, r.pages);
	ASSERT_EQ(2ULL, r.rounds_done);
	ASSERT_EQ(0ULL, r.leaked_pages + r.leaked_bytes + r.poison_hits);
	ASSERT_EQ(0UL, pattern_errors(a->base, a->pages, salt));
}

/* Open, fill and run one good command; its results are the baseline. */
static void setup_arena(struct __test_metadata *_metadata,
			struct tlbt_arena *a, char *baseline)
{
	ASSERT_EQ(0, tlbt_arena_open(a, ARENA_PAGES));
	fill(a->base, a->pages, 1);
	ASSERT_EQ(0, tlbt_cmd(a, "migrate pages=4 rounds=2 flush=batched"));
	ASSERT_EQ(0, tlbt_results_text(a, baseline, RESULTS_MAX));
	ASSERT_NE(NULL, strstr(baseline, "policy: batched\n"));
}

/* Is any byte of [addr, addr + len) mapped in this process? */
static bool range_mapped(void *addr, size_t len)
{
	unsigned char vec;
	size_t off;

	for (off = 0; off < len; off += PG) {
		if (!mincore((char *)addr + off, PG, &vec) || errno != ENOMEM)
			return true;
	}
	return false;
}

static bool maps_overlap(void *addr, size_t len)
{
	unsigned long lo = (unsigned long)addr, hi = lo + len, s, e;
	char line[512];
	bool hit = false;
	FILE *f;

	f = fopen("/proc/self/maps", "r");
	if (!f)
		return true;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx", &s, &e) == 2 && s < hi && e > lo)
			hit = true;
	}
	fclose(f);
	return hit;
}

/*
 * Whole arena lifetimes. A fixture without state rather than TEST(): the
 * 6.1 TEST() wrapper trips -Wunused-parameter.
 */
FIXTURE(lifecycle) {
};

FIXTURE_SETUP(lifecycle)
{
	TLBT_REQUIRE_MODULE();
}

FIXTURE_TEARDOWN(lifecycle)
{
}

/* A fresh arena: zero-filled, and no results before its first command. */
TEST_F(lifecycle, fresh_arena_is_zero_filled_and_has_no_results)
{
	struct tlbt_arena a;
	struct tlbt_result r;
	size_t i;

	ASSERT_EQ(0, tlbt_arena_open(&a, ARENA_PAGES));
	for (i = 0; i < ARENA_PAGES * TLBT_SLOTS_PER_PAGE; i++)
		ASSERT_EQ(0ULL, (unsigned long long)a.base[i]);
	ASSERT_EQ(0, tlbt_results_read(&a, &r));
	ASSERT_STREQ("none", r.sequence);
	tlbt_arena_close(&a);
}

/*
 * All of it, from the arena's first open to its last munmap: frames, and
 * the bytes of everything else the module allocated for the arenas and
 * their commands, exactly.
 */
TEST_F(lifecycle, frames_held_return_to_baseline_after_close)
{
	unsigned long frames0, bytes0, arenas0, v;
	struct tlbt_arena a, b, c;

	ASSERT_EQ(0, tlbt_stats_get("frames_held", &frames0));
	ASSERT_EQ(0, tlbt_stats_get("bytes_held", &bytes0));
	ASSERT_EQ(0, tlbt_stats_get("arenas", &arenas0));

	ASSERT_EQ(0, tlbt_arena_open(&a, 32));
	ASSERT_EQ(0, tlbt_arena_open(&b, 8));
	ASSERT_EQ(0, tlbt_arena_fd_open(&c));
	ASSERT_EQ(0, tlbt_cmd(&a, "migrate rounds=3 flush=immediate"));
	ASSERT_EQ(0, tlbt_cmd(&a, "migrate rounds=3 flush=batched"));
	ASSERT_EQ(0, tlbt_cmd(&a, "migrate rounds=3 backend=kernel"));
	ASSERT_EQ(0, tlbt_cmd(&b, "migrate rounds=5 flush=unsafe-copy-before-flush"));
	/* README: an arena holds its mapped frames and a pool as big */
	ASSERT_EQ(0, tlbt_stats_get("frames_held", &v));
	ASSERT_EQ(frames0 + 2 * 40, v);
	/* at least the snapshot and the store, a page each per arena page */
	ASSERT_EQ(0, tlbt_stats_get("bytes_held", &v));
	ASSERT_LE(bytes0 + 2 * 40 * TLBT_PAGE_SIZE, v);
	TH_LOG("bytes_held %lu -> %lu with two mapped and one open", bytes0, v);
	ASSERT_EQ(0, tlbt_stats_get("arenas", &v));
	TH_LOG("arenas %lu -> %lu with two mapped and one open", arenas0, v);

	tlbt_arena_close(&a);
	tlbt_arena_close(&b);
	tlbt_arena_close(&c);
	ASSERT_EQ(frames0, wait_stat("frames_held", frames0));
	ASSERT_EQ(bytes0, wait_stat("bytes_held", bytes0));
	ASSERT_EQ(arenas0, wait_stat("arenas", arenas0));
}

/* The mapping outlives its fd; the frames go when the mapping goes. */
TEST_F(lifecycle, closed_fd_keeps_mapping_until_munmap)
{
	unsigned long frames0, v;
	struct tlbt_arena a;

	ASSERT_EQ(0, tlbt_stats_get("frames_held", &frames0));
	ASSERT_EQ(0, tlbt_arena_open(&a, 8));
	fill(a.base, a.pages, 2);
	ASSERT_EQ(0, tlbt_cmd(&a, "migrate flush=batched rounds=2"));

	ASSERT_EQ(0, close(a.fd));
	a.fd = -1;
	ASSERT_EQ(0UL, pattern_errors(a.base, a.pages, 2));
	fill(a.base, a.pages, 3);
	ASSERT_EQ(0UL, pattern_errors(a.base, a.pages, 3));
	ASSERT_EQ(0, tlbt_stats_get("frames_held", &v));
	ASSERT_EQ(frames0 + 2 * 8, v);

	ASSERT_EQ(0, tlbt_arena_unmap(&a));
	ASSERT_EQ(frames0, wait_stat("frames_held", frames0));
}

/* Is @pid inside write(2)? /proc/.../syscall starts with the number. */
static bool in_write(const char *dir, pid_t pid)
{
	char path[64], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%d/syscall", dir, pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return !strncmp(buf, "1 ", 2);
}

/*
 * EINTR: a process killed in a long command stops within a round, and
 * the results (read through an fd the parent shares) say how far it got.
 * The arena then outlives the dead mm and can be mapped again.
 */
TEST_F(lifecycle, fatal_signal_stops_a_long_command)
{
	unsigned long frames0, killed0, v;
	struct tlbt_result r;
	struct tlbt_arena a;
	int status, i, go[2];
	char c = 0;
	pid_t pid;

	ASSERT_EQ(0, tlbt_stats_get("frames_held", &frames0));
	ASSERT_EQ(0, tlbt_stats_get("commands_killed", &killed0));
	ASSERT_EQ(0, tlbt_arena_fd_open(&a));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (tlbt_arena_map(&a, ARENA_PAGES))
			_exit(1);
		if (write(go[1], &c, 1) != 1)
			_exit(1);
		tlbt_cmd(&a, "migrate rounds=1000000");
		_exit(2);
	}
	ASSERT_EQ(1, read(go[0], &c, 1));
	for (i = 0; i < 500 && !in_write("/proc", pid); i++)
		sleep_ms(10);
	sleep_ms(200);		/* some rounds, far from a million */
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));

	ASSERT_EQ(0, tlbt_results_read(&a, &r));
	ASSERT_STREQ("migrate", r.sequence);
	ASSERT_EQ(1000000ULL, r.rounds);
	ASSERT_EQ((long long)-EINTR, r.error);
	ASSERT_GT(r.rounds, r.rounds_done);
	TH_LOG("killed after %llu rounds", r.rounds_done);
	ASSERT_EQ(0, tlbt_stats_get("commands_killed", &v));
	ASSERT_EQ(killed0 + 1, v);

	ASSERT_EQ(0, tlbt_arena_map(&a, ARENA_PAGES));
	ASSERT_EQ(0, tlbt_cmd(&a, "migrate rounds=2"));
	tlbt_arena_close(&a);
	close(go[0]);
	close(go[1]);
	ASSERT_EQ(frames0, wait_stat("frames_held", frames0));
}

struct cmd_thread {
	struct tlbt_arena *a;
	const char *cmd;
	pid_t tid;
	int ret;
};

static void *cmd_thread_main(void *arg)
{
	struct cmd_thread *ct = arg;

	__atomic_store_n(&ct->tid, gettid(), __ATOMIC_RELEASE);
	ct->ret = tlbt_cmd(ct->a, "%s", ct->cmd);
	return NULL;
}

/*
 * The mapping goes away under a running command: the munmap waits for
 * the round in flight, then the command stops with ENXIO and partial
 * results, and the arena can be mapped again.
 */
TEST_F(lifecycle, munmap_mid_command_stops_it_with_enxio)
{
	struct cmd_thread ct = { .cmd = "migrate rounds=1000000" };
	unsigned long frames0;
	struct tlbt_result r;
	struct tlbt_arena a;
	pthread_t thread;
	pid_t tid;
	int i;

	ASSERT_EQ(0, tlbt_stats_get("frames_held", &frames0));
	ASSERT_EQ(0, tlbt_arena_open(&a, ARENA_PAGES));
	ct.a = &a;
	ASSERT_EQ(0, pthread_create(&thread, NULL, cmd_thread_main, &ct));
	for (i = 0; i < 500; i++) {
		tid = __atomic_load_n(&ct.tid, __ATOMIC_ACQUIRE);
		if (tid && in_write("/proc/self/task", tid))
			break;
		sleep_ms(10);
	}
	sleep_ms(200);
	ASSERT_EQ(0, tlbt_arena_unmap(&a));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	ASSERT_EQ(-ENXIO, ct.ret);

	ASSERT_EQ(0, tlbt_results_read(&a, &r));
	ASSERT_STREQ("migrate", r.sequence);
	ASSERT_EQ((long long)-ENXIO, r.error);
	ASSERT_GT(r.rounds, r.rounds_done);
	TH_LOG("unmapped after %llu rounds", r.rounds_done);

	ASSERT_EQ(0, tlbt_arena_map(&a, ARENA_PAGES));
	ASSERT_EQ(0, tlbt_cmd(&a, "migrate rounds=2"));
	tlbt_arena_close(&a);
	ASSERT_EQ(frames0, wait_stat("frames_held", frames0));
}

static int module_refcnt(long *v)
{
	char buf[32];
	ssize_t n;
	int fd;

	fd = open("/sys/module/tlbtorture/refcnt", O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	*v = strtol(buf, NULL, 10);
	return 0;
}

/*
 * rmmod must fail while an arena file is open or still mapped: each
 * holds a module reference. Checked on the refcount rather than by
 * trying delete_module(), which would unload a module that got it wrong.
 */
TEST_F(lifecycle, module_pinned_while_an_arena_is_open_or_mapped)
{
	struct tlbt_arena a;
	long ref0, v;
	int i;

	if (module_refcnt(&ref0))
		SKIP(return, "no /sys/module/tlbtorture/refcnt (built in, or no MODULE_UNLOAD)");
	ASSERT_EQ(0, tlbt_arena_fd_open(&a));
	ASSERT_EQ(0, module_refcnt(&v));
	ASSERT_LT(ref0, v) TH_LOG("open fd");
	ASSERT_EQ(0, tlbt_arena_map(&a, 4));
	ASSERT_EQ(0, close(a.fd));
	a.fd = -1;
	ASSERT_EQ(0, module_refcnt(&v));
	ASSERT_LT(ref0, v) TH_LOG("mapping, fd closed");
	ASSERT_EQ(0, tlbt_arena_unmap(&a));
	for (i = 0; i < 200; i++) {
		if (!module_refcnt(&v) && v == ref0)
			break;
		sleep_ms(10);
	}
	ASSERT_EQ(ref0, v);
}

FIXTURE(arena) {
	struct tlbt_arena a;
	char baseline[RESULTS_MAX];
};

FIXTURE_SETUP(arena)
{
	TLBT_REQUIRE_MODULE();
	setup_arena(_metadata, &self->a, self->baseline);
}

FIXTURE_TEARDOWN(arena)
{
	tlbt_arena_close(&self->a);
}

TEST_F(arena, results_list_every_key_in_order)
{
	static const char *const keys[] = {
		"sequence", "policy", "backend", "start", "pages", "rounds",
		"dst", "punch", "zap", "error", "rounds_done", "shootdowns",
		"ipis", "invlpg_pages", "full_flushes", "cpu_flushes",
		"cpu_skips", "pages_copied", "leaked_pages", "leaked_bytes",
		"poison_hits", "lost_dirty", "writebacks", "flushes_avoided",
		"ns_total", "ns_per_page", "break", "unsafe", "units_skipped",
	};
	char text[RESULTS_MAX];
	struct tlbt_result r;
	const char *line = text;
	unsigned int i;

	ASSERT_EQ(0, tlbt_cmd(&self->a,
			      "migrate start=2 pages=5 rounds=3 flush=batched backend=native"));
	ASSERT_EQ(0, tlbt_results_text(&self->a, text, sizeof(text)));
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		size_t n = strlen(keys[i]);

		ASSERT_EQ(0, strncmp(line, keys[i], n)) {
			TH_LOG("key %u: want '%s', got '%.40s'", i, keys[i],
			       line);
		}
		ASSERT_EQ(':', line[n]);
		line = strchr(line, '\n');
		ASSERT_NE(NULL, line);
		line++;
	}

	ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
	ASSERT_EQ((unsigned int)TLBT_NR_RESULT_KEYS, r.nr_keys);
	ASSERT_STREQ("migrate", r.sequence);
	ASSERT_STREQ("batched", r.policy);
	ASSERT_STREQ("native", r.backend);
	ASSERT_EQ(2ULL, r.start);
	ASSERT_EQ(5ULL, r.pages);
	ASSERT_EQ(3ULL, r.rounds);
	ASSERT_EQ(0ULL, r.dst + r.punch + r.zap);
	ASSERT_EQ(0LL, r.error);
	ASSERT_EQ(3ULL, r.rounds_done);
	ASSERT_EQ(15ULL, r.pages_copied);
	ASSERT_EQ(0ULL, r.writebacks + r.flushes_avoided);
	ASSERT_EQ(r.ns_total / 15, r.ns_per_page);
	ASSERT_EQ(0UL, pattern_errors(self->a.base, self->a.pages, 1));
}

/* dst and punch belong to mremap, zap to mkclean; 0 everywhere else. */
TEST_F(arena, results_report_dst_punch_and_zap)
{
	struct tlbt_result r;

	ASSERT_EQ(0, tlbt_cmd(&self->a, "mremap start=1 pages=5 dst=10 punch=2"));
	ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
	ASSERT_EQ((unsigned int)TLBT_NR_RESULT_KEYS, r.nr_keys);
	ASSERT_STREQ("mremap", r.sequence);
	ASSERT_EQ(1ULL, r.start);
	ASSERT_EQ(5ULL, r.pages);
	ASSERT_EQ(10ULL, r.dst);
	ASSERT_EQ(2ULL, r.punch);
	ASSERT_EQ(0ULL, r.zap);
	/* the punch copies what it releases, so the source keeps its data */
	ASSERT_EQ(2ULL, r.pages_copied);
	ASSERT_EQ(0UL, pattern_errors(self->a.base, 10, 1));

	ASSERT_EQ(0, tlbt_cmd(&self->a, "mkclean pages=8 zap=3"));
	ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
	ASSERT_STREQ("mkclean", r.sequence);
	ASSERT_EQ(0ULL, r.dst + r.punch);
	ASSERT_EQ(3ULL, r.zap);
	ASSERT_EQ(8ULL, r.writebacks);	/* every page was dirty */
	ASSERT_EQ(0UL, pattern_errors(self->a.base, 10, 1));
}

TEST_F(arena, defaults_are_whole_arena_one_round_immediate_native)
{
	struct tlbt_result r;

	ASSERT_EQ(0, tlbt_cmd(&self->a, "migrate"));
	ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
	ASSERT_STREQ("immediate", r.policy);
	ASSERT_STREQ("native", r.backend);
	ASSERT_EQ(0ULL, r.start);
	ASSERT_EQ((unsigned long long)ARENA_PAGES, r.pages);
	ASSERT_EQ(1ULL, r.rounds_done);

	/* pages defaults to "all from start" */
	ASSERT_EQ(0, tlbt_cmd(&self->a, "migrate start=10"));
	ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
	ASSERT_EQ(10ULL, r.start);
	ASSERT_EQ(ARENA_PAGES - 10ULL, r.pages);
	ASSERT_EQ(0UL, pattern_errors(self->a.base, self->a.pages, 1));
}

TEST_F(arena, hex_numbers_tabs_and_trailing_newline_accepted)
{
	struct tlbt_result r;

	/* separators on both ends too, before the newline */
	ASSERT_EQ(0, tlbt_cmd(&self->a, "%s\n",
			      "\tmigrate \t start=0x2  pages=0xa\trounds=0x3 "));
	ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
	ASSERT_EQ(2ULL, r.start);
	ASSERT_EQ(10ULL, r.pages);
	ASSERT_EQ(3ULL, r.rounds_done);

	/* the last page alone, and the whole arena spelled out */
	ASSERT_EQ(0, tlbt_cmd(&self->a, "migrate start=15 pages=1 rounds=1"));
	ASSERT_EQ(0, tlbt_cmd(&self->a, "migrate start=0 pages=16"));
	ASSERT_EQ(0UL, pattern_errors(self->a.base, self->a.pages, 1));
}

TEST_F(arena, command_of_511_bytes_accepted)
{
	char cmd[TLBT_CMD_MAX_LEN + 1];
	size_t n;

	n = snprintf(cmd, sizeof(cmd), "migrate pages=1");
	memset(cmd + n, ' ', TLBT_CMD_MAX_LEN - n);
	cmd[TLBT_CMD_MAX_LEN] = '\0';
	ASSERT_EQ(0, tlbt_cmd_raw(&self->a, cmd, TLBT_CMD_MAX_LEN));
	cmd[TLBT_CMD_MAX_LEN - 1] = '\n';
	ASSERT_EQ(0, tlbt_cmd_raw(&self->a, cmd, TLBT_CMD_MAX_LEN));
	assert_arena_intact(_metadata, &self->a, NULL, 1);
}

/*
 * Without concurrent writers every policy must keep every byte of its
 * range (mremap drops its destination, as MREMAP_FIXED unmaps a target).
 * The data-loss check is the exception, and no stale-TLB verdict:
 * unsafe-ignore-dirty drops dirty pages without writeback by design,
 * and must count each as lost_dirty.
 */
TEST_F(arena, every_policy_and_backend_preserves_data)
{
	const struct tlbt_seq_desc *s;
	const char *const *p, *const *b;
	char cmd[TLBT_CMD_MAX_LEN + 1];
	struct tlbt_result r;
	uint64_t salt = 1;

	for (s = tlbt_sequences; s->name; s++) {
		size_t pages = s->has_dst ? ARENA_PAGES / 2 : ARENA_PAGES;

		for (p = s->policies; *p; p++) {
			bool drops = tlbt_policy_kind(*p) ==
				     TLBT_POLICY_DATA_LOSS;

			for (b = tlbt_backends; *b; b++) {
				int want = tlbt_combo_supported(s->name, *p, *b) ?
					   0 : -EOPNOTSUPP;

				/* every page in memory, dirty, unlike its store copy */
				fill(self->a.base, self->a.pages, ++salt);
				ASSERT_EQ(0, tlbt_seq_cmd(cmd, sizeof(cmd), s,
							  pages, 3, *p, *b));
				ASSERT_EQ(want, tlbt_cmd(&self->a, "%s", cmd))
					TH_LOG("%s", cmd);
				if (want)
					continue;
				ASSERT_EQ(0, tlbt_results_read(&self->a, &r));
				ASSERT_STREQ(*p, r.policy);
				ASSERT_STREQ(*b, r.backend);
				ASSERT_EQ(3ULL, r.rounds_done);
				ASSERT_EQ(0ULL, r.leaked_pages + r.poison_hits);
				ASSERT_EQ(drops ? pages : 0, r.lost_dirty)
					TH_LOG("%s", cmd);
				if (drops)
					continue;
				ASSERT_EQ(0UL, pattern_errors(self->a.base, pages,
							      salt)) {
					TH_LOG("%s", cmd);
				}
			}
		}
	}
}

/* Wait until the workers made @n more page visits; false after 20 s. */
static bool wait_visits(struct tlbt_workers *ws, unsigned long long n)
{
	unsigned long long v0 = tlbt_workers_visits(ws);
	int i;

	for (i = 0; i < 2000; i++) {
		if (tlbt_workers_visits(ws) - v0 >= n)
			return true;
		sleep_ms(10);
	}
	return false;
}

/*
 * The read checker and the guards can fail: with no command at all, the
 * checked layout reads clean; then a poison word in one page's tag slot,
 * another page's tag in a second and a stray write into a third page's
 * guard must be read as poison and as foreign words, and found changed
 * at the end (3 words). Counter slots are left alone, so the write
 * oracle stays at 0: only the new checks can see these.
 */
TEST_F(arena, read_checker_counts_poison_foreign_words_and_guards)
{
	volatile uint64_t *b = self->a.base;
	const size_t S = TLBT_SLOTS_PER_PAGE;
	struct tlbt_workers ws;
	struct tlbt_oracle o;
	size_t guard;

	if (tlbt_nr_cpus() < 2)
		SKIP(return, "%s:" ONE_CPU, _metadata->name);
	ASSERT_EQ(0, tlbt_workers_start_arena(&ws, b, ARENA_PAGES, 0, 4, -1));
	ASSERT_LT(0U, ws.nr);
	/* every word of every page read a few times over */
	ASSERT_TRUE(wait_visits(&ws, 16 * S));
	ASSERT_EQ(0, tlbt_workers_stop(&ws, &o));
	TH_LOG("clean: %llu reads, %llu increments, %llu read-only visits",
	       o.reads, o.increments, o.ro_visits);
	ASSERT_LT(0ULL, o.reads);
	ASSERT_LT(0ULL, o.increments);
	ASSERT_LT(0ULL, o.ro_visits);
	ASSERT_EQ(0ULL, tlbt_oracle_corruption(&o));
	ASSERT_EQ(tlbt_ar_tag(5, 300), b[5 * S + 300]) TH_LOG("layout");

	/* more workers than guards per page leaves no guard to test */
	if (ws.nr >= TLBT_AR_COUNTERS)
		SKIP(return, "%u workers own every counter slot", ws.nr);
	ASSERT_EQ(0, tlbt_workers_start_arena(&ws, b, ARENA_PAGES, 0, 4, -1));
	guard = (3 + ws.nr) % TLBT_AR_COUNTERS;	/* page 3's first unowned */
	b[1 * S + 400] = TLBT_AR_POISON;
	b[2 * S + 401] = tlbt_ar_tag(9, 401);
	b[3 * S + guard] = 1;
	ASSERT_TRUE(wait_visits(&ws, 16 * S));
	ASSERT_EQ(0, tlbt_workers_stop(&ws, &o));
	TH_LOG("scribbled: %llu reads, poison %llu, foreign words %llu, guard hits %llu",
	       o.reads, o.poison_reads, o.foreign_words, o.guard_hits);
	EXPECT_LT(0ULL, o.poison_reads);
	EXPECT_LT(0ULL, o.foreign_words);
	EXPECT_EQ(3ULL, o.guard_hits);
	EXPECT_EQ(0ULL, o.lost_increments + o.foreign + o.stale_reads +
			o.foreign_reads);
}

TEST_F(arena, command_on_never_mapped_fd_is_enxio)
{
	struct tlbt_arena b;
	struct tlbt_result r;

	ASSERT_EQ(0, tlbt_arena_fd_open(&b));
	ASSERT_EQ(-ENXIO, tlbt_cmd(&b, "migrate pages=1"));
	ASSERT_EQ(-ENXIO, tlbt_cmd(&b, "migrate"));
	ASSERT_EQ(0, tlbt_results_read(&b, &r));
	ASSERT_STREQ("none", r.sequence);

	/* the same fd, once mapped, is an arena like any other */
	ASSERT_EQ(0, tlbt_arena_map(&b, 4));
	fill(b.base, b.pages, 4);
	ASSERT_EQ(0, tlbt_cmd(&b, "migrate rounds=2"));
	ASSERT_EQ(0UL, pattern_errors(b.base, b.pages, 4));
	tlbt_arena_close(&b);

	assert_arena_intact(_metadata, &self->a, self->baseline, 1);
}

TEST_F(arena, command_after_munmap_is_enxio_and_same_size_remaps)
{
	size_t len = ARENA_PAGES * PG;
	char text[RESULTS_MAX];
	void *p;

	ASSERT_EQ(0, tlbt_arena_unmap(&self->a));
	ASSERT_EQ(-ENXIO, tlbt_cmd(&self->a, "migrate pages=1"));
	ASSERT_EQ(0, tlbt_results_text(&self->a, text, sizeof(text)));
	ASSERT_STREQ(self->baseline, text);

	/* a different size is refused ... */
	p = mmap(NULL, len / 2, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->a.fd, 0);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-ENXIO, tlbt_cmd(&self->a, "migrate pages=1"));

	/* ... the same size maps the arena again */
	ASSERT_EQ(0, tlbt_arena_map(&self->a, ARENA_PAGES));
	if (pattern_errors(self->a.base, self->a.pages, 1))
		TH_LOG("note: data did not survive munmap + mmap");
	fill(self->a.base, self->a.pages, 1);
	assert_arena_intact(_metadata, &self->a, self->baseline, 1);
}

TEST_F(arena, second_mmap_on_same_fd_is_ebusy)
{
	void *p;

	p = mmap(NULL, ARENA_PAGES * PG, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->a.fd, 0);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EBUSY, errno);
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, self->a.fd, 0);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EBUSY, errno);
	assert_arena_intact(_metadata, &self->a, self->baseline, 1);
}

TEST_F(arena, mmap_at_nonzero_offset_is_einval)
{
	struct tlbt_arena b;
	void *p;

	ASSERT_EQ(0, tlbt_arena_fd_open(&b));
	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, b.fd, PG);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-ENXIO, tlbt_cmd(&b, "migrate"));
	ASSERT_EQ(0, tlbt_arena_map(&b, 4));
	ASSERT_EQ(0, tlbt_cmd(&b, "migrate"));
	tlbt_arena_close(&b);
	assert_arena_intact(_metadata, &self->a, self->baseline, 1);
}

TEST_F(arena, mmap_private_is_einval)
{
	struct tlbt_arena b;
	void *p;

	ASSERT_EQ(0, tlbt_arena_fd_open(&b));
	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, b.fd, 0);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-ENXIO, tlbt_cmd(&b, "migrate"));
	ASSERT_EQ(0, tlbt_arena_map(&b, 4));
	ASSERT_EQ(0, tlbt_cmd(&b, "migrate"));
	tlbt_arena_close(&b);
	assert_arena_intact(_metadata, &self->a, self->baseline, 1);
}

TEST_F(arena, mmap_beyond_max_pages_is_efbig)
{
	unsigned long max;
	struct tlbt_arena b;
	void *p;

	ASSERT_EQ(0, tlbt_knob_read("max_pages", &max));
	ASSERT_EQ(0, tlbt_arena_fd_open(&b));
	p = mmap(NULL, (max + 1) * PG, PROT_READ | PROT_WRITE, MAP_SHARED,
		 b.fd, 0);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EFBIG, errno);
	ASSERT_EQ(-ENXIO, tlbt_cmd(&b, "migrate"));
	ASSERT_EQ(0, tlbt_arena_map(&b, 2));
	ASSERT_EQ(0, tlbt_cmd(&b, "migrate"));
	tlbt_arena_close(&b);
	assert_arena_intact(_metadata, &self->a, self->baseline, 1);
}

TEST_F(arena, mremap_move_is_refused)
{
	size_t len = ARENA_PAGES * PG;
	void *target, *p;

	/* a reserved spot, so MREMAP_FIXED cannot clobber anything else */
	target = mmap(NULL, len, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, target);
	p = mremap((void *)self->a.base, len, len,
		   MREMAP_MAYMOVE | MREMAP_FIXED, target);
	if (p != MAP_FAILED)
		self->a.base = p;	/* so that teardown unmaps it */
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EINVAL, errno);
	munmap(target, len);
	assert_arena_intact(_metadata, &self->a, self->baseline, 1);
}

TEST_F(arena, mremap_grow_is_efault)
{
	size_t len = ARENA_PAGES * PG;
	void *p;

	p = mremap((void *)self->a.base, len, len + PG, 0);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EFAULT, errno);
	p = mremap((void *)self->a.base, len, 2 * len, MREMAP_MAYMOVE);
	if (p != MAP_FAILED)
		self->a.base = p;
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EFAULT, errno);
	assert_arena_intact(_metadata, &self->a, self->baseline, 1);
}

/* Not in the README's list, but a shrink is a partial unmap. */
TEST_F(arena, mremap_shrink_and_dontunmap_are_refused)
{
	size_t len = ARENA_PAGES * PG;
	void *p;

	p = mremap((void *)self->a.base, len, len - PG, 0);
	ASSERT_EQ(MAP_FAILED, p);
	TH_LOG("shrink: %s", strerror(errno));
	p = mremap((void *)self->a.base, len, len,
		   MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
	if (p != MAP_FAILED) {
		munmap(p, len);
		ASSERT_EQ(MAP_FAILED, p);
	}
	TH_LOG("dontunmap: %s", strerror(errno));
	assert_arena_intact(_metadata, &self->a, self->baseline, 1);
}

TEST_F(arena, partial_munmap_is_einval)
{
	char *base = (char *)self->a.base;
	size_t len = ARENA_PAGES * PG;

	ASSERT_EQ(-1, munmap(base, PG));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, munmap(base + 5 * PG, 2 * PG));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, munmap(base + len - PG, PG));
	ASSERT_EQ(EINVAL, errno);
	assert_arena_intact(_metadata, &self->a, self->baseline, 1);
}

TEST_F(arena, partial_mprotect_is_einval)
{
	char *base = (char *)self->a.base;
	size_t len = ARENA_PAGES * PG;

	ASSERT_EQ(-1, mprotect(base, PG, PROT_READ));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, mprotect(base + 3 * PG, PG, PROT_READ));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, mprotect(base + len - PG, PG, PROT_NONE));
	ASSERT_EQ(EINVAL, errno);
	assert_arena_intact(_metadata, &self->a, self->baseline, 1);
}

/* VM_DONTCOPY: nothing at the arena's address in the child. */
TEST_F(arena, fork_child_has_no_mapping_and_gets_enxio)
{
	void *base = (void *)self->a.base;
	size_t len = ARENA_PAGES * PG;
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int rc = 0;

		if (range_mapped(base, len))
			rc |= 1;
		if (maps_overlap(base, len))
			rc |= 2;
		if (tlbt_cmd(&self->a, "migrate pages=1") != -ENXIO)
			rc |= 4;
		_exit(rc);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status) & 1) TH_LOG("mincore: child has it");
	EXPECT_EQ(0, WEXITSTATUS(status) & 2) TH_LOG("maps: child has it");
	EXPECT_EQ(0, WEXITSTATUS(status) & 4) TH_LOG("child: not ENXIO");
	assert_arena_intact(_metadata, &self->a, self->baseline, 1);
}

/* Bad commands: the errno the README gives, and nothing changes. */
FIXTURE(bad_cmd) {
	struct tlbt_arena a;
	char baseline[RESULTS_MAX];
};

FIXTURE_VARIANT(bad_cmd) {
	const char *cmd;
	int err;
	size_t pad_to;		/* pad cmd with spaces to this many bytes */
};

FIXTURE_SETUP(bad_cmd)
{
	TLBT_REQUIRE_MODULE();
	setup_arena(_metadata, &self->a, self->baseline);
}

FIXTURE_TEARDOWN(bad_cmd)
{
	tlbt_arena_close(&self->a);
}

FIXTURE_VARIANT_ADD(bad_cmd, empty) { .cmd = "", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, newline_only) { .cmd = "\n", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, only_spaces) { .cmd = "  \t  ", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, unknown_sequence) {
	.cmd = "frobnicate pages=1", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, sequence_prefix) {
	.cmd = "migr pages=1", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, key_as_sequence) {
	.cmd = "pages=1 migrate", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, unknown_key) {
	.cmd = "migrate pages=1 colour=red", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, key_in_upper_case) {
	.cmd = "migrate PAGES=1", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, missing_equals) {
	.cmd = "migrate pages 1", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, empty_value) {
	.cmd = "migrate pages=", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, empty_key) {
	.cmd = "migrate =4", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, non_numeric) {
	.cmd = "migrate pages=four", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, trailing_garbage_in_number) {
	.cmd = "migrate pages=4k", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, bare_hex_prefix) {
	.cmd = "migrate pages=0x", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, negative) {
	.cmd = "migrate pages=-1", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, plus_sign) {
	.cmd = "migrate pages=+1", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, duplicate_key) {
	.cmd = "migrate pages=1 pages=1", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, duplicate_policy) {
	.cmd = "migrate flush=batched flush=batched", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, unknown_policy) {
	.cmd = "migrate flush=sometimes", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, unknown_backend) {
	.cmd = "migrate backend=magic", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, policy_of_mremap) {
	.cmd = "migrate flush=unsafe-release-before-flush", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, policy_of_mkclean) {
	.cmd = "migrate flush=tlbgen", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, number_over_64_bits) {
	.cmd = "migrate start=18446744073709551616", .err = ERANGE };
FIXTURE_VARIANT_ADD(bad_cmd, hex_over_64_bits) {
	.cmd = "migrate rounds=0x10000000000000001", .err = ERANGE };
FIXTURE_VARIANT_ADD(bad_cmd, start_past_end) {
	.cmd = "migrate start=16 pages=1", .err = ERANGE };
FIXTURE_VARIANT_ADD(bad_cmd, start_past_end_default_pages) {
	.cmd = "migrate start=16", .err = ERANGE };
FIXTURE_VARIANT_ADD(bad_cmd, pages_past_end) {
	.cmd = "migrate pages=17", .err = ERANGE };
FIXTURE_VARIANT_ADD(bad_cmd, start_plus_pages_past_end) {
	.cmd = "migrate start=8 pages=9", .err = ERANGE };
FIXTURE_VARIANT_ADD(bad_cmd, start_plus_pages_overflows) {
	.cmd = "migrate start=1 pages=18446744073709551615", .err = ERANGE };
FIXTURE_VARIANT_ADD(bad_cmd, pages_zero) {
	.cmd = "migrate pages=0", .err = ERANGE };
FIXTURE_VARIANT_ADD(bad_cmd, rounds_zero) {
	.cmd = "migrate rounds=0", .err = ERANGE };
FIXTURE_VARIANT_ADD(bad_cmd, rounds_too_big) {
	.cmd = "migrate rounds=1000001", .err = ERANGE };
FIXTURE_VARIANT_ADD(bad_cmd, unsafe_policy_on_kernel_backend) {
	.cmd = "migrate flush=unsafe-copy-before-flush backend=kernel",
	.err = EOPNOTSUPP };
FIXTURE_VARIANT_ADD(bad_cmd, mremap_without_dst) {
	.cmd = "mremap pages=4", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, mremap_dst_inside_source) {
	.cmd = "mremap pages=8 dst=4", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, mremap_source_inside_dst) {
	.cmd = "mremap start=4 pages=8 dst=0", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, mremap_dst_equals_start) {
	.cmd = "mremap start=2 pages=1 dst=2", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, mremap_dst_past_end) {
	.cmd = "mremap pages=4 dst=16", .err = ERANGE };
FIXTURE_VARIANT_ADD(bad_cmd, mremap_dst_plus_pages_past_end) {
	.cmd = "mremap pages=4 dst=13", .err = ERANGE };
FIXTURE_VARIANT_ADD(bad_cmd, mremap_dst_plus_pages_overflows) {
	.cmd = "mremap pages=4 dst=18446744073709551614", .err = ERANGE };
FIXTURE_VARIANT_ADD(bad_cmd, mremap_punch_over_pages) {
	.cmd = "mremap pages=4 dst=8 punch=5", .err = ERANGE };
FIXTURE_VARIANT_ADD(bad_cmd, mremap_zap) {
	.cmd = "mremap pages=4 dst=8 zap=1", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, mremap_policy_of_migrate) {
	.cmd = "mremap pages=4 dst=8 flush=unsafe-copy-before-flush",
	.err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, dst_on_migrate) {
	.cmd = "migrate pages=4 dst=8", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, punch_on_reclaim) {
	.cmd = "reclaim punch=1", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, dst_on_mkclean) {
	.cmd = "mkclean dst=8", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, zap_on_sync) {
	.cmd = "sync zap=1", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, mkclean_zap_over_pages) {
	.cmd = "mkclean pages=4 zap=5", .err = ERANGE };
FIXTURE_VARIANT_ADD(bad_cmd, mkclean_zap_over_default_pages) {
	.cmd = "mkclean start=12 zap=5", .err = ERANGE };
FIXTURE_VARIANT_ADD(bad_cmd, reclaim_policy_of_mkclean) {
	.cmd = "reclaim flush=tlbgen", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, mkclean_batched) {
	.cmd = "mkclean flush=batched", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, sync_batched) {
	.cmd = "sync flush=batched", .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_cmd, mkclean_on_kernel_backend) {
	.cmd = "mkclean backend=kernel", .err = EOPNOTSUPP };
FIXTURE_VARIANT_ADD(bad_cmd, mkclean_tlbgen_on_kernel_backend) {
	.cmd = "mkclean zap=1 flush=tlbgen backend=kernel",
	.err = EOPNOTSUPP };
FIXTURE_VARIANT_ADD(bad_cmd, sync_on_kernel_backend) {
	.cmd = "sync backend=kernel", .err = EOPNOTSUPP };
FIXTURE_VARIANT_ADD(bad_cmd, dirty_aware_on_kernel_backend) {
	.cmd = "mremap pages=8 dst=8 flush=dirty-aware backend=kernel",
	.err = EOPNOTSUPP };
FIXTURE_VARIANT_ADD(bad_cmd, unsafe_mremap_on_kernel_backend) {
	.cmd = "mremap pages=8 dst=8 flush=unsafe-release-before-flush backend=kernel",
	.err = EOPNOTSUPP };
FIXTURE_VARIANT_ADD(bad_cmd, unsafe_reclaim_on_kernel_backend) {
	.cmd = "reclaim flush=unsafe-ignore-dirty backend=kernel",
	.err = EOPNOTSUPP };
FIXTURE_VARIANT_ADD(bad_cmd, command_of_512_bytes) {
	.cmd = "migrate pages=1", .err = E2BIG, .pad_to = TLBT_CMD_MAX_LEN + 1 };
FIXTURE_VARIANT_ADD(bad_cmd, command_of_4096_bytes) {
	.cmd = "migrate pages=1", .err = E2BIG, .pad_to = 4096 };

TEST_F(bad_cmd, fails_and_changes_nothing)
{
	size_t len = strlen(variant->cmd);
	char *buf;

	if (variant->pad_to > len) {
		buf = malloc(variant->pad_to);
		ASSERT_NE(NULL, buf);
		memcpy(buf, variant->cmd, len);
		memset(buf + len, ' ', variant->pad_to - len);
		len = variant->pad_to;
	} else {
		buf = strdup(variant->cmd);
		ASSERT_NE(NULL, buf);
	}
	ASSERT_EQ(-variant->err, tlbt_cmd_raw(&self->a, buf, len)) {
		TH_LOG("'%.60s' (%zu bytes)", variant->cmd, len);
	}
	free(buf);
	assert_arena_intact(_metadata, &self->a, self->baseline, 1);
}

/* Knobs refuse out-of-range values and keep the old one. */
FIXTURE(knobs) {
	unsigned long ceiling;
	unsigned long max_pages;
};

FIXTURE_SETUP(knobs)
{
	TLBT_REQUIRE_MODULE();
	ASSERT_EQ(0, tlbt_knob_read("ceiling", &self->ceiling));
	ASSERT_EQ(0, tlbt_knob_read("max_pages", &self->max_pages));
}

FIXTURE_TEARDOWN(knobs)
{
	tlbt_knob_write("ceiling", self->ceiling);
	tlbt_knob_write("max_pages", self->max_pages);
}

static int knob_write_str(const char *name, const char *s)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), TLBT_DEBUGFS "/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

/*
 * A number out of range is ERANGE (README); text that is no number at
 * all fails in debugfs' own parser first, with EINVAL.
 */
static void assert_knob_refuses(struct __test_metadata *_metadata,
				const char *name, const char *s, int err,
				unsigned long keep)
{
	unsigned long v;

	ASSERT_EQ(-err, knob_write_str(name, s)) TH_LOG("%s '%s'", name, s);
	ASSERT_EQ(0, tlbt_knob_read(name, &v));
	ASSERT_EQ(keep, v);
}

TEST_F(knobs, ceiling_refuses_out_of_range_and_keeps_value)
{
	unsigned long v;

	ASSERT_EQ(0, tlbt_knob_write("ceiling", 17));
	assert_knob_refuses(_metadata, "ceiling", "262145", ERANGE, 17);
	assert_knob_refuses(_metadata, "ceiling", "18446744073709551615",
			    ERANGE, 17);
	assert_knob_refuses(_metadata, "ceiling", "-1", EINVAL, 17);
	assert_knob_refuses(_metadata, "ceiling", "many", EINVAL, 17);

	/* both ends of the range are fine */
	ASSERT_EQ(0, tlbt_knob_write("ceiling", 0));
	ASSERT_EQ(0, tlbt_knob_read("ceiling", &v));
	ASSERT_EQ(0UL, v);
	ASSERT_EQ(0, tlbt_knob_write("ceiling", TLBT_KNOB_MAX));
	ASSERT_EQ(0, tlbt_knob_read("ceiling", &v));
	ASSERT_EQ(TLBT_KNOB_MAX, v);
}

TEST_F(knobs, max_pages_refuses_out_of_range_and_keeps_value)
{
	struct tlbt_arena a;
	unsigned long v;

	ASSERT_EQ(0, tlbt_knob_write("max_pages", 8));
	assert_knob_refuses(_metadata, "max_pages", "0", ERANGE, 8);
	assert_knob_refuses(_metadata, "max_pages", "262145", ERANGE, 8);
	assert_knob_refuses(_metadata, "max_pages", "-1", EINVAL, 8);
	assert_knob_refuses(_metadata, "max_pages", "", EINVAL, 8);

	/* and the value kept is the one in force */
	ASSERT_EQ(0, tlbt_arena_fd_open(&a));
	ASSERT_EQ(-EFBIG, tlbt_arena_map(&a, 9));
	ASSERT_EQ(0, tlbt_arena_map(&a, 8));
	ASSERT_EQ(0, tlbt_cmd(&a, "migrate"));
	tlbt_arena_close(&a);

	ASSERT_EQ(0, tlbt_knob_write("max_pages", 1));
	ASSERT_EQ(0, tlbt_knob_write("max_pages", TLBT_KNOB_MAX));
	ASSERT_EQ(0, tlbt_knob_read("max_pages", &v));
	ASSERT_EQ(TLBT_KNOB_MAX, v);
}

TLBT_HARNESS_MAIN
