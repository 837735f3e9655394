// The dnsmasq `anvil serve` runs itself when dnsmasqInterface is set: DHCP on one interface and range, TFTP
// from the TFTP root, no DNS (--port=0) and no router option (booting machines get no way out), boot
// answers only from the host/option directories the dnsmasq provider writes. Supervised: restarted with a
// growing delay if it dies, stopped with the service; never sent SIGHUP (dnsmasq 2.90 crashed on it here
// once hostsdir entries had leases). Runs as the user Anvil runs as, so it can read Anvil's directories.
import { spawn, type ChildProcess } from 'node:child_process';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { DNSMASQ_MATCH_ARGS } from '../../boot/dnsmasq.js';
import { log } from '../../common/log.js';

export interface DnsmasqProcessOptions {
  readonly binary: string;
  readonly interface: string;
  readonly dhcpRange: string;
  readonly hostsDir: string;
  readonly optsDir: string;
  /** Lease and pid files go here. */
  readonly runDir: string;
  /** Serve this directory over TFTP; absent: no TFTP. */
  readonly tftpRoot?: string | undefined;
  /** Run inside this network namespace (`ip netns exec`). */
  readonly netns?: string | undefined;
  readonly extraArgs?: readonly string[];
}

export function dnsmasqArgs(o: DnsmasqProcessOptions): string[] {
  return [
    '--no-daemon', '--conf-file=/dev/null', '--port=0', `--user=${userInfo().username}`,
    `--interface=${o.interface}`, '--bind-interfaces', `--dhcp-range=${o.dhcpRange}`,
    `--dhcp-leasefile=${join(o.runDir, 'dnsmasq.leases')}`, `--pid-file=${join(o.runDir, 'dnsmasq.pid')}`,
    `--dhcp-hostsdir=${o.hostsDir}`, `--dhcp-optsdir=${o.optsDir}`,
    ...(o.tftpRoot ? ['--enable-tftp', `--tftp-root=${o.tftpRoot}`] : []),
    // An empty option 3 / 6 is sent as nothing: no default route, no DNS server.
    '--dhcp-option=3', '--dhcp-option=6',
    ...DNSMASQ_MATCH_ARGS,
    '--log-dhcp', '--log-facility=-',
    ...(o.extraArgs ?? []),
  ];
}

const MAX_BACKOFF_MS = 30_000;
// dnsmasq prints this once DHCP is being served (it has bound its sockets and read its directories).
const READY_RE = /DHCP, (IP range|static leases only)|started, version/;

export class DnsmasqSupervisor {
  readonly #opts: DnsmasqProcessOptions;
  #child: ChildProcess | null = null;
  #stopping = false;
  #backoffMs = 1000;
  #timer: NodeJS.Timeout | null = null;
  #restarts = 0;

  private constructor(opts: DnsmasqProcessOptions) {
    this.#opts = opts;
  }

  /** Starts dnsmasq and resolves once it serves DHCP. @throws with dnsmasq's own message when it cannot start. */
  static async start(opts: DnsmasqProcessOptions): Promise<DnsmasqSupervisor> {
    const s = new DnsmasqSupervisor(opts);
    await s.#spawn();
    return s;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get restarts(): number {
    return this.#restarts;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#timer) clearTimeout(this.#timer);
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  #command(): [string, string[]] {
    const args = dnsmasqArgs(this.#opts);
    return this.#opts.netns ? ['ip', ['netns', 'exec', this.#opts.netns, this.#opts.binary, ...args]] : [this.#opts.binary, args];
  }

  #spawn(): Promise<void> {
    const [cmd, args] = this.#command();
    return new Promise<void>((resolve, reject) => {
      const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      this.#child = child;
      let ready = false;
      let tail = '';
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => {
        tail = (tail + chunk).slice(-4000);
        for (const line of chunk.split('\n').filter(Boolean)) log.debug('dnsmasq', { line });
        if (!ready && READY_RE.test(tail)) {
          ready = true;
          this.#backoffMs = 1000;
          log.info('dnsmasq serving DHCP', { pid: child.pid, interface: this.#opts.interface, range: this.#opts.dhcpRange });
          resolve();
        }
      });
      child.once('error', (err) => {
        if (!ready) reject(new Error(`cannot start dnsmasq (${cmd}): ${err.message}; install the Debian package dnsmasq-base`, { cause: err }));
      });
      child.once('exit', (code, signal) => {
        if (!ready) {
          reject(new Error(`dnsmasq exited at start (${signal ?? `code ${code}`}): ${tail.trim().split('\n').slice(-3).join(' / ')}`));
          return;
        }
        if (this.#stopping) return;
        log.warn('dnsmasq died; restarting it', { code, signal, inMs: this.#backoffMs });
        this.#timer = setTimeout(() => this.#restart(), this.#backoffMs);
        this.#backoffMs = Math.min(this.#backoffMs * 2, MAX_BACKOFF_MS);
      });
    });
  }

  #restart(): void {
    if (this.#stopping) return;
    this.#restarts++;
    this.#spawn().catch((err: Error) => {
      log.error('dnsmasq restart failed; trying again', { error: err.message, inMs: this.#backoffMs });
      this.#timer = setTimeout(() => this.#restart(), this.#backoffMs);
      this.#backoffMs = Math.min(this.#backoffMs * 2, MAX_BACKOFF_MS);
    });
  }
}
