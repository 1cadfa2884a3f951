// SPDX-License-Identifier: GPL-2.0
/*
 * tlbtorture bench: the counts it reports are the module's own.
 *
 * Runs the runner next to this binary on a short sweep, then issues each
 * point's commands directly and compares: shootdowns, INVLPG pages and
 * full flushes are exact whatever the workers do, so they must equal the
 * results' sums, busy points included (replayed here without workers).
 * IPIs depend on which CPUs hold the mm: only a bound. Times are never
 * asserted, only that they are there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tlbt_harness.h"
#include "tlbt_bench.h"

#define BENCH_TIMEOUT	400	/* seconds: the short sweep under TCG */
#define BENCH_CSV	"/tmp/tlbt_bench_test.csv"
#define BENCH_OUT	"/tmp/tlbt_bench_test.out"
#define BENCH_MAX_ROWS	256

struct bench_row {
	char seq[16];
	char policy[24];
	char backend[16];
	unsigned long long busy, pages, rounds, repeats, ceiling;
	double ns_med, ns_min, ns_max;
	double shoot_pp, ipis_pp, invlpg_pp, full_pp;
	unsigned long long shootdowns, ipis, invlpg, full;
	bool counted;
};


static char *next_field(char **s)
{
	char *f = *s, *comma = strchr(f, ',');

	if (comma) {
		*comma = '\0';
		*s = comma + 1;
	} else {
		*s = f + strlen(f);
	}
	return f;
}

/* Rows in TLBT_BENCH_CSV_HEADER order; returns how many, or -errno. */
static int read_csv(const char *path, struct bench_row *rows, int max)
{
	char line[1024];
	bool header = false;
	int nr = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && nr < max) {
		struct bench_row *r = &rows[nr];
		char *s = line, *v;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#')
			continue;
		if (!header) {
			if (strcmp(line, TLBT_BENCH_CSV_HEADER)) {
				fclose(f);
				return -EPROTO;
			}
			header = true;
			continue;
		}
		memset(r, 0, sizeof(*r));
		snprintf(r->seq, sizeof(r->seq), "%s", next_field(&s));
		snprintf(r->policy, sizeof(r->policy), "%s", next_field(&s));
		snprintf(r->backend, sizeof(r->backend), "%s", next_field(&s));
		r->busy = strtoull(next_field(&s), NULL, 10);
		r->pages = strtoull(next_field(&s), NULL, 10);
		r->rounds = strtoull(next_field(&s), NULL, 10);
		r->repeats = strtoull(next_field(&s), NULL, 10);
		r->ceiling = strtoull(next_field(&s), NULL, 10);
		r->ns_med = strtod(next_field(&s), NULL);
		r->ns_min = strtod(next_field(&s), NULL);
		r->ns_max = strtod(next_field(&s), NULL);
		v = next_field(&s);
		r->counted = *v != '\0';
		r->shoot_pp = strtod(v, NULL);
		r->ipis_pp = strtod(next_field(&s), NULL);
		r->invlpg_pp = strtod(next_field(&s), NULL);
		r->full_pp = strtod(next_field(&s), NULL);
		r->shootdowns = strtoull(next_field(&s), NULL, 10);
		r->ipis = strtoull(next_field(&s), NULL, 10);
		r->invlpg = strtoull(next_field(&s), NULL, 10);
		r->full = strtoull(next_field(&s), NULL, 10);
		nr++;
	}
	fclose(f);
	return header ? nr : -EPROTO;
}

static bool near(double got, double want)
{
	double d = got - want;

	return (d < 0 ? -d : d) <= 1e-6 * (want < 0 ? -want : want) + 1e-12;
}

static void touch(struct tlbt_arena *a)
{
	for (size_t p = 0; p < a->pages; p++)
		tlbt_arena_page(a, p)[TLBT_SLOTS_PER_PAGE - 1] = p;
}

/*
 * The point's commands, as tlbt_bench_cmd.c issues them, summed: reclaim
 * one round per command with every page touched first, migrate all
 * rounds in one command.
 */
static void replay(struct __test_metadata *_metadata,
		   const struct bench_row *row, struct tlbt_result *sum)
{
	bool reclaim = !strcmp(row->seq, "reclaim");
	unsigned long long per_cmd = reclaim ? 1 : row->rounds;
	struct tlbt_arena a;
	struct tlbt_result r;

	memset(sum, 0, sizeof(*sum));
	ASSERT_EQ(0, tlbt_arena_open(&a, row->pages));
	touch(&a);
	for (unsigned long long rep = 0; rep < row->repeats; rep++) {
		for (unsigned long long c = 0; c < row->rounds / per_cmd; c++) {
			if (reclaim)
				touch(&a);
			ASSERT_EQ(0, tlbt_cmd(&a, "%s pages=%llu rounds=%llu flush=%s backend=%s",
					      row->seq, row->pages, per_cmd,
					      row->policy, row->backend));
			ASSERT_EQ(0, tlbt_results_read(&a, &r));
			ASSERT_EQ(per_cmd, r.rounds_done);
			sum->shootdowns += r.shootdowns;
			sum->ipis += r.ipis;
			sum->invlpg_pages += r.invlpg_pages;
			sum->full_flushes += r.full_flushes;
		}
	}
	tlbt_arena_close(&a);
}

