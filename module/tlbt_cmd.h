/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlbtorture command grammar: "<sequence> [key=value]...".
 *
 * Parsing is pure string work with no kernel dependency, so the same
 * source builds into the module and into a user-space fuzz harness.
 */
#ifndef TLBT_CMD_H
#define TLBT_CMD_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#else
#include <stddef.h>
#include <stdbool.h>
#include <errno.h>
#include <linux/types.h>
#define u64 __u64
#endif

#define TLBT_CMD_MAX_LEN	511
#define TLBT_MAX_ROUNDS		1000000ULL

enum tlbt_seq {
	TLBT_SEQ_MIGRATE,
	TLBT_SEQ_MREMAP,
	TLBT_SEQ_RECLAIM,
	TLBT_SEQ_MKCLEAN,
	TLBT_SEQ_SYNC,
	TLBT_SEQ_NR,
};

enum tlbt_policy {
	TLBT_POL_IMMEDIATE,
	TLBT_POL_BATCHED,
	TLBT_POL_DIRTY_AWARE,
	TLBT_POL_TLBGEN,
	TLBT_POL_MM_PENDING,
	TLBT_POL_UNSAFE_COPY_BEFORE_FLUSH,
	TLBT_POL_UNSAFE_RELEASE_BEFORE_FLUSH,
	TLBT_POL_UNSAFE_WRITEBACK_BEFORE_FLUSH,
	TLBT_POL_UNSAFE_IGNORE_DIRTY,
	TLBT_POL_UNSAFE_NO_FLUSH,
	TLBT_POL_NONE,
	TLBT_POL_NR,
};

enum tlbt_backend {
	TLBT_BACKEND_NATIVE,
	TLBT_BACKEND_KERNEL,
	TLBT_BACKEND_NR,
};

/*
 * break=: positive controls for the native flush engine. Each drops one
 * step of the shootdown protocol for the whole command, so that the
 * oracles can show that step matters. Native only; not with flush=none,
 * which has no flush in its rounds to break.
 */
enum tlbt_break {
	TLBT_BREAK_NONE,
	TLBT_BREAK_SKIP_REMOTE,		/* flush only the issuing CPU: no IPI */
	TLBT_BREAK_NO_TLBGEN,		/* leave mm->context.tlb_gen alone */
	TLBT_BREAK_NO_USER_INVPCID,	/* PTI+PCID: keep the user PCID's entries */
	TLBT_BREAK_NR,
};

/* Bits of tlbt_cmd.given: which keys the command spelled out. */
#define TLBT_KEY_START		(1U << 0)
#define TLBT_KEY_PAGES		(1U << 1)
#define TLBT_KEY_ROUNDS		(1U << 2)
#define TLBT_KEY_FLUSH		(1U << 3)
#define TLBT_KEY_BACKEND	(1U << 4)
#define TLBT_KEY_DST		(1U << 5)
#define TLBT_KEY_PUNCH		(1U << 6)
#define TLBT_KEY_ZAP		(1U << 7)
#define TLBT_KEY_BREAK		(1U << 8)
#define TLBT_KEY_ALL		((1U << 9) - 1)

/* Page-table unit of the tlbgen policy: one PTE table, 512 pages. */
#define TLBT_UNIT_PAGES		512

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

const char *tlbt_seq_name(enum tlbt_seq seq);
const char *tlbt_policy_name(enum tlbt_policy policy);
const char *tlbt_backend_name(enum tlbt_backend backend);
const char *tlbt_break_name(enum tlbt_break brk);
bool tlbt_policy_unsafe(enum tlbt_policy policy);
bool tlbt_cmd_unsafe(const struct tlbt_cmd *cmd);

#endif /* TLBT_CMD_H */
