// PxeBoot and IpxeBoot against real files: temporary TFTP/HTTP roots with Debian's loaders copied in, a real
// image cache placing file:// kernels and ramdisks, and the dnsmasq provider writing its host/option files.
// "What a machine would get" is read back as its firmware would: DHCP host + option files, then the config
// under the MAC name its loader asks for, as that loader reads it (src/boot/loader-view.ts).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync, readdirSync, lstatSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loaderView, type LoaderStyle } from '../../boot/loader-view.js';
import { grubMacName, hyphenatedMac, pxelinuxMacName } from '../../boot/mac-names.js';
import { loadConfig, type Config } from '../../common/config.js';
import { PxeBootFailureError } from '../../common/errors.js';
import { setLogSink } from '../../common/log.js';
import type { NodeRecord } from '../../db/records.js';
import { ImageCache } from '../../images/cache.js';
import { placeCachedImage } from '../../images/place-image.js';
import { bootContract, type BootTaskOptions } from '../contract/boot.contract.js';
import { testNode, testPort, testTask } from '../contract/test-node.js';
import { DnsmasqDhcp } from '../dhcp/dnsmasq-provider.js';
import { fakeMachine } from '../fake/fake-interfaces.js';
import type { BootInterface, DriverEnvironment, DriverTask } from '../interfaces.js';
import { forgetBootFiles } from './boot-layout.js';
import { installLoaders } from './loaders.js';
import { IpxeBoot, PxeBoot } from './pxe-interfaces.js';

setLogSink(() => undefined);

const base = mkdtempSync(join(tmpdir(), 'anvil-pxe-'));
const images = join(base, 'images');
const tftpRoot = join(base, 'tftp');
const httpRoot = join(base, 'http');
const API = 'http://10.98.0.1:6385';
const HTTP = 'http://10.98.0.1:8088';
let cache: ImageCache;
const dhcp = new DnsmasqDhcp(join(base, 'dhcp'));

function image(name: string, text: string): string {
  const path = join(images, name);
  writeFileSync(path, text);
  return pathToFileURL(path).href;
}

function env(overrides: Record<string, unknown> = {}): DriverEnvironment {
  const config: Config = loadConfig({ env: {}, flags: { stateDir: base, fileUrlAllowedPaths: [images], ...overrides } });
  return {
    config, dhcp,
    bootFiles: { tftpRoot, httpRoot, httpUrl: HTTP, apiUrl: API, placeImage: (url, dest) => placeCachedImage(cache, url, dest) },
  };
}

let urls: Record<string, string>;

beforeAll(async () => {
  for (const d of [images]) rmSync(d, { recursive: true, force: true });
  (await import('node:fs')).mkdirSync(images, { recursive: true });
  urls = {
    deploy_kernel: image('vmlinuz', 'deploy kernel bytes'), deploy_ramdisk: image('initrd', 'deploy ramdisk bytes'),
    rescue_kernel: image('rescue-vmlinuz', 'rescue kernel bytes'), rescue_ramdisk: image('rescue-initrd', 'rescue ramdisk bytes'),
  };
  const { missing } = await installLoaders(tftpRoot);
  // The loaders come from Debian packages scripts/install-deps.sh installs: a missing one is a broken machine.
  expect(missing).toEqual([]);
  cache = await ImageCache.open({
    root: join(base, 'cache'), maxBytes: 0, ttlS: 0,
    download: { connectTimeoutMs: 2000, readTimeoutMs: 2000, retries: 0, backoffMs: 10, insecure: false, progressIntervalMs: 0 },
    fileRoots: { fileUrlAllowedPaths: [images] }, checksumPolicy: { allowMd5: true }, maxVirtualSize: 2 ** 40, forceRaw: false,
  });
});

afterAll(async () => {
  await cache?.close();
  rmSync(base, { recursive: true, force: true });
});

