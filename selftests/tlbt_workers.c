// SPDX-License-Identifier: GPL-2.0
/*
 * tlbt_workers: CPU sets, fault recovery, the worker pool and its verdict.
 *
 * All functions return 0 (or a count) or a negative errno; none prints
 * anything, so the callers decide what a failure means.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "tlbt_workers.h"

/* ---- CPU sets ---- */

/* An empty set for CPUs [0, @bits); its size in *@size. */
static cpu_set_t *tlbt_cpuset_alloc(int bits, size_t *size)
{
	cpu_set_t *set = CPU_ALLOC(bits);

	if (set) {
		*size = CPU_ALLOC_SIZE(bits);
		CPU_ZERO_S(*size, set);
	}
	return set;
}

/**
 * tlbt_cpus - the CPUs the calling thread may run on, ascending
 * @cpus: where to put them; NULL to count them only
 * @max: room in @cpus
 *
 * Return: how many it put in @cpus (with @cpus NULL: how many there
 * are), or -errno.
 */
int tlbt_cpus(int *cpus, int max)
{
	cpu_set_t *set = NULL;
	int bits, cpu, err, nr = 0;
	size_t size;

	/* Grow the set until it holds every CPU the kernel knows of. */
	for (bits = 1024; bits <= (1 << 22); bits *= 2) {
		set = tlbt_cpuset_alloc(bits, &size);
		if (!set)
			return -ENOMEM;
		if (!sched_getaffinity(0, size, set))
			break;
		err = errno;
		CPU_FREE(set);
		set = NULL;
		if (err != EINVAL)
			return -err;
	}
	if (!set)
		return -EINVAL;
	for (cpu = 0; cpu < bits && (!cpus || nr < max); cpu++) {
		if (!CPU_ISSET_S(cpu, size, set))
			continue;
		if (cpus)
			cpus[nr] = cpu;
		nr++;
	}
	CPU_FREE(set);
	return nr;
}

/**
 * tlbt_set_cpus - let the calling thread run on @cpus only
 * @cpus: CPU numbers; NULL for CPUs 0 to @nr - 1
 * @nr: how many
 */
int tlbt_set_cpus(const int *cpus, int nr)
{
	int bits = cpus ? 0 : nr, i, ret;
	cpu_set_t *set;
	size_t size;

	for (i = 0; cpus && i < nr; i++) {
		if (cpus[i] < 0)
			return -EINVAL;
		if (cpus[i] >= bits)
			bits = cpus[i] + 1;
	}
	if (bits < 1)
		return -EINVAL;
	set = tlbt_cpuset_alloc(bits, &size);
	if (!set)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		CPU_SET_S(cpus ? cpus[i] : i, size, set);
	ret = sched_setaffinity(0, size, set) ? -errno : 0;
	CPU_FREE(set);
	return ret;
}

/* ---- fault recovery ---- */

/*
 * A worker that touches an address a real mremap, munmap or truncate
 * took away gets SIGSEGV or SIGBUS. The faulting load or store did not
 * happen (x86 faults are precise), so the handler jumps back to where
 * the worker reloads the published base and retries. Threads without a
 * jump buffer get the default action, so a real bug still kills.
 */
static __thread void *tlbt_fault_jmp;	/* a sigjmp_buf */

