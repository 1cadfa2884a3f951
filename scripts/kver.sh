# Sourced by the harness scripts: where the build for each guest kernel
# lives, so that 6.1's and 6.12's coexist.
#
# kv_layout [KVER]: KVER is a Debian kernel series, 6.1 (the default) or
# 6.12. Sets
#   KV_SERIES     the series
#   KV_REL        its newest installed release (scripts/guest-kernel.sh);
#                 empty when none is installed (then kv_layout fails)
#   KV_KDIR       /lib/modules/$KV_REL/build
#   KV_TAG        "" for 6.1, else "-$KVER": the suffix of per-kernel files
#                 (build/initramfs$KV_TAG.cpio.gz, build/vm-check$KV_TAG.log)
#   KV_MODDIR     the M= of the module build: the repository itself for
#                 6.1 (module/ as ever), else build/module-$KVER, a copy
#   KV_KO         $KV_MODDIR/module/tlbtorture.ko
#   KV_SELFTESTS  the selftests built against that kernel's kselftest
#                 harness: selftests/build$KV_TAG
#   KV_KSFT_INSTALL  their kselftest install tree (run_kselftest.sh,
#                 kselftest-list.txt, tlbtorture/): build/kselftest_install$KV_TAG
# shellcheck shell=bash disable=SC2034 # KV_* are for the sourcing script

kv_layout() {
	local repo
	repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	KV_SERIES=${1:-6.1}
	if [[ ! $KV_SERIES =~ ^[0-9]+\.[0-9]+$ ]]; then
		echo "kver: KVER=$KV_SERIES is not a kernel series like 6.1 or 6.12" >&2
		return 2
	fi
	if [[ $KV_SERIES == 6.1 ]]; then
		KV_TAG=
		KV_MODDIR=$repo
	else
		KV_TAG=-$KV_SERIES
		KV_MODDIR=$repo/build/module-$KV_SERIES
	fi
	KV_KO=$KV_MODDIR/module/tlbtorture.ko
	KV_SELFTESTS=$repo/selftests/build$KV_TAG
	KV_KSFT_INSTALL=$repo/build/kselftest_install$KV_TAG
	KV_REL=$(KVER=$KV_SERIES "$repo/scripts/guest-kernel.sh") || { KV_REL=; return 1; }
	KV_KDIR=/lib/modules/$KV_REL/build
}
