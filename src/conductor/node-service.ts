// Enrolment rules for nodes: what a new node gets by default, which changes are allowed in which state,
// when a node may be deleted, and the per-interface validation report. The API calls these; they own the
// database writes so every path that changes a node goes through the same rules.
import {
  ChassisNotFoundError, DuplicateNameError, InstanceAssociatedError, InvalidParameterValueError, InvalidStateError,
  MissingParameterValueError, NodeAlreadyExistsError, NodeAssociatedError, NodeLockedError, NodeNotFoundError,
  NodeProtectedError, AppError,
} from '../common/errors.js';
import { newUuid, normalizeUuid } from '../common/ids.js';
import type { Config } from '../common/config.js';
import { nowTimestamp } from '../db/schema.js';
import type { Tables } from '../db/tables.js';
import type { NodeRecord } from '../db/records.js';
import { UniqueViolation } from '../db/repository.js';
import { KIND_NAMES, INTERFACE_KINDS, type InterfaceKind } from '../drivers/interfaces.js';
import { bootsOverNetwork, defaultInterface, findHardwareType, findInterface, type HardwareType } from '../drivers/hardware-types.js';
import type { ConductorRegistry } from './registry.js';
import { removeNodeData } from './node-data.js';
import { explainMissedWrite, versionCondition } from './record-writes.js';
import { stopNodeConsole } from './console.js';
import type { BootServices } from './boot-environment.js';
import { forgetPortBootFiles } from './boot-cleanup.js';
import type { NodeEventFeed } from './node-events.js';

export interface NodeServiceDeps {
  readonly tables: Tables;
  readonly config: Config;
  readonly registry: ConductorRegistry;
  readonly boot?: BootServices;
  readonly events?: NodeEventFeed;
}

const ifaceProp = (kind: InterfaceKind) => `${kind}Interface` as const;

/** Provision states in which a PATCH is still allowed although a target is set (Ironic's list). */
export const PATCHABLE_IN_TRANSITION: ReadonlySet<string> = new Set(['deploy failed', 'inspecting', 'inspect failed', 'inspect wait',
  'clean failed', 'error', 'verifying', 'adopt failed', 'rescue failed', 'unrescue failed', 'service', 'service hold', 'service failed']);

const DELETABLE_STATES = ['manageable', 'enroll', 'adopt failed'];

/** Provision states in which a node's interfaces may change outside maintenance (Ironic's update_node). */
const INTERFACE_UPDATE_STATES = ['enroll', 'inspecting', 'inspect wait', 'manageable', 'available'];

export async function findNode(tables: Tables, ident: string, minor: number): Promise<NodeRecord> {
  const uuid = normalizeUuid(ident);
  const node = uuid ? await tables.nodes.findBy('uuid', uuid) : minor >= 5 ? await tables.nodes.findBy('name', ident) : null;
  if (!node) throw new NodeNotFoundError(`Node ${ident} could not be found.`);
  return node;
}

function duplicateError(err: UniqueViolation, node: Partial<NodeRecord>): AppError {
  if (err.column === 'name') return new DuplicateNameError(`A node with name ${node.name} already exists.`);
  if (err.column === 'instance_uuid') {
    return new InstanceAssociatedError(`Instance ${node.instanceUuid} is already associated with a node, it cannot be associated with this other node ${node.uuid}`);
  }
  return new NodeAlreadyExistsError(`A node with UUID ${node.uuid} already exists.`);
}

async function hardwareTypeFor(deps: NodeServiceDeps, driver: string, group: string): Promise<HardwareType> {
  const type = findHardwareType(driver, deps.config.enabledHardwareTypes);
  if (!type || !(await deps.registry.hasConductorFor(driver, group))) {
    throw new InvalidParameterValueError(
      `No valid host was found. Reason: No conductor service registered which supports driver ${driver} for conductor group "${group}".`);
  }
  return type;
}

