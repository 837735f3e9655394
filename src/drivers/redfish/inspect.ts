// RedfishInspect: out-of-band inspection. The BMC's view of the system (processors, memory, storage, NICs)
// is read at once, turned into an inventory shaped like the agent's, the scheduling properties Ironic
// derives (cpus, memory_mb, local_gb = largest disk of at least 4 GiB less 1 GiB, cpu_arch, boot_mode) and a
// port for each NIC with a MAC (Ironic's [inspector]add_ports: no PXE NIC is known out of band, so all).
import { InvalidParameterValueError } from '../../common/errors.js';
import { normalizeMac } from '../../common/ids.js';
import { defineInterface, type DriverTask, type InspectInterface, type InspectionFindings } from '../interfaces.js';
import type { RedfishConnection } from './redfish-client.js';
import { REDFISH_PROPERTIES, validateRedfishInfo } from './redfish-properties.js';
import { isDict, linkOf, readResource, readSystem, type Dict } from './redfish-system.js';

const GIB = 1024 ** 3;
const MIN_ROOT_DISK = 4 * GIB;


async function members(conn: RedfishConnection, link: unknown): Promise<Dict[]> {
  const path = linkOf(link);
  if (!path) return [];
  const list = (await readResource(conn, path)).body.Members;
  const out: Dict[] = [];
  for (const m of (Array.isArray(list) ? list : []).map(linkOf)) if (m) out.push((await readResource(conn, m)).body);
  return out;
}

function arch(p: Dict | undefined): string | null {
  if (!p) return null;
  const set = String(p.InstructionSet ?? '');
  if (set === 'x86-64') return 'x86_64';
  if (set === 'ARM-A64') return 'aarch64';
  if (set === 'x86') return 'i686';
  if (set === 'PowerISA') return 'ppc64le';
  const a = String(p.ProcessorArchitecture ?? '');
  return a === 'x86' ? 'x86_64' : a === 'ARM' ? 'aarch64' : null;
}

async function disks(conn: RedfishConnection, system: Dict): Promise<{ name: string; size: number }[]> {
  const out: { name: string; size: number }[] = [];
  for (const s of await members(conn, system.SimpleStorage)) {
    for (const d of Array.isArray(s.Devices) ? s.Devices : []) {
      if (isDict(d) && Number(d.CapacityBytes) > 0) out.push({ name: String(d.Name ?? ''), size: Number(d.CapacityBytes) });
    }
  }
  if (out.length) return out;
  for (const s of await members(conn, system.Storage)) {
    for (const link of Array.isArray(s.Drives) ? s.Drives : []) {
      const path = linkOf(link);
      if (!path) continue;
      const d = (await readResource(conn, path)).body;
      if (Number(d.CapacityBytes) > 0) out.push({ name: String(d.Name ?? d.Id ?? ''), size: Number(d.CapacityBytes) });
    }
  }
  return out;
}

export async function inspectSystem(task: DriverTask): Promise<InspectionFindings> {
  const view = await readSystem(task.node);
  const sys = view.body;
  const processors = await members(view.conn, sys.Processors);
  const cpuSummary = isDict(sys.ProcessorSummary) ? sys.ProcessorSummary : {};
  const cpuCount = Number(cpuSummary.LogicalProcessorCount ?? cpuSummary.Count ?? processors.reduce((n, p) => n + Number(p.TotalThreads ?? 0), 0));
  const memGiB = Number(isDict(sys.MemorySummary) ? sys.MemorySummary.TotalSystemMemoryGiB : NaN);
  const nics = (await members(view.conn, sys.EthernetInterfaces))
    .map((n) => ({ name: String(n.Id ?? n.Name ?? ''), mac: normalizeMac(String(n.PermanentMACAddress || n.MACAddress || '')) }))
    .filter((n): n is { name: string; mac: string } => n.mac !== null);
  const found = await disks(view.conn, sys);
  const boot = isDict(sys.Boot) ? sys.Boot : {};
  const mode = boot.BootSourceOverrideMode === 'UEFI' ? 'uefi' : boot.BootSourceOverrideMode === 'Legacy' ? 'bios' : null;
  const cpuArch = arch(processors[0]);

  const properties: Record<string, unknown> = {};
  if (Number.isInteger(cpuCount) && cpuCount > 0) properties.cpus = cpuCount;
  if (Number.isFinite(memGiB) && memGiB > 0) properties.memory_mb = Math.round(memGiB * 1024);
  const big = found.filter((d) => d.size >= MIN_ROOT_DISK).sort((a, b) => b.size - a.size)[0];
  if (big) properties.local_gb = Math.max(0, Math.floor(big.size / GIB) - 1);
  if (cpuArch) properties.cpu_arch = cpuArch;
  if (mode) properties.boot_mode = mode;
  if (!properties.cpus && !properties.memory_mb && !nics.length) {
    throw new Error(`the BMC reports no processors, memory or NICs for system ${view.path}`);
  }
  const inventory = {
    cpu: { count: cpuCount || null, architecture: cpuArch, model_name: processors[0]?.Model ?? null },
    memory: { physical_mb: properties.memory_mb ?? null },
    disks: found,
    interfaces: nics.map((n) => ({ name: n.name, mac_address: n.mac })),
    system_vendor: { manufacturer: sys.Manufacturer ?? null, product_name: sys.Model ?? null, serial_number: sys.SerialNumber ?? null },
    boot: { current_boot_mode: mode },
  };
  return { inventory, pluginData: { source: 'redfish', system: view.path }, properties, ports: nics.map((n) => ({ address: n.mac, pxeEnabled: true })) };
}

export const RedfishInspect: InspectInterface = defineInterface({
  kind: 'inspect',
  name: 'redfish',
  properties: REDFISH_PROPERTIES,
  validate: validateRedfishInfo,
  async inspect(task: DriverTask) {
    // The conductor records a failure as "Inspection failed for node …: <message>"; RedfishError names the BMC.
    return { kind: 'done', findings: await inspectSystem(task) } as const;
  },
  async continueInspection() {
    throw new InvalidParameterValueError('Out-of-band (redfish) inspection takes no report from an agent.');
  },
  async tearDown() {
    // Nothing was booted or written.
  },
});
