#!/usr/bin/env bash
# Builds a tiny bootable guest for the KVM driver's boot test: a Debian
# cloud kernel and a busybox initramfs on a hybrid ISO image that boots as
# a disk. The guest loads its virtio drivers, prints on its serial console
#
#   cloudcore-guest: instance-id <ID>     read from its cidata config drive
#   cloudcore-guest: address <IP>         the address DHCP gave eth0
#
# and powers off when the ACPI power button is pressed.
#
# Usage: build-guest.sh <output directory>
# Writes <output directory>/guest.img (raw) and keeps the downloaded
# packages there; a second run with the image present does nothing.
# Needs apt-get (Debian 12), dpkg-deb, cpio, gzip, xorriso and busybox-static
# (`sudo make deps` installs the last three).
set -euo pipefail

out=${1:?usage: build-guest.sh <output directory>}
mkdir -p "$out"
out=$(cd "$out" && pwd)
[[ -s $out/guest.img ]] && exit 0

for tool in apt-get apt-cache dpkg-deb cpio gzip xorriso; do
	command -v "$tool" >/dev/null || { echo "build-guest: $tool not found" >&2; exit 1; }
done
busybox=$(command -v busybox)
if ldd "$busybox" >/dev/null 2>&1; then
	echo "build-guest: $busybox is not static (install busybox-static)" >&2
	exit 1
fi

work=$(mktemp -d "$out/work.XXXXXX")
trap 'rm -rf "$work"' EXIT
debs=$out/debs
mkdir -p "$debs"

# apt-get download writes to the current directory; as root it warns that
# the _apt user cannot write there.
kernel_pkg=$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-/ {print $2; exit}')
[[ -n $kernel_pkg ]] || { echo "build-guest: no package for linux-image-cloud-amd64 (run apt-get update)" >&2; exit 1; }
(cd "$debs" && apt-get download -q "$kernel_pkg" isolinux syslinux-common 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$work/pkgs"; done

# The initramfs: busybox, the modules the guest needs, an init script.
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,seed,lib/modules,etc/acpi/PWRF}
cp "$busybox" "$root/bin/busybox"
# In the order they load: each after those it depends on.
modules=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk
	failover net_failover virtio_net cdrom isofs evdev button)
for m in "${modules[@]}"; do
	ko=$(find "$work/pkgs/lib/modules" -name "$m.ko" -print -quit)
	[[ -n $ko ]] || { echo "build-guest: module $m not in $kernel_pkg" >&2; exit 1; }
	cp "$ko" "$root/lib/modules/"
done
printf '#!/bin/busybox sh\npoweroff -f\n' >"$root/etc/acpi/PWRF/00000080"
cat >"$root/udhcpc.sh" <<'SCRIPT'
#!/bin/busybox sh
if [ "$1" = bound ]; then
	ip addr add "$ip/$mask" dev "$interface"
	echo "cloudcore-guest: address $ip" >/dev/ttyS0
fi
SCRIPT
cat >"$root/init" <<SCRIPT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in ${modules[*]}; do insmod /lib/modules/\$m.ko; done
say() { echo "cloudcore-guest: \$*" >/dev/ttyS0; }
for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /sys/class/net/eth0 ] && break; sleep 0.5; done
acpid -f -l /dev/null -c /etc/acpi &
if mount -t iso9660 -o ro /dev/vdb /seed; then
	say "instance-id \$(sed -n 's/.*"instance-id":"\\([^"]*\\)".*/\\1/p' /seed/meta-data)"
fi
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -q -n -t 20 -T 1 -s /udhcpc.sh || say "no DHCP lease"
while :; do sleep 3600; done
SCRIPT
chmod 0755 "$root/init" "$root/udhcpc.sh" "$root/etc/acpi/PWRF/00000080"

# The boot image: isolinux with an MBR, so that it boots from a disk.
iso=$work/iso
mkdir -p "$iso/isolinux"
cp "$work"/pkgs/boot/vmlinuz-* "$iso/vmlinuz"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) >"$iso/initrd.gz"
cp "$work/pkgs/usr/lib/ISOLINUX/isolinux.bin" "$work/pkgs/usr/lib/syslinux/modules/bios/ldlinux.c32" "$iso/isolinux/"
cat >"$iso/isolinux/isolinux.cfg" <<'CFG'
serial 0 115200
default guest
prompt 0
timeout 0
label guest
  kernel /vmlinuz
  append initrd=/initrd.gz console=ttyS0 quiet
CFG
xorriso -as mkisofs -quiet -o "$work/guest.img" -V GUEST \
	-isohybrid-mbr "$work/pkgs/usr/lib/ISOLINUX/isohdpfx.bin" \
	-b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table \
	"$iso"
mv "$work/guest.img" "$out/guest.img"
echo "build-guest: $out/guest.img"
