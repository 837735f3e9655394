// dnsmasq's per-MAC host files (`--dhcp-hostsdir`) and per-node option files (`--dhcp-optsdir`): a host
// line tags the MAC with its node, and the node's options are given only to that tag, so a MAC Anvil has
// not enrolled gets an address but no boot answer. iPXE clients (user class "iPXE" or option 175) get the
// HTTP script, the others a loader by the node's boot mode; the client's architecture (option 93) must
// agree, so a BIOS loader is never handed to a UEFI client or the reverse.
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

/** The tag of one node's ports: dnsmasq tag names are free text, the UUID keeps them unique. */
export function nodeTag(nodeUuid: string): string {
  return `anvil-${nodeUuid}`;
}

export function renderDnsmasqHost(mac: string, nodeUuid: string): string {
  return lines(`${ethernetMac(mac)},set:${DNSMASQ_TAGS.enrolled},set:${nodeTag(nodeUuid)}`);
}

export interface DnsmasqNodeOptions {
  readonly nodeUuid: string;
  readonly bootMode: 'bios' | 'uefi';
  /** Loader for non-iPXE clients, a path on the TFTP server. */
  readonly bootFile: string;
  /** Script for iPXE clients; without it iPXE clients get the loader too. */
  readonly ipxeScriptUrl?: string | undefined;
  /** Option 66; without it clients use the DHCP server's address (next-server). */
  readonly tftpServer?: string | undefined;
}

export function renderDnsmasqOptions(o: DnsmasqNodeOptions): string {
  const node = `tag:${nodeTag(o.nodeUuid)}`;
  const arch = o.bootMode === 'uefi' ? `tag:${DNSMASQ_TAGS.efi}` : `tag:!${DNSMASQ_TAGS.efi}`;
  const firmware = o.ipxeScriptUrl ? `${node},tag:!${DNSMASQ_TAGS.ipxe},${arch}` : `${node},${arch}`;
  const out = [`# Anvil: boot answers for the ports of node ${o.nodeUuid} (${o.bootMode})`];
  out.push(`${firmware},option:bootfile-name,${o.bootFile}`);
  if (o.tftpServer) out.push(`${firmware},option:tftp-server,${o.tftpServer}`);
  if (o.ipxeScriptUrl) out.push(`${node},tag:${DNSMASQ_TAGS.ipxe},option:bootfile-name,${o.ipxeScriptUrl}`);
  return lines(...out);
}
