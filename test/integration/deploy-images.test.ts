// Agent-based deploys with the image served by the conductor (image_download_source "local"), against a real
// loopback HTTP origin: the image is cached once for all nodes, rechecked with one HEAD, recorded on the node
// with its progress, and refused with a clear last_error when its checksum or its format is wrong.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { ImageOrigin } from '../support/image-origin.js';

describe.each(DIALECTS)('deploys with locally served images on %s', (dialect) => {
  let api: TestApi;
  let origin: ImageOrigin;
  let dir: string;
  let rawUrl: string;
  let rawSha: string;
  let mac = 0x10;

  beforeAll(async () => {
    api = await startTestApi(dialect, { imageDownloadSource: 'local', powerStateSyncInterval: 0 }, { images: true });
    origin = await ImageOrigin.start();
    dir = mkdtempSync(join(tmpdir(), 'anvil-deploy-img-'));
    const raw = Buffer.alloc(3 * 1024 * 1024, 7);
    writeFileSync(join(dir, 'disk.raw'), raw);
    rawSha = createHash('sha256').update(raw).digest('hex');
    rawUrl = origin.route('/disk.raw', { file: join(dir, 'disk.raw') });
    writeFileSync(join(dir, 'base.raw'), Buffer.alloc(1024 * 1024));
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', join(dir, 'base.raw'), '-F', 'raw', join(dir, 'top.qcow2')]);
    origin.route('/top.qcow2', { file: join(dir, 'top.qcow2') });
  });
  afterAll(async () => {
    await api?.close();
    await origin?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function deploy(instanceInfo: Record<string, unknown>) {
    const { body } = await api.post('/v1/nodes', { driver: 'fake-hardware', deploy_interface: 'direct', instance_info: instanceInfo });
    await api.post('/v1/ports', { address: `52:54:00:ee:00:${(mac++).toString(16).padStart(2, '0')}`, node_uuid: body.uuid });
    const rec = (await api.tables.nodes.findBy('uuid', body.uuid))!;
    await api.tables.nodes.update(rec.id, { provisionState: 'available' });
    const r = await api.request('PUT', `/v1/nodes/${body.uuid}/states/provision`, { target: 'active' });
    expect(r.status, r.error).toBe(202);
    await api.work.idle();
    return (await api.get(`/v1/nodes/${body.uuid}`)).body;
  }

  it('caches the image once, hands the agent a signed local URL and records progress', async () => {
    const first = await deploy({ image_source: rawUrl, image_checksum: rawSha });
    expect(first).toMatchObject({ provision_state: 'wait call-back', last_error: null });
    expect(first.instance_info.image_url).toBe('******');
    const stored = (await api.tables.nodes.findBy('uuid', first.uuid))!;
    expect(String(stored.instanceInfo.image_url)).toMatch(new RegExp(`/images/${first.uuid}/.+sig=`));
    expect(stored.driverInternalInfo.agent_image).toMatchObject({ source: 'local', checksum: { algorithm: 'sha256', digest: rawSha }, size: 3 * 1024 * 1024 });
    expect(stored.driverInternalInfo.image_download_progress).toMatchObject({ bytes_done: 3 * 1024 * 1024 });
    const served = await fetch(String(stored.instanceInfo.image_url));
    expect(served.status).toBe(200);
    expect(createHash('sha256').update(Buffer.from(await served.arrayBuffer())).digest('hex')).toBe(rawSha);
    expect(origin.count('GET', '/disk.raw')).toBe(1);

    const headsBefore = origin.count('HEAD', '/disk.raw');
    const second = await deploy({ image_source: rawUrl, image_checksum: rawSha });
    expect(second.provision_state).toBe('wait call-back');
    expect(origin.count('GET', '/disk.raw')).toBe(1);
    expect(origin.count('HEAD', '/disk.raw')).toBe(headsBefore + 1);
  });

  it('fails the deploy with the algorithm and both digests when the checksum is wrong', async () => {
    const wrong = 'f'.repeat(64);
    const node = await deploy({ image_source: rawUrl, image_checksum: wrong });
    expect(node.provision_state).toBe('deploy failed');
    expect(node.last_error).toContain('sha256');
    expect(node.last_error).toContain(wrong);
    expect(node.last_error).toContain(rawSha);
  });

  it('refuses a qcow2 image with a backing file', async () => {
    const node = await deploy({ image_source: origin.route('/top.qcow2', { file: join(dir, 'top.qcow2') }), image_os_hash_algo: 'sha256',
      image_os_hash_value: createHash('sha256').update(execFileSync('cat', [join(dir, 'top.qcow2')])).digest('hex') });
    expect(node.provision_state).toBe('deploy failed');
    expect(node.last_error).toMatch(/backing file/);
  });

  it('refuses file:///etc/shadow before anything starts', async () => {
    const { body } = await api.post('/v1/nodes', { driver: 'fake-hardware', deploy_interface: 'direct', instance_info: { image_source: 'file:///etc/shadow' } });
    await api.post('/v1/ports', { address: '52:54:00:ee:01:01', node_uuid: body.uuid });
    const rec = (await api.tables.nodes.findBy('uuid', body.uuid))!;
    await api.tables.nodes.update(rec.id, { provisionState: 'available' });
    const r = await api.request('PUT', `/v1/nodes/${body.uuid}/states/provision`, { target: 'active' });
    expect(r.status).toBe(400);
    expect(r.error).toMatch(/etc\/shadow|not allowed|allowed/);
    expect((await api.get(`/v1/nodes/${body.uuid}`)).body.provision_state).toBe('available');
  });
});
