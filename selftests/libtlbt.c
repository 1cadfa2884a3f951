// SPDX-License-Identifier: GPL-2.0
/*
 * libtlbt: arena, knobs, commands and results.
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
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libtlbt.h"

#ifndef DEBUGFS_MAGIC
#define DEBUGFS_MAGIC	0x64626720	/* linux/magic.h */
#endif

#define TLBT_RESULTS_MAX	8192

/*
 * The matrix's sequences and their policy lists, filled from tlbt_cmd.h's
 * tables before main() (tlbt_sequences_init()).
 */
static const char *tlbt_seq_policies[TLBT_SEQ_NR][TLBT_POL_NR + 1];
static const char *tlbt_seq_kernel[TLBT_SEQ_NR][TLBT_POL_NR + 1];

#define TLBT_MATRIX_false(id, nm, k)
#define TLBT_MATRIX_true(id, nm, k)					\
	{ .name = nm,							\
	  .policies = tlbt_seq_policies[TLBT_SEQ_##id],			\
	  .kernel = tlbt_seq_kernel[TLBT_SEQ_##id],			\
	  .has_dst = !!((k) & TLBT_KEY_BIT(DST)),				\
	  .has_zap = !!((k) & TLBT_KEY_BIT(ZAP)) },

const struct tlbt_seq_desc tlbt_sequences[] = {
#define TLBT_LIST_SEQ(id, nm, k, req, native, mtx) TLBT_MATRIX_##mtx(id, nm, k)
#include "tlbt_proto.h"
#undef TLBT_LIST_SEQ
	{ .name = NULL },
};

const char *const tlbt_backends[] = {
#define TLBT_LIST_BACKEND(id, nm) nm,
#include "tlbt_proto.h"
#undef TLBT_LIST_BACKEND
	NULL
};

/*
 * Every policy of a sequence but the benchmark's baseline; the kernel
 * backend takes those neither the policy nor the sequence keeps native.
 */
__attribute__((constructor)) static void tlbt_sequences_init(void)
{
	unsigned int s, p, n, k;

	for (s = 0; s < TLBT_SEQ_NR; s++) {
		for (p = 0, n = 0, k = 0; p < TLBT_POL_NR; p++) {
			const struct tlbt_policy_info *pi = &tlbt_policy_infos[p];

			if (!(pi->seqs & (1U << s)) ||
			    pi->kind == TLBT_POLICY_BASELINE)
				continue;
			tlbt_seq_policies[s][n++] = pi->name;
			if (!pi->native_only && !tlbt_seq_infos[s].native_only)
				tlbt_seq_kernel[s][k++] = pi->name;
		}
	}
}

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

enum tlbt_policy_kind tlbt_policy_kind(const char *policy)
{
	int p = tlbt_policy_lookup(policy);

	return p < 0 ? TLBT_POLICY_SAFE : tlbt_policy_infos[p].kind;
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

/*
 * Why the module's files cannot be used here, in the order a user must
 * fix it, or NULL. Lockdown is named because under it debugfs refuses
 * every file with write or mmap (the arena), and a module that is not
 * signed does not load: without this a non-root user, or a box with
 * Secure Boot, would be told "module not loaded".
 */
const char *tlbt_module_unusable(void)
{
	char buf[128] = "";
	struct statfs fs;
	const char *mode;

	if (geteuid() != 0)
		return "not root: the tlbtorture debugfs files are root's";
	if (statfs("/sys/kernel/debug", &fs) || fs.f_type != DEBUGFS_MAGIC)
		return "debugfs is not mounted at /sys/kernel/debug";
	if (!tlbt_read_file("/sys/kernel/security/lockdown", buf, sizeof(buf))) {
		mode = strchr(buf, '[');
		if (mode && strncmp(mode, "[none]", 6))
			return "kernel lockdown is on: debugfs refuses the arena and command files (README: Secure Boot)";
	}
	if (access("/sys/module/tlbtorture", F_OK))
		return "tlbtorture module not loaded";
	if (access(TLBT_DEBUGFS "/arena", F_OK))
		return "tlbtorture module loaded, but " TLBT_DEBUGFS "/arena is missing";
	return NULL;
}

bool tlbt_module_loaded(void)
{
	return !tlbt_module_unusable();
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
static int tlbt_parse_num_n(const char *s, size_t n,
			    unsigned long long *v)
{
	u64 x;
	int ret;

	ret = tlbt_parse_u64(s, n, &x);
	if (!ret)
		*v = x;
	return ret;
}

int tlbt_parse_number(const char *s, unsigned long long *v)
{
	return tlbt_parse_num_n(s, strlen(s), v);
}

/* A value in "key: value" text or a knob file: up to the end of its line. */
static int tlbt_parse_ull(const char *s, unsigned long long *v)
{
	return tlbt_parse_num_n(s, strcspn(s, "\n"), v);
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
 * Which flush the native backend can use. The module's stats say so (pcid
 * is CR4.PCIDE, i.e. in use); older modules lack the keys, so fall back to
 * what the kernel tells user space.
 */
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

/**
 * tlbt_mremap_masked_by - can no stale source entry outlive mremap's punch?
 * @pti: PTI on (X86_FEATURE_PTI)
 * @pcid: PCID in use (CR4.PCIDE)
 * @invpcid: INVPCID
 * @punch: pages of the punch
 * @ceiling: the native backend's ceiling knob
 *
 * unsafe-release-before-flush leaves the source entries unflushed while
 * the punch unmaps D[0, punch), shoots it down and only then copies and
 * releases the frames (module/tlbt_mremap.c). The shootdown IPIs every CPU
 * in mm_cpumask() and waits for it; each whose CR3 holds the mm flushes
 * (tlbt_flush_ipi()). That reaches the stale S entries, on every CPU that
 * could use one, when (arch/x86 of 6.1 and 6.12):
 * - PTI without PCID: the handler drops only D, but the CPU gets back to
 *   user space through SWITCH_TO_USER_CR3 (entry/calling.h), a CR3 write
 *   that without PCID drops every non-global entry, and user entries are
 *   never global. A stale entry is used only from user space, so none
 *   survives the IPI.
 * - PTI with PCID, no INVPCID: tlbt_flush_native() makes every shootdown
 *   full (one user-PCID entry cannot be dropped), and
 *   tlbt_flush_full_local() does __flush_tlb_all(): the CR4.PGE toggle of
 *   native_flush_tlb_global(), which drops every entry of every PCID (no
 *   PGE means no PCID, setup_pcid()).
 * - @punch > @ceiling, whatever the flags: the shootdown is full, and a
 *   full flush drops at least the mm's PCIDs on that CPU. Without PTI,
 *   CR3 is rewritten with the value read (bit 63, NOFLUSH, reads as 0),
 *   which drops the PCID it loads, the mm's; with PTI, PCID and INVPCID,
 *   INVPCID drops the mm's kernel and user PCIDs.
 * A CPU not running the mm at the shootdown either flushed when it left
 * (no PCID) or flushes its stale ASID when it comes back: the punch bumps
 * tlb_gen before reading the mask, and switch_mm_irqs_off() flushes an
 * ASID whose tlb_gen is behind.
 *
 * break= commands leave such steps out on purpose and are not covered.
 * Otherwise (no PTI, or PTI with PCID and INVPCID; a punch within the
 * ceiling) the punch drops D's entries alone: INVLPG, and with PTI
 * INVPCID of that address in the user PCID, and the return to user space
 * keeps the PCID (NOFLUSH). Stale S entries then outlive the release: the
 * use-after-free the oracles must catch. A worker that happens to be
 * switched out in that window still loses them, which makes detection a
 * rate there, never masking.
 *
 * Return: true when masked.
 */
bool tlbt_mremap_masked_by(bool pti, bool pcid, bool invpcid,
			   unsigned long long punch, unsigned long ceiling)
{
	return (pti && (!pcid || !invpcid)) || punch > ceiling;
}

/* The predicate on this machine, with the ceiling as it is now. */
bool tlbt_mremap_masked(unsigned long long punch)
{
	unsigned long ceiling;
	bool pti, pcid, invpcid;

	if (tlbt_flush_caps(&pti, &pcid, &invpcid))
		return false;
	if (tlbt_knob_read("ceiling", &ceiling))
		ceiling = ULONG_MAX;
	return tlbt_mremap_masked_by(pti, pcid, invpcid, punch, ceiling);
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

/* Each key's member of struct tlbt_result, and its size. */
static const struct {
	size_t off;
	size_t size;
} tlbt_result_fields[TLBT_NR_RESULT_KEYS] = {
#define TLBT_LIST_RESULT(name, field, type)				\
	{ offsetof(struct tlbt_result, field),				\
	  sizeof(((struct tlbt_result *)0)->field) },
#include "tlbt_proto.h"
#undef TLBT_LIST_RESULT
};

static void tlbt_copy_val(char *dst, size_t size, const char *val)
{
	size_t n = strcspn(val, "\n");

	if (n >= size)
		n = size - 1;
	memcpy(dst, val, n);
	dst[n] = '\0';
}

static int tlbt_parse_ll(const char *val, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(val, &end, 10);
	if (errno || end == val || (*end && *end != '\n'))
		return -EPROTO;
	return 0;
}

/*
 * Parse results text, every key of TLBT_LIST_RESULT(). Before the first
 * command only "sequence: none" is there; keys this library does not
 * know are ignored, so a newer module still works with it.
 */
int tlbt_results_parse(const char *text, struct tlbt_result *r)
{
	const char *val;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	if (tlbt_kv_find(text, "sequence", &val))
		return -EPROTO;
	for (i = 0; i < TLBT_NR_RESULT_KEYS; i++) {
		void *field = (char *)r + tlbt_result_fields[i].off;

		if (tlbt_kv_find(text, tlbt_result_infos[i].name, &val))
			continue;
		switch (tlbt_result_infos[i].type) {
		case TLBT_RT_SEQ:
		case TLBT_RT_POLICY:
		case TLBT_RT_BACKEND:
		case TLBT_RT_BREAK:
			tlbt_copy_val(field, tlbt_result_fields[i].size, val);
			break;
		case TLBT_RT_ERROR:
			if (tlbt_parse_ll(val, field))
				return -EPROTO;
			break;
		case TLBT_RT_CMD:
		case TLBT_RT_COUNT:
		case TLBT_RT_UNSAFE:
			if (tlbt_parse_ull(val, field))
				return -EPROTO;
			break;
		}
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

void tlbt_during_start(struct tlbt_during *d, struct tlbt_workers *ws)
{
	unsigned int i;

	d->nr = ws->nr;
	for (i = 0; i < d->nr; i++) {
		d->visits[i] = __atomic_load_n(&ws->w[i].visits,
					       __ATOMIC_ACQUIRE);
		d->ro_visits[i] = __atomic_load_n(&ws->w[i].ro_visits,
						  __ATOMIC_ACQUIRE);
	}
}

/*
 * Visits made wholly since tlbt_during_start(): a worker that published
 * n more visits since then made n - 1 of them entirely in between. Sets
 * *@workers (if given) to the number of workers that made at least one.
 */
unsigned long long tlbt_during_end(const struct tlbt_during *d,
				   struct tlbt_workers *ws,
				   unsigned int *workers)
{
	unsigned long long sum = 0, n;
	unsigned int i, busy = 0;

	for (i = 0; i < d->nr; i++) {
		n = __atomic_load_n(&ws->w[i].visits, __ATOMIC_ACQUIRE) -
		    d->visits[i];
		if (n > 1) {
			sum += n - 1;
			busy++;
		}
	}
	if (workers)
		*workers = busy;
	return sum;
}

/* The same for the visits to read-only pages (published before visits). */
unsigned long long tlbt_during_ro_end(const struct tlbt_during *d,
				      struct tlbt_workers *ws)
{
	unsigned long long sum = 0, n;
	unsigned int i;

	for (i = 0; i < d->nr; i++) {
		n = __atomic_load_n(&ws->w[i].ro_visits, __ATOMIC_ACQUIRE) -
		    d->ro_visits[i];
		if (n > 1)
			sum += n - 1;
	}
	return sum;
}

/**
 * tlbt_race_cmd_ro - run one command while workers hammer part of the arena
 * @a: the arena, mapped
 * @first: first arena page the workers hammer
 * @pages: how many
 * @ro_first: first page of those, counted from @first, only read
 * @ro_pages: how many are only read (0: none)
 * @issuer_cpu: the CPU to issue it from, or -1 for the first allowed one
 * @cmd: the command
 * @rc: both oracles, and what the workers did while the command ran
 *
 * Return: 0; the command's -errno; or another -errno when the workers or
 * the results failed.
 */
int tlbt_race_cmd_ro(struct tlbt_arena *a, size_t first, size_t pages,
		     size_t ro_first, size_t ro_pages, int issuer_cpu,
		     const char *cmd, struct tlbt_raced *rc)
{
	struct tlbt_workers ws;
	struct tlbt_during d;
	int ret, cmd_ret;

	memset(rc, 0, sizeof(*rc));
	ret = tlbt_workers_start_arena(&ws, tlbt_arena_page(a, first), pages,
				       ro_first, ro_pages, issuer_cpu);
	if (ret)
		return ret;
	/* Nothing but the write() between the samples: cmd is formatted. */
	tlbt_during_start(&d, &ws);
	cmd_ret = tlbt_cmd_raw(a, cmd, strlen(cmd));
	rc->during = tlbt_during_end(&d, &ws, &rc->workers_during);
	rc->ro_during = tlbt_during_ro_end(&d, &ws);
	ret = tlbt_workers_stop(&ws, &rc->o);
	if (cmd_ret)
		return cmd_ret;
	if (ret)
		return ret;
	return tlbt_results_read(a, &rc->r);
}

int tlbt_race_cmd(struct tlbt_arena *a, size_t first, size_t pages,
		  int issuer_cpu, const char *cmd, struct tlbt_raced *rc)
{
	return tlbt_race_cmd_ro(a, first, pages, 0, 0, issuer_cpu, cmd, rc);
}

unsigned long long tlbt_read_corruption(const struct tlbt_oracle *o)
{
	return o->poison_reads + o->foreign_words + o->guard_hits;
}

/* Every corruption either oracle counted. */
unsigned long long tlbt_raced_corruption(const struct tlbt_raced *rc)
{
	const struct tlbt_result *r = &rc->r;

	return r->leaked_pages + r->leaked_bytes + r->poison_hits +
	       r->lost_dirty + tlbt_oracle_corruption(&rc->o);
}

/*
 * Native: flush handlers that ran on other CPUs with this mm in CR3.
 * cpu_flushes counts the issuer's own as well, one per shootdown: a
 * command runs in the mm, so its CPU is in mm_cpumask() and flushes.
 */
unsigned long long tlbt_remote_flushes(const struct tlbt_result *r)
{
	return r->cpu_flushes > r->shootdowns ?
	       r->cpu_flushes - r->shootdowns : 0;
}

/**
 * tlbt_race_missing - why a raced command never reached its race
 * @rc: the run
 *
 * Reached means: a worker accessed the pages while the command ran, and
 * (native backend) a shootdown's handler flushed on another CPU that held
 * the mm, i.e. a worker's TLB was in play. The kernel backend does not
 * report its flushes (ipis, cpu_flushes stay 0), so only the first holds
 * there.
 *
 * Return: NULL when reached, else the reason.
 */
const char *tlbt_race_missing(const struct tlbt_raced *rc)
{
	if (!rc->o.workers)
		return "no worker (one CPU)";
	if (!rc->during)
		return "no worker page visit while the command ran";
	/*
	 * A round's unsafe window is used only if a worker touches a page
	 * in it: fewer visits than rounds is a starved worker (one vCPU
	 * under PTI, blocked in faults), not a race (check-matrix
	 * 5level-pti-2: 72 visits in 200 rounds, nothing caught).
	 */
	if (rc->during < rc->r.rounds_done)
		return "fewer worker page visits than rounds while the command ran";
	if (!strcmp(rc->r.backend, "native") && !tlbt_remote_flushes(&rc->r))
		return "no shootdown flushed a worker CPU (cpu_flushes <= shootdowns)";
	return NULL;
}

/*
 * The tlbtorture runner: next to the calling binary (the guest,
 * selftests/build), else in PATH (make install puts it in bin/, the tests
 * under libexec/).
 */
int tlbt_runner_path(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	const char *path = getenv("PATH");
	char *slash;

	if (n > 0) {
		buf[n] = '\0';
		slash = strrchr(buf, '/');
		if (slash && (size_t)(slash - buf) + sizeof("/tlbtorture") <= size) {
			strcpy(slash, "/tlbtorture");
			if (!access(buf, X_OK))
				return 0;
		}
	}
	while (path && *path) {
		size_t len = strcspn(path, ":");

		snprintf(buf, size, "%.*s/tlbtorture", (int)len, path);
		if (len && !access(buf, X_OK))
			return 0;
		path += len + (path[len] == ':');
	}
	return -ENOENT;
}

/*
 * Run @runner with @args (NULL-terminated, at most 14), stdout and stderr
 * to @out. Return: its exit status, 128 + signal, or -errno.
 */
int tlbt_runner_exec(const char *runner, const char *const *args,
		     const char *out)
{
	return tlbt_runner_exec_split(runner, args, out, NULL);
}

/* The same, stderr to @err apart (NULL: to @out as well). */
int tlbt_runner_exec_split(const char *runner, const char *const *args,
			   const char *out, const char *err)
{
	const char *argv[16] = { runner };
	int st, fd, i;
	pid_t pid;

	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			_exit(127);
		dup2(fd, 1);
		if (err) {
			close(fd);
			fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
			if (fd < 0)
				_exit(127);
		}
		dup2(fd, 2);
		execv(runner, (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
