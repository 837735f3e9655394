// Port rules: which node and portgroup a port may belong to, when its address and connectivity may change, and
// the database writes. Writes hold the node lock, so a locked node refuses port changes with NodeLocked as in
// Ironic (its conductor takes the same lock for them).
import {
  ConflictError, InvalidError, InvalidParameterValueError, InvalidStateError, MACAlreadyExistsError, NodeReferenceNotFoundError,
  PortAlreadyExistsError, PortDuplicateNameError, PortNotFoundError, PortgroupReferenceNotFoundError, type AppError,
} from '../common/errors.js';
import { newUuid, normalizeUuid } from '../common/ids.js';
import { nowTimestamp } from '../db/schema.js';
import type { Tables } from '../db/tables.js';
import type { NodeRecord, PortgroupRecord, PortRecord } from '../db/records.js';
import { UniqueViolation } from '../db/repository.js';
import type { ConductorContext } from './context.js';
import { withNodesLocked } from './node-locks.js';
import { explainMissedWrite, versionCondition } from './record-writes.js';
import { forgetPortBootFiles } from './boot-cleanup.js';

/** States in which a port's connectivity may change without maintenance mode (Ironic's list). */
const CONNECTIVITY_STATES = ['enroll', 'inspecting', 'inspect wait', 'manageable'];
const CONNECTIVITY = { portgroupUuid: 'portgroup_id', pxeEnabled: 'pxe_enabled', localLinkConnection: 'local_link_connection',
  physicalNetwork: 'physical_network' } as const;

/** Port by UUID, or by name from 1.88. @throws InvalidParameterValueError (400), PortNotFoundError (404). */
export async function findPort(tables: Tables, ident: string, minor: number): Promise<PortRecord> {
  const uuid = normalizeUuid(ident);
  if (!uuid && minor < 88) throw new InvalidParameterValueError(`Expected UUID for port_uuid: ${ident}`);
  const port = uuid ? await tables.ports.findBy('uuid', uuid) : await tables.ports.findBy('name', ident);
  if (!port) throw new PortNotFoundError(`Port ${ident} could not be found.`);
  return port;
}

function duplicateError(err: UniqueViolation, port: Pick<PortRecord, 'address' | 'name' | 'uuid'>): AppError {
  if (err.column === 'address') return new MACAlreadyExistsError(`A port with MAC address ${port.address} already exists.`);
  if (err.column === 'name') return new PortDuplicateNameError(`A port with name ${port.name} already exists.`);
  return new PortAlreadyExistsError(`A port with UUID ${port.uuid} already exists.`);
}

async function referencedNode(tables: Tables, uuid: string): Promise<NodeRecord> {
  const node = await tables.nodes.findBy('uuid', uuid);
  if (!node) throw new NodeReferenceNotFoundError(`Node ${uuid} could not be found.`);
  return node;
}

/** The portgroup a port joins must exist and belong to the port's node. */
async function referencedPortgroup(tables: Tables, uuid: string, nodeUuid: string): Promise<PortgroupRecord> {
  const pg = await tables.portgroups.findBy('uuid', uuid);
  if (!pg) throw new PortgroupReferenceNotFoundError(`Port group ${uuid} could not be found.`);
  if (pg.nodeUuid !== nodeUuid) throw new InvalidError('Port can not be added to a portgroup belonging to a different node.');
  return pg;
}

/** A Smart NIC port is reached through its host, so its link must name port_id and hostname. */
function checkSmartNic(port: Pick<PortRecord, 'isSmartnic' | 'localLinkConnection'>): void {
  const link = port.localLinkConnection;
  if (port.isSmartnic && (typeof link.port_id !== 'string' || typeof link.hostname !== 'string')) {
    throw new InvalidError('Smart NIC port must have port_id and hostname in local_link_connection');
  }
}

function checkStandalone(pg: PortgroupRecord, pxeEnabled: boolean): void {
  if (pxeEnabled && !pg.standalonePortsSupported) {
    throw new ConflictError(`Port group ${pg.uuid} doesn't support standalone ports. This port cannot be a member of that ` +
      `portgroup as the port's 'pxe_enabled' field is set to True.`);
  }
}

/** Members of a portgroup are one bond, plugged into one physical network. */
async function checkPortgroupPhysnet(tables: Tables, port: Pick<PortRecord, 'uuid' | 'physicalNetwork'>, pg: PortgroupRecord): Promise<void> {
  const members = await tables.ports.list({ filters: [{ col: 'portgroupUuid', op: 'eq', value: pg.uuid }] });
  const nets = new Set(members.filter((m) => m.uuid !== port.uuid).map((m) => m.physicalNetwork));
  if (nets.size === 0 || nets.has(port.physicalNetwork)) return;
  const shown = [...nets].map((n) => n ?? 'None').join(', ');
  throw new ConflictError(`Port with physical network ${port.physicalNetwork ?? 'None'} cannot become a member of port group ` +
    `${pg.uuid} which has ports in physical network ${shown}.`);
}

