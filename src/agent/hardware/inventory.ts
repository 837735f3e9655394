// The hardware inventory IPA reports (lookup hints, inspection): CPU, memory, disks, NICs with MACs and
// addresses, BMC address, boot mode, system vendor — all read from /proc, /sys and the network stack of the
// machine (or network namespace) the agent runs in; a fact that is not there is null, never made up. The
// BMC address comes from `ipmitool lan print` when ipmitool and a BMC exist.
import { execFile } from 'node:child_process';
import { readdir, readlink, stat } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { basename, join } from 'node:path';
import { listBlockDevices, type BlockDevice, type DeviceScope } from './block-devices.js';
import { readText as text } from './sysfs.js';

export interface InventoryScope extends DeviceScope {
  readonly bootif: string | null;
  readonly skipBmcDetect: boolean;
}

const ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i686', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export async function cpuInfo(sysRoot = '/') {
  const cpuinfo = (await text(join(sysRoot, 'proc/cpuinfo'))) ?? '';
  const blocks = cpuinfo.split(/\n\s*\n/).filter((b) => /^processor\s*:/m.test(b));
  const field = (b: string | undefined, k: string) => (b ? new RegExp(`^${k}\\s*:\\s*(.*)$`, 'm').exec(b)?.[1]?.trim() ?? null : null);
  const first = blocks[0];
  const sockets = new Set(blocks.map((b) => field(b, 'physical id')).filter((v) => v !== null));
  const maxKhz = await text(join(sysRoot, 'sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq'));
  const mhz = maxKhz ? String(Number(maxKhz) / 1000) : field(first, 'cpu MHz');
  return {
    model_name: field(first, 'model name') ?? field(first, 'Model') ?? field(first, 'cpu model'),
    frequency: mhz,
    count: blocks.length,
    architecture: ARCH[process.arch] ?? process.arch,
    flags: (field(first, 'flags') ?? field(first, 'Features') ?? '').split(/\s+/).filter(Boolean),
    socket_count: sockets.size || null,
  };
}

export async function memoryInfo(sysRoot = '/') {
  const meminfo = (await text(join(sysRoot, 'proc/meminfo'))) ?? '';
  const kb = Number(/^MemTotal:\s+(\d+)\s*kB/m.exec(meminfo)?.[1] ?? NaN);
  // Physical memory: the online memory blocks the kernel manages (MemTotal omits what the kernel reserved).
  let physicalMb: number | null = null;
  const blockHex = await text(join(sysRoot, 'sys/devices/system/memory/block_size_bytes'));
  if (blockHex) {
    const dir = join(sysRoot, 'sys/devices/system/memory');
    let online = 0;
    for (const e of (await readdir(dir).catch(() => [] as string[])).filter((n) => /^memory\d+$/.test(n))) {
      if ((await text(join(dir, e, 'online'))) === '1') online++;
    }
    if (online) physicalMb = Math.round((online * parseInt(blockHex, 16)) / 2 ** 20);
  }
  return { total: Number.isFinite(kb) ? kb * 1024 : null, physical_mb: physicalMb };
}

export async function networkInfo(sysRoot = '/') {
  const dir = join(sysRoot, 'sys/class/net');
  const addrs = networkInterfaces();
  const out = [];
  for (const name of (await readdir(dir).catch(() => [] as string[])).sort()) {
    const base = join(dir, name);
    const mac = (await text(join(base, 'address')))?.toLowerCase() ?? null;
    // Loopback and interfaces without a hardware address (tunnels) cannot be a node's port.
    if (name === 'lo' || !mac || mac === '00:00:00:00:00:00' || (await text(join(base, 'type'))) !== '1') continue;
    const ips = addrs[name] ?? [];
    const driver = await readlink(join(base, 'device/driver')).then((p) => basename(p), () => null);
    const pci = await readlink(join(base, 'device')).then((p) => basename(p), () => null);
    const speed = Number(await text(join(base, 'speed')));
    out.push({
      name, mac_address: mac,
      ipv4_address: ips.find((a) => a.family === 'IPv4')?.address ?? null,
      ipv6_address: ips.find((a) => a.family === 'IPv6' && !a.address.startsWith('fe80'))?.address
        ?? ips.find((a) => a.family === 'IPv6')?.address ?? null,
      has_carrier: (await text(join(base, 'carrier'))) === '1',
      lldp: null,
      vendor: await text(join(base, 'device/vendor')),
      product: await text(join(base, 'device/device')),
      client_id: null, biosdevname: null,
      speed_mbps: Number.isFinite(speed) && speed > 0 ? speed : null,
      pci_address: pci && /^[0-9a-f]{4}:/.test(pci) ? pci : null,
      driver,
    });
  }
  return out;
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout) => resolve(err ? null : stdout));
  });
}

/** `IP Address : 10.0.0.5` from `ipmitool lan print` over channels 1–11, as IPA probes; null when no BMC. */
export async function bmcAddress(): Promise<string | null> {
  for (let channel = 1; channel <= 11; channel++) {
    const out = await run('ipmitool', ['lan', 'print', String(channel)], 5000);
    if (out === null) {
      // No ipmitool or no BMC device at all: later channels cannot answer either.
      if (channel === 1) return null;
      continue;
    }
    const ip = /^IP Address\s+:\s+(\S+)/m.exec(out)?.[1];
    if (ip && ip !== '0.0.0.0') return ip;
  }
  return null;
}

export async function bootInfo(bootif: string | null, sysRoot = '/') {
  const efi = await stat(join(sysRoot, 'sys/firmware/efi')).then(() => true, () => false);
  return { current_boot_mode: efi ? 'uefi' : 'bios', pxe_interface: bootif };
}

export async function systemVendor(sysRoot = '/') {
  const dmi = (k: string) => text(join(sysRoot, 'sys/class/dmi/id', k));
  return {
    product_name: await dmi('product_name'), serial_number: await dmi('product_serial'), manufacturer: await dmi('sys_vendor'),
    firmware: { vendor: await dmi('bios_vendor'), version: await dmi('bios_version'), build_date: await dmi('bios_date') },
  };
}

export interface Inventory {
  readonly interfaces: Awaited<ReturnType<typeof networkInfo>>;
  readonly cpu: Awaited<ReturnType<typeof cpuInfo>>;
  readonly disks: BlockDevice[];
  readonly memory: Awaited<ReturnType<typeof memoryInfo>>;
  readonly bmc_address: string | null;
  readonly bmc_v6address: string | null;
  readonly system_vendor: Awaited<ReturnType<typeof systemVendor>>;
  readonly boot: Awaited<ReturnType<typeof bootInfo>>;
  readonly hostname: string;
}

export async function collectInventory(scope: InventoryScope): Promise<Inventory> {
  const sysRoot = scope.sysRoot ?? '/';
  const [interfaces, cpu, disks, memory, bmc, vendor, boot] = await Promise.all([
    networkInfo(sysRoot), cpuInfo(sysRoot), listBlockDevices(scope), memoryInfo(sysRoot),
    scope.skipBmcDetect ? Promise.resolve(null) : bmcAddress(), systemVendor(sysRoot), bootInfo(scope.bootif, sysRoot),
  ]);
  return { interfaces, cpu, disks, memory, bmc_address: bmc, bmc_v6address: null, system_vendor: vendor, boot, hostname: hostname() };
}
