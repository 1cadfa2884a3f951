// SPDX-License-Identifier: GPL-2.0
/* Instantiates the tlbtorture tracepoints (events/tlbtorture/). */
#include <linux/build_bug.h>
#define CREATE_TRACE_POINTS
#include "tlbt_trace.h"

/* Each __print_symbolic() table in tlbt_trace.h ends at its enum's end. */
static_assert(TLBT_SEQ_SYNC + 1 == TLBT_SEQ_NR);
static_assert(TLBT_POL_NONE + 1 == TLBT_POL_NR);
static_assert(TLBT_BACKEND_KERNEL + 1 == TLBT_BACKEND_NR);
static_assert(TLBT_FLUSH_KERNEL + 1 == TLBT_FLUSH_KIND_NR);
static_assert(TLBT_LEAK_LOST_DIRTY + 1 == TLBT_LEAK_KIND_NR);
