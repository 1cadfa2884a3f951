// SPDX-License-Identifier: GPL-2.0
/*
 * libkpath: system probes, fault-tolerant workers, tlb:tlb_flush counting
 * and the mmu_notifier recorder. Functions return 0 or a negative errno
 * and print nothing; callers decide what a failure means.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "libkpath.h"
#include "libtlbt.h"

#define TLBT_KP_TRACEFS		"/sys/kernel/tracing"
#define TLBT_KP_TRACEFS_OLD	"/sys/kernel/debug/tracing"
#define TLBT_KP_NOTIFIER_MAX	(1 << 20)

/* ---- small file helpers ---- */

static int tlbt_kp_write_str(const char *path, const char *s, int flags)
{
	ssize_t n, len = strlen(s);
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	return n == len ? 0 : -EIO;
}

/* Parse a sysfs list such as "0-1,3" into @ids; returns how many. */
static int tlbt_kp_parse_list(const char *s, int *ids, int max)
{
	int nr = 0;

	while (*s && *s != '\n') {
		char *end;
		long a, b;

		a = strtol(s, &end, 10);
		if (end == s)
			return -EINVAL;
		b = a;
		s = end;
		if (*s == '-') {
			b = strtol(s + 1, &end, 10);
			if (end == s + 1 || b < a)
				return -EINVAL;
			s = end;
		}
		for (; a <= b; a++) {
			if (nr < max)
				ids[nr] = a;
			nr++;
		}
		if (*s == ',')
			s++;
	}
	return nr < max ? nr : max;
}

/* ---- the system ---- */

/* The CPUs this thread may run on, ascending. */
int tlbt_kp_cpus(int *cpus, int max)
{
	cpu_set_t *set;
	size_t size;
	int cpu, nr = 0;

	set = CPU_ALLOC(TLBT_KP_MAX_CPUS);
	if (!set)
		return -ENOMEM;
	size = CPU_ALLOC_SIZE(TLBT_KP_MAX_CPUS);
	if (sched_getaffinity(0, size, set)) {
		nr = -errno;
		CPU_FREE(set);
		return nr;
	}
	for (cpu = 0; cpu < TLBT_KP_MAX_CPUS && nr < max; cpu++)
		if (CPU_ISSET_S(cpu, size, set))
			cpus[nr++] = cpu;
	CPU_FREE(set);
	return nr;
}

/* Nodes that have memory, i.e. that move_pages() can move pages to. */
int tlbt_kp_nodes(int *nodes, int max)
{
	char buf[256];

	if (tlbt_read_file("/sys/devices/system/node/has_memory", buf,
			      sizeof(buf)) &&
	    tlbt_read_file("/sys/devices/system/node/online", buf,
			      sizeof(buf)))
		return 1;	/* no NUMA in this kernel: one node */
	return tlbt_kp_parse_list(buf, nodes, max);
}

int tlbt_kp_cpu_node(int cpu)
{
	char path[96], buf[256];
	int nodes[64], i, nr;

	nr = tlbt_kp_nodes(nodes, 64);
	for (i = 0; i < nr; i++) {
		int cpus[TLBT_KP_MAX_CPUS], n, j;

		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%d/cpulist", nodes[i]);
		if (tlbt_read_file(path, buf, sizeof(buf)))
			continue;
		n = tlbt_kp_parse_list(buf, cpus, TLBT_KP_MAX_CPUS);
		for (j = 0; j < n; j++)
			if (cpus[j] == cpu)
				return nodes[i];
	}
	return -ENOENT;
}

bool tlbt_kp_have_swap(void)
{
	char buf[4096];
	char *line;

	if (tlbt_read_file("/proc/swaps", buf, sizeof(buf)))
		return false;
	line = strchr(buf, '\n');	/* past the header */
	return line && line[1] != '\0';
}

/* THP is not "never" (the tests madvise, so "madvise" is enough). */
bool tlbt_kp_thp_possible(void)
{
	char buf[128];

	if (tlbt_read_file("/sys/kernel/mm/transparent_hugepage/enabled",
			      buf, sizeof(buf)))
		return false;
	return !strstr(buf, "[never]");
}

bool tlbt_kp_kernel_before(int major, int minor)
{
	struct utsname u;
	int a = 0, b = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &a, &b) != 2)
		return false;
	return a < major || (a == major && b < minor);
}

