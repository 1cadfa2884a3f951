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

static void tlbt_kernel_print(const struct tlbt_kernel_row *row,
			      const struct tlbt_kp_result *r, int ret)
{
	char sd[24], inv[24], name[40];
	double v;

	snprintf(name, sizeof(name), "%s%s", row->name, row->exact ? "*" : "");
	if (ret == -EOPNOTSUPP) {
		printf("%-16s %6s %5s %11s %10s %10s %9s %7s  skip: %s\n", name,
		       "-", "-", "-", "-", "-", "-", "-", r->skip);
		return;
	}
	v = tlbt_kp_shootdowns_per_page(r);
	if (v < 0)
		snprintf(sd, sizeof(sd), "-");
	else
		snprintf(sd, sizeof(sd), "%.4f", v);
	v = tlbt_kp_inval_per_byte(r);
	if (v < 0)
		snprintf(inv, sizeof(inv), "-");
	else
		snprintf(inv, sizeof(inv), "%.3f", v);
	printf("%-16s %6zu %5llu %11s %10s %10llu %9llu %7.1f  %s", name,
	       r->pages, r->ops, sd, inv, tlbt_kernel_lost(r),
	       tlbt_kernel_bad(r), r->secs,
	       ret ? "ERROR" : tlbt_oracle_corruption(&r->o) ? "CORRUPT" :
	       "ok");
	if (ret)
		printf(" (%s)", strerror(-ret));
	if (r->not_moved)
		printf(" (%llu pages not moved, errno %llu)", r->not_moved,
		       r->first_errno);
	if (r->fl.lost)
		printf(" (%llu trace events lost)", r->fl.lost);
	printf("\n");
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

	printf("# pages %zu, rounds %u, at most %u s each; tracefs %s, notifier %s\n",
	       base.pages, base.rounds, base.max_ms / 1000,
	       base.trace ? "on" : "off",
	       base.notifier && tlbt_kp_module_loaded() ? "on" : "off (no module)");
	printf("%-16s %6s %5s %11s %10s %10s %9s %7s  %s\n", "operation",
	       "pages", "ops", "shootdn/pg", "inval B/B", "lost_incr",
	       "bad_reads", "secs", "verdict");
	fflush(stdout);
	for (i = 0; i < ARRAY_SIZE(tlbt_kernel_rows); i++) {
		const struct tlbt_kernel_row *row = &tlbt_kernel_rows[i];
		struct tlbt_kp_opts op = base;
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
		tlbt_kernel_print(row, &r, ret);
		fflush(stdout);
		if (ret && ret != -EOPNOTSUPP)
			status = 1;
		else if (!ret && tlbt_oracle_corruption(&r.o))
			status = 1;
	}
	printf("# shootdn/pg: remote TLB shootdowns sent by the issuing thread per page\n"
	       "# operated on; inval B/B: bytes the mmu notifiers were told to drop per\n"
	       "# byte operated on (mremap: the move and the unmap of the old range;\n"
	       "# pageout under workers: pages they kept referenced are not unmapped).\n"
	       "# * one operation with idle spinners on the other CPUs: exact counts.\n");
	return status;
}
