// Every conductor field on the wire (1.49). All read-only; `alive` is computed from the heartbeat age.
import { isAlive } from '../../../conductor/registry.js';
import type { ConductorRecord } from '../../../db/records.js';
import type { FieldSpec } from '../../fields.js';
import type { ResourceShape } from '../resource-view.js';

export const CONDUCTOR_FIELDS: readonly FieldSpec<ConductorRecord>[] = [
  { name: 'created_at', since: 49, kind: 'timestamp' },
  { name: 'updated_at', since: 49, kind: 'timestamp' },
  { name: 'hostname', since: 49, kind: 'string' },
  { name: 'conductor_group', since: 49, kind: 'string' },
  { name: 'drivers', since: 49, kind: 'list' },
  { name: 'alive', since: 49, kind: 'bool', get: (c) => isAlive(c) },
];

export const CONDUCTOR_SHAPE: ResourceShape<ConductorRecord> = {
  collection: 'conductors', fields: CONDUCTOR_FIELDS, summary: ['hostname', 'conductor_group', 'alive'], afterLinks: ['alive'],
  ident: (c) => c.hostname,
};
