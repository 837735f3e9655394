// Reads the partition table straight from a disk's first and last sectors: GPT (header at LBA 1, 512- or
// 4096-byte sectors) or MBR. Used to check a written image really is a partitioned disk, to report the disk
// identifier as IPA's `root uuid`, to find the config drive partition without partition device nodes (the
// lab's sandbox has none), and to wipe each partition's signatures. Only reads; never writes.
import type { FileHandle } from 'node:fs/promises';

export interface Partition {
  readonly number: number;
  /** Byte offset and length on the disk. */
  readonly offset: number;
  readonly length: number;
  readonly type: string;
  readonly uuid: string | null;
  readonly name: string | null;
}

export type PartitionTable =
  | { readonly kind: 'gpt'; readonly sectorSize: number; readonly diskGuid: string; readonly partitions: readonly Partition[] }
  | { readonly kind: 'mbr'; readonly signature: string; readonly partitions: readonly Partition[] };

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, offset);
  return buf.subarray(0, bytesRead);
}

/** GPT GUIDs store their first three fields little-endian. */
export function guidAt(b: Buffer, off: number): string {
  const hex = (s: number, e: number, rev: boolean) => {
    const part = Buffer.from(b.subarray(off + s, off + e));
    return (rev ? part.reverse() : part).toString('hex');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}

async function readGpt(fh: FileHandle, sectorSize: number): Promise<PartitionTable | null> {
  const hdr = await readAt(fh, sectorSize, 92);
  if (hdr.length < 92 || hdr.toString('latin1', 0, 8) !== 'EFI PART') return null;
  const entriesLba = Number(hdr.readBigUInt64LE(72));
  const count = hdr.readUInt32LE(80);
  const size = hdr.readUInt32LE(84);
  if (size < 128 || count > 1024) return null;
  const entries = await readAt(fh, entriesLba * sectorSize, count * size);
  const partitions: Partition[] = [];
  for (let i = 0; i * size + size <= entries.length; i++) {
    const e = entries.subarray(i * size, (i + 1) * size);
    if (e.subarray(0, 16).every((x) => x === 0)) continue;
    const first = Number(e.readBigUInt64LE(32));
    const last = Number(e.readBigUInt64LE(40));
    const name = e.subarray(56, 128).toString('utf16le').replace(/\0.*$/s, '');
    partitions.push({ number: i + 1, offset: first * sectorSize, length: (last - first + 1) * sectorSize, type: guidAt(e, 0), uuid: guidAt(e, 16), name: name || null });
  }
  return { kind: 'gpt', sectorSize, diskGuid: guidAt(hdr, 56), partitions };
}

/** The disk's partition table, or null when it has none (blank or junk). */
export async function readPartitionTable(fh: FileHandle): Promise<PartitionTable | null> {
  const mbr = await readAt(fh, 0, 512);
  if (mbr.length < 512 || mbr[510] !== 0x55 || mbr[511] !== 0xaa) return null;
  const parts: Partition[] = [];
  let protective = false;
  for (let i = 0; i < 4; i++) {
    const e = mbr.subarray(446 + i * 16, 462 + i * 16);
    const type = e[4]!;
    const start = e.readUInt32LE(8);
    const sectors = e.readUInt32LE(12);
    if (type === 0xee) protective = true;
    if (type !== 0 && sectors > 0) {
      parts.push({ number: i + 1, offset: start * 512, length: sectors * 512, type: `0x${type.toString(16).padStart(2, '0')}`, uuid: null, name: null });
    }
  }
  if (protective) return (await readGpt(fh, 512)) ?? (await readGpt(fh, 4096));
  // An MBR signature with no partition in it is no partition table (a boot sector image, say).
  if (!parts.length) return null;
  return { kind: 'mbr', signature: `0x${mbr.readUInt32LE(440).toString(16).padStart(8, '0')}`, partitions: parts };
}

/** IPA's `root uuid` of a whole-disk image: the GPT disk GUID or the MBR disk signature. */
export function diskIdentifier(t: PartitionTable): string {
  return t.kind === 'gpt' ? t.diskGuid : t.signature;
}
