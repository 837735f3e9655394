// The dnsmasq DHCP provider against a real dnsmasq (Anvil's supervised one) in a network namespace, and a
// real DHCP client (busybox udhcpc) in another, joined by a veth pair. What the client receives is what a
// PXE ROM would: the boot file of its node's boot mode for an enrolled MAC, nothing for an unknown MAC or
// after the node's entries are cleaned. Also TFTP from the TFTP root and the supervisor's restart.
// Needs root (namespaces). Runs in a few seconds; everything is removed in afterAll, also on failure.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setLogLevel, setLogSink } from '../../src/common/log.js';
import { testPort } from '../../src/drivers/contract/test-node.js';
import { DnsmasqDhcp } from '../../src/drivers/dhcp/dnsmasq-provider.js';
import { DnsmasqSupervisor } from '../../src/drivers/dhcp/dnsmasq-process.js';
import { installLoaders } from '../../src/drivers/pxe/loaders.js';

setLogSink((line) => { if (process.env.DEBUG_DHCP) console.error(line); });
if (process.env.DEBUG_DHCP) setLogLevel('debug');

const id = `${process.pid % 100000}${Math.floor(Math.random() * 100)}`;
const NS_S = `anvil-ds-${id}`;
const NS_C = `anvil-dc-${id}`;
const VS = `ads${id}`.slice(0, 15);
const VC = `adc${id}`.slice(0, 15);
const SERVER = '10.77.0.1';
const base = mkdtempSync(join(tmpdir(), 'anvil-dhcp-'));
const tftpRoot = join(base, 'tftp');
let dnsmasq: DnsmasqSupervisor | undefined;
let dhcp: DnsmasqDhcp;

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

beforeAll(async () => {
  ip('netns', 'add', NS_S);
  ip('netns', 'add', NS_C);
  ip('link', 'add', VS, 'type', 'veth', 'peer', 'name', VC);
  ip('link', 'set', VS, 'netns', NS_S);
  ip('link', 'set', VC, 'netns', NS_C);
  ip('-n', NS_S, 'addr', 'add', `${SERVER}/24`, 'dev', VS);
  ip('-n', NS_S, 'link', 'set', VS, 'up');
  ip('-n', NS_C, 'link', 'set', VC, 'up');
  // A fixed address outside the DHCP range, for the TFTP fetch (udhcpc itself configures nothing).
  ip('-n', NS_C, 'addr', 'add', '10.77.0.50/24', 'dev', VC);
  await installLoaders(tftpRoot);
  const script = join(base, 'udhcpc.sh');
  // udhcpc hands what it received to this script as environment variables; keep them per MAC.
  writeFileSync(script, `#!/bin/sh\n[ "$1" = bound ] && env > "${base}/lease-$(cat /sys/class/net/${VC}/address | tr : -)"\nexit 0\n`);
  chmodSync(script, 0o755);
  mkdirSync(join(base, 'run'));
  dhcp = new DnsmasqDhcp(join(base, 'dhcp'));
  await dhcp.init({ prune: true });
  dnsmasq = await DnsmasqSupervisor.start({
    binary: 'dnsmasq', interface: VS, dhcpRange: '10.77.0.100,10.77.0.150,255.255.255.0,2m',
    hostsDir: dhcp.hostsDir, optsDir: dhcp.optsDir, runDir: join(base, 'run'), tftpRoot, netns: NS_S,
    // Offer at once instead of ping-checking each new address first (seconds per lease).
    extraArgs: ['--no-ping'],
  });
}, 30_000);

afterAll(async () => {
  await dnsmasq?.stop();
  for (const ns of [NS_C, NS_S]) spawnSync('ip', ['netns', 'del', ns]);
  rmSync(base, { recursive: true, force: true });
});

interface Lease {
  readonly ip: string;
  /** Option 67 or the BOOTP file field, whichever carried it. */
  readonly bootFile: string | null;
  readonly tftp: string | null;
  readonly router: string | null;
  readonly dns: string | null;
}

