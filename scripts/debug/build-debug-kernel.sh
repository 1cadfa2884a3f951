#!/bin/bash
# Build a debug kernel for make check-debug from Debian's linux-source-KVER
# (KVER 6.1, the default, or 6.12): x86_64_defconfig + kvm_guest.config +
# debug-kernel.config. Output, in the layout of ../shared/debug-kernel:
# OUT/bzImage, OUT/config and OUT/build-tree.tar.xz (the tree to build
# modules against).
#   KVER=6.12 scripts/debug/build-debug-kernel.sh OUT
# Takes an hour or more on two cores.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${1:?usage: build-debug-kernel.sh OUT}" && cd "$1" && pwd)
ver=${KVER:-6.1}
tarball=/usr/src/linux-source-$ver.tar.xz
src=$out/src

DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	"linux-source-$ver" build-essential bc bison flex libelf-dev libssl-dev \
	dwarves python3 rsync >/dev/null
[[ -d $src ]] || { mkdir -p "$src" && tar -xJf "$tarball" -C "$src" --strip-components=1; }

cd "$src"
make -s x86_64_defconfig
scripts/kconfig/merge_config.sh -m .config kernel/configs/kvm_guest.config \
	"$here/debug-kernel.config" >/dev/null
make -s olddefconfig
make -j"$(nproc)" bzImage modules_prepare
cp arch/x86/boot/bzImage "$out/bzImage"
cp .config "$out/config"
# Headers, scripts, Module.symvers and objtool: enough for M= builds.
tar -cJf "$out/build-tree.tar.xz" --exclude='*.o' --exclude='*.cmd' \
	Makefile Module.symvers System.map .config include arch/x86/include \
	arch/x86/Makefile scripts tools/objtool/objtool
echo "debug kernel: $out"
