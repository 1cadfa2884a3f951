#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run one tlbtorture sequence under trace-cmd and summarise the trace:
# time per phase (unmap, flush, copy, remap) on the issuing CPU, and which
# CPUs the flush reached. The trace.dat is kept for kernelshark.
#
#   trace-sequence.sh [-o FILE] [-r RUNNER] SEQUENCE [tlbtorture run options]
#   e.g. trace-sequence.sh migrate --flush=batched --pages=64 --rounds=20
#
# Phases: our tracepoints mark the start of an unmap and of a remap, and
# the end of a flush and of a copy. So the time up to a flush or copy
# event is charged to that event's phase, and the time after an unmap or
# remap event to that one's. POSIX sh and awk: runs under busybox too.
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
		r = $0; sub(/.*reason:/, "", r); sub(/ \([0-9]+\)$/, "", r)
		kflush[cpu, r]++; reasons[r] = 1; cpus[cpu] = 1
		next
	}
	if (ev !~ /^tlbt_(unmap|flush|copy|remap)$/) next
	ph = substr(ev, 6)
	n[ph]++
	if (last != "") {
		d = ts - last
		t[(ph == "flush" || ph == "copy") ? ph : lastph] += d
		total += d
	}
	last = ts; lastph = ph
}
END {
	printf "%-8s %10s %14s %7s\n", "phase", "events", "time_us", "share"
	split("unmap flush copy remap", order, " ")
	for (i = 1; i <= 4; i++) {
		p = order[i]
		printf "%-8s %10d %14.1f %6.1f%%\n", p, n[p], t[p] * 1e6,
		       total > 0 ? 100 * t[p] / total : 0
	}
	printf "\n%-5s %10s %10s", "cpu", "ipis", "flushed"
	for (r in reasons) printf "  %s", r
	printf "\n"
	for (c in cpus) {
		printf "%-5s %10d %10d", c, ipi[c], ipi_flushed[c]
		for (r in reasons) printf "  %d", kflush[c, r]
		printf "\n"
	}
}' "$out.txt"
echo "# trace kept in $out (kernelshark $out)"