function makeTask(boot: BootInterface, opts: BootTaskOptions & { env?: DriverEnvironment; node?: Partial<NodeRecord> } = {}): DriverTask {
  const driverInfo: Record<string, unknown> = opts.noDeployImages ? {} : { deploy_kernel: urls.deploy_kernel, deploy_ramdisk: urls.deploy_ramdisk };
  if (opts.rescueImages) Object.assign(driverInfo, { rescue_kernel: urls.rescue_kernel, rescue_ramdisk: urls.rescue_ramdisk });
  const node = opts.sameNodeAs?.node ?? testNode({
    driver: 'ipmi', driverInfo, properties: opts.bootMode ? { capabilities: `boot_mode:${opts.bootMode}` } : {}, ...opts.node,
  });
  const ports = [...(opts.macs ?? ['52:54:00:10:00:01']).map((m) => testPort(node.uuid, m)),
    ...(opts.otherMacs ?? []).map((m) => testPort(node.uuid, m, { pxeEnabled: false }))];
  return testTask({ node, ports, boot, env: opts.env ?? env(), requestId: 'req-0c3f4a52-8d1e-4b6f-9f0e-1a2b3c4d5e6f' });
}

const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : null);

/** The file behind a path or URL a loader was given. */
function served(style: LoaderStyle, ref: string): string {
  return style === 'ipxe' ? join(httpRoot, ref.slice(HTTP.length)) : join(tftpRoot, ref);
}

