// SPDX-License-Identifier: GPL-2.0
/*
 * tlbtorture: command-line runner for the tlbtorture module.
 *
 *   tlbtorture run <sequence> [options]   one command, all results
 *   tlbtorture matrix [options]           every sequence x policy x backend
 *   tlbtorture bench [ceiling] [options]  flush cost sweep (tlbt_bench_cmd.c)
 *   tlbtorture detect [options]           detection rate (tlbt_detect_cmd.c)
 *   tlbtorture plot CSV PNG               gnuplot of a bench CSV
 *   tlbtorture selfcheck                  the worker oracle, without module
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "libtlbt.h"
#include "tlbt_bench.h"
#include "tlbt_detect.h"

/* tlbt_kernel_cmd.c: the kernel-path scenarios as a table. */
int tlbt_kernel_main(int argc, char **argv);

#define TLBT_DEFAULT_PAGES	64
#define TLBT_MATRIX_ROUNDS	200
/*
 * Matrix rows of policies that shoot down page by page. Under TCG an IPI
 * to a busy vCPU costs a host time slice (~7 ms with 4 vCPUs on 2 host
 * cores), so 64 pages x 200 rounds would take minutes per row.
 */
#define TLBT_MATRIX_PAGES_PER_PAGE	16

struct tlbt_opts {
	const char *flush;
	const char *backend;
	const char *seq;
	unsigned long long pages;
	unsigned long long start;
	unsigned long long rounds;
	unsigned long long arena_pages;
	unsigned long long dst;
	unsigned long long punch;
	unsigned long long zap;
	int issuer_cpu;
	bool has_pages, has_start, has_rounds;
	bool has_dst, has_punch, has_zap;
	bool no_workers;
};

static void tlbt_usage(FILE *f)
{
	fprintf(f,
"usage: tlbtorture run <sequence> [--flush=P] [--backend=B] [--pages=N]\n"
"                      [--start=N] [--rounds=N] [--arena-pages=N]\n"
"                      [--dst=N] [--punch=N] [--zap=N]\n"
"                      [--issuer-cpu=N] [--no-workers]\n"
"       tlbtorture matrix [--seq=NAME] [--pages=N] [--rounds=N]\n"
"                      [--issuer-cpu=N]\n"
"       tlbtorture bench [ceiling] [options]   (tlbtorture bench --help)\n"
"       tlbtorture detect [--runs=N] [--rounds=N] [--pages=N] [options]\n"
"                      (tlbtorture detect --help)\n"
"       tlbtorture kernel [--pages=N] [--rounds=N]   (tlbtorture kernel --help)\n"
"       tlbtorture plot CSV PNG\n"
"       tlbtorture selfcheck\n"
"       tlbtorture help\n"
"\n"
"run      maps an arena of start+pages pages (default pages: %d), starts\n"
"         one worker per other CPU, issues one command and prints every\n"
"         results key, then the user-space oracle: lost_increments,\n"
"         stale_reads, increments, foreign, foreign_reads, workers.\n"
"         mremap always gets pages and dst (default start+pages; the\n"
"         arena grows to hold it) and its workers stay on the source.\n"
"         Exit 1 if the command fails.\n"
"matrix   runs every sequence x policy x backend, or those of --seq,\n"
"         for %d rounds on %d pages (%d for immediate and dirty-aware,\n"
"         which shoot down page by page; --pages sets every row) and\n"
"         prints one table. mremap moves to dst=pages, mkclean races a\n"
"         zap of pages/4. verdict: safe policies must show no\n"
"         corruption (ok/CORRUPT) and reach their race (else unraced:\n"
"         a worker access while the command ran, and native, a flush\n"
"         on a worker CPU); stale-TLB controls (unsafe-*) must be\n"
"         detected (caught/missed), or masked where no stale entry can\n"
"         outlive mremap's punch. unsafe-ignore-dirty involves no TLB: it\n"
"         is a data-loss check of the oracle, without workers, in a\n"
"         table of its own (data-loss/MISCOUNT). Exit 1 on any CORRUPT,\n"
"         missed, MISCOUNT or ERROR.\n"
"bench    sweeps sequence x policy (with the flush=none baseline) x\n"
"         backend x pages per round x busy CPUs, next to the kernel's own\n"
"         MADV_DONTNEED and mremap; table, --csv, --plot (gnuplot).\n"
"         bench ceiling: INVLPG per page against a full flush.\n"
"detect   runs each stale-TLB control --runs times for up to --rounds\n"
"         on --pages and prints per control the runs that caught it and\n"
"         the median rounds to the first detection (defaults: detect\n"
"         --help). Exit 1 only if a command fails.\n"
"plot     draws a bench CSV (e.g. one brought back from a guest) as PNG.\n"
"selfcheck runs the worker oracle on anonymous memory, no module needed:\n"
"         a clean run must count nothing, a rolled-back copy must be\n"
"         caught.\n"
"\n"
"sequences and policies (* also on backend=kernel):\n",
		TLBT_DEFAULT_PAGES, TLBT_MATRIX_ROUNDS, TLBT_DEFAULT_PAGES,
		TLBT_MATRIX_PAGES_PER_PAGE);
	for (const struct tlbt_seq_desc *s = tlbt_sequences; s->name; s++) {
		fprintf(f, "  %-8s", s->name);
		for (const char *const *p = s->policies; *p; p++)
			fprintf(f, " %s%s", *p,
				tlbt_combo_supported(s->name, *p, "kernel") ?
				"*" : "");
		fputc('\n', f);
	}
	fprintf(f, "  %-8s immediate (run only: no matrix row)\n", "sync");
	fprintf(f, "backends:");
	for (const char *const *b = tlbt_backends; *b; b++)
		fprintf(f, " %s", *b);
	fputc('\n', f);
}

