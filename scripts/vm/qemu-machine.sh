#!/bin/bash
# One qemu-system-x86_64 machine (software emulation, TCG) with a virtio NIC and a virtio disk, on a tap port
# of the bridge br0 in network namespace VM_NETNS. Meant as the "machine" of a simulated BMC
# (scripts/ipmi-sim: BMC_MACHINE_CMD="exec bash scripts/vm/qemu-machine.sh"): it execs qemu, so IPMI power
# off (SIGTERM to the process group) stops the VM, and it honours the BMC's boot device, BMC_BOOTDEV:
#   pxe     the NIC boots first: under SeaBIOS the NIC's iPXE ROM (package ipxe-qemu), under OVMF the
#           firmware's own PXE client (ROM removed), which then loads what DHCP names (ipxe.efi, grub, ...)
#   other   the disk boots and the network cannot: no NIC ROM (SeaBIOS), no NIC at all (OVMF; its PXE
#           client would otherwise take over when the disk holds nothing bootable)
# Environment: VM_NETNS, VM_TAP, VM_MAC, VM_DISK (raw file), VM_FIRMWARE bios|uefi, VM_CONSOLE (serial log,
# appended so one file spans every power cycle), VM_VARS (OVMF variable store, kept across power cycles),
# VM_MEM_MB (default 1024), VM_QEMU_EXTRA. A guest reboot ends qemu (-no-reboot): the BMC then reads off.
set -euo pipefail
: "${VM_NETNS:?}" "${VM_TAP:?}" "${VM_MAC:?}" "${VM_DISK:?}" "${VM_CONSOLE:?}"
fw=${VM_FIRMWARE:-bios}
bootdev=${BMC_BOOTDEV:-disk}
if ! ip -n "$VM_NETNS" link show "$VM_TAP" >/dev/null 2>&1; then
    ip -n "$VM_NETNS" tuntap add dev "$VM_TAP" mode tap
    ip -n "$VM_NETNS" link set "$VM_TAP" master br0
    ip -n "$VM_NETNS" link set "$VM_TAP" up
fi
nic="virtio-net-pci,netdev=n0,mac=$VM_MAC"
disk="virtio-blk-pci,drive=d0"
net=(-netdev "tap,id=n0,ifname=$VM_TAP,script=no,downscript=no")
firmware=()
if [ "$fw" = uefi ]; then
    : "${VM_VARS:?VM_VARS is needed for uefi}"
    [ -f "$VM_VARS" ] || cp /usr/share/OVMF/OVMF_VARS_4M.fd "$VM_VARS"
    firmware=(-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd
              -drive "if=pflash,format=raw,file=$VM_VARS")
    nic="$nic,romfile="
fi
if [ "$bootdev" = pxe ]; then
    nic="$nic,bootindex=1"
    disk="$disk,bootindex=2"
else
    disk="$disk,bootindex=1"
    nic="$nic,romfile="
    [ "$fw" = uefi ] && net=()
fi
[ ${#net[@]} -gt 0 ] && net+=(-device "$nic")
echo "$(date '+%F %T') machine: firmware=$fw bootdev=$bootdev mac=$VM_MAC disk=$VM_DISK" >&2
printf '\n=== %s power on: firmware=%s bootdev=%s\n' "$(date -u +%FT%T.%3NZ)" "$fw" "$bootdev" >> "$VM_CONSOLE"
# shellcheck disable=SC2086
exec ip netns exec "$VM_NETNS" qemu-system-x86_64 -accel tcg -machine q35 -m "${VM_MEM_MB:-1024}" -smp 1 \
    -display none -no-reboot -no-user-config -nodefaults \
    -chardev "file,id=con0,path=$VM_CONSOLE,append=on" -serial chardev:con0 \
    "${firmware[@]}" -drive "if=none,id=d0,format=raw,file=$VM_DISK,cache=unsafe" -device "$disk" \
    "${net[@]}" ${VM_QEMU_EXTRA:-}
