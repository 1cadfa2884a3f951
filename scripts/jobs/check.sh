#!/bin/sh
# Job "check": the installed kselftest collection, then the checks that
# need the whole guest: trace-cmd, frames released, rmmod, the skip
# without the module, and last the skip under lockdown.
#   check.sh             all of it
#   check.sh lockdown N  only the lockdown check, its TAP numbered from N
# Those print their own TAP lines, which tap-summary.sh counts.

n=0
tap() {	# tap STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n guest: $2"
	else
		echo "not ok $n guest: $2"
		worst=1
	fi
	return "$1"
}

worst=0

# Kernel lockdown, last in a job: it cannot be lifted. Under it the
# library and the wrapper must name it, with the module loaded.
lockdown() {
	lk=/sys/kernel/security/lockdown
	[ -e $lk ] || mount -t securityfs none /sys/kernel/security 2>/dev/null
	if [ ! -w $lk ]; then
		echo "ok $((n + 1)) guest: lockdown named as the skip reason # SKIP no lockdown LSM in this kernel"
		n=$((n + 1))
		return 0
	fi
	[ -d /sys/module/tlbtorture ] || insmod /tlbt/tlbtorture.ko
	echo integrity >$lk
	echo "# guest: lockdown now: $(cat $lk)"
	/tlbt/bin/tlbt_migrate_test >/tmp/lockdown.out 2>&1
	rc=$?
	total=$(grep -c '^\(not \)\{0,1\}ok [0-9]' /tmp/lockdown.out)
	named=$(grep -c '^ok [0-9].*# SKIP.*lockdown' /tmp/lockdown.out)
	sh /tlbt/ksft/tlbtorture/tlbtorture.sh -t tlbt_none_test >/tmp/lockdown-wrapper.out 2>&1
	wrc=$?
	grep -m 1 'SKIP' /tmp/lockdown.out | sed 's/^/# lockdown: /'
	sed 's/^/# lockdown wrapper: /' /tmp/lockdown-wrapper.out
	[ "$rc" -eq 0 ] && [ "$total" -gt 0 ] && [ "$named" -eq "$total" ] &&
		[ "$wrc" -eq 4 ] && grep -q 'lockdown' /tmp/lockdown-wrapper.out
	tap $? "under lockdown every test and the wrapper skip naming lockdown ($named of $total)"
}
if [ "${1:-}" = lockdown ]; then
	n=${2:-200}
	lockdown
	exit $worst
fi

# tlbt.suite=0 on the kernel command line leaves the kselftests out, for
# work on the checks below.
suite=1
# shellcheck disable=SC2013 # the command line is words, not lines
for arg in $(cat /proc/cmdline); do
	case $arg in
	tlbt.suite=0) suite=0 ;;
	esac
done

