#!/bin/bash
# Install the Debian packages the build and the QEMU test harness need
# (with --fuzz: the ones make fuzz needs; with --bench: gnuplot for
# make bench's plot, drawn on the host since the guest has no gnuplot;
# with --mutants: also what make mutants needs to build kernels from
# linux-source-$KVER, default 6.1, and the static upstream mm selftests).
# Idempotent: only missing packages are installed, and apt-get update runs
# only when something is missing, so a fully provisioned box returns at once.
set -euo pipefail

pkgs=(build-essential linux-headers-amd64 linux-image-amd64 qemu-system-x86
      busybox-static trace-cmd linux-source-6.1 cpio xz-utils kmod libc6-dev
      gzip perl rsync bison flex)
# rsync: lib.mk's install; bison and flex: Kconfig's conf, for the config
# fragment check (scripts/check-config-fragment.sh).
# The guest kernels (TLBT_KVERS, default both): image, headers for the
# module, source for the kselftest headers. 6.1 is bookworm's own kernel,
# above; 6.12 comes from bookworm-security.
for kv in ${TLBT_KVERS:-6.1 6.12}; do
	[[ $kv == 6.1 ]] ||
		pkgs+=("linux-image-$kv-amd64" "linux-headers-$kv-amd64" "linux-source-$kv")
done
# make fuzz: libFuzzer comes with clang's runtime.
[[ ${1:-} == --fuzz ]] && pkgs=(clang libclang-rt-14-dev)
# make bench: gnuplot without X (its png and pngcairo terminals).
[[ ${1:-} == --bench ]] && pkgs=(gnuplot-nox)
# make mutants: the harness (guest, initramfs) plus kernel and selftest
# builds; libnuma and libcap for migration, ksm_tests and friends.
[[ ${1:-} == --mutants ]] && pkgs+=(bc bison flex libelf-dev libssl-dev patch
	libnuma-dev libcap-dev "linux-source-${KVER:-6.1}")

missing=()
for p in "${pkgs[@]}"; do
	# "ii " = wanted install, status installed; anything else needs work.
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[[ $st == ii* ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
	echo "install-deps: all ${#pkgs[@]} packages present"
	exit 0
fi

if ((EUID != 0)); then
	echo "install-deps: missing: ${missing[*]} (run as root to install)" >&2
	exit 1
fi

echo "install-deps: installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
