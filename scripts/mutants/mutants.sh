#!/bin/bash
# make mutants: prove that the kernel-path tests fail on kernels with a TLB
# flush ordering broken on purpose. Builds linux-source-<KVER> (lean guest
# config) once as is and once per mutant patch of scripts/mutants/<KVER>/,
# boots each image in QEMU with job "mutants" (tlbt_kpath_race_test, then
# the upstream mm selftests of the same tree), and prints the kill table.
#
#   scripts/mutants/mutants.sh            run (what make mutants does)
#   scripts/mutants/mutants.sh --table    reprint the table of the last run
#
# Environment (make mutants VAR=...):
#   KVER=6.1              source: linux-source-KVER, scripts/mutants/KVER/
#   MUTANTS='01 03'       patches to run, by number or name (default all)
#   MUTANT_BOOTS=3        boots per variant (0: build the images only)
#   MUTANT_BOOTS0         boots per mutant at delay 0 (default MUTANT_BOOTS):
#                         delay 0 is reported, not judged
#   MUTANT_UPSTREAM_BOOTS the upstream tests run in the first N boots of
#                         each variant only (default: every boot)
#   MUTANT_UPSTREAM_AT0=1 0: no upstream tests at delay 0
#   MUTANT_DELAY_US=20000 the widened window (tlbt_mutant_delay_us=); 1000
#                         is too short under TCG (README, "The kill table")
#   MUTANT_JOBS=3         make -j for the kernel builds
#   MUTANT_BOOT_SECS      timeout of one boot (default: the race test's
#                         and every upstream test's timeouts + 300)
#   MUTANT_RACE=tlbt_kpath_race_test  the race test (selftests/build/)
#   MUTANT_RACE_OPTS=     its arguments, e.g. '-r race.mremap_truncate'
#   MUTANT_RACE_SECS=600  its timeout in the guest (it takes about 40 s)
#   MUTANT_RACE_MS=4000   how long each race scenario runs (TLBT_RACE_MS
#                         of the test; the kill table was measured at 4000)
#   MUTANT_UPSTREAM=1     0: leave the upstream selftests out
#   MUTANT_NO_BASE=1      do not boot the base image (still built)
#   MUTANT_VERBOSE=1      guest console on the terminal
#   MUTANT_PATCH_DIR      patches from elsewhere (trying a new one)
#   VM_CPUS, VM_MEM, VM_APPEND, VM_ACCEL: as for scripts/run-vm.sh
#
# Variants: base; each mutant with delay 0 and with MUTANT_DELAY_US.
# Output under build/mutants/: images/ (bzImages cached by a hash of the
# patch, the config fragment and the source version), logs-VER/ (boot
# console logs <variant>-<boot>.log, build logs), results-VER.tsv (per
# boot and test), kill-table-VER.md. Exit status non-zero when the base shows a kill or a
# failure, or a mutant at the widened delay is not killed in every boot.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
here=$repo/scripts/mutants
# shellcheck source=scripts/mutants/lib.sh
. "$here/lib.sh"

boots=${MUTANT_BOOTS:-3}
boots0=${MUTANT_BOOTS0:-$boots}
up_boots=${MUTANT_UPSTREAM_BOOTS:-$boots}
delay_us=${MUTANT_DELAY_US:-20000}
jobs=${MUTANT_JOBS:-3}
boot_secs=${MUTANT_BOOT_SECS:-0}
race=${MUTANT_RACE:-tlbt_kpath_race_test}
race_opts=${MUTANT_RACE_OPTS:-}
race_secs=${MUTANT_RACE_SECS:-600}
race_ms=${MUTANT_RACE_MS:-4000}
verbose=${MUTANT_VERBOSE:-0}
for n in "$boots" "$boots0" "$up_boots" "$delay_us" "$jobs" "$boot_secs" "$race_secs" ${race_ms:+"$race_ms"}; do
	[[ $n =~ ^[0-9]+$ ]] || { echo "mutants: not a number: $n" >&2; exit 2; }
