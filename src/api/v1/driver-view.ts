// How a hardware type ("driver") looks on the wire at a given microversion: name, the alive conductors that
// serve it, links, and in detail views the default and enabled implementation of every interface kind.
import { INTERFACE_KINDS, KIND_NAMES } from '../../drivers/interfaces.js';
import { defaultInterface, type HardwareType } from '../../drivers/hardware-types.js';
import { links } from '../context.js';

/** `type` and the interface fields came with dynamic drivers (1.30); newer kinds appear from their own version. */
const DYNAMIC_DRIVERS = 30;

export interface DriverViewOptions {
  readonly minor: number;
  readonly base: string;
  readonly detail: boolean;
}

export function driverView(type: HardwareType, hosts: readonly string[], o: DriverViewOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { name: type.name, hosts: [...hosts], links: links(o.base, `drivers/${type.name}`) };
  if (o.minor >= 14) out.properties = links(o.base, `drivers/${type.name}/properties`);
  if (o.minor < DYNAMIC_DRIVERS) return out;
  out.type = 'dynamic';
  if (!o.detail) return out;
  for (const kind of KIND_NAMES) {
    if (Math.max(DYNAMIC_DRIVERS, INTERFACE_KINDS[kind]) > o.minor) continue;
    out[`default_${kind}_interface`] = defaultInterface(type, kind).name;
    out[`enabled_${kind}_interfaces`] = type.interfaces[kind].map((i) => i.name);
  }
  return out;
}

/** Keeps the `fields=` selection (and `links`, always). @throws nothing: names are checked by the caller. */
export function selectFields(view: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(view).filter(([k]) => k === 'links' || fields.includes(k)));
}
