#!/bin/bash
# Build the guest initramfs (gzip'd newc cpio) at OUT:
#   /init                 scripts/guest-init.sh
#   busybox + applet links
#   /tlbt/tlbtorture.ko   TLBT_KO, by default the module built for the guest
#                         kernel (TLBT_ALLOW_NO_MODULE=1 to omit)
#   /tlbt/bin/            the selftests built for it (TLBT_SELFTESTS, by
#                         default selftests/build/, or build-6.12/ for
#                         KVER=6.12)
#   /tlbt/ksft/           their kselftest install tree (TLBT_KSFT_INSTALL,
#                         by default build/kselftest_install[-6.12]), with
#                         the module next to the wrapper that loads it
#   /tlbt/jobs/           scripts/jobs/*.sh
#   /tlbt/modules/        zsmalloc.ko, zram.ko of the guest kernel
#   /tlbt/extra/          the contents of TLBT_EXTRA_DIR, when set (e.g. the
#                         upstream mm selftests of make mutants)
#   trace-cmd with its shared libraries and libtraceevent plugins
set -euo pipefail

if (($# != 1)); then
	echo "usage: $0 OUT.cpio.gz" >&2
	exit 2
fi
out=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
# The guest kernel: KVER's series (scripts/kver.sh), 6.1 by default.
# shellcheck source=scripts/kver.sh
. "$repo/scripts/kver.sh"
kv_layout "${KVER:-6.1}"
kver=$KV_REL

die() { echo "mkinitramfs: $*" >&2; exit 1; }

root=$(mktemp -d "${TMPDIR:-/tmp}/tlbt-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT

# Copy a host file to the same path in the image, following symlinks.
copy_same() {
	mkdir -p "$root$(dirname "$1")"
	cp -L "$1" "$root$1"
}

# Copy the shared libraries and the loader a dynamic executable needs, at
# their host paths, so the host's ld.so search paths also work in the guest.
copy_libs() {
	local lib
	# ldd fails on static binaries: nothing to copy then.
	ldd "$1" >/dev/null 2>&1 || return 0
	for lib in $(ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		[[ -e $root$lib ]] || copy_same "$lib"
	done
}

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc} \
	"$root"/tlbt/{bin,jobs,modules}

# busybox-static: links made here, so /init needs no install step.
bb=/bin/busybox
[[ -x $bb ]] || die "$bb missing (apt-get install busybox-static)"
ldd "$bb" >/dev/null 2>&1 && die "$bb is dynamic; need busybox-static"
cp "$bb" "$root/bin/busybox"
for applet in $("$bb" --list-full); do
	# The kernel's kselftest/runner.sh runs /usr/bin/timeout with GNU's
	# --foreground, which busybox's lacks: timeout lives in /bin only, and
	# the runner goes without (the job has its own timeout).
	[[ $applet == usr/bin/timeout ]] && applet=bin/timeout
	[[ -e $root/$applet ]] || ln -s /bin/busybox "$root/$applet"
done

install -m 0755 "$repo/scripts/guest-init.sh" "$root/init"

ko=${TLBT_KO:-$KV_KO}
if [[ -f $ko ]]; then
	cp "$ko" "$root/tlbt/tlbtorture.ko"
elif [[ ${TLBT_ALLOW_NO_MODULE:-0} == 1 ]]; then
	echo "mkinitramfs: no $ko, building without it (TLBT_ALLOW_NO_MODULE=1)" >&2
else
	die "$ko missing (build it with make; TLBT_ALLOW_NO_MODULE=1 to boot without it)"
fi

# Test binaries are meant to be static; libraries are copied anyway in case.
shopt -s nullglob
for f in "${TLBT_SELFTESTS:-$KV_SELFTESTS}"/*; do
	if [[ -f $f && -x $f ]]; then
		cp "$f" "$root/tlbt/bin/"
		copy_libs "$f"
	fi
done
# The wrapper and "settings" (timeout=SECS) with the tests, for the jobs
# that run them from /tlbt/bin.
install -m 0755 "$repo/selftests/tlbtorture.sh" "$root/tlbt/bin/tlbtorture.sh"
install -m 0644 "$repo/selftests/settings" "$root/tlbt/bin/settings"
# The installed collection, as a test fleet gets it. Hard links where the
# same programs are in /tlbt/bin: cpio stores the data once.
ksft=${TLBT_KSFT_INSTALL:-$KV_KSFT_INSTALL}
if [[ -f $ksft/run_kselftest.sh ]]; then
	cp -a "$ksft" "$root/tlbt/ksft"
	for f in "$root"/tlbt/ksft/tlbtorture/*; do
		[[ -f $root/tlbt/bin/${f##*/} ]] && cmp -s "$f" "$root/tlbt/bin/${f##*/}" &&
			ln -f "$root/tlbt/bin/${f##*/}" "$f"
	done
	[[ -f $ko ]] && cp "$ko" "$root/tlbt/ksft/tlbtorture/tlbtorture.ko"
