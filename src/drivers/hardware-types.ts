// Hardware types (Ironic's "drivers") as data: for each interface kind, the ordered list of implementations
// it accepts. The first entry is the default; a node may pick any listed entry through <kind>_interface.
import type { NodeRecord } from '../db/records.js';
import { KIND_NAMES, type BootInterface, type HardwareInterface, type InterfaceKind, type PropertySpec } from './interfaces.js';
import { fake } from './fake/fake-interfaces.js';
import { noop, unsupported } from './noop/noop-interfaces.js';
import { IpmitoolManagement, IpmitoolPower, IpmitoolVendor } from './ipmitool/ipmitool-interfaces.js';
import { IpmitoolSocatConsole } from './ipmitool/console.js';
import { IpxeBoot, PxeBoot } from './pxe/pxe-interfaces.js';
import { AgentRaid, DirectDeploy, RamdiskDeploy } from './agent/agent-interfaces.js';
import { AgentInspect } from './agent/agent-inspect.js';
import { AgentRescue } from './agent/agent-rescue.js';
import { RedfishBios, RedfishInspect, RedfishManagement, RedfishPower, RedfishVirtualMediaBoot } from './redfish/redfish-interfaces.js';

export type HardwareType = {
  readonly name: string;
  readonly interfaces: { readonly [K in InterfaceKind]: readonly HardwareInterface[] };
};

function defineHardwareType(name: string, lists: { [K in InterfaceKind]?: readonly HardwareInterface[] }): HardwareType {
  const interfaces = {} as Record<InterfaceKind, readonly HardwareInterface[]>;
  for (const kind of KIND_NAMES) {
    // Kinds a type leaves out get Ironic's placeholder: noop for network/storage, no-<kind> otherwise.
    interfaces[kind] = lists[kind] ?? [kind === 'network' || kind === 'storage' ? noop(kind) : unsupported(kind)];
  }
  return Object.freeze({ name, interfaces: Object.freeze(interfaces) });
}

const withFake = (kind: InterfaceKind) => [fake(kind), unsupported(kind)];
// Anvil enables in-band inspection and rescue through its agent beside Ironic 21.4's lists (not the default).
const inspectKinds = (first: HardwareInterface[]) => [...first, AgentInspect];
const rescueKinds = (first: HardwareInterface[]) => [...first, AgentRescue];

export const HARDWARE_TYPES: readonly HardwareType[] = [
  defineHardwareType('fake-hardware', {
    bios: withFake('bios'), boot: [fake('boot'), IpxeBoot, PxeBoot], console: withFake('console'),
    deploy: [fake('deploy'), DirectDeploy, RamdiskDeploy], firmware: withFake('firmware'), inspect: inspectKinds(withFake('inspect')),
    management: [fake('management')], power: [fake('power')], raid: [fake('raid'), unsupported('raid'), AgentRaid],
    rescue: rescueKinds(withFake('rescue')), storage: [noop('storage'), fake('storage')], vendor: withFake('vendor'),
  }),
  defineHardwareType('ipmi', {
    boot: [IpxeBoot, PxeBoot], deploy: [DirectDeploy, RamdiskDeploy], management: [IpmitoolManagement, noop('management')],
    // no-console first, as Ironic's default enabled_console_interfaces has it: a node opts in.
    console: [unsupported('console'), IpmitoolSocatConsole],
    power: [IpmitoolPower], raid: [unsupported('raid'), AgentRaid], vendor: [IpmitoolVendor, unsupported('vendor')],
    inspect: inspectKinds([unsupported('inspect')]), rescue: rescueKinds([unsupported('rescue')]),
  }),
  defineHardwareType('redfish', {
    boot: [IpxeBoot, PxeBoot, RedfishVirtualMediaBoot], deploy: [DirectDeploy, RamdiskDeploy], management: [RedfishManagement, noop('management')],
    power: [RedfishPower], raid: [unsupported('raid'), AgentRaid],
    // redfish BIOS first, so /bios answers without an opt-in; out-of-band inspection beside the agent's.
    bios: [RedfishBios, unsupported('bios')],
    inspect: inspectKinds([unsupported('inspect'), RedfishInspect]), rescue: rescueKinds([unsupported('rescue')]),
  }),
  defineHardwareType('manual-management', {
    boot: [IpxeBoot, PxeBoot], deploy: [DirectDeploy, RamdiskDeploy], management: [noop('management'), fake('management')],
    power: [fake('power')], raid: [unsupported('raid'), AgentRaid],
    inspect: inspectKinds([unsupported('inspect')]), rescue: rescueKinds([unsupported('rescue')]),
  }),
];

export function findHardwareType(name: string, enabled: readonly string[]): HardwareType | undefined {
  if (!enabled.includes(name)) return undefined;
  return HARDWARE_TYPES.find((t) => t.name === name);
}

/** Whether the node's boot interface boots it over the network (and so needs a port). */
export function bootsOverNetwork(type: HardwareType | undefined, node: NodeRecord): boolean {
  const boot = type && findInterface(type, 'boot', node.bootInterface ?? '');
  return Boolean(boot && (boot as BootInterface).networkBoot);
}

export function defaultInterface(type: HardwareType, kind: InterfaceKind): HardwareInterface {
  return type.interfaces[kind][0]!;
}

export function findInterface(type: HardwareType, kind: InterfaceKind, name: string): HardwareInterface | undefined {
  return type.interfaces[kind].find((i) => i.name === name);
}

/** Every driver_info key any interface of the type may read (`/v1/drivers/{name}/properties`). */
export function hardwareTypeProperties(type: HardwareType): Record<string, PropertySpec> {
  const out: Record<string, PropertySpec> = {};
  for (const kind of KIND_NAMES) {
    for (const impl of type.interfaces[kind]) Object.assign(out, impl.properties);
  }
  return out;
}
