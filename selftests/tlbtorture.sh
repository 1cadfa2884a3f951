#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The collection's one kselftest program (TEST_PROGS): load the tlbtorture
# module, run every *_test next to this script (or those named), check
# that the module holds nothing once they are done, and unload it. Like
# vm/test_hmm.sh: the tests need the module, a test fleet has only this
# directory.
#
#   tlbtorture.sh [-t NAME]... [-l]
#
# The module: the one already loaded (left loaded), else $TLBT_KO, else
# tlbtorture.ko next to this script, else "modprobe tlbtorture".
# Each test prints its own TAP, then "# tlbt-run: NAME SECS s exit=RC".
# Exit 0 when every test passed or skipped, 4 (kselftest's skip) when the
# collection cannot run here, with the reason, else 1.
# Plain POSIX sh: runs under busybox too.

dir=$(cd "$(dirname "$0")" && pwd)
ksft_skip=4
only=

while [ $# -gt 0 ]; do
	case $1 in
	-t) only="$only ${2:?-t needs a test name}"; shift 2 ;;
	-l) for t in "$dir"/*_test; do echo "${t##*/}"; done; exit 0 ;;
	-h|--help) sed -n '3,17p' "$0"; exit 0 ;;
	*) echo "tlbtorture.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

skip() {
	echo "# SKIP tlbtorture: $*"
	exit $ksft_skip
}

# In the order a user must fix them: each has its own reason.
[ "$(id -u)" -eq 0 ] || skip "not root (the debugfs files are root's)"
grep -qs ' /sys/kernel/debug debugfs ' /proc/mounts ||
	skip "debugfs is not mounted (mount -t debugfs none /sys/kernel/debug)"
lockdown=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/security/lockdown 2>/dev/null)
case $lockdown in
integrity|confidentiality)
	skip "kernel lockdown is '$lockdown': debugfs refuses the arena and command files (see README, Secure Boot)" ;;
esac

loaded=0
if [ ! -d /sys/module/tlbtorture ]; then
	ko=${TLBT_KO:-$dir/tlbtorture.ko}
	if [ -f "$ko" ]; then
		err=$(insmod "$ko" 2>&1)
	else
		err=$(modprobe tlbtorture 2>&1)
	fi
	[ -d /sys/module/tlbtorture ] ||
		skip "module not loaded and it would not load (${err:-no $ko, no module to modprobe})"
	loaded=1
fi
[ -e /sys/kernel/debug/tlbtorture/arena ] ||
	skip "module loaded but /sys/kernel/debug/tlbtorture/arena is missing"

# kselftest convention: "settings" holds timeout=SECONDS, here per test.
secs=600
if [ -r "$dir/settings" ]; then
	t=$(sed -n 's/^timeout=\([0-9][0-9]*\)$/\1/p' "$dir/settings")
	[ -n "$t" ] && secs=$t
fi
# GNU and busybox >= 1.30 take "timeout SECS CMD"; older busybox "-t SECS".
tmo=
if timeout 5 true >/dev/null 2>&1; then
	tmo="timeout $secs"
elif timeout -t 5 true >/dev/null 2>&1; then
	tmo="timeout -t $secs"
fi

if [ -n "$only" ]; then
	tests=$only
else
	tests=$(cd "$dir" && ls -- *_test 2>/dev/null)
fi
# Wall time per program, for whoever trims the suite: centiseconds from
# /proc/uptime (busybox date has no %N).
uptime_cs() {
	awk '{ printf "%d", $1 * 100 }' /proc/uptime
}
elapsed() {
	d=$(($(uptime_cs) - $1))
	printf '%d.%02d' $((d / 100)) $((d % 100))
}

status=0
found=0
for name in $tests; do
	t=$dir/$name
	if [ ! -x "$t" ]; then
		echo "# tlbt-run: $name missing exit=1"
		status=1
		continue
	fi
	found=1
	t0=$(uptime_cs)
	$tmo "$t"
	rc=$?
	echo "# tlbt-run: $name $(elapsed "$t0") s exit=$rc"
	case $rc in
	0|$ksft_skip) ;;
	*) status=1 ;;
	esac
done
if [ $found = 0 ]; then
	echo "# tlbt-run: no *_test programs in $dir"
	status=1
fi

# Every test closed its arenas: the module holds no frame and no byte.
stats=/sys/kernel/debug/tlbtorture/stats
held=$(sed -n 's/^frames_held: //p' $stats)
bytes=$(sed -n 's/^bytes_held: //p' $stats)
echo "# tlbtorture: frames_held $held, bytes_held $bytes after the tests"
if [ "$held" != 0 ] || [ "$bytes" != 0 ]; then
	echo "# tlbtorture: the module still holds memory with every arena closed"
	status=1
fi

if [ $loaded = 1 ]; then
	if ! rmmod tlbtorture; then
		echo "# tlbtorture: rmmod failed with every test done"
		status=1
	fi
fi
exit $status
