// The deploy agent against a real Anvil API process: it looks its node up (a node in a lookup state, in
// maintenance so no conductor logic acts on its heartbeats), heartbeats with its callback URL and
// certificate, and this test plays the conductor over HTTPS pinned to that certificate: write raw and
// qcow2 images from a loopback HTTP origin onto real loop devices (checked byte for byte), a wrong
// checksum, root device hints, busy, bad token, bad bodies, config drive, cleaning, logs, inventory.
// Runs on SQLite only: the agent never touches the database, the dialect changes nothing it does.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentToken, apiCall, placeNode, waitFor } from '../support/agent-nodes.js';
import { AgentClient, startAgentProcess, type AgentProcess } from '../support/agent-process.js';
import { startAnvilProcess, type AnvilProcess } from '../support/anvil-process.js';
import { ImageOrigin } from '../support/image-origin.js';
import { attachLoop, detachLoop, readBytes } from '../support/loop-devices.js';

const MIB = 2 ** 20;

describe('anvil-agent against a real Anvil API', () => {
  let anvil: AnvilProcess;
  let origin: ImageOrigin;
  let agent: AgentProcess;
  let client: AgentClient;
  let dir: string;
  let diskA: string; // 48 MiB
  let diskB: string; // 80 MiB
  let nodeUuid: string;
  let image: Buffer;
  let imageSha: string;
  let imageUrl: string;
  const mac = `52:54:00:a9:${(process.pid & 0xff).toString(16).padStart(2, '0')}:01`;

  const api = (method: string, path: string, body?: unknown) => apiCall(anvil.url, method, path, body);


  function writeImageParams(info: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    return { node: { uuid: nodeUuid, instance_info: {}, properties: {} }, ports: [], step: { interface: 'deploy', step: 'write_image', args: { image_info: info, ...extra } } };
  }

  const info = (over: Record<string, unknown> = {}) => ({
    id: 'disk.raw', urls: [imageUrl], disk_format: 'raw', stream_raw_images: true, os_hash_algo: 'sha256', os_hash_value: imageSha, node_uuid: nodeUuid, ...over,
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anvil-agent-it-'));
    diskA = attachLoop(join(dir, 'disk-a'), 48 * MIB);
    diskB = attachLoop(join(dir, 'disk-b'), 80 * MIB);
    // A whole-disk image: random bytes under a real GPT with one partition.
    const imgPath = join(dir, 'disk.raw');
    writeFileSync(imgPath, Buffer.concat([Buffer.alloc(MIB), Buffer.from(createHash('sha512').update('x').digest()), Buffer.alloc(12 * MIB - MIB - 64, 0x5a)]));
    execFileSync('sgdisk', ['-n', '1:2048:0', '-c', '1:root', imgPath], { stdio: 'ignore' });
    image = readFileSync(imgPath);
    imageSha = createHash('sha256').update(image).digest('hex');
    execFileSync('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'qcow2', imgPath, join(dir, 'disk.qcow2')]);
    origin = await ImageOrigin.start();
    imageUrl = origin.route('/disk.raw', { file: imgPath });

    anvil = await startAnvilProcess('sqlite');
    const created = await api('POST', '/v1/nodes', { driver: 'fake-hardware', deploy_interface: 'direct', name: `agent-it-${process.pid}` });
    expect(created.status).toBe(201);
    nodeUuid = created.body.uuid;
    expect((await api('POST', '/v1/ports', { address: mac, node_uuid: nodeUuid })).status).toBe(201);
    // `service wait`: a lookup state no conductor callback drives (and maintenance on top), so only this test
    // drives the agent.
    await placeNode(anvil.databaseUrl, nodeUuid, 'service wait', 'active');

    agent = startAgentProcess([
      '--cmdline', `BOOT_IMAGE=/vmlinuz ipa-api-url=${anvil.url} BOOTIF=01-${mac.replaceAll(':', '-')} ipa-debug=1`,
      '--listen-host', '127.0.0.1', '--listen-port', '0', '--block-device', diskA, '--block-device', diskB, '--min-disk-size', '32M',
      '--power-off-command', `touch ${join(dir, 'powered-off')}`, '--tmp-dir', dir, '--skip-bmc-detect',
    ]);
    const dii = await waitFor('first heartbeat', async () => {
      const n = (await api('GET', `/v1/nodes/${nodeUuid}`)).body;
      return n.driver_internal_info.agent_url ? n.driver_internal_info : null;
    });
    client = new AgentClient(dii.agent_url, dii.agent_verify_ca, await agentToken(anvil.databaseUrl, nodeUuid));
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await anvil?.stop();
    await origin?.close();
    for (const d of [diskA, diskB]) if (d) detachLoop(d);
    rmSync(dir, { recursive: true, force: true });
  });

  it('looked up with the token and heartbeats its HTTPS callback URL, certificate and version', async () => {
    const n = (await api('GET', `/v1/nodes/${nodeUuid}`)).body;
    expect(n.driver_internal_info).toMatchObject({ agent_url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/), agent_version: '0.1.0', agent_secret_token: '******' });
    expect(n.driver_internal_info.agent_verify_ca).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    expect(client.token).toHaveLength(43);
    // The pinned certificate is the one served: a TLS handshake against it succeeds, status needs no token.
    const status = await client.request('GET', '/v1/status');
    expect(status).toMatchObject({ status: 200, body: { version: '0.1.0', started_at: expect.any(Number) } });
    expect((await client.request('GET', '/')).body.default_version.id).toBe('v1');
  });

  it('refuses a bad or missing token with 401 and bad bodies with 400, unknown extensions with 404', async () => {
    const bad = new AgentClient(client.url, client.ca, 'x'.repeat(43));
    expect(await bad.list()).toEqual({ status: 401, body: { faultcode: 'Client', faultstring: 'Token invalid.' } });
    expect((await client.request('GET', '/v1/commands/')).status).toBe(401);
    expect((await bad.run('standby.sync', {})).status).toBe(401);
    const q = `/v1/commands/?agent_token=${client.token}`;
    expect((await client.request('POST', q, '{not json')).status).toBe(400);
    expect((await client.request('POST', q, { name: 'standby.sync' })).body).toEqual({ faultcode: 'Client', faultstring: 'Missing or invalid name or params' });
    expect((await client.run('nosuch.cmd', {})).status).toBe(404);
    expect((await client.run('standby.nosuch', {})).status).toBe(400);
    expect((await client.run('nodot', {})).status).toBe(400);
  });

  it('lists deploy and clean steps with IPA priorities', async () => {
    const d = await client.run('deploy.get_deploy_steps', { node: {}, ports: [] });
    expect(d.body).toMatchObject({ command_name: 'get_deploy_steps', command_status: 'SUCCEEDED', command_error: null });
    const steps = Object.values(d.body.command_result.deploy_steps as Record<string, { step: string }[]>).flat();
    expect(steps.map((s) => s.step)).toContain('write_image');
    const c = await client.run('clean.get_clean_steps', { node: {}, ports: [] });
    const clean = Object.values(c.body.command_result.clean_steps as Record<string, { step: string; priority: number }[]>).flat();
    expect(Object.fromEntries(clean.map((s) => [s.step, s.priority]))).toMatchObject({ erase_devices_metadata: 99, erase_devices: 10 });
  });

  it('streams a raw image onto the smallest disk, byte for byte, and heartbeats when done', async () => {
    const before = (await api('GET', `/v1/nodes/${nodeUuid}`)).body.driver_internal_info.agent_last_heartbeat;
    const started = await client.run('deploy.execute_deploy_step', writeImageParams(info()), false);
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ command_name: 'execute_deploy_step', command_status: 'RUNNING' });
    const done = await client.finished(started.body.id);
    expect(done.command_error).toBeNull();
    expect(done.command_status).toBe('SUCCEEDED');
    expect(done.command_result.deploy_step).toMatchObject({ step: 'write_image', interface: 'deploy' });
    expect(done.command_result.deploy_result.result).toMatch(new RegExp(`^prepare_image: image \\(disk.raw\\) written to device ${diskA} root_uuid=`));
    expect(readBytes(diskA, 0, image.length).equals(image)).toBe(true);
    // The extra heartbeat after an asynchronous command: the conductor learns of the end at once.
    await waitFor('heartbeat after the write', async () => (await api('GET', `/v1/nodes/${nodeUuid}`)).body.driver_internal_info.agent_last_heartbeat !== before, 5000);
    const uuids = await client.run('standby.get_partition_uuids', {});
    const guid = /Disk identifier \(GUID\): (\S+)/.exec(execFileSync('sgdisk', ['-p', diskA], { encoding: 'utf8' }))![1]!.toLowerCase();
    expect(uuids.body.command_result).toEqual({ 'root uuid': guid });
    const list = await client.list();
    expect(list.body.commands.at(-1).command_name).toBe('get_partition_uuids');
  });

  it('answers 409 while a command runs and shows its progress', async () => {
    const started = await client.run('standby.prepare_image', { image_info: info({ id: 'slow', urls: [origin.route('/slow.raw', { file: join(dir, 'disk.raw'), faults: [{ kind: 'stall', afterBytes: 2 * MIB, ms: 1500 }] })] }) }, false);
    expect(started.body.command_status).toBe('RUNNING');
    const busy = await client.run('standby.sync', {});
    expect(busy.status).toBe(409);
    expect(busy.body).toEqual({ faultcode: 'Client', faultstring: 'Agent is busy: executing command prepare_image' });
    const progress = await waitFor('progress', async () => {
      const r = (await client.request('GET', `/v1/commands/${started.body.id}?agent_token=${client.token}`)).body;
      return r.command_status === 'RUNNING' && r.command_result?.progress?.bytes_written > 0 ? r.command_result.progress : null;
    });
    expect(progress).toMatchObject({ device: diskA, total_bytes: image.length, phase: 'download' });
    const done = await client.finished(started.body.id);
    expect(done.command_status).toBe('SUCCEEDED');
    expect(done.command_result.result).toMatch(/^prepare_image: image \(slow\) written/);
  });

  it('fails a checksum mismatch with algorithm, expected and actual digest, and leaves the disk blank', async () => {
    const corrupt = Buffer.from(image);
    corrupt.writeUInt8(corrupt.readUInt8(5 * MIB) ^ 0xff, 5 * MIB);
    const actual = createHash('sha256').update(corrupt).digest('hex');
    const started = await client.run('deploy.execute_deploy_step', writeImageParams(info({ id: 'corrupt', urls: [origin.route('/corrupt.raw', { file: join(dir, 'disk.raw'), replaceWith: corrupt })] })), false);
    const done = await client.finished(started.body.id);
    expect(done.command_status).toBe('FAILED');
    expect(done.command_error).toMatchObject({ type: 'ImageChecksumError', code: 500, message: 'Error verifying image checksum' });
    expect(done.command_error.details).toContain('algorithm: sha256');
    expect(done.command_error.details).toContain(`image checksum: ${imageSha}`);
    expect(done.command_error.details).toContain(`verification checksum: ${actual}`);
    expect(readBytes(diskA, 0, MIB).equals(Buffer.alloc(MIB))).toBe(true);
  });

  it('converts a qcow2 image onto the disk the root device hints name', async () => {
    const qsha = createHash('sha512').update(readFileSync(join(dir, 'disk.qcow2'))).digest('hex');
    const params = writeImageParams(info({ id: 'disk.qcow2', urls: [origin.route('/disk.qcow2', { file: join(dir, 'disk.qcow2') })], disk_format: 'qcow2', os_hash_algo: undefined, os_hash_value: undefined, checksum: qsha }));
    // Both hints must hold: the name (without /dev/, as users write it) and a size in GiB with an operator.
    params.node.instance_info = { root_device: { size: '<= 1', name: diskB.replace('/dev/', '') } } as never;
    const started = await client.run('deploy.execute_deploy_step', params, false);
    const done = await client.finished(started.body.id);
    expect(done.command_error).toBeNull();
    expect(done.command_result.deploy_result.result).toContain(`written to device ${diskB}`);
    expect(readBytes(diskB, 0, image.length).equals(image)).toBe(true);
    const none = writeImageParams(info());
    none.node.instance_info = { root_device: { serial: 'no-such-serial' } } as never;
    const failed = await client.finished((await client.run('deploy.execute_deploy_step', none, false)).body.id);
    expect(failed.command_error).toMatchObject({ type: 'DeviceNotFound' });
    expect(failed.command_error.details).toMatch(/no-such-serial/);
  });

  it('looks at an undeclared image itself: raw data streams, a qcow2 is converted', async () => {
    const qcowUrl = origin.route('/undeclared.qcow2', { file: join(dir, 'disk.qcow2') });
    const qsha = createHash('sha256').update(readFileSync(join(dir, 'disk.qcow2'))).digest('hex');
    for (const [what, over] of [
      ['raw', { disk_format: null }],
      ['qcow2', { id: 'undeclared.qcow2', urls: [qcowUrl], disk_format: null, os_hash_value: qsha }],
    ] as const) {
      writeFileSync(diskA, Buffer.alloc(image.length));
      const done = await client.finished((await client.run('deploy.execute_deploy_step', writeImageParams(info(over)), false)).body.id);
      expect(done.command_error, what).toBeNull();
      expect(readBytes(diskA, 0, image.length).equals(image), what).toBe(true);
    }
    // The qcow2 went through its head read and then the download for conversion; raw streamed in one GET.
    expect(origin.count('GET', '/undeclared.qcow2')).toBe(2);
  });

  it('writes a config drive into a new partition at the end of the disk', async () => {
    const isoDir = join(dir, 'cd');
    execFileSync('mkdir', ['-p', join(isoDir, 'openstack/latest')]);
    writeFileSync(join(isoDir, 'openstack/latest/meta_data.json'), JSON.stringify({ uuid: nodeUuid }));
    execFileSync('genisoimage', ['-quiet', '-o', join(dir, 'cd.iso'), '-V', 'config-2', '-r', '-J', isoDir]);
    const iso = readFileSync(join(dir, 'cd.iso'));
    const done = await client.finished((await client.run('deploy.execute_deploy_step', writeImageParams(info({ id: 'with-cd' }), { configdrive: gzipSync(iso).toString('base64') }), false)).body.id);
    expect(done.command_error).toBeNull();
    const table = execFileSync('sfdisk', ['--json', diskA], { encoding: 'utf8' });
    const parts = JSON.parse(table).partitiontable.partitions as { start: number; size: number; name?: string }[];
    expect(parts).toHaveLength(2);
    const cd = parts[1]!;
    expect(cd.name).toBe('config-2');
    expect((cd.start + cd.size) * 512).toBeGreaterThan(48 * MIB - 2 * MIB);
    expect(readBytes(diskA, cd.start * 512, iso.length).equals(iso)).toBe(true);
  });

  it('adds the config drive to an MBR disk with sfdisk', async () => {
    const mbrPath = join(dir, 'mbr.raw');
    writeFileSync(mbrPath, Buffer.alloc(8 * MIB, 0x33));
    execFileSync('sfdisk', [mbrPath], { input: 'label: dos\nstart=2048, size=8192, type=83\n', stdio: ['pipe', 'ignore', 'ignore'] });
    const mbr = readFileSync(mbrPath);
    const iso = Buffer.alloc(64 * 1024, 0x44);
    const done = await client.finished((await client.run('standby.prepare_image', {
      image_info: info({ id: 'mbr', urls: [origin.route('/mbr.raw', { file: mbrPath })], os_hash_value: createHash('sha256').update(mbr).digest('hex') }),
      configdrive: gzipSync(iso).toString('base64'),
    }, false)).body.id);
    expect(done.command_error).toBeNull();
    const parts = JSON.parse(execFileSync('sfdisk', ['--json', diskA], { encoding: 'utf8' })).partitiontable;
    expect(parts.label).toBe('dos');
    expect(parts.partitions).toHaveLength(2);
    expect(readBytes(diskA, parts.partitions[1].start * 512, iso.length).equals(iso)).toBe(true);
    // The image's own partition is untouched, and the root uuid is the MBR signature.
    expect(readBytes(diskA, 2048 * 512, MIB).equals(mbr.subarray(2048 * 512, 2048 * 512 + MIB))).toBe(true);
    expect((await client.run('standby.get_partition_uuids', {})).body.command_result['root uuid']).toBe(`0x${mbr.readUInt32LE(440).toString(16).padStart(8, '0')}`);
  });

  it('refuses an unpartitioned raw image and a qcow2 with a backing file', async () => {
    const junk = Buffer.alloc(4 * MIB, 0x77);
    writeFileSync(join(dir, 'junk.raw'), junk);
    const j = await client.finished((await client.run('deploy.execute_deploy_step', writeImageParams(info({
      id: 'junk', urls: [origin.route('/junk.raw', { file: join(dir, 'junk.raw') })], os_hash_value: createHash('sha256').update(junk).digest('hex'),
    })), false)).body.id);
    expect(j.command_error).toMatchObject({ type: 'DeploymentError' });
    expect(j.command_error.details).toBe(`No partitions found on the device ${diskA} after writing the image.`);
    expect(readBytes(diskA, 0, MIB).equals(Buffer.alloc(MIB))).toBe(true);
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', join(dir, 'disk.raw'), '-F', 'raw', join(dir, 'top.qcow2')]);
    const top = readFileSync(join(dir, 'top.qcow2'));
    const b = await client.finished((await client.run('deploy.execute_deploy_step', writeImageParams(info({
      id: 'top', urls: [origin.route('/top.qcow2', { file: join(dir, 'top.qcow2') })], disk_format: 'qcow2', os_hash_value: createHash('sha256').update(top).digest('hex'),
    })), false)).body.id);
    expect(b.command_error).toMatchObject({ type: 'DeploymentError' });
    expect(b.command_error.details).toMatch(/backing file/);
  });

  it('waits for a command with GET ?wait=true and refuses an image_info it cannot verify', async () => {
    const started = await client.run('standby.sync', {}, false);
    const waited = await client.request('GET', `/v1/commands/${started.body.id}?wait=true&agent_token=${client.token}`);
    expect(waited.body).toMatchObject({ id: started.body.id, command_name: 'sync', command_status: 'SUCCEEDED', command_result: null });
    const noChecksum = await client.run('standby.prepare_image', { image_info: { id: 'x', urls: [imageUrl] } });
    expect(noChecksum.status).toBe(400);
    expect(noChecksum.body.faultstring).toMatch(/^Invalid command parameters: Image checksum is not available/);
    expect((await client.request('GET', `/v1/commands/nosuch?agent_token=${client.token}`)).status).toBe(404);
  });

  it('erases disk metadata as a clean step', async () => {
    const done = await client.finished((await client.run('clean.execute_clean_step', {
      node: { uuid: nodeUuid }, ports: [], step: { interface: 'deploy', step: 'erase_devices_metadata', priority: 99 }, clean_version: { anvil_hardware_manager: '1.0' },
    }, false)).body.id);
    expect(done).toMatchObject({ command_status: 'SUCCEEDED', command_result: { clean_result: null, clean_step: { step: 'erase_devices_metadata' } } });
    for (const d of [diskA, diskB]) expect(readBytes(d, 0, 2 * MIB).equals(Buffer.alloc(2 * MIB))).toBe(true);
    const mismatch = await client.finished((await client.run('clean.execute_clean_step', {
      node: {}, ports: [], step: { interface: 'deploy', step: 'erase_devices_metadata' }, clean_version: { anvil_hardware_manager: '0.9' },
    }, false)).body.id);
    expect(mismatch).toMatchObject({ command_status: 'CLEAN_VERSION_MISMATCH', command_error: { type: 'VersionMismatch' } });
  });

  it('reports an inventory true to /proc and /sys', async () => {
    const r = await client.run('anvil.get_inventory', {});
    const inv = r.body.command_result;
    expect(inv.cpu.count).toBe(cpus().length);
    expect(inv.cpu.model_name).toBe(cpus()[0]!.model.trim());
    const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]);
    expect(inv.memory.total).toBe(memKb * 1024);
    expect(inv.disks.map((d: { name: string; size: number }) => [d.name, d.size])).toEqual([[diskA, 48 * MIB], [diskB, 80 * MIB]].sort());
    const eth = inv.interfaces.find((i: { name: string }) => i.name !== 'lo');
    expect(readFileSync(`/sys/class/net/${eth.name}/address`, 'utf8').trim()).toBe(eth.mac_address);
    expect(inv.boot).toEqual({ current_boot_mode: (() => { try { readFileSync('/sys/firmware/efi/runtime'); return 'uefi'; } catch { return 'bios'; } })(), pxe_interface: mac });
  });

  it('collects system logs as a base64 gzipped tar', async () => {
    const r = await client.run('log.collect_system_logs', {});
    expect(r.body.command_status).toBe('SUCCEEDED');
    writeFileSync(join(dir, 'logs.tgz'), Buffer.from(r.body.command_result.system_logs, 'base64'));
    const names = execFileSync('tar', ['tzf', join(dir, 'logs.tgz')], { encoding: 'utf8' }).split('\n');
    expect(names).toEqual(expect.arrayContaining(['anvil-agent.log', 'dmesg.txt', 'inventory.json', 'lsblk.txt']));
    const agentLog = execFileSync('tar', ['xzOf', join(dir, 'logs.tgz'), 'anvil-agent.log'], { encoding: 'utf8' });
    expect(agentLog).toContain('Lookup succeeded');
    expect(agentLog).not.toContain(client.token);
  });

  it('powers off through the configured command', async () => {
    const done = await client.finished((await client.run('standby.power_off', {}, false)).body.id);
    expect(done.command_status).toBe('SUCCEEDED');
    expect(readFileSync(join(dir, 'powered-off'), 'utf8')).toBe('');
  });
});
