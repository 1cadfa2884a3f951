// SPDX-License-Identifier: GPL-2.0
/*
 * libtlbt: arena, knobs, commands, results and the worker oracle.
 *
 * All functions return 0 or a negative errno; none prints anything, so
 * the test programs decide what a failure means.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libtlbt.h"

#define TLBT_RESULTS_MAX	8192
#define TLBT_POLICIES(...)	((const char *const []){ __VA_ARGS__, NULL })

/*
 * Every sequence with its flush policies, and the ones the kernel backend
 * takes (zap_vma_ptes() can only unmap, and only flush in the right
 * place). Adding a sequence to the runner's matrix is one entry here.
 */
const struct tlbt_seq_desc tlbt_sequences[] = {
	{ .name = "migrate",
	  .policies = TLBT_POLICIES("immediate", "batched",
				    "unsafe-copy-before-flush"),
	  .kernel = TLBT_POLICIES("immediate", "batched") },
	{ .name = "mremap",
	  .policies = TLBT_POLICIES("immediate", "batched", "dirty-aware",
				    "unsafe-release-before-flush"),
	  .kernel = TLBT_POLICIES("immediate", "batched"),
	  .has_dst = true },
	{ .name = "reclaim",
	  .policies = TLBT_POLICIES("immediate", "batched",
				    "unsafe-writeback-before-flush",
				    "unsafe-ignore-dirty"),
	  .kernel = TLBT_POLICIES("immediate", "batched") },
	{ .name = "mkclean",
	  .policies = TLBT_POLICIES("immediate", "tlbgen", "mm-pending",
				    "unsafe-no-flush"),
	  .has_zap = true },
	{ .name = NULL },
};

const char *const tlbt_backends[] = { "native", "kernel", NULL };

