// The `deploy` group: lab deploys (ipmi_sim BMCs, real DHCP/TFTP/HTTP network boot, the real anvil-agent onto
// loop-device disks) of a 1 GiB raw image with 1, 10 and 50 nodes at once, served from the conductor's cache
// (image_download_source=local, so one origin download serves every node). Each deploy → active is split by
// phase from the node's own record (polled every 100 ms): the image into the conductor's cache, power on + ramdisk
// boot → first heartbeat ("lookup"),
// lookup → write start, write, and prepare/reboot to disk. The write limit of this machine for the same bytes
// onto a loop device (`dd`, same run, same kind of device) and the agents' peak RSS are reported beside them.
// Needs root (namespaces, loop devices) and the lab's packages (scripts/install-deps.sh --test).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startLab, type Lab } from '../../test/support/lab.js';
import { ImageOrigin } from '../../test/support/image-origin.js';
import { netnsPids } from '../../src/lab/network.js';
import type { LoadResult } from '../http-load.js';
import { sha256Of } from '../../src/images/digests.js';
import { fmt } from '../report.js';
import type { BenchContext, PreparedGroup, WorkloadGroup, WorkloadOutcome } from './types.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const IMAGE_BYTES = Number(process.env.ANVIL_BENCH_DEPLOY_BYTES ?? GiB);
const SIZES = (process.env.ANVIL_BENCH_DEPLOY_NODES ?? '1,10,50').split(',').map(Number);

interface Phases {
  /** The conductor holds the image in its cache (agent_image recorded): before the node is powered on. */
  cached: number;
  lookup: number;
  writeStart: number;
  writeEnd: number;
  active: number;
}

/**
 * Random bytes with a GPT (sgdisk) over them: the agent, like IPA, refuses a whole-disk image that leaves no
 * partition table on the disk.
 */
async function makeImage(path: string, size: number): Promise<string> {
  const block = randomBytes(MiB);
  const fd = openSync(path, 'w');
  try {
    for (let done = 0; done < size; done += MiB) writeSync(fd, block);
  } finally {
    closeSync(fd);
  }
  const r = spawnSync('sgdisk', ['-o', '-n', '1:2048:0', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sgdisk failed: ${r.stderr}`);
  return (await sha256Of(path)).digest;
}

/** MB/s of `dd` writing the image onto a loop device with one flush at the end: the machine's write limit. */
function writeLimit(image: string, device: string): number {
  const t0 = performance.now();
  const r = spawnSync('dd', [`if=${image}`, `of=${device}`, 'bs=8M', 'conv=fsync'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dd failed: ${r.stderr}`);
  return IMAGE_BYTES / 1e6 / ((performance.now() - t0) / 1000);
}

/** Peak RSS (VmHWM) of the node processes in a machine's namespace: the agent (and nothing else there runs node). */
async function agentPeakRss(netns: string): Promise<number> {
  let peak = 0;
  for (const pid of await netnsPids(netns)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('agent')) continue;
      const m = /VmHWM:\s+(\d+) kB/.exec(status);
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch {
      // the process ended meanwhile
    }
  }
  return peak;
}

