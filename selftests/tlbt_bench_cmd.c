// SPDX-License-Identifier: GPL-2.0
/*
 * tlbtorture bench: flush cost swept so that the output can be compared.
 *
 *   tlbtorture bench [options]          sequence x policy x backend x
 *                                       pages per round x busy CPUs
 *   tlbtorture bench ceiling [options]  per-page INVLPG against a full
 *                                       flush, over the range size
 *   tlbtorture plot CSV PNG             gnuplot of a CSV either wrote
 *
 * A point runs its commands @repeats times on a fresh arena whose pages
 * are all in memory, while @busy workers pinned to other CPUs hammer
 * those pages: busy CPUs are what make a shootdown send IPIs. Times are
 * the module's ns_total, which covers the rounds only; counts are the
 * results' own, summed over the repeats.
 *
 * In the same run, on the same number of pages and with the same busy
 * CPUs, the kernel's own path on ordinary anonymous memory: MADV_DONTNEED
 * plus the refault, and mremap there and back. Our sequences are printed
 * as ratios against it too, which is what carries from one noisy machine
 * (a TCG guest above all) to another.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "libtlbt.h"
#include "tlbt_bench.h"
#include "tlbt_report.h"
#include "tlbt_detect.h"

#define TLBT_BENCH_MAX_LIST	32
#define TLBT_BENCH_MIN_REPEATS	5
/*
 * Rounds per repeat: enough to move TLBT_BENCH_PAGES_PER_REPEAT pages,
 * but with busy CPUs at most TLBT_BENCH_FLUSHES_PER_REPEAT flushes (one
 * round at least). Under TCG a shootdown to busy vCPUs costs 1 to 10 ms
 * (4 vCPUs on 2 host cores), so 1024 rounds of one page would take
 * seconds a repeat; the budget keeps make bench near 10 minutes there.
 * On hardware raise both (--pages-per-repeat, --flushes-per-repeat).
 */
#define TLBT_BENCH_PAGES_PER_REPEAT	1024
#define TLBT_BENCH_FLUSHES_PER_REPEAT	192
#define TLBT_BENCH_CELL		40
#define TLBT_PMD_SIZE		(2UL << 20)
#define TLBT_BUSY_MAX		(~0U)	/* --busy=max: every other CPU */

struct tlbt_bench_opts {
	const char *seqs[TLBT_BENCH_MAX_LIST];
	const char *policies[TLBT_BENCH_MAX_LIST];
	const char *backends[TLBT_BENCH_MAX_LIST];
	unsigned long long pages[TLBT_BENCH_MAX_LIST];
	unsigned int busy[TLBT_BENCH_MAX_LIST];
	unsigned long ceilings[TLBT_BENCH_MAX_LIST];
	unsigned int nr_seqs, nr_policies, nr_backends;
	unsigned int nr_pages, nr_busy, nr_ceilings;
	unsigned int repeats;
	unsigned long long pages_per_repeat;
	unsigned long long flushes_per_repeat;
	const char *csv;
	const char *plot;
	bool short_run;
	bool ceiling;
};

/* Which CPUs this process may use: the issuer is the first of them. */
struct tlbt_bench_env {
	int *cpus;
	int nr_cpus;
	unsigned long ceiling;		/* the knob as found */
	bool full_only;			/* PTI + PCID without INVPCID */
};

struct tlbt_bench_point {
	char seq[16];			/* migrate, reclaim, or anon */
	char policy[24];		/* anon: madv_dontneed or mremap */
	char backend[16];		/* anon: mm */
	unsigned int busy;
	unsigned long long pages;
	unsigned long long rounds;
	unsigned int repeats;
	unsigned long ceiling;
	double ns_med, ns_min, ns_max;
	bool counted;			/* the counts below are results' */
	unsigned long long shootdowns, ipis, invlpg, full;
	double x_dontneed, x_mremap;	/* NAN when there is no baseline */
};

struct tlbt_bench_set {
	struct tlbt_bench_point *p;
	unsigned int nr;
	unsigned int group, nr_groups;	/* progress: groups run, of */
	char title[256];
};

static const char *const tlbt_bench_seq_names[] = { "migrate", "reclaim",
						     NULL };
static const char *const tlbt_bench_policy_names[] = { "none", "immediate",
							"batched", NULL };

static bool tlbt_bench_in(const char *const *list, const char *word)
{
	for (; *list; list++)
		if (!strcmp(*list, word))
			return true;
	return false;
}

static void tlbt_bench_usage(FILE *f)
{
	fprintf(f,
"usage: tlbtorture bench [--seq=LIST] [--policies=LIST] [--backends=LIST]\n"
"                        [--pages=LIST] [--busy=LIST] [--repeats=N]\n"
"                        [--pages-per-repeat=N] [--flushes-per-repeat=N]\n"
"                        [--csv FILE] [--plot FILE] [--short]\n"
"       tlbtorture bench ceiling [--pages=LIST] [--busy=LIST]\n"
"                        [--ceilings=LIST] [--repeats=N] [...]\n"
"       tlbtorture plot CSV PNG\n"
"\n"
"bench    every point runs `SEQ pages=P rounds=R flush=POLICY backend=B`\n"
"         REPEATS times on an arena of P pages, all in memory, while BUSY\n"
"         workers pinned to other CPUs hammer them (reclaim: R commands\n"
"         of one round, the pages touched before each). Next to it, on P\n"
"         pages of anonymous memory with the same busy CPUs, the kernel's\n"
"         own path: MADV_DONTNEED plus refault, and mremap there and\n"
"         back. Prints ns/page (median, min, max over the repeats), counts\n"
"         per page, and the median as a ratio of the kernel's.\n"
"         --seq        migrate,reclaim            (default migrate)\n"
"         --policies   none,immediate,batched     (default all three;\n"
"                      none, no flush in the rounds, is native only)\n"
"         --backends   native,kernel              (default both)\n"
"         --pages      pages per round            (default 1,2,4,...,512)\n"
"         --busy       busy remote CPUs, or max   (default 0,max)\n"
"         --repeats    at least %d                 (default %d)\n"
"         rounds: enough for --pages-per-repeat pages (default %d); with\n"
"         busy CPUs at most --flushes-per-repeat flushes (default %d).\n"
"ceiling  native batched migrate against the none baseline, with the\n"
"         ceiling knob at each of --ceilings (default 0,max: always a\n"
"         full flush, always INVLPG) and busy 0,max; prints where a full\n"
"         flush starts to beat INVLPG per page, and restores the knob.\n"
"--csv    writes the points as CSV; --plot a PNG with gnuplot (ns/page\n"
"         against pages per round, log axes, one line per policy and\n"
"         backend). --short: a tiny sweep, fewer repeats allowed.\n",
		TLBT_BENCH_MIN_REPEATS, TLBT_BENCH_MIN_REPEATS,
		TLBT_BENCH_PAGES_PER_REPEAT, TLBT_BENCH_FLUSHES_PER_REPEAT);
}

