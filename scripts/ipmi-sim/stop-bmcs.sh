#!/bin/bash
# Stops the simulated BMCs of STATE_DIR and their machines (see start-bmcs.sh). Only processes recorded in
# STATE_DIR are signalled, and only while their start time still matches (a recycled pid is left alone).
# Configs and logs stay for post-mortems. Safe to run twice.
#
#   stop-bmcs.sh STATE_DIR
set -uo pipefail
[ $# -eq 1 ] || { echo "usage: $0 STATE_DIR" >&2; exit 2; }
[ -d "$1" ] || exit 0
STATE=$(cd "$1" && pwd)

alive_pid() {  # alive_pid PIDFILE: prints the pid when the recorded process is alive and still ours
  local file=$1 pid line want
  [ -s "$file" ] && read -r pid < "$file" || return 1
  case $pid in ''|*[!0-9]*) return 1 ;; esac
  want=$(cat "$file.start" 2>/dev/null) || return 1
  { read -r line < "/proc/$pid/stat"; } 2>/dev/null || return 1
  # shellcheck disable=SC2086
  set -- ${line##*) }
  [ "$1" != Z ] && [ "${20}" = "$want" ] || return 1
  echo "$pid"
}

signal() {  # signal SIG PIDFILE: both processes lead their own session, so signal the whole group
  local pid
  pid=$(alive_pid "$2") || return 1
  kill "-$1" -- "-$pid" 2>/dev/null || kill "-$1" "$pid" 2>/dev/null
}

pidfiles=()
for dir in "$STATE"/bmc-*; do
  [ -d "$dir" ] || continue
  for f in "$dir/ipmi_sim.pid" "$dir/machine.pid"; do
    signal TERM "$f" && pidfiles+=("$f")
  done
done
for _ in $(seq 1 30); do
  left=0
  for f in "${pidfiles[@]}"; do alive_pid "$f" >/dev/null && left=1; done
  [ $left = 0 ] && break
  sleep 0.1
done
for dir in "$STATE"/bmc-*; do
  [ -d "$dir" ] || continue
  for f in "$dir/ipmi_sim.pid" "$dir/machine.pid"; do
    signal KILL "$f" && echo "$f needed SIGKILL" >&2
    rm -f "$f" "$f.start"
  done
done
echo "stopped ${#pidfiles[@]} process(es) in $STATE" >&2
exit 0