static void tlbt_fault(int sig, siginfo_t *si, void *uc)
{
	struct sigaction sa;

	(void)si;
	(void)uc;
	if (tlbt_fault_jmp)
		siglongjmp(*(sigjmp_buf *)tlbt_fault_jmp, 1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(sig, &sa, NULL);
}

/* Where this thread resumes after a fault; NULL: die of it. */
void tlbt_fault_jmp_set(sigjmp_buf *jb)
{
	tlbt_fault_jmp = jb;
}

void tlbt_fault_handler_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = tlbt_fault;
	/* NODEFER: siglongjmp() leaves the handler without sigreturn. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

/* ---- workers ---- */

/* Accesses in a row per page in the dwelling half of the time. */
static const unsigned int tlbt_dwell_max[] = {
	[TLBT_INCREMENT]	= TLBT_DWELL,
	[TLBT_ARENA]		= TLBT_DWELL,
	[TLBT_KP_INCREMENT]	= TLBT_KP_DWELL_INCREMENTS,
	[TLBT_KP_READ]		= TLBT_KP_DWELL_READS,
	[TLBT_KP_READ_STRICT]	= TLBT_KP_DWELL_READS,
};

/* Modes in which each worker owns a slot and counts what it added. */
static bool tlbt_mode_counts(enum tlbt_mode mode)
{
	return mode == TLBT_INCREMENT || mode == TLBT_ARENA ||
	       mode == TLBT_KP_INCREMENT;
}

/* The counter slot worker @idx owns in page @p. */
static size_t tlbt_own_slot(enum tlbt_mode mode, unsigned int idx, size_t p)
{
	return mode == TLBT_ARENA ? tlbt_ar_slot(idx, p) : idx;
}

static inline void tlbt_barrier(void)
{
	__asm__ __volatile__("" ::: "memory");
}

static void tlbt_note_bad(struct tlbt_worker *wk, uint64_t v)
{
	if (!wk->bad_reads)
		wk->first_bad = v;
	/* published: a caller may stop at its first detection */
	__atomic_store_n(&wk->bad_reads, wk->bad_reads + 1, __ATOMIC_RELAXED);
}

/*
 * One read-modify-write of the own slot: @last and @done are the
 * worker's records for its page, passed in so that the barriers do not
 * make every access reload them through @wk.
 */
static inline void tlbt_access_increment(struct tlbt_worker *wk,
					 volatile uint64_t *slot,
					 uint64_t *last, uint64_t *done)
{
	uint64_t v = *slot;

	/*
	 * A plain load and store, never an atomic: a store through a stale
	 * TLB entry must be free to get lost. The barriers keep the
	 * bookkeeping after the store, so a store that faults (and is
	 * retried) is never counted.
	 */
	tlbt_barrier();
	*slot = v + 1;
	tlbt_barrier();
	if (v < *last)
		wk->stale_reads++;
	else if (v > *last)
		wk->foreign_reads++;
	*last = v + 1;
	(*done)++;
}

/* The own counter slot, and one pattern slot read before it. */
static inline void tlbt_access_counted(struct tlbt_worker *wk,
				       volatile uint64_t *pg, size_t p)
{
	size_t s = TLBT_KP_COUNTERS + (p + wk->passes) % TLBT_KP_COUNTERS;
	uint64_t pv = pg[s];

	tlbt_access_increment(wk, pg + wk->idx, &wk->last[p], &wk->done[p]);
	wk->reads++;
	if (pv != tlbt_kp_pattern(p, s, 0))
		tlbt_note_bad(wk, pv);
}

/* 64 slots of the page, a different eighth of them on each pass. */
static inline void tlbt_access_read(struct tlbt_worker *wk,
				    volatile uint64_t *pg, size_t p)
{
	size_t s;

	for (s = wk->passes % 8; s < TLBT_SLOTS_PER_PAGE; s += 8) {
		uint64_t v = pg[s];

		wk->reads++;
		if (v && !tlbt_kp_pattern_any_gen(v, p, s))
			tlbt_note_bad(wk, v);
	}
}

/*
 * Every slot of the page must hold its pattern: a 0 is a freed frame
 * (init_on_free=1), unless the region's epoch says the scenario was
 * refilling a hole meanwhile.
 */
static inline void tlbt_access_strict(struct tlbt_worker *wk,
				      volatile uint64_t *pg, size_t p)
{
	struct tlbt_region *rg = wk->ws->rg;
	unsigned int e0 = __atomic_load_n(&rg->epoch, __ATOMIC_ACQUIRE);
	unsigned int nbad = 0;
	uint64_t bad = 0;
	size_t s;

	for (s = wk->passes % 8; s < TLBT_SLOTS_PER_PAGE; s += 8) {
		uint64_t v = pg[s];

		wk->reads++;
		if (!tlbt_kp_pattern_any_gen(v, p, s) && !nbad++)
			bad = v;
	}
	/* a page being refilled may show zeroes and half-copied words */
	if (nbad && !(e0 & 1) &&
	    __atomic_load_n(&rg->epoch, __ATOMIC_ACQUIRE) == e0)
		tlbt_note_bad(wk, bad);
}

/*
 * TLBT_ARENA: one word of page @p besides the own counter, the next of a
 * walk that steps by 67 (odd: every slot in 512 reads). A tag must be
 * its page's, a guard 0; another worker's counter may hold anything but
 * the poison, which no counter reaches.
 */
static inline void tlbt_access_check(struct tlbt_worker *wk,
				     volatile uint64_t *pg, size_t p)
{
	size_t s = (wk->rd += 67) % TLBT_SLOTS_PER_PAGE;
	uint64_t v = pg[s];
	bool ok;

	wk->reads++;
	if (s >= TLBT_AR_COUNTERS)
		ok = v == tlbt_ar_tag(p, s);
	else if (tlbt_ar_owned(s, p, wk->ws->nr))
		ok = v != TLBT_AR_POISON;
	else
		ok = !v;
	if (ok)
		return;
	if (v == TLBT_AR_POISON)
		wk->poison_reads++;
	else
		wk->foreign_words++;
}

/* @n accesses to page @p: increments, unless it is in the read-only range. */
static inline void tlbt_visit_arena(struct tlbt_worker *wk,
				    volatile uint64_t *pg, size_t p,
				    unsigned int n)
{
	struct tlbt_workers *ws = wk->ws;
	volatile uint64_t *slot = pg + tlbt_ar_slot(wk->idx, p);
	uint64_t *last = &wk->last[p], *done = &wk->done[p];
	unsigned int k;

	if (p - ws->ro_first < ws->ro_pages) {
		for (k = 0; k < n; k++)
			tlbt_access_check(wk, pg, p);
		__atomic_store_n(&wk->ro_visits, wk->ro_visits + 1,
				 __ATOMIC_RELAXED);
		return;
	}
	for (k = 0; k < n; k++) {
		tlbt_access_increment(wk, slot, last, done);
		tlbt_access_check(wk, pg, p);
	}
}

/* @n accesses in a row to page @p at @pg. */
static inline void tlbt_visit(struct tlbt_worker *wk, enum tlbt_mode mode,
			      volatile uint64_t *pg, size_t p, unsigned int n)
{
	volatile uint64_t *slot = pg + wk->idx;
	uint64_t *last = &wk->last[p], *done = &wk->done[p];
	unsigned int k;

	switch (mode) {
	case TLBT_INCREMENT:
		for (k = 0; k < n; k++)
			tlbt_access_increment(wk, slot, last, done);
		break;
	case TLBT_ARENA:
		tlbt_visit_arena(wk, pg, p, n);
		break;
	case TLBT_KP_INCREMENT:
		for (k = 0; k < n; k++)
			tlbt_access_counted(wk, pg, p);
		break;
	case TLBT_KP_READ:
		for (k = 0; k < n; k++)
			tlbt_access_read(wk, pg, p);
		break;
	case TLBT_KP_READ_STRICT:
		for (k = 0; k < n; k++)
			tlbt_access_strict(wk, pg, p);
		break;
	}
}

static uint64_t tlbt_rand_state;
static bool tlbt_rand_seeded;

void tlbt_rand_seed(uint64_t seed)
{
	tlbt_rand_state = seed;
	tlbt_rand_seeded = true;
}

uint64_t tlbt_rand(void)
{
	return tlbt_rand_next(&tlbt_rand_state);
}

/* The page a worker's next pass starts at. */
static size_t tlbt_pass_first(struct tlbt_worker *wk, size_t pages)
{
	return wk->rng && pages ? tlbt_rand_next(&wk->rng) % pages : 0;
}

static void *tlbt_worker_main(void *arg)
{
	struct tlbt_worker *wk = arg;
	struct tlbt_workers *ws = wk->ws;
	struct tlbt_region *rg = ws->rg;
	const enum tlbt_mode mode = ws->mode;
	const bool counts = tlbt_mode_counts(mode);
	const size_t pages = ws->pages;
	volatile size_t resume = 0;	/* the visit to retry after a fault */
	volatile size_t first;		/* the page this pass began at */
	volatile int started = 0;
	unsigned int dwell;
	sigjmp_buf jb;
	size_t k, p;

	wk->err = tlbt_pin(wk->cpu);
	if (wk->err) {
		__atomic_add_fetch(&ws->ready, 1, __ATOMIC_RELEASE);
		return NULL;
	}
	if (sigsetjmp(jb, 0)) {
		/* Faulted: let the mover publish the new base. */
		wk->faults++;
		sched_yield();
	}
	tlbt_fault_jmp_set(&jb);

	if (!started) {
		first = tlbt_pass_first(wk, pages);
		for (p = resume; counts && p < pages; p++) {
			volatile uint64_t *b = __atomic_load_n(&rg->base,
							       __ATOMIC_ACQUIRE);

			resume = p;
			wk->init[p] = b[p * TLBT_SLOTS_PER_PAGE +
					tlbt_own_slot(mode, wk->idx, p)];
			wk->last[p] = wk->init[p];
		}
		resume = 0;
		started = 1;
		__atomic_add_fetch(&ws->ready, 1, __ATOMIC_RELEASE);
	}

	while (!__atomic_load_n(&ws->stop, __ATOMIC_ACQUIRE)) {
		dwell = tlbt_dwell(tlbt_dwell_max[mode]);
		for (k = resume; k < pages; k++) {
			volatile uint64_t *b = __atomic_load_n(&rg->base,
							       __ATOMIC_ACQUIRE);

			if (__atomic_load_n(&ws->stop, __ATOMIC_RELAXED))
				break;
			resume = k;
			p = first + k < pages ? first + k : first + k - pages;
			tlbt_visit(wk, mode, b + p * TLBT_SLOTS_PER_PAGE, p, dwell);
			__atomic_store_n(&wk->visits, wk->visits + 1,
					 __ATOMIC_RELAXED);
		}
		resume = 0;
		if (counts)
			__atomic_store_n(&wk->increments,
					 wk->increments + k * dwell,
					 __ATOMIC_RELAXED);
		__atomic_store_n(&wk->passes, wk->passes + 1, __ATOMIC_RELAXED);
		first = tlbt_pass_first(wk, pages);
	}
	tlbt_fault_jmp_set(NULL);
	return NULL;
}

static void tlbt_workers_join(struct tlbt_workers *ws, unsigned int started)
{
	unsigned int i;

	if (__atomic_exchange_n(&ws->stop, 1, __ATOMIC_ACQ_REL))
		return;
	for (i = 0; i < started; i++)
		pthread_join(ws->w[i].thread, NULL);
}

static void tlbt_workers_free(struct tlbt_workers *ws)
{
	unsigned int i;

	if (ws->saved_cpus) {
		tlbt_set_cpus(ws->saved_cpus, ws->nr_saved);
		free(ws->saved_cpus);
		ws->saved_cpus = NULL;
	}
	for (i = 0; ws->w && i < ws->nr; i++) {
		free(ws->w[i].init);
		free(ws->w[i].last);
		free(ws->w[i].done);
	}
	free(ws->w);
	ws->w = NULL;
	ws->nr = 0;
}

/* One worker per CPU of @cpus but the issuer's, up to the mode's slots. */
static int tlbt_workers_alloc(struct tlbt_workers *ws, const int *cpus,
			      int nr)
{
	unsigned int max = ws->mode == TLBT_INCREMENT ? TLBT_MAX_WORKERS :
			   ws->mode == TLBT_ARENA ? TLBT_AR_COUNTERS :
			   TLBT_KP_COUNTERS;
	size_t pages = ws->pages ? ws->pages : 1;
	int i;

	ws->w = calloc(nr > 0 ? nr : 1, sizeof(*ws->w));
	if (!ws->w)
		return -ENOMEM;
	for (i = 0; i < nr && ws->nr < max; i++) {
		struct tlbt_worker *wk = &ws->w[ws->nr];

		if (cpus[i] == ws->issuer_cpu)
			continue;
		wk->ws = ws;
		wk->idx = ws->nr++;
		wk->cpu = cpus[i];
		wk->init = calloc(pages, sizeof(uint64_t));
		wk->last = calloc(pages, sizeof(uint64_t));
		wk->done = calloc(pages, sizeof(uint64_t));
		if (!wk->init || !wk->last || !wk->done)
			return -ENOMEM;
	}
	return 0;
}

/*
 * TLBT_ARENA: write the layout for @ws->nr workers, before they start:
 * tags, and guards 0. A word already right is left alone, so a page
 * already laid out is not dirtied again.
 */
static void tlbt_ar_layout(struct tlbt_workers *ws)
{
	volatile uint64_t *b = ws->rg->base;
	size_t p, s;

	for (p = 0; p < ws->pages; p++, b += TLBT_SLOTS_PER_PAGE) {
		for (s = 0; s < TLBT_AR_COUNTERS; s++)
			if (!tlbt_ar_owned(s, p, ws->nr) && b[s])
				b[s] = 0;
		for (; s < TLBT_SLOTS_PER_PAGE; s++)
			if (b[s] != tlbt_ar_tag(p, s))
				b[s] = tlbt_ar_tag(p, s);
	}
}

/* TLBT_ARENA at the end: guards and tags that changed, in words. */
static unsigned long long tlbt_ar_guard_hits(struct tlbt_workers *ws,
					     size_t pages)
{
	volatile uint64_t *b = ws->rg->base;
	unsigned long long n = 0;
	size_t p, s;

	for (p = 0; p < pages; p++, b += TLBT_SLOTS_PER_PAGE) {
		for (s = 0; s < TLBT_AR_COUNTERS; s++)
			n += !tlbt_ar_owned(s, p, ws->nr) && b[s];
		for (; s < TLBT_SLOTS_PER_PAGE; s++)
			n += b[s] != tlbt_ar_tag(p, s);
	}
	return n;
}

/*
 * Ready is not running: on 2 vCPUs under TCG a worker once made no visit
 * at all before a millisecond's command had ended, and its test failed
 * for want of reads. Wait for each worker's first visit, 2 s at most: a
 * worker that still made none is then the race checks' to judge.
 */
static void tlbt_workers_first_visits(struct tlbt_workers *ws)
{
	struct timespec t0, t;
	unsigned int i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < ws->nr; i++) {
		while (!__atomic_load_n(&ws->w[i].visits, __ATOMIC_RELAXED)) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if (t.tv_sec - t0.tv_sec > 2)
				return;
			sched_yield();
		}
	}
}