const struct tlbt_seq_desc *tlbt_seq_find(const char *name)
{
	const struct tlbt_seq_desc *s;

	for (s = tlbt_sequences; s->name; s++)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

static bool tlbt_in_list(const char *const *list, const char *word)
{
	for (; list && *list; list++)
		if (!strcmp(*list, word))
			return true;
	return false;
}

bool tlbt_policy_is_unsafe(const char *policy)
{
	return !strncmp(policy, "unsafe-", 7);
}

/*
 * Would the module run @policy of @seq on @backend, or refuse it with
 * EOPNOTSUPP? Everything but the kernel's own unmap is native only, sync
 * included. Whether @policy belongs to @seq at all is not checked.
 */
bool tlbt_combo_supported(const char *seq, const char *policy,
			  const char *backend)
{
	const struct tlbt_seq_desc *s = tlbt_seq_find(seq);

	if (!strcmp(backend, "native"))
		return true;
	return s && tlbt_in_list(s->kernel, policy);
}

/* mremap moves the range to a destination of the same size right after it. */
size_t tlbt_seq_arena_pages(const struct tlbt_seq_desc *s, size_t pages)
{
	return s->has_dst ? 2 * pages : pages;
}

/**
 * tlbt_seq_cmd - the command that races @s on arena pages [0, @pages)
 * @buf: where to format it
 * @size: its size
 * @s: the sequence
 * @pages: pages in the range, which the workers hammer
 * @rounds: rounds
 * @policy: flush policy
 * @backend: flush backend
 *
 * mremap moves the range to dst=@pages (map tlbt_seq_arena_pages() pages)
 * with the module's default punch of half of it; mkclean races a zap of
 * its first quarter, so that the tlbgen and mm-pending policies have a
 * deferred flush to reckon with.
 *
 * Return: 0, or -ENAMETOOLONG when @buf is too small.
 */
int tlbt_seq_cmd(char *buf, size_t size, const struct tlbt_seq_desc *s,
		 unsigned long long pages, unsigned long long rounds,
		 const char *policy, const char *backend)
{
	char dst[32] = "", zap[32] = "";
	int n;

	if (s->has_dst)
		snprintf(dst, sizeof(dst), " dst=%llu", pages);
	if (s->has_zap)
		snprintf(zap, sizeof(zap), " zap=%llu", (pages + 3) / 4);
	n = snprintf(buf, size, "%s pages=%llu%s%s rounds=%llu flush=%s backend=%s",
		     s->name, pages, dst, zap, rounds, policy, backend);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

bool tlbt_module_loaded(void)
{
	return access(TLBT_DEBUGFS "/arena", F_OK) == 0;
}

int tlbt_arena_fd_open(struct tlbt_arena *a)
{
	a->base = NULL;
	a->pages = 0;
	a->fd = open(TLBT_DEBUGFS "/arena", O_RDWR | O_CLOEXEC);
	return a->fd < 0 ? -errno : 0;
}

int tlbt_arena_map(struct tlbt_arena *a, size_t pages)
{
	void *p;

	if (!pages || pages > SIZE_MAX / TLBT_PAGE_SIZE)
		return -EINVAL;
	if (a->base)
		return -EBUSY;
	p = mmap(NULL, pages * TLBT_PAGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED, a->fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	a->base = p;
	a->pages = pages;
	return 0;
}

int tlbt_arena_unmap(struct tlbt_arena *a)
{
	if (!a->base)
		return 0;
	if (munmap((void *)a->base, a->pages * TLBT_PAGE_SIZE))
		return -errno;
	a->base = NULL;
	a->pages = 0;
	return 0;
}

int tlbt_arena_open(struct tlbt_arena *a, size_t pages)
{
	int ret;

	ret = tlbt_arena_fd_open(a);
	if (ret)
		return ret;
	ret = tlbt_arena_map(a, pages);
	if (ret) {
		close(a->fd);
		a->fd = -1;
	}
	return ret;
}

void tlbt_arena_close(struct tlbt_arena *a)
{
	tlbt_arena_unmap(a);
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
}

/* Read a small file into @buf, NUL-terminated. */
int tlbt_read_file(const char *path, char *buf, size_t size)
{
	size_t off = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (off < size - 1) {
		n = read(fd, buf + off, size - 1 - off);
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		off += n;
	}
	buf[off] = '\0';
	close(fd);
	return 0;
}

/* A whole decimal number up to the end of the line; -EINVAL otherwise. */
static int tlbt_parse_ull(const char *s, unsigned long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno)
		return -errno;
	if (*end != '\0' && *end != '\n')
		return -EINVAL;
	return 0;
}

int tlbt_knob_read(const char *name, unsigned long *v)
{
	char path[128], buf[64];
	unsigned long long ull;
	int ret;

	snprintf(path, sizeof(path), TLBT_DEBUGFS "/%s", name);
	ret = tlbt_read_file(path, buf, sizeof(buf));
	if (ret)
		return ret;
	ret = tlbt_parse_ull(buf, &ull);
	if (ret)
		return ret;
	if (ull > ULONG_MAX)
		return -ERANGE;
	*v = ull;
	return 0;
}

int tlbt_knob_write(const char *name, unsigned long v)
{
	char path[128], buf[32];
	ssize_t n;
	int fd, len;

	snprintf(path, sizeof(path), TLBT_DEBUGFS "/%s", name);
	len = snprintf(buf, sizeof(buf), "%lu\n", v);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	return n == len ? 0 : -EIO;
}

/*
 * Find "key: value" in @text. *@val points at the value, which ends at
 * the next newline.
 */
int tlbt_kv_find(const char *text, const char *key, const char **val)
{
	size_t klen = strlen(key);
	const char *line = text;

	while (*line) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			line += klen + 1;
			while (*line == ' ' || *line == '\t')
				line++;
			*val = line;
			return 0;
		}
		line = strchr(line, '\n');
		if (!line)
			break;
		line++;
	}
	return -ENOENT;
}

int tlbt_stats_get(const char *key, unsigned long *v)
{
	char buf[4096];
	unsigned long long ull;
	const char *val;
	int ret;

	ret = tlbt_read_file(TLBT_DEBUGFS "/stats", buf, sizeof(buf));
	if (ret)
		return ret;
	ret = tlbt_kv_find(buf, key, &val);
	if (ret)
		return ret;
	ret = tlbt_parse_ull(val, &ull);
	if (ret)
		return ret;
	*v = ull;
	return 0;
}

