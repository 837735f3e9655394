// Conversion of qcow2, vmdk, vhd and vhdx images to raw with `qemu-img convert` (Ironic's force_raw_images).
// The source format is always named, never probed, and the result appears under its final name only once
// it is complete and on disk. Callers run checkImageSafety (format.ts) on the source first.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ImageConvertFailedError } from '../common/errors.js';
import { isRawLike, qemuFormatName, type DiskFormat } from './format.js';

export type ConvertibleFormat = 'qcow2' | 'vmdk' | 'vhd' | 'vhdx';
const CONVERTIBLE: readonly DiskFormat[] = ['qcow2', 'vmdk', 'vhd', 'vhdx'];

export interface ConvertOptions {
  /** Called with 0–100 as qemu-img reports progress (`-p`). */
  readonly onProgress?: (percent: number) => void;
  readonly signal?: AbortSignal;
  /** The qemu-img binary; `qemu-img` from PATH by default. */
  readonly qemuImg?: string;
}

/** Whether an image of `format` has to be converted before use, given setting forceRawImages. */
export function needsConversion(format: DiskFormat, forceRaw: boolean): format is ConvertibleFormat {
  return forceRaw && !isRawLike(format) && CONVERTIBLE.includes(format);
}

/**
 * Writes the raw contents of `src` (of the given, already detected `format`) to `dest`, through a temporary
 * file in dest's directory that is fsynced and renamed: a crash leaves no partial `dest` behind.
 * @throws ImageConvertFailedError with qemu-img's own message.
 */
export async function convertToRaw(src: string, dest: string, format: DiskFormat, opts: ConvertOptions = {}): Promise<void> {
  if (!CONVERTIBLE.includes(format)) {
    throw new ImageConvertFailedError(`Cannot convert ${src}: ${format} is not one of ${CONVERTIBLE.join(', ')}`);
  }
  const absSrc = resolve(src);
  const absDest = resolve(dest);
  const tmp = join(dirname(absDest), `.${basename(absDest)}.${randomBytes(6).toString('hex')}.converting`);
  const driver = qemuFormatName(format);
  // The json: form names the format driver and the plain-file protocol explicitly, so neither a backing
  // file recorded in the header (backing: null) nor a "proto:" prefix in the file name is ever followed.
  const source = `json:${JSON.stringify({ driver, file: { driver: 'file', filename: absSrc }, backing: null })}`;
  try {
    await runQemuImg(opts.qemuImg ?? 'qemu-img', ['convert', '-p', '-f', driver, '-O', 'raw', source, tmp], src, opts);
    const fh = await open(tmp, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, absDest);
    await syncDir(dirname(absDest));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Makes a rename durable. Some platforms cannot fsync a directory; the rename itself has happened anyway. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync().catch(() => undefined);
  } finally {
    await fh.close();
  }
}

const PROGRESS = /\((\d+(?:\.\d+)?)\/100%\)/g;

function runQemuImg(bin: string, args: string[], src: string, opts: ConvertOptions): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    if (opts.signal?.aborted) return reject(new ImageConvertFailedError(`Conversion of ${src} was cancelled`));
    // LC_ALL=C keeps qemu-img's messages in English for the operator-facing error.
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let stderr = '';
    let last = -1;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      for (const m of chunk.matchAll(PROGRESS)) {
        const pct = Number(m[1]);
        if (pct !== last) opts.onProgress?.((last = pct));
      }
    });
    // Only the tail matters for the message; cap it so a chatty failure cannot grow memory.
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4096);
    });
    const onAbort = () => child.kill('SIGTERM');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err: NodeJS.ErrnoException) => {
      opts.signal?.removeEventListener('abort', onAbort);
      reject(err.code === 'ENOENT'
        ? new ImageConvertFailedError(`${bin} was not found; install qemu-img (Debian package qemu-utils) to convert qcow2, vmdk, vhd and vhdx images`, { cause: err })
        : new ImageConvertFailedError(`Could not run ${bin}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (code === 0) return resolvePromise();
      if (opts.signal?.aborted) return reject(new ImageConvertFailedError(`Conversion of ${src} was cancelled`));
      reject(new ImageConvertFailedError(`qemu-img convert of ${src} failed (${signal ?? `exit ${code}`}): ${stderr.trim() || 'no message'}`));
    });
  });
}
