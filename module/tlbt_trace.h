/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM tlbtorture

#if !defined(_TLBT_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TLBT_TRACE_H

#include <linux/tracepoint.h>
#include "tlbt.h"

/*
 * The fixed sets, printed with __print_symbolic(): the enums of
 * tlbt_cmd.h, named as tlbt_cmd.c spells them, and the event kinds of
 * tlbt.h. tlbt_trace.c checks that each table ends at its enum's last
 * value. TRACE_DEFINE_ENUM() puts the values into the format files, so
 * that trace-cmd and kernelshark can decode them.
 */
TRACE_DEFINE_ENUM(TLBT_SEQ_MIGRATE);
TRACE_DEFINE_ENUM(TLBT_SEQ_MREMAP);
TRACE_DEFINE_ENUM(TLBT_SEQ_RECLAIM);
TRACE_DEFINE_ENUM(TLBT_SEQ_MKCLEAN);
TRACE_DEFINE_ENUM(TLBT_SEQ_SYNC);

#define tlbt_show_seq(v)						\
	__print_symbolic(v,						\
		{ TLBT_SEQ_MIGRATE, "migrate" },			\
		{ TLBT_SEQ_MREMAP, "mremap" },				\
		{ TLBT_SEQ_RECLAIM, "reclaim" },			\
		{ TLBT_SEQ_MKCLEAN, "mkclean" },			\
		{ TLBT_SEQ_SYNC, "sync" })

TRACE_DEFINE_ENUM(TLBT_POL_IMMEDIATE);
TRACE_DEFINE_ENUM(TLBT_POL_BATCHED);
TRACE_DEFINE_ENUM(TLBT_POL_DIRTY_AWARE);
TRACE_DEFINE_ENUM(TLBT_POL_TLBGEN);
TRACE_DEFINE_ENUM(TLBT_POL_MM_PENDING);
TRACE_DEFINE_ENUM(TLBT_POL_UNSAFE_COPY_BEFORE_FLUSH);
TRACE_DEFINE_ENUM(TLBT_POL_UNSAFE_RELEASE_BEFORE_FLUSH);
TRACE_DEFINE_ENUM(TLBT_POL_UNSAFE_WRITEBACK_BEFORE_FLUSH);
TRACE_DEFINE_ENUM(TLBT_POL_UNSAFE_IGNORE_DIRTY);
TRACE_DEFINE_ENUM(TLBT_POL_UNSAFE_NO_FLUSH);
TRACE_DEFINE_ENUM(TLBT_POL_NONE);

#define tlbt_show_policy(v)						\
	__print_symbolic(v,						\
		{ TLBT_POL_IMMEDIATE, "immediate" },			\
		{ TLBT_POL_BATCHED, "batched" },			\
		{ TLBT_POL_DIRTY_AWARE, "dirty-aware" },		\
		{ TLBT_POL_TLBGEN, "tlbgen" },				\
		{ TLBT_POL_MM_PENDING, "mm-pending" },			\
		{ TLBT_POL_UNSAFE_COPY_BEFORE_FLUSH,			\
		  "unsafe-copy-before-flush" },				\
		{ TLBT_POL_UNSAFE_RELEASE_BEFORE_FLUSH,			\
		  "unsafe-release-before-flush" },			\
		{ TLBT_POL_UNSAFE_WRITEBACK_BEFORE_FLUSH,		\
		  "unsafe-writeback-before-flush" },			\
		{ TLBT_POL_UNSAFE_IGNORE_DIRTY, "unsafe-ignore-dirty" },	\
		{ TLBT_POL_UNSAFE_NO_FLUSH, "unsafe-no-flush" },	\
		{ TLBT_POL_NONE, "none" })

TRACE_DEFINE_ENUM(TLBT_BACKEND_NATIVE);
TRACE_DEFINE_ENUM(TLBT_BACKEND_KERNEL);

#define tlbt_show_backend(v)						\
	__print_symbolic(v,						\
		{ TLBT_BACKEND_NATIVE, "native" },			\
		{ TLBT_BACKEND_KERNEL, "kernel" })

TRACE_DEFINE_ENUM(TLBT_FLUSH_NATIVE);
TRACE_DEFINE_ENUM(TLBT_FLUSH_REPAIR);
TRACE_DEFINE_ENUM(TLBT_FLUSH_KERNEL);