/** Checks each explicitly chosen interface against the type, and fills the rest with the type's defaults. */
function resolveInterfaces(type: HardwareType, node: Partial<NodeRecord>, reset: boolean): Partial<NodeRecord> {
  const out: Partial<Record<string, string>> = {};
  for (const kind of KIND_NAMES) {
    const chosen = node[ifaceProp(kind)];
    if (chosen === undefined || chosen === null || (reset && chosen === undefined)) {
      out[ifaceProp(kind)] = defaultInterface(type, kind).name;
      continue;
    }
    if (!findInterface(type, kind, chosen)) {
      const names = type.interfaces[kind].map((i) => i.name).join(', ');
      throw new InvalidParameterValueError(
        `Interface "${chosen}" of kind ${kind} is not supported by hardware type ${type.name}; supported: ${names}.`);
    }
    out[ifaceProp(kind)] = chosen;
  }
  return out as Partial<NodeRecord>;
}

async function checkChassis(tables: Tables, chassisUuid: string | null | undefined): Promise<void> {
  if (chassisUuid && !(await tables.chassis.findBy('uuid', chassisUuid))) {
    throw new ChassisNotFoundError(`Chassis ${chassisUuid} could not be found.`);
  }
}

export async function createNode(deps: NodeServiceDeps, input: Partial<NodeRecord>, minor: number): Promise<NodeRecord> {
  if (!input.driver) throw new MissingParameterValueError("Schema error for node: 'driver' is a required property");
  const group = input.conductorGroup ?? '';
  const type = await hardwareTypeFor(deps, input.driver, group);
  await checkChassis(deps.tables, input.chassisUuid);
  const now = nowTimestamp();
  const record: Omit<NodeRecord, 'id'> = {
    uuid: input.uuid ?? newUuid(), name: null, driver: input.driver, driverInfo: {}, driverInternalInfo: {}, instanceInfo: {},
    instanceUuid: null, properties: {}, extra: {}, chassisUuid: null, powerState: null, targetPowerState: null,
    provisionState: minor >= 11 ? 'enroll' : 'available', targetProvisionState: null, provisionUpdatedAt: null,
    lastError: null, maintenance: false, maintenanceReason: null, fault: null, reservation: null, consoleEnabled: false,
    inspectionStartedAt: null, inspectionFinishedAt: null, cleanStep: {}, deployStep: {}, serviceStep: {}, raidConfig: {},
    targetRaidConfig: {}, bootInterface: null, biosInterface: null, consoleInterface: null, deployInterface: null,
    firmwareInterface: null, inspectInterface: null, managementInterface: null, networkInterface: null, powerInterface: null,
    raidInterface: null, rescueInterface: null, storageInterface: null, vendorInterface: null, resourceClass: null, traits: [],
    conductorGroup: group, automatedClean: null, protected: false, protectedReason: null, owner: null, lessee: null,
    description: null, allocationUuid: null, retired: false, retiredReason: null, networkData: {}, bootMode: null,
    secureBoot: null, shard: null, parentNode: null, disablePowerOff: false, conductorAffinity: null, createdAt: now, updatedAt: null,
    ...input,
  } as Omit<NodeRecord, 'id'>;
  Object.assign(record, resolveInterfaces(type, record, true));
  if (record.retiredReason && !record.retired) {
    throw new InvalidParameterValueError('Cannot set retired_reason without setting retired to true.');
  }
  try {
    return await deps.tables.nodes.insert(record);
  } catch (err) {
    if (err instanceof UniqueViolation) throw duplicateError(err, record);
    throw err;
  }
}

/** Equal as stored: identical scalars, or objects with the same JSON (only those need serialising). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface UpdateOptions {
  /** Reset interfaces not set in this update to the new driver's defaults (Ironic's reset_interfaces). */
  readonly resetInterfaces?: boolean;
}

