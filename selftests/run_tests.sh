#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run every *_test program next to this script, each under a timeout
# when the system has one, and print "# tlbt-run: NAME exit=RC" after
# each. Exit 1 if any test exited with something other than 0 (pass) or
# 4 (skip). Plain POSIX sh, so it runs under busybox in the guest.

dir=$(cd "$(dirname "$0")" && pwd)

# kselftest convention: per-directory "settings" holds timeout=SECONDS
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

status=0
found=0
for t in "$dir"/*_test; do
	if [ ! -f "$t" ] || [ ! -x "$t" ]; then
		continue
	fi
	found=1
	name=${t##*/}
	$tmo "$t"
	rc=$?
	echo "# tlbt-run: $name exit=$rc"
	case $rc in
	0|4) ;;
	*) status=1 ;;
	esac
done

if [ $found = 0 ]; then
	echo "# tlbt-run: no *_test programs in $dir" >&2
	exit 1
fi
exit $status