async function deployAll(ctx: BenchContext, lab: Lab, imageUrl: string, sha: string): Promise<{ phases: Phases[]; failures: string[]; rss: number }> {
  const api = lab.api!;
  const t0 = performance.now();
  const phases = new Map<string, Partial<Phases>>();
  const failures: string[] = [];
  let rss = 0;
  await Promise.all(lab.vms.map(async (vm) => {
    await api.request('PATCH', `/v1/nodes/${vm.uuid}`, [{ op: 'add', path: '/instance_info', value: {
      image_source: imageUrl, image_os_hash_algo: 'sha256', image_os_hash_value: sha, image_download_source: 'local' } }]);
    await api.request('PUT', `/v1/nodes/${vm.uuid}/states/provision`, { target: 'active' });
    phases.set(vm.uuid, {});
  }));
  const pending = new Set(lab.vms.map((v) => v.uuid));
  const deadline = Date.now() + 30 * 60_000;
  while (pending.size && Date.now() < deadline) {
    for (const vm of lab.vms) {
      if (!pending.has(vm.uuid)) continue;
      const n = (await api.request('GET', `/v1/nodes/${vm.uuid}`)).body as Record<string, any>;
      const p = phases.get(vm.uuid)!;
      const now = performance.now() - t0;
      if (p.cached === undefined && n.driver_internal_info?.agent_image) p.cached = now;
      if (p.lookup === undefined && n.driver_internal_info?.agent_url) p.lookup = now;
      if (p.writeStart === undefined && n.deploy_step?.step === 'write_image') p.writeStart = now;
      if (p.writeEnd === undefined && p.writeStart !== undefined && n.deploy_step?.step && n.deploy_step.step !== 'write_image') p.writeEnd = now;
      if (n.provision_state === 'active' || n.provision_state === 'deploy failed') {
        p.writeEnd ??= now;
        p.active = now;
        pending.delete(vm.uuid);
        if (n.provision_state !== 'active') failures.push(`${vm.name}: ${n.last_error}`);
      } else if (n.deploy_step?.step === 'write_image') {
        rss = Math.max(rss, await agentPeakRss(vm.netns));
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (pending.size) failures.push(`${pending.size} nodes did not settle within 30 minutes`);
  ctx.progress(`deploy: ${lab.vms.length} nodes settled after ${fmt((performance.now() - t0) / 1000)} s`);
  return { phases: [...phases.values()].filter((p): p is Phases => p.active !== undefined), failures, rss };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function prepare(ctx: BenchContext): PreparedGroup {
  return {
    workloads: SIZES.map((count) => ({
      name: `deploy ${IMAGE_BYTES / GiB} GiB raw, ${count} node${count > 1 ? 's' : ''}`,
      async run(): Promise<WorkloadOutcome> {
        ctx.progress(`deploy: starting a lab of ${count} machines ...`);
        const lab = await startLab({ nodes: count, diskSizeBytes: IMAGE_BYTES + 64 * MiB, anvilArgs: ['--deploy-callback-timeout', '1800', '--no-automated-clean'] });
        const origin = await ImageOrigin.start();
        try {
          const image = join(lab.dir, '..', 'bench-image.raw');
          const sha = await makeImage(image, IMAGE_BYTES);
          const url = origin.route('/bench-image.raw', { file: image });
          const api = lab.api!;
          for (const vm of lab.vms) {
            for (const target of ['manage', 'provide']) await api.request('PUT', `/v1/nodes/${vm.uuid}/states/provision`, { target });
          }
          // Automated cleaning is off for the bench: provide is immediate, the deploy alone is timed.
          const { phases, failures, rss } = await deployAll(ctx, lab, url, sha);
          const limit = writeLimit(image, lab.vms[0]!.disk.device);
          const gets = origin.count('GET', '/bench-image.raw');
          if (gets !== 1) failures.push(`${gets} origin downloads for ${count} nodes, expected 1`);
          const rate = phases.map((p) => IMAGE_BYTES / 1e6 / ((p.writeEnd - p.writeStart) / 1000));
          // All agents together against the one disk subsystem: bytes of every node over the span from the
          // first write's start to the last one's end (for one node, its own rate).
          const span = Math.max(...phases.map((p) => p.writeEnd)) - Math.min(...phases.map((p) => p.writeStart));
          const aggregate = (phases.length * IMAGE_BYTES) / 1e6 / (span / 1000);
          const note = `deploy→active median ${fmt(median(phases.map((p) => p.active)) / 1000)} s (target 1 node ≤ 14 s); ` +
            `image into the conductor's cache ${fmt(median(phases.map((p) => p.cached)) / 1000)} s, power on→lookup ${fmt(median(phases.map((p) => p.lookup - p.cached)) / 1000)} s, lookup→write ${fmt(median(phases.map((p) => p.writeStart - p.lookup)) / 1000)} s, ` +
            `write ${fmt(median(phases.map((p) => p.writeEnd - p.writeStart)) / 1000)} s, reboot to disk ${fmt(median(phases.map((p) => p.active - p.writeEnd)) / 1000)} s; ` +
            `agent stream ${fmt(median(rate))} MB/s each, ${fmt(aggregate)} MB/s together = ${fmt((100 * aggregate) / limit)} % of dd onto a loop device (${fmt(limit)} MB/s; target ≥ 90 %); ` +
            `agent peak RSS ${fmt(rss / MiB)} MiB (target ≤ 85); ${gets} origin GET`;
          const latencies = phases.map((p) => p.active);
          const result: LoadResult = {
            requests: count, errors: failures.length, durationMs: Math.max(...latencies, 0), latenciesMs: latencies,
            statusCounts: failures.length ? { failed: failures.length } : { ok: count }, errorSamples: failures, clientCpuMs: 0,
          };
          return { result, note };
        } finally {
          await origin.close();
          const left = await lab.stop();
          if (left.length) ctx.progress(`deploy: lab left ${left.join('; ')}`);
        }
      },
    })),
    cleanup: async () => ({ requests: 0, errors: 0, durationMs: 0, latenciesMs: [], statusCounts: {}, errorSamples: [], clientCpuMs: 0 }),
  };
}

export const deployGroup: WorkloadGroup = {
  name: 'deploy',
  summary: 'lab deploys of a 1 GiB raw image with 1, 10 and 50 nodes: phases, agent stream rate vs dd, agent RSS, origin downloads',
  needsApi: false,
  prepare,
};
