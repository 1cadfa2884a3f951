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

# The installed collection, as a test fleet runs it: kselftest's own
# run_kselftest.sh, whose tlbtorture.sh loads the module from next to
# itself, runs every test, checks that nothing is held and unloads it.
# Its lines come prefixed with "# " (tap-summary.sh counts them).
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

# Every arena is closed: no frame, and no byte of the module, may still be held.
held=$(sed -n 's/^frames_held: //p' /sys/kernel/debug/tlbtorture/stats)
bytes=$(sed -n 's/^bytes_held: //p' /sys/kernel/debug/tlbtorture/stats)
echo "# guest: frames_held=$held bytes_held=$bytes"
[ "$held" = 0 ] && [ "$bytes" = 0 ]
tap $? "stats shows frames_held 0 and bytes_held 0 once every arena is closed"

rmmod tlbtorture
tap $? "rmmod succeeds once every arena is closed"

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
