// Finds the optional capabilities (indicators, virtual media, boot modes, BIOS settings) of a node's
// interfaces. An implementation may carry them itself; the table below adds them to implementations whose
// files are owned elsewhere (the fake interfaces) without touching those files. Missing = unsupported.
import { UnsupportedDriverExtensionError } from '../common/errors.js';
import type {
  BiosSettingsSupport, BootModeSupport, IndicatorSupport, ManagementInterface, VirtualMediaSupport,
} from '../drivers/interfaces.js';
import { FakeBiosSettings, FakeBootModes, FakeIndicators, FakeVirtualMedia } from '../drivers/fake/fake-extras.js';
import type { ComposedDriver } from './driver-factory.js';

interface ManagementExtras {
  readonly indicators?: IndicatorSupport;
  readonly virtualMedia?: VirtualMediaSupport;
  readonly bootModes?: BootModeSupport;
}

/** Management interface name -> capabilities it has beyond the interface object. */
const MANAGEMENT_EXTRAS: Readonly<Record<string, ManagementExtras>> = {
  fake: { indicators: FakeIndicators, virtualMedia: FakeVirtualMedia, bootModes: FakeBootModes },
};

/** BIOS interface name -> how its settings are read. */
const BIOS_SETTINGS: Readonly<Record<string, BiosSettingsSupport>> = {
  fake: FakeBiosSettings,
};

const WHAT: Record<keyof ManagementExtras, string> = {
  indicators: 'indicators', virtualMedia: 'virtual media', bootModes: 'changing the boot mode',
};

/** The capability, or null when the node's management interface has none (or is a no-* placeholder). */
export function managementCapability<K extends keyof ManagementExtras>(driver: ComposedDriver, key: K): ManagementExtras[K] | null {
  const iface = driver.get('management') as ManagementInterface;
  if (iface.unsupported) return null;
  return (iface[key] as ManagementExtras[K] | undefined) ?? MANAGEMENT_EXTRAS[iface.name]?.[key] ?? null;
}

/** Like managementCapability, but refuses with Ironic's UnsupportedDriverExtension (400). */
export function requireManagementCapability<K extends keyof ManagementExtras>(
  driver: ComposedDriver, key: K, nodeUuid: string,
): NonNullable<ManagementExtras[K]> {
  const cap = managementCapability(driver, key);
  if (!cap) {
    const name = driver.get('management').name;
    throw new UnsupportedDriverExtensionError(
      `Driver ${driver.type.name} does not support ${WHAT[key]} (management interface ${name} of node ${nodeUuid}).`);
  }
  return cap as NonNullable<ManagementExtras[K]>;
}

export function biosSettingsSource(driver: ComposedDriver): BiosSettingsSupport | null {
  const iface = driver.get('bios') as { name: string; unsupported?: boolean; settings?: BiosSettingsSupport };
  if (iface.unsupported) return null;
  return iface.settings ?? BIOS_SETTINGS[iface.name] ?? null;
}
