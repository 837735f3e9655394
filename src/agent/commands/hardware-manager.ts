// The agent's one hardware manager, in IPA's terms: the deploy and clean steps it offers (IPA's names,
// priorities and flags), the version pair Ironic records at get_*_steps and sends back with every execute
// (a different agent version in between must restart the process: VersionMismatch), and the step bodies.
import { log } from '../../common/log.js';
import { AgentError, InvalidCommandParamsError, VersionMismatchError } from '../errors.js';
import { listBlockDevices } from '../hardware/block-devices.js';
import { prepareImage } from '../image/prepare-image.js';
import { validateImageInfo } from '../image/image-checksum.js';
import { wipeMetadata, zeroDevice } from '../image/wipe.js';
import { md5Allowed, type AgentRuntime } from '../runtime.js';
import type { CommandContext } from '../command-runner.js';

export const MANAGER_CLASS = 'AnvilHardwareManager';
export const MANAGER_VERSIONS: Readonly<Record<string, string>> = { anvil_hardware_manager: '1.0' };

export interface Step {
  readonly step: string;
  readonly priority: number;
  readonly interface: string;
  readonly reboot_requested: boolean;
  readonly abortable?: boolean;
  readonly argsinfo?: Record<string, unknown>;
}

export const CLEAN_STEPS: readonly Step[] = [
  { step: 'erase_devices', priority: 10, interface: 'deploy', reboot_requested: false, abortable: true },
  { step: 'erase_devices_metadata', priority: 99, interface: 'deploy', reboot_requested: false, abortable: true },
];

export const DEPLOY_STEPS: readonly Step[] = [
  { step: 'erase_devices_metadata', priority: 0, interface: 'deploy', reboot_requested: false },
  // Proxied by the conductor's own write_image step (priority 80), so the priority here does not matter.
  { step: 'write_image', priority: 0, interface: 'deploy', reboot_requested: false },
];

export class HardwareManagerMethodNotFoundError extends AgentError {
  constructor(method: string) {
    super('HardwareManagerMethodNotFound', 500, 'No HardwareManager found to handle method', `Could not find method: ${method}`);
  }
}

/** @throws VersionMismatchError when Ironic planned the steps against another agent version. */
export function checkVersions(given: unknown): void {
  if (given === undefined || given === null) return;
  if (typeof given !== 'object' || Array.isArray(given)) throw new InvalidCommandParamsError('The hardware manager version must be an object.');
  const g = given as Record<string, unknown>;
  for (const [name, version] of Object.entries(MANAGER_VERSIONS)) {
    if (name in g && g[name] !== version) throw new VersionMismatchError({ ...MANAGER_VERSIONS }, given);
  }
}

/** The step's params: `step.args` merged over the command's other params, as IPA passes them. */
export function parseStep(params: Record<string, unknown>): { step: Record<string, unknown>; args: Record<string, unknown> } {
  const step = params.step;
  if (!step || typeof step !== 'object' || Array.isArray(step)) throw new InvalidCommandParamsError('step must be an object with a "step" key.');
  const s = step as Record<string, unknown>;
  if (typeof s.step !== 'string') throw new InvalidCommandParamsError(`Malformed step, no "step" key: ${JSON.stringify(step)}`);
  const { step: _s, node: _n, ports: _p, deploy_version: _d, clean_version: _c, ...rest } = params;
  const args = s.args && typeof s.args === 'object' && !Array.isArray(s.args) ? (s.args as Record<string, unknown>) : {};
  return { step: s, args: { ...rest, ...args } };
}

/** Runs one step by name. @returns what IPA's step returns (null for the erase steps). */
export async function runStep(rt: AgentRuntime, name: string, args: Record<string, unknown>, ctx: CommandContext): Promise<unknown> {
  switch (name) {
    case 'write_image': {
      validateImageInfo(args.image_info, md5Allowed(rt));
      const msg = await prepareImage(rt, args.image_info as Record<string, unknown>, args.configdrive, (p) => ctx.progress({ step: name, progress: p }));
      // IPA's step returns prepare_image's command result.
      return { result: `prepare_image: ${msg}` };
    }
    case 'erase_devices_metadata': {
      const disks = await listBlockDevices(rt.options);
      for (const d of disks) {
        const r = await wipeMetadata(d.name, d.size);
        log.info('Erased disk metadata', { device: d.name, partitions: r.partitions });
      }
      rt.cachedImageId = null;
      return null;
    }
    case 'erase_devices': {
      const disks = await listBlockDevices(rt.options);
      const total = disks.reduce((n, d) => n + d.size, 0);
      let before = 0;
      const started = Date.now();
      for (const d of disks) {
        await zeroDevice(d.name, d.size, (done) => {
          const s = (Date.now() - started) / 1000;
          ctx.progress({ step: name, progress: { device: d.name, bytes_written: before + done, total_bytes: total, rate_bytes_per_s: s > 0 ? Math.round((before + done) / s) : 0, elapsed_s: s } });
        });
        before += d.size;
      }
      rt.cachedImageId = null;
      return null;
    }
    default:
      throw new HardwareManagerMethodNotFoundError(name);
  }
}
