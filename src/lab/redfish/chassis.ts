// The machine behind a Redfish BMC, through the same chassis back end the ipmi_sim BMCs use
// (scripts/ipmi-sim/chassis-control.sh): power on starts BMC_DIR/machine.sh in its own session, hard off
// signals its process group, reset restarts it, and the boot device goes to BMC_DIR/boot, which the lab
// firmware reads. Reusing the script keeps one definition of what "power" means for every lab BMC, and
// events.log reads the same whichever protocol drove the machine.
import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../firmware/paths.js';
import { run, sleep } from '../host.js';

const IPMI_SCRIPTS = join(REPO_ROOT, 'scripts', 'ipmi-sim');

/** Boot devices as chassis-control.sh and the firmware name them (`default` boots the disk). */
export type ChassisBootDevice = 'pxe' | 'disk' | 'cdrom' | 'bios' | 'default';

export interface ChassisDirOptions {
  readonly dir: string;
  /** Shown to the machine as BMC_PORT; the lab firmware finds its machine by it. */
  readonly port: number;
  /** Shell code run as the machine at power on; default: the idle machine of scripts/ipmi-sim. */
  readonly machineCmd?: string | undefined;
  /** Grace between SIGTERM and SIGKILL at hard power off, 0.1 s units. */
  readonly killWaitTenths?: number | undefined;
}

/** Writes the files chassis-control.sh reads (bmc.env, machine.sh and a private copy of the script). */
export function prepareChassisDir(o: ChassisDirOptions): void {
  mkdirSync(o.dir, { recursive: true });
  const script = join(o.dir, 'chassis-control.sh');
  // A private copy, as start-bmcs.sh keeps: the BMC goes on working if the checkout changes.
  copyFileSync(join(IPMI_SCRIPTS, 'chassis-control.sh'), `${script}.tmp`);
  renameSync(`${script}.tmp`, script);
  writeFileSync(join(o.dir, 'bmc.env'), `BMC_PORT=${o.port}\nBMC_KILL_WAIT_TENTHS=${o.killWaitTenths ?? 30}\n`);
  if (o.machineCmd !== undefined) writeFileSync(join(o.dir, 'machine.sh'), `${o.machineCmd}\n`);
  else copyFileSync(join(IPMI_SCRIPTS, 'idle-machine.sh'), join(o.dir, 'machine.sh'));
  if (!existsSync(join(o.dir, 'boot'))) writeFileSync(join(o.dir, 'boot'), 'default\n');
}

export class ChassisControl {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  async #call(...args: string[]): Promise<string> {
    const { stdout } = await run('sh', [join(this.#dir, 'chassis-control.sh'), this.#dir, ...args], { timeoutMs: 30_000 });
    return stdout;
  }

  async isOn(): Promise<boolean> {
    return /^power:1$/m.test(await this.#call('get', 'power'));
  }

  async powerOn(): Promise<void> {
    await this.#call('set', 'power', '1');
  }

  /** Hard off: SIGTERM, then SIGKILL after the grace. */
  async powerOff(): Promise<void> {
    await this.#call('set', 'power', '0');
  }

  /** Soft off (ACPI power button): SIGTERM only; the machine decides when it is off. */
  async shutdown(): Promise<void> {
    await this.#call('set', 'shutdown', '1');
  }

  /** Hard reset; does nothing while off (as chassis-control.sh and a real chassis do). */
  async reset(): Promise<void> {
    await this.#call('set', 'reset', '1');
  }

  async setBootDevice(device: ChassisBootDevice): Promise<void> {
    await this.#call('set', 'boot', device);
  }

  /** Soft off and wait for it, then hard off if the machine is still running after `graceMs`. */
  async gracefulOff(graceMs: number): Promise<void> {
    await this.shutdown();
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && (await this.isOn())) await sleep(100);
    if (await this.isOn()) await this.powerOff();
  }
}
