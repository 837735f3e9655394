// Allocations (Ironic conductor/allocations.py): reserving an available node that matches a resource class and
// traits, backfilling an allocation for a node deployed without one, and handing the node back on deletion.
// A new allocation is answered at once in state "allocating"; the matching runs as background work.
import {
  AllocationAlreadyExistsError, AllocationDuplicateNameError, AllocationFailedError, AllocationNotFoundError, InstanceAssociatedError,
  InvalidError, InvalidStateError, NodeAssociatedError, NodeLockedError, NodeNotFoundError, NodeReferenceNotFoundError, type AppError,
} from '../common/errors.js';
import { logicalNameProblem, newUuid, normalizeUuid } from '../common/ids.js';
import { log } from '../common/log.js';
import type { AllocationRecord, NodeRecord } from '../db/records.js';
import { UniqueViolation, type Filter } from '../db/repository.js';
import { nowTimestamp } from '../db/schema.js';
import type { Tables } from '../db/tables.js';
import type { ConductorContext } from './context.js';
import { PATCHABLE_IN_TRANSITION } from './node-service.js';
import { changedFields } from './record-diff.js';
import { acquireNode } from './task.js';
import { explainMissedWrite, versionCondition } from './record-writes.js';

/** Passes over the locked candidates before giving up, and the pause between them (Ironic's node_locked_retry_*). */
const LOCKED_RETRY_ATTEMPTS = 3;
const LOCKED_RETRY_INTERVAL_MS = 1000;

/** Allocation by UUID or name. @throws InvalidError (400) for an ident that is neither, AllocationNotFoundError (404). */
export async function findAllocation(tables: Tables, ident: string): Promise<AllocationRecord> {
  const uuid = normalizeUuid(ident);
  if (!uuid && logicalNameProblem(ident, 52)) throw new InvalidError(`Expected a logical name or UUID but received ${ident}.`);
  const found = uuid ? await tables.allocations.findBy('uuid', uuid) : await tables.allocations.findBy('name', ident);
  if (!found) throw new AllocationNotFoundError(`Allocation ${ident} could not be found.`);
  return found;
}

/** Allocation names follow the logical-name rules; Ironic words the refusal per verb. */
export function checkAllocationName(name: string | null | undefined, verb: 'create' | 'update'): void {
  if (name && logicalNameProblem(name, 52)) throw new InvalidError(`Cannot ${verb} allocation with invalid name '${name}'`);
}

function duplicateError(err: UniqueViolation, a: Pick<AllocationRecord, 'name' | 'uuid'>): AppError {
  if (err.column === 'name') return new AllocationDuplicateNameError(`An allocation with name ${a.name} already exists.`);
  return new AllocationAlreadyExistsError(`An allocation with UUID ${a.uuid} already exists.`);
}

