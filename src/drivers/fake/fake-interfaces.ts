// Fake implementations of every kind: no hardware is touched, so workflows and locking can be exercised.
// Power and management keep a per-node "machine" in memory (keyed by node UUID, lost on restart) and obey
// two driver_info knobs, deliberately not advertised in `properties` so the driver's wire listing stays
// Ironic's:
//   fake_power_delay_ms / fake_management_delay_ms  how long each call takes (to hold locks open)
//   fake_fail  comma list of kinds whose calls throw: "power", "management" (or "all")
import { InvalidParameterValueError, ManagementError, PowerError } from '../../common/errors.js';
import type { NodeRecord } from '../../db/records.js';
import { nodeBootMode } from '../boot-mode.js';
import { FakeDeploy } from './fake-deploy.js';
import {
  defineInterface, type BootDevice, type BootInterface, type ConsoleInterface, type DriverCall, type DriverTask, type HardwareInterface,
  type InterfaceKind, type ManagementInterface, type PowerInterface, type PowerState, type PowerTarget, type RamdiskPurpose,
  type ValidationContext,
} from '../interfaces.js';

/** What the fake "hardware" of one node looks like; tests read it to observe what a driver call did. */
export interface FakeMachine {
  power: PowerState;
  /** Incremented at every off→on transition: a reboot is visible as a new count. */
  powerOnCount: number;
  bootDevice: BootDevice | null;
  persistent: boolean;
  efi: boolean;
  nmiCount: number;
  /** The image a fake deploy "wrote" (instance_info.image_source), null once torn down. */
  image: string | null;
}

const machines = new Map<string, FakeMachine>();

/** One call the fake boot interface received, in order (tests read them through fakeBootCalls). */
export interface FakeBootCall {
  readonly method: 'prepareRamdisk' | 'cleanUpRamdisk' | 'prepareInstance' | 'cleanUpInstance';
  readonly purpose?: RamdiskPurpose;
  /** The pxe_enabled MACs the node had at the call. */
  readonly macs: readonly string[];
}

const bootCalls = new Map<string, FakeBootCall[]>();

export function fakeBootCalls(nodeUuid: string): readonly FakeBootCall[] {
  return bootCalls.get(nodeUuid) ?? [];
}

export function fakeMachine(nodeUuid: string): FakeMachine {
  let m = machines.get(nodeUuid);
  if (!m) {
    // Ironic's fake management reports pxe (not persistent) until told otherwise.
    m = { power: 'power off', powerOnCount: 0, bootDevice: 'pxe', persistent: false, efi: false, nmiCount: 0, image: null };
    machines.set(nodeUuid, m);
  }
  return m;
}

/** Forgets every fake machine (tests call it between cases). */
export function resetFakeMachines(): void {
  machines.clear();
  bootCalls.clear();
}

const FAKE_BOOT_DEVICES: readonly BootDevice[] = ['pxe', 'disk', 'cdrom', 'bios', 'safe'];
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function delayMs(node: NodeRecord, key: string): number {
  const v = node.driverInfo[key];
  if (v === undefined || v === null || v === '') return 0;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidParameterValueError(`${key} must be a non-negative integer, got ${JSON.stringify(v)}.`);
  return n;
}

/** True when driver_info `fake_fail` names `kind` (or "all"). */
export function failing(node: NodeRecord, kind: 'power' | 'management'): boolean {
  const v = node.driverInfo.fake_fail;
  if (typeof v !== 'string') return false;
  const kinds = v.split(',').map((s) => s.trim());
  return kinds.includes(kind) || kinds.includes('all');
}

function validateKnobs({ node }: ValidationContext): void {
  delayMs(node, 'fake_power_delay_ms');
  delayMs(node, 'fake_management_delay_ms');
}

/** Waits the configured delay; with `limit`, gives up after limit.s seconds (how tests make actions time out). */
async function slowly(node: NodeRecord, key: string, limit?: { s: number | undefined; error: () => Error }): Promise<void> {
  const ms = delayMs(node, key);
  if (limit?.s !== undefined && ms > limit.s * 1000) {
    await sleep(limit.s * 1000);
    throw limit.error();
  }
  if (ms > 0) await sleep(ms);
}

const POWER_RESULT: Readonly<Record<PowerTarget, PowerState>> = {
  'power on': 'power on', 'power off': 'power off', rebooting: 'power on',
  'soft power off': 'power off', 'soft rebooting': 'power on',
};

export const FakePower: PowerInterface = defineInterface({
  kind: 'power',
  name: 'fake',
  properties: {},
  validate: validateKnobs,
  async getPowerState({ node }: DriverCall): Promise<PowerState> {
    await slowly(node, 'fake_power_delay_ms');
    if (failing(node, 'power')) throw new PowerError(`Fake power failure for node ${node.uuid} (driver_info fake_fail).`);
    return fakeMachine(node.uuid).power;
  },
  async setPowerState({ node }: DriverCall, target: PowerTarget, opts?: { timeoutS?: number }): Promise<void> {
    const result = POWER_RESULT[target];
    if (!result) throw new PowerError(`Unsupported power target '${String(target)}' for node ${node.uuid}.`);
    await slowly(node, 'fake_power_delay_ms', {
      s: opts?.timeoutS,
      error: () => new PowerError(`Power action '${target}' for node ${node.uuid} timed out after ${opts?.timeoutS} s (fake delay).`),
    });
    if (failing(node, 'power')) throw new PowerError(`Fake power failure for node ${node.uuid} (driver_info fake_fail).`);
    const m = fakeMachine(node.uuid);
    const restarts = target === 'rebooting' || target === 'soft rebooting';
    if (result === 'power on' && (restarts || m.power === 'power off')) m.powerOnCount++;
    m.power = result;
  },
});

