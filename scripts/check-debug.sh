#!/bin/bash
# make check-debug: the whole suite plus the stress tests in a guest booted
# from a debug kernel (KASAN, lockdep, DEBUG_VM, PAGE_TABLE_CHECK,
# DEBUG_TLBFLUSH, kmemleak), with the module built against that kernel's
# tree. Uses the prebuilt kernel in ../shared/debug-kernel when there is
# one, else builds one (scripts/debug/build-debug-kernel.sh, slow).
# Fails on any test failure and on any KASAN, lockdep, page-table-check,
# kmemleak, BUG or WARNING report.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build
start=$(date +%s)

dk=
for d in "${TLBT_DEBUG_KERNEL:-}" "$repo/../shared/debug-kernel" /work/shared/debug-kernel; do
	[[ -n $d && -f $d/bzImage && -f $d/build-tree.tar.xz ]] && { dk=$(cd "$d" && pwd); break; }
done
if [[ -z $dk ]]; then
	dk=$build/debug-kernel
	[[ -f $dk/bzImage ]] || "$repo/scripts/debug/build-debug-kernel.sh" "$dk"
fi
echo "check-debug: debug kernel from $dk"

"$repo/scripts/install-deps.sh"
# The debug kernel is linux-source-6.1's: 6.1's selftests and initramfs
# layout (scripts/kver.sh). The module is built below, against its tree.
export KVER=6.1
make -s -C "$repo" selftests KVER=6.1

# The module, built out of a copy so module/ keeps the stock-kernel build.
tree=$build/debug-tree
[[ -f $tree/Makefile ]] || { mkdir -p "$tree" && tar -xJf "$dk/build-tree.tar.xz" -C "$tree"; }
src=$build/debug-src
rm -rf "$src" && mkdir -p "$src"
cp -r "$repo/Kbuild" "$repo/module" "$src/"
find "$src/module" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod*' \) -delete
make -s -C "$tree" M="$src" modules

TLBT_KO=$src/module/tlbtorture.ko TLBT_NO_ZRAM_MODULES=1 \
	"$repo/scripts/mkinitramfs.sh" "$build/initramfs-debug.cpio.gz"
rc=0
VM_KERNEL=$dk/bzImage VM_INITRD=$build/initramfs-debug.cpio.gz \
	"$repo/scripts/run-vm.sh" --job check-debug --timeout "${TLBT_DEBUG_TIMEOUT:-2700}" \
	--log "$build/vm-check-debug.log" || rc=$?
echo "check-debug: wall time $(( $(date +%s) - start )) s"
exit $rc