/** One DHCP exchange from the client namespace with `mac`, as a PXE ROM (arch) or iPXE (user class) would ask. */
function lease(mac: string, opts: { arch?: number; ipxe?: boolean } = {}): Lease {
  ip('-n', NS_C, 'link', 'set', VC, 'down');
  ip('-n', NS_C, 'link', 'set', VC, 'address', mac);
  ip('-n', NS_C, 'link', 'set', VC, 'up');
  const out = join(base, `lease-${mac.replace(/:/g, '-')}`);
  rmSync(out, { force: true });
  const extra: string[] = [];
  if (opts.arch !== undefined) extra.push('-x', `0x5d:${opts.arch.toString(16).padStart(4, '0')}`);
  if (opts.ipxe) extra.push('-x', `0x4d:${Buffer.from('iPXE').toString('hex')}`);
  const r = spawnSync('ip', ['netns', 'exec', NS_C, 'busybox', 'udhcpc', '-i', VC, '-f', '-q', '-n', '-t', '5', '-T', '1',
    '-s', join(base, 'udhcpc.sh'), '-O', 'bootfile', '-O', 'tftp', ...extra], { encoding: 'utf8', timeout: 20_000 });
  if (!existsSync(out)) throw new Error(`no lease for ${mac}: ${r.stderr}`);
  const env = Object.fromEntries(readFileSync(out, 'utf8').split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  return { ip: env.ip ?? '', bootFile: env.bootfile || env.boot_file || null, tftp: env.tftp || null, router: env.router || null, dns: env.dns || null };
}

const BIOS_NODE = '6a1c0d2e-9f3b-4c5d-8e7f-0a1b2c3d4e5f';
const UEFI_NODE = '7b2d1e3f-0a4c-4d6e-9f80-1b2c3d4e5f60';

describe('dnsmasq DHCP provider with a real dnsmasq and DHCP client', () => {
  it('answers an enrolled BIOS MAC with its loader and the TFTP server, and serves the loader over TFTP', async () => {
    const mac = '52:54:00:77:00:01';
    await dhcp.updatePorts(BIOS_NODE, [testPort(BIOS_NODE, mac)], { bootMode: 'bios', bootFile: 'pxelinux.0', tftpServer: SERVER });
    const got = lease(mac, { arch: 0 });
    expect(got.ip).toMatch(/^10\.77\.0\.1\d\d$/);
    expect(got).toMatchObject({ bootFile: 'pxelinux.0', tftp: SERVER });
    const dest = join(base, 'fetched-pxelinux.0');
    const t = spawnSync('ip', ['netns', 'exec', NS_C, 'busybox', 'tftp', '-g', '-r', 'pxelinux.0', '-l', dest, SERVER], { encoding: 'utf8', timeout: 10_000 });
    expect(t.status, t.stderr).toBe(0);
    expect(readFileSync(dest).equals(readFileSync(join(tftpRoot, 'pxelinux.0')))).toBe(true);
  }, 30_000);

  it('answers an enrolled UEFI MAC with the UEFI loader, its iPXE with the script URL, and a BIOS client of it with nothing', async () => {
    const mac = '52:54:00:77:00:02';
    const script = 'http://10.77.0.1:8088/boot.ipxe';
    await dhcp.updatePorts(UEFI_NODE, [testPort(UEFI_NODE, mac)], { bootMode: 'uefi', bootFile: 'snponly.efi', ipxeScriptUrl: script });
    expect(lease(mac, { arch: 7 }).bootFile).toBe('snponly.efi');
    expect(lease(mac, { arch: 7, ipxe: true }).bootFile).toBe(script);
    expect(lease(mac, { arch: 0 }).bootFile).toBeNull();
  }, 30_000);

  it('gives an unknown MAC an address but no boot options, and no route or DNS server', () => {
    const got = lease('52:54:00:77:00:99', { arch: 0 });
    expect(got.ip).toMatch(/^10\.77\.0\./);
    expect(got).toMatchObject({ bootFile: null, tftp: null, router: null, dns: null });
  }, 30_000);

  it('after cleanNode the node\'s MACs get no boot options; a changed boot mode is followed', async () => {
    const mac = '52:54:00:77:00:03';
    const node = '8c3e2f40-1b5d-4e7f-a091-2c3d4e5f6071';
    await dhcp.updatePorts(node, [testPort(node, mac)], { bootMode: 'bios', bootFile: 'undionly.kpxe' });
    expect(lease(mac, { arch: 0 }).bootFile).toBe('undionly.kpxe');
    await dhcp.updatePorts(node, [testPort(node, mac)], { bootMode: 'uefi', bootFile: 'shimx64.efi' });
    expect(lease(mac, { arch: 7 }).bootFile).toBe('shimx64.efi');
    expect(lease(mac, { arch: 0 }).bootFile).toBeNull();
    await dhcp.cleanNode(node);
    expect(readFileSync(join(dhcp.hostsDir, '52-54-00-77-00-03'), 'utf8')).not.toContain(node);
    expect(readdirSync(dhcp.optsDir)).not.toContain(node);
    expect(lease(mac, { arch: 7 }).bootFile).toBeNull();
    // Enrolled again: answered again.
    await dhcp.updatePorts(node, [testPort(node, mac)], { bootMode: 'uefi', bootFile: 'shimx64.efi' });
    expect(lease(mac, { arch: 7 }).bootFile).toBe('shimx64.efi');
    await dhcp.forgetMacs([mac]);
    expect(lease(mac, { arch: 7 }).bootFile).toBeNull();
  }, 30_000);

  it('the supervisor restarts a dnsmasq that died, which answers again', async () => {
    const before = dnsmasq!.pid!;
    process.kill(before, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    while ((dnsmasq!.pid === before || dnsmasq!.restarts === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(dnsmasq!.restarts).toBe(1);
    expect(dnsmasq!.pid).not.toBe(before);
    await new Promise((r) => setTimeout(r, 300));
    expect(lease('52:54:00:77:00:01', { arch: 0 }).bootFile).toBe('pxelinux.0');
  }, 30_000);
});
