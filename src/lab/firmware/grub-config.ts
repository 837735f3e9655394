// Reads a GRUB config (`grub.cfg-01-<mac>`) as GRUB picks its default entry: `set default=` by title, id or
// index, then that menuentry's linux/linuxefi and initrd/initrdefi lines. An entry that chainloads or exits
// hands over to the disk. Pure; hand-written for the same reason as the PXELINUX reader.

export type GrubChoice =
  | { readonly kind: 'kernel'; readonly kernel: string; readonly initrds: readonly string[]; readonly cmdline: string }
  | { readonly kind: 'local'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string };

interface Entry {
  readonly title: string;
  readonly id: string | undefined;
  kernel?: string;
  cmdline: string;
  initrds: string[];
  local?: string;
}

function unquote(s: string): string {
  const t = s.trim();
  return /^(["']).*\1$/.test(t) ? t.slice(1, -1) : t;
}

export function readGrubConfig(text: string): GrubChoice {
  const entries: Entry[] = [];
  let current: Entry | undefined;
  let def = '0';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const menu = /^menuentry\s+("[^"]*"|'[^']*'|\S+)(.*?)\{?$/.exec(line);
    if (menu) {
      const id = /--id[=\s]+("[^"]*"|'[^']*'|\S+)/.exec(menu[2]!)?.[1];
      current = { title: unquote(menu[1]!), id: id === undefined ? undefined : unquote(id), cmdline: '', initrds: [] };
      entries.push(current);
      continue;
    }
    if (line === '}') {
      current = undefined;
      continue;
    }
    const set = /^set\s+default=(.*)$/.exec(line);
    if (set && !current) {
      def = unquote(set[1]!);
      continue;
    }
    if (!current) continue;
    const [cmd, ...args] = line.split(/\s+/);
    if (cmd === 'linux' || cmd === 'linuxefi' || cmd === 'linux16') {
      current.kernel = args[0];
      current.cmdline = args.slice(1).join(' ');
    } else if (cmd === 'initrd' || cmd === 'initrdefi' || cmd === 'initrd16') current.initrds.push(...args);
    else if (cmd === 'chainloader' || cmd === 'exit') current.local = `${cmd} ${args.join(' ')}`.trim();
  }
  const chosen = entries.find((e) => e.title === def || e.id === def) ?? (/^\d+$/.test(def) ? entries[Number(def)] : undefined);
  if (!chosen) return { kind: 'failed', reason: `GRUB config has no menu entry ${JSON.stringify(def)}` };
  if (chosen.local) return { kind: 'local', reason: `GRUB entry ${chosen.title}: ${chosen.local}` };
  if (!chosen.kernel) return { kind: 'failed', reason: `GRUB entry ${chosen.title} loads no kernel` };
  return { kind: 'kernel', kernel: chosen.kernel, initrds: chosen.initrds, cmdline: chosen.cmdline };
}

/** GRUB paths: `(tftp)/x`, `(tftp,host)/x`, `(http,host)/x` or a plain path on the boot server. */
export function grubPathToUrl(path: string, server: string): string {
  const m = /^\((tftp|http|https)(?:,([^)]+))?\)(.*)$/.exec(path);
  if (m) return `${m[1]}://${m[2] ?? server}${m[3]!.startsWith('/') ? '' : '/'}${m[3]}`;
  if (/^[a-z]+:\/\//.test(path)) return path;
  return `tftp://${server}${path.startsWith('/') ? '' : '/'}${path}`;
}
