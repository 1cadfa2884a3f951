#!/bin/sh
# TEMPORARY job of the kernel-path helper: only the kpath tests and the
# runner. Deleted when done.
rc=0
up() { cut -d' ' -f1 /proc/uptime; }
echo "# kpath: nodes $(cat /sys/devices/system/node/has_memory) swap: $(tail -n +2 /proc/swaps | wc -l) thp: $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
for t in ${KPATH_TESTS:-tlbt_kpath_mremap_test tlbt_kpath_cve_test tlbt_kpath_migrate_test tlbt_kpath_reclaim_test tlbt_kpath_zap_test tlbt_kpath_notifier_test}; do
	s=$(up)
	/tlbt/bin/$t
	r=$?
	echo "# tlbt-run: $t exit=$r"
	echo "# kpath-time: $t $(awk -v a="$s" -v b="$(up)" 'BEGIN { print b - a }') s"
	case $r in 0|4) ;; *) rc=1 ;; esac
done
s=$(up)
/tlbt/bin/tlbt_kernel_tmp || rc=1
echo "# kpath-time: tlbtorture kernel $(awk -v a="$s" -v b="$(up)" 'BEGIN { print b - a }') s"
exit $rc
