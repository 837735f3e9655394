// RedfishManagement: the boot source override of the ComputerSystem (target, Once/Continuous, UEFI/Legacy
// from the node's boot mode), boot mode and secure boot changes, NMI through Reset, and the optional
// capabilities in their own modules (indicator LEDs, virtual media).
import { InvalidParameterValueError, ManagementError } from '../../common/errors.js';
import type { NodeRecord } from '../../db/records.js';
import { nodeBootMode } from '../boot-mode.js';
import { defineInterface, type BootDevice, type BootModeSupport, type DriverCall, type ManagementInterface, type TargetBootMode } from '../interfaces.js';
import { RedfishIndicators } from './indicators.js';
import { REDFISH_PROPERTIES, validateRedfishInfo } from './redfish-properties.js';
import { driverFailure, isDict, linkOf, patchResource, readResource, readSystem, resetAction, type Dict } from './redfish-system.js';
import { RedfishVirtualMedia } from './vmedia.js';

/** Ironic boot device -> BootSourceOverrideTarget. */
const TARGETS: Readonly<Partial<Record<BootDevice, string>>> = {
  pxe: 'Pxe', disk: 'Hdd', cdrom: 'Cd', bios: 'BiosSetup', floppy: 'Floppy', uefihttp: 'UefiHttp',
};
const DEVICES = Object.fromEntries(Object.entries(TARGETS).map(([d, t]) => [t, d])) as Record<string, BootDevice>;
const MODES: Readonly<Record<TargetBootMode, string>> = { uefi: 'UEFI', bios: 'Legacy' };

const managementFailure = (node: NodeRecord, doing: string, err: unknown) => driverFailure(ManagementError, node, doing, err);

function bootOf(system: Dict): Dict {
  return isDict(system.Boot) ? system.Boot : {};
}

function allowedTargets(boot: Dict): BootDevice[] {
  const listed = boot['BootSourceOverrideTarget@Redfish.AllowableValues'];
  const targets = Array.isArray(listed) ? listed.filter((t): t is string => typeof t === 'string') : Object.values(TARGETS);
  return targets.map((t) => DEVICES[t]).filter((d): d is BootDevice => d !== undefined);
}

/** The mode value to send, or null when the system has no BootSourceOverrideMode (or not this value). */
function overrideMode(boot: Dict, mode: TargetBootMode): string | null {
  if (!('BootSourceOverrideMode' in boot)) return null;
  const listed = boot['BootSourceOverrideMode@Redfish.AllowableValues'];
  const value = MODES[mode];
  return !Array.isArray(listed) || listed.includes(value) ? value : null;
}

async function setBootMode(node: NodeRecord, mode: TargetBootMode): Promise<void> {
  const view = await readSystem(node);
  const boot = bootOf(view.body);
  if (!('BootSourceOverrideMode' in boot)) {
    throw new ManagementError(`Failed to set boot mode to ${mode} for node ${node.uuid}: the system has no BootSourceOverrideMode.`);
  }
  const value = overrideMode(boot, mode);
  if (!value) throw new InvalidParameterValueError(`The system of node ${node.uuid} does not offer boot mode ${mode}.`);
  if (boot.BootSourceOverrideMode === value) return;
  await patchResource(view.conn, view.path, { Boot: { BootSourceOverrideMode: value } }, view.etag);
  const after = bootOf((await readSystem(node)).body).BootSourceOverrideMode;
  if (after !== value) {
    throw new ManagementError(`Failed to set boot mode to ${mode} for node ${node.uuid}: the system still reports ${JSON.stringify(after ?? null)}.`);
  }
}

async function setSecureBoot(node: NodeRecord, enabled: boolean): Promise<void> {
  const view = await readSystem(node);
  const path = linkOf(view.body.SecureBoot);
  if (!path) throw new ManagementError(`The system of node ${node.uuid} does not support secure boot (it has no SecureBoot resource).`);
  const current = await readResource(view.conn, path);
  if (current.body.SecureBootEnable === enabled) return;
  if (enabled && nodeBootMode(node) !== 'uefi') {
    throw new InvalidParameterValueError(`Secure boot of node ${node.uuid} needs boot mode uefi.`);
  }
  await patchResource(view.conn, path, { SecureBootEnable: enabled }, current.etag);
  const after = (await readResource(view.conn, path)).body.SecureBootEnable;
  if (after !== enabled) {
    throw new ManagementError(`Failed to ${enabled ? 'enable' : 'disable'} secure boot for node ${node.uuid}: the system still reports SecureBootEnable ${String(after)}.`);
  }
}