# The installed collection, as a test fleet runs it: kselftest's own
# run_kselftest.sh, whose tlbtorture.sh loads the module from next to
# itself, runs every test, checks that nothing is held and unloads it.
# Its lines come prefixed with "# " (tap-summary.sh counts them).
collection() {
	rmmod tlbtorture
	tap $? "the module loaded at boot unloads before the collection run"
	if [ -x /tlbt/ksft/run_kselftest.sh ]; then
		{ /tlbt/ksft/run_kselftest.sh -c tlbtorture; echo $? >/tmp/ksft.rc; } |
			tee /tmp/ksft.out
		[ "$(cat /tmp/ksft.rc)" -eq 0 ] || worst=1
	else
		echo "# tlbt-run: /tlbt/ksft/run_kselftest.sh missing from the initramfs exit=1"
		worst=1
	fi
	# Its output is what is counted: every program must have reported.
	progs=$(ls /tlbt/ksft/tlbtorture/*_test 2>/dev/null | wc -l)
	ran=$(grep -c '^# # tlbt-run: ' /tmp/ksft.out 2>/dev/null)
	[ "$progs" -gt 0 ] && [ "${ran:-0}" -eq "$progs" ]
	tap $? "the collection's output shows all $progs test programs ran (${ran:-0} tlbt-run lines)"
	[ ! -d /sys/module/tlbtorture ]
	tap $? "the collection's wrapper unloaded the module it loaded"
	insmod /tlbt/tlbtorture.ko
	tap $? "the module loads again after the collection run"
}
if [ "$suite" = 0 ]; then
	echo "# guest: tlbt.suite=0: the kselftests are left out"
else
	collection
fi

# Tracepoints: our events and the kernel's tlb:tlb_flush in one trace.
# start/stop/extract rather than record: extract reads the stopped ring
# buffers whole, where record's per-CPU readers once (one make check-matrix
# boot) came back without the traced command's events, tlb:tlb_flush from
# elsewhere present; that is trace-cmd's end-of-recording drain, not what
# this check is about.
echo "# guest: trace-cmd start -e tlbtorture -e tlb; run; stop; extract"
trace-cmd start -e tlbtorture -e tlb >/tmp/trace.log 2>&1
tlbtorture run migrate --flush=batched --pages=8 --rounds=4 --no-workers \
	>/tmp/trace.out 2>&1
rc=$?
trace-cmd stop >>/tmp/trace.log 2>&1
trace-cmd extract -o /tmp/trace.dat >>/tmp/trace.log 2>&1 || rc=1
trace-cmd reset >>/tmp/trace.log 2>&1
trace-cmd report -i /tmp/trace.dat >/tmp/trace.txt 2>/dev/null
flushes=$(grep -c 'tlbt_flush:' /tmp/trace.txt)
copies=$(grep -c 'tlbt_copy:\|tlbt_unmap:\|tlbt_remap:' /tmp/trace.txt)
kernel=$(grep -c 'tlb_flush:' /tmp/trace.txt)
echo "# guest: rc=$rc tlbt_flush=$flushes tlbt_unmap/copy/remap=$copies tlb:tlb_flush=$kernel"
[ "$rc" -eq 0 ] && [ "$flushes" -eq 4 ] && [ "$copies" -gt 0 ] && [ "$kernel" -gt 0 ]
if ! tap $? "trace-cmd records 4 tlbt_flush events for 4 batched rounds, and tlb:tlb_flush"; then
	sed 's/^/# trace: /' /tmp/trace.log /tmp/trace.out
fi
# The spans kernelshark shows, with the fixed sets decoded by name.
span='seq=migrate policy=batched backend=native'
cb=$(grep -c "tlbt_cmd_begin: *$span start=0 pages=8 rounds=4 error=0" /tmp/trace.txt)
ce=$(grep -c "tlbt_cmd_end: *$span start=0 pages=8 rounds=4 error=0" /tmp/trace.txt)
rb=$(grep -c "tlbt_round_begin: *$span pages=8 round=[0-3]\$" /tmp/trace.txt)
re=$(grep -c "tlbt_round_end: *$span pages=8 round=[0-3]\$" /tmp/trace.txt)
echo "# guest: cmd_begin=$cb cmd_end=$ce round_begin=$rb round_end=$re"
[ "$cb" -eq 1 ] && [ "$ce" -eq 1 ] && [ "$rb" -eq 4 ] && [ "$re" -eq 4 ]
if ! tap $? "trace-cmd report shows 1 command span and 4 round spans, sequence, policy and backend by name"; then
	grep -m 4 'tlbt_cmd\|tlbt_round' /tmp/trace.txt | sed 's/^/# trace: /'
fi

# trace-sequence.sh: phases timed from the round spans, tlb:tlb_flush
# counted by a hist trigger (rows "cpu ipis flushed reason=N, ...").
sh /tlbt/bin/trace-sequence.sh -o /tmp/seq.dat migrate --flush=batched \
	--pages=8 --rounds=4 --no-workers >/tmp/seq.out 2>&1
rc=$?
sed 's/^/# trace-sequence: /' /tmp/seq.out
# A kernel without CONFIG_HIST_TRIGGERS (the prebuilt debug kernels) has
# no hist file: there the count must say so, and the rest still holds.
if [ -e /sys/kernel/tracing/events/tlb/tlb_flush/hist ]; then
	hist="counts tlb:tlb_flush by hist trigger"
	counted() {
		grep -q '^[0-9][0-9]* .*=[1-9]' /tmp/seq.out &&
			grep -q '^# lost: 0 trace events.*, 0 tlb:tlb_flush hist entries dropped' /tmp/seq.out
	}
else
	hist="says tlb:tlb_flush is not counted (no CONFIG_HIST_TRIGGERS)"
	counted() {
		grep -q '^# lost: 0 trace events.*tlb:tlb_flush not counted (no hist trigger)' /tmp/seq.out
	}
fi
[ "$rc" -eq 0 ] && grep -q '^# 4 rounds in 1 commands' /tmp/seq.out &&
	grep -q '^flush  *4 ' /tmp/seq.out && counted &&
	! ls -d /sys/kernel/tracing/instances/tlbt_seq_* >/dev/null 2>&1
tap $? "trace-sequence.sh times 4 flushes in 4 round spans, $hist, loses nothing, removes its instance"

# Every arena is closed: no frame, and no byte of the module, may still be held.
held=$(sed -n 's/^frames_held: //p' /sys/kernel/debug/tlbtorture/stats)
bytes=$(sed -n 's/^bytes_held: //p' /sys/kernel/debug/tlbtorture/stats)
echo "# guest: frames_held=$held bytes_held=$bytes"
[ "$held" = 0 ] && [ "$bytes" = 0 ]
tap $? "stats shows frames_held 0 and bytes_held 0 once every arena is closed"

rmmod tlbtorture
tap $? "rmmod succeeds once every arena is closed"

# Module parameters go through the debugfs knobs' range check: a good
# value reads back through debugfs, a bad one fails the load (EINVAL,
# a line in the log) or the sysfs write, and changes nothing.
ko=/tlbt/tlbtorture.ko
dbg=/sys/kernel/debug/tlbtorture
par=/sys/module/tlbtorture/parameters
insmod $ko ceiling=7 max_pages=100 >/tmp/param.log 2>&1 &&
	[ "$(cat $dbg/ceiling)" = 7 ] && [ "$(cat $dbg/max_pages)" = 100 ] &&
	[ "$(cat $par/ceiling)" = 7 ] && [ "$(cat $par/max_pages)" = 100 ]
tap $? "insmod ceiling=7 max_pages=100: debugfs and sysfs read 7 and 100"
echo 9 >$par/ceiling && [ "$(cat $dbg/ceiling)" = 9 ] &&
	! (echo 262145 >$par/ceiling) 2>>/tmp/param-sysfs.log &&
	! (echo 0 >$par/max_pages) 2>>/tmp/param-sysfs.log &&
	! (echo many >$par/max_pages) 2>>/tmp/param-sysfs.log &&
	[ "$(cat $dbg/ceiling)" = 9 ] && [ "$(cat $dbg/max_pages)" = 100 ]
if ! tap $? "parameters/ writes: ceiling 9 taken; ceiling 262145, max_pages 0 and many refused, values kept"; then
	sed 's/^/# param: /' /tmp/param.log /tmp/param-sysfs.log
fi
rmmod tlbtorture
bad=0
for args in "ceiling=5 max_pages=0" "ceiling=262145" "max_pages=-1"; do
	# shellcheck disable=SC2086 # args is a word list
	if insmod $ko $args >>/tmp/param-load.log 2>&1; then
		echo "# guest: insmod $args loaded"
		bad=1
		rmmod tlbtorture
	fi
	[ ! -d /sys/module/tlbtorture ] || { echo "# guest: insmod $args left /sys/module/tlbtorture"; bad=1; }
done
grep -c 'Invalid argument' /tmp/param-load.log | grep -qx 3 || bad=1
dmesg | grep -q 'tlbtorture: max_pages=0 refused: not an integer in 1..262144' || bad=1
[ "$bad" -eq 0 ]
if ! tap $? "insmod with max_pages=0, ceiling=262145 or max_pages=-1 fails with EINVAL, says why, loads nothing"; then
	sed 's/^/# param: /' /tmp/param-load.log
	dmesg | grep 'tlbtorture:' | tail -5 | sed 's/^/# param: /'
fi

# Each test skips in its FIXTURE_SETUP (TLBT_REQUIRE_MODULE): only
# "ok N ... # SKIP" lines, and the harness's exit status for no failure.
/tlbt/bin/tlbt_migrate_test >/tmp/skip.out 2>&1
rc=$?
total=$(grep -c '^\(not \)\{0,1\}ok [0-9]' /tmp/skip.out)
skips=$(grep -c '^ok [0-9].*# SKIP' /tmp/skip.out)
echo "# skip run: exit $rc, $skips of $total tests skipped"
grep -m 2 'SKIP' /tmp/skip.out | sed 's/^/# skip run: /'
[ "$rc" -eq 0 ] && [ "$total" -gt 0 ] && [ "$skips" -eq "$total" ]
tap $? "without the module every test skips"

# check-debug runs its own checks next, with the module: it calls this
# part itself, last.
[ "${TLBT_NO_LOCKDOWN:-0}" = 1 ] || lockdown
exit $worst
