#!/bin/bash
# make bench: run the bench job in the guest (scripts/jobs/bench.sh), bring
# its tables and CSVs back from the console, and plot them on the host:
#   build/bench.txt                 both tables
#   build/bench.csv, bench.png      tlbtorture bench
#   build/ceiling.csv, ceiling.png  tlbtorture bench ceiling
# BENCH and CEILING hold options for either sweep (CEILING=skip: none).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build
log=$build/vm-bench.log
# shellcheck source=scripts/kver.sh
. "$repo/scripts/kver.sh"
kv_layout "${KVER:-6.1}"
runner=$KV_SELFTESTS/tlbtorture
start=$SECONDS

append=${VM_APPEND:-}
bench=${BENCH:-}
ceiling=${CEILING:-}
# One kernel argument each: '+' for the spaces (the job turns them back).
[[ -n $bench ]] && append+=" tlbt.bench=${bench// /+}"
[[ -n $ceiling ]] && append+=" tlbt.ceiling=${ceiling// /+}"

rc=0
VM_APPEND=$append "$repo/scripts/run-vm.sh" --job bench \
	--timeout "${BENCH_TIMEOUT:-2400}" --log "$log" || rc=$?

# Console lines end in CR.
between() {	# between WHAT NAME
	tr -d '\r' <"$log" |
		sed -n "/^TLBT-BENCH-$1-BEGIN $2\$/,/^TLBT-BENCH-$1-END $2\$/{//!p}"
}

: >"$build/bench.txt"
for f in bench ceiling; do
	rm -f "$build/$f.csv" "$build/$f.png"
	between TABLE $f >>"$build/bench.txt"
	between CSV $f | base64 -d >"$build/$f.csv" || rc=1
	if [[ ! -s $build/$f.csv ]]; then
		rm -f "$build/$f.csv"
		[[ $f == ceiling && $ceiling == skip ]] || { echo "bench: no $f.csv came back" >&2; rc=1; }
		continue
	fi
	"$runner" plot "$build/$f.csv" "$build/$f.png" || rc=1
done

echo
cat "$build/bench.txt"
echo
ls -l "$build"/bench.txt "$build"/bench.csv "$build"/bench.png \
	"$build"/ceiling.csv "$build"/ceiling.png 2>/dev/null || true
echo "bench: wall time $((SECONDS - start)) s"
exit $rc