static bool tlbt_has_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	const char *p = text;

	while ((p = strstr(p, word))) {
		bool left = p == text || p[-1] == ' ' || p[-1] == '\t';
		bool right = p[n] == ' ' || p[n] == '\n' || p[n] == '\0';

		if (left && right)
			return true;
		p += n;
	}
	return false;
}

/*
 * Which flush the native backend can use. The module's stats say so; older
 * modules lack the keys, so fall back to what the kernel tells user space.
 */
bool tlbt_pti_without_pcid(void)
{
	bool pti, pcid, invpcid;

	return !tlbt_flush_caps(&pti, &pcid, &invpcid) && pti && !pcid;
}

int tlbt_flush_caps(bool *pti, bool *pcid, bool *invpcid)
{
	unsigned long a, b, c;
	static char buf[1 << 16];
	char *flags;

	if (!tlbt_stats_get("pti", &a) && !tlbt_stats_get("pcid", &b) &&
	    !tlbt_stats_get("invpcid", &c)) {
		*pti = a;
		*pcid = b;
		*invpcid = c;
		return 0;
	}

	*pti = false;
	if (!tlbt_read_file("/sys/devices/system/cpu/vulnerabilities/meltdown",
			    buf, sizeof(buf)))
		*pti = strstr(buf, "PTI") != NULL;
	if (tlbt_read_file("/proc/cpuinfo", buf, sizeof(buf)))
		return -ENOENT;
	flags = strstr(buf, "\nflags");
	if (!flags)
		return -ENOENT;
	flags = strchr(flags, ':');
	if (!flags)
		return -ENOENT;
	*strchrnul(flags, '\n') = '\0';
	*pcid = tlbt_has_word(flags, "pcid");
	*invpcid = tlbt_has_word(flags, "invpcid");
	return 0;
}

