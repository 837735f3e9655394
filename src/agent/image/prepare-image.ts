// standby.prepare_image (reached through the deploy step write_image): picks the root disk, writes the
// image onto it and makes sure the result is a partitioned disk, then adds the config drive. Raw images
// stream straight onto the disk (checksum verified in the same pass); anything else is downloaded to a
// temp file, verified, inspected (no backing files, the declared format, permitted formats, fits the disk)
// and converted onto the disk with `qemu-img convert -O raw`. On a checksum mismatch the written disk is
// wiped so it never looks deployed. Whole-disk images only.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { log } from '../../common/log.js';
import { checkImageSafety, containerFormatOf, inspectImage, isRawLike, qemuFormatName } from '../../images/format.js';
import {
  DeploymentError, DeviceNotFoundError, ImageChecksumError, ImageDownloadError, ImageWriteError, InvalidCommandParamsError,
} from '../errors.js';
import { listBlockDevices, type BlockDevice } from '../hardware/block-devices.js';
import { hintsOf, pickRootDevice, RootDeviceHintError } from '../hardware/root-device.js';
import { md5Allowed, type AgentRuntime } from '../runtime.js';
import { writeConfigDrive } from './configdrive.js';
import { FetchError, type FetchSettings } from './fetch.js';
import { expectedChecksum } from './image-checksum.js';
import { diskIdentifier, readPartitionTable } from './partition-table.js';
import { readImageHead } from './sniff.js';
import { streamToTarget, type WriteProgress } from './stream-write.js';
import { wipeMetadata } from './wipe.js';

export interface PrepareProgress extends WriteProgress {
  readonly phase: 'download' | 'convert' | 'configdrive';
  readonly device: string;
}

/** The disk the image goes to, by the node's root device hints. @throws DeviceNotFoundError */
export async function osInstallDevice(rt: AgentRuntime): Promise<BlockDevice> {
  const devices = await listBlockDevices(rt.options);
  let picked;
  try {
    picked = pickRootDevice(devices, hintsOf(rt.node), rt.options.minDiskBytes);
  } catch (err) {
    if (err instanceof RootDeviceHintError) throw new InvalidCommandParamsError(err.message);
    throw err;
  }
  if ('error' in picked) throw new DeviceNotFoundError(picked.error);
  return picked.device;
}

function fetchSettings(rt: AgentRuntime, info: Record<string, unknown>): FetchSettings {
  const proxies = info.proxies && typeof info.proxies === 'object' ? info.proxies as Record<string, string> : undefined;
  return {
    proxies, noProxy: typeof info.no_proxy === 'string' ? info.no_proxy : undefined,
    insecure: rt.options.insecure, authorization: typeof info.image_request_authorization === 'string' ? info.image_request_authorization : undefined,
  };
}

function qemuImgConvert(src: string, format: string, device: string, onPercent: (p: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    // -n: the device exists; -W: out-of-order writes, faster onto a disk; -p: progress on stdout.
    const child = spawn('qemu-img', ['convert', '-p', '-W', '-f', format, '-O', 'raw', '-n', src, device], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      const m = /\((\d+(?:\.\d+)?)\/100%\)/.exec(s.split('\r').at(-1) ?? s);
      if (m) onPercent(Number(m[1]));
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', (err) => reject(new ImageWriteError(`qemu-img could not run: ${err.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new ImageWriteError(`Writing image to device ${device} failed with exit code ${code}. stderr: ${stderr.trim()}`))));
  });
}

