// Every allocation field on the wire (1.52; `owner` 1.60) and the value checks Ironic's allocation schema
// applies: traits must be trait names, candidate nodes are strings (resolved to UUIDs by the service).
import { InvalidError, InvalidParameterValueError } from '../../../common/errors.js';
import { isValidTrait } from '../../../common/ids.js';
import type { AllocationRecord } from '../../../db/records.js';
import type { FieldSpec } from '../../fields.js';
import { pyRepr } from '../../json-patch.js';
import type { ResourceShape } from '../resource-view.js';

type F = FieldSpec<AllocationRecord>;

/** Refusal worded like Ironic's JSON-schema errors for a value that is not a trait. */
export function notATrait(resource: string, value: unknown): InvalidParameterValueError {
  return new InvalidParameterValueError(`Schema error for ${resource}: ${pyRepr(value)} is not valid under any of the given schemas`);
}

function checkTraits(value: unknown): unknown {
  for (const t of value as unknown[]) if (!isValidTrait(t)) throw notATrait('allocation', t);
  return value;
}

function checkCandidates(value: unknown): unknown {
  for (const n of value as unknown[]) {
    if (typeof n !== 'string') throw new InvalidError(`Schema error for allocation: ${pyRepr(n)} is not of type 'string'`);
  }
  return value;
}

/** Order is the order of keys in responses (Ironic's; `node_uuid` follows `links`). */
export const ALLOCATION_FIELDS: readonly F[] = [
  // Ironic's schema accepts an explicit null UUID and then generates one.
  { name: 'uuid', since: 52, kind: 'uuid', write: 'create', nullable: true },
  { name: 'created_at', since: 52, kind: 'timestamp' },
  { name: 'updated_at', since: 52, kind: 'timestamp' },
  { name: 'candidate_nodes', since: 52, kind: 'list', write: 'create', check: checkCandidates },
  { name: 'extra', since: 52, kind: 'dict', write: 'both' },
  { name: 'last_error', since: 52, kind: 'string' },
  { name: 'name', since: 52, kind: 'string', write: 'both', nullable: true, maxLength: 255 },
  { name: 'owner', since: 60, kind: 'string', write: 'create', nullable: true, maxLength: 255 },
  { name: 'resource_class', since: 52, kind: 'string', write: 'create', nullable: true, maxLength: 80 },
  { name: 'state', since: 52, kind: 'string' },
  { name: 'traits', since: 52, kind: 'list', write: 'create', check: checkTraits },
  { name: 'node_uuid', since: 52, kind: 'uuid' },
];

export const ALLOCATION_SHAPE: ResourceShape<AllocationRecord> = {
  // A plain allocation list already shows every field, as Ironic's does.
  collection: 'allocations', fields: ALLOCATION_FIELDS, summary: ALLOCATION_FIELDS.map((f) => f.name),
  afterLinks: ['node_uuid'], ident: (a) => a.uuid,
};
