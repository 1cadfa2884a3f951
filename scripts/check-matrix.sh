#!/bin/bash
# make check-matrix: the whole kselftest suite in guest configurations that
# change what the TLB code does. Each row is one boot of the check job.
#
#   name          paging  PTI  vCPUs
#   default       5-level off  4     (TCG -cpu max has la57; not Meltdown-affected)
#   5level-pti-2  5-level on   2
#   4level-2      4-level off  2
#   4level-pti    4-level on   4
#
# An orthogonal array: every pair of axes takes all four combinations, so
# a failure that follows one axis (PTI, say) is not confused with another
# (the vCPU count). TCG has neither PCID nor INVPCID: the user-PCID INVPCID
# path of the native backend only runs on hardware (see README).
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
configs=(
	"default      max           -      4"
	"5level-pti-2 max           pti=on 2"
	"4level-2     max,la57=off  -      2"
	"4level-pti   max,la57=off  pti=on 4"
)

"$repo/scripts/install-deps.sh" >/dev/null
# KVER=6.12 for that kernel's guest (run-vm.sh reads it too).
"$repo/scripts/guest-build.sh" >/dev/null || exit 1
fail=0
summary=()
for c in "${configs[@]}"; do
	read -r name cpu append cpus <<<"$c"
	[[ $append == - ]] && append=
	log=$repo/build/vm-matrix-$name.log
	echo "=== check-matrix: $name (cpu $cpu, $cpus vCPUs${append:+, $append})"
	VM_ACCEL=tcg VM_CPU_MODEL=$cpu VM_CPUS=$cpus VM_APPEND=$append \
		"$repo/scripts/run-vm.sh" --job check --log "$log" >/dev/null
	rc=$?
	line=$("$repo/scripts/tap-summary.sh" "$log" | tail -1)
	paging=$(tr -d '\r' <"$log" | sed -n 's/.*tlbt-init: paging: //p' | head -1)
	pti=$(tr -d '\r' <"$log" | sed -n 's/.*tlbt-init: pti: //p' | head -1)
	summary+=("$(printf '%-13s %-8s %-18s %-5s %s' "$name" "$paging" "${pti:-?}" "$cpus" "$line")")
	((rc)) && fail=1
done
echo
printf '%-13s %-8s %-18s %-5s %s\n' config paging pti vcpus result
printf '%s\n' "${summary[@]}"
exit $fail
