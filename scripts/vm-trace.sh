#!/bin/bash
# Run scripts/trace-sequence.sh in the guest (job "trace") and bring its
# trace.dat back: the guest prints it as base64 between markers. The
# summary, then the first spans of trace-cmd report on the host.
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
# The first spans as kernelshark will show them: read back on the host.
if command -v trace-cmd >/dev/null; then
	echo "# trace-cmd report -i build/trace.dat: the first cmd and round spans"
	trace-cmd report -i "$repo/build/trace.dat" 2>/dev/null |
		grep -E 'tlbt_(cmd|round)_(begin|end):' | head -n 5 || :
fi
