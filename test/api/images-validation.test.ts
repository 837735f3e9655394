// Image URLs and checksums as node validation and deploy see them, on both stores: every refusal reaches
// the user as a validate reason naming the field, and a deploy of file:///etc/shadow is a clear 400.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';

const SHA256 = 'ab'.repeat(32);
let base: string;
let images: string;
let macSeq = 0;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'anvil-imgval-'));
  images = join(base, 'images');
  mkdirSync(join(images, 'dir'), { recursive: true });
  mkdirSync(join(base, 'outside'));
  for (const f of ['deploy.kernel', 'deploy.initramfs', 'disk.raw']) writeFileSync(join(images, f), f);
  writeFileSync(join(base, 'outside', 'secret'), 'secret');
  symlinkSync(join(base, 'outside', 'secret'), join(images, 'escape.raw'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe.each(DIALECTS)('image validation on %s', (dialect) => {
  let api: TestApi;
  beforeAll(async () => { api = await startTestApi(dialect, { fileUrlAllowedPaths: [images], allowMd5Checksum: false }); });
  afterAll(async () => { await api?.close(); });

  const goodDriverInfo = () => ({ deploy_kernel: `file://${images}/deploy.kernel`, deploy_ramdisk: `file://${images}/deploy.initramfs` });

  /** A fake-hardware node booting with iPXE and deploying with the agent, with a port, in `available`. */
  async function node(driverInfo: Record<string, unknown>, instanceInfo: Record<string, unknown>): Promise<string> {
    const r = await api.post('/v1/nodes', {
      driver: 'fake-hardware', boot_interface: 'ipxe', deploy_interface: 'direct',
      driver_info: { ...goodDriverInfo(), ...driverInfo }, instance_info: instanceInfo,
    });
    expect(r.status, r.text).toBe(201);
    const mac = `52:54:00:10:00:${(++macSeq).toString(16).padStart(2, '0')}`;
    expect((await api.post('/v1/ports', { address: mac, node_uuid: r.body.uuid })).status).toBe(201);
    const rec = (await api.tables.nodes.findBy('uuid', r.body.uuid))!;
    await api.tables.nodes.update(rec.id, { provisionState: 'available' });
    return r.body.uuid as string;
  }
  const validate = async (uuid: string) => (await api.get(`/v1/nodes/${uuid}/validate`)).body;

  it('accepts file:// images inside the allowed root (no checksum needed) and checksummed http images', async () => {
    for (const info of [{ image_source: `file://${images}/disk.raw` }, { image_source: 'https://images.example.com/disk.qcow2', image_checksum: SHA256, image_disk_format: 'qcow2' }]) {
      const report = await validate(await node({}, info));
      expect(report.boot, JSON.stringify(info)).toEqual({ result: true });
      expect(report.deploy, JSON.stringify(info)).toEqual({ result: true });
    }
  });

  const bootRefusals: [string, Record<string, unknown>, Record<string, unknown>, RegExp][] = [
    ['an ftp deploy kernel', { deploy_kernel: 'ftp://example.com/k' }, {}, /^driver_info\.deploy_kernel: the URL scheme "ftp:" of "ftp:\/\/example\.com\/k" is not supported; give an http:\/\/, https:\/\/ or file:\/\/\/ URL$/],
    ['a bare path', { deploy_kernel: '/srv/deploy.kernel' }, {}, /^driver_info\.deploy_kernel: "\/srv\/deploy\.kernel" is a bare path, not a URL; .*write it as file:\/\/\/srv\/deploy\.kernel$/],
    ['/etc/shadow as ramdisk', { deploy_ramdisk: 'file:///etc/shadow' }, {}, /^driver_info\.deploy_ramdisk: "file:\/\/\/etc\/shadow" is under \/etc, where file:\/\/ images may never come from$/],
    ['a symlink out of the root', { deploy_kernel: 'file://IMAGES/escape.raw' }, {}, /^driver_info\.deploy_kernel: .*escape\.raw resolves to .*\/outside\/secret, outside the directories allowed for file:\/\/ images/],
    ['a `..` escape', { deploy_kernel: 'file://IMAGES/../outside/secret' }, {}, /^driver_info\.deploy_kernel: .*\/outside\/secret is not inside a directory allowed for file:\/\/ images/],
    ['a directory', { deploy_ramdisk: 'file://IMAGES/dir' }, {}, /^driver_info\.deploy_ramdisk: .*\/dir is a directory; a file:\/\/ image must be a regular file$/],
    ['a missing file', { deploy_ramdisk: 'file://IMAGES/nope' }, {}, /^driver_info\.deploy_ramdisk: .*\/nope does not exist$/],
    ['a tftp rescue kernel', { rescue_kernel: 'tftp://10.0.0.1/k' }, {}, /^driver_info\.rescue_kernel: the URL scheme "tftp:"/],
    ['an instance kernel from /boot', {}, { kernel: 'file:///boot/vmlinuz' }, /^instance_info\.kernel: "file:\/\/\/boot\/vmlinuz" is under \/boot/],
  ];
  it.each(bootRefusals)('boot validation refuses %s', async (_label, driverInfo, instanceInfo, reason) => {
    // The table is built before the temporary root exists: IMAGES stands for it.
    const withRoot = Object.fromEntries(Object.entries(driverInfo).map(([k, v]) => [k, String(v).replace('IMAGES', images)]));
    const report = await validate(await node(withRoot, { image_source: `file://${images}/disk.raw`, ...instanceInfo }));
    expect(report.boot.result).toBe(false);
    expect(report.boot.reason).toMatch(reason);
  });

  const http = 'https://images.example.com/disk.qcow2';
  const deployRefusals: [string, Record<string, unknown>, RegExp][] = [
    ['file:///etc/shadow', { image_source: 'file:///etc/shadow' }, /^instance_info\.image_source: "file:\/\/\/etc\/shadow" is under \/etc, where file:\/\/ images may never come from$/],
    ['a device', { image_source: 'file:///dev/zero' }, /is under \/dev/],
    ['an s3 URL', { image_source: 's3://bucket/disk.qcow2' }, /^instance_info\.image_source: the URL scheme "s3:"/],
    ['a Glance UUID', { image_source: '0b2a1c52-2f5c-4f3e-9e0f-0d8f0b1f7a11' }, /^instance_info\.image_source: .* is a bare path, not a URL/],
    ['an http image without checksum', { image_source: http }, /^image_source's "image_checksum", or "image_os_hash_algo" and "image_os_hash_value" must be provided in instance_info for node /],
    ['a checksum that is not hex', { image_source: http, image_checksum: 'xyz' }, /^Image checksum "xyz" is not a hexadecimal digest\.$/],
    ['an MD5 checksum while MD5 is disabled', { image_source: http, image_checksum: 'ab'.repeat(16) }, /^MD5 image checksums are disabled on this service/],
    ['an unknown algorithm', { image_source: http, image_os_hash_algo: 'whirlpool-9000', image_os_hash_value: SHA256 }, /^Unsupported checksum algorithm "whirlpool-9000"/],
    ['a digest of the wrong length', { image_source: http, image_os_hash_algo: 'sha512', image_os_hash_value: SHA256 }, /^image_os_hash_value has 64 hex digits, but sha512 digests have 128\.$/],
    ['a checksum file over ftp', { image_source: http, image_checksum: 'ftp://example.com/SHA256SUMS' }, /^image_checksum: the checksum file URL scheme "ftp:" is not supported/],
    ['a checksum file in /etc', { image_source: http, image_checksum: 'file:///etc/SHA256SUMS' }, /^instance_info\.image_checksum: "file:\/\/\/etc\/SHA256SUMS" is under \/etc/],
    ['an unknown disk format', { image_source: http, image_checksum: SHA256, image_disk_format: 'vdi' }, /^instance_info\.image_disk_format: "vdi" is not a supported disk format; supported: raw, gpt, iso, qcow2, vmdk, vhd, vpc, vhdx$/],
  ];
  it.each(deployRefusals)('deploy validation refuses %s', async (_label, instanceInfo, reason) => {
    const report = await validate(await node({}, instanceInfo));
    expect(report.deploy.result).toBe(false);
    expect(report.deploy.reason).toMatch(reason);
  });

  it('refuses to deploy file:///etc/shadow with a clear 400 and leaves the node as it was', async () => {
    const uuid = await node({}, { image_source: 'file:///etc/shadow' });
    const r = await api.request('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' });
    expect(r.status).toBe(400);
    expect(r.error).toBe(`Failed to validate deploy or power info for node ${uuid}: instance_info.image_source: "file:///etc/shadow" is under /etc, where file:// images may never come from`);
    expect((await api.get(`/v1/nodes/${uuid}`)).body).toMatchObject({ provision_state: 'available', target_provision_state: null, last_error: null });
  });

  it('refuses to deploy with a deploy ramdisk outside the allowed root', async () => {
    const uuid = await node({ deploy_ramdisk: `file://${images}/escape.raw` }, { image_source: `file://${images}/disk.raw` });
    const r = await api.request('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' });
    expect(r.status).toBe(400);
    expect(r.error).toMatch(/^Failed to validate deploy or power info for node .*: driver_info\.deploy_ramdisk: .*escape\.raw resolves to .*, outside the directories allowed/);
  });
});