int tlbt_cmd_raw(struct tlbt_arena *a, const char *buf, size_t len)
{
	ssize_t n;

	if (a->fd < 0)
		return -EBADF;
	n = write(a->fd, buf, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int tlbt_cmd(struct tlbt_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *buf;
	int len, ret;

	va_start(ap, fmt);
	len = vasprintf(&buf, fmt, ap);
	va_end(ap);
	if (len < 0)
		return -ENOMEM;
	ret = tlbt_cmd_raw(a, buf, len);
	free(buf);
	return ret;
}

int tlbt_results_text(struct tlbt_arena *a, char *buf, size_t size)
{
	size_t off = 0;
	ssize_t n;

	if (a->fd < 0)
		return -EBADF;
	while (off < size - 1) {
		n = pread(a->fd, buf + off, size - 1 - off, off);
		if (n < 0)
			return -errno;
		if (!n)
			break;
		off += n;
	}
	buf[off] = '\0';
	return 0;
}

int tlbt_result_get(struct tlbt_arena *a, const char *key,
		    unsigned long long *v)
{
	char buf[TLBT_RESULTS_MAX];
	const char *val;
	int ret;

	ret = tlbt_results_text(a, buf, sizeof(buf));
	if (ret)
		return ret;
	ret = tlbt_kv_find(buf, key, &val);
	if (ret)
		return ret;
	return tlbt_parse_ull(val, v);
}

#define TLBT_NUM_KEY(k) { #k, offsetof(struct tlbt_result, k) }

static const struct {
	const char *key;
	size_t off;
} tlbt_num_keys[] = {
	TLBT_NUM_KEY(start),
	TLBT_NUM_KEY(pages),
	TLBT_NUM_KEY(rounds),
	TLBT_NUM_KEY(dst),
	TLBT_NUM_KEY(punch),
	TLBT_NUM_KEY(zap),
	TLBT_NUM_KEY(rounds_done),
	TLBT_NUM_KEY(shootdowns),
	TLBT_NUM_KEY(ipis),
	TLBT_NUM_KEY(invlpg_pages),
	TLBT_NUM_KEY(full_flushes),
	TLBT_NUM_KEY(cpu_flushes),
	TLBT_NUM_KEY(cpu_skips),
	TLBT_NUM_KEY(pages_copied),
	TLBT_NUM_KEY(leaked_pages),
	TLBT_NUM_KEY(leaked_bytes),
	TLBT_NUM_KEY(poison_hits),
	TLBT_NUM_KEY(lost_dirty),
	TLBT_NUM_KEY(writebacks),
	TLBT_NUM_KEY(flushes_avoided),
	TLBT_NUM_KEY(ns_total),
	TLBT_NUM_KEY(ns_per_page),
};

static void tlbt_copy_val(char *dst, size_t size, const char *val)
{
	size_t n = strcspn(val, "\n");

	if (n >= size)
		n = size - 1;
	memcpy(dst, val, n);
	dst[n] = '\0';
}

/*
 * Parse results text. Before the first command only "sequence: none" is
 * there; keys this library does not know are ignored, so a newer module
 * still works with it.
 */
int tlbt_results_parse(const char *text, struct tlbt_result *r)
{
	const char *val;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	if (tlbt_kv_find(text, "sequence", &val))
		return -EPROTO;
	tlbt_copy_val(r->sequence, sizeof(r->sequence), val);
	r->nr_keys++;
	if (!tlbt_kv_find(text, "policy", &val)) {
		tlbt_copy_val(r->policy, sizeof(r->policy), val);
		r->nr_keys++;
	}
	if (!tlbt_kv_find(text, "backend", &val)) {
		tlbt_copy_val(r->backend, sizeof(r->backend), val);
		r->nr_keys++;
	}
	for (i = 0; i < ARRAY_SIZE(tlbt_num_keys); i++) {
		unsigned long long *v = (void *)((char *)r +
						 tlbt_num_keys[i].off);

		if (tlbt_kv_find(text, tlbt_num_keys[i].key, &val))
			continue;
		if (tlbt_parse_ull(val, v))
			return -EPROTO;
		r->nr_keys++;
	}
	if (!tlbt_kv_find(text, "error", &val)) {
		char *end;

		errno = 0;
		r->error = strtoll(val, &end, 10);
		if (errno || end == val || (*end && *end != '\n'))
			return -EPROTO;
		r->nr_keys++;
	}
	return 0;
}

int tlbt_results_read(struct tlbt_arena *a, struct tlbt_result *r)
{
	char buf[TLBT_RESULTS_MAX];
	int ret;

	memset(r, 0, sizeof(*r));
	ret = tlbt_results_text(a, buf, sizeof(buf));
	if (ret)
		return ret;
	return tlbt_results_parse(buf, r);
}

/* The caller's affinity mask, sized for however many CPUs the kernel has. */
static cpu_set_t *tlbt_affinity(size_t *size, int *bits)
{
	int n;

	for (n = 1024; n <= (1 << 22); n *= 2) {
		cpu_set_t *set = CPU_ALLOC(n);

		if (!set)
			return NULL;
		*size = CPU_ALLOC_SIZE(n);
		*bits = n;
		if (!sched_getaffinity(0, *size, set))
			return set;
		CPU_FREE(set);
		if (errno != EINVAL)
			return NULL;
	}
	errno = EINVAL;
	return NULL;
}

int tlbt_nr_cpus(void)
{
	cpu_set_t *set;
	size_t size;
	int bits, n;

	set = tlbt_affinity(&size, &bits);
	if (!set)
		return -errno;
	n = CPU_COUNT_S(size, set);
	CPU_FREE(set);
	return n;
}

static int tlbt_pin(pthread_t thread, int cpu, int bits)
{
	size_t size = CPU_ALLOC_SIZE(bits);
	cpu_set_t *one = CPU_ALLOC(bits);
	int ret;

	if (!one)
		return -ENOMEM;
	CPU_ZERO_S(size, one);
	CPU_SET_S(cpu, size, one);
	ret = -pthread_setaffinity_np(thread, size, one);
	CPU_FREE(one);
	return ret;
}

static void *tlbt_worker_main(void *arg)
{
	struct tlbt_worker *wk = arg;
	struct tlbt_workers *ws = wk->ws;
	const size_t idx = wk->idx;
	volatile uint64_t *base;
	unsigned int k;
	size_t p;

	wk->err = tlbt_pin(pthread_self(), wk->cpu, (int)ws->mask_size * 8);
	if (!wk->err) {
		base = *ws->basep;
		for (p = 0; p < ws->pages; p++) {
			wk->init[p] = base[p * TLBT_SLOTS_PER_PAGE + idx];
			wk->last[p] = wk->init[p];
		}
	}
	__atomic_add_fetch(&ws->ready, 1, __ATOMIC_RELEASE);
	if (wk->err)
		return NULL;

	while (!__atomic_load_n(&ws->stop, __ATOMIC_ACQUIRE)) {
		const unsigned int dwell = tlbt_dwell(TLBT_DWELL);

		for (p = 0; p < ws->pages; p++) {
			volatile uint64_t *slot;
			uint64_t v;

			if (__atomic_load_n(&ws->stop, __ATOMIC_RELAXED))
				break;
			/*
			 * A plain load and store, not an atomic add: a store
			 * through a stale TLB entry must be able to get lost.
			 */
			slot = *ws->basep + p * TLBT_SLOTS_PER_PAGE + idx;
			for (k = 0; k < dwell; k++) {
				v = *slot;
				if (v < wk->last[p])
					wk->stale_reads++;
				else if (v > wk->last[p])
					wk->foreign_reads++;
				*slot = v + 1;
				wk->last[p] = v + 1;
				wk->done[p]++;
			}
		}
		__atomic_store_n(&wk->increments, wk->increments + p * dwell,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&wk->passes, wk->passes + 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void tlbt_workers_free(struct tlbt_workers *ws)
{
	unsigned int i;

	if (ws->saved_mask) {
		sched_setaffinity(0, ws->mask_size, ws->saved_mask);
		CPU_FREE(ws->saved_mask);
		ws->saved_mask = NULL;
	}
	for (i = 0; ws->w && i < ws->nr; i++) {
		free(ws->w[i].init);
		free(ws->w[i].last);
		free(ws->w[i].done);
	}
	free(ws->w);
	ws->w = NULL;
}

static void tlbt_workers_join(struct tlbt_workers *ws, unsigned int started)
{
	unsigned int i;

	__atomic_store_n(&ws->stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < started; i++)
		pthread_join(ws->w[i].thread, NULL);
}

/**
 * tlbt_workers_start_basep - pin the caller and start the workers
 * @ws: state, owned by the caller until tlbt_workers_stop()
 * @basep: where the workers read the arena's address, before every page
 * @pages: pages each worker walks
 * @issuer_cpu: CPU for the calling thread; < 0 for the first allowed one
 *
 * One worker per other CPU in the caller's affinity mask (at most one per
 * slot of a page). Returns once every worker has recorded its slots'
 * starting values, so the next command races with running workers.
 * Call tlbt_workers_stop() from the same thread: it restores that
 * thread's affinity.
 */
int tlbt_workers_start_basep(struct tlbt_workers *ws,
			     volatile uint64_t *volatile *basep,
			     size_t pages, int issuer_cpu)
{
	cpu_set_t *mask;
	unsigned int i, nr = 0, started = 0;
	int bits, cpu, ret;
	size_t size;

	ws->basep = basep;
	ws->pages = pages;
	ws->nr = 0;
	ws->w = NULL;
	ws->stop = 0;
	ws->ready = 0;

	mask = tlbt_affinity(&size, &bits);
	if (!mask)
		return -errno;
	ws->saved_mask = mask;
	ws->mask_size = size;

	if (issuer_cpu < 0) {
		for (cpu = 0; cpu < bits && !CPU_ISSET_S(cpu, size, mask); cpu++)
			;
		issuer_cpu = cpu;
	}
	if (issuer_cpu >= bits || !CPU_ISSET_S(issuer_cpu, size, mask)) {
		ret = -EINVAL;
		goto err_free;
	}
	ws->issuer_cpu = issuer_cpu;
	ret = tlbt_pin(pthread_self(), issuer_cpu, bits);
	if (ret)
		goto err_free;

	nr = CPU_COUNT_S(size, mask) - 1;
	if (nr > TLBT_MAX_WORKERS)
		nr = TLBT_MAX_WORKERS;
	ws->w = calloc(nr ? nr : 1, sizeof(*ws->w));
	if (!ws->w) {
		ret = -ENOMEM;
		goto err_free;
	}
	ws->nr = nr;
	for (i = 0, cpu = 0; i < nr; i++, cpu++) {
		struct tlbt_worker *wk = &ws->w[i];

		while (cpu == issuer_cpu || !CPU_ISSET_S(cpu, size, mask))
			cpu++;
		wk->ws = ws;
		wk->idx = i;
		wk->cpu = cpu;
		wk->init = calloc(pages ? pages : 1, sizeof(uint64_t));
		wk->last = calloc(pages ? pages : 1, sizeof(uint64_t));
		wk->done = calloc(pages ? pages : 1, sizeof(uint64_t));
		if (!wk->init || !wk->last || !wk->done) {
			ret = -ENOMEM;
			goto err_free;
		}
	}

	for (started = 0; started < nr; started++) {
		ret = -pthread_create(&ws->w[started].thread, NULL,
				      tlbt_worker_main, &ws->w[started]);
		if (ret)
			goto err_join;
	}
	while (__atomic_load_n(&ws->ready, __ATOMIC_ACQUIRE) < (int)started)
		sched_yield();
	for (i = 0; i < nr; i++) {
		if (ws->w[i].err) {
			ret = ws->w[i].err;
			goto err_join;
		}
	}
	return 0;

err_join:
	tlbt_workers_join(ws, started);
err_free:
	tlbt_workers_free(ws);
	ws->nr = 0;
	return ret;
}

int tlbt_workers_start(struct tlbt_workers *ws, volatile uint64_t *base,
		       size_t pages, int issuer_cpu)
{
	ws->base = base;
	return tlbt_workers_start_basep(ws, &ws->base, pages, issuer_cpu);
}

/* Increments so far, roughly (whole passes); for progress reports only. */
unsigned long long tlbt_workers_progress(struct tlbt_workers *ws)
{
	unsigned long long sum = 0;
	unsigned int i;

	for (i = 0; i < ws->nr; i++)
		sum += __atomic_load_n(&ws->w[i].increments, __ATOMIC_RELAXED);
	return sum;
}

/**
 * tlbt_workers_stop - stop the workers and judge what is in memory
 * @ws: started by tlbt_workers_start()
 * @o: the verdict
 *
 * Each worker's slot must hold its starting value plus exactly the
 * increments it counted. Less is a lost write; more is a write nobody
 * made (poison, or another page's data). The arena must still be mapped.
 */
int tlbt_workers_stop(struct tlbt_workers *ws, struct tlbt_oracle *o)
{
	volatile uint64_t *base = *ws->basep;
	unsigned int i;
	size_t p;
	int ret = 0;

	memset(o, 0, sizeof(*o));
	tlbt_workers_join(ws, ws->nr);
	o->workers = ws->nr;
	for (i = 0; i < ws->nr; i++) {
		struct tlbt_worker *wk = &ws->w[i];

		if (wk->err && !ret)
			ret = wk->err;
		o->stale_reads += wk->stale_reads;
		o->foreign_reads += wk->foreign_reads;
		for (p = 0; p < ws->pages; p++) {
			uint64_t mem = base[p * TLBT_SLOTS_PER_PAGE + wk->idx];
			uint64_t want = wk->init[p] + wk->done[p];

			o->increments += wk->done[p];
			if (mem < want)
				o->lost_increments += want - mem;
			else
				o->foreign += mem - want;
		}
	}
	tlbt_workers_free(ws);
	ws->nr = 0;
	return ret;
}

unsigned long long tlbt_oracle_corruption(const struct tlbt_oracle *o)
{
	return o->lost_increments + o->foreign + o->stale_reads +
	       o->foreign_reads;
}
