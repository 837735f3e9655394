// The disks of the machine the agent runs on, read from /sys/block (and udev's database under /run/udev
// when it exists): name, size, model, vendor, serial, WWN, rotational — never invented; a value the kernel
// does not expose is null. Which devices count is limited by the agent's options: an explicit list
// (`--block-device`), every block node of a curated device directory (`--dev-dir`, the lab's sandbox), or
// by default every disk of /sys/block whose node exists in /dev.
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { readText } from './sysfs.js';

export interface BlockDevice {
  /** Device node path, e.g. /dev/sda. */
  readonly name: string;
  readonly size: number;
  readonly model: string | null;
  readonly vendor: string | null;
  readonly serial: string | null;
  readonly wwn: string | null;
  readonly rotational: boolean;
  readonly logical_sectors: number | null;
  readonly physical_sectors: number | null;
  readonly hctl: string | null;
  readonly by_path: string | null;
  readonly tran: string | null;
}

export interface DeviceScope {
  readonly blockDevices: readonly string[];
  readonly devDir: string;
  /** Root of sysfs and udev data (tests point these at fixtures); default / . */
  readonly sysRoot?: string;
}

// Not disks one would deploy to: RAM disks, loop and device-mapper nodes, optical and floppy drives. An
// explicit --block-device list overrides this (the lab deploys onto loop devices).
const NOT_DISKS = /^(loop|ram|zram|sr|fd|dm-|nbd|md)\d*/;

async function udevProperties(sysRoot: string, majMin: string | null): Promise<Map<string, string>> {
  const props = new Map<string, string>();
  if (!majMin) return props;
  const text = await readText(join(sysRoot, 'run/udev/data', `b${majMin}`));
  for (const line of (text ?? '').split('\n')) {
    const m = /^E:([^=]+)=(.*)$/.exec(line);
    if (m) props.set(m[1]!, m[2]!);
  }
  return props;
}

async function isBlockNode(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isBlockDevice();
  } catch {
    return false;
  }
}

/**
 * The kernel name behind a device node, through its major:minor number, so that a node bind-mounted under
 * another name (the lab's sandbox) still finds its sysfs entry. Null when `path` is no block device.
 */
async function kernelNameOf(path: string, sysRoot: string): Promise<string | null> {
  let rdev: number;
  try {
    const st = await stat(path);
    if (!st.isBlockDevice()) return null;
    rdev = st.rdev;
  } catch {
    return null;
  }
  // glibc's gnu_dev_major/minor encoding (numbers stay below 2^32 in practice).
  const major = ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
  const minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xff);
  try {
    return basename(await realpath(join(sysRoot, 'sys/dev/block', `${major}:${minor}`)));
  } catch {
    return basename(path);
  }
}

/** Reads one disk's facts from sysfs. `name` is the kernel name (sda, vda, loop3). */
export async function readBlockDevice(kernelName: string, devPath: string, sysRoot = '/'): Promise<BlockDevice | null> {
  const sys = join(sysRoot, 'sys/block', kernelName);
  const sectors = await readText(join(sys, 'size'));
  if (sectors === null) return null;
  const majMin = await readText(join(sys, 'dev'));
  const udev = await udevProperties(sysRoot, majMin);
  const first = async (...candidates: (string | undefined | Promise<string | null>)[]): Promise<string | null> => {
    for (const c of candidates) {
      const v = await c;
      if (v) return v;
    }
    return null;
  };
  const model = await first(udev.get('ID_MODEL')?.replaceAll('_', ' '), readText(join(sys, 'device/model')));
  const vendor = await first(readText(join(sys, 'device/vendor')), udev.get('ID_VENDOR'));
  const serial = await first(udev.get('ID_SERIAL_SHORT'), readText(join(sys, 'device/serial')), readText(join(sys, 'serial')));
  const wwn = await first(udev.get('ID_WWN'), readText(join(sys, 'device/wwid')), readText(join(sys, 'wwid')));
  const rotational = (await readText(join(sys, 'queue/rotational'))) === '1';
  const logical = Number(await readText(join(sys, 'queue/logical_block_size'))) || null;
  const physical = Number(await readText(join(sys, 'queue/physical_block_size'))) || null;
  let hctl: string | null = null;
  try {
    const scsi = await readdir(join(sys, 'device/scsi_device'));
    hctl = scsi[0] ?? null;
  } catch {
    // Not a SCSI device.
  }
  const byPath = udev.get('ID_PATH') ? `/dev/disk/by-path/${udev.get('ID_PATH')}` : null;
  return {
    name: devPath, size: Number(sectors) * 512, model, vendor, serial, wwn, rotational,
    logical_sectors: logical, physical_sectors: physical, hctl, by_path: byPath, tran: udev.get('ID_BUS') ?? null,
  };
}

/** The disks in scope, sorted by name. */
export async function listBlockDevices(scope: DeviceScope): Promise<BlockDevice[]> {
  const sysRoot = scope.sysRoot ?? '/';
  const out: BlockDevice[] = [];
  // An explicit list, or a curated device directory (not /dev: the lab's sandbox), counts every block node
  // it names, loop devices included; otherwise every disk of /sys/block whose node exists in /dev.
  const explicit = scope.blockDevices.length ? [...scope.blockDevices]
    : scope.devDir.replace(/\/+$/, '') !== '/dev'
      ? (await readdir(scope.devDir).catch(() => [] as string[])).sort().map((n) => join(scope.devDir, n))
      : null;
  if (explicit) {
    for (const path of explicit) {
      const kernelName = await kernelNameOf(path, sysRoot);
      // Partitions have no /sys/block entry of their own, so readBlockDevice skips them.
      if (!kernelName) continue;
      const dev = await readBlockDevice(kernelName, path, sysRoot);
      if (dev && dev.size > 0) out.push(dev);
    }
  } else {
    let names: string[] = [];
    try {
      names = await readdir(join(sysRoot, 'sys/block'));
    } catch {
      return [];
    }
    for (const name of names.sort()) {
      if (NOT_DISKS.test(name)) continue;
      const node = join(scope.devDir, name);
      if (!(await isBlockNode(node))) continue;
      const dev = await readBlockDevice(name, node, sysRoot);
      if (dev && dev.size > 0) out.push(dev);
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
