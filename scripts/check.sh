#!/bin/bash
# make check: install what is missing, build, run the host checks, then the
# kselftests in a QEMU guest of each kernel: Debian's 6.1 and then its
# 6.12, or KVER's alone (make check KVER=6.12). One closing line per
# kernel, then the total, last: "N passed, N failed, N skipped".
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build
start=$(date +%s)

kvers=${KVER:-6.1 6.12}
# Each step below says which kernel it builds for; a KVER or MAKEFLAGS
# inherited from make check's command line must not say it for them.
unset KVER MAKEFLAGS MFLAGS MAKEOVERRIDES

TLBT_KVERS=$kvers "$repo/scripts/install-deps.sh"
# The host checks build the module against each guest kernel and make
# install against 6.1's, the project's base kernel.
# shellcheck source=scripts/kver.sh
. "$repo/scripts/kver.sh"
kv_layout 6.1
export KDIR=$KV_KDIR
KVERS=$kvers "$repo/scripts/host-checks.sh"
# shellcheck disable=SC1091 # written by host-checks.sh
. "$build/host-checks.env"

rc=0
lines=()
tp=0 tf=0 ts=0
for kv in $kvers; do
	t0=$(date +%s)
	kv_layout "$kv"
	log=$build/vm-check$KV_TAG.log
	echo "=== check: guest $KV_REL"
	vm_rc=0
	KVER=$kv "$repo/scripts/guest-build.sh" >"$build/guest-build$KV_TAG.log" 2>&1 || {
		echo "check: building for $KV_REL failed (build/guest-build$KV_TAG.log):"
		tail -20 "$build/guest-build$KV_TAG.log"
		vm_rc=1
	}
	p=0 f=0 s=0
	if ((vm_rc == 0)); then
		# Guest results only here: the host's are added to the total once.
		KVER=$kv HOST_PASSED=0 HOST_FAILED=0 HOST_SKIPPED=0 \
			"$repo/scripts/run-vm.sh" --job check --log "$log" || vm_rc=$?
		sum=$("$repo/scripts/tap-summary.sh" "$log" 2>/dev/null | tail -n 1 || true)
		if [[ $sum =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
			p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} s=${BASH_REMATCH[3]}
		fi
	fi
	# A guest that failed without a failed test (no build, a kernel
	# report, no TLBT-EXIT): one more failure, so the total shows it.
	if ((vm_rc != 0)); then
		rc=1
		((f == 0)) && f=1
	fi
	tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + s))
	lines+=("check: $KV_REL: $p passed, $f failed, $s skipped in the guest ($(($(date +%s) - t0)) s)")
done

echo
echo "check: host: $HOST_PASSED passed, $HOST_FAILED failed"
printf '%s\n' "${lines[@]}"
echo "check: wall time $(($(date +%s) - start)) s"
tp=$((tp + HOST_PASSED)) tf=$((tf + HOST_FAILED))
((HOST_FAILED == 0)) || rc=1
echo "$tp passed, $tf failed, $ts skipped"
exit $rc
