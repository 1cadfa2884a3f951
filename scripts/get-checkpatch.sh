#!/bin/bash
# Extract checkpatch.pl and the data files it reads from Debian's
# linux-source-6.1 tarball into build/checkpatch/ (never committed).
set -euo pipefail

dest=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/checkpatch}
tarball=${2:-/usr/src/linux-source-6.1.tar.xz}
top=linux-source-6.1
files=(checkpatch.pl spelling.txt const_structs.checkpatch)

[[ -x $dest/checkpatch.pl ]] && exit 0
[[ -r $tarball ]] || { echo "get-checkpatch: $tarball missing (apt-get install linux-source-6.1)" >&2; exit 1; }

mkdir -p "$dest"
tmp=$(mktemp -d "$dest/.extract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "get-checkpatch: extracting checkpatch.pl from $tarball (slow: xz)" >&2
tar -xJf "$tarball" -C "$tmp" --strip-components=2 "${files[@]/#/$top/scripts/}"
mv "${files[@]/#/$tmp/}" "$dest/"
