#!/bin/bash
# make check-debug: the whole suite plus the stress tests in a guest booted
# from a debug kernel (KASAN, lockdep, DEBUG_VM, PAGE_TABLE_CHECK,
# DEBUG_TLBFLUSH, kmemleak), with the module built against that kernel's
# tree. KVER=6.1 (default) or 6.12 picks the series. Uses the prebuilt
# kernel in ../shared/debug-kernel (6.1) or ../shared/debug-kernel-6.12
# when there is one, else builds one (scripts/debug/build-debug-kernel.sh,
# slow).
# Fails on any test failure and on any KASAN, lockdep, page-table-check,
# kmemleak, BUG or WARNING report.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build
start=$(date +%s)
ver=${KVER:-6.1}
case $ver in
6.1) tag= ;;
6.12) tag=-6.12 ;;
*) echo "check-debug: KVER=$ver: debug kernels are 6.1 and 6.12" >&2; exit 2 ;;
esac

dk=
for d in "${TLBT_DEBUG_KERNEL:-}" "$repo/../shared/debug-kernel$tag" "/work/shared/debug-kernel$tag"; do
	[[ -n $d && -f $d/bzImage && -f $d/build-tree.tar.xz ]] && { dk=$(cd "$d" && pwd); break; }
done
if [[ -z $dk ]]; then
	dk=$build/debug-kernel$tag
	[[ -f $dk/bzImage ]] || KVER=$ver "$repo/scripts/debug/build-debug-kernel.sh" "$dk"
fi
echo "check-debug: $ver debug kernel from $dk"

TLBT_KVERS=$ver "$repo/scripts/install-deps.sh"
# The debug kernel is linux-source-$ver's: that series' selftests and
# initramfs layout (scripts/kver.sh). The module is built below, against
# the debug kernel's own tree.
export KVER=$ver
KVER=$ver "$repo/scripts/guest-build.sh" selftests >/dev/null

# The module, built out of a copy so module/ keeps the stock-kernel build.
tree=$build/debug-tree$tag
# A tree extracted from another tarball (a new prebuilt kernel) is stale.
if [[ ! -f $tree/Makefile || $dk/build-tree.tar.xz -nt $tree/Makefile ]]; then
	rm -rf "$tree" && mkdir -p "$tree" && tar -xJf "$dk/build-tree.tar.xz" -C "$tree"
	touch "$tree/Makefile"
fi
src=$build/debug-src$tag
rm -rf "$src" && mkdir -p "$src"
cp -r "$repo/Kbuild" "$repo/module" "$src/"
find "$src/module" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod*' \) -delete
make -s -C "$tree" M="$src" modules

TLBT_KO=$src/module/tlbtorture.ko TLBT_NO_ZRAM_MODULES=1 \
	"$repo/scripts/mkinitramfs.sh" "$build/initramfs-debug$tag.cpio.gz"
rc=0
VM_KERNEL=$dk/bzImage VM_INITRD=$build/initramfs-debug$tag.cpio.gz \
	"$repo/scripts/run-vm.sh" --job check-debug --timeout "${TLBT_DEBUG_TIMEOUT:-2700}" \
	--log "$build/vm-check-debug$tag.log" || rc=$?
echo "check-debug: $ver wall time $(( $(date +%s) - start )) s"
exit $rc
