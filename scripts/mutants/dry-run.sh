#!/bin/bash
# Check in seconds, without a kernel tree, that every mutant patch in
# scripts/mutants/<ver>/ applies to the installed linux-source-<ver>
# tarball, exactly (no fuzz: a fuzzy hunk could break the wrong line) and
# reversibly, and that its header and knob are there.
#
#   scripts/mutants/dry-run.sh              (KVER=6.1 by default)
#
# Only the files the patches touch are extracted (one xz pass), cached under
# build/mutants/dry-run/<ver>-<tarball mtime>/. The tarball is installed
# when missing. One line per patch; exit status non-zero if any patch
# fails, or if there is no patch at all.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/mutants/lib.sh
. "$repo/scripts/mutants/lib.sh"

ensure_tarball

mapfile -t patches < <(select_patches "")
if ((${#patches[@]} == 0)); then
	echo "dry-run: no patches in ${pdir#"$repo"/}"
	exit 1
fi

mtime=$(stat -c %Y "$tarball")
cache=$mbuild/dry-run/$ver-$mtime
mkdir -p "$cache"
# A reinstalled tarball makes the old extracts stale.
find "$mbuild/dry-run" -mindepth 1 -maxdepth 1 -name "$ver-*" ! -name "$ver-$mtime" \
	-exec rm -rf {} +

# Extract what no earlier run did. A member missing from the tarball is not
# an error here: patch then reports the file missing.
missing=()
while read -r _ f; do
	[[ -e $cache/$f || -e $cache/.absent/$f ]] || missing+=("$top/$f")
done < <(for p in "${patches[@]}"; do patch_files "$p"; done | awk '$1 != "A"' | sort -u)
if ((${#missing[@]})); then
	tar -xJf "$tarball" -C "$cache" --strip-components=1 "${missing[@]}" 2>/dev/null || true
	for m in "${missing[@]}"; do
		f=${m#"$top"/}
		[[ -e $cache/$f ]] || { mkdir -p "$(dirname "$cache/.absent/$f")" && : >"$cache/.absent/$f"; }
	done
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tlbt-dry-run.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

srcver=$(source_version)
failed=0
for p in "${patches[@]}"; do
	name=${p##*/}
	name=${name%.patch}
	why=()
	# The header, before the first diff line.
	head=$(sed '/^--- /q' "$p")
	for key in Mutant Function Breaks Upstream Window; do
		grep -q "^$key: ." <<<"$head" || why+=("no '$key:' header line")
	done
	grep -q '^+.*tlbt_mutant_delay_us' "$p" || why+=("adds no tlbt_mutant_delay_us knob")

	rm -rf "${scratch:?}"/*
	nfiles=0
	while read -r kind f; do
		nfiles=$((nfiles + 1))
		[[ $kind == A || ! -e $cache/$f ]] && continue
		mkdir -p "$scratch/$(dirname "$f")"
		cp "$cache/$f" "$scratch/$f"
	done < <(patch_files "$p")
	((nfiles)) || why+=("no diff in it")

	out=$scratch/.out
	if ! patch -d "$scratch" -p1 -f --fuzz=0 --no-backup-if-mismatch <"$p" >"$out" 2>&1; then
		why+=("does not apply")
	elif ! patch -d "$scratch" -p1 -R -f --fuzz=0 --dry-run <"$p" >>"$out" 2>&1; then
		why+=("does not reverse")
	fi
	if ((${#why[@]} == 0)); then
		off=$(grep -c 'with fuzz\|offset' "$out" || true)
		echo "ok   $name: applies to $top $srcver ($nfiles file$( ((nfiles == 1)) || echo s)${off:+, $off hunks at an offset})" |
			sed 's/, 0 hunks at an offset//'
	else
		failed=$((failed + 1))
		(IFS=';'; echo "FAIL $name: ${why[*]}" | sed 's/;/; /g')
		grep -v '^patching file' "$out" | sed 's/^/     /' | head -20
	fi
done
echo "dry-run: ${#patches[@]} patches, $failed failed"
((failed == 0))
