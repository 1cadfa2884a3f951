#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run one tlbtorture sequence under trace-cmd and summarise the trace:
# time per phase (unmap, flush, copy, remap) on the issuing CPU, and which
# CPUs the flush reached. The trace.dat is kept for kernelshark.
#
#   trace-sequence.sh [-o FILE] [-r RUNNER] SEQUENCE [tlbtorture run options]
#   e.g. trace-sequence.sh migrate --flush=batched --pages=64 --rounds=20
#
# Phases: each tlbtorture event fires when its step is done, so the time
# since the previous event on the issuing CPU is charged to the event's
# phase (the gap between rounds lands in the next round's unmap). With
# backend=kernel, a zap unmaps and flushes: its time is all "unmap".
# POSIX sh and awk: runs under busybox too.
set -e

out=trace.dat
runner=tlbtorture
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2; shift 2 ;;
	-r) runner=$2; shift 2 ;;
	-h|--help) sed -n '3,13p' "$0"; exit 0 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: trace-sequence.sh [-o FILE] [-r RUNNER] SEQUENCE [options]" >&2; exit 2; }

trace-cmd record -q -o "$out" -e tlbtorture -e tlb:tlb_flush \
	"$runner" run "$@" >"$out.run.txt" 2>&1 || {
	cat "$out.run.txt" >&2
	exit 1
}
trace-cmd report -i "$out" >"$out.txt" 2>/dev/null

echo "# $runner run $*"
grep -E '^(sequence|policy|backend|pages|rounds|shootdowns|ipis|invlpg_pages|full_flushes|ns_per_page|leaked_pages|poison_hits|lost_dirty|lost_increments):' \
	"$out.run.txt" | sed 's/^/#   /'

awk '
# "  task-PID  [CPU]  SECONDS: event: fields"; trace-cmd may add flags.
{
	cpu = ""; ts = ""; ev = ""
	for (i = 1; i <= NF; i++) {
		if (cpu == "" && $i ~ /^\[[0-9]+\]$/) { cpu = substr($i, 2, length($i) - 2); continue }
		if (cpu != "" && ts == "" && $i ~ /^[0-9]+\.[0-9]+:$/) { ts = substr($i, 1, length($i) - 1); continue }
		if (ts != "" && ev == "" && $i ~ /:$/) { ev = substr($i, 1, length($i) - 1); break }
	}
	if (ev == "") next
	if (ev == "tlbt_ipi") {
		ipi[cpu]++
		if ($0 ~ /flushed=1/) ipi_flushed[cpu]++
		cpus[cpu] = 1
		next
	}
	if (ev == "tlb_flush") {
		r = $0; sub(/.*reason=/, "", r); sub(/ \([0-9]+\)$/, "", r)
		kflush[cpu, r]++; reasons[r] = 1; cpus[cpu] = 1
		next
	}
	if (ev !~ /^tlbt_(unmap|flush|copy|remap)$/) next
	ph = substr(ev, 6)
	n[ph]++
	if (last != "") {
		d = ts - last
		t[ph] += d
		total += d
	}
	last = ts
}
END {
	printf "%-8s %10s %14s %7s\n", "phase", "events", "time_us", "share"
	split("unmap flush copy remap", order, " ")
	for (i = 1; i <= 4; i++) {
		p = order[i]
		printf "%-8s %10d %14.1f %6.1f%%\n", p, n[p], t[p] * 1e6,
		       (total > 0 ? 100 * t[p] / total : 0)
	}
	printf "\n%-5s %6s %8s  %s\n", "cpu", "ipis", "flushed", "tlb:tlb_flush by reason"
	for (c in cpus) {
		line = ""
		for (r in reasons)
			if (kflush[c, r])
				line = line sprintf("%s%s=%d", line == "" ? "" : ", ", r, kflush[c, r])
		printf "%-5s %6d %8d  %s\n", c, ipi[c], ipi_flushed[c], line
	}
}' "$out.txt"
echo "# trace kept in $out (kernelshark $out)"
