#!/bin/sh
# Job "check": the kselftests. run_tests.sh (from selftests/) when present,
# else every *_test binary, each bounded so one hang cannot eat the VM timeout.
if [ -f /tlbt/bin/run_tests.sh ]; then
	sh /tlbt/bin/run_tests.sh
	exit $?
fi

worst=0
found=0
for t in /tlbt/bin/*_test; do
	[ -x "$t" ] || continue
	found=1
	name=${t##*/}
	timeout 600 "$t"
	rc=$?
	echo "# tlbt-run: $name exit=$rc"
	# 4 = kselftest skip, not a failure.
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ]; then
		worst=1
	fi
done
if [ "$found" -eq 0 ]; then
	echo "# tlbt-run: no /tlbt/bin/*_test binaries in the initramfs"
	exit 1
fi
exit $worst