/* Split @arg in place at commas; empty items are an error. */
static int tlbt_bench_split(const char *opt, char *arg, const char **out,
			    unsigned int *nr)
{
	char *save, *tok;

	*nr = 0;
	for (tok = strtok_r(arg, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (*nr == TLBT_BENCH_MAX_LIST) {
			fprintf(stderr, "tlbtorture: --%s: at most %d items\n",
				opt, TLBT_BENCH_MAX_LIST);
			return -EINVAL;
		}
		out[(*nr)++] = tok;
	}
	if (!*nr) {
		fprintf(stderr, "tlbtorture: --%s: empty list\n", opt);
		return -EINVAL;
	}
	return 0;
}

static int tlbt_bench_words(const char *opt, char *arg, const char **out,
			    unsigned int *nr, const char *const *known)
{
	unsigned int i;

	if (tlbt_bench_split(opt, arg, out, nr))
		return -EINVAL;
	for (i = 0; i < *nr; i++) {
		if (!tlbt_bench_in(known, out[i])) {
			fprintf(stderr, "tlbtorture: --%s: unknown '%s' (have:",
				opt, out[i]);
			for (; *known; known++)
				fprintf(stderr, " %s", *known);
			fprintf(stderr, ")\n");
			return -EINVAL;
		}
	}
	return 0;
}

/* Numbers, or "max" for @max_word (which --busy and --ceilings take). */
static int tlbt_bench_nums(const char *opt, char *arg,
			   unsigned long long *out, unsigned int *nr,
			   unsigned long long max_word)
{
	const char *items[TLBT_BENCH_MAX_LIST];
	unsigned int i;

	if (tlbt_bench_split(opt, arg, items, nr))
		return -EINVAL;
	for (i = 0; i < *nr; i++) {
		if (max_word && !strcmp(items[i], "max"))
			out[i] = max_word;
		else if (tlbt_parse_num(opt, items[i], &out[i]))
			return -EINVAL;
	}
	return 0;
}

enum {
	TLBT_BOPT_SEQ = 256,
	TLBT_BOPT_POLICIES,
	TLBT_BOPT_BACKENDS,
	TLBT_BOPT_PAGES,
	TLBT_BOPT_BUSY,
	TLBT_BOPT_REPEATS,
	TLBT_BOPT_CSV,
	TLBT_BOPT_PLOT,
	TLBT_BOPT_SHORT,
	TLBT_BOPT_CEILINGS,
	TLBT_BOPT_PAGES_PER_REPEAT,
	TLBT_BOPT_FLUSHES_PER_REPEAT,
};

static const struct option tlbt_bench_long_opts[] = {
	{ "seq",		required_argument, NULL, TLBT_BOPT_SEQ },
	{ "policies",		required_argument, NULL, TLBT_BOPT_POLICIES },
	{ "backends",		required_argument, NULL, TLBT_BOPT_BACKENDS },
	{ "pages",		required_argument, NULL, TLBT_BOPT_PAGES },
	{ "busy",		required_argument, NULL, TLBT_BOPT_BUSY },
	{ "repeats",		required_argument, NULL, TLBT_BOPT_REPEATS },
	{ "csv",		required_argument, NULL, TLBT_BOPT_CSV },
	{ "plot",		required_argument, NULL, TLBT_BOPT_PLOT },
	{ "short",		no_argument,	   NULL, TLBT_BOPT_SHORT },
	{ "ceilings",		required_argument, NULL, TLBT_BOPT_CEILINGS },
	{ "pages-per-repeat",	required_argument, NULL,
	  TLBT_BOPT_PAGES_PER_REPEAT },
	{ "flushes-per-repeat",	required_argument, NULL,
	  TLBT_BOPT_FLUSHES_PER_REPEAT },
	{ NULL, 0, NULL, 0 },
};

/*
 * Defaults. --short is the sweep tlbt_bench_test runs: both ceiling
 * paths (8 pages is under 33, 64 above), one busy CPU, few rounds.
 */
static void tlbt_bench_defaults(struct tlbt_bench_opts *o,
				const struct tlbt_bench_env *env)
{
	unsigned int i;

	if (!o->nr_seqs) {
		o->seqs[0] = "migrate";
		o->nr_seqs = 1;
	}
	if (!o->nr_policies) {
		if (o->ceiling) {
			o->policies[o->nr_policies++] = "none";
			o->policies[o->nr_policies++] = "batched";
		} else {
			for (i = 0; tlbt_bench_policy_names[i]; i++)
				o->policies[o->nr_policies++] =
					tlbt_bench_policy_names[i];
		}
	}
	if (!o->nr_backends) {
		o->backends[o->nr_backends++] = "native";
		if (!o->ceiling)
			o->backends[o->nr_backends++] = "kernel";
	}
	if (!o->nr_pages) {
		if (o->short_run) {
			o->pages[0] = 1;
			o->pages[1] = 8;
			o->pages[2] = 64;
			o->nr_pages = 3;
		} else {
			for (i = 0; i < 10; i++)
				o->pages[o->nr_pages++] = 1ULL << i;
		}
	}
	if (!o->nr_busy) {
		o->busy[o->nr_busy++] = 0;
		if (env->nr_cpus > 1)
			o->busy[o->nr_busy++] = o->short_run ? 1 : TLBT_BUSY_MAX;
	}
	for (i = 0; i < o->nr_busy; i++)
		if (o->busy[i] == TLBT_BUSY_MAX)
			o->busy[i] = env->nr_cpus - 1;
	if (o->ceiling && !o->nr_ceilings) {
		o->ceilings[o->nr_ceilings++] = 0;
		o->ceilings[o->nr_ceilings++] = TLBT_KNOB_MAX;
	}
	if (!o->repeats)
		o->repeats = o->short_run ? 2 : TLBT_BENCH_MIN_REPEATS;
	if (!o->pages_per_repeat)
		o->pages_per_repeat = o->short_run ? 16 :
				      TLBT_BENCH_PAGES_PER_REPEAT;
	if (!o->flushes_per_repeat)
		o->flushes_per_repeat = o->short_run ? 16 :
					TLBT_BENCH_FLUSHES_PER_REPEAT;
}

static int tlbt_bench_parse(int argc, char **argv, struct tlbt_bench_opts *o,
			    const struct tlbt_bench_env *env)
{
	unsigned long long nums[TLBT_BENCH_MAX_LIST], v, max_pages;
	unsigned long knob;
	unsigned int i, nr;
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	if (argc > 1 && !strcmp(argv[1], "ceiling")) {
		o->ceiling = true;
		optind = 2;
	}
	while ((c = getopt_long(argc, argv, "", tlbt_bench_long_opts,
				NULL)) != -1) {
		const char *name = c >= TLBT_BOPT_SEQ ?
			tlbt_bench_long_opts[c - TLBT_BOPT_SEQ].name : "";

		switch (c) {
		case TLBT_BOPT_SEQ:
			if (tlbt_bench_words(name, optarg, o->seqs,
					     &o->nr_seqs, tlbt_bench_seq_names))
				return -EINVAL;
			break;
		case TLBT_BOPT_POLICIES:
			if (tlbt_bench_words(name, optarg, o->policies,
					     &o->nr_policies,
					     tlbt_bench_policy_names))
				return -EINVAL;
			break;
		case TLBT_BOPT_BACKENDS:
			if (tlbt_bench_words(name, optarg, o->backends,
					     &o->nr_backends, tlbt_backends))
				return -EINVAL;
			break;
		case TLBT_BOPT_PAGES:
			if (tlbt_bench_nums(name, optarg, o->pages,
					    &o->nr_pages, 0))
				return -EINVAL;
			break;
		case TLBT_BOPT_BUSY:
			if (tlbt_bench_nums(name, optarg, nums, &nr,
					    TLBT_BUSY_MAX))
				return -EINVAL;
			for (i = 0; i < nr; i++) {
				if (nums[i] != TLBT_BUSY_MAX &&
				    nums[i] >= (unsigned long long)env->nr_cpus) {
					fprintf(stderr,
						"tlbtorture: --busy=%llu: %d CPUs allowed, so at most %d busy\n",
						nums[i], env->nr_cpus,
						env->nr_cpus - 1);
					return -EINVAL;
				}
				o->busy[i] = nums[i];
			}
			o->nr_busy = nr;
			break;
		case TLBT_BOPT_CEILINGS:
			if (tlbt_bench_nums(name, optarg, nums, &nr,
					    TLBT_KNOB_MAX))
				return -EINVAL;
			for (i = 0; i < nr; i++) {
				if (nums[i] > TLBT_KNOB_MAX) {
					fprintf(stderr,
						"tlbtorture: --ceilings: %llu over %lu\n",
						nums[i], TLBT_KNOB_MAX);
					return -EINVAL;
				}
				o->ceilings[i] = nums[i];
			}
			o->nr_ceilings = nr;
			break;
		case TLBT_BOPT_REPEATS:
			if (tlbt_parse_num(name, optarg, &v) || !v ||
			    v > 1000)
				return -EINVAL;
			o->repeats = v;
			break;
		case TLBT_BOPT_PAGES_PER_REPEAT:
			if (tlbt_parse_num(name, optarg,
					   &o->pages_per_repeat) ||
			    !o->pages_per_repeat)
				return -EINVAL;
			break;
		case TLBT_BOPT_FLUSHES_PER_REPEAT:
			if (tlbt_parse_num(name, optarg,
					   &o->flushes_per_repeat) ||
			    !o->flushes_per_repeat)
				return -EINVAL;
			break;
		case TLBT_BOPT_CSV:
			o->csv = optarg;
			break;
		case TLBT_BOPT_PLOT:
			o->plot = optarg;
			break;
		case TLBT_BOPT_SHORT:
			o->short_run = true;
			break;
		default:
			return -EINVAL;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "tlbtorture: bench: unexpected '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	if (o->ceiling && (o->nr_seqs || o->nr_policies || o->nr_backends)) {
		fprintf(stderr,
			"tlbtorture: bench ceiling runs native batched migrate: no --seq, --policies, --backends\n");
		return -EINVAL;
	}
	if (!o->ceiling && o->nr_ceilings) {
		fprintf(stderr, "tlbtorture: --ceilings is for bench ceiling\n");
		return -EINVAL;
	}
	if (o->repeats && o->repeats < TLBT_BENCH_MIN_REPEATS &&
	    !o->short_run) {
		fprintf(stderr,
			"tlbtorture: --repeats: at least %d (or --short)\n",
			TLBT_BENCH_MIN_REPEATS);
		return -EINVAL;
	}
	max_pages = tlbt_knob_read("max_pages", &knob) ? 4096 : knob;
	for (i = 0; i < o->nr_pages; i++) {
		if (!o->pages[i] || o->pages[i] > max_pages) {
			fprintf(stderr,
				"tlbtorture: --pages: %llu not in 1..%llu (max_pages)\n",
				o->pages[i], max_pages);
			return -EINVAL;
		}
	}
	for (i = 0; o->plot && o->plot[i]; i++) {
		if (o->plot[i] == '\'' || o->plot[i] == '\n') {
			fprintf(stderr, "tlbtorture: --plot: no quotes or newlines in the file name\n");
			return -EINVAL;
		}
	}
	tlbt_bench_defaults(o, env);
	return 0;
}

/*
 * The issuer stays on the first allowed CPU for the whole sweep. A CPU
 * the process ran on before keeps its mm loaded lazily, in mm_cpumask,
 * and the native backend IPIs it: busy 0 would not be quiet. Freeing a
 * page table makes the kernel's own flush reach lazy CPUs too, and they
 * leave the mask (switch to init_mm): so free one.
 */
static int tlbt_bench_pin_issuer(struct tlbt_bench_env *env)
{
	size_t len = 3 * TLBT_PMD_SIZE;
	char *mem, *unit;
	int ret;

	ret = tlbt_pin(env->cpus[0]);
	if (ret)
		return ret;
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return -errno;
	/* a whole 2 MiB unit of ours: munmap() frees its page table */
	unit = (char *)(((unsigned long)mem + TLBT_PMD_SIZE - 1) &
			~(TLBT_PMD_SIZE - 1));
	*(volatile char *)unit = 1;
	munmap(mem, len);
	return 0;
}

static int tlbt_bench_env_init(struct tlbt_bench_env *env)
{
	bool pti = false, pcid = false, invpcid = false;
	int nr;

	memset(env, 0, sizeof(*env));
	nr = tlbt_nr_cpus();
	if (nr < 1)
		return nr < 0 ? nr : -EINVAL;
	env->cpus = calloc(nr, sizeof(int));
	if (!env->cpus)
		return -ENOMEM;
	env->nr_cpus = tlbt_cpus(env->cpus, nr);
	if (env->nr_cpus < 1)
		return env->nr_cpus < 0 ? env->nr_cpus : -EINVAL;
	if (!tlbt_flush_caps(&pti, &pcid, &invpcid))
		env->full_only = pti && pcid && !invpcid;
	return tlbt_bench_pin_issuer(env);
}

static void tlbt_bench_env_free(struct tlbt_bench_env *env)
{
	if (env->nr_cpus > 0)
		tlbt_set_cpus(env->cpus, env->nr_cpus);
	free(env->cpus);
}

/*
 * Start @busy workers on [@base, @base + @pages pages): the issuer on the
 * first allowed CPU, the workers on the next @busy ones. The pool puts one
 * worker on every other CPU of the caller's affinity, so narrow it first.
 * With busy 0 this only pins the issuer.
 */
static int tlbt_bench_workers_start(struct tlbt_bench_env *env,
				    struct tlbt_workers *ws,
				    volatile uint64_t *base, size_t pages,
				    unsigned int busy)
{
	int ret;

	ret = tlbt_set_cpus(env->cpus, busy + 1);
	if (!ret)
		ret = tlbt_workers_start(ws, base, pages, env->cpus[0]);
	if (!ret && ws->nr != busy) {
		struct tlbt_oracle o;

		tlbt_workers_stop(ws, &o);
		ret = -EAGAIN;
	}
	return ret;
}

static int tlbt_bench_workers_stop(struct tlbt_bench_env *env,
				   struct tlbt_workers *ws)
{
	struct tlbt_oracle o;
	int ret;

	/* The oracle is not the bench's business: flush=none loses writes. */
	ret = tlbt_workers_stop(ws, &o);
	/* Back to the issuer's CPU alone, see tlbt_bench_pin_issuer(). */
	if (tlbt_bench_pin_issuer(env) && !ret)
		ret = -EIO;
	return ret;
}

/*
 * One store per page, into the last slot, which no worker owns: brings
 * every page in (dirty), so migrate copies and reclaim writes back all.
 * A store, not ++: a load first would fault the page in read-only and
 * the store then take a second fault.
 */
static void tlbt_bench_touch(volatile uint64_t *base, size_t pages)
{
	size_t p;

	for (p = 0; p < pages; p++)
		base[p * TLBT_SLOTS_PER_PAGE + TLBT_SLOTS_PER_PAGE - 1] = p;
}

static unsigned long long tlbt_bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int tlbt_bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void tlbt_bench_stats(struct tlbt_bench_point *pt, double *ns)
{
	unsigned int n = pt->repeats;

	qsort(ns, n, sizeof(*ns), tlbt_bench_cmp_double);
	pt->ns_min = ns[0];
	pt->ns_max = ns[n - 1];
	pt->ns_med = n % 2 ? ns[n / 2] : (ns[n / 2 - 1] + ns[n / 2]) / 2;
}

/* Flushes one round issues inside the timed part. */
static unsigned long long tlbt_bench_flushes_per_round(const char *policy,
						       unsigned long long pages)
{
	if (!strcmp(policy, "immediate"))
		return pages;
	if (!strcmp(policy, "none"))
		return 0;
	if (!strcmp(policy, "mremap"))
		return 2;		/* there, and back */
	return 1;
}

/*
 * Without busy CPUs a flush is CPU-local and cheap everywhere, so the
 * budget applies only with some: that is where TCG charges a time slice.
 */
static unsigned long long tlbt_bench_rounds(const struct tlbt_bench_opts *o,
					    const char *policy,
					    unsigned long long pages,
					    unsigned int busy)
{
	unsigned long long r = (o->pages_per_repeat + pages - 1) / pages;
	unsigned long long f = tlbt_bench_flushes_per_round(policy, pages);

	if (busy && f && r > o->flushes_per_repeat / f)
		r = o->flushes_per_repeat / f;
	return r ? r : 1;
}

/*
 * Everything the points of one (busy, pages) group share: an arena, the
 * anonymous memory of the kernel's path, and the busy workers. The
 * workers hammer the arena throughout, so the mm is live on their CPUs
 * (what makes any flush, ours or the kernel's, send IPIs) but they never
 * fault in the anonymous pages being measured (mremap leaves none).
 */
struct tlbt_bench_group {
	struct tlbt_arena a;
	struct tlbt_workers ws;
	size_t pages;
	char *mem;			/* MAP_FAILED when not mapped */
	char *resv;			/* mremap destination reservation */
	char *dst;
	size_t len;
	bool workers;
};

/*
 * The refault: a store, so do_anonymous_page() maps a fresh zeroed page.
 * A load first would map the zero page, and the store's copy-on-write
 * would then flush it with a shootdown of its own.
 */
static void tlbt_bench_touch_anon(volatile char *mem, size_t pages)
{
	size_t p;

	for (p = 0; p < pages; p++)
		mem[p * TLBT_PAGE_SIZE] = 1;
}

static void tlbt_bench_group_end(struct tlbt_bench_env *env,
				 struct tlbt_bench_group *g, int *ret)
{
	int sret = 0;

	if (g->workers)
		sret = tlbt_bench_workers_stop(env, &g->ws);
	if (!*ret)
		*ret = sret;
	if (g->resv != MAP_FAILED)
		munmap(g->resv, g->len + TLBT_PAGE_SIZE);
	if (g->mem != MAP_FAILED)
		munmap(g->mem, g->len);
	tlbt_arena_close(&g->a);
}

static int tlbt_bench_group_begin(struct tlbt_bench_env *env,
				  struct tlbt_bench_group *g, size_t pages,
				  unsigned int busy, bool anon)
{
	int ret;

	memset(g, 0, sizeof(*g));
	g->mem = MAP_FAILED;
	g->resv = MAP_FAILED;
	g->pages = pages;
	g->len = pages * TLBT_PAGE_SIZE;
	ret = tlbt_arena_open(&g->a, pages);
	if (ret)
		return ret;
	tlbt_bench_touch(g->a.base, pages);
	if (anon) {
		g->mem = mmap(NULL, g->len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		g->resv = mmap(NULL, g->len + TLBT_PAGE_SIZE, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			       -1, 0);
		if (g->mem == MAP_FAILED || g->resv == MAP_FAILED) {
			ret = -errno;
			goto err;
		}
		/* Ordinary 4 KiB pages; EINVAL without THP support is fine. */
		madvise(g->mem, g->len, MADV_NOHUGEPAGE);
		tlbt_bench_touch_anon(g->mem, pages);
		/*
		 * Same offset in a 2 MiB unit at both ends would let mremap
		 * move whole page tables (move_normal_pmd()) at 512 pages:
		 * keep it moving PTEs at every size.
		 */
		g->dst = g->resv;
		if (((unsigned long)g->dst - (unsigned long)g->mem) %
		    TLBT_PMD_SIZE == 0)
			g->dst += TLBT_PAGE_SIZE;
	}
	ret = tlbt_bench_workers_start(env, &g->ws, g->a.base, pages, busy);
	if (ret)
		goto err;
	g->workers = true;
	return 0;
err:
	tlbt_bench_group_end(env, g, &ret);
	return ret;
}

/*
 * One repeat of one of our sequences; adds its counts to @pt, returns
 * ns per page. Every page is in memory first. Reclaim empties the range,
 * so it runs one round per command with every page touched before each;
 * migrate runs all rounds in one command. The test replays exactly this.
 */
static int tlbt_bench_seq_repeat(struct tlbt_bench_group *g,
				 struct tlbt_bench_point *pt, double *ns)
{
	bool reclaim = !strcmp(pt->seq, "reclaim");
	unsigned long long per_cmd = reclaim ? 1 : pt->rounds;
	unsigned long long c, ns_total = 0;
	struct tlbt_result r;
	int ret;

	for (c = 0; c < pt->rounds / per_cmd; c++) {
		tlbt_bench_touch(g->a.base, g->pages);
		ret = tlbt_cmd(&g->a, "%s pages=%llu rounds=%llu flush=%s backend=%s",
			       pt->seq, pt->pages, per_cmd, pt->policy,
			       pt->backend);
		if (!ret)
			ret = tlbt_results_read(&g->a, &r);
		if (!ret && r.error)
			ret = r.error;
		if (!ret && r.rounds_done != per_cmd)
			ret = -EIO;
		if (ret)
			return ret;
		ns_total += r.ns_total;
		pt->shootdowns += r.shootdowns;
		pt->ipis += r.ipis;
		pt->invlpg += r.invlpg_pages;
		pt->full += r.full_flushes;
	}
	*ns = (double)ns_total / (pt->pages * pt->rounds);
	return 0;
}

/*
 * One repeat of the kernel's own path on ordinary anonymous memory,
 * timed here with clock_gettime() around the rounds alone.
 */
static int tlbt_bench_anon_repeat(struct tlbt_bench_group *g,
				  const struct tlbt_bench_point *pt,
				  double *ns)
{
	bool remap = !strcmp(pt->policy, "mremap");
	unsigned long long r, t0 = tlbt_bench_now();
	size_t len = g->len;

	for (r = 0; r < pt->rounds; r++) {
		if (!remap) {
			if (madvise(g->mem, len, MADV_DONTNEED))
				return -errno;
			tlbt_bench_touch_anon(g->mem, pt->pages);
			continue;
		}
		if (mremap(g->mem, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
			   g->dst) != g->dst ||
		    mremap(g->dst, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
			   g->mem) != g->mem)
			return -errno;
	}
	*ns = (double)(tlbt_bench_now() - t0) / (pt->pages * pt->rounds);
	return 0;
}

static struct tlbt_bench_point *tlbt_bench_add(struct tlbt_bench_set *set)
{
	struct tlbt_bench_point *p;

	p = realloc(set->p, (set->nr + 1) * sizeof(*p));
	if (!p)
		return NULL;
	set->p = p;
	p = &set->p[set->nr++];
	memset(p, 0, sizeof(*p));
	p->x_dontneed = NAN;
	p->x_mremap = NAN;
	return p;
}

static int tlbt_bench_add_point(struct tlbt_bench_set *set,
				const struct tlbt_bench_opts *o,
				const char *seq, const char *policy,
				const char *backend, unsigned int busy,
				unsigned long long pages, unsigned long ceiling)
{
	struct tlbt_bench_point *pt = tlbt_bench_add(set);

	if (!pt)
		return -ENOMEM;
	snprintf(pt->seq, sizeof(pt->seq), "%s", seq);
	snprintf(pt->policy, sizeof(pt->policy), "%s", policy);
	snprintf(pt->backend, sizeof(pt->backend), "%s", backend);
	pt->busy = busy;
	pt->pages = pages;
	pt->rounds = tlbt_bench_rounds(o, policy, pages, busy);
	pt->repeats = o->repeats;
	pt->ceiling = ceiling;
	pt->counted = strcmp(seq, "anon");
	return 0;
}

/*
 * Run points [@first, set->nr), all of one busy count and size, with
 * their repeats interleaved: drift on a noisy machine then hits every
 * point alike instead of biasing the ratios between them. @set_ceiling:
 * write each point's ceiling to the knob before its repeat.
 */
static int tlbt_bench_run_group(struct tlbt_bench_env *env,
				struct tlbt_bench_set *set, unsigned int first,
				bool set_ceiling)
{
	unsigned int n = set->nr - first, i, rep, repeats = set->p[first].repeats;
	struct tlbt_bench_point *pts = &set->p[first];
	unsigned long long t0 = tlbt_bench_now();
	struct tlbt_bench_group g;
	bool anon = false;
	double *ns;
	int ret;

	ns = calloc((size_t)n * repeats, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		anon |= !pts[i].counted;
	ret = tlbt_bench_group_begin(env, &g, pts[0].pages, pts[0].busy, anon);
	if (ret)
		goto out;
	for (rep = 0; rep < repeats && !ret; rep++) {
		for (i = 0; i < n && !ret; i++) {
			struct tlbt_bench_point *pt = &pts[i];

			if (set_ceiling)
				ret = tlbt_knob_write("ceiling", pt->ceiling);
			if (ret)
				break;
			if (pt->counted)
				ret = tlbt_bench_seq_repeat(&g, pt,
							    &ns[i * repeats + rep]);
			else
				ret = tlbt_bench_anon_repeat(&g, pt,
							     &ns[i * repeats + rep]);
			if (ret)
				fprintf(stderr, "tlbtorture: bench: %s %s %s busy=%u pages=%llu rounds=%llu: %s\n",
					pt->seq, pt->policy, pt->backend,
					pt->busy, pt->pages, pt->rounds,
					strerror(-ret));
		}
	}
	tlbt_bench_group_end(env, &g, &ret);
	if (ret)
		goto out;
	for (i = 0; i < n; i++)
		tlbt_bench_stats(&pts[i], &ns[i * repeats]);
	/* Progress on stderr: a full sweep takes minutes. */
	fprintf(stderr, "# bench: %u/%u busy=%u pages=%llu: %u points x %u repeats, %.1f s:",
		++set->group, set->nr_groups, pts[0].busy, pts[0].pages, n,
		repeats, (tlbt_bench_now() - t0) / 1e9);
	for (i = 0; i < n; i++)
		fprintf(stderr, " %.0f", pts[i].ns_med);
	fprintf(stderr, " ns/page\n");
out:
	free(ns);
	return ret;
}

/* x_*: our median over the kernel's, same pages and busy CPUs. */
static void tlbt_bench_ratios(struct tlbt_bench_set *set)
{
	unsigned int i, j;

	for (i = 0; i < set->nr; i++) {
		struct tlbt_bench_point *p = &set->p[i];

		for (j = 0; j < set->nr; j++) {
			const struct tlbt_bench_point *k = &set->p[j];

			if (strcmp(k->seq, "anon") || k->busy != p->busy ||
			    k->pages != p->pages || k->ns_med <= 0)
				continue;
			if (!strcmp(k->policy, "madv_dontneed"))
				p->x_dontneed = p->ns_med / k->ns_med;
			else
				p->x_mremap = p->ns_med / k->ns_med;
		}
	}
}

/* An aligned table: the first @nleft columns left-aligned. */
static void tlbt_bench_grid(const char *const *names, unsigned int ncols,
			    unsigned int nleft,
			    char (*cells)[TLBT_BENCH_CELL], unsigned int nrows)
{
	unsigned int r, c;
	int *width = calloc(ncols, sizeof(*width));

	if (!width)
		return;
	for (c = 0; c < ncols; c++) {
		width[c] = strlen(names[c]);
		for (r = 0; r < nrows; r++) {
			int w = strlen(cells[r * ncols + c]);

			if (w > width[c])
				width[c] = w;
		}
	}
	for (r = 0; r <= nrows; r++) {
		for (c = 0; c < ncols; c++) {
			const char *s = r ? cells[(r - 1) * ncols + c] :
					    names[c];
			int w = c == ncols - 1 && c < nleft ? 0 : width[c];

			printf("%s%*s", c ? "  " : "", c < nleft ? -w : w, s);
		}
		putchar('\n');
	}
	free(width);
}

static void tlbt_bench_fmt(char *cell, double v, const char *fmt)
{
	if (isnan(v))
		snprintf(cell, TLBT_BENCH_CELL, "-");
	else
		snprintf(cell, TLBT_BENCH_CELL, fmt, v);
}

static double tlbt_bench_per_page(const struct tlbt_bench_point *p,
				  unsigned long long n)
{
	return p->counted ? (double)n / (p->pages * p->rounds * p->repeats) :
			    NAN;
}

enum {
	TLBT_BCOL_SEQ, TLBT_BCOL_POLICY, TLBT_BCOL_BACKEND, TLBT_BCOL_BUSY,
	TLBT_BCOL_PAGES, TLBT_BCOL_ROUNDS, TLBT_BCOL_MED, TLBT_BCOL_MIN,
	TLBT_BCOL_MAX, TLBT_BCOL_SHOOT, TLBT_BCOL_IPIS, TLBT_BCOL_INVLPG,
	TLBT_BCOL_FULL, TLBT_BCOL_XDONTNEED, TLBT_BCOL_XMREMAP, TLBT_BCOL_NR,
};

static const char *const tlbt_bench_col_names[TLBT_BCOL_NR] = {
	"sequence", "policy", "backend", "busy", "pages", "rounds",
	"ns/page", "min", "max", "shoot/pg", "ipis/pg", "invlpg/pg",
	"full/pg", "x_dontneed", "x_mremap",
};

static void tlbt_bench_print(const struct tlbt_bench_set *set)
{
	char (*cells)[TLBT_BENCH_CELL];
	unsigned int i;

	cells = calloc((size_t)set->nr * TLBT_BCOL_NR, sizeof(*cells));
	if (!cells)
		return;
	for (i = 0; i < set->nr; i++) {
		const struct tlbt_bench_point *p = &set->p[i];
		char (*c)[TLBT_BENCH_CELL] = &cells[i * TLBT_BCOL_NR];
		/* The kernel backend's IPIs and INVLPGs are not reported. */
		bool flushes = p->counted && !strcmp(p->backend, "native");

		snprintf(c[TLBT_BCOL_SEQ], TLBT_BENCH_CELL, "%s", p->seq);
		snprintf(c[TLBT_BCOL_POLICY], TLBT_BENCH_CELL, "%s", p->policy);
		snprintf(c[TLBT_BCOL_BACKEND], TLBT_BENCH_CELL, "%s",
			 p->backend);
		snprintf(c[TLBT_BCOL_BUSY], TLBT_BENCH_CELL, "%u", p->busy);
		snprintf(c[TLBT_BCOL_PAGES], TLBT_BENCH_CELL, "%llu", p->pages);
		snprintf(c[TLBT_BCOL_ROUNDS], TLBT_BENCH_CELL, "%llu",
			 p->rounds);
		tlbt_bench_fmt(c[TLBT_BCOL_MED], p->ns_med, "%.0f");
		tlbt_bench_fmt(c[TLBT_BCOL_MIN], p->ns_min, "%.0f");
		tlbt_bench_fmt(c[TLBT_BCOL_MAX], p->ns_max, "%.0f");
		tlbt_bench_fmt(c[TLBT_BCOL_SHOOT],
			       tlbt_bench_per_page(p, p->shootdowns), "%.4g");
		tlbt_bench_fmt(c[TLBT_BCOL_IPIS], flushes ?
			       tlbt_bench_per_page(p, p->ipis) : NAN, "%.4g");
		tlbt_bench_fmt(c[TLBT_BCOL_INVLPG], flushes ?
			       tlbt_bench_per_page(p, p->invlpg) : NAN, "%.4g");
		tlbt_bench_fmt(c[TLBT_BCOL_FULL], flushes ?
			       tlbt_bench_per_page(p, p->full) : NAN, "%.4g");
		tlbt_bench_fmt(c[TLBT_BCOL_XDONTNEED], p->x_dontneed, "%.2f");
		tlbt_bench_fmt(c[TLBT_BCOL_XMREMAP], p->x_mremap, "%.2f");
	}
	tlbt_bench_grid(tlbt_bench_col_names, TLBT_BCOL_NR, 3, cells, set->nr);
	free(cells);
}

static void tlbt_csv_num(FILE *f, double v, const char *fmt)
{
	fputc(',', f);
	if (!isnan(v))
		fprintf(f, fmt, v);
}

static int tlbt_bench_write_csv(const char *path,
				const struct tlbt_bench_set *set)
{
	unsigned int i;
	FILE *f;

	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "tlbtorture: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	fprintf(f, "# %s\n", set->title);
	fprintf(f, "%s\n", TLBT_BENCH_CSV_HEADER);
	for (i = 0; i < set->nr; i++) {
		const struct tlbt_bench_point *p = &set->p[i];

		fprintf(f, "%s,%s,%s,%u,%llu,%llu,%u,%lu", p->seq, p->policy,
			p->backend, p->busy, p->pages, p->rounds, p->repeats,
			p->ceiling);
		tlbt_csv_num(f, p->ns_med, "%.1f");
		tlbt_csv_num(f, p->ns_min, "%.1f");
		tlbt_csv_num(f, p->ns_max, "%.1f");
		tlbt_csv_num(f, tlbt_bench_per_page(p, p->shootdowns), "%.9g");
		tlbt_csv_num(f, tlbt_bench_per_page(p, p->ipis), "%.9g");
		tlbt_csv_num(f, tlbt_bench_per_page(p, p->invlpg), "%.9g");
		tlbt_csv_num(f, tlbt_bench_per_page(p, p->full), "%.9g");
		if (p->counted)
			fprintf(f, ",%llu,%llu,%llu,%llu", p->shootdowns,
				p->ipis, p->invlpg, p->full);
		else
			fprintf(f, ",,,,");
		tlbt_csv_num(f, p->x_dontneed, "%.4f");
		tlbt_csv_num(f, p->x_mremap, "%.4f");
		fputc('\n', f);
	}
	if (fclose(f)) {
		fprintf(stderr, "tlbtorture: %s: %s\n", path, strerror(errno));
		return -EIO;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* gnuplot                                                            */

static bool tlbt_in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, prog);
		if (n && !access(buf, X_OK))
			return true;
		path += n;
		if (*path)
			path++;
	}
	return false;
}

/* A line of the plot: one policy and backend (and ceiling, in that sweep). */
struct tlbt_plot_line {
	const struct tlbt_bench_point *first;
	char title[96];
	const char *color;
	int dash, point;
};

static bool tlbt_plot_same_line(const struct tlbt_bench_point *a,
				const struct tlbt_bench_point *b,
				bool by_ceiling)
{
	return !strcmp(a->seq, b->seq) && !strcmp(a->policy, b->policy) &&
	       !strcmp(a->backend, b->backend) && a->busy == b->busy &&
	       (!by_ceiling || !strcmp(a->policy, "none") ||
		a->ceiling == b->ceiling);
}

static void tlbt_plot_style(struct tlbt_plot_line *l, bool by_ceiling)
{
	const struct tlbt_bench_point *p = l->first;
	bool kernel = !strcmp(p->backend, "kernel");

	l->dash = kernel ? 2 : 1;
	l->point = kernel ? 5 : 7;
	if (!strcmp(p->seq, "anon")) {
		bool dn = !strcmp(p->policy, "madv_dontneed");

		l->color = dn ? "#2ca02c" : "#9467bd";
		l->dash = 3;
		l->point = 9;
		snprintf(l->title, sizeof(l->title), "kernel %s, anon memory",
			 dn ? "MADV_DONTNEED + refault" :
			      "mremap there and back");
	} else if (!strcmp(p->policy, "none")) {
		l->color = "#7f7f7f";
		snprintf(l->title, sizeof(l->title), "none (no flush), %s",
			 p->backend);
	} else if (by_ceiling) {
		l->color = p->ceiling == 0 ? "#ff7f0e" :
			   p->ceiling >= TLBT_KNOB_MAX ? "#1f77b4" : "#8c564b";
		snprintf(l->title, sizeof(l->title), "%s, ceiling %lu%s",
			 p->policy, p->ceiling,
			 p->ceiling == 0 ? ": full flush" :
			 p->ceiling >= TLBT_KNOB_MAX ? ": INVLPG per page" : "");
	} else {
		l->color = !strcmp(p->policy, "immediate") ? "#d62728" :
			   "#1f77b4";
		snprintf(l->title, sizeof(l->title), "%s, %s", p->policy,
			 p->backend);
	}
}

static int tlbt_plot_cmp_pages(const void *a, const void *b)
{
	const struct tlbt_bench_point *x = *(const struct tlbt_bench_point *const *)a;
	const struct tlbt_bench_point *y = *(const struct tlbt_bench_point *const *)b;

	return x->pages < y->pages ? -1 : x->pages > y->pages;
}

/*
 * One panel per sequence and busy count, one line per policy and backend
 * (per ceiling in the ceiling sweep), the kernel's anon path in every
 * panel of its busy count; error bars span min..max of the repeats.
 */
static void tlbt_plot_script(FILE *f, const struct tlbt_bench_set *set,
			     const char *png)
{
	const struct tlbt_bench_point **pts;
	struct tlbt_plot_line *lines;
	unsigned int i, j, k, nl = 0, npanels = 0, rows, cols;
	unsigned long long max_pages = 1;
	bool by_ceiling = false;
	int *panel_of;

	pts = calloc(set->nr, sizeof(*pts));
	lines = calloc(set->nr, sizeof(*lines));
	panel_of = calloc(set->nr, sizeof(*panel_of));
	if (!pts || !lines || !panel_of)
		goto out;
	for (i = 0; i < set->nr; i++) {
		if (set->p[i].ceiling != set->p[0].ceiling)
			by_ceiling = true;
		if (set->p[i].pages > max_pages)
			max_pages = set->p[i].pages;
	}
	/* Lines in order of appearance. */
	for (i = 0; i < set->nr; i++) {
		for (j = 0; j < nl; j++)
			if (tlbt_plot_same_line(lines[j].first, &set->p[i],
						by_ceiling))
				break;
		if (j == nl) {
			lines[nl].first = &set->p[i];
			tlbt_plot_style(&lines[nl], by_ceiling);
			nl++;
		}
	}
	/* Panels: distinct (sequence, busy) of our sequences. */
	for (i = 0; i < nl; i++) {
		const struct tlbt_bench_point *p = lines[i].first;

		panel_of[i] = -1;
		if (!strcmp(p->seq, "anon"))
			continue;
		for (j = 0; j < i; j++)
			if (panel_of[j] >= 0 &&
			    !strcmp(lines[j].first->seq, p->seq) &&
			    lines[j].first->busy == p->busy)
				break;
		panel_of[i] = j < i ? panel_of[j] : (int)npanels++;
	}
	if (!npanels)
		goto out;
	cols = npanels <= 3 ? npanels : 2;
	rows = (npanels + cols - 1) / cols;

	fprintf(f, "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
		   "  set terminal pngcairo size %u,%u font 'sans,10'\n"
		   "} else {\n"
		   "  set terminal png size %u,%u\n"
		   "}\n", 640 * cols, 60 + 560 * rows, 640 * cols,
		60 + 560 * rows);
	fprintf(f, "set termoption noenhanced\n");
	fprintf(f, "set output '%s'\n", png);
	fprintf(f, "set logscale x 2\nset logscale y 10\nset grid\n");
	fprintf(f, "set xrange [0.7:%llu]\n", max_pages * 3 / 2 + 1);
	fprintf(f, "set xtics 1,2,%llu\n", max_pages);
	fprintf(f, "set format y '%%.0s%%c'\n");	/* 100, 1k, 10M */
	fprintf(f, "set xlabel 'pages per round'\n");
	fprintf(f, "set ylabel 'ns per page (median; bars: min to max)'\n");
	fprintf(f, "set key below horizontal maxcols 3 font ',8'\n");
	if (by_ceiling) {
		fprintf(f, "set arrow from 33, graph 0 to 33, graph 1 nohead dt 2 lc rgb '#555555'\n");
		fprintf(f, "set label 'kernel default ceiling 33' at 33, graph 0.04 offset 0.5,0 font ',8'\n");
	}
	/* The data once, as datablocks. */
	for (i = 0; i < nl; i++) {
		unsigned int n = 0;

		for (k = 0; k < set->nr; k++)
			if (tlbt_plot_same_line(lines[i].first, &set->p[k],
						by_ceiling) &&
			    set->p[k].ns_med > 0)
				pts[n++] = &set->p[k];
		qsort(pts, n, sizeof(*pts), tlbt_plot_cmp_pages);
		fprintf(f, "$d%u << EOD\n", i);
		for (k = 0; k < n; k++)
			fprintf(f, "%llu %.1f %.1f %.1f\n", pts[k]->pages,
				pts[k]->ns_med, pts[k]->ns_min, pts[k]->ns_max);
		fprintf(f, "EOD\n");
	}
	fprintf(f, "set multiplot layout %u,%u title '%s' font ',11'\n",
		rows, cols, set->title);
	for (k = 0; k < npanels; k++) {
		const struct tlbt_bench_point *head = NULL;
		bool first = true;

		for (i = 0; i < nl; i++)
			if (panel_of[i] == (int)k) {
				head = lines[i].first;
				break;
			}
		fprintf(f, "set title '%s, %u busy remote CPU%s'\n", head->seq,
			head->busy, head->busy == 1 ? "" : "s");
		fprintf(f, "plot ");
		for (i = 0; i < nl; i++) {
			const struct tlbt_bench_point *p = lines[i].first;

			if (panel_of[i] != (int)k &&
			    (strcmp(p->seq, "anon") || p->busy != head->busy))
				continue;
			fprintf(f, "%s$d%u using 1:2:3:4 with yerrorlines lc rgb '%s' dt %d pt %d ps 0.7 lw 1.5 title '%s'",
				first ? "" : ", \\\n     ", i, lines[i].color,
				lines[i].dash, lines[i].point, lines[i].title);
			first = false;
		}
		fprintf(f, "\n");
	}
	fprintf(f, "unset multiplot\n");
out:
	free(pts);
	free(lines);
	free(panel_of);
}

static int tlbt_plot(const struct tlbt_bench_set *set, const char *png)
{
	FILE *f;
	int st;

	if (!tlbt_in_path("gnuplot")) {
		fprintf(stderr,
			"tlbtorture: gnuplot not found in PATH (Debian: apt-get install gnuplot-nox); no plot written. A CSV (--csv) can be plotted elsewhere with: tlbtorture plot CSV PNG\n");
		return -ENOENT;
	}
	f = popen("gnuplot", "w");
	if (!f) {
		fprintf(stderr, "tlbtorture: gnuplot: %s\n", strerror(errno));
		return -errno;
	}
	tlbt_plot_script(f, set, png);
	st = pclose(f);
	if (st) {
		fprintf(stderr, "tlbtorture: gnuplot failed (status %d)\n", st);
		return -EIO;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* reading a CSV back (tlbtorture plot)                               */

static char *tlbt_csv_field(char **s)
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

static double tlbt_csv_double(const char *s)
{
	return *s ? strtod(s, NULL) : NAN;
}

static int tlbt_csv_read(const char *path, struct tlbt_bench_set *set)
{
	char *line = NULL, *names[32];
	unsigned int ncols = 0, i;
	size_t cap = 0;
	ssize_t len;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "tlbtorture: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		struct tlbt_bench_point *p;
		char *s = line;

		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#') {
			if (!set->title[0])
				snprintf(set->title, sizeof(set->title), "%s",
					 line + 1 + (line[1] == ' '));
			continue;
		}
		if (!line[0])
			continue;
		if (!ncols) {
			while (*s && ncols < ARRAY_SIZE(names))
				names[ncols++] = strdup(tlbt_csv_field(&s));
			continue;
		}
		p = tlbt_bench_add(set);
		if (!p)
			break;
		for (i = 0; i < ncols && names[i]; i++) {
			const char *v = tlbt_csv_field(&s);

			if (!strcmp(names[i], "sequence"))
				snprintf(p->seq, sizeof(p->seq), "%s", v);
			else if (!strcmp(names[i], "policy"))
				snprintf(p->policy, sizeof(p->policy), "%s", v);
			else if (!strcmp(names[i], "backend"))
				snprintf(p->backend, sizeof(p->backend), "%s",
					 v);
			else if (!strcmp(names[i], "busy"))
				p->busy = strtoul(v, NULL, 10);
			else if (!strcmp(names[i], "pages"))
				p->pages = strtoull(v, NULL, 10);
			else if (!strcmp(names[i], "rounds"))
				p->rounds = strtoull(v, NULL, 10);
			else if (!strcmp(names[i], "repeats"))
				p->repeats = strtoul(v, NULL, 10);
			else if (!strcmp(names[i], "ceiling"))
				p->ceiling = strtoul(v, NULL, 10);
			else if (!strcmp(names[i], "ns_per_page_median"))
				p->ns_med = tlbt_csv_double(v);
			else if (!strcmp(names[i], "ns_per_page_min"))
				p->ns_min = tlbt_csv_double(v);
			else if (!strcmp(names[i], "ns_per_page_max"))
				p->ns_max = tlbt_csv_double(v);
		}
		if (!p->pages || !p->seq[0])
			set->nr--;	/* not a point: skip it */
	}
	free(line);
	for (i = 0; i < ncols; i++)
		free(names[i]);
	fclose(f);
	if (!set->nr) {
		fprintf(stderr, "tlbtorture: %s: no points\n", path);
		return -EINVAL;
	}
	return 0;
}

int tlbt_plot_main(int argc, char **argv)
{
	struct tlbt_bench_set set = { 0 };
	int ret;

	if (argc != 3 || strchr(argv[2], '\'') || strchr(argv[2], '\n')) {
		fprintf(stderr, "usage: tlbtorture plot CSV PNG (no quotes in PNG)\n");
		return 2;
	}
	ret = tlbt_csv_read(argv[1], &set);
	if (!ret)
		ret = tlbt_plot(&set, argv[2]);
	free(set.p);
	if (!ret)
		printf("plot: %s\n", argv[2]);
	return ret ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* the sweeps                                                         */

static int tlbt_bench_sweep(struct tlbt_bench_env *env,
			    const struct tlbt_bench_opts *o,
			    struct tlbt_bench_set *set)
{
	unsigned int b, p, s, q, k, first;
	int ret;

	set->nr_groups = o->nr_busy * o->nr_pages;
	/* busy outermost: workers change least */
	for (b = 0; b < o->nr_busy; b++) {
		for (p = 0; p < o->nr_pages; p++) {
			first = set->nr;
			ret = tlbt_bench_add_point(set, o, "anon",
						   "madv_dontneed", "mm",
						   o->busy[b], o->pages[p],
						   env->ceiling);
			if (!ret)
				ret = tlbt_bench_add_point(set, o, "anon",
							   "mremap", "mm",
							   o->busy[b],
							   o->pages[p],
							   env->ceiling);
			for (s = 0; s < o->nr_seqs && !ret; s++)
			for (q = 0; q < o->nr_policies && !ret; q++)
			for (k = 0; k < o->nr_backends && !ret; k++) {
				/* none runs on the native backend only */
				if (!strcmp(o->policies[q], "none") &&
				    strcmp(o->backends[k], "native"))
					continue;
				ret = tlbt_bench_add_point(set, o, o->seqs[s],
							   o->policies[q],
							   o->backends[k],
							   o->busy[b],
							   o->pages[p],
							   env->ceiling);
			}
			if (!ret)
				ret = tlbt_bench_run_group(env, set, first,
							   false);
			if (ret)
				return ret;
		}
	}
	tlbt_bench_ratios(set);
	return 0;
}

static char tlbt_ceiling_saved[32];

/* Put the knob back if the sweep is interrupted: write(2) is signal-safe. */
static void tlbt_ceiling_restore_sig(int sig)
{
	int fd = open(TLBT_DEBUGFS "/ceiling", O_WRONLY);

	if (fd >= 0) {
		ssize_t n = write(fd, tlbt_ceiling_saved,
				  strlen(tlbt_ceiling_saved));

		(void)n;	/* nothing better to do in a handler */
		close(fd);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Native batched migrate, whose only flush per round is one shootdown of
 * the whole range, with the knob at each ceiling, against the none
 * baseline at the same size: the difference is what the flush costs.
 */
static int tlbt_ceiling_sweep(struct tlbt_bench_env *env,
			      const struct tlbt_bench_opts *o,
			      struct tlbt_bench_set *set)
{
	unsigned int b, p, c, first;
	int ret = 0;

	set->nr_groups = o->nr_busy * o->nr_pages;
	for (b = 0; b < o->nr_busy && !ret; b++) {
		for (p = 0; p < o->nr_pages && !ret; p++) {
			first = set->nr;
			ret = tlbt_bench_add_point(set, o, "migrate", "none",
						   "native", o->busy[b],
						   o->pages[p], TLBT_KNOB_MAX);
			for (c = 0; c < o->nr_ceilings && !ret; c++)
				ret = tlbt_bench_add_point(set, o, "migrate",
							   "batched", "native",
							   o->busy[b],
							   o->pages[p],
							   o->ceilings[c]);
			if (!ret)
				ret = tlbt_bench_run_group(env, set, first,
							   true);
		}
	}
	return ret;
}

static const struct tlbt_bench_point *
tlbt_ceiling_find(const struct tlbt_bench_set *set, unsigned int busy,
		  unsigned long long pages, const char *policy,
		  unsigned long ceiling)
{
	unsigned int i;

	for (i = 0; i < set->nr; i++) {
		const struct tlbt_bench_point *p = &set->p[i];

		if (p->busy == busy && p->pages == pages &&
		    !strcmp(p->policy, policy) &&
		    (!strcmp(policy, "none") || p->ceiling == ceiling))
			return p;
	}
	return NULL;
}

/*
 * Per busy count: ns/page of each ceiling, and with the none baseline
 * taken off, what the flush costs per page; then from which size on a
 * full flush (ceiling 0) stays faster than INVLPG per page (ceiling max).
 */
static void tlbt_ceiling_print(const struct tlbt_bench_opts *o,
			       const struct tlbt_bench_set *set)
{
	unsigned int nc = 3 + 2 * o->nr_ceilings, b, c, r;
	char (*cells)[TLBT_BENCH_CELL];
	const char **names;
	bool has_full = false, has_invlpg = false;

	for (c = 0; c < o->nr_ceilings; c++) {
		has_full |= o->ceilings[c] == 0;
		has_invlpg |= o->ceilings[c] >= TLBT_KNOB_MAX;
	}
	names = calloc(nc, sizeof(*names));
	cells = calloc((size_t)o->nr_pages * nc, sizeof(*cells));
	if (!names || !cells)
		goto out;
	names[0] = "pages";
	names[1] = "none";
	for (c = 0; c < o->nr_ceilings; c++) {
		char *a = malloc(TLBT_BENCH_CELL), *f = malloc(TLBT_BENCH_CELL);

		if (!a || !f) {
			free(a);
			free(f);
			goto out_names;
		}
		snprintf(a, TLBT_BENCH_CELL, "c=%lu", o->ceilings[c]);
		snprintf(f, TLBT_BENCH_CELL, "flush@c=%lu", o->ceilings[c]);
		names[2 + c] = a;
		names[2 + o->nr_ceilings + c] = f;
	}
	names[nc - 1] = "faster";
	for (b = 0; b < o->nr_busy; b++) {
		unsigned long long last_invlpg = 0, first_full = 0;

		printf("\n# ceiling sweep, busy %u: ns/page of native batched migrate (median of %u); flush@c = that minus none: the flush's own cost per page\n",
		       o->busy[b], o->repeats);
		for (r = 0; r < o->nr_pages; r++) {
			char (*row)[TLBT_BENCH_CELL] = &cells[r * nc];
			const struct tlbt_bench_point *none, *best = NULL;
			const struct tlbt_bench_point *full, *inv;

			none = tlbt_ceiling_find(set, o->busy[b], o->pages[r],
						 "none", 0);
			snprintf(row[0], TLBT_BENCH_CELL, "%llu", o->pages[r]);
			tlbt_bench_fmt(row[1], none ? none->ns_med : NAN,
				       "%.0f");
			for (c = 0; c < o->nr_ceilings; c++) {
				const struct tlbt_bench_point *pt;

				pt = tlbt_ceiling_find(set, o->busy[b],
						       o->pages[r], "batched",
						       o->ceilings[c]);
				tlbt_bench_fmt(row[2 + c], pt ? pt->ns_med : NAN,
					       "%.0f");
				tlbt_bench_fmt(row[2 + o->nr_ceilings + c],
					       pt && none ?
					       pt->ns_med - none->ns_med : NAN,
					       "%.0f");
				if (pt && (!best || pt->ns_med < best->ns_med))
					best = pt;
			}
			full = tlbt_ceiling_find(set, o->busy[b], o->pages[r],
						 "batched", 0);
			inv = tlbt_ceiling_find(set, o->busy[b], o->pages[r],
						"batched", TLBT_KNOB_MAX);
			snprintf(row[nc - 1], TLBT_BENCH_CELL, "%s",
				 !best ? "-" : best->ceiling == 0 ? "~full" :
				 best->ceiling >= TLBT_KNOB_MAX ? "~invlpg" :
				 "~other");
			if (!full || !inv)
				continue;
			/*
			 * Clearly faster: every repeat beat every repeat of the
			 * other. Otherwise the ranges overlap and the median
			 * alone says which (marked ~).
			 */
			if (full->ns_max < inv->ns_min) {
				snprintf(row[nc - 1], TLBT_BENCH_CELL, "full");
				if (!first_full)
					first_full = o->pages[r];
			} else if (inv->ns_max < full->ns_min) {
				snprintf(row[nc - 1], TLBT_BENCH_CELL, "invlpg");
				last_invlpg = o->pages[r];
			}
		}
		tlbt_bench_grid(names, nc, 0, cells, o->nr_pages);
		if (!has_full || !has_invlpg)
			continue;
		printf("# crossover, busy %u: INVLPG per page clearly faster ",
		       o->busy[b]);
		if (last_invlpg)
			printf("up to %llu pages", last_invlpg);
		else
			printf("at no size");
		printf(", a full flush clearly faster ");
		if (first_full)
			printf("from %llu pages", first_full);
		else
			printf("at no size");
		printf(" (clearly: min..max of the repeats apart; ~: medians only); kernel default ceiling: 33\n");
	}
out_names:
	for (c = 0; c < o->nr_ceilings; c++) {
		free((char *)names[2 + c]);
		free((char *)names[2 + o->nr_ceilings + c]);
	}
out:
	free(names);
	free(cells);
}

int tlbt_bench_main(int argc, char **argv)
{
	bool pti = false, pcid = false, invpcid = false;
	struct tlbt_bench_set set = { 0 };
	struct tlbt_bench_env env;
	struct tlbt_bench_opts o;
	unsigned long long t0;
	int ret;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		tlbt_bench_usage(stdout);
		return 0;
	}
	ret = tlbt_bench_env_init(&env);
	if (ret) {
		fprintf(stderr, "tlbtorture: bench: %s\n", strerror(-ret));
		return 1;
	}
	if (tlbt_bench_parse(argc, argv, &o, &env)) {
		tlbt_bench_usage(stderr);
		tlbt_bench_env_free(&env);
		return 2;
	}
	if (!tlbt_module_loaded() ||
	    tlbt_knob_read("ceiling", &env.ceiling)) {
		fprintf(stderr, "tlbtorture: %s\n",
			tlbt_module_unusable() ?: "cannot read the ceiling knob");
		tlbt_bench_env_free(&env);
		return 1;
	}
	tlbt_flush_caps(&pti, &pcid, &invpcid);
	snprintf(set.title, sizeof(set.title),
		 "tlbtorture bench%s: %d CPUs (issuer CPU %d), pti=%d pcid=%d invpcid=%d, ceiling %lu, %u repeats, seed %llu",
		 o.ceiling ? " ceiling" : "", env.nr_cpus, env.cpus[0], pti,
		 pcid, invpcid, env.ceiling, o.repeats, tlbt_report.seed);
	tlbt_report_header();
	printf("# %s\n", set.title);
	printf("# ns/page: median (min, max) over the repeats of ns_total / (pages x rounds); per page: counts / (pages x rounds x repeats)\n");
	if (!o.ceiling)
		printf("# anon: the kernel's own path on anonymous memory (user-space timed); x_dontneed, x_mremap: ns/page over theirs at the same pages and busy\n");
	fflush(stdout);

	t0 = tlbt_bench_now();
	if (o.ceiling) {
		snprintf(tlbt_ceiling_saved, sizeof(tlbt_ceiling_saved), "%lu",
			 env.ceiling);
		signal(SIGINT, tlbt_ceiling_restore_sig);
		signal(SIGTERM, tlbt_ceiling_restore_sig);
		signal(SIGHUP, tlbt_ceiling_restore_sig);
		ret = tlbt_ceiling_sweep(&env, &o, &set);
		if (tlbt_knob_write("ceiling", env.ceiling)) {
			fprintf(stderr, "tlbtorture: could not restore ceiling %lu\n",
				env.ceiling);
			ret = ret ?: -EIO;
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
	} else {
		ret = tlbt_bench_sweep(&env, &o, &set);
	}
	if (ret)
		goto out;
	tlbt_bench_print(&set);
	if (o.ceiling)
		tlbt_ceiling_print(&o, &set);
	printf("# sweep: %u points in %.0f s\n", set.nr,
	       (tlbt_bench_now() - t0) / 1e9);
	fflush(stdout);
	if (o.csv)
		ret = tlbt_bench_write_csv(o.csv, &set);
	if (!ret && o.plot)
		ret = tlbt_plot(&set, o.plot);
out:
	free(set.p);
	tlbt_bench_env_free(&env);
	return ret ? 1 : 0;
}
