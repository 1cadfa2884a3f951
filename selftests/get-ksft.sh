#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Extract the kselftest framework from Debian's linux-source tarball of the
# kernel under test: kselftest.h and kselftest_harness.h (the tests build
# against them), lib.mk (the Makefile includes it), and run_kselftest.sh
# with kselftest/ (the install layout's runner). None is in linux-headers
# and none may be committed: the tests build against the framework of the
# kernel they test, 6.1's by default, 6.12's with its tarball.
#
# usage: get-ksft.sh [DESTDIR] [TARBALL]

set -e

dest=${1:-$(dirname "$0")/../build/ksft}
tarball=${2:-/usr/src/linux-source-6.1.tar.xz}
# Debian's tarball holds one directory named after it: linux-source-6.12/
top=$(basename "$tarball" .tar.xz)
st=$top/tools/testing/selftests
# kselftest/ whole: 6.12's runner.sh sources ktap_helpers.sh, 6.1's has none.
members="$st/kselftest.h $st/kselftest_harness.h $st/lib.mk $st/run_kselftest.sh $st/kselftest"
need="kselftest.h kselftest_harness.h lib.mk run_kselftest.sh kselftest/runner.sh"

have=1
for f in $need; do
	[ -f "$dest/$f" ] || have=0
done
[ $have = 1 ] && exit 0

if [ ! -r "$tarball" ]; then
	echo "get-ksft: $tarball not found (apt-get install $top)" >&2
	exit 1
fi

mkdir -p "$dest"
tmp=$(mktemp -d "$dest/.extract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "get-ksft: extracting the kselftest framework from $tarball (slow: xz)" >&2
# shellcheck disable=SC2086 # members is a list of paths without spaces
tar -xJf "$tarball" -C "$tmp" --strip-components=4 $members

# Move into place only once all exist, so a killed run is retried.
for f in $need; do
	if [ ! -f "$tmp/$f" ]; then
		echo "get-ksft: $f missing from $tarball" >&2
		exit 1
	fi
done
rm -rf "$dest/kselftest"
mv "$tmp/kselftest" "$dest/"
# lib.mk last: the Makefile's rule for it is what runs this script.
mv "$tmp/kselftest.h" "$tmp/kselftest_harness.h" "$tmp/run_kselftest.sh" "$dest/"
mv "$tmp/lib.mk" "$dest/"