/*
 * What the README's tables promise for a point: immediate flushes each
 * page, batched each round's range, none only the range once at the end
 * of each command; native INVLPGs a shootdown up to @ceiling pages.
 */
static void expected(const struct bench_row *row, bool full_only,
		     struct tlbt_result *want)
{
	unsigned long long pr = row->pages * row->rounds * row->repeats;
	unsigned long long cmds = row->repeats *
		(!strcmp(row->seq, "reclaim") ? row->rounds : 1);
	unsigned long long size = row->pages;

	memset(want, 0, sizeof(*want));
	if (!strcmp(row->policy, "immediate")) {
		want->shootdowns = pr;
		size = 1;
	} else if (!strcmp(row->policy, "batched")) {
		want->shootdowns = row->rounds * row->repeats;
	} else {
		want->shootdowns = cmds;
	}
	if (strcmp(row->backend, "native"))
		return;		/* the kernel's flushes are not counted */
	if (!full_only && size <= row->ceiling)
		want->invlpg_pages = want->shootdowns * size;
	else
		want->full_flushes = want->shootdowns;
}

static void check_rows(struct __test_metadata *_metadata,
		       const struct bench_row *rows, int nr, bool full_only)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	for (int i = 0; i < nr; i++) {
		const struct bench_row *row = &rows[i];
		unsigned long long pr = row->pages * row->rounds * row->repeats;
		struct tlbt_result sum, want;

		TH_LOG("%s %s %s busy=%llu pages=%llu rounds=%llu: shootdowns %llu ipis %llu invlpg %llu full %llu",
		       row->seq, row->policy, row->backend, row->busy,
		       row->pages, row->rounds, row->shootdowns, row->ipis,
		       row->invlpg, row->full);
		/* Times are there and ordered; their values are not checked. */
		EXPECT_LT(0.0, row->ns_min);
		EXPECT_LE(row->ns_min, row->ns_med);
		EXPECT_LE(row->ns_med, row->ns_max);
		if (!strcmp(row->seq, "anon")) {
			EXPECT_FALSE(row->counted);
			continue;
		}
		ASSERT_TRUE(row->counted);
		ASSERT_LT(0ULL, pr);
		EXPECT_TRUE(near(row->shoot_pp, (double)row->shootdowns / pr));
		EXPECT_TRUE(near(row->ipis_pp, (double)row->ipis / pr));
		EXPECT_TRUE(near(row->invlpg_pp, (double)row->invlpg / pr));
		EXPECT_TRUE(near(row->full_pp, (double)row->full / pr));

		/* The knob as the bench had it for this point. */
		ASSERT_EQ(0, tlbt_knob_write("ceiling", row->ceiling));
		replay(_metadata, row, &sum);
		EXPECT_EQ(sum.shootdowns, row->shootdowns);
		EXPECT_EQ(sum.invlpg_pages, row->invlpg);
		EXPECT_EQ(sum.full_flushes, row->full);
		EXPECT_LE(row->ipis, row->shootdowns * (cpus - 1));

		expected(row, full_only, &want);
		EXPECT_EQ(want.shootdowns, row->shootdowns);
		EXPECT_EQ(want.invlpg_pages, row->invlpg);
		EXPECT_EQ(want.full_flushes, row->full);
		if (strcmp(row->backend, "native"))
			EXPECT_EQ(0ULL, row->ipis);
	}
}

FIXTURE(bench) {
	char runner[4096];
	unsigned long ceiling;
	bool full_only;
	struct bench_row *rows;
};

FIXTURE_SETUP(bench)
{
	bool pti, pcid, invpcid;
	int ret = tlbt_runner_path(self->runner, sizeof(self->runner));

	TLBT_REQUIRE_MODULE();
	self->rows = NULL;
	ASSERT_EQ(0, tlbt_knob_read("ceiling", &self->ceiling));
	if (ret) {
		self->runner[0] = '\0';
		SKIP(return, "%s: no tlbtorture runner next to the test or in PATH",
		     _metadata->name);
	}
	ASSERT_EQ(0, tlbt_flush_caps(&pti, &pcid, &invpcid));
	self->full_only = pti && pcid && !invpcid;
	self->rows = calloc(BENCH_MAX_ROWS, sizeof(*self->rows));
	ASSERT_NE(NULL, self->rows);
	ASSERT_EQ(0, tlbt_knob_write("ceiling", 33));
}

/* The 6.1 harness runs the test body after a SKIP in the setup. */
#define NEED_RUNNER()			\
	do {				\
		if (!self->runner[0])	\
			return;		\
	} while (0)

FIXTURE_TEARDOWN(bench)
{
	free(self->rows);
	tlbt_knob_write("ceiling", self->ceiling);
	unlink(BENCH_CSV);
	unlink(BENCH_OUT);
}

