#!/bin/sh
# Job "bench": tlbtorture bench, then bench ceiling. Their tables, then
# both CSVs as base64, come back over the console between markers (the
# guest has no gnuplot: scripts/vm-bench.sh plots on the host).
# Options from tlbt.bench= and tlbt.ceiling= on the kernel command line,
# with '+' for the spaces between them; tlbt.ceiling=skip skips that sweep.
bench=
ceiling=
# shellcheck disable=SC2013 # the command line is words, not lines
for a in $(cat /proc/cmdline); do
	case $a in
	tlbt.bench=*) bench=$(echo "${a#tlbt.bench=}" | tr '+' ' ') ;;
	tlbt.ceiling=*) ceiling=$(echo "${a#tlbt.ceiling=}" | tr '+' ' ') ;;
	esac
done

rc=0
up() { cut -d' ' -f1 /proc/uptime; }
s=$(up)
# shellcheck disable=SC2086 # the options are words
tlbtorture bench $bench --csv /tmp/bench.csv >/tmp/bench.txt || rc=1
echo "# bench-time: bench $(awk -v a="$s" -v b="$(up)" 'BEGIN { print b - a }') s"
if [ "$ceiling" != skip ]; then
	s=$(up)
	# shellcheck disable=SC2086
	tlbtorture bench ceiling $ceiling --csv /tmp/ceiling.csv >/tmp/ceiling.txt || rc=1
	echo "# bench-time: ceiling $(awk -v a="$s" -v b="$(up)" 'BEGIN { print b - a }') s"
fi

for f in bench ceiling; do
	[ -f /tmp/$f.txt ] || continue
	echo "TLBT-BENCH-TABLE-BEGIN $f"
	cat /tmp/$f.txt
	echo "TLBT-BENCH-TABLE-END $f"
	[ -f /tmp/$f.csv ] || continue
	echo "TLBT-BENCH-CSV-BEGIN $f"
	base64 /tmp/$f.csv
	echo "TLBT-BENCH-CSV-END $f"
done
exit $rc
