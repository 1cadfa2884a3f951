// SPDX-License-Identifier: GPL-2.0
/*
 * libkpath: system probes, patterns, spinners, tlb:tlb_flush counting
 * and the mmu_notifier recorder. Functions return 0 or a negative errno
 * and print nothing; callers decide what a failure means.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
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

/* Back to every CPU; the harness runs each test in a fresh child anyway. */
int tlbt_kp_unpin(void)
{
	return tlbt_set_cpus(NULL, sysconf(_SC_NPROCESSORS_CONF));
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
 * One entry of the histogram:
 *   "{ common_pid: 123, reason: 4, pages: 1 } hitcount: 5"
 * Returns 0 with its keys and count, -ENOENT for any other line.
 */
int tlbt_kp_hist_parse(const char *line, pid_t *pid, int *reason,
		       unsigned long long *pages, unsigned long long *hits)
{
	static const char *const keys[] = {
		"common_pid:", "reason:", "pages:", "hitcount:",
	};
	unsigned long long v[ARRAY_SIZE(keys)];
	unsigned int i;

	if (line[0] != '{')
		return -ENOENT;
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *p = strstr(line, keys[i]);
		char *end;

		if (!p)
			return -EPROTO;
		errno = 0;
		v[i] = strtoull(p + strlen(keys[i]), &end, 10);
		if (errno || end == p + strlen(keys[i]))
			return -EPROTO;
	}
	*pid = v[0];
	*reason = v[1];
	*pages = v[2];
	*hits = v[3];
	return 0;
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
 * A private instance (instances/tlbt_kpath_PID_N): its own event
 * switches and triggers, so nothing else's tracing is disturbed and
 * nothing else's events get in. tlb:tlb_flush is counted in the kernel
 * by a hist trigger keyed on thread, reason and pages, not read back as
 * text from a ring buffer that can overwrite it: the ring buffer stays
 * off, and what the histogram could not hold is its "Dropped:" total.
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
	t->trigger = false;
	ret = tlbt_kp_trace_write(t, "tracing_on", "0", O_TRUNC);
	if (ret) {
		tlbt_kp_trace_close(t);
		return ret;
	}
	return 0;
}

#define TLBT_KP_HIST	"hist:keys=common_pid,reason,pages:size=8192"

/*
 * Count only this process: set_event_pid and the thread list get every
 * thread that exists now, so start workers and spinners first. A remote
 * shootdown is traced in the IPI handler, in the context of the thread
 * it interrupted, which is ours whenever our mm is loaded there.
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
	t->nr_tids = 0;
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
		if (t->nr_tids < TLBT_KP_MAX_TIDS)
			t->tids[t->nr_tids++] = atoi(de->d_name);
		if (write(fd, pid, n) != n) {
			ret = -errno;
			break;
		}
	}
	closedir(d);
	close(fd);
	if (!ret && t->nr_tids == TLBT_KP_MAX_TIDS)
		ret = -E2BIG;
	if (!ret)
		ret = tlbt_kp_trace_write(t, "events/tlb/tlb_flush/trigger",
					  TLBT_KP_HIST, O_TRUNC);
	if (!ret)
		t->trigger = true;
	return ret;
}

static bool tlbt_kp_ours(const struct tlbt_kp_trace *t, pid_t pid)
{
	int i;

	for (i = 0; i < t->nr_tids; i++)
		if (t->tids[i] == pid)
			return true;
	return false;
}

int tlbt_kp_trace_stop(struct tlbt_kp_trace *t, struct tlbt_kp_flushes *f)
{
	unsigned long long pages, hits;
	char path[320], *line = NULL;
	bool totals = false;
	size_t cap = 0;
	int ret, reason;
	FILE *in;
	pid_t pid;

	memset(f, 0, sizeof(*f));
	if (!t->ok || !t->trigger)
		return -EBADF;
	ret = tlbt_kp_trace_write(t, "events/tlb/tlb_flush/trigger",
				  TLBT_KP_HIST ":pause", O_APPEND);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/events/tlb/tlb_flush/hist", t->dir);
	in = fopen(path, "re");
	if (!in)
		return -errno;
	while (getline(&line, &cap, in) > 0) {
		if (sscanf(line, " Dropped: %llu", &f->lost) == 1) {
			totals = true;
			continue;
		}
		if (tlbt_kp_hist_parse(line, &pid, &reason, &pages, &hits) ||
		    reason < 0 || reason >= TLBT_KP_NR_REASONS ||
		    !tlbt_kp_ours(t, pid))
			continue;
		f->n[reason] += hits;
		if (pid == t->issuer)
			f->issuer[reason] += hits;
		if (reason == TLBT_KP_REMOTE_SEND_IPI && pid == t->issuer) {
			/* TLB_FLUSH_ALL, -1UL: a full flush */
			if (pages == ~0ULL)
				f->ipi_full += hits;
			else
				f->ipi_pages += pages * hits;
		}
	}
	free(line);
	fclose(in);
	/* no totals: not the histogram it should be, counts unknown */
	if (!totals)
		return -EPROTO;
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
	if (t->trigger)
		tlbt_kp_trace_write(t, "events/tlb/tlb_flush/trigger",
				    "!" TLBT_KP_HIST, O_APPEND);
	t->trigger = false;
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
		if (sscanf(p, "%7s 0x%lx 0x%lx %lu %19s %*x %d", kind,
			   &r->start, &r->end, &size, r->event, &r->pid) < 5)
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
