// The firmware's DHCP exchange: busybox udhcpc in the machine's namespace, sending what a PXE ROM (or iPXE)
// sends — vendor class PXEClient, client architecture (option 93), and for iPXE the user class `iPXE` and
// option 175 — so the DHCP server answers with the boot file it would give real hardware.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../host.js';
import { LAB_SCRIPTS } from './paths.js';

export interface DhcpLease {
  readonly ip: string;
  readonly mask: number;
  /** The answer's next-server (siaddr) or server identifier. */
  readonly server: string;
  /** Boot file name: option 67, else the BOOTP file field. */
  readonly bootFile: string;
  /** Option 66, when sent. */
  readonly tftpServer: string;
}

export interface DhcpRequest {
  readonly netns: string;
  readonly nic: string;
  readonly platform: 'pcbios' | 'efi';
  /** Ask as iPXE does (user class iPXE, option 175), not as a plain PXE ROM. */
  readonly ipxe: boolean;
  /** Where the event script leaves the answer. */
  readonly workDir: string;
}

const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');

export function parseLeaseFile(text: string): DhcpLease {
  const v = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) v.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const siaddr = v.get('siaddr') ?? '';
  return {
    ip: v.get('ip') ?? '', mask: Number(v.get('mask') || 24),
    server: siaddr && siaddr !== '0.0.0.0' ? siaddr : v.get('serverid') ?? '',
    bootFile: v.get('bootfile') || v.get('boot_file') || '', tftpServer: v.get('tftp') ?? '',
  };
}

export async function dhcp(req: DhcpRequest): Promise<DhcpLease> {
  const out = join(req.workDir, `dhcp-${req.ipxe ? 'ipxe' : 'pxe'}.lease`);
  rmSync(out, { force: true });
  // Architecture types (RFC 4578): 0 = x86 BIOS, 7 = x86-64 UEFI.
  const arch = req.platform === 'efi' ? '0007' : '0000';
  const args = ['netns', 'exec', req.netns, 'busybox', 'udhcpc', '-i', req.nic, '-f', '-q', '-n',
    // A PXE ROM asks for a broadcast answer (it has no address yet); retries cover a server that is slow
    // to answer its first DISCOVER (dnsmasq probes an address before offering it).
    '-B', '-t', '6', '-T', '2', '-A', '1', '-s', join(LAB_SCRIPTS, 'dhcp-event.sh'),
    '-O', 'bootfile', '-O', 'tftp', '-V', `PXEClient:Arch:${arch.padStart(5, '0')}:UNDI:002001`,
    '-x', `0x5d:${arch}`, '-x', '0x5e:010201'];
  if (req.ipxe) args.push('-x', `0x4d:${hex('iPXE')}`, '-x', '0xaf:130101');
  await run('ip', args, { env: { ...process.env, LAB_DHCP_OUT: out }, timeoutMs: 40_000 });
  return parseLeaseFile(readFileSync(out, 'utf8'));
}
