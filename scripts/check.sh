#!/bin/bash
# make check: install what is missing, build, run the host checks, then the
# kselftests in a QEMU guest. The last line is "N passed, N failed, N skipped".
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
start=$(date +%s)

"$repo/scripts/install-deps.sh"
"$repo/scripts/host-checks.sh"
# shellcheck disable=SC1091 # written by host-checks.sh
. "$repo/build/host-checks.env"
export HOST_PASSED HOST_FAILED

make -s -C "$repo" all
rc=0
"$repo/scripts/run-vm.sh" --job check || rc=$?
echo "check: wall time $(( $(date +%s) - start )) s"
exit $rc