export const FakeManagement: ManagementInterface = defineInterface({
  kind: 'management',
  name: 'fake',
  properties: {},
  validate: validateKnobs,
  async supportedBootDevices(): Promise<BootDevice[]> {
    return [...FAKE_BOOT_DEVICES];
  },
  async setBootDevice({ node }: DriverCall, device: BootDevice, opts?: { persistent?: boolean }): Promise<void> {
    if (!FAKE_BOOT_DEVICES.includes(device)) {
      throw new InvalidParameterValueError(`Invalid boot device ${device}, valid devices are: ${FAKE_BOOT_DEVICES.join(', ')}.`);
    }
    await slowly(node, 'fake_management_delay_ms');
    if (failing(node, 'management')) throw new ManagementError(`Fake management failure for node ${node.uuid} (driver_info fake_fail).`);
    Object.assign(fakeMachine(node.uuid), { bootDevice: device, persistent: opts?.persistent ?? false, efi: nodeBootMode(node) === 'uefi' });
  },
  async getBootDevice({ node }: DriverCall): Promise<{ bootDevice: BootDevice | null; persistent: boolean | null }> {
    await slowly(node, 'fake_management_delay_ms');
    if (failing(node, 'management')) throw new ManagementError(`Fake management failure for node ${node.uuid} (driver_info fake_fail).`);
    const m = fakeMachine(node.uuid);
    return { bootDevice: m.bootDevice, persistent: m.bootDevice === null ? null : m.persistent };
  },
  async injectNmi({ node }: DriverCall): Promise<void> {
    if (failing(node, 'management')) throw new ManagementError(`Fake management failure for node ${node.uuid} (driver_info fake_fail).`);
    fakeMachine(node.uuid).nmiCount++;
  },
});

/** Nodes whose fake console is "running" in this process. */
const fakeConsoles = new Set<string>();

// Ironic's fake console: starts and stops nothing, and describes itself as `{}`.
export const FakeConsole: ConsoleInterface = defineInterface({
  kind: 'console',
  name: 'fake',
  properties: {},
  async startConsole({ node }: DriverCall) {
    fakeConsoles.add(node.uuid);
  },
  async stopConsole({ node }: DriverCall) {
    fakeConsoles.delete(node.uuid);
  },
  getConsole: ({ node }: DriverCall) => (fakeConsoles.has(node.uuid) ? {} : null),
});

function recordBoot(task: DriverTask, method: FakeBootCall['method'], purpose?: RamdiskPurpose): void {
  const macs = task.ports.filter((p) => p.pxeEnabled).map((p) => p.address);
  let calls = bootCalls.get(task.node.uuid);
  if (!calls) bootCalls.set(task.node.uuid, (calls = []));
  calls.push({ method, ...(purpose ? { purpose } : {}), macs });
}

/**
 * Writes no file and asks no DHCP server: it records the call and, like a real boot interface, sets the
 * boot device through the node's management interface (so workflows on fake hardware see pxe, then disk).
 */
export const FakeBoot: BootInterface = defineInterface({
  kind: 'boot',
  name: 'fake',
  properties: {},
  async prepareRamdisk(task: DriverTask, purpose: RamdiskPurpose): Promise<void> {
    recordBoot(task, 'prepareRamdisk', purpose);
    await task.driver.management().setBootDevice(task, 'pxe', { persistent: false });
  },
  async cleanUpRamdisk(task: DriverTask): Promise<void> {
    recordBoot(task, 'cleanUpRamdisk');
  },
  async prepareInstance(task: DriverTask): Promise<void> {
    recordBoot(task, 'prepareInstance');
    await task.driver.management().setBootDevice(task, 'disk', { persistent: true });
  },
  async cleanUpInstance(task: DriverTask): Promise<void> {
    recordBoot(task, 'cleanUpInstance');
  },
});

const declared = new Map<InterfaceKind, HardwareInterface>();

/** The fake interface of `kind`: power and management act on the in-memory machine, boot records, the rest only declare. */
export function fake(kind: 'power'): PowerInterface;
export function fake(kind: 'management'): ManagementInterface;
export function fake(kind: 'console'): ConsoleInterface;
export function fake(kind: 'boot'): BootInterface;
export function fake(kind: InterfaceKind): HardwareInterface;
export function fake(kind: InterfaceKind): HardwareInterface {
  if (kind === 'power') return FakePower;
  if (kind === 'management') return FakeManagement;
  if (kind === 'deploy') return FakeDeploy;
  if (kind === 'console') return FakeConsole;
  if (kind === 'boot') return FakeBoot;
  let impl = declared.get(kind);
  if (!impl) {
    impl = defineInterface({ kind, name: 'fake', properties: {} });
    declared.set(kind, impl);
  }
  return impl;
}
