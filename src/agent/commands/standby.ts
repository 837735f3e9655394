// standby.*: prepare_image (write the image; async), get_partition_uuids and sync (sync), power_off and
// run_image (async; the configured power-off / reboot command, `poweroff -f` / `reboot -f` by default, the
// lab's "stop this virtual machine" otherwise), after flushing every disk in scope.
import { open } from 'node:fs/promises';
import { log } from '../../common/log.js';
import type { Extension } from '../command-runner.js';
import { InvalidCommandParamsError, SystemRebootError } from '../errors.js';
import { listBlockDevices } from '../hardware/block-devices.js';
import { validateImageInfo } from '../image/image-checksum.js';
import { prepareImage } from '../image/prepare-image.js';
import { md5Allowed, type AgentRuntime } from '../runtime.js';
import { runShell } from './shell.js';

/**
 * IPA's full_sync: fsync of every disk in scope, then the system-wide `sync` — unless the disks are scoped
 * (--block-device, --dev-dir: the lab runs the agent on a shared host, where a global sync would flush every
 * other tenant's files and nothing of this node lives outside its disk).
 */
export async function fullSync(rt: AgentRuntime): Promise<void> {
  for (const d of await listBlockDevices(rt.options)) {
    const fh = await open(d.name, 'r').catch(() => null);
    if (!fh) continue;
    await fh.sync().catch(() => undefined);
    await fh.close();
  }
  const scoped = rt.options.blockDevices.length > 0 || rt.options.devDir.replace(/\/+$/, '') !== '/dev';
  if (!scoped) await runShell('sync', 30_000);
}

async function shutdown(rt: AgentRuntime, command: string): Promise<void> {
  await fullSync(rt).catch((err: Error) => log.warn('Could not flush the disks before shutdown', { error: err.message }));
  log.info('Running the shutdown command', { command });
  const r = await runShell(command);
  if (r.code !== 0) throw new SystemRebootError(`Reboot script failed with exit code ${r.code}. stdout: ${r.stdout.trim()}. stderr: ${r.stderr.trim()}.`);
}

export function standbyExtension(rt: AgentRuntime): Extension {
  return {
    prepare_image: {
      mode: 'async',
      validate: (params) => {
        validateImageInfo(params.image_info, md5Allowed(rt));
      },
      run: async (params, ctx) => {
        const info = { ...(params.image_info as Record<string, unknown>) };
        // Backward compatibility kept by IPA: the config drive inside image_info.
        const configdrive = params.configdrive ?? info.configdrive;
        delete info.configdrive;
        return prepareImage(rt, info, configdrive, (p) => ctx.progress({ progress: p }));
      },
    },
    get_partition_uuids: {
      mode: 'sync',
      run: async () => {
        if (rt.partitionUuids === null) log.warn('No partition UUIDs recorded yet: prepare_image has to run before get_partition_uuids');
        return rt.partitionUuids ?? {};
      },
    },
    sync: { mode: 'sync', run: async () => { await fullSync(rt); return null; } },
    power_off: { mode: 'async', run: async () => { await shutdown(rt, rt.options.powerOffCommand); return null; } },
    run_image: { mode: 'async', run: async () => { await shutdown(rt, rt.options.rebootCommand); return null; } },
  };
}

export function requireString(params: Record<string, unknown>, key: string, optional = false): string | undefined {
  const v = params[key];
  if (v === undefined || v === null) {
    if (optional) return undefined;
    throw new InvalidCommandParamsError(`Missing parameter "${key}".`);
  }
  if (typeof v !== 'string') throw new InvalidCommandParamsError(`Parameter "${key}" must be a string.`);
  return v;
}
