#!/bin/sh
# poweroff / reboot / halt inside the deploy ramdisk. PID 1 is a shell, not an init that answers
# busybox's signals, so act directly: flush the disks, then ask the kernel.
sync
case ${0##*/} in
reboot) exec busybox reboot -f ;;
*)      exec busybox poweroff -f ;;
esac
