// The lab network: one host bridge (the rack's switch) carrying a private subnet whose first address is
// the service side (dnsmasq, Anvil's API and HTTP root), and one network namespace per virtual machine
// whose veth NIC is a port of that bridge. Nothing is routed: the bridge gets no forwarding, the virtual
// machines get no routes beyond their subnet, so lab traffic never leaves the host.
import { existsSync, writeFileSync } from 'node:fs';
import { LabError, run } from './host.js';

/** Parses `10.213.0.1/24`; the lab needs a /16–/29 with room for DHCP leases. */
export function parseCidr(cidr: string): { ip: string; prefix: number } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) < 16 || Number(m[5]) > 29) {
    throw new LabError(`--address must be an IPv4 address with a prefix length of 16 to 29, e.g. 10.213.0.1/24, got ${JSON.stringify(cidr)}`);
  }
  const first = Number(m[1]);
  const second = Number(m[2]);
  const isPrivate = first === 10 || (first === 172 && second >= 16 && second <= 31) || (first === 192 && second === 168);
  if (!isPrivate) throw new LabError(`--address must be a private address (10/8, 172.16/12, 192.168/16), got ${cidr}`);
  return { ip: m.slice(1, 5).join('.'), prefix: Number(m[5]) };
}

/** Addresses configured on any host interface (an overlapping lab would hijack their traffic). */
export async function hostAddresses(): Promise<string[]> {
  const { stdout } = await run('ip', ['-j', '-4', 'addr', 'show']);
  const links = JSON.parse(stdout) as Array<{ addr_info?: Array<{ local: string; prefixlen: number }> }>;
  return links.flatMap((l) => (l.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`));
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function subnetsOverlap(a: string, b: string): boolean {
  const pa = parseCidr(a.includes('/') ? a : `${a}/32`);
  const [bip, bprefix] = b.split('/');
  const prefix = Math.min(pa.prefix, Number(bprefix ?? 32));
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return ((ipToInt(pa.ip) & mask) >>> 0) === ((ipToInt(bip!) & mask) >>> 0);
}

function sysctlFile(name: string): string {
  return `/proc/sys/${name.replace(/\./g, '/')}`;
}

function writeSysctl(name: string, value: string): void {
  if (existsSync(sysctlFile(name))) writeFileSync(sysctlFile(name), value);
}

export async function createBridge(bridge: string, cidr: string): Promise<void> {
  // stp off and no forward delay: a port forwards at once, as a cheap unmanaged switch does.
  await run('ip', ['link', 'add', bridge, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
  // No IPv6 on the switch: the host must not answer or advertise anything the lab did not ask for.
  writeSysctl(`net.ipv6.conf.${bridge}.disable_ipv6`, '1');
  // Packets arriving on the bridge are never routed elsewhere, whatever the host's global ip_forward says.
  writeSysctl(`net.ipv4.conf.${bridge}.forwarding`, '0');
  await run('ip', ['addr', 'add', cidr, 'dev', bridge]);
  await run('ip', ['link', 'set', bridge, 'up']);
}

export async function deleteLink(name: string): Promise<void> {
  if (!(await linkExists(name))) return;
  try {
    await run('ip', ['link', 'del', name]);
  } catch (err) {
    // A veth end goes away on its own, a moment after its peer's namespace is deleted.
    if (await linkExists(name)) throw err;
  }
}

export async function linkExists(name: string): Promise<boolean> {
  try {
    await run('ip', ['link', 'show', 'dev', name]);
    return true;
  } catch {
    return false;
  }
}

export async function netnsExists(name: string): Promise<boolean> {
  const { stdout } = await run('ip', ['netns', 'list']);
  return stdout.split('\n').some((l) => l.split(' ')[0] === name);
}

/** A virtual machine's host: its namespace and its NIC (MAC `mac`) plugged into the bridge. */
export async function createVmNetwork(o: { netns: string; hostIf: string; nic: string; mac: string; bridge: string }): Promise<void> {
  await run('ip', ['netns', 'add', o.netns]);
  await run('ip', ['link', 'add', o.hostIf, 'type', 'veth', 'peer', 'name', o.nic, 'netns', o.netns]);
  writeSysctl(`net.ipv6.conf.${o.hostIf}.disable_ipv6`, '1');
  await run('ip', ['link', 'set', o.hostIf, 'master', o.bridge, 'up']);
  await run('ip', ['-n', o.netns, 'link', 'set', 'lo', 'up']);
  await run('ip', ['-n', o.netns, 'link', 'set', o.nic, 'address', o.mac, 'up']);
}

/** PIDs of processes inside a namespace (`ip netns pids`). */
export async function netnsPids(netns: string): Promise<number[]> {
  try {
    const { stdout } = await run('ip', ['netns', 'pids', netns]);
    return stdout.split('\n').filter(Boolean).map(Number).filter((n) => n > 0);
  } catch {
    return [];
  }
}

export async function deleteNetns(netns: string): Promise<void> {
  // Deleting the namespace also deletes the veth pair.
  if (await netnsExists(netns)) await run('ip', ['netns', 'del', netns]);
}
