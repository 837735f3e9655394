#!/bin/bash
# Starts simulated IPMI BMCs (OpenIPMI `ipmi_sim`) on loopback for tests, benchmarks and demos.
#
#   start-bmcs.sh STATE_DIR PORT|FIRST-LAST ...
#
# One BMC per UDP port; everything about the BMC on port P lives in STATE_DIR/bmc-P/. The BMC's power is a
# real process (the "machine", see chassis-control.sh): on while it runs. Prints "<port> <user> <password>"
# per BMC that answers (also written to STATE_DIR/bmcs.txt); diagnostics go to stderr. A BMC already running
# for STATE_DIR is left alone. Exit status: 0 all up, 1 some BMC did not come up, 2 usage, 3 tools missing.
#
# Environment (optional):
#   BMC_USER, BMC_PASS      credentials (default admin / password; [A-Za-z0-9._-], user <= 16, password <= 20)
#   BMC_ADDR                address to listen on (default 127.0.0.1)
#   BMC_MACHINE_CMD         shell code run as the machine at power on (default: an idle loop that logs)
#   BMC_KILL_WAIT_TENTHS    grace between SIGTERM and SIGKILL at hard power off, in 0.1 s (default 30)
#   BMC_WIRE_LOG=1          run ipmi_sim in debug mode, logging every received message to bmc-P/wire.log;
#                           requests are readable there only with an unencrypted cipher suite (-C 1 or 2)
#   BMC_SOL_PORTS           "UDPPORT:TCPPORT ..." gives the BMC on UDPPORT a serial-over-LAN port: ipmi_sim connects
#                           as a TCP client to BMC_ADDR:TCPPORT (the machine's serial port, retried every 10 s)
set -euo pipefail

usage() { echo "usage: $0 STATE_DIR PORT|FIRST-LAST ..." >&2; exit 2; }
[ $# -ge 2 ] || usage
STATE=$1; shift
HERE=$(cd "$(dirname "$0")" && pwd)
USER_NAME=${BMC_USER:-admin}
PASSWORD=${BMC_PASS:-password}
ADDR=${BMC_ADDR:-127.0.0.1}
KILL_WAIT=${BMC_KILL_WAIT_TENTHS:-30}
WIRE=${BMC_WIRE_LOG:-0}

for tool in ipmi_sim ipmitool setsid; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$tool is not installed (Debian packages: openipmi ipmitool util-linux; run scripts/install-deps.sh --test)" >&2
    exit 3
  fi
done
case $USER_NAME in ''|*[!A-Za-z0-9._-]*) echo "BMC_USER must match [A-Za-z0-9._-]+" >&2; exit 2 ;; esac
case $PASSWORD in ''|*[!A-Za-z0-9._-]*) echo "BMC_PASS must match [A-Za-z0-9._-]+" >&2; exit 2 ;; esac
[ ${#USER_NAME} -le 16 ] && [ ${#PASSWORD} -le 20 ] || { echo "user name > 16 or password > 20 characters (IPMI limits)" >&2; exit 2; }
case $KILL_WAIT in ''|*[!0-9]*) echo "BMC_KILL_WAIT_TENTHS must be a number" >&2; exit 2 ;; esac

# Expand the port arguments first so a typo fails before anything starts.
ports=()
for arg in "$@"; do
  case $arg in
    *[!0-9-]*|''|-*|*-) usage ;;
    *-*) first=${arg%-*}; last=${arg#*-}; [ "$first" -le "$last" ] || usage
         for ((p = first; p <= last; p++)); do ports+=("$p"); done ;;
    *) ports+=("$arg") ;;
  esac
done
for p in "${ports[@]}"; do [ "$p" -ge 1 ] && [ "$p" -le 65535 ] || usage; done

mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)
# The path goes into lan.conf inside double quotes and into shell command lines.
case $STATE in *[[:space:]\"\'\\\$\`]*) echo "STATE_DIR must not contain spaces, quotes, \$, \` or backslashes" >&2; exit 2 ;; esac
# A private copy of the chassis back end: the BMCs keep working if the checkout moves or changes.
cp "$HERE/chassis-control.sh" "$STATE/.chassis-control.sh.tmp" && mv -f "$STATE/.chassis-control.sh.tmp" "$STATE/chassis-control.sh"

# Field 22 of /proc/PID/stat (start time in clock ticks): a pid plus its start time names one process for good.
start_time() {
  local rest
  rest=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
  # shellcheck disable=SC2086
  set -- $rest
  [ "$1" != Z ] && echo "${20}"
}

running() {  # running DIR: the ipmi_sim recorded in DIR is still alive
  local pid
  [ -s "$1/ipmi_sim.pid" ] || return 1
  pid=$(cat "$1/ipmi_sim.pid")
  [ "$(start_time "$pid" || true)" = "$(cat "$1/ipmi_sim.pid.start" 2>/dev/null)" ]
}

# ipmi_sim binds with SO_REUSEADDR: a second BMC on a taken port would start and steal half the packets.
udp_port_taken() {
  awk -v h="$(printf ':%04X' "$1")" 'FNR > 1 && substr($2, length($2) - 4) == h { found = 1 } END { exit !found }' \
    /proc/net/udp /proc/net/udp6 2>/dev/null
}

answers() {  # one authenticated round trip; -C 3 because ipmi_sim 2.0.33 cannot negotiate the suite
  ipmitool -I lanplus -C 3 -R 1 -N 1 -H "$ADDR" -p "$1" -U "$USER_NAME" -E power status >/dev/null 2>&1
}

write_bmc() {  # write_bmc DIR PORT
  local dir=$1 port=$2
  cat > "$dir/lan.conf" <<CONF
# written by start-bmcs.sh; ipmi_sim reads it at start
name "bmc-$port"
set_working_mc 0x20
  startlan 1
    addr $ADDR $port
    priv_limit admin
    allowed_auths_callback md5
    allowed_auths_user md5
    allowed_auths_operator md5
    allowed_auths_admin md5
    guid $(printf '%032x' "$port")
  endlan
  chassis_control "/bin/sh $STATE/chassis-control.sh $dir"
  user 2 true "$USER_NAME" "$PASSWORD" admin 10 md5
CONF
  local pair
  for pair in ${BMC_SOL_PORTS:-}; do
    if [ "${pair%%:*}" = "$port" ]; then echo "  sol \"tcp:$ADDR:${pair#*:}\" 115200" >> "$dir/lan.conf"; fi
  done
  cat > "$dir/bmc.emu" <<'EMU'
# a bare BMC at IPMB 0x20: no sensors, no FRU
mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
sel_enable 0x20 1000 0x0a
mc_enable 0x20
EMU
  printf 'BMC_PORT=%s\nBMC_KILL_WAIT_TENTHS=%s\n' "$port" "$KILL_WAIT" > "$dir/bmc.env"
  if [ -n "${BMC_MACHINE_CMD:-}" ]; then
    printf '%s\n' "$BMC_MACHINE_CMD" > "$dir/machine.sh"
  else
    cp "$HERE/idle-machine.sh" "$dir/machine.sh"
  fi
}

launch() {  # launch DIR
  local dir=$1 pid
  rm -rf "$dir/sim" && mkdir -p "$dir/sim"   # ipmi_sim persists users under -s; lan.conf must win
  rm -f "$dir/ipmi_sim.pid" "$dir/ipmi_sim.pid.start"
  if [ "$WIRE" = 1 ]; then
    # Debug mode needs a console on stdin. A FIFO opened read-write never reports EOF (we hold the writer
    # end ourselves), so ipmi_sim keeps running without a terminal or a helper process.
    rm -f "$dir/console"; mkfifo -m 600 "$dir/console"
    setsid ipmi_sim -d -c "$dir/lan.conf" -f "$dir/bmc.emu" -s "$dir/sim" 0<>"$dir/console" >>"$dir/wire.log" 2>&1 &
  else
    setsid ipmi_sim -n -c "$dir/lan.conf" -f "$dir/bmc.emu" -s "$dir/sim" </dev/null >>"$dir/ipmi_sim.log" 2>&1 &
  fi
  pid=$!
  echo "$pid" > "$dir/ipmi_sim.pid"
  start_time "$pid" > "$dir/ipmi_sim.pid.start" || true
}

export IPMI_PASSWORD=$PASSWORD   # for answers(): keeps the password out of ps
started=()
failed=()
for port in "${ports[@]}"; do
  dir=$STATE/bmc-$port
  mkdir -p "$dir"
  if running "$dir"; then echo "bmc-$port already running" >&2; continue; fi
  if udp_port_taken "$port"; then echo "bmc-$port not started: UDP port $port is in use" >&2; failed+=("$port"); continue; fi
  write_bmc "$dir" "$port"
  launch "$dir"
  started+=("$port")
done

for port in "${started[@]}"; do
  dir=$STATE/bmc-$port
  up=0
  for _ in $(seq 1 50); do
    if answers "$port"; then up=1; break; fi
    running "$dir" || break
    sleep 0.1
  done
  if [ $up = 1 ]; then
    echo "bmc-$port up (pid $(cat "$dir/ipmi_sim.pid"))" >&2
  else
    echo "bmc-$port did not come up:" >&2
    tail -n 5 "$dir/ipmi_sim.log" "$dir/wire.log" 2>/dev/null >&2 || true
    failed+=("$port")
  fi
done

: > "$STATE/bmcs.txt.tmp"
for port in "${ports[@]}"; do
  case " ${failed[*]} " in *" $port "*) continue ;; esac
  echo "$port $USER_NAME $PASSWORD" >> "$STATE/bmcs.txt.tmp"
done
mv -f "$STATE/bmcs.txt.tmp" "$STATE/bmcs.txt"
cat "$STATE/bmcs.txt"
[ ${#failed[@]} -eq 0 ]
