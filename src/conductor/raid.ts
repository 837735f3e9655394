// Target RAID configuration (API 1.12): validation of the requested logical disks, storing it on the node
// under the node lock, and the description of logical disk properties drivers publish. Building the RAID
// itself is a clean/deploy step of the RAID interface and reads `target_raid_config` from the node.
import {
  DriverNotFoundError, InvalidParameterValueError, UnsupportedDriverExtensionError,
} from '../common/errors.js';
import type { NodeRecord } from '../db/records.js';
import { findHardwareType } from '../drivers/hardware-types.js';
import type { ConductorContext } from './context.js';
import { acquireNode } from './task.js';

export const RAID_LEVELS = ['0', '1', '2', '5', '6', '1+0', '5+0', '6+0'] as const;

type Check = (v: unknown) => boolean;
interface DiskProperty { readonly description: string; readonly required?: boolean; readonly check: Check; readonly expected: string }

const isString: Check = (v) => typeof v === 'string';
const isBool: Check = (v) => typeof v === 'boolean';

/** Every key a logical disk may have, with our own help text; first the two required ones. */
const DISK_PROPERTIES: Readonly<Record<string, DiskProperty>> = {
  raid_level: { required: true, description: `RAID level of the logical disk, one of ${RAID_LEVELS.join(', ')}.`,
    check: (v) => (RAID_LEVELS as readonly unknown[]).includes(v), expected: `one of ${RAID_LEVELS.map((l) => `'${l}'`).join(', ')}` },
  size_gb: { required: true, description: 'Size of the logical disk in GiB, a positive integer, or "MAX" for all remaining space.',
    check: (v) => v === 'MAX' || (Number.isInteger(v) && (v as number) > 0), expected: 'a positive integer or "MAX"' },
  volume_name: { description: 'Name to give the volume, where the controller supports names.', check: isString, expected: 'a string' },
  is_root_volume: { description: 'true to make this the volume the operating system is installed on; at most one disk may say so.',
    check: isBool, expected: 'a boolean' },
  share_physical_disks: { description: 'true if this logical disk may share physical disks with other logical disks.',
    check: isBool, expected: 'a boolean' },
  disk_type: { description: 'Kind of physical disks to build it from: "hdd" or "ssd".', check: (v) => v === 'hdd' || v === 'ssd',
    expected: "'hdd' or 'ssd'" },
  interface_type: { description: 'Interface of the physical disks to use: "sata", "scsi" or "sas".',
    check: (v) => v === 'sata' || v === 'scsi' || v === 'sas', expected: "'sata', 'scsi' or 'sas'" },
  number_of_physical_disks: { description: 'How many physical disks to use, a positive integer.',
    check: (v) => Number.isInteger(v) && (v as number) >= 1, expected: 'an integer of at least 1' },
  controller: { description: 'Name of the RAID controller to create the logical disk on.', check: isString, expected: 'a string' },
  physical_disks: { description: 'List of physical disk identifiers (controller-specific) to build the logical disk from.',
    check: Array.isArray, expected: 'a list' },
};

/** What `GET /v1/drivers/{driver}/raid/logical_disk_properties` answers: property -> help text. */
export function logicalDiskProperties(): Record<string, string> {
  return Object.fromEntries(Object.entries(DISK_PROPERTIES)
    .map(([k, p]) => [k, `${p.description} ${p.required ? 'Required.' : 'Optional.'}`]));
}

/** Ironic turns this one into a 404: RAID is a standard interface that a driver may simply not have. */
class RaidUnsupportedError extends UnsupportedDriverExtensionError {
  override readonly status = 404;
}

const invalid = (msg: string) => new InvalidParameterValueError(`RAID config validation error: ${msg}`);
const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a non-empty target RAID configuration. @throws InvalidParameterValueError (400). */
export function validateRaidConfig(config: Record<string, unknown>): void {
  for (const k of Object.keys(config)) if (k !== 'logical_disks') throw invalid(`Additional properties are not allowed ('${k}' was unexpected)`);
  const disks = config.logical_disks;
  if (disks === undefined) throw invalid("'logical_disks' is a required property");
  if (!Array.isArray(disks) || disks.length === 0) throw invalid("'logical_disks' must be a non-empty list");
  let roots = 0;
  disks.forEach((disk, i) => {
    if (!isDict(disk)) throw invalid(`logical disk ${i} must be an object`);
    for (const [name, prop] of Object.entries(DISK_PROPERTIES)) {
      if (prop.required && !(name in disk)) throw invalid(`'${name}' is a required property of logical disk ${i}`);
    }
    for (const [k, v] of Object.entries(disk)) {
      const prop = DISK_PROPERTIES[k];
      if (!prop) throw invalid(`Additional properties are not allowed ('${k}' was unexpected) in logical disk ${i}`);
      if (!prop.check(v)) throw invalid(`${JSON.stringify(v)} is not valid for '${k}' of logical disk ${i}: expected ${prop.expected}`);
    }
    if (disk.is_root_volume === true) roots++;
  });
  if (roots > 1) throw invalid('Raid config cannot have more than one root volume');
}

/**
 * PUT /states/raid. An empty dict clears the target on any node (as in Ironic); a configuration needs a
 * RAID-capable interface. Stored holding the node lock, so a busy node answers NodeLocked (409).
 */
export async function setTargetRaidConfig(ctx: ConductorContext, node: NodeRecord, config: Record<string, unknown>): Promise<void> {
  const empty = Object.keys(config).length === 0;
  if (!empty) validateRaidConfig(config);
  await acquireNode(ctx, node, 'setting target RAID config', async (task) => {
    const raid = task.driver.get('raid');
    if (!empty && raid.unsupported) {
      throw new RaidUnsupportedError(`Driver ${node.driver} does not support raid (disabled or not implemented).`);
    }
    await task.save({ targetRaidConfig: config });
  });
}

/**
 * Logical disk properties of a driver (hardware type) served by an alive conductor. Ironic answers from the
 * type's default RAID interface; its `no-raid` placeholder inherits the generic description, so every
 * known driver answers the same list.
 */
export async function driverLogicalDiskProperties(ctx: ConductorContext, driverName: string): Promise<Record<string, string>> {
  const type = findHardwareType(driverName, ctx.config.enabledHardwareTypes);
  const served = type && (await ctx.registry.alive()).some((c) => c.drivers.includes(driverName));
  if (!served) throw new DriverNotFoundError(`Could not find the following driver(s) or hardware type(s): ${driverName}.`);
  return logicalDiskProperties();
}