int tlbt_kp_pin(int cpu)
{
	cpu_set_t *set = CPU_ALLOC(TLBT_KP_MAX_CPUS);
	size_t size = CPU_ALLOC_SIZE(TLBT_KP_MAX_CPUS);
	int ret;

	if (!set)
		return -ENOMEM;
	CPU_ZERO_S(size, set);
	CPU_SET_S(cpu, size, set);
	ret = -pthread_setaffinity_np(pthread_self(), size, set);
	CPU_FREE(set);
	return ret;
}

/* Back to every CPU; the harness runs each test in a fresh child anyway. */
int tlbt_kp_unpin(void)
{
	cpu_set_t *set = CPU_ALLOC(TLBT_KP_MAX_CPUS);
	size_t size = CPU_ALLOC_SIZE(TLBT_KP_MAX_CPUS);
	long n = sysconf(_SC_NPROCESSORS_CONF);
	int ret;

	if (!set)
		return -ENOMEM;
	CPU_ZERO_S(size, set);
	for (long i = 0; i < n && i < TLBT_KP_MAX_CPUS; i++)
		CPU_SET_S(i, size, set);
	ret = -pthread_setaffinity_np(pthread_self(), size, set);
	CPU_FREE(set);
	return ret;
}

int tlbt_kp_vmstat(const char *key, unsigned long long *v)
{
	size_t klen = strlen(key);
	char line[256];
	FILE *f;
	int ret = -ENOENT;

	f = fopen("/proc/vmstat", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ' ') {
			*v = strtoull(line + klen + 1, NULL, 10);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* AnonHugePages of the VMA that holds @addr, in kB; -errno if none. */
long tlbt_kp_anon_huge_kb(const void *addr)
{
	unsigned long a = (unsigned long)addr, lo, hi;
	bool in = false;
	char line[512];
	long kb = -ENOENT;
	FILE *f;

	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			if (in)
				break;
			in = a >= lo && a < hi;
			continue;
		}
		if (in && !strncmp(line, "AnonHugePages:", 14)) {
			kb = strtol(line + 14, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

long tlbt_kp_move_pages(unsigned long count, void **pages, const int *nodes,
			int *status, int flags)
{
	return syscall(SYS_move_pages, 0, count, pages, nodes, status, flags);
}

bool tlbt_kp_module_loaded(void)
{
	return access("/sys/kernel/debug/tlbtorture", F_OK) == 0;
}

int tlbt_kp_pagemap(const void *addr, size_t pages, uint64_t *out)
{
	off_t off = (unsigned long)addr / TLBT_KP_PAGE * sizeof(uint64_t);
	size_t want = pages * sizeof(uint64_t), got = 0;
	ssize_t n;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < want) {
		n = pread(fd, (char *)out + got, want - got, off + got);
		if (n <= 0) {
			n = n < 0 ? -errno : -EIO;
			close(fd);
			return n;
		}
		got += n;
	}
	close(fd);
	return 0;
}

/* ---- patterns ---- */

void tlbt_kp_fill_counted(volatile uint64_t *base, size_t pages)
{
	size_t p, s;

	for (p = 0; p < pages; p++) {
		volatile uint64_t *pg = base + p * TLBT_KP_SLOTS;

		for (s = 0; s < TLBT_KP_COUNTERS; s++)
			pg[s] = 0;
		for (; s < TLBT_KP_SLOTS; s++)
			pg[s] = tlbt_kp_pattern(p, s, 0);
	}
}

void tlbt_kp_fill_read(volatile uint64_t *base, size_t pages, uint64_t gen)
{
	size_t p, s;

	for (p = 0; p < pages; p++)
		for (s = 0; s < TLBT_KP_SLOTS; s++)
			base[p * TLBT_KP_SLOTS + s] = tlbt_kp_pattern(p, s, gen);
}

/* ---- fault recovery ---- */

/*
 * A worker that touches an address a real mremap, munmap or truncate
 * took away gets SIGSEGV or SIGBUS. The faulting load or store did not
 * happen (x86 faults are precise), so the handler jumps back to where
 * the worker reloads the published base and retries. Threads without a
 * jump buffer get the default action, so a real bug still kills.
 */
static __thread void *tlbt_kp_jmp;	/* a sigjmp_buf */

static void tlbt_kp_fault(int sig, siginfo_t *si, void *uc)
{
	struct sigaction sa;

	(void)si;
	(void)uc;
	if (tlbt_kp_jmp)
		siglongjmp(*(sigjmp_buf *)tlbt_kp_jmp, 1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(sig, &sa, NULL);
}

/* Where this thread resumes after a fault; NULL: die of it. */
void tlbt_kp_jmp_set(sigjmp_buf *jb)
{
	tlbt_kp_jmp = jb;
}

void tlbt_kp_fault_handler_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = tlbt_kp_fault;
	/* NODEFER: siglongjmp() leaves the handler without sigreturn. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

/* ---- workers ---- */

static inline void tlbt_kp_barrier(void)
{
	__asm__ __volatile__("" ::: "memory");
}

static void tlbt_kp_note_bad(struct tlbt_kp_worker *wk, uint64_t v)
{
	if (!wk->bad_reads)
		wk->first_bad = v;
	/* published: a scenario may stop at its first detection */
	__atomic_store_n(&wk->bad_reads, wk->bad_reads + 1, __ATOMIC_RELAXED);
}

/* One read-modify-write of the own slot, and one pattern slot read. */
static inline void tlbt_kp_access_counted(struct tlbt_kp_worker *wk,
					  volatile uint64_t *base, size_t p)
{
	volatile uint64_t *pg = base + p * TLBT_KP_SLOTS;
	size_t s = TLBT_KP_COUNTERS + (p + wk->passes) % TLBT_KP_COUNTERS;
	uint64_t pv, v;

	pv = pg[s];
	v = pg[wk->idx];
	/*
	 * A plain load and store, never an atomic: a store through a stale
	 * TLB entry must be free to get lost. The barriers keep the
	 * bookkeeping after the store, so a store that faults (and is
	 * retried) is never counted.
	 */
	tlbt_kp_barrier();
	pg[wk->idx] = v + 1;
	tlbt_kp_barrier();
	wk->reads++;
	if (pv != tlbt_kp_pattern(p, s, 0))
		tlbt_kp_note_bad(wk, pv);
	if (v < wk->last[p])
		wk->stale_reads++;
	else if (v > wk->last[p])
		wk->foreign_reads++;
	wk->last[p] = v + 1;
	wk->done[p]++;
}

/* 64 slots of the page, a different eighth of them on each pass. */
static inline void tlbt_kp_access_read(struct tlbt_kp_worker *wk,
				       volatile uint64_t *base, size_t p)
{
	volatile uint64_t *pg = base + p * TLBT_KP_SLOTS;
	size_t s;

	for (s = wk->passes % 8; s < TLBT_KP_SLOTS; s += 8) {
		uint64_t v = pg[s];

		wk->reads++;
		if (v && !tlbt_kp_pattern_any_gen(v, p, s))
			tlbt_kp_note_bad(wk, v);
	}
}

/*
 * Every slot of the page must hold its pattern: a 0 is a freed frame
 * (init_on_free=1), unless the region's epoch says the scenario was
 * refilling a hole meanwhile.
 */
static inline void tlbt_kp_access_strict(struct tlbt_kp_worker *wk,
					 volatile uint64_t *base, size_t p)
{
	volatile uint64_t *pg = base + p * TLBT_KP_SLOTS;
	struct tlbt_kp_region *rg = wk->ws->rg;
	unsigned int e0 = __atomic_load_n(&rg->epoch, __ATOMIC_ACQUIRE);
	uint64_t bad = 0;
	unsigned int nbad = 0;
	size_t s;

	for (s = wk->passes % 8; s < TLBT_KP_SLOTS; s += 8) {
		uint64_t v = pg[s];

		wk->reads++;
		if (!tlbt_kp_pattern_any_gen(v, p, s) && !nbad++)
			bad = v;
	}
	/* a page being refilled may show zeroes and half-copied words */
	if (nbad && !(e0 & 1) &&
	    __atomic_load_n(&rg->epoch, __ATOMIC_ACQUIRE) == e0)
		tlbt_kp_note_bad(wk, bad);
}

static void tlbt_kp_pause(unsigned long long ns)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000000000ULL + t.tv_nsec -
		 t0.tv_nsec < ns);
}

static void *tlbt_kp_worker_main(void *arg)
{
	struct tlbt_kp_worker *wk = arg;
	struct tlbt_kp_workers *ws = wk->ws;
	struct tlbt_kp_region *rg = ws->rg;
	const size_t pages = rg->pages;
	volatile size_t p = 0;
	volatile int started = 0;
	const unsigned int dwell_max = ws->mode == TLBT_KP_INCREMENT ?
		TLBT_KP_DWELL_INCREMENTS : TLBT_KP_DWELL_READS;
	unsigned int k, dwell;
	sigjmp_buf jb;

	wk->err = tlbt_kp_pin(wk->cpu);
	if (wk->err) {
		__atomic_add_fetch(&ws->ready, 1, __ATOMIC_RELEASE);
		return NULL;
	}
	if (sigsetjmp(jb, 0)) {
		/* Faulted: let the mover publish the new base. */
		wk->faults++;
		sched_yield();
	}
	tlbt_kp_jmp_set(&jb);

	if (!started) {
		for (; ws->mode == TLBT_KP_INCREMENT && p < pages; p++) {
			volatile uint64_t *b = __atomic_load_n(&rg->base,
							       __ATOMIC_ACQUIRE);

			wk->init[p] = b[p * TLBT_KP_SLOTS + wk->idx];
			wk->last[p] = wk->init[p];
		}
		p = 0;
		started = 1;
		__atomic_add_fetch(&ws->ready, 1, __ATOMIC_RELEASE);
	}

	while (!__atomic_load_n(&ws->stop, __ATOMIC_ACQUIRE)) {
		dwell = tlbt_dwell(dwell_max);	/* see libkpath.h */
		for (; p < pages; p++) {
			volatile uint64_t *b = __atomic_load_n(&rg->base,
							       __ATOMIC_ACQUIRE);

			if (__atomic_load_n(&ws->stop, __ATOMIC_RELAXED))
				break;
			for (k = 0; k < dwell; k++) {
				if (ws->mode == TLBT_KP_INCREMENT)
					tlbt_kp_access_counted(wk, b, p);
				else if (ws->mode == TLBT_KP_READ_STRICT)
					tlbt_kp_access_strict(wk, b, p);
				else
					tlbt_kp_access_read(wk, b, p);
			}
			__atomic_store_n(&wk->visits, wk->visits + 1,
					 __ATOMIC_RELAXED);
		}
		p = 0;
		__atomic_store_n(&wk->passes, wk->passes + 1, __ATOMIC_RELAXED);
		if (ws->pause_ns)
			tlbt_kp_pause(ws->pause_ns);
	}
	tlbt_kp_jmp_set(NULL);
	return NULL;
}

static void tlbt_kp_workers_free(struct tlbt_kp_workers *ws)
{
	unsigned int i;

	for (i = 0; ws->w && i < ws->nr; i++) {
		free(ws->w[i].init);
		free(ws->w[i].last);
		free(ws->w[i].done);
	}
	free(ws->w);
	ws->w = NULL;
	ws->nr = 0;
}

/**
 * tlbt_kp_workers_start - one worker pinned to each of @cpus
 * @ws: state, the caller's until tlbt_kp_workers_stop()
 * @rg: the region; workers reload @rg->base before every page
 * @mode: increments or reads
 * @cpus: CPUs, one worker each (at most TLBT_KP_COUNTERS)
 * @nr: how many
 *
 * Returns once every worker has recorded its slots' starting values.
 */
int tlbt_kp_workers_start(struct tlbt_kp_workers *ws, struct tlbt_kp_region *rg,
			  enum tlbt_kp_mode mode, const int *cpus, int nr)
{
	unsigned int i, started;
	size_t pages = rg->pages ? rg->pages : 1;
	int ret = 0;

	memset(ws, 0, sizeof(*ws));
	ws->rg = rg;
	ws->mode = mode;
	if (nr < 1)
		return -EINVAL;
	if (nr > TLBT_KP_COUNTERS)
		nr = TLBT_KP_COUNTERS;
	tlbt_kp_fault_handler_install();
	ws->w = calloc(nr, sizeof(*ws->w));
	if (!ws->w)
		return -ENOMEM;
	ws->nr = nr;
	for (i = 0; i < ws->nr; i++) {
		struct tlbt_kp_worker *wk = &ws->w[i];

		wk->ws = ws;
		wk->idx = i;
		wk->cpu = cpus[i];
		wk->init = calloc(pages, sizeof(uint64_t));
		wk->last = calloc(pages, sizeof(uint64_t));
		wk->done = calloc(pages, sizeof(uint64_t));
		if (!wk->init || !wk->last || !wk->done) {
			tlbt_kp_workers_free(ws);
			return -ENOMEM;
		}
	}
	for (started = 0; started < ws->nr; started++) {
		ret = -pthread_create(&ws->w[started].thread, NULL,
				      tlbt_kp_worker_main, &ws->w[started]);
		if (ret)
			break;
	}
	while (__atomic_load_n(&ws->ready, __ATOMIC_ACQUIRE) < (int)started)
		sched_yield();
	for (i = 0; !ret && i < started; i++)
		ret = ws->w[i].err;
	if (ret) {
		__atomic_store_n(&ws->stop, 1, __ATOMIC_RELEASE);
		for (i = 0; i < started; i++)
			pthread_join(ws->w[i].thread, NULL);
		tlbt_kp_workers_free(ws);
	}
	return ret;
}

/* Whole passes so far, summed over the workers; for progress only. */
unsigned long long tlbt_kp_workers_passes(struct tlbt_kp_workers *ws)
{
	unsigned long long sum = 0;
	unsigned int i;

	for (i = 0; i < ws->nr; i++)
		sum += __atomic_load_n(&ws->w[i].passes, __ATOMIC_RELAXED);
	return sum;
}

unsigned long long tlbt_kp_workers_visits(struct tlbt_kp_workers *ws)
{
	unsigned long long sum = 0;
	unsigned int i;

	for (i = 0; i < ws->nr; i++)
		sum += __atomic_load_n(&ws->w[i].visits, __ATOMIC_RELAXED);
	return sum;
}

unsigned long long tlbt_kp_workers_bad(struct tlbt_kp_workers *ws)
{
	unsigned long long sum = 0;
	unsigned int i;

	for (i = 0; i < ws->nr; i++)
		sum += __atomic_load_n(&ws->w[i].bad_reads, __ATOMIC_RELAXED);
	return sum;
}

void tlbt_kp_workers_halt(struct tlbt_kp_workers *ws)
{
	unsigned int i;

	if (__atomic_exchange_n(&ws->stop, 1, __ATOMIC_ACQ_REL))
		return;
	for (i = 0; i < ws->nr; i++)
		pthread_join(ws->w[i].thread, NULL);
}

/**
 * tlbt_kp_workers_stop - stop the workers and judge memory
 * @ws: started by tlbt_kp_workers_start()
 * @o: the verdict
 *
 * Each counter slot must hold its starting value plus exactly what its
 * worker counted, read at @ws->rg->base, which must be mapped.
 */
int tlbt_kp_workers_stop(struct tlbt_kp_workers *ws, struct tlbt_kp_oracle *o)
{
	volatile uint64_t *base;
	unsigned int i;
	size_t p;
	int ret = 0;

	memset(o, 0, sizeof(*o));
	tlbt_kp_workers_halt(ws);
	base = ws->rg->base;
	o->workers = ws->nr;
	for (i = 0; i < ws->nr; i++) {
		struct tlbt_kp_worker *wk = &ws->w[i];

		if (wk->err && !ret)
			ret = wk->err;
		o->stale_reads += wk->stale_reads;
		o->foreign_reads += wk->foreign_reads;
		o->reads += wk->reads;
		o->faults += wk->faults;
		o->passes += wk->passes;
		if (wk->bad_reads && !o->bad_reads)
			o->first_bad = wk->first_bad;
		o->bad_reads += wk->bad_reads;
		for (p = 0; ws->mode == TLBT_KP_INCREMENT && p < ws->rg->pages;
		     p++) {
			uint64_t mem = base[p * TLBT_KP_SLOTS + wk->idx];
			uint64_t want = wk->init[p] + wk->done[p];

			o->increments += wk->done[p];
			if (mem < want)
				o->lost_increments += want - mem;
			else
				o->foreign += mem - want;
		}
	}
	tlbt_kp_workers_free(ws);
	return ret;
}

unsigned long long tlbt_kp_corruption(const struct tlbt_kp_oracle *o)
{
	return o->lost_increments + o->foreign + o->stale_reads +
	       o->foreign_reads + o->bad_reads;
}

/* ---- spinners ---- */

static void *tlbt_kp_spinner_main(void *arg)
{
	struct tlbt_kp_spinner *s = arg;

	tlbt_kp_pin(s->cpu);
	__atomic_add_fetch(&s->sp->ready, 1, __ATOMIC_RELEASE);
	/* Stay in user space with this mm loaded: every flush must IPI. */
	while (!__atomic_load_n(&s->sp->stop, __ATOMIC_ACQUIRE))
		;
	return NULL;
}

int tlbt_kp_spinners_start(struct tlbt_kp_spinners *sp, const int *cpus,
			   int nr)
{
	int i, ret = 0;

	sp->nr = 0;
	sp->stop = 0;
	sp->ready = 0;
	if (nr > TLBT_KP_MAX_CPUS)
		nr = TLBT_KP_MAX_CPUS;
	for (i = 0; i < nr; i++) {
		sp->s[i].sp = sp;
		sp->s[i].cpu = cpus[i];
		ret = -pthread_create(&sp->s[i].thread, NULL,
				      tlbt_kp_spinner_main, &sp->s[i]);
		if (ret)
			break;
		sp->nr++;
	}
	while (__atomic_load_n(&sp->ready, __ATOMIC_ACQUIRE) < sp->nr)
		sched_yield();
	if (ret)
		tlbt_kp_spinners_stop(sp);
	return ret;
}

void tlbt_kp_spinners_stop(struct tlbt_kp_spinners *sp)
{
	int i;

	__atomic_store_n(&sp->stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < sp->nr; i++)
		pthread_join(sp->s[i].thread, NULL);
	sp->nr = 0;
}

/* ---- tlb:tlb_flush ---- */

/* The 6.1 strings of enum tlb_flush_reason, in its order. */
static const char *const tlbt_kp_reasons[TLBT_KP_NR_REASONS] = {
	"flush on task switch",
	"remote shootdown",
	"local shootdown",
	"local mm shootdown",
	"remote ipi send",
};

const char *tlbt_kp_reason_name(int reason)
{
	if (reason < 0 || reason >= TLBT_KP_NR_REASONS)
		return "?";
	return tlbt_kp_reasons[reason];
}

/*
 * One line of the trace:
 *   "   COMM-PID   [CPU] FLAGS TS: tlb_flush: pages:%ld reason:%s (%d)"
 * Returns 0, the reason index and the thread id for a tlb_flush line,
 * -ENOENT for any other line. The reason string decides; its number is
 * the fallback for a kernel that renamed a reason but kept the enum.
 */
int tlbt_kp_flush_parse(const char *line, int *reason, long *pages,
			pid_t *pid)
{
	const char *p = strstr(line, "tlb_flush: pages:");
	const char *q = strchr(line, '[');
	char *end;
	int i;

	if (!p)
		return -ENOENT;
	/* the digits right before the CPU field, after the last '-' */
	*pid = -1;
	if (q && q < p) {
		while (q > line && q[-1] == ' ')
			q--;
		while (q > line && isdigit((unsigned char)q[-1]))
			q--;
		if (q > line && q[-1] == '-')
			*pid = atoi(q);
	}
	p += strlen("tlb_flush: pages:");
	*pages = strtol(p, &end, 10);
	p = strstr(end, "reason:");
	if (!p)
		return -EPROTO;
	p += strlen("reason:");
	for (i = 0; i < TLBT_KP_NR_REASONS; i++) {
		size_t n = strlen(tlbt_kp_reasons[i]);

		if (!strncmp(p, tlbt_kp_reasons[i], n) &&
		    (p[n] == ' ' || p[n] == '\n' || p[n] == '\0')) {
			*reason = i;
			return 0;
		}
	}
	p = strrchr(p, '(');
	if (p && sscanf(p, "(%d)", reason) == 1 && *reason >= 0 &&
	    *reason < TLBT_KP_NR_REASONS)
		return 0;
	return -EPROTO;
}

static int tlbt_kp_trace_write(struct tlbt_kp_trace *t, const char *file,
			       const char *val, int flags)
{
	char path[320];

	snprintf(path, sizeof(path), "%s/%s", t->dir, file);
	return tlbt_kp_write_str(path, val, flags);
}

/* Instances left by a process that died mid-test (a timeout, a crash). */
static void tlbt_kp_trace_sweep(const char *instances)
{
	char path[320 + sizeof(((struct dirent *)0)->d_name)];
	struct dirent *de;
	DIR *d = opendir(instances);
	int pid, n;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (sscanf(de->d_name, "tlbt_kpath_%d_%d", &pid, &n) != 2 ||
		    pid <= 0 || !kill(pid, 0) || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", instances, de->d_name);
		rmdir(path);
	}
	closedir(d);
}

/*
 * A private instance (instances/tlbt_kpath_PID_N): its own buffer and
 * event switches, so nothing else's tracing is disturbed and nothing
 * else's events get in.
 */
int tlbt_kp_trace_open(struct tlbt_kp_trace *t)
{
	static int seq;
	const char *root = TLBT_KP_TRACEFS;
	char path[320];
	int ret;

	t->ok = false;
	snprintf(path, sizeof(path), "%s/instances", root);
	if (access(path, F_OK)) {
		root = TLBT_KP_TRACEFS_OLD;
		snprintf(path, sizeof(path), "%s/instances", root);
		if (access(path, F_OK))
			return -ENOENT;
	}
	tlbt_kp_trace_sweep(path);
	snprintf(t->dir, sizeof(t->dir), "%s/instances/tlbt_kpath_%d_%d",
		 root, (int)getpid(), seq++);
	if (mkdir(t->dir, 0755) && errno != EEXIST)
		return -errno;
	t->ok = true;
	ret = tlbt_kp_trace_write(t, "tracing_on", "0", O_TRUNC);
	if (!ret)
		ret = tlbt_kp_trace_write(t, "events/tlb/tlb_flush/enable",
					  "1", O_TRUNC);
	if (ret) {
		tlbt_kp_trace_close(t);
		return ret;
	}
	return 0;
}

/*
 * Trace only this process: set_event_pid gets every thread that exists
 * now, so start workers and spinners first. A remote shootdown is
 * traced in the IPI handler, in the context of the thread it
 * interrupted, which is ours whenever our mm is loaded there.
 */
int tlbt_kp_trace_start(struct tlbt_kp_trace *t)
{
	char path[320], pid[32];
	struct dirent *de;
	DIR *d;
	int fd, ret = 0;

	if (!t->ok)
		return -EBADF;
	t->issuer = gettid();
	snprintf(path, sizeof(path), "%s/set_event_pid", t->dir);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = opendir("/proc/self/task");
	if (!d) {
		ret = -errno;
		close(fd);
		return ret;
	}
	while ((de = readdir(d))) {
		int n;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		n = snprintf(pid, sizeof(pid), "%s ", de->d_name);
		if (write(fd, pid, n) != n) {
			ret = -errno;
			break;
		}
	}
	closedir(d);
	close(fd);
	if (!ret)
		ret = tlbt_kp_trace_write(t, "trace", "", O_TRUNC);
	if (!ret)
		ret = tlbt_kp_trace_write(t, "tracing_on", "1", O_TRUNC);
	return ret;
}

int tlbt_kp_trace_stop(struct tlbt_kp_trace *t, struct tlbt_kp_flushes *f)
{
	unsigned long long in_buf, written;
	char path[320], *line = NULL;
	size_t cap = 0;
	FILE *in;
	int ret;

	memset(f, 0, sizeof(*f));
	if (!t->ok)
		return -EBADF;
	ret = tlbt_kp_trace_write(t, "tracing_on", "0", O_TRUNC);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/trace", t->dir);
	in = fopen(path, "re");
	if (!in)
		return -errno;
	while (getline(&line, &cap, in) > 0) {
		int reason;
		long pages;
		pid_t pid;

		if (line[0] == '#') {
			if (sscanf(line, "# entries-in-buffer/entries-written: %llu/%llu",
				   &in_buf, &written) == 2 && written > in_buf)
				f->lost = written - in_buf;
			continue;
		}
		if (tlbt_kp_flush_parse(line, &reason, &pages, &pid))
			continue;
		f->n[reason]++;
		if (pid == t->issuer)
			f->issuer[reason]++;
		if (reason == TLBT_KP_REMOTE_SEND_IPI && pid == t->issuer) {
			if (pages < 0)
				f->ipi_full++;
			else
				f->ipi_pages += pages;
		}
	}
	free(line);
	fclose(in);
	f->valid = true;
	return 0;
}

/* How many of this process's instances exist: 0 after every close. */
int tlbt_kp_trace_leftovers(void)
{
	static const char * const roots[] = {
		TLBT_KP_TRACEFS "/instances", TLBT_KP_TRACEFS_OLD "/instances",
	};
	char prefix[48];
	struct dirent *de;
	unsigned int i;
	int n = 0;

	snprintf(prefix, sizeof(prefix), "tlbt_kpath_%d_", (int)getpid());
	for (i = 0; i < ARRAY_SIZE(roots); i++) {
		DIR *d = opendir(roots[i]);

		if (!d)
			continue;
		while ((de = readdir(d)))
			n += !strncmp(de->d_name, prefix, strlen(prefix));
		closedir(d);
		break;
	}
	return n;
}

void tlbt_kp_trace_close(struct tlbt_kp_trace *t)
{
	if (!t->ok)
		return;
	tlbt_kp_trace_write(t, "tracing_on", "0", O_TRUNC);
	tlbt_kp_trace_write(t, "events/tlb/tlb_flush/enable", "0", O_TRUNC);
	rmdir(t->dir);
	t->ok = false;
}

/* ---- the mmu_notifier recorder ---- */

/* Registers a notifier on this process's mm until close(). */
int tlbt_kp_notifier_open(void)
{
	int fd = open(TLBT_KP_NOTIFIER, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* write(), not pwrite(): seq_file files refuse positional writes. */
int tlbt_kp_notifier_clear(int fd)
{
	return write(fd, "clear", 5) == 5 ? 0 : -errno;
}

static unsigned long long tlbt_kp_key(const char *text, const char *key,
				      bool *found)
{
	size_t n = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, n) && p[n] == ':') {
			*found = true;
			return strtoull(p + n + 1, NULL, 10);
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

/* The recorder's text: "key: value" lines, then one line per record. */
int tlbt_kp_inval_parse(const char *text, struct tlbt_kp_inval *iv)
{
	static const char *const hist[4] = {
		"hist_le_4k", "hist_le_64k", "hist_le_2m", "hist_gt_2m",
	};
	bool found = false;
	const char *p;
	size_t cap;
	int i;

	memset(iv, 0, sizeof(*iv));
	iv->starts = tlbt_kp_key(text, "starts", &found);
	if (!found)
		return -EPROTO;
	iv->ends = tlbt_kp_key(text, "ends", &found);
	iv->unmatched_starts = tlbt_kp_key(text, "unmatched_starts", &found);
	iv->unmatched_ends = tlbt_kp_key(text, "unmatched_ends", &found);
	iv->bytes = tlbt_kp_key(text, "bytes_invalidated", &found);
	for (i = 0; i < 4; i++)
		iv->hist[i] = tlbt_kp_key(text, hist[i], &found);
	iv->records = tlbt_kp_key(text, "records", &found);
	iv->dropped = tlbt_kp_key(text, "dropped", &found);
	iv->released = tlbt_kp_key(text, "released", &found);

	cap = iv->records + 1;
	iv->rec = calloc(cap, sizeof(*iv->rec));
	if (!iv->rec)
		return -ENOMEM;
	for (p = text; p && *p && iv->nr < cap; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		struct tlbt_kp_inval_rec *r = &iv->rec[iv->nr];
		char kind[8];
		unsigned long size;

		if (strncmp(p, "start ", 6) && strncmp(p, "end ", 4))
			continue;
		if (sscanf(p, "%7s 0x%lx 0x%lx %lu %19s", kind, &r->start,
			   &r->end, &size, r->event) != 5)
			return -EPROTO;
		r->is_end = !strcmp(kind, "end");
		iv->nr++;
	}
	return 0;
}

int tlbt_kp_notifier_read(int fd, struct tlbt_kp_inval *iv)
{
	size_t off = 0;
	char *buf;
	ssize_t n;
	int ret;

	memset(iv, 0, sizeof(*iv));
	buf = malloc(TLBT_KP_NOTIFIER_MAX);
	if (!buf)
		return -ENOMEM;
	while (off < TLBT_KP_NOTIFIER_MAX - 1) {
		n = pread(fd, buf + off, TLBT_KP_NOTIFIER_MAX - 1 - off, off);
		if (n < 0) {
			ret = -errno;
			free(buf);
			return ret;
		}
		if (!n)
			break;
		off += n;
	}
	buf[off] = '\0';
	ret = tlbt_kp_inval_parse(buf, iv);
	free(buf);
	return ret;
}

void tlbt_kp_inval_free(struct tlbt_kp_inval *iv)
{
	free(iv->rec);
	iv->rec = NULL;
	iv->nr = 0;
}