const pyList = (xs: readonly string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;
const hasTraits = (node: NodeRecord, traits: readonly string[]) => traits.every((t) => node.traits.includes(t));
const failed = (a: AllocationRecord, why: string) => new AllocationFailedError(`Failed to process allocation ${a.uuid}: ${why}.`);

/** Node idents (UUIDs or names) to UUIDs, order kept. @throws NodeReferenceNotFoundError (400) naming every missing one. */
/** Candidate idents -> UUIDs; with `project`, a node the project neither owns nor leases counts as missing. */
async function resolveCandidates(tables: Tables, idents: readonly string[], project: string | null): Promise<string[]> {
  const missing: string[] = [];
  const uuids: string[] = [];
  for (const ident of idents) {
    const uuid = normalizeUuid(ident);
    const node = uuid ? await tables.nodes.findBy('uuid', uuid) : logicalNameProblem(ident, 52) ? null : await tables.nodes.findBy('name', ident);
    if (node && (project === null || node.owner === project || node.lessee === project)) uuids.push(node.uuid);
    else missing.push(ident);
  }
  if (missing.length > 0) throw new NodeReferenceNotFoundError(`Nodes cannot be found: ${missing.join(', ')}`);
  return uuids;
}

export interface CreateAllocationRequest {
  readonly input: Partial<AllocationRecord>;
  /** Backfill (1.58): the node, already deployed, the allocation describes. */
  readonly node?: NodeRecord;
  /** Candidates must belong to this project (owner or lessee): a project user without create_restricted. */
  readonly candidateProject?: string | null;
}

export async function createAllocation(ctx: ConductorContext, req: CreateAllocationRequest): Promise<AllocationRecord> {
  const { input, node } = req;
  checkAllocationName(input.name, 'create');
  const resourceClass = input.resourceClass || node?.resourceClass || null;
  if (!resourceClass && !node) throw new InvalidError('The resource_class field is mandatory when not backfilling');
  const candidateNodes = input.candidateNodes?.length ? await resolveCandidates(ctx.tables, input.candidateNodes, req.candidateProject ?? null) : [];
  const now = nowTimestamp();
  const record: Omit<AllocationRecord, 'id'> = {
    name: input.name ?? null, state: 'allocating', lastError: null, traits: input.traits ?? [], extra: input.extra ?? {},
    owner: input.owner ?? null, resourceClass, candidateNodes, nodeUuid: null, createdAt: now, updatedAt: null,
    // A backfilled allocation takes the UUID the node's instance already has, unless one was asked for.
    uuid: input.uuid ?? node?.instanceUuid ?? newUuid(),
  };
  let saved: AllocationRecord;
  try {
    saved = await ctx.tables.allocations.insert(record);
  } catch (err) {
    if (err instanceof UniqueViolation) throw duplicateError(err, record);
    throw err;
  }
  if (node) return backfill(ctx, saved, node);
  ctx.work.run(() => runAllocation(ctx, saved));
  return saved;
}

/**
 * Gives the locked `node` to `allocation` in one transaction: the allocation turns active and the node gets the
 * allocation's UUID as instance_uuid plus its traits in instance_info (what deploy templates are chosen by).
 */
async function assign(ctx: ConductorContext, allocation: AllocationRecord, node: NodeRecord): Promise<AllocationRecord> {
  if (node.instanceUuid && node.instanceUuid !== allocation.uuid) {
    throw new NodeAssociatedError(`Node ${node.uuid} is associated with instance ${node.instanceUuid}.`);
  }
  const { tables } = ctx;
  const now = nowTimestamp();
  return tables.allocations.store.db.transaction().execute(async (trx) => {
    const saved = await tables.allocations.update(allocation.id, { state: 'active', nodeUuid: node.uuid, lastError: null, updatedAt: now }, [], trx);
    if (!saved) throw new AllocationNotFoundError(`Allocation ${allocation.uuid} could not be found.`);
    try {
      const changes = { instanceUuid: allocation.uuid, allocationUuid: allocation.uuid, updatedAt: now,
        instanceInfo: { ...node.instanceInfo, traits: allocation.traits } };
      const held = await tables.nodes.update(node.id, changes, [{ col: 'reservation', op: 'eq', value: ctx.registry.hostname }], trx);
      if (!held) throw new Error(`lost the lock on node ${node.uuid} while allocating`);
    } catch (err) {
      if (err instanceof UniqueViolation) {
        throw new InstanceAssociatedError(`Instance ${allocation.uuid} is already associated with a node, it cannot be associated with this ` +
          `other node ${node.uuid}`);
      }
      throw err;
    }
    return saved;
  });
}

/** Records a failure; an allocation deleted meanwhile is simply gone. */
async function markFailed(ctx: ConductorContext, allocation: AllocationRecord, message: string): Promise<void> {
  await ctx.tables.allocations.update(allocation.id, { state: 'error', lastError: message, nodeUuid: null, updatedAt: nowTimestamp() })
    .catch((err: Error) => log.error('could not record a failed allocation', { allocation: allocation.uuid, error: err.message }));
}

/** Backfill: the node is already deployed; only check it fits and link the two. Failures are the caller's errors. */
async function backfill(ctx: ConductorContext, allocation: AllocationRecord, node: NodeRecord): Promise<AllocationRecord> {
  try {
    return await acquireNode(ctx, node, 'allocation backfilling', async (task) => {
      const n = task.node;
      const errors: string[] = [];
      // Backfilling records an existing deployment; it is not a way around the matching.
      if (n.provisionState !== 'active') errors.push(`Node must be in the "active" state, but the current state is "${n.provisionState}"`);
      if (allocation.resourceClass && n.resourceClass !== allocation.resourceClass) {
        errors.push(`Resource class ${n.resourceClass} does not match the requested resource class ${allocation.resourceClass}`);
      }
      if (!hasTraits(n, allocation.traits)) {
        errors.push(`List of traits ${pyList(n.traits)} does not match the requested traits ${pyList(allocation.traits)}`);
      }
      if (allocation.candidateNodes.length > 0 && !allocation.candidateNodes.includes(n.uuid)) {
        errors.push(`Candidate nodes must be empty or contain the target node, but got ${pyList(allocation.candidateNodes)}`);
      }
      if (errors.length > 0) throw failed(allocation, `Cannot backfill an allocation for node ${n.uuid}: ${errors.join('; ')}`);
      return assign(ctx, allocation, n);
    });
  } catch (err) {
    await markFailed(ctx, allocation, (err as Error).message);
    throw err;
  }
}

/** Available, powered (state known), unclaimed nodes of the class, narrowed as the allocation asks; shuffled. */
async function candidates(tables: Tables, allocation: AllocationRecord): Promise<NodeRecord[]> {
  const filters: Filter[] = [
    { col: 'provisionState', op: 'eq', value: 'available' },
    { col: 'maintenance', op: 'eq', value: 0 },
    { col: 'instanceUuid', op: 'isNull' },
    { col: 'powerState', op: 'notNull' },
    { col: 'resourceClass', op: 'eq', value: allocation.resourceClass },
  ];
  if (allocation.candidateNodes.length > 0) filters.push({ col: 'uuid', op: 'in', value: allocation.candidateNodes });
  let nodes = await tables.nodes.list({ filters });
  if (allocation.owner) nodes = nodes.filter((n) => n.owner === allocation.owner || n.lessee === allocation.owner);
  if (nodes.length === 0) {
    throw failed(allocation, allocation.candidateNodes.length > 0
      ? `none of the requested nodes are available and match the resource class ${allocation.resourceClass}`
      : `no available nodes match the resource class ${allocation.resourceClass}`);
  }
  nodes = nodes.filter((n) => hasTraits(n, allocation.traits));
  if (nodes.length === 0) throw failed(allocation, `no suitable nodes have the requested traits ${allocation.traits.join(', ')}`);
  // Concurrent allocations must not all try the same node first.
  for (let i = nodes.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [nodes[i], nodes[j]] = [nodes[j]!, nodes[i]!];
  }
  // 1.79: a node named like the allocation goes first, so allocation and node names line up where they can.
  const named = allocation.name ? nodes.findIndex((n) => n.name === allocation.name) : -1;
  if (named > 0) nodes.unshift(...nodes.splice(named, 1));
  return nodes;
}

/** The node may have changed between the listing and taking its lock. */
function stillSuitable(node: NodeRecord, allocation: AllocationRecord): boolean {
  return !node.maintenance && !node.instanceUuid && node.provisionState === 'available'
    && node.resourceClass === allocation.resourceClass && hasTraits(node, allocation.traits);
}

/** Tries the candidates in order; locked ones get further passes, since a lock (e.g. power sync) is brief. */
async function reserveOne(ctx: ConductorContext, allocation: AllocationRecord, nodes: NodeRecord[]): Promise<AllocationRecord> {
  let pending = nodes;
  for (let attempt = 1; ; attempt++) {
    const locked: NodeRecord[] = [];
    for (const node of pending) {
      try {
        const done = await acquireNode(ctx, node, 'allocating', (task) =>
          stillSuitable(task.node, allocation) ? assign(ctx, allocation, task.node) : Promise.resolve(null));
        if (done) {
          log.info('node reserved for allocation', { node: node.uuid, allocation: allocation.uuid });
          return done;
        }
      } catch (err) {
        if (err instanceof NodeLockedError) locked.push(node);
        else if (!(err instanceof NodeAssociatedError || err instanceof NodeNotFoundError)) throw err;
      }
    }
    if (locked.length === 0) throw failed(allocation, 'all nodes were filtered out during reservation');
    if (attempt >= LOCKED_RETRY_ATTEMPTS) throw failed(allocation, `could not reserve any of ${locked.length} suitable nodes`);
    pending = locked;
    await new Promise((resolve) => setTimeout(resolve, LOCKED_RETRY_INTERVAL_MS));
  }
}

/** Background part of a new allocation; never throws, the outcome is recorded on the allocation. */
export async function runAllocation(ctx: ConductorContext, allocation: AllocationRecord): Promise<void> {
  try {
    await reserveOne(ctx, allocation, await candidates(ctx.tables, allocation));
  } catch (err) {
    if (err instanceof AllocationFailedError) {
      log.warn('allocation failed', { allocation: allocation.uuid, error: err.message });
      await markFailed(ctx, allocation, err.message);
    } else if (!(err instanceof AllocationNotFoundError)) {
      log.error('unexpected error while allocating', { allocation: allocation.uuid, error: (err as Error).message, stack: (err as Error).stack });
      await markFailed(ctx, allocation, `Unexpected exception during allocation: ${(err as Error).message}`);
    }
  }
}

export async function updateAllocation(ctx: ConductorContext, allocation: AllocationRecord,
  changes: Partial<AllocationRecord>): Promise<AllocationRecord> {
  if ('name' in changes) checkAllocationName(changes.name, 'update');
  const diff = changedFields(allocation, changes);
  if (Object.keys(diff).length === 0) return allocation;
  try {
    const saved = await ctx.tables.allocations.update(allocation.id, { ...diff, updatedAt: nowTimestamp() }, [versionCondition(allocation)])
      ?? await explainMissedWrite(ctx.tables.allocations, allocation, `Allocation ${allocation.uuid}`);
    if (!saved) throw new AllocationNotFoundError(`Allocation ${allocation.uuid} could not be found.`);
    return saved;
  } catch (err) {
    if (err instanceof UniqueViolation) throw duplicateError(err, { ...allocation, ...diff });
    throw err;
  }
}

/** A node keeps its allocation while deployed (or being changed), unless in maintenance. */
function checkDeallocation(node: NodeRecord, allocation: AllocationRecord): void {
  if (node.maintenance) return;
  if (node.targetProvisionState && !PATCHABLE_IN_TRANSITION.has(node.provisionState)) {
    throw new InvalidStateError(`Cannot remove allocation ${allocation.uuid} for node ${node.uuid}, because the node is in state ` +
      `${node.provisionState} where updates are not allowed (and maintenance mode is off)`);
  }
  if (node.provisionState === 'active') {
    throw new InvalidStateError(`Cannot remove allocation ${allocation.uuid} for node ${node.uuid}, because the node is active ` +
      '(and maintenance mode is off)');
  }
}

/**
 * Deletes the allocation and frees its node (instance_uuid, allocation_uuid and the traits it put in instance_info),
 * under the node lock so a deployment cannot start in between.
 */
export async function deleteAllocation(ctx: ConductorContext, allocation: AllocationRecord): Promise<void> {
  const { tables } = ctx;
  const node = allocation.nodeUuid ? await tables.nodes.findBy('uuid', allocation.nodeUuid) : null;
  const remove = async (held?: NodeRecord) => tables.allocations.store.db.transaction().execute(async (trx) => {
    if ((await tables.allocations.deleteWhere('id', allocation.id, trx)) === 0) {
      throw new AllocationNotFoundError(`Allocation ${allocation.uuid} could not be found.`);
    }
    if (held?.allocationUuid !== allocation.uuid) return;
    const { traits: _traits, ...instanceInfo } = held.instanceInfo;
    await tables.nodes.update(held.id, { allocationUuid: null, instanceUuid: null, instanceInfo, updatedAt: nowTimestamp() },
      [{ col: 'reservation', op: 'eq', value: ctx.registry.hostname }], trx);
  });
  if (!node) {
    await remove();
    return;
  }
  await acquireNode(ctx, node, 'allocation deletion', async (task) => {
    checkDeallocation(task.node, allocation);
    await remove(task.node);
  });
}

/** Teardown removes the instance, and with it the allocation that placed it (Ironic do_node_tear_down). */
export async function dropAllocationAfterTeardown(tables: Tables, allocationUuid: string | null): Promise<void> {
  if (allocationUuid) await tables.allocations.deleteWhere('uuid', allocationUuid);
}
