// SPDX-License-Identifier: GPL-2.0
/* Instantiates the tlbtorture tracepoints (events/tlbtorture/). */
#define CREATE_TRACE_POINTS
#include "tlbt_trace.h"