export async function updateNode(deps: NodeServiceDeps, node: NodeRecord, changes: Partial<NodeRecord>, opts: UpdateOptions = {}): Promise<NodeRecord> {
  if (node.reservation) {
    throw new NodeLockedError(`Node ${node.uuid} is locked by host ${node.reservation}, please retry after the current operation is completed.`);
  }
  const onlyClearsInstance = Object.keys(changes).length === 1 && 'instanceUuid' in changes && changes.instanceUuid === null && node.maintenance;
  if (node.targetProvisionState && !PATCHABLE_IN_TRANSITION.has(node.provisionState) && !onlyClearsInstance) {
    throw new InvalidStateError(`Node ${node.uuid} can not be updated while a state transition is in progress.`);
  }
  const next: NodeRecord = { ...node, ...changes };
  // Ironic treats a PATCH naming /driver as a driver change even when the value stays the same.
  const driverChanged = changes.driver !== undefined;
  const touched = KIND_NAMES.filter((k) => ifaceProp(k) in changes && changes[ifaceProp(k)] !== node[ifaceProp(k)]);
  if (touched.length && !INTERFACE_UPDATE_STATES.includes(node.provisionState) && !node.maintenance) {
    throw new InvalidStateError(`Node ${node.uuid} can not have ${touched[0]}_interface updated unless it is in one of allowed ` +
      `(${INTERFACE_UPDATE_STATES.join(', ')}) states or in maintenance mode.`);
  }
  if (driverChanged || touched.length || 'conductorGroup' in changes) {
    const type = await hardwareTypeFor(deps, next.driver, next.conductorGroup);
    // As Ironic: a new driver keeps the node's interfaces unless reset_interfaces=true asks for the new
    // driver's defaults (interfaces named in the same PATCH are kept either way).
    if (driverChanged && opts.resetInterfaces === true) {
      for (const kind of KIND_NAMES) if (!(ifaceProp(kind) in changes)) (next as unknown as Record<string, unknown>)[ifaceProp(kind)] = null;
    }
    try {
      Object.assign(next, resolveInterfaces(type, next, false));
    } catch (err) {
      if (!(err instanceof InvalidParameterValueError) || !driverChanged || opts.resetInterfaces === true) throw err;
      throw new InvalidParameterValueError(`${err.message} Pass reset_interfaces=true (baremetal node set --driver ${next.driver} --reset-interfaces) to reset the interfaces to the new driver's defaults.`);
    }
  } else if (opts.resetInterfaces === true) {
    throw new InvalidParameterValueError('The reset_interfaces parameter can only be used when changing the node\'s driver.');
  }
  if ('chassisUuid' in changes) await checkChassis(deps.tables, changes.chassisUuid);
  // An allocation placed the instance: removing the instance removes the allocation, replacing it is refused.
  if ('instanceUuid' in changes && node.allocationUuid && changes.instanceUuid !== node.instanceUuid) {
    if (changes.instanceUuid !== null) {
      throw new InvalidStateError(`Cannot change instance_uuid of node ${node.uuid}: it was set by allocation ${node.allocationUuid}; delete the allocation instead.`);
    }
    next.allocationUuid = null;
  }
  if (changes.maintenance === false) Object.assign(next, { maintenanceReason: null, fault: null });
  if (changes.protected === true && !['active', 'rescue'].includes(next.provisionState)) {
    throw new InvalidStateError(`Protected nodes must be in the active or rescue state; node ${node.uuid} is in "${next.provisionState}".`);
  }
  if (next.protectedReason && !next.protected) {
    if (changes.protected === false) next.protectedReason = null;
    else throw new InvalidParameterValueError('Cannot set protected_reason without setting protected to true.');
  }
  if (next.retiredReason && !next.retired) {
    if (changes.retired === false) next.retiredReason = null;
    else throw new InvalidParameterValueError('Cannot set retired_reason without setting retired to true.');
  }
  const { id: _id, ...rest } = next;
  const diff: Partial<NodeRecord> = {};
  for (const [k, v] of Object.entries(rest) as [keyof NodeRecord, unknown][]) {
    if (!sameValue(v, node[k])) (diff as Record<string, unknown>)[k] = v;
  }
  if (Object.keys(diff).length === 0) return node;
  diff.updatedAt = nowTimestamp();
  try {
    // Only while nobody holds the node and nobody wrote it since our read: a lock taken or a write made
    // between our read and this write wins (record-writes.ts retries on a fresh read).
    const saved = await deps.tables.nodes.update(node.id, diff, [{ col: 'reservation', op: 'isNull' }, versionCondition(node)]);
    if (saved && node.allocationUuid && saved.allocationUuid === null) await deps.tables.allocations.deleteWhere('uuid', node.allocationUuid);
    if (!saved) {
      await explainMissedWrite(deps.tables.nodes, node, `Node ${node.uuid}`, (now) =>
        new NodeLockedError(`Node ${node.uuid} is locked by host ${now.reservation}, please retry after the current operation is completed.`));
      throw new NodeNotFoundError(`Node ${node.uuid} could not be found.`);
    }
    return saved;
  } catch (err) {
    if (err instanceof UniqueViolation) throw duplicateError(err, next);
    throw err;
  }
}

