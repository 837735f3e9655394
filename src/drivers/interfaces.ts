// The vocabulary of hardware interfaces: the kinds a node is composed of, and what every implementation
// declares about itself (its name, the driver_info keys it reads, and a cheap validation).
import type { NodeRecord } from '../db/records.js';

/** Interface kinds in the order Ironic reports them, with the microversion that introduced each node field. */
export const INTERFACE_KINDS = {
  boot: 31, console: 31, deploy: 31, inspect: 31, management: 31, network: 20, power: 31, raid: 31,
  vendor: 31, storage: 33, rescue: 38, bios: 40, firmware: 86,
} as const satisfies Record<string, number>;
export type InterfaceKind = keyof typeof INTERFACE_KINDS;
export const KIND_NAMES = Object.keys(INTERFACE_KINDS) as InterfaceKind[];

export interface PropertySpec {
  readonly description: string;
  readonly required?: boolean;
}

/** What validation may look at: the node and facts the API already loaded. Must stay cheap (runs in API requests). */
export interface ValidationContext {
  readonly node: NodeRecord;
  readonly portCount: number;
}

export interface HardwareInterface {
  readonly kind: InterfaceKind;
  readonly name: string;
  /** driver_info keys this implementation reads, with help text; `required` ones are checked by validate. */
  readonly properties: Readonly<Record<string, PropertySpec>>;
  /** True for the `no-*` placeholders: validation reports the kind as unsupported. */
  readonly unsupported?: boolean;
  /**
   * Cheap checks only; runs inside API requests (node validate, and before actions).
   * @throws InvalidParameterValueError / MissingParameterValueError with a reason safe to show the user.
   */
  validate?(ctx: ValidationContext): void;
}

export type PowerState = 'power on' | 'power off';
/** Targets a client may request (PUT /states/power). */
export type PowerTarget = 'power on' | 'power off' | 'rebooting' | 'soft power off' | 'soft rebooting';
export const POWER_TARGETS: readonly PowerTarget[] = ['power on', 'power off', 'rebooting', 'soft power off', 'soft rebooting'];

export type BootDevice = 'pxe' | 'disk' | 'cdrom' | 'bios' | 'safe' | 'wanboot' | 'iscsiboot' | 'floppy' | 'uefihttp';

/** What a driver call runs against: the node (with clear-text secrets) as stored when the call started. */
export interface DriverCall {
  readonly node: NodeRecord;
}

/** Power control of a BMC. Calls are made by the conductor while it holds the node's lock. */
export interface PowerInterface extends HardwareInterface {
  readonly kind: 'power';
  /** @throws PowerError (with a message safe to show: no secrets) when the BMC cannot be asked. */
  getPowerState(call: DriverCall): Promise<PowerState>;
  /**
   * Brings the machine to `target` and returns once the BMC reports the resulting state, or throws after
   * `timeoutS` seconds. `rebooting` = off-then-on (or a reset), `soft …` = ACPI request.
   */
  setPowerState(call: DriverCall, target: PowerTarget, opts?: { timeoutS?: number }): Promise<void>;
}

/** Boot device and other out-of-band management. */
export interface ManagementInterface extends HardwareInterface {
  readonly kind: 'management';
  supportedBootDevices(call: DriverCall): Promise<BootDevice[]>;
  /** Honors the node's boot mode (properties.capabilities boot_mode:uefi|bios) for the EFI flag. */
  setBootDevice(call: DriverCall, device: BootDevice, opts?: { persistent?: boolean }): Promise<void>;
  /** `bootDevice` null when the BMC does not say. */
  getBootDevice(call: DriverCall): Promise<{ bootDevice: BootDevice | null; persistent: boolean | null }>;
  injectNmi?(call: DriverCall): Promise<void>;
}

export function defineInterface<T extends HardwareInterface>(impl: T): T {
  return Object.freeze(impl);
}
