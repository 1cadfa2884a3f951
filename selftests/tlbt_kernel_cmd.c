// SPDX-License-Identifier: GPL-2.0
/*
 * "tlbtorture kernel": the kernel's own mremap, migration, reclaim and
 * zap paths, raced by workers on every other CPU, one row each:
 * shootdowns per page (tlb:tlb_flush "remote ipi send" from the issuing
 * thread), bytes the mmu notifiers were told to invalidate per byte
 * operated on (needs the module: "-" without it), and what the workers
 * saw. These are the kselftests' scenarios (libkpath), so a test box
 * gets the same numbers as the guest. No truncate-race row: that race
 * is judged by tlbt_kpath_race_test (race.mremap_truncate), which shows
 * whether a truncate landed inside an mremap; a row here could only say
 * "ok" without knowing, and its flushes are mremap-shmem's.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libkpath.h"
#include "tlbt_report.h"

struct tlbt_kernel_row {
	const char *name;
	int (*run)(const struct tlbt_kp_opts *op, struct tlbt_kp_result *r);
	enum tlbt_kp_mem mem;
	bool clean;
	bool munmap;
	bool exact;		/* spinners only, one operation */
};

#define TLBT_KERNEL_ROW(n, fn, m, ...) \
	{ .name = (n), .run = (fn), .mem = (m), __VA_ARGS__ }

static const struct tlbt_kernel_row tlbt_kernel_rows[] = {
	TLBT_KERNEL_ROW("mremap-anon", tlbt_kp_run_mremap, TLBT_KP_ANON),
	TLBT_KERNEL_ROW("mremap-shmem", tlbt_kp_run_mremap, TLBT_KP_SHMEM),
	TLBT_KERNEL_ROW("mremap-thp", tlbt_kp_run_mremap, TLBT_KP_THP),
	TLBT_KERNEL_ROW("migrate-anon", tlbt_kp_run_migrate, TLBT_KP_ANON),
	TLBT_KERNEL_ROW("migrate-thp", tlbt_kp_run_migrate, TLBT_KP_THP),
	TLBT_KERNEL_ROW("migrate-once", tlbt_kp_run_migrate_once, TLBT_KP_ANON,
			.exact = true),
	TLBT_KERNEL_ROW("pageout", tlbt_kp_run_pageout, TLBT_KP_ANON),
	TLBT_KERNEL_ROW("pageout-dirty", tlbt_kp_run_pageout_once, TLBT_KP_ANON,
			.exact = true),
	TLBT_KERNEL_ROW("pageout-clean", tlbt_kp_run_pageout_once, TLBT_KP_ANON,
			.clean = true, .exact = true),
	TLBT_KERNEL_ROW("dontneed", tlbt_kp_run_zap, TLBT_KP_ANON),
	TLBT_KERNEL_ROW("munmap", tlbt_kp_run_zap, TLBT_KP_ANON, .munmap = true),
};

static void tlbt_kernel_usage(FILE *f)
{
	size_t i;

	fprintf(f,
"usage: tlbtorture kernel [--pages=N] [--rounds=N] [--seconds=S]\n"
"                         [--no-trace] [--no-notifier] [SCENARIO...]\n"
"\n"
"Runs the kernel's own paths under workers on every other CPU and prints\n"
"per scenario: pages per operation, operations, shootdowns per page\n"
"(tlb:tlb_flush 'remote ipi send' events of the issuing thread), bytes\n"
"invalidated per byte (mmu notifier recorder; needs the tlbtorture\n"
"module), lost increments (zap: remote writes lost) and bad reads\n"
"(stale or foreign values, on any CPU). Rows marked * run once with\n"
"idle spinners instead of workers, so their flush count is exact.\n"
"Defaults: --pages=64 --rounds=50 --seconds=20 (per scenario).\n"
"--format=json: a \"header\" object, then a \"row\" per scenario (tlbtorture help).\n"
"\nscenarios:");
	for (i = 0; i < ARRAY_SIZE(tlbt_kernel_rows); i++)
		fprintf(f, " %s", tlbt_kernel_rows[i].name);
	fprintf(f, "\n");
}

/* The verdict's lost writes, and the rest of it (zap: r->o has both). */
static unsigned long long tlbt_kernel_lost(const struct tlbt_kp_result *r)
{
	return r->o.lost_increments;
}

static unsigned long long tlbt_kernel_bad(const struct tlbt_kp_result *r)
{
	return tlbt_oracle_corruption(&r->o) - r->o.lost_increments;
}

