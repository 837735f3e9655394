#!/usr/bin/env bash
# Installs what Anvil needs on a fresh Debian 12 machine: the Debian packages the service runs (network boot
# loaders, dnsmasq), Node packages (which also builds dist/) and,
# with --test, the Debian packages the test suite talks to (the stock `baremetal` client, ipmitool,
# the OpenIPMI simulator, python3-sushy and redfishtool (Redfish clients for the lab's Redfish BMCs), socat (the ipmitool-socat serial console), genisoimage for config drives and ISO images, qemu-utils whose qemu-img the
# service also runs to convert qcow2/vmdk/vhd/vhdx images to raw, apache2-utils whose htpasswd makes the
# bcrypt user files of the authentication tests, fdisk and gdisk whose sfdisk and sgdisk the deploy agent
# runs for config drive partitions, Chromium for the dashboard's browser tests). Safe to re-run: packages
# already present are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
for a in "$@"; do
  case "$a" in
    --test) want_test=1 ;;
    *) echo "usage: $0 [--test]" >&2; exit 2 ;;
  esac
done

apt_install() {
  echo "Installing Debian packages: $*"
  local sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "$@"
}

# What `npm start` itself runs or hands out, always installed: network boot loaders copied into the TFTP
# root (pxelinux + syslinux-common; shim-signed + grub-efi-amd64-signed for UEFI; ipxe), dnsmasq-base, and
# genisoimage, which builds config drives given as JSON.
runtime_pkgs="pxelinux syslinux-common shim-signed grub-efi-amd64-signed ipxe dnsmasq-base genisoimage"
runtime_missing=""
for p in $runtime_pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || runtime_missing="$runtime_missing $p"
done
# The DHCP tests run busybox's udhcpc, which either busybox package has.
if [ "$want_test" = 1 ] && ! command -v busybox >/dev/null; then runtime_missing="$runtime_missing busybox-static"; fi
[ -z "$runtime_missing" ] || apt_install $runtime_missing

if [ "$want_test" = 1 ]; then
  pkgs="python3-ironicclient ipmitool openipmi genisoimage qemu-utils openssl apache2-utils fdisk socat"
  # the deploy ramdisk build (scripts/ramdisk/build.sh: depmod, cpio, zstd, the disk tools it packs) and the
  # real VM tests (qemu under SeaBIOS/OVMF, Debian's iPXE, dnsmasq, the test image's GRUB and FAT tools)
  pkgs="$pkgs kmod cpio zstd gdisk parted util-linux qemu-system-x86 ovmf ipxe dnsmasq-base"
  pkgs="$pkgs grub-pc-bin grub-efi-amd64-bin mtools dosfstools"
  # `anvil lab` and its tests: the firmware's DHCP client (busybox udhcpc), TFTP/HTTP (curl), namespaces (iproute2)
  pkgs="$pkgs busybox curl iproute2"
  # the lab's Redfish BMCs are proven against Redfish clients nobody here wrote: Debian's sushy (Ironic's
  # library) and DMTF's redfishtool (test/integration/redfish-bmc.test.ts)
  pkgs="$pkgs python3-sushy redfishtool"
  # `npm run bench -- --only api`: wrk is the load generator (a Node client tops out below the server)
  pkgs="$pkgs wrk"
  # the dashboard's browser tests (playwright-core drives Debian's Chromium)
  pkgs="$pkgs chromium chromium-driver"
  missing=""
  for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  [ -z "$missing" ] || apt_install $missing
fi

# npm ci also runs `prepare`, which compiles TypeScript into dist/ for the `anvil` and `baremetal` bins.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm run build
fi
