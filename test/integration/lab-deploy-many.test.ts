// Two lab machines deployed at once from one qcow2 image on a real HTTP origin that sends Last-Modified: the
// conductor downloads it once for both (image_download_source local), converts it once, and both disks hold
// the raw bytes; while an agent is writing, an impostor on the lab network gets no token from lookup and its
// heartbeat with a made-up token is refused, and the real deploy carries on. Then one machine is redeployed
// with the agent fetching the qcow2 from the origin itself (image_download_source http) and converting it
// inside its sandbox. Automated cleaning is off: lab-deploy.test.ts covers it. Two machines, ~40 s.
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageOrigin } from '../support/image-origin.js';
import { startLab, type Lab, type LabVm } from '../support/lab.js';

const MIB = 2 ** 20;
let lab: Lab;
let origin: ImageOrigin;
let imgDir: string;
let raw: Buffer;
let qcowUrl: string;
let qcowSha: string;

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

beforeAll(async () => {
  imgDir = mkdtempSync(join(tmpdir(), 'anvil-lab-many-'));
  const rawFile = join(imgDir, 'disk.raw');
  writeFileSync(rawFile, Buffer.concat([Buffer.alloc(MIB), randomBytes(4 * MIB), Buffer.alloc(3 * MIB)]));
  execFileSync('sgdisk', ['-n', '1:2048:0', '-c', '1:root', rawFile], { stdio: 'ignore' });
  raw = readFileSync(rawFile);
  const qcow = join(imgDir, 'disk.qcow2');
  execFileSync('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'qcow2', rawFile, qcow]);
  qcowSha = createHash('sha256').update(readFileSync(qcow)).digest('hex');
  lab = await startLab({
    nodes: 2,
    anvilArgs: ['--deploy-callback-timeout', '120', '--no-automated-clean', '--power-state-sync-interval', '0'],
  });
  // On the lab's bridge address, so the agents in the machines can reach it too.
  origin = await ImageOrigin.start(lab.serverIp);
  qcowUrl = origin.route('/disk.qcow2', { file: qcow });
}, 120_000);

afterAll(async () => {
  await origin?.close();
  const left = await lab?.stop();
  rmSync(imgDir, { recursive: true, force: true });
  expect(left).toEqual([]);
}, 120_000);

/** Sets the image; the node may still be locked for a moment by the action that just settled (409, retried as clients do). */
async function setImage(vm: LabVm, source: 'local' | 'http'): Promise<void> {
  const patch = [{ op: 'add', path: '/instance_info', value: {
    image_source: qcowUrl, image_os_hash_algo: 'sha256', image_os_hash_value: qcowSha, image_download_source: source } }];
  let r = await lab.api!.request('PATCH', `/v1/nodes/${vm.uuid}`, patch);
  for (let i = 0; i < 50 && r.status === 409; i++) {
    await sleep(100);
    r = await lab.api!.request('PATCH', `/v1/nodes/${vm.uuid}`, patch);
  }
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

describe('two lab machines, one qcow2 image', { timeout: 240_000 }, () => {
  it('deploys both at once from one origin download, converted once; an impostor gets no token and is refused', async () => {
    for (const vm of lab.vms) {
      await lab.provision(vm, 'manage');
      await lab.waitProvisionState(vm, 'manageable');
      await lab.provision(vm, 'provide');
      await lab.waitProvisionState(vm, 'available');
      await setImage(vm, 'local');
    }
    await Promise.all(lab.vms.map((vm) => lab.provision(vm, 'active')));

    // The first machine's agent has looked itself up once its node records where the agent listens.
    const [first] = lab.vms as [LabVm, LabVm];
    let node: any;
    for (let i = 0; i < 600; i++) {
      node = (await lab.api!.request('GET', `/v1/nodes/${first.uuid}`)).body;
      if (node.driver_internal_info?.agent_url || node.provision_state === 'active') break;
      await sleep(100);
    }
    expect(node.driver_internal_info.agent_url).toMatch(/^https:\/\//);
    const lookup = await fetch(`${lab.anvil!.url}/v1/lookup?addresses=${first.mac}`, { headers: { 'X-OpenStack-Ironic-API-Version': '1.68' } });
    expect(lookup.status, await lookup.clone().text()).toBe(200);
    expect(((await lookup.json()) as any).config.agent_token).toBe('******');
    const forged = await fetch(`${lab.anvil!.url}/v1/heartbeat/${first.uuid}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-OpenStack-Ironic-API-Version': '1.68' },
      body: JSON.stringify({ callback_url: 'https://10.0.0.66:9999', agent_token: 'f'.repeat(43), agent_version: '9.0' }),
    });
    expect(forged.status).toBe(400);

    for (const vm of lab.vms) {
      const done = await lab.waitProvisionState(vm, 'active');
      expect(done.driver_internal_info.agent_url).toBeUndefined();
      expect(vm.readDisk(0, raw.length).equals(raw), `${vm.name}'s disk holds the raw image`).toBe(true);
    }
    // The impostor's callback never replaced the real agent's.
    expect(first.agentLog()).toMatch(/Image (streamed onto the disk|written)/);
    expect(origin.count('GET', '/disk.qcow2')).toBe(1);
  });

  it('redeploys one machine with its agent fetching and converting the qcow2 itself', async () => {
    const vm = lab.vms[1]!;
    await lab.provision(vm, 'deleted');
    await lab.waitProvisionState(vm, 'available');
    // Undeploy without cleaning leaves the old bytes: blank the disk so the check below means something.
    writeFileSync(vm.disk.device, Buffer.alloc(raw.length));
    expect(vm.readDisk(0, raw.length).equals(raw)).toBe(false);
    await setImage(vm, 'http');
    const gets = origin.count('GET', '/disk.qcow2');
    await lab.provision(vm, 'active');
    await lab.waitProvisionState(vm, 'active');
    expect(vm.readDisk(0, raw.length).equals(raw)).toBe(true);
    // The agent read the image's head (format undeclared, so it looks), then downloaded it to convert it.
    expect(origin.count('GET', '/disk.qcow2')).toBe(gets + 2);
    expect(vm.agentLog()).toMatch(/qemu-img|qcow2/i);
  });
});
