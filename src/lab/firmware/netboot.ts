// The firmware's network boot, as a PXE ROM and the loaders it downloads would do it: DHCP, then by the
// boot file offered — an iPXE binary (DHCP again as iPXE, then its script over HTTP or TFTP), PXELINUX
// (pxelinux.cfg/01-<mac> over TFTP) or GRUB (grub.cfg-01-<mac>) — or an http:// script URL straight away
// when the ROM itself is iPXE. Ends in the kernel, initrds and command line to start, or in "boot the disk".
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { pxeMacName, type BootTarget, type Fetcher, type LoadedFile } from './boot-target.js';
import type { DhcpLease } from './dhcp.js';
import { grubPathToUrl, readGrubConfig } from './grub-config.js';
import { runIpxe } from './ipxe-script.js';
import { readPxelinuxConfig } from './pxelinux-config.js';

export interface NetbootEnv {
  readonly mac: string;
  readonly platform: 'pcbios' | 'efi';
  /** The ROM is iPXE itself (as QEMU's NIC ROMs are): it asks DHCP with user class iPXE from the start. */
  readonly ipxeRom: boolean;
  readonly dhcp: (ipxe: boolean) => Promise<DhcpLease>;
  readonly fetch: Fetcher;
  readonly log: (line: string) => void;
}

export interface NetbootResult {
  readonly target: BootTarget;
  readonly leases: DhcpLease[];
  /** Every file the chain fetched, in order: loader, configs, kernel, initrds. */
  readonly fetched: LoadedFile[];
  /** First KiB of each fetched file by URL: enough to tell a kernel or an initramfs from anything else. */
  readonly heads: ReadonlyMap<string, Buffer>;
}

const isUrl = (s: string) => /^[a-z]+:\/\//i.test(s);
const IPXE_LOADER = /(ipxe|\.kpxe|snponly|\.pxe)(\.efi)?$/i;
const PXELINUX_LOADER = /pxelinux\.0$/i;
const GRUB_LOADER = /(grub[^/]*\.efi|shim[^/]*\.efi|bootx64\.efi)$/i;

function describe(url: string, bytes: Buffer): LoadedFile {
  return { url, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function tftpUrl(server: string, path: string): string {
  return `tftp://${server}/${path.replace(/^\/+/, '')}`;
}

export async function netboot(env: NetbootEnv): Promise<NetbootResult> {
  const leases: DhcpLease[] = [];
  const fetched: LoadedFile[] = [];
  const heads = new Map<string, Buffer>();
  const fetch: Fetcher = async (url) => {
    const bytes = await env.fetch(url);
    fetched.push(describe(url, bytes));
    heads.set(url, Buffer.from(bytes.subarray(0, 1024)));
    return bytes;
  };
  const done = (target: BootTarget): NetbootResult => ({ target, leases, fetched, heads });

  const lease = await env.dhcp(env.ipxeRom);
  leases.push(lease);
  env.log(`dhcp: ${lease.ip}/${lease.mask} from ${lease.server}, boot file ${JSON.stringify(lease.bootFile)}`);
  if (!lease.bootFile) return done({ kind: 'failed', reason: 'the DHCP answer names no boot file' });
  const server = lease.tftpServer || lease.server;
  const ipxeEnv = (l: DhcpLease) => ({ mac: env.mac, ip: l.ip, netmask: String(l.mask), nextServer: server, filename: l.bootFile, platform: env.platform });
  if (isUrl(lease.bootFile)) return done(await runIpxe(lease.bootFile, ipxeEnv(lease), fetch, env.log));

  const loaderUrl = tftpUrl(server, lease.bootFile);
  try {
    await fetch(loaderUrl);
  } catch (err) {
    return done({ kind: 'failed', reason: `TFTP ${loaderUrl}: ${(err as Error).message}` });
  }
  env.log(`tftp: loaded ${lease.bootFile}`);
  const loaderDir = posix.dirname(lease.bootFile.replace(/^\/+/, ''));
  const relative = (name: string) => (loaderDir === '.' ? name : `${loaderDir}/${name}`);

  if (IPXE_LOADER.test(lease.bootFile)) {
    // iPXE starts and asks DHCP again, now as iPXE; the answer names its script.
    const second = await env.dhcp(true);
    leases.push(second);
    env.log(`dhcp (iPXE): boot file ${JSON.stringify(second.bootFile)}`);
    if (!second.bootFile) return done({ kind: 'failed', reason: 'the DHCP answer to iPXE names no script' });
    if (IPXE_LOADER.test(second.bootFile) && !isUrl(second.bootFile)) {
      return done({ kind: 'failed', reason: `DHCP answered iPXE with another loader (${second.bootFile}): boot loop` });
    }
    const scriptUrl = isUrl(second.bootFile) ? second.bootFile : tftpUrl(second.tftpServer || second.server, second.bootFile);
    return done(await runIpxe(scriptUrl, ipxeEnv(second), fetch, env.log));
  }

  if (PXELINUX_LOADER.test(lease.bootFile)) {
    const names = [`pxelinux.cfg/${pxeMacName(env.mac)}`, 'pxelinux.cfg/default'];
    for (const name of names) {
      let text: string;
      try {
        text = (await fetch(tftpUrl(server, relative(name)))).toString('utf8');
      } catch {
        continue;
      }
      env.log(`pxelinux: using ${name}`);
      const choice = readPxelinuxConfig(text, env.mac);
      if (choice.kind !== 'kernel') return done(choice);
      const url = (p: string) => (isUrl(p) ? p : tftpUrl(server, p.startsWith('/') ? p : relative(p)));
      return done(await loadKernel(fetch, url(choice.kernel), choice.initrds.map(url), choice.cmdline));
    }
    return done({ kind: 'failed', reason: `PXELINUX found none of ${names.join(', ')}` });
  }

  if (GRUB_LOADER.test(lease.bootFile)) {
    const names = [relative(`grub.cfg-${pxeMacName(env.mac)}`), `grub.cfg-${pxeMacName(env.mac)}`, `grub/grub.cfg-${pxeMacName(env.mac)}`,
      relative('grub.cfg'), 'grub/grub.cfg'];
    for (const name of [...new Set(names)]) {
      let text: string;
      try {
        text = (await fetch(tftpUrl(server, name))).toString('utf8');
      } catch {
        continue;
      }
      env.log(`grub: using ${name}`);
      const choice = readGrubConfig(text);
      if (choice.kind !== 'kernel') return done(choice);
      const url = (p: string) => grubPathToUrl(p, server);
      return done(await loadKernel(fetch, url(choice.kernel), choice.initrds.map(url), choice.cmdline));
    }
    return done({ kind: 'failed', reason: `GRUB found none of ${[...new Set(names)].join(', ')}` });
  }
  return done({ kind: 'failed', reason: `the firmware does not know how to run boot file ${lease.bootFile}` });
}

async function loadKernel(fetch: Fetcher, kernelUrl: string, initrdUrls: readonly string[], cmdline: string): Promise<BootTarget> {
  const load = async (url: string) => {
    try {
      return describe(url, await fetch(url));
    } catch (err) {
      throw new Error(`cannot load ${url}: ${(err as Error).message}`, { cause: err });
    }
  };
  try {
    const kernel = await load(kernelUrl);
    const initrds: LoadedFile[] = [];
    for (const u of initrdUrls) initrds.push(await load(u));
    return { kind: 'kernel', kernel, initrds, cmdline };
  } catch (err) {
    return { kind: 'failed', reason: (err as Error).message };
  }
}
