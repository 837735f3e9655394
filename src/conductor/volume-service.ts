// Volume connectors and targets (Ironic 1.32): storage details attached to a node. Creating one only needs the
// node to exist; changing or removing one happens under the node lock and only while the node is powered off,
// since a running machine may be using the volume (Ironic conductor update/destroy_volume_*).
import {
  InvalidError, InvalidStateRequestedError, NodeReferenceNotFoundError, VolumeConnectorAlreadyExistsError, VolumeConnectorNotFoundError,
  VolumeConnectorTypeAndIdAlreadyExistsError, VolumeTargetAlreadyExistsError, VolumeTargetBootIndexAlreadyExistsError,
  VolumeTargetNotFoundError, type AppError,
} from '../common/errors.js';
import { newUuid, normalizeUuid } from '../common/ids.js';
import type { NodeRecord, VolumeConnectorRecord, VolumeTargetRecord } from '../db/records.js';
import { UniqueViolation, type Repository } from '../db/repository.js';
import { nowTimestamp } from '../db/schema.js';
import type { Tables } from '../db/tables.js';
import type { ConductorContext } from './context.js';
import { withNodesLocked } from './node-locks.js';
import { changedFields } from './record-diff.js';
import { explainMissedWrite, versionCondition } from './record-writes.js';

interface VolumeRecord {
  id: number;
  uuid: string;
  nodeUuid: string;
  createdAt: string;
  version?: number;
  updatedAt: string | null;
}

/** What differs between connectors and targets: their table, names, required fields and duplicate errors. */
export interface VolumeKind<R extends VolumeRecord> {
  /** "volume connector" / "volume target", as in Ironic's messages. */
  readonly label: string;
  /** Body name in schema errors ("connector" / "target"). */
  readonly resource: string;
  readonly repo: (tables: Tables) => Repository<R>;
  /** Record property -> wire name of the fields a new record must have. */
  readonly required: Readonly<Partial<Record<keyof R, string>>>;
  readonly defaults: () => Partial<R>;
  readonly notFound: (ident: string) => AppError;
  readonly duplicate: (err: UniqueViolation, record: R) => AppError;
}

export const CONNECTOR_KIND: VolumeKind<VolumeConnectorRecord> = {
  label: 'volume connector',
  resource: 'connector',
  repo: (t) => t.volumeConnectors,
  required: { nodeUuid: 'node_uuid', type: 'type', connectorId: 'connector_id' },
  defaults: () => ({ extra: {} }),
  notFound: (ident) => new VolumeConnectorNotFoundError(`Volume connector ${ident} could not be found.`),
  duplicate: (err, c) => (err.column === 'uuid'
    ? new VolumeConnectorAlreadyExistsError(`A volume connector with UUID ${c.uuid} already exists.`)
    : new VolumeConnectorTypeAndIdAlreadyExistsError(`A volume connector with type ${c.type} and connector ID ${c.connectorId} already exists.`)),
};

export const TARGET_KIND: VolumeKind<VolumeTargetRecord> = {
  label: 'volume target',
  resource: 'target',
  repo: (t) => t.volumeTargets,
  required: { nodeUuid: 'node_uuid', volumeType: 'volume_type', bootIndex: 'boot_index', volumeId: 'volume_id' },
  defaults: () => ({ properties: {}, extra: {} }),
  notFound: (ident) => new VolumeTargetNotFoundError(`Volume target ${ident} could not be found.`),
  duplicate: (err, t) => (err.column === 'uuid'
    ? new VolumeTargetAlreadyExistsError(`A volume target with UUID ${t.uuid} already exists.`)
    : new VolumeTargetBootIndexAlreadyExistsError(`A volume target with boot index '${t.bootIndex}' for the same node already exists.`)),
};

