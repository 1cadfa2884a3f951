#!/bin/sh
# Job "check-debug": the check job (kselftests and guest checks), then the
# checks only a debug kernel can make: a kmemleak scan, and DEBUG_TLBFLUSH's
# nr_tlb_remote_flush against the kernel backend's zaps.

n=100
tap() {	# tap STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n guest-debug: $2"
	else
		echo "not ok $n guest-debug: $2"
		worst=1
	fi
}

worst=0
TLBT_NO_LOCKDOWN=1 sh /tlbt/jobs/check.sh || worst=1

# check.sh ends with the module unloaded.
insmod /tlbt/tlbtorture.ko
tap $? "module loads again after rmmod"

# Each kernel-backend zap with workers on the other CPUs is one
# flush_tlb_mm_range() that finds other CPUs in mm_cpumask, which
# DEBUG_TLBFLUSH counts once as nr_tlb_remote_flush. The rest of the
# system adds a little (exec, exit, munmap of the runner).
before=$(sed -n 's/^nr_tlb_remote_flush //p' /proc/vmstat)
tlbtorture run migrate --flush=batched --backend=kernel --pages=64 --rounds=50 >/tmp/vmstat.out 2>&1
rc=$?
after=$(sed -n 's/^nr_tlb_remote_flush //p' /proc/vmstat)
zaps=$(sed -n 's/^shootdowns: //p' /tmp/vmstat.out)
delta=$((after - before))
echo "# guest-debug: kernel backend zaps=$zaps nr_tlb_remote_flush delta=$delta"
[ "$rc" -eq 0 ] && [ -n "$zaps" ] && [ "$delta" -ge "$zaps" ] && [ "$delta" -le $((zaps + zaps / 5 + 20)) ]
tap $? "nr_tlb_remote_flush moves by the kernel backend's zap count (within 20% + 20)"

rmmod tlbtorture
tap $? "rmmod after the debug checks"

# Two scans: kmemleak reports an object only once it stayed unreferenced
# across a scan.
echo scan >/sys/kernel/debug/kmemleak
sleep 2
echo scan >/sys/kernel/debug/kmemleak
cat /sys/kernel/debug/kmemleak >/tmp/kmemleak.txt
leaks=$(grep -c '^unreferenced object' /tmp/kmemleak.txt)
sed 's/^/# kmemleak: /' /tmp/kmemleak.txt | head -40
[ "$leaks" -eq 0 ]
tap $? "kmemleak finds no unreferenced object"

# Last: lockdown cannot be lifted.
sh /tlbt/jobs/check.sh lockdown $n || worst=1
exit $worst
