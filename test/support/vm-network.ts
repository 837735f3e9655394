// A private network for real qemu VMs: a namespace holding a bridge (br0) that the VMs' tap devices join,
// wired by a veth pair to this host, whose end gets the network's .1 address. Services the VMs talk to
// (Anvil's API and HTTP root, dnsmasq, a test's own HTTP server) listen on that address in the host
// namespace. Nothing routes anywhere else: no default route in the namespace, no forwarding, no NAT.
// Names carry the pid and a random suffix so parallel runs never collide; destroy() removes both ends.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface VmNetwork {
  /** Namespace holding br0 (VM taps join it). */
  readonly netns: string;
  /** Host end of the veth pair, carrying `hostIp`. */
  readonly hostIf: string;
  readonly hostIp: string;
  /** First three octets, e.g. "10.231.7". */
  readonly prefix: string;
  /** The /64 on the host end, e.g. "fd4a:1b2c:3d4e:5f60" (hostIf has `::1`): lets dnsmasq send router
   * advertisements, without which iPXE spends ~13 s waiting for IPv6 autoconfiguration. */
  readonly ipv6Prefix: string;
  destroy(): void;
}

function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A 10.231-239.x.0/24 network no interface on this host uses yet. */
function freePrefix(): string {
  const used = ip(['-4', '-o', 'addr']);
  for (let i = 0; i < 200; i++) {
    const b = randomBytes(2);
    const prefix = `10.${231 + (b[0]! % 9)}.${b[1]!}`;
    if (!used.includes(` ${prefix}.`)) return prefix;
  }
  throw new Error('no free 10.231-239.x.0/24 network on this host');
}

export function createVmNetwork(): VmNetwork {
  const id = `${process.pid % 100000}${randomBytes(2).toString('hex')}`;
  const netns = `anvm-${id}`;
  const hostIf = `anvh${id}`.slice(0, 15);
  const peer = `anvp${id}`.slice(0, 15);
  const prefix = freePrefix();
  const hostIp = `${prefix}.1`;
  const r = randomBytes(7).toString('hex');
  const ipv6Prefix = `fd${r.slice(0, 2)}:${r.slice(2, 6)}:${r.slice(6, 10)}:${r.slice(10, 14)}`;
  const destroy = () => {
    try { ip(['netns', 'del', netns]); } catch { /* already gone */ }
    try { ip(['link', 'del', hostIf]); } catch { /* went with the namespace */ }
  };
  try {
    ip(['netns', 'add', netns]);
    ip(['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', peer]);
    ip(['link', 'set', peer, 'netns', netns]);
    ip(['addr', 'add', `${hostIp}/24`, 'dev', hostIf]);
    ip(['addr', 'add', `${ipv6Prefix}::1/64`, 'dev', hostIf, 'nodad']);
    ip(['link', 'set', hostIf, 'up']);
    ip(['-n', netns, 'link', 'set', 'lo', 'up']);
    ip(['-n', netns, 'link', 'add', 'br0', 'type', 'bridge', 'forward_delay', '0', 'stp_state', '0']);
    ip(['-n', netns, 'link', 'set', peer, 'master', 'br0']);
    ip(['-n', netns, 'link', 'set', peer, 'up']);
    ip(['-n', netns, 'link', 'set', 'br0', 'up']);
  } catch (err) {
    destroy();
    throw err;
  }
  return { netns, hostIf, hostIp, prefix, ipv6Prefix, destroy };
}

/** A MAC in QEMU's locally administered range, random per call. */
export function randomVmMac(): string {
  const b = randomBytes(3);
  return `52:54:00:${[...b].map((x) => x.toString(16).padStart(2, '0')).join(':')}`;
}

/** Stops a child and its process group: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopGroup(child: ChildProcess | undefined, graceMs = 3000): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = (sig: NodeJS.Signals) => {
    try { process.kill(-child.pid!, sig); } catch { try { child.kill(sig); } catch { /* gone */ } }
  };
  kill('SIGTERM');
  const timer = setTimeout(() => kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

/** Starts `cmd` as the leader of its own process group (so stopGroup reaches what it spawns). */
export function spawnGroup(cmd: string, args: readonly string[], log?: (line: string) => void): ChildProcess {
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const onData = (buf: Buffer) => { for (const l of buf.toString().split('\n')) if (l) log?.(l); };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return child;
}

/** Polls `file` until `re` matches its content; resolves with the match. */
export async function waitForFile(file: string, re: RegExp, timeoutMs: number, isAlive?: () => boolean): Promise<RegExpMatchArray> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    let text = '';
    try { text = readFileSync(file, 'latin1'); } catch { /* not yet */ }
    const m = text.match(re);
    if (m) return m;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${re} in ${file}; last lines:\n${text.split('\n').slice(-15).join('\n')}`);
    if (isAlive && !isAlive()) throw new Error(`process ended while waiting for ${re} in ${file}; last lines:\n${text.split('\n').slice(-15).join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
