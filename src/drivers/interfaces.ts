// The vocabulary of hardware interfaces: the kinds a node is composed of, and what every implementation
// declares about itself (its name, the driver_info keys it reads, and a cheap validation).
import type { Config } from '../common/config.js';
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
  /** The service configuration (allowed file:// roots, checksum policy, …). */
  readonly config: Config;
}

export interface HardwareInterface {
  readonly kind: InterfaceKind;
  readonly name: string;
  /** driver_info keys this implementation reads, with help text; `required` ones are checked by validate. */
  readonly properties: Readonly<Record<string, PropertySpec>>;
  /** True for the `no-*` placeholders: validation reports the kind as unsupported. */
  readonly unsupported?: boolean;
  /**
   * Cheap checks only; runs inside API requests (node validate, and before actions). May be async for
   * local look-ups (a file:// image's real path), never for network calls.
   * @throws InvalidParameterValueError / MissingParameterValueError with a reason safe to show the user.
   */
  validate?(ctx: ValidationContext): void | Promise<void>;
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

// ---- Optional capabilities (node sub-resources). An implementation that lacks one makes the matching
// API call answer UnsupportedDriverExtension; all are called by the conductor on behalf of one node.

/** Ironic's indicator states; UNKNOWN is only ever reported, never requested. */
export type IndicatorState = 'ON' | 'OFF' | 'BLINKING' | 'UNKNOWN';
export const INDICATOR_STATES: readonly IndicatorState[] = ['ON', 'OFF', 'BLINKING', 'UNKNOWN'];

export interface IndicatorInfo {
  readonly readonly: boolean;
  readonly states: readonly IndicatorState[];
}

/** Indicator LEDs by hardware component (`system`, `chassis`, `disk`…), as Ironic's management interface has them. */
export interface IndicatorSupport {
  /** component -> indicator name -> what it can do. Cheap enough to call without the node lock. */
  supported(call: DriverCall): Promise<Record<string, Record<string, IndicatorInfo>>>;
  /** @throws InvalidParameterValueError for an unknown component or indicator. */
  getState(call: DriverCall, component: string, indicator: string): Promise<IndicatorState>;
  /** Runs holding the node lock. @throws InvalidParameterValueError for unknown names, read-only indicators or states. */
  setState(call: DriverCall, component: string, indicator: string, state: IndicatorState): Promise<void>;
}

export type VmediaDeviceType = 'cdrom' | 'disk' | 'floppy';
export const VMEDIA_DEVICE_TYPES: readonly VmediaDeviceType[] = ['cdrom', 'disk', 'floppy'];

export interface VmediaAttachment {
  readonly deviceType: VmediaDeviceType;
  readonly imageUrl: string;
  readonly imageDownloadSource: string;
}

/** Inserting and ejecting images on the BMC's virtual devices (API 1.89). Calls hold the node lock. */
export interface VirtualMediaSupport {
  attach(call: DriverCall, media: VmediaAttachment): Promise<void>;
  detach(call: DriverCall, deviceTypes: readonly VmediaDeviceType[]): Promise<void>;
}

export type TargetBootMode = 'uefi' | 'bios';

/** Changing the firmware boot mode and UEFI secure boot (API 1.76). Calls hold the node lock and may be slow. */
export interface BootModeSupport {
  setBootMode(call: DriverCall, mode: TargetBootMode): Promise<void>;
  setSecureBoot(call: DriverCall, enabled: boolean): Promise<void>;
}

// Declaration merging: the capabilities are optional members of every management interface.
export interface ManagementInterface {
  readonly indicators?: IndicatorSupport;
  readonly virtualMedia?: VirtualMediaSupport;
  readonly bootModes?: BootModeSupport;
}

/** One BIOS setting as the BMC reports it; registry fields are optional (Redfish attribute registry). */
export interface BiosSettingValue {
  readonly name: string;
  readonly value: string | null;
  readonly attributeType?: string | null;
  readonly allowableValues?: readonly string[] | null;
  readonly lowerBound?: number | null;
  readonly upperBound?: number | null;
  readonly minLength?: number | null;
  readonly maxLength?: number | null;
  readonly readOnly?: boolean | null;
  readonly resetRequired?: boolean | null;
  readonly unique?: boolean | null;
}

/** Reading the current BIOS settings (Ironic's `cache_bios_settings`). Called holding no lock: it only reads. */
export interface BiosSettingsSupport {
  read(call: DriverCall): Promise<BiosSettingValue[]>;
}
