#!/bin/sh
# Job "tests": only the selftest programs named on the kernel command line,
# for a quick look at a few while working on them:
#
#   VM_APPEND='tlbt.tests=tlbt_arena_test,tlbt_reclaim_test' \
#       scripts/run-vm.sh --job tests
#
# tlbt.tests=A,B    programs in /tlbt/bin, run in that order
# tlbt.args=X,Y     arguments for each (commas for spaces), e.g. -t,name
# Exit 1 if any failed (kselftest's 4, a whole-program skip, is not).
tests=
args=
# shellcheck disable=SC2013 # the command line is words, not lines
for arg in $(cat /proc/cmdline); do
	case $arg in
	tlbt.tests=*) tests=$(echo "${arg#tlbt.tests=}" | tr , ' ') ;;
	tlbt.args=*) args=$(echo "${arg#tlbt.args=}" | tr , ' ') ;;
	esac
done
[ -n "$tests" ] || { echo "# tlbt-tests: no tlbt.tests= on the command line"; exit 1; }
worst=0
for t in $tests; do
	if [ ! -x "/tlbt/bin/$t" ]; then
		echo "not ok $t missing"
		worst=1
		continue
	fi
	# shellcheck disable=SC2086 # args is a word list
	"/tlbt/bin/$t" $args
	rc=$?
	echo "# tlbt-run: $t exit=$rc"
	case $rc in 0|4) ;; *) worst=1 ;; esac
done
exit $worst