/* Also bench's and detect's (tlbt_detect.h): libtlbt's parser, for options. */
int tlbt_parse_num(const char *opt, const char *s, unsigned long long *v)
{
	if (!tlbt_parse_number(s, v))
		return 0;
	fprintf(stderr, "tlbtorture: bad number for --%s: '%s'\n", opt, s);
	return -EINVAL;
}

enum {
	TLBT_OPT_FLUSH = 256,
	TLBT_OPT_BACKEND,
	TLBT_OPT_PAGES,
	TLBT_OPT_START,
	TLBT_OPT_ROUNDS,
	TLBT_OPT_ARENA_PAGES,
	TLBT_OPT_ISSUER,
	TLBT_OPT_NO_WORKERS,
	TLBT_OPT_DST,
	TLBT_OPT_PUNCH,
	TLBT_OPT_ZAP,
	TLBT_OPT_SEQ,
};

static const struct option tlbt_long_opts[] = {
	{ "flush",	 required_argument, NULL, TLBT_OPT_FLUSH },
	{ "backend",	 required_argument, NULL, TLBT_OPT_BACKEND },
	{ "pages",	 required_argument, NULL, TLBT_OPT_PAGES },
	{ "start",	 required_argument, NULL, TLBT_OPT_START },
	{ "rounds",	 required_argument, NULL, TLBT_OPT_ROUNDS },
	{ "arena-pages", required_argument, NULL, TLBT_OPT_ARENA_PAGES },
	{ "issuer-cpu",	 required_argument, NULL, TLBT_OPT_ISSUER },
	{ "no-workers",	 no_argument,	    NULL, TLBT_OPT_NO_WORKERS },
	{ "dst",	 required_argument, NULL, TLBT_OPT_DST },
	{ "punch",	 required_argument, NULL, TLBT_OPT_PUNCH },
	{ "zap",	 required_argument, NULL, TLBT_OPT_ZAP },
	{ "seq",	 required_argument, NULL, TLBT_OPT_SEQ },
	{ NULL, 0, NULL, 0 },
};

