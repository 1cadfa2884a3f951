// SPDX-License-Identifier: GPL-2.0
/*
 * tlbtorture detect: how often, and how soon, each unsafe ordering is
 * caught.
 *
 *   tlbtorture detect [--runs=N] [--rounds=R] [--pages=P] [--seq=LIST]
 *                     [--issuer-cpu=N] [--whole]
 *
 * A control is an unsafe-* policy that leaves a stale TLB entry in use:
 * every one of every sequence, on the native backend, except
 * unsafe-ignore-dirty, which drops dirty data with no TLB involved (a
 * data-loss check of the oracle, caught in its first round by
 * construction). Each control runs N times on a fresh arena of P pages
 * while workers on every other CPU hammer it. A run is detected when
 * either oracle, the module's or the workers', sees corruption within R
 * rounds.
 *
 * The results hold totals only, so a run issues one-round commands, the
 * workers judged after each and restarted, and stops at the first
 * corrupt round: the round count is exact with no module change. The
 * arena and its page state carry over from round to round as they do
 * within one command. --whole runs one command of R rounds per run
 * instead, as `tlbtorture run` does (and issue 12 measured): workers
 * that run through every round, and a rate but no round count.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libtlbt.h"
#include "tlbt_detect.h"
#include "tlbt_report.h"

#define TLBT_DETECT_MAX_RUNS	10000

/* Room for tlbt_sequences[], and for their controls. */
#define TLBT_DETECT_MAX_SEQS	16
#define TLBT_DETECT_MAX_CONTROLS	64

struct tlbt_detect_opts {
	unsigned long long runs;
	unsigned long long rounds;
	unsigned long long pages;
	bool seq[TLBT_DETECT_MAX_SEQS];	/* all when none is set */
	bool any_seq;
	bool whole;
	int issuer_cpu;
};

struct tlbt_detect_control {
	const struct tlbt_seq_desc *s;
	const char *policy;
	const char *masked;		/* why the hardware hides it, or NULL */
};

/* What N runs of one control saw. */
struct tlbt_detect_stats {
	unsigned long long *first;	/* per run; 0: nothing seen */
	unsigned int detected;
	unsigned int by_module;
	unsigned int by_user;
	double secs;
	int err;
};

/*
 * libtlbt's predicate, for the default punch of @pages: the punch's
 * shootdown, sent before the release, drops the stale source entries on
 * every worker CPU too.
 */
static const char *tlbt_detect_masked(const char *policy,
				      unsigned long long pages)
{
	if (!strcmp(policy, "unsafe-release-before-flush") &&
	    tlbt_mremap_masked((pages + 1) / 2))
		return "the punch's shootdown drops every stale source entry on the worker CPUs before the release (tlbt_mremap_masked())";
	return NULL;
}

static void tlbt_detect_usage(FILE *f)
{
	fprintf(f,
"usage: tlbtorture detect [--runs=N] [--rounds=R] [--pages=P] [--seq=LIST]\n"
"                         [--issuer-cpu=N] [--whole]\n"
"\n"
"Runs every stale-TLB control (each unsafe-* policy but\n"
"unsafe-ignore-dirty, native backend) N times (default %d) for up to R\n"
"rounds (default %d) on P pages (default %d), raced by one worker per\n"
"other CPU, and prints per control the runs that saw corruption and the\n"
"median rounds to the first corrupt one. A run issues one-round\n"
"commands on one arena, judging both oracles after each; --whole issues\n"
"one command of R rounds instead (no round count). --seq limits it to\n"
"some of:",
		TLBT_DETECT_RUNS, TLBT_DETECT_ROUNDS, TLBT_DETECT_PAGES);
	for (const struct tlbt_seq_desc *s = tlbt_sequences; s->name; s++)
		fprintf(f, " %s", s->name);
	fprintf(f,
".\n"
"Status per control: caught (every run), weak, missed, masked (the\n"
"hardware hides it, see the # line, and no run saw it), error. Exit 1\n"
"only if a command fails.\n");
}

enum {
	TLBT_DOPT_RUNS = 256,
	TLBT_DOPT_ROUNDS,
	TLBT_DOPT_PAGES,
	TLBT_DOPT_SEQ,
	TLBT_DOPT_ISSUER,
	TLBT_DOPT_WHOLE,
};