/**
 * tlbt_workers_start_region - pin the caller and start the workers
 * @ws: state, owned by the caller until tlbt_workers_stop()
 * @rg: what they access; a caller that moves it publishes @rg->base
 * @mode: how they access it, and what they count as corruption
 * @cpus: one worker on each (the issuer's excepted); NULL: every CPU the
 *	caller may run on
 * @nr: how many @cpus
 * @issuer_cpu: CPU for the calling thread; < 0 for the first it may use
 *
 * At most one worker per slot it may own: TLBT_MAX_WORKERS, or
 * TLBT_KP_COUNTERS in the kernel-path modes. Returns once every worker
 * has recorded its slots' starting values, so the next operation races
 * with running workers. Call tlbt_workers_stop() from the same thread:
 * it restores that thread's affinity.
 */
int tlbt_workers_start_region(struct tlbt_workers *ws, struct tlbt_region *rg,
			      enum tlbt_mode mode, const int *cpus, int nr,
			      int issuer_cpu)
{
	unsigned int i, started;
	int n, ret;

	ws->rg = rg;
	ws->mode = mode;
	ws->pages = rg->pages;
	if (mode != TLBT_ARENA)
		ws->ro_first = ws->ro_pages = 0;
	ws->nr = 0;
	ws->stop = 0;
	ws->ready = 0;
	ws->w = NULL;
	ws->nr_saved = 0;

	n = tlbt_cpus(NULL, 0);
	if (n < 0)
		return n;
	ws->saved_cpus = calloc(n ? n : 1, sizeof(int));
	if (!ws->saved_cpus)
		return -ENOMEM;
	ret = tlbt_cpus(ws->saved_cpus, n);
	if (ret < 1) {
		free(ws->saved_cpus);
		ws->saved_cpus = NULL;
		return ret < 0 ? ret : -EINVAL;
	}
	ws->nr_saved = ret;

	if (issuer_cpu < 0)
		issuer_cpu = ws->saved_cpus[0];
	for (n = 0; n < ws->nr_saved && ws->saved_cpus[n] != issuer_cpu; n++)
		;
	ret = n < ws->nr_saved ? tlbt_pin(issuer_cpu) : -EINVAL;
	if (ret)
		goto err_free;
	ws->issuer_cpu = issuer_cpu;
	if (!cpus) {
		cpus = ws->saved_cpus;
		nr = ws->nr_saved;
	}
	ret = tlbt_workers_alloc(ws, cpus, nr);
	if (ret)
		goto err_free;
	if (mode == TLBT_ARENA)
		tlbt_ar_layout(ws);

	for (i = 0; i < ws->nr; i++)
		ws->w[i].rng = tlbt_rand_seeded ? tlbt_rand() | 1 : 0;
	tlbt_fault_handler_install();
	for (started = 0; started < ws->nr; started++) {
		ret = -pthread_create(&ws->w[started].thread, NULL,
				      tlbt_worker_main, &ws->w[started]);
		if (ret)
			break;
	}
	while (__atomic_load_n(&ws->ready, __ATOMIC_ACQUIRE) < (int)started)
		sched_yield();
	for (i = 0; !ret && i < started; i++)
		ret = ws->w[i].err;
	if (!ret) {
		tlbt_workers_first_visits(ws);
		return 0;
	}
	tlbt_workers_join(ws, started);
err_free:
	tlbt_workers_free(ws);
	return ret;
}