/** What a machine booting from `mac` gets: DHCP, then the loader's config, checked down to the files it loads. */
function answer(kind: 'pxe' | 'ipxe', mac: string): { bootMode: 'uefi' | 'bios'; commandLine: string } | null {
  const host = read(join(dhcp.hostsDir, hyphenatedMac(mac)));
  if (host === null) return null;
  // The host line names the node and the generation of its answers; the node's option file must hold them.
  const m = /set:anvil-([0-9a-f-]{36})-(\w+)/.exec(host);
  if (!m) return null;
  const opts = read(join(dhcp.optsDir, m[1]!));
  if (opts === null || !opts.includes(`tag:anvil-${m[1]}-${m[2]},`)) return null;
  const bootMode = opts.includes('tag:!anvil-efi') ? 'bios' : 'uefi';
  const bootFile = /tag:!?anvil-efi,option:bootfile-name,(\S+)/.exec(opts)?.[1];
  expect(bootFile && existsSync(join(tftpRoot, bootFile)), `loader ${bootFile} in the TFTP root`).toBe(true);
  let style: LoaderStyle;
  let text: string | null;
  if (kind === 'ipxe') {
    style = 'ipxe';
    expect(opts).toContain(`tag:anvil-ipxe,option:bootfile-name,${HTTP}/boot.ipxe`);
    const chain = loaderView('ipxe', read(join(httpRoot, 'boot.ipxe'))!, mac);
    expect(chain.kind).toBe('chain');
    text = chain.kind === 'chain' ? read(served('ipxe', chain.urls[0]!)) : null;
  } else if (bootMode === 'bios') {
    style = 'pxelinux';
    text = read(join(tftpRoot, 'pxelinux.cfg', pxelinuxMacName(mac)));
  } else {
    style = 'grub';
    text = read(join(tftpRoot, grubMacName(mac)));
    expect(read(join(tftpRoot, 'grub', grubMacName(mac)))).toBe(text);
  }
  expect(text, `config for ${mac} while DHCP answers it`).not.toBeNull();
  const view = loaderView(style, text!, mac);
  if (view.kind !== 'ramdisk') throw new Error(`${mac}: expected a ramdisk config, got ${view.kind}`);
  const kernel = served(style, view.kernel.replace(/^\//, ''));
  const initrd = served(style, view.initrd.replace(/^\//, ''));
  expect(readFileSync(kernel, 'utf8')).toMatch(/kernel bytes$/);
  expect(readFileSync(initrd, 'utf8')).toMatch(/ramdisk bytes$/);
  return { bootMode, commandLine: view.commandLine };
}

for (const [label, impl, kind] of [['PxeBoot', PxeBoot, 'pxe'], ['IpxeBoot', IpxeBoot, 'ipxe']] as const) {
  bootContract(label, impl, {
    task: (opts) => makeTask(impl, opts),
    answer: (_task, mac) => answer(kind, mac),
    bootDevice: (task) => {
      const m = fakeMachine(task.node.uuid);
      return { device: m.bootDevice, persistent: m.bootDevice === null ? null : m.persistent };
    },
    apiUrl: API,
    get config() {
      return env().config;
    },
  });
}

/** The files and links under both roots that belong to `task` (the contract cases above leave theirs). */
function nodeFiles(task: DriverTask): string[] {
  const marks = [task.node.uuid, ...task.ports.map((p) => hyphenatedMac(p.address))];
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (lstatSync(path).isDirectory()) walk(path, `${rel}${name}/`);
      else out.push(`${rel}${name}`);
    }
  };
  walk(tftpRoot, 'tftp/');
  walk(httpRoot, 'http/');
  const shared = new Set(['tftp/grub/grub.cfg', 'http/boot.ipxe', 'tftp/pxelinux.0', 'tftp/ldlinux.c32', 'tftp/shimx64.efi', 'tftp/grubx64.efi',
    'tftp/undionly.kpxe', 'tftp/ipxe.efi', 'tftp/snponly.efi']);
  return out.filter((f) => !shared.has(f) && marks.some((m) => f.includes(m))).sort();
}

describe('network boot files', () => {
  it('uses the names Ironic uses (compat §10.5) and hard-links the cached kernel and ramdisk', async () => {
    const mac = '52:54:00:aa:bb:01';
    const bios = makeTask(PxeBoot, { bootMode: 'bios', macs: [mac] });
    await PxeBoot.prepareRamdisk(bios, 'deploy');
    const u = bios.node.uuid;
    expect(nodeFiles(bios)).toEqual([`tftp/${u}/config`, `tftp/${u}/deploy_kernel`, `tftp/${u}/deploy_ramdisk`, 'tftp/pxelinux.cfg/01-52-54-00-aa-bb-01']);
    expect(statSync(join(tftpRoot, u, 'deploy_kernel')).nlink).toBeGreaterThanOrEqual(2);
    await PxeBoot.cleanUpRamdisk(bios);

    const uefi = makeTask(PxeBoot, { bootMode: 'uefi', macs: [mac] });
    await PxeBoot.prepareRamdisk(uefi, 'deploy');
    const v = uefi.node.uuid;
    expect(nodeFiles(uefi)).toEqual([`tftp/${v}/config`, `tftp/${v}/deploy_kernel`, `tftp/${v}/deploy_ramdisk`,
      'tftp/grub.cfg-01-52-54-00-aa-bb-01', 'tftp/grub/grub.cfg-01-52-54-00-aa-bb-01']);
    await PxeBoot.cleanUpRamdisk(uefi);

    const ipxe = makeTask(IpxeBoot, { macs: [mac], rescueImages: true });
    await IpxeBoot.prepareRamdisk(ipxe, 'rescue');
    const w = ipxe.node.uuid;
    expect(nodeFiles(ipxe)).toEqual([`http/${w}/config`, `http/${w}/rescue_kernel`, `http/${w}/rescue_ramdisk`, 'http/pxelinux.cfg/52-54-00-aa-bb-01']);
    const script = readFileSync(join(httpRoot, w, 'config'), 'utf8');
    expect(script).toContain(`kernel ${HTTP}/${w}/rescue_kernel initrd=rescue_ramdisk `);
    expect(script).toContain('ipa-global-request-id=req-0c3f4a52-8d1e-4b6f-9f0e-1a2b3c4d5e6f');
    await IpxeBoot.cleanUpInstance(ipxe);
    expect(nodeFiles(ipxe)).toEqual([]);
  });

  it('puts driver_info kernel_append_params (or the setting) on the command line', async () => {
    const mac = '52:54:00:aa:bb:02';
    const task = makeTask(IpxeBoot, { macs: [mac], env: env({ kernelAppendParams: 'console=ttyS0' }) });
    await IpxeBoot.prepareRamdisk(task, 'deploy');
    expect(answer('ipxe', mac)!.commandLine).toMatch(/^initrd=deploy_ramdisk console=ttyS0 ipa-api-url=/);
    const own = makeTask(IpxeBoot, { macs: [mac], node: { driverInfo: { deploy_kernel: urls.deploy_kernel, deploy_ramdisk: urls.deploy_ramdisk, kernel_append_params: '%default% ipa-insecure=1' } }, env: env({ kernelAppendParams: 'console=ttyS0' }) });
    await IpxeBoot.prepareRamdisk(own, 'deploy');
    expect(answer('ipxe', mac)!.commandLine).toMatch(/^initrd=deploy_ramdisk console=ttyS0 ipa-insecure=1 ipa-api-url=/);
    await IpxeBoot.cleanUpRamdisk(task);
    await IpxeBoot.cleanUpRamdisk(own);
  });

  it('refreshes a placed ramdisk when its file:// source changes (mtime), at the next prepare', async () => {
    const kernel = image('fresh-kernel', 'old kernel bytes');
    const mac = '52:54:00:aa:bb:03';
    const task = makeTask(PxeBoot, { bootMode: 'bios', macs: [mac], node: { driverInfo: { deploy_kernel: kernel, deploy_ramdisk: urls.deploy_ramdisk } } });
    await PxeBoot.prepareRamdisk(task, 'deploy');
    const placed = join(tftpRoot, task.node.uuid, 'deploy_kernel');
    expect(readFileSync(placed, 'utf8')).toBe('old kernel bytes');
    writeFileSync(join(images, 'fresh-kernel'), 'new kernel bytes');
    const later = new Date(Date.now() + 5000);
    utimesSync(join(images, 'fresh-kernel'), later, later);
    await PxeBoot.prepareRamdisk(task, 'deploy');
    expect(readFileSync(placed, 'utf8')).toBe('new kernel bytes');
    await PxeBoot.cleanUpRamdisk(task);
  });

  it('with networkBootLocalDisk the MACs keep a config that boots the disk', async () => {
    const mac = '52:54:00:aa:bb:04';
    const task = makeTask(PxeBoot, { bootMode: 'bios', macs: [mac], env: env({ networkBootLocalDisk: true }) });
    await PxeBoot.prepareRamdisk(task, 'deploy');
    await PxeBoot.prepareInstance(task);
    expect(loaderView('pxelinux', readFileSync(join(tftpRoot, 'pxelinux.cfg', pxelinuxMacName(mac)), 'utf8'), mac)).toEqual({ kind: 'local' });
    expect(existsSync(join(tftpRoot, task.node.uuid, 'deploy_kernel'))).toBe(false);
    expect(read(join(dhcp.hostsDir, hyphenatedMac(mac)))).toContain(task.node.uuid);
    expect(fakeMachine(task.node.uuid)).toMatchObject({ bootDevice: 'disk', persistent: true });
    await PxeBoot.cleanUpInstance(task);
    expect(nodeFiles(task)).toEqual([]);
    expect(read(join(dhcp.hostsDir, hyphenatedMac(mac)))).not.toContain(task.node.uuid);
    expect(answer('pxe', mac)).toBeNull();
  });

  it('forgetBootFiles drops a deleted port\'s MAC everywhere and keeps the node\'s other MACs', async () => {
    const [gone, kept] = ['52:54:00:aa:bb:05', '52:54:00:aa:bb:06'];
    const task = makeTask(IpxeBoot, { macs: [gone, kept] });
    await IpxeBoot.prepareRamdisk(task, 'deploy');
    await forgetBootFiles({ tftpRoot, httpRoot, dhcp }, { macs: [gone] });
    expect(answer('ipxe', gone)).toBeNull();
    expect(existsSync(join(httpRoot, 'pxelinux.cfg', hyphenatedMac(gone)))).toBe(false);
    expect(answer('ipxe', kept)).not.toBeNull();
    await forgetBootFiles({ tftpRoot, httpRoot, dhcp }, { nodeUuid: task.node.uuid, macs: [kept] });
    expect(answer('ipxe', kept)).toBeNull();
    expect(nodeFiles(task)).toEqual([]);
  });

  it('a missing loader fails with the Debian package to install', async () => {
    const empty = join(base, 'empty-tftp');
    const task = makeTask(PxeBoot, { bootMode: 'uefi', env: { ...env(), bootFiles: { ...env().bootFiles, tftpRoot: empty } } });
    const err = await PxeBoot.prepareRamdisk(task, 'deploy').then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(PxeBootFailureError);
    expect((err as Error).message).toMatch(/shimx64\.efi .*install the Debian package shim-signed/);
  });
});
