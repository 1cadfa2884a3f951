/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libtlbt: user-space side of tlbtorture.
 *
 * The arena (open, mmap, commands, results), the global knobs, and the
 * sequences the runner knows. The workers that form the user-space
 * oracle are tlbt_workers.h's, shared with the kernel-path tests.
 */
#ifndef LIBTLBT_H
#define LIBTLBT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlbt_workers.h"

#define TLBT_DEBUGFS		"/sys/kernel/debug/tlbtorture"
#define TLBT_CMD_MAX		511	/* longest command the module takes */
#define TLBT_MAX_ROUNDS		1000000ULL
#define TLBT_KNOB_MAX		262144UL
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif
#define TLBT_NR_RESULT_KEYS	26	/* 3 strings, 23 numbers */

/* One open arena file; @base is NULL while it is not mapped. */
struct tlbt_arena {
	int fd;
	volatile uint64_t *base;
	size_t pages;
};

/* Every key of the results file; numbers are 0 when a key is absent. */
struct tlbt_result {
	char sequence[32];
	char policy[48];
	char backend[16];
	unsigned long long start;
	unsigned long long pages;
	unsigned long long rounds;
	unsigned long long dst;		/* mremap destination */
	unsigned long long punch;	/* mremap: pages the racing punch released */
	unsigned long long zap;		/* mkclean: pages of the racing zap */
	long long error;		/* 0, or the -errno that cut it short */
	unsigned long long rounds_done;
	unsigned long long shootdowns;
	unsigned long long ipis;
	unsigned long long invlpg_pages;
	unsigned long long full_flushes;
	unsigned long long cpu_flushes;
	unsigned long long cpu_skips;
	unsigned long long pages_copied;
	unsigned long long leaked_pages;
	unsigned long long leaked_bytes;
	unsigned long long poison_hits;
	unsigned long long lost_dirty;
	unsigned long long writebacks;
	unsigned long long flushes_avoided;
	unsigned long long ns_total;
	unsigned long long ns_per_page;
	unsigned int nr_keys;		/* known keys found, strings included */
};

/* Arena */
bool tlbt_module_loaded(void);
int tlbt_arena_fd_open(struct tlbt_arena *a);
int tlbt_arena_map(struct tlbt_arena *a, size_t pages);
int tlbt_arena_unmap(struct tlbt_arena *a);
int tlbt_arena_open(struct tlbt_arena *a, size_t pages);
void tlbt_arena_close(struct tlbt_arena *a);

/* Small files: the whole of @path into @buf, NUL-terminated; -errno */
int tlbt_read_file(const char *path, char *buf, size_t size);

/* Global knobs and stats */
int tlbt_knob_read(const char *name, unsigned long *v);
int tlbt_knob_write(const char *name, unsigned long v);
int tlbt_stats_get(const char *key, unsigned long *v);
int tlbt_flush_caps(bool *pti, bool *pcid, bool *invpcid);
/*
 * PTI on and no PCID: every return to user space writes CR3 and drops the
 * CPU's whole TLB, so a shootdown IPI for any range also kills every stale
 * entry on the CPUs it reaches. mremap's punch flushes the destination
 * with such an IPI to every worker CPU before it releases a frame, so
 * release-before-flush cannot corrupt there (TCG pti=on; pre-PCID CPUs).
 */
bool tlbt_pti_without_pcid(void);
#define TLBT_PTI_MASKS_MREMAP \
	"PTI without PCID: the punch's shootdown IPI makes every worker CPU " \
	"reload CR3 before the release, which drops the stale source entries " \
	"too; asserting that masking instead"

/* Commands and results */
int tlbt_cmd(struct tlbt_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int tlbt_cmd_raw(struct tlbt_arena *a, const char *buf, size_t len);
int tlbt_results_text(struct tlbt_arena *a, char *buf, size_t size);
/* One unsigned key of the results; "error" needs tlbt_results_read(). */
int tlbt_result_get(struct tlbt_arena *a, const char *key,
		    unsigned long long *v);
int tlbt_results_read(struct tlbt_arena *a, struct tlbt_result *r);
int tlbt_results_parse(const char *text, struct tlbt_result *r);
int tlbt_kv_find(const char *text, const char *key, const char **val);

/*
 * The workers (tlbt_workers.h) hammer [@base, @base + @pages pages): pass
 * tlbt_arena_page(a, start) to keep them on a sub-range, as mremap needs
 * (its destination must stay untouched).
 */
static inline volatile uint64_t *tlbt_arena_page(const struct tlbt_arena *a,
						 size_t idx)
{
	return a->base + idx * TLBT_SLOTS_PER_PAGE;
}

/*
 * Sequences, policies and backends known to the runner's matrix. sync has
 * a single policy and nothing to race, so it is not among them.
 */
struct tlbt_seq_desc {
	const char *name;
	const char *const *policies;	/* NULL-terminated */
	const char *const *kernel;	/* the ones backend=kernel takes, or NULL */
	bool has_dst;			/* mremap: dst= required, punch= */
	bool has_zap;			/* mkclean: zap= */
};

extern const struct tlbt_seq_desc tlbt_sequences[];
extern const char *const tlbt_backends[];	/* NULL-terminated */
const struct tlbt_seq_desc *tlbt_seq_find(const char *name);
bool tlbt_policy_is_unsafe(const char *policy);
bool tlbt_combo_supported(const char *seq, const char *policy,
			  const char *backend);
size_t tlbt_seq_arena_pages(const struct tlbt_seq_desc *s, size_t pages);
int tlbt_seq_cmd(char *buf, size_t size, const struct tlbt_seq_desc *s,
		 unsigned long long pages, unsigned long long rounds,
		 const char *policy, const char *backend);

#endif /* LIBTLBT_H */
