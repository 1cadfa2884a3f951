#!/bin/bash
# Print the kernel release the guest boots and the module is built against:
# the newest Debian 6.1 amd64 kernel that has both its image and its build
# tree (headers). GUEST_KVER overrides the choice.
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

# Only the plain amd64 flavour: cloud/rt flavours differ in config.
best=$(for f in /boot/vmlinuz-6.1.*; do
	v=${f#/boot/vmlinuz-}
	if [[ $v =~ ^6\.1\.[0-9]+-[0-9]+-amd64$ ]] && usable "$v"; then
		echo "$v"
	fi
done | sort -V | tail -n 1)

if [[ -z $best ]]; then
	echo "guest-kernel: no Debian 6.1 kernel with /boot/vmlinuz-* and /lib/modules/*/build (run scripts/install-deps.sh)" >&2
	exit 1
fi
echo "$best"