/* Workers on arena pages [@base, @base + @pages pages) that never move. */
int tlbt_workers_start(struct tlbt_workers *ws, volatile uint64_t *base,
		       size_t pages, int issuer_cpu)
{
	ws->own.base = base;
	ws->own.pages = pages;
	ws->own.epoch = 0;
	return tlbt_workers_start_region(ws, &ws->own, TLBT_INCREMENT, NULL,
					 0, issuer_cpu);
}

/*
 * The same, in the checked arena layout (TLBT_ARENA), which it writes
 * first: pages [@ro_first, @ro_first + @ro_pages) of the range are only
 * read. At most TLBT_AR_COUNTERS workers.
 */
int tlbt_workers_start_arena(struct tlbt_workers *ws, volatile uint64_t *base,
			     size_t pages, size_t ro_first, size_t ro_pages,
			     int issuer_cpu)
{
	if (ro_first > pages || ro_pages > pages - ro_first)
		return -EINVAL;
	ws->own.base = base;
	ws->own.pages = pages;
	ws->own.epoch = 0;
	ws->ro_first = ro_first;
	ws->ro_pages = ro_pages;
	return tlbt_workers_start_region(ws, &ws->own, TLBT_ARENA, NULL, 0,
					 issuer_cpu);
}

static unsigned long long tlbt_workers_sum(struct tlbt_workers *ws,
					   size_t off)
{
	unsigned long long sum = 0;
	unsigned int i;

	for (i = 0; i < ws->nr; i++)
		sum += __atomic_load_n((unsigned long long *)((char *)&ws->w[i] +
							      off),
				       __ATOMIC_RELAXED);
	return sum;
}

