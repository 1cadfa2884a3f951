#!/bin/sh
# /init of the tlbtorture QEMU guest (busybox sh, PID 1).
# Mounts what the module and tests need, loads zram and tlbtorture.ko, runs
# the job named by tlbt.job= on the kernel command line, prints
# "TLBT-EXIT rc=N" for the host-side runner and powers the VM off.
# PID 1 must never exit (that panics the kernel), so every path ends in
# poweroff.

export PATH=/tlbt/bin:/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root TERM="${TERM:-vt100}"
umask 022

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# udev's links, which devtmpfs lacks: kselftest's runner.sh writes to
# /dev/stdout, which would otherwise become a regular file.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
# The kernel opened /dev/console before devtmpfs existed; reopen it so the
# job's output surely reaches the serial console.
exec </dev/console >/dev/console 2>&1
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/shm /dev/pts
mount -t tmpfs tmpfs /dev/shm	# shm_open() in tests
mount -t devpts devpts /dev/pts
hostname tlbt-guest

say() { echo "tlbt-init: $*"; }

say "kernel $(uname -r), $(nproc) cpus, nodes: $(cat /sys/devices/system/node/online 2>/dev/null || echo none)"
# What the TLB code runs on: check-matrix reads these two lines.
if grep -qw la57 /proc/cpuinfo; then say "paging: 5-level"; else say "paging: 4-level"; fi
# The pti flag, not the meltdown file: pti=on on a CPU that is not
# affected isolates page tables while that file says "Not affected".
if grep -qw pti /proc/cpuinfo; then say "pti: on"; else say "pti: off"; fi
if grep -qw pcid /proc/cpuinfo; then say "pcid: yes"; else say "pcid: no"; fi

# tlb:tlb_flush fires in switch_mm_irqs_off() and flush_tlb_func() on
# every CPU. Turning it on or off rewrites that hot code (text_poke_bp();
# a tracepoint changes its static call only going 0->1->2 probes and
# back), and twice under TCG a CPU never answered text_poke_bp()'s
# sync-core IPI: the writer spun in smp_call_function_many_cond() for
# minutes (soft lockup, then RCU stall), no tlbtorture command running.
# Two idle instances with the event on keep it at two probes or more, so
# the tests' own enables and disables (the kernel-path tests, the trace
# check) never patch code while other CPUs run it. Cost: two probe calls
# per flush into disabled 4 KiB buffers.
for i in tlbt_keep_a tlbt_keep_b; do
	d=/sys/kernel/tracing/instances/$i
	mkdir -p "$d" && echo 0 >"$d/tracing_on" && echo 4 >"$d/buffer_size_kb" &&
		echo 1 >"$d/events/tlb/tlb_flush/enable" ||
		say "could not pin tlb:tlb_flush on in $i"
done
# The same for the scheduler tracepoints an instance's set_event_pid
# hooks with two probes each (register_pid_events(): sched_switch,
# sched_wakeup, sched_wakeup_new, sched_waking; 6.1 and 6.12 alike),
# which the kernel-path tests write per scenario: once, under TCG, a
# 6.12 guest took an int3 Oops in try_to_wake_up() from a CPU still
# running the int3 of such a patch after it had finished. A pid filter
# of our own keeps them at two probes; PID 1 sleeps in the job's wait.
echo 1 >/sys/kernel/tracing/instances/tlbt_keep_a/set_event_pid ||
	say "could not pin the sched tracepoints (set_event_pid)"

# The guest kernel's modules for zram and the writeback filesystem, in
# dependency order (mkinitramfs.sh; none for a kernel with them built in).
if [ -f /tlbt/modules/order ]; then
	while read -r m; do
		insmod "/tlbt/modules/$m.ko" || say "insmod $m.ko failed"
	done </tlbt/modules/order
fi

# zram gives the guest swap for the reclaim tests; not fatal if it fails
# (those tests then skip, and say why).
if [ -e /sys/block/zram0 ] && echo 512M >/sys/block/zram0/disksize &&
   mkswap /dev/zram0 >/dev/null && swapon /dev/zram0; then
	say "swap: 512M on zram0"
else
	say "swap: none (zram0 setup failed)"
fi

# A disk filesystem for the mkclean race: writeback, hence page_mkclean(),
# needs one (tmpfs never writes back). ext2 on a second zram device.
mkdir -p /mnt/tlbt-wb
wb_fs() {
	dev=$(cat /sys/class/zram-control/hot_add) || return 1
	echo 64M >/sys/block/zram$dev/disksize || return 2
	# zram has 4 KiB logical blocks: 1 KiB ext2 blocks cannot mount
	mke2fs -q -b 4096 /dev/zram$dev >/dev/null 2>&1 || return 3
	mount -t ext2 /dev/zram$dev /mnt/tlbt-wb 2>/dev/null ||
		mount -t ext4 /dev/zram$dev /mnt/tlbt-wb || return 4
	say "writeback fs: ext2 on zram$dev at /mnt/tlbt-wb"
}
wb_fs || say "writeback fs: none, step $? failed (the mkclean race skips)"

if [ ! -f /tlbt/tlbtorture.ko ]; then
	say "tlbtorture.ko NOT LOADED: /tlbt/tlbtorture.ko is missing from the initramfs"
elif insmod /tlbt/tlbtorture.ko; then
	say "tlbtorture.ko loaded"
else
	say "tlbtorture.ko NOT LOADED: insmod /tlbt/tlbtorture.ko failed"
fi

job=check
# shellcheck disable=SC2013 # the command line is words, not lines
for arg in $(cat /proc/cmdline); do
	case $arg in
	tlbt.job=*) job=${arg#tlbt.job=} ;;
	esac
done

cd /tmp || cd /
if [ -f "/tlbt/jobs/$job.sh" ]; then
	say "job $job start"
	sh "/tlbt/jobs/$job.sh"
	rc=$?
else
	say "no such job: $job (have: $(cd /tlbt/jobs && ls))"
	rc=127
fi
say "job $job done, uptime $(cut -d' ' -f1 /proc/uptime) s"

# Own line even if the job's last output had no newline.
echo
echo "TLBT-EXIT rc=$rc"
sync
poweroff -f
sleep 5
echo o >/proc/sysrq-trigger
while :; do sleep 60; done
