#!/bin/bash
# Build the upstream mm selftests of a kernel source tree as static binaries
# for the make mutants guest, without touching the tree's sources.
#
#   scripts/mutants/build-upstream.sh TREE LIST OUT
#
# TREE: an extracted, configured linux-source tree (make headers_install
# runs in it); LIST: scripts/mutants/upstream-<ver>.txt; OUT: gets
# tests.txt (NAME SECS NEEDS COMMAND, for the job, only the tests that
# built), the binaries, build.log, and src/ and hdr/ (the copy built from
# and the tree's UAPI headers).
#
# Environment: UPSTREAM_MIGRATION_SECS (15): 6.1's migration test runs each
# of its 3 cases for a fixed 60 s; the copy is built with this instead.
# Exit status non-zero when nothing built; single failures are listed.
set -euo pipefail

tree=$(cd "${1:?usage: build-upstream.sh TREE LIST OUT}" && pwd)
list=${2:?usage: build-upstream.sh TREE LIST OUT}
out=${3:?usage: build-upstream.sh TREE LIST OUT}
mig_secs=${UPSTREAM_MIGRATION_SECS:-15}

ksft=$tree/tools/testing/selftests
vm=$ksft/mm
[[ -d $vm ]] || vm=$ksft/vm	# renamed mm/ in 6.3
[[ -d $vm && -f $ksft/kselftest.h ]] || { echo "build-upstream: no $ksft/{mm,vm}" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/src"
log=$out/build.log
: >"$log"

# The selftests' own convention (KHDR_INCLUDES): the tree's UAPI, not the
# host's, so a newer tree's tests see their new syscalls and flags.
make -s -C "$tree" headers_install INSTALL_HDR_PATH="$out/hdr" >>"$log" 2>&1

# A copy keeps the relative includes (../kselftest.h) and lets us shorten
# migration's fixed runtime without editing the tree.
cp "$ksft"/kselftest*.h "$out/src/"
cp -r "$vm" "$out/src/vm"
src=$out/src/vm
if [[ -f $src/migration.c ]]; then
	if grep -q '^#define RUNTIME (60)$' "$src/migration.c"; then
		sed -i "s/^#define RUNTIME (60)\$/#define RUNTIME ($mig_secs)/" "$src/migration.c"
	else
		echo "build-upstream: migration.c has no '#define RUNTIME (60)': built as is" | tee -a "$log" >&2
	fi
fi

built=0 failed=()
declare -A done_bins=()
while read -r name secs needs link cmd; do
	[[ -z $name || $name == \#* ]] && continue
	bin=${cmd%% *}
	if [[ -z ${done_bins[$bin]:-} ]]; then
		# LINK: x.c = extra source, -x = compiler flag, x = -lx.
		extra=() libs=(-lrt -lpthread)
		if [[ $link != - ]]; then
			IFS=, read -ra parts <<<"$link"
			for p in "${parts[@]}"; do
				case $p in
				*.c) extra+=("$p") ;;
				-*) extra+=("$p") ;;
				*) libs+=("-l$p") ;;
				esac
			done
		fi
		echo "== $bin: gcc -static ${extra[*]} ${libs[*]}" >>"$log"
		if (cd "$src" && gcc -static -O2 -Wall -isystem "$out/hdr/include" \
			-I "$tree" -o "$out/$bin" "$bin.c" "${extra[@]}" "${libs[@]}") >>"$log" 2>&1; then
			done_bins[$bin]=ok
		else
			done_bins[$bin]=failed
		fi
	fi
	if [[ ${done_bins[$bin]} == ok ]]; then
		echo "$name $secs $needs $cmd" >>"$out/tests.txt"
		built=$((built + 1))
	else
		failed+=("$name")
	fi
done <"$list"

echo "build-upstream: $built tests built${failed:+, failed: ${failed[*]} (see $log)}"
((built > 0))
