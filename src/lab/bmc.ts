// The virtual machines' BMCs: one OpenIPMI ipmi_sim per machine on 127.0.0.1, started and stopped through
// scripts/ipmi-sim (the same scripts the tests use), whose chassis control runs the lab's firmware as the
// machine: power on boots it, power off stops it, and the BMC reports power on exactly while it runs.
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { LabError, run } from './host.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const IPMI_SCRIPTS = join(ROOT, 'scripts', 'ipmi-sim');
/** The firmware entry point, compiled (the BMC runs it with plain node). */
export const FIRMWARE_MAIN = join(ROOT, 'dist', 'lab', 'firmware', 'main.js');

/** UDP ports the kernel just handed out on 127.0.0.1 (free again once closed; start-bmcs.sh re-checks). */
export async function freeUdpPorts(count: number): Promise<number[]> {
  const sockets = await Promise.all(Array.from({ length: count }, () => new Promise<ReturnType<typeof createSocket>>((ok, fail) => {
    const s = createSocket('udp4');
    s.once('error', fail);
    s.bind(0, '127.0.0.1', () => ok(s));
  })));
  const ports = sockets.map((s) => s.address().port);
  await Promise.all(sockets.map((s) => new Promise<void>((ok) => s.close(() => ok()))));
  return ports;
}

/** A password of IPMI's allowed characters and length (≤ 20). */
export function bmcPassword(): string {
  return randomBytes(12).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 16);
}

/** The machine of a lab BMC (ipmi_sim's or Redfish): the firmware, finding its machine by the BMC's port. */
export function firmwareCommand(labDir: string): string {
  return `exec '${process.execPath}' '${FIRMWARE_MAIN}' '${labDir}' "$BMC_PORT"`;
}

export interface BmcStart {
  readonly dir: string;
  readonly ports: readonly number[];
  readonly username: string;
  readonly password: string;
  /** Shell code run as the machine at power on; sees BMC_PORT, BMC_DIR, BMC_BOOTDEV. */
  readonly machineCmd: string;
}

export async function startBmcs(o: BmcStart): Promise<void> {
  try {
    await run('bash', [join(IPMI_SCRIPTS, 'start-bmcs.sh'), o.dir, ...o.ports.map(String)], {
      env: {
        ...process.env, BMC_USER: o.username, BMC_PASS: o.password, BMC_ADDR: '127.0.0.1', BMC_MACHINE_CMD: o.machineCmd,
        // The firmware stops its agent on SIGTERM within a second or two; past that the BMC kills it.
        BMC_KILL_WAIT_TENTHS: '50',
      },
      timeoutMs: 120_000,
    });
  } catch (err) {
    throw new LabError(`Could not start the lab's BMCs: ${(err as Error).message}`, { cause: err });
  }
}

/** Stops the BMCs and their machines recorded in `dir` (pid and start time checked by the script). */
export async function stopBmcs(dir: string): Promise<void> {
  await run('bash', [join(IPMI_SCRIPTS, 'stop-bmcs.sh'), dir], { timeoutMs: 120_000 });
}

export function bmcDir(stateDir: string, port: number): string {
  return join(stateDir, `bmc-${port}`);
}