fi
# Guest-side tools that also run on a test box.
install -m 0755 "$repo/scripts/trace-sequence.sh" "$root/tlbt/bin/trace-sequence.sh"
# Anything else a job needs, as is (static binaries: no library copy).
if [[ -n ${TLBT_EXTRA_DIR:-} ]]; then
	[[ -d $TLBT_EXTRA_DIR ]] || die "TLBT_EXTRA_DIR=$TLBT_EXTRA_DIR is not a directory"
	mkdir -p "$root/tlbt/extra"
	cp -a "$TLBT_EXTRA_DIR/." "$root/tlbt/extra/"
fi
jobs=("$repo"/scripts/jobs/*.sh)
((${#jobs[@]})) || die "no scripts/jobs/*.sh"
install -m 0755 "${jobs[@]}" "$root/tlbt/jobs/"

# Module M of the guest kernel into /tlbt/modules/, after the modules it
# depends on, each name appended to /tlbt/modules/order: guest-init.sh
# loads them in that order. Built-in ones are skipped (6.12 builds in
# zsmalloc, and its zram needs the lz4 compressors that 6.1's did not).
add_module() {
	local m=$1 src dep
	[[ -e $root/tlbt/modules/$m.ko ]] && return 0
	src=$(modinfo -k "$kver" -n "$m" 2>/dev/null) || return 1
	[[ $src == "(builtin)" ]] && return 0
	for dep in $(modinfo -k "$kver" -F depends "$m" | tr , ' '); do
		add_module "$dep" || return 1
	done
	case $src in
	*.ko.xz) xz -dc "$src" ;;
	*.ko.zst) zstd -qdc "$src" ;;
	*.ko.gz) gzip -dc "$src" ;;
	*.ko) cat "$src" ;;
	*) return 1 ;;
	esac >"$root/tlbt/modules/$m.ko" || return 1
	echo "$m" >>"$root/tlbt/modules/order"
}

# zram (swap for the reclaim tests) from the kernel the guest boots;
# TLBT_NO_ZRAM_MODULES=1 for a kernel with zram built in.
[[ -n ${TLBT_NO_ZRAM_MODULES:-} ]] ||
	add_module zram || die "module zram (or a dependency) not found for $kver"

# ext4 and what it needs, for the writeback filesystem the kernel-path
# mkclean race uses (zram1, see guest-init.sh); best effort: a kernel
# with ext4 built in has none of them. crc32c_generic is no dependency
# by name: ext4 asks the crypto API for crc32c.
if [[ -z ${TLBT_NO_ZRAM_MODULES:-} ]]; then
	add_module crc32c_generic || true
	add_module ext4 || true
fi

# trace-cmd for "trace-cmd record -e tlbtorture -e tlb" in the guest.
tc=/usr/bin/trace-cmd
[[ -x $tc ]] || die "$tc missing (apt-get install trace-cmd)"
copy_same "$tc"
copy_libs "$tc"
# Event-format plugins (loaded by dlopen, so ldd misses them).
for p in /usr/lib/x86_64-linux-gnu/traceevent/plugins/*.so; do
	copy_same "$p"
	copy_libs "$p"
done

mkdir -p "$(dirname "$out")"
tmpout=$(mktemp "$out.XXXXXX")
# Fixed owner: the files are root's in the guest whoever builds the image.
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -6 >"$tmpout"
chmod 0644 "$tmpout"
mv -f "$tmpout" "$out"
echo "mkinitramfs: $out ($(du -k "$out" | cut -f1) KiB, kernel $kver)"
