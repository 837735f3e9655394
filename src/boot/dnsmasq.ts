// dnsmasq's per-MAC host files (`--dhcp-hostsdir`) and per-node option files (`--dhcp-optsdir`): a host
// line tags the MAC with its node's current boot answers, and those answers are given only to that tag, so
// a MAC Anvil has not enrolled gets an address but no boot answer. iPXE clients (user class "iPXE" or
// option 175) get the HTTP script, the others a loader by the node's boot mode; the client's architecture
// (option 93) must agree, so a BIOS loader is never handed to a UEFI client or the reverse.
//
// dnsmasq only ever adds what it reads from these directories (a deleted or rewritten file's old lines stay
// until SIGHUP, and SIGHUP with hostsdir entries in use crashes dnsmasq 2.90), but the newest host line of
// a MAC wins. So every update tags the MAC with a new generation tag, and "forgetting" a MAC rewrites its
// file with an untagged line: old option lines stay behind, matched by no host any more.
import { ethernetMac } from './mac-names.js';
import { lines } from './ramdisk-boot.js';

export const DNSMASQ_TAGS = { ipxe: 'anvil-ipxe', efi: 'anvil-efi', enrolled: 'anvil' } as const;

/** The flags that define the tags used in the option files; every dnsmasq serving Anvil's files needs them. */
export const DNSMASQ_MATCH_ARGS: readonly string[] = [
  `--dhcp-userclass=set:${DNSMASQ_TAGS.ipxe},iPXE`,
  `--dhcp-match=set:${DNSMASQ_TAGS.ipxe},175`,
  // RFC 4578 client architectures 7 and 9: x86-64 UEFI (9 is what some firmware sends for the same).
  `--dhcp-match=set:${DNSMASQ_TAGS.efi},option:client-arch,7`,
  `--dhcp-match=set:${DNSMASQ_TAGS.efi},option:client-arch,9`,
];

/** The tag of one generation of a node's boot answers (dnsmasq tag names are free text). */
export function nodeTag(nodeUuid: string, generation: string): string {
  return `${nodeTagPrefix(nodeUuid)}${generation}`;
}

/** What every tag of the node starts with (to find the node's host files). */
export function nodeTagPrefix(nodeUuid: string): string {
  return `anvil-${nodeUuid}-`;
}

/** A MAC answered with `tag`'s options; `tag` null: a MAC whose boot answers are withdrawn. */
export function renderDnsmasqHost(mac: string, tag: string | null): string {
  return lines(`${ethernetMac(mac)},set:${DNSMASQ_TAGS.enrolled}${tag ? `,set:${tag}` : ''}`);
}

export interface DnsmasqNodeOptions {
  readonly nodeUuid: string;
  readonly tag: string;
  readonly bootMode: 'bios' | 'uefi';
  /** Loader for non-iPXE clients, a path on the TFTP server. */
  readonly bootFile: string;
  /** Script for iPXE clients; without it iPXE clients get the loader too. */
  readonly ipxeScriptUrl?: string | undefined;
  /** Option 66; without it clients use the DHCP server's address (next-server). */
  readonly tftpServer?: string | undefined;
}

export function renderDnsmasqOptions(o: DnsmasqNodeOptions): string {
  const node = `tag:${o.tag}`;
  const arch = o.bootMode === 'uefi' ? `tag:${DNSMASQ_TAGS.efi}` : `tag:!${DNSMASQ_TAGS.efi}`;
  const firmware = o.ipxeScriptUrl ? `${node},tag:!${DNSMASQ_TAGS.ipxe},${arch}` : `${node},${arch}`;
  const out = [`# Anvil: boot answers for the ports of node ${o.nodeUuid} (${o.bootMode})`];
  out.push(`${firmware},option:bootfile-name,${o.bootFile}`);
  if (o.tftpServer) out.push(`${firmware},option:tftp-server,${o.tftpServer}`);
  if (o.ipxeScriptUrl) out.push(`${node},tag:${DNSMASQ_TAGS.ipxe},option:bootfile-name,${o.ipxeScriptUrl}`);
  return lines(...out);
}
