#!/bin/busybox sh
# /init of Anvil's deploy ramdisk (PID 1). Brings up the machine with nothing from outside the image:
# pseudo file systems, the driver modules listed at build time (in dependency order), the NIC named by the
# kernel command line's BOOTIF (a MAC, PXELINUX's "01-aa-bb-..." or plain "aa:bb:..."), DHCP on it, then the
# agent, which reads /proc/cmdline itself (ipa-api-url=, BOOTIF=, ...). Lines starting "ANVIL-RAMDISK" are
# progress markers on the console (tests and operators read them on the serial port).
/bin/busybox mkdir -p /proc /sys /dev /run /tmp /var/log /var/run /sbin /usr/bin /usr/sbin /mnt
/bin/busybox --install -s
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
[ -d /sys/firmware/efi/efivars ] && mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null
up() { cut -d' ' -f1 /proc/uptime; }
mark() { echo "ANVIL-RAMDISK $* uptime=$(up)"; }
arg() { for w in $(cat /proc/cmdline); do case $w in "$1"=*) echo "${w#*=}"; return ;; esac; done; }
mark init
echo 4 > /proc/sys/kernel/printk 2>/dev/null   # keep driver chatter off the console

while read -r m; do insmod "/lib/modules/$m" 2>/dev/null; done < /lib/modules/load-order
mark modules-loaded

# BOOTIF: "01-52-54-00-12-34-56" (PXELINUX, ARP type prefix) or "52:54:00:12:34:56" (iPXE ${mac})
mac=$(arg BOOTIF | tr 'A-F-' 'a-f:')
case $mac in 01:??:??:??:??:??:??) mac=${mac#01:} ;; esac
ip link set lo up
dev=""
for _ in $(seq 1 60); do
    for n in /sys/class/net/*; do
        [ "${n##*/}" = lo ] && continue
        a=$(cat "$n/address" 2>/dev/null)
        if [ -n "$mac" ]; then [ "$a" = "$mac" ] && dev=${n##*/}
        elif [ -z "$dev" ]; then dev=${n##*/}; fi
    done
    [ -n "$dev" ] && break
    sleep 0.5
done
if [ -z "$dev" ]; then
    mark "no-nic mac=$mac"
else
    ip link set "$dev" up
    mark "nic dev=$dev mac=$(cat /sys/class/net/$dev/address)"
    # background after the lease: udhcpc keeps renewing it while the agent works
    until udhcpc -i "$dev" -s /etc/udhcpc.script -t 10 -T 2 -A 1 -n -x hostname:anvil-ramdisk >/dev/null 2>&1; do
        mark "dhcp-retry dev=$dev"
    done
    mark "dhcp-bound dev=$dev ip=$(ip -4 -o addr show dev "$dev" | awk '{print $4}')"
fi

# The agent runs as a child so that PID 1 survives it; it is restarted if it exits.
while :; do
    mark agent-start
    node /usr/lib/anvil/anvil-agent.mjs
    mark "agent-exit rc=$?"
    sleep 2
done
