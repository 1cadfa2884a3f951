#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Check selftests/config, the kselftest config fragment, against the
# kernel source of series KVER (6.1 default, 6.12): merge it into that
# source's x86_64 defconfig with the kernel's own merge_config.sh, run
# olddefconfig, and require that every option of the fragment kept its
# value, and that the hidden options the tests rely on, which a fragment
# cannot set, came with them.
#
# Only what Kconfig needs is extracted from /usr/src/linux-source-KVER.tar.xz
# (Makefiles, Kconfig files, scripts/), once, into build/kconfig-KVER/.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
kv=${KVER:-6.1}
top=linux-source-$kv
tarball=/usr/src/$top.tar.xz
dir=$repo/build/kconfig-$kv
frag=$repo/selftests/config
# Hidden: selected by the fragment's options (KVM, FUNCTION_TRACER, ZRAM).
needs="CONFIG_MMU_NOTIFIER=y CONFIG_EVENT_TRACING=y CONFIG_TRACEPOINTS=y"

[[ -r $tarball ]] || { echo "no $tarball (apt-get install $top)"; exit 1; }
if [[ ! -f $dir/$top/scripts/kconfig/merge_config.sh ]]; then
	rm -rf "$dir" && mkdir -p "$dir"
	tar -xJf "$tarball" -C "$dir" --wildcards "$top/Makefile" "$top/scripts/*" \
		'*Kconfig*' "$top/arch/x86/configs/*" "$top/arch/x86/Makefile*" \
		"$top/arch/x86/tools/*" "$top/arch/x86/entry/syscalls/*" \
		"$top/include/uapi/*" "$top/tools/include/*"
fi
src=$dir/$top
out=$dir/out
# conf and its objects stay from the last run: only the config is new.
mkdir -p "$out" && rm -f "$out/.config"

make -s -C "$src" O="$out" x86_64_defconfig
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$frag"
make -s -C "$src" O="$out" olddefconfig

bad=0
while IFS= read -r want; do
	[[ $want =~ ^CONFIG_ ]] || continue
	opt=${want%%=*}
	got=$(grep -E "^$opt=" "$out/.config" || echo "$opt unset")
	if [[ $got == "$want" ]]; then
		echo "ok   $want"
	else
		echo "BAD  $want: the merged config has $got"
		bad=1
	fi
done < <(cat "$frag"; printf '%s\n' $needs)
exit $bad
