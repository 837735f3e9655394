// Data recorded about a node rather than configured on it: the inspection inventory (API 1.81), firmware
// components (1.86), the children that name it as parent (1.83) and shard populations (1.82). Writers are
// inspection and firmware steps; the API only reads. Rows go with the node (removeNodeData).
import type { Kysely } from 'kysely';
import { NotFoundError } from '../common/errors.js';
import type { Dict, FirmwareComponentRecord, NodeInventoryRecord, NodeRecord } from '../db/records.js';
import { UniqueViolation } from '../db/repository.js';
import { nowTimestamp } from '../db/schema.js';
import type { Tables } from '../db/tables.js';

class NodeInventoryNotFoundError extends NotFoundError {
  override readonly code = 'NodeInventoryNotFound';
}

const byNode = (nodeUuid: string) => [{ col: 'nodeUuid', op: 'eq', value: nodeUuid } as const];

/** Stores (or replaces) what inspection found; called by the inspection workflow. */
export async function saveInventory(tables: Tables, nodeUuid: string, inventory: Dict, pluginData: Dict = {}): Promise<NodeInventoryRecord> {
  const now = nowTimestamp();
  const existing = await tables.nodeInventory.findBy('nodeUuid', nodeUuid);
  if (existing) return (await tables.nodeInventory.update(existing.id, { inventoryData: inventory, pluginData, updatedAt: now }))!;
  try {
    return await tables.nodeInventory.insert({ nodeUuid, inventoryData: inventory, pluginData, createdAt: now, updatedAt: null });
  } catch (err) {
    // Two inspections finishing together: the later write wins, as with an update.
    if (!(err instanceof UniqueViolation)) throw err;
    return saveInventory(tables, nodeUuid, inventory, pluginData);
  }
}

/** @throws NodeInventoryNotFoundError (404) when inspection never stored anything. */
export async function getInventory(tables: Tables, node: NodeRecord): Promise<{ inventory: Dict; pluginData: Dict }> {
  const row = await tables.nodeInventory.findBy('nodeUuid', node.uuid);
  if (!row) throw new NodeInventoryNotFoundError(`Node inventory record for node ${node.uuid} could not be found.`);
  return { inventory: row.inventoryData, pluginData: row.pluginData };
}

export interface FirmwareVersion {
  readonly component: string;
  readonly currentVersion: string;
  /** Set when a firmware update step flashed this version. */
  readonly lastVersionFlashed?: string | null;
}

/** Records a component's version; the first version seen stays as `initial_version`. */
export async function saveFirmwareComponent(tables: Tables, nodeUuid: string, fw: FirmwareVersion): Promise<FirmwareComponentRecord> {
  const rows = await tables.firmwareComponents.list({ filters: byNode(nodeUuid) });
  const old = rows.find((r) => r.component === fw.component);
  const now = nowTimestamp();
  if (old) {
    return (await tables.firmwareComponents.update(old.id, {
      currentVersion: fw.currentVersion, lastVersionFlashed: fw.lastVersionFlashed ?? old.lastVersionFlashed, updatedAt: now,
    }))!;
  }
  return tables.firmwareComponents.insert({ nodeUuid, component: fw.component, initialVersion: fw.currentVersion,
    currentVersion: fw.currentVersion, lastVersionFlashed: fw.lastVersionFlashed ?? null, createdAt: now, updatedAt: null });
}

export function listFirmware(tables: Tables, node: NodeRecord): Promise<FirmwareComponentRecord[]> {
  return tables.firmwareComponents.list({ filters: byNode(node.uuid) });
}

/** Nodes whose parent_node is this node, in creation order. */
export function listChildren(tables: Tables, node: NodeRecord): Promise<NodeRecord[]> {
  return tables.nodes.list({ filters: [{ col: 'parentNode', op: 'eq', value: node.uuid }] });
}

/**
 * Node count per shard, largest first (ties by name). Like Ironic, nodes without a shard are counted too,
 * under the name "None" (its query groups by the column and prints the NULL group with str()).
 */
export async function shardCounts(tables: Tables): Promise<{ name: string; count: number }[]> {
  const db = tables.nodes.store.db as Kysely<any>;
  const rows = await db.selectFrom('nodes').select((eb) => ['shard', eb.fn.countAll().as('n')]).groupBy('shard').execute();
  return rows.map((r) => ({ name: r.shard === null ? 'None' : String(r.shard), count: Number(r.n) }))
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Deletes everything recorded about a node; node deletion calls it inside its transaction. */
export async function removeNodeData(trx: Kysely<any>, nodeUuid: string): Promise<void> {
  for (const table of ['biosSettings', 'nodeInventory', 'firmwareComponents']) {
    await trx.deleteFrom(table).where('nodeUuid', '=', nodeUuid).execute();
  }
}
