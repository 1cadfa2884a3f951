#!/bin/bash
# Checks that need no guest: warning-free builds and checkpatch.
# Prints one TAP line per check and, last, "host: P passed, F failed".
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build
mkdir -p "$build"
passed=0 failed=0 n=0

result() {	# result NAME STATUS LOGFILE
	n=$((n + 1))
	if [[ $2 == 0 ]]; then
		echo "ok $n host: $1"
		passed=$((passed + 1))
	else
		echo "not ok $n host: $1"
		sed 's/^/#   /' "$3" | head -40
		failed=$((failed + 1))
	fi
}

# A rebuild from clean, so every warning is seen again.
log=$build/host-module.log
make -s -C "$repo" clean-module >/dev/null 2>&1
if make -C "$repo" module >"$log" 2>&1; then
	! grep -E 'warning:|error:' "$log" >/dev/null
	result "module builds warning-free with W=1" $? "$log"
else
	result "module builds warning-free with W=1" 1 "$log"
fi

log=$build/host-selftests.log
make -s -C "$repo/selftests" clean >/dev/null 2>&1
if make -C "$repo/selftests" >"$log" 2>&1; then
	! grep -E 'warning:|error:' "$log" >/dev/null
	result "selftests build warning-free with -Wall -Wextra" $? "$log"
else
	result "selftests build warning-free with -Wall -Wextra" 1 "$log"
fi

log=$build/host-checkpatch.log
if "$repo/scripts/get-checkpatch.sh" >"$log" 2>&1; then
	(cd "$repo" && "$build/checkpatch/checkpatch.pl" --no-tree -f --terse \
		--show-types module/tlbt_*.c module/tlbt*.h) >"$log" 2>&1
	! grep -E ': (ERROR|WARNING|CHECK):' "$log" >/dev/null
	result "checkpatch.pl --no-tree -f is clean on module/" $? "$log"
else
	result "checkpatch.pl --no-tree -f is clean on module/" 1 "$log"
fi

log=$build/host-fuzz-replay.log
make -s -C "$repo" fuzz-replay >"$log" 2>&1
result "fuzz corpus replays through the parser invariants" $? "$log"

# make install into a staging tree, check the layout, make uninstall.
log=$build/host-install.log
stage=$build/stage
rm -rf "$stage"
(
	set -e
	make -C "$repo" install INSTALL_MOD_PATH="$stage" DESTDIR="$stage"
	kver=$(make -s -C "$repo" print-kver)
	ko=$stage/lib/modules/$kver/extra/module/tlbtorture.ko
	ksft=$stage/usr/local/libexec/tlbtorture
	test -f "$ko"
	test -x "$stage/usr/local/bin/tlbtorture"
	test -x "$ksft/run_kselftest.sh"
	test -f "$ksft/tlbtorture/settings"
	for t in "$repo"/selftests/build/*_test; do
		grep -qx "tlbtorture:${t##*/}" "$ksft/kselftest-list.txt"
		test -x "$ksft/tlbtorture/${t##*/}"
	done
	"$ksft/run_kselftest.sh" -l | grep -q .
	make -C "$repo" uninstall INSTALL_MOD_PATH="$stage" DESTDIR="$stage"
	test ! -e "$ko" && test ! -e "$ksft" && test ! -e "$stage/usr/local/bin/tlbtorture"
) >"$log" 2>&1
result "make install into a staging tree has the kselftest layout; uninstall removes it" $? "$log"

echo "host: $passed passed, $failed failed"
echo "HOST_PASSED=$passed HOST_FAILED=$failed" >"$build/host-checks.env"
