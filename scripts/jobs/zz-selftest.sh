#!/bin/sh
# TEMPORARY harness self-test job (to be deleted)
set -x
trace-cmd list -e tlb
trace-cmd record -e tlb -o /tmp/t.dat sleep 1 >/dev/null 2>&1; echo record-rc=$?
trace-cmd report -i /tmp/t.dat 2>/dev/null | head -5
ls -d /sys/block/zram0 /sys/devices/system/node/node1
cat /sys/devices/system/node/node1/cpulist /sys/devices/system/node/node0/cpulist
echo 256M > /sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 && cat /proc/swaps
grep -m1 flags /proc/cpuinfo
grep -m1 'model name' /proc/cpuinfo
cat /sys/devices/system/cpu/vulnerabilities/meltdown
mount | grep -E 'debug|trac|tmp|shm'
echo "<4>tlbt-level4-test" > /dev/kmsg
echo "<3>tlbt-level3-test" > /dev/kmsg
cat /proc/sys/kernel/printk
cat /proc/sys/kernel/tainted
dmesg | grep -ciE 'warn'
dmesg | grep -E '^<[0-4]>|WARN|Call Trace' | head -20
true
