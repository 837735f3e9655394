// Making a disk not look deployed: erase_devices_metadata (the clean step, and what a failed image write
// leaves behind) zeroes the first and last MiB of every partition (filesystem, RAID and swap signatures
// live there), then the first 64 MiB and last MiB of the disk (MBR, GPT and its backup, boot loaders).
// erase_devices zeroes the whole disk. Hand-written with positional writes rather than wipefs/sgdisk -Z,
// because the lab's sandbox has no partition device nodes for wipefs to open.
import { open, type FileHandle } from 'node:fs/promises';
import { readPartitionTable } from './partition-table.js';

const MIB = 2 ** 20;
const ZERO = Buffer.alloc(8 * MIB);

async function zeroRange(fh: FileHandle, offset: number, length: number, onBytes?: (n: number) => void): Promise<void> {
  let done = 0;
  while (done < length) {
    const n = Math.min(ZERO.length, length - done);
    const { bytesWritten } = await fh.write(ZERO, 0, n, offset + done);
    if (bytesWritten <= 0) throw new Error(`short write at offset ${offset + done}`);
    done += bytesWritten;
    onBytes?.(done);
  }
}

/** `size` is the disk's (BlockDevice.size). @returns what was zeroed, for the step result. */
export async function wipeMetadata(path: string, size: number): Promise<{ partitions: number; bytesZeroed: number }> {
  const fh = await open(path, 'r+');
  try {
    const table = await readPartitionTable(fh).catch(() => null);
    const ranges: [number, number][] = [];
    for (const p of table?.partitions ?? []) {
      if (p.offset >= size) continue;
      const len = Math.min(p.length, size - p.offset);
      ranges.push([p.offset, Math.min(MIB, len)]);
      if (len > MIB) ranges.push([p.offset + len - MIB, MIB]);
    }
    ranges.push([0, Math.min(64 * MIB, size)]);
    if (size > MIB) ranges.push([size - MIB, MIB]);
    let bytes = 0;
    for (const [off, len] of ranges) {
      await zeroRange(fh, off, len);
      bytes += len;
    }
    await fh.sync();
    return { partitions: table?.partitions.length ?? 0, bytesZeroed: bytes };
  } finally {
    await fh.close();
  }
}

/** Zeroes the whole disk with large writes and one flush; `onProgress` gets bytes done and total. */
export async function zeroDevice(path: string, size: number, onProgress?: (done: number, total: number) => void): Promise<number> {
  const fh = await open(path, 'r+');
  try {
    await zeroRange(fh, 0, size, (n) => onProgress?.(n, size));
    await fh.sync();
    return size;
  } finally {
    await fh.close();
  }
}
