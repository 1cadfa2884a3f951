/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM tlbtorture

#if !defined(_TLBT_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TLBT_TRACE_H

#include <linux/tracepoint.h>
#include "tlbt_compat.h"

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

TRACE_EVENT(tlbt_flush,
	TP_PROTO(const char *backend, unsigned long idx, unsigned long nr,
		 bool full, unsigned int remote_cpus),
	TP_ARGS(backend, idx, nr, full, remote_cpus),
	TP_STRUCT__entry(
		__string(backend, backend)
		__field(unsigned long, idx)
		__field(unsigned long, nr)
		__field(bool, full)
		__field(unsigned int, remote_cpus)
	),
	TP_fast_assign(
		tlbt_assign_str(backend);
		__entry->idx = idx;
		__entry->nr = nr;
		__entry->full = full;
		__entry->remote_cpus = remote_cpus;
	),
	TP_printk("backend=%s idx=%lu nr=%lu full=%d remote_cpus=%u",
		  __get_str(backend), __entry->idx, __entry->nr,
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

/* An oracle hit: @kind is "leak" (write after copy) or "poison". */
TRACE_EVENT(tlbt_leak,
	TP_PROTO(const char *kind, unsigned long idx, unsigned long bytes),
	TP_ARGS(kind, idx, bytes),
	TP_STRUCT__entry(
		__string(kind, kind)
		__field(unsigned long, idx)
		__field(unsigned long, bytes)
	),
	TP_fast_assign(
		tlbt_assign_str(kind);
		__entry->idx = idx;
		__entry->bytes = bytes;
	),
	TP_printk("kind=%s idx=%lu bytes=%lu", __get_str(kind),
		  __entry->idx, __entry->bytes)
);

#endif /* _TLBT_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE tlbt_trace
#include <trace/define_trace.h>