/** The system's boot mode as Ironic names it, or null when it does not say. */
export async function currentBootMode(node: NodeRecord): Promise<TargetBootMode | null> {
  const mode = bootOf((await readSystem(node)).body).BootSourceOverrideMode;
  return mode === 'UEFI' ? 'uefi' : mode === 'Legacy' ? 'bios' : null;
}

export const RedfishBootModes: BootModeSupport = {
  async setBootMode({ node }: DriverCall, mode: TargetBootMode) {
    try {
      await setBootMode(node, mode);
    } catch (err) {
      throw managementFailure(node, `set boot mode to ${mode}`, err);
    }
  },
  async setSecureBoot({ node }: DriverCall, enabled: boolean) {
    try {
      await setSecureBoot(node, enabled);
    } catch (err) {
      throw managementFailure(node, `${enabled ? 'enable' : 'disable'} secure boot`, err);
    }
  },
};

export function createRedfishManagement(): ManagementInterface {
  return defineInterface({
    kind: 'management',
    name: 'redfish',
    properties: REDFISH_PROPERTIES,
    validate: validateRedfishInfo,
    indicators: RedfishIndicators,
    virtualMedia: RedfishVirtualMedia,
    bootModes: RedfishBootModes,
    async supportedBootDevices({ node }: DriverCall): Promise<BootDevice[]> {
      try {
        return allowedTargets(bootOf((await readSystem(node)).body));
      } catch (err) {
        throw managementFailure(node, 'get supported boot devices', err);
      }
    },
    async setBootDevice({ node }: DriverCall, device: BootDevice, opts?: { persistent?: boolean }): Promise<void> {
      try {
        const view = await readSystem(node);
        const boot = bootOf(view.body);
        const allowed = allowedTargets(boot);
        if (!allowed.includes(device)) {
          throw new InvalidParameterValueError(`Invalid boot device ${device}, valid devices are: ${allowed.join(', ')}.`);
        }
        const update: Dict = {
          BootSourceOverrideTarget: TARGETS[device],
          BootSourceOverrideEnabled: opts?.persistent ? 'Continuous' : 'Once',
        };
        const mode = overrideMode(boot, nodeBootMode(node));
        if (mode) update.BootSourceOverrideMode = mode;
        await patchResource(view.conn, view.path, { Boot: update }, view.etag);
      } catch (err) {
        throw managementFailure(node, `set boot device to ${device}`, err);
      }
    },
    async getBootDevice({ node }: DriverCall): Promise<{ bootDevice: BootDevice | null; persistent: boolean | null }> {
      let boot: Dict;
      try {
        boot = bootOf((await readSystem(node)).body);
      } catch (err) {
        throw managementFailure(node, 'get boot device', err);
      }
      const enabled = boot.BootSourceOverrideEnabled;
      const device = typeof boot.BootSourceOverrideTarget === 'string' ? DEVICES[boot.BootSourceOverrideTarget] ?? null : null;
      // No override in force: the BMC follows its own boot order, so there is no device to report.
      if (enabled === 'Disabled' || device === null) return { bootDevice: null, persistent: null };
      return { bootDevice: device, persistent: enabled === 'Continuous' };
    },
    async injectNmi({ node }: DriverCall): Promise<void> {
      try {
        const view = await readSystem(node);
        const { target, allowed } = await resetAction(view);
        if (!allowed.includes('Nmi')) throw new ManagementError(`The system of node ${node.uuid} does not offer ResetType Nmi.`);
        await view.conn.post(target, { ResetType: 'Nmi' });
      } catch (err) {
        throw managementFailure(node, 'inject NMI', err);
      }
    },
  });
}
