#!/bin/sh
# Job "detect": tlbtorture detect, the detection rate of every stale-TLB
# control, for the README's table:
#
#   scripts/run-vm.sh --job detect                          # 4 vCPUs
#   VM_CPUS=2 VM_APPEND=pti=on scripts/run-vm.sh --job detect
#
# Options from tlbt.detect= on the kernel command line, with '+' for the
# spaces between them, e.g. VM_APPEND='tlbt.detect=--runs=5+--seq=migrate'.
# Exit 1 only if a command failed (tlbtorture detect's own rule).
opts=
# shellcheck disable=SC2013 # the command line is words, not lines
for a in $(cat /proc/cmdline); do
	case $a in
	tlbt.detect=*) opts=$(echo "${a#tlbt.detect=}" | tr '+' ' ') ;;
	esac
done

up() { cut -d' ' -f1 /proc/uptime; }
s=$(up)
rc=0
# shellcheck disable=SC2086 # the options are words
tlbtorture detect $opts || rc=$?
echo "# detect-time: $(awk -v a="$s" -v b="$(up)" 'BEGIN { print b - a }') s"
exit $rc
