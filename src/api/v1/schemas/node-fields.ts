// Every node field on the wire: type, the microversion that introduced it, and whether clients write it.
import { InvalidParameterValueError } from '../../../common/errors.js';
import { logicalNameProblem } from '../../../common/ids.js';
import { maskSecrets } from '../../../common/secrets.js';
import type { NodeRecord } from '../../../db/records.js';
import type { FieldSpec } from '../../fields.js';

type F = FieldSpec<NodeRecord>;

export function checkName(value: unknown, minor: number): unknown {
  if (value === null) return null;
  const problem = logicalNameProblem(value as string, minor);
  if (problem) throw new InvalidParameterValueError(`Expected a logical name but received ${String(value)}: it ${problem}.`);
  return value;
}

const CONDUCTOR_GROUP_RE = /^[a-zA-Z0-9_\-.]*$/;

function checkConductorGroup(value: unknown): unknown {
  const v = String(value);
  if (!CONDUCTOR_GROUP_RE.test(v)) {
    throw new InvalidParameterValueError(`Invalid conductor_group "${v}": only letters, digits, "_", "-" and "." are allowed.`);
  }
  return v.toLowerCase();
}

const iface = (kind: string, since: number): F => ({ name: `${kind}_interface`, since, kind: 'string', write: 'both', nullable: true, maxLength: 255 });

/** Order is the order of keys in responses. */
export const NODE_FIELDS: readonly F[] = [
  { name: 'uuid', since: 1, kind: 'uuid', write: 'create' },
  { name: 'created_at', since: 1, kind: 'timestamp' },
  { name: 'updated_at', since: 1, kind: 'timestamp' },
  { name: 'automated_clean', since: 47, kind: 'bool', write: 'both', nullable: true },
  iface('bios', 40),
  iface('boot', 31),
  { name: 'boot_mode', since: 75, kind: 'string' },
  { name: 'clean_step', since: 7, kind: 'dict' },
  { name: 'conductor_group', since: 46, kind: 'string', write: 'both', maxLength: 255, empty: '', check: checkConductorGroup },
  { name: 'console_enabled', since: 1, kind: 'bool' },
  iface('console', 31),
  iface('deploy', 31),
  { name: 'deploy_step', since: 44, kind: 'dict' },
  { name: 'description', since: 51, kind: 'string', write: 'both', nullable: true, maxLength: 4096 },
  { name: 'disable_power_off', since: 95, kind: 'bool', write: 'both' },
  { name: 'driver', since: 1, kind: 'string', write: 'both', maxLength: 255 },
  { name: 'driver_info', since: 1, kind: 'dict', write: 'both', get: (n) => maskSecrets(n.driverInfo) },
  { name: 'driver_internal_info', since: 3, kind: 'dict', get: (n) => maskSecrets(n.driverInternalInfo) },
  { name: 'extra', since: 1, kind: 'dict', write: 'both' },
  { name: 'fault', since: 42, kind: 'string' },
  iface('firmware', 86),
  { name: 'inspection_finished_at', since: 6, kind: 'timestamp' },
  { name: 'inspection_started_at', since: 6, kind: 'timestamp' },
  iface('inspect', 31),
  { name: 'instance_info', since: 1, kind: 'dict', write: 'both', get: (n) => maskSecrets(n.instanceInfo) },
  { name: 'instance_uuid', since: 1, kind: 'uuid', write: 'both', nullable: true },
  { name: 'last_error', since: 1, kind: 'string' },
  { name: 'lessee', since: 65, kind: 'string', write: 'both', nullable: true, maxLength: 255 },
  { name: 'maintenance', since: 1, kind: 'bool', write: 'both' },
  { name: 'maintenance_reason', since: 1, kind: 'string' },
  iface('management', 31),
  { name: 'name', since: 5, kind: 'string', write: 'both', nullable: true, maxLength: 255, check: checkName },
  { name: 'network_data', since: 66, kind: 'dict', write: 'both' },
  iface('network', 20),
  { name: 'owner', since: 50, kind: 'string', write: 'both', nullable: true, maxLength: 255 },
  { name: 'parent_node', since: 83, kind: 'string', write: 'both', nullable: true, maxLength: 36 },
  iface('power', 31),
  { name: 'power_state', since: 1, kind: 'string' },
  { name: 'properties', since: 1, kind: 'dict', write: 'both' },
  { name: 'protected', since: 48, kind: 'bool', write: 'patch' },
  { name: 'protected_reason', since: 48, kind: 'string', write: 'patch', nullable: true, maxLength: 255 },
  { name: 'provision_state', since: 1, kind: 'string' },
  { name: 'provision_updated_at', since: 1, kind: 'timestamp' },
  { name: 'raid_config', since: 12, kind: 'dict' },
  iface('raid', 31),
  iface('rescue', 38),
  { name: 'reservation', since: 1, kind: 'string' },
  { name: 'resource_class', since: 21, kind: 'string', write: 'both', nullable: true, maxLength: 80 },
  { name: 'retired', since: 61, kind: 'bool', write: 'both' },
  { name: 'retired_reason', since: 61, kind: 'string', write: 'both', nullable: true, maxLength: 255 },
  { name: 'secure_boot', since: 75, kind: 'bool' },
  { name: 'shard', since: 82, kind: 'string', write: 'both', nullable: true, maxLength: 255 },
  iface('storage', 33),
  { name: 'target_power_state', since: 1, kind: 'string' },
  { name: 'target_provision_state', since: 1, kind: 'string' },
  { name: 'target_raid_config', since: 12, kind: 'dict' },
  { name: 'traits', since: 37, kind: 'list', get: (n) => n.traits },
  iface('vendor', 31),
  { name: 'conductor', since: 49, kind: 'string', sortable: false },
  { name: 'allocation_uuid', since: 52, kind: 'uuid' },
  { name: 'chassis_uuid', since: 1, kind: 'uuid', write: 'both', nullable: true },
];

/** Fields of a node in a plain (non-detail) list. */
export const NODE_LIST_FIELDS = ['uuid', 'instance_uuid', 'maintenance', 'power_state', 'provision_state', 'name'];

/** Sub-resource link arrays and the version that added each. */
export const NODE_SUBRESOURCES: readonly [string, number][] = [['ports', 1], ['states', 14], ['portgroups', 24], ['volume', 32]];

/** Provision state as clients of older microversions expect to see it. */
export function provisionStateAt(state: string, minor: number): string | null {
  if (minor < 2 && state === 'available') return null;
  if (minor < 39 && state === 'inspect wait') return 'inspecting';
  return state;
}