static int tlbt_parse_opts(int argc, char **argv, struct tlbt_opts *o)
{
	unsigned long long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->issuer_cpu = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", tlbt_long_opts, NULL)) != -1) {
		const char *name = c >= TLBT_OPT_FLUSH ?
			tlbt_long_opts[c - TLBT_OPT_FLUSH].name : "";

		switch (c) {
		case TLBT_OPT_FLUSH:
			o->flush = optarg;
			break;
		case TLBT_OPT_BACKEND:
			o->backend = optarg;
			break;
		case TLBT_OPT_PAGES:
			if (tlbt_parse_num(name, optarg, &o->pages))
				return -EINVAL;
			o->has_pages = true;
			break;
		case TLBT_OPT_START:
			if (tlbt_parse_num(name, optarg, &o->start))
				return -EINVAL;
			o->has_start = true;
			break;
		case TLBT_OPT_ROUNDS:
			if (tlbt_parse_num(name, optarg, &o->rounds))
				return -EINVAL;
			o->has_rounds = true;
			break;
		case TLBT_OPT_ARENA_PAGES:
			if (tlbt_parse_num(name, optarg, &o->arena_pages))
				return -EINVAL;
			break;
		case TLBT_OPT_ISSUER:
			if (tlbt_parse_num(name, optarg, &v) || v > 1 << 22)
				return -EINVAL;
			o->issuer_cpu = v;
			break;
		case TLBT_OPT_NO_WORKERS:
			o->no_workers = true;
			break;
		case TLBT_OPT_DST:
			if (tlbt_parse_num(name, optarg, &o->dst))
				return -EINVAL;
			o->has_dst = true;
			break;
		case TLBT_OPT_PUNCH:
			if (tlbt_parse_num(name, optarg, &o->punch))
				return -EINVAL;
			o->has_punch = true;
			break;
		case TLBT_OPT_ZAP:
			if (tlbt_parse_num(name, optarg, &o->zap))
				return -EINVAL;
			o->has_zap = true;
			break;
		case TLBT_OPT_SEQ:
			o->seq = optarg;
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

/* Format the command; only the keys the user gave, so defaults stay the
 * module's.
 */
static void tlbt_format_cmd(char *buf, size_t size, const char *seq,
			    const struct tlbt_opts *o)
{
	int n = snprintf(buf, size, "%s", seq);

	if (o->has_start)
		n += snprintf(buf + n, size - n, " start=%llu", o->start);
	if (o->has_pages)
		n += snprintf(buf + n, size - n, " pages=%llu", o->pages);
	if (o->has_rounds)
		n += snprintf(buf + n, size - n, " rounds=%llu", o->rounds);
	if (o->has_dst)
		n += snprintf(buf + n, size - n, " dst=%llu", o->dst);
	if (o->has_punch)
		n += snprintf(buf + n, size - n, " punch=%llu", o->punch);
	if (o->has_zap)
		n += snprintf(buf + n, size - n, " zap=%llu", o->zap);
	if (o->flush)
		n += snprintf(buf + n, size - n, " flush=%s", o->flush);
	if (o->backend)
		snprintf(buf + n, size - n, " backend=%s", o->backend);
}

static void tlbt_print_oracle(const struct tlbt_oracle *o)
{
	printf("lost_increments: %llu\n", o->lost_increments);
	printf("stale_reads: %llu\n", o->stale_reads);
	printf("increments: %llu\n", o->increments);
	printf("foreign: %llu\n", o->foreign);
	printf("foreign_reads: %llu\n", o->foreign_reads);
	printf("reads: %llu\n", o->reads);
	printf("poison_reads: %llu\n", o->poison_reads);
	printf("foreign_words: %llu\n", o->foreign_words);
	printf("guard_hits: %llu\n", o->guard_hits);
	printf("workers: %u\n", o->workers);
}

static void tlbt_open_failed(int err)
{
	const char *why = tlbt_module_unusable();

	if (why)
		fprintf(stderr, "tlbtorture: %s\n", why);
	else
		fprintf(stderr, "tlbtorture: arena: %s\n", strerror(-err));
}

/*
 * One command on a fresh arena of @arena_pages pages, raced by workers on
 * its first @worker_pages pages. Fills *@rc; returns 0 or the -errno.
 */
static int tlbt_run_one(const char *cmd, size_t arena_pages,
			size_t worker_pages, int issuer_cpu,
			struct tlbt_raced *rc)
{
	struct tlbt_arena a;
	int ret;

	ret = tlbt_arena_open(&a, arena_pages);
	if (ret) {
		tlbt_open_failed(ret);
		return ret;
	}
	ret = tlbt_race_cmd(&a, 0, worker_pages, issuer_cpu, cmd, rc);
	if (ret)
		fprintf(stderr, "tlbtorture: '%s': %s\n", cmd, strerror(-ret));
	tlbt_arena_close(&a);
	return ret;
}

/* The data-loss check: what it counted, over every round. */
struct tlbt_loss {
	unsigned long long written;	/* pages written before each command */
	unsigned long long lost_dirty;	/* the module's count */
	unsigned long long lost_read;	/* written pages read back without it */
	unsigned long long writebacks;
	unsigned long long shootdowns;
	unsigned long long other;	/* any other corruption, read or counted */
};

static uint64_t tlbt_loss_pattern(size_t slot, uint64_t salt)
{
	return (0xd10550000000000ULL | slot) ^ (salt * 0x9e3779b97f4a7c15ULL);
}

/* Does page @p hold the pattern of @salt, every slot of it? */
static bool tlbt_loss_page_is(const struct tlbt_arena *a, size_t p,
			      uint64_t salt)
{
	volatile uint64_t *pg = tlbt_arena_page(a, p);
	size_t i;

	for (i = 0; i < TLBT_SLOTS_PER_PAGE; i++)
		if (pg[i] != tlbt_loss_pattern(p * TLBT_SLOTS_PER_PAGE + i, salt))
			return false;
	return true;
}

static void tlbt_loss_fill(struct tlbt_arena *a, size_t p, uint64_t salt)
{
	volatile uint64_t *pg = tlbt_arena_page(a, p);
	size_t i;

	for (i = 0; i < TLBT_SLOTS_PER_PAGE; i++)
		pg[i] = tlbt_loss_pattern(p * TLBT_SLOTS_PER_PAGE + i, salt);
}

/*
 * A policy that drops dirty pages by design (unsafe-ignore-dirty) needs
 * no race and no TLB, so it runs without workers, one command of one
 * round per round. Every page is first written back once (salt 0). Then
 * each round writes about two pages in three and only reads the rest
 * (those come back clean), and drops the range: the module must count
 * exactly the written pages as lost_dirty, and each of them must read
 * back as its salt-0 store copy, the others unchanged.
 */
static int tlbt_data_loss_check(const struct tlbt_seq_desc *s,
				const char *policy, const char *backend,
				unsigned long long pages,
				unsigned long long rounds,
				struct tlbt_loss *l)
{
	char cmd[TLBT_CMD_MAX_LEN + 1];
	struct tlbt_result r;
	struct tlbt_arena a;
	unsigned long long k;
	size_t p;
	int ret;

	memset(l, 0, sizeof(*l));
	ret = tlbt_seq_cmd(cmd, sizeof(cmd), s, pages, 1, policy, backend);
	if (ret)
		return ret;
	ret = tlbt_arena_open(&a, pages);
	if (ret) {
		tlbt_open_failed(ret);
		return ret;
	}
	for (p = 0; p < pages; p++)
		tlbt_loss_fill(&a, p, 0);
	ret = tlbt_cmd(&a, "%s pages=%llu flush=batched", s->name, pages);
	for (k = 1; !ret && k <= rounds; k++) {
		for (p = 0; p < pages; p++) {
			if ((p + k) % 3) {
				tlbt_loss_fill(&a, p, k);
				l->written++;
			} else if (!tlbt_loss_page_is(&a, p, 0)) {
				l->other++;
			}
		}
		ret = tlbt_cmd(&a, "%s", cmd);
		if (!ret)
			ret = tlbt_results_read(&a, &r);
		if (ret)
			break;
		l->lost_dirty += r.lost_dirty;
		l->writebacks += r.writebacks;
		l->shootdowns += r.shootdowns;
		l->other += r.leaked_pages + r.leaked_bytes + r.poison_hits;
		for (p = 0; p < pages; p++) {
			bool gone = tlbt_loss_page_is(&a, p, 0);

			if ((p + k) % 3 && gone)
				l->lost_read++;
			else if (!gone)
				l->other++;
		}
	}
	if (ret)
		fprintf(stderr, "tlbtorture: data-loss check '%s': %s\n", cmd,
			strerror(-ret));
	tlbt_arena_close(&a);
	return ret;
}

static int tlbt_do_run(int argc, char **argv)
{
	unsigned long long arena_pages, pages, first = 0, nr;
	char cmd[TLBT_CMD_MAX_LEN + 1], text[8192];
	const struct tlbt_seq_desc *s;
	struct tlbt_workers ws;
	struct tlbt_oracle o;
	struct tlbt_opts opts;
	struct tlbt_arena a;
	int ret, cmd_ret;

	if (argc < 2 || argv[1][0] == '-') {
		tlbt_usage(stderr);
		return 2;
	}
	if (tlbt_parse_opts(argc - 1, argv + 1, &opts) ||
	    optind != argc - 1) {
		tlbt_usage(stderr);
		return 2;
	}
	/* No flush in the rounds is a measurement, not a run to trust. */
	if (opts.flush && !strcmp(opts.flush, "none")) {
		fprintf(stderr,
			"tlbtorture: flush=none is the benchmark baseline: use tlbtorture bench\n");
		return 2;
	}
	s = tlbt_seq_find(argv[1]);
	pages = opts.has_pages ? opts.pages : TLBT_DEFAULT_PAGES;
	if (s && s->has_dst) {
		/* Spelled out, so that the workers know where the source is. */
		opts.has_pages = true;
		opts.pages = pages;
		if (!opts.has_dst) {
			opts.dst = opts.start + pages;
			opts.has_dst = true;
		}
	}
	arena_pages = opts.arena_pages;
	if (!arena_pages) {
		arena_pages = opts.start + pages;
		if (s && s->has_dst && opts.dst + pages > arena_pages)
			arena_pages = opts.dst + pages;
	}
	tlbt_format_cmd(cmd, sizeof(cmd), argv[1], &opts);

	ret = tlbt_arena_open(&a, arena_pages);
	if (ret) {
		tlbt_open_failed(ret);
		return 1;
	}
	memset(&o, 0, sizeof(o));
	/* mremap: hammer only the source; its destination must stay untouched. */
	nr = a.pages;
	if (s && s->has_dst && opts.start < a.pages &&
	    pages <= a.pages - opts.start) {
		first = opts.start;
		nr = pages;
	}
	if (!opts.no_workers) {
		ret = tlbt_workers_start_arena(&ws, tlbt_arena_page(&a, first),
					       nr, 0, 0, opts.issuer_cpu);
		if (ret) {
			fprintf(stderr, "tlbtorture: workers: %s\n",
				strerror(-ret));
			goto out_close;
		}
		if (!ws.nr)
			fprintf(stderr,
				"tlbtorture: only one CPU allowed: no workers\n");
	}
	cmd_ret = tlbt_cmd(&a, "%s", cmd);
	if (!opts.no_workers)
		ret = tlbt_workers_stop(&ws, &o);
	if (cmd_ret) {
		fprintf(stderr, "tlbtorture: '%s': %s\n", cmd,
			strerror(-cmd_ret));
		ret = cmd_ret;
		goto out_close;
	}
	if (ret) {
		fprintf(stderr, "tlbtorture: workers: %s\n", strerror(-ret));
		goto out_close;
	}
	ret = tlbt_results_text(&a, text, sizeof(text));
	if (ret) {
		fprintf(stderr, "tlbtorture: results: %s\n", strerror(-ret));
		goto out_close;
	}
	fputs(text, stdout);
	if (text[0] && text[strlen(text) - 1] != '\n')
		putchar('\n');
	tlbt_print_oracle(&o);
out_close:
	tlbt_arena_close(&a);
	return ret ? 1 : 0;
}

enum {
	TLBT_COL_SEQ, TLBT_COL_POLICY, TLBT_COL_BACKEND, TLBT_COL_PAGES,
	TLBT_COL_ROUNDS, TLBT_COL_SHOOT, TLBT_COL_IPIS, TLBT_COL_REMOTE,
	TLBT_COL_INVLPG, TLBT_COL_FULL, TLBT_COL_LEAKED_PG, TLBT_COL_LEAKED_B,
	TLBT_COL_POISON, TLBT_COL_LOST_DIRTY, TLBT_COL_LOST_INCR,
	TLBT_COL_STALE, TLBT_COL_BAD_RD, TLBT_COL_DURING, TLBT_COL_NS, TLBT_COL_VERDICT,
	TLBT_NR_COLS,
};

static const char *const tlbt_col_names[TLBT_NR_COLS] = {
	"sequence", "policy", "backend", "pages", "rounds", "shootdowns",
	"ipis", "remote_fl", "invlpg", "full", "leaked_pg", "leaked_b",
	"poison", "lost_dirty", "lost_incr", "stale_rd", "bad_rd", "during", "ns/page",
	"verdict",
};

/* The data-loss table: its own columns, the first five the same. */
enum {
	TLBT_LCOL_WRITTEN = TLBT_COL_SHOOT, TLBT_LCOL_LOST_DIRTY,
	TLBT_LCOL_LOST_READ, TLBT_LCOL_WRITEBACKS, TLBT_LCOL_OTHER,
	TLBT_LCOL_SHOOT, TLBT_LCOL_VERDICT, TLBT_NR_LCOLS,
};

static const char *const tlbt_lcol_names[TLBT_NR_LCOLS] = {
	"sequence", "policy", "backend", "pages", "rounds", "written",
	"lost_dirty", "lost_read", "writebacks", "other", "shootdowns",
	"verdict",
};

struct tlbt_row {
	char cell[TLBT_NR_COLS][96];
};

/*
 * A raced row. Safe: ok, CORRUPT, or unraced when the race was never
 * reached (no failure: nothing was shown either way). Stale-TLB control:
 * caught, masked where tlbt_mremap_masked() holds and the race was
 * reached (no failure), else missed. @why gets the reason of unraced
 * and of a missed row that never raced.
 */
static const char *tlbt_verdict(const char *seq, const char *policy,
				int err, const struct tlbt_raced *rc,
				const char **why, bool *bad)
{
	bool masked;

	*why = NULL;
	if (err) {
		*bad = true;
		return "ERROR";
	}
	if (tlbt_policy_kind(policy) == TLBT_POLICY_SAFE) {
		if (tlbt_raced_corruption(rc)) {
			*bad = true;
			return "CORRUPT";
		}
		*why = tlbt_race_missing(rc);
		return *why ? "unraced" : "ok";
	}
	masked = !strcmp(seq, "mremap") &&
		 !strcmp(policy, "unsafe-release-before-flush") &&
		 tlbt_mremap_masked(rc->r.punch);
	if (tlbt_raced_corruption(rc)) {
		if (masked)
			*why = "despite the masking predicate";
		return "caught";
	}
	*why = tlbt_race_missing(rc);
	if (masked && !*why)
		return "masked";
	*bad = true;
	return "missed";
}

static void tlbt_fill_common(struct tlbt_row *row, const char *seq,
			     const char *policy, const char *backend,
			     unsigned long long pages,
			     unsigned long long rounds)
{
	snprintf(row->cell[TLBT_COL_SEQ], sizeof(row->cell[0]), "%s", seq);
	snprintf(row->cell[TLBT_COL_POLICY], sizeof(row->cell[0]), "%s",
		 policy);
	snprintf(row->cell[TLBT_COL_BACKEND], sizeof(row->cell[0]), "%s",
		 backend);
	snprintf(row->cell[TLBT_COL_PAGES], sizeof(row->cell[0]), "%llu",
		 pages);
	snprintf(row->cell[TLBT_COL_ROUNDS], sizeof(row->cell[0]), "%llu",
		 rounds);
}

static void tlbt_fill_verdict(char *c, size_t n, const char *verdict,
			      int err, const char *why)
{
	if (err)
		snprintf(c, n, "%s (%s)", verdict, strerror(-err));
	else if (why)
		snprintf(c, n, "%s (%s)", verdict, why);
	else
		snprintf(c, n, "%s", verdict);
}

static void tlbt_fill_row(struct tlbt_row *row, const char *seq,
			  const char *policy, const char *backend,
			  unsigned long long pages, unsigned long long rounds,
			  const struct tlbt_raced *rc, const char *verdict,
			  const char *why, int err)
{
	const struct tlbt_result *r = &rc->r;
	const unsigned long long num[TLBT_NR_COLS] = {
		[TLBT_COL_SHOOT] = r->shootdowns,
		[TLBT_COL_IPIS] = r->ipis,
		[TLBT_COL_REMOTE] = tlbt_remote_flushes(r),
		[TLBT_COL_INVLPG] = r->invlpg_pages,
		[TLBT_COL_FULL] = r->full_flushes,
		[TLBT_COL_LEAKED_PG] = r->leaked_pages,
		[TLBT_COL_LEAKED_B] = r->leaked_bytes,
		[TLBT_COL_POISON] = r->poison_hits,
		[TLBT_COL_LOST_DIRTY] = r->lost_dirty,
		[TLBT_COL_LOST_INCR] = rc->o.lost_increments,
		[TLBT_COL_STALE] = rc->o.stale_reads,
		[TLBT_COL_BAD_RD] = tlbt_read_corruption(&rc->o),
		[TLBT_COL_DURING] = rc->during,
		[TLBT_COL_NS] = r->ns_per_page,
	};
	/* The kernel backend reports no IPIs or handler runs. */
	bool native = !strcmp(backend, "native");
	int col;

	tlbt_fill_common(row, seq, policy, backend, pages, rounds);
	for (col = TLBT_COL_SHOOT; col < TLBT_COL_VERDICT; col++) {
		bool none = err || (!native && (col == TLBT_COL_IPIS ||
						col == TLBT_COL_REMOTE));

		snprintf(row->cell[col], sizeof(row->cell[col]),
			 none ? "-" : "%llu", num[col]);
	}
	tlbt_fill_verdict(row->cell[TLBT_COL_VERDICT],
			  sizeof(row->cell[0]), verdict, err, why);
}

/* Exact: every written page lost, counted and read back as lost; no more. */
static const char *tlbt_loss_verdict(int err, const struct tlbt_loss *l,
				     bool *bad)
{
	if (err) {
		*bad = true;
		return "ERROR";
	}
	if (l->written && l->lost_dirty == l->written &&
	    l->lost_read == l->written && !l->writebacks && !l->other)
		return "data-loss";
	*bad = true;
	return "MISCOUNT";
}

static void tlbt_fill_loss_row(struct tlbt_row *row, const char *seq,
			       const char *policy, const char *backend,
			       unsigned long long pages,
			       unsigned long long rounds,
			       const struct tlbt_loss *l, const char *verdict,
			       int err)
{
	const unsigned long long num[TLBT_NR_LCOLS] = {
		[TLBT_LCOL_WRITTEN] = l->written,
		[TLBT_LCOL_LOST_DIRTY] = l->lost_dirty,
		[TLBT_LCOL_LOST_READ] = l->lost_read,
		[TLBT_LCOL_WRITEBACKS] = l->writebacks,
		[TLBT_LCOL_OTHER] = l->other,
		[TLBT_LCOL_SHOOT] = l->shootdowns,
	};
	int col;

	tlbt_fill_common(row, seq, policy, backend, pages, rounds);
	for (col = TLBT_LCOL_WRITTEN; col < TLBT_LCOL_VERDICT; col++)
		snprintf(row->cell[col], sizeof(row->cell[col]),
			 err ? "-" : "%llu", num[col]);
	tlbt_fill_verdict(row->cell[TLBT_LCOL_VERDICT], sizeof(row->cell[0]),
			  verdict, err, NULL);
}

/* Names and the verdict left-aligned (the last column unpadded), numbers right. */
static void tlbt_print_table(const struct tlbt_row *rows, int nr,
			     const char *const *names, int ncols)
{
	int width[TLBT_NR_COLS], col, i;

	for (col = 0; col < ncols; col++) {
		width[col] = strlen(names[col]);
		for (i = 0; i < nr; i++) {
			int w = strlen(rows[i].cell[col]);

			if (w > width[col])
				width[col] = w;
		}
	}
	for (i = -1; i < nr; i++) {
		for (col = 0; col < ncols; col++) {
			const char *s = i < 0 ? names[col] : rows[i].cell[col];
			bool left = col <= TLBT_COL_BACKEND || col == ncols - 1;
			int w = col == ncols - 1 ? 0 : width[col];

			printf("%s%*s", col ? "  " : "", left ? -w : w, s);
		}
		putchar('\n');
	}
}

/* Policies that shoot down page by page (see TLBT_MATRIX_PAGES_PER_PAGE). */
static bool tlbt_flushes_per_page(const char *policy)
{
	return !strcmp(policy, "immediate") || !strcmp(policy, "dirty-aware");
}

/* Append a row; NULL when out of memory. */
static struct tlbt_row *tlbt_row_add(struct tlbt_row **rows, int *nr)
{
	struct tlbt_row *tmp = realloc(*rows, (*nr + 1) * sizeof(**rows));

	if (!tmp)
		return NULL;
	*rows = tmp;
	memset(&tmp[*nr], 0, sizeof(tmp[*nr]));
	return &tmp[(*nr)++];
}

static int tlbt_do_matrix(int argc, char **argv)
{
	unsigned long long rounds = TLBT_MATRIX_ROUNDS;
	bool pti = false, pcid = false, invpcid = false, bad = false;
	struct tlbt_row *rows = NULL, *loss_rows = NULL;
	const struct tlbt_seq_desc *only = NULL;
	char cmd[TLBT_CMD_MAX_LEN + 1];
	unsigned long ceiling;
	struct tlbt_opts opts;
	int nr = 0, nr_loss = 0, ncpus, ret = 1;

	if (tlbt_parse_opts(argc, argv, &opts) || optind != argc ||
	    opts.flush || opts.backend || opts.has_start || opts.arena_pages ||
	    opts.has_dst || opts.has_punch || opts.has_zap || opts.no_workers) {
		tlbt_usage(stderr);
		return 2;
	}
	if (opts.seq) {
		only = tlbt_seq_find(opts.seq);
		if (!only) {
			fprintf(stderr, "tlbtorture: no matrix sequence '%s':",
				opts.seq);
			for (only = tlbt_sequences; only->name; only++)
				fprintf(stderr, " %s", only->name);
			fputc('\n', stderr);
			return 2;
		}
	}
	if (opts.has_pages && !opts.pages) {
		fprintf(stderr, "tlbtorture: --pages must be at least 1\n");
		return 2;
	}
	if (opts.has_rounds)
		rounds = opts.rounds;
	if (!tlbt_module_loaded()) {
		tlbt_open_failed(-ENOENT);
		return 1;
	}

	ncpus = tlbt_nr_cpus();
	tlbt_flush_caps(&pti, &pcid, &invpcid);
	printf("# %d CPUs allowed, %d workers; pti=%d pcid=%d invpcid=%d\n",
	       ncpus, ncpus > 1 ? ncpus - 1 : 0, pti, pcid, invpcid);
	if (ncpus < 2)
		printf("# one CPU: no workers, unsafe policies will likely be missed\n");
	printf("# mremap: dst=pages, punch=pages/2 (rounded up); mkclean: zap=pages/4 (rounded up); workers on pages [0, pages)\n");
	if (tlbt_knob_read("ceiling", &ceiling))
		ceiling = ULONG_MAX;
	printf("# mremap unsafe-release-before-flush is masked %s (pti && (!pcid || !invpcid), or punch > ceiling %lu): its punch's shootdown drops every stale entry before the release\n",
	       tlbt_mremap_masked_by(pti, pcid, invpcid, 0, ULONG_MAX) ?
	       "here" : "only where punch > ceiling", ceiling);
	printf("# remote_fl: flush handlers run on worker CPUs holding the mm (cpu_flushes - shootdowns); during: worker page visits while the command ran\n");
	fflush(stdout);

	for (const struct tlbt_seq_desc *s = tlbt_sequences; s->name; s++) {
		if (only && only != s)
			continue;
		for (const char *const *p = s->policies; *p; p++) {
			unsigned long long pages = TLBT_DEFAULT_PAGES;
			bool loss = tlbt_policy_kind(*p) ==
				    TLBT_POLICY_DATA_LOSS;
			size_t arena_pages;

			if (opts.has_pages)
				pages = opts.pages;
			else if (tlbt_flushes_per_page(*p))
				pages = TLBT_MATRIX_PAGES_PER_PAGE;
			arena_pages = tlbt_seq_arena_pages(s, pages);
			for (const char *const *b = tlbt_backends; *b; b++) {
				struct tlbt_raced rc = { 0 };
				struct tlbt_loss l = { 0 };
				const char *verdict, *why;
				struct tlbt_row *row;
				int err;

				if (!tlbt_combo_supported(s->name, *p, *b))
					continue;
				if (loss) {
					err = tlbt_data_loss_check(s, *p, *b,
								   pages,
								   rounds, &l);
					verdict = tlbt_loss_verdict(err, &l,
								    &bad);
					row = tlbt_row_add(&loss_rows,
							   &nr_loss);
					if (!row)
						goto out;
					tlbt_fill_loss_row(row, s->name, *p,
							   *b, pages, rounds,
							   &l, verdict, err);
					continue;
				}
				err = tlbt_seq_cmd(cmd, sizeof(cmd), s, pages,
						   rounds, *p, *b);
				if (!err)
					err = tlbt_run_one(cmd, arena_pages,
							   pages,
							   opts.issuer_cpu,
							   &rc);
				if (!err && rc.r.rounds_done != rounds)
					err = -EINTR;
				verdict = tlbt_verdict(s->name, *p, err, &rc,
						       &why, &bad);
				row = tlbt_row_add(&rows, &nr);
				if (!row)
					goto out;
				tlbt_fill_row(row, s->name, *p, *b, pages,
					      rounds, &rc, verdict, why, err);
			}
		}
	}
	if (nr_loss) {
		printf("# data-loss check of the oracle, no TLB involved: the policy drops dirty pages itself; no workers, one command per round; lost_dirty must equal the pages written and lost_read (written pages read back without the write)\n");
		tlbt_print_table(loss_rows, nr_loss, tlbt_lcol_names,
				 TLBT_NR_LCOLS);
		printf("# stale-TLB matrix: workers on every other CPU\n");
	}
	tlbt_print_table(rows, nr, tlbt_col_names, TLBT_NR_COLS);
	ret = bad ? 1 : 0;
out:
	free(rows);
	free(loss_rows);
	return ret;
}

static void tlbt_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
}

/*
 * tlbt_mremap_masked_by() against the cases its comment argues: PTI
 * without PCID or without INVPCID masks; PTI with both, or no PTI, only
 * with a punch over the ceiling.
 */
static bool tlbt_masking_predicate_ok(void)
{
	static const struct {
		bool pti, pcid, invpcid;
		unsigned long long punch;
		bool masked;
	} t[] = {
		{ true,  false, false, 32, true },
		{ true,  false, true,  32, true },
		{ true,  true,  false, 32, true },
		{ true,  true,  true,  32, false },
		{ true,  true,  true,  34, true },
		{ false, false, false, 32, false },
		{ false, true,  true,  33, false },
		{ false, true,  true,  34, true },
		{ false, false, false, 34, true },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		if (tlbt_mremap_masked_by(t[i].pti, t[i].pcid, t[i].invpcid,
					  t[i].punch, 33) != t[i].masked)
			return false;
	return true;
}

/*
 * The oracle without the module: workers on anonymous memory must count
 * nothing, and visits in a window they ran through; and a "migration"
 * that copies pages, lets the workers run on, then puts the copy back
 * (what copy-before-flush does) must be caught.
 */
static int tlbt_do_selfcheck(void)
{
	static const char sample[] =
		"sequence: mremap\npolicy: batched\nbackend: native\n"
		"start: 0\npages: 64\nrounds: 200\ndst: 64\npunch: 32\nzap: 0\n"
		"error: -4\nrounds_done: 200\n"
		"shootdowns: 200\nipis: 200\ninvlpg_pages: 0\n"
		"full_flushes: 200\ncpu_flushes: 150\ncpu_skips: 50\n"
		"pages_copied: 12800\nleaked_pages: 0\nleaked_bytes: 0\n"
		"poison_hits: 0\nlost_dirty: 0\nwritebacks: 17\n"
		"flushes_avoided: 3\nns_total: 12345678\n"
		"ns_per_page: 964\nbreak: none\nunsafe: 0\n"
		"units_skipped: 5\nfuture_key: 7\n";
	const size_t pages = 16, len = pages * TLBT_PAGE_SIZE;
	volatile uint64_t *mem;
	unsigned long long during;
	struct tlbt_workers ws;
	struct tlbt_during d;
	struct tlbt_result r;
	struct tlbt_oracle o;
	int fails = 0, ret;
	void *copy;

	ret = tlbt_results_parse(sample, &r);
	if (ret || r.nr_keys != TLBT_NR_RESULT_KEYS ||
	    strcmp(r.policy, "batched") || r.ns_total != 12345678 ||
	    r.pages_copied != 12800 || r.ns_per_page != 964 ||
	    r.dst != 64 || r.punch != 32 || r.writebacks != 17 ||
	    r.flushes_avoided != 3 || r.units_skipped != 5 ||
	    r.error != -4) {
		printf("not ok 1 results parse (ret %d, %u keys)\n", ret,
		       r.nr_keys);
		fails++;
	} else {
		printf("ok 1 results parse\n");
	}
	if (tlbt_masking_predicate_ok()) {
		printf("ok 2 masking predicate\n");
	} else {
		printf("not ok 2 masking predicate\n");
		fails++;
	}

	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	copy = malloc(len);
	if (mem == MAP_FAILED || !copy) {
		perror("tlbtorture: selfcheck");
		return 1;
	}
	/* Non-zero starting values: the oracle must not assume a fresh arena. */
	for (size_t i = 0; i < len / sizeof(uint64_t); i++)
		mem[i] = i * 3;

	ret = tlbt_workers_start(&ws, mem, pages, -1);
	if (ret) {
		printf("not ok 3 workers start: %s\n", strerror(-ret));
		return 1;
	}
	if (!ws.nr) {
		tlbt_workers_stop(&ws, &o);
		printf("ok 3 # SKIP one CPU: no workers\n");
		printf("ok 4 # SKIP one CPU: no workers\n");
		return fails ? 1 : 0;
	}
	tlbt_during_start(&d, &ws);
	tlbt_sleep_ms(200);
	during = tlbt_during_end(&d, &ws, NULL);
	ret = tlbt_workers_stop(&ws, &o);
	if (ret || !o.increments || !during || tlbt_oracle_corruption(&o)) {
		printf("not ok 3 clean run: increments %llu (%llu visits in 200 ms) lost %llu foreign %llu stale %llu\n",
		       o.increments, during, o.lost_increments, o.foreign,
		       o.stale_reads);
		fails++;
	} else {
		printf("ok 3 clean run: %u workers, %llu increments, %llu visits in 200 ms, nothing lost\n",
		       o.workers, o.increments, during);
	}

	ret = tlbt_workers_start(&ws, mem, pages, -1);
	if (ret) {
		printf("not ok 4 workers start: %s\n", strerror(-ret));
		return 1;
	}
	memcpy(copy, (void *)mem, len);
	tlbt_sleep_ms(100);
	memcpy((void *)mem, copy, len);
	tlbt_sleep_ms(100);
	ret = tlbt_workers_stop(&ws, &o);
	if (ret || !o.lost_increments || !o.stale_reads) {
		printf("not ok 4 rolled-back copy missed: lost %llu stale %llu\n",
		       o.lost_increments, o.stale_reads);
		fails++;
	} else {
		printf("ok 4 rolled-back copy caught: lost %llu, stale reads %llu\n",
		       o.lost_increments, o.stale_reads);
	}
	munmap((void *)mem, len);
	free(copy);
	return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		tlbt_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "run"))
		return tlbt_do_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "matrix"))
		return tlbt_do_matrix(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bench"))
		return tlbt_bench_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "detect"))
		return tlbt_detect_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "kernel"))
		return tlbt_kernel_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "plot"))
		return tlbt_plot_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "selfcheck"))
		return tlbt_do_selfcheck();
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		tlbt_usage(stdout);
		return 0;
	}
	fprintf(stderr, "tlbtorture: unknown subcommand '%s'\n", argv[1]);
	tlbt_usage(stderr);
	return 2;
}
