#!/bin/sh
# Job "trace": scripts/trace-sequence.sh on the sequence given as
# tlbt.trace=SEQ,OPT,OPT... on the kernel command line; the trace.dat
# comes back over the console as base64 between markers.
args=migrate,--flush=batched,--pages=64,--rounds=20
for a in $(cat /proc/cmdline); do
	case $a in
	tlbt.trace=*) args=${a#tlbt.trace=} ;;
	esac
done
sh /tlbt/bin/trace-sequence.sh -o /tmp/trace.dat $(echo "$args" | tr ',' ' ') || exit 1
echo "TLBT-TRACE-BEGIN"
base64 /tmp/trace.dat
echo "TLBT-TRACE-END"
