#!/usr/bin/env bash
# Builds Anvil's deploy ramdisk from Debian's packages only: deploy.vmlinuz (the kernel package behind
# linux-image-amd64, downloaded and unpacked, never installed) and deploy.initramfs (that kernel's server
# drivers with their modules.dep dependencies, busybox-static, this machine's Node.js with its shared
# libraries, the agent bundled into one file by esbuild, and the disk tools the agent runs).
#
#   scripts/ramdisk/build.sh [--out DIR] [--agent-entry FILE]      (`anvil ramdisk build` calls this)
#
# Results are cached under $ANVIL_RAMDISK_CACHE (default ~/.cache/anvil/ramdisk) by a key made of every
# input (kernel package version, binaries, agent bundle, these scripts), so a second build with unchanged
# inputs only copies the two files. Prints the two output paths on stdout; progress goes to stderr.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/build/ramdisk
ENTRY=""
while [ $# -gt 0 ]; do
    case $1 in
    --out) OUT=${2:?--out needs a directory}; shift 2 ;;
    --agent-entry) ENTRY=${2:?--agent-entry needs a file}; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
ENTRY=${ENTRY:-$ROOT/src/agent/main.ts}
[ -f "$ENTRY" ] || { echo "agent entry $ENTRY not found" >&2; exit 2; }
CACHE=${ANVIL_RAMDISK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/anvil/ramdisk}
log() { echo "ramdisk: $*" >&2; }

# Drivers a server boots with: virtual (virtio), Intel NICs, SATA/AHCI, NVMe, SCSI disks, USB storage.
MODULES="virtio_pci virtio_net virtio_blk virtio_scsi e1000 e1000e igb ixgbe ahci nvme sd_mod
         xhci_pci ehci_pci usb_storage uas efivarfs"
# What the agent runs besides node (with their shared libraries); missing ones fail the build. OPTIONAL_TOOLS
# are packed when this machine has them (ipmitool: the inventory's BMC address, through /dev/ipmi0).
TOOLS="qemu-img sgdisk sfdisk blockdev partprobe lsblk blkid wipefs"
OPTIONAL_TOOLS="ipmitool"