async function syncDevice(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function prepareImage(rt: AgentRuntime, info: Record<string, unknown>, configdrive: unknown, progress: (p: PrepareProgress) => void): Promise<string> {
  if (info.image_type === 'partition') {
    throw new InvalidCommandParamsError('Partition images are not supported by anvil-agent; deploy a whole-disk image (image_type whole-disk).');
  }
  const device = await osInstallDevice(rt);
  const imageId = String(info.id);
  const urls = info.urls as string[];
  const fetch = fetchSettings(rt, info);
  const diskFormat = typeof info.disk_format === 'string' ? info.disk_format.toLowerCase() : null;
  if (rt.cachedImageId !== imageId) {
    const expected = await expectedChecksum(info, md5Allowed(rt), fetch).catch((err: Error) => {
      throw new ImageDownloadError(imageId, `cannot obtain the checksum: ${err.message}`);
    });
    rt.cachedImageId = null;
    rt.partitionUuids = null;
    const started = Date.now();
    const report = (phase: PrepareProgress['phase']) => (p: WriteProgress) => progress({ ...p, phase, device: device.name });
    // Undeclared: the image's first bytes decide. Data that is no container streams as raw does; a container
    // takes the inspected, converted path below, exactly as if it had been declared.
    const streams = diskFormat === 'raw' || diskFormat === 'gpt' ||
      (diskFormat === null && containerFormatOf(await readImageHead(urls, fetch).catch((err: Error) => {
        throw new ImageDownloadError(imageId, err.message);
      })) === null);
    if (streams) {
      // Raw (or a GPT disk, as format inspection names a raw one): straight onto the disk. Like IPA, images
      // declared raw are not inspected; the partition table check below still applies.
      let r;
      try {
        r = await streamToTarget({ urls, target: device.name, algorithm: expected.algorithm, fetch, maxBytes: device.size, onProgress: report('download') });
      } catch (err) {
        if (err instanceof FetchError) throw new ImageDownloadError(imageId, err.message);
        throw new ImageWriteError(`Unable to write image to device ${device.name}. Error: ${(err as Error).message}`);
      }
      if (r.digest !== expected.digest) {
        await wipeMetadata(device.name, device.size).catch((e: Error) => log.error('Could not wipe the disk after a checksum mismatch', { error: e.message }));
        throw new ImageChecksumError(device.name, imageId, expected.algorithm, expected.digest, r.digest ?? '');
      }
      log.info('Image streamed onto the disk', { device: device.name, bytes: r.bytes, seconds: r.seconds, rate_mib_s: Math.round(r.bytes / 2 ** 20 / Math.max(r.seconds, 0.001)) });
    } else {
      const tmp = join(rt.options.tmpDir ?? tmpdir(), `anvil-agent-${imageId.replace(/[^\w.-]/g, '_')}-${randomBytes(4).toString('hex')}`);
      try {
        let r;
        try {
          r = await streamToTarget({ urls, target: tmp, algorithm: expected.algorithm, fetch, onProgress: report('download') });
        } catch (err) {
          if (err instanceof FetchError) throw new ImageDownloadError(imageId, err.message);
          throw new ImageDownloadError(imageId, `cannot store the image in ${tmp}: ${(err as Error).message}`);
        }
        if (r.digest !== expected.digest) throw new ImageChecksumError(tmp, imageId, expected.algorithm, expected.digest, r.digest ?? '');
        const found = await inspectImage(tmp);
        const permitted = Array.isArray(rt.config.permitted_image_formats) ? rt.config.permitted_image_formats.map(String) : null;
        try {
          checkImageSafety(found, { declaredFormat: diskFormat, maxVirtualSize: device.size, name: imageId });
        } catch (err) {
          throw new DeploymentError((err as Error).message);
        }
        const kind = isRawLike(found.format) ? 'raw' : found.format;
        if (permitted && !permitted.includes(kind) && !(kind === 'raw' && permitted.includes(found.format))) {
          throw new DeploymentError(`The image format ${found.format} is not permitted (permitted_image_formats: ${permitted.join(', ')})`);
        }
        const convertStart = Date.now();
        await qemuImgConvert(tmp, qemuFormatName(found.format), device.name, (pct) => {
          const done = Math.round((pct / 100) * found.virtualSize);
          const s = (Date.now() - convertStart) / 1000;
          progress({ phase: 'convert', device: device.name, bytes_written: done, total_bytes: found.virtualSize, rate_bytes_per_s: s > 0 ? Math.round(done / s) : 0, elapsed_s: s });
        });
        await syncDevice(device.name);
      } finally {
        await rm(tmp, { force: true });
      }
    }
    log.info('Image written', { image: imageId, device: device.name, seconds: (Date.now() - started) / 1000 });
  }
  // IPA refuses a disk without partitions after the write: the image was junk or for another sector size.
  const fh = await open(device.name, 'r');
  let table;
  try {
    table = await readPartitionTable(fh);
  } finally {
    await fh.close();
  }
  if (!table) {
    await wipeMetadata(device.name, device.size).catch(() => undefined);
    rt.cachedImageId = null;
    throw new DeploymentError(`No partitions found on the device ${device.name} after writing the image.`);
  }
  if (configdrive !== undefined && configdrive !== null && configdrive !== '') {
    await writeConfigDrive(device, configdrive, table, fetch);
  }
  rt.cachedImageId = imageId;
  const fh2 = await open(device.name, 'r');
  try {
    const final = await readPartitionTable(fh2);
    rt.partitionUuids = { 'root uuid': final ? diskIdentifier(final) : diskIdentifier(table) };
  } finally {
    await fh2.close();
  }
  return `image (${imageId}) written to device ${device.name} root_uuid=${String(rt.partitionUuids['root uuid'])}`;
}
