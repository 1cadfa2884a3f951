/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlbtorture protocol lists: the one definition of the keys, sequences,
 * flush policies, backends, break= values and result keys, shared by the
 * module, libtlbt, the runner and the fuzzer through tlbt_cmd.h.
 *
 * No include guard: each user defines the TLBT_LIST_*() it wants, includes
 * this file, and undefines it again (an X-macro list). Order matters: it
 * is the enums' order, the matrix's order and the results file's order.
 */

/* Keys of a command: TLBT_LIST_KEY(id, name). */
#ifdef TLBT_LIST_KEY
TLBT_LIST_KEY(START,	"start")
TLBT_LIST_KEY(PAGES,	"pages")
TLBT_LIST_KEY(ROUNDS,	"rounds")
TLBT_LIST_KEY(FLUSH,	"flush")
TLBT_LIST_KEY(BACKEND,	"backend")
TLBT_LIST_KEY(DST,	"dst")
TLBT_LIST_KEY(PUNCH,	"punch")
TLBT_LIST_KEY(ZAP,	"zap")
TLBT_LIST_KEY(BREAK,	"break")
#endif

/*
 * Sequences: TLBT_LIST_SEQ(id, name, extra keys, required keys, native
 * only, matrix). Extra keys are the ones beyond TLBT_KEY_COMMON. Native
 * only: it needs the module's own PTE edits, which the kernel backend's
 * zap_vma_ptes() cannot do. Matrix: raced by the runner's matrix and the
 * tests (sync has a single policy and nothing to race).
 */
#ifdef TLBT_LIST_SEQ
TLBT_LIST_SEQ(MIGRATE, "migrate", 0, 0, false, true)
TLBT_LIST_SEQ(MREMAP, "mremap",
	      TLBT_KEY_BIT(DST) | TLBT_KEY_BIT(PUNCH), TLBT_KEY_BIT(DST),
	      false, true)
TLBT_LIST_SEQ(RECLAIM, "reclaim", 0, 0, false, true)
TLBT_LIST_SEQ(MKCLEAN, "mkclean", TLBT_KEY_BIT(ZAP), 0, true, true)
TLBT_LIST_SEQ(SYNC, "sync", 0, 0, true, false)
#endif

/*
 * Flush policies: TLBT_LIST_POLICY(id, name, sequences, kind, native
 * only); the kinds are enum tlbt_policy_kind's. Every policy but a safe
 * one is native only, and so are the ones that need the module's own PTE
 * edits: the kernel's zap_vma_ptes() can only unmap, and only flush in
 * the right place. A new policy is one line here plus its round code in
 * the sequence's file (see README, "Adding a policy").
 */
#ifdef TLBT_LIST_POLICY
TLBT_LIST_POLICY(IMMEDIATE, "immediate",
		 TLBT_SEQ_BIT(MIGRATE) | TLBT_SEQ_BIT(MREMAP) |
		 TLBT_SEQ_BIT(RECLAIM) | TLBT_SEQ_BIT(MKCLEAN) |
		 TLBT_SEQ_BIT(SYNC), SAFE, false)
TLBT_LIST_POLICY(BATCHED, "batched",
		 TLBT_SEQ_BIT(MIGRATE) | TLBT_SEQ_BIT(MREMAP) |
		 TLBT_SEQ_BIT(RECLAIM), SAFE, false)
TLBT_LIST_POLICY(DIRTY_AWARE, "dirty-aware",
		 TLBT_SEQ_BIT(MREMAP), SAFE, true)
TLBT_LIST_POLICY(TLBGEN, "tlbgen", TLBT_SEQ_BIT(MKCLEAN), SAFE, true)
TLBT_LIST_POLICY(MM_PENDING, "mm-pending",
		 TLBT_SEQ_BIT(MKCLEAN), SAFE, true)
TLBT_LIST_POLICY(UNSAFE_COPY_BEFORE_FLUSH, "unsafe-copy-before-flush",
		 TLBT_SEQ_BIT(MIGRATE), STALE_TLB, true)
TLBT_LIST_POLICY(UNSAFE_RELEASE_BEFORE_FLUSH, "unsafe-release-before-flush",
		 TLBT_SEQ_BIT(MREMAP), STALE_TLB, true)
TLBT_LIST_POLICY(UNSAFE_WRITEBACK_BEFORE_FLUSH,
		 "unsafe-writeback-before-flush",
		 TLBT_SEQ_BIT(RECLAIM), STALE_TLB, true)
TLBT_LIST_POLICY(UNSAFE_IGNORE_DIRTY, "unsafe-ignore-dirty",
		 TLBT_SEQ_BIT(RECLAIM), DATA_LOSS, true)