/* Increments so far, roughly (whole passes); for progress reports only. */
unsigned long long tlbt_workers_progress(struct tlbt_workers *ws)
{
	return tlbt_workers_sum(ws, offsetof(struct tlbt_worker, increments));
}

unsigned long long tlbt_workers_visits(struct tlbt_workers *ws)
{
	return tlbt_workers_sum(ws, offsetof(struct tlbt_worker, visits));
}

unsigned long long tlbt_workers_ro_visits(struct tlbt_workers *ws)
{
	return tlbt_workers_sum(ws, offsetof(struct tlbt_worker, ro_visits));
}

unsigned long long tlbt_workers_bad(struct tlbt_workers *ws)
{
	return tlbt_workers_sum(ws, offsetof(struct tlbt_worker, bad_reads));
}

/* Stop and join the workers; tlbt_workers_stop() then only judges. */
void tlbt_workers_halt(struct tlbt_workers *ws)
{
	tlbt_workers_join(ws, ws->nr);
}

/**
 * tlbt_workers_stop - stop the workers and judge what is in memory
 * @ws: started by tlbt_workers_start_region() or tlbt_workers_start()
 * @o: the verdict
 *
 * In the counting modes each worker's slot must hold its starting value
 * plus exactly the increments it counted, read at @ws->rg->base, which
 * must still be mapped. Less is a lost write; more is a write nobody
 * made (poison, or another page's data). In TLBT_ARENA every guard must
 * still be 0 and every tag its own.
 */
