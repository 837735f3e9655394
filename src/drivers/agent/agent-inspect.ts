// In-band inspection through the agent (Ironic's `agent` inspect interface): boot the ramdisk, take the
// inventory the agent posts to /v1/continue_inspection, and derive the node's scheduling properties from it
// the way Ironic does (cpus, memory_mb, local_gb of the root disk less 1 GiB for partitioning, cpu_arch).
import { InvalidParameterValueError } from '../../common/errors.js';
import { normalizeMac } from '../../common/ids.js';
import type { DriverTask, InspectInterface, InspectionFindings } from '../interfaces.js';
import { defineInterface } from '../interfaces.js';
import { requirePort } from '../pxe/pxe-interfaces.js';
import { bootRamdisk, powerOffNode } from './agent-steps.js';

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const GIB = 1024 ** 3;
/** Ironic ignores disks below 4 GiB when it picks the root disk (and so does the agent). */
const MIN_ROOT_DISK = 4 * GIB;

function rootDisk(inventory: Dict, pluginData: Dict): Dict | undefined {
  if (isDict(pluginData.root_disk)) return pluginData.root_disk;
  const disks = (Array.isArray(inventory.disks) ? inventory.disks : []).filter(isDict);
  const big = disks.filter((d) => Number(d.size) >= MIN_ROOT_DISK).sort((a, b) => Number(a.size) - Number(b.size));
  return big[0] ?? disks.sort((a, b) => Number(b.size) - Number(a.size))[0];
}

/** Scheduling properties and ports from an agent's report. @throws InvalidParameterValueError without inventory */
export function findingsFromReport(data: Readonly<Dict>): InspectionFindings {
  const { inventory, ...pluginData } = data;
  if (!isDict(inventory)) throw new InvalidParameterValueError('Inspection data must hold an "inventory" object.');
  const properties: Dict = {};
  const cpu = isDict(inventory.cpu) ? inventory.cpu : {};
  if (Number.isInteger(Number(cpu.count)) && Number(cpu.count) > 0) properties.cpus = Number(cpu.count);
  if (typeof cpu.architecture === 'string' && cpu.architecture) properties.cpu_arch = cpu.architecture;
  const memory = isDict(inventory.memory) ? inventory.memory : {};
  if (Number(memory.physical_mb) > 0) properties.memory_mb = Math.trunc(Number(memory.physical_mb));
  else if (Number(memory.total) > 0) properties.memory_mb = Math.trunc(Number(memory.total) / 1024 ** 2);
  const root = rootDisk(inventory, pluginData);
  if (root && Number(root.size) > 0) properties.local_gb = Math.max(0, Math.floor(Number(root.size) / GIB) - 1);
  const boot = isDict(inventory.boot) ? inventory.boot : {};
  const pxeMac = normalizeMac(String(boot.pxe_interface ?? ''));
  const macs = (Array.isArray(inventory.interfaces) ? inventory.interfaces : []).filter(isDict)
    .map((i) => normalizeMac(String(i.mac_address ?? ''))).filter((m): m is string => m !== null);
  // The NIC the node booted from gets a port (add_ports=pxe); without that hint, every NIC does.
  const ports = (pxeMac ? [pxeMac] : macs).map((address) => ({ address, pxeEnabled: true }));
  const mode = typeof boot.current_boot_mode === 'string' ? boot.current_boot_mode : null;
  if (mode === 'uefi' || mode === 'bios') properties.boot_mode = mode;
  return { inventory, pluginData, properties, ports };
}

export const AgentInspect: InspectInterface = defineInterface({
  kind: 'inspect',
  name: 'agent',
  properties: {},
  validate: requirePort,
  async inspect(task: DriverTask) {
    await bootRamdisk(task, 'inspect');
    return { kind: 'wait' } as const;
  },
  async continueInspection(_task: DriverTask, data: Readonly<Dict>) {
    return findingsFromReport(data);
  },
  async tearDown(task: DriverTask) {
    await powerOffNode(task);
    await task.driver.boot().cleanUpRamdisk(task);
  },
});
