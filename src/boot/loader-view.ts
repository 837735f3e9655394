// What a network loader makes of a config Anvil rendered, for a NIC with a given MAC: the kernel, initrd and
// final command line (with the loader's own additions: PXELINUX's `ipappend 2` BOOTIF, GRUB's
// `$net_default_mac`, iPXE's `${mac}`), or "boot the local disk", or the URLs boot.ipxe chains. Virtual
// firmware (`anvil lab`) boots what this returns; tests use it to check the files as a loader reads them.
// Only the subset of each language the renderers here produce is understood.
import { ethernetMac, hyphenatedMac, pxelinuxMacName } from './mac-names.js';

export type LoaderStyle = 'pxelinux' | 'grub' | 'ipxe';

export type LoaderView =
  | { readonly kind: 'ramdisk'; readonly kernel: string; readonly initrd: string; readonly commandLine: string }
  | { readonly kind: 'local' }
  | { readonly kind: 'chain'; readonly urls: readonly string[] };

function words(line: string): string[] {
  return line.trim().split(/\s+/).filter(Boolean);
}

function pxelinux(text: string, mac: string): LoaderView {
  const rows = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const wanted = rows.find((l) => /^default\s/i.test(l))?.split(/\s+/)[1];
  let label: string | undefined;
  let kernel = '';
  let append = '';
  let ipappend = 0;
  let local = false;
  for (const row of rows) {
    const [key = '', ...rest] = words(row);
    const k = key.toLowerCase();
    if (k === 'label') label = rest[0];
    if (label !== wanted) continue;
    if (k === 'kernel' || k === 'linux') kernel = rest[0] ?? '';
    if (k === 'append') append = rest.join(' ');
    if (k === 'ipappend' || k === 'sysappend') ipappend = Number(rest[0]);
    if (k === 'localboot') local = true;
  }
  if (local) return { kind: 'local' };
  const initrd = /(?:^|\s)initrd=(\S+)/.exec(append)?.[1] ?? '';
  // Bit 2 of ipappend: "BOOTIF=01-<mac>" of the NIC PXELINUX was loaded through.
  const commandLine = [append, ipappend & 2 ? `BOOTIF=${pxelinuxMacName(mac)}` : ''].filter(Boolean).join(' ');
  return { kind: 'ramdisk', kernel, initrd, commandLine };
}

function grub(text: string, mac: string): LoaderView {
  const expand = (s: string) => s.replace(/\$\{?net_default_mac\}?/g, ethernetMac(mac));
  const wanted = /^\s*set\s+default=(\S+)/m.exec(text)?.[1];
  const entries = [...text.matchAll(/menuentry\s+"[^"]*"(?:\s+--id\s+(\S+))?\s*\{([^}]*)\}/g)];
  const entry = entries.find((e) => e[1] === wanted) ?? entries[0];
  if (!entry) return { kind: 'local' };
  const body = entry[2] ?? '';
  const linux = /^\s*linux(?:efi)?\s+(\S+)\s*(.*)$/m.exec(body);
  if (!linux) return { kind: 'local' };
  const initrd = /^\s*initrd(?:efi)?\s+(\S+)/m.exec(body)?.[1] ?? '';
  return { kind: 'ramdisk', kernel: linux[1]!, initrd, commandLine: expand(linux[2]!.trim()) };
}

function ipxe(text: string, mac: string): LoaderView {
  const expand = (s: string) => s
    .replace(/\$\{(?:net\d+\/)?mac:hexhyp\}/g, hyphenatedMac(mac))
    .replace(/\$\{(?:net\d+\/)?mac\}/g, ethernetMac(mac));
  const strip = (s: string) => s.replace(/\s*\|\|.*$/, '').trim();
  const rows = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const kernel = rows.find((l) => /^kernel\s/.test(l));
  if (kernel) {
    const [, url = '', ...rest] = words(strip(kernel)).filter((w) => !w.startsWith('--'));
    const initrd = rows.find((l) => /^initrd\s/.test(l));
    const initrdUrl = initrd ? words(strip(initrd)).filter((w) => !w.startsWith('--'))[1] ?? '' : '';
    return { kind: 'ramdisk', kernel: url, initrd: initrdUrl, commandLine: expand(rest.join(' ')) };
  }
  const chains = rows.filter((l) => /^chain\s/.test(l)).map((l) => words(strip(l)).filter((w) => !w.startsWith('--'))[1] ?? '');
  // `${net${netid}/mac:hexhyp}` loops over NICs; for one MAC it names the same script as `${mac:hexhyp}`.
  const urls = [...new Set(chains.map((u) => expand(u.replace(/\$\{net\$\{netid\}\//g, '${net0/'))))];
  return urls.length ? { kind: 'chain', urls } : { kind: 'local' };
}

export function loaderView(style: LoaderStyle, text: string, mac: string): LoaderView {
  return style === 'pxelinux' ? pxelinux(text, mac) : style === 'grub' ? grub(text, mac) : ipxe(text, mac);
}
