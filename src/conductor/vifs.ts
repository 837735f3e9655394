// VIFs (virtual interfaces, API 1.28/1.67): a VIF is attached by writing its id into a free port's or
// portgroup's internal_info (`tenant_vif_port_id`), so the network layer knows which NIC serves it.
// Attach and detach hold the node lock; listing only reads.
import { ConflictError, InvalidError } from '../common/errors.js';
import type { NodeRecord, PortgroupRecord, PortRecord } from '../db/records.js';
import { nowTimestamp } from '../db/schema.js';
import type { Tables } from '../db/tables.js';
import type { ConductorContext } from './context.js';
import { acquireNode } from './task.js';

export const VIF_KEY = 'tenant_vif_port_id';

export interface VifRequest {
  readonly id: string;
  /** From 1.67 a client may name the port or portgroup to use. */
  readonly portUuid?: string;
  readonly portgroupUuid?: string;
}

type PortLike = { kind: 'port'; rec: PortRecord } | { kind: 'portgroup'; rec: PortgroupRecord };

/** The VIF on a port or portgroup; older deployments kept it in `extra.vif_port_id`, which still counts. */
function vifOf(rec: PortRecord | PortgroupRecord): string | null {
  const v = rec.internalInfo[VIF_KEY] ?? rec.extra.vif_port_id;
  return typeof v === 'string' && v !== '' ? v : null;
}

async function portsAndGroups(tables: Tables, nodeUuid: string): Promise<{ ports: PortRecord[]; groups: PortgroupRecord[] }> {
  const byNode = [{ col: 'nodeUuid', op: 'eq', value: nodeUuid } as const];
  const [ports, groups] = await Promise.all([tables.ports.list({ filters: byNode }), tables.portgroups.list({ filters: byNode })]);
  return { ports, groups };
}

/** GET /vifs: ports first, then portgroups, as Ironic lists them. */
export async function listVifs(tables: Tables, node: NodeRecord): Promise<{ id: string }[]> {
  const { ports, groups } = await portsAndGroups(tables, node.uuid);
  return [...ports, ...groups].map(vifOf).filter((v): v is string => v !== null).map((id) => ({ id }));
}

// Ironic's NoFreePhysicalPorts and VifNotAttachedToNode are both `Invalid` (400).
const noFreePorts = (vif: string) => new InvalidError(`Unable to attach VIF ${vif}, not enough free physical ports.`);

/**
 * Picks where a VIF goes. Free = nothing attached. A portgroup is usable only through member ports none of
 * which carries a VIF; member ports are never used on their own. Preference, as in Ironic: a physical
 * network set, then portgroups over ports, then PXE-enabled ports; ties keep creation order.
 */
function pickFree(vif: VifRequest, ports: PortRecord[], groups: PortgroupRecord[]): PortLike {
  const candidates: PortLike[] = [];
  for (const pg of groups) {
    const members = ports.filter((p) => p.portgroupUuid === pg.uuid);
    if (members.length > 0 && !members.some((p) => vifOf(p)) && !vifOf(pg)) candidates.push({ kind: 'portgroup', rec: pg });
  }
  for (const p of ports) if (p.portgroupUuid === null && !vifOf(p)) candidates.push({ kind: 'port', rec: p });
  const wanted = candidates.filter((c) => (vif.portUuid ? c.kind === 'port' && c.rec.uuid === vif.portUuid
    : vif.portgroupUuid ? c.kind === 'portgroup' && c.rec.uuid === vif.portgroupUuid : true));
  const physnet = (c: PortLike) => (c.kind === 'port' ? c.rec.physicalNetwork
    : ports.find((p) => p.portgroupUuid === c.rec.uuid && p.physicalNetwork)?.physicalNetwork ?? null);
  const rank = (c: PortLike) => [physnet(c) ? 0 : 1, c.kind === 'portgroup' ? 0 : 1, c.kind === 'portgroup' || c.rec.pxeEnabled ? 0 : 1];
  const sorted = wanted.map((c, i) => ({ c, i, r: rank(c) }))
    .sort((a, b) => a.r[0]! - b.r[0]! || a.r[1]! - b.r[1]! || a.r[2]! - b.r[2]! || a.i - b.i);
  const best = sorted[0];
  if (!best) throw noFreePorts(vif.id);
  return best.c;
}

/** POST /vifs. @throws ConflictError (409) when the VIF is already attached, 400 when no port is free. */
export async function attachVif(ctx: ConductorContext, node: NodeRecord, vif: VifRequest): Promise<void> {
  await acquireNode(ctx, node, 'attaching VIF', async () => {
    const { ports, groups } = await portsAndGroups(ctx.tables, node.uuid);
    for (const [type, recs] of [['Port', ports], ['Portgroup', groups]] as const) {
      const holder = recs.find((r) => vifOf(r) === vif.id);
      if (holder) throw new ConflictError(`Unable to attach VIF because VIF ${vif.id} is already attached to ${type} ${holder.uuid}`);
    }
    const target = pickFree(vif, ports, groups);
    const changes = { internalInfo: { ...target.rec.internalInfo, [VIF_KEY]: vif.id }, updatedAt: nowTimestamp() };
    if (target.kind === 'port') await ctx.tables.ports.update(target.rec.id, changes);
    else await ctx.tables.portgroups.update(target.rec.id, changes);
  });
}

/** DELETE /vifs/{id}. @throws InvalidError (400) when no port or portgroup of the node carries the VIF. */
export async function detachVif(ctx: ConductorContext, node: NodeRecord, vifId: string): Promise<void> {
  await acquireNode(ctx, node, 'detaching VIF', async () => {
    const { ports, groups } = await portsAndGroups(ctx.tables, node.uuid);
    const strip = <R extends PortRecord | PortgroupRecord>(r: R) => {
      const internalInfo = { ...r.internalInfo };
      const extra = { ...r.extra };
      delete internalInfo[VIF_KEY];
      delete extra.vif_port_id;
      return { internalInfo, extra, updatedAt: nowTimestamp() };
    };
    const port = ports.find((p) => vifOf(p) === vifId);
    if (port) return void (await ctx.tables.ports.update(port.id, strip(port)));
    const group = groups.find((g) => vifOf(g) === vifId);
    if (group) return void (await ctx.tables.portgroups.update(group.id, strip(group)));
    throw new InvalidError(`Unable to detach VIF ${vifId} from node ${node.uuid} because it is not attached to it.`);
  });
}
