// A virtual machine's disk: a sparse file behind a loop device, and what "booting the disk" finds on it
// (partition table and a hash of the first MiB), which is how the lab shows that a deploy wrote an image.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, realpathSync } from 'node:fs';
import { open, truncate } from 'node:fs/promises';
import { basename } from 'node:path';
import { LabError, run } from './host.js';

/** `512M`, `4G`, `1T` or bytes → bytes. */
export function parseSize(text: string): number {
  const m = /^(\d+)([KMGT]?)(i?B)?$/i.exec(text.trim());
  if (!m) throw new LabError(`size must be a number with an optional K, M, G or T suffix, got ${JSON.stringify(text)}`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'];
  const bytes = Number(m[1]) * unit;
  if (bytes < 64 * 1024 ** 2) throw new LabError(`disk size must be at least 64M, got ${text}`);
  return bytes;
}

export async function createDisk(file: string, sizeBytes: number): Promise<void> {
  await (await open(file, 'wx', 0o600)).close();
  await truncate(file, sizeBytes);
}

/** Attaches the file to a free loop device; resolves to `/dev/loopN`. */
export async function attachLoop(file: string): Promise<string> {
  const { stdout } = await run('losetup', ['--find', '--show', file]);
  return stdout.trim();
}

/** The file behind a loop device, or null when the device is not attached. */
export function loopBackingFile(device: string): string | null {
  try {
    return readFileSync(`/sys/block/${basename(device)}/loop/backing_file`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Detaches the device only while it is still backed by `file` (loop numbers are reused). */
export async function detachLoop(device: string, file: string): Promise<boolean> {
  const backing = loopBackingFile(device);
  if (backing === null) return false;
  let want = file;
  try {
    want = realpathSync(file);
  } catch {
    // the file is gone; the kernel then reports "<path> (deleted)"
  }
  if (backing !== want && backing !== `${want} (deleted)`) return false;
  await run('losetup', ['-d', device]);
  return true;
}

export interface DiskReport {
  readonly checkedAt: string;
  readonly device: string;
  /** sha256 of the first MiB, the part holding boot code and partition tables. */
  readonly sha256FirstMiB: string;
  /** True when the first MiB holds nothing but zero bytes (a blank or erased disk). */
  readonly blank: boolean;
  /** `gpt`, `dos` or null when the disk has no partition table. */
  readonly partitionTable: string | null;
  readonly partitions: ReadonlyArray<{ readonly node: string; readonly start: number; readonly size: number; readonly type: string }>;
}

/** Reads what the disk holds, as a firmware looking for something to boot would. */
export async function inspectDisk(device: string): Promise<DiskReport> {
  const buf = Buffer.alloc(1024 * 1024);
  const fd = openSync(device, 'r');
  let n: number;
  try {
    n = readSync(fd, buf, 0, buf.length, 0);
  } finally {
    closeSync(fd);
  }
  const head = buf.subarray(0, n);
  let partitionTable: string | null = null;
  let partitions: DiskReport['partitions'] = [];
  try {
    const { stdout } = await run('sfdisk', ['--json', device]);
    const pt = (JSON.parse(stdout) as { partitiontable: { label: string; partitions?: Array<{ node: string; start: number; size: number; type: string }> } }).partitiontable;
    partitionTable = pt.label;
    partitions = (pt.partitions ?? []).map((p) => ({ node: p.node, start: p.start, size: p.size, type: p.type }));
  } catch {
    // sfdisk fails on a disk without a partition table: that is a finding, not an error
  }
  return {
    checkedAt: new Date().toISOString(), device,
    sha256FirstMiB: createHash('sha256').update(head).digest('hex'),
    blank: head.every((b) => b === 0), partitionTable, partitions,
  };
}
