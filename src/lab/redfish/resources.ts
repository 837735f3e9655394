// The Redfish resource tree of one lab BMC as JSON documents (DMTF schemas, DSP0268): ServiceRoot,
// SessionService, one ComputerSystem with its Bios, EthernetInterfaces, Processors, Memory, SimpleStorage and
// Storage, one Manager with VirtualMedia, one Chassis. Pure: the documents are built from the machine's
// facts, the BMC's settings and the power state; app.ts serves them.
import type { BmcSettings } from './settings.js';

export const ROOT = '/redfish/v1';

export const ALL_RESET_TYPES = [
  'On', 'ForceOff', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart', 'Nmi', 'ForceOn', 'PushPowerButton', 'PowerCycle',
] as const;
export type ResetType = (typeof ALL_RESET_TYPES)[number];
export const BOOT_TARGETS = ['None', 'Pxe', 'Hdd', 'Cd', 'BiosSetup'] as const;
export const BOOT_ENABLED = ['Disabled', 'Once', 'Continuous'] as const;
export const BOOT_MODES = ['UEFI', 'Legacy'] as const;
export const INDICATOR_LEDS = ['Off', 'Lit', 'Blinking'] as const;

/** What the BMC knows about its machine: names and real figures. */
export interface MachineFacts {
  readonly systemId: string;
  readonly managerId: string;
  readonly chassisId: string;
  readonly uuid: string;
  readonly name: string;
  readonly mac: string;
  readonly cpu: { readonly count: number; readonly model: string; readonly mhz: number };
  readonly memoryBytes: number;
  readonly diskBytes: number;
  readonly resetTypes: readonly ResetType[];
  readonly bootTargets: readonly string[];
  /** The system has a SecureBoot resource (UEFI secure boot can be switched). */
  readonly secureBoot: boolean;
}

export type PowerState = 'On' | 'Off';

const odata = (id: string, type: string) => ({ '@odata.id': id, '@odata.type': type });
const link = (id: string) => ({ '@odata.id': id });

export function collection(id: string, type: string, name: string, members: readonly string[]): Record<string, unknown> {
  return { ...odata(id, `#${type}.${type}`), Name: name, 'Members@odata.count': members.length, Members: members.map(link) };
}

export const systemPathFor = (systemId: string) => `${ROOT}/Systems/${systemId}`;

export const paths = (f: MachineFacts) => {
  const system = systemPathFor(f.systemId);
  const manager = `${ROOT}/Managers/${f.managerId}`;
  return {
    system, manager, chassis: `${ROOT}/Chassis/${f.chassisId}`, bios: `${system}/Bios`,
    reset: `${system}/Actions/ComputerSystem.Reset`, secureBoot: `${system}/SecureBoot`, nic: `${system}/EthernetInterfaces/eth0`,
    cpu: (i: number) => `${system}/Processors/CPU${i}`, dimm: `${system}/Memory/DIMM0`,
    simpleStorage: `${system}/SimpleStorage/1`, storage: `${system}/Storage/1`, drive: `${system}/Storage/1/Drives/Disk0`,
    cd: `${manager}/VirtualMedia/Cd`,
  };
};

export function serviceRoot(f: MachineFacts): Record<string, unknown> {
  return {
    ...odata(`${ROOT}/`, '#ServiceRoot.v1_5_0.ServiceRoot'), Id: 'RootService', Name: 'Anvil lab Redfish service',
    RedfishVersion: '1.8.0', UUID: f.uuid, Vendor: 'Anvil',
    Systems: link(`${ROOT}/Systems`), Managers: link(`${ROOT}/Managers`), Chassis: link(`${ROOT}/Chassis`),
    SessionService: link(`${ROOT}/SessionService`),
    Links: { Sessions: link(`${ROOT}/SessionService/Sessions`) },
  };
}

export function sessionService(timeoutS: number): Record<string, unknown> {
  return {
    ...odata(`${ROOT}/SessionService`, '#SessionService.v1_1_8.SessionService'), Id: 'SessionService', Name: 'Session Service',
    ServiceEnabled: true, SessionTimeout: timeoutS, Status: { State: 'Enabled', Health: 'OK' },
    Sessions: link(`${ROOT}/SessionService/Sessions`),
  };
}

export function session(s: { id: string; userName: string; createdAt: string }): Record<string, unknown> {
  return {
    ...odata(`${ROOT}/SessionService/Sessions/${s.id}`, '#Session.v1_3_0.Session'), Id: s.id, Name: 'User Session',
    UserName: s.userName, CreatedTime: s.createdAt,
  };
}

