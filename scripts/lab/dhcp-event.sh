#!/bin/sh
# udhcpc event script of the lab firmware (busybox udhcpc -s). Configures the address it was offered — and
# nothing else: no default route, no DNS, so a lab machine can only reach its own subnet — and records the
# answer's boot fields in $LAB_DHCP_OUT as KEY=VALUE lines for the firmware to read.
case $1 in
  deconfig)
    ip -4 addr flush dev "$interface" 2>/dev/null
    ;;
  bound|renew)
    ip -4 addr flush dev "$interface" 2>/dev/null
    ip addr add "$ip/${mask:-24}" dev "$interface"
    {
      for k in ip mask subnet siaddr serverid sname boot_file bootfile tftp interface; do
        eval "v=\${$k-}"
        printf '%s=%s\n' "$k" "$v"
      done
    } > "$LAB_DHCP_OUT.tmp" && mv -f "$LAB_DHCP_OUT.tmp" "$LAB_DHCP_OUT"
    ;;
esac
exit 0