TLBT_LIST_POLICY(UNSAFE_NO_FLUSH, "unsafe-no-flush",
		 TLBT_SEQ_BIT(MKCLEAN), STALE_TLB, true)
/* The benchmark's floor: a batched round without its flush. */
TLBT_LIST_POLICY(NONE, "none",
		 TLBT_SEQ_BIT(MIGRATE) | TLBT_SEQ_BIT(RECLAIM), BASELINE, true)
#endif

/* Flush backends: TLBT_LIST_BACKEND(id, name). */
#ifdef TLBT_LIST_BACKEND
TLBT_LIST_BACKEND(NATIVE,	"native")
TLBT_LIST_BACKEND(KERNEL,	"kernel")
#endif

/*
 * break=: positive controls for the native flush engine,
 * TLBT_LIST_BREAK(id, name). Each drops one step of the shootdown
 * protocol for the whole command, so that the oracles can show that step
 * matters. Native only; not with flush=none, which has no flush in its
 * rounds to break.
 *   skip-remote      flush only the issuing CPU: no IPI
 *   no-tlbgen        leave mm->context.tlb_gen alone
 *   no-user-invpcid  PTI+PCID: keep the user PCID's entries
 */
#ifdef TLBT_LIST_BREAK
TLBT_LIST_BREAK(NONE,			"none")
TLBT_LIST_BREAK(SKIP_REMOTE,		"skip-remote")
TLBT_LIST_BREAK(NO_TLBGEN,		"no-tlbgen")
TLBT_LIST_BREAK(NO_USER_INVPCID,	"no-user-invpcid")
#endif

/*
 * The results file: one "key: value" line per TLBT_LIST_RESULT(name,
 * field, type), in this order; new keys go at the end, so that earlier
 * ones keep their lines. @field is the member of user space's struct
 * tlbt_result, and of the module's (of its struct tlbt_cmd for CMD).
 *   SEQ, POLICY, BACKEND, BREAK  the command's value, by name
 *   CMD     a number of the command, bound to the arena
 *   ERROR   0, or the -errno that cut the command short (signed)
 *   COUNT   a count the command measured
 *   UNSAFE  1 when corruption is expected (tlbt_cmd_unsafe()), else 0
 */
#ifdef TLBT_LIST_RESULT
TLBT_LIST_RESULT("sequence",		sequence,	SEQ)
TLBT_LIST_RESULT("policy",		policy,		POLICY)
TLBT_LIST_RESULT("backend",		backend,	BACKEND)
TLBT_LIST_RESULT("start",		start,		CMD)
TLBT_LIST_RESULT("pages",		pages,		CMD)
TLBT_LIST_RESULT("rounds",		rounds,		CMD)
TLBT_LIST_RESULT("dst",			dst,		CMD)
TLBT_LIST_RESULT("punch",		punch,		CMD)
TLBT_LIST_RESULT("zap",			zap,		CMD)
TLBT_LIST_RESULT("error",		error,		ERROR)
TLBT_LIST_RESULT("rounds_done",		rounds_done,	COUNT)
TLBT_LIST_RESULT("shootdowns",		shootdowns,	COUNT)
TLBT_LIST_RESULT("ipis",		ipis,		COUNT)
TLBT_LIST_RESULT("invlpg_pages",	invlpg_pages,	COUNT)
TLBT_LIST_RESULT("full_flushes",	full_flushes,	COUNT)
TLBT_LIST_RESULT("cpu_flushes",		cpu_flushes,	COUNT)
TLBT_LIST_RESULT("cpu_skips",		cpu_skips,	COUNT)
TLBT_LIST_RESULT("pages_copied",	pages_copied,	COUNT)
TLBT_LIST_RESULT("leaked_pages",	leaked_pages,	COUNT)
TLBT_LIST_RESULT("leaked_bytes",	leaked_bytes,	COUNT)
TLBT_LIST_RESULT("poison_hits",		poison_hits,	COUNT)
TLBT_LIST_RESULT("lost_dirty",		lost_dirty,	COUNT)
TLBT_LIST_RESULT("writebacks",		writebacks,	COUNT)
TLBT_LIST_RESULT("flushes_avoided",	flushes_avoided, COUNT)
TLBT_LIST_RESULT("ns_total",		ns_total,	COUNT)
TLBT_LIST_RESULT("ns_per_page",		ns_per_page,	COUNT)
TLBT_LIST_RESULT("break",		brk,		BREAK)
TLBT_LIST_RESULT("unsafe",		unsafe,		UNSAFE)
TLBT_LIST_RESULT("units_skipped",	units_skipped,	COUNT)
#endif
