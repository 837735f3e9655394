#!/bin/sh
# Runs a command (the lab's deploy agent) inside its own mount namespace — start it with `unshare -m` —
# where every host mount is read-only and /dev holds only the virtual machine's own disk plus null, zero,
# random and urandom, with a private scratch tmpfs (TMPDIR). The command then runs without the
# capabilities that would undo this (mounting, creating device nodes, raw I/O), so an agent told to write
# the host's real disk cannot even open it.
#
#   unshare -m --propagation private sh sandbox.sh DISK_DEVICE COMMAND [ARGS...]
set -eu
disk=$1
shift
case $disk in /dev/*) ;; *) echo "sandbox: disk must be a /dev path, got $disk" >&2; exit 2 ;; esac
# Device numbers of the disk, read before /dev is replaced.
majmin=$(stat -L -c '%t %T' "$disk")
maj=$((0x${majmin% *}))
min=$((0x${majmin#* }))
kind=b
[ -b "$disk" ] || { echo "sandbox: $disk is not a block device" >&2; exit 2; }

mount --make-rprivate /
# Read-only bind remounts affect only this namespace. Every mount point, deepest last, must succeed: a
# writable host mount left behind would defeat the point.
awk '{print $5}' /proc/self/mountinfo | while read -r mp; do
  mp=$(printf '%b' "$mp")   # mountinfo escapes spaces as \040
  mount -o remount,bind,ro "$mp" || { echo "sandbox: cannot make $mp read-only" >&2; exit 3; }
done

mount -t tmpfs -o mode=0755,size=1m,nosuid sandbox-dev /dev
mknod -m 666 /dev/null c 1 3
mknod -m 666 /dev/zero c 1 5
mknod -m 666 /dev/random c 1 8
mknod -m 666 /dev/urandom c 1 9
mkdir -p "$(dirname "$disk")"
mknod -m 600 "$disk" "$kind" "$maj" "$min"
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
mount -o remount,ro /dev
# The agent's scratch space (qcow2 downloads before conversion): a private tmpfs on SANDBOX_TMP, an empty
# directory the caller made, or else on /tmp. Not over /tmp when a directory is given: the agent's own files
# may live under /tmp (a checkout there) and must stay visible.
scratch=${SANDBOX_TMP:-/tmp}
mount -t tmpfs -o mode=1777,size=256m,nosuid,nodev sandbox-tmp "$scratch"
export TMPDIR="$scratch"

exec setpriv --bounding-set -sys_admin,-mknod,-sys_rawio,-sys_module,-sys_boot,-net_admin \
  --inh-caps -sys_admin,-mknod,-sys_rawio,-sys_module,-sys_boot,-net_admin -- "$@"
