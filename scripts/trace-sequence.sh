#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run one tlbtorture sequence under trace-cmd and summarise the trace:
# time per phase (unmap, flush, copy, remap) inside the rounds, and per
# CPU the IPIs the flushes sent and the kernel's tlb:tlb_flush by reason.
# The trace.dat is kept for kernelshark.
#
#   trace-sequence.sh [-o FILE] [-r RUNNER] SEQUENCE [tlbtorture run options]
#   e.g. trace-sequence.sh migrate --flush=batched --pages=64 --rounds=20
#
# Phases come from the spans: a round is tlbt_round_begin..tlbt_round_end
# of the issuing task, and each phase event fires when its step is done,
# so the time since the round began, or since the task's previous phase
# event in it, is that phase's. "rest" is a round's time after its last
# phase event. Phase events outside every round (flush=none's final flush,
# break='s repair) are counted, not timed. With backend=kernel a zap
# unmaps and flushes: its time is all "unmap".
# tlb:tlb_flush is counted in the kernel by a hist trigger (keys: CPU and
# reason) in a tracefs instance of its own, not from the trace text; the
# events lost to the trace.dat (trace-cmd report --stat: overrun, dropped)
# and to the histogram (Dropped) are printed.
# POSIX sh and awk: runs under busybox too.
set -e

out=trace.dat
runner=tlbtorture
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2; shift 2 ;;
	-r) runner=$2; shift 2 ;;
	-h|--help) sed -n '3,22p' "$0"; exit 0 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: trace-sequence.sh [-o FILE] [-r RUNNER] SEQUENCE [options]" >&2; exit 2; }

tracefs=/sys/kernel/tracing
[ -d "$tracefs/instances" ] || tracefs=/sys/kernel/debug/tracing
hist_inst=$tracefs/instances/tlbt_seq_$$
hist_trig=$hist_inst/events/tlb/tlb_flush/trigger
hist_keys='hist:keys=common_cpu,reason'
hist=no
hist_cleanup() {
	if [ "$hist" = yes ]; then
		echo "!$hist_keys" >>"$hist_trig" 2>/dev/null || :
		hist=no
	fi
	[ ! -d "$hist_inst" ] || rmdir "$hist_inst" 2>/dev/null || :
}
trap hist_cleanup EXIT
trap 'exit 130' INT TERM

# The trigger counts while it exists, whatever tracing_on says: it is
# paused as soon as the run is over, and read then.
if mkdir "$hist_inst" 2>/dev/null && echo "$hist_keys" >"$hist_trig" 2>/dev/null; then
	hist=yes
fi
rc=0
# start/stop/extract, not record: extract reads the stopped ring buffers
# whole, where record's per-CPU readers have come back without a short
# run's events (all of them, once, in make check).
trace-cmd start -b 8192 -e tlbtorture -e tlb:tlb_flush >"$out.log" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || "$runner" run "$@" >"$out.run.txt" 2>&1 || rc=$?
trace-cmd stop >>"$out.log" 2>&1 || :
trace-cmd extract -o "$out" >>"$out.log" 2>&1 || { [ "$rc" -ne 0 ] || rc=1; }
trace-cmd reset >>"$out.log" 2>&1 || :
if [ "$hist" = yes ]; then
	echo "$hist_keys:pause" >>"$hist_trig"
	cat "$hist_inst/events/tlb/tlb_flush/hist" >"$out.hist.txt"
else
	echo "# no hist trigger here (CONFIG_HIST_TRIGGERS?)" >"$out.hist.txt"
fi
hist_cleanup
if [ "$rc" -ne 0 ]; then
	cat "$out.log" "$out.run.txt" >&2 2>/dev/null
	exit 1
fi
trace-cmd report -i "$out" >"$out.txt" 2>/dev/null
trace-cmd report --stat -i "$out" >"$out.stat.txt" 2>/dev/null || :
# Every round the command ran must have its span: else events were lost
# whatever the buffer statistics say.
want=$(sed -n 's/^rounds_done: //p' "$out.run.txt")
got=$(grep -c 'tlbt_round_begin:' "$out.txt" || :)
if [ -n "$want" ] && [ "$got" -lt "$want" ]; then
	echo "trace-sequence: $got of $want round spans in $out: events lost" >&2
	exit 1
fi

echo "# $runner run $*"
grep -E '^(sequence|policy|backend|pages|rounds|shootdowns|ipis|invlpg_pages|full_flushes|ns_per_page|leaked_pages|poison_hits|lost_dirty|lost_increments):' \
	"$out.run.txt" | sed 's/^/#   /'

