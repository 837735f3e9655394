// Header parsers for the container formats qemu-img understands (qcow2, vmdk, vhd, vhdx): the facts that
// decide whether an image is safe to hand to qemu-img — virtual size, backing/parent files, external data
// files, referenced extents. Pure functions over a byte reader; format.ts picks which one applies.

/** Reads up to `length` bytes at `offset` (fewer at the end of the file). */
export type ByteReader = (offset: number, length: number) => Promise<Buffer>;

/** What a header says, beyond the format name. */
export interface HeaderFacts {
  virtualSize: number;
  /** qcow2 backing file, vmdk parentFileNameHint, vhd/vhdx parent: something qemu-img would open too. */
  backingFile?: string;
  /** qcow2 with the external data file feature: the guest data lives in another file. */
  dataFile?: boolean;
  dataFileName?: string;
  encrypted?: boolean;
  /** vmdk: the files its descriptor names as extents. */
  extents?: string[];
  /** vmdk given as a text descriptor only: every byte of data lives in the extent files it names. */
  descriptorOnly?: boolean;
  /** vmdk createType, vhd disk type. */
  subformat?: string;
  /** Header facts that make the image unusable (corrupt flag, unknown required features, truncation). */
  anomalies: string[];
}

const MiB = 1024 * 1024;

function text(buf: Buffer): string {
  const nul = buf.indexOf(0);
  return buf.subarray(0, nul === -1 ? buf.length : nul).toString('utf8');
}

// ---- qcow2 (big-endian; layout from qemu's docs/interop/qcow2.txt)

const QCOW2_INCOMPAT_CORRUPT = 2n;
const QCOW2_INCOMPAT_DATA_FILE = 4n;
// Bit 0 (dirty) only means refcounts need a repair, which a read-only convert does not care about.
const QCOW2_INCOMPAT_KNOWN = 0x1fn; // dirty, corrupt, external data file, compression type, extended L2
const QCOW2_EXT_DATA_FILE = 0x44415441; // "DATA": name of the external data file
const QCOW2_EXT_END = 0;

export async function parseQcow2(read: ByteReader): Promise<HeaderFacts> {
  const h = await read(0, 112);
  const facts: HeaderFacts = { virtualSize: 0, anomalies: [] };
  if (h.length < 72) {
    facts.anomalies.push('truncated qcow2 header');
    return facts;
  }
  const version = h.readUInt32BE(4);
  const backingOffset = h.readBigUInt64BE(8);
  const backingSize = h.readUInt32BE(16);
  const clusterBits = h.readUInt32BE(20);
  facts.virtualSize = Number(h.readBigUInt64BE(24));
  facts.encrypted = h.readUInt32BE(32) !== 0;
  if (version !== 2 && version !== 3) facts.anomalies.push(`unknown qcow2 version ${version}`);
  if (clusterBits < 9 || clusterBits > 21) facts.anomalies.push(`invalid qcow2 cluster size 2^${clusterBits}`);
  if (backingOffset !== 0n) {
    // qemu caps the name at 1023 bytes; an empty or unreadable name still means "has a backing file".
    const name = text(await read(Number(backingOffset), Math.min(backingSize, 1023)));
    facts.backingFile = name || '(unnamed backing file)';
  }
  let extStart = 72;
  if (version >= 3) {
    if (h.length < 104) {
      facts.anomalies.push('truncated qcow2 v3 header');
      return facts;
    }
    const incompat = h.readBigUInt64BE(72);
    extStart = h.readUInt32BE(100);
    if (extStart < 104) facts.anomalies.push(`invalid qcow2 v3 header length ${extStart}`);
    if (incompat & QCOW2_INCOMPAT_DATA_FILE) facts.dataFile = true;
    if (incompat & QCOW2_INCOMPAT_CORRUPT) facts.anomalies.push('qcow2 image is marked corrupt');
    const unknown = incompat & ~QCOW2_INCOMPAT_KNOWN;
    if (unknown) facts.anomalies.push(`qcow2 image requires unknown features 0x${unknown.toString(16)}`);
  }
  // Header extensions follow the header inside the first cluster.
  const clusterSize = clusterBits >= 9 && clusterBits <= 21 ? 2 ** clusterBits : 64 * 1024;
  const region = await read(0, Math.min(clusterSize, 2 * MiB));
  for (let off = extStart, n = 0; off + 8 <= region.length && n < 256; n++) {
    const type = region.readUInt32BE(off);
    const len = region.readUInt32BE(off + 4);
    if (type === QCOW2_EXT_END) break;
    if (type === QCOW2_EXT_DATA_FILE) facts.dataFileName = text(region.subarray(off + 8, off + 8 + len));
    off += 8 + Math.ceil(len / 8) * 8;
  }
  if (facts.dataFileName && !facts.dataFile) facts.dataFile = true;
  return facts;
}

