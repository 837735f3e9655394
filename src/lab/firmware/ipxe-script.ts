// A small iPXE script interpreter for the lab firmware: enough of iPXE's language (labels, goto, set/inc,
// isset/iseq, `||`/`&&`, ${var} and ${var:hexhyp} expansion, chain, kernel/initrd/imgfetch, boot, exit,
// sanboot) to follow the boot scripts a provisioning service writes, fetching every file it names.
// Hand-written: no library interprets iPXE scripts, and the lab must run them without a real iPXE.
import { createHash } from 'node:crypto';
import type { BootTarget, Fetcher, LoadedFile } from './boot-target.js';

export interface IpxeEnv {
  readonly mac: string;
  readonly ip: string;
  readonly netmask: string;
  readonly nextServer: string;
  readonly filename: string;
  readonly platform: 'pcbios' | 'efi';
  readonly uuid?: string;
}

const MAX_STEPS = 10_000;

class ScriptExit extends Error {}

interface Ctx {
  readonly vars: Map<string, string>;
  readonly fetch: Fetcher;
  readonly log: (line: string) => void;
  kernel?: { file: LoadedFile; bytes: Buffer; cmdline: string };
  initrds: LoadedFile[];
  steps: number;
  depth: number;
  result?: BootTarget;
}

function formatValue(name: string, type: string | undefined, value: string): string {
  if (type === 'hexhyp') return value.replace(/:/g, '-');
  if (type === 'hexraw') return value.replace(/[:-]/g, '');
  if (type === 'uristring') return encodeURIComponent(value);
  return value;
}

/** Expands ${name} and ${name:type}, innermost first, so `${net${netid}/mac}` works; unknown names expand to "". */
export function expand(text: string, vars: ReadonlyMap<string, string>): string {
  let out = text;
  for (let i = 0; i < 20; i++) {
    const next = out.replace(/\$\{([^${}]*)\}/g, (_m, inner: string) => {
      const [name, type] = inner.split(':') as [string, string | undefined];
      const value = vars.get(name.toLowerCase()) ?? '';
      return formatValue(name, type, value);
    });
    if (next === out) return out;
    out = next;
  }
  return out;
}