# Three inputs, told apart by FILENAME order: the hist, the stats, the report.
awk -v histf="$out.hist.txt" -v statf="$out.stat.txt" '
BEGIN {
	split("flush on task switch|remote shootdown|local shootdown|local mm shootdown|remote ipi send", rname, "|")
}
# The histogram: "{ common_cpu: 1, reason: 4 } hitcount: 12", "Dropped: 0".
FILENAME == histf {
	if ($1 == "Dropped:") { hist_dropped = $2; hist_ok = 1; next }
	if ($1 != "{") next
	line = $0; gsub(/[{}:,]/, " ", line)
	m = split(line, f, " ")
	c = ""; r = ""; h = 0
	for (i = 1; i < m; i++) {
		if (f[i] == "common_cpu" || f[i] == "cpu") c = f[i + 1] + 0
		else if (f[i] == "reason") r = f[i + 1]
		else if (f[i] == "hitcount") h = f[i + 1]
	}
	if (c == "" || r == "") next
	name = ((r + 1) in rname) ? rname[r + 1] : "reason " r
	kflush[c, name] += h; reasons[name] = 1; cpus[c] = 1
	next
}
# trace-cmd report --stat: per CPU "overrun: N", "dropped events: N".
FILENAME == statf {
	if ($1 == "overrun:" || ($1 == "commit" && $2 == "overrun:") ||
	    ($1 == "dropped" && $2 == "events:"))
		lost += $NF
	next
}
# The report: "  comm-PID  [CPU]  SECONDS: event: fields"; trace-cmd
# may add flags.
{
	cpu = ""; ts = ""; ev = ""; pid = ""
	for (i = 1; i <= NF; i++) {
		if (cpu == "" && $i ~ /^\[[0-9]+\]$/) {
			cpu = substr($i, 2, length($i) - 2) + 0
			if (i > 1) { pid = $(i - 1); sub(/.*-/, "", pid) }
			continue
		}
		if (cpu != "" && ts == "" && $i ~ /^[0-9]+\.[0-9]+:$/) { ts = substr($i, 1, length($i) - 1); continue }
		if (ts != "" && ev == "" && $i ~ /:$/) { ev = substr($i, 1, length($i) - 1); break }
	}
	if ($0 ~ /EVENTS DROPPED/) report_dropped = 1
	if (ev == "") next
	if (ev == "tlbt_ipi") {
		ipi[cpu]++
		if ($0 ~ /flushed=1/) ipi_flushed[cpu]++
		cpus[cpu] = 1
		next
	}
	if (ev == "tlbt_cmd_begin") { cmd_t0[pid] = ts; prev_end[pid] = ts; cmds++; next }
	if (ev == "tlbt_cmd_end") {
		if (pid in cmd_t0) { cmd_time += ts - cmd_t0[pid]; outside += ts - prev_end[pid] }
		delete cmd_t0[pid]
		next
	}
	if (ev == "tlbt_round_begin") {
		if (pid in prev_end) outside += ts - prev_end[pid]
		in_round[pid] = ts; last[pid] = ts
		next
	}
	if (ev == "tlbt_round_end") {
		if (!(pid in in_round)) next
		rest += ts - last[pid]
		round_time += ts - in_round[pid]
		rounds++
		delete in_round[pid]
		prev_end[pid] = ts
		next
	}
	if (ev !~ /^tlbt_(unmap|flush|copy|remap)$/) next
	ph = substr(ev, 6)
	if (!(pid in in_round)) { n_out[ph]++; next }
	n[ph]++
	t[ph] += ts - last[pid]
	last[pid] = ts
}
END {
	printf "%-8s %10s %14s %7s\n", "phase", "events", "time_us", "share"
	split("unmap flush copy remap", order, " ")
	for (i = 1; i <= 4; i++) {
		p = order[i]
		printf "%-8s %10d %14.1f %6.1f%%\n", p, n[p], t[p] * 1e6,
		       (round_time > 0 ? 100 * t[p] / round_time : 0)
	}
	printf "%-8s %10s %14.1f %6.1f%%\n", "rest", "", rest * 1e6,
	       (round_time > 0 ? 100 * rest / round_time : 0)
	printf "# %d rounds in %d commands: %.1f us in rounds, %.1f us in commands outside them\n",
	       rounds, cmds, round_time * 1e6, outside * 1e6
	line = ""
	for (i = 1; i <= 4; i++)
		if (n_out[order[i]])
			line = line sprintf(" %s=%d", order[i], n_out[order[i]])
	if (line != "")
		printf "# phase events outside the rounds (not timed):%s\n", line
	if (rounds == 0)
		print "# no tlbt_round_begin/end span in the trace: no phase timed"

	printf "\n%-5s %6s %8s  %s\n", "cpu", "ipis", "flushed", "tlb:tlb_flush by reason"
	for (c in cpus) {
		line = ""
		for (r in reasons)
			if (kflush[c, r])
				line = line sprintf("%s%s=%d", line == "" ? "" : ", ", r, kflush[c, r])
		printf "%-5s %6d %8d  %s\n", c, ipi[c], ipi_flushed[c], line
	}
	printf "# lost: %d trace events (trace-cmd --stat overrun + dropped)%s, ", lost,
	       report_dropped ? ", EVENTS DROPPED in the report" : ""
	if (hist_ok)
		printf "%d tlb:tlb_flush hist entries dropped\n", hist_dropped
	else
		printf "tlb:tlb_flush not counted (no hist trigger)\n"
}' "$out.hist.txt" "$out.stat.txt" "$out.txt"
echo "# trace kept in $out (kernelshark $out)"
