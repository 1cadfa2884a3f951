/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlbtorture protocol: the command grammar "<sequence> [key=value]..."
 * and the results file's keys, shared by the module, libtlbt, the runner
 * and the fuzzer. With the lists of tlbt_proto.h, from which every enum
 * and name table is generated, it is the only definition of the
 * sequences, policies, backends, break= values, keys, limits and result
 * keys.
 *
 * Parsing is pure string work with no kernel dependency, so tlbt_cmd.c
 * builds into the module and into user space alike.
 */
#ifndef TLBT_CMD_H
#define TLBT_CMD_H

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/types.h>
#include <linux/errno.h>
#else
#include <assert.h>
#include <stddef.h>
#include <stdbool.h>
#include <errno.h>
#include <linux/types.h>
#define u64 __u64
#endif

#define TLBT_CMD_MAX_LEN	511		/* longest command written */
#define TLBT_MAX_ROUNDS		1000000ULL	/* rounds= */
#define TLBT_KNOB_MAX		262144UL	/* ceiling, max_pages */

/* Page-table unit of the tlbgen policy: one PTE table, 512 pages. */
#define TLBT_UNIT_PAGES		512

/* Key indexes, and their bits in tlbt_cmd.given and the key masks. */
enum tlbt_key {
#define TLBT_LIST_KEY(id, name) TLBT_KEY_##id,
#include "tlbt_proto.h"
#undef TLBT_LIST_KEY
	TLBT_KEY_NR,
};

#define TLBT_KEY_BIT(id)	(1U << TLBT_KEY_##id)
#define TLBT_KEY_ALL		((1U << TLBT_KEY_NR) - 1)
/* Keys every sequence takes. */
#define TLBT_KEY_COMMON		(TLBT_KEY_BIT(START) | TLBT_KEY_BIT(PAGES) | \
				 TLBT_KEY_BIT(ROUNDS) | TLBT_KEY_BIT(FLUSH) | \
				 TLBT_KEY_BIT(BACKEND) | TLBT_KEY_BIT(BREAK))

enum tlbt_seq {
#define TLBT_LIST_SEQ(id, name, keys, required, native, matrix) TLBT_SEQ_##id,
#include "tlbt_proto.h"
#undef TLBT_LIST_SEQ
	TLBT_SEQ_NR,
};

#define TLBT_SEQ_BIT(id)	(1U << TLBT_SEQ_##id)

/*
 * What a policy's run must show:
 * safe: no corruption, once its race is reached;
 * stale-tlb: an unsafe ordering, whose stale TLB entry must be caught;
 * data-loss: no TLB involved (unsafe-ignore-dirty clears the dirty flag
 *	itself, so every page written since its writeback is lost whether
 *	or not a stale entry exists): the oracles must count the loss;
 * baseline: no flush in the rounds, the benchmark's floor (flush=none).
 * Every kind but safe expects corruption: the results' "unsafe: 1".
 */
enum tlbt_policy_kind {
	TLBT_POLICY_SAFE,
	TLBT_POLICY_STALE_TLB,
	TLBT_POLICY_DATA_LOSS,
	TLBT_POLICY_BASELINE,
};

enum tlbt_policy {
#define TLBT_LIST_POLICY(id, name, seqs, kind, native) TLBT_POL_##id,
#include "tlbt_proto.h"
#undef TLBT_LIST_POLICY
	TLBT_POL_NR,
};

enum tlbt_backend {
#define TLBT_LIST_BACKEND(id, name) TLBT_BACKEND_##id,
#include "tlbt_proto.h"
#undef TLBT_LIST_BACKEND
	TLBT_BACKEND_NR,
};

enum tlbt_break {
#define TLBT_LIST_BREAK(id, name) TLBT_BREAK_##id,
#include "tlbt_proto.h"
#undef TLBT_LIST_BREAK
	TLBT_BREAK_NR,
};

enum tlbt_result_key {
#define TLBT_LIST_RESULT(name, field, type) TLBT_RK_##field,
#include "tlbt_proto.h"
#undef TLBT_LIST_RESULT
	TLBT_NR_RESULT_KEYS,
};

enum tlbt_result_type {
	TLBT_RT_SEQ,
	TLBT_RT_POLICY,
	TLBT_RT_BACKEND,
	TLBT_RT_BREAK,
	TLBT_RT_CMD,
	TLBT_RT_ERROR,
	TLBT_RT_COUNT,
	TLBT_RT_UNSAFE,
};

struct tlbt_seq_info {
	const char *name;
	unsigned int keys;	/* beyond TLBT_KEY_COMMON */
	unsigned int required;
	bool native_only;
	bool matrix;
};

struct tlbt_policy_info {
	const char *name;
	unsigned int seqs;	/* TLBT_SEQ_BIT()s */
	enum tlbt_policy_kind kind;
	bool native_only;
};

struct tlbt_result_info {
	const char *name;
	enum tlbt_result_type type;
};

extern const struct tlbt_seq_info tlbt_seq_infos[TLBT_SEQ_NR];
extern const struct tlbt_policy_info tlbt_policy_infos[TLBT_POL_NR];
extern const char * const tlbt_key_names[TLBT_KEY_NR];
extern const char * const tlbt_backend_names[TLBT_BACKEND_NR];
extern const char * const tlbt_break_names[TLBT_BREAK_NR];
extern const struct tlbt_result_info tlbt_result_infos[TLBT_NR_RESULT_KEYS];

static_assert(TLBT_KEY_NR <= 32, "key masks are unsigned int");
static_assert(TLBT_SEQ_NR <= 32, "sequence masks are unsigned int");
static_assert(TLBT_BREAK_NONE == 0, "a zeroed command breaks nothing");

struct tlbt_cmd {
	enum tlbt_seq seq;
	enum tlbt_policy policy;
	enum tlbt_backend backend;
	u64 start;
	u64 pages;
	u64 rounds;
	u64 dst;	/* mremap: first destination page */
	u64 punch;	/* mremap: pages a racing punch releases early */
	u64 zap;	/* mkclean: pages a racing zap unmaps, flush deferred */
	enum tlbt_break brk;	/* break=: a part of the engine left out */
	unsigned int given;
};

int tlbt_cmd_parse(const char *buf, size_t len, struct tlbt_cmd *cmd);
int tlbt_cmd_bind(struct tlbt_cmd *cmd, u64 arena_pages);
int tlbt_parse_u64(const char *s, size_t n, u64 *out);

const char *tlbt_seq_name(enum tlbt_seq seq);
const char *tlbt_policy_name(enum tlbt_policy policy);
const char *tlbt_backend_name(enum tlbt_backend backend);
const char *tlbt_break_name(enum tlbt_break brk);
int tlbt_seq_lookup(const char *name);
int tlbt_policy_lookup(const char *name);
int tlbt_backend_lookup(const char *name);
bool tlbt_policy_unsafe(enum tlbt_policy policy);
bool tlbt_cmd_unsafe(const struct tlbt_cmd *cmd);

#endif /* TLBT_CMD_H */
