# shellcheck shell=bash disable=SC2034 # the variables are for the sourcing script
# Shared by scripts/mutants/mutants.sh and dry-run.sh (sourced, not run).
# Expects $repo. Sets, for source version KVER (default 6.1):
#   ver      6.1
#   pdir     scripts/mutants/<ver>/  (the NN-name.patch files; MUTANT_PATCH_DIR
#            overrides it, e.g. to try a patch before it goes in)
#   kconfig  the config fragment: <pdir>/kernel.config if present, else
#            scripts/mutants/kernel.config
#   tarball  /usr/src/linux-source-<ver>.tar.xz
#   top      linux-source-<ver>      (the tarball's top directory)
#   mbuild   build/mutants/

ver=${KVER:-6.1}
[[ $ver =~ ^[0-9]+\.[0-9]+$ ]] || { echo "mutants: KVER=$ver is not like 6.1" >&2; exit 2; }
pdir=${MUTANT_PATCH_DIR:-$repo/scripts/mutants/$ver}
kconfig=$repo/scripts/mutants/kernel.config
[[ -f $repo/scripts/mutants/$ver/kernel.config ]] && kconfig=$repo/scripts/mutants/$ver/kernel.config
tarball=/usr/src/linux-source-$ver.tar.xz
top=linux-source-$ver
mbuild=$repo/build/mutants

# The source tarball, installed if missing: never a silent pass without it.
ensure_tarball() {
	[[ -r $tarball ]] && return 0
	echo "mutants: $tarball missing, installing linux-source-$ver" >&2
	KVER=$ver "$repo/scripts/install-deps.sh" --mutants >&2 || true
	[[ -r $tarball ]] || { echo "mutants: $tarball still missing" >&2; return 1; }
}

# The version of the source the images are built from (package version;
# size and mtime when the tarball did not come from a package).
source_version() {
	dpkg-query -W -f='${Version}' "linux-source-$ver" 2>/dev/null ||
		stat -c '%s %Y' "$tarball"
}

# The files PATCH touches, one per line, -p1 stripped: "M path" for a
# change, "A path" for a new file, "D path" for a deletion. Only "--- "
# lines directly followed by "+++ " count, so a header that says "---"
# (git format-patch's separator) or quotes a diff line is no diff.
patch_files() {
	awk '
	function strip(p) { sub(/\t.*/, "", p); sub(/^[^\/]*\//, "", p); return p }
	prev != "" && /^\+\+\+ / {
		from = prev; to = substr($0, 5); prev = ""
		if (from ~ /^\/dev\/null/) print "A " strip(to)
		else if (to ~ /^\/dev\/null/) print "D " strip(from)
		else print "M " strip(to)
		next
	}
	{ prev = "" }
	/^--- / { prev = substr($0, 5) }
	' "$1" | sort -u -k2
}

# The patches of pdir, in order, selected by SEL (numbers or names; all
# when empty). Fails on a selector that matches nothing.
select_patches() {
	local sel=$1 p s hit
	local all=()
	shopt -s nullglob
	all=("$pdir"/[0-9]*.patch)
	shopt -u nullglob
	if [[ -z $sel ]]; then
		((${#all[@]} == 0)) || printf '%s\n' "${all[@]}"
		return 0
	fi
	for s in $sel; do
		hit=0
		for p in "${all[@]}"; do
			case ${p##*/} in
			"$s"-*.patch | "$s".patch | "$s") echo "$p"; hit=1 ;;
			esac
		done
		((hit)) || { echo "mutants: no patch matches '$s' in $pdir" >&2; return 1; }
	done
}
