// The conductor's `direct` deploy driving the real anvil-agent, end to end through the API of a real Anvil
// process: fake-hardware power and boot (no BMC or network boot here — the lab and VM tests add those), the
// agent started by the test where firmware would boot it, a real loop device as the disk. Deploys a raw image
// from a loopback origin (byte for byte on the disk, progress and steps on the node, token gone afterwards),
// fails a wrong checksum with algorithm/expected/actual in last_error and the disk not deployed, aborts in
// wait call-back, then undeploys through automated cleaning (metadata erased) back to available.
// SQLite only: the deploy's database work is covered on both stores by the API tests.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentProcess, type AgentProcess } from '../support/agent-process.js';
import { waitFor } from '../support/agent-nodes.js';
import { startAnvilProcess, type AnvilProcess } from '../support/anvil-process.js';
import { ImageOrigin } from '../support/image-origin.js';
import { attachLoop, detachLoop, readBytes } from '../support/loop-devices.js';

const MIB = 2 ** 20;
const V = { 'X-OpenStack-Ironic-API-Version': '1.89', 'Content-Type': 'application/json' };

describe('direct deploy through the real agent', () => {
  let anvil: AnvilProcess;
  let origin: ImageOrigin;
  let dir: string;
  let disk: string;
  let image: Buffer;
  let imageSha: string;
  let imageUrl: string;
  let qcowUrl: string;
  let imgPath: string;
  let qcowPath: string;
  let crashedStateDir: string | undefined;
  const agents: AgentProcess[] = [];
  let macs = 0;
  let mac = '';

  async function api(method: string, path: string, body?: unknown) {
    const res = await fetch(anvil.url + path, { method, headers: V, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  const node = async (uuid: string) => (await api('GET', `/v1/nodes/${uuid}`)).body;
  const settled = (uuid: string, states: string[]) => waitFor(`node in ${states.join('/')}`, async () => {
    const n = await node(uuid);
    return states.includes(n.provision_state) && !n.reservation ? n : null;
  }, 60_000);

  /** What firmware would do after a network boot: the agent, with the kernel command line, on our disk only. */
  function bootAgent(): AgentProcess {
    const a = startAgentProcess([
      '--cmdline', `ipa-api-url=${anvil.url} BOOTIF=01-${mac.replaceAll(':', '-')}`,
      '--listen-host', '127.0.0.1', '--listen-port', '0', '--advertise-host', '127.0.0.1', '--block-device', disk,
      '--min-disk-size', '16M', '--power-off-command', 'true', '--skip-bmc-detect', '--lookup-interval', '1',
    ]);
    agents.push(a);
    return a;
  }

  async function stopAgents(): Promise<void> {
    await Promise.all(agents.splice(0).map((a) => a.stop()));
  }

  /** A node with its own port (the MAC the next agent boots with); the previous test's node is deleted first. */
  async function enrol(extra: Record<string, unknown> = {}): Promise<string> {
    mac = `52:54:00:d1:${(process.pid & 0xff).toString(16).padStart(2, '0')}:${(++macs).toString(16).padStart(2, '0')}`;
    const created = await api('POST', '/v1/nodes', {
      driver: 'fake-hardware', deploy_interface: 'direct', boot_interface: 'fake', name: `direct-${process.pid}-${Date.now()}`,
      driver_info: { deploy_forces_oob_reboot: true }, ...extra,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const uuid = created.body.uuid as string;
    expect((await api('POST', '/v1/ports', { address: mac, node_uuid: uuid })).status).toBe(201);
    for (const target of ['manage', 'provide']) {
      expect((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target })).status).toBe(202);
      await settled(uuid, target === 'manage' ? ['manageable'] : ['available', 'clean wait']);
    }
    return uuid;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anvil-direct-'));
    disk = attachLoop(join(dir, 'disk'), 40 * MIB);
    imgPath = join(dir, 'disk.raw');
    writeFileSync(imgPath, Buffer.concat([Buffer.alloc(MIB), createHash('sha512').update(String(process.pid)).digest(), Buffer.alloc(9 * MIB - 64, 0x6b)]));
    execFileSync('sgdisk', ['-n', '1:2048:0', '-c', '1:root', imgPath], { stdio: 'ignore' });
    image = readBytes(imgPath, 0, 10 * MIB);
    imageSha = createHash('sha256').update(image).digest('hex');
    origin = await ImageOrigin.start();
    imageUrl = origin.route('/disk.raw', { file: imgPath });
    qcowPath = join(dir, 'disk.qcow2');
    execFileSync('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'qcow2', imgPath, qcowPath]);
    qcowUrl = origin.route('/disk.qcow2', { file: qcowPath });
    anvil = await startAnvilProcess('sqlite');
  }, 60_000);

  afterAll(async () => {
    await stopAgents();
    await anvil?.stop();
    await origin?.close();
    if (disk) detachLoop(disk);
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (crashedStateDir) rmSync(crashedStateDir, { recursive: true, force: true });
  });

  /** Deploys `instanceInfo` on `uuid` with an agent booted once the node waits for it; returns the settled node. */
  async function deploy(uuid: string, instanceInfo: Record<string, unknown>) {
    expect((await api('PATCH', `/v1/nodes/${uuid}`, [{ op: 'add', path: '/instance_info', value: instanceInfo }])).status).toBe(200);
    expect((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' })).status).toBe(202);
    const waiting = await settled(uuid, ['wait call-back', 'deploy failed']);
    expect(waiting.provision_state, waiting.last_error).toBe('wait call-back');
    bootAgent();
    const done = await settled(uuid, ['active', 'deploy failed']);
    await stopAgents();
    return done;
  }

  async function undeploy(uuid: string) {
    expect((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'deleted' })).status).toBe(202);
    expect((await settled(uuid, ['available', 'error', 'clean failed'])).provision_state).toBe('available');
  }

  it('deploys a raw image onto the disk and reaches active, with the steps and no token left on the node', async () => {
    const uuid = await enrol({ automated_clean: false });
    const ii = { image_source: imageUrl, image_os_hash_algo: 'sha256', image_os_hash_value: imageSha };
    expect((await api('PATCH', `/v1/nodes/${uuid}`, [{ op: 'add', path: '/instance_info', value: ii }])).status).toBe(200);
    expect((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' })).status).toBe(202);
    const waiting = await settled(uuid, ['wait call-back', 'deploy failed']);
    expect(waiting.provision_state, waiting.last_error).toBe('wait call-back');
    expect(waiting.deploy_step).toMatchObject({ interface: 'deploy', step: 'deploy', priority: 100 });
    bootAgent();
    const done = await waitFor('active', async () => {
      const n = await node(uuid);
      return ['active', 'deploy failed'].includes(n.provision_state) && !n.reservation ? n : null;
    }, 60_000);
    expect(done.provision_state, done.last_error).toBe('active');
    expect(done.power_state).toBe('power on');
    expect(done.deploy_step).toEqual({});
    // Every step ran, in Ironic's order (from the conductor's log: a fast deploy finishes between two polls).
    const started = anvil.logLines().map((l) => { try { return JSON.parse(l) as { msg?: string; node?: string; step?: string }; } catch { return {}; } })
      .filter((e) => e.msg === 'step started' && e.node === uuid).map((e) => e.step);
    expect(started).toEqual(['deploy.deploy', 'deploy.write_image', 'deploy.prepare_instance_boot', 'deploy.tear_down_agent', 'deploy.boot_instance']);
    expect(done.driver_internal_info.agent_secret_token).toBeUndefined();
    expect(done.driver_internal_info.deploy_steps).toBeUndefined();
    expect(readBytes(disk, 0, image.length).equals(image)).toBe(true);
    await stopAgents();
  }, 120_000);

  it('builds a config drive given as JSON (1.56) into a config-2 ISO on the disk\'s last partition', async () => {
    const uuid = await enrol({ automated_clean: false });
    const ii = { image_source: imageUrl, image_os_hash_algo: 'sha256', image_os_hash_value: imageSha };
    expect((await api('PATCH', `/v1/nodes/${uuid}`, [{ op: 'add', path: '/instance_info', value: ii }])).status).toBe(200);
    const configdrive = { meta_data: { hostname: 'cd-host' }, user_data: '#cloud-config\nruncmd: [true]\n', network_data: { links: [] } };
    const put = await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active', configdrive });
    expect(put.status, JSON.stringify(put.body)).toBe(202);
    expect((await settled(uuid, ['wait call-back', 'deploy failed'])).provision_state).toBe('wait call-back');
    bootAgent();
    const done = await settled(uuid, ['active', 'deploy failed']);
    await stopAgents();
    expect(done.provision_state, done.last_error).toBe('active');
    const table = JSON.parse(execFileSync('sfdisk', ['--json', disk], { encoding: 'utf8' })) as { partitiontable: { sectorsize?: number; partitions: { start: number; size: number }[] } };
    const last = table.partitiontable.partitions.at(-1)!;
    const isoFile = join(dir, 'cd-from-disk.iso');
    writeFileSync(isoFile, readBytes(disk, last.start * 512, last.size * 512));
    expect(execFileSync('isoinfo', ['-d', '-i', isoFile], { encoding: 'utf8' })).toMatch(/Volume id: config-2/);
    const read = (path: string) => execFileSync('isoinfo', ['-R', '-i', isoFile, '-x', path], { encoding: 'utf8' });
    expect(JSON.parse(read('/openstack/latest/meta_data.json'))).toMatchObject({ uuid, hostname: 'cd-host' });
    expect(read('/openstack/latest/user_data')).toBe(configdrive.user_data);
    expect(JSON.parse(read('/openstack/latest/network_data.json'))).toEqual({ links: [] });
    // The image itself is intact in front of it.
    expect(readBytes(disk, 2 * MIB, 4 * MIB).equals(image.subarray(2 * MIB, 6 * MIB))).toBe(true);
  }, 120_000);

  it('fails a wrong checksum with algorithm, expected and actual digest, and leaves the disk not deployed', async () => {
    const uuid = await enrol({ automated_clean: false });
    execFileSync('dd', ['if=/dev/zero', `of=${disk}`, 'bs=1M', 'count=2', 'conv=fsync'], { stdio: 'ignore' });
    const wrong = 'f'.repeat(64);
    await api('PATCH', `/v1/nodes/${uuid}`, [{ op: 'add', path: '/instance_info', value: { image_source: imageUrl, image_os_hash_algo: 'sha256', image_os_hash_value: wrong } }]);
    expect((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' })).status).toBe(202);
    await settled(uuid, ['wait call-back']);
    bootAgent();
    const failed = await settled(uuid, ['deploy failed', 'active']);
    expect(failed.provision_state).toBe('deploy failed');
    expect(failed.last_error).toMatch(/write_image/);
    expect(failed.last_error).toMatch(/sha256/);
    expect(failed.last_error).toContain(wrong);
    expect(failed.last_error).toContain(imageSha);
    expect(failed.power_state).toBe('power off');
    // Whatever was streamed before the mismatch was found must not look like the image.
    expect(readBytes(disk, 0, image.length).equals(image)).toBe(false);
    await stopAgents();
  }, 120_000);

  it('aborts a deploy waiting in wait call-back: deploy failed, powered off, reason given', async () => {
    const uuid = await enrol({ automated_clean: false });
    await api('PATCH', `/v1/nodes/${uuid}`, [{ op: 'add', path: '/instance_info', value: { image_source: imageUrl, image_os_hash_algo: 'sha256', image_os_hash_value: imageSha } }]);
    expect((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' })).status).toBe(202);
    await settled(uuid, ['wait call-back']);
    expect((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'abort' })).status).toBe(202);
    const aborted = await settled(uuid, ['deploy failed']);
    expect(aborted.last_error).toMatch(/aborted/);
    expect(aborted.power_state).toBe('power off');
    expect(aborted.driver_internal_info.deploy_steps).toBeUndefined();
  }, 60_000);

  it('undeploys through automated cleaning with the agent: metadata erased, back to available', async () => {
    const uuid = await enrol({ automated_clean: false });
    expect((await deploy(uuid, { image_source: imageUrl, image_os_hash_algo: 'sha256', image_os_hash_value: imageSha })).provision_state).toBe('active');
    expect(readBytes(disk, 0, image.length).equals(image)).toBe(true);
    await api('PATCH', `/v1/nodes/${uuid}`, [{ op: 'replace', path: '/automated_clean', value: true }]);
    expect((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'deleted' })).status).toBe(202);
    const cleaning = await settled(uuid, ['clean wait', 'available', 'clean failed', 'error']);
    expect(cleaning.provision_state, cleaning.last_error).toBe('clean wait');
    bootAgent();
    const available = await settled(uuid, ['available', 'clean failed']);
    expect(available.provision_state, available.last_error).toBe('available');
    // erase_devices_metadata wiped the partition table: the GPT header at LBA 1 is gone.
    expect(readBytes(disk, 512, 8).toString('latin1')).not.toBe('EFI PART');
    expect(available.instance_info).toEqual({});
  }, 180_000);

  it('caches a qcow2 image served locally: converted once, HEAD without GET while unchanged, GET again once touched', async () => {
    const uuid = await enrol({ automated_clean: false });
    const ii = { image_source: qcowUrl, image_checksum: createHash('md5').update(readBytes(qcowPath, 0, 64 * MIB)).digest('hex'), image_download_source: 'local' };
    const gets = () => origin.count('GET', '/disk.qcow2');
    const first = await deploy(uuid, ii);
    expect(first.provision_state, first.last_error).toBe('active');
    expect(readBytes(disk, 0, image.length).equals(image)).toBe(true);
    expect(gets()).toBe(1);
    await undeploy(uuid);
    const heads = origin.count('HEAD', '/disk.qcow2');
    expect((await deploy(uuid, ii)).provision_state).toBe('active');
    expect(gets()).toBe(1);
    expect(origin.count('HEAD', '/disk.qcow2')).toBeGreaterThan(heads);
    await undeploy(uuid);
    const later = new Date(Date.now() + 5000);
    utimesSync(qcowPath, later, later);
    expect((await deploy(uuid, ii)).provision_state).toBe('active');
    expect(gets()).toBe(2);
  }, 180_000);

  it('deploys a file:// image from the images directory', async () => {
    const uuid = await enrol({ automated_clean: false });
    const images = join(anvil.stateDir, 'images');
    mkdirSync(images, { recursive: true });
    copyFileSync(imgPath, join(images, 'local.raw'));
    execFileSync('dd', ['if=/dev/zero', `of=${disk}`, 'bs=1M', 'count=2', 'conv=fsync'], { stdio: 'ignore' });
    const done = await deploy(uuid, { image_source: `file://${join(images, 'local.raw')}` });
    expect(done.provision_state, done.last_error).toBe('active');
    expect(readBytes(disk, 0, image.length).equals(image)).toBe(true);
  }, 120_000);

  it('survives kill -9 of the service while the node waits in wait call-back: the deploy completes after restart', async () => {
    const uuid = await enrol({ automated_clean: false });
    await api('PATCH', `/v1/nodes/${uuid}`, [{ op: 'add', path: '/instance_info', value: { image_source: imageUrl, image_os_hash_algo: 'sha256', image_os_hash_value: imageSha } }]);
    expect((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' })).status).toBe(202);
    await settled(uuid, ['wait call-back']);
    execFileSync('dd', ['if=/dev/zero', `of=${disk}`, 'bs=1M', 'count=2', 'conv=fsync'], { stdio: 'ignore' });
    const port = Number(new URL(anvil.url).port);
    const reuse = { databaseUrl: anvil.databaseUrl, stateDir: anvil.stateDir, port };
    await anvil.crash();
    crashedStateDir = reuse.stateDir;
    // The agent boots while the service is down; it keeps looking itself up until the service is back.
    bootAgent();
    anvil = await startAnvilProcess('sqlite', { reuse });
    const done = await settled(uuid, ['active', 'deploy failed']);
    expect(done.provision_state, done.last_error).toBe('active');
    expect(readBytes(disk, 0, image.length).equals(image)).toBe(true);
    await stopAgents();
  }, 120_000);
});
