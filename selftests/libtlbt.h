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
#include "tlbt_cmd.h"

#define TLBT_DEBUGFS		"/sys/kernel/debug/tlbtorture"
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

/* One open arena file; @base is NULL while it is not mapped. */
struct tlbt_arena {
	int fd;
	volatile uint64_t *base;
	size_t pages;
};

/*
 * Every key of the results file (TLBT_LIST_RESULT() in tlbt_proto.h), one
 * member each: strings for the names, long long for error, unsigned long
 * long for the numbers. A key that is absent leaves its member 0.
 */
#define TLBT_RESULT_SEQ(f)	char f[32];
#define TLBT_RESULT_POLICY(f)	char f[48];
#define TLBT_RESULT_BACKEND(f)	char f[16];
#define TLBT_RESULT_BREAK(f)	char f[24];
#define TLBT_RESULT_CMD(f)	unsigned long long f;
#define TLBT_RESULT_ERROR(f)	long long f;
#define TLBT_RESULT_COUNT(f)	unsigned long long f;
#define TLBT_RESULT_UNSAFE(f)	unsigned long long f;

struct tlbt_result {
#define TLBT_LIST_RESULT(name, field, type) TLBT_RESULT_##type(field)
#include "tlbt_proto.h"
#undef TLBT_LIST_RESULT
	unsigned int nr_keys;		/* known keys found, strings included */
};

/* Arena */
bool tlbt_module_loaded(void);
const char *tlbt_module_unusable(void);	/* why not, or NULL */
int tlbt_arena_fd_open(struct tlbt_arena *a);
int tlbt_arena_map(struct tlbt_arena *a, size_t pages);
int tlbt_arena_unmap(struct tlbt_arena *a);
int tlbt_arena_open(struct tlbt_arena *a, size_t pages);
void tlbt_arena_close(struct tlbt_arena *a);

/* Small files: the whole of @path into @buf, NUL-terminated; -errno */
int tlbt_read_file(const char *path, char *buf, size_t size);

/*
 * User space's one number parser: the command grammar's (tlbt_parse_u64():
 * decimal or 0x-hex, never octal), over all of @s. 0, -EINVAL or -ERANGE.
 */
int tlbt_parse_number(const char *s, unsigned long long *v);

/* Global knobs and stats */
int tlbt_knob_read(const char *name, unsigned long *v);
int tlbt_knob_write(const char *name, unsigned long v);
int tlbt_stats_get(const char *key, unsigned long *v);
int tlbt_flush_caps(bool *pti, bool *pcid, bool *invpcid);

/*
 * mremap's unsafe-release-before-flush is masked (no stale source entry
 * outlives the punch's shootdown, which comes before every release)
 * exactly when PTI is on without both PCID and INVPCID, or when the punch
 * is over the ceiling. tlbt_mremap_masked_by() is the predicate, with the
 * reasoning; tlbt_mremap_masked() applies it to this machine.
 */
bool tlbt_mremap_masked_by(bool pti, bool pcid, bool invpcid,
			   unsigned long long punch, unsigned long ceiling);
bool tlbt_mremap_masked(unsigned long long punch);
#define TLBT_PTI_MASKS_MREMAP \
	"masked here (tlbt_mremap_masked()): the punch's shootdown drops " \
	"every stale source entry on the worker CPUs before the release; " \
	"asserting that masking instead"
/* The tlbtorture runner, for the tests that drive it */
int tlbt_runner_path(char *buf, size_t size);
int tlbt_runner_exec(const char *runner, const char *const *args,
		     const char *out);
int tlbt_runner_exec_split(const char *runner, const char *const *args,
			   const char *out, const char *err);

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
 * The sequences of the runner's matrix (tlbt_seq_info.matrix) with their
 * policies, in tlbt_proto.h's order and built from its lists: the
 * benchmark's baseline flush=none is not among them.
 */
struct tlbt_seq_desc {
	const char *name;
	const char *const *policies;	/* NULL-terminated */
	const char *const *kernel;	/* the ones backend=kernel takes */
	bool has_dst;			/* mremap: dst= required, punch= */
	bool has_zap;			/* mkclean: zap= */
};

extern const struct tlbt_seq_desc tlbt_sequences[];
extern const char *const tlbt_backends[];	/* NULL-terminated */
const struct tlbt_seq_desc *tlbt_seq_find(const char *name);

/*
 * What a policy's run must show (enum tlbt_policy_kind in tlbt_cmd.h):
 * unsafe-ignore-dirty is TLBT_POLICY_DATA_LOSS, reported apart from the
 * stale-TLB controls. An unknown name is TLBT_POLICY_SAFE.
 */
enum tlbt_policy_kind tlbt_policy_kind(const char *policy);
bool tlbt_combo_supported(const char *seq, const char *policy,
			  const char *backend);
size_t tlbt_seq_arena_pages(const struct tlbt_seq_desc *s, size_t pages);
int tlbt_seq_cmd(char *buf, size_t size, const struct tlbt_seq_desc *s,
		 unsigned long long pages, unsigned long long rounds,
		 const char *policy, const char *backend);

/*
 * Worker page visits made wholly between two samples: a visit counts only
 * when the worker published its previous one after the first sample
 * (tlbt_worker.visits, stored after each visit), so every access of it
 * came after that sample and before the second. Taken right around the
 * command's write(), they count accesses during the command; the window
 * also holds the write()'s entry and exit, microseconds against the
 * command's milliseconds.
 */
struct tlbt_during {
	unsigned int nr;
	unsigned long long visits[TLBT_MAX_WORKERS];
	unsigned long long ro_visits[TLBT_MAX_WORKERS];
};

void tlbt_during_start(struct tlbt_during *d, struct tlbt_workers *ws);
unsigned long long tlbt_during_end(const struct tlbt_during *d,
				   struct tlbt_workers *ws,
				   unsigned int *workers);
unsigned long long tlbt_during_ro_end(const struct tlbt_during *d,
				      struct tlbt_workers *ws);

/* One command raced by workers: both oracles and what shows the race. */
struct tlbt_raced {
	struct tlbt_result r;
	struct tlbt_oracle o;
	unsigned long long during;	/* whole worker page visits while it ran */
	unsigned int workers_during;	/* workers that made one */
	unsigned long long ro_during;	/* of them, to read-only pages */
};

/*
 * The workers run in the checked layout (tlbt_workers.h: TLBT_ARENA),
 * which they write before the command; tlbt_race_cmd_ro() has them only
 * read the pages [@ro_first, @ro_first + @ro_pages) of their range.
 */
int tlbt_race_cmd(struct tlbt_arena *a, size_t first, size_t pages,
		  int issuer_cpu, const char *cmd, struct tlbt_raced *rc);
int tlbt_race_cmd_ro(struct tlbt_arena *a, size_t first, size_t pages,
		     size_t ro_first, size_t ro_pages, int issuer_cpu,
		     const char *cmd, struct tlbt_raced *rc);
/* What the reads and guards saw (poison, foreign words, guard hits). */
unsigned long long tlbt_read_corruption(const struct tlbt_oracle *o);
unsigned long long tlbt_raced_corruption(const struct tlbt_raced *rc);
unsigned long long tlbt_remote_flushes(const struct tlbt_result *r);
const char *tlbt_race_missing(const struct tlbt_raced *rc);


#endif /* LIBTLBT_H */
