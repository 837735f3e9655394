#!/bin/bash
# A small whole-disk image that boots under SeaBIOS and OVMF alike and prints a marker on the serial console:
# the "user image" of the real-VM deploy tests. GPT with a BIOS boot partition (GRUB's i386-pc core,
# placed by grub-bios-setup) and an EFI system partition (FAT, built with mtools: no loop device, no mount)
# holding GRUB's x86_64-efi loader as the removable-media path EFI/BOOT/BOOTX64.EFI and a file with the
# marker, which GRUB reads from the FAT file system and prints: "ANVIL-DISK-BOOT <marker>". Given a kernel
# and a static busybox, the ESP also holds them and an initrd whose /init prints "ANVIL-DISK-LINUX <marker>"
# and idles like a booted OS; without them GRUB idles after the marker (a kernel costs about a minute of
# firmware disk reads under software emulation, and proves nothing more about the deploy).
# Both GRUBs carry the same embedded configuration, so no grub.cfg is read from the disk.
#
#   build-disk-image.sh OUT.img MARKER [VMLINUZ BUSYBOX_STATIC]
#
# Packages: grub-pc-bin, grub-efi-amd64-bin, grub-common, gdisk, mtools, dosfstools, cpio. About 2 s.
set -euo pipefail
[ $# -eq 2 ] || [ $# -eq 4 ] || { echo "usage: $0 OUT.img MARKER [VMLINUZ BUSYBOX_STATIC]" >&2; exit 2; }
OUT=$1 MARKER=$2 KERNEL=${3:-} BUSYBOX=${4:-}
case $MARKER in *[!A-Za-z0-9._-]*|'') echo "MARKER must match [A-Za-z0-9._-]+" >&2; exit 2 ;; esac
W=$(mktemp -d "${TMPDIR:-/tmp}/anvil-disk-image.XXXXXX")
trap 'rm -rf "$W"' EXIT

# initrd: busybox and an /init that reports the marker
if [ -n "$KERNEL" ]; then
    mkdir -p "$W/initrd/bin" "$W/initrd/proc"
    cp "$BUSYBOX" "$W/initrd/bin/busybox"
    cat > "$W/initrd/init" <<INIT
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
echo "ANVIL-DISK-LINUX $MARKER uptime=\$(/bin/busybox cut -d' ' -f1 /proc/uptime)"
while :; do /bin/busybox sleep 3600; done
INIT
    chmod 755 "$W/initrd/init"
    (cd "$W/initrd" && find . | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$W/initrd.img"
    boot_linux="linux /vmlinuz console=ttyS0,115200 panic=-1 quiet
initrd /initrd.img
boot"
else
    boot_linux="sleep 2000000000"
fi

cat > "$W/early.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_output serial
search --no-floppy --file --set=root /anvil-disk-image
cat /anvil-disk-image
$boot_linux
CFG
mods="part_gpt fat search search_fs_file linux boot echo serial terminal test cat sleep"
grub-mkimage -O x86_64-efi -o "$W/BOOTX64.EFI" -p /EFI/BOOT -c "$W/early.cfg" $mods
mkdir -p "$W/bios"
grub-mkimage -O i386-pc -o "$W/bios/core.img" -p '(hd0,gpt2)/' -c "$W/early.cfg" biosdisk $mods
cp /usr/lib/grub/i386-pc/boot.img "$W/bios/boot.img"

# disk: 1 MiB alignment; p1 BIOS boot (1 MiB), p2 ESP (the rest)
size_mib=8
[ -z "$KERNEL" ] || size_mib=$(( ( $(stat -c %s "$KERNEL") + $(stat -c %s "$W/initrd.img") ) / 1048576 + 8 ))
rm -f "$OUT"
truncate -s "${size_mib}M" "$OUT"
sgdisk -o -n 1:2048:4095 -t 1:ef02 -c 1:bios-boot -n 2:4096:0 -t 2:ef00 -c 2:esp "$OUT" >/dev/null
read -r start end < <(sgdisk -i 2 "$OUT" | awk '/First sector/ {s=$3} /Last sector/ {e=$3} END {print s, e}')
esp_kib=$(( (end - start + 1) / 2 ))
mkfs.fat -C -n ANVILESP "$W/esp.img" "$esp_kib" >/dev/null
echo "ANVIL-DISK-BOOT $MARKER" > "$W/anvil-disk-image"
mmd -i "$W/esp.img" ::/EFI ::/EFI/BOOT
mcopy -i "$W/esp.img" "$W/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
if [ -n "$KERNEL" ]; then
    mcopy -i "$W/esp.img" "$KERNEL" ::/vmlinuz
    mcopy -i "$W/esp.img" "$W/initrd.img" ::/initrd.img
fi
mcopy -i "$W/esp.img" "$W/anvil-disk-image" ::/anvil-disk-image
dd if="$W/esp.img" of="$OUT" bs=512 seek="$start" conv=notrunc,sparse status=none
# BIOS: what grub-bios-setup does for a GPT disk, done on the file (it wants a real block device to probe):
# core.img into the BIOS boot partition, its first sector's block list pointing at the rest of it, and
# boot.img's code into the MBR (partition table kept) pointing at core.img. No Reed-Solomon recovery codes.
le() {  # le VALUE BYTES -> little-endian bytes on stdout
    local v=$1 n=$2 i
    for ((i = 0; i < n; i++)); do printf "\\x$(printf %02x $(( (v >> (8 * i)) & 255 )))"; done
}
core=$W/bios/core.img
sectors=$(( ($(stat -c %s "$core") + 511) / 512 ))
[ "$sectors" -le 2048 ] || { echo "core.img ($sectors sectors) does not fit the BIOS boot partition" >&2; exit 1; }
{ le $((2048 + 1)) 8; le $((sectors - 1)) 2; } | dd of="$core" bs=1 seek=$((0x1f4)) conv=notrunc status=none
dd if="$core" of="$OUT" bs=512 seek=2048 conv=notrunc status=none
boot=$W/bios/boot.img
le 2048 8 | dd of="$boot" bs=1 seek=$((0x5c)) conv=notrunc status=none
printf '\x90\x90' | dd of="$boot" bs=1 seek=$((0x66)) conv=notrunc status=none   # hard disk: trust no BIOS drive check
dd if="$boot" of="$OUT" bs=1 count=$((0x1b8)) conv=notrunc status=none