static const struct option tlbt_detect_long_opts[] = {
	{ "runs",	required_argument, NULL, TLBT_DOPT_RUNS },
	{ "rounds",	required_argument, NULL, TLBT_DOPT_ROUNDS },
	{ "pages",	required_argument, NULL, TLBT_DOPT_PAGES },
	{ "seq",	required_argument, NULL, TLBT_DOPT_SEQ },
	{ "issuer-cpu",	required_argument, NULL, TLBT_DOPT_ISSUER },
	{ "whole",	no_argument,	   NULL, TLBT_DOPT_WHOLE },
	{ NULL, 0, NULL, 0 },
};

static int tlbt_detect_seqs(char *arg, struct tlbt_detect_opts *o)
{
	char *save, *tok;

	for (tok = strtok_r(arg, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		const struct tlbt_seq_desc *s = tlbt_seq_find(tok);

		if (!s || s - tlbt_sequences >= TLBT_DETECT_MAX_SEQS) {
			fprintf(stderr, "tlbtorture: --seq: unknown '%s'\n",
				tok);
			return -EINVAL;
		}
		o->seq[s - tlbt_sequences] = true;
		o->any_seq = true;
	}
	if (!o->any_seq) {
		fprintf(stderr, "tlbtorture: --seq: empty list\n");
		return -EINVAL;
	}
	return 0;
}

static int tlbt_detect_parse(int argc, char **argv,
			     struct tlbt_detect_opts *o)
{
	unsigned long long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->runs = TLBT_DETECT_RUNS;
	o->rounds = TLBT_DETECT_ROUNDS;
	o->pages = TLBT_DETECT_PAGES;
	o->issuer_cpu = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", tlbt_detect_long_opts,
				NULL)) != -1) {
		const char *name = c >= TLBT_DOPT_RUNS ?
			tlbt_detect_long_opts[c - TLBT_DOPT_RUNS].name : "";

		switch (c) {
		case TLBT_DOPT_RUNS:
			if (tlbt_parse_num(name, optarg, &o->runs))
				return -EINVAL;
			break;
		case TLBT_DOPT_ROUNDS:
			if (tlbt_parse_num(name, optarg, &o->rounds))
				return -EINVAL;
			break;
		case TLBT_DOPT_PAGES:
			if (tlbt_parse_num(name, optarg, &o->pages))
				return -EINVAL;
			break;
		case TLBT_DOPT_SEQ:
			if (tlbt_detect_seqs(optarg, o))
				return -EINVAL;
			break;
		case TLBT_DOPT_ISSUER:
			if (tlbt_parse_num(name, optarg, &v) || v > 1 << 22)
				return -EINVAL;
			o->issuer_cpu = v;
			break;
		case TLBT_DOPT_WHOLE:
			o->whole = true;
			break;
		default:
			return -EINVAL;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "tlbtorture: detect: unexpected '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	if (!o->runs || o->runs > TLBT_DETECT_MAX_RUNS) {
		fprintf(stderr, "tlbtorture: --runs: 1..%d\n",
			TLBT_DETECT_MAX_RUNS);
		return -EINVAL;
	}
	if (!o->rounds || o->rounds > TLBT_MAX_ROUNDS) {
		fprintf(stderr, "tlbtorture: --rounds: 1..%llu\n",
			TLBT_MAX_ROUNDS);
		return -EINVAL;
	}
	if (!o->pages) {
		fprintf(stderr, "tlbtorture: --pages must be at least 1\n");
		return -EINVAL;
	}
	return 0;
}

/* The controls of the sequences asked for, in tlbt_sequences[] order. */
static int tlbt_detect_controls(const struct tlbt_detect_opts *o,
				struct tlbt_detect_control *c, int max)
{
	int nr = 0;

	for (const struct tlbt_seq_desc *s = tlbt_sequences; s->name; s++) {
		long idx = s - tlbt_sequences;

		if (o->any_seq &&
		    (idx >= TLBT_DETECT_MAX_SEQS || !o->seq[idx]))
			continue;
		for (const char *const *p = s->policies; *p; p++) {
			/* unsafe-ignore-dirty is a data-loss check: no TLB */
			if (tlbt_policy_kind(*p) != TLBT_POLICY_STALE_TLB ||
			    !tlbt_combo_supported(s->name, *p, "native"))
				continue;
			if (nr == max)
				return -E2BIG;
			c[nr].s = s;
			c[nr].policy = *p;
			c[nr].masked = tlbt_detect_masked(*p, o->pages);
			nr++;
		}
	}
	return nr;
}

