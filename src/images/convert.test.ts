// Conversion to raw with the real qemu-img: byte-equal results from every container format, progress, no
// partial file on failure, and a backing file recorded in a qcow2 header never followed.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageConvertFailedError } from '../common/errors.js';
import { convertToRaw, needsConversion } from './convert.js';
import { inspectImage, type DiskFormat } from './format.js';

const MiB = 1024 * 1024;
let dir: string;
let original: Buffer;
const p = (name: string) => join(dir, name);
const qemuImg = (...args: string[]) => execFileSync('qemu-img', args, { cwd: dir, stdio: 'pipe' });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'anvil-conv-'));
  // Random data with a zero hole in the middle, so sparse handling is exercised too.
  original = Buffer.concat([randomBytes(3 * MiB), Buffer.alloc(2 * MiB), randomBytes(3 * MiB)]);
  writeFileSync(p('original.raw'), original);
  qemuImg('convert', '-f', 'raw', '-O', 'qcow2', 'original.raw', 'image.qcow2');
  qemuImg('convert', '-f', 'raw', '-O', 'qcow2', '-c', 'original.raw', 'compressed.qcow2');
  qemuImg('convert', '-f', 'raw', '-O', 'vmdk', 'original.raw', 'image.vmdk');
  qemuImg('convert', '-f', 'raw', '-O', 'vhdx', 'original.raw', 'image.vhdx');
  // force_size keeps the exact size instead of rounding it to a CHS geometry.
  qemuImg('convert', '-f', 'raw', '-O', 'vpc', '-o', 'force_size=on', 'original.raw', 'image.vhd');
  qemuImg('create', '-f', 'qcow2', '-b', 'original.raw', '-F', 'raw', 'top.qcow2');
  // An L1 table offset that is not cluster-aligned: qemu-img refuses to open the image.
  const broken = readFileSync(p('image.qcow2'));
  broken.writeBigUInt64BE(12345n, 40);
  writeFileSync(p('broken.qcow2'), broken);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('convertToRaw', () => {
  it.each(['image.qcow2', 'compressed.qcow2', 'image.vmdk', 'image.vhdx', 'image.vhd'])('turns %s into the original raw bytes', async (name) => {
    const info = await inspectImage(p(name));
    const out = p(`${name}.raw`);
    await convertToRaw(p(name), out, info.format);
    expect(readFileSync(out).equals(original)).toBe(true);
    expect((await inspectImage(out)).format).toBe('raw');
  });

  it('reports progress up to 100 %', async () => {
    const seen: number[] = [];
    await convertToRaw(p('image.qcow2'), p('progress.raw'), 'qcow2', { onProgress: (pct) => seen.push(pct) });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe(100);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('never follows a backing file named in the header', async () => {
    // checkImageSafety refuses such images first; this is the second line of defence.
    await convertToRaw(p('top.qcow2'), p('top.raw'), 'qcow2');
    const out = readFileSync(p('top.raw'));
    expect(out.length).toBe(original.length);
    expect(out.equals(Buffer.alloc(original.length))).toBe(true);
  });

  it('fails with qemu-img\'s message and leaves neither the result nor a temporary file', async () => {
    const before = readdirSync(dir).length;
    const err = await convertToRaw(p('broken.qcow2'), p('broken.raw'), 'qcow2').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageConvertFailedError);
    expect((err as Error).message).toMatch(/^qemu-img convert of .*broken\.qcow2 failed \(exit 1\): qemu-img: /);
    expect(existsSync(p('broken.raw'))).toBe(false);
    expect(readdirSync(dir).length).toBe(before);
  });

  it('refuses raw-like sources, which need no conversion', async () => {
    await expect(convertToRaw(p('original.raw'), p('copy.raw'), 'raw')).rejects.toThrow(/raw is not one of qcow2, vmdk, vhd, vhdx/);
  });

  it('says how to get qemu-img when it is missing', async () => {
    await expect(convertToRaw(p('image.qcow2'), p('x.raw'), 'qcow2', { qemuImg: '/nonexistent/qemu-img' }))
      .rejects.toThrow(/\/nonexistent\/qemu-img was not found; install qemu-img \(Debian package qemu-utils\)/);
  });

  it('stops when cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(convertToRaw(p('image.qcow2'), p('cancelled.raw'), 'qcow2', { signal: ac.signal })).rejects.toThrow(/cancelled/);
    expect(existsSync(p('cancelled.raw'))).toBe(false);
  });
});

describe('needsConversion', () => {
  const cases: [DiskFormat, boolean, boolean][] = [
    ['qcow2', true, true], ['vmdk', true, true], ['vhd', true, true], ['vhdx', true, true],
    ['raw', true, false], ['gpt', true, false], ['iso', true, false], ['qcow2', false, false],
  ];
  it.each(cases)('%s with forceRawImages=%s -> %s', (format, force, want) => {
    expect(needsConversion(format, force)).toBe(want);
  });
});