#define tlbt_show_flush_kind(v)						\
	__print_symbolic(v,						\
		{ TLBT_FLUSH_NATIVE, "native" },			\
		{ TLBT_FLUSH_REPAIR, "repair" },			\
		{ TLBT_FLUSH_KERNEL, "kernel" })

TRACE_DEFINE_ENUM(TLBT_LEAK_LEAK);
TRACE_DEFINE_ENUM(TLBT_LEAK_POISON);
TRACE_DEFINE_ENUM(TLBT_LEAK_LOST_DIRTY);

#define tlbt_show_leak_kind(v)						\
	__print_symbolic(v,						\
		{ TLBT_LEAK_LEAK, "leak" },				\
		{ TLBT_LEAK_POISON, "poison" },				\
		{ TLBT_LEAK_LOST_DIRTY, "lost_dirty" })

/*
 * A command's span, cmd_begin to cmd_end, and each round's inside it,
 * round_begin to round_end: kernelshark draws them, and
 * scripts/trace-sequence.sh charges the phase events to them. A
 * command refused before it runs (parse, bind, ENOMEM) has no span.
 */
DECLARE_EVENT_CLASS(tlbt_cmd_span,
	TP_PROTO(const struct tlbt_cmd *cmd, u64 rounds, int error),
	TP_ARGS(cmd, rounds, error),
	TP_STRUCT__entry(
		__field(unsigned int, seq)
		__field(unsigned int, policy)
		__field(unsigned int, backend)
		__field(u64, start)
		__field(u64, pages)
		__field(u64, rounds)
		__field(int, error)
	),
	TP_fast_assign(
		__entry->seq = cmd->seq;
		__entry->policy = cmd->policy;
		__entry->backend = cmd->backend;
		__entry->start = cmd->start;
		__entry->pages = cmd->pages;
		__entry->rounds = rounds;
		__entry->error = error;
	),
	TP_printk("seq=%s policy=%s backend=%s start=%llu pages=%llu rounds=%llu error=%d",
		  tlbt_show_seq(__entry->seq),
		  tlbt_show_policy(__entry->policy),
		  tlbt_show_backend(__entry->backend),
		  __entry->start, __entry->pages, __entry->rounds,
		  __entry->error)
);

/* @rounds: those asked for; @error: 0 */
DEFINE_EVENT(tlbt_cmd_span, tlbt_cmd_begin,
	TP_PROTO(const struct tlbt_cmd *cmd, u64 rounds, int error),
	TP_ARGS(cmd, rounds, error));

/* @rounds: those done; @error: the command's, 0 or -errno */
DEFINE_EVENT(tlbt_cmd_span, tlbt_cmd_end,
	TP_PROTO(const struct tlbt_cmd *cmd, u64 rounds, int error),
	TP_ARGS(cmd, rounds, error));

/* @round counts from 0; round_end fires before the round's locks drop. */
DECLARE_EVENT_CLASS(tlbt_round_span,
	TP_PROTO(const struct tlbt_cmd *cmd, u64 round),
	TP_ARGS(cmd, round),
	TP_STRUCT__entry(
		__field(unsigned int, seq)
		__field(unsigned int, policy)
		__field(unsigned int, backend)
		__field(u64, pages)
		__field(u64, round)
	),
	TP_fast_assign(
		__entry->seq = cmd->seq;
		__entry->policy = cmd->policy;
		__entry->backend = cmd->backend;
		__entry->pages = cmd->pages;
		__entry->round = round;
	),
	TP_printk("seq=%s policy=%s backend=%s pages=%llu round=%llu",
		  tlbt_show_seq(__entry->seq),
		  tlbt_show_policy(__entry->policy),
		  tlbt_show_backend(__entry->backend),
		  __entry->pages, __entry->round)
);

DEFINE_EVENT(tlbt_round_span, tlbt_round_begin,
	TP_PROTO(const struct tlbt_cmd *cmd, u64 round),
	TP_ARGS(cmd, round));

DEFINE_EVENT(tlbt_round_span, tlbt_round_end,
	TP_PROTO(const struct tlbt_cmd *cmd, u64 round),
	TP_ARGS(cmd, round));

/*
 * Every sequence event fires when its step is done, so the time between
 * two events is the later one's. Arena page indices, not addresses: they
 * read the same in every run.
 */