static double tlbt_detect_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The in-module oracle: bytes no correct flush order lets change. */
static unsigned long long tlbt_detect_module(const struct tlbt_result *r)
{
	return r->leaked_pages + r->leaked_bytes + r->poison_hits +
	       r->lost_dirty;
}

/*
 * One command raced by workers on the first @pages arena pages (the
 * mremap source: its destination must stay untouched). Adds what each
 * oracle saw to *@module and *@user.
 */
static int tlbt_detect_cmd(struct tlbt_arena *a, const char *cmd,
			   unsigned long long pages, unsigned long long rounds,
			   int issuer_cpu, unsigned long long *module,
			   unsigned long long *user)
{
	struct tlbt_workers ws;
	struct tlbt_oracle o;
	struct tlbt_result r;
	int ret, wret;

	ret = tlbt_workers_start(&ws, tlbt_arena_page(a, 0), pages,
				 issuer_cpu);
	if (ret) {
		fprintf(stderr, "tlbtorture: workers: %s\n", strerror(-ret));
		return ret;
	}
	ret = tlbt_cmd(a, "%s", cmd);
	wret = tlbt_workers_stop(&ws, &o);
	if (ret) {
		fprintf(stderr, "tlbtorture: '%s': %s\n", cmd, strerror(-ret));
		return ret;
	}
	if (wret) {
		fprintf(stderr, "tlbtorture: workers: %s\n", strerror(-wret));
		return wret;
	}
	ret = tlbt_results_read(a, &r);
	if (ret) {
		fprintf(stderr, "tlbtorture: results: %s\n", strerror(-ret));
		return ret;
	}
	/* A command cut short raced fewer rounds than it claims. */
	if (r.error || r.rounds_done != rounds) {
		fprintf(stderr, "tlbtorture: '%s': %llu of %llu rounds, error %lld\n",
			cmd, r.rounds_done, rounds, r.error);
		return r.error ? (int)r.error : -EINTR;
	}
	*module += tlbt_detect_module(&r);
	*user += tlbt_oracle_corruption(&o);
	return 0;
}

/*
 * One run on a fresh arena: *@first is the round of the first corruption
 * (with --whole: @rounds if any), 0 if none.
 */
static int tlbt_detect_run(const struct tlbt_detect_control *c,
			   const struct tlbt_detect_opts *o,
			   unsigned long long *first, bool *by_module,
			   bool *by_user)
{
	unsigned long long per_cmd = o->whole ? o->rounds : 1, round;
	unsigned long long module = 0, user = 0;
	char cmd[TLBT_CMD_MAX_LEN + 1];
	struct tlbt_arena a;
	int ret;

	*first = 0;
	ret = tlbt_seq_cmd(cmd, sizeof(cmd), c->s, o->pages, per_cmd,
			   c->policy, "native");
	if (ret)
		return ret;
	ret = tlbt_arena_open(&a, tlbt_seq_arena_pages(c->s, o->pages));
	if (ret) {
		fprintf(stderr, "tlbtorture: arena of %zu pages: %s\n",
			tlbt_seq_arena_pages(c->s, o->pages), strerror(-ret));
		return ret;
	}
	for (round = per_cmd; round <= o->rounds; round += per_cmd) {
		ret = tlbt_detect_cmd(&a, cmd, o->pages, per_cmd, o->issuer_cpu,
				      &module, &user);
		if (ret)
			break;
		if (module || user) {
			*first = round;
			break;
		}
	}
	*by_module = module;
	*by_user = user;
	tlbt_arena_close(&a);
	return ret;
}

static int tlbt_cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

static void tlbt_detect_print(const struct tlbt_detect_control *c,
			      const struct tlbt_detect_opts *o,
			      const struct tlbt_detect_stats *st)
{
	unsigned long long *sorted, i, d = 0;
	const char *status;
	char median[32] = "-";

	sorted = calloc(o->runs, sizeof(*sorted));
	for (i = 0; sorted && i < o->runs; i++)
		if (st->first[i])
			sorted[d++] = st->first[i];
	if (sorted && d && !o->whole) {
		qsort(sorted, d, sizeof(*sorted), tlbt_cmp_ull);
		snprintf(median, sizeof(median), "%g",
			 (sorted[(d - 1) / 2] + sorted[d / 2]) / 2.0);
	}
	free(sorted);

	/* Caught although masked: the predicate is wrong, so say caught. */
	if (st->err)
		status = "error";
	else if (c->masked && !st->detected)
		status = "masked";
	else if (st->detected == o->runs)
		status = "caught";
	else
		status = st->detected ? "weak" : "missed";
	printf(TLBT_DETECT_TAG " seq=%s flush=%s runs=%llu detected=%u median_rounds=%s module=%u user=%u status=%s secs=%.1f first=",
	       c->s->name, c->policy, o->runs, st->detected, median,
	       st->by_module, st->by_user, status, st->secs);
	for (i = 0; i < o->runs; i++) {
		if (st->first[i])
			printf("%s%llu", i ? "," : "", st->first[i]);
		else
			printf("%s-", i ? "," : "");
	}
	putchar('\n');
	fflush(stdout);
}