int tlbt_workers_stop(struct tlbt_workers *ws, struct tlbt_oracle *o)
{
	size_t pages = ws->pages < ws->rg->pages ? ws->pages : ws->rg->pages;
	volatile uint64_t *base;
	unsigned int i;
	size_t p;
	int ret = 0;

	memset(o, 0, sizeof(*o));
	tlbt_workers_halt(ws);
	if (!tlbt_mode_counts(ws->mode))
		pages = 0;
	base = ws->rg->base;
	o->workers = ws->nr;
	for (i = 0; i < ws->nr; i++) {
		struct tlbt_worker *wk = &ws->w[i];

		if (wk->err && !ret)
			ret = wk->err;
		o->stale_reads += wk->stale_reads;
		o->foreign_reads += wk->foreign_reads;
		o->reads += wk->reads;
		o->poison_reads += wk->poison_reads;
		o->foreign_words += wk->foreign_words;
		o->ro_visits += wk->ro_visits;
		o->faults += wk->faults;
		o->passes += wk->passes;
		if (wk->bad_reads && !o->bad_reads)
			o->first_bad = wk->first_bad;
		o->bad_reads += wk->bad_reads;
		for (p = 0; p < pages; p++) {
			uint64_t mem = base[p * TLBT_SLOTS_PER_PAGE +
					    tlbt_own_slot(ws->mode, wk->idx, p)];
			uint64_t want = wk->init[p] + wk->done[p];

			o->increments += wk->done[p];
			if (mem < want)
				o->lost_increments += want - mem;
			else
				o->foreign += mem - want;
		}
	}
	if (ws->mode == TLBT_ARENA)
		o->guard_hits = tlbt_ar_guard_hits(ws, pages);
	/* tlbt_workers_start()'s region never moves: a fault there is a bug */
	if (!ret && o->faults && ws->rg == &ws->own)
		ret = -EFAULT;
	tlbt_workers_free(ws);
	return ret;
}

unsigned long long tlbt_oracle_corruption(const struct tlbt_oracle *o)
{
	return o->lost_increments + o->foreign + o->stale_reads +
	       o->foreign_reads + o->bad_reads + o->poison_reads +
	       o->foreign_words + o->guard_hits;
}
