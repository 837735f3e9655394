// Every chassis field on the wire: a chassis is only a description and an `extra` dict grouping nodes.
import type { ChassisRecord } from '../../../db/records.js';
import type { FieldSpec } from '../../fields.js';
import type { ResourceShape } from '../resource-view.js';

export const CHASSIS_FIELDS: readonly FieldSpec<ChassisRecord>[] = [
  { name: 'uuid', since: 1, kind: 'uuid', write: 'create' },
  { name: 'created_at', since: 1, kind: 'timestamp' },
  { name: 'updated_at', since: 1, kind: 'timestamp' },
  { name: 'description', since: 1, kind: 'string', write: 'both', nullable: true, maxLength: 255 },
  { name: 'extra', since: 1, kind: 'dict', write: 'both' },
];

export const CHASSIS_SHAPE: ResourceShape<ChassisRecord> = {
  collection: 'chassis', fields: CHASSIS_FIELDS, summary: ['uuid', 'description'], subresources: ['nodes'], ident: (ch) => ch.uuid,
};