done

# The series is also the harness's KVER (run-vm.sh, mkinitramfs.sh,
# guest-build.sh): the Debian kernel of that series names the guest, and
# the selftests are built against its kselftest harness.
export KVER=$ver
# shellcheck source=scripts/kver.sh
. "$repo/scripts/kver.sh"
tree=$mbuild/$top
images=$mbuild/images
# Per series: a 6.12 run must not overwrite 6.1's results.
logs=$mbuild/logs-$ver
results=$mbuild/results-$ver.tsv
table_md=$mbuild/kill-table-$ver.md
# Copy of the patch that is applied to the tree right now, if any: lets
# the EXIT trap, or the next run after a SIGKILL, take it out again.
applied=$mbuild/applied-$ver.patch
# How a tree is configured; part of every image hash.
recipe="x86_64_defconfig + kvm_guest.config + ${kconfig#"$repo"/}, olddefconfig, bzImage"

start=$SECONDS
say() { echo "mutants: $*"; }
die() { echo "mutants: $*" >&2; exit 1; }

table() {
	awk -f "$here/kill-table.awk" -v fmt=text "$results"
}

if [[ ${1:-} == --table ]]; then
	[[ -f $results ]] || die "no $results yet"
	table
	exit 0
elif (($#)); then
	awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"
	exit 2
fi

mkdir -p "$images" "$logs"
# One run at a time: the tree is shared.
exec 9>"$mbuild/lock"
flock -n 9 || die "another make mutants holds $mbuild/lock"

# Put the tree back to its pristine sources: reverse the applied patch, or,
# when it is neither cleanly applied nor cleanly absent (killed half way),
# re-extract the files it touches from the tarball.
restore_tree() {
	[[ -f $applied ]] || return 0
	local kind f members=()
	if patch -d "$tree" -p1 -R -f -s --fuzz=0 --dry-run <"$applied" >/dev/null 2>&1 &&
	   patch -d "$tree" -p1 -R -f -s --fuzz=0 --no-backup-if-mismatch <"$applied" >/dev/null 2>&1; then
		:
	elif patch -d "$tree" -p1 -f -s --fuzz=0 --dry-run <"$applied" >/dev/null 2>&1; then
		:	# it never got in
	else
		echo "mutants: tree half patched; restoring the touched files from $tarball" >&2
		while read -r kind f; do
			rm -f "$tree/$f"
			[[ $kind == A ]] || members+=("$top/$f")
		done < <(patch_files "$applied")
		if ((${#members[@]})); then
			tar -xJf "$tarball" -C "$mbuild" "${members[@]}" || return 1
		fi
	fi
	rm -f "$applied"
}
# shellcheck disable=SC2317 # run by the EXIT trap
on_exit() {
	local rc=$?
	restore_tree || echo "mutants: COULD NOT RESTORE $tree: remove it" >&2
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

TLBT_KVERS=$ver "$repo/scripts/install-deps.sh" --mutants
ensure_tarball
kv_layout "$ver" || die "no Debian $ver kernel installed for the harness"
# A run killed with SIGKILL left its patch in.
restore_tree

plist=$(select_patches "${MUTANTS:-}") || exit 2
patches=()
[[ -z $plist ]] || mapfile -t patches <<<"$plist"
((${#patches[@]})) || say "no mutant patches in ${pdir#"$repo"/}: base only"

# Extract once; a killed extraction leaves only the temporary directory.
if [[ ! -f $tree/Makefile ]]; then
	say "extracting $tarball"
	tmp=$(mktemp -d "$mbuild/.extract.XXXXXX")
	tar -xJf "$tarball" -C "$tmp"
	rm -rf "$tree"
	mv "$tmp/$top" "$tree"
	rmdir "$tmp"
fi

# Every line of the fragment holds in .config (an option =y, or absent
# for "is not set"); only a warning: a symbol nothing selects any more
# (MMU_NOTIFIER without DRM and KVM) cannot hold.
config_holds() {
	local line opt
	while read -r line; do
		case $line in
		CONFIG_*=*) grep -qxF -- "$line" "$tree/.config" || return 1 ;;
		'# CONFIG_'*' is not set')
			opt=${line#\# }
			opt=${opt%% *}
			! grep -q "^$opt=" "$tree/.config" || return 1
			;;
		esac
	done <"$kconfig"
}

kconfig_sum=$(sha256sum <"$kconfig" | cut -c1-64)
cstamp=$mbuild/config-$ver.stamp
# No stamp yet (configured by hand): kept if newer than the fragment.
if [[ ! -f $tree/.config ]] ||
   { [[ -f $cstamp ]] && [[ $(<"$cstamp") != "$kconfig_sum" ]]; } ||
   { [[ ! -f $cstamp ]] && [[ $kconfig -nt $tree/.config ]]; }; then
	say "configuring $top: $recipe"
	(
		cd "$tree"
		make -s x86_64_defconfig
		scripts/kconfig/merge_config.sh -m .config kernel/configs/kvm_guest.config "$kconfig" >/dev/null
		make -s olddefconfig
	)
	config_holds || say "warning: some options of ${kconfig#"$repo"/} did not survive olddefconfig"
fi
echo "$kconfig_sum" >"$cstamp"

srcver=$(source_version)
image_hash() {	# image_hash PATCH|base
	{
		echo "$recipe"
		echo "$srcver"
		cat "$kconfig"
		[[ $1 == base ]] || cat "$1"
	} | sha256sum | cut -c1-12
}

build_secs=0
# build_image NAME PATCH|base: sets img to the image, built or cached.
# Not run in a subshell: the EXIT trap must see the applied patch.
build_image() {
	local name=$1 p=$2 t0 blog
	img=$images/$ver-$name-$(image_hash "$p").bzImage
	if [[ -f $img ]]; then
		say "$name: cached ${img#"$repo"/}"
		return 0
	fi
	blog=$logs/build-$name.log
	: >"$blog"
	if [[ $p != base ]]; then
		if ! patch -d "$tree" -p1 -f -s --fuzz=0 --dry-run <"$p" >"$blog" 2>&1; then
			say "$name: does not apply to $top (see ${blog#"$repo"/})"
			return 1
		fi
		# Called under "if": errexit is off here, so every step checks.
		cp "$p" "$applied" || return 1
		if ! patch -d "$tree" -p1 -f -s --fuzz=0 --no-backup-if-mismatch <"$p" >>"$blog" 2>&1; then
			say "$name: patch failed (see ${blog#"$repo"/})"
			restore_tree
			return 1
		fi
	fi
	say "$name: make -j$jobs bzImage (log ${blog#"$repo"/})"
	t0=$SECONDS
	if ! make -C "$tree" -j"$jobs" bzImage >>"$blog" 2>&1; then
		tail -n 20 "$blog" | sed 's/^/    /'
		say "$name: build failed after $((SECONDS - t0)) s"
		restore_tree
		return 1
	fi
	cp "$tree/arch/x86/boot/bzImage" "$img.tmp" && mv "$img.tmp" "$img" || return 1
	restore_tree || return 1
	build_secs=$((build_secs + SECONDS - t0))
	say "$name: built in $((SECONDS - t0)) s"
}

printf 'variant\tmutant\tdelay_us\tboot\tkind\ttest\tresult\toracle\tcount\tfirst_op\tfirst_secs\tnote\n' >"$results"

# Build every image first: a broken patch shows in minutes, not hours.
build_image base base || die "the base kernel does not build"
base_img=$img
declare -A img_of=()
names=() build_failed=()
for p in "${patches[@]}"; do
	name=${p##*/}
	name=${name%.patch}
	names+=("$name")
	if build_image "$name" "$p"; then
		img_of[$name]=$img
	else
		printf '%s\t%s\t\t0\tbuild\t\tF\t\t\t\t\tbuild failed\n' "$name" "$name" >>"$results"
		build_failed+=("$name")
	fi
done

if ((boots == 0)); then
	say "MUTANT_BOOTS=0: images built, nothing booted; total $((SECONDS - start)) s"
	((${#build_failed[@]} == 0)) || die "did not build: ${build_failed[*]}"
	exit 0
fi

# The guest's userspace: our static tests, and the upstream ones.
"$repo/scripts/guest-build.sh" selftests >"$logs/selftests.log" 2>&1 ||
	{ tail -n 20 "$logs/selftests.log"; die "selftests do not build"; }
[[ -x $KV_SELFTESTS/$race ]] ||
	say "warning: ${KV_SELFTESTS#"$repo"/}/$race missing: the guest reports it 'missing'"
extra=$mbuild/extra-$ver
uplist=$here/upstream-$ver.txt
rm -rf "$extra"
mkdir -p "$extra"
if [[ ${MUTANT_UPSTREAM:-1} == 1 && -f $uplist ]]; then
	up=$mbuild/upstream-$ver
	want=$({ cat "$uplist" "$here/build-upstream.sh"; echo "$srcver ${UPSTREAM_MIGRATION_SECS:-}"; } |
		sha256sum | cut -c1-64)
	if [[ ! -f $up/.stamp || $(<"$up/.stamp") != "$want" ]]; then
		"$here/build-upstream.sh" "$tree" "$uplist" "$up" || die "no upstream selftest built"
		echo "$want" >"$up/.stamp"
	fi
	mkdir -p "$extra/upstream"
	cp "$up/tests.txt" "$extra/upstream/"
	while read -r _ _ _ cmd; do cp -n "$up/${cmd%% *}" "$extra/upstream/"; done <"$up/tests.txt"
fi
initrd=$mbuild/initramfs-$ver.cpio.gz
# The guest kernels have zram built in and no tlbtorture.ko: the race and
# upstream tests need no module.
TLBT_KO=$mbuild/no-module TLBT_ALLOW_NO_MODULE=1 TLBT_NO_ZRAM_MODULES=1 \
	TLBT_EXTRA_DIR=$extra "$repo/scripts/mkinitramfs.sh" "$initrd" 2>&1 |
	{ grep -v 'building without it' || true; }

# Long enough for the race test and every upstream test to time out.
if [[ -z ${MUTANT_BOOT_SECS:-} ]]; then
	boot_secs=$((race_secs + 300))
	[[ ! -f $extra/upstream/tests.txt ]] ||
		boot_secs=$((boot_secs + $(awk '$1 !~ /^#/ { s += $2 } END { print s + 0 }' "$extra/upstream/tests.txt")))
fi

boot_total=0
# boot LABEL MUTANT IMAGE DELAY|- N: one boot, its rows into the results.
boot() {
	local label=$1 mut=$2 img=$3 delay=$4 b=$5 slug log vmout append t0 g n
	slug=${label//@/-d}
	log=$logs/$slug-$b.log
	vmout=$logs/$slug-$b.vm
	# init_on_free=1: a frame freed under a stale TLB entry reads as
	# zeroes at once, not only once it is reused.
	append="init_on_free=1 ${VM_APPEND:-} tlbt.race=$race tlbt.race_secs=$race_secs"
	[[ -z $race_opts ]] || append+=" tlbt.race_opts=${race_opts// /,}"
	[[ -z $race_ms ]] || append+=" tlbt.race_ms=$race_ms"
	[[ $delay == - ]] || append+=" tlbt_mutant_delay_us=$delay"
	if ((b > up_boots)) || [[ $delay == 0 && ${MUTANT_UPSTREAM_AT0:-1} == 0 ]]; then
		append+=" tlbt.upstream=0"
	fi
	t0=$SECONDS
	# run-vm.sh fails on a kill, a failure or a kernel report: all of
	# them are results here, read from its log and its VM: lines.
	VM_KERNEL=$img VM_INITRD=$initrd VM_APPEND=$append \
		"$repo/scripts/run-vm.sh" --job mutants --timeout "$boot_secs" --log "$log" 2>&1 |
		if ((verbose)); then tee /dev/stderr; else cat; fi | { grep -a '^VM:' || true; } >"$vmout" || true
	boot_total=$((boot_total + SECONDS - t0))
	awk -f "$here/parse-boot.awk" -v variant="$label" -v mutant="$mut" -v delay="$delay" \
		-v boot="$b" "$log" >>"$results"
	if grep -q 'VM: qemu timed out' "$vmout"; then
		g=T
	elif grep -q 'VM: guest did not finish' "$vmout"; then
		g=D
	else
		g=ok
	fi
	n=$(sed -n 's/^VM: \([0-9]*\) kernel report lines$/\1/p' "$vmout")
	[[ ${n:-0} == 0 ]] || g=$([[ $g == ok ]] && echo "R$n" || echo "$g+R$n")
	printf '%s\t%s\t%s\t%s\tguest\tguest\t%s\t\t\t\t\t\n' "$label" "$mut" "$delay" "$b" "$g" >>"$results"
	say "$label boot $b/$([[ $delay == 0 ]] && echo "$boots0" || echo "$boots"): $((SECONDS - t0)) s, guest $g, $(awk -F'\t' -v v="$label" -v b="$b" '
		$1 == v && $4 == b && ($5 == "race" || $5 == "upstream") { n[$5 " " $7]++ }
		END { printf "race K%d F%d S%d -%d, upstream F%d S%d -%d",
			n["race K"], n["race F"], n["race S"], n["race -"],
			n["upstream F"], n["upstream S"], n["upstream -"] }' "$results")"
}

delays=(0)
((delay_us == 0)) || delays+=("$delay_us")
if [[ ${MUTANT_NO_BASE:-0} != 1 ]]; then
	for ((b = 1; b <= boots; b++)); do boot base base "$base_img" - "$b"; done
fi
for name in "${names[@]}"; do
	[[ -n ${img_of[$name]:-} ]] || continue
	for d in "${delays[@]}"; do
		n=$boots
		((d != 0)) || n=$boots0
		for ((b = 1; b <= n; b++)); do boot "$name@$d" "$name" "${img_of[$name]}" "$d" "$b"; done
	done
done

legend="K killed (not ok with a tlbt-kill line: a data oracle fired), S survived (ok),
- skipped (race not reached, or not applicable), F failed without a kill line
(or the guest died in it), . not run; N/B: only N of B boots gave that (the worst
of K, F, S, -). guest: ok, R<n> kernel report lines, T timed out, D did not finish."
echo
say "kill table, $top ($srcver), $boots boots ($boots0 at delay 0), delay 0 and $delay_us us"
table
echo "$legend"

{
	echo "# make mutants: kill table"
	echo
	echo "$top ($srcver), $(date -u '+%Y-%m-%d %H:%M UTC'), $boots boots per variant" \
		"($boots0 at delay 0, upstream tests in the first $up_boots)," \
		"\`tlbt_mutant_delay_us\` 0 and $delay_us, race test \`$race\`."
	echo
	awk -f "$here/kill-table.awk" -v fmt=md "$results"
	echo
	echo "$legend"
	if ((${#patches[@]})); then
		echo
		echo "Mutants:"
		echo
		for p in "${patches[@]}"; do
			n=${p##*/}
			echo "- \`${n%.patch}\`: $(sed -n 's/^Breaks: //p' "$p" | head -n 1)"
		done
	fi
} >"$table_md"
say "wrote ${table_md#"$repo"/}, ${results#"$repo"/}"

rc=0
if ! why=$(awk -f "$here/kill-table.awk" -v fmt=check -v wide="$delay_us" "$results"); then
	rc=1
	# shellcheck disable=SC2001 # prefix every line, not one string
	sed 's/^/mutants: FAIL: /' <<<"$why"
fi
say "builds $build_secs s, boots $boot_total s, total $((SECONDS - start)) s"
exit "$rc"