/** Connector or target by UUID (they have no names). @throws InvalidError (400), *NotFoundError (404). */
export async function findVolumeRecord<R extends VolumeRecord>(tables: Tables, kind: VolumeKind<R>, ident: string): Promise<R> {
  const uuid = normalizeUuid(ident);
  if (!uuid) throw new InvalidError(`Expected a UUID but received ${ident}.`);
  const found = await kind.repo(tables).findBy('uuid', uuid);
  if (!found) throw kind.notFound(ident);
  return found;
}

/** The node named in a request body; missing is the request's fault (400), as in Ironic. */
async function referencedNode(tables: Tables, uuid: string): Promise<NodeRecord> {
  const node = await tables.nodes.findBy('uuid', uuid);
  if (!node) throw new NodeReferenceNotFoundError(`Node ${uuid} could not be found.`);
  return node;
}

async function saving<R extends VolumeRecord>(kind: VolumeKind<R>, record: R, write: () => Promise<R>): Promise<R> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof UniqueViolation) throw kind.duplicate(err, record);
    throw err;
  }
}

export async function createVolumeRecord<R extends VolumeRecord>(ctx: ConductorContext, kind: VolumeKind<R>, input: Partial<R>): Promise<R> {
  for (const [prop, wire] of Object.entries(kind.required) as [keyof R, string][]) {
    if (input[prop] === undefined || input[prop] === null) {
      throw new InvalidError(`Schema error for ${kind.resource}: '${wire}' is a required property`);
    }
  }
  const node = await referencedNode(ctx.tables, input.nodeUuid!);
  const record = { ...kind.defaults(), ...input, uuid: input.uuid ?? newUuid(), nodeUuid: node.uuid, createdAt: nowTimestamp(),
    updatedAt: null } as R;
  return saving(kind, record, () => kind.repo(ctx.tables).insert(record));
}

/** Runs `write` holding the locks of `nodes` once the node the record ends up on is known to be powered off. */
async function whilePoweredOff<T>(ctx: ConductorContext, action: string, nodes: NodeRecord[], nodeUuid: string, write: () => Promise<T>): Promise<T> {
  return withNodesLocked(ctx, nodes, action, async () => {
    const node = await ctx.tables.nodes.findBy('uuid', nodeUuid);
    if (node && node.powerState !== 'power off') {
      throw new InvalidStateRequestedError(`The requested action "${action}" can not be performed on node "${node.uuid}" while it is ` +
        `in state "${node.powerState ?? 'None'}".`);
    }
    return write();
  });
}

export async function updateVolumeRecord<R extends VolumeRecord>(ctx: ConductorContext, kind: VolumeKind<R>, record: R,
  changes: Partial<R>): Promise<R> {
  const diff = changedFields(record, changes);
  if (Object.keys(diff).length === 0) return record;
  const target = await referencedNode(ctx.tables, diff.nodeUuid ?? record.nodeUuid);
  const current = await ctx.tables.nodes.findBy('uuid', record.nodeUuid);
  const next = { ...record, ...diff };
  // A record moving between nodes is judged by the node it moves to (Ironic locks that one); both are held.
  return whilePoweredOff(ctx, `${kind.label} update`, current ? [current, target] : [target], target.uuid, () =>
    saving(kind, next, async () => {
      const repo = kind.repo(ctx.tables);
      const saved = await repo.update(record.id, { ...diff, updatedAt: nowTimestamp() } as Partial<R>, [versionCondition(record)])
        ?? await explainMissedWrite(repo, record, `${kind.label} ${record.uuid}`);
      if (!saved) throw kind.notFound(record.uuid);
      return saved;
    }));
}

export async function deleteVolumeRecord<R extends VolumeRecord>(ctx: ConductorContext, kind: VolumeKind<R>, record: R): Promise<void> {
  const node = await ctx.tables.nodes.findBy('uuid', record.nodeUuid);
  const remove = async () => {
    if ((await kind.repo(ctx.tables).deleteWhere('id', record.id)) === 0) throw kind.notFound(record.uuid);
  };
  if (!node) return remove();
  await whilePoweredOff(ctx, `${kind.label} deletion`, [node], node.uuid, remove);
}
