#!/bin/bash
# Count kselftest results in a guest console log and print
#   N passed, N failed, N skipped
# Counted: TAP result lines at the start of a line (kselftest_harness output):
#   "ok N ..." passed, "ok N ... # SKIP ..." skipped, "not ok N ..." failed.
# Indented lines and "#" lines are diagnostics and are ignored, but for
# one "# " of nesting in front of a result or a tlbt-run line: the
# installed collection's, run by kselftest's runner.sh.
# "# tlbt-run: NAME [SECS s] exit=RC" (printed by jobs/check.sh after each binary)
# closes that binary's section: a crash or error exit (RC not 0/4) with no
# "not ok" of its own is one more failure; RC 4 (skip) or RC 0 with no TAP
# line at all is one skip or one pass.
# HOST_PASSED/HOST_FAILED/HOST_SKIPPED add results of host-side tests.
# Exit status: 1 if anything failed or nothing passed, else 0.
set -euo pipefail

if (($# != 1)); then
	echo "usage: $0 CONSOLE.log" >&2
	exit 2
fi

# Serial console lines end in CRLF; drop the CR before matching.
read -r passed failed skipped < <(tr -d '\r' <"$1" | awk '
	# The installed collection runs under kselftest/runner.sh, which
	# prefixes every line of it with "# ": one level is taken off.
	/^# (ok |not ok |# tlbt-run: )/ { $0 = substr($0, 3) }
	/^# tlbt-run: .* exit=[0-9]+$/ {
		rc = $NF; sub(/^exit=/, "", rc); rc += 0
		if (rc != 0 && rc != 4 && sec_fail == 0)
			failed++
		else if (rc == 4 && sec_tap == 0)
			skipped++
		else if (rc == 0 && sec_tap == 0)
			passed++
		sec_tap = 0; sec_fail = 0
		next
	}
	/^not ok [0-9]+/ { failed++; sec_fail++; sec_tap++; next }
	/^ok [0-9]+/ {
		if ($0 ~ /#[ \t]*SKIP/) skipped++; else passed++
		sec_tap++
		next
	}
	END { printf "%d %d %d\n", passed, failed, skipped }
')

passed=$((passed + ${HOST_PASSED:-0}))
failed=$((failed + ${HOST_FAILED:-0}))
skipped=$((skipped + ${HOST_SKIPPED:-0}))

echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0 && passed > 0))
