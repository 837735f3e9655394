// Every port field on the wire (type, the microversion that introduced it, whether clients write it) and the
// value checks Ironic applies to them: MAC addresses, local_link_connection, physical_network.
import { InvalidError, InvalidParameterValueError, InvalidSwitchIDError, NotAcceptableError } from '../../../common/errors.js';
import { normalizeMac } from '../../../common/ids.js';
import type { PortRecord } from '../../../db/records.js';
import type { FieldSpec } from '../../fields.js';
import { pyRepr } from '../../json-patch.js';
import type { ResourceShape } from '../resource-view.js';
import { checkName } from './node-fields.js';

type F = FieldSpec<PortRecord>;

/** Check for a MAC-valued field: normalises to lower-case colon form (so duplicates are found whatever the case). */
export function macChecker(field: string): (value: unknown) => unknown {
  return (value) => {
    if (value === null) return null;
    const mac = normalizeMac(String(value));
    if (!mac) throw new InvalidParameterValueError(`Expected valid MAC address for ${field}: ${String(value)}`);
    return mac;
  };
}

const LINK_KEYS = ['port_id', 'switch_id', 'switch_info', 'hostname', 'network_type'];
const OPENFLOW_DATAPATH_RE = /^[0-9a-f]{16}$/;

/**
 * Ironic accepts three shapes (or `{}`): port_id + switch_id (a switch port), port_id + hostname (a Smart NIC),
 * or only network_type "unmanaged"; every value is a string. switch_id is normalised like a MAC address.
 */
export function checkLocalLinkConnection(value: unknown, minor: number): unknown {
  const link = value as Record<string, unknown>;
  if (Object.keys(link).length === 0) return {};
  const has = (k: string) => Object.prototype.hasOwnProperty.call(link, k);
  const wellTyped = Object.entries(link).every(([k, v]) => LINK_KEYS.includes(k) && typeof v === 'string')
    && (!has('network_type') || ['managed', 'unmanaged'].includes(link.network_type as string));
  const shaped = (has('port_id') && has('switch_id')) || (has('port_id') && has('hostname')) || link.network_type === 'unmanaged';
  if (!wellTyped || !shaped) {
    throw new InvalidParameterValueError(`Schema error for local_link_connection: ${pyRepr(link)} is not valid under any of the given schemas`);
  }
  if (has('network_type') && minor < 64) throw new NotAcceptableError('local_link_connection/network_type is not available before API version 1.64.');
  if (!has('switch_id')) return link;
  const raw = link.switch_id as string;
  const switchId = normalizeMac(raw) ?? (OPENFLOW_DATAPATH_RE.test(raw.toLowerCase()) ? raw.toLowerCase() : null);
  if (!switchId) throw new InvalidSwitchIDError(`Expected a MAC address or OpenFlow datapath ID but received ${raw}.`);
  return { ...link, switch_id: switchId };
}

/** A Smart NIC port is reached through its host, so its link must name port_id and hostname. */
export function checkSmartNicLink(link: Readonly<Record<string, unknown>>): void {
  if (typeof link.port_id !== 'string' || typeof link.hostname !== 'string') {
    throw new InvalidError('Smart NIC port must have port_id and hostname in local_link_connection');
  }
}

function checkPhysicalNetwork(value: unknown): unknown {
  if (value === '') throw new InvalidError('A non-empty value is required when setting physical_network');
  return value;
}

/** Order is the order of keys in responses (Ironic's; `portgroup_uuid` follows `links`). */
export const PORT_FIELDS: readonly F[] = [
  { name: 'uuid', since: 1, kind: 'uuid', write: 'create' },
  { name: 'created_at', since: 1, kind: 'timestamp' },
  { name: 'updated_at', since: 1, kind: 'timestamp' },
  { name: 'address', since: 1, kind: 'string', write: 'both', maxLength: 64, check: macChecker('address') },
  { name: 'extra', since: 1, kind: 'dict', write: 'both' },
  { name: 'internal_info', since: 18, kind: 'dict' },
  { name: 'is_smartnic', since: 53, kind: 'bool', write: 'both' },
  { name: 'local_link_connection', since: 19, kind: 'dict', write: 'both', check: checkLocalLinkConnection },
  { name: 'physical_network', since: 34, kind: 'string', write: 'both', nullable: true, maxLength: 64, check: checkPhysicalNetwork },
  { name: 'pxe_enabled', since: 19, kind: 'bool', write: 'both', empty: true },
  { name: 'name', since: 88, kind: 'string', write: 'both', nullable: true, maxLength: 255, check: checkName },
  { name: 'node_uuid', since: 1, kind: 'uuid', write: 'both' },
  { name: 'portgroup_uuid', since: 24, kind: 'uuid', write: 'both', nullable: true },
];

export const PORT_SHAPE: ResourceShape<PortRecord> = {
  collection: 'ports', fields: PORT_FIELDS, summary: ['uuid', 'address'], afterLinks: ['portgroup_uuid'], ident: (p) => p.uuid,
};
