// DHCP provider `dnsmasq`: one host file per enrolled MAC in `<dir>/hosts/` (dnsmasq --dhcp-hostsdir) tagging
// it with its node, one option file per node in `<dir>/opts/` (--dhcp-optsdir) holding the boot answers for
// that tag. dnsmasq picks up new and changed files by itself but keeps what a deleted file said until it
// re-reads the directories (SIGHUP): `reload` is how the provider asks for that (the supervised dnsmasq's
// SIGHUP, or nothing for a dnsmasq run by the operator, who then restarts it).
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { renderDnsmasqHost, renderDnsmasqOptions, nodeTag } from '../../boot/dnsmasq.js';
import { hyphenatedMac } from '../../boot/mac-names.js';
import { normalizeUuid } from '../../common/ids.js';
import type { PortRecord } from '../../db/records.js';
import type { DhcpBootOptions, DhcpProvider } from '../interfaces.js';
import { writeFileAtomic } from '../pxe/boot-layout.js';

export interface DnsmasqDhcpOptions {
  /** Holds `hosts/` and `opts/`. */
  readonly dir: string;
  /** Makes dnsmasq forget removed entries (SIGHUP); absent for a dnsmasq Anvil does not run. */
  readonly reload?: () => void | Promise<void>;
}

export class DnsmasqDhcp implements DhcpProvider {
  readonly name = 'dnsmasq';
  readonly hostsDir: string;
  readonly optsDir: string;
  readonly #reload: (() => void | Promise<void>) | undefined;

  constructor(opts: DnsmasqDhcpOptions) {
    this.hostsDir = join(opts.dir, 'hosts');
    this.optsDir = join(opts.dir, 'opts');
    this.#reload = opts.reload;
  }

  /** Creates the directories dnsmasq is pointed at (it refuses to start without them). */
  async init(): Promise<void> {
    await mkdir(this.hostsDir, { recursive: true });
    await mkdir(this.optsDir, { recursive: true });
  }

  async updatePorts(nodeUuid: string, ports: readonly PortRecord[], options: DhcpBootOptions): Promise<void> {
    const uuid = uuidOf(nodeUuid);
    await this.init();
    // Options before hosts: once a MAC carries the node's tag, its answers must already be there.
    await writeFileAtomic(join(this.optsDir, uuid), renderDnsmasqOptions({ nodeUuid: uuid, ...options }));
    const wanted = new Set(ports.map((p) => hyphenatedMac(p.address)));
    for (const p of ports) await writeFileAtomic(join(this.hostsDir, hyphenatedMac(p.address)), renderDnsmasqHost(p.address, uuid));
    const stale = (await this.#hostFilesOf(uuid)).filter((name) => !wanted.has(name));
    for (const name of stale) await rm(join(this.hostsDir, name), { force: true });
    // A changed option file (another boot mode) or a removed host leaves the old entry in dnsmasq until it re-reads.
    await this.#reload?.();
  }

  async cleanNode(nodeUuid: string, macs: readonly string[] = []): Promise<void> {
    const uuid = uuidOf(nodeUuid);
    const names = new Set([...macs.map(hyphenatedMac), ...(await this.#hostFilesOf(uuid))]);
    // Hosts first: an untagged MAC gets no boot answer even while the option file is still there.
    for (const name of names) await this.#removeHostIfOurs(name, uuid);
    await rm(join(this.optsDir, uuid), { force: true });
    await this.#reload?.();
  }

  async forgetMacs(macs: readonly string[]): Promise<void> {
    for (const mac of macs) await rm(join(this.hostsDir, hyphenatedMac(mac)), { force: true });
    await this.#reload?.();
  }

  /** A MAC moved to another node meanwhile keeps that node's entry. */
  async #removeHostIfOurs(name: string, uuid: string): Promise<void> {
    const text = await readFile(join(this.hostsDir, name), 'utf8').catch(() => null);
    if (text !== null && text.includes(`set:${nodeTag(uuid)}`)) await rm(join(this.hostsDir, name), { force: true });
  }

  /** Host files tagged with the node (dot files are our temporaries, which dnsmasq ignores too). */
  async #hostFilesOf(uuid: string): Promise<string[]> {
    const names = await readdir(this.hostsDir).catch(() => [] as string[]);
    const out: string[] = [];
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const text = await readFile(join(this.hostsDir, name), 'utf8').catch(() => '');
      if (text.includes(`set:${nodeTag(uuid)}`)) out.push(name);
    }
    return out;
  }
}

function uuidOf(nodeUuid: string): string {
  const uuid = normalizeUuid(nodeUuid);
  if (!uuid) throw new Error(`not a node UUID: ${JSON.stringify(nodeUuid)}`);
  return uuid;
}
