// Portgroup rules: the node a portgroup belongs to, when its address and membership settings may change, and
// the database writes, made holding the node lock like port writes (Ironic's conductor locks the node).
import {
  ConflictError, InvalidError, InvalidParameterValueError, InvalidStateError, NodeReferenceNotFoundError, PortgroupAlreadyExistsError,
  PortgroupDuplicateNameError, PortgroupMACAlreadyExistsError, PortgroupNotEmptyError, PortgroupNotFoundError, type AppError,
} from '../common/errors.js';
import { logicalNameProblem, newUuid, normalizeUuid } from '../common/ids.js';
import { nowTimestamp } from '../db/schema.js';
import type { Tables } from '../db/tables.js';
import type { NodeRecord, PortgroupRecord } from '../db/records.js';
import { UniqueViolation } from '../db/repository.js';
import type { ConductorContext } from './context.js';
import { withNodesLocked } from './node-locks.js';
import { explainMissedWrite, versionCondition } from './record-writes.js';

/** Portgroup by UUID or name. @throws InvalidParameterValueError (400), PortgroupNotFoundError (404). */
export async function findPortgroup(tables: Tables, ident: string): Promise<PortgroupRecord> {
  const uuid = normalizeUuid(ident);
  // Portgroups came with 1.23, so names always follow the 1.10+ rules.
  if (!uuid && logicalNameProblem(ident, 23)) throw new InvalidParameterValueError(`Expected UUID or name for portgroup: ${ident}`);
  const pg = uuid ? await tables.portgroups.findBy('uuid', uuid) : await tables.portgroups.findBy('name', ident);
  if (!pg) throw new PortgroupNotFoundError(`Port group ${ident} could not be found.`);
  return pg;
}

function duplicateError(err: UniqueViolation, pg: Pick<PortgroupRecord, 'address' | 'name' | 'uuid'>): AppError {
  if (err.column === 'address') return new PortgroupMACAlreadyExistsError(`A portgroup with MAC address ${pg.address} already exists.`);
  if (err.column === 'name') return new PortgroupDuplicateNameError(`A portgroup with name ${pg.name} already exists.`);
  return new PortgroupAlreadyExistsError(`A portgroup with UUID ${pg.uuid} already exists.`);
}

async function referencedNode(tables: Tables, uuid: string): Promise<NodeRecord> {
  const node = await tables.nodes.findBy('uuid', uuid);
  if (!node) throw new NodeReferenceNotFoundError(`Node ${uuid} could not be found.`);
  return node;
}

/** Member ports; only meaningful under the node lock, which every port write also takes. */
function memberCount(tables: Tables, pg: PortgroupRecord, opts: { pxeEnabledOnly?: boolean } = {}): Promise<number> {
  return tables.ports.count([{ col: 'portgroupUuid', op: 'eq', value: pg.uuid },
    ...(opts.pxeEnabledOnly ? [{ col: 'pxeEnabled', op: 'eq', value: 1 } as const] : [])]);
}

/** @param input record properties from the API; `mode` null or absent means the configured default. */
export async function createPortgroup(ctx: ConductorContext, input: Partial<PortgroupRecord>, defaultMode: string): Promise<PortgroupRecord> {
  if (input.nodeUuid === undefined) throw new InvalidError("Schema error for portgroup: 'node_uuid' is a required property");
  const node = await referencedNode(ctx.tables, input.nodeUuid);
  const record: Omit<PortgroupRecord, 'id'> = {
    uuid: newUuid(), name: null, address: null, nodeUuid: node.uuid, mode: defaultMode, properties: {}, standalonePortsSupported: true,
    extra: {}, internalInfo: {}, createdAt: nowTimestamp(), updatedAt: null, ...input,
  };
  record.mode ??= defaultMode;
  try {
    return await withNodesLocked(ctx, [node], 'portgroup create', () => ctx.tables.portgroups.insert(record));
  } catch (err) {
    if (err instanceof UniqueViolation) throw duplicateError(err, record);
    throw err;
  }
}

export async function updatePortgroup(ctx: ConductorContext, pg: PortgroupRecord, changes: Partial<PortgroupRecord>, minor: number): Promise<PortgroupRecord> {
  const { tables } = ctx;
  const next: PortgroupRecord = { ...pg, ...changes };
  const changed = (k: keyof PortgroupRecord) => JSON.stringify(next[k]) !== JSON.stringify(pg[k]);
  const current = await tables.nodes.findBy('uuid', pg.nodeUuid);
  if (!current) throw new PortgroupNotFoundError(`Port group ${pg.uuid} could not be found.`);
  const node = changed('nodeUuid') ? await referencedNode(tables, next.nodeUuid) : current;
  if (minor >= 39 && node.provisionState === 'inspecting') {
    throw new ConflictError(`Cannot update portgroup "${pg.uuid}" on node "${node.uuid}" while it is in state "inspecting".`);
  }
  if (changed('address') && (node.provisionState === 'active' || node.instanceUuid) && !node.maintenance) {
    throw new InvalidStateError(`Cannot update hardware address for portgroup ${pg.uuid} as node ${node.uuid} is active or has instance UUID assigned`);
  }
  const diff: Partial<PortgroupRecord> = {};
  for (const k of Object.keys(changes) as (keyof PortgroupRecord)[]) if (changed(k)) (diff as Record<string, unknown>)[k] = next[k];
  try {
    return await withNodesLocked(ctx, [current, node], 'portgroup update', async () => {
      // Member ports stay on their node, so a portgroup with members cannot follow another node.
      if (changed('nodeUuid') && (await memberCount(tables, pg)) > 0) {
        throw new PortgroupNotEmptyError(`Cannot complete the requested action because portgroup ${pg.uuid} contains ports.`);
      }
      if (changed('standalonePortsSupported') && !next.standalonePortsSupported && (await memberCount(tables, pg, { pxeEnabledOnly: true })) > 0) {
        throw new ConflictError(`Port group ${pg.uuid} can not stop supporting standalone ports while member ports have pxe_enabled set to True.`);
      }
      if (Object.keys(diff).length === 0) return pg;
      const saved = await tables.portgroups.update(pg.id, { ...diff, updatedAt: nowTimestamp() }, [versionCondition(pg)])
        ?? await explainMissedWrite(tables.portgroups, pg, `Port group ${pg.uuid}`);
      if (!saved) throw new PortgroupNotFoundError(`Port group ${pg.uuid} could not be found.`);
      return saved;
    });
  } catch (err) {
    if (err instanceof UniqueViolation) throw duplicateError(err, next);
    throw err;
  }
}

export async function deletePortgroup(ctx: ConductorContext, pg: PortgroupRecord): Promise<void> {
  const node = await ctx.tables.nodes.findBy('uuid', pg.nodeUuid);
  if (!node) throw new PortgroupNotFoundError(`Port group ${pg.uuid} could not be found.`);
  await withNodesLocked(ctx, [node], 'portgroup deletion', async () => {
    if ((await memberCount(ctx.tables, pg)) > 0) {
      throw new PortgroupNotEmptyError(`Cannot complete the requested action because portgroup ${pg.uuid} contains ports.`);
    }
    if ((await ctx.tables.portgroups.deleteWhere('id', pg.id)) === 0) throw new PortgroupNotFoundError(`Port group ${pg.uuid} could not be found.`);
  });
}
