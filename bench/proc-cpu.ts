// CPU time and memory of another process, read from /proc (Linux): the server's CPU per request is a steadier
// figure than its throughput on a machine whose cores other jobs share, since waiting for a core costs
// wall time but no CPU time. `perf stat -e instructions` would be steadier still, but this virtual machine
// exposes no hardware counters ("<not supported>").
import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: utime/stime in /proc/PID/stat count in these ticks (100 on every mainstream kernel build). */
const TICKS_PER_S = 100;

/** User + system CPU of process `pid` so far, in ms (10 ms resolution). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may itself hold spaces.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return ((utime + stime) * 1000) / TICKS_PER_S;
}

/** Resident set size of process `pid` now, in bytes. */
export function processRssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}