DECLARE_EVENT_CLASS(tlbt_range,
	TP_PROTO(unsigned long idx, unsigned long nr),
	TP_ARGS(idx, nr),
	TP_STRUCT__entry(
		__field(unsigned long, idx)
		__field(unsigned long, nr)
	),
	TP_fast_assign(
		__entry->idx = idx;
		__entry->nr = nr;
	),
	TP_printk("idx=%lu nr=%lu", __entry->idx, __entry->nr)
);

DEFINE_EVENT(tlbt_range, tlbt_unmap,
	TP_PROTO(unsigned long idx, unsigned long nr),
	TP_ARGS(idx, nr));

DEFINE_EVENT(tlbt_range, tlbt_remap,
	TP_PROTO(unsigned long idx, unsigned long nr),
	TP_ARGS(idx, nr));

/* @kind: the native engine, its repair flush, or the kernel's zap */
TRACE_EVENT(tlbt_flush,
	TP_PROTO(enum tlbt_flush_kind kind, unsigned long idx, unsigned long nr,
		 bool full, unsigned int remote_cpus),
	TP_ARGS(kind, idx, nr, full, remote_cpus),
	TP_STRUCT__entry(
		__field(unsigned int, kind)
		__field(unsigned long, idx)
		__field(unsigned long, nr)
		__field(bool, full)
		__field(unsigned int, remote_cpus)
	),
	TP_fast_assign(
		__entry->kind = kind;
		__entry->idx = idx;
		__entry->nr = nr;
		__entry->full = full;
		__entry->remote_cpus = remote_cpus;
	),
	TP_printk("backend=%s idx=%lu nr=%lu full=%d remote_cpus=%u",
		  tlbt_show_flush_kind(__entry->kind),
		  __entry->idx, __entry->nr,
		  __entry->full, __entry->remote_cpus)
);

/* On each CPU an IPI reached: flushed, or skipped because it switched away. */
TRACE_EVENT(tlbt_ipi,
	TP_PROTO(unsigned long idx, unsigned long nr, bool full, bool flushed),
	TP_ARGS(idx, nr, full, flushed),
	TP_STRUCT__entry(
		__field(unsigned long, idx)
		__field(unsigned long, nr)
		__field(bool, full)
		__field(bool, flushed)
	),
	TP_fast_assign(
		__entry->idx = idx;
		__entry->nr = nr;
		__entry->full = full;
		__entry->flushed = flushed;
	),
	TP_printk("idx=%lu nr=%lu full=%d flushed=%d", __entry->idx,
		  __entry->nr, __entry->full, __entry->flushed)
);

TRACE_EVENT(tlbt_copy,
	TP_PROTO(unsigned long idx, unsigned long old_pfn, unsigned long new_pfn),
	TP_ARGS(idx, old_pfn, new_pfn),
	TP_STRUCT__entry(
		__field(unsigned long, idx)
		__field(unsigned long, old_pfn)
		__field(unsigned long, new_pfn)
	),
	TP_fast_assign(
		__entry->idx = idx;
		__entry->old_pfn = old_pfn;
		__entry->new_pfn = new_pfn;
	),
	TP_printk("idx=%lu old_pfn=0x%lx new_pfn=0x%lx", __entry->idx,
		  __entry->old_pfn, __entry->new_pfn)
);

/*
 * An oracle hit: a write after the copy (leak; lost_dirty when the
 * write went to a page dropped as clean) or a poisoned frame written
 * (poison; @idx is then its pfn).
 */
TRACE_EVENT(tlbt_leak,
	TP_PROTO(enum tlbt_leak_kind kind, unsigned long idx,
		 unsigned long bytes),
	TP_ARGS(kind, idx, bytes),
	TP_STRUCT__entry(
		__field(unsigned int, kind)
		__field(unsigned long, idx)
		__field(unsigned long, bytes)
	),
	TP_fast_assign(
		__entry->kind = kind;
		__entry->idx = idx;
		__entry->bytes = bytes;
	),
	TP_printk("kind=%s idx=%lu bytes=%lu",
		  tlbt_show_leak_kind(__entry->kind),
		  __entry->idx, __entry->bytes)
);

#endif /* _TLBT_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE tlbt_trace
#include <trace/define_trace.h>