// ---- vmdk: sparse extent header (little-endian "KDMV") and text descriptors

export interface VmdkDescriptor {
  createType?: string;
  parentFileNameHint?: string;
  extents: { access: string; sectors: number; type: string; file?: string }[];
}

export function parseVmdkDescriptor(desc: string): VmdkDescriptor {
  const out: VmdkDescriptor = { extents: [] };
  for (const raw of desc.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const kv = /^([A-Za-z.]+)\s*=\s*"?([^"]*)"?$/.exec(line);
    if (kv) {
      if (kv[1] === 'createType') out.createType = kv[2];
      if (kv[1] === 'parentFileNameHint') out.parentFileNameHint = kv[2];
      continue;
    }
    const ext = /^(RW|RDONLY|NOACCESS)\s+(\d+)\s+([A-Z]+)(?:\s+"([^"]*)")?/.exec(line);
    if (ext) out.extents.push({ access: ext[1]!, sectors: Number(ext[2]), type: ext[3]!, ...(ext[4] !== undefined ? { file: ext[4] } : {}) });
  }
  return out;
}

function vmdkFacts(d: VmdkDescriptor, facts: HeaderFacts): HeaderFacts {
  if (d.createType) facts.subformat = d.createType;
  if (d.parentFileNameHint) facts.backingFile = d.parentFileNameHint;
  facts.extents = d.extents.map((e) => e.file ?? `(${e.type} extent)`);
  return facts;
}

/** A vmdk whose first bytes are the text descriptor: its data lives in the extent files it names. */
export function parseVmdkDescriptorFile(head: Buffer): HeaderFacts {
  const d = parseVmdkDescriptor(text(head));
  return vmdkFacts(d, { virtualSize: d.extents.reduce((s, e) => s + e.sectors * 512, 0), descriptorOnly: true, anomalies: [] });
}

const VMDK_SPARSE_TYPES = new Set(['monolithicSparse', 'streamOptimized']);

export async function parseVmdkSparse(read: ByteReader): Promise<HeaderFacts> {
  const h = await read(0, 512);
  if (h.length < 44) return { virtualSize: 0, anomalies: ['truncated vmdk header'] };
  const capacity = Number(h.readBigUInt64LE(12));
  const descOffset = Number(h.readBigUInt64LE(28));
  const descSize = Number(h.readBigUInt64LE(36));
  const facts: HeaderFacts = { virtualSize: capacity * 512, anomalies: [] };
  if (descOffset > 0 && descSize > 0) {
    // qemu reads the embedded descriptor too; with capacity 0 it follows its extents like a descriptor file.
    const d = parseVmdkDescriptor(text(await read(descOffset * 512, Math.min(descSize * 512, MiB))));
    vmdkFacts(d, facts);
    if (facts.subformat && !VMDK_SPARSE_TYPES.has(facts.subformat)) facts.anomalies.push(`vmdk createType "${facts.subformat}" is not a single-file sparse image`);
    const foreign = d.extents.filter((e) => e.type !== 'SPARSE');
    if (foreign.length) facts.anomalies.push(`vmdk embedded descriptor names ${foreign.map((e) => `a ${e.type} extent${e.file ? ` (${e.file})` : ''}`).join(', ')}`);
  }
  if (capacity === 0) facts.anomalies.push('vmdk sparse header has capacity 0');
  return facts;
}

// ---- vhd ("vpc" to qemu; big-endian footer "conectix", copied at offset 0 for dynamic disks)

const VHD_TYPES: Record<number, string> = { 2: 'fixed', 3: 'dynamic', 4: 'differencing' };

