#!/bin/bash
# Print the kernel release the guest boots and the module is built against:
# the newest Debian amd64 kernel of series KVER (6.1, the default, or 6.12)
# that has both its image and its build tree (headers). GUEST_KVER (a
# release) overrides the choice.
set -euo pipefail

usable() {
	[[ -f /boot/vmlinuz-$1 && -d /lib/modules/$1/build ]]
}

if [[ -n ${GUEST_KVER:-} ]]; then
	if ! usable "$GUEST_KVER"; then
		echo "guest-kernel: GUEST_KVER=$GUEST_KVER lacks /boot/vmlinuz-$GUEST_KVER or /lib/modules/$GUEST_KVER/build" >&2
		exit 1
	fi
	echo "$GUEST_KVER"
	exit 0
fi

series=${KVER:-6.1}
if [[ ! $series =~ ^[0-9]+\.[0-9]+$ ]]; then
	echo "guest-kernel: KVER=$series is not a kernel series like 6.1 or 6.12" >&2
	exit 2
fi

# Only the plain amd64 flavour: cloud/rt flavours differ in config.
# Releases: 6.1.0-57-amd64 (bookworm's own), 6.12.117+deb12-amd64
# (bookworm-security's 6.12).
re="^${series//./\\.}\\.[0-9]+(-[0-9]+|\\+deb[0-9]+)-amd64\$"
best=$(for f in /boot/vmlinuz-"$series".*; do
	v=${f#/boot/vmlinuz-}
	if [[ $v =~ $re ]] && usable "$v"; then
		echo "$v"
	fi
done | sort -V | tail -n 1)

if [[ -z $best ]]; then
	echo "guest-kernel: no Debian $series kernel with /boot/vmlinuz-* and /lib/modules/*/build (run scripts/install-deps.sh)" >&2
	exit 1
fi
echo "$best"
