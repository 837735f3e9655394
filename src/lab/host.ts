// Host operations of the lab: running the system tools it is built from (ip, losetup, ipmi_sim's scripts)
// and naming processes for good by pid plus start time, so a recycled pid is never signalled.
import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';

export class LabError extends Error {}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a tool and resolves with its output; rejects with the tool's stderr in the message. */
export function run(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, [...args], { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const detail = String(stderr).trim() || err.message;
          reject(new LabError(`${cmd} ${args.join(' ')} failed: ${detail}`, { cause: err }));
        } else resolve({ stdout: String(stdout), stderr: String(stderr) });
      });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Debian package of each host tool the lab needs (install-deps.sh --test installs them). */
export const LAB_TOOLS: Readonly<Record<string, string>> = {
  ip: 'iproute2', losetup: 'mount', unshare: 'util-linux', setpriv: 'util-linux', mount: 'mount',
  busybox: 'busybox', curl: 'curl', sfdisk: 'fdisk', ipmi_sim: 'openipmi', ipmitool: 'ipmitool', setsid: 'util-linux',
  // the firmware reads virtual CDs (Redfish BMCs) with isoinfo
  isoinfo: 'genisoimage',
};

export function onPath(tool: string, path = process.env.PATH ?? ''): boolean {
  return path.split(':').concat(['/usr/sbin', '/sbin']).some((dir) => {
    try {
      accessSync(join(dir || '.', tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** @throws LabError naming the missing tools and their Debian packages, or when not root. */
export function requireLabHost(tools: readonly string[] = Object.keys(LAB_TOOLS)): void {
  if (process.getuid?.() !== 0) throw new LabError('anvil lab needs root (network namespaces, bridges and loop devices)');
  const missing = tools.filter((t) => !onPath(t));
  if (missing.length) {
    const pkgs = [...new Set(missing.map((t) => LAB_TOOLS[t] ?? t))];
    throw new LabError(`anvil lab needs ${missing.join(', ')} (Debian packages ${pkgs.join(', ')}): run scripts/install-deps.sh --test`);
  }
}

/** A process named by pid and start time (field 22 of /proc/PID/stat, clock ticks since boot). */
export interface ProcessRecord {
  readonly pid: number;
  readonly start: string;
}

function statFields(pid: number): string[] | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

export function processRecord(pid: number): ProcessRecord | null {
  const f = statFields(pid);
  return f ? { pid, start: f[19]! } : null;
}

/** True while the recorded process lives and is not a zombie (this machine's init may not reap orphans). */
export function isAlive(rec: ProcessRecord | null | undefined): boolean {
  if (!rec) return false;
  const f = statFields(rec.pid);
  return f !== null && f[0] !== 'Z' && f[0] !== 'X' && f[19] === rec.start;
}

const sleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));

/** SIGTERM to the process (its group too when it leads one), SIGKILL after `graceMs`; only while still ours. */
export async function stopProcess(rec: ProcessRecord, opts: { group?: boolean; graceMs?: number } = {}): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    if (!isAlive(rec)) return;
    try {
      process.kill(opts.group ? -rec.pid : rec.pid, sig);
    } catch {
      try {
        process.kill(rec.pid, sig);
      } catch {
        // gone in the meantime
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + (opts.graceMs ?? 3000);
  while (isAlive(rec) && Date.now() < deadline) await sleep(50);
  signal('SIGKILL');
  for (let i = 0; i < 40 && isAlive(rec); i++) await sleep(50);
}

export { sleep };
