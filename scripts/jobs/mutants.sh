#!/bin/sh
# Job "mutants" (make mutants, scripts/mutants/mutants.sh): the kernel-path
# race test, then the upstream mm selftests of /tlbt/extra/upstream/, on a
# kernel that may have a flush ordering broken on purpose.
#
# Kernel command line (all optional):
#   tlbt.race=BIN         race test in /tlbt/bin (tlbt_kpath_race_test)
#   tlbt.race_opts=A,B    its arguments, commas for spaces (e.g. -r,race.x)
#   tlbt.race_secs=N      its timeout (1800)
#   tlbt.race_ms=N        TLBT_RACE_MS: how long each scenario runs
#   tlbt.upstream=0       leave the upstream tests out of this boot
#   tlbt_mutant_delay_us  the mutant's knob: only echoed here
#
# Output for the host parser: the race test's own TAP between
# "# tlbt-mutants: race begin" and "race end", then one line per upstream
# test: "ok N upstream: NAME", "not ok N upstream: NAME" or
# "ok N upstream: NAME # SKIP reason". Upstream output goes to /tmp and is
# shown (prefixed "# NAME: ") only on failure, so it cannot pass for ours.
# Exit 0 only if everything passed or skipped.

race=tlbt_kpath_race_test
race_opts=
race_secs=1800
delay=none
upstream=1
# shellcheck disable=SC2013 # the command line is words, not lines
for arg in $(cat /proc/cmdline); do
	case $arg in
	tlbt.race=*) race=${arg#tlbt.race=} ;;
	tlbt.race_opts=*) race_opts=$(echo "${arg#tlbt.race_opts=}" | tr , ' ') ;;
	tlbt.race_secs=*) race_secs=${arg#tlbt.race_secs=} ;;
	tlbt.race_ms=*) export TLBT_RACE_MS="${arg#tlbt.race_ms=}" ;;
	tlbt.upstream=*) upstream=${arg#tlbt.upstream=} ;;
	tlbt_mutant_delay_us=*) delay=${arg#tlbt_mutant_delay_us=} ;;
	esac
done

# busybox timeout: "timeout SECS CMD" (>= 1.30) or "timeout -t SECS CMD".
if timeout 5 true >/dev/null 2>&1; then
	tmo() { timeout "$@"; }
else
	tmo() { t=$1; shift; timeout -t "$t" "$@"; }
fi

worst=0
echo "# tlbt-mutants: kernel $(uname -r) delay_us=$delay cpus=$(nproc)"

echo "# tlbt-mutants: race begin $race"
if [ -x "/tlbt/bin/$race" ]; then
	# shellcheck disable=SC2086 # race_opts is a word list
	tmo "$race_secs" "/tlbt/bin/$race" $race_opts
	rc=$?
	# 4: the whole program skipped (kselftest), not a failure
	case $rc in 0|4) ;; *) worst=1 ;; esac
else
	echo "not ok 1 $race missing"
	rc=127
	worst=1
fi
echo "# tlbt-mutants: race end exit=$rc"
# A kill leaves corrupt memory only in the test's own pages; say whether
# the kernel thinks it is still healthy before the next tests run.
echo "# tlbt-mutants: tainted=$(cat /proc/sys/kernel/tainted)"

# tests.txt: "NAME SECS NEEDS COMMAND..." (NEEDS: a path that must exist,
# or -); the binaries are next to it.
up=/tlbt/extra/upstream
n=100
if [ "$upstream" = 0 ]; then
	echo "# tlbt-mutants: upstream tests not run in this boot (tlbt.upstream=0)"
elif [ -f "$up/tests.txt" ]; then
	cd "$up" || exit 1
	# shellcheck disable=SC2034 # link is the host's column
	while read -r name secs needs cmd; do
		case $name in ''|'#'*) continue ;; esac
		n=$((n + 1))
		if [ "$needs" != - ] && [ ! -e "$needs" ]; then
			echo "ok $n upstream: $name # SKIP $needs missing"
			continue
		fi
		# shellcheck disable=SC2086 # the command is a word list
		set -- $cmd
		bin=$1
		shift
		start=$(cut -d. -f1 /proc/uptime)
		# stdin closed: a test must never wait for the console
		tmo "$secs" "./$bin" "$@" </dev/null >"/tmp/up-$name.out" 2>&1
		rc=$?
		took=$(($(cut -d. -f1 /proc/uptime) - start))
		case $rc in
		0) echo "ok $n upstream: $name" ;;
		4)
			why=$(grep -i -m1 'skip' "/tmp/up-$name.out" | cut -c1-80)
			echo "ok $n upstream: $name # SKIP ${why:-exit 4}"
			;;
		*)
			# 124 GNU, 143 busybox (SIGTERM): the timeout fired
			case $rc in 124|143) what="timeout ${secs}s" ;; *) what="exit $rc" ;; esac
			echo "not ok $n upstream: $name # $what"
			tail -n 30 "/tmp/up-$name.out" | sed "s/^/# $name: /"
			worst=1
			;;
		esac
		echo "# tlbt-mutants: upstream $name exit=$rc secs=$took"
	done <"$up/tests.txt"
else
	echo "# tlbt-mutants: no $up/tests.txt: no upstream tests in this initramfs"
fi
exit $worst