static bool tlbt_kernel_wanted(int argc, char **argv, const char *name)
{
	int i;

	if (optind >= argc)
		return true;
	for (i = optind; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

/*
 * The table's columns: the text header, the JSON key, the text width
 * (negative: left-aligned). tlbt_kernel_cells() fills a row's cells once;
 * text and JSON print them.
 */
enum {
	TLBT_KCOL_OP, TLBT_KCOL_PAGES, TLBT_KCOL_OPS, TLBT_KCOL_SHOOT,
	TLBT_KCOL_INVAL, TLBT_KCOL_LOST, TLBT_KCOL_BAD, TLBT_KCOL_SECS,
	TLBT_KCOL_VERDICT, TLBT_NR_KCOLS,
};

static const struct {
	const char *name;
	const char *key;
	int width;
} tlbt_kcols[TLBT_NR_KCOLS] = {
	[TLBT_KCOL_OP]		= { "operation", "operation", -16 },
	[TLBT_KCOL_PAGES]	= { "pages", "pages", 6 },
	[TLBT_KCOL_OPS]		= { "ops", "ops", 5 },
	[TLBT_KCOL_SHOOT]	= { "shootdn/pg", "shootdowns_per_page", 11 },
	[TLBT_KCOL_INVAL]	= { "inval B/B", "inval_bytes_per_byte", 10 },
	[TLBT_KCOL_LOST]	= { "lost_incr", "lost_increments", 10 },
	[TLBT_KCOL_BAD]		= { "bad_reads", "bad_reads", 9 },
	[TLBT_KCOL_SECS]	= { "secs", "secs", 7 },
	[TLBT_KCOL_VERDICT]	= { "verdict", "verdict", 0 },
};

struct tlbt_kernel_cells {
	char cell[TLBT_NR_KCOLS][40];
	bool exact;
	char why[200];		/* the verdict's reasons, or "" */
};

static void tlbt_kernel_cells(const struct tlbt_kernel_row *row,
			      const struct tlbt_kp_result *r, int ret,
			      struct tlbt_kernel_cells *k)
{
	size_t n = sizeof(k->cell[0]), w;
	int col;
	double v;

	memset(k, 0, sizeof(*k));
	k->exact = row->exact;
	snprintf(k->cell[TLBT_KCOL_OP], n, "%s", row->name);
	if (ret == -EOPNOTSUPP) {
		for (col = TLBT_KCOL_PAGES; col < TLBT_KCOL_VERDICT; col++)
			snprintf(k->cell[col], n, "-");
		snprintf(k->cell[TLBT_KCOL_VERDICT], n, "skip");
		snprintf(k->why, sizeof(k->why), "%s", r->skip);
		return;
	}
	snprintf(k->cell[TLBT_KCOL_PAGES], n, "%zu", r->pages);
	snprintf(k->cell[TLBT_KCOL_OPS], n, "%llu", r->ops);
	v = tlbt_kp_shootdowns_per_page(r);
	if (v < 0)
		snprintf(k->cell[TLBT_KCOL_SHOOT], n, "-");
	else
		snprintf(k->cell[TLBT_KCOL_SHOOT], n, "%.4f", v);
	v = tlbt_kp_inval_per_byte(r);
	if (v < 0)
		snprintf(k->cell[TLBT_KCOL_INVAL], n, "-");
	else
		snprintf(k->cell[TLBT_KCOL_INVAL], n, "%.3f", v);
	snprintf(k->cell[TLBT_KCOL_LOST], n, "%llu", tlbt_kernel_lost(r));
	snprintf(k->cell[TLBT_KCOL_BAD], n, "%llu", tlbt_kernel_bad(r));
	snprintf(k->cell[TLBT_KCOL_SECS], n, "%.1f", r->secs);
	snprintf(k->cell[TLBT_KCOL_VERDICT], n, "%s",
		 ret ? "ERROR" : tlbt_oracle_corruption(&r->o) ? "CORRUPT" :
		 "ok");
	w = 0;
	if (ret)
		w += snprintf(k->why + w, sizeof(k->why) - w, "%s%s",
			      w ? ", " : "", strerror(-ret));
	if (r->not_moved && w < sizeof(k->why))
		w += snprintf(k->why + w, sizeof(k->why) - w,
			      "%s%llu pages not moved, errno %llu",
			      w ? ", " : "", r->not_moved, r->first_errno);
	if (r->fl.lost && w < sizeof(k->why))
		snprintf(k->why + w, sizeof(k->why) - w,
			 "%s%llu trace events lost", w ? ", " : "",
			 r->fl.lost);
}

static void tlbt_kernel_print(const struct tlbt_kernel_cells *k)
{
	int col;

	if (tlbt_json()) {
		tlbt_json_begin("row");
		for (col = 0; col < TLBT_NR_KCOLS; col++)
			tlbt_json_cell(tlbt_kcols[col].key, k->cell[col]);
		tlbt_json_bool("exact", k->exact);
		if (k->why[0])
			tlbt_json_str("why", k->why);
		else
			tlbt_json_null("why");
		tlbt_json_end();
		return;
	}
	for (col = 0; col < TLBT_NR_KCOLS; col++) {
		char name[48];
		const char *c = k->cell[col];

		if (col == TLBT_KCOL_OP) {
			snprintf(name, sizeof(name), "%.39s%s", c,
				 k->exact ? "*" : "");
			c = name;
		}
		printf("%s%*s", col == TLBT_KCOL_VERDICT ? "  " : col ? " " : "",
		       tlbt_kcols[col].width, c);
	}
	/* skip: reason; else (reason) */
	if (k->why[0])
		printf(!strcmp(k->cell[TLBT_KCOL_VERDICT], "skip") ?
		       ": %s" : " (%s)", k->why);
	printf("\n");
	fflush(stdout);
}

int tlbt_kernel_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pages", required_argument, NULL, 'p' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "seconds", required_argument, NULL, 's' },
		{ "no-trace", no_argument, NULL, 'T' },
		{ "no-notifier", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tlbt_kp_opts base = {
		.pages = 64, .rounds = 50, .max_ms = 20000,
		.trace = true, .notifier = true,
	};
	int c, status = 0;
	size_t i;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		char *end;
		unsigned long v = 0;

		if (optarg) {
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || !v) {
				fprintf(stderr, "tlbtorture kernel: bad value '%s'\n",
					optarg);
				return 2;
			}
		}
		switch (c) {
		case 'p':
			base.pages = v;
			break;
		case 'r':
			base.rounds = v;
			break;
		case 's':
			base.max_ms = v * 1000;
			break;
		case 'T':
			base.trace = false;
			break;
		case 'N':
			base.notifier = false;
			break;
		case 'h':
			tlbt_kernel_usage(stdout);
			return 0;
		default:
			tlbt_kernel_usage(stderr);
			return 2;
		}
	}
	for (c = optind; c < argc; c++) {
		for (i = 0; i < ARRAY_SIZE(tlbt_kernel_rows); i++)
			if (!strcmp(argv[c], tlbt_kernel_rows[i].name))
				break;
		if (i == ARRAY_SIZE(tlbt_kernel_rows)) {
			fprintf(stderr, "tlbtorture kernel: no scenario '%s'\n",
				argv[c]);
			tlbt_kernel_usage(stderr);
			return 2;
		}
	}

	tlbt_report_header();
	if (tlbt_json()) {
		tlbt_json_begin("header");
		tlbt_json_str("command", "kernel");
		tlbt_json_u64("pages", base.pages);
		tlbt_json_u64("rounds", base.rounds);
		tlbt_json_u64("max_secs", base.max_ms / 1000);
		tlbt_json_bool("trace", base.trace);
		tlbt_json_bool("notifier",
			       base.notifier && tlbt_kp_module_loaded());
		tlbt_json_end();
	} else {
		printf("# pages %zu, rounds %u, at most %u s each; tracefs %s, notifier %s\n",
		       base.pages, base.rounds, base.max_ms / 1000,
		       base.trace ? "on" : "off",
		       base.notifier && tlbt_kp_module_loaded() ?
		       "on" : "off (no module)");
		for (c = 0; c < TLBT_NR_KCOLS; c++)
			printf("%s%*s",
			       c == TLBT_KCOL_VERDICT ? "  " : c ? " " : "",
			       tlbt_kcols[c].width, tlbt_kcols[c].name);
		printf("\n");
		fflush(stdout);
	}
	for (i = 0; i < ARRAY_SIZE(tlbt_kernel_rows); i++) {
		const struct tlbt_kernel_row *row = &tlbt_kernel_rows[i];
		struct tlbt_kp_opts op = base;
		struct tlbt_kernel_cells k;
		struct tlbt_kp_result r;
		int ret;

		if (!tlbt_kernel_wanted(argc, argv, row->name))
			continue;
		op.mem = row->mem;
		op.clean = row->clean;
		op.munmap = row->munmap;
		if (row->mem == TLBT_KP_THP)
			op.pages = 512;
		ret = row->run(&op, &r);
		tlbt_kernel_cells(row, &r, ret, &k);
		tlbt_kernel_print(&k);
		if (ret && ret != -EOPNOTSUPP)
			status = 1;
		else if (!ret && tlbt_oracle_corruption(&r.o))
			status = 1;
	}
	fprintf(tlbt_note_file(), "# shootdn/pg: remote TLB shootdowns sent by the issuing thread per page\n"
	       "# operated on; inval B/B: bytes the mmu notifiers were told to drop per\n"
	       "# byte operated on (mremap: the move and the unmap of the old range;\n"
	       "# pageout under workers: pages they kept referenced are not unmapped).\n"
	       "# * one operation with idle spinners on the other CPUs: exact counts.\n");
	return status;
}
