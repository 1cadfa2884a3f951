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
#include "tlbt_report.h"

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
	unsigned long long duration;	/* seconds; 0: one matrix */
	int issuer_cpu;
	bool has_pages, has_start, has_rounds;
	bool has_dst, has_punch, has_zap;
	bool no_workers;
};

static void tlbt_usage(FILE *f)
{
	fprintf(f,
"usage: tlbtorture [--format=text|json] [--seed=N] SUBCOMMAND ...\n"
"       tlbtorture --version\n"
"       tlbtorture run <sequence> [--flush=P] [--backend=B] [--pages=N]\n"
"                      [--start=N] [--rounds=N] [--arena-pages=N]\n"
"                      [--dst=N] [--punch=N] [--zap=N]\n"
"                      [--issuer-cpu=N] [--no-workers]\n"
"       tlbtorture matrix [--seq=NAME] [--pages=N] [--rounds=N]\n"
"                      [--issuer-cpu=N] [--duration=T]\n"
"       tlbtorture bench [ceiling] [options]   (tlbtorture bench --help)\n"
"       tlbtorture detect [--runs=N] [--rounds=N] [--pages=N] [options]\n"
"                      (tlbtorture detect --help)\n"
"       tlbtorture kernel [--pages=N] [--rounds=N]   (tlbtorture kernel --help)\n"
"       tlbtorture plot CSV PNG\n"
"       tlbtorture selfcheck\n"
"       tlbtorture help\n"
"\n"
"--format=json  run, matrix and kernel print JSON Lines on stdout: one\n"
"         object per line, each with \"type\" (header, result, row,\n"
"         pass, soak), \"version\" and \"seed\"; comments go to stderr.\n"
"--seed=N seeds every random choice of the runner's workers (where each\n"
"         starts its passes); default from the clock. Every report\n"
"         prints it: --seed=N replays a run's choices (not its timing).\n"
"         --format and --seed go anywhere among the arguments.\n"
"--version prints the version (module/tlbt_version.h: the module's and\n"
"         dkms.conf's too), and warns if the loaded module differs.\n"
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
"         missed, MISCOUNT or ERROR. Progress per row on stderr.\n"
"         --duration=T (30m; s, m or h, or seconds): a soak that repeats\n"
"         the matrix until T is up (cut between rows), one summary line\n"
"         per pass; it stops at the first corruption in a safe policy,\n"
"         and if tracing records (tracing_on with an event or tracer),\n"
"         writes 0 to tracing_on so that the buffer ends at it. Exit 1\n"
"         then, or if any pass had a missed, MISCOUNT or ERROR row.\n"
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
	TLBT_OPT_DURATION,
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
	{ "duration",	 required_argument, NULL, TLBT_OPT_DURATION },
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
		case TLBT_OPT_DURATION:
			if (tlbt_parse_duration(optarg, &o->duration)) {
				fprintf(stderr,
					"tlbtorture: bad --duration '%s': N, Ns, Nm or Nh, N > 0\n",
					optarg);
				return -EINVAL;
			}
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

/* run's user-space oracle, after the results' keys: text or JSON. */
enum {
	TLBT_ORACLE_LOST, TLBT_ORACLE_STALE, TLBT_ORACLE_INCREMENTS,
	TLBT_ORACLE_FOREIGN, TLBT_ORACLE_FOREIGN_READS, TLBT_ORACLE_READS,
	TLBT_ORACLE_POISON_READS, TLBT_ORACLE_FOREIGN_WORDS,
	TLBT_ORACLE_GUARD_HITS, TLBT_ORACLE_WORKERS,
	TLBT_NR_ORACLE_KEYS,
};

static const char *const tlbt_oracle_keys[TLBT_NR_ORACLE_KEYS] = {
	"lost_increments", "stale_reads", "increments", "foreign",
	"foreign_reads", "reads", "poison_reads", "foreign_words",
	"guard_hits", "workers",
};

static void tlbt_print_oracle(const struct tlbt_oracle *o)
{
	const unsigned long long v[TLBT_NR_ORACLE_KEYS] = {
		[TLBT_ORACLE_LOST] = o->lost_increments,
		[TLBT_ORACLE_STALE] = o->stale_reads,
		[TLBT_ORACLE_INCREMENTS] = o->increments,
		[TLBT_ORACLE_FOREIGN] = o->foreign,
		[TLBT_ORACLE_FOREIGN_READS] = o->foreign_reads,
		[TLBT_ORACLE_READS] = o->reads,
		[TLBT_ORACLE_POISON_READS] = o->poison_reads,
		[TLBT_ORACLE_FOREIGN_WORDS] = o->foreign_words,
		[TLBT_ORACLE_GUARD_HITS] = o->guard_hits,
		[TLBT_ORACLE_WORKERS] = o->workers,
	};
	int i;

	for (i = 0; i < TLBT_NR_ORACLE_KEYS; i++) {
		if (tlbt_json())
			tlbt_json_u64(tlbt_oracle_keys[i], v[i]);
		else
			printf("%s: %llu\n", tlbt_oracle_keys[i], v[i]);
	}
}

/* The results file's "key: value" lines as members, in its order. */
static void tlbt_json_results(const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");
		const char *colon = memchr(text, ':', n);

		if (colon && colon + 1 < text + n && colon[1] == ' ') {
			char key[64], val[128];

			snprintf(key, sizeof(key), "%.*s", (int)(colon - text),
				 text);
			snprintf(val, sizeof(val), "%.*s",
				 (int)(text + n - colon - 2), colon + 2);
			tlbt_json_cell(key, val);
		}
		text += n;
		if (*text)
			text++;
	}
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
	if (opts.duration) {
		fprintf(stderr, "tlbtorture: --duration is matrix's\n");
		return 2;
	}
	tlbt_report_header();

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
	if (tlbt_json()) {
		tlbt_json_begin("result");
		tlbt_json_str("command", cmd);
		tlbt_json_results(text);
		tlbt_print_oracle(&o);
		tlbt_json_end();
	} else {
		fputs(text, stdout);
		if (text[0] && text[strlen(text) - 1] != '\n')
			putchar('\n');
		tlbt_print_oracle(&o);
	}
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

/*
 * A matrix row: its cells, which the text table prints and the JSON row
 * takes by column name (tlbt_print_rows()), and the verdict apart from
 * its reason for JSON.
 */
struct tlbt_row {
	char cell[TLBT_NR_COLS][96];
	const char *verdict;
	char why[80];			/* "" if none */
	bool safe_corrupt;		/* CORRUPT in a safe policy */
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

static void tlbt_fill_verdict(struct tlbt_row *row, int col,
			      const char *verdict, int err, const char *why)
{
	char *c = row->cell[col];
	size_t n = sizeof(row->cell[col]);

	row->verdict = verdict;
	snprintf(row->why, sizeof(row->why), "%s",
		 err ? strerror(-err) : why ? why : "");
	if (row->why[0])
		snprintf(c, n, "%.12s (%.79s)", verdict, row->why);
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
	tlbt_fill_verdict(row, TLBT_COL_VERDICT, verdict, err, why);
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
	tlbt_fill_verdict(row, TLBT_LCOL_VERDICT, verdict, err, NULL);
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

/*
 * The rows of one table, text or JSON: every column but the verdict by
 * its name, then "verdict" and "why" apart.
 */
static void tlbt_print_rows(const struct tlbt_row *rows, int nr,
			    const char *const *names, int ncols,
			    const char *table, unsigned int pass)
{
	int col, i;

	if (!tlbt_json()) {
		tlbt_print_table(rows, nr, names, ncols);
		return;
	}
	for (i = 0; i < nr; i++) {
		tlbt_json_begin("row");
		tlbt_json_str("table", table);
		tlbt_json_u64("pass", pass);
		for (col = 0; col < ncols - 1; col++)
			tlbt_json_cell(names[col], rows[i].cell[col]);
		tlbt_json_str("verdict", rows[i].verdict);
		if (rows[i].why[0])
			tlbt_json_str("why", rows[i].why);
		else
			tlbt_json_null("why");
		tlbt_json_end();
	}
}

/* One row of the matrix: what it runs. */
struct tlbt_combo {
	const struct tlbt_seq_desc *s;
	const char *policy;
	const char *backend;
	unsigned long long pages;
	bool loss;
};

/* Every verdict a row can get, counted per pass. */
static const char *const tlbt_verdicts[] = {
	"ok", "unraced", "CORRUPT", "caught", "masked", "missed",
	"data-loss", "MISCOUNT", "ERROR",
};

struct tlbt_matrix {
	struct tlbt_combo *combos;
	int nr;
	unsigned long long rounds;
	int issuer_cpu;
	unsigned long long deadline;	/* soak: ns of CLOCK_MONOTONIC; 0: none */
	/* this pass's */
	struct tlbt_row *rows, *loss_rows;
	int nr_rows, nr_loss;
};

struct tlbt_pass {
	unsigned int rows;
	unsigned int count[ARRAY_SIZE(tlbt_verdicts)];
	unsigned long long safe_corruption;	/* corruption in safe rows */
	const struct tlbt_row *stop_row;	/* the safe CORRUPT row, soak */
	bool bad;				/* a verdict matrix exits 1 on */
	bool cut;				/* at the deadline, between rows */
	double secs;
};

static unsigned long long tlbt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The combinations in the table's order: sequence, policy, backend. */
static int tlbt_matrix_combos(struct tlbt_matrix *m,
			      const struct tlbt_seq_desc *only,
			      const struct tlbt_opts *opts)
{
	int n = 0, pass;

	/* count, then fill */
	for (pass = 0; pass < 2; pass++) {
		n = 0;
		for (const struct tlbt_seq_desc *s = tlbt_sequences; s->name;
		     s++) {
			if (only && only != s)
				continue;
			for (const char *const *p = s->policies; *p; p++) {
				for (const char *const *b = tlbt_backends; *b;
				     b++) {
					struct tlbt_combo *c;

					if (!tlbt_combo_supported(s->name, *p,
								  *b))
						continue;
					if (!pass) {
						n++;
						continue;
					}
					c = &m->combos[n++];
					c->s = s;
					c->policy = *p;
					c->backend = *b;
					c->loss = tlbt_policy_kind(*p) ==
						  TLBT_POLICY_DATA_LOSS;
					c->pages = TLBT_DEFAULT_PAGES;
					if (opts->has_pages)
						c->pages = opts->pages;
					else if (tlbt_flushes_per_page(*p))
						c->pages =
						TLBT_MATRIX_PAGES_PER_PAGE;
				}
			}
		}
		if (!pass) {
			m->combos = calloc(n ? n : 1, sizeof(*m->combos));
			m->rows = calloc(n ? n : 1, sizeof(*m->rows));
			m->loss_rows = calloc(n ? n : 1, sizeof(*m->rows));
			if (!m->combos || !m->rows || !m->loss_rows)
				return -ENOMEM;
		}
	}
	m->nr = n;
	return 0;
}

/* Count a row's verdict into the pass. */
static void tlbt_pass_count(struct tlbt_pass *st, const struct tlbt_row *row)
{
	size_t i;

	st->rows++;
	for (i = 0; i < ARRAY_SIZE(tlbt_verdicts); i++)
		if (!strcmp(row->verdict, tlbt_verdicts[i]))
			st->count[i]++;
}

/*
 * One pass of the matrix into m->rows and m->loss_rows, progress on
 * stderr. A soak (m->deadline) stops between rows at the deadline, and
 * right after a safe policy's corruption.
 */
static void tlbt_matrix_pass(struct tlbt_matrix *m, unsigned int pass,
			     struct tlbt_pass *st)
{
	unsigned long long t_pass = tlbt_now_ns();
	char cmd[TLBT_CMD_MAX_LEN + 1];
	int i;

	memset(st, 0, sizeof(*st));
	m->nr_rows = 0;
	m->nr_loss = 0;
	for (i = 0; i < m->nr; i++) {
		const struct tlbt_combo *c = &m->combos[i];
		unsigned long long t0 = tlbt_now_ns();
		struct tlbt_raced rc = { 0 };
		struct tlbt_loss l = { 0 };
		const char *verdict, *why;
		struct tlbt_row *row;
		int err;

		if (m->deadline && t0 >= m->deadline) {
			st->cut = true;
			break;
		}
		if (c->loss) {
			err = tlbt_data_loss_check(c->s, c->policy, c->backend,
						   c->pages, m->rounds, &l);
			verdict = tlbt_loss_verdict(err, &l, &st->bad);
			row = &m->loss_rows[m->nr_loss++];
			memset(row, 0, sizeof(*row));
			tlbt_fill_loss_row(row, c->s->name, c->policy,
					   c->backend, c->pages, m->rounds, &l,
					   verdict, err);
		} else {
			err = tlbt_seq_cmd(cmd, sizeof(cmd), c->s, c->pages,
					   m->rounds, c->policy, c->backend);
			if (!err)
				err = tlbt_run_one(cmd,
						   tlbt_seq_arena_pages(c->s,
									c->pages),
						   c->pages, m->issuer_cpu, &rc);
			if (!err && rc.r.rounds_done != m->rounds)
				err = -EINTR;
			verdict = tlbt_verdict(c->s->name, c->policy, err, &rc,
					       &why, &st->bad);
			row = &m->rows[m->nr_rows++];
			memset(row, 0, sizeof(*row));
			tlbt_fill_row(row, c->s->name, c->policy, c->backend,
				      c->pages, m->rounds, &rc, verdict, why,
				      err);
			if (!err && tlbt_policy_kind(c->policy) ==
				    TLBT_POLICY_SAFE) {
				st->safe_corruption +=
					tlbt_raced_corruption(&rc);
				row->safe_corrupt = !strcmp(verdict, "CORRUPT");
			}
		}
		tlbt_pass_count(st, row);
		if (m->deadline)
			snprintf(cmd, sizeof(cmd), "pass %u, ", pass);
		else
			cmd[0] = '\0';
		fprintf(stderr, "# matrix: %s%d/%d %s %s %s: %s, %.1f s\n",
			cmd, i + 1, m->nr, c->s->name,
			c->policy, c->backend, row->cell[c->loss ?
			TLBT_LCOL_VERDICT : TLBT_COL_VERDICT],
			(tlbt_now_ns() - t0) / 1e9);
		if (m->deadline && row->safe_corrupt) {
			st->stop_row = row;
			break;
		}
	}
	st->secs = (tlbt_now_ns() - t_pass) / 1e9;
}

/* The pass's tables: text, or JSON rows with the pass number. */
static void tlbt_matrix_print(const struct tlbt_matrix *m, unsigned int pass)
{
	if (m->nr_loss) {
		if (!tlbt_json())
			printf("# data-loss check of the oracle, no TLB involved: the policy drops dirty pages itself; no workers, one command per round; lost_dirty must equal the pages written and lost_read (written pages read back without the write)\n");
		tlbt_print_rows(m->loss_rows, m->nr_loss, tlbt_lcol_names,
				TLBT_NR_LCOLS, "data-loss", pass);
		if (!tlbt_json())
			printf("# stale-TLB matrix: workers on every other CPU\n");
	}
	tlbt_print_rows(m->rows, m->nr_rows, tlbt_col_names, TLBT_NR_COLS,
			"stale-tlb", pass);
}

/* 1h02m03s */
static void tlbt_fmt_secs(char *buf, size_t n, unsigned long long secs)
{
	if (secs >= 3600)
		snprintf(buf, n, "%lluh%02llum%02llus", secs / 3600,
			 secs / 60 % 60, secs % 60);
	else if (secs >= 60)
		snprintf(buf, n, "%llum%02llus", secs / 60, secs % 60);
	else
		snprintf(buf, n, "%llus", secs);
}

/* The soak's line per pass: text on stdout, or a "pass" object. */
static void tlbt_pass_summary(const struct tlbt_matrix *m, unsigned int pass,
			      const struct tlbt_pass *st,
			      unsigned long long elapsed,
			      unsigned long long duration)
{
	char el[32], du[32];
	size_t i;

	if (tlbt_json()) {
		tlbt_json_begin("pass");
		tlbt_json_u64("pass", pass);
		tlbt_json_u64("rows", st->rows);
		tlbt_json_u64("of", m->nr);
		for (i = 0; i < ARRAY_SIZE(tlbt_verdicts); i++)
			tlbt_json_u64(tlbt_verdicts[i], st->count[i]);
		tlbt_json_u64("safe_corruption", st->safe_corruption);
		tlbt_json_bool("cut", st->cut);
		tlbt_json_double("secs", st->secs);
		tlbt_json_u64("elapsed", elapsed);
		tlbt_json_u64("duration", duration);
		tlbt_json_end();
		return;
	}
	tlbt_fmt_secs(el, sizeof(el), elapsed);
	tlbt_fmt_secs(du, sizeof(du), duration);
	printf("# soak pass %u: %u/%d rows in %.1f s:", pass, st->rows, m->nr,
	       st->secs);
	for (i = 0; i < ARRAY_SIZE(tlbt_verdicts); i++)
		if (st->count[i])
			printf(" %s %u", tlbt_verdicts[i], st->count[i]);
	printf("; safe corruption %llu%s; %s of %s\n", st->safe_corruption,
	       st->cut ? "; cut at the deadline" : "", el, du);
	fflush(stdout);
}

/* Writes @val to @path: 0 or -errno. */
static int tlbt_write_str(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	int ret = 0;

	if (!f)
		return -errno;
	if (fputs(val, f) == EOF)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

/*
 * If the top-level trace buffer records (tracing_on 1, and an event or a
 * tracer on: trace-cmd start/record, or by hand), stop it, so that the
 * buffer ends at the failure. Returns the tracefs directory, or NULL.
 */
static const char *tlbt_trace_freeze(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[128], on[8], tracer[64], events[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/tracing_on", dirs[i]);
		if (tlbt_read_file(path, on, sizeof(on)) || on[0] != '1')
			continue;
		snprintf(path, sizeof(path), "%s/current_tracer", dirs[i]);
		if (tlbt_read_file(path, tracer, sizeof(tracer)))
			tracer[0] = '\0';
		snprintf(path, sizeof(path), "%s/set_event", dirs[i]);
		if (tlbt_read_file(path, events, sizeof(events)))
			events[0] = '\0';
		if ((!tracer[0] || !strncmp(tracer, "nop", 3)) && !events[0])
			continue;
		snprintf(path, sizeof(path), "%s/tracing_on", dirs[i]);
		if (!tlbt_write_str(path, "0"))
			return dirs[i];
	}
	return NULL;
}

static int tlbt_do_matrix(int argc, char **argv)
{
	bool pti = false, pcid = false, invpcid = false, bad = false;
	unsigned long long t_start, elapsed = 0;
	const struct tlbt_seq_desc *only = NULL;
	struct tlbt_matrix m = { 0 };
	unsigned int pass = 0, total_rows = 0;
	struct tlbt_pass st;
	unsigned long ceiling;
	struct tlbt_opts opts;
	int ncpus, ret = 1;
	FILE *note;

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
	m.rounds = opts.has_rounds ? opts.rounds : TLBT_MATRIX_ROUNDS;
	m.issuer_cpu = opts.issuer_cpu;
	if (!tlbt_module_loaded()) {
		tlbt_open_failed(-ENOENT);
		return 1;
	}
	if (tlbt_matrix_combos(&m, only, &opts)) {
		fprintf(stderr, "tlbtorture: matrix: %s\n", strerror(ENOMEM));
		goto out;
	}

	ncpus = tlbt_nr_cpus();
	tlbt_flush_caps(&pti, &pcid, &invpcid);
	if (tlbt_knob_read("ceiling", &ceiling))
		ceiling = ULONG_MAX;
	tlbt_report_header();
	if (tlbt_json()) {
		tlbt_json_begin("header");
		tlbt_json_str("command", "matrix");
		tlbt_json_u64("cpus", ncpus);
		tlbt_json_u64("workers", ncpus > 1 ? ncpus - 1 : 0);
		tlbt_json_bool("pti", pti);
		tlbt_json_bool("pcid", pcid);
		tlbt_json_bool("invpcid", invpcid);
		tlbt_json_u64("ceiling", ceiling);
		tlbt_json_u64("rows", m.nr);
		tlbt_json_u64("rounds", m.rounds);
		tlbt_json_u64("duration", opts.duration);
		tlbt_json_end();
	}
	note = tlbt_note_file();
	fprintf(note, "# %d CPUs allowed, %d workers; pti=%d pcid=%d invpcid=%d\n",
		ncpus, ncpus > 1 ? ncpus - 1 : 0, pti, pcid, invpcid);
	if (ncpus < 2)
		fprintf(note, "# one CPU: no workers, unsafe policies will likely be missed\n");
	fprintf(note, "# mremap: dst=pages, punch=pages/2 (rounded up); mkclean: zap=pages/4 (rounded up); workers on pages [0, pages)\n");
	fprintf(note, "# mremap unsafe-release-before-flush is masked %s (pti && (!pcid || !invpcid), or punch > ceiling %lu): its punch's shootdown drops every stale entry before the release\n",
		tlbt_mremap_masked_by(pti, pcid, invpcid, 0, ULONG_MAX) ?
		"here" : "only where punch > ceiling", ceiling);
	fprintf(note, "# remote_fl: flush handlers run on worker CPUs holding the mm (cpu_flushes - shootdowns); during: worker page visits while the command ran\n");
	if (opts.duration)
		fprintf(note, "# soak: the matrix again and again for %llu s (%d rows a pass), cut between rows; stops at a safe policy's corruption\n",
			opts.duration, m.nr);
	fflush(note);

	t_start = tlbt_now_ns();
	if (opts.duration)
		m.deadline = t_start + opts.duration * 1000000000ULL;
	do {
		tlbt_matrix_pass(&m, ++pass, &st);
		if (!st.rows) {
			/* the deadline came before its first row */
			pass--;
			break;
		}
		bad |= st.bad;
		total_rows += st.rows;
		elapsed = (tlbt_now_ns() - t_start) / 1000000000ULL;
		/* A soak's text shows the tables of the passes that went wrong. */
		if (!opts.duration || tlbt_json() || st.bad)
			tlbt_matrix_print(&m, pass);
		if (opts.duration)
			tlbt_pass_summary(&m, pass, &st, elapsed,
					  opts.duration);
	} while (opts.duration && !st.stop_row && !st.cut);

	if (opts.duration) {
		const char *traced = NULL;

		if (st.stop_row)
			traced = tlbt_trace_freeze();
		if (tlbt_json()) {
			tlbt_json_begin("soak");
			tlbt_json_u64("passes", pass);
			tlbt_json_u64("rows", total_rows);
			tlbt_json_u64("elapsed", elapsed);
			tlbt_json_u64("duration", opts.duration);
			tlbt_json_bool("stopped", st.stop_row);
			if (traced)
				tlbt_json_str("trace_stopped", traced);
			else
				tlbt_json_null("trace_stopped");
			tlbt_json_bool("ok", !bad);
			tlbt_json_end();
		} else if (st.stop_row) {
			printf("# soak: STOPPED at pass %u, %s %s %s: %s; %s\n",
			       pass, st.stop_row->cell[TLBT_COL_SEQ],
			       st.stop_row->cell[TLBT_COL_POLICY],
			       st.stop_row->cell[TLBT_COL_BACKEND],
			       st.stop_row->cell[TLBT_COL_VERDICT],
			       traced ? "tracing stopped (tracing_on 0): the buffer ends at the failure" :
			       "no tracing was recording");
		} else {
			printf("# soak: %u passes, %u rows in %llu s: %s\n",
			       pass, total_rows, elapsed,
			       bad ? "some rows went wrong (tables above)" :
			       "no corruption in a safe policy, every control caught or masked");
		}
	}
	ret = bad ? 1 : 0;
out:
	free(m.combos);
	free(m.rows);
	free(m.loss_rows);
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
	int ret = tlbt_report_init(&argc, argv);

	if (ret >= 0)
		return ret;
	if (argc < 2) {
		tlbt_usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "run") && strcmp(argv[1], "matrix") &&
	    strcmp(argv[1], "kernel") && tlbt_report_text_only(argv[1]))
		return 2;
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
