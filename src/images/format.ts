// What an image really is, read from its content and never from its name or declared format, and whether it
// is safe to use: a qcow2 with a backing file, a vmdk naming other files, a disguised or oversized image
// would make qemu-img (or the node) read what nobody meant to hand out. Ironic's image format inspector.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { ImageUnacceptableError, InvalidParameterValueError } from '../common/errors.js';
import {
  parseQcow2, parseVhdFooter, parseVhdx, parseVmdkDescriptorFile, parseVmdkSparse, type ByteReader, type HeaderFacts,
} from './format-headers.js';

/**
 * Formats told apart by content. `raw`, `gpt` and `iso` are all byte-for-byte disk contents (`raw` includes
 * MBR disks, see `partitionTable`); `qed`, `vdi` and `luks` are recognised only to be refused clearly.
 */
export type DiskFormat = 'raw' | 'gpt' | 'iso' | 'qcow2' | 'vmdk' | 'vhd' | 'vhdx' | 'qed' | 'vdi' | 'luks';

export interface ImageInfo extends Readonly<HeaderFacts> {
  readonly format: DiskFormat;
  /** Bytes of the file itself (virtualSize is what the guest sees). */
  readonly fileSize: number;
  readonly partitionTable?: 'gpt' | 'mbr';
}

const UNSUPPORTED: ReadonlySet<DiskFormat> = new Set(['qed', 'vdi', 'luks']);
const RAW_LIKE: ReadonlySet<DiskFormat> = new Set(['raw', 'gpt', 'iso']);

/** True when the content is written to disk as it is (no qemu-img conversion needed). */
export function isRawLike(format: DiskFormat): boolean {
  return RAW_LIKE.has(format);
}

/** qemu-img's name of a container format; raw-like content is `raw` to qemu-img. */
export function qemuFormatName(format: DiskFormat): string {
  if (isRawLike(format)) return 'raw';
  return format === 'vhd' ? 'vpc' : format;
}

/**
 * Values `instance_info.image_disk_format` may take, and the detected formats each is consistent with.
 * A declared raw image may be a GPT/MBR disk or an ISO (all plain bytes); everything else must match exactly.
 */
const DECLARED: Readonly<Record<string, readonly DiskFormat[]>> = {
  raw: ['raw', 'gpt', 'iso'], gpt: ['gpt'], iso: ['iso'], qcow2: ['qcow2'], vmdk: ['vmdk'], vhd: ['vhd'], vpc: ['vhd'], vhdx: ['vhdx'],
};
export const DECLARABLE_FORMATS: readonly string[] = Object.keys(DECLARED);

/** Checks `image_disk_format` at validation time. @throws InvalidParameterValueError */
export function parseDeclaredFormat(value: unknown, field = 'instance_info.image_disk_format'): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !DECLARED[value.toLowerCase()]) {
    throw new InvalidParameterValueError(`${field}: ${JSON.stringify(value)} is not a supported disk format; supported: ${DECLARABLE_FORMATS.join(', ')}`);
  }
  return value.toLowerCase();
}

const at = (buf: Buffer, offset: number, magic: string) =>
  buf.length >= offset + magic.length && buf.subarray(offset, offset + magic.length).toString('latin1') === magic;

/**
 * Detects the format of the file at `path` and reads its header facts. Reads a few KiB, whatever the size.
 * @throws ImageUnacceptableError when the path is not a regular file.
 */
export async function inspectImage(path: string): Promise<ImageInfo> {
  // O_NONBLOCK so that a FIFO cannot hang the open; fstat then refuses it.
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new ImageUnacceptableError(`Image ${path} is not a regular file; refused`);
    const read: ByteReader = async (offset, length) => {
      if (offset < 0 || offset >= st.size || length <= 0 || !Number.isSafeInteger(offset)) return Buffer.alloc(0);
      const buf = Buffer.alloc(Math.min(length, st.size - offset));
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      return buf.subarray(0, bytesRead);
    };
    return await detect(read, st.size);
  } finally {
    await fh.close();
  }
}

/**
 * qemu's own vmdk probe: after comment and blank lines, a `version=1|2|3` line makes the file a text
 * descriptor. Matching it exactly means any text qemu would take for a vmdk is treated as one here too.
 */
function isVmdkDescriptorText(head: Buffer): boolean {
  for (const line of head.subarray(0, 4096).toString('latin1').split('\n')) {
    const l = line.replace(/\r$/, '');
    if (l.startsWith('#') || /^ *$/.test(l)) continue;
    return /^version=[123]$/.test(l);
  }
  return false;
}

/**
 * The container format the first bytes of an image announce (qcow2, vmdk, vhdx, dynamic vhd, qed, luks, vdi),
 * or null for data that is written as it is (raw, GPT, MBR, ISO, fixed vhd). Needs the first 64 KiB (less if
 * the image is shorter): what an agent reads ahead to decide between streaming and converting.
 */
export function containerFormatOf(head: Buffer): DiskFormat | null {
  // Container magics first: their first bytes are unambiguous and they may embed anything after them.
  if (at(head, 0, 'QFI\xfb')) return 'qcow2';
  if (at(head, 0, 'KDMV') || at(head, 0, 'COWD') || isVmdkDescriptorText(head)) return 'vmdk';
  if (at(head, 0, 'vhdxfile')) return 'vhdx';
  if (at(head, 0, 'conectix') && head.length >= 512) return 'vhd';
  if (at(head, 0, 'QFI\0') || at(head, 0, 'QED\0')) return 'qed';
  if (at(head, 0, 'LUKS\xba\xbe')) return 'luks';
  if (head.length >= 68 && head.readUInt32LE(64) === 0xbeda107f) return 'vdi';
  return null;
}