export async function createPort(ctx: ConductorContext, input: Partial<PortRecord>): Promise<PortRecord> {
  if (input.address === undefined) throw new InvalidError("Schema error for port: 'address' is a required property");
  if (input.nodeUuid === undefined) throw new InvalidError("Schema error for port: 'node_uuid' is a required property");
  const node = await referencedNode(ctx.tables, input.nodeUuid);
  const record: Omit<PortRecord, 'id'> = {
    uuid: newUuid(), address: input.address, nodeUuid: node.uuid, extra: {}, internalInfo: {}, pxeEnabled: true,
    localLinkConnection: {}, portgroupUuid: null, physicalNetwork: null, isSmartnic: false, name: null,
    createdAt: nowTimestamp(), updatedAt: null, ...input,
  };
  checkSmartNic(record);
  try {
    return await withNodesLocked(ctx, [node], 'port create', async () => {
      // Under the lock: portgroup deletion counts members under the same lock, so the group cannot vanish meanwhile.
      if (record.portgroupUuid) {
        const pg = await referencedPortgroup(ctx.tables, record.portgroupUuid, node.uuid);
        // Ironic only objects when the client itself asked for pxe_enabled, not to the default.
        checkStandalone(pg, input.pxeEnabled === true);
        await checkPortgroupPhysnet(ctx.tables, record, pg);
      }
      return ctx.tables.ports.insert(record);
    });
  } catch (err) {
    if (err instanceof UniqueViolation) throw duplicateError(err, record);
    throw err;
  }
}

export async function updatePort(ctx: ConductorContext, port: PortRecord, changes: Partial<PortRecord>, minor: number): Promise<PortRecord> {
  const { tables } = ctx;
  const next: PortRecord = { ...port, ...changes };
  const changed = (k: keyof PortRecord) => JSON.stringify(next[k]) !== JSON.stringify(port[k]);
  const current = await tables.nodes.findBy('uuid', port.nodeUuid);
  if (!current) throw new PortNotFoundError(`Port ${port.uuid} could not be found.`);
  // A moved port is judged by the node it moves to, as Ironic does.
  const node = changed('nodeUuid') ? await referencedNode(tables, next.nodeUuid) : current;
  if (minor >= 39 && node.provisionState === 'inspecting') {
    throw new ConflictError(`Cannot update port "${port.uuid}" on "${node.uuid}" while it is in state "inspecting".`);
  }
  if (changed('address') && (node.provisionState === 'active' || node.instanceUuid) && !node.maintenance) {
    throw new InvalidStateError(`Cannot update hardware address for port ${port.uuid} as node ${node.uuid} is active or has instance UUID assigned`);
  }
  const connectivity = (Object.keys(CONNECTIVITY) as (keyof typeof CONNECTIVITY)[]).some(changed);
  if (connectivity && !CONNECTIVITY_STATES.includes(node.provisionState) && !node.maintenance) {
    throw new InvalidStateError(`Port ${port.uuid} can not have any connectivity attributes (${Object.values(CONNECTIVITY).join(', ')}) ` +
      `updated unless node ${node.uuid} is in a ${CONNECTIVITY_STATES.join(', ')} state or in maintenance mode. ` +
      `The current state is ${node.provisionState}.`);
  }
  checkSmartNic(next);
  const diff: Partial<PortRecord> = {};
  for (const k of Object.keys(changes) as (keyof PortRecord)[]) if (changed(k)) (diff as Record<string, unknown>)[k] = next[k];
  try {
    return await withNodesLocked(ctx, [current, node], 'port update', async () => {
      if (next.portgroupUuid && (changed('portgroupUuid') || changed('nodeUuid') || changed('pxeEnabled') || changed('physicalNetwork'))) {
        const pg = await referencedPortgroup(tables, next.portgroupUuid, next.nodeUuid);
        if (changed('portgroupUuid') || changed('pxeEnabled')) checkStandalone(pg, next.pxeEnabled);
        await checkPortgroupPhysnet(tables, next, pg);
      }
      if (Object.keys(diff).length === 0) return port;
      const saved = await tables.ports.update(port.id, { ...diff, updatedAt: nowTimestamp() }, [versionCondition(port)])
        ?? await explainMissedWrite(tables.ports, port, `Port ${port.uuid}`);
      if (!saved) throw new PortNotFoundError(`Port ${port.uuid} could not be found.`);
      // The old MAC must not keep naming the node's boot config or getting its DHCP answers.
      if (changed('address') || (changed('pxeEnabled') && !next.pxeEnabled)) await forgetPortBootFiles(ctx, { macs: [port.address] });
      return saved;
    });
  } catch (err) {
    if (err instanceof UniqueViolation) throw duplicateError(err, next);
    throw err;
  }
}

export async function deletePort(ctx: ConductorContext, port: PortRecord): Promise<void> {
  const node = await ctx.tables.nodes.findBy('uuid', port.nodeUuid);
  if (!node) throw new PortNotFoundError(`Port ${port.uuid} could not be found.`);
  // A port carrying a tenant network attachment of a deployed node is in use.
  const vif = port.internalInfo.tenant_vif_port_id ?? port.extra.vif_port_id;
  if (vif && !node.maintenance && (node.provisionState === 'active' || node.instanceUuid)) {
    throw new InvalidStateError(`Cannot delete the port ${port.uuid} as node ${node.uuid} is active or has instance UUID assigned or port is bound to vif ${String(vif)}`);
  }
  await withNodesLocked(ctx, [node], 'port deletion', async () => {
    if ((await ctx.tables.ports.deleteWhere('id', port.id)) === 0) throw new PortNotFoundError(`Port ${port.uuid} could not be found.`);
    await forgetPortBootFiles(ctx, { macs: [port.address] });
  });
}
