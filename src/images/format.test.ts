// Format detection and safety checks on real images made by qemu-img and genisoimage (both installed by
// scripts/install-deps.sh --test), plus GPT/MBR disks and a hostile vmdk header written by hand.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageUnacceptableError, InvalidParameterValueError } from '../common/errors.js';
import { checkImageSafety, inspectImage, parseDeclaredFormat, type ImageInfo } from './format.js';

const MiB = 1024 * 1024;
const TiB = 1024 ** 4;
const LIMIT = 2 * TiB;

let dir: string;
const p = (name: string) => join(dir, name);
const qemuImg = (...args: string[]) => execFileSync('qemu-img', args, { cwd: dir, stdio: 'pipe' });

/** A disk with a protective MBR and a GPT header at LBA 1, as sgdisk would leave its first sectors. */
function gptDisk(): Buffer {
  const disk = Buffer.alloc(MiB);
  disk[446 + 4] = 0xee;
  disk[510] = 0x55;
  disk[511] = 0xaa;
  disk.write('EFI PART', 512, 'latin1');
  return disk;
}

/** A disk with a classic MBR: one Linux partition and the boot signature. */
function mbrDisk(): Buffer {
  const disk = Buffer.alloc(MiB);
  disk[446 + 4] = 0x83;
  disk.writeUInt32LE(2048, 446 + 8);
  disk[510] = 0x55;
  disk[511] = 0xaa;
  return disk;
}

/**
 * A sparse vmdk header with capacity 0 whose embedded descriptor names a FLAT extent elsewhere: qemu would
 * open it like a descriptor file and read /etc/passwd as the disk.
 */
