#!/bin/sh
# Job "soak": tlbtorture matrix --duration, the matrix again and again
# until the time is up, one summary line per pass; it stops at the first
# corruption in a safe policy (and stops a recording trace there).
#
#   VM_APPEND='tlbt.job=soak tlbt.duration=10m' \
#       scripts/run-vm.sh --job soak --timeout 1500
#
# tlbt.duration=T   how long (30m, 600s, 1h; default 10m)
# tlbt.seed=N       replay a soak's seed (default: from the clock, printed)
# The per-row progress goes to /tmp/soak.progress, printed at the end
# without its "# matrix:" lines but for the last three; the passes'
# summaries and any bad pass's table go to the console as they come.
duration=10m
seed=
# shellcheck disable=SC2013 # the command line is words, not lines
for a in $(cat /proc/cmdline); do
	case $a in
	tlbt.duration=*) duration=${a#tlbt.duration=} ;;
	tlbt.seed=*) seed=--seed=${a#tlbt.seed=} ;;
	esac
done

rc=0
# shellcheck disable=SC2086 # an empty $seed is no argument
tlbtorture matrix --duration="$duration" $seed 2>/tmp/soak.progress || rc=$?
# what is not progress (errors), then where it ended
grep -v '^# matrix: ' /tmp/soak.progress
echo "# soak: last progress lines:"
tail -n 3 /tmp/soak.progress
echo "# soak: tlbtorture matrix --duration=$duration exit=$rc"
exit $rc
