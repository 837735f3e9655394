// Every portgroup field on the wire and Ironic's name rules for portgroups (its own messages, not the node's).
import { InvalidError } from '../../../common/errors.js';
import { logicalNameProblem } from '../../../common/ids.js';
import type { PortgroupRecord } from '../../../db/records.js';
import type { FieldSpec } from '../../fields.js';
import type { ResourceShape } from '../resource-view.js';
import { macChecker } from './port-fields.js';

type F = FieldSpec<PortgroupRecord>;

/** Ironic's default bonding mode for new portgroups (`[DEFAULT]default_portgroup_mode`). */
export const DEFAULT_PORTGROUP_MODE = 'active-backup';

/** Portgroups exist from 1.23; names follow the >=1.10 logical-name rules whatever the request version. */
export function checkPortgroupNameOnCreate(name: string | null | undefined): void {
  if (name && logicalNameProblem(name, 23)) throw new InvalidError(`Cannot create portgroup with invalid name '${name}'`);
}

export function checkPortgroupNameOnPatch(ident: string, name: unknown): void {
  if (typeof name === 'string' && name !== '' && logicalNameProblem(name, 23)) {
    throw new InvalidError(`Portgroup ${ident}: Cannot change name to invalid name '${name}'`);
  }
}

/** Order is the order of keys in responses (Ironic's). */
export const PORTGROUP_FIELDS: readonly F[] = [
  { name: 'uuid', since: 23, kind: 'uuid', write: 'create' },
  { name: 'created_at', since: 23, kind: 'timestamp' },
  { name: 'updated_at', since: 23, kind: 'timestamp' },
  { name: 'address', since: 23, kind: 'string', write: 'both', nullable: true, maxLength: 64, check: macChecker('address') },
  { name: 'extra', since: 23, kind: 'dict', write: 'both' },
  { name: 'internal_info', since: 23, kind: 'dict' },
  { name: 'mode', since: 26, kind: 'string', write: 'both', nullable: true, maxLength: 255 },
  { name: 'name', since: 23, kind: 'string', write: 'both', nullable: true, maxLength: 255 },
  { name: 'properties', since: 26, kind: 'dict', write: 'both' },
  { name: 'standalone_ports_supported', since: 23, kind: 'bool', write: 'both', empty: true },
  { name: 'node_uuid', since: 23, kind: 'uuid', write: 'both' },
];

export const PORTGROUP_SHAPE: ResourceShape<PortgroupRecord> = {
  collection: 'portgroups', fields: PORTGROUP_FIELDS, summary: ['uuid', 'address', 'name'], subresources: ['ports'],
  ident: (pg) => pg.uuid,
};