async function detect(read: ByteReader, fileSize: number): Promise<ImageInfo> {
  const head = await read(0, 64 * 1024);
  const plain = (format: DiskFormat, extra: Partial<ImageInfo> = {}): ImageInfo => ({ format, fileSize, virtualSize: fileSize, anomalies: [], ...extra });
  switch (containerFormatOf(head)) {
    case 'qcow2': return { format: 'qcow2', fileSize, ...(await parseQcow2(read)) };
    case 'vmdk':
      if (at(head, 0, 'KDMV')) return { format: 'vmdk', fileSize, ...(await parseVmdkSparse(read)) };
      if (at(head, 0, 'COWD')) return plain('vmdk', { anomalies: ['VMDK3 (COWD) images are not supported'] });
      return { format: 'vmdk', fileSize, ...parseVmdkDescriptorFile(head) };
    case 'vhdx': return { format: 'vhdx', fileSize, ...(await parseVhdx(read)) };
    case 'vhd': return { format: 'vhd', fileSize, ...(await parseVhdFooter(head.subarray(0, 512), read)) };
    case 'qed': return plain('qed');
    case 'luks': return plain('luks');
    case 'vdi': return plain('vdi');
    default: break;
  }
  // A fixed vhd is raw data plus a footer in its last 512 bytes (511 for some old writers).
  for (const size of [512, 511]) {
    const footer = await read(fileSize - size, size);
    if (footer.length === size && at(footer, 0, 'conectix')) {
      return { format: 'vhd', fileSize, ...(await parseVhdFooter(Buffer.concat([footer, Buffer.alloc(512 - size)]), read)) };
    }
  }
  // Hybrid ISOs also carry an MBR, and GPT disks a protective MBR: test the more specific first.
  if (at(await read(32769, 5), 0, 'CD001')) return plain('iso');
  if (at(head, 512, 'EFI PART') || at(head, 4096, 'EFI PART')) return plain('gpt', { partitionTable: 'gpt' });
  if (head.length >= 512 && head[510] === 0x55 && head[511] === 0xaa) return plain('raw', { partitionTable: 'mbr' });
  return plain('raw');
}

export interface SafetyOptions {
  /** `instance_info.image_disk_format`, when the user declared one. */
  readonly declaredFormat?: string | null;
  /** Largest virtual size accepted (setting maxImageVirtualSize). */
  readonly maxVirtualSize: number;
  /** When the use needs particular formats (a kernel must be raw bytes, for instance). */
  readonly allowedFormats?: readonly DiskFormat[];
  /** How the image is named in messages (its URL); defaults to "the image". */
  readonly name?: string;
}

function formatWithTable(info: ImageInfo): string {
  return info.partitionTable === 'mbr' ? 'raw (MBR disk)' : info.format;
}

/**
 * Refuses images that are unsafe to hand to qemu-img or to a node, first problem first.
 * @throws ImageUnacceptableError with a message naming the image and the problem.
 */
export function checkImageSafety(info: ImageInfo, opts: SafetyOptions): void {
  const name = opts.name ?? 'the image';
  const refuse = (why: string): never => {
    throw new ImageUnacceptableError(`Image ${name} ${why}; refused`);
  };
  if (UNSUPPORTED.has(info.format)) refuse(`is ${info.format}, which is not a supported image format`);
  if (info.format === 'qcow2' && info.backingFile !== undefined) refuse(`is qcow2 with a backing file (${info.backingFile})`);
  if (info.format === 'qcow2' && info.dataFile) refuse(`is qcow2 with an external data file${info.dataFileName ? ` (${info.dataFileName})` : ''}`);
  if (info.backingFile !== undefined) refuse(`is ${info.format} with a parent image (${info.backingFile})`);
  if (info.encrypted) refuse(`is an encrypted ${info.format}, which cannot be converted without its key`);
  // A sparse vmdk's embedded descriptor names the file itself as its one extent; anything more is other files.
  const extents = info.extents ?? [];
  if (info.format === 'vmdk' && (info.descriptorOnly || extents.length > 1)) {
    refuse(`is a vmdk whose descriptor points at other files (${extents.join(', ') || 'none named'})`);
  }
  if (info.anomalies.length) refuse(`has an unusable header: ${info.anomalies.join('; ')}`);
  if (opts.declaredFormat) {
    const declared = parseDeclaredFormat(opts.declaredFormat);
    if (declared && !DECLARED[declared]!.includes(info.format)) {
      refuse(`is declared as ${declared} (image_disk_format) but its content is ${formatWithTable(info)}`);
    }
  }
  if (opts.allowedFormats && !opts.allowedFormats.includes(info.format)) {
    refuse(`is ${formatWithTable(info)}, but only ${opts.allowedFormats.join(', ')} can be used here`);
  }
  if (info.virtualSize > opts.maxVirtualSize) {
    refuse(`has a virtual size of ${info.virtualSize} bytes, more than the ${opts.maxVirtualSize} allowed (setting maxImageVirtualSize)`);
  }
}
