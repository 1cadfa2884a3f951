#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Installed tlbtorture kselftest runner, in the style of the kernel's
# run_kselftest.sh: runs every test in kselftest-list.txt (or those named
# with -t), each under the collection's settings timeout, as TAP.
#
#   run_kselftest.sh [-t tlbtorture:TEST]... [-l]

base=$(cd "$(dirname "$0")" && pwd)
list=$base/kselftest-list.txt
only=

while [ $# -gt 0 ]; do
	case $1 in
	-l|--list) cat "$list"; exit 0 ;;
	-t|--test) only="$only $2"; shift ;;
	-h|--help) sed -n '3,7p' "$0"; exit 0 ;;
	*) echo "run_kselftest.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

tests=$(if [ -n "$only" ]; then printf '%s\n' $only; else cat "$list"; fi)
total=$(printf '%s\n' "$tests" | grep -c .)
echo "TAP version 13"
echo "1..$total"
n=0 status=0
for t in $tests; do
	n=$((n + 1))
	dir=$base/${t%%:*} prog=${t#*:}
	secs=$(sed -n 's/^timeout=//p' "$dir/settings" 2>/dev/null)
	out=$(mktemp)
	(cd "$dir" && timeout "${secs:-600}" "./$prog" >"$out" 2>&1)
	rc=$?
	sed 's/^/# /' "$out"
	rm -f "$out"
	case $rc in
	0) echo "ok $n selftests: $t" ;;
	4) echo "ok $n selftests: $t # SKIP" ;;
	*) echo "not ok $n selftests: $t # exit=$rc"; status=1 ;;
	esac
done
exit $status
