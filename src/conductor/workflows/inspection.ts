// Recording what an inspection found: the inventory (GET /v1/nodes/{node}/inventory), the scheduling
// properties merged into node.properties, and a port for each reported NIC the node does not have yet.
import { log } from '../../common/log.js';
import { newUuid } from '../../common/ids.js';
import { nowTimestamp } from '../../db/schema.js';
import type { InspectionFindings } from '../../drivers/interfaces.js';
import { saveInventory } from '../node-data.js';
import type { Task } from '../task.js';

export async function recordFindings(task: Task, findings: InspectionFindings): Promise<void> {
  const { node } = task;
  await saveInventory(task.ctx.tables, node.uuid, { ...findings.inventory }, { ...findings.pluginData });
  const { boot_mode: mode, ...props } = findings.properties as Record<string, unknown>;
  const properties: Record<string, unknown> = { ...node.properties, ...props };
  if (typeof mode === 'string') {
    // Capabilities are a "key:value,key:value" string in Ironic; the found boot mode replaces the old one.
    const caps = String(properties.capabilities ?? '').split(',').filter((c) => c && !c.startsWith('boot_mode:'));
    properties.capabilities = [...caps, `boot_mode:${mode}`].join(',');
  }
  await task.save({ properties });
  const existing = await task.ctx.tables.ports.list({ filters: [{ col: 'address', op: 'in', value: findings.ports.map((p) => p.address) }] });
  for (const p of findings.ports) {
    const owner = existing.find((e) => e.address === p.address);
    if (owner) {
      if (owner.nodeUuid !== node.uuid) log.warn('inspection found a MAC that belongs to another node', { node: node.uuid, mac: p.address, owner: owner.nodeUuid });
      continue;
    }
    // Direct insert: we hold this node's lock already (port-service would take it again).
    await task.ctx.tables.ports.insert({
      uuid: newUuid(), address: p.address, nodeUuid: node.uuid, extra: {}, internalInfo: {}, pxeEnabled: p.pxeEnabled,
      localLinkConnection: {}, portgroupUuid: null, physicalNetwork: null, isSmartnic: false, name: null, createdAt: nowTimestamp(), updatedAt: null,
    });
  }
  await task.loadPorts();
}
