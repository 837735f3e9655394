// Every volume connector and volume target field on the wire (1.32). A connector names the node's initiator
// (IQN, WWPN, …); a target names a remote volume the node boots from or attaches.
import { maskSecrets } from '../../../common/secrets.js';
import { InvalidError } from '../../../common/errors.js';
import type { VolumeConnectorRecord, VolumeTargetRecord } from '../../../db/records.js';
import type { FieldSpec } from '../../fields.js';
import { pyRepr } from '../../json-patch.js';
import type { ResourceShape } from '../resource-view.js';

/** Connector types Ironic's storage interfaces understand. */
export const CONNECTOR_TYPES = ['iqn', 'ip', 'mac', 'wwnn', 'wwpn', 'port', 'portgroup'];

function checkConnectorType(value: unknown): unknown {
  if (!CONNECTOR_TYPES.includes(value as string)) {
    throw new InvalidError(`Schema error for connector: ${pyRepr(value)} is not one of ${pyRepr(CONNECTOR_TYPES)}`);
  }
  return value;
}

/** Order is the order of keys in responses (Ironic's; `node_uuid` follows `links`). */
export const VOLUME_CONNECTOR_FIELDS: readonly FieldSpec<VolumeConnectorRecord>[] = [
  { name: 'uuid', since: 32, kind: 'uuid', write: 'create', nullable: true },
  { name: 'created_at', since: 32, kind: 'timestamp' },
  { name: 'updated_at', since: 32, kind: 'timestamp' },
  { name: 'connector_id', since: 32, kind: 'string', write: 'both', maxLength: 255 },
  { name: 'extra', since: 32, kind: 'dict', write: 'both' },
  { name: 'type', since: 32, kind: 'string', write: 'both', maxLength: 32, check: checkConnectorType },
  { name: 'node_uuid', since: 32, kind: 'uuid', write: 'both' },
];

export const VOLUME_TARGET_FIELDS: readonly FieldSpec<VolumeTargetRecord>[] = [
  { name: 'uuid', since: 32, kind: 'uuid', write: 'create', nullable: true },
  { name: 'created_at', since: 32, kind: 'timestamp' },
  { name: 'updated_at', since: 32, kind: 'timestamp' },
  { name: 'boot_index', since: 32, kind: 'int', write: 'both' },
  { name: 'extra', since: 32, kind: 'dict', write: 'both' },
  // CHAP credentials live here (auth_password): masked like driver_info, although Ironic shows them.
  { name: 'properties', since: 32, kind: 'dict', write: 'both', get: (t) => maskSecrets(t.properties) },
  { name: 'volume_id', since: 32, kind: 'string', write: 'both', maxLength: 36 },
  { name: 'volume_type', since: 32, kind: 'string', write: 'both', maxLength: 64 },
  { name: 'node_uuid', since: 32, kind: 'uuid', write: 'both' },
];

// Both live below /v1/volume: `collection` is the path their links use, `listKey` the key of their lists.
export const VOLUME_CONNECTOR_SHAPE: ResourceShape<VolumeConnectorRecord> = {
  collection: 'volume/connectors', listKey: 'connectors', fields: VOLUME_CONNECTOR_FIELDS,
  summary: ['uuid', 'node_uuid', 'type', 'connector_id'], afterLinks: ['node_uuid'], ident: (v) => v.uuid,
};

export const VOLUME_TARGET_SHAPE: ResourceShape<VolumeTargetRecord> = {
  collection: 'volume/targets', listKey: 'targets', fields: VOLUME_TARGET_FIELDS,
  summary: ['uuid', 'node_uuid', 'volume_type', 'boot_index', 'volume_id'], afterLinks: ['node_uuid'], ident: (v) => v.uuid,
};
