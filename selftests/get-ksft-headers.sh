#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Extract kselftest.h and kselftest_harness.h from Debian's linux-source
# tarball. They are not shipped in linux-headers and must not be committed.
# The tests build against the harness of the kernel under test: 6.1's by
# default, 6.12's with /usr/src/linux-source-6.12.tar.xz.
#
# usage: get-ksft-headers.sh [DESTDIR] [TARBALL]

set -e

dest=${1:-$(dirname "$0")/../build/ksft}
tarball=${2:-/usr/src/linux-source-6.1.tar.xz}
# Debian's tarball holds one directory named after it: linux-source-6.12/
top=$(basename "$tarball" .tar.xz)
members="$top/tools/testing/selftests/kselftest.h $top/tools/testing/selftests/kselftest_harness.h"

if [ -f "$dest/kselftest.h" ] && [ -f "$dest/kselftest_harness.h" ]; then
	exit 0
fi

if [ ! -r "$tarball" ]; then
	echo "get-ksft-headers: $tarball not found (apt-get install $top)" >&2
	exit 1
fi

mkdir -p "$dest"
tmp=$(mktemp -d "$dest/.extract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "get-ksft-headers: extracting kselftest headers from $tarball (slow: xz)" >&2
# shellcheck disable=SC2086 # members is a list of paths without spaces
tar -xJf "$tarball" -C "$tmp" --strip-components=4 $members

# Move into place only once both exist, so a killed run is retried.
for h in kselftest.h kselftest_harness.h; do
	if [ ! -f "$tmp/$h" ]; then
		echo "get-ksft-headers: $h missing from $tarball" >&2
		exit 1
	fi
done
mv "$tmp/kselftest.h" "$tmp/kselftest_harness.h" "$dest/"