TEST_F_TIMEOUT(bench, short_sweep_counts_equal_the_results, BENCH_TIMEOUT)
{
	static const char *const args[] = {
		"bench", "--short", "--seq=migrate,reclaim", "--csv", BENCH_CSV,
		NULL };
	unsigned int busy = tlbt_nr_cpus() > 1 ? 2 : 1;
	int nr, rc;

	NEED_RUNNER();

	rc = tlbt_runner_exec(self->runner, args, BENCH_OUT);
	if (rc)
		tlbt_log_file(_metadata, BENCH_OUT);
	ASSERT_EQ(0, rc);
	nr = read_csv(BENCH_CSV, self->rows, BENCH_MAX_ROWS);
	ASSERT_LE(0, nr) TH_LOG("%s: %s", BENCH_CSV, strerror(-nr));
	/*
	 * busy 0 (and 1), pages 1, 8, 64: two anon rows, and per sequence
	 * none native and immediate and batched on both backends.
	 */
	ASSERT_EQ((int)(busy * 3 * (2 + 2 * 5)), nr);
	check_rows(_metadata, self->rows, nr, self->full_only);
}

/*
 * ceiling 0 makes every batched shootdown a full flush, the maximum
 * none; and the knob must be back where it was afterwards.
 */
TEST_F_TIMEOUT(bench, ceiling_sweep_counts_and_restores_the_knob,
	       BENCH_TIMEOUT)
{
	static const char *const args[] = {
		"bench", "ceiling", "--short", "--busy=0", "--csv", BENCH_CSV,
		NULL };
	unsigned long now;
	int nr, rc, i;

	NEED_RUNNER();

	ASSERT_EQ(0, tlbt_knob_write("ceiling", 17));
	rc = tlbt_runner_exec(self->runner, args, BENCH_OUT);
	if (rc)
		tlbt_log_file(_metadata, BENCH_OUT);
	ASSERT_EQ(0, rc);
	ASSERT_EQ(0, tlbt_knob_read("ceiling", &now));
	EXPECT_EQ(17UL, now);
	nr = read_csv(BENCH_CSV, self->rows, BENCH_MAX_ROWS);
	/* pages 1, 8, 64: none, then batched at ceiling 0 and at the max */
	ASSERT_EQ(3 * 3, nr);
	for (i = 0; i < nr; i++) {
		if (!strcmp(self->rows[i].policy, "batched"))
			EXPECT_TRUE(self->rows[i].ceiling == 0 ||
				    self->rows[i].ceiling == TLBT_KNOB_MAX);
	}
	check_rows(_metadata, self->rows, nr, self->full_only);
}

/* flush=none is for the bench only; fewer than 5 repeats need --short. */
TEST_F(bench, none_outside_bench_and_few_repeats_are_refused)
{
	static const char *const run_none[] = {
		"run", "migrate", "--flush=none", "--pages=4", "--no-workers",
		NULL };
	static const char *const few[] = {
		"bench", "--repeats=3", "--pages=1", NULL };

	NEED_RUNNER();

	EXPECT_EQ(2, tlbt_runner_exec(self->runner, run_none, BENCH_OUT));
	EXPECT_EQ(2, tlbt_runner_exec(self->runner, few, BENCH_OUT));
}

/*
 * tlbtorture plot draws a CSV with gnuplot, or says that it cannot:
 * the guest has no gnuplot, a test box may.
 */
TEST_F(bench, plot_writes_a_png_or_names_gnuplot)
{
	static const char *const args[] = {
		"plot", BENCH_CSV, "/tmp/tlbt_bench_test.png", NULL };
	unsigned char magic[8] = { 0 };
	char out[4096] = "";
	FILE *f;
	int rc, fd;

	NEED_RUNNER();

	f = fopen(BENCH_CSV, "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "# test\n%s\n", TLBT_BENCH_CSV_HEADER);
	for (int p = 1; p <= 64; p *= 8) {
		fprintf(f, "migrate,batched,native,0,%d,4,5,33,%d.0,%d.0,%d.0,,,,,,,,,,\n",
			p, 1000 / p, 900 / p, 1100 / p);
		fprintf(f, "anon,madv_dontneed,mm,0,%d,4,5,33,%d.0,%d.0,%d.0,,,,,,,,,,\n",
			p, 800, 700, 900);
	}
	ASSERT_EQ(0, fclose(f));
	unlink("/tmp/tlbt_bench_test.png");
	rc = tlbt_runner_exec(self->runner, args, BENCH_OUT);
	fd = open(BENCH_OUT, O_RDONLY);
	if (fd >= 0) {
		ssize_t n = read(fd, out, sizeof(out) - 1);

		out[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	if (rc) {
		EXPECT_NE(NULL, strstr(out, "gnuplot")) TH_LOG("%s", out);
		return;
	}
	fd = open("/tmp/tlbt_bench_test.png", O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(8, read(fd, magic, 8));
	close(fd);
	unlink("/tmp/tlbt_bench_test.png");
	EXPECT_EQ(0, memcmp(magic, "\x89PNG\r\n\x1a\n", 8));
}

TLBT_HARNESS_MAIN
