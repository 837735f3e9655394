// Boot from the virtual CD of a Redfish BMC: the image URL inserted through VirtualMedia.InsertMedia
// (BMC_DIR/virtual-media.json) is fetched from the host, as a BMC fetches from its own network, and read with
// genisoimage's `isoinfo` (Rock Ridge names): the boot config (/boot/grub/grub.cfg or
// /isolinux/isolinux.cfg, by boot mode) names the kernel, initrd and command line, read by the same GRUB and
// PXELINUX readers network boot uses. Layout agreed in docs/redfish.md.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { run } from '../host.js';
import { readJson } from '../state.js';
import type { BootTarget, LoadedFile } from './boot-target.js';
import { readGrubConfig } from './grub-config.js';
import { readPxelinuxConfig } from './pxelinux-config.js';

export interface CdBootResult {
  readonly image: string;
  readonly target: BootTarget;
  /** The ISO itself and every file read from it (url `iso:<path>`). */
  readonly fetched: LoadedFile[];
  /** First KiB of each file read, by url, for the kernel and initrd checks. */
  readonly heads: ReadonlyMap<string, Buffer>;
}

const CONFIGS = { uefi: ['/boot/grub/grub.cfg', '/EFI/BOOT/grub.cfg', '/isolinux/isolinux.cfg'], bios: ['/isolinux/isolinux.cfg', '/syslinux/syslinux.cfg', '/boot/grub/grub.cfg'] };

/** Streams one file out of the ISO: size, sha256, first KiB and (when `keep`) all bytes. */
function isoFile(iso: string, path: string, keep: boolean): Promise<{ file: LoadedFile; head: Buffer; bytes: Buffer | null }> {
  return new Promise((ok, fail) => {
    const child = spawn('isoinfo', ['-R', '-i', iso, '-x', path], { stdio: ['ignore', 'pipe', 'pipe'] });
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let head = Buffer.alloc(0);
    let size = 0;
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      hash.update(b);
      size += b.length;
      if (head.length < 1024) head = Buffer.concat([head, b.subarray(0, 1024 - head.length)]);
      if (keep) chunks.push(b);
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('error', fail);
    child.once('close', (code) => {
      if (code !== 0) return fail(new Error(`isoinfo could not read ${path}: ${stderr.trim() || `exit ${code}`}`));
      ok({ file: { url: `iso:${path}`, size, sha256: hash.digest('hex') }, head, bytes: keep ? Buffer.concat(chunks) : null });
    });
  });
}

/** A config's kernel/initrd path as a path in the ISO (GRUB may say `(cd)/vmlinuz`, PXELINUX a relative name). */
function isoPath(p: string, configPath: string): string {
  const bare = p.replace(/^\([^)]*\)/, '');
  return bare.startsWith('/') ? posix.normalize(bare) : posix.join(posix.dirname(configPath), bare);
}

export async function cdBoot(o: { bmcDir: string; workDir: string; mac: string; bootMode: 'bios' | 'uefi'; log: (line: string) => void }): Promise<CdBootResult> {
  const medium = readJson<{ image: string }>(join(o.bmcDir, 'virtual-media.json'));
  if (!medium?.image) throw new Error('no medium in the virtual CD');
  const iso = join(o.workDir, 'virtual-cd.iso');
  const fetched: LoadedFile[] = [];
  const heads = new Map<string, Buffer>();
  const done = (target: BootTarget): CdBootResult => ({ image: medium.image, target, fetched, heads });
  try {
    o.log(`cd: fetching ${medium.image}`);
    await run('curl', ['-sS', '--fail', '--max-time', '600', '--connect-timeout', '10', ...(medium.image.startsWith('https:') ? ['--insecure'] : []),
      '-o', iso, medium.image], { timeoutMs: 610_000 });
    const sha = createHash('sha256');
    let size = 0;
    for await (const b of createReadStream(iso) as AsyncIterable<Buffer>) {
      sha.update(b);
      size += b.length;
    }
    fetched.push({ url: medium.image, size, sha256: sha.digest('hex') });
    const listing = (await run('isoinfo', ['-R', '-f', '-i', iso])).stdout.split('\n').map((l) => l.trim());
    const configPath = CONFIGS[o.bootMode].find((c) => listing.includes(c));
    if (!configPath) return done({ kind: 'failed', reason: `the CD holds no boot config (${CONFIGS[o.bootMode].join(', ')})` });
    const config = await isoFile(iso, configPath, true);
    fetched.push(config.file);
    const text = config.bytes!.toString('utf8');
    const choice = configPath.endsWith('grub.cfg') ? readGrubConfig(text) : readPxelinuxConfig(text, o.mac);
    if (choice.kind !== 'kernel') return done(choice);
    const load = async (p: string): Promise<LoadedFile> => {
      const path = isoPath(p, configPath);
      if (!listing.includes(path)) throw new Error(`${configPath} names ${p}, which the CD does not hold`);
      const f = await isoFile(iso, path, false);
      fetched.push(f.file);
      heads.set(f.file.url, f.head);
      return f.file;
    };
    const kernel = await load(choice.kernel);
    const initrds: LoadedFile[] = [];
    for (const i of choice.initrds) initrds.push(await load(i));
    o.log(`cd: ${configPath}: kernel ${kernel.url}, ${initrds.length} initrd(s)`);
    return done({ kind: 'kernel', kernel, initrds, cmdline: choice.cmdline });
  } finally {
    await rm(iso, { force: true });
  }
}