/** Redfish's BootSourceOverrideMode and the firmware's boot modes name the same two things. */
export const firmwareBootMode = (m: BmcSettings['bootMode']) => (m === 'UEFI' ? 'Uefi' : 'Bios');

export function system(f: MachineFacts, s: Readonly<BmcSettings>, power: PowerState): Record<string, unknown> {
  const p = paths(f);
  return {
    ...odata(p.system, '#ComputerSystem.v1_13_0.ComputerSystem'), Id: f.systemId, Name: f.name, UUID: f.uuid,
    SystemType: 'Virtual', Manufacturer: 'Anvil', Model: 'anvil lab machine', SerialNumber: f.mac.replace(/:/g, ''),
    AssetTag: s.assetTag, PowerState: power, IndicatorLED: s.indicatorLed, HostName: f.name,
    Status: { State: 'Enabled', Health: 'OK' },
    BiosVersion: 'anvil-lab-firmware 1',
    Boot: {
      BootSourceOverrideTarget: s.bootTarget, BootSourceOverrideEnabled: s.bootEnabled, BootSourceOverrideMode: s.bootMode,
      'BootSourceOverrideTarget@Redfish.AllowableValues': [...f.bootTargets],
      'BootSourceOverrideEnabled@Redfish.AllowableValues': [...BOOT_ENABLED],
      'BootSourceOverrideMode@Redfish.AllowableValues': [...BOOT_MODES],
    },
    ProcessorSummary: { Count: f.cpu.count, Model: f.cpu.model, Status: { State: 'Enabled', Health: 'OK' } },
    MemorySummary: { TotalSystemMemoryGiB: Math.round((f.memoryBytes / 1024 ** 3) * 100) / 100, Status: { State: 'Enabled', Health: 'OK' } },
    Bios: link(p.bios), EthernetInterfaces: link(`${p.system}/EthernetInterfaces`), Processors: link(`${p.system}/Processors`),
    Memory: link(`${p.system}/Memory`), SimpleStorage: link(`${p.system}/SimpleStorage`), Storage: link(`${p.system}/Storage`),
    ...(f.secureBoot ? { SecureBoot: link(p.secureBoot) } : {}),
    Links: { Chassis: [link(p.chassis)], ManagedBy: [link(p.manager)] },
    Actions: {
      '#ComputerSystem.Reset': { target: p.reset, 'ResetType@Redfish.AllowableValues': [...f.resetTypes] },
    },
  };
}

export function bios(f: MachineFacts, s: Readonly<BmcSettings>): Record<string, unknown> {
  return {
    ...odata(paths(f).bios, '#Bios.v1_1_0.Bios'), Id: 'Bios', Name: 'BIOS Configuration', AttributeRegistry: 'AnvilLabBios.1.0.0',
    Attributes: {
      BootMode: firmwareBootMode(s.bootMode), ProcTurboMode: 'Enabled', ProcVirtualization: 'Enabled', SriovGlobalEnable: 'Disabled',
      EmbeddedNic1: 'Enabled', PxeDev1EnDis: 'Enabled', NumCpus: f.cpu.count,
    },
  };
}

export function secureBoot(f: MachineFacts, s: Readonly<BmcSettings>): Record<string, unknown> {
  return {
    ...odata(paths(f).secureBoot, '#SecureBoot.v1_1_0.SecureBoot'), Id: 'SecureBoot', Name: 'UEFI Secure Boot',
    SecureBootEnable: s.secureBoot,
    // Secure boot applies to UEFI boots only.
    SecureBootCurrentBoot: s.secureBoot && s.bootMode === 'UEFI' ? 'Enabled' : 'Disabled',
    SecureBootMode: 'DeployedMode',
  };
}

export function ethernetInterface(f: MachineFacts): Record<string, unknown> {
  return {
    ...odata(paths(f).nic, '#EthernetInterface.v1_6_0.EthernetInterface'), Id: 'eth0', Name: 'eth0',
    MACAddress: f.mac, PermanentMACAddress: f.mac, LinkStatus: 'LinkUp', SpeedMbps: 10000, InterfaceEnabled: true,
    Status: { State: 'Enabled', Health: 'OK' },
  };
}

