// DHCP provider `dnsmasq`: one host file per enrolled MAC in `<dir>/hosts/` (dnsmasq --dhcp-hostsdir) tagging
// it with its node's current boot answers, one option file per node in `<dir>/opts/` (--dhcp-optsdir)
// holding those answers. dnsmasq picks up new and changed files by itself; since it never forgets what it
// read, answers are withdrawn by rewriting host files, never by deleting them (see src/boot/dnsmasq.ts).
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { nodeTag, nodeTagPrefix, renderDnsmasqHost, renderDnsmasqOptions } from '../../boot/dnsmasq.js';
import { hyphenatedMac } from '../../boot/mac-names.js';
import { normalizeUuid } from '../../common/ids.js';
import type { PortRecord } from '../../db/records.js';
import type { DhcpBootOptions, DhcpProvider } from '../interfaces.js';
import { writeFileAtomic } from '../pxe/boot-layout.js';

let sequence = 0;

/** A tag suffix never used before, also across restarts (time-based). */
function newGeneration(): string {
  return `${Date.now().toString(36)}${(sequence++).toString(36)}`;
}

export class DnsmasqDhcp implements DhcpProvider {
  readonly name = 'dnsmasq';
  readonly hostsDir: string;
  readonly optsDir: string;

  /** `dir` holds `hosts/` and `opts/`. */
  constructor(dir: string) {
    this.hostsDir = join(dir, 'hosts');
    this.optsDir = join(dir, 'opts');
  }

  /**
   * Creates the directories dnsmasq is pointed at (it refuses to start without them) and, before a dnsmasq
   * reads them afresh, drops the host files of withdrawn MACs: they only mattered to a running dnsmasq.
   */
  async init(opts: { prune?: boolean } = {}): Promise<void> {
    await mkdir(this.hostsDir, { recursive: true });
    await mkdir(this.optsDir, { recursive: true });
    if (!opts.prune) return;
    for (const name of await readdir(this.hostsDir)) {
      const text = await readFile(join(this.hostsDir, name), 'utf8').catch(() => '');
      if (!text.includes(',set:anvil-')) await rm(join(this.hostsDir, name), { force: true });
    }
  }

  async updatePorts(nodeUuid: string, ports: readonly PortRecord[], options: DhcpBootOptions): Promise<void> {
    const uuid = uuidOf(nodeUuid);
    const tag = nodeTag(uuid, newGeneration());
    await this.init();
    // Options before hosts: once a MAC carries the tag, its answers must already be there.
    await writeFileAtomic(join(this.optsDir, uuid), renderDnsmasqOptions({ nodeUuid: uuid, tag, ...options }));
    const wanted = new Set(ports.map((p) => hyphenatedMac(p.address)));
    for (const p of ports) await writeFileAtomic(join(this.hostsDir, hyphenatedMac(p.address)), renderDnsmasqHost(p.address, tag));
    for (const name of await this.#hostFilesOf(uuid)) if (!wanted.has(name)) await this.#withdraw(name);
  }

  async cleanNode(nodeUuid: string, macs: readonly string[] = []): Promise<void> {
    const uuid = uuidOf(nodeUuid);
    const ours = new Set(await this.#hostFilesOf(uuid));
    // A MAC moved to another node meanwhile keeps that node's answers.
    for (const name of new Set([...macs.map(hyphenatedMac), ...ours])) if (ours.has(name)) await this.#withdraw(name);
    await rm(join(this.optsDir, uuid), { force: true });
  }

  async forgetMacs(macs: readonly string[]): Promise<void> {
    for (const mac of macs) {
      const name = hyphenatedMac(mac);
      if ((await readFile(join(this.hostsDir, name), 'utf8').catch(() => null)) !== null) await this.#withdraw(name);
    }
  }

  /** Rewrites a MAC's host file without a node tag: the newest line wins in dnsmasq, so it gets no boot answer. */
  async #withdraw(name: string): Promise<void> {
    await writeFileAtomic(join(this.hostsDir, name), renderDnsmasqHost(name, null));
  }

  /** Host files tagged with the node (dot files are our temporaries, which dnsmasq ignores too). */
  async #hostFilesOf(uuid: string): Promise<string[]> {
    const names = await readdir(this.hostsDir).catch(() => [] as string[]);
    const out: string[] = [];
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const text = await readFile(join(this.hostsDir, name), 'utf8').catch(() => '');
      if (text.includes(`set:${nodeTagPrefix(uuid)}`)) out.push(name);
    }
    return out;
  }
}

function uuidOf(nodeUuid: string): string {
  const uuid = normalizeUuid(nodeUuid);
  if (!uuid) throw new Error(`not a node UUID: ${JSON.stringify(nodeUuid)}`);
  return uuid;
}
