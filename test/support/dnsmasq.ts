// A dnsmasq of the test's own (DHCP + TFTP) on an interface the test created, for lab tests that need a
// real DHCP server before or besides the one `anvil serve` manages. Stopped by pid; fails loudly when
// dnsmasq is missing.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestDnsmasq {
  readonly pid: number;
  readonly dir: string;
  log(): string;
  stop(): Promise<void>;
}

export interface DnsmasqOptions {
  readonly iface: string;
  /** First and last address handed out, e.g. 10.213.5.100 and 10.213.5.199. */
  readonly range: readonly [string, string];
  readonly tftpRoot?: string;
  /** Further dnsmasq options, e.g. `--dhcp-boot=pxelinux.0`. */
  readonly options?: readonly string[];
}

const live = new Set<number>();
process.once('exit', () => {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

export async function startDnsmasq(o: DnsmasqOptions): Promise<TestDnsmasq> {
  if (spawnSync('dnsmasq', ['--version']).status !== 0) throw new Error('dnsmasq is missing (Debian package dnsmasq-base): run scripts/install-deps.sh --test');
  const dir = mkdtempSync(join(tmpdir(), 'anvil-dnsmasq-'));
  // dnsmasq drops root for user nobody after start-up and must still write its lease file here.
  chmodSync(dir, 0o777);
  const logFile = join(dir, 'dnsmasq.log');
  const args = ['--keep-in-foreground', '--conf-file=/dev/null', '--port=0', `--interface=${o.iface}`, '--bind-interfaces',
    '--except-interface=lo', `--dhcp-range=${o.range[0]},${o.range[1]},255.255.255.0,10m`, `--dhcp-leasefile=${join(dir, 'leases')}`,
    // No router and no DNS for the lab: its machines must not be told about any way out.
    '--dhcp-option=3', '--dhcp-option=6', '--no-ping', '--log-dhcp', `--log-facility=${logFile}`,
    ...(o.tftpRoot ? ['--enable-tftp', `--tftp-root=${o.tftpRoot}`] : []), ...(o.options ?? [])];
  const child = spawn('dnsmasq', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  const pid = child.pid!;
  live.add(pid);
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  for (let i = 0; i < 50 && !/DHCP, IP range/.test(log()); i++) {
    if (child.exitCode !== null) throw new Error(`dnsmasq exited: ${stderr}${log()}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
  return {
    pid, dir, log,
    async stop() {
      if (!live.delete(pid)) return;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise<void>((ok) => child.once('close', () => ok()));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
