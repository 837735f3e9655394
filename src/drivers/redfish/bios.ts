// RedfishBios: the system's Bios resource read as BIOS settings (GET /v1/nodes/{node}/bios). Each attribute's
// type, allowed values, bounds and flags come from the attribute registry the Bios resource names, when the
// service publishes it; without one the settings carry their values only.
import { ManagementError } from '../../common/errors.js';
import { log } from '../../common/log.js';
import { defineInterface, type BiosSettingValue, type BiosSettingsSupport, type DriverCall, type HardwareInterface } from '../interfaces.js';
import type { RedfishConnection } from './redfish-client.js';
import { REDFISH_PROPERTIES, validateRedfishInfo } from './redfish-properties.js';
import { driverFailure, isDict, linkOf, readResource, readSystem, type Dict } from './redfish-system.js';

type Entry = Omit<BiosSettingValue, 'name' | 'value'>;

const num = (v: unknown) => (typeof v === 'number' ? v : null);
const flag = (v: unknown) => (typeof v === 'boolean' ? v : null);

/** AttributeName -> registry facts, from the registry file named `registryId` (empty map when unavailable). */
async function registryEntries(conn: RedfishConnection, registryId: string): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  const registries = linkOf((await conn.root()).Registries);
  if (!registries) return out;
  const members = (await readResource(conn, registries)).body.Members;
  for (const path of (Array.isArray(members) ? members : []).map(linkOf)) {
    if (!path) continue;
    const file = (await readResource(conn, path)).body;
    if (file.Id !== registryId && file.Registry !== registryId && !String(file.Registry ?? '').startsWith(`${registryId}.`)) continue;
    const location = (Array.isArray(file.Location) ? file.Location : []).find((l) => isDict(l) && typeof l.Uri === 'string') as Dict | undefined;
    if (!location) continue;
    const registry = (await readResource(conn, String(location.Uri))).body;
    const attrs = isDict(registry.RegistryEntries) && Array.isArray(registry.RegistryEntries.Attributes) ? registry.RegistryEntries.Attributes : [];
    for (const a of attrs) {
      if (!isDict(a) || typeof a.AttributeName !== 'string') continue;
      const values = Array.isArray(a.Value) ? a.Value.map((v) => (isDict(v) ? v.ValueName : undefined)).filter((v): v is string => typeof v === 'string') : null;
      out.set(a.AttributeName, {
        attributeType: typeof a.Type === 'string' ? a.Type : null,
        allowableValues: values && values.length ? values : null,
        lowerBound: num(a.LowerBound), upperBound: num(a.UpperBound), minLength: num(a.MinLength), maxLength: num(a.MaxLength),
        readOnly: flag(a.ReadOnly), resetRequired: flag(a.ResetRequired), unique: flag(a.IsSystemUniqueProperty),
      });
    }
    break;
  }
  return out;
}

export async function readBiosSettings(node: DriverCall['node']): Promise<BiosSettingValue[]> {
  const view = await readSystem(node);
  const path = linkOf(view.body.Bios);
  if (!path) throw new ManagementError(`The system of node ${node.uuid} has no Bios resource.`);
  const bios = (await readResource(view.conn, path)).body;
  const attributes: Dict = isDict(bios.Attributes) ? bios.Attributes : {};
  let registry = new Map<string, Entry>();
  if (typeof bios.AttributeRegistry === 'string') {
    try {
      registry = await registryEntries(view.conn, bios.AttributeRegistry);
    } catch (err) {
      // The settings themselves are what was asked for; registry details are extra.
      log.warn('BIOS attribute registry unreadable', { node: node.uuid, error: (err as Error).message });
    }
  }
  return Object.entries(attributes).map(([name, value]) => ({
    name, value: value === null || value === undefined ? null : String(value), ...(registry.get(name) ?? {}),
  }));
}

export const RedfishBiosSettings: BiosSettingsSupport = {
  async read({ node }: DriverCall) {
    try {
      return await readBiosSettings(node);
    } catch (err) {
      throw driverFailure(ManagementError, node, 'read BIOS settings', err);
    }
  },
};

export const RedfishBios: HardwareInterface & { readonly settings: BiosSettingsSupport } = defineInterface({
  kind: 'bios', name: 'redfish', properties: REDFISH_PROPERTIES, validate: validateRedfishInfo, settings: RedfishBiosSettings,
});