function hostileVmdk(): Buffer {
  const buf = Buffer.alloc(4096);
  buf.write('KDMV', 0, 'latin1');
  buf.writeUInt32LE(1, 4);
  buf.writeUInt32LE(3, 8);
  buf.writeBigUInt64LE(0n, 12);
  buf.writeBigUInt64LE(128n, 20);
  buf.writeBigUInt64LE(1n, 28);
  buf.writeBigUInt64LE(1n, 36);
  buf.write('# Disk DescriptorFile\nversion=1\ncreateType="monolithicFlat"\nRW 2048 FLAT "/etc/passwd" 0\n', 512, 'latin1');
  return buf;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'anvil-fmt-'));
  writeFileSync(p('base.raw'), Buffer.alloc(MiB, 7));
  writeFileSync(p('disguised.qcow2'), Buffer.alloc(MiB, 1));
  writeFileSync(p('gpt.img'), gptDisk());
  writeFileSync(p('mbr.img'), mbrDisk());
  writeFileSync(p('hostile.vmdk'), hostileVmdk());
  // No "# Disk DescriptorFile" banner, yet qemu would probe it as a vmdk descriptor: so must we.
  writeFileSync(p('bare-descriptor.img'), '# made by hand\n\nversion=1\ncreateType="monolithicFlat"\nRW 2048 FLAT "/etc/passwd" 0\n');
  qemuImg('create', '-f', 'qcow2', 'plain.qcow2', '64M');
  qemuImg('create', '-f', 'qcow2', '-o', 'compat=0.10', 'v2.qcow2', '16M');
  qemuImg('create', '-f', 'qcow2', '-b', 'base.raw', '-F', 'raw', 'top.qcow2');
  qemuImg('create', '-f', 'qcow2', '-b', '/etc/passwd', '-F', 'raw', 'evil.qcow2', '1M');
  qemuImg('create', '-f', 'qcow2', '-o', 'data_file=ext.raw', 'ext.qcow2', '1M');
  qemuImg('create', '-f', 'qcow2', 'big.qcow2', '3T');
  qemuImg('create', '-f', 'vmdk', 'sparse.vmdk', '32M');
  qemuImg('create', '-f', 'vmdk', '-o', 'subformat=streamOptimized', 'stream.vmdk', '32M');
  qemuImg('create', '-f', 'vmdk', '-o', 'subformat=monolithicFlat', 'flat.vmdk', '1M');
  qemuImg('create', '-f', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse', 'split.vmdk', '1M');
  qemuImg('create', '-f', 'vmdk', '-b', 'sparse.vmdk', '-F', 'vmdk', 'child.vmdk');
  qemuImg('create', '-f', 'vpc', 'dynamic.vhd', '32M');
  qemuImg('create', '-f', 'vpc', '-o', 'subformat=fixed', 'fixed.vhd', '4M');
  qemuImg('create', '-f', 'vhdx', 'disk.vhdx', '64M');
  qemuImg('create', '-f', 'qed', 'disk.qed', '1M');
  qemuImg('create', '-f', 'vdi', 'disk.vdi', '1M');
  mkdirSync(p('iso-root'));
  writeFileSync(p('iso-root/hello.txt'), 'hello');
  execFileSync('genisoimage', ['-quiet', '-o', p('disk.iso'), '-V', 'TEST', p('iso-root')], { stdio: 'pipe' });
  execFileSync('mkfifo', [p('pipe')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('inspectImage', () => {
  const cases: [string, Partial<ImageInfo>][] = [
    ['base.raw', { format: 'raw', virtualSize: MiB, fileSize: MiB }],
    ['disguised.qcow2', { format: 'raw', virtualSize: MiB }],
    ['gpt.img', { format: 'gpt', partitionTable: 'gpt', virtualSize: MiB }],
    ['mbr.img', { format: 'raw', partitionTable: 'mbr', virtualSize: MiB }],
    ['plain.qcow2', { format: 'qcow2', virtualSize: 64 * MiB, encrypted: false, anomalies: [] }],
    ['v2.qcow2', { format: 'qcow2', virtualSize: 16 * MiB, anomalies: [] }],
    ['top.qcow2', { format: 'qcow2', virtualSize: MiB, backingFile: 'base.raw' }],
    ['evil.qcow2', { format: 'qcow2', backingFile: '/etc/passwd' }],
    ['ext.qcow2', { format: 'qcow2', dataFile: true, dataFileName: 'ext.raw' }],
    ['big.qcow2', { format: 'qcow2', virtualSize: 3 * TiB }],
    ['sparse.vmdk', { format: 'vmdk', virtualSize: 32 * MiB, subformat: 'monolithicSparse', extents: ['sparse.vmdk'], anomalies: [] }],
    ['stream.vmdk', { format: 'vmdk', virtualSize: 32 * MiB, subformat: 'streamOptimized', anomalies: [] }],
    ['flat.vmdk', { format: 'vmdk', virtualSize: MiB, descriptorOnly: true, extents: ['flat-flat.vmdk'] }],
    ['child.vmdk', { format: 'vmdk', backingFile: 'sparse.vmdk' }],
    ['dynamic.vhd', { format: 'vhd', subformat: 'dynamic', anomalies: [] }],
    ['fixed.vhd', { format: 'vhd', subformat: 'fixed', anomalies: [] }],
    ['disk.vhdx', { format: 'vhdx', virtualSize: 64 * MiB, anomalies: [] }],
    ['disk.iso', { format: 'iso' }],
    ['disk.qed', { format: 'qed' }],
    ['disk.vdi', { format: 'vdi' }],
  ];
  it.each(cases)('detects %s', async (name, want) => {
    expect(await inspectImage(p(name))).toMatchObject(want);
  });

  it('reads a vhd virtual size close to what was asked (CHS rounding)', async () => {
    const info = await inspectImage(p('dynamic.vhd'));
    expect(info.virtualSize).toBeGreaterThanOrEqual(32 * MiB - 2 * MiB);
    expect(info.virtualSize).toBeLessThanOrEqual(32 * MiB + 2 * MiB);
  });

  it('refuses a FIFO without blocking on it', async () => {
    await expect(inspectImage(p('pipe'))).rejects.toThrow(/is not a regular file; refused/);
  });
});

describe('checkImageSafety', () => {
  const check = async (name: string, opts: Partial<Parameters<typeof checkImageSafety>[1]> = {}) =>
    checkImageSafety(await inspectImage(p(name)), { maxVirtualSize: LIMIT, name: name, ...opts });

  it.each(['base.raw', 'gpt.img', 'mbr.img', 'plain.qcow2', 'v2.qcow2', 'sparse.vmdk', 'stream.vmdk', 'dynamic.vhd', 'fixed.vhd', 'disk.vhdx', 'disk.iso'])(
    'accepts %s', async (name) => {
      await expect(check(name)).resolves.toBeUndefined();
    });

  const refused: [string, Partial<Parameters<typeof checkImageSafety>[1]>, RegExp][] = [
    ['top.qcow2', {}, /^Image top\.qcow2 is qcow2 with a backing file \(base\.raw\); refused$/],
    ['evil.qcow2', {}, /^Image evil\.qcow2 is qcow2 with a backing file \(\/etc\/passwd\); refused$/],
    ['ext.qcow2', {}, /^Image ext\.qcow2 is qcow2 with an external data file \(ext\.raw\); refused$/],
    ['big.qcow2', {}, /^Image big\.qcow2 has a virtual size of 3298534883328 bytes, more than the 2199023255552 allowed \(setting maxImageVirtualSize\); refused$/],
    ['sparse.vmdk', { maxVirtualSize: 16 * MiB }, /has a virtual size of 33554432 bytes/],
    ['flat.vmdk', {}, /^Image flat\.vmdk is a vmdk whose descriptor points at other files \(flat-flat\.vmdk\); refused$/],
    ['split.vmdk', {}, /is a vmdk whose descriptor points at other files \(split-s001\.vmdk\)/],
    ['child.vmdk', {}, /is vmdk with a parent image \(sparse\.vmdk\)/],
    ['hostile.vmdk', {}, /unusable header: .*FLAT extent \(\/etc\/passwd\).*capacity 0/],
    ['bare-descriptor.img', { declaredFormat: 'raw' }, /is a vmdk whose descriptor points at other files \(\/etc\/passwd\)/],
    ['disk.qed', {}, /is qed, which is not a supported image format/],
    ['disk.vdi', {}, /is vdi, which is not a supported image format/],
    // The classic disguise: a qcow2 declared raw would be written to disk as qcow2 bytes, or worse,
    // probed as qcow2 by a later tool.
    ['plain.qcow2', { declaredFormat: 'raw' }, /^Image plain\.qcow2 is declared as raw \(image_disk_format\) but its content is qcow2; refused$/],
    ['disguised.qcow2', { declaredFormat: 'qcow2' }, /is declared as qcow2 \(image_disk_format\) but its content is raw/],
    ['mbr.img', { declaredFormat: 'gpt' }, /declared as gpt .* content is raw \(MBR disk\)/],
    ['disk.iso', { declaredFormat: 'qcow2' }, /content is iso/],
    ['disk.vhdx', { declaredFormat: 'vhd' }, /declared as vhd .* content is vhdx/],
    ['plain.qcow2', { allowedFormats: ['raw'] }, /is qcow2, but only raw can be used here/],
  ];
  it.each(refused)('refuses %s %j', async (name, opts, want) => {
    const err = await check(name, opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageUnacceptableError);
    expect((err as Error).message).toMatch(want);
  });

  const consistent: [string, string][] = [
    ['base.raw', 'raw'], ['gpt.img', 'raw'], ['mbr.img', 'raw'], ['disk.iso', 'raw'], ['gpt.img', 'gpt'], ['disk.iso', 'iso'],
    ['plain.qcow2', 'qcow2'], ['plain.qcow2', 'QCOW2'], ['sparse.vmdk', 'vmdk'], ['dynamic.vhd', 'vhd'], ['fixed.vhd', 'vpc'], ['disk.vhdx', 'vhdx'],
  ];
  it.each(consistent)('accepts %s declared as %s', async (name, declaredFormat) => {
    await expect(check(name, { declaredFormat })).resolves.toBeUndefined();
  });

  it('accepts a large image when the limit allows it', async () => {
    await expect(check('big.qcow2', { maxVirtualSize: 4 * TiB })).resolves.toBeUndefined();
  });
});

describe('parseDeclaredFormat', () => {
  it('accepts the known formats, case-insensitively, and nothing else', () => {
    expect(parseDeclaredFormat(undefined)).toBeUndefined();
    expect(parseDeclaredFormat('RAW')).toBe('raw');
    expect(parseDeclaredFormat('vpc')).toBe('vpc');
    for (const bad of ['vdi', 'ami', 'ploop', 7]) {
      expect(() => parseDeclaredFormat(bad)).toThrow(InvalidParameterValueError);
      expect(() => parseDeclaredFormat(bad)).toThrow(/is not a supported disk format; supported: raw, gpt, iso, qcow2, vmdk, vhd, vpc, vhdx/);
    }
  });
});
