// startBootServices end to end without dnsmasq: roots prepared, loaders copied from Debian's packages, the
// boot file listener serving boot.ipxe and, through the MAC symlink, a node's iPXE script and kernel.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loaderView } from '../boot/loader-view.js';
import { ConfigError, loadConfig } from '../common/config.js';
import { setLogSink } from '../common/log.js';
import { openConductorImages, type ConductorImages } from '../images/agent-images.js';
import { testNode, testPort, testTask } from '../drivers/contract/test-node.js';
import { IpxeBoot } from '../drivers/pxe/pxe-interfaces.js';
import { startBootServices, type BootServices } from './boot-environment.js';

setLogSink(() => undefined);
const base = mkdtempSync(join(tmpdir(), 'anvil-bootenv-'));
const config = loadConfig({ env: {}, flags: { stateDir: base, fileUrlAllowedPaths: [join(base, 'images')], agentApiUrl: 'http://192.0.2.1:6385/' } });
let images: ConductorImages;
let boot: BootServices;

beforeAll(async () => {
  mkdirSync(join(base, 'images'));
  writeFileSync(join(base, 'images', 'k'), 'kernel bytes');
  writeFileSync(join(base, 'images', 'r'), 'ramdisk bytes');
  images = await openConductorImages(config);
  boot = await startBootServices(config, images, () => 'http://unused');
});

afterAll(async () => {
  await boot?.close();
  await images?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('startBootServices', () => {
  it('copies the loaders into the TFTP root and serves the HTTP root', async () => {
    for (const f of ['pxelinux.0', 'ldlinux.c32', 'shimx64.efi', 'grubx64.efi', 'undionly.kpxe', 'ipxe.efi', 'snponly.efi', 'grub/grub.cfg']) {
      expect(existsSync(join(base, 'tftpboot', f)), f).toBe(true);
    }
    expect(boot.env.bootFiles.apiUrl).toBe('http://192.0.2.1:6385');
    expect(boot.env.dhcp.name).toBe('dnsmasq');
    const res = await fetch(`${boot.env.bootFiles.httpUrl}/boot.ipxe`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`${boot.env.bootFiles.httpUrl}/pxelinux.cfg/\${mac:hexhyp}`);
    expect((await fetch(`${boot.env.bootFiles.httpUrl}/../anvil.db`)).status).toBe(404);
    expect((await fetch(`${boot.env.bootFiles.httpUrl}/boot.ipxe`, { method: 'POST' })).status).toBe(405);
  });

  it('an iPXE node is served its script through the MAC link and its kernel from the cache; forget removes it', async () => {
    const node = testNode({ driverInfo: { deploy_kernel: pathToFileURL(join(base, 'images', 'k')).href, deploy_ramdisk: pathToFileURL(join(base, 'images', 'r')).href } });
    const mac = '52:54:00:12:34:56';
    const task = testTask({ node, ports: [testPort(node.uuid, mac)], boot: IpxeBoot, env: boot.env });
    await IpxeBoot.prepareRamdisk(task, 'deploy');
    const script = await (await fetch(`${boot.env.bootFiles.httpUrl}/pxelinux.cfg/52-54-00-12-34-56`)).text();
    const view = loaderView('ipxe', script, mac);
    if (view.kind !== 'ramdisk') throw new Error('no ramdisk script');
    expect(view.commandLine).toContain('ipa-api-url=http://192.0.2.1:6385 ');
    expect(await (await fetch(view.kernel)).text()).toBe('kernel bytes');
    expect(await (await fetch(view.initrd)).text()).toBe('ramdisk bytes');
    await boot.forget({ nodeUuid: node.uuid, macs: [mac] });
    expect((await fetch(`${boot.env.bootFiles.httpUrl}/pxelinux.cfg/52-54-00-12-34-56`)).status).toBe(404);
    expect((await fetch(view.kernel)).status).toBe(404);
  });

  it('refuses an unknown DHCP provider and dnsmasq without a range', async () => {
    const bad = (flags: Record<string, unknown>) => startBootServices(loadConfig({ env: {}, flags: { stateDir: base, ...flags } }), images, () => '');
    expect(() => loadConfig({ env: {}, flags: { dhcpProvider: 'neutron' } })).toThrow(ConfigError);
    await expect(bad({ dnsmasqInterface: 'eth9', dnsmasqDhcpRange: '10.0.0.2,10.0.0.9', dhcpProvider: 'none' })).rejects.toBeInstanceOf(ConfigError);
    await expect(bad({ dnsmasqInterface: 'eth9' })).rejects.toThrow(/dnsmasqDhcpRange is required/);
  });
});