need=()
for t in $TOOLS; do command -v "$t" >/dev/null || need+=("$t"); done
command -v depmod >/dev/null || need+=(depmod)
for t in cpio zstd node; do command -v "$t" >/dev/null || need+=("$t"); done
[ ${#need[@]} -eq 0 ] || { echo "missing: ${need[*]} (run scripts/install-deps.sh --test)" >&2; exit 1; }

# --- the kernel package --------------------------------------------------------------------------------
kpkg() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ && !n {print $2; n=1}'; }
kp=$(kpkg)
[ -n "$kp" ] || { apt-get update -q >&2; kp=$(kpkg); }
[ -n "$kp" ] || { echo "no kernel package behind linux-image-amd64 (apt-get update?)" >&2; exit 1; }
kver=${kp#linux-image-}
kdeb_ver=$(apt-cache show --no-all-versions "$kp" | awk '/^Version:/ && !n {print $2; n=1}')
KDIR=$CACHE/kernel-$kver-$kdeb_ver
if [ ! -f "$KDIR/lib/modules/$kver/modules.dep" ]; then
    log "downloading $kp $kdeb_ver"
    mkdir -p "$CACHE"
    tmp=$(mktemp -d "$CACHE/kernel.XXXXXX")
    chmod 755 "$tmp"   # apt's _apt user downloads into it
    (cd "$tmp" && apt-get download -q "$kp=$kdeb_ver" >&2)
    dpkg-deb -x "$tmp"/*.deb "$tmp/root"
    depmod -b "$tmp/root" "$kver"
    rm -rf "$KDIR"
    mkdir -p "$(dirname "$KDIR")"
    mv "$tmp/root" "$KDIR"
    rm -rf "$tmp"
fi

# --- busybox-static: downloaded like the kernel, since the host may have the conflicting dynamic busybox
bb_ver=$(apt-cache show --no-all-versions busybox-static | awk '/^Version:/ && !n {print $2; n=1}')
BB=$CACHE/busybox-static-${bb_ver//:/_}
if [ ! -x "$BB/bin/busybox" ]; then
    log "downloading busybox-static $bb_ver"
    tmp=$(mktemp -d "$CACHE/busybox.XXXXXX")
    chmod 755 "$tmp"
    (cd "$tmp" && apt-get download -q "busybox-static=$bb_ver" >&2)
    dpkg-deb -x "$tmp"/*.deb "$tmp/root"
    rm -rf "$BB"
    mv "$tmp/root" "$BB"
    rm -rf "$tmp"
fi

# --- the agent, one file -------------------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/anvil-ramdisk.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# ESM bundle; createRequire gives CommonJS dependencies their `require` inside the single file
"$ROOT/node_modules/.bin/esbuild" "$ENTRY" --bundle --platform=node --target=node20 --format=esm \
    --banner:js="import { createRequire as __anvilRequire } from 'node:module'; const require = __anvilRequire(import.meta.url);" \
    --log-level=warning --outfile="$WORK/anvil-agent.mjs" >&2

# --- cache key: every input ----------------------------------------------------------------------------
tool_paths=()
for t in $TOOLS; do tool_paths+=("$(command -v "$t")"); done
for t in $OPTIONAL_TOOLS; do command -v "$t" >/dev/null && tool_paths+=("$(command -v "$t")"); done
key=$( {
    echo "$kp $kdeb_ver $MODULES"
    sha256sum "$HERE"/build.sh "$HERE"/init.sh "$HERE"/udhcpc.script "$HERE"/power.sh "$WORK/anvil-agent.mjs" \
        "$BB/bin/busybox" "$(command -v node)" "${tool_paths[@]}" | cut -d' ' -f1
} | sha256sum | cut -c1-16)
DEST=$CACHE/$key
publish() {
    mkdir -p "$OUT"
    for f in deploy.vmlinuz deploy.initramfs; do
        # same file system: a hard link; else a copy (renamed into place, so readers never see half a file)
        ln -f "$DEST/$f" "$OUT/$f" 2>/dev/null || { cp "$DEST/$f" "$OUT/.$f.tmp" && mv -f "$OUT/.$f.tmp" "$OUT/$f"; }
    done
    echo "$OUT/deploy.vmlinuz"
    echo "$OUT/deploy.initramfs"
}
if [ -f "$DEST/deploy.initramfs" ] && [ -f "$DEST/deploy.vmlinuz" ]; then
    log "cached build $key ($(du -m "$DEST/deploy.initramfs" | cut -f1) MiB initramfs)"
    publish
    exit 0
fi

# --- the root file system ------------------------------------------------------------------------------
t0=$(date +%s)
R=$WORK/root
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,usr/lib/anvil,etc,lib/modules,lib64,root,tmp}
ln -s ../proc/mounts "$R/etc/mtab"
cp "$BB/bin/busybox" "$R/bin/busybox"

# copy_bin FILE: FILE at its own path, plus every shared library ldd resolves and the dynamic loader
copy_bin() {
    local f=$1 lib
    mkdir -p "$R$(dirname "$f")"
    cp -L "$f" "$R$f"
    for lib in $(ldd "$f" 2>/dev/null | awk '/=> \// {print $3} /^\t\// {print $1}'); do
        [ -e "$R$lib" ] && continue
        mkdir -p "$R$(dirname "$lib")"
        cp -L "$lib" "$R$lib"
    done
}
copy_bin "$(command -v node)"
[ "$(command -v node)" = /usr/bin/node ] || ln -s "$(command -v node)" "$R/usr/bin/node"
for p in "${tool_paths[@]}"; do copy_bin "$p"; done
# HTTPS image sources: the machine's CA bundle (ca-certificates), if present
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    mkdir -p "$R/etc/ssl/certs" && cp /etc/ssl/certs/ca-certificates.crt "$R/etc/ssl/certs/"
fi
cp "$WORK/anvil-agent.mjs" "$R/usr/lib/anvil/anvil-agent.mjs"
cp "$HERE/init.sh" "$R/init"
cp "$HERE/udhcpc.script" "$R/etc/udhcpc.script"
for n in poweroff reboot halt; do cp "$HERE/power.sh" "$R/usr/sbin/$n"; done
chmod 755 "$R/init" "$R/etc/udhcpc.script" "$R"/usr/sbin/{poweroff,reboot,halt}
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$R/etc/passwd"
printf 'root:x:0:\n' > "$R/etc/group"
printf '127.0.0.1 localhost\n' > "$R/etc/hosts"
echo anvil-ramdisk > "$R/etc/hostname"

# Modules: each wanted one after its dependencies (modules.dep lists a module's dependencies so that
# loading them last-to-first works), into /lib/modules with the order in load-order.
MD=$KDIR/lib/modules/$kver
order=$(awk -v want="$MODULES" '
    { sub(":", "", $1); deps[$1] = ""; for (i = NF; i >= 2; i--) deps[$1] = deps[$1] " " $i
      n = $1; sub(".*/", "", n); sub("\\.ko.*", "", n); gsub("-", "_", n); byname[n] = $1 }
    function add(p,   d, k, list) {
        if (p in seen) return
        seen[p] = 1
        k = split(deps[p], list, " ")
        for (d = 1; d <= k; d++) add(list[d])
        print p
    }
    END { k = split(want, w, " "); for (i = 1; i <= k; i++) {
            if (!(w[i] in byname)) { print "missing module " w[i] > "/dev/stderr"; continue }
            add(byname[w[i]]) } }' "$MD/modules.dep")
: > "$R/lib/modules/load-order"
for m in $order; do
    base=$(basename "$m")
    case $base in
    *.ko.xz) xz -dc "$MD/$m" > "$R/lib/modules/${base%.xz}"; base=${base%.xz} ;;
    *.ko.zst) zstd -qdc "$MD/$m" > "$R/lib/modules/${base%.zst}"; base=${base%.zst} ;;
    *) cp "$MD/$m" "$R/lib/modules/$base" ;;
    esac
    echo "$base" >> "$R/lib/modules/load-order"
done
log "$(wc -l < "$R/lib/modules/load-order") modules, kernel $kver"

# zstd: the kernel unpacks it several times faster than xz, which matters under software emulation
mkdir -p "$WORK/out"
(cd "$R" && find . -print0 | sort -z | cpio -o -0 -H newc --quiet -R 0:0) | zstd -q -T0 -15 > "$WORK/out/deploy.initramfs"
cp "$KDIR/boot/vmlinuz-$kver" "$WORK/out/deploy.vmlinuz"
echo "$kp $kdeb_ver; agent $(realpath --relative-to="$ROOT" "$ENTRY" 2>/dev/null || echo "$ENTRY"); key $key" > "$WORK/out/BUILD-INFO"
mkdir -p "$CACHE"
rm -rf "$DEST.tmp.$$"
mv "$WORK/out" "$DEST.tmp.$$"
mv -T "$DEST.tmp.$$" "$DEST" 2>/dev/null || rm -rf "$DEST.tmp.$$"   # a parallel build may have won
log "built $key in $(( $(date +%s) - t0 )) s: initramfs $(du -m "$DEST/deploy.initramfs" | cut -f1) MiB (unpacked $(du -sm "$R" | cut -f1) MiB), kernel $(du -m "$DEST/deploy.vmlinuz" | cut -f1) MiB"
publish
