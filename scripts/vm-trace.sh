#!/bin/bash
# Run scripts/trace-sequence.sh in the guest (job "trace") and bring its
# trace.dat back: the guest prints it as base64 between markers.
#   scripts/vm-trace.sh SEQ,OPT,OPT...
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
log=$repo/build/vm-trace.log
VM_APPEND="${VM_APPEND:-} tlbt.trace=${1:?usage: vm-trace.sh SEQ,OPT,...}" \
	"$repo/scripts/run-vm.sh" --job trace --log "$log" >/dev/null || {
	tail -40 "$log"
	exit 1
}
# Console lines end in CR; the summary is what the job printed before
# the markers.
tr -d '\r' <"$log" | sed -n '/^# tlbtorture run/,/^# trace kept/p'
tr -d '\r' <"$log" | sed -n '/^TLBT-TRACE-BEGIN$/,/^TLBT-TRACE-END$/{//!p}' |
	base64 -d >"$repo/build/trace.dat"
echo "trace: $repo/build/trace.dat ($(stat -c %s "$repo/build/trace.dat") bytes)"
