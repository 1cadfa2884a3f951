#!/bin/bash
# Checks that need no guest: warning-free builds and checkpatch.
# Prints one TAP line per check and, last, "host: P passed, F failed".
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build
mkdir -p "$build"
# make install below builds for KDIR: the 6.1 guest kernel's unless given.
if [[ -z ${KDIR:-} ]]; then
	KDIR=/lib/modules/$(KVER=6.1 "$repo/scripts/guest-kernel.sh")/build || exit 1
	export KDIR
fi
passed=0 failed=0 n=0

# Each line ends in the seconds its check took, for whoever trims make check.
last=$SECONDS
result() {	# result NAME STATUS LOGFILE
	n=$((n + 1))
	local t="($((SECONDS - last)) s)"
	last=$SECONDS
	if [[ $2 == 0 ]]; then
		echo "ok $n host: $1 $t"
		passed=$((passed + 1))
	else
		echo "not ok $n host: $1 $t"
		sed 's/^/#   /' "$3" | head -40
		failed=$((failed + 1))
	fi
}

# The module against each guest kernel's headers and the selftests
# against its kselftest harness (KVERS, set by check.sh; 6.1 alone by
# default), where the guests take them from (scripts/kver.sh). Rebuilt
# from clean, so every warning is seen again.
for kv in ${KVERS:-6.1}; do
	rel=$(KVER=$kv "$repo/scripts/guest-kernel.sh" 2>/dev/null) || rel="$kv (not installed)"
	tag=-$kv
	[[ $kv == 6.1 ]] && tag=
	log=$build/host-module$tag.log
	KVER=$kv "$repo/scripts/guest-build.sh" --clean module >"$log" 2>&1 &&
		! grep -E 'warning:|error:' "$log" >/dev/null
	result "module builds warning-free with W=1 against $rel" $? "$log"

	log=$build/host-selftests$tag.log
	KVER=$kv "$repo/scripts/guest-build.sh" --clean selftests >"$log" 2>&1 &&
		! grep -E 'warning:|error:' "$log" >/dev/null
	result "selftests build warning-free with -Wall -Wextra against $kv's kselftest harness" $? "$log"
done

log=$build/host-checkpatch.log
if "$repo/scripts/get-checkpatch.sh" >"$log" 2>&1; then
	(cd "$repo" && "$build/checkpatch/checkpatch.pl" --no-tree -f --terse \
		--show-types module/tlbt_*.c module/tlbt*.h) >"$log" 2>&1
	! grep -E ': (ERROR|WARNING|CHECK):' "$log" >/dev/null
	result "checkpatch.pl --no-tree -f is clean on module/" $? "$log"
else
	result "checkpatch.pl --no-tree -f is clean on module/" 1 "$log"
fi

# Version tests live in the compat header alone, and DKMS and modinfo
# agree on the version.
log=$build/host-compat.log
(
	set -e
	cd "$repo"
	bad=$(grep -l 'LINUX_VERSION_CODE\|KERNEL_VERSION(' module/*.[ch] |
		grep -v -e '/tlbt_compat\.h$' -e '\.mod\.c$' || true)
	[[ -z $bad ]] || { echo "version tests outside module/tlbt_compat.h: $bad"; exit 1; }
	pv=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
	mv=$(sed -n 's/^#define TLBT_VERSION "\(.*\)"$/\1/p' module/tlbt_version.h)
	echo "dkms.conf PACKAGE_VERSION=$pv, TLBT_VERSION=$mv"
	[[ -n $pv && $pv == "$mv" ]]
	# The module and the runner take it from there, and from nowhere else.
	grep -q '^MODULE_VERSION(TLBT_VERSION);$' module/tlbt_main.c
	if grep -n 'MODULE_VERSION("' module/*.c; then exit 1; fi
) >"$log" 2>&1
result "version tests only in module/tlbt_compat.h; MODULE_VERSION and the runner's version are tlbt_version.h's, dkms.conf's PACKAGE_VERSION" $? "$log"

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
	test -f "$ksft/tlbtorture/config"
	test -x "$ksft/kselftest/runner.sh"
	# The collection lists its wrapper, which runs every test.
	grep -qx "tlbtorture:tlbtorture.sh" "$ksft/kselftest-list.txt"
	test -x "$ksft/tlbtorture/tlbtorture.sh"
	for t in "$repo"/selftests/build/*_test; do
		test -x "$ksft/tlbtorture/${t##*/}"
	done
	"$ksft/run_kselftest.sh" -l | grep -qx "tlbtorture:tlbtorture.sh"
	make -C "$repo" uninstall INSTALL_MOD_PATH="$stage" DESTDIR="$stage"
	test ! -e "$ko" && test ! -e "$ksft" && test ! -e "$stage/usr/local/bin/tlbtorture"
) >"$log" 2>&1
result "make install into a staging tree has the kselftest layout; uninstall removes it" $? "$log"

# selftests/config merged into each kernel's x86_64 defconfig survives
# olddefconfig whole, and gives what the tests need that it cannot name.
for kv in ${KVERS:-6.1}; do
	log=$build/host-config-fragment-$kv.log
	KVER=$kv "$repo/scripts/check-config-fragment.sh" >"$log" 2>&1
	result "selftests/config survives merge_config.sh into linux-source-$kv's defconfig" $? "$log"
done

# The mutant patches of make mutants still apply to each linux-source
# (from the tarball, no kernel tree: seconds).
for kv in ${KVERS:-6.1}; do
	log=$build/host-mutants-dry-run-$kv.log
	KVER=$kv "$repo/scripts/mutants/dry-run.sh" >"$log" 2>&1
	result "mutant patches apply to linux-source-$kv (scripts/mutants/dry-run.sh)" $? "$log"
done

echo "host: $passed passed, $failed failed"
echo "HOST_PASSED=$passed HOST_FAILED=$failed" >"$build/host-checks.env"