/* Every run of one control; stops at the first command that fails. */
static void tlbt_detect_control(const struct tlbt_detect_control *c,
				const struct tlbt_detect_opts *o,
				struct tlbt_detect_stats *st)
{
	double t0 = tlbt_detect_now();
	unsigned long long i;

	for (i = 0; i < o->runs && !st->err; i++) {
		bool by_module = false, by_user = false;

		st->err = tlbt_detect_run(c, o, &st->first[i], &by_module,
					  &by_user);
		st->detected += !!st->first[i];
		st->by_module += by_module;
		st->by_user += by_user;
	}
	st->secs = tlbt_detect_now() - t0;
}

int tlbt_detect_main(int argc, char **argv)
{
	struct tlbt_detect_control controls[TLBT_DETECT_MAX_CONTROLS];
	bool pti = false, pcid = false, invpcid = false, bad = false;
	struct tlbt_detect_opts o;
	unsigned long max_pages;
	int nr, i, ncpus;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		tlbt_detect_usage(stdout);
		return 0;
	}
	if (tlbt_detect_parse(argc, argv, &o)) {
		tlbt_detect_usage(stderr);
		return 2;
	}
	nr = tlbt_detect_controls(&o, controls, ARRAY_SIZE(controls));
	if (nr < 0) {
		fprintf(stderr, "tlbtorture: detect: more than %d controls\n",
			TLBT_DETECT_MAX_CONTROLS);
		return 1;
	}
	if (!nr) {
		fprintf(stderr, "tlbtorture: detect: no stale-TLB control in --seq\n");
		return 2;
	}
	if (!tlbt_module_loaded()) {
		fprintf(stderr, "tlbtorture: %s\n", tlbt_module_unusable());
		return 1;
	}
	if (tlbt_knob_read("max_pages", &max_pages))
		max_pages = 4096;
	for (i = 0; i < nr; i++) {
		size_t need = tlbt_seq_arena_pages(controls[i].s, o.pages);

		if (need > max_pages) {
			fprintf(stderr,
				"tlbtorture: --pages=%llu: %s maps %zu pages, max_pages is %lu\n",
				o.pages, controls[i].s->name, need, max_pages);
			return 2;
		}
	}

	ncpus = tlbt_nr_cpus();
	tlbt_flush_caps(&pti, &pcid, &invpcid);
	tlbt_report_header();
	printf("# detect: %d CPUs allowed, %d workers; pti=%d pcid=%d invpcid=%d\n",
	       ncpus, ncpus > 1 ? ncpus - 1 : 0, pti, pcid, invpcid);
	printf("# detect: %llu runs x up to %llu rounds on %llu pages, backend native, %s\n",
	       o.runs, o.rounds, o.pages,
	       o.whole ? "one command of all rounds per run" :
			 "one-round commands until the first corrupt round");
	/* Nothing races the sequence: every run would be a miss. */
	if (ncpus < 2) {
		printf("# detect: SKIP one CPU: no worker to race the sequences, nothing measured\n");
		return 0;
	}
	fflush(stdout);

	for (i = 0; i < nr; i++) {
		struct tlbt_detect_stats st = { 0 };

		st.first = calloc(o.runs, sizeof(*st.first));
		if (!st.first) {
			fprintf(stderr, "tlbtorture: detect: out of memory\n");
			return 1;
		}
		if (controls[i].masked)
			printf("# detect: %s %s masked: %s\n",
			       controls[i].s->name, controls[i].policy,
			       controls[i].masked);
		tlbt_detect_control(&controls[i], &o, &st);
		tlbt_detect_print(&controls[i], &o, &st);
		bad |= st.err != 0;
		free(st.first);
	}
	return bad ? 1 : 0;
}