export async function deleteNode(deps: NodeServiceDeps, node: NodeRecord): Promise<void> {
  if (node.reservation) {
    throw new NodeLockedError(`Node ${node.uuid} is locked by host ${node.reservation}, please retry after the current operation is completed.`);
  }
  if (node.protected) throw new NodeProtectedError(`Node ${node.uuid} is protected and cannot be undeployed, rebuilt or deleted`);
  const deletable = deps.config.allowDeletingAvailableNodes ? [...DELETABLE_STATES, 'available'] : DELETABLE_STATES;
  if (!node.maintenance && !deletable.includes(node.provisionState)) {
    throw new InvalidStateError(`Can not delete node "${node.uuid}" while it is in provision state "${node.provisionState}". ` +
      `Valid provision states to perform deletion are: "(${deletable.map((s) => `'${s}'`).join(', ')})", or set the node into maintenance mode`);
  }
  if (node.instanceUuid && !node.maintenance) {
    throw new NodeAssociatedError(`Node ${node.uuid} is associated with instance ${node.instanceUuid}.`);
  }
  const macs = (await deps.tables.ports.list({ filters: [{ col: 'nodeUuid', op: 'eq', value: node.uuid }] })).map((p) => p.address);
  await deps.tables.nodes.store.db.transaction().execute(async (trx) => {
    // Claim the row first so a concurrent lock holder makes us fail instead of deleting under it.
    const gone = await trx.deleteFrom('nodes').where('id', '=', node.id).where('reservation', 'is', null).executeTakeFirst();
    if (Number(gone.numDeletedRows) === 0) {
      throw new NodeLockedError(`Node ${node.uuid} is locked, please retry after the current operation is completed.`);
    }
    await trx.deleteFrom('ports').where('nodeUuid', '=', node.uuid).execute();
    await trx.deleteFrom('portgroups').where('nodeUuid', '=', node.uuid).execute();
    await trx.deleteFrom('nodeHistory').where('nodeUuid', '=', node.uuid).execute();
    await removeNodeData(trx, node.uuid);
    // Ironic removes the node's allocation and volume records with it.
    for (const table of ['allocations', 'volumeConnectors', 'volumeTargets'] as const) {
      await trx.deleteFrom(table).where('nodeUuid', '=', node.uuid).execute();
    }
  });
  if (node.consoleEnabled) await stopNodeConsole(deps, node);
  await forgetPortBootFiles(deps, { nodeUuid: node.uuid, macs });
  deps.events?.nodeDeleted(node.uuid);
}

export type ValidationReport = Record<string, { result: boolean | null; reason?: string }>;

const VALIDATE_KINDS: InterfaceKind[] = ['boot', 'deploy', 'management', 'network', 'power', 'bios', 'console', 'inspect', 'raid', 'rescue', 'storage', 'firmware'];

export async function validateNode(deps: NodeServiceDeps, node: NodeRecord, minor: number): Promise<ValidationReport> {
  const type = findHardwareType(node.driver, deps.config.enabledHardwareTypes);
  const portCount = await deps.tables.ports.count([{ col: 'nodeUuid', op: 'eq', value: node.uuid }]);
  const networkBoot = bootsOverNetwork(type, node);
  const report: ValidationReport = {};
  for (const kind of VALIDATE_KINDS) {
    if (INTERFACE_KINDS[kind] > minor && kind === 'firmware') continue;
    const impl = type && findInterface(type, kind, node[ifaceProp(kind)] ?? '');
    if (!impl) {
      report[kind] = { result: false, reason: `Driver ${node.driver} does not support ${kind} (disabled or not implemented).` };
    } else if (impl.unsupported) {
      report[kind] = { result: false, reason: `Driver ${node.driver} does not support ${kind} (disabled or not implemented).` };
    } else {
      try {
        await impl.validate?.({ node, portCount, networkBoot, config: deps.config });
        report[kind] = { result: true };
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        report[kind] = { result: false, reason: err.message };
      }
    }
  }
  return report;
}