export function processor(f: MachineFacts, i: number): Record<string, unknown> {
  return {
    ...odata(paths(f).cpu(i), '#Processor.v1_10_0.Processor'), Id: `CPU${i}`, Name: `Processor ${i}`, Socket: `CPU ${i}`,
    ProcessorType: 'CPU', ProcessorArchitecture: 'x86', InstructionSet: 'x86-64', Manufacturer: f.cpu.model.split(/\s/)[0] ?? 'unknown',
    Model: f.cpu.model, MaxSpeedMHz: f.cpu.mhz, TotalCores: 1, TotalThreads: 1, Status: { State: 'Enabled', Health: 'OK' },
  };
}

export function memory(f: MachineFacts): Record<string, unknown> {
  return {
    ...odata(paths(f).dimm, '#Memory.v1_9_0.Memory'), Id: 'DIMM0', Name: 'DIMM 0', MemoryType: 'DRAM',
    CapacityMiB: Math.floor(f.memoryBytes / 1024 ** 2), Status: { State: 'Enabled', Health: 'OK' },
  };
}

export function simpleStorage(f: MachineFacts): Record<string, unknown> {
  return {
    ...odata(paths(f).simpleStorage, '#SimpleStorage.v1_3_0.SimpleStorage'), Id: '1', Name: 'Virtual disk controller',
    Devices: [{ Name: 'disk0', Model: 'loop-backed virtual disk', CapacityBytes: f.diskBytes, Status: { State: 'Enabled', Health: 'OK' } }],
    Status: { State: 'Enabled', Health: 'OK' },
  };
}

export function storage(f: MachineFacts): Record<string, unknown> {
  const p = paths(f);
  return {
    ...odata(p.storage, '#Storage.v1_9_0.Storage'), Id: '1', Name: 'Virtual disk controller',
    Drives: [link(p.drive)], 'Drives@odata.count': 1, Status: { State: 'Enabled', Health: 'OK' },
  };
}

export function drive(f: MachineFacts): Record<string, unknown> {
  return {
    ...odata(paths(f).drive, '#Drive.v1_9_0.Drive'), Id: 'Disk0', Name: 'disk0', Model: 'loop-backed virtual disk',
    CapacityBytes: f.diskBytes, MediaType: 'SSD', Protocol: 'SATA', Status: { State: 'Enabled', Health: 'OK' },
  };
}

export function manager(f: MachineFacts): Record<string, unknown> {
  const p = paths(f);
  return {
    ...odata(p.manager, '#Manager.v1_10_0.Manager'), Id: f.managerId, Name: `BMC of ${f.name}`, ManagerType: 'BMC',
    FirmwareVersion: 'anvil-lab-redfish 1', UUID: f.uuid, Status: { State: 'Enabled', Health: 'OK' },
    VirtualMedia: link(`${p.manager}/VirtualMedia`),
    Links: { ManagerForServers: [link(p.system)], ManagerForChassis: [link(p.chassis)] },
  };
}

export function virtualMedia(f: MachineFacts, s: Readonly<BmcSettings>): Record<string, unknown> {
  const p = paths(f);
  const vm = s.virtualMedia;
  return {
    ...odata(p.cd, '#VirtualMedia.v1_3_0.VirtualMedia'), Id: 'Cd', Name: 'Virtual CD', MediaTypes: ['CD', 'DVD'],
    Image: vm?.image ?? null, ImageName: vm?.imageName ?? null, Inserted: vm !== null, WriteProtected: vm?.writeProtected ?? true,
    ConnectedVia: vm ? 'URI' : 'NotConnected', TransferProtocolType: vm ? (vm.image.startsWith('https:') ? 'HTTPS' : 'HTTP') : null,
    Actions: {
      '#VirtualMedia.InsertMedia': { target: `${p.cd}/Actions/VirtualMedia.InsertMedia` },
      '#VirtualMedia.EjectMedia': { target: `${p.cd}/Actions/VirtualMedia.EjectMedia` },
    },
  };
}

export function chassis(f: MachineFacts, power: PowerState): Record<string, unknown> {
  const p = paths(f);
  return {
    ...odata(p.chassis, '#Chassis.v1_11_0.Chassis'), Id: f.chassisId, Name: `Chassis of ${f.name}`, ChassisType: 'RackMount',
    Manufacturer: 'Anvil', PowerState: power, Status: { State: 'Enabled', Health: 'OK' },
    Links: { ComputerSystems: [link(p.system)], ManagedBy: [link(p.manager)] },
  };
}
