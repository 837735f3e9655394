#!/bin/sh
# Chassis back end of one simulated BMC. ipmi_sim runs it (never run it by hand) as
#   chassis-control.sh BMC_DIR get power|boot ...
#   chassis-control.sh BMC_DIR set power 0|1 | reset 1 | shutdown 1 | boot DEVICE | identify ARGS
# and reads "name:value" lines from stdout, blocking until we exit: so be quick, and start the machine
# detached from our stdout.
#
# The "machine" is BMC_DIR/machine.sh run in its own session. Power is on exactly while it lives: power on
# starts it, hard off sends SIGTERM to its process group then SIGKILL after a grace, soft off (shutdown)
# only sends SIGTERM, reset restarts it. Every action is appended to BMC_DIR/events.log, which is what tests
# read to see a machine power on, off or restart.
dir=$1; op=$2
shift 2 || exit 1
[ -d "$dir" ] || { echo "no such BMC directory: $dir"; exit 1; }
. "$dir/bmc.env"

event() { echo "$(date +%FT%T.%N | cut -c1-23) $*" >> "$dir/events.log"; }

# True when machine.pid names the process we started (same start time) and it is not a zombie: this VM's
# init does not reap orphans, so a dead machine can linger as Z.
machine_alive() {
  [ -s "$dir/machine.pid" ] || return 1
  pid=$(cat "$dir/machine.pid")
  stat=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) || return 1
  # shellcheck disable=SC2086
  set -- $stat
  [ "$1" != Z ] && [ "$1" != X ] && [ "${20}" = "$(cat "$dir/machine.pid.start" 2>/dev/null)" ]
}

power_on() {
  machine_alive && return 0
  boot=$(cat "$dir/boot" 2>/dev/null || echo default)
  count=$(( $(cat "$dir/power_on_count" 2>/dev/null || echo 0) + 1 ))
  echo "$count" > "$dir/power_on_count"
  # setsid: the machine leads its own process group, so power off reaches whatever it spawned. It must not
  # inherit ipmi_sim's descriptors (bash closes them before running it): holding the BMC's UDP socket, a
  # machine that outlives a stopped BMC would keep the port bound and a restarted BMC would be refused.
  BMC_PORT=$BMC_PORT BMC_DIR=$dir BMC_BOOTDEV=$boot BMC_POWER_ON_COUNT=$count \
    setsid bash -c 'for fd in /proc/self/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && [ -e "$fd" ] && eval "exec $n>&-"; done; exec sh "$1"' \
    machine "$dir/machine.sh" </dev/null >>"$dir/machine.log" 2>&1 &
  pid=$!
  echo "$pid" > "$dir/machine.pid"
  sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f20 > "$dir/machine.pid.start"
  event "power on pid=$pid bootdev=$boot count=$count"
}

power_off() {  # power_off hard|soft
  if ! machine_alive; then
    rm -f "$dir/machine.pid" "$dir/machine.pid.start"
    return 0
  fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
  if [ "$1" = soft ]; then event "soft power off requested pid=$pid"; return 0; fi
  n=0
  while machine_alive && [ $n -lt "${BMC_KILL_WAIT_TENTHS:-30}" ]; do sleep 0.1; n=$((n + 1)); done
  if machine_alive; then
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
    event "machine ignored SIGTERM, killed pid=$pid"
  fi
  rm -f "$dir/machine.pid" "$dir/machine.pid.start"
  event "power off pid=$pid"
}

case $op in
  get)
    for what in "$@"; do
      case $what in
        power) if machine_alive; then echo "power:1"; else echo "power:0"; fi ;;
        boot) echo "boot:$(cat "$dir/boot" 2>/dev/null || echo default)" ;;
        *) echo "cannot get $what"; exit 1 ;;
      esac
    done ;;
  set)
    while [ $# -ge 2 ]; do
      what=$1; value=$2; shift 2
      case $what in
        power) if [ "$value" = 1 ]; then power_on; else power_off hard; fi ;;
        reset) if machine_alive; then event "reset"; power_off hard; power_on; else event "reset ignored: power is off"; fi ;;
        shutdown) power_off soft ;;
        boot) echo "$value" > "$dir/boot"; event "boot device $value" ;;
        identify) event "identify $value" ;;
        *) echo "cannot set $what"; exit 1 ;;
      esac
    done ;;
  *) echo "unknown operation $op"; exit 1 ;;
esac
exit 0