export async function parseVhdFooter(footer: Buffer, read: ByteReader): Promise<HeaderFacts> {
  const facts: HeaderFacts = { virtualSize: Number(footer.readBigUInt64BE(48)), anomalies: [] };
  const type = footer.readUInt32BE(60);
  facts.subformat = VHD_TYPES[type] ?? `type ${type}`;
  if (!VHD_TYPES[type]) facts.anomalies.push(`unknown vhd disk type ${type}`);
  if (type === 4) {
    // Differencing disk: the dynamic header ("cxsparse") holds the parent's name in UTF-16BE at 64.
    const dataOffset = footer.readBigUInt64BE(16);
    const dyn = dataOffset < BigInt(Number.MAX_SAFE_INTEGER) ? await read(Number(dataOffset), 1024) : Buffer.alloc(0);
    let name = '';
    if (dyn.length >= 576 && dyn.subarray(0, 8).toString('latin1') === 'cxsparse') {
      name = Buffer.from(dyn.subarray(64, 576)).swap16().toString('utf16le').replace(/\0[\s\S]*$/, '');
    }
    facts.backingFile = name || '(parent disk)';
  }
  return facts;
}

// ---- vhdx (little-endian; region table at 192 KiB, metadata items identified by GUID)

/** GUID text -> on-disk bytes (first three fields little-endian, the rest as written). */
function guid(s: string): Buffer {
  const h = s.replace(/-/g, '');
  const b = Buffer.from(h, 'hex');
  b.subarray(0, 4).reverse();
  b.subarray(4, 6).reverse();
  b.subarray(6, 8).reverse();
  return b;
}

const VHDX_METADATA_REGION = guid('8B7CA206-4790-4B9A-B8FE-575F050F886E');
const VHDX_FILE_PARAMETERS = guid('CAA16737-FA36-4D43-B3B6-33F0AA44E76B');
const VHDX_VIRTUAL_DISK_SIZE = guid('2FA54224-CD1B-4876-B211-5DBED83BF4B8');
const VHDX_PARENT_LOCATOR = guid('A8D35F2D-B30B-454D-ABF7-D3D84834AB0C');
const VHDX_HAS_PARENT = 2;

export async function parseVhdx(read: ByteReader): Promise<HeaderFacts> {
  const facts: HeaderFacts = { virtualSize: 0, anomalies: [] };
  // Two copies of the region table; either is enough to find the metadata region.
  let meta: { offset: number; length: number } | null = null;
  for (const at of [0x30000, 0x40000]) {
    const rt = await read(at, 64 * 1024);
    if (rt.length < 16 || rt.subarray(0, 4).toString('latin1') !== 'regi') continue;
    const count = Math.min(rt.readUInt32LE(8), 2047);
    for (let i = 0; i < count && 16 + (i + 1) * 32 <= rt.length; i++) {
      const e = rt.subarray(16 + i * 32, 16 + (i + 1) * 32);
      if (e.subarray(0, 16).equals(VHDX_METADATA_REGION)) meta = { offset: Number(e.readBigUInt64LE(16)), length: e.readUInt32LE(24) };
    }
    if (meta) break;
  }
  if (!meta) {
    facts.anomalies.push('vhdx region table has no metadata region');
    return facts;
  }
  const table = await read(meta.offset, Math.min(meta.length, 64 * 1024));
  if (table.length < 32 || table.subarray(0, 8).toString('latin1') !== 'metadata') {
    facts.anomalies.push('vhdx metadata table is missing');
    return facts;
  }
  const count = Math.min(table.readUInt16LE(10), 2047);
  let sizeFound = false;
  for (let i = 0; i < count && 32 + (i + 1) * 32 <= table.length; i++) {
    const e = table.subarray(32 + i * 32, 32 + (i + 1) * 32);
    const id = e.subarray(0, 16);
    const itemOffset = meta.offset + e.readUInt32LE(16);
    if (id.equals(VHDX_VIRTUAL_DISK_SIZE)) {
      const v = await read(itemOffset, 8);
      if (v.length === 8) {
        facts.virtualSize = Number(v.readBigUInt64LE(0));
        sizeFound = true;
      }
    } else if (id.equals(VHDX_FILE_PARAMETERS)) {
      const v = await read(itemOffset, 8);
      if (v.length === 8 && v.readUInt32LE(4) & VHDX_HAS_PARENT) facts.backingFile ??= '(parent disk)';
    } else if (id.equals(VHDX_PARENT_LOCATOR)) {
      facts.backingFile = '(parent disk)';
    }
  }
  if (!sizeFound) facts.anomalies.push('vhdx metadata has no virtual disk size');
  return facts;
}