function describe(url: string, bytes: Buffer): LoadedFile {
  return { url, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Splits `a || b && c` into commands joined by operators (tokens are whitespace separated, as in iPXE). */
function splitChain(line: string): Array<{ op: '' | '||' | '&&'; words: string[] }> {
  const out: Array<{ op: '' | '||' | '&&'; words: string[] }> = [{ op: '', words: [] }];
  for (const tok of line.trim().split(/\s+/)) {
    if (tok === '||' || tok === '&&') out.push({ op: tok, words: [] });
    else out[out.length - 1]!.words.push(tok);
  }
  return out;
}

function stripOptions(args: string[]): { opts: Map<string, string>; rest: string[] } {
  const opts = new Map<string, string>();
  const rest = [...args];
  while (rest[0]?.startsWith('--')) {
    const a = rest.shift()!;
    const eq = a.indexOf('=');
    if (eq > 0) opts.set(a.slice(2, eq), a.slice(eq + 1));
    else if (['--name', '--timeout', '-n', '--drive'].includes(a) && rest.length > 1) opts.set(a.slice(2), rest.shift()!);
    else opts.set(a.slice(2), '');
  }
  return { opts, rest };
}

async function runScript(ctx: Ctx, text: string, baseUrl: string): Promise<boolean> {
  const lines = text.split(/\r?\n/);
  const labels = new Map<string, number>();
  lines.forEach((l, i) => {
    const m = /^\s*:(\S+)/.exec(l);
    if (m) labels.set(m[1]!, i);
  });
  let pc = 0;
  while (pc < lines.length) {
    if (ctx.result) return true;
    if (++ctx.steps > MAX_STEPS) throw new Error(`iPXE script ${baseUrl} did not finish after ${MAX_STEPS} commands`);
    const raw = lines[pc]!.trim();
    pc++;
    if (raw === '' || raw.startsWith('#') || raw.startsWith(':')) continue;
    let ok = true;
    let first = true;
    for (const part of splitChain(raw)) {
      if (!first && ((part.op === '||' && ok) || (part.op === '&&' && !ok))) continue;
      first = false;
      const words = part.words.map((w) => expand(w, ctx.vars));
      const cmd = words[0] ?? '';
      if (cmd === 'goto') {
        const target = labels.get(words[1] ?? '');
        if (target === undefined) {
          ok = false;
          continue;
        }
        pc = target + 1;
        ok = true;
        break;
      }
      ok = await command(ctx, cmd, words.slice(1), baseUrl);
      if (ctx.result) return true;
    }
  }
  return true;
}

async function load(ctx: Ctx, url: string, baseUrl: string): Promise<{ file: LoadedFile; bytes: Buffer } | null> {
  const abs = new URL(url, baseUrl).href;
  try {
    const bytes = await ctx.fetch(abs);
    ctx.log(`ipxe: fetched ${abs} (${bytes.length} bytes)`);
    return { file: describe(abs, bytes), bytes };
  } catch (err) {
    ctx.log(`ipxe: cannot fetch ${abs}: ${(err as Error).message}`);
    return null;
  }
}

async function command(ctx: Ctx, cmd: string, args: string[], baseUrl: string): Promise<boolean> {
  switch (cmd) {
    case 'set': {
      const [nameType, ...value] = args;
      if (!nameType) return false;
      ctx.vars.set(nameType.split(':')[0]!.toLowerCase(), value.join(' '));
      return true;
    }
    case 'clear':
      ctx.vars.delete((args[0] ?? '').toLowerCase());
      return true;
    case 'inc': {
      const name = (args[0] ?? '').split(':')[0]!.toLowerCase();
      ctx.vars.set(name, String(Number(ctx.vars.get(name) || 0) + Number(args[1] ?? 1)));
      return true;
    }
    case 'isset':
      return args.length > 0 && args.join('') !== '';
    case 'iseq':
      return (args[0] ?? '') === (args[1] ?? '');
    case 'echo':
      ctx.log(`ipxe: ${args.filter((a) => a !== '-n').join(' ')}`);
      return true;
    case 'dhcp': case 'ifconf': case 'ifopen': case 'imgfree': case 'sleep': case 'cpuid': case 'params': case 'param':
      return true;
    case 'prompt':
      return false; // nobody presses a key in the lab: the prompt times out
    case 'kernel': case 'imgexec': case 'chain': case 'imgselect': case 'boot':
    case 'initrd': case 'imgfetch': case 'module': case 'imgload':
      return image(ctx, cmd, args, baseUrl);
    case 'sanboot':
      ctx.result = { kind: 'local', reason: `iPXE sanboot ${args.join(' ')}`.trim() };
      return true;
    case 'exit':
      // Leaving iPXE hands control back to the firmware, which tries the next boot device: the disk.
      if (ctx.depth === 0) ctx.result = { kind: 'local', reason: 'iPXE script exited' };
      throw new ScriptExit();
    case 'shell': case 'reboot': case 'poweroff':
      ctx.result = { kind: 'failed', reason: `iPXE script ran ${cmd}` };
      return true;
    default:
      ctx.log(`ipxe: ${cmd}: command not found`);
      return false;
  }
}

function isScript(bytes: Buffer): boolean {
  return bytes.subarray(0, 5).toString('latin1') === '#!ipx';
}

async function image(ctx: Ctx, cmd: string, args: string[], baseUrl: string): Promise<boolean> {
  if (cmd === 'boot') {
    if (!ctx.kernel) return false;
    ctx.result = { kind: 'kernel', kernel: ctx.kernel.file, initrds: [...ctx.initrds], cmdline: ctx.kernel.cmdline };
    return true;
  }
  const { rest } = stripOptions(args);
  const [url, ...cmdArgs] = rest;
  if (!url) return false;
  const got = await load(ctx, url, baseUrl);
  if (!got) return false;
  if (cmd === 'initrd' || cmd === 'imgfetch' || cmd === 'module' || cmd === 'imgload') {
    if (isScript(got.bytes)) return true;
    ctx.initrds.push(got.file);
    return true;
  }
  if (isScript(got.bytes)) {
    if (cmd === 'kernel') return true; // a script loaded as an image only runs when chained
    if (ctx.depth > 8) return false;
    ctx.depth++;
    try {
      await runScript(ctx, got.bytes.toString('utf8'), got.file.url);
    } catch (err) {
      if (!(err instanceof ScriptExit)) throw err;
    } finally {
      ctx.depth--;
    }
    return true;
  }
  ctx.kernel = { file: got.file, bytes: got.bytes, cmdline: cmdArgs.join(' ') };
  if (cmd === 'chain' || cmd === 'imgexec') {
    ctx.result = { kind: 'kernel', kernel: got.file, initrds: [...ctx.initrds], cmdline: cmdArgs.join(' ') };
  }
  return true;
}

/** Runs the script at `url` as iPXE would after DHCP; resolves to what it boots. */
export async function runIpxe(url: string, env: IpxeEnv, fetch: Fetcher, log: (line: string) => void = () => {}): Promise<BootTarget> {
  const vars = new Map<string, string>([
    ['mac', env.mac.toLowerCase()], ['net0/mac', env.mac.toLowerCase()], ['ip', env.ip], ['net0/ip', env.ip],
    ['netmask', env.netmask], ['next-server', env.nextServer], ['filename', env.filename], ['platform', env.platform],
    ['buildarch', env.platform === 'efi' ? 'x86_64' : 'i386'], ['uuid', env.uuid ?? ''], ['user-class', 'iPXE'],
  ]);
  const ctx: Ctx = { vars, fetch, log, initrds: [], steps: 0, depth: 0 };
  const got = await load(ctx, url, url);
  if (!got) return { kind: 'failed', reason: `cannot fetch the iPXE script ${url}` };
  if (!isScript(got.bytes)) return { kind: 'failed', reason: `${url} is not an iPXE script (no #!ipxe line)` };
  try {
    await runScript(ctx, got.bytes.toString('utf8'), got.file.url);
  } catch (err) {
    if (!(err instanceof ScriptExit)) return { kind: 'failed', reason: (err as Error).message };
  }
  return ctx.result ?? { kind: 'failed', reason: `iPXE script ${url} ended without booting anything` };
}
