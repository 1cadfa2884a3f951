#!/bin/bash
# Build what the guest of kernel series KVER (6.1, the default, or 6.12)
# runs: the module against that kernel's headers, W=1, and the selftests
# against that kernel's kselftest harness. scripts/kver.sh says where: 6.1
# builds module/ and selftests/build/ as ever; 6.12 builds a copy of the
# module sources in build/module-6.12/ and selftests/build-6.12/.
#
#   scripts/guest-build.sh [--clean] [module|selftests]...
#
# --clean builds from scratch (so that every warning is seen again).
# Without a part named, both. make's output goes to stdout.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/kver.sh
. "$repo/scripts/kver.sh"
kv_layout "${KVER:-6.1}"

clean=0
parts=()
for a in "$@"; do
	case $a in
	--clean) clean=1 ;;
	module|selftests) parts+=("$a") ;;
	*) echo "guest-build: unknown argument $a" >&2; exit 2 ;;
	esac
done
((${#parts[@]})) || parts=(module selftests)

# The sources into the per-kernel copy. Only changed files are copied (a
# fresh mtime), so kbuild rebuilds just what changed; files gone from
# module/ go from the copy too.
sync_module_copy() {
	local dst=$KV_MODDIR f
	mkdir -p "$dst/module"
	cmp -s "$repo/Kbuild" "$dst/Kbuild" || cp "$repo/Kbuild" "$dst/Kbuild"
	for f in "$repo"/module/Kbuild "$repo"/module/*.[ch]; do
		[[ $f == *.mod.c ]] && continue
		cmp -s "$f" "$dst/module/${f##*/}" || cp "$f" "$dst/module/"
	done
	for f in "$dst"/module/*.[ch]; do
		[[ -e $f && $f != *.mod.c && ! -e $repo/module/${f##*/} ]] &&
			rm -f "$f" "${f%.[ch]}.o"
	done
	return 0
}

# Both host cores: make check's time budget is mostly builds and guests.
jobs=-j$(nproc)

build_module() {
	if [[ $KV_MODDIR == "$repo" ]]; then
		((clean)) && make -s -C "$repo" clean-module KDIR="$KV_KDIR" >/dev/null
		make "$jobs" -C "$repo" module KDIR="$KV_KDIR"
		return
	fi
	((clean)) && rm -rf "$KV_MODDIR"
	sync_module_copy
	make "$jobs" -C "$KV_KDIR" M="$KV_MODDIR" W=1 modules
}

# Static for the busybox initramfs (USERLDFLAGS, the kselftest way), then
# installed in the kernel's layout, which the guest's check job runs.
build_selftests() {
	((clean)) && rm -rf "$KV_SELFTESTS"
	make "$jobs" -C "$repo/selftests" KVER="$KV_SERIES" OUTPUT="$KV_SELFTESTS" \
		USERLDFLAGS=-static
	rm -rf "$KV_KSFT_INSTALL"
	make -s -C "$repo/selftests" KVER="$KV_SERIES" OUTPUT="$KV_SELFTESTS" \
		USERLDFLAGS=-static INSTALL_PATH="$KV_KSFT_INSTALL" install >/dev/null
}

# A caller's make (make run KVER=6.12) passes its command line down in
# MAKEFLAGS; this script says what it builds itself.
unset MAKEFLAGS MFLAGS MAKEOVERRIDES
for p in "${parts[@]}"; do
	"build_$p"
done
