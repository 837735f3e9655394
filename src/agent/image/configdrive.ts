// The config drive of a whole-disk deploy: the ISO (inline base64 of a gzipped ISO, or a URL to one, gzip
// and base64 optional as IPA accepts) goes into a new 64 MiB partition at the end of the disk — sgdisk for
// GPT (after moving the backup header to the disk's real end), sfdisk for MBR — and is written through the
// whole-disk node at the partition's offset, so no partition device node is needed.
import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { DeploymentError } from '../errors.js';
import type { BlockDevice } from '../hardware/block-devices.js';
import { fetchBuffer, type FetchSettings } from './fetch.js';
import { readPartitionTable, type Partition, type PartitionTable } from './partition-table.js';

const MIB = 2 ** 20;
/** Ironic's limit for a config drive, and the size of the partition made for it. */
export const CONFIGDRIVE_BYTES = 64 * MIB;

function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new DeploymentError(`${cmd} ${args.join(' ')} failed: ${(stderr || err.message).trim()}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** The ISO bytes from what the conductor sent. */
export async function configDriveBytes(value: unknown, fetch: FetchSettings): Promise<Buffer> {
  if (typeof value !== 'string') throw new DeploymentError('The config drive must be a string: base64 of a gzipped ISO, or a URL.');
  let data: Buffer;
  if (/^https?:\/\//i.test(value)) {
    data = await fetchBuffer(value, fetch, 4 * CONFIGDRIVE_BYTES).catch((err: Error) => {
      throw new DeploymentError(`Cannot download the config drive: ${err.message}`);
    });
    // A downloaded drive may itself be base64 text.
    const asText = data.toString('latin1').trim();
    if (/^[A-Za-z0-9+/=\s]+$/.test(asText)) data = Buffer.from(asText, 'base64');
  } else {
    data = Buffer.from(value, 'base64');
  }
  if (data[0] === 0x1f && data[1] === 0x8b) {
    try {
      data = gunzipSync(data, { maxOutputLength: 2 * CONFIGDRIVE_BYTES });
    } catch (err) {
      throw new DeploymentError(`The config drive is not valid gzip: ${(err as Error).message}`);
    }
  }
  if (data.length === 0) throw new DeploymentError('The config drive is empty.');
  if (data.length > CONFIGDRIVE_BYTES) throw new DeploymentError(`The config drive is ${data.length} bytes; at most ${CONFIGDRIVE_BYTES} fit its partition.`);
  return data;
}

async function tableOf(path: string): Promise<PartitionTable | null> {
  const fh = await open(path, 'r');
  try {
    return await readPartitionTable(fh);
  } finally {
    await fh.close();
  }
}

/**
 * MiB for the new partition: Ironic's 64 where they fit after the last partition (less one MiB for GPT's
 * backup header and alignment), else what is free if the drive still fits. @throws DeploymentError
 */
function partitionMib(dev: BlockDevice, table: PartitionTable, isoBytes: number): number {
  const used = Math.max(0, ...table.partitions.map((p) => p.offset + p.length));
  const free = Math.floor((dev.size - used) / MIB) - 2;
  const mib = Math.min(CONFIGDRIVE_BYTES / MIB, free);
  if (mib * MIB < isoBytes) {
    throw new DeploymentError(`No room for the ${isoBytes}-byte config drive after the last partition of ${dev.name} (${Math.max(free, 0)} MiB free).`);
  }
  return mib;
}

async function addPartition(dev: BlockDevice, table: PartitionTable, isoBytes: number): Promise<Partition> {
  const mib = partitionMib(dev, table, isoBytes);
  if (table.kind === 'gpt') {
    // The image was smaller than the disk: its backup GPT sits mid-disk until moved to the end.
    await run('sgdisk', ['-e', dev.name]);
    await run('sgdisk', ['-n', `0:-${mib}M:0`, '-c', '0:config-2', dev.name]);
  } else {
    if (table.partitions.length >= 4) {
      throw new DeploymentError(`Config drive cannot be created on ${dev.name}: the MBR disk already has 4 primary partitions.`);
    }
    const sectors = Math.floor(dev.size / 512);
    const size = (mib * MIB) / 512;
    const start = Math.floor((sectors - size) / 2048) * 2048;
    await run('sfdisk', ['--append', '--no-reread', '--no-tell-kernel', dev.name], `start=${start}, size=${size}, type=83\n`);
  }
  const after = await tableOf(dev.name);
  const known = new Set(table.partitions.map((p) => p.offset));
  const added = after?.partitions.find((p) => !known.has(p.offset));
  if (!added) throw new DeploymentError(`The config drive partition did not appear on ${dev.name}.`);
  return added;
}

export async function writeConfigDrive(dev: BlockDevice, value: unknown, table: PartitionTable, fetch: FetchSettings): Promise<void> {
  const iso = await configDriveBytes(value, fetch);
  const part = await addPartition(dev, table, iso.length);
  const fh = await open(dev.name, 'r+');
  try {
    const padded = Buffer.alloc(Math.min(part.length, Math.ceil(iso.length / MIB) * MIB));
    iso.copy(padded);
    await fh.write(padded, 0, padded.length, part.offset);
    await fh.sync();
  } finally {
    await fh.close();
  }
  // Let the kernel see the new partition where it can (not in the lab's sandbox, which is fine).
  await run('blockdev', ['--rereadpt', dev.name]).catch(() => undefined);
}
