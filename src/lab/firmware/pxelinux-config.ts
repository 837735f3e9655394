// Reads a PXELINUX config (`pxelinux.cfg/01-<mac>`) the way PXELINUX picks what to boot: the DEFAULT label
// (or ONTIMEOUT), its KERNEL/LINUX, INITRD or `initrd=` in APPEND, and IPAPPEND 2 adding BOOTIF=. A label
// that boots locally (LOCALBOOT, COM32 chain.c32) hands over to the disk. Pure; hand-written because the
// lab must act out a boot loader, which no library does.

export type PxelinuxChoice =
  | { readonly kind: 'kernel'; readonly kernel: string; readonly initrds: readonly string[]; readonly cmdline: string }
  | { readonly kind: 'local'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string };

interface Label {
  kernel?: string;
  append: string;
  initrd?: string;
  ipappend: number;
  local?: string;
}

export function readPxelinuxConfig(text: string, mac: string): PxelinuxChoice {
  const labels = new Map<string, Label>();
  let current: Label | undefined;
  let def: string | undefined;
  let onTimeout: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+)\s*(.*)$/.exec(line)!;
    const key = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    if (key === 'default') def = value;
    else if (key === 'ontimeout') onTimeout = value;
    else if (key === 'label') {
      current = { append: '', ipappend: 0 };
      labels.set(value, current);
    } else if (!current) continue;
    else if (key === 'kernel' || key === 'linux') current.kernel = value;
    else if (key === 'append') current.append = value;
    else if (key === 'initrd') current.initrd = value;
    else if (key === 'ipappend' || key === 'sysappend') current.ipappend = Number(value) || 0;
    else if (key === 'localboot') current.local = `LOCALBOOT ${value}`;
    else if (key === 'com32' && /chain\.c32$/i.test(value)) current.local = `COM32 ${value}`;
  }
  const name = (onTimeout ?? def)?.split(/\s+/)[0];
  const chosen = name === undefined ? undefined : labels.get(name);
  if (!chosen) return { kind: 'failed', reason: name ? `no LABEL ${name} in the PXELINUX config` : 'PXELINUX config has no DEFAULT' };
  if (chosen.local) return { kind: 'local', reason: `PXELINUX label ${name}: ${chosen.local}` };
  if (!chosen.kernel) return { kind: 'failed', reason: `PXELINUX label ${name} has no KERNEL` };
  const words = chosen.append.split(/\s+/).filter(Boolean);
  const initrds = [
    ...(chosen.initrd ? chosen.initrd.split(',') : []),
    ...words.filter((w) => w.startsWith('initrd=')).flatMap((w) => w.slice('initrd='.length).split(',')),
  ].filter(Boolean);
  // IPAPPEND 2 (SYSAPPEND bit 2): PXELINUX adds the booting interface as BOOTIF=01-aa-bb-...
  if (chosen.ipappend & 2) words.push(`BOOTIF=01-${mac.toLowerCase().replace(/:/g, '-')}`);
  return { kind: 'kernel', kernel: chosen.kernel, initrds, cmdline: words.join(' ') };
}
